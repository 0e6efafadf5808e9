//! Streebog (GOST R 34.11-2012) digests, the hash half of the signature algorithms.

use streebog::digest::Digest;

use crate::KeySize;

/// Streebog-256 or Streebog-512 of `msg`, chosen by the key size.
///
/// The bytes are exactly what OpenSSL's `md_gost12_256` / `md_gost12_512` and a Rutoken's
/// `CKM_GOSTR3411_12_256` / `_512` return; GOST R 34.10-2012 reads them as a
/// little-endian integer.
#[must_use]
pub fn streebog_digest(size: KeySize, msg: &[u8]) -> Vec<u8> {
    match size {
        KeySize::Gost256 => streebog::Streebog256::digest(msg).to_vec(),
        KeySize::Gost512 => streebog::Streebog512::digest(msg).to_vec(),
    }
}
