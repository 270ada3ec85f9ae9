//! One-step enrolment: `simpul-collector agent add --enroll-code` stores a short-lived,
//! single-use code (as a hash) for a new agent; `POST /api/v1/enroll` exchanges it for
//! the agent's token (a fresh one, so nobody who saw `agent add` knows it).

use crate::params;

use super::{random_hex, rotate_agent, token_hash, AgentBinding, Db, StoreError};

/// Letters and digits that cannot be mistaken for each other when read aloud or typed
/// (no 0/O, 1/I/L, U).
const ALPHABET: &[u8] = b"ABCDEFGHJKMNPQRSTVWXYZ23456789";

/// A new code: 16 characters (about 78 bits) in groups of four, `K7QD-3MXP-9WZT-HB2F`.
pub fn new_code() -> Result<String, StoreError> {
    let hex = random_hex(32)?;
    let mut out = String::with_capacity(19);
    for (i, pair) in hex.as_bytes().chunks(2).take(16).enumerate() {
        let b = u8::from_str_radix(std::str::from_utf8(pair).unwrap_or("00"), 16).unwrap_or(0);
        if i > 0 && i % 4 == 0 {
            out.push('-');
        }
        // 256 % 30 = 16: the first 16 letters are a little likelier; 78 bits stay
        out.push(char::from(ALPHABET[usize::from(b) % ALPHABET.len()]));
    }
    Ok(out)
}

/// A code as typed: case, spaces and dashes do not matter.
pub fn normalize(code: &str) -> String {
    code.chars()
        .filter(|c| !matches!(c, '-' | ' '))
        .map(|c| c.to_ascii_uppercase())
        .collect()
}

/// Stores a code for `agent_id`, valid for `valid_secs` from `now`; returns it.
pub fn create_code(
    conn: &Db,
    agent_id: &str,
    valid_secs: f64,
    now: f64,
) -> Result<String, StoreError> {
    let code = new_code()?;
    conn.execute(
        "INSERT INTO enroll_codes (code_sha256, agent_id, created_at, expires_at) VALUES (?1, ?2, ?3, ?4)",
        params![token_hash(&normalize(&code)), agent_id, now, now + valid_secs],
    )?;
    Ok(code)
}

/// Why a code cannot be exchanged.
#[derive(Debug, PartialEq)]
pub enum Refused {
    Unknown,
    Used {
        at: f64,
    },
    Expired {
        at: f64,
    },
    /// The agent was revoked after the code was made.
    Revoked,
}

/// Exchanges `code` for the agent's binding and a fresh token, once.
pub fn redeem(
    conn: &Db,
    code: &str,
    now: f64,
) -> Result<Result<(AgentBinding, String), Refused>, StoreError> {
    let hash = token_hash(&normalize(code));
    conn.transaction(|tx| redeem_in(tx, &hash, now))
}

fn redeem_in(
    tx: &Db,
    hash: &str,
    now: f64,
) -> Result<Result<(AgentBinding, String), Refused>, StoreError> {
    // FOR UPDATE where PostgreSQL has it: two replicas redeeming one code at once
    // serialise here, and the second sees it used (SQLite's writes are serial anyway)
    let lock = match tx.engine() {
        super::Engine::Postgres => " FOR UPDATE",
        super::Engine::Sqlite => "",
    };
    let row: Option<(String, f64, Option<f64>)> = tx.query_row(
        &format!(
            "SELECT agent_id, expires_at, used_at FROM enroll_codes WHERE code_sha256 = ?1{lock}"
        ),
        params![hash],
        |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)),
    )?;
    let Some((agent_id, expires_at, used_at)) = row else {
        return Ok(Err(Refused::Unknown));
    };
    if let Some(at) = used_at {
        return Ok(Err(Refused::Used { at }));
    }
    if now > expires_at {
        return Ok(Err(Refused::Expired { at: expires_at }));
    }
    let Some(token) = rotate_agent(tx, &agent_id)? else {
        return Ok(Err(Refused::Revoked));
    };
    tx.execute(
        "UPDATE enroll_codes SET used_at = ?2 WHERE code_sha256 = ?1",
        params![hash, now],
    )?;
    let binding = tx.query_one(
        "SELECT id, agency, host, site FROM agents WHERE id = ?1",
        params![agent_id],
        super::binding_from_row,
    )?;
    Ok(Ok((binding, token)))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_code_works_once_and_not_after_it_expires() {
        crate::store::testing::each_engine(|conn| {
            let (b, first_token) = super::super::add_agent(conn, "dinkes", "web-01", None).unwrap();
            let code = create_code(conn, &b.id, 3600.0, 1000.0).unwrap();
            assert_eq!(code.len(), 19);
            assert!(code
                .chars()
                .all(|c| c == '-' || ALPHABET.contains(&(c as u8))));
            assert_eq!(redeem(conn, "nope", 1001.0).unwrap(), Err(Refused::Unknown));
            // typed in lower case without dashes: the same code
            let typed = normalize(&code).to_lowercase();
            let (got, token) = redeem(conn, &typed, 1001.0).unwrap().unwrap();
            assert_eq!(got.id, b.id);
            assert_ne!(token, first_token, "a fresh token");
            assert!(super::super::agent_by_token(conn, &token)
                .unwrap()
                .is_some());
            assert!(super::super::agent_by_token(conn, &first_token)
                .unwrap()
                .is_none());
            assert_eq!(
                redeem(conn, &code, 1002.0).unwrap(),
                Err(Refused::Used { at: 1001.0 })
            );
            let late = create_code(conn, &b.id, 60.0, 2000.0).unwrap();
            assert_eq!(
                redeem(conn, &late, 2061.0).unwrap(),
                Err(Refused::Expired { at: 2060.0 })
            );
            let revoked = create_code(conn, &b.id, 60.0, 3000.0).unwrap();
            super::super::revoke_agent(conn, &b.id).unwrap();
            assert_eq!(
                redeem(conn, &revoked, 3001.0).unwrap(),
                Err(Refused::Revoked)
            );
        });
    }
}
