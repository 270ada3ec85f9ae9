//! `simpul-agent run`: sample every `interval_secs`, send, repeat until SIGTERM/SIGINT.

use std::time::{Duration, Instant};

use tokio::time::sleep_until;

use crate::sampler::Sampler;
use crate::sequence::Sequence;
use crate::transport::{SendError, Transport};

/// A random phase in [0, max): spreads thousands of agents that start together (after a
/// power cut) over the first tenth of the interval, while keeping each agent's own
/// heartbeats evenly spaced so that gaps mean something to the SLA.
fn start_phase(interval: Duration) -> Duration {
    use std::hash::{BuildHasher, Hasher};
    let r = std::collections::hash_map::RandomState::new()
        .build_hasher()
        .finish();
    let max_ms = (interval.as_millis() / 10).max(1) as u64;
    Duration::from_millis(r % max_ms)
}

pub async fn run(
    mut sampler: Sampler,
    mut seq: Sequence,
    transport: Transport,
    interval: Duration,
) -> anyhow::Result<()> {
    let mut term = tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate())?;
    let mut next = tokio::time::Instant::now() + start_phase(interval);
    tracing::info!(interval_secs = interval.as_secs(), "agent running");
    loop {
        tokio::select! {
            _ = sleep_until(next) => {}
            _ = tokio::signal::ctrl_c() => break,
            _ = term.recv() => break,
        }
        next += interval;
        let now = tokio::time::Instant::now();
        if next < now {
            // the machine slept or we were stopped: realign rather than burst
            next = now + interval;
        }
        let report = sampler.sample(seq.next()?);
        match transport.send(std::slice::from_ref(&report)).await {
            Ok(ack) if ack.acknowledged.contains(&report.sequence) => {
                tracing::debug!(sequence = report.sequence, "report acknowledged");
                if let Some(inv) = &report.inventory {
                    sampler.schedule.acknowledged(inv, Instant::now());
                }
            }
            Ok(ack) => tracing::warn!(
                sequence = report.sequence,
                ?ack,
                "collector did not acknowledge the report"
            ),
            Err(e @ SendError::Rejected { .. }) => {
                tracing::error!(sequence = report.sequence, error = %e, "report rejected")
            }
            Err(e) => {
                tracing::warn!(sequence = report.sequence, error = %e, "report not delivered")
            }
        }
    }
    tracing::info!("agent stopping");
    Ok(())
}
