//! Certificates the CA makes with `x509-cert`'s `CertificateBuilder`: its own
//! self-signed CA certificates, customers' certificates and the TLS server certificate.

use std::net::IpAddr;
use std::time::{Duration, SystemTime};

use const_oid::db::rfc5280::{ID_KP_CLIENT_AUTH, ID_KP_EMAIL_PROTECTION, ID_KP_SERVER_AUTH};
use der::asn1::{Ia5String, OctetString};
use signature::{Keypair, Signer};
use spki::{
    DynSignatureAlgorithmIdentifier, EncodePublicKey, SignatureBitStringEncoding,
    SubjectPublicKeyInfoOwned, SubjectPublicKeyInfoRef,
};
use x509_cert::Certificate;
use x509_cert::builder::profile::BuilderProfile;
use x509_cert::builder::{Builder, CertificateBuilder};
use x509_cert::certificate::TbsCertificate;
use x509_cert::ext::pkix::name::GeneralName;
use x509_cert::ext::pkix::{
    AuthorityKeyIdentifier, BasicConstraints, ExtendedKeyUsage, KeyUsage, KeyUsages,
    SubjectAltName, SubjectKeyIdentifier,
};
use x509_cert::ext::{Extension, ToExtension};
use x509_cert::name::Name;
use x509_cert::serial_number::SerialNumber;
use x509_cert::time::{Time, Validity};

use crate::error::{Error, Result};

/// How long a customer's certificate is valid.
pub const CERTIFICATE_LIFETIME: Duration = Duration::from_secs(365 * 86_400);
/// How long the CA's own certificates are valid.
pub const CA_LIFETIME: Duration = Duration::from_secs(10 * 365 * 86_400);
/// How long the TLS server certificate is valid.
pub const TLS_LIFETIME: Duration = Duration::from_secs(90 * 86_400);

/// What a certificate is for; decides its extensions.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Usage {
    /// A CA certificate: signs certificates and, for CMP, messages.
    Ca,
    /// A customer's certificate: signing documents (digitalSignature, nonRepudiation),
    /// TLS client authentication and e-mail protection; the e-mail as rfc822Name.
    Client {
        /// The customer's e-mail address, if known.
        email: Option<String>,
    },
    /// The CA's HTTPS server certificate.
    TlsServer {
        /// Host names.
        dns: Vec<String>,
        /// IP addresses.
        ips: Vec<IpAddr>,
    },
}

struct Profile {
    issuer: Name,
    subject: Name,
    usage: Usage,
}

impl BuilderProfile for Profile {
    fn get_issuer(&self, _subject: &Name) -> Name {
        self.issuer.clone()
    }

    fn get_subject(&self) -> Name {
        self.subject.clone()
    }

    fn build_extensions(
        &self,
        spk: SubjectPublicKeyInfoRef<'_>,
        issuer_spk: SubjectPublicKeyInfoRef<'_>,
        tbs: &TbsCertificate,
    ) -> x509_cert::builder::Result<Vec<Extension>> {
        let subject = tbs.subject();
        let mut exts: Vec<Extension> = Vec::new();
        let (ca, key_usage, ext_usage, alt_names) = match &self.usage {
            Usage::Ca => (
                BasicConstraints {
                    ca: true,
                    path_len_constraint: Some(0),
                },
                KeyUsages::KeyCertSign | KeyUsages::CRLSign | KeyUsages::DigitalSignature,
                None,
                Vec::new(),
            ),
            Usage::Client { email } => {
                let mut names = Vec::new();
                if let Some(email) = email {
                    names.push(GeneralName::Rfc822Name(Ia5String::new(email)?));
                }
                (
                    BasicConstraints {
                        ca: false,
                        path_len_constraint: None,
                    },
                    KeyUsages::DigitalSignature | KeyUsages::NonRepudiation,
                    Some(ExtendedKeyUsage(vec![
                        ID_KP_CLIENT_AUTH,
                        ID_KP_EMAIL_PROTECTION,
                    ])),
                    names,
                )
            }
            Usage::TlsServer { dns, ips } => {
                let mut names = Vec::new();
                for name in dns {
                    names.push(GeneralName::DnsName(Ia5String::new(name)?));
                }
                for ip in ips {
                    let bytes = match ip {
                        IpAddr::V4(v4) => v4.octets().to_vec(),
                        IpAddr::V6(v6) => v6.octets().to_vec(),
                    };
                    names.push(GeneralName::IpAddress(OctetString::new(bytes)?));
                }
                (
                    BasicConstraints {
                        ca: false,
                        path_len_constraint: None,
                    },
                    KeyUsages::DigitalSignature | KeyUsages::KeyEncipherment,
                    Some(ExtendedKeyUsage(vec![ID_KP_SERVER_AUTH])),
                    names,
                )
            }
        };
        let ext = (&ca).to_extension(subject, &exts)?;
        exts.push(ext);
        let ext = (&KeyUsage(key_usage)).to_extension(subject, &exts)?;
        exts.push(ext);
        if let Some(eku) = ext_usage {
            let ext = (&eku).to_extension(subject, &exts)?;
            exts.push(ext);
        }
        if !alt_names.is_empty() {
            let ext = (&SubjectAltName(alt_names)).to_extension(subject, &exts)?;
            exts.push(ext);
        }
        let ext = (&SubjectKeyIdentifier::try_from(spk)?).to_extension(subject, &exts)?;
        exts.push(ext);
        let ext = (&AuthorityKeyIdentifier::try_from(issuer_spk)?).to_extension(subject, &exts)?;
        exts.push(ext);
        Ok(exts)
    }
}

/// A random positive 16-byte serial number (RFC 5280 section 4.1.2.2: unique, at most
/// 20 bytes; random so that serials reveal nothing and never collide in practice).
pub fn random_serial() -> Result<SerialNumber> {
    let mut bytes = [0u8; SERIAL_LEN];
    getrandom::fill(&mut bytes).map_err(|e| Error::Issue(format!("no random bytes: {e}")))?;
    serial_from_bytes(bytes)
}

/// Length of the serial numbers of issued certificates, in bytes.
pub const SERIAL_LEN: usize = 16;

/// The environment variable the `bankca` binary reads to issue certificates with
/// [`SerialSource::Seeded`] serials: any non-empty text is the seed. For tests and
/// training only (replaying a recorded session with the same screens); a real CA uses
/// random serials, which reveal nothing about its issuance.
pub const SERIAL_SEED_ENV: &str = "BANKCA_SERIAL_SEED";

/// Domain separation of seeded serials, so that the same seed text used elsewhere (for
/// example by the token emulator) never yields the same bytes.
const SERIAL_DOMAIN: &[u8] = b"bankca certificate serial v1\0";

/// Where the serial numbers of issued customer certificates come from.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub enum SerialSource {
    /// Fresh random serials from the operating system ([`random_serial`]).
    #[default]
    Random,
    /// Serials derived from this seed text and the number of certificates the CA has
    /// issued before ([`seeded_serial`]): the same seed and the same order of issuance
    /// give the same serials, so a recorded session can be replayed byte for byte.
    /// For tests and training only.
    Seeded(String),
}

impl SerialSource {
    /// [`SerialSource::Seeded`] when [`SERIAL_SEED_ENV`] holds a non-empty text, else
    /// [`SerialSource::Random`].
    pub fn from_env() -> Self {
        match std::env::var(SERIAL_SEED_ENV) {
            Ok(seed) if !seed.is_empty() => SerialSource::Seeded(seed),
            _ => SerialSource::Random,
        }
    }

    /// The serial of a certificate issued after `issued_before` others. Random serials
    /// ignore the count.
    pub fn serial(&self, issued_before: u64) -> Result<SerialNumber> {
        match self {
            SerialSource::Random => random_serial(),
            SerialSource::Seeded(seed) => seeded_serial(seed, issued_before),
        }
    }
}

/// The serial number `index` of `seed`: the first 16 bytes of
/// SHA-256(domain || length of seed || seed || index), shaped as [`random_serial`] shapes
/// its bytes (positive, exactly 16 bytes). Different indexes give different serials
/// except with negligible probability (126 bits of a hash); the CA still checks its
/// database, see [`crate::Ca::issue_one`].
pub fn seeded_serial(seed: &str, index: u64) -> Result<SerialNumber> {
    use sha2::Digest;
    let mut hasher = sha2::Sha256::new();
    hasher.update(SERIAL_DOMAIN);
    // The length keeps (seed, index) pairs from running into each other.
    hasher.update((seed.len() as u64).to_be_bytes());
    hasher.update(seed.as_bytes());
    hasher.update(index.to_be_bytes());
    let digest = hasher.finalize();
    let mut bytes = [0u8; SERIAL_LEN];
    bytes.copy_from_slice(&digest[..SERIAL_LEN]);
    serial_from_bytes(bytes)
}

fn serial_from_bytes(mut bytes: [u8; SERIAL_LEN]) -> Result<SerialNumber> {
    // Highest bit clear (positive), next bit set (exactly 16 bytes, never a leading zero).
    bytes[0] = (bytes[0] & 0x7f) | 0x40;
    Ok(SerialNumber::new(&bytes)?)
}

fn validity(now: SystemTime, lifetime: Duration) -> Result<Validity> {
    let not_before = Time::try_from(now)?;
    let not_after = Time::try_from(now + lifetime)?;
    Ok(Validity::new(not_before, not_after))
}

/// A self-signed CA certificate for `signer`'s key.
pub fn self_signed_ca<S, Sig>(signer: &S, subject: Name, now: SystemTime) -> Result<Certificate>
where
    S: Signer<Sig> + Keypair + DynSignatureAlgorithmIdentifier,
    S::VerifyingKey: EncodePublicKey,
    Sig: SignatureBitStringEncoding,
{
    let spki = SubjectPublicKeyInfoOwned::from_key(&signer.verifying_key())
        .map_err(|e| Error::Issue(e.to_string()))?;
    let profile = Profile {
        issuer: subject.clone(),
        subject,
        usage: Usage::Ca,
    };
    build(profile, spki, now, CA_LIFETIME, signer, random_serial()?)
}

/// A certificate for `public_key` with `subject`, issued by the CA with certificate
/// `issuer` and key `signer`, valid for `lifetime` from `now`, with a random serial.
pub fn issue<S, Sig>(
    signer: &S,
    issuer: &Certificate,
    subject: Name,
    public_key: SubjectPublicKeyInfoOwned,
    now: SystemTime,
    lifetime: Duration,
    usage: Usage,
) -> Result<Certificate>
where
    S: Signer<Sig> + Keypair + DynSignatureAlgorithmIdentifier,
    S::VerifyingKey: EncodePublicKey,
    Sig: SignatureBitStringEncoding,
{
    let request = IssueRequest {
        subject,
        public_key,
        now,
        lifetime,
        usage,
    };
    issue_with_serial(signer, issuer, request, random_serial()?)
}

/// What a certificate issued by [`issue_with_serial`] says besides its serial.
#[derive(Clone, Debug)]
pub struct IssueRequest {
    /// The subject.
    pub subject: Name,
    /// The certified key.
    pub public_key: SubjectPublicKeyInfoOwned,
    /// Start of validity.
    pub now: SystemTime,
    /// Length of validity.
    pub lifetime: Duration,
    /// What the certificate is for.
    pub usage: Usage,
}

/// Like [`issue`], with the serial number chosen by the caller (from a
/// [`SerialSource`]); the caller answers for its uniqueness.
pub fn issue_with_serial<S, Sig>(
    signer: &S,
    issuer: &Certificate,
    request: IssueRequest,
    serial: SerialNumber,
) -> Result<Certificate>
where
    S: Signer<Sig> + Keypair + DynSignatureAlgorithmIdentifier,
    S::VerifyingKey: EncodePublicKey,
    Sig: SignatureBitStringEncoding,
{
    let profile = Profile {
        issuer: issuer.tbs_certificate().subject().clone(),
        subject: request.subject,
        usage: request.usage,
    };
    build(
        profile,
        request.public_key,
        request.now,
        request.lifetime,
        signer,
        serial,
    )
}

fn build<S, Sig>(
    profile: Profile,
    public_key: SubjectPublicKeyInfoOwned,
    now: SystemTime,
    lifetime: Duration,
    signer: &S,
    serial: SerialNumber,
) -> Result<Certificate>
where
    S: Signer<Sig> + Keypair + DynSignatureAlgorithmIdentifier,
    S::VerifyingKey: EncodePublicKey,
    Sig: SignatureBitStringEncoding,
{
    let builder = CertificateBuilder::new(profile, serial, validity(now, lifetime)?, public_key)
        .map_err(|e| Error::Issue(e.to_string()))?;
    builder
        .build::<S, Sig>(signer)
        .map_err(|e| Error::Issue(e.to_string()))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn shaped(serial: &SerialNumber) -> bool {
        let bytes = serial.as_bytes();
        bytes.len() == SERIAL_LEN && bytes[0] & 0xC0 == 0x40
    }

    #[test]
    fn seeded_serials_depend_on_seed_and_index_only() {
        let a0 = seeded_serial("seed", 0).expect("serial");
        assert_eq!(seeded_serial("seed", 0).expect("serial"), a0);
        assert_ne!(seeded_serial("seed", 1).expect("serial"), a0);
        assert_ne!(seeded_serial("seed2", 0).expect("serial"), a0);
        assert!(shaped(&a0));
        let source = SerialSource::Seeded("seed".into());
        assert_eq!(source.serial(0).expect("serial"), a0);
    }

    #[test]
    fn random_serials_keep_their_shape() {
        let a = SerialSource::Random.serial(0).expect("serial");
        let b = SerialSource::Random.serial(0).expect("serial");
        assert!(shaped(&a) && shaped(&b));
        assert_ne!(a, b);
        assert_eq!(SerialSource::default(), SerialSource::Random);
    }
}
