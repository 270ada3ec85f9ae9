//! `GET /api/v1/sla` and `GET /api/v1/agencies/{agency}/sla`: availability per host and
//! agency for a period, as JSON or CSV (`format=csv`).

use std::collections::HashMap;
use std::sync::Arc;

use axum::extract::{Path, Query, State};
use axum::response::{IntoResponse, Response};
use axum::Json;

use super::error::ApiError;
use super::AppState;
use crate::sla::period::{Period, PeriodKind, PERIOD_RULE};
use crate::sla::report;

/// The period of the query (default: the current month), and the output format.
fn parse_query(app: &AppState, q: &HashMap<String, String>) -> Result<(Period, bool), ApiError> {
    if let Some(k) = q.keys().find(|k| *k != "period" && *k != "format") {
        return Err(ApiError::bad_param(
            k,
            "unknown parameter; use period=YYYY-MM and format=json|csv",
        ));
    }
    let zone = app.cfg.zone();
    let period = match q.get("period") {
        Some(p) => Period::parse(p)
            .ok_or_else(|| ApiError::bad_param("period", format!("{p:?} {PERIOD_RULE}")))?,
        None => Period::containing(PeriodKind::Month, crate::now_seconds() as i64, zone),
    };
    Ok((period, super::wants_csv(q)?))
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
                &cfg.cfg,
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
    Query(q): Query<HashMap<String, String>>,
) -> Result<Response, ApiError> {
    let (period, csv) = parse_query(&app, &q)?;
    answer(app, period, csv, r.only()).await
}

pub async fn agency(
    State(app): State<Arc<AppState>>,
    r: super::auth::Reader,
    Path(agency): Path<String>,
    Query(q): Query<HashMap<String, String>>,
) -> Result<Response, ApiError> {
    r.check(&agency, "agency")?;
    app.cfg
        .check_binding(&agency, None)
        .map_err(ApiError::not_found)?;
    let (period, csv) = parse_query(&app, &q)?;
    answer(app, period, csv, Some(agency)).await
}
