//! GOST R 34.10-2012 digital signatures (256- and 512-bit) with Streebog
//! (GOST R 34.11-2012), in the encodings PKCS#11 tokens such as the Rutoken ECP 2.0 and
//! X.509 (RFC 9215) use.
//!
//! * Parameter sets: CryptoPro-A/B/C and TC26-256-A for 256-bit keys, TC26-512-A/B/C for
//!   512-bit keys ([`ParamSet`]).
//! * Keys: [`SigningKey`] (the private scalar d, little-endian as in PKCS#11 `CKA_VALUE`) and
//!   [`VerifyingKey`] (X || Y, each little-endian), with SubjectPublicKeyInfo DER.
//! * Signatures: [`Signature`], `s || r` big-endian, exactly what `C_Sign` returns.
//! * RustCrypto traits: `signature::Signer`/`Verifier`/`Keypair`, `spki::EncodePublicKey`,
//!   `spki::DynSignatureAlgorithmIdentifier`, `spki::SignatureBitStringEncoding`, so that
//!   x509-cert's `RequestBuilder` and `CertificateBuilder` can sign with a [`SigningKey`].
//!
//! # Side channels
//!
//! Field arithmetic is Montgomery multiplication on machine words without branches
//! (`field`); conversions and inversion are crypto-bigint's. Key generation, public key
//! derivation and signing are constant time with respect to the private key and the nonce:
//! `k * P` adds one precomputed multiple of the base point per 4-bit window of k (no
//! doublings), each read from its row of sixteen with masked copies, with complete formulas
//! without branches, and inversion modulo p is crypto-bigint's constant-time one. What does
//! branch:
//!
//! * random scalars are drawn by rejection sampling, so the number of draws varies (rejected
//!   candidates are discarded and never used);
//! * signing retries when r or s is zero, a public event of negligible probability;
//! * verification, public key validation and DER handling work on public data only and are
//!   not constant time: they use Jacobian coordinates with wNAF digits (`jacobian`), and
//!   the variable-time inversion of e.
//!
//! The allocations holding private scalars are wiped when dropped; intermediate values on the
//! stack are not all wiped.

mod curve;
mod dsa;
mod error;
mod field;
mod hash;
mod jacobian;
mod keys;
pub mod oid;
mod params;
mod point;
mod pubkey_info;
mod sig;
mod traits;

pub use crate::error::Error;
pub use crate::hash::streebog_digest;
pub use crate::keys::{SigningKey, VerifyingKey};
pub use crate::params::{KeySize, ParamSet};
pub use crate::sig::Signature;

/// Re-exported so callers can name the traits' crate versions this crate implements.
pub use signature;
pub use spki;

#[cfg(test)]
mod tests;
