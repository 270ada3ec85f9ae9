//! `simpul-agent run`: sample every interval, send the spool oldest first, back off while
//! the collector is unreachable, stop on SIGTERM/SIGINT.
//!
//! A report that must not be lost (inventory, software, certificates, LAN, backup
//! evidence), and every report while older ones wait, is fsynced to the spool before it
//! is sent. A plain heartbeat taken with the spool empty is sent at once and written to
//! the spool only if the collector does not take it: in the common case a heartbeat costs
//! no disk write, fsync or truncate (each a wait that the next step pays for in cold
//! caches). A crash during that one send loses that one heartbeat, never an acknowledged
//! report or one the spool holds.
//!
//! One thread: it sleeps in `poll(2)` on a signalfd until the next sample or retry is
//! due, so a signal ends the wait at once and an idle agent wakes only when it has work.

use std::os::fd::AsFd;
use std::time::{Duration, Instant};

use nix::poll::{poll, PollFd, PollFlags, PollTimeout};
use nix::sys::signal::{SigSet, Signal};
use nix::sys::signalfd::{SfdFlags, SignalFd};
use simpul_protocol::{IngestResponse, Report, Section, SpoolStatus};

use crate::sampler::Sampler;
use crate::sequence::Sequence;
use crate::spool::Spool;
use crate::transport::{SendError, Transport};

/// How the daemon paces itself.
#[derive(Debug, Clone, Copy)]
pub struct Pacing {
    pub interval: Duration,
    /// Longest wait between retries while the collector is unreachable.
    pub retry_max: Duration,
    /// Most reports in one request.
    pub batch_max_reports: usize,
    /// Most bytes of (uncompressed) JSON in one request, beyond its first report.
    pub batch_max_bytes: usize,
}

/// A fresh pseudo-random number from the std hasher's per-process random keys.
fn random_u64() -> u64 {
    use std::hash::{BuildHasher, Hasher};
    let mut h = std::collections::hash_map::RandomState::new().build_hasher();
    h.write_u128(
        std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map_or(0, |d| d.as_nanos()),
    );
    h.finish()
}

/// A random phase in [0, interval/10): spreads thousands of agents that start together
/// (after a power cut) while keeping each agent's heartbeats evenly spaced, so that gaps
/// mean something to the SLA.
fn start_phase(interval: Duration) -> Duration {
    let max_ms = (interval.as_millis() / 10).max(1) as u64;
    Duration::from_millis(random_u64() % max_ms)
}

/// Capped exponential backoff with jitter: the n-th failure waits a random time in
/// [d/2, d] with d = min(cap, 1 s × 2ⁿ), so agents cut off together do not return in
/// lockstep.
#[derive(Debug)]
pub struct Backoff {
    failures: u32,
    cap: Duration,
}

impl Backoff {
    pub fn new(cap: Duration) -> Self {
        Self { failures: 0, cap }
    }

    /// Records a failure and returns how long to wait.
    pub fn fail(&mut self) -> Duration {
        let d = Duration::from_secs(1u64 << self.failures.min(20)).min(self.cap);
        self.failures = self.failures.saturating_add(1);
        let half = d.as_millis() as u64 / 2;
        Duration::from_millis(half + random_u64() % (half + 1))
    }

    pub fn succeed(&mut self) {
        self.failures = 0;
    }
}

/// SIGTERM and SIGINT, taken off normal delivery and read from a file descriptor.
struct Signals(SignalFd);

impl Signals {
    fn block() -> anyhow::Result<Self> {
        let mut mask = SigSet::empty();
        mask.add(Signal::SIGTERM);
        mask.add(Signal::SIGINT);
        mask.thread_block()?;
        Ok(Self(SignalFd::with_flags(
            &mask,
            SfdFlags::SFD_CLOEXEC | SfdFlags::SFD_NONBLOCK,
        )?))
    }

    /// Waits up to `timeout`; true when a stop signal arrived.
    fn wait(&self, timeout: Duration) -> anyhow::Result<bool> {
        // poll takes at most i32::MAX ms; callers loop, so a shorter wait is harmless
        let ms = PollTimeout::try_from(timeout.min(Duration::from_secs(3600)))
            .unwrap_or(PollTimeout::MAX);
        let mut fds = [PollFd::new(self.0.as_fd(), PollFlags::POLLIN)];
        match poll(&mut fds, ms) {
            Ok(0) => Ok(false),
            Ok(_) => Ok(self.0.read_signal()?.is_some()),
            Err(nix::errno::Errno::EINTR) => Ok(false),
            Err(e) => Err(e.into()),
        }
    }
}

/// What a report cycle leaves for the daemon to give back once the report is out,
/// least to most.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
enum GiveBack {
    Nothing,
    /// The heap's free memory (a report of interface polls or probe rounds).
    Heap,
    /// The heap and the resident pages of code not running (start-up, rare tasks).
    Pages,
}

/// A plain heartbeat taken while the spool was empty: sent before it is written anywhere.
struct Fresh {
    sequence: u64,
    sample_time: f64,
    json: Vec<u8>,
}

/// The agent's running state.
pub struct Daemon {
    pub sampler: Sampler,
    pub seq: Sequence,
    pub transport: Transport,
    pub spool: Spool,
    pub pacing: Pacing,
}

impl Daemon {
    pub fn run(mut self) -> anyhow::Result<()> {
        let signals = Signals::block()?;
        let p = self.pacing;
        let mut next_sample = Instant::now() + start_phase(p.interval);
        let mut backoff = Backoff::new(p.retry_max);
        // a backlog left by the last run goes out at once
        let mut retry_at = Instant::now();
        let mut batch_limit = p.batch_max_reports;
        // start-up and each rare task (inventory, software, certificates, LAN) leave
        // code resident that the steady loop does not run, and a report of interface
        // polls a heap that the next quiet cycle does not need: given back once the
        // report is out
        let mut give_back = GiveBack::Pages;
        tracing::info!(
            interval_secs = p.interval.as_secs_f64(),
            backlog = self.spool.len(),
            "agent running"
        );
        loop {
            let now = Instant::now();
            let mut wake = next_sample;
            if !self.spool.is_empty() {
                wake = wake.min(retry_at);
            }
            if wake > now {
                if signals.wait(wake - now)? {
                    break;
                }
                continue;
            }
            if now >= next_sample {
                next_sample += p.interval;
                if next_sample < now {
                    // the machine slept or we were stopped: realign rather than burst
                    next_sample = now + p.interval;
                }
                let (sampled, fresh) = self.sample(self.spool.is_empty())?;
                give_back = give_back.max(sampled);
                if let Some(fresh) = fresh {
                    if let Some(wait) = self.send_fresh(fresh, &mut backoff) {
                        retry_at = Instant::now() + wait;
                    }
                }
            }
            // drain the spool, oldest first, until it is empty, a send fails, or the
            // next sample is due
            while !self.spool.is_empty() && Instant::now() >= retry_at {
                if signals.wait(Duration::ZERO)? {
                    tracing::info!(backlog = self.spool.len(), "agent stopping");
                    return Ok(());
                }
                let (seqs, json) = self.spool.batch(batch_limit, p.batch_max_bytes)?;
                match self.transport.send(&json) {
                    Ok(ack) => {
                        backoff.succeed();
                        batch_limit = p.batch_max_reports;
                        if ack.acknowledged.is_empty() {
                            tracing::warn!(?seqs, "collector acknowledged none of the batch");
                            retry_at = Instant::now() + backoff.fail();
                        } else {
                            tracing::debug!(
                                reports = ack.acknowledged.len(),
                                duplicates = ack.duplicates,
                                "acknowledged"
                            );
                            log_refused(&ack);
                            self.software_answer(&ack);
                            self.spool.acknowledged(&ack.acknowledged)?;
                        }
                    }
                    Err(SendError::TooLarge(m)) if seqs.len() > 1 => {
                        batch_limit = (seqs.len() / 2).max(1);
                        tracing::warn!(batch = batch_limit, "{m}: sending fewer at once");
                    }
                    Err(e @ (SendError::Rejected { .. } | SendError::TooLarge(_))) => {
                        if seqs.len() > 1 {
                            // find the bad report: send one at a time until it is past
                            tracing::warn!(error = %e, "a report of the batch was rejected; sending one at a time");
                            batch_limit = 1;
                        } else if let Some(bare) = without_sections(&json) {
                            // a collector older than section refusal rejects the whole
                            // report for one bad section: the heartbeat still counts
                            tracing::warn!(sequence = seqs[0], error = %e, "report rejected; sending it again without its optional sections (inventory, backups, lan, snmp, probes, traffic) and newer health fields");
                            match self.transport.send(&bare) {
                                Ok(ack) if !ack.acknowledged.is_empty() => {
                                    log_refused(&ack);
                                    self.spool.acknowledged(&ack.acknowledged)?;
                                }
                                Ok(_) | Err(SendError::Unavailable(_)) => {
                                    // kept: the next attempt goes the same way
                                    retry_at = Instant::now() + backoff.fail();
                                }
                                Err(e) => {
                                    tracing::error!(sequence = seqs[0], error = %e, "report rejected by the collector even without its optional sections; removed from the spool");
                                    self.spool.acknowledged(&seqs)?;
                                }
                            }
                            batch_limit = p.batch_max_reports;
                        } else {
                            // the collector will never take this report: keeping it
                            // would block every report after it
                            tracing::error!(sequence = seqs[0], error = %e, "report rejected by the collector; removed from the spool");
                            self.spool.acknowledged(&seqs)?;
                            batch_limit = p.batch_max_reports;
                        }
                    }
                    Err(e @ SendError::Unavailable(_)) => {
                        let wait = backoff.fail();
                        tracing::warn!(
                            error = %e,
                            backlog = self.spool.len(),
                            retry_in_secs = wait.as_secs_f64(),
                            "collector unreachable; reports kept in the spool"
                        );
                        retry_at = Instant::now() + wait;
                    }
                }
                if Instant::now() >= next_sample {
                    break;
                }
            }
            match std::mem::replace(&mut give_back, GiveBack::Nothing) {
                GiveBack::Pages => match crate::resident::settle() {
                    Ok(kib) => {
                        tracing::debug!(kib, "released the resident pages of code not running")
                    }
                    Err(e) => tracing::debug!(error = %e, "cannot read /proc/self/smaps"),
                },
                GiveBack::Heap => crate::resident::trim_heap(),
                GiveBack::Nothing => {}
            }
        }
        tracing::info!(backlog = self.spool.len(), "agent stopping");
        Ok(())
    }

    /// The collector could not apply a software difference (its list is not the one
    /// the difference is based on): the next check sends the whole list. A section it
    /// refused as invalid is only logged (see `log_refused`): sending it again would not
    /// help.
    fn software_answer(&mut self, ack: &IngestResponse) {
        // the websites to probe for the collector, when they changed
        if let (Some(tasks), Some(w)) = (&ack.websites, &self.transport.websites) {
            w.set(tasks.clone());
        }
        if let Some(sw) = &mut self.sampler.software {
            if ack.software_resend {
                tracing::info!("the collector asks for the whole software list");
                sw.schedule.send_whole_list();
            }
        }
    }

    /// Sends a report that skipped the spool. Only when the collector does not take it is
    /// it written to the spool, which then delivers it like any other; returns how long
    /// to wait before that when the collector is unreachable or took nothing.
    fn send_fresh(&mut self, fresh: Fresh, backoff: &mut Backoff) -> Option<Duration> {
        let wait = match self.transport.send(&batch_of_one(&fresh.json)) {
            Ok(ack) if ack.acknowledged.contains(&fresh.sequence) => {
                backoff.succeed();
                log_refused(&ack);
                self.software_answer(&ack);
                return None;
            }
            Ok(ack) => {
                tracing::warn!(
                    sequence = fresh.sequence,
                    "collector did not acknowledge the report; kept in the spool"
                );
                self.software_answer(&ack);
                Some(backoff.fail())
            }
            Err(e @ SendError::Unavailable(_)) => {
                let wait = backoff.fail();
                tracing::warn!(
                    error = %e,
                    retry_in_secs = wait.as_secs_f64(),
                    "collector unreachable; reports kept in the spool"
                );
                Some(wait)
            }
            // a refused report goes the way of a refused batch of one, from the spool at
            // once: sent again without its optional sections, or dropped
            Err(e) => {
                tracing::debug!(sequence = fresh.sequence, error = %e, "report refused; handed to the spool");
                None
            }
        };
        match self
            .spool
            .append(fresh.sequence, fresh.sample_time, false, &fresh.json)
        {
            Ok(_) => tracing::debug!(
                sequence = fresh.sequence,
                sample_time = fresh.sample_time,
                "spooled"
            ),
            Err(e) => {
                tracing::error!(sequence = fresh.sequence, error = %e, "cannot write the spool; report lost")
            }
        }
        wait
    }

    /// Takes a sample. A report with a rare section or backup evidence, or any report
    /// while older ones wait in the spool, is written to the spool (fsynced) before it is
    /// sent; a plain heartbeat with the spool empty is returned to be sent at once, and
    /// goes to the spool only if the collector does not take it. Tells what the cycle
    /// leaves to give back: the code pages too when it carried a section made rarely
    /// (inventory, software, certificates, LAN), the heap when it carried interface
    /// polls or probe rounds.
    fn sample(&mut self, spool_empty: bool) -> anyhow::Result<(GiveBack, Option<Fresh>)> {
        let mut report = self.sampler.sample(self.seq.next_value()?);
        report.spool = Some(SpoolStatus {
            backlog_reports: self.spool.len() as u64,
            bytes: self.spool.file_bytes(),
            dropped_reports_total: self.spool.dropped_total(),
        });
        let json = serde_json::to_vec(&report)?;
        let rare = report.inventory.is_some()
            || report.software.is_some()
            || report.certificates.is_some()
            || report.lan.is_some();
        // inventory changes and backup evidence are never dropped from a full spool
        // (software differences too: the collector applies each to the list before)
        let precious = rare || !report.backups.is_empty();
        let give_back = if rare {
            GiveBack::Pages
        } else if report.traffic.is_empty() && report.probes.is_empty() {
            GiveBack::Nothing
        } else {
            GiveBack::Heap
        };
        // every sample, with its sequence and time: the reliability tests count these
        tracing::debug!(
            sequence = report.sequence,
            sample_time = report.sample_time_seconds,
            "sampled"
        );
        if spool_empty && !precious {
            let fresh = Fresh {
                sequence: report.sequence,
                sample_time: report.sample_time_seconds,
                json,
            };
            return Ok((give_back, Some(fresh)));
        }
        match self
            .spool
            .append(report.sequence, report.sample_time_seconds, precious, &json)
        {
            Ok(_) => {
                tracing::debug!(
                    sequence = report.sequence,
                    sample_time = report.sample_time_seconds,
                    "spooled"
                );
                if let Some(inv) = &report.inventory {
                    // handed to the spool, which delivers it or keeps it
                    self.sampler.schedule.acknowledged(inv, Instant::now());
                }
                if let (Some(sw), Some(_)) = (&mut self.sampler.software, &report.software) {
                    sw.schedule.handed_over(Instant::now());
                }
                if let (Some(c), Some(_)) = (&mut self.sampler.certificates, &report.certificates) {
                    c.handed_over(Instant::now());
                }
                Ok((give_back, None))
            }
            Err(e) => {
                // a full or broken disk must not silence the host: send it directly
                tracing::error!(error = %e, "cannot write the spool; sending this report without it");
                match self.transport.send(&batch_of_one(&json)) {
                    Ok(ack) if ack.acknowledged.contains(&report.sequence) => {
                        if let Some(inv) = &report.inventory {
                            self.sampler.schedule.acknowledged(inv, Instant::now());
                        }
                        if let (Some(sw), Some(_)) = (&mut self.sampler.software, &report.software)
                        {
                            sw.schedule.handed_over(Instant::now());
                        }
                        if let (Some(c), Some(_)) =
                            (&mut self.sampler.certificates, &report.certificates)
                        {
                            c.handed_over(Instant::now());
                        }
                        self.software_answer(&ack);
                    }
                    Ok(_) => tracing::warn!(sequence = report.sequence, "not acknowledged"),
                    Err(e) => tracing::warn!(sequence = report.sequence, error = %e, "report lost"),
                }
                Ok((give_back, None))
            }
        }
    }
}

/// One report's JSON as the body of a request: a batch (JSON array) of one.
fn batch_of_one(json: &[u8]) -> Vec<u8> {
    let mut array = Vec::with_capacity(json.len() + 2);
    array.push(b'[');
    array.extend_from_slice(json);
    array.push(b']');
    array
}

/// Logs the sections the collector refused (and did not store) in an acknowledged batch.
fn log_refused(ack: &IngestResponse) {
    for r in &ack.refused {
        let first = r.violations.first();
        // the collector's text quotes what a LAN device sent: Debug-escaped
        tracing::warn!(
            sequence = r.sequence,
            section = r.section.as_str(),
            field = ?first.map_or("", |v| v.field.as_str()),
            rule = ?first.map_or("", |v| v.rule.as_str()),
            "the collector refused a section of the report; the rest was stored"
        );
    }
}

/// The batch `json_array` with the optional sections removed from its reports, or `None`
/// when it has none to remove (or is not a batch of reports).
fn without_sections(json_array: &[u8]) -> Option<Vec<u8>> {
    let mut reports: Vec<Report> = serde_json::from_slice(json_array).ok()?;
    let mut removed = false;
    for r in &mut reports {
        let before = r.clone();
        for s in Section::ALL {
            r.remove_section(s);
        }
        if let Some(h) = &mut r.health {
            without_newer_health_fields(h);
        }
        removed |= *r != before;
    }
    if removed {
        serde_json::to_vec(&reports).ok()
    } else {
        None
    }
}

/// Removes the health fields of issue 25 (disk I/O, pressure, temperatures and the
/// filesystem and memory flags), which a collector older than them refuses as unknown
/// fields: the heartbeat still counts there.
fn without_newer_health_fields(h: &mut simpul_protocol::Health) {
    h.disks.clear();
    h.pressure = None;
    h.temperatures.clear();
    for f in &mut h.filesystems {
        f.readonly = false;
        f.device_error = false;
    }
    if let Some(m) = &mut h.memory {
        m.estimated = false;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Issue 25: a new agent's heartbeat still reaches a collector older than the new
    /// health fields: they go with the optional sections on the second attempt.
    #[test]
    fn the_newer_health_fields_go_with_the_optional_sections() {
        let json = r#"[{"version":1,"agent_id":"a","host":{"hostname":"h"},"sequence":7,
            "sample_time_seconds":1.0,"interval_secs":30,"agent_version":"0.1.0",
            "health":{"memory":{"total_bytes":10,"available_bytes":4,"used_bytes":6,"estimated":true},
            "filesystems":[{"mount":"/","device":"d","fs_type":"ext4","size_bytes":1,"free_bytes":1,
            "available_bytes":1,"inodes_total":1,"inodes_free":1,"readonly":true}],"network":[],
            "pressure":{"io":{"some":{"avg10_ratio":0.1,"total_us":5}}}}}]"#;
        let bare = String::from_utf8(without_sections(json.as_bytes()).unwrap()).unwrap();
        for newer in ["estimated", "readonly", "pressure", "disks", "temperatures"] {
            assert!(!bare.contains(newer), "{newer} in {bare}");
        }
        assert!(
            bare.contains(r#""total_bytes":10"#),
            "the heartbeat's health stays"
        );
    }

    #[test]
    fn a_rejected_report_is_sent_again_without_its_optional_sections() {
        let report = |lan: &str| {
            format!(
                r#"{{"version":1,"agent_id":"a","host":{{"hostname":"h"}},"sequence":7,
                "sample_time_seconds":1.0,"interval_secs":30,"agent_version":"0.1.0"{lan}}}"#
            )
        };
        let lan = r#","lan":{"subnets":[],"topology":{"devices":[{"id":"ip:192.0.2.1","type":"switch","name":"a\tb"}],"links":[]},"hash":""}"#;
        let json = format!("[{}]", report(lan));
        let bare = without_sections(json.as_bytes()).unwrap();
        let back: Vec<Report> = serde_json::from_slice(&bare).unwrap();
        assert_eq!(back.len(), 1);
        assert_eq!(back[0].sequence, 7);
        assert!(back[0].lan.is_none());
        // nothing to remove: nothing to send again
        assert!(without_sections(format!("[{}]", report("")).as_bytes()).is_none());
        assert!(without_sections(b"not json").is_none());
    }

    #[test]
    fn backoff_doubles_to_the_cap_with_jitter() {
        let mut b = Backoff::new(Duration::from_secs(60));
        let waits: Vec<_> = (0..10).map(|_| b.fail()).collect();
        for (n, w) in waits.iter().enumerate() {
            let d = Duration::from_secs(1 << n.min(20)).min(Duration::from_secs(60));
            assert!(
                *w >= d / 2 && *w <= d,
                "failure {n}: {w:?} not in [{:?}, {d:?}]",
                d / 2
            );
        }
        b.succeed();
        assert!(b.fail() <= Duration::from_secs(1));
    }
}
