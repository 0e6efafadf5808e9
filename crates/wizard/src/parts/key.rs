//! A key pair on the token for the request (N2.6, R2.7): log in with the new PIN, then
//! make the key, or take one an interrupted run left behind.
//!
//! A key this program made that has no certificate and no request waiting for it is a
//! leftover of an interrupted run. It is never silently reused or deleted: the person
//! chooses to use it, to delete it and make a new one, or to keep it and make a new one.
//! Keys of other programs are never offered, and never touched.

use serde::{Deserialize, Serialize};

use crate::effect::Effect;
use crate::facts::Facts;
use crate::input::{Answer, FailureKind, Input, Operation, Outcome, Presence};
use crate::model::{KEY_LABEL_PREFIX, KeyRef, KeyType, KeyView};
use crate::msg::Msg;
use crate::pin::PinRole;
use crate::screen::{Level, Notice, Progress, Screen, TokenMark};

use super::gate::{self, Expect};
use super::pins::{PinEntry, PinNotice, PinStep};

/// The label of a key made for this bank today.
pub fn key_label(agent_id: u32, facts: &Facts) -> String {
    format!("{KEY_LABEL_PREFIX} {agent_id} {}", facts.today.compact())
}

/// What to do once logged in.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "plan", rename_all = "snake_case")]
pub enum Plan {
    Generate,
    /// Use this key, already on the token.
    Reuse {
        key_id: String,
    },
    /// Delete these leftovers, then make a new key.
    Replace {
        delete: Vec<String>,
    },
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "phase", rename_all = "snake_case")]
pub enum KeyPhase {
    /// Asking the PIN (and, before it, what to do with leftovers).
    Pin {
        entry: PinEntry,
    },
    Deleting {
        remaining: Vec<String>,
        total: u32,
    },
    Generating,
}

/// Getting the key ready.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct KeyWork {
    pub serial: String,
    pub key_type: KeyType,
    /// The label a new key gets.
    pub label: String,
    /// Leftover keys the person already decided about.
    pub decided: Vec<String>,
    pub plan: Plan,
    pub phase: KeyPhase,
}

/// One of the answers to the leftover question.
#[derive(Debug, Clone, PartialEq, Eq)]
enum OfferChoice {
    Reuse(String),
    DeleteAll,
    KeepAll,
}

pub enum KeyStep {
    Stay(Vec<Effect>),
    /// The key is on the token and the user logged in.
    Ready(KeyRef),
    Locked(PinRole),
}

impl KeyWork {
    pub fn new(serial: String, key_type: KeyType, label: String) -> KeyWork {
        KeyWork {
            phase: KeyPhase::Pin {
                entry: PinEntry::new(serial.clone()),
            },
            serial,
            key_type,
            label,
            decided: Vec::new(),
            plan: Plan::Generate,
        }
    }

    /// Back to the PIN with a key already made (the login was lost: the token was
    /// removed, or a later operation failed), saying why.
    pub fn resume(
        serial: String,
        key_type: KeyType,
        label: String,
        key_id: String,
        notice: PinNotice,
    ) -> KeyWork {
        KeyWork {
            phase: KeyPhase::Pin {
                entry: PinEntry::again(serial.clone(), notice),
            },
            decided: vec![key_id.clone()],
            plan: Plan::Reuse { key_id },
            serial,
            key_type,
            label,
        }
    }

    /// The leftovers not decided about yet, while a new key is still to be made.
    fn leftovers<'f>(&self, facts: &'f Facts) -> Vec<&'f KeyView> {
        if self.plan != Plan::Generate {
            return Vec::new();
        }
        let Some(token) = facts.token(&self.serial) else {
            return Vec::new();
        };
        token
            .keys
            .iter()
            .filter(|k| {
                k.is_ours_without_certificate()
                    && !facts.pending_key(&self.serial, &k.id)
                    && !self.decided.contains(&k.id)
            })
            .collect()
    }

    fn offer(&self, facts: &Facts) -> Vec<OfferChoice> {
        let leftovers = self.leftovers(facts);
        if leftovers.is_empty() {
            return Vec::new();
        }
        let mut choices: Vec<OfferChoice> = leftovers
            .iter()
            .filter(|k| k.algorithm == Some(self.key_type))
            .map(|k| OfferChoice::Reuse(k.id.clone()))
            .collect();
        choices.push(OfferChoice::DeleteAll);
        choices.push(OfferChoice::KeepAll);
        choices
    }

    fn asking(&self) -> bool {
        matches!(&self.phase, KeyPhase::Pin { entry } if !entry.is_busy())
    }

    pub fn is_busy(&self) -> bool {
        !self.asking()
    }

    fn back_to_pin(&mut self, notice: PinNotice) {
        self.phase = KeyPhase::Pin {
            entry: PinEntry::again(self.serial.clone(), notice),
        };
    }

    /// What follows the login, or the next deletion.
    fn after_login(&mut self, facts: &Facts) -> KeyStep {
        match self.plan.clone() {
            Plan::Reuse { key_id } => {
                let there = facts
                    .token(&self.serial)
                    .is_some_and(|t| t.key(&key_id).is_some());
                if there {
                    KeyStep::Ready(KeyRef {
                        serial: self.serial.clone(),
                        key_id,
                    })
                } else {
                    // The key is gone from the token (deleted elsewhere): make a new one.
                    self.plan = Plan::Generate;
                    self.generate()
                }
            }
            Plan::Replace { delete } => match delete.first() {
                Some(first) => {
                    let total = u32::try_from(delete.len()).unwrap_or(u32::MAX);
                    let effect = Effect::DeleteKey {
                        serial: self.serial.clone(),
                        key_id: first.clone(),
                    };
                    self.phase = KeyPhase::Deleting {
                        remaining: delete,
                        total,
                    };
                    KeyStep::Stay(vec![effect])
                }
                None => {
                    self.plan = Plan::Generate;
                    self.generate()
                }
            },
            Plan::Generate => self.generate(),
        }
    }

    fn generate(&mut self) -> KeyStep {
        self.phase = KeyPhase::Generating;
        KeyStep::Stay(vec![Effect::GenerateKeyPair {
            serial: self.serial.clone(),
            key_type: self.key_type,
            label: self.label.clone(),
        }])
    }

    pub fn handle(&mut self, input: Input, facts: &mut Facts) -> KeyStep {
        // A key made just before the token went out still counts: use it.
        if let Input::Done(Outcome::KeyGenerated { serial, key }) = &input
            && serial == &self.serial
            && !matches!(self.phase, KeyPhase::Generating)
        {
            self.decided.push(key.id.clone());
            self.plan = Plan::Reuse {
                key_id: key.id.clone(),
            };
            return KeyStep::Stay(Vec::new());
        }
        if let Input::Person(Answer::Choose(i)) = &input
            && self.asking()
        {
            let offer = self.offer(facts);
            if let Some(choice) = offer.get(*i) {
                let ids: Vec<String> = self.leftovers(facts).iter().map(|k| k.id.clone()).collect();
                self.decided.extend(ids.iter().cloned());
                self.plan = match choice {
                    OfferChoice::Reuse(key_id) => Plan::Reuse {
                        key_id: key_id.clone(),
                    },
                    OfferChoice::DeleteAll => Plan::Replace { delete: ids },
                    OfferChoice::KeepAll => Plan::Generate,
                };
            }
            return KeyStep::Stay(Vec::new());
        }
        let removed =
            matches!(&input, Input::Token(Presence::Removed { serial }) if serial == &self.serial);
        // The PIN is not asked while leftovers wait for a decision.
        if matches!(input, Input::Person(Answer::Pin(_))) && !self.offer(facts).is_empty() {
            return KeyStep::Stay(Vec::new());
        }
        match &mut self.phase {
            KeyPhase::Pin { entry } => match entry.handle(input, facts) {
                PinStep::Stay(effects) => KeyStep::Stay(effects),
                PinStep::Locked(role) => KeyStep::Locked(role),
                PinStep::Done => self.after_login(facts),
            },
            KeyPhase::Deleting { remaining, .. } => match input {
                Input::Done(Outcome::KeyDeleted { serial, key_id }) if serial == self.serial => {
                    remaining.retain(|k| k != &key_id);
                    if let Some(t) = facts.tokens.iter_mut().find(|t| t.serial == serial) {
                        t.keys.retain(|k| k.id != key_id);
                    }
                    match remaining.first() {
                        Some(next) => KeyStep::Stay(vec![Effect::DeleteKey {
                            serial: self.serial.clone(),
                            key_id: next.clone(),
                        }]),
                        None => {
                            self.plan = Plan::Generate;
                            self.generate()
                        }
                    }
                }
                Input::Done(Outcome::Failed(f)) if f.during == Operation::DeleteKey => {
                    self.plan = Plan::Replace {
                        delete: remaining.clone(),
                    };
                    self.back_to_pin(failure_notice(f.kind));
                    KeyStep::Stay(Vec::new())
                }
                _ if removed => {
                    self.plan = Plan::Replace {
                        delete: remaining.clone(),
                    };
                    self.back_to_pin(PinNotice::Removed);
                    KeyStep::Stay(Vec::new())
                }
                _ => KeyStep::Stay(Vec::new()),
            },
            KeyPhase::Generating => match input {
                Input::Done(Outcome::KeyGenerated { serial, key }) if serial == self.serial => {
                    let key_ref = KeyRef {
                        serial: serial.clone(),
                        key_id: key.id.clone(),
                    };
                    self.decided.push(key.id.clone());
                    self.plan = Plan::Reuse {
                        key_id: key.id.clone(),
                    };
                    if let Some(t) = facts.tokens.iter_mut().find(|t| t.serial == serial)
                        && t.key(&key.id).is_none()
                    {
                        t.keys.push(key);
                    }
                    KeyStep::Ready(key_ref)
                }
                Input::Done(Outcome::Failed(f)) if f.during == Operation::GenerateKeyPair => {
                    self.back_to_pin(failure_notice(f.kind));
                    KeyStep::Stay(Vec::new())
                }
                _ if removed => {
                    self.back_to_pin(PinNotice::Removed);
                    KeyStep::Stay(Vec::new())
                }
                _ => KeyStep::Stay(Vec::new()),
            },
        }
    }

    /// The leftover question, the PIN, or the work under way. `pin_label` names the PIN
    /// asked (N2.6: the new PIN).
    pub fn show(&self, facts: &Facts, screen: &mut Screen, pin_label: Msg) {
        match &self.phase {
            KeyPhase::Pin { entry } => {
                let offer = self.offer(facts);
                if !entry.is_busy() && !offer.is_empty() {
                    let expect = Expect::Serial(self.serial.clone());
                    gate::show(&expect.check(facts, false), &expect, facts, screen);
                    let count = u32::try_from(self.leftovers(facts).len()).unwrap_or(u32::MAX);
                    screen.notice = Some(Notice::new(Level::Warning, Msg::LeftoverKeys { count }));
                    screen.choices = offer
                        .iter()
                        .map(|c| match c {
                            OfferChoice::Reuse(id) => Msg::ReuseKey {
                                key_id: short_id(id),
                            },
                            OfferChoice::DeleteAll => Msg::DeleteLeftoversAndGenerate { count },
                            OfferChoice::KeepAll => Msg::KeepLeftoversAndGenerate,
                        })
                        .collect();
                    return;
                }
                if let Plan::Reuse { key_id } = &self.plan {
                    screen.body.push(Msg::KeyWillBeReused {
                        key_id: short_id(key_id),
                    });
                }
                entry.show(facts, screen, pin_label);
            }
            KeyPhase::Deleting { remaining, total } => {
                screen.tokens = facts.token_lines(|_| TokenMark::Chosen);
                let left = u32::try_from(remaining.len()).unwrap_or(0);
                screen.progress = Some(Progress::Count {
                    label: Msg::DeletingLeftovers,
                    done: total.saturating_sub(left),
                    total: *total,
                });
            }
            KeyPhase::Generating => {
                screen.tokens = facts.token_lines(|_| TokenMark::Chosen);
                screen.body.push(Msg::DoNotRemoveToken);
                screen.progress = Some(Progress::Working {
                    label: Msg::GeneratingKey {
                        key_type: self.key_type,
                    },
                });
            }
        }
    }
}

/// The notice for a failed token operation after the login: the PIN is asked again,
/// since the wizard keeps no PIN to log in with.
pub fn failure_notice(kind: FailureKind) -> PinNotice {
    match kind {
        FailureKind::TokenRemoved => PinNotice::Removed,
        kind => PinNotice::Failed { kind },
    }
}

/// The first characters of a key id, enough to tell keys apart on a screen.
pub fn short_id(id: &str) -> String {
    id.chars().take(8).collect()
}
