//! Where the login sends the user afterwards (`next=`): only a path on this server.
//!
//! Browsers are lenient with what they are handed: they drop tabs and line breaks from a
//! URL and read `\` as `/`, so `/\t/evil.example` or `/\evil.example` becomes
//! `//evil.example`, another origin. A target is therefore taken only when, decoded once
//! more, it is one leading `/` followed by no second `/` or `\`, and holds no control
//! character or backslash anywhere; everything else goes to `/`.

/// A same-origin redirect target for `next`, or `/`.
pub fn safe_next(next: Option<&str>) -> String {
    match next {
        Some(n) if is_local_path(n) && is_local_path(&percent_decode(n)) => n.to_owned(),
        _ => "/".to_owned(),
    }
}

fn is_local_path(p: &str) -> bool {
    let mut chars = p.chars();
    chars.next() == Some('/')
        && !matches!(chars.next(), Some('/' | '\\'))
        && !p.chars().any(|c| c.is_control() || c == '\\')
}

/// `%XX` sequences decoded; invalid UTF-8 becomes U+FFFD, a malformed `%` stays as is.
fn percent_decode(s: &str) -> String {
    let b = s.as_bytes();
    let mut out = Vec::with_capacity(b.len());
    let mut i = 0;
    while i < b.len() {
        let hex = |c: u8| char::from(c).to_digit(16);
        match (
            b[i],
            b.get(i + 1).copied().and_then(hex),
            b.get(i + 2).copied().and_then(hex),
        ) {
            (b'%', Some(h), Some(l)) => {
                out.push(u8::try_from(h * 16 + l).unwrap_or(b'?'));
                i += 3;
            }
            (c, _, _) => {
                out.push(c);
                i += 1;
            }
        }
    }
    String::from_utf8_lossy(&out).into_owned()
}

#[cfg(test)]
mod tests {
    use super::safe_next;

    #[test]
    fn open_redirect_after_login_is_refused() {
        for evil in [
            "/\t/evil.example",
            "/%09/evil.example",
            "/\n/evil.example",
            "/%0a/evil.example",
            "//evil.example",
            "/%2F/evil.example",
            "/\\evil.example",
            "/%5Cevil.example",
            "/x\\y",
            "https://evil.example/",
            "evil.example",
            "",
            "/\u{7f}/evil.example",
        ] {
            assert_eq!(safe_next(Some(evil)), "/", "{evil:?}");
        }
        assert_eq!(safe_next(None), "/");
    }

    #[test]
    fn same_origin_paths_are_kept() {
        for ok in [
            "/",
            "/sla?period=2026-10&agency=dinkes",
            "/lan/dinkes?from=1&to=2",
            "/inventory?q=switch%20lantai%202",
        ] {
            assert_eq!(safe_next(Some(ok)), ok);
        }
    }
}
