//! The token effects, run on the token thread ([`Tokens`]): each turns the token layer's
//! answer into the wizard's view of it.

use der::Decode;
use x509_cert::Certificate;
use x509_cert::name::Name;

use smartkey_wizard::{
    Applicant, CertificateView, KeyType, KeyView, Pin, PinRole, PinState, TokenView,
};

use crate::enroll::{self, Issued, Prepared, Transaction};
use crate::pki::{build_csr, certificate_view, public_key_fingerprint};
use crate::token::{
    KeyId, KeyPairEntry, PinStatus, TokenError, TokenInfo, TokenSession, TokenSigner,
};

use super::worker::Tokens;

/// Why a message could not be made on the token, apart from the token's own errors.
#[derive(Debug, thiserror::Error)]
pub enum BuildError {
    #[error(transparent)]
    Applicant(#[from] smartkey_wizard::ApplicantErrors),
    #[error(transparent)]
    Csr(#[from] crate::pki::CsrError),
    #[error(transparent)]
    Enroll(#[from] enroll::EnrollError),
    #[error(transparent)]
    Transaction(#[from] cmp::TransactionError),
}

fn key_id(hex: &str) -> Result<KeyId, TokenError> {
    KeyId::from_hex(hex).ok_or_else(|| TokenError::KeyNotFound {
        id: hex.to_string(),
    })
}

fn certificate(der: &[u8]) -> Result<Certificate, TokenError> {
    Certificate::from_der(der).map_err(|e| TokenError::BadCertificate(e.to_string()))
}

fn key_view(session: &TokenSession<'_>, entry: &KeyPairEntry) -> KeyView {
    let fingerprint = session
        .public_key(&entry.id)
        .ok()
        .and_then(|spki| public_key_fingerprint(&spki));
    KeyView {
        id: entry.id.to_hex(),
        label: entry.label.clone(),
        algorithm: entry.algorithm,
        public_key: fingerprint,
        certificate: entry
            .certificate
            .as_ref()
            .map(|c| Box::new(certificate_view(c))),
    }
}

/// A PIN's state in the core's words, from the module's flags.
fn pin_state(status: &PinStatus) -> PinState {
    PinState {
        is_default: status.is_default,
        to_be_changed: status.to_be_changed,
        tries: status.tries_left(),
        locked: status.is_locked(),
    }
}

/// A token as the token layer describes it, with its key pairs.
fn token_view(info: &TokenInfo, keys: Vec<KeyView>) -> TokenView {
    TokenView {
        serial: info.serial.clone(),
        model: info.display_model().to_string(),
        label: info.label.clone(),
        user_pin: pin_state(&info.user_pin),
        admin_pin: pin_state(&info.admin_pin),
        pin_lengths: info.pin_limits,
        keys,
    }
}

/// Every initialised token inserted now, with its key pairs (read without a PIN).
pub fn list(tokens: &mut Tokens<'_>) -> Result<Vec<TokenView>, TokenError> {
    let module = tokens.module();
    let mut views = Vec::new();
    for info in module.tokens()?.into_iter().filter(|t| t.initialized) {
        // A token pulled out between the listing and the session is simply not there.
        let Ok(session) = module.open(&info) else {
            continue;
        };
        let keys = match session.key_pairs(false) {
            Ok(pairs) => pairs.iter().map(|p| key_view(&session, p)).collect(),
            Err(TokenError::Removed) => continue,
            Err(e) => return Err(e),
        };
        views.push(token_view(&info, keys));
    }
    Ok(views)
}

pub fn change_pin(
    tokens: &mut Tokens<'_>,
    serial: &str,
    role: PinRole,
    current: Pin,
    new: Pin,
) -> Result<(), TokenError> {
    let confirmation = new.clone();
    tokens.with(serial, |s| s.change_pin(role, &current, new, &confirmation))
}

pub fn login(tokens: &mut Tokens<'_>, serial: &str, pin: Pin) -> Result<(), TokenError> {
    tokens.with(serial, |s| s.login(PinRole::User, &pin))
}

pub fn generate(
    tokens: &mut Tokens<'_>,
    serial: &str,
    key_type: KeyType,
    label: &str,
) -> Result<KeyView, TokenError> {
    tokens.with(serial, |s| {
        let key = s.generate(key_type, label)?;
        let fingerprint = s
            .public_key(&key.id)
            .ok()
            .and_then(|spki| public_key_fingerprint(&spki));
        Ok(KeyView {
            id: key.id.to_hex(),
            label: key.label,
            algorithm: Some(key_type),
            public_key: fingerprint,
            certificate: None,
        })
    })
}

pub fn delete(tokens: &mut Tokens<'_>, serial: &str, key: &str) -> Result<(), TokenError> {
    let id = key_id(key)?;
    tokens.with(serial, |s| s.delete_key_pair(&id).map(|_| ()))
}

/// N2.6: the PKCS#10 request signed by the new key, in a `p10cr`.
pub fn new_request(
    tokens: &mut Tokens<'_>,
    serial: &str,
    key: &str,
    applicant: &Applicant,
    recipient: Name,
    transaction_id: der::asn1::OctetString,
) -> Result<Result<Prepared, BuildError>, TokenError> {
    let id = key_id(key)?;
    let valid = match applicant.validate() {
        Ok(v) => v,
        Err(e) => return Ok(Err(e.into())),
    };
    tokens.with(serial, |s| {
        let signer = TokenSigner::new(s, &id)?;
        let csr = match build_csr(&valid, &signer) {
            Ok(csr) => csr,
            Err(e) => return Ok(Err(e.into())),
        };
        match enroll::new_request(csr, recipient, transaction_id) {
            Ok(p) => Ok(Ok(p)),
            Err(enroll::EnrollError::Token(t)) => Err(t),
            Err(e) => Ok(Err(e.into())),
        }
    })
}

/// R2.7: the new key's proof of possession for the renewal of `old_certificate`, with
/// the contacts confirmed at R2.4.
pub fn renewal_proof(
    tokens: &mut Tokens<'_>,
    serial: &str,
    key: &str,
    old_certificate: &[u8],
    contacts: &enroll::Utf8Pairs,
) -> Result<Result<cmp::CertReqMsg, BuildError>, TokenError> {
    let id = key_id(key)?;
    let old = certificate(old_certificate)?;
    tokens.with(serial, |s| {
        let signer = TokenSigner::new(s, &id)?;
        match enroll::renewal_proof(&signer, &old, contacts) {
            Ok(proof) => Ok(Ok(proof)),
            Err(enroll::EnrollError::Token(t)) => Err(t),
            Err(e) => Ok(Err(e.into())),
        }
    })
}

/// R2.8: the renewal, protected by the old key, under the transaction number the
/// wizard already knows (given at R2.7, before the swap).
pub fn sign_renewal(
    tokens: &mut Tokens<'_>,
    old_key: (&str, &str),
    old_certificate: &[u8],
    proof: cmp::CertReqMsg,
    header: cmp::PkiHeader,
) -> Result<Result<Prepared, BuildError>, TokenError> {
    let (serial, key) = old_key;
    let id = key_id(key)?;
    let old = certificate(old_certificate)?;
    tokens.with(serial, |s| {
        let signer = TokenSigner::new(s, &id)?;
        match enroll::sign_renewal(proof, header, &signer, &old) {
            Ok(prepared) => Ok(Ok(prepared)),
            Err(enroll::EnrollError::Token(t)) => Err(t),
            Err(e) => Ok(Err(e.into())),
        }
    })
}

/// N2.9 / R2.10: the acceptance act, signed by `signer`.
pub fn acceptance(
    tokens: &mut Tokens<'_>,
    signer: (&str, &str),
    signer_certificate: &[u8],
    transaction: &Transaction,
    issued: &Issued,
) -> Result<Result<cmp::PkiMessage, BuildError>, TokenError> {
    let (serial, key) = signer;
    let id = key_id(key)?;
    let cert = certificate(signer_certificate)?;
    tokens.with(serial, |s| {
        let signer = TokenSigner::new(s, &id)?;
        match enroll::acceptance(transaction, issued, &signer, &cert) {
            Ok(m) => Ok(Ok(m)),
            Err(enroll::EnrollError::Token(t)) => Err(t),
            Err(e) => Ok(Err(e.into())),
        }
    })
}

/// Stores the certificate next to its key; returns the key's id in hex.
pub fn save_certificate(
    tokens: &mut Tokens<'_>,
    serial: &str,
    der: &[u8],
) -> Result<String, TokenError> {
    tokens.with(serial, |s| match s.import_certificate(der) {
        Ok(id) => Ok(id.to_hex()),
        // Saved by an earlier attempt whose answer was lost: the same result.
        Err(TokenError::CertificateAlreadyThere { id }) => Ok(id),
        Err(e) => Err(e),
    })
}

/// Reads the certificate back from the token: it must be there, next to a key.
pub fn verify_certificate(
    tokens: &mut Tokens<'_>,
    serial: &str,
    der: &[u8],
) -> Result<Option<CertificateView>, TokenError> {
    let expected = certificate(der)?;
    tokens.with(serial, |s| {
        let pairs = s.key_pairs(false)?;
        Ok(pairs
            .iter()
            .filter_map(|p| p.certificate.as_ref())
            .find(|c| **c == expected)
            .map(certificate_view))
    })
}
