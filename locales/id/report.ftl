# Laporan tahunan (PDF dan XLSX, report/): report/labels.rs, pdf.rs, xlsx.rs.
# Angka yang berupa nama (tahun, nomor versi) dikirim sebagai teks, bukan angka.

## sampul dan bingkai setiap halaman

report-title = Laporan Kepatuhan Pengelolaan TIK
report-subtitle = Ketersediaan layanan server, cadangan data, diagram jaringan, dan inventaris aset TIK
report-organisation-unset = Simpul
report-period = Periode
report-scope = Perangkat Daerah
report-all-agencies = Semua Perangkat Daerah
report-generated = Dibuat
report-time-zone = Zona waktu
report-covers = Cakupan data
report-contents = Daftar isi
report-signatures = Pengesahan
report-prepared-by = Disusun oleh
report-approved-by = Disetujui oleh
report-name-date-signature = Nama, tanggal dan tanda tangan
report-generator = Kolektor Simpul
# kaki setiap halaman
report-page = Halaman { $page } dari { $pages }
report-frame-generated = Dibuat { $time } · Zona waktu { $zone }

## periode

report-period-year = Tahun { $year }
report-period-quarter = Triwulan { $roman } { $year } ({ $first } s.d. { $last } { $year })
report-period-month = { $month } { $year }
report-bounds = mulai { $from } hingga sebelum { $to }
report-month-january = Januari
report-month-february = Februari
report-month-march = Maret
report-month-april = April
report-month-may = Mei
report-month-june = Juni
report-month-july = Juli
report-month-august = Agustus
report-month-september = September
report-month-october = Oktober
report-month-november = November
report-month-december = Desember

## 1. rapor kepatuhan

report-s-scorecard = 1. Rapor kepatuhan per bulan
report-scorecard-intro = Kewajiban setiap Perangkat Daerah pada setiap bulan dalam periode: bulan yang sudah berakhir sebagaimana keadaannya di akhir bulan (evaluasi terakhir pada bulan itu), bulan berjalan sebagaimana keadaannya saat laporan dibuat. Bulan sebelum kolektor mulai beroperasi tidak disertakan.
report-worst-duty = Status terburuk per bulan
report-monthly-figures = Rekapitulasi per bulan
report-owed-at-end = Kewajiban yang belum terpenuhi pada bulan terakhir beserta alasannya
report-evaluated = { $month }, dievaluasi pada { $time }
report-nothing-owed = Semua kewajiban terpenuhi pada bulan terakhir periode ini.

## 2. ketersediaan layanan (SLA)

report-s-sla = 2. Ketersediaan layanan server (SLA)
report-sla-intro = Ketersediaan setiap server yang memiliki kelas SLA selama periode: waktu aktif / (waktu aktif + waktu henti), tidak termasuk waktu pemeliharaan (docs/sla.md). Periode yang masih berjalan dievaluasi sampai saat laporan dibuat.
report-sla-agencies = Rekapitulasi per Perangkat Daerah
report-sla-hosts = Rincian per server
report-sla-outages = Gangguan layanan
report-no-sla-hosts = Tidak ada server Perangkat Daerah ini yang memiliki kelas SLA.
report-no-outages = Tidak ada gangguan layanan dalam periode ini.
report-ongoing = masih berlangsung ({ $time })
report-prorated = { $verdict } (dipantau sejak { $time })

## 3. cadangan data

report-s-backups = 3. Cadangan data dan uji pemulihan
report-backups-intro = Setiap kewajiban cadangan data beserta statusnya saat laporan dibuat, cadangan data yang terlihat pada setiap bulan dalam periode, dan uji pemulihan yang dicatat dalam periode.
report-backup-states = Kewajiban cadangan data
report-backup-history = Cadangan data per bulan
report-restore-tests = Uji pemulihan dalam periode
report-no-obligations = Belum ada kewajiban cadangan data yang ditetapkan untuk Perangkat Daerah ini.
report-no-backups-in-period = Tidak ada cadangan data yang terlihat dalam periode ini.
report-no-restore-tests = Tidak ada uji pemulihan yang dicatat dalam periode ini.

## 4. diagram jaringan

report-s-lan = 4. Diagram jaringan
report-lan-intro = Diagram jaringan setiap lokasi Perangkat Daerah sebagaimana keadaannya pada akhir periode (versi terbaru yang ditemukan sebelum akhir periode), tanggal setiap versi, dan perubahan yang ditemukan dalam periode.
report-lan-none = Belum ada diagram jaringan yang ditemukan untuk Perangkat Daerah ini.
report-lan-site = Lokasi { $site }
report-lan-versions = Versi diagram
report-lan-changes = Perubahan dalam periode
report-lan-no-changes = Tidak ada perubahan yang ditemukan dalam periode ini.
report-lan-none-before-end = Tidak ada versi yang ditemukan sebelum akhir periode.
report-lan-tiled = Diagram ini lebih lebar dari satu halaman pada ukuran yang masih terbaca: setelah gambaran keseluruhan, diagram dilanjutkan pada halaman-halaman berikutnya dalam beberapa bagian, dari kiri ke kanan, lalu dari atas ke bawah.
report-lan-part = { $title }: bagian { $part } dari { $parts }
report-lan-overview = Gambaran keseluruhan diagram (bagian-bagian berikutnya berukuran terbaca):
report-lan-caption = Versi { $version }, ditemukan { $discovered }, terakhir dipastikan { $confirmed }: { $devices } perangkat, { $links } koneksi
report-legend-box = Setiap kotak: nama (atau alamat), alamat dan port, jenis dan merek.
report-acked = { $time } oleh { $who }
report-not-acked = belum
report-change-device-added = perangkat ditambahkan: { $device }
report-change-device-removed = perangkat dihapus: { $device }
report-change-link-added = koneksi ditambahkan: { $a } – { $b }
report-change-link-removed = koneksi dihapus: { $a } – { $b }
report-change-moved = { $device } pindah dari { $from } ke { $to }
report-change-readdressed = alamat { $device } berubah dari { $before } menjadi { $after }

## 5. inventaris aset TIK

report-s-assets = 5. Inventaris aset TIK
report-assets-intro = Setiap aset TIK tercatat satu kali: server yang terpasang agen dan perangkat yang ditemukan oleh penemuan jaringan LAN Perangkat Daerah (mesin yang sama dicocokkan melalui alamat MAC), aset yang tidak terlihat lagi diberi tanda, beserta data yang dicatat untuk setiap aset.
report-no-assets = Belum ada aset yang diketahui untuk Perangkat Daerah ini.
report-asset-present = ada
report-asset-not-seen = tidak terlihat lagi sejak terakhir terdeteksi
report-asset-never-seen = terdaftar, belum pernah melapor

## kolom tabel PDF

report-c-agency = Perangkat Daerah
report-c-month = Bulan
report-c-duty = Kewajiban
report-c-state = Status
report-c-reason = Alasan
report-c-agents = Agen melapor
report-c-sla-avail = Ketersediaan SLA
report-c-breached = Server melanggar SLA
report-c-backups = Cadangan data
report-c-restore-due = Uji pemulihan jatuh tempo
report-c-lan = Diagram jaringan
report-c-unack = Perubahan belum dikonfirmasi
report-c-worst = Status terburuk
report-c-hosts = Jumlah server
report-c-host = Server
report-c-site = Lokasi jaringan
report-c-class = Kelas SLA
report-c-target = Target
report-c-avail = Ketersediaan
report-c-downtime = Waktu henti
report-c-maintenance = Pemeliharaan
report-c-budget = Sisa jatah waktu henti
report-c-outages = Gangguan
report-c-longest = Terlama
report-c-verdict = Penilaian
report-c-start = Mulai
report-c-end = Selesai
report-c-duration = Durasi
report-c-cause = Penyebab
report-c-obligation = Kewajiban
report-c-dataset = Data yang dicadangkan
report-c-last-backup = Cadangan terbaru
report-c-size = Ukuran
report-c-restore-test = Uji pemulihan
report-c-last-test = Uji pemulihan terakhir
report-c-message = Keterangan
report-c-count = Jumlah cadangan
report-c-smallest = Terkecil
report-c-largest = Terbesar
report-c-failures = Kegagalan dilaporkan
report-c-when = Waktu
report-c-who = Pelaksana
report-c-result = Hasil
report-c-notes = Catatan
report-c-recorded-by = Dicatat oleh
report-c-version = Versi
report-c-discovered = Ditemukan
report-c-confirmed = Terakhir dipastikan
report-c-devices = Perangkat
report-c-links = Koneksi
report-c-changes = Perubahan
report-c-acked = Dikonfirmasi
report-c-change = Perubahan
report-c-type = Jenis
report-c-name = Nama
report-c-addresses = Alamat IP dan MAC
report-c-os = Sistem operasi
report-c-status = Status
report-c-asset-tag = Kode barang
report-c-responsible = Penanggung jawab, lokasi
report-c-year = Tahun pengadaan
report-c-hardware = Merek, model, nomor seri
report-c-last-seen = Terakhir terlihat

## buku kerja: nama lembar (paling banyak 31 karakter, tanpa []:*?/\) dan kolom

report-sheet-report = Laporan
report-sheet-scorecard = Rapor kepatuhan
report-sheet-sla = SLA
report-sheet-outages = Gangguan SLA
report-sheet-backups = Cadangan data
report-sheet-backup-history = Riwayat cadangan data
report-sheet-restore-tests = Uji pemulihan
report-sheet-lan = Versi diagram jaringan
report-sheet-lan-changes = Perubahan jaringan
report-sheet-assets = Inventaris aset TIK
report-x-yes = ya
report-x-no = tidak
report-x-field = Uraian
report-x-value = Isi
report-x-organisation = Instansi
report-x-title = Judul
report-x-period = Periode
report-x-from = Mulai
report-x-to = Sampai sebelum
report-x-agencies = Perangkat Daerah
report-x-generated = Dibuat
report-x-time-zone = Zona waktu
report-x-month = Bulan
report-x-agency = Kode Perangkat Daerah
report-x-name = Nama
report-x-agency-name = Nama Perangkat Daerah
report-x-agents-reporting = Jumlah agen melapor
report-x-agents-expected = Jumlah agen terdaftar
report-x-sla-availability-percent = Ketersediaan SLA (%)
report-x-sla-hosts-breached = Server melanggar SLA
report-x-backups = Jumlah cadangan data
report-x-backups-state = Status cadangan data
report-x-restore-tests-due = Uji pemulihan jatuh tempo
report-x-lan = Status diagram jaringan
report-x-lan-unacknowledged-changes = Perubahan jaringan belum dikonfirmasi
report-x-lan-devices = Perangkat jaringan
report-x-worst-duty = Status terburuk
# status dan alasan sebuah kewajiban: nama kewajiban
report-x-duty = { $duty }
report-x-duty-reason = { $duty }: alasan
report-x-host = Server
report-x-site = Lokasi jaringan
report-x-sla = Kelas SLA
report-x-target-percent = Target (%)
report-x-availability-percent = Ketersediaan (%)
report-x-up-seconds = Waktu aktif (detik)
report-x-down-seconds = Waktu henti (detik)
report-x-maintenance-seconds = Pemeliharaan (detik)
report-x-unknown-seconds = Tanpa data (detik)
report-x-outage-count = Jumlah gangguan
report-x-longest-outage-seconds = Gangguan terlama (detik)
report-x-downtime-budget-seconds = Jatah waktu henti (detik)
report-x-downtime-budget-remaining-seconds = Sisa jatah waktu henti (detik)
report-x-verdict = Penilaian
report-x-status = Status
report-x-no-data-reason = Alasan tanpa data
report-x-start = Mulai
report-x-end = Selesai
report-x-seconds = Durasi (detik)
report-x-cause = Penyebab
report-x-ongoing = Masih berlangsung
report-x-obligation = Kewajiban
report-x-dataset = Data yang dicadangkan
report-x-state = Status
report-x-last-time = Cadangan terbaru
report-x-last-size-bytes = Ukuran terbaru (byte)
report-x-restore-test-state = Status uji pemulihan
report-x-restore-test-last = Uji pemulihan terakhir
report-x-restore-test-result = Hasil uji pemulihan
report-x-message = Keterangan
report-x-newest = Terbaru
report-x-smallest-bytes = Terkecil (byte)
report-x-largest-bytes = Terbesar (byte)
report-x-failures = Kegagalan
report-x-at = Waktu
report-x-who = Pelaksana
report-x-result = Hasil
report-x-notes = Catatan
report-x-recorded-by = Dicatat oleh
report-x-version = Versi
report-x-discovered-at = Ditemukan
report-x-last-seen = Terakhir terlihat
report-x-devices = Perangkat
report-x-links = Koneksi
report-x-changes = Jumlah perubahan
report-x-acked-by = Dikonfirmasi oleh
report-x-acked-at = Dikonfirmasi pada
report-x-shown-in-report = Ditampilkan dalam laporan
report-x-change = Perubahan
report-x-asset-type = Jenis
report-x-ip-addresses = Alamat IP
report-x-macs = Alamat MAC
report-x-vendor = Merek
report-x-model = Model
report-x-serial = Nomor seri
report-x-os = Sistem operasi
report-x-first-seen = Pertama terlihat
report-x-asset-tag = Kode barang
report-x-responsible = Penanggung jawab
report-x-location = Lokasi
report-x-procurement-year = Tahun pengadaan
report-x-asset-id = ID register

## 6. Uplink WAN (hanya jika sebuah tautan menyatakan uplink-nya)
report-s-uplinks = 6. Uplink WAN: persentil ke-95 per bulan
report-uplinks-intro = Angka yang ditagihkan kontrak bandwidth, untuk setiap tautan WAN yang menyatakan antarmuka uplink-nya: lalu lintas dirata-ratakan per selang 5 menit sepanjang bulan, 5 % rata-rata tertinggi dibuang; nilai tertinggi yang tersisa adalah persentil ke-95, per arah, dan yang lebih besar dari keduanya yang ditagih. Selang tanpa pengukuran tidak dihitung (cakupan: selang terukur dari seluruh selang dalam bulan). Utilisasi dihitung terhadap kapasitas kontrak.
report-uplink-unresolved = { $link }: uplink tidak menunjuk antarmuka yang pernah dilaporkan agen Perangkat Daerah ini ({ $problem }).
report-uplink-no-months = { $link }: tidak ada pengukuran uplink dalam periode ini.
report-uplink-so-far = (sejauh ini)
report-uplink-coverage = { $measured } dari { $bins } ({ $percent })
report-c-link = Tautan
report-c-interface = Antarmuka
report-c-in-p95 = Masuk, persentil ke-95
report-c-out-p95 = Keluar, persentil ke-95
report-c-p95 = Persentil ke-95 (ditagih)
report-c-capacity = Kapasitas
report-c-utilisation = Terhadap kapasitas
report-c-coverage = Cakupan
report-sheet-uplinks = Uplink WAN
report-x-link = Tautan
report-x-device = Perangkat jaringan
report-x-interface = Antarmuka
report-x-receive-p95-bps = Masuk persentil ke-95 (bit/s)
report-x-transmit-p95-bps = Keluar persentil ke-95 (bit/s)
report-x-p95-bps = Persentil ke-95 ditagih (bit/s)
report-x-capacity-bps = Kapasitas (bit/s)
report-x-p95-utilisation-percent = Utilisasi persentil ke-95 (%)
report-x-bins-measured = Selang 5 menit terukur
report-x-bins-in-month = Selang 5 menit dalam bulan
report-x-complete = Bulan selesai

## 6. atau 7. Situs web dan sertifikat elektronik (hanya jika ada situs yang dideklarasikan)
report-s-websites = { $n }. Situs web dan sertifikat elektronik
report-websites-intro = Setiap situs web Perangkat Daerah yang dideklarasikan di collector.toml, diperiksa oleh kolektor: ketersediaannya selama periode laporan (dari hasil pemeriksaan; jendela pemeliharaan tidak dihitung; target dan penilaian kelas SLA-nya, jika ada), statusnya pada pemeriksaan terakhir, sertifikat yang disajikan saat itu (penilaian, masa berlaku dalam { $zone }, sisa hari saat laporan dibuat) dan aturan domain resmi (situs dan tujuan pengalihannya harus berada di bawah domain resmi pemerintah daerah).
report-website-no-class = tanpa kelas SLA
report-c-website = Situs web
report-c-state-now = Status pada pemeriksaan terakhir
report-c-certificate = Sertifikat
report-c-official-domain = Domain resmi
report-sheet-websites = Situs web
report-x-website = Situs web
report-x-url = URL
report-x-certificate-verdict = Penilaian sertifikat
report-x-certificate-not-after = Sertifikat berlaku sampai
report-x-certificate-issuer = Penerbit sertifikat
report-x-official-domain = Di domain resmi
report-x-official-domain-reason = Domain resmi: alasan
report-x-checked-at = Pemeriksaan terakhir
report-certificate-files = Berkas sertifikat di server
report-certificate-files-intro = Sertifikat dalam berkas yang didaftarkan server Perangkat Daerah di konfigurasi agennya ([[certificates]]: surel, LDAP, VPN, dan layanan lain yang tidak diperiksa melalui HTTPS), menurut laporan terbaru tiap berkas; penilaian dan sisa hari saat laporan dibuat.
report-certificate-file-unreadable = tidak ada sertifikat terbaca
report-c-certificate-file = Berkas
report-c-expires = Berlaku sampai
report-sheet-certificate-files = Berkas sertifikat
report-x-path = Lokasi berkas
report-x-certificate-error = Galat
