//! Carries out the wizard's effects and answers each with exactly the outcome the wizard
//! waits for ([`Effect::operation`]): token effects on the token thread, bank effects on
//! the runtime (bounded in time), files in the state and output directories.

use std::path::PathBuf;
use std::sync::{Arc, Mutex};

use crate::enroll;
use crate::token::TokenError;
use smartkey_i18n::Catalogue;
use smartkey_wizard::{
    Effect, Failure, FailureKind, Input, Outcome, Presence, RequestPlan, TokenView, TransactionId,
};

use super::bank::BankSide;
use super::chance::{Chance, NoChance};
use super::draft::DraftStore;
use super::pending::PendingStore;
use super::worker::TokenWorker;
use super::{documents, failure, token_ops};

/// The longest any effect may take (an RSA key generated on a real token takes up to a
/// minute; every bank exchange is bounded more tightly by its own client).
const EFFECT_TIMEOUT: std::time::Duration = std::time::Duration::from_secs(180);

/// Everything the effects act on.
pub struct Executor {
    pub(crate) tokens: Arc<TokenWorker>,
    pub(crate) bank: BankSide,
    pub(crate) pending: Option<PendingStore>,
    /// Where the N2.3 form's draft is kept; `None`: nowhere.
    pub(crate) draft: Option<DraftStore>,
    pub(crate) documents: PathBuf,
    pub(crate) catalogue: Catalogue,
    /// The tokens last reported to the wizard, shared with the presence watch.
    pub(crate) seen: Arc<Mutex<Option<Vec<TokenView>>>>,
    /// Where request numbers come from.
    pub(crate) chance: Arc<Chance>,
}

/// A token call's failure, or a message that could not be built (a detail for support).
enum Trouble {
    Token(TokenError),
    Other(FailureKind),
}

impl From<TokenError> for Trouble {
    fn from(e: TokenError) -> Self {
        Trouble::Token(e)
    }
}

impl From<FailureKind> for Trouble {
    fn from(k: FailureKind) -> Self {
        Trouble::Other(k)
    }
}

impl Trouble {
    fn kind(&self) -> FailureKind {
        match self {
            Trouble::Token(e) => failure::token(e),
            Trouble::Other(k) => k.clone(),
        }
    }
}

/// A message-building result from the token thread: the token's error, or a detail.
fn built<T>(r: Result<Result<T, token_ops::BuildError>, TokenError>) -> Result<T, Trouble> {
    match r {
        Ok(Ok(v)) => Ok(v),
        Ok(Err(e)) => Err(Trouble::Other(FailureKind::Device {
            detail: e.to_string(),
        })),
        Err(e) => Err(Trouble::Token(e)),
    }
}

impl Executor {
    /// Runs one effect; returns the input that answers it (none for the two effects
    /// that need no answer).
    pub async fn run(&mut self, effect: Effect) -> Option<Input> {
        let operation = effect.operation();
        let on_token = effect.token().is_some();
        let result = match tokio::time::timeout(EFFECT_TIMEOUT, self.outcome(effect)).await {
            Ok(result) => result,
            // The screen says so and offers to try again; a token call left running on
            // the token thread finishes there, and what it made is found on the token.
            Err(_) => Err(Trouble::Other(if on_token {
                FailureKind::Device {
                    detail: format!(
                        "the token did not answer within {} s",
                        EFFECT_TIMEOUT.as_secs()
                    ),
                }
            } else {
                failure::timeout(EFFECT_TIMEOUT.as_secs())
            })),
        };
        match (result, operation) {
            (Ok(Some(input)), _) => Some(input),
            (Ok(None), _) => None,
            (Err(trouble), Some(during)) => {
                let kind = trouble.kind();
                tracing::warn!(?during, ?kind, "an effect failed");
                Some(Input::Done(Outcome::Failed(Failure::new(during, kind))))
            }
            (Err(trouble), None) => {
                tracing::warn!(kind = ?trouble.kind(), "a step without an answer failed");
                None
            }
        }
    }

    fn done(outcome: Outcome) -> Result<Option<Input>, Trouble> {
        Ok(Some(Input::Done(outcome)))
    }

    async fn outcome(&mut self, effect: Effect) -> Result<Option<Input>, Trouble> {
        match effect {
            Effect::ListTokens => {
                let list = self.tokens.call(token_ops::list).await?;
                if let Ok(mut seen) = self.seen.lock() {
                    *seen = Some(list.clone());
                }
                Ok(Some(Input::Token(Presence::Present(list))))
            }
            Effect::ChangePin {
                serial,
                role,
                current,
                new,
            } => {
                let s = serial.clone();
                self.tokens
                    .call(move |t| token_ops::change_pin(t, &s, role, current, new))
                    .await?;
                Self::done(Outcome::PinChanged { serial, role })
            }
            Effect::Login { serial, pin } => {
                let s = serial.clone();
                self.tokens
                    .call(move |t| token_ops::login(t, &s, pin))
                    .await?;
                Self::done(Outcome::LoggedIn { serial })
            }
            Effect::GenerateKeyPair {
                serial,
                key_type,
                label,
            } => {
                let s = serial.clone();
                let key = self
                    .tokens
                    .call(move |t| token_ops::generate(t, &s, key_type, &label))
                    .await?;
                Self::done(Outcome::KeyGenerated { serial, key })
            }
            Effect::DeleteKey { serial, key_id } => {
                let (s, k) = (serial.clone(), key_id.clone());
                self.tokens
                    .call(move |t| token_ops::delete(t, &s, &k))
                    .await?;
                Self::done(Outcome::KeyDeleted { serial, key_id })
            }
            Effect::BuildRequest(plan) => self.build(plan).await,
            Effect::SignRequest {
                old_key,
                old_certificate,
                transaction,
            } => {
                let (proof, header) = self
                    .bank
                    .get(&transaction)
                    .and_then(|c| c.renewal.clone())
                    .ok_or(FailureKind::UnknownRequest)?;
                let prepared = built(
                    self.tokens
                        .call(move |t| {
                            token_ops::sign_renewal(
                                t,
                                (&old_key.serial, &old_key.key_id),
                                &old_certificate.0,
                                proof,
                                header,
                            )
                        })
                        .await,
                )?;
                let c = self.bank.conversation(&transaction);
                c.transaction = Some(prepared.transaction);
                c.outgoing = Some(prepared.message);
                Self::done(Outcome::RequestSigned { transaction })
            }
            Effect::SendToBank {
                agent_id,
                transaction,
            } => {
                self.bank.conversation(&transaction).agent_id = agent_id;
                self.restore_outgoing(&transaction);
                let answer = self.bank.send(&transaction).await?;
                Self::done(Outcome::BankAnswered(answer))
            }
            Effect::Poll { pickup } => {
                let answer = self.bank.poll(&pickup).await?;
                self.check_issued_key(&pickup.transaction)?;
                Self::done(Outcome::BankAnswered(answer))
            }
            Effect::SignAct {
                signer,
                signer_certificate,
                certificate,
                pickup,
            } => {
                let id = pickup.transaction.clone();
                let (transaction, issued) = match self.bank.get(&id) {
                    Some(c) => match (&c.transaction, &c.issued) {
                        (Some(t), Some(i)) => (t.clone(), i.clone()),
                        _ => return Err(FailureKind::UnknownRequest.into()),
                    },
                    None => return Err(FailureKind::UnknownRequest.into()),
                };
                let issued_der = der::Encode::to_der(&issued.certificate).unwrap_or_default();
                if issued_der != certificate.0 {
                    return Err(FailureKind::BankAnswerInvalid {
                        detail: "the act is not for the certificate the bank issued".into(),
                    }
                    .into());
                }
                let message = built(
                    self.tokens
                        .call(move |t| {
                            token_ops::acceptance(
                                t,
                                (&signer.serial, &signer.key_id),
                                &signer_certificate.0,
                                &transaction,
                                &issued,
                            )
                        })
                        .await,
                )?;
                self.bank.confirm(&id, message).await?;
                Self::done(Outcome::ActSigned)
            }
            Effect::SaveCertificate { key, certificate } => {
                let serial = key.serial.clone();
                let key_id = self
                    .tokens
                    .call(move |t| token_ops::save_certificate(t, &key.serial, &certificate.0))
                    .await?;
                Self::done(Outcome::CertificateSaved { serial, key_id })
            }
            Effect::VerifyCertificate {
                serial,
                certificate,
            } => {
                let s = serial.clone();
                let found = self
                    .tokens
                    .call(move |t| token_ops::verify_certificate(t, &s, &certificate.0))
                    .await?;
                match found {
                    Some(view) => Self::done(Outcome::CertificateVerified {
                        serial,
                        certificate: Box::new(view),
                    }),
                    None => Err(FailureKind::Device {
                        detail: "the certificate is not on the token after saving".into(),
                    }
                    .into()),
                }
            }
            Effect::SaveDocument { document } => {
                match documents::save(&document, &self.catalogue, &self.documents) {
                    Ok(path) => Self::done(Outcome::DocumentSaved {
                        location: path.display().to_string(),
                    }),
                    Err(e) => Err(FailureKind::Storage {
                        detail: format!("{}: {e}", self.documents.display()),
                    }
                    .into()),
                }
            }
            Effect::RecordPending(record) => {
                let store = self.pending.as_ref().ok_or(FailureKind::Storage {
                    detail: "no state directory is known (set HOME or XDG_STATE_HOME)".into(),
                })?;
                // The signed request is kept with its record before it goes out: a run
                // interrupted before the bank had it sends the same message again.
                let message = self
                    .bank
                    .get(&record.transaction)
                    .and_then(|c| c.outgoing.as_ref())
                    .and_then(|m| der::Encode::to_der(m).ok());
                let transaction = record.transaction.clone();
                store.record(record).map_err(|e| FailureKind::Storage {
                    detail: e.to_string(),
                })?;
                if let Some(der) = message {
                    store
                        .keep_message(&transaction, &der)
                        .map_err(|e| FailureKind::Storage {
                            detail: e.to_string(),
                        })?;
                }
                Self::done(Outcome::PendingRecorded)
            }
            Effect::MarkAccepted { transaction } => {
                if let Some(store) = &self.pending
                    && let Err(e) = store.mark_accepted(&transaction)
                {
                    tracing::warn!(error = %e, "the accepted act could not be recorded");
                }
                Ok(None)
            }
            Effect::SaveDraft(draft) => {
                if let Some(store) = &self.draft
                    && let Err(e) = store.save(&draft)
                {
                    tracing::warn!(error = %e, "the form's draft could not be kept");
                }
                Ok(None)
            }
            Effect::ClearDraft => {
                if let Some(store) = &self.draft
                    && let Err(e) = store.clear()
                {
                    tracing::warn!(error = %e, "the form's draft could not be removed");
                }
                Ok(None)
            }
            Effect::ClearPending { transaction } => {
                if let Some(store) = &self.pending
                    && let Err(e) = store.clear(&transaction)
                {
                    tracing::warn!(error = %e, "the pending record could not be cleared");
                }
                Ok(None)
            }
            Effect::Finish(ending) => {
                tracing::info!(?ending, "the flow ended");
                let _ = self
                    .tokens
                    .call(|t| {
                        t.close_all();
                        Ok(())
                    })
                    .await;
                Ok(None)
            }
        }
    }

    /// A new request number, from the run's chance.
    fn transaction_id(&self) -> Result<der::asn1::OctetString, FailureKind> {
        enroll::new_transaction_id(|bytes| self.chance.fill(bytes))
            .and_then(|id| id.ok_or(NoChance))
            .map_err(|e| FailureKind::Device {
                detail: e.to_string(),
            })
    }

    /// A certificate the bank issued in answer to a request recorded here must certify
    /// that request's key. One for another key is the bank's mistake (or someone's on
    /// the way): it is dropped before anything is accepted or written, and the record
    /// stays for the real answer. A pickup with no record here is checked later, when
    /// the key is looked for on the token.
    fn check_issued_key(&mut self, id: &TransactionId) -> Result<(), FailureKind> {
        let Some(issued) = self.bank.get(id).and_then(|c| c.issued.as_ref()) else {
            return Ok(());
        };
        let kept = self
            .bank
            .get(id)
            .and_then(|c| c.outgoing.as_ref())
            .and_then(|m| der::Encode::to_der(m).ok())
            .or_else(|| {
                self.pending
                    .as_ref()
                    .and_then(|store| store.message(id).ok().flatten())
            });
        let Some(kept) = kept else {
            return Ok(());
        };
        if enroll::certifies_requested_key(&issued.certificate, &kept) == Some(false) {
            self.bank.conversation(id).issued = None;
            return Err(FailureKind::BankAnswerInvalid {
                detail: "the bank's certificate is for another key than the one of this request; nothing was accepted or saved".into(),
            });
        }
        Ok(())
    }

    /// A request this run did not build (one recorded by an interrupted run) is sent
    /// as it was kept with its record: the same message, the same transaction. Nothing
    /// kept, or a copy that does not read as a request, leaves the conversation as it
    /// is, and the send says the request is unknown.
    fn restore_outgoing(&mut self, id: &TransactionId) {
        if self.bank.get(id).is_some_and(|c| c.outgoing.is_some()) {
            return;
        }
        let Some(der) = self
            .pending
            .as_ref()
            .and_then(|store| store.message(id).ok().flatten())
        else {
            return;
        };
        let Some(enroll::Prepared {
            transaction,
            message,
        }) = enroll::kept_request(&der)
        else {
            tracing::warn!("the kept request does not read as a request; it is not sent again");
            return;
        };
        if TransactionId::from_bytes(transaction.transaction_id()) != *id {
            tracing::warn!("the kept request is of another transaction; it is not sent again");
            return;
        }
        let c = self.bank.conversation(id);
        c.transaction = Some(transaction);
        c.outgoing = Some(message);
    }

    async fn build(&mut self, plan: RequestPlan) -> Result<Option<Input>, Trouble> {
        match plan {
            RequestPlan::New {
                agent_id,
                key,
                applicant,
                ..
            } => {
                let recipient = self.bank.recipient(agent_id)?;
                let transaction_id = self.transaction_id()?;
                let prepared = built(
                    self.tokens
                        .call(move |t| {
                            token_ops::new_request(
                                t,
                                &key.serial,
                                &key.key_id,
                                &applicant,
                                recipient,
                                transaction_id,
                            )
                        })
                        .await,
                )?;
                let id = TransactionId::from_bytes(prepared.transaction.transaction_id());
                let c = self.bank.conversation(&id);
                c.agent_id = agent_id;
                c.transaction = Some(prepared.transaction);
                c.outgoing = Some(prepared.message);
                Self::done(Outcome::RequestBuilt { transaction: id })
            }
            RequestPlan::Renewal {
                agent_id,
                key,
                old_certificate,
                contacts,
                ..
            } => {
                let recipient = self.bank.recipient(agent_id)?;
                let old = <x509_cert::Certificate as der::Decode>::from_der(&old_certificate.0)
                    .map_err(|e| FailureKind::Device {
                        detail: format!("the current certificate cannot be read: {e}"),
                    })?;
                // The contacts confirmed at R2.4 go into the request: the bank mails the
                // pickup link there (docs/bank-protocol.md).
                let pairs =
                    enroll::contact_pairs(&contacts.email, &contacts.phone).map_err(|e| {
                        FailureKind::Device {
                            detail: e.to_string(),
                        }
                    })?;
                let proof = built(
                    self.tokens
                        .call(move |t| {
                            token_ops::renewal_proof(
                                t,
                                &key.serial,
                                &key.key_id,
                                &old_certificate.0,
                                &pairs,
                            )
                        })
                        .await,
                )?;
                // The transaction number is fixed now, before the swap, so that the
                // wizard's records name the request the bank will know.
                let header = enroll::renewal_header(&old, recipient, self.transaction_id()?)
                    .map_err(|e| FailureKind::Device {
                        detail: e.to_string(),
                    })?;
                let bytes = header
                    .transaction_id
                    .as_ref()
                    .map(|t| t.as_bytes().to_vec())
                    .unwrap_or_default();
                let id = TransactionId::from_bytes(&bytes);
                let c = self.bank.conversation(&id);
                c.agent_id = agent_id;
                c.renewal = Some((proof, header));
                Self::done(Outcome::RequestBuilt { transaction: id })
            }
        }
    }
}
