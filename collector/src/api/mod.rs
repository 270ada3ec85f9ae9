//! The HTTP API: routes and shared state.

pub mod assets;
pub mod auth;
pub mod backups;
pub mod certificates;
pub(crate) mod enroll;
pub mod error;
mod ingest;
mod interfaces;
mod lan;
mod links;
mod login_throttles;
mod maintenance;
mod obligations;
mod probes;
pub mod query;
pub mod ratelimit;
mod read;
mod report;
pub mod scope;
mod scorecard;
pub mod session;
mod sla;
pub mod software;
mod websites;

use std::sync::Arc;

use axum::extract::{DefaultBodyLimit, State};
use axum::http::{header, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::Router;
use simpul_protocol::Limits;
use tokio::sync::mpsc;

use crate::config::CollectorConfig;
use crate::ingest::writer::Job;
use crate::metrics::Metrics;
use crate::state::Fleet;

/// Everything a request handler needs.
#[derive(Debug)]
pub struct AppState {
    pub cfg: Arc<CollectorConfig>,
    pub limits: Limits,
    pub fleet: Arc<Fleet>,
    pub auth: Arc<auth::Auth>,
    pub writer: mpsc::Sender<Job>,
    /// The ingest pipeline (validation, binding, the single writer).
    pub ingest: Arc<crate::ingest::Ingest>,
    pub metrics: Arc<Metrics>,
    /// The duty engine: the newest SLA, backup, LAN and SNMP states.
    pub duties: Arc<crate::duties::DutyEngine>,
    /// What `/metrics` exports.
    pub expo: Arc<crate::metrics::Exposition>,
    pub per_agent: ratelimit::RateLimiter<String>,
    pub per_address: ratelimit::RateLimiter<std::net::IpAddr>,
    /// `POST /api/v1/enroll` per source address ([`enroll::PER_ADDRESS_BURST`]).
    pub enroll_per_address: ratelimit::RateLimiter<std::net::IpAddr>,
    /// Read connections for reports and pages ([`crate::store::pool::READ_CONNECTIONS`]).
    pub db: Arc<crate::store::pool::ReadPool>,
    /// Failed-login throttles of the web pages.
    pub web: session::LoginLimits,
    /// This process among the replicas sharing the database.
    pub replica: Arc<crate::replica::Replica>,
}

impl std::fmt::Debug for Job {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "Job({}, {} reports)",
            self.binding.id,
            self.reports.len()
        )
    }
}

/// The router with every API route and `pages` (the web pages, which sit above the
/// API and are merged here by the caller, so that the API does not import them).
pub fn router(state: Arc<AppState>, pages: Router<Arc<AppState>>) -> Router {
    let max = state.cfg.max_body_bytes;
    Router::new()
        .route(
            "/api/v1/reports",
            post(ingest::post_reports).layer(DefaultBodyLimit::max(max)),
        )
        .route("/api/v1/hosts", get(read::list_hosts))
        .route("/api/v1/hosts/{id}", get(read::get_host))
        .route("/api/v1/hosts/{id}/software", get(software::host))
        .route("/api/v1/software", get(software::search))
        .route("/api/v1/hosts/{id}/certificates", get(certificates::host))
        .route("/api/v1/certificates", get(certificates::list))
        .route("/api/v1/agents/{id}/probes", get(probes::list))
        .route("/api/v1/interfaces", get(interfaces::list))
        .route("/api/v1/interfaces/{id}", get(interfaces::one))
        .route("/api/v1/links", get(links::list))
        .route("/api/v1/links/map.svg", get(links::map_svg))
        .route("/api/v1/links/{id}", get(links::one))
        .route("/api/v1/links/{id}/latency.svg", get(links::latency_svg))
        .route("/api/v1/links/{id}/uplink", get(links::uplink_year))
        .route("/api/v1/websites", get(websites::list))
        .route("/api/v1/websites/{id}", get(websites::one))
        .route("/api/v1/websites/{id}/checks", get(websites::history))
        .route(
            "/api/v1/maintenance",
            get(maintenance::list).post(maintenance::create),
        )
        .route(
            "/api/v1/maintenance/{id}",
            axum::routing::delete(maintenance::delete),
        )
        .route(
            "/api/v1/obligations",
            get(obligations::list).post(obligations::create),
        )
        .route(
            "/api/v1/obligations/{id}",
            axum::routing::put(obligations::replace).delete(obligations::delete),
        )
        .route("/api/v1/backups", get(backups::all))
        .route("/api/v1/agencies/{agency}/backups", get(backups::agency))
        .route(
            "/api/v1/backups/{obligation}/history",
            get(backups::history),
        )
        .route(
            "/api/v1/backups/{obligation}/restore-tests",
            post(backups::record_restore_test),
        )
        .route(
            "/api/v1/backups/{obligation}/checkin",
            post(backups::checkin).layer(DefaultBodyLimit::max(64 << 10)),
        )
        .route(
            "/api/v1/enroll",
            post(enroll::enroll).layer(DefaultBodyLimit::max(enroll::MAX_BODY_BYTES)),
        )
        .route("/api/v1/login-throttles", get(login_throttles::list))
        .route("/api/v1/lan", get(lan::duty))
        .route("/api/v1/agencies/{agency}/lan", get(lan::current))
        .route("/api/v1/agencies/{agency}/lan.dot", get(lan::dot))
        .route("/api/v1/agencies/{agency}/lan.svg", get(lan::svg))
        .route("/api/v1/agencies/{agency}/lan/graph", get(lan::graph))
        .route("/api/v1/agencies/{agency}/lan/versions", get(lan::versions))
        .route("/api/v1/agencies/{agency}/lan/versions/{n}", get(lan::one))
        .route(
            "/api/v1/agencies/{agency}/lan/versions/{n}/ack",
            post(lan::ack),
        )
        .route("/api/v1/agencies/{agency}/lan/diff", get(lan::diff))
        .route("/api/v1/scorecard", get(scorecard::get))
        .route("/api/v1/assets", get(assets::list))
        .route(
            "/api/v1/assets/import",
            post(assets::import).layer(DefaultBodyLimit::max(crate::assets::import::MAX_BYTES)),
        )
        .route("/api/v1/assets/{id}", get(assets::get).put(assets::put))
        .route("/api/v1/sla", get(sla::all))
        .route("/api/v1/agencies/{agency}/sla", get(sla::agency))
        // the compliance report (PDF, XLSX): plain URLs the pages link to
        .route("/reports/{file}", get(report::all))
        .route("/agencies/{agency}/reports/{file}", get(report::agency))
        .route("/healthz", get(read::healthz))
        .route("/metrics", get(metrics))
        // the pages, with the fallback of every other path
        .merge(pages)
        .layer(axum::middleware::map_response(no_store))
        .with_state(state)
}

/// Every answer but the static files (which set their own) is `Cache-Control: no-store`:
/// the JSON, CSV and SVG answers hold one agency's private data, and neither a browser's
/// cache nor a proxy may keep them.
async fn no_store(mut r: Response) -> Response {
    r.headers_mut()
        .entry(header::CACHE_CONTROL)
        .or_insert(header::HeaderValue::from_static("no-store"));
    r
}

async fn metrics(State(app): State<Arc<AppState>>, parts: axum::http::request::Parts) -> Response {
    // `metrics_auth` (the default): a scrape token, or a Diskominfo admin's token or
    // login, reads the whole fleet's metrics; nobody else
    if app.cfg.metrics_auth {
        if let Err(e) = metrics_reader(&app, parts).await {
            return e.into_response();
        }
    }
    // the login throttles live here, in the HTTP layer: counted for each scrape
    let throttled = app.web.throttled(std::time::Instant::now());
    for scope in crate::metrics::ThrottleScope::ALL {
        let n = throttled.iter().filter(|t| t.scope == *scope).count();
        app.metrics.web_login_throttled(*scope, n as u64);
    }
    let app2 = Arc::clone(&app);
    // encoding 5,000 hosts takes tens of milliseconds: keep it off the async workers
    match tokio::task::spawn_blocking(move || app2.expo.encode()).await {
        Ok(text) => (
            [(header::CONTENT_TYPE, crate::metrics::expo::CONTENT_TYPE)],
            text,
        )
            .into_response(),
        Err(e) => (
            StatusCode::INTERNAL_SERVER_ERROR,
            format!("cannot encode metrics: {e}"),
        )
            .into_response(),
    }
}

/// Whether the request may read `/metrics`: a scrape token (`sms1_`), or what the API
/// takes from an admin (an admin's token, an admin user's token or login).
async fn metrics_reader(
    app: &Arc<AppState>,
    mut parts: axum::http::request::Parts,
) -> Result<(), error::ApiError> {
    use axum::extract::FromRequestParts;
    if let Ok(token) = auth::bearer(&parts.headers, "scrape token") {
        if token.starts_with("sms1_") {
            let token = token.to_owned();
            return if app
                .read_db(move |conn| crate::store::scrape_token_valid(conn, &token))
                .await?
            {
                Ok(())
            } else {
                Err(error::ApiError::new(
                    StatusCode::UNAUTHORIZED,
                    crate::metrics::RejectReason::Unauthorized,
                    "unknown or revoked scrape token (simpul-collector scrape-token list)",
                ))
            };
        }
    }
    match auth::Reader::from_request_parts(&mut parts, app).await {
        Ok(r) if r.0.is_admin() => Ok(()),
        Ok(_) => Err(error::ApiError::new(
            StatusCode::FORBIDDEN,
            crate::metrics::RejectReason::Forbidden,
            "/metrics holds every agency's data: it needs a scrape token (simpul-collector scrape-token add) or an admin's token",
        )),
        Err(_) => Err(error::ApiError::new(
            StatusCode::UNAUTHORIZED,
            crate::metrics::RejectReason::Unauthorized,
            "/metrics needs `Authorization: Bearer <scrape token>` (simpul-collector scrape-token add --name prometheus), or metrics_auth = false",
        )),
    }
}

impl AppState {
    /// Runs `f` on a read connection off the async workers; a database error or a
    /// failed worker is a 503.
    pub async fn read_db<T: Send + 'static>(
        self: &Arc<Self>,
        f: impl FnOnce(&crate::store::Db) -> Result<T, crate::store::StoreError> + Send + 'static,
    ) -> Result<T, error::ApiError> {
        let app = Arc::clone(self);
        tokio::task::spawn_blocking(move || {
            let conn = app.db.get();
            f(&conn)
        })
        .await
        .map_err(error::ApiError::store)?
        .map_err(error::ApiError::store)
    }
}

/// A CSV download named `filename`.
pub fn csv_response(filename: &str, body: String) -> Response {
    download(filename, "text/csv; charset=utf-8", body)
}

/// A download of `content_type` named `filename`.
pub fn download(filename: &str, content_type: &str, body: impl IntoResponse) -> Response {
    (
        [
            (header::CONTENT_TYPE, content_type.to_owned()),
            (
                header::CONTENT_DISPOSITION,
                format!("attachment; filename=\"{filename}\""),
            ),
        ],
        body,
    )
        .into_response()
}

/// 404 of the API: JSON naming where the API is described. The pages' router (the
/// fallback of every path) answers with it for `/api/` paths and for programs; browsers
/// get the page (`web::fallback`).
pub fn not_found() -> error::ApiError {
    error::ApiError::not_found(
        // no hand-kept list of routes here: it went stale; docs/api.md is the reference
        "no such endpoint; the API is described in docs/api.md (installed in /usr/share/doc/simpul-collector/)",
    )
}
