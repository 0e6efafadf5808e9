//! R2.1: insert the current (old) key carrier and open the renewal for the bank. The
//! carrier must hold a certificate: that is what is renewed.

use serde::{Deserialize, Serialize};

use crate::codes::FlowKind;
use crate::codes::StepCode;
use crate::facts::Facts;
use crate::input::Input;
use crate::msg::Msg;
use crate::parts::bank::BankChoice;
use crate::parts::pending::{self, Offer};
use crate::parts::pick::Pick;
use crate::screen::{Level, Notice, Screen};
use crate::{Next, Step};

use super::RenewStep;
use super::current::OldPinStep;

/// Why the token settled on cannot be renewed from.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "why", rename_all = "snake_case")]
pub enum Unusable {
    NoCertificate { serial: String },
    Locked { serial: String },
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "phase", rename_all = "snake_case")]
pub enum OldTokenStep {
    /// Which bank, when not given.
    Bank { choice: BankChoice },
    /// A renewal of this bank already waits: continue it, or start anew.
    Pending,
    /// The old carrier.
    Insert {
        pick: Pick,
        unusable: Option<Unusable>,
    },
}

fn stay(s: OldTokenStep) -> Next {
    (Step::Renew(RenewStep::OldToken(s)), Vec::new())
}

fn insert() -> OldTokenStep {
    OldTokenStep::Insert {
        pick: Pick::default(),
        unusable: None,
    }
}

fn after_bank(facts: &Facts) -> OldTokenStep {
    if pending::waiting(facts, true).is_empty() {
        insert()
    } else {
        OldTokenStep::Pending
    }
}

impl OldTokenStep {
    pub fn start(facts: &Facts) -> OldTokenStep {
        match &facts.bank {
            None => OldTokenStep::Bank { choice: BankChoice },
            Some(_) => after_bank(facts),
        }
    }

    pub fn handle(self, input: Input, facts: &mut Facts) -> Next {
        match self {
            OldTokenStep::Bank { mut choice } => match input {
                Input::Person(answer) if choice.handle(&answer, facts) => stay(after_bank(facts)),
                _ => stay(OldTokenStep::Bank { choice }),
            },
            OldTokenStep::Pending => match input {
                Input::Person(answer) => match pending::answer(facts, true, &answer) {
                    Offer::Continue(next) => *next,
                    Offer::Anew => stay(insert()),
                    Offer::Back => stay(OldTokenStep::Bank { choice: BankChoice }),
                    Offer::Stay => stay(OldTokenStep::Pending),
                },
                _ => stay(OldTokenStep::Pending),
            },
            OldTokenStep::Insert { mut pick, unusable } => {
                pick.forget_removed(facts);
                let unusable = unusable.filter(|u| {
                    let (Unusable::NoCertificate { serial } | Unusable::Locked { serial }) = u;
                    facts.token(serial).is_some()
                });
                let Input::Person(answer) = input else {
                    return stay(OldTokenStep::Insert { pick, unusable });
                };
                let Some(serial) = pick.handle(&answer, facts) else {
                    return stay(OldTokenStep::Insert { pick, unusable });
                };
                let Some(token) = facts.token(&serial) else {
                    return stay(OldTokenStep::Insert { pick, unusable });
                };
                let problem = if token.user_pin.is_locked() {
                    Some(Unusable::Locked {
                        serial: serial.clone(),
                    })
                } else if token.certified_keys().next().is_none() {
                    Some(Unusable::NoCertificate {
                        serial: serial.clone(),
                    })
                } else {
                    None
                };
                match problem {
                    Some(u) => stay(OldTokenStep::Insert {
                        pick,
                        unusable: Some(u),
                    }),
                    None => (
                        Step::Renew(RenewStep::OldPin(OldPinStep::new(serial))),
                        Vec::new(),
                    ),
                }
            }
        }
    }

    pub fn screen(&self, facts: &Facts) -> Screen {
        let mut screen = facts.screen(StepCode::R2_1, FlowKind::Renew, Msg::RenewTitle);
        screen.body.push(Msg::RenewIntro);
        screen.body.extend(facts.warnings.iter().cloned());
        match self {
            OldTokenStep::Bank { choice } => choice.show(facts, &mut screen, Msg::ActionNext),
            OldTokenStep::Pending => pending::show(facts, true, &mut screen),
            OldTokenStep::Insert { pick, unusable } => {
                screen.body.push(Msg::InsertOldToken);
                pick.show(facts, &mut screen);
                match unusable {
                    Some(Unusable::NoCertificate { serial }) => {
                        screen.notice = Some(Notice::new(
                            Level::Warning,
                            Msg::NoCertificateOnToken {
                                serial: serial.clone(),
                            },
                        ));
                    }
                    Some(Unusable::Locked { serial }) => {
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
                    None => {}
                }
            }
        }
        screen
    }
}
