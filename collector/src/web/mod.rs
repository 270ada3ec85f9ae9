//! The web pages: server-rendered HTML (maud templates, escaped by default), no
//! JavaScript framework; one small script sorts tables. Every page needs a login; an
//! agency user sees only their agency, filtered here on the server, and gets 404 for
//! other agencies' objects.
//!
//! Sessions: a random 256-bit id in an HttpOnly, SameSite=Strict cookie (Secure under
//! TLS), stored as its hash, a new id at every login (no fixation), 12 h absolute and
//! 60 min idle expiry. Every state-changing form carries the session's CSRF token; the
//! login form a double-submit token of its own. Failed logins are refused per address
//! and per (name, address), slowed per name, and counted in
//! `simpul_web_login_attempts_total`; password verifications are bounded in number.

mod assets;
mod certificates;
mod duties;
mod format;
mod host_health;
mod interfaces;
mod links;
mod pages;
mod redirect;
mod session;
mod software;
mod websites;

use std::sync::Arc;

use axum::http::{header, HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::Router;
use maud::{html, Markup, PreEscaped, DOCTYPE};

use crate::api::AppState;
use crate::i18n::{t, Lang};
pub use session::{session_user, LoginLimits, Throttled, Viewer, UNKNOWN_USER};

/// The pages' routes, merged into the API's router.
pub fn routes() -> Router<Arc<AppState>> {
    Router::new()
        .route("/", get(pages::scorecard))
        .route("/scorecard.csv", get(pages::scorecard_csv))
        .route("/agencies/{agency}", get(pages::agency))
        .route("/hosts/{id}", get(pages::host))
        .route("/hosts/{id}/software", get(software::host))
        .route("/sla", get(duties::sla))
        .route("/sla.csv", get(duties::sla_csv))
        .route("/backups", get(duties::backups))
        .route("/backups.csv", get(duties::backups_csv))
        .route("/lan", get(duties::lan_index))
        .route("/lan/{agency}", get(duties::lan))
        .route("/lan/{agency}/ack", post(duties::lan_ack))
        .route("/links", get(links::index))
        .route("/links/{id}", get(links::link))
        .route("/interfaces", get(interfaces::index))
        .route("/interfaces/{id}", get(interfaces::interface))
        .route("/websites", get(websites::index))
        .route("/websites/{agency}", get(websites::agency))
        .route("/certificates", get(certificates::index))
        .route("/inventory", get(assets::inventory))
        .route("/inventory.csv", get(assets::inventory_csv))
        .route("/inventory/software", get(software::search))
        .route(
            "/inventory/import",
            get(assets::import_form)
                .post(assets::import_post)
                // the file, and on applying it base64 in a form field
                .layer(axum::extract::DefaultBodyLimit::max(
                    crate::assets::import::MAX_BYTES * 3,
                )),
        )
        .route("/assets/{id}", get(assets::asset).post(assets::asset_save))
        .route("/login", get(session::login_form).post(session::login))
        .route("/logout", post(session::logout))
        .route("/language", post(session::language))
        .route("/static/simpul.css", get(css))
        .route("/static/simpul.js", get(js))
        .fallback(fallback)
}

const CSS: &str = include_str!("simpul.css");
const JS: &str = include_str!("simpul.js");

/// The pages' stylesheet. The LAN diagram carries its colours as presentation
/// attributes (lan/svg.rs), which page rules would override: none are added for it.
async fn css() -> Response {
    static_file("text/css; charset=utf-8", CSS)
}

async fn js() -> Response {
    static_file("text/javascript; charset=utf-8", JS)
}

fn static_file(kind: &'static str, body: &'static str) -> Response {
    (
        [
            (header::CONTENT_TYPE, kind),
            (header::CACHE_CONTROL, "public, max-age=3600"),
        ],
        body,
    )
        .into_response()
}

/// Headers every page carries: no caching of private data, no framing, a strict
/// content security policy (own scripts and styles only; inline SVG images allowed).
fn page_headers() -> [(header::HeaderName, &'static str); 5] {
    [
        (header::CONTENT_TYPE, "text/html; charset=utf-8"),
        (header::CACHE_CONTROL, "no-store"),
        (header::X_FRAME_OPTIONS, "DENY"),
        (header::X_CONTENT_TYPE_OPTIONS, "nosniff"),
        (
            header::CONTENT_SECURITY_POLICY,
            "default-src 'none'; style-src 'self'; script-src 'self'; img-src 'self' data:; form-action 'self'; frame-ancestors 'none'; base-uri 'none'",
        ),
    ]
}

/// The navigation entries: (path, label the pages name as active, message key).
const NAV: [(&str, &str, &str); 9] = [
    ("/", "Scorecard", "nav-scorecard"),
    ("/sla", "SLA", "nav-sla"),
    ("/backups", "Backups", "nav-backups"),
    ("/inventory", "Inventory", "nav-inventory"),
    ("/lan", "LAN", "nav-lan"),
    ("/links", "Links", "nav-links"),
    ("/interfaces", "Interfaces", "nav-interfaces"),
    ("/websites", "Websites", "nav-websites"),
    ("/certificates", "Certificates", "nav-certificates"),
];

/// A whole page: header with navigation and the user, `body` in <main>.
fn page(v: &Viewer, title: &str, active: &str, body: Markup) -> Response {
    let l = v.lang;
    let scope = match v.user.agency() {
        Some(a) => crate::tr!(
            l,
            "user-scope-agency",
            name = v.user.name.as_str(),
            agency = a
        ),
        None => crate::tr!(l, "user-scope-admin", name = v.user.name.as_str()),
    };
    let other = match l {
        Lang::Id => Lang::En,
        Lang::En => Lang::Id,
    };
    let markup = html! {
        (DOCTYPE)
        html lang=(l.tag()) {
            head {
                meta charset="utf-8";
                meta name="viewport" content="width=device-width, initial-scale=1";
                title { (title) " · Simpul" }
                link rel="stylesheet" href="/static/simpul.css";
                script src="/static/simpul.js" defer {}
            }
            body {
                a.skip href="#main" { (t(l, "skip-link")) }
                header {
                    nav aria-label="Main" {
                        span.brand { "Simpul" }
                        ul {
                            @for (href, label, key) in NAV {
                                li {
                                    @if label == active {
                                        a href=(href) aria-current="page" { (t(l, key)) }
                                    } @else {
                                        a href=(href) { (t(l, key)) }
                                    }
                                }
                            }
                        }
                    }
                    form.language method="post" action="/language" {
                        input type="hidden" name="csrf" value=(v.csrf);
                        input type="hidden" name="lang" value=(other.as_str());
                        button type="submit" lang=(other.tag()) title=(t(l, "language-switch")) { (other.own_name()) }
                    }
                    form.logout method="post" action="/logout" {
                        span { (scope) }
                        input type="hidden" name="csrf" value=(v.csrf);
                        button type="submit" { (t(l, "logout")) }
                    }
                }
                div.print-header {
                    strong { (if v.organisation.is_empty() { "Simpul" } else { v.organisation.as_str() }) }
                    span { (title) }
                    span.printed { (crate::tr!(l, "printed-by", time = v.time(Some(crate::now_seconds())), name = v.user.name.as_str())) }
                }
                main #main {
                    h1 { (title) }
                    (body)
                }
                footer {
                    (crate::tr!(l, "footer", zone = v.zone_name.as_str(), version = env!("CARGO_PKG_VERSION")))
                }
            }
        }
    };
    (page_headers(), markup.into_string()).into_response()
}

/// A page-level error in the page's frame (404 for objects the user may not see).
fn error_page(v: &Viewer, status: StatusCode, message: &str) -> Response {
    let mut r = page(
        v,
        &t(
            v.lang,
            if status == StatusCode::NOT_FOUND {
                "error-not-found"
            } else {
                "error-title"
            },
        ),
        "",
        html! { p.error role="alert" { (message) } p { a href="/" { (t(v.lang, "error-back")) } } },
    );
    *r.status_mut() = status;
    r
}

/// 404 for another agency's object: the same answer as for one that does not exist.
fn not_found(v: &Viewer, what: &str) -> Response {
    let key = match what {
        "agency" => "error-no-agency",
        "host" => "error-no-host",
        "asset" => "error-no-asset",
        _ => "error-no-page",
    };
    error_page(v, StatusCode::NOT_FOUND, &t(v.lang, key))
}

/// The answer for a path nothing serves: for a browser asking for a page, the 404 page
/// in the user's language (a browser not logged in is sent to the login page first);
/// for `/api/` paths and programs (a bearer token, no cookie, no HTML wanted), the API's
/// JSON 404.
async fn fallback(
    axum::extract::State(app): axum::extract::State<Arc<AppState>>,
    mut parts: axum::http::request::Parts,
) -> Response {
    use axum::extract::FromRequestParts;
    let h = &parts.headers;
    let wants_page = !parts.uri.path().starts_with("/api/")
        && !h.contains_key(header::AUTHORIZATION)
        && (h.contains_key(header::COOKIE)
            || h.get(header::ACCEPT)
                .and_then(|a| a.to_str().ok())
                .is_some_and(|a| a.contains("text/html")));
    if !wants_page {
        return crate::api::not_found().into_response();
    }
    match Viewer::from_request_parts(&mut parts, &app).await {
        Ok(v) => not_found(&v, "page"),
        Err(r) => r,
    }
}

/// The 404 page when the user may not see `agency` or collector.toml does not declare
/// it: the API's agency scope (`api::scope::check`).
fn outside_scope(app: &AppState, v: &Viewer, agency: &str) -> Option<Response> {
    crate::api::scope::check(&v.user, &app.cfg, agency)
        .err()
        .map(|_| not_found(v, "agency"))
}

/// 503 in the page's frame: the database did not answer.
fn unavailable(v: &Viewer) -> Response {
    error_page(
        v,
        StatusCode::SERVICE_UNAVAILABLE,
        &t(v.lang, "error-database-down"),
    )
}

/// The colour of a state: the same word is the same colour on every page.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Tone {
    Good,
    Warn,
    Bad,
    None,
}

impl Tone {
    fn class(self) -> &'static str {
        match self {
            Self::Good => "good",
            Self::Warn => "warn",
            Self::Bad => "bad",
            Self::None => "none",
        }
    }
}

/// A state shown as a badge: its word (a message key) and its colour.
pub(crate) trait Badge {
    fn key(&self) -> &'static str;
    fn tone(&self) -> Tone;
}

/// A state's badge in the viewer's language: its class (colour) and the word itself
/// (not colour alone).
fn badge(l: Lang, state: &dyn Badge) -> Markup {
    word_badge(&t(l, state.key()), state.tone())
}

/// A certificate's verdict as a badge coloured as the scorecard judges it: a valid one
/// amber within [`crate::scorecard::CERTIFICATE_WARNING_DAYS`] of expiry and red within
/// [`crate::scorecard::CERTIFICATE_FAILING_DAYS`] (green only when it has longer).
fn certificate_badge(l: Lang, verdict: simpul_webcheck::Verdict, days: Option<f64>) -> Markup {
    use crate::scorecard::{CERTIFICATE_FAILING_DAYS, CERTIFICATE_WARNING_DAYS};
    let tone = match (verdict, days) {
        (simpul_webcheck::Verdict::Valid, Some(d)) if d <= CERTIFICATE_FAILING_DAYS => Tone::Bad,
        (simpul_webcheck::Verdict::Valid, Some(d)) if d <= CERTIFICATE_WARNING_DAYS => Tone::Warn,
        _ => verdict.tone(),
    };
    word_badge(&t(l, verdict.key()), tone)
}

/// A badge for a word that is not one of the states (`unacknowledged`, `none`), already
/// in the viewer's language.
fn word_badge(word: &str, tone: Tone) -> Markup {
    html! { span class=(format!("badge {}", tone.class())) { (word) } }
}

macro_rules! badges {
    ($($t:ty { $($v:ident => $tone:ident $key:literal),+ $(,)? })+) => {
        $(impl Badge for $t {
            fn key(&self) -> &'static str {
                match self {
                    $(<$t>::$v => $key),+
                }
            }
            fn tone(&self) -> Tone {
                match self {
                    $(<$t>::$v => Tone::$tone),+
                }
            }
        })+
    };
}

badges! {
    crate::sla::report::SlaStatus {
        Met => Good "state-met", Breached => Bad "state-breached", NoData => None "state-no-data"
    }
    crate::sla::report::Verdict {
        Met => Good "state-met", OnTrack => Good "state-on-track", AtRisk => Warn "state-at-risk",
        Breached => Bad "state-breached", NoData => None "state-no-data"
    }
    crate::backups::BackupState {
        Ok => Good "state-ok", Late => Warn "state-late", TooSmall => Warn "state-too-small",
        WrongPlace => Bad "state-wrong-place", Missing => Bad "state-missing",
        Failed => Bad "state-failed", NeverSeen => Bad "state-never-seen"
    }
    crate::backups::RestoreTestState {
        Ok => Good "state-ok", Due => Warn "state-due", Never => None "state-never"
    }
    crate::lan::LanState {
        Ok => Good "state-ok", Overdue => Bad "state-overdue", Missing => Bad "state-missing"
    }
    crate::scorecard::LanDuty {
        Current => Good "state-current", Changed => Warn "state-changed",
        Overdue => Bad "state-overdue", None => None "state-none"
    }
    crate::scorecard::Overall { Ok => Good "state-ok", Attention => Warn "state-attention" }
    crate::links::LinkState {
        Up => Good "wan-state-up", Degraded => Warn "wan-state-degraded",
        Down => Bad "wan-state-down", Unknown => None "wan-state-unknown"
    }
    crate::scorecard::Cell {
        Ok => Good "state-ok", Warning => Warn "state-warning", Failing => Bad "state-failing",
        NoData => None "state-no-data", NotApplicable => None "state-not-applicable"
    }
    crate::state::HostUp {
        Up => Good "state-up", Down => Bad "state-down", NeverSeen => Bad "state-never-seen"
    }
}

/// The backups of a scorecard row: the worst obligation's state, or `none`.
impl Badge for Option<crate::backups::BackupState> {
    fn key(&self) -> &'static str {
        self.map_or("state-none", |s| s.key())
    }
    fn tone(&self) -> Tone {
        self.map_or(Tone::None, |s| s.tone())
    }
}

/// A `<script>`-free inline SVG made by the collector (the LAN diagram) is trusted
/// markup: every text in it is escaped by its renderer.
fn trusted_svg(svg: &str) -> PreEscaped<&str> {
    PreEscaped(
        svg.strip_prefix("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n")
            .unwrap_or(svg),
    )
}

/// A CSV download in the viewer's convention: in Indonesian for a spreadsheet set to
/// the Indonesian locale (a BOM, `;` between cells, decimal commas), in English as
/// RFC 4180 with commas; `sep=comma` or `sep=semicolon` in the query chooses.
fn csv_download(v: &Viewer, query: Option<&str>, filename: &str, body: String) -> Response {
    let asked = query
        .unwrap_or("")
        .split('&')
        .find_map(|kv| kv.strip_prefix("sep="));
    let semicolons = match asked {
        Some("semicolon") => true,
        Some("comma") => false,
        _ => v.lang == Lang::Id,
    };
    if semicolons {
        crate::api::csv_response(filename, crate::csv::for_indonesian_spreadsheet(&body))
    } else {
        crate::api::csv_response(filename, body)
    }
}

/// The response of a redirect after a POST (303: the browser GETs the target).
fn see_other(to: &str) -> Response {
    (StatusCode::SEE_OTHER, [(header::LOCATION, to.to_owned())]).into_response()
}

/// Headers of a request, for the session helpers.
type Headers = HeaderMap;
