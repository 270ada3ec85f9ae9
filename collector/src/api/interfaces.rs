//! `GET /api/v1/interfaces` and `GET /api/v1/interfaces/{id}?range=`: the interfaces
//! whose counters the agents read from SNMP devices, their newest rates and running
//! totals, each device's newest poll, and one interface's steps over a range
//! (docs/api.md), for a reader who sees the interface's agency.

use std::sync::Arc;

use axum::extract::{Path, State};
use axum::Json;
use serde::{Deserialize, Serialize};

use super::error::ApiError;
use super::query::{Params, Unknown};
use super::AppState;
use crate::traffic::{BucketView, DevicePoll, Interface, Step};

/// The parameter of the list: `agency` (only that agency's).
#[derive(Debug, Deserialize)]
pub struct ListQuery {
    agency: Option<String>,
    #[serde(flatten)]
    unknown: Unknown,
}

#[derive(Debug, Serialize)]
pub struct Interfaces {
    /// Every interface read in the last day that the reader sees, by agency, site,
    /// device and ifIndex.
    pub interfaces: Vec<Interface>,
    /// Every device whose counters are read, with its newest poll and error.
    pub devices: Vec<DevicePoll>,
}

pub async fn list(
    State(app): State<Arc<AppState>>,
    r: super::auth::Reader,
    Params(q): Params<ListQuery>,
) -> Result<Json<Interfaces>, ApiError> {
    q.unknown
        .refuse(|| "unknown parameter; use agency=ID to see one agency's".into())?;
    let reader = r.0.clone();
    let agency = q.agency.clone();
    let out = app
        .read_db(move |conn| {
            let since = crate::now_seconds() - crate::duties::INTERFACE_STALE_SECS;
            let only = agency.as_deref();
            let interfaces = crate::traffic::interfaces(conn, only, since)?
                .into_iter()
                .filter(|i| reader.sees(&i.agency))
                .collect();
            let devices = crate::traffic::devices(conn, only)?
                .into_iter()
                .filter(|d| reader.sees(&d.agency))
                .collect();
            Ok::<_, crate::store::StoreError>(Interfaces {
                interfaces,
                devices,
            })
        })
        .await?;
    Ok(Json(out))
}

/// The parameters of one interface: `range=3h|1d|7d|30d` (default 1d), ending now;
/// `resolution=poll|5m|1h` (default poll): every poll, or the roll-ups' buckets.
#[derive(Debug, Deserialize)]
pub struct OneQuery {
    range: Option<String>,
    resolution: Option<String>,
    #[serde(flatten)]
    unknown: Unknown,
}

#[derive(Debug, Serialize)]
pub struct OneInterface {
    #[serde(flatten)]
    pub interface: Interface,
    pub range: String,
    pub from_seconds: f64,
    pub to_seconds: f64,
    /// `poll`, `5m` or `1h`.
    pub resolution: String,
    /// With `resolution=poll`: each poll in the range and what flowed since the one
    /// before, oldest first.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub steps: Option<Vec<Step>>,
    /// With `resolution=5m` or `1h`: each bucket reaching into the range, oldest first.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub buckets: Option<Vec<BucketView>>,
}

/// The resolutions of `resolution=`: (name, bucket seconds; none for every poll).
const RESOLUTIONS: [(&str, Option<i64>); 3] =
    [("poll", None), ("5m", Some(300)), ("1h", Some(3600))];

pub async fn one(
    State(app): State<Arc<AppState>>,
    r: super::auth::Reader,
    Path(id): Path<String>,
    Params(q): Params<OneQuery>,
) -> Result<Json<OneInterface>, ApiError> {
    q.unknown
        .refuse(|| "unknown parameter; use range=3h|1d|7d|30d and resolution=poll|5m|1h".into())?;
    let resolution = q.resolution.clone().unwrap_or_else(|| "poll".into());
    let Some(&(_, bucket)) = RESOLUTIONS.iter().find(|(n, _)| *n == resolution) else {
        return Err(ApiError::bad_param(
            "resolution",
            format!("{resolution:?} must be poll, 5m or 1h"),
        ));
    };
    let range = q.range.clone().unwrap_or_else(|| "1d".into());
    let Some(&(_, secs)) = crate::links::graph::RANGES
        .iter()
        .find(|(n, _)| *n == range)
    else {
        return Err(ApiError::bad_param(
            "range",
            format!("{range:?} must be 3h, 1d, 7d or 30d"),
        ));
    };
    let missing = || {
        ApiError::not_found(format!(
            "no interface with id {id:?}; GET /api/v1/interfaces lists the interfaces you can see"
        ))
    };
    let n: i64 = id.parse().map_err(|_| missing())?;
    let reader = r.0.clone();
    let out = app
        .read_db(move |conn| {
            let Some(interface) = crate::traffic::interface(conn, n)? else {
                return Ok(None);
            };
            if !reader.sees(&interface.agency) {
                return Ok(None);
            }
            let to = crate::now_seconds();
            let from = to - secs;
            let (steps, buckets) = match bucket {
                None => (Some(crate::traffic::steps(conn, n, from, to + 1.0)?), None),
                Some(b) => (
                    None,
                    Some(crate::traffic::bucket_views(conn, n, b, from, to + 1.0)?),
                ),
            };
            Ok::<_, crate::store::StoreError>(Some(OneInterface {
                interface,
                range,
                from_seconds: from,
                to_seconds: to,
                resolution,
                steps,
                buckets,
            }))
        })
        .await?;
    out.map(Json).ok_or_else(missing)
}
