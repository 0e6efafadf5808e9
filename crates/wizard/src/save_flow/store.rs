//! Onto the token that holds its key (N2.9, R2.11): "Save certificate", the PIN, the
//! certificate stored next to its key, for a first certificate the act signed by the
//! new key, then the certificate read back and checked.
//!
//! The token is recognised by the certificate's public key, so a token that does not
//! hold the key is refused before anything is written; should the token say so anyway,
//! the person is told which token to insert.

use serde::{Deserialize, Serialize};

use crate::effect::Effect;
use crate::ended::Ending;
use crate::facts::Facts;
use crate::input::{Answer, FailureKind, Input, Operation, Outcome, Presence};
use crate::model::{CertificateView, KeyRef};
use crate::msg::Msg;
use crate::parts::gate::{self, Expect, Gate};
use crate::parts::key::failure_notice;
use crate::parts::pins::{PinEntry, PinNotice, PinStep};
use crate::pin::PinRole;
use crate::screen::{Action, ActionKind, Level, Notice, Progress, Screen, TokenMark};

use super::{Issue, final_refusal};

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "stage", rename_all = "snake_case")]
pub enum Stage {
    /// Waiting for the token with the key, and "Save certificate"; `refused` when the
    /// token said the key is not on it.
    Insert {
        refused: bool,
    },
    Pin {
        entry: PinEntry,
        key: KeyRef,
    },
    Saving {
        key: KeyRef,
    },
    SigningAct {
        key: KeyRef,
    },
    Verifying {
        key: KeyRef,
        failure: Option<FailureKind>,
    },
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Store {
    /// The new key signs the act after saving (a first certificate the bank wants
    /// accepted).
    pub sign_act: bool,
    pub saved: bool,
    pub act_signed: bool,
    pub stage: Stage,
}

pub enum Stored {
    Stay(Vec<Effect>),
    /// Saved and checked: the certificate as read back.
    Done(Box<CertificateView>),
    End(Ending),
    Locked(PinRole),
}

fn expect(issue: &Issue) -> Expect {
    Expect::HoldsKey {
        fingerprint: issue.issued.certificate.public_key.clone(),
        key: issue.pickup.record.as_ref().map(|r| r.key.clone()),
    }
}

/// The key of the certificate on the inserted token `serial`.
fn key_on(issue: &Issue, facts: &Facts, serial: &str) -> Option<KeyRef> {
    let token = facts.token(serial)?;
    let by_fingerprint = issue
        .issued
        .certificate
        .public_key
        .as_deref()
        .and_then(|fp| token.holds_key(fp));
    let by_record = issue
        .pickup
        .record
        .as_ref()
        .filter(|r| r.key.serial == serial)
        .and_then(|r| token.key(&r.key.key_id));
    by_fingerprint.or(by_record).map(|k| KeyRef {
        serial: serial.to_string(),
        key_id: k.id.clone(),
    })
}

impl Store {
    pub fn new(sign_act: bool) -> Store {
        Store {
            sign_act,
            saved: false,
            act_signed: false,
            stage: Stage::Insert { refused: false },
        }
    }

    pub fn is_busy(&self) -> bool {
        match &self.stage {
            Stage::Insert { .. } => false,
            Stage::Pin { entry, .. } => entry.is_busy(),
            Stage::Saving { .. } | Stage::SigningAct { .. } => true,
            Stage::Verifying { failure, .. } => failure.is_none(),
        }
    }

    /// The next token operation once logged in (or after one finished).
    fn next_operation(&mut self, key: KeyRef, issue: &Issue) -> Vec<Effect> {
        let cert = issue.issued.certificate.der.clone();
        if !self.saved {
            self.stage = Stage::Saving { key: key.clone() };
            vec![Effect::SaveCertificate {
                key,
                certificate: cert,
            }]
        } else if self.sign_act && !self.act_signed {
            self.stage = Stage::SigningAct { key: key.clone() };
            vec![Effect::SignAct {
                signer: key,
                signer_certificate: cert.clone(),
                certificate: cert,
                pickup: issue.pickup.pickup.clone(),
            }]
        } else {
            self.stage = Stage::Verifying {
                key: key.clone(),
                failure: None,
            };
            vec![Effect::VerifyCertificate {
                serial: key.serial,
                certificate: cert,
            }]
        }
    }

    fn pin_again(&mut self, key: KeyRef, notice: PinNotice) -> Stored {
        self.stage = Stage::Pin {
            entry: PinEntry::again(key.serial.clone(), notice),
            key,
        };
        Stored::Stay(Vec::new())
    }

    pub fn handle(&mut self, input: Input, issue: &mut Issue, facts: &mut Facts) -> Stored {
        let gone = match &input {
            Input::Token(Presence::Removed { serial }) => Some(serial.clone()),
            _ => None,
        };
        let removed = |serial: &str| gone.as_deref() == Some(serial);
        match std::mem::replace(&mut self.stage, Stage::Insert { refused: false }) {
            Stage::Insert { refused } => {
                if let Input::Person(Answer::Next) = input
                    && let Gate::Ready(serial) = expect(issue).check(facts, true)
                    && let Some(key) = key_on(issue, facts, &serial)
                {
                    self.stage = Stage::Pin {
                        entry: PinEntry::new(serial),
                        key,
                    };
                    return Stored::Stay(Vec::new());
                }
                self.stage = Stage::Insert { refused };
                Stored::Stay(Vec::new())
            }
            Stage::Pin { mut entry, key } => match entry.handle(input, facts) {
                PinStep::Stay(effects) => {
                    self.stage = Stage::Pin { entry, key };
                    Stored::Stay(effects)
                }
                PinStep::Locked(role) => Stored::Locked(role),
                PinStep::Done => Stored::Stay(self.next_operation(key, issue)),
            },
            Stage::Saving { key } => match input {
                Input::Done(Outcome::CertificateSaved { serial, .. }) if serial == key.serial => {
                    self.saved = true;
                    Stored::Stay(self.next_operation(key, issue))
                }
                Input::Done(Outcome::Failed(f)) if f.during == Operation::SaveCertificate => {
                    match f.kind {
                        FailureKind::KeyNotOnToken => {
                            self.stage = Stage::Insert { refused: true };
                            Stored::Stay(Vec::new())
                        }
                        kind => self.pin_again(key, failure_notice(kind)),
                    }
                }
                _ if removed(&key.serial) => self.pin_again(key, PinNotice::Removed),
                _ => {
                    self.stage = Stage::Saving { key };
                    Stored::Stay(Vec::new())
                }
            },
            Stage::SigningAct { key } => match input {
                Input::Done(Outcome::ActSigned) => {
                    self.act_signed = true;
                    let mut effects: Vec<Effect> = issue.act_confirmed().into_iter().collect();
                    effects.extend(self.next_operation(key, issue));
                    Stored::Stay(effects)
                }
                Input::Done(Outcome::Failed(f)) if f.during == Operation::SignAct => {
                    match final_refusal(&f.kind) {
                        Some(ending) => Stored::End(ending),
                        None => self.pin_again(key, failure_notice(f.kind)),
                    }
                }
                _ if removed(&key.serial) => self.pin_again(key, PinNotice::Removed),
                _ => {
                    self.stage = Stage::SigningAct { key };
                    Stored::Stay(Vec::new())
                }
            },
            Stage::Verifying { key, failure } => match input {
                Input::Done(Outcome::CertificateVerified {
                    serial,
                    certificate,
                }) if failure.is_none() && serial == key.serial => Stored::Done(certificate),
                Input::Done(Outcome::Failed(f))
                    if failure.is_none() && f.during == Operation::VerifyCertificate =>
                {
                    self.stage = Stage::Verifying {
                        key,
                        failure: Some(f.kind),
                    };
                    Stored::Stay(Vec::new())
                }
                Input::Person(Answer::Retry) if failure.is_some() => {
                    Stored::Stay(self.next_operation(key, issue))
                }
                _ => {
                    self.stage = Stage::Verifying { key, failure };
                    Stored::Stay(Vec::new())
                }
            },
        }
    }

    /// The step's state on `screen`; the caller gives the title and the instruction.
    pub fn show(&self, issue: &Issue, facts: &Facts, screen: &mut Screen) {
        let working = |screen: &mut Screen, label: Msg| {
            screen.tokens = facts.token_lines(|_| TokenMark::Chosen);
            screen.progress = Some(Progress::Working { label });
        };
        match &self.stage {
            Stage::Insert { refused } => {
                let expect = expect(issue);
                if *refused {
                    screen.notice = Some(Notice::new(
                        Level::Warning,
                        gate::Wrong::KeyNotHere {
                            expected: issue.pickup.record.as_ref().map(|r| r.key.serial.clone()),
                        }
                        .message(),
                    ));
                }
                if gate::show(&expect.check(facts, true), &expect, facts, screen) {
                    screen.actions.push(Action {
                        kind: ActionKind::Next,
                        label: Msg::ActionSaveCertificate,
                    });
                }
            }
            Stage::Pin { entry, .. } => {
                entry.show(facts, screen, Msg::FieldPinLogin);
            }
            Stage::Saving { .. } => working(screen, Msg::SavingCertificate),
            Stage::SigningAct { .. } => working(screen, Msg::SigningAct),
            Stage::Verifying { failure: None, .. } => working(screen, Msg::VerifyingCertificate),
            Stage::Verifying {
                failure: Some(kind),
                ..
            } => {
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
    }
}
