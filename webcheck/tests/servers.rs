//! The probe against real HTTP and HTTPS servers that the test starts on 127.0.0.1, with
//! certificates it makes (rcgen): valid, expiring in 5 days, expired, for another name,
//! from an unknown CA; redirect chains, a slow server, servers that reset the
//! connection. Nothing leaves loopback: names are `localhost` (/etc/hosts) or pinned
//! with `connect_to`.

#![allow(
    clippy::unwrap_used,
    reason = "test code: a panic is the failure report"
)]

use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

use rcgen::{BasicConstraints, CertificateParams, CertifiedIssuer, DnType, IsCa, KeyPair};
use rustls::pki_types::{CertificateDer, PrivateKeyDer, PrivatePkcs8KeyDer};
use simpul_webcheck::{check, State, Target, Trust, Verdict};
use tokio::io::{AsyncRead, AsyncReadExt, AsyncWrite, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};

/// What a test server does with a request for a path.
#[derive(Clone)]
enum Reply {
    /// The whole answer, after a delay.
    After(Duration, String),
    /// Resets the connection (RST) once the request is read.
    Reset,
}

fn ok(body: &str) -> Reply {
    Reply::After(
        Duration::ZERO,
        format!(
            "HTTP/1.1 200 OK\r\nContent-Length: {}\r\nContent-Type: text/html\r\n\r\n{body}",
            body.len()
        ),
    )
}

fn redirect(status: u16, to: &str) -> Reply {
    Reply::After(
        Duration::ZERO,
        format!("HTTP/1.1 {status} Moved\r\nLocation: {to}\r\nContent-Length: 0\r\n\r\n"),
    )
}

type Handler = Arc<dyn Fn(&str) -> Reply + Send + Sync>;

/// A server on 127.0.0.1, stopped when dropped (also when a test fails).
struct Server {
    addr: SocketAddr,
    task: tokio::task::JoinHandle<()>,
}

impl Drop for Server {
    fn drop(&mut self) {
        self.task.abort();
    }
}

impl Server {
    async fn start(
        tls: Option<Arc<rustls::ServerConfig>>,
        reset_on_accept: bool,
        h: Handler,
    ) -> Self {
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        let task = tokio::spawn(async move {
            while let Ok((tcp, _)) = listener.accept().await {
                if reset_on_accept {
                    tcp.set_zero_linger().unwrap();
                    drop(tcp);
                    continue;
                }
                let (tls, h) = (tls.clone(), Arc::clone(&h));
                tokio::spawn(async move {
                    match tls {
                        None => serve(tcp, h).await,
                        Some(cfg) => {
                            let acceptor = tokio_rustls::TlsAcceptor::from(cfg);
                            if let Ok(s) = acceptor.accept(tcp).await {
                                serve(s, h).await;
                            }
                        }
                    }
                });
            }
        });
        Server { addr, task }
    }

    fn port(&self) -> u16 {
        self.addr.port()
    }
}

trait Linger {
    fn reset(&self);
}
impl Linger for TcpStream {
    fn reset(&self) {
        self.set_zero_linger().unwrap();
    }
}
impl Linger for tokio_rustls::server::TlsStream<TcpStream> {
    fn reset(&self) {
        self.get_ref().0.set_zero_linger().unwrap();
    }
}

async fn serve<S: AsyncRead + AsyncWrite + Unpin + Linger>(mut s: S, h: Handler) {
    let mut buf = Vec::new();
    let mut chunk = [0u8; 4096];
    while !buf.windows(4).any(|w| w == b"\r\n\r\n") {
        match s.read(&mut chunk).await {
            Ok(0) | Err(_) => return,
            Ok(n) => buf.extend_from_slice(&chunk[..n]),
        }
    }
    let text = String::from_utf8_lossy(&buf);
    let path = text.split_whitespace().nth(1).unwrap_or("/").to_owned();
    match h(&path) {
        Reply::After(delay, answer) => {
            tokio::time::sleep(delay).await;
            let _ = s.write_all(answer.as_bytes()).await;
            let _ = s.shutdown().await;
        }
        Reply::Reset => s.reset(),
    }
}

/// The test's PKI: a CA in a bundle file the probes trust, and another nobody trusts.
struct Pki {
    _dir: tempfile::TempDir,
    ca: CertifiedIssuer<'static, KeyPair>,
    unknown: CertifiedIssuer<'static, KeyPair>,
    bundle: PathBuf,
}

fn ca(name: &str) -> CertifiedIssuer<'static, KeyPair> {
    let mut p = CertificateParams::new(Vec::<String>::new()).unwrap();
    p.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
    p.distinguished_name.push(DnType::CommonName, name);
    CertifiedIssuer::self_signed(p, KeyPair::generate().unwrap()).unwrap()
}

impl Pki {
    fn new() -> Self {
        let dir = tempfile::tempdir().unwrap();
        let ca = ca("Simpul test CA");
        let unknown = ca_unknown();
        let bundle = dir.path().join("ca.pem");
        std::fs::write(&bundle, ca.pem()).unwrap();
        Pki {
            _dir: dir,
            ca,
            unknown,
            bundle,
        }
    }

    fn trust(&self) -> Trust {
        Trust::from_pem_file(&self.bundle).unwrap()
    }

    /// A server configuration with a certificate for `names`, valid from `from_days`
    /// to `to_days` from now, signed by the trusted CA or the unknown one.
    fn server(
        &self,
        names: &[&str],
        from_days: i64,
        to_days: i64,
        trusted: bool,
    ) -> Arc<rustls::ServerConfig> {
        let mut p =
            CertificateParams::new(names.iter().map(|n| (*n).to_owned()).collect::<Vec<_>>())
                .unwrap();
        p.distinguished_name.push(DnType::CommonName, names[0]);
        let now = time::OffsetDateTime::now_utc();
        p.not_before = now + time::Duration::days(from_days);
        p.not_after = now + time::Duration::days(to_days);
        let key = KeyPair::generate().unwrap();
        let issuer = if trusted { &self.ca } else { &self.unknown };
        let cert = p.signed_by(&key, issuer).unwrap();
        let chain: Vec<CertificateDer<'static>> = vec![cert.der().clone(), issuer.der().clone()];
        let key = PrivateKeyDer::Pkcs8(PrivatePkcs8KeyDer::from(key.serialize_der()));
        let cfg = rustls::ServerConfig::builder_with_provider(Arc::new(
            rustls::crypto::ring::default_provider(),
        ))
        .with_safe_default_protocol_versions()
        .unwrap()
        .with_no_client_auth()
        .with_single_cert(chain, key)
        .unwrap();
        Arc::new(cfg)
    }
}

fn ca_unknown() -> CertifiedIssuer<'static, KeyPair> {
    ca("Unknown CA of nobody")
}

fn page() -> Handler {
    Arc::new(|_| ok("<html><h1>Pemerintah Kota Pekalongan</h1></html>"))
}

fn target(url: &str, trust: Trust) -> Target {
    let mut t = Target::new(url.parse().unwrap(), Duration::from_secs(5), trust);
    t.body_contains = Some("Pemerintah Kota".into());
    t
}

#[tokio::test]
async fn a_valid_site_is_up_with_its_phases_and_chain() {
    let pki = Pki::new();
    // the server takes 400 ms before it answers: that is the first byte's phase
    let slowish: Handler = Arc::new(|_| match ok("<p>Pemerintah Kota</p>") {
        Reply::After(_, a) => Reply::After(Duration::from_millis(400), a),
        r => r,
    });
    let s = Server::start(
        Some(pki.server(&["localhost", "127.0.0.1"], -1, 90, true)),
        false,
        slowish,
    )
    .await;
    let c = check(&target(
        &format!("https://localhost:{}/", s.port()),
        pki.trust(),
    ))
    .await;
    assert_eq!(c.state, State::Up, "{c:#?}");
    assert_eq!(
        (c.status, c.reason.as_str(), c.redirects()),
        (Some(200), "", 0)
    );
    let p = c.phases;
    assert!(p.dns_seconds > 0.0, "{p:?}");
    assert!(p.connect_seconds > 0.0 && p.tls_seconds > 0.0, "{p:?}");
    assert!(
        p.first_byte_seconds >= 0.4 && p.first_byte_seconds < 3.0,
        "{p:?}"
    );
    assert!(p.tls_seconds < p.first_byte_seconds, "{p:?}");
    let sum = p.dns_seconds
        + p.connect_seconds
        + p.tls_seconds
        + p.first_byte_seconds
        + p.transfer_seconds;
    assert!(sum <= c.total_seconds + 1e-6, "{sum} > {}", c.total_seconds);
    let tls = c.tls().unwrap();
    assert_eq!((tls.verdict, tls.name_matches), (Verdict::Valid, true));
    assert!(tls.version == "TLS 1.3", "{}", tls.version);
    assert_eq!(tls.chain.len(), 2);
    let leaf = tls.leaf().unwrap();
    assert_eq!(leaf.subject, "CN=localhost");
    assert_eq!(leaf.sans, ["localhost", "127.0.0.1"]);
    assert_eq!(leaf.issuer, "CN=Simpul test CA");
    assert_eq!((leaf.key_type.as_str(), leaf.key_bits), ("EC P-256", 256));
    assert_eq!(leaf.signature_algorithm, "ecdsa-with-SHA256");
    assert!(leaf.not_before < leaf.not_after && !leaf.serial.is_empty());
    assert!(
        (tls.days_to_expiry - 90.0).abs() < 0.01,
        "{}",
        tls.days_to_expiry
    );
    assert_eq!(tls.trusted_by, pki.bundle.display().to_string());
    // an address as the URL's host: no DNS, the certificate's IP SAN
    let c = check(&target(
        &format!("https://127.0.0.1:{}/", s.port()),
        pki.trust(),
    ))
    .await;
    assert_eq!(c.state, State::Up, "{c:#?}");
    assert_eq!(c.phases.dns_seconds, 0.0);
}

#[tokio::test]
async fn a_certificate_expiring_in_5_days_is_still_up_and_says_so() {
    let pki = Pki::new();
    let s = Server::start(
        Some(pki.server(&["localhost"], -85, 5, true)),
        false,
        page(),
    )
    .await;
    let c = check(&target(
        &format!("https://localhost:{}/", s.port()),
        pki.trust(),
    ))
    .await;
    assert_eq!(c.state, State::Up, "{c:#?}");
    let tls = c.tls().unwrap();
    assert_eq!(tls.verdict, Verdict::Valid);
    assert!(
        tls.days_to_expiry > 4.99 && tls.days_to_expiry <= 5.0,
        "{}",
        tls.days_to_expiry
    );
}

#[tokio::test]
async fn an_expired_certificate_is_reported_with_its_chain_and_date() {
    let pki = Pki::new();
    let s = Server::start(
        Some(pki.server(&["localhost"], -30, -2, true)),
        false,
        page(),
    )
    .await;
    let c = check(&target(
        &format!("https://localhost:{}/", s.port()),
        pki.trust(),
    ))
    .await;
    assert_eq!(c.state, State::CertificateInvalid, "{c:#?}");
    let tls = c.tls().unwrap();
    assert_eq!(tls.verdict, Verdict::Expired);
    assert!(tls.name_matches);
    assert!(
        tls.days_to_expiry < -1.99 && tls.days_to_expiry > -2.01,
        "{}",
        tls.days_to_expiry
    );
    let expired_on = simpul_webcheck::utc_text(tls.not_after);
    assert!(
        c.reason.contains(&format!(
            "the certificate of localhost: expired {expired_on}"
        )),
        "{}",
        c.reason
    );
    assert_eq!(tls.leaf().unwrap().subject, "CN=localhost");
    // the site itself answered: its status is known
    assert_eq!(c.status, Some(200));
}

#[tokio::test]
async fn a_certificate_for_another_name_is_a_wrong_name() {
    let pki = Pki::new();
    let s = Server::start(
        Some(pki.server(&["portal.example.test"], -1, 90, true)),
        false,
        page(),
    )
    .await;
    let c = check(&target(
        &format!("https://localhost:{}/", s.port()),
        pki.trust(),
    ))
    .await;
    assert_eq!(c.state, State::CertificateInvalid, "{c:#?}");
    let tls = c.tls().unwrap();
    assert_eq!((tls.verdict, tls.name_matches), (Verdict::WrongName, false));
    assert!(
        c.reason
            .contains("not valid for localhost: it names portal.example.test"),
        "{}",
        c.reason
    );
}

#[tokio::test]
async fn a_certificate_from_an_unknown_ca_is_named_so_against_the_bundle_and_the_system_roots() {
    let pki = Pki::new();
    let s = Server::start(
        Some(pki.server(&["localhost"], -1, 90, false)),
        false,
        page(),
    )
    .await;
    let url = format!("https://localhost:{}/", s.port());
    let c = check(&target(&url, pki.trust())).await;
    assert_eq!(c.state, State::CertificateInvalid, "{c:#?}");
    let tls = c.tls().unwrap();
    assert_eq!(tls.verdict, Verdict::UnknownCa);
    assert_eq!(tls.chain[1].subject, "CN=Unknown CA of nobody");
    assert!(
        c.reason
            .contains(&format!("issued by a CA not in {}", pki.bundle.display())),
        "{}",
        c.reason
    );
    // the real system roots (Debian's ca-certificates) know neither test CA
    let system = Trust::system().expect("the system CA bundle (package ca-certificates)");
    let c = check(&target(&url, system.clone())).await;
    assert_eq!(c.tls().unwrap().verdict, Verdict::UnknownCa, "{c:#?}");
    assert!(
        c.reason.contains("issued by a CA not in system roots"),
        "{}",
        c.reason
    );
    let t = Server::start(
        Some(pki.server(&["localhost"], -1, 90, true)),
        false,
        page(),
    )
    .await;
    let c = check(&target(&format!("https://localhost:{}/", t.port()), system)).await;
    assert_eq!(c.tls().unwrap().verdict, Verdict::UnknownCa, "{c:#?}");
}

#[tokio::test]
async fn a_redirect_chain_is_followed_and_recorded() {
    let pki = Pki::new();
    let tls = Server::start(
        Some(pki.server(&["localhost"], -1, 90, true)),
        false,
        page(),
    )
    .await;
    let to_https = format!("https://localhost:{}/beranda", tls.port());
    let h: Handler = Arc::new(move |path| match path {
        "/" => redirect(302, "/lama"),
        "/lama" => redirect(301, &to_https),
        "/loop" => redirect(307, "/loop"),
        _ => Reply::After(
            Duration::ZERO,
            "HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\n\r\n".into(),
        ),
    });
    let plain = Server::start(None, false, h).await;
    let base = format!("http://127.0.0.1:{}", plain.port());
    let c = check(&target(&format!("{base}/"), pki.trust())).await;
    assert_eq!(c.state, State::Up, "{c:#?}");
    let hops: Vec<_> = c
        .hops
        .iter()
        .map(|h| (h.url.as_str(), h.status, h.location.as_deref()))
        .collect();
    let to_https = format!("https://localhost:{}/beranda", tls.port());
    assert_eq!(
        hops,
        [
            (format!("{base}/").as_str(), Some(302), Some("/lama")),
            (
                format!("{base}/lama").as_str(),
                Some(301),
                Some(to_https.as_str())
            ),
            (to_https.as_str(), Some(200), None),
        ]
    );
    // the certificate is the https hop's; the phases add up over the hops
    assert_eq!(c.tls().unwrap().verdict, Verdict::Valid);
    assert!(c.hops[0].tls.is_none() && c.hops[2].tls.is_some());
    let tls_sum: f64 = c.hops.iter().map(|h| h.phases.connect_seconds).sum();
    assert!((tls_sum - c.phases.connect_seconds).abs() < 1e-9);
    // a loop stops at the limit
    let mut t = target(&format!("{base}/loop"), pki.trust());
    t.max_redirects = 3;
    let c = check(&t).await;
    assert_eq!(c.state, State::TooManyRedirects, "{c:#?}");
    assert_eq!(c.hops.len(), 4);
    assert!(
        c.reason.starts_with("more than 3 redirects"),
        "{}",
        c.reason
    );
    // not followed: the redirect is the answer, and may be the expected one
    let mut t = target(&format!("{base}/"), pki.trust());
    (t.max_redirects, t.expected_status, t.body_contains) = (0, vec![302], None);
    let c = check(&t).await;
    assert_eq!(
        (c.state, c.status, c.hops.len()),
        (State::Up, Some(302), 1),
        "{c:#?}"
    );
    // a redirect to a page that is not there
    let h: Handler = Arc::new(|path| match path {
        "/" => redirect(302, "/hilang"),
        _ => Reply::After(
            Duration::ZERO,
            "HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\n\r\n".into(),
        ),
    });
    let s = Server::start(None, false, h).await;
    let c = check(&target(
        &format!("http://127.0.0.1:{}/", s.port()),
        pki.trust(),
    ))
    .await;
    assert_eq!(c.state, State::UnexpectedStatus, "{c:#?}");
    assert!(
        c.reason
            .ends_with("/hilang (redirect 1): status 404; expected 200-299"),
        "{}",
        c.reason
    );
}

#[tokio::test]
async fn a_slow_server_is_a_timeout_that_says_where_it_waited() {
    let pki = Pki::new();
    let slow: Handler = Arc::new(|_| match ok("late") {
        Reply::After(_, a) => Reply::After(Duration::from_secs(30), a),
        r => r,
    });
    let s = Server::start(Some(pki.server(&["localhost"], -1, 90, true)), false, slow).await;
    let mut t = target(&format!("https://localhost:{}/", s.port()), pki.trust());
    t.timeout = Duration::from_millis(700);
    let c = check(&t).await;
    assert_eq!(c.state, State::Timeout, "{c:#?}");
    assert!(
        c.reason
            .starts_with("no complete answer within 0.7 s (waiting for the answer from 127.0.0.1:"),
        "{}",
        c.reason
    );
    assert!(
        c.total_seconds >= 0.7 && c.total_seconds < 3.0,
        "{}",
        c.total_seconds
    );
    // the handshake was done and its certificate is known
    assert_eq!(c.tls().unwrap().verdict, Verdict::Valid);
}

#[tokio::test]
async fn a_reset_connection_is_named_by_where_it_happened() {
    let pki = Pki::new();
    let s = Server::start(None, false, Arc::new(|_| Reply::Reset)).await;
    let c = check(&target(
        &format!("http://127.0.0.1:{}/", s.port()),
        pki.trust(),
    ))
    .await;
    assert_eq!(c.state, State::HttpError, "{c:#?}");
    assert!(
        c.reason
            .contains("connection reset by the server waiting for the answer"),
        "{}",
        c.reason
    );
    let s = Server::start(Some(pki.server(&["localhost"], -1, 90, true)), true, page()).await;
    let c = check(&target(
        &format!("https://localhost:{}/", s.port()),
        pki.trust(),
    ))
    .await;
    assert_eq!(c.state, State::TlsFailed, "{c:#?}");
    assert!(
        c.reason.contains("TLS handshake with 127.0.0.1:") && c.reason.contains("reset"),
        "{}",
        c.reason
    );
    assert!(c.tls().is_none());
}

#[tokio::test]
async fn status_body_and_refusals_are_checked() {
    let pki = Pki::new();
    let h: Handler = Arc::new(|path| {
        match path {
        "/503" => Reply::After(Duration::ZERO, "HTTP/1.1 503 Service Unavailable\r\nContent-Length: 4\r\n\r\nbusy".into()),
        // the expected text split across chunks
        "/chunked" => Reply::After(
            Duration::ZERO,
            "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n6\r\n<p>Pem\r\nE\r\nerintah Kota</\r\n2\r\np>\r\n0\r\n\r\n".into(),
        ),
        // no length: the body ends with the connection
        "/close" => Reply::After(Duration::ZERO, "HTTP/1.1 200 OK\r\n\r\nPemerintah Kota".into()),
        "/garbage" => Reply::After(Duration::ZERO, "SSH-2.0-OpenSSH_9.2\r\n\r\n".into()),
        _ => ok("<p>Situs dalam perbaikan</p>"),
    }
    });
    let s = Server::start(None, false, h).await;
    let base = format!("http://127.0.0.1:{}", s.port());
    let c = check(&target(&format!("{base}/503"), pki.trust())).await;
    assert_eq!(
        (c.state, c.status),
        (State::UnexpectedStatus, Some(503)),
        "{c:#?}"
    );
    assert_eq!(c.reason, "status 503; expected 200-299");
    let mut t = target(&format!("{base}/503"), pki.trust());
    (t.expected_status, t.body_contains) = (vec![200, 503], Some("busy".into()));
    assert_eq!(check(&t).await.state, State::Up);
    assert_eq!(
        check(&target(&format!("{base}/chunked"), pki.trust()))
            .await
            .state,
        State::Up
    );
    assert_eq!(
        check(&target(&format!("{base}/close"), pki.trust()))
            .await
            .state,
        State::Up
    );
    let c = check(&target(&format!("{base}/"), pki.trust())).await;
    assert_eq!(c.state, State::BodyMismatch, "{c:#?}");
    assert_eq!(c.reason, "the body does not contain \"Pemerintah Kota\"");
    let c = check(&target(&format!("{base}/garbage"), pki.trust())).await;
    assert_eq!(c.state, State::HttpError, "{c:#?}");
    assert!(c.reason.contains("not an HTTP answer"), "{}", c.reason);
    // nobody listening
    let closed = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap();
    let c = check(&target(&format!("http://{closed}/"), pki.trust())).await;
    assert_eq!(c.state, State::ConnectFailed, "{c:#?}");
    assert!(c.reason.contains("refused"), "{}", c.reason);
}

#[tokio::test]
async fn connect_to_pins_an_official_name_to_a_loopback_server() {
    let pki = Pki::new();
    let s = Server::start(
        Some(pki.server(&["www.pekalongankota.go.id"], -1, 90, true)),
        false,
        page(),
    )
    .await;
    let mut t = target(
        &format!("https://www.pekalongankota.go.id:{}/", s.port()),
        pki.trust(),
    );
    t.connect_to = Some("127.0.0.1".parse().unwrap());
    let c = check(&t).await;
    assert_eq!(c.state, State::Up, "{c:#?}");
    assert_eq!(c.phases.dns_seconds, 0.0);
    assert_eq!(
        c.hops[0].address.as_deref(),
        Some(s.addr.to_string().as_str())
    );
    assert_eq!(
        c.tls().unwrap().leaf().unwrap().sans,
        ["www.pekalongankota.go.id"]
    );
}
