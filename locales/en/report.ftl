# The yearly report (PDF and XLSX, report/): report/labels.rs, pdf.rs, xlsx.rs.
# Numbers that are names (a year, a version) are passed as text, never as numbers.

## the cover and the frame of every page

report-title = Compliance report
report-subtitle = Server uptime, backups, LAN diagrams and ICT assets
report-organisation-unset = Simpul
report-period = Period
report-scope = Agencies
report-all-agencies = All agencies
report-generated = Generated
report-time-zone = Time zone
report-covers = Covers
report-contents = Contents
report-signatures = Signatures
report-prepared-by = Prepared by
report-approved-by = Approved by
report-name-date-signature = Name, date and signature
report-generator = Simpul collector
# the footer of every page
report-page = Page { $page } of { $pages }
report-frame-generated = Generated { $time } · Time zone { $zone }

## periods

report-period-year = Year { $year }
report-period-quarter = { $code } ({ $first } to { $last } { $year })
report-period-month = { $month } { $year }
report-bounds = { $from } to { $to } (exclusive)
report-month-january = January
report-month-february = February
report-month-march = March
report-month-april = April
report-month-may = May
report-month-june = June
report-month-july = July
report-month-august = August
report-month-september = September
report-month-october = October
report-month-november = November
report-month-december = December

## 1. the scorecard

report-s-scorecard = 1. Scorecard month by month
report-scorecard-intro = Each agency's duties in each month of the period: a month that is over as it ended (the last evaluation in it), the current month as it stands at generation. Months before the collector ran are left out.
report-worst-duty = Worst duty per month
report-monthly-figures = Figures per month
report-owed-at-end = Duties not met in the last month, and why
report-evaluated = { $month }, as evaluated at { $time }
report-nothing-owed = Every duty was met in the last month of the period.

## 2. SLA

report-s-sla = 2. Server uptime SLA
report-sla-intro = Availability of every server with an SLA class over the period: up / (up + down), maintenance excluded (docs/sla.md). A period in progress is evaluated up to the generation time.
report-sla-agencies = Per agency
report-sla-hosts = Per server
report-sla-outages = Outages
report-no-sla-hosts = No server of these agencies has an SLA class.
report-no-outages = No outage in the period.
report-ongoing = ongoing ({ $time })
report-prorated = { $verdict } (monitored from { $time })

## 3. backups

report-s-backups = 3. Backups and restore tests
report-backups-intro = Every backup obligation with its state at generation, the backups seen in each month of the period, and the restore tests recorded in it.
report-backup-states = Obligations
report-backup-history = Backups per month
report-restore-tests = Restore tests in the period
report-no-obligations = No backup obligation is declared for these agencies.
report-no-backups-in-period = No backup was seen in the period.
report-no-restore-tests = No restore test was recorded in the period.

## 4. LAN

report-s-lan = 4. LAN diagrams
report-lan-intro = The diagram of each agency site as it stood at the end of the period (the newest version discovered before it), the date of every version, and the changes discovered in the period.
report-lan-none = No LAN diagram has been discovered for this agency.
report-lan-site = Site { $site }
report-lan-versions = Versions
report-lan-changes = Changes in the period
report-lan-no-changes = No change was discovered in the period.
report-lan-none-before-end = No version was discovered before the end of the period.
report-lan-tiled = The diagram is wider than a page at a readable size: after an overview, it continues over the following pages in parts, left to right, top to bottom.
report-lan-part = { $title }: part { $part } of { $parts }
report-lan-overview = The whole diagram at a glance (the parts that follow are readable):
report-lan-caption = Version { $version }, discovered { $discovered }, last confirmed { $confirmed }: { $devices ->
    [one] { $devices } device
   *[other] { $devices } devices
}, { $links ->
    [one] { $links } link
   *[other] { $links } links
}
report-legend-box = Each box: name (or address), address and port, type and vendor.
report-acked = { $time } by { $who }
report-not-acked = not yet
report-change-device-added = device added: { $device }
report-change-device-removed = device removed: { $device }
report-change-link-added = link added: { $a } – { $b }
report-change-link-removed = link removed: { $a } – { $b }
report-change-moved = { $device } moved from { $from } to { $to }
report-change-readdressed = { $device } addresses changed from { $before } to { $after }

## 5. assets

report-s-assets = 5. Asset register
report-assets-intro = Every ICT asset once: servers with an agent and the devices the agencies' LAN discovery found (the same machine matched by MAC address), those no longer seen marked so, with what was recorded about each.
report-no-assets = No asset is known for these agencies.
report-software = Server software
report-software-intro = The packages installed on each server that reports its package list (dpkg or rpm), as of its newest list, and its package changes in the period: installed, upgraded, removed (the total counts every change, downgrades included). "Reboot needed": the newest installed kernel is not running yet, so its security fixes do not apply yet.
report-software-workbook = Every change ({ $changes } in the period) and the whole package list ({ $packages } packages) are in this report's XLSX workbook, sheets "software_changes" and "packages".
report-software-cut = The list is cut at { $count } rows; each server's software page has its whole list.
report-reboot-needed = yes (kernel { $kernel })
report-reboot-not-needed = no
report-reboot-unknown = unknown
report-asset-present = present
report-asset-not-seen = not seen since its last sighting
report-asset-never-seen = enrolled, never reported

## the PDF's table columns

report-c-agency = Agency
report-c-month = Month
report-c-duty = Duty
report-c-state = State
report-c-reason = Why
report-c-agents = Agents reporting
report-c-sla-avail = SLA availability
report-c-breached = Servers breached
report-c-backups = Backups
report-c-restore-due = Restore tests due
report-c-lan = LAN
report-c-unack = Unacknowledged changes
report-c-worst = Worst duty
report-c-hosts = Servers
report-c-host = Server
report-c-site = Site
report-c-class = SLA class
report-c-target = Target
report-c-avail = Availability
report-c-downtime = Downtime
report-c-maintenance = Maintenance
report-c-budget = Budget left
report-c-outages = Outages
report-c-longest = Longest
report-c-verdict = Verdict
report-c-start = Start
report-c-end = End
report-c-duration = Duration
report-c-cause = Cause
report-c-obligation = Obligation
report-c-dataset = Dataset
report-c-last-backup = Newest backup
report-c-size = Size
report-c-restore-test = Restore test
report-c-last-test = Last restore test
report-c-message = Detail
report-c-count = Backups seen
report-c-smallest = Smallest
report-c-largest = Largest
report-c-failures = Failures reported
report-c-when = When
report-c-who = Who
report-c-result = Result
report-c-notes = Notes
report-c-recorded-by = Recorded by
report-c-version = Version
report-c-discovered = Discovered
report-c-confirmed = Last confirmed
report-c-devices = Devices
report-c-links = Links
report-c-changes = Changes
report-c-acked = Acknowledged
report-c-change = Change
report-c-type = Type
report-c-name = Name
report-c-addresses = IP and MAC addresses
report-c-os = OS
report-c-status = Status
report-c-asset-tag = Asset tag
report-c-responsible = Responsible, location
report-c-year = Procured
report-c-hardware = Vendor, model, serial
report-c-last-seen = Last seen
report-c-package-manager = Package manager
report-c-packages = Packages
report-c-list-as-of = List as of
report-c-kernel = Running kernel
report-c-reboot = Reboot needed
report-c-installed = Installed
report-c-upgraded = Upgraded
report-c-removed = Removed
report-c-all-changes = All changes
report-c-last-change = Last change

## the workbook: sheet names (at most 31 characters, none of []:*?/\) and columns.
## In English they are the API's machine names, kept as they are.

report-sheet-report = report
report-sheet-scorecard = scorecard
report-sheet-sla = sla
report-sheet-outages = sla_outages
report-sheet-backups = backups
report-sheet-backup-history = backup_history
report-sheet-restore-tests = restore_tests
report-sheet-lan = lan_versions
report-sheet-lan-changes = lan_changes
report-sheet-assets = inventory
report-x-yes = yes
report-x-no = no
report-x-field = field
report-x-value = value
report-x-organisation = organisation
report-x-title = title
report-x-period = period
report-x-from = from
report-x-to = to
report-x-agencies = agencies
report-x-generated = generated
report-x-time-zone = time_zone
report-x-month = month
report-x-agency = agency
report-x-name = name
report-x-agency-name = name
report-x-agents-reporting = agents_reporting
report-x-agents-expected = agents_expected
report-x-sla-availability-percent = sla_availability_percent
report-x-sla-hosts-breached = sla_hosts_breached
report-x-backups = backups
report-x-backups-state = backups
report-x-restore-tests-due = restore_tests_due
report-x-lan = lan
report-x-lan-unacknowledged-changes = lan_unacknowledged_changes
report-x-lan-devices = lan_devices
report-x-worst-duty = worst_duty
# a duty's state and its reason: the duty's machine name in English
report-x-duty = { $duty }
report-x-duty-reason = { $duty }_reason
report-x-host = host
report-x-site = site
report-x-sla = sla
report-x-target-percent = target_percent
report-x-availability-percent = availability_percent
report-x-up-seconds = up_seconds
report-x-down-seconds = down_seconds
report-x-maintenance-seconds = maintenance_seconds
report-x-unknown-seconds = unknown_seconds
report-x-outage-count = outage_count
report-x-longest-outage-seconds = longest_outage_seconds
report-x-downtime-budget-seconds = downtime_budget_seconds
report-x-downtime-budget-remaining-seconds = downtime_budget_remaining_seconds
report-x-verdict = verdict
report-x-status = status
report-x-no-data-reason = no_data_reason
report-x-start = start
report-x-end = end
report-x-seconds = seconds
report-x-cause = cause
report-x-ongoing = ongoing
report-x-obligation = obligation
report-x-dataset = dataset
report-x-state = state
report-x-last-time = last_time
report-x-last-size-bytes = last_size_bytes
report-x-restore-test-state = restore_test_state
report-x-restore-test-last = restore_test_last
report-x-restore-test-result = restore_test_result
report-x-message = message
report-x-newest = newest
report-x-smallest-bytes = smallest_bytes
report-x-largest-bytes = largest_bytes
report-x-failures = failures
report-x-at = at
report-x-who = who
report-x-result = result
report-x-notes = notes
report-x-recorded-by = recorded_by
report-x-version = version
report-x-discovered-at = discovered_at
report-x-last-seen = last_seen
report-x-devices = devices
report-x-links = links
report-x-changes = changes
report-x-acked-by = acked_by
report-x-acked-at = acked_at
report-x-shown-in-report = shown_in_report
report-x-change = change
report-x-asset-type = asset_type
report-x-ip-addresses = ip_addresses
report-x-macs = macs
report-x-vendor = vendor
report-x-model = model
report-x-serial = serial
report-x-os = os
report-x-first-seen = first_seen
report-x-asset-tag = asset_tag
report-x-responsible = responsible
report-x-location = location
report-x-procurement-year = procurement_year
report-x-asset-id = asset_id

## 6. WAN uplinks (only where a link declares its uplink)
report-s-uplinks = 6. WAN uplinks: 95th percentile per month
report-uplinks-intro = The figure bandwidth contracts bill, for each WAN link that declares its uplink interface: the traffic averaged over each 5-minute interval of the month, the highest 5 % of those averages dropped; the highest that remains is the 95th percentile, per direction, and the larger of the two is billed. Intervals without a measurement are left out (coverage: intervals measured of those in the month). Utilisation is against the contracted capacity.
report-uplink-unresolved = { $link }: the uplink names no interface the agency's agents have reported ({ $problem }).
report-uplink-no-months = { $link }: no measurement of the uplink in the period.
report-uplink-so-far = (so far)
report-uplink-coverage = { $measured } of { $bins } ({ $percent })
report-c-link = Link
report-c-interface = Interface
report-c-in-p95 = In, 95th
report-c-out-p95 = Out, 95th
report-c-p95 = 95th percentile (billed)
report-c-capacity = Capacity
report-c-utilisation = Of capacity
report-c-coverage = Coverage
report-sheet-uplinks = uplinks
report-x-link = link
report-x-device = device
report-x-interface = interface
report-x-receive-p95-bps = receive_p95_bps
report-x-transmit-p95-bps = transmit_p95_bps
report-x-p95-bps = p95_bps
report-x-capacity-bps = capacity_bps
report-x-p95-utilisation-percent = p95_utilisation_percent
report-x-bins-measured = bins_measured
report-x-bins-in-month = bins_in_month
report-x-complete = complete

## 6. or 7. Websites and electronic certificates (only where sites are declared)
report-s-websites = { $n }. Websites and electronic certificates
report-websites-intro = Each agency website declared in collector.toml, probed by the collector: its availability over the report's period (from the probes; maintenance windows excluded; the target and verdict of its SLA class, if it has one), its state at the newest probe, the certificate it served then (verdict, expiry in { $zone }, days left at generation) and the official-domain rule (the site and where it redirects must be under the local government's official domain).
report-website-no-class = no SLA class
report-c-website = Website
report-c-state-now = State at the newest probe
report-c-certificate = Certificate
report-c-official-domain = Official domain
report-sheet-websites = websites
report-x-website = website
report-x-url = url
report-x-certificate-verdict = certificate_verdict
report-x-certificate-not-after = certificate_not_after
report-x-certificate-issuer = certificate_issuer
report-x-official-domain = official_domain
report-x-official-domain-reason = official_domain_reason
report-x-checked-at = checked_at
report-certificate-files = Certificate files on the servers
report-certificate-files-intro = The certificates in files the agencies' servers list in their agent's configuration ([[certificates]]: mail, LDAP, VPN and other services not probed over HTTPS), as the newest report of each file gave them; verdict and days left at generation.
report-certificate-file-unreadable = no certificate read
report-c-certificate-file = File
report-c-expires = Valid until
report-sheet-certificate-files = certificate_files
report-x-path = path
report-x-certificate-error = error
report-sheet-software = software
report-sheet-software-changes = software_changes
report-sheet-packages = packages
report-x-package-manager = source
report-x-packages = packages
report-x-list-as-of = updated
report-x-running-kernel = running_kernel
report-x-newest-kernel = newest_kernel
report-x-reboot-needed = reboot_needed
report-x-installed = installed
report-x-upgraded = upgraded
report-x-downgraded = downgraded
report-x-removed = removed
report-x-respelled = changed
report-x-last-change = last_change
report-x-package = name
report-x-arch = arch
report-x-old-version = old_version
report-x-new-version = new_version
