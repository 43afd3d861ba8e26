//! HTTPS: the rustls server configuration from `--tls-cert`/`--tls-key`, and the handshake
//! that turns an accepted TCP connection into a TLS [`Stream`].

use std::net::TcpStream;
use std::path::Path;
use std::sync::Arc;
use std::time::Duration;

use rustls::pki_types::pem::{self, PemObject};
use rustls::pki_types::{CertificateDer, PrivateKeyDer};
use rustls::{ServerConfig, ServerConnection, StreamOwned};

use crate::cli::TlsFiles;
use crate::stream::Stream;

/// A client that has not finished its handshake by then is dropped.
const HANDSHAKE_TIMEOUT: Duration = Duration::from_secs(10);

/// Reads the certificate chain and key and builds the server configuration (ring provider,
/// TLS 1.2 and 1.3). `Err` is a message for stderr naming the file at fault.
pub fn server_config(files: &TlsFiles) -> Result<Arc<ServerConfig>, String> {
    let chain = read_chain(&files.cert)?;
    let key = PrivateKeyDer::from_pem_file(&files.key)
        .map_err(|error| pem_problem("--tls-key", &files.key, "private key", error))?;
    let config =
        ServerConfig::builder_with_provider(Arc::new(rustls::crypto::ring::default_provider()))
            .with_safe_default_protocol_versions()
            .map_err(|error| format!("TLS setup failed: {error}"))?
            .with_no_client_auth()
            .with_single_cert(chain, key)
            .map_err(|error| {
                format!(
                    "--tls-cert {} / --tls-key {}: unusable: {error}",
                    files.cert.display(),
                    files.key.display()
                )
            })?;
    Ok(Arc::new(config))
}

fn read_chain(path: &Path) -> Result<Vec<CertificateDer<'static>>, String> {
    let problem = |error| pem_problem("--tls-cert", path, "certificates", error);
    let chain = CertificateDer::pem_file_iter(path)
        .map_err(problem)?
        .collect::<Result<Vec<_>, _>>()
        .map_err(problem)?;
    if chain.is_empty() {
        return Err(problem(pem::Error::NoItemsFound));
    }
    Ok(chain)
}

fn pem_problem(flag: &str, path: &Path, what: &str, error: pem::Error) -> String {
    let path = path.display();
    match error {
        pem::Error::Io(error) => format!("{flag} {path}: cannot read: {error}"),
        pem::Error::NoItemsFound => format!("{flag} {path}: no PEM {what} in it"),
        other => format!("{flag} {path}: bad PEM data: {other}"),
    }
}

/// Completes the server side of the handshake on `tcp`. `None` when it fails or times out:
/// the caller just drops the connection (the client has its own error to report).
pub fn accept(tcp: TcpStream, config: &Arc<ServerConfig>) -> Option<Stream> {
    tcp.set_read_timeout(Some(HANDSHAKE_TIMEOUT)).ok()?;
    tcp.set_write_timeout(Some(HANDSHAKE_TIMEOUT)).ok()?;
    let connection = ServerConnection::new(Arc::clone(config)).ok()?;
    let mut stream = StreamOwned::new(connection, tcp);
    while stream.conn.is_handshaking() {
        // On a failure rustls has already tried to send the client an alert.
        let (read, written) = stream.conn.complete_io(&mut stream.sock).ok()?;
        if read == 0 && written == 0 {
            return None; // no progress possible: never spin
        }
    }
    Some(Stream::tls(stream))
}
