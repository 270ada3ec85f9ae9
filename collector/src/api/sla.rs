//! `GET /api/v1/sla` and `GET /api/v1/agencies/{agency}/sla`: availability per host and
//! agency for a period, as JSON or CSV (`format=csv`).

use std::collections::HashMap;
use std::sync::Arc;

use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::Json;
use simpul_protocol::Violation;

use super::error::ApiError;
use super::AppState;
use crate::metrics::RejectReason;
use crate::sla::period::{Period, PeriodKind, Zone, PERIOD_RULE};
use crate::sla::report;

fn bad(field: &str, rule: String) -> ApiError {
    ApiError::new(
        StatusCode::BAD_REQUEST,
        RejectReason::Invalid,
        format!("invalid {field}: {rule}"),
    )
    .with_violations(vec![Violation {
        field: field.into(),
        rule,
    }])
}

/// The period of the query (default: the current month), and the output format.
fn parse_query(app: &AppState, q: &HashMap<String, String>) -> Result<(Period, bool), ApiError> {
    for k in q.keys() {
        if k != "period" && k != "format" {
            return Err(bad(
                k,
                "unknown parameter; use period=YYYY-MM and format=json|csv".into(),
            ));
        }
    }
    let zone = Zone::parse(&app.cfg.time_zone).unwrap_or_else(Zone::jakarta);
    let period = match q.get("period") {
        Some(p) => Period::parse(p).ok_or_else(|| bad("period", format!("{p:?} {PERIOD_RULE}")))?,
        None => Period::containing(PeriodKind::Month, crate::now_seconds() as i64, &zone),
    };
    let csv = match q.get("format").map(String::as_str) {
        None | Some("json") => false,
        Some("csv") => true,
        Some(f) => return Err(bad("format", format!("{f:?} must be json or csv"))),
    };
    Ok((period, csv))
}

async fn answer(
    app: Arc<AppState>,
    period: Period,
    csv: bool,
    agency: Option<String>,
) -> Result<Response, ApiError> {
    let unavailable = |e: String| {
        ApiError::new(
            StatusCode::SERVICE_UNAVAILABLE,
            RejectReason::Unavailable,
            e,
        )
    };
    let r = tokio::task::spawn_blocking(move || {
        let conn = app
            .db
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        report::report(
            &conn,
            &app.cfg,
            &period,
            crate::now_seconds(),
            agency.as_deref(),
        )
    })
    .await
    .map_err(|e| unavailable(e.to_string()))?
    .map_err(|e| unavailable(e.to_string()))?;
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
    Query(q): Query<HashMap<String, String>>,
) -> Result<Response, ApiError> {
    let (period, csv) = parse_query(&app, &q)?;
    answer(app, period, csv, None).await
}

pub async fn agency(
    State(app): State<Arc<AppState>>,
    Path(agency): Path<String>,
    Query(q): Query<HashMap<String, String>>,
) -> Result<Response, ApiError> {
    app.cfg
        .check_binding(&agency, None)
        .map_err(ApiError::not_found)?;
    let (period, csv) = parse_query(&app, &q)?;
    answer(app, period, csv, Some(agency)).await
}
