//! Agent authentication: bearer token -> the agent it is bound to.
//!
//! Every request looks its token's hash up in the database (an indexed point query of a
//! few microseconds), so an agent enrolled, rotated or revoked with the CLI is accepted
//! or refused from the very next request; nothing is cached.

use std::sync::{Arc, Mutex};
use std::time::Duration;

use crate::store::Db;
use axum::http::{HeaderMap, StatusCode};

use super::error::ApiError;
use crate::metrics::RejectReason;
use crate::state::Fleet;
use crate::store::{self, AgentBinding};

/// How often the fleet's host list is re-read (to show newly enrolled or revoked hosts).
pub const REFRESH: Duration = Duration::from_secs(10);

/// Looks tokens up in the database.
#[derive(Debug)]
pub struct Auth {
    db: Arc<Mutex<Db>>,
}

impl Auth {
    pub fn new(db: Arc<Mutex<Db>>) -> Self {
        Self { db }
    }

    fn conn(&self) -> std::sync::MutexGuard<'_, Db> {
        crate::lock(&self.db)
    }

    /// Every active agent's binding.
    pub fn reload(&self) -> Result<Vec<AgentBinding>, store::StoreError> {
        store::active_agents(&self.conn())
    }

    /// Authenticates an administrator (`simpul-collector admin add`); returns (id, name).
    pub fn authenticate_admin(&self, headers: &HeaderMap) -> Result<(String, String), ApiError> {
        let token = bearer(headers, "admin token")?;
        if token.starts_with("smp1_") || token.starts_with("smb1_") {
            return Err(ApiError::new(
                StatusCode::FORBIDDEN,
                RejectReason::Forbidden,
                "an agent or backup check-in token cannot administer; use an admin token from `simpul-collector admin add`",
            ));
        }
        if token.starts_with("smu1_") {
            let user = crate::store::users::by_api_token(&self.conn(), token)
                .map_err(ApiError::store)?
                .ok_or_else(|| {
                    ApiError::new(
                        StatusCode::UNAUTHORIZED,
                        RejectReason::Unauthorized,
                        "unknown, replaced or disabled API token",
                    )
                })?;
            if !user.is_admin() {
                return Err(ApiError::new(
                    StatusCode::FORBIDDEN,
                    RejectReason::Forbidden,
                    "agency users cannot administer; this needs a Diskominfo admin",
                ));
            }
            return Ok((format!("user {}", user.name), user.name));
        }
        let found = store::admin_by_token(&self.conn(), token).map_err(ApiError::store)?;
        found.ok_or_else(|| {
            ApiError::new(
                StatusCode::UNAUTHORIZED,
                RejectReason::Unauthorized,
                "unknown or revoked admin token",
            )
        })
    }

    /// Authenticates the `Authorization: Bearer` header.
    pub fn authenticate(&self, headers: &HeaderMap) -> Result<AgentBinding, ApiError> {
        let token = bearer(headers, "agent token")?;
        let found = store::agent_by_token(&self.conn(), token).map_err(ApiError::store)?;
        found.ok_or_else(|| {
            ApiError::new(
                StatusCode::UNAUTHORIZED,
                RejectReason::Unauthorized,
                "unknown, rotated or revoked agent token",
            )
        })
    }
}

/// The token of the `Authorization: Bearer` header.
pub fn bearer<'h>(headers: &'h HeaderMap, what: &str) -> Result<&'h str, ApiError> {
    let unauthorized =
        |msg: String| ApiError::new(StatusCode::UNAUTHORIZED, RejectReason::Unauthorized, msg);
    let value = headers
        .get("authorization")
        .ok_or_else(|| {
            unauthorized(format!(
                "missing Authorization header; send `Authorization: Bearer <{what}>`"
            ))
        })?
        .to_str()
        .map_err(|_| unauthorized("Authorization header is not ASCII".into()))?;
    Ok(value
        .strip_prefix("Bearer ")
        .ok_or_else(|| unauthorized(format!("Authorization header must be `Bearer <{what}>`")))?
        .trim())
}

/// Re-reads the fleet's host list every [`REFRESH`], forever.
pub async fn refresh_loop(auth: Arc<Auth>, fleet: Arc<Fleet>) {
    let mut tick = tokio::time::interval(REFRESH);
    loop {
        tick.tick().await;
        let a = Arc::clone(&auth);
        match tokio::task::spawn_blocking(move || a.reload()).await {
            Ok(Ok(active)) => fleet.sync_agents(&active),
            Ok(Err(e)) => tracing::warn!(error = %e, "cannot reload agents"),
            Err(e) => tracing::warn!(error = %e, "agent reload task failed"),
        }
    }
}

/// Who reads the JSON API: a user's API token (`simpul-collector user token`), an
/// administrator token (`admin add`), or the session cookie of the web pages. An agency
/// user reads only their agency: the handlers filter lists and answer 404 for another
/// agency's objects (`super::scope` for an agency asked for by name).
#[derive(Debug, Clone)]
pub struct Reader(pub crate::store::users::User);

impl axum::extract::FromRequestParts<Arc<super::AppState>> for Reader {
    type Rejection = ApiError;

    async fn from_request_parts(
        parts: &mut axum::http::request::Parts,
        app: &Arc<super::AppState>,
    ) -> Result<Self, ApiError> {
        use crate::store::users::{self, Role, User};
        let unauthorized =
            |msg: &str| ApiError::new(StatusCode::UNAUTHORIZED, RejectReason::Unauthorized, msg);
        if parts.headers.contains_key("authorization") {
            let token = bearer(&parts.headers, "user API token")?.to_owned();
            if token.starts_with("smp1_") || token.starts_with("smb1_") {
                return Err(ApiError::new(
                    StatusCode::FORBIDDEN,
                    RejectReason::Forbidden,
                    "an agent or backup check-in token cannot read the API; use a user API token (`simpul-collector user token NAME`)",
                ));
            }
            let found = app
                .read_db(move |conn| {
                    if token.starts_with("smu1_") {
                        return users::by_api_token(conn, &token);
                    }
                    Ok(store::admin_by_token(conn, &token)?.map(|(id, name)| User {
                        id: -1,
                        name: format!("{name} (admin token {id})"),
                        role: Role::Admin,
                    }))
                })
                .await?;
            return found
                .map(Reader)
                .ok_or_else(|| unauthorized("unknown, replaced or disabled API token"));
        }
        match super::session::session_user(app, &parts.headers).await {
            Some((user, _, _)) => Ok(Reader(user)),
            None => Err(unauthorized(
                "log in to the web pages, or send `Authorization: Bearer <user API token>` (`simpul-collector user token NAME`)",
            )),
        }
    }
}

impl Reader {
    /// The agency an agency user is bound to (their lists hold only it).
    pub fn only(&self) -> Option<String> {
        self.0.agency().map(str::to_owned)
    }
}
