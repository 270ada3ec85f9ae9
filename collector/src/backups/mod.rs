//! Backup obligations: what each agency must back up, how often, how big and where; the
//! evidence agents' probes send; and the state of every obligation.

use crate::params;
use crate::store::Db;
use serde::Serialize;

use crate::config::{BackupSettings, SiteKind};
use crate::store::{CheckinStatus, StoreError, TestResult};

/// The obligations are settings (collector.toml and `POST /api/v1/obligations`).
pub use crate::config::backups::{EvidenceKind, Obligation};

/// Why a piece of backup evidence in a report was not stored.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum EvidenceRefusal {
    /// No obligation with that id is declared.
    Unknown,
    /// The obligation is another agency's, and this agent is not among its `reporters`.
    OtherAgency,
}

impl EvidenceRefusal {
    /// The reason as a metric label and in the ingest answer.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Unknown => "unknown_obligation",
            Self::OtherAgency => "other_agency",
        }
    }
}

/// Whether the agent `b` may send evidence for `ob`.
pub fn may_report(ob: &Obligation, b: &crate::store::AgentBinding) -> bool {
    ob.agency == b.agency
        || ob.reporters.iter().any(|r| match r.split_once('/') {
            Some((agency, host)) => agency == b.agency && host.eq_ignore_ascii_case(&b.host),
            None => *r == b.id,
        })
}

/// Removes from `reports` every piece of backup evidence the agent `b` may not send
/// (an undeclared obligation, or another agency's that does not name it in
/// `reporters`), and returns them as (report index, index in its `backups`, obligation
/// id, why): evidence binds to the reporting agent's agency as strictly as its
/// heartbeats do.
pub fn bind_evidence(
    declared: &[Obligation],
    b: &crate::store::AgentBinding,
    reports: &mut [simpul_protocol::Report],
) -> Vec<(usize, usize, String, EvidenceRefusal)> {
    let mut refused = Vec::new();
    for (i, r) in reports.iter_mut().enumerate() {
        let mut k = 0;
        r.backups.retain(|e| {
            k += 1;
            let why = match declared.iter().find(|o| o.id == e.obligation) {
                None => Some(EvidenceRefusal::Unknown),
                Some(o) if !may_report(o, b) => Some(EvidenceRefusal::OtherAgency),
                Some(_) => None,
            };
            if let Some(why) = why {
                refused.push((i, k - 1, e.obligation.clone(), why));
            }
            why.is_none()
        });
    }
    refused
}

/// The host shown for evidence of an obligation of `agency`: the reporting host's name
/// when it is of the same agency, else only which agency's host it was, so that an
/// agency's backup history never names another agency's hosts. (SQL, with the
/// obligation's agency as the parameter `?{param}`.)
fn shown_host(param: u8) -> String {
    format!("CASE WHEN a.agency = ?{param} THEN a.host ELSE 'host of ' || a.agency END")
}

/// Every declared obligation: those of collector.toml, then those declared through the
/// API (an id in both is the file's).
pub fn declared(conn: &Db, cfg: &BackupSettings<'_>) -> Result<Vec<Obligation>, StoreError> {
    let mut all = cfg.obligations.to_vec();
    for s in crate::store::api_obligations(conn)? {
        if !cfg.obligations.iter().any(|o| o.id == s.obligation.id) {
            all.push(s.obligation);
        }
    }
    Ok(all)
}

/// The declared obligation `id`, or an error naming the declared ones.
pub fn find(
    conn: &Db,
    cfg: &BackupSettings<'_>,
    id: &str,
) -> Result<Result<Obligation, String>, StoreError> {
    let all = declared(conn, cfg)?;
    Ok(match all.iter().find(|o| o.id == id) {
        Some(o) => Ok(o.clone()),
        None => {
            let ids: Vec<_> = all.iter().map(|o| o.id.as_str()).collect();
            Err(format!(
                "unknown obligation {id:?}; declared: {}",
                if ids.is_empty() {
                    "none".to_string()
                } else {
                    ids.join(", ")
                }
            ))
        }
    })
}

/// The newest evidence of an obligation, with where it came from.
#[derive(Debug, Clone, Serialize)]
pub struct Latest {
    pub host: String,
    pub site: Option<String>,
    pub sample_time: f64,
    pub error: String,
    pub latest_time: Option<f64>,
    pub latest_size: Option<u64>,
    pub latest_name: String,
    /// `sha256:<hex>` of the newest backup, when known.
    pub latest_checksum: String,
    pub count: u64,
}

/// One backup of the size trend.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct SizePoint {
    /// When the backup was written.
    pub time_seconds: f64,
    pub size_bytes: u64,
}

/// How many recent backups the size trend shows.
pub const TREND_POINTS: u32 = 8;

/// The state of one obligation.
#[derive(Debug, Clone, Serialize)]
pub struct Status {
    pub id: String,
    pub agency: String,
    pub dataset: String,
    pub state: BackupState,
    pub message: String,
    pub age_seconds: Option<f64>,
    pub last_time: Option<String>,
    pub last_time_seconds: Option<f64>,
    pub last_size_bytes: Option<u64>,
    pub last_name: Option<String>,
    pub last_checksum: Option<String>,
    /// Sizes of the newest backups (up to 8, one per backup, oldest first).
    pub size_trend: Vec<SizePoint>,
    /// Newest size over the one before, minus 1 (-0.5: half the size of the last one).
    pub size_change_ratio: Option<f64>,
    pub last_host: Option<String>,
    pub interval_seconds: f64,
    pub max_age_seconds: f64,
    pub min_size_bytes: u64,
    pub restore_test_state: RestoreTestState,
    pub restore_test_age_seconds: Option<f64>,
    pub restore_test_last: Option<crate::store::RestoreTest>,
}

crate::states! {
    /// An obligation's state; `ALL` is in order of severity (the first that applies
    /// wins, and the scorecard shows the worst).
    pub enum BackupState {
        NeverSeen = "never_seen",
        Failed = "failed",
        Missing = "missing",
        WrongPlace = "wrong_place",
        TooSmall = "too_small",
        Late = "late",
        Ok = "ok",
    }
}

crate::states! {
    /// Whether an obligation's restore test is current.
    pub enum RestoreTestState {
        /// A passing test within `restore_test_max_age`.
        Ok = "ok",
        /// The newest test is older, or it failed.
        Due = "due",
        /// No test recorded.
        Never = "never",
    }
}

/// Computes an obligation's state from its newest evidence at `now`.
pub fn state(
    ob: &Obligation,
    latest: Option<&Latest>,
    site_kind: impl Fn(&str) -> Option<SiteKind>,
    now: f64,
) -> (BackupState, String) {
    let Some(l) = latest else {
        return (BackupState::NeverSeen, "no evidence has arrived yet".into());
    };
    let Some(t) = l.latest_time else {
        return if l.error.is_empty() {
            (
                BackupState::NeverSeen,
                format!("{} found no backup", l.host),
            )
        } else {
            (BackupState::Failed, format!("{}: {}", l.host, l.error))
        };
    };
    let age = now - t;
    if age > ob.max_age_secs() {
        return (
            BackupState::Missing,
            format!(
                "newest backup is {:.1} h old, more than max_age {}",
                age / 3600.0,
                ob.max_age
                    .as_ref()
                    .map_or("(interval × 1.5)", |s| s.as_str())
            ),
        );
    }
    if !ob.locations.is_empty() {
        let site = l.site.as_deref().unwrap_or("");
        let ok = ob
            .locations
            .iter()
            .any(|loc| loc == site || site_kind(site).is_some_and(|k| k.as_str() == loc));
        if !ok {
            return (
                BackupState::WrongPlace,
                format!(
                    "evidence from {} at site {site:?}; required: {}",
                    l.host,
                    ob.locations.join(" or ")
                ),
            );
        }
    }
    if l.latest_size.unwrap_or(0) < ob.min_size_bytes {
        return (
            BackupState::TooSmall,
            format!(
                "newest backup is {} bytes, less than min_size_bytes {}",
                l.latest_size.unwrap_or(0),
                ob.min_size_bytes
            ),
        );
    }
    if age > ob.interval_secs() {
        return (
            BackupState::Late,
            format!(
                "newest backup is {:.1} h old, more than interval {}",
                age / 3600.0,
                ob.interval
            ),
        );
    }
    (BackupState::Ok, String::new())
}

/// The state of an obligation whose backup job checks in itself: its last finished
/// check-in decides, and a `start` without a finish for longer than the interval is a
/// failure. (Where a check-in comes from is not a site, so `locations` are not checked.)
pub fn checkin_state(
    ob: &Obligation,
    newest_first: &[crate::store::Checkin],
    now: f64,
) -> (Option<Latest>, (BackupState, String)) {
    let Some(newest) = newest_first.first() else {
        return (
            None,
            (BackupState::NeverSeen, "no check-in has arrived yet".into()),
        );
    };
    if newest.status == CheckinStatus::Start && now - newest.at > ob.interval_secs() {
        return (
            None,
            (
                BackupState::Failed,
                format!(
                    "the job started {:.1} h ago and never finished",
                    (now - newest.at) / 3600.0
                ),
            ),
        );
    }
    let Some(done) = newest_first
        .iter()
        .find(|c| c.status != CheckinStatus::Start)
    else {
        return (
            None,
            (
                BackupState::NeverSeen,
                "the job started but has not finished yet".into(),
            ),
        );
    };
    if done.status == CheckinStatus::Fail {
        let msg = if done.message.is_empty() {
            "no message".into()
        } else {
            done.message.clone()
        };
        return (
            None,
            (
                BackupState::Failed,
                format!("the job reported a failure: {msg}"),
            ),
        );
    }
    let l = Latest {
        host: format!("check-in from {}", done.source),
        site: None,
        sample_time: done.at,
        error: String::new(),
        latest_time: Some(done.at),
        latest_size: done.size_bytes,
        latest_name: String::new(),
        latest_checksum: done.checksum.clone(),
        count: 1,
    };
    let mut ob = ob.clone();
    ob.locations.clear();
    let s = state(&ob, Some(&l), |_| None, now);
    (Some(l), s)
}

/// The newest evidence stored for `obligation`.
pub fn latest(conn: &Db, ob: &Obligation) -> Result<Option<Latest>, StoreError> {
    Ok(conn.query_row(
        &format!("SELECT {}, a.site, e.sample_time, e.error, e.latest_time, e.latest_size, e.latest_name, e.count, e.latest_checksum
         FROM backup_evidence e JOIN agents a ON a.id = e.agent_id
         WHERE e.obligation = ?1 ORDER BY e.sample_time DESC LIMIT 1", shown_host(2)),
        params![ob.id, ob.agency],
        |r| {
            Ok(Latest {
                host: r.get(0)?,
                site: r.get(1)?,
                sample_time: r.get(2)?,
                error: r.get(3)?,
                latest_time: r.get(4)?,
                latest_size: r.get::<_, Option<i64>>(5)?.map(|x| x as u64),
                latest_name: r.get(6)?,
                count: r.get::<_, i64>(7)? as u64,
                latest_checksum: r.get(8)?,
            })
        },
    )?)
}

/// The sizes of the newest [`TREND_POINTS`] backups of an obligation, oldest first:
/// one point per distinct backup (probes read the same backup many times).
pub fn size_trend(conn: &Db, ob: &Obligation) -> Result<Vec<SizePoint>, StoreError> {
    let sql = match ob.evidence {
        EvidenceKind::Probe => {
            "SELECT latest_time, max(latest_size) FROM backup_evidence
             WHERE obligation = ?1 AND latest_time IS NOT NULL AND latest_size IS NOT NULL
             GROUP BY latest_time ORDER BY latest_time DESC LIMIT ?2"
        }
        EvidenceKind::Checkin => {
            "SELECT at, size_bytes FROM backup_checkins
             WHERE obligation = ?1 AND status = 'ok' AND size_bytes IS NOT NULL
             ORDER BY at DESC LIMIT ?2"
        }
    };
    let mut v = conn.query(sql, params![ob.id, TREND_POINTS], |r| {
        Ok(SizePoint {
            time_seconds: r.get(0)?,
            size_bytes: r.get::<_, i64>(1)?.max(0) as u64,
        })
    })?;
    v.reverse();
    Ok(v)
}

/// Newest size over the previous one, minus 1.
pub fn size_change(trend: &[SizePoint]) -> Option<f64> {
    match trend {
        [.., a, b] if a.size_bytes > 0 => Some(b.size_bytes as f64 / a.size_bytes as f64 - 1.0),
        _ => None,
    }
}

/// The distinct backups of an obligation written in [from, to), oldest first: one per
/// backup (probes read the same backup many times; a check-in is one backup). The
/// yearly report's history.
pub fn backups_between(
    conn: &Db,
    ob: &Obligation,
    from: f64,
    to: f64,
) -> Result<Vec<SizePoint>, StoreError> {
    let sql = match ob.evidence {
        EvidenceKind::Probe => {
            "SELECT latest_time, max(latest_size) FROM backup_evidence
             WHERE obligation = ?1 AND latest_time IS NOT NULL AND latest_time >= ?2 AND latest_time < ?3
             GROUP BY latest_time ORDER BY latest_time"
        }
        EvidenceKind::Checkin => {
            "SELECT at, size_bytes FROM backup_checkins
             WHERE obligation = ?1 AND status = 'ok' AND at >= ?2 AND at < ?3
             ORDER BY at"
        }
    };
    Ok(conn.query(sql, params![ob.id, from, to], |r| {
        Ok(SizePoint {
            time_seconds: r.get(0)?,
            size_bytes: r.get::<_, Option<i64>>(1)?.unwrap_or(0).max(0) as u64,
        })
    })?)
}

/// When a failure of an obligation's backup was reported in [from, to), oldest first:
/// a probe's reading with an error, or a check-in with status `fail`.
pub fn failures_between(
    conn: &Db,
    ob: &Obligation,
    from: f64,
    to: f64,
) -> Result<Vec<f64>, StoreError> {
    let sql = match ob.evidence {
        EvidenceKind::Probe => {
            "SELECT sample_time FROM backup_evidence
             WHERE obligation = ?1 AND error <> '' AND sample_time >= ?2 AND sample_time < ?3
             ORDER BY sample_time"
        }
        EvidenceKind::Checkin => {
            "SELECT at FROM backup_checkins
             WHERE obligation = ?1 AND status = 'fail' AND at >= ?2 AND at < ?3 ORDER BY at"
        }
    };
    Ok(conn.query(sql, params![ob.id, from, to], |r| r.get(0))?)
}

/// The state of every obligation (of one agency, if given) at `now`.
pub fn statuses(
    conn: &Db,
    cfg: &BackupSettings<'_>,
    now: f64,
    agency: Option<&str>,
) -> Result<Vec<Status>, StoreError> {
    let zone = cfg.zone;
    let site_kind =
        |id: &str| -> Option<SiteKind> { cfg.sites.iter().find(|s| s.id == id).map(|s| s.kind) };
    let mut out = Vec::new();
    for ob in declared(conn, cfg)?
        .iter()
        .filter(|o| agency.is_none_or(|a| a == o.agency))
    {
        let (l, (state, message)) = match ob.evidence {
            EvidenceKind::Probe => {
                let l = latest(conn, ob)?;
                let s = state(ob, l.as_ref(), site_kind, now);
                (l, s)
            }
            EvidenceKind::Checkin => {
                let cs = crate::store::checkins(conn, &ob.id, 100)?;
                checkin_state(ob, &cs, now)
            }
        };
        let rt = crate::store::last_restore_test(conn, &ob.id)?;
        let restore = match &rt {
            None => RestoreTestState::Never,
            Some(t)
                if t.result == TestResult::Ok && now - t.at <= ob.restore_test_max_age_secs() =>
            {
                RestoreTestState::Ok
            }
            Some(_) => RestoreTestState::Due,
        };
        let t = l.as_ref().and_then(|l| l.latest_time);
        let trend = size_trend(conn, ob)?;
        out.push(Status {
            id: ob.id.clone(),
            agency: ob.agency.clone(),
            dataset: ob.dataset.clone(),
            state,
            message,
            age_seconds: t.map(|t| now - t),
            last_time: t.map(|t| zone.format(t)),
            last_time_seconds: t,
            last_size_bytes: l.as_ref().and_then(|l| l.latest_size),
            last_name: l
                .as_ref()
                .map(|l| l.latest_name.clone())
                .filter(|n| !n.is_empty()),
            last_host: l.as_ref().map(|l| l.host.clone()),
            last_checksum: l
                .as_ref()
                .map(|l| l.latest_checksum.clone())
                .filter(|c| !c.is_empty()),
            size_change_ratio: size_change(&trend),
            size_trend: trend,
            interval_seconds: ob.interval_secs(),
            max_age_seconds: ob.max_age_secs(),
            min_size_bytes: ob.min_size_bytes,
            restore_test_state: restore,
            restore_test_age_seconds: rt.as_ref().map(|t| now - t.at),
            restore_test_last: rt,
        });
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ob() -> Obligation {
        Obligation {
            id: "dinkes-simpus-db".into(),
            agency: "dinkes".into(),
            dataset: "SIMPUS database".into(),
            interval: "24h".into(),
            max_age: Some("36h".into()),
            min_size_bytes: 1 << 20,
            locations: vec!["pusat-data".into()],
            evidence: EvidenceKind::Probe,
            restore_test_max_age: "90d".into(),
            reporters: Vec::new(),
        }
    }

    /// Finding: backup evidence was not bound to the reporting agent's agency.
    #[test]
    fn backup_evidence_is_bound_to_the_agents_agency() {
        let binding = |agency: &str, host: &str| crate::store::AgentBinding {
            id: format!("a-{host}"),
            agency: agency.into(),
            host: host.into(),
            site: None,
        };
        let mut shared = ob();
        shared.id = "dinkes-arsip".into();
        shared.reporters = vec!["diskominfo/backup-01".into(), "a-nas-02".into()];
        let declared = [ob(), shared];
        let report = |obligations: &[&str]| {
            let mut r: simpul_protocol::Report = serde_json::from_value(serde_json::json!({
                "version": 1, "agent_id": "a", "host": {"hostname": "h"}, "sequence": 1,
                "sample_time_seconds": 0.0, "interval_secs": 30, "agent_version": "t"
            }))
            .unwrap();
            r.backups = obligations
                .iter()
                .map(|o| serde_json::from_value(serde_json::json!({"obligation": o, "kind": "files", "count": 0, "total_size_bytes": 0})).unwrap())
                .collect();
            r
        };
        let all = ["dinkes-simpus-db", "dinkes-arsip", "nope"];
        // the agency's own agent: every declared obligation of its agency
        let mut rs = [report(&all)];
        let refused = bind_evidence(&declared, &binding("dinkes", "opd-01"), &mut rs);
        assert_eq!(
            refused,
            vec![(0, 2, "nope".to_owned(), EvidenceRefusal::Unknown)]
        );
        assert_eq!(rs[0].backups.len(), 2);
        // another agency's agent: only what names it in reporters, by host or agent id
        for host in ["backup-01", "BACKUP-01", "nas-02"] {
            let mut rs = [report(&all), report(&["dinkes-arsip"])];
            let refused = bind_evidence(&declared, &binding("diskominfo", host), &mut rs);
            assert_eq!(
                refused,
                vec![
                    (
                        0,
                        0,
                        "dinkes-simpus-db".to_owned(),
                        EvidenceRefusal::OtherAgency
                    ),
                    (0, 2, "nope".to_owned(), EvidenceRefusal::Unknown)
                ],
                "{host}"
            );
            assert_eq!(rs[0].backups[0].obligation, "dinkes-arsip");
            assert_eq!(rs[1].backups.len(), 1);
        }
        let mut rs = [report(&["dinkes-arsip"])];
        let refused = bind_evidence(&declared, &binding("bappeda", "web-01"), &mut rs);
        assert_eq!(refused[0].3, EvidenceRefusal::OtherAgency);
        assert!(rs[0].backups.is_empty());
        // another agency's host of the same name is not the shared backup server
        let mut rs = [report(&["dinkes-arsip"])];
        let refused = bind_evidence(&declared, &binding("bappeda", "backup-01"), &mut rs);
        assert_eq!(refused[0].3, EvidenceRefusal::OtherAgency);
    }

    fn ev(site: &str, age_h: f64, size: u64) -> Latest {
        Latest {
            host: "backup-01".into(),
            site: Some(site.into()),
            sample_time: 0.0,
            error: String::new(),
            latest_time: Some(-age_h * 3600.0),
            latest_size: Some(size),
            latest_name: "simpus.sql.gz".into(),
            latest_checksum: String::new(),
            count: 3,
        }
    }

    fn kind(id: &str) -> Option<SiteKind> {
        match id {
            "pd-1" => Some(SiteKind::PusatData),
            "kantor-dinkes" => Some(SiteKind::OpdOffice),
            _ => None,
        }
    }

    #[test]
    fn states_follow_age_size_place_and_errors() {
        let o = ob();
        let st = |l: Option<&Latest>| state(&o, l, kind, 0.0).0;
        assert_eq!(st(None), BackupState::NeverSeen);
        assert_eq!(st(Some(&ev("pd-1", 2.0, 2 << 20))), BackupState::Ok);
        assert_eq!(st(Some(&ev("pd-1", 25.0, 2 << 20))), BackupState::Late);
        assert_eq!(st(Some(&ev("pd-1", 37.0, 2 << 20))), BackupState::Missing);
        assert_eq!(st(Some(&ev("pd-1", 2.0, 1000))), BackupState::TooSmall);
        assert_eq!(
            st(Some(&ev("kantor-dinkes", 2.0, 2 << 20))),
            BackupState::WrongPlace
        );
        let mut failed = ev("pd-1", 0.0, 0);
        failed.latest_time = None;
        failed.error = "cannot read /srv/backup: Permission denied".into();
        let (s, m) = state(&o, Some(&failed), kind, 0.0);
        assert_eq!(s, BackupState::Failed);
        assert!(m.contains("Permission denied"), "{m}");
        assert_eq!(o.max_age_secs(), 36.0 * 3600.0);
        let mut d = ob();
        d.max_age = None;
        assert_eq!(d.max_age_secs(), 36.0 * 3600.0, "default interval × 1.5");
    }
}
