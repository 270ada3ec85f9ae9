//! The languages of the pages (issue 22): what tells an Indonesian page from an English
//! one in a test.

#![allow(
    clippy::unwrap_used,
    reason = "test code: a panic is the failure report"
)]

/// The product's own English sentences (of three words or more, from
/// locales/en/*.ftl) that the Indonesian files do not share.
pub fn english_sentences() -> Vec<String> {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../locales");
    let mut id_text = String::new();
    let mut en_text = String::new();
    for f in std::fs::read_dir(dir.join("en")).unwrap() {
        let f = f.unwrap().path();
        en_text += &std::fs::read_to_string(&f).unwrap();
        id_text += &std::fs::read_to_string(dir.join("id").join(f.file_name().unwrap())).unwrap();
    }
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

/// A page in Indonesian carries none of the product's English sentences.
pub fn assert_indonesian(page: &str, html: &str) {
    let found: Vec<String> = english_sentences()
        .into_iter()
        .filter(|s| html.contains(s.as_str()))
        .collect();
    assert!(
        found.is_empty(),
        "{page} in Indonesian has English: {found:?}"
    );
}
