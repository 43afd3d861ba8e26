//! Which certificate authorities HTTPS connections trust.

use std::path::Path;

use ureq::tls::{parse_pem, Certificate, PemItem, RootCerts};

/// Where the root certificates come from.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum TrustStore {
    /// Mozilla's roots, compiled into the library: the same answer on every machine.
    #[default]
    Bundled,
    /// The operating system's CA bundle (`SSL_CERT_FILE`, or the distribution's bundle file),
    /// for networks whose TLS is re-signed by a company CA installed there.
    System,
}

/// Where Linux distributions (and Alpine, and the BSDs) keep their PEM bundle; the same list
/// curl and Go search.
const SYSTEM_BUNDLES: [&str; 6] = [
    "/etc/ssl/certs/ca-certificates.crt",
    "/etc/pki/tls/certs/ca-bundle.crt",
    "/etc/ssl/ca-bundle.pem",
    "/etc/pki/tls/cacert.pem",
    "/etc/ssl/cert.pem",
    "/usr/local/share/certs/ca-root-nss.crt",
];

/// Reads every certificate of a PEM file. `what` names the file in messages.
pub fn load_pem_file(path: &Path, what: &str) -> Result<Vec<Certificate<'static>>, String> {
    let pem = std::fs::read(path).map_err(|e| format!("{what} {}: {e}", path.display()))?;
    let mut certs = Vec::new();
    for item in parse_pem(&pem) {
        match item {
            Ok(PemItem::Certificate(cert)) => certs.push(cert),
            Ok(_) => {} // keys and other sections are not roots
            Err(e) => return Err(format!("{what} {}: bad PEM data: {e}", path.display())),
        }
    }
    if certs.is_empty() {
        return Err(format!(
            "{what} {}: no PEM certificates in it",
            path.display()
        ));
    }
    Ok(certs)
}

/// The root certificates for a client: the chosen store plus `extra` (a user's CA file).
/// The TLS configuration of a client: these roots, TLS 1.3 and 1.2 with ring's ciphers, and
/// rustls' in-memory session cache (so that reconnecting resumes the last session).
pub(crate) fn client_config(
    roots: &RootCerts,
) -> Result<std::sync::Arc<rustls::ClientConfig>, String> {
    let RootCerts::Specific(certificates) = roots else {
        return Err("internal error: unexpected root store".into());
    };
    let mut store = rustls::RootCertStore::empty();
    store.add_parsable_certificates(
        certificates
            .iter()
            .map(|c| rustls::pki_types::CertificateDer::from(c.der().to_vec())),
    );
    let provider = std::sync::Arc::new(rustls::crypto::ring::default_provider());
    let config = rustls::ClientConfig::builder_with_provider(provider)
        .with_protocol_versions(&[&rustls::version::TLS13, &rustls::version::TLS12])
        .map_err(|e| format!("TLS configuration: {e}"))?
        .with_root_certificates(store)
        .with_no_client_auth();
    Ok(std::sync::Arc::new(config))
}

pub fn root_certs(store: TrustStore, extra: &[Certificate<'static>]) -> Result<RootCerts, String> {
    let mut roots = match store {
        TrustStore::Bundled => webpki_root_certs::TLS_SERVER_ROOT_CERTS
            .iter()
            .map(|der| Certificate::from_der(der.as_ref()))
            .collect(),
        TrustStore::System => system_roots()?,
    };
    roots.extend_from_slice(extra);
    Ok(RootCerts::Specific(std::sync::Arc::new(roots)))
}

fn system_roots() -> Result<Vec<Certificate<'static>>, String> {
    // SSL_CERT_FILE as OpenSSL reads it (an empty value counts as unset); SSL_CERT_DIR's
    // hashed directories are not read.
    if let Some(file) = std::env::var_os("SSL_CERT_FILE").filter(|f| !f.is_empty()) {
        return load_pem_file(Path::new(&file), "system CA bundle (SSL_CERT_FILE)");
    }
    let found = SYSTEM_BUNDLES.iter().map(Path::new).find(|p| p.is_file());
    match found {
        Some(path) => load_pem_file(path, "system CA bundle"),
        None => Err(format!(
            "no system CA bundle found (set SSL_CERT_FILE; looked in {})",
            SYSTEM_BUNDLES.join(", ")
        )),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bundled_roots_are_mozillas() {
        let RootCerts::Specific(roots) = root_certs(TrustStore::Bundled, &[]).unwrap() else {
            panic!("specific roots expected");
        };
        assert!(roots.len() > 100, "{} roots", roots.len());
    }

    #[test]
    fn a_ca_file_must_hold_certificates() {
        let dir = std::env::temp_dir().join(format!("tenios-tls-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let empty = dir.join("empty.pem");
        std::fs::write(&empty, "not a certificate\n").unwrap();
        assert_eq!(
            load_pem_file(&empty, "CA file").unwrap_err(),
            format!("CA file {}: no PEM certificates in it", empty.display())
        );
        let missing = dir.join("missing.pem");
        assert!(load_pem_file(&missing, "CA file")
            .unwrap_err()
            .starts_with(&format!("CA file {}: No such file", missing.display())));
        std::fs::remove_dir_all(&dir).unwrap();
    }
}
