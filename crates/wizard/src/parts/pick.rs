//! One token out of several (N2.2, R2.1). The bank asks to remove every other smart key;
//! where that is not possible the person picks one and confirms it by typing the last
//! characters of its serial, so that the right carrier is a decision, not a guess.

use serde::{Deserialize, Serialize};

use crate::facts::Facts;
use crate::field::FieldId;
use crate::input::Answer;
use crate::model::{SERIAL_TAIL_LEN, confirms_serial};
use crate::msg::Msg;
use crate::screen::{Action, ActionKind, Level, Notice, Screen, TokenMark, Widget};

/// The picking in progress.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Pick {
    /// The token picked from the list, waiting for its serial to be confirmed.
    picked: Option<String>,
    /// What was typed to confirm it.
    typed: String,
    /// The typed characters did not match.
    mismatch: bool,
}

impl Pick {
    /// The serial of the token the person settled on, if this answer settles it.
    pub fn handle(&mut self, answer: &Answer, facts: &Facts) -> Option<String> {
        self.forget_removed(facts);
        match answer {
            Answer::Choose(i) if facts.tokens.len() > 1 => {
                if let Some(t) = facts.tokens.get(*i) {
                    self.picked = Some(t.serial.clone());
                    self.typed.clear();
                    self.mismatch = false;
                }
                None
            }
            Answer::Edit {
                field: FieldId::SerialTail,
                value,
            } if self.picked.is_some() => {
                self.typed = value.chars().take(64).collect();
                self.mismatch = false;
                None
            }
            Answer::Next => match facts.tokens.as_slice() {
                [] => None,
                [one] => Some(one.serial.clone()),
                _ => {
                    let token = self.picked.as_deref().and_then(|s| facts.token(s))?;
                    if confirms_serial(&self.typed, &token.serial) {
                        Some(token.serial.clone())
                    } else {
                        self.mismatch = true;
                        None
                    }
                }
            },
            _ => None,
        }
    }

    /// A picked token that was pulled out is no longer picked.
    pub fn forget_removed(&mut self, facts: &Facts) {
        if let Some(serial) = &self.picked
            && facts.token(serial).is_none()
        {
            *self = Pick::default();
        }
    }

    /// The token list, the refusal while several are in, and the confirmation field.
    pub fn show(&self, facts: &Facts, screen: &mut Screen) {
        let picked = self.picked.as_deref().filter(|s| facts.token(s).is_some());
        screen.tokens = facts.token_lines(|t| {
            if facts.tokens.len() == 1 || picked == Some(t.serial.as_str()) {
                TokenMark::Chosen
            } else {
                TokenMark::Other
            }
        });
        match facts.tokens.len() {
            0 => screen.awaiting = Some(Msg::InsertOneToken),
            1 => screen.actions.push(Action {
                kind: ActionKind::Next,
                label: Msg::ActionNext,
            }),
            n => {
                screen.notice = Some(Notice::new(
                    Level::Warning,
                    Msg::SeveralTokens {
                        count: u32::try_from(n).unwrap_or(u32::MAX),
                    },
                ));
                screen.choices = facts
                    .tokens
                    .iter()
                    .map(|t| Msg::TokenChoice {
                        model: t.model.clone(),
                        serial: t.serial.clone(),
                        label: t.label.clone(),
                    })
                    .collect();
                if let Some(token) = picked.and_then(|s| facts.token(s)) {
                    screen.fields.push(Widget::Text {
                        id: FieldId::SerialTail,
                        label: Msg::FieldSerialTail {
                            count: SERIAL_TAIL_LEN as u32,
                        },
                        value: self.typed.clone(),
                        required: true,
                        read_only: false,
                        error: self.mismatch.then_some(Msg::SerialTailMismatch {
                            serial: token.serial.clone(),
                        }),
                        hint: Some(Msg::SerialTailHint {
                            model: token.model.clone(),
                            serial: token.serial.clone(),
                        }),
                        suggestions: Vec::new(),
                    });
                    screen.actions.push(Action {
                        kind: ActionKind::Next,
                        label: Msg::ActionNext,
                    });
                }
            }
        }
    }
}
