//! Which flow did the request come from? It decides who signs the acceptance act: the
//! new key for a first certificate (N2.9), the OLD key for a renewal (R2.10), which is
//! how the bank knows the owner accepted it.
//!
//! The decision is made in one place and never guessed: the local record written when
//! the request was sent says which; without a record (another computer, a lost record)
//! the person is asked, and told what the tokens seen suggest (an earlier certificate of
//! the same owner on a token looks like a renewal).

use serde::{Deserialize, Serialize};

use crate::codes::FlowKind;
use crate::codes::StepCode;
use crate::facts::Facts;
use crate::input::{Answer, Input};
use crate::model::{PendingRecord, RequestKind};
use crate::msg::Msg;
use crate::parts::gate::predecessor;
use crate::screen::{Level, Notice, Screen};
use crate::{Next, Step};

use super::{Issue, SaveStep, new_kind, renewal_kind};

/// The flow a request came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum PickupKind {
    New,
    Renewal,
}

/// What the record says, when there is one.
pub fn kind_of(record: Option<&PendingRecord>) -> Option<PickupKind> {
    record.map(|r| match r.kind {
        RequestKind::New => PickupKind::New,
        RequestKind::Renewal { .. } => PickupKind::Renewal,
    })
}

/// The serial of a token seen that holds an earlier certificate of the same owner.
pub fn looks_like_renewal(issue: &Issue, facts: &Facts) -> Option<String> {
    let c = &issue.issued.certificate;
    facts
        .seen
        .iter()
        .find(|t| predecessor(t, &c.subject, &c.serial).is_some())
        .map(|t| t.serial.clone())
}

/// On to the steps of the flow the request came from, or the question.
pub fn route(issue: Issue) -> Next {
    match kind_of(issue.pickup.record.as_ref()) {
        Some(kind) => go(kind, issue),
        None => (
            Step::Save(SaveStep::Identify(IdentifyStep { issue })),
            Vec::new(),
        ),
    }
}

fn go(kind: PickupKind, issue: Issue) -> Next {
    match kind {
        PickupKind::New => new_kind::SaveNewStep::enter(issue),
        PickupKind::Renewal => renewal_kind::enter(issue),
    }
}

/// N2.9 without a record: "is this a first certificate or a renewal?"
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct IdentifyStep {
    pub issue: Issue,
}

/// The answers, in the order of the screen's choices.
const CHOICES: [PickupKind; 2] = [PickupKind::New, PickupKind::Renewal];

impl IdentifyStep {
    pub fn handle(self, input: Input) -> Next {
        match input {
            Input::Person(Answer::Choose(i)) => match CHOICES.get(i) {
                Some(kind) => go(*kind, self.issue),
                None => (Step::Save(SaveStep::Identify(self)), Vec::new()),
            },
            _ => (Step::Save(SaveStep::Identify(self)), Vec::new()),
        }
    }

    pub fn screen(&self, facts: &Facts) -> Screen {
        let mut screen = facts.screen(StepCode::N2_9, FlowKind::Save, Msg::WhichFlowTitle);
        screen
            .body
            .push(Msg::certificate_summary(&self.issue.issued.certificate));
        screen.body.push(Msg::WhichFlowExplain);
        if let Some(serial) = looks_like_renewal(&self.issue, facts) {
            screen.notice = Some(Notice::new(Level::Info, Msg::LooksLikeRenewal { serial }));
        }
        screen.choices = vec![Msg::ThisIsNew, Msg::ThisIsRenewal];
        screen
    }
}
