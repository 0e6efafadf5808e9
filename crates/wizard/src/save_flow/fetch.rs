//! Asking the bank about the request of the link (N2.9, R2.10): issued, still waiting
//! (with when to ask again, and for a first certificate the reminder that the bank
//! waits for the signed application), refused, or too late (the 2-day and 3-day rules
//! of N2.8, each in plain words).

use serde::{Deserialize, Serialize};

use crate::codes::FlowKind;
use crate::codes::StepCode;
use crate::effect::Effect;
use crate::ended::Ending;
use crate::facts::Facts;
use crate::input::{Answer, BankAnswer, FailureKind, Input, IssuedCertificate, Operation, Outcome};
use crate::model::{KeptCertificate, RequestKind};
use crate::msg::Msg;
use crate::screen::{Action, ActionKind, Level, Notice, Progress, Screen};
use crate::{Next, Step};

use super::{Issue, Pickup, SaveStep, decide, end, final_refusal};

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "phase", rename_all = "snake_case")]
pub enum Phase {
    Asking,
    /// Issued: the certificate is being kept in the request's local record before
    /// anything is signed or saved, so that an interruption from here on loses nothing.
    Keeping {
        issued: Box<IssuedCertificate>,
    },
    /// The bank has not decided yet.
    Waiting {
        check_after_secs: Option<u64>,
        reason: Vec<String>,
    },
    /// The bank could not be asked.
    Failed {
        kind: FailureKind,
    },
    /// The bank does not know a request recorded here: the interrupted run never
    /// delivered it, so the request kept with its record is sent again.
    Resending,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FetchStep {
    pub pickup: Pickup,
    pub phase: Phase,
    /// The request was sent again by this step (said on the screen; never twice).
    #[serde(default)]
    pub resent: bool,
}

impl FetchStep {
    pub fn start(pickup: Pickup) -> Next {
        let effect = Effect::Poll {
            pickup: pickup.pickup.clone(),
        };
        let step = FetchStep {
            pickup,
            phase: Phase::Asking,
            resent: false,
        };
        (Step::Save(SaveStep::Fetch(step)), vec![effect])
    }

    fn renewal(&self) -> bool {
        matches!(
            self.pickup.record.as_ref().map(|r| &r.kind),
            Some(RequestKind::Renewal { .. })
        )
    }

    pub fn code(&self) -> StepCode {
        if self.renewal() {
            StepCode::R2_10
        } else {
            StepCode::N2_9
        }
    }

    pub fn is_busy(&self) -> bool {
        matches!(
            self.phase,
            Phase::Asking | Phase::Keeping { .. } | Phase::Resending
        )
    }

    /// The bank's last word on the request: it ends here. A request refused, expired for
    /// good or unknown to the bank is done with, so its local record goes; a link that
    /// only expired can be sent again, so the record stays.
    fn decided(self, ending: Ending) -> Next {
        let code = self.code();
        // A request recorded here that the bank does not know was never sent whole.
        let ending = match ending {
            Ending::UnknownRequest if self.pickup.record.is_some() => Ending::NeverArrived,
            other => other,
        };
        let (step, mut effects) = end(code, ending.clone());
        let done_with = matches!(
            ending,
            Ending::Rejected { .. }
                | Ending::RequestExpired
                | Ending::UnknownRequest
                | Ending::NeverArrived
        );
        if done_with && let Some(record) = &self.pickup.record {
            effects.insert(
                0,
                Effect::ClearPending {
                    transaction: record.transaction.clone(),
                },
            );
        }
        (step, effects)
    }

    /// Issued: kept in the local record first, when there is one; on otherwise.
    fn issued(mut self, issued: IssuedCertificate) -> Next {
        let Some(record) = self.pickup.record.as_mut() else {
            return decide::route(Issue {
                pickup: self.pickup,
                issued,
            });
        };
        let accepted = record
            .kept
            .as_ref()
            .is_some_and(|k| k.accepted && k.certificate.der == issued.certificate.der);
        record.kept = Some(Box::new(KeptCertificate {
            certificate: issued.certificate.clone(),
            accepted,
        }));
        let effect = Effect::RecordPending(record.clone());
        self.phase = Phase::Keeping {
            issued: Box::new(issued),
        };
        (Step::Save(SaveStep::Fetch(self)), vec![effect])
    }

    pub fn handle(mut self, input: Input) -> Next {
        match input {
            Input::Done(Outcome::PendingRecorded)
                if matches!(self.phase, Phase::Keeping { .. }) =>
            {
                if let Phase::Keeping { issued } = self.phase {
                    return decide::route(Issue {
                        pickup: self.pickup,
                        issued: *issued,
                    });
                }
            }
            Input::Done(Outcome::Failed(f))
                if matches!(self.phase, Phase::Keeping { .. })
                    && f.during == Operation::RecordPending =>
            {
                self.phase = Phase::Failed { kind: f.kind };
            }
            Input::Done(Outcome::BankAnswered(answer))
                if matches!(self.phase, Phase::Asking | Phase::Resending) =>
            {
                match answer {
                    BankAnswer::Issued(issued) => return self.issued(*issued),
                    BankAnswer::Rejected { reasons } => {
                        return self.decided(Ending::Rejected { reasons });
                    }
                    BankAnswer::Waiting {
                        check_after_secs,
                        reason,
                    } => {
                        self.phase = Phase::Waiting {
                            check_after_secs,
                            reason,
                        };
                    }
                }
            }
            Input::Done(Outcome::Failed(f))
                if matches!(self.phase, Phase::Asking) && f.during == Operation::Poll =>
            {
                // Unknown to the bank but recorded here: sent again, once, as kept.
                if f.kind == FailureKind::UnknownRequest
                    && !self.resent
                    && let Some(record) = &self.pickup.record
                {
                    let effect = Effect::SendToBank {
                        agent_id: record.agent_id,
                        transaction: record.transaction.clone(),
                    };
                    self.phase = Phase::Resending;
                    self.resent = true;
                    return (Step::Save(SaveStep::Fetch(self)), vec![effect]);
                }
                if let Some(ending) = final_refusal(&f.kind) {
                    return self.decided(ending);
                }
                self.phase = Phase::Failed { kind: f.kind };
            }
            // Nothing kept to send again: the request never reached the bank.
            Input::Done(Outcome::Failed(f))
                if matches!(self.phase, Phase::Resending) && f.during == Operation::SendToBank =>
            {
                if let Some(ending) = final_refusal(&f.kind) {
                    return self.decided(ending);
                }
                self.phase = Phase::Failed { kind: f.kind };
            }
            Input::Person(Answer::Retry) if !self.is_busy() => {
                self.phase = Phase::Asking;
                let effect = Effect::Poll {
                    pickup: self.pickup.pickup.clone(),
                };
                return (Step::Save(SaveStep::Fetch(self)), vec![effect]);
            }
            _ => {}
        }
        (Step::Save(SaveStep::Fetch(self)), Vec::new())
    }

    pub fn screen(&self, facts: &Facts) -> Screen {
        let mut screen = facts.screen(self.code(), FlowKind::Save, Msg::SaveTitle);
        screen.body.push(Msg::SaveIntro {
            transaction: self.pickup.pickup.transaction.short(),
        });
        match &self.phase {
            Phase::Asking => {
                screen.progress = Some(Progress::Working {
                    label: Msg::AskingBank,
                });
            }
            Phase::Resending => {
                screen.progress = Some(Progress::Working {
                    label: Msg::SendingRequest,
                });
            }
            Phase::Keeping { .. } => {
                screen.progress = Some(Progress::Working {
                    label: Msg::KeepingCertificate,
                });
            }
            Phase::Waiting {
                check_after_secs,
                reason,
            } => {
                screen.notice = Some(Notice::new(Level::Info, Msg::NotIssuedYet));
                if self.resent {
                    screen.body.push(Msg::RequestSentAgain);
                }
                if !reason.is_empty() {
                    screen.body.push(Msg::BankSays {
                        words: reason.clone(),
                    });
                }
                if !self.renewal() {
                    screen.body.push(Msg::BankWaitsForScan {
                        operations_email: facts
                            .bank
                            .as_ref()
                            .and_then(|b| b.operations_email.clone()),
                    });
                }
                screen.body.push(Msg::AskAgainAfter {
                    minutes: check_after_secs.map(|s| s.div_ceil(60)),
                });
                screen.actions.push(Action {
                    kind: ActionKind::Retry,
                    label: Msg::ActionAskAgain,
                });
            }
            Phase::Failed { kind } => {
                screen.notice = Some(Notice::new(
                    Level::Error,
                    Msg::Failed { kind: kind.clone() },
                ));
                screen.actions.push(Action {
                    kind: ActionKind::Retry,
                    label: Msg::ActionRetry,
                });
            }
        }
        screen
    }
}
