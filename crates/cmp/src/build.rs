//! Building request messages. Every request of a transaction shares the `transactionID`
//! of the first one and carries a fresh `senderNonce` (RFC 9810 section 5.1.1).

use std::time::{Duration, SystemTime, UNIX_EPOCH};

use der::Encode;
use der::asn1::{GeneralizedTime, OctetString};
use der::{DateTime, Decode};
use signature::{Keypair, Signer};
use spki::{
    AlgorithmIdentifierOwned, DynSignatureAlgorithmIdentifier, EncodePublicKey,
    SignatureBitStringEncoding, SubjectPublicKeyInfoOwned,
};
use x509_cert::Certificate;
use x509_cert::attr::AttributeTypeAndValue;
use x509_cert::ext::pkix::name::GeneralName;
use x509_cert::name::Name;
use x509_cert::request::CertReq;

use crate::body::{CertStatus, PkiBody, PollReqEntry};
use crate::crmf::ProofOfPossession;
use crate::crmf::{CertReqMessages, CertReqMsg, CertRequest, CertTemplate, PopoSigningKey};
use crate::header::{PVNO_CMP2000, PVNO_CMP2021, PkiHeader};
use crate::message::PkiMessage;
use crate::oid;

/// Length of `transactionID` and `senderNonce`: 128 bits, as RFC 9810 recommends.
pub const RANDOM_ID_LEN: usize = 16;

/// `certReqId` of a `p10cr` in responses and `certConf` (RFC 9810 section 5.3.4).
pub const P10CR_CERT_REQ_ID: i64 = -1;

/// Why a request could not be built.
#[derive(Debug, thiserror::Error)]
pub enum BuildError {
    /// No random bytes for identifiers or nonces.
    #[error("the system random number generator failed")]
    Random,
    /// The system clock cannot be written as a message time.
    #[error("the system clock shows a time that cannot be put into a message")]
    Clock,
    /// DER encoding failed.
    #[error("the message could not be encoded: {0}")]
    Encoding(#[from] der::Error),
    /// The signer's public key or algorithm could not be expressed.
    #[error("the signing key cannot be described: {0}")]
    Key(#[from] spki::Error),
    /// The signer refused to sign the proof of possession.
    #[error("signing the proof of possession failed")]
    Signing(#[source] signature::Error),
}

/// Fresh random bytes for a `transactionID` or nonce.
pub fn random_id() -> Result<OctetString, BuildError> {
    let mut bytes = [0u8; RANDOM_ID_LEN];
    getrandom::fill(&mut bytes).map_err(|_| BuildError::Random)?;
    Ok(OctetString::new(bytes.to_vec())?)
}

/// The empty directory name RFC 9810 section 5.1.1 uses when the sender is identified
/// only by `senderKID` (MAC protection before a certificate exists).
pub fn null_dn() -> GeneralName {
    GeneralName::DirectoryName(Name::default())
}

pub(crate) fn now() -> Result<GeneralizedTime, BuildError> {
    let since_epoch = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_err(|_| BuildError::Clock)?;
    // DER GeneralizedTime has no fractional seconds here; whole seconds suffice.
    let time = DateTime::from_unix_duration(Duration::from_secs(since_epoch.as_secs()))
        .map_err(|_| BuildError::Clock)?;
    Ok(GeneralizedTime::from_date_time(time))
}

/// The header of the first request of a transaction: version 2, the current time, a new
/// random `transactionID` and `senderNonce`.
pub fn new_header(sender: GeneralName, recipient: GeneralName) -> Result<PkiHeader, BuildError> {
    new_header_with_transaction_id(sender, recipient, random_id()?)
}

/// Like [`new_header`], but with a `transactionID` chosen by the caller.
///
/// This exists so that a recorded enrollment can be replayed with the same transaction
/// (and the same screens that show it); production code uses [`new_header`], whose
/// identifier is random as RFC 9810 section 5.1.1 asks. The caller is responsible for the
/// identifier being unique per transaction at the CA. The `senderNonce` stays random: it
/// protects against replay and is never meant to repeat.
pub fn new_header_with_transaction_id(
    sender: GeneralName,
    recipient: GeneralName,
    transaction_id: OctetString,
) -> Result<PkiHeader, BuildError> {
    Ok(PkiHeader {
        pvno: PVNO_CMP2000,
        sender,
        recipient,
        message_time: Some(now()?),
        protection_alg: None,
        sender_kid: None,
        recip_kid: None,
        transaction_id: Some(transaction_id),
        sender_nonce: Some(random_id()?),
        recip_nonce: None,
        free_text: None,
        general_info: None,
    })
}

/// The header of a follow-up request (`certConf`, `pollReq`) answering `response`: the
/// same transaction, sender and recipient as `previous_request`, a new `senderNonce`,
/// and `recipNonce` set to the response's `senderNonce`.
pub fn next_header(
    previous_request: &PkiHeader,
    response: &PkiHeader,
) -> Result<PkiHeader, BuildError> {
    Ok(PkiHeader {
        message_time: Some(now()?),
        protection_alg: None,
        sender_nonce: Some(random_id()?),
        recip_nonce: response.sender_nonce.clone(),
        free_text: None,
        general_info: None,
        ..previous_request.clone()
    })
}

/// A `p10cr` carrying a PKCS#10 request (RFC 9810 section 5.3.1 / 5.1.2).
pub fn p10cr(header: PkiHeader, csr: CertReq) -> PkiMessage {
    PkiMessage::new(header, PkiBody::P10cr(csr))
}

/// The CRMF request types.
#[derive(Clone, Copy, Debug, Eq, PartialEq)]
pub enum RequestKind {
    /// `ir`: first certificate from this CA.
    Ir,
    /// `cr`: another certificate for an entity that already has one.
    Cr,
    /// `kur`: renewal of an existing certificate with a new key.
    Kur,
}

/// An `ir`, `cr` or `kur` message with the given requests.
pub fn cert_request(header: PkiHeader, kind: RequestKind, requests: CertReqMessages) -> PkiMessage {
    let body = match kind {
        RequestKind::Ir => PkiBody::Ir(requests),
        RequestKind::Cr => PkiBody::Cr(requests),
        RequestKind::Kur => PkiBody::Kur(requests),
    };
    PkiMessage::new(header, body)
}

/// One `CertReqMsg` with a signature proof of possession (RFC 4211 section 4.1): the
/// template's `publicKey` is set to the signer's key, then the DER of `certReq` is signed
/// by that key, so the CA learns that the requester holds it. The template should carry
/// a subject, since no `poposkInput` is written.
pub fn signed_cert_req_msg<S, Sig>(
    cert_req_id: i64,
    mut template: CertTemplate,
    controls: Option<Vec<AttributeTypeAndValue>>,
    signer: &S,
) -> Result<CertReqMsg, BuildError>
where
    S: Signer<Sig> + Keypair + DynSignatureAlgorithmIdentifier,
    S::VerifyingKey: EncodePublicKey,
    Sig: SignatureBitStringEncoding,
{
    let key_der = signer.verifying_key().to_public_key_der()?;
    template.public_key = Some(SubjectPublicKeyInfoOwned::from_der(key_der.as_bytes())?);
    let cert_req = CertRequest {
        cert_req_id,
        cert_template: template,
        controls,
    };
    let signed = cert_req.popo_signed_bytes()?;
    let signature = signer.try_sign(&signed).map_err(BuildError::Signing)?;
    Ok(CertReqMsg {
        cert_req,
        popo: Some(ProofOfPossession::Signature(PopoSigningKey {
            poposk_input: None,
            algorithm_identifier: signer.signature_algorithm_identifier()?,
            signature: signature.to_bitstring()?,
        })),
        reg_info: None,
    })
}

/// The `oldCertID` control of a key update request (RFC 4211 section 6.5, RFC 9483
/// section 4.1.3): names the certificate being replaced, so that the CA can tie the new
/// certificate to the old one.
pub fn old_cert_id_control(old: &Certificate) -> Result<AttributeTypeAndValue, BuildError> {
    let value = crate::crmf::CertId::of(old).to_der()?;
    Ok(AttributeTypeAndValue {
        oid: oid::REG_CTRL_OLD_CERT_ID,
        value: der::Any::from_der(&value)?,
    })
}

/// The `certHash` of a certificate and, when needed, its `hashAlg`.
///
/// RFC 9810 section 5.3.18: the hash is made with the hash algorithm of the
/// certificate's own signature (SHA-256/384/512 for RSA and ECDSA, Streebog for GOST),
/// which a version 2 peer expects and which needs no `hashAlg`. Only for a signature
/// algorithm without a known hash is SHA-256 used and named in `hashAlg`, which makes
/// the message version 3.
pub fn cert_hash(
    cert: &Certificate,
) -> Result<(Vec<u8>, Option<AlgorithmIdentifierOwned>), BuildError> {
    use sha2::Digest;
    let der = cert.to_der()?;
    let alg = cert.signature_algorithm().oid;
    let hash = if alg == oid::SHA256_WITH_RSA || alg == oid::ECDSA_WITH_SHA256 {
        sha2::Sha256::digest(&der).to_vec()
    } else if alg == oid::SHA384_WITH_RSA || alg == oid::ECDSA_WITH_SHA384 {
        sha2::Sha384::digest(&der).to_vec()
    } else if alg == oid::SHA512_WITH_RSA || alg == oid::ECDSA_WITH_SHA512 {
        sha2::Sha512::digest(&der).to_vec()
    } else if alg == oid::GOST_SIGN_256 {
        gost3410::streebog_digest(gost3410::KeySize::Gost256, &der)
    } else if alg == oid::GOST_SIGN_512 {
        gost3410::streebog_digest(gost3410::KeySize::Gost512, &der)
    } else {
        let hash_alg = AlgorithmIdentifierOwned {
            oid: oid::SHA256,
            parameters: None,
        };
        return Ok((sha2::Sha256::digest(&der).to_vec(), Some(hash_alg)));
    };
    Ok((hash, None))
}

/// A `certConf` accepting `cert` (RFC 9810 section 5.3.18). Switches the header to
/// version 3 when the hash needs a `hashAlg`.
pub fn cert_conf(
    mut header: PkiHeader,
    cert: &Certificate,
    cert_req_id: i64,
) -> Result<PkiMessage, BuildError> {
    let (hash, hash_alg) = cert_hash(cert)?;
    if hash_alg.is_some() {
        header.pvno = PVNO_CMP2021;
    }
    let status = CertStatus {
        cert_hash: OctetString::new(hash)?,
        cert_req_id,
        status_info: None,
        hash_alg,
    };
    Ok(PkiMessage::new(header, PkiBody::CertConf(vec![status])))
}

/// A `pollReq` asking about `cert_req_id` (RFC 9810 section 5.3.22).
pub fn poll_req(header: PkiHeader, cert_req_id: i64) -> PkiMessage {
    PkiMessage::new(header, PkiBody::PollReq(vec![PollReqEntry { cert_req_id }]))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn chosen_transaction_id_is_kept_and_nonce_stays_random() {
        let id = OctetString::new(vec![0x5A; RANDOM_ID_LEN]).expect("16 bytes");
        let first =
            new_header_with_transaction_id(null_dn(), null_dn(), id.clone()).expect("a header");
        let second =
            new_header_with_transaction_id(null_dn(), null_dn(), id.clone()).expect("a header");
        assert_eq!(first.transaction_id.as_ref(), Some(&id));
        assert_eq!(second.transaction_id.as_ref(), Some(&id));
        assert_eq!(first.pvno, PVNO_CMP2000);
        assert!(first.sender_nonce.is_some());
        assert_ne!(first.sender_nonce, second.sender_nonce);
        assert_eq!(first.recip_nonce, None);
    }

    #[test]
    fn new_header_draws_a_fresh_transaction_id() {
        let first = new_header(null_dn(), null_dn()).expect("a header");
        let second = new_header(null_dn(), null_dn()).expect("a header");
        let id = first.transaction_id.as_ref().expect("a transactionID");
        assert_eq!(id.as_bytes().len(), RANDOM_ID_LEN);
        assert_ne!(first.transaction_id, second.transaction_id);
    }
}
