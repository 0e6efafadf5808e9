//! N2.4 and N2.5: the new client's token gets its default PINs changed
//! ([`crate::parts::default_pins`]), then N2.6 makes the key.

use crate::codes::FlowKind;
use crate::facts::Facts;
use crate::parts::default_pins::{self, DefaultPins, PinsOwner};
use crate::pin::PinRole;
use crate::{Next, Step};

use super::key::KeyStep;
use super::{NewStep, Order};

pub type PinsStep = DefaultPins<Order>;

impl PinsOwner for Order {
    const FLOW: FlowKind = FlowKind::New;

    fn token(&self) -> &str {
        &self.token
    }

    fn changing(step: PinsStep) -> Step {
        Step::New(match step.change.role {
            PinRole::User => NewStep::UserPin(step),
            PinRole::Admin => NewStep::AdminPin(step),
        })
    }

    fn key_step(self, facts: &Facts) -> Step {
        Step::New(NewStep::Key(KeyStep::new(self, facts)))
    }
}

/// After the form: N2.4, N2.5 or N2.6, whichever comes first for this token.
pub fn first(order: Order, facts: &Facts) -> Next {
    default_pins::first(order, facts)
}
