# Bingkai setiap halaman (web/mod.rs) dan pilihan bahasa.

skip-link = Langsung ke isi
nav-scorecard = Rapor kepatuhan
nav-sla = SLA
nav-backups = Cadangan data
nav-inventory = Aset TIK
nav-lan = Jaringan (LAN)
nav-links = Tautan WAN
nav-interfaces = Lalu lintas
nav-websites = Situs web
user-scope-agency = { $name } (Perangkat Daerah { $agency })
user-scope-admin = { $name } (admin Diskominfo)
logout = Keluar
language-switch = Tampilkan halaman dalam bahasa ini
printed-by = Dicetak { $time } oleh { $name }
footer = Waktu dalam { $zone }. Simpul { $version }.
error-not-found = Tidak ditemukan
error-title = Kesalahan
error-back = Kembali ke rapor kepatuhan
error-no-agency = Perangkat Daerah ini tidak ditemukan.
error-no-host = Host ini tidak ditemukan.
error-no-asset = Aset ini tidak ditemukan.
error-no-page = Halaman ini tidak ditemukan: periksa alamatnya, atau mulai dari rapor kepatuhan.
error-database-down = Basis data tidak tersedia; coba lagi sebentar lagi.
error-csrf = Formulir ini tidak membawa token CSRF yang sah (sudah kedaluwarsa atau berasal dari tempat lain). Muat ulang halaman lalu coba lagi.
language-bad = Bahasa "{ $value }" tidak tersedia: pilih "id" (Bahasa Indonesia) atau "en" (English).

# the filters of the lists
filter-agency = Perangkat Daerah
filter-all-agencies = Semua Perangkat Daerah

# halaman masuk (web/session.rs)
login-title = Masuk
login-intro = Pemantauan inventaris dan kewajiban Diskominfo, Pusat Data, dan Perangkat Daerah (OPD).
login-name = Nama pengguna
login-password = Kata sandi
login-submit = Masuk
login-expired = Formulir masuk sudah kedaluwarsa atau berasal dari tempat lain (tanpa token CSRF); silakan masuk lagi.
login-wrong = Nama pengguna atau kata sandi salah.
login-failed-server = Gagal masuk karena kesalahan di server; coba lagi.
login-database-down = Basis data tidak tersedia; coba lagi sebentar lagi.
login-too-many = Terlalu banyak percobaan masuk dari alamat ini
login-busy = Server sedang sibuk melayani percobaan masuk lain
login-try-again = { $why }. Coba lagi dalam { $secs } detik.
filter-submit = Saring
download-csv = Unduh CSV
nav-certificates = Sertifikat
