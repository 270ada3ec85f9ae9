//! Interface counters in `run` mode: when a `[[discovery.snmp]]` device has a
//! `traffic_interval_secs`, the daemon starts `simpul-agent-discover traffic`, which
//! polls the devices for ever and prints each poll as a line of JSON (the SNMP code
//! stays out of the daemon's binary, as for discovery). A thread of the daemon reads
//! the lines into an [`Outbox`] that the sampler empties into the next report, which
//! is spooled like every report: an agency's agent keeps measuring its router while
//! the WAN is down, and the polls arrive later, each with its own time. A helper that
//! ends is started again, after 5 s and up to 5 min of waiting.

use std::io::BufRead;
use std::path::Path;
use std::time::Duration;

use simpul_protocol::TrafficPoll;

/// Polls waiting for the next report (see [`crate::outbox`]).
pub type Outbox = crate::outbox::Outbox<TrafficPoll>;

/// Starts the helper's reader thread when `enabled` (a device has a traffic
/// interval) and the daemon has a config file to hand it; else an empty outbox.
pub fn start(enabled: bool, config: Option<&Path>) -> std::io::Result<Outbox> {
    let outbox = Outbox::default();
    let Some(config) = config.filter(|_| enabled) else {
        return Ok(outbox);
    };
    let (config, out) = (config.to_owned(), outbox.clone());
    std::thread::Builder::new()
        .name("simpul-traffic".into())
        .spawn(move || supervise(&config, &out))?;
    Ok(outbox)
}

/// Runs the helper again and again, reading its polls.
fn supervise(config: &Path, outbox: &Outbox) {
    let mut wait = Duration::from_secs(5);
    loop {
        let started = std::time::Instant::now();
        match read_helper(config, outbox) {
            Ok(()) => tracing::warn!("the interface counter helper ended; starting it again"),
            Err(e) => tracing::error!("interface counters: {e}"),
        }
        // a helper that ran a while gets the short wait again
        if started.elapsed() > Duration::from_secs(600) {
            wait = Duration::from_secs(5);
        }
        std::thread::sleep(wait);
        wait = (wait * 2).min(Duration::from_secs(300));
    }
}

/// Runs `simpul-agent-discover traffic` until it ends, pushing each poll it prints.
fn read_helper(config: &Path, outbox: &Outbox) -> Result<(), String> {
    let helper = crate::cli::helper_path();
    let mut child = std::process::Command::new(&helper)
        .arg("traffic")
        .arg("--config")
        .arg(config)
        .stdin(std::process::Stdio::null())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::inherit())
        .spawn()
        .map_err(|e| format!("cannot run {}: {e}", helper.display()))?;
    let stdout = child.stdout.take().ok_or("the helper has no stdout")?;
    for line in std::io::BufReader::new(stdout).lines() {
        let line = line.map_err(|e| format!("reading {}: {e}", helper.display()))?;
        match serde_json::from_str::<TrafficPoll>(&line) {
            Ok(p) => {
                if !p.error.is_empty() {
                    tracing::warn!(device = %p.device, "interface counters: {}", p.error);
                }
                outbox.push(p);
            }
            Err(e) => tracing::error!("unexpected output of {}: {e}", helper.display()),
        }
    }
    let status = child.wait().map_err(|e| e.to_string())?;
    if status.success() {
        Ok(())
    } else {
        Err(format!("{} traffic failed ({status})", helper.display()))
    }
}
