//! Accepting connections: plain HTTP or HTTPS (rustls, optional client certificates),
//! HTTP/1.1 with a header timeout, the peer address handed to handlers, certificate
//! reload on SIGHUP, and a graceful drain of in-flight requests at shutdown.

use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, RwLock};
use std::time::Duration;

use anyhow::Context;
use axum::extract::ConnectInfo;
use axum::Router;
use hyper_util::rt::{TokioIo, TokioTimer};
use hyper_util::server::graceful::GracefulShutdown;
use rustls::pki_types::{CertificateDer, PrivateKeyDer};
use rustls::server::WebPkiClientVerifier;
use tokio::net::TcpListener;
use tokio_rustls::TlsAcceptor;
use tower_service::Service;

/// Time a client gets to send its request headers (and to finish the TLS handshake).
const HEADER_TIMEOUT: Duration = Duration::from_secs(15);
/// Longest wait for in-flight requests at shutdown.
const DRAIN_TIMEOUT: Duration = Duration::from_secs(30);

/// Where the certificate, key and client CA come from.
#[derive(Debug, Clone)]
pub struct TlsFiles {
    pub cert: PathBuf,
    pub key: PathBuf,
    pub client_ca: Option<PathBuf>,
}

fn pem_items(path: &Path, what: &str) -> anyhow::Result<Vec<u8>> {
    std::fs::read(path).with_context(|| format!("cannot read {what} {}", path.display()))
}

pub(crate) fn certs(path: &Path, what: &str) -> anyhow::Result<Vec<CertificateDer<'static>>> {
    use rustls::pki_types::pem::PemObject;
    let bytes = pem_items(path, what)?;
    let certs = CertificateDer::pem_slice_iter(&bytes)
        .collect::<Result<Vec<_>, _>>()
        .with_context(|| format!("{what} {} is not valid PEM", path.display()))?;
    if certs.is_empty() {
        anyhow::bail!("{what} {} holds no certificate", path.display());
    }
    Ok(certs)
}

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

/// Serves `router` on `listener` until `shutdown` completes, then waits up to
/// [`DRAIN_TIMEOUT`] for in-flight requests.
pub async fn serve(
    listener: TcpListener,
    router: Router,
    tls: Option<Arc<Tls>>,
    shutdown: impl std::future::Future<Output = ()>,
) -> anyhow::Result<()> {
    let graceful = GracefulShutdown::new();
    let mut http = hyper::server::conn::http1::Builder::new();
    http.timer(TokioTimer::new())
        .header_read_timeout(HEADER_TIMEOUT)
        .keep_alive(true);
    let http = Arc::new(http);
    tokio::pin!(shutdown);
    loop {
        let (stream, peer) = tokio::select! {
            r = listener.accept() => match r {
                Ok(x) => x,
                Err(e) => {
                    // out of file descriptors and the like: wait instead of spinning
                    tracing::warn!(error = %e, "accept failed");
                    tokio::time::sleep(Duration::from_millis(100)).await;
                    continue;
                }
            },
            () = &mut shutdown => break,
        };
        let _ = stream.set_nodelay(true);
        let router = router.clone();
        let svc =
            hyper::service::service_fn(move |mut req: hyper::Request<hyper::body::Incoming>| {
                req.extensions_mut().insert(ConnectInfo(peer));
                router.clone().call(req)
            });
        let http = Arc::clone(&http);
        let watcher = graceful.watcher();
        match &tls {
            None => {
                let conn = http.serve_connection(TokioIo::new(stream), svc);
                tokio::spawn(async move {
                    if let Err(e) = watcher.watch(conn).await {
                        tracing::debug!(%peer, error = %e, "connection ended with an error");
                    }
                });
            }
            Some(tls) => {
                let acceptor = tls.acceptor();
                let tls = Arc::clone(tls);
                tokio::spawn(async move {
                    let stream =
                        match tokio::time::timeout(HEADER_TIMEOUT, acceptor.accept(stream)).await {
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

fn handshake_failed(tls: &Tls, peer: SocketAddr, error: &str) {
    tls.handshake_failures.fetch_add(1, Ordering::Relaxed);
    tracing::warn!(%peer, error, "TLS handshake failed; connection refused");
}
