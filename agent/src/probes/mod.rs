//! Link probes (`[[probes]]` in agent.toml): SmokePing-style rounds of `count` requests
//! to one target every `interval_secs`, paced within the round, and the round's
//! statistics (min, median, mean, max, standard deviation of the round trips, the
//! sorted RTT list, loss). One file per kind (`icmp.rs`, `tcp.rs`) behind [`Probe`];
//! [`build`] is the one place that registers them.
//!
//! The probes run on a thread of their own with a current-thread tokio runtime, one
//! task per probe, so a dead target never delays a heartbeat: finished rounds wait in
//! an [`Outbox`] that the sampler empties into the next report, which is spooled like
//! every report (never lost while the collector is unreachable; each round keeps its
//! own start time).

pub mod icmp;
pub mod tcp;

use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use serde::Deserialize;
use simpul_protocol::{Parsed, ProbeKind, ProbeRound, MAX_PROBE_COUNT, MAX_PROBE_TIMEOUT_SECS};

/// One `[[probes]]` entry of agent.toml.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ProbeConfig {
    /// The probe's name, shown in pages and labels, e.g. `wan-core`; unique in the file.
    pub name: String,
    /// `icmp` (echo requests) or `tcp` (connects).
    pub kind: Parsed<ProbeKind>,
    /// An IPv4 or IPv6 address; for `tcp` with a port: `192.0.2.1:443`,
    /// `[2001:db8::1]:443`. Names are not resolved: a probe measures one path.
    pub target: String,
    /// Requests per round.
    #[serde(default = "default_count")]
    pub count: u32,
    /// Seconds from the start of one round to the start of the next.
    #[serde(default = "default_interval_secs")]
    pub interval_secs: u32,
}

fn default_count() -> u32 {
    20
}
fn default_interval_secs() -> u32 {
    60
}

/// Most `[[probes]]` entries: room for a province's core to probe each of its 100 and
/// more offices (bench/probes.sh measures 100).
pub const MAX_PROBES: usize = 256;
/// Longest interval between rounds.
pub const MAX_INTERVAL_SECS: u32 = 3600;

impl ProbeConfig {
    /// Every problem of this entry, prefixed with `key` (`probes[2]`).
    pub fn problems(&self, key: &str) -> Vec<String> {
        let mut p = Vec::new();
        if !simpul_protocol::is_valid_id(&self.name) {
            p.push(format!(
                "{key}.name = {:?}: {}",
                self.name,
                simpul_protocol::ID_RULE
            ));
        }
        match self.kind.get() {
            Some(kind) => {
                if let Err(rule) = kind.parse_target(&self.target) {
                    p.push(format!("{key}.target = {:?}: {rule}", self.target));
                }
            }
            None => p.push(format!(
                "{key}.kind = {:?}: {}",
                self.kind.as_str(),
                ProbeKind::RULE
            )),
        }
        if !(1..=MAX_PROBE_COUNT).contains(&self.count) {
            p.push(format!(
                "{key}.count = {}: must be between 1 and {MAX_PROBE_COUNT} requests per round",
                self.count
            ));
        }
        if !(1..=MAX_INTERVAL_SECS).contains(&self.interval_secs) {
            p.push(format!(
                "{key}.interval_secs = {}: must be between 1 and {MAX_INTERVAL_SECS} seconds",
                self.interval_secs
            ));
        }
        p
    }

    /// How the round is paced: the gap between two requests and how long each waits
    /// for its answer. The gap is 1 s (fping's and SmokePing's default) unless the
    /// requests would then take more than half the interval; the wait is at most 5 s
    /// and half the interval. So a round always ends before the next one starts.
    pub fn pace(&self) -> (Duration, Duration) {
        let interval = Duration::from_secs(self.interval_secs.into());
        let gap = (interval / (2 * self.count.max(1))).min(Duration::from_secs(1));
        let timeout = (interval / 2).min(Duration::from_secs_f64(MAX_PROBE_TIMEOUT_SECS));
        (gap, timeout)
    }
}

/// Every problem of the `[[probes]]` list: each entry's, and names used twice.
pub fn problems(probes: &[ProbeConfig]) -> Vec<String> {
    let mut p = Vec::new();
    if probes.len() > MAX_PROBES {
        p.push(format!(
            "probes: {} entries; at most {MAX_PROBES}",
            probes.len()
        ));
    }
    for (i, probe) in probes.iter().enumerate() {
        p.extend(probe.problems(&format!("probes[{i}]")));
        if let Some(first) = probes[..i].iter().position(|o| o.name == probe.name) {
            p.push(format!(
                "probes[{i}].name = {:?}: already the name of probes[{first}]; each probe needs its own name",
                probe.name
            ));
        }
    }
    p
}

/// What one request got: its round trip, no answer in time (`Ok(None)`), or an error
/// that says why (the request counts as lost).
pub type Attempt = Result<Option<Duration>, String>;

/// A boxed future of one request.
pub type AttemptFuture<'a> = Pin<Box<dyn Future<Output = Attempt> + Send + 'a>>;

/// A kind of link probe: sends request number `n` of a round and waits up to `timeout`
/// for its answer. Many requests of one probe, and of several probes, are in flight
/// at once; an implementation tells their answers apart.
pub trait Probe: Send + Sync {
    fn attempt(&self, n: u32, timeout: Duration) -> AttemptFuture<'_>;
}

/// What the probes share: one ICMP socket per address family.
#[derive(Default)]
pub struct Shared {
    pub icmp: icmp::Sockets,
}

/// The probe of `cfg` (validated). The one registration point of the kinds.
pub fn build(cfg: &ProbeConfig, shared: &Arc<Shared>) -> Option<Arc<dyn Probe>> {
    let kind = *cfg.kind.get()?;
    let target = kind.parse_target(&cfg.target).ok()?;
    Some(match kind {
        ProbeKind::Icmp => Arc::new(icmp::Icmp::new(target.ip(), Arc::clone(shared))),
        ProbeKind::Tcp => Arc::new(tcp::Tcp::new(target)),
    })
}

fn now_seconds() -> f64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0.0, |d| d.as_secs_f64())
}

/// How much longer than its timeout a request may take before the round stops waiting
/// for it: a kind ends its own requests at the timeout (ICMP after a last look at its
/// socket); this only bounds one that does not.
pub const GRACE: Duration = Duration::from_millis(100);

/// One round of `probe` as `cfg` paces it: request k goes out k × gap after the first;
/// the round ends when every request has its answer or its timeout. Each request is a
/// task of its own from the moment it goes out (not before: a hundred probes' rounds
/// would otherwise hold two thousand sleeping tasks).
pub async fn round(cfg: &ProbeConfig, kind: ProbeKind, probe: Arc<dyn Probe>) -> ProbeRound {
    let (gap, timeout) = cfg.pace();
    let start = tokio::time::Instant::now();
    let start_time = now_seconds();
    let mut tasks = tokio::task::JoinSet::new();
    let mut rtts = Vec::with_capacity(cfg.count as usize);
    let mut errors: Vec<String> = Vec::new();
    let mut take = |r: Result<Attempt, tokio::task::JoinError>| match r {
        Ok(Ok(Some(rtt))) => rtts.push(rtt.as_secs_f64()),
        Ok(Ok(None)) => {}
        Ok(Err(e)) => {
            if !errors.contains(&e) {
                errors.push(e);
            }
        }
        Err(e) => errors.push(format!("a probe task failed: {e}")),
    };
    for n in 0..cfg.count {
        tokio::time::sleep_until(start + gap * n).await;
        while let Some(done) = tasks.try_join_next() {
            take(done);
        }
        let probe = Arc::clone(&probe);
        tasks.spawn(async move {
            // an answer that comes after the timeout is lost, whatever the kind says
            match tokio::time::timeout(timeout + GRACE, probe.attempt(n, timeout)).await {
                Ok(Ok(Some(rtt))) if rtt <= timeout => Ok(Some(rtt)),
                Ok(Ok(_)) | Err(_) => Ok(None),
                Ok(Err(e)) => Err(e),
            }
        });
    }
    while let Some(done) = tasks.join_next().await {
        take(done);
    }
    let error = simpul_protocol::wire_string(&errors.join("; "), 1000);
    ProbeRound::new(
        &cfg.name,
        kind,
        &cfg.target,
        start_time,
        cfg.count,
        rtts,
        error,
    )
}

/// Finished rounds waiting for the next report (see [`crate::outbox`]).
pub type Outbox = crate::outbox::Outbox<ProbeRound>;

/// Starts every probe of `probes` (validated) on the thread `simpul-probes`; their
/// rounds go to the returned outbox. No probes: no thread, an empty outbox.
pub fn start(probes: &[ProbeConfig]) -> std::io::Result<Outbox> {
    let outbox = Outbox::default();
    if probes.is_empty() {
        return Ok(outbox);
    }
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_io()
        .enable_time()
        .build()?;
    let probes = probes.to_vec();
    let out = outbox.clone();
    std::thread::Builder::new()
        .name("simpul-probes".into())
        .spawn(move || rt.block_on(run(probes, out)))?;
    Ok(outbox)
}

/// Runs every probe for ever.
async fn run(probes: Vec<ProbeConfig>, outbox: Outbox) {
    let shared = Arc::new(Shared::default());
    let mut tasks = tokio::task::JoinSet::new();
    for (i, cfg) in probes.into_iter().enumerate() {
        let (Some(kind), Some(probe)) = (cfg.kind.get().copied(), build(&cfg, &shared)) else {
            continue; // refused by the config check
        };
        let outbox = outbox.clone();
        tasks.spawn(async move {
            let every = Duration::from_secs(cfg.interval_secs.into());
            // spread the probes over the first tenth of an interval, so that they do
            // not all send at once
            let phase = every / 10 * (i as u32 % 10) / 10;
            let mut tick = tokio::time::interval_at(tokio::time::Instant::now() + phase, every);
            tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
            loop {
                tick.tick().await;
                let r = round(&cfg, kind, Arc::clone(&probe)).await;
                tracing::debug!(
                    probe = %r.name,
                    target = %r.target,
                    sent = r.sent,
                    received = r.received,
                    median_seconds = r.rtt.map(|s| s.median_seconds),
                    error = %r.error,
                    "probe round"
                );
                outbox.push(r);
            }
        });
    }
    while tasks.join_next().await.is_some() {
        tracing::error!("a probe task ended; its probe stopped");
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn cfg(text: &str) -> Vec<ProbeConfig> {
        #[derive(Deserialize)]
        struct F {
            probes: Vec<ProbeConfig>,
        }
        toml::from_str::<F>(text).unwrap().probes
    }

    #[test]
    fn the_issue_example_parses_with_its_defaults() {
        let p = cfg(
            "[[probes]]\nname = \"wan-core\"\nkind = \"icmp\"\ntarget = \"192.0.2.1\"\n\
             [[probes]]\nname = \"core-ssh\"\nkind = \"tcp\"\ntarget = \"[2001:db8::1]:22\"\ncount = 5\ninterval_secs = 10\n",
        );
        assert!(problems(&p).is_empty(), "{:?}", problems(&p));
        assert_eq!((p[0].count, p[0].interval_secs), (20, 60));
        assert_eq!(
            p[0].pace(),
            (Duration::from_secs(1), Duration::from_secs(5))
        );
        assert_eq!(
            p[1].pace(),
            (Duration::from_secs(1), Duration::from_secs(5))
        );
    }

    #[test]
    fn a_short_interval_paces_the_requests_closer() {
        let p =
            cfg("[[probes]]\nname = \"a\"\nkind = \"icmp\"\ntarget = \"::1\"\ninterval_secs = 2\n");
        let (gap, timeout) = p[0].pace();
        assert_eq!(gap, Duration::from_millis(50));
        assert_eq!(timeout, Duration::from_secs(1));
        // the last request's wait ends before the next round
        assert!(gap * (p[0].count - 1) + timeout < Duration::from_secs(2));
    }

    #[test]
    fn every_bad_entry_is_named_with_what_is_valid() {
        let p = cfg(
            "[[probes]]\nname = \"wan-core\"\nkind = \"icmp\"\ntarget = \"192.0.2.1\"\n\
             [[probes]]\nname = \"wan-core\"\nkind = \"icmp\"\ntarget = \"192.0.2.2\"\n\
             [[probes]]\nname = \"x\"\nkind = \"icmp\"\ntarget = \"core.example\"\ncount = 0\n\
             [[probes]]\nname = \"y\"\nkind = \"tcp\"\ntarget = \"192.0.2.1\"\ninterval_secs = 7200\n\
             [[probes]]\nname = \"Z z\"\nkind = \"udp\"\ntarget = \"192.0.2.1\"\ncount = 101\n",
        );
        let all = problems(&p);
        let want = [
            "probes[1].name = \"wan-core\": already the name of probes[0]",
            "probes[2].target = \"core.example\": must be an IPv4 or IPv6 address (no name, no port)",
            "probes[2].count = 0: must be between 1 and 100",
            "probes[3].target = \"192.0.2.1\": must be an IPv4 or IPv6 address and a port, e.g. \"192.0.2.1:443\"",
            "probes[3].interval_secs = 7200: must be between 1 and 3600 seconds",
            "probes[4].name = \"Z z\": must be 1 to 64 characters",
            "probes[4].kind = \"udp\": must be icmp or tcp",
            "probes[4].count = 101: must be between 1 and 100",
        ];
        assert_eq!(all.len(), want.len(), "{all:#?}");
        for (got, want) in all.iter().zip(want) {
            assert!(
                got.starts_with(want),
                "{got:?} does not start with {want:?}"
            );
        }
    }

    /// A probe whose request n answers after n ms, or fails for n = 3, or never
    /// answers for n = 4.
    struct Scripted;

    impl Probe for Scripted {
        fn attempt(&self, n: u32, _timeout: Duration) -> AttemptFuture<'_> {
            Box::pin(async move {
                match n {
                    3 => Err("connection refused".into()),
                    4 => std::future::pending().await,
                    n => {
                        tokio::time::sleep(Duration::from_millis(n.into())).await;
                        Ok(Some(Duration::from_millis(n.into())))
                    }
                }
            })
        }
    }

    #[tokio::test(start_paused = true)]
    async fn a_round_paces_its_requests_and_counts_what_came_back() {
        let p = &cfg("[[probes]]\nname = \"s\"\nkind = \"tcp\"\ntarget = \"127.0.0.1:1\"\ncount = 6\ninterval_secs = 12\n")[0];
        let t0 = tokio::time::Instant::now();
        let r = round(p, ProbeKind::Tcp, Arc::new(Scripted)).await;
        // 6 requests 1 s apart; the last waits its answer (5 ms), the pending one
        // (sent at 4 s) its timeout of 5 s, and the grace a kind that overruns gets
        assert_eq!(t0.elapsed(), Duration::from_secs(9) + GRACE);
        assert_eq!((r.sent, r.received), (6, 4));
        assert_eq!(r.rtt_seconds, [0.0, 0.001, 0.002, 0.005]);
        assert!((r.loss_ratio - 2.0 / 6.0).abs() < 1e-12);
        assert_eq!(r.error, "connection refused");
        assert!((r.rtt.unwrap().median_seconds - 0.0015).abs() < 1e-12);
    }
}
