//! N2.1: start the request for the bank, "Fill in the application".
//!
//! When a first-certificate request of this bank already waits (a local record), the
//! person is offered to continue it rather than to apply twice.

use serde::{Deserialize, Serialize};

use crate::i18n::Msg;
use crate::wizard::codes::StepCode;
use crate::wizard::facts::Facts;
use crate::wizard::input::{Answer, Input};
use crate::wizard::parts::bank::BankChoice;
use crate::wizard::parts::pending;
use crate::wizard::screen::{FlowKind, Screen};
use crate::wizard::step::{Next, Step};

use super::NewStep;
use super::token::TokenStep;

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
    (Step::New(NewStep::Token(TokenStep::default())), Vec::new())
}

impl BankStep {
    pub fn start() -> BankStep {
        BankStep::Choose { choice: BankChoice }
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
            BankStep::Pending => match answer {
                Answer::Choose(i) => pending::continue_with(facts, false, i)
                    .unwrap_or_else(|| stay(BankStep::Pending)),
                Answer::Next => to_token(),
                Answer::Back => stay(BankStep::Choose { choice: BankChoice }),
                _ => stay(BankStep::Pending),
            },
        }
    }

    pub fn screen(&self, facts: &Facts) -> Screen {
        let mut screen = facts.screen(StepCode::N2_1, FlowKind::New, Msg::NewTitle);
        screen.body.push(Msg::NewIntro);
        match self {
            BankStep::Choose { choice } => {
                choice.show(facts, &mut screen, Msg::ActionFillApplication)
            }
            BankStep::Pending => pending::show(facts, false, &mut screen),
        }
        screen
    }
}
