//! The agency scope of a request: an agency the reader may see, and that collector.toml
//! declares. One check, in one order, for the API's `{agency}` paths, its `agency=`
//! parameters and the web pages.
//!
//! The order decides the answer: an agency user asking for another agency, declared or
//! not, gets `no agency "x"` (as for an object that does not exist), and only a reader
//! who may see the agency learns which agencies are declared.

use std::sync::Arc;

use axum::extract::{FromRequestParts, Path};
use axum::http::request::Parts;
use axum::response::{IntoResponse, Response};
use serde::Deserialize;

use super::auth::Reader;
use super::error::ApiError;
use super::AppState;
use crate::config::CollectorConfig;
use crate::store::users::User;

/// 404 (as for an object that does not exist) when `user` may not see `agency`.
pub fn visible(user: &User, agency: &str) -> Result<(), ApiError> {
    if user.sees(agency) {
        Ok(())
    } else {
        Err(ApiError::not_found(format!("no agency {agency:?}")))
    }
}

/// 404 listing the declared agencies when collector.toml does not declare `agency`.
pub fn declared(cfg: &CollectorConfig, agency: &str) -> Result<(), ApiError> {
    cfg.check_binding(agency, None).map_err(ApiError::not_found)
}

/// [`visible`], then [`declared`].
pub fn check(user: &User, cfg: &CollectorConfig, agency: &str) -> Result<(), ApiError> {
    visible(user, agency)?;
    declared(cfg, agency)
}

#[derive(Deserialize)]
struct AgencyParam {
    agency: String,
}

/// The `{agency}` of the path (other path parameters are left to the handler) and its
/// reader, once the reader may see it. Rejections, in this order: the reader's (401,
/// 403), the path's (400), [`visible`]'s.
async fn visible_agency(
    parts: &mut Parts,
    app: &Arc<AppState>,
) -> Result<(String, Reader), Response> {
    let r = Reader::from_request_parts(parts, app)
        .await
        .map_err(IntoResponse::into_response)?;
    let Path(p) = Path::<AgencyParam>::from_request_parts(parts, app)
        .await
        .map_err(IntoResponse::into_response)?;
    visible(&r.0, &p.agency).map_err(IntoResponse::into_response)?;
    Ok((p.agency, r))
}

/// The `{agency}` of an API path: the reader may see it and collector.toml declares it
/// ([`check`]); else the reader's rejection, or a 404.
#[derive(Debug, Clone)]
pub struct AgencyPath {
    pub agency: String,
    pub reader: Reader,
}

impl FromRequestParts<Arc<AppState>> for AgencyPath {
    type Rejection = Response;

    async fn from_request_parts(parts: &mut Parts, app: &Arc<AppState>) -> Result<Self, Response> {
        let (agency, reader) = visible_agency(parts, app).await?;
        declared(&app.cfg, &agency).map_err(IntoResponse::into_response)?;
        Ok(Self { agency, reader })
    }
}

/// The `{agency}` of an API path that the reader may see ([`visible`]), whose handler
/// checks its own parameters before it calls [`declared`] (the LAN endpoints: a bad
/// parameter is a 400 whether or not the agency is declared).
#[derive(Debug, Clone)]
pub struct VisibleAgencyPath {
    pub agency: String,
    pub reader: Reader,
}

impl FromRequestParts<Arc<AppState>> for VisibleAgencyPath {
    type Rejection = Response;

    async fn from_request_parts(parts: &mut Parts, app: &Arc<AppState>) -> Result<Self, Response> {
        let (agency, reader) = visible_agency(parts, app).await?;
        Ok(Self { agency, reader })
    }
}
