//! The collector's own data, backed up and restored: the product that checks every
//! agency's backups must be safe to back up itself.
//!
//! `backup` copies the SQLite database while the collector serves, with SQLite's
//! `VACUUM INTO`: one read transaction, so the copy is the database as of one instant
//! (every report acknowledged before it began is in it), compacted, in a new file that
//! is then checked (`PRAGMA integrity_check`). `restore` (collector stopped) checks a
//! copy the same way and puts it in place, keeping the database it replaces beside it.
//! PostgreSQL is backed up with its own tools (`pg_dump`, see docs/security.md).

use std::path::{Path, PathBuf};

use rusqlite::{Connection, OpenFlags};

use super::migrations::SCHEMA_VERSION;
use super::DB_FILE;

/// What a backup file holds.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Summary {
    pub bytes: u64,
    pub schema_version: usize,
    pub reports: i64,
    pub agents: i64,
}

impl std::fmt::Display for Summary {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "{} bytes, schema version {}, {} reports, {} agents",
            self.bytes, self.schema_version, self.reports, self.agents
        )
    }
}

/// Why a backup or restore did not happen.
#[derive(Debug, thiserror::Error)]
pub enum BackupError {
    /// The target of a backup exists: a backup never overwrites a file.
    #[error("{0} already exists; a backup never overwrites a file, choose a new name")]
    Exists(PathBuf),
    /// There is no database to back up.
    #[error("no database at {0}; is data_dir right?")]
    NoDatabase(PathBuf),
    /// The file is not a usable Simpul database.
    #[error("{path} is not a usable Simpul backup: {why}")]
    Invalid { path: PathBuf, why: String },
    /// The collector seems to be running on the data directory a restore would replace.
    #[error("a collector is running on {0} (alive {1:.0} s ago): stop it first (systemctl stop simpul-collector), or pass --force if it is not")]
    Running(PathBuf, f64),
    #[error("{what} {path}: {source}")]
    Io {
        what: &'static str,
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("database: {0}")]
    Sqlite(#[from] rusqlite::Error),
}

fn io<'p>(what: &'static str, path: &'p Path) -> impl FnOnce(std::io::Error) -> BackupError + 'p {
    move |source| BackupError::Io {
        what,
        path: path.to_owned(),
        source,
    }
}

/// A new, empty file readable by its owner only (the copy holds password hashes).
fn create_private(path: &Path) -> Result<std::fs::File, BackupError> {
    use std::os::unix::fs::OpenOptionsExt;
    std::fs::OpenOptions::new()
        .write(true)
        .create_new(true)
        .mode(0o600)
        .open(path)
        .map_err(|e| {
            if e.kind() == std::io::ErrorKind::AlreadyExists {
                BackupError::Exists(path.to_owned())
            } else {
                BackupError::Io {
                    what: "cannot create",
                    path: path.to_owned(),
                    source: e,
                }
            }
        })
}

fn sync_dir(file: &Path) -> Result<(), BackupError> {
    let dir = match file.parent() {
        Some(d) if !d.as_os_str().is_empty() => d,
        _ => Path::new("."),
    };
    std::fs::File::open(dir)
        .and_then(|d| d.sync_all())
        .map_err(io("cannot sync directory", dir))
}

/// Copies the database of `data_dir` to the new file `out` while the collector may be
/// serving, checks the copy, and says what it holds.
pub fn backup(data_dir: &Path, out: &Path) -> Result<Summary, BackupError> {
    let db = data_dir.join(DB_FILE);
    if !db.exists() {
        return Err(BackupError::NoDatabase(db));
    }
    let file = create_private(out)?;
    let copy = || -> Result<Summary, BackupError> {
        let conn = Connection::open_with_flags(&db, OpenFlags::SQLITE_OPEN_READ_WRITE)?;
        conn.busy_timeout(std::time::Duration::from_secs(30))?;
        // VACUUM INTO fills an empty existing file: it keeps the 0600 made above
        conn.execute("VACUUM INTO ?1", [out.to_string_lossy()])?;
        drop(conn);
        file.sync_all().map_err(io("cannot sync", out))?;
        sync_dir(out)?;
        check(out)
    };
    copy().inspect_err(|_| {
        let _ = std::fs::remove_file(out);
    })
}

/// Checks that `path` is an intact Simpul database this collector can use, and says
/// what it holds.
pub fn check(path: &Path) -> Result<Summary, BackupError> {
    let invalid = |why: String| BackupError::Invalid {
        path: path.to_owned(),
        why,
    };
    let meta = std::fs::metadata(path).map_err(io("cannot read", path))?;
    let mut head = [0u8; 16];
    {
        use std::io::Read;
        let mut f = std::fs::File::open(path).map_err(io("cannot read", path))?;
        f.read_exact(&mut head)
            .map_err(|_| invalid("shorter than an SQLite header".into()))?;
    }
    if &head != b"SQLite format 3\0" {
        return Err(invalid("not an SQLite database file".into()));
    }
    let conn = Connection::open_with_flags(
        path,
        OpenFlags::SQLITE_OPEN_READ_ONLY | OpenFlags::SQLITE_OPEN_NO_MUTEX,
    )?;
    let integrity: String = conn
        .query_row("PRAGMA integrity_check", [], |r| r.get(0))
        .map_err(|e| invalid(format!("integrity check failed: {e}")))?;
    if integrity != "ok" {
        return Err(invalid(format!("integrity check: {integrity}")));
    }
    let version: i64 = conn.query_row("PRAGMA user_version", [], |r| r.get(0))?;
    let version = usize::try_from(version).unwrap_or(0);
    if version == 0 {
        return Err(invalid("holds no Simpul schema".into()));
    }
    if version > SCHEMA_VERSION {
        return Err(invalid(format!(
            "schema version {version} is newer than this collector's {SCHEMA_VERSION}; restore it with a newer simpul-collector"
        )));
    }
    let count = |table: &str| -> Result<i64, BackupError> {
        conn.query_row(&format!("SELECT count(*) FROM {table}"), [], |r| r.get(0))
            .map_err(|e| invalid(format!("table {table}: {e}")))
    };
    Ok(Summary {
        bytes: meta.len(),
        schema_version: version,
        reports: count("reports")?,
        agents: count("agents")?,
    })
}

/// How recently a collector on `db` said it was alive, if it has not stopped.
fn running_for(db: &Path, now: f64) -> Result<Option<f64>, BackupError> {
    let conn = Connection::open_with_flags(db, OpenFlags::SQLITE_OPEN_READ_ONLY)?;
    let alive: Option<f64> = conn
        .query_row(
            "SELECT max(alive_at) FROM collector_runs WHERE stopped_at IS NULL",
            [],
            |r| r.get(0),
        )
        .unwrap_or(None);
    // a run that said nothing for three of its alive intervals was killed, not running
    Ok(alive
        .map(|a| now - a)
        .filter(|ago| *ago < 3.0 * super::ALIVE_EVERY_SECS))
}

/// Puts the backup `from` in place as the database of `data_dir` (created if missing).
/// The database it replaces, with its WAL, is kept as `simpul.db.before-restore-<time>`
/// (returned). Refused while a collector seems to run on `data_dir`, unless `force`.
pub fn restore(
    data_dir: &Path,
    from: &Path,
    force: bool,
    now: f64,
) -> Result<(Summary, Option<PathBuf>), BackupError> {
    let summary = check(from)?;
    super::private_files(data_dir).map_err(io("cannot create data directory", data_dir))?;
    let db = data_dir.join(DB_FILE);
    let has_data = std::fs::metadata(&db).is_ok_and(|m| m.len() > 0);
    if has_data && !force {
        if let Some(ago) = running_for(&db, now)? {
            return Err(BackupError::Running(data_dir.to_owned(), ago));
        }
    }
    // the copy is complete and synced before anything of the old database moves
    let staged = data_dir.join(format!("{DB_FILE}.restoring"));
    let _ = std::fs::remove_file(&staged);
    {
        let mut out = create_private(&staged)?;
        let mut src = std::fs::File::open(from).map_err(io("cannot read", from))?;
        std::io::copy(&mut src, &mut out).map_err(io("cannot write", &staged))?;
        out.sync_all().map_err(io("cannot sync", &staged))?;
    }
    let kept = if has_data {
        let aside = data_dir.join(format!("{DB_FILE}.before-restore-{}", now as u64));
        std::fs::rename(&db, &aside).map_err(io("cannot move aside", &db))?;
        Some(aside)
    } else {
        None
    };
    // the old database's WAL must not be replayed into the restored one
    for suffix in ["-wal", "-shm"] {
        let p = data_dir.join(format!("{DB_FILE}{suffix}"));
        if p.exists() {
            let to = match &kept {
                Some(k) => PathBuf::from(format!("{}{suffix}", k.display())),
                None => data_dir.join(format!("{DB_FILE}.stale{suffix}")),
            };
            std::fs::rename(&p, &to).map_err(io("cannot move aside", &p))?;
        }
    }
    std::fs::rename(&staged, &db).map_err(io("cannot put in place", &db))?;
    sync_dir(&db)?;
    Ok((summary, kept))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::params;

    #[test]
    fn a_backup_is_checked_restored_and_never_overwritten() {
        let dir = tempfile::tempdir().unwrap();
        let live = dir.path().join("live");
        let db = super::super::open_sqlite(&live).unwrap();
        super::super::add_agent(&db, "dinkes", "web-01", None).unwrap();
        let out = dir.path().join("copy.db");
        let s = backup(&live, &out).unwrap();
        assert_eq!(
            (s.agents, s.reports, s.schema_version),
            (1, 0, SCHEMA_VERSION)
        );
        {
            use std::os::unix::fs::PermissionsExt;
            let mode = std::fs::metadata(&out).unwrap().permissions().mode();
            assert_eq!(mode & 0o777, 0o600);
        }
        assert!(matches!(backup(&live, &out), Err(BackupError::Exists(_))));
        // the running collector (this connection's run is alive) blocks a restore
        let now = crate::now_seconds();
        super::super::start_run(&db, now).unwrap();
        assert!(matches!(
            restore(&live, &out, false, now + 1.0),
            Err(BackupError::Running(..))
        ));
        super::super::touch_run(&db, now, now + 1.0, true).unwrap();
        super::super::add_agent(&db, "dinkes", "web-02", None).unwrap();
        drop(db);
        let (s, kept) = restore(&live, &out, false, now + 2.0).unwrap();
        assert_eq!(s.agents, 1);
        let kept = kept.unwrap();
        assert_eq!(
            check(&kept).unwrap().agents,
            2,
            "the replaced database is kept"
        );
        let db = super::super::open_sqlite(&live).unwrap();
        let n: i64 = db
            .query_one("SELECT count(*) FROM agents", params![], |r| r.get(0))
            .unwrap();
        assert_eq!(n, 1);
    }

    #[test]
    fn a_file_that_is_no_backup_is_refused_with_the_reason() {
        let dir = tempfile::tempdir().unwrap();
        let junk = dir.path().join("junk.db");
        std::fs::write(&junk, b"this is not a database at all").unwrap();
        let e = check(&junk).unwrap_err().to_string();
        assert!(e.contains("not an SQLite database file"), "{e}");
        let other = dir.path().join("other.db");
        Connection::open(&other)
            .unwrap()
            .execute_batch("CREATE TABLE t (x)")
            .unwrap();
        let e = check(&other).unwrap_err().to_string();
        assert!(e.contains("holds no Simpul schema"), "{e}");
        // a restore of junk changes nothing
        let live = dir.path().join("live");
        assert!(restore(&live, &junk, false, 0.0).is_err());
        assert!(!live.join(DB_FILE).exists());
    }
}
