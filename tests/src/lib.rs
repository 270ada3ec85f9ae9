//! Test harness: starts the real `simpul-collector` and `simpul-agent` binaries (and
//! Prometheus) on free loopback ports in temporary directories, and stops them when the
//! handle is dropped, also when a test panics.
//!
//! The binaries must be built first (`cargo build`); `scripts/test.sh` does that.

pub mod curl;
pub mod lang;
pub mod netlab;
pub mod report;
pub mod wait;
pub mod wanlab;

pub use report::{checkin, lan, lan_device, report, send};
pub use wait::{wait_for, wait_for_every};

use std::io::Read;
use std::net::TcpListener;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

/// Path of a workspace binary built by `cargo build` (same profile as the tests).
pub fn bin(name: &str) -> PathBuf {
    let exe = std::env::current_exe().expect("current exe");
    // target/<profile>/deps/<test> -> target/<profile>/<name>
    let dir = exe.parent().and_then(Path::parent).expect("target dir");
    let p = dir.join(name);
    assert!(
        p.exists(),
        "{} not found: run `cargo build` before the end-to-end tests (scripts/test.sh does)",
        p.display()
    );
    p
}

/// A free TCP port on 127.0.0.1.
pub fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .expect("bind")
        .local_addr()
        .expect("addr")
        .port()
}

/// A child process that is killed (and reaped) on drop.
pub struct Proc {
    pub child: Child,
    pub name: String,
    pub log: PathBuf,
}

impl Proc {
    pub fn spawn(name: &str, cmd: &mut Command, log: PathBuf) -> Self {
        let out = std::fs::File::create(&log).expect("log file");
        let err = out.try_clone().expect("log file");
        let child = cmd
            .stdout(Stdio::from(out))
            .stderr(Stdio::from(err))
            .spawn()
            .unwrap_or_else(|e| panic!("cannot start {name}: {e}"));
        Self {
            child,
            name: name.into(),
            log,
        }
    }

    /// Sends SIGTERM and waits up to 10 s for the process to exit; returns its status.
    pub fn terminate(&mut self) -> Option<std::process::ExitStatus> {
        let _ = Command::new("kill")
            .arg("-TERM")
            .arg(self.child.id().to_string())
            .status();
        let start = Instant::now();
        while start.elapsed() < Duration::from_secs(10) {
            if let Ok(Some(s)) = self.child.try_wait() {
                return Some(s);
            }
            std::thread::sleep(Duration::from_millis(50));
        }
        None
    }

    /// The process's output so far.
    pub fn output(&self) -> String {
        std::fs::read_to_string(&self.log).unwrap_or_default()
    }
}

impl Drop for Proc {
    fn drop(&mut self) {
        if let Ok(None) = self.child.try_wait() {
            let _ = self.child.kill();
            let _ = self.child.wait();
        }
    }
}

/// The example collector config with the test's data directory and port.
pub const COLLECTOR_TOML: &str = r#"
grace_intervals = 2
# duties every 5 s, not 30 s: a test that waits for the SLA, backup or LAN states waits
# seconds
duty_interval = "5s"
[[agencies]]
id = "diskominfo"
name = "Dinas Komunikasi dan Informatika"
[[agencies]]
id = "dinkes"
name = "Dinas Kesehatan"
[[sites]]
id = "pusat-data"
kind = "pusat-data"
[[sites]]
id = "kantor-dinkes"
kind = "opd-office"
agency = "dinkes"
"#;

/// Top-level config line of the tests' collectors: the tests post LAN topologies
/// seconds apart and expect each change as a version, which production's
/// `lan_version_min_interval` (5 min) would coalesce. A test of the limit sets its own
/// value in `top`, and then this line is left out.
pub const LAN_EVERY_CHANGE: &str = "lan_version_min_interval = \"0s\"\n";

/// Whether the suite runs its collectors on PostgreSQL (`SIMPUL_TEST_STORE=postgres`)
/// instead of the default embedded SQLite.
pub fn on_postgres() -> bool {
    std::env::var("SIMPUL_TEST_STORE").is_ok_and(|v| v == "postgres")
}

/// A fresh, empty PostgreSQL database on the test binary's server (loopback,
/// temporary directory, stopped when the test process ends); its URL.
pub fn postgres_database() -> String {
    simpul_collector::store::pg_server::PgServer::shared()
        .fresh_database()
        .unwrap_or_else(|e| panic!("create a database: {e}"))
}

/// A running collector in a temporary directory.
pub struct Collector {
    pub dir: tempfile::TempDir,
    pub port: u16,
    pub proc: Proc,
    starts: u32,
    /// The PostgreSQL database it uses; None: SQLite in its data directory.
    pub store_url: Option<String>,
}

impl Collector {
    /// Starts a collector with [`COLLECTOR_TOML`] plus `extra` top-level config lines.
    pub fn start(extra: &str) -> Self {
        Self::start_full(extra, "")
    }

    /// Starts a collector with `top` lines before [`COLLECTOR_TOML`] and `tables`
    /// (`[[sla_classes]]` and the like) after it.
    pub fn start_full(top: &str, tables: &str) -> Self {
        Self::start_on(on_postgres().then(postgres_database), top, tables)
    }

    /// Starts a collector on the PostgreSQL database `store_url` (None: SQLite); several
    /// collectors on one URL are replicas.
    pub fn start_on(store_url: Option<String>, top: &str, tables: &str) -> Self {
        Self::start_on_store(store_url, "", top, tables)
    }

    /// [`Self::start_on`] with more `[store]` lines (`ca_file = ...`).
    pub fn start_on_store(
        store_url: Option<String>,
        store_extra: &str,
        top: &str,
        tables: &str,
    ) -> Self {
        let extra = if top.contains("lan_version_min_interval") {
            top.to_owned()
        } else {
            format!("{LAN_EVERY_CHANGE}{top}")
        };
        // the tests that read English texts on the pages get English pages; the tests of
        // the languages (and of the default, Bahasa Indonesia) set `default_language`
        let extra = if top.contains("default_language") {
            extra
        } else {
            format!("default_language = \"en\"\n{extra}")
        };
        let store = match &store_url {
            Some(url) => {
                format!("[store]\nkind = \"postgres\"\nurl = \"{url}\"\n{store_extra}\n")
            }
            None => String::new(),
        };
        let dir = tempfile::tempdir().expect("tempdir");
        let port = free_port();
        let cfg = dir.path().join("collector.toml");
        let data = dir.path().join("data");
        std::fs::write(
            &cfg,
            format!(
                "listen = \"127.0.0.1:{port}\"\ndata_dir = \"{}\"\n{extra}\n{COLLECTOR_TOML}\n{tables}\n{store}",
                data.display()
            ),
        )
        .expect("write config");
        let proc = Proc::spawn(
            "simpul-collector",
            Command::new(bin("simpul-collector"))
                .arg("serve")
                .arg("--config")
                .arg(&cfg)
                .env("SIMPUL_LOG", "info"),
            dir.path().join("collector.log"),
        );
        let mut c = Self {
            dir,
            port,
            proc,
            starts: 1,
            store_url,
        };
        c.wait_ready();
        // the harness reads the JSON API as a Diskominfo admin (see `get`)
        let (code, token, err) = c.cli(&["admin", "add", "--name", "test harness"]);
        assert_eq!(code, 0, "admin add: {err}");
        reader_tokens().insert(port, token.trim().to_owned());
        c
    }

    fn wait_ready(&mut self) {
        let url = self.url("/healthz");
        let tls = read(&self.config_path()).contains("tls_cert_file");
        let start = Instant::now();
        loop {
            // an HTTPS collector is ready when it says so: the harness speaks plain HTTP
            if (tls && self.log().contains("collector listening")) || (!tls && get(&url).0 == 200) {
                return;
            }
            if let Ok(Some(s)) = self.proc.child.try_wait() {
                panic!("collector exited with {s}:\n{}", self.proc.output());
            }
            assert!(
                start.elapsed() < Duration::from_secs(20),
                "collector not ready:\n{}",
                self.proc.output()
            );
            std::thread::sleep(Duration::from_millis(50));
        }
    }

    /// Restarts the collector process (SIGTERM, then start) on the same port and data.
    pub fn restart(&mut self) {
        self.stop();
        self.start_again();
    }

    /// Stops the collector with SIGTERM and waits for it to exit.
    pub fn stop(&mut self) {
        self.proc.terminate();
    }

    /// Kills the collector with SIGKILL: no drain, no clean shutdown.
    pub fn kill(&mut self) {
        let _ = self.proc.child.kill();
        let _ = self.proc.child.wait();
    }

    /// Starts the collector again after [`Self::stop`] or [`Self::kill`].
    pub fn start_again(&mut self) {
        self.starts += 1;
        let cfg = self.config_path();
        self.proc = Proc::spawn(
            "simpul-collector",
            Command::new(bin("simpul-collector"))
                .arg("serve")
                .arg("--config")
                .arg(&cfg)
                .env("SIMPUL_LOG", "info"),
            self.dir
                .path()
                .join(format!("collector{}.log", self.starts)),
        );
        self.wait_ready();
    }

    pub fn config_path(&self) -> PathBuf {
        self.dir.path().join("collector.toml")
    }

    pub fn db_path(&self) -> PathBuf {
        self.dir.path().join("data/simpul.db")
    }

    pub fn url(&self, path: &str) -> String {
        format!("http://127.0.0.1:{}{path}", self.port)
    }

    /// Runs `simpul-collector` with the test's config and returns (status, stdout, stderr).
    pub fn cli(&self, args: &[&str]) -> (i32, String, String) {
        let out = Command::new(bin("simpul-collector"))
            .args(args)
            .arg("--config")
            .arg(self.config_path())
            .output()
            .expect("run simpul-collector");
        (
            out.status.code().unwrap_or(-1),
            String::from_utf8_lossy(&out.stdout).into_owned(),
            String::from_utf8_lossy(&out.stderr).into_owned(),
        )
    }

    /// Enrols an agent and returns its token.
    pub fn enrol(&self, agency: &str, host: &str, site: Option<&str>) -> String {
        let mut args = vec!["agent", "add", "--agency", agency, "--host", host];
        if let Some(s) = site {
            args.extend(["--site", s]);
        }
        let (code, out, err) = self.cli(&args);
        assert_eq!(code, 0, "agent add failed: {err}");
        out.trim().to_owned()
    }

    /// Adds the web user `name` with `args` (`--role admin`, ...) and `password`
    /// (`user add --password-stdin`).
    pub fn add_user(&self, name: &str, args: &[&str], password: &str) {
        use std::io::Write;
        let mut child = Command::new(bin("simpul-collector"))
            .args(["user", "add", name, "--password-stdin", "--config"])
            .arg(self.config_path())
            .args(args)
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .expect("simpul-collector user add");
        child
            .stdin
            .take()
            .expect("stdin")
            .write_all(format!("{password}\n").as_bytes())
            .expect("password");
        let out = child.wait_with_output().expect("user add");
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
    }

    /// Rows in the reports table.
    pub fn stored_reports(&self) -> i64 {
        self.count("SELECT count(*) FROM reports")
    }

    /// The integer a query returns, from whichever database the collector uses.
    pub fn count(&self, sql: &str) -> i64 {
        self.value(sql)
    }

    /// The text a query returns, from whichever database the collector uses.
    pub fn text(&self, sql: &str) -> String {
        self.value(sql)
    }

    /// The first column of the one row a query returns, from whichever database the
    /// collector uses.
    fn value<T>(&self, sql: &str) -> T
    where
        T: rusqlite::types::FromSql + for<'a> postgres::types::FromSql<'a> + Send,
    {
        match &self.store_url {
            Some(url) => simpul_collector::store::pg_server::off_runtime(|| {
                let mut c = postgres::Client::connect(url, postgres::NoTls).expect("connect");
                c.query_one(sql, &[]).expect(sql).get(0)
            }),
            None => {
                let conn = rusqlite::Connection::open(self.db_path()).expect("open db");
                conn.query_row(sql, [], |r| r.get(0)).expect(sql)
            }
        }
    }

    /// What the running collector process logged so far.
    pub fn log(&self) -> String {
        self.proc.output()
    }

    /// A new scrape token (`scrape-token add`), for a Prometheus scraping /metrics.
    pub fn scrape_token(&self) -> String {
        let (code, token, err) = self.cli(&["scrape-token", "add", "--name", "prometheus"]);
        assert_eq!(code, 0, "scrape-token add: {err}");
        token.trim().to_owned()
    }

    /// A Prometheus `scrape_configs` entry for this collector, with a scrape token.
    pub fn scrape_config(&self) -> String {
        format!(
            "scrape_configs:\n  - job_name: simpul\n    authorization:\n      credentials: {}\n    static_configs:\n      - targets: ['127.0.0.1:{}']\n",
            self.scrape_token(),
            self.port
        )
    }

    /// The /metrics text (read with the harness's admin token).
    pub fn metrics(&self) -> String {
        let (code, body) = get(&self.url("/metrics"));
        assert_eq!(code, 200);
        body
    }
}

/// Writes `dir/agent.toml` (collector URL, token file, 1 s interval, state dir, plus
/// `extra` lines) and `dir/agent.token`, then starts `simpul-agent run` logging to
/// `dir/agent.log`.
pub fn start_agent(dir: &Path, collector_url: &str, token: &str, extra: &str) -> Proc {
    std::fs::create_dir_all(dir).expect("agent dir");
    let token_file = dir.join("agent.token");
    std::fs::write(&token_file, token).expect("write token");
    let cfg = dir.join("agent.toml");
    std::fs::write(
        &cfg,
        format!(
            "collector_url = \"{collector_url}\"\ntoken_file = \"{}\"\ninterval_secs = 1\nretry_max_secs = 1\nstate_dir = \"{}\"\n{extra}\n",
            token_file.display(),
            dir.join("state").display()
        ),
    )
    .expect("write agent config");
    Proc::spawn(
        "simpul-agent",
        Command::new(bin("simpul-agent"))
            .args(["run", "--config"])
            .arg(&cfg)
            // debug: one "sampled" line per sample, which the reliability tests count
            .env("SIMPUL_LOG", "debug"),
        dir.join("agent.log"),
    )
}

/// A `[[links]]` entry (collector.toml): Dinas Kesehatan's WAN link `dinkes-wan`,
/// measured from the Pusat Data's `pd-core`, contracted at `capacity_bps`, whose
/// uplink is `device`'s ether1.
pub fn dinkes_wan_link(capacity_bps: u64, device: &str) -> String {
    format!(
        r#"
[[links]]
id = "dinkes-wan"
name = "Dinkes - Pusat Data"
agency = "dinkes"
site = "kantor-dinkes"
a = {{ host = "pd-core", probe = "to-dinkes" }}
capacity_bps = {capacity_bps}
uplink = {{ device = "{device}", interface = "ether1" }}
"#
    )
}

/// The value of the first sample whose line starts with `prefix` (name and labels).
pub fn sample(metrics: &str, prefix: &str) -> Option<f64> {
    metrics
        .lines()
        .find(|l| l.starts_with(prefix))
        .and_then(|l| {
            // `name{labels} value [timestamp]`: the value is the first word after
            // the series (a sample may carry its time, as interface samples do)
            let series_end = l
                .rfind('}')
                .map_or_else(|| l.find(' ').unwrap_or(0), |i| i + 1);
            l[series_end..].split_whitespace().next()?.parse().ok()
        })
}

fn agent() -> ureq::Agent {
    ureq::Agent::config_builder()
        .http_status_as_error(false)
        .timeout_global(Some(Duration::from_secs(30)))
        .build()
        .into()
}

/// The admin token each harness collector (by port) gives `get` for its JSON API.
fn reader_tokens() -> std::sync::MutexGuard<'static, std::collections::HashMap<u16, String>> {
    static TOKENS: std::sync::OnceLock<std::sync::Mutex<std::collections::HashMap<u16, String>>> =
        std::sync::OnceLock::new();
    TOKENS
        .get_or_init(Default::default)
        .lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner)
}

/// The harness's reader token for a `http://127.0.0.1:PORT/api/v1/...`, `/metrics` or
/// report (`/reports/...`, `/agencies/{a}/reports/...`) URL of one of its collectors.
fn reader_token(url: &str) -> Option<String> {
    let rest = url.strip_prefix("http://127.0.0.1:")?;
    let (port, path) = rest.split_once('/')?;
    let report = path.starts_with("reports/")
        || (path.starts_with("agencies/") && path.contains("/reports/"));
    if !path.starts_with("api/v1/") && path != "metrics" && !report {
        return None;
    }
    reader_tokens().get(&port.parse().ok()?).cloned()
}

/// GET; returns (status, body). Connection errors are status 0. The JSON API of a
/// harness collector is read with the harness's admin token (the API needs a reader);
/// [`get_anonymous`] sends none.
pub fn get(url: &str) -> (u16, String) {
    let mut req = agent().get(url);
    if let Some(t) = reader_token(url) {
        req = req.header("authorization", &format!("Bearer {t}"));
    }
    match req.call() {
        Ok(mut r) => (
            r.status().as_u16(),
            r.body_mut().read_to_string().unwrap_or_default(),
        ),
        Err(_) => (0, String::new()),
    }
}

/// [`get`], the body parsed as JSON (a body that is not JSON comes back as a JSON
/// string, so that a failing assertion shows it).
pub fn get_json(url: &str) -> (u16, serde_json::Value) {
    let (code, body) = get(url);
    (
        code,
        serde_json::from_str(&body).unwrap_or(serde_json::Value::String(body)),
    )
}

/// GET with the harness's reader token, as bytes (a workbook, an image); returns
/// (status, body).
pub fn get_bytes(url: &str) -> (u16, Vec<u8>) {
    let mut req = agent().get(url);
    if let Some(t) = reader_token(url) {
        req = req.header("authorization", &format!("Bearer {t}"));
    }
    match req.call() {
        Ok(mut r) => (
            r.status().as_u16(),
            r.body_mut()
                .with_config()
                .limit(64 << 20)
                .read_to_vec()
                .unwrap_or_default(),
        ),
        Err(_) => (0, Vec::new()),
    }
}

/// GET without any credentials; returns (status, body).
pub fn get_anonymous(url: &str) -> (u16, String) {
    match agent().get(url).call() {
        Ok(mut r) => (
            r.status().as_u16(),
            r.body_mut().read_to_string().unwrap_or_default(),
        ),
        Err(_) => (0, String::new()),
    }
}

/// POST with headers; returns (status, body).
pub fn post(url: &str, headers: &[(&str, &str)], body: &[u8]) -> (u16, String) {
    request("POST", url, headers, body)
}

/// Any method with headers and a body (ignored for GET and DELETE); returns (status,
/// body).
pub fn request(method: &str, url: &str, headers: &[(&str, &str)], body: &[u8]) -> (u16, String) {
    let mut http = ureq::http::Request::builder().method(method).uri(url);
    // a GET of the JSON API without credentials of its own reads as the harness admin
    if method == "GET"
        && !headers
            .iter()
            .any(|(k, _)| k.eq_ignore_ascii_case("authorization"))
    {
        if let Some(t) = reader_token(url) {
            http = http.header("authorization", format!("Bearer {t}"));
        }
    }
    let http = headers
        .iter()
        .fold(http, |r, (k, v)| r.header(*k, *v))
        .body(body.to_vec())
        .expect("request");
    match agent().run(http) {
        Ok(mut r) => (
            r.status().as_u16(),
            r.body_mut().read_to_string().unwrap_or_default(),
        ),
        Err(e) => panic!("{method} {url}: {e}"),
    }
}

/// Gzip-compresses bytes.
pub fn gzip(data: &[u8]) -> Vec<u8> {
    use std::io::Write;
    let mut e = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
    e.write_all(data).expect("gzip");
    e.finish().expect("gzip")
}

/// Reads a whole file to a string.
pub fn read(path: &Path) -> String {
    let mut s = String::new();
    std::fs::File::open(path)
        .and_then(|mut f| f.read_to_string(&mut s))
        .map(|_| s)
        .unwrap_or_default()
}

/// Runs a command to its end and returns its standard output; panics with the command,
/// its exit status and its output when it cannot start or fails.
pub fn run(cmd: &mut Command) -> String {
    let out = cmd.output().unwrap_or_else(|e| panic!("{cmd:?}: {e}"));
    assert!(
        out.status.success(),
        "{cmd:?}: {}\n{}{}",
        out.status,
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout).into_owned()
}

/// The agent id inside a token (`smp1_<id>_<secret>`).
pub fn agent_id(token: &str) -> String {
    let rest = token.strip_prefix("smp1_").expect("token prefix");
    rest.rsplit_once('_').expect("token form").0.to_owned()
}

/// The path of `tool` on PATH; a test that needs it fails naming the Debian package
/// scripts/test.sh installs.
pub fn need(tool: &str) -> PathBuf {
    let out = Command::new("sh")
        .arg("-c")
        .arg(format!("command -v {tool}"))
        .output()
        .expect("sh");
    let package = match tool {
        "prometheus" | "promtool" => "prometheus",
        "amtool" | "alertmanager" => "prometheus-alertmanager",
        "pdftotext" | "pdfinfo" | "pdftoppm" => "poppler-utils",
        "dot" => "graphviz",
        "rpm" | "rpmbuild" => "rpm",
        "xz" => "xz-utils",
        "unshare" => "util-linux",
        other => other,
    };
    assert!(
        out.status.success(),
        "{tool} not installed: scripts/test.sh installs it (Debian package {package})"
    );
    String::from_utf8_lossy(&out.stdout).trim().into()
}

/// `promtool check metrics` on an exposition: fails the test when promtool refuses it,
/// and returns what it said (its lint warnings, which a test may look into).
pub fn promtool_check_metrics(metrics: &str) -> String {
    use std::io::Write;
    let mut child = Command::new(need("promtool"))
        .args(["check", "metrics"])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("run promtool");
    child
        .stdin
        .take()
        .expect("promtool stdin")
        .write_all(metrics.as_bytes())
        .expect("write to promtool");
    let out = child.wait_with_output().expect("promtool output");
    let said = format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(
        out.status.success(),
        "promtool check metrics failed:\n{said}"
    );
    said
}

/// A real Prometheus (Debian package) on a free loopback port, with `config` (YAML)
/// and its storage in `dir`; returns the process and the port.
pub fn start_prometheus(dir: &Path, config: &str) -> (Proc, u16) {
    let cfg = dir.join("prometheus.yml");
    std::fs::write(&cfg, config).expect("write prometheus.yml");
    let port = free_port();
    let proc = Proc::spawn(
        "prometheus",
        Command::new(need("prometheus"))
            .arg(format!("--config.file={}", cfg.display()))
            .arg(format!(
                "--storage.tsdb.path={}",
                dir.join("data").display()
            ))
            .arg(format!("--web.listen-address=127.0.0.1:{port}"))
            .arg("--log.level=warn"),
        dir.join("prometheus.log"),
    );
    (proc, port)
}
