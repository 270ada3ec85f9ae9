//! `POST /api/v1/reports`: authenticate, bound, decompress, decode, validate, check the
//! binding, commit, acknowledge. Any failure rejects the whole request and writes nothing,
//! with two exceptions, each named in the answer's `refused` (to agents that ask for it):
//! an invalid optional section (inventory, backups, lan, snmp) is refused alone, counted
//! and logged, and the rest of its report stored, so that one odd device on the LAN
//! cannot cost a host its heartbeat (issue 20, finding 7); and backup evidence the agent
//! may not send (another agency's obligation, an undeclared one) is dropped the same way
//! (finding 2). Bidi overrides and noncharacters in a LAN or SNMP section (an agent
//! older than the wire-string rules) are replaced by U+FFFD before it is stored.

use std::io::Read;
use std::net::SocketAddr;
use std::sync::Arc;
use std::time::{Duration, Instant};

use axum::body::Bytes;
use axum::extract::rejection::BytesRejection;
use axum::extract::{ConnectInfo, State};
use axum::http::{HeaderMap, StatusCode};
use axum::Json;
use simpul_protocol::{
    decode_reports, IngestResponse, RefusedSection, Report, Section, Violation,
    ACCEPT_REFUSED_HEADER,
};
use tokio::sync::oneshot;

use super::error::ApiError;
use super::AppState;
use crate::metrics::RejectReason;
use crate::store::writer::Job;
use crate::store::AgentBinding;

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
    if reports.is_empty() {
        return Ok(IngestResponse {
            acknowledged: Vec::new(),
            duplicates: 0,
            refused: Vec::new(),
        });
    }
    if reports.len() > app.cfg.max_batch_reports {
        return Err(ApiError::new(
            StatusCode::PAYLOAD_TOO_LARGE,
            RejectReason::TooLarge,
            format!(
                "batch of {} reports; at most {} (max_batch_reports) per request",
                reports.len(),
                app.cfg.max_batch_reports
            ),
        ));
    }
    let now = crate::now_seconds();
    let batch = reports.len() > 1 || json.iter().find(|b| !b.is_ascii_whitespace()) == Some(&b'[');
    let mut violations = Vec::new();
    let mut refused = Vec::new();
    for (i, r) in reports.iter().enumerate() {
        let prefix = if batch {
            format!("[{i}].")
        } else {
            String::new()
        };
        match r.validate_sections(&app.limits, now) {
            Ok(sections) => {
                refused.extend(sections.into_iter().map(|(section, violations)| {
                    let sequence = r.sequence;
                    let s = RefusedSection {
                        sequence,
                        section,
                        violations,
                    };
                    (i, s)
                }));
            }
            Err(v) => violations.extend(v.into_iter().map(|v| Violation {
                field: format!("{prefix}{}", v.field),
                rule: v.rule,
            })),
        }
    }
    if !violations.is_empty() {
        return Err(ApiError::new(
            StatusCode::UNPROCESSABLE_ENTITY,
            RejectReason::Invalid,
            format!(
                "invalid report: {} violation(s); nothing was stored",
                violations.len()
            ),
        )
        .with_violations(violations));
    }
    for (i, r) in reports.iter().enumerate() {
        let prefix = if batch {
            format!("[{i}].")
        } else {
            String::new()
        };
        check_binding(&binding, r, &prefix)?;
    }
    let mut reports = reports;
    for (i, s) in &refused {
        reports[*i].remove_section(s.section);
    }
    // what an older agent did not replace: bidi overrides, noncharacters
    for r in &mut reports {
        if let Some(lan) = &mut r.lan {
            lan.replace_unsafe_chars();
        }
        r.snmp
            .iter_mut()
            .for_each(simpul_protocol::SnmpPollSummary::replace_unsafe_chars);
    }
    let (evidence_refused, evidence_reasons) = bind_evidence(app, &binding, &mut reports).await?;
    let (reply, rx) = oneshot::channel();
    let job = Job {
        binding,
        reports: reports.into_iter().map(Arc::new).collect(),
        received_at: now,
        reply,
    };
    app.writer
        .send(job)
        .await
        .map_err(|_| ApiError::unavailable("collector is shutting down; retry later"))?;
    let outcome = rx
        .await
        .map_err(|_| ApiError::unavailable("writer stopped before committing; retry later"))?
        .map_err(ApiError::store)?;
    let stored = outcome.acknowledged.len() as u64 - u64::from(outcome.duplicates);
    app.metrics.stored(stored, outcome.duplicates.into());
    // counted once stored: a failed write is retried and would count twice
    for why in evidence_reasons {
        app.metrics.evidence_refused(why);
    }
    for (_, s) in &refused {
        app.metrics.section_refused(s.section);
        let first = s.violations.first();
        // field and rule quote the report: Debug-escaped, as in every ingest log line
        tracing::warn!(
            %peer,
            agent = agent.as_deref().unwrap_or("-"),
            sequence = s.sequence,
            section = s.section.as_str(),
            violations = s.violations.len(),
            field = ?first.map_or("", |v| v.field.as_str()),
            rule = ?first.map_or("", |v| v.rule.as_str()),
            "report section refused; the rest of the report is stored"
        );
    }
    // agents that do not ask for `refused` deny unknown fields in this answer
    let wants_refused = headers
        .get(ACCEPT_REFUSED_HEADER)
        .is_some_and(|v| v.as_bytes() == b"1");
    Ok(IngestResponse {
        acknowledged: outcome.acknowledged,
        duplicates: outcome.duplicates,
        refused: if wants_refused {
            refused
                .into_iter()
                .map(|(_, s)| s)
                .chain(evidence_refused)
                .collect()
        } else {
            Vec::new()
        },
    })
}

/// Drops the backup evidence this agent may not send (see [`crate::backups::bind_evidence`])
/// before anything is stored; the rest of the report (its heartbeat above all) is
/// stored. Each refusal is logged, and returned for the answer and (once stored) the
/// count.
async fn bind_evidence(
    app: &Arc<AppState>,
    binding: &AgentBinding,
    reports: &mut [Report],
) -> Result<(Vec<RefusedSection>, Vec<crate::backups::EvidenceRefusal>), ApiError> {
    if reports.iter().all(|r| r.backups.is_empty()) {
        return Ok((Vec::new(), Vec::new()));
    }
    let a = Arc::clone(app);
    let declared = app
        .read_db(move |conn| crate::backups::declared(conn, &a.cfg))
        .await?;
    let mut out: Vec<RefusedSection> = Vec::new();
    let mut reasons = Vec::new();
    for (i, k, obligation, why) in crate::backups::bind_evidence(&declared, binding, reports) {
        reasons.push(why);
        tracing::warn!(agent = %binding.id, agency = %binding.agency, obligation = ?obligation, reason = why.as_str(), "backup evidence refused (403); the rest of the report is stored");
        let rule = match why {
            crate::backups::EvidenceRefusal::Unknown => {
                format!("obligation {obligation:?} is not declared; its evidence was not stored (403)")
            }
            crate::backups::EvidenceRefusal::OtherAgency => format!(
                "obligation {obligation:?} is not of agency {:?} and does not list this agent in reporters; its evidence was not stored (403)",
                binding.agency
            ),
        };
        let violation = Violation {
            field: format!("backups[{k}].obligation"),
            rule,
        };
        let sequence = reports[i].sequence;
        match out
            .iter_mut()
            .find(|s| s.sequence == sequence && s.section == Section::Backups)
        {
            Some(s) => s.violations.push(violation),
            None => out.push(RefusedSection {
                sequence,
                section: Section::Backups,
                violations: vec![violation],
            }),
        }
    }
    Ok((out, reasons))
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

/// A token may only report for its own agent id, agency, host and site.
fn check_binding(b: &AgentBinding, r: &Report, prefix: &str) -> Result<(), ApiError> {
    let forbidden = |field: &str, claimed: &str, bound: &str| {
        ApiError::new(
            StatusCode::FORBIDDEN,
            RejectReason::Forbidden,
            format!("this token is bound to {field} {bound:?}, the report claims {claimed:?}"),
        )
        .with_violations(vec![Violation {
            field: format!("{prefix}{field}"),
            rule: format!("must be {bound:?} for this token"),
        }])
    };
    if r.agent_id != b.id {
        return Err(forbidden("agent_id", &r.agent_id, &b.id));
    }
    if !r.host.hostname.eq_ignore_ascii_case(&b.host) {
        return Err(forbidden("host.hostname", &r.host.hostname, &b.host));
    }
    if let Some(a) = r.host.agency.as_deref().filter(|a| *a != b.agency) {
        return Err(forbidden("host.agency", a, &b.agency));
    }
    if let Some(s) = r.host.site.as_deref() {
        match &b.site {
            Some(bound) if bound != s => return Err(forbidden("host.site", s, bound)),
            None => return Err(forbidden("host.site", s, "")),
            _ => {}
        }
    }
    Ok(())
}
