//! R2.5 and R2.6: the new token gets its default PINs changed
//! ([`crate::parts::default_pins`]), then R2.7 makes the key.

use crate::codes::FlowKind;
use crate::facts::Facts;
use crate::parts::default_pins::{self, DefaultPins, PinsOwner};
use crate::pin::PinRole;
use crate::{Next, Step};

use super::key::KeyStep;
use super::{RenewStep, Target};

pub type PinsStep = DefaultPins<Target>;

impl PinsOwner for Target {
    const FLOW: FlowKind = FlowKind::Renew;

    fn token(&self) -> &str {
        &self.new_token
    }

    fn changing(step: PinsStep) -> Step {
        Step::Renew(match step.change.role {
            PinRole::User => RenewStep::UserPin(step),
            PinRole::Admin => RenewStep::AdminPin(step),
        })
    }

    fn key_step(self, facts: &Facts) -> Step {
        Step::Renew(RenewStep::Key(KeyStep::new(self, facts)))
    }
}

/// After the swap: R2.5, R2.6 or R2.7, whichever comes first for the new token.
pub fn first(target: Target, facts: &Facts) -> Next {
    default_pins::first(target, facts)
}
