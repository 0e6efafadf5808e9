//! HTTPS for the CA: a server certificate issued by the RSA CA for the names the server
//! is reached by, kept in `tls/` in the CA directory and reissued when it no longer fits,
//! and a rustls 0.23 configuration (ring provider) around it. Clients trust the RSA CA
//! certificate, which they need for the CMP responses anyway.

use std::net::IpAddr;
use std::path::Path;
use std::str::FromStr;
use std::sync::Arc;
use std::time::Duration;

use der::{Decode, Encode, EncodePem};
use rustls::pki_types::{CertificateDer, PrivateKeyDer, PrivatePkcs8KeyDer};
use tokio_rustls::TlsAcceptor;
use x509_cert::Certificate;
use x509_cert::ext::pkix::SubjectAltName;
use x509_cert::ext::pkix::name::GeneralName;
use x509_cert::name::Name;

use crate::ca::{Ca, TLS_DIR};
use crate::clock::unix_seconds;
use crate::error::{Error, Result};
use crate::issue::{self, Usage};
use crate::keys::{self, RsaCaKey, RsaSignature};

/// The server certificate file: the server certificate, then the RSA CA certificate.
pub const SERVER_CERT_FILE: &str = "server.pem";
/// The server's private key.
pub const SERVER_KEY_FILE: &str = "server.key";

/// Reissue the certificate when it has less than this left.
const RENEW_BEFORE: Duration = Duration::from_secs(7 * 86_400);

/// The names a certificate must cover, split into DNS names and addresses.
fn split_hosts(hosts: &[String]) -> (Vec<String>, Vec<IpAddr>) {
    let mut dns = Vec::new();
    let mut ips = Vec::new();
    for host in hosts {
        let bare = host.trim_start_matches('[').trim_end_matches(']');
        match bare.parse::<IpAddr>() {
            Ok(ip) => {
                if !ips.contains(&ip) {
                    ips.push(ip);
                }
            }
            Err(_) => {
                let name = bare.to_ascii_lowercase();
                if !name.is_empty() && !dns.contains(&name) {
                    dns.push(name);
                }
            }
        }
    }
    (dns, ips)
}

fn alt_names(cert: &Certificate) -> (Vec<String>, Vec<IpAddr>) {
    let mut dns = Vec::new();
    let mut ips = Vec::new();
    let Some(extensions) = cert.tbs_certificate().extensions() else {
        return (dns, ips);
    };
    for ext in extensions {
        if ext.extn_id != const_oid::db::rfc5280::ID_CE_SUBJECT_ALT_NAME {
            continue;
        }
        let Ok(san) = SubjectAltName::from_der(ext.extn_value.as_bytes()) else {
            continue;
        };
        for name in san.0 {
            match name {
                GeneralName::DnsName(n) => dns.push(n.to_string().to_ascii_lowercase()),
                GeneralName::IpAddress(bytes) => match bytes.as_bytes().len() {
                    4 => {
                        let mut a = [0u8; 4];
                        a.copy_from_slice(bytes.as_bytes());
                        ips.push(IpAddr::from(a));
                    }
                    16 => {
                        let mut a = [0u8; 16];
                        a.copy_from_slice(bytes.as_bytes());
                        ips.push(IpAddr::from(a));
                    }
                    _ => {}
                },
                _ => {}
            }
        }
    }
    (dns, ips)
}

/// Whether the stored certificate can serve `hosts` now: issued by this RSA CA (its
/// signature verifies), covering every name, and not about to expire.
fn reusable(ca: &Ca, cert: &Certificate, dns: &[String], ips: &[IpAddr]) -> bool {
    use cmp::protection::ProtectionVerifier;
    let tbs = cert.tbs_certificate();
    let Ok(tbs_der) = tbs.to_der() else {
        return false;
    };
    let Some(signature) = cert.signature().as_bytes() else {
        return false;
    };
    let signed_by_ca = cmp::protection::StandardVerifier
        .verify(
            cert.signature_algorithm(),
            ca.rsa_cert.tbs_certificate().subject_public_key_info(),
            &tbs_der,
            signature,
        )
        .is_ok();
    let Ok(now) = ca.now() else {
        return false;
    };
    let fresh = unix_seconds(tbs.validity().not_after.to_system_time())
        > unix_seconds(now + RENEW_BEFORE)
        && unix_seconds(tbs.validity().not_before.to_system_time()) <= unix_seconds(now);
    let (have_dns, have_ips) = alt_names(cert);
    let covers =
        dns.iter().all(|d| have_dns.contains(d)) && ips.iter().all(|i| have_ips.contains(i));
    signed_by_ca && fresh && covers
}

fn load(cert_path: &Path, key_path: &Path) -> Option<(Vec<Certificate>, Vec<u8>)> {
    let chain = Certificate::load_pem_chain(&std::fs::read(cert_path).ok()?).ok()?;
    let key_pem = std::fs::read_to_string(key_path).ok()?;
    let (label, key) = der::pem::decode_vec(key_pem.as_bytes()).ok()?;
    (label == "PRIVATE KEY" && !chain.is_empty()).then_some((chain, key))
}

/// Writes `text` to `path` through a temporary file and a rename, so the file is never
/// half-written; `private` files are readable by their owner only.
fn replace_file(path: &Path, text: &str, private: bool) -> Result<()> {
    let tmp = path.with_extension("tmp");
    let _ = std::fs::remove_file(&tmp);
    if private {
        keys::write_private(&tmp, text)?;
    } else {
        std::fs::write(&tmp, text).map_err(|e| Error::io(&tmp, e))?;
    }
    std::fs::rename(&tmp, path).map_err(|e| Error::io(path, e))
}

/// The server certificate chain and key for `hosts`, reusing the stored ones when they
/// still fit and issuing new ones otherwise.
pub fn server_certificate(
    ca: &Ca,
    hosts: &[String],
) -> Result<(Vec<CertificateDer<'static>>, PrivateKeyDer<'static>)> {
    let dir = ca.dir().join(TLS_DIR);
    std::fs::create_dir_all(&dir).map_err(|e| Error::io(&dir, e))?;
    let cert_path = dir.join(SERVER_CERT_FILE);
    let key_path = dir.join(SERVER_KEY_FILE);
    let (dns, ips) = split_hosts(hosts);
    let (chain, key) = match load(&cert_path, &key_path) {
        Some((chain, key)) if reusable(ca, &chain[0], &dns, &ips) => (chain, key),
        _ => {
            tracing::info!("issuing a TLS server certificate for {}", hosts.join(", "));
            let key = RsaCaKey::generate(2048)?;
            let first = dns
                .first()
                .cloned()
                .or_else(|| ips.first().map(IpAddr::to_string))
                .unwrap_or_else(|| "localhost".into());
            let subject = Name::from_str(&format!("CN={first},O=smartkey reference bank CA"))
                .map_err(|e| Error::Tls(e.to_string()))?;
            let cert = issue::issue::<_, RsaSignature>(
                &ca.rsa,
                &ca.rsa_cert,
                subject,
                key.public_key_info()?,
                ca.now()?,
                issue::TLS_LIFETIME,
                Usage::TlsServer { dns, ips },
            )?;
            let chain = vec![cert, ca.rsa_cert.clone()];
            let mut pem = String::new();
            for c in &chain {
                pem.push_str(&c.to_pem(der::pem::LineEnding::LF)?);
            }
            let key_pem = key.to_pem()?;
            replace_file(&key_path, &key_pem, true)?;
            replace_file(&cert_path, &pem, false)?;
            let (_, key_der) =
                der::pem::decode_vec(key_pem.as_bytes()).map_err(|e| Error::Tls(e.to_string()))?;
            (chain, key_der)
        }
    };
    let chain = chain
        .iter()
        .map(|c| c.to_der().map(CertificateDer::from))
        .collect::<std::result::Result<Vec<_>, _>>()?;
    Ok((chain, PrivateKeyDer::Pkcs8(PrivatePkcs8KeyDer::from(key))))
}

/// A TLS acceptor for `hosts`.
pub fn acceptor(ca: &Ca, hosts: &[String]) -> Result<TlsAcceptor> {
    let (chain, key) = server_certificate(ca, hosts)?;
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let config = rustls::ServerConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .map_err(|e| Error::Tls(e.to_string()))?
        .with_no_client_auth()
        .with_single_cert(chain, key)
        .map_err(|e| Error::Tls(e.to_string()))?;
    Ok(TlsAcceptor::from(Arc::new(config)))
}
