//! Certificate files on the server (`[[certificates]]` in agent.toml, issue 26): for
//! certificates that are not served over HTTPS (a mail server's, LDAP's, a VPN's, a
//! client certificate), the agent reads each configured file and sends the
//! certificates it holds; the collector parses and verifies them.
//!
//! The agent parses no X.509 (it stays lean). A file is PEM when it holds a
//! `-----BEGIN` line, else DER. Of a PEM file only the `CERTIFICATE` blocks are sent;
//! every other block (a private key above all) is skipped and only its label is named.
//! Every block sent, and a DER file, must be shaped like a certificate (a SEQUENCE
//! whose first element is a SEQUENCE); one shaped like a private key (its first element
//! an INTEGER) is never sent. Files are checked every `certificate_check_secs` (a
//! `stat` each), read again when one changed, and the whole list is sent at start,
//! when a file changed, and hourly.

use std::collections::hash_map::DefaultHasher;
use std::hash::{Hash, Hasher};
use std::io::Read;
use std::os::unix::fs::MetadataExt;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use serde::Deserialize;
use simpul_protocol::{
    certificate_to_text, der_shape, CertificateFile, DerShape, MAX_CERTIFICATES_PER_FILE,
    MAX_CERTIFICATE_DER_BYTES, MAX_CERTIFICATE_FILES, MAX_CERTIFICATE_FILE_BYTES,
    MAX_CERTIFICATE_PATH_BYTES,
};

/// The whole list is sent again at least this often, changed or not.
pub const RESEND_EVERY: Duration = Duration::from_secs(3600);

/// One `[[certificates]]` entry of agent.toml.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CertificateConfig {
    /// The file (absolute): PEM (one or more certificates, a chain; other blocks are
    /// skipped) or DER (one certificate).
    pub path: PathBuf,
    /// What it is for, shown beside the path (optional), e.g. "Postfix".
    #[serde(default)]
    pub name: Option<String>,
}

/// Every problem of the `[[certificates]]` entries and `certificate_check_secs`, each
/// naming the key and what is valid.
pub fn problems(entries: &[CertificateConfig], check_secs: u32) -> Vec<String> {
    let mut p = Vec::new();
    if !(1..=86_400).contains(&check_secs) {
        p.push(format!(
            "certificate_check_secs = {check_secs}: must be between 1 and 86400 seconds"
        ));
    }
    if entries.len() > MAX_CERTIFICATE_FILES {
        p.push(format!(
            "certificates: {} entries; at most {MAX_CERTIFICATE_FILES} files may be listed",
            entries.len()
        ));
    }
    let mut seen = std::collections::HashSet::new();
    for (i, e) in entries.iter().enumerate() {
        let path = e.path.display();
        let text = e.path.to_str();
        if !e.path.is_absolute() {
            p.push(format!(
                "certificates[{i}].path = {:?}: must be an absolute path, e.g. \"/etc/ssl/certs/mail.pem\"",
                path.to_string()
            ));
        } else if text.is_none() {
            p.push(format!(
                "certificates[{i}].path = {:?}: must be valid UTF-8",
                path.to_string()
            ));
        } else if text.is_some_and(|t| t.len() > MAX_CERTIFICATE_PATH_BYTES) {
            p.push(format!(
                "certificates[{i}].path: must be at most {MAX_CERTIFICATE_PATH_BYTES} bytes"
            ));
        } else if text.is_some_and(|t| t.chars().any(char::is_control)) {
            p.push(format!(
                "certificates[{i}].path = {:?}: must not contain control characters",
                path.to_string()
            ));
        } else if !seen.insert(e.path.clone()) {
            p.push(format!(
                "certificates[{i}].path = {:?}: listed twice; name each file once",
                path.to_string()
            ));
        }
        if let Some(n) = &e.name {
            if n.is_empty() || n.len() > 128 || n.chars().any(char::is_control) {
                p.push(format!(
                    "certificates[{i}].name = {n:?}: must be 1 to 128 characters without control characters"
                ));
            }
        }
    }
    p
}

/// The label of a PEM block that is a certificate.
const CERTIFICATE_LABEL: &str = "CERTIFICATE";

/// What a file holds: the certificates to send (DER), the labels of the blocks skipped,
/// and problems with parts of it.
#[derive(Debug, Default, PartialEq, Eq)]
pub struct Split {
    pub format: &'static str,
    pub certificates: Vec<Vec<u8>>,
    pub skipped: Vec<String>,
    pub problems: Vec<String>,
}

/// Splits a file's bytes into certificates: PEM when it holds a `-----BEGIN ` line,
/// else one DER certificate.
pub fn split(bytes: &[u8]) -> Split {
    let pem = bytes
        .split(|b| *b == b'\n')
        .any(|l| l.trim_ascii().starts_with(b"-----BEGIN "));
    if pem {
        return split_pem(bytes);
    }
    let mut s = Split {
        format: "der",
        ..Split::default()
    };
    match der_shape(bytes) {
        DerShape::Certificate if bytes.len() <= MAX_CERTIFICATE_DER_BYTES => {
            s.certificates.push(bytes.to_vec());
        }
        DerShape::Certificate => s.problems.push(format!(
            "the DER certificate is {} bytes; at most {MAX_CERTIFICATE_DER_BYTES} are sent",
            bytes.len()
        )),
        DerShape::PrivateKey => s
            .problems
            .push("holds a DER private key, not a certificate: not sent".into()),
        DerShape::Other => s
            .problems
            .push("neither PEM (-----BEGIN CERTIFICATE-----) nor one DER certificate".into()),
    }
    s
}

/// The blocks of a PEM file: each `CERTIFICATE` block decoded and checked, every other
/// block skipped (its label kept); text outside blocks ignored, as openssl does.
fn split_pem(bytes: &[u8]) -> Split {
    let text = String::from_utf8_lossy(bytes);
    let mut s = Split {
        format: "pem",
        ..Split::default()
    };
    // (label, base64 body) of the block being read
    let mut block: Option<(String, String)> = None;
    let mut n = 0;
    for line in text.lines() {
        let line = line.trim();
        if let Some(label) = line
            .strip_prefix("-----BEGIN ")
            .and_then(|l| l.strip_suffix("-----"))
        {
            if let Some((open, _)) = block.take() {
                s.problems.push(format!("block {open} has no END line"));
            }
            block = Some((label.to_owned(), String::new()));
            continue;
        }
        if let Some(label) = line
            .strip_prefix("-----END ")
            .and_then(|l| l.strip_suffix("-----"))
        {
            let Some((open, body)) = block.take() else {
                continue;
            };
            n += 1;
            if open != label {
                s.problems
                    .push(format!("block {n}: BEGIN {open} ends with END {label}"));
            } else if open != CERTIFICATE_LABEL {
                // never decoded, never sent: a private key stays on the server
                if s.skipped.len() < MAX_CERTIFICATES_PER_FILE {
                    s.skipped.push(open.chars().take(64).collect());
                }
            } else if s.certificates.len() >= MAX_CERTIFICATES_PER_FILE {
                s.problems.push(format!(
                    "more than {MAX_CERTIFICATES_PER_FILE} certificates; the first {MAX_CERTIFICATES_PER_FILE} are sent"
                ));
            } else {
                match simpul_protocol::certificate_from_text(&body) {
                    None => s
                        .problems
                        .push(format!("block {n} (CERTIFICATE) is not valid base64")),
                    Some(der) if der.len() > MAX_CERTIFICATE_DER_BYTES => s.problems.push(format!(
                        "block {n} (CERTIFICATE) is larger than {MAX_CERTIFICATE_DER_BYTES} bytes"
                    )),
                    Some(der) => match der_shape(&der) {
                        DerShape::Certificate => s.certificates.push(der),
                        DerShape::PrivateKey => s.problems.push(format!(
                            "block {n} is labelled CERTIFICATE but holds a private key: not sent"
                        )),
                        DerShape::Other => s
                            .problems
                            .push(format!("block {n} (CERTIFICATE) is not a DER certificate")),
                    },
                }
            }
            continue;
        }
        if let Some((open, body)) = &mut block {
            // headers of an encrypted key (Proc-Type, DEK-Info) are no base64
            if open == CERTIFICATE_LABEL && !line.contains(':') {
                body.push_str(line);
            }
        }
    }
    if let Some((open, _)) = block {
        s.problems.push(format!("block {open} has no END line"));
    }
    s.problems.dedup();
    s
}

/// Reads `entry`'s file into the section's entry. A missing, unreadable or too large
/// file is an entry with its `error`, never a failure of the agent.
pub fn read(entry: &CertificateConfig) -> CertificateFile {
    let mut out = CertificateFile {
        path: entry.path.to_string_lossy().into_owned(),
        name: entry.name.clone().unwrap_or_default(),
        format: String::new(),
        certificates: Vec::new(),
        skipped: Vec::new(),
        error: String::new(),
    };
    let bytes = match read_bounded(&entry.path) {
        Ok(b) => b,
        Err(e) => {
            out.error = e;
            return out;
        }
    };
    let s = split(&bytes);
    out.format = s.format.into();
    out.certificates = s
        .certificates
        .iter()
        .map(|d| certificate_to_text(d))
        .collect();
    out.skipped = s.skipped;
    let mut problems = s.problems;
    if out.certificates.is_empty() && problems.is_empty() {
        problems.push("holds no certificate (no -----BEGIN CERTIFICATE----- block)".into());
    }
    let mut error = problems.join("; ");
    if error.len() > 1000 {
        let mut cut = 1000;
        while !error.is_char_boundary(cut) {
            cut -= 1;
        }
        error.truncate(cut);
    }
    out.error = error;
    out
}

/// The file's bytes, at most [`MAX_CERTIFICATE_FILE_BYTES`]; else why not.
fn read_bounded(path: &Path) -> Result<Vec<u8>, String> {
    // checked before opening: opening a FIFO would block the sampler
    let meta = std::fs::metadata(path).map_err(|e| format!("cannot read: {e}"))?;
    if !meta.is_file() {
        return Err("not a regular file".into());
    }
    let f = std::fs::File::open(path).map_err(|e| format!("cannot read: {e}"))?;
    let mut bytes = Vec::new();
    f.take(MAX_CERTIFICATE_FILE_BYTES + 1)
        .read_to_end(&mut bytes)
        .map_err(|e| format!("cannot read: {e}"))?;
    if bytes.len() as u64 > MAX_CERTIFICATE_FILE_BYTES {
        return Err(format!(
            "larger than {} bytes (1 MiB): not a certificate file",
            MAX_CERTIFICATE_FILE_BYTES
        ));
    }
    Ok(bytes)
}

/// What `stat` says of a file, to tell whether it changed without reading it.
type Stamp = Option<(u64, u64, i64, i64, i64)>;

fn stamp(path: &Path) -> Stamp {
    std::fs::metadata(path).ok().map(|m| {
        (
            m.dev(),
            m.ino(),
            m.size() as i64,
            m.mtime_nsec() + m.mtime() * 1_000_000_000,
            m.ctime_nsec() + m.ctime() * 1_000_000_000,
        )
    })
}

fn hash(files: &[CertificateFile]) -> u64 {
    let mut h = DefaultHasher::new();
    files.hash(&mut h);
    h.finish()
}

/// The configured files and when they go out.
#[derive(Debug)]
pub struct CertificateFiles {
    entries: Vec<CertificateConfig>,
    check_every: Duration,
    last_check: Option<Instant>,
    stamps: Vec<Stamp>,
    /// The hash of the list last handed to the spool, and when.
    sent: Option<(u64, Instant)>,
    pending: Option<Vec<CertificateFile>>,
}

impl CertificateFiles {
    /// The files of `entries`. Without entries nothing is read, and the empty list still
    /// goes out at start and hourly: the collector then forgets the files of a host
    /// whose `[[certificates]]` were all removed (their alerts would fire for ever).
    pub fn new(entries: &[CertificateConfig], check_secs: u32) -> Option<Self> {
        Some(Self {
            entries: entries.to_vec(),
            check_every: Duration::from_secs(u64::from(check_secs)),
            last_check: None,
            stamps: Vec::new(),
            sent: None,
            pending: None,
        })
    }

    /// Checks when due; returns the section for the next report, if any.
    pub fn poll(&mut self, now: Instant) -> Option<Vec<CertificateFile>> {
        let due = self.pending.is_none()
            && self
                .last_check
                .is_none_or(|t| now.duration_since(t) >= self.check_every);
        if due {
            self.last_check = Some(now);
            let stamps: Vec<Stamp> = self.entries.iter().map(|e| stamp(&e.path)).collect();
            let resend = self
                .sent
                .is_none_or(|(_, t)| now.duration_since(t) >= RESEND_EVERY);
            if resend || stamps != self.stamps {
                let files: Vec<CertificateFile> = self.entries.iter().map(read).collect();
                let changed = self.sent.is_none_or(|(h, _)| h != hash(&files));
                if changed || resend {
                    self.pending = Some(files);
                }
            }
            self.stamps = stamps;
        }
        self.pending.clone()
    }

    /// The pending section was handed to the spool (which delivers it or keeps it).
    pub fn handed_over(&mut self, now: Instant) {
        if let Some(files) = self.pending.take() {
            self.sent = Some((hash(&files), now));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A certificate-shaped DER (`SEQUENCE { SEQUENCE { INTEGER serial }, SEQUENCE {},
    /// BIT STRING }`) carrying the serial `tag` so that two differ.
    fn cert_der(tag: u8) -> Vec<u8> {
        vec![
            0x30, 0x0a, 0x30, 0x03, 0x02, 0x01, tag, 0x30, 0x00, 0x03, 0x01, 0x00,
        ]
    }

    /// A PKCS#8-shaped private key.
    fn key_der() -> Vec<u8> {
        vec![0x30, 0x08, 0x02, 0x01, 0x00, 0x04, 0x03, 0xAA, 0xBB, 0xCC]
    }

    fn pem(label: &str, der: &[u8]) -> String {
        let b64 = certificate_to_text(der);
        let mut s = format!("-----BEGIN {label}-----\n");
        for chunk in b64.as_bytes().chunks(64) {
            s.push_str(std::str::from_utf8(chunk).unwrap());
            s.push('\n');
        }
        s + &format!("-----END {label}-----\n")
    }

    #[test]
    fn a_pem_chain_gives_its_certificates_in_order_and_skips_the_key() {
        let text = format!(
            "subject=CN = web\n{}{}{}",
            pem("CERTIFICATE", &cert_der(1)),
            pem("PRIVATE KEY", &key_der()),
            pem("CERTIFICATE", &cert_der(2)).replace('\n', "\r\n"),
        );
        let s = split(text.as_bytes());
        assert_eq!(s.format, "pem");
        assert_eq!(s.certificates, vec![cert_der(1), cert_der(2)]);
        assert_eq!(s.skipped, vec!["PRIVATE KEY".to_owned()]);
        assert!(s.problems.is_empty(), "{:?}", s.problems);
        // the key's bytes are in none of what is sent
        let sent = format!("{:?}", s.certificates);
        assert!(!sent.contains(&format!("{:?}", key_der())[1..10]));
    }

    #[test]
    fn der_files_and_keys_in_disguise() {
        let s = split(&cert_der(7));
        assert_eq!((s.format, s.certificates.len()), ("der", 1));
        let s = split(&key_der());
        assert!(s.certificates.is_empty());
        assert_eq!(
            s.problems,
            ["holds a DER private key, not a certificate: not sent"]
        );
        // a key labelled CERTIFICATE is not sent either
        let s = split(pem("CERTIFICATE", &key_der()).as_bytes());
        assert!(s.certificates.is_empty());
        assert!(
            s.problems[0].contains("holds a private key"),
            "{:?}",
            s.problems
        );
        // an encrypted key's headers, a torn block, bad base64
        let enc = "-----BEGIN RSA PRIVATE KEY-----\nProc-Type: 4,ENCRYPTED\nDEK-Info: AES-128-CBC,00\n\nAAAA\n-----END RSA PRIVATE KEY-----\n";
        let s = split(enc.as_bytes());
        assert_eq!(s.skipped, ["RSA PRIVATE KEY"]);
        let s = split(b"-----BEGIN CERTIFICATE-----\n%%%%\n-----END CERTIFICATE-----\n");
        assert_eq!(s.problems, ["block 1 (CERTIFICATE) is not valid base64"]);
        let s = split(b"-----BEGIN CERTIFICATE-----\nMAA=\n");
        assert_eq!(s.problems, ["block CERTIFICATE has no END line"]);
        let s = split(b"hello");
        assert!(s.problems[0].starts_with("neither PEM"), "{:?}", s.problems);
    }

    #[test]
    fn files_are_read_with_their_errors_and_sent_on_change_and_hourly() {
        let dir = tempfile::tempdir().unwrap();
        let a = dir.path().join("a.pem");
        std::fs::write(&a, pem("CERTIFICATE", &cert_der(1))).unwrap();
        // a FIFO would block a reader that opened it
        let fifo = dir.path().join("fifo.pem");
        nix::unistd::mkfifo(&fifo, nix::sys::stat::Mode::S_IRWXU).unwrap();
        let big = dir.path().join("big.pem");
        std::fs::write(&big, vec![b'x'; (MAX_CERTIFICATE_FILE_BYTES + 1) as usize]).unwrap();
        let entries = vec![
            CertificateConfig {
                path: a.clone(),
                name: Some("web".into()),
            },
            CertificateConfig {
                path: dir.path().join("missing.pem"),
                name: None,
            },
            CertificateConfig {
                path: big,
                name: None,
            },
            CertificateConfig {
                path: dir.path().to_owned(),
                name: None,
            },
            CertificateConfig {
                path: fifo.clone(),
                name: None,
            },
        ];
        let mut f = CertificateFiles::new(&entries, 60).unwrap();
        let t0 = Instant::now();
        let first = f.poll(t0).unwrap();
        assert_eq!(first[0].certificates.len(), 1);
        assert_eq!(first[0].name, "web");
        assert!(
            first[1].error.starts_with("cannot read: "),
            "{}",
            first[1].error
        );
        assert!(first[2].error.contains("1 MiB"), "{}", first[2].error);
        assert_eq!(first[3].error, "not a regular file");
        assert_eq!(first[4].error, "not a regular file");
        // kept until handed over
        assert_eq!(f.poll(t0 + Duration::from_secs(120)), Some(first.clone()));
        f.handed_over(t0);
        assert_eq!(f.poll(t0 + Duration::from_secs(30)), None, "not due");
        assert_eq!(f.poll(t0 + Duration::from_secs(60)), None, "unchanged");
        std::fs::write(&a, pem("CERTIFICATE", &cert_der(2))).unwrap();
        let changed = f.poll(t0 + Duration::from_secs(120)).unwrap();
        assert_ne!(changed[0].certificates, first[0].certificates);
        f.handed_over(t0 + Duration::from_secs(120));
        assert_eq!(f.poll(t0 + Duration::from_secs(180)), None);
        assert!(
            f.poll(t0 + Duration::from_secs(120) + RESEND_EVERY)
                .is_some(),
            "hourly, unchanged"
        );
        // none configured: nothing is read, the empty list goes out at start and hourly
        let mut none = CertificateFiles::new(&[], 60).unwrap();
        assert_eq!(none.poll(t0), Some(Vec::new()));
        none.handed_over(t0);
        assert_eq!(none.poll(t0 + Duration::from_secs(120)), None);
        assert_eq!(none.poll(t0 + RESEND_EVERY), Some(Vec::new()));
    }

    #[test]
    fn bad_entries_are_named() {
        let e = |p: &str, n: Option<&str>| CertificateConfig {
            path: p.into(),
            name: n.map(str::to_owned),
        };
        let p = problems(
            &[
                e("etc/ssl/a.pem", None),
                e("/etc/ssl/b.pem", Some("")),
                e("/etc/ssl/b.pem", None),
            ],
            0,
        );
        assert_eq!(p.len(), 4, "{p:?}");
        assert!(p[0].starts_with("certificate_check_secs = 0: must be between 1 and 86400"));
        assert!(p[1].contains("certificates[0].path = \"etc/ssl/a.pem\": must be an absolute path"));
        assert!(p[2].contains("certificates[1].name = \"\": must be 1 to 128"));
        assert!(p[3].contains("certificates[2].path = \"/etc/ssl/b.pem\": listed twice"));
    }
}
