//! Password-based MAC protection (RFC 9810 section 5.1.3.1, first defined in RFC 4210):
//! for a first request, before the customer has a certificate, the bank hands out a
//! reference (sent as `senderKID`) and a secret; the message is MACed with a key derived
//! from the secret.

use der::asn1::{BitString, OctetString};
use der::{Any, Decode, Encode, Sequence};
use hmac::{Hmac, KeyInit, Mac};
use spki::AlgorithmIdentifierOwned;

use super::ProtectionError;
use crate::message::{PkiMessage, Received};
use crate::oid;

/// Iterations this crate writes. RFC 9810 asks for at least 100; more slows guessing.
pub const DEFAULT_ITERATIONS: u32 = 10_000;
/// The fewest iterations accepted from a peer (RFC 9810 section 5.1.3.1).
pub const MIN_ITERATIONS: u32 = 100;
/// The most iterations accepted from a peer, so a hostile peer cannot make us spin.
pub const MAX_ITERATIONS: u32 = 100_000;
/// Length of the random salt this crate writes.
const SALT_LEN: usize = 16;

/// `PBMParameter`.
#[derive(Clone, Debug, Eq, PartialEq, Sequence)]
pub struct PbmParameter {
    /// Random salt appended to the secret.
    pub salt: OctetString,
    /// The one-way function iterated over secret and salt.
    pub owf: AlgorithmIdentifierOwned,
    /// How many times the one-way function is applied.
    pub iteration_count: u32,
    /// The MAC keyed with the result.
    pub mac: AlgorithmIdentifierOwned,
}

/// Hash functions the key derivation and MAC may use.
#[derive(Clone, Copy, Debug, Eq, PartialEq)]
enum Hash {
    Sha1,
    Sha256,
}

impl Hash {
    fn owf(id: &AlgorithmIdentifierOwned) -> Result<Self, ProtectionError> {
        if id.oid == oid::SHA256 {
            Ok(Self::Sha256)
        } else if id.oid == oid::SHA1 {
            Ok(Self::Sha1)
        } else {
            Err(ProtectionError::UnsupportedAlgorithm(id.oid.to_string()))
        }
    }

    fn mac(id: &AlgorithmIdentifierOwned) -> Result<Self, ProtectionError> {
        if id.oid == oid::HMAC_WITH_SHA256 {
            Ok(Self::Sha256)
        } else if id.oid == oid::HMAC_SHA1 || id.oid == oid::HMAC_WITH_SHA1 {
            Ok(Self::Sha1)
        } else {
            Err(ProtectionError::UnsupportedAlgorithm(id.oid.to_string()))
        }
    }

    fn digest(self, data: &[u8]) -> Vec<u8> {
        use sha2::Digest;
        match self {
            Self::Sha1 => sha1::Sha1::digest(data).to_vec(),
            Self::Sha256 => sha2::Sha256::digest(data).to_vec(),
        }
    }
}

/// BASEKEY = OWF(secret || salt), then OWF applied again until `iterations` in total.
fn derive_key(secret: &[u8], params: &PbmParameter, owf: Hash) -> Vec<u8> {
    let mut input = Vec::with_capacity(secret.len() + params.salt.as_bytes().len());
    input.extend_from_slice(secret);
    input.extend_from_slice(params.salt.as_bytes());
    let mut key = owf.digest(&input);
    input.fill(0);
    for _ in 1..params.iteration_count {
        key = owf.digest(&key);
    }
    key
}

fn mac_of(mac: Hash, key: &[u8], data: &[u8]) -> Result<Vec<u8>, ProtectionError> {
    let bad_key = |_| ProtectionError::BadParameters("the derived key is unusable");
    Ok(match mac {
        Hash::Sha1 => {
            let mut m = Hmac::<sha1::Sha1>::new_from_slice(key).map_err(bad_key)?;
            m.update(data);
            m.finalize().into_bytes().to_vec()
        }
        Hash::Sha256 => {
            let mut m = Hmac::<sha2::Sha256>::new_from_slice(key).map_err(bad_key)?;
            m.update(data);
            m.finalize().into_bytes().to_vec()
        }
    })
}

/// Compares in constant time, so the MAC check leaks nothing about the expected value.
fn constant_time_eq(a: &[u8], b: &[u8]) -> bool {
    a.len() == b.len() && a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

fn sha256_id(oid: der::asn1::ObjectIdentifier) -> AlgorithmIdentifierOwned {
    AlgorithmIdentifierOwned {
        oid,
        parameters: None,
    }
}

/// Protects `message` with PasswordBasedMac: SHA-256 as one-way function, HMAC-SHA256
/// as MAC, a fresh random salt, and `reference` as `senderKID` so the bank can find the
/// secret. The secret is used only for the key derivation and never stored.
pub fn protect_with_pbm(
    message: &mut PkiMessage,
    reference: &[u8],
    secret: &[u8],
) -> Result<(), ProtectionError> {
    let mut salt = [0u8; SALT_LEN];
    getrandom::fill(&mut salt).map_err(|_| ProtectionError::Random)?;
    let params = PbmParameter {
        salt: OctetString::new(salt.to_vec())?,
        owf: sha256_id(oid::SHA256),
        iteration_count: DEFAULT_ITERATIONS,
        mac: sha256_id(oid::HMAC_WITH_SHA256),
    };
    message.header.sender_kid = Some(OctetString::new(reference.to_vec())?);
    message.header.protection_alg = Some(AlgorithmIdentifierOwned {
        oid: oid::PASSWORD_BASED_MAC,
        parameters: Some(Any::from_der(&params.to_der()?)?),
    });
    let data = message.protected_part_der()?;
    let key = derive_key(secret, &params, Hash::Sha256);
    let mac = mac_of(Hash::Sha256, &key, &data)?;
    message.protection = Some(BitString::from_bytes(&mac)?);
    Ok(())
}

/// Verifies the PasswordBasedMac protection of `message` with `secret`, over the
/// `ProtectedPart` bytes as received. Accepts SHA-1 or SHA-256 as one-way function and
/// HMAC-SHA1 or HMAC-SHA256 as MAC, since peers such as OpenSSL default to HMAC-SHA1 in
/// their answers.
pub fn verify_pbm(message: &Received, secret: &[u8]) -> Result<(), ProtectionError> {
    let (Some(algorithm), Some(protection)) = (&message.header.protection_alg, &message.protection)
    else {
        return Err(ProtectionError::NotProtected);
    };
    if algorithm.oid != oid::PASSWORD_BASED_MAC {
        return Err(ProtectionError::WrongKind {
            found: "a signature or another MAC",
            expected: "a password-based MAC",
        });
    }
    let params_any = algorithm
        .parameters
        .as_ref()
        .ok_or(ProtectionError::BadParameters("they are missing"))?;
    let params = PbmParameter::from_der(&params_any.to_der()?)?;
    if params.iteration_count < MIN_ITERATIONS {
        return Err(ProtectionError::BadParameters("too few iterations"));
    }
    if params.iteration_count > MAX_ITERATIONS {
        return Err(ProtectionError::BadParameters("too many iterations"));
    }
    let owf = Hash::owf(&params.owf)?;
    let mac = Hash::mac(&params.mac)?;
    let key = derive_key(secret, &params, owf);
    let expected = mac_of(mac, &key, message.protected_part())?;
    let got = protection.as_bytes().ok_or(ProtectionError::MacMismatch)?;
    if constant_time_eq(&expected, got) {
        Ok(())
    } else {
        Err(ProtectionError::MacMismatch)
    }
}
