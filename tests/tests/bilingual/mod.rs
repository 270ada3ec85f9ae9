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

fn locales() -> std::path::PathBuf {
    std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../locales")
}

/// Every message file of a language, one after the other.
fn all_text(lang: &str) -> String {
    let mut out = String::new();
    for f in std::fs::read_dir(locales().join(lang)).unwrap() {
        out += &std::fs::read_to_string(f.unwrap().path()).unwrap();
    }
    out
}

/// The product's own English sentences (of three words or more, from
/// locales/en/*.ftl) that the Indonesian files do not share (as tests/tests/assets.rs
/// reads them).
pub fn english_sentences() -> Vec<String> {
    let (en_text, id_text) = (all_text("en"), all_text("id"));
    let mut out = Vec::new();
    for line in en_text.lines().filter(|l| !l.trim_start().starts_with('#')) {
        let value = line.split_once(" = ").map_or(line, |(_, v)| v);
        let value = value
            .trim()
            .trim_start_matches(['*', '['])
            .trim_start_matches(|c: char| c.is_ascii_lowercase())
            .trim_start_matches(']');
        for part in value.split(['{', '}']).step_by(2) {
            let part = part
                .trim()
                .trim_matches(|c: char| c.is_ascii_punctuation() || c == ' ');
            if part.split_whitespace().count() >= 3 && !id_text.contains(part) {
                out.push(part.to_owned());
            }
        }
    }
    assert!(out.len() > 20, "{out:?}");
    out
}

/// The English words of duties.ftl that a page shows as a whole (a heading, a column,
/// a button: one line, no argument) where the Indonesian differs.
pub fn english_labels() -> Vec<String> {
    let read = |lang: &str| -> std::collections::BTreeMap<String, String> {
        std::fs::read_to_string(locales().join(lang).join("duties.ftl"))
            .unwrap()
            .lines()
            .filter_map(|l| l.split_once(" = "))
            .map(|(k, v)| (k.to_owned(), v.trim().to_owned()))
            .collect()
    };
    let (en, id) = (read("en"), read("id"));
    en.into_iter()
        .filter(|(k, v)| {
            !v.is_empty()
                && !v.contains('{')
                && !k.contains("-csv-")
                && id.get(k).is_some_and(|i| i != v)
        })
        .map(|(_, v)| v)
        .collect()
}

/// A page in Indonesian: `<html lang="id">`, none of the product's English sentences,
/// none of this page family's English labels as an element's text.
pub fn assert_indonesian(page: &str, html: &str) {
    assert!(
        html.contains("<html lang=\"id\">"),
        "{page} is not in Indonesian"
    );
    let mut found: Vec<String> = english_sentences()
        .into_iter()
        .filter(|s| html.contains(s.as_str()))
        .collect();
    found.extend(
        english_labels()
            .into_iter()
            .filter(|s| html.contains(&format!(">{s}<")) || html.contains(&format!(">{s} ")))
            .map(|s| format!(">{s}<")),
    );
    assert!(
        found.is_empty(),
        "{page} in Indonesian has English: {found:?}"
    );
}

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
