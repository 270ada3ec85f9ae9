//! `simpul-collector serve`: open the store, load the fleet, start the writer, serve HTTP
//! until SIGTERM/SIGINT, then drain in-flight requests and the writer queue.

use std::sync::{Arc, Mutex};

use anyhow::Context;
use simpul_protocol::Limits;

use crate::api::{self, auth::Auth, ratelimit::RateLimiter, AppState};
use crate::config::CollectorConfig;
use crate::duties::DutyEngine;
use crate::ingest::writer::{self, Writer};
use crate::listener::{self, Tls, TlsFiles};
use crate::metrics::{Exposition, Metrics};
use crate::state::Fleet;
use crate::store;

/// Runs the collector until a shutdown signal.
pub async fn serve(cfg: CollectorConfig) -> anyhow::Result<()> {
    let write_conn = store::open(&cfg.store, &cfg.data_dir)?;
    let fleet = Arc::new(Fleet::from_loaded(store::load_fleet(&write_conn)?));
    let write_conn_engine = write_conn.engine();
    let shared = write_conn_engine == store::Engine::Postgres;
    let read_conn = store::open(&cfg.store, &cfg.data_dir)?;
    let auth = Arc::new(Auth::new(Arc::new(Mutex::new(read_conn))));
    // reports get their own connections so that a long one never delays a token
    // lookup, and one slow page never holds up every other user's
    let read_db = Arc::new(store::pool::ReadPool::open(
        &cfg.store,
        &cfg.data_dir,
        store::pool::READ_CONNECTIONS,
    )?);
    let limits = Limits {
        max_age_secs: cfg.max_report_age_secs,
        max_future_secs: cfg.max_clock_skew_secs,
        ..Limits::default()
    };
    let metrics = Metrics::new(
        Arc::clone(&fleet),
        cfg.grace_intervals,
        cfg.max_clock_skew_secs,
        (write_conn_engine == store::Engine::Sqlite).then(|| cfg.data_dir.join(store::DB_FILE)),
    );
    let writer = Writer::spawn(
        write_conn,
        Arc::clone(&fleet),
        cfg.grace_intervals,
        writer::LanSettings {
            limits: cfg.lan_limits(),
            coalesced: Arc::clone(&metrics.lan_versions_coalesced),
            interface_samples: Arc::clone(&metrics.interface_samples),
            certificates: crate::certificates::Checker::new(&cfg.certificate_ca_files),
        },
    )?;
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
    match listener::raise_fd_limit() {
        // each connection holds a descriptor; the database, logs and TLS files some more
        Ok((soft, _)) if soft < cfg.max_connections as u64 + 256 => tracing::warn!(
            open_files_limit = soft,
            max_connections = cfg.max_connections,
            "the open-files limit is below max_connections + 256: a connection flood can run the collector out of descriptors; raise LimitNOFILE or lower max_connections"
        ),
        Ok(_) => {}
        Err(e) => tracing::warn!(error = %e, "cannot read or raise the open-files limit"),
    }
    let listener =
        listener::bind(&cfg.listen).with_context(|| format!("cannot listen on {}", cfg.listen))?;
    let addr = listener.local_addr()?;
    if tls.is_none() && !addr.ip().is_loopback() {
        tracing::warn!(%addr, "insecure_http = true: serving plain HTTP beyond loopback; tokens and reports cross the network unencrypted");
    }
    let per_agent = RateLimiter::new(cfg.rate_limit_per_agent, cfg.rate_limit_burst);
    let per_address = RateLimiter::new(cfg.rate_limit_per_address, cfg.rate_limit_burst);
    let cfg = Arc::new(cfg);
    let replica = Arc::new(crate::replica::Replica::new(shared, &addr.to_string()));
    let metrics = Arc::new(metrics);
    let duties = Arc::new(DutyEngine::new(
        Arc::clone(&cfg),
        Arc::clone(&read_db),
        Arc::clone(&replica),
        Arc::clone(&fleet),
    ));
    let expo = Arc::new(Exposition {
        metrics: Arc::clone(&metrics),
        duties: Arc::clone(&duties),
        replica: Arc::clone(&replica),
    });
    let ingest = Arc::new(crate::ingest::Ingest::new(
        Arc::clone(&cfg),
        limits.clone(),
        Arc::clone(&read_db),
        writer.sender(),
        Arc::clone(&metrics),
    ));
    let state = Arc::new(AppState {
        ingest,
        cfg: Arc::clone(&cfg),
        limits,
        fleet: Arc::clone(&fleet),
        auth: Arc::clone(&auth),
        writer: writer.sender(),
        metrics,
        duties: Arc::clone(&duties),
        expo: Arc::clone(&expo),
        per_agent,
        per_address,
        enroll_per_address: RateLimiter::new(
            api::enroll::PER_ADDRESS_RATE,
            api::enroll::PER_ADDRESS_BURST,
        ),
        db: Arc::clone(&read_db),
        web: api::session::LoginLimits::default(),
        replica: Arc::clone(&replica),
    });
    tracing::info!(
        %addr,
        scheme = if tls.is_some() { "https" } else { "http" },
        client_certificates = state.cfg.tls_client_ca_file.is_some(),
        hosts = fleet.len(),
        data_dir = %state.cfg.data_dir.display(),
        "collector listening"
    );
    let mut senders = Vec::new();
    for (i, rw) in cfg.remote_write.iter().enumerate() {
        senders.push(crate::remote_write::spawn(
            Arc::clone(&expo),
            rw.clone(),
            i,
        )?);
    }
    let run_conn = store::open(&state.cfg.store, &state.cfg.data_dir)?;
    let run = store::start_run(&run_conn, crate::now_seconds())?;
    let run_conn = Arc::new(Mutex::new(run_conn));
    let mut background = vec![
        tokio::spawn(record_alive(Arc::clone(&run_conn), run)),
        tokio::spawn(Arc::clone(&duties).tick_loop()),
        tokio::spawn(prune_hourly(Arc::clone(&state))),
        tokio::spawn(api::auth::refresh_loop(auth, Arc::clone(&fleet))),
        tokio::spawn(sweep_rate_limits(Arc::clone(&state))),
    ];
    if shared {
        background.push(tokio::spawn(crate::replica::lease_loop(
            Arc::clone(&replica),
            Arc::clone(&read_db),
        )));
        background.push(tokio::spawn(crate::replica::sync_loop(
            Arc::clone(&read_db),
            Arc::clone(&fleet),
        )));
    }
    if let Some(t) = &tls {
        background.push(tokio::spawn(listener::reload_on_sighup(Arc::clone(t))));
    }
    background.push(tokio::spawn(refresh_certificates(Arc::clone(&state))));
    if !cfg.websites.is_empty() {
        let settings = crate::websites::prober::Settings {
            websites: cfg.websites.clone(),
            official_domains: cfg.official_domains.clone(),
            interval: cfg.website_probe_interval.clone(),
            concurrency: cfg.website_probe_concurrency,
            retention_days: cfg.website_check_retention_days,
            config: Arc::clone(&cfg),
        };
        let db = Arc::new(Mutex::new(store::open(&cfg.store, &cfg.data_dir)?));
        background.push(tokio::spawn(crate::websites::prober::run(
            settings,
            db,
            Arc::clone(&state.metrics.websites),
            shared.then(|| replica.id.clone()),
        )));
    }
    let router_state = Arc::clone(&state);
    let agent_auth = Arc::clone(&state.auth);
    let settings = listener::Settings::from_config(
        &state.cfg,
        Arc::clone(&state.metrics.connections),
        // the reserve's gate: an agent token's shape first (no lookup for anything
        // else), then the same indexed token lookup as ingest's
        Arc::new(move |headers: &axum::http::HeaderMap| {
            headers
                .get(axum::http::header::AUTHORIZATION)
                .and_then(|v| v.to_str().ok())
                .is_some_and(|v| v.trim().starts_with("Bearer smp1_"))
                && agent_auth.authenticate(headers).is_ok()
        }),
    );
    listener::serve(
        listener,
        api::router(router_state, crate::web::routes()),
        tls,
        settings,
        shutdown_signal(),
    )
    .await?;
    for task in background {
        task.abort();
    }
    // another replica takes the duties over at once, not after the lease expires
    let (r, db) = (Arc::clone(&replica), Arc::clone(&read_db));
    tokio::task::spawn_blocking(move || crate::replica::release(&r, &db)).await?;
    // the state holds a writer sender: let go of it before draining the writer
    drop(state);
    drop(expo);
    // the remote-write threads let go of the state (and its writer sender)
    let threads: Vec<_> = senders.into_iter().map(|s| s.thread).collect();
    tokio::task::spawn_blocking(move || {
        for t in threads {
            let _ = t.join();
        }
    })
    .await?;
    // every request handler (and its writer sender) is gone now: drain the queue
    tokio::task::spawn_blocking(move || writer.finish()).await?;
    let conn = crate::lock(&run_conn);
    if let Err(e) = store::touch_run(&conn, run, crate::now_seconds(), true) {
        tracing::warn!(error = %e, "cannot record the clean stop");
    }
    tracing::info!("collector stopped");
    Ok(())
}

/// Reads every host's certificate files for `/metrics` every few seconds (the reports
/// may reach any replica; the one that leads exports them).
async fn refresh_certificates(state: Arc<AppState>) {
    let mut tick = tokio::time::interval(std::time::Duration::from_secs(5));
    loop {
        tick.tick().await;
        // only the replica that exports the fleet's series needs them
        if !state.replica.leads() {
            continue;
        }
        match state
            .read_db(|conn| Ok(crate::certificates::list_brief(conn)?))
            .await
        {
            Ok(rows) => state.metrics.certificates.replace(rows),
            Err(e) => tracing::warn!(error = ?e, "cannot read the certificate files for /metrics"),
        }
    }
}

/// Records every few seconds that this run is alive, so that the SLA can tell the
/// collector's own outages (unknown) from the hosts' (down).
async fn record_alive(conn: Arc<Mutex<store::Db>>, run: f64) {
    let mut tick = tokio::time::interval(std::time::Duration::from_secs_f64(
        crate::sla::ALIVE_EVERY_SECS,
    ));
    loop {
        tick.tick().await;
        let c = Arc::clone(&conn);
        let r = tokio::task::spawn_blocking(move || {
            let conn = crate::lock(&c);
            store::touch_run(&conn, run, crate::now_seconds(), false)
        })
        .await;
        if let Ok(Err(e)) = r {
            tracing::warn!(error = %e, "cannot record that the collector is alive");
        }
    }
}

/// Deletes raw reports, spans and link probe rounds past their retention (and the
/// rounds' RTT lists past theirs), and LAN versions beyond `lan_versions_keep`, at
/// start and then hourly; first keeps each closed month's uplink 95th percentile
/// (`links::uplink::keep_months`), which outlives the interface samples.
async fn prune_hourly(state: Arc<AppState>) {
    let mut tick = tokio::time::interval(std::time::Duration::from_secs(3600));
    loop {
        tick.tick().await;
        let s = Arc::clone(&state);
        let r = tokio::task::spawn_blocking(move || {
            let now = crate::now_seconds();
            let day = 86400.0;
            let conn = store::open(&s.cfg.store, &s.cfg.data_dir)?;
            if s.replica.shared {
                // one replica prunes each hour
                let hour = crate::replica::tick_of(now, 3600.0);
                if !s.replica.leads()
                    || !store::shared::claim_tick(&conn, "prune", hour, &s.replica.id, now)?
                {
                    return Ok((0, 0, 0, (0, 0), 0));
                }
                store::shared::prune_ticks(&conn, now - 7.0 * day)?;
            }
            let (reports, spans) = store::prune(
                &conn,
                now - f64::from(s.cfg.raw_retention_days) * day,
                now - f64::from(s.cfg.span_retention_days) * day,
            )?;
            let lan_versions = crate::lan::prune(&conn, s.cfg.lan_limits().keep)?;
            let probes = crate::links::prune(
                &conn,
                now - f64::from(s.cfg.probe_rtt_retention_days) * day,
                now - f64::from(s.cfg.probe_round_retention_days) * day,
            )?;
            // each closed month's uplink percentile is kept before its samples go
            let kept = crate::links::uplink::keep_months(&conn, &s.cfg, now)?;
            if kept > 0 {
                tracing::info!(months = kept, "kept the uplinks' monthly 95th percentiles");
            }
            let samples =
                crate::traffic::prune(&conn, now - f64::from(s.cfg.traffic_retention_days) * day)?;
            let changes = crate::software::prune_changes(
                &conn,
                now - f64::from(s.cfg.package_change_retention_days) * day,
            )?;
            if changes > 0 {
                tracing::info!(
                    package_changes = changes,
                    "pruned package changes past their retention"
                );
            }
            Ok::<_, store::StoreError>((reports, spans, lan_versions, probes, samples))
        })
        .await;
        match r {
            Ok(Ok((0, 0, 0, (0, 0), 0))) => {}
            Ok(Ok((
                reports,
                spans,
                lan_versions,
                (probe_rtt_lists, probe_rounds),
                interface_samples,
            ))) => {
                tracing::info!(
                    reports,
                    spans,
                    lan_versions,
                    probe_rtt_lists,
                    probe_rounds,
                    interface_samples,
                    "pruned data past its retention"
                )
            }
            Ok(Err(e)) => tracing::warn!(error = %e, "cannot prune old data"),
            Err(e) => tracing::warn!(error = %e, "prune task failed"),
        }
    }
}

/// Forgets idle rate-limit buckets every minute.
async fn sweep_rate_limits(state: Arc<AppState>) {
    let mut tick = tokio::time::interval(std::time::Duration::from_secs(60));
    loop {
        tick.tick().await;
        let now = std::time::Instant::now();
        state.per_agent.sweep(now);
        state.per_address.sweep(now);
        state.enroll_per_address.sweep(now);
        state.web.sweep(now);
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
