//! PINs: changing a default PIN (N2.4, N2.5, R2.5, R2.6) and logging in (N2.6, R2.2,
//! R2.7, R2.8, N2.9, R2.10, R2.11, R2.13).
//!
//! Every PIN attempt is the person's: a PIN goes from the answer straight into one
//! effect and is gone; a wrong PIN brings the form back with the tries left, and nothing
//! here ever sends a PIN again by itself. A new PIN is checked against the policy
//! before any effect, so a PIN that would be refused never costs a try.

use serde::{Deserialize, Serialize};

use crate::effect::Effect;
use crate::facts::Facts;
use crate::field::FieldId;
use crate::input::{Answer, FailureKind, Input, Operation, Outcome, Presence};
use crate::model::Tries;
use crate::msg::Msg;
use crate::pin::PinRole;
use crate::pin::{PinLengths, check_new_pin};
use crate::problems::PinProblem;
use crate::screen::{Action, ActionKind, Level, Notice, Progress, Screen, TokenMark, Widget};

use super::gate::{self, Expect, Gate};

/// Why the PIN form is shown again.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "why", rename_all = "snake_case")]
pub enum PinNotice {
    /// The new PIN breaks the policy (nothing was sent to the token).
    Policy { role: PinRole, problem: PinProblem },
    /// The PIN was wrong.
    Wrong { role: PinRole, tries: Tries },
    /// The PIN field was empty (nothing was sent to the token).
    Empty,
    /// The token was removed before the operation ended.
    Removed,
    /// The token refused the new PIN by rules of its own.
    Refused { role: PinRole },
    /// Something else failed; the person may try again.
    Failed { kind: FailureKind },
}

impl PinNotice {
    pub fn notice(&self) -> Notice {
        match self {
            PinNotice::Policy { role, problem } => Notice::new(
                Level::Error,
                Msg::PinPolicy {
                    role: *role,
                    problem: problem.clone(),
                },
            ),
            PinNotice::Wrong { role, tries } if tries.is_last() => {
                Notice::new(Level::Danger, Msg::WrongPinLastTry { role: *role })
            }
            PinNotice::Wrong { role, tries } => Notice::new(
                Level::Warning,
                Msg::WrongPin {
                    role: *role,
                    tries: *tries,
                },
            ),
            PinNotice::Empty => Notice::new(Level::Error, Msg::PinEmpty),
            PinNotice::Removed => Notice::new(Level::Warning, Msg::TokenRemovedRepeat),
            PinNotice::Refused { role } => {
                Notice::new(Level::Error, Msg::PinRefusedByToken { role: *role })
            }
            PinNotice::Failed { kind } => {
                Notice::new(Level::Error, Msg::Failed { kind: kind.clone() })
            }
        }
    }
}

/// What a PIN failure means: show the form again, or the PIN is locked.
pub enum PinFailure {
    Again(PinNotice),
    Locked(PinRole),
}

/// Sorts a failure of a PIN operation on `serial`, noting the tries left.
pub fn pin_failure(kind: FailureKind, serial: &str, facts: &mut Facts) -> PinFailure {
    match kind {
        FailureKind::WrongPin { role, tries } if tries.is_none_left() => PinFailure::Locked(role),
        FailureKind::WrongPin { role, tries } => {
            facts.pin_tries(serial, role, tries);
            PinFailure::Again(PinNotice::Wrong { role, tries })
        }
        FailureKind::PinLocked { role } => PinFailure::Locked(role),
        FailureKind::TokenRemoved => PinFailure::Again(PinNotice::Removed),
        FailureKind::PinRefused { role } => PinFailure::Again(PinNotice::Refused { role }),
        kind => PinFailure::Again(PinNotice::Failed { kind }),
    }
}

/// How a PIN part ends an input.
pub enum PinStep {
    /// Still here; these effects to run.
    Stay(Vec<Effect>),
    /// Done: the PIN was changed, or the user is logged in.
    Done,
    /// The PIN is locked: the flow cannot go on with this token.
    Locked(PinRole),
}

/// A forced change of a default PIN.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PinChange {
    pub serial: String,
    pub role: PinRole,
    /// The change is under way on the token.
    pub changing: bool,
    pub notice: Option<PinNotice>,
}

impl PinChange {
    pub fn new(serial: String, role: PinRole) -> PinChange {
        PinChange {
            serial,
            role,
            changing: false,
            notice: None,
        }
    }

    fn expect(&self) -> Expect {
        Expect::Serial(self.serial.clone())
    }

    /// The token says this PIN no longer needs changing (it was, before an interruption
    /// or by another program).
    fn no_longer_needed(&self, facts: &Facts) -> bool {
        facts
            .token(&self.serial)
            .is_some_and(|t| !t.pin(self.role).must_change())
    }

    fn locked(&self, facts: &Facts) -> bool {
        facts
            .token(&self.serial)
            .is_some_and(|t| t.pin(self.role).is_locked())
    }

    pub fn handle(&mut self, input: Input, facts: &mut Facts) -> PinStep {
        match input {
            Input::Person(Answer::ChangePin {
                current,
                new,
                repeat,
            }) if !self.changing => {
                if self.locked(facts) {
                    return PinStep::Locked(self.role);
                }
                let Gate::Ready(_) = self.expect().check(facts, false) else {
                    return PinStep::Stay(Vec::new());
                };
                let Some(token) = facts.token(&self.serial) else {
                    return PinStep::Stay(Vec::new());
                };
                match check_new_pin(self.role, &current, new, &repeat, token.pin_lengths) {
                    Err(e) => {
                        self.notice = Some(PinNotice::Policy {
                            role: self.role,
                            problem: PinProblem::from(&e),
                        });
                        PinStep::Stay(Vec::new())
                    }
                    Ok(checked) => {
                        self.changing = true;
                        self.notice = None;
                        PinStep::Stay(vec![Effect::ChangePin {
                            serial: self.serial.clone(),
                            role: self.role,
                            current,
                            new: checked.pin().clone(),
                        }])
                    }
                }
            }
            Input::Done(Outcome::PinChanged { serial, role })
                if serial == self.serial && role == self.role =>
            {
                // Also when the removal came first: the change did go through.
                facts.pin_changed(&serial, role);
                self.changing = false;
                PinStep::Done
            }
            Input::Done(Outcome::Failed(f))
                if self.changing && f.during == Operation::ChangePin =>
            {
                self.changing = false;
                match pin_failure(f.kind, &self.serial, facts) {
                    PinFailure::Again(notice) => {
                        self.notice = Some(notice);
                        PinStep::Stay(Vec::new())
                    }
                    PinFailure::Locked(role) => PinStep::Locked(role),
                }
            }
            Input::Token(Presence::Removed { serial })
                if self.changing && serial == self.serial =>
            {
                self.changing = false;
                self.notice = Some(PinNotice::Removed);
                PinStep::Stay(Vec::new())
            }
            Input::Token(_) if !self.changing && self.no_longer_needed(facts) => PinStep::Done,
            _ => PinStep::Stay(Vec::new()),
        }
    }

    pub fn is_busy(&self) -> bool {
        self.changing
    }

    /// The form; the caller gives the title.
    pub fn show(&self, facts: &Facts, screen: &mut Screen) {
        screen.body.push(Msg::PinUnsafe { role: self.role });
        screen.body.push(Msg::PinChangeHow { role: self.role });
        screen.body.push(Msg::KeepPinsSafe);
        let expect = self.expect();
        if self.changing {
            screen.tokens = facts.token_lines(|_| TokenMark::Chosen);
            screen.progress = Some(Progress::Working {
                label: Msg::ChangingPin { role: self.role },
            });
            return;
        }
        if let Some(n) = &self.notice {
            screen.notice = Some(n.notice());
        }
        if !gate::show(&expect.check(facts, false), &expect, facts, screen) {
            return;
        }
        let lengths = facts
            .token(&self.serial)
            .map(|t| t.pin_lengths)
            .unwrap_or(PinLengths::RUTOKEN);
        let min = lengths.min.max(crate::pin::MIN_NEW_PIN_LEN);
        screen.fields = vec![
            Widget::Pin {
                id: FieldId::CurrentPin,
                label: Msg::FieldCurrentPin { role: self.role },
                hint: Some(Msg::DefaultPinHint { role: self.role }),
                lengths,
            },
            Widget::Pin {
                id: FieldId::NewPin,
                label: Msg::FieldNewPin { role: self.role },
                hint: Some(Msg::NewPinRules {
                    min: u32::try_from(min).unwrap_or(u32::MAX),
                }),
                lengths,
            },
            Widget::Pin {
                id: FieldId::RepeatPin,
                label: Msg::FieldRepeatPin { role: self.role },
                hint: None,
                lengths,
            },
        ];
        screen.actions.push(Action {
            kind: ActionKind::SubmitPinChange,
            label: Msg::ActionConfirm,
        });
    }
}

/// A PIN typed to log in to a token.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PinEntry {
    pub serial: String,
    pub logging_in: bool,
    pub notice: Option<PinNotice>,
}

impl PinEntry {
    pub fn new(serial: String) -> PinEntry {
        PinEntry {
            serial,
            logging_in: false,
            notice: None,
        }
    }

    /// The same, saying why the PIN is asked again.
    pub fn again(serial: String, notice: PinNotice) -> PinEntry {
        PinEntry {
            serial,
            logging_in: false,
            notice: Some(notice),
        }
    }

    fn expect(&self) -> Expect {
        Expect::Serial(self.serial.clone())
    }

    pub fn handle(&mut self, input: Input, facts: &mut Facts) -> PinStep {
        match input {
            Input::Person(Answer::Pin(pin)) if !self.logging_in => {
                match self.expect().check(facts, true) {
                    Gate::Ready(_) => {}
                    Gate::Wrong(gate::Wrong::Locked { .. }) => {
                        return PinStep::Locked(PinRole::User);
                    }
                    _ => return PinStep::Stay(Vec::new()),
                }
                if pin.is_empty() {
                    self.notice = Some(PinNotice::Empty);
                    return PinStep::Stay(Vec::new());
                }
                self.logging_in = true;
                self.notice = None;
                PinStep::Stay(vec![Effect::Login {
                    serial: self.serial.clone(),
                    pin,
                }])
            }
            Input::Done(Outcome::LoggedIn { serial })
                if self.logging_in && serial == self.serial =>
            {
                self.logging_in = false;
                PinStep::Done
            }
            Input::Done(Outcome::Failed(f)) if self.logging_in && f.during == Operation::Login => {
                self.logging_in = false;
                match pin_failure(f.kind, &self.serial, facts) {
                    PinFailure::Again(notice) => {
                        self.notice = Some(notice);
                        PinStep::Stay(Vec::new())
                    }
                    PinFailure::Locked(role) => PinStep::Locked(role),
                }
            }
            Input::Token(Presence::Removed { serial })
                if self.logging_in && serial == self.serial =>
            {
                self.logging_in = false;
                self.notice = Some(PinNotice::Removed);
                PinStep::Stay(Vec::new())
            }
            _ => PinStep::Stay(Vec::new()),
        }
    }

    pub fn is_busy(&self) -> bool {
        self.logging_in
    }

    /// The PIN field labelled `label`, or what to insert; returns whether the token is in.
    pub fn show(&self, facts: &Facts, screen: &mut Screen, label: Msg) -> bool {
        let expect = self.expect();
        if self.logging_in {
            screen.tokens = facts.token_lines(|_| TokenMark::Chosen);
            screen.progress = Some(Progress::Working {
                label: Msg::CheckingPin,
            });
            return true;
        }
        if let Some(n) = &self.notice {
            screen.notice = Some(n.notice());
        }
        if !gate::show(&expect.check(facts, true), &expect, facts, screen) {
            return false;
        }
        let token = facts.token(&self.serial);
        if screen.notice.is_none()
            && let Some(t) = token
            && t.user_pin.tries.is_last()
        {
            screen.notice = Some(Notice::new(
                Level::Danger,
                Msg::WrongPinLastTry {
                    role: PinRole::User,
                },
            ));
        }
        screen.fields.push(Widget::Pin {
            id: FieldId::Pin,
            label,
            hint: None,
            lengths: token.map(|t| t.pin_lengths).unwrap_or(PinLengths::RUTOKEN),
        });
        screen.actions.push(Action {
            kind: ActionKind::SubmitPin,
            label: Msg::ActionNext,
        });
        true
    }
}
