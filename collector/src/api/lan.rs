//! LAN diagrams: `GET /api/v1/lan` (the duty state of every agency), and per agency
//! `.../lan` (current topology), `.../lan.dot`, `.../lan/versions`,
//! `.../lan/versions/{n}`, `.../lan/diff?from=&to=` and, for administrators,
//! `POST .../lan/versions/{n}/ack`. `site=` picks the site where an agency has several.

use std::sync::Arc;

use axum::extract::{Path, State};
use axum::http::{header, HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Json;
use serde::Deserialize;

use super::error::ApiError;
use super::query::{Format, Params, Unknown};
use super::scope::VisibleAgencyPath;
use super::AppState;
use crate::lan;

/// A 400 naming the first parameter the endpoint does not take, with those it does.
fn only(unknown: &Unknown, allowed: &[&str]) -> Result<(), ApiError> {
    unknown.refuse(|| format!("unknown parameter; allowed: {}", allowed.join(", ")))
}

/// The parameters of `GET /api/v1/lan`.
#[derive(Debug, Deserialize)]
pub struct DutyQuery {
    format: Option<String>,
    #[serde(flatten)]
    unknown: Unknown,
}

/// `site=`: the site of the agency (where it has several).
#[derive(Debug, Deserialize)]
pub struct SiteQuery {
    site: Option<String>,
    #[serde(flatten)]
    unknown: Unknown,
}

/// The parameters of `lan.dot`, `lan.svg` and `lan/graph`: `site=`, `version=`, and
/// for `lan.svg` `from=` (draw the changes since that version).
#[derive(Debug, Deserialize)]
pub struct PictureQuery {
    site: Option<String>,
    version: Option<String>,
    from: Option<String>,
    #[serde(flatten)]
    unknown: Unknown,
}

/// The parameters of `lan/diff`: `site=`, `from=` (required), `to=`.
#[derive(Debug, Deserialize)]
pub struct DiffQuery {
    site: Option<String>,
    from: Option<String>,
    to: Option<String>,
    #[serde(flatten)]
    unknown: Unknown,
}

/// `GET /api/v1/lan`: every agency site's diagram state (`format=csv` for the report).
pub async fn duty(
    State(app): State<Arc<AppState>>,
    r: super::auth::Reader,
    Params(q): Params<DutyQuery>,
) -> Result<Response, ApiError> {
    only(&q.unknown, &["format"])?;
    let as_csv = Format::param(q.format.as_deref())? == Format::Csv;
    let a = Arc::clone(&app);
    let rows = app
        .read_db(move |conn| {
            let agencies: Vec<String> = a
                .cfg
                .agencies
                .iter()
                .map(|x| x.id.clone())
                .filter(|x| r.0.sees(x))
                .collect();
            Ok(lan::statuses(
                conn,
                &agencies,
                a.cfg.lan_max_age_seconds(),
                crate::now_seconds(),
            )?)
        })
        .await?;
    if !as_csv {
        return Ok(Json(rows).into_response());
    }
    let mut out = crate::csv::Csv::new(&[
        "agency",
        "site",
        "state",
        "version",
        "devices",
        "links",
        "age_days",
        "changes_total",
        "unacknowledged_changes",
    ]);
    for r in &rows {
        out.row(&[
            &r.agency,
            &r.site,
            &r.state,
            &r.version.map_or(String::new(), |v| v.to_string()),
            &r.devices,
            &r.links,
            &r.age_seconds
                .map_or(String::new(), |a| format!("{:.1}", a / 86400.0)),
            &r.changes_total,
            &r.unacknowledged_changes,
        ]);
    }
    Ok(super::csv_response("simpul-lan.csv", out.finish()))
}

/// The site of the query: `site=`, else the agency's only site with a diagram; 404
/// when collector.toml does not declare the agency.
async fn site_of(
    app: &Arc<AppState>,
    agency: &str,
    site: Option<&str>,
) -> Result<String, ApiError> {
    super::scope::declared(&app.cfg, agency)?;
    let a = agency.to_owned();
    let sites = app.read_db(move |conn| Ok(lan::sites(conn, &a)?)).await?;
    match site {
        Some(s) if sites.iter().any(|x| x == s) => Ok(s.to_owned()),
        Some(s) => Err(ApiError::not_found(format!(
            "agency {agency:?} has no LAN diagram for site {s:?}; sites with one: {}",
            if sites.is_empty() {
                "none".into()
            } else {
                sites.join(", ")
            }
        ))),
        None => match sites.as_slice() {
            [] => Err(ApiError::not_found(format!(
                "agency {agency:?} has no LAN diagram yet: an agent of the agency with \
                 [discovery] subnets reports one"
            ))),
            [one] => Ok(one.clone()),
            many => Err(ApiError::bad_param(
                "site",
                format!(
                    "agency {agency:?} has diagrams for several sites ({}); add site=",
                    many.join(", ")
                ),
            )),
        },
    }
}

/// Version `version` of the site (None: the newest); a 404 naming the version and
/// the versions the site keeps when it has no such version.
async fn load(
    app: &Arc<AppState>,
    agency: &str,
    site: &str,
    version: Option<i64>,
) -> Result<lan::Version, ApiError> {
    let (a, s) = (agency.to_owned(), site.to_owned());
    let (found, numbers) = app
        .read_db(move |conn| {
            let found = lan::version(conn, &a, &s, version)?;
            let numbers = if found.is_none() {
                lan::version_numbers(conn, &a, &s)?
            } else {
                Vec::new()
            };
            Ok((found, numbers))
        })
        .await?;
    found.ok_or_else(|| {
        ApiError::not_found(format!(
            "agency {agency:?} site {site:?} has no LAN diagram version {}; its versions: {}",
            version.map_or("yet".into(), |v| v.to_string()),
            lan::ranges(&numbers)
        ))
    })
}

/// `GET /api/v1/agencies/{agency}/lan`: the newest version, with the newest poll of
/// each SNMP device of the site (`snmp`).
pub async fn current(
    State(app): State<Arc<AppState>>,
    VisibleAgencyPath { agency, .. }: VisibleAgencyPath,
    Params(q): Params<SiteQuery>,
) -> Result<Json<serde_json::Value>, ApiError> {
    only(&q.unknown, &["site"])?;
    let site = site_of(&app, &agency, q.site.as_deref()).await?;
    let v = load(&app, &agency, &site, None).await?;
    let a = agency.clone();
    let polls: Vec<lan::SnmpStatus> = app
        .read_db(move |conn| Ok(lan::snmp_statuses(conn, Some(&a))?))
        .await?
        .into_iter()
        .filter(|p| p.site == site)
        .collect();
    let mut body = serde_json::to_value(&v).unwrap_or_default();
    if let Some(o) = body.as_object_mut() {
        o.insert(
            "snmp".into(),
            serde_json::to_value(&polls).unwrap_or_default(),
        );
    }
    Ok(Json(body))
}

/// The version a `lan.dot` / `lan.svg` request names (`version=`, else the newest),
/// and the diagram's name.
async fn picture_of(
    app: &Arc<AppState>,
    agency: &str,
    q: &PictureQuery,
) -> Result<(lan::Version, String), ApiError> {
    only(&q.unknown, &["site", "version"])?;
    if q.from.is_some() {
        return Err(ApiError::bad_param(
            "from",
            "only lan.svg draws the changes from a version",
        ));
    }
    picture(app, agency, q).await
}

/// [`picture_of`] without the check of `from=`.
async fn picture(
    app: &Arc<AppState>,
    agency: &str,
    q: &PictureQuery,
) -> Result<(lan::Version, String), ApiError> {
    let site = site_of(app, agency, q.site.as_deref()).await?;
    let version = q
        .version
        .as_deref()
        .map(|v| version_param(v, "version"))
        .transpose()?;
    let v = load(app, agency, &site, version).await?;
    let name = if site.is_empty() {
        agency.to_owned()
    } else {
        format!("{agency} {site}")
    };
    Ok((v, name))
}

/// `GET /api/v1/agencies/{agency}/lan.dot`: the newest version for Graphviz.
pub async fn dot(
    State(app): State<Arc<AppState>>,
    VisibleAgencyPath { agency, .. }: VisibleAgencyPath,
    Params(q): Params<PictureQuery>,
) -> Result<Response, ApiError> {
    let (v, name) = picture_of(&app, &agency, &q).await?;
    Ok((
        [(header::CONTENT_TYPE, "text/vnd.graphviz; charset=utf-8")],
        v.topology.to_dot(&name),
    )
        .into_response())
}

/// `GET /api/v1/agencies/{agency}/lan.svg`: the diagram, laid out on the server;
/// with `from=N`, the changes since version N drawn on it (added in green, removed
/// dashed in red).
pub async fn svg(
    State(app): State<Arc<AppState>>,
    VisibleAgencyPath { agency, .. }: VisibleAgencyPath,
    Params(q): Params<PictureQuery>,
) -> Result<Response, ApiError> {
    only(&q.unknown, &["site", "version", "from"])?;
    let (v, name) = picture(&app, &agency, &q).await?;
    let body = match q.from.as_deref() {
        None => lan::svg::render(&v.topology, &format!("{name}, version {}", v.row.version)),
        Some(f) => {
            let from = version_param(f, "from")?;
            let old = load(&app, &agency, &v.row.site, Some(from)).await?;
            lan::svg::render_diff(
                &old.topology,
                &v.topology,
                &format!("{name}, version {} → {}", old.row.version, v.row.version),
                crate::i18n::Lang::En,
            )
        }
    };
    Ok((
        [(header::CONTENT_TYPE, "image/svg+xml; charset=utf-8")],
        body,
    )
        .into_response())
}

/// `GET /api/v1/agencies/{agency}/lan/graph`: the diagram as the `nodes` and `edges`
/// frames of Grafana's Node Graph panel (through the Infinity data source).
pub async fn graph(
    State(app): State<Arc<AppState>>,
    VisibleAgencyPath { agency, .. }: VisibleAgencyPath,
    Params(q): Params<PictureQuery>,
) -> Result<Json<serde_json::Value>, ApiError> {
    let (v, _) = picture_of(&app, &agency, &q).await?;
    Ok(Json(lan::node_graph(&v.topology)))
}

/// `GET /api/v1/agencies/{agency}/lan/versions`: every version, newest first.
pub async fn versions(
    State(app): State<Arc<AppState>>,
    VisibleAgencyPath { agency, .. }: VisibleAgencyPath,
    Params(q): Params<SiteQuery>,
) -> Result<Json<Vec<lan::VersionRow>>, ApiError> {
    only(&q.unknown, &["site"])?;
    let site = site_of(&app, &agency, q.site.as_deref()).await?;
    Ok(Json(
        app.read_db(move |conn| Ok(lan::versions(conn, Some(&agency), Some(&site))?))
            .await?,
    ))
}

/// A version number (400 when it is not a number; a number the site has no version
/// of is [`load`]'s 404).
fn version_param(v: &str, field: &str) -> Result<i64, ApiError> {
    v.parse::<i64>()
        .map_err(|_| ApiError::bad_param(field, format!("{v:?} must be a version number from 1")))
}

/// `GET /api/v1/agencies/{agency}/lan/versions/{n}`.
pub async fn one(
    State(app): State<Arc<AppState>>,
    VisibleAgencyPath { agency, .. }: VisibleAgencyPath,
    Path((_, n)): Path<(String, String)>,
    Params(q): Params<SiteQuery>,
) -> Result<Json<lan::Version>, ApiError> {
    only(&q.unknown, &["site"])?;
    let n = version_param(&n, "version")?;
    let site = site_of(&app, &agency, q.site.as_deref()).await?;
    Ok(Json(load(&app, &agency, &site, Some(n)).await?))
}

/// `GET /api/v1/agencies/{agency}/lan/diff?from=N&to=M` (to: default the newest): the
/// changes by id (`diff`) and as lines in device names and ports (`lines`, English).
pub async fn diff(
    State(app): State<Arc<AppState>>,
    VisibleAgencyPath { agency, .. }: VisibleAgencyPath,
    Params(q): Params<DiffQuery>,
) -> Result<Json<serde_json::Value>, ApiError> {
    only(&q.unknown, &["site", "from", "to"])?;
    let from = version_param(
        q.from
            .as_deref()
            .ok_or_else(|| ApiError::bad_param("from", "required: the older version number"))?,
        "from",
    )?;
    let to =
        q.to.as_deref()
            .map(|t| version_param(t, "to"))
            .transpose()?;
    let site = site_of(&app, &agency, q.site.as_deref()).await?;
    let (a, b) = (
        load(&app, &agency, &site, Some(from)).await?,
        load(&app, &agency, &site, to).await?,
    );
    let d = lan::diff::diff(&a.topology, &b.topology);
    let lines = lan::diff::lines(&d, &a.topology, &b.topology, crate::i18n::Lang::En);
    Ok(Json(serde_json::json!({
        "agency": agency,
        "site": site,
        "from": a.row.version,
        "to": b.row.version,
        "changes": d.count(),
        "lines": lines,
        "diff": d,
    })))
}

/// `POST /api/v1/agencies/{agency}/lan/versions/{n}/ack`: an administrator
/// acknowledges the changes up to version n.
pub async fn ack(
    State(app): State<Arc<AppState>>,
    Path((agency, n)): Path<(String, String)>,
    Params(q): Params<SiteQuery>,
    headers: HeaderMap,
) -> Result<(StatusCode, Json<serde_json::Value>), ApiError> {
    let (admin, name) = app.auth.authenticate_admin(&headers)?;
    only(&q.unknown, &["site"])?;
    let n = version_param(&n, "version")?;
    let site = site_of(&app, &agency, q.site.as_deref()).await?;
    load(&app, &agency, &site, Some(n)).await?;
    let by = format!("{admin} ({name})");
    let (a, s) = (agency.clone(), site.clone());
    let acked = app
        .read_db(move |conn| {
            Ok(lan::acknowledge(
                conn,
                &a,
                &s,
                n,
                &by,
                crate::now_seconds(),
            )?)
        })
        .await?;
    tracing::info!(agency = ?agency, site = ?site, version = n, admin = ?admin, acked, "LAN changes acknowledged");
    Ok((
        StatusCode::OK,
        Json(
            serde_json::json!({"agency": agency, "site": site, "acknowledged_through": n, "versions": acked}),
        ),
    ))
}
