//! The languages of the pages (issue 22): what tells an Indonesian page from an English
//! one in a test.

#![allow(
    clippy::unwrap_used,
    reason = "test code: a panic is the failure report"
)]

use std::collections::BTreeMap;
use std::path::PathBuf;

fn locales() -> PathBuf {
    std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../locales")
}

/// The messages of a language's files: key -> value (one-line values whole).
fn messages(lang: &str) -> BTreeMap<String, String> {
    let mut out = BTreeMap::new();
    for f in std::fs::read_dir(locales().join(lang)).unwrap() {
        for line in std::fs::read_to_string(f.unwrap().path()).unwrap().lines() {
            if let Some((k, v)) = line.split_once(" = ") {
                out.insert(k.to_owned(), v.trim().to_owned());
            }
        }
    }
    out
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
/// locales/en/*.ftl) that the Indonesian files do not share.
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

/// The product's English labels (a heading, a column, a button, a state's word: a
/// whole one-line message without arguments) whose Indonesian differs; CSV column names
/// and the report's texts are not shown on pages.
pub fn english_labels() -> Vec<String> {
    let (en, id) = (messages("en"), messages("id"));
    en.into_iter()
        .filter(|(k, v)| {
            !v.is_empty()
                && !v.contains('{')
                && !k.contains("csv-")
                && !k.starts_with("report-")
                && id.get(k).is_some_and(|i| i != v)
        })
        .map(|(_, v)| v)
        .collect()
}

/// A page in Indonesian: `<html lang="id">`, none of the product's English sentences,
/// and none of its English labels as an element's text.
pub fn assert_indonesian(page: &str, html: &str) {
    assert!(
        html.contains("<html lang=\"id\">"),
        "{page} is not in Indonesian"
    );
    let mut found: Vec<String> = english_sentences()
        .into_iter()
        .filter(|s| html.contains(s.as_str()))
        .collect();
    // names of columns, keys and commands (`<code>location</code>`) are the same in
    // both languages
    let mut shown = String::new();
    let mut rest = html;
    while let Some(i) = rest.find("<code>") {
        shown += &rest[..i];
        rest = rest[i..].split_once("</code>").map_or("", |(_, r)| r);
    }
    shown += rest;
    let html = shown.as_str();
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
