//! simpul-agent-discover: LAN discovery in a process of its own. `simpul-agent
//! discover` and `snmp-poll` run it; the daemon runs `lan` every discovery interval and
//! reads its JSON. Keeping discovery (sweeps, SNMP, the OUI table, an async runtime)
//! out of the daemon's binary keeps the daemon's resident memory small.

use std::collections::BTreeMap;
use std::net::IpAddr;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use clap::{Parser, Subcommand};
use simpul_agent::cli::{hostname, load, Common, ConfigFailure, DiscoverArgs, SnmpPollArgs};
use simpul_agent::config::AgentConfig;
use simpul_agent::discovery;

#[derive(Parser)]
#[command(
    name = "simpul-agent-discover",
    version,
    about = "Simpul agent's LAN discovery (run by simpul-agent)"
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Discover the LAN once and print the topology (as `simpul-agent discover`).
    Discover(DiscoverArgs),
    /// Poll the configured SNMP devices once (as `simpul-agent snmp-poll`).
    SnmpPoll(SnmpPollArgs),
    /// One discovery for the daemon: its result as JSON on stdout.
    #[command(hide = true)]
    Lan {
        #[command(flatten)]
        common: Common,
        /// Names found by earlier discoveries (kept when a lookup times out).
        #[arg(long)]
        names_file: Option<PathBuf>,
    },
    /// The interface counters for the daemon: each poll of each device as a line of
    /// JSON on stdout, for ever (until the daemon is gone).
    #[command(hide = true)]
    Traffic {
        #[command(flatten)]
        common: Common,
    },
}

fn main() -> ExitCode {
    simpul_agent::cli::init_logging();
    let cli = Cli::parse();
    let result = match cli.command {
        Command::Discover(DiscoverArgs { common, format }) => {
            load(&common, true).and_then(|cfg| discover(&cfg, &format))
        }
        Command::SnmpPoll(SnmpPollArgs { common, tables }) => {
            load(&common, true).and_then(|cfg| snmp_poll(&cfg, tables.as_deref()))
        }
        Command::Lan { common, names_file } => {
            load(&common, true).and_then(|cfg| lan(&cfg, names_file.as_deref()))
        }
        Command::Traffic { common } => load(&common, true).and_then(|cfg| traffic(&cfg)),
    };
    simpul_agent::cli::exit_code("simpul-agent", result)
}

fn discover(cfg: &AgentConfig, format: &str) -> anyhow::Result<()> {
    if !matches!(format, "json" | "dot") {
        return Err(ConfigFailure(format!("--format {format:?}: must be json or dot")).into());
    }
    if !cfg.discovery.enabled() {
        return Err(ConfigFailure(
            "discovery is off: set [discovery] subnets = [\"192.0.2.0/24\"], add \
             [[discovery.snmp]] devices or set [discovery] mndp_listen_secs in the config"
                .into(),
        )
        .into());
    }
    let d = discovery::discover(
        &cfg.discovery,
        &cfg.procfs,
        &hostname(cfg)?,
        &discovery::NameCache::default(),
    );
    for e in &d.errors {
        tracing::warn!("{e}");
    }
    if format == "dot" {
        print!("{}", d.topology.to_dot(&hostname(cfg)?));
    } else {
        println!("{}", serde_json::to_string_pretty(&d)?);
    }
    Ok(())
}

fn snmp_poll(cfg: &AgentConfig, tables: Option<&str>) -> anyhow::Result<()> {
    use discovery::snmp::{mibs::WALKS, poll_all};
    if cfg.discovery.snmp.is_empty() {
        return Err(ConfigFailure("no [[discovery.snmp]] devices in the config".into()).into());
    }
    let walks: Vec<(&str, &[u32])> = match tables {
        None => WALKS.to_vec(),
        Some(list) => {
            let mut w = Vec::new();
            for name in list.split(',').map(str::trim).filter(|n| !n.is_empty()) {
                match WALKS.iter().find(|(n, _)| *n == name) {
                    Some(x) => w.push(*x),
                    None => {
                        return Err(ConfigFailure(format!(
                            "--tables: unknown table {name:?}; known: {}",
                            WALKS.iter().map(|(n, _)| *n).collect::<Vec<_>>().join(", ")
                        ))
                        .into())
                    }
                }
            }
            w
        }
    };
    let polls = poll_all(&cfg.discovery.snmp, &walks);
    println!("{}", serde_json::to_string_pretty(&polls)?);
    let failed: Vec<&str> = polls.iter().filter_map(|p| p.error.as_deref()).collect();
    if failed.is_empty() {
        Ok(())
    } else {
        anyhow::bail!("{}", failed.join("\n"))
    }
}

/// The interface counters for the daemon, one JSON line per poll; stops when the
/// daemon that started it is gone (stdout closed, or this process orphaned).
fn traffic(cfg: &AgentConfig) -> anyhow::Result<()> {
    use std::io::Write;
    let parent = std::os::unix::process::parent_id();
    let stdout = std::io::stdout();
    discovery::snmp::traffic::run(&cfg.discovery.snmp, |p| {
        if std::os::unix::process::parent_id() != parent {
            return Err(std::io::Error::other("the daemon is gone"));
        }
        let mut out = stdout.lock();
        serde_json::to_writer(&mut out, p)?;
        out.write_all(b"\n")?;
        out.flush()
    })?;
    Ok(())
}

/// One discovery for the daemon, with the name cache kept in `names_file`.
fn lan(cfg: &AgentConfig, names_file: Option<&Path>) -> anyhow::Result<()> {
    let known: BTreeMap<IpAddr, String> = names_file
        .and_then(|p| std::fs::read(p).ok())
        .and_then(|b| serde_json::from_slice(&b).ok())
        .unwrap_or_default();
    let cache = discovery::NameCache::new(known);
    let d = discovery::discover(&cfg.discovery, &cfg.procfs, &hostname(cfg)?, &cache);
    tracing::info!(
        targets = d.stats.targets,
        arp_answered = d.stats.arp_alive,
        ping_answered = d.stats.alive,
        sweep_seconds = d.stats.sweep_seconds,
        "LAN sweep"
    );
    if let Some(p) = names_file {
        let names = cache
            .into_inner()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        let tmp = p.with_extension("tmp");
        if std::fs::write(&tmp, serde_json::to_vec(&names)?).is_ok() {
            let _ = std::fs::rename(&tmp, p);
        }
    }
    println!("{}", serde_json::to_string(&discovery::Outcome::of(&d))?);
    Ok(())
}
