//! R2.10 to R2.12: a renewal. The acceptance act is shown and signed with the OLD key
//! (the current carrier, whose certificate the bank knows), then the new certificate is
//! saved onto the new Rutoken ECP 2.0 that holds its key (R2.11), then checked and its
//! validity shown (R2.12, [`super::act`]).

use serde::{Deserialize, Serialize};

use crate::codes::FlowKind;
use crate::codes::StepCode;
use crate::document;
use crate::effect::Effect;
use crate::ended::Ending;
use crate::facts::Facts;
use crate::input::{Answer, Input, Operation, Outcome, Presence};
use crate::model::{Der, KeyRef, RequestKind};
use crate::msg::Msg;
use crate::parts::gate::{self, Expect, Gate, predecessor};
use crate::parts::key::failure_notice;
use crate::parts::pins::{PinEntry, PinNotice, PinStep};
use crate::screen::{Action, ActionKind, Level, Notice, Progress, Screen, TokenMark};
use crate::{Next, Step};

use super::act::ActStep;
use super::store::{Store, Stored};
use super::{Issue, SaveStep, end, final_refusal};

/// Into the renewal's steps: the act first, unless the bank wants none or has it.
pub fn enter(issue: Issue) -> Next {
    if issue.act_done() {
        SaveRenewedStep::enter(issue)
    } else {
        let step = SignActStep {
            issue,
            stage: Stage::Insert { missing: false },
        };
        (Step::Save(SaveStep::OldAct(step)), Vec::new())
    }
}

/// The key that signs the act, with its certificate.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Signer {
    pub key: KeyRef,
    pub certificate: Der,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "stage", rename_all = "snake_case")]
pub enum Stage {
    /// Waiting for the old carrier and "Sign the act"; `missing` when the recorded old
    /// key is no longer on it.
    Insert {
        missing: bool,
    },
    Pin {
        entry: PinEntry,
        signer: Signer,
    },
    Signing {
        signer: Signer,
    },
}

/// R2.10
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SignActStep {
    pub issue: Issue,
    pub stage: Stage,
}

impl SignActStep {
    /// The old carrier: the one recorded, or any holding the owner's earlier certificate.
    fn expect(&self) -> Expect {
        match self.issue.pickup.record.as_ref().map(|r| &r.kind) {
            Some(RequestKind::Renewal { old_key, .. }) => Expect::Serial(old_key.serial.clone()),
            _ => Expect::Predecessor {
                subject: self.issue.issued.certificate.subject.clone(),
                issued_serial: self.issue.issued.certificate.serial.clone(),
            },
        }
    }

    /// The old key and its certificate on the inserted carrier `serial`.
    fn signer(&self, facts: &Facts, serial: &str) -> Option<Signer> {
        let token = facts.token(serial)?;
        let key = match self.issue.pickup.record.as_ref().map(|r| &r.kind) {
            Some(RequestKind::Renewal { old_key, .. }) => token.key(&old_key.key_id)?,
            _ => {
                let c = &self.issue.issued.certificate;
                predecessor(token, &c.subject, &c.serial)?
            }
        };
        Some(Signer {
            key: KeyRef {
                serial: serial.to_string(),
                key_id: key.id.clone(),
            },
            certificate: key.certificate.as_ref()?.der.clone(),
        })
    }

    pub fn is_busy(&self) -> bool {
        match &self.stage {
            Stage::Insert { .. } => false,
            Stage::Pin { entry, .. } => entry.is_busy(),
            Stage::Signing { .. } => true,
        }
    }

    fn again(mut self, signer: Signer, notice: PinNotice) -> Next {
        self.stage = Stage::Pin {
            entry: PinEntry::again(signer.key.serial.clone(), notice),
            signer,
        };
        (Step::Save(SaveStep::OldAct(self)), Vec::new())
    }

    pub fn handle(mut self, input: Input, facts: &mut Facts) -> Next {
        match std::mem::replace(&mut self.stage, Stage::Insert { missing: false }) {
            Stage::Insert { missing } => {
                if let Input::Person(Answer::Next) = input
                    && let Gate::Ready(serial) = self.expect().check(facts, true)
                {
                    self.stage = match self.signer(facts, &serial) {
                        Some(signer) => Stage::Pin {
                            entry: PinEntry::new(serial),
                            signer,
                        },
                        None => Stage::Insert { missing: true },
                    };
                } else {
                    self.stage = Stage::Insert { missing };
                }
                (Step::Save(SaveStep::OldAct(self)), Vec::new())
            }
            Stage::Pin { mut entry, signer } => match entry.handle(input, facts) {
                PinStep::Stay(effects) => {
                    self.stage = Stage::Pin { entry, signer };
                    (Step::Save(SaveStep::OldAct(self)), effects)
                }
                PinStep::Locked(role) => end(StepCode::R2_10, Ending::PinLocked { role }),
                PinStep::Done => {
                    let effect = Effect::SignAct {
                        signer: signer.key.clone(),
                        signer_certificate: signer.certificate.clone(),
                        certificate: self.issue.issued.certificate.der.clone(),
                        pickup: self.issue.pickup.pickup.clone(),
                    };
                    self.stage = Stage::Signing { signer };
                    (Step::Save(SaveStep::OldAct(self)), vec![effect])
                }
            },
            Stage::Signing { signer } => match input {
                Input::Done(Outcome::ActSigned) => {
                    let marked = self.issue.act_confirmed();
                    let (step, mut effects) = SaveRenewedStep::enter(self.issue);
                    effects.splice(0..0, marked);
                    (step, effects)
                }
                Input::Done(Outcome::Failed(f)) if f.during == Operation::SignAct => {
                    match final_refusal(&f.kind) {
                        Some(ending) => end(StepCode::R2_10, ending),
                        None => self.again(signer, failure_notice(f.kind)),
                    }
                }
                Input::Token(Presence::Removed { serial }) if serial == signer.key.serial => {
                    self.again(signer, PinNotice::Removed)
                }
                _ => {
                    self.stage = Stage::Signing { signer };
                    (Step::Save(SaveStep::OldAct(self)), Vec::new())
                }
            },
        }
    }

    pub fn screen(&self, facts: &Facts) -> Screen {
        let mut screen = facts.screen(StepCode::R2_10, FlowKind::Save, Msg::SignActTitle);
        screen.body.push(Msg::SignActExplain);
        let bank = facts.bank_info(self.issue.pickup.pickup.agent_id);
        screen.document = Some(document::act(
            &bank,
            &self.issue.issued.certificate,
            facts.today,
        ));
        match &self.stage {
            Stage::Insert { missing } => {
                let expect = self.expect();
                if gate::show(&expect.check(facts, true), &expect, facts, &mut screen) {
                    screen.actions.push(Action {
                        kind: ActionKind::Next,
                        label: Msg::ActionSignAct,
                    });
                }
                if *missing {
                    screen.notice = Some(Notice::new(Level::Warning, Msg::OldKeyMissing));
                }
            }
            Stage::Pin { entry, .. } => {
                entry.show(facts, &mut screen, Msg::FieldOldPinLogin);
            }
            Stage::Signing { .. } => {
                screen.tokens = facts.token_lines(|_| TokenMark::Chosen);
                screen.progress = Some(Progress::Working {
                    label: Msg::SigningAct,
                });
            }
        }
        screen
    }
}

/// R2.11
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SaveRenewedStep {
    pub issue: Issue,
    pub store: Store,
}

impl SaveRenewedStep {
    pub fn enter(issue: Issue) -> Next {
        let step = SaveRenewedStep {
            issue,
            store: Store::new(false),
        };
        (Step::Save(SaveStep::RenewSave(step)), Vec::new())
    }

    pub fn is_busy(&self) -> bool {
        self.store.is_busy()
    }

    pub fn handle(mut self, input: Input, facts: &mut Facts) -> Next {
        match self.store.handle(input, &mut self.issue, facts) {
            Stored::Stay(effects) => (Step::Save(SaveStep::RenewSave(self)), effects),
            Stored::Done(verified) => ActStep::enter(self.issue, verified, true, facts),
            Stored::End(ending) => end(StepCode::R2_11, ending),
            Stored::Locked(role) => end(StepCode::R2_11, Ending::PinLocked { role }),
        }
    }

    pub fn screen(&self, facts: &Facts) -> Screen {
        let mut screen = facts.screen(StepCode::R2_11, FlowKind::Save, Msg::SaveCertificateTitle);
        screen
            .body
            .push(Msg::certificate_summary(&self.issue.issued.certificate));
        screen.body.push(Msg::SaveRenewedExplain);
        self.store.show(&self.issue, facts, &mut screen);
        screen
    }
}
