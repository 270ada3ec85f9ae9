//! `GET /api/v1/hosts/{id}/software`: a host's installed packages and their changes;
//! `GET /api/v1/software?name=&below=`: the hosts with a package, or with it below a
//! version ("which hosts run openssl below 3.0.13"), for a reader who sees their
//! agencies (docs/api.md).

use std::sync::Arc;

use axum::extract::{Path, State};
use axum::Json;
use serde::{Deserialize, Serialize};
use simpul_protocol::Package;

use super::error::ApiError;
use super::query::{Params, Unknown};
use super::AppState;
use crate::software::{Change, Hit, Summary};

#[derive(Debug, Serialize)]
pub struct HostSoftware {
    pub agent_id: String,
    pub agency: String,
    pub host: String,
    /// `null` before the host's first list (an agent older than the software
    /// inventory, or `[software] enabled = false`).
    pub summary: Option<Summary>,
    pub packages: Vec<Package>,
    /// The newest changes, newest first (at most 1,000).
    pub changes: Vec<Change>,
}

pub async fn host(
    State(app): State<Arc<AppState>>,
    reader: super::auth::Reader,
    Path(id): Path<String>,
) -> Result<Json<HostSoftware>, ApiError> {
    let h = super::read::find_host(&app, &reader, &id)?;
    let agent = h.binding.id.clone();
    let (summary, packages, changes) = app
        .read_db(move |conn| Ok(crate::software::host_view(conn, &agent)?))
        .await?;
    Ok(Json(HostSoftware {
        agent_id: h.binding.id,
        agency: h.binding.agency,
        host: h.binding.host,
        summary,
        packages,
        changes,
    }))
}

/// The parameters of the search: `name` (required; a trailing `*` matches names that
/// begin with the rest), `below` (optional: only versions that order before it).
#[derive(Debug, Deserialize)]
pub struct SearchQuery {
    name: Option<String>,
    below: Option<String>,
    #[serde(flatten)]
    unknown: Unknown,
}

/// One host in the search's answer.
#[derive(Debug, Serialize)]
pub struct SearchHit {
    pub agency: String,
    pub host: String,
    #[serde(flatten)]
    pub hit: Hit,
}

#[derive(Debug, Serialize)]
pub struct Search {
    pub name: String,
    pub below: Option<String>,
    pub hosts: Vec<SearchHit>,
    /// More hosts matched than an answer holds (5,000): ask more narrowly.
    pub truncated: bool,
}

/// Why a search cannot run, in words for the API and the page.
pub fn search_problem(name: Option<&str>, below: Option<&str>) -> Option<&'static str> {
    match name {
        None | Some("") => Some("name is required: a package name, e.g. name=openssl, or a prefix with *, e.g. name=libssl*"),
        Some(n) if !crate::software::valid_name_pattern(n) => Some("name must be 1 to 128 letters, digits and + - . _ :, or at least one of them followed by one * (a prefix), e.g. openssl or libssl*"),
        _ => match below {
            Some(b) if b.is_empty() || b.len() > 128 || b.chars().any(|c| c.is_whitespace() || c.is_control()) => {
                Some("below must be a version of 1 to 128 characters without spaces, e.g. below=3.0.13")
            }
            _ => None,
        },
    }
}

pub async fn search(
    State(app): State<Arc<AppState>>,
    reader: super::auth::Reader,
    Params(q): Params<SearchQuery>,
) -> Result<Json<Search>, ApiError> {
    q.unknown.refuse(|| {
        "unknown parameter; use name=PACKAGE (a trailing * for a prefix) and below=VERSION".into()
    })?;
    if let Some(why) = search_problem(q.name.as_deref(), q.below.as_deref()) {
        let field = if why.starts_with("below") {
            "below"
        } else {
            "name"
        };
        return Err(ApiError::bad_param(field, why.to_owned()));
    }
    let name = q.name.clone().unwrap_or_default();
    let below = q.below.clone();
    let (hosts, truncated) = search_hosts(&app, &reader.0, &name, below.as_deref()).await?;
    Ok(Json(Search {
        name,
        below,
        hosts,
        truncated,
    }))
}

/// The hosts `user` sees with a package `name`, below `below` when given, each with its
/// agency and host name; and whether more matched than the answer holds.
pub async fn search_hosts(
    app: &Arc<AppState>,
    user: &crate::store::users::User,
    name: &str,
    below: Option<&str>,
) -> Result<(Vec<SearchHit>, bool), ApiError> {
    let (n, b) = (name.to_owned(), below.map(str::to_owned));
    let agency = user.agency().map(str::to_owned);
    let found = app
        .read_db(move |conn| {
            crate::software::search(conn, &n, b.as_deref(), agency.as_deref())
                .map_err(crate::store::StoreError::from)
        })
        .await?;
    let fleet: std::collections::HashMap<String, crate::state::HostState> = app
        .fleet
        .snapshot()
        .into_iter()
        .map(|h| (h.binding.id.clone(), h))
        .collect();
    let hosts = found
        .hits
        .into_iter()
        .filter_map(|hit| {
            let h = fleet.get(&hit.agent_id)?;
            user.sees(&h.binding.agency).then(|| SearchHit {
                agency: h.binding.agency.clone(),
                host: h.binding.host.clone(),
                hit,
            })
        })
        .collect();
    Ok((hosts, found.truncated))
}
