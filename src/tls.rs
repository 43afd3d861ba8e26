//! Which certificate authorities HTTPS connections trust.

use std::path::Path;

use rustls::pki_types::pem::PemObject;
use rustls::pki_types::CertificateDer;

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

/// A CA certificate, as DER.
pub type Certificate = CertificateDer<'static>;

/// Reads every certificate of a PEM file. `what` names the file in messages. Each must be a
/// certificate rustls can use as a trust anchor: one whose PEM armour is fine but whose DER
/// is not is an error here, not silently left out of the trust store.
pub fn load_pem_file(path: &Path, what: &str) -> Result<Vec<Certificate>, String> {
    let certs = read_pem_file(path, what)?;
    let mut check = rustls::RootCertStore::empty();
    for (i, cert) in certs.iter().enumerate() {
        check.add(cert.clone()).map_err(|e| {
            format!(
                "{what} {}: certificate {} is not a usable X.509 CA certificate ({e})",
                path.display(),
                i + 1
            )
        })?;
    }
    Ok(certs)
}

fn read_pem_file(path: &Path, what: &str) -> Result<Vec<Certificate>, String> {
    let pem = std::fs::read(path).map_err(|e| format!("{what} {}: {e}", path.display()))?;
    let certs = CertificateDer::pem_slice_iter(&pem)
        .collect::<Result<Vec<_>, _>>()
        .map_err(|e| format!("{what} {}: bad PEM data: {e}", path.display()))?;
    if certs.is_empty() {
        return Err(format!(
            "{what} {}: no PEM certificates in it",
            path.display()
        ));
    }
    Ok(certs)
}

/// The TLS configuration of a client: the chosen store plus `extra` (a user's CA file,
/// checked by [`load_pem_file`]), TLS 1.3 and 1.2 with ring's ciphers. The session cache is
/// the pool's (one per process: see `net/pool.rs`).
pub(crate) fn client_config(
    store: TrustStore,
    extra: &[Certificate],
) -> Result<std::sync::Arc<rustls::ClientConfig>, String> {
    let mut roots = rustls::RootCertStore::empty();
    match store {
        TrustStore::Bundled => {
            roots.add_parsable_certificates(
                webpki_root_certs::TLS_SERVER_ROOT_CERTS.iter().cloned(),
            );
        }
        // A distribution's bundle may hold certificates rustls cannot use; those are
        // skipped, as every TLS library does with a system store.
        TrustStore::System => {
            roots.add_parsable_certificates(system_roots()?);
        }
    }
    for cert in extra {
        roots
            .add(cert.clone())
            .map_err(|e| format!("a CA certificate is not usable: {e}"))?;
    }
    let provider = std::sync::Arc::new(rustls::crypto::ring::default_provider());
    let config = rustls::ClientConfig::builder_with_provider(provider)
        .with_protocol_versions(&[&rustls::version::TLS13, &rustls::version::TLS12])
        .map_err(|e| format!("TLS configuration: {e}"))?
        .with_root_certificates(roots)
        .with_no_client_auth();
    Ok(std::sync::Arc::new(config))
}

fn system_roots() -> Result<Vec<Certificate>, String> {
    // SSL_CERT_FILE as OpenSSL reads it (an empty value counts as unset); SSL_CERT_DIR's
    // hashed directories are not read.
    if let Some(file) = std::env::var_os("SSL_CERT_FILE").filter(|f| !f.is_empty()) {
        return read_pem_file(Path::new(&file), "system CA bundle (SSL_CERT_FILE)");
    }
    let found = SYSTEM_BUNDLES.iter().map(Path::new).find(|p| p.is_file());
    match found {
        Some(path) => read_pem_file(path, "system CA bundle"),
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
        assert!(webpki_root_certs::TLS_SERVER_ROOT_CERTS.len() > 100);
        assert!(client_config(TrustStore::Bundled, &[]).is_ok());
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
        // PEM armour around bytes that are no certificate: refused, not ignored.
        let corrupt = dir.join("corrupt.pem");
        std::fs::write(
            &corrupt,
            "-----BEGIN CERTIFICATE-----\nAAECAwQFBgcICQ==\n-----END CERTIFICATE-----\n",
        )
        .unwrap();
        let err = load_pem_file(&corrupt, "CA file").unwrap_err();
        assert!(
            err.starts_with(&format!(
                "CA file {}: certificate 1 is not a usable X.509 CA certificate",
                corrupt.display()
            )),
            "{err}"
        );
        let missing = dir.join("missing.pem");
        assert!(load_pem_file(&missing, "CA file")
            .unwrap_err()
            .starts_with(&format!("CA file {}: No such file", missing.display())));
        std::fs::remove_dir_all(&dir).unwrap();
    }
}
