"""An SNMPv2c device for the hostile-LAN test (tests/tests/hostile_lan.rs).

argv: MODE ADDRESS READY_FILE
  hostile:   answers GET, GETNEXT and GETBULK correctly, from a small MIB whose strings
             are hostile (a 10 KB sysDescr, invalid UTF-8, noncharacters, bidi
             overrides, formula prefixes, markup)
  malformed: on ports 16100 to 16112, one kind of broken SNMP each (see
             `malformed`): garbage, truncated, an impossible length, a wrong request
             id, a hostile community, deep nesting, an unknown value type, an
             out-of-range error index, an OID that does not increase, silence, a table
             without end, OIDs out of range, a 60 KB string of control bytes
"""
import select
import socket
import sys


def enc_len(n):
    if n < 128:
        return bytes([n])
    b = n.to_bytes((n.bit_length() + 7) // 8, "big")
    return bytes([0x80 | len(b)]) + b


def tlv(t, v):
    return bytes([t]) + enc_len(len(v)) + v


def enc_int(i):
    return tlv(2, i.to_bytes(max(1, (i.bit_length() + 8) // 8), "big", signed=True))


def enc_oid(o):
    out = bytes([40 * o[0] + o[1]])
    for a in o[2:]:
        s = [a & 0x7F]
        a >>= 7
        while a:
            s.append(0x80 | (a & 0x7F))
            a >>= 7
        out += bytes(reversed(s))
    return tlv(6, out)


def dec(b, i):
    t = b[i]
    n = b[i + 1]
    i += 2
    if n & 0x80:
        k = n & 0x7F
        n = int.from_bytes(b[i:i + k], "big")
        i += k
    return t, b[i:i + n], i + n


def dec_oid(v):
    o = [v[0] // 40, v[0] % 40]
    a = 0
    for x in v[1:]:
        a = (a << 7) | (x & 0x7F)
        if not x & 0x80:
            o.append(a)
            a = 0
    return tuple(o)


def S(b):
    return tlv(4, b)


SYS = (1, 3, 6, 1, 2, 1, 1)
IF = (1, 3, 6, 1, 2, 1, 2, 2, 1)
IFX = (1, 3, 6, 1, 2, 1, 31, 1, 1, 1)
MIB = sorted([
    (SYS + (1, 0), S(b'=HYPERLINK("http://evil.invalid/x","klik") ' + b"A" * 10240)),
    (SYS + (2, 0), enc_oid((1, 3, 6, 1, 4, 1, 99999, 1))),
    (SYS + (3, 0), tlv(0x43, (123456).to_bytes(3, "big"))),
    (SYS + (4, 0), S(b"+cmd|' /C calc'!A0")),
    # invalid UTF-8 and a noncharacter in a name
    (SYS + (5, 0), S(b"printer\xff\xfe<script>alert(1)</script>")),
    (SYS + (6, 0), S("@SUM(1+1)*cmd \u202egnp.exe \uffff \ufdd0".encode())),
    (IF + (1, 1), enc_int(1)),
    (IF + (2, 1), S("eth0\u202e<b>".encode())),
    (IF + (3, 1), enc_int(6)),
    (IF + (6, 1), S(bytes([2, 0, 0, 0xBA, 0xD0, 0x01]))),
    (IF + (8, 1), enc_int(1)),
    (IFX + (1, 1), S(b"-2+3+cmd|' /C calc'!A0")),
    (IFX + (18, 1), S("\t=1+1\u2028<img src=x onerror=alert(2)>\ufffe".encode() + b"\xc3")),
])
END = b"\x82\x00"


def following(o):
    for k, v in MIB:
        if k > o:
            return k, v
    return o, END


def parse(d):
    _, msg, _ = dec(d, 0)
    _, ver, i = dec(msg, 0)
    _, comm, i = dec(msg, i)
    pt, pdu, _ = dec(msg, i)
    _, rid, j = dec(pdu, 0)
    _, a, j = dec(pdu, j)
    _, b, j = dec(pdu, j)
    _, vbl, _ = dec(pdu, j)
    oids = []
    k = 0
    while k < len(vbl):
        _, vb, k = dec(vbl, k)
        _, o, _ = dec(vb, 0)
        oids.append(dec_oid(o))
    return ver, comm, pt, rid, int.from_bytes(a, "big"), int.from_bytes(b, "big"), oids


def reply(ver, comm, rid, vbs, status=0, index=0):
    body = b"".join(tlv(0x30, enc_oid(o) + v) for o, v in vbs)
    pdu = tlv(0xA2, tlv(2, rid) + enc_int(status) + enc_int(index) + tlv(0x30, body))
    return tlv(0x30, tlv(2, ver) + tlv(4, comm) + pdu)


def answer(ver, comm, pt, rid, a, b, oids):
    out = []
    if pt == 0xA0:
        d = dict(MIB)
        out = [(o, d.get(o, b"\x81\x00")) for o in oids]
    elif pt == 0xA1:
        out = [following(o) for o in oids]
    elif pt == 0xA5:
        out = [following(o) for o in oids[:a]]
        rep = oids[a:]
        for _ in range(max(b, 1)):
            step = [following(o) for o in rep]
            out += step
            if all(v == END for _, v in step):
                break
            rep = [o for o, _ in step]
    return reply(ver, comm, rid, out)


def endless(ver, comm, pt, rid, a, b, oids):
    """A table that never ends: every answer is valid, in the subtree asked for, and
    one row further on."""
    out = []
    for o in oids:
        nxt = o + (1,) if len(o) < 8 else o[:-1] + (o[-1] + 1,)
        for _ in range(max(b, 1) if pt == 0xA5 else 1):
            out.append((nxt, S(b"x" * 64)))
            nxt = nxt[:-1] + (nxt[-1] + 1,)
    return reply(ver, comm, rid, out)


def malformed(kind, ver, comm, pt, rid, a, b, oids):
    o = oids[0] if oids else SYS
    kinds = [
        # 0: garbage
        lambda: b"\x30\x07\x02\x01\x01\x04\x02\xff\xfe",
        # 1: truncated
        lambda: reply(ver, comm, rid, [(o + (1,), S(b"x"))])[:12],
        # 2: a length of 4 GB
        lambda: b"\x30\x84\xff\xff\xff\xff" + reply(ver, comm, rid, [])[2:],
        # 3: another request's id
        lambda: reply(ver, comm, (int.from_bytes(rid, "big") + 1).to_bytes(4, "big"),
                      [(o + (1,), S(b"x"))]),
        # 4: a hostile community
        lambda: reply(ver, "\t\x1b[2J\u202eevil\n".encode(), rid, [(o + (1,), S(b"\x1b[31m"))]),
        # 5: nesting 1,000 deep
        lambda: b"\x30\x82\x0f\xa0" + b"\x30\x82\x0f\x9c" * 1000,
        # 6: an unknown value type holding markup and control characters
        lambda: reply(ver, comm, rid, [(o + (1,), tlv(0x9F, b"\x00\t<script>"))]),
        # 7: genErr, pointing at a variable that is not there
        lambda: reply(ver, comm, rid, [(o + (1,), S(b"x"))], status=5, index=99),
        # 8: an OID that does not increase
        lambda: reply(ver, comm, rid, [(o, S(b"loop\t"))]),
        # 9: silence
        lambda: None,
        # 10: a table without end
        lambda: endless(ver, comm, pt, rid, a, b, oids),
        # 11: an OID arc beyond 32 bits and an OID of 500 arcs
        lambda: reply(ver, comm, rid, [(o + (2 ** 40,), S(b"x")), (o + (1,) * 500, S(b"y"))]),
        # 12: a 60 KB octet string of control characters and invalid UTF-8
        lambda: reply(ver, comm, rid, [(o + (1,), S(b"\x1b\xff\x00\x07" * 15000))]),
    ]
    return kinds[kind % len(kinds)]()


MALFORMED_KINDS = 13
BASE_PORT = 16100


def main():
    mode, address, ready = sys.argv[1:4]
    socks = {}
    ports = [161] if mode == "hostile" else range(BASE_PORT, BASE_PORT + MALFORMED_KINDS)
    for port in ports:
        s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        s.bind((address, port))
        socks[s] = port - BASE_PORT
    open(ready, "w").close()
    while True:
        for s in select.select(list(socks), [], [])[0]:
            d, peer = s.recvfrom(65535)
            try:
                req = parse(d)
            except (IndexError, ValueError):
                continue
            if mode == "hostile":
                out = answer(*req)
            else:
                out = malformed(socks[s], *req)
            if out:
                s.sendto(out, peer)


main()
