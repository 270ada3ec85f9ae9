# Halaman SLA, cadangan data, dan diagram jaringan (web/duties.rs), dan pesan domainnya.
# The SLA, backups and LAN pages (web/duties.rs) and their domain messages.

## shared by the three pages
duties-period = Period
duties-show = Show
duties-download-csv = Download CSV
duties-now-only = Now only
duties-this-month = { $period } (this month)
duties-this-quarter = { $period } (this quarter)
duties-this-year = { $period } (this year)
duties-last-year = { $period } (last year)
duties-bad-period = Period "{ $period }": must be a month YYYY-MM, a quarter YYYY-Qn or a year YYYY, e.g. 2026
duties-ago = { $duration } ago

## /sla
sla-title = Server SLA { $period }
sla-period-placeholder = YYYY-MM
sla-bad-period = Period "{ $period }": must be a month YYYY-MM (e.g. 2026-10), a day YYYY-MM-DD, a quarter YYYY-Qn or a year YYYY
sla-range-complete = { $from } to { $to }, complete.
sla-range-running = { $from } to { $to }, in progress: evaluated to { $evaluated }.
sla-how = Availability is up ÷ (up + down) over the time each host was monitored; the downtime budget is the target's allowance over the period from the host's first heartbeat (docs/sla.md).
sla-classes = SLA classes:
sla-class-target = { $target } per { $unit ->
    [day] day
    [quarter] quarter
    [year] year
   *[month] month
}
sla-business-hours = business hours { $hours }
sla-day-mon = Mon
sla-day-tue = Tue
sla-day-wed = Wed
sla-day-thu = Thu
sla-day-fri = Fri
sla-day-sat = Sat
sla-day-sun = Sun
sla-no-hosts = No host has an SLA class: assign one with [[host_sla]] in collector.toml.
sla-agencies = Agencies
sla-hosts = Hosts
sla-col-agency = Agency
sla-col-hosts = Hosts
sla-col-breached = Breached
sla-col-at-risk = At risk
sla-col-availability = Availability
sla-col-down = Down
sla-col-maintenance = Maintenance
sla-col-verdict = Verdict
sla-col-host = Host
sla-col-class = SLA class
sla-col-target = Target
sla-col-outages = Outages
sla-col-longest = Longest
sla-col-budget = Downtime budget
sla-col-from = From
sla-col-to = To
sla-col-duration = Duration
sla-col-cause = Cause
sla-over = over { $duration }
sla-monitored-from = monitored from { $time } (first heartbeat)
sla-budget-used = { $used } of { $budget } used
sla-budget-over = over by { $duration }
sla-budget-left = { $duration } left
sla-outages = Outages
sla-no-outages = No outages in this period.
sla-ongoing = ongoing
sla-so-far = { $duration } so far

# why a host was down (sla/engine.rs, Cause)
sla-cause-missed-heartbeats = missed heartbeats
sla-cause-reboot = reboot
sla-cause-link-down = link down (the agency's agent kept reporting)
sla-cause-site-down = site down (the agency's agent silent too)
sla-cause-unreachable = unreachable (no agent at the agency to tell the link from the site)
sla-cause-probe-failed = website probes failed (no expected answer, or a certificate browsers refuse)

# why a host has no data (sla/report.rs, NoDataReason): the API's no_data_reason
sla-no-data-revoked = the agent was revoked before this period
sla-no-data-not-started = the period has not started yet
sla-no-data-first-heard-after = first heard from after this period
sla-no-data-never-reported = no heartbeat from this host yet: its agent never reported
sla-no-data-no-heartbeat = no heartbeat from this host in this period
sla-no-data-all-maintenance = every monitored second was maintenance
sla-no-data-no-business-hours = no business hours were monitored yet in this period
sla-no-data-collector-down = the collector could not vouch for any of the monitored time (it was not running)

# the CSV's columns (an English download keeps the API's)
sla-csv-period = period
sla-csv-agency = agency
sla-csv-host = host
sla-csv-site = site
sla-csv-sla = sla
sla-csv-target-percent = target_percent
sla-csv-availability-percent = availability_percent
sla-csv-up-seconds = up_seconds
sla-csv-down-seconds = down_seconds
sla-csv-maintenance-seconds = maintenance_seconds
sla-csv-unknown-seconds = unknown_seconds
sla-csv-outages = outages
sla-csv-longest-outage-seconds = longest_outage_seconds
sla-csv-budget-seconds = downtime_budget_seconds
sla-csv-budget-remaining-seconds = downtime_budget_remaining_seconds
sla-csv-status = status

## /backups
backups-title = Backups
backups-now = Now
backups-empty = No backup obligations.
backups-choose-period = Choose a period to see each obligation's backups month by month and the restore tests recorded in it.
backups-col-obligation = Obligation
backups-col-agency = Agency
backups-col-dataset = Data set
backups-col-state = State
backups-col-age = Age
backups-col-last = Last backup
backups-col-size = Size
backups-col-trend = Size trend
backups-col-restore-test = Restore test
backups-max-age = (max { $max })
backups-on-host = on { $host }
backups-in-period = In { $period }
backups-history-note = { $from } to { $to } (exclusive). Months before the collector ran (nothing was monitored) and months not yet begun are left out.
backups-every = { $agency }, every { $interval }
backups-col-month = Month
backups-col-backups = Backups
backups-col-newest = Newest
backups-col-smallest = Smallest
backups-col-largest = Largest
backups-col-failures = Failures
backups-no-restore-test = No restore test recorded in { $period }.
backups-restore-tests-in = Restore tests in { $period }
backups-col-when = When
backups-col-result = Result
backups-col-who = Who
backups-col-notes = Notes
backups-result-ok = ok
backups-result-fail = fail

# why an obligation is in its state (backups/mod.rs): the API's message
backups-decimal = { $int }.{ $frac }
backups-word = { $word }
backups-or = { $first } or { $rest }
backups-default-max-age = (interval × 1.5)
backups-why-no-evidence = no evidence has arrived yet
backups-why-found-none = { $host } found no backup
backups-why-probe-error = { $host }: { $error }
backups-why-missing = newest backup is { $hours } h old, more than max_age { $max_age }
backups-why-wrong-place = evidence from { $host } at site { $site }; required: { $required }
backups-why-too-small = newest backup is { $size } bytes, less than min_size_bytes { $min }
backups-why-late = newest backup is { $hours } h old, more than interval { $interval }
backups-why-no-checkin = no check-in has arrived yet
backups-why-job-unfinished = the job started { $hours } h ago and never finished
backups-why-job-running = the job started but has not finished yet
backups-why-job-failed = the job reported a failure: { $message }
backups-no-message = no message
# where the newest evidence came from, when not a host of the agency
backups-host-of = host of { $agency }
backups-checkin-from = check-in from { $source }

# the CSV's columns (an English download keeps the API's)
backups-csv-id = id
backups-csv-agency = agency
backups-csv-dataset = dataset
backups-csv-state = state
backups-csv-age-seconds = age_seconds
backups-csv-last-time = last_time
backups-csv-last-size-bytes = last_size_bytes
backups-csv-last-host = last_host
backups-csv-restore-test-state = restore_test_state
backups-csv-message = message
backups-csv-last-checksum = last_checksum
backups-csv-size-change-percent = size_change_percent

## /lan and /lan/{agency}
lan-index-title = LAN diagrams
lan-index-empty = No agency to show.
lan-title = LAN of { $name } ({ $agency })
lan-title-none = LAN of { $name }
lan-none-discovered = No LAN diagram has been discovered for this agency: its agent has no [discovery] subnets yet, or has not reported.
lan-sites = Sites
lan-site-label = Site:
lan-version-summary = Version { $version } of { $newest }, discovered { $discovered }, last confirmed { $confirmed }: { $devices ->
        [one] { $devices } device
       *[other] { $devices } devices
    }, { $links ->
        [one] { $links } link
       *[other] { $links } links
    }.
lan-diagram-label = LAN diagram: drag to pan, wheel or + and - keys to zoom
lan-ack-button = Acknowledge changes up to v{ $version }
lan-acked = Changes up to v{ $version } acknowledged.
lan-ack-admins-only = Only Diskominfo administrators acknowledge LAN changes.
lan-diff-title = Changes from v{ $from } to v{ $to }: { $count }
lan-diff-none = No changes.
lan-diff-device-added = + device { $name } { $addresses }
lan-diff-device-removed = − device { $name } { $addresses }
lan-diff-moved = moved { $device }: { $from } → { $to }
lan-diff-readdressed = readdressed { $device }: { $before } → { $after }
lan-diff-link-added = + link { $link }
lan-diff-link-removed = − link { $link }
lan-endpoint-port = { $device } port { $port }
lan-versions = Versions
lan-compare-from = Compare v
lan-compare-to = with v
lan-show-changes = Show changes
lan-show-versions = Show versions
lan-in = In
lan-period-summary = { $versions ->
        [one] { $versions } version
       *[other] { $versions } versions
    } discovered with { $changes ->
        [one] { $changes } change
       *[other] { $changes } changes
    }; { $acked } acknowledged, { $unacked } with changes not yet acknowledged.
lan-period-confirmed = The diagram was last confirmed by a discovery on { $time }.
lan-period-unconfirmed = No discovery confirmed the diagram in this period.
lan-no-versions = No versions yet.
lan-version-missing = The LAN diagram of site { $site } has no version { $version }; its versions: { $versions }.
lan-col-agency = Agency
lan-col-site = Site
lan-col-state = State
lan-col-version = Version
lan-col-discovered = Discovered
lan-col-confirmed = Last confirmed
lan-col-devices = Devices
lan-col-links = Links
lan-col-changes = Changes
lan-col-acknowledged = Acknowledged
lan-col-unacknowledged = Unacknowledged changes
lan-changes-count = { $count ->
    [one] { $count } change
   *[other] { $count } changes
}
lan-first = first
lan-unacknowledged = unacknowledged

# the diagram's own words (lan/svg.rs); the API's SVG is in English
lan-svg-title = { $title } — { $devices } devices, { $links } links
lan-svg-port = port { $port }
lan-svg-addresses = addresses
lan-svg-macs = MACs
lan-svg-sources = sources
lan-svg-legend = Legend
lan-svg-legend-lldp = LLDP neighbour
lan-svg-legend-fdb = FDB: the switch port that learned the MAC
lan-svg-legend-mndp = MNDP: MikroTik neighbour
lan-svg-legend-arp = ARP: the router or agent that saw the address
lan-svg-legend-other = other evidence
lan-svg-legend-added = added
lan-svg-legend-removed = removed
