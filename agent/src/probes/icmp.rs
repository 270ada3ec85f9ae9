//! ICMP echo probes (IPv4 and IPv6) on one socket per address family shared by every
//! ICMP probe of the agent: an unprivileged datagram socket where
//! `net.ipv4.ping_group_range` allows it, a raw one otherwise (CAP_NET_RAW).
//!
//! Replies are told apart by (address, sequence): every request of every probe takes
//! the next sequence number of the family's socket, so requests of concurrent probes,
//! and of one probe to the same target, never share a key. On a raw socket the
//! identifier is the agent's own (derived from its process id, so a discovery sweep or
//! a `ping` running beside it does not take its replies) and replies with another are
//! ignored; on a datagram socket the kernel sets it and delivers only this socket's
//! replies.
//!
//! Cheap on the CPU with many targets: the round trip is the kernel's arrival time of
//! the reply (`SO_TIMESTAMPNS`) less the time the request went out, so replies need not
//! be read the moment they arrive. The socket is not watched for readability (each
//! datagram would wake the probes' thread, and a raw socket also sees every other
//! program's ICMP); the receiver empties it every [`DRAIN_PAUSE`] while a request
//! waits: a hundred targets' replies wake the thread 20 times a second, not once each.
//! A request whose answer has not been read when its time is up empties the socket
//! itself before it counts as lost, so the pause never turns an answer into a loss.
//! Where the kernel gives no arrival time (or the wall clock stepped between request
//! and reply), the round trip is measured when the reply is read.

use std::collections::HashMap;
use std::io::IoSliceMut;
use std::net::{IpAddr, Ipv4Addr, Ipv6Addr, SocketAddr};
use std::os::fd::{AsRawFd, OwnedFd};
use std::sync::atomic::{AtomicU16, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use nix::sys::socket::{
    self as sock, AddressFamily, ControlMessageOwned, MsgFlags, SockFlag, SockProtocol, SockType,
    SockaddrStorage,
};
use tokio::sync::{oneshot, Notify};

use super::{Attempt, AttemptFuture, Probe, Shared};

/// The echo payload: 56 bytes, as `ping` and fping send by default.
const PAYLOAD: [u8; 56] = [0x53; 56];

/// How long the receiver waits after emptying the socket before it looks again.
pub const DRAIN_PAUSE: Duration = Duration::from_millis(50);

/// The agent's ICMP sockets, opened when the first request of their family goes out
/// (and again after a failure to open, at the next request).
#[derive(Default)]
pub struct Sockets {
    v4: Mutex<Option<Arc<Socket>>>,
    v6: Mutex<Option<Arc<Socket>>>,
    seq: AtomicU16,
}

fn lock<T>(m: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    m.lock().unwrap_or_else(std::sync::PoisonError::into_inner)
}

impl Sockets {
    /// The socket for `addr`'s family; must be called on the probes' runtime (its
    /// receiver is a task there).
    fn socket(&self, addr: IpAddr) -> Result<Arc<Socket>, String> {
        let (slot, v6) = match addr {
            IpAddr::V4(_) => (&self.v4, false),
            IpAddr::V6(_) => (&self.v6, true),
        };
        let mut slot = lock(slot);
        if let Some(s) = slot.as_ref() {
            return Ok(Arc::clone(s));
        }
        let s = Arc::new(Socket::open(v6).map_err(|e| {
            format!(
                "cannot open an IPv{} ICMP socket ({e}); the agent needs CAP_NET_RAW or a \
                 net.ipv4.ping_group_range that includes its group",
                if v6 { 6 } else { 4 }
            )
        })?);
        tokio::spawn(receive(Arc::clone(&s)));
        *slot = Some(Arc::clone(&s));
        Ok(s)
    }

    fn next_seq(&self) -> u16 {
        self.seq.fetch_add(1, Ordering::Relaxed)
    }
}

/// What came back for a request.
#[derive(Debug)]
enum Answer {
    /// An echo reply: when the kernel received it (if it said), and when it was read.
    Reply {
        arrived: Option<SystemTime>,
        read: Instant,
    },
    /// An ICMP error about the request (destination unreachable, time exceeded).
    Error(String),
}

/// One ICMP socket and the requests waiting for their answers.
struct Socket {
    /// A datagram or raw ICMP socket, non-blocking. Not registered with the runtime on
    /// purpose: every datagram that arrives would wake the thread.
    fd: OwnedFd,
    raw: bool,
    v6: bool,
    ident: u16,
    waiting: Mutex<HashMap<(IpAddr, u16), oneshot::Sender<Answer>>>,
    /// Told when a request starts waiting (the receiver sleeps while none does).
    wake: Notify,
}

/// The receive buffer asked for: replies wait up to [`DRAIN_PAUSE`] in it (the kernel
/// caps it at `net.core.rmem_max` without CAP_NET_ADMIN).
const RECEIVE_BUFFER: usize = 1 << 20;

impl Socket {
    fn open(v6: bool) -> std::io::Result<Self> {
        let (family, proto) = if v6 {
            (AddressFamily::Inet6, SockProtocol::IcmpV6)
        } else {
            (AddressFamily::Inet, SockProtocol::Icmp)
        };
        let flags = SockFlag::SOCK_NONBLOCK | SockFlag::SOCK_CLOEXEC;
        let (fd, raw) = match sock::socket(family, SockType::Datagram, flags, proto) {
            Ok(fd) => (fd, false),
            Err(_) => (sock::socket(family, SockType::Raw, flags, proto)?, true),
        };
        sock::setsockopt(&fd, sock::sockopt::ReceiveTimestampns, &true)?;
        let _ = sock::setsockopt(&fd, sock::sockopt::RcvBuf, &RECEIVE_BUFFER);
        Ok(Self {
            fd,
            raw,
            v6,
            // not the sweep's (pid ^ 0x5a17): a discovery of the same process id
            // space never answers for a probe
            ident: (std::process::id() as u16) ^ 0x7052,
            waiting: Mutex::new(HashMap::new()),
            wake: Notify::new(),
        })
    }

    /// Sends echo request `seq` to `addr`; the wall clock and the monotonic clock just
    /// before it went out.
    fn send(&self, addr: IpAddr, seq: u16) -> Result<(SystemTime, Instant), String> {
        let packet = echo_request(self.v6, self.ident, seq);
        let to: SockaddrStorage = SocketAddr::new(addr, 0).into();
        let sent = (SystemTime::now(), Instant::now());
        sock::sendto(self.fd.as_raw_fd(), &packet, &to, MsgFlags::empty())
            .map_err(|e| format!("echo request to {addr}: {e}"))?;
        Ok(sent)
    }

    /// Reads every datagram waiting in the socket and hands each answer to its
    /// request.
    fn drain(&self) {
        let mut buf = [0u8; 2048];
        let mut cmsg = [0u8; 64];
        loop {
            let (n, from, arrived) = {
                let mut iov = [IoSliceMut::new(&mut buf)];
                match sock::recvmsg::<SockaddrStorage>(
                    self.fd.as_raw_fd(),
                    &mut iov,
                    Some(&mut cmsg),
                    MsgFlags::MSG_DONTWAIT,
                ) {
                    Ok(m) => {
                        let arrived = m.cmsgs().ok().and_then(|mut c| {
                            c.find_map(|c| match c {
                                ControlMessageOwned::ScmTimestampns(ts) => Some(
                                    UNIX_EPOCH
                                        + Duration::new(
                                            u64::try_from(ts.tv_sec()).ok()?,
                                            u32::try_from(ts.tv_nsec()).ok()?,
                                        ),
                                ),
                                _ => None,
                            })
                        });
                        (m.bytes, m.address.and_then(|a| address_of(&a)), arrived)
                    }
                    Err(nix::errno::Errno::EAGAIN) => return,
                    // a datagram socket reports an ICMP error it cannot place once
                    Err(e) => {
                        tracing::debug!(error = %e, "ICMP socket");
                        return;
                    }
                }
            };
            let Some(from) = from else { continue };
            let Some(m) = parse(&buf[..n], self.raw, self.v6, from) else {
                continue;
            };
            if self.raw && m.ident != self.ident {
                continue; // someone else's (a ping, fping, a discovery sweep)
            }
            let answer = match m.error {
                None => Answer::Reply {
                    arrived,
                    read: Instant::now(),
                },
                Some(e) => Answer::Error(e),
            };
            if let Some(tx) = lock(&self.waiting).remove(&(m.dest, m.seq)) {
                let _ = tx.send(answer);
            }
        }
    }
}

/// Empties `s` every [`DRAIN_PAUSE`] while a request waits for its answer; sleeps
/// while none does.
async fn receive(s: Arc<Socket>) {
    loop {
        if lock(&s.waiting).is_empty() {
            s.wake.notified().await;
        }
        tokio::time::sleep(DRAIN_PAUSE).await;
        s.drain();
    }
}

/// The source address of a datagram.
fn address_of(a: &SockaddrStorage) -> Option<IpAddr> {
    if let Some(a) = a.as_sockaddr_in() {
        return Some(IpAddr::V4(a.ip()));
    }
    a.as_sockaddr_in6().map(|a| IpAddr::V6(a.ip()))
}

/// An echo request: type, code, checksum, identifier, sequence, payload. The IPv4
/// checksum is computed (a datagram socket recomputes it, as the kernel does for
/// ICMPv6 on both kinds of socket).
fn echo_request(v6: bool, ident: u16, seq: u16) -> [u8; 8 + PAYLOAD.len()] {
    let mut p = [0u8; 8 + PAYLOAD.len()];
    p[0] = if v6 { 128 } else { 8 };
    p[4..6].copy_from_slice(&ident.to_be_bytes());
    p[6..8].copy_from_slice(&seq.to_be_bytes());
    p[8..].copy_from_slice(&PAYLOAD);
    if !v6 {
        let sum = checksum(&p);
        p[2..4].copy_from_slice(&sum.to_be_bytes());
    }
    p
}

/// The Internet checksum (RFC 1071).
fn checksum(data: &[u8]) -> u16 {
    let mut sum: u32 = data
        .chunks(2)
        .map(|c| u32::from(u16::from_be_bytes([c[0], c.get(1).copied().unwrap_or(0)])))
        .sum();
    while sum >> 16 != 0 {
        sum = (sum & 0xffff) + (sum >> 16);
    }
    !(sum as u16)
}

/// What a datagram says about one of our requests.
#[derive(Debug, PartialEq)]
struct Message {
    /// The address the request went to.
    dest: IpAddr,
    ident: u16,
    seq: u16,
    /// None for an echo reply; else what the ICMP error says.
    error: Option<String>,
}

fn be16(b: &[u8], at: usize) -> Option<u16> {
    Some(u16::from_be_bytes([*b.get(at)?, *b.get(at + 1)?]))
}

/// An echo reply, or an ICMP error that quotes an echo request, from `from`; None for
/// anything else (requests, other ICMP). A raw IPv4 socket hands over the IP header
/// too; IPv6 and datagram sockets only the ICMP message.
fn parse(data: &[u8], raw: bool, v6: bool, from: IpAddr) -> Option<Message> {
    let icmp = if raw && !v6 {
        if data.first()? >> 4 != 4 {
            return None;
        }
        data.get(usize::from(data[0] & 0x0f) * 4..)?
    } else {
        data
    };
    let (t, code) = (*icmp.first()?, *icmp.get(1)?);
    let (reply, unreachable, exceeded, request, v) = if v6 {
        (129, 1, 3, 128, 6)
    } else {
        (0, 3, 11, 8, 4)
    };
    if t == reply {
        return Some(Message {
            dest: from,
            ident: be16(icmp, 4)?,
            seq: be16(icmp, 6)?,
            error: None,
        });
    }
    if t != unreachable && t != exceeded {
        return None;
    }
    // the quoted request: its IP header, then the first 8 bytes of its ICMP message
    let inner = icmp.get(8..)?;
    let (dest, echo) = if v6 {
        let dst: [u8; 16] = inner.get(24..40)?.try_into().ok()?;
        (IpAddr::V6(Ipv6Addr::from(dst)), inner.get(40..)?)
    } else {
        let dst: [u8; 4] = inner.get(16..20)?.try_into().ok()?;
        let ihl = usize::from(inner.first()? & 0x0f) * 4;
        (IpAddr::V4(Ipv4Addr::from(dst)), inner.get(ihl..)?)
    };
    if *echo.first()? != request {
        return None;
    }
    let what = if t == unreachable {
        "destination unreachable"
    } else {
        "time exceeded"
    };
    Some(Message {
        dest,
        ident: be16(echo, 4)?,
        seq: be16(echo, 6)?,
        error: Some(format!(
            "{what} (ICMPv{v} type {t} code {code}) from {from}"
        )),
    })
}

/// Removes a request from the waiting ones when it ends, however it ends.
struct Waiting<'a> {
    socket: &'a Socket,
    key: (IpAddr, u16),
}

impl Drop for Waiting<'_> {
    fn drop(&mut self) {
        lock(&self.socket.waiting).remove(&self.key);
    }
}

/// Echo requests to one address.
pub struct Icmp {
    addr: IpAddr,
    shared: Arc<Shared>,
}

impl Icmp {
    pub fn new(addr: IpAddr, shared: Arc<Shared>) -> Self {
        Self { addr, shared }
    }

    async fn echo(&self, timeout: Duration) -> Attempt {
        let socket = self.shared.icmp.socket(self.addr)?;
        let key = (self.addr, self.shared.icmp.next_seq());
        let (tx, mut rx) = oneshot::channel();
        {
            let mut w = lock(&socket.waiting);
            if w.contains_key(&key) {
                return Err(format!(
                    "echo request to {}: sequence {} still in use",
                    self.addr, key.1
                ));
            }
            w.insert(key, tx);
        }
        socket.wake.notify_one();
        let _waiting = Waiting {
            socket: &socket,
            key,
        };
        let (wall, mono) = socket.send(self.addr, key.1)?;
        let answer = match tokio::time::timeout(timeout, &mut rx).await {
            Ok(a) => a.ok(),
            // time is up: an answer may be waiting in the socket, unread
            Err(_) => {
                socket.drain();
                rx.try_recv().ok()
            }
        };
        match answer {
            Some(Answer::Reply { arrived, read }) => {
                let rtt = arrived
                    .and_then(|a| a.duration_since(wall).ok())
                    .filter(|rtt| *rtt <= read.duration_since(mono) + Duration::from_millis(1))
                    .unwrap_or_else(|| read.duration_since(mono));
                Ok((rtt <= timeout).then_some(rtt))
            }
            Some(Answer::Error(e)) => Err(e),
            None => Ok(None),
        }
    }
}

impl Probe for Icmp {
    fn attempt(&self, _n: u32, timeout: Duration) -> AttemptFuture<'_> {
        Box::pin(self.echo(timeout))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Loopback only: two probes to ::1 and 127.0.0.1 at once, each answered, each
    /// request matched to its own reply. Skipped where no ICMP socket can be opened.
    #[test]
    fn concurrent_probes_to_loopback_get_their_own_replies() {
        let rt = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .unwrap();
        rt.block_on(async {
            let shared = Arc::new(Shared::default());
            if let Err(e) = shared.icmp.socket("127.0.0.1".parse().unwrap()) {
                eprintln!("skipped: {e}");
                return;
            }
            let mut rounds = Vec::new();
            for (name, target) in [("v4", "127.0.0.1"), ("v4b", "127.0.0.1"), ("v6", "::1")] {
                let cfg = super::super::ProbeConfig {
                    name: name.into(),
                    kind: "icmp".into(),
                    target: target.into(),
                    count: 10,
                    interval_secs: 1,
                };
                let probe = super::super::build(&cfg, &shared).unwrap();
                rounds.push(tokio::spawn(async move {
                    super::super::round(&cfg, simpul_protocol::ProbeKind::Icmp, probe).await
                }));
            }
            for r in rounds {
                let r = r.await.unwrap();
                if r.name == "v6" && r.received == 0 && r.error.contains("IPv6") {
                    eprintln!("no IPv6 here: {}", r.error);
                    continue;
                }
                assert_eq!((r.sent, r.received), (10, 10), "{r:?}");
                let s = r.rtt.unwrap();
                // the kernel's arrival times: not the receiver's pause
                assert!(s.max_seconds < 0.02, "{s:?}");
            }
        });
    }

    fn v4(s: &str) -> IpAddr {
        s.parse().unwrap()
    }

    /// An IPv4 header (20 bytes) from `src` to `dst` around `payload`.
    fn ip4(src: [u8; 4], dst: [u8; 4], payload: &[u8]) -> Vec<u8> {
        let mut h = vec![0x45, 0, 0, 0, 0, 0, 0, 0, 64, 1, 0, 0];
        h.extend(src);
        h.extend(dst);
        h.extend(payload);
        h
    }

    #[test]
    fn an_echo_request_has_a_valid_checksum() {
        let p = echo_request(false, 0x1234, 7);
        assert_eq!((p[0], be16(&p, 4), be16(&p, 6)), (8, Some(0x1234), Some(7)));
        assert_eq!(checksum(&p), 0, "a message with its checksum sums to 0");
        assert_eq!(echo_request(true, 1, 2)[0], 128);
    }

    #[test]
    fn replies_and_errors_name_the_request_they_answer() {
        let mut reply = echo_request(false, 0x1234, 7);
        reply[0] = 0;
        let want = Message {
            dest: v4("192.0.2.1"),
            ident: 0x1234,
            seq: 7,
            error: None,
        };
        // a datagram socket: the ICMP message alone; a raw one: with the IP header
        assert_eq!(
            parse(&reply, false, false, v4("192.0.2.1")).as_ref(),
            Some(&want)
        );
        let framed = ip4([192, 0, 2, 1], [10, 0, 0, 1], &reply);
        assert_eq!(
            parse(&framed, true, false, v4("192.0.2.1")).as_ref(),
            Some(&want)
        );
        // our own request (looped back on a raw socket) is no answer
        let request = ip4([10, 0, 0, 1], [10, 0, 0, 1], &echo_request(false, 1, 1));
        assert_eq!(parse(&request, true, false, v4("10.0.0.1")), None);
        // a router says the request to 192.0.2.9 found no host
        let quoted = ip4(
            [10, 0, 0, 1],
            [192, 0, 2, 9],
            &echo_request(false, 0x1234, 8)[..8],
        );
        let mut unreachable = vec![3, 1, 0, 0, 0, 0, 0, 0];
        unreachable.extend(&quoted);
        let m = parse(
            &ip4([10, 0, 0, 254], [10, 0, 0, 1], &unreachable),
            true,
            false,
            v4("10.0.0.254"),
        )
        .unwrap();
        assert_eq!((m.dest, m.ident, m.seq), (v4("192.0.2.9"), 0x1234, 8));
        assert_eq!(
            m.error.as_deref(),
            Some("destination unreachable (ICMPv4 type 3 code 1) from 10.0.0.254")
        );
        // ICMPv6: time exceeded quoting an echo request to 2001:db8::9
        let dst: IpAddr = "2001:db8::9".parse().unwrap();
        let mut v6 = vec![3, 0, 0, 0, 0, 0, 0, 0];
        let mut hdr = vec![0x60, 0, 0, 0, 0, 16, 58, 1];
        hdr.extend([0u8; 16]);
        let IpAddr::V6(d) = dst else { unreachable!() };
        hdr.extend(d.octets());
        v6.extend(&hdr);
        v6.extend(&echo_request(true, 9, 300)[..8]);
        let m = parse(&v6, true, true, "2001:db8::fe".parse().unwrap()).unwrap();
        assert_eq!((m.dest, m.ident, m.seq), (dst, 9, 300));
        assert!(m.error.unwrap().starts_with("time exceeded (ICMPv6 type 3"));
        // truncated messages are nothing
        assert_eq!(parse(&reply[..5], false, false, v4("192.0.2.1")), None);
        assert_eq!(
            parse(&unreachable[..20], false, false, v4("192.0.2.1")),
            None
        );
    }
}
