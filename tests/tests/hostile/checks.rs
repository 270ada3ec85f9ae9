//! Checks that pages and exports are valid and safe, and the web session to read them
//! with: HTML5 without a parse error or live markup, CSV without a formula, strings
//! without a hostile character.

use std::io::Write as _;
use std::process::{Command, Stdio};

use simpul_e2e::{bin, Collector};

/// One request with the session cookie, without following redirects: (status, body,
/// Set-Cookie and Location headers).
pub fn raw(url: &str, method: &str, cookie: &str, form: &str) -> (u16, String, Vec<String>) {
    let mut c = Command::new("curl");
    c.args(["-s", "-i", "--max-time", "20", "-X", method, url]);
    if !cookie.is_empty() {
        c.args(["-H", &format!("Cookie: {cookie}")]);
    }
    if !form.is_empty() {
        c.args([
            "-H",
            "Content-Type: application/x-www-form-urlencoded",
            "--data-binary",
            form,
        ]);
    }
    let out = c.output().unwrap();
    let text = String::from_utf8_lossy(&out.stdout).into_owned();
    let (head, body) = text.split_once("\r\n\r\n").unwrap_or((&text, ""));
    let code = head
        .split_whitespace()
        .nth(1)
        .and_then(|c| c.parse().ok())
        .unwrap_or(0);
    let headers = head
        .lines()
        .filter_map(|l| l.strip_prefix("set-cookie: ").map(str::to_owned))
        .collect();
    (code, body.to_owned(), headers)
}

pub fn cookie(headers: &[String], name: &str) -> String {
    headers
        .iter()
        .find_map(|h| {
            let v = h.strip_prefix(&format!("{name}="))?;
            Some(v.split(';').next()?.to_owned()).filter(|v| !v.is_empty())
        })
        .unwrap_or_else(|| panic!("no {name} cookie in {headers:?}"))
}

/// A web session of the admin `name` (the login form, its double-submit token).
pub fn login(c: &Collector, name: &str, password: &str) -> String {
    let (_, _, h) = raw(&c.url("/login"), "GET", "", "");
    let csrf = cookie(&h, "simpul_login");
    let form = format!(
        "name={name}&password={}&login_csrf={csrf}&next=/",
        password.replace(' ', "+")
    );
    let (code, _, h) = raw(
        &c.url("/login"),
        "POST",
        &format!("simpul_login={csrf}"),
        &form,
    );
    assert_eq!(code, 303, "login of {name}");
    format!("simpul_session={}", cookie(&h, "simpul_session"))
}

/// HTML5 parse errors of a page, exact ones included (a control character or a
/// noncharacter in the text is one).
pub fn html_errors(html: &str) -> Vec<String> {
    use html5ever::tendril::TendrilSink;
    let opts = html5ever::ParseOpts {
        tokenizer: html5ever::tokenizer::TokenizerOpts {
            exact_errors: true,
            ..Default::default()
        },
        tree_builder: html5ever::tree_builder::TreeBuilderOpts {
            exact_errors: true,
            ..Default::default()
        },
    };
    let dom = html5ever::parse_document(markup5ever_rcdom::RcDom::default(), opts).one(html);
    let mut errors: Vec<String> = dom.errors.borrow().iter().map(|e| e.to_string()).collect();
    live_markup(&dom.document, &mut errors);
    errors
}

/// Elements and attributes of the parsed page that a hostile name could have made
/// live: an inline script that mentions `alert`, an event handler attribute, an
/// `img`, `iframe` or `object` (no page of Simpul has one).
pub fn live_markup(node: &markup5ever_rcdom::Handle, out: &mut Vec<String>) {
    if let markup5ever_rcdom::NodeData::Element { name, attrs, .. } = &node.data {
        let tag = name.local.to_string();
        if ["img", "iframe", "object", "embed"].contains(&tag.as_str()) {
            out.push(format!("a live <{tag}>"));
        }
        if tag == "script" {
            let mut text = String::new();
            for c in node.children.borrow().iter() {
                if let markup5ever_rcdom::NodeData::Text { contents } = &c.data {
                    text += &contents.borrow();
                }
            }
            if text.contains("alert") {
                out.push(format!("a live script: {text}"));
            }
        }
        for a in attrs.borrow().iter() {
            if a.name.local.to_lowercase().starts_with("on") {
                out.push(format!(
                    "an event handler {}=\"{}\" on <{tag}>",
                    a.name.local, a.value
                ));
            }
        }
    }
    for c in node.children.borrow().iter() {
        live_markup(c, out);
    }
}

/// Every cell of a CSV document (RFC 4180: quoted cells may hold commas, quotes and
/// line breaks).
pub fn csv_cells(text: &str) -> Vec<String> {
    let mut cells = Vec::new();
    let mut cell = String::new();
    let mut quoted = false;
    let mut chars = text.chars().peekable();
    while let Some(c) = chars.next() {
        match (quoted, c) {
            (true, '"') if chars.peek() == Some(&'"') => {
                chars.next();
                cell.push('"');
            }
            (true, '"') => quoted = false,
            (true, c) => cell.push(c),
            (false, '"') if cell.is_empty() => quoted = true,
            (false, ',' | '\n') => cells.push(std::mem::take(&mut cell)),
            (false, c) => cell.push(c),
        }
    }
    assert!(!quoted, "an unterminated quoted cell: {text}");
    if !cell.is_empty() {
        cells.push(cell);
    }
    cells
}

/// Whether a spreadsheet would run `cell` as a formula: it starts with `=`, `+`, `-`,
/// `@`, a TAB or a CR and is not a plain decimal number.
pub fn is_formula(cell: &str) -> bool {
    let mut chars = cell.chars();
    let Some(first) = chars.next() else {
        return false;
    };
    let rest = chars.as_str();
    let plain_number = rest
        .chars()
        .all(|c| c.is_ascii_digit() || matches!(c, '.' | 'e' | 'E' | '+' | '-'))
        && rest.chars().any(|c| c.is_ascii_digit());
    matches!(first, '=' | '+' | '-' | '@' | '\t' | '\r') && !plain_number
}

/// Characters a hostile name must never bring through: controls, bidi overrides and
/// isolates, line separators, noncharacters.
pub fn is_hostile_char(c: char) -> bool {
    c.is_control()
        || matches!(c, '\u{2028}'..='\u{202E}' | '\u{2066}'..='\u{2069}' | '\u{FDD0}'..='\u{FDEF}')
        || (c as u32) & 0xFFFE == 0xFFFE
}

/// Every string in a JSON value.
pub fn json_strings<'a>(v: &'a serde_json::Value, out: &mut Vec<&'a str>) {
    match v {
        serde_json::Value::String(s) => out.push(s),
        serde_json::Value::Array(a) => a.iter().for_each(|x| json_strings(x, out)),
        serde_json::Value::Object(o) => o.iter().for_each(|(k, x)| {
            out.push(k);
            json_strings(x, out);
        }),
        _ => {}
    }
}

/// Adds the admin `name` with `password` (`simpul-collector user add`).
pub fn add_admin(c: &Collector, name: &str, password: &str) {
    let mut child = Command::new(bin("simpul-collector"))
        .args([
            "user",
            "add",
            name,
            "--password-stdin",
            "--role",
            "admin",
            "--config",
        ])
        .arg(c.config_path())
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("simpul-collector user add");
    child
        .stdin
        .take()
        .expect("stdin")
        .write_all(format!("{password}\n").as_bytes())
        .expect("password");
    let out = child.wait_with_output().expect("user add");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
}
