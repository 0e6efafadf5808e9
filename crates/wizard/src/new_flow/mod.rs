//! The new-certificate flow, N2.1 to N2.7 (PROCEDURE.md): a first certificate on a
//! smart key, ending with the request waiting at the bank and the application document
//! saved for printing. One module per step group:
//! - [`bank`]: N2.1, which bank (and a request already waiting there);
//! - [`token`]: N2.2, the one smart key;
//! - [`form`]: N2.3, the application form and its review;
//! - [`pins`]: N2.4 and N2.5, the default PINs changed;
//! - [`key`]: N2.6, the new PIN, the key pair, the request sent and recorded;
//! - [`document`]: N2.7, the application to sign and e-mail.

pub mod bank;
pub mod document;
pub mod form;
pub mod key;
pub mod pins;
pub mod token;

use serde::{Deserialize, Serialize};

use crate::applicant::Applicant;

use super::cities::CityIndex;
use super::codes::StepCode;
use super::facts::{Cx, Facts};
use super::input::Input;
use super::model::KeyType;
use super::screen::Screen;
use crate::Next;

/// The request as settled by the form (N2.3): for which token, which key, whom.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Order {
    /// The bank's agentId.
    pub agent_id: u32,
    pub token: String,
    pub key_type: KeyType,
    /// The checked, tidied form.
    pub applicant: Applicant,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "step", rename_all = "snake_case")]
pub enum NewStep {
    /// N2.1
    Bank(bank::BankStep),
    /// N2.2
    Token(token::TokenStep),
    /// N2.3
    Form(form::FormStep),
    /// N2.4
    UserPin(pins::PinsStep),
    /// N2.5
    AdminPin(pins::PinsStep),
    /// N2.6
    Key(key::KeyStep),
    /// N2.7
    Document(document::DocumentStep),
}

impl NewStep {
    /// N2.1; with the bank known and a request of it waiting, the flow opens with that
    /// request.
    pub fn start(facts: &Facts) -> NewStep {
        NewStep::Bank(bank::BankStep::opening(facts))
    }

    /// N2.1 from its beginning: where N2.2's "Back" leads. The flow's order of steps
    /// lives here, so that steps that lead to each other need not know each other.
    fn bank() -> NewStep {
        NewStep::Bank(bank::BankStep::start())
    }

    /// N2.2, waiting for the token.
    fn token() -> NewStep {
        NewStep::Token(token::TokenStep::default())
    }

    /// N2.2 again from the form, which is kept for when the person comes back to it.
    fn token_keeping(form: form::FormStep) -> NewStep {
        NewStep::Token(token::TokenStep {
            draft: Some(Box::new(form)),
            ..token::TokenStep::default()
        })
    }

    pub fn code(&self) -> StepCode {
        match self {
            NewStep::Bank(_) => StepCode::N2_1,
            NewStep::Token(_) => StepCode::N2_2,
            NewStep::Form(_) => StepCode::N2_3,
            NewStep::UserPin(_) => StepCode::N2_4,
            NewStep::AdminPin(_) => StepCode::N2_5,
            NewStep::Key(_) => StepCode::N2_6,
            NewStep::Document(_) => StepCode::N2_7,
        }
    }

    pub fn is_busy(&self) -> bool {
        match self {
            NewStep::UserPin(s) | NewStep::AdminPin(s) => s.is_busy(),
            NewStep::Key(s) => s.is_busy(),
            NewStep::Document(s) => s.is_busy(),
            NewStep::Bank(_) | NewStep::Token(_) | NewStep::Form(_) => false,
        }
    }

    pub fn handle(self, input: Input, cx: &mut Cx<'_>) -> Next {
        match self {
            NewStep::Bank(s) => s.handle(input, cx.facts),
            NewStep::Token(s) => s.handle(input, cx.facts),
            NewStep::Form(s) => s.handle(input, cx),
            NewStep::UserPin(s) => s.handle(input, cx.facts, StepCode::N2_4),
            NewStep::AdminPin(s) => s.handle(input, cx.facts, StepCode::N2_5),
            NewStep::Key(s) => s.handle(input, cx.facts),
            NewStep::Document(s) => s.handle(input, cx.facts),
        }
    }

    pub fn screen(&self, facts: &Facts, cities: &CityIndex) -> Screen {
        match self {
            NewStep::Bank(s) => s.screen(facts),
            NewStep::Token(s) => s.screen(facts),
            NewStep::Form(s) => s.screen(facts, cities),
            NewStep::UserPin(s) => s.screen(facts, StepCode::N2_4),
            NewStep::AdminPin(s) => s.screen(facts, StepCode::N2_5),
            NewStep::Key(s) => s.screen(facts),
            NewStep::Document(s) => s.screen(facts),
        }
    }
}
