//! The agent token: `smp1_<agent id>_<64 hex digits of secret>`, as printed by
//! `simpul-collector agent add`. The agent id is public; the secret never leaves the
//! token file except in the `Authorization` header.

use std::fmt;
use std::path::Path;

/// A parsed token. `Debug` and `Display` never show the secret.
#[derive(Clone)]
pub struct Token {
    agent_id: String,
    full: String,
}

impl fmt::Debug for Token {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Token({}, secret hidden)", self.agent_id)
    }
}

/// Why a token file cannot be used.
#[derive(Debug, thiserror::Error)]
pub enum TokenError {
    #[error("cannot read token file {path}: {source}")]
    Read {
        path: String,
        source: std::io::Error,
    },
    #[error("token file {path} does not hold a Simpul agent token (expected smp1_<agent id>_<64 hex digits>, as printed by `simpul-collector agent add`)")]
    Format { path: String },
}

/// Writes `text` to `path` readable by its owner only (0600), atomically: a temporary
/// file in the same directory, fsynced, renamed over.
pub fn write_private(path: &Path, text: &str) -> anyhow::Result<()> {
    use std::io::Write;
    use std::os::unix::fs::OpenOptionsExt;
    let dir = path
        .parent()
        .filter(|d| !d.as_os_str().is_empty())
        .unwrap_or(Path::new("."));
    std::fs::create_dir_all(dir)
        .map_err(|e| anyhow::anyhow!("cannot create {}: {e}", dir.display()))?;
    let tmp = path.with_extension("tmp");
    let mut f = std::fs::OpenOptions::new()
        .write(true)
        .create(true)
        .truncate(true)
        .mode(0o600)
        .open(&tmp)
        .map_err(|e| anyhow::anyhow!("cannot write {}: {e}", tmp.display()))?;
    f.write_all(text.trim().as_bytes())
        .and_then(|()| f.write_all(b"\n"))
        .and_then(|()| f.sync_all())
        .map_err(|e| anyhow::anyhow!("cannot write {}: {e}", tmp.display()))?;
    std::fs::rename(&tmp, path)
        .map_err(|e| anyhow::anyhow!("cannot move {} to {}: {e}", tmp.display(), path.display()))?;
    Ok(())
}

impl Token {
    /// Parses a token string (surrounding whitespace ignored).
    pub fn parse(s: &str) -> Option<Self> {
        let s = s.trim();
        let rest = s.strip_prefix("smp1_")?;
        let (id, secret) = rest.rsplit_once('_')?;
        let ok = simpul_protocol::is_valid_id(id)
            && secret.len() == 64
            && secret.bytes().all(|b| b.is_ascii_hexdigit());
        ok.then(|| Self {
            agent_id: id.to_owned(),
            full: s.to_owned(),
        })
    }

    /// Reads and parses a token file.
    pub fn load(path: &Path) -> Result<Self, TokenError> {
        let p = path.display().to_string();
        let text = std::fs::read_to_string(path).map_err(|source| TokenError::Read {
            path: p.clone(),
            source,
        })?;
        Self::parse(&text).ok_or(TokenError::Format { path: p })
    }

    /// The agent id the token was issued for.
    pub fn agent_id(&self) -> &str {
        &self.agent_id
    }

    /// The whole token, for the `Authorization: Bearer` header only.
    pub fn secret_header(&self) -> &str {
        &self.full
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_and_hides_the_secret() {
        let t = Token::parse(&format!(" smp1_a1b2c3_{}\n", "ab".repeat(32))).unwrap();
        assert_eq!(t.agent_id(), "a1b2c3");
        assert!(!format!("{t:?}").contains("abab"));
    }

    #[test]
    fn rejects_malformed_tokens() {
        for bad in [
            "",
            "smp1_",
            "smp1_a_short",
            &format!("smp2_a_{}", "0".repeat(64)),
            &format!("smp1_A_{}", "0".repeat(64)),
        ] {
            assert!(Token::parse(bad).is_none(), "{bad}");
        }
    }
}
