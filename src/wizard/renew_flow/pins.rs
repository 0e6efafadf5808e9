//! R2.5 and R2.6: "The current PIN is potentially unsafe, change it": the new token's
//! default PIN, then its default admin PIN. Only while the token says they are still the
//! defaults.

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
use super::{RenewStep, Target};

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PinsStep {
    pub target: Target,
    pub change: PinChange,
}

fn needs(facts: &Facts, serial: &str, role: PinKind) -> bool {
    facts
        .token(serial)
        .or_else(|| facts.seen_token(serial))
        .is_none_or(|t| t.pin(role).must_change())
}

/// After the swap: R2.5, R2.6 or R2.7, whichever comes first for the new token.
pub fn first(target: Target, facts: &Facts) -> Next {
    if needs(facts, &target.new_token, PinKind::User) {
        let change = PinChange::new(target.new_token.clone(), PinKind::User);
        return (
            Step::Renew(RenewStep::UserPin(PinsStep { target, change })),
            Vec::new(),
        );
    }
    after_user(target, facts)
}

fn after_user(target: Target, facts: &Facts) -> Next {
    if needs(facts, &target.new_token, PinKind::Admin) {
        let change = PinChange::new(target.new_token.clone(), PinKind::Admin);
        return (
            Step::Renew(RenewStep::AdminPin(PinsStep { target, change })),
            Vec::new(),
        );
    }
    (
        Step::Renew(RenewStep::Key(KeyStep::new(target, facts))),
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
                    StepCode::R2_5 => RenewStep::UserPin(self),
                    _ => RenewStep::AdminPin(self),
                };
                (Step::Renew(step), effects)
            }
            PinStep::Done => match self.change.role {
                PinKind::User => after_user(self.target, facts),
                PinKind::Admin => (
                    Step::Renew(RenewStep::Key(KeyStep::new(self.target, facts))),
                    Vec::new(),
                ),
            },
            PinStep::Locked(role) => Step::end(code, FlowKind::Renew, Ending::PinLocked { role }),
        }
    }

    pub fn screen(&self, facts: &Facts, code: StepCode) -> Screen {
        let mut screen = facts.screen(
            code,
            FlowKind::Renew,
            Msg::PinUnsafeTitle {
                role: self.change.role,
            },
        );
        self.change.show(facts, &mut screen);
        screen
    }
}
