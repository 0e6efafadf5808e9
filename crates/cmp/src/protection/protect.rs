//! How a client protects each message of a transaction, chosen once and applied to the
//! first request and to every `pollReq` and `certConf` after it.

use core::marker::PhantomData;

use signature::Signer;
use spki::{DynSignatureAlgorithmIdentifier, SignatureBitStringEncoding};
use x509_cert::Certificate;
use zeroize::Zeroizing;

use super::{ProtectionError, protect_with_pbm, protect_with_signature};
use crate::message::PkiMessage;

/// Applies protection to an outgoing message.
pub trait Protect {
    /// Protects `message` in place.
    fn protect(&self, message: &mut PkiMessage) -> Result<(), ProtectionError>;
}

/// No protection: for a new client's first request where the bank checks the paper
/// application before approving (docs/bank-protocol.md), and its polls.
#[derive(Clone, Copy, Debug, Default)]
pub struct Unprotected;

impl Protect for Unprotected {
    fn protect(&self, message: &mut PkiMessage) -> Result<(), ProtectionError> {
        message.header.protection_alg = None;
        message.protection = None;
        Ok(())
    }
}

/// A MAC keyed by the reference and secret the bank issued out of band.
pub struct MacProtection {
    reference: Vec<u8>,
    secret: Zeroizing<Vec<u8>>,
}

impl MacProtection {
    /// Protection with the bank's `reference` and `secret`.
    pub fn new(reference: &[u8], secret: Zeroizing<Vec<u8>>) -> Self {
        Self {
            reference: reference.to_vec(),
            secret,
        }
    }
}

impl core::fmt::Debug for MacProtection {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_struct("MacProtection")
            .field("reference", &String::from_utf8_lossy(&self.reference))
            .finish_non_exhaustive()
    }
}

impl Protect for MacProtection {
    fn protect(&self, message: &mut PkiMessage) -> Result<(), ProtectionError> {
        protect_with_pbm(message, &self.reference, &self.secret)
    }
}

/// A signature by a key that has a certificate (e.g. the old token's key in a renewal),
/// the certificate travelling first in `extraCerts`.
pub struct SignatureProtection<'a, S, Sig> {
    signer: &'a S,
    certificates: Vec<Certificate>,
    _signature: PhantomData<fn() -> Sig>,
}

impl<'a, S, Sig> SignatureProtection<'a, S, Sig> {
    /// Protection by `signer`, whose certificate is `certificates[0]`, followed by any
    /// chain certificates.
    pub fn new(signer: &'a S, certificates: Vec<Certificate>) -> Self {
        Self {
            signer,
            certificates,
            _signature: PhantomData,
        }
    }
}

impl<S, Sig> Protect for SignatureProtection<'_, S, Sig>
where
    S: Signer<Sig> + DynSignatureAlgorithmIdentifier,
    Sig: SignatureBitStringEncoding,
{
    fn protect(&self, message: &mut PkiMessage) -> Result<(), ProtectionError> {
        protect_with_signature(message, self.signer, self.certificates.clone())
    }
}
