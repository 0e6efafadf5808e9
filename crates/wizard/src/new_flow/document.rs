//! N2.7: the application. The owner signs it, stamps it, and e-mails a scan to the bank's
//! operations address; the bank processes the request only after the scan arrives. The
//! wizard shows the document and has it saved for printing.

use serde::{Deserialize, Serialize};

use crate::codes::FlowKind;
use crate::codes::StepCode;
use crate::document::{self, ApplicationFacts, Document};
use crate::effect::Effect;
use crate::ended::Ending;
use crate::facts::Facts;
use crate::input::{Answer, Input, IssuedCertificate, Operation, Outcome};
use crate::model::{KeyRef, PickupRef, TransactionId};
use crate::msg::Msg;
use crate::parts::saving::Saving;
use crate::save_flow::SaveStep;
use crate::screen::{Action, ActionKind, Screen};
use crate::{Next, Step};

use super::{NewStep, Order};

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DocumentStep {
    pub order: Order,
    pub key: KeyRef,
    pub transaction: TransactionId,
    /// The bank issued at once (a CA that approves without paper): the certificate is
    /// saved right after this step.
    pub issued: Option<Box<IssuedCertificate>>,
    pub saving: Saving,
}

impl DocumentStep {
    fn document(&self, facts: &Facts) -> Document {
        let bank = facts.bank_info(self.order.agent_id);
        let model = facts
            .seen_token(&self.key.serial)
            .map(|t| t.model.clone())
            .unwrap_or_default();
        document::application(&ApplicationFacts {
            bank: &bank,
            applicant: &self.order.applicant,
            key_type: self.order.key_type,
            token_model: &model,
            token_serial: &self.key.serial,
            transaction: &self.transaction,
            date: facts.today,
        })
    }

    /// Enters N2.7: the document is saved at once.
    pub fn enter(
        order: Order,
        key: KeyRef,
        transaction: TransactionId,
        issued: Option<Box<IssuedCertificate>>,
        facts: &Facts,
    ) -> Next {
        let step = DocumentStep {
            order,
            key,
            transaction,
            issued,
            saving: Saving::InProgress,
        };
        let effect = Effect::SaveDocument {
            document: step.document(facts),
        };
        (Step::New(NewStep::Document(step)), vec![effect])
    }

    pub fn is_busy(&self) -> bool {
        matches!(self.saving, Saving::InProgress)
    }

    pub fn handle(mut self, input: Input, facts: &mut Facts) -> Next {
        match input {
            Input::Done(Outcome::DocumentSaved { location }) if self.is_busy() => {
                self.saving = Saving::Saved { location };
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
                return (Step::New(NewStep::Document(self)), vec![effect]);
            }
            Input::Person(Answer::Next) if !self.is_busy() => {
                let record = facts
                    .pending
                    .iter()
                    .find(|p| p.transaction == self.transaction)
                    .cloned();
                return match (self.issued, record) {
                    (Some(issued), record) => {
                        let pickup = PickupRef {
                            agent_id: self.order.agent_id,
                            transaction: self.transaction,
                        };
                        SaveStep::issued(pickup, record, *issued)
                    }
                    (None, _) => Step::end(StepCode::N2_8, FlowKind::New, Ending::RequestSent),
                };
            }
            _ => {}
        }
        (Step::New(NewStep::Document(self)), Vec::new())
    }

    pub fn screen(&self, facts: &Facts) -> Screen {
        let mut screen = facts.screen(StepCode::N2_7, FlowKind::New, Msg::ApplicationTitle);
        let ops = facts.bank.as_ref().and_then(|b| b.operations_email.clone());
        screen.body.push(Msg::ApplicationSignAndSend {
            operations_email: ops.clone(),
        });
        screen.body.push(Msg::BankWaitsForScan {
            operations_email: ops,
        });
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
