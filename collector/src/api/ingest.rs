//! `POST /api/v1/reports`: rate limits, the token, the body's bounds, decompression and
//! decoding here; validation, the binding checks and the commit in the ingest pipeline
//! ([`crate::ingest`]). Any failure rejects the whole request and writes nothing, with
//! the two exceptions the pipeline names in the answer's `refused` (to agents that ask
//! for it): an invalid optional section, and backup evidence the agent may not send.

use std::io::Read;
use std::net::SocketAddr;
use std::sync::Arc;
use std::time::{Duration, Instant};

use axum::body::Bytes;
use axum::extract::rejection::BytesRejection;
use axum::extract::{ConnectInfo, State};
use axum::http::{HeaderMap, StatusCode};
use axum::Json;
use simpul_protocol::{decode_reports, IngestResponse, Violation, ACCEPT_REFUSED_HEADER};

use super::error::ApiError;
use super::AppState;
use crate::ingest::IngestError;
use crate::metrics::RejectReason;

pub async fn post_reports(
    State(app): State<Arc<AppState>>,
    ConnectInfo(peer): ConnectInfo<SocketAddr>,
    headers: HeaderMap,
    body: Result<Bytes, BytesRejection>,
) -> Result<Json<IngestResponse>, ApiError> {
    let started = Instant::now();
    let mut agent = None;
    let result = ingest(&app, peer, &headers, body, &mut agent).await;
    match &result {
        Ok(_) => app.metrics.ingest_latency(started.elapsed().as_secs_f64()),
        Err(e) => {
            app.metrics.rejected(e.reason);
            // never the token itself: the agent id is enough to find the culprit. The
            // error quotes the body (unknown field names, values): Debug-escaped so that
            // a newline in it cannot forge a log line (issue 20, finding 11)
            tracing::warn!(
                %peer,
                agent = agent.as_deref().unwrap_or("-"),
                status = e.status.as_u16(),
                reason = e.reason.label(),
                error = ?e.body.error,
                "report rejected"
            );
        }
    }
    result.map(Json)
}

pub(super) fn rate_limited(wait: Duration, what: &str) -> ApiError {
    let secs = wait.as_secs_f64().ceil().max(1.0) as u64;
    ApiError::new(
        StatusCode::TOO_MANY_REQUESTS,
        RejectReason::RateLimited,
        format!("too many requests from this {what}; retry in {secs} s"),
    )
    .with_retry_after(secs)
}

async fn ingest(
    app: &Arc<AppState>,
    peer: SocketAddr,
    headers: &HeaderMap,
    body: Result<Bytes, BytesRejection>,
    agent: &mut Option<String>,
) -> Result<IngestResponse, ApiError> {
    // the address limit comes first so that token guessing is throttled too
    app.per_address
        .check(&peer.ip(), Instant::now())
        .map_err(|w| rate_limited(w, "address (rate_limit_per_address)"))?;
    let binding = app.auth.authenticate(headers)?;
    *agent = Some(binding.id.clone());
    app.per_agent
        .check(&binding.id, Instant::now())
        .map_err(|w| rate_limited(w, "agent (rate_limit_per_agent)"))?;
    let max = app.cfg.max_body_bytes;
    let body = body.map_err(|e| ApiError::unread_body(&e, || too_large(max)))?;
    check_content_type(headers)?;
    let json = decompress(headers, &body, max)?;
    let reports = decode_reports(&json).map_err(|e| {
        ApiError::new(
            StatusCode::BAD_REQUEST,
            RejectReason::Malformed,
            format!("malformed report: {e}"),
        )
        .with_violations(vec![Violation {
            field: e.field,
            rule: e.message,
        }])
    })?;
    let now = crate::now_seconds();
    let batch = reports.len() > 1 || json.iter().find(|b| !b.is_ascii_whitespace()) == Some(&b'[');
    let accepted = app
        .ingest
        .submit(binding.clone(), reports, batch, now, peer)
        .await
        .map_err(|e| match e {
            IngestError::TooLarge(m) => {
                ApiError::new(StatusCode::PAYLOAD_TOO_LARGE, RejectReason::TooLarge, m)
            }
            IngestError::Invalid(violations) => ApiError::new(
                StatusCode::UNPROCESSABLE_ENTITY,
                RejectReason::Invalid,
                format!(
                    "invalid report: {} violation(s); nothing was stored",
                    violations.len()
                ),
            )
            .with_violations(violations),
            IngestError::Forbidden { message, violation } => {
                ApiError::new(StatusCode::FORBIDDEN, RejectReason::Forbidden, message)
                    .with_violations(vec![violation])
            }
            IngestError::Unavailable(m) => ApiError::unavailable(m),
            IngestError::Store(e) => ApiError::store(e),
        })?;
    // an agent that probes websites for the collector says which tasks it holds
    let websites = headers
        .get(simpul_protocol::WEBSITES_HEADER)
        .and_then(|v| v.to_str().ok())
        .and_then(|held| {
            app.ingest
                .website_tasks(&binding.agency, &binding.host, held)
        });
    // agents that do not ask for `refused` deny unknown fields in this answer
    let wants_refused = headers
        .get(ACCEPT_REFUSED_HEADER)
        .is_some_and(|v| v.as_bytes() == b"1");
    Ok(IngestResponse {
        acknowledged: accepted.acknowledged,
        duplicates: accepted.duplicates,
        refused: if wants_refused {
            accepted.refused
        } else {
            Vec::new()
        },
        software_resend: wants_refused && accepted.software_resend,
        websites,
    })
}

fn too_large(max: usize) -> ApiError {
    ApiError::new(
        StatusCode::PAYLOAD_TOO_LARGE,
        RejectReason::TooLarge,
        format!(
            "request body larger than {max} bytes (max_body_bytes), compressed or decompressed"
        ),
    )
}

fn check_content_type(headers: &HeaderMap) -> Result<(), ApiError> {
    match headers.get("content-type").and_then(|v| v.to_str().ok()) {
        None => Ok(()),
        Some(ct)
            if ct
                .split(';')
                .next()
                .is_some_and(|m| m.trim().eq_ignore_ascii_case("application/json")) =>
        {
            Ok(())
        }
        Some(ct) => Err(ApiError::new(
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
            RejectReason::UnsupportedEncoding,
            format!("Content-Type {ct:?} not supported; send application/json"),
        )),
    }
}

/// Decompresses gzip or zstd bodies, never past `max` bytes (a small compressed body can
/// expand enormously).
fn decompress(headers: &HeaderMap, body: &Bytes, max: usize) -> Result<Bytes, ApiError> {
    let encoding = headers
        .get("content-encoding")
        .and_then(|v| v.to_str().ok())
        .map(str::trim);
    let bounded = |reader: &mut dyn Read| -> Result<Bytes, ApiError> {
        let mut out = Vec::with_capacity(body.len() * 4);
        reader
            .take(max as u64 + 1)
            .read_to_end(&mut out)
            .map_err(|e| {
                ApiError::new(
                    StatusCode::BAD_REQUEST,
                    RejectReason::Malformed,
                    format!("cannot decompress body: {e}"),
                )
            })?;
        if out.len() > max {
            return Err(too_large(max));
        }
        Ok(out.into())
    };
    match encoding {
        None | Some("") | Some("identity") => Ok(body.clone()),
        Some(e) if e.eq_ignore_ascii_case("gzip") => {
            // the bufread decoder takes exactly the gzip member from the slice, so what
            // is left after it is known: a read::GzDecoder would ignore it silently
            let mut d = flate2::bufread::GzDecoder::new(&body[..]);
            let out = bounded(&mut d)?;
            let rest = d.get_ref().len();
            if rest > 0 {
                return Err(ApiError::new(
                    StatusCode::BAD_REQUEST,
                    RejectReason::Malformed,
                    format!("cannot decompress body: {rest} bytes of trailing data after the end of the gzip stream"),
                ));
            }
            Ok(out)
        }
        Some(e) if e.eq_ignore_ascii_case("zstd") => {
            let mut d = zstd::stream::read::Decoder::new(&body[..]).map_err(|e| {
                ApiError::new(
                    StatusCode::BAD_REQUEST,
                    RejectReason::Malformed,
                    format!("cannot decompress body: {e}"),
                )
            })?;
            bounded(&mut d)
        }
        Some(e) => Err(ApiError::new(
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
            RejectReason::UnsupportedEncoding,
            format!("Content-Encoding {e:?} not supported; use gzip, zstd or none"),
        )),
    }
}
