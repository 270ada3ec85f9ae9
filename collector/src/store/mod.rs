//! SQLite storage: opening (WAL), migrations, agent enrolment, and loading the fleet.
//!
//! Writes of reports go through the single writer thread in [`writer`]; everything here
//! is either start-up work or the small, rare writes of the CLI.

pub mod asset_attrs;
pub mod backup;
pub mod db;
pub mod enroll;
pub mod interface_rollups;
pub mod lan_seen;
pub mod migrations;
#[cfg(any(test, feature = "test-postgres"))]
pub mod pg_server;
pub mod pool;
pub mod shared;
pub mod users;
pub mod website_spans;

use std::path::{Path, PathBuf};
use std::time::Duration;

use rusqlite::Connection;

pub use db::{Db, DbError, Engine};

use crate::config::StoreConfig;
use crate::params;
use sha2::{Digest, Sha256};
use simpul_protocol::{Inventory, Report};

/// How often a running collector records that it is alive (`collector_runs.alive_at`).
/// A collector killed without a clean stop is counted as down from its last record (the
/// SLA), and a restore refuses to replace a database whose collector said so lately.
pub const ALIVE_EVERY_SECS: f64 = 10.0;

/// File name of the database inside `data_dir`.
pub const DB_FILE: &str = "simpul.db";

/// Errors of the store.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error("cannot create data directory {path}: {source}")]
    DataDir {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("database error: {0}")]
    Db(#[from] DbError),
    #[error(transparent)]
    Migrate(#[from] migrations::MigrateError),
    #[error("stored JSON for agent {agent} is corrupt: {source}")]
    Json {
        agent: String,
        source: serde_json::Error,
    },
    #[error("cannot encode {what} as JSON: {source}")]
    Encode {
        what: &'static str,
        source: serde_json::Error,
    },
    #[error("no randomness available for a token: {0}")]
    Random(String),
    #[error("{0}")]
    Conflict(String),
    #[error("{0}")]
    Config(String),
}

/// Who a token belongs to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AgentBinding {
    pub id: String,
    pub agency: String,
    pub host: String,
    pub site: Option<String>,
}

/// An enrolled agent as listed by `agent list`.
#[derive(Debug, Clone)]
pub struct AgentRow {
    pub binding: AgentBinding,
    pub created_at: f64,
    pub revoked_at: Option<f64>,
}

/// Opens the store `cfg` names: the SQLite file in `data_dir`, or the PostgreSQL
/// database at `store.url`; migrated.
pub fn open(cfg: &StoreConfig, data_dir: &Path) -> Result<Db, StoreError> {
    use crate::config::StoreKind;
    match (cfg.kind.get(), &cfg.url) {
        (Some(StoreKind::Sqlite), _) => open_sqlite(data_dir),
        (Some(StoreKind::Postgres), Some(url)) => open_postgres(url, cfg.ca_file.as_deref()),
        // check-config refuses these; a config built otherwise must not fall back to
        // a SQLite file nobody asked for
        _ => Err(StoreError::Config(format!(
            "store.kind = {:?} needs a store.url (\"postgres\") or must be \"sqlite\"",
            cfg.kind.as_str()
        ))),
    }
}

/// Opens (creating if needed) the SQLite database in `data_dir`, in WAL mode, migrated.
pub fn open_sqlite(data_dir: &Path) -> Result<Db, StoreError> {
    private_files(data_dir).map_err(|source| StoreError::DataDir {
        path: data_dir.to_owned(),
        source,
    })?;
    let conn = Connection::open(data_dir.join(DB_FILE)).map_err(DbError::from)?;
    // WAL: readers never block the writer. synchronous=FULL: a report is acknowledged
    // only after its transaction is durable against power loss too, at one fsync per
    // batch (the writer batches, so this is cheap under load).
    let pragmas = || -> rusqlite::Result<()> {
        conn.pragma_update(None, "journal_mode", "WAL")?;
        conn.pragma_update(None, "synchronous", "FULL")?;
        conn.pragma_update(None, "foreign_keys", "ON")?;
        conn.busy_timeout(Duration::from_secs(5))
    };
    pragmas().map_err(DbError::from)?;
    let db = Db::sqlite(conn);
    migrations::migrate(&db)?;
    Ok(db)
}

/// Makes `data_dir` (0700) and the database file (0600) whatever the umask, since the
/// database holds password hashes and token hashes; SQLite gives its `-wal` and `-shm`
/// files the database file's mode. A directory or database that already exists keeps
/// its owner and group bits (the package makes `/var/lib/simpul` 0750 for the service
/// group) but loses any access for others, with a warning.
pub(crate) fn private_files(data_dir: &Path) -> std::io::Result<()> {
    use std::os::unix::fs::{DirBuilderExt, OpenOptionsExt, PermissionsExt};
    if !data_dir.exists() {
        std::fs::DirBuilder::new()
            .recursive(true)
            .mode(0o700)
            .create(data_dir)?;
    }
    let db = data_dir.join(DB_FILE);
    if !db.exists() {
        std::fs::OpenOptions::new()
            .write(true)
            .create(true)
            .truncate(false)
            .mode(0o600)
            .open(&db)?;
    }
    let wal = |suffix: &str| data_dir.join(format!("{DB_FILE}{suffix}"));
    for path in [data_dir.to_owned(), db, wal("-wal"), wal("-shm")] {
        if !path.exists() {
            continue;
        }
        let mode = std::fs::metadata(&path)?.permissions().mode();
        if mode & 0o007 != 0 {
            tracing::warn!(path = %path.display(), mode = format!("{:o}", mode & 0o777), "removing others' access: the database holds password and token hashes");
            std::fs::set_permissions(&path, std::fs::Permissions::from_mode(mode & 0o770))?;
        }
    }
    Ok(())
}

/// Connects to the PostgreSQL database at `url` (over TLS verified with the CAs of
/// `ca_file`, when given), migrated.
pub fn open_postgres(url: &str, ca_file: Option<&Path>) -> Result<Db, StoreError> {
    let db = Db::postgres(url, ca_file)?;
    migrations::migrate(&db)?;
    Ok(db)
}

/// SHA-256 of a token, hex. Tokens carry 256 random bits, so a fast hash is enough: there
/// is nothing to brute-force that a slow password hash would protect.
pub fn token_hash(token: &str) -> String {
    let d = Sha256::digest(token.as_bytes());
    d.iter().map(|b| format!("{b:02x}")).collect()
}

pub(crate) fn random_hex(bytes: usize) -> Result<String, StoreError> {
    let mut buf = vec![0u8; bytes];
    getrandom::fill(&mut buf).map_err(|e| StoreError::Random(e.to_string()))?;
    Ok(buf.iter().map(|b| format!("{b:02x}")).collect())
}

/// Enrols an agent: returns its binding and the token, which is shown once and stored
/// only as a hash.
pub fn add_agent(
    conn: &Db,
    agency: &str,
    host: &str,
    site: Option<&str>,
) -> Result<(AgentBinding, String), StoreError> {
    let id = format!("a{}", random_hex(6)?);
    let token = format!("smp1_{id}_{}", random_hex(32)?);
    let res = conn.execute(
        "INSERT INTO agents (id, agency, host, site, token_sha256, created_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
        params![id, agency, host, site, token_hash(&token), crate::now_seconds()],
    );
    match res {
        Ok(_) => {}
        Err(e) if e.is_unique_violation() => {
            return Err(StoreError::Conflict(format!(
                "host {host:?} of agency {agency:?} is already enrolled; revoke its agent first \
                 (simpul-collector agent list / agent revoke ID)"
            )))
        }
        Err(e) => return Err(e.into()),
    }
    let binding = AgentBinding {
        id,
        agency: agency.into(),
        host: host.into(),
        site: site.map(Into::into),
    };
    Ok((binding, token))
}

/// Revokes an agent's token. Returns false when no active agent has that id.
pub fn revoke_agent(conn: &Db, id: &str) -> Result<bool, StoreError> {
    let n = conn.execute(
        "UPDATE agents SET revoked_at = ?2 WHERE id = ?1 AND revoked_at IS NULL",
        params![id, crate::now_seconds()],
    )?;
    Ok(n == 1)
}

fn binding_from_row(r: &db::Row<'_>) -> Result<AgentBinding, DbError> {
    Ok(AgentBinding {
        id: r.get(0)?,
        agency: r.get(1)?,
        host: r.get(2)?,
        site: r.get(3)?,
    })
}

/// Every agent, active and revoked, oldest first.
pub fn list_agents(conn: &Db) -> Result<Vec<AgentRow>, StoreError> {
    Ok(conn.query(
        "SELECT id, agency, host, site, created_at, revoked_at FROM agents ORDER BY created_at, id",
        params![],
        |r| {
            Ok(AgentRow {
                binding: binding_from_row(r)?,
                created_at: r.get(4)?,
                revoked_at: r.get(5)?,
            })
        },
    )?)
}

/// The active agent a token belongs to, if any.
pub fn agent_by_token(conn: &Db, token: &str) -> Result<Option<AgentBinding>, StoreError> {
    Ok(conn.query_row(
        "SELECT id, agency, host, site FROM agents WHERE token_sha256 = ?1 AND revoked_at IS NULL",
        params![token_hash(token)],
        binding_from_row,
    )?)
}

/// Adds an administrator; returns its id and token (shown once, stored hashed).
pub fn add_admin(conn: &Db, name: &str) -> Result<(String, String), StoreError> {
    NamedTokens::ADMINS.add(conn, name)
}

/// A table of named bearer tokens (admins, scrape tokens): the same columns, the same
/// life (created, listed, revoked), another id and token prefix.
struct NamedTokens {
    table: &'static str,
    id_prefix: &'static str,
    token_prefix: &'static str,
}

impl NamedTokens {
    const ADMINS: Self = Self {
        table: "admins",
        id_prefix: "m",
        token_prefix: "sma1",
    };
    const SCRAPE: Self = Self {
        table: "scrape_tokens",
        id_prefix: "s",
        token_prefix: "sms1",
    };

    /// A new token named `name`: (id, token); only the token's hash is stored.
    fn add(&self, conn: &Db, name: &str) -> Result<(String, String), StoreError> {
        let id = format!("{}{}", self.id_prefix, random_hex(6)?);
        let token = format!("{}_{id}_{}", self.token_prefix, random_hex(32)?);
        conn.execute(
            &format!(
                "INSERT INTO {} (id, name, token_sha256, created_at) VALUES (?1, ?2, ?3, ?4)",
                self.table
            ),
            params![id, name, token_hash(&token), crate::now_seconds()],
        )?;
        Ok((id, token))
    }

    fn list(&self, conn: &Db) -> Result<Vec<AdminRow>, StoreError> {
        Ok(conn.query(
            &format!(
                "SELECT id, name, created_at, revoked_at FROM {} ORDER BY created_at",
                self.table
            ),
            params![],
            |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?)),
        )?)
    }

    /// False when no active token has that id.
    fn revoke(&self, conn: &Db, id: &str) -> Result<bool, StoreError> {
        let n = conn.execute(
            &format!(
                "UPDATE {} SET revoked_at = ?2 WHERE id = ?1 AND revoked_at IS NULL",
                self.table
            ),
            params![id, crate::now_seconds()],
        )?;
        Ok(n == 1)
    }
}

/// The administrator (id, name) holding `token`, if active.
pub fn admin_by_token(conn: &Db, token: &str) -> Result<Option<(String, String)>, StoreError> {
    Ok(conn.query_row(
        "SELECT id, name FROM admins WHERE token_sha256 = ?1 AND revoked_at IS NULL",
        params![token_hash(token)],
        |r| Ok((r.get(0)?, r.get(1)?)),
    )?)
}

/// An administrator as listed: id, name, created, revoked.
pub type AdminRow = (String, String, f64, Option<f64>);

/// Every administrator.
pub fn list_admins(conn: &Db) -> Result<Vec<AdminRow>, StoreError> {
    NamedTokens::ADMINS.list(conn)
}

/// Revokes an administrator's token; false when no active one has that id.
pub fn revoke_admin(conn: &Db, id: &str) -> Result<bool, StoreError> {
    NamedTokens::ADMINS.revoke(conn, id)
}

/// Creates a scrape token (`sms1_<id>_<64 hex>`): it reads `/metrics` and nothing else.
/// Returns (id, token); only the token's hash is stored.
pub fn add_scrape_token(conn: &Db, name: &str) -> Result<(String, String), StoreError> {
    NamedTokens::SCRAPE.add(conn, name)
}

/// Whether `token` is an active scrape token.
pub fn scrape_token_valid(conn: &Db, token: &str) -> Result<bool, StoreError> {
    Ok(conn
        .query_row(
            "SELECT 1 FROM scrape_tokens WHERE token_sha256 = ?1 AND revoked_at IS NULL",
            params![token_hash(token)],
            |r| r.get::<_, i64>(0),
        )?
        .is_some())
}

/// Every scrape token: id, name, created, revoked.
pub fn list_scrape_tokens(conn: &Db) -> Result<Vec<AdminRow>, StoreError> {
    NamedTokens::SCRAPE.list(conn)
}

/// Revokes a scrape token; false when no active one has that id.
pub fn revoke_scrape_token(conn: &Db, id: &str) -> Result<bool, StoreError> {
    NamedTokens::SCRAPE.revoke(conn, id)
}

/// A maintenance window declared through the API.
#[derive(Debug, Clone, serde::Serialize)]
pub struct StoredMaintenance {
    pub id: i64,
    pub reason: String,
    pub agency: Option<String>,
    pub site: Option<String>,
    pub host: Option<String>,
    pub start: f64,
    pub end: f64,
    pub created_by: String,
}

/// Stores a window; returns its id.
pub fn add_maintenance(conn: &Db, m: &StoredMaintenance) -> Result<i64, StoreError> {
    Ok(conn.query_one(
        "INSERT INTO maintenance (reason, agency, site, host, start, \"end\", created_by, created_at)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8) RETURNING id",
        params![
            m.reason,
            m.agency,
            m.site,
            m.host,
            m.start,
            m.end,
            m.created_by,
            crate::now_seconds()
        ],
        |r| r.get(0),
    )?)
}

/// Windows declared through the API overlapping [from, to).
pub fn maintenance_between(
    conn: &Db,
    from: f64,
    to: f64,
) -> Result<Vec<StoredMaintenance>, StoreError> {
    Ok(conn.query(
        "SELECT id, reason, agency, site, host, start, \"end\", created_by FROM maintenance
         WHERE \"end\" > ?1 AND start < ?2 ORDER BY start",
        params![from, to],
        |r| {
            Ok(StoredMaintenance {
                id: r.get(0)?,
                reason: r.get(1)?,
                agency: r.get(2)?,
                site: r.get(3)?,
                host: r.get(4)?,
                start: r.get(5)?,
                end: r.get(6)?,
                created_by: r.get(7)?,
            })
        },
    )?)
}

/// Deletes a window declared through the API; false when there is none with that id.
pub fn delete_maintenance(conn: &Db, id: i64) -> Result<bool, StoreError> {
    Ok(conn.execute("DELETE FROM maintenance WHERE id = ?1", params![id])? == 1)
}

/// Deletes raw reports sampled before `raw_before` and spans that ended before
/// `spans_before`, one agent per transaction so that ingest is never held up for long.
/// Returns (reports, spans) deleted.
pub fn prune(conn: &Db, raw_before: f64, spans_before: f64) -> Result<(u64, u64), StoreError> {
    let agents: Vec<String> = conn.query("SELECT id FROM agents", params![], |r| r.get(0))?;
    let (mut reports, mut spans) = (0u64, 0u64);
    for id in agents {
        reports += conn.execute(
            "DELETE FROM reports WHERE agent_id = ?1 AND sample_time < ?2",
            params![id, raw_before],
        )? as u64;
        spans += conn.execute(
            "DELETE FROM spans WHERE agent_id = ?1 AND \"end\" < ?2",
            params![id, spans_before],
        )? as u64;
    }
    Ok((reports, spans))
}

/// A backup obligation declared through the API, with who declared and changed it.
#[derive(Debug, Clone, serde::Serialize)]
pub struct StoredObligation {
    #[serde(flatten)]
    pub obligation: crate::config::backups::Obligation,
    pub created_by: String,
    pub created_at: f64,
    pub updated_by: String,
    pub updated_at: f64,
}

/// Every obligation declared through the API, by id. A row whose JSON this version
/// cannot read (written by a newer collector) is skipped with a warning, not fatal.
pub fn api_obligations(conn: &Db) -> Result<Vec<StoredObligation>, StoreError> {
    let rows = conn.query(
        "SELECT id, body, created_by, created_at, updated_by, updated_at FROM obligations ORDER BY id",
        params![],
        |r| {
        Ok((
            r.get::<_, String>(0)?,
            r.get::<_, String>(1)?,
            r.get::<_, String>(2)?,
            r.get::<_, f64>(3)?,
            r.get::<_, String>(4)?,
            r.get::<_, f64>(5)?,
        ))
    })?;
    let mut out = Vec::new();
    for (id, body, created_by, created_at, updated_by, updated_at) in rows {
        match serde_json::from_str(&body) {
            Ok(obligation) => out.push(StoredObligation {
                obligation,
                created_by,
                created_at,
                updated_by,
                updated_at,
            }),
            Err(e) => {
                tracing::warn!(obligation = %id, error = %e, "cannot read a stored obligation; skipped")
            }
        }
    }
    Ok(out)
}

/// Inserts or replaces an API-declared obligation; returns whether it was new.
pub fn put_obligation(
    conn: &Db,
    o: &crate::config::backups::Obligation,
    by: &str,
    now: f64,
) -> Result<bool, StoreError> {
    let body = serde_json::to_string(o).map_err(|source| StoreError::Encode {
        what: "an obligation",
        source,
    })?;
    let updated = conn.execute(
        "UPDATE obligations SET agency = ?2, body = ?3, updated_by = ?4, updated_at = ?5 WHERE id = ?1",
        params![o.id, o.agency, body, by, now],
    )?;
    if updated == 0 {
        conn.execute(
            "INSERT INTO obligations (id, agency, body, created_by, created_at, updated_by, updated_at)
             VALUES (?1, ?2, ?3, ?4, ?5, ?4, ?5)",
            params![o.id, o.agency, body, by, now],
        )?;
    }
    Ok(updated == 0)
}

/// Deletes an API-declared obligation (its evidence and history stay); false if absent.
pub fn delete_obligation(conn: &Db, id: &str) -> Result<bool, StoreError> {
    Ok(conn.execute("DELETE FROM obligations WHERE id = ?1", params![id])? > 0)
}

/// Gives a backup obligation a (new) check-in token; the old one stops working.
pub fn backup_token(conn: &Db, obligation: &str) -> Result<String, StoreError> {
    let token = format!("smb1_{}", random_hex(32)?);
    conn.execute(
        "INSERT INTO backup_tokens (obligation, token_sha256, created_at) VALUES (?1, ?2, ?3)
         ON CONFLICT(obligation) DO UPDATE SET token_sha256 = excluded.token_sha256, created_at = excluded.created_at",
        params![obligation, token_hash(&token), crate::now_seconds()],
    )?;
    Ok(token)
}

/// Whether `token` is the check-in token of `obligation`.
pub fn backup_token_valid(conn: &Db, obligation: &str, token: &str) -> Result<bool, StoreError> {
    Ok(conn.exists(
        "SELECT 1 FROM backup_tokens WHERE obligation = ?1 AND token_sha256 = ?2",
        params![obligation, token_hash(token)],
    )?)
}

crate::states! {
    /// What a backup job's check-in says.
    pub enum CheckinStatus {
        /// The job started (a start without a finish for longer than the interval is a
        /// failure).
        Start = "start",
        Ok = "ok",
        Fail = "fail",
    }
}

crate::states! {
    /// How a restore test went.
    pub enum TestResult {
        Ok = "ok",
        Fail = "fail",
    }
}

/// A stored value of a states enum, or an error naming the column.
fn stored<T>(column: usize, value: String, parse: fn(&str) -> Option<T>) -> Result<T, DbError> {
    parse(&value).ok_or_else(|| DbError::Column {
        column,
        message: format!("unknown value {value:?}"),
    })
}

/// One check-in of a backup job.
#[derive(Debug, Clone, serde::Serialize)]
pub struct Checkin {
    pub at: f64,
    pub status: CheckinStatus,
    pub size_bytes: Option<u64>,
    pub checksum: String,
    pub duration_seconds: Option<f64>,
    pub message: String,
    /// The peer address it came from.
    pub source: String,
}

/// Stores a check-in.
pub fn add_checkin(conn: &Db, obligation: &str, c: &Checkin) -> Result<(), StoreError> {
    conn.execute(
        "INSERT INTO backup_checkins (obligation, at, status, size_bytes, checksum, duration, message, source)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
        params![
            obligation,
            c.at,
            c.status.as_str(),
            c.size_bytes.map(|s| s as i64),
            c.checksum,
            c.duration_seconds,
            c.message,
            c.source
        ],
    )?;
    Ok(())
}

/// The newest check-ins of `obligation`, newest first.
pub fn checkins(conn: &Db, obligation: &str, limit: u32) -> Result<Vec<Checkin>, StoreError> {
    Ok(conn.query(
        "SELECT at, status, size_bytes, checksum, duration, message, source FROM backup_checkins
         WHERE obligation = ?1 ORDER BY at DESC, id DESC LIMIT ?2",
        params![obligation, limit],
        |r| {
            Ok(Checkin {
                at: r.get(0)?,
                status: stored(1, r.get(1)?, CheckinStatus::parse)?,
                size_bytes: r.get::<_, Option<i64>>(2)?.map(|s| s as u64),
                checksum: r.get(3)?,
                duration_seconds: r.get(4)?,
                message: r.get(5)?,
                source: r.get(6)?,
            })
        },
    )?)
}

/// A restore test of a backup.
#[derive(Debug, Clone, serde::Serialize)]
pub struct RestoreTest {
    pub at: f64,
    pub who: String,
    pub result: TestResult,
    pub notes: String,
    pub recorded_by: String,
}

/// Records a restore test.
pub fn add_restore_test(conn: &Db, obligation: &str, t: &RestoreTest) -> Result<(), StoreError> {
    conn.execute(
        "INSERT INTO restore_tests (obligation, at, who, result, notes, recorded_by) VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
        params![obligation, t.at, t.who, t.result.as_str(), t.notes, t.recorded_by],
    )?;
    Ok(())
}

/// The newest restore test of `obligation`.
pub fn last_restore_test(conn: &Db, obligation: &str) -> Result<Option<RestoreTest>, StoreError> {
    Ok(restore_tests(conn, obligation, 1)?.into_iter().next())
}

/// One probe reading of an obligation, as stored.
#[derive(Debug, Clone, serde::Serialize)]
pub struct EvidenceRow {
    pub sample_time: f64,
    pub host: String,
    pub kind: String,
    pub error: String,
    pub latest_time: Option<f64>,
    pub latest_size: Option<u64>,
    pub latest_name: String,
    #[serde(skip_serializing_if = "String::is_empty")]
    pub latest_checksum: String,
    pub count: u64,
    pub total_size: u64,
}

/// The newest probe readings of `obligation`, newest first.
pub fn evidence_history(
    conn: &Db,
    obligation: &str,
    agency: &str,
    limit: u32,
) -> Result<Vec<EvidenceRow>, StoreError> {
    // another agency's host (a shared backup server in `reporters`) is named only by
    // its agency: an agency's history never shows another agency's host names
    Ok(conn.query(
        "SELECT e.sample_time,
                CASE WHEN a.agency IS NULL THEN e.agent_id WHEN a.agency = ?3 THEN a.host
                     ELSE 'host of ' || a.agency END,
                e.kind, e.error, e.latest_time, e.latest_size,
                e.latest_name, e.count, e.total_size, e.latest_checksum
         FROM backup_evidence e LEFT JOIN agents a ON a.id = e.agent_id
         WHERE e.obligation = ?1 ORDER BY e.sample_time DESC LIMIT ?2",
        params![obligation, limit, agency],
        |r| {
            Ok(EvidenceRow {
                sample_time: r.get(0)?,
                host: r.get(1)?,
                kind: r.get(2)?,
                error: r.get(3)?,
                latest_time: r.get(4)?,
                latest_size: r.get::<_, Option<i64>>(5)?.map(|x| x as u64),
                latest_name: r.get(6)?,
                count: r.get::<_, i64>(7)? as u64,
                total_size: r.get::<_, i64>(8)? as u64,
                latest_checksum: r.get(9)?,
            })
        },
    )?)
}

/// Every restore test of `obligation`, newest first.
pub fn restore_tests(
    conn: &Db,
    obligation: &str,
    limit: u32,
) -> Result<Vec<RestoreTest>, StoreError> {
    Ok(conn.query(
        "SELECT at, who, result, notes, recorded_by FROM restore_tests WHERE obligation = ?1 ORDER BY at DESC, id DESC LIMIT ?2",
        params![obligation, limit],
        |r| {
        Ok(RestoreTest {
            at: r.get(0)?,
            who: r.get(1)?,
            result: stored(2, r.get(2)?, TestResult::parse)?,
            notes: r.get(3)?,
            recorded_by: r.get(4)?,
        })
    })?)
}

/// Records that a collector run started at `now`; returns its key.
pub fn start_run(conn: &Db, now: f64) -> Result<f64, StoreError> {
    conn.execute(
        "INSERT INTO collector_runs (started_at, alive_at) VALUES (?1, ?1)
         ON CONFLICT(started_at) DO UPDATE SET alive_at = excluded.alive_at, stopped_at = NULL",
        params![now],
    )?;
    Ok(now)
}

/// Records that the run `started_at` is alive at `now`, or stopped cleanly.
pub fn touch_run(conn: &Db, started_at: f64, now: f64, stopped: bool) -> Result<(), StoreError> {
    conn.execute(
        "UPDATE collector_runs SET alive_at = ?2, stopped_at = ?3 WHERE started_at = ?1",
        params![started_at, now, stopped.then_some(now)],
    )?;
    Ok(())
}

/// Bindings of every agent that is not revoked.
pub fn active_agents(conn: &Db) -> Result<Vec<AgentBinding>, StoreError> {
    Ok(conn.query(
        "SELECT id, agency, host, site FROM agents WHERE revoked_at IS NULL",
        params![],
        binding_from_row,
    )?)
}

/// Gives an active agent a new token; the old one is refused from the next request on.
/// Returns the new token, shown once, or None when no active agent has that id.
pub fn rotate_agent(conn: &Db, id: &str) -> Result<Option<String>, StoreError> {
    let token = format!("smp1_{id}_{}", random_hex(32)?);
    let n = conn.execute(
        "UPDATE agents SET token_sha256 = ?2 WHERE id = ?1 AND revoked_at IS NULL",
        params![id, token_hash(&token)],
    )?;
    Ok((n == 1).then_some(token))
}

/// What the collector knows of one host at start-up.
#[derive(Debug, Clone)]
pub struct LoadedHost {
    pub binding: AgentBinding,
    pub latest: Option<(Report, f64)>,
    pub inventory: Option<(Inventory, f64)>,
}

/// Every active agent with its latest report (and when it was received) and latest
/// inventory.
pub fn load_fleet(conn: &Db) -> Result<Vec<LoadedHost>, StoreError> {
    let rows = conn.query(
        "SELECT a.id, a.agency, a.host, a.site, l.report_json, l.received_at,
                (SELECT inventory_json FROM inventory i WHERE i.agent_id = a.id ORDER BY sample_time DESC LIMIT 1),
                (SELECT sample_time FROM inventory i WHERE i.agent_id = a.id ORDER BY sample_time DESC LIMIT 1)
         FROM agents a LEFT JOIN host_latest l ON l.agent_id = a.id
         WHERE a.revoked_at IS NULL",
        params![],
        |r| {
        Ok((
            binding_from_row(r)?,
            r.get::<_, Option<String>>(4)?,
            r.get::<_, Option<f64>>(5)?,
            r.get::<_, Option<String>>(6)?,
            r.get::<_, Option<f64>>(7)?,
        ))
    })?;
    let mut out = Vec::new();
    for (binding, report, received, inv, inv_time) in rows {
        let json = |s: &str| {
            serde_json::from_str(s).map_err(|source| StoreError::Json {
                agent: binding.id.clone(),
                source,
            })
        };
        let latest = match (report, received) {
            (Some(r), Some(t)) => Some((json(&r)?, t)),
            _ => None,
        };
        let inventory = match (inv, inv_time) {
            (Some(i), Some(t)) => Some((
                serde_json::from_str(&i).map_err(|source| StoreError::Json {
                    agent: binding.id.clone(),
                    source,
                })?,
                t,
            )),
            _ => None,
        };
        out.push(LoadedHost {
            binding,
            latest,
            inventory,
        });
    }
    Ok(out)
}

/// Test helpers: every storage test runs on both engines.
#[cfg(test)]
pub(crate) mod testing {
    use super::pg_server::PgServer;
    use super::{Db, Engine};

    /// A fresh, migrated PostgreSQL database on the test binary's server.
    pub fn postgres() -> Db {
        let url = PgServer::shared().fresh_database().unwrap();
        super::open_postgres(&url, None).unwrap()
    }

    /// Runs `f` on a fresh SQLite database, then on a fresh PostgreSQL one.
    pub fn each_engine(f: impl Fn(&Db)) {
        let dir = tempfile::tempdir().unwrap();
        for db in [super::open_sqlite(dir.path()).unwrap(), postgres()] {
            let engine = db.engine();
            let run = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| f(&db)));
            if let Err(p) = run {
                eprintln!(
                    "failed on {}",
                    match engine {
                        Engine::Sqlite => "SQLite",
                        Engine::Postgres => "PostgreSQL",
                    }
                );
                std::panic::resume_unwind(p);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::store::testing;

    #[test]
    fn enrol_authenticate_revoke() {
        testing::each_engine(|conn| {
            let (b, token) = add_agent(conn, "dinkes", "web-01", Some("pusat-data")).unwrap();
            assert!(token.starts_with(&format!("smp1_{}_", b.id)));
            assert_eq!(agent_by_token(conn, &token).unwrap(), Some(b.clone()));
            assert_eq!(agent_by_token(conn, "smp1_x_00").unwrap(), None);
            let stored: String = conn
                .query_one("SELECT token_sha256 FROM agents", params![], |r| r.get(0))
                .unwrap();
            assert_ne!(stored, token, "only the hash is stored");
            let e = add_agent(conn, "dinkes", "web-01", None)
                .unwrap_err()
                .to_string();
            assert!(e.contains("already enrolled"), "{e}");
            assert!(revoke_agent(conn, &b.id).unwrap());
            assert!(!revoke_agent(conn, &b.id).unwrap());
            assert_eq!(agent_by_token(conn, &token).unwrap(), None);
            add_agent(conn, "dinkes", "web-01", None).unwrap();
            assert_eq!(list_agents(conn).unwrap().len(), 2);
        });
    }

    #[test]
    fn pruning_keeps_recent_reports_and_spans() {
        testing::each_engine(|conn| {
            let (b, _) = add_agent(conn, "dinkes", "web-01", None).unwrap();
            for (seq, t) in [(1, 100.0), (2, 200.0), (3, 300.0)] {
                conn.execute(
                "INSERT INTO reports (agent_id, sequence, sample_time, received_at, interval_secs) VALUES (?1, ?2, ?3, ?3, 30)",
                params![b.id, seq, t],
            )
            .unwrap();
            }
            conn.execute(
            "INSERT INTO spans (agent_id, start, \"end\", grace) VALUES (?1, 100, 150, 90), (?1, 200, 300, 90)",
            params![b.id],
        )
        .unwrap();
            assert_eq!(prune(conn, 250.0, 160.0).unwrap(), (2, 1));
            let left: i64 = conn
                .query_one("SELECT count(*) FROM reports", params![], |r| r.get(0))
                .unwrap();
            assert_eq!(left, 1);
            let start: f64 = conn
                .query_one("SELECT start FROM spans", params![], |r| r.get(0))
                .unwrap();
            assert_eq!(start, 200.0);
        });
    }

    #[test]
    fn rotation_replaces_the_token() {
        testing::each_engine(|conn| {
            let (b, old) = add_agent(conn, "dinkes", "web-01", None).unwrap();
            let new = rotate_agent(conn, &b.id).unwrap().unwrap();
            assert_ne!(new, old);
            assert_eq!(agent_by_token(conn, &old).unwrap(), None);
            assert_eq!(agent_by_token(conn, &new).unwrap(), Some(b.clone()));
            assert!(revoke_agent(conn, &b.id).unwrap());
            assert_eq!(
                rotate_agent(conn, &b.id).unwrap(),
                None,
                "revoked stays revoked"
            );
            assert_eq!(rotate_agent(conn, "a000000000000").unwrap(), None);
        });
    }
}
