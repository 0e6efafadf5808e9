//! PKCS#10 certificate requests signed on the token.

use der::{Encode, EncodePem, pem::LineEnding};
use x509_cert::builder::{Builder, Error as BuilderError};
use x509_cert::request::{CertReq, RequestBuilder};

use super::subject::{SubjectError, subject_name};
use crate::token::{TokenError, TokenSignature, TokenSigner, token_error_of};
use smartkey_wizard::ValidApplicant;

/// Why a request could not be made.
#[derive(Debug, thiserror::Error)]
pub enum CsrError {
    #[error(transparent)]
    Token(#[from] TokenError),
    #[error(transparent)]
    Subject(#[from] SubjectError),
    #[error("the certificate request could not be built: {0}")]
    Build(String),
}

impl From<BuilderError> for CsrError {
    fn from(e: BuilderError) -> Self {
        if let BuilderError::Signature(s) = &e
            && let Some(token) = token_error_of(s)
        {
            return CsrError::Token(clone_token_error(token));
        }
        CsrError::Build(e.to_string())
    }
}

/// The signature error only lends its source; rebuild the variants that matter to the
/// caller (removal above all) and keep the words of the rest.
fn clone_token_error(e: &TokenError) -> TokenError {
    match e {
        TokenError::Removed => TokenError::Removed,
        TokenError::NotLoggedIn => TokenError::NotLoggedIn,
        TokenError::Device { operation, rv } => TokenError::Device { operation, rv: *rv },
        TokenError::Implausible { operation, what } => TokenError::Implausible {
            operation,
            what: *what,
        },
        other => TokenError::Library {
            operation: "signing on the token",
            detail: other.to_string(),
        },
    }
}

/// Builds and signs a request for `applicant` with the key behind `signer`.
pub fn build_csr(
    applicant: &ValidApplicant,
    signer: &TokenSigner<'_, '_>,
) -> Result<CertReq, CsrError> {
    let subject = subject_name(applicant)?;
    let builder = RequestBuilder::new(subject)?;
    Ok(builder.build::<_, TokenSignature>(signer)?)
}

/// The request as DER bytes.
pub fn csr_der(csr: &CertReq) -> Result<Vec<u8>, CsrError> {
    csr.to_der().map_err(|e| CsrError::Build(e.to_string()))
}

/// The request as PEM text ("CERTIFICATE REQUEST").
pub fn csr_pem(csr: &CertReq) -> Result<String, CsrError> {
    csr.to_pem(LineEnding::LF)
        .map_err(|e| CsrError::Build(e.to_string()))
}
