//! Reading a page in Bahasa Indonesia and in English (issue 22), for the tests of the
//! SLA, backups and LAN pages: the page in the language asked for by Accept-Language,
//! and none of the product's English words on an Indonesian page. Included by the test
//! files that need it (`mod bilingual;`).

#![allow(dead_code, reason = "each test file that includes it uses some of it")]

use simpul_e2e::curl::curl;
use simpul_e2e::Collector;

/// A browser set to Indonesian, and one set to English.
pub const ID: &str = "Accept-Language: id-ID,id;q=0.9,en;q=0.5";
pub const EN: &str = "Accept-Language: en-US,en;q=0.9";

pub use simpul_e2e::lang::assert_indonesian;

/// A page in English: `<html lang="en">`.
pub fn assert_english(page: &str, html: &str) {
    assert!(
        html.contains("<html lang=\"en\">"),
        "{page} is not in English"
    );
}

/// That `html` holds each of `texts`.
pub fn assert_has(page: &str, html: &str, texts: &[&str]) {
    for t in texts {
        assert!(html.contains(t), "{page} lacks {t:?}:\n{html}");
    }
}

/// `path` read with the session `cookie` and the language header `lang`: its status
/// must be `status`; its body.
pub fn read(c: &Collector, cookie: &str, lang: &str, path: &str, status: u16) -> String {
    let a = curl(&c.url(path), "GET", &[cookie, lang], "");
    assert_eq!(a.status, status, "{path} ({lang}): {}", a.body);
    a.body
}

/// The hidden CSRF token of a page's forms.
pub fn csrf(html: &str) -> String {
    html.split("name=\"csrf\" value=\"")
        .nth(1)
        .and_then(|s| s.split('"').next())
        .unwrap()
        .to_owned()
}

/// A CSV for a spreadsheet in the Indonesian locale (a BOM, `;`, CRLF): its rows.
pub fn indonesian_csv(text: &str) -> Vec<Vec<String>> {
    let body = text
        .strip_prefix('\u{feff}')
        .unwrap_or_else(|| panic!("no byte order mark: {text}"));
    assert!(body.contains("\r\n"), "CRLF lines: {body}");
    // `;` between cells: read as RFC 4180 with the separators swapped
    let swapped: String = body
        .replace("\r\n", "\n")
        .chars()
        .map(|c| match c {
            ';' => ',',
            ',' => ';',
            c => c,
        })
        .collect();
    simpul_e2e::curl::csv_rows(&swapped)
        .into_iter()
        .map(|row| row.into_iter().map(|c| c.replace(';', ",")).collect())
        .collect()
}

/// Logs in two new users: budi, a Diskominfo admin, and ani, of the agency diskominfo;
/// their session cookies.
pub fn two_users(c: &Collector) -> (String, String) {
    c.add_user("budi", &["--role", "admin"], "budi password 2026");
    c.add_user(
        "ani",
        &["--role", "agency", "--agency", "diskominfo"],
        "ani password 2026",
    );
    (
        simpul_e2e::curl::login(c, "budi", "budi password 2026"),
        simpul_e2e::curl::login(c, "ani", "ani password 2026"),
    )
}
