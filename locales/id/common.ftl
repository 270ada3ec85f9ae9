# Bingkai setiap halaman (web/mod.rs) dan pilihan bahasa.

skip-link = Langsung ke isi
nav-scorecard = Rapor kepatuhan
nav-sla = SLA
nav-backups = Cadangan data
nav-inventory = Aset TIK
nav-lan = Jaringan (LAN)
user-scope-agency = { $name } (Perangkat Daerah { $agency })
user-scope-admin = { $name } (admin Diskominfo)
logout = Keluar
language-switch = Tampilkan halaman dalam bahasa ini
printed-by = Dicetak { $time } oleh { $name }
footer = Waktu dalam { $zone }. Simpul { $version }.
error-not-found = Tidak ditemukan
error-title = Kesalahan
error-back = Kembali ke rapor kepatuhan

# the filters of the lists
filter-agency = Perangkat Daerah
filter-all-agencies = Semua Perangkat Daerah
