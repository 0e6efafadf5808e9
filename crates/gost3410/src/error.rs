//! The one error type of this crate.

/// Everything that can go wrong when handling GOST R 34.10-2012 keys and signatures.
///
/// The messages are plain words meant to be shown to a person; none of them ever contains
/// key material.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// A byte string has the wrong length for the parameter set.
    #[error("expected {expected} bytes, got {actual}")]
    Length {
        /// Length the parameter set requires.
        expected: usize,
        /// Length that was given.
        actual: usize,
    },
    /// A signature must be 64 (256-bit) or 128 (512-bit) bytes.
    #[error("a signature must be 64 or 128 bytes long, got {0}")]
    SignatureLength(usize),
    /// The private key is zero or not below the group order q.
    #[error("the private key is not a number between 1 and q-1")]
    InvalidPrivateKey,
    /// The public key is not a point of the curve's subgroup of order q.
    #[error("the public key is not a valid point of the curve")]
    InvalidPublicKey,
    /// The nonce k is out of range or produced a zero r or s.
    #[error("the nonce k is not between 1 and q-1 or gives a zero signature part")]
    InvalidNonce,
    /// The signature does not match the message and key.
    #[error("the signature does not match")]
    Verification,
    /// The signature, digest or key belong to different key sizes.
    #[error("the signature and the key have different sizes")]
    SizeMismatch,
    /// The parameter set is not one this crate supports.
    #[error("unknown or unsupported GOST R 34.10-2012 parameter set")]
    UnknownParamSet,
    /// The public key algorithm is not GOST R 34.10-2012.
    #[error("the public key algorithm {0} is not GOST R 34.10-2012")]
    UnsupportedAlgorithm(String),
    /// The digest parameter set in the key parameters does not fit the key size.
    #[error("the digest parameter set {0} does not fit the key size")]
    UnsupportedDigest(String),
    /// DER encoding or decoding failed.
    #[error("malformed DER: {0}")]
    Der(String),
    /// The operating system random number generator failed.
    #[error("the operating system random number generator failed")]
    Rng,
}

impl From<der::Error> for Error {
    fn from(err: der::Error) -> Self {
        Error::Der(err.to_string())
    }
}

impl From<spki::Error> for Error {
    fn from(err: spki::Error) -> Self {
        Error::Der(err.to_string())
    }
}
