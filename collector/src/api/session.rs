//! Who is asking, for the API and the pages alike: the session cookie of a web login,
//! and the failed-login throttles with the bound on concurrent password verifications
//! (the login form is the pages'; its limits are HTTP state).

use std::net::IpAddr;
use std::sync::Arc;
use std::time::{Duration, Instant};

use axum::http::{header, HeaderMap};
use tokio::sync::Semaphore;

use super::ratelimit::RateLimiter;
use super::AppState;
use crate::metrics::ThrottleScope;
use crate::store::users::{self, User};

/// The session cookie's name.
pub const COOKIE: &str = "simpul_session";
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
    pub(crate) per_address: RateLimiter<IpAddr>,
    pub(crate) per_name_address: RateLimiter<(String, IpAddr)>,
    pub(crate) per_name: RateLimiter<String>,
    /// Slots for verifications; a login holds one until its verification is done.
    pub(crate) verifying: Arc<Semaphore>,
    pub(crate) verifiers: Verifiers,
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
pub(crate) struct Verifiers(std::sync::OnceLock<std::sync::mpsc::Sender<VerifyJob>>);

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
    pub(crate) async fn run<T: Send + 'static>(
        &self,
        f: impl FnOnce() -> T + Send + 'static,
    ) -> Option<T> {
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
    pub scope: ThrottleScope,
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
                scope: ThrottleScope::Address,
                name: None,
                address: Some(a),
                retry_after_secs: secs(d),
            })
            .chain(
                self.per_name_address
                    .refused(now)
                    .into_iter()
                    .map(|((n, a), d)| Throttled {
                        scope: ThrottleScope::NameAddress,
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
                        scope: ThrottleScope::Name,
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

/// The value of cookie `name` in the request's Cookie headers.
pub fn cookie<'h>(headers: &'h HeaderMap, name: &str) -> Option<&'h str> {
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

/// The user of the session cookie, if it is a live session: (user, CSRF token, the
/// user's language of the pages if they chose one).
pub async fn session_user(
    app: &Arc<AppState>,
    headers: &HeaderMap,
) -> Option<(User, String, Option<String>)> {
    let id = cookie(headers, COOKIE)?.to_owned();
    if id.len() != 64 || !id.bytes().all(|b| b.is_ascii_hexdigit()) {
        return None;
    }
    app.read_db(move |conn| users::session(conn, &id, crate::now_seconds(), IDLE_SECS))
        .await
        .ok()
        .flatten()
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, reason = "test code")]
    use super::*;
    use std::net::IpAddr;

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
            scope: ThrottleScope::NameAddress,
            name: Some("budi".into()),
            address: Some(attacker),
            retry_after_secs: 30,
        }));
        assert!(listed
            .iter()
            .any(|t| t.scope == ThrottleScope::Name && t.address.is_none()));
        limits.sweep(t0 + Duration::from_secs(3600));
        assert!(limits.throttled(t0 + Duration::from_secs(3600)).is_empty());
    }
}
