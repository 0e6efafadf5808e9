//! The frontend that plays a script: it waits for the steps the script names, gives the
//! answers, puts virtual tokens in and out, acts for the bank, and compares the screen
//! at every checkpoint with its snapshot (collecting the differences, so that one
//! replay shows them all).

use std::collections::VecDeque;
use std::sync::Arc;
use std::time::Duration;

use tokio::time::Instant;

use crate::ui::text::render_screen;
use smartkey_i18n::Catalogue;
use smartkey_wizard::Screen;

use super::super::frontend::{Event, Frontend};
use super::bench::Bench;
use super::error::BenchError;
use super::screens::{Mismatch, Namer, Snapshots, snapshot_text};
use super::{Check, ScriptStep};

/// What a replay compares screens with, and what it found.
#[derive(Debug)]
pub struct Checking {
    pub catalogue: Catalogue,
    /// The snapshots expected.
    pub expected: Snapshots,
    /// The screens seen at the checkpoints (what `--update` writes).
    pub seen: Snapshots,
    /// The checkpoints whose screen differed, in order.
    pub mismatches: Vec<Mismatch>,
    /// Text replaced in screens before they are compared: the environment's own
    /// folder, which differs from run to run.
    pub replace: Vec<(String, String)>,
    names: Namer,
}

impl Checking {
    pub fn new(catalogue: Catalogue, expected: Snapshots) -> Checking {
        Checking {
            catalogue,
            expected,
            seen: Snapshots::default(),
            mismatches: Vec::new(),
            replace: Vec::new(),
            names: Namer::default(),
        }
    }

    fn check(&mut self, check: &Check, line: usize, screen: &Screen) {
        let name = match check {
            Check::Step(step) => self.names.name(step),
            Check::Named { snapshot, .. } => snapshot.clone(),
        };
        let text = snapshot_text(screen, &self.catalogue, &self.replace);
        if let Some(m) = Mismatch::between(
            &name,
            screen.code.as_str(),
            line,
            self.expected.get(&name),
            &text,
        ) {
            self.mismatches.push(m);
        }
        self.seen.push(name, &text);
    }
}

/// A frontend that plays a script and remembers what it was shown.
pub struct Scripted {
    /// The steps to play, each with its line in the script (0: not from a file).
    steps: VecDeque<(usize, ScriptStep)>,
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
    echo: Option<Catalogue>,
    /// Compare screens at checkpoints; without it a checkpoint only waits for its step.
    pub checking: Option<Checking>,
}

impl Scripted {
    pub fn new(steps: Vec<ScriptStep>, bench: Option<Arc<dyn Bench>>) -> Scripted {
        Scripted::numbered(steps.into_iter().map(|s| (0, s)).collect(), bench)
    }

    /// Steps with their line numbers in the script, for messages that name the line.
    pub fn numbered(steps: Vec<(usize, ScriptStep)>, bench: Option<Arc<dyn Bench>>) -> Scripted {
        Scripted {
            steps: steps.into(),
            bench,
            screen: None,
            patience: Duration::from_secs(60),
            deadline: None,
            codes: Vec::new(),
            screens: Vec::new(),
            echo: None,
            checking: None,
        }
    }

    /// Compares the screens at checkpoints.
    pub fn checking(mut self, checking: Checking) -> Scripted {
        self.checking = Some(checking);
        self
    }

    /// Prints every screen shown, in the catalogue's language.
    pub fn echo(mut self, catalogue: Catalogue) -> Scripted {
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

    /// The flow the script begins next, if it begins one now.
    pub fn peek_flow(&self) -> Option<&str> {
        match self.steps.front() {
            Some((_, ScriptStep::Flow(name))) => Some(name),
            _ => None,
        }
    }

    /// Takes the steps up to (not including) the next `flow` line, for the demo.
    pub fn take_flow(&mut self) -> Option<String> {
        match self.steps.front() {
            Some((_, ScriptStep::Flow(name))) => {
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
            let (line, step) = self.steps.front()?;
            let line = *line;
            let ready = self.screen.as_ref().is_some_and(|s| s.progress.is_none());
            match step {
                ScriptStep::Wait(code) => {
                    if !self.ready_for(code) {
                        let what = format!("waited for {code}, but the wizard is at {}", self.at());
                        return self.stuck(what).await;
                    }
                }
                ScriptStep::Check(check) => {
                    let code = check.step().to_string();
                    if !self.ready_for(&code) {
                        let what = format!(
                            "waited for {code} to check its screen, but the wizard is at {}",
                            self.at()
                        );
                        return self.stuck(what).await;
                    }
                    if let (Some(checking), Some(screen)) = (&mut self.checking, &self.screen) {
                        checking.check(check, line, screen);
                    }
                }
                ScriptStep::See(text) => {
                    let catalogue = self
                        .checking
                        .as_ref()
                        .map(|c| c.catalogue)
                        .or(self.echo)
                        .unwrap_or_default();
                    let seen = ready
                        && self
                            .screen
                            .as_ref()
                            .is_some_and(|s| render_screen(s, &catalogue).contains(text.as_str()));
                    if !seen {
                        let what = format!("waited to see {text:?} at {}", self.at());
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
                    if !ready {
                        let what = format!("the wizard stays busy at {}", self.at());
                        return self.stuck(what).await;
                    }
                }
                ScriptStep::Insert { .. }
                | ScriptStep::Remove { .. }
                | ScriptStep::Bank(_)
                | ScriptStep::DaysPass(_) => {}
                ScriptStep::Flow(_) => return None,
            }
            self.deadline = None;
            let (line, step) = self.steps.pop_front()?;
            let acted = match step {
                ScriptStep::Answer(answer) => {
                    if self.echo.is_some() {
                        println!("> {}", crate::ui::transcript::describe(&answer));
                    }
                    return Some(Event::Answer(answer));
                }
                ScriptStep::Insert { serial, reader } => {
                    self.on_bench(|b| b.insert(&serial, reader))
                }
                ScriptStep::Remove { serial } => self.on_bench(|b| b.remove(&serial)),
                ScriptStep::Bank(action) => self.on_bench(|b| b.bank(&action)),
                ScriptStep::DaysPass(days) => self.on_bench(|b| b.days_pass(days)),
                ScriptStep::Wait(_)
                | ScriptStep::Check(_)
                | ScriptStep::See(_)
                | ScriptStep::WaitToken(_)
                | ScriptStep::WaitNoToken(_)
                | ScriptStep::Flow(_) => Ok(()),
            };
            if let Err(e) = acted {
                let at = if line > 0 {
                    format!("script line {line}: ")
                } else {
                    String::new()
                };
                return Some(Event::Failed(format!("{at}{e}")));
            }
        }
    }
}

impl Scripted {
    /// Runs `act` on the bench; a script that needs one and has none fails.
    fn on_bench(
        &self,
        act: impl FnOnce(&dyn Bench) -> Result<(), BenchError>,
    ) -> Result<(), BenchError> {
        match &self.bench {
            Some(bench) => act(bench.as_ref()),
            None => Err(BenchError::NoBench),
        }
    }
}
