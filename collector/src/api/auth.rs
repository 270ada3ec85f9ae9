//! Agent authentication: bearer token -> the agent it is bound to.
//!
//! Active tokens are held in memory by hash and reloaded from the database every
//! [`REFRESH`]; a token not in memory is looked up in the database at once, so a newly
//! enrolled agent is accepted immediately and a revoked one is refused within
//! [`REFRESH`].

use std::collections::HashMap;
use std::sync::{Arc, Mutex, RwLock};
use std::time::Duration;

use axum::http::{HeaderMap, StatusCode};
use rusqlite::Connection;

use super::error::ApiError;
use crate::metrics::RejectReason;
use crate::state::Fleet;
use crate::store::{self, token_hash, AgentBinding};

/// How often the token map and the fleet's host list are reloaded.
pub const REFRESH: Duration = Duration::from_secs(10);

/// Token hash -> binding of every active agent.
#[derive(Debug)]
pub struct Auth {
    tokens: RwLock<HashMap<String, AgentBinding>>,
    db: Arc<Mutex<Connection>>,
}

impl Auth {
    pub fn new(db: Arc<Mutex<Connection>>) -> Self {
        Self {
            tokens: RwLock::default(),
            db,
        }
    }

    /// Reloads every active agent; returns their bindings.
    pub fn reload(&self) -> Result<Vec<AgentBinding>, store::StoreError> {
        let conn = self
            .db
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        let mut st = conn.prepare_cached(
            "SELECT token_sha256, id, agency, host, site FROM agents WHERE revoked_at IS NULL",
        )?;
        let rows = st.query_map([], |r| {
            Ok((
                r.get::<_, String>(0)?,
                AgentBinding {
                    id: r.get(1)?,
                    agency: r.get(2)?,
                    host: r.get(3)?,
                    site: r.get(4)?,
                },
            ))
        })?;
        let map: HashMap<_, _> = rows.collect::<Result<_, _>>()?;
        let active = map.values().cloned().collect();
        *self
            .tokens
            .write()
            .unwrap_or_else(std::sync::PoisonError::into_inner) = map;
        Ok(active)
    }

    /// Authenticates the `Authorization: Bearer` header.
    pub async fn authenticate(
        self: &Arc<Self>,
        headers: &HeaderMap,
    ) -> Result<AgentBinding, ApiError> {
        let unauthorized =
            |msg: &str| ApiError::new(StatusCode::UNAUTHORIZED, RejectReason::Unauthorized, msg);
        let value = headers
            .get("authorization")
            .ok_or_else(|| {
                unauthorized(
                    "missing Authorization header; send `Authorization: Bearer <agent token>`",
                )
            })?
            .to_str()
            .map_err(|_| unauthorized("Authorization header is not ASCII"))?;
        let token = value
            .strip_prefix("Bearer ")
            .ok_or_else(|| unauthorized("Authorization header must be `Bearer <agent token>`"))?
            .trim()
            .to_owned();
        let hash = token_hash(&token);
        if let Some(b) = self
            .tokens
            .read()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .get(&hash)
        {
            return Ok(b.clone());
        }
        let this = Arc::clone(self);
        let found = tokio::task::spawn_blocking(move || {
            let conn = this
                .db
                .lock()
                .unwrap_or_else(std::sync::PoisonError::into_inner);
            store::agent_by_token(&conn, &token)
        })
        .await
        .map_err(|e| {
            ApiError::new(
                StatusCode::SERVICE_UNAVAILABLE,
                RejectReason::Unavailable,
                e.to_string(),
            )
        })?
        .map_err(|e| {
            ApiError::new(
                StatusCode::SERVICE_UNAVAILABLE,
                RejectReason::Unavailable,
                e.to_string(),
            )
        })?;
        match found {
            Some(b) => {
                self.tokens
                    .write()
                    .unwrap_or_else(std::sync::PoisonError::into_inner)
                    .insert(hash, b.clone());
                Ok(b)
            }
            None => Err(unauthorized("unknown or revoked agent token")),
        }
    }
}

/// Reloads tokens and the fleet's host list every [`REFRESH`], forever.
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
