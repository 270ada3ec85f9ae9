# The latency graph and the intranet map (collector/src/links/graph.rs, map.rs).
