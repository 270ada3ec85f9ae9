//! Sends batches of reports to the collector: gzip-compressed JSON over HTTP(S) with the
//! token, on a blocking client (ureq + rustls): the agent makes one request per interval
//! and needs neither an async runtime nor a connection pool.

use std::path::Path;
use std::sync::Arc;
use std::time::Duration;

use simpul_protocol::{ErrorBody, IngestResponse};
use ureq::tls::{Certificate, ClientCert, PemItem, PrivateKey, RootCerts, TlsConfig};
use ureq::unversioned::transport::Connector;

use crate::token::Token;

/// The largest answer read from the collector.
const MAX_ANSWER: u64 = 1 << 20;
/// Where Debian keeps the system's trusted CAs, used for https without `ca_file`.
const SYSTEM_CA_BUNDLE: &str = "/etc/ssl/certs/ca-certificates.crt";

/// Why a send did not get an acknowledgement.
#[derive(Debug, thiserror::Error)]
pub enum SendError {
    /// The collector refused the content of the batch (400, 422): sending the same
    /// reports again will not help.
    #[error("collector rejected the reports with HTTP {status}: {message}")]
    Rejected { status: u16, message: String },
    /// The batch is larger than the collector accepts (413): send fewer at once.
    #[error("collector refused the batch as too large: {0}")]
    TooLarge(String),
    /// Unreachable, TLS failure, 5xx, 429, or the token/binding refused (401/403):
    /// keep the reports and retry later.
    #[error("{0}")]
    Unavailable(String),
}

/// TLS settings of the agent.
#[derive(Debug, Clone, Default)]
pub struct TlsFiles<'a> {
    /// PEM bundle of the CAs that may sign the collector's certificate.
    pub ca_file: Option<&'a Path>,
    /// PEM certificate chain and key presented to a collector that requires mTLS.
    pub client_cert: Option<(&'a Path, &'a Path)>,
}

/// An HTTP client bound to one collector and one token.
pub struct Transport {
    agent: ureq::Agent,
    url: String,
    token: Token,
    /// The website tasks held, when this agent probes websites for the collector: their
    /// digest goes with every request.
    pub websites: Option<crate::websites::Tasks>,
}

fn read_pem(path: &Path, what: &str) -> anyhow::Result<Vec<PemItem<'static>>> {
    let bytes = std::fs::read(path)
        .map_err(|e| anyhow::anyhow!("cannot read {what} {}: {e}", path.display()))?;
    let items: Result<Vec<_>, _> = ureq::tls::parse_pem(&bytes).collect();
    items.map_err(|e| anyhow::anyhow!("{what} {} is not valid PEM: {e}", path.display()))
}

fn certificates(path: &Path, what: &str) -> anyhow::Result<Vec<Certificate<'static>>> {
    let certs: Vec<_> = read_pem(path, what)?
        .into_iter()
        .filter_map(|i| match i {
            PemItem::Certificate(c) => Some(c),
            _ => None,
        })
        .collect();
    if certs.is_empty() {
        anyhow::bail!("{what} {} holds no certificate", path.display());
    }
    Ok(certs)
}

fn private_key(path: &Path) -> anyhow::Result<PrivateKey<'static>> {
    read_pem(path, "client_key_file")?
        .into_iter()
        .find_map(|i| match i {
            PemItem::PrivateKey(k) => Some(k),
            _ => None,
        })
        .ok_or_else(|| anyhow::anyhow!("client_key_file {} holds no private key", path.display()))
}

/// An HTTP client for `collector_url`: the CA bundle and client certificate are read
/// now, so that a bad path fails at once.
pub fn http_agent(
    collector_url: &str,
    timeout: Duration,
    tls: &TlsFiles<'_>,
) -> anyhow::Result<ureq::Agent> {
    let mut tls_config = TlsConfig::builder()
        .unversioned_rustls_crypto_provider(Arc::new(rustls::crypto::ring::default_provider()));
    if collector_url.starts_with("https://") {
        let roots = match tls.ca_file {
            Some(p) => certificates(p, "ca_file")?,
            None => certificates(Path::new(SYSTEM_CA_BUNDLE), "system CA bundle")?,
        };
        tls_config = tls_config.root_certs(RootCerts::new_with_certs(&roots));
        if let Some((cert, key)) = tls.client_cert {
            let chain = certificates(cert, "client_cert_file")?;
            let key = private_key(key)?;
            tls_config = tls_config.client_cert(Some(ClientCert::new_with_certs(&chain, key)));
        }
    }
    let config = ureq::Agent::config_builder()
        .timeout_global(Some(timeout))
        .http_status_as_error(false)
        .user_agent(concat!("simpul-agent/", env!("CARGO_PKG_VERSION")))
        .max_idle_connections(1)
        .max_idle_connections_per_host(1)
        .tls_config(tls_config.build())
        .build();
    Ok(ureq::Agent::with_parts(
        config,
        // the request's head and body in one write (agent/src/one_write.rs)
        ureq::unversioned::transport::DefaultConnector::new().chain(crate::one_write::OneWrite),
        crate::resolve::CollectorResolver::default(),
    ))
}

/// The collector's error message in an error answer (its JSON `error`, or the text).
pub fn error_message(bytes: &[u8]) -> String {
    match serde_json::from_slice::<ErrorBody>(bytes) {
        Ok(b) if b.violations.is_empty() => b.error,
        Ok(b) => {
            let v: Vec<_> = b
                .violations
                .iter()
                .map(|v| format!("{}: {}", v.field, v.rule))
                .collect();
            format!("{} ({})", b.error, v.join("; "))
        }
        Err(_) => String::from_utf8_lossy(bytes).chars().take(300).collect(),
    }
}

impl Transport {
    /// A client for `collector_url`; reads the CA bundle and client certificate now so
    /// that a bad path fails at start.
    pub fn new(
        collector_url: &str,
        token: Token,
        timeout: Duration,
        tls: &TlsFiles<'_>,
    ) -> anyhow::Result<Self> {
        let agent = http_agent(collector_url, timeout, tls)?;
        let url = format!("{}/api/v1/reports", collector_url.trim_end_matches('/'));
        Ok(Self {
            agent,
            url,
            token,
            websites: None,
        })
    }

    /// Sends a JSON array of reports and returns the collector's acknowledgement.
    pub fn send(&self, json_array: &[u8]) -> Result<IngestResponse, SendError> {
        let body = crate::gzip::compress(json_array);
        let mut req = self.agent.post(&self.url);
        if let Some(w) = &self.websites {
            req = req.header(simpul_protocol::WEBSITES_HEADER, &w.digest());
        }
        let mut resp = req
            .header(
                "authorization",
                &format!("Bearer {}", self.token.secret_header()),
            )
            .header("content-type", "application/json")
            .header("content-encoding", "gzip")
            .header(simpul_protocol::ACCEPT_REFUSED_HEADER, "1")
            .send(&body[..])
            .map_err(|e| SendError::Unavailable(format!("{}: {e}", self.url)))?;
        let status = resp.status().as_u16();
        let bytes = resp
            .body_mut()
            .with_config()
            .limit(MAX_ANSWER)
            .read_to_vec()
            .map_err(|e| {
                SendError::Unavailable(format!("{}: reading the answer: {e}", self.url))
            })?;
        if (200..300).contains(&status) {
            return serde_json::from_slice(&bytes).map_err(|e| {
                SendError::Unavailable(format!("unexpected answer from {}: {e}", self.url))
            });
        }
        let message = error_message(&bytes);
        Err(match status {
            400 | 415 | 422 => SendError::Rejected { status, message },
            413 => SendError::TooLarge(message),
            _ => SendError::Unavailable(format!("{}: HTTP {status}: {message}", self.url)),
        })
    }
}
