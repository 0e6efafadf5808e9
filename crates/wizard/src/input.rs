//! Everything that can happen to the wizard: a person answers, a token comes or goes, an
//! effect finishes. Each is an [`Input`] to [`Wizard::handle`](super::Wizard::handle).

use serde::{Deserialize, Serialize};

use crate::pin::Pin;

use super::model::{CertificateView, KeyView, TokenView, TransactionId, Tries};
use crate::field::FieldId;
use crate::pin::PinRole;

/// One thing that happened.
#[derive(Debug, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Input {
    /// The person did something on the screen.
    Person(Answer),
    /// A token was inserted or removed (the runtime watches the slots).
    Token(Presence),
    /// An effect finished, well or not.
    Done(Outcome),
}

/// What a person can do on a screen. A screen lists which of these it takes (its
/// actions and fields); any other is ignored.
#[derive(Debug, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Answer {
    /// Go on (the bank's "Next", "OK", "Update", "Save certificate").
    Next,
    /// Go back to the previous screen, where that is harmless.
    Back,
    /// Stop the flow; what is on the token and at the bank stays.
    Cancel,
    /// Try the failed operation again.
    Retry,
    /// Pick entry `n` of the screen's choice list (a bank, a token, a key, a certificate).
    Choose(usize),
    /// An explicit "yes" where the screen asks for one (R2.13).
    Confirm,
    /// A field's new text.
    Edit { field: FieldId, value: String },
    /// Pick option `index` of a field's list (a key type, a country, a suggested city).
    Select { field: FieldId, index: usize },
    /// Tick or untick a checkbox.
    Tick { field: FieldId, on: bool },
    /// A PIN typed to log in.
    Pin(#[serde(with = "super::secret")] Pin),
    /// The PIN change form (N2.4, N2.5, R2.5, R2.6): the current PIN and the new one twice.
    ChangePin {
        #[serde(with = "super::secret")]
        current: Pin,
        #[serde(with = "super::secret")]
        new: Pin,
        #[serde(with = "super::secret")]
        repeat: Pin,
    },
}

/// What the runtime sees in the card readers.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Presence {
    /// Every token inserted now (the answer to `Effect::ListTokens`).
    Present(Vec<TokenView>),
    /// A token was inserted, or its state changed (PIN flags after a change, keys after
    /// a generation): replaces what was known of the token with this serial.
    Inserted(TokenView),
    /// The token with this serial was removed.
    Removed { serial: String },
}

/// Which effect an outcome belongs to, so that a late answer to an effect the wizard no
/// longer waits for is recognised and dropped.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Operation {
    ListTokens,
    ChangePin,
    Login,
    GenerateKeyPair,
    DeleteKey,
    BuildRequest,
    SignRequest,
    SendToBank,
    Poll,
    SignAct,
    SaveCertificate,
    VerifyCertificate,
    SaveDocument,
    RecordPending,
}

/// How an effect ended.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Outcome {
    PinChanged {
        serial: String,
        role: PinRole,
    },
    LoggedIn {
        serial: String,
    },
    KeyGenerated {
        serial: String,
        key: KeyView,
    },
    KeyDeleted {
        serial: String,
        key_id: String,
    },
    /// The request is built and signed by the new key (its proof of possession).
    RequestBuilt {
        transaction: TransactionId,
    },
    /// The renewal is protected by the old key (R2.8).
    RequestSigned {
        transaction: TransactionId,
    },
    /// The bank's answer to `SendToBank` or `Poll`.
    BankAnswered(BankAnswer),
    /// The bank confirmed the signed acceptance act.
    ActSigned,
    CertificateSaved {
        serial: String,
        key_id: String,
    },
    /// The certificate was read back from the token and checked.
    CertificateVerified {
        serial: String,
        certificate: Box<CertificateView>,
    },
    /// The document was saved where `location` says (a file path, for the person).
    DocumentSaved {
        location: String,
    },
    PendingRecorded,
    Failed(Failure),
}

/// What the bank said about a request.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum BankAnswer {
    /// Accepted, not decided yet; ask again after `check_after_secs` if the bank said.
    Waiting {
        check_after_secs: Option<u64>,
        reason: Vec<String>,
    },
    /// The certificate is issued.
    Issued(Box<IssuedCertificate>),
    /// The bank refused the request, for these reasons (the operator's words).
    Rejected { reasons: Vec<String> },
}

/// An issued certificate, as the pickup brought it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct IssuedCertificate {
    pub certificate: CertificateView,
    /// The bank asked for no acceptance (`implicitConfirm`): there is no act to sign.
    pub implicit_confirm: bool,
}

/// A failed effect: which one, and what went wrong, as data the catalogue words.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Failure {
    pub during: Operation,
    pub kind: FailureKind,
}

impl Failure {
    pub fn new(during: Operation, kind: FailureKind) -> Failure {
        Failure { during, kind }
    }
}

/// What went wrong. Technical details are kept for support, in `detail`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum FailureKind {
    /// The PIN was wrong.
    WrongPin { role: PinRole, tries: Tries },
    /// The PIN is locked.
    PinLocked { role: PinRole },
    /// The token refused the new PIN (length or strength rules of its own).
    PinRefused { role: PinRole },
    /// The token was removed during the operation.
    TokenRemoved,
    /// The certificate's key is not on this token.
    KeyNotOnToken,
    /// The token is full.
    TokenFull,
    /// The token or its library failed.
    Device { detail: String },
    /// The bank could not be reached (network, TLS, timeouts).
    BankUnreachable { detail: String },
    /// The bank's answer could not be trusted or read (signature, format).
    BankAnswerInvalid { detail: String },
    /// The bank refused the request, with its reasons.
    BankRejected { reasons: Vec<String> },
    /// The pickup link is older than 2 days (error 4101): the bank must send it again.
    LinkExpired,
    /// The certificate was issued more than 3 days ago and never saved (error 4102):
    /// everything starts again, and the client pays for the replacement.
    RequestExpired,
    /// The bank does not know this request (a mistyped or foreign link).
    UnknownRequest,
    /// A file could not be written.
    Storage { detail: String },
}
