//! `GET /api/v1/login-throttles`: the failed-login throttles in force, for admins, so
//! that a locked-out user's admin can see who is throttled and for how long (issue 20,
//! finding 3). The throttles live in this process's memory: each replica lists its own.

use std::sync::Arc;
use std::time::Instant;

use axum::extract::State;
use axum::http::StatusCode;
use axum::Json;

use super::auth::Reader;
use super::error::ApiError;
use super::session::UNKNOWN_USER;
use super::AppState;
use crate::metrics::RejectReason;
use crate::metrics::ThrottleScope;

pub async fn list(
    State(app): State<Arc<AppState>>,
    reader: Reader,
) -> Result<Json<serde_json::Value>, ApiError> {
    if !reader.0.is_admin() {
        return Err(ApiError::new(
            StatusCode::FORBIDDEN,
            RejectReason::Forbidden,
            "the login throttles name users and addresses: they need an admin",
        ));
    }
    let throttled = app.web.throttled(Instant::now());
    // a name that is no user may be a password typed into the name field: not shown
    let users: std::collections::HashSet<String> = app
        .read_db(crate::store::users::list)
        .await?
        .into_iter()
        .map(|r| r.user.name)
        .collect();
    let rows: Vec<serde_json::Value> = throttled
        .into_iter()
        .map(|t| {
            let name = t.name.map(|n| {
                if users.contains(&n) {
                    n
                } else {
                    UNKNOWN_USER.to_owned()
                }
            });
            serde_json::json!({
                "scope": t.scope,
                "refused": t.scope != ThrottleScope::Name,
                "name": name,
                "address": t.address.map(|a| a.to_string()),
                "retry_after_seconds": t.retry_after_secs,
            })
        })
        .collect();
    Ok(Json(serde_json::json!({ "throttled": rows })))
}
