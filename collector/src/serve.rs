//! `simpul-collector serve`: open the store, load the fleet, start the writer, serve HTTP
//! until SIGTERM/SIGINT, then drain in-flight requests and the writer queue.

use std::sync::{Arc, Mutex};

use anyhow::Context;
use simpul_protocol::Limits;

use crate::api::{self, auth::Auth, ratelimit::RateLimiter, AppState};
use crate::config::CollectorConfig;
use crate::listener::{self, Tls, TlsFiles};
use crate::metrics::Metrics;
use crate::state::Fleet;
use crate::store::{self, writer::Writer};

/// Runs the collector until a shutdown signal.
pub async fn serve(cfg: CollectorConfig) -> anyhow::Result<()> {
    let write_conn = store::open(&cfg.data_dir)?;
    let fleet = Arc::new(Fleet::from_loaded(store::load_fleet(&write_conn)?));
    let read_conn = store::open(&cfg.data_dir)?;
    let auth = Arc::new(Auth::new(Arc::new(Mutex::new(read_conn))));
    let writer = Writer::spawn(write_conn, Arc::clone(&fleet))?;
    let limits = Limits {
        max_age_secs: cfg.max_report_age_secs,
        max_future_secs: cfg.max_clock_skew_secs,
        ..Limits::default()
    };
    let metrics = Metrics::new(
        Arc::clone(&fleet),
        cfg.grace_intervals,
        cfg.max_clock_skew_secs,
        cfg.data_dir.join(store::DB_FILE),
    );
    let tls = match (&cfg.tls_cert_file, &cfg.tls_key_file) {
        (Some(cert), Some(key)) => Some(Arc::new(Tls::new(
            TlsFiles {
                cert: cert.clone(),
                key: key.clone(),
                client_ca: cfg.tls_client_ca_file.clone(),
            },
            Arc::clone(&metrics.tls_handshake_failures),
        )?)),
        _ => None,
    };
    let listener = tokio::net::TcpListener::bind(&cfg.listen)
        .await
        .with_context(|| format!("cannot listen on {}", cfg.listen))?;
    let addr = listener.local_addr()?;
    if tls.is_none() && !addr.ip().is_loopback() {
        tracing::warn!(%addr, "insecure_http = true: serving plain HTTP beyond loopback; tokens and reports cross the network unencrypted");
    }
    let per_agent = RateLimiter::new(cfg.rate_limit_per_agent, cfg.rate_limit_burst);
    let per_address = RateLimiter::new(cfg.rate_limit_per_address, cfg.rate_limit_burst);
    let state = Arc::new(AppState {
        cfg,
        limits,
        fleet: Arc::clone(&fleet),
        auth: Arc::clone(&auth),
        writer: writer.sender(),
        metrics,
        per_agent,
        per_address,
    });
    tracing::info!(
        %addr,
        scheme = if tls.is_some() { "https" } else { "http" },
        client_certificates = state.cfg.tls_client_ca_file.is_some(),
        hosts = fleet.len(),
        data_dir = %state.cfg.data_dir.display(),
        "collector listening"
    );
    let mut background = vec![
        tokio::spawn(api::auth::refresh_loop(auth, fleet)),
        tokio::spawn(sweep_rate_limits(Arc::clone(&state))),
    ];
    if let Some(t) = &tls {
        background.push(tokio::spawn(listener::reload_on_sighup(Arc::clone(t))));
    }
    listener::serve(listener, api::router(state), tls, shutdown_signal()).await?;
    for task in background {
        task.abort();
    }
    // every request handler (and its writer sender) is gone now: drain the queue
    tokio::task::spawn_blocking(move || writer.finish()).await?;
    tracing::info!("collector stopped");
    Ok(())
}

/// Forgets idle rate-limit buckets every minute.
async fn sweep_rate_limits(state: Arc<AppState>) {
    let mut tick = tokio::time::interval(std::time::Duration::from_secs(60));
    loop {
        tick.tick().await;
        let now = std::time::Instant::now();
        state.per_agent.sweep(now);
        state.per_address.sweep(now);
    }
}

async fn shutdown_signal() {
    let term = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut s) => {
                s.recv().await;
            }
            Err(e) => {
                tracing::warn!(error = %e, "cannot watch SIGTERM");
                std::future::pending::<()>().await;
            }
        }
    };
    tokio::select! {
        _ = tokio::signal::ctrl_c() => {}
        _ = term => {}
    }
    tracing::info!("shutting down: finishing in-flight requests");
}
