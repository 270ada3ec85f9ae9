//! Interface counters of the configured SNMP devices, every `traffic_interval_secs`
//! (apart from the discovery's walks): the helper's `traffic` command runs this for
//! ever and prints each poll as a line of JSON for the daemon, which spools it.
//!
//! One poll of a device: walks of ifDescr, ifType, ifOperStatus and ifName (to
//! choose the interfaces, name them and tell their state), then one GET of
//! sysUpTime.0 and sysName.0 and, per chosen interface, the HC octet and packet counters, errors,
//! discards, speeds, the
//! discontinuity time and ifAlias, in requests of `max_repetitions` OIDs. An interface
//! without HC octet counters gets a second GET of ifTable's 32-bit ones
//! (`counter_bits = 32`; the collector unwraps them).

use std::collections::{BTreeMap, BTreeSet};
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use simpul_protocol::{InterfaceCounters, TrafficPoll, MAX_TRAFFIC_INTERFACES};

use super::client::{Client, Sockets};
use super::{Snmp, SnmpTarget, Val};

const IF_ENTRY: [u32; 9] = [1, 3, 6, 1, 2, 1, 2, 2, 1];
const IFX_ENTRY: [u32; 10] = [1, 3, 6, 1, 2, 1, 31, 1, 1, 1];
const SYS_UPTIME: [u32; 9] = [1, 3, 6, 1, 2, 1, 1, 3, 0];
const SYS_NAME: [u32; 9] = [1, 3, 6, 1, 2, 1, 1, 5, 0];

/// ifTable columns.
const IF_DESCR: u32 = 2;
const IF_TYPE: u32 = 3;
const IF_SPEED: u32 = 5;
const IF_OPER_STATUS: u32 = 8;
const IF_IN_OCTETS: u32 = 10;
const IF_IN_UCAST: u32 = 11;
const IF_IN_DISCARDS: u32 = 13;
const IF_IN_ERRORS: u32 = 14;
const IF_OUT_OCTETS: u32 = 16;
const IF_OUT_UCAST: u32 = 17;
const IF_OUT_DISCARDS: u32 = 19;
const IF_OUT_ERRORS: u32 = 20;
/// ifXTable columns.
const IF_NAME: u32 = 1;
const IF_IN_BCAST: u32 = 3;
const IF_OUT_BCAST: u32 = 5;
const IF_HC_IN_OCTETS: u32 = 6;
const IF_HC_IN_UCAST: u32 = 7;
const IF_HC_IN_BCAST: u32 = 9;
const IF_HC_OUT_OCTETS: u32 = 10;
const IF_HC_OUT_UCAST: u32 = 11;
const IF_HC_OUT_BCAST: u32 = 13;
const IF_HIGH_SPEED: u32 = 15;
const IF_ALIAS: u32 = 18;
const IF_DISCONTINUITY: u32 = 19;

/// ifType softwareLoopback.
const SOFTWARE_LOOPBACK: i64 = 24;

fn col(entry: &[u32], column: u32, index: u32) -> Vec<u32> {
    let mut o = entry.to_vec();
    o.push(column);
    o.push(index);
    o
}

fn column(entry: &[u32], column: u32) -> Vec<u32> {
    let mut o = entry.to_vec();
    o.push(column);
    o
}

/// `pattern` (`*` any characters, `?` one, case ignored) matches all of `name`.
pub fn glob(pattern: &str, name: &str) -> bool {
    let p: Vec<char> = pattern.to_lowercase().chars().collect();
    let n: Vec<char> = name.to_lowercase().chars().collect();
    // the classic two-pointer match with one backtrack point
    let (mut i, mut j, mut star, mut mark) = (0, 0, None, 0);
    while j < n.len() {
        if i < p.len() && (p[i] == '?' || p[i] == n[j]) {
            i += 1;
            j += 1;
        } else if i < p.len() && p[i] == '*' {
            star = Some(i);
            mark = j;
            i += 1;
        } else if let Some(s) = star {
            i = s + 1;
            mark += 1;
            j = mark;
        } else {
            return false;
        }
    }
    p[i..].iter().all(|c| *c == '*')
}

/// What one interface's walk said of it.
#[derive(Debug, Clone, Default, PartialEq)]
struct Row {
    descr: String,
    name: String,
    kind: Option<i64>,
    oper: Option<i64>,
}

impl Row {
    fn label(&self) -> &str {
        if self.name.is_empty() {
            &self.descr
        } else {
            &self.name
        }
    }
}

/// What a device's polls remember between them.
#[derive(Debug, Default)]
pub struct DeviceState {
    /// With no `interfaces` patterns: every interface chosen so far (up and not a
    /// loopback once), kept while the device has it.
    chosen: BTreeSet<u32>,
}

/// The interfaces of `rows` to read: those matching a pattern, or (no patterns) those
/// up and not loopbacks and those chosen before; at most [`MAX_TRAFFIC_INTERFACES`].
fn choose(rows: &BTreeMap<u32, Row>, patterns: &[String], state: &mut DeviceState) -> Vec<u32> {
    let chosen: Vec<u32> = if patterns.is_empty() {
        state.chosen.retain(|i| rows.contains_key(i));
        for (i, r) in rows {
            if r.oper == Some(1) && r.kind != Some(SOFTWARE_LOOPBACK) {
                state.chosen.insert(*i);
            }
        }
        state.chosen.iter().copied().collect()
    } else {
        rows.iter()
            .filter(|(_, r)| {
                patterns
                    .iter()
                    .any(|p| glob(p, &r.name) || glob(p, &r.descr))
            })
            .map(|(i, _)| *i)
            .collect()
    };
    chosen.into_iter().take(MAX_TRAFFIC_INTERFACES).collect()
}

fn now_seconds() -> f64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0.0, |d| d.as_secs_f64())
}

/// Reads the rows of `walked` (column OIDs under `entry`) into `rows`.
fn fill(rows: &mut BTreeMap<u32, Row>, entry: &[u32], walked: &[(Vec<u32>, Val)]) {
    for (oid, v) in walked {
        let Some(rest) = oid.strip_prefix(entry) else {
            continue;
        };
        let [c, index] = rest else { continue };
        let r = rows.entry(*index).or_default();
        match (entry.len(), *c) {
            (9, IF_DESCR) => r.descr = v.display_text(),
            (9, IF_TYPE) => r.kind = v.int(),
            (9, IF_OPER_STATUS) => r.oper = v.int(),
            (10, IF_NAME) => r.name = v.display_text(),
            _ => {}
        }
    }
}

fn counter(v: Option<&Val>) -> Option<u64> {
    v.and_then(Val::int).and_then(|i| u64::try_from(i).ok())
}

fn counter32(v: Option<&Val>) -> Option<u32> {
    v.and_then(Val::int).and_then(|i| u32::try_from(i).ok())
}

/// One poll of a connected device.
pub async fn poll_device(c: &Client, t: &SnmpTarget, state: &mut DeviceState) -> TrafficPoll {
    let started = Instant::now();
    let mut poll = TrafficPoll {
        device: t.label(),
        name: String::new(),
        time_seconds: now_seconds(),
        duration_seconds: 0.0,
        sys_uptime_ticks: None,
        error: String::new(),
        interfaces: Vec::new(),
    };
    let deadline = Duration::from_secs(u64::from(t.deadline_secs));
    match tokio::time::timeout(deadline, read(c, t, state, &mut poll)).await {
        Ok(Ok(())) => {}
        Ok(Err(e)) => {
            poll.error = simpul_protocol::wire_string(&format!("SNMP {}: {e}", t.label()), 1000);
            poll.interfaces.clear();
        }
        Err(_) => {
            poll.error = format!(
                "SNMP {}: the poll took longer than deadline_secs = {} and was stopped",
                t.label(),
                t.deadline_secs
            );
            poll.interfaces.clear();
        }
    }
    poll.duration_seconds = started.elapsed().as_secs_f64();
    poll
}

async fn read(
    c: &Client,
    t: &SnmpTarget,
    state: &mut DeviceState,
    poll: &mut TrafficPoll,
) -> Result<(), String> {
    c.reset_rows();
    let mut rows: BTreeMap<u32, Row> = BTreeMap::new();
    for (entry, col_) in [
        (&IF_ENTRY[..], IF_DESCR),
        (&IF_ENTRY[..], IF_TYPE),
        (&IF_ENTRY[..], IF_OPER_STATUS),
        (&IFX_ENTRY[..], IF_NAME),
    ] {
        let walked = c.walk(&column(entry, col_)).await?;
        fill(&mut rows, entry, &walked);
    }
    let chosen = choose(&rows, &t.interfaces, state);
    let mut oids = vec![SYS_UPTIME.to_vec(), SYS_NAME.to_vec()];
    for &i in &chosen {
        for (entry, cl) in [
            (&IFX_ENTRY[..], IF_HC_IN_OCTETS),
            (&IFX_ENTRY[..], IF_HC_OUT_OCTETS),
            (&IFX_ENTRY[..], IF_HC_IN_UCAST),
            (&IFX_ENTRY[..], IF_HC_OUT_UCAST),
            (&IFX_ENTRY[..], IF_HC_IN_BCAST),
            (&IFX_ENTRY[..], IF_HC_OUT_BCAST),
            (&IF_ENTRY[..], IF_IN_ERRORS),
            (&IF_ENTRY[..], IF_OUT_ERRORS),
            (&IF_ENTRY[..], IF_IN_DISCARDS),
            (&IF_ENTRY[..], IF_OUT_DISCARDS),
            (&IF_ENTRY[..], IF_SPEED),
            (&IFX_ENTRY[..], IF_HIGH_SPEED),
            (&IFX_ENTRY[..], IF_DISCONTINUITY),
            (&IFX_ENTRY[..], IF_ALIAS),
        ] {
            oids.push(col(entry, cl, i));
        }
    }
    // the counters are read now: the poll's time is this request's
    poll.time_seconds = now_seconds();
    let got: BTreeMap<Vec<u32>, Val> = c.get(&oids).await?.into_iter().collect();
    poll.sys_uptime_ticks = counter32(got.get(&SYS_UPTIME[..]));
    poll.name = got
        .get(&SYS_NAME[..])
        .map(|v| simpul_protocol::wire_string(&v.display_text(), 200))
        .unwrap_or_default();
    let no_hc: Vec<u32> = chosen
        .iter()
        .copied()
        .filter(|&i| !got.contains_key(&col(&IFX_ENTRY, IF_HC_IN_OCTETS, i)))
        .collect();
    let mut old = BTreeMap::new();
    if !no_hc.is_empty() {
        let mut oids = Vec::new();
        for &i in &no_hc {
            for (entry, cl) in [
                (&IF_ENTRY[..], IF_IN_OCTETS),
                (&IF_ENTRY[..], IF_OUT_OCTETS),
                (&IF_ENTRY[..], IF_IN_UCAST),
                (&IF_ENTRY[..], IF_OUT_UCAST),
                (&IFX_ENTRY[..], IF_IN_BCAST),
                (&IFX_ENTRY[..], IF_OUT_BCAST),
            ] {
                oids.push(col(entry, cl, i));
            }
        }
        old = c.get(&oids).await?.into_iter().collect();
    }
    for i in chosen {
        let row = &rows[&i];
        let x = |cl| got.get(&col(&IFX_ENTRY, cl, i));
        let f = |cl| got.get(&col(&IF_ENTRY, cl, i));
        let speed = match counter(x(IF_HIGH_SPEED)) {
            // ifHighSpeed is in Mbit/s; below 4,295 Mbit/s ifSpeed is exact
            Some(h) if h >= 4_000 => Some(h * 1_000_000),
            h => counter(f(IF_SPEED))
                .filter(|s| *s > 0 && *s < u64::from(u32::MAX))
                .or(h.map(|h| h * 1_000_000)),
        };
        let mut ic = InterfaceCounters {
            index: i,
            name: simpul_protocol::wire_string(row.label(), 200),
            alias: x(IF_ALIAS)
                .map(|v| simpul_protocol::wire_string(&v.display_text(), 200))
                .unwrap_or_default(),
            oper_status: row
                .oper
                .and_then(|o| u8::try_from(o).ok())
                .filter(|o| (1..=7).contains(o))
                .unwrap_or(0),
            speed_bps: speed,
            in_errors: counter32(f(IF_IN_ERRORS)),
            out_errors: counter32(f(IF_OUT_ERRORS)),
            in_discards: counter32(f(IF_IN_DISCARDS)),
            out_discards: counter32(f(IF_OUT_DISCARDS)),
            discontinuity_ticks: counter32(x(IF_DISCONTINUITY)),
            ..Default::default()
        };
        if ic.name.is_empty() {
            ic.name = format!("ifIndex {i}");
        }
        if no_hc.contains(&i) {
            let o = |e: &[u32], cl| {
                counter(old.get(&col(e, cl, i))).filter(|v| *v <= u64::from(u32::MAX))
            };
            ic.counter_bits = 32;
            ic.in_octets = o(&IF_ENTRY, IF_IN_OCTETS);
            ic.out_octets = o(&IF_ENTRY, IF_OUT_OCTETS);
            ic.in_unicast_packets = o(&IF_ENTRY, IF_IN_UCAST);
            ic.out_unicast_packets = o(&IF_ENTRY, IF_OUT_UCAST);
            ic.in_broadcast_packets = o(&IFX_ENTRY, IF_IN_BCAST);
            ic.out_broadcast_packets = o(&IFX_ENTRY, IF_OUT_BCAST);
        } else {
            ic.counter_bits = 64;
            ic.in_octets = counter(x(IF_HC_IN_OCTETS));
            ic.out_octets = counter(x(IF_HC_OUT_OCTETS));
            ic.in_unicast_packets = counter(x(IF_HC_IN_UCAST));
            ic.out_unicast_packets = counter(x(IF_HC_OUT_UCAST));
            ic.in_broadcast_packets = counter(x(IF_HC_IN_BCAST));
            ic.out_broadcast_packets = counter(x(IF_HC_OUT_BCAST));
        }
        poll.interfaces.push(ic);
    }
    Ok(())
}

/// Polls every device of `targets` with a `traffic_interval_secs` for ever (one task
/// each, on a current-thread runtime), handing each poll to `emit`; returns when
/// `emit` fails (the daemon is gone) or no device is to be polled.
pub fn run(
    targets: &[SnmpTarget],
    mut emit: impl FnMut(&TrafficPoll) -> std::io::Result<()>,
) -> std::io::Result<()> {
    let targets: Vec<SnmpTarget> = targets
        .iter()
        .filter(|t| t.traffic_interval_secs > 0)
        .cloned()
        .collect();
    if targets.is_empty() {
        return Ok(());
    }
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()?;
    let devices = targets.len();
    rt.block_on(async move {
        let (tx, mut rx) = tokio::sync::mpsc::channel::<TrafficPoll>(64);
        // one socket per address family for every device (not one each)
        let sockets = std::sync::Arc::new(Sockets::bind(&targets).await);
        for (n, t) in targets.into_iter().enumerate() {
            let tx = tx.clone();
            let sockets = std::sync::Arc::clone(&sockets);
            tokio::spawn(async move {
                let every = Duration::from_secs(t.traffic_interval_secs.into());
                // spread the devices over the first tenth of an interval
                let phase = every / 10 * (n as u32 % 10) / 10;
                let mut tick = tokio::time::interval_at(tokio::time::Instant::now() + phase, every);
                tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
                let mut state = DeviceState::default();
                let mut client: Option<Client> = None;
                loop {
                    tick.tick().await;
                    if client.is_none() {
                        match Client::connect_shared(&t, &sockets).await {
                            Ok(c) => client = Some(c),
                            Err(e) => {
                                let p = TrafficPoll {
                                    device: t.label(),
                                    name: String::new(),
                                    time_seconds: now_seconds(),
                                    duration_seconds: 0.0,
                                    sys_uptime_ticks: None,
                                    error: format!("SNMP {}: {e}", t.label()),
                                    interfaces: Vec::new(),
                                };
                                if tx.send(p).await.is_err() {
                                    return;
                                }
                                continue;
                            }
                        }
                    }
                    let Some(c) = client.as_ref() else { continue };
                    let p = poll_device(c, &t, &mut state).await;
                    if tx.send(p).await.is_err() {
                        return;
                    }
                }
            });
        }
        drop(tx);
        // once every device was polled, the start-up's code need not stay resident;
        // after each poll, what it freed goes back (a round's polls would otherwise
        // leave the heap at their peak for the rest of the interval)
        let mut polls = 0usize;
        while let Some(p) = rx.recv().await {
            emit(&p)?;
            drop(p);
            polls = polls.saturating_add(1);
            if polls == devices {
                let _ = crate::resident::settle();
            } else {
                crate::resident::trim_heap();
            }
        }
        Ok(())
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn patterns_match_names_whole_ignoring_case() {
        assert!(glob("ether1", "ether1"));
        assert!(glob("ETHER1", "ether1"));
        assert!(!glob("ether1", "ether10"));
        assert!(glob("sfp*", "sfp-sfpplus1"));
        assert!(glob("sfp*", "sfp"));
        assert!(!glob("sfp*", "ether1"));
        assert!(glob("Gi1/0/?", "Gi1/0/2"));
        assert!(!glob("Gi1/0/?", "Gi1/0/10"));
        assert!(glob("*/0/1*", "Gi1/0/10"));
        assert!(glob("*", ""));
        assert!(glob("a*b*c", "axxbyyc"));
        assert!(!glob("a*b*c", "axxbyy"));
    }

    fn row(name: &str, kind: i64, oper: i64) -> Row {
        Row {
            descr: format!("{name} descr"),
            name: name.into(),
            kind: Some(kind),
            oper: Some(oper),
        }
    }

    #[test]
    fn by_default_up_interfaces_are_chosen_and_stay_chosen_while_they_exist() {
        let mut rows = BTreeMap::from([
            (1, row("lo", SOFTWARE_LOOPBACK, 1)),
            (2, row("ether1", 6, 1)),
            (3, row("ether2", 6, 2)),
            (4, row("sfp1", 6, 1)),
        ]);
        let mut st = DeviceState::default();
        assert_eq!(choose(&rows, &[], &mut st), [2, 4]);
        // ether1 goes down: still read (its status shows it); sfp1 is removed
        rows.get_mut(&2).unwrap().oper = Some(2);
        rows.remove(&4);
        assert_eq!(choose(&rows, &[], &mut st), [2]);
        // patterns: by name or description, whatever the status
        let pats = ["ether*".to_owned(), "lo descr".to_owned()];
        assert_eq!(choose(&rows, &pats, &mut st), [1, 2, 3]);
    }
}
