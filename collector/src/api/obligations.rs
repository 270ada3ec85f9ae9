//! `/api/v1/obligations`: every backup obligation with where it is declared, and, for
//! administrators, declaring (`POST`), replacing (`PUT`) and removing (`DELETE`) those
//! that live in the database. Obligations of collector.toml are read-only here: the
//! file stays the one place that declares them.

use std::sync::Arc;

use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode};
use axum::Json;
use serde::Serialize;
use simpul_protocol::Violation;

use super::error::ApiError;
use super::AppState;
use crate::backups::Obligation;
use crate::metrics::RejectReason;
use crate::store::{self, StoredObligation};

/// One row of `GET /api/v1/obligations`.
#[derive(Debug, Serialize)]
pub struct Listed {
    #[serde(flatten)]
    obligation: Obligation,
    /// `config` (collector.toml) or `api`.
    source: &'static str,
    #[serde(skip_serializing_if = "Option::is_none")]
    created_by: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    updated_by: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    updated_at: Option<f64>,
}

pub async fn list(
    State(app): State<Arc<AppState>>,
    r: super::auth::Reader,
) -> Result<Json<Vec<Listed>>, ApiError> {
    let a = Arc::clone(&app);
    app.read_db(move |conn| {
        let mut out: Vec<Listed> = a
            .cfg
            .backups
            .iter()
            .map(|o| Listed {
                obligation: o.clone(),
                source: "config",
                created_by: None,
                updated_by: None,
                updated_at: None,
            })
            .collect();
        for s in store::api_obligations(conn)? {
            if out.iter().any(|l| l.obligation.id == s.obligation.id) {
                continue; // shadowed by the file
            }
            out.push(Listed {
                obligation: s.obligation,
                source: "api",
                created_by: Some(s.created_by),
                updated_by: Some(s.updated_by),
                updated_at: Some(s.updated_at),
            });
        }
        out.retain(|l| r.0.sees(&l.obligation.agency));
        Ok(Json(out))
    })
    .await
}

fn conflict(msg: String) -> ApiError {
    ApiError::new(StatusCode::CONFLICT, RejectReason::Invalid, msg)
}

fn in_config(app: &AppState, id: &str) -> Option<ApiError> {
    app.cfg.backups.iter().any(|o| o.id == id).then(|| {
        conflict(format!(
            "obligation {id:?} is declared in collector.toml; change it there"
        ))
    })
}

/// Parses and checks a body; `path_id` is the id of a PUT's path.
fn parse(app: &AppState, body: &[u8], path_id: Option<&str>) -> Result<Obligation, ApiError> {
    let mut v: serde_json::Value =
        serde_json::from_slice(body).map_err(|e| ApiError::malformed("obligation", e))?;
    if let (Some(id), Some(map)) = (path_id, v.as_object_mut()) {
        match map.get("id") {
            None => {
                map.insert("id".into(), id.into());
            }
            Some(given) if given != id => {
                return Err(ApiError::invalid(
                    "obligation",
                    vec![Violation {
                        field: "id".into(),
                        rule: format!(
                            "{given} differs from the path's {id:?}; omit it or make them equal"
                        ),
                    }],
                ));
            }
            Some(_) => {}
        }
    }
    let o: Obligation =
        serde_json::from_value(v).map_err(|e| ApiError::malformed("obligation", e))?;
    let v: Vec<Violation> = o
        .violations(&app.cfg)
        .into_iter()
        .map(|(field, value, rule)| Violation {
            field: field.into(),
            rule: match value {
                Some(v) => format!("{v:?}: {rule}"),
                None => rule,
            },
        })
        .collect();
    if !v.is_empty() {
        return Err(ApiError::invalid("obligation", v));
    }
    Ok(o)
}

/// `POST /api/v1/obligations`: declares a new obligation; 409 if the id is taken.
pub async fn create(
    State(app): State<Arc<AppState>>,
    headers: HeaderMap,
    body: Bytes,
) -> Result<(StatusCode, Json<StoredObligation>), ApiError> {
    let (admin, name) = app.auth.authenticate_admin(&headers)?;
    let o = parse(&app, &body, None)?;
    if let Some(e) = in_config(&app, &o.id) {
        return Err(e);
    }
    let by = format!("{admin} ({name})");
    let stored = app
        .read_db(move |conn| {
            if store::api_obligations(conn)?
                .iter()
                .any(|s| s.obligation.id == o.id)
            {
                return Ok(Err(conflict(format!(
                    "obligation {:?} exists; PUT /api/v1/obligations/{} replaces it",
                    o.id, o.id
                ))));
            }
            let now = crate::now_seconds();
            store::put_obligation(conn, &o, &by, now)?;
            Ok(Ok(StoredObligation {
                obligation: o,
                created_by: by.clone(),
                created_at: now,
                updated_by: by,
                updated_at: now,
            }))
        })
        .await??;
    tracing::info!(obligation = %stored.obligation.id, admin = ?admin, "backup obligation declared");
    Ok((StatusCode::CREATED, Json(stored)))
}

/// `PUT /api/v1/obligations/{id}`: declares or replaces an API obligation (201 new,
/// 200 replaced); the evidence, check-ins and restore tests under that id stay.
pub async fn replace(
    State(app): State<Arc<AppState>>,
    Path(id): Path<String>,
    headers: HeaderMap,
    body: Bytes,
) -> Result<(StatusCode, Json<serde_json::Value>), ApiError> {
    let (admin, name) = app.auth.authenticate_admin(&headers)?;
    if let Some(e) = in_config(&app, &id) {
        return Err(e);
    }
    let o = parse(&app, &body, Some(&id))?;
    let by = format!("{admin} ({name})");
    let out = serde_json::to_value(&o).unwrap_or_default();
    let created = app
        .read_db(move |conn| store::put_obligation(conn, &o, &by, crate::now_seconds()))
        .await?;
    tracing::info!(obligation = ?id, admin = ?admin, created, "backup obligation put");
    let code = if created {
        StatusCode::CREATED
    } else {
        StatusCode::OK
    };
    Ok((code, Json(out)))
}

/// `DELETE /api/v1/obligations/{id}`: removes an API obligation; its history stays in
/// the database and comes back with it if it is declared again.
pub async fn delete(
    State(app): State<Arc<AppState>>,
    Path(id): Path<String>,
    headers: HeaderMap,
) -> Result<StatusCode, ApiError> {
    let (admin, _) = app.auth.authenticate_admin(&headers)?;
    if let Some(e) = in_config(&app, &id) {
        return Err(e);
    }
    let i = id.clone();
    if !app
        .read_db(move |conn| store::delete_obligation(conn, &i))
        .await?
    {
        return Err(ApiError::not_found(format!(
            "no obligation {id:?} declared through the API"
        )));
    }
    tracing::info!(obligation = ?id, admin = ?admin, "backup obligation removed");
    Ok(StatusCode::NO_CONTENT)
}
