# Kata-kata status (lencana) dan alasan setiap kewajiban, dipakai bersama oleh halaman
# dan laporan (web/mod.rs, scorecard.rs).

never = belum pernah

state-met = terpenuhi
state-breached = dilanggar
state-no-data = tanpa data
state-on-track = sesuai target
state-at-risk = berisiko
state-ok = baik
state-late = terlambat
state-too-small = terlalu kecil
state-wrong-place = salah lokasi
state-missing = tidak ada
state-failed = gagal
state-never-seen = belum pernah terlihat
state-due = jatuh tempo
state-never = belum pernah
state-overdue = lewat tenggat
state-current = mutakhir
state-changed = berubah
state-none = belum ada
state-attention = perlu perhatian
state-warning = peringatan
state-failing = tidak terpenuhi
state-not-applicable = tidak berlaku
state-up = aktif
state-down = mati

# kewajiban, sebagai kolom rapor kepatuhan
duty-agents = Agen melapor
duty-sla = SLA server
duty-backups-fresh = Cadangan data mutakhir
duty-restore-tests = Uji pemulihan
duty-lan-submitted = Diagram jaringan
duty-lan-changes = Perubahan jaringan
duty-inventory = Inventaris
duty-wan-link = Tautan WAN
duty-websites = Situs web dan sertifikat

# mengapa sebuah kewajiban berstatus demikian (scorecard.rs)
cell-agents-none-enrolled = belum ada agen terdaftar: daftarkan satu di setiap server dan satu komputer di kantor (simpul-collector agent add)
cell-agents-all = { $count } agen melapor
cell-agents-none-reporting = tidak satu pun dari { $count } agen melapor
cell-agents-some-silent = { $silent } dari { $count } agen tidak melapor
cell-sla-no-class = tidak ada kelas SLA yang berlaku untuk server Perangkat Daerah ini
cell-sla-breached = { $count } server melanggar SLA pada periode ini
cell-sla-at-risk = { $count } server berisiko: sebagian besar jatah waktu henti sudah terpakai
cell-sla-met = { $count } server sesuai target atau terpenuhi
cell-sla-no-data = belum ada sinyal dari servernya pada periode ini
cell-backups-none-declared = belum ada kewajiban cadangan data yang ditetapkan
cell-backups-fresh = { $count } cadangan data mutakhir
cell-backups-late = { $count } cadangan data terlambat
cell-backups-failing = { $counts }
cell-restore-ok = { $count } kewajiban lulus uji pemulihan tepat waktu
cell-restore-never = { $due } dari { $count } belum pernah diuji pemulihan
cell-restore-due = { $due } dari { $count } uji pemulihannya jatuh tempo atau gagal
cell-lan-missing = belum ada diagram jaringan: jalankan penemuan LAN pada agen di kantor
cell-lan-overdue = diagram { $count } lokasi tidak diverifikasi dalam batas usia maksimum
cell-lan-current = diagram { $count } lokasi mutakhir
cell-changes-no-diagram = belum ada diagram jaringan
cell-changes-unacknowledged = diagram berubah: { $count } perubahan belum dikonfirmasi
cell-changes-acknowledged = semua perubahan sudah dikonfirmasi
cell-inventory-no-agent = belum ada agen terdaftar, belum ada inventaris
cell-inventory-all = { $count } server terinventarisasi
cell-inventory-some-missing = { $missing } dari { $count } server belum memiliki inventaris
cell-wan-none-declared = belum ada tautan WAN yang dideklarasikan
cell-wan-down = { $count } tautan terputus saat ini
cell-wan-breached = { $count } tautan di bawah target SLA periode ini
cell-wan-degraded = { $count } tautan terganggu atau berisiko
cell-wan-no-data = tidak ada putaran probe dari ujung mana pun akhir-akhir ini
cell-wan-ok = { $count } tautan terhubung
cell-web-none-declared = belum ada situs web yang dideklarasikan
cell-web-not-probed = belum diperiksa
cell-web-problems = { $problems }
cell-web-down = { $count } situs tidak dapat diakses saat ini
cell-web-certificate-invalid = { $count } sertifikat tidak sah (kedaluwarsa, CA tidak dikenal, atau nama salah)
cell-web-certificate-expiring = { $count } sertifikat segera habis masa berlakunya, yang pertama dalam { $days } hari
cell-web-outside-domain = { $count } situs di luar domain resmi
cell-web-breached = { $count } situs di bawah target SLA periode ini
cell-web-at-risk = { $count } situs berisiko tidak memenuhi target SLA
cell-cert-files-invalid = { $count } berkas sertifikat di server tidak sah atau tidak terbaca
cell-cert-files-expiring = { $count } berkas sertifikat di server segera habis masa berlakunya, yang pertama dalam { $days } hari
cell-cert-files-ok = { $count } berkas sertifikat di server sah
cell-web-no-https = { $count } situs tanpa HTTPS
cell-web-some-not-probed = { $count } situs belum diperiksa
cell-web-ok = { $count } situs dapat diakses, sertifikat sah

# kewajiban cadangan data sebuah Perangkat Daerah menurut status: "1 terlambat, 2 baik"
backups-no-obligations = tidak ada kewajiban
backups-by-state = { $counts }
backups-count = { $count } { $state ->
    [ok] baik
    [late] terlambat
    [too_small] terlalu kecil
    [wrong_place] salah lokasi
    [missing] tidak ada
    [failed] gagal
   *[never_seen] belum pernah terlihat
}

# jenis perangkat atau aset (i18n::kind_word)
kind-server = server
kind-router = router
kind-switch = switch
kind-host = host
kind-unknown = tidak dikenal
kind-segment = segmen
