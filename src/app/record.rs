//! `--record FILE`: a live run written down as a script ([`super::script`]) that
//! `smartkey replay` plays again. The recorder sits between the runtime and whatever
//! frontend the person uses, and writes what the person did: the answers (PINs by
//! name only), the tokens they put in and took out, and a checkpoint with the screen
//! the first time each step is answered, so that a replay shows where it differs.

use std::path::PathBuf;

use serde_json::json;

use smartkey_i18n::Catalogue;
use smartkey_wizard::Pin;
use smartkey_wizard::{Answer, Screen};

use super::frontend::{Event, Frontend};
use super::script::Setup;
use super::script::pins::{PinNamer, PinUse, changed_kind};
use super::script::screens::{Namer, Snapshots, snapshot_text};

/// A recording (a script, its screens, a terminal cast) could not be written.
#[derive(Debug, thiserror::Error)]
pub enum RecordingError {
    #[error("the recording {} cannot be written: {source}", .path.display())]
    Write {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error(transparent)]
    Screens(#[from] super::script::ScriptError),
}

/// What stands for the demo's own folder in recorded screens (it differs per run).
pub const DEMO_DIR: &str = "<demo>";

/// The script of a run being recorded; written out at the end of every flow.
pub struct Recorder {
    path: PathBuf,
    setup: Setup,
    catalogue: Catalogue,
    lines: Vec<String>,
    snapshots: Snapshots,
    names: Namer,
    pins: PinNamer,
    /// The tokens the script has put in so far.
    tokens: Vec<String>,
    /// Text replaced in recorded screens.
    replace: Vec<(String, String)>,
}

impl Recorder {
    pub fn new(path: PathBuf, setup: Setup, catalogue: Catalogue) -> Recorder {
        Recorder {
            path,
            setup,
            catalogue,
            lines: Vec::new(),
            snapshots: Snapshots::default(),
            names: Namer::default(),
            pins: PinNamer::default(),
            tokens: Vec::new(),
            replace: Vec::new(),
        }
    }

    /// A run in the demo environment at `dir`: its folder is written as [`DEMO_DIR`], its
    /// training PINs (`pins`, by name) by their names.
    pub fn in_demo(mut self, dir: &std::path::Path, pins: &[(&str, &str)]) -> Recorder {
        self.replace
            .push((dir.display().to_string(), DEMO_DIR.to_string()));
        for (name, value) in pins {
            self.pins.preset(name, Pin::new((*value).into()));
        }
        self
    }

    /// Records flow `name` as `frontend` runs it.
    pub fn flow<'a, F: Frontend>(
        &'a mut self,
        name: &str,
        frontend: &'a mut F,
    ) -> Recording<'a, F> {
        self.push(json!({ "flow": name }));
        Recording {
            recorder: self,
            inner: frontend,
            screen: None,
            checked: None,
            answered: false,
        }
    }

    fn push(&mut self, line: serde_json::Value) {
        self.lines.push(line.to_string());
    }

    /// Writes the script and its `.screens` file.
    fn save(&self) -> Result<(), RecordingError> {
        let name = self
            .path
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default();
        let mut text = format!(
            "# Recorded by smartkey; play it with `smartkey replay {name}`. PINs are named, never written:\n# give their values in the environment or a secrets file.\n"
        );
        text.push_str(&json!({ "setup": self.setup }).to_string());
        text.push('\n');
        for line in &self.lines {
            text.push_str(line);
            text.push('\n');
        }
        crate::protection::write_private(&self.path, text.as_bytes()).map_err(|source| {
            RecordingError::Write {
                path: self.path.clone(),
                source,
            }
        })?;
        Ok(self
            .snapshots
            .save(&Snapshots::path_for(&self.path), &name)?)
    }

    fn checkpoint(&mut self, screen: &Screen) {
        let code = screen.code.as_str();
        let name = self.names.name(code);
        let text = snapshot_text(screen, &self.catalogue, &self.replace);
        self.snapshots.push(name, &text);
        self.push(json!({ "check": code }));
    }

    /// The answer as a script line, its PINs named.
    fn answer(&mut self, answer: &Answer, screen: &Screen) -> serde_json::Value {
        let mut name = |pin: &Pin, used: PinUse| format!("${{{}}}", self.pins.name(pin, used));
        match answer {
            Answer::Pin(pin) => json!({ "answer": { "pin": name(pin, PinUse::Login) } }),
            Answer::ChangePin {
                current,
                new,
                repeat,
            } => {
                let kind = changed_kind(screen);
                json!({ "answer": { "change_pin": {
                    "current": name(current, PinUse::Current(kind)),
                    "new": name(new, PinUse::New(kind)),
                    "repeat": name(repeat, PinUse::Repeat(kind)),
                } } })
            }
            other => json!({ "answer": other }),
        }
    }
}

/// A frontend being recorded.
pub struct Recording<'a, F> {
    recorder: &'a mut Recorder,
    inner: &'a mut F,
    screen: Option<Screen>,
    /// The step last checkpointed, while the wizard stays on it.
    checked: Option<String>,
    /// Whether the person has answered in this flow (before that, an empty token list
    /// may only mean that the readers were not looked at yet).
    answered: bool,
}

impl<F> Recording<'_, F> {
    /// Ends the flow: checks its last screen, writes the files.
    pub fn end(self) -> Result<(), RecordingError> {
        if let Some(screen) = &self.screen
            && self.checked.as_deref() != Some(screen.code.as_str())
        {
            self.recorder.checkpoint(screen);
        }
        self.recorder.save()
    }

    fn tokens_seen(&mut self, screen: &Screen) {
        let now: Vec<String> = screen.tokens.iter().map(|t| t.serial.clone()).collect();
        // A flow's first screens list no token until the readers were looked at.
        if self.answered || !now.is_empty() {
            let gone: Vec<String> = self
                .recorder
                .tokens
                .iter()
                .filter(|s| !now.contains(s))
                .cloned()
                .collect();
            for serial in gone {
                self.recorder
                    .push(json!({ "remove": { "serial": serial } }));
                self.recorder.push(json!({ "wait_no_token": serial }));
                self.recorder.tokens.retain(|s| *s != serial);
            }
        }
        for serial in now {
            if !self.recorder.tokens.contains(&serial) {
                self.recorder
                    .push(json!({ "insert": { "serial": serial } }));
                self.recorder.push(json!({ "wait_token": serial }));
                self.recorder.tokens.push(serial);
            }
        }
    }
}

impl<F: Frontend> Frontend for Recording<'_, F> {
    fn show(&mut self, screen: &Screen) {
        self.inner.show(screen);
        self.tokens_seen(screen);
        if self.checked.as_deref() != Some(screen.code.as_str()) {
            self.checked = None;
        }
        self.screen = Some(screen.clone());
    }

    async fn next_event(&mut self) -> Option<Event> {
        let event = self.inner.next_event().await;
        if let (Some(Event::Answer(answer)), Some(screen)) = (&event, &self.screen) {
            let code = screen.code.as_str().to_string();
            if self.checked.as_deref() != Some(code.as_str()) {
                self.recorder.checkpoint(screen);
                self.checked = Some(code);
            }
            let line = self.recorder.answer(answer, screen);
            self.recorder.push(line);
            self.answered = true;
        }
        event
    }

    fn reads_while_busy(&self) -> bool {
        self.inner.reads_while_busy()
    }
}
