//! Is the token a step needs in the reader? Decided afresh from what is inserted now,
//! every time, so that a swap, a removal or a wrong token is seen the moment it happens
//! and no stale "it was there" is ever acted upon.

use serde::{Deserialize, Serialize};

use crate::facts::Facts;
use crate::model::{KeyRef, KeyView, TokenView};
use crate::msg::Msg;
use crate::screen::{Level, Notice, Screen, TokenMark};

/// Which token a step waits for.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Expect {
    /// This one, by serial.
    Serial(String),
    /// A Rutoken ECP 2.0 that is not the old carrier (R2.4).
    NewEcp2 { old: String },
    /// The token that holds the key of a certificate (saving it): by the public key's
    /// fingerprint, or by the key recorded when the request was sent.
    HoldsKey {
        fingerprint: Option<String>,
        key: Option<KeyRef>,
    },
    /// The old carrier of a renewal, when no record names it: a token holding another,
    /// earlier certificate of the same subject.
    Predecessor {
        subject: String,
        issued_serial: String,
    },
}

/// Why an inserted token is not the one.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Wrong {
    /// Another token than the one with `expected` serial.
    NotTheOne { expected: String },
    /// The old carrier is in, the new Rutoken ECP 2.0 is expected.
    OldInsteadOfNew,
    /// A token that is not a Rutoken ECP 2.0.
    NotEcp2 { model: String },
    /// Several new tokens at once: which one is meant is not clear.
    SeveralNew,
    /// The certificate's key is not on the inserted token(s).
    KeyNotHere { expected: Option<String> },
    /// No inserted token holds the current certificate of this owner.
    NoPredecessor,
    /// The token's PIN is locked.
    Locked { serial: String },
}

/// The answer for now.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Gate {
    /// The token is in; its serial.
    Ready(String),
    /// Nothing fitting is inserted; nothing wrong is either.
    Absent,
    /// What is inserted is not it.
    Wrong(Wrong),
}

impl Expect {
    /// Looks at the tokens inserted now. A token whose user PIN is locked is never ready
    /// when `needs_pin`: the step could only fail on it.
    pub fn check(&self, facts: &Facts, needs_pin: bool) -> Gate {
        let ready = |t: &TokenView| {
            if needs_pin && t.user_pin.is_locked() {
                Gate::Wrong(Wrong::Locked {
                    serial: t.serial.clone(),
                })
            } else {
                Gate::Ready(t.serial.clone())
            }
        };
        let tokens = &facts.tokens;
        match self {
            Expect::Serial(serial) => match facts.token(serial) {
                Some(t) => ready(t),
                None if tokens.is_empty() => Gate::Absent,
                None => Gate::Wrong(Wrong::NotTheOne {
                    expected: serial.clone(),
                }),
            },
            Expect::NewEcp2 { old } => {
                let others: Vec<&TokenView> = tokens.iter().filter(|t| &t.serial != old).collect();
                let ecp2: Vec<&&TokenView> =
                    others.iter().filter(|t| t.is_rutoken_ecp2()).collect();
                match (ecp2.as_slice(), others.first()) {
                    ([one], _) => ready(one),
                    ([_, _, ..], _) => Gate::Wrong(Wrong::SeveralNew),
                    ([], Some(other)) => Gate::Wrong(Wrong::NotEcp2 {
                        model: other.model.clone(),
                    }),
                    ([], None) if tokens.is_empty() => Gate::Absent,
                    ([], None) => Gate::Wrong(Wrong::OldInsteadOfNew),
                }
            }
            Expect::HoldsKey { fingerprint, key } => {
                let holds = |t: &&TokenView| {
                    fingerprint
                        .as_deref()
                        .is_some_and(|fp| t.holds_key(fp).is_some())
                        || key
                            .as_ref()
                            .is_some_and(|k| k.serial == t.serial && t.key(&k.key_id).is_some())
                };
                match tokens.iter().find(holds) {
                    Some(t) => ready(t),
                    None if tokens.is_empty() => Gate::Absent,
                    None => Gate::Wrong(Wrong::KeyNotHere {
                        expected: key.as_ref().map(|k| k.serial.clone()),
                    }),
                }
            }
            Expect::Predecessor {
                subject,
                issued_serial,
            } => match tokens
                .iter()
                .find(|t| predecessor(t, subject, issued_serial).is_some())
            {
                Some(t) => ready(t),
                None if tokens.is_empty() => Gate::Absent,
                None => Gate::Wrong(Wrong::NoPredecessor),
            },
        }
    }

    /// What to ask the person to insert while the token is not there.
    pub fn awaiting(&self) -> Msg {
        match self {
            Expect::Serial(serial) => Msg::InsertTokenSerial {
                serial: serial.clone(),
            },
            Expect::NewEcp2 { .. } => Msg::InsertNewEcp2,
            Expect::HoldsKey { key: Some(key), .. } => Msg::InsertTokenWithKey {
                serial: key.serial.clone(),
            },
            Expect::HoldsKey { key: None, .. } => Msg::InsertTokenWithKeyUnknown,
            Expect::Predecessor { .. } => Msg::InsertOldToken,
        }
    }
}

impl Wrong {
    pub fn message(&self) -> Msg {
        match self {
            Wrong::NotTheOne { expected } => Msg::WrongTokenSerial {
                expected: expected.clone(),
            },
            Wrong::OldInsteadOfNew => Msg::OldTokenInsteadOfNew,
            Wrong::NotEcp2 { model } => Msg::NotEcp2 {
                model: model.clone(),
            },
            Wrong::SeveralNew => Msg::SeveralNewTokens,
            Wrong::KeyNotHere {
                expected: Some(serial),
            } => Msg::KeyNotOnThisToken {
                serial: serial.clone(),
            },
            Wrong::KeyNotHere { expected: None } => Msg::KeyNotOnThisTokenUnknown,
            Wrong::NoPredecessor => Msg::NoCurrentCertificateHere,
            Wrong::Locked { serial } => Msg::TokenPinLocked {
                serial: serial.clone(),
            },
        }
    }
}

/// The key on `token` whose certificate is an earlier one of `subject` (not the one
/// just issued): the key a renewal's old carrier holds.
pub fn predecessor<'t>(
    token: &'t TokenView,
    subject: &str,
    issued_serial: &str,
) -> Option<&'t KeyView> {
    token
        .certified_keys()
        .find(|(_, c)| c.subject == subject && c.serial != issued_serial)
        .map(|(k, _)| k)
}

/// Puts the gate's state on a screen: the token list marked, and what to insert or why
/// the inserted one will not do. Returns whether the token is ready.
pub fn show(gate: &Gate, expect: &Expect, facts: &Facts, screen: &mut Screen) -> bool {
    let chosen = match gate {
        Gate::Ready(serial) => Some(serial.as_str()),
        _ => None,
    };
    screen.tokens = facts.token_lines(|t| match chosen {
        Some(s) if s == t.serial => TokenMark::Chosen,
        Some(_) => TokenMark::Other,
        None => TokenMark::Wrong,
    });
    match gate {
        Gate::Ready(_) => true,
        Gate::Absent => {
            screen.awaiting = Some(expect.awaiting());
            false
        }
        Gate::Wrong(wrong) => {
            screen.awaiting = Some(expect.awaiting());
            let level = match wrong {
                Wrong::Locked { .. } => {
                    screen.body.push(Msg::CallSupport {
                        contact: facts.support_contact(),
                    });
                    Level::Error
                }
                _ => Level::Warning,
            };
            screen.notice = Some(Notice::new(level, wrong.message()));
            false
        }
    }
}
