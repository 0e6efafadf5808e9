//! [`Facts`]: what the wizard knows so far, across steps and flows. Nothing secret: no
//! PIN ever reaches here.

use serde::{Deserialize, Serialize};

use super::cities::CityIndex;
use super::codes::StepCode;
use super::date::CivilDate;
use super::input::Presence;
use super::model::{BankInfo, FormDraft, PendingRecord, PinState, TokenView};
use super::screen::{Screen, TokenLine, TokenMark};
use crate::codes::FlowKind;
use crate::msg::Msg;
use crate::pin::PinRole;

/// What is known so far.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Facts {
    /// The short code support asks for.
    pub session: String,
    /// Today, as the runtime said when the flow started.
    pub today: CivilDate,
    /// The banks the person can choose from.
    pub banks: Vec<BankInfo>,
    /// The bank of this flow, once chosen.
    pub bank: Option<BankInfo>,
    /// The tokens inserted now.
    pub tokens: Vec<TokenView>,
    /// Every token seen during the flow, as last seen: a machine with one USB port shows
    /// its tokens one after the other (R2.13).
    pub seen: Vec<TokenView>,
    /// The requests known to wait at a bank (local records).
    pub pending: Vec<PendingRecord>,
    /// The N2.3 form as an earlier run left it, until this run's request is sent.
    #[serde(default)]
    pub draft: Option<FormDraft>,
    /// The preflight's warnings, for the flow's first step.
    #[serde(default)]
    pub warnings: Vec<Msg>,
}

impl Facts {
    /// Takes in what the runtime saw in the card readers.
    pub fn observe(&mut self, presence: &Presence) {
        match presence {
            Presence::Present(list) => {
                self.tokens = list.clone();
                for t in list {
                    self.remember(t);
                }
            }
            Presence::Inserted(token) => {
                match self.tokens.iter_mut().find(|t| t.serial == token.serial) {
                    Some(known) => *known = token.clone(),
                    None => self.tokens.push(token.clone()),
                }
                self.remember(token);
            }
            Presence::Removed { serial } => self.tokens.retain(|t| &t.serial != serial),
        }
    }

    fn remember(&mut self, token: &TokenView) {
        match self.seen.iter_mut().find(|t| t.serial == token.serial) {
            Some(known) => *known = token.clone(),
            None => self.seen.push(token.clone()),
        }
    }

    /// The inserted token with this serial.
    pub fn token(&self, serial: &str) -> Option<&TokenView> {
        self.tokens.iter().find(|t| t.serial == serial)
    }

    /// The token with this serial as last seen, inserted or not.
    pub fn seen_token(&self, serial: &str) -> Option<&TokenView> {
        self.seen.iter().find(|t| t.serial == serial)
    }

    /// Records that a PIN of a token was changed, until the token reports again.
    pub fn pin_changed(&mut self, serial: &str, role: PinRole) {
        for list in [&mut self.tokens, &mut self.seen] {
            if let Some(t) = list.iter_mut().find(|t| t.serial == serial) {
                *t.pin_mut(role) = PinState::CHANGED;
            }
        }
    }

    /// Records what a wrong-PIN answer said about the tries left.
    pub fn pin_tries(&mut self, serial: &str, role: PinRole, tries: super::model::Tries) {
        for list in [&mut self.tokens, &mut self.seen] {
            if let Some(t) = list.iter_mut().find(|t| t.serial == serial) {
                t.pin_mut(role).tries = tries;
            }
        }
    }

    /// Key ids that a pending request waits on: never offered for deletion.
    pub fn pending_key(&self, serial: &str, key_id: &str) -> bool {
        self.pending
            .iter()
            .any(|p| p.key.serial == serial && p.key.key_id == key_id)
    }

    /// The bank of this flow, or one known by its agentId only.
    pub fn bank_info(&self, agent_id: u32) -> BankInfo {
        self.bank
            .clone()
            .unwrap_or_else(|| BankInfo::unknown(agent_id))
    }

    /// The bank's support phone, or its e-mail, for "who to call".
    pub fn support_contact(&self) -> Option<String> {
        let bank = self.bank.as_ref()?;
        bank.support_phone
            .clone()
            .or_else(|| bank.support_email.clone())
    }

    /// The tokens inserted now, marked for the screen by `mark`.
    pub fn token_lines(&self, mark: impl Fn(&TokenView) -> TokenMark) -> Vec<TokenLine> {
        self.tokens
            .iter()
            .map(|t| TokenLine {
                model: t.model.clone(),
                serial: t.serial.clone(),
                label: t.label.clone(),
                mark: mark(t),
            })
            .collect()
    }

    /// An empty screen of this step with the header filled in.
    pub fn screen(&self, code: StepCode, flow: FlowKind, title: Msg) -> Screen {
        Screen {
            code,
            flow,
            session: self.session.clone(),
            bank: self.bank.as_ref().map(|b| b.name.clone()),
            title,
            body: Vec::new(),
            notice: None,
            fields: Vec::new(),
            choices: Vec::new(),
            tokens: self.token_lines(|_| TokenMark::Other),
            document: None,
            progress: None,
            awaiting: None,
            actions: Vec::new(),
        }
    }
}

/// What a step works with: the facts, and the city list (which is not journalled).
pub struct Cx<'a> {
    pub facts: &'a mut Facts,
    pub cities: &'a CityIndex,
}
