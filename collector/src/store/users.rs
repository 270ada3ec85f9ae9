//! People who use the web pages and the JSON API: Diskominfo administrators, who see
//! every agency, and agency (OPD) staff, who see only their own. Passwords are stored as
//! argon2id hashes (PHC strings); API tokens and session ids only as SHA-256 hashes.

use super::Db;
use crate::params;
use argon2::password_hash::{Output, PasswordHash, PasswordHasher, SaltString};
use argon2::{Algorithm, Argon2, Block, Params, Version};

use super::{random_hex, token_hash, StoreError};

/// The shortest password `user add` and `user password` accept.
pub const MIN_PASSWORD_CHARS: usize = 12;

/// What a user may see.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Role {
    /// Diskominfo: every agency, and the administrative actions.
    Admin,
    /// Agency (OPD) staff: that agency only, read-only.
    Agency(String),
}

/// A user as the pages and the API see them.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct User {
    pub id: i64,
    pub name: String,
    pub role: Role,
}

impl User {
    /// Whether this user may see `agency`'s objects.
    pub fn sees(&self, agency: &str) -> bool {
        match &self.role {
            Role::Admin => true,
            Role::Agency(a) => a == agency,
        }
    }

    /// The one agency an agency user is bound to; None for administrators.
    pub fn agency(&self) -> Option<&str> {
        match &self.role {
            Role::Admin => None,
            Role::Agency(a) => Some(a),
        }
    }

    pub fn is_admin(&self) -> bool {
        self.role == Role::Admin
    }

    /// "admin" or "agency".
    pub fn role_name(&self) -> &'static str {
        match self.role {
            Role::Admin => "admin",
            Role::Agency(_) => "agency",
        }
    }
}

/// A user as `user list` shows them.
#[derive(Debug, Clone)]
pub struct UserRow {
    pub user: User,
    pub has_api_token: bool,
    pub created_at: f64,
    pub disabled_at: Option<f64>,
}

/// The rule for user names, for error messages.
pub const NAME_RULE: &str =
    "1 to 64 characters: lower-case letters, digits, '.', '_', '-' and '@', starting with a letter or digit";

pub fn is_valid_name(name: &str) -> bool {
    (1..=64).contains(&name.len())
        && name
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b"._-@".contains(&b))
        && name
            .bytes()
            .next()
            .is_some_and(|b| b.is_ascii_alphanumeric())
}

fn hash_password(password: &str) -> Result<String, StoreError> {
    let mut bytes = [0u8; 16];
    getrandom::fill(&mut bytes).map_err(|e| StoreError::Random(e.to_string()))?;
    let salt = SaltString::encode_b64(&bytes)
        .map_err(|e| StoreError::Random(format!("argon2 salt: {e}")))?;
    Argon2::default()
        .hash_password(password.as_bytes(), &salt)
        .map(|h| h.to_string())
        .map_err(|e| StoreError::Random(format!("argon2: {e}")))
}

/// Checks a new password; the error says what is wrong.
pub fn check_password(password: &str) -> Result<(), String> {
    let n = password.chars().count();
    if n < MIN_PASSWORD_CHARS {
        return Err(format!(
            "the password has {n} characters; use at least {MIN_PASSWORD_CHARS}"
        ));
    }
    if n > 1024 {
        return Err("the password is longer than 1024 characters".into());
    }
    Ok(())
}

fn user_from(id: i64, name: String, role: String, agency: Option<String>) -> User {
    User {
        id,
        name,
        role: match (role.as_str(), agency) {
            ("agency", Some(a)) => Role::Agency(a),
            _ => Role::Admin,
        },
    }
}

/// Adds a user; `Conflict` when the name is taken.
pub fn add(
    conn: &Db,
    name: &str,
    role: &Role,
    password: &str,
    now: f64,
) -> Result<User, StoreError> {
    let hash = hash_password(password)?;
    let (role_name, agency) = match role {
        Role::Admin => ("admin", None),
        Role::Agency(a) => ("agency", Some(a.as_str())),
    };
    let taken = conn.exists("SELECT 1 FROM users WHERE name = ?1", params![name])?;
    if taken {
        return Err(StoreError::Conflict(format!(
            "a user named {name:?} exists already (`user list` shows users; `user password` sets a new password)"
        )));
    }
    let id = conn.query_one(
        "INSERT INTO users (name, role, agency, password_hash, created_at) VALUES (?1, ?2, ?3, ?4, ?5)
         RETURNING id",
        params![name, role_name, agency, hash, now],
        |r| r.get(0),
    )?;
    Ok(User {
        id,
        name: name.to_owned(),
        role: role.clone(),
    })
}

/// Ends every session of the user `name`.
fn end_sessions_of(conn: &Db, name: &str) -> Result<(), StoreError> {
    conn.execute(
        "DELETE FROM sessions WHERE user_id IN (SELECT id FROM users WHERE name = ?1)",
        params![name],
    )?;
    Ok(())
}

/// What [`set_password`] did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PasswordSet {
    /// No user has that name.
    NoUser,
    /// The password was set and the sessions ended; `api_tokens_revoked` tokens (0 or
    /// 1: a user has at most one) were revoked.
    Set { api_tokens_revoked: usize },
}

/// Sets a new password and ends the user's sessions. Unless `keep_api_token`, the
/// user's API token is revoked too: a password is changed when it may be known to
/// someone else, who may have made a token with it (issue 20, finding 15).
pub fn set_password(
    conn: &Db,
    name: &str,
    password: &str,
    keep_api_token: bool,
) -> Result<PasswordSet, StoreError> {
    let hash = hash_password(password)?;
    let n = conn.execute(
        "UPDATE users SET password_hash = ?2 WHERE name = ?1",
        params![name, hash],
    )?;
    if n == 0 {
        return Ok(PasswordSet::NoUser);
    }
    end_sessions_of(conn, name)?;
    let api_tokens_revoked = if keep_api_token {
        0
    } else {
        conn.execute(
            "UPDATE users SET api_token_sha256 = NULL WHERE name = ?1 AND api_token_sha256 IS NOT NULL",
            params![name],
        )?
    };
    Ok(PasswordSet::Set { api_tokens_revoked })
}

/// Disables a user (their sessions end, their API token stops working); false when no
/// active user has that name.
pub fn disable(conn: &Db, name: &str, now: f64) -> Result<bool, StoreError> {
    let n = conn.execute(
        "UPDATE users SET disabled_at = ?2 WHERE name = ?1 AND disabled_at IS NULL",
        params![name, now],
    )?;
    end_sessions_of(conn, name)?;
    Ok(n > 0)
}

/// A new API token for the user (replacing any old one), shown once; None when no
/// active user has that name.
pub fn new_api_token(conn: &Db, name: &str) -> Result<Option<String>, StoreError> {
    let token = format!("smu1_{}", random_hex(32)?);
    let n = conn.execute(
        "UPDATE users SET api_token_sha256 = ?2 WHERE name = ?1 AND disabled_at IS NULL",
        params![name, token_hash(&token)],
    )?;
    Ok((n > 0).then_some(token))
}

/// Every user, by name.
pub fn list(conn: &Db) -> Result<Vec<UserRow>, StoreError> {
    Ok(conn.query(
        "SELECT id, name, role, agency, api_token_sha256 IS NOT NULL, created_at, disabled_at
         FROM users ORDER BY name",
        params![],
        |r| {
            Ok(UserRow {
                user: user_from(r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?),
                has_api_token: r.get(4)?,
                created_at: r.get(5)?,
                disabled_at: r.get(6)?,
            })
        },
    )?)
}

/// The active user holding the API token.
pub fn by_api_token(conn: &Db, token: &str) -> Result<Option<User>, StoreError> {
    Ok(conn.query_row(
        "SELECT id, name, role, agency FROM users
         WHERE api_token_sha256 = ?1 AND disabled_at IS NULL",
        params![token_hash(token)],
        |r| Ok(user_from(r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?)),
    )?)
}

/// The password hash of an active user, for a login (verified off the database lock).
pub fn login_hash(conn: &Db, name: &str) -> Result<Option<(User, String)>, StoreError> {
    Ok(conn.query_row(
        "SELECT id, name, role, agency, password_hash FROM users
             WHERE name = ?1 AND disabled_at IS NULL",
        params![name],
        |r| {
            Ok((
                user_from(r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?),
                r.get(4)?,
            ))
        },
    )?)
}

/// A valid argon2id hash of no password anyone has: a login for an unknown user costs
/// as much as one for a known user, so the time taken does not tell which names exist.
fn dummy_hash() -> &'static str {
    static DUMMY: std::sync::OnceLock<String> = std::sync::OnceLock::new();
    DUMMY.get_or_init(|| {
        SaltString::encode_b64(b"simpul-no-user!!")
            .and_then(|salt| {
                Argon2::default()
                    .hash_password(b"\x00no user has this password\x00", &salt)
                    .map(|h| h.to_string())
            })
            .unwrap_or_default()
    })
}

/// Whether `password` matches `hash` (None: check against the dummy, always false).
/// CPU-heavy (argon2id, about 19 MiB and tens of milliseconds): call off the async
/// workers, on few threads (each keeps its 19 MiB, see [`hash_matches`]).
pub fn verify(hash: Option<&str>, password: &str) -> bool {
    let h = hash.unwrap_or_else(|| dummy_hash());
    hash_matches(h, password.as_bytes()) && hash.is_some()
}

thread_local! {
    /// argon2's working memory, kept by each thread that verifies passwords.
    static BLOCKS: std::cell::RefCell<Vec<Block>> = const { std::cell::RefCell::new(Vec::new()) };
}

/// `PasswordVerifier::verify_password`, but in this thread's reused working memory.
///
/// argon2 allocates its 19 MiB of blocks 64-byte aligned for every hash, and glibc
/// does not give a freed aligned block back to the next aligned request of the same
/// size (memalign asks for more than the freed chunk): every verification left about
/// 19 MiB resident, 740 MiB after 50 logins even with four at a time (issue 20,
/// finding 8). Allocated once per thread, the memory is bounded by the threads.
fn hash_matches(hash: &str, password: &[u8]) -> bool {
    let Ok(parsed) = PasswordHash::new(hash) else {
        return false;
    };
    let (Some(salt), Some(expected)) = (parsed.salt, parsed.hash) else {
        return false;
    };
    let (Ok(algorithm), Ok(version), Ok(params)) = (
        Algorithm::try_from(parsed.algorithm),
        parsed
            .version
            .map_or(Ok(Version::default()), Version::try_from),
        Params::try_from(&parsed),
    ) else {
        return false;
    };
    let mut salt_bytes = [0u8; 64];
    let Ok(salt) = salt.decode_b64(&mut salt_bytes) else {
        return false;
    };
    let blocks_needed = params.block_count();
    let argon2 = Argon2::new(algorithm, version, params);
    let mut out = vec![0u8; expected.len()];
    let hashed = BLOCKS.with_borrow_mut(|blocks| {
        if blocks.len() < blocks_needed {
            blocks.resize(blocks_needed, Block::default());
        }
        argon2
            .hash_password_into_with_memory(password, salt, &mut out, &mut blocks[..blocks_needed])
            .is_ok()
    });
    // `Output`'s comparison takes constant time
    hashed && Output::new(&out).is_ok_and(|o| o == expected)
}

/// A new session for the user: (cookie value, CSRF token). The cookie value is stored
/// only as its hash.
pub fn new_session(
    conn: &Db,
    user: &User,
    now: f64,
    max_age_secs: f64,
) -> Result<(String, String), StoreError> {
    let id = random_hex(32)?;
    let csrf = random_hex(32)?;
    conn.execute(
        "INSERT INTO sessions (id_sha256, user_id, csrf, created_at, last_seen, expires_at)
         VALUES (?1, ?2, ?3, ?4, ?4, ?5)",
        params![token_hash(&id), user.id, csrf, now, now + max_age_secs],
    )?;
    // expired sessions of everyone go with each login: the table stays small
    conn.execute("DELETE FROM sessions WHERE expires_at < ?1", params![now])?;
    Ok((id, csrf))
}

/// The user and CSRF token of a live session (not past its absolute expiry, and used
/// within `idle_secs`); records the use.
pub fn session(
    conn: &Db,
    id: &str,
    now: f64,
    idle_secs: f64,
) -> Result<Option<(User, String, Option<String>)>, StoreError> {
    let h = token_hash(id);
    let found = conn.query_row(
        "SELECT u.id, u.name, u.role, u.agency, s.csrf, u.language FROM sessions s
             JOIN users u ON u.id = s.user_id
             WHERE s.id_sha256 = ?1 AND s.expires_at > ?2 AND s.last_seen + ?3 > ?2
               AND u.disabled_at IS NULL",
        params![h, now, idle_secs],
        |r| {
            Ok((
                user_from(r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?),
                r.get::<_, String>(4)?,
                r.get::<_, Option<String>>(5)?,
            ))
        },
    )?;
    if found.is_some() {
        conn.execute(
            "UPDATE sessions SET last_seen = ?2 WHERE id_sha256 = ?1",
            params![h, now],
        )?;
    }
    Ok(found)
}

/// Ends a session (logout).
pub fn end_session(conn: &Db, id: &str) -> Result<(), StoreError> {
    conn.execute(
        "DELETE FROM sessions WHERE id_sha256 = ?1",
        params![token_hash(id)],
    )?;
    Ok(())
}

/// Records user `id`'s language of the pages (None: the browser's, else the default).
pub fn set_language(conn: &Db, id: i64, language: Option<&str>) -> Result<(), StoreError> {
    conn.execute(
        "UPDATE users SET language = ?2 WHERE id = ?1",
        params![id, language],
    )?;
    Ok(())
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, reason = "test code")]
    use super::*;

    #[test]
    fn passwords_sessions_and_tokens() {
        super::super::testing::each_engine(|c| {
            let u = add(
                c,
                "ani",
                &Role::Agency("dinkes".into()),
                "correct horse battery",
                1.0,
            )
            .unwrap();
            assert!(matches!(
                add(c, "ani", &Role::Admin, "another long password", 1.0),
                Err(StoreError::Conflict(_))
            ));
            let (found, hash) = login_hash(c, "ani").unwrap().unwrap();
            assert_eq!(found, u);
            assert!(hash.starts_with("$argon2id$"));
            assert!(verify(Some(&hash), "correct horse battery"));
            assert!(!verify(Some(&hash), "wrong horse battery"));
            assert!(!verify(None, "correct horse battery"));

            let (sid, csrf) = new_session(c, &u, 100.0, 3600.0).unwrap();
            let (su, scsrf, lang) = session(c, &sid, 200.0, 600.0).unwrap().unwrap();
            assert_eq!((su, scsrf, lang), (u.clone(), csrf, None));
            // the language chosen is the session's from then on
            set_language(c, u.id, Some("id")).unwrap();
            let (_, _, lang) = session(c, &sid, 210.0, 600.0).unwrap().unwrap();
            assert_eq!(lang.as_deref(), Some("id"));
            assert!(session(c, &sid, 900.0, 600.0).unwrap().is_none(), "idle");
            assert!(session(c, "forged", 200.0, 600.0).unwrap().is_none());
            let (sid2, _) = new_session(c, &u, 1000.0, 3600.0).unwrap();
            assert!(
                session(c, &sid2, 4700.0, 1e9).unwrap().is_none(),
                "absolute expiry"
            );
            let (sid3, _) = new_session(c, &u, 5000.0, 3600.0).unwrap();
            end_session(c, &sid3).unwrap();
            assert!(
                session(c, &sid3, 5001.0, 600.0).unwrap().is_none(),
                "logged out"
            );

            let token = new_api_token(c, "ani").unwrap().unwrap();
            assert_eq!(by_api_token(c, &token).unwrap(), Some(u.clone()));
            let kept = set_password(c, "ani", "another long password", true).unwrap();
            assert_eq!(
                kept,
                PasswordSet::Set {
                    api_tokens_revoked: 0
                }
            );
            assert!(by_api_token(c, &token).unwrap().is_some(), "kept");
            let revoked = set_password(c, "ani", "correct horse battery", false).unwrap();
            assert_eq!(
                revoked,
                PasswordSet::Set {
                    api_tokens_revoked: 1
                }
            );
            assert!(by_api_token(c, &token).unwrap().is_none(), "revoked");
            assert_eq!(
                set_password(c, "nobody", "another long password", false).unwrap(),
                PasswordSet::NoUser
            );
            let token = new_api_token(c, "ani").unwrap().unwrap();
            let (sid4, _) = new_session(c, &u, 6000.0, 3600.0).unwrap();
            assert!(disable(c, "ani", 6001.0).unwrap());
            assert!(by_api_token(c, &token).unwrap().is_none());
            assert!(session(c, &sid4, 6002.0, 600.0).unwrap().is_none());
            assert!(login_hash(c, "ani").unwrap().is_none());
        });
    }

    #[test]
    fn names_and_passwords_are_checked() {
        assert!(is_valid_name("ani.dinkes@kab"));
        assert!(!is_valid_name("Ani"));
        assert!(!is_valid_name("-x"));
        assert!(!is_valid_name(""));
        assert!(check_password("short").unwrap_err().contains("at least 12"));
        assert!(check_password("twelve chars").is_ok());
    }
}
