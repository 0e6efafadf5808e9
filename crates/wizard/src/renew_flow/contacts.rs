//! R2.4: check the phone and the e-mail (the link to save the new certificate goes
//! there), "Update"; then "remove the current (old) key, insert the new Rutoken ECP 2.0
//! and press OK". The new token is recognised as a Rutoken ECP 2.0 with another serial:
//! the old one put back, or a token of another model, is refused in so many words.

use serde::{Deserialize, Serialize};

use crate::codes::FlowKind;
use crate::codes::StepCode;
use crate::facts::Facts;
use crate::field::FieldId;
use crate::input::{Answer, Input};
use crate::model::{Contacts, KeyType};
use crate::msg::Msg;
use crate::parts::checks;
use crate::parts::gate::{self, Expect, Gate};
use crate::screen::{Action, ActionKind, Screen, Widget};
use crate::{Next, Step};

use super::{RenewStep, Renewal, Target, pins};

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ContactsStep {
    pub renewal: Renewal,
    pub contacts: Contacts,
    pub submitted: bool,
    /// The contacts are confirmed; waiting for the new token.
    pub swapping: bool,
}

impl ContactsStep {
    pub fn new(renewal: Renewal) -> ContactsStep {
        let contacts = Contacts {
            phone: renewal.certificate.phone.clone().unwrap_or_default(),
            email: renewal.certificate.email.clone().unwrap_or_default(),
        };
        ContactsStep {
            renewal,
            contacts,
            submitted: false,
            swapping: false,
        }
    }

    fn expect(&self) -> Expect {
        Expect::NewEcp2 {
            old: self.renewal.old_key.serial.clone(),
        }
    }

    fn stay(self) -> Next {
        (Step::Renew(RenewStep::Contacts(self)), Vec::new())
    }

    pub fn handle(mut self, input: Input, facts: &mut Facts) -> Next {
        let Input::Person(answer) = input else {
            return self.stay();
        };
        if self.swapping {
            return match answer {
                Answer::Next => match self.expect().check(facts, true) {
                    Gate::Ready(new_token) => {
                        let key_type = facts
                            .bank
                            .as_ref()
                            .map_or(KeyType::Gost2012_256, |b| b.renewal_key());
                        let target = Target {
                            renewal: self.renewal,
                            contacts: self.contacts,
                            new_token,
                            key_type,
                        };
                        pins::first(target, facts)
                    }
                    _ => self.stay(),
                },
                Answer::Back => {
                    self.swapping = false;
                    self.stay()
                }
                _ => self.stay(),
            };
        }
        match answer {
            Answer::Edit {
                field: FieldId::Phone,
                value,
            } => {
                self.contacts.phone = value.chars().take(64).collect();
                self.stay()
            }
            Answer::Edit {
                field: FieldId::Email,
                value,
            } => {
                self.contacts.email = value.chars().take(254).collect();
                self.stay()
            }
            Answer::Next => {
                self.submitted = true;
                if checks::phone(&self.contacts.phone).is_none()
                    && checks::email(&self.contacts.email).is_none()
                {
                    self.contacts.phone = self.contacts.phone.trim().to_string();
                    self.contacts.email = self.contacts.email.trim().to_string();
                    self.swapping = true;
                }
                self.stay()
            }
            Answer::Back => (
                Step::Renew(RenewStep::certificate_chosen(&self.renewal.old_key)),
                Vec::new(),
            ),
            _ => self.stay(),
        }
    }

    pub fn screen(&self, facts: &Facts) -> Screen {
        if self.swapping {
            let mut screen = facts.screen(StepCode::R2_4, FlowKind::Renew, Msg::SwapToNewTitle);
            screen.body.push(Msg::SwapToNew);
            let expect = self.expect();
            if gate::show(&expect.check(facts, true), &expect, facts, &mut screen) {
                screen.actions.push(Action {
                    kind: ActionKind::Next,
                    label: Msg::ActionOk,
                });
            }
            screen.actions.push(Action {
                kind: ActionKind::Back,
                label: Msg::ActionBack,
            });
            return screen;
        }
        let mut screen = facts.screen(StepCode::R2_4, FlowKind::Renew, Msg::ContactsTitle);
        screen.body.push(Msg::ContactsExplain);
        let error = |field: FieldId, problem: Option<crate::problems::FieldProblem>| {
            problem
                .filter(|_| self.submitted)
                .map(|problem| Msg::FieldProblem { field, problem })
        };
        screen.fields = vec![
            Widget::Text {
                id: FieldId::Phone,
                label: Msg::FieldLabel {
                    field: FieldId::Phone,
                },
                value: self.contacts.phone.clone(),
                required: true,
                read_only: false,
                error: error(FieldId::Phone, checks::phone(&self.contacts.phone)),
                hint: Some(Msg::HintPhone),
                suggestions: Vec::new(),
            },
            Widget::Text {
                id: FieldId::Email,
                label: Msg::FieldLabel {
                    field: FieldId::Email,
                },
                value: self.contacts.email.clone(),
                required: true,
                read_only: false,
                error: error(FieldId::Email, checks::email(&self.contacts.email)),
                hint: Some(Msg::HintEmail),
                suggestions: Vec::new(),
            },
        ];
        screen.actions.push(Action {
            kind: ActionKind::Next,
            label: Msg::ActionUpdate,
        });
        screen.actions.push(Action {
            kind: ActionKind::Back,
            label: Msg::ActionBack,
        });
        screen
    }
}
