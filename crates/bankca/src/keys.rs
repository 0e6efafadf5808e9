//! The CA's keys: an RSA-2048 key (sha256WithRSAEncryption) and a GOST R 34.10-2012
//! 256-bit key (CryptoPro-A parameters, Streebog-256), stored as PKCS#8 PEM files.
//!
//! [`RsaCaKey`] signs through the `signature` 3 traits that `x509-cert` 0.3 and `cmp`
//! use: PKCS#1 v1.5 over SHA-256, described with spki 0.8 types. `rsa` generates and
//! stores the key; the signatures themselves are made by `ring` (already in the build
//! for TLS), whose constant-time assembly is several times faster than `rsa`'s generic
//! big numbers. Every CMP answer is signed, so this sets how many polls a second the CA
//! answers.

use std::path::Path;

use der::asn1::{BitString, ObjectIdentifier, OctetString};
use der::{Decode, Encode, Sequence};
use rsa::pkcs8::{DecodePrivateKey, EncodePrivateKey};
use spki::{
    AlgorithmIdentifierOwned, DynSignatureAlgorithmIdentifier, EncodePublicKey,
    SignatureBitStringEncoding, SubjectPublicKeyInfoOwned,
};
use zeroize::Zeroizing;

use crate::error::{Error, Result};

/// `sha256WithRSAEncryption` with the NULL parameters RFC 4055 asks for.
fn sha256_with_rsa() -> Result<AlgorithmIdentifierOwned> {
    Ok(AlgorithmIdentifierOwned {
        oid: cmp::oid::SHA256_WITH_RSA,
        parameters: Some(der::asn1::Any::from(der::asn1::Null)),
    })
}

/// The CA's RSA key, signing with PKCS#1 v1.5 and SHA-256.
#[derive(Clone)]
pub struct RsaCaKey {
    key: rsa::PrivateKey,
    signer: std::sync::Arc<ring::signature::RsaKeyPair>,
    public: RsaPublicKeyDer,
}

impl std::fmt::Debug for RsaCaKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("RsaCaKey").finish_non_exhaustive()
    }
}

/// The public half of [`RsaCaKey`] as SubjectPublicKeyInfo DER.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RsaPublicKeyDer(Vec<u8>);

impl RsaPublicKeyDer {
    /// The DER of the SubjectPublicKeyInfo.
    pub fn as_bytes(&self) -> &[u8] {
        &self.0
    }
}

impl EncodePublicKey for RsaPublicKeyDer {
    fn to_public_key_der(&self) -> spki::Result<der::Document> {
        Ok(der::Document::try_from(self.0.clone())?)
    }
}

/// A PKCS#1 v1.5 signature.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RsaSignature(Vec<u8>);

impl SignatureBitStringEncoding for RsaSignature {
    fn to_bitstring(&self) -> der::Result<BitString> {
        BitString::from_bytes(&self.0)
    }
}

impl RsaCaKey {
    /// A new random key of `bits` bits.
    pub fn generate(bits: usize) -> Result<Self> {
        let key = rsa::PrivateKey::new(&mut getrandom::SysRng, bits)
            .map_err(|e| Error::Key(e.to_string()))?;
        Self::from_key(key)
    }

    fn from_key(key: rsa::PrivateKey) -> Result<Self> {
        let public = key
            .to_public_key()
            .to_public_key_der()
            .map_err(|e| Error::Key(e.to_string()))?
            .as_bytes()
            .to_vec();
        let pkcs8 = key.to_pkcs8_der().map_err(|e| Error::Key(e.to_string()))?;
        let signer = ring::signature::RsaKeyPair::from_pkcs8(pkcs8.as_bytes())
            .map_err(|e| Error::Key(format!("the RSA key cannot sign: {e}")))?;
        Ok(Self {
            key,
            signer: std::sync::Arc::new(signer),
            public: RsaPublicKeyDer(public),
        })
    }

    /// Reads a PKCS#8 PEM private key.
    pub fn from_pem(pem: &str) -> std::result::Result<Self, KeyFileError> {
        let key = rsa::PrivateKey::from_pkcs8_pem(pem).map_err(KeyFileError::Pkcs8)?;
        Self::from_key(key).map_err(|e| KeyFileError::Unusable(Box::new(e)))
    }

    /// The key as PKCS#8 PEM.
    pub fn to_pem(&self) -> Result<Zeroizing<String>> {
        self.key
            .to_pkcs8_pem(rsa::pkcs8::LineEnding::LF)
            .map_err(|e| Error::Key(e.to_string()))
    }

    /// The public key as SubjectPublicKeyInfo.
    pub fn public_key_info(&self) -> Result<SubjectPublicKeyInfoOwned> {
        Ok(SubjectPublicKeyInfoOwned::from_der(self.public.as_bytes())?)
    }
}

impl signature::Signer<RsaSignature> for RsaCaKey {
    fn try_sign(&self, msg: &[u8]) -> std::result::Result<RsaSignature, signature::Error> {
        let mut signature = vec![0u8; self.signer.public().modulus_len()];
        self.signer
            .sign(
                &ring::signature::RSA_PKCS1_SHA256,
                &ring::rand::SystemRandom::new(),
                msg,
                &mut signature,
            )
            .map_err(|_| signature::Error::new())?;
        Ok(RsaSignature(signature))
    }
}

impl signature::Keypair for RsaCaKey {
    type VerifyingKey = RsaPublicKeyDer;

    fn verifying_key(&self) -> RsaPublicKeyDer {
        self.public.clone()
    }
}

impl DynSignatureAlgorithmIdentifier for RsaCaKey {
    fn signature_algorithm_identifier(&self) -> spki::Result<AlgorithmIdentifierOwned> {
        sha256_with_rsa().map_err(|_| spki::Error::KeyMalformed)
    }
}

/// `PrivateKeyInfo` (RFC 5208) as far as a GOST key needs it.
#[derive(Sequence)]
struct PrivateKeyInfo {
    version: u8,
    algorithm: AlgorithmIdentifierOwned,
    private_key: OctetString,
}

/// The parameters of a GOST public key algorithm (RFC 9215 section 2.1).
#[derive(Sequence)]
struct GostKeyParameters {
    public_key_param_set: ObjectIdentifier,
    #[asn1(optional = "true")]
    digest_param_set: Option<ObjectIdentifier>,
}

/// Writes a GOST key as PKCS#8 PEM: the algorithm identifier of its public key and, as
/// the private key, an OCTET STRING holding the little-endian secret, the form GOST
/// software exchanges (RFC 9215 section 2.2 and the TC26 recommendations).
pub fn gost_key_to_pem(key: &gost3410::SigningKey) -> Result<Zeroizing<String>> {
    let spki = SubjectPublicKeyInfoOwned::from_key(&key.verifying_key())
        .map_err(|e| Error::Key(e.to_string()))?;
    let secret = Zeroizing::new(key.to_bytes_le().to_vec());
    let inner = Zeroizing::new(OctetString::new(secret.as_slice())?.to_der()?);
    let info = PrivateKeyInfo {
        version: 0,
        algorithm: spki.algorithm,
        private_key: OctetString::new(inner.as_slice())?,
    };
    let der = Zeroizing::new(info.to_der()?);
    let pem = der::pem::encode_string("PRIVATE KEY", der::pem::LineEnding::LF, &der)
        .map_err(|e| Error::Key(e.to_string()))?;
    Ok(Zeroizing::new(pem))
}

/// Reads a GOST key written by [`gost_key_to_pem`].
pub fn gost_key_from_pem(pem: &str) -> std::result::Result<gost3410::SigningKey, KeyFileError> {
    let (label, der) = der::pem::decode_vec(pem.as_bytes())?;
    let der = Zeroizing::new(der);
    if label != "PRIVATE KEY" {
        return Err(KeyFileError::Label(label.to_string()));
    }
    let info = PrivateKeyInfo::from_der(&der)?;
    let params = info
        .algorithm
        .parameters
        .as_ref()
        .ok_or(KeyFileError::NoParameters)?;
    let params = GostKeyParameters::from_der(&params.to_der()?)?;
    let set = gost3410::ParamSet::from_oid(&params.public_key_param_set)
        .ok_or(KeyFileError::UnknownParamSet)?;
    let inner = OctetString::from_der(info.private_key.as_bytes())?;
    let secret = Zeroizing::new(inner.as_bytes().to_vec());
    gost3410::SigningKey::from_bytes_le(set, &secret).map_err(KeyFileError::Gost)
}

/// Why a CA key file cannot be read.
#[derive(Debug, thiserror::Error)]
pub enum KeyFileError {
    #[error("{0}")]
    Der(#[from] der::Error),
    #[error("{0}")]
    Pem(#[from] der::pem::Error),
    #[error("{0}")]
    Pkcs8(rsa::pkcs8::Error),
    #[error("a PRIVATE KEY is expected, not {0}")]
    Label(String),
    #[error("the key has no GOST parameters")]
    NoParameters,
    #[error("the key's GOST parameter set is not supported")]
    UnknownParamSet,
    #[error("{0}")]
    Gost(gost3410::Error),
    #[error("{0}")]
    Unusable(Box<Error>),
}

/// Reads a file, naming it in the error.
pub(crate) fn read_text(path: &Path) -> Result<String> {
    std::fs::read_to_string(path).map_err(|e| Error::io(path, e))
}

/// Makes `dir` and any missing parent for their owner alone (0700), and takes group and
/// other access away from an existing one: the CA's folder holds its keys, the request
/// database and the mail, all personal or secret.
pub(crate) fn private_dir(dir: &Path) -> Result<()> {
    let mut builder = std::fs::DirBuilder::new();
    builder.recursive(true);
    #[cfg(unix)]
    std::os::unix::fs::DirBuilderExt::mode(&mut builder, 0o700);
    builder.create(dir).map_err(|e| Error::io(dir, e))?;
    #[cfg(unix)]
    restrict(dir, 0o700)?;
    Ok(())
}

/// Takes group and other access away from `path` (keeping at most `keep`).
#[cfg(unix)]
pub(crate) fn restrict(path: &Path, keep: u32) -> Result<()> {
    use std::os::unix::fs::PermissionsExt;
    let mode = std::fs::metadata(path)
        .map_err(|e| Error::io(path, e))?
        .permissions()
        .mode();
    if mode & 0o077 != 0 {
        std::fs::set_permissions(path, std::fs::Permissions::from_mode(mode & keep))
            .map_err(|e| Error::io(path, e))?;
    }
    Ok(())
}

/// Writes a private key file readable by its owner only.
pub(crate) fn write_private(path: &Path, text: &str) -> Result<()> {
    use std::io::Write;
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        options.mode(0o600);
    }
    let mut file = options.open(path).map_err(|e| Error::io(path, e))?;
    file.write_all(text.as_bytes())
        .and_then(|()| file.sync_all())
        .map_err(|e| Error::io(path, e))
}

#[cfg(test)]
mod tests {
    use super::*;
    use signature::{Keypair, Signer};

    #[test]
    fn gost_key_pem_round_trip() {
        let key = gost3410::SigningKey::generate(gost3410::ParamSet::CryptoProA);
        let pem = gost_key_to_pem(&key).unwrap();
        assert!(pem.starts_with("-----BEGIN PRIVATE KEY-----"));
        let back = gost_key_from_pem(&pem).unwrap();
        assert_eq!(back.verifying_key(), key.verifying_key());
        assert!(
            gost_key_from_pem("-----BEGIN PRIVATE KEY-----\nAAAA\n-----END PRIVATE KEY-----\n")
                .is_err()
        );
        assert!(gost_key_from_pem("not a key").is_err());
    }

    #[test]
    fn rsa_adapter_signs_what_cmp_verifies() {
        use cmp::protection::ProtectionVerifier;
        let key = RsaCaKey::generate(2048).unwrap();
        let signature = key.try_sign(b"message").unwrap();
        let spki = SubjectPublicKeyInfoOwned::from_der(key.verifying_key().as_bytes()).unwrap();
        let alg = key.signature_algorithm_identifier().unwrap();
        cmp::protection::StandardVerifier
            .verify(&alg, &spki, b"message", &signature.0)
            .expect("verifies");
        assert!(
            cmp::protection::StandardVerifier
                .verify(&alg, &spki, b"other", &signature.0)
                .is_err()
        );
        let pem = key.to_pem().unwrap();
        let back = RsaCaKey::from_pem(&pem).unwrap();
        assert_eq!(back.verifying_key(), key.verifying_key());
    }
}
