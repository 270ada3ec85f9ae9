# Tautan WAN: halaman tautan, API dan kartu skor (collector/src/links, web).
