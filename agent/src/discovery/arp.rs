//! ARP sweep of on-link IPv4 subnets on a packet socket (AF_PACKET, SOCK_RAW, bound to
//! the subnet's interface; needs CAP_NET_RAW), as nmap does as root: a request to each
//! address, paced, retries overlapping within the timeout, replies read as they come.
//! It never touches the kernel's neighbour table, so a /22 of mostly absent addresses
//! does not wait for table room the way ICMP does, and a host that drops ping still
//! answers.

use std::collections::{BTreeMap, BTreeSet};
use std::net::Ipv4Addr;
use std::os::fd::{AsFd, OwnedFd};
use std::time::{Duration, Instant};

use nix::poll::{PollFd, PollFlags, PollTimeout};
use nix::sys::socket::{self, LinkAddr, MsgFlags};

use super::sweep::Pace;

const ETH_P_ARP: u16 = 0x0806;
const ETH_P_IP: u16 = 0x0800;

/// The addresses to ask on one interface.
#[derive(Debug, Clone)]
pub struct Group {
    pub ifname: String,
    pub mac: [u8; 6],
    /// This host's address on that interface (the requests' sender address).
    pub source: Ipv4Addr,
    pub targets: Vec<Ipv4Addr>,
}

/// A broadcast Ethernet frame asking who has `target`, from `mac`/`source`.
fn request(mac: [u8; 6], source: Ipv4Addr, target: Ipv4Addr) -> [u8; 42] {
    let mut f = [0u8; 42];
    f[0..6].copy_from_slice(&[0xff; 6]);
    f[6..12].copy_from_slice(&mac);
    f[12..14].copy_from_slice(&ETH_P_ARP.to_be_bytes());
    let p = &mut f[14..];
    p[0..2].copy_from_slice(&1u16.to_be_bytes()); // Ethernet
    p[2..4].copy_from_slice(&ETH_P_IP.to_be_bytes());
    p[4] = 6;
    p[5] = 4;
    p[6..8].copy_from_slice(&1u16.to_be_bytes()); // request
    p[8..14].copy_from_slice(&mac);
    p[14..18].copy_from_slice(&source.octets());
    // the target hardware address stays zero
    p[24..28].copy_from_slice(&target.octets());
    f
}

/// The (sender address, sender MAC) of a frame that is an ARP reply.
pub fn parse_frame(f: &[u8]) -> Option<(Ipv4Addr, [u8; 6])> {
    if f.len() < 14 || f[12..14] != ETH_P_ARP.to_be_bytes() {
        return None;
    }
    parse_reply(&f[14..])
}

/// The (sender address, sender MAC) of an ARP reply, if `p` is one.
pub fn parse_reply(p: &[u8]) -> Option<(Ipv4Addr, [u8; 6])> {
    if p.len() < 28
        || p[0..2] != 1u16.to_be_bytes()
        || p[2..4] != ETH_P_IP.to_be_bytes()
        || p[4] != 6
        || p[5] != 4
        || p[6..8] != 2u16.to_be_bytes()
    {
        return None;
    }
    let mut mac = [0u8; 6];
    mac.copy_from_slice(&p[8..14]);
    Some((Ipv4Addr::new(p[14], p[15], p[16], p[17]), mac))
}

/// The link address of interface `ifname` (its index), from getifaddrs(3).
fn link_of(ifname: &str) -> Option<LinkAddr> {
    nix::ifaddrs::getifaddrs().ok()?.find_map(|i| {
        if i.interface_name == ifname {
            i.address.as_ref()?.as_link_addr().copied()
        } else {
            None
        }
    })
}

/// Room for the replies that arrive while the sweep is not reading. A received frame
/// counts against it with its whole kernel buffer, from under 1 KiB (a small frame on a
/// veth) to over 2 KiB (a NIC's receive page): some 400 to 1,300 replies.
const RECEIVE_BUFFER: usize = 1 << 20;

/// A packet socket bound to `ifname` for ARP: sends whole frames there, receives the
/// ARP frames that arrive there. Bound to every frame (ETH_P_ALL), as it was, the
/// socket also queued each request it sent and the LAN's other traffic (the SNMP
/// polls running beside the sweep, a busy LAN's broadcasts), and a sweep thread kept
/// from running for a moment on a loaded machine found the buffer full and lost the
/// replies that came then.
fn open(ifname: &str) -> Result<OwnedFd, String> {
    // the protocol (ETH_P_ARP, in network order) that nix's socket() cannot name; the
    // link address below carries protocol 0, which keeps the socket's
    let sock = socket2::Socket::new(
        socket2::Domain::from(nix::libc::AF_PACKET),
        socket2::Type::RAW,
        Some(socket2::Protocol::from(i32::from(ETH_P_ARP.to_be()))),
    )
    .map_err(|e| {
        format!(
            "cannot open a packet socket ({e}); the ARP sweep needs CAP_NET_RAW (the agent \
             sweeps with ICMP alone)"
        )
    })?;
    sock.set_nonblocking(true)
        .map_err(|e| format!("cannot make a packet socket non-blocking: {e}"))?;
    let fd = OwnedFd::from(sock);
    let link = link_of(ifname).ok_or_else(|| format!("interface {ifname} has no link address"))?;
    socket::bind(std::os::fd::AsRawFd::as_raw_fd(&fd), &link)
        .map_err(|e| format!("cannot bind a packet socket to {ifname}: {e}"))?;
    // beyond net.core.rmem_max with CAP_NET_ADMIN; else up to it; else the default
    if socket::setsockopt(&fd, socket::sockopt::RcvBufForce, &RECEIVE_BUFFER).is_err() {
        let _ = socket::setsockopt(&fd, socket::sockopt::RcvBuf, &RECEIVE_BUFFER);
    }
    Ok(fd)
}

/// Sweeps `groups`: every address that answered, with its MAC (`aa:bb:..`).
pub fn sweep(groups: &[Group], pace: Pace) -> Result<BTreeMap<Ipv4Addr, String>, String> {
    let fds: Vec<OwnedFd> = groups
        .iter()
        .map(|g| open(&g.ifname))
        .collect::<Result<_, _>>()?;
    let wanted: BTreeSet<Ipv4Addr> = groups
        .iter()
        .flat_map(|g| g.targets.iter().copied())
        .collect();
    // every send: (time offset, group, target); the attempts of one target spread over
    // its timeout
    let rate = f64::from(pace.rate_per_sec.max(1));
    let tries = pace.retries + 1;
    let step = pace.timeout / tries;
    let mut sends: Vec<(Duration, usize, Ipv4Addr)> = Vec::new();
    let mut n = 0u32;
    for (gi, g) in groups.iter().enumerate() {
        for t in &g.targets {
            let first = Duration::from_secs_f64(f64::from(n) / rate);
            for k in 0..tries {
                sends.push((first + step * k, gi, *t));
            }
            n += 1;
        }
    }
    sends.sort_by_key(|s| s.0);
    let end = sends.last().map_or(Duration::ZERO, |s| s.0) + step;
    let mut found: BTreeMap<Ipv4Addr, String> = BTreeMap::new();
    let started = Instant::now();
    let mut next = 0;
    let mut buf = [0u8; 2048];
    let mut send_errors = 0u64;
    let mut last_error = String::new();
    // when the last request actually left: one sent late (the thread kept from
    // running past its time) still gets its step to be answered
    let mut last_sent = Duration::ZERO;
    loop {
        let now = started.elapsed();
        while next < sends.len() && sends[next].0 <= now {
            let (_, gi, t) = sends[next];
            next += 1;
            if found.contains_key(&t) {
                continue;
            }
            let g = &groups[gi];
            let frame = request(g.mac, g.source, t);
            let fd = std::os::fd::AsRawFd::as_raw_fd(&fds[gi]);
            if let Err(e) = socket::send(fd, &frame, MsgFlags::empty()) {
                send_errors += 1;
                last_error = e.to_string();
            }
            last_sent = now;
        }
        // every frame waiting: the ARP replies among them
        for (gi, fd) in fds.iter().enumerate() {
            let raw = std::os::fd::AsRawFd::as_raw_fd(fd);
            while let Ok(len) = socket::recv(raw, &mut buf, MsgFlags::empty()) {
                if let Some((ip, mac)) = parse_frame(&buf[..len]) {
                    if wanted.contains(&ip) && groups[gi].targets.contains(&ip) {
                        if let Some(m) = super::mac_text(&mac) {
                            found.entry(ip).or_insert(m);
                        }
                    }
                }
            }
        }
        let now = started.elapsed();
        let end = end.max(last_sent + step);
        if now >= end || found.len() == wanted.len() {
            break;
        }
        let wait = if next < sends.len() {
            sends[next].0.saturating_sub(now)
        } else {
            end - now
        };
        let ms = u16::try_from(wait.as_millis()).unwrap_or(u16::MAX);
        let mut pfds: Vec<PollFd<'_>> = fds
            .iter()
            .map(|f| PollFd::new(f.as_fd(), PollFlags::POLLIN))
            .collect();
        let _ = nix::poll::poll(&mut pfds, PollTimeout::from(ms));
    }
    if send_errors > 0 && found.is_empty() {
        return Err(format!(
            "ARP sweep: {send_errors} requests could not be sent ({last_error})"
        ));
    }
    Ok(found)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn requests_and_replies_have_the_arp_layout() {
        let mac = [2, 0, 0, 0, 0, 0xfe];
        let f = request(
            mac,
            Ipv4Addr::new(10, 0, 0, 254),
            Ipv4Addr::new(10, 0, 0, 7),
        );
        assert_eq!(&f[..6], &[0xff; 6]);
        assert_eq!(&f[12..22], &[8, 6, 0, 1, 8, 0, 6, 4, 0, 1]);
        assert_eq!(&f[38..], &[10, 0, 0, 7]);
        // the reply of 10.0.0.7
        let mut reply = f;
        reply[20..22].copy_from_slice(&[0, 2]);
        reply[22..28].copy_from_slice(&[2, 0, 0, 0, 0, 7]);
        reply[28..32].copy_from_slice(&[10, 0, 0, 7]);
        assert_eq!(
            parse_frame(&reply),
            Some((Ipv4Addr::new(10, 0, 0, 7), [2, 0, 0, 0, 0, 7]))
        );
        assert_eq!(parse_frame(&f), None, "a request is no reply");
        assert_eq!(parse_frame(&reply[..30]), None);
        let mut ip = reply;
        ip[12..14].copy_from_slice(&[8, 0]);
        assert_eq!(parse_frame(&ip), None, "an IP frame is no ARP");
    }
}

#[cfg(test)]
mod socket_tests {
    use super::*;

    /// Frames waiting on `fd` within `wait`, each as its bytes.
    fn frames(fd: &OwnedFd, wait: Duration) -> Vec<Vec<u8>> {
        let t0 = Instant::now();
        let mut got = Vec::new();
        let mut buf = [0u8; 2048];
        while t0.elapsed() < wait {
            let raw = std::os::fd::AsRawFd::as_raw_fd(fd);
            while let Ok(len) = socket::recv(raw, &mut buf, MsgFlags::empty()) {
                got.push(buf[..len].to_vec());
            }
            std::thread::sleep(Duration::from_millis(10));
        }
        got
    }

    /// On loopback (the only interface a unit test may send on): the sweep's socket
    /// gets an ARP reply that arrives, and neither the UDP traffic beside it nor the
    /// frames it sends itself. Needs CAP_NET_RAW (CI runs as root).
    #[test]
    fn the_sweep_socket_receives_arp_frames_and_nothing_else() {
        // /proc/self belongs to the process's effective user
        let euid = std::os::unix::fs::MetadataExt::uid(&std::fs::metadata("/proc/self").unwrap());
        if euid != 0 {
            eprintln!("skipped: a packet socket needs root");
            return;
        }
        let fd = open("lo").unwrap();
        let rcvbuf = socket::getsockopt(&fd, socket::sockopt::RcvBuf).unwrap();
        assert!(rcvbuf >= RECEIVE_BUFFER, "receive buffer {rcvbuf} B");
        // UDP on loopback: a socket bound to every frame saw each datagram twice
        let rx = std::net::UdpSocket::bind("127.0.0.1:0").unwrap();
        let tx = std::net::UdpSocket::bind("127.0.0.1:0").unwrap();
        for _ in 0..20 {
            tx.send_to(b"not arp", rx.local_addr().unwrap()).unwrap();
        }
        // an ARP reply from 127.0.0.77, sent on loopback by this very socket: it leaves
        // (not received) and comes back in (received)
        let mut reply = request([0; 6], Ipv4Addr::new(127, 0, 0, 1), Ipv4Addr::LOCALHOST);
        reply[20..22].copy_from_slice(&2u16.to_be_bytes());
        reply[22..28].copy_from_slice(&[2, 0, 0, 0, 0, 77]);
        reply[28..32].copy_from_slice(&[127, 0, 0, 77]);
        let raw = std::os::fd::AsRawFd::as_raw_fd(&fd);
        socket::send(raw, &reply, MsgFlags::empty()).unwrap();
        let got = frames(&fd, Duration::from_millis(300));
        assert!(
            got.iter()
                .all(|f| f.len() >= 14 && f[12..14] == ETH_P_ARP.to_be_bytes()),
            "only ARP frames: {got:02x?}"
        );
        assert_eq!(got.len(), 1, "the reply once: {got:02x?}");
        assert_eq!(
            parse_frame(&got[0]),
            Some((Ipv4Addr::new(127, 0, 0, 77), [2, 0, 0, 0, 0, 77]))
        );
    }
}
