//! HTTP as a form-posting browser speaks it, through curl (redirects not followed), for
//! the tests that read pages, CSVs and headers: one request, the login form, and the CSV
//! checks of every export.

use std::process::{Command, Stdio};

use crate::Collector;

/// One answer: status, head and body.
#[derive(Debug)]
pub struct Answer {
    pub status: u16,
    /// The status line and headers, lowercased.
    pub head: String,
    pub body: String,
    /// `name=value` of each Set-Cookie header, as sent.
    pub cookies: Vec<String>,
    /// The Location header, as sent.
    pub location: Option<String>,
}

impl Answer {
    /// The value of cookie `name` this answer sets; panics naming it when there is none.
    pub fn cookie(&self, name: &str) -> String {
        self.cookies
            .iter()
            .find_map(|c| c.strip_prefix(&format!("{name}=")))
            .filter(|v| !v.is_empty())
            .unwrap_or_else(|| panic!("no {name} cookie in {}", self.head))
            .to_owned()
    }

    /// The Retry-After header's seconds, if any.
    pub fn retry_after(&self) -> Option<u64> {
        self.head
            .lines()
            .find_map(|l| l.strip_prefix("retry-after: ")?.trim().parse().ok())
    }
}

/// One request to `url` with extra `headers` (`"Name: value"`) and, when not empty, a
/// form body.
pub fn curl(url: &str, method: &str, headers: &[&str], form: &str) -> Answer {
    let mut args = vec!["--max-time", "20", "-X", method, url];
    for h in headers {
        args.extend(["-H", h]);
    }
    if !form.is_empty() {
        args.extend([
            "-H",
            "Content-Type: application/x-www-form-urlencoded",
            "--data-binary",
            form,
        ]);
    }
    curl_with(&args, b"")
}

/// `curl -s -i` with `args` (the URL, and options such as `--interface` or
/// `--data-binary @-`), `stdin` written to it; its answer.
pub fn curl_with(args: &[&str], stdin: &[u8]) -> Answer {
    use std::io::Write;
    let out = Command::new("curl")
        .args(["-s", "-i"])
        .args(args)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .and_then(|mut child| {
            child.stdin.take().expect("stdin").write_all(stdin)?;
            child.wait_with_output()
        })
        .expect("curl");
    let text = String::from_utf8_lossy(&out.stdout).into_owned();
    // curl -i prints interim answers too ("HTTP/1.1 100 Continue" before
    // a large upload's final answer): the final answer is the one that counts
    let mut rest = text.as_str();
    while rest.starts_with("HTTP/1.1 1") || rest.starts_with("HTTP/2 1") {
        match rest.split_once("\r\n\r\n") {
            Some((_, after)) => rest = after,
            None => break,
        }
    }
    let (head, body) = rest.split_once("\r\n\r\n").unwrap_or((rest, ""));
    let status = head
        .split_whitespace()
        .nth(1)
        .and_then(|c| c.parse().ok())
        .unwrap_or(0);
    let header = |wanted: &str| -> Vec<String> {
        head.lines()
            .filter_map(|l| {
                let (name, value) = l.split_once(':')?;
                name.eq_ignore_ascii_case(wanted)
                    .then(|| value.trim().to_owned())
            })
            .collect()
    };
    let cookies = header("set-cookie")
        .iter()
        .map(|v| v.split(';').next().unwrap_or("").to_owned())
        .collect();
    let location = header("location").into_iter().next();
    Answer {
        status,
        head: head.to_ascii_lowercase(),
        body: body.to_owned(),
        cookies,
        location,
    }
}

/// `s` as an `application/x-www-form-urlencoded` value.
pub fn form_value(s: &str) -> String {
    s.bytes()
        .map(|b| match b {
            b' ' => "+".to_owned(),
            b if b.is_ascii_alphanumeric() || b"-_.~".contains(&b) => char::from(b).to_string(),
            b => format!("%{b:02X}"),
        })
        .collect()
}

/// Posts the login form (with its double-submit token) as `name`, asking to go to
/// `next` (already form-encoded).
pub fn post_login(c: &Collector, name: &str, password: &str, next: &str) -> Answer {
    let token = login_token(c);
    curl(
        &c.url("/login"),
        "POST",
        &[&format!("Cookie: simpul_login={token}")],
        &format!(
            "name={}&password={}&login_csrf={token}&next={next}",
            form_value(name),
            form_value(password)
        ),
    )
}

/// The double-submit token of a fresh login form (its cookie and hidden field).
pub fn login_token(c: &Collector) -> String {
    let form = curl(&c.url("/login"), "GET", &[], "");
    assert_eq!(form.status, 200, "the login form: {}", form.head);
    form.cookie("simpul_login")
}

/// Logs in through the form as `name`; returns the session's `Cookie:` header.
pub fn login(c: &Collector, name: &str, password: &str) -> String {
    let a = post_login(c, name, password, "/");
    assert_eq!(a.status, 303, "login of {name}: {}", a.head);
    format!("Cookie: simpul_session={}", a.cookie("simpul_session"))
}

/// The rows of an RFC 4180 document (quoted cells may hold commas, quotes and line
/// breaks); panics on an unterminated quote.
pub fn csv_rows(text: &str) -> Vec<Vec<String>> {
    let mut rows = Vec::new();
    let (mut row, mut cell) = (Vec::new(), String::new());
    let mut chars = text.chars().peekable();
    let mut quoted = false;
    while let Some(ch) = chars.next() {
        match (quoted, ch) {
            (true, '"') if chars.peek() == Some(&'"') => {
                chars.next();
                cell.push('"');
            }
            (true, '"') => quoted = false,
            (true, ch) => cell.push(ch),
            (false, '"') if cell.is_empty() => quoted = true,
            (false, ',') => row.push(std::mem::take(&mut cell)),
            (false, '\n') => {
                row.push(std::mem::take(&mut cell));
                rows.push(std::mem::take(&mut row));
            }
            (false, ch) => cell.push(ch),
        }
    }
    assert!(!quoted, "an unterminated quoted cell in {text}");
    if !cell.is_empty() || !row.is_empty() {
        row.push(cell);
        rows.push(row);
    }
    rows
}

/// Whether a spreadsheet would run `cell` as a formula (OWASP CSV injection): it starts
/// with `=`, `+`, `-`, `@`, a tab or a carriage return and is not a plain finite decimal
/// (`-inf` and `+NaN` are names to a spreadsheet, not numbers).
pub fn is_formula(cell: &str) -> bool {
    let number = cell
        .bytes()
        .all(|b| b.is_ascii_digit() || matches!(b, b'+' | b'-' | b'.' | b'e' | b'E'))
        && cell.parse::<f64>().is_ok_and(f64::is_finite);
    cell.starts_with(['=', '+', '-', '@', '\t', '\r']) && !number
}
