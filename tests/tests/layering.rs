//! The collector's layers, checked: every module of `collector/src` belongs to one layer
//! and may import only from its own layer and those below it (`docs/architecture.md`).
//! Top to bottom:
//!
//! | layer | modules |
//! |---|---|
//! | boot | `main.rs`, `serve.rs`, `user_cli.rs` |
//! | web | `web/` (pages over the API) |
//! | http | `api/` (but `api/ratelimit.rs`), `listener` |
//! | services | `duties`, `ingest/` (the ingest pipeline, its single writer), `replica`, `remote_write`, `metrics/`, `report/` (the PDF and XLSX report) |
//! | domain | `sla/`, `backups/`, `lan/`, `links/`, `traffic/`, `software/`, `websites/`, `certificates/`, `scorecard`, `state` |
//! | store | `store/` |
//! | leaf | `config/`, `period`, `csv`, `tls`, `owner`, `api/ratelimit.rs`, `lib.rs` (`lock`, `now_seconds`, `params!`, `states!`) |
//!
//! A second test finds cycles in the import graph between files (a module and its own
//! parent or children excepted), so that no two modules of a layer import each other
//! either. The scanner reads `crate::`, `super::` and `self::` paths outside unit tests
//! and comments; `docs/architecture.md` explains the layers.

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
        ("config/", "leaf"),
        ("period.rs", "leaf"),
        ("csv.rs", "leaf"),
        ("i18n.rs", "leaf"),
        ("owner.rs", "leaf"),
        ("tls.rs", "leaf"),
        ("store/", "store"),
        ("sla/", "domain"),
        ("backups/", "domain"),
        ("lan/", "domain"),
        ("links/", "domain"),
        ("traffic/", "domain"),
        ("software/", "domain"),
        ("certificates/", "domain"),
        ("websites/", "domain"),
        ("state.rs", "domain"),
        ("scorecard.rs", "domain"),
        ("assets/", "domain"),
        ("duties.rs", "services"),
        ("ingest/", "services"),
        ("replica.rs", "services"),
        ("remote_write.rs", "services"),
        ("metrics/", "services"),
        ("report/", "services"),
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

/// The layer of an import path below `crate::` (`ingest::writer::Job` → services).
fn layer_of_path(path: &[&str]) -> Option<usize> {
    let first = *path.first()?;
    let rel = match (first, path.get(1).copied()) {
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
fn no_module_imports_from_a_layer_above_it() {
    let now = violations();
    assert!(
        now.is_empty(),
        "imports from a higher layer (see the table in tests/tests/layering.rs and docs/architecture.md); move the code down or the dependency up:\n{}",
        now.iter().map(|s| format!("  {s}")).collect::<Vec<_>>().join("\n")
    );
}

/// The module path of a file: `api/auth.rs` → `api::auth`, `api/mod.rs` → `api`.
fn module_of(rel: &str) -> Vec<String> {
    let rel = rel.trim_end_matches(".rs");
    let mut segs: Vec<String> = rel.split('/').map(str::to_owned).collect();
    if segs.last().is_some_and(|l| l == "mod" || l == "lib") {
        segs.pop();
    }
    segs
}

/// The file defining the longest module prefix of `segs` (an item of lib.rs: `lib.rs`).
fn file_of(segs: &[String]) -> String {
    for k in (1..=segs.len()).rev() {
        let base = segs[..k].join("/");
        for f in [format!("{base}.rs"), format!("{base}/mod.rs")] {
            if src().join(&f).is_file() {
                return f;
            }
        }
    }
    "lib.rs".to_owned()
}

/// Every `super::`/`self::` path in `code`, made absolute from the module `at`.
fn relative_paths(code: &str, at: &[String]) -> Vec<Vec<String>> {
    let mut out = Vec::new();
    for start in ["super::", "self::"] {
        let mut rest = code;
        while let Some(i) = rest.find(start) {
            let before = rest[..i].chars().last();
            let tail = &rest[i..];
            rest = &rest[i + start.len()..];
            if before.is_some_and(|c| c.is_alphanumeric() || c == '_' || c == ':') {
                continue; // inside a longer path: counted from its start
            }
            let mut base: Vec<String> = at.to_vec();
            let mut segs: Vec<String> = Vec::new();
            for piece in tail.split("::") {
                let id: String = piece
                    .chars()
                    .take_while(|c| c.is_alphanumeric() || *c == '_')
                    .collect();
                match id.as_str() {
                    "" => break,
                    "super" if segs.is_empty() => {
                        base.pop();
                    }
                    "self" if segs.is_empty() => {}
                    _ => segs.push(id.clone()),
                }
                if id.len() != piece.len() {
                    break;
                }
            }
            base.extend(segs);
            out.push(base);
        }
    }
    out
}

/// The import graph between the library's files, without the edges between a module
/// and its own ancestors (a child uses its parent's items, a parent declares its
/// children): file -> the files it imports from.
fn import_graph() -> std::collections::BTreeMap<String, BTreeSet<String>> {
    let root = src();
    let mut files = Vec::new();
    rust_files(&root, &mut files);
    let mut graph = std::collections::BTreeMap::new();
    for f in files {
        let rel = f
            .strip_prefix(&root)
            .unwrap()
            .to_string_lossy()
            .into_owned();
        if rel == "main.rs" {
            continue; // the binary: above everything, imported by nothing
        }
        let at = module_of(&rel);
        let text = code(&std::fs::read_to_string(&f).unwrap());
        let mut to = BTreeSet::new();
        let paths = crate_paths(&text)
            .into_iter()
            .chain(relative_paths(&text, &at));
        for path in paths {
            let target = file_of(&path);
            let tm = module_of(&target);
            let related = tm.len() <= at.len() && at[..tm.len()] == tm[..]
                || at.len() <= tm.len() && tm[..at.len()] == at[..];
            if !related {
                to.insert(target);
            }
        }
        graph.insert(rel, to);
    }
    graph
}

/// The strongly connected components of more than one file (Tarjan's algorithm).
fn cycles(graph: &std::collections::BTreeMap<String, BTreeSet<String>>) -> Vec<Vec<String>> {
    struct T<'g> {
        g: &'g std::collections::BTreeMap<String, BTreeSet<String>>,
        index: std::collections::HashMap<&'g str, usize>,
        low: std::collections::HashMap<&'g str, usize>,
        stack: Vec<&'g str>,
        on: BTreeSet<&'g str>,
        out: Vec<Vec<String>>,
    }
    fn visit<'g>(t: &mut T<'g>, v: &'g str) {
        let i = t.index.len();
        t.index.insert(v, i);
        t.low.insert(v, i);
        t.stack.push(v);
        t.on.insert(v);
        for w in t.g.get(v).into_iter().flatten() {
            let w = w.as_str();
            if !t.index.contains_key(w) {
                visit(t, w);
                let lw = t.low[w];
                let lv = t.low.get_mut(v).unwrap();
                *lv = (*lv).min(lw);
            } else if t.on.contains(w) {
                let iw = t.index[w];
                let lv = t.low.get_mut(v).unwrap();
                *lv = (*lv).min(iw);
            }
        }
        if t.low[v] == t.index[v] {
            let mut scc = Vec::new();
            loop {
                let w = t.stack.pop().unwrap();
                t.on.remove(w);
                scc.push(w.to_owned());
                if w == v {
                    break;
                }
            }
            if scc.len() > 1 {
                scc.sort();
                t.out.push(scc);
            }
        }
    }
    let mut t = T {
        g: graph,
        index: Default::default(),
        low: Default::default(),
        stack: Vec::new(),
        on: BTreeSet::new(),
        out: Vec::new(),
    };
    for v in graph.keys() {
        if !t.index.contains_key(v.as_str()) {
            visit(&mut t, v);
        }
    }
    t.out
}

#[test]
fn the_import_graph_has_no_cycle_but_parent_and_child() {
    let graph = import_graph();
    // the scanner sees the imports it must (not an empty graph that has no cycle)
    for (from, to) in [
        ("web/pages.rs", "web/duties.rs"),
        ("api/scorecard.rs", "scorecard.rs"),
        ("duties.rs", "replica.rs"),
        ("metrics/mod.rs", "duties.rs"),
    ] {
        assert!(
            graph[from].contains(to),
            "{from} -> {to}: {:?}",
            graph[from]
        );
    }
    assert!(
        !graph["api/auth.rs"].contains("api/mod.rs"),
        "a child uses its parent"
    );
    let found = cycles(&graph);
    assert!(
        found.is_empty(),
        "files that import each other, directly or round a circle (a parent module and its children excepted):\n{}",
        found
            .iter()
            .map(|c| format!("  {}", c.join(" <-> ")))
            .collect::<Vec<_>>()
            .join("\n")
    );
}

#[test]
fn the_cycle_finder_finds_a_circle_and_ignores_a_chain() {
    let g = |edges: &[(&str, &str)]| {
        let mut m: std::collections::BTreeMap<String, BTreeSet<String>> = Default::default();
        for (a, b) in edges {
            m.entry((*a).to_owned())
                .or_default()
                .insert((*b).to_owned());
            m.entry((*b).to_owned()).or_default();
        }
        m
    };
    assert!(cycles(&g(&[("a", "b"), ("b", "c")])).is_empty());
    assert_eq!(
        cycles(&g(&[("a", "b"), ("b", "c"), ("c", "a"), ("c", "d")])),
        vec![vec!["a".to_owned(), "b".to_owned(), "c".to_owned()]]
    );
    assert_eq!(module_of("api/mod.rs"), ["api"]);
    assert_eq!(module_of("api/auth.rs"), ["api", "auth"]);
    assert_eq!(
        relative_paths("use super::error::ApiError;", &module_of("api/auth.rs")),
        vec![vec![
            "api".to_owned(),
            "error".to_owned(),
            "ApiError".to_owned()
        ]]
    );
    assert_eq!(
        file_of(&["api".into(), "error".into(), "ApiError".into()]),
        "api/error.rs"
    );
}

#[test]
fn the_import_scanner_reads_paths_and_groups() {
    let paths = crate_paths(
        "use crate::ingest::writer::Job;\nuse crate::{lan, sla::report};\nlet x = crate::now_seconds();\nsimpul_collector::api::x;",
    );
    assert_eq!(
        paths,
        vec![
            vec!["ingest", "writer", "Job"],
            vec!["lan"],
            vec!["sla", "report"],
            vec!["now_seconds"],
        ]
    );
    assert_eq!(
        LAYERS[layer_of_path(&["ingest", "writer"]).unwrap()],
        "services"
    );
    assert_eq!(LAYERS[layer_of_path(&["store", "users"]).unwrap()], "store");
    assert_eq!(LAYERS[layer_of_path(&["lock"]).unwrap()], "leaf");
    assert_eq!(LAYERS[layer_of_path(&["web"]).unwrap()], "web");
    assert_eq!(LAYERS[layer_of_file("api/ratelimit.rs")], "leaf");
}
