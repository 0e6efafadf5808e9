//! Signature protection (RFC 9810 section 5.1.3.3): the `ProtectedPart` is signed by the
//! sender's key, `protectionAlg` names the signature algorithm, and the signer's
//! certificate travels first in `extraCerts`.

use der::Encode;
use signature::Signer;
use spki::{
    AlgorithmIdentifierOwned, DynSignatureAlgorithmIdentifier, SignatureBitStringEncoding,
    SubjectPublicKeyInfoOwned,
};
use x509_cert::Certificate;

use super::ProtectionError;
use crate::message::{PkiMessage, Received};
use crate::oid;

/// Checks one signature. Implement it to verify algorithms this crate does not know
/// (e.g. a token-specific scheme) and pass it to [`verify_signature_protection_with`].
pub trait ProtectionVerifier {
    /// Verifies `signature` over `data` with `public_key` under `algorithm`.
    fn verify(
        &self,
        algorithm: &AlgorithmIdentifierOwned,
        public_key: &SubjectPublicKeyInfoOwned,
        data: &[u8],
        signature: &[u8],
    ) -> Result<(), ProtectionError>;
}

/// The algorithms a bank CA uses: RSA PKCS#1 v1.5 with SHA-256/384/512, ECDSA P-256
/// with SHA-256, and GOST R 34.10-2012 with Streebog (256 and 512).
#[derive(Clone, Copy, Debug, Default)]
pub struct StandardVerifier;

impl ProtectionVerifier for StandardVerifier {
    fn verify(
        &self,
        algorithm: &AlgorithmIdentifierOwned,
        public_key: &SubjectPublicKeyInfoOwned,
        data: &[u8],
        signature: &[u8],
    ) -> Result<(), ProtectionError> {
        let key_der = public_key.to_der()?;
        let alg = algorithm.oid;
        if alg == oid::SHA256_WITH_RSA {
            verify_rsa::<sha2::Sha256>(&key_der, data, signature)
        } else if alg == oid::SHA384_WITH_RSA {
            verify_rsa::<sha2::Sha384>(&key_der, data, signature)
        } else if alg == oid::SHA512_WITH_RSA {
            verify_rsa::<sha2::Sha512>(&key_der, data, signature)
        } else if alg == oid::ECDSA_WITH_SHA256 {
            verify_p256(&key_der, data, signature)
        } else if alg == oid::GOST_SIGN_256 || alg == oid::GOST_SIGN_512 {
            verify_gost(&key_der, data, signature)
        } else {
            Err(ProtectionError::UnsupportedAlgorithm(alg.to_string()))
        }
    }
}

fn verify_rsa<D>(key_der: &[u8], data: &[u8], signature: &[u8]) -> Result<(), ProtectionError>
where
    D: sha2::Digest + rsa::pkcs8::AssociatedOid,
{
    use rsa::pkcs8::DecodePublicKey;
    let key =
        rsa::PublicKey::from_public_key_der(key_der).map_err(|_| ProtectionError::KeyMismatch)?;
    let hashed = D::digest(data);
    key.verify(rsa::Pkcs1v15Sign::new::<D>(), &hashed, signature)
        .map_err(|_| ProtectionError::BadSignature)
}

fn verify_p256(key_der: &[u8], data: &[u8], signature: &[u8]) -> Result<(), ProtectionError> {
    use p256::ecdsa::signature::Verifier;
    use p256::pkcs8::DecodePublicKey;
    let key = p256::ecdsa::VerifyingKey::from_public_key_der(key_der)
        .map_err(|_| ProtectionError::KeyMismatch)?;
    let sig = p256::ecdsa::DerSignature::try_from(signature)
        .map_err(|_| ProtectionError::BadSignature)?;
    key.verify(data, &sig)
        .map_err(|_| ProtectionError::BadSignature)
}

fn verify_gost(key_der: &[u8], data: &[u8], signature: &[u8]) -> Result<(), ProtectionError> {
    use signature::Verifier;
    let key =
        gost3410::VerifyingKey::from_spki_der(key_der).map_err(|_| ProtectionError::KeyMismatch)?;
    let sig =
        gost3410::Signature::from_bytes(signature).map_err(|_| ProtectionError::BadSignature)?;
    key.verify(data, &sig)
        .map_err(|_| ProtectionError::BadSignature)
}

/// Signs `message` with `signer`: sets `protectionAlg` to the signer's algorithm (it is
/// part of the protected header, so it is set before signing), signs the DER of
/// `ProtectedPart` and puts `extra_certs` (the signer's certificate first, RFC 9810
/// section 5.1.3.3) into the message.
pub fn protect_with_signature<S, Sig>(
    message: &mut PkiMessage,
    signer: &S,
    extra_certs: Vec<Certificate>,
) -> Result<(), ProtectionError>
where
    S: Signer<Sig> + DynSignatureAlgorithmIdentifier,
    Sig: SignatureBitStringEncoding,
{
    message.header.protection_alg = Some(signer.signature_algorithm_identifier()?);
    let data = message.protected_part_der()?;
    let signature = signer.try_sign(&data).map_err(ProtectionError::Signing)?;
    message.protection = Some(signature.to_bitstring()?);
    message.extra_certs = if extra_certs.is_empty() {
        None
    } else {
        Some(extra_certs)
    };
    Ok(())
}

/// Verifies the signature protection of `message` with the public key of `cert`, using
/// the algorithms of [`StandardVerifier`], over the `ProtectedPart` bytes as received.
pub fn verify_signature_protection(
    message: &Received,
    cert: &Certificate,
) -> Result<(), ProtectionError> {
    verify_signature_protection_with(message, cert, &StandardVerifier)
}

/// Verifies the signature protection of `message` with the public key of `cert` through
/// `verifier`. Which certificate to trust is the caller's decision: this checks only
/// that the message was signed by its key.
pub fn verify_signature_protection_with(
    message: &Received,
    cert: &Certificate,
    verifier: &dyn ProtectionVerifier,
) -> Result<(), ProtectionError> {
    let (Some(algorithm), Some(protection)) = (&message.header.protection_alg, &message.protection)
    else {
        return Err(ProtectionError::NotProtected);
    };
    if algorithm.oid == oid::PASSWORD_BASED_MAC {
        return Err(ProtectionError::WrongKind {
            found: "a password-based MAC",
            expected: "a signature",
        });
    }
    let signature = protection.as_bytes().ok_or(ProtectionError::BadSignature)?;
    verifier.verify(
        algorithm,
        cert.tbs_certificate().subject_public_key_info(),
        message.protected_part(),
        signature,
    )
}
