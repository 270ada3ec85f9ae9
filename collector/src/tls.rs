//! PEM files for TLS: certificates and keys read with errors that name the file and the
//! config key, shared by the HTTPS listener and the TLS connection to PostgreSQL.

use std::path::Path;

use anyhow::Context;
use rustls::pki_types::CertificateDer;

/// The bytes of a PEM file; the error names the config key `what` and the path.
pub(crate) fn pem_items(path: &Path, what: &str) -> anyhow::Result<Vec<u8>> {
    std::fs::read(path).with_context(|| format!("cannot read {what} {}", path.display()))
}

/// Every certificate of a PEM file; none, or bad PEM, is an error naming it.
pub(crate) fn certs(path: &Path, what: &str) -> anyhow::Result<Vec<CertificateDer<'static>>> {
    use rustls::pki_types::pem::PemObject;
    let bytes = pem_items(path, what)?;
    let certs = CertificateDer::pem_slice_iter(&bytes)
        .collect::<Result<Vec<_>, _>>()
        .with_context(|| format!("{what} {} is not valid PEM", path.display()))?;
    if certs.is_empty() {
        anyhow::bail!("{what} {} holds no certificate", path.display());
    }
    Ok(certs)
}
