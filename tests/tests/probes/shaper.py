"""A userspace stand-in for `tc netem` (tests/src/wanlab.rs uses it where the kernel
has no sch_netem): it joins pairs of interfaces of its namespace like a wire, and
delays (and randomly drops) the frames going one way, from the first interface of a
pair to the second, as netem on the second's egress would.

Usage: shaper.py READY_FILE A:B:DELAY_MS:LOSS [A:B:DELAY_MS:LOSS ...]

LOSS is a ratio (0.05) of frames dropped at random, as netem does; `even0.05` drops the
same ratio evenly instead: of every flow's frames, exactly floor(n * ratio) of its first
n, so that any run of 100 consecutive frames of a flow loses exactly 5. A flow is the
ICMP echo requests of one sender (told apart by their payload's first 8 bytes: each
ping tool fills its own), or the other frames of one IP protocol. bench/probes.sh uses
it to compare two tools' loss figures without the sampling spread of random loss.

Frames come and go through AF_PACKET sockets. A frame a local TCP stack sent over a
veth may carry only the pseudo-header sum (checksum offload, CHECKSUM_PARTIAL): the
shaper completes TCP checksums before it passes a frame on, as the kernel would have.
"""

import heapq
import random
import select
import socket
import struct
import sys
import time

ETH_P_ALL = 0x0003
PACKET_OUTGOING = 4


def csum(data):
    if len(data) % 2:
        data += b"\0"
    s = sum(struct.unpack("!%dH" % (len(data) // 2), data))
    while s >> 16:
        s = (s & 0xFFFF) + (s >> 16)
    return (~s) & 0xFFFF


def fix_tcp(frame):
    """The frame with its TCP checksum computed (IPv4 or IPv6 without extension
    headers); any other frame unchanged."""
    if len(frame) < 14:
        return frame
    ethertype = struct.unpack("!H", frame[12:14])[0]
    if ethertype == 0x0800 and len(frame) >= 34 and frame[23] == 6:
        ihl = (frame[14] & 0x0F) * 4
        total = struct.unpack("!H", frame[16:18])[0]
        seg_start, seg_end = 14 + ihl, 14 + total
        pseudo = frame[26:34] + struct.pack("!BBH", 0, 6, total - ihl)
    elif ethertype == 0x86DD and len(frame) >= 54 and frame[20] == 6:
        plen = struct.unpack("!H", frame[18:20])[0]
        seg_start, seg_end = 54, 54 + plen
        pseudo = frame[22:54] + struct.pack("!IxxxB", plen, 6)
    else:
        return frame
    seg = bytearray(frame[seg_start:seg_end])
    if len(seg) < 20:
        return frame
    seg[16:18] = b"\0\0"
    seg[16:18] = struct.pack("!H", csum(pseudo + bytes(seg)))
    return frame[:seg_start] + bytes(seg) + frame[seg_end:]


def flow(frame):
    """What tells a frame's flow apart: an IPv4 ICMP echo request's payload prefix (the
    sending tool's), else the IP protocol."""
    if frame[12:14] == b"\x08\x00" and len(frame) >= 34:
        ihl = (frame[14] & 0x0F) * 4
        proto = frame[23]
        icmp = 14 + ihl
        if proto == 1 and len(frame) >= icmp + 16 and frame[icmp] == 8:
            return (1, frame[icmp + 8 : icmp + 16])
        return (proto, b"")
    if frame[12:14] == b"\x86\xdd" and len(frame) >= 62:
        proto = frame[20]
        icmp = 54
        if proto == 58 and frame[icmp] == 128:
            return (58, frame[icmp + 8 : icmp + 16])
        return (proto, b"")
    return (None, b"")


def drop(loss, key, sent):
    """Whether the frame is lost: at random with the ratio, or evenly (`even<ratio>`)."""
    if loss.startswith("even"):
        ratio = float(loss[4:])
        n = sent.get(key, 0) + 1
        sent[key] = n
        return int(n * ratio + 1e-9) > int((n - 1) * ratio + 1e-9)
    ratio = float(loss)
    return ratio > 0 and random.random() < ratio


def main():
    ready = sys.argv[1]
    socks = {}
    # socket -> (the other side's socket, delay in seconds, loss ratio)
    route = {}
    for spec in sys.argv[2:]:
        a, b, delay_ms, loss = spec.split(":")
        for name in (a, b):
            s = socket.socket(socket.AF_PACKET, socket.SOCK_RAW, socket.htons(ETH_P_ALL))
            s.bind((name, 0))
            s.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 1 << 20)
            socks[name] = s
        route[socks[a]] = (socks[b], float(delay_ms) / 1000.0, loss)
        route[socks[b]] = (socks[a], 0.0, "0")
    open(ready, "w").close()
    queue = []  # (due, n, socket, frame)
    n = 0
    sent = {}  # (socket, flow) -> frames of the flow seen, for even loss
    while True:
        timeout = max(0.0, queue[0][0] - time.monotonic()) if queue else None
        readable, _, _ = select.select(list(route), [], [], timeout)
        now = time.monotonic()
        for s in readable:
            frame, addr = s.recvfrom(65535)
            if addr[2] == PACKET_OUTGOING:
                continue  # what this shaper itself sent
            out, delay, loss = route[s]
            is_ip = len(frame) >= 14 and frame[12:14] in (b"\x08\x00", b"\x86\xdd")
            if is_ip and drop(loss, (s, flow(frame)), sent):
                continue
            n += 1
            heapq.heappush(queue, (now + delay, n, out, fix_tcp(frame)))
        now = time.monotonic()
        while queue and queue[0][0] <= now:
            _, _, out, frame = heapq.heappop(queue)
            try:
                out.send(frame)
            except OSError:
                pass


main()
