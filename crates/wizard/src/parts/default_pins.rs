//! "The PIN is potentially unsafe": a token's default PIN, then its default admin PIN,
//! changed before a key is made on it (N2.4-N2.5 for a new client, R2.5-R2.6 for the
//! new token of a renewal). Only while the token says a PIN is still the default: a
//! token whose PINs were changed (by an earlier, interrupted run, or by the bank) goes
//! straight on to the key.

use serde::{Deserialize, Serialize};

use crate::codes::FlowKind;
use crate::codes::StepCode;
use crate::ended::Ending;
use crate::facts::Facts;
use crate::input::Input;
use crate::msg::Msg;
use crate::pin::PinRole;
use crate::screen::Screen;
use crate::{Next, Step};

use super::pins::{PinChange, PinStep};

/// What a flow tells the PIN changes: whose token, and which of its steps come.
pub trait PinsOwner: Sized {
    const FLOW: FlowKind;
    /// The serial of the token whose PINs are changed.
    fn token(&self) -> &str;
    /// The flow's step showing `step` (its user or its admin PIN change).
    fn changing(step: DefaultPins<Self>) -> Step;
    /// The step after both PINs: the key.
    fn key_step(self, facts: &Facts) -> Step;
}

/// One PIN change of the token, and what the flow knows so far.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DefaultPins<O> {
    pub owner: O,
    pub change: PinChange,
}

/// Whether the token (as last seen) needs this PIN changed. A token never seen is
/// assumed to: the step then waits for it and goes on by itself if it does not.
fn needs(facts: &Facts, serial: &str, role: PinRole) -> bool {
    facts
        .token(serial)
        .or_else(|| facts.seen_token(serial))
        .is_none_or(|t| t.pin(role).must_change())
}

/// The user PIN change, the admin PIN change or the key, whichever comes first.
pub fn first<O: PinsOwner>(owner: O, facts: &Facts) -> Next {
    from(owner, PinRole::User, facts)
}

/// The change of `role` or of a later one, or the key.
fn from<O: PinsOwner>(owner: O, role: PinRole, facts: &Facts) -> Next {
    let roles: &[PinRole] = match role {
        PinRole::User => &[PinRole::User, PinRole::Admin],
        PinRole::Admin => &[PinRole::Admin],
    };
    for &role in roles {
        if needs(facts, owner.token(), role) {
            let change = PinChange::new(owner.token().to_string(), role);
            return (O::changing(DefaultPins { owner, change }), Vec::new());
        }
    }
    (owner.key_step(facts), Vec::new())
}

impl<O: PinsOwner> DefaultPins<O> {
    pub fn is_busy(&self) -> bool {
        self.change.is_busy()
    }

    pub fn handle(mut self, input: Input, facts: &mut Facts, code: StepCode) -> Next {
        match self.change.handle(input, facts) {
            PinStep::Stay(effects) => (O::changing(self), effects),
            PinStep::Done => match self.change.role {
                PinRole::User => from(self.owner, PinRole::Admin, facts),
                PinRole::Admin => (self.owner.key_step(facts), Vec::new()),
            },
            PinStep::Locked(role) => Step::end(code, O::FLOW, Ending::PinLocked { role }),
        }
    }

    pub fn screen(&self, facts: &Facts, code: StepCode) -> Screen {
        let mut screen = facts.screen(
            code,
            O::FLOW,
            Msg::PinUnsafeTitle {
                role: self.change.role,
            },
        );
        self.change.show(facts, &mut screen);
        screen
    }
}
