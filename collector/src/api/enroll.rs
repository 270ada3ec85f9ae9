//! `POST /api/v1/enroll`: an agent exchanges its single-use enrolment code for its
//! token. No other credential: the code is one (about 78 bits, short-lived, once).
//! Rate-limited per source address all the same: guessing cannot succeed, but every
//! attempt is a database lookup and a log line.

use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Instant;

use axum::body::Bytes;
use axum::extract::rejection::BytesRejection;
use axum::extract::{ConnectInfo, State};
use axum::http::StatusCode;
use axum::Json;
use serde::Deserialize;

use super::error::ApiError;
use super::AppState;
use crate::metrics::RejectReason;
use crate::store::enroll::{self, Refused};

/// The largest request body: `{"code": "..."}` is far smaller.
pub const MAX_BODY_BYTES: usize = 4 << 10;
/// Requests at once from one source address: a rollout behind one NAT enrols 20 hosts
/// without waiting.
pub const PER_ADDRESS_BURST: u32 = 20;
/// Then one request every 3 s per source address.
pub const PER_ADDRESS_RATE: f64 = 1.0 / 3.0;

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Body {
    code: String,
}

/// `t` in the configured time zone.
fn when(app: &AppState, t: f64) -> String {
    app.cfg.zone().format(t)
}

pub async fn enroll(
    State(app): State<Arc<AppState>>,
    ConnectInfo(peer): ConnectInfo<SocketAddr>,
    body: Result<Bytes, BytesRejection>,
) -> Result<Json<serde_json::Value>, ApiError> {
    if let Err(wait) = app.enroll_per_address.check(&peer.ip(), Instant::now()) {
        let secs = wait.as_secs_f64().ceil().max(1.0) as u64;
        tracing::warn!(address = %peer.ip(), "enrolment rate-limited");
        return Err(ApiError::new(
            StatusCode::TOO_MANY_REQUESTS,
            RejectReason::RateLimited,
            format!(
                "too many enrolment requests from this address ({PER_ADDRESS_BURST} at once, then one every {} s); retry in {secs} s",
                (1.0 / PER_ADDRESS_RATE).round()
            ),
        )
        .with_retry_after(secs));
    }
    // the body limit's own rejection is plain text: answer with the API's JSON error
    let body = body.map_err(|e| {
        ApiError::unread_body(&e, || {
            ApiError::new(
                StatusCode::PAYLOAD_TOO_LARGE,
                RejectReason::TooLarge,
                format!(
                    "enrolment request larger than {MAX_BODY_BYTES} bytes (expected {{\"code\": \"...\"}})"
                ),
            )
        })
    })?;
    let b: Body = serde_json::from_slice(&body)
        .map_err(|e| ApiError::malformed("enrolment request (expected {\"code\": \"...\"})", e))?;
    let code = enroll::normalize(&b.code);
    if code.len() != 16 || !code.bytes().all(|c| c.is_ascii_alphanumeric()) {
        return Err(ApiError::bad_param(
            "code",
            "16 letters and digits, as printed by simpul-collector agent add --enroll-code \
             (dashes and case do not matter)",
        ));
    }
    let now = crate::now_seconds();
    let answer = app
        .read_db(move |conn| enroll::redeem(conn, &code, now))
        .await?;
    let again = "ask Diskominfo for a new one (simpul-collector agent revoke ID, then agent add --enroll-code)";
    match answer {
        Ok((b, token)) => {
            tracing::info!(agent = %b.id, host = %b.host, agency = %b.agency, "agent enrolled with a code");
            Ok(Json(serde_json::json!({
                "agent_id": b.id,
                "agency": b.agency,
                "host": b.host,
                "site": b.site,
                "token": token,
            })))
        }
        Err(r) => {
            tracing::warn!(reason = ?r, "enrolment code refused");
            let (status, msg) = match r {
                Refused::Unknown => (
                    StatusCode::NOT_FOUND,
                    "unknown enrolment code: check what was typed".to_owned(),
                ),
                Refused::Used { at } => (
                    StatusCode::CONFLICT,
                    format!(
                        "this enrolment code was already used ({}); {again}",
                        when(&app, at)
                    ),
                ),
                Refused::Expired { at } => (
                    StatusCode::GONE,
                    format!("this enrolment code expired ({}); {again}", when(&app, at)),
                ),
                Refused::Revoked => (
                    StatusCode::GONE,
                    format!("the agent of this code was revoked; {again}"),
                ),
            };
            Err(ApiError::new(status, RejectReason::Unauthorized, msg))
        }
    }
}
