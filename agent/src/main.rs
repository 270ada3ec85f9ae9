//! simpul-agent: samples host health, uptime and inventory and reports them to the
//! Simpul collector.

use std::path::PathBuf;
use std::process::ExitCode;
use std::time::Duration;

use anyhow::Context;
use clap::{Parser, Subcommand};
use simpul_agent::cli::{hostname, load, Common, ConfigFailure, DiscoverArgs, SnmpPollArgs};
use simpul_agent::{backups, daemon, discovery, spool, token, transport};
use simpul_protocol::HostIdentity;

use simpul_agent::collectors::inventory::{host_addresses, InventoryReader};
use simpul_agent::collectors::{registry, Roots, Selection};
use simpul_agent::config::AgentConfig;
use simpul_agent::sampler::{InventorySchedule, Sampler};
use simpul_agent::sequence::Sequence;
use simpul_agent::token::Token;

#[derive(Parser)]
#[command(
    name = "simpul-agent",
    version,
    about = "Reports host health, uptime and inventory to a Simpul collector"
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Run as a daemon: send a heartbeat every interval_secs.
    Run {
        #[command(flatten)]
        common: Common,
    },
    /// Collect everything once and print the report as JSON; sends nothing.
    Once {
        #[command(flatten)]
        common: Common,
    },
    /// Discover the LAN once (the [discovery] subnets of the config) and print the
    /// topology; sends nothing.
    Discover(DiscoverArgs),
    /// Poll the config's [[discovery.snmp]] devices once (no sweep) and print what each
    /// said as JSON; exits 1 when a poll failed. Checks SNMP settings.
    SnmpPoll(SnmpPollArgs),
    /// Exchange a single-use enrolment code (from `simpul-collector agent add
    /// --enroll-code`) for this host's token and write it to the token file (mode 0600).
    /// Safe to re-run: a valid token file is kept and nothing is sent.
    Enroll {
        #[command(flatten)]
        common: Common,
        /// The enrolment code, e.g. K7QD-3MXP-9WZT-HB2F.
        #[arg(long)]
        code: String,
    },
    /// Validate a config file and report every problem.
    CheckConfig {
        /// The agent.toml to check.
        file: PathBuf,
    },
}

fn main() -> ExitCode {
    simpul_agent::cli::init_logging();
    let cli = Cli::parse();
    let result = match cli.command {
        Command::CheckConfig { file } => match AgentConfig::load(&file) {
            Ok(_) => {
                println!("{}: ok", file.display());
                return ExitCode::SUCCESS;
            }
            Err(e) => Err(ConfigFailure(e.to_string()).into()),
        },
        Command::Once { common } => load(&common, false).and_then(|cfg| once(&cfg)),
        Command::Run { common } => {
            load(&common, true).and_then(|cfg| run(cfg, common.config.as_deref()))
        }
        // discovery lives in its own executable, so that the daemon's binary carries
        // none of its code (and none of its resident pages)
        Command::Discover(_) | Command::SnmpPoll(_) => Err(simpul_agent::cli::exec_helper()),
        Command::Enroll { common, code } => {
            load(&common, false).and_then(|cfg| enroll(&cfg, &code))
        }
    };
    simpul_agent::cli::exit_code("simpul-agent", result)
}

fn enroll(cfg: &AgentConfig, code: &str) -> anyhow::Result<()> {
    let path = &cfg.token_file;
    if let Ok(t) = Token::load(path) {
        println!(
            "already enrolled as agent {} (token file {}); nothing to do. To enroll this host \
             again, remove that file first.",
            t.agent_id(),
            path.display()
        );
        return Ok(());
    }
    if cfg.collector_url.is_empty() {
        return Err(ConfigFailure(
            "--collector URL (or collector_url in the config) is required".into(),
        )
        .into());
    }
    let tls = transport::TlsFiles {
        ca_file: cfg.ca_file.as_deref(),
        client_cert: cfg
            .client_cert_file
            .as_deref()
            .zip(cfg.client_key_file.as_deref()),
    };
    let http = transport::http_agent(&cfg.collector_url, Duration::from_secs(30), &tls)?;
    let url = format!("{}/api/v1/enroll", cfg.collector_url.trim_end_matches('/'));
    let body = serde_json::json!({ "code": code }).to_string();
    let mut resp = http
        .post(&url)
        .header("content-type", "application/json")
        .send(body.as_bytes())
        .map_err(|e| anyhow::anyhow!("{url}: {e}"))?;
    let status = resp.status().as_u16();
    let bytes = resp
        .body_mut()
        .with_config()
        .limit(64 << 10)
        .read_to_vec()
        .map_err(|e| anyhow::anyhow!("{url}: reading the answer: {e}"))?;
    if status != 200 {
        anyhow::bail!(
            "the collector refused the code (HTTP {status}): {}",
            transport::error_message(&bytes)
        );
    }
    let answer: serde_json::Value = serde_json::from_slice(&bytes)
        .map_err(|e| anyhow::anyhow!("unexpected answer from {url}: {e}"))?;
    let token_text = answer["token"].as_str().unwrap_or_default();
    let token = Token::parse(token_text)
        .ok_or_else(|| anyhow::anyhow!("unexpected answer from {url}: no valid token"))?;
    token::write_private(path, token_text)?;
    println!(
        "enrolled as agent {} for host {} of agency {}; token written to {} (mode 0600)",
        token.agent_id(),
        answer["host"].as_str().unwrap_or_default(),
        answer["agency"].as_str().unwrap_or_default(),
        path.display()
    );
    Ok(())
}

fn sampler(cfg: &AgentConfig, agent_id: String) -> anyhow::Result<Sampler> {
    let roots = Roots {
        proc: cfg.procfs.clone(),
        sys: cfg.sysfs.clone(),
        etc: cfg.etc.clone(),
        run: cfg.rundir.clone(),
    };
    let selection = Selection {
        include_tmpfs: cfg.filesystems.include_tmpfs.clone(),
        disks_include: cfg.disks.include.clone(),
    };
    let hostname = hostname(cfg)?;
    let lan = discovery::Schedule::new(&cfg.discovery, None, &cfg.state_dir);
    let machine_id = std::fs::read_to_string(cfg.etc.join("machine-id"))
        .unwrap_or_default()
        .trim()
        .to_owned();
    Ok(Sampler {
        identity: HostIdentity {
            hostname,
            machine_id,
            agency: cfg.agency.clone(),
            site: cfg.site.clone(),
        },
        agent_id,
        interval_secs: cfg.interval_secs,
        collectors: registry(&roots, &selection),
        inventory: InventoryReader::new(&roots, host_addresses),
        schedule: InventorySchedule::new(Duration::from_secs(cfg.inventory_check_secs.into())),
        backups: backups::Schedule::new(
            cfg.backups.clone(),
            Duration::from_secs(cfg.backup_check_secs.into()),
        ),
        lan,
        // started by `run` only: `once` sends nothing and waits for no round
        probes: simpul_agent::probes::Outbox::default(),
        traffic: simpul_agent::traffic::Outbox::default(),
        software: simpul_agent::software::SoftwareInventory::new(&cfg.software, &cfg.procfs),
        certificates: simpul_agent::certificates::CertificateFiles::new(
            &cfg.certificates,
            cfg.certificate_check_secs,
        ),
        websites: simpul_agent::websites::Outbox::default(),
    })
}

fn once(cfg: &AgentConfig) -> anyhow::Result<()> {
    // `once` needs no token; use its agent id when one is readable
    let agent_id = Token::load(&cfg.token_file)
        .map(|t| t.agent_id().to_owned())
        .unwrap_or_default();
    let report = sampler(cfg, agent_id)?.sample(Sequence::ephemeral().next_value()?);
    println!("{}", serde_json::to_string_pretty(&report)?);
    Ok(())
}

fn run(cfg: AgentConfig, config_path: Option<&std::path::Path>) -> anyhow::Result<()> {
    let token = Token::load(&cfg.token_file)?;
    let seq = Sequence::open(&cfg.state_dir)
        .with_context(|| format!("cannot use state_dir {}", cfg.state_dir.display()))?;
    let (spool, recovered) = spool::Spool::open(
        &cfg.state_dir,
        spool::Bounds {
            max_bytes: cfg.spool_max_bytes,
            max_age_secs: cfg.spool_max_age_secs as f64,
        },
    )
    .with_context(|| format!("cannot open the spool in {}", cfg.state_dir.display()))?;
    let mut sampler = sampler(&cfg, token.agent_id().to_owned())?;
    // the discovery helper reads the same config file (absolute: it may run elsewhere)
    let config_path =
        config_path.map(|p| std::fs::canonicalize(p).unwrap_or_else(|_| p.to_owned()));
    sampler.lan = discovery::Schedule::new(&cfg.discovery, config_path.as_deref(), &cfg.state_dir);
    sampler.probes =
        simpul_agent::probes::start(&cfg.probes).context("cannot start the link probes' thread")?;
    sampler.traffic = simpul_agent::traffic::start(
        cfg.discovery
            .snmp
            .iter()
            .any(|t| t.traffic_interval_secs > 0),
        config_path.as_deref(),
    )
    .context("cannot start the interface counters' thread")?;
    tracing::info!(
        collector = %cfg.collector_url,
        agent_id = token.agent_id(),
        hostname = %sampler.identity.hostname,
        spooled_reports = recovered.reports,
        probes = cfg.probes.len(),
        "starting"
    );
    if cfg.insecure_http && cfg.collector_url.starts_with("http://") {
        tracing::warn!(
            collector = %cfg.collector_url,
            "insecure_http = true: the token and every report cross the network unencrypted"
        );
    }
    let tls = transport::TlsFiles {
        ca_file: cfg.ca_file.as_deref(),
        client_cert: cfg
            .client_cert_file
            .as_deref()
            .zip(cfg.client_key_file.as_deref()),
    };
    let mut transport = transport::Transport::new(
        &cfg.collector_url,
        token,
        Duration::from_secs(cfg.request_timeout_secs.into()),
        &tls,
    )?;
    if cfg.websites.probe {
        let (tasks, outbox) = simpul_agent::websites::start(cfg.websites.clone())
            .context("cannot start the website probes' thread")?;
        transport.websites = Some(tasks);
        sampler.websites = outbox;
    }
    daemon::Daemon {
        sampler,
        seq,
        transport,
        spool,
        pacing: daemon::Pacing {
            interval: Duration::from_secs(cfg.interval_secs.into()),
            retry_max: Duration::from_secs(cfg.retry_max_secs.into()),
            batch_max_reports: cfg.batch_max_reports as usize,
            // the collector's default max_body_bytes caps the decompressed body at 1 MiB
            batch_max_bytes: 768 << 10,
        },
    }
    .run()
}
