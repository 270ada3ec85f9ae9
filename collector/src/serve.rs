//! `simpul-collector serve`: open the store, load the fleet, start the writer, serve HTTP
//! until SIGTERM/SIGINT, then drain in-flight requests and the writer queue.

use std::sync::{Arc, Mutex};

use anyhow::Context;
use simpul_protocol::Limits;

use crate::api::{self, auth::Auth, AppState};
use crate::config::CollectorConfig;
use crate::metrics::Metrics;
use crate::state::Fleet;
use crate::store::{self, writer::Writer};

/// Runs the collector until a shutdown signal.
pub async fn serve(cfg: CollectorConfig) -> anyhow::Result<()> {
    let write_conn = store::open(&cfg.data_dir)?;
    let fleet = Arc::new(Fleet::from_loaded(store::load_fleet(&write_conn)?));
    let read_conn = store::open(&cfg.data_dir)?;
    let auth = Arc::new(Auth::new(Arc::new(Mutex::new(read_conn))));
    auth.reload()?;
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
    let listener = tokio::net::TcpListener::bind(&cfg.listen)
        .await
        .with_context(|| format!("cannot listen on {}", cfg.listen))?;
    let addr = listener.local_addr()?;
    let state = Arc::new(AppState {
        cfg,
        limits,
        fleet: Arc::clone(&fleet),
        auth: Arc::clone(&auth),
        writer: writer.sender(),
        metrics,
    });
    tracing::info!(%addr, hosts = fleet.len(), data_dir = %state.cfg.data_dir.display(), "collector listening");
    let refresh = tokio::spawn(api::auth::refresh_loop(auth, fleet));
    axum::serve(listener, api::router(state))
        .with_graceful_shutdown(shutdown_signal())
        .await?;
    refresh.abort();
    // every request handler (and its writer sender) is gone now: drain the queue
    tokio::task::spawn_blocking(move || writer.finish()).await?;
    tracing::info!("collector stopped");
    Ok(())
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
