# Grafik latensi dan peta Jaringan Intra (collector/src/links/graph.rs, map.rs).
