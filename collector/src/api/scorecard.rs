//! `GET /api/v1/scorecard`: the compliance scorecard, one row per agency (the rows of
//! the `/` page), as JSON or CSV. An agency user gets their own agency's row.

use std::sync::Arc;

use axum::extract::State;
use axum::response::{IntoResponse, Response};
use axum::Json;
use serde::{Deserialize, Serialize};

use super::auth::Reader;
use super::error::ApiError;
use super::query::ApiQuery;
use super::AppState;
use crate::period::{Period, PeriodKind};
use crate::scorecard::{Filter, ScoreRow};

/// The parameters.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ScorecardQuery {
    /// One agency's row only.
    agency: Option<String>,
    /// `all` (the default), `ok`, `attention`, or one duty's state (`breached`, `late`,
    /// `changed`, ...).
    status: Option<String>,
    #[serde(default)]
    format: ScorecardFormat,
    /// A month (`2026-10`; default: the current one), or a quarter or year (`2026-Q4`,
    /// `2026`): then the scorecard of each of its months.
    period: Option<String>,
}

/// `format=json` (the default), `csv` or `xlsx` (a workbook: the months' rows, and one
/// sheet per duty with the months across).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum ScorecardFormat {
    #[default]
    Json,
    Csv,
    Xlsx,
}

/// The answer for one month.
#[derive(Debug, Serialize)]
pub struct Scorecard {
    /// The month, e.g. `2026-11`.
    pub period: String,
    /// The month is over and this is how it ended (the last evaluation in it).
    pub kept: bool,
    /// When the duty states were evaluated, in the configured time zone (none: not yet).
    pub evaluated_at: Option<String>,
    pub evaluated_at_seconds: Option<f64>,
    pub time_zone: String,
    /// Per duty, how many of these agencies are failing, warning, ... it.
    pub duty_counts: Vec<crate::scorecard::DutyCount>,
    pub agencies: Vec<ScoreRow>,
}

/// The answer for a quarter or a year: its months, each as kept at its end (the
/// current month as it stands; months before the collector ran are left out).
#[derive(Debug, Serialize)]
pub struct Months {
    pub period: String,
    pub time_zone: String,
    pub months: Vec<Scorecard>,
}

pub async fn get(
    State(app): State<Arc<AppState>>,
    r: Reader,
    ApiQuery(q): ApiQuery<ScorecardQuery>,
) -> Result<Response, ApiError> {
    if let Some(a) = &q.agency {
        super::scope::check(&r.0, &app.cfg, a)?;
    }
    let filter = match q.status.as_deref() {
        None => Filter::All,
        Some(s) => Filter::parse(s)
            .ok_or_else(|| ApiError::bad_param("status", format!("{s:?} {}", Filter::RULE)))?,
    };
    let zone = app.cfg.zone().clone();
    let now = crate::now_seconds();
    let current = Period::containing(PeriodKind::Month, now as i64, &zone);
    let period = match q.period.as_deref() {
        None => current,
        Some(p) => Period::parse(p)
            .filter(|p| p.kind != PeriodKind::Day)
            .ok_or_else(|| {
                ApiError::bad_param(
                    "period",
                    format!("{p:?} must be a month YYYY-MM, a quarter YYYY-Qn or a year YYYY"),
                )
            })?,
    };
    let only = q.agency.clone().or_else(|| r.only());
    let mut months = Vec::new();
    for month in period.months() {
        let rows: Vec<(f64, ScoreRow)> = if month == current {
            app.duties.ensure_fresh().await;
            let duties = app.duties.current();
            let at = duties.at;
            duties
                .scorecard(&app.cfg, &app.fleet.snapshot(), only.as_deref(), now)
                .into_iter()
                .map(|row| (at, row))
                .collect()
        } else {
            let (label, only) = (month.to_string(), only.clone());
            app.read_db(move |conn| {
                Ok(crate::scorecard::kept_month(conn, &label, only.as_deref())?)
            })
            .await?
        };
        let at = rows.iter().map(|(t, _)| *t).fold(0.0, f64::max);
        let rows: Vec<ScoreRow> = rows
            .into_iter()
            .map(|(_, row)| row)
            .filter(|row| r.0.sees(&row.agency) && filter.passes(row))
            .collect();
        let kept = month != current;
        if kept && rows.is_empty() && at == 0.0 {
            continue; // nothing kept: the collector did not run in that month
        }
        let at = (at > 0.0).then_some(at);
        months.push(Scorecard {
            period: month.to_string(),
            kept,
            evaluated_at: at.map(|t| zone.format(t)),
            evaluated_at_seconds: at,
            time_zone: app.cfg.time_zone.to_string(),
            duty_counts: crate::scorecard::counts(&rows),
            agencies: rows,
        });
    }
    let nothing_kept = || {
        ApiError::not_found(format!(
            "no scorecard was kept for {period}: the collector keeps each month's as it ends, from the month it first ran in"
        ))
    };
    if q.format == ScorecardFormat::Xlsx {
        if months.is_empty() {
            return Err(nothing_kept());
        }
        let sheets: Vec<(String, Vec<ScoreRow>)> =
            months.into_iter().map(|m| (m.period, m.agencies)).collect();
        let xlsx = crate::scorecard::to_xlsx(&sheets)
            .map_err(|e| ApiError::unavailable(format!("cannot write the workbook: {e}")))?;
        return Ok(super::download(
            &format!("simpul-scorecard-{period}.xlsx"),
            "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
            xlsx,
        ));
    }
    if period.kind == PeriodKind::Month {
        let Some(one) = months.pop() else {
            return Err(nothing_kept());
        };
        if q.format == ScorecardFormat::Csv {
            return Ok(super::csv_response(
                &format!("simpul-scorecard-{period}.csv"),
                crate::scorecard::to_csv(&one.agencies),
            ));
        }
        return Ok(Json(one).into_response());
    }
    if q.format == ScorecardFormat::Csv {
        let parts: Vec<(String, Vec<ScoreRow>)> =
            months.into_iter().map(|m| (m.period, m.agencies)).collect();
        let out = crate::scorecard::months_to_csv(&parts);
        return Ok(super::csv_response(
            &format!("simpul-scorecard-{period}.csv"),
            out,
        ));
    }
    Ok(Json(Months {
        period: period.to_string(),
        time_zone: app.cfg.time_zone.to_string(),
        months,
    })
    .into_response())
}
