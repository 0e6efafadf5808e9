//! R2.7: "Enter the PIN": the GOST R 34.10-2012 key pair is generated on the new token
//! and the request formed and signed by the new key (its proof of possession). It is
//! protected by the old key only after the swap back (R2.8).

use serde::{Deserialize, Serialize};

use crate::codes::FlowKind;
use crate::codes::StepCode;
use crate::effect::{Effect, RequestPlan};
use crate::ended::Ending;
use crate::facts::Facts;
use crate::input::{Input, Operation, Outcome, Presence};
use crate::model::KeyRef;
use crate::msg::Msg;
use crate::parts::key::key_label;
use crate::parts::key::{KeyStep as KeyProgress, KeyWork, failure_notice};
use crate::parts::pins::PinNotice;
use crate::screen::{Progress, Screen, TokenMark};
use crate::{Next, Step};

use super::swap_back::SwapBackStep;
use super::{RenewStep, Target};

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "stage", rename_all = "snake_case")]
pub enum Stage {
    Key {
        work: KeyWork,
    },
    /// The renewal request is built and signed by the new key.
    Building {
        key: KeyRef,
    },
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct KeyStep {
    pub target: Target,
    pub stage: Stage,
}

impl KeyStep {
    pub fn new(target: Target, facts: &Facts) -> KeyStep {
        let work = KeyWork::new(
            target.new_token.clone(),
            target.key_type,
            key_label(target.renewal.agent_id, facts),
        );
        KeyStep {
            target,
            stage: Stage::Key { work },
        }
    }

    fn with(target: Target, stage: Stage) -> Step {
        Step::Renew(RenewStep::Key(KeyStep { target, stage }))
    }

    fn resume(target: Target, key: KeyRef, notice: PinNotice, facts: &Facts) -> Next {
        let work = KeyWork::resume(
            key.serial,
            target.key_type,
            key_label(target.renewal.agent_id, facts),
            key.key_id,
            notice,
        );
        (Self::with(target, Stage::Key { work }), Vec::new())
    }

    pub fn is_busy(&self) -> bool {
        match &self.stage {
            Stage::Key { work } => work.is_busy(),
            Stage::Building { .. } => true,
        }
    }

    pub fn handle(self, input: Input, facts: &mut Facts) -> Next {
        let KeyStep { target, stage } = self;
        match stage {
            Stage::Key { mut work } => match work.handle(input, facts) {
                KeyProgress::Stay(effects) => (Self::with(target, Stage::Key { work }), effects),
                KeyProgress::Locked(role) => {
                    Step::end(StepCode::R2_7, FlowKind::Renew, Ending::PinLocked { role })
                }
                KeyProgress::Ready(key) => {
                    let effect = Effect::BuildRequest(RequestPlan::Renewal {
                        agent_id: target.renewal.agent_id,
                        key: key.clone(),
                        key_type: target.key_type,
                        old_certificate: target.renewal.certificate.der.clone(),
                        contacts: target.contacts.clone(),
                    });
                    (Self::with(target, Stage::Building { key }), vec![effect])
                }
            },
            Stage::Building { key } => match input {
                Input::Done(Outcome::RequestBuilt { transaction }) => (
                    Step::Renew(RenewStep::SwapBack(SwapBackStep::new(
                        target,
                        key,
                        transaction,
                    ))),
                    Vec::new(),
                ),
                Input::Done(Outcome::Failed(f)) if f.during == Operation::BuildRequest => {
                    Self::resume(target, key, failure_notice(f.kind), facts)
                }
                Input::Token(Presence::Removed { serial }) if serial == key.serial => {
                    Self::resume(target, key, PinNotice::Removed, facts)
                }
                _ => (Self::with(target, Stage::Building { key }), Vec::new()),
            },
        }
    }

    pub fn screen(&self, facts: &Facts) -> Screen {
        let mut screen = facts.screen(StepCode::R2_7, FlowKind::Renew, Msg::RenewPinTitle);
        match &self.stage {
            Stage::Key { work } => {
                screen.body.push(Msg::RenewKeyExplain);
                screen.body.push(Msg::KeepPinsSafe);
                work.show(facts, &mut screen, Msg::FieldNewPinLogin);
            }
            Stage::Building { .. } => {
                screen.body.push(Msg::DoNotRemoveToken);
                screen.tokens = facts.token_lines(|_| TokenMark::Chosen);
                screen.progress = Some(Progress::Working {
                    label: Msg::BuildingRequest,
                });
            }
        }
        screen
    }
}
