//! Typed query parameters: each handler declares its parameters as a struct.
//!
//! Two extractors:
//! - [`ApiQuery`]: the struct is `#[serde(deny_unknown_fields)]` and typed; an unknown
//!   or malformed parameter is a 400 with the API's JSON error, `field` = `query`.
//! - [`Params`]: for the endpoints whose answers name the parameter at fault
//!   (`field` = the parameter) and check it at a set point of the handler (after the
//!   agency, say). It never refuses: the fields are the raw strings, which the handler
//!   parses where it always has, and the parameters the struct does not name land in
//!   an [`Unknown`] field (`#[serde(flatten)]`) for the handler to refuse in its own
//!   words, or, without one, are ignored (the web pages' forms). As with a map, the
//!   last of repeated parameters counts.

use std::collections::{BTreeMap, HashMap};

use axum::extract::{FromRequestParts, Query};
use axum::http::request::Parts;
use serde::de::DeserializeOwned;
use serde::Deserialize;

use super::error::ApiError;

/// The query string as `T`.
#[derive(Debug, Clone, Copy, Default)]
pub struct ApiQuery<T>(pub T);

impl<S: Send + Sync, T: DeserializeOwned> FromRequestParts<S> for ApiQuery<T> {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self, ApiError> {
        match Query::<T>::try_from_uri(&parts.uri) {
            Ok(Query(t)) => Ok(Self(t)),
            Err(e) => Err(ApiError::bad_param(
                "query",
                e.body_text()
                    .trim_start_matches("Failed to deserialize query string: ")
                    .to_owned(),
            )),
        }
    }
}

/// The query string as `T`, whose fields are `Option<String>` (and an [`Unknown`]):
/// read as a map of the last value of each name, then as `T`, which cannot fail for
/// such fields (a field of another type that does not parse is a 400 as in
/// [`ApiQuery`]).
#[derive(Debug, Clone, Default)]
pub struct Params<T>(pub T);

impl<S: Send + Sync, T: DeserializeOwned> FromRequestParts<S> for Params<T> {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self, ApiError> {
        let bad = |e: String| ApiError::bad_param("query", e);
        let Query(map) = Query::<HashMap<String, String>>::try_from_uri(&parts.uri)
            .map_err(|e| bad(e.body_text()))?;
        let value = serde_json::to_value(map).map_err(|e| bad(e.to_string()))?;
        serde_json::from_value(value)
            .map(Self)
            .map_err(|e| bad(e.to_string()))
    }
}

/// The parameters a [`Params`] struct does not name, by name.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(transparent)]
pub struct Unknown(BTreeMap<String, String>);

impl Unknown {
    /// A 400 naming the first unknown parameter (`field`) with `rule`, if there is one.
    pub fn refuse(&self, rule: impl FnOnce() -> String) -> Result<(), ApiError> {
        match self.0.keys().next() {
            Some(k) => Err(ApiError::bad_param(k, rule())),
            None => Ok(()),
        }
    }
}

/// The `period` parameter of a [`Params`] struct: none, or a period (`YYYY-MM`,
/// `YYYY-MM-DD`, `YYYY-Qn`, `YYYY`); anything else a 400 naming `period` with the rule.
pub fn period_param(p: Option<&str>) -> Result<Option<crate::period::Period>, ApiError> {
    p.map(|p| {
        crate::period::Period::parse(p).ok_or_else(|| {
            ApiError::bad_param("period", format!("{p:?} {}", crate::period::PERIOD_RULE))
        })
    })
    .transpose()
}

/// A time window of stored rows, from `from`, `to` and `limit` parameters.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Paging {
    /// [`from`, `to`), seconds since the epoch.
    pub from: f64,
    pub to: f64,
    /// Most rows in the answer.
    pub limit: i64,
}

impl Paging {
    /// `from` and `to` (seconds since the epoch; default: the `range` seconds before
    /// now) and `limit` (1 to `max`, default `default_limit`); each bad one a 400
    /// naming it with its rule.
    pub fn param(
        from: Option<f64>,
        to: Option<f64>,
        limit: Option<i64>,
        range: f64,
        default_limit: i64,
        max: i64,
    ) -> Result<Self, ApiError> {
        let to = to.unwrap_or_else(crate::now_seconds);
        let from = from.unwrap_or(to - range);
        for (field, v) in [("from", from), ("to", to)] {
            if !v.is_finite() || v < 0.0 {
                return Err(ApiError::bad_param(
                    field,
                    format!("{v} must be seconds since the epoch, e.g. 1790000000"),
                ));
            }
        }
        if from >= to {
            return Err(ApiError::bad_param(
                "from",
                format!("{from} must be before to ({to})"),
            ));
        }
        let limit = limit.unwrap_or(default_limit);
        if !(1..=max).contains(&limit) {
            return Err(ApiError::bad_param(
                "limit",
                format!("{limit} must be between 1 and {max}"),
            ));
        }
        Ok(Self { from, to, limit })
    }

    /// Cuts `rows` (read with a limit one over [`Self::limit`]) to the limit: whether
    /// there were more.
    pub fn cut<T>(&self, rows: &mut Vec<T>) -> bool {
        let more = rows.len() as i64 > self.limit;
        rows.truncate(self.limit as usize);
        more
    }
}

/// `format=json` (the default) or `format=csv`.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Format {
    #[default]
    Json,
    Csv,
}

impl Format {
    /// The `format` parameter of a [`Params`] struct: none or `json` is JSON, `csv`
    /// CSV, anything else a 400 naming `format`.
    pub fn param(f: Option<&str>) -> Result<Self, ApiError> {
        match f {
            None | Some("json") => Ok(Self::Json),
            Some("csv") => Ok(Self::Csv),
            Some(f) => Err(ApiError::bad_param(
                "format",
                format!("{f:?} must be json or csv"),
            )),
        }
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, reason = "test code")]
    use super::*;
    use axum::http::Request;

    #[derive(Debug, Deserialize)]
    struct Q {
        site: Option<String>,
        format: Option<String>,
        #[serde(flatten)]
        unknown: Unknown,
    }

    #[derive(Debug, Deserialize)]
    struct Form {
        q: Option<String>,
    }

    async fn params<T: DeserializeOwned>(uri: &str) -> T {
        let (mut parts, ()) = Request::get(uri).body(()).unwrap().into_parts();
        Params::<T>::from_request_parts(&mut parts, &())
            .await
            .unwrap()
            .0
    }

    #[tokio::test]
    async fn params_keep_the_raw_strings_and_the_unknown_names() {
        let q: Q = params("/x?site=a%20b&format=xml&zz=1&month=2").await;
        assert_eq!(q.site.as_deref(), Some("a b"));
        assert_eq!(q.format.as_deref(), Some("xml"));
        let e = q.unknown.refuse(|| "unknown".into()).unwrap_err();
        assert_eq!(e.status.as_u16(), 400);
        assert_eq!(e.body.violations[0].field, "month");
        let q: Q = params("/x").await;
        assert!(q.site.is_none() && q.format.is_none());
        q.unknown.refuse(|| unreachable!()).unwrap();
        // the last of repeated parameters counts, as in a map; no value is ""
        let q: Q = params("/x?format=json&format=csv&site").await;
        assert_eq!(q.format.as_deref(), Some("csv"));
        assert_eq!(q.site.as_deref(), Some(""));
        // without an Unknown field, other parameters are ignored
        let f: Form = params("/x?status=ok&q=dinkes&q=bappeda").await;
        assert_eq!(f.q.as_deref(), Some("bappeda"));
    }

    #[test]
    fn format_param_names_format() {
        assert_eq!(Format::param(None).unwrap(), Format::Json);
        assert_eq!(Format::param(Some("json")).unwrap(), Format::Json);
        assert_eq!(Format::param(Some("csv")).unwrap(), Format::Csv);
        let e = Format::param(Some("xml")).unwrap_err();
        assert_eq!(e.body.violations[0].field, "format");
        assert_eq!(e.body.violations[0].rule, "\"xml\" must be json or csv");
    }
}
