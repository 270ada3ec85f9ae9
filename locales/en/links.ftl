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
links-graph-title = End { $side }, the last { $range }
links-range-3h = 3 hours
links-range-1d = 1 day
links-range-7d = 7 days
links-range-30d = 30 days
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

## /links/{id}: the uplink's 95th percentile
links-uplink = Uplink (95th percentile per month), { $year }
links-uplink-explain = The figure bandwidth contracts bill: the uplink's traffic is averaged over each 5-minute interval of the month, the highest 5 % of those averages are dropped, and the highest that remains is the 95th percentile; the billed figure is the larger of in and out. Intervals without a measurement are left out, not counted as zero (coverage). Utilisation is against the contracted capacity. Months in { $zone }.
links-uplink-interface = Interface { $interface } of { $device }
links-uplink-none = No figures yet: this interface's counters have not been read in this year.
links-uplink-col-month = Month
links-uplink-col-receive = In (95th percentile)
links-uplink-col-transmit = Out (95th percentile)
links-uplink-col-p95 = 95th percentile (billed)
links-uplink-col-utilisation = Of capacity
links-uplink-col-mean = Mean in / out
links-uplink-col-peak = Busiest 5 minutes in / out
links-uplink-col-coverage = Coverage
links-uplink-so-far = (so far)
links-uplink-coverage = { $measured } of { $bins } intervals ({ $percent })
