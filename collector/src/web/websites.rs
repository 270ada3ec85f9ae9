//! The websites pages (issue 26): `/websites`, every declared site the user sees,
//! agency by agency; `/websites/{agency}`, one agency's: each site's state and reason,
//! response time by phase, certificate (verdict, expiry in the configured zone, days
//! left, issuer) and the official-domain rule, from the collector's newest probe.

use std::collections::HashMap;
use std::sync::Arc;

use axum::extract::{Path, State};
use axum::response::Response;
use maud::{html, Markup};
use simpul_webcheck::{Check, State as SiteState, Verdict};

use super::{badge, outside_scope, page, unavailable, Badge, Tone, Viewer};
use crate::api::AppState;
use crate::config::websites::Website;
use crate::i18n::t;
use crate::tr;
use crate::websites::checks::{self, COLLECTOR};
use crate::websites::domain_rule;

impl Badge for SiteState {
    fn key(&self) -> &'static str {
        crate::websites::state_key(*self)
    }
    fn tone(&self) -> Tone {
        if self.is_up() {
            Tone::Good
        } else {
            Tone::Bad
        }
    }
}

impl Badge for Verdict {
    fn key(&self) -> &'static str {
        crate::websites::certificate_key(*self)
    }
    fn tone(&self) -> Tone {
        match self {
            Verdict::Valid => Tone::Good,
            _ => Tone::Bad,
        }
    }
}

const COLUMNS: [&str; 7] = [
    "websites-col-site",
    "websites-col-state",
    "websites-col-availability",
    "websites-col-response",
    "websites-col-certificate",
    "websites-col-domain",
    "websites-col-checked",
];

/// Seconds as milliseconds with the unit.
fn ms(v: &Viewer, s: f64) -> String {
    format!("{} ms", v.num(s * 1000.0, 0))
}

/// The response time cell: the total, and each phase (TLS only for https); a dash
/// when no answer came (a failed connection is not a 0 ms answer).
fn response(v: &Viewer, c: &Check) -> Markup {
    let l = v.lang;
    let p = c.phases;
    if c.status.is_none() {
        return html! { "–" };
    }
    html! {
        (ms(v, c.total_seconds))
        br;
        small {
            (t(l, "websites-phase-dns")) " " (ms(v, p.dns_seconds)) " · "
            (t(l, "websites-phase-connect")) " " (ms(v, p.connect_seconds)) " · "
            @if c.tls().is_some() {
                (t(l, "websites-phase-tls")) " " (ms(v, p.tls_seconds)) " · "
            }
            (t(l, "websites-phase-first-byte")) " " (ms(v, p.first_byte_seconds))
        }
    }
}

/// The certificate cell: verdict, expiry and whole days left (from now), issuer; for an
/// https site without a handshake, that it is not known.
fn certificate(v: &Viewer, site: &Website, c: &Check) -> Markup {
    let l = v.lang;
    match c.tls() {
        None if site.url.starts_with("https:") => html! { (t(l, "websites-cert-unknown")) },
        None => html! { (t(l, "websites-cert-none")) },
        Some(tls) => {
            // whole days: 5.9 days left is 5, 2.1 days ago is 2
            let d = (tls.not_after as f64 - crate::now_seconds()) / 86_400.0;
            html! {
                (super::certificate_badge(l, tls.verdict, Some(d)))
                br;
                (tr!(l, "websites-cert-expires", time = v.time(Some(tls.not_after as f64))))
                br;
                @if d >= 0.0 {
                    (tr!(l, "websites-cert-days-left", days = v.num(d.floor(), 0)))
                } @else {
                    (tr!(l, "websites-cert-days-ago", days = v.num((-d).floor(), 0)))
                }
                @if let Some(leaf) = tls.leaf() {
                    br;
                    small { (tr!(l, "websites-cert-issuer", issuer = leaf.issuer.clone())) }
                }
            }
        }
    }
}

/// The availability cell: the ratio over the site's current period (its SLA class's,
/// else the month), the verdict against the class, and the period.
fn availability(
    v: &Viewer,
    app: &AppState,
    site: &Website,
    status: Option<&crate::websites::WebsiteStatus>,
) -> Markup {
    let l = v.lang;
    let period =
        crate::websites::availability::default_period(&app.cfg, site, crate::now_seconds());
    let ratio = status.and_then(|s| s.availability_ratio);
    html! {
        td data-sort=(ratio.unwrap_or(-1.0)) {
            (v.percent(ratio, 3))
            @if let Some(verdict) = status.and_then(|s| s.verdict) {
                " " (badge(l, &verdict))
            }
            br;
            small { (tr!(l, "websites-availability-period", period = period.to_string())) }
        }
    }
}

/// The table of `sites` with their newest probes.
fn table(
    v: &Viewer,
    app: &AppState,
    sites: &[&Website],
    newest: &HashMap<String, Check>,
    agents: &HashMap<(String, String), Check>,
    statuses: &HashMap<String, crate::websites::WebsiteStatus>,
) -> Markup {
    let l = v.lang;
    html! {
        div.scroll {
            table.sortable {
                thead { tr { @for key in COLUMNS { th scope="col" { (t(l, key)) } } } }
                tbody { @for w in sites {
                    @let c = newest.get(&w.id);
                    @let rule = domain_rule(&app.cfg.official_domains, w, c);
                    tr {
                        th scope="row" data-sort=(w.display_name()) {
                            (w.display_name()) br; small { (w.url) }
                        }
                        @match c {
                            None => {
                                td data-sort="" { (t(l, "websites-not-probed")) }
                                td { "-" } td { "-" } td { "-" }
                            }
                            Some(c) => {
                                td data-sort=(c.state.as_str()) {
                                    (badge(l, &c.state))
                                    // the prober's own words (and the system's error), as
                                    // they are in the log: the badge says it in the page's
                                    // language
                                    @if !c.reason.is_empty() { br; small { code { (c.reason) } } }
                                    // the agents of probe_from: how the site answers them
                                    @for e in &w.probe_from {
                                        @let name = crate::config::websites::prober_of(&w.agency, e)
                                            .map(|(a, h)| crate::config::websites::prober_name(a, h));
                                        @if let Some(a) = name.and_then(|n| agents.get(&(w.id.clone(), n))) {
                                            br;
                                            small {
                                                (tr!(l, "websites-from-agent", host = e.as_str())) " "
                                                (badge(l, &a.state)) " " (ms(v, a.total_seconds)) ", "
                                                (v.time(Some(a.started_at)))
                                            }
                                        }
                                    }
                                }
                                (availability(v, app, w, statuses.get(&w.id)))
                                td data-sort=(c.total_seconds) { (response(v, c)) }
                                td data-sort=(c.tls().map_or(f64::MAX, |t| t.days_to_expiry)) { (certificate(v, w, c)) }
                            }
                        }
                        td {
                            @match rule.official {
                                None => { (t(l, "websites-domain-not-checked")) }
                                Some(true) => { (super::word_badge(&t(l, "websites-domain-official"), Tone::Good)) }
                                Some(false) => {
                                    (super::word_badge(&t(l, "websites-domain-outside"), Tone::Bad))
                                    @if let Some(why) = rule.why(&app.cfg.official_domains) {
                                        br; small { (why.render(l)) }
                                    }
                                }
                            }
                        }
                        td { (v.time(c.map(|c| c.started_at))) }
                    }
                } }
            }
        }
    }
}

/// `GET /websites` (every agency the user sees) and `/websites/{agency}`.
async fn render(v: Viewer, app: Arc<AppState>, only: Option<String>) -> Response {
    let l = v.lang;
    // the collector's newest probe of each site; the agents' (probe_from) by site and host
    let (newest, agents) = match app.read_db(|conn| Ok(checks::newest(conn)?)).await {
        Ok(rows) => {
            let (mine, theirs): (Vec<_>, Vec<_>) =
                rows.into_iter().partition(|n| n.prober == COLLECTOR);
            (
                mine.into_iter()
                    .map(|n| (n.website, n.check))
                    .collect::<HashMap<_, _>>(),
                theirs
                    .into_iter()
                    .map(|n| ((n.website, n.prober), n.check))
                    .collect::<HashMap<_, _>>(),
            )
        }
        Err(_) => return unavailable(&v),
    };
    // each site's availability over its current period, as the duty engine last
    // evaluated it (the scorecard's figures)
    let statuses: HashMap<String, crate::websites::WebsiteStatus> = app
        .duties
        .current()
        .websites
        .iter()
        .map(|s| (s.website.clone(), s.clone()))
        .collect();
    let agencies: Vec<&crate::config::Agency> = app
        .cfg
        .agencies
        .iter()
        .filter(|a| v.user.sees(&a.id))
        .filter(|a| only.as_ref().is_none_or(|o| o == &a.id))
        .collect();
    let groups: Vec<(&crate::config::Agency, Vec<&Website>)> = agencies
        .into_iter()
        .map(|a| {
            (
                a,
                app.cfg
                    .websites
                    .iter()
                    .filter(|w| w.agency == a.id)
                    .collect::<Vec<_>>(),
            )
        })
        .filter(|(_, s)| !s.is_empty())
        .collect();
    let title = match &only {
        Some(a) => tr!(
            l,
            "websites-agency-title",
            agency = app.cfg.agency_name(a).to_owned()
        ),
        None => t(l, "websites-title"),
    };
    let body = html! {
        p { (tr!(l, "websites-explain", zone = v.zone.abbreviation())) }
        @if groups.is_empty() {
            p.note { (t(l, "websites-none")) }
        }
        @for (a, sites) in &groups {
            @if only.is_none() {
                h2 { a href=(format!("/websites/{}", a.id)) { (a.display_name()) } }
            }
            (table(&v, &app, sites, &newest, &agents, &statuses))
        }
    };
    page(&v, &title, "Websites", body)
}

/// `GET /websites`.
pub async fn index(v: Viewer, State(app): State<Arc<AppState>>) -> Response {
    render(v, app, None).await
}

/// `GET /websites/{agency}`: 404 for an agency the user may not see.
pub async fn agency(
    v: Viewer,
    State(app): State<Arc<AppState>>,
    Path(agency): Path<String>,
) -> Response {
    if let Some(r) = outside_scope(&app, &v, &agency) {
        return r;
    }
    render(v, app, Some(agency)).await
}
