//! A link's uplink (`uplink = { device, interface }` of `[[links]]`): the interface
//! that carries it at the agency's end, found among the interfaces the agency's agents
//! read, and its 95th percentile month by month (`crate::traffic::percentile`), the
//! figure bandwidth contracts bill.
//!
//! The raw samples are kept `traffic_retention_days` (70): each month, once it has been
//! over for [`SETTLE_SECONDS`] (polls spooled through an outage arrive late), is kept in
//! `uplink_months` by the hourly housekeeping ([`keep_months`]), for every month whose
//! samples still exist; a month not kept (the current one, one just over) is computed
//! from the samples when asked.

use serde::Serialize;

use crate::config::links::Link;
use crate::config::CollectorConfig;
use crate::params;
use crate::period::{Period, PeriodKind, Zone};
use crate::store::db::{Db, DbError};
use crate::traffic::percentile::{self, Percentile};

/// How long after its end a month is kept: until then polls spooled by an agent cut
/// off at the month's end may still arrive, and it is computed when asked.
pub const SETTLE_SECONDS: f64 = 86_400.0;

/// At most this many names in a problem's list of what exists.
const LIST_MAX: usize = 20;

/// The interface an uplink names, as the collector knows it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct UplinkInterface {
    /// The interface's id (`/api/v1/interfaces/{id}`).
    pub id: i64,
    pub site: String,
    /// The device as the agent's config names it (its address).
    pub device: String,
    /// Its sysName (else its address).
    pub device_name: String,
    /// ifName, else ifDescr.
    pub interface: String,
    /// The name, with " #ifIndex" where another interface of the device has it too.
    pub label: String,
}

/// Every interface of `agency` the collector has seen (samples pruned or not).
fn agency_interfaces(conn: &Db, agency: &str) -> Result<Vec<UplinkInterface>, DbError> {
    conn.query(
        "SELECT i.id, i.site, i.device, i.device_name, i.name,
            CASE WHEN EXISTS (SELECT 1 FROM interfaces j WHERE j.agency = i.agency
                    AND j.site = i.site AND j.device = i.device AND j.name = i.name
                    AND j.id <> i.id)
                 THEN i.name || ' #' || i.if_index ELSE i.name END
           FROM interfaces i WHERE i.agency = ?1
          ORDER BY i.site, i.device_name, i.device, i.if_index",
        params![agency],
        |r| {
            Ok(UplinkInterface {
                id: r.get(0)?,
                site: r.get(1)?,
                device: r.get(2)?,
                device_name: r.get(3)?,
                interface: r.get(4)?,
                label: r.get(5)?,
            })
        },
    )
}

/// `links[2]`: the key of `link` in collector.toml.
pub fn key(cfg: &CollectorConfig, link: &Link) -> String {
    cfg.links
        .iter()
        .position(|l| l.id == link.id)
        .map_or_else(|| "links[?]".to_owned(), |i| format!("links[{i}]"))
}

/// `a, b, c` of at most [`LIST_MAX`] names, "..." after.
fn list(names: impl Iterator<Item = String>) -> String {
    let mut v: Vec<String> = names.collect();
    v.dedup();
    let more = v.len() > LIST_MAX;
    v.truncate(LIST_MAX);
    let mut s = v.join(", ");
    if more {
        s.push_str(", ...");
    }
    s
}

/// The interface `link`'s uplink names: None when it declares none; Some(Err) with the
/// problem, naming the key (`key`) and what exists, when no interface of the link's
/// agency (or more than one) matches.
pub fn resolve(
    conn: &Db,
    link: &Link,
    key: &str,
) -> Result<Option<Result<UplinkInterface, String>>, DbError> {
    let Some(u) = &link.uplink else {
        return Ok(None);
    };
    let all = agency_interfaces(conn, &link.agency)?;
    let on_device: Vec<&UplinkInterface> = all
        .iter()
        .filter(|i| i.device == u.device || i.device_name == u.device)
        .collect();
    let found: Vec<&UplinkInterface> = on_device
        .iter()
        .copied()
        .filter(|i| i.interface == u.interface || i.label == u.interface)
        .collect();
    let declared = format!(
        "{key}.uplink = {{ device = {:?}, interface = {:?} }}",
        u.device, u.interface
    );
    Ok(Some(match found.as_slice() {
        [one] => Ok((*one).clone()),
        [] if on_device.is_empty() => Err(format!(
            "{declared}: no device of agency {:?} of this address or sysName has reported interface counters; {}",
            link.agency,
            if all.is_empty() {
                "none has (an agent of the agency reads them with [[discovery.snmp]] traffic_interval_secs)".to_owned()
            } else {
                format!(
                    "its devices: {}",
                    list(all.iter().map(|i| if i.device_name == i.device {
                        i.device.clone()
                    } else {
                        format!("{} ({})", i.device, i.device_name)
                    }))
                )
            }
        )),
        [] => Err(format!(
            "{declared}: the device has reported no interface of this name (ifName, ifDescr, or a label like \"ether1 #3\"); it has: {}",
            list(on_device.iter().map(|i| i.label.clone()))
        )),
        many => Err(format!(
            "{declared}: {} interfaces match ({}); name one by its label or its device's address",
            many.len(),
            list(
                many.iter()
                    .map(|i| format!("{} {} of site {:?}", i.device, i.label, i.site))
            )
        )),
    }))
}

/// One month of an uplink: the 95th percentile of each direction and the billed one.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct UplinkMonth {
    /// `2026-11`.
    pub month: String,
    /// The interface the figures are of.
    pub interface_id: i64,
    pub receive_p95_bps: Option<f64>,
    pub transmit_p95_bps: Option<f64>,
    /// The billed figure: the larger direction's.
    pub p95_bps: Option<f64>,
    /// The link's `capacity_bps` (as configured now).
    pub capacity_bps: Option<u64>,
    /// `p95_bps` in percent of `capacity_bps`.
    pub p95_utilisation_percent: Option<f64>,
    pub receive_mean_bps: Option<f64>,
    pub transmit_mean_bps: Option<f64>,
    /// The busiest 5-minute bin.
    pub receive_peak_bps: Option<f64>,
    pub transmit_peak_bps: Option<f64>,
    /// 5-minute bins with a measurement, of those in the month.
    pub bins_measured: usize,
    pub bins_in_month: usize,
    pub coverage_percent: f64,
    /// The month is over.
    pub complete: bool,
    /// Kept in the store (computed from the samples when not).
    pub kept: bool,
}

impl UplinkMonth {
    fn new(
        month: &Period,
        interface_id: i64,
        p: &Percentile,
        capacity_bps: Option<u64>,
        complete: bool,
        kept: bool,
    ) -> Self {
        Self {
            month: month.to_string(),
            interface_id,
            receive_p95_bps: p.receive.p95_bps,
            transmit_p95_bps: p.transmit.p95_bps,
            p95_bps: p.p95_bps(),
            capacity_bps,
            p95_utilisation_percent: p.utilisation_percent(capacity_bps),
            receive_mean_bps: p.receive.mean_bps,
            transmit_mean_bps: p.transmit.mean_bps,
            receive_peak_bps: p.receive.peak_bps,
            transmit_peak_bps: p.transmit.peak_bps,
            bins_measured: p.bins_measured,
            bins_in_month: p.bins_in_month,
            coverage_percent: p.coverage_percent(),
            complete,
            kept,
        }
    }
}

/// What the uplink declares.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Declared {
    pub device: String,
    pub interface: String,
}

/// A link's uplink over a period: the interface and its months.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Uplink {
    pub declared: Declared,
    /// The interface it names; none when no interface (or several) matches.
    pub interface: Option<UplinkInterface>,
    /// Why it names no interface.
    pub problem: Option<String>,
    /// The period the months are of (`2026`).
    pub period: String,
    /// Each month of the period that has begun and has figures (kept, or samples to
    /// compute them from), oldest first.
    pub months: Vec<UplinkMonth>,
}

/// The kept month `month` of `link_id`.
fn kept(conn: &Db, link_id: &str, month: &str) -> Result<Option<(i64, Percentile)>, DbError> {
    let rows = conn.query(
        "SELECT interface_id, bins_in_month, bins_measured, receive_bins, transmit_bins,
                receive_p95, transmit_p95, receive_mean, transmit_mean, receive_peak,
                transmit_peak
           FROM uplink_months WHERE link_id = ?1 AND month = ?2",
        params![link_id, month],
        |r| {
            let n = |i: usize| -> Result<usize, DbError> {
                Ok(usize::try_from(r.get::<_, i64>(i)?).unwrap_or(0))
            };
            Ok((
                r.get(0)?,
                Percentile {
                    bins_in_month: n(1)?,
                    bins_measured: n(2)?,
                    receive: percentile::Direction {
                        bins: n(3)?,
                        p95_bps: r.get(5)?,
                        mean_bps: r.get(7)?,
                        peak_bps: r.get(9)?,
                    },
                    transmit: percentile::Direction {
                        bins: n(4)?,
                        p95_bps: r.get(6)?,
                        mean_bps: r.get(8)?,
                        peak_bps: r.get(10)?,
                    },
                },
            ))
        },
    )?;
    Ok(rows.into_iter().next())
}

/// Keeps `p` as month `month` of `link_id` (unless one is kept already).
fn keep(
    conn: &Db,
    link_id: &str,
    month: &str,
    interface_id: i64,
    p: &Percentile,
    now: f64,
) -> Result<(), DbError> {
    let n = |v: usize| i64::try_from(v).unwrap_or(i64::MAX);
    conn.execute(
        "INSERT INTO uplink_months (link_id, month, interface_id, bins_in_month, bins_measured,
           receive_bins, transmit_bins, receive_p95, transmit_p95, receive_mean, transmit_mean,
           receive_peak, transmit_peak, computed_at)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14)
         ON CONFLICT DO NOTHING",
        params![
            link_id,
            month,
            interface_id,
            n(p.bins_in_month),
            n(p.bins_measured),
            n(p.receive.bins),
            n(p.transmit.bins),
            p.receive.p95_bps,
            p.transmit.p95_bps,
            p.receive.mean_bps,
            p.transmit.mean_bps,
            p.receive.peak_bps,
            p.transmit.peak_bps,
            now
        ],
    )?;
    Ok(())
}

/// The month after `m`.
fn next_month(m: &Period) -> Period {
    let (year, month) = if m.month == 12 {
        (m.year + 1, 1)
    } else {
        (m.year, m.month + 1)
    };
    Period {
        kind: PeriodKind::Month,
        year,
        month,
        day: 1,
    }
}

/// `link`'s uplink over the months of `period` (a year, quarter or month) that have
/// begun by `now`; None when it declares none.
pub fn months(
    conn: &Db,
    cfg: &CollectorConfig,
    link: &Link,
    period: &Period,
    now: f64,
) -> Result<Option<Uplink>, DbError> {
    let Some(u) = &link.uplink else {
        return Ok(None);
    };
    let zone = cfg.zone();
    let resolved = resolve(conn, link, &key(cfg, link))?;
    let (interface, problem) = match resolved {
        Some(Ok(i)) => (Some(i), None),
        Some(Err(p)) => (None, Some(p)),
        None => (None, None),
    };
    let mut out = Vec::new();
    for m in period.months() {
        let (from, to) = m.bounds(zone);
        if from as f64 > now {
            break;
        }
        let complete = to as f64 <= now;
        let name = m.to_string();
        if let Some((id, p)) = kept(conn, &link.id, &name)? {
            out.push(UplinkMonth::new(&m, id, &p, link.capacity_bps, true, true));
        } else if let Some(i) = &interface {
            let p = percentile::month(conn, i.id, &m, zone)?;
            if p.bins_measured > 0 {
                out.push(UplinkMonth::new(
                    &m,
                    i.id,
                    &p,
                    link.capacity_bps,
                    complete,
                    false,
                ));
            }
        }
    }
    Ok(Some(Uplink {
        declared: Declared {
            device: u.device.clone(),
            interface: u.interface.clone(),
        },
        interface,
        problem,
        period: period.to_string(),
        months: out,
    }))
}

/// Keeps every month that has been over for [`SETTLE_SECONDS`], of every link whose
/// uplink names an interface, from the month of the interface's oldest sample on,
/// unless kept already (the housekeeping's, before the samples are pruned); returns how
/// many it kept.
pub fn keep_months(conn: &Db, cfg: &CollectorConfig, now: f64) -> Result<usize, DbError> {
    let zone: &Zone = cfg.zone();
    let mut n = 0;
    for link in cfg.links.iter().filter(|l| l.uplink.is_some()) {
        let Some(Ok(i)) = resolve(conn, link, &key(cfg, link))? else {
            continue;
        };
        let oldest: Option<f64> = conn.query_one(
            "SELECT MIN(time) FROM interface_samples WHERE interface_id = ?1",
            params![i.id],
            |r| r.get(0),
        )?;
        let Some(oldest) = oldest else {
            continue;
        };
        let mut m = Period::containing(PeriodKind::Month, oldest.floor() as i64, zone);
        loop {
            let (_, to) = m.bounds(zone);
            if to as f64 + SETTLE_SECONDS > now {
                break;
            }
            let name = m.to_string();
            if kept(conn, &link.id, &name)?.is_none() {
                let p = percentile::month(conn, i.id, &m, zone)?;
                keep(conn, &link.id, &name, i.id, &p, now)?;
                n += 1;
            }
            m = next_month(&m);
        }
    }
    Ok(n)
}

#[cfg(test)]
mod tests {
    use super::*;
    use simpul_protocol::{InterfaceCounters, TrafficPoll};

    fn poll(device: &str, name: &str, time: f64, ports: &[(u32, &str)]) -> TrafficPoll {
        TrafficPoll {
            device: device.into(),
            name: name.into(),
            time_seconds: time,
            duration_seconds: 0.1,
            sys_uptime_ticks: Some(100),
            error: String::new(),
            interfaces: ports
                .iter()
                .map(|(index, name)| InterfaceCounters {
                    index: *index,
                    name: (*name).into(),
                    oper_status: 1,
                    counter_bits: 64,
                    in_octets: Some(0),
                    out_octets: Some(0),
                    ..Default::default()
                })
                .collect(),
        }
    }

    fn cfg(uplinks: &[(&str, &str, &str)]) -> CollectorConfig {
        let links = uplinks
            .iter()
            .enumerate()
            .map(|(k, (agency, device, interface))| {
                toml::from_str::<Link>(&format!(
                    "id = \"l{k}\"\nagency = \"{agency}\"\na = {{ host = \"h\", probe = \"p\" }}\n\
                     capacity_bps = 20_000_000\n\
                     uplink = {{ device = \"{device}\", interface = \"{interface}\" }}\n"
                ))
                .unwrap()
            })
            .collect();
        CollectorConfig {
            links,
            ..CollectorConfig::default()
        }
    }

    #[test]
    fn an_uplink_names_one_interface_of_its_agency_or_a_problem() {
        crate::store::testing::each_engine(|c| {
            let ports = [(1, "ether1"), (2, "ether2"), (7, "ether2")];
            crate::traffic::record(
                c,
                "dinkes",
                "kantor",
                "a1",
                0.0,
                &[poll("10.20.0.1", "rtr-dinkes", 100.0, &ports)],
            )
            .unwrap();
            crate::traffic::record(
                c,
                "bappeda",
                "kantor",
                "a2",
                0.0,
                &[poll("10.30.0.1", "rtr-bappeda", 100.0, &[(1, "ether1")])],
            )
            .unwrap();
            let cfg = cfg(&[
                ("dinkes", "10.20.0.1", "ether1"),
                ("dinkes", "rtr-dinkes", "ether2 #7"),
                ("dinkes", "rtr-dinkes", "ether2"),
                ("dinkes", "10.20.0.1", "ether9"),
                ("dinkes", "10.30.0.1", "ether1"),
                ("bappeda", "10.30.0.1", "ether1"),
            ]);
            let got: Vec<Result<String, String>> = cfg
                .links
                .iter()
                .map(|l| {
                    resolve(c, l, &key(&cfg, l))
                        .unwrap()
                        .unwrap()
                        .map(|i| format!("{} {} {}", i.device, i.device_name, i.label))
                })
                .collect();
            assert_eq!(got[0], Ok("10.20.0.1 rtr-dinkes ether1".into()));
            assert_eq!(
                got[1],
                Ok("10.20.0.1 rtr-dinkes ether2 #7".into()),
                "by sysName and label"
            );
            let e = got[2].clone().unwrap_err();
            assert!(
                e.starts_with("links[2].uplink = { device = \"rtr-dinkes\", interface = \"ether2\" }: 2 interfaces match (10.20.0.1 ether2 #2 of site \"kantor\", 10.20.0.1 ether2 #7"),
                "{e}"
            );
            let e = got[3].clone().unwrap_err();
            assert!(
                e.ends_with("the device has reported no interface of this name (ifName, ifDescr, or a label like \"ether1 #3\"); it has: ether1, ether2 #2, ether2 #7"),
                "{e}"
            );
            // another agency's device is not the link's
            let e = got[4].clone().unwrap_err();
            assert!(
                e.contains("no device of agency \"dinkes\" of this address or sysName has reported interface counters; its devices: 10.20.0.1 (rtr-dinkes)"),
                "{e}"
            );
            assert_eq!(got[5], Ok("10.30.0.1 rtr-bappeda ether1".into()));
            let none = CollectorConfig {
                links: vec![toml::from_str::<Link>(
                    "id = \"x\"\nagency = \"dinsos\"\na = { host = \"h\", probe = \"p\" }\n\
                     uplink = { device = \"r\", interface = \"e\" }\n",
                )
                .unwrap()],
                ..CollectorConfig::default()
            };
            let e = resolve(c, &none.links[0], "links[0]")
                .unwrap()
                .unwrap()
                .unwrap_err();
            assert!(e.contains("none has (an agent of the agency reads them with [[discovery.snmp]] traffic_interval_secs)"), "{e}");
        });
    }

    /// October and November 2026 (WIB) of 5-minute steps; now is 2026-12-01 12:00 WIB:
    /// November is over but not yet settled, October is kept by the housekeeping, and
    /// still answered after its samples are pruned.
    #[test]
    fn closed_months_are_kept_and_outlive_the_samples() {
        let zone = Zone::jakarta();
        let (oct, _) = Period::parse("2026-10").unwrap().bounds(&zone);
        let (nov, dec) = Period::parse("2026-11").unwrap().bounds(&zone);
        let now = dec as f64 + 12.0 * 3600.0;
        crate::store::testing::each_engine(|c| {
            crate::traffic::record(
                c,
                "dinkes",
                "kantor",
                "a1",
                0.0,
                &[poll(
                    "10.20.0.1",
                    "rtr-dinkes",
                    oct as f64,
                    &[(1, "ether1")],
                )],
            )
            .unwrap();
            let cfg = cfg(&[("dinkes", "10.20.0.1", "ether1")]);
            let link = &cfg.links[0];
            let id = resolve(c, link, "links[0]").unwrap().unwrap().unwrap().id;
            // October: 31 days at 4 Mbit/s in, 1 out, 100 bins of spikes at 50 in: the
            // top 5 % of 8,928 is 447 bins, the spikes are cut
            crate::traffic::percentile::tests::seed(c, id, oct as f64, 8928, |k| {
                (if k < 100 { 50_000_000 } else { 4_000_000 }, 1_000_000)
            });
            // November: 15 days at 16 Mbit/s out
            crate::traffic::percentile::tests::seed(c, id, nov as f64, 4320, |_| {
                (2_000_000, 16_000_000)
            });
            let year = Period::parse("2026").unwrap();
            let u = months(c, &cfg, link, &year, now).unwrap().unwrap();
            assert_eq!(u.interface.as_ref().map(|i| i.id), Some(id));
            let m: Vec<_> = u
                .months
                .iter()
                .map(|m| (m.month.as_str(), m.p95_bps, m.complete, m.kept))
                .collect();
            assert_eq!(
                m,
                [
                    ("2026-10", Some(4e6), true, false),
                    ("2026-11", Some(16e6), true, false)
                ]
            );
            let n = &u.months[1];
            assert_eq!((n.bins_measured, n.bins_in_month), (4320, 8640));
            assert_eq!(n.coverage_percent, 50.0);
            assert_eq!(n.p95_utilisation_percent, Some(80.0));
            assert_eq!(
                (n.receive_p95_bps, n.transmit_p95_bps, n.capacity_bps),
                (Some(2e6), Some(16e6), Some(20_000_000))
            );

            // the housekeeping keeps October (from its oldest sample on), not November
            assert_eq!(keep_months(c, &cfg, now).unwrap(), 1);
            assert_eq!(keep_months(c, &cfg, now).unwrap(), 0, "once");
            crate::traffic::prune(c, dec as f64).unwrap();
            let u = months(c, &cfg, link, &year, now).unwrap().unwrap();
            let m: Vec<_> = u
                .months
                .iter()
                .map(|m| (m.month.as_str(), m.p95_bps, m.kept))
                .collect();
            assert_eq!(
                m,
                [("2026-10", Some(4e6), true)],
                "November's samples are gone"
            );
            let o = &u.months[0];
            assert_eq!((o.bins_measured, o.bins_in_month), (8928, 8928));
            assert_eq!(o.receive_peak_bps, Some(50e6));
            assert_eq!(o.transmit_p95_bps, Some(1e6));
            assert_eq!(o.p95_utilisation_percent, Some(20.0));
        });
    }
}
