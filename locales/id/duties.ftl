# Halaman SLA, cadangan data, dan diagram jaringan (web/duties.rs), dan pesan domainnya.
