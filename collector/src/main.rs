//! simpul-collector: the central service of Simpul.

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use clap::{Parser, Subcommand};
use simpul_collector::config::CollectorConfig;
use simpul_collector::store;
use simpul_protocol::{is_valid_hostname, is_valid_id, HOSTNAME_RULE, ID_RULE};

/// Where `--config` points when not given.
mod user_cli;

const DEFAULT_CONFIG: &str = "/etc/simpul/collector.toml";

#[derive(Parser)]
#[command(
    name = "simpul-collector",
    version,
    about = "Simpul collector: inventory, duties and metrics for agents' reports"
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Serve the API and /metrics.
    Serve {
        #[command(flatten)]
        common: Common,
        /// Address to listen on, overriding `listen`.
        #[arg(long)]
        listen: Option<String>,
    },
    /// Validate a config file and report every problem.
    CheckConfig {
        /// The collector.toml to check.
        file: PathBuf,
    },
    /// Enrol, list, revoke and rotate agents.
    Agent {
        #[command(subcommand)]
        command: AgentCommand,
    },
    /// Administrators: tokens for the admin API (maintenance windows, ...).
    Admin {
        #[command(subcommand)]
        command: AdminCommand,
    },
    /// Scrape tokens: bearer tokens for Prometheus that read /metrics and nothing else.
    ScrapeToken {
        #[command(subcommand)]
        command: ScrapeTokenCommand,
    },
    /// Users of the web pages and the JSON API (admin, or one agency's staff).
    User {
        #[command(subcommand)]
        command: user_cli::UserCommand,
    },
    /// Backup obligations (check-in tokens, restore tests); with --out or --out-dir, an
    /// online copy of the collector's own database.
    #[command(args_conflicts_with_subcommands = true)]
    Backup {
        #[command(subcommand)]
        command: Option<BackupCommand>,
        #[command(flatten)]
        own: OwnBackup,
    },
    /// Put a copy made by `backup --out` back in place (the collector stopped); the
    /// database it replaces is kept beside it.
    Restore {
        #[command(flatten)]
        common: Common,
        /// The backup file to restore.
        #[arg(long)]
        from: PathBuf,
        /// Restore even though a collector seems to be running on the data directory.
        #[arg(long)]
        force: bool,
    },
    /// SLA reports, computed offline from the database.
    Sla {
        #[command(subcommand)]
        command: SlaCommand,
    },
    /// The compliance report of a month, quarter or year as PDF (or XLSX), computed
    /// offline from the database: what GET /reports/{period}.pdf serves.
    Report {
        #[command(flatten)]
        common: Common,
        /// YYYY (a year), YYYY-Qn (a quarter) or YYYY-MM (a month).
        #[arg(long)]
        period: String,
        /// Only this agency.
        #[arg(long)]
        agency: Option<String>,
        /// Write the report to this file: NAME.pdf, or NAME.xlsx for the workbook.
        #[arg(long)]
        out: PathBuf,
        /// The report's language: id (Bahasa Indonesia) or en (English); default: the
        /// collector's default_language.
        #[arg(long)]
        lang: Option<String>,
    },
}

#[derive(Subcommand)]
enum AgentCommand {
    /// Enrol an agent; prints its token once (on stdout), stores only a hash.
    Add {
        #[command(flatten)]
        common: Common,
        /// Agency (OPD) id the agent reports for.
        #[arg(long)]
        agency: String,
        /// Host name the agent reports as.
        #[arg(long)]
        host: String,
        /// Site id the host is at.
        #[arg(long)]
        site: Option<String>,
        /// Print a short-lived, single-use enrolment code instead of the token; on the
        /// host, `simpul-agent enroll --collector URL --code CODE` exchanges it.
        #[arg(long)]
        enroll_code: bool,
        /// How long the code is valid (e.g. 30m, 24h, 7d; at most 7d).
        #[arg(long, default_value = "24h", requires = "enroll_code")]
        code_valid: String,
    },
    /// List enrolled agents.
    List {
        #[command(flatten)]
        common: Common,
    },
    /// Revoke an agent's token; its reports are refused from then on.
    Revoke {
        #[command(flatten)]
        common: Common,
        /// The agent id (from `agent list`).
        id: String,
    },
    /// Give an agent a new token (printed once); the old token is refused at once.
    Rotate {
        #[command(flatten)]
        common: Common,
        /// The agent id (from `agent list`).
        id: String,
    },
}

#[derive(Subcommand)]
enum AdminCommand {
    /// Create an administrator; prints the token once.
    Add {
        #[command(flatten)]
        common: Common,
        /// Who it is, e.g. "Budi, Diskominfo NOC".
        #[arg(long)]
        name: String,
    },
    /// List administrators.
    List {
        #[command(flatten)]
        common: Common,
    },
    /// Revoke an administrator's token.
    Revoke {
        #[command(flatten)]
        common: Common,
        /// The admin id (from `admin list`).
        id: String,
    },
}

#[derive(Subcommand)]
enum ScrapeTokenCommand {
    /// Create a scrape token; prints it once (on stdout), stores only a hash.
    Add {
        #[command(flatten)]
        common: Common,
        /// What scrapes with it, e.g. "prometheus-noc".
        #[arg(long)]
        name: String,
    },
    /// List scrape tokens.
    List {
        #[command(flatten)]
        common: Common,
    },
    /// Revoke a scrape token; /metrics refuses it from then on.
    Revoke {
        #[command(flatten)]
        common: Common,
        /// The token id (from `scrape-token list`).
        id: String,
    },
}

#[derive(Subcommand)]
enum BackupCommand {
    /// Record a restore test of an obligation's backup.
    RestoreTest {
        #[command(flatten)]
        common: Common,
        /// The obligation id of collector.toml.
        obligation: String,
        /// Who did the test.
        #[arg(long)]
        who: String,
        /// ok or fail.
        #[arg(long)]
        result: String,
        /// When (RFC 3339); default now.
        #[arg(long)]
        at: Option<String>,
        /// What was restored and checked.
        #[arg(long, default_value = "")]
        notes: String,
    },
    /// Print a (new) check-in token for an obligation; the previous one stops working.
    Token {
        #[command(flatten)]
        common: Common,
        /// The obligation id of collector.toml.
        obligation: String,
    },
}

/// `backup --out FILE` / `backup --out-dir DIR [--keep N]`.
#[derive(clap::Args)]
struct OwnBackup {
    #[command(flatten)]
    common: Common,
    /// Write the copy to this new file (never overwritten).
    #[arg(long, conflicts_with = "out_dir")]
    out: Option<PathBuf>,
    /// Write the copy into this directory as simpul-YYYYMMDDTHHMMSSZ.db (UTC).
    #[arg(long)]
    out_dir: Option<PathBuf>,
    /// With --out-dir: keep only the newest N copies there (simpul-*.db).
    #[arg(long, requires = "out_dir", value_parser = clap::value_parser!(u32).range(1..))]
    keep: Option<u32>,
}

#[derive(Subcommand)]
enum SlaCommand {
    /// Print the availability of every host with an SLA class for one period.
    Report {
        #[command(flatten)]
        common: Common,
        /// YYYY-MM (month), YYYY-MM-DD, YYYY-Qn or YYYY; default: the current month.
        #[arg(long)]
        period: Option<String>,
        /// json or csv.
        #[arg(long, default_value = "json")]
        format: String,
        /// Only this agency.
        #[arg(long)]
        agency: Option<String>,
    },
}

#[derive(clap::Args)]
struct Common {
    /// Config file. Default /etc/simpul/collector.toml; defaults are used when that
    /// default file does not exist.
    #[arg(long, short)]
    config: Option<PathBuf>,
    /// Data directory, overriding `data_dir`.
    #[arg(long)]
    data_dir: Option<PathBuf>,
}

const POSTGRES_BACKUP: &str = "store.kind = \"postgres\": back the database up with PostgreSQL's own tools, e.g. pg_dump --format=custom --file=simpul.dump \"$URL\", and restore with pg_restore --clean --if-exists --dbname=\"$URL\" simpul.dump (docs/security.md)";

/// `simpul-collector backup --out FILE | --out-dir DIR [--keep N]`.
fn own_backup(own: OwnBackup) -> anyhow::Result<()> {
    let cfg = load(&own.common)?;
    if !cfg.store.is_sqlite() {
        return Err(UsageError(POSTGRES_BACKUP.into()).into());
    }
    let out = match (&own.out, &own.out_dir) {
        (Some(f), _) => f.clone(),
        (None, Some(dir)) => {
            std::fs::create_dir_all(dir)
                .map_err(|e| UsageError(format!("--out-dir {}: {e}", dir.display())))?;
            let t = simpul_collector::now_seconds() as i64;
            let (y, m, d) = simpul_collector::sla::period::civil_from_days(t.div_euclid(86400));
            let s = t.rem_euclid(86400);
            dir.join(format!(
                "simpul-{y:04}{m:02}{d:02}T{:02}{:02}{:02}Z.db",
                s / 3600,
                s / 60 % 60,
                s % 60
            ))
        }
        (None, None) => {
            return Err(UsageError(
                "backup: say where the copy goes (--out FILE or --out-dir DIR), or name a subcommand (token, restore-test); see --help"
                    .into(),
            )
            .into())
        }
    };
    let started = std::time::Instant::now();
    let summary = store::backup::backup(&cfg.data_dir, &out).map_err(|e| match e {
        store::backup::BackupError::Io { .. } | store::backup::BackupError::Sqlite(_) => {
            anyhow::Error::from(e)
        }
        e => UsageError(e.to_string()).into(),
    })?;
    println!("{}", out.display());
    eprintln!(
        "backed up {} to {} in {:.2} s ({summary})",
        cfg.data_dir.display(),
        out.display(),
        started.elapsed().as_secs_f64()
    );
    if let (Some(dir), Some(keep)) = (&own.out_dir, own.keep) {
        let mut copies: Vec<PathBuf> = std::fs::read_dir(dir)?
            .filter_map(|e| e.ok().map(|e| e.path()))
            .filter(|p| {
                p.file_name()
                    .and_then(|n| n.to_str())
                    .is_some_and(|n| n.starts_with("simpul-") && n.ends_with("Z.db"))
            })
            .collect();
        // the names sort by time
        copies.sort();
        let excess = copies.len().saturating_sub(keep as usize);
        for old in &copies[..excess] {
            std::fs::remove_file(old)?;
            eprintln!("removed the old copy {}", old.display());
        }
    }
    Ok(())
}

/// `simpul-collector report --period P [--agency A] --out FILE [--lang id|en]`.
fn report(
    common: &Common,
    period: &str,
    agency: Option<&str>,
    out: &Path,
    lang: Option<&str>,
) -> anyhow::Result<()> {
    use simpul_collector::i18n::{Lang, LANG_RULE};
    use simpul_collector::report::{self, data, Format};
    let started = std::time::Instant::now();
    let cfg = load(common)?;
    let p = report::parse_period(period).map_err(|e| UsageError(format!("--{e}")))?;
    let lang = match lang {
        None => cfg.language(),
        Some(l) => {
            Lang::parse(l).ok_or_else(|| UsageError(format!("--lang {l:?}: {LANG_RULE}")))?
        }
    };
    let format = match out.extension().and_then(|e| e.to_str()) {
        Some(e) if e.eq_ignore_ascii_case("pdf") => Format::Pdf,
        Some(e) if e.eq_ignore_ascii_case("xlsx") => Format::Xlsx,
        _ => {
            return Err(UsageError(format!(
                "--out {:?}: name the file NAME.pdf for the PDF or NAME.xlsx for the workbook",
                out.display().to_string()
            ))
            .into())
        }
    };
    if let Some(a) = agency {
        cfg.check_binding(a, None)
            .map_err(|e| UsageError(format!("--agency: {e}")))?;
    }
    let conn = store::open(&cfg.store, &cfg.data_dir)?;
    let fleet = simpul_collector::state::Fleet::from_loaded(store::load_fleet(&conn)?);
    let hosts = fleet.snapshot();
    let now = simpul_collector::now_seconds();
    let duties = simpul_collector::duties::Duties::compute(&conn, &cfg, now)?;
    let i = data::Inputs {
        cfg: &cfg,
        duties: &duties,
        hosts: &hosts,
        period: p,
        agency,
        now,
        lang,
        lists: format == Format::Xlsx,
    };
    let d = data::collect(&conn, &i).map_err(|e| match e {
        data::GatherError::Nothing => {
            anyhow::Error::from(UsageError(report::labels::nothing_for(&p.to_string())))
        }
        e => anyhow::Error::from(e),
    })?;
    let bytes = report::render(&d, format).map_err(anyhow::Error::msg)?;
    // written beside the target and renamed: a reader never sees half a report
    let name = out
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    let tmp = out.with_file_name(format!(".{name}.{}.part", std::process::id()));
    let write = || -> std::io::Result<()> {
        let mut f = std::fs::File::create(&tmp)?;
        std::io::Write::write_all(&mut f, &bytes)?;
        f.sync_all()?;
        std::fs::rename(&tmp, out)
    };
    write().map_err(|e| {
        let _ = std::fs::remove_file(&tmp);
        UsageError(format!("--out {}: {e}", out.display()))
    })?;
    println!("{}", out.display());
    eprintln!(
        "report {p}{} in {} written to {} ({} bytes) in {:.2} s",
        agency.map(|a| format!(" of {a}")).unwrap_or_default(),
        lang.own_name(),
        out.display(),
        bytes.len(),
        started.elapsed().as_secs_f64()
    );
    Ok(())
}

/// `--name` of an admin or scrape token: trimmed, 1 to 200 bytes.
fn token_name<'n>(name: &'n str, what: &str) -> Result<&'n str, UsageError> {
    let name = name.trim();
    if name.is_empty() || name.len() > 200 {
        return Err(UsageError(format!("--name: {what}, 1 to 200 bytes")));
    }
    Ok(name)
}

/// `admin list`, `scrape-token list`: id, name, state.
fn print_tokens(rows: Vec<store::AdminRow>) {
    println!("{:<14} {:<40} STATE", "ID", "NAME");
    for (id, name, _, revoked) in rows {
        let state = if revoked.is_some() {
            "revoked"
        } else {
            "active"
        };
        println!("{id:<14} {name:<40} {state}");
    }
}

/// Exit code for an unusable config file or command line.
const EXIT_CONFIG: u8 = 2;

/// Errors that are the user's input (exit code 2).
#[derive(Debug, thiserror::Error)]
#[error("{0}")]
struct UsageError(String);

fn main() -> ExitCode {
    tracing_subscriber::fmt()
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_env("SIMPUL_LOG")
                .unwrap_or_else(|_| "info".into()),
        )
        .with_writer(std::io::stderr)
        .with_ansi(std::io::IsTerminal::is_terminal(&std::io::stderr()))
        .init();
    match run(Cli::parse()) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("simpul-collector: {e:#}");
            if e.is::<UsageError>() {
                ExitCode::from(EXIT_CONFIG)
            } else {
                ExitCode::FAILURE
            }
        }
    }
}

fn load(common: &Common) -> anyhow::Result<CollectorConfig> {
    let mut cfg = match &common.config {
        Some(p) => CollectorConfig::load(p).map_err(|e| UsageError(e.to_string()))?,
        None if Path::new(DEFAULT_CONFIG).exists() => {
            CollectorConfig::load(Path::new(DEFAULT_CONFIG))
                .map_err(|e| UsageError(e.to_string()))?
        }
        None => {
            tracing::info!(
                "{DEFAULT_CONFIG} not found; using built-in defaults (no agencies declared)"
            );
            CollectorConfig::default()
        }
    };
    if let Some(d) = &common.data_dir {
        cfg.data_dir = d.clone();
    }
    if let Some((uid, gid)) = simpul_collector::owner::adopt_data_dir_owner(&cfg.data_dir)? {
        tracing::info!(
            "running as uid {uid} gid {gid}, the owner of {}",
            cfg.data_dir.display()
        );
    }
    Ok(cfg)
}

/// Opens the database of `common`'s config, for commands that need nothing else of it.
pub(crate) fn open_store(common: &Common) -> anyhow::Result<store::Db> {
    let cfg = load(common)?;
    Ok(store::open(&cfg.store, &cfg.data_dir)?)
}

fn run(cli: Cli) -> anyhow::Result<()> {
    match cli.command {
        Command::CheckConfig { file } => {
            CollectorConfig::load(&file).map_err(|e| UsageError(e.to_string()))?;
            println!("{}: ok", file.display());
        }
        Command::Backup {
            command:
                Some(BackupCommand::RestoreTest {
                    common,
                    obligation,
                    who,
                    result,
                    at,
                    notes,
                }),
            ..
        } => {
            let cfg = load(&common)?;
            let conn = store::open(&cfg.store, &cfg.data_dir)?;
            simpul_collector::backups::find(&conn, &cfg.backup_settings(), &obligation)?
                .map_err(UsageError)?;
            let user = std::env::var("USER").unwrap_or_else(|_| "cli".into());
            let body: simpul_collector::api::backups::RestoreBody = serde_json::from_value(
                serde_json::json!({"who": who, "result": result, "at": at, "notes": notes}),
            )?;
            let t = simpul_collector::api::backups::restore_test(
                body,
                format!("cli ({user})"),
                simpul_collector::now_seconds(),
            )
            .map_err(|v| {
                let lines: Vec<_> = v
                    .iter()
                    .map(|v| format!("--{}: {}", v.field, v.rule))
                    .collect();
                UsageError(lines.join("\n"))
            })?;
            store::add_restore_test(&conn, &obligation, &t)?;
            eprintln!("restore test of {obligation} recorded ({})", t.result);
        }
        Command::Backup {
            command: Some(BackupCommand::Token { common, obligation }),
            ..
        } => {
            let cfg = load(&common)?;
            let conn = store::open(&cfg.store, &cfg.data_dir)?;
            simpul_collector::backups::find(&conn, &cfg.backup_settings(), &obligation)?
                .map_err(UsageError)?;
            println!("{}", store::backup_token(&conn, &obligation)?);
            eprintln!("check-in token for {obligation} printed on stdout (shown once)");
        }
        Command::Backup { command: None, own } => own_backup(own)?,
        Command::Restore {
            common,
            from,
            force,
        } => {
            let cfg = load(&common)?;
            if !cfg.store.is_sqlite() {
                return Err(UsageError(POSTGRES_BACKUP.into()).into());
            }
            let (summary, kept) = store::backup::restore(
                &cfg.data_dir,
                &from,
                force,
                simpul_collector::now_seconds(),
            )
            .map_err(|e| match e {
                store::backup::BackupError::Io { .. } | store::backup::BackupError::Sqlite(_) => {
                    anyhow::Error::from(e)
                }
                e => UsageError(e.to_string()).into(),
            })?;
            eprintln!(
                "restored {} into {} ({summary}){}",
                from.display(),
                cfg.data_dir.display(),
                kept.map_or(String::new(), |k| format!(
                    "; the database it replaced is kept as {}",
                    k.display()
                ))
            );
        }
        Command::User { command } => user_cli::run(command)?,
        Command::ScrapeToken { command } => match command {
            ScrapeTokenCommand::Add { common, name } => {
                let name = token_name(&name, "say what scrapes with it")?;
                let conn = open_store(&common)?;
                let (id, token) = store::add_scrape_token(&conn, name)?;
                println!("{token}");
                eprintln!(
                    "scrape token {id} ({name}) created; the token above is shown once. In prometheus.yml: authorization: {{credentials_file: /etc/prometheus/simpul.token}}"
                );
            }
            ScrapeTokenCommand::List { common } => {
                print_tokens(store::list_scrape_tokens(&open_store(&common)?)?);
            }
            ScrapeTokenCommand::Revoke { common, id } => {
                let conn = open_store(&common)?;
                if !store::revoke_scrape_token(&conn, &id)? {
                    return Err(UsageError(format!(
                        "no active scrape token with id {id:?}; see `simpul-collector scrape-token list`"
                    ))
                    .into());
                }
                eprintln!("revoked scrape token {id}");
            }
        },
        Command::Admin { command } => match command {
            AdminCommand::Add { common, name } => {
                let name = token_name(&name, "say who this is")?;
                let conn = open_store(&common)?;
                let (id, token) = store::add_admin(&conn, name)?;
                println!("{token}");
                eprintln!("admin {id} ({name}) created; the token above is shown once");
            }
            AdminCommand::List { common } => {
                print_tokens(store::list_admins(&open_store(&common)?)?);
            }
            AdminCommand::Revoke { common, id } => {
                let conn = open_store(&common)?;
                if !store::revoke_admin(&conn, &id)? {
                    return Err(UsageError(format!(
                        "no active admin with id {id:?}; see `simpul-collector admin list`"
                    ))
                    .into());
                }
                eprintln!("revoked admin {id}");
            }
        },
        Command::Sla {
            command:
                SlaCommand::Report {
                    common,
                    period,
                    format,
                    agency,
                },
        } => {
            use simpul_collector::sla::{period, report};
            let cfg = load(&common)?;
            let zone = cfg.zone();
            let p = match &period {
                Some(s) => period::Period::parse(s).ok_or_else(|| {
                    UsageError(format!("--period {s:?}: {}", period::PERIOD_RULE))
                })?,
                None => period::Period::containing(
                    period::PeriodKind::Month,
                    simpul_collector::now_seconds() as i64,
                    zone,
                ),
            };
            let csv = match format.as_str() {
                "json" => false,
                "csv" => true,
                _ => {
                    return Err(
                        UsageError(format!("--format {format:?}: must be json or csv")).into(),
                    )
                }
            };
            if let Some(a) = &agency {
                cfg.check_binding(a, None).map_err(UsageError)?;
            }
            let conn = store::open(&cfg.store, &cfg.data_dir)?;
            let r = report::report(
                &conn,
                &cfg.sla_settings(),
                &p,
                simpul_collector::now_seconds(),
                agency.as_deref(),
            )?;
            if csv {
                print!("{}", report::to_csv(&r));
            } else {
                println!("{}", serde_json::to_string_pretty(&r)?);
            }
        }
        Command::Report {
            common,
            period,
            agency,
            out,
            lang,
        } => report(&common, &period, agency.as_deref(), &out, lang.as_deref())?,
        Command::Serve { common, listen } => {
            let mut cfg = load(&common)?;
            if let Some(l) = listen {
                cfg.listen = l;
            }
            let problems = cfg.problems();
            if !problems.is_empty() {
                return Err(UsageError(format!(
                    "invalid settings:\n  - {}",
                    problems.join("\n  - ")
                ))
                .into());
            }
            let rt = tokio::runtime::Builder::new_multi_thread()
                .enable_all()
                .build()?;
            rt.block_on(simpul_collector::serve::serve(cfg))?;
        }
        Command::Agent {
            command:
                AgentCommand::Add {
                    common,
                    agency,
                    host,
                    site,
                    enroll_code,
                    code_valid,
                },
        } => {
            let cfg = load(&common)?;
            let mut problems = Vec::new();
            let valid_secs = simpul_collector::sla::config::parse_duration(&code_valid)
                .filter(|s| (60..=7 * 86_400).contains(s));
            if enroll_code && valid_secs.is_none() {
                problems.push(format!(
                    "--code-valid {code_valid:?}: a duration from 1m to 7d, e.g. 30m, 24h, 7d"
                ));
            }
            if !is_valid_id(&agency) {
                problems.push(format!("--agency {agency:?}: {ID_RULE}"));
            }
            if !is_valid_hostname(&host) {
                problems.push(format!("--host {host:?}: {HOSTNAME_RULE}"));
            }
            if problems.is_empty() {
                if let Err(e) = cfg.check_binding(&agency, site.as_deref()) {
                    problems.push(e);
                }
            }
            if !problems.is_empty() {
                return Err(UsageError(problems.join("\n")).into());
            }
            let conn = store::open(&cfg.store, &cfg.data_dir)?;
            let (b, token) =
                store::add_agent(&conn, &agency, &host, site.as_deref()).map_err(|e| match e {
                    store::StoreError::Conflict(m) => UsageError(m).into(),
                    e => anyhow::Error::from(e),
                })?;
            let at_site = b
                .site
                .as_deref()
                .map(|s| format!(" at site {s}"))
                .unwrap_or_default();
            if let (true, Some(secs)) = (enroll_code, valid_secs) {
                drop(token); // the agent gets a fresh one for its code
                let now = simpul_collector::now_seconds();
                let code = store::enroll::create_code(&conn, &b.id, secs as f64, now)?;
                eprintln!(
                    "enrolled agent {} for host {} of agency {}{at_site}; the code below is valid \
                     once, for {code_valid}; on the host run\n  simpul-agent enroll --collector URL \
                     --code CODE",
                    b.id, b.host, b.agency
                );
                println!("{code}");
            } else {
                eprintln!(
                    "enrolled agent {} for host {} of agency {}{at_site}; the token below is shown \
                     only once:",
                    b.id, b.host, b.agency
                );
                println!("{token}");
            }
        }
        Command::Agent {
            command: AgentCommand::List { common },
        } => {
            let conn = open_store(&common)?;
            println!(
                "{:<14} {:<16} {:<24} {:<16} STATE",
                "ID", "AGENCY", "HOST", "SITE"
            );
            for a in store::list_agents(&conn)? {
                let b = &a.binding;
                let state = if a.revoked_at.is_some() {
                    "revoked"
                } else {
                    "active"
                };
                println!(
                    "{:<14} {:<16} {:<24} {:<16} {state}",
                    b.id,
                    b.agency,
                    b.host,
                    b.site.as_deref().unwrap_or("-")
                );
            }
        }
        Command::Agent {
            command: AgentCommand::Revoke { common, id },
        } => {
            let conn = open_store(&common)?;
            if !store::revoke_agent(&conn, &id)? {
                return Err(UsageError(format!(
                    "no active agent with id {id:?}; see `simpul-collector agent list`"
                ))
                .into());
            }
            eprintln!(
                "revoked agent {id}; the collector refuses its token from the next request on"
            );
        }
        Command::Agent {
            command: AgentCommand::Rotate { common, id },
        } => {
            let conn = open_store(&common)?;
            let Some(token) = store::rotate_agent(&conn, &id)? else {
                return Err(UsageError(format!(
                    "no active agent with id {id:?}; see `simpul-collector agent list`"
                ))
                .into());
            };
            println!("{token}");
            eprintln!(
                "new token for agent {id} printed on stdout (shown once); the old token is refused from now on: \
                 put the new one in the agent's token_file and restart it"
            );
        }
    }
    Ok(())
}
