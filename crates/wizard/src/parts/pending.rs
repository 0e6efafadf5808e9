//! A request of the chosen bank already waits (N2.1, R2.1): a flow started again after
//! the request was sent opens with it. Going on (Enter) continues it, which is to pick
//! its certificate up; a second application, which means a second key pair, a second
//! request and perhaps a second payment, takes a deliberate answer of its own.

use crate::facts::Facts;
use crate::input::Answer;
use crate::model::{PendingRecord, RequestKind};
use crate::msg::Msg;
use crate::screen::{Action, ActionKind, Level, Notice, Screen};
use crate::{Next, Step};

/// The chosen bank's requests of this kind (first certificate or renewal) that wait.
pub fn waiting(facts: &Facts, renewal: bool) -> Vec<&PendingRecord> {
    let Some(bank) = &facts.bank else {
        return Vec::new();
    };
    facts
        .pending
        .iter()
        .filter(|p| {
            p.agent_id == bank.agent_id && matches!(p.kind, RequestKind::Renewal { .. }) == renewal
        })
        .collect()
}

/// Continue the `index`th waiting request: go and pick it up.
pub fn continue_with(facts: &Facts, renewal: bool, index: usize) -> Option<Next> {
    let record = (*waiting(facts, renewal).get(index)?).clone();
    Some(Step::pickup(record))
}

/// What an answer to the offer means.
pub enum Offer {
    /// Continue a waiting request (the pickup begins).
    Continue(Box<Next>),
    /// The person deliberately asked for a new application.
    Anew,
    Back,
    /// Not an answer to the offer.
    Stay,
}

/// Enter continues the first waiting request, a choice the one chosen; only the explicit
/// confirmation starts anew.
pub fn answer(facts: &Facts, renewal: bool, answer: &Answer) -> Offer {
    let index = match answer {
        Answer::Choose(i) => *i,
        Answer::Next => 0,
        Answer::Confirm => return Offer::Anew,
        Answer::Back => return Offer::Back,
        _ => return Offer::Stay,
    };
    match continue_with(facts, renewal, index) {
        Some(next) => Offer::Continue(Box::new(next)),
        None => Offer::Stay,
    }
}

/// The offer: the waiting requests to choose from (Enter continues the first), or the
/// deliberate confirmation to start anew.
pub fn show(facts: &Facts, renewal: bool, screen: &mut Screen) {
    let records = waiting(facts, renewal);
    screen.notice = Some(Notice::new(
        Level::Info,
        Msg::PendingFound {
            count: u32::try_from(records.len()).unwrap_or(u32::MAX),
        },
    ));
    screen.body.push(Msg::PendingExplain);
    screen.choices = records
        .iter()
        .map(|r| Msg::PendingChoice {
            created: r.created,
            subject: r.subject.clone(),
            serial: r.key.serial.clone(),
        })
        .collect();
    screen.actions.push(Action {
        kind: ActionKind::Next,
        label: Msg::ActionContinueRequest,
    });
    screen.actions.push(Action {
        kind: ActionKind::Confirm,
        label: Msg::ActionNewApplicationAnyway,
    });
    screen.actions.push(Action {
        kind: ActionKind::Back,
        label: Msg::ActionBack,
    });
}
