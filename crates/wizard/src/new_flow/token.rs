//! N2.2: insert the smart key received at the bank, and only it. With several inserted
//! the wizard refuses to go on until one is left, or until the person picks one and
//! confirms its serial: with several banks or several certificates on one computer, the
//! wrong carrier is an easy mistake.

use serde::{Deserialize, Serialize};

use crate::codes::FlowKind;
use crate::codes::StepCode;
use crate::facts::Facts;
use crate::input::{Answer, Input};
use crate::msg::Msg;
use crate::parts::pick::Pick;
use crate::screen::{Action, ActionKind, Level, Notice, Screen};
use crate::{Next, Step};

use super::NewStep;
use super::form::FormStep;

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct TokenStep {
    pub pick: Pick,
    /// The token settled on has a locked PIN: it cannot be used.
    pub locked: Option<String>,
    /// The form as filled in before Back was pressed on it: kept, not lost.
    pub draft: Option<Box<FormStep>>,
}

impl TokenStep {
    pub fn handle(mut self, input: Input, facts: &mut Facts) -> Next {
        self.pick.forget_removed(facts);
        if self
            .locked
            .as_deref()
            .is_some_and(|s| facts.token(s).is_none())
        {
            self.locked = None;
        }
        let Input::Person(answer) = input else {
            return (Step::New(NewStep::Token(self)), Vec::new());
        };
        if let Answer::Back = answer {
            return (Step::New(NewStep::bank()), Vec::new());
        }
        match self.pick.handle(&answer, facts) {
            Some(serial) if facts.token(&serial).is_some_and(|t| t.user_pin.is_locked()) => {
                self.locked = Some(serial);
                (Step::New(NewStep::Token(self)), Vec::new())
            }
            Some(serial) => match &facts.bank {
                Some(bank) => {
                    let form = match self.draft.take() {
                        Some(draft) => FormStep {
                            token: serial,
                            review: false,
                            ..*draft
                        },
                        None => {
                            match facts.draft.as_ref().filter(|d| d.agent_id == bank.agent_id) {
                                Some(kept) => FormStep::restored(serial, kept),
                                None => FormStep::new(serial, bank.agent_id, bank.preferred_key()),
                            }
                        }
                    };
                    (Step::New(NewStep::Form(form)), Vec::new())
                }
                // N2.1 sets the bank before this step; without one, back to it.
                None => (Step::New(NewStep::bank()), Vec::new()),
            },
            None => (Step::New(NewStep::Token(self)), Vec::new()),
        }
    }

    pub fn screen(&self, facts: &Facts) -> Screen {
        let mut screen = facts.screen(StepCode::N2_2, FlowKind::New, Msg::InsertTokenTitle);
        screen.body.push(Msg::InsertTokenReceived);
        screen.body.push(Msg::OnlyOneToken);
        screen.body.push(Msg::RightCarrierWarning);
        self.pick.show(facts, &mut screen);
        if let Some(serial) = &self.locked {
            screen.notice = Some(Notice::new(
                Level::Error,
                Msg::TokenPinLocked {
                    serial: serial.clone(),
                },
            ));
            screen.body.push(Msg::CallSupport {
                contact: facts.support_contact(),
            });
        }
        screen.actions.push(Action {
            kind: ActionKind::Back,
            label: Msg::ActionBack,
        });
        screen
    }
}
