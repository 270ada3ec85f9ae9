//! What the agent's executables share: the common options, loading the config, the
//! host name, logging, exit codes, and running the discovery helper.

use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::Context;

use crate::config::AgentConfig;

#[derive(clap::Args)]
pub struct Common {
    /// Config file (agent.toml). Without it, `once` uses defaults; `run` requires it.
    #[arg(long, short)]
    pub config: Option<PathBuf>,
    /// Collector base URL, overriding collector_url.
    #[arg(long)]
    pub collector: Option<String>,
    /// Token file, overriding token_file.
    #[arg(long)]
    pub token_file: Option<PathBuf>,
}

/// The options of `discover` (the daemon's subcommand hands them to the helper as
/// they are, so both parse the same definition).
#[derive(clap::Args)]
pub struct DiscoverArgs {
    #[command(flatten)]
    pub common: Common,
    /// json (devices, links, hash, errors, stats, snmp) or dot (Graphviz).
    #[arg(long, default_value = "json")]
    pub format: String,
}

/// The options of `snmp-poll` (shared by the daemon and the helper, as above).
#[derive(clap::Args)]
pub struct SnmpPollArgs {
    #[command(flatten)]
    pub common: Common,
    /// Walk only these tables (comma-separated, e.g. ifTable,ifXTable,lldpRemTable);
    /// default all.
    #[arg(long)]
    pub tables: Option<String>,
}

/// Exit code for an unusable config file or command line.
const EXIT_CONFIG: u8 = 2;

/// Marks errors that are the user's config or arguments (exit code 2).
#[derive(Debug, thiserror::Error)]
#[error("{0}")]
pub struct ConfigFailure(pub String);

pub fn load(common: &Common, required: bool) -> anyhow::Result<AgentConfig> {
    let mut cfg = match &common.config {
        Some(path) => AgentConfig::load(path).map_err(|e| ConfigFailure(e.to_string()))?,
        None if required => {
            return Err(ConfigFailure("--config FILE is required for `run`".into()).into())
        }
        None => AgentConfig::default(),
    };
    if let Some(url) = &common.collector {
        cfg.collector_url = url.clone();
    }
    if let Some(t) = &common.token_file {
        cfg.token_file = t.clone();
    }
    let problems = cfg.problems();
    if !problems.is_empty() {
        return Err(ConfigFailure(format!(
            "invalid settings:\n  - {}",
            problems.join("\n  - ")
        ))
        .into());
    }
    Ok(cfg)
}

/// The configured host name, or the kernel's.
pub fn hostname(cfg: &AgentConfig) -> anyhow::Result<String> {
    Ok(match &cfg.hostname {
        Some(h) => h.clone(),
        None => {
            let path = cfg.procfs.join("sys/kernel/hostname");
            std::fs::read_to_string(&path)
                .with_context(|| {
                    format!(
                        "cannot read the host name from {}; set hostname in the config",
                        path.display()
                    )
                })?
                .trim()
                .to_owned()
        }
    })
}

/// Sets up logging to stderr. SIMPUL_LOG is a level (error, warn, info, debug,
/// trace); a plain level filter keeps the regex engine of EnvFilter out of memory.
pub fn init_logging() {
    let level = std::env::var("SIMPUL_LOG")
        .ok()
        .and_then(|v| v.parse::<tracing_subscriber::filter::LevelFilter>().ok())
        .unwrap_or(tracing_subscriber::filter::LevelFilter::INFO);
    // the SNMP library's own lines repeat what the agent reports about a device in
    // one clear line; they show at debug level
    let snmp_level = if level >= tracing_subscriber::filter::LevelFilter::DEBUG {
        level
    } else {
        tracing_subscriber::filter::LevelFilter::OFF
    };
    let filter = tracing_subscriber::filter::Targets::new()
        .with_default(level)
        .with_target("async_snmp", snmp_level);
    {
        use tracing_subscriber::layer::SubscriberExt;
        use tracing_subscriber::util::SubscriberInitExt;
        tracing_subscriber::registry()
            .with(
                tracing_subscriber::fmt::layer()
                    .with_writer(std::io::stderr)
                    .with_ansi(std::io::IsTerminal::is_terminal(&std::io::stderr())),
            )
            .with(filter)
            .init();
    }
}

/// The exit code of a command's result, printing the error as `name: ...`.
pub fn exit_code(name: &str, result: anyhow::Result<()>) -> ExitCode {
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("{name}: {e:#}");
            if e.is::<ConfigFailure>() {
                ExitCode::from(EXIT_CONFIG)
            } else {
                ExitCode::FAILURE
            }
        }
    }
}

/// The discovery helper next to this executable.
pub fn helper_path() -> PathBuf {
    std::env::current_exe()
        .ok()
        .and_then(|p| p.parent().map(|d| d.join(HELPER)))
        .unwrap_or_else(|| PathBuf::from(HELPER))
}

/// The discovery helper's file name.
pub const HELPER: &str = "simpul-agent-discover";

/// Replaces this process with the discovery helper, same arguments; returns only the
/// error when that fails.
pub fn exec_helper() -> anyhow::Error {
    use std::os::unix::process::CommandExt;
    let path = helper_path();
    let e = std::process::Command::new(&path)
        .args(std::env::args_os().skip(1))
        .exec();
    anyhow::anyhow!(
        "cannot run {} ({e}); it is installed next to simpul-agent",
        path.display()
    )
}
