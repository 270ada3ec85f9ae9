# Halaman SLA, cadangan data, dan diagram jaringan (web/duties.rs), dan pesan domainnya.
# The SLA, backups and LAN pages (web/duties.rs) and their domain messages.

## bersama ketiga halaman
duties-period = Periode
duties-show = Tampilkan
duties-download-csv = Unduh CSV
duties-now-only = Saat ini saja
duties-this-month = { $period } (bulan ini)
duties-this-quarter = { $period } (triwulan ini)
duties-this-year = { $period } (tahun ini)
duties-last-year = { $period } (tahun lalu)
duties-bad-period = Periode "{ $period }" tidak dikenal: gunakan bulan TTTT-BB, triwulan TTTT-Qn, atau tahun TTTT, misalnya 2026
duties-ago = { $duration } yang lalu

## /sla
sla-title = Ketersediaan layanan (SLA) server { $period }
sla-period-placeholder = TTTT-BB
sla-bad-period = Periode "{ $period }" tidak dikenal: gunakan bulan TTTT-BB (misalnya 2026-10), hari TTTT-BB-HH, triwulan TTTT-Qn, atau tahun TTTT
sla-range-complete = { $from } sampai { $to }, periode sudah selesai.
sla-range-running = { $from } sampai { $to }, masih berjalan: dihitung sampai { $evaluated }.
sla-how = Ketersediaan = waktu aktif ÷ (aktif + mati) selama server dipantau; jatah waktu henti adalah batas waktu henti yang diizinkan target selama periode, dihitung sejak sinyal pertama server (docs/sla.md).
sla-classes = Kelas SLA:
sla-class-target = { $target } per { $unit ->
    [day] hari
    [quarter] triwulan
    [year] tahun
   *[month] bulan
}
sla-business-hours = jam kerja { $hours }
sla-day-mon = Sen
sla-day-tue = Sel
sla-day-wed = Rab
sla-day-thu = Kam
sla-day-fri = Jum
sla-day-sat = Sab
sla-day-sun = Min
sla-no-hosts = Belum ada server dengan kelas SLA: tetapkan melalui [[host_sla]] di collector.toml.
sla-agencies = Perangkat Daerah
sla-hosts = Server
sla-col-agency = Perangkat Daerah
sla-col-hosts = Server
sla-col-breached = Melanggar
sla-col-at-risk = Berisiko
sla-col-availability = Ketersediaan
sla-col-down = Waktu henti
sla-col-maintenance = Pemeliharaan
sla-col-verdict = Penilaian
sla-col-host = Server
sla-col-class = Kelas SLA
sla-col-target = Target
sla-col-outages = Gangguan
sla-col-longest = Terlama
sla-col-budget = Jatah waktu henti
sla-col-from = Mulai
sla-col-to = Selesai
sla-col-duration = Durasi
sla-col-cause = Penyebab
sla-over = selama { $duration }
sla-monitored-from = dipantau sejak { $time } (sinyal pertama)
sla-budget-used = { $used } dari { $budget } terpakai
sla-budget-over = lewat { $duration }
sla-budget-left = sisa { $duration }
sla-outages = Gangguan
sla-no-outages = Tidak ada gangguan pada periode ini.
sla-ongoing = masih berlangsung
sla-so-far = { $duration } sejauh ini

# penyebab server mati (sla/engine.rs, Cause)
sla-cause-missed-heartbeats = sinyal tidak diterima
sla-cause-reboot = mulai ulang (reboot)
sla-cause-link-down = tautan putus (agen Perangkat Daerah tetap melapor)
sla-cause-site-down = lokasi padam (agen Perangkat Daerah juga tidak melapor)
sla-cause-unreachable = tidak terjangkau (tidak ada agen di Perangkat Daerah untuk membedakan tautan dari lokasi)
sla-cause-probe-failed = probe situs web gagal (tanpa jawaban yang diharapkan, atau sertifikat ditolak peramban)

# mengapa sebuah server tanpa data (sla/report.rs, NoDataReason)
sla-no-data-revoked = agennya sudah dicabut sebelum periode ini
sla-no-data-not-started = periode ini belum dimulai
sla-no-data-first-heard-after = sinyal pertamanya baru diterima setelah periode ini
sla-no-data-never-reported = belum ada sinyal dari server ini: agennya belum pernah melapor
sla-no-data-no-heartbeat = tidak ada sinyal dari server ini pada periode ini
sla-no-data-all-maintenance = seluruh waktu yang dipantau adalah masa pemeliharaan
sla-no-data-no-business-hours = belum ada jam kerja yang dipantau pada periode ini
sla-no-data-collector-down = kolektor Simpul tidak dapat menjamin waktu yang dipantau (kolektor tidak berjalan)

# kolom CSV
sla-csv-period = Periode
sla-csv-agency = Perangkat Daerah
sla-csv-host = Server
sla-csv-site = Lokasi
sla-csv-sla = Kelas SLA
sla-csv-target-percent = Target (%)
sla-csv-availability-percent = Ketersediaan (%)
sla-csv-up-seconds = Aktif (detik)
sla-csv-down-seconds = Mati (detik)
sla-csv-maintenance-seconds = Pemeliharaan (detik)
sla-csv-unknown-seconds = Tidak diketahui (detik)
sla-csv-outages = Gangguan
sla-csv-longest-outage-seconds = Gangguan terlama (detik)
sla-csv-budget-seconds = Jatah waktu henti (detik)
sla-csv-budget-remaining-seconds = Sisa jatah waktu henti (detik)
sla-csv-status = Status

## /backups
backups-title = Cadangan data
backups-now = Saat ini
backups-empty = Belum ada kewajiban cadangan data.
backups-choose-period = Pilih periode untuk melihat cadangan data setiap kewajiban per bulan beserta uji pemulihan yang tercatat.
backups-col-obligation = Kewajiban
backups-col-agency = Perangkat Daerah
backups-col-dataset = Data
backups-col-state = Status
backups-col-age = Usia
backups-col-last = Cadangan terakhir
backups-col-size = Ukuran
backups-col-trend = Tren ukuran
backups-col-restore-test = Uji pemulihan
backups-max-age = (maks. { $max })
backups-on-host = di { $host }
backups-in-period = Periode { $period }
backups-history-note = { $from } sampai sebelum { $to }. Bulan sebelum Simpul mulai memantau dan bulan yang belum dimulai tidak ditampilkan.
backups-every = { $agency }, setiap { $interval }
backups-col-month = Bulan
backups-col-backups = Cadangan
backups-col-newest = Terbaru
backups-col-smallest = Terkecil
backups-col-largest = Terbesar
backups-col-failures = Kegagalan
backups-no-restore-test = Tidak ada uji pemulihan yang tercatat pada { $period }.
backups-restore-tests-in = Uji pemulihan pada { $period }
backups-col-when = Waktu
backups-col-result = Hasil
backups-col-who = Petugas
backups-col-notes = Catatan
backups-result-ok = berhasil
backups-result-fail = gagal

# mengapa sebuah kewajiban berstatus demikian (backups/mod.rs)
backups-decimal = { $int },{ $frac }
backups-word = { $word }
backups-or = { $first } atau { $rest }
backups-default-max-age = (interval × 1,5)
backups-why-no-evidence = belum ada bukti cadangan yang masuk
backups-why-found-none = { $host } tidak menemukan cadangan
backups-why-probe-error = { $host }: { $error }
backups-why-missing = cadangan terbaru berusia { $hours } jam, melebihi max_age { $max_age }
backups-why-wrong-place = bukti dari { $host } di lokasi { $site }; seharusnya di { $required }
backups-why-too-small = cadangan terbaru berukuran { $size } byte, kurang dari min_size_bytes { $min }
backups-why-late = cadangan terbaru berusia { $hours } jam, melebihi interval { $interval }
backups-why-no-checkin = belum ada laporan check-in yang masuk
backups-why-job-unfinished = tugas pencadangan dimulai { $hours } jam yang lalu dan tidak pernah selesai
backups-why-job-running = tugas pencadangan sudah dimulai tetapi belum selesai
backups-why-job-failed = tugas pencadangan melaporkan kegagalan: { $message }
backups-no-message = tanpa pesan
# asal bukti terbaru, bila bukan server Perangkat Daerah itu sendiri
backups-host-of = server milik { $agency }
backups-checkin-from = check-in dari { $source }

# kolom CSV
backups-csv-id = Kewajiban
backups-csv-agency = Perangkat Daerah
backups-csv-dataset = Data
backups-csv-state = Status
backups-csv-age-seconds = Usia (detik)
backups-csv-last-time = Waktu cadangan terakhir
backups-csv-last-size-bytes = Ukuran terakhir (byte)
backups-csv-last-host = Asal cadangan terakhir
backups-csv-restore-test-state = Status uji pemulihan
backups-csv-message = Keterangan
backups-csv-last-checksum = Checksum terakhir
backups-csv-size-change-percent = Perubahan ukuran (%)

## /lan dan /lan/{agency}
lan-index-title = Diagram jaringan
lan-index-empty = Tidak ada Perangkat Daerah untuk ditampilkan.
lan-title = Diagram jaringan { $name } ({ $agency })
lan-title-none = Diagram jaringan { $name }
lan-none-discovered = Belum ada diagram jaringan yang ditemukan untuk Perangkat Daerah ini: agennya belum memiliki subnet [discovery], atau belum melapor.
lan-sites = Lokasi
lan-site-label = Lokasi:
lan-version-summary = Versi { $version } dari { $newest }, ditemukan { $discovered }, terakhir diverifikasi { $confirmed }: { $devices } perangkat, { $links } tautan.
lan-diagram-label = Diagram jaringan: seret untuk menggeser, gunakan roda tetikus atau tombol + dan - untuk memperbesar dan memperkecil
lan-ack-button = Konfirmasi perubahan hingga v{ $version }
lan-acked = Perubahan hingga v{ $version } sudah dikonfirmasi.
lan-ack-admins-only = Hanya admin Diskominfo yang dapat mengonfirmasi perubahan jaringan.
lan-diff-title = Perubahan dari v{ $from } ke v{ $to }: { $count }
lan-diff-none = Tidak ada perubahan.
lan-diff-device-added = + perangkat { $name } { $addresses }
lan-diff-device-removed = − perangkat { $name } { $addresses }
lan-diff-moved = { $device } berpindah: { $from } → { $to }
lan-diff-readdressed = { $device } berganti alamat: { $before } → { $after }
lan-diff-link-added = + tautan { $link }
lan-diff-link-removed = − tautan { $link }
lan-endpoint-port = { $device } port { $port }
lan-versions = Versi
lan-compare-from = Bandingkan v
lan-compare-to = dengan v
lan-show-changes = Tampilkan perubahan
lan-show-versions = Tampilkan versi
lan-in = Pada
lan-period-summary = { $versions } versi ditemukan dengan { $changes } perubahan; { $acked } sudah dikonfirmasi, { $unacked } memiliki perubahan yang belum dikonfirmasi.
lan-period-confirmed = Diagram terakhir diverifikasi oleh penemuan jaringan pada { $time }.
lan-period-unconfirmed = Tidak ada penemuan jaringan yang memverifikasi diagram pada periode ini.
lan-no-versions = Belum ada versi.
lan-version-missing = Diagram jaringan lokasi { $site } tidak memiliki versi { $version }; versi yang ada: { $versions }.
lan-col-agency = Perangkat Daerah
lan-col-site = Lokasi
lan-col-state = Status
lan-col-version = Versi
lan-col-discovered = Ditemukan
lan-col-confirmed = Terakhir diverifikasi
lan-col-devices = Perangkat
lan-col-links = Tautan
lan-col-changes = Perubahan
lan-col-acknowledged = Dikonfirmasi
lan-col-unacknowledged = Perubahan belum dikonfirmasi
lan-changes-count = { $count } perubahan
lan-first = pertama
lan-unacknowledged = belum dikonfirmasi

# kata-kata diagram itu sendiri (lan/svg.rs)
lan-svg-title = { $title } — { $devices } perangkat, { $links } tautan
lan-svg-port = port { $port }
lan-svg-addresses = alamat
lan-svg-macs = MAC
lan-svg-sources = sumber
lan-svg-legend = Keterangan
lan-svg-legend-lldp = tetangga LLDP
lan-svg-legend-fdb = FDB: port switch yang mempelajari MAC
lan-svg-legend-mndp = MNDP: tetangga MikroTik
lan-svg-legend-arp = ARP: router atau agen yang melihat alamat
lan-svg-legend-other = bukti lain
lan-svg-legend-added = ditambahkan
lan-svg-legend-removed = dihapus
