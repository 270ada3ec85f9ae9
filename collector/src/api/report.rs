//! `GET /reports/{period}.pdf` and `.xlsx`, `GET /agencies/{agency}/reports/{period}.pdf`
//! and `.xlsx`: the compliance report of a month, quarter or year (`report/`), for the
//! web pages' users (an agency user gets their own agency's; another agency is 404)
//! and API tokens, like the rest of the API. Written in the reader's language (see
//! [`language`]); `?lang=id|en` chooses.

use std::sync::Arc;

use axum::extract::{Path, State};
use axum::http::HeaderMap;
use axum::response::Response;
use serde::Deserialize;

use super::auth::Reader;
use super::error::ApiError;
use super::query::Params;
use super::scope::AgencyPath;
use super::AppState;
use crate::i18n::Lang;
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

/// The query of a report's URL (other parameters are ignored, as they always were).
#[derive(Debug, Default, Deserialize)]
pub struct ReportQuery {
    /// `id` or `en`: the report's language, whoever reads it.
    lang: Option<String>,
}

/// The language of a report: `?lang=` when given, else the reader's, as the pages
/// have it: the language the user chose (a login session), else the browser's
/// (`Accept-Language`), else `default_language`. A bad `?lang=` is a 400 naming the
/// valid ones.
pub async fn language(
    app: &Arc<AppState>,
    headers: &HeaderMap,
    q: &ReportQuery,
) -> Result<Lang, ApiError> {
    if let Some(asked) = &q.lang {
        return Lang::parse(asked)
            .ok_or_else(|| ApiError::bad_param("lang", crate::i18n::LANG_RULE));
    }
    let chosen = if headers.contains_key(axum::http::header::AUTHORIZATION) {
        None
    } else {
        super::session::session_user(app, headers)
            .await
            .and_then(|(_, _, language)| language)
            .as_deref()
            .and_then(Lang::parse)
    };
    Ok(chosen.unwrap_or_else(|| {
        headers
            .get(axum::http::header::ACCEPT_LANGUAGE)
            .and_then(|v| v.to_str().ok())
            .and_then(Lang::negotiate)
            .unwrap_or_else(|| app.cfg.language())
    }))
}

/// `GET /reports/{period}.pdf`: every agency the reader sees (an agency user: theirs).
pub async fn all(
    State(app): State<Arc<AppState>>,
    r: Reader,
    Path(file): Path<String>,
    Params(q): Params<ReportQuery>,
    headers: HeaderMap,
) -> Result<Response, ApiError> {
    let (period, format) = parse(&file)?;
    let lang = language(&app, &headers, &q).await?;
    make(app, period, format, r.only(), lang).await
}

/// `GET /agencies/{agency}/reports/{period}.pdf`.
pub async fn agency(
    State(app): State<Arc<AppState>>,
    AgencyPath { agency, .. }: AgencyPath,
    Path((_, file)): Path<(String, String)>,
    Params(q): Params<ReportQuery>,
    headers: HeaderMap,
) -> Result<Response, ApiError> {
    let (period, format) = parse(&file)?;
    let lang = language(&app, &headers, &q).await?;
    make(app, period, format, Some(agency), lang).await
}

async fn make(
    app: Arc<AppState>,
    period: Period,
    format: Format,
    agency: Option<String>,
    lang: Lang,
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
                lang,
                lists: format == Format::Xlsx,
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
        lang = lang.as_str(),
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
