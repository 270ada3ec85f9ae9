# The scorecard, agency and host pages (web/pages.rs).

pages-report-pdf = Report of { $year } (PDF)
pages-report-xlsx = Report of { $year } as a workbook (XLSX)

# the compliance scorecard (/)
scorecard-title = Compliance scorecard
scorecard-intro-now = Each agency's (OPD) duties this month:
scorecard-intro-past = Each agency's (OPD) duties as they stood at the end of { $month }:
scorecard-intro-duties = its agents reporting, the SLA of its servers, fresh backups and restore tests in date, a current LAN diagram with its changes acknowledged, its inventory and, where declared, its WAN links, its websites and the certificates of its sites and servers. Each cell says why, and links to the evidence.
scorecard-month = Month
scorecard-month-now = (now)
scorecard-month-ended = (as it ended)
scorecard-bad-month = Month "{ $month }": must be a month YYYY-MM that has begun, e.g. { $example }
scorecard-show = Show
scorecard-show-failing = A duty failing
scorecard-show-warning = A duty with a warning (none failing)
scorecard-show-attention = Needs attention
scorecard-show-ok = All duties met
scorecard-show-breached = SLA breached
scorecard-show-late = Backups late
scorecard-show-missing = Backups missing
scorecard-show-changed = LAN changed, not acknowledged
scorecard-show-overdue = LAN diagram overdue
scorecard-search-placeholder = id or name
scorecard-months-xlsx = Scorecard of { $year } month by month (XLSX)
scorecard-matching = Agencies matching “{ $text }”: { $count }
scorecard-none-kept = No scorecard was kept for { $month }: the collector keeps each month's as it ends, from the month it first ran in.
scorecard-caption-now = { $count ->
    [one] 1 agency
   *[other] { $count } agencies
}, month { $month }, evaluated { $time }
scorecard-caption-past = { $count ->
    [one] 1 agency
   *[other] { $count } agencies
}, month { $month } as it ended (last evaluated { $time })
scorecard-col-agency = Agency (OPD)
scorecard-col-worst = Worst duty
scorecard-count-failing = { $count } of { $of } failing
scorecard-count-warning = { $count } of { $of } with a warning

# an agency's page (/agencies/{agency})
agency-owes = What this agency still owes
agency-owes-nothing = Nothing: every duty that applies is met this month.
agency-see-evidence = see the evidence
agency-sla = SLA
agency-backups = Backups
agency-sites = Sites
agency-no-site = No site declared for this agency.
agency-no-site-name = (none)
agency-hosts = Hosts
agency-no-agent-before = No agent is enrolled for this agency yet. On the collector, run
agency-no-agent-after = for each server and one machine in the office, then install the agent there with the token it prints (or an enrolment code:
agency-backup-obligations = Backup obligations
agency-lan-version = Version { $version } of site { $site }, discovered { $time }: { $devices ->
    [one] 1 device
   *[other] { $devices } devices
}, { $links ->
    [one] 1 link
   *[other] { $links } links
}.
agency-open-diagram = Open the diagram and its versions
agency-no-diagram = No LAN diagram has been discovered for this agency.
agency-changes = Changes
site-kind-pusat-data = Pusat Data (data centre)
site-kind-drc = disaster-recovery site
site-kind-opd-office = agency office

# a host's page (/hosts/{id}) and the hosts table
host-title = Host { $host }
host-col-host = Host
host-col-site = Site
host-col-state = State
host-col-last-report = Last report
host-col-os = OS
host-col-agent = Agent
host-agent-version = Agent version
host-uptime = Uptime: { $duration } (booted { $time })
host-health = Health, last 24 h
host-cpu = CPU busy
host-cpu-24h = CPU busy, last 24 hours
host-memory = Memory used
host-memory-24h = Memory used, last 24 hours
host-fullest = Fullest filesystem
host-fullest-24h = Fullest filesystem used, last 24 hours
host-filesystems = Filesystems
host-mount = Mount
host-device = Device
host-size = Size
host-available = Available
host-outages = Outages this period
host-sla-line = SLA { $sla }:
host-sla-availability = availability { $availability }
host-sla-over = over { $duration } monitored
host-sla-budget = target { $target }; { $down } of its { $budget } downtime budget used; { $count ->
    [one] 1 outage
   *[other] { $count } outages
}.
host-outage-from = From
host-outage-to = To
host-outage-duration = Duration
host-outage-cause = Cause
host-outage-ongoing = ongoing
host-outage-so-far = so far
host-no-sla = No SLA class applies to this host's agency.
host-hardware = Hardware and software
host-register-before = Its
host-register-link = asset register entry
host-register-after = has its asset tag, responsible person, location and procurement year.
host-inventory-as-of = Inventory as of
host-system = System
host-serial = Serial
host-unknown = unknown
host-cpu-counts = { $sockets ->
    [one] 1 socket
   *[other] { $sockets } sockets
}, { $cores ->
    [one] 1 core
   *[other] { $cores } cores
}, { $threads ->
    [one] 1 thread
   *[other] { $threads } threads
}
host-ram = Memory
host-disks = Disks
host-name = Name
host-model = Model
host-interfaces = Network interfaces
host-speed = Speed
host-no-inventory = No inventory reported yet.

# the scorecard's CSV download in the reader's language (scorecard.rs); in English the
# headers are the API's, in snake_case
csv-month = month
csv-agency = agency
csv-name = name
csv-agents-reporting = agents_reporting
csv-agents-expected = agents_expected
csv-sla-state = sla_state
csv-sla-availability-percent = sla_availability_percent
csv-sla-hosts-breached = sla_hosts_breached
csv-backups-state = backups_state
csv-backups = backups
csv-restore-tests-due = restore_tests_due
csv-lan-state = lan_state
csv-lan-unacknowledged-changes = lan_unacknowledged_changes
csv-servers = servers
csv-lan-devices = lan_devices
csv-overall = overall
csv-agents-reason = agents_reason
csv-sla-reason = sla_reason
csv-backups-fresh-reason = backups_fresh_reason
csv-restore-tests-reason = restore_tests_reason
csv-lan-submitted-reason = lan_submitted_reason
csv-lan-changes-reason = lan_changes_reason
csv-inventory-reason = inventory_reason
csv-wan-link-reason = wan_link_reason
csv-websites-reason = websites_reason
csv-worst-duty = worst_duty
