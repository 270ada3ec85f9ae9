# Halaman rapor kepatuhan, Perangkat Daerah, dan host (web/pages.rs).
