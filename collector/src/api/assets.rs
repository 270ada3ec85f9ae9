//! The asset register's API:
//!
//! - `GET /api/v1/assets?agency=&status=&q=&format=json|csv`: the register;
//! - `GET /api/v1/assets/{id}`: one asset with the audit of its attributes;
//! - `PUT /api/v1/assets/{id}`: record its attributes (a JSON object of the fields to
//!   change: `asset_tag`, `responsible`, `location`, `procurement_year`, `notes`);
//! - `POST /api/v1/assets/import?dry_run=true`: import attributes from a CSV or XLSX
//!   body (see `assets::import`); with `dry_run=true`, only the plan.
//!
//! Writes need a bearer token (an administrator's, or an agency user's API token when
//! `[assets] agency_users_edit` allows), never the pages' cookie: the pages' forms
//! carry their own CSRF token.

use std::sync::Arc;

use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Json;
use serde::{Deserialize, Serialize};

use super::auth::Reader;
use super::error::ApiError;
use super::query::ApiQuery;
use super::AppState;
use crate::assets::import::{self, Plan};
use crate::assets::{Asset, Presence};
use crate::metrics::RejectReason;
use crate::store::asset_attrs::{self, Attributes, AuditEntry, Author, WriteError};
use crate::store::users::User;

/// The register of `agency` (every agency `user` sees when None), newest state.
/// Every server's package list in short, by agent id, for the register's CSV.
pub async fn software_by_agent(
    app: &Arc<AppState>,
) -> Result<crate::assets::SoftwareByAgent, ApiError> {
    app.read_db(|conn| {
        Ok(crate::software::summaries(conn, None)?
            .into_iter()
            .map(|s| (s.agent_id.clone(), s))
            .collect())
    })
    .await
}

pub async fn register(
    app: &Arc<AppState>,
    user: &User,
    agency: Option<String>,
) -> Result<Vec<Asset>, ApiError> {
    let only = agency.or_else(|| user.agency().map(str::to_owned));
    let fleet: Vec<_> = app
        .fleet
        .snapshot()
        .into_iter()
        .filter(|h| user.sees(&h.binding.agency))
        .collect();
    let settings = app.cfg.assets.clone();
    let user = user.clone();
    app.read_db(move |conn| {
        let first = crate::assets::first_reports(conn)?;
        let hosts = crate::assets::host_sightings(&fleet, only.as_deref(), &first);
        let mut all = crate::assets::load(
            conn,
            &hosts,
            only.as_deref(),
            &settings,
            crate::now_seconds(),
            &crate::assets::SIGHTINGS,
        )?;
        all.retain(|a| user.sees(&a.agency));
        Ok(all)
    })
    .await
}

/// The asset `id` (its own id or a member id) if `user` may see it, else 404. Only its
/// agency's register is read.
pub async fn one(app: &Arc<AppState>, user: &User, id: &str) -> Result<Asset, ApiError> {
    let agency = agency_of_id(id).or_else(|| {
        let agent = id.strip_prefix("agent:")?;
        app.fleet
            .snapshot()
            .into_iter()
            .find(|h| h.binding.id == agent)
            .map(|h| h.binding.agency)
    });
    let all = register(app, user, agency.filter(|a| user.sees(a))).await?;
    all.into_iter()
        .find(|a| a.id == id || a.member_ids().iter().any(|m| m == id))
        .ok_or_else(|| ApiError::not_found(format!("no asset {id:?}")))
}

/// The agency a LAN asset id names (an agent's is found through the fleet, in [`one`]).
fn agency_of_id(id: &str) -> Option<String> {
    id.strip_prefix("lan:")
        .and_then(|r| r.split('/').next())
        .map(str::to_owned)
}

/// The audit of asset `a`'s attributes, newest first.
pub async fn history(app: &Arc<AppState>, a: &Asset) -> Result<Vec<AuditEntry>, ApiError> {
    let ids = a.member_ids();
    app.read_db(move |conn| Ok(asset_attrs::history(conn, &ids)?))
        .await
}

/// The parameters of the list.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ListQuery {
    agency: Option<String>,
    /// `present`, `not_seen`, `never_seen`, or `all` (the default).
    status: Option<String>,
    /// Search text: name, vendor, model, serial, type, OS, site, addresses, MACs and
    /// the recorded attributes.
    q: Option<String>,
    #[serde(default)]
    format: ListFormat,
}

#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum ListFormat {
    #[default]
    Json,
    Csv,
}

/// A status filter: None for all.
pub fn status_filter(s: Option<&str>) -> Result<Option<Presence>, ApiError> {
    match s {
        None | Some("" | "all") => Ok(None),
        Some(s) => Presence::parse(s).map(Some).ok_or_else(|| {
            ApiError::bad_param(
                "status",
                format!("{s:?} must be all, present, not_seen or never_seen"),
            )
        }),
    }
}

/// The list's answer.
#[derive(Debug, Serialize)]
pub struct List {
    pub time_zone: String,
    /// Assets per status, of the filtered list.
    pub counts: std::collections::BTreeMap<String, usize>,
    pub assets: Vec<Asset>,
}

pub async fn list(
    State(app): State<Arc<AppState>>,
    r: Reader,
    ApiQuery(q): ApiQuery<ListQuery>,
) -> Result<Response, ApiError> {
    if let Some(a) = &q.agency {
        super::scope::check(&r.0, &app.cfg, a)?;
    }
    let status = status_filter(q.status.as_deref())?;
    let text = q.q.as_deref().unwrap_or("").trim().to_lowercase();
    let mut all = register(&app, &r.0, q.agency.clone()).await?;
    all.retain(|a| status.is_none_or(|s| a.status == s) && a.matches(&text));
    Ok(match q.format {
        ListFormat::Csv => super::csv_response(
            "simpul-assets.csv",
            crate::assets::to_csv(
                &all,
                app.cfg.zone(),
                |a| app.cfg.agency_name(a).to_owned(),
                &software_by_agent(&app).await?,
            ),
        ),
        ListFormat::Json => Json(List {
            time_zone: app.cfg.time_zone.to_string(),
            counts: crate::assets::counts(&all)
                .into_iter()
                .map(|(p, n)| (p.to_string(), n))
                .collect(),
            assets: all,
        })
        .into_response(),
    })
}

/// One asset with its audit.
#[derive(Debug, Serialize)]
pub struct OneAsset {
    pub asset: Asset,
    pub history: Vec<AuditEntry>,
}

pub async fn get(
    State(app): State<Arc<AppState>>,
    r: Reader,
    Path(id): Path<String>,
) -> Result<Json<OneAsset>, ApiError> {
    let asset = one(&app, &r.0, &id).await?;
    let history = history(&app, &asset).await?;
    Ok(Json(OneAsset { asset, history }))
}

/// A write needs a bearer token: the pages' cookie carries no CSRF token here.
fn bearer_only(headers: &HeaderMap) -> Result<(), ApiError> {
    if headers.contains_key("authorization") {
        Ok(())
    } else {
        Err(ApiError::new(
            StatusCode::UNAUTHORIZED,
            RejectReason::Unauthorized,
            "send `Authorization: Bearer <token>`: an administrator token, or an agency user's API token when [assets] agency_users_edit = true; the pages record attributes through their own forms",
        ))
    }
}

fn may_edit(app: &AppState, user: &User, agency: &str) -> Result<(), ApiError> {
    if crate::assets::may_edit(user, agency, &app.cfg.assets) {
        Ok(())
    } else {
        Err(ApiError::new(
            StatusCode::FORBIDDEN,
            RejectReason::Forbidden,
            "only Diskominfo administrators record asset attributes (an agency's own users may when collector.toml sets [assets] agency_users_edit = true)",
        ))
    }
}

/// The body of `PUT /api/v1/assets/{id}`: the fields to change (absent: unchanged;
/// `null` or `""` clears one).
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AttributesBody {
    #[serde(default, with = "double_option")]
    asset_tag: Option<Option<String>>,
    #[serde(default, with = "double_option")]
    responsible: Option<Option<String>>,
    #[serde(default, with = "double_option")]
    location: Option<Option<String>>,
    #[serde(default, with = "double_option")]
    procurement_year: Option<Option<i64>>,
    #[serde(default, with = "double_option")]
    notes: Option<Option<String>>,
}

/// A field that is absent (None), `null` (Some(None)) or a value.
mod double_option {
    use serde::{Deserialize, Deserializer};

    pub fn deserialize<'de, D: Deserializer<'de>, T: Deserialize<'de>>(
        d: D,
    ) -> Result<Option<Option<T>>, D::Error> {
        Option::<T>::deserialize(d).map(Some)
    }
}

impl AttributesBody {
    /// `old` with this body's fields applied.
    pub fn apply(self, old: &Attributes) -> Attributes {
        let text = |new: Option<Option<String>>, old: &String| match new {
            None => old.clone(),
            Some(v) => v.unwrap_or_default(),
        };
        Attributes {
            tag: text(self.asset_tag, &old.tag),
            responsible: text(self.responsible, &old.responsible),
            location: text(self.location, &old.location),
            procurement_year: self.procurement_year.unwrap_or(old.procurement_year),
            notes: text(self.notes, &old.notes),
        }
    }
}

/// Checks and records `new` for `asset`, audited as `user` through `via`; returns the
/// changes. Shared by the API and the pages' form.
pub async fn record(
    app: &Arc<AppState>,
    asset: &Asset,
    new: Attributes,
    user: &User,
    via: &'static str,
) -> Result<Vec<asset_attrs::Change>, ApiError> {
    let now = crate::now_seconds();
    let new =
        crate::assets::check(new, now).map_err(|v| ApiError::invalid("asset attributes", v))?;
    let ids = asset.member_ids();
    let agency = asset.agency.clone();
    let name = user.name.clone();
    let written = app
        .read_db(move |conn| {
            let by = Author {
                name: &name,
                via,
                at: now,
            };
            Ok(conn.transaction(|tx| asset_attrs::write(tx, &ids, &agency, &new, &by)))
        })
        .await?;
    match written {
        Ok(changes) => {
            tracing::info!(asset = ?asset.id, user = ?user.name, via, changed = changes.len(), "asset attributes recorded");
            Ok(changes)
        }
        Err(WriteError::TagTaken { tag, other }) => Err(ApiError::new(
            StatusCode::CONFLICT,
            RejectReason::Invalid,
            format!("asset tag {tag:?} is already recorded for asset {other}; an asset tag names one asset of an agency"),
        )),
        Err(WriteError::Db(e)) => Err(ApiError::store(e)),
    }
}

pub async fn put(
    State(app): State<Arc<AppState>>,
    Reader(user): Reader,
    Path(id): Path<String>,
    headers: HeaderMap,
    body: Bytes,
) -> Result<Json<serde_json::Value>, ApiError> {
    bearer_only(&headers)?;
    let b: AttributesBody = serde_json::from_slice(&body)
        .map_err(|e| ApiError::malformed("asset attributes (a JSON object of asset_tag, responsible, location, procurement_year, notes)", e))?;
    let asset = one(&app, &user, &id).await?;
    may_edit(&app, &user, &asset.agency)?;
    let new = b.apply(&asset.attributes);
    let changes = record(&app, &asset, new, &user, "api").await?;
    Ok(Json(
        serde_json::json!({"asset_id": asset.id, "changes": changes}),
    ))
}

/// The parameters of an import.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ImportQuery {
    #[serde(default)]
    dry_run: bool,
}

/// An import's answer: the plan, and whether it was written.
#[derive(Debug, Serialize)]
pub struct Imported {
    pub applied: bool,
    #[serde(flatten)]
    pub plan: Plan,
}

/// Plans (and unless a dry run, applies) an import of `bytes` by `user`: the plan,
/// and whether it was written. Shared by the API and the pages' form.
pub async fn import_file(
    app: &Arc<AppState>,
    user: &User,
    bytes: Vec<u8>,
    dry_run: bool,
) -> Result<Imported, ApiError> {
    let table = match import::read(&bytes) {
        Ok(t) => t,
        Err(errors) => {
            return Ok(Imported {
                applied: false,
                plan: Plan {
                    rows: 0,
                    changes: Vec::new(),
                    unchanged: 0,
                    errors,
                    digest: String::new(),
                },
            })
        }
    };
    let mut assets = register(app, user, None).await?;
    assets.retain(|a| crate::assets::may_edit(user, &a.agency, &app.cfg.assets));
    let plan = import::plan(&table, &assets, crate::now_seconds());
    if dry_run || !plan.errors.is_empty() {
        return Ok(Imported {
            applied: false,
            plan,
        });
    }
    let name = user.name.clone();
    let (plan, written) = app
        .read_db(move |conn| {
            let by = Author {
                name: &name,
                via: "import",
                at: crate::now_seconds(),
            };
            let r = import::apply(conn, &plan, &by);
            Ok((plan, r))
        })
        .await?;
    match written {
        Ok(n) => {
            tracing::info!(user = ?user.name, assets = plan.changes.len(), fields = n, "asset attributes imported");
            Ok(Imported {
                applied: true,
                plan,
            })
        }
        Err(import::ApplyError::Db(e)) => Err(ApiError::store(e)),
        Err(e) => Err(ApiError::new(
            StatusCode::CONFLICT,
            RejectReason::Invalid,
            e.to_string(),
        )),
    }
}

pub async fn import(
    State(app): State<Arc<AppState>>,
    Reader(user): Reader,
    ApiQuery(q): ApiQuery<ImportQuery>,
    headers: HeaderMap,
    body: Result<Bytes, axum::extract::rejection::BytesRejection>,
) -> Result<Response, ApiError> {
    bearer_only(&headers)?;
    // the body limit's own rejection is plain text: answer with the API's JSON error
    let body = body.map_err(|e| {
        ApiError::unread_body(&e, || {
            ApiError::new(
                StatusCode::PAYLOAD_TOO_LARGE,
                RejectReason::TooLarge,
                format!(
                    "the file is larger than {} bytes (4 MiB); split it into smaller files",
                    import::MAX_BYTES
                ),
            )
        })
    })?;
    if !user.is_admin() && !app.cfg.assets.agency_users_edit {
        may_edit(&app, &user, "")?;
    }
    let imported = import_file(&app, &user, body.to_vec(), q.dry_run).await?;
    if !imported.plan.errors.is_empty() {
        return Ok((StatusCode::UNPROCESSABLE_ENTITY, Json(imported)).into_response());
    }
    Ok(Json(imported).into_response())
}
