//! The collector's layers, checked: every module of `collector/src` belongs to one layer
//! and may import only from its own layer and those below it (docs: issue 21,
//! `docs/architecture.md` once written). Top to bottom:
//!
//! | layer | modules |
//! |---|---|
//! | boot | `main.rs`, `serve.rs`, `user_cli.rs` |
//! | web | `web/` (pages over the API) |
//! | http | `api/` (but `api/ratelimit.rs`), `listener` |
//! | services | `store/writer.rs` (the ingest pipeline), `replica`, `remote_write`, `metrics/` |
//! | domain | `sla/`, `backups/`, `lan/`, `state` |
//! | store | `store/` |
//! | leaf | `config`, `csv`, `tls`, `owner`, `api/ratelimit.rs`, `lib.rs` (`lock`, `now_seconds`, `params!`) |
//!
//! The code does not keep these rules yet: the imports that break them today are listed,
//! one per line, in `collector/layering-debt.txt`. This test fails on any upward import
//! that is not listed (the structure may not get worse), and on a listed one that is
//! gone (the list must shrink with the code, never hide a fixed debt).

#![allow(
    clippy::unwrap_used,
    reason = "test code: a panic is the failure report"
)]

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

const LAYERS: [&str; 7] = ["leaf", "store", "domain", "services", "http", "web", "boot"];

/// The layer of a source file, by its path under `collector/src` (most specific first).
fn layer_of_file(rel: &str) -> usize {
    let rules: &[(&str, &str)] = &[
        ("api/ratelimit.rs", "leaf"),
        ("lib.rs", "leaf"),
        ("config.rs", "leaf"),
        ("csv.rs", "leaf"),
        ("owner.rs", "leaf"),
        ("tls.rs", "leaf"),
        ("store/writer.rs", "services"),
        ("store/", "store"),
        ("sla/", "domain"),
        ("backups/", "domain"),
        ("lan/", "domain"),
        ("state.rs", "domain"),
        ("replica.rs", "services"),
        ("remote_write.rs", "services"),
        ("metrics/", "services"),
        ("api/", "http"),
        ("listener", "http"),
        ("web/", "web"),
        ("main.rs", "boot"),
        ("serve.rs", "boot"),
        ("user_cli.rs", "boot"),
    ];
    let name = rules
        .iter()
        .find(|(prefix, _)| rel.starts_with(prefix))
        .map(|(_, l)| *l)
        .unwrap_or_else(|| panic!("collector/src/{rel} has no layer: add it to layering.rs"));
    LAYERS.iter().position(|l| *l == name).unwrap()
}

/// The layer of an import path below `crate::` (`store::writer::Job` → services).
fn layer_of_path(path: &[&str]) -> Option<usize> {
    let first = *path.first()?;
    let rel = match (first, path.get(1).copied()) {
        ("store", Some("writer")) => "store/writer.rs".to_owned(),
        ("api", Some("ratelimit")) => "api/ratelimit.rs".to_owned(),
        ("listener", _) => "listener".to_owned(),
        (m, _) if Path::new(&src().join(format!("{m}.rs"))).exists() => format!("{m}.rs"),
        (m, _) if src().join(m).is_dir() => format!("{m}/"),
        // an item of lib.rs: crate::lock, crate::now_seconds, crate::params
        _ => "lib.rs".to_owned(),
    };
    Some(layer_of_file(&rel))
}

fn src() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../collector/src")
}

fn rust_files(dir: &Path, out: &mut Vec<PathBuf>) {
    for e in std::fs::read_dir(dir).unwrap() {
        let p = e.unwrap().path();
        if p.is_dir() {
            rust_files(&p, out);
        } else if p.extension().is_some_and(|x| x == "rs") {
            out.push(p);
        }
    }
}

/// The code of a file without its unit tests and comments.
fn code(text: &str) -> String {
    let text = text.split("#[cfg(test)]\nmod tests").next().unwrap_or("");
    text.lines()
        .map(|l| l.split("//").next().unwrap_or(""))
        .collect::<Vec<_>>()
        .join("\n")
}

/// Every `crate::a::b` path in `code`, as its segments, and the items of
/// `use crate::{a, b::c}` groups.
fn crate_paths(code: &str) -> Vec<Vec<String>> {
    let mut out = Vec::new();
    let mut rest = code;
    while let Some(i) = rest.find("crate::") {
        let after = &rest[i + "crate::".len()..];
        // not a longer identifier ending in "crate" (simpul_collector::..., ...)
        let before = rest[..i].chars().last();
        rest = after;
        if before.is_some_and(|c| c.is_alphanumeric() || c == '_') {
            continue;
        }
        if let Some(group) = after.strip_prefix('{') {
            let inner = group.split('}').next().unwrap_or("");
            for item in inner.split(',') {
                let segs: Vec<String> = item
                    .split("::")
                    .map(|s| s.trim().to_owned())
                    .take_while(|s| {
                        !s.is_empty() && s.chars().all(|c| c.is_alphanumeric() || c == '_')
                    })
                    .collect();
                if !segs.is_empty() {
                    out.push(segs);
                }
            }
            continue;
        }
        // segments up to the first that is not all identifier (`now_seconds()`)
        let mut segs: Vec<String> = Vec::new();
        for piece in after.split("::") {
            let id: String = piece
                .chars()
                .take_while(|c| c.is_alphanumeric() || *c == '_')
                .collect();
            if id.is_empty() {
                break;
            }
            let whole = id.len() == piece.len();
            segs.push(id);
            if !whole {
                break;
            }
        }
        if !segs.is_empty() {
            out.push(segs);
        }
    }
    out
}

/// Every upward import today, as "FILE -> crate::MODULE" lines.
fn violations() -> BTreeSet<String> {
    let root = src();
    let mut files = Vec::new();
    rust_files(&root, &mut files);
    let mut found = BTreeSet::new();
    for f in files {
        let rel = f
            .strip_prefix(&root)
            .unwrap()
            .to_string_lossy()
            .into_owned();
        let from = layer_of_file(&rel);
        for path in crate_paths(&code(&std::fs::read_to_string(&f).unwrap())) {
            let segs: Vec<&str> = path.iter().map(String::as_str).collect();
            let Some(to) = layer_of_path(&segs) else {
                continue;
            };
            if to > from {
                let module = match segs.as_slice() {
                    ["store", "writer", ..] => "store::writer".to_owned(),
                    ["api", "ratelimit", ..] => "api::ratelimit".to_owned(),
                    [m, ..] => (*m).to_owned(),
                    [] => continue,
                };
                found.insert(format!(
                    "{rel} -> crate::{module}  ({} imports {})",
                    LAYERS[from], LAYERS[to]
                ));
            }
        }
    }
    found
}

#[test]
fn no_module_imports_from_a_layer_above_it_beyond_the_listed_debt() {
    let debt_file = Path::new(env!("CARGO_MANIFEST_DIR")).join("../collector/layering-debt.txt");
    let listed: BTreeSet<String> = std::fs::read_to_string(&debt_file)
        .unwrap()
        .lines()
        .map(str::trim)
        .filter(|l| !l.is_empty() && !l.starts_with('#'))
        .map(str::to_owned)
        .collect();
    let now = violations();
    let new: Vec<_> = now.difference(&listed).collect();
    let gone: Vec<_> = listed.difference(&now).collect();
    assert!(
        new.is_empty(),
        "imports from a higher layer (see the table in tests/tests/layering.rs); move the code down or the dependency up, do not list it:\n{}",
        new.iter().map(|s| format!("  {s}")).collect::<Vec<_>>().join("\n")
    );
    assert!(
        gone.is_empty(),
        "fixed, remove from collector/layering-debt.txt:\n{}",
        gone.iter()
            .map(|s| format!("  {s}"))
            .collect::<Vec<_>>()
            .join("\n")
    );
    eprintln!(
        "{} upward imports left in collector/layering-debt.txt",
        now.len()
    );
}

#[test]
fn the_import_scanner_reads_paths_and_groups() {
    let paths = crate_paths(
        "use crate::store::writer::Job;\nuse crate::{lan, sla::report};\nlet x = crate::now_seconds();\nsimpul_collector::api::x;",
    );
    assert_eq!(
        paths,
        vec![
            vec!["store", "writer", "Job"],
            vec!["lan"],
            vec!["sla", "report"],
            vec!["now_seconds"],
        ]
    );
    assert_eq!(
        LAYERS[layer_of_path(&["store", "writer"]).unwrap()],
        "services"
    );
    assert_eq!(LAYERS[layer_of_path(&["store", "users"]).unwrap()], "store");
    assert_eq!(LAYERS[layer_of_path(&["lock"]).unwrap()], "leaf");
    assert_eq!(LAYERS[layer_of_path(&["web"]).unwrap()], "web");
    assert_eq!(LAYERS[layer_of_file("api/ratelimit.rs")], "leaf");
}
