//! Every text of the report (PDF and workbook), in one place: issue 22 translates them
//! to Bahasa Indonesia (Fluent) by replacing this module's strings, nothing else.
//!
//! Words that are states (`ok`, `breached`, `late`, ...) are the states' own spelling
//! ([`crate::states!`]) with `_` shown as a space, as on the pages.

/// The report's title on the cover and in the page header.
pub const TITLE: &str = "Compliance report";
/// Under the title on the cover.
pub const SUBTITLE: &str = "Server uptime, backups, LAN diagrams and ICT assets";
pub const ORGANISATION_UNSET: &str = "Simpul";
pub const PERIOD: &str = "Period";
pub const SCOPE: &str = "Agencies";
pub const ALL_AGENCIES: &str = "All agencies";
pub const GENERATED: &str = "Generated";
pub const TIME_ZONE: &str = "Time zone";
pub const COVERS: &str = "Covers";
pub const CONTENTS: &str = "Contents";
pub const PAGE: &str = "Page";
pub const OF: &str = "of";
pub const SIGNATURES: &str = "Signatures";
pub const PREPARED_BY: &str = "Prepared by";
pub const APPROVED_BY: &str = "Approved by";
pub const NAME_DATE_SIGNATURE: &str = "Name, date and signature";
pub const GENERATOR: &str = "Simpul collector";

/// "Year 2026", "2026-Q3 (July to September 2026)", "November 2026".
pub fn period_text(p: &crate::period::Period) -> String {
    use crate::period::PeriodKind;
    match p.kind {
        PeriodKind::Year => format!("Year {}", p.year),
        PeriodKind::Quarter => format!(
            "{p} ({} to {} {})",
            month_name(p.month),
            month_name(p.month + 2),
            p.year
        ),
        PeriodKind::Month => format!("{} {}", month_name(p.month), p.year),
        PeriodKind::Day => p.to_string(),
    }
}

/// The month's name (1 = January).
pub fn month_name(m: u32) -> &'static str {
    const NAMES: [&str; 12] = [
        "January",
        "February",
        "March",
        "April",
        "May",
        "June",
        "July",
        "August",
        "September",
        "October",
        "November",
        "December",
    ];
    NAMES
        .get((m as usize).wrapping_sub(1))
        .copied()
        .unwrap_or("?")
}

/// "from 2026-01-01 00:00 WIB to 2027-01-01 00:00 WIB (exclusive)".
pub fn bounds_text(from: &str, to: &str) -> String {
    format!("{from} to {to} (exclusive)")
}

// ---- sections -------------------------------------------------------------------

pub const S_SCORECARD: &str = "1. Scorecard month by month";
pub const S_SLA: &str = "2. Server uptime SLA";
pub const S_BACKUPS: &str = "3. Backups and restore tests";
pub const S_LAN: &str = "4. LAN diagrams";
pub const S_ASSETS: &str = "5. Asset register";

pub const SCORECARD_INTRO: &str = "Each agency's duties in each month of the period: a month that is over as it ended (the last evaluation in it), the current month as it stands at generation. Months before the collector ran are left out.";
pub const WORST_DUTY: &str = "Worst duty per month";
pub const MONTHLY_FIGURES: &str = "Figures per month";
pub const OWED_AT_END: &str = "Duties not met in the last month, and why";
/// "2026-11, as evaluated at 2026-11-28 06:40 WIB".
pub fn evaluated(month: &str, at: &str) -> String {
    format!("{month}, as evaluated at {at}")
}
pub const NOTHING_OWED: &str = "Every duty was met in the last month of the period.";
pub const NO_SCORECARD: &str =
    "No scorecard was kept for this period: the collector did not run in it.";

pub const SLA_INTRO: &str = "Availability of every server with an SLA class over the period: up / (up + down), maintenance excluded (docs/sla.md). A period in progress is evaluated up to the generation time.";
pub const SLA_AGENCIES: &str = "Per agency";
pub const SLA_HOSTS: &str = "Per server";
pub const SLA_OUTAGES: &str = "Outages";
pub const NO_SLA_HOSTS: &str = "No server of these agencies has an SLA class.";
pub const NO_OUTAGES: &str = "No outage in the period.";
pub const ONGOING: &str = "ongoing";
pub const PRORATED: &str = "monitored from";

pub const BACKUPS_INTRO: &str = "Every backup obligation with its state at generation, the backups seen in each month of the period, and the restore tests recorded in it.";
pub const BACKUP_STATES: &str = "Obligations";
pub const BACKUP_HISTORY: &str = "Backups per month";
pub const RESTORE_TESTS: &str = "Restore tests in the period";
pub const NO_OBLIGATIONS: &str = "No backup obligation is declared for these agencies.";
pub const NO_BACKUPS_IN_PERIOD: &str = "No backup was seen in the period.";
pub const NO_RESTORE_TESTS: &str = "No restore test was recorded in the period.";

pub const LAN_INTRO: &str = "The diagram of each agency site as it stood at the end of the period (the newest version discovered before it), the date of every version, and the changes discovered in the period.";
pub const LAN_NONE: &str = "No LAN diagram has been discovered for this agency.";
pub const LAN_VERSIONS: &str = "Versions";
pub const LAN_CHANGES: &str = "Changes in the period";
pub const LAN_NO_CHANGES: &str = "No change was discovered in the period.";
pub const LAN_NONE_BEFORE_END: &str = "No version was discovered before the end of the period.";
pub const LAN_LEGEND: &str = "Legend";
pub const LAN_TILED: &str = "The diagram is wider than a page at a readable size: after an overview, it continues over the following pages in parts, left to right, top to bottom.";
pub const LAN_PART: &str = "part";
pub const LAN_OVERVIEW: &str =
    "The whole diagram at a glance (the parts that follow are readable):";

/// "Version 3, discovered 2026-11-02 10:00 WIB, last confirmed ...: 12 devices, 11 links".
pub fn lan_caption(
    version: i64,
    discovered: &str,
    confirmed: &str,
    devices: i64,
    links: i64,
) -> String {
    format!("Version {version}, discovered {discovered}, last confirmed {confirmed}: {devices} devices, {links} links")
}

/// The legend's entries: device kinds (as the diagram's CSS classes) and link sources.
pub const LEGEND_DEVICES: [(&str, &str); 6] = [
    ("router", "router"),
    ("switch", "switch"),
    ("server", "server (agent)"),
    ("host", "host"),
    ("unknown", "unknown"),
    ("segment", "segment (unmanaged)"),
];
pub const LEGEND_LINKS: [(&str, &str); 3] = [
    ("lldp", "LLDP neighbour"),
    ("fdb", "switch forwarding table"),
    ("other", "other evidence"),
];
pub const LEGEND_BOX: &str = "Each box: name (or address), address and port, type and vendor.";

pub const ASSETS_INTRO: &str = "Every ICT asset once: servers with an agent and the devices the agencies' LAN discovery found (the same machine matched by MAC address), those no longer seen marked so, with what was recorded about each.";
pub const NO_ASSETS: &str = "No asset is known for these agencies.";

// ---- table columns ----------------------------------------------------------------

pub const C_AGENCY: &str = "Agency";
pub const C_NAME: &str = "Name";
pub const C_MONTH: &str = "Month";
pub const C_DUTY: &str = "Duty";
pub const C_STATE: &str = "State";
pub const C_REASON: &str = "Why";
pub const C_AGENTS: &str = "Agents reporting";
pub const C_SLA_AVAIL: &str = "SLA availability";
pub const C_BREACHED: &str = "Servers breached";
pub const C_BACKUPS: &str = "Backups";
pub const C_RESTORE_DUE: &str = "Restore tests due";
pub const C_LAN: &str = "LAN";
pub const C_UNACK: &str = "Unacknowledged changes";
pub const C_WORST: &str = "Worst duty";
pub const C_HOSTS: &str = "Servers";
pub const C_HOST: &str = "Server";
pub const C_SITE: &str = "Site";
pub const C_CLASS: &str = "SLA class";
pub const C_TARGET: &str = "Target";
pub const C_AVAIL: &str = "Availability";
pub const C_DOWNTIME: &str = "Downtime";
pub const C_MAINTENANCE: &str = "Maintenance";
pub const C_BUDGET: &str = "Budget left";
pub const C_OUTAGES: &str = "Outages";
pub const C_LONGEST: &str = "Longest";
pub const C_VERDICT: &str = "Verdict";
pub const C_START: &str = "Start";
pub const C_END: &str = "End";
pub const C_DURATION: &str = "Duration";
pub const C_CAUSE: &str = "Cause";
pub const C_OBLIGATION: &str = "Obligation";
pub const C_DATASET: &str = "Dataset";
pub const C_LAST_BACKUP: &str = "Newest backup";
pub const C_SIZE: &str = "Size";
pub const C_RESTORE_TEST: &str = "Restore test";
pub const C_LAST_TEST: &str = "Last restore test";
pub const C_MESSAGE: &str = "Detail";
pub const C_COUNT: &str = "Backups seen";
pub const C_SMALLEST: &str = "Smallest";
pub const C_LARGEST: &str = "Largest";
pub const C_FAILURES: &str = "Failures reported";
pub const C_WHEN: &str = "When";
pub const C_WHO: &str = "Who";
pub const C_RESULT: &str = "Result";
pub const C_NOTES: &str = "Notes";
pub const C_RECORDED_BY: &str = "Recorded by";
pub const C_VERSION: &str = "Version";
pub const C_DISCOVERED: &str = "Discovered";
pub const C_CONFIRMED: &str = "Last confirmed";
pub const C_DEVICES: &str = "Devices";
pub const C_LINKS: &str = "Links";
pub const C_CHANGES: &str = "Changes";
pub const C_ACKED: &str = "Acknowledged";
pub const C_CHANGE: &str = "Change";
pub const C_TYPE: &str = "Type";
pub const C_ADDRESSES: &str = "IP and MAC addresses";
pub const C_OS: &str = "OS";
pub const C_STATUS: &str = "Status";
pub const C_ASSET_TAG: &str = "Asset tag";
pub const C_RESPONSIBLE: &str = "Responsible, location";
pub const C_YEAR: &str = "Procured";
pub const C_HARDWARE: &str = "Vendor, model, serial";
pub const C_LAST_SEEN: &str = "Last seen";

/// A duty's name in a table or heading.
pub fn duty(d: crate::scorecard::Duty) -> &'static str {
    use crate::scorecard::Duty;
    match d {
        Duty::Agents => "Agents reporting",
        Duty::Sla => "Server SLA",
        Duty::BackupsFresh => "Backups fresh",
        Duty::RestoreTests => "Restore tests",
        Duty::LanSubmitted => "LAN diagram",
        Duty::LanChanges => "LAN changes",
        Duty::Inventory => "Inventory",
    }
}

/// A state word as people read it: `no_data` is "no data".
pub fn state(word: &str) -> String {
    word.replace('_', " ")
}

pub const NEVER: &str = "never";
pub const NONE: &str = "none";
pub const NO_DATA: &str = "no data";
pub const ACKED_BY: &str = "by";
pub const NOT_ACKED: &str = "not yet";

// ---- LAN changes in words ------------------------------------------------------------

pub fn device_added(name: &str) -> String {
    format!("device added: {name}")
}
pub fn device_removed(name: &str) -> String {
    format!("device removed: {name}")
}
pub fn link_added(a: &str, b: &str) -> String {
    format!("link added: {a} – {b}")
}
pub fn link_removed(a: &str, b: &str) -> String {
    format!("link removed: {a} – {b}")
}
pub fn moved(device: &str, from: &str, to: &str) -> String {
    format!("{device} moved from {from} to {to}")
}
pub fn readdressed(device: &str, before: &str, after: &str) -> String {
    format!("{device} addresses changed from {before} to {after}")
}

// ---- assets ---------------------------------------------------------------------------

pub const ASSET_SERVER: &str = "server";
/// An asset's status in the register (its last sighting is in its own column).
pub fn asset_status(p: crate::assets::Presence) -> String {
    use crate::assets::Presence;
    match p {
        Presence::Present => "present",
        Presence::NotSeen => "not seen since its last sighting",
        Presence::NeverSeen => "enrolled, never reported",
    }
    .into()
}

// ---- the workbook ----------------------------------------------------------------------

/// Sheet names (at most 31 characters, no `[]:*?/\`).
pub const SHEET_REPORT: &str = "report";
pub const SHEET_SCORECARD: &str = "scorecard";
pub const SHEET_SLA: &str = "sla";
pub const SHEET_OUTAGES: &str = "sla_outages";
pub const SHEET_BACKUPS: &str = "backups";
pub const SHEET_BACKUP_HISTORY: &str = "backup_history";
pub const SHEET_RESTORE_TESTS: &str = "restore_tests";
pub const SHEET_LAN: &str = "lan_versions";
pub const SHEET_LAN_CHANGES: &str = "lan_changes";
pub const SHEET_ASSETS: &str = "inventory";

// ---- errors ------------------------------------------------------------------------------

pub const PERIOD_RULE: &str =
    "must be a month YYYY-MM (e.g. 2026-11), a quarter YYYY-Qn (e.g. 2026-Q3) or a year YYYY (e.g. 2026)";
pub const FILE_RULE: &str =
    "a report is {period}.pdf or {period}.xlsx, e.g. 2026.pdf, 2026-Q3.xlsx, 2026-11.pdf";

/// The period has no data at all.
pub fn nothing_for(period: &str) -> String {
    format!("no scorecard was kept for {period}: the collector keeps each month's as it ends, from the month it first ran in")
}

pub const FONTS_MISSING: &str =
    "the PDF report needs the DejaVu fonts (Debian package fonts-dejavu-core): apt-get install fonts-dejavu-core";
