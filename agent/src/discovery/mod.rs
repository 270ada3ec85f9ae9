//! LAN discovery: an ARP sweep of on-link IPv4 subnets and an ICMP sweep of the rest
//! (and of the hosts ARP found), the host's neighbour table, SNMP polls of the
//! configured devices (interfaces, LLDP neighbours, forwarding and ARP tables), reverse
//! DNS and MAC vendors, built into one canonical [`Topology`]: LLDP links first, FDB
//! links for hosts on switch access ports, and the rest on the router whose ARP table
//! has them, the subnet's gateway or this host (an unknown segment only for what no
//! ARP table has). Off until `[discovery] subnets` or `[[discovery.snmp]]` is
//! configured; nothing outside those subnets and devices is probed. MikroTik devices
//! come from RouterOS's neighbour table (MIKROTIK-MIB) and, when `mndp_listen_secs`
//! is set, from the MNDP announcements this host hears (a passive listener: nothing
//! is sent).

pub mod arp;
pub mod links;
pub mod mikrotik;
pub mod mndp;
pub mod neighbours;
pub mod oui;
pub mod rdns;
pub mod snmp;
pub mod subnet;
pub mod sweep;

use std::collections::{BTreeMap, BTreeSet};
use std::net::IpAddr;
use std::path::Path;
use std::time::{Duration, Instant};

use serde::{Deserialize, Serialize};
use simpul_protocol::{Device, DeviceType, Link, Topology};

use subnet::Subnet;

/// `[discovery]` of agent.toml.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DiscoveryConfig {
    /// Subnets to sweep, e.g. `["192.0.2.0/24"]`; empty: none (discovery is off unless
    /// SNMP devices or `mndp_listen_secs` are configured).
    #[serde(default)]
    pub subnets: Vec<String>,
    /// How often `run` discovers (default 900 s).
    #[serde(default = "default_interval")]
    pub interval_secs: u32,
    /// Echo requests per second over the whole sweep (default 1,000).
    #[serde(default = "default_rate")]
    pub rate_per_sec: u32,
    /// Wait for each reply (default 500 ms).
    #[serde(default = "default_timeout")]
    pub timeout_ms: u32,
    /// Further requests to an address that did not answer (default 1).
    #[serde(default = "default_retries")]
    pub retries: u32,
    /// Refuse IPv4 subnets larger than this prefix (default 20: /20, 4,094 hosts).
    #[serde(default = "default_largest_v4")]
    pub largest_subnet_v4: u8,
    /// Refuse IPv6 subnets larger than this prefix (default 116: 4,096 addresses).
    #[serde(default = "default_largest_v6")]
    pub largest_subnet_v6: u8,
    /// Sweep on-link IPv4 subnets with ARP on a packet socket (default true; needs
    /// CAP_NET_RAW, else ICMP alone).
    #[serde(default = "default_true")]
    pub arp_sweep: bool,
    /// Look up names of discovered addresses (default true), within this time.
    #[serde(default = "default_true")]
    pub reverse_dns: bool,
    #[serde(default = "default_rdns_timeout")]
    pub reverse_dns_timeout_ms: u32,
    /// SNMP devices to poll (`[[discovery.snmp]]`).
    #[serde(default)]
    pub snmp: Vec<snmp::SnmpTarget>,
    /// A switch port on which more MACs than this are learned is an uplink (to another
    /// switch): its MACs do not place hosts (default 16).
    #[serde(default = "default_uplink_macs")]
    pub uplink_mac_threshold: u32,
    /// Listen this many seconds for MikroTik's MNDP announcements (UDP 5678, all IPv4
    /// interfaces) in every discovery; 0 (the default): no listening.
    #[serde(default)]
    pub mndp_listen_secs: u32,
}

fn default_interval() -> u32 {
    900
}
fn default_rate() -> u32 {
    1000
}
fn default_timeout() -> u32 {
    500
}
fn default_retries() -> u32 {
    1
}
fn default_largest_v4() -> u8 {
    20
}
fn default_largest_v6() -> u8 {
    116
}
fn default_uplink_macs() -> u32 {
    16
}
fn default_true() -> bool {
    true
}
fn default_rdns_timeout() -> u32 {
    2000
}

impl Default for DiscoveryConfig {
    fn default() -> Self {
        Self {
            subnets: Vec::new(),
            interval_secs: default_interval(),
            rate_per_sec: default_rate(),
            timeout_ms: default_timeout(),
            retries: default_retries(),
            largest_subnet_v4: default_largest_v4(),
            largest_subnet_v6: default_largest_v6(),
            reverse_dns: true,
            arp_sweep: true,
            reverse_dns_timeout_ms: default_rdns_timeout(),
            snmp: Vec::new(),
            uplink_mac_threshold: default_uplink_macs(),
            mndp_listen_secs: 0,
        }
    }
}

impl DiscoveryConfig {
    /// Discovery runs when subnets, SNMP devices or MNDP listening are configured.
    pub fn enabled(&self) -> bool {
        !self.subnets.is_empty() || !self.snmp.is_empty() || self.mndp_listen_secs > 0
    }

    /// The configured subnets, or every problem (each naming its key).
    pub fn parsed_subnets(&self) -> Result<Vec<Subnet>, Vec<String>> {
        let mut ok = Vec::new();
        let mut bad = Vec::new();
        for (i, s) in self.subnets.iter().enumerate() {
            match Subnet::parse(s) {
                Err(e) => bad.push(format!("discovery.subnets[{i}] = {s:?}: {e}")),
                Ok(n) => {
                    let (limit, key) = if n.network.is_ipv4() {
                        (self.largest_subnet_v4, "largest_subnet_v4")
                    } else {
                        (self.largest_subnet_v6, "largest_subnet_v6")
                    };
                    if n.prefix < limit {
                        bad.push(format!(
                            "discovery.subnets[{i}] = {s:?}: larger than /{limit} ({} addresses); \
                             split it, or raise discovery.{key}",
                            n.size()
                        ));
                    } else {
                        ok.push(n);
                    }
                }
            }
        }
        if bad.is_empty() {
            Ok(ok)
        } else {
            Err(bad)
        }
    }

    /// Every problem of `[discovery]`.
    pub fn problems(&self) -> Vec<String> {
        let mut p = self.parsed_subnets().err().unwrap_or_default();
        let ranges: [(&str, u32, u32, u32); 5] = [
            ("interval_secs", self.interval_secs, 60, 86_400),
            ("rate_per_sec", self.rate_per_sec, 1, 100_000),
            ("timeout_ms", self.timeout_ms, 10, 10_000),
            ("retries", self.retries, 0, 5),
            (
                "reverse_dns_timeout_ms",
                self.reverse_dns_timeout_ms,
                100,
                60_000,
            ),
        ];
        for (k, v, lo, hi) in ranges {
            if !(lo..=hi).contains(&v) {
                p.push(format!(
                    "discovery.{k} = {v}: must be between {lo} and {hi}"
                ));
            }
        }
        for (k, v, lo, hi) in [
            ("largest_subnet_v4", self.largest_subnet_v4, 8, 32),
            ("largest_subnet_v6", self.largest_subnet_v6, 96, 128),
        ] {
            if !(lo..=hi).contains(&v) {
                p.push(format!(
                    "discovery.{k} = {v}: must be a prefix from {lo} to {hi}"
                ));
            }
        }
        for (i, t) in self.snmp.iter().enumerate() {
            p.extend(t.problems(&format!("discovery.snmp[{i}]")));
        }
        if self.mndp_listen_secs > MAX_MNDP_LISTEN_SECS {
            p.push(format!(
                "discovery.mndp_listen_secs = {}: must be 0 (off) or between 1 and \
                 {MAX_MNDP_LISTEN_SECS} seconds (RouterOS announces every 30 to 60 s)",
                self.mndp_listen_secs
            ));
        }
        if !(1..=10_000).contains(&self.uplink_mac_threshold) {
            p.push(format!(
                "discovery.uplink_mac_threshold = {}: must be between 1 and 10000",
                self.uplink_mac_threshold
            ));
        }
        p
    }
}

/// The longest MNDP listen: within a discovery's shortest interval (60 s).
pub const MAX_MNDP_LISTEN_SECS: u32 = 60;

/// How long an unchanged topology goes unreported: a daily keep-alive tells the
/// collector the diagram is still current.
pub const KEEPALIVE: Duration = Duration::from_secs(86_400);

/// What the daemon needs of one discovery: the `simpul-agent-discover lan` output.
#[derive(Debug, Serialize, Deserialize)]
pub struct Outcome {
    pub topology: Topology,
    pub hash: String,
    pub errors: Vec<String>,
    pub seconds: f64,
    pub snmp: Vec<simpul_protocol::SnmpPollSummary>,
}

impl Outcome {
    pub fn of(d: &Discovery) -> Self {
        Self {
            topology: d.topology.clone(),
            hash: d.hash.clone(),
            errors: d.errors.clone(),
            seconds: d.stats.seconds,
            snmp: d.snmp.iter().map(snmp::Poll::summary).collect(),
        }
    }
}

/// Runs `simpul-agent-discover lan` once and reads its outcome.
fn run_helper(config: &Path, names_file: &Path) -> Result<Outcome, String> {
    let helper = crate::cli::helper_path();
    let out = std::process::Command::new(&helper)
        .arg("lan")
        .arg("--config")
        .arg(config)
        .arg("--names-file")
        .arg(names_file)
        .stdin(std::process::Stdio::null())
        .stderr(std::process::Stdio::inherit())
        .output()
        .map_err(|e| format!("cannot run {}: {e}", helper.display()))?;
    if !out.status.success() {
        return Err(format!("{} lan failed ({})", helper.display(), out.status));
    }
    serde_json::from_slice(&out.stdout)
        .map_err(|e| format!("unexpected output of {}: {e}", helper.display()))
}

/// Discovery in `run` mode: every `interval_secs` the discovery helper runs (from a
/// thread of the daemon's, which waits for it); the result goes into a report when its
/// topology changed, or once a day.
#[derive(Debug)]
pub struct Schedule {
    job: Option<crate::periodic::Periodic<Result<Outcome, String>>>,
    subnets: Vec<String>,
    last_hash: String,
    last_sent: Option<Instant>,
}

impl Schedule {
    /// Off (never due) when neither subnets nor SNMP devices are configured (or the
    /// daemon has no config file to hand the helper). The helper keeps the names it
    /// found in `state_dir`.
    pub fn new(cfg: &DiscoveryConfig, config: Option<&Path>, state_dir: &Path) -> Self {
        let job = config.filter(|_| cfg.enabled()).map(|config| {
            let config = config.to_owned();
            let names = state_dir.join("discovery-names.json");
            crate::periodic::Periodic::new(
                "discovery",
                Duration::from_secs(u64::from(cfg.interval_secs)),
                move || run_helper(&config, &names),
            )
        });
        Self {
            job,
            subnets: cfg.subnets.clone(),
            last_hash: String::new(),
            last_sent: None,
        }
    }

    /// For the next report, when a discovery finished: the `lan` section if the
    /// topology changed (or once a day), and the SNMP polls (every discovery).
    pub fn due(
        &mut self,
        now: Instant,
    ) -> (
        Option<simpul_protocol::LanDiscovery>,
        Vec<simpul_protocol::SnmpPollSummary>,
    ) {
        let d = match self.job.as_mut().and_then(|j| j.due(now)) {
            None => return (None, Vec::new()),
            Some(Err(e)) => {
                tracing::error!("discovery: {e}");
                return (None, Vec::new());
            }
            Some(Ok(d)) => d,
        };
        for e in &d.errors {
            tracing::warn!("discovery: {e}");
        }
        let polls = d.snmp.clone();
        let stale = self
            .last_sent
            .is_none_or(|t| now.duration_since(t) >= KEEPALIVE);
        if d.hash == self.last_hash && !stale {
            return (None, polls);
        }
        tracing::info!(
            devices = d.topology.devices.len(),
            links = d.topology.links.len(),
            hash = %d.hash,
            seconds = d.seconds,
            "LAN discovery to report"
        );
        self.last_hash.clone_from(&d.hash);
        self.last_sent = Some(now);
        // a report carries at most 32 errors of at most 1 KiB each
        let mut errors: Vec<String> = d
            .errors
            .iter()
            .take(31)
            .map(|e| simpul_protocol::clip(e, 1000).to_owned())
            .collect();
        if d.errors.len() > 31 {
            errors.push(format!(
                "... and {} more (see the agent's log)",
                d.errors.len() - 31
            ));
        }
        let lan = simpul_protocol::LanDiscovery {
            subnets: self.subnets.clone(),
            topology: d.topology,
            hash: d.hash,
            errors,
            duration_seconds: d.seconds,
        };
        (Some(lan), polls)
    }
}

/// Counts and timings of one discovery.
#[derive(Debug, Default, Serialize)]
pub struct Stats {
    pub targets: usize,
    /// Addresses that answered ICMP echo.
    pub alive: usize,
    /// Addresses that answered the ARP sweep.
    pub arp_alive: usize,
    pub neighbours: usize,
    pub sweep_seconds: f64,
    pub seconds: f64,
    /// Echo requests that had to wait for room in the kernel's neighbour table.
    pub send_backoffs: u64,
}

/// The result of one discovery.
#[derive(Debug, Serialize)]
pub struct Discovery {
    #[serde(flatten)]
    pub topology: Topology,
    /// SHA-256 of the canonical topology: equal for an unchanged LAN.
    pub hash: String,
    /// What went wrong (the rest of the discovery went on).
    pub errors: Vec<String>,
    pub stats: Stats,
    /// Each configured SNMP device: how its poll went and what it said.
    pub snmp: Vec<snmp::Poll>,
    /// What the MNDP listener heard (when `mndp_listen_secs` is set).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub mndp: Option<mndp::Heard>,
}

/// Facts about one address.
#[derive(Default)]
struct Seen {
    mac: Option<String>,
    icmp: bool,
    arp: bool,
}

/// Names found by earlier discoveries, kept for lookups that time out.
pub type NameCache = std::sync::Mutex<BTreeMap<IpAddr, String>>;

/// Runs one discovery with `cfg` (already validated).
pub fn discover(
    cfg: &DiscoveryConfig,
    procfs: &Path,
    hostname: &str,
    names_cache: &NameCache,
) -> Discovery {
    let started = Instant::now();
    let mut errors = Vec::new();
    let subnets = cfg.parsed_subnets().unwrap_or_else(|e| {
        errors.extend(e);
        Vec::new()
    });
    let local = local_interfaces();
    let targets: Vec<IpAddr> = subnets.iter().flat_map(Subnet::hosts).collect();
    let pace = sweep::Pace {
        rate_per_sec: cfg.rate_per_sec,
        timeout: Duration::from_millis(u64::from(cfg.timeout_ms)),
        retries: cfg.retries,
    };
    // on-link IPv4 subnets are swept with ARP (no neighbour-table limits; needs
    // CAP_NET_RAW), the rest with ICMP, as are the hosts ARP found (so that `icmp`
    // still says who answers ping); SNMP polls run on their own thread meanwhile
    let (groups, off_link) = arp_groups(&subnets, &local);
    let (swept, arp_found, polls, heard) = std::thread::scope(|sc| {
        let polling = sc.spawn(|| snmp::poll_all(&cfg.snmp, snmp::mibs::WALKS));
        let listening = (cfg.mndp_listen_secs > 0).then(|| {
            sc.spawn(|| {
                mndp::listen(
                    &mndp::LISTEN,
                    Duration::from_secs(u64::from(cfg.mndp_listen_secs)),
                )
            })
        });
        let (arp_found, icmp_targets) = match (groups.is_empty(), cfg.arp_sweep) {
            (false, true) => match arp::sweep(&groups, pace) {
                Ok(found) => {
                    let mut t = off_link.clone();
                    t.extend(found.keys().map(|ip| IpAddr::V4(*ip)));
                    (found, t)
                }
                Err(e) => {
                    tracing::info!("{e}");
                    (BTreeMap::new(), targets.clone())
                }
            },
            _ => (BTreeMap::new(), targets.clone()),
        };
        let swept = sweep::sweep(&icmp_targets, pace, &|| neighbours::table(procfs));
        let heard = listening.map(|l| {
            l.join()
                .unwrap_or_else(|_| Err("MNDP: the listener failed".to_owned()))
        });
        (swept, arp_found, polling.join().unwrap_or_default(), heard)
    });
    let heard = match heard {
        None => None,
        Some(Err(e)) => {
            errors.push(e);
            None
        }
        Some(Ok(h)) => {
            tracing::info!(
                devices = h.devices.len(),
                frames = h.frames,
                requests = h.requests,
                malformed = h.malformed,
                too_many = h.too_many,
                "MNDP listen"
            );
            errors.extend(h.errors());
            Some(h)
        }
    };
    let sweep_seconds = started.elapsed().as_secs_f64();
    errors.extend(polls.iter().filter_map(|p| p.error.clone()));
    errors.extend(swept.errors);
    if swept.backoffs > 0 {
        tracing::warn!(
            waits = swept.backoffs,
            "the kernel's neighbour table was full while sweeping (each unanswered address \
             holds an entry for about 3 s); for subnets of more than about 1,000 addresses \
             raise net.ipv4.neigh.default.gc_thresh3 (e.g. to 4096) to sweep faster"
        );
    }
    let arp = swept.neighbours;

    let is_local = |ip: &IpAddr| local.iter().any(|l| l.addrs.contains(ip));
    let in_scope = |ip: &IpAddr| subnets.iter().any(|s| s.contains(*ip));
    let mut seen: BTreeMap<IpAddr, Seen> = BTreeMap::new();
    for (ip, mac) in &arp_found {
        let s = seen.entry(IpAddr::V4(*ip)).or_default();
        s.arp = true;
        s.mac = Some(mac.clone());
    }
    for ip in swept.alive.iter().filter(|ip| !is_local(ip)) {
        seen.entry(*ip).or_default().icmp = true;
    }
    // a neighbour that did not answer ping counts only when the kernel confirmed it
    // (REACHABLE): a STALE entry of a host that has gone is no evidence
    for (ip, n) in arp.iter().filter(|(ip, _)| in_scope(ip) && !is_local(ip)) {
        if !n.confirmed && !seen.contains_key(ip) {
            continue;
        }
        let s = seen.entry(*ip).or_default();
        s.arp = true;
        s.mac = Some(n.mac.clone());
    }
    // the ARP tables of polled routers and switches: hosts this one never talked to
    for e in polls
        .iter()
        .filter_map(|p| p.device.as_ref())
        .flat_map(|d| &d.arp)
    {
        if in_scope(&e.ip) && !is_local(&e.ip) {
            let s = seen.entry(e.ip).or_default();
            s.arp = true;
            s.mac.get_or_insert_with(|| e.mac.clone());
        }
    }
    // a lookup that did not finish in time keeps the name it had last time, so that a
    // slow resolver does not make the topology flap
    let names: BTreeMap<IpAddr, String> = if cfg.reverse_dns {
        let ips: Vec<IpAddr> = seen.keys().copied().collect();
        let answers = rdns::names(
            &ips,
            Duration::from_millis(u64::from(cfg.reverse_dns_timeout_ms)),
        );
        let mut known = names_cache
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        for (ip, a) in answers {
            match a {
                Some(n) => known.insert(ip, n),
                None => known.remove(&ip),
            };
        }
        ips.iter()
            .filter_map(|ip| known.get(ip).map(|n| (*ip, n.clone())))
            .collect()
    } else {
        BTreeMap::new()
    };
    let oui = oui::Oui::load().map_err(|e| errors.push(e)).ok();
    let gateways: Vec<IpAddr> = neighbours::gateways(procfs)
        .into_iter()
        .map(|(_, g)| g)
        .collect();
    let mut t = build(&Facts {
        subnets: &subnets,
        local: &local,
        seen: &seen,
        names: &names,
        gateways: &gateways,
        vendor: &|mac: &str| {
            oui.as_ref()
                .and_then(|o| o.vendor(mac))
                .unwrap_or("")
                .to_owned()
        },
        hostname,
        polls: &polls
            .iter()
            .zip(&cfg.snmp)
            .filter_map(|(p, t)| p.device.as_ref().map(|d| (t, d)))
            .collect::<Vec<_>>(),
        uplink_mac_threshold: cfg.uplink_mac_threshold,
        mndp: heard.as_ref().map_or(&[], |h| h.devices.as_slice()),
    });
    // what devices say can be longer than a report may carry (256 bytes a text)
    t.fit_strings(255);
    t.canonicalize();
    Discovery {
        hash: t.hash(),
        stats: Stats {
            targets: targets.len(),
            alive: swept.alive.iter().filter(|ip| !is_local(ip)).count(),
            neighbours: arp.len(),
            sweep_seconds,
            arp_alive: arp_found.len(),
            seconds: started.elapsed().as_secs_f64(),
            send_backoffs: swept.backoffs,
        },
        topology: t,
        errors,
        snmp: polls,
        mndp: heard,
    }
}

/// The on-link IPv4 subnets as ARP sweep groups (each from the local interface that
/// has an address in it), and every other address to sweep with ICMP.
fn arp_groups(subnets: &[Subnet], local: &[Local]) -> (Vec<arp::Group>, Vec<IpAddr>) {
    let mut groups = Vec::new();
    let mut rest = Vec::new();
    for s in subnets {
        let on = local.iter().find_map(|l| {
            let source = l.addrs.iter().find_map(|a| match a {
                IpAddr::V4(v4) if s.contains(*a) && !v4.is_loopback() => Some(*v4),
                _ => None,
            })?;
            let mac = l.mac.as_deref()?;
            let bytes: Vec<u8> = mac
                .split(':')
                .filter_map(|b| u8::from_str_radix(b, 16).ok())
                .collect();
            let mac: [u8; 6] = bytes.try_into().ok()?;
            if mac == [0; 6] {
                return None;
            }
            Some((l, source, mac))
        });
        match on {
            Some((l, source, mac)) => groups.push(arp::Group {
                ifname: l.name.clone(),
                mac,
                source,
                targets: s
                    .hosts()
                    .filter_map(|ip| match ip {
                        IpAddr::V4(v4) if !l.addrs.contains(&ip) => Some(v4),
                        _ => None,
                    })
                    .collect(),
            }),
            None => rest.extend(s.hosts()),
        }
    }
    (groups, rest)
}

/// Bytes as lower-case hex pairs joined by colons (`aa:bb:cc`): MACs, binary strings.
pub fn hex_colon(b: &[u8]) -> String {
    b.iter()
        .map(|x| format!("{x:02x}"))
        .collect::<Vec<_>>()
        .join(":")
}

/// `aa:bb:cc:dd:ee:ff` of six bytes that are not all zero.
pub fn mac_text(b: &[u8]) -> Option<String> {
    (b.len() == 6 && b.iter().any(|x| *x != 0)).then(|| hex_colon(b))
}

/// One local interface: name, MAC, addresses.
#[derive(Debug, Clone, Default)]
pub struct Local {
    pub name: String,
    pub mac: Option<String>,
    pub addrs: Vec<IpAddr>,
}

/// The host's interfaces, from getifaddrs(3).
pub fn local_interfaces() -> Vec<Local> {
    let mut by_name: BTreeMap<String, Local> = BTreeMap::new();
    let Ok(addrs) = nix::ifaddrs::getifaddrs() else {
        return Vec::new();
    };
    for ifa in addrs {
        let e = by_name
            .entry(ifa.interface_name.clone())
            .or_insert_with(|| Local {
                name: ifa.interface_name.clone(),
                ..Local::default()
            });
        let Some(a) = ifa.address else { continue };
        if let Some(l) = a.as_link_addr() {
            if let Some(m) = l.addr() {
                e.mac = Some(hex_colon(&m));
            }
        } else if let Some(v4) = a.as_sockaddr_in() {
            e.addrs.push(IpAddr::V4(v4.ip()));
        } else if let Some(v6) = a.as_sockaddr_in6() {
            e.addrs.push(IpAddr::V6(v6.ip()));
        }
    }
    by_name.into_values().collect()
}

/// Everything the topology is built from.
struct Facts<'a> {
    subnets: &'a [Subnet],
    local: &'a [Local],
    seen: &'a BTreeMap<IpAddr, Seen>,
    names: &'a BTreeMap<IpAddr, String>,
    gateways: &'a [IpAddr],
    vendor: &'a dyn Fn(&str) -> String,
    hostname: &'a str,
    /// Polled SNMP devices that answered.
    polls: &'a [(&'a snmp::SnmpTarget, &'a snmp::mibs::DeviceInfo)],
    uplink_mac_threshold: u32,
    /// What the MNDP listener heard, each with this host's interface that heard it.
    mndp: &'a [mndp::HeardDevice],
}

fn device_id(mac: Option<&str>, ip: IpAddr) -> String {
    match mac {
        Some(m) => format!("mac:{m}"),
        None => format!("ip:{ip}"),
    }
}

/// Builds the topology: this host, one device per MAC (or per address without one),
/// the SNMP-polled devices with their LLDP and FDB links, and every device of a subnet
/// that LLDP or FDB did not place linked (`arp`) to whoever saw it in its ARP table: a
/// polled router (on the port of the entry), else the subnet's gateway (when this host
/// routes through one in it), else this host; only devices that answered ICMP alone go
/// on an unknown segment.
fn build(f: &Facts<'_>) -> Topology {
    let mut g = links::Graph {
        devices: BTreeMap::new(),
        links: Vec::new(),
        by_mac: BTreeMap::new(),
        by_ip: BTreeMap::new(),
        placed: BTreeSet::new(),
        vendor: f.vendor,
    };
    // this host, with its interfaces inside the swept subnets
    let in_subnets = |a: &IpAddr| f.subnets.iter().any(|s| s.contains(*a));
    let mine: Vec<&Local> = f
        .local
        .iter()
        .filter(|l| l.addrs.iter().any(in_subnets))
        .collect();
    let self_id = mine
        .iter()
        .find_map(|l| l.mac.as_deref().map(|m| format!("mac:{m}")))
        .or_else(|| {
            mine.first()
                .and_then(|l| l.addrs.first())
                .map(|a| format!("ip:{a}"))
        })
        .unwrap_or_else(|| format!("host:{}", f.hostname));
    let my_addrs: Vec<IpAddr> = mine
        .iter()
        .flat_map(|l| l.addrs.iter())
        .filter(|a| in_subnets(a))
        .copied()
        .collect();
    let my_macs: Vec<String> = mine.iter().filter_map(|l| l.mac.clone()).collect();
    for m in &my_macs {
        g.by_mac.insert(m.clone(), self_id.clone());
    }
    for a in &my_addrs {
        g.by_ip.insert(*a, self_id.clone());
    }
    g.devices.insert(
        self_id.clone(),
        Device {
            id: self_id.clone(),
            kind: DeviceType::Server,
            name: f.hostname.to_owned(),
            vendor: String::new(),
            addresses: my_addrs.iter().map(ToString::to_string).collect(),
            macs: my_macs,
            sources: vec!["self".into()],
            system: None,
        },
    );
    // every other device
    for (ip, s) in f.seen {
        let id = device_id(s.mac.as_deref(), *ip);
        let d = g.devices.entry(id.clone()).or_insert_with(|| Device {
            id: id.clone(),
            kind: DeviceType::Host,
            name: String::new(),
            vendor: s.mac.as_deref().map(f.vendor).unwrap_or_default(),
            addresses: vec![],
            macs: s.mac.iter().cloned().collect(),
            sources: vec![],
            system: None,
        });
        d.addresses.push(ip.to_string());
        if d.name.is_empty() {
            d.name = f.names.get(ip).cloned().unwrap_or_default();
        }
        if s.icmp {
            d.sources.push("icmp".into());
        }
        if s.arp {
            d.sources.push("arp".into());
        }
        if f.gateways.contains(ip) {
            d.kind = DeviceType::Router;
        }
        if let Some(m) = &s.mac {
            g.by_mac.insert(m.clone(), id.clone());
        }
        g.by_ip.insert(*ip, id);
    }
    // SNMP: the polled devices first (so that links find them), then LLDP links of
    // all of them (authoritative), then FDB
    let ids: Vec<String> = f.polls.iter().map(|(t, d)| g.add_polled(t, d)).collect();
    // a later device may have absorbed an earlier one (one box, two addresses)
    let ids: Vec<String> = ids
        .into_iter()
        .zip(f.polls)
        .map(|(id, (t, _))| {
            if g.devices.contains_key(&id) {
                return id;
            }
            t.ip()
                .and_then(|ip| g.by_ip.get(&ip).cloned())
                .unwrap_or(id)
        })
        .collect();
    let uplinks: Vec<BTreeSet<String>> = ids
        .iter()
        .zip(f.polls)
        .map(|(id, (_, d))| g.add_lldp(id, d))
        .collect();
    for ((id, (_, d)), up) in ids.iter().zip(f.polls).zip(&uplinks) {
        g.add_fdb(id, d, up, f.uplink_mac_threshold);
    }
    // MikroTik: RouterOS's neighbour tables, then what this host heard by MNDP
    for (id, (_, d)) in ids.iter().zip(f.polls) {
        g.add_mikrotik_neighbours(id, d);
    }
    g.add_mndp_heard(&self_id, f.mndp);
    // who saw each address in its ARP table: a polled router first (then any other
    // polled device, a layer-3 switch), each with the port of the entry
    let mut arp_seen_by: BTreeMap<IpAddr, (DeviceType, String, String)> = BTreeMap::new();
    for (id, (_, d)) in ids.iter().zip(f.polls) {
        let Some(kind) = g.devices.get(id).map(|x| x.kind) else {
            continue;
        };
        let rank = |k: DeviceType| u8::from(k != DeviceType::Router);
        for e in &d.arp {
            let port = d
                .interfaces
                .iter()
                .find(|i| i.index == e.if_index)
                .map_or_else(String::new, |i| i.name.clone());
            let better = arp_seen_by
                .get(&e.ip)
                .is_none_or(|(k, other, _)| (rank(kind), id) < (rank(*k), other));
            if better {
                arp_seen_by.insert(e.ip, (kind, id.clone(), port));
            }
        }
    }
    // each device no LLDP or FDB placed hangs where ARP saw it: off the polled router
    // whose ARP table has it, else the subnet's gateway, else this host (whose own ARP
    // table has it); only what none of them saw (ICMP beyond a router) goes on a
    // segment whose switch is unknown
    let mut segment_links = Vec::new();
    for s in f.subnets {
        let gateway = f
            .gateways
            .iter()
            .find(|gw| s.contains(**gw))
            .and_then(|gw| g.by_ip.get(gw))
            .cloned();
        let my_port = mine
            .iter()
            .find(|l| l.addrs.iter().any(|a| s.contains(*a)))
            .map(|l| l.name.clone());
        let segment = format!("segment:{s}");
        // (device, its port, hub, the hub's port)
        let mut members: BTreeSet<(String, String, String, String)> = BTreeSet::new();
        for (ip, id) in &g.by_ip {
            if !s.contains(*ip) || g.placed.contains(id) || *id == self_id {
                continue;
            }
            let by_router = arp_seen_by
                .get(ip)
                .filter(|(_, r, _)| r != id)
                .map(|(_, r, port)| (r.clone(), port.clone()));
            let seen_here = f.seen.get(ip).is_some_and(|x| x.arp);
            let hub = by_router
                .or_else(|| gateway.clone().map(|gw| (gw, String::new())))
                .or_else(|| {
                    my_port
                        .as_ref()
                        .filter(|_| seen_here)
                        .map(|p| (self_id.clone(), p.clone()))
                })
                .unwrap_or_else(|| (segment.clone(), String::new()));
            if hub.0 != *id {
                members.insert((id.clone(), String::new(), hub.0, hub.1));
            }
        }
        // this host hangs off the gateway, or the segment if there is one
        if !g.placed.contains(&self_id) {
            let hub = gateway.clone().or_else(|| {
                members
                    .iter()
                    .any(|m| m.2 == segment)
                    .then(|| segment.clone())
            });
            if let (Some(hub), Some(port)) = (hub, &my_port) {
                members.insert((self_id.clone(), port.clone(), hub, String::new()));
            }
        }
        if members.iter().any(|m| m.2 == segment) {
            g.devices.entry(segment.clone()).or_insert_with(|| Device {
                id: segment.clone(),
                kind: DeviceType::Segment,
                name: s.to_string(),
                vendor: String::new(),
                addresses: vec![],
                macs: vec![],
                sources: vec![],
                system: None,
            });
        }
        for (id, port, hub, hub_port) in members {
            segment_links.push(Link::new(&id, &port, &hub, &hub_port, "arp"));
        }
    }
    g.links.extend(segment_links);
    Topology {
        devices: g.devices.into_values().collect(),
        links: g.links,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn facts_lan() -> (Vec<Subnet>, Vec<Local>, BTreeMap<IpAddr, Seen>) {
        let subnets = vec![Subnet::parse("10.250.0.0/22").unwrap()];
        let local = vec![Local {
            name: "eth0".into(),
            mac: Some("02:00:00:00:00:fe".into()),
            addrs: vec!["10.250.0.254".parse().unwrap()],
        }];
        let mut seen = BTreeMap::new();
        for i in 1..=3u8 {
            seen.insert(
                IpAddr::from([10, 250, 0, i]),
                Seen {
                    mac: Some(format!("00:00:0c:00:00:0{i}")),
                    icmp: i != 3, // .3 does not answer ping, but is in ARP
                    arp: true,
                },
            );
        }
        (subnets, local, seen)
    }

    /// The other end of `id`'s links.
    fn hubs_of(t: &Topology, id: &str) -> Vec<(String, String, String)> {
        t.links
            .iter()
            .filter_map(|l| {
                if l.a.device == id {
                    Some((l.b.device.clone(), l.b.port.clone(), l.source.clone()))
                } else if l.b.device == id {
                    Some((l.a.device.clone(), l.a.port.clone(), l.source.clone()))
                } else {
                    None
                }
            })
            .collect()
    }

    /// Issue 23: hosts known from ARP hang off whoever saw them in its ARP table (this
    /// host, when no router did), never off a segment island; only a host no ARP table
    /// has (ICMP alone) goes on a segment.
    #[test]
    fn hosts_hang_off_the_gateway_or_this_host() {
        let (subnets, local, seen) = facts_lan();
        let names = BTreeMap::from([(IpAddr::from([10, 250, 0, 2]), "h02.lab".to_string())]);
        let vendor = |m: &str| {
            if m.starts_with("00:00:0c") {
                "Cisco".into()
            } else {
                String::new()
            }
        };
        let mut f = Facts {
            subnets: &subnets,
            local: &local,
            seen: &seen,
            names: &names,
            gateways: &[],
            vendor: &vendor,
            hostname: "opd-agent",
            polls: &[],
            uplink_mac_threshold: 16,
            mndp: &[],
        };
        let me_id = "mac:02:00:00:00:00:fe";
        let mut t = build(&f);
        t.canonicalize();
        assert_eq!(t.devices.len(), 4, "3 hosts and this host, no segment");
        assert!(!t.devices.iter().any(|d| d.kind == DeviceType::Segment));
        assert_eq!(t.links.len(), 3);
        for i in 1..=3 {
            assert_eq!(
                hubs_of(&t, &format!("mac:00:00:0c:00:00:0{i}")),
                [(me_id.to_owned(), "eth0".to_owned(), "arp".to_owned())]
            );
        }
        let h3 = t
            .devices
            .iter()
            .find(|d| d.id == "mac:00:00:0c:00:00:03")
            .unwrap();
        assert_eq!(h3.sources, ["arp"]);
        assert_eq!(h3.vendor, "Cisco");
        let h2 = t
            .devices
            .iter()
            .find(|d| d.id == "mac:00:00:0c:00:00:02")
            .unwrap();
        assert_eq!(h2.name, "h02.lab");
        let me = t.devices.iter().find(|d| d.id == me_id).unwrap();
        assert_eq!(
            (me.kind, me.name.as_str()),
            (DeviceType::Server, "opd-agent")
        );

        // with a default gateway in the subnet, the hosts hang off the router
        let gw = [IpAddr::from([10, 250, 0, 1])];
        f.gateways = &gw;
        let mut t = build(&f);
        t.canonicalize();
        assert_eq!(t.devices.len(), 4);
        let r = t
            .devices
            .iter()
            .find(|d| d.kind == DeviceType::Router)
            .unwrap();
        assert_eq!(r.id, "mac:00:00:0c:00:00:01");
        assert_eq!(t.links.len(), 3);
        assert_eq!(
            hubs_of(&t, me_id),
            [(r.id.clone(), String::new(), "arp".to_owned())]
        );

        // a polled router's ARP table has .3 on ether3: .3 hangs off that port
        let target: snmp::SnmpTarget =
            toml::from_str("address = \"10.250.0.9\"\ncommunity = \"public\"").unwrap();
        let info = snmp::mibs::DeviceInfo {
            sys_name: "gw-mikrotik".into(),
            sys_services: Some(78),
            ip_forwarding: Some(true),
            interfaces: vec![snmp::mibs::Interface {
                index: 3,
                name: "ether3".into(),
                ..snmp::mibs::Interface::default()
            }],
            arp: vec![snmp::mibs::ArpEntry {
                if_index: 3,
                ip: IpAddr::from([10, 250, 0, 3]),
                mac: "00:00:0c:00:00:03".into(),
            }],
            ..snmp::mibs::DeviceInfo::default()
        };
        let polls = [(&target, &info)];
        f.polls = &polls;
        let mut t = build(&f);
        t.canonicalize();
        let mt = t.devices.iter().find(|d| d.name == "gw-mikrotik").unwrap();
        assert_eq!(mt.kind, DeviceType::Router, "sysServices 78, forwarding");
        assert_eq!(
            hubs_of(&t, "mac:00:00:0c:00:00:03"),
            [(mt.id.clone(), "ether3".to_owned(), "arp".to_owned())]
        );
        assert_eq!(
            hubs_of(&t, "mac:00:00:0c:00:00:02"),
            [(r.id.clone(), String::new(), "arp".to_owned())]
        );

        // a host that answered ping but is in no ARP table (beyond a router): on a
        // segment, with this host
        let mut more = facts_lan().2;
        more.insert(
            IpAddr::from([10, 250, 1, 9]),
            Seen {
                mac: None,
                icmp: true,
                arp: false,
            },
        );
        let f = Facts {
            seen: &more,
            gateways: &[],
            polls: &[],
            ..f
        };
        let mut t = build(&f);
        t.canonicalize();
        let seg = "segment:10.250.0.0/22";
        assert_eq!(
            hubs_of(&t, "ip:10.250.1.9"),
            [(seg.to_owned(), String::new(), "arp".to_owned())]
        );
        assert!(hubs_of(&t, me_id).contains(&(seg.to_owned(), String::new(), "arp".to_owned())));
        assert_eq!(hubs_of(&t, "mac:00:00:0c:00:00:01")[0].0, me_id);
    }

    /// Features are off until configured: no MNDP listening by default; set alone,
    /// it turns discovery on.
    #[test]
    fn mndp_listening_is_off_until_configured() {
        let cfg = DiscoveryConfig::default();
        assert_eq!(cfg.mndp_listen_secs, 0);
        assert!(!cfg.enabled());
        let on: DiscoveryConfig = toml::from_str("mndp_listen_secs = 10").unwrap();
        assert!(on.enabled() && on.problems().is_empty());
        let long: DiscoveryConfig = toml::from_str("mndp_listen_secs = 61").unwrap();
        assert_eq!(
            long.problems(),
            [
                "discovery.mndp_listen_secs = 61: must be 0 (off) or between 1 and 60 seconds \
              (RouterOS announces every 30 to 60 s)"
            ]
        );
    }

    #[test]
    fn bad_settings_name_their_key() {
        let cfg = DiscoveryConfig {
            subnets: vec![
                "10.0.0.0/16".into(),
                "10.1.0.0/24".into(),
                "10.2.0.1/24".into(),
            ],
            rate_per_sec: 0,
            retries: 9,
            ..DiscoveryConfig::default()
        };
        let p = cfg.problems();
        assert!(
            p[0].starts_with(
                "discovery.subnets[0] = \"10.0.0.0/16\": larger than /20 (65536 addresses)"
            ),
            "{p:?}"
        );
        assert!(p[1].contains("discovery.subnets[2]"), "{p:?}");
        assert!(p
            .iter()
            .any(|x| x.starts_with("discovery.rate_per_sec = 0")));
        assert!(p.iter().any(|x| x.starts_with("discovery.retries = 9")));
        assert_eq!(p.len(), 4, "{p:?}");
    }
}
