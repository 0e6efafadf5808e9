//! N2.9: a first certificate. "Save certificate", the PIN: the certificate goes onto the
//! token that holds its key, the act is signed with the new key, the certificate is read
//! back and checked; then N2.10, the act to print ([`super::act`]).

use serde::{Deserialize, Serialize};

use crate::codes::FlowKind;
use crate::codes::StepCode;
use crate::ended::Ending;
use crate::facts::Facts;
use crate::input::Input;
use crate::msg::Msg;
use crate::screen::Screen;
use crate::{Next, Step};

pub use super::act::ActStep;
use super::store::{Store, Stored};
use super::{Issue, SaveStep, end};

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SaveNewStep {
    pub issue: Issue,
    pub store: Store,
}

impl SaveNewStep {
    pub fn enter(issue: Issue) -> Next {
        let store = Store::new(!issue.act_done());
        (
            Step::Save(SaveStep::NewSave(SaveNewStep { issue, store })),
            Vec::new(),
        )
    }

    pub fn is_busy(&self) -> bool {
        self.store.is_busy()
    }

    pub fn handle(mut self, input: Input, facts: &mut Facts) -> Next {
        match self.store.handle(input, &mut self.issue, facts) {
            Stored::Stay(effects) => (Step::Save(SaveStep::NewSave(self)), effects),
            Stored::Done(verified) => ActStep::enter(self.issue, verified, false, facts),
            Stored::End(ending) => end(StepCode::N2_9, ending),
            Stored::Locked(role) => end(StepCode::N2_9, Ending::PinLocked { role }),
        }
    }

    pub fn screen(&self, facts: &Facts) -> Screen {
        let mut screen = facts.screen(StepCode::N2_9, FlowKind::Save, Msg::SaveCertificateTitle);
        screen
            .body
            .push(Msg::certificate_summary(&self.issue.issued.certificate));
        screen.body.push(Msg::SaveNewExplain);
        self.store.show(&self.issue, facts, &mut screen);
        screen
    }
}
