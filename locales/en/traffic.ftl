# Interface traffic: the pages /interfaces and /interfaces/{id} (collector/src/web/interfaces.rs)
# and the traffic graphs (collector/src/traffic/graph.rs).

traffic-title = Interface traffic
traffic-explain = The agents read the interface counters of the agencies' SNMP devices (every minute unless configured otherwise). Rates are averages between two readings, in bits per second; utilisation is of the interface's speed (ifSpeed) or of the contracted capacity. Times in { $zone }.
traffic-none = No device's interface counters are read yet. Set traffic_interval_secs and interfaces on a [[discovery.snmp]] entry of an agent (see docs/traffic.md).
traffic-devices = Devices read
traffic-col-device = Device
traffic-col-agency = Perangkat Daerah
traffic-col-last-poll = Last reading
traffic-col-poll-state = Reading
traffic-poll-ok = works
traffic-poll-failed = fails
traffic-poll-error = { $error } (last good reading: { $time })
traffic-busiest = Busiest interfaces, { $window }
traffic-window = Window
traffic-window-1h = last hour
traffic-window-1d = last 24 hours
traffic-busiest-explain = Sorted by the peak utilisation of the busier direction; the peak is the busiest reading interval, the average is over the time measured. Interfaces whose capacity is unknown come last.
traffic-no-interfaces = No interface was read in the last 24 hours.
traffic-col-interface = Interface
traffic-col-status = Status
traffic-col-capacity = Capacity
traffic-col-in-now = In now
traffic-col-out-now = Out now
traffic-col-peak-utilisation = Peak utilisation
traffic-col-average-utilisation = Average utilisation
traffic-col-errors = Errors / discards
traffic-errors-discards = { $errors } / { $discards }
traffic-capacity-ifspeed = interface speed (ifSpeed)
traffic-capacity-contracted = contracted capacity of { $link }
traffic-uplink-of = Uplink of the WAN link
traffic-uplink-p95 = (its monthly 95th percentile is on the link's page)
traffic-capacity-unknown = unknown
traffic-up = up
traffic-down = down
traffic-status-other = status { $code }
traffic-bad-window = Unknown window "{ $window }"; use 1h or 1d.
traffic-no-interface = No such interface, or it belongs to an agency you do not see.
traffic-as-of = newest reading { $time }
traffic-if-index = ifIndex
traffic-alias = Description (ifAlias)
traffic-counters = Counters
traffic-counters-are = { $bits }-bit
traffic-polled-by = Read by the agent on
traffic-since = Counted since
traffic-totals = { $time }: { $received } received, { $transmitted } transmitted
traffic-range = Period
traffic-traffic = Traffic
traffic-graph-explain = In is what the device received on the interface, out what it sent. Each point is the average over the time it covers; a blank is a period with no reading (the device, the agent or the counters were not available), never zero. Times in { $zone }.
traffic-graph-title = Traffic, last { $range }
traffic-errors-title = Errors and discards, last { $range }
traffic-summary = The last { $range }
traffic-coverage = Measured { $share } of the period ({ $measured } of { $period }).
traffic-resets = { $count ->
    [one] The counters restarted once (not counted as traffic).
   *[other] The counters restarted { $count } times (not counted as traffic).
}
traffic-polls-down = { $count ->
    [one] 1 of { $polls } readings found the interface not up.
   *[other] { $count } of { $polls } readings found the interface not up.
}
traffic-sum-volume = Volume
traffic-sum-average = Average
traffic-sum-peak = Peak (busiest interval)
traffic-sum-average-utilisation = Average utilisation
traffic-sum-peak-utilisation = Peak utilisation
traffic-sum-errors = Errors
traffic-sum-discards = Discards
traffic-no-capacity = The device reports no speed for this interface, so no utilisation can be shown; declare it as a WAN link's uplink with capacity_bps in collector.toml.
traffic-errors = Errors and discards

## The graphs (traffic/graph.rs)
traffic-graph-in = In (received)
traffic-graph-out = Out (sent)
traffic-graph-peak = { $series }: busiest interval
traffic-graph-in-errors = in errors
traffic-graph-out-errors = out errors
traffic-graph-in-discards = in discards
traffic-graph-out-discards = out discards
traffic-graph-per-second-axis = per second
traffic-graph-capacity = capacity { $value } ({ $source })
traffic-graph-capacity-above = { $capacity }, above the scale
