//! The compliance scorecard (a duty check of the design): one row per agency (OPD)
//! with its agents, the SLA of its hosts, its backup obligations and restore tests, its
//! LAN diagram and its inventory, and whether every duty is met.
//!
//! A pure function of the duty states ([`crate::duties::Duties`]) and the fleet: the
//! pages (`/`, `/scorecard.csv`, an agency's page) and `GET /api/v1/scorecard` show
//! the same rows.

use crate::i18n::{Lang, Msg};
use serde::{Deserialize, Serialize};

use crate::params;
use crate::store::db::{Db, DbError};

use crate::backups::{BackupState, RestoreTestState};
use crate::config::Agency;
use crate::lan::{LanState, SiteStatus};
use crate::links::report::LinkReport;
use crate::sla::report::{HostSla, SlaStatus};
use crate::state::HostState;
use crate::websites::WebsiteStatus;

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

crate::states! {
    /// The duties of an agency, in the scorecard's column order.
    pub enum Duty {
        /// Its servers' agents report.
        Agents = "agents",
        /// Its servers meet their SLA this period.
        Sla = "sla",
        /// Every backup obligation has a fresh, big enough backup in the right place.
        BackupsFresh = "backups_fresh",
        /// Every obligation's restore test is in date and passed.
        RestoreTests = "restore_tests",
        /// A LAN diagram was discovered and confirmed within `lan_diagram_max_age`.
        LanSubmitted = "lan_submitted",
        /// Every change of the LAN diagram is acknowledged (reported).
        LanChanges = "lan_changes",
        /// Every server's hardware and software inventory is known.
        Inventory = "inventory",
        /// Its WAN links (`[[links]]`) are up and within their SLA this period.
        WanLink = "wan_link",
        /// Its websites (`[[websites]]`) are up, under the official domain, within their
        /// SLA, and serve certificates that verify and are not about to expire.
        Websites = "websites",
    }
}

crate::states! {
    /// How an agency stands on one duty; `ALL` is worst first.
    pub enum Cell {
        Failing = "failing",
        Warning = "warning",
        NoData = "no_data",
        Ok = "ok",
        NotApplicable = "not_applicable",
    }
}

/// One duty of one agency: its state, why in words, and where the evidence is.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct DutyCell {
    pub duty: Duty,
    pub state: Cell,
    /// Why, in English (the API's language).
    pub reason: String,
    /// Why, for the pages and the report in the reader's language (empty in a month kept
    /// before the messages had keys: its `reason` is shown).
    #[serde(default, skip_serializing_if = "Msg::is_empty")]
    pub message: Msg,
    /// The page that shows the evidence.
    pub link: String,
}

/// One agency's duties at a glance.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
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
    #[serde(
        serialize_with = "counts_as_object",
        deserialize_with = "counts_from_object"
    )]
    pub backup_counts: Vec<(BackupState, usize)>,
    /// Obligations whose restore test is due or was never done.
    pub restore_tests_due: usize,
    pub lan: LanDuty,
    pub lan_unacknowledged: i64,
    pub lan_devices: i64,
    pub overall: Overall,
    // kept months are stored as JSON (`scorecard_months`): a field added later needs
    // `#[serde(default)]` so that older months still read
    /// Hosts whose inventory is known.
    #[serde(default)]
    pub hosts_inventoried: usize,
    /// Every duty in [`Duty`] order.
    #[serde(default)]
    pub duties: Vec<DutyCell>,
    /// The worst state of its duties (not applicable ones left out; `ok` if none).
    #[serde(default = "no_data")]
    pub worst: Cell,
}

fn no_data() -> Cell {
    Cell::NoData
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

fn counts_from_object<'de, D: serde::Deserializer<'de>>(
    d: D,
) -> Result<Vec<(BackupState, usize)>, D::Error> {
    let m: std::collections::BTreeMap<String, usize> = Deserialize::deserialize(d)?;
    let mut out = Vec::new();
    for (k, n) in m {
        let s = BackupState::parse(&k)
            .ok_or_else(|| serde::de::Error::custom(format!("unknown backup state {k:?}")))?;
        out.push((s, n));
    }
    out.sort();
    Ok(out)
}

impl Duty {
    /// The message key of its name (a column of the scorecard).
    pub fn name_key(self) -> &'static str {
        match self {
            Duty::Agents => "duty-agents",
            Duty::Sla => "duty-sla",
            Duty::BackupsFresh => "duty-backups-fresh",
            Duty::RestoreTests => "duty-restore-tests",
            Duty::LanSubmitted => "duty-lan-submitted",
            Duty::LanChanges => "duty-lan-changes",
            Duty::Inventory => "duty-inventory",
            Duty::WanLink => "duty-wan-link",
            Duty::Websites => "duty-websites",
        }
    }
}

impl ScoreRow {
    /// The backups state as the pages and CSV spell it (`none` without obligations).
    pub fn backups_str(&self) -> &'static str {
        self.backups.map_or("none", BackupState::as_str)
    }

    /// The obligations by state, e.g. `1 late, 2 ok` (`no obligations`), in English.
    pub fn backup_text(&self) -> String {
        self.backup_msg().render(Lang::En)
    }

    /// The obligations by state, for the reader's language.
    pub fn backup_msg(&self) -> Msg {
        if self.backup_counts.is_empty() {
            return Msg::new("backups-no-obligations");
        }
        Msg::new("backups-by-state").list(
            "counts",
            self.backup_counts
                .iter()
                .map(|(s, n)| backup_count(*s, *n))
                .collect(),
        )
    }
}

/// `2 late`: how many backups are in one state.
fn backup_count(state: BackupState, n: usize) -> Msg {
    Msg::new("backups-count")
        .count("count", n)
        .text("state", state.as_str())
}

/// The rows as CSV (`/scorecard.csv`, `GET /api/v1/scorecard?format=csv`).
pub fn to_csv(rows: &[ScoreRow]) -> String {
    csv_of(&[(None, rows)], false, Lang::En)
}

/// The rows as CSV for a reader of `lang`: in English the API's file (machine states,
/// snake_case headers); in Indonesian its headers, states and reasons in Indonesian.
pub fn to_csv_in(rows: &[ScoreRow], lang: Lang) -> String {
    csv_of(&[(None, rows)], false, lang)
}

/// Several months' rows as one CSV, a `month` column first (`?period=2026&format=csv`).
pub fn months_to_csv(months: &[(String, Vec<ScoreRow>)]) -> String {
    let parts: Vec<(Option<&str>, &[ScoreRow])> = months
        .iter()
        .map(|(m, rows)| (Some(m.as_str()), rows.as_slice()))
        .collect();
    csv_of(&parts, true, Lang::En)
}

/// The CSV of `parts` (each with its month, when the file has a month column).
fn csv_of(parts: &[(Option<&str>, &[ScoreRow])], with_month: bool, lang: Lang) -> String {
    // (the API's name, the message key of its Indonesian name)
    const COLUMNS: [(&str, &str); 35] = [
        ("month", "csv-month"),
        ("agency", "csv-agency"),
        ("name", "csv-name"),
        ("agents_reporting", "csv-agents-reporting"),
        ("agents_expected", "csv-agents-expected"),
        ("sla_state", "csv-sla-state"),
        ("sla_availability_percent", "csv-sla-availability-percent"),
        ("sla_hosts_breached", "csv-sla-hosts-breached"),
        ("backups_state", "csv-backups-state"),
        ("backups", "csv-backups"),
        ("restore_tests_due", "csv-restore-tests-due"),
        ("lan_state", "csv-lan-state"),
        (
            "lan_unacknowledged_changes",
            "csv-lan-unacknowledged-changes",
        ),
        ("servers", "csv-servers"),
        ("lan_devices", "csv-lan-devices"),
        ("overall", "csv-overall"),
        ("agents", "duty-agents"),
        ("agents_reason", "csv-agents-reason"),
        ("sla", "duty-sla"),
        ("sla_reason", "csv-sla-reason"),
        ("backups_fresh", "duty-backups-fresh"),
        ("backups_fresh_reason", "csv-backups-fresh-reason"),
        ("restore_tests", "duty-restore-tests"),
        ("restore_tests_reason", "csv-restore-tests-reason"),
        ("lan_submitted", "duty-lan-submitted"),
        ("lan_submitted_reason", "csv-lan-submitted-reason"),
        ("lan_changes", "duty-lan-changes"),
        ("lan_changes_reason", "csv-lan-changes-reason"),
        ("inventory", "duty-inventory"),
        ("inventory_reason", "csv-inventory-reason"),
        ("wan_link", "duty-wan-link"),
        ("wan_link_reason", "csv-wan-link-reason"),
        ("websites", "duty-websites"),
        ("websites_reason", "csv-websites-reason"),
        ("worst_duty", "csv-worst-duty"),
    ];
    let names = crate::i18n::column_names(lang, &COLUMNS);
    let head = if with_month { &names[..] } else { &names[1..] };
    let word = |s: &str| match lang {
        Lang::En => s.to_owned(),
        Lang::Id => crate::i18n::state_word(lang, s),
    };
    let mut out = crate::csv::Csv::new(head);
    for (month, r) in parts
        .iter()
        .flat_map(|(m, rows)| rows.iter().map(move |r| (m.unwrap_or(""), r)))
    {
        let (backups, text) = (word(r.backups_str()), r.backup_msg().render(lang));
        let ratio = r
            .sla_ratio
            .map_or(String::new(), |x| format!("{:.3}", x * 100.0));
        let (sla, lan, overall, worst) = (
            word(r.sla.as_str()),
            word(r.lan.as_str()),
            word(r.overall.as_str()),
            word(r.worst.as_str()),
        );
        // in the order of the columns; a month kept before a duty existed has none
        let duties: Vec<(String, String)> = Duty::ALL
            .iter()
            .map(|d| match r.duties.iter().find(|c| c.duty == *d) {
                None => (String::new(), String::new()),
                Some(c) => {
                    let why = match lang {
                        Lang::En => c.reason.clone(),
                        Lang::Id if c.message.is_empty() => c.reason.clone(),
                        Lang::Id => c.message.render(lang),
                    };
                    (word(c.state.as_str()), why)
                }
            })
            .collect();
        let mut cells: Vec<&dyn std::fmt::Display> = Vec::new();
        if with_month {
            cells.push(&month);
        }
        cells.extend_from_slice(&[
            &r.agency as &dyn std::fmt::Display,
            &r.name,
            &r.hosts_up,
            &r.hosts,
            &sla,
            &ratio,
            &r.sla_hosts_breached,
            &backups,
            &text,
            &r.restore_tests_due,
            &lan,
            &r.lan_unacknowledged,
            &r.hosts,
            &r.lan_devices,
            &overall,
        ]);
        for (state, why) in &duties {
            cells.push(state);
            cells.push(why);
        }
        cells.push(&worst);
        out.row(&cells);
    }
    out.finish()
}

/// What the scorecard is computed from.
#[derive(Debug, Clone, Copy)]
pub struct Inputs<'a> {
    pub agencies: &'a [Agency],
    pub hosts: &'a [HostState],
    /// The SLA of every host with a class (borrowed from the duty states).
    pub sla: &'a [&'a HostSla],
    pub backups: &'a [crate::backups::Status],
    pub lan: &'a [SiteStatus],
    /// The declared WAN links over their current period.
    pub links: &'a [&'a LinkReport],
    /// The declared websites.
    pub websites: &'a [WebsiteStatus],
    /// The certificate files on the servers.
    pub certificate_files: &'a [crate::certificates::FileStatus],
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
    let hs: Vec<&HostSla> = i.sla.iter().copied().filter(|h| h.agency == a.id).collect();
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
    let inventoried = mine.iter().filter(|h| h.inventory.is_some()).count();
    let duties = cells(&Facts {
        agency: &a.id,
        hosts: mine.len(),
        hosts_up: up,
        inventoried,
        sla_hosts: hs.len(),
        sla,
        sla_breached: breached,
        sla_at_risk: hs
            .iter()
            .filter(|h| h.verdict == crate::sla::report::Verdict::AtRisk)
            .count(),
        backups: &bs,
        lan_sites: &ls,
        unacknowledged: unacked,
        links: &i
            .links
            .iter()
            .copied()
            .filter(|l| l.agency == a.id)
            .collect::<Vec<_>>(),
        websites: &i
            .websites
            .iter()
            .filter(|w| w.agency == a.id)
            .collect::<Vec<_>>(),
        certificate_files: &i
            .certificate_files
            .iter()
            .filter(|f| f.agency == a.id)
            .collect::<Vec<_>>(),
        now: i.now,
    });
    let worst = duties
        .iter()
        .map(|c| c.state)
        .filter(|c| *c != Cell::NotApplicable)
        .min()
        .unwrap_or(Cell::Ok);
    ScoreRow {
        agency: a.id.clone(),
        name: a.display_name().to_owned(),
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
        hosts_inventoried: inventoried,
        duties,
        worst,
    }
}

/// What the duty cells of one agency are decided from.
struct Facts<'a> {
    agency: &'a str,
    hosts: usize,
    hosts_up: usize,
    inventoried: usize,
    /// Hosts with an SLA class.
    sla_hosts: usize,
    sla: SlaStatus,
    sla_breached: usize,
    /// Hosts that used more than their class's at-risk share of the budget.
    sla_at_risk: usize,
    backups: &'a [&'a crate::backups::Status],
    lan_sites: &'a [&'a SiteStatus],
    unacknowledged: i64,
    /// Its WAN links.
    links: &'a [&'a LinkReport],
    /// Its websites.
    websites: &'a [&'a WebsiteStatus],
    /// The certificate files on its servers.
    certificate_files: &'a [&'a crate::certificates::FileStatus],
    now: f64,
}

/// The cell of every duty, in [`Duty`] order.
fn cells(f: &Facts<'_>) -> Vec<DutyCell> {
    let a = f.agency;
    let cell = |duty: Duty, (state, message): (Cell, Msg), link: String| DutyCell {
        duty,
        state,
        reason: message.render(Lang::En),
        message,
        link,
    };
    let agents = match (f.hosts, f.hosts_up) {
        (0, _) => (Cell::Failing, Msg::new("cell-agents-none-enrolled")),
        (n, up) if up == n => (Cell::Ok, Msg::new("cell-agents-all").count("count", n)),
        (n, 0) => (
            Cell::Failing,
            Msg::new("cell-agents-none-reporting").count("count", n),
        ),
        (n, up) => (
            Cell::Warning,
            Msg::new("cell-agents-some-silent")
                .count("silent", n - up)
                .count("count", n),
        ),
    };
    let sla = match (f.sla_hosts, f.sla) {
        (0, _) => (Cell::NotApplicable, Msg::new("cell-sla-no-class")),
        (_, SlaStatus::Breached) => (
            Cell::Failing,
            Msg::new("cell-sla-breached").count("count", f.sla_breached),
        ),
        (_, SlaStatus::Met) if f.sla_at_risk > 0 => (
            Cell::Warning,
            Msg::new("cell-sla-at-risk").count("count", f.sla_at_risk),
        ),
        (n, SlaStatus::Met) => (Cell::Ok, Msg::new("cell-sla-met").count("count", n)),
        (_, SlaStatus::NoData) => (Cell::NoData, Msg::new("cell-sla-no-data")),
    };
    let worst_backup = f.backups.iter().map(|b| b.state).min();
    let fresh = match worst_backup {
        None => (Cell::NotApplicable, Msg::new("cell-backups-none-declared")),
        Some(BackupState::Ok) => (
            Cell::Ok,
            Msg::new("cell-backups-fresh").count("count", f.backups.len()),
        ),
        Some(BackupState::Late) => {
            let n = f
                .backups
                .iter()
                .filter(|b| b.state == BackupState::Late)
                .count();
            (
                Cell::Warning,
                Msg::new("cell-backups-late").count("count", n),
            )
        }
        Some(_) => {
            let bad: Vec<Msg> = BackupState::ALL
                .iter()
                .filter(|s| !matches!(s, BackupState::Ok | BackupState::Late))
                .filter_map(|s| {
                    let n = f.backups.iter().filter(|b| b.state == *s).count();
                    (n > 0).then(|| backup_count(*s, n))
                })
                .collect();
            (
                Cell::Failing,
                Msg::new("cell-backups-failing").list("counts", bad),
            )
        }
    };
    let due = f
        .backups
        .iter()
        .filter(|b| b.restore_test_state != RestoreTestState::Ok)
        .count();
    let never = f
        .backups
        .iter()
        .filter(|b| b.restore_test_state == RestoreTestState::Never)
        .count();
    let restore = match (f.backups.len(), due) {
        (0, _) => (Cell::NotApplicable, Msg::new("cell-backups-none-declared")),
        (n, 0) => (Cell::Ok, Msg::new("cell-restore-ok").count("count", n)),
        (n, d) => (
            Cell::Failing,
            Msg::new(if never == d {
                "cell-restore-never"
            } else {
                "cell-restore-due"
            })
            .count("due", d)
            .count("count", n),
        ),
    };
    let missing =
        f.lan_sites.is_empty() || f.lan_sites.iter().any(|l| l.state == LanState::Missing);
    let overdue = f
        .lan_sites
        .iter()
        .filter(|l| l.state == LanState::Overdue)
        .count();
    let submitted = if missing {
        (Cell::Failing, Msg::new("cell-lan-missing"))
    } else if overdue > 0 {
        (
            Cell::Failing,
            Msg::new("cell-lan-overdue").count("count", overdue),
        )
    } else {
        (
            Cell::Ok,
            Msg::new("cell-lan-current").count("count", f.lan_sites.len()),
        )
    };
    let changes = if missing {
        (Cell::NotApplicable, Msg::new("cell-changes-no-diagram"))
    } else if f.unacknowledged > 0 {
        (
            Cell::Warning,
            Msg::new("cell-changes-unacknowledged").count("count", f.unacknowledged as usize),
        )
    } else {
        (Cell::Ok, Msg::new("cell-changes-acknowledged"))
    };
    let inventory = match (f.hosts, f.inventoried) {
        (0, _) => (Cell::NoData, Msg::new("cell-inventory-no-agent")),
        (n, i) if i == n => (Cell::Ok, Msg::new("cell-inventory-all").count("count", n)),
        (n, i) => (
            Cell::Warning,
            Msg::new("cell-inventory-some-missing")
                .count("missing", n - i)
                .count("count", n),
        ),
    };
    let wan = wan_cell(f.links);
    let web = websites_cell(f.websites, f.certificate_files, f.now);
    let link = |page: &str| page.replace("{a}", a);
    vec![
        cell(Duty::Agents, agents, link("/agencies/{a}")),
        cell(Duty::Sla, sla, link("/sla?agency={a}")),
        cell(Duty::BackupsFresh, fresh, link("/backups?agency={a}")),
        cell(Duty::RestoreTests, restore, link("/backups?agency={a}")),
        cell(Duty::LanSubmitted, submitted, link("/lan/{a}")),
        cell(Duty::LanChanges, changes, link("/lan/{a}")),
        cell(Duty::Inventory, inventory, link("/inventory?agency={a}")),
        cell(Duty::WanLink, wan, "/links".to_owned()),
        cell(Duty::Websites, web, link("/websites/{a}")),
    ]
}

/// A certificate that expires within this many days fails the websites duty (the
/// alert's critical threshold)...
pub const CERTIFICATE_FAILING_DAYS: f64 = 7.0;
/// ... and within this many, warns (the alert's warning threshold).
pub const CERTIFICATE_WARNING_DAYS: f64 = 30.0;

/// The websites duty over an agency's declared sites, at `now`: failing when a site is
/// down now, serves a certificate that does not verify or expires within
/// [`CERTIFICATE_FAILING_DAYS`], is outside the official domain, or breached its SLA
/// class this period; a warning when a certificate expires within
/// [`CERTIFICATE_WARNING_DAYS`], a site is at risk, serves plain http (no certificate at
/// all), or some were not probed yet. The certificate files on the agency's servers
/// (`[[certificates]]`) count alike: failing when one does not verify, cannot be read
/// or expires within [`CERTIFICATE_FAILING_DAYS`], a warning within
/// [`CERTIFICATE_WARNING_DAYS`]. No data when no site was probed and no file reported;
/// not applicable without either. The reason lists every problem, the failing ones
/// first.
fn websites_cell(
    sites: &[&WebsiteStatus],
    files: &[&crate::certificates::FileStatus],
    now: f64,
) -> (Cell, Msg) {
    use crate::sla::report::Verdict;
    use simpul_webcheck::State;
    if sites.is_empty() && files.is_empty() {
        return (Cell::NotApplicable, Msg::new("cell-web-none-declared"));
    }
    let probed: Vec<&WebsiteStatus> = sites
        .iter()
        .copied()
        .filter(|s| s.state.is_some())
        .collect();
    if probed.is_empty() && files.is_empty() {
        return (Cell::NoData, Msg::new("cell-web-not-probed"));
    }
    let n = |f: &dyn Fn(&WebsiteStatus) -> bool| probed.iter().filter(|s| f(s)).count();
    let days = |s: &WebsiteStatus| {
        (s.certificate == Some(simpul_webcheck::Verdict::Valid))
            .then(|| s.days_to_expiry(now))
            .flatten()
    };
    let expiring = |max: f64| -> (usize, Option<f64>) {
        let d: Vec<f64> = probed
            .iter()
            .filter_map(|s| days(s))
            .filter(|d| *d <= max)
            .collect();
        (d.len(), d.into_iter().reduce(f64::min))
    };
    let mut failing = Vec::new();
    let mut warning = Vec::new();
    let push = |to: &mut Vec<Msg>, key: &str, count: usize| {
        if count > 0 {
            to.push(Msg::new(key).count("count", count));
        }
    };
    push(
        &mut failing,
        "cell-web-down",
        n(&|s| {
            s.state
                .is_some_and(|x| x != State::Up && x != State::CertificateInvalid)
        }),
    );
    push(
        &mut failing,
        "cell-web-certificate-invalid",
        n(&|s| {
            s.state == Some(State::CertificateInvalid)
                || s.certificate
                    .is_some_and(|v| v != simpul_webcheck::Verdict::Valid)
        }),
    );
    let (soon, first) = expiring(CERTIFICATE_FAILING_DAYS);
    if soon > 0 {
        failing.push(
            Msg::new("cell-web-certificate-expiring")
                .count("count", soon)
                .num("days", first.unwrap_or(0.0).max(0.0).floor()),
        );
    }
    push(
        &mut failing,
        "cell-web-outside-domain",
        n(&|s| s.official == Some(false)),
    );
    push(
        &mut failing,
        "cell-web-breached",
        n(&|s| s.verdict == Some(Verdict::Breached)),
    );
    let (later, first_later) = expiring(CERTIFICATE_WARNING_DAYS);
    if later > soon {
        warning.push(
            Msg::new("cell-web-certificate-expiring")
                .count("count", later - soon)
                .num(
                    "days",
                    probed
                        .iter()
                        .filter_map(|s| days(s))
                        .filter(|d| *d > CERTIFICATE_FAILING_DAYS)
                        .reduce(f64::min)
                        .or(first_later)
                        .unwrap_or(0.0)
                        .floor(),
                ),
        );
    }
    push(
        &mut warning,
        "cell-web-at-risk",
        n(&|s| s.verdict == Some(Verdict::AtRisk)),
    );
    push(&mut warning, "cell-web-no-https", n(&|s| !s.https));
    push(
        &mut warning,
        "cell-web-some-not-probed",
        sites.len() - probed.len(),
    );
    // the certificate files on the servers
    let valid_days = |f: &crate::certificates::FileStatus| {
        (f.verdict == Some(simpul_webcheck::Verdict::Valid))
            .then_some(f.days_to_expiry)
            .flatten()
    };
    push(
        &mut failing,
        "cell-cert-files-invalid",
        files
            .iter()
            .filter(|f| f.verdict != Some(simpul_webcheck::Verdict::Valid))
            .count(),
    );
    for (to, low, high) in [
        (&mut failing, f64::NEG_INFINITY, CERTIFICATE_FAILING_DAYS),
        (
            &mut warning,
            CERTIFICATE_FAILING_DAYS,
            CERTIFICATE_WARNING_DAYS,
        ),
    ] {
        let d: Vec<f64> = files
            .iter()
            .filter_map(|f| valid_days(f))
            .filter(|d| *d > low && *d <= high)
            .collect();
        if let Some(first) = d.iter().copied().reduce(f64::min) {
            to.push(
                Msg::new("cell-cert-files-expiring")
                    .count("count", d.len())
                    .num("days", first.max(0.0).floor()),
            );
        }
    }
    let state = if !failing.is_empty() {
        Cell::Failing
    } else if !warning.is_empty() {
        Cell::Warning
    } else {
        let mut ok = Vec::new();
        if !sites.is_empty() {
            ok.push(Msg::new("cell-web-ok").count("count", sites.len()));
        }
        if !files.is_empty() {
            ok.push(Msg::new("cell-cert-files-ok").count("count", files.len()));
        }
        return (
            Cell::Ok,
            match ok.len() {
                1 => ok.remove(0),
                _ => Msg::new("cell-web-problems").list("problems", ok),
            },
        );
    };
    failing.extend(warning);
    (
        state,
        Msg::new("cell-web-problems").list("problems", failing),
    )
}

/// The WAN link duty over an agency's declared links: failing when one is down now or
/// has breached its SLA class this period; a warning when one is degraded or at risk;
/// no data when none has evidence; not applicable without a declared link.
fn wan_cell(links: &[&LinkReport]) -> (Cell, Msg) {
    use crate::links::LinkState;
    use crate::sla::report::Verdict;
    if links.is_empty() {
        return (Cell::NotApplicable, Msg::new("cell-wan-none-declared"));
    }
    let n = |f: &dyn Fn(&LinkReport) -> bool| links.iter().filter(|l| f(l)).count();
    let down = n(&|l| l.state == LinkState::Down);
    let breached = n(&|l| l.verdict == Some(Verdict::Breached));
    let degraded = n(&|l| l.state == LinkState::Degraded);
    let at_risk = n(&|l| l.verdict == Some(Verdict::AtRisk));
    let unknown = n(&|l| l.state == LinkState::Unknown);
    if down > 0 {
        (
            Cell::Failing,
            Msg::new("cell-wan-down").count("count", down),
        )
    } else if breached > 0 {
        (
            Cell::Failing,
            Msg::new("cell-wan-breached").count("count", breached),
        )
    } else if degraded + at_risk > 0 {
        (
            Cell::Warning,
            Msg::new("cell-wan-degraded").count("count", degraded + at_risk),
        )
    } else if unknown == links.len() {
        (Cell::NoData, Msg::new("cell-wan-no-data"))
    } else {
        (
            Cell::Ok,
            Msg::new("cell-wan-ok").count("count", links.len()),
        )
    }
}

/// How many agencies stand how on one duty (the counts above the scorecard).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct DutyCount {
    pub duty: Duty,
    pub failing: usize,
    pub warning: usize,
    pub no_data: usize,
    pub ok: usize,
    pub not_applicable: usize,
}

/// The counts per duty over `rows`, in [`Duty`] order.
pub fn counts(rows: &[ScoreRow]) -> Vec<DutyCount> {
    Duty::ALL
        .iter()
        .map(|d| {
            let n = |c: Cell| {
                rows.iter()
                    .filter(|r| r.duties.iter().any(|x| x.duty == *d && x.state == c))
                    .count()
            };
            DutyCount {
                duty: *d,
                failing: n(Cell::Failing),
                warning: n(Cell::Warning),
                no_data: n(Cell::NoData),
                ok: n(Cell::Ok),
                not_applicable: n(Cell::NotApplicable),
            }
        })
        .collect()
}

/// The scorecard of some months as an XLSX workbook (Excel, LibreOffice): a
/// `scorecard` sheet with one row per month and agency (numbers as numbers, so a
/// spreadsheet in any locale reads them right), then one sheet per duty with the
/// agencies down and the months across, each cell the state and its reason.
pub fn to_xlsx(months: &[(String, Vec<ScoreRow>)]) -> Result<Vec<u8>, rust_xlsxwriter::XlsxError> {
    use rust_xlsxwriter::{Format, Workbook};
    let mut book = Workbook::new();
    let bold = Format::new().set_bold();
    let percent = Format::new().set_num_format("0.000");
    let sheet = book.add_worksheet().set_name("scorecard")?;
    let mut head: Vec<&str> = vec![
        "month",
        "agency",
        "name",
        "agents_reporting",
        "agents_expected",
        "sla_availability_percent",
        "restore_tests_due",
        "lan_unacknowledged_changes",
        "lan_devices",
        "worst_duty",
    ];
    head.extend(Duty::ALL.iter().map(|d| d.as_str()));
    for (c, h) in head.iter().enumerate() {
        sheet.write_string_with_format(0, c as u16, *h, &bold)?;
    }
    let mut row = 1u32;
    for (month, rows) in months {
        for r in rows {
            sheet.write_string(row, 0, month)?;
            sheet.write_string(row, 1, &r.agency)?;
            sheet.write_string(row, 2, &r.name)?;
            sheet.write_number(row, 3, r.hosts_up as f64)?;
            sheet.write_number(row, 4, r.hosts as f64)?;
            if let Some(x) = r.sla_ratio {
                sheet.write_number_with_format(row, 5, x * 100.0, &percent)?;
            }
            sheet.write_number(row, 6, r.restore_tests_due as f64)?;
            sheet.write_number(row, 7, r.lan_unacknowledged as f64)?;
            sheet.write_number(row, 8, r.lan_devices as f64)?;
            sheet.write_string(row, 9, r.worst.as_str())?;
            for (k, d) in Duty::ALL.iter().enumerate() {
                if let Some(c) = r.duties.iter().find(|c| c.duty == *d) {
                    sheet.write_string(row, 10 + k as u16, c.state.as_str())?;
                }
            }
            row += 1;
        }
    }
    sheet.autofit();
    for duty in Duty::ALL {
        let sheet = book.add_worksheet().set_name(duty.as_str())?;
        sheet.write_string_with_format(0, 0, "agency", &bold)?;
        sheet.write_string_with_format(0, 1, "name", &bold)?;
        // every agency of any month, in first-seen order
        let mut agencies: Vec<(&str, &str)> = Vec::new();
        for (_, rows) in months {
            for r in rows {
                if !agencies.iter().any(|(a, _)| *a == r.agency) {
                    agencies.push((&r.agency, &r.name));
                }
            }
        }
        for (i, (a, name)) in agencies.iter().enumerate() {
            sheet.write_string(1 + i as u32, 0, *a)?;
            sheet.write_string(1 + i as u32, 1, *name)?;
        }
        for (m, (month, rows)) in months.iter().enumerate() {
            let col = 2 + m as u16;
            sheet.write_string_with_format(0, col, month, &bold)?;
            for r in rows {
                let Some(i) = agencies.iter().position(|(a, _)| *a == r.agency) else {
                    continue;
                };
                if let Some(c) = r.duties.iter().find(|c| c.duty == *duty) {
                    sheet.write_string(
                        1 + i as u32,
                        col,
                        format!("{}: {}", c.state.as_str(), c.reason),
                    )?;
                }
            }
        }
        sheet.autofit();
    }
    book.save_to_buffer()
}

/// Keeps `rows` as the scorecard of `month` (`2026-10`) at `at`, replacing what was
/// kept for those agencies: the duty engine calls it after each evaluation, so the last
/// evaluation in a month is what the month ends with.
pub fn keep_month(conn: &Db, month: &str, rows: &[ScoreRow], at: f64) -> Result<(), DbError> {
    conn.transaction(|tx| {
        for r in rows {
            tx.execute(
                "INSERT INTO scorecard_months (month, agency, row, recorded_at) VALUES (?1, ?2, ?3, ?4)
                 ON CONFLICT(month, agency) DO UPDATE SET row = excluded.row, recorded_at = excluded.recorded_at",
                params![
                    month,
                    r.agency,
                    serde_json::to_string(r).map_err(DbError::other)?,
                    at
                ],
            )?;
        }
        Ok(())
    })
}

/// The scorecard kept for `month` (of agency `only` when given), by agency, with when
/// it was recorded; empty when none was kept.
/// The months whose scorecard was kept (`2026-10`, ...), oldest first: the months the
/// collector ran in.
pub fn kept_months(conn: &Db) -> Result<Vec<String>, DbError> {
    conn.query(
        "SELECT DISTINCT month FROM scorecard_months ORDER BY month",
        crate::params![],
        |r| r.get(0),
    )
}

pub fn kept_month(
    conn: &Db,
    month: &str,
    only: Option<&str>,
) -> Result<Vec<(f64, ScoreRow)>, DbError> {
    let rows: Vec<(String, f64)> = conn.query(
        "SELECT row, recorded_at FROM scorecard_months WHERE month = ?1 AND (?2 = '' OR agency = ?2)
         ORDER BY agency",
        params![month, only.unwrap_or("")],
        |r| Ok((r.get(0)?, r.get(1)?)),
    )?;
    rows.into_iter()
        .map(|(json, at)| {
            serde_json::from_str(&json)
                .map(|row| (at, row))
                .map_err(DbError::other)
        })
        .collect()
}

/// A filter of the scorecard: every row, or the rows with one state.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Filter {
    All,
    Overall(Overall),
    Sla(SlaStatus),
    Backups(BackupState),
    Lan(LanDuty),
    /// The worst duty is this (`failing`, `warning`).
    Worst(Cell),
}

impl Filter {
    /// The rule of [`Filter::parse`], for error messages.
    pub const RULE: &'static str = "must be all, ok or attention, failing or warning (the worst duty), an SLA state (met, breached, no_data), a backup state (never_seen, failed, missing, wrong_place, too_small, late) or a LAN state (current, changed, overdue, none)";

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
            .or_else(|| Cell::parse(s).map(Self::Worst))
    }

    /// Whether `r` passes.
    pub fn passes(self, r: &ScoreRow) -> bool {
        match self {
            Self::All => true,
            Self::Overall(o) => r.overall == o,
            Self::Sla(s) => r.sla == s,
            Self::Backups(b) => r.backups == Some(b),
            Self::Lan(l) => r.lan == l,
            Self::Worst(c) => r.worst == c,
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
            sla_name: "Colocation".into(),
            verdict: match status {
                SlaStatus::Met => crate::sla::report::Verdict::OnTrack,
                SlaStatus::Breached => crate::sla::report::Verdict::Breached,
                SlaStatus::NoData => crate::sla::report::Verdict::NoData,
            },
            no_data_reason: None,
            monitored_from: None,
            monitored_from_seconds: None,
            counted_seconds: up + down,
            prorated: false,
            budget_used_ratio: None,
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
        let sla: Vec<&HostSla> = sla.iter().collect();
        score(
            &Inputs {
                agencies,
                hosts,
                sla: &sla,
                backups,
                lan,
                links: &[],
                websites: &[],
                certificate_files: &[],
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
            links: &[],
            websites: &[],
            certificate_files: &[],
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
        assert!(
            lines[1].starts_with(
                "dinkes,Dinas dinkes,1,1,met,99.900,0,none,no obligations,0,current,0,1,5,ok,ok,1 agent reporting,"
            ),
            "{csv}"
        );
        assert!(
            lines[2].starts_with(
                "bappeda,Dinas bappeda,0,0,no_data,,0,late,1 late,0,none,0,0,0,attention,failing,"
            ),
            "{csv}"
        );
        assert!(
            lines[0].ends_with(",inventory,inventory_reason,wan_link,wan_link_reason,websites,websites_reason,worst_duty"),
            "{csv}"
        );
        assert!(lines[2].ends_with(",failing"), "{csv}");
        // the same rows for an Indonesian reader: headers, states and reasons in
        // Indonesian, the same numbers
        let id = to_csv_in(&r, Lang::Id);
        let lines: Vec<&str> = id.lines().collect();
        assert!(
            lines[0]
                .starts_with("Kode Perangkat Daerah,Nama Perangkat Daerah,Jumlah agen melapor,"),
            "{id}"
        );
        assert!(
            lines[1].starts_with(
                "dinkes,Dinas dinkes,1,1,terpenuhi,99.900,0,belum ada,tidak ada kewajiban,0,mutakhir,0,1,5,baik,baik,1 agen melapor,"
            ),
            "{id}"
        );
        assert!(lines[2].contains(",1 terlambat,"), "{id}");
        assert!(lines[2].ends_with(",tidak terpenuhi"), "{id}");
        assert_eq!(to_csv_in(&r, Lang::En), csv);
    }

    #[test]
    fn reasons_read_in_each_language_with_plurals() {
        let r = rows(
            &[agency("dinkes")],
            &[
                host("dinkes", "web-1", Some(10.0)),
                host("dinkes", "web-2", None),
            ],
            &[],
            &[],
            &[],
        );
        let c = r[0].duties.iter().find(|c| c.duty == Duty::Agents).unwrap();
        assert_eq!(c.reason, "1 of 2 agents not reporting");
        assert_eq!(c.message.render(Lang::Id), "1 dari 2 agen tidak melapor");
        let inv = r[0]
            .duties
            .iter()
            .find(|c| c.duty == Duty::Inventory)
            .unwrap();
        assert_eq!(inv.message.render(Lang::En), inv.reason);
        // a month kept before the messages had keys reads back with its English reason
        let old = r#"{"duty":"agents","state":"ok","reason":"1 agent reporting","link":"/"}"#;
        let kept: DutyCell = serde_json::from_str(old).unwrap();
        assert!(kept.message.is_empty());
        assert_eq!(kept.reason, "1 agent reporting");
    }

    fn cell(r: &ScoreRow, d: Duty) -> (Cell, String) {
        let c = r.duties.iter().find(|c| c.duty == d).unwrap();
        (c.state, c.reason.clone())
    }

    #[test]
    fn an_agency_without_agents_fails_its_agents_duty_and_says_what_to_do() {
        let r = &rows(&[agency("dinsos")], &[], &[], &[], &[])[0];
        let (state, why) = cell(r, Duty::Agents);
        assert_eq!(state, Cell::Failing);
        assert!(why.starts_with("no agent enrolled"), "{why}");
        assert!(why.contains("simpul-collector agent add"), "{why}");
        assert_eq!(cell(r, Duty::Inventory).0, Cell::NoData);
        assert_eq!(cell(r, Duty::Sla).0, Cell::NotApplicable);
        assert_eq!(
            cell(r, Duty::BackupsFresh),
            (Cell::NotApplicable, "no backup obligation declared".into())
        );
        assert_eq!(cell(r, Duty::LanSubmitted).0, Cell::Failing);
        assert_eq!(cell(r, Duty::LanChanges).0, Cell::NotApplicable);
        assert_eq!(r.worst, Cell::Failing);
        assert_eq!(
            r.duties.iter().map(|c| c.duty).collect::<Vec<_>>(),
            Duty::ALL.to_vec(),
            "every duty, in order"
        );
        assert_eq!(r.duties[0].link, "/agencies/dinsos");
    }

    #[test]
    fn every_duty_met_is_ok_and_not_applicable_ones_do_not_count() {
        let mut h = host("dinkes", "web-1", Some(10.0));
        let s = |x: &str| serde_json::Value::String(x.into());
        let inv: simpul_protocol::Inventory = serde_json::from_value(serde_json::json!({
            "os": {"name": s("Debian"), "version": "13", "pretty_name": "Debian 13", "kernel": "6.12", "arch": "x86_64"},
            "cpu": {"model": "Xeon", "sockets": 1, "cores": 4, "threads": 8},
            "memory_bytes": 8u64 << 30,
            "system": {"vendor": "Dell", "product": "R650", "serial": "ABC123"},
            "bios": {"vendor": "Dell", "version": "1.0", "date": "2024-01-01"},
            "disks": [],
            "interfaces": [],
        }))
        .unwrap();
        h.inventory = Some((Arc::new(inv), NOW));
        let r = &rows(
            &[agency("dinkes")],
            &[h],
            &[],
            &[],
            &[site("dinkes", LanState::Ok, 0, 4)],
        )[0];
        let states: Vec<(Duty, Cell)> = r.duties.iter().map(|c| (c.duty, c.state)).collect();
        assert_eq!(
            states,
            vec![
                (Duty::Agents, Cell::Ok),
                (Duty::Sla, Cell::NotApplicable),
                (Duty::BackupsFresh, Cell::NotApplicable),
                (Duty::RestoreTests, Cell::NotApplicable),
                (Duty::LanSubmitted, Cell::Ok),
                (Duty::LanChanges, Cell::Ok),
                (Duty::Inventory, Cell::Ok),
                (Duty::WanLink, Cell::NotApplicable),
                (Duty::Websites, Cell::NotApplicable),
            ]
        );
        assert_eq!(r.worst, Cell::Ok);
        assert_eq!(cell(r, Duty::Agents).1, "1 agent reporting");
        assert_eq!(cell(r, Duty::Inventory).1, "1 server inventoried");
    }

    #[test]
    fn each_duty_says_who_fails_what() {
        let a = [agency("dinkes")];
        let hosts = [
            host("dinkes", "web-1", Some(10.0)),
            host("dinkes", "db-1", Some(500.0)),
        ];
        let r = &rows(
            &a,
            &hosts,
            &[
                sla("dinkes", SlaStatus::Breached, 900.0, 100.0),
                sla("dinkes", SlaStatus::Met, 1000.0, 0.0),
            ],
            &[
                backup("dinkes", BackupState::Failed, RestoreTestState::Never),
                backup("dinkes", BackupState::Late, RestoreTestState::Ok),
            ],
            &[site("dinkes", LanState::Ok, 2, 4)],
        )[0];
        assert_eq!(
            cell(r, Duty::Agents),
            (Cell::Warning, "1 of 2 agents not reporting".into())
        );
        assert_eq!(
            cell(r, Duty::Sla),
            (Cell::Failing, "1 server breached this period".into())
        );
        assert_eq!(
            cell(r, Duty::BackupsFresh),
            (Cell::Failing, "1 failed".into())
        );
        assert_eq!(
            cell(r, Duty::RestoreTests),
            (Cell::Failing, "1 of 2 never restore-tested".into())
        );
        assert_eq!(
            cell(r, Duty::LanSubmitted),
            (Cell::Ok, "1 site diagram current".into())
        );
        assert_eq!(
            cell(r, Duty::LanChanges),
            (
                Cell::Warning,
                "diagram changed: 2 changes not acknowledged".into()
            )
        );
        assert_eq!(
            cell(r, Duty::Inventory),
            (
                Cell::Warning,
                "2 of 2 servers without an inventory yet".into()
            )
        );
        assert_eq!(r.worst, Cell::Failing);
        // a late backup alone is a warning; no heartbeat this period is no data
        let r = &rows(
            &a,
            &hosts[..1],
            &[sla("dinkes", SlaStatus::NoData, 0.0, 0.0)],
            &[backup("dinkes", BackupState::Late, RestoreTestState::Due)],
            &[site("dinkes", LanState::Overdue, 0, 4)],
        )[0];
        assert_eq!(
            cell(r, Duty::BackupsFresh),
            (Cell::Warning, "1 backup late".into())
        );
        assert_eq!(
            cell(r, Duty::RestoreTests),
            (
                Cell::Failing,
                "1 of 1 with a restore test due or failed".into()
            )
        );
        assert_eq!(cell(r, Duty::Sla).0, Cell::NoData);
        assert_eq!(
            cell(r, Duty::LanSubmitted),
            (
                Cell::Failing,
                "1 site's diagram not confirmed within the maximum age".into()
            )
        );
        // a server past its class's at-risk share of the budget is a warning
        let mut risky = sla("dinkes", SlaStatus::Met, 999.0, 1.0);
        risky.verdict = crate::sla::report::Verdict::AtRisk;
        let r = &rows(&a, &hosts[..1], &[risky], &[], &[])[0];
        assert_eq!(
            cell(r, Duty::Sla),
            (
                Cell::Warning,
                "1 server at risk: most of the downtime budget used".into()
            )
        );
        // none reporting at all fails
        let r = &rows(&a, &hosts[1..], &[], &[], &[])[0];
        assert_eq!(
            cell(r, Duty::Agents),
            (Cell::Failing, "none of 1 agent reporting".into())
        );
    }

    #[test]
    fn counts_per_duty_and_the_worst_filter() {
        let a = [agency("dinkes"), agency("bappeda"), agency("dinsos")];
        let r = rows(
            &a,
            &[
                host("dinkes", "web-1", Some(10.0)),
                host("bappeda", "web-1", Some(10.0)),
            ],
            &[],
            &[backup("bappeda", BackupState::Late, RestoreTestState::Ok)],
            &[
                site("dinkes", LanState::Ok, 0, 1),
                site("bappeda", LanState::Ok, 0, 1),
            ],
        );
        let c = counts(&r);
        let agents = c.iter().find(|c| c.duty == Duty::Agents).unwrap();
        assert_eq!((agents.ok, agents.failing), (2, 1), "{agents:?}");
        let fresh = c.iter().find(|c| c.duty == Duty::BackupsFresh).unwrap();
        assert_eq!((fresh.warning, fresh.not_applicable), (1, 2), "{fresh:?}");
        let worst = |f: &str| -> Vec<String> {
            let f = Filter::parse(f).unwrap();
            r.iter()
                .filter(|x| f.passes(x))
                .map(|x| x.agency.clone())
                .collect()
        };
        assert_eq!(worst("failing"), ["dinsos"]);
        assert_eq!(
            worst("warning"),
            ["dinkes", "bappeda"],
            "no inventory yet, a late backup"
        );
    }

    #[test]
    fn a_months_scorecard_is_kept_and_read_back_as_it_was() {
        crate::store::testing::each_engine(|conn| {
            let r = rows(
                &[agency("dinkes"), agency("bappeda")],
                &[host("dinkes", "web-1", Some(10.0))],
                &[sla("dinkes", SlaStatus::Breached, 900.0, 100.0)],
                &[backup(
                    "bappeda",
                    BackupState::Late,
                    RestoreTestState::Never,
                )],
                &[site("dinkes", LanState::Ok, 2, 4)],
            );
            keep_month(conn, "2026-10", &r, NOW).unwrap();
            // a later evaluation in the same month replaces it
            keep_month(conn, "2026-10", &r[..1], NOW + 30.0).unwrap();
            let kept = kept_month(conn, "2026-10", None).unwrap();
            assert_eq!(kept.len(), 2);
            let (at, dinkes) = kept.iter().find(|(_, x)| x.agency == "dinkes").unwrap();
            assert_eq!(*at, NOW + 30.0);
            assert_eq!(dinkes, &r[0], "read back exactly as kept");
            let bappeda = &kept.iter().find(|(_, x)| x.agency == "bappeda").unwrap().1;
            assert_eq!(bappeda.backup_counts, vec![(BackupState::Late, 1)]);
            assert_eq!(
                kept_month(conn, "2026-10", Some("bappeda")).unwrap().len(),
                1
            );
            assert!(kept_month(conn, "2026-09", None).unwrap().is_empty());
        });
    }

    #[test]
    fn the_months_csv_has_a_month_column_and_quotes_survive() {
        let mut a = agency("dinkes");
        a.name = "Dinas \"Kesehatan\", Kota".into();
        let r = rows(&[a], &[], &[], &[], &[]);
        let csv = months_to_csv(&[("2026-10".into(), r.clone()), ("2026-11".into(), r)]);
        let lines: Vec<&str> = csv.lines().collect();
        assert!(lines[0].starts_with("month,agency,name,"), "{csv}");
        assert_eq!(lines.len(), 3, "{csv}");
        assert!(
            lines[1].starts_with("2026-10,dinkes,\"Dinas \"\"Kesehatan\"\", Kota\","),
            "{csv}"
        );
        assert!(
            months_to_csv(&[]).starts_with("month,agency,"),
            "a header even for no month"
        );
    }

    /// A link report as the duty reads it: its agency, state and verdict.
    fn link(
        state: crate::links::LinkState,
        verdict: Option<crate::sla::report::Verdict>,
    ) -> LinkReport {
        LinkReport {
            id: "dinkes-wan".into(),
            name: "dinkes-wan".into(),
            agency: "dinkes".into(),
            agency_name: "Dinas Kesehatan".into(),
            site: None,
            capacity_bps: None,
            sla_class: verdict.map(|_| "gold".into()),
            loss_threshold_ratio: 0.05,
            rtt_threshold_seconds: 0.1,
            one_sided: false,
            state,
            state_since_seconds: None,
            ends: Vec::new(),
            period: "2026-11".into(),
            time_zone: "Asia/Jakarta".into(),
            from: String::new(),
            to: String::new(),
            evaluated_to: String::new(),
            complete: false,
            up_seconds: 0.0,
            degraded_seconds: 0.0,
            down_seconds: 0.0,
            maintenance_seconds: 0.0,
            unknown_seconds: 0.0,
            availability_ratio: None,
            target_ratio: None,
            downtime_budget_seconds: None,
            downtime_budget_remaining_seconds: None,
            verdict,
            outages: Vec::new(),
            rtt_median_seconds: None,
            loss_ratio: None,
            problems: Vec::new(),
        }
    }

    #[test]
    fn the_wan_link_duty_from_the_agencys_links() {
        use crate::links::LinkState as S;
        use crate::sla::report::Verdict as V;
        let state = |ls: &[LinkReport]| {
            let refs: Vec<&LinkReport> = ls.iter().collect();
            let (c, m) = wan_cell(&refs);
            (c, m.render(Lang::En))
        };
        assert_eq!(
            state(&[]),
            (Cell::NotApplicable, "no WAN link declared".into())
        );
        assert_eq!(
            state(&[link(S::Up, None), link(S::Up, Some(V::OnTrack))]),
            (Cell::Ok, "2 links up".into())
        );
        assert_eq!(
            state(&[link(S::Up, None), link(S::Down, None)]),
            (Cell::Failing, "1 link down now".into())
        );
        assert_eq!(
            state(&[link(S::Up, Some(V::Breached))]),
            (
                Cell::Failing,
                "1 link below the SLA target this period".into()
            )
        );
        assert_eq!(
            state(&[link(S::Degraded, None), link(S::Up, Some(V::AtRisk))]),
            (Cell::Warning, "2 links degraded or at risk".into())
        );
        assert_eq!(
            state(&[link(S::Unknown, None)]),
            (Cell::NoData, "no probe round from any end lately".into())
        );
        // through the scorecard: only the agency's own links
        let a = [agency("dinkes"), agency("bappeda")];
        let down = [link(S::Down, None)];
        let refs: Vec<&LinkReport> = down.iter().collect();
        let rows = score(
            &Inputs {
                agencies: &a,
                hosts: &[],
                sla: &[],
                backups: &[],
                lan: &[],
                links: &refs,
                websites: &[],
                certificate_files: &[],
                grace_intervals: 3,
                skew_secs: 300,
                now: NOW,
            },
            None,
        );
        let wan = |r: &ScoreRow| {
            r.duties
                .iter()
                .find(|c| c.duty == Duty::WanLink)
                .unwrap()
                .state
        };
        assert_eq!(wan(&rows[0]), Cell::Failing);
        assert_eq!(wan(&rows[1]), Cell::NotApplicable);
        assert_eq!(
            rows[0]
                .duties
                .iter()
                .find(|c| c.duty == Duty::WanLink)
                .unwrap()
                .link,
            "/links"
        );
    }

    #[test]
    fn the_websites_duty_lists_every_problem_worst_first() {
        use crate::sla::report::Verdict as V;
        use simpul_webcheck::{State as S, Verdict as C};
        let site = |agency: &str, state: Option<S>, cert: Option<(C, f64)>| WebsiteStatus {
            website: format!("{agency}-web"),
            agency: agency.into(),
            https: true,
            state,
            certificate: cert.map(|c| c.0),
            certificate_not_after: cert.map(|c| (NOW + c.1 * 86_400.0) as i64),
            official: Some(true),
            verdict: Some(V::OnTrack),
            availability_ratio: Some(1.0),
        };
        let cell = |sites: &[WebsiteStatus]| {
            let refs: Vec<&WebsiteStatus> = sites.iter().collect();
            let (c, m) = websites_cell(&refs, &[], NOW);
            (c, m.render(Lang::En), m.render(Lang::Id))
        };
        assert_eq!(cell(&[]).0, Cell::NotApplicable);
        assert_eq!(
            cell(&[site("a", None, None)]),
            (
                Cell::NoData,
                "not probed yet".into(),
                "belum diperiksa".into()
            )
        );
        let good = site("a", Some(S::Up), Some((C::Valid, 200.0)));
        assert_eq!(
            cell(&[good.clone(), good.clone()]),
            (
                Cell::Ok,
                "2 sites up, certificates valid".into(),
                "2 situs dapat diakses, sertifikat sah".into()
            )
        );
        // a site of plain http has no certificate at all
        let http = WebsiteStatus {
            https: false,
            certificate: None,
            certificate_not_after: None,
            ..good.clone()
        };
        assert_eq!(
            cell(&[good.clone(), http]),
            (
                Cell::Warning,
                "1 site without HTTPS".into(),
                "1 situs tanpa HTTPS".into()
            )
        );
        // a certificate 20 days from expiry warns, 5 days fails
        let (c, en, _) = cell(&[good.clone(), site("a", Some(S::Up), Some((C::Valid, 20.5)))]);
        assert_eq!(c, Cell::Warning);
        assert_eq!(en, "1 certificate expires soon, the first in 20 days");
        let (c, en, id) = cell(&[
            site("a", Some(S::Up), Some((C::Valid, 5.2))),
            site("a", Some(S::Up), Some((C::Valid, 25.0))),
            site("a", Some(S::Timeout), None),
            site("a", Some(S::CertificateInvalid), Some((C::Expired, -3.0))),
            WebsiteStatus {
                official: Some(false),
                verdict: Some(V::AtRisk),
                ..good.clone()
            },
            site("a", None, None),
        ]);
        assert_eq!(c, Cell::Failing);
        assert_eq!(
            en,
            "1 site down now, 1 certificate does not verify (expired, unknown CA or wrong name), \
             1 certificate expires soon, the first in 5 days, 1 site outside the official domain, \
             1 certificate expires soon, the first in 25 days, \
             1 site at risk of missing the SLA target, 1 site not probed yet"
        );
        assert!(
            id.starts_with("1 situs tidak dapat diakses saat ini, "),
            "{id}"
        );
        // an expired certificate whose probe still says up (a verdict of the chain)
        let (c, en, _) = cell(&[site("a", Some(S::Up), Some((C::UnknownCa, 90.0)))]);
        assert_eq!(c, Cell::Failing);
        assert!(en.starts_with("1 certificate does not verify"), "{en}");
        // the certificate files on the servers count alike
        let file = |verdict: Option<C>, days: f64| crate::certificates::FileStatus {
            agency: "a".into(),
            verdict,
            days_to_expiry: Some(days),
        };
        let files = |fs: &[crate::certificates::FileStatus], sites: &[WebsiteStatus]| {
            let f: Vec<_> = fs.iter().collect();
            let s: Vec<_> = sites.iter().collect();
            let (c, m) = websites_cell(&s, &f, NOW);
            (c, m.render(Lang::En))
        };
        assert_eq!(
            files(&[file(Some(C::Valid), 200.0)], std::slice::from_ref(&good)),
            (
                Cell::Ok,
                "1 site up, certificates valid, 1 certificate file on a server valid".into()
            )
        );
        assert_eq!(
            files(&[file(Some(C::Valid), 20.4)], &[]),
            (
                Cell::Warning,
                "1 certificate file on a server expires soon, the first in 20 days".into()
            )
        );
        assert_eq!(
            files(
                &[
                    file(Some(C::Expired), -2.0),
                    file(None, 0.0),
                    file(Some(C::Valid), 3.5)
                ],
                &[]
            ),
            (
                Cell::Failing,
                "2 certificate files on servers do not verify or cannot be read, \
                 1 certificate file on a server expires soon, the first in 3 days"
                    .into()
            )
        );
        // a breach fails; through the scorecard only the agency's own sites count
        let breached = WebsiteStatus {
            verdict: Some(V::Breached),
            ..good.clone()
        };
        let a = [agency("dinkes"), agency("bappeda")];
        let rows = score(
            &Inputs {
                agencies: &a,
                hosts: &[],
                sla: &[],
                backups: &[],
                lan: &[],
                links: &[],
                websites: &[WebsiteStatus {
                    agency: "dinkes".into(),
                    ..breached
                }],
                certificate_files: &[],
                grace_intervals: 3,
                skew_secs: 300,
                now: NOW,
            },
            None,
        );
        let web = |r: &ScoreRow| {
            r.duties
                .iter()
                .find(|c| c.duty == Duty::Websites)
                .unwrap()
                .clone()
        };
        assert_eq!(web(&rows[0]).state, Cell::Failing);
        assert_eq!(
            web(&rows[0]).reason,
            "1 site below the SLA target this period"
        );
        assert_eq!(web(&rows[0]).link, "/websites/dinkes");
        assert_eq!(web(&rows[1]).state, Cell::NotApplicable);
    }
}
