//! N2.6: "Enter the NEW PIN": the key pair is generated on the token, the request signed
//! with it and sent; the bank answers that it waits (for the signed application), and a
//! local record of the request is kept (no secret in it) so that nothing is lost if the
//! computer is switched off before the certificate is saved.
//!
//! The token may be pulled out at any moment: the PIN is then asked again (the login is
//! gone with it), and the key already made is used, never a second one.

use serde::{Deserialize, Serialize};

use crate::codes::FlowKind;
use crate::codes::StepCode;
use crate::effect::{Effect, RequestPlan};
use crate::ended::Ending;
use crate::facts::Facts;
use crate::input::{Input, Operation, Outcome, Presence};
use crate::model::{KeyRef, PendingRecord, RequestKind, TransactionId};
use crate::msg::Msg;
use crate::parts::key::key_label;
use crate::parts::key::{KeyStep as KeyProgress, KeyWork, failure_notice};
use crate::parts::pins::PinNotice;
use crate::parts::send::{Delivered, Delivery};
use crate::screen::{Progress, Screen, TokenMark};
use crate::{Next, Step};

use super::document::DocumentStep;
use super::{NewStep, Order};

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "stage", rename_all = "snake_case")]
pub enum Stage {
    /// The PIN, then the key.
    Key { work: KeyWork },
    /// The request is built and signed on the token.
    Building { key: KeyRef },
    /// Sent to the bank, then recorded.
    Delivering { key: KeyRef, delivery: Delivery },
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct KeyStep {
    pub order: Order,
    pub stage: Stage,
}

fn record(order: &Order, key: &KeyRef, transaction: TransactionId, facts: &Facts) -> PendingRecord {
    let a = &order.applicant;
    let subject = if a.organization.is_empty() {
        a.full_name()
    } else {
        format!("{}, {}", a.full_name(), a.organization)
    };
    PendingRecord {
        agent_id: order.agent_id,
        transaction,
        kind: RequestKind::New,
        key: key.clone(),
        key_type: order.key_type,
        subject,
        created: facts.today,
        kept: None,
    }
}

impl KeyStep {
    pub fn new(order: Order, facts: &Facts) -> KeyStep {
        let work = KeyWork::new(
            order.token.clone(),
            order.key_type,
            key_label(order.agent_id, facts),
        );
        KeyStep {
            order,
            stage: Stage::Key { work },
        }
    }

    fn with(order: Order, stage: Stage) -> Step {
        Step::New(NewStep::Key(KeyStep { order, stage }))
    }

    fn resume(order: Order, key: KeyRef, notice: PinNotice, facts: &Facts) -> Next {
        let work = KeyWork::resume(
            key.serial,
            order.key_type,
            key_label(order.agent_id, facts),
            key.key_id,
            notice,
        );
        (Self::with(order, Stage::Key { work }), Vec::new())
    }

    pub fn is_busy(&self) -> bool {
        match &self.stage {
            Stage::Key { work } => work.is_busy(),
            Stage::Building { .. } => true,
            Stage::Delivering { delivery, .. } => delivery.is_busy(),
        }
    }

    pub fn handle(self, input: Input, facts: &mut Facts) -> Next {
        let KeyStep { order, stage } = self;
        match stage {
            Stage::Key { mut work } => match work.handle(input, facts) {
                KeyProgress::Stay(effects) => (Self::with(order, Stage::Key { work }), effects),
                KeyProgress::Locked(role) => {
                    Step::end(StepCode::N2_6, FlowKind::New, Ending::PinLocked { role })
                }
                KeyProgress::Ready(key) => {
                    let effect = Effect::BuildRequest(RequestPlan::New {
                        agent_id: order.agent_id,
                        key: key.clone(),
                        key_type: order.key_type,
                        applicant: Box::new(order.applicant.clone()),
                    });
                    (Self::with(order, Stage::Building { key }), vec![effect])
                }
            },
            Stage::Building { key } => match input {
                Input::Done(Outcome::RequestBuilt { transaction }) => {
                    let (delivery, effect) =
                        Delivery::start(record(&order, &key, transaction, facts));
                    (
                        Self::with(order, Stage::Delivering { key, delivery }),
                        vec![effect],
                    )
                }
                Input::Done(Outcome::Failed(f)) if f.during == Operation::BuildRequest => {
                    Self::resume(order, key, failure_notice(f.kind), facts)
                }
                Input::Token(Presence::Removed { serial }) if serial == key.serial => {
                    Self::resume(order, key, PinNotice::Removed, facts)
                }
                _ => (Self::with(order, Stage::Building { key }), Vec::new()),
            },
            Stage::Delivering { key, mut delivery } => match delivery.handle(input, facts) {
                Delivered::Stay(effects) => (
                    Self::with(order, Stage::Delivering { key, delivery }),
                    effects,
                ),
                Delivered::Rejected(reasons, cleared) => {
                    let (step, mut effects) =
                        Step::end(StepCode::N2_6, FlowKind::New, Ending::Rejected { reasons });
                    effects.splice(0..0, cleared);
                    (step, effects)
                }
                Delivered::Done(issued) => {
                    // The request is at the bank and recorded: the form is done with.
                    facts.draft = None;
                    let (step, mut effects) =
                        DocumentStep::enter(order, key, delivery.record.transaction, issued, facts);
                    effects.insert(0, Effect::ClearDraft);
                    (step, effects)
                }
            },
        }
    }

    pub fn screen(&self, facts: &Facts) -> Screen {
        let mut screen = facts.screen(StepCode::N2_6, FlowKind::New, Msg::NewPinTitle);
        match &self.stage {
            Stage::Key { work } => {
                screen.body.push(Msg::NewPinExplain);
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
            Stage::Delivering { delivery, .. } => delivery.show(&mut screen),
        }
        screen
    }
}
