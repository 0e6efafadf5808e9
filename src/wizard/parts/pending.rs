//! A request of the chosen bank already waits (N2.1, R2.1): a flow started again after
//! the request was sent offers to continue it, which is to pick its certificate up,
//! rather than to apply twice and pay twice.

use crate::i18n::Msg;
use crate::wizard::facts::Facts;
use crate::wizard::model::{PendingRecord, RequestKind};
use crate::wizard::save_flow::SaveStep;
use crate::wizard::screen::{Action, ActionKind, Level, Notice, Screen};
use crate::wizard::step::Next;

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
    Some(SaveStep::fetch(record.pickup(), Some(record)))
}

/// The offer: the waiting requests to choose from, or Next to start anew.
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
        label: Msg::ActionNewApplicationAnyway,
    });
    screen.actions.push(Action {
        kind: ActionKind::Back,
        label: Msg::ActionBack,
    });
}
