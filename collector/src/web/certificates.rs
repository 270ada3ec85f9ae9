//! Certificate files on servers on the pages (issue 26): `/certificates`, every file of
//! every host the user sees, soonest to expire first (`?agency=` for one agency's), and
//! a section of the host page: each file's certificate (subject, names, issuer, key),
//! the verdict and why, the expiry in the configured zone and the days left.

use std::sync::Arc;

use axum::extract::State;
use axum::response::Response;
use maud::{html, Markup};
use serde::Deserialize;
use simpul_webcheck::Verdict;

use super::{outside_scope, page, unavailable, word_badge, Tone, Viewer};
use crate::api::certificates::CertificateFileOut;
use crate::api::query::Params;
use crate::api::AppState;
use crate::i18n::t;
use crate::tr;

/// The certificate cell: subject and names, issuer, key, and the rest of the chain.
fn certificate(v: &Viewer, f: &CertificateFileOut) -> Markup {
    let l = v.lang;
    html! {
        @match f.chain.first() {
            None => { (t(l, "certs-no-certificate")) }
            Some(c) if !c.error.is_empty() => { (c.error) }
            Some(c) => {
                (c.subject)
                @if !c.sans.is_empty() { br; small { (c.sans.join(", ")) } }
                br; small { (tr!(l, "certs-issuer", issuer = c.issuer.clone())) }
                br; small { (tr!(l, "certs-key", kind = c.key_type.clone(), bits = v.count(c.key_bits as usize), algorithm = c.signature_algorithm.clone())) }
                @if f.chain.len() > 1 {
                    br; small { (tr!(l, "certs-chain", count = v.count(f.chain.len() - 1))) }
                }
            }
        }
        @if !f.skipped.is_empty() {
            br; small { (tr!(l, "certs-skipped", blocks = f.skipped.join(", "))) }
        }
    }
}

/// The verdict cell: the badge and why, and what the agent could not read.
fn verdict(v: &Viewer, f: &CertificateFileOut) -> Markup {
    let l = v.lang;
    html! {
        @let verdict = f.verdict.and_then(Verdict::parse);
        @match verdict {
            Some(verdict) => { (super::certificate_badge(l, verdict, f.days_to_expiry)) }
            None => { (word_badge(&t(l, "certs-unreadable"), Tone::Bad)) }
        }
        // the dates of an expired or not yet valid one are in the expiry column
        @if !f.reason.is_empty() && !matches!(verdict, Some(Verdict::Expired | Verdict::NotYetValid)) {
            // the verifier's own words (webpki's), as in the log: the badge says it in the
            // page's language
            br; small { code { (f.reason) } }
        }
        // the agent's own words (and the system's error), as in its log
        @if !f.error.is_empty() { br; small { (t(l, "certs-error")) " " code { (f.error) } } }
    }
}

/// The expiry cell: the time in the configured zone and the days left.
fn expiry(v: &Viewer, f: &CertificateFileOut) -> Markup {
    let l = v.lang;
    html! {
        @match (f.not_after, f.days_to_expiry) {
            (Some(na), Some(d)) => {
                (v.time(Some(na)))
                br;
                // whole days: 5.9 days left is "5", 2.1 days ago is "2"
                @if d >= 0.0 {
                    (tr!(l, "certs-days-left", days = v.num(d.floor(), 0)))
                } @else {
                    (tr!(l, "certs-days-ago", days = v.num((-d).floor(), 0)))
                }
            }
            _ => { "-" }
        }
    }
}

/// The table of `files`; with the host column when `hosts`.
fn table(v: &Viewer, files: &[CertificateFileOut], hosts: bool) -> Markup {
    let l = v.lang;
    html! {
        div.scroll {
            table.sortable {
                thead { tr {
                    @if hosts { th scope="col" { (t(l, "certs-col-host")) } }
                    @for key in ["certs-col-file", "certs-col-certificate", "certs-col-verdict", "certs-col-expires", "certs-col-reported"] {
                        th scope="col" { (t(l, key)) }
                    }
                } }
                tbody { @for f in files { tr {
                    @if hosts {
                        td data-label=(t(l, "certs-col-host")) {
                            a href=(format!("/hosts/{}#certificates", f.agent_id)) { (f.host) }
                            br; small { (f.agency) }
                        }
                    }
                    th scope="row" data-label=(t(l, "certs-col-file")) {
                        code { (f.path) }
                        @if !f.name.is_empty() { br; small { (f.name) } }
                    }
                    td data-label=(t(l, "certs-col-certificate")) { (certificate(v, f)) }
                    td data-label=(t(l, "certs-col-verdict")) data-sort=(f.verdict.unwrap_or("")) { (verdict(v, f)) }
                    td data-label=(t(l, "certs-col-expires")) data-sort=(f.not_after.map_or_else(|| "99999999999".to_owned(), |n| n.to_string())) { (expiry(v, f)) }
                    td data-label=(t(l, "certs-col-reported")) data-sort=(f.reported_at) { (v.time(Some(f.reported_at))) }
                } } }
            }
        }
    }
}

/// The host page's section.
pub fn host_section(v: &Viewer, files: &[CertificateFileOut]) -> Markup {
    let l = v.lang;
    html! {
        h2 #certificates { (t(l, "certs-host-title")) }
        @if files.is_empty() {
            p { (t(l, "certs-host-none")) }
        } @else {
            (table(v, files, false))
        }
    }
}

/// `?agency=`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Query {
    agency: Option<String>,
}

/// `GET /certificates` (`?agency=`: one agency's; 404 outside the user's scope).
pub async fn index(
    v: Viewer,
    State(app): State<Arc<AppState>>,
    Params(q): Params<Query>,
) -> Response {
    let l = v.lang;
    if let Some(a) = &q.agency {
        if let Some(r) = outside_scope(&app, &v, a) {
            return r;
        }
    }
    let Ok(files) = crate::api::certificates::visible(&app, &v.user, q.agency.as_deref()).await
    else {
        return unavailable(&v);
    };
    let title = match &q.agency {
        Some(a) => tr!(
            l,
            "certs-agency-title",
            agency = app.cfg.agency_name(a).to_owned()
        ),
        None => t(l, "certs-title"),
    };
    let body = html! {
        p { (tr!(l, "certs-explain", zone = v.zone.abbreviation())) }
        @if files.is_empty() {
            p.note { (t(l, "certs-none")) }
        } @else {
            (table(&v, &files, true))
        }
    };
    page(&v, &title, "Certificates", body)
}
