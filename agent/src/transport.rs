//! Sends reports to the collector: gzip-compressed JSON over HTTP(S) with the token.

use std::io::Write;
use std::time::Duration;

use simpul_protocol::{ErrorBody, IngestResponse, Report};

use crate::token::Token;

/// Why a send did not get an acknowledgement.
#[derive(Debug, thiserror::Error)]
pub enum SendError {
    /// The collector refused the report (4xx): re-sending the same report will not help.
    #[error("collector rejected the report with HTTP {status}: {message}")]
    Rejected { status: u16, message: String },
    /// No answer, or a 5xx: worth retrying later.
    #[error("collector unavailable: {0}")]
    Unavailable(String),
}

/// An HTTP client bound to one collector and one token.
pub struct Transport {
    client: reqwest::Client,
    url: String,
    token: Token,
}

impl Transport {
    pub fn new(collector_url: &str, token: Token, timeout: Duration) -> anyhow::Result<Self> {
        // rustls needs a process-wide crypto provider; ring keeps the build free of C
        // toolchain requirements beyond what ring itself needs. Installing twice is fine.
        let _ = rustls::crypto::ring::default_provider().install_default();
        let client = reqwest::Client::builder()
            .timeout(timeout)
            .user_agent(concat!("simpul-agent/", env!("CARGO_PKG_VERSION")))
            .pool_max_idle_per_host(1)
            .build()?;
        let url = format!("{}/api/v1/reports", collector_url.trim_end_matches('/'));
        Ok(Self { client, url, token })
    }

    /// Sends a batch of reports and returns the collector's acknowledgement.
    pub async fn send(&self, reports: &[Report]) -> Result<IngestResponse, SendError> {
        let body = gzip_json(reports)
            .map_err(|e| SendError::Unavailable(format!("cannot encode report: {e}")))?;
        let resp = self
            .client
            .post(&self.url)
            .bearer_auth(self.token.secret_header())
            .header("content-type", "application/json")
            .header("content-encoding", "gzip")
            .body(body)
            .send()
            .await
            .map_err(|e| SendError::Unavailable(format!("{}: {e}", self.url)))?;
        let status = resp.status();
        let bytes = resp
            .bytes()
            .await
            .map_err(|e| SendError::Unavailable(e.to_string()))?;
        if status.is_success() {
            return serde_json::from_slice(&bytes).map_err(|e| {
                SendError::Unavailable(format!("unexpected answer from {}: {e}", self.url))
            });
        }
        let message = match serde_json::from_slice::<ErrorBody>(&bytes) {
            Ok(b) if b.violations.is_empty() => b.error,
            Ok(b) => {
                let v: Vec<_> = b
                    .violations
                    .iter()
                    .map(|v| format!("{}: {}", v.field, v.rule))
                    .collect();
                format!("{} ({})", b.error, v.join("; "))
            }
            Err(_) => String::from_utf8_lossy(&bytes).chars().take(300).collect(),
        };
        if status.is_client_error() {
            Err(SendError::Rejected {
                status: status.as_u16(),
                message,
            })
        } else {
            Err(SendError::Unavailable(format!(
                "HTTP {}: {message}",
                status.as_u16()
            )))
        }
    }
}

fn gzip_json(reports: &[Report]) -> std::io::Result<Vec<u8>> {
    let mut enc =
        flate2::write::GzEncoder::new(Vec::with_capacity(2048), flate2::Compression::default());
    serde_json::to_writer(&mut enc, reports)?;
    enc.flush()?;
    enc.finish()
}
