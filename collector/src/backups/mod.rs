//! Backup obligations: what each agency must back up, how often, how big and where; the
//! evidence agents' probes send; and the state of every obligation.

use crate::params;
use crate::store::Db;
use serde::Serialize;

use crate::config::{BackupSettings, SiteKind};
use crate::i18n::{Lang, Msg};
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
    /// `host` for the reader's language when it is not a host's name (`host of
    /// bappeda`, `check-in from 10.0.0.5`); empty for a name.
    #[serde(default, skip_serializing_if = "Msg::is_empty")]
    pub host_message: Msg,
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

/// A number with one decimal as a message argument (`25.3` in English, `25,3` in
/// Indonesian), written as `{:.1}` writes it: a message's numbers have no decimals.
fn one_decimal(x: f64) -> Msg {
    let text = format!("{x:.1}");
    let (int, frac) = text.split_once('.').unwrap_or((&text, "0"));
    Msg::new("backups-decimal")
        .text("int", int)
        .text("frac", frac)
}

/// The evidence's host in a message: its name, or what `host_message` says.
fn with_host(m: Msg, l: &Latest) -> Msg {
    if l.host_message.is_empty() {
        m.text("host", l.host.clone())
    } else {
        m.list("host", vec![l.host_message.clone()])
    }
}

/// `items` joined by "or" in the reader's language.
fn or_list(items: &[String]) -> Msg {
    match items {
        [] => Msg::default(),
        [one] => Msg::new("backups-word").text("word", one.clone()),
        [first, rest @ ..] => Msg::new("backups-or")
            .text("first", first.clone())
            .list("rest", vec![or_list(rest)]),
    }
}

/// Computes an obligation's state from its newest evidence at `now`, and why (a
/// message: its English words are the API's `message`; empty when ok).
pub fn state(
    ob: &Obligation,
    latest: Option<&Latest>,
    site_kind: impl Fn(&str) -> Option<SiteKind>,
    now: f64,
) -> (BackupState, Msg) {
    let Some(l) = latest else {
        return (BackupState::NeverSeen, Msg::new("backups-why-no-evidence"));
    };
    let Some(t) = l.latest_time else {
        return if l.error.is_empty() {
            (
                BackupState::NeverSeen,
                with_host(Msg::new("backups-why-found-none"), l),
            )
        } else {
            (
                BackupState::Failed,
                with_host(Msg::new("backups-why-probe-error"), l).text("error", l.error.clone()),
            )
        };
    };
    let age = now - t;
    if age > ob.max_age_secs() {
        let max_age = match &ob.max_age {
            Some(s) => Msg::new("backups-word").text("word", s.as_str()),
            None => Msg::new("backups-default-max-age"),
        };
        return (
            BackupState::Missing,
            Msg::new("backups-why-missing")
                .list("hours", vec![one_decimal(age / 3600.0)])
                .list("max_age", vec![max_age]),
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
                with_host(Msg::new("backups-why-wrong-place"), l)
                    .text("site", format!("{site:?}"))
                    .list("required", vec![or_list(&ob.locations)]),
            );
        }
    }
    if l.latest_size.unwrap_or(0) < ob.min_size_bytes {
        return (
            BackupState::TooSmall,
            Msg::new("backups-why-too-small")
                .text("size", l.latest_size.unwrap_or(0).to_string())
                .text("min", ob.min_size_bytes.to_string()),
        );
    }
    if age > ob.interval_secs() {
        return (
            BackupState::Late,
            Msg::new("backups-why-late")
                .list("hours", vec![one_decimal(age / 3600.0)])
                .text("interval", ob.interval.to_string()),
        );
    }
    (BackupState::Ok, Msg::default())
}

/// The state of an obligation whose backup job checks in itself: its last finished
/// check-in decides, and a `start` without a finish for longer than the interval is a
/// failure. (Where a check-in comes from is not a site, so `locations` are not checked.)
pub fn checkin_state(
    ob: &Obligation,
    newest_first: &[crate::store::Checkin],
    now: f64,
) -> (Option<Latest>, (BackupState, Msg)) {
    let Some(newest) = newest_first.first() else {
        return (
            None,
            (BackupState::NeverSeen, Msg::new("backups-why-no-checkin")),
        );
    };
    if newest.status == CheckinStatus::Start && now - newest.at > ob.interval_secs() {
        return (
            None,
            (
                BackupState::Failed,
                Msg::new("backups-why-job-unfinished")
                    .list("hours", vec![one_decimal((now - newest.at) / 3600.0)]),
            ),
        );
    }
    let Some(done) = newest_first
        .iter()
        .find(|c| c.status != CheckinStatus::Start)
    else {
        return (
            None,
            (BackupState::NeverSeen, Msg::new("backups-why-job-running")),
        );
    };
    if done.status == CheckinStatus::Fail {
        let why = if done.message.is_empty() {
            Msg::new("backups-why-job-failed").list("message", vec![Msg::new("backups-no-message")])
        } else {
            Msg::new("backups-why-job-failed").text("message", done.message.clone())
        };
        return (None, (BackupState::Failed, why));
    }
    let l = Latest {
        host: format!("check-in from {}", done.source),
        host_message: Msg::new("backups-checkin-from").text("source", done.source.clone()),
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
        &format!("SELECT {}, a.site, e.sample_time, e.error, e.latest_time, e.latest_size, e.latest_name, e.count, e.latest_checksum, a.agency
         FROM backup_evidence e JOIN agents a ON a.id = e.agent_id
         WHERE e.obligation = ?1 ORDER BY e.sample_time DESC LIMIT 1", shown_host(2)),
        params![ob.id, ob.agency],
        |r| {
            let agency: String = r.get(9)?;
            Ok(Latest {
                host: r.get(0)?,
                // another agency's host is named only by its agency (see `shown_host`)
                host_message: if agency == ob.agency {
                    Msg::default()
                } else {
                    Msg::new("backups-host-of").text("agency", agency)
                },
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

/// An obligation's state with its explanations as messages for the reader's language
/// (the pages'): [`Status`] holds them in English words, as the API gives them.
#[derive(Debug, Clone)]
pub struct Explained {
    pub status: Status,
    /// `status.message` (empty when it is).
    pub message: Msg,
    /// `status.last_host` when it is not a host's name (`host of bappeda`); empty
    /// for a name.
    pub host: Msg,
}

impl Explained {
    /// What `status.message` says, in `lang`.
    pub fn message_in(&self, lang: Lang) -> String {
        if self.message.is_empty() {
            self.status.message.clone()
        } else {
            self.message.render(lang)
        }
    }

    /// The host of the newest evidence in `lang` (None without evidence).
    pub fn host_in(&self, lang: Lang) -> Option<String> {
        let host = self.status.last_host.as_ref()?;
        Some(if self.host.is_empty() {
            host.clone()
        } else {
            self.host.render(lang)
        })
    }
}

/// The obligations as CSV (`GET /api/v1/backups?format=csv`, `/backups.csv`) for a
/// reader of `lang`: in English the API's file (machine states, the English texts); in
/// Indonesian its column names, states and explanations in Indonesian.
pub fn to_csv(rows: &[Explained], lang: Lang) -> String {
    // (the API's name, the message key of its Indonesian name)
    const COLUMNS: [(&str, &str); 12] = [
        ("id", "backups-csv-id"),
        ("agency", "backups-csv-agency"),
        ("dataset", "backups-csv-dataset"),
        ("state", "backups-csv-state"),
        ("age_seconds", "backups-csv-age-seconds"),
        ("last_time", "backups-csv-last-time"),
        ("last_size_bytes", "backups-csv-last-size-bytes"),
        ("last_host", "backups-csv-last-host"),
        ("restore_test_state", "backups-csv-restore-test-state"),
        ("message", "backups-csv-message"),
        ("last_checksum", "backups-csv-last-checksum"),
        ("size_change_percent", "backups-csv-size-change-percent"),
    ];
    let word = |s: &str| match lang {
        Lang::En => s.to_owned(),
        Lang::Id => crate::i18n::state_word(lang, s),
    };
    let mut out = crate::csv::Csv::new(&crate::i18n::column_names(lang, &COLUMNS));
    for e in rows {
        let r = &e.status;
        let (host, message) = match lang {
            Lang::En => (r.last_host.clone().unwrap_or_default(), r.message.clone()),
            Lang::Id => (e.host_in(lang).unwrap_or_default(), e.message_in(lang)),
        };
        out.row(&[
            &r.id,
            &r.agency,
            &r.dataset,
            &word(r.state.as_str()),
            &r.age_seconds.map_or(String::new(), |a| format!("{a:.0}")),
            &r.last_time.as_deref().unwrap_or(""),
            &r.last_size_bytes.map_or(String::new(), |s| s.to_string()),
            &host,
            &word(r.restore_test_state.as_str()),
            &message,
            &r.last_checksum.as_deref().unwrap_or(""),
            &r.size_change_ratio
                .map_or(String::new(), |x| format!("{:.1}", x * 100.0)),
        ]);
    }
    out.finish()
}

/// The state of every obligation (of one agency, if given) at `now`.
pub fn statuses(
    conn: &Db,
    cfg: &BackupSettings<'_>,
    now: f64,
    agency: Option<&str>,
) -> Result<Vec<Status>, StoreError> {
    Ok(explained(conn, cfg, now, agency)?
        .into_iter()
        .map(|e| e.status)
        .collect())
}

/// [`statuses`] with their explanations as messages.
pub fn explained(
    conn: &Db,
    cfg: &BackupSettings<'_>,
    now: f64,
    agency: Option<&str>,
) -> Result<Vec<Explained>, StoreError> {
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
        let status = Status {
            id: ob.id.clone(),
            agency: ob.agency.clone(),
            dataset: ob.dataset.clone(),
            state,
            message: message.render(Lang::En),
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
        };
        out.push(Explained {
            status,
            message,
            host: l.map(|l| l.host_message).unwrap_or_default(),
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
            host_message: Msg::default(),
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

    /// The explanations are messages; their English words are the API's `message`, as
    /// they were written before (other parts and tests read them).
    #[test]
    fn explanations_in_english_are_the_apis_words_and_read_in_indonesian() {
        let o = ob();
        let why = |l: Option<&Latest>| state(&o, l, kind, 0.0).1;
        let en = |m: &Msg| m.render(Lang::En);
        assert_eq!(en(&why(None)), "no evidence has arrived yet");
        let missing = why(Some(&ev("pd-1", 37.26, 2 << 20)));
        assert_eq!(
            en(&missing),
            "newest backup is 37.3 h old, more than max_age 36h"
        );
        assert_eq!(
            missing.render(Lang::Id),
            "cadangan terbaru berusia 37,3 jam, melebihi max_age 36h"
        );
        let mut default_age = ob();
        default_age.max_age = None;
        assert_eq!(
            en(&state(&default_age, Some(&ev("pd-1", 1234.5, 2 << 20)), kind, 0.0).1),
            "newest backup is 1234.5 h old, more than max_age (interval × 1.5)"
        );
        assert_eq!(
            en(&why(Some(&ev("pd-1", 25.0, 2 << 20)))),
            "newest backup is 25.0 h old, more than interval 24h"
        );
        assert_eq!(
            en(&why(Some(&ev("pd-1", 2.0, 1000)))),
            "newest backup is 1000 bytes, less than min_size_bytes 1048576"
        );
        let mut two = ob();
        two.locations = vec!["pusat-data".into(), "drc".into(), "pd-2".into()];
        let place = state(&two, Some(&ev("kantor-dinkes", 2.0, 2 << 20)), kind, 0.0).1;
        assert_eq!(
            en(&place),
            "evidence from backup-01 at site \"kantor-dinkes\"; required: pusat-data or drc or pd-2"
        );
        assert_eq!(
            place.render(Lang::Id),
            "bukti dari backup-01 di lokasi \"kantor-dinkes\"; seharusnya di pusat-data atau drc atau pd-2"
        );
        // another agency's host is named by its agency
        let mut other = ev("pd-1", 0.0, 0);
        other.latest_time = None;
        other.host = "host of diskominfo".into();
        other.host_message = Msg::new("backups-host-of").text("agency", "diskominfo");
        assert_eq!(en(&why(Some(&other))), "host of diskominfo found no backup");
        assert_eq!(
            why(Some(&other)).render(Lang::Id),
            "server milik diskominfo tidak menemukan cadangan"
        );
        other.error = "cannot read /srv: Permission denied".into();
        assert_eq!(
            en(&why(Some(&other))),
            "host of diskominfo: cannot read /srv: Permission denied"
        );
        assert!(
            why(Some(&ev("pd-1", 2.0, 2 << 20))).is_empty(),
            "ok: no words"
        );

        // a backup job's check-ins
        let checkin = |status, message: &str| crate::store::Checkin {
            at: -3.0 * 3600.0 - 360.0,
            status,
            size_bytes: Some(5 << 20),
            checksum: String::new(),
            duration_seconds: None,
            message: message.into(),
            source: "10.0.0.5".into(),
        };
        let (latest, (_, m)) = checkin_state(&o, &[], 0.0);
        assert!(latest.is_none());
        assert_eq!(en(&m), "no check-in has arrived yet");
        let mut day = ob();
        day.interval = "1h".into();
        let (_, (s, m)) = checkin_state(&day, &[checkin(CheckinStatus::Start, "")], 0.0);
        assert_eq!(s, BackupState::Failed);
        assert_eq!(en(&m), "the job started 3.1 h ago and never finished");
        assert_eq!(
            m.render(Lang::Id),
            "tugas pencadangan dimulai 3,1 jam yang lalu dan tidak pernah selesai"
        );
        let (_, (_, m)) = checkin_state(&o, &[checkin(CheckinStatus::Start, "")], 0.0);
        assert_eq!(en(&m), "the job started but has not finished yet");
        let (_, (_, m)) = checkin_state(&o, &[checkin(CheckinStatus::Fail, "")], 0.0);
        assert_eq!(en(&m), "the job reported a failure: no message");
        assert_eq!(
            m.render(Lang::Id),
            "tugas pencadangan melaporkan kegagalan: tanpa pesan"
        );
        let (_, (_, m)) = checkin_state(&o, &[checkin(CheckinStatus::Fail, "disk full")], 0.0);
        assert_eq!(en(&m), "the job reported a failure: disk full");
        let (latest, (s, m)) = checkin_state(&o, &[checkin(CheckinStatus::Ok, "")], 0.0);
        assert_eq!((s, m), (BackupState::Ok, Msg::default()));
        let latest = latest.unwrap();
        assert_eq!(latest.host, "check-in from 10.0.0.5");
        assert_eq!(latest.host_message.render(Lang::En), latest.host);
        assert_eq!(
            latest.host_message.render(Lang::Id),
            "check-in dari 10.0.0.5"
        );
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
        let m = m.render(Lang::En);
        assert!(m.contains("Permission denied"), "{m}");
        assert_eq!(o.max_age_secs(), 36.0 * 3600.0);
        let mut d = ob();
        d.max_age = None;
        assert_eq!(d.max_age_secs(), 36.0 * 3600.0, "default interval × 1.5");
    }
}
