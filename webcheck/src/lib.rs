//! Web probes for Simpul: one HTTP(S) GET of a website, followed through its redirects,
//! with the time of each phase (DNS, TCP connect, TLS handshake, first byte, transfer),
//! the expected status and body checked, and for every HTTPS hop the served certificate
//! chain, whether it verifies and why not.
//!
//! The collector probes every declared website with it, and agents probe those whose
//! `probe_from` names their host, so it is a crate of its own that depends on neither.
//! One probe is [`probe::check`]; what it found is a [`Check`]. The chain is captured
//! even when it does not verify ([`cert`]): an expired or unknown-CA certificate is
//! reported as such, with its fields, not as a bare TLS error.

pub mod cert;
mod http;
pub mod probe;
mod time;

use serde::{Deserialize, Serialize};

pub use cert::{CertInfo, TlsInfo, Trust, TrustError, Verdict};
pub use probe::{check, Target};
pub use time::utc_text;
pub use url::Url;

/// What one probe of a website concluded. Only [`State::Up`] counts as available.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum State {
    /// The answer had an expected status (and body), every certificate verified.
    Up,
    /// A served certificate does not verify (expired, not yet valid, unknown CA, wrong
    /// name, ...): browsers refuse the site, so it is down for the public.
    CertificateInvalid,
    /// The final answer's status is not one of the expected ones.
    UnexpectedStatus,
    /// The final answer lacks the expected body text.
    BodyMismatch,
    /// More redirects than the limit.
    TooManyRedirects,
    /// No complete answer within the timeout.
    Timeout,
    /// The host name has no address.
    DnsFailed,
    /// No TCP connection to any of its addresses (refused, unreachable).
    ConnectFailed,
    /// The TLS handshake failed (protocol, reset, no common cipher).
    TlsFailed,
    /// Connected, but no valid HTTP answer (reset, closed early, not HTTP, a bad
    /// redirect).
    HttpError,
}

impl State {
    /// Every state, in the order pages list them.
    pub const ALL: [State; 10] = [
        State::Up,
        State::CertificateInvalid,
        State::UnexpectedStatus,
        State::BodyMismatch,
        State::TooManyRedirects,
        State::Timeout,
        State::DnsFailed,
        State::ConnectFailed,
        State::TlsFailed,
        State::HttpError,
    ];

    /// As the API, the database and labels spell it.
    pub const fn as_str(self) -> &'static str {
        match self {
            State::Up => "up",
            State::CertificateInvalid => "certificate_invalid",
            State::UnexpectedStatus => "unexpected_status",
            State::BodyMismatch => "body_mismatch",
            State::TooManyRedirects => "too_many_redirects",
            State::Timeout => "timeout",
            State::DnsFailed => "dns_failed",
            State::ConnectFailed => "connect_failed",
            State::TlsFailed => "tls_failed",
            State::HttpError => "http_error",
        }
    }

    /// The state spelled `s`, if any.
    pub fn parse(s: &str) -> Option<State> {
        State::ALL.into_iter().find(|x| x.as_str() == s)
    }

    /// Whether the site counts as available.
    pub const fn is_up(self) -> bool {
        matches!(self, State::Up)
    }
}

/// How long each phase of one request took, in seconds. The phases follow each other:
/// their sum is the request's time. A phase not reached, or not needed (no DNS for an
/// address, no TLS for http), is 0.
#[derive(Debug, Clone, Copy, Default, PartialEq, Serialize, Deserialize)]
pub struct Phases {
    /// Resolving the host name.
    pub dns_seconds: f64,
    /// The TCP handshake.
    pub connect_seconds: f64,
    /// The TLS handshake.
    pub tls_seconds: f64,
    /// From the request written to the first byte of the answer: the server's time.
    pub first_byte_seconds: f64,
    /// From the first byte to the end of the answer (or of the part read).
    pub transfer_seconds: f64,
}

impl Phases {
    /// The phases by name, as the `phase` label spells them.
    pub fn named(&self) -> [(&'static str, f64); 5] {
        [
            ("dns", self.dns_seconds),
            ("connect", self.connect_seconds),
            ("tls", self.tls_seconds),
            ("first_byte", self.first_byte_seconds),
            ("transfer", self.transfer_seconds),
        ]
    }

    fn add(&mut self, o: &Phases) {
        self.dns_seconds += o.dns_seconds;
        self.connect_seconds += o.connect_seconds;
        self.tls_seconds += o.tls_seconds;
        self.first_byte_seconds += o.first_byte_seconds;
        self.transfer_seconds += o.transfer_seconds;
    }
}

/// One request of a probe: the URL asked, and what came back.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Hop {
    pub url: String,
    /// The address connected to (`127.0.0.1:443`), once connected.
    pub address: Option<String>,
    /// The answer's status, once there was one.
    pub status: Option<u16>,
    /// Its `Location` header, when it redirects.
    pub location: Option<String>,
    pub phases: Phases,
    /// The TLS session of an https hop, once the handshake was done.
    pub tls: Option<TlsInfo>,
}

/// Everything one probe found.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Check {
    /// The URL probed.
    pub url: String,
    /// When the probe started, Unix seconds.
    pub started_at: f64,
    pub state: State,
    /// Why it is not up, in one line naming the hop (empty when up).
    pub reason: String,
    /// The final answer's status.
    pub status: Option<u16>,
    /// From start to end, seconds.
    pub total_seconds: f64,
    /// Every hop's phases added up (as blackbox_exporter's `probe_http_duration_seconds`).
    pub phases: Phases,
    /// Each request in order: the first is the URL probed, the others its redirects.
    pub hops: Vec<Hop>,
}

impl Check {
    /// The certificate that matters: the first https hop's (the URL's own when it is
    /// https; else the one an http URL redirects to).
    pub fn tls(&self) -> Option<&TlsInfo> {
        self.hops.iter().find_map(|h| h.tls.as_ref())
    }

    /// The number of redirects followed.
    pub fn redirects(&self) -> usize {
        self.hops.len().saturating_sub(1)
    }
}
