# The scorecard, agency and host pages (web/pages.rs).
