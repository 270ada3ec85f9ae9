//! `[[remote_write]]` of collector.toml: the Prometheus remote-write receivers.

use std::path::PathBuf;

use serde::Deserialize;

use crate::period::Span;

/// One `[[remote_write]]` table.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RemoteWriteConfig {
    /// The receiver's write endpoint, e.g. `http://127.0.0.1:8428/api/v1/write`.
    pub url: String,
    /// How often the samples are taken, e.g. `30s` (1s .. 1h).
    #[serde(default = "default_interval")]
    pub interval: Span,
    /// Most samples waiting while the receiver is unreachable (10000 .. 100000000);
    /// beyond that the oldest are dropped.
    #[serde(default = "default_max_queue_samples")]
    pub max_queue_samples: usize,
    /// Most samples in one request (100 .. 100000).
    #[serde(default = "default_max_samples_per_send")]
    pub max_samples_per_send: usize,
    /// Request timeout, e.g. `10s`.
    #[serde(default = "default_timeout")]
    pub timeout: Span,
    /// A file holding a bearer token for the receiver (sent as `Authorization`).
    #[serde(default)]
    pub bearer_token_file: Option<PathBuf>,
    /// Labels added to every series sent, e.g. `{ replica = "collector-1" }`. With
    /// replicas on PostgreSQL, a `collector` label naming the replica (host and listen
    /// address) is added unless set here, so that the replicas' own series stay apart.
    #[serde(default)]
    pub external_labels: std::collections::BTreeMap<String, String>,
}

fn default_interval() -> Span {
    "30s".into()
}
fn default_max_queue_samples() -> usize {
    1_000_000
}
fn default_max_samples_per_send() -> usize {
    2000
}
fn default_timeout() -> Span {
    "10s".into()
}

impl RemoteWriteConfig {
    /// Problems of this table (`i` is its index, for messages).
    pub fn problems(&self, i: usize) -> Vec<String> {
        let mut p = Vec::new();
        let at = format!("remote_write[{i}]");
        if !(self.url.starts_with("http://") || self.url.starts_with("https://"))
            || self.url.len() < 10
        {
            p.push(format!(
                "{at}.url = {:?}: must be an http:// or https:// URL of a remote-write endpoint, e.g. \"http://127.0.0.1:8428/api/v1/write\"",
                self.url
            ));
        }
        if self
            .interval
            .secs()
            .is_none_or(|s| !(1..=3600).contains(&s))
        {
            p.push(format!(
                "{at}.interval = {:?}: a duration from 1s to 1h, e.g. \"30s\"",
                self.interval.as_str()
            ));
        }
        if self.timeout.secs().is_none_or(|s| !(1..=300).contains(&s)) {
            p.push(format!(
                "{at}.timeout = {:?}: a duration from 1s to 5m, e.g. \"10s\"",
                self.timeout.as_str()
            ));
        }
        if !(100..=100_000).contains(&self.max_samples_per_send) {
            p.push(format!(
                "{at}.max_samples_per_send = {}: must be between 100 and 100000",
                self.max_samples_per_send
            ));
        }
        for k in self.external_labels.keys() {
            let mut chars = k.chars();
            let valid = chars
                .next()
                .is_some_and(|c| c.is_ascii_alphabetic() || c == '_')
                && chars.all(|c| c.is_ascii_alphanumeric() || c == '_')
                && !k.starts_with("__");
            if !valid {
                p.push(format!(
                    "{at}.external_labels.{k:?}: a label name is letters, digits and _, not starting with a digit or __"
                ));
            }
        }
        if !(10_000..=100_000_000).contains(&self.max_queue_samples) {
            p.push(format!(
                "{at}.max_queue_samples = {}: must be between 10000 and 100000000",
                self.max_queue_samples
            ));
        }
        p
    }
}
