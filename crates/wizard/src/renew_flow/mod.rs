//! The renewal onto a Rutoken ECP 2.0, R2.1 to R2.8 (PROCEDURE.md): the current
//! certificate's owner gets a GOST R 34.10-2012 certificate on a new token, with two
//! token swaps, ending with the request waiting at the bank. One module per step group:
//! - [`old_token`]: R2.1, the bank and the current (old) key carrier;
//! - [`current`]: R2.2 and R2.3, its PIN and its certificate;
//! - [`contacts`]: R2.4, phone and e-mail, then the swap to the new Rutoken ECP 2.0;
//! - [`pins`]: R2.5 and R2.6, the new token's default PINs changed;
//! - [`key`]: R2.7, the new PIN and the GOST key pair;
//! - [`swap_back`]: R2.8, back to the old carrier, its PIN, the request signed and sent.

pub mod contacts;
pub mod current;
pub mod key;
pub mod old_token;
pub mod pins;
pub mod swap_back;

use serde::{Deserialize, Serialize};

use super::codes::StepCode;
use super::facts::{Cx, Facts};
use super::input::Input;
use super::model::{CertificateView, Contacts, KeyRef, KeyType};
use super::screen::Screen;
use crate::Next;

/// What is being renewed (settled at R2.3).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Renewal {
    pub agent_id: u32,
    /// The current key, on the old carrier.
    pub old_key: KeyRef,
    /// Its certificate.
    pub certificate: CertificateView,
}

/// The renewal with its contacts and its new token (from R2.4 on).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Target {
    pub renewal: Renewal,
    pub contacts: Contacts,
    /// The new Rutoken ECP 2.0.
    pub new_token: String,
    pub key_type: KeyType,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "step", rename_all = "snake_case")]
pub enum RenewStep {
    /// R2.1
    OldToken(old_token::OldTokenStep),
    /// R2.2
    OldPin(current::OldPinStep),
    /// R2.3
    Certificate(current::CertificateStep),
    /// R2.4
    Contacts(contacts::ContactsStep),
    /// R2.5
    UserPin(pins::PinsStep),
    /// R2.6
    AdminPin(pins::PinsStep),
    /// R2.7
    Key(key::KeyStep),
    /// R2.8
    SwapBack(swap_back::SwapBackStep),
}

impl RenewStep {
    pub fn start(facts: &Facts) -> RenewStep {
        RenewStep::OldToken(old_token::OldTokenStep::start(facts))
    }

    /// R2.3 with the old key chosen: where R2.4's "Back" leads. The flow's order of steps
    /// lives here, so that steps that lead to each other need not know each other.
    fn certificate_chosen(old_key: &KeyRef) -> RenewStep {
        RenewStep::Certificate(current::CertificateStep {
            serial: old_key.serial.clone(),
            selected: Some(old_key.key_id.clone()),
        })
    }

    /// R2.4 for the renewal chosen at R2.3.
    fn contacts(renewal: Renewal) -> RenewStep {
        RenewStep::Contacts(contacts::ContactsStep::new(renewal))
    }

    pub fn code(&self) -> StepCode {
        match self {
            RenewStep::OldToken(_) => StepCode::R2_1,
            RenewStep::OldPin(_) => StepCode::R2_2,
            RenewStep::Certificate(_) => StepCode::R2_3,
            RenewStep::Contacts(_) => StepCode::R2_4,
            RenewStep::UserPin(_) => StepCode::R2_5,
            RenewStep::AdminPin(_) => StepCode::R2_6,
            RenewStep::Key(_) => StepCode::R2_7,
            RenewStep::SwapBack(_) => StepCode::R2_8,
        }
    }

    pub fn is_busy(&self) -> bool {
        match self {
            RenewStep::OldPin(s) => s.is_busy(),
            RenewStep::UserPin(s) | RenewStep::AdminPin(s) => s.is_busy(),
            RenewStep::Key(s) => s.is_busy(),
            RenewStep::SwapBack(s) => s.is_busy(),
            RenewStep::OldToken(_) | RenewStep::Certificate(_) | RenewStep::Contacts(_) => false,
        }
    }

    pub fn handle(self, input: Input, cx: &mut Cx<'_>) -> Next {
        let facts = &mut *cx.facts;
        match self {
            RenewStep::OldToken(s) => s.handle(input, facts),
            RenewStep::OldPin(s) => s.handle(input, facts),
            RenewStep::Certificate(s) => s.handle(input, facts),
            RenewStep::Contacts(s) => s.handle(input, facts),
            RenewStep::UserPin(s) => s.handle(input, facts, StepCode::R2_5),
            RenewStep::AdminPin(s) => s.handle(input, facts, StepCode::R2_6),
            RenewStep::Key(s) => s.handle(input, facts),
            RenewStep::SwapBack(s) => s.handle(input, facts),
        }
    }

    pub fn screen(&self, facts: &Facts) -> Screen {
        match self {
            RenewStep::OldToken(s) => s.screen(facts),
            RenewStep::OldPin(s) => s.screen(facts),
            RenewStep::Certificate(s) => s.screen(facts),
            RenewStep::Contacts(s) => s.screen(facts),
            RenewStep::UserPin(s) => s.screen(facts, StepCode::R2_5),
            RenewStep::AdminPin(s) => s.screen(facts, StepCode::R2_6),
            RenewStep::Key(s) => s.screen(facts),
            RenewStep::SwapBack(s) => s.screen(facts),
        }
    }
}
