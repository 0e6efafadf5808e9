//! N2.1: start the request for the bank, "Fill in the application".
//!
//! When a first-certificate request of this bank already waits (a local record), the
//! step opens with it: Enter continues it, and only a deliberate confirmation applies
//! a second time.

use serde::{Deserialize, Serialize};

use crate::codes::FlowKind;
use crate::codes::StepCode;
use crate::facts::Facts;
use crate::input::Input;
use crate::msg::Msg;
use crate::parts::bank::BankChoice;
use crate::parts::pending::{self, Offer};
use crate::screen::Screen;
use crate::{Next, Step};

use super::NewStep;

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "phase", rename_all = "snake_case")]
pub enum BankStep {
    /// Which bank.
    Choose { choice: BankChoice },
    /// A request of this bank already waits: continue it, or apply anew.
    Pending,
}

fn stay(s: BankStep) -> Next {
    (Step::New(NewStep::Bank(s)), Vec::new())
}

fn to_token() -> Next {
    (Step::New(NewStep::token()), Vec::new())
}

impl BankStep {
    pub fn start() -> BankStep {
        BankStep::Choose { choice: BankChoice }
    }

    /// The first screen of the flow: the waiting request when the bank is known and
    /// has one, else the bank.
    pub fn opening(facts: &Facts) -> BankStep {
        if facts.bank.is_some() && !pending::waiting(facts, false).is_empty() {
            BankStep::Pending
        } else {
            BankStep::start()
        }
    }

    pub fn handle(self, input: Input, facts: &mut Facts) -> Next {
        let Input::Person(answer) = input else {
            return stay(self);
        };
        match self {
            BankStep::Choose { mut choice } => {
                if !choice.handle(&answer, facts) {
                    stay(BankStep::Choose { choice })
                } else if pending::waiting(facts, false).is_empty() {
                    to_token()
                } else {
                    stay(BankStep::Pending)
                }
            }
            BankStep::Pending => match pending::answer(facts, false, &answer) {
                Offer::Continue(next) => *next,
                Offer::Anew => to_token(),
                Offer::Back => stay(BankStep::Choose { choice: BankChoice }),
                Offer::Stay => stay(BankStep::Pending),
            },
        }
    }

    pub fn screen(&self, facts: &Facts) -> Screen {
        let mut screen = facts.screen(StepCode::N2_1, FlowKind::New, Msg::NewTitle);
        screen.body.push(Msg::NewIntro);
        screen.body.extend(facts.warnings.iter().cloned());
        match self {
            BankStep::Choose { choice } => {
                choice.show(facts, &mut screen, Msg::ActionFillApplication)
            }
            BankStep::Pending => pending::show(facts, false, &mut screen),
        }
        screen
    }
}
