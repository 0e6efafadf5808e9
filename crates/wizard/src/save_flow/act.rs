//! After the certificate is saved and checked: the acceptance act to print in two
//! copies and sign (N2.10), or for a renewal the check of the new certificate's
//! validity (R2.12). The request's local record goes once the document is saved, the
//! last thing this computer does for the request: until then a second `save LINK`
//! finishes from the kept, accepted copy (the certificate already on the token is taken
//! as stored) and makes the document again.

use serde::{Deserialize, Serialize};

use crate::codes::FlowKind;
use crate::codes::StepCode;
use crate::document::{self, Document};
use crate::effect::Effect;
use crate::ended::Ending;
use crate::facts::Facts;
use crate::input::{Answer, Input, Operation, Outcome};
use crate::model::CertificateView;
use crate::msg::Msg;
use crate::parts::saving::Saving;
use crate::screen::{Action, ActionKind, Screen};
use crate::{Next, Step};

use super::{Issue, SaveStep, end};

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ActStep {
    pub issue: Issue,
    /// The certificate as read back from the token.
    pub verified: CertificateView,
    pub renewal: bool,
    pub saving: Saving,
}

impl ActStep {
    fn document(&self, facts: &Facts) -> Document {
        let bank = facts.bank_info(self.issue.pickup.pickup.agent_id);
        document::act(&bank, &self.verified, facts.today)
    }

    fn wrap(self) -> Step {
        if self.renewal {
            Step::Save(SaveStep::Check(self))
        } else {
            Step::Save(SaveStep::NewAct(self))
        }
    }

    pub fn enter(
        issue: Issue,
        verified: Box<CertificateView>,
        renewal: bool,
        facts: &mut Facts,
    ) -> Next {
        let step = ActStep {
            issue,
            verified: *verified,
            renewal,
            saving: Saving::InProgress,
        };
        let effects = vec![Effect::SaveDocument {
            document: step.document(facts),
        }];
        (step.wrap(), effects)
    }

    pub fn code(&self) -> StepCode {
        if self.renewal {
            StepCode::R2_12
        } else {
            StepCode::N2_10
        }
    }

    pub fn is_busy(&self) -> bool {
        matches!(self.saving, Saving::InProgress)
    }

    pub fn handle(mut self, input: Input, facts: &mut Facts) -> Next {
        match input {
            Input::Done(Outcome::DocumentSaved { location }) if self.is_busy() => {
                self.saving = Saving::Saved { location };
                let transaction = self.issue.pickup.pickup.transaction.clone();
                facts.pending.retain(|p| p.transaction != transaction);
                return (self.wrap(), vec![Effect::ClearPending { transaction }]);
            }
            Input::Done(Outcome::Failed(f))
                if self.is_busy() && f.during == Operation::SaveDocument =>
            {
                self.saving = Saving::Failed { kind: f.kind };
            }
            Input::Person(Answer::Retry) if matches!(self.saving, Saving::Failed { .. }) => {
                self.saving = Saving::InProgress;
                let effect = Effect::SaveDocument {
                    document: self.document(facts),
                };
                return (self.wrap(), vec![effect]);
            }
            Input::Person(Answer::Next) if !self.is_busy() => {
                return if self.renewal {
                    end(StepCode::R2_12, Ending::RenewalSaved)
                } else {
                    end(StepCode::N2_11, Ending::CertificateSaved)
                };
            }
            _ => {}
        }
        (self.wrap(), Vec::new())
    }

    pub fn screen(&self, facts: &Facts) -> Screen {
        let title = if self.renewal {
            Msg::CheckTitle
        } else {
            Msg::ActTitle
        };
        let mut screen = facts.screen(self.code(), FlowKind::Save, title);
        screen.body.push(Msg::CertificateSavedOk);
        screen.body.push(Msg::certificate_summary(&self.verified));
        if let Some(days) = self.verified.days_left(facts.today) {
            screen.body.push(Msg::DaysLeft { days });
        }
        if self.renewal {
            screen.body.push(Msg::CheckValidityOnline {
                url: facts.bank.as_ref().and_then(|b| b.online_bank_url.clone()),
            });
        }
        screen.body.push(Msg::PrintActTwice);
        screen.document = Some(self.document(facts));
        self.saving.show(&mut screen);
        if !self.is_busy() {
            screen.actions.push(Action {
                kind: ActionKind::Next,
                label: Msg::ActionNext,
            });
        }
        screen
    }
}
