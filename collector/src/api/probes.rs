//! `GET /api/v1/agents/{id}/probes?from=&to=&probe=&limit=`: the link probe rounds of
//! one agent (docs/api.md), for a reader who sees the agent's agency.

use std::sync::Arc;

use axum::extract::{Path, State};
use axum::Json;
use serde::{Deserialize, Serialize};

use super::error::ApiError;
use super::query::ApiQuery;
use super::AppState;
use crate::links::Round;

/// Most rounds in one answer; the default `limit`.
const MAX_ROUNDS: i64 = 50_000;
const DEFAULT_ROUNDS: i64 = 10_000;
/// The range without `from`: the last day.
const DEFAULT_RANGE_SECS: f64 = 86_400.0;

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ProbesQuery {
    /// Rounds that started at or after this time, seconds since the epoch (default:
    /// a day before `to`).
    from: Option<f64>,
    /// ... and before this time (default: now).
    to: Option<f64>,
    /// Only the rounds of this probe (its name in the agent's config).
    probe: Option<String>,
    /// At most this many rounds, oldest first (default 10,000; at most 50,000).
    limit: Option<i64>,
}

#[derive(Debug, Serialize)]
pub struct Probes {
    pub agent_id: String,
    pub host: String,
    pub agency: String,
    pub site: Option<String>,
    pub from: f64,
    pub to: f64,
    /// Oldest first (by start time, then probe name).
    pub rounds: Vec<Round>,
    /// Whether `limit` cut the answer short: ask again from the last round's start.
    pub truncated: bool,
}

pub async fn list(
    State(app): State<Arc<AppState>>,
    r: super::auth::Reader,
    Path(id): Path<String>,
    ApiQuery(q): ApiQuery<ProbesQuery>,
) -> Result<Json<Probes>, ApiError> {
    let w = super::query::Paging::param(
        q.from,
        q.to,
        q.limit,
        DEFAULT_RANGE_SECS,
        DEFAULT_ROUNDS,
        MAX_ROUNDS,
    )?;
    let (from, to, limit) = (w.from, w.to, w.limit);
    let (agent, probe) = (id.clone(), q.probe.clone());
    let reader = r.0.clone();
    // an agent of an agency the reader does not see does not exist for them; a
    // revoked agent's rounds stay readable
    let found = app
        .read_db(move |conn| {
            let Some(a) = crate::store::list_agents(conn)?
                .into_iter()
                .find(|a| a.binding.id == agent && reader.sees(&a.binding.agency))
            else {
                return Ok(None);
            };
            let rounds = crate::links::query(conn, &agent, probe.as_deref(), from, to, limit + 1)?;
            Ok(Some((a.binding, rounds)))
        })
        .await?;
    let (binding, mut rounds) =
        found.ok_or_else(|| ApiError::not_found(format!("no agent with id {id:?}")))?;
    let truncated = w.cut(&mut rounds);
    Ok(Json(Probes {
        agent_id: id,
        host: binding.host,
        agency: binding.agency,
        site: binding.site,
        from,
        to,
        rounds,
        truncated,
    }))
}
