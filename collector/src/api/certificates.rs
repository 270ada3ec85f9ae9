//! `GET /api/v1/hosts/{id}/certificates`: a host's certificate files (`[[certificates]]`
//! of its agent) with each certificate, the verdict and the days to expiry;
//! `GET /api/v1/certificates?agency=&verdict=`: every certificate file of the hosts the
//! reader sees, soonest to expire first (docs/api.md, docs/certificates.md).

use std::collections::HashMap;
use std::sync::Arc;

use axum::extract::{Path, State};
use axum::Json;
use serde::{Deserialize, Serialize};
use simpul_webcheck::{CertInfo, Verdict};

use super::error::ApiError;
use super::query::{Params, Unknown};
use super::AppState;
use crate::certificates::Stored;
use crate::state::HostState;

/// One certificate file of one host.
#[derive(Debug, Serialize)]
pub struct CertificateFileOut {
    pub agent_id: String,
    pub agency: String,
    pub host: String,
    pub path: String,
    pub name: String,
    /// `pem`, `der`; empty when the file could not be read.
    pub format: String,
    /// What the agent could not read (the whole file or parts); empty when all was read.
    pub error: String,
    /// `valid`, `expired`, `not_yet_valid`, `unknown_ca`, `invalid`; null without a
    /// certificate.
    pub verdict: Option<&'static str>,
    pub reason: String,
    /// What the chain was verified against.
    pub trusted_by: String,
    /// The first certificate's validity, Unix seconds.
    pub not_before: Option<f64>,
    pub not_after: Option<f64>,
    /// From now to `not_after`, in days (negative once expired).
    pub days_to_expiry: Option<f64>,
    /// Each certificate in the file's order (the first is the server's): subject,
    /// SANs, issuer, validity, key type and size, signature algorithm, serial.
    pub chain: Vec<CertInfo>,
    /// PEM blocks the agent skipped and never sent (a private key).
    pub skipped: Vec<String>,
    /// SHA-256 of the certificates; it changes with a renewal.
    pub digest: String,
    /// Since when the file holds these certificates, and its newest report.
    pub since: f64,
    pub reported_at: f64,
}

impl CertificateFileOut {
    fn new(h: &HostState, f: Stored, now: f64) -> Self {
        let (verdict, reason) = f.verdict_at(now);
        Self {
            agent_id: f.agent_id.clone(),
            agency: h.binding.agency.clone(),
            host: h.binding.host.clone(),
            days_to_expiry: f.days_to_expiry(now),
            verdict: verdict.map(Verdict::as_str),
            reason,
            path: f.path,
            name: f.name,
            format: f.format,
            error: f.error,
            trusted_by: f.trusted_by,
            not_before: f.not_before,
            not_after: f.not_after,
            chain: f.chain,
            skipped: f.skipped,
            digest: f.digest,
            since: f.since,
            reported_at: f.reported_at,
        }
    }
}

/// `rows` (of `h`) for the API and the pages, at the current time.
pub fn for_host(h: &HostState, rows: Vec<Stored>) -> Vec<CertificateFileOut> {
    let now = crate::now_seconds();
    rows.into_iter()
        .map(|f| CertificateFileOut::new(h, f, now))
        .collect()
}

#[derive(Debug, Serialize)]
pub struct HostCertificates {
    pub agent_id: String,
    pub agency: String,
    pub host: String,
    /// By path; empty when the agent lists no `[[certificates]]`.
    pub certificates: Vec<CertificateFileOut>,
}

pub async fn host(
    State(app): State<Arc<AppState>>,
    reader: super::auth::Reader,
    Path(id): Path<String>,
) -> Result<Json<HostCertificates>, ApiError> {
    let h = super::read::find_host(&app, &reader, &id)?;
    let agent = h.binding.id.clone();
    let rows = app
        .read_db(move |conn| Ok(crate::certificates::list(conn, Some(&agent))?))
        .await?;
    let now = crate::now_seconds();
    Ok(Json(HostCertificates {
        agent_id: h.binding.id.clone(),
        agency: h.binding.agency.clone(),
        host: h.binding.host.clone(),
        certificates: rows
            .into_iter()
            .map(|f| CertificateFileOut::new(&h, f, now))
            .collect(),
    }))
}

/// `agency` (only its hosts) and `verdict` (only files with it; `none` for files
/// without a certificate).
#[derive(Debug, Deserialize)]
pub struct CertificatesQuery {
    agency: Option<String>,
    verdict: Option<String>,
    #[serde(flatten)]
    unknown: Unknown,
}

/// What `verdict=` may be.
pub const VERDICT_RULE: &str =
    "must be one of valid, expired, not_yet_valid, unknown_ca, invalid, none (no certificate)";

#[derive(Debug, Serialize)]
pub struct Certificates {
    /// Soonest to expire first; files without a certificate last.
    pub certificates: Vec<CertificateFileOut>,
}

/// Every certificate file of the hosts `user` sees (of `agency` when given), soonest
/// to expire first.
pub async fn visible(
    app: &Arc<AppState>,
    user: &crate::store::users::User,
    agency: Option<&str>,
) -> Result<Vec<CertificateFileOut>, ApiError> {
    let hosts: HashMap<String, HostState> = app
        .fleet
        .snapshot()
        .into_iter()
        .filter(|h| user.sees(&h.binding.agency))
        .filter(|h| agency.is_none_or(|a| a == h.binding.agency))
        .map(|h| (h.binding.id.clone(), h))
        .collect();
    let rows = app
        .read_db(|conn| Ok(crate::certificates::list(conn, None)?))
        .await?;
    let now = crate::now_seconds();
    let mut out: Vec<CertificateFileOut> = rows
        .into_iter()
        .filter_map(|f| {
            let h = hosts.get(&f.agent_id)?;
            Some(CertificateFileOut::new(h, f, now))
        })
        .collect();
    out.sort_by(|a, b| {
        a.not_after
            .unwrap_or(f64::MAX)
            .total_cmp(&b.not_after.unwrap_or(f64::MAX))
            .then_with(|| (&a.agency, &a.host, &a.path).cmp(&(&b.agency, &b.host, &b.path)))
    });
    Ok(out)
}

pub async fn list(
    State(app): State<Arc<AppState>>,
    r: super::auth::Reader,
    Params(q): Params<CertificatesQuery>,
) -> Result<Json<Certificates>, ApiError> {
    q.unknown.refuse(|| {
        "unknown parameter; use agency=ID and verdict=valid|expired|not_yet_valid|unknown_ca|invalid|none".into()
    })?;
    if let Some(a) = &q.agency {
        if !app.cfg.agencies.iter().any(|x| &x.id == a) || !r.0.sees(a) {
            return Err(ApiError::not_found(format!(
                "no agency {a:?} among those you can see"
            )));
        }
    }
    let wanted = match q.verdict.as_deref() {
        None => None,
        Some("none") => Some(None),
        Some(v) => match Verdict::parse(v).filter(|v| *v != Verdict::WrongName) {
            Some(v) => Some(Some(v.as_str())),
            None => {
                return Err(ApiError::bad_param(
                    "verdict",
                    format!("{v:?} {VERDICT_RULE}"),
                ))
            }
        },
    };
    let certificates = visible(&app, &r.0, q.agency.as_deref())
        .await?
        .into_iter()
        .filter(|c| wanted.is_none_or(|w| c.verdict == w))
        .collect();
    Ok(Json(Certificates { certificates }))
}
