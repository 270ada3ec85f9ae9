//! Login, logout, and who is asking (the session cookie).

use std::net::{IpAddr, SocketAddr};
use std::sync::atomic::Ordering;
use std::sync::Arc;
use std::time::{Duration, Instant};

use axum::extract::{ConnectInfo, FromRequestParts, Query, State};
use axum::http::request::Parts;
use axum::http::{header, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Form;
use maud::html;
use serde::Deserialize;

use super::{page_headers, see_other, Headers};
use crate::api::ratelimit::RateLimiter;
use crate::api::AppState;
use crate::sla::period::Zone;
use crate::store::users::{self, User};

/// The session cookie's name.
pub const COOKIE: &str = "simpul_session";
/// The login form's double-submit cookie.
const LOGIN_COOKIE: &str = "simpul_login";
/// A session ends this long after login, however busy.
pub const MAX_AGE_SECS: f64 = 12.0 * 3600.0;
/// A session ends after this long without a request.
pub const IDLE_SECS: f64 = 3600.0;

/// Failed-login throttles: per source address and per user name.
#[derive(Debug)]
pub struct LoginLimits {
    per_address: RateLimiter<IpAddr>,
    per_name: RateLimiter<String>,
}

impl Default for LoginLimits {
    fn default() -> Self {
        Self {
            // 10 attempts at once, then one every 6 s from one address
            per_address: RateLimiter::new(1.0 / 6.0, 10),
            // 5 attempts at once, then one every 30 s for one name (from anywhere)
            per_name: RateLimiter::new(1.0 / 30.0, 5),
        }
    }
}

/// The logged-in user of a page request.
#[derive(Debug, Clone)]
pub struct Viewer {
    pub user: User,
    /// The session's CSRF token, for the forms of the page.
    pub csrf: String,
    /// The configured time zone and its name.
    pub zone: Zone,
    pub zone_name: String,
}

/// The value of cookie `name` in the request's Cookie headers.
pub fn cookie<'h>(headers: &'h Headers, name: &str) -> Option<&'h str> {
    headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .find_map(|kv| {
            let (k, v) = kv.trim().split_once('=')?;
            (k == name).then_some(v)
        })
}

/// The user of the session cookie, if it is a live session: (user, CSRF token).
pub async fn session_user(app: &Arc<AppState>, headers: &Headers) -> Option<(User, String)> {
    let id = cookie(headers, COOKIE)?.to_owned();
    if id.len() != 64 || !id.bytes().all(|b| b.is_ascii_hexdigit()) {
        return None;
    }
    app.read_db(move |conn| users::session(conn, &id, crate::now_seconds(), IDLE_SECS))
        .await
        .ok()
        .flatten()
}

impl FromRequestParts<Arc<AppState>> for Viewer {
    type Rejection = Response;

    async fn from_request_parts(
        parts: &mut Parts,
        app: &Arc<AppState>,
    ) -> Result<Self, Self::Rejection> {
        match session_user(app, &parts.headers).await {
            Some((user, csrf)) => Ok(Viewer {
                user,
                csrf,
                zone: Zone::parse(&app.cfg.time_zone).unwrap_or_else(Zone::jakarta),
                zone_name: app.cfg.time_zone.clone(),
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
fn form(app: &AppState, status: StatusCode, next: &str, message: Option<&str>) -> Response {
    let token = random_token();
    let markup = html! {
        (maud::DOCTYPE)
        html lang="en" {
            head {
                meta charset="utf-8";
                meta name="viewport" content="width=device-width, initial-scale=1";
                title { "Log in · Simpul" }
                link rel="stylesheet" href="/static/simpul.css";
            }
            body.login {
                main #main {
                    h1 { "Simpul" }
                    p { "Inventory and duty monitoring of Diskominfo, the Pusat Data and the agencies (OPD)." }
                    @if let Some(m) = message {
                        p.error role="alert" { (m) }
                    }
                    form method="post" action="/login" {
                        input type="hidden" name="login_csrf" value=(token);
                        input type="hidden" name="next" value=(next);
                        label for="name" { "User name" }
                        input #name name="name" type="text" autocomplete="username" required autofocus;
                        label for="password" { "Password" }
                        input #password name="password" type="password" autocomplete="current-password" required;
                        button type="submit" { "Log in" }
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
pub async fn login_form(State(app): State<Arc<AppState>>, Query(q): Query<NextQuery>) -> Response {
    form(
        &app,
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
    let counters = &app.metrics.web_logins;
    let expected = cookie(&headers, LOGIN_COOKIE).unwrap_or("");
    if expected.is_empty() || f.login_csrf.as_deref() != Some(expected) {
        return form(
            &app,
            StatusCode::FORBIDDEN,
            &next,
            Some("The login form had expired or came from elsewhere (no CSRF token); please log in again."),
        );
    }
    let now = Instant::now();
    let name = f.name.trim().to_lowercase();
    let wait = [
        app.web.per_address.check(&peer.ip(), now).err(),
        app.web.per_name.check(&name, now).err(),
    ]
    .into_iter()
    .flatten()
    .max();
    if let Some(wait) = wait {
        counters[2].fetch_add(1, Ordering::Relaxed);
        tracing::warn!(address = %peer.ip(), user = %name, "login throttled");
        let mut r = form(
            &app,
            StatusCode::TOO_MANY_REQUESTS,
            &next,
            Some(&format!(
                "Too many login attempts. Try again in {} s.",
                wait.max(Duration::from_secs(1)).as_secs()
            )),
        );
        r.headers_mut().insert(
            header::RETRY_AFTER,
            header::HeaderValue::from(wait.as_secs().max(1)),
        );
        return r;
    }
    let (app2, name2, password) = (Arc::clone(&app), name.clone(), f.password);
    let result = tokio::task::spawn_blocking(move || {
        let conn = crate::lock(&app2.db);
        let found = users::login_hash(&conn, &name2)?;
        drop(conn);
        let ok = users::verify(found.as_ref().map(|(_, h)| h.as_str()), &password);
        let Some((user, _)) = found.filter(|_| ok) else {
            return Ok(None);
        };
        let conn = crate::lock(&app2.db);
        users::new_session(&conn, &user, crate::now_seconds(), MAX_AGE_SECS)
            .map(|s| Some((user, s)))
    })
    .await;
    match result {
        Ok(Ok(Some((user, (sid, _csrf))))) => {
            counters[0].fetch_add(1, Ordering::Relaxed);
            tracing::info!(user = %user.name, address = %peer.ip(), "login");
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
        Ok(Ok(None)) => {
            counters[1].fetch_add(1, Ordering::Relaxed);
            tracing::warn!(address = %peer.ip(), user = %name, "login failed");
            form(
                &app,
                StatusCode::UNAUTHORIZED,
                &next,
                Some("Wrong user name or password."),
            )
        }
        Ok(Err(e)) => {
            tracing::error!(error = %e, "login: database error");
            form(
                &app,
                StatusCode::SERVICE_UNAVAILABLE,
                &next,
                Some("The database is not available; try again shortly."),
            )
        }
        Err(e) => {
            tracing::error!(error = %e, "login task failed");
            form(
                &app,
                StatusCode::SERVICE_UNAVAILABLE,
                &next,
                Some("Login failed on the server; try again."),
            )
        }
    }
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
pub fn csrf_refused() -> Response {
    (
        StatusCode::FORBIDDEN,
        page_headers(),
        "<!DOCTYPE html><html lang=\"en\"><head><meta charset=\"utf-8\"><title>Refused · Simpul</title></head><body><main><h1>Refused</h1><p>This form had no valid CSRF token. Reload the page and try again.</p></main></body></html>",
    )
        .into_response()
}

/// `POST /logout`: ends the session (CSRF-checked) and clears the cookie.
pub async fn logout(
    State(app): State<Arc<AppState>>,
    v: Viewer,
    headers: Headers,
    Form(f): Form<CsrfForm>,
) -> Response {
    if !csrf_ok(&v, f.csrf.as_deref()) {
        return csrf_refused();
    }
    if let Some(id) = cookie(&headers, COOKIE).map(str::to_owned) {
        let _ = app.read_db(move |conn| users::end_session(conn, &id)).await;
    }
    tracing::info!(user = %v.user.name, "logout");
    let mut r = see_other("/login");
    if let Ok(c) = header::HeaderValue::from_str(&format!(
        "{COOKIE}=; Path=/; HttpOnly; SameSite=Strict; Max-Age=0{}",
        secure(&app)
    )) {
        r.headers_mut().insert(header::SET_COOKIE, c);
    }
    r
}
