//! LAN diagrams: `GET /api/v1/lan` (the duty state of every agency), and per agency
//! `.../lan` (current topology), `.../lan.dot`, `.../lan/versions`,
//! `.../lan/versions/{n}`, `.../lan/diff?from=&to=` and, for administrators,
//! `POST .../lan/versions/{n}/ack`. `site=` picks the site where an agency has several.

use std::collections::HashMap;
use std::sync::Arc;

use axum::extract::{Path, Query, State};
use axum::http::{header, HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Json;

use super::error::ApiError;
use super::AppState;
use crate::lan;

fn only(q: &HashMap<String, String>, allowed: &[&str]) -> Result<(), ApiError> {
    match q.keys().find(|k| !allowed.contains(&k.as_str())) {
        Some(k) => Err(ApiError::bad_param(
            k,
            format!("unknown parameter; allowed: {}", allowed.join(", ")),
        )),
        None => Ok(()),
    }
}

/// `GET /api/v1/lan`: every agency site's diagram state (`format=csv` for the report).
pub async fn duty(
    State(app): State<Arc<AppState>>,
    r: super::auth::Reader,
    Query(q): Query<HashMap<String, String>>,
) -> Result<Response, ApiError> {
    only(&q, &["format"])?;
    let as_csv = super::wants_csv(&q)?;
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

/// The site of the query: `site=`, else the agency's only site with a diagram.
async fn site_of(
    app: &Arc<AppState>,
    agency: &str,
    q: &HashMap<String, String>,
) -> Result<String, ApiError> {
    app.cfg
        .check_binding(agency, None)
        .map_err(ApiError::not_found)?;
    let a = agency.to_owned();
    let sites = app.read_db(move |conn| Ok(lan::sites(conn, &a)?)).await?;
    match q.get("site") {
        Some(s) if sites.contains(s) => Ok(s.clone()),
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

async fn load(
    app: &Arc<AppState>,
    agency: &str,
    site: &str,
    version: Option<i64>,
) -> Result<lan::Version, ApiError> {
    let (a, s) = (agency.to_owned(), site.to_owned());
    app.read_db(move |conn| Ok(lan::version(conn, &a, &s, version)?))
        .await?
        .ok_or_else(|| {
            ApiError::not_found(format!(
                "agency {agency:?} site {site:?} has no LAN diagram version {}",
                version.map_or("yet".into(), |v| v.to_string())
            ))
        })
}

/// `GET /api/v1/agencies/{agency}/lan`: the newest version, with the newest poll of
/// each SNMP device of the site (`snmp`).
pub async fn current(
    State(app): State<Arc<AppState>>,
    r: super::auth::Reader,
    Path(agency): Path<String>,
    Query(q): Query<HashMap<String, String>>,
) -> Result<Json<serde_json::Value>, ApiError> {
    r.check(&agency, "agency")?;
    only(&q, &["site"])?;
    let site = site_of(&app, &agency, &q).await?;
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
    q: &HashMap<String, String>,
) -> Result<(lan::Version, String), ApiError> {
    only(q, &["site", "version"])?;
    let site = site_of(app, agency, q).await?;
    let version = match q.get("version") {
        None => None,
        Some(v) => Some(v.parse::<i64>().map_err(|_| {
            ApiError::bad_param("version", format!("{v:?} must be a version number"))
        })?),
    };
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
    r: super::auth::Reader,
    Path(agency): Path<String>,
    Query(q): Query<HashMap<String, String>>,
) -> Result<Response, ApiError> {
    r.check(&agency, "agency")?;
    let (v, name) = picture_of(&app, &agency, &q).await?;
    Ok((
        [(header::CONTENT_TYPE, "text/vnd.graphviz; charset=utf-8")],
        v.topology.to_dot(&name),
    )
        .into_response())
}

/// `GET /api/v1/agencies/{agency}/lan.svg`: the diagram, laid out on the server.
pub async fn svg(
    State(app): State<Arc<AppState>>,
    r: super::auth::Reader,
    Path(agency): Path<String>,
    Query(q): Query<HashMap<String, String>>,
) -> Result<Response, ApiError> {
    r.check(&agency, "agency")?;
    let (v, name) = picture_of(&app, &agency, &q).await?;
    let title = format!("{name}, version {}", v.row.version);
    Ok((
        [(header::CONTENT_TYPE, "image/svg+xml; charset=utf-8")],
        lan::svg::render(&v.topology, &title),
    )
        .into_response())
}

/// `GET /api/v1/agencies/{agency}/lan/graph`: the diagram as the `nodes` and `edges`
/// frames of Grafana's Node Graph panel (through the Infinity data source).
pub async fn graph(
    State(app): State<Arc<AppState>>,
    r: super::auth::Reader,
    Path(agency): Path<String>,
    Query(q): Query<HashMap<String, String>>,
) -> Result<Json<serde_json::Value>, ApiError> {
    r.check(&agency, "agency")?;
    let (v, _) = picture_of(&app, &agency, &q).await?;
    Ok(Json(lan::node_graph(&v.topology)))
}

/// `GET /api/v1/agencies/{agency}/lan/versions`: every version, newest first.
pub async fn versions(
    State(app): State<Arc<AppState>>,
    r: super::auth::Reader,
    Path(agency): Path<String>,
    Query(q): Query<HashMap<String, String>>,
) -> Result<Json<Vec<lan::VersionRow>>, ApiError> {
    r.check(&agency, "agency")?;
    only(&q, &["site"])?;
    let site = site_of(&app, &agency, &q).await?;
    Ok(Json(
        app.read_db(move |conn| Ok(lan::versions(conn, Some(&agency), Some(&site))?))
            .await?,
    ))
}

fn version_param(v: &str, field: &str) -> Result<i64, ApiError> {
    v.parse::<i64>()
        .ok()
        .filter(|n| *n >= 1)
        .ok_or_else(|| ApiError::bad_param(field, format!("{v:?} must be a version number from 1")))
}

/// `GET /api/v1/agencies/{agency}/lan/versions/{n}`.
pub async fn one(
    State(app): State<Arc<AppState>>,
    r: super::auth::Reader,
    Path((agency, n)): Path<(String, String)>,
    Query(q): Query<HashMap<String, String>>,
) -> Result<Json<lan::Version>, ApiError> {
    r.check(&agency, "agency")?;
    only(&q, &["site"])?;
    let n = version_param(&n, "version")?;
    let site = site_of(&app, &agency, &q).await?;
    Ok(Json(load(&app, &agency, &site, Some(n)).await?))
}

/// `GET /api/v1/agencies/{agency}/lan/diff?from=N&to=M` (to: default the newest).
pub async fn diff(
    State(app): State<Arc<AppState>>,
    r: super::auth::Reader,
    Path(agency): Path<String>,
    Query(q): Query<HashMap<String, String>>,
) -> Result<Json<serde_json::Value>, ApiError> {
    r.check(&agency, "agency")?;
    only(&q, &["site", "from", "to"])?;
    let from = version_param(
        q.get("from")
            .ok_or_else(|| ApiError::bad_param("from", "required: the older version number"))?,
        "from",
    )?;
    let to = q.get("to").map(|t| version_param(t, "to")).transpose()?;
    let site = site_of(&app, &agency, &q).await?;
    let (a, b) = (
        load(&app, &agency, &site, Some(from)).await?,
        load(&app, &agency, &site, to).await?,
    );
    let d = lan::diff::diff(&a.topology, &b.topology);
    Ok(Json(serde_json::json!({
        "agency": agency,
        "site": site,
        "from": a.row.version,
        "to": b.row.version,
        "changes": d.count(),
        "diff": d,
    })))
}

/// `POST /api/v1/agencies/{agency}/lan/versions/{n}/ack`: an administrator
/// acknowledges the changes up to version n.
pub async fn ack(
    State(app): State<Arc<AppState>>,
    Path((agency, n)): Path<(String, String)>,
    Query(q): Query<HashMap<String, String>>,
    headers: HeaderMap,
) -> Result<(StatusCode, Json<serde_json::Value>), ApiError> {
    let (admin, name) = app.auth.authenticate_admin(&headers)?;
    only(&q, &["site"])?;
    let n = version_param(&n, "version")?;
    let site = site_of(&app, &agency, &q).await?;
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
