//! `GET /api/v1/scorecard`: the compliance scorecard, one row per agency (the rows of
//! the `/` page), as JSON or CSV. An agency user gets their own agency's row.

use std::sync::Arc;

use axum::extract::State;
use axum::response::{IntoResponse, Response};
use axum::Json;
use serde::{Deserialize, Serialize};

use super::auth::Reader;
use super::error::ApiError;
use super::query::{ApiQuery, Format};
use super::AppState;
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
    format: Format,
}

/// The answer.
#[derive(Debug, Serialize)]
pub struct Scorecard {
    /// When the duty states were evaluated, in the configured time zone (none: not yet).
    pub evaluated_at: Option<String>,
    pub evaluated_at_seconds: Option<f64>,
    pub time_zone: String,
    pub agencies: Vec<ScoreRow>,
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
    app.duties.ensure_fresh().await;
    let duties = app.duties.current();
    let only = q.agency.clone().or_else(|| r.only());
    let rows: Vec<ScoreRow> = duties
        .scorecard(
            &app.cfg,
            &app.fleet.snapshot(),
            only.as_deref(),
            crate::now_seconds(),
        )
        .into_iter()
        .filter(|row| r.0.sees(&row.agency) && filter.passes(row))
        .collect();
    if q.format == Format::Csv {
        return Ok(super::csv_response(
            "simpul-scorecard.csv",
            crate::scorecard::to_csv(&rows),
        ));
    }
    let at = (duties.at > 0.0).then_some(duties.at);
    Ok(Json(Scorecard {
        evaluated_at: at.map(|t| app.cfg.zone().format(t)),
        evaluated_at_seconds: at,
        time_zone: app.cfg.time_zone.to_string(),
        agencies: rows,
    })
    .into_response())
}
