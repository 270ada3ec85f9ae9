//! Login, logout, and who is asking (the session cookie).

use std::net::SocketAddr;
use std::sync::Arc;
use std::time::{Duration, Instant};

use axum::extract::{ConnectInfo, FromRequestParts, Query, State};
use axum::http::request::Parts;
use axum::http::{header, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Form;
use maud::html;
use serde::Deserialize;

use crate::i18n::Lang;

use super::{page_headers, see_other, Headers};
use crate::api::AppState;
use crate::metrics::LoginResult;
use crate::sla::period::Zone;
use crate::store::users::{self, User};

/// The login form's double-submit cookie.
const LOGIN_COOKIE: &str = "simpul_login";
pub use crate::api::session::{
    cookie, session_user, LoginLimits, Throttled, COOKIE, MAX_AGE_SECS, NAME_SLOWDOWN,
    UNKNOWN_USER, VERIFY_WAIT,
};

/// The logged-in user of a page request.
#[derive(Debug, Clone)]
pub struct Viewer {
    pub user: User,
    /// The session's CSRF token, for the forms of the page.
    pub csrf: String,
    /// The configured time zone and its name.
    pub zone: Zone,
    pub zone_name: String,
    /// `organisation` of collector.toml, at the top of printed pages.
    pub organisation: String,
    /// The language of the pages: the user's choice, else the browser's, else
    /// `default_language`.
    pub lang: Lang,
}

impl FromRequestParts<Arc<AppState>> for Viewer {
    type Rejection = Response;

    async fn from_request_parts(
        parts: &mut Parts,
        app: &Arc<AppState>,
    ) -> Result<Self, Self::Rejection> {
        match session_user(app, &parts.headers).await {
            Some((user, csrf, language)) => Ok(Viewer {
                lang: language
                    .as_deref()
                    .and_then(Lang::parse)
                    .unwrap_or_else(|| browser_language(app, &parts.headers)),
                user,
                csrf,
                zone: app.cfg.zone().clone(),
                zone_name: app.cfg.time_zone.to_string(),
                organisation: app.cfg.organisation.clone(),
            }),
            None => {
                let next = parts
                    .uri
                    .path_and_query()
                    .map_or("/", axum::http::uri::PathAndQuery::as_str);
                Err(see_other(&format!("/login?next={}", encode(next))))
            }
        }
    }
}

/// The language the browser asks for (`Accept-Language`) among ours, else the
/// configured `default_language`: the pages of a user who chose none, and the login.
pub fn browser_language(app: &AppState, headers: &axum::http::HeaderMap) -> Lang {
    headers
        .get(axum::http::header::ACCEPT_LANGUAGE)
        .and_then(|v| v.to_str().ok())
        .and_then(Lang::negotiate)
        .unwrap_or_else(|| app.cfg.language())
}

/// Percent-encodes a query value.
pub fn encode(s: &str) -> String {
    s.bytes()
        .map(|b| {
            if b.is_ascii_alphanumeric() || b"-_.~/".contains(&b) {
                char::from(b).to_string()
            } else {
                format!("%{b:02X}")
            }
        })
        .collect()
}

/// A random 256-bit token. No randomness is a broken machine: the empty token then
/// fails every comparison (the login cookie must be non-empty).
fn random_token() -> String {
    crate::store::random_hex(32).unwrap_or_default()
}

fn secure(app: &AppState) -> &'static str {
    if app.cfg.tls_cert_file.is_some() {
        "; Secure"
    } else {
        ""
    }
}

#[derive(Debug, Deserialize)]
pub struct NextQuery {
    next: Option<String>,
}

/// The login form, with a fresh double-submit token.
fn form(
    app: &AppState,
    l: Lang,
    status: StatusCode,
    next: &str,
    message: Option<&str>,
) -> Response {
    use crate::i18n::t;
    let token = random_token();
    let markup = html! {
        (maud::DOCTYPE)
        html lang=(l.tag()) {
            head {
                meta charset="utf-8";
                meta name="viewport" content="width=device-width, initial-scale=1";
                title { (t(l, "login-title")) " · Simpul" }
                link rel="stylesheet" href="/static/simpul.css";
            }
            body.login {
                main #main {
                    h1 { "Simpul" }
                    p { (t(l, "login-intro")) }
                    @if let Some(m) = message {
                        p.error role="alert" { (m) }
                    }
                    form method="post" action="/login" {
                        input type="hidden" name="login_csrf" value=(token);
                        input type="hidden" name="next" value=(next);
                        label for="name" { (t(l, "login-name")) }
                        input #name name="name" type="text" autocomplete="username" required autofocus;
                        label for="password" { (t(l, "login-password")) }
                        input #password name="password" type="password" autocomplete="current-password" required;
                        button type="submit" { (t(l, "login-submit")) }
                    }
                }
            }
        }
    };
    let cookie = format!(
        "{LOGIN_COOKIE}={token}; Path=/login; HttpOnly; SameSite=Strict; Max-Age=3600{}",
        secure(app)
    );
    (
        status,
        page_headers(),
        [(header::SET_COOKIE, cookie)],
        markup.into_string(),
    )
        .into_response()
}

/// `GET /login`.
pub async fn login_form(
    State(app): State<Arc<AppState>>,
    headers: Headers,
    Query(q): Query<NextQuery>,
) -> Response {
    form(
        &app,
        browser_language(&app, &headers),
        StatusCode::OK,
        &super::redirect::safe_next(q.next.as_deref()),
        None,
    )
}

#[derive(Debug, Deserialize)]
pub struct LoginForm {
    name: String,
    password: String,
    login_csrf: Option<String>,
    next: Option<String>,
}

/// `POST /login`.
pub async fn login(
    State(app): State<Arc<AppState>>,
    ConnectInfo(peer): ConnectInfo<SocketAddr>,
    headers: Headers,
    Form(f): Form<LoginForm>,
) -> Response {
    let next = super::redirect::safe_next(f.next.as_deref());
    let l = browser_language(&app, &headers);
    let counters = &app.metrics;
    let expected = cookie(&headers, LOGIN_COOKIE).unwrap_or("");
    if expected.is_empty() || f.login_csrf.as_deref() != Some(expected) {
        return form(
            &app,
            l,
            StatusCode::FORBIDDEN,
            &next,
            Some(&crate::i18n::t(l, "login-expired")),
        );
    }
    let typed = f.name.trim().to_lowercase();
    // what no user can be named is one throttle key: a password typed into the name
    // field is not kept in memory nor listed, and 2 MB names do not fill the maps
    let name = if users::is_valid_name(&typed) {
        typed
    } else {
        UNKNOWN_USER.to_owned()
    };
    let ip = peer.ip();
    let limits = &app.web;
    // the address first: a throttled address costs no lookup and no bucket per name
    if let Err(wait) = limits.per_address.check(&ip, Instant::now()) {
        counters.web_login(LoginResult::Throttled);
        tracing::warn!(address = %ip, "login throttled (address)");
        return too_many(&app, l, &next, wait, "login-too-many");
    }
    // the (cheap) lookup first: logs name only users, never what was typed otherwise
    let n = name.clone();
    let found = match app.read_db(move |conn| users::login_hash(conn, &n)).await {
        Ok(found) => found,
        Err(e) => return database_down(&app, l, &next, &e),
    };
    let shown = found
        .as_ref()
        .map_or(UNKNOWN_USER, |(u, _)| u.name.as_str())
        .to_owned();
    let now = Instant::now();
    if let Err(wait) = limits.per_name_address.check(&(name.clone(), ip), now) {
        counters.web_login(LoginResult::Throttled);
        tracing::warn!(address = %ip, user = ?shown, "login throttled");
        return too_many(&app, l, &next, wait, "login-too-many");
    }
    if limits.per_name.check(&name, now).is_err() {
        // many addresses try this name: slow every attempt, refuse none
        tracing::info!(user = ?shown, "login slowed: many attempts for this name");
        tokio::time::sleep(NAME_SLOWDOWN).await;
    }
    // the permit moves into the blocking task: a client that hangs up does not free a
    // slot while its verification still runs
    let permit = match tokio::time::timeout(
        VERIFY_WAIT,
        Arc::clone(&limits.verifying).acquire_owned(),
    )
    .await
    {
        Ok(Ok(p)) => p,
        _ => {
            counters.web_login(LoginResult::Busy);
            tracing::warn!(address = %ip, "login refused: password verifications busy");
            return too_many(&app, l, &next, VERIFY_WAIT, "login-busy");
        }
    };
    let (hash, password) = (found.as_ref().map(|(_, h)| h.clone()), f.password);
    let verified = limits
        .verifiers
        .run(move || {
            let ok = users::verify(hash.as_deref(), &password);
            drop(permit);
            ok
        })
        .await;
    let user = match (verified, found) {
        (Some(true), Some((user, _))) => user,
        (Some(_), _) => {
            counters.web_login(LoginResult::Failed);
            tracing::warn!(address = %ip, user = ?shown, "login failed");
            return form(
                &app,
                l,
                StatusCode::UNAUTHORIZED,
                &next,
                Some(&crate::i18n::t(l, "login-wrong")),
            );
        }
        (None, _) => {
            tracing::error!("login: the password verification thread failed");
            return form(
                &app,
                l,
                StatusCode::SERVICE_UNAVAILABLE,
                &next,
                Some(&crate::i18n::t(l, "login-failed-server")),
            );
        }
    };
    let u = user.clone();
    let session = app
        .read_db(move |conn| users::new_session(conn, &u, crate::now_seconds(), MAX_AGE_SECS))
        .await;
    let (sid, _csrf) = match session {
        Ok(s) => s,
        Err(e) => return database_down(&app, l, &next, &e),
    };
    counters.web_login(LoginResult::Ok);
    // the password is proven: this address starts afresh for this name, and a login
    // does not count against the address (an office behind one NAT logs in at 08:00)
    limits.per_name_address.forget(&(name, ip));
    limits.per_address.refund(&ip);
    tracing::info!(user = ?user.name, address = %ip, "login");
    let session = format!(
        "{COOKIE}={sid}; Path=/; HttpOnly; SameSite=Strict; Max-Age={}{}",
        MAX_AGE_SECS as u64,
        secure(&app)
    );
    let clear = format!("{LOGIN_COOKIE}=; Path=/login; Max-Age=0");
    let mut r = see_other(&next);
    for c in [session, clear] {
        if let Ok(v) = header::HeaderValue::from_str(&c) {
            r.headers_mut().append(header::SET_COOKIE, v);
        }
    }
    r
}

/// 429: the login form saying `why` and when to try again, with `Retry-After`.
fn too_many(app: &AppState, l: Lang, next: &str, wait: Duration, why: &str) -> Response {
    let secs = wait.as_secs_f64().ceil().max(1.0) as u64;
    let mut r = form(
        app,
        l,
        StatusCode::TOO_MANY_REQUESTS,
        next,
        Some(&crate::tr!(
            l,
            "login-try-again",
            why = crate::i18n::t(l, why),
            secs = secs
        )),
    );
    r.headers_mut()
        .insert(header::RETRY_AFTER, header::HeaderValue::from(secs));
    r
}

#[derive(Debug, Deserialize)]
pub struct CsrfForm {
    pub csrf: Option<String>,
}

/// Whether a form's CSRF token is the session's (a constant-time comparison).
pub fn csrf_ok(v: &Viewer, token: Option<&str>) -> bool {
    let Some(t) = token else { return false };
    let (a, b) = (t.as_bytes(), v.csrf.as_bytes());
    a.len() == b.len()
        && !b.is_empty()
        && a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

/// 403 for a state-changing form without the session's CSRF token.
pub fn csrf_refused(v: &Viewer) -> Response {
    super::error_page(
        v,
        StatusCode::FORBIDDEN,
        &crate::i18n::t(v.lang, "error-csrf"),
    )
}

/// The login form again, 503, when the database cannot be read.
fn database_down(app: &AppState, l: Lang, next: &str, e: &crate::api::error::ApiError) -> Response {
    tracing::error!(error = %e.body.error, "login: database error");
    form(
        app,
        l,
        StatusCode::SERVICE_UNAVAILABLE,
        next,
        Some(&crate::i18n::t(l, "login-database-down")),
    )
}

/// `POST /logout`: ends the session (CSRF-checked) and clears the cookie.
pub async fn logout(
    State(app): State<Arc<AppState>>,
    v: Viewer,
    headers: Headers,
    Form(f): Form<CsrfForm>,
) -> Response {
    if !csrf_ok(&v, f.csrf.as_deref()) {
        return csrf_refused(&v);
    }
    if let Some(id) = cookie(&headers, COOKIE).map(str::to_owned) {
        let _ = app.read_db(move |conn| users::end_session(conn, &id)).await;
    }
    tracing::info!(user = ?v.user.name, "logout");
    let mut r = see_other("/login");
    if let Ok(c) = header::HeaderValue::from_str(&format!(
        "{COOKIE}=; Path=/; HttpOnly; SameSite=Strict; Max-Age=0{}",
        secure(&app)
    )) {
        r.headers_mut().insert(header::SET_COOKIE, c);
    }
    r
}

/// The language switch of every page.
#[derive(Debug, Deserialize)]
pub struct LanguageForm {
    csrf: Option<String>,
    lang: String,
}

/// `POST /language`: the user's language of the pages, kept with the user (every
/// session, every browser); back to the page the switch was on.
pub async fn language(
    State(app): State<Arc<AppState>>,
    v: Viewer,
    headers: Headers,
    Form(f): Form<LanguageForm>,
) -> Response {
    if !csrf_ok(&v, f.csrf.as_deref()) {
        return csrf_refused(&v);
    }
    let Some(lang) = Lang::parse(&f.lang) else {
        return super::error_page(
            &v,
            StatusCode::BAD_REQUEST,
            &crate::tr!(v.lang, "language-bad", value = f.lang.as_str()),
        );
    };
    let id = v.user.id;
    if app
        .read_db(move |conn| users::set_language(conn, id, Some(lang.as_str())))
        .await
        .is_err()
    {
        return super::unavailable(&v);
    }
    tracing::info!(user = ?v.user.name, lang = lang.as_str(), "language chosen");
    // back where the switch was: a path of this site only
    let back = headers
        .get(header::REFERER)
        .and_then(|r| r.to_str().ok())
        .and_then(|r| r.parse::<axum::http::Uri>().ok())
        .and_then(|u| u.path_and_query().map(|p| p.as_str().to_owned()))
        .filter(|p| p.starts_with('/') && !p.starts_with("//"))
        .unwrap_or_else(|| "/".into());
    see_other(&back)
}
