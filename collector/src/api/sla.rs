//! `GET /api/v1/sla` and `GET /api/v1/agencies/{agency}/sla`: availability per host and
//! agency for a period, as JSON or CSV (`format=csv`).

use std::sync::Arc;

use axum::extract::State;
use axum::response::{IntoResponse, Response};
use axum::Json;
use serde::Deserialize;

use super::error::ApiError;
use super::query::{Format, Params, Unknown};
use super::scope::AgencyPath;
use super::AppState;
use crate::sla::period::{Period, PeriodKind};
use crate::sla::report;

/// The parameters: `period=YYYY-MM` (default: the current month), `format=json|csv`.
#[derive(Debug, Deserialize)]
pub struct SlaQuery {
    period: Option<String>,
    format: Option<String>,
    #[serde(flatten)]
    unknown: Unknown,
}

/// The period of the query (default: the current month), and the output format.
fn parse_query(app: &AppState, q: &SlaQuery) -> Result<(Period, bool), ApiError> {
    q.unknown
        .refuse(|| "unknown parameter; use period=YYYY-MM and format=json|csv".into())?;
    let zone = app.cfg.zone();
    let period = super::query::period_param(q.period.as_deref())?.unwrap_or_else(|| {
        Period::containing(PeriodKind::Month, crate::now_seconds() as i64, zone)
    });
    Ok((period, Format::param(q.format.as_deref())? == Format::Csv))
}

async fn answer(
    app: Arc<AppState>,
    period: Period,
    csv: bool,
    agency: Option<String>,
) -> Result<Response, ApiError> {
    let cfg = Arc::clone(&app);
    let r = app
        .read_db(move |conn| {
            report::report(
                conn,
                &cfg.cfg.sla_settings(),
                &period,
                crate::now_seconds(),
                agency.as_deref(),
            )
        })
        .await?;
    if csv {
        Ok(super::csv_response(
            &format!("simpul-sla-{}.csv", r.period),
            report::to_csv(&r),
        ))
    } else {
        Ok(Json(r).into_response())
    }
}

pub async fn all(
    State(app): State<Arc<AppState>>,
    r: super::auth::Reader,
    Params(q): Params<SlaQuery>,
) -> Result<Response, ApiError> {
    let (period, csv) = parse_query(&app, &q)?;
    answer(app, period, csv, r.only()).await
}

pub async fn agency(
    State(app): State<Arc<AppState>>,
    AgencyPath { agency, .. }: AgencyPath,
    Params(q): Params<SlaQuery>,
) -> Result<Response, ApiError> {
    let (period, csv) = parse_query(&app, &q)?;
    answer(app, period, csv, Some(agency)).await
}
