# The SLA, backups and LAN pages (web/duties.rs) and their domain messages.
