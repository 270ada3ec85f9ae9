//! Certificate files on servers (issue 26): the certificates each agent reads from the
//! files of its `[[certificates]]`, parsed here (the agent parses no X.509) with
//! webcheck's [`CertInfo`], verified against the system's CAs and `certificate_ca_files`
//! ([`Checker`]), and stored newest per (agent, path) in `host_certificates`.
//!
//! A report's section is the agent's whole list: a path it no longer lists is removed.
//! The verdict is decided when the report arrives (the agent sends every file at least
//! hourly); a certificate that was valid then and whose not-after has passed since is
//! shown as expired ([`Stored::verdict_at`]).

use std::collections::HashMap;
use std::path::PathBuf;
use std::sync::RwLock;

use serde::Serialize;
use sha2::{Digest, Sha256};
use simpul_protocol::CertificateFile;
use simpul_webcheck::{utc_text, CertInfo, Trust, Verdict};

use crate::params;
use crate::store::db::{Db, DbError};

/// What certificate files are verified against.
#[derive(Debug, Clone)]
pub struct Checker {
    trust: Option<Trust>,
}

impl Checker {
    /// The system's CAs (when its bundle is readable) and those of `ca_files`. Without
    /// either, every certificate is `unknown_ca`, and an error says why.
    pub fn new(ca_files: &[PathBuf]) -> Self {
        let trust = match Trust::from_bundles(true, ca_files) {
            Ok(t) => Some(t),
            Err(e) => {
                tracing::error!(error = %e, "cannot verify certificate files against the system's CAs (install ca-certificates); only certificate_ca_files are trusted");
                if ca_files.is_empty() {
                    None
                } else {
                    match Trust::from_bundles(false, ca_files) {
                        Ok(t) => Some(t),
                        Err(e) => {
                            tracing::error!(error = %e, "cannot read certificate_ca_files");
                            None
                        }
                    }
                }
            }
        };
        Self { trust }
    }

    /// The verdict on `chain` (DER, the file's order) at `now`, its reason, and what it
    /// was verified against.
    pub fn verify(&self, chain: &[Vec<u8>], now: i64) -> (Verdict, String, String) {
        match &self.trust {
            Some(t) => {
                let (v, why) = t.verify_chain(chain, now);
                (v, why, t.source().to_owned())
            }
            None => (
                Verdict::UnknownCa,
                "no CAs to verify against: the system bundle is missing (install ca-certificates) and certificate_ca_files is empty".into(),
                String::new(),
            ),
        }
    }
}

/// One certificate file of one host, as stored.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Stored {
    pub agent_id: String,
    pub path: String,
    pub name: String,
    /// `pem`, `der`, or empty when the file could not be read.
    pub format: String,
    /// What the agent could not read (the whole file, or parts of it); empty when all
    /// was read.
    pub error: String,
    /// `valid`, `expired`, `not_yet_valid`, `unknown_ca` or `invalid`, when the report
    /// arrived; `None` without a certificate.
    pub verdict: Option<Verdict>,
    pub reason: String,
    /// What the chain was verified against: `system roots`, bundles' paths.
    pub trusted_by: String,
    /// The first certificate's validity, Unix seconds.
    pub not_before: Option<f64>,
    pub not_after: Option<f64>,
    /// Each certificate of the file, in its order: the first is the server's.
    pub chain: Vec<CertInfo>,
    /// Labels of PEM blocks the agent skipped and did not send (`PRIVATE KEY`).
    pub skipped: Vec<String>,
    /// SHA-256 of the certificates (hex): a new one is a renewal.
    pub digest: String,
    /// When these certificates were first reported, and the newest report of the file.
    pub since: f64,
    pub reported_at: f64,
}

impl Stored {
    /// The verdict and reason at `now`: one that was valid when reported is expired
    /// once its not-after has passed.
    pub fn verdict_at(&self, now: f64) -> (Option<Verdict>, String) {
        match (self.verdict, self.not_after) {
            (Some(Verdict::Valid), Some(na)) if na < now => (
                Some(Verdict::Expired),
                format!("expired {}", utc_text(na as i64)),
            ),
            (v, _) => (v, self.reason.clone()),
        }
    }

    /// Days from `now` to the first certificate's not-after (negative once expired).
    pub fn days_to_expiry(&self, now: f64) -> Option<f64> {
        self.not_after.map(|na| (na - now) / 86_400.0)
    }
}

/// One certificate file as the duties see it (the scorecard's websites and
/// certificates duty).
#[derive(Debug, Clone, PartialEq)]
pub struct FileStatus {
    pub agency: String,
    /// Its verdict at the evaluation (None: no certificate could be read from it).
    pub verdict: Option<Verdict>,
    /// Days from the evaluation to the first certificate's not-after.
    pub days_to_expiry: Option<f64>,
}

/// Every stored file of an agent still enrolled, with its agency, at `now`.
pub fn file_statuses(conn: &Db, now: f64) -> Result<Vec<FileStatus>, crate::store::StoreError> {
    let agency: HashMap<String, String> = crate::store::list_agents(conn)?
        .into_iter()
        .filter(|a| a.revoked_at.is_none())
        .map(|a| (a.binding.id, a.binding.agency))
        .collect();
    Ok(list_brief(conn)?
        .into_iter()
        .filter_map(|f| {
            agency.get(&f.agent_id).map(|a| FileStatus {
                agency: a.clone(),
                verdict: f.verdict_at(now).0,
                days_to_expiry: f.days_to_expiry(now),
            })
        })
        .collect())
}

/// The digest of a file's certificates.
fn digest(ders: &[Vec<u8>]) -> String {
    let mut h = Sha256::new();
    for d in ders {
        h.update((d.len() as u64).to_be_bytes());
        h.update(d);
    }
    h.finalize().iter().map(|b| format!("{b:02x}")).collect()
}

/// Stores the certificate section `files` of `agent`'s report of `time` (validated:
/// base64 DER). A report older than the stored one is ignored.
pub fn record(
    tx: &Db,
    checker: &Checker,
    agent: &str,
    time: f64,
    files: &[CertificateFile],
) -> Result<(), DbError> {
    let before: HashMap<String, (String, f64, f64)> = tx
        .query(
            "SELECT path, digest, since, reported_at FROM host_certificates WHERE agent_id = ?1",
            params![agent],
            |r| Ok((r.get::<_, String>(0)?, (r.get(1)?, r.get(2)?, r.get(3)?))),
        )?
        .into_iter()
        .collect();
    if before.values().any(|(_, _, at)| *at > time) {
        return Ok(());
    }
    for path in before.keys() {
        if !files.iter().any(|f| &f.path == path) {
            tx.execute(
                "DELETE FROM host_certificates WHERE agent_id = ?1 AND path = ?2",
                params![agent, path],
            )?;
        }
    }
    for f in files {
        let ders: Vec<Vec<u8>> = f
            .certificates
            .iter()
            .filter_map(|c| simpul_protocol::certificate_from_text(c))
            .collect();
        let chain: Vec<CertInfo> = ders.iter().map(|d| CertInfo::parse(d)).collect();
        let (verdict, reason, trusted_by) = if ders.is_empty() {
            (None, String::new(), String::new())
        } else {
            let (v, why, by) = checker.verify(&ders, time as i64);
            (Some(v), why, by)
        };
        let leaf = chain.first().filter(|c| c.error.is_empty());
        let digest = digest(&ders);
        let since = match before.get(&f.path) {
            Some((d, since, _)) if *d == digest => *since,
            _ => time,
        };
        let chain_json = serde_json::to_string(&chain).map_err(DbError::other)?;
        let skipped_json = serde_json::to_string(&f.skipped).map_err(DbError::other)?;
        tx.execute(
            "INSERT INTO host_certificates (agent_id, path, name, format, error, verdict, reason,
                trusted_by, not_before, not_after, chain_json, skipped_json, digest, since, reported_at)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15)
             ON CONFLICT (agent_id, path) DO UPDATE SET name = excluded.name,
                format = excluded.format, error = excluded.error, verdict = excluded.verdict,
                reason = excluded.reason, trusted_by = excluded.trusted_by,
                not_before = excluded.not_before, not_after = excluded.not_after,
                chain_json = excluded.chain_json, skipped_json = excluded.skipped_json,
                digest = excluded.digest, since = excluded.since,
                reported_at = excluded.reported_at",
            params![
                agent,
                f.path,
                f.name,
                f.format,
                f.error,
                verdict.map(Verdict::as_str),
                reason,
                trusted_by,
                leaf.map(|c| c.not_before as f64),
                leaf.map(|c| c.not_after as f64),
                chain_json,
                skipped_json,
                digest,
                since,
                time
            ],
        )?;
    }
    Ok(())
}

/// Every stored file (or `agent`'s), by agent and path.
pub fn list(conn: &Db, agent: Option<&str>) -> Result<Vec<Stored>, DbError> {
    read(conn, agent, "chain_json, skipped_json")
}

/// Every stored file without its chain and skipped blocks (empty): what `/metrics`
/// needs, read every few seconds.
pub fn list_brief(conn: &Db) -> Result<Vec<Stored>, DbError> {
    read(conn, None, "'[]', '[]'")
}

fn read(conn: &Db, agent: Option<&str>, chain_columns: &str) -> Result<Vec<Stored>, DbError> {
    conn.query(
        &format!(
            "SELECT agent_id, path, name, format, error, verdict, reason, trusted_by, not_before,
                    not_after, {chain_columns}, digest, since, reported_at
               FROM host_certificates WHERE agent_id = ?1 OR ?2 = 1 ORDER BY agent_id, path"
        ),
        params![agent.unwrap_or(""), i64::from(agent.is_none())],
        |r| {
            let verdict: Option<String> = r.get(5)?;
            let chain: String = r.get(10)?;
            let skipped: String = r.get(11)?;
            Ok(Stored {
                agent_id: r.get(0)?,
                path: r.get(1)?,
                name: r.get(2)?,
                format: r.get(3)?,
                error: r.get(4)?,
                verdict: verdict.as_deref().and_then(Verdict::parse),
                reason: r.get(6)?,
                trusted_by: r.get(7)?,
                not_before: r.get(8)?,
                not_after: r.get(9)?,
                chain: serde_json::from_str(&chain).unwrap_or_default(),
                skipped: serde_json::from_str(&skipped).unwrap_or_default(),
                digest: r.get(12)?,
                since: r.get(13)?,
                reported_at: r.get(14)?,
            })
        },
    )
}

/// Every host's stored files, for `/metrics`: refreshed from the database every few
/// seconds (by any replica's ingest).
#[derive(Debug, Default)]
pub struct Latest(RwLock<Vec<Stored>>);

impl Latest {
    pub fn replace(&self, rows: Vec<Stored>) {
        if let Ok(mut g) = self.0.write() {
            *g = rows;
        }
    }

    pub fn snapshot(&self) -> Vec<Stored> {
        self.0.read().map(|g| g.clone()).unwrap_or_default()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use rcgen::{BasicConstraints, CertificateParams, CertifiedIssuer, DnType, IsCa, KeyPair};

    fn ca(name: &str) -> CertifiedIssuer<'static, KeyPair> {
        let mut p = CertificateParams::new(Vec::<String>::new()).unwrap();
        p.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
        p.distinguished_name.push(DnType::CommonName, name);
        CertifiedIssuer::self_signed(p, KeyPair::generate().unwrap()).unwrap()
    }

    fn leaf(ca: &CertifiedIssuer<'static, KeyPair>, now: f64, days: i64) -> String {
        let mut p = CertificateParams::new(vec!["ldap.dinkes.go.id".to_owned()]).unwrap();
        let t = time::OffsetDateTime::from_unix_timestamp(now as i64).unwrap();
        p.not_before = t - time::Duration::days(1);
        p.not_after = t + time::Duration::days(days);
        let c = p.signed_by(&KeyPair::generate().unwrap(), ca).unwrap();
        simpul_protocol::certificate_to_text(c.der())
    }

    fn file(path: &str, certs: Vec<String>) -> CertificateFile {
        CertificateFile {
            path: path.into(),
            name: String::new(),
            format: "pem".into(),
            certificates: certs,
            skipped: vec!["PRIVATE KEY".into()],
            error: String::new(),
        }
    }

    #[test]
    fn the_newest_list_replaces_the_hosts_files_with_verdicts() {
        let dir = tempfile::tempdir().unwrap();
        let ca = ca("Test CA");
        let bundle = dir.path().join("ca.pem");
        std::fs::write(&bundle, ca.pem()).unwrap();
        let checker = Checker {
            trust: Some(Trust::from_bundles(false, &[bundle]).unwrap()),
        };
        crate::store::testing::each_engine(|db| {
            let now = 1_790_000_000.0;
            let ldap = leaf(&ca, now, 5);
            let files = [
                file("/etc/ldap/ldap.pem", vec![ldap.clone()]),
                file("/etc/ssl/gone.pem", vec![ldap.clone()]),
                CertificateFile {
                    error: "cannot read: No such file or directory (os error 2)".into(),
                    ..file("/etc/ssl/missing.pem", vec![])
                },
            ];
            record(db, &checker, "a1", now, &files).unwrap();
            let rows = list(db, Some("a1")).unwrap();
            assert_eq!(rows.len(), 3);
            let l = &rows[0];
            assert_eq!(l.verdict, Some(Verdict::Valid), "{}", l.reason);
            assert_eq!(l.skipped, ["PRIVATE KEY"]);
            assert_eq!(l.chain[0].sans, ["ldap.dinkes.go.id"]);
            assert!((l.days_to_expiry(now).unwrap() - 5.0).abs() < 0.01);
            assert_eq!(l.since, now);
            assert_eq!(rows[2].verdict, None);
            assert!(rows[2].error.starts_with("cannot read"));
            // once its not-after has passed it shows as expired
            let (v, why) = l.verdict_at(now + 6.0 * 86_400.0);
            assert_eq!(v, Some(Verdict::Expired));
            assert!(why.starts_with("expired "), "{why}");
            // the next list: one file gone, the other unchanged (its since kept)
            record(db, &checker, "a1", now + 60.0, &files[..1]).unwrap();
            let rows = list(db, None).unwrap();
            assert_eq!(rows.len(), 1);
            assert_eq!((rows[0].since, rows[0].reported_at), (now, now + 60.0));
            // an older report (spooled) changes nothing
            record(db, &checker, "a1", now + 30.0, &files).unwrap();
            assert_eq!(list(db, None).unwrap().len(), 1);
            // a renewal is a new since; an unknown CA is named
            let other = leaf(&self::ca("Another CA"), now, 90);
            record(
                db,
                &checker,
                "a1",
                now + 90.0,
                &[file("/etc/ldap/ldap.pem", vec![other])],
            )
            .unwrap();
            let r = &list(db, Some("a1")).unwrap()[0];
            assert_eq!(r.since, now + 90.0);
            assert_eq!(r.verdict, Some(Verdict::UnknownCa));
            assert!(list(db, Some("a2")).unwrap().is_empty());
            let brief = list_brief(db).unwrap();
            assert_eq!(brief[0].verdict, r.verdict);
            assert_eq!(brief[0].not_after, r.not_after);
            assert!(brief[0].chain.is_empty());
        });
    }
}
