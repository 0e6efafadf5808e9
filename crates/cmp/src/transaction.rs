//! One enrollment transaction as the client sees it: what was asked, which nonce the bank
//! must echo, and what each answer means.
//!
//! A transaction is either begun by a first request (`ir`, `cr`, `kur`, `p10cr`) or
//! resumed from a pickup link, which knows only the transaction number. Either way every
//! follow-up (`pollReq`, `certConf`) is built here, so the `transactionID`, the nonces
//! and the `certReqId` cannot drift apart, and every answer is checked against the
//! request it answers before it is believed (RFC 9810 section 5.1.1, RFC 9483 section 4.4).

use std::time::Duration;

use der::asn1::OctetString;
use x509_cert::Certificate;
use x509_cert::ext::pkix::name::GeneralName;

use crate::body::{BodyKind, CertRepMessage, PkiBody};
use crate::build::{self, BuildError, P10CR_CERT_REQ_ID};
use crate::checks::{self, BankRefusal, ResponseError};
use crate::header::{PVNO_CMP2000, PkiHeader};
use crate::message::PkiMessage;
use crate::status::{PkiStatus, PkiStatusInfo};

/// The longest wait a bank's `checkAfter` is taken at: a day. The number of seconds is
/// whatever the answer says, and a huge one would overflow any clock it is added to; a
/// bank that means longer is simply asked again after a day.
pub const MAX_CHECK_AFTER: Duration = Duration::from_secs(24 * 60 * 60);

/// What the bank's answer means for the person waiting for a certificate.
#[derive(Clone, Debug, Eq, PartialEq)]
pub enum Answer {
    /// The request is accepted but not decided yet (the bank checks the paper
    /// application first). Ask again after `check_after`, if the bank said when.
    Waiting {
        /// The bank's `checkAfter`, when it gave one, at most [`MAX_CHECK_AFTER`].
        check_after: Option<Duration>,
        /// The bank's reason for the wait, if any.
        reason: Vec<String>,
    },
    /// The certificate is issued.
    Issued(Box<Issued>),
    /// The bank refused the request; `status` carries its reasons.
    Rejected(PkiStatusInfo),
    /// The bank confirmed our `certConf`: the certificate is accepted on both sides.
    Confirmed,
}

/// An issued certificate and what is needed to accept it.
#[derive(Clone, Debug, Eq, PartialEq)]
pub struct Issued {
    /// The certificate. It comes from an answer received as DER
    /// ([`crate::message::Received`]), so its encoding, which the `certConf` hash covers,
    /// is the bytes the bank sent.
    pub certificate: Certificate,
    /// The `certReqId` the bank answered, to be used in `certConf`.
    pub cert_req_id: i64,
    /// CA certificates the bank sent along (`caPubs`).
    pub ca_certificates: Vec<Certificate>,
    /// The bank asked for no `certConf` (`implicitConfirm`).
    pub implicit_confirm: bool,
    /// Granted, but with changes to what was asked.
    pub with_modifications: bool,
}

/// The client's side of one transaction.
#[derive(Clone, Debug)]
pub struct Transaction {
    /// The header fields every follow-up repeats: version, sender, recipient,
    /// `transactionID`, `senderKID`.
    template: PkiHeader,
    /// The `certReqId` to poll and confirm; learned from the bank when resumed.
    cert_req_id: i64,
    /// The bank's latest `senderNonce`, to be echoed as our `recipNonce`.
    bank_nonce: Option<OctetString>,
}

/// Why a transaction could not be begun.
#[derive(Debug, thiserror::Error)]
pub enum TransactionError {
    /// The first message has no `transactionID` or `senderNonce`.
    #[error("the request has no transaction number or nonce")]
    MissingIdentifiers,
    /// The first message is not a certificate request.
    #[error("{0} does not begin an enrollment")]
    NotARequest(BodyKind),
}

impl Transaction {
    /// The transaction begun by `request` (an `ir`, `cr`, `kur` or `p10cr`).
    pub fn begin(request: &PkiMessage) -> Result<Self, TransactionError> {
        let header = &request.header;
        if header.transaction_id.is_none() || header.sender_nonce.is_none() {
            return Err(TransactionError::MissingIdentifiers);
        }
        let cert_req_id = match &request.body {
            PkiBody::P10cr(_) => P10CR_CERT_REQ_ID,
            PkiBody::Ir(reqs) | PkiBody::Cr(reqs) | PkiBody::Kur(reqs) => reqs
                .first()
                .map(|msg| msg.cert_req.cert_req_id)
                .ok_or(TransactionError::NotARequest(request.kind()))?,
            _ => return Err(TransactionError::NotARequest(request.kind())),
        };
        Ok(Self {
            template: header.clone(),
            cert_req_id,
            bank_nonce: None,
        })
    }

    /// A transaction continued from a pickup link, which carries only the transaction
    /// number: `certReqId` 0 until the bank names the real one (docs/bank-protocol.md),
    /// and no `recipNonce` until the bank has sent a nonce.
    pub fn resume(
        sender: GeneralName,
        recipient: GeneralName,
        transaction_id: &[u8],
    ) -> Result<Self, BuildError> {
        Ok(Self {
            template: PkiHeader {
                pvno: PVNO_CMP2000,
                sender,
                recipient,
                message_time: None,
                protection_alg: None,
                sender_kid: None,
                recip_kid: None,
                transaction_id: Some(OctetString::new(transaction_id)?),
                sender_nonce: None,
                recip_nonce: None,
                free_text: None,
                general_info: None,
            },
            cert_req_id: 0,
            bank_nonce: None,
        })
    }

    /// The transaction number.
    pub fn transaction_id(&self) -> &[u8] {
        self.template
            .transaction_id
            .as_ref()
            .map_or(&[][..], OctetString::as_bytes)
    }

    /// The `certReqId` follow-ups use.
    pub fn cert_req_id(&self) -> i64 {
        self.cert_req_id
    }

    fn follow_up_header(&self) -> Result<PkiHeader, BuildError> {
        Ok(PkiHeader {
            message_time: Some(build::now()?),
            protection_alg: None,
            sender_nonce: Some(build::random_id()?),
            recip_nonce: self.bank_nonce.clone(),
            free_text: None,
            general_info: None,
            ..self.template.clone()
        })
    }

    /// A `pollReq` for this transaction's request.
    pub fn poll_req(&self) -> Result<PkiMessage, BuildError> {
        Ok(build::poll_req(self.follow_up_header()?, self.cert_req_id))
    }

    /// A `certConf` accepting `issued`, with the hash of its certificate.
    pub fn cert_conf(&self, issued: &Issued) -> Result<PkiMessage, BuildError> {
        build::cert_conf(
            self.follow_up_header()?,
            &issued.certificate,
            issued.cert_req_id,
        )
    }

    /// Checks `response` against `request` (version, transaction, nonce) and says what it
    /// means. A CMP `error` message becomes [`ResponseError::BankError`]. Protection is
    /// not checked here: the caller verifies it with the bank's certificate or secret.
    pub fn answer(
        &mut self,
        request: &PkiMessage,
        response: &PkiMessage,
    ) -> Result<Answer, ResponseError> {
        checks::check_version(response)?;
        checks::check_transaction_id(request, response)?;
        checks::check_recip_nonce(request, response)?;
        let expected = expected_answers(request.kind());
        checks::check_body_kind(response, expected)?;
        self.bank_nonce = response.header.sender_nonce.clone();
        match &response.body {
            PkiBody::Ip(rep) | PkiBody::Cp(rep) | PkiBody::Kup(rep) => {
                self.cert_response(rep, response.header.implicit_confirm())
            }
            PkiBody::PollRep(entries) => {
                let entry = entries
                    .iter()
                    .find(|e| e.cert_req_id == self.cert_req_id)
                    .or_else(|| entries.first())
                    .ok_or_else(|| empty_answer(response))?;
                self.cert_req_id = entry.cert_req_id;
                Ok(Answer::Waiting {
                    check_after: Some(check_after(entry.check_after)),
                    reason: entry.reason.clone().unwrap_or_default(),
                })
            }
            PkiBody::PkiConf(_) => Ok(Answer::Confirmed),
            PkiBody::Error(content) => Err(ResponseError::BankError(Box::new(BankRefusal::from(
                content,
            )))),
            _ => Err(empty_answer(response)),
        }
    }

    fn cert_response(
        &mut self,
        rep: &CertRepMessage,
        implicit_confirm: bool,
    ) -> Result<Answer, ResponseError> {
        let response = rep
            .response
            .iter()
            .find(|r| r.cert_req_id == self.cert_req_id)
            .or_else(|| rep.response.first())
            .ok_or(ResponseError::UnexpectedBody {
                expected: "an answer to our request".into(),
                got: BodyKind::Cp,
            })?;
        self.cert_req_id = response.cert_req_id;
        let status = response.status.status();
        match status {
            PkiStatus::Waiting => Ok(Answer::Waiting {
                check_after: None,
                reason: response.status.status_string.clone().unwrap_or_default(),
            }),
            PkiStatus::Accepted | PkiStatus::GrantedWithMods => {
                let certificate = response
                    .certificate()
                    .ok_or(ResponseError::NoCertificate)?
                    .clone();
                Ok(Answer::Issued(Box::new(Issued {
                    certificate,
                    cert_req_id: response.cert_req_id,
                    ca_certificates: rep.ca_pubs.clone().unwrap_or_default(),
                    implicit_confirm,
                    with_modifications: status == PkiStatus::GrantedWithMods,
                })))
            }
            _ => Ok(Answer::Rejected(response.status.clone())),
        }
    }
}

/// The body kinds that may answer a request of kind `request`. A poll may be answered
/// by any certificate response, because a pickup from a link does not know which kind
/// of request began the transaction.
fn expected_answers(request: BodyKind) -> &'static [BodyKind] {
    match request {
        BodyKind::Ir => &[BodyKind::Ip, BodyKind::PollRep],
        BodyKind::Cr | BodyKind::P10cr => &[BodyKind::Cp, BodyKind::PollRep],
        BodyKind::Kur => &[BodyKind::Kup, BodyKind::PollRep],
        BodyKind::PollReq => &[BodyKind::PollRep, BodyKind::Ip, BodyKind::Cp, BodyKind::Kup],
        BodyKind::CertConf => &[BodyKind::PkiConf],
        _ => &[],
    }
}

/// A pollRep's `checkAfter` seconds as a wait: none for a negative count, at most
/// [`MAX_CHECK_AFTER`].
fn check_after(seconds: i64) -> Duration {
    Duration::from_secs(u64::try_from(seconds).unwrap_or(0)).min(MAX_CHECK_AFTER)
}

fn empty_answer(response: &PkiMessage) -> ResponseError {
    ResponseError::UnexpectedBody {
        expected: "an answer about our request".into(),
        got: response.kind(),
    }
}

#[cfg(test)]
mod tests {
    use der::asn1::OctetString;

    use super::*;
    use crate::body::PollRepEntry;

    /// A pollReq of a resumed transaction and a pollRep answering it with `seconds`.
    fn poll_answered_with(seconds: i64) -> Result<Answer, ResponseError> {
        let name = build::null_dn();
        let mut transaction =
            Transaction::resume(name.clone(), name, &[1; 16]).expect("transaction");
        let request = transaction.poll_req().expect("pollReq");
        let mut header = request.header.clone();
        header.recip_nonce = request.header.sender_nonce.clone();
        header.sender_nonce = Some(OctetString::new([2u8; 16]).expect("nonce"));
        let response = PkiMessage::new(
            header,
            PkiBody::PollRep(vec![PollRepEntry {
                cert_req_id: 0,
                check_after: seconds,
                reason: None,
            }]),
        );
        transaction.answer(&request, &response)
    }

    fn waited(answer: Result<Answer, ResponseError>) -> Option<Duration> {
        match answer {
            Ok(Answer::Waiting { check_after, .. }) => check_after,
            other => panic!("not a wait: {other:?}"),
        }
    }

    #[test]
    fn a_huge_check_after_is_taken_as_a_day() {
        assert_eq!(waited(poll_answered_with(i64::MAX)), Some(MAX_CHECK_AFTER));
        assert_eq!(
            waited(poll_answered_with(10 * 365 * 24 * 3600)),
            Some(MAX_CHECK_AFTER)
        );
    }

    #[test]
    fn ordinary_and_negative_check_after() {
        assert_eq!(
            waited(poll_answered_with(60)),
            Some(Duration::from_secs(60))
        );
        assert_eq!(waited(poll_answered_with(-5)), Some(Duration::ZERO));
        assert_eq!(waited(poll_answered_with(i64::MIN)), Some(Duration::ZERO));
    }
}
