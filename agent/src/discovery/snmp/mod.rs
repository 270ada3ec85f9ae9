//! SNMP polling of the configured devices (`[[discovery.snmp]]`): v2c, or v3 with
//! USM (authNoPriv or authPriv: SHA-1/SHA-2 and AES). Each device is walked for the
//! system group, IF-MIB, LLDP-MIB, BRIDGE/Q-BRIDGE forwarding tables and ARP tables
//! with GETBULK; devices are polled concurrently, each with its own timeout, retries
//! and deadline, so one slow or dead device never holds up the others.
//!
//! The client library sits behind [`Snmp`] (see `client.rs`). Credentials live only
//! in the config; `Debug` of a target and every error leave them out.

pub mod client;
pub mod mibs;
pub mod traffic;

use std::collections::BTreeMap;
use std::net::IpAddr;
use std::time::{Duration, Instant};

use serde::{Deserialize, Serialize};

/// A value as the MIB parsers need it.
#[derive(Debug, Clone, PartialEq)]
pub enum Val {
    /// INTEGER, Counter32/64, Gauge32, TimeTicks.
    Int(i64),
    /// OCTET STRING (and Opaque).
    Bytes(Vec<u8>),
    Oid(Vec<u32>),
    Ip([u8; 4]),
    /// NULL and anything else.
    Other,
}

impl Val {
    pub fn int(&self) -> Option<i64> {
        match self {
            Self::Int(i) => Some(*i),
            _ => None,
        }
    }

    pub fn bytes(&self) -> Option<&[u8]> {
        match self {
            Self::Bytes(b) => Some(b),
            _ => None,
        }
    }

    /// Readable text: an octet string as UTF-8 (hex when binary), numbers as digits.
    pub fn text(&self) -> String {
        match self {
            Self::Bytes(b) => bytes_text(b),
            Self::Int(i) => i.to_string(),
            Self::Ip(a) => IpAddr::from(*a).to_string(),
            Self::Oid(o) => o
                .iter()
                .map(ToString::to_string)
                .collect::<Vec<_>>()
                .join("."),
            Self::Other => String::new(),
        }
    }
}

impl Val {
    /// A DisplayString or SnmpAdminString (sysName, sysDescr, ifDescr, ifName,
    /// ifAlias, the LLDP names and descriptions) as text: invalid UTF-8 and unsafe
    /// characters replaced by U+FFFD ([`display_text`]), not hex as [`Self::text`]
    /// makes of any string with one of them, since the MIB says it is text.
    pub fn display_text(&self) -> String {
        match self {
            Self::Bytes(b) => display_text(b),
            v => v.text(),
        }
    }
}

/// [`Val::display_text`] of bytes: trimmed (one trailing NUL dropped), invalid UTF-8
/// replaced, made safe by [`simpul_protocol::wire_string`]; hex as [`bytes_text`]
/// only when most of it is not text (a binary value where text belongs). One escape
/// sequence or one byte of Latin-1 made [`bytes_text`] turn a device's whole name
/// into hex, which no operator recognises on a diagram (hostile-LAN suite, issue 20).
pub fn display_text(b: &[u8]) -> String {
    let b = b.strip_suffix(&[0]).unwrap_or(b);
    let lossy = String::from_utf8_lossy(b);
    let text = lossy.trim();
    let unsafe_chars = text
        .chars()
        .filter(|c| *c == char::REPLACEMENT_CHARACTER || simpul_protocol::is_unsafe_char(*c))
        .count();
    if unsafe_chars * 2 > text.chars().count() {
        return bytes_text(b);
    }
    simpul_protocol::wire_string(text, simpul_protocol::MAX_WIRE_STRING_BYTES)
}

/// Readable text of an octet string: UTF-8 whose only control characters are white
/// space (one trailing NUL dropped), else hex; made safe to report by
/// [`simpul_protocol::wire_string`] either way: a device names itself, and a TAB or a
/// bidi override in its sysName must neither get the report refused nor reach a screen
/// (issue 20, finding 7).
pub fn bytes_text(b: &[u8]) -> String {
    let b = b.strip_suffix(&[0]).unwrap_or(b);
    let text = match std::str::from_utf8(b) {
        Ok(s) if !s.chars().any(|c| c.is_control() && !c.is_whitespace()) => s.trim().to_owned(),
        _ => super::hex_colon(b),
    };
    simpul_protocol::wire_string(&text, simpul_protocol::MAX_WIRE_STRING_BYTES)
}

/// What Simpul needs of an SNMP client: walk a subtree.
pub trait Snmp {
    /// Every variable under `root`, in OID order (empty when the device has none).
    fn walk(
        &self,
        root: &[u32],
    ) -> impl std::future::Future<Output = Result<Vec<(Vec<u32>, Val)>, String>>;
}

/// One `[[discovery.snmp]]` device, with its `profile`'s defaults applied to what the
/// entry leaves out (see [`RawSnmpTarget`]).
#[derive(Clone, Deserialize)]
#[serde(from = "RawSnmpTarget")]
pub struct SnmpTarget {
    /// The device's management address (an IP address).
    pub address: String,
    pub port: u16,
    /// `"2c"` or `"3"`.
    pub version: String,
    /// v2c community.
    pub community: Option<String>,
    /// v3 user name.
    pub user: Option<String>,
    /// v3: `SHA` (SHA-1), `SHA-224`, `SHA-256`, `SHA-384`, `SHA-512` or `MD5`.
    pub auth_protocol: Option<String>,
    pub auth_password: Option<String>,
    /// v3: `AES` (AES-128), `AES-192`, `AES-256` or `DES`.
    pub priv_protocol: Option<String>,
    pub priv_password: Option<String>,
    /// Wait for each answer (default 2,000 ms; `routeros`: 5,000).
    pub timeout_ms: u32,
    /// Further tries of a request that got no answer (default 1; `routeros`: 2).
    pub retries: u32,
    /// Rows per GETBULK (default 25; `routeros`: 10).
    pub max_repetitions: u32,
    /// The longest a whole poll of this device may take (default 60 s; `routeros`:
    /// 180 s).
    pub deadline_secs: u32,
    /// The most rows (variables) a whole poll of this device may return (default
    /// 250,000): a device whose table never ends is stopped there, not when the
    /// agent's memory is gone (a hostile device fed one ~25 MB a second until the
    /// deadline; issue 20). A core switch with a very large forwarding table may need
    /// more.
    pub max_rows: u32,
    /// Overrides the device type the poll infers: `router`, `switch`, `server`, `host`.
    pub kind: Option<String>,
    /// Seconds between two reads of the interface counters (default 60; 0: never),
    /// apart from the discovery's walks.
    pub traffic_interval_secs: u32,
    /// Which interfaces' counters to read: patterns of ifName or ifDescr (`*` any
    /// characters, `?` one; case ignored), e.g. `["ether1", "sfp*"]`. Empty (the
    /// default): every interface that is up and not a loopback, and each such one
    /// afterwards while the device has it (so that a port going down shows as down).
    pub interfaces: Vec<String>,
    /// The profile whose defaults apply: `generic` (the default) or `routeros`.
    pub profile: Option<String>,
    /// The tables a discovery walks (names of [`mibs::TABLES`]); `None`: all of them.
    pub tables: Option<Vec<String>>,
}

/// `[[discovery.snmp]]` as written: the timing keys optional, so that a `profile`
/// supplies what the entry leaves out and what it sets wins.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawSnmpTarget {
    /// The device's management address (an IP address).
    address: String,
    #[serde(default = "default_port")]
    port: u16,
    /// `"2c"` or `"3"`.
    #[serde(default = "default_version")]
    version: String,
    /// v2c community.
    #[serde(default)]
    community: Option<String>,
    /// v3 user name.
    #[serde(default)]
    user: Option<String>,
    /// v3 authentication protocol.
    #[serde(default)]
    auth_protocol: Option<String>,
    /// v3 authentication password.
    #[serde(default)]
    auth_password: Option<String>,
    /// v3 privacy protocol.
    #[serde(default)]
    priv_protocol: Option<String>,
    /// v3 privacy password.
    #[serde(default)]
    priv_password: Option<String>,
    /// Wait for each answer; default by `profile`.
    #[serde(default)]
    timeout_ms: Option<u32>,
    /// Further tries of a request; default by `profile`.
    #[serde(default)]
    retries: Option<u32>,
    /// Rows per GETBULK; default by `profile`.
    #[serde(default)]
    max_repetitions: Option<u32>,
    /// The longest a whole poll may take; default by `profile`.
    #[serde(default)]
    deadline_secs: Option<u32>,
    /// The most rows a whole poll may return.
    #[serde(default = "default_max_rows")]
    max_rows: u32,
    /// Overrides the inferred device type.
    #[serde(default, rename = "type")]
    kind: Option<String>,
    /// Seconds between two reads of the interface counters.
    #[serde(default = "default_traffic_interval")]
    traffic_interval_secs: u32,
    /// Which interfaces' counters to read.
    #[serde(default)]
    interfaces: Vec<String>,
    /// `generic` or `routeros`: the defaults of the timing keys above.
    #[serde(default)]
    profile: Option<String>,
    /// What a discovery walks: `system`, `interfaces`, `lldp`, `fdb`, `arp`,
    /// `mikrotik`; default all.
    #[serde(default)]
    tables: Option<Vec<String>>,
}

/// A profile's defaults: timeout_ms, retries, max_repetitions, deadline_secs.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ProfileDefaults {
    pub timeout_ms: u32,
    pub retries: u32,
    pub max_repetitions: u32,
    pub deadline_secs: u32,
}

/// The profiles a device entry may name, with their defaults. `routeros`: RouterOS
/// answers large GETBULK requests slowly (the issue's experience, not a published
/// figure), so it gets fewer rows per request, a longer wait for each, one more try and
/// a longer deadline for the whole poll.
pub const PROFILES: &[(&str, ProfileDefaults)] = &[
    (
        "generic",
        ProfileDefaults {
            timeout_ms: 2000,
            retries: 1,
            max_repetitions: 25,
            deadline_secs: 60,
        },
    ),
    (
        "routeros",
        ProfileDefaults {
            timeout_ms: 5000,
            retries: 2,
            max_repetitions: 10,
            deadline_secs: 180,
        },
    ),
];

/// The defaults of `profile` (`generic` for none, or one [`problems`] refuses).
///
/// [`problems`]: SnmpTarget::problems
pub fn profile_defaults(profile: Option<&str>) -> ProfileDefaults {
    let name = profile.unwrap_or("generic");
    PROFILES
        .iter()
        .find(|(n, _)| *n == name)
        .unwrap_or(&PROFILES[0])
        .1
}

impl From<RawSnmpTarget> for SnmpTarget {
    fn from(r: RawSnmpTarget) -> Self {
        let d = profile_defaults(r.profile.as_deref());
        Self {
            address: r.address,
            port: r.port,
            version: r.version,
            community: r.community,
            user: r.user,
            auth_protocol: r.auth_protocol,
            auth_password: r.auth_password,
            priv_protocol: r.priv_protocol,
            priv_password: r.priv_password,
            timeout_ms: r.timeout_ms.unwrap_or(d.timeout_ms),
            retries: r.retries.unwrap_or(d.retries),
            max_repetitions: r.max_repetitions.unwrap_or(d.max_repetitions),
            deadline_secs: r.deadline_secs.unwrap_or(d.deadline_secs),
            max_rows: r.max_rows,
            kind: r.kind,
            traffic_interval_secs: r.traffic_interval_secs,
            interfaces: r.interfaces,
            profile: r.profile,
            tables: r.tables,
        }
    }
}

fn default_port() -> u16 {
    161
}
fn default_version() -> String {
    "2c".into()
}
fn default_max_rows() -> u32 {
    250_000
}
fn default_traffic_interval() -> u32 {
    60
}

/// Most `interfaces` patterns of one device.
pub const MAX_INTERFACE_PATTERNS: usize = 64;

impl std::fmt::Debug for SnmpTarget {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let hidden = |o: &Option<String>| o.as_ref().map(|_| "<hidden>");
        f.debug_struct("SnmpTarget")
            .field("address", &self.address)
            .field("port", &self.port)
            .field("version", &self.version)
            .field("community", &hidden(&self.community))
            .field("user", &self.user)
            .field("auth_protocol", &self.auth_protocol)
            .field("auth_password", &hidden(&self.auth_password))
            .field("priv_protocol", &self.priv_protocol)
            .field("priv_password", &hidden(&self.priv_password))
            .field("timeout_ms", &self.timeout_ms)
            .field("retries", &self.retries)
            .field("max_repetitions", &self.max_repetitions)
            .field("deadline_secs", &self.deadline_secs)
            .field("max_rows", &self.max_rows)
            .field("kind", &self.kind)
            .field("traffic_interval_secs", &self.traffic_interval_secs)
            .field("interfaces", &self.interfaces)
            .field("profile", &self.profile)
            .field("tables", &self.tables)
            .finish()
    }
}

/// The authentication protocols a config may name.
pub const AUTH_PROTOCOLS: &[&str] = &["SHA", "SHA-224", "SHA-256", "SHA-384", "SHA-512", "MD5"];
/// The privacy protocols a config may name.
pub const PRIV_PROTOCOLS: &[&str] = &["AES", "AES-192", "AES-256", "DES"];
const TYPES: &[&str] = &["router", "switch", "server", "host"];

impl SnmpTarget {
    /// Where to send requests.
    pub fn ip(&self) -> Option<IpAddr> {
        self.address.parse().ok()
    }

    /// Every problem of this entry (`key` is `discovery.snmp[i]`), secrets left out.
    pub fn problems(&self, key: &str) -> Vec<String> {
        let mut p = Vec::new();
        if self.ip().is_none() {
            p.push(format!(
                "{key}.address = {:?}: not an IP address (e.g. \"192.0.2.1\" or \"2001:db8::1\")",
                self.address
            ));
        }
        if self.port == 0 {
            p.push(format!("{key}.port = 0: must be from 1 to 65535"));
        }
        let set = |o: &Option<String>| o.as_deref().is_some_and(|s| !s.is_empty());
        match self.version.as_str() {
            "2c" => {
                if !set(&self.community) {
                    p.push(format!("{key}.community: required for version \"2c\""));
                }
                for (k, v) in [
                    ("user", &self.user),
                    ("auth_protocol", &self.auth_protocol),
                    ("auth_password", &self.auth_password),
                    ("priv_protocol", &self.priv_protocol),
                    ("priv_password", &self.priv_password),
                ] {
                    if v.is_some() {
                        p.push(format!(
                            "{key}.{k}: only for version \"3\" (this entry is version \"2c\")"
                        ));
                    }
                }
            }
            "3" => {
                if !set(&self.user) {
                    p.push(format!("{key}.user: required for version \"3\""));
                }
                if self.community.is_some() {
                    p.push(format!(
                        "{key}.community: only for version \"2c\" (version \"3\" uses user and passwords)"
                    ));
                }
                self.protocol_problems(key, &mut p);
            }
            v => p.push(format!(
                "{key}.version = {v:?}: must be \"2c\" or \"3\" (SNMPv1 has no GETBULK)"
            )),
        }
        for (k, v, lo, hi) in [
            ("timeout_ms", self.timeout_ms, 100, 60_000),
            ("retries", self.retries, 0, 5),
            ("max_repetitions", self.max_repetitions, 1, 200),
            ("deadline_secs", self.deadline_secs, 1, 3_600),
            ("max_rows", self.max_rows, 100, 10_000_000),
        ] {
            if !(lo..=hi).contains(&v) {
                p.push(format!("{key}.{k} = {v}: must be between {lo} and {hi}"));
            }
        }
        if let Some(t) = &self.kind {
            if !TYPES.contains(&t.as_str()) {
                p.push(format!("{key}.type = {t:?}: must be one of {TYPES:?}"));
            }
        }
        if self.traffic_interval_secs > 3_600 {
            p.push(format!(
                "{key}.traffic_interval_secs = {}: must be 0 (off) or between 1 and 3600 seconds",
                self.traffic_interval_secs
            ));
        }
        if self.interfaces.len() > MAX_INTERFACE_PATTERNS {
            p.push(format!(
                "{key}.interfaces: {} patterns; at most {MAX_INTERFACE_PATTERNS}",
                self.interfaces.len()
            ));
        }
        if let Some(x) = &self.profile {
            if !PROFILES.iter().any(|(n, _)| n == x) {
                let names: Vec<&str> = PROFILES.iter().map(|(n, _)| *n).collect();
                p.push(format!(
                    "{key}.profile = {x:?}: unknown profile; valid: {}",
                    names.join(", ")
                ));
            }
        }
        let valid = || {
            mibs::TABLES
                .iter()
                .map(|(n, _)| *n)
                .collect::<Vec<_>>()
                .join(", ")
        };
        match &self.tables {
            Some(t) if t.is_empty() => p.push(format!(
                "{key}.tables = []: name at least one of {}, or leave the key out to walk them all",
                valid()
            )),
            Some(t) => {
                for (i, name) in t.iter().enumerate() {
                    if !mibs::TABLES.iter().any(|(n, _)| n == name) {
                        p.push(format!(
                            "{key}.tables[{i}] = {name:?}: unknown table; valid: {}",
                            valid()
                        ));
                    }
                }
            }
            None => {}
        }
        for (i, pat) in self.interfaces.iter().enumerate() {
            if pat.is_empty() || pat.len() > 64 || pat.chars().any(char::is_control) {
                p.push(format!(
                    "{key}.interfaces[{i}] = {pat:?}: must be 1 to 64 characters without control \
                     characters (an ifName or ifDescr, `*` and `?` as wildcards)"
                ));
            }
        }
        p
    }

    fn protocol_problems(&self, key: &str, p: &mut Vec<String>) {
        let pw = |k: &str, v: &Option<String>, p: &mut Vec<String>| match v {
            None => p.push(format!(
                "{key}.{k}: required with {key}.{}",
                k.replace("password", "protocol")
            )),
            Some(s) if s.len() < 8 => p.push(format!(
                "{key}.{k}: too short ({} characters); SNMPv3 passwords have at least 8",
                s.len()
            )),
            Some(_) => {}
        };
        match &self.auth_protocol {
            Some(a) if !AUTH_PROTOCOLS.contains(&a.as_str()) => p.push(format!(
                "{key}.auth_protocol = {a:?}: must be one of {AUTH_PROTOCOLS:?}"
            )),
            Some(_) => pw("auth_password", &self.auth_password, p),
            None if self.auth_password.is_some() => p.push(format!(
                "{key}.auth_password: set without {key}.auth_protocol"
            )),
            None => {}
        }
        match &self.priv_protocol {
            Some(_) if self.auth_protocol.is_none() => p.push(format!(
                "{key}.priv_protocol: privacy needs authentication; set {key}.auth_protocol too"
            )),
            Some(x) if !PRIV_PROTOCOLS.contains(&x.as_str()) => p.push(format!(
                "{key}.priv_protocol = {x:?}: must be one of {PRIV_PROTOCOLS:?}"
            )),
            Some(_) => pw("priv_password", &self.priv_password, p),
            None if self.priv_password.is_some() => p.push(format!(
                "{key}.priv_password: set without {key}.priv_protocol"
            )),
            None => {}
        }
    }

    /// Whether a discovery walks the subtree named `walk` (a name of [`mibs::WALKS`])
    /// on this device: every one, unless `tables` chooses.
    pub fn walks(&self, walk: &str) -> bool {
        self.tables.as_ref().is_none_or(|chosen| {
            mibs::TABLES
                .iter()
                .filter(|(n, _)| chosen.iter().any(|c| c == n))
                .any(|(_, walks)| walks.contains(&walk))
        })
    }

    /// `address` or `address:port` for messages.
    pub fn label(&self) -> String {
        if self.port == 161 {
            self.address.clone()
        } else {
            format!("{}:{}", self.address, self.port)
        }
    }
}

/// The outcome of polling one device.
#[derive(Debug, Clone, Serialize)]
pub struct Poll {
    pub address: String,
    pub ok: bool,
    /// Why the poll failed, naming the table (no secrets).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub error: Option<String>,
    pub seconds: f64,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub device: Option<mibs::DeviceInfo>,
}

impl Poll {
    /// What the report's `lan` section carries of it.
    pub fn summary(&self) -> simpul_protocol::SnmpPollSummary {
        let d = self.device.as_ref();
        let n = |f: fn(&mibs::DeviceInfo) -> usize| d.map_or(0, |d| f(d) as u64);
        let clip = |s: &str, max: usize| simpul_protocol::clip(s, max).to_owned();
        simpul_protocol::SnmpPollSummary {
            address: self.address.clone(),
            name: simpul_protocol::wire_string(
                d.map_or("", |d| d.sys_name.as_str()),
                simpul_protocol::MAX_WIRE_STRING_BYTES,
            ),
            ok: self.ok,
            error: clip(self.error.as_deref().unwrap_or_default(), 1000),
            duration_seconds: self.seconds,
            oids: n(|d| d.oids),
            interfaces: n(|d| d.interfaces.len()),
            lldp_neighbours: n(|d| d.lldp_remotes.len()),
            fdb_entries: n(|d| d.fdb.len()),
        }
    }
}

/// The tables to walk: a name and its subtree (see [`mibs::WALKS`]).
pub type Walks = [(&'static str, &'static [u32])];

/// Walks `walks` on one device.
pub async fn poll_device<S: Snmp>(s: &S, walks: &Walks) -> Result<mibs::DeviceInfo, String> {
    let mut all: BTreeMap<Vec<u32>, Val> = BTreeMap::new();
    let mut counts = BTreeMap::new();
    for (name, root) in walks {
        let rows = s.walk(root).await.map_err(|e| format!("{name}: {e}"))?;
        counts.insert((*name).to_owned(), rows.len());
        all.extend(rows);
    }
    let mut d = mibs::parse(&all);
    d.tables = counts;
    Ok(d)
}

/// Polls every target, concurrently (at most 16 at a time), on a runtime that lives
/// only for the polls. The results are in the order of `targets`.
pub fn poll_all(targets: &[SnmpTarget], walks: &Walks) -> Vec<Poll> {
    if targets.is_empty() {
        return Vec::new();
    }
    let rt = match tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
    {
        Ok(rt) => rt,
        Err(e) => {
            return targets
                .iter()
                .map(|t| Poll {
                    address: t.label(),
                    ok: false,
                    error: Some(format!("cannot start the SNMP runtime: {e}")),
                    seconds: 0.0,
                    device: None,
                })
                .collect()
        }
    };
    rt.block_on(async {
        let gate = std::sync::Arc::new(tokio::sync::Semaphore::new(16));
        let mut set = tokio::task::JoinSet::new();
        for (i, t) in targets.iter().cloned().enumerate() {
            let gate = gate.clone();
            let walks = walks.to_vec();
            set.spawn(async move {
                let _permit = gate.acquire_owned().await;
                (i, poll_one(&t, &walks).await)
            });
        }
        let mut out: Vec<Option<Poll>> = vec![None; targets.len()];
        while let Some(r) = set.join_next().await {
            if let Ok((i, p)) = r {
                out[i] = Some(p);
            }
        }
        out.into_iter()
            .zip(targets)
            .map(|(p, t)| {
                p.unwrap_or_else(|| Poll {
                    address: t.label(),
                    ok: false,
                    error: Some("the poll task failed".into()),
                    seconds: 0.0,
                    device: None,
                })
            })
            .collect()
    })
}

async fn poll_one(t: &SnmpTarget, walks: &Walks) -> Poll {
    let started = Instant::now();
    // the device's own choice of tables (`tables = [...]`) among those asked for
    let walks: Vec<(&'static str, &'static [u32])> =
        walks.iter().filter(|(n, _)| t.walks(n)).copied().collect();
    let walks = walks.as_slice();
    let deadline = Duration::from_secs(u64::from(t.deadline_secs));
    let result = match client::Client::connect(t).await {
        Err(e) => Err(e),
        Ok(c) => match tokio::time::timeout(deadline, poll_device(&c, walks)).await {
            Ok(r) => r,
            Err(_) => Err(format!(
                "the poll took longer than deadline_secs = {} and was stopped",
                t.deadline_secs
            )),
        },
    };
    let seconds = started.elapsed().as_secs_f64();
    match result {
        Ok(d) => Poll {
            address: t.label(),
            ok: true,
            error: None,
            seconds,
            device: Some(d),
        },
        Err(e) => Poll {
            address: t.label(),
            ok: false,
            error: Some(format!("SNMP {}: {e}", t.label())),
            seconds,
            device: None,
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn target(toml_text: &str) -> SnmpTarget {
        toml::from_str(toml_text).unwrap()
    }

    #[test]
    fn secrets_stay_out_of_debug_and_errors() {
        let t = target(
            r#"address = "10.0.0.1"
               version = "3"
               user = "simpul"
               auth_protocol = "SHA"
               auth_password = "s3cret-auth"
               priv_protocol = "AES"
               priv_password = "s3cret-priv""#,
        );
        assert!(t.problems("discovery.snmp[0]").is_empty());
        let dbg = format!("{t:?}");
        assert!(!dbg.contains("s3cret"), "{dbg}");
        let c = target(
            r#"address = "10.0.0.1"
                          community = "pr1vate""#,
        );
        assert!(!format!("{c:?}").contains("pr1vate"));
        assert!(c.problems("k").is_empty());
    }

    /// Issue 23: `profile = "routeros"` sets RouterOS-friendly defaults; a key the
    /// entry sets wins; `tables` chooses the walks.
    #[test]
    fn a_profile_supplies_defaults_and_explicit_keys_win() {
        let plain = target("address = \"10.0.0.1\"\ncommunity = \"c\"");
        assert_eq!(
            (
                plain.timeout_ms,
                plain.retries,
                plain.max_repetitions,
                plain.deadline_secs
            ),
            (2000, 1, 25, 60)
        );
        let ros = target("address = \"10.0.0.1\"\ncommunity = \"c\"\nprofile = \"routeros\"");
        assert_eq!(
            (
                ros.timeout_ms,
                ros.retries,
                ros.max_repetitions,
                ros.deadline_secs
            ),
            (5000, 2, 10, 180)
        );
        assert!(ros.problems("k").is_empty());
        let mine = target(
            "address = \"10.0.0.1\"\ncommunity = \"c\"\nprofile = \"routeros\"\n\
             max_repetitions = 4\ntimeout_ms = 9000\ntables = [\"system\", \"mikrotik\"]",
        );
        assert_eq!(
            (mine.timeout_ms, mine.retries, mine.max_repetitions),
            (9000, 2, 4)
        );
        let walked: Vec<&str> = mibs::WALKS
            .iter()
            .map(|(n, _)| *n)
            .filter(|n| mine.walks(n))
            .collect();
        assert_eq!(walked, ["system", "ipForwarding", "mtxrNeighborTable"]);
        assert!(mibs::WALKS.iter().all(|(n, _)| plain.walks(n)));
        assert!(format!("{mine:?}").contains("profile: Some(\"routeros\")"));
        // an unknown key is still refused
        assert!(toml::from_str::<SnmpTarget>("address = \"x\"\nprofil = \"routeros\"").is_err());
    }

    #[test]
    fn bad_entries_name_their_key() {
        let t = target(
            r#"address = "switch-1"
               version = "3"
               user = "u"
               auth_protocol = "SHA1"
               priv_protocol = "AES"
               priv_password = "short"
               max_repetitions = 0
               type = "firewall""#,
        );
        let p = t.problems("discovery.snmp[2]");
        let want = [
            "discovery.snmp[2].address = \"switch-1\": not an IP address",
            "discovery.snmp[2].auth_protocol = \"SHA1\": must be one of",
            "discovery.snmp[2].priv_password: too short (5 characters)",
            "discovery.snmp[2].max_repetitions = 0",
            "discovery.snmp[2].type = \"firewall\"",
        ];
        for w in want {
            assert!(p.iter().any(|x| x.starts_with(w)), "{w}: {p:?}");
        }
        assert_eq!(p.len(), want.len(), "{p:?}");
        let v1 = target(
            r#"address = "10.0.0.1"
                           version = "1"
                           community = "public""#,
        );
        assert!(v1.problems("k")[0].contains("must be \"2c\" or \"3\""));
        let nocomm = target(r#"address = "10.0.0.1""#);
        assert_eq!(
            nocomm.problems("k"),
            ["k.community: required for version \"2c\""]
        );
        let privonly = target(
            r#"address = "10.0.0.1"
               version = "3"
               user = "u"
               priv_protocol = "AES"
               priv_password = "longenough""#,
        );
        assert!(privonly.problems("k")[0].contains("privacy needs authentication"));
    }
}
