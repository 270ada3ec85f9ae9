//! Read API: `GET /api/v1/hosts`, `GET /api/v1/hosts/{id}`, `GET /healthz`.

use std::sync::Arc;

use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::Json;
use serde::Serialize;
use simpul_protocol::{CollectorStatus, Health, Inventory, Uptime};

use super::error::ApiError;
use super::AppState;
use crate::metrics::RejectReason;
use crate::state::HostState;

/// One row of `GET /api/v1/hosts`.
#[derive(Debug, Serialize)]
pub struct HostSummary {
    /// Host name as enrolled.
    pub host: String,
    /// The agent's id.
    pub agent_id: String,
    /// Agency (OPD) id.
    pub agency: String,
    /// Agency's official name.
    pub agency_name: String,
    /// Site id, null when the token has no site.
    pub site: Option<String>,
    /// Sample time of the newest report, seconds since the epoch; null if never seen.
    pub last_seen_seconds: Option<f64>,
    /// Whether the host reported within the grace gap.
    pub up: bool,
    /// Boot time, seconds since the epoch.
    pub boot_time_seconds: Option<u64>,
    /// OS pretty name from the inventory.
    pub os: Option<String>,
    /// Agent version of the newest report.
    pub agent_version: Option<String>,
}

/// `GET /api/v1/hosts/{id}`.
#[derive(Debug, Serialize)]
pub struct HostDetail {
    #[serde(flatten)]
    pub summary: HostSummary,
    pub machine_id: Option<String>,
    pub interval_secs: Option<u32>,
    pub health: Option<Health>,
    pub uptime: Option<Uptime>,
    pub inventory: Option<Inventory>,
    pub inventory_time_seconds: Option<f64>,
    pub collectors: Vec<CollectorStatus>,
}

fn summary(app: &AppState, h: &HostState, now: f64) -> HostSummary {
    let r = h.latest.as_ref().map(|(r, _)| r);
    HostSummary {
        host: h.binding.host.clone(),
        agent_id: h.binding.id.clone(),
        agency: h.binding.agency.clone(),
        agency_name: app.cfg.agency_name(&h.binding.agency).to_owned(),
        site: h.binding.site.clone(),
        last_seen_seconds: h.last_seen(),
        up: h.is_up(now, app.cfg.grace_intervals, app.cfg.max_clock_skew_secs),
        boot_time_seconds: r
            .and_then(|r| r.uptime.as_ref())
            .map(|u| u.boot_time_seconds),
        os: h.inventory.as_ref().map(|(i, _)| i.os.pretty_name.clone()),
        agent_version: r.map(|r| r.agent_version.clone()),
    }
}

/// The hosts `r` may see, by agency and host name.
fn sorted_hosts(app: &AppState, r: &super::auth::Reader) -> Vec<HostState> {
    let mut hosts = app.fleet.snapshot();
    hosts.retain(|h| r.0.sees(&h.binding.agency));
    hosts.sort_by(|a, b| {
        (&a.binding.agency, &a.binding.host).cmp(&(&b.binding.agency, &b.binding.host))
    });
    hosts
}

pub async fn list_hosts(
    State(app): State<Arc<AppState>>,
    r: super::auth::Reader,
) -> Json<Vec<HostSummary>> {
    let now = crate::now_seconds();
    Json(
        sorted_hosts(&app, &r)
            .iter()
            .map(|h| summary(&app, h, now))
            .collect(),
    )
}

/// The host `id` names (its agent id, else its host name when one host has it) among
/// those `reader` sees; 404 or 409 naming what is wrong.
pub(super) fn find_host(
    app: &AppState,
    reader: &super::auth::Reader,
    id: &str,
) -> Result<HostState, ApiError> {
    let hosts = sorted_hosts(app, reader);
    let by_name: Vec<_> = hosts
        .iter()
        .filter(|h| h.binding.host.eq_ignore_ascii_case(id))
        .collect();
    let h = match hosts.iter().find(|h| h.binding.id == id) {
        Some(h) => h,
        None => match by_name.as_slice() {
            [h] => *h,
            [] => {
                return Err(ApiError::not_found(format!(
                    "no host with agent id or host name {id:?}"
                )))
            }
            many => {
                let ids: Vec<_> = many
                    .iter()
                    .map(|h| format!("{} ({})", h.binding.id, h.binding.agency))
                    .collect();
                return Err(ApiError::new(
                    StatusCode::CONFLICT,
                    RejectReason::Invalid,
                    format!(
                        "host name {id:?} is used by several agencies; ask by agent id: {}",
                        ids.join(", ")
                    ),
                ));
            }
        },
    };
    Ok(h.clone())
}

/// `{id}` is an agent id, or a host name when exactly one host has it.
pub async fn get_host(
    State(app): State<Arc<AppState>>,
    reader: super::auth::Reader,
    Path(id): Path<String>,
) -> Result<Json<HostDetail>, ApiError> {
    let h = &find_host(&app, &reader, &id)?;
    let r = h.latest.as_ref().map(|(r, _)| r);
    Ok(Json(HostDetail {
        summary: summary(&app, h, crate::now_seconds()),
        machine_id: r.map(|r| r.host.machine_id.clone()),
        interval_secs: r.map(|r| r.interval_secs),
        health: r.and_then(|r| r.health.clone()),
        uptime: r.and_then(|r| r.uptime.clone()),
        inventory: h.inventory.as_ref().map(|(i, _)| (**i).clone()),
        inventory_time_seconds: h.inventory.as_ref().map(|(_, t)| *t),
        collectors: r.map(|r| r.collectors.clone()).unwrap_or_default(),
    }))
}

#[derive(Debug, Serialize)]
pub struct Healthz {
    status: &'static str,
    hosts: usize,
    version: &'static str,
}

pub async fn healthz(State(app): State<Arc<AppState>>) -> Result<Json<Healthz>, ApiError> {
    if app.writer.is_closed() {
        return Err(ApiError::unavailable("database writer stopped"));
    }
    Ok(Json(Healthz {
        status: "ok",
        hosts: app.fleet.len(),
        version: env!("CARGO_PKG_VERSION"),
    }))
}
