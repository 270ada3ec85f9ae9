//! API errors: a status, a JSON body naming what is wrong, and a metric reason.

use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::Json;
use simpul_protocol::{ErrorBody, Violation};

use crate::metrics::RejectReason;

/// An error answer of the API.
#[derive(Debug)]
pub struct ApiError {
    pub status: StatusCode,
    pub reason: RejectReason,
    pub body: ErrorBody,
    /// Seconds for the `Retry-After` header (429, 503).
    pub retry_after: Option<u64>,
}

impl ApiError {
    /// A request body that could not be read: `too_large()` (this endpoint's JSON 413)
    /// when it passed the body limit, whose own rejection is plain text; else 400.
    pub fn unread_body(
        e: &axum::extract::rejection::BytesRejection,
        too_large: impl FnOnce() -> Self,
    ) -> Self {
        if e.status() == StatusCode::PAYLOAD_TOO_LARGE {
            too_large()
        } else {
            Self::new(
                e.status(),
                RejectReason::Malformed,
                format!("cannot read request body: {e}"),
            )
        }
    }

    pub fn new(status: StatusCode, reason: RejectReason, error: impl Into<String>) -> Self {
        Self {
            status,
            reason,
            body: ErrorBody {
                error: error.into(),
                violations: Vec::new(),
            },
            retry_after: None,
        }
    }

    pub fn with_retry_after(mut self, secs: u64) -> Self {
        self.retry_after = Some(secs);
        self
    }

    pub fn with_violations(mut self, violations: Vec<Violation>) -> Self {
        self.body.violations = violations;
        self
    }

    /// A body that is not the JSON `what` expects (400).
    pub fn malformed(what: &str, e: impl std::fmt::Display) -> Self {
        Self::new(
            StatusCode::BAD_REQUEST,
            RejectReason::Malformed,
            format!("malformed {what}: {e}"),
        )
    }

    /// A body with bad values, every one named (422); nothing was stored.
    pub fn invalid(what: &str, violations: Vec<Violation>) -> Self {
        Self::new(
            StatusCode::UNPROCESSABLE_ENTITY,
            RejectReason::Invalid,
            format!(
                "invalid {what}: {} problem(s); nothing was stored",
                violations.len()
            ),
        )
        .with_violations(violations)
    }

    /// The database or a worker failed: retry later (503).
    pub fn unavailable(e: impl std::fmt::Display) -> Self {
        Self::new(
            StatusCode::SERVICE_UNAVAILABLE,
            RejectReason::Unavailable,
            e.to_string(),
        )
    }

    /// The store failed (503): the client learns that, and an error id to quote; the
    /// log gets the id and the database's own text, which may name tables, queries or
    /// servers and is no business of a client's.
    pub fn store(e: impl std::fmt::Display) -> Self {
        let id = crate::store::random_hex(4).unwrap_or_else(|_| {
            format!(
                "{:08x}",
                (crate::now_seconds() * 1000.0) as u64 & 0xffff_ffff
            )
        });
        tracing::error!(error_id = %id, error = %e, "database error");
        Self::new(
            StatusCode::SERVICE_UNAVAILABLE,
            RejectReason::Unavailable,
            format!("the database could not answer (error id {id}); retry later, or quote the id to the collector's administrator"),
        )
        .with_retry_after(5)
    }

    /// A query parameter is unknown or has a bad value (400 naming it).
    pub fn bad_param(field: &str, rule: impl Into<String>) -> Self {
        let rule = rule.into();
        Self::new(
            StatusCode::BAD_REQUEST,
            RejectReason::Invalid,
            format!("invalid {field}: {rule}"),
        )
        .with_violations(vec![Violation {
            field: field.into(),
            rule,
        }])
    }

    pub fn not_found(what: impl Into<String>) -> Self {
        Self::new(StatusCode::NOT_FOUND, RejectReason::Invalid, what)
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let mut resp = (self.status, Json(self.body)).into_response();
        if self.status == StatusCode::UNAUTHORIZED {
            resp.headers_mut().insert(
                "www-authenticate",
                axum::http::HeaderValue::from_static("Bearer"),
            );
        }
        if let Some(secs) = self.retry_after {
            resp.headers_mut()
                .insert("retry-after", axum::http::HeaderValue::from(secs));
        }
        resp
    }
}

#[cfg(test)]
mod tests {
    use super::ApiError;

    #[test]
    fn store_errors_reach_clients_only_as_an_error_id() {
        let e = ApiError::store("no such table: users (SELECT password_hash FROM users)");
        assert_eq!(e.status.as_u16(), 503);
        assert!(!e.body.error.contains("users"), "{}", e.body.error);
        assert!(e.body.error.contains("error id "), "{}", e.body.error);
        assert_eq!(e.retry_after, Some(5));
    }
}
