//! Scripted runs: the answers of a person, the token swaps and the screens to wait for,
//! one JSON object per line, so that tests and the demo drive every flow through the
//! real runtime.
//!
//! ```text
//! # comments and blank lines are skipped
//! {"wait": "N2.1"}                          wait for this step (not busy)
//! {"answer": "next"}                        any wizard Answer, as in journals
//! {"answer": {"edit": {"field": "surname", "value": "Иванов"}}}
//! {"answer": {"pin": "Qw7-user-pin"}}        PINs are given in the script itself
//! {"remove": {"serial": "0A0A0A01"}}         pull a virtual token out
//! {"wait_no_token": "0A0A0A01"}              until the wizard has seen it go
//! {"insert": {"serial": "0B0B0B02", "reader": 1}}
//! {"wait_token": "0B0B0B02"}                 until the wizard has seen it come
//! {"flow": "save"}                          the demo's next flow (demo scripts only)
//! ```

use std::collections::VecDeque;
use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

use serde::Deserialize;
use tokio::time::Instant;

use crate::wizard::{Answer, Screen};

use super::frontend::{Event, Frontend};

/// One line of a script.
#[derive(Debug, Deserialize)]
#[serde(rename_all = "snake_case", deny_unknown_fields)]
pub enum ScriptStep {
    /// Wait until the wizard shows this step and waits for the person.
    Wait(String),
    /// Wait until the screen lists this token (the readers were looked at).
    WaitToken(String),
    /// Wait until the screen no longer lists this token.
    WaitNoToken(String),
    /// What the person does.
    Answer(Answer),
    /// Put a virtual token into a reader.
    Insert {
        serial: String,
        #[serde(default)]
        reader: Option<u32>,
    },
    /// Pull a virtual token out.
    Remove { serial: String },
    /// The demo's next flow: `new`, `renew` or `save` (the latest e-mailed link).
    Flow(String),
}

/// Reads a script; the error names the line.
pub fn parse(text: &str) -> Result<Vec<ScriptStep>, String> {
    let mut steps = Vec::new();
    for (n, line) in text.lines().enumerate() {
        let line = line.trim();
        if line.is_empty() || line.starts_with('#') {
            continue;
        }
        let step = serde_json::from_str(line).map_err(|e| format!("line {}: {e}", n + 1))?;
        steps.push(step);
    }
    Ok(steps)
}

/// Whatever puts tokens in and out of readers: the virtual Rutoken's command.
pub trait Bench: Send + Sync {
    fn insert(&self, serial: &str, reader: Option<u32>) -> Result<(), String>;
    fn remove(&self, serial: &str) -> Result<(), String>;
}

/// The `rutoken-emu` command on one state directory.
#[derive(Debug, Clone)]
pub struct EmuBench {
    pub command: PathBuf,
    pub dir: PathBuf,
}

impl EmuBench {
    /// Runs the command with `args`; its error output is the error.
    pub fn run(&self, args: &[&str]) -> Result<(), String> {
        let out = std::process::Command::new(&self.command)
            .env("RUTOKEN_EMU_DIR", &self.dir)
            .args(args)
            .output()
            .map_err(|e| format!("{} cannot run: {e}", self.command.display()))?;
        if out.status.success() {
            Ok(())
        } else {
            Err(format!(
                "rutoken-emu {}: {}",
                args.join(" "),
                String::from_utf8_lossy(&out.stderr).trim()
            ))
        }
    }
}

impl Bench for EmuBench {
    fn insert(&self, serial: &str, reader: Option<u32>) -> Result<(), String> {
        match reader {
            Some(r) => self.run(&["insert", serial, "--reader", &r.to_string()]),
            None => self.run(&["insert", serial]),
        }
    }

    fn remove(&self, serial: &str) -> Result<(), String> {
        self.run(&["remove", serial])
    }
}

/// A frontend that plays a script and remembers what it was shown.
pub struct Scripted {
    steps: VecDeque<ScriptStep>,
    bench: Option<Arc<dyn Bench>>,
    screen: Option<Screen>,
    /// The longest wait for one step of the script.
    patience: Duration,
    deadline: Option<Instant>,
    /// The code of every screen shown, in order (repeats collapsed).
    pub codes: Vec<String>,
    /// Every screen shown.
    pub screens: Vec<Screen>,
    /// Print each screen as text, for people watching a scripted run.
    echo: Option<crate::i18n::Catalogue>,
}

impl Scripted {
    pub fn new(steps: Vec<ScriptStep>, bench: Option<Arc<dyn Bench>>) -> Scripted {
        Scripted {
            steps: steps.into(),
            bench,
            screen: None,
            patience: Duration::from_secs(60),
            deadline: None,
            codes: Vec::new(),
            screens: Vec::new(),
            echo: None,
        }
    }

    /// Prints every screen shown, in the catalogue's language.
    pub fn echo(mut self, catalogue: crate::i18n::Catalogue) -> Scripted {
        self.echo = Some(catalogue);
        self
    }

    pub fn with_patience(mut self, patience: Duration) -> Scripted {
        self.patience = patience;
        self
    }

    /// The steps not played yet (a flow ended before its script did).
    pub fn remaining(&self) -> usize {
        self.steps.len()
    }

    /// Takes the steps up to (not including) the next `flow` line, for the demo.
    pub fn take_flow(&mut self) -> Option<String> {
        match self.steps.front() {
            Some(ScriptStep::Flow(name)) => {
                let name = name.clone();
                self.steps.pop_front();
                Some(name)
            }
            _ => None,
        }
    }

    fn at(&self) -> String {
        self.screen
            .as_ref()
            .map(|s| s.code.as_str().to_string())
            .unwrap_or_else(|| "no screen".into())
    }

    fn ready_for(&self, code: &str) -> bool {
        self.screen
            .as_ref()
            .is_some_and(|s| s.code.as_str() == code && s.progress.is_none())
    }

    /// Waits out the patience for the step at the front; `Failed` when it runs out.
    async fn stuck(&mut self, what: String) -> Option<Event> {
        let deadline = *self
            .deadline
            .get_or_insert_with(|| Instant::now() + self.patience);
        tokio::time::sleep_until(deadline).await;
        Some(Event::Failed(what))
    }
}

impl Frontend for Scripted {
    fn show(&mut self, screen: &Screen) {
        let code = screen.code.as_str().to_string();
        if self.codes.last() != Some(&code) {
            self.codes.push(code);
        }
        if let Some(catalogue) = &self.echo {
            println!("\n{}", crate::ui::text::render_screen(screen, catalogue));
        }
        self.screens.push(screen.clone());
        self.screen = Some(screen.clone());
    }

    async fn next_event(&mut self) -> Option<Event> {
        loop {
            let step = self.steps.front()?;
            match step {
                ScriptStep::Wait(code) => {
                    if !self.ready_for(code) {
                        let what = format!("waited for {code}, but the wizard is at {}", self.at());
                        return self.stuck(what).await;
                    }
                }
                ScriptStep::WaitToken(serial) | ScriptStep::WaitNoToken(serial) => {
                    let wanted = matches!(step, ScriptStep::WaitToken(_));
                    let listed = self
                        .screen
                        .as_ref()
                        .is_some_and(|s| s.tokens.iter().any(|t| &t.serial == serial));
                    if listed != wanted {
                        let what = format!(
                            "waited for the token {serial} to come or go, at {}",
                            self.at()
                        );
                        return self.stuck(what).await;
                    }
                }
                ScriptStep::Answer(_) => {
                    if self.screen.as_ref().is_some_and(|s| s.progress.is_some()) {
                        let what = format!("the wizard stays busy at {}", self.at());
                        return self.stuck(what).await;
                    }
                }
                ScriptStep::Insert { .. } | ScriptStep::Remove { .. } => {}
                ScriptStep::Flow(_) => return None,
            }
            self.deadline = None;
            match self.steps.pop_front()? {
                ScriptStep::Answer(answer) => {
                    if self.echo.is_some() {
                        println!("> {}", crate::ui::transcript::describe(&answer));
                    }
                    return Some(Event::Answer(answer));
                }
                ScriptStep::Insert { serial, reader } => {
                    if let Some(Err(e)) = self.bench.as_ref().map(|b| b.insert(&serial, reader)) {
                        return Some(Event::Failed(e));
                    }
                }
                ScriptStep::Remove { serial } => {
                    if let Some(Err(e)) = self.bench.as_ref().map(|b| b.remove(&serial)) {
                        return Some(Event::Failed(e));
                    }
                }
                ScriptStep::Wait(_)
                | ScriptStep::WaitToken(_)
                | ScriptStep::WaitNoToken(_)
                | ScriptStep::Flow(_) => {}
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::wizard::FieldId;

    #[test]
    fn scripts_read_answers_waits_and_swaps_and_name_a_bad_line() {
        let steps = parse(
            "# a comment\n\n{\"wait\": \"N2.1\"}\n{\"answer\": \"next\"}\n\
             {\"answer\": {\"edit\": {\"field\": \"surname\", \"value\": \"Иванов\"}}}\n\
             {\"answer\": {\"pin\": \"Qw7-user-pin\"}}\n\
             {\"remove\": {\"serial\": \"0A\"}}\n{\"wait_token\": \"0B\"}\n{\"flow\": \"save\"}\n",
        )
        .expect("a script");
        assert_eq!(steps.len(), 7);
        assert!(matches!(&steps[0], ScriptStep::Wait(c) if c == "N2.1"));
        assert!(matches!(
            &steps[2],
            ScriptStep::Answer(Answer::Edit { field: FieldId::Surname, value }) if value == "Иванов"
        ));
        assert!(matches!(&steps[3], ScriptStep::Answer(Answer::Pin(_))));
        assert!(
            !format!("{steps:?}").contains("Qw7-user-pin"),
            "a script's PIN never shows"
        );
        let err = parse("{\"wait\": \"N2.1\"}\n{\"jump\": 1}\n").expect_err("refused");
        assert!(err.starts_with("line 2:"), "{err}");
        assert!(
            parse("{\"answer\": {\"pin\": \"<hidden>\"}}").is_err(),
            "a recorded PIN marker is not a PIN"
        );
    }
}
