//! The last screen of a flow: done (N2.8, R2.9, N2.11, R2.12, R2.13), stopped by the
//! person, or stopped by something that needs the bank or a new start. Each ending says
//! what happened and what to do next; none leaves a person without a next step.

use serde::{Deserialize, Serialize};

use crate::msg::Msg;

use super::codes::StepCode;
use super::facts::Facts;
use super::screen::{Action, ActionKind, Level, Notice, Screen};
use crate::codes::FlowKind;
use crate::pin::PinRole;

/// How a flow ended.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "ending", rename_all = "snake_case")]
pub enum Ending {
    /// A first certificate's request waits at the bank (N2.8).
    RequestSent,
    /// A renewal waits at the bank (R2.9).
    RenewalSent,
    /// A first certificate is saved; the papers go to the bank (N2.11).
    CertificateSaved,
    /// A renewed certificate is saved; the old key goes after the first payment (R2.12).
    RenewalSaved,
    /// The old key is destroyed (R2.13).
    OldKeyDestroyed,
    /// The person stopped; nothing on the token or at the bank is lost.
    Cancelled,
    /// A PIN is locked: only the bank's support can help.
    PinLocked { role: PinRole },
    /// The bank refused the request.
    Rejected { reasons: Vec<String> },
    /// The link is older than 2 days: the bank must send it again.
    LinkExpired,
    /// The certificate was issued more than 3 days ago and never saved: start again.
    RequestExpired,
    /// The bank does not know the request of this link.
    UnknownRequest,
    /// A request recorded on this computer never reached the bank (its sending was
    /// interrupted): the record is dropped and a new application may begin.
    NeverArrived,
    /// The current certificate has expired: it cannot be renewed, only replaced.
    CertificateExpired,
}

impl Ending {
    /// Whether the flow did what it was for.
    pub fn is_success(&self) -> bool {
        matches!(
            self,
            Ending::RequestSent
                | Ending::RenewalSent
                | Ending::CertificateSaved
                | Ending::RenewalSaved
                | Ending::OldKeyDestroyed
        )
    }
}

/// The ended state: where it ended and how.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Ended {
    pub at: StepCode,
    pub flow: FlowKind,
    pub ending: Ending,
}

impl Ended {
    pub fn screen(&self, facts: &Facts) -> Screen {
        let bank = facts.bank.as_ref();
        let ops = bank.and_then(|b| b.operations_email.clone());
        let online = bank.and_then(|b| b.online_bank_url.clone());
        let contact = facts.support_contact();
        let (title, body, notice): (Msg, Vec<Msg>, Option<Notice>) = match &self.ending {
            Ending::RequestSent => (
                Msg::SentTitle,
                vec![
                    Msg::SentNewWhatNext {
                        operations_email: ops,
                    },
                    Msg::LinkEmail,
                    Msg::TwoAndThreeDayRules,
                    Msg::SaveCommandHint,
                ],
                None,
            ),
            Ending::RenewalSent => (
                Msg::SentTitle,
                vec![
                    Msg::SentRenewalWhatNext,
                    Msg::LinkEmail,
                    Msg::TwoAndThreeDayRules,
                    Msg::SaveCommandHint,
                ],
                None,
            ),
            Ending::CertificateSaved => (
                Msg::SavedTitle,
                vec![
                    Msg::BringPapers,
                    Msg::LoginOnline { url: online },
                    Msg::UnplugAfterWork,
                ],
                None,
            ),
            Ending::RenewalSaved => (
                Msg::SavedTitle,
                vec![
                    Msg::CheckValidityOnline { url: online },
                    Msg::DestroyOldKeyLater,
                    Msg::UnplugAfterWork,
                ],
                None,
            ),
            Ending::OldKeyDestroyed => {
                (Msg::OldKeyDestroyedTitle, vec![Msg::OldKeyDestroyed], None)
            }
            Ending::Cancelled => (Msg::CancelledTitle, vec![Msg::CancelledNothingLost], None),
            Ending::PinLocked { role } => (
                Msg::PinLockedTitle { role: *role },
                vec![
                    Msg::PinLockedWhat { role: *role },
                    Msg::CallSupport { contact },
                ],
                Some(Notice::new(
                    Level::Error,
                    Msg::PinLockedTitle { role: *role },
                )),
            ),
            Ending::Rejected { reasons } => (
                Msg::RejectedTitle,
                vec![
                    Msg::RejectedReasons {
                        reasons: reasons.clone(),
                    },
                    Msg::CallSupport { contact },
                ],
                Some(Notice::new(Level::Error, Msg::RejectedTitle)),
            ),
            Ending::LinkExpired => (
                Msg::LinkExpiredTitle,
                vec![Msg::LinkExpiredWhat, Msg::CallSupport { contact }],
                Some(Notice::new(Level::Error, Msg::LinkExpiredTitle)),
            ),
            Ending::RequestExpired => (
                Msg::RequestExpiredTitle,
                vec![Msg::RequestExpiredWhat, Msg::CallSupport { contact }],
                Some(Notice::new(Level::Error, Msg::RequestExpiredTitle)),
            ),
            Ending::UnknownRequest => (
                Msg::UnknownRequestTitle,
                vec![Msg::UnknownRequestWhat, Msg::CallSupport { contact }],
                Some(Notice::new(Level::Error, Msg::UnknownRequestTitle)),
            ),
            Ending::NeverArrived => (
                Msg::NeverArrivedTitle,
                vec![Msg::NeverArrivedWhat, Msg::CallSupport { contact }],
                Some(Notice::new(Level::Warning, Msg::NeverArrivedTitle)),
            ),
            Ending::CertificateExpired => (
                Msg::CertificateExpiredTitle,
                vec![Msg::CertificateExpiredWhat, Msg::CallSupport { contact }],
                Some(Notice::new(Level::Error, Msg::CertificateExpiredTitle)),
            ),
        };
        let mut screen = facts.screen(self.at, self.flow, title);
        screen.body = body;
        screen.notice = notice;
        screen.actions.push(Action {
            kind: ActionKind::Next,
            label: Msg::ActionClose,
        });
        screen
    }
}
