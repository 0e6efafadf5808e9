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
//! Arithmetic uses crypto-bigint's fixed-width Montgomery forms. Key generation, public key
//! derivation and signing are constant time with respect to the private key and the nonce:
//! point addition and doubling use complete formulas without branches, scalar multiplication
//! reads its table with masked copies, and inversion modulo p is crypto-bigint's
//! constant-time one. What does branch:
//!
//! * random scalars are drawn by rejection sampling, so the number of draws varies (rejected
//!   candidates are discarded and never used);
//! * signing retries when r or s is zero, a public event of negligible probability;
//! * verification, public key validation and DER handling work on public data only and are
//!   not constant time (e.g. the inversion of e uses the variable-time algorithm).
//!
//! The allocations holding private scalars are wiped when dropped; intermediate values on the
//! stack are not all wiped.

mod curve;
mod dsa;
mod error;
mod hash;
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
