//! Scripts: a wizard run written down so that it can be played again. One JSON object
//! per line, so that a change to a run is a change to a few lines in review:
//!
//! ```text
//! # comments and blank lines are skipped
//! {"setup": {"lang": "ru", "date": "2026-11-23", "seed": "new-happy", "approval": "auto"}}
//! {"flow": "new"}                             begin a flow: new, renew, save, destroy-old-key
//! {"insert": {"serial": "0C0C0C03", "reader": 0}}   put a virtual token in
//! {"wait_token": "0C0C0C03"}                  until the wizard has seen it come
//! {"check": "N2.1"}                           at N2.1 (not busy), the screen is as expected
//! {"wait": "N2.2"}                            only wait for the step
//! {"see": "Введите PIN"}                      the screen shows this text
//! {"answer": "next"}                          what the person does (any wizard Answer)
//! {"answer": {"edit": {"field": "surname", "value": "Иванов"}}}
//! {"answer": {"pin": "${PIN_NEW}"}}           PINs by name, never by value
//! {"answer": {"change_pin": {"current": "${PIN_FACTORY}", "new": "${PIN_NEW}", "repeat": "${PIN_NEW}"}}}
//! {"remove": {"serial": "0C0C0C03"}}          pull a virtual token out
//! {"wait_no_token": "0C0C0C03"}               until the wizard has seen it go
//! {"bank": "approve"}                         the bank's operator (approval "manual")
//! {"bank": {"reject": "Нет оригинала заявления"}}
//! {"bank": "resend"}                          the link is e-mailed again
//! {"days_pass": 2}                            the bank's and the wizard's calendar moves on
//! ```
//!
//! `check` compares the whole screen, as the plain text renderer writes it, with the
//! snapshot of that name in the script's `.screens` file ([`screens`]); the name is the
//! step code, numbered when a step is checked again ("N2.4 #2"), or given:
//! `{"check": {"step": "N2.4", "snapshot": "wrong PIN"}}`.
//!
//! - [`pins`]: PIN names, resolved at replay, given at recording;
//! - [`play`]: the frontend that plays a script;
//! - [`bench`]: what puts virtual tokens in and out, and plays the bank;
//! - [`screens`]: the expected screens and the differences found.

pub mod bench;
mod error;
pub mod pins;
pub mod play;
pub mod screens;

use serde::{Deserialize, Serialize};

use crate::config::Lang;
use smartkey_wizard::Pin;
use smartkey_wizard::{Answer, CivilDate};

pub use bench::{Bench, EmuBench};
pub use error::{BenchError, ScriptError};
pub use pins::PinBook;
pub use play::Scripted;

/// How a replay is set up: the first line of a script.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Setup {
    /// The language of the screens.
    #[serde(default)]
    pub lang: Lang,
    /// The day the run happens on (ISO 8601); the replay's calendar starts there.
    #[serde(default = "default_date")]
    pub date: String,
    /// What the run's chance is drawn from: session code, request numbers, keys,
    /// certificate serial numbers.
    #[serde(default = "default_seed")]
    pub seed: String,
    /// Whether the demo bank approves requests by itself or the script says when.
    #[serde(default)]
    pub approval: Approval,
}

fn default_date() -> String {
    "2026-11-23".into()
}

fn default_seed() -> String {
    "smartkey".into()
}

impl Default for Setup {
    fn default() -> Setup {
        Setup {
            lang: Lang::Ru,
            date: default_date(),
            seed: default_seed(),
            approval: Approval::Auto,
        }
    }
}

impl Setup {
    /// The run's first day.
    pub fn day(&self) -> Result<CivilDate, ScriptError> {
        CivilDate::parse_iso(&self.date).ok_or_else(|| ScriptError::BadDate(self.date.clone()))
    }
}

/// Who approves requests at the demo bank.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Approval {
    /// The bank approves a few seconds after a request arrives, as in the demo.
    #[default]
    Auto,
    /// Only `{"bank": "approve"}` does.
    Manual,
}

/// What the bank's operator does (the demo bank only).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum BankAction {
    /// Approve every request waiting.
    Approve,
    /// Refuse the latest request, with the reason the client will read.
    Reject(String),
    /// E-mail the latest request's link again, with a new time limit.
    Resend,
}

/// A checkpoint: the step, and the snapshot the screen must equal.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(untagged)]
pub enum Check {
    /// The step; the snapshot is named after it.
    Step(String),
    /// The step and the snapshot's own name.
    Named { step: String, snapshot: String },
}

impl Check {
    pub fn step(&self) -> &str {
        match self {
            Check::Step(step) | Check::Named { step, .. } => step,
        }
    }
}

/// One line of a script.
#[derive(Debug)]
pub enum ScriptStep {
    /// Wait until the wizard shows this step and waits for the person.
    Wait(String),
    /// Wait for the step, then compare the whole screen with its snapshot.
    Check(Check),
    /// Wait until the screen (not busy) shows this text.
    See(String),
    /// Wait until the screen lists this token (the readers were looked at).
    WaitToken(String),
    /// Wait until the screen no longer lists this token.
    WaitNoToken(String),
    /// What the person does.
    Answer(Answer),
    /// Put a virtual token into a reader.
    Insert { serial: String, reader: Option<u32> },
    /// Pull a virtual token out.
    Remove { serial: String },
    /// What the bank's operator does.
    Bank(BankAction),
    /// Days pass for the bank and for the flows begun after.
    DaysPass(u32),
    /// Begin a flow: `new`, `renew`, `save` (the latest e-mailed link), `destroy-old-key`.
    Flow(String),
}

/// A line as written, before its PINs are looked up.
#[derive(Deserialize)]
#[serde(rename_all = "snake_case", deny_unknown_fields)]
enum Line {
    Setup(Setup),
    Wait(String),
    Check(Check),
    See(String),
    WaitToken(String),
    WaitNoToken(String),
    Answer(serde_json::Value),
    Insert {
        serial: String,
        #[serde(default)]
        reader: Option<u32>,
    },
    Remove {
        serial: String,
    },
    Bank(BankAction),
    DaysPass(u32),
    Flow(String),
}

/// A script read and its PINs looked up.
#[derive(Debug, Default)]
pub struct Script {
    pub setup: Setup,
    /// Each step with its line number in the file.
    pub steps: Vec<(usize, ScriptStep)>,
}

impl Script {
    /// Reads a script; PIN names are looked up in `pins`. The error names the line.
    pub fn parse(text: &str, pins: &PinBook) -> Result<Script, ScriptError> {
        let mut script = Script::default();
        let mut first = true;
        for (n, raw) in text.lines().enumerate() {
            let number = n + 1;
            let raw = raw.trim();
            if raw.is_empty() || raw.starts_with('#') {
                continue;
            }
            let at = |e: ScriptError| ScriptError::Line {
                line: number,
                problem: Box::new(e),
            };
            let line: Line = serde_json::from_str(raw).map_err(|e| at(e.into()))?;
            let step = match line {
                Line::Setup(setup) if first => {
                    setup.day().map_err(at)?;
                    script.setup = setup;
                    first = false;
                    continue;
                }
                Line::Setup(_) => return Err(at(ScriptError::SetupNotFirst)),
                Line::Wait(code) => ScriptStep::Wait(code),
                Line::Check(check) => ScriptStep::Check(check),
                Line::See(text) => ScriptStep::See(text),
                Line::WaitToken(s) => ScriptStep::WaitToken(s),
                Line::WaitNoToken(s) => ScriptStep::WaitNoToken(s),
                Line::Answer(value) => ScriptStep::Answer(answer(value, pins).map_err(at)?),
                Line::Insert { serial, reader } => ScriptStep::Insert { serial, reader },
                Line::Remove { serial } => ScriptStep::Remove { serial },
                Line::Bank(action) => ScriptStep::Bank(action),
                Line::DaysPass(days) => ScriptStep::DaysPass(days),
                Line::Flow(flow) => ScriptStep::Flow(flow),
            };
            first = false;
            script.steps.push((number, step));
        }
        Ok(script)
    }

    /// The steps without their line numbers.
    pub fn into_steps(self) -> Vec<ScriptStep> {
        self.steps.into_iter().map(|(_, s)| s).collect()
    }
}

/// An answer; its PINs must be names (`${PIN_NEW}`) and are looked up.
fn answer(value: serde_json::Value, pins: &PinBook) -> Result<Answer, ScriptError> {
    let named = |v: &serde_json::Value| -> Result<Pin, ScriptError> {
        let text = v.as_str().unwrap_or_default();
        match pins::reference(text) {
            Some(name) => pins.resolve(name),
            None => Err(ScriptError::PinNotNamed),
        }
    };
    if let Some(pin) = value.get("pin") {
        return Ok(Answer::Pin(named(pin)?));
    }
    if let Some(form) = value.get("change_pin") {
        let field = |name: &'static str| {
            form.get(name)
                .ok_or(ScriptError::MissingField(name))
                .and_then(named)
        };
        return Ok(Answer::ChangePin {
            current: field("current")?,
            new: field("new")?,
            repeat: field("repeat")?,
        });
    }
    Ok(serde_json::from_value(value)?)
}

#[cfg(test)]
mod tests {
    use super::*;
    use smartkey_wizard::FieldId;

    fn book() -> PinBook {
        let mut book = PinBook::without_environment();
        book.know("PIN_NEW", "Qw7-user-pin");
        book
    }

    #[test]
    fn scripts_read_steps_and_look_up_pin_names() {
        let script = Script::parse(
            "# a comment\n\n{\"setup\": {\"lang\": \"en\", \"seed\": \"s\", \"approval\": \"manual\"}}\n\
             {\"flow\": \"new\"}\n{\"wait\": \"N2.1\"}\n{\"answer\": \"next\"}\n\
             {\"answer\": {\"edit\": {\"field\": \"surname\", \"value\": \"Иванов\"}}}\n\
             {\"answer\": {\"pin\": \"${PIN_NEW}\"}}\n\
             {\"answer\": {\"change_pin\": {\"current\": \"${PIN_FACTORY}\", \"new\": \"${PIN_NEW}\", \"repeat\": \"${PIN_NEW}\"}}}\n\
             {\"remove\": {\"serial\": \"0A\"}}\n{\"wait_token\": \"0B\"}\n\
             {\"check\": \"N2.4\"}\n{\"check\": {\"step\": \"N2.4\", \"snapshot\": \"wrong PIN\"}}\n\
             {\"see\": \"PIN\"}\n{\"bank\": \"approve\"}\n{\"bank\": {\"reject\": \"no\"}}\n{\"days_pass\": 2}\n",
            &book(),
        )
        .expect("a script");
        assert_eq!(script.setup.lang, Lang::En);
        assert_eq!(script.setup.approval, Approval::Manual);
        assert_eq!(script.setup.date, "2026-11-23", "the default day");
        assert_eq!(script.steps.len(), 14);
        assert_eq!(
            script.steps[0].0, 4,
            "line numbers count comments and blanks"
        );
        assert!(matches!(&script.steps[1].1, ScriptStep::Wait(c) if c == "N2.1"));
        assert!(matches!(
            &script.steps[3].1,
            ScriptStep::Answer(Answer::Edit { field: FieldId::Surname, value }) if value == "Иванов"
        ));
        assert!(
            matches!(&script.steps[4].1, ScriptStep::Answer(Answer::Pin(p)) if p.matches(&Pin::new("Qw7-user-pin".into())))
        );
        assert!(matches!(
            &script.steps[5].1,
            ScriptStep::Answer(Answer::ChangePin { .. })
        ));
        assert!(matches!(&script.steps[8].1, ScriptStep::Check(Check::Step(s)) if s == "N2.4"));
        assert!(
            matches!(&script.steps[9].1, ScriptStep::Check(Check::Named { snapshot, .. }) if snapshot == "wrong PIN")
        );
        assert!(
            matches!(&script.steps[12].1, ScriptStep::Bank(BankAction::Reject(r)) if r == "no")
        );
        assert!(matches!(&script.steps[13].1, ScriptStep::DaysPass(2)));
        assert!(
            !format!("{:?}", script.steps).contains("Qw7-user-pin"),
            "a script's PIN never shows"
        );
    }

    #[test]
    fn bad_lines_are_named_and_pins_must_be_names() {
        let err = Script::parse("{\"wait\": \"N2.1\"}\n{\"jump\": 1}\n", &book())
            .expect_err("refused")
            .to_string();
        assert!(err.starts_with("line 2:"), "{err}");
        for literal in [
            "{\"answer\": {\"pin\": \"12345678\"}}",
            "{\"answer\": {\"pin\": \"<hidden>\"}}",
            "{\"answer\": {\"change_pin\": {\"current\": \"${PIN_FACTORY}\", \"new\": \"Qw7-user-pin\", \"repeat\": \"${PIN_NEW}\"}}}",
        ] {
            let err = Script::parse(literal, &book())
                .expect_err("a PIN in the script")
                .to_string();
            assert!(
                err.contains("names its PINs") && !err.contains("Qw7"),
                "{err}"
            );
        }
        let err = Script::parse("{\"answer\": {\"pin\": \"${PIN_OTHER}\"}}", &book())
            .expect_err("unknown name")
            .to_string();
        assert!(err.contains("PIN_OTHER"), "{err}");
        let err = Script::parse("{\"flow\": \"new\"}\n{\"setup\": {}}", &book())
            .expect_err("late")
            .to_string();
        assert!(err.contains("first line"), "{err}");
        let err = Script::parse("{\"setup\": {\"date\": \"23.11.2026\"}}", &book())
            .expect_err("date")
            .to_string();
        assert!(err.contains("YYYY-MM-DD"), "{err}");
    }
}
