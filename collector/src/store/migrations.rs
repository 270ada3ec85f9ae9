//! Schema migrations, versioned in code. `PRAGMA user_version` holds the applied count;
//! each migration runs once, in its own transaction, in order. Never edit a released one:
//! append a new one.

use rusqlite::Connection;

/// The migrations, in order. Index + 1 is the schema version after applying it.
const MIGRATIONS: &[&str] = &[
    // 1: agents, reports (idempotency key + heartbeat history), latest state, inventory
    "CREATE TABLE agents (
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
    // 2: availability. spans: runs of heartbeats of one boot no further apart than the
    // grace gap (one row per uninterrupted run, extended on ingest); collector_runs: when
    // the collector itself was ingesting, so that its own outages are not blamed on hosts.
    // Reports stored before this version become one-heartbeat spans (exact, not compact).
    "CREATE TABLE spans (
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
    // 3: administrators (tokens for the admin API) and maintenance windows declared
    // through the API (recurring ones live in collector.toml)
    "CREATE TABLE admins (
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
    // 4: backup evidence from the agents' probes, every reading kept (history)
    "CREATE TABLE backup_evidence (
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
    // 5: backup jobs that check in themselves: a token per obligation, every call kept
    "CREATE TABLE backup_tokens (
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
    // 6: restore tests of backups, recorded by people
    "CREATE TABLE restore_tests (
        id          INTEGER PRIMARY KEY,
        obligation  TEXT NOT NULL,
        at          REAL NOT NULL,
        who         TEXT NOT NULL,
        result      TEXT NOT NULL,
        notes       TEXT NOT NULL,
        recorded_by TEXT NOT NULL
     );
     CREATE INDEX restore_tests_by_time ON restore_tests(obligation, at);",
    // 7: backup obligations declared by administrators through the API (those of
    // collector.toml stay in the file; `body` is the obligation as JSON); checksums of
    // probed backups; an index for the size trend
    "CREATE TABLE obligations (
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
    // 8: versioned LAN diagrams per agency site (site '' when the agent has none)
    "CREATE TABLE lan_versions (
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
    // 9: the newest SNMP poll of each device an agency site's agent polls
    "CREATE TABLE snmp_polls (
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
    // 10: single-use enrolment codes (agent add --enroll-code), stored as hashes
    "CREATE TABLE enroll_codes (
        code_sha256 TEXT PRIMARY KEY,
        agent_id    TEXT NOT NULL REFERENCES agents(id),
        created_at  REAL NOT NULL,
        expires_at  REAL NOT NULL,
        used_at     REAL
     );",
    // 11: people who use the web pages and the JSON API (`user add`): Diskominfo
    // administrators and agency (OPD) staff bound to one agency; argon2id password
    // hashes; an optional API token (hash); login sessions (hash of the cookie's id);
    // the fullest filesystem of each report, for the host page's disk sparkline
    "CREATE TABLE users (
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
];

/// The schema version this binary writes.
pub const SCHEMA_VERSION: usize = MIGRATIONS.len();

/// Errors while migrating.
#[derive(Debug, thiserror::Error)]
pub enum MigrateError {
    #[error("database schema version {found} is newer than this collector's {supported}; upgrade simpul-collector")]
    TooNew { found: usize, supported: usize },
    #[error("migration {version} failed: {source}")]
    Failed {
        version: usize,
        source: rusqlite::Error,
    },
}

/// Applies every migration the database has not seen yet.
pub fn migrate(conn: &mut Connection) -> Result<(), MigrateError> {
    let fail = |version| move |source| MigrateError::Failed { version, source };
    let current: usize = conn
        .query_row("PRAGMA user_version", [], |r| r.get(0))
        .map_err(fail(0))?;
    if current > SCHEMA_VERSION {
        return Err(MigrateError::TooNew {
            found: current,
            supported: SCHEMA_VERSION,
        });
    }
    for (i, sql) in MIGRATIONS.iter().enumerate().skip(current) {
        let version = i + 1;
        let tx = conn.transaction().map_err(fail(version))?;
        tx.execute_batch(sql).map_err(fail(version))?;
        tx.pragma_update(None, "user_version", version)
            .map_err(fail(version))?;
        tx.commit().map_err(fail(version))?;
        tracing::info!(version, "applied database migration");
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn migrates_once_and_refuses_newer_schemas() {
        let mut c = Connection::open_in_memory().unwrap();
        migrate(&mut c).unwrap();
        migrate(&mut c).unwrap();
        let v: usize = c
            .query_row("PRAGMA user_version", [], |r| r.get(0))
            .unwrap();
        assert_eq!(v, SCHEMA_VERSION);
        c.pragma_update(None, "user_version", SCHEMA_VERSION + 1)
            .unwrap();
        assert!(matches!(migrate(&mut c), Err(MigrateError::TooNew { .. })));
    }
}
