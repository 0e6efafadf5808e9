//! N2.4 and N2.5: "The PIN is potentially unsafe": the default PIN, then the default
//! admin PIN, changed. Only when the token says the PIN is still the default: a token
//! whose PINs were changed (by an earlier, interrupted run, or by the bank) goes
//! straight on to N2.6.

use serde::{Deserialize, Serialize};

use crate::i18n::Msg;
use crate::wizard::codes::StepCode;
use crate::wizard::ended::Ending;
use crate::wizard::facts::Facts;
use crate::wizard::input::Input;
use crate::wizard::model::PinKind;
use crate::wizard::parts::pins::{PinChange, PinStep};
use crate::wizard::screen::{FlowKind, Screen};
use crate::wizard::step::{Next, Step};

use super::key::KeyStep;
use super::{NewStep, Order};

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PinsStep {
    pub order: Order,
    pub change: PinChange,
}

/// Whether the token (as last seen) needs this PIN changed. A token never seen is
/// assumed to: the step then waits for it and goes on by itself if it does not.
fn needs(facts: &Facts, serial: &str, role: PinKind) -> bool {
    facts
        .token(serial)
        .or_else(|| facts.seen_token(serial))
        .is_none_or(|t| t.pin(role).must_change())
}

/// After the form: N2.4, N2.5 or N2.6, whichever comes first for this token.
pub fn first(order: Order, facts: &Facts) -> Next {
    if needs(facts, &order.token, PinKind::User) {
        let change = PinChange::new(order.token.clone(), PinKind::User);
        return (
            Step::New(NewStep::UserPin(PinsStep { order, change })),
            Vec::new(),
        );
    }
    after_user(order, facts)
}

/// After N2.4: N2.5 or N2.6.
fn after_user(order: Order, facts: &Facts) -> Next {
    if needs(facts, &order.token, PinKind::Admin) {
        let change = PinChange::new(order.token.clone(), PinKind::Admin);
        return (
            Step::New(NewStep::AdminPin(PinsStep { order, change })),
            Vec::new(),
        );
    }
    (
        Step::New(NewStep::Key(KeyStep::new(order, facts))),
        Vec::new(),
    )
}

impl PinsStep {
    pub fn is_busy(&self) -> bool {
        self.change.is_busy()
    }

    pub fn handle(mut self, input: Input, facts: &mut Facts, code: StepCode) -> Next {
        match self.change.handle(input, facts) {
            PinStep::Stay(effects) => {
                let step = match code {
                    StepCode::N2_4 => NewStep::UserPin(self),
                    _ => NewStep::AdminPin(self),
                };
                (Step::New(step), effects)
            }
            PinStep::Done => match self.change.role {
                PinKind::User => after_user(self.order, facts),
                PinKind::Admin => (
                    Step::New(NewStep::Key(KeyStep::new(self.order, facts))),
                    Vec::new(),
                ),
            },
            PinStep::Locked(role) => Step::end(code, FlowKind::New, Ending::PinLocked { role }),
        }
    }

    pub fn screen(&self, facts: &Facts, code: StepCode) -> Screen {
        let mut screen = facts.screen(
            code,
            FlowKind::New,
            Msg::PinUnsafeTitle {
                role: self.change.role,
            },
        );
        self.change.show(facts, &mut screen);
        screen
    }
}
