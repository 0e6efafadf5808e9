//! The tokens inserted: model, serial, label and PIN state of each. More than one is a
//! warning that quotes the bank's instruction N2.2: with several smart keys inserted it
//! is too easy to put a key on the wrong one.

use serde::Serialize;

use super::Facts;
use super::report::{CheckId, Finding, Verdict};
use crate::token::{Module, TokenInfo};
use smartkey_wizard::PinRole;

/// The bank's instruction N2.2 (PROCEDURE.md), in its words.
pub const N2_2: &str = "The bank's instruction N2.2: \"Remove all other smart keys and tokens.\" Leave in only the smart key you mean to use, and make sure it is the right one.";

/// The tokens found.
#[derive(Debug, Clone, Serialize)]
pub struct TokensFacts {
    /// Initialised tokens: the ones a flow can use.
    pub tokens: Vec<TokenInfo>,
    /// Slots with a blank (uninitialised) token, such as SoftHSM2's spare slot.
    pub blank: usize,
    pub error: Option<String>,
}

fn describe(t: &TokenInfo) -> String {
    format!(
        "{}; {}; {}",
        t.describe(),
        t.user_pin.summary(PinRole::User),
        t.admin_pin.summary(PinRole::Admin)
    )
}

/// Lists the tokens `module` sees now.
pub fn check(module: &Module) -> Finding {
    let all = match module.tokens() {
        Ok(t) => t,
        Err(e) => {
            return Finding::new(
                CheckId::Tokens,
                Verdict::Fail,
                format!("the tokens cannot be listed: {e}"),
            )
            .advice("take the token out, insert it again, and run the check again")
            .facts(Facts::Tokens(TokensFacts {
                tokens: Vec::new(),
                blank: 0,
                error: Some(e.to_string()),
            }));
        }
    };
    let blank = all.iter().filter(|t| !t.initialized).count();
    let tokens: Vec<TokenInfo> = all.into_iter().filter(|t| t.initialized).collect();
    let mut finding = match tokens.len() {
        0 => Finding::new(CheckId::Tokens, Verdict::Warn, "no token is inserted")
            .advice("insert the smart key you will use, then run the check again"),
        1 => Finding::new(
            CheckId::Tokens,
            Verdict::Ok,
            format!("one token: {}", tokens[0].describe()),
        ),
        n => Finding::new(
            CheckId::Tokens,
            Verdict::Warn,
            format!("{n} tokens are inserted"),
        )
        .advice(N2_2),
    };
    for t in &tokens {
        finding = finding.detail(describe(t));
    }
    let locked: Vec<String> = tokens
        .iter()
        .flat_map(|t| {
            [PinRole::User, PinRole::Admin]
                .into_iter()
                .filter(|r| t.pin(*r).is_locked())
                .map(move |r| format!("the {r} of token {} is locked", t.serial))
        })
        .collect();
    if !locked.is_empty() {
        finding.verdict = finding.verdict.max(Verdict::Warn);
        let advice = format!(
            "{}: a locked PIN can be unlocked with the admin PIN; a locked admin PIN only by the bank's support",
            locked.join("; ")
        );
        finding.advice = Some(match finding.advice.take() {
            Some(first) => format!("{first} Also, {advice}"),
            None => advice,
        });
    }
    if blank > 0 {
        finding = finding.detail(format!(
            "{blank} blank (uninitialised) token slot(s) not counted"
        ));
    }
    finding.facts(Facts::Tokens(TokensFacts {
        tokens,
        blank,
        error: None,
    }))
}
