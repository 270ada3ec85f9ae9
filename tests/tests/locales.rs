//! The message files (`locales/{id,en}/*.ftl`) are complete (issue 22): each language
//! has the same keys in the same files, every key a page uses is in them, and no file
//! keeps a key no code uses.

#![allow(
    clippy::unwrap_used,
    reason = "test code: a panic is the failure report"
)]

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("..")
}

/// The message keys of each file of a language: file name -> keys.
fn keys(lang: &str) -> BTreeMap<String, BTreeSet<String>> {
    let mut out = BTreeMap::new();
    for e in std::fs::read_dir(root().join("locales").join(lang)).unwrap() {
        let path = e.unwrap().path();
        if path.extension().is_none_or(|x| x != "ftl") {
            continue;
        }
        let text = std::fs::read_to_string(&path).unwrap();
        let set = text
            .lines()
            .filter_map(|l| l.split_once(" ="))
            .map(|(k, _)| k)
            .filter(|k| is_key(k))
            .map(str::to_owned)
            .collect();
        out.insert(
            path.file_stem().unwrap().to_string_lossy().into_owned(),
            set,
        );
    }
    out
}

fn is_key(s: &str) -> bool {
    s.contains('-')
        && s.starts_with(|c: char| c.is_ascii_lowercase())
        && s.bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
}

/// The string literals of the collector's Rust files that use the messages.
fn literals() -> BTreeMap<String, PathBuf> {
    let mut out = BTreeMap::new();
    let mut dirs = vec![root().join("collector/src")];
    while let Some(d) = dirs.pop() {
        for e in std::fs::read_dir(d).unwrap() {
            let p = e.unwrap().path();
            if p.is_dir() {
                dirs.push(p);
            } else if p.extension().is_some_and(|x| x == "rs") {
                let text = std::fs::read_to_string(&p).unwrap();
                // only the files that use the messages (a header name like
                // "user-agent" elsewhere is not a key)
                if !text.contains("i18n") && !text.contains("tr!(") {
                    continue;
                }
                // the i18n module's own tests name a missing key on purpose
                let text = text.split("#[cfg(test)]\nmod tests").next().unwrap();
                for lit in string_literals(text) {
                    out.insert(lit, p.clone());
                }
            }
        }
    }
    out
}

/// The string literals of Rust source: `"..."` with its escapes, raw strings
/// (`r"..."`, `r#"..."#`), not the quote of a char literal (`'"'`) nor comments.
fn string_literals(src: &str) -> Vec<String> {
    let b = src.as_bytes();
    let mut out = Vec::new();
    let mut i = 0;
    while i < b.len() {
        match b[i] {
            b'/' if b.get(i + 1) == Some(&b'/') => {
                while i < b.len() && b[i] != b'\n' {
                    i += 1;
                }
            }
            b'\'' => {
                // a char literal ('"', '\'', '\\') or a lifetime ('a)
                if b.get(i + 1) == Some(&b'\\') && b.get(i + 3) == Some(&b'\'') {
                    i += 4;
                } else if b.get(i + 2) == Some(&b'\'') {
                    i += 3;
                } else {
                    i += 1;
                }
            }
            b'r' if matches!(b.get(i + 1), Some(b'"' | b'#'))
                && (i == 0 || !(b[i - 1].is_ascii_alphanumeric() || b[i - 1] == b'_')) =>
            {
                let mut j = i + 1;
                let mut hashes = 0;
                while b.get(j) == Some(&b'#') {
                    hashes += 1;
                    j += 1;
                }
                if b.get(j) != Some(&b'"') {
                    i += 1;
                    continue;
                }
                let close = format!("\"{}", "#".repeat(hashes));
                let start = j + 1;
                let end = src[start..].find(&close).map_or(b.len(), |e| start + e);
                out.push(src[start..end].to_owned());
                i = end + close.len();
            }
            b'"' => {
                let mut lit = String::new();
                i += 1;
                while i < b.len() && b[i] != b'"' {
                    if b[i] == b'\\' {
                        i += 1;
                    }
                    if let Some(c) = src[i..].chars().next() {
                        lit.push(c);
                        i += c.len_utf8();
                    } else {
                        break;
                    }
                }
                out.push(lit);
                i += 1;
            }
            _ => i += 1,
        }
    }
    out
}

#[test]
fn string_literals_are_read_as_rust_reads_them() {
    let src = "let a = '\"'; t(l, \"key-one\"); // \"not-this\"\nlet b = r#\"raw \"q\" x\"#; f(\"esc \\\" q\", 'x', \"key-two\");";
    assert_eq!(
        string_literals(src),
        ["key-one", "raw \"q\" x", "esc \" q", "key-two"]
    );
}

#[test]
fn both_languages_have_the_same_keys() {
    let (id, en) = (keys("id"), keys("en"));
    assert!(!id.is_empty(), "no message files in locales/id");
    assert_eq!(
        id.keys().collect::<Vec<_>>(),
        en.keys().collect::<Vec<_>>(),
        "the same files in locales/id and locales/en"
    );
    for (file, ids) in &id {
        let ens = &en[file];
        let only_id: Vec<_> = ids.difference(ens).collect();
        let only_en: Vec<_> = ens.difference(ids).collect();
        assert!(
            only_id.is_empty() && only_en.is_empty(),
            "{file}.ftl: only in id: {only_id:?}; only in en: {only_en:?}"
        );
    }
}

#[test]
fn every_key_used_is_defined_and_every_key_defined_is_used() {
    let defined: BTreeSet<String> = keys("en").into_values().flatten().collect();
    // the families of keys: a literal of one (`asset-...`) that no file defines is a
    // key the code uses but no language has
    let families: BTreeSet<&str> = defined.iter().filter_map(|k| k.split('-').next()).collect();
    let lits = literals();
    let missing: Vec<String> = lits
        .iter()
        .filter(|(l, _)| is_key(l) && families.contains(l.split('-').next().unwrap()))
        .filter(|(l, _)| !defined.contains(*l))
        .map(|(l, p)| format!("{l} ({})", p.display()))
        .collect();
    assert!(
        missing.is_empty(),
        "keys used but in no message file: {missing:#?}"
    );
    let unused: Vec<&String> = defined.iter().filter(|k| !lits.contains_key(*k)).collect();
    assert!(unused.is_empty(), "keys no code uses: {unused:?}");
}

#[test]
fn the_glossary_names_the_official_terms() {
    let g = std::fs::read_to_string(root().join("locales/GLOSSARY.md")).unwrap();
    for term in [
        "Perangkat Daerah",
        "Pusat Data",
        "Jaringan Intra",
        "cadangan data",
        "uji pemulihan",
        "diagram jaringan",
        "inventaris aset TIK",
        "ketersediaan layanan",
    ] {
        assert!(g.contains(term), "locales/GLOSSARY.md lacks {term:?}");
    }
}
