//! MikroTik Neighbor Discovery Protocol (MNDP): the announcements RouterOS devices and
//! SwOS switches broadcast to UDP port 5678, read by a passive listener (nothing is
//! sent, no credentials are needed). A frame is a 4-byte header (two bytes the
//! dissectors call "unknown" or version/TTL, then a sequence number or checksum) and
//! TLVs of a big-endian u16 type and u16 length: 1 MAC, 5 identity, 7 version,
//! 8 platform, 10 uptime (u32 seconds, little-endian), 11 software id, 12 board,
//! 14 unpack, 15 IPv6 address, 16 interface name, 17 IPv4 address. The types are
//! those of Wireshark's MNDP dissector (packet-mndp.c: 1 to 15) and of MAC-Telnet's
//! and other open implementations (16 and 17); no specification is published.
//!
//! Parsing is total: a malformed frame (empty, a TLV cut short or running past the
//! end, text that is not UTF-8, a field of the wrong size) is an error the listener
//! counts and reports, never a panic; unknown TLV types are skipped.

use std::collections::BTreeMap;
use std::net::{Ipv4Addr, Ipv6Addr, SocketAddr};
use std::os::fd::AsRawFd;
use std::time::{Duration, Instant};

use serde::Serialize;

use super::mac_text;

/// The port MNDP announcements go to.
pub const PORT: u16 = 5678;

/// What one device announced.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct Announcement {
    /// The MAC of the interface it announced on.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub mac: Option<String>,
    /// The device's name (RouterOS `/system identity`).
    pub identity: String,
    pub version: String,
    pub platform: String,
    /// Seconds since it booted, when announced (never part of the topology: it
    /// changes with every frame).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub uptime_secs: Option<u32>,
    pub software_id: String,
    pub board: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub unpack: Option<u8>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub ipv6: Option<Ipv6Addr>,
    /// The device's own interface the frame left from (`ether2`, `bridge/ether2`).
    pub interface: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub ipv4: Option<Ipv4Addr>,
}

/// A device heard: its newest announcement and this host's interface that received
/// it (empty when unknown).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct HeardDevice {
    #[serde(flatten)]
    pub announcement: Announcement,
    pub received_on: String,
}

/// A datagram on port 5678.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Frame {
    /// A header with no TLVs: another MNDP client (Winbox, a router) asking devices to
    /// announce themselves now.
    Request,
    Announcement(Announcement),
}

/// Why a datagram is not an MNDP frame.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum FrameError {
    /// Nothing at all.
    #[error("empty datagram")]
    Empty,
    /// Fewer bytes than the 4-byte header.
    #[error("{0} bytes, shorter than the 4-byte header")]
    ShortHeader(usize),
    /// Fewer than 4 bytes left for a TLV's type and length.
    #[error("TLV header cut short at byte {at}")]
    TruncatedTlv { at: usize },
    /// A TLV's length runs past the end of the datagram.
    #[error("TLV type {kind} at byte {at}: length {len} runs past the end ({left} bytes left)")]
    PastEnd {
        kind: u16,
        at: usize,
        len: usize,
        left: usize,
    },
    /// A text field that is not UTF-8.
    #[error("TLV type {kind} ({name}): not UTF-8")]
    BadUtf8 { kind: u16, name: &'static str },
    /// A fixed-size field of another size.
    #[error("TLV type {kind} ({name}): {len} bytes, must be {want}")]
    BadSize {
        kind: u16,
        name: &'static str,
        len: usize,
        want: usize,
    },
    /// Longer than any announcement (the listener's buffer): cut, so incomplete.
    #[error("{0} bytes, longer than an announcement can be")]
    Oversized(usize),
    /// TLVs, but neither a MAC nor an identity: nothing names the device.
    #[error("no MAC address and no identity")]
    Anonymous,
}

/// A text field: UTF-8 or an error; one trailing NUL dropped, made safe to report.
fn text(kind: u16, name: &'static str, v: &[u8]) -> Result<String, FrameError> {
    let v = v.strip_suffix(&[0]).unwrap_or(v);
    let s = std::str::from_utf8(v).map_err(|_| FrameError::BadUtf8 { kind, name })?;
    Ok(simpul_protocol::wire_string(
        s.trim(),
        simpul_protocol::MAX_WIRE_STRING_BYTES,
    ))
}

fn sized<const N: usize>(kind: u16, name: &'static str, v: &[u8]) -> Result<[u8; N], FrameError> {
    <[u8; N]>::try_from(v).map_err(|_| FrameError::BadSize {
        kind,
        name,
        len: v.len(),
        want: N,
    })
}

/// Parses one datagram.
pub fn parse(b: &[u8]) -> Result<Frame, FrameError> {
    if b.is_empty() {
        return Err(FrameError::Empty);
    }
    if b.len() < 4 {
        return Err(FrameError::ShortHeader(b.len()));
    }
    if b.len() == 4 {
        return Ok(Frame::Request);
    }
    let mut a = Announcement::default();
    let mut at = 4;
    while at < b.len() {
        let Some(h) = b.get(at..at + 4) else {
            return Err(FrameError::TruncatedTlv { at });
        };
        let kind = u16::from_be_bytes([h[0], h[1]]);
        let len = usize::from(u16::from_be_bytes([h[2], h[3]]));
        let start = at + 4;
        let Some(v) = b.get(start..start + len) else {
            return Err(FrameError::PastEnd {
                kind,
                at,
                len,
                left: b.len() - start,
            });
        };
        match kind {
            1 => a.mac = mac_text(&sized::<6>(kind, "MAC address", v)?),
            5 => a.identity = text(kind, "identity", v)?,
            7 => a.version = text(kind, "version", v)?,
            8 => a.platform = text(kind, "platform", v)?,
            10 => a.uptime_secs = Some(u32::from_le_bytes(sized::<4>(kind, "uptime", v)?)),
            11 => a.software_id = text(kind, "software id", v)?,
            12 => a.board = text(kind, "board", v)?,
            14 => a.unpack = Some(sized::<1>(kind, "unpack", v)?[0]),
            15 => a.ipv6 = Some(Ipv6Addr::from(sized::<16>(kind, "IPv6 address", v)?)),
            16 => a.interface = text(kind, "interface name", v)?,
            17 => a.ipv4 = Some(Ipv4Addr::from(sized::<4>(kind, "IPv4 address", v)?)),
            // types no one has documented: skipped
            _ => {}
        }
        at = start + len;
    }
    if a.mac.is_none() && a.identity.is_empty() {
        return Err(FrameError::Anonymous);
    }
    Ok(Frame::Announcement(a))
}

/// Most distinct reasons a listen keeps (the count goes on).
const MAX_REASONS: usize = 8;

/// Most devices one listen adds: anyone on the LAN can announce a thousand made-up
/// MACs, and a topology over the collector's device limit is refused whole.
pub const MAX_DEVICES: usize = 256;

/// What one listen heard.
#[derive(Debug, Clone, Default, Serialize)]
pub struct Heard {
    /// One announcement per device (by MAC, else identity), the newest.
    pub devices: Vec<HeardDevice>,
    /// Datagrams received.
    pub frames: u64,
    /// Requests (header-only frames) of other MNDP clients.
    pub requests: u64,
    /// Malformed datagrams, ignored.
    pub malformed: u64,
    /// Announcements of devices beyond [`MAX_DEVICES`], ignored.
    pub too_many: u64,
    /// Why, with the sender: the first few distinct ones.
    pub reasons: Vec<String>,
    pub seconds: f64,
}

impl Heard {
    /// Counts one datagram from `from`, received on interface `ifname`.
    pub fn add(&mut self, data: &[u8], from: SocketAddr, ifname: &str) {
        self.frames += 1;
        match parse(data) {
            Ok(Frame::Request) => self.requests += 1,
            Ok(Frame::Announcement(a)) => {
                let key = |x: &Announcement| x.mac.clone().unwrap_or_else(|| x.identity.clone());
                let k = key(&a);
                let heard = HeardDevice {
                    announcement: a,
                    received_on: ifname.to_owned(),
                };
                match self.devices.iter().position(|x| key(&x.announcement) == k) {
                    Some(i) => self.devices[i] = heard,
                    None if self.devices.len() >= MAX_DEVICES => self.too_many += 1,
                    None => self.devices.push(heard),
                }
            }
            Err(e) => self.refuse(from, &e),
        }
    }

    /// Counts one malformed datagram.
    fn refuse(&mut self, from: SocketAddr, e: &FrameError) {
        self.malformed += 1;
        let reason = format!("from {}: {e}", from.ip());
        if self.reasons.len() < MAX_REASONS && !self.reasons.contains(&reason) {
            self.reasons.push(reason);
        }
    }

    /// The lines for the discovery's errors (and so the report and the log) when
    /// malformed frames, or devices past [`MAX_DEVICES`], were ignored.
    pub fn errors(&self) -> Vec<String> {
        let mut e = Vec::new();
        if self.malformed > 0 {
            e.push(format!(
                "MNDP: {} malformed frame(s) ignored of {} received ({})",
                self.malformed,
                self.frames,
                self.reasons.join("; ")
            ));
        }
        if self.too_many > 0 {
            e.push(format!(
                "MNDP: {} announcement(s) of devices beyond the first {MAX_DEVICES} ignored",
                self.too_many
            ));
        }
        e
    }
}

/// The addresses the discovery listens on: every IPv4 interface (RouterOS and SwOS
/// broadcast) and every IPv6 one (RouterOS also sends to the all-nodes group ff02::1).
pub const LISTEN: [SocketAddr; 2] = [
    SocketAddr::new(std::net::IpAddr::V4(Ipv4Addr::UNSPECIFIED), PORT),
    SocketAddr::new(std::net::IpAddr::V6(Ipv6Addr::UNSPECIFIED), PORT),
];

/// A UDP socket bound to `bind`, telling on which interface each datagram came in.
fn open(bind: SocketAddr) -> Result<std::os::fd::OwnedFd, String> {
    use nix::sys::socket::{
        bind as bind_fd, setsockopt, socket, sockopt, AddressFamily, SockFlag, SockType,
        SockaddrIn, SockaddrIn6,
    };
    let family = match bind {
        SocketAddr::V4(_) => AddressFamily::Inet,
        SocketAddr::V6(_) => AddressFamily::Inet6,
    };
    let fd = socket(family, SockType::Datagram, SockFlag::SOCK_CLOEXEC, None)
        .map_err(|e| format!("MNDP: cannot open a UDP socket for {bind}: {e}"))?;
    // another MNDP listener on this host (mactelnetd, a second agent) may hold the port
    let _ = setsockopt(&fd, sockopt::ReuseAddr, &true);
    let _ = setsockopt(&fd, sockopt::ReusePort, &true);
    let bound = match bind {
        SocketAddr::V4(v4) => {
            let _ = setsockopt(&fd, sockopt::Ipv4PacketInfo, &true);
            bind_fd(fd.as_raw_fd(), &SockaddrIn::from(v4))
        }
        SocketAddr::V6(v6) => {
            // the IPv4 socket hears IPv4: this one only IPv6
            let _ = setsockopt(&fd, sockopt::Ipv6V6Only, &true);
            let _ = setsockopt(&fd, sockopt::Ipv6RecvPacketInfo, &true);
            bind_fd(fd.as_raw_fd(), &SockaddrIn6::from(v6))
        }
    };
    bound.map_err(|e| format!("MNDP: cannot listen on UDP {bind}: {e}"))?;
    Ok(fd)
}

/// Listens on each of `binds` (UDP, normally [`LISTEN`]) for `duration` and returns
/// what it heard. An address that cannot be listened on (IPv6 off on the host) is left
/// out with a note in the log; when none can, that is the error. Only called when
/// `mndp_listen_secs` is set.
pub fn listen(binds: &[SocketAddr], duration: Duration) -> Result<Heard, String> {
    use nix::sys::socket::{recvmsg, ControlMessageOwned, MsgFlags, SockaddrStorage};
    let started = Instant::now();
    let mut fds = Vec::new();
    let mut failed = Vec::new();
    for bind in binds {
        match open(*bind) {
            Ok(fd) => fds.push(fd),
            Err(e) => failed.push(e),
        }
    }
    if fds.is_empty() {
        return Err(failed.join("; "));
    }
    for e in &failed {
        tracing::info!("{e}; listening on the other addresses");
    }
    let mut heard = Heard::default();
    let mut names: BTreeMap<u32, String> = BTreeMap::new();
    let mut buf = [0u8; 2048];
    let deadline = started + duration;
    loop {
        let left = deadline.saturating_duration_since(Instant::now());
        if left.is_zero() {
            break;
        }
        let ms = u16::try_from(left.as_millis().clamp(1, 1000)).unwrap_or(1000);
        let mut polled: Vec<nix::poll::PollFd<'_>> = fds
            .iter()
            .map(|fd| {
                nix::poll::PollFd::new(std::os::fd::AsFd::as_fd(fd), nix::poll::PollFlags::POLLIN)
            })
            .collect();
        match nix::poll::poll(&mut polled, nix::poll::PollTimeout::from(ms)) {
            Ok(0) => continue,
            Ok(_) => {}
            Err(nix::errno::Errno::EINTR) => continue,
            Err(e) => return Err(format!("MNDP: waiting for frames: {e}")),
        }
        let ready: Vec<usize> = polled
            .iter()
            .enumerate()
            .filter(|(_, p)| p.revents().is_some_and(|r| !r.is_empty()))
            .map(|(i, _)| i)
            .collect();
        drop(polled);
        for i in ready {
            let mut iov = [std::io::IoSliceMut::new(&mut buf)];
            let mut space = nix::cmsg_space!(nix::libc::in6_pktinfo);
            let (len, from, ifindex) = match recvmsg::<SockaddrStorage>(
                fds[i].as_raw_fd(),
                &mut iov,
                Some(&mut space),
                MsgFlags::MSG_DONTWAIT | MsgFlags::MSG_TRUNC,
            ) {
                Ok(m) => {
                    let ifindex = m.cmsgs().ok().and_then(|mut c| {
                        c.find_map(|c| match c {
                            ControlMessageOwned::Ipv4PacketInfo(i) => {
                                u32::try_from(i.ipi_ifindex).ok()
                            }
                            ControlMessageOwned::Ipv6PacketInfo(i) => Some(i.ipi6_ifindex),
                            _ => None,
                        })
                    });
                    let from = m
                        .address
                        .and_then(|a| {
                            a.as_sockaddr_in()
                                .map(|v4| SocketAddr::from(std::net::SocketAddrV4::from(*v4)))
                                .or_else(|| {
                                    a.as_sockaddr_in6().map(|v6| {
                                        SocketAddr::from(std::net::SocketAddrV6::from(*v6))
                                    })
                                })
                        })
                        .unwrap_or_else(|| SocketAddr::from(([0, 0, 0, 0], 0)));
                    (m.bytes, from, ifindex)
                }
                Err(nix::errno::Errno::EAGAIN | nix::errno::Errno::EINTR) => continue,
                Err(e) => return Err(format!("MNDP: receiving: {e}")),
            };
            let ifname = ifindex.map_or_else(String::new, |i| {
                names
                    .entry(i)
                    .or_insert_with(|| {
                        nix::net::if_::if_indextoname(i)
                            .ok()
                            .and_then(|c| c.into_string().ok())
                            .unwrap_or_default()
                    })
                    .clone()
            });
            // a datagram longer than the buffer was cut: its TLVs are incomplete
            match buf.get(..len) {
                Some(data) => heard.add(data, from, &ifname),
                None => {
                    heard.frames += 1;
                    heard.refuse(from, &FrameError::Oversized(len));
                }
            }
        }
    }
    heard.seconds = started.elapsed().as_secs_f64();
    Ok(heard)
}

/// One TLV, for tests and fixtures that build frames to the published format.
pub fn tlv(kind: u16, value: &[u8]) -> Vec<u8> {
    let len = u16::try_from(value.len()).unwrap_or(u16::MAX);
    let mut v = Vec::with_capacity(4 + value.len());
    v.extend_from_slice(&kind.to_be_bytes());
    v.extend_from_slice(&len.to_be_bytes());
    v.extend_from_slice(value);
    v
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A RouterOS announcement built to the published format, with the values the
    /// Elixir `mndp` library's README shows decoded from a real hAP ac² (RBD52G).
    fn hap() -> Vec<u8> {
        let mut f = vec![0, 0, 0, 0x2a];
        for (k, v) in [
            (1u16, vec![0x74, 0x4d, 0x28, 0x91, 0x0d, 0x2f]),
            (5, b"MikroTik".to_vec()),
            (7, b"7.15.3 (stable) 2024-07-24 10:39:01".to_vec()),
            (8, b"MikroTik".to_vec()),
            (10, 5596u32.to_le_bytes().to_vec()),
            (11, b"H792-MXJ3".to_vec()),
            (12, b"RBD52G-5HacD2HnD".to_vec()),
            (14, vec![1]),
            (
                15,
                "fe80::764d:28ff:fe91:d2f"
                    .parse::<Ipv6Addr>()
                    .unwrap()
                    .octets()
                    .to_vec(),
            ),
            (16, b"bridge/ether2".to_vec()),
            (17, vec![192, 168, 88, 1]),
            (99, b"an undocumented type".to_vec()),
        ] {
            f.extend(tlv(k, &v));
        }
        f
    }

    #[test]
    fn an_announcement_gives_every_field() {
        let Ok(Frame::Announcement(a)) = parse(&hap()) else {
            panic!("{:?}", parse(&hap()));
        };
        assert_eq!(a.mac.as_deref(), Some("74:4d:28:91:0d:2f"));
        assert_eq!(a.identity, "MikroTik");
        assert_eq!(a.version, "7.15.3 (stable) 2024-07-24 10:39:01");
        assert_eq!(a.platform, "MikroTik");
        assert_eq!(a.uptime_secs, Some(5596));
        assert_eq!(a.software_id, "H792-MXJ3");
        assert_eq!(a.board, "RBD52G-5HacD2HnD");
        assert_eq!(a.unpack, Some(1));
        assert_eq!(
            a.ipv6,
            Some("fe80::764d:28ff:fe91:d2f".parse::<Ipv6Addr>().unwrap())
        );
        assert_eq!(a.interface, "bridge/ether2");
        assert_eq!(a.ipv4, Some(Ipv4Addr::new(192, 168, 88, 1)));
    }

    /// A SwOS switch announces less (no IPv6, no software id): what is there is read.
    #[test]
    fn a_sparse_announcement_reads() {
        let mut f = vec![0, 0, 0, 0];
        f.extend(tlv(1, &[0x4c, 0x5e, 0x0c, 1, 2, 3]));
        f.extend(tlv(5, b"css326-lantai-2\0"));
        f.extend(tlv(8, b"MikroTik"));
        f.extend(tlv(7, b"2.13"));
        f.extend(tlv(12, b"CSS326-24G-2S+"));
        f.extend(tlv(16, b""));
        let Ok(Frame::Announcement(a)) = parse(&f) else {
            panic!()
        };
        assert_eq!(a.identity, "css326-lantai-2");
        assert_eq!((a.ipv4, a.uptime_secs), (None, None));
        assert_eq!(a.board, "CSS326-24G-2S+");
    }

    #[test]
    fn a_header_alone_is_a_request() {
        assert_eq!(parse(&[0, 0, 0, 0]), Ok(Frame::Request));
    }

    #[test]
    fn malformed_frames_are_errors() {
        let good = hap();
        assert_eq!(parse(&[]), Err(FrameError::Empty));
        assert_eq!(parse(&[1, 2]), Err(FrameError::ShortHeader(2)));
        // a TLV header cut after two bytes
        assert_eq!(
            parse(&[0, 0, 0, 0, 0, 5]),
            Err(FrameError::TruncatedTlv { at: 4 })
        );
        // a length past the end
        let mut f = vec![0, 0, 0, 0];
        f.extend(tlv(5, b"rb"));
        f[7] = 40;
        assert!(matches!(
            parse(&f),
            Err(FrameError::PastEnd {
                kind: 5,
                len: 40,
                left: 2,
                ..
            })
        ));
        // the real frame cut anywhere inside a TLV
        assert!(parse(&good[..good.len() - 3]).is_err());
        // text that is not UTF-8
        let mut f = vec![0, 0, 0, 0];
        f.extend(tlv(5, b"rb\xff\xfe"));
        assert_eq!(
            parse(&f),
            Err(FrameError::BadUtf8 {
                kind: 5,
                name: "identity"
            })
        );
        // a MAC of five bytes
        let mut f = vec![0, 0, 0, 0];
        f.extend(tlv(1, &[1, 2, 3, 4, 5]));
        assert!(matches!(
            parse(&f),
            Err(FrameError::BadSize { want: 6, .. })
        ));
        // TLVs that name nothing
        let mut f = vec![0, 0, 0, 0];
        f.extend(tlv(7, b"7.15"));
        assert_eq!(parse(&f), Err(FrameError::Anonymous));
    }

    #[test]
    fn control_characters_in_a_name_are_replaced() {
        let mut f = vec![0, 0, 0, 0];
        f.extend(tlv(5, "rb\u{1b}[31m\u{202E}".as_bytes()));
        let Ok(Frame::Announcement(a)) = parse(&f) else {
            panic!()
        };
        assert!(!a.identity.chars().any(simpul_protocol::is_unsafe_char));
        assert!(a.identity.starts_with("rb"), "{}", a.identity);
    }

    #[test]
    fn the_listen_counts_malformed_frames_and_keeps_the_newest_announcement() {
        let mut h = Heard::default();
        let from: SocketAddr = "10.250.0.9:5678".parse().unwrap();
        h.add(&hap(), from, "eth0");
        h.add(&hap(), from, "eth0");
        h.add(&[0, 0, 0, 0], from, "eth0");
        h.add(&[], from, "eth0");
        h.add(&[0, 0, 0, 0, 0, 5, 0, 9, 1], from, "eth0");
        assert_eq!((h.frames, h.requests, h.malformed), (5, 1, 2));
        assert_eq!(h.devices.len(), 1);
        assert_eq!(h.devices[0].received_on, "eth0");
        let e = h.errors().remove(0);
        assert!(
            e.starts_with("MNDP: 2 malformed frame(s) ignored of 5 received (from 10.250.0.9: empty datagram; from 10.250.0.9: TLV type 5 at byte 4"),
            "{e}"
        );
    }

    /// `simpul-agent discover` shows each heard device as one object, its uptime
    /// included (which the topology leaves out).
    #[test]
    fn a_heard_device_is_one_json_object() {
        let mut h = Heard::default();
        h.add(&hap(), "10.250.0.9:5678".parse().unwrap(), "eth0");
        let j = serde_json::to_value(&h).unwrap();
        let d = &j["devices"][0];
        assert_eq!(d["identity"], "MikroTik");
        assert_eq!(d["uptime_secs"], 5596);
        assert_eq!(d["received_on"], "eth0");
        assert_eq!(d["ipv4"], "192.168.88.1");
    }

    /// A LAN announcing more devices than a topology may hold: the first
    /// [`MAX_DEVICES`] are kept, the rest counted.
    #[test]
    fn a_flood_of_made_up_devices_is_bounded() {
        let mut h = Heard::default();
        let from: SocketAddr = "10.250.0.9:5678".parse().unwrap();
        for i in 0..MAX_DEVICES + 44 {
            let mut f = vec![0, 0, 0, 0];
            let b = u16::try_from(i).unwrap().to_be_bytes();
            f.extend(tlv(1, &[2, 0, 0, 0, b[0], b[1]]));
            h.add(&f, from, "eth0");
        }
        assert_eq!((h.devices.len(), h.too_many), (MAX_DEVICES, 44));
        assert_eq!(
            h.errors(),
            ["MNDP: 44 announcement(s) of devices beyond the first 256 ignored"]
        );
    }

    /// The listener on loopback: frames sent to it are heard, counted and named by
    /// the interface that received them.
    #[test]
    fn the_listener_hears_frames_on_loopback_over_ipv4_and_ipv6() {
        let port = std::net::UdpSocket::bind("127.0.0.1:0")
            .unwrap()
            .local_addr()
            .unwrap()
            .port();
        let v4 = SocketAddr::from(([127, 0, 0, 1], port));
        let v6 = SocketAddr::from((Ipv6Addr::LOCALHOST, port));
        let listening = std::thread::spawn(move || listen(&[v4, v6], Duration::from_millis(1500)));
        // a second device, over IPv6 only (as RouterOS sends to ff02::1)
        let mut other = vec![0, 0, 0, 0];
        other.extend(tlv(1, &[0x02, 0, 0, 0, 0, 0x66]));
        other.extend(tlv(5, b"sw-lantai-2"));
        other.extend(tlv(8, b"SwOS"));
        let tx4 = std::net::UdpSocket::bind("127.0.0.1:0").unwrap();
        let tx6 = std::net::UdpSocket::bind("[::1]:0").unwrap();
        for _ in 0..10 {
            std::thread::sleep(Duration::from_millis(50));
            tx4.send_to(&hap(), v4).unwrap();
            tx4.send_to(&[0, 0, 0, 0, 0, 5, 0, 9, 1], v4).unwrap();
            tx6.send_to(&other, v6).unwrap();
        }
        let h = listening.join().unwrap().unwrap();
        assert_eq!(h.devices.len(), 2, "{h:?}");
        assert!(h.devices.iter().all(|d| d.received_on == "lo"), "{h:?}");
        assert!(
            h.devices
                .iter()
                .any(|d| d.announcement.identity == "sw-lantai-2"),
            "{h:?}"
        );
        assert!(h.malformed >= 1 && h.frames > h.malformed, "{h:?}");
        assert!(h.errors()[0].contains("from 127.0.0.1: TLV type 5"));
        // an address that cannot be listened on is left out; none at all is the error
        let bad = SocketAddr::from(([192, 0, 2, 1], port));
        let e = listen(&[bad], Duration::from_millis(10)).unwrap_err();
        assert!(e.contains("cannot listen on UDP 192.0.2.1"), "{e}");
        let any_port = SocketAddr::from(([127, 0, 0, 1], 0));
        assert!(listen(&[bad, any_port], Duration::from_millis(10)).is_ok());
    }

    /// Fuzz-style: random bytes, and random damage to a real frame, never panic.
    mod properties {
        use super::super::*;
        use proptest::prelude::*;

        proptest! {
            #![proptest_config(ProptestConfig::with_cases(4000))]

            #[test]
            fn random_bytes_never_panic(b in proptest::collection::vec(any::<u8>(), 0..600)) {
                let _ = parse(&b);
                let mut h = Heard::default();
                h.add(&b, SocketAddr::from(([127, 0, 0, 1], 5678)), "lo");
                prop_assert_eq!(h.frames, 1);
            }

            #[test]
            fn a_damaged_frame_never_panics(
                cut in 0usize..200,
                flips in proptest::collection::vec((0usize..200, any::<u8>()), 0..8),
            ) {
                let mut f = super::hap();
                for (i, x) in flips {
                    let n = f.len();
                    f[i % n] = x;
                }
                f.truncate(cut.min(f.len()));
                let _ = parse(&f);
            }
        }
    }
}
