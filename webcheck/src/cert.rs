//! The certificates a server serves: what they say ([`CertInfo`], read with x509-parser)
//! and whether they verify ([`Verdict`]), against the system's CAs or a configured CA
//! bundle ([`Trust`]).
//!
//! The handshake's verifier ([`Capture`]) records the chain and rustls's own verdict
//! (webpki: chain, validity, key usage, then name) and lets the handshake go on, so that
//! an expired certificate is reported as expired, with its fields, and the site's answer
//! is still read. Nothing is sent that a verified connection would not send: the probe is
//! an anonymous GET.

use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};

use rustls::client::danger::{HandshakeSignatureValid, ServerCertVerified, ServerCertVerifier};
use rustls::client::WebPkiServerVerifier;
use rustls::crypto::CryptoProvider;
use rustls::pki_types::pem::PemObject;
use rustls::pki_types::{CertificateDer, ServerName, UnixTime};
use rustls::{CertificateError, DigitallySignedStruct, Error, RootCertStore, SignatureScheme};
use serde::{Deserialize, Serialize};

use crate::utc_text;

/// Where Debian (package `ca-certificates`) keeps the CAs the system trusts; the same
/// bundle curl and the agent's connection to the collector use.
pub const SYSTEM_CA_BUNDLE: &str = "/etc/ssl/certs/ca-certificates.crt";

/// The CAs certificates are verified against.
#[derive(Debug, Clone)]
pub struct Trust {
    verifier: Arc<WebPkiServerVerifier>,
    roots: Arc<RootCertStore>,
    provider: Arc<CryptoProvider>,
    /// What the CAs are, for reasons: `system roots` or the bundle's path.
    source: String,
}

/// Why a CA bundle cannot be used.
#[derive(Debug, thiserror::Error)]
pub enum TrustError {
    /// The file cannot be read.
    #[error("cannot read {what} {path}: {source}")]
    Read {
        what: String,
        path: PathBuf,
        source: std::io::Error,
    },
    /// The file holds no certificate rustls accepts as a CA.
    #[error("{what} {path} holds no usable CA certificate (PEM, -----BEGIN CERTIFICATE-----)")]
    Empty { what: String, path: PathBuf },
}

impl Trust {
    /// The system's CAs ([`SYSTEM_CA_BUNDLE`]).
    pub fn system() -> Result<Self, TrustError> {
        Self::load(
            Path::new(SYSTEM_CA_BUNDLE),
            "the system CA bundle",
            "system roots",
        )
    }

    /// The CAs of the PEM bundle `path` (only these: the system's are not added).
    pub fn from_pem_file(path: &Path) -> Result<Self, TrustError> {
        Self::load(path, "CA bundle", &path.display().to_string())
    }

    /// The CAs of a PEM bundle handed over as text (an agent probing for the collector
    /// gets the site's `ca_file` this way); `source` names it in verdicts.
    pub fn from_pem(pem: &[u8], source: &str) -> Result<Self, TrustError> {
        let mut roots = RootCertStore::empty();
        roots.add_parsable_certificates(CertificateDer::pem_slice_iter(pem).filter_map(Result::ok));
        Self::of_roots(roots, Path::new(source), "CA bundle", source)
    }

    fn load(path: &Path, what: &str, source: &str) -> Result<Self, TrustError> {
        let mut roots = RootCertStore::empty();
        add_bundle(&mut roots, path, what)?;
        Self::of_roots(roots, path, what, source)
    }

    /// The CAs of the system's bundle (when `system`) and of each PEM bundle of
    /// `bundles` together: what certificate files are verified against. Each bundle must
    /// be readable and hold a CA; the system's bundle is required only when asked for.
    pub fn from_bundles(system: bool, bundles: &[PathBuf]) -> Result<Self, TrustError> {
        let mut roots = RootCertStore::empty();
        let mut source = Vec::new();
        if system {
            add_bundle(
                &mut roots,
                Path::new(SYSTEM_CA_BUNDLE),
                "the system CA bundle",
            )?;
            source.push("system roots".to_owned());
        }
        for b in bundles {
            let before = roots.len();
            add_bundle(&mut roots, b, "CA bundle")?;
            if roots.len() == before {
                return Err(TrustError::Empty {
                    what: "CA bundle".into(),
                    path: b.clone(),
                });
            }
            source.push(b.display().to_string());
        }
        let first = bundles
            .first()
            .cloned()
            .unwrap_or_else(|| PathBuf::from(SYSTEM_CA_BUNDLE));
        Self::of_roots(roots, &first, "CA bundle", &source.join(" + "))
    }

    fn of_roots(
        roots: RootCertStore,
        path: &Path,
        what: &str,
        source: &str,
    ) -> Result<Self, TrustError> {
        let empty = || TrustError::Empty {
            what: what.into(),
            path: path.into(),
        };
        if roots.is_empty() {
            return Err(empty());
        }
        let roots = Arc::new(roots);
        let provider = Arc::new(rustls::crypto::ring::default_provider());
        let verifier =
            WebPkiServerVerifier::builder_with_provider(Arc::clone(&roots), Arc::clone(&provider))
                .build()
                .map_err(|_| empty())?;
        Ok(Self {
            verifier,
            roots,
            provider,
            source: source.into(),
        })
    }

    /// Whether the chain `chain` (DER, the certificate first, then its chain in any
    /// order) read from a file verifies at `now` (Unix seconds): to a trusted CA, each
    /// within its validity, signatures and key usage for a TLS server or, failing that,
    /// a TLS client. No host name is checked: a file is not reached by a name.
    pub fn verify_chain(&self, chain: &[Vec<u8>], now: i64) -> (Verdict, String) {
        let Some((leaf, rest)) = chain.split_first() else {
            return (Verdict::Invalid, "no certificate".into());
        };
        let leaf_der = CertificateDer::from(leaf.as_slice());
        let intermediates: Vec<CertificateDer<'_>> = rest
            .iter()
            .map(|c| CertificateDer::from(c.as_slice()))
            .collect();
        let ee = match webpki::EndEntityCert::try_from(&leaf_der) {
            Ok(ee) => ee,
            Err(e) => return (Verdict::Invalid, format!("not a readable certificate: {e}")),
        };
        let time = UnixTime::since_unix_epoch(std::time::Duration::from_secs(
            u64::try_from(now).unwrap_or(0),
        ));
        let algs = self.provider.signature_verification_algorithms.all;
        let verify = |usage: webpki::KeyUsage| {
            ee.verify_for_usage(
                algs,
                &self.roots.roots,
                &intermediates,
                time,
                usage,
                None,
                None,
            )
            .map(|_| ())
        };
        let result = match verify(webpki::KeyUsage::server_auth()) {
            #[allow(deprecated, reason = "older webpki releases still give it")]
            Err(
                webpki::Error::RequiredEkuNotFound | webpki::Error::RequiredEkuNotFoundContext(_),
            ) => verify(webpki::KeyUsage::client_auth()),
            other => other,
        };
        match result {
            Ok(()) => (Verdict::Valid, String::new()),
            Err(webpki::Error::CertExpired { not_after, .. }) => (
                Verdict::Expired,
                format!(
                    "expired {}",
                    utc_text(i64::try_from(not_after.as_secs()).unwrap_or(i64::MAX))
                ),
            ),
            Err(webpki::Error::CertNotValidYet { not_before, .. }) => (
                Verdict::NotYetValid,
                format!(
                    "not valid before {}",
                    utc_text(i64::try_from(not_before.as_secs()).unwrap_or(i64::MAX))
                ),
            ),
            Err(webpki::Error::UnknownIssuer) => (
                Verdict::UnknownCa,
                format!(
                    "issued by a CA not in {} (self-signed, a private CA, or an intermediate the file does not hold)",
                    self.source
                ),
            ),
            Err(e) => (Verdict::Invalid, format!("does not verify: {e}")),
        }
    }

    /// What the CAs are: `system roots`, or the bundle's path.
    pub fn source(&self) -> &str {
        &self.source
    }

    /// A client configuration for one connection, whose verifier records into the
    /// returned [`Capture`]. No session resumption: every probe sees the whole chain.
    pub(crate) fn client_config(&self) -> Result<(Arc<rustls::ClientConfig>, Arc<Capture>), Error> {
        let capture = Arc::new(Capture {
            inner: Arc::clone(&self.verifier),
            seen: Mutex::new(None),
        });
        let mut config = rustls::ClientConfig::builder_with_provider(Arc::clone(&self.provider))
            .with_safe_default_protocol_versions()?
            .dangerous()
            .with_custom_certificate_verifier(Arc::clone(&capture) as Arc<dyn ServerCertVerifier>)
            .with_no_client_auth();
        config.resumption = rustls::client::Resumption::disabled();
        config.alpn_protocols = vec![b"http/1.1".to_vec()];
        Ok((Arc::new(config), capture))
    }
}

/// Adds the CAs of the PEM bundle `path` to `roots` (unparsable entries skipped, as the
/// system bundle may hold some).
fn add_bundle(roots: &mut RootCertStore, path: &Path, what: &str) -> Result<(), TrustError> {
    let bytes = std::fs::read(path).map_err(|e| TrustError::Read {
        what: what.into(),
        path: path.into(),
        source: e,
    })?;
    roots.add_parsable_certificates(CertificateDer::pem_slice_iter(&bytes).filter_map(Result::ok));
    Ok(())
}

/// What the verifier saw in one handshake.
#[derive(Debug)]
pub(crate) struct Seen {
    pub chain: Vec<CertificateDer<'static>>,
    pub result: Result<(), Error>,
    pub name_matches: bool,
    pub now: i64,
}

/// A verifier that records the chain and webpki's verdict on it, and accepts it.
#[derive(Debug)]
pub(crate) struct Capture {
    inner: Arc<WebPkiServerVerifier>,
    seen: Mutex<Option<Seen>>,
}

impl Capture {
    pub(crate) fn take(&self) -> Option<Seen> {
        self.seen.lock().ok().and_then(|mut s| s.take())
    }
}

impl ServerCertVerifier for Capture {
    fn verify_server_cert(
        &self,
        end_entity: &CertificateDer<'_>,
        intermediates: &[CertificateDer<'_>],
        server_name: &ServerName<'_>,
        ocsp_response: &[u8],
        now: UnixTime,
    ) -> Result<ServerCertVerified, Error> {
        let result = self
            .inner
            .verify_server_cert(end_entity, intermediates, server_name, ocsp_response, now)
            .map(|_| ());
        let name_matches = rustls::server::ParsedCertificate::try_from(end_entity)
            .and_then(|c| rustls::client::verify_server_name(&c, server_name))
            .is_ok();
        let chain = std::iter::once(end_entity)
            .chain(intermediates)
            .map(|c| c.clone().into_owned())
            .collect();
        if let Ok(mut s) = self.seen.lock() {
            *s = Some(Seen {
                chain,
                result,
                name_matches,
                now: i64::try_from(now.as_secs()).unwrap_or(i64::MAX),
            });
        }
        // the verdict is the probe's to report; the handshake goes on
        Ok(ServerCertVerified::assertion())
    }

    fn verify_tls12_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, Error> {
        // the server must still prove it holds the certificate's key
        self.inner.verify_tls12_signature(message, cert, dss)
    }

    fn verify_tls13_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, Error> {
        self.inner.verify_tls13_signature(message, cert, dss)
    }

    fn supported_verify_schemes(&self) -> Vec<SignatureScheme> {
        self.inner.supported_verify_schemes()
    }
}

/// Whether a served chain verifies, and if not the first reason.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Verdict {
    /// Chain, validity period and name all verify.
    Valid,
    /// The certificate (or one of its chain) is past its not-after.
    Expired,
    /// Before its not-before.
    NotYetValid,
    /// Its chain does not lead to a trusted CA (self-signed, private CA, missing
    /// intermediate).
    UnknownCa,
    /// It verifies but not for the host name probed.
    WrongName,
    /// Any other failure (bad signature, wrong key usage, revoked, bad encoding).
    Invalid,
}

impl Verdict {
    pub const ALL: [Verdict; 6] = [
        Verdict::Valid,
        Verdict::Expired,
        Verdict::NotYetValid,
        Verdict::UnknownCa,
        Verdict::WrongName,
        Verdict::Invalid,
    ];

    /// As the API, the database and labels spell it.
    pub const fn as_str(self) -> &'static str {
        match self {
            Verdict::Valid => "valid",
            Verdict::Expired => "expired",
            Verdict::NotYetValid => "not_yet_valid",
            Verdict::UnknownCa => "unknown_ca",
            Verdict::WrongName => "wrong_name",
            Verdict::Invalid => "invalid",
        }
    }

    /// The verdict spelled `s`, if any.
    pub fn parse(s: &str) -> Option<Verdict> {
        Verdict::ALL.into_iter().find(|x| x.as_str() == s)
    }
}

/// The TLS session of one https request.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TlsInfo {
    /// `TLS 1.3` or `TLS 1.2`.
    pub version: String,
    /// The chain as served, the server's own certificate first.
    pub chain: Vec<CertInfo>,
    pub verdict: Verdict,
    /// Why it does not verify (empty when valid).
    pub reason: String,
    /// Whether the server's certificate names the host probed (even when the chain
    /// does not verify).
    pub name_matches: bool,
    /// What it was verified against: `system roots` or a CA bundle's path.
    pub trusted_by: String,
    /// The server certificate's not-after, Unix seconds.
    pub not_after: i64,
    /// Days from the probe to `not_after` (negative once expired).
    pub days_to_expiry: f64,
}

impl TlsInfo {
    /// The server's own certificate.
    pub fn leaf(&self) -> Option<&CertInfo> {
        self.chain.first()
    }

    /// From what the verifier saw for `host`.
    pub(crate) fn new(seen: Seen, version: String, host: &str, trusted_by: &str) -> Self {
        let chain: Vec<CertInfo> = seen.chain.iter().map(|c| CertInfo::parse(c)).collect();
        let not_after = chain.first().map_or(0, |c| c.not_after);
        let (verdict, mut reason) = match &seen.result {
            Ok(()) => (Verdict::Valid, String::new()),
            Err(e) => verdict_of(e, trusted_by),
        };
        if verdict != Verdict::WrongName && !seen.name_matches {
            let names = chain.first().map(CertInfo::names).unwrap_or_default();
            reason = format!("{reason}; and not valid for {host} (it names {names})");
        }
        if verdict == Verdict::WrongName {
            let names = chain.first().map(CertInfo::names).unwrap_or_default();
            reason = format!("not valid for {host}: it names {names}");
        }
        TlsInfo {
            version,
            chain,
            verdict,
            reason,
            name_matches: seen.name_matches,
            trusted_by: trusted_by.into(),
            not_after,
            days_to_expiry: (not_after - seen.now) as f64 / 86_400.0,
        }
    }
}

/// The verdict and reason of webpki's error `e`.
fn verdict_of(e: &Error, trusted_by: &str) -> (Verdict, String) {
    match e {
        Error::InvalidCertificate(c) => match c {
            CertificateError::Expired => (Verdict::Expired, "expired".into()),
            CertificateError::ExpiredContext { not_after, .. } => (
                Verdict::Expired,
                format!(
                    "expired {}",
                    utc_text(i64::try_from(not_after.as_secs()).unwrap_or(i64::MAX))
                ),
            ),
            CertificateError::NotValidYet => (Verdict::NotYetValid, "not valid yet".into()),
            CertificateError::NotValidYetContext { not_before, .. } => (
                Verdict::NotYetValid,
                format!(
                    "not valid before {}",
                    utc_text(i64::try_from(not_before.as_secs()).unwrap_or(i64::MAX))
                ),
            ),
            CertificateError::UnknownIssuer => (
                Verdict::UnknownCa,
                format!("issued by a CA not in {trusted_by} (self-signed, a private CA, or an intermediate the server does not send)"),
            ),
            CertificateError::NotValidForName | CertificateError::NotValidForNameContext { .. } => {
                (Verdict::WrongName, String::new())
            }
            other => (Verdict::Invalid, format!("does not verify: {other:?}")),
        },
        other => (Verdict::Invalid, format!("does not verify: {other}")),
    }
}

/// What one certificate says.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CertInfo {
    /// The subject as RFC 4514 text, `CN=www.example.go.id, O=...`.
    pub subject: String,
    /// Its DNS names and IP addresses (subjectAltName).
    pub sans: Vec<String>,
    pub issuer: String,
    /// Unix seconds.
    pub not_before: i64,
    /// Unix seconds.
    pub not_after: i64,
    /// `RSA`, `EC P-256`, `Ed25519`, ...
    pub key_type: String,
    /// The key's size in bits (0 when unknown).
    pub key_bits: u32,
    /// `sha256WithRSAEncryption`, `ecdsa-with-SHA256`, ...
    pub signature_algorithm: String,
    /// Hexadecimal, as browsers show it.
    pub serial: String,
    /// An entry that x509-parser could not read says why here and little else.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub error: String,
}

impl CertInfo {
    /// The fields of the DER certificate `der`.
    pub fn parse(der: &[u8]) -> CertInfo {
        use x509_parser::prelude::*;
        let cert = match X509Certificate::from_der(der) {
            Ok((_, c)) => c,
            Err(e) => {
                return CertInfo {
                    subject: String::new(),
                    sans: Vec::new(),
                    issuer: String::new(),
                    not_before: 0,
                    not_after: 0,
                    key_type: String::new(),
                    key_bits: 0,
                    signature_algorithm: String::new(),
                    serial: String::new(),
                    error: format!("not a readable X.509 certificate: {e}"),
                }
            }
        };
        let registry = x509_parser::objects::oid_registry();
        let oid_name = |oid: &x509_parser::der_parser::oid::Oid| {
            x509_parser::objects::oid2sn(oid, registry)
                .map(str::to_owned)
                .unwrap_or_else(|_| oid.to_id_string())
        };
        let mut sans = Vec::new();
        if let Ok(Some(ext)) = cert.subject_alternative_name() {
            for n in &ext.value.general_names {
                match n {
                    GeneralName::DNSName(d) => sans.push((*d).to_owned()),
                    GeneralName::IPAddress(b) => {
                        if let Ok(a) = <[u8; 4]>::try_from(*b) {
                            sans.push(std::net::IpAddr::from(a).to_string());
                        } else if let Ok(a) = <[u8; 16]>::try_from(*b) {
                            sans.push(std::net::IpAddr::from(a).to_string());
                        }
                    }
                    _ => {}
                }
            }
        }
        let spki = cert.public_key();
        let (key_type, key_bits) = match spki.parsed() {
            Ok(x509_parser::public_key::PublicKey::RSA(k)) => ("RSA".to_owned(), k.key_size()),
            Ok(x509_parser::public_key::PublicKey::EC(k)) => {
                let curve = spki
                    .algorithm
                    .parameters
                    .as_ref()
                    .and_then(|p| p.as_oid().ok())
                    .map(|o| match o.to_id_string().as_str() {
                        "1.2.840.10045.3.1.7" => "P-256".to_owned(),
                        "1.3.132.0.34" => "P-384".to_owned(),
                        "1.3.132.0.35" => "P-521".to_owned(),
                        _ => oid_name(&o),
                    })
                    .unwrap_or_default();
                (format!("EC {curve}").trim().to_owned(), k.key_size())
            }
            Ok(x509_parser::public_key::PublicKey::DSA(y)) => ("DSA".to_owned(), y.len() * 8),
            Ok(_) | Err(_) => match oid_name(&spki.algorithm.algorithm).as_str() {
                "ED25519" | "1.3.101.112" => ("Ed25519".to_owned(), 256),
                "ED448" | "1.3.101.113" => ("Ed448".to_owned(), 456),
                other => (other.to_owned(), 0),
            },
        };
        CertInfo {
            subject: cert.subject().to_string(),
            sans,
            issuer: cert.issuer().to_string(),
            not_before: cert.validity().not_before.timestamp(),
            not_after: cert.validity().not_after.timestamp(),
            key_type,
            key_bits: u32::try_from(key_bits).unwrap_or(0),
            signature_algorithm: oid_name(&cert.signature_algorithm.algorithm),
            serial: cert.raw_serial_as_string(),
            error: String::new(),
        }
    }

    /// Its names for a reason: the SANs, else the subject.
    fn names(&self) -> String {
        if self.sans.is_empty() {
            self.subject.clone()
        } else {
            self.sans.join(", ")
        }
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, reason = "test code")]

    use rcgen::{
        BasicConstraints, CertificateParams, CertifiedIssuer, DnType, ExtendedKeyUsagePurpose,
        IsCa, KeyPair,
    };

    use super::*;

    fn ca(name: &str) -> CertifiedIssuer<'static, KeyPair> {
        let mut p = CertificateParams::new(Vec::<String>::new()).unwrap();
        p.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
        p.distinguished_name.push(DnType::CommonName, name);
        CertifiedIssuer::self_signed(p, KeyPair::generate().unwrap()).unwrap()
    }

    fn leaf(
        ca: &CertifiedIssuer<'static, KeyPair>,
        days: (i64, i64),
        eku: Vec<ExtendedKeyUsagePurpose>,
    ) -> Vec<u8> {
        let mut p = CertificateParams::new(vec!["mail.dinkes.go.id".to_owned()]).unwrap();
        let now = time::OffsetDateTime::now_utc();
        p.not_before = now + time::Duration::days(days.0);
        p.not_after = now + time::Duration::days(days.1);
        p.extended_key_usages = eku;
        p.signed_by(&KeyPair::generate().unwrap(), ca)
            .unwrap()
            .der()
            .to_vec()
    }

    #[test]
    fn a_file_chain_verifies_against_the_bundles_without_a_host_name() {
        let dir = tempfile::tempdir().unwrap();
        let ours = ca("Simpul test CA");
        let bundle = dir.path().join("ca.pem");
        std::fs::write(&bundle, ours.pem()).unwrap();
        let trust = Trust::from_bundles(false, std::slice::from_ref(&bundle)).unwrap();
        assert_eq!(trust.source(), bundle.display().to_string());
        let now = i64::try_from(
            std::time::SystemTime::now()
                .duration_since(std::time::UNIX_EPOCH)
                .unwrap()
                .as_secs(),
        )
        .unwrap();
        let server = vec![ExtendedKeyUsagePurpose::ServerAuth];
        let valid = leaf(&ours, (-1, 90), server.clone());
        assert_eq!(
            trust.verify_chain(&[valid], now),
            (Verdict::Valid, String::new())
        );
        // a client certificate (clientAuth only) verifies as one
        let client = leaf(&ours, (-1, 90), vec![ExtendedKeyUsagePurpose::ClientAuth]);
        assert_eq!(trust.verify_chain(&[client], now).0, Verdict::Valid);
        let (v, why) = trust.verify_chain(&[leaf(&ours, (-30, -2), server.clone())], now);
        assert_eq!(v, Verdict::Expired);
        assert!(why.starts_with("expired 20"), "{why}");
        let (v, _) = trust.verify_chain(&[leaf(&ours, (3, 30), server.clone())], now);
        assert_eq!(v, Verdict::NotYetValid);
        let other = ca("Another CA");
        let (v, why) = trust.verify_chain(&[leaf(&other, (-1, 30), server)], now);
        assert_eq!(v, Verdict::UnknownCa);
        assert!(why.contains("not in"), "{why}");
        let (v, why) = trust.verify_chain(&[vec![0x30, 0x00]], now);
        assert_eq!(v, Verdict::Invalid, "{why}");
        // a bundle without a CA, or missing, is named
        let empty = dir.path().join("empty.pem");
        std::fs::write(&empty, "nothing").unwrap();
        let e = Trust::from_bundles(false, &[empty])
            .unwrap_err()
            .to_string();
        assert!(e.contains("holds no usable CA certificate"), "{e}");
        let e = Trust::from_bundles(false, &[dir.path().join("nope.pem")])
            .unwrap_err()
            .to_string();
        assert!(e.starts_with("cannot read CA bundle"), "{e}");
    }
}
