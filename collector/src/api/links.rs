//! `GET /api/v1/links` and `GET /api/v1/links/{id}?period=`: the declared WAN links,
//! their state, availability and classified outages (docs/api.md), for a reader who
//! sees the link's agency.

use std::sync::Arc;

use axum::extract::{Path, State};
use axum::Json;
use serde::{Deserialize, Serialize};

use super::error::ApiError;
use super::query::{Params, Unknown};
use super::AppState;
use crate::links::report::{self, LinkReport};
use crate::period::{Period, PERIOD_RULE};

/// The parameter: `period` (`YYYY-MM`, `YYYY-MM-DD`, `YYYY-Qn`, `YYYY`; default: the
/// current period of the link's SLA class, else the current month).
#[derive(Debug, Deserialize)]
pub struct LinksQuery {
    period: Option<String>,
    #[serde(flatten)]
    unknown: Unknown,
}

impl LinksQuery {
    fn period(&self) -> Result<Option<Period>, ApiError> {
        self.unknown.refuse(|| {
            "unknown parameter; use period=YYYY-MM (or YYYY-MM-DD, YYYY-Qn, YYYY)".into()
        })?;
        self.period
            .as_deref()
            .map(|p| {
                Period::parse(p)
                    .ok_or_else(|| ApiError::bad_param("period", format!("{p:?} {PERIOD_RULE}")))
            })
            .transpose()
    }
}

#[derive(Debug, Serialize)]
pub struct Links {
    /// Every declared link the reader sees, in the order of collector.toml.
    pub links: Vec<LinkReport>,
}

pub async fn list(
    State(app): State<Arc<AppState>>,
    r: super::auth::Reader,
    Params(q): Params<LinksQuery>,
) -> Result<Json<Links>, ApiError> {
    let period = q.period()?;
    let reader = r.0.clone();
    let state = Arc::clone(&app);
    let links = app
        .read_db(move |conn| {
            let cfg = &state.cfg;
            let now = crate::now_seconds();
            cfg.links
                .iter()
                .filter(|l| reader.sees(&l.agency))
                .map(|l| {
                    let p = period.unwrap_or_else(|| report::default_period(cfg, l, now));
                    report::one(conn, cfg, l, &p, now, false)
                })
                .collect::<Result<Vec<_>, _>>()
        })
        .await?;
    Ok(Json(Links { links }))
}

pub async fn one(
    State(app): State<Arc<AppState>>,
    r: super::auth::Reader,
    Path(id): Path<String>,
    Params(q): Params<LinksQuery>,
) -> Result<Json<LinkReport>, ApiError> {
    let period = q.period()?;
    // a link of an agency the reader does not see does not exist for them
    let Some(link) = app
        .cfg
        .links
        .iter()
        .find(|l| l.id == id && r.0.sees(&l.agency))
        .cloned()
    else {
        return Err(ApiError::not_found(format!(
            "no link with id {id:?}; GET /api/v1/links lists the links you can see"
        )));
    };
    let state = Arc::clone(&app);
    let out = app
        .read_db(move |conn| {
            let now = crate::now_seconds();
            let p = period.unwrap_or_else(|| report::default_period(&state.cfg, &link, now));
            report::one(conn, &state.cfg, &link, &p, now, true)
        })
        .await?;
    Ok(Json(out))
}
