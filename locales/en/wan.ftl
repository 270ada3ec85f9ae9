# The latency graph and the intranet map (collector/src/links/graph.rs, map.rs).

## The latency graph (graph.rs)
wan-graph-latency-axis = Latency (ms)
wan-graph-time-axis = Time ({ $zone })
wan-graph-no-data = No data for this period
wan-graph-loss = Packet loss:
wan-graph-middle = middle { $share } of RTTs
wan-graph-median = median RTT
wan-graph-all-lost = all packets lost
wan-graph-gap = blank: no data
wan-graph-threshold = threshold { $value } ms
wan-graph-threshold-above = threshold { $value } ms (above the scale)
wan-graph-date = { $day } { $month }
wan-month-jan = Jan
wan-month-feb = Feb
wan-month-mar = Mar
wan-month-apr = Apr
wan-month-may = May
wan-month-jun = Jun
wan-month-jul = Jul
wan-month-aug = Aug
wan-month-sep = Sep
wan-month-oct = Oct
wan-month-nov = Nov
wan-month-dec = Dec

## The intranet map (map.rs)
wan-map-title = Intranet: { $core }
wan-map-edge = { $rtt } ms · { $loss }
wan-map-edge-title = { $site }: { $state }, { $detail }
wan-map-node-title = { $site }: LAN diagram
wan-map-legend = Link state:
wan-no-data = no data
wan-state-up = up
wan-state-degraded = degraded
wan-state-down = down
wan-state-unknown = unknown
