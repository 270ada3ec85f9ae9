# Tautan WAN: halaman tautan, API dan kartu skor (collector/src/links, web).

## /links
links-title = Tautan WAN (Jaringan Intra)
links-none = Belum ada tautan WAN yang dideklarasikan. Deklarasikan tautan setiap Perangkat Daerah di collector.toml ([[links]], lihat docs/links.md), diukur oleh probe tautan agen di salah satu atau kedua ujungnya.
links-explain = Status setiap tautan menurut putaran probe terbaru dari ujung-ujungnya: terhubung, terganggu (kehilangan paket atau latensi di atas ambang tautan), terputus (semua ujung kehilangan semua permintaan) atau tidak diketahui (tidak ada ujung yang melaporkan putaran akhir-akhir ini). Latensi adalah median waktu pulang-pergi putaran terbaru, kehilangan paket adalah bagian permintaan yang hilang (ujung yang lebih buruk). Waktu dalam { $zone }.
links-map = Peta Jaringan Intra
links-core = Pusat Data
links-all = Semua tautan
links-col-link = Tautan
links-col-agency = Perangkat Daerah (lokasi)
links-col-state = Status
links-col-rtt = Latensi (median)
links-col-loss = Kehilangan paket
links-col-availability = Ketersediaan (periode)
links-col-outages = Gangguan
links-col-downtime = Waktu henti
links-col-problems = Masalah konfigurasi

## /links/{id}
links-link-title = Tautan WAN { $name }
links-no-link = Tautan ini tidak ditemukan: halaman /links memuat tautan yang dapat Anda lihat.
links-bad-range = Rentang "{ $range }" tidak dikenal: gunakan 3h, 1d, 7d atau 30d.
links-since = sejak { $time }
links-end = Ujung { $side }
links-end-what = { $host }, probe { $probe } ke { $target }
links-thresholds = Ambang batas
links-thresholds-are = terganggu bila kehilangan paket di atas { $loss } atau median di atas { $rtt }
links-capacity = Kapasitas kontrak
links-one-sided = Tautan ini diukur dari satu ujung saja: dari bukti tautan ini saja, tautan putus tidak dapat dibedakan dari ujung seberang yang padam.
links-latency = Latensi
links-graph-title = Ujung { $side }, { $range } terakhir
links-range-3h = 3 jam
links-range-1d = 1 hari
links-range-7d = 7 hari
links-range-30d = 30 hari
links-graph-explain = Garis adalah median waktu pulang-pergi setiap saat, diwarnai menurut kehilangan paketnya; pita abu-abu memuat 80 % dan 50 % waktu pulang-pergi di tengah; garis merah di dasar: semua permintaan hilang; kosong: tidak ada putaran. Waktu dalam { $zone }.
links-availability = Ketersediaan { $period }
links-period = Dari { $from } sampai { $to }.
links-availability-ratio = Ketersediaan (aktif ÷ (aktif + mati))
links-target = Target
links-budget-left = Sisa jatah waktu henti
links-up = Aktif (termasuk terganggu)
links-degraded = Terganggu
links-down = Terputus
links-maintenance = Pemeliharaan
links-unknown = Tidak diketahui (tanpa bukti)
links-outages = Gangguan
links-no-outages = Tidak ada gangguan pada periode ini.
links-col-start = Mulai
links-col-end = Selesai
links-col-length = Lama
links-col-classification = Klasifikasi
links-col-evidence = Bukti
links-ongoing = masih berlangsung
links-evidence = ujung { $side }: { $lost } dari { $rounds } putaran kehilangan semua paket
links-agency-reporting = agen Perangkat Daerah tetap melapor
links-agency-silent = agen Perangkat Daerah juga tidak melapor
links-agency-no-agent = Perangkat Daerah tidak memiliki agen
links-problems = Masalah konfigurasi

## /links/{id}: persentil ke-95 uplink
links-uplink = Uplink: persentil ke-95 per bulan, { $year }
links-uplink-explain = Angka yang ditagihkan kontrak bandwidth: lalu lintas uplink dirata-ratakan per selang 5 menit sepanjang bulan, 5 % rata-rata tertinggi dibuang, dan nilai tertinggi yang tersisa adalah persentil ke-95; angka yang ditagih adalah yang lebih besar dari arah masuk dan keluar. Selang tanpa pengukuran tidak dihitung, bukan dianggap nol (cakupan). Utilisasi dihitung terhadap kapasitas kontrak. Bulan dalam { $zone }.
links-uplink-interface = Antarmuka { $interface } pada { $device }
links-uplink-none = Belum ada angka: penghitung antarmuka ini belum dibaca pada tahun ini.
links-uplink-col-month = Bulan
links-uplink-col-receive = Masuk (persentil ke-95)
links-uplink-col-transmit = Keluar (persentil ke-95)
links-uplink-col-p95 = Persentil ke-95 (ditagih)
links-uplink-col-utilisation = Terhadap kapasitas
links-uplink-col-mean = Rata-rata masuk / keluar
links-uplink-col-peak = 5 menit tersibuk masuk / keluar
links-uplink-col-coverage = Cakupan
links-uplink-so-far = (sejauh ini)
links-uplink-coverage = { $measured } dari { $bins } selang ({ $percent })
