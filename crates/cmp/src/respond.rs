//! Building responses: the CA's side of a transaction (RFC 9810 section 5, lightweight
//! profile RFC 9483 section 4).
//!
//! Every response answers one request: it repeats the request's `transactionID`, echoes
//! its `senderNonce` as `recipNonce` and carries a fresh `senderNonce` of its own, which
//! the client must echo in its next message. The time is passed in rather than read
//! from the system clock, so that a CA with an injected clock (tests, training) writes
//! the time it lives in.

use std::time::{Duration, SystemTime, UNIX_EPOCH};

use der::DateTime;
use der::asn1::{GeneralizedTime, Null};
use x509_cert::Certificate;
use x509_cert::ext::pkix::name::GeneralName;

use crate::body::{
    BodyKind, CertOrEncCert, CertRepMessage, CertResponse, CertifiedKeyPair, ErrorMsgContent,
    PkiBody, PollRepEntry,
};
use crate::build::{BuildError, random_id};
use crate::header::{PVNO_CMP2000, PVNO_CMP2021, PkiHeader};
use crate::message::PkiMessage;
use crate::status::{FailureReason, PkiStatus, PkiStatusInfo};

/// The certificate response bodies, each answering one kind of request.
#[derive(Clone, Copy, Debug, Eq, PartialEq, Hash)]
pub enum ResponseKind {
    /// `ip`, answering `ir`.
    Ip,
    /// `cp`, answering `cr` and `p10cr`.
    Cp,
    /// `kup`, answering `kur`.
    Kup,
}

impl ResponseKind {
    /// The response kind that answers a request of kind `request`, if it is a
    /// certificate request.
    pub fn answering(request: BodyKind) -> Option<Self> {
        match request {
            BodyKind::Ir => Some(Self::Ip),
            BodyKind::Cr | BodyKind::P10cr => Some(Self::Cp),
            BodyKind::Kur => Some(Self::Kup),
            _ => None,
        }
    }

    /// The body kind of this response.
    pub fn body_kind(self) -> BodyKind {
        match self {
            Self::Ip => BodyKind::Ip,
            Self::Cp => BodyKind::Cp,
            Self::Kup => BodyKind::Kup,
        }
    }

    fn body(self, content: CertRepMessage) -> PkiBody {
        match self {
            Self::Ip => PkiBody::Ip(content),
            Self::Cp => PkiBody::Cp(content),
            Self::Kup => PkiBody::Kup(content),
        }
    }
}

/// `at` as a message time, in whole seconds (DER `GeneralizedTime` without fractions).
pub fn message_time(at: SystemTime) -> Result<GeneralizedTime, BuildError> {
    let since_epoch = at
        .duration_since(UNIX_EPOCH)
        .map_err(|_| BuildError::Clock)?;
    let time = DateTime::from_unix_duration(Duration::from_secs(since_epoch.as_secs()))
        .map_err(|_| BuildError::Clock)?;
    Ok(GeneralizedTime::from_date_time(time))
}

/// The header of a response to a request with header `request`: the same version (2,
/// or 3 when the request used version 3 features), the same `transactionID`,
/// `recipNonce` = the request's `senderNonce`, a fresh `senderNonce`, addressed back to
/// the request's sender. Protection fields are left empty for the protecting step.
pub fn response_header(
    request: &PkiHeader,
    sender: GeneralName,
    at: SystemTime,
) -> Result<PkiHeader, BuildError> {
    Ok(PkiHeader {
        pvno: if request.pvno == PVNO_CMP2021 {
            PVNO_CMP2021
        } else {
            PVNO_CMP2000
        },
        sender,
        recipient: request.sender.clone(),
        message_time: Some(message_time(at)?),
        protection_alg: None,
        sender_kid: None,
        recip_kid: None,
        transaction_id: request.transaction_id.clone(),
        sender_nonce: Some(random_id()?),
        recip_nonce: request.sender_nonce.clone(),
        free_text: None,
        general_info: None,
    })
}

/// The header of an answer to something that could not be read as a `PKIMessage`: there
/// is no transaction or nonce to repeat, so only a fresh `senderNonce` is set.
pub fn unsolicited_header(
    sender: GeneralName,
    recipient: GeneralName,
    at: SystemTime,
) -> Result<PkiHeader, BuildError> {
    Ok(PkiHeader {
        pvno: PVNO_CMP2000,
        sender,
        recipient,
        message_time: Some(message_time(at)?),
        protection_alg: None,
        sender_kid: None,
        recip_kid: None,
        transaction_id: None,
        sender_nonce: Some(random_id()?),
        recip_nonce: None,
        free_text: None,
        general_info: None,
    })
}

fn status_info(
    status: PkiStatus,
    failures: &[FailureReason],
    text: Vec<String>,
) -> Result<PkiStatusInfo, BuildError> {
    let mut info = PkiStatusInfo::new(status, failures)?;
    if !text.is_empty() {
        info.status_string = Some(text);
    }
    Ok(info)
}

fn cert_rep(
    header: PkiHeader,
    kind: ResponseKind,
    response: CertResponse,
    ca_pubs: Option<Vec<Certificate>>,
) -> PkiMessage {
    let content = CertRepMessage {
        ca_pubs: ca_pubs.filter(|certs| !certs.is_empty()),
        response: vec![response],
    };
    PkiMessage::new(header, kind.body(content))
}

/// An `ip`/`cp`/`kup` saying the request is accepted for processing but not decided:
/// status `waiting`, no certificate. The client polls with `pollReq`.
pub fn waiting(
    header: PkiHeader,
    kind: ResponseKind,
    cert_req_id: i64,
    text: Vec<String>,
) -> Result<PkiMessage, BuildError> {
    let response = CertResponse {
        cert_req_id,
        status: status_info(PkiStatus::Waiting, &[], text)?,
        certified_key_pair: None,
        rsp_info: None,
    };
    Ok(cert_rep(header, kind, response, None))
}

/// An `ip`/`cp`/`kup` granting the request: status `accepted` and the certificate in
/// the clear; `ca_pubs` are CA certificates the client may install as trust anchors.
pub fn granted(
    header: PkiHeader,
    kind: ResponseKind,
    cert_req_id: i64,
    certificate: Certificate,
    ca_pubs: Option<Vec<Certificate>>,
) -> Result<PkiMessage, BuildError> {
    let response = CertResponse {
        cert_req_id,
        status: status_info(PkiStatus::Accepted, &[], Vec::new())?,
        certified_key_pair: Some(CertifiedKeyPair {
            cert_or_enc_cert: CertOrEncCert::Certificate(certificate),
            private_key: None,
            publication_info: None,
        }),
        rsp_info: None,
    };
    Ok(cert_rep(header, kind, response, ca_pubs))
}

/// An `ip`/`cp`/`kup` refusing the request: status `rejection`, the failure reasons, and
/// the CA's words in `statusString` (e.g. an operator's reason).
pub fn rejection(
    header: PkiHeader,
    kind: ResponseKind,
    cert_req_id: i64,
    failures: &[FailureReason],
    text: Vec<String>,
) -> Result<PkiMessage, BuildError> {
    let response = CertResponse {
        cert_req_id,
        status: status_info(PkiStatus::Rejection, failures, text)?,
        certified_key_pair: None,
        rsp_info: None,
    };
    Ok(cert_rep(header, kind, response, None))
}

/// A `pollRep`: still waiting; ask again after `check_after` (whole seconds, at least
/// one, so that a client honouring it cannot spin).
pub fn poll_rep(
    header: PkiHeader,
    cert_req_id: i64,
    check_after: Duration,
    reason: Vec<String>,
) -> PkiMessage {
    let seconds = i64::try_from(check_after.as_secs())
        .unwrap_or(i64::MAX)
        .max(1);
    let entry = PollRepEntry {
        cert_req_id,
        check_after: seconds,
        reason: if reason.is_empty() {
            None
        } else {
            Some(reason)
        },
    };
    PkiMessage::new(header, PkiBody::PollRep(vec![entry]))
}

/// A `pkiConf`: the CA received the client's `certConf` (or `error`).
pub fn pki_conf(header: PkiHeader) -> PkiMessage {
    PkiMessage::new(header, PkiBody::PkiConf(Null))
}

/// An `error` message: status `rejection` with the failure reasons, an optional
/// implementation-specific `errorCode` for rules only this CA knows, and the explanation
/// in `errorDetails`.
pub fn error(
    header: PkiHeader,
    failures: &[FailureReason],
    error_code: Option<i64>,
    details: Vec<String>,
) -> Result<PkiMessage, BuildError> {
    let content = ErrorMsgContent {
        pki_status_info: status_info(PkiStatus::Rejection, failures, Vec::new())?,
        error_code,
        error_details: if details.is_empty() {
            None
        } else {
            Some(details)
        },
    };
    Ok(PkiMessage::new(header, PkiBody::Error(content)))
}
