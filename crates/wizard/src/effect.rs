//! What the wizard asks the runtime to do. Each effect is answered by one
//! [`Outcome`](super::Outcome) (or `Failed` with its [`Operation`]), except
//! [`Effect::ListTokens`], answered by `Presence::Present`, and the two that need no
//! answer: [`Effect::ClearPending`], [`Effect::MarkAccepted`], [`Effect::SaveDraft`],
//! [`Effect::ClearDraft`] and [`Effect::Finish`] (their failures are only logged: each is
//! safe to lose, as running the flow again does the same work).
//!
//! PINs travel here once, from the person's answer to the token call. `Debug` shows
//! them as `Pin(<hidden>)` and serde as `"<hidden>"`; there is no `Deserialize`, as an
//! effect is never read back.

use serde::Serialize;

use crate::applicant::Applicant;
use crate::pin::Pin;

use super::document::Document;
use super::ended::Ending;
use super::input::Operation;
use super::model::{
    Contacts, Der, FormDraft, KeyRef, KeyType, PendingRecord, PickupRef, TransactionId,
};
use crate::pin::PinRole;

#[derive(Debug, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Effect {
    /// Report every inserted token (`Presence::Present`), then keep reporting changes.
    ListTokens,
    /// Change a PIN: log in as `role` with `current`, set `new` (the policy was checked).
    ChangePin {
        serial: String,
        role: PinRole,
        #[serde(serialize_with = "super::secret::serialize")]
        current: Pin,
        #[serde(serialize_with = "super::secret::serialize")]
        new: Pin,
    },
    /// Log the user in; the session stays logged in until the token is removed or the
    /// flow finishes, for the effects that follow on the same token.
    Login {
        serial: String,
        #[serde(serialize_with = "super::secret::serialize")]
        pin: Pin,
    },
    /// Make a key pair on the (logged-in) token, labelled `label`.
    GenerateKeyPair {
        serial: String,
        key_type: KeyType,
        label: String,
    },
    /// Delete a key pair (and its certificate) from the (logged-in) token.
    DeleteKey { serial: String, key_id: String },
    /// Build the request and sign it with the new key (its proof of possession).
    BuildRequest(RequestPlan),
    /// R2.8: protect the renewal built earlier with the old key and certificate.
    SignRequest {
        old_key: KeyRef,
        old_certificate: Der,
        transaction: TransactionId,
    },
    /// Send the request to the bank (`BankAnswered`).
    SendToBank {
        agent_id: u32,
        transaction: TransactionId,
    },
    /// Ask the bank about a request (`BankAnswered`).
    Poll { pickup: PickupRef },
    /// Sign the acceptance act (CMP `certConf` for `certificate`) with `signer`, whose
    /// certificate is `signer_certificate`, and send it (`ActSigned`).
    SignAct {
        signer: KeyRef,
        signer_certificate: Der,
        certificate: Der,
        pickup: PickupRef,
    },
    /// Store the certificate on the token next to its key.
    SaveCertificate { key: KeyRef, certificate: Der },
    /// Read the certificate back from the token and check it (`CertificateVerified`).
    VerifyCertificate { serial: String, certificate: Der },
    /// Save a document for printing (PDF) and report where (`DocumentSaved`).
    SaveDocument { document: Document },
    /// Keep a local record of a request waiting at the bank (`PendingRecorded`).
    RecordPending(PendingRecord),
    /// The request is done with (its certificate saved): drop its local record.
    ClearPending { transaction: TransactionId },
    /// The bank confirmed the act for the certificate kept in the request's record: a
    /// save run again goes on from the kept copy without signing again.
    MarkAccepted { transaction: TransactionId },
    /// Keep the N2.3 form as typed so far (no PIN is in it).
    SaveDraft(FormDraft),
    /// The request is sent: the form's draft is done with.
    ClearDraft,
    /// The flow is over: close the token sessions; the last screen stays until the
    /// person leaves it.
    Finish(Ending),
}

/// What goes into a request.
#[derive(Debug, Clone, Serialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum RequestPlan {
    /// N2.6: a first certificate, for the applicant's form.
    New {
        agent_id: u32,
        key: KeyRef,
        key_type: KeyType,
        applicant: Box<Applicant>,
    },
    /// R2.7: a renewal of `old_certificate` with the new key; the subject stays, the
    /// confirmed contacts go along.
    Renewal {
        agent_id: u32,
        key: KeyRef,
        key_type: KeyType,
        old_certificate: Der,
        contacts: Contacts,
    },
}

impl Effect {
    /// The operation whose outcome answers this effect.
    pub fn operation(&self) -> Option<Operation> {
        Some(match self {
            Effect::ListTokens => Operation::ListTokens,
            Effect::ChangePin { .. } => Operation::ChangePin,
            Effect::Login { .. } => Operation::Login,
            Effect::GenerateKeyPair { .. } => Operation::GenerateKeyPair,
            Effect::DeleteKey { .. } => Operation::DeleteKey,
            Effect::BuildRequest(_) => Operation::BuildRequest,
            Effect::SignRequest { .. } => Operation::SignRequest,
            Effect::SendToBank { .. } => Operation::SendToBank,
            Effect::Poll { .. } => Operation::Poll,
            Effect::SignAct { .. } => Operation::SignAct,
            Effect::SaveCertificate { .. } => Operation::SaveCertificate,
            Effect::VerifyCertificate { .. } => Operation::VerifyCertificate,
            Effect::SaveDocument { .. } => Operation::SaveDocument,
            Effect::RecordPending(_) => Operation::RecordPending,
            Effect::ClearPending { .. }
            | Effect::MarkAccepted { .. }
            | Effect::SaveDraft(_)
            | Effect::ClearDraft
            | Effect::Finish(_) => return None,
        })
    }

    /// The token the effect works on, where it works on one.
    pub fn token(&self) -> Option<&str> {
        match self {
            Effect::ChangePin { serial, .. }
            | Effect::Login { serial, .. }
            | Effect::GenerateKeyPair { serial, .. }
            | Effect::DeleteKey { serial, .. }
            | Effect::VerifyCertificate { serial, .. } => Some(serial),
            Effect::BuildRequest(RequestPlan::New { key, .. })
            | Effect::BuildRequest(RequestPlan::Renewal { key, .. })
            | Effect::SaveCertificate { key, .. } => Some(&key.serial),
            Effect::SignRequest { old_key, .. } => Some(&old_key.serial),
            Effect::SignAct { signer, .. } => Some(&signer.serial),
            _ => None,
        }
    }
}
