//! CSV for the supervision exports (SLA, backups): RFC 4180 quoting.

use std::borrow::Cow;

/// `s` as one CSV field: quoted, with quotes doubled, when it holds a comma, a quote or
/// a line break.
pub fn field(s: &str) -> Cow<'_, str> {
    if s.contains([',', '"', '\n', '\r']) {
        Cow::Owned(format!("\"{}\"", s.replace('"', "\"\"")))
    } else {
        Cow::Borrowed(s)
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn quotes_only_what_needs_it() {
        assert_eq!(super::field("web-01"), "web-01");
        assert_eq!(super::field("Dinas \"A\", B"), "\"Dinas \"\"A\"\", B\"");
    }
}
