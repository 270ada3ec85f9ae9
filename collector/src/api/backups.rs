//! `GET /api/v1/backups` and `GET /api/v1/agencies/{agency}/backups`: every obligation
//! with its state and newest evidence, as JSON or CSV (`format=csv`); check-ins of
//! backup jobs, restore tests and the history of one obligation.

use std::net::SocketAddr;
use std::sync::Arc;

use axum::body::Bytes;
use axum::extract::{ConnectInfo, Path, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Json;
use serde::Deserialize;
use simpul_protocol::Violation;

use super::error::ApiError;
use super::query::{Format, Params, Unknown};
use super::scope::AgencyPath;
use super::AppState;
use crate::backups::{explained, to_csv, Obligation};
use crate::i18n::Lang;
use crate::store;

/// The declared obligation `id` (collector.toml or API), or a 404 that names only the
/// id asked for: the check-in endpoint answers anyone, and an agency user may read
/// history, so the answer never lists the obligations that exist (the CLI, run by an
/// admin on the collector host, does).
async fn obligation(app: &Arc<AppState>, id: &str) -> Result<Obligation, ApiError> {
    let (a, id) = (Arc::clone(app), id.to_owned());
    let asked = id.clone();
    app.read_db(move |conn| crate::backups::find(conn, &a.cfg.backup_settings(), &id))
        .await?
        .map_err(|_| ApiError::not_found(format!("no backup obligation {asked:?}")))
}

/// The parameters of the lists: `format=json|csv`.
#[derive(Debug, Deserialize)]
pub struct ListQuery {
    format: Option<String>,
    #[serde(flatten)]
    unknown: Unknown,
}

async fn answer(
    app: Arc<AppState>,
    q: ListQuery,
    agency: Option<String>,
) -> Result<Response, ApiError> {
    q.unknown
        .refuse(|| "unknown parameter; only format=json|csv".into())?;
    let as_csv = Format::param(q.format.as_deref())? == Format::Csv;
    let cfg = Arc::clone(&app);
    let rows = app
        .read_db(move |conn| {
            explained(
                conn,
                &cfg.cfg.backup_settings(),
                crate::now_seconds(),
                agency.as_deref(),
            )
        })
        .await?;
    Ok(if as_csv {
        super::csv_response("simpul-backups.csv", to_csv(&rows, Lang::En))
    } else {
        Json(rows.into_iter().map(|e| e.status).collect::<Vec<_>>()).into_response()
    })
}

pub async fn all(
    State(app): State<Arc<AppState>>,
    r: super::auth::Reader,
    Params(q): Params<ListQuery>,
) -> Result<Response, ApiError> {
    answer(app, q, r.only()).await
}

pub async fn agency(
    State(app): State<Arc<AppState>>,
    AgencyPath { agency, .. }: AgencyPath,
    Params(q): Params<ListQuery>,
) -> Result<Response, ApiError> {
    answer(app, q, Some(agency)).await
}

/// The body of `POST /api/v1/backups/{obligation}/checkin`.
#[derive(Debug, serde::Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CheckinBody {
    /// `start` when the job begins, `ok` or `fail` when it ends.
    status: String,
    #[serde(default)]
    size_bytes: Option<u64>,
    #[serde(default)]
    checksum: String,
    #[serde(default)]
    duration_seconds: Option<f64>,
    #[serde(default)]
    message: String,
}

/// Most bytes of a check-in message.
const MAX_MESSAGE: usize = 2000;

pub async fn checkin(
    State(app): State<Arc<AppState>>,
    ConnectInfo(peer): ConnectInfo<SocketAddr>,
    Path(obligation_id): Path<String>,
    headers: HeaderMap,
    body: Bytes,
) -> Result<(StatusCode, Json<serde_json::Value>), ApiError> {
    app.per_address
        .check(&peer.ip(), std::time::Instant::now())
        .map_err(|w| super::ingest::rate_limited(w, "address (rate_limit_per_address)"))?;
    let token = super::auth::bearer(&headers, "check-in token")?.to_owned();
    // the token first, and one answer for an unknown obligation and a wrong token: a
    // check-in says nothing about which obligations exist
    let id = obligation_id.clone();
    if !app
        .read_db(move |conn| store::backup_token_valid(conn, &id, &token))
        .await?
    {
        tracing::warn!(%peer, obligation = ?obligation_id, "backup check-in with an unknown obligation or a wrong token");
        return Err(ApiError::not_found(format!(
            "no backup obligation {obligation_id:?} for this check-in token (simpul-collector backup token ID prints the obligation's token)"
        )));
    }
    let ob = obligation(&app, &obligation_id).await?.id;
    let b: CheckinBody =
        serde_json::from_slice(&body).map_err(|e| ApiError::malformed("check-in", e))?;
    let mut v = Vec::new();
    let mut bad = |field: &str, rule: String| {
        v.push(Violation {
            field: field.into(),
            rule,
        })
    };
    let status = store::CheckinStatus::parse(&b.status);
    if status.is_none() {
        bad("status", "must be start, ok or fail".into());
    }
    if b.message.len() > MAX_MESSAGE {
        bad("message", format!("must be at most {MAX_MESSAGE} bytes"));
    }
    if b.checksum.len() > 128
        || !b
            .checksum
            .bytes()
            .all(|c| c.is_ascii_alphanumeric() || c == b':' || c == b'-')
    {
        bad(
            "checksum",
            "must be at most 128 characters of letters, digits, ':' or '-'".into(),
        );
    }
    if b.duration_seconds
        .is_some_and(|d| !d.is_finite() || d < 0.0)
    {
        bad("duration_seconds", "must be a finite number >= 0".into());
    }
    let Some(status) = status.filter(|_| v.is_empty()) else {
        return Err(ApiError::invalid("check-in", v));
    };
    let c = store::Checkin {
        at: crate::now_seconds(),
        status,
        size_bytes: b.size_bytes,
        checksum: b.checksum,
        duration_seconds: b.duration_seconds,
        message: b.message,
        source: peer.ip().to_string(),
    };
    let (id, stored) = (ob.clone(), c.clone());
    app.read_db(move |conn| store::add_checkin(conn, &id, &stored))
        .await?;
    tracing::info!(obligation = %ob, status = %c.status, %peer, "backup check-in");
    Ok((
        StatusCode::CREATED,
        Json(serde_json::json!({"obligation": ob, "status": c.status, "at": c.at})),
    ))
}

/// The body of `POST /api/v1/backups/{obligation}/restore-tests`.
#[derive(Debug, serde::Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RestoreBody {
    who: String,
    /// RFC 3339; default now.
    #[serde(default)]
    at: Option<String>,
    /// `ok` or `fail`.
    result: String,
    #[serde(default)]
    notes: String,
}

/// Checks a restore test; returns it or every problem.
pub fn restore_test(
    b: RestoreBody,
    recorded_by: String,
    now: f64,
) -> Result<crate::store::RestoreTest, Vec<Violation>> {
    let mut v = Vec::new();
    let mut bad = |f: &str, r: String| {
        v.push(Violation {
            field: f.into(),
            rule: r,
        })
    };
    if b.who.trim().is_empty() || b.who.len() > 200 {
        bad("who", "must name who tested, 1 to 200 bytes".into());
    }
    let result = crate::store::TestResult::parse(&b.result);
    if result.is_none() {
        bad("result", "must be ok or fail".into());
    }
    if b.notes.len() > MAX_MESSAGE {
        bad("notes", format!("must be at most {MAX_MESSAGE} bytes"));
    }
    let at = match &b.at {
        None => Some(now),
        Some(s) => crate::sla::config::parse_rfc3339(s),
    };
    match at {
        None => bad(
            "at",
            "must be an RFC 3339 time like \"2026-11-20T10:00:00+07:00\"".into(),
        ),
        Some(t) if t > now + 300.0 => bad("at", "must not be in the future".into()),
        Some(_) => {}
    }
    let Some(result) = result.filter(|_| v.is_empty()) else {
        return Err(v);
    };
    Ok(crate::store::RestoreTest {
        at: at.unwrap_or(now),
        who: b.who.trim().to_owned(),
        result,
        notes: b.notes,
        recorded_by,
    })
}

pub async fn record_restore_test(
    State(app): State<Arc<AppState>>,
    Path(obligation_id): Path<String>,
    headers: HeaderMap,
    body: Bytes,
) -> Result<(StatusCode, Json<store::RestoreTest>), ApiError> {
    let (admin, name) = app.auth.authenticate_admin(&headers)?;
    let ob = obligation(&app, &obligation_id).await?.id;
    let b: RestoreBody =
        serde_json::from_slice(&body).map_err(|e| ApiError::malformed("restore test", e))?;
    let t = restore_test(b, format!("{admin} ({name})"), crate::now_seconds())
        .map_err(|v| ApiError::invalid("restore test", v))?;
    let stored = t.clone();
    app.read_db(move |conn| store::add_restore_test(conn, &ob, &stored))
        .await?;
    Ok((StatusCode::CREATED, Json(t)))
}

/// `GET /api/v1/backups/{obligation}/history`: the newest 500 probe readings, check-ins
/// and restore tests, newest first.
pub async fn history(
    State(app): State<Arc<AppState>>,
    r: super::auth::Reader,
    Path(obligation_id): Path<String>,
) -> Result<Json<serde_json::Value>, ApiError> {
    let ob = obligation(&app, &obligation_id).await?;
    if !r.0.sees(&ob.agency) {
        return Err(ApiError::not_found(format!(
            "no backup obligation {obligation_id:?}"
        )));
    }
    let (ob, agency) = (ob.id, ob.agency);
    app.read_db(move |conn| {
        Ok(Json(serde_json::json!({
            "evidence": store::evidence_history(conn, &ob, &agency, 500)?,
            "checkins": store::checkins(conn, &ob, 500)?,
            "restore_tests": store::restore_tests(conn, &ob, 500)?,
            "obligation": ob,
        })))
    })
    .await
}
