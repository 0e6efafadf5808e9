//! Checking a signature proof of possession (RFC 4211 section 4.1), which a CA does on
//! every `ir`, `cr` and `kur` before it certifies a key.

use der::Encode;

use super::ProtectionError;
use super::signature::{ProtectionVerifier, StandardVerifier};
use crate::crmf::{CertReqMsg, ProofOfPossession};

/// Verifies the signature POP of `request` with the algorithms of [`StandardVerifier`].
pub fn verify_signature_pop(request: &CertReqMsg) -> Result<(), ProtectionError> {
    verify_signature_pop_with(request, &StandardVerifier)
}

/// Verifies the signature POP of `request` through `verifier`. Without `poposkInput` the
/// signature covers the DER of `certReq` and the key is the template's `publicKey`; with
/// it, the signature covers `poposkInput` and the key is the one inside it.
pub fn verify_signature_pop_with(
    request: &CertReqMsg,
    verifier: &dyn ProtectionVerifier,
) -> Result<(), ProtectionError> {
    let Some(ProofOfPossession::Signature(pop)) = &request.popo else {
        return Err(ProtectionError::NoSignaturePop);
    };
    let (data, key) = match &pop.poposk_input {
        Some(input) => (input.to_der()?, &input.public_key),
        None => (
            request.cert_req.popo_signed_bytes()?,
            request
                .cert_req
                .cert_template
                .public_key
                .as_ref()
                .ok_or(ProtectionError::NoPublicKey)?,
        ),
    };
    let signature = pop
        .signature
        .as_bytes()
        .ok_or(ProtectionError::BadSignature)?;
    verifier.verify(&pop.algorithm_identifier, key, &data, signature)
}
