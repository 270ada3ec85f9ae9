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
use tokio::sync::Semaphore;

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

/// At most this many password verifications run at once. Each argon2id verification
/// takes about 19 MiB (the OWASP m=19456 KiB of `Argon2::default()`) and tens of
/// milliseconds of one core: 50 concurrent logins raised the collector from 192 MiB to
/// 999 MiB RSS (issue 20, finding 8). Four keep a few cores busy and the memory at about
/// 76 MiB whatever the number of source addresses.
pub const MAX_CONCURRENT_VERIFICATIONS: usize = 4;
/// A login waits this long for a verification slot, then gets 429 with `Retry-After`.
pub const VERIFY_WAIT: Duration = Duration::from_secs(10);
/// A login for a name over its global limit is answered this much later (never refused).
pub const NAME_SLOWDOWN: Duration = Duration::from_secs(2);
/// What failed-login logs say instead of a name that is no user: people type passwords
/// into the name field (issue 20, finding 12).
pub const UNKNOWN_USER: &str = "(unknown user)";

/// Failed-login throttles and the bound on concurrent password verifications.
///
/// Refusing by user name alone let anyone keep a named admin out with one wrong password
/// every few seconds (issue 20, finding 3). So the refusing limits are per source address
/// and per (name, address): the attacker's address is throttled, the user's own is not.
/// The per-name limit over all addresses only slows the answer ([`NAME_SLOWDOWN`]), so a
/// correct password from an address that is not throttled still logs in.
#[derive(Debug)]
pub struct LoginLimits {
    per_address: RateLimiter<IpAddr>,
    per_name_address: RateLimiter<(String, IpAddr)>,
    per_name: RateLimiter<String>,
    /// Slots for verifications; a login holds one until its verification is done.
    verifying: Arc<Semaphore>,
    verifiers: Verifiers,
}

impl Default for LoginLimits {
    fn default() -> Self {
        Self {
            // 10 attempts at once, then one every 6 s from one address
            per_address: RateLimiter::new(1.0 / 6.0, 10),
            // 5 attempts at once, then one every 30 s for one name from one address
            per_name_address: RateLimiter::new(1.0 / 30.0, 5),
            // over 5 at once, then one every 30 s for one name from anywhere: slowed
            per_name: RateLimiter::new(1.0 / 30.0, 5),
            verifying: Arc::new(Semaphore::new(MAX_CONCURRENT_VERIFICATIONS)),
            verifiers: Verifiers::default(),
        }
    }
}

type VerifyJob = Box<dyn FnOnce() + Send>;

/// [`MAX_CONCURRENT_VERIFICATIONS`] threads of their own for password verifications,
/// started at the first login. Not tokio's blocking pool: the allocator keeps memory
/// per thread (glibc arenas), so 19 MiB freed on each of the pool's dozens of threads
/// stayed resident (842 MiB after 50 logins, with only 4 verifying at once); a few
/// fixed threads hold at most their own few.
#[derive(Debug, Default)]
struct Verifiers(std::sync::OnceLock<std::sync::mpsc::Sender<VerifyJob>>);

impl Verifiers {
    fn sender(&self) -> &std::sync::mpsc::Sender<VerifyJob> {
        self.0.get_or_init(|| {
            let (tx, rx) = std::sync::mpsc::channel::<VerifyJob>();
            let rx = Arc::new(std::sync::Mutex::new(rx));
            for i in 0..MAX_CONCURRENT_VERIFICATIONS {
                let rx = Arc::clone(&rx);
                let spawned = std::thread::Builder::new()
                    .name(format!("verify-{i}"))
                    .spawn(move || loop {
                        let Ok(job) = crate::lock(&rx).recv() else {
                            return;
                        };
                        // a panic fails that login (its answer channel is dropped), not the thread
                        let _ = std::panic::catch_unwind(std::panic::AssertUnwindSafe(job));
                    });
                if let Err(e) = spawned {
                    tracing::error!(error = %e, "cannot start a password verification thread");
                }
            }
            tx
        })
    }

    /// `f`'s result, run on a verification thread; None if it failed.
    async fn run<T: Send + 'static>(&self, f: impl FnOnce() -> T + Send + 'static) -> Option<T> {
        let (tx, rx) = tokio::sync::oneshot::channel();
        self.sender()
            .send(Box::new(move || {
                let _ = tx.send(f());
            }))
            .ok()?;
        rx.await.ok()
    }
}

/// One throttled key, for admins (`GET /api/v1/login-throttles`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Throttled {
    /// `address` (refused), `name_address` (refused) or `name` (slowed only).
    pub scope: &'static str,
    pub name: Option<String>,
    pub address: Option<IpAddr>,
    /// Whole seconds until the next attempt is let through (at least 1).
    pub retry_after_secs: u64,
}

impl LoginLimits {
    /// Every throttled key at `now`, longest wait first.
    pub fn throttled(&self, now: Instant) -> Vec<Throttled> {
        let secs = |d: Duration| d.as_secs_f64().ceil().max(1.0) as u64;
        let mut all: Vec<Throttled> = self
            .per_address
            .refused(now)
            .into_iter()
            .map(|(a, d)| Throttled {
                scope: "address",
                name: None,
                address: Some(a),
                retry_after_secs: secs(d),
            })
            .chain(
                self.per_name_address
                    .refused(now)
                    .into_iter()
                    .map(|((n, a), d)| Throttled {
                        scope: "name_address",
                        name: Some(n),
                        address: Some(a),
                        retry_after_secs: secs(d),
                    }),
            )
            .chain(
                self.per_name
                    .refused(now)
                    .into_iter()
                    .map(|(n, d)| Throttled {
                        scope: "name",
                        name: Some(n),
                        address: None,
                        retry_after_secs: secs(d),
                    }),
            )
            .collect();
        all.sort_by_key(|t| std::cmp::Reverse(t.retry_after_secs));
        all
    }

    /// Forgets buckets that are full again (every minute, with the API's).
    pub fn sweep(&self, now: Instant) {
        self.per_address.sweep(now);
        self.per_name_address.sweep(now);
        self.per_name.sweep(now);
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
        counters[2].fetch_add(1, Ordering::Relaxed);
        tracing::warn!(address = %ip, "login throttled (address)");
        return too_many(
            &app,
            &next,
            wait,
            "Too many login attempts from this address",
        );
    }
    // the (cheap) lookup first: logs name only users, never what was typed otherwise
    let n = name.clone();
    let found = match app.read_db(move |conn| users::login_hash(conn, &n)).await {
        Ok(found) => found,
        Err(e) => return database_down(&app, &next, &e),
    };
    let shown = found
        .as_ref()
        .map_or(UNKNOWN_USER, |(u, _)| u.name.as_str())
        .to_owned();
    let now = Instant::now();
    if let Err(wait) = limits.per_name_address.check(&(name.clone(), ip), now) {
        counters[2].fetch_add(1, Ordering::Relaxed);
        tracing::warn!(address = %ip, user = ?shown, "login throttled");
        return too_many(
            &app,
            &next,
            wait,
            "Too many login attempts from this address",
        );
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
            counters[3].fetch_add(1, Ordering::Relaxed);
            tracing::warn!(address = %ip, "login refused: password verifications busy");
            return too_many(
                &app,
                &next,
                VERIFY_WAIT,
                "The server is busy with other logins",
            );
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
            counters[1].fetch_add(1, Ordering::Relaxed);
            tracing::warn!(address = %ip, user = ?shown, "login failed");
            return form(
                &app,
                StatusCode::UNAUTHORIZED,
                &next,
                Some("Wrong user name or password."),
            );
        }
        (None, _) => {
            tracing::error!("login: the password verification thread failed");
            return form(
                &app,
                StatusCode::SERVICE_UNAVAILABLE,
                &next,
                Some("Login failed on the server; try again."),
            );
        }
    };
    let u = user.clone();
    let session = app
        .read_db(move |conn| users::new_session(conn, &u, crate::now_seconds(), MAX_AGE_SECS))
        .await;
    let (sid, _csrf) = match session {
        Ok(s) => s,
        Err(e) => return database_down(&app, &next, &e),
    };
    counters[0].fetch_add(1, Ordering::Relaxed);
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
fn too_many(app: &AppState, next: &str, wait: Duration, why: &str) -> Response {
    let secs = wait.as_secs_f64().ceil().max(1.0) as u64;
    let mut r = form(
        app,
        StatusCode::TOO_MANY_REQUESTS,
        next,
        Some(&format!("{why}. Try again in {secs} s.")),
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
pub fn csrf_refused() -> Response {
    (
        StatusCode::FORBIDDEN,
        page_headers(),
        "<!DOCTYPE html><html lang=\"en\"><head><meta charset=\"utf-8\"><title>Refused · Simpul</title></head><body><main><h1>Refused</h1><p>This form had no valid CSRF token. Reload the page and try again.</p></main></body></html>",
    )
        .into_response()
}

/// The login form again, 503, when the database cannot be read.
fn database_down(app: &AppState, next: &str, e: &crate::api::error::ApiError) -> Response {
    tracing::error!(error = %e.body.error, "login: database error");
    form(
        app,
        StatusCode::SERVICE_UNAVAILABLE,
        next,
        Some("The database is not available; try again shortly."),
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
        return csrf_refused();
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

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, reason = "test code")]
    use super::*;

    #[test]
    fn failed_login_throttle_refuses_the_address_and_lists_it_for_admins() {
        let limits = LoginLimits::default();
        let t0 = Instant::now();
        let (attacker, user): (IpAddr, IpAddr) =
            ("192.0.2.1".parse().unwrap(), "192.0.2.2".parse().unwrap());
        let key = |ip| ("budi".to_owned(), ip);
        for _ in 0..5 {
            limits.per_name_address.check(&key(attacker), t0).unwrap();
            let _ = limits.per_name.check(&"budi".to_owned(), t0);
        }
        assert!(limits.per_name_address.check(&key(attacker), t0).is_err());
        // the user's own address is not refused; the name is only slowed
        assert!(limits.per_name_address.check(&key(user), t0).is_ok());
        assert!(limits.per_name.check(&"budi".to_owned(), t0).is_err());
        let listed = limits.throttled(t0);
        assert_eq!(listed.len(), 2, "{listed:?}");
        assert!(listed.contains(&Throttled {
            scope: "name_address",
            name: Some("budi".into()),
            address: Some(attacker),
            retry_after_secs: 30,
        }));
        assert!(listed
            .iter()
            .any(|t| t.scope == "name" && t.address.is_none()));
        limits.sweep(t0 + Duration::from_secs(3600));
        assert!(limits.throttled(t0 + Duration::from_secs(3600)).is_empty());
    }
}
