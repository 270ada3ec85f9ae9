//! The software inventory on the pages: a section of the host page (the list in
//! short, the kernel and whether a reboot is needed, the newest changes),
//! `/hosts/{id}/software` (every package and every change), and
//! `/inventory/software?name=&below=` (which hosts have a package, or have it below a
//! version).

use std::sync::Arc;

use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::Response;
use maud::{html, Markup};
use serde::Deserialize;

use super::{not_found, page, unavailable, word_badge, Tone, Viewer};
use crate::api::query::Params;
use crate::api::AppState;
use crate::i18n::{number, t};
use crate::software::{Change, Summary};
use crate::tr;

/// Changes shown on the host page; its software page shows up to
/// [`crate::software::MAX_CHANGES`].
pub const HOST_PAGE_CHANGES: usize = 10;

/// A change in the reader's words.
fn change_word(v: &Viewer, c: &Change) -> Markup {
    let (key, tone) = match c.change.as_str() {
        "installed" => ("software-change-installed", Tone::Good),
        "removed" => ("software-change-removed", Tone::Bad),
        "upgraded" => ("software-change-upgraded", Tone::Good),
        "downgraded" => ("software-change-downgraded", Tone::Warn),
        _ => ("software-change-changed", Tone::None),
    };
    word_badge(&t(v.lang, key), tone)
}

/// The changes as a table, newest first.
fn changes_table(v: &Viewer, changes: &[Change]) -> Markup {
    let l = v.lang;
    html! {
        table.sortable {
            thead { tr {
                @for key in ["software-col-time", "software-col-package", "software-col-change", "software-col-old", "software-col-new"] {
                    th scope="col" { (t(l, key)) }
                }
            } }
            tbody { @for c in changes { tr {
                td data-sort=(c.time_seconds) { (v.time(Some(c.time_seconds))) }
                th scope="row" { (c.name) " " span.note { (c.arch) } }
                td { (change_word(v, c)) }
                td { (c.old_version) }
                td { (c.new_version) }
            } } }
        }
    }
}

/// The kernel line: running, newest installed, and whether a reboot is needed.
fn kernel(v: &Viewer, s: &Summary) -> Markup {
    let l = v.lang;
    html! {
        dt { (t(l, "software-kernel")) }
        dd {
            @if s.running_kernel.is_empty() { (t(l, "software-unknown")) } @else { code { (s.running_kernel) } }
            @match s.reboot_needed {
                Some(true) => {
                    " " (word_badge(&t(l, "software-reboot-needed"), Tone::Warn)) " " (tr!(l, "software-newest-kernel", kernel = s.newest_kernel.as_str()))
                    @if let Some(since) = s.reboot_needed_since_seconds {
                        "; " (tr!(l, "software-reboot-needed-since", since = v.time(Some(since))))
                    }
                }
                Some(false) => { " " (word_badge(&t(l, "software-kernel-current"), Tone::Good)) }
                None => {}
            }
        }
    }
}

/// The host page's section.
pub fn host_section(v: &Viewer, agent: &str, s: Option<&Summary>, changes: &[Change]) -> Markup {
    let l = v.lang;
    html! {
        h2 #software { (t(l, "software-title")) }
        @match s {
            None => p.note { (t(l, "software-none")) },
            Some(s) => {
                dl.facts {
                    dt { (t(l, "software-installed")) }
                    dd { a href=(format!("/hosts/{agent}/software")) { (tr!(l, "software-packages", count = s.packages)) } " (" (s.source) ")" }
                    dt { (t(l, "software-as-of")) } dd { (v.time(Some(s.updated_seconds))) }
                    (kernel(v, s))
                }
                @if changes.is_empty() {
                    p.note { (tr!(l, "software-no-changes", since = v.time(Some(s.first_seconds)))) }
                } @else {
                    h3 { (t(l, "software-recent-changes")) }
                    (changes_table(v, changes))
                    p { a href=(format!("/hosts/{agent}/software#changes")) { (t(l, "software-all-changes")) } }
                }
            }
        }
    }
}

/// `GET /hosts/{id}/software`: every package of a host, and every change.
pub async fn host(v: Viewer, State(app): State<Arc<AppState>>, Path(id): Path<String>) -> Response {
    let Some(h) = app
        .fleet
        .snapshot()
        .into_iter()
        .find(|h| h.binding.id == id && v.user.sees(&h.binding.agency))
    else {
        return not_found(&v, "host");
    };
    let agent = h.binding.id.clone();
    let got = app
        .read_db(move |conn| Ok(crate::software::host_view(conn, &agent)?))
        .await;
    let Ok((summary, packages, changes)) = got else {
        return unavailable(&v);
    };
    let l = v.lang;
    let body = html! {
        p { a href=(format!("/hosts/{}", h.binding.id)) { (tr!(l, "software-back", host = h.binding.host.as_str())) } }
        @match &summary {
            None => p.note { (t(l, "software-none")) },
            Some(s) => {
                dl.facts {
                    dt { (t(l, "software-installed")) } dd { (tr!(l, "software-packages", count = s.packages)) " (" (s.source) ")" }
                    dt { (t(l, "software-as-of")) } dd { (v.time(Some(s.updated_seconds))) }
                    (kernel(&v, s))
                }
                h2 #changes { (t(l, "software-changes")) }
                @if changes.is_empty() {
                    p.note { (tr!(l, "software-no-changes", since = v.time(Some(s.first_seconds)))) }
                } @else {
                    (changes_table(&v, &changes))
                }
                h2 #packages { (t(l, "software-list")) }
                table.sortable {
                    caption { (tr!(l, "software-packages", count = packages.len())) }
                    thead { tr { th scope="col" { (t(l, "software-col-package")) } th scope="col" { (t(l, "software-col-version")) } th scope="col" { (t(l, "software-col-arch")) } } }
                    tbody { @for p in &packages { tr { th scope="row" { (p.name) } td { (p.version) } td { (p.arch) } } } }
                }
            }
        }
    };
    page(
        &v,
        &tr!(l, "software-host-title", host = h.binding.host.as_str()),
        "",
        body,
    )
}

/// The parameters of the search page.
#[derive(Debug, Deserialize)]
pub struct SearchForm {
    name: Option<String>,
    below: Option<String>,
}

/// `GET /inventory/software?name=&below=`: the hosts with a package, or with it below a
/// version, by the ordering of each host's package manager.
pub async fn search(
    v: Viewer,
    State(app): State<Arc<AppState>>,
    Params(q): Params<SearchForm>,
) -> Response {
    let l = v.lang;
    let name = q.name.as_deref().map(str::trim).unwrap_or("");
    let below = q.below.as_deref().map(str::trim).filter(|b| !b.is_empty());
    let asked = !name.is_empty() || below.is_some();
    let problem = asked
        .then(|| crate::api::software::search_problem(Some(name), below))
        .flatten();
    let (hits, truncated) = match (asked, problem) {
        (true, None) => {
            match crate::api::software::search_hosts(&app, &v.user, name, below).await {
                Ok((h, truncated)) => (Some(h), truncated),
                Err(_) => return unavailable(&v),
            }
        }
        _ => (None, false),
    };
    let body = html! {
        p { (t(l, "software-search-intro")) }
        form.filters method="get" action="/inventory/software" role="search" {
            label for="name" { (t(l, "software-search-name")) }
            input #name type="search" name="name" value=(name) placeholder="openssl" required;
            label for="below" { (t(l, "software-search-below")) }
            input #below type="text" name="below" value=(below.unwrap_or("")) placeholder="3.0.13";
            button type="submit" { (t(l, "software-search-button")) }
        }
        p.note { (t(l, "software-search-hint")) }
        @if problem.is_some() {
            p.error role="alert" { (t(l, "software-search-bad")) }
        }
        @if let Some(hits) = &hits {
            @if hits.is_empty() {
                p.note { (t(l, "software-search-none")) }
            } @else {
                table.sortable {
                    caption { (tr!(l, "software-search-count", count = hits.len())) }
                    thead { tr {
                        @for key in ["software-col-agency", "software-col-host", "software-col-package", "software-col-version", "software-col-arch", "software-col-since"] {
                            th scope="col" { (t(l, key)) }
                        }
                    } }
                    tbody { @for h in hits { tr {
                        td { (app.cfg.agency_name(&h.agency)) }
                        th scope="row" { a href=(format!("/hosts/{}/software", h.hit.agent_id)) { (h.host) } }
                        td { (h.hit.name) }
                        td { (h.hit.version) " " span.note { (h.hit.source) } }
                        td { (h.hit.arch) }
                        td data-sort=(h.hit.since_seconds) { (v.time(Some(h.hit.since_seconds))) }
                    } } }
                }
                p.note { (tr!(l, "software-search-total", hosts = distinct_hosts(hits), count = number(l, hits.len() as f64, 0))) }
                @if truncated { p.error role="alert" { (t(l, "software-search-truncated")) } }
            }
        }
    };
    let mut r = page(&v, &t(l, "software-search-title"), "Inventory", body);
    if problem.is_some() {
        *r.status_mut() = StatusCode::BAD_REQUEST;
    }
    r
}

fn distinct_hosts(hits: &[crate::api::software::SearchHit]) -> usize {
    let mut ids: Vec<&str> = hits.iter().map(|h| h.hit.agent_id.as_str()).collect();
    ids.sort_unstable();
    ids.dedup();
    ids.len()
}
