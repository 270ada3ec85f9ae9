//! Certificate files on servers (`[[certificates]]` in agent.toml, issue 26): for each
//! configured file the certificates it holds, as DER, for the collector to read and
//! verify. The agent parses no X.509: it reads the file (PEM or DER), keeps the PEM
//! `CERTIFICATE` blocks (every other block, a private key above all, is skipped and
//! only its label is named), checks that each block is shaped like a certificate and
//! not like a key, and sends them base64-encoded.
//!
//! The section is the whole list of the agent's configured files: the collector
//! replaces what it had of that host with it (a file no longer configured is removed).

use base64::Engine as _;
use serde::{Deserialize, Serialize};

/// Most configured files of one agent.
pub const MAX_CERTIFICATE_FILES: usize = 64;
/// Most certificates read from one file (a leaf and its chain; a CA bundle is cut here).
pub const MAX_CERTIFICATES_PER_FILE: usize = 16;
/// Largest certificate (DER bytes); real ones are 1 to 3 KB.
pub const MAX_CERTIFICATE_DER_BYTES: usize = 16 * 1024;
/// Most DER bytes of one report's certificate section (about 340 KB of base64 in JSON,
/// within the collector's 1 MiB body).
pub const MAX_CERTIFICATE_SECTION_DER_BYTES: usize = 256 * 1024;
/// Longest path of a certificate file, in bytes.
pub const MAX_CERTIFICATE_PATH_BYTES: usize = 1024;
/// Largest file the agent reads.
pub const MAX_CERTIFICATE_FILE_BYTES: u64 = 1 << 20;

/// One configured certificate file, as the agent read it.
#[cfg_attr(test, derive(proptest_derive::Arbitrary))]
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CertificateFile {
    /// The file's absolute path, as configured.
    pub path: String,
    /// The configured `name`, if any (e.g. `Postfix`, `LDAP`).
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub name: String,
    /// `pem` or `der`; empty when nothing could be read.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub format: String,
    /// Each certificate's DER, base64 (standard alphabet, padded), in the file's order:
    /// the first is taken as the server's own, the rest as its chain.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    #[cfg_attr(
        test,
        proptest(strategy = "proptest::collection::vec(\"[A-Za-z0-9+/]{0,8}\", 0..3)")
    )]
    pub certificates: Vec<String>,
    /// The labels of PEM blocks that were skipped and not sent (`PRIVATE KEY`, `EC
    /// PARAMETERS`, ...).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    #[cfg_attr(
        test,
        proptest(strategy = "proptest::collection::vec(\"[A-Z ]{0,12}\", 0..2)")
    )]
    pub skipped: Vec<String>,
    /// Why the file gave no certificate, or which of its parts were left out (missing,
    /// unreadable, too large, neither PEM nor DER, a DER private key); empty otherwise.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub error: String,
}

/// `der` as the section carries it (base64, standard alphabet, padded).
pub fn certificate_to_text(der: &[u8]) -> String {
    base64::engine::general_purpose::STANDARD.encode(der)
}

/// The DER of a certificate as the section carries it; `None` when it is not base64.
pub fn certificate_from_text(text: &str) -> Option<Vec<u8>> {
    base64::engine::general_purpose::STANDARD.decode(text).ok()
}

/// What a DER value looks like at its top, enough to tell a certificate from a key
/// without parsing X.509: a certificate is `SEQUENCE { SEQUENCE (tbsCertificate), ... }`,
/// every private key format (PKCS#1, PKCS#8, SEC1) `SEQUENCE { INTEGER (version), ... }`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DerShape {
    /// One SEQUENCE spanning the whole input whose first element is a SEQUENCE.
    Certificate,
    /// One SEQUENCE spanning the whole input whose first element is an INTEGER.
    PrivateKey,
    /// Anything else (not DER, trailing bytes, another structure).
    Other,
}

/// The [`DerShape`] of `der`.
pub fn der_shape(der: &[u8]) -> DerShape {
    /// The header length and content length of the TLV at the start of `b`.
    fn tlv(b: &[u8]) -> Option<(u8, usize, usize)> {
        let tag = *b.first()?;
        let first = *b.get(1)? as usize;
        let (header, len) = if first < 0x80 {
            (2, first)
        } else {
            let n = first & 0x7f;
            if n == 0 || n > 4 {
                return None;
            }
            let mut len = 0usize;
            for i in 0..n {
                len = (len << 8) | *b.get(2 + i)? as usize;
            }
            (2 + n, len)
        };
        (header.checked_add(len)? <= b.len()).then_some((tag, header, len))
    }
    let Some((0x30, header, len)) = tlv(der) else {
        return DerShape::Other;
    };
    if header + len != der.len() {
        return DerShape::Other;
    }
    // the outer SEQUENCE's elements, by tag (each must fit)
    let mut tags = Vec::new();
    let mut rest = &der[header..];
    let mut first_inner = None;
    while !rest.is_empty() {
        let Some((tag, h, l)) = tlv(rest) else {
            return DerShape::Other;
        };
        if tags.is_empty() && tag == 0x30 {
            first_inner = tlv(&rest[h..h + l]).map(|(t, ..)| t);
        }
        tags.push(tag);
        rest = &rest[h + l..];
    }
    match tags.as_slice() {
        // Certificate ::= SEQUENCE { tbsCertificate SEQUENCE { [0] version or INTEGER
        // serial, ... }, signatureAlgorithm SEQUENCE, signatureValue BIT STRING }
        [0x30, 0x30, 0x03] if matches!(first_inner, Some(0xa0 | 0x02)) => DerShape::Certificate,
        // PKCS#1, SEC 1 and PKCS#8 keys begin with an INTEGER (their version)
        [0x02, ..] => DerShape::PrivateKey,
        // EncryptedPrivateKeyInfo ::= SEQUENCE { algorithm SEQUENCE, data OCTET STRING }
        [0x30, 0x04] => DerShape::PrivateKey,
        _ => DerShape::Other,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shapes_tell_certificates_from_keys() {
        // SEQUENCE { SEQUENCE { [0] {} }, SEQUENCE {}, BIT STRING }
        let cert = [
            0x30, 0x09, 0x30, 0x02, 0xa0, 0x00, 0x30, 0x00, 0x03, 0x01, 0x00,
        ];
        assert_eq!(der_shape(&cert), DerShape::Certificate);
        // an encrypted PKCS#8 key: SEQUENCE { SEQUENCE { OID }, OCTET STRING }
        let encrypted = [0x30, 0x08, 0x30, 0x02, 0x06, 0x00, 0x04, 0x02, 0xde, 0xad];
        assert_eq!(der_shape(&encrypted), DerShape::PrivateKey);
        // a SEQUENCE of two SEQUENCEs is neither
        let other = [0x30, 0x04, 0x30, 0x00, 0x30, 0x00];
        assert_eq!(der_shape(&other), DerShape::Other);
        // SEQUENCE { INTEGER 0, ... }
        let key = [0x30, 0x05, 0x02, 0x01, 0x00, 0x04, 0x00];
        assert_eq!(der_shape(&key), DerShape::PrivateKey);
        let mut trailing = cert.to_vec();
        trailing.push(0);
        assert_eq!(der_shape(&trailing), DerShape::Other);
        assert_eq!(der_shape(b"-----BEGIN"), DerShape::Other);
        assert_eq!(der_shape(&[]), DerShape::Other);
        assert_eq!(
            der_shape(&[0x30, 0x84, 0xff, 0xff, 0xff, 0xff]),
            DerShape::Other
        );
        // a long-form length: SEQUENCE (129 bytes) { SEQUENCE (122) { [0] {}, 120
        // bytes }, SEQUENCE {}, BIT STRING }
        let mut long = vec![0x30, 0x81, 0x81, 0x30, 0x7a, 0xa0, 0x00];
        long.extend([0u8; 0x78]);
        long.extend([0x30, 0x00, 0x03, 0x01, 0x00]);
        assert_eq!(der_shape(&long), DerShape::Certificate);
    }

    #[test]
    fn certificates_travel_as_base64() {
        let der = [0x30u8, 0x03, 0x30, 0x01, 0xff];
        let text = certificate_to_text(&der);
        assert_eq!(text, "MAMwAf8=");
        assert_eq!(certificate_from_text(&text).unwrap(), der);
        assert_eq!(certificate_from_text("not base64!"), None);
    }
}
