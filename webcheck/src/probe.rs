//! One probe of one website ([`check`]): for each hop, the name resolved, a TCP
//! connection, the TLS handshake for https (the chain captured and judged), a GET, and
//! its answer; redirects followed up to the limit; the status and body checked at the
//! end. One deadline covers the whole probe.

use std::net::{IpAddr, SocketAddr};
use std::time::{Duration, Instant as StdInstant, SystemTime, UNIX_EPOCH};

use rustls::pki_types::ServerName;
use tokio::net::TcpStream;
use tokio::time::Instant;
use url::{Host, Url};

use crate::cert::{TlsInfo, Trust, Verdict};
use crate::http::{self, Failure};
use crate::{Check, Hop, Phases, State};

/// The User-Agent the probes send, so that a site's owner can tell them in the logs.
pub const USER_AGENT: &str = concat!(
    "simpul-webcheck/",
    env!("CARGO_PKG_VERSION"),
    " (+https://github.com/simpul/simpul)"
);

/// The statuses that are redirects.
const REDIRECTS: [u16; 5] = [301, 302, 303, 307, 308];

/// What to probe and what counts as up.
#[derive(Debug, Clone)]
pub struct Target {
    /// An http or https URL.
    pub url: Url,
    /// The whole probe, redirects included, must end within this.
    pub timeout: Duration,
    /// The statuses of the final answer that count as up; empty: 200 to 299.
    pub expected_status: Vec<u16>,
    /// Text the final answer's body must contain (within its first MiB).
    pub body_contains: Option<String>,
    /// Redirects followed; 0: none (a redirect is then the final answer).
    pub max_redirects: u32,
    /// Connect here instead of resolving the URL's host (curl's `--resolve`); the
    /// `Host` header, SNI and the certificate's name stay the URL's. Used for hops to
    /// the URL's own host only.
    pub connect_to: Option<IpAddr>,
    /// The CAs https certificates are verified against.
    pub trust: Trust,
}

/// The default number of redirects followed (blackbox_exporter's and Go's: 10).
pub const DEFAULT_MAX_REDIRECTS: u32 = 10;

impl Target {
    /// A target with the defaults: 2xx up, 10 redirects, no body check.
    pub fn new(url: Url, timeout: Duration, trust: Trust) -> Self {
        Self {
            url,
            timeout,
            expected_status: Vec::new(),
            body_contains: None,
            max_redirects: DEFAULT_MAX_REDIRECTS,
            connect_to: None,
            trust,
        }
    }

    fn status_ok(&self, s: u16) -> bool {
        if self.expected_status.is_empty() {
            (200..300).contains(&s)
        } else {
            self.expected_status.contains(&s)
        }
    }

    fn expected_text(&self) -> String {
        if self.expected_status.is_empty() {
            "200-299".into()
        } else {
            let v: Vec<_> = self.expected_status.iter().map(u16::to_string).collect();
            v.join(", ")
        }
    }
}

/// Whether `url` can be probed: http or https, with a host. The rule in words on error.
pub fn parse_url(text: &str) -> Result<Url, String> {
    let url = Url::parse(text).map_err(|e| format!("not a URL ({e})"))?;
    if !matches!(url.scheme(), "http" | "https") {
        return Err(format!(
            "the scheme is {:?}; a website is probed over http:// or https://",
            url.scheme()
        ));
    }
    if url.host().is_none() {
        return Err("has no host".into());
    }
    if !url.username().is_empty() || url.password().is_some() {
        return Err("carries a user name or password; probes are anonymous".into());
    }
    Ok(url)
}

fn unix_now() -> f64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0.0, |d| d.as_secs_f64())
}

/// How one hop ended.
enum HopEnd {
    /// An answer.
    Answer(http::Answer),
    /// No answer: the state and the reason.
    Failed(State, String),
}

/// Probes `target` once.
pub async fn check(target: &Target) -> Check {
    let started_at = unix_now();
    let start = StdInstant::now();
    let deadline = Instant::now() + target.timeout;
    let mut hops: Vec<Hop> = Vec::new();
    let mut url = target.url.clone();
    let timeout_text = format!("no complete answer within {} s", secs(target.timeout));
    let (state, reason, status) = loop {
        let mut hop = Hop {
            url: url.to_string(),
            address: None,
            status: None,
            location: None,
            phases: Phases::default(),
            tls: None,
        };
        let end = one_hop(target, &url, deadline, &mut hop).await;
        let here = hops.len();
        let name = url.host_str().unwrap_or("").to_owned();
        let cert_bad = hop
            .tls
            .as_ref()
            .filter(|t| t.verdict != Verdict::Valid)
            .map(|t| format!("the certificate of {name}: {}", t.reason));
        hops.push(hop);
        let answer = match end {
            HopEnd::Failed(State::Timeout, r) => {
                break (State::Timeout, format!("{timeout_text} ({r})"), None)
            }
            HopEnd::Failed(s, r) => break (s, with_hop(here, &url, &r), None),
            HopEnd::Answer(a) => a,
        };
        if let Some(r) = cert_bad {
            // a browser stops here: no redirect of it is followed
            break (
                State::CertificateInvalid,
                with_hop(here, &url, &r),
                Some(answer.status),
            );
        }
        let redirect = REDIRECTS.contains(&answer.status) && target.max_redirects > 0;
        if !redirect {
            if !target.status_ok(answer.status) {
                break (
                    State::UnexpectedStatus,
                    with_hop(
                        here,
                        &url,
                        &format!(
                            "status {}; expected {}",
                            answer.status,
                            target.expected_text()
                        ),
                    ),
                    Some(answer.status),
                );
            }
            if let Some(want) = &target.body_contains {
                if !contains(&answer.body, want.as_bytes()) {
                    let read = if answer.body.len() >= http::BODY_LIMIT {
                        " (in its first MiB)"
                    } else {
                        ""
                    };
                    break (
                        State::BodyMismatch,
                        with_hop(
                            here,
                            &url,
                            &format!("the body does not contain {want:?}{read}"),
                        ),
                        Some(answer.status),
                    );
                }
            }
            break (State::Up, String::new(), Some(answer.status));
        }
        let Some(location) = answer.location else {
            break (
                State::HttpError,
                with_hop(
                    here,
                    &url,
                    &format!("status {} without a Location header", answer.status),
                ),
                Some(answer.status),
            );
        };
        let next = match url.join(&location) {
            Ok(u) if matches!(u.scheme(), "http" | "https") && u.host().is_some() => u,
            _ => {
                break (
                    State::HttpError,
                    with_hop(
                        here,
                        &url,
                        &format!("redirects to {location:?}, not an http(s) URL"),
                    ),
                    Some(answer.status),
                )
            }
        };
        if hops.len() > target.max_redirects as usize {
            break (
                State::TooManyRedirects,
                format!(
                    "more than {} redirects (the last to {next})",
                    target.max_redirects
                ),
                Some(answer.status),
            );
        }
        url = next;
    };
    let mut phases = Phases::default();
    for h in &hops {
        phases.add(&h.phases);
    }
    Check {
        url: target.url.to_string(),
        started_at,
        state,
        reason,
        status,
        total_seconds: start.elapsed().as_secs_f64(),
        phases,
        hops,
    }
}

/// `reason` naming the hop when it is a redirect's.
fn with_hop(n: usize, url: &Url, reason: &str) -> String {
    if n == 0 {
        reason.to_owned()
    } else {
        format!("{url} (redirect {n}): {reason}")
    }
}

fn secs(d: Duration) -> String {
    let s = d.as_secs_f64();
    if s.fract() == 0.0 {
        format!("{s:.0}")
    } else {
        format!("{s}")
    }
}

fn contains(hay: &[u8], needle: &[u8]) -> bool {
    needle.is_empty() || hay.windows(needle.len()).any(|w| w == needle)
}

/// One request of the probe, filling `hop`'s phases, address and TLS.
async fn one_hop(target: &Target, url: &Url, deadline: Instant, hop: &mut Hop) -> HopEnd {
    let (Some(host), Some(port)) = (url.host(), url.port_or_known_default()) else {
        return HopEnd::Failed(State::HttpError, format!("{url} has no host"));
    };
    let https = url.scheme() == "https";
    // DNS
    let t = Instant::now();
    let addresses: Vec<SocketAddr> = match (&host, target.connect_to) {
        (_, Some(ip)) if url.host() == target.url.host() => vec![SocketAddr::new(ip, port)],
        (Host::Ipv4(ip), _) => vec![SocketAddr::new((*ip).into(), port)],
        (Host::Ipv6(ip), _) => vec![SocketAddr::new((*ip).into(), port)],
        (Host::Domain(name), _) => {
            match tokio::time::timeout_at(deadline, tokio::net::lookup_host((*name, port))).await {
                Err(_) => return HopEnd::Failed(State::Timeout, format!("resolving {name}")),
                Ok(Err(e)) => {
                    hop.phases.dns_seconds = t.elapsed().as_secs_f64();
                    return HopEnd::Failed(
                        State::DnsFailed,
                        format!("{name} does not resolve: {e}"),
                    );
                }
                Ok(Ok(a)) => {
                    hop.phases.dns_seconds = t.elapsed().as_secs_f64();
                    a.collect()
                }
            }
        }
    };
    if addresses.is_empty() {
        return HopEnd::Failed(State::DnsFailed, format!("{host} has no address"));
    }
    // TCP, to each address in turn
    let t = Instant::now();
    let mut last = String::new();
    let mut stream = None;
    for a in &addresses {
        match tokio::time::timeout_at(deadline, TcpStream::connect(a)).await {
            Err(_) => {
                hop.phases.connect_seconds = t.elapsed().as_secs_f64();
                return HopEnd::Failed(State::Timeout, format!("connecting to {a}"));
            }
            Ok(Err(e)) => last = format!("connect to {a}: {e}"),
            Ok(Ok(s)) => {
                hop.address = Some(a.to_string());
                stream = Some(s);
                break;
            }
        }
    }
    hop.phases.connect_seconds = t.elapsed().as_secs_f64();
    let Some(tcp) = stream else {
        return HopEnd::Failed(State::ConnectFailed, last);
    };
    let _ = tcp.set_nodelay(true);
    let host_header = match url.port() {
        Some(p) => format!("{}:{p}", host),
        None => host.to_string(),
    };
    let target_path = match url.query() {
        Some(q) => format!("{}?{q}", url.path()),
        None => url.path().to_owned(),
    };
    let req = http::request(&host_header, &target_path);
    let at = hop.address.clone().unwrap_or_default();
    let result = if https {
        let server_name = match &host {
            Host::Domain(d) => match ServerName::try_from((*d).to_owned()) {
                Ok(n) => n,
                Err(e) => {
                    return HopEnd::Failed(State::TlsFailed, format!("{d} is not a TLS name: {e}"))
                }
            },
            Host::Ipv4(ip) => ServerName::IpAddress(IpAddr::from(*ip).into()),
            Host::Ipv6(ip) => ServerName::IpAddress(IpAddr::from(*ip).into()),
        };
        let (config, capture) = match target.trust.client_config() {
            Ok(c) => c,
            Err(e) => return HopEnd::Failed(State::TlsFailed, format!("TLS set-up: {e}")),
        };
        let t = Instant::now();
        let connector = tokio_rustls::TlsConnector::from(config);
        let handshake =
            tokio::time::timeout_at(deadline, connector.connect(server_name, tcp)).await;
        hop.phases.tls_seconds = t.elapsed().as_secs_f64();
        let mut tls = match handshake {
            Err(_) => return HopEnd::Failed(State::Timeout, format!("TLS handshake with {at}")),
            Ok(Err(e)) => return HopEnd::Failed(State::TlsFailed, tls_reason(&e, &at)),
            Ok(Ok(s)) => s,
        };
        let version = match tls.get_ref().1.protocol_version() {
            Some(rustls::ProtocolVersion::TLSv1_3) => "TLS 1.3".to_owned(),
            Some(rustls::ProtocolVersion::TLSv1_2) => "TLS 1.2".to_owned(),
            Some(v) => format!("{v:?}"),
            None => String::new(),
        };
        if let Some(seen) = capture.take() {
            hop.tls = Some(TlsInfo::new(
                seen,
                version,
                &host.to_string(),
                target.trust.source(),
            ));
        }
        http::get(&mut tls, &req, deadline).await
    } else {
        let mut tcp = tcp;
        http::get(&mut tcp, &req, deadline).await
    };
    match result {
        Err(Failure::Timeout(stage)) => {
            HopEnd::Failed(State::Timeout, format!("{stage} from {at}"))
        }
        Err(Failure::Broken(r)) => HopEnd::Failed(State::HttpError, format!("{at}: {r}")),
        Ok(a) => {
            hop.status = Some(a.status);
            hop.location = a.location.clone();
            hop.phases.first_byte_seconds = a.first_byte.as_secs_f64();
            hop.phases.transfer_seconds = a.transfer.as_secs_f64();
            HopEnd::Answer(a)
        }
    }
}

/// A failed handshake in words.
fn tls_reason(e: &std::io::Error, at: &str) -> String {
    use std::io::ErrorKind as K;
    match e.kind() {
        K::ConnectionReset => format!("TLS handshake with {at}: connection reset by the server"),
        K::UnexpectedEof => format!("TLS handshake with {at}: connection closed by the server"),
        _ => format!("TLS handshake with {at}: {e}"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_anonymous_http_and_https_urls_are_probed() {
        assert!(parse_url("https://www.pekalongankota.go.id/").is_ok());
        assert!(parse_url("http://10.0.0.1:8080/x?y=1").is_ok());
        for (bad, want) in [
            ("ftp://pekalongankota.go.id/", "the scheme is \"ftp\""),
            ("www.pekalongankota.go.id", "not a URL"),
            (
                "https://user:pw@pekalongankota.go.id/",
                "user name or password",
            ),
            ("file:///etc/passwd", "the scheme is \"file\""),
        ] {
            let e = parse_url(bad).unwrap_err();
            assert!(e.contains(want), "{bad}: {e}");
        }
    }

    #[test]
    fn text_is_found_in_a_body() {
        assert!(contains(b"<h1>Pemerintah Kota</h1>", b"Kota"));
        assert!(!contains(b"<h1>Pemerintah</h1>", b"Kota"));
        assert!(contains(b"", b""));
    }
}
