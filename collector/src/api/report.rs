//! `GET /reports/{period}.pdf` and `.xlsx`, `GET /agencies/{agency}/reports/{period}.pdf`
//! and `.xlsx`: the compliance report of a month, quarter or year (`report/`), for the
//! web pages' users (an agency user gets their own agency's; another agency is 404)
//! and API tokens, like the rest of the API.

use std::sync::Arc;

use axum::extract::{Path, State};
use axum::response::Response;

use super::auth::Reader;
use super::error::ApiError;
use super::scope::AgencyPath;
use super::AppState;
use crate::period::Period;
use crate::report::data::GatherError;
use crate::report::{self, labels, Format};

/// The period and form of a report's file name, or a 404 (not a report) / 400 (a bad
/// period).
fn parse(file: &str) -> Result<(Period, Format), ApiError> {
    report::parse_file(file).map_err(|e| match e {
        Some(rule) => ApiError::bad_param("period", rule),
        None => ApiError::not_found(format!("no report {file:?}: {}", labels::FILE_RULE)),
    })
}

/// `GET /reports/{period}.pdf`: every agency the reader sees (an agency user: theirs).
pub async fn all(
    State(app): State<Arc<AppState>>,
    r: Reader,
    Path(file): Path<String>,
) -> Result<Response, ApiError> {
    let (period, format) = parse(&file)?;
    make(app, period, format, r.only()).await
}

/// `GET /agencies/{agency}/reports/{period}.pdf`.
pub async fn agency(
    State(app): State<Arc<AppState>>,
    AgencyPath { agency, .. }: AgencyPath,
    Path((_, file)): Path<(String, String)>,
) -> Result<Response, ApiError> {
    let (period, format) = parse(&file)?;
    make(app, period, format, Some(agency)).await
}

async fn make(
    app: Arc<AppState>,
    period: Period,
    format: Format,
    agency: Option<String>,
) -> Result<Response, ApiError> {
    let started = std::time::Instant::now();
    app.duties.ensure_fresh().await;
    let duties = app.duties.current();
    let hosts = app.fleet.snapshot();
    let cfg = Arc::clone(&app.cfg);
    let only = agency.clone();
    let gathered = app
        .read_db(move |conn| {
            let i = report::data::Inputs {
                cfg: &cfg,
                duties: &duties,
                hosts: &hosts,
                period,
                agency: only.as_deref(),
                now: crate::now_seconds(),
            };
            match report::data::collect(conn, &i) {
                Err(GatherError::Store(e)) => Err(e),
                other => Ok(other),
            }
        })
        .await?;
    let data = gathered.map_err(|e| match e {
        GatherError::Nothing => ApiError::not_found(labels::nothing_for(&period.to_string())),
        e => ApiError::unavailable(e),
    })?;
    let bytes = tokio::task::spawn_blocking(move || report::render(&data, format))
        .await
        .map_err(ApiError::unavailable)?
        .map_err(ApiError::unavailable)?;
    tracing::info!(
        period = %period,
        agency = ?agency,
        format = format.extension(),
        bytes = bytes.len(),
        seconds = started.elapsed().as_secs_f64(),
        "report generated"
    );
    Ok(super::download(
        &report::file_name(&period.to_string(), agency.as_deref(), format),
        format.content_type(),
        bytes,
    ))
}
