//! Which bank (N2.1, R2.1): given on the command line, or picked from the profiles.

use serde::{Deserialize, Serialize};

use crate::facts::Facts;
use crate::input::Answer;
use crate::msg::Msg;
use crate::screen::{Action, ActionKind, Screen};

/// The bank choice; the chosen bank goes into [`Facts::bank`].
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct BankChoice;

impl BankChoice {
    /// Takes a pick; true when `Next` goes on with a bank chosen.
    pub fn handle(&mut self, answer: &Answer, facts: &mut Facts) -> bool {
        match answer {
            Answer::Choose(i) => {
                if let Some(bank) = facts.banks.get(*i) {
                    facts.bank = Some(bank.clone());
                }
                false
            }
            Answer::Next => facts.bank.is_some(),
            _ => false,
        }
    }

    pub fn show(&self, facts: &Facts, screen: &mut Screen, next: Msg) {
        if facts.banks.len() > 1 || facts.bank.is_none() {
            screen.choices = facts
                .banks
                .iter()
                .map(|b| Msg::BankChoice {
                    name: b.name.clone(),
                    agent_id: b.agent_id,
                })
                .collect();
        }
        match &facts.bank {
            Some(bank) => {
                screen.body.push(Msg::BankChosen {
                    name: bank.name.clone(),
                    agent_id: bank.agent_id,
                });
                screen.actions.push(Action {
                    kind: ActionKind::Next,
                    label: next,
                });
            }
            None if facts.banks.is_empty() => screen.body.push(Msg::NoBanks),
            None => screen.body.push(Msg::ChooseBank),
        }
    }
}
