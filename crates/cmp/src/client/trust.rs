//! Which answers the client believes: a CMP answer changes what the wizard does next
//! (save this certificate, tell the person the request was refused), so it must come
//! from the bank. The bank's CA certificate comes from the bank profile, never from the
//! answer itself.

use std::time::{SystemTime, UNIX_EPOCH};

use der::Encode;
use x509_cert::Certificate;
use x509_cert::ext::pkix::name::GeneralName;
use zeroize::Zeroizing;

use crate::body::PkiBody;
use crate::checks::BankRefusal;
use crate::message::Received;
use crate::protection::{
    ProtectionError, ProtectionVerifier, StandardVerifier, verify_pbm, verify_signature_protection,
};

/// How answers must be protected to be believed.
pub enum ResponseTrust {
    /// Signed by one of these CA certificates, or by a certificate one of them issued
    /// (the CA's CMP responder), sent first in `extraCerts`.
    Certificates(Vec<Certificate>),
    /// MAC-protected with the secret the bank issued (answers to MAC-protected requests).
    SharedSecret(Zeroizing<Vec<u8>>),
}

impl core::fmt::Debug for ResponseTrust {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        match self {
            Self::Certificates(certs) => write!(f, "Certificates({} anchors)", certs.len()),
            Self::SharedSecret(_) => f.write_str("SharedSecret(..)"),
        }
    }
}

/// Why an answer is not believed.
#[derive(Debug, thiserror::Error)]
pub enum TrustError {
    /// No protection on an answer that is not an error message.
    #[error("the bank's answer is not protected, so it cannot be trusted")]
    Unprotected,
    /// An `error` message without protection: anyone on the way could have written it,
    /// so it is reported but never acted on (no request is dropped or ended by it).
    #[error(
        "the bank's answer is an error message without protection, so it cannot be trusted; nothing was changed (it says: {0})"
    )]
    UnprotectedError(String),
    /// Signed, but nobody we trust vouches for the signer.
    #[error(
        "the answer is signed by a certificate that the bank profile does not trust; do not go on, and call the bank's support"
    )]
    UnknownSigner,
    /// The signer's certificate is outside its validity period.
    #[error("the certificate that signed the bank's answer is not valid at this time")]
    SignerExpired,
    /// The protection itself does not verify.
    #[error("{0}")]
    Protection(#[from] ProtectionError),
}

impl ResponseTrust {
    /// Checks the protection of `response`, over the bytes received.
    ///
    /// An unprotected CMP `error` message is not believed either. RFC 9483 section 3.6.4
    /// has error messages protected like any other; one without protection may come from
    /// anyone between us and the bank, and believing it would let them end a request or
    /// make the client drop its record of one ("the bank does not know this request").
    /// Its words are kept in the error, for the person and for support.
    pub fn verify(&self, response: &Received) -> Result<(), TrustError> {
        let protected = response.protection.is_some() && response.header.protection_alg.is_some();
        if !protected {
            return Err(match &response.body {
                PkiBody::Error(content) => {
                    TrustError::UnprotectedError(BankRefusal::from(content).to_string())
                }
                _ => TrustError::Unprotected,
            });
        }
        match self {
            Self::SharedSecret(secret) => Ok(verify_pbm(response, secret)?),
            Self::Certificates(anchors) => verify_signed(response, anchors),
        }
    }
}

/// The signer is the first of `extraCerts` (RFC 9810 section 5.1.3.3); some CAs leave
/// their own certificate out when the client is expected to know it, so an anchor named
/// as the sender is tried too.
fn verify_signed(response: &Received, anchors: &[Certificate]) -> Result<(), TrustError> {
    if let Some(signer) = response
        .extra_certs
        .as_ref()
        .and_then(|certs| certs.first())
    {
        match vouched_for(signer, anchors) {
            Ok(()) => return Ok(verify_signature_protection(response, signer)?),
            Err(TrustError::UnknownSigner) => {}
            Err(other) => return Err(other),
        }
    }
    let GeneralName::DirectoryName(sender) = &response.header.sender else {
        return Err(TrustError::UnknownSigner);
    };
    let anchor = anchors
        .iter()
        .find(|a| a.tbs_certificate().subject() == sender)
        .ok_or(TrustError::UnknownSigner)?;
    valid_now(anchor)?;
    Ok(verify_signature_protection(response, anchor)?)
}

/// `signer` is one of `anchors`, or was issued by one of them and is valid now.
fn vouched_for(signer: &Certificate, anchors: &[Certificate]) -> Result<(), TrustError> {
    if anchors.iter().any(|anchor| anchor == signer) {
        return valid_now(signer);
    }
    let tbs = signer.tbs_certificate();
    let issued_by = |anchor: &&Certificate| {
        anchor.tbs_certificate().subject() == tbs.issuer() && signed_by(signer, anchor)
    };
    if anchors.iter().any(|a| issued_by(&a)) {
        valid_now(signer)
    } else {
        Err(TrustError::UnknownSigner)
    }
}

fn signed_by(cert: &Certificate, issuer: &Certificate) -> bool {
    let (Ok(tbs), Some(signature)) = (cert.tbs_certificate().to_der(), cert.signature().as_bytes())
    else {
        return false;
    };
    // A GOST or RSA CA signs certificates with the algorithms CMP messages use.
    let algorithm = cert.signature_algorithm();
    StandardVerifier
        .verify(
            algorithm,
            issuer.tbs_certificate().subject_public_key_info(),
            &tbs,
            signature,
        )
        .is_ok()
}

fn valid_now(cert: &Certificate) -> Result<(), TrustError> {
    let now = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_err(|_| TrustError::SignerExpired)?;
    let validity = cert.tbs_certificate().validity();
    if validity.not_before.to_unix_duration() <= now && now <= validity.not_after.to_unix_duration()
    {
        Ok(())
    } else {
        Err(TrustError::SignerExpired)
    }
}
