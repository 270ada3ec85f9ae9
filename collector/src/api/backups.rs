//! `GET /api/v1/backups` and `GET /api/v1/agencies/{agency}/backups`: every obligation
//! with its state and newest evidence, as JSON or CSV (`format=csv`).

use std::collections::HashMap;
use std::sync::Arc;

use axum::extract::{Path, Query, State};
use axum::http::{header, StatusCode};
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
        (
            [
                (header::CONTENT_TYPE, "text/csv; charset=utf-8"),
                (
                    header::CONTENT_DISPOSITION,
                    "attachment; filename=\"simpul-backups.csv\"",
                ),
            ],
            csv(&rows),
        )
            .into_response()
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
