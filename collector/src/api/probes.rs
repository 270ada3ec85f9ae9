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
    let to = q.to.unwrap_or_else(crate::now_seconds);
    let from = q.from.unwrap_or(to - DEFAULT_RANGE_SECS);
    for (field, v) in [("from", from), ("to", to)] {
        if !v.is_finite() || v < 0.0 {
            return Err(ApiError::bad_param(
                field,
                format!("{v} must be seconds since the epoch, e.g. 1790000000"),
            ));
        }
    }
    if from >= to {
        return Err(ApiError::bad_param(
            "from",
            format!("{from} must be before to ({to})"),
        ));
    }
    let limit = q.limit.unwrap_or(DEFAULT_ROUNDS);
    if !(1..=MAX_ROUNDS).contains(&limit) {
        return Err(ApiError::bad_param(
            "limit",
            format!("{limit} must be between 1 and {MAX_ROUNDS}"),
        ));
    }
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
    let truncated = rounds.len() as i64 > limit;
    rounds.truncate(limit as usize);
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
