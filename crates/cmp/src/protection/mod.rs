//! Message protection (RFC 9810 section 5.1.3): a signature by a key with a certificate,
//! or a MAC keyed by a secret shared with the CA out of band.

pub mod pbm;
pub mod pop;
pub mod protect;
pub mod signature;

pub use pbm::{PbmParameter, protect_with_pbm, verify_pbm};
pub use pop::{verify_signature_pop, verify_signature_pop_with};
pub use protect::{MacProtection, Protect, SignatureProtection, Unprotected};
pub use signature::{
    ProtectionVerifier, StandardVerifier, protect_with_signature, verify_signature_protection,
    verify_signature_protection_with,
};

/// Why protection could not be applied or did not verify. Never carries secrets.
#[derive(Debug, thiserror::Error)]
pub enum ProtectionError {
    /// The message has no `protection` or no `protectionAlg`.
    #[error("the message is not protected")]
    NotProtected,
    /// A MAC was expected but a signature was used, or the reverse.
    #[error("the message is protected with {found}, but {expected} was expected")]
    WrongKind {
        /// What the message uses.
        found: &'static str,
        /// What the caller asked to verify.
        expected: &'static str,
    },
    /// The algorithm is not one this crate can check.
    #[error("the protection algorithm {0} is not supported")]
    UnsupportedAlgorithm(String),
    /// PBM parameters outside what is accepted.
    #[error("the password-based MAC parameters are unacceptable: {0}")]
    BadParameters(&'static str),
    /// The MAC does not match: wrong secret or altered message.
    #[error(
        "the message's password-based protection does not match; the secret may be wrong or the message was altered"
    )]
    MacMismatch,
    /// A request has no signature proof of possession.
    #[error("the request carries no signature proving possession of the key")]
    NoSignaturePop,
    /// A request names no public key to check its proof of possession with.
    #[error("the request does not contain the public key to be certified")]
    NoPublicKey,
    /// The signature does not verify.
    #[error("the message's signature does not verify with the given certificate")]
    BadSignature,
    /// The certificate's public key cannot be used with the protection algorithm.
    #[error("the certificate's public key does not fit the protection algorithm")]
    KeyMismatch,
    /// Signing failed (e.g. the token refused).
    #[error("signing the message failed")]
    Signing(#[source] ::signature::Error),
    /// Random bytes for a salt could not be drawn.
    #[error("the system random number generator failed")]
    Random,
    /// DER encoding or decoding failed.
    #[error("the message could not be encoded: {0}")]
    Encoding(#[from] der::Error),
    /// An algorithm identifier could not be produced.
    #[error("the signer's algorithm identifier is unavailable: {0}")]
    Algorithm(#[from] spki::Error),
}
