//! A throwaway PostgreSQL server for tests and benchmarks: `initdb` in a temporary
//! directory, `postgres` on a free loopback port, stopped and removed on drop.
//!
//! Uses the Debian `postgresql` package's binaries (`/usr/lib/postgresql/N/bin`, or
//! `SIMPUL_PG_BIN`). PostgreSQL refuses to run as root, so as root the server runs as
//! the `postgres` user. A watchdog stops the server and removes its directory when the
//! process that started it ends, however it ends.

use std::os::unix::process::CommandExt;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::atomic::{AtomicU32, Ordering};
use std::time::{Duration, Instant};

const PREFIX: &str = "simpul-pg-";

/// A running server; `url` names its `simpul` database as superuser `simpul`.
pub struct PgServer {
    child: Child,
    dir: PathBuf,
    port: u16,
    pub url: String,
}

/// How the server trades durability for speed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Durability {
    /// fsync off: tests, where a crash loses nothing of value.
    Throwaway,
    /// PostgreSQL's defaults (fsync, synchronous commit): benchmarks.
    Durable,
}

fn bin_dir() -> Result<PathBuf, String> {
    if let Some(d) = std::env::var_os("SIMPUL_PG_BIN") {
        return Ok(PathBuf::from(d));
    }
    let mut found: Vec<(u32, PathBuf)> = std::fs::read_dir("/usr/lib/postgresql")
        .map_err(|e| format!("PostgreSQL is not installed (/usr/lib/postgresql: {e}); apt-get install postgresql, or set SIMPUL_PG_BIN"))?
        .filter_map(Result::ok)
        .filter_map(|e| {
            let v = e.file_name().to_str()?.parse().ok()?;
            let bin = e.path().join("bin");
            bin.join("initdb").exists().then_some((v, bin))
        })
        .collect();
    found.sort();
    found
        .pop()
        .map(|(_, b)| b)
        .ok_or_else(|| "no /usr/lib/postgresql/N/bin/initdb; apt-get install postgresql".into())
}

/// As root: the `postgres` user's uid and gid, to run the server as.
fn run_as() -> Result<Option<(u32, u32)>, String> {
    if !nix::unistd::geteuid().is_root() {
        return Ok(None);
    }
    let u = nix::unistd::User::from_name("postgres")
        .map_err(|e| format!("looking up user postgres: {e}"))?
        .ok_or("PostgreSQL refuses to run as root and there is no postgres user")?;
    Ok(Some((u.uid.as_raw(), u.gid.as_raw())))
}

/// Removes directories of servers whose process is gone.
fn remove_stale() {
    let Ok(entries) = std::fs::read_dir(std::env::temp_dir()) else {
        return;
    };
    for e in entries.filter_map(Result::ok) {
        let name = e.file_name();
        let Some(rest) = name.to_str().and_then(|n| n.strip_prefix(PREFIX)) else {
            continue;
        };
        let pid = rest.split('-').next().unwrap_or("");
        if !pid.is_empty() && !Path::new("/proc").join(pid).exists() {
            let _ = std::fs::remove_dir_all(e.path());
        }
    }
}

fn free_port() -> Result<u16, String> {
    let l = std::net::TcpListener::bind("127.0.0.1:0").map_err(|e| e.to_string())?;
    Ok(l.local_addr().map_err(|e| e.to_string())?.port())
}

fn command(bin: &Path, name: &str, owner: Option<(u32, u32)>) -> Command {
    let mut c = Command::new(bin.join(name));
    if let Some((uid, gid)) = owner {
        c.uid(uid).gid(gid);
    }
    c.env_remove("PGDATA").env("LC_ALL", "C.UTF-8");
    c
}

impl PgServer {
    /// Starts a fresh server, with an empty database `simpul`.
    pub fn start(durability: Durability) -> Result<Self, String> {
        static SEQ: AtomicU32 = AtomicU32::new(0);
        remove_stale();
        let bin = bin_dir()?;
        let owner = run_as()?;
        let dir = std::env::temp_dir().join(format!(
            "{PREFIX}{}-{}",
            std::process::id(),
            SEQ.fetch_add(1, Ordering::Relaxed)
        ));
        let data = dir.join("data");
        std::fs::create_dir_all(&dir).map_err(|e| format!("{}: {e}", dir.display()))?;
        if let Some((uid, gid)) = owner {
            nix::unistd::chown(&dir, Some(uid.into()), Some(gid.into()))
                .map_err(|e| format!("chown {}: {e}", dir.display()))?;
        }
        let out = command(&bin, "initdb", owner)
            .args([
                "--auth=trust",
                "--username=simpul",
                "--encoding=UTF8",
                "--no-sync",
                "-D",
            ])
            .arg(&data)
            .output()
            .map_err(|e| format!("initdb: {e}"))?;
        if !out.status.success() {
            let _ = std::fs::remove_dir_all(&dir);
            return Err(format!(
                "initdb failed: {}",
                String::from_utf8_lossy(&out.stderr)
            ));
        }
        let port = free_port()?;
        let mut cmd = command(&bin, "postgres", owner);
        cmd.arg("-D")
            .arg(&data)
            .args([
                "-c",
                "listen_addresses=127.0.0.1",
                "-p",
                &port.to_string(),
                "-k",
            ])
            .arg(&dir)
            .args(["-c", "max_connections=300", "-c", "shared_buffers=128MB"])
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(std::fs::File::create(dir.join("postgres.log")).map_err(|e| e.to_string())?);
        if durability == Durability::Throwaway {
            cmd.args([
                "-c",
                "fsync=off",
                "-c",
                "synchronous_commit=off",
                "-c",
                "full_page_writes=off",
            ]);
        }
        let child = cmd.spawn().map_err(|e| format!("postgres: {e}"))?;
        // a watchdog stops the server and removes its directory once this process is
        // gone, however it ends (a static server is never dropped; a test may be killed)
        let watchdog = format!(
            "while kill -0 {me} 2>/dev/null; do sleep 1; done; kill -QUIT {pg} 2>/dev/null; \
             sleep 2; kill -KILL {pg} 2>/dev/null; rm -rf '{dir}'",
            me = std::process::id(),
            pg = child.id(),
            dir = dir.display(),
        );
        Command::new("sh")
            .args(["-c", &watchdog])
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .map_err(|e| format!("watchdog: {e}"))?;
        let mut server = PgServer {
            child,
            dir,
            port,
            url: String::new(),
        };
        server.url = server.database_url("simpul");
        server.wait_ready("postgres")?;
        server.sql("CREATE DATABASE simpul")?;
        Ok(server)
    }

    /// The loopback port it listens on.
    pub fn port(&self) -> u16 {
        self.port
    }

    /// The URL of its database `db`, as superuser `simpul`.
    pub fn database_url(&self, db: &str) -> String {
        format!("postgres://simpul@127.0.0.1:{}/{db}", self.port)
    }

    /// Its log, for a test's failure message.
    pub fn log(&self) -> String {
        std::fs::read_to_string(self.dir.join("postgres.log")).unwrap_or_default()
    }

    fn wait_ready(&mut self, db: &str) -> Result<(), String> {
        let url = self.database_url(db);
        let log = self.dir.join("postgres.log");
        let child = &mut self.child;
        off_runtime(move || wait_until_ready(&url, child, &log))
    }

    /// Serves TLS (`ssl = on`) with the PEM certificate chain and key given, after a
    /// configuration reload; plain connections stay allowed.
    pub fn enable_tls(&self, cert_pem: &str, key_pem: &str) -> Result<(), String> {
        use std::os::unix::fs::PermissionsExt;
        let data = self.dir.join("data");
        for (name, text) in [("server.crt", cert_pem), ("server.key", key_pem)] {
            let path = data.join(name);
            std::fs::write(&path, text).map_err(|e| format!("{}: {e}", path.display()))?;
            // PostgreSQL refuses a key others can read
            std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o600))
                .map_err(|e| format!("chmod {}: {e}", path.display()))?;
            if let Some((uid, gid)) = run_as()? {
                nix::unistd::chown(&path, Some(uid.into()), Some(gid.into()))
                    .map_err(|e| format!("chown {}: {e}", path.display()))?;
            }
        }
        // one at a time: ALTER SYSTEM refuses to run in a transaction, which a batch is
        for sql in [
            "ALTER SYSTEM SET ssl_cert_file = 'server.crt'",
            "ALTER SYSTEM SET ssl_key_file = 'server.key'",
            "ALTER SYSTEM SET ssl = on",
            "SELECT pg_reload_conf()",
        ] {
            self.sql(sql)?;
        }
        let url = self.database_url("postgres");
        let deadline = Instant::now() + Duration::from_secs(20);
        loop {
            let on = off_runtime(|| {
                let mut c = postgres::Client::connect(&url, postgres::NoTls).ok()?;
                let r = c.query_one("SELECT current_setting('ssl')", &[]).ok()?;
                Some(r.get::<_, String>(0) == "on")
            });
            if on == Some(true) {
                return Ok(());
            }
            if Instant::now() > deadline {
                return Err(format!("ssl not on after 20 s: {}", self.log()));
            }
            std::thread::sleep(Duration::from_millis(100));
        }
    }

    /// Runs SQL in the maintenance database `postgres`.
    pub fn sql(&self, sql: &str) -> Result<(), String> {
        let url = self.database_url("postgres");
        off_runtime(move || {
            let mut c =
                postgres::Client::connect(&url, postgres::NoTls).map_err(|e| e.to_string())?;
            c.batch_execute(sql).map_err(|e| {
                let why = e
                    .as_db_error()
                    .map_or(e.to_string(), |d| d.message().to_owned());
                format!("{sql}: {why}")
            })
        })
    }

    /// The process's throwaway server (fsync off), started on first use: every test
    /// of a test binary shares it, each with [`Self::fresh_database`] of its own.
    /// Panics when PostgreSQL cannot start (the tests need it).
    pub fn shared() -> &'static PgServer {
        static SERVER: std::sync::OnceLock<PgServer> = std::sync::OnceLock::new();
        SERVER.get_or_init(|| {
            PgServer::start(Durability::Throwaway)
                .unwrap_or_else(|e| panic!("the tests need PostgreSQL: {e}"))
        })
    }

    /// Creates an empty database with a name unique in this process; returns its URL.
    pub fn fresh_database(&self) -> Result<String, String> {
        static SEQ: AtomicU32 = AtomicU32::new(0);
        let name = format!(
            "t{}_{}",
            std::process::id(),
            SEQ.fetch_add(1, Ordering::Relaxed)
        );
        self.create_database(&name)
    }

    /// Creates another empty database; returns its URL.
    pub fn create_database(&self, name: &str) -> Result<String, String> {
        self.sql(&format!("CREATE DATABASE \"{name}\""))?;
        Ok(self.database_url(name))
    }
}

/// Runs `f` on a thread of its own: PostgreSQL's blocking client refuses to run on a
/// thread that drives an async runtime (an async test's).
pub fn off_runtime<T: Send>(f: impl FnOnce() -> T + Send) -> T {
    std::thread::scope(|s| match s.spawn(f).join() {
        Ok(v) => v,
        Err(p) => std::panic::resume_unwind(p),
    })
}

fn wait_until_ready(url: &str, child: &mut Child, log: &Path) -> Result<(), String> {
    let deadline = Instant::now() + Duration::from_secs(60);
    let log = || std::fs::read_to_string(log).unwrap_or_default();
    loop {
        match postgres::Client::connect(url, postgres::NoTls) {
            Ok(_) => return Ok(()),
            Err(e) => {
                if let Ok(Some(status)) = child.try_wait() {
                    return Err(format!("postgres exited ({status}): {}", log()));
                }
                if Instant::now() > deadline {
                    return Err(format!("postgres not ready after 60 s: {e}\n{}", log()));
                }
                std::thread::sleep(Duration::from_millis(50));
            }
        }
    }
}

impl Drop for PgServer {
    fn drop(&mut self) {
        // immediate shutdown: the data is thrown away anyway
        let pid = nix::unistd::Pid::from_raw(self.child.id() as i32);
        let _ = nix::sys::signal::kill(pid, nix::sys::signal::Signal::SIGQUIT);
        let deadline = Instant::now() + Duration::from_secs(10);
        while Instant::now() < deadline {
            if let Ok(Some(_)) = self.child.try_wait() {
                break;
            }
            std::thread::sleep(Duration::from_millis(20));
        }
        let _ = self.child.kill();
        let _ = self.child.wait();
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}
