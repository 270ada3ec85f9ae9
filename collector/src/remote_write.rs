//! Prometheus remote write 1.0 from the collector: every `interval` the same samples
//! `/metrics` shows are taken, queued, and POSTed as a snappy-compressed protobuf
//! `WriteRequest` to each `[[remote_write]]` receiver (VictoriaMetrics, Mimir, Thanos
//! Receive, Prometheus with `--web.enable-remote-write-receiver`).
//!
//! One thread per receiver. The samples are encoded straight from the metric writer
//! into requests of at most `max_samples_per_send` samples (receivers limit request
//! sizes), compressed at once: the queue holds compressed requests, some 10 to 20 bytes
//! a sample. Requests keep their sample time, so a receiver that was down gets the gap
//! filled when it returns. The queue is bounded (`max_queue_samples`): past it the
//! oldest requests are dropped and counted. Failures back off exponentially from 1 s to
//! 60 s; a 4xx other than 429 is the receiver refusing the data itself, so that request
//! is not retried (counted as rejected).
//!
//! The interface counters are the exception to "the samples `/metrics` shows": each
//! poll an agent made is sent once, at the time of the poll, as it is stored (also the
//! polls an agent spooled through a WAN outage, which fill the gap), not every
//! interval.

use std::collections::VecDeque;
use std::sync::atomic::Ordering;
use std::sync::Arc;
use std::time::{Duration, Instant};

use crate::metrics::expo::Sink;
use crate::metrics::Exposition;

/// One `[[remote_write]]` table: a setting of collector.toml.
pub use crate::config::remote_write::RemoteWriteConfig;

/// Counters of one receiver, exported in `/metrics`.
pub use crate::metrics::RemoteWriteStats as Stats;

// ---- protobuf (prometheus.WriteRequest), by hand: four small messages ---------------

fn varint(out: &mut Vec<u8>, mut v: u64) {
    while v >= 0x80 {
        out.push((v as u8) | 0x80);
        v >>= 7;
    }
    out.push(v as u8);
}

/// Bytes of `v` as a varint.
fn varint_len(v: u64) -> usize {
    (64 - (v | 1).leading_zeros() as usize).div_ceil(7)
}

fn bytes_field(out: &mut Vec<u8>, field: u64, b: &[u8]) {
    varint(out, field << 3 | 2);
    varint(out, b.len() as u64);
    out.extend_from_slice(b);
}

/// One `TimeSeries` (field 1 of `WriteRequest`) with one sample: labels sorted by
/// name, as the protocol requires (`__name__` sorts before lower-case names).
fn encode_series(
    out: &mut Vec<u8>,
    name: &str,
    labels: &[(&str, &str)],
    external: &[(String, String)],
    value: f64,
    timestamp_ms: i64,
    scratch: &mut Vec<u8>,
) {
    let mut sorted: Vec<(&str, &str)> = Vec::with_capacity(labels.len() + 1 + external.len());
    sorted.push(("__name__", name));
    sorted.extend_from_slice(labels);
    for (k, v) in external {
        // a series' own label wins over an external one of the same name
        if !labels.iter().any(|(l, _)| l == k) {
            sorted.push((k, v));
        }
    }
    sorted.sort_by(|a, b| a.0.cmp(b.0));
    // nested messages written in place: each length is known before its bytes
    scratch.clear();
    for (k, v) in sorted {
        let len = 2 + varint_len(k.len() as u64) + k.len() + varint_len(v.len() as u64) + v.len();
        varint(scratch, 1 << 3 | 2);
        varint(scratch, len as u64);
        bytes_field(scratch, 1, k.as_bytes());
        bytes_field(scratch, 2, v.as_bytes());
    }
    let ts = timestamp_ms as u64;
    varint(scratch, 2 << 3 | 2);
    varint(scratch, (1 + 8 + 1 + varint_len(ts)) as u64);
    varint(scratch, 1 << 3 | 1);
    scratch.extend_from_slice(&value.to_le_bytes());
    varint(scratch, 2 << 3);
    varint(scratch, ts);
    bytes_field(out, 1, scratch);
}

/// One compressed remote-write request.
#[derive(Debug)]
pub struct Chunk {
    /// The snappy-compressed `WriteRequest`.
    pub body: Vec<u8>,
    pub samples: usize,
}

/// Encodes samples, all at one time, into requests of at most `max` samples.
#[derive(Debug)]
pub struct Batcher {
    timestamp_ms: i64,
    max: usize,
    buf: Vec<u8>,
    scratch: Vec<u8>,
    n: usize,
    chunks: Vec<Chunk>,
    external: Vec<(String, String)>,
}

impl Batcher {
    pub fn new(timestamp_ms: i64, max: usize) -> Self {
        Self {
            timestamp_ms,
            max: max.max(1),
            buf: Vec::with_capacity(max * 128),
            scratch: Vec::with_capacity(256),
            n: 0,
            chunks: Vec::new(),
            external: Vec::new(),
        }
    }

    /// Adds `labels` to every series.
    pub fn with_labels(mut self, labels: Vec<(String, String)>) -> Self {
        self.external = labels;
        self
    }

    pub fn finish(mut self) -> Vec<Chunk> {
        self.flush();
        self.chunks
    }
}

impl Sink for Batcher {
    fn push(&mut self, name: &str, labels: &[(&str, &str)], value: f64) {
        self.push_at(name, labels, value, self.timestamp_ms);
    }
}

impl Batcher {
    /// One sample at its own time (milliseconds since the epoch).
    pub fn push_at(&mut self, name: &str, labels: &[(&str, &str)], value: f64, ms: i64) {
        encode_series(
            &mut self.buf,
            name,
            labels,
            &self.external,
            value,
            ms,
            &mut self.scratch,
        );
        self.n += 1;
        if self.n >= self.max {
            self.flush();
        }
    }

    fn flush(&mut self) {
        if self.n == 0 {
            return;
        }
        let body = snap::raw::Encoder::new()
            .compress_vec(&self.buf)
            .unwrap_or_default();
        self.chunks.push(Chunk {
            body,
            samples: self.n,
        });
        self.buf.clear();
        self.n = 0;
    }
}

enum Sent {
    Ok,
    /// Retry later (network error, 5xx, 429).
    Retry(String),
    /// The receiver refused the data (4xx): do not retry.
    Refused(String),
}

fn post(agent: &ureq::Agent, cfg: &RemoteWriteConfig, token: Option<&str>, body: Vec<u8>) -> Sent {
    let mut req = agent
        .post(&cfg.url)
        .header("content-type", "application/x-protobuf")
        .header("content-encoding", "snappy")
        .header("x-prometheus-remote-write-version", "0.1.0")
        .header(
            "user-agent",
            concat!("simpul-collector/", env!("CARGO_PKG_VERSION")),
        );
    if let Some(t) = token {
        req = req.header("authorization", &format!("Bearer {t}"));
    }
    match req.send(&body[..]) {
        Ok(mut r) => {
            let code = r.status().as_u16();
            if (200..300).contains(&code) {
                return Sent::Ok;
            }
            let text: String = r
                .body_mut()
                .read_to_string()
                .unwrap_or_default()
                .chars()
                .take(300)
                .collect();
            if code == 429 || code >= 500 {
                Sent::Retry(format!("HTTP {code}: {text}"))
            } else {
                Sent::Refused(format!("HTTP {code}: {text}"))
            }
        }
        Err(e) => Sent::Retry(e.to_string()),
    }
}

/// A running sender: dropping `stop` ends it (at once, even mid-sleep); join `thread`
/// to know it has let go of the collector's state.
#[derive(Debug)]
pub struct Sender {
    pub stop: std::sync::mpsc::Sender<()>,
    pub thread: std::thread::JoinHandle<()>,
}

/// Starts the sender thread of receiver `index`; its counters are registered in the
/// collector's metrics. Samples still queued when it is stopped are not sent.
pub fn spawn(
    expo: Arc<Exposition>,
    cfg: RemoteWriteConfig,
    index: usize,
) -> std::io::Result<Sender> {
    let stats = Arc::new(Stats {
        url: cfg.url.clone(),
        ..Stats::default()
    });
    expo.metrics
        .remote_write
        .write()
        .unwrap_or_else(std::sync::PoisonError::into_inner)
        .push(Arc::clone(&stats));
    let (stop, stopped) = std::sync::mpsc::channel();
    let thread = std::thread::Builder::new()
        .name(format!("remote-write-{index}"))
        .spawn(move || run(&expo, &cfg, &stats, &stopped))?;
    Ok(Sender { stop, thread })
}

fn run(
    expo: &Exposition,
    cfg: &RemoteWriteConfig,
    stats: &Stats,
    stopped: &std::sync::mpsc::Receiver<()>,
) {
    let interval = Duration::from_secs_f64(cfg.interval.seconds().max(1.0));
    let agent: ureq::Agent = ureq::Agent::config_builder()
        .http_status_as_error(false)
        .timeout_global(Some(Duration::from_secs_f64(
            cfg.timeout.seconds().max(1.0),
        )))
        .build()
        .into();
    let mut queue: VecDeque<Chunk> = VecDeque::new();
    let mut queued = 0usize;
    let mut next_take = Instant::now();
    let mut next_try = Instant::now();
    let mut backoff = Duration::from_secs(1);
    let mut failing = false;
    let mut external: Vec<(String, String)> = cfg
        .external_labels
        .iter()
        .map(|(k, v)| (k.clone(), v.clone()))
        .collect();
    if expo.replica.shared && !cfg.external_labels.contains_key("collector") {
        external.push(("collector".into(), expo.replica.name()));
    }
    // the interface polls stored from now on, each sent once at its own time
    let polls = Arc::clone(&expo.metrics.interface_samples);
    let mut cursor = polls.end();
    tracing::info!(url = %cfg.url, interval_secs = interval.as_secs(), "remote write started");
    loop {
        let now = Instant::now();
        if now >= next_take {
            let mut batcher = Batcher::new(
                (crate::now_seconds() * 1000.0) as i64,
                cfg.max_samples_per_send,
            )
            .with_labels(external.clone());
            expo.write_to(&mut batcher);
            let (stored, next, lost) = polls.since(cursor, usize::MAX);
            cursor = next;
            if lost > 0 {
                let per_poll = crate::metrics::interfaces::FAMILIES.len() as u64;
                stats.dropped.fetch_add(lost * per_poll, Ordering::Relaxed);
            }
            for i in &stored {
                let ms = (i.sample_time_seconds * 1000.0) as i64;
                crate::metrics::interfaces::samples(i, |name, labels, v| {
                    batcher.push_at(name, labels, v, ms);
                });
            }
            for chunk in batcher.finish() {
                queued += chunk.samples;
                queue.push_back(chunk);
            }
            next_take += interval;
            if next_take < now {
                next_take = now + interval;
            }
            while queued > cfg.max_queue_samples {
                let Some(old) = queue.pop_front() else { break };
                queued -= old.samples;
                stats
                    .dropped
                    .fetch_add(old.samples as u64, Ordering::Relaxed);
            }
        }
        while now >= next_try {
            let Some(chunk) = queue.front() else { break };
            let n = chunk.samples as u64;
            let body = chunk.body.clone();
            let token = cfg
                .bearer_token_file
                .as_ref()
                .and_then(|f| std::fs::read_to_string(f).ok())
                .map(|t| t.trim().to_owned());
            match post(&agent, cfg, token.as_deref(), body) {
                Sent::Ok => {
                    stats.sent.fetch_add(n, Ordering::Relaxed);
                    stats
                        .last_success
                        .store(crate::now_seconds() as u64, Ordering::Relaxed);
                    if failing {
                        tracing::info!(url = %cfg.url, queued, "remote write receiver reachable again");
                        failing = false;
                    }
                    backoff = Duration::from_secs(1);
                    queued -= chunk.samples;
                    queue.pop_front();
                }
                Sent::Refused(why) => {
                    stats.rejected.fetch_add(n, Ordering::Relaxed);
                    tracing::warn!(url = %cfg.url, samples = n, error = %why, "remote write receiver refused a batch; not retried");
                    queued -= chunk.samples;
                    queue.pop_front();
                }
                Sent::Retry(why) => {
                    stats.failed.fetch_add(n, Ordering::Relaxed);
                    if !failing {
                        tracing::warn!(url = %cfg.url, error = %why, "remote write failed; samples queue and are retried with backoff");
                        failing = true;
                    }
                    next_try = Instant::now() + backoff;
                    backoff = (backoff * 2).min(Duration::from_secs(60));
                    break;
                }
            }
        }
        stats.queued.store(queued as u64, Ordering::Relaxed);
        let wake = if queue.is_empty() {
            next_take
        } else {
            next_take.min(next_try)
        };
        // sleep until the next take or retry, or until the collector stops
        if let Err(std::sync::mpsc::RecvTimeoutError::Disconnected) =
            stopped.recv_timeout(wake.saturating_duration_since(Instant::now()))
        {
            if queued > 0 {
                tracing::warn!(url = %cfg.url, queued, "remote write stopped with samples not sent");
            }
            return;
        }
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, reason = "test code")]
    use super::*;

    #[test]
    fn encodes_a_write_request() {
        let (mut b, mut scratch) = (Vec::new(), Vec::new());
        encode_series(
            &mut b,
            "up",
            &[("host", "a"), ("agency", "dinkes")],
            &[
                ("collector".into(), "c1".into()),
                ("host".into(), "not this".into()),
            ],
            1.0,
            1_700_000_000_000,
            &mut scratch,
        );
        // WriteRequest.timeseries (1, len) > TimeSeries.labels (1, len) > Label.name (1) ...
        assert_eq!(b[0], 0x0a);
        assert_eq!(b.len(), 2 + b[1] as usize, "one length-delimited series");
        // labels sorted: __name__, agency, collector (external), host (the series' own)
        let text = String::from_utf8_lossy(&b);
        let (n, a, c, h) = (
            text.find("__name__").unwrap(),
            text.find("agency").unwrap(),
            text.find("collector").unwrap(),
            text.find("host").unwrap(),
        );
        assert!(n < a && a < c && c < h, "{text}");
        assert!(!text.contains("not this"), "{text}");
        // the sample: field 1 double 1.0, field 2 varint timestamp
        let mut sample = vec![0x09];
        sample.extend_from_slice(&1.0f64.to_le_bytes());
        sample.push(0x10);
        varint(&mut sample, 1_700_000_000_000);
        assert!(b.windows(sample.len()).any(|w| w == sample.as_slice()));
    }

    #[test]
    fn varint_lengths_match_the_encoding() {
        for v in [
            0u64,
            1,
            127,
            128,
            16_383,
            16_384,
            1_700_000_000_000,
            u64::MAX,
        ] {
            let mut b = Vec::new();
            varint(&mut b, v);
            assert_eq!(varint_len(v), b.len(), "{v}");
        }
    }

    #[test]
    fn splits_into_requests_of_at_most_max_samples() {
        let mut b = Batcher::new(1, 100);
        for i in 0..250 {
            b.push("x", &[("i", &i.to_string())], 1.0);
        }
        let chunks = b.finish();
        let sizes: Vec<usize> = chunks.iter().map(|c| c.samples).collect();
        assert_eq!(sizes, [100, 100, 50]);
        let raw = snap::raw::Decoder::new()
            .decompress_vec(&chunks[2].body)
            .unwrap();
        assert!(raw.iter().filter(|b| **b == 0x0a).count() >= 50);
    }

    #[test]
    fn checks_its_config() {
        let c: RemoteWriteConfig =
            toml::from_str("url = \"ftp://x\"\ninterval = \"0s\"\nmax_queue_samples = 5").unwrap();
        let p = c.problems(0).join("\n");
        assert!(p.contains("remote_write[0].url"), "{p}");
        assert!(p.contains("remote_write[0].interval"), "{p}");
        assert!(p.contains("remote_write[0].max_queue_samples"), "{p}");
        let ok: RemoteWriteConfig =
            toml::from_str("url = \"http://127.0.0.1:8428/api/v1/write\"").unwrap();
        assert!(ok.problems(0).is_empty());
    }
}
