# Grafik latensi dan peta Jaringan Intra (collector/src/links/graph.rs, map.rs).

## Grafik latensi (graph.rs)
wan-graph-latency-axis = Latensi (ms)
wan-graph-time-axis = Waktu ({ $zone })
wan-graph-no-data = Tidak ada data untuk periode ini
wan-graph-loss = Kehilangan paket:
wan-graph-middle = { $share } RTT di tengah
wan-graph-median = median RTT
wan-graph-all-lost = semua paket hilang
wan-graph-gap = kosong: tidak ada data
wan-graph-threshold = ambang { $value } ms
wan-graph-threshold-above = ambang { $value } ms (di atas skala)
wan-graph-date = { $day } { $month }
wan-month-jan = Jan
wan-month-feb = Feb
wan-month-mar = Mar
wan-month-apr = Apr
wan-month-may = Mei
wan-month-jun = Jun
wan-month-jul = Jul
wan-month-aug = Agu
wan-month-sep = Sep
wan-month-oct = Okt
wan-month-nov = Nov
wan-month-dec = Des

## Peta Jaringan Intra (map.rs)
wan-map-title = Jaringan Intra: { $core }
wan-map-edge = { $rtt } ms · { $loss }
wan-map-edge-title = { $site }: { $state }, { $detail }
wan-map-node-title = { $site }: diagram jaringan
wan-map-legend = Keadaan tautan:
wan-no-data = tidak ada data
wan-state-up = terhubung
wan-state-degraded = terganggu
wan-state-down = terputus
wan-state-unknown = tidak diketahui
