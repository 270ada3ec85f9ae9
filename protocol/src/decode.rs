//! Decoding a request body into reports, with errors that name the offending field.

use crate::Report;

/// A body that is not a well-formed report or batch of reports.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{field}: {message}")]
pub struct DecodeError {
    /// JSON path of the problem, e.g. `health.cpu.usage_ratio` or `[3].sequence`;
    /// `.` when the body as a whole is wrong.
    pub field: String,
    /// What serde found, e.g. "invalid type: string \"x\", expected f64".
    pub message: String,
}

/// Decodes one report (a JSON object) or a batch (a JSON array of reports).
pub fn decode_reports(body: &[u8]) -> Result<Vec<Report>, DecodeError> {
    let first = body.iter().find(|b| !b.is_ascii_whitespace()).copied();
    let mut de = serde_json::Deserializer::from_slice(body);
    let result = match first {
        Some(b'[') => serde_path_to_error::deserialize::<_, Vec<Report>>(&mut de),
        Some(b'{') => serde_path_to_error::deserialize::<_, Report>(&mut de).map(|r| vec![r]),
        _ => {
            return Err(DecodeError {
                field: ".".into(),
                message: "body must be a JSON object (one report) or array (a batch)".into(),
            })
        }
    };
    let reports = result.map_err(|e| DecodeError {
        field: e.path().to_string(),
        message: e.inner().to_string(),
    })?;
    de.end().map_err(|e| DecodeError {
        field: ".".into(),
        message: format!("trailing data after the JSON value: {e}"),
    })?;
    Ok(reports)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_the_field_of_a_wrong_type() {
        let body = br#"{"version":1,"agent_id":"a","host":{"hostname":"h"},"sequence":"x"}"#;
        let err = decode_reports(body).unwrap_err();
        assert_eq!(err.field, "sequence");
        assert!(err.message.contains("expected u64"), "{}", err.message);
    }

    #[test]
    fn names_an_unknown_field() {
        let body = br#"{"version":1,"agent_id":"a","host":{"hostname":"h","colour":1}}"#;
        let err = decode_reports(body).unwrap_err();
        assert_eq!(err.field, "host.colour");
        assert!(err.message.contains("unknown field"), "{}", err.message);
    }

    #[test]
    fn rejects_a_scalar_body() {
        let err = decode_reports(b"  42").unwrap_err();
        assert_eq!(err.field, ".");
    }

    #[test]
    fn rejects_trailing_garbage() {
        let err = decode_reports(b"[] []").unwrap_err();
        assert!(err.message.contains("trailing"), "{}", err.message);
    }

    #[test]
    fn decodes_an_empty_batch() {
        assert!(decode_reports(b"[]").unwrap().is_empty());
    }
}
