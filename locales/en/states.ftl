# The words of the states (badges) and the duties' reasons, shared by the pages and
# the report (web/mod.rs, scorecard.rs).

never = never

state-met = met
state-breached = breached
state-no-data = no data
state-on-track = on track
state-at-risk = at risk
state-ok = ok
state-late = late
state-too-small = too small
state-wrong-place = wrong place
state-missing = missing
state-failed = failed
state-never-seen = never seen
state-due = due
state-never = never
state-overdue = overdue
state-current = current
state-changed = changed
state-none = none
state-attention = attention
state-warning = warning
state-failing = failing
state-not-applicable = not applicable
state-up = up
state-down = down

# the duties, as the scorecard's columns
duty-agents = Agents reporting
duty-sla = Server SLA
duty-backups-fresh = Backups fresh
duty-restore-tests = Restore tests
duty-lan-submitted = LAN diagram
duty-lan-changes = LAN changes
duty-inventory = Inventory
duty-wan-link = WAN link
duty-websites = Websites and certificates

# why a duty stands as it does (scorecard.rs)
cell-agents-none-enrolled = no agent enrolled: enrol one on each server and one machine in the office (simpul-collector agent add)
cell-agents-all = { $count ->
    [one] 1 agent
   *[other] { $count } agents
} reporting
cell-agents-none-reporting = none of { $count ->
    [one] 1 agent
   *[other] { $count } agents
} reporting
cell-agents-some-silent = { $silent } of { $count } agents not reporting
cell-sla-no-class = no SLA class applies to this agency's servers
cell-sla-breached = { $count ->
    [one] 1 server
   *[other] { $count } servers
} breached this period
cell-sla-at-risk = { $count ->
    [one] 1 server
   *[other] { $count } servers
} at risk: most of the downtime budget used
cell-sla-met = { $count ->
    [one] 1 server
   *[other] { $count } servers
} on track or met
cell-sla-no-data = no heartbeat from its servers in this period yet
cell-backups-none-declared = no backup obligation declared
cell-backups-fresh = { $count ->
    [one] 1 backup
   *[other] { $count } backups
} fresh
cell-backups-late = { $count ->
    [one] 1 backup
   *[other] { $count } backups
} late
cell-backups-failing = { $counts }
cell-restore-ok = { $count ->
    [one] 1 obligation
   *[other] { $count } obligations
} tested in date
cell-restore-never = { $due } of { $count } never restore-tested
cell-restore-due = { $due } of { $count } with a restore test due or failed
cell-lan-missing = no LAN diagram discovered: run LAN discovery on the office agent
cell-lan-overdue = { $count ->
    [one] 1 site's diagram
   *[other] { $count } sites' diagrams
} not confirmed within the maximum age
cell-lan-current = { $count ->
    [one] 1 site diagram
   *[other] { $count } site diagrams
} current
cell-changes-no-diagram = no LAN diagram yet
cell-changes-unacknowledged = diagram changed: { $count ->
    [one] 1 change
   *[other] { $count } changes
} not acknowledged
cell-changes-acknowledged = every change acknowledged
cell-inventory-no-agent = no agent enrolled, no inventory
cell-inventory-all = { $count ->
    [one] 1 server
   *[other] { $count } servers
} inventoried
cell-inventory-some-missing = { $missing } of { $count } servers without an inventory yet
cell-wan-none-declared = no WAN link declared
cell-wan-down = { $count ->
    [one] 1 link
   *[other] { $count } links
} down now
cell-wan-breached = { $count ->
    [one] 1 link
   *[other] { $count } links
} below the SLA target this period
cell-wan-degraded = { $count ->
    [one] 1 link
   *[other] { $count } links
} degraded or at risk
cell-wan-no-data = no probe round from any end lately
cell-wan-ok = { $count ->
    [one] 1 link
   *[other] { $count } links
} up
cell-web-none-declared = no website declared
cell-web-not-probed = not probed yet
cell-web-problems = { $problems }
cell-web-down = { $count ->
    [one] 1 site
   *[other] { $count } sites
} down now
cell-web-certificate-invalid = { $count ->
    [one] 1 certificate does
   *[other] { $count } certificates do
} not verify (expired, unknown CA or wrong name)
cell-web-certificate-expiring = { $count ->
    [one] 1 certificate expires
   *[other] { $count } certificates expire
} soon, the first in { $days ->
    [one] 1 day
   *[other] { $days } days
}
cell-web-outside-domain = { $count ->
    [one] 1 site
   *[other] { $count } sites
} outside the official domain
cell-web-breached = { $count ->
    [one] 1 site
   *[other] { $count } sites
} below the SLA target this period
cell-web-at-risk = { $count ->
    [one] 1 site
   *[other] { $count } sites
} at risk of missing the SLA target
cell-cert-files-invalid = { $count ->
    [one] 1 certificate file on a server does
   *[other] { $count } certificate files on servers do
} not verify or cannot be read
cell-cert-files-expiring = { $count ->
    [one] 1 certificate file on a server expires
   *[other] { $count } certificate files on servers expire
} soon, the first in { $days ->
    [one] 1 day
   *[other] { $days } days
}
cell-cert-files-ok = { $count ->
    [one] 1 certificate file on a server
   *[other] { $count } certificate files on servers
} valid
cell-web-no-https = { $count ->
    [one] 1 site
   *[other] { $count } sites
} without HTTPS
cell-web-some-not-probed = { $count ->
    [one] 1 site
   *[other] { $count } sites
} not probed yet
cell-web-ok = { $count ->
    [one] 1 site
   *[other] { $count } sites
} up, certificates valid

# an agency's backup obligations by state: "1 late, 2 ok"
backups-no-obligations = no obligations
backups-by-state = { $counts }
backups-count = { $count } { $state ->
    [ok] ok
    [late] late
    [too_small] too small
    [wrong_place] wrong place
    [missing] missing
    [failed] failed
   *[never_seen] never seen
}

# a device's or an asset's type (i18n::kind_word)
kind-server = server
kind-router = router
kind-switch = switch
kind-host = host
kind-unknown = unknown
kind-segment = segment
