//! The request on its way (N2.6, R2.8): sent to the bank, then recorded locally once the
//! bank has it. A network failure is shown with a retry; the bank's refusal ends the
//! flow with its reasons. The local record is what lets a later `save` (or a restarted
//! flow) continue.

use serde::{Deserialize, Serialize};

use crate::i18n::Msg;
use crate::wizard::effect::Effect;
use crate::wizard::facts::Facts;
use crate::wizard::input::{
    Answer, BankAnswer, FailureKind, Input, IssuedCertificate, Operation, Outcome,
};
use crate::wizard::model::{KeptCertificate, PendingRecord};
use crate::wizard::screen::{Action, ActionKind, Level, Notice, Progress, Screen};

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "phase", rename_all = "snake_case")]
pub enum DeliveryPhase {
    /// On its way; `failure` when it did not get there.
    Sending { failure: Option<FailureKind> },
    /// The bank has it; the local record is written.
    Recording {
        issued: Option<Box<IssuedCertificate>>,
        failure: Option<FailureKind>,
    },
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Delivery {
    /// The record to keep once the bank has the request.
    pub record: PendingRecord,
    pub phase: DeliveryPhase,
}

pub enum Delivered {
    Stay(Vec<Effect>),
    /// The bank refused, with its reasons.
    Rejected(Vec<String>),
    /// Sent and recorded; the certificate when the bank issued it at once.
    Done(Option<Box<IssuedCertificate>>),
}

impl Delivery {
    pub fn start(record: PendingRecord) -> (Delivery, Effect) {
        let effect = Effect::SendToBank {
            agent_id: record.agent_id,
            transaction: record.transaction.clone(),
        };
        (
            Delivery {
                record,
                phase: DeliveryPhase::Sending { failure: None },
            },
            effect,
        )
    }

    pub fn is_busy(&self) -> bool {
        match &self.phase {
            DeliveryPhase::Sending { failure } | DeliveryPhase::Recording { failure, .. } => {
                failure.is_none()
            }
        }
    }

    pub fn handle(&mut self, input: Input, facts: &mut Facts) -> Delivered {
        let busy = self.is_busy();
        match (&mut self.phase, input) {
            (DeliveryPhase::Sending { failure }, Input::Person(Answer::Retry)) if !busy => {
                *failure = None;
                Delivered::Stay(vec![Effect::SendToBank {
                    agent_id: self.record.agent_id,
                    transaction: self.record.transaction.clone(),
                }])
            }
            (DeliveryPhase::Sending { .. }, Input::Done(Outcome::BankAnswered(answer))) if busy => {
                let issued = match answer {
                    BankAnswer::Rejected { reasons } => return Delivered::Rejected(reasons),
                    BankAnswer::Waiting { .. } => None,
                    BankAnswer::Issued(issued) => {
                        // Issued at once: kept with the record, before anything is signed.
                        self.record.kept = Some(KeptCertificate {
                            certificate: issued.certificate.clone(),
                            accepted: false,
                        });
                        Some(issued)
                    }
                };
                self.phase = DeliveryPhase::Recording {
                    issued,
                    failure: None,
                };
                Delivered::Stay(vec![Effect::RecordPending(self.record.clone())])
            }
            (DeliveryPhase::Sending { failure }, Input::Done(Outcome::Failed(f)))
                if busy && f.during == Operation::SendToBank =>
            {
                if let FailureKind::BankRejected { reasons } = f.kind {
                    return Delivered::Rejected(reasons);
                }
                *failure = Some(f.kind);
                Delivered::Stay(Vec::new())
            }
            (DeliveryPhase::Recording { issued, .. }, Input::Done(Outcome::PendingRecorded))
                if busy =>
            {
                facts
                    .pending
                    .retain(|p| p.transaction != self.record.transaction);
                facts.pending.push(self.record.clone());
                Delivered::Done(issued.take())
            }
            (DeliveryPhase::Recording { failure, .. }, Input::Done(Outcome::Failed(f)))
                if busy && f.during == Operation::RecordPending =>
            {
                *failure = Some(f.kind);
                Delivered::Stay(Vec::new())
            }
            (DeliveryPhase::Recording { failure, .. }, Input::Person(Answer::Retry)) if !busy => {
                *failure = None;
                Delivered::Stay(vec![Effect::RecordPending(self.record.clone())])
            }
            _ => Delivered::Stay(Vec::new()),
        }
    }

    pub fn show(&self, screen: &mut Screen) {
        let (label, failure) = match &self.phase {
            DeliveryPhase::Sending { failure } => (Msg::SendingRequest, failure),
            DeliveryPhase::Recording { failure, .. } => (Msg::RecordingRequest, failure),
        };
        match failure {
            None => screen.progress = Some(Progress::Working { label }),
            Some(kind) => {
                screen.notice = Some(Notice::new(
                    Level::Error,
                    Msg::Failed { kind: kind.clone() },
                ));
                screen.actions.push(Action {
                    kind: ActionKind::Retry,
                    label: Msg::ActionRetry,
                });
            }
        }
    }
}
