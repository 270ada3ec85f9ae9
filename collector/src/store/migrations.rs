//! Schema migrations, versioned in code, each written for SQLite and for PostgreSQL.
//! Each runs once, in its own transaction, in order. Never edit a released one:
//! append a new one.

use super::db::{Db, DbError, Engine};
use crate::params;

/// The migrations, in order. Index + 1 is the schema version after applying it.
const MIGRATIONS: &[Migration] = &[
    // 1: agents, reports (idempotency key + heartbeat history), latest state, inventory
    Migration {
        sqlite: "CREATE TABLE agents (
        id            TEXT PRIMARY KEY,
        agency        TEXT NOT NULL,
        host          TEXT NOT NULL,
        site          TEXT,
        token_sha256  TEXT NOT NULL UNIQUE,
        created_at    REAL NOT NULL,
        revoked_at    REAL
     );
     CREATE UNIQUE INDEX agents_active_host ON agents(agency, host) WHERE revoked_at IS NULL;
     CREATE TABLE reports (
        agent_id      TEXT NOT NULL,
        sequence      INTEGER NOT NULL,
        sample_time   REAL NOT NULL,
        received_at   REAL NOT NULL,
        interval_secs INTEGER NOT NULL,
        boot_time     INTEGER,
        cpu_ratio     REAL,
        mem_used      INTEGER,
        mem_total     INTEGER,
        PRIMARY KEY (agent_id, sequence)
     ) WITHOUT ROWID;
     CREATE INDEX reports_by_time ON reports(agent_id, sample_time);
     CREATE TABLE host_latest (
        agent_id      TEXT PRIMARY KEY,
        sequence      INTEGER NOT NULL,
        sample_time   REAL NOT NULL,
        received_at   REAL NOT NULL,
        report_json   TEXT NOT NULL
     );
     CREATE TABLE inventory (
        agent_id      TEXT NOT NULL,
        sample_time   REAL NOT NULL,
        inventory_json TEXT NOT NULL,
        PRIMARY KEY (agent_id, sample_time)
     );",
        postgres: r#"CREATE TABLE agents (
        id            TEXT PRIMARY KEY,
        agency        TEXT NOT NULL,
        host          TEXT NOT NULL,
        site          TEXT,
        token_sha256  TEXT NOT NULL UNIQUE,
        created_at    DOUBLE PRECISION NOT NULL,
        revoked_at    DOUBLE PRECISION
     );
     CREATE UNIQUE INDEX agents_active_host ON agents(agency, host) WHERE revoked_at IS NULL;
     CREATE TABLE reports (
        agent_id      TEXT NOT NULL,
        sequence      BIGINT NOT NULL,
        sample_time   DOUBLE PRECISION NOT NULL,
        received_at   DOUBLE PRECISION NOT NULL,
        interval_secs BIGINT NOT NULL,
        boot_time     BIGINT,
        cpu_ratio     DOUBLE PRECISION,
        mem_used      BIGINT,
        mem_total     BIGINT,
        PRIMARY KEY (agent_id, sequence)
     );
     CREATE INDEX reports_by_time ON reports(agent_id, sample_time);
     CREATE TABLE host_latest (
        agent_id      TEXT PRIMARY KEY,
        sequence      BIGINT NOT NULL,
        sample_time   DOUBLE PRECISION NOT NULL,
        received_at   DOUBLE PRECISION NOT NULL,
        report_json   TEXT NOT NULL
     );
     CREATE TABLE inventory (
        agent_id      TEXT NOT NULL,
        sample_time   DOUBLE PRECISION NOT NULL,
        inventory_json TEXT NOT NULL,
        PRIMARY KEY (agent_id, sample_time)
     );"#,
    },
    // 2: availability. spans: runs of heartbeats of one boot no further apart than the
    // grace gap (one row per uninterrupted run, extended on ingest); collector_runs: when
    // the collector itself was ingesting, so that its own outages are not blamed on hosts.
    // Reports stored before this version become one-heartbeat spans (exact, not compact).
    Migration {
        sqlite: "CREATE TABLE spans (
        agent_id  TEXT NOT NULL,
        start     REAL NOT NULL,
        end       REAL NOT NULL,
        boot_time REAL,
        grace     REAL NOT NULL,
        PRIMARY KEY (agent_id, start)
     ) WITHOUT ROWID;
     CREATE INDEX spans_by_end ON spans(agent_id, end);
     INSERT OR IGNORE INTO spans (agent_id, start, end, boot_time, grace)
        SELECT agent_id, sample_time, sample_time, boot_time, interval_secs * 3.0 FROM reports;
     CREATE TABLE collector_runs (
        started_at REAL PRIMARY KEY,
        alive_at   REAL NOT NULL,
        stopped_at REAL
     );",
        postgres: r#"CREATE TABLE spans (
        agent_id  TEXT NOT NULL,
        start     DOUBLE PRECISION NOT NULL,
        "end"       DOUBLE PRECISION NOT NULL,
        boot_time DOUBLE PRECISION,
        grace     DOUBLE PRECISION NOT NULL,
        PRIMARY KEY (agent_id, start)
     );
     CREATE INDEX spans_by_end ON spans(agent_id, "end");
     INSERT INTO spans (agent_id, start, "end", boot_time, grace)
        SELECT agent_id, sample_time, sample_time, boot_time, interval_secs * 3.0 FROM reports
        ON CONFLICT DO NOTHING;
     CREATE TABLE collector_runs (
        started_at DOUBLE PRECISION PRIMARY KEY,
        alive_at   DOUBLE PRECISION NOT NULL,
        stopped_at DOUBLE PRECISION
     );"#,
    },
    // 3: administrators (tokens for the admin API) and maintenance windows declared
    // through the API (recurring ones live in collector.toml)
    Migration {
        sqlite: "CREATE TABLE admins (
        id            TEXT PRIMARY KEY,
        name          TEXT NOT NULL,
        token_sha256  TEXT NOT NULL UNIQUE,
        created_at    REAL NOT NULL,
        revoked_at    REAL
     );
     CREATE TABLE maintenance (
        id          INTEGER PRIMARY KEY,
        reason      TEXT NOT NULL,
        agency      TEXT,
        site        TEXT,
        host        TEXT,
        start       REAL NOT NULL,
        end         REAL NOT NULL,
        created_by  TEXT NOT NULL,
        created_at  REAL NOT NULL
     );",
        postgres: r#"CREATE TABLE admins (
        id            TEXT PRIMARY KEY,
        name          TEXT NOT NULL,
        token_sha256  TEXT NOT NULL UNIQUE,
        created_at    DOUBLE PRECISION NOT NULL,
        revoked_at    DOUBLE PRECISION
     );
     CREATE TABLE maintenance (
        id          BIGINT GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY,
        reason      TEXT NOT NULL,
        agency      TEXT,
        site        TEXT,
        host        TEXT,
        start       DOUBLE PRECISION NOT NULL,
        "end"         DOUBLE PRECISION NOT NULL,
        created_by  TEXT NOT NULL,
        created_at  DOUBLE PRECISION NOT NULL
     );"#,
    },
    // 4: backup evidence from the agents' probes, every reading kept (history)
    Migration {
        sqlite: "CREATE TABLE backup_evidence (
        obligation   TEXT NOT NULL,
        agent_id     TEXT NOT NULL,
        sample_time  REAL NOT NULL,
        kind         TEXT NOT NULL,
        error        TEXT NOT NULL,
        latest_time  REAL,
        latest_size  INTEGER,
        latest_name  TEXT NOT NULL,
        count        INTEGER NOT NULL,
        total_size   INTEGER NOT NULL,
        PRIMARY KEY (obligation, sample_time, agent_id)
     ) WITHOUT ROWID;",
        postgres: r#"CREATE TABLE backup_evidence (
        obligation   TEXT NOT NULL,
        agent_id     TEXT NOT NULL,
        sample_time  DOUBLE PRECISION NOT NULL,
        kind         TEXT NOT NULL,
        error        TEXT NOT NULL,
        latest_time  DOUBLE PRECISION,
        latest_size  BIGINT,
        latest_name  TEXT NOT NULL,
        count        BIGINT NOT NULL,
        total_size   BIGINT NOT NULL,
        PRIMARY KEY (obligation, sample_time, agent_id)
     );"#,
    },
    // 5: backup jobs that check in themselves: a token per obligation, every call kept
    Migration {
        sqlite: "CREATE TABLE backup_tokens (
        obligation    TEXT PRIMARY KEY,
        token_sha256  TEXT NOT NULL UNIQUE,
        created_at    REAL NOT NULL
     );
     CREATE TABLE backup_checkins (
        id           INTEGER PRIMARY KEY,
        obligation   TEXT NOT NULL,
        at           REAL NOT NULL,
        status       TEXT NOT NULL,
        size_bytes   INTEGER,
        checksum     TEXT NOT NULL,
        duration     REAL,
        message      TEXT NOT NULL,
        source       TEXT NOT NULL
     );
     CREATE INDEX backup_checkins_by_time ON backup_checkins(obligation, at);",
        postgres: r#"CREATE TABLE backup_tokens (
        obligation    TEXT PRIMARY KEY,
        token_sha256  TEXT NOT NULL UNIQUE,
        created_at    DOUBLE PRECISION NOT NULL
     );
     CREATE TABLE backup_checkins (
        id           BIGINT GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY,
        obligation   TEXT NOT NULL,
        at           DOUBLE PRECISION NOT NULL,
        status       TEXT NOT NULL,
        size_bytes   BIGINT,
        checksum     TEXT NOT NULL,
        duration     DOUBLE PRECISION,
        message      TEXT NOT NULL,
        source       TEXT NOT NULL
     );
     CREATE INDEX backup_checkins_by_time ON backup_checkins(obligation, at);"#,
    },
    // 6: restore tests of backups, recorded by people
    Migration {
        sqlite: "CREATE TABLE restore_tests (
        id          INTEGER PRIMARY KEY,
        obligation  TEXT NOT NULL,
        at          REAL NOT NULL,
        who         TEXT NOT NULL,
        result      TEXT NOT NULL,
        notes       TEXT NOT NULL,
        recorded_by TEXT NOT NULL
     );
     CREATE INDEX restore_tests_by_time ON restore_tests(obligation, at);",
        postgres: r#"CREATE TABLE restore_tests (
        id          BIGINT GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY,
        obligation  TEXT NOT NULL,
        at          DOUBLE PRECISION NOT NULL,
        who         TEXT NOT NULL,
        result      TEXT NOT NULL,
        notes       TEXT NOT NULL,
        recorded_by TEXT NOT NULL
     );
     CREATE INDEX restore_tests_by_time ON restore_tests(obligation, at);"#,
    },
    // 7: backup obligations declared by administrators through the API (those of
    // collector.toml stay in the file; `body` is the obligation as JSON); checksums of
    // probed backups; an index for the size trend
    Migration {
        sqlite: "CREATE TABLE obligations (
        id          TEXT PRIMARY KEY,
        agency      TEXT NOT NULL,
        body        TEXT NOT NULL,
        created_by  TEXT NOT NULL,
        created_at  REAL NOT NULL,
        updated_by  TEXT NOT NULL,
        updated_at  REAL NOT NULL
     );
     ALTER TABLE backup_evidence ADD COLUMN latest_checksum TEXT NOT NULL DEFAULT '';
     CREATE INDEX backup_evidence_by_backup ON backup_evidence(obligation, latest_time);",
        postgres: r#"CREATE TABLE obligations (
        id          TEXT PRIMARY KEY,
        agency      TEXT NOT NULL,
        body        TEXT NOT NULL,
        created_by  TEXT NOT NULL,
        created_at  DOUBLE PRECISION NOT NULL,
        updated_by  TEXT NOT NULL,
        updated_at  DOUBLE PRECISION NOT NULL
     );
     ALTER TABLE backup_evidence ADD COLUMN latest_checksum TEXT NOT NULL DEFAULT '';
     CREATE INDEX backup_evidence_by_backup ON backup_evidence(obligation, latest_time);"#,
    },
    // 8: versioned LAN diagrams per agency site (site '' when the agent has none)
    Migration {
        sqlite: "CREATE TABLE lan_versions (
        agency        TEXT NOT NULL,
        site          TEXT NOT NULL,
        version       INTEGER NOT NULL,
        hash          TEXT NOT NULL,
        topology      TEXT NOT NULL,
        diff          TEXT NOT NULL,
        changes       INTEGER NOT NULL,
        devices       INTEGER NOT NULL,
        links         INTEGER NOT NULL,
        agent_id      TEXT NOT NULL,
        subnets       TEXT NOT NULL,
        errors        TEXT NOT NULL,
        discovered_at REAL NOT NULL,
        last_seen     REAL NOT NULL,
        acked_by      TEXT,
        acked_at      REAL,
        PRIMARY KEY (agency, site, version)
     );",
        postgres: r#"CREATE TABLE lan_versions (
        agency        TEXT NOT NULL,
        site          TEXT NOT NULL,
        version       BIGINT NOT NULL,
        hash          TEXT NOT NULL,
        topology      TEXT NOT NULL,
        diff          TEXT NOT NULL,
        changes       BIGINT NOT NULL,
        devices       BIGINT NOT NULL,
        links         BIGINT NOT NULL,
        agent_id      TEXT NOT NULL,
        subnets       TEXT NOT NULL,
        errors        TEXT NOT NULL,
        discovered_at DOUBLE PRECISION NOT NULL,
        last_seen     DOUBLE PRECISION NOT NULL,
        acked_by      TEXT,
        acked_at      DOUBLE PRECISION,
        PRIMARY KEY (agency, site, version)
     );"#,
    },
    // 9: the newest SNMP poll of each device an agency site's agent polls
    Migration {
        sqlite: "CREATE TABLE snmp_polls (
        agency           TEXT NOT NULL,
        site             TEXT NOT NULL,
        address          TEXT NOT NULL,
        name             TEXT NOT NULL,
        ok               INTEGER NOT NULL,
        error            TEXT NOT NULL,
        duration_seconds REAL NOT NULL,
        oids             INTEGER NOT NULL,
        interfaces       INTEGER NOT NULL,
        lldp_neighbours  INTEGER NOT NULL,
        fdb_entries      INTEGER NOT NULL,
        agent_id         TEXT NOT NULL,
        polled_at        REAL NOT NULL,
        PRIMARY KEY (agency, site, address)
     );",
        postgres: r#"CREATE TABLE snmp_polls (
        agency           TEXT NOT NULL,
        site             TEXT NOT NULL,
        address          TEXT NOT NULL,
        name             TEXT NOT NULL,
        ok               BIGINT NOT NULL,
        error            TEXT NOT NULL,
        duration_seconds DOUBLE PRECISION NOT NULL,
        oids             BIGINT NOT NULL,
        interfaces       BIGINT NOT NULL,
        lldp_neighbours  BIGINT NOT NULL,
        fdb_entries      BIGINT NOT NULL,
        agent_id         TEXT NOT NULL,
        polled_at        DOUBLE PRECISION NOT NULL,
        PRIMARY KEY (agency, site, address)
     );"#,
    },
    // 10: single-use enrolment codes (agent add --enroll-code), stored as hashes
    Migration {
        sqlite: "CREATE TABLE enroll_codes (
        code_sha256 TEXT PRIMARY KEY,
        agent_id    TEXT NOT NULL REFERENCES agents(id),
        created_at  REAL NOT NULL,
        expires_at  REAL NOT NULL,
        used_at     REAL
     );",
        postgres: r#"CREATE TABLE enroll_codes (
        code_sha256 TEXT PRIMARY KEY,
        agent_id    TEXT NOT NULL REFERENCES agents(id),
        created_at  DOUBLE PRECISION NOT NULL,
        expires_at  DOUBLE PRECISION NOT NULL,
        used_at     DOUBLE PRECISION
     );"#,
    },
    // 11: people who use the web pages and the JSON API (`user add`): Diskominfo
    // administrators and agency (OPD) staff bound to one agency; argon2id password
    // hashes; an optional API token (hash); login sessions (hash of the cookie's id);
    // the fullest filesystem of each report, for the host page's disk sparkline
    Migration {
        sqlite: "CREATE TABLE users (
        id               INTEGER PRIMARY KEY,
        name             TEXT NOT NULL UNIQUE,
        role             TEXT NOT NULL CHECK (role IN ('admin', 'agency')),
        agency           TEXT,
        password_hash    TEXT NOT NULL,
        api_token_sha256 TEXT UNIQUE,
        created_at       REAL NOT NULL,
        disabled_at      REAL,
        CHECK ((role = 'agency') = (agency IS NOT NULL))
     );
     CREATE TABLE sessions (
        id_sha256  TEXT PRIMARY KEY,
        user_id    INTEGER NOT NULL REFERENCES users(id),
        csrf       TEXT NOT NULL,
        created_at REAL NOT NULL,
        last_seen  REAL NOT NULL,
        expires_at REAL NOT NULL
     );
     ALTER TABLE reports ADD COLUMN disk_used_ratio REAL;",
        postgres: r#"CREATE TABLE users (
        id               BIGINT GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY,
        name             TEXT NOT NULL UNIQUE,
        role             TEXT NOT NULL CHECK (role IN ('admin', 'agency')),
        agency           TEXT,
        password_hash    TEXT NOT NULL,
        api_token_sha256 TEXT UNIQUE,
        created_at       DOUBLE PRECISION NOT NULL,
        disabled_at      DOUBLE PRECISION,
        CHECK ((role = 'agency') = (agency IS NOT NULL))
     );
     CREATE TABLE sessions (
        id_sha256  TEXT PRIMARY KEY,
        user_id    BIGINT NOT NULL REFERENCES users(id),
        csrf       TEXT NOT NULL,
        created_at DOUBLE PRECISION NOT NULL,
        last_seen  DOUBLE PRECISION NOT NULL,
        expires_at DOUBLE PRECISION NOT NULL
     );
     ALTER TABLE reports ADD COLUMN disk_used_ratio DOUBLE PRECISION;"#,
    },
    // 12: several collectors on one database (PostgreSQL): when each inventory version
    // arrived and indexes on arrival, so that every replica picks up what the others
    // stored; the duty lease (which replica evaluates duties and exports the fleet's
    // series) and the log of duty ticks, one row per tick, whoever ran it
    Migration {
        sqlite: "ALTER TABLE inventory ADD COLUMN received_at REAL;
     CREATE INDEX inventory_by_received ON inventory(received_at);
     CREATE INDEX host_latest_by_received ON host_latest(received_at);
     CREATE TABLE leases (
        name       TEXT PRIMARY KEY,
        holder     TEXT NOT NULL,
        expires_at REAL NOT NULL
     );
     CREATE TABLE duty_ticks (
        duty    TEXT NOT NULL,
        tick    INTEGER NOT NULL,
        replica TEXT NOT NULL,
        at      REAL NOT NULL,
        PRIMARY KEY (duty, tick)
     );",
        postgres: r#"ALTER TABLE inventory ADD COLUMN received_at DOUBLE PRECISION;
     CREATE INDEX inventory_by_received ON inventory(received_at);
     CREATE INDEX host_latest_by_received ON host_latest(received_at);
     CREATE TABLE leases (
        name       TEXT PRIMARY KEY,
        holder     TEXT NOT NULL,
        expires_at DOUBLE PRECISION NOT NULL
     );
     CREATE TABLE duty_ticks (
        duty    TEXT NOT NULL,
        tick    BIGINT NOT NULL,
        replica TEXT NOT NULL,
        at      DOUBLE PRECISION NOT NULL,
        PRIMARY KEY (duty, tick)
     );"#,
    },
    // 13: scrape tokens: bearer tokens that read /metrics and nothing else
    Migration {
        sqlite: "CREATE TABLE scrape_tokens (
        id            TEXT PRIMARY KEY,
        name          TEXT NOT NULL,
        token_sha256  TEXT NOT NULL UNIQUE,
        created_at    REAL NOT NULL,
        revoked_at    REAL
     );",
        postgres: r#"CREATE TABLE scrape_tokens (
        id            TEXT PRIMARY KEY,
        name          TEXT NOT NULL,
        token_sha256  TEXT NOT NULL UNIQUE,
        created_at    DOUBLE PRECISION NOT NULL,
        revoked_at    DOUBLE PRECISION
     );"#,
    },
    // 14: bounded LAN versions: when each version was recorded (the collector's clock,
    // for lan_version_min_interval), the one pending (coalesced) discovery per site,
    // and the devices each site has had, for the inventory (back-filled in Rust from
    // the stored versions: see `backfill`)
    Migration {
        sqlite: "ALTER TABLE lan_versions ADD COLUMN recorded_at REAL;
     CREATE TABLE lan_pending (
        agency       TEXT NOT NULL,
        site         TEXT NOT NULL,
        agent_id     TEXT NOT NULL,
        sample_time  REAL NOT NULL,
        received_at  REAL NOT NULL,
        discovery    TEXT NOT NULL,
        PRIMARY KEY (agency, site)
     );
     CREATE TABLE lan_devices_seen (
        agency      TEXT NOT NULL,
        site        TEXT NOT NULL,
        device_id   TEXT NOT NULL,
        kind        TEXT NOT NULL,
        name        TEXT NOT NULL,
        vendor      TEXT NOT NULL,
        addresses   TEXT NOT NULL,
        macs        TEXT NOT NULL,
        first_seen  REAL NOT NULL,
        version     INTEGER NOT NULL,
        PRIMARY KEY (agency, site, device_id)
     );
     CREATE INDEX lan_devices_seen_by_version ON lan_devices_seen(agency, site, version);",
        postgres: r#"ALTER TABLE lan_versions ADD COLUMN recorded_at DOUBLE PRECISION;
     CREATE TABLE lan_pending (
        agency       TEXT NOT NULL,
        site         TEXT NOT NULL,
        agent_id     TEXT NOT NULL,
        sample_time  DOUBLE PRECISION NOT NULL,
        received_at  DOUBLE PRECISION NOT NULL,
        discovery    TEXT NOT NULL,
        PRIMARY KEY (agency, site)
     );
     CREATE TABLE lan_devices_seen (
        agency      TEXT NOT NULL,
        site        TEXT NOT NULL,
        device_id   TEXT NOT NULL,
        kind        TEXT NOT NULL,
        name        TEXT NOT NULL,
        vendor      TEXT NOT NULL,
        addresses   TEXT NOT NULL,
        macs        TEXT NOT NULL,
        first_seen  DOUBLE PRECISION NOT NULL,
        version     BIGINT NOT NULL,
        PRIMARY KEY (agency, site, device_id)
     );
     CREATE INDEX lan_devices_seen_by_version ON lan_devices_seen(agency, site, version);"#,
    },
    // 15: the scorecard as it stood at the end of each month (the last evaluation in
    // the month), one row per agency, for the yearly report
    Migration {
        sqlite: "CREATE TABLE scorecard_months (
        month       TEXT NOT NULL,
        agency      TEXT NOT NULL,
        row         TEXT NOT NULL,
        recorded_at REAL NOT NULL,
        PRIMARY KEY (month, agency)
     );",
        postgres: r#"CREATE TABLE scorecard_months (
        month       TEXT NOT NULL,
        agency      TEXT NOT NULL,
        row         TEXT NOT NULL,
        recorded_at DOUBLE PRECISION NOT NULL,
        PRIMARY KEY (month, agency)
     );"#,
    },
    // 16: the asset register: what people record about an asset that discovery cannot
    // know (one row per asset, by its register id), and every change to it; when each
    // LAN device was last seen, kept when its version is pruned
    Migration {
        sqlite: "CREATE TABLE asset_attributes (
        asset_id         TEXT PRIMARY KEY,
        agency           TEXT NOT NULL,
        tag              TEXT NOT NULL,
        responsible      TEXT NOT NULL,
        location         TEXT NOT NULL,
        procurement_year INTEGER,
        notes            TEXT NOT NULL,
        updated_at       REAL NOT NULL,
        updated_by       TEXT NOT NULL
     );
     CREATE UNIQUE INDEX asset_attributes_tag ON asset_attributes(agency, tag) WHERE tag <> '';
     CREATE TABLE asset_audit (
        id         INTEGER PRIMARY KEY,
        asset_id   TEXT NOT NULL,
        agency     TEXT NOT NULL,
        field      TEXT NOT NULL,
        old_value  TEXT NOT NULL,
        new_value  TEXT NOT NULL,
        changed_by TEXT NOT NULL,
        changed_at REAL NOT NULL,
        via        TEXT NOT NULL
     );
     CREATE INDEX asset_audit_by_asset ON asset_audit(asset_id, changed_at);
     ALTER TABLE lan_devices_seen ADD COLUMN last_seen REAL;
     UPDATE lan_devices_seen SET last_seen = COALESCE((SELECT v.last_seen FROM lan_versions v
        WHERE v.agency = lan_devices_seen.agency AND v.site = lan_devices_seen.site
          AND v.version = lan_devices_seen.version), first_seen);",
        postgres: r#"CREATE TABLE asset_attributes (
        asset_id         TEXT PRIMARY KEY,
        agency           TEXT NOT NULL,
        tag              TEXT NOT NULL,
        responsible      TEXT NOT NULL,
        location         TEXT NOT NULL,
        procurement_year BIGINT,
        notes            TEXT NOT NULL,
        updated_at       DOUBLE PRECISION NOT NULL,
        updated_by       TEXT NOT NULL
     );
     CREATE UNIQUE INDEX asset_attributes_tag ON asset_attributes(agency, tag) WHERE tag <> '';
     CREATE TABLE asset_audit (
        id         BIGINT GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY,
        asset_id   TEXT NOT NULL,
        agency     TEXT NOT NULL,
        field      TEXT NOT NULL,
        old_value  TEXT NOT NULL,
        new_value  TEXT NOT NULL,
        changed_by TEXT NOT NULL,
        changed_at DOUBLE PRECISION NOT NULL,
        via        TEXT NOT NULL
     );
     CREATE INDEX asset_audit_by_asset ON asset_audit(asset_id, changed_at);
     ALTER TABLE lan_devices_seen ADD COLUMN last_seen DOUBLE PRECISION;
     UPDATE lan_devices_seen SET last_seen = COALESCE((SELECT v.last_seen FROM lan_versions v
        WHERE v.agency = lan_devices_seen.agency AND v.site = lan_devices_seen.site
          AND v.version = lan_devices_seen.version), first_seen);"#,
    },
    // 17: each user's language of the pages (none: the browser's, else default_language)
    Migration {
        sqlite: "ALTER TABLE users ADD COLUMN language TEXT;",
        postgres: "ALTER TABLE users ADD COLUMN language TEXT;",
    },
    // 18: rounds of the agents' link probes: per-round statistics, and the sorted RTT
    // list (JSON seconds; NULL once older than probe_rtt_retention_days)
    Migration {
        sqlite: "CREATE TABLE probe_rounds (
        agent_id    TEXT NOT NULL,
        probe       TEXT NOT NULL,
        start_time  REAL NOT NULL,
        kind        TEXT NOT NULL,
        target      TEXT NOT NULL,
        sent        INTEGER NOT NULL,
        received    INTEGER NOT NULL,
        loss_ratio  REAL NOT NULL,
        rtt_min     REAL,
        rtt_median  REAL,
        rtt_mean    REAL,
        rtt_max     REAL,
        rtt_stddev  REAL,
        rtts        TEXT,
        error       TEXT NOT NULL,
        received_at REAL NOT NULL,
        PRIMARY KEY (agent_id, probe, start_time)
     ) WITHOUT ROWID;
     CREATE INDEX probe_rounds_by_time ON probe_rounds(agent_id, start_time);",
        postgres: r#"CREATE TABLE probe_rounds (
        agent_id    TEXT NOT NULL,
        probe       TEXT NOT NULL,
        start_time  DOUBLE PRECISION NOT NULL,
        kind        TEXT NOT NULL,
        target      TEXT NOT NULL,
        sent        BIGINT NOT NULL,
        received    BIGINT NOT NULL,
        loss_ratio  DOUBLE PRECISION NOT NULL,
        rtt_min     DOUBLE PRECISION,
        rtt_median  DOUBLE PRECISION,
        rtt_mean    DOUBLE PRECISION,
        rtt_max     DOUBLE PRECISION,
        rtt_stddev  DOUBLE PRECISION,
        rtts        TEXT,
        error       TEXT NOT NULL,
        received_at DOUBLE PRECISION NOT NULL,
        PRIMARY KEY (agent_id, probe, start_time)
     );
     CREATE INDEX probe_rounds_by_time ON probe_rounds(agent_id, start_time);"#,
    },
    // 19: roll-ups of the probe rounds (5 minutes and 1 hour) for the long views: the
    // quantiles of the round trips pooled over each bucket, kept after the RTT lists go
    Migration {
        sqlite: "CREATE TABLE probe_rollups (
        agent_id  TEXT NOT NULL,
        probe     TEXT NOT NULL,
        step      INTEGER NOT NULL,
        bucket    REAL NOT NULL,
        rounds    INTEGER NOT NULL,
        sent      INTEGER NOT NULL,
        received  INTEGER NOT NULL,
        rtt_min   REAL,
        rtt_q10   REAL,
        rtt_q25   REAL,
        rtt_q50   REAL,
        rtt_q75   REAL,
        rtt_q90   REAL,
        rtt_max   REAL,
        PRIMARY KEY (agent_id, probe, step, bucket)
     ) WITHOUT ROWID;",
        postgres: "CREATE TABLE probe_rollups (
        agent_id  TEXT NOT NULL,
        probe     TEXT NOT NULL,
        step      BIGINT NOT NULL,
        bucket    DOUBLE PRECISION NOT NULL,
        rounds    BIGINT NOT NULL,
        sent      BIGINT NOT NULL,
        received  BIGINT NOT NULL,
        rtt_min   DOUBLE PRECISION,
        rtt_q10   DOUBLE PRECISION,
        rtt_q25   DOUBLE PRECISION,
        rtt_q50   DOUBLE PRECISION,
        rtt_q75   DOUBLE PRECISION,
        rtt_q90   DOUBLE PRECISION,
        rtt_max   DOUBLE PRECISION,
        PRIMARY KEY (agent_id, probe, step, bucket)
     );",
    },
    // 20: interface counters of SNMP devices (issue 23): one row per interface, one
    // per poll with the raw counters, what flowed since the poll before and the running
    // totals the metrics export
    Migration {
        sqlite: "CREATE TABLE interfaces (
        id          INTEGER PRIMARY KEY,
        agency      TEXT NOT NULL,
        site        TEXT NOT NULL,
        device      TEXT NOT NULL,
        if_index    INTEGER NOT NULL,
        device_name TEXT NOT NULL,
        name        TEXT NOT NULL,
        alias       TEXT NOT NULL,
        agent_id    TEXT NOT NULL,
        first_seen  REAL NOT NULL,
        last_seen   REAL NOT NULL,
        UNIQUE (agency, site, device, if_index)
     );
     CREATE TABLE interface_samples (
        interface_id  INTEGER NOT NULL,
        time          REAL NOT NULL,
        uptime        INTEGER,
        discontinuity INTEGER,
        bits          INTEGER NOT NULL,
        oper_status   INTEGER NOT NULL,
        speed_bps     INTEGER,
        in_octets     INTEGER,
        out_octets    INTEGER,
        in_ucast      INTEGER,
        out_ucast     INTEGER,
        in_bcast      INTEGER,
        out_bcast     INTEGER,
        in_errors     INTEGER,
        out_errors    INTEGER,
        in_discards   INTEGER,
        out_discards  INTEGER,
        seconds       REAL,
        d_in_octets   INTEGER,
        d_out_octets  INTEGER,
        d_in_packets  INTEGER,
        d_out_packets INTEGER,
        d_in_errors   INTEGER,
        d_out_errors  INTEGER,
        d_in_discards INTEGER,
        d_out_discards INTEGER,
        t_in_octets   INTEGER NOT NULL,
        t_out_octets  INTEGER NOT NULL,
        t_in_errors   INTEGER NOT NULL,
        t_out_errors  INTEGER NOT NULL,
        t_in_discards INTEGER NOT NULL,
        t_out_discards INTEGER NOT NULL,
        reset_reason  TEXT NOT NULL,
        received_at   REAL NOT NULL,
        PRIMARY KEY (interface_id, time)
     ) WITHOUT ROWID;
     CREATE TABLE traffic_devices (
        agency     TEXT NOT NULL,
        site       TEXT NOT NULL,
        device     TEXT NOT NULL,
        name       TEXT NOT NULL,
        agent_id   TEXT NOT NULL,
        last_poll  REAL NOT NULL,
        last_ok    REAL,
        error      TEXT NOT NULL,
        PRIMARY KEY (agency, site, device)
     ) WITHOUT ROWID;",
        postgres: "CREATE TABLE interfaces (
        id          BIGINT GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY,
        agency      TEXT NOT NULL,
        site        TEXT NOT NULL,
        device      TEXT NOT NULL,
        if_index    BIGINT NOT NULL,
        device_name TEXT NOT NULL,
        name        TEXT NOT NULL,
        alias       TEXT NOT NULL,
        agent_id    TEXT NOT NULL,
        first_seen  DOUBLE PRECISION NOT NULL,
        last_seen   DOUBLE PRECISION NOT NULL,
        UNIQUE (agency, site, device, if_index)
     );
     CREATE TABLE interface_samples (
        interface_id  BIGINT NOT NULL,
        time          DOUBLE PRECISION NOT NULL,
        uptime        BIGINT,
        discontinuity BIGINT,
        bits          BIGINT NOT NULL,
        oper_status   BIGINT NOT NULL,
        speed_bps     BIGINT,
        in_octets     BIGINT,
        out_octets    BIGINT,
        in_ucast      BIGINT,
        out_ucast     BIGINT,
        in_bcast      BIGINT,
        out_bcast     BIGINT,
        in_errors     BIGINT,
        out_errors    BIGINT,
        in_discards   BIGINT,
        out_discards  BIGINT,
        seconds       DOUBLE PRECISION,
        d_in_octets   BIGINT,
        d_out_octets  BIGINT,
        d_in_packets  BIGINT,
        d_out_packets BIGINT,
        d_in_errors   BIGINT,
        d_out_errors  BIGINT,
        d_in_discards BIGINT,
        d_out_discards BIGINT,
        t_in_octets   BIGINT NOT NULL,
        t_out_octets  BIGINT NOT NULL,
        t_in_errors   BIGINT NOT NULL,
        t_out_errors  BIGINT NOT NULL,
        t_in_discards BIGINT NOT NULL,
        t_out_discards BIGINT NOT NULL,
        reset_reason  TEXT NOT NULL,
        received_at   DOUBLE PRECISION NOT NULL,
        PRIMARY KEY (interface_id, time)
     );
     CREATE TABLE traffic_devices (
        agency     TEXT NOT NULL,
        site       TEXT NOT NULL,
        device     TEXT NOT NULL,
        name       TEXT NOT NULL,
        agent_id   TEXT NOT NULL,
        last_poll  DOUBLE PRECISION NOT NULL,
        last_ok    DOUBLE PRECISION,
        error      TEXT NOT NULL,
        PRIMARY KEY (agency, site, device)
     );",
    },
    // 21: each closed month's 95th percentile of a link's uplink (issue 23), kept after
    // the raw interface samples are pruned (traffic_retention_days) for the yearly report
    Migration {
        sqlite: "CREATE TABLE uplink_months (
        link_id        TEXT NOT NULL,
        month          TEXT NOT NULL,
        interface_id   INTEGER NOT NULL,
        bins_in_month  INTEGER NOT NULL,
        bins_measured  INTEGER NOT NULL,
        receive_bins   INTEGER NOT NULL,
        transmit_bins  INTEGER NOT NULL,
        receive_p95    REAL,
        transmit_p95   REAL,
        receive_mean   REAL,
        transmit_mean  REAL,
        receive_peak   REAL,
        transmit_peak  REAL,
        computed_at    REAL NOT NULL,
        PRIMARY KEY (link_id, month)
     ) WITHOUT ROWID;",
        postgres: "CREATE TABLE uplink_months (
        link_id        TEXT NOT NULL,
        month          TEXT NOT NULL,
        interface_id   BIGINT NOT NULL,
        bins_in_month  BIGINT NOT NULL,
        bins_measured  BIGINT NOT NULL,
        receive_bins   BIGINT NOT NULL,
        transmit_bins  BIGINT NOT NULL,
        receive_p95    DOUBLE PRECISION,
        transmit_p95   DOUBLE PRECISION,
        receive_mean   DOUBLE PRECISION,
        transmit_mean  DOUBLE PRECISION,
        receive_peak   DOUBLE PRECISION,
        transmit_peak  DOUBLE PRECISION,
        computed_at    DOUBLE PRECISION NOT NULL,
        PRIMARY KEY (link_id, month)
     );",
    },
    // 22: the agencies' websites (issue 26): every probe of a site by a prober (the
    // collector, or later an agent's host), slim, for availability; and each site's
    // newest probe per prober whole (phases, hops, certificate chain) as JSON
    Migration {
        sqlite: "CREATE TABLE website_checks (
        website        TEXT NOT NULL,
        prober         TEXT NOT NULL,
        started_at     REAL NOT NULL,
        state          TEXT NOT NULL,
        status         INTEGER,
        total_seconds  REAL NOT NULL,
        cert_verdict   TEXT,
        cert_not_after REAL,
        reason         TEXT NOT NULL,
        PRIMARY KEY (website, prober, started_at)
     ) WITHOUT ROWID;
     CREATE INDEX website_checks_by_time ON website_checks(started_at);
     CREATE TABLE website_latest (
        website     TEXT NOT NULL,
        prober      TEXT NOT NULL,
        started_at  REAL NOT NULL,
        state       TEXT NOT NULL,
        official    INTEGER,
        check_json  TEXT NOT NULL,
        PRIMARY KEY (website, prober)
     ) WITHOUT ROWID;",
        postgres: "CREATE TABLE website_checks (
        website        TEXT NOT NULL,
        prober         TEXT NOT NULL,
        started_at     DOUBLE PRECISION NOT NULL,
        state          TEXT NOT NULL,
        status         BIGINT,
        total_seconds  DOUBLE PRECISION NOT NULL,
        cert_verdict   TEXT,
        cert_not_after DOUBLE PRECISION,
        reason         TEXT NOT NULL,
        PRIMARY KEY (website, prober, started_at)
     );
     CREATE INDEX website_checks_by_time ON website_checks(started_at);
     CREATE TABLE website_latest (
        website     TEXT NOT NULL,
        prober      TEXT NOT NULL,
        started_at  DOUBLE PRECISION NOT NULL,
        state       TEXT NOT NULL,
        official    BIGINT,
        check_json  TEXT NOT NULL,
        PRIMARY KEY (website, prober)
     );",
    },
    // 23: the installed packages of each host (issue 25): the current list, each change
    // (installed, removed, upgraded, downgraded) with its time, and the list's digest,
    // (a host may have several versions of a package: rpm's kernels side by side)
    // source and kernels, against which the agent's next difference is applied
    Migration {
        sqlite: "CREATE TABLE host_software (
        agent_id        TEXT PRIMARY KEY,
        source          TEXT NOT NULL,
        digest          TEXT NOT NULL,
        packages        INTEGER NOT NULL,
        running_kernel  TEXT NOT NULL,
        newest_kernel   TEXT NOT NULL,
        first_time      REAL NOT NULL,
        updated_time    REAL NOT NULL
     ) WITHOUT ROWID;
     CREATE TABLE host_packages (
        agent_id  TEXT NOT NULL,
        name      TEXT NOT NULL,
        arch      TEXT NOT NULL,
        version   TEXT NOT NULL,
        since     REAL NOT NULL,
        PRIMARY KEY (agent_id, name, arch, version)
     ) WITHOUT ROWID;
     CREATE INDEX host_packages_name ON host_packages (name);
     CREATE TABLE package_changes (
        agent_id     TEXT NOT NULL,
        time         REAL NOT NULL,
        name         TEXT NOT NULL,
        arch         TEXT NOT NULL,
        change       TEXT NOT NULL,
        old_version  TEXT NOT NULL,
        new_version  TEXT NOT NULL
     );
     CREATE INDEX package_changes_agent_time ON package_changes (agent_id, time);",
        postgres: "CREATE TABLE host_software (
        agent_id        TEXT PRIMARY KEY,
        source          TEXT NOT NULL,
        digest          TEXT NOT NULL,
        packages        BIGINT NOT NULL,
        running_kernel  TEXT NOT NULL,
        newest_kernel   TEXT NOT NULL,
        first_time      DOUBLE PRECISION NOT NULL,
        updated_time    DOUBLE PRECISION NOT NULL
     );
     CREATE TABLE host_packages (
        agent_id  TEXT NOT NULL,
        name      TEXT NOT NULL,
        arch      TEXT NOT NULL,
        version   TEXT NOT NULL,
        since     DOUBLE PRECISION NOT NULL,
        PRIMARY KEY (agent_id, name, arch, version)
     );
     CREATE INDEX host_packages_name ON host_packages (name);
     CREATE TABLE package_changes (
        agent_id     TEXT NOT NULL,
        time         DOUBLE PRECISION NOT NULL,
        name         TEXT NOT NULL,
        arch         TEXT NOT NULL,
        change       TEXT NOT NULL,
        old_version  TEXT NOT NULL,
        new_version  TEXT NOT NULL
     );
     CREATE INDEX package_changes_agent_time ON package_changes (agent_id, time);",
    },
    // 24: certificate files on servers (issue 26): the newest of each (agent, path),
    // parsed and verified when reported
    Migration {
        sqlite: "CREATE TABLE host_certificates (
        agent_id      TEXT NOT NULL,
        path          TEXT NOT NULL,
        name          TEXT NOT NULL,
        format        TEXT NOT NULL,
        error         TEXT NOT NULL,
        verdict       TEXT,
        reason        TEXT NOT NULL,
        trusted_by    TEXT NOT NULL,
        not_before    REAL,
        not_after     REAL,
        chain_json    TEXT NOT NULL,
        skipped_json  TEXT NOT NULL,
        digest        TEXT NOT NULL,
        since         REAL NOT NULL,
        reported_at   REAL NOT NULL,
        PRIMARY KEY (agent_id, path)
     ) WITHOUT ROWID;",
        postgres: "CREATE TABLE host_certificates (
        agent_id      TEXT NOT NULL,
        path          TEXT NOT NULL,
        name          TEXT NOT NULL,
        format        TEXT NOT NULL,
        error         TEXT NOT NULL,
        verdict       TEXT,
        reason        TEXT NOT NULL,
        trusted_by    TEXT NOT NULL,
        not_before    DOUBLE PRECISION,
        not_after     DOUBLE PRECISION,
        chain_json    TEXT NOT NULL,
        skipped_json  TEXT NOT NULL,
        digest        TEXT NOT NULL,
        since         DOUBLE PRECISION NOT NULL,
        reported_at   DOUBLE PRECISION NOT NULL,
        PRIMARY KEY (agent_id, path)
     );",
    },
    // 25: each website's availability evidence as spans of the collector's probes of
    // one state (issue 26), back-filled from the probes stored
    Migration {
        sqlite: "CREATE TABLE website_spans (
        website   TEXT NOT NULL,
        first_at  REAL NOT NULL,
        last_at   REAL NOT NULL,
        end_at    REAL NOT NULL,
        up        INTEGER NOT NULL,
        probes    INTEGER NOT NULL,
        PRIMARY KEY (website, first_at)
     ) WITHOUT ROWID;",
        postgres: "CREATE TABLE website_spans (
        website   TEXT NOT NULL,
        first_at  DOUBLE PRECISION NOT NULL,
        last_at   DOUBLE PRECISION NOT NULL,
        end_at    DOUBLE PRECISION NOT NULL,
        up        BIGINT NOT NULL,
        probes    BIGINT NOT NULL,
        PRIMARY KEY (website, first_at)
     );",
    },
    // 26: since when a host's newest installed kernel has not been the running one
    // (issue 25), for an alert that a gap in the series does not reset
    Migration {
        sqlite: "ALTER TABLE host_software ADD COLUMN reboot_needed_since REAL;",
        postgres: "ALTER TABLE host_software ADD COLUMN reboot_needed_since DOUBLE PRECISION;",
    },
    // 27: the interface samples rolled up per 5 minutes and per hour (issue 23), for the
    // 7-day and 30-day views, back-filled from the samples stored
    Migration {
        sqlite: "CREATE TABLE interface_rollups (
        interface_id INTEGER NOT NULL,
        step         INTEGER NOT NULL,
        bucket       REAL NOT NULL,
        seconds      REAL NOT NULL,
        in_octets    REAL,
        out_octets   REAL,
        in_packets   REAL,
        out_packets  REAL,
        in_errors    REAL,
        out_errors   REAL,
        in_discards  REAL,
        out_discards REAL,
        peak_in_bps  REAL,
        peak_out_bps REAL,
        end_at       REAL NOT NULL,
        polls        INTEGER NOT NULL,
        polls_down   INTEGER NOT NULL,
        resets       INTEGER NOT NULL,
        oper_status  INTEGER NOT NULL,
        last_poll    REAL NOT NULL,
        PRIMARY KEY (interface_id, step, bucket)
     ) WITHOUT ROWID;",
        postgres: "CREATE TABLE interface_rollups (
        interface_id BIGINT NOT NULL,
        step         BIGINT NOT NULL,
        bucket       DOUBLE PRECISION NOT NULL,
        seconds      DOUBLE PRECISION NOT NULL,
        in_octets    DOUBLE PRECISION,
        out_octets   DOUBLE PRECISION,
        in_packets   DOUBLE PRECISION,
        out_packets  DOUBLE PRECISION,
        in_errors    DOUBLE PRECISION,
        out_errors   DOUBLE PRECISION,
        in_discards  DOUBLE PRECISION,
        out_discards DOUBLE PRECISION,
        peak_in_bps  DOUBLE PRECISION,
        peak_out_bps DOUBLE PRECISION,
        end_at       DOUBLE PRECISION NOT NULL,
        polls        BIGINT NOT NULL,
        polls_down   BIGINT NOT NULL,
        resets       BIGINT NOT NULL,
        oper_status  BIGINT NOT NULL,
        last_poll    DOUBLE PRECISION NOT NULL,
        PRIMARY KEY (interface_id, step, bucket)
     );",
    },
];

/// A back-fill in Rust, inside a migration's transaction.
type Backfill = fn(&Db) -> Result<(), DbError>;

/// What a migration does in Rust after its SQL, in the same transaction: back-fills
/// that need parsing JSON, which the two engines' SQL does differently.
fn backfill(version: usize) -> Option<Backfill> {
    match version {
        14 => Some(super::lan_seen::backfill),
        25 => Some(super::website_spans::backfill),
        27 => Some(super::interface_rollups::backfill),
        _ => None,
    }
}

/// One migration, in the dialect of each engine.
struct Migration {
    sqlite: &'static str,
    postgres: &'static str,
}

/// The schema version this binary writes.
pub const SCHEMA_VERSION: usize = MIGRATIONS.len();

/// Errors while migrating.
#[derive(Debug, thiserror::Error)]
pub enum MigrateError {
    #[error("database schema version {found} is newer than this collector's {supported}; upgrade simpul-collector")]
    TooNew { found: usize, supported: usize },
    #[error("migration {version} failed: {source}")]
    Failed { version: usize, source: DbError },
}

/// The advisory lock that serialises migrations of collectors sharing one PostgreSQL
/// database (any constant; "simpul" in ASCII).
const PG_MIGRATION_LOCK: i64 = 0x73_69_6d_70_75_6c;

/// Applies every migration the database has not seen yet. SQLite keeps the version in
/// `PRAGMA user_version`; PostgreSQL in the table `simpul_schema`, under an advisory
/// lock, so that replicas starting together migrate once.
pub fn migrate(db: &Db) -> Result<(), MigrateError> {
    let fail = |version| move |source| MigrateError::Failed { version, source };
    match db.engine() {
        Engine::Sqlite => {
            let current = db
                .query_one("PRAGMA user_version", params![], |r| r.get(0))
                .map_err(fail(0))?;
            apply(
                db,
                current,
                |m| m.sqlite,
                |v| format!("PRAGMA user_version = {v}"),
            )
        }
        Engine::Postgres => {
            db.execute("SELECT pg_advisory_lock(?1)", params![PG_MIGRATION_LOCK])
                .map_err(fail(0))?;
            let result = db
                .batch("CREATE TABLE IF NOT EXISTS simpul_schema (version BIGINT PRIMARY KEY, applied_at TIMESTAMPTZ NOT NULL DEFAULT now())")
                .and_then(|()| {
                    db.query_one(
                        "SELECT coalesce(max(version), 0) FROM simpul_schema",
                        params![],
                        |r| r.get(0),
                    )
                })
                .map_err(fail(0))
                .and_then(|current| {
                    apply(db, current, |m| m.postgres, |v| {
                        format!("INSERT INTO simpul_schema (version) VALUES ({v})")
                    })
                });
            let unlocked = db.execute("SELECT pg_advisory_unlock(?1)", params![PG_MIGRATION_LOCK]);
            result?;
            unlocked.map_err(fail(0))?;
            Ok(())
        }
    }
}

fn apply(
    db: &Db,
    current: usize,
    sql: impl Fn(&Migration) -> &'static str,
    mark: impl Fn(usize) -> String,
) -> Result<(), MigrateError> {
    if current > SCHEMA_VERSION {
        return Err(MigrateError::TooNew {
            found: current,
            supported: SCHEMA_VERSION,
        });
    }
    for (i, m) in MIGRATIONS.iter().enumerate().skip(current) {
        let version = i + 1;
        db.transaction(|db| {
            db.batch(sql(m))?;
            if let Some(f) = backfill(version) {
                f(db)?;
            }
            db.batch(&mark(version))
        })
        .map_err(|source| MigrateError::Failed { version, source })?;
        tracing::info!(version, "applied database migration");
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn migration_14_back_fills_the_lan_devices_from_stored_versions() {
        crate::store::testing::each_engine(|db| {
            let lan = |hosts: &[&str]| simpul_protocol::LanDiscovery {
                subnets: vec![],
                topology: simpul_protocol::Topology {
                    devices: hosts
                        .iter()
                        .map(|h| simpul_protocol::Device {
                            id: format!("ip:{h}"),
                            kind: simpul_protocol::DeviceType::Host,
                            name: String::new(),
                            vendor: String::new(),
                            addresses: vec![(*h).to_owned()],
                            macs: vec![],
                            sources: vec![],
                            system: None,
                        })
                        .collect(),
                    links: vec![],
                },
                hash: String::new(),
                errors: vec![],
                duration_seconds: 0.0,
            };
            let unlimited = crate::lan::Limits::UNLIMITED;
            for (t, hosts) in [
                (100.0, &["10.0.0.1"][..]),
                (200.0, &["10.0.0.1", "10.0.0.2"]),
            ] {
                crate::lan::record(db, &unlimited, "dinkes", "", "a1", t, t, &lan(hosts)).unwrap();
            }
            // the database as schema 13 left it: versions, no devices table (and none
            // of the later migrations' tables)
            db.batch("DROP TABLE lan_pending; DROP TABLE lan_devices_seen; ALTER TABLE lan_versions DROP COLUMN recorded_at; DROP TABLE scorecard_months; DROP TABLE asset_attributes; DROP TABLE asset_audit; ALTER TABLE users DROP COLUMN language; DROP TABLE probe_rounds; DROP TABLE probe_rollups; DROP TABLE interface_samples; DROP TABLE interfaces; DROP TABLE traffic_devices; DROP TABLE uplink_months; DROP TABLE website_checks; DROP TABLE website_latest; DROP TABLE host_software; DROP TABLE host_packages; DROP TABLE package_changes; DROP TABLE host_certificates; DROP TABLE website_spans; DROP TABLE interface_rollups")
                .unwrap();
            match db.engine() {
                Engine::Sqlite => db.batch("PRAGMA user_version = 13").unwrap(),
                Engine::Postgres => db
                    .batch("DELETE FROM simpul_schema WHERE version >= 14")
                    .unwrap(),
            }
            migrate(db).unwrap();
            let seen: Vec<(String, f64)> = crate::lan::seen::current(db, "dinkes")
                .unwrap()
                .into_iter()
                .map(|d| (d.id, d.first_seen))
                .collect();
            assert_eq!(
                seen,
                [
                    ("ip:10.0.0.1".to_owned(), 100.0),
                    ("ip:10.0.0.2".to_owned(), 200.0)
                ]
            );
        });
    }

    #[test]
    fn migrates_once_and_refuses_newer_schemas() {
        let db = Db::sqlite(rusqlite::Connection::open_in_memory().unwrap());
        migrate(&db).unwrap();
        migrate(&db).unwrap();
        let v: usize = db
            .query_one("PRAGMA user_version", params![], |r| r.get(0))
            .unwrap();
        assert_eq!(v, SCHEMA_VERSION);
        db.batch(&format!("PRAGMA user_version = {}", SCHEMA_VERSION + 1))
            .unwrap();
        assert!(matches!(migrate(&db), Err(MigrateError::TooNew { .. })));
    }
}
