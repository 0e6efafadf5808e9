//! Checks a client makes on every response before believing it (RFC 9810 sections 5.1.1
//! and 3.5 of RFC 9483): that it belongs to our transaction, answers our latest message,
//! speaks a version we know, and is the kind of message expected next.

use core::fmt;

use crate::body::{BodyKind, ErrorMsgContent, PkiBody};
use crate::header::{PVNO_CMP2000, PVNO_CMP2021};
use crate::message::PkiMessage;
use crate::status::PkiStatusInfo;

/// Why a response is not acceptable, in words for the person at the keyboard.
#[derive(Debug, thiserror::Error)]
pub enum ResponseError {
    /// The request had no `transactionID` or the response has none.
    #[error("the bank's answer has no transaction number, so it cannot be matched to the request")]
    MissingTransactionId,
    /// The `transactionID`s differ.
    #[error("the bank's answer belongs to a different request (the transaction numbers differ)")]
    TransactionIdMismatch,
    /// The response has no `recipNonce`.
    #[error("the bank's answer does not repeat the request's nonce, so it may be a replay")]
    MissingRecipNonce,
    /// `recipNonce` is not our `senderNonce`.
    #[error(
        "the bank's answer does not answer our latest message (the nonces differ); it may be a replay"
    )]
    RecipNonceMismatch,
    /// `pvno` is not 2 or 3.
    #[error("the bank's answer uses protocol version {0}; only versions 2 and 3 are understood")]
    UnsupportedVersion(u8),
    /// The bank sent an error message.
    #[error("the bank reported an error: {0}")]
    BankError(Box<BankRefusal>),
    /// A granted answer without a certificate in the clear.
    #[error("the bank says the certificate is issued but did not send it")]
    NoCertificate,
    /// Some other body kind than expected.
    #[error("expected {expected} from the bank, but received {got}")]
    UnexpectedBody {
        /// What was expected.
        expected: String,
        /// What came.
        got: BodyKind,
    },
}

/// The response's `transactionID` must equal the request's.
pub fn check_transaction_id(
    request: &PkiMessage,
    response: &PkiMessage,
) -> Result<(), ResponseError> {
    match (
        &request.header.transaction_id,
        &response.header.transaction_id,
    ) {
        (Some(ours), Some(theirs)) if ours == theirs => Ok(()),
        (Some(_), Some(_)) => Err(ResponseError::TransactionIdMismatch),
        _ => Err(ResponseError::MissingTransactionId),
    }
}

/// The response's `recipNonce` must equal the request's `senderNonce`.
pub fn check_recip_nonce(request: &PkiMessage, response: &PkiMessage) -> Result<(), ResponseError> {
    match (&request.header.sender_nonce, &response.header.recip_nonce) {
        (Some(ours), Some(theirs)) if ours == theirs => Ok(()),
        (_, None) | (None, _) => Err(ResponseError::MissingRecipNonce),
        _ => Err(ResponseError::RecipNonceMismatch),
    }
}

/// `pvno` must be 2 (RFC 4210) or 3 (RFC 9810).
pub fn check_version(response: &PkiMessage) -> Result<(), ResponseError> {
    match response.header.pvno {
        PVNO_CMP2000 | PVNO_CMP2021 => Ok(()),
        other => Err(ResponseError::UnsupportedVersion(other)),
    }
}

/// The body must be one of `expected`. An unexpected `error` body is reported with the
/// bank's own status and reasons.
pub fn check_body_kind(response: &PkiMessage, expected: &[BodyKind]) -> Result<(), ResponseError> {
    let got = response.kind();
    if expected.contains(&got) {
        return Ok(());
    }
    if let PkiBody::Error(content) = &response.body {
        return Err(ResponseError::BankError(Box::new(BankRefusal::from(
            content,
        ))));
    }
    let expected = expected
        .iter()
        .map(|kind| kind.to_string())
        .collect::<Vec<_>>()
        .join(" or ");
    Err(ResponseError::UnexpectedBody { expected, got })
}

/// All checks above, in the order a client needs them. Protection is checked separately,
/// with the key or secret the caller has.
pub fn check_response(
    request: &PkiMessage,
    response: &PkiMessage,
    expected: &[BodyKind],
) -> Result<(), ResponseError> {
    check_version(response)?;
    check_transaction_id(request, response)?;
    check_recip_nonce(request, response)?;
    check_body_kind(response, expected)
}

/// A CMP `error` message from the bank, kept whole: the status and failure reasons for
/// plain words, the bank's own `errorCode` for rules only the bank knows (such as the
/// expired pickup link of docs/bank-protocol.md), and its text.
#[derive(Clone, Debug, Eq, PartialEq)]
pub struct BankRefusal {
    /// Status and failure reasons.
    pub status: PkiStatusInfo,
    /// The bank's implementation-specific code, if it sent one.
    pub error_code: Option<i64>,
    /// The bank's explanation, if any.
    pub details: Vec<String>,
}

impl From<&ErrorMsgContent> for BankRefusal {
    fn from(content: &ErrorMsgContent) -> Self {
        Self {
            status: content.pki_status_info.clone(),
            error_code: content.error_code,
            details: content.error_details.clone().unwrap_or_default(),
        }
    }
}

impl fmt::Display for BankRefusal {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.status)?;
        if !self.details.is_empty() {
            write!(f, " Details: \"{}\".", self.details.join(" "))?;
        }
        if let Some(code) = self.error_code {
            write!(f, " (error code {code})")?;
        }
        Ok(())
    }
}
