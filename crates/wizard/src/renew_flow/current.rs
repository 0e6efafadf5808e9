//! R2.2 and R2.3: the current PIN (which proves the person holds the current key before
//! anything is done), then the current certificate: owner, organisation, serial,
//! validity and the days left. An expired certificate cannot be renewed (the bank only
//! accepts a renewal signed by a valid one): the person is told to apply anew.

use serde::{Deserialize, Serialize};

use crate::codes::FlowKind;
use crate::codes::StepCode;
use crate::ended::Ending;
use crate::facts::Facts;
use crate::input::{Answer, Input};
use crate::model::{CertificateView, KeyRef};
use crate::msg::Msg;
use crate::parts::pins::{PinEntry, PinStep};
use crate::screen::{Action, ActionKind, Level, Notice, Screen};
use crate::{Next, Step};

use super::{RenewStep, Renewal};

/// A certificate this close to its end is flagged.
const EXPIRES_SOON_DAYS: i64 = 30;

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct OldPinStep {
    pub entry: PinEntry,
}

impl OldPinStep {
    pub fn new(serial: String) -> OldPinStep {
        OldPinStep {
            entry: PinEntry::new(serial),
        }
    }

    pub fn is_busy(&self) -> bool {
        self.entry.is_busy()
    }

    pub fn handle(mut self, input: Input, facts: &mut Facts) -> Next {
        if matches!(input, Input::Person(Answer::Back)) && !self.is_busy() {
            return (Step::Renew(RenewStep::start(facts)), Vec::new());
        }
        match self.entry.handle(input, facts) {
            PinStep::Stay(effects) => (Step::Renew(RenewStep::OldPin(self)), effects),
            PinStep::Done => {
                let step = CertificateStep {
                    serial: self.entry.serial,
                    selected: None,
                };
                (Step::Renew(RenewStep::Certificate(step)), Vec::new())
            }
            PinStep::Locked(role) => {
                Step::end(StepCode::R2_2, FlowKind::Renew, Ending::PinLocked { role })
            }
        }
    }

    pub fn screen(&self, facts: &Facts) -> Screen {
        let mut screen = facts.screen(StepCode::R2_2, FlowKind::Renew, Msg::CurrentPinTitle);
        screen.body.push(Msg::CurrentPinExplain);
        self.entry
            .show(facts, &mut screen, Msg::FieldCurrentPinLogin);
        if !self.is_busy() {
            screen.actions.push(Action {
                kind: ActionKind::Back,
                label: Msg::ActionBack,
            });
        }
        screen
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CertificateStep {
    /// The old carrier.
    pub serial: String,
    /// The key whose certificate is renewed, when the carrier holds several.
    pub selected: Option<String>,
}

impl CertificateStep {
    /// The certificates on the old carrier, as last seen (it may be out by now).
    fn certificates<'f>(&self, facts: &'f Facts) -> Vec<(String, &'f CertificateView)> {
        facts
            .seen_token(&self.serial)
            .map(|t| t.certified_keys().map(|(k, c)| (k.id.clone(), c)).collect())
            .unwrap_or_default()
    }

    fn chosen<'f>(&self, facts: &'f Facts) -> Option<(String, &'f CertificateView)> {
        let certs = self.certificates(facts);
        match (certs.len(), &self.selected) {
            (1, _) => certs.into_iter().next(),
            (_, Some(id)) => certs.into_iter().find(|(k, _)| k == id),
            _ => None,
        }
    }

    pub fn handle(mut self, input: Input, facts: &mut Facts) -> Next {
        let Input::Person(answer) = input else {
            return (Step::Renew(RenewStep::Certificate(self)), Vec::new());
        };
        match answer {
            Answer::Choose(i) => {
                if let Some((id, _)) = self.certificates(facts).get(i) {
                    self.selected = Some(id.clone());
                }
                (Step::Renew(RenewStep::Certificate(self)), Vec::new())
            }
            Answer::Next => {
                let Some((key_id, cert)) = self.chosen(facts) else {
                    return (Step::Renew(RenewStep::Certificate(self)), Vec::new());
                };
                if cert.days_left(facts.today).is_some_and(|d| d < 0) {
                    return Step::end(StepCode::R2_3, FlowKind::Renew, Ending::CertificateExpired);
                }
                let Some(agent_id) = facts.bank.as_ref().map(|b| b.agent_id) else {
                    return (Step::Renew(RenewStep::Certificate(self)), Vec::new());
                };
                let renewal = Renewal {
                    agent_id,
                    old_key: KeyRef {
                        serial: self.serial.clone(),
                        key_id,
                    },
                    certificate: cert.clone(),
                };
                (Step::Renew(RenewStep::contacts(renewal)), Vec::new())
            }
            _ => (Step::Renew(RenewStep::Certificate(self)), Vec::new()),
        }
    }

    pub fn screen(&self, facts: &Facts) -> Screen {
        let mut screen = facts.screen(
            StepCode::R2_3,
            FlowKind::Renew,
            Msg::CurrentCertificateTitle,
        );
        let certs = self.certificates(facts);
        if certs.len() > 1 {
            screen.body.push(Msg::ChooseCertificate);
            screen.choices = certs
                .iter()
                .map(|(_, c)| Msg::CertificateChoice {
                    owner: c.owner.clone(),
                    organization: c.organization.clone(),
                    valid_until: c.valid_until,
                })
                .collect();
        }
        if let Some((_, cert)) = self.chosen(facts) {
            screen.body.push(Msg::certificate_summary(cert));
            if let Some(days) = cert.days_left(facts.today) {
                screen.body.push(Msg::DaysLeft { days });
                if days < 0 {
                    screen.notice = Some(Notice::new(Level::Error, Msg::CertificateExpiredWhat));
                } else if days <= EXPIRES_SOON_DAYS {
                    screen.notice = Some(Notice::new(Level::Warning, Msg::ExpiresSoon { days }));
                }
            }
            screen.actions.push(Action {
                kind: ActionKind::Next,
                label: Msg::ActionNext,
            });
        }
        screen
    }
}
