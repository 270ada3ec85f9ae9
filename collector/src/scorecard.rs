//! The compliance scorecard (a duty check of the design): one row per agency (OPD)
//! with its agents, the SLA of its hosts, its backup obligations and restore tests, its
//! LAN diagram and its inventory, and whether every duty is met.
//!
//! A pure function of the duty states ([`crate::duties::Duties`]) and the fleet: the
//! pages (`/`, `/scorecard.csv`, an agency's page) and `GET /api/v1/scorecard` show
//! the same rows.

use serde::Serialize;

use crate::backups::{BackupState, RestoreTestState};
use crate::config::Agency;
use crate::lan::{LanState, SiteStatus};
use crate::sla::report::{HostSla, SlaStatus};
use crate::state::HostState;

crate::states! {
    /// An agency's LAN diagram duty, over its sites.
    pub enum LanDuty {
        /// Every site's diagram is confirmed and its changes acknowledged.
        Current = "current",
        /// A change is not acknowledged yet.
        Changed = "changed",
        /// A site's diagram is older than `lan_diagram_max_age`.
        Overdue = "overdue",
        /// The agency has no diagram.
        None = "none",
    }
}

crate::states! {
    /// Whether every duty of the agency is met.
    pub enum Overall {
        Ok = "ok",
        Attention = "attention",
    }
}

/// One agency's duties at a glance.
#[derive(Debug, Clone, Serialize)]
pub struct ScoreRow {
    pub agency: String,
    pub name: String,
    /// Hosts whose agent reported within its grace period.
    pub hosts_up: usize,
    pub hosts: usize,
    /// Over its hosts this SLA period: breached when one host is.
    pub sla: SlaStatus,
    /// Up / (up + down) over all its hosts (none: no data).
    pub sla_ratio: Option<f64>,
    pub sla_hosts_breached: usize,
    /// The worst state of its obligations; none without obligations.
    pub backups: Option<BackupState>,
    /// How many obligations are in each state, worst first (only states with one);
    /// in JSON an object, e.g. `{"late": 1, "ok": 2}`.
    #[serde(serialize_with = "counts_as_object")]
    pub backup_counts: Vec<(BackupState, usize)>,
    /// Obligations whose restore test is due or was never done.
    pub restore_tests_due: usize,
    pub lan: LanDuty,
    pub lan_unacknowledged: i64,
    pub lan_devices: i64,
    pub overall: Overall,
}

fn counts_as_object<S: serde::Serializer>(
    counts: &[(BackupState, usize)],
    s: S,
) -> Result<S::Ok, S::Error> {
    use serde::ser::SerializeMap;
    let mut m = s.serialize_map(Some(counts.len()))?;
    for (state, n) in counts {
        m.serialize_entry(state.as_str(), n)?;
    }
    m.end()
}

impl ScoreRow {
    /// The backups state as the pages and CSV spell it (`none` without obligations).
    pub fn backups_str(&self) -> &'static str {
        self.backups.map_or("none", BackupState::as_str)
    }

    /// The obligations by state, e.g. `1 late, 2 ok` (`no obligations`).
    pub fn backup_text(&self) -> String {
        if self.backup_counts.is_empty() {
            return "no obligations".into();
        }
        self.backup_counts
            .iter()
            .map(|(s, n)| format!("{n} {}", s.as_str().replace('_', " ")))
            .collect::<Vec<_>>()
            .join(", ")
    }
}

/// The rows as CSV (`/scorecard.csv`, `GET /api/v1/scorecard?format=csv`).
pub fn to_csv(rows: &[ScoreRow]) -> String {
    let mut out = crate::csv::Csv::new(&[
        "agency",
        "name",
        "agents_reporting",
        "agents_expected",
        "sla_state",
        "sla_availability_percent",
        "sla_hosts_breached",
        "backups_state",
        "backups",
        "restore_tests_due",
        "lan_state",
        "lan_unacknowledged_changes",
        "servers",
        "lan_devices",
        "overall",
    ]);
    for r in rows {
        out.row(&[
            &r.agency,
            &r.name,
            &r.hosts_up,
            &r.hosts,
            &r.sla,
            &r.sla_ratio
                .map_or(String::new(), |x| format!("{:.3}", x * 100.0)),
            &r.sla_hosts_breached,
            &r.backups_str(),
            &r.backup_text(),
            &r.restore_tests_due,
            &r.lan,
            &r.lan_unacknowledged,
            &r.hosts,
            &r.lan_devices,
            &r.overall,
        ]);
    }
    out.finish()
}

/// What the scorecard is computed from.
#[derive(Debug, Clone, Copy)]
pub struct Inputs<'a> {
    pub agencies: &'a [Agency],
    pub hosts: &'a [HostState],
    pub sla: &'a [HostSla],
    pub backups: &'a [crate::backups::Status],
    pub lan: &'a [SiteStatus],
    /// A host is up while its newest report is younger than this many intervals.
    pub grace_intervals: u32,
    pub skew_secs: u64,
    pub now: f64,
}

/// The row of every declared agency (of `only` when given), in declared order.
pub fn score(i: &Inputs<'_>, only: Option<&str>) -> Vec<ScoreRow> {
    i.agencies
        .iter()
        .filter(|a| only.is_none_or(|o| o == a.id))
        .map(|a| row(i, a))
        .collect()
}

fn row(i: &Inputs<'_>, a: &Agency) -> ScoreRow {
    let mine: Vec<&HostState> = i
        .hosts
        .iter()
        .filter(|h| h.binding.agency == a.id)
        .collect();
    let up = mine
        .iter()
        .filter(|h| h.is_up(i.now, i.grace_intervals, i.skew_secs))
        .count();
    let hs: Vec<&HostSla> = i.sla.iter().filter(|h| h.agency == a.id).collect();
    let (upsec, downsec) = hs.iter().fold((0.0, 0.0), |(u, d), h| {
        (u + h.up_seconds, d + h.down_seconds)
    });
    let breached = hs
        .iter()
        .filter(|h| h.status == SlaStatus::Breached)
        .count();
    let sla = if breached > 0 {
        SlaStatus::Breached
    } else if hs.iter().any(|h| h.status == SlaStatus::Met) {
        SlaStatus::Met
    } else {
        SlaStatus::NoData
    };
    let bs: Vec<_> = i.backups.iter().filter(|b| b.agency == a.id).collect();
    let backup_counts: Vec<(BackupState, usize)> = BackupState::ALL
        .iter()
        .map(|s| (*s, bs.iter().filter(|b| b.state == *s).count()))
        .filter(|(_, n)| *n > 0)
        .collect();
    let backups = backup_counts.first().map(|(s, _)| *s);
    let restore_due = bs
        .iter()
        .filter(|b| b.restore_test_state != RestoreTestState::Ok)
        .count();
    let ls: Vec<_> = i.lan.iter().filter(|l| l.agency == a.id).collect();
    let unacked: i64 = ls.iter().map(|l| l.unacknowledged_changes).sum();
    let lan = if ls.is_empty() || ls.iter().any(|l| l.state == LanState::Missing) {
        LanDuty::None
    } else if ls.iter().any(|l| l.state == LanState::Overdue) {
        LanDuty::Overdue
    } else if unacked > 0 {
        LanDuty::Changed
    } else {
        LanDuty::Current
    };
    let overall = if sla != SlaStatus::Breached
        && backups.is_none_or(|b| b == BackupState::Ok)
        && restore_due == 0
        && lan == LanDuty::Current
        && up == mine.len()
    {
        Overall::Ok
    } else {
        Overall::Attention
    };
    ScoreRow {
        agency: a.id.clone(),
        name: if a.name.is_empty() {
            a.id.clone()
        } else {
            a.name.clone()
        },
        hosts_up: up,
        hosts: mine.len(),
        sla,
        sla_ratio: (upsec + downsec > 0.0).then(|| upsec / (upsec + downsec)),
        sla_hosts_breached: breached,
        backups,
        backup_counts,
        restore_tests_due: restore_due,
        lan,
        lan_unacknowledged: unacked,
        lan_devices: ls.iter().map(|l| l.devices).sum(),
        overall,
    }
}

/// A filter of the scorecard: every row, or the rows with one state.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Filter {
    All,
    Overall(Overall),
    Sla(SlaStatus),
    Backups(BackupState),
    Lan(LanDuty),
}

impl Filter {
    /// The rule of [`Filter::parse`], for error messages.
    pub const RULE: &'static str = "must be all, ok or attention, an SLA state (met, breached, no_data), a backup state (never_seen, failed, missing, wrong_place, too_small, late) or a LAN state (current, changed, overdue, none)";

    /// `all`, `ok`, `attention`, or a state of one duty (`breached`, `late`, ...).
    pub fn parse(s: &str) -> Option<Self> {
        if s == "all" {
            return Some(Self::All);
        }
        Overall::parse(s)
            .map(Self::Overall)
            .or_else(|| SlaStatus::parse(s).map(Self::Sla))
            .or_else(|| BackupState::parse(s).map(Self::Backups))
            .or_else(|| LanDuty::parse(s).map(Self::Lan))
    }

    /// Whether `r` passes.
    pub fn passes(self, r: &ScoreRow) -> bool {
        match self {
            Self::All => true,
            Self::Overall(o) => r.overall == o,
            Self::Sla(s) => r.sla == s,
            Self::Backups(b) => r.backups == Some(b),
            Self::Lan(l) => r.lan == l,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::store::AgentBinding;
    use std::sync::Arc;

    const NOW: f64 = 1_800_000_000.0;

    fn agency(id: &str) -> Agency {
        Agency {
            id: id.into(),
            name: format!("Dinas {id}"),
            sla: None,
        }
    }

    /// A host of `agency` whose newest report arrived `ago` seconds before NOW (none:
    /// never reported); it reports every 30 s.
    fn host(agency: &str, name: &str, ago: Option<f64>) -> HostState {
        let binding = AgentBinding {
            id: format!("{agency}-{name}"),
            agency: agency.into(),
            host: name.into(),
            site: None,
        };
        let latest = ago.map(|ago| {
            let r: simpul_protocol::Report = serde_json::from_value(serde_json::json!({
                "version": simpul_protocol::PROTOCOL_VERSION,
                "agent_id": binding.id,
                "host": {"hostname": name},
                "sequence": 1,
                "sample_time_seconds": NOW - ago,
                "interval_secs": 30,
                "agent_version": "test",
            }))
            .unwrap();
            (Arc::new(r), NOW - ago)
        });
        HostState {
            binding,
            latest,
            inventory: None,
        }
    }

    fn sla(agency: &str, status: SlaStatus, up: f64, down: f64) -> HostSla {
        HostSla {
            host: "h".into(),
            agency: agency.into(),
            site: None,
            agent_id: "a".into(),
            sla: "colo".into(),
            target_ratio: 0.995,
            availability_ratio: Some(up / (up + down)),
            up_seconds: up,
            down_seconds: down,
            maintenance_seconds: 0.0,
            unknown_seconds: 0.0,
            outage_count: 0,
            longest_outage_seconds: 0.0,
            downtime_budget_seconds: 0.0,
            downtime_budget_remaining_seconds: 0.0,
            status,
            outages: Vec::new(),
        }
    }

    fn backup(
        agency: &str,
        state: BackupState,
        restore: RestoreTestState,
    ) -> crate::backups::Status {
        crate::backups::Status {
            id: format!("{agency}-db"),
            agency: agency.into(),
            dataset: "db".into(),
            state,
            message: String::new(),
            age_seconds: None,
            last_time: None,
            last_time_seconds: None,
            last_size_bytes: None,
            last_name: None,
            last_checksum: None,
            size_trend: Vec::new(),
            size_change_ratio: None,
            last_host: None,
            interval_seconds: 86400.0,
            max_age_seconds: 129_600.0,
            min_size_bytes: 0,
            restore_test_state: restore,
            restore_test_age_seconds: None,
            restore_test_last: None,
        }
    }

    fn site(agency: &str, state: LanState, unacked: i64, devices: i64) -> SiteStatus {
        SiteStatus {
            agency: agency.into(),
            site: "kantor".into(),
            state,
            version: (state != LanState::Missing).then_some(3),
            devices,
            links: devices.saturating_sub(1),
            age_seconds: None,
            changes_total: unacked,
            unacknowledged_changes: unacked,
        }
    }

    fn rows(
        agencies: &[Agency],
        hosts: &[HostState],
        sla: &[HostSla],
        backups: &[crate::backups::Status],
        lan: &[SiteStatus],
    ) -> Vec<ScoreRow> {
        score(
            &Inputs {
                agencies,
                hosts,
                sla,
                backups,
                lan,
                grace_intervals: 3,
                skew_secs: 300,
                now: NOW,
            },
            None,
        )
    }

    #[test]
    fn an_agency_meeting_every_duty_is_ok() {
        let r = rows(
            &[agency("dinkes")],
            &[host("dinkes", "web-1", Some(10.0))],
            &[sla("dinkes", SlaStatus::Met, 999.0, 1.0)],
            &[backup("dinkes", BackupState::Ok, RestoreTestState::Ok)],
            &[site("dinkes", LanState::Ok, 0, 12)],
        );
        assert_eq!(r.len(), 1);
        let r = &r[0];
        assert_eq!((r.hosts_up, r.hosts), (1, 1));
        assert_eq!(r.sla, SlaStatus::Met);
        assert_eq!(r.sla_ratio, Some(0.999));
        assert_eq!(r.backups, Some(BackupState::Ok));
        assert_eq!(r.lan, LanDuty::Current);
        assert_eq!(r.lan_devices, 12);
        assert_eq!(r.overall, Overall::Ok);
        assert_eq!(r.name, "Dinas dinkes");
    }

    #[test]
    fn each_failed_duty_alone_needs_attention() {
        let a = [agency("dinkes")];
        let up = [host("dinkes", "web-1", Some(10.0))];
        let met = [sla("dinkes", SlaStatus::Met, 999.0, 1.0)];
        let ok_backup = [backup("dinkes", BackupState::Ok, RestoreTestState::Ok)];
        let current = [site("dinkes", LanState::Ok, 0, 4)];
        let overall = |hosts: &[HostState],
                       s: &[HostSla],
                       b: &[crate::backups::Status],
                       l: &[SiteStatus]| rows(&a, hosts, s, b, l)[0].overall;
        assert_eq!(overall(&up, &met, &ok_backup, &current), Overall::Ok);
        // a host silent for longer than 3 intervals of 30 s
        let down = [host("dinkes", "web-1", Some(200.0))];
        assert_eq!(
            overall(&down, &met, &ok_backup, &current),
            Overall::Attention
        );
        let breached = [sla("dinkes", SlaStatus::Breached, 900.0, 100.0)];
        assert_eq!(
            overall(&up, &breached, &ok_backup, &current),
            Overall::Attention
        );
        let late = [backup("dinkes", BackupState::Late, RestoreTestState::Ok)];
        assert_eq!(overall(&up, &met, &late, &current), Overall::Attention);
        let untested = [backup("dinkes", BackupState::Ok, RestoreTestState::Due)];
        assert_eq!(overall(&up, &met, &untested, &current), Overall::Attention);
        let changed = [site("dinkes", LanState::Ok, 2, 4)];
        assert_eq!(overall(&up, &met, &ok_backup, &changed), Overall::Attention);
        let overdue = [site("dinkes", LanState::Overdue, 0, 4)];
        assert_eq!(overall(&up, &met, &ok_backup, &overdue), Overall::Attention);
        // no SLA data and no obligations are not failures; no LAN diagram is
        assert_eq!(overall(&up, &[], &[], &current), Overall::Ok);
        assert_eq!(overall(&up, &met, &ok_backup, &[]), Overall::Attention);
    }

    #[test]
    fn the_worst_backup_state_and_the_counts_per_state() {
        let r = &rows(
            &[agency("dinkes")],
            &[],
            &[],
            &[
                backup("dinkes", BackupState::Ok, RestoreTestState::Ok),
                backup("dinkes", BackupState::Late, RestoreTestState::Never),
                backup("dinkes", BackupState::Late, RestoreTestState::Ok),
                backup("dinkes", BackupState::Missing, RestoreTestState::Due),
                backup("bappeda", BackupState::Failed, RestoreTestState::Due),
            ],
            &[],
        )[0];
        assert_eq!(r.backups, Some(BackupState::Missing));
        assert_eq!(r.backups_str(), "missing");
        assert_eq!(
            r.backup_counts,
            vec![
                (BackupState::Missing, 1),
                (BackupState::Late, 2),
                (BackupState::Ok, 1)
            ]
        );
        assert_eq!(r.restore_tests_due, 2);
        let none = &rows(&[agency("dinkes")], &[], &[], &[], &[])[0];
        assert_eq!(none.backups, None);
        assert_eq!(none.backups_str(), "none");
        assert_eq!(none.lan, LanDuty::None);
        assert_eq!(none.sla, SlaStatus::NoData);
        assert_eq!(none.sla_ratio, None);
    }

    #[test]
    fn sla_adds_up_the_agencys_hosts_and_one_breach_breaches_it() {
        let r = &rows(
            &[agency("dinkes"), agency("bappeda")],
            &[],
            &[
                sla("dinkes", SlaStatus::Met, 1000.0, 0.0),
                sla("dinkes", SlaStatus::Breached, 800.0, 200.0),
                sla("bappeda", SlaStatus::Met, 10.0, 0.0),
            ],
            &[],
            &[],
        );
        assert_eq!(r[0].sla, SlaStatus::Breached);
        assert_eq!(r[0].sla_hosts_breached, 1);
        assert_eq!(r[0].sla_ratio, Some(0.9));
        assert_eq!(r[1].agency, "bappeda");
        assert_eq!(r[1].sla, SlaStatus::Met);
    }

    #[test]
    fn lan_duty_over_sites_missing_then_overdue_then_changed() {
        let a = [agency("dinkes")];
        let lan = |sites: &[SiteStatus]| rows(&a, &[], &[], &[], sites)[0].lan;
        assert_eq!(
            lan(&[site("dinkes", LanState::Missing, 0, 0)]),
            LanDuty::None
        );
        assert_eq!(
            lan(&[
                site("dinkes", LanState::Ok, 3, 4),
                site("dinkes", LanState::Overdue, 0, 4)
            ]),
            LanDuty::Overdue
        );
        assert_eq!(lan(&[site("dinkes", LanState::Ok, 3, 4)]), LanDuty::Changed);
        let r = &rows(
            &a,
            &[],
            &[],
            &[],
            &[
                site("dinkes", LanState::Ok, 1, 4),
                site("dinkes", LanState::Ok, 2, 6),
            ],
        )[0];
        assert_eq!((r.lan_unacknowledged, r.lan_devices), (3, 10));
    }

    #[test]
    fn only_one_agency_and_the_filter() {
        let a = [agency("dinkes"), agency("bappeda")];
        let i = Inputs {
            agencies: &a,
            hosts: &[],
            sla: &[],
            backups: &[backup("bappeda", BackupState::Late, RestoreTestState::Ok)],
            lan: &[site("dinkes", LanState::Ok, 0, 1)],
            grace_intervals: 3,
            skew_secs: 300,
            now: NOW,
        };
        let only = score(&i, Some("bappeda"));
        assert_eq!(only.len(), 1);
        assert_eq!(only[0].agency, "bappeda");
        let all = score(&i, None);
        let pass = |f: &str| -> Vec<String> {
            let f = Filter::parse(f).unwrap();
            all.iter()
                .filter(|r| f.passes(r))
                .map(|r| r.agency.clone())
                .collect()
        };
        assert_eq!(pass("all"), ["dinkes", "bappeda"]);
        assert_eq!(pass("ok"), ["dinkes"]);
        assert_eq!(pass("attention"), ["bappeda"]);
        assert_eq!(pass("late"), ["bappeda"]);
        assert_eq!(pass("current"), ["dinkes"]);
        assert_eq!(pass("none"), ["bappeda"]);
        assert_eq!(Filter::parse("green"), None);
    }

    #[test]
    fn rows_serialize_states_as_their_names() {
        let r = &rows(
            &[agency("dinkes")],
            &[],
            &[],
            &[backup(
                "dinkes",
                BackupState::TooSmall,
                RestoreTestState::Ok,
            )],
            &[],
        )[0];
        let j = serde_json::to_value(r).unwrap();
        assert_eq!(j["backups"], "too_small");
        assert_eq!(j["sla"], "no_data");
        assert_eq!(j["lan"], "none");
        assert_eq!(j["overall"], "attention");
        assert_eq!(j["backup_counts"], serde_json::json!({"too_small": 1}));
        assert_eq!(r.backup_text(), "1 too small");
    }

    #[test]
    fn csv_has_one_row_per_agency_with_states_spelled_out() {
        let r = rows(
            &[agency("dinkes"), agency("bappeda")],
            &[host("dinkes", "web-1", Some(10.0))],
            &[sla("dinkes", SlaStatus::Met, 999.0, 1.0)],
            &[backup("bappeda", BackupState::Late, RestoreTestState::Ok)],
            &[site("dinkes", LanState::Ok, 0, 5)],
        );
        let csv = to_csv(&r);
        let lines: Vec<&str> = csv.lines().collect();
        assert_eq!(lines.len(), 3, "{csv}");
        assert!(
            lines[0].starts_with("agency,name,agents_reporting"),
            "{csv}"
        );
        assert_eq!(
            lines[1],
            "dinkes,Dinas dinkes,1,1,met,99.900,0,none,no obligations,0,current,0,1,5,ok"
        );
        assert_eq!(
            lines[2],
            "bappeda,Dinas bappeda,0,0,no_data,,0,late,1 late,0,none,0,0,0,attention"
        );
    }
}
