//! Accepting connections: plain HTTP or HTTPS (rustls, optional client certificates),
//! HTTP/1.1 with header, idle and body timeouts, capped connections (overall and per
//! source address, with a reserve for `/healthz` and agents: see [`limits`]), the peer
//! address handed to handlers, certificate reload on SIGHUP, and a graceful drain of
//! in-flight requests at shutdown.

mod body;
pub mod limits;

use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, RwLock};
use std::time::Duration;

use anyhow::Context;
use axum::extract::ConnectInfo;
use axum::Router;
use hyper_util::rt::{TokioIo, TokioTimer};
use hyper_util::server::graceful::GracefulShutdown;
use rustls::pki_types::PrivateKeyDer;
use rustls::server::WebPkiClientVerifier;
use tokio::net::TcpListener;
use tokio_rustls::TlsAcceptor;
use tower_service::Service;

use crate::api::error::ApiError;
use crate::metrics::connections::ConnStats;
use crate::metrics::RejectReason;
use body::TimeoutBody;
use limits::{Admission, Connections, Limits, RESERVE_HEADER_TIMEOUT};
/// Longest wait for in-flight requests at shutdown.
const DRAIN_TIMEOUT: Duration = Duration::from_secs(30);

/// Where the certificate, key and client CA come from.
#[derive(Debug, Clone)]
pub struct TlsFiles {
    pub cert: PathBuf,
    pub key: PathBuf,
    pub client_ca: Option<PathBuf>,
}

use crate::tls::{certs, pem_items};

impl TlsFiles {
    /// Reads the files and builds the server's TLS configuration.
    pub fn load(&self) -> anyhow::Result<Arc<rustls::ServerConfig>> {
        use rustls::pki_types::pem::PemObject;
        let provider = Arc::new(rustls::crypto::ring::default_provider());
        let chain = certs(&self.cert, "tls_cert_file")?;
        let key = PrivateKeyDer::from_pem_slice(&pem_items(&self.key, "tls_key_file")?)
            .with_context(|| {
                format!(
                    "tls_key_file {} holds no PEM private key",
                    self.key.display()
                )
            })?;
        let builder = rustls::ServerConfig::builder_with_provider(Arc::clone(&provider))
            .with_safe_default_protocol_versions()?;
        let builder = match &self.client_ca {
            Some(ca) => {
                let mut roots = rustls::RootCertStore::empty();
                for c in certs(ca, "tls_client_ca_file")? {
                    roots
                        .add(c)
                        .with_context(|| format!("tls_client_ca_file {}", ca.display()))?;
                }
                let verifier =
                    WebPkiClientVerifier::builder_with_provider(Arc::new(roots), provider)
                        .build()
                        .context("tls_client_ca_file")?;
                builder.with_client_cert_verifier(verifier)
            }
            None => builder.with_no_client_auth(),
        };
        let mut cfg = builder
            .with_single_cert(chain, key)
            .context("tls_cert_file and tls_key_file do not make a usable certificate")?;
        cfg.alpn_protocols = vec![b"http/1.1".to_vec()];
        Ok(Arc::new(cfg))
    }
}

/// The TLS acceptor in use, replaced on reload.
pub struct Tls {
    files: TlsFiles,
    acceptor: RwLock<TlsAcceptor>,
    /// Handshakes that failed (bad, expired, missing client certificate, not TLS...).
    handshake_failures: Arc<AtomicU64>,
}

impl Tls {
    /// Loads the files; failed handshakes are counted in `handshake_failures`.
    pub fn new(files: TlsFiles, handshake_failures: Arc<AtomicU64>) -> anyhow::Result<Self> {
        let acceptor = TlsAcceptor::from(files.load()?);
        Ok(Self {
            files,
            acceptor: RwLock::new(acceptor),
            handshake_failures,
        })
    }

    /// Re-reads the certificate files; on error the old ones stay in use.
    pub fn reload(&self) -> anyhow::Result<()> {
        let acceptor = TlsAcceptor::from(self.files.load()?);
        *self
            .acceptor
            .write()
            .unwrap_or_else(std::sync::PoisonError::into_inner) = acceptor;
        Ok(())
    }

    fn acceptor(&self) -> TlsAcceptor {
        self.acceptor
            .read()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .clone()
    }
}

/// Reloads certificates on every SIGHUP, forever.
pub async fn reload_on_sighup(tls: Arc<Tls>) {
    use tokio::signal::unix::{signal, SignalKind};
    let mut hup = match signal(SignalKind::hangup()) {
        Ok(s) => s,
        Err(e) => {
            tracing::warn!(error = %e, "cannot watch SIGHUP; certificates will not reload");
            return;
        }
    };
    while hup.recv().await.is_some() {
        match tls.reload() {
            Ok(()) => {
                tracing::info!(cert = %tls.files.cert.display(), "SIGHUP: TLS certificate reloaded")
            }
            Err(e) => tracing::error!(
                error = format!("{e:#}"),
                "SIGHUP: TLS certificate not reloaded; the old one stays in use"
            ),
        }
    }
}

/// How the listener bounds its connections and requests (from the config).
#[derive(Clone)]
pub struct Settings {
    /// A request body must be complete this long after its headers (`body_timeout_secs`).
    pub body_timeout: Duration,
    /// Longest wait for complete request headers, idle between requests included, and
    /// for the TLS handshake (`idle_timeout_secs`).
    pub idle_timeout: Duration,
    /// Connection caps.
    pub limits: Limits,
    /// Counters for `/metrics`.
    pub stats: Arc<ConnStats>,
    /// Whether request headers carry a valid agent token: the only requests, besides
    /// `/healthz`, that a reserve connection serves.
    pub is_agent: Arc<dyn Fn(&hyper::HeaderMap) -> bool + Send + Sync>,
}

impl std::fmt::Debug for Settings {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Settings")
            .field("body_timeout", &self.body_timeout)
            .field("idle_timeout", &self.idle_timeout)
            .field("limits", &self.limits)
            .finish_non_exhaustive()
    }
}

impl Settings {
    /// The settings of `cfg`, counting into `stats`.
    pub fn from_config(
        cfg: &crate::config::CollectorConfig,
        stats: Arc<ConnStats>,
        is_agent: Arc<dyn Fn(&hyper::HeaderMap) -> bool + Send + Sync>,
    ) -> Self {
        Self {
            body_timeout: Duration::from_secs(cfg.body_timeout_secs),
            idle_timeout: Duration::from_secs(cfg.idle_timeout_secs),
            limits: Limits {
                max_connections: cfg.max_connections,
                per_address: cfg.max_connections_per_address,
                reserve: cfg.connection_reserve,
            },
            stats,
            is_agent,
        }
    }
}

/// Serves `router` on `listener` until `shutdown` completes, then waits up to
/// [`DRAIN_TIMEOUT`] for in-flight requests.
pub async fn serve(
    listener: TcpListener,
    router: Router,
    tls: Option<Arc<Tls>>,
    settings: Settings,
    shutdown: impl std::future::Future<Output = ()>,
) -> anyhow::Result<()> {
    let graceful = GracefulShutdown::new();
    let settings = Arc::new(settings);
    let conns = Connections::new(settings.limits, Arc::clone(&settings.stats));
    // hyper's header timer also runs while a kept-alive connection waits for its next
    // request (hyper 1.12 `Conn::poll_read_head`), so it is the idle timeout as well
    let builder = |header_timeout: Duration, keep_alive: bool| {
        let mut http = hyper::server::conn::http1::Builder::new();
        http.timer(TokioTimer::new())
            .header_read_timeout(header_timeout)
            .keep_alive(keep_alive);
        Arc::new(http)
    };
    let normal_timeout = settings.idle_timeout;
    let reserve_timeout = settings.idle_timeout.min(RESERVE_HEADER_TIMEOUT);
    let normal = builder(normal_timeout, true);
    // one request per reserve connection: kept alive, a `/healthz` every second would
    // hold a reserve place forever, and the reserve is for others
    let reserve = builder(reserve_timeout, false);
    let mut backoff = AcceptBackoff::default();
    let full_log = Throttle::default();
    tokio::pin!(shutdown);
    loop {
        // at max_connections, new connections wait in the kernel's backlog (see limits)
        if conns.open() >= settings.limits.max_connections {
            if let Some(suppressed) = full_log.due() {
                tracing::warn!(
                    max_connections = settings.limits.max_connections,
                    suppressed,
                    "max_connections open: new connections wait until one closes"
                );
            }
            tokio::select! {
                () = conns.wait_for_room() => {}
                () = &mut shutdown => break,
            }
        }
        let (stream, peer) = tokio::select! {
            r = listener.accept() => match r {
                Ok(x) => {
                    backoff.succeeded();
                    x
                }
                Err(e) => {
                    // out of file descriptors (EMFILE) and the like: the listener stays
                    // readable, so retrying at once would spin; wait longer each time
                    settings.stats.accept_errors.fetch_add(1, Ordering::Relaxed);
                    let wait = backoff.failed();
                    if let Some(suppressed) = backoff.log.due() {
                        tracing::warn!(error = %e, retry_in_ms = wait.as_millis() as u64, suppressed, "accept failed");
                    }
                    tokio::select! {
                        () = tokio::time::sleep(wait) => continue,
                        () = &mut shutdown => break,
                    }
                }
            },
            () = &mut shutdown => break,
        };
        let Some((slot, admission)) = conns.admit(peer.ip()) else {
            // only this loop opens connections and it waited for room: unreachable
            drop(stream);
            continue;
        };
        let _ = stream.set_nodelay(true);
        let on_reserve = admission == Admission::Reserve;
        let (http, header_timeout) = if on_reserve {
            (Arc::clone(&reserve), reserve_timeout)
        } else {
            (Arc::clone(&normal), normal_timeout)
        };
        let router = router.clone();
        let s = Arc::clone(&settings);
        let svc = hyper::service::service_fn(move |req: hyper::Request<hyper::body::Incoming>| {
            let router = router.clone();
            let s = Arc::clone(&s);
            async move {
                Ok::<_, std::convert::Infallible>(handle(router, req, peer, on_reserve, &s).await)
            }
        });
        let watcher = graceful.watcher();
        match &tls {
            None => {
                let conn = http.serve_connection(TokioIo::new(stream), svc);
                tokio::spawn(async move {
                    let _slot = slot;
                    if let Err(e) = watcher.watch(conn).await {
                        tracing::debug!(%peer, error = %e, "connection ended with an error");
                    }
                });
            }
            Some(tls) => {
                let acceptor = tls.acceptor();
                let tls = Arc::clone(tls);
                tokio::spawn(async move {
                    let _slot = slot;
                    let stream =
                        match tokio::time::timeout(header_timeout, acceptor.accept(stream)).await {
                            Ok(Ok(s)) => s,
                            Ok(Err(e)) => return handshake_failed(&tls, peer, &e.to_string()),
                            Err(_) => return handshake_failed(&tls, peer, "timed out"),
                        };
                    let conn = http.serve_connection(TokioIo::new(stream), svc);
                    if let Err(e) = watcher.watch(conn).await {
                        tracing::debug!(%peer, error = %e, "connection ended with an error");
                    }
                });
            }
        }
    }
    drop(listener);
    if tokio::time::timeout(DRAIN_TIMEOUT, graceful.shutdown())
        .await
        .is_err()
    {
        tracing::warn!(
            "in-flight requests still running after {}s; closing them",
            DRAIN_TIMEOUT.as_secs()
        );
    }
    Ok(())
}

/// One request: the reserve's gate, the body's deadline, the router.
async fn handle(
    mut router: Router,
    req: hyper::Request<hyper::body::Incoming>,
    peer: SocketAddr,
    on_reserve: bool,
    s: &Settings,
) -> axum::response::Response {
    use axum::http::StatusCode;
    // the gate's token lookup reads the database: off the async workers, which serve
    // everyone else during the very flood the reserve is for
    let refused = on_reserve && req.uri().path() != "/healthz" && {
        let (is_agent, headers) = (Arc::clone(&s.is_agent), req.headers().clone());
        !tokio::task::spawn_blocking(move || is_agent(&headers))
            .await
            .unwrap_or(false)
    };
    if refused {
        s.stats.reserve_refusals.fetch_add(1, Ordering::Relaxed);
        tracing::debug!(%peer, path = req.uri().path(), "reserve connection: not /healthz nor an agent; refused");
        return closing(
            ApiError::new(
                StatusCode::SERVICE_UNAVAILABLE,
                RejectReason::Unavailable,
                "too many connections (from this address, or overall): only /healthz and agents are served now; retry later",
            )
            .with_retry_after(5),
        );
    }
    let timed_out = Arc::new(AtomicBool::new(false));
    let (parts, body) = req.into_parts();
    let body = if hyper::body::Body::is_end_stream(&body) {
        axum::body::Body::new(body)
    } else {
        axum::body::Body::new(TimeoutBody::new(
            body,
            s.body_timeout,
            Arc::clone(&timed_out),
        ))
    };
    let mut req = hyper::Request::from_parts(parts, body);
    req.extensions_mut().insert(ConnectInfo(peer));
    let resp = match router.call(req).await {
        Ok(r) => r,
        Err(never) => match never {},
    };
    if timed_out.load(Ordering::Relaxed) {
        s.stats.body_timeouts.fetch_add(1, Ordering::Relaxed);
        tracing::debug!(%peer, "request body timed out");
        // whatever the handler made of the failed body, the client gets a 408
        return closing(ApiError::new(
            StatusCode::REQUEST_TIMEOUT,
            // a body that never arrived is a malformed request; the reason is only
            // counted by the ingest handler, which never sees this one
            RejectReason::Malformed,
            format!(
                "the request body did not arrive within {} s (body_timeout_secs)",
                s.body_timeout.as_secs()
            ),
        ));
    }
    resp
}

/// `e` as a response that closes the connection: the rest of its body is never read.
fn closing(e: ApiError) -> axum::response::Response {
    use axum::response::IntoResponse;
    let mut resp = e.into_response();
    resp.headers_mut().insert(
        hyper::header::CONNECTION,
        hyper::header::HeaderValue::from_static("close"),
    );
    resp
}

/// The wait after a failed accept: 10 ms, doubling to 1 s, back to 10 ms after one
/// that succeeds.
#[derive(Debug, Default)]
struct AcceptBackoff {
    failures: u32,
    log: Throttle,
}

impl AcceptBackoff {
    const FIRST: Duration = Duration::from_millis(10);
    const MAX: Duration = Duration::from_secs(1);

    fn failed(&mut self) -> Duration {
        let wait = Self::FIRST
            .saturating_mul(1 << self.failures.min(10))
            .min(Self::MAX);
        self.failures = self.failures.saturating_add(1);
        wait
    }

    fn succeeded(&mut self) {
        self.failures = 0;
    }
}

/// Lets a log line through at most once per [`Throttle::EVERY`], counting the rest.
#[derive(Debug, Default)]
struct Throttle {
    state: std::sync::Mutex<(Option<std::time::Instant>, u64)>,
}

impl Throttle {
    const EVERY: Duration = Duration::from_secs(10);

    /// Some(lines suppressed since the last one) when a line may be logged now.
    fn due(&self) -> Option<u64> {
        let mut st = crate::lock(&self.state);
        let now = std::time::Instant::now();
        match st.0 {
            Some(last) if now.duration_since(last) < Self::EVERY => {
                st.1 += 1;
                None
            }
            _ => {
                let suppressed = st.1;
                *st = (Some(now), 0);
                Some(suppressed)
            }
        }
    }
}

/// Connections the kernel queues for `accept`: more than the default 1024, because at
/// `max_connections` new connections wait there (see [`limits`]); one that finds the
/// queue full has its SYN dropped and retried a second later. The kernel caps it at
/// `net.core.somaxconn` (4096 by default since Linux 5.4).
const BACKLOG: u32 = 4096;

/// Listens on `addr` (IP:PORT, validated at config load) with [`BACKLOG`].
pub fn bind(addr: &str) -> anyhow::Result<TcpListener> {
    let addr: SocketAddr = addr.parse().context("not IP:PORT")?;
    let socket = if addr.is_ipv4() {
        tokio::net::TcpSocket::new_v4()?
    } else {
        tokio::net::TcpSocket::new_v6()?
    };
    // as std's and tokio's bind do: a restart does not wait for TIME_WAIT to pass
    socket.set_reuseaddr(true)?;
    socket.bind(addr)?;
    Ok(socket.listen(BACKLOG)?)
}

/// Raises the soft limit of open files to the hard one (systemd starts services with a
/// soft limit of 1024 unless the unit says `LimitNOFILE=`); returns (soft, hard) after.
pub fn raise_fd_limit() -> std::io::Result<(u64, u64)> {
    use nix::sys::resource::{getrlimit, setrlimit, Resource};
    let (soft, hard) = getrlimit(Resource::RLIMIT_NOFILE)?;
    if soft < hard {
        setrlimit(Resource::RLIMIT_NOFILE, hard, hard)?;
    }
    let (soft, hard) = getrlimit(Resource::RLIMIT_NOFILE)?;
    Ok((soft, hard))
}

fn handshake_failed(tls: &Tls, peer: SocketAddr, error: &str) {
    tls.handshake_failures.fetch_add(1, Ordering::Relaxed);
    tracing::warn!(%peer, error, "TLS handshake failed; connection refused");
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn failed_accepts_back_off_to_a_second_and_reset_on_success() {
        let mut b = AcceptBackoff::default();
        let waits: Vec<u128> = (0..10).map(|_| b.failed().as_millis()).collect();
        assert_eq!(waits, [10, 20, 40, 80, 160, 320, 640, 1000, 1000, 1000]);
        for _ in 0..100 {
            b.failed();
        }
        assert_eq!(b.failed(), Duration::from_secs(1));
        b.succeeded();
        assert_eq!(b.failed(), Duration::from_millis(10));
    }

    #[test]
    fn a_throttled_log_line_passes_once_and_counts_the_rest() {
        let t = Throttle::default();
        assert_eq!(t.due(), Some(0));
        for _ in 0..5 {
            assert_eq!(t.due(), None);
        }
        // as if the interval had passed: the next line reports the five it held back
        crate::lock(&t.state).0 = std::time::Instant::now().checked_sub(Throttle::EVERY);
        assert_eq!(t.due(), Some(5));
    }
}
