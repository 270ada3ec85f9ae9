# WAN links: the link pages, API and scorecard (collector/src/links, web).

## /links
links-title = WAN links (intranet)
links-none = No WAN link is declared. Declare each agency's link in collector.toml ([[links]], see docs/links.md), measured by the link probes of the agents at either end.
links-explain = Each link's state from the newest probe rounds of its ends: up, degraded (loss or latency above the link's thresholds), down (every end lost every request) or unknown (no end has reported a round lately). Latency is the median round trip of the newest round, loss its share of lost requests (the worse end). Times in { $zone }.
links-map = Intranet map
links-core = Pusat Data
links-all = Every link
links-col-link = Link
links-col-agency = Agency (site)
links-col-state = State
links-col-rtt = Latency (median)
links-col-loss = Packet loss
links-col-availability = Availability (period)
links-col-outages = Outages
links-col-downtime = Downtime
links-col-problems = Configuration problems

## /links/{id}
links-link-title = WAN link { $name }
links-no-link = This link was not found: GET /links lists the links you can see.
links-bad-range = Range "{ $range }" is unknown: use 3h, 1d, 7d or 30d.
links-since = since { $time }
links-end = End { $side }
links-end-what = { $host }, probe { $probe } to { $target }
links-thresholds = Thresholds
links-thresholds-are = degraded above { $loss } loss or a median above { $rtt }
links-capacity = Contracted capacity
links-one-sided = This link is measured from one end only: a cut cannot be told from a dead far end by this link's evidence alone.
links-latency = Latency
links-graph-title = End { $side }, last { $range }
links-graph-explain = The line is the median round trip of each moment, coloured by its packet loss; the grey bands hold the middle 80 % and 50 % of the round trips; a red tick at the bottom: every request lost; a blank: no round. Times in { $zone }.
links-availability = Availability { $period }
links-period = From { $from } to { $to }.
links-availability-ratio = Availability (up ÷ (up + down))
links-target = Target
links-budget-left = Downtime budget left
links-up = Up (degraded included)
links-degraded = Degraded
links-down = Down
links-maintenance = Maintenance
links-unknown = Unknown (no evidence)
links-outages = Outages
links-no-outages = No outage in this period.
links-col-start = Start
links-col-end = End
links-col-length = Length
links-col-classification = Classification
links-col-evidence = Evidence
links-ongoing = still going on
links-evidence = end { $side }: { $lost } of { $rounds } rounds lost everything
links-agency-reporting = the agency's agent kept reporting
links-agency-silent = the agency's agents were silent too
links-agency-no-agent = the agency has no agent
links-problems = Configuration problems
