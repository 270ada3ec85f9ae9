//! The host's neighbour table: address ↔ MAC of everything it has talked to,
//! including hosts that do not answer ping. Read through rtnetlink (IPv4 ARP and IPv6
//! NDP, with the entry's state), or from `/proc/net/arp` (IPv4 only) when netlink is
//! not available.
//!
//! Only entries the kernel believes in count: REACHABLE, STALE, PERMANENT and NOARP.
//! An entry in DELAY or PROBE is being re-verified because nothing confirmed it (the
//! sweep just sent it a ping that got no answer); INCOMPLETE and FAILED never
//! resolved.

use std::collections::BTreeMap;
use std::net::IpAddr;
use std::path::Path;

/// One neighbour entry.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Neighbour {
    /// `aa:bb:cc:dd:ee:ff`.
    pub mac: String,
    /// The interface it was seen on.
    pub dev: String,
    /// REACHABLE, PERMANENT or NOARP: the kernel confirmed it recently (a STALE entry
    /// is believable but not confirmed). `/proc/net/arp` cannot tell: true there.
    pub confirmed: bool,
}

/// Believable neighbours by address.
pub type Table = BTreeMap<IpAddr, Neighbour>;

/// The neighbour table through rtnetlink, falling back to `/proc/net/arp`.
pub fn table(procfs: &Path) -> Result<Table, String> {
    match netlink() {
        Ok(t) => Ok(t),
        Err(e) => {
            tracing::debug!(error = %e, "rtnetlink neighbour dump failed; reading /proc/net/arp");
            arp(procfs)
        }
    }
}

/// Interface names by index.
fn if_names() -> BTreeMap<u32, String> {
    nix::net::if_::if_nameindex()
        .map(|l| {
            l.iter()
                .map(|i| (i.index(), i.name().to_string_lossy().into_owned()))
                .collect()
        })
        .unwrap_or_default()
}

/// Believable IPv4 and IPv6 neighbours with a link-layer address, through an
/// RTM_GETNEIGH dump.
pub fn netlink() -> Result<Table, String> {
    use netlink_packet_core::{
        NetlinkHeader, NetlinkMessage, NetlinkPayload, NLM_F_DUMP, NLM_F_REQUEST,
    };
    use netlink_packet_route::neighbour::{
        NeighbourAddress, NeighbourAttribute, NeighbourMessage, NeighbourState,
    };
    use netlink_packet_route::RouteNetlinkMessage;
    use netlink_sys::{protocols::NETLINK_ROUTE, Socket, SocketAddr};

    let err = |what: &str, e: &dyn std::fmt::Display| format!("rtnetlink {what}: {e}");
    let mut socket = Socket::new(NETLINK_ROUTE).map_err(|e| err("socket", &e))?;
    socket.bind_auto().map_err(|e| err("bind", &e))?;
    socket
        .connect(&SocketAddr::new(0, 0))
        .map_err(|e| err("connect", &e))?;
    let mut hdr = NetlinkHeader::default();
    hdr.flags = NLM_F_DUMP | NLM_F_REQUEST;
    let mut req = NetlinkMessage::new(
        hdr,
        NetlinkPayload::from(RouteNetlinkMessage::GetNeighbour(
            NeighbourMessage::default(),
        )),
    );
    req.finalize();
    let mut buf = vec![0; req.header.length as usize];
    req.serialize(&mut buf[..]);
    socket.send(&buf, 0).map_err(|e| err("send", &e))?;
    let names = if_names();
    let mut out = BTreeMap::new();
    let mut rx = vec![0u8; 64 << 10];
    loop {
        let size = socket
            .recv(&mut &mut rx[..], 0)
            .map_err(|e| err("recv", &e))?;
        let mut offset = 0;
        while offset < size {
            let msg: NetlinkMessage<RouteNetlinkMessage> =
                NetlinkMessage::deserialize(&rx[offset..size]).map_err(|e| err("decode", &e))?;
            match msg.payload {
                NetlinkPayload::Done(_) => return Ok(out),
                NetlinkPayload::Error(e) => return Err(err("dump", &e)),
                NetlinkPayload::InnerMessage(RouteNetlinkMessage::NewNeighbour(n)) => {
                    let confirmed = matches!(
                        n.header.state,
                        NeighbourState::Reachable
                            | NeighbourState::Permanent
                            | NeighbourState::Noarp
                    );
                    let believable = confirmed || n.header.state == NeighbourState::Stale;
                    let mut ip = None;
                    let mut mac = None;
                    for a in &n.attributes {
                        match a {
                            NeighbourAttribute::Destination(NeighbourAddress::Inet(v4)) => {
                                ip = Some(IpAddr::V4(*v4));
                            }
                            NeighbourAttribute::Destination(NeighbourAddress::Inet6(v6)) => {
                                ip = Some(IpAddr::V6(*v6));
                            }
                            NeighbourAttribute::LinkLayerAddress(b) if b.len() == 6 => {
                                mac = Some(super::hex_colon(b));
                            }
                            _ => {}
                        }
                    }
                    if let (true, Some(ip), Some(mac)) = (believable, ip, mac) {
                        let dev = names.get(&n.header.ifindex).cloned().unwrap_or_default();
                        out.insert(
                            ip,
                            Neighbour {
                                mac,
                                dev,
                                confirmed,
                            },
                        );
                    }
                }
                _ => {}
            }
            if msg.header.length == 0 {
                break;
            }
            offset += msg.header.length as usize;
        }
    }
}

/// Complete entries (flag ATF_COM) of `/proc/net/arp`: address → (MAC, interface).
pub fn arp(procfs: &Path) -> Result<Table, String> {
    let path = procfs.join("net/arp");
    let text = std::fs::read_to_string(&path)
        .map_err(|e| format!("cannot read {}: {e}", path.display()))?;
    Ok(parse_arp(&text))
}

/// Parses the text of `/proc/net/arp`.
pub fn parse_arp(text: &str) -> Table {
    let mut out = BTreeMap::new();
    for line in text.lines().skip(1) {
        let f: Vec<&str> = line.split_whitespace().collect();
        let [ip, _hw_type, flags, mac, _mask, dev] = f[..] else {
            continue;
        };
        let complete =
            u32::from_str_radix(flags.trim_start_matches("0x"), 16).is_ok_and(|x| x & 0x2 != 0);
        let (Ok(ip), true) = (ip.parse::<IpAddr>(), complete) else {
            continue;
        };
        if mac == "00:00:00:00:00:00" {
            continue;
        }
        out.insert(
            ip,
            Neighbour {
                mac: mac.to_ascii_lowercase(),
                dev: dev.to_owned(),
                confirmed: true,
            },
        );
    }
    out
}

/// The default IPv4 gateways of `/proc/net/route`: (interface, gateway).
pub fn gateways(procfs: &Path) -> Vec<(String, IpAddr)> {
    let text = std::fs::read_to_string(procfs.join("net/route")).unwrap_or_default();
    let mut out = Vec::new();
    for line in text.lines().skip(1) {
        let f: Vec<&str> = line.split_whitespace().collect();
        if f.len() < 3 || f[1] != "00000000" {
            continue;
        }
        if let Ok(g) = u32::from_str_radix(f[2], 16) {
            if g != 0 {
                // the file holds it in host (little-endian) byte order
                out.push((f[0].to_owned(), IpAddr::from(g.to_le_bytes())));
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_complete_entries_only() {
        let t = "IP address       HW type     Flags       HW address            Mask     Device\n\
                 10.250.0.7       0x1         0x2         AA:bb:cc:00:00:07     *        eth0\n\
                 10.250.0.9       0x1         0x0         00:00:00:00:00:00     *        eth0\n\
                 10.250.0.1       0x1         0x6         aa:bb:cc:00:00:01     *        eth0\n";
        let m = parse_arp(t);
        assert_eq!(m.len(), 2);
        let n = &m[&"10.250.0.7".parse::<IpAddr>().unwrap()];
        assert_eq!(
            (n.mac.as_str(), n.dev.as_str()),
            ("aa:bb:cc:00:00:07", "eth0")
        );
    }

    #[test]
    fn the_netlink_dump_works_here() {
        // loopback has no neighbours; the dump itself must succeed and parse
        let t = netlink().unwrap();
        assert!(t.values().all(|n| n.mac.len() == 17), "{t:?}");
    }

    #[test]
    fn reads_the_default_gateway() {
        let d = tempfile::tempdir().unwrap();
        std::fs::create_dir(d.path().join("net")).unwrap();
        std::fs::write(
            d.path().join("net/route"),
            "Iface\tDestination\tGateway \tFlags\tRefCnt\tUse\tMetric\tMask\n\
             eth0\t00000000\t0100FA0A\t0003\t0\t0\t0\t00000000\n\
             eth0\t0000FA0A\t00000000\t0001\t0\t0\t0\t00FCFFFF\n",
        )
        .unwrap();
        assert_eq!(
            gateways(d.path()),
            [("eth0".to_string(), "10.250.0.1".parse().unwrap())]
        );
    }
}
