//! Maintenance windows through the API: `POST /api/v1/maintenance` and
//! `DELETE /api/v1/maintenance/{id}` by an administrator, `GET /api/v1/maintenance` for
//! everyone. One-off windows only; recurring ones are declared in collector.toml.

use std::sync::Arc;

use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode};
use axum::Json;
use serde::{Deserialize, Serialize};
use simpul_protocol::Violation;

use super::error::ApiError;
use super::AppState;
use crate::metrics::RejectReason;
use crate::sla::config::{one_off_problems, parse_rfc3339, Maintenance};
use crate::store::{self, StoredMaintenance};

/// The body of `POST /api/v1/maintenance`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct NewWindow {
    reason: String,
    #[serde(default)]
    agency: Option<String>,
    #[serde(default)]
    site: Option<String>,
    #[serde(default)]
    host: Option<String>,
    start: String,
    end: String,
}

/// Everything wrong with a new window, each naming the field.
fn check(app: &AppState, w: &NewWindow) -> Vec<Violation> {
    let mut v = Vec::new();
    let mut bad = |field: &str, rule: String| {
        v.push(Violation {
            field: field.into(),
            rule,
        })
    };
    if w.reason.trim().is_empty() || w.reason.len() > 500 {
        bad("reason", "must say why, in 1 to 500 bytes".into());
    }
    for (field, rule) in one_off_problems(&w.start, &w.end) {
        let value = if field == "start" { &w.start } else { &w.end };
        bad(field, format!("{value:?} {rule}"));
    }
    if let Some(a) = &w.agency {
        if let Err(e) = app.cfg.check_binding(a, None) {
            bad("agency", e);
        }
    }
    if let Some(s) = &w.site {
        if !app.cfg.sites.iter().any(|x| &x.id == s) {
            let ids: Vec<_> = app.cfg.sites.iter().map(|x| x.id.as_str()).collect();
            bad(
                "site",
                format!("unknown site {s:?}; declared sites: {}", ids.join(", ")),
            );
        }
    }
    if let Some(h) = &w.host {
        match &w.agency {
            None => bad(
                "host",
                "needs agency too (host names are unique per agency)".into(),
            ),
            Some(a) => {
                let known = app
                    .fleet
                    .snapshot()
                    .iter()
                    .any(|x| &x.binding.agency == a && &x.binding.host == h);
                if !known {
                    bad("host", format!("no enrolled host {h:?} in agency {a:?}"));
                }
            }
        }
    }
    v
}

pub async fn create(
    State(app): State<Arc<AppState>>,
    headers: HeaderMap,
    body: Bytes,
) -> Result<(StatusCode, Json<StoredMaintenance>), ApiError> {
    let (admin, name) = app.auth.authenticate_admin(&headers)?;
    let w: NewWindow =
        serde_json::from_slice(&body).map_err(|e| ApiError::malformed("window", e))?;
    let v = check(&app, &w);
    if !v.is_empty() {
        return Err(ApiError::invalid("maintenance window", v));
    }
    let mut m = StoredMaintenance {
        id: 0,
        reason: w.reason,
        agency: w.agency,
        site: w.site,
        host: w.host,
        start: parse_rfc3339(&w.start).unwrap_or_default(),
        end: parse_rfc3339(&w.end).unwrap_or_default(),
        created_by: format!("{admin} ({name})"),
    };
    let stored = m.clone();
    m.id = app
        .read_db(move |conn| store::add_maintenance(conn, &stored))
        .await?;
    tracing::info!(id = m.id, admin = ?admin, reason = ?m.reason, "maintenance window declared");
    Ok((StatusCode::CREATED, Json(m)))
}

pub async fn delete(
    State(app): State<Arc<AppState>>,
    headers: HeaderMap,
    Path(id): Path<i64>,
) -> Result<StatusCode, ApiError> {
    let (admin, _) = app.auth.authenticate_admin(&headers)?;
    if app
        .read_db(move |conn| store::delete_maintenance(conn, id))
        .await?
    {
        tracing::info!(id, admin = ?admin, "maintenance window deleted");
        Ok(StatusCode::NO_CONTENT)
    } else {
        Err(ApiError::not_found(format!(
            "no maintenance window {id} declared through the API"
        )))
    }
}

/// Both kinds of window.
#[derive(Debug, Serialize)]
pub struct Windows<'a> {
    /// From collector.toml (one-off and recurring), as written there.
    pub configured: &'a [Maintenance],
    /// Declared through the API.
    pub declared: Vec<StoredMaintenance>,
}

pub async fn list(
    State(app): State<Arc<AppState>>,
    r: super::auth::Reader,
) -> Result<Json<serde_json::Value>, ApiError> {
    let mut declared = app
        .read_db(|conn| store::maintenance_between(conn, f64::MIN, f64::MAX))
        .await?;
    // an agency user sees the windows of everyone (no agency) and of their agency
    let sees = |a: Option<&str>| a.is_none_or(|a| r.0.sees(a));
    declared.retain(|m| sees(m.agency.as_deref()));
    let configured: Vec<_> = app
        .cfg
        .maintenance
        .iter()
        .filter(|m| sees(m.agency.as_deref()))
        .cloned()
        .collect();
    let w = Windows {
        configured: &configured,
        declared,
    };
    serde_json::to_value(&w).map(Json).map_err(|e| {
        ApiError::new(
            StatusCode::INTERNAL_SERVER_ERROR,
            RejectReason::Unavailable,
            e.to_string(),
        )
    })
}
