//! The messages of each bank step, built and signed on the token.

use cmp::build::{self, RequestKind};
use cmp::client::PickupLink;
use cmp::crmf::{CertReqMsg, CertTemplate};
use cmp::protection::{Protect, ProtectionError, SignatureProtection};
use cmp::utf8_pairs::{self, Utf8Pairs};
use cmp::{
    BuildError, Issued, PkiHeader, PkiMessage, Transaction, TransactionError, Utf8PairsError,
};
use der::asn1::OctetString;
use x509_cert::Certificate;
use x509_cert::ext::pkix::name::GeneralName;
use x509_cert::name::Name;
use x509_cert::request::CertReq;

use crate::token::{TokenError, TokenSignature, TokenSigner, token_error_of};

/// A message ready to send and the transaction it begins or continues.
#[derive(Debug)]
pub struct Prepared {
    /// The transaction, to be kept for the answers.
    pub transaction: Transaction,
    /// The message to send.
    pub message: PkiMessage,
}

/// Why a message could not be prepared.
#[derive(Debug, thiserror::Error)]
pub enum EnrollError {
    /// The token could not sign (removed, logged out, device error).
    #[error(transparent)]
    Token(#[from] TokenError),
    /// The message could not be built.
    #[error(transparent)]
    Build(#[from] BuildError),
    /// The message could not be protected.
    #[error("the request could not be signed: {0}")]
    Protection(#[source] ProtectionError),
    /// The transaction could not be started.
    #[error(transparent)]
    Transaction(#[from] TransactionError),
    /// The contacts cannot be written into the request.
    #[error("the contacts cannot be put into the request: {0}")]
    Contacts(#[from] Utf8PairsError),
}

impl From<ProtectionError> for EnrollError {
    fn from(e: ProtectionError) -> Self {
        match &e {
            ProtectionError::Signing(s) if token_error_of(s).is_some() => {
                EnrollError::Token(token_failure(s))
            }
            _ => EnrollError::Protection(e),
        }
    }
}

/// The token's own error out of a signing failure, keeping removal recognisable.
fn token_failure(e: &signature::Error) -> TokenError {
    match token_error_of(e) {
        Some(TokenError::Removed) => TokenError::Removed,
        Some(TokenError::NotLoggedIn) => TokenError::NotLoggedIn,
        Some(other) => TokenError::Library {
            operation: "signing on the token",
            detail: other.to_string(),
        },
        None => TokenError::Library {
            operation: "signing on the token",
            detail: e.to_string(),
        },
    }
}

/// N2.6: the new client's request. The PKCS#10 request, signed on the token, is its own
/// proof of possession; the message is not protected, because the bank approves it only
/// after the signed paper application has arrived (docs/bank-protocol.md). The
/// caller draws the `transaction_id` ([`build::random_id`]; a replay, from its seed).
pub fn new_request(
    csr: CertReq,
    recipient: Name,
    transaction_id: OctetString,
) -> Result<Prepared, EnrollError> {
    let header = build::new_header_with_transaction_id(
        build::null_dn(),
        GeneralName::DirectoryName(recipient),
        transaction_id,
    )?;
    let message = build::p10cr(header, csr);
    let transaction = Transaction::begin(&message)?;
    Ok(Prepared {
        transaction,
        message,
    })
}

/// N2.6 for a CA that prefers CRMF to PKCS#10: an `ir` whose proof of possession is a
/// signature by the new key over the request, unprotected for the same reason as
/// [`new_request`].
pub fn initial_request(
    new_key: &TokenSigner<'_, '_>,
    subject: Name,
    recipient: Name,
    transaction_id: OctetString,
) -> Result<Prepared, EnrollError> {
    let template = CertTemplate {
        subject: Some(subject),
        ..Default::default()
    };
    let request = build::signed_cert_req_msg::<_, TokenSignature>(0, template, None, new_key)
        .map_err(signing_failure)?;
    let header = build::new_header_with_transaction_id(
        build::null_dn(),
        GeneralName::DirectoryName(recipient),
        transaction_id,
    )?;
    let message = build::cert_request(header, RequestKind::Ir, vec![request]);
    let transaction = Transaction::begin(&message)?;
    Ok(Prepared {
        transaction,
        message,
    })
}

fn signing_failure(e: BuildError) -> EnrollError {
    match e {
        BuildError::Signing(s) => EnrollError::Token(token_failure(&s)),
        other => EnrollError::Build(other),
    }
}

/// The e-mail and phone the client confirmed (R2.4), as the `utf8Pairs` of
/// docs/bank-protocol.md (`email`, `phone`). The bank sends the pickup link to this
/// e-mail rather than to the one in the old certificate, which may be out of date. A
/// contact left empty is not sent, so the bank keeps what it knows.
pub fn contact_pairs(email: &str, phone: &str) -> Result<Utf8Pairs, EnrollError> {
    let mut pairs = Utf8Pairs::new();
    for (name, value) in [
        (utf8_pairs::names::EMAIL, email.trim()),
        (utf8_pairs::names::PHONE, phone.trim()),
    ] {
        if !value.is_empty() {
            pairs.push(name, value)?;
        }
    }
    Ok(pairs)
}

/// R2.7: the new half of a renewal, made while the new token is inserted: the request
/// for a certificate with the old subject and the new key, with the new key's proof of
/// possession, and the confirmed `contacts` ([`contact_pairs`]) in its `regInfo`. The
/// old and new tokens are never inserted together (PROCEDURE.md R2.4, R2.8), so the old
/// key's signature comes later, with [`renewal_request`]; it covers the `regInfo` too,
/// which the proof of possession does not (RFC 4211 section 4.1).
pub fn renewal_proof(
    new_key: &TokenSigner<'_, '_>,
    old_certificate: &Certificate,
    contacts: &Utf8Pairs,
) -> Result<CertReqMsg, EnrollError> {
    let template = CertTemplate {
        subject: Some(old_certificate.tbs_certificate().subject().clone()),
        ..Default::default()
    };
    let controls = vec![build::old_cert_id_control(old_certificate)?];
    let mut request =
        build::signed_cert_req_msg::<_, TokenSignature>(0, template, Some(controls), new_key)
            .map_err(signing_failure)?;
    if !contacts.is_empty() {
        request.reg_info = Some(vec![contacts.to_attribute()?]);
    }
    Ok(request)
}

/// R2.8: the renewal (`kur`) carrying `proof` from [`renewal_proof`], protected by the
/// old key (on the old token, inserted again) with the old certificate, which is how the
/// bank knows the request comes from the certificate's owner. The new certificate keeps
/// the old subject.
pub fn renewal_request(
    proof: CertReqMsg,
    old_key: &TokenSigner<'_, '_>,
    old_certificate: &Certificate,
    recipient: Name,
    transaction_id: OctetString,
) -> Result<Prepared, EnrollError> {
    let header = renewal_header(old_certificate, recipient, transaction_id)?;
    sign_renewal(proof, header, old_key, old_certificate)
}

/// R2.7: the header of a renewal, from the holder of `old_certificate` to the bank, which
/// fixes its transaction number before the token swap.
pub fn renewal_header(
    old_certificate: &Certificate,
    recipient: Name,
    transaction_id: OctetString,
) -> Result<PkiHeader, EnrollError> {
    Ok(build::new_header_with_transaction_id(
        GeneralName::DirectoryName(old_certificate.tbs_certificate().subject().clone()),
        GeneralName::DirectoryName(recipient),
        transaction_id,
    )?)
}

/// R2.8: the renewal (`kur`) with the new key's `proof` under `header`, protected by the
/// old key.
pub fn sign_renewal(
    proof: CertReqMsg,
    header: PkiHeader,
    old_key: &TokenSigner<'_, '_>,
    old_certificate: &Certificate,
) -> Result<Prepared, EnrollError> {
    let mut message = build::cert_request(header, RequestKind::Kur, vec![proof]);
    SignatureProtection::<_, TokenSignature>::new(old_key, vec![old_certificate.clone()])
        .protect(&mut message)?;
    let transaction = Transaction::begin(&message)?;
    Ok(Prepared {
        transaction,
        message,
    })
}

/// A request kept from an earlier run (its DER as sent), ready to be sent again; `None`
/// when it does not read as a request.
pub fn kept_request(der: &[u8]) -> Option<Prepared> {
    let message = <PkiMessage as der::Decode>::from_der(der).ok()?;
    let transaction = Transaction::begin(&message).ok()?;
    Some(Prepared {
        transaction,
        message,
    })
}

/// The public key (its bits, without the algorithm's parameters, which a CA may write
/// differently) that the request `der` asks a certificate for; `None` when it does not
/// read as a request.
pub fn requested_key(der: &[u8]) -> Option<Vec<u8>> {
    let message = <PkiMessage as der::Decode>::from_der(der).ok()?;
    let key = match &message.body {
        cmp::PkiBody::P10cr(csr) => csr.info.public_key.subject_public_key.clone(),
        cmp::PkiBody::Ir(reqs) | cmp::PkiBody::Cr(reqs) | cmp::PkiBody::Kur(reqs) => reqs
            .first()?
            .cert_req
            .cert_template
            .public_key
            .as_ref()?
            .subject_public_key
            .clone(),
        _ => return None,
    };
    key.as_bytes().map(<[u8]>::to_vec)
}

/// Whether `certificate` certifies the key the request `der` asked for; `None` when
/// the request does not say.
pub fn certifies_requested_key(certificate: &Certificate, der: &[u8]) -> Option<bool> {
    let wanted = requested_key(der)?;
    let got = certificate
        .tbs_certificate()
        .subject_public_key_info()
        .subject_public_key
        .as_bytes()?;
    Some(got == wanted.as_slice())
}

/// A new random transaction number, drawn by `fill` (the run's chance).
pub fn new_transaction_id<E>(
    fill: impl FnOnce(&mut [u8]) -> Result<(), E>,
) -> Result<Option<OctetString>, E> {
    let mut bytes = [0u8; build::RANDOM_ID_LEN];
    fill(&mut bytes)?;
    Ok(OctetString::new(bytes.to_vec()).ok())
}

/// N2.9 / R2.11: the first poll of a pickup from the e-mailed link. Not protected: it
/// asks, and whatever it brings back is checked against the bank's certificate.
pub fn pickup(link: &PickupLink, recipient: Name) -> Result<Prepared, EnrollError> {
    let transaction = Transaction::resume(
        build::null_dn(),
        GeneralName::DirectoryName(recipient),
        link.transaction_id(),
    )?;
    let message = transaction.poll_req()?;
    Ok(Prepared {
        transaction,
        message,
    })
}

/// N2.9 / R2.10: the acceptance act. The `certConf` binds the bank to exactly this
/// certificate by its hash and is signed by `signer`, whose certificate is `signer_cert`:
/// the new key and certificate for a new client, the old ones in a renewal.
pub fn acceptance(
    transaction: &Transaction,
    issued: &Issued,
    signer: &TokenSigner<'_, '_>,
    signer_cert: &Certificate,
) -> Result<PkiMessage, EnrollError> {
    let mut message = transaction.cert_conf(issued)?;
    message.header.sender =
        GeneralName::DirectoryName(signer_cert.tbs_certificate().subject().clone());
    SignatureProtection::<_, TokenSignature>::new(signer, vec![signer_cert.clone()])
        .protect(&mut message)?;
    Ok(message)
}
