//! R2.8: "Remove the Rutoken ECP 2.0, insert the current smart key, press OK and enter
//! the current smart key's PIN": the request is protected by the OLD key, which is how
//! the bank knows the renewal comes from the certificate's owner, and is sent.

use serde::{Deserialize, Serialize};

use crate::codes::FlowKind;
use crate::codes::StepCode;
use crate::effect::Effect;
use crate::ended::Ending;
use crate::facts::Facts;
use crate::input::{Input, Operation, Outcome, Presence};
use crate::model::{KeyRef, PendingRecord, PickupRef, RequestKind, TransactionId};
use crate::msg::Msg;
use crate::parts::key::failure_notice;
use crate::parts::pins::{PinEntry, PinNotice, PinStep};
use crate::parts::send::{Delivered, Delivery};
use crate::save_flow::SaveStep;
use crate::screen::{Level, Notice, Progress, Screen, TokenMark};
use crate::{Next, Step};

use super::{RenewStep, Target};

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "stage", rename_all = "snake_case")]
pub enum Stage {
    /// Waiting for the old carrier and its PIN.
    Pin {
        entry: PinEntry,
    },
    /// The request is being protected by the old key.
    Signing,
    Delivering {
        delivery: Delivery,
    },
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SwapBackStep {
    pub target: Target,
    /// The new key, on the new token.
    pub key: KeyRef,
    pub transaction: TransactionId,
    pub stage: Stage,
}

impl SwapBackStep {
    pub fn new(target: Target, key: KeyRef, transaction: TransactionId) -> SwapBackStep {
        let entry = PinEntry::new(target.renewal.old_key.serial.clone());
        SwapBackStep {
            target,
            key,
            transaction,
            stage: Stage::Pin { entry },
        }
    }

    fn record(&self, facts: &Facts) -> PendingRecord {
        let cert = &self.target.renewal.certificate;
        let subject = match (&cert.owner, &cert.organization) {
            (Some(o), Some(org)) => format!("{o}, {org}"),
            (Some(o), None) => o.clone(),
            _ => cert.subject.clone(),
        };
        PendingRecord {
            agent_id: self.target.renewal.agent_id,
            transaction: self.transaction.clone(),
            kind: RequestKind::Renewal {
                old_key: self.target.renewal.old_key.clone(),
                old_certificate_serial: cert.serial.clone(),
            },
            key: self.key.clone(),
            key_type: self.target.key_type,
            subject,
            created: facts.today,
            kept: None,
        }
    }

    fn again(mut self, notice: PinNotice) -> Next {
        self.stage = Stage::Pin {
            entry: PinEntry::again(self.target.renewal.old_key.serial.clone(), notice),
        };
        (Step::Renew(RenewStep::SwapBack(self)), Vec::new())
    }

    pub fn is_busy(&self) -> bool {
        match &self.stage {
            Stage::Pin { entry } => entry.is_busy(),
            Stage::Signing => true,
            Stage::Delivering { delivery } => delivery.is_busy(),
        }
    }

    pub fn handle(mut self, input: Input, facts: &mut Facts) -> Next {
        let old_serial = self.target.renewal.old_key.serial.clone();
        match std::mem::replace(&mut self.stage, Stage::Signing) {
            Stage::Pin { mut entry } => match entry.handle(input, facts) {
                PinStep::Stay(effects) => {
                    self.stage = Stage::Pin { entry };
                    (Step::Renew(RenewStep::SwapBack(self)), effects)
                }
                PinStep::Locked(role) => {
                    Step::end(StepCode::R2_8, FlowKind::Renew, Ending::PinLocked { role })
                }
                PinStep::Done => {
                    let effect = Effect::SignRequest {
                        old_key: self.target.renewal.old_key.clone(),
                        old_certificate: self.target.renewal.certificate.der.clone(),
                        transaction: self.transaction.clone(),
                    };
                    (Step::Renew(RenewStep::SwapBack(self)), vec![effect])
                }
            },
            Stage::Signing => match input {
                Input::Done(Outcome::RequestSigned { transaction })
                    if transaction == self.transaction =>
                {
                    let (delivery, effect) = Delivery::start(self.record(facts));
                    self.stage = Stage::Delivering { delivery };
                    (Step::Renew(RenewStep::SwapBack(self)), vec![effect])
                }
                Input::Done(Outcome::Failed(f)) if f.during == Operation::SignRequest => {
                    self.again(failure_notice(f.kind))
                }
                Input::Token(Presence::Removed { serial }) if serial == old_serial => {
                    self.again(PinNotice::Removed)
                }
                _ => (Step::Renew(RenewStep::SwapBack(self)), Vec::new()),
            },
            Stage::Delivering { mut delivery } => match delivery.handle(input, facts) {
                Delivered::Stay(effects) => {
                    self.stage = Stage::Delivering { delivery };
                    (Step::Renew(RenewStep::SwapBack(self)), effects)
                }
                Delivered::Rejected(reasons, cleared) => {
                    let (step, mut effects) = Step::end(
                        StepCode::R2_8,
                        FlowKind::Renew,
                        Ending::Rejected { reasons },
                    );
                    effects.splice(0..0, cleared);
                    (step, effects)
                }
                Delivered::Done(Some(issued)) => {
                    let pickup = PickupRef {
                        agent_id: self.target.renewal.agent_id,
                        transaction: self.transaction,
                    };
                    SaveStep::issued(pickup, Some(delivery.record), *issued)
                }
                Delivered::Done(None) => {
                    Step::end(StepCode::R2_9, FlowKind::Renew, Ending::RenewalSent)
                }
            },
        }
    }

    pub fn screen(&self, facts: &Facts) -> Screen {
        let mut screen = facts.screen(StepCode::R2_8, FlowKind::Renew, Msg::SwapBackTitle);
        match &self.stage {
            Stage::Pin { entry } => {
                screen.body.push(Msg::SwapBack);
                let old = &self.target.renewal.old_key.serial;
                let in_reader = entry.show(facts, &mut screen, Msg::FieldOldPinLogin);
                let new_instead =
                    facts.token(old).is_none() && facts.token(&self.target.new_token).is_some();
                if !in_reader && new_instead {
                    screen.notice = Some(Notice::new(
                        Level::Warning,
                        Msg::NewTokenInsteadOfOld {
                            serial: old.clone(),
                        },
                    ));
                }
            }
            Stage::Signing => {
                screen.body.push(Msg::DoNotRemoveToken);
                screen.tokens = facts.token_lines(|_| TokenMark::Chosen);
                screen.progress = Some(Progress::Working {
                    label: Msg::SigningRequest,
                });
            }
            Stage::Delivering { delivery } => delivery.show(&mut screen),
        }
        screen
    }
}
