//! `GET /api/v1/backups` and `GET /api/v1/agencies/{agency}/backups`: every obligation
//! with its state and newest evidence, as JSON or CSV (`format=csv`).

use std::collections::HashMap;
use std::sync::Arc;

use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::Json;
use simpul_protocol::Violation;

use super::error::ApiError;
use super::AppState;
use crate::backups::{statuses, Status};
use crate::metrics::RejectReason;

fn csv(rows: &[Status]) -> String {
    let mut out = String::from(
        "id,agency,dataset,state,age_seconds,last_time,last_size_bytes,last_host,restore_test_state,message\n",
    );
    let f = |s: &str| {
        if s.contains([',', '"', '\n']) {
            format!("\"{}\"", s.replace('"', "\"\""))
        } else {
            s.to_owned()
        }
    };
    for r in rows {
        out += &format!(
            "{},{},{},{},{},{},{},{},{},{}\n",
            f(&r.id),
            f(&r.agency),
            f(&r.dataset),
            r.state,
            r.age_seconds.map_or(String::new(), |a| format!("{a:.0}")),
            r.last_time.as_deref().unwrap_or(""),
            r.last_size_bytes.map_or(String::new(), |s| s.to_string()),
            f(r.last_host.as_deref().unwrap_or("")),
            r.restore_test_state,
            f(&r.message)
        );
    }
    out
}

async fn answer(
    app: Arc<AppState>,
    q: HashMap<String, String>,
    agency: Option<String>,
) -> Result<Response, ApiError> {
    let bad = |field: &str, rule: &str| {
        ApiError::new(
            StatusCode::BAD_REQUEST,
            RejectReason::Invalid,
            format!("invalid {field}: {rule}"),
        )
        .with_violations(vec![Violation {
            field: field.into(),
            rule: rule.into(),
        }])
    };
    if let Some(k) = q.keys().find(|k| k.as_str() != "format") {
        return Err(bad(k, "unknown parameter; only format=json|csv"));
    }
    let as_csv = match q.get("format").map(String::as_str) {
        None | Some("json") => false,
        Some("csv") => true,
        Some(_) => return Err(bad("format", "must be json or csv")),
    };
    let unavailable = |e: String| {
        ApiError::new(
            StatusCode::SERVICE_UNAVAILABLE,
            RejectReason::Unavailable,
            e,
        )
    };
    let rows = tokio::task::spawn_blocking(move || {
        let conn = app
            .db
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        statuses(&conn, &app.cfg, crate::now_seconds(), agency.as_deref())
    })
    .await
    .map_err(|e| unavailable(e.to_string()))?
    .map_err(|e| unavailable(e.to_string()))?;
    Ok(if as_csv {
        super::csv_response("simpul-backups.csv", csv(&rows))
    } else {
        Json(rows).into_response()
    })
}

pub async fn all(
    State(app): State<Arc<AppState>>,
    Query(q): Query<HashMap<String, String>>,
) -> Result<Response, ApiError> {
    answer(app, q, None).await
}

pub async fn agency(
    State(app): State<Arc<AppState>>,
    Path(agency): Path<String>,
    Query(q): Query<HashMap<String, String>>,
) -> Result<Response, ApiError> {
    app.cfg
        .check_binding(&agency, None)
        .map_err(ApiError::not_found)?;
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
    axum::extract::ConnectInfo(peer): axum::extract::ConnectInfo<std::net::SocketAddr>,
    Path(obligation): Path<String>,
    headers: axum::http::HeaderMap,
    body: axum::body::Bytes,
) -> Result<(StatusCode, Json<serde_json::Value>), ApiError> {
    let Some(ob) = app.cfg.backups.iter().find(|o| o.id == obligation) else {
        let ids: Vec<_> = app.cfg.backups.iter().map(|o| o.id.as_str()).collect();
        return Err(ApiError::not_found(format!(
            "unknown obligation {obligation:?}; declared: {}",
            ids.join(", ")
        )));
    };
    let unauthorized =
        |m: &str| ApiError::new(StatusCode::UNAUTHORIZED, RejectReason::Unauthorized, m);
    let token = headers
        .get("authorization")
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Bearer "))
        .map(str::trim)
        .ok_or_else(|| {
            unauthorized(
                "send `Authorization: Bearer <check-in token>` (simpul-collector backup token ID)",
            )
        })?;
    let valid = {
        let conn = app
            .db
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        crate::store::backup_token_valid(&conn, &ob.id, token).map_err(|e| {
            ApiError::new(
                StatusCode::SERVICE_UNAVAILABLE,
                RejectReason::Unavailable,
                e.to_string(),
            )
        })?
    };
    if !valid {
        tracing::warn!(%peer, obligation = %ob.id, "backup check-in with a wrong token");
        return Err(unauthorized("wrong check-in token for this obligation"));
    }
    let b: CheckinBody = serde_json::from_slice(&body).map_err(|e| {
        ApiError::new(
            StatusCode::BAD_REQUEST,
            RejectReason::Malformed,
            format!("malformed check-in: {e}"),
        )
    })?;
    let mut v = Vec::new();
    if !matches!(b.status.as_str(), "start" | "ok" | "fail") {
        v.push(Violation {
            field: "status".into(),
            rule: "must be start, ok or fail".into(),
        });
    }
    if b.message.len() > MAX_MESSAGE {
        v.push(Violation {
            field: "message".into(),
            rule: format!("must be at most {MAX_MESSAGE} bytes"),
        });
    }
    if b.checksum.len() > 128
        || !b
            .checksum
            .bytes()
            .all(|c| c.is_ascii_alphanumeric() || c == b':' || c == b'-')
    {
        v.push(Violation {
            field: "checksum".into(),
            rule: "must be at most 128 characters of letters, digits, ':' or '-'".into(),
        });
    }
    if b.duration_seconds
        .is_some_and(|d| !d.is_finite() || d < 0.0)
    {
        v.push(Violation {
            field: "duration_seconds".into(),
            rule: "must be a finite number >= 0".into(),
        });
    }
    if !v.is_empty() {
        return Err(ApiError::new(
            StatusCode::UNPROCESSABLE_ENTITY,
            RejectReason::Invalid,
            format!(
                "invalid check-in: {} problem(s); nothing was stored",
                v.len()
            ),
        )
        .with_violations(v));
    }
    let c = crate::store::Checkin {
        at: crate::now_seconds(),
        status: b.status,
        size_bytes: b.size_bytes,
        checksum: b.checksum,
        duration_seconds: b.duration_seconds,
        message: b.message,
        source: peer.ip().to_string(),
    };
    {
        let conn = app
            .db
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        crate::store::add_checkin(&conn, &ob.id, &c).map_err(|e| {
            ApiError::new(
                StatusCode::SERVICE_UNAVAILABLE,
                RejectReason::Unavailable,
                e.to_string(),
            )
        })?;
    }
    tracing::info!(obligation = %ob.id, status = %c.status, %peer, "backup check-in");
    Ok((
        StatusCode::CREATED,
        Json(serde_json::json!({"obligation": ob.id, "status": c.status, "at": c.at})),
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
    if b.result != "ok" && b.result != "fail" {
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
    if !v.is_empty() {
        return Err(v);
    }
    Ok(crate::store::RestoreTest {
        at: at.unwrap_or(now),
        who: b.who.trim().to_owned(),
        result: b.result,
        notes: b.notes,
        recorded_by,
    })
}

pub async fn record_restore_test(
    State(app): State<Arc<AppState>>,
    Path(obligation): Path<String>,
    headers: axum::http::HeaderMap,
    body: axum::body::Bytes,
) -> Result<(StatusCode, Json<crate::store::RestoreTest>), ApiError> {
    let (admin, name) = app.auth.authenticate_admin(&headers)?;
    if !app.cfg.backups.iter().any(|o| o.id == obligation) {
        return Err(ApiError::not_found(format!(
            "unknown obligation {obligation:?}"
        )));
    }
    let b: RestoreBody = serde_json::from_slice(&body).map_err(|e| {
        ApiError::new(
            StatusCode::BAD_REQUEST,
            RejectReason::Malformed,
            format!("malformed restore test: {e}"),
        )
    })?;
    let t = restore_test(b, format!("{admin} ({name})"), crate::now_seconds()).map_err(|v| {
        ApiError::new(
            StatusCode::UNPROCESSABLE_ENTITY,
            RejectReason::Invalid,
            format!(
                "invalid restore test: {} problem(s); nothing was stored",
                v.len()
            ),
        )
        .with_violations(v)
    })?;
    let conn = app
        .db
        .lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner);
    crate::store::add_restore_test(&conn, &obligation, &t).map_err(|e| {
        ApiError::new(
            StatusCode::SERVICE_UNAVAILABLE,
            RejectReason::Unavailable,
            e.to_string(),
        )
    })?;
    Ok((StatusCode::CREATED, Json(t)))
}

/// `GET /api/v1/backups/{obligation}/history`: the newest 500 probe readings, check-ins
/// and restore tests, newest first.
pub async fn history(
    State(app): State<Arc<AppState>>,
    Path(obligation): Path<String>,
) -> Result<Json<serde_json::Value>, ApiError> {
    if !app.cfg.backups.iter().any(|o| o.id == obligation) {
        return Err(ApiError::not_found(format!(
            "unknown obligation {obligation:?}"
        )));
    }
    let unavailable = |e: String| {
        ApiError::new(
            StatusCode::SERVICE_UNAVAILABLE,
            RejectReason::Unavailable,
            e,
        )
    };
    let conn = app
        .db
        .lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner);
    let evidence = crate::store::evidence_history(&conn, &obligation, 500)
        .map_err(|e| unavailable(e.to_string()))?;
    let checkins =
        crate::store::checkins(&conn, &obligation, 500).map_err(|e| unavailable(e.to_string()))?;
    let tests = crate::store::restore_tests(&conn, &obligation, 500)
        .map_err(|e| unavailable(e.to_string()))?;
    Ok(Json(serde_json::json!({
        "obligation": obligation,
        "evidence": evidence,
        "checkins": checkins,
        "restore_tests": tests,
    })))
}
