//! The request on its way (N2.6, R2.8): recorded locally first, then sent to the bank,
//! and when the bank issues at once, its certificate kept with the record. Writing the
//! record before the bank is told means an interruption at any point is found again:
//! a flow started again opens with the request, and asking the bank settles whether it
//! arrived. A network failure is shown with a retry; the bank's refusal ends the flow
//! with its reasons.

use serde::{Deserialize, Serialize};

use crate::effect::Effect;
use crate::facts::Facts;
use crate::input::{Answer, BankAnswer, FailureKind, Input, IssuedCertificate, Operation, Outcome};
use crate::model::{KeptCertificate, PendingRecord};
use crate::msg::Msg;
use crate::screen::{Action, ActionKind, Level, Notice, Progress, Screen};

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "phase", rename_all = "snake_case")]
pub enum DeliveryPhase {
    /// The local record is being written; `failure` when it could not be.
    Recording { failure: Option<FailureKind> },
    /// On its way; `failure` when it did not get there.
    Sending { failure: Option<FailureKind> },
    /// Issued at once: the certificate is kept with the record before anything else.
    Keeping {
        issued: Box<IssuedCertificate>,
        failure: Option<FailureKind>,
    },
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Delivery {
    /// The record kept while the bank has the request.
    pub record: PendingRecord,
    pub phase: DeliveryPhase,
}

pub enum Delivered {
    Stay(Vec<Effect>),
    /// The bank refused, with its reasons; the record is dropped by the effects given.
    Rejected(Vec<String>, Vec<Effect>),
    /// Recorded and sent; the certificate when the bank issued it at once.
    Done(Option<Box<IssuedCertificate>>),
}

impl Delivery {
    pub fn start(record: PendingRecord) -> (Delivery, Effect) {
        let effect = Effect::RecordPending(record.clone());
        (
            Delivery {
                record,
                phase: DeliveryPhase::Recording { failure: None },
            },
            effect,
        )
    }

    pub fn is_busy(&self) -> bool {
        match &self.phase {
            DeliveryPhase::Recording { failure }
            | DeliveryPhase::Sending { failure }
            | DeliveryPhase::Keeping { failure, .. } => failure.is_none(),
        }
    }

    fn send(&self) -> Effect {
        Effect::SendToBank {
            agent_id: self.record.agent_id,
            transaction: self.record.transaction.clone(),
        }
    }

    fn recorded(&self, facts: &mut Facts) {
        facts
            .pending
            .retain(|p| p.transaction != self.record.transaction);
        facts.pending.push(self.record.clone());
    }

    fn rejected(&self, reasons: Vec<String>, facts: &mut Facts) -> Delivered {
        let transaction = self.record.transaction.clone();
        facts.pending.retain(|p| p.transaction != transaction);
        Delivered::Rejected(reasons, vec![Effect::ClearPending { transaction }])
    }

    pub fn handle(&mut self, input: Input, facts: &mut Facts) -> Delivered {
        let busy = self.is_busy();
        match (&mut self.phase, input) {
            (DeliveryPhase::Recording { .. }, Input::Done(Outcome::PendingRecorded)) if busy => {
                self.recorded(facts);
                self.phase = DeliveryPhase::Sending { failure: None };
                Delivered::Stay(vec![self.send()])
            }
            (DeliveryPhase::Sending { failure }, Input::Person(Answer::Retry)) if !busy => {
                *failure = None;
                Delivered::Stay(vec![self.send()])
            }
            (DeliveryPhase::Sending { .. }, Input::Done(Outcome::BankAnswered(answer))) if busy => {
                match answer {
                    BankAnswer::Rejected { reasons } => self.rejected(reasons, facts),
                    BankAnswer::Waiting { .. } => Delivered::Done(None),
                    BankAnswer::Issued(issued) => {
                        self.record.kept = Some(Box::new(KeptCertificate {
                            certificate: issued.certificate.clone(),
                            accepted: false,
                        }));
                        self.phase = DeliveryPhase::Keeping {
                            issued,
                            failure: None,
                        };
                        Delivered::Stay(vec![Effect::RecordPending(self.record.clone())])
                    }
                }
            }
            (DeliveryPhase::Sending { failure }, Input::Done(Outcome::Failed(f)))
                if busy && f.during == Operation::SendToBank =>
            {
                if let FailureKind::BankRejected { reasons } = f.kind {
                    return self.rejected(reasons, facts);
                }
                *failure = Some(f.kind);
                Delivered::Stay(Vec::new())
            }
            (DeliveryPhase::Keeping { issued, .. }, Input::Done(Outcome::PendingRecorded))
                if busy =>
            {
                let issued = issued.clone();
                self.recorded(facts);
                Delivered::Done(Some(issued))
            }
            (
                DeliveryPhase::Recording { failure } | DeliveryPhase::Keeping { failure, .. },
                Input::Done(Outcome::Failed(f)),
            ) if busy && f.during == Operation::RecordPending => {
                *failure = Some(f.kind);
                Delivered::Stay(Vec::new())
            }
            (
                DeliveryPhase::Recording { failure } | DeliveryPhase::Keeping { failure, .. },
                Input::Person(Answer::Retry),
            ) if !busy => {
                *failure = None;
                Delivered::Stay(vec![Effect::RecordPending(self.record.clone())])
            }
            _ => Delivered::Stay(Vec::new()),
        }
    }

    pub fn show(&self, screen: &mut Screen) {
        let (label, failure) = match &self.phase {
            DeliveryPhase::Recording { failure } => (Msg::RecordingRequest, failure),
            DeliveryPhase::Sending { failure } => (Msg::SendingRequest, failure),
            DeliveryPhase::Keeping { failure, .. } => (Msg::KeepingCertificate, failure),
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
