# Sertifikat di server (berkas [[certificates]] di agent.toml): halaman /certificates
# dan bagian halaman host.
certs-title = Sertifikat di server
certs-agency-title = Sertifikat di server { $agency }
certs-explain = Berkas sertifikat yang dilaporkan agen dari setiap server (kunci [[certificates]] di agent.toml), yang paling cepat berakhir lebih dulu: sertifikatnya, putusan verifikasi (rantai ke CA tepercaya dan masa berlaku; tanpa nama host), masa berlaku dan sisa hari. Kunci privat tidak pernah dikirim. Waktu dalam { $zone }.
certs-none = Belum ada berkas sertifikat yang dilaporkan. Tambahkan [[certificates]] path = "/etc/ssl/..." di agent.toml server.
certs-col-host = Server
certs-col-file = Berkas
certs-col-certificate = Sertifikat
certs-col-verdict = Putusan
certs-col-expires = Berlaku sampai
certs-col-reported = Dilaporkan
certs-no-certificate = tidak ada sertifikat
certs-unreadable = tidak terbaca
certs-issuer = penerbit: { $issuer }
certs-key = kunci { $kind } { $bits } bit, { $algorithm }
certs-chain = beserta { $count } sertifikat rantai
certs-skipped = dilewati, tidak dikirim: { $blocks }
certs-error = kata agen:
certs-days-left = { $days } hari lagi
certs-days-ago = kedaluwarsa { $days } hari lalu
certs-host-title = Sertifikat di server ini
certs-host-none = Agen server ini tidak melaporkan berkas sertifikat ([[certificates]] di agent.toml).
