//! `smartkey replay --cast FILE`: an asciinema v2 recording of a replay, so support
//! staff can show a run the way a person saw it. Each screen is drawn by the
//! full-screen view ([`crate::ui::tui`]) into a fixed-size terminal whose bytes are the
//! recording's output events. The clock of the recording is the script's, not the
//! wall's (a second per screen, half a second per answer), so the same script gives
//! the same recording.

use super::record::RecordingError;
use std::io::{self, Write};
use std::path::Path;
use std::sync::{Arc, Mutex};

use ratatui::backend::CrosstermBackend;
use ratatui::layout::Rect;
use ratatui::{Terminal, TerminalOptions, Viewport};
use serde_json::json;

use crate::ui::tui::{UiState, draw};
use smartkey_i18n::Catalogue;
use smartkey_wizard::Screen;

use super::frontend::{Event, Frontend};

/// Seconds between two screens in the recording.
const SCREEN_SECONDS: f64 = 1.0;
/// Seconds an answer adds (the person reading and typing).
const ANSWER_SECONDS: f64 = 0.5;

/// The bytes the drawing terminal writes, taken after each frame.
#[derive(Clone, Default)]
struct Output(Arc<Mutex<Vec<u8>>>);

impl Output {
    fn take(&self) -> Vec<u8> {
        self.0
            .lock()
            .map(|mut b| std::mem::take(&mut *b))
            .unwrap_or_default()
    }
}

impl Write for Output {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        let mut bytes = self
            .0
            .lock()
            .map_err(|_| io::Error::other("the recording's buffer is poisoned"))?;
        bytes.extend_from_slice(buf);
        Ok(buf.len())
    }

    fn flush(&mut self) -> io::Result<()> {
        Ok(())
    }
}

/// An asciinema v2 recording being made.
pub struct Cast {
    width: u16,
    height: u16,
    catalogue: Catalogue,
    output: Output,
    terminal: Terminal<CrosstermBackend<Output>>,
    state: UiState,
    time: f64,
    events: Vec<(f64, String)>,
}

impl Cast {
    pub fn new(width: u16, height: u16, catalogue: Catalogue) -> io::Result<Cast> {
        let output = Output::default();
        let backend = CrosstermBackend::new(output.clone());
        let terminal = Terminal::with_options(
            backend,
            TerminalOptions {
                viewport: Viewport::Fixed(Rect::new(0, 0, width, height)),
            },
        )?;
        Ok(Cast {
            width,
            height,
            catalogue,
            output,
            terminal,
            state: UiState::new(),
            time: 0.0,
            events: vec![(0.0, "\u{1b}[2J\u{1b}[H".into())],
        })
    }

    /// Draws `screen` as the next frame.
    pub fn frame(&mut self, screen: &Screen) {
        self.state.sync(screen);
        let (catalogue, state) = (&self.catalogue, &self.state);
        if self
            .terminal
            .draw(|frame| draw(frame, screen, catalogue, state, true))
            .is_err()
        {
            return;
        }
        let bytes = self.output.take();
        if !bytes.is_empty() {
            self.time += SCREEN_SECONDS;
            self.events
                .push((self.time, String::from_utf8_lossy(&bytes).into_owned()));
        }
    }

    fn answered(&mut self) {
        self.time += ANSWER_SECONDS;
    }

    /// The recording as asciinema v2 text: a header line, then one event per line.
    pub fn render(&self, title: &str) -> String {
        let mut out = json!({
            "version": 2,
            "width": self.width,
            "height": self.height,
            "title": title,
            "env": { "TERM": "xterm-256color" },
        })
        .to_string();
        out.push('\n');
        for (time, data) in &self.events {
            out.push_str(&json!([(time * 1000.0).round() / 1000.0, "o", data]).to_string());
            out.push('\n');
        }
        out
    }

    pub fn save(&self, path: &Path, title: &str) -> Result<(), RecordingError> {
        crate::protection::write_private(path, self.render(title).as_bytes()).map_err(|source| {
            RecordingError::Write {
                path: path.to_path_buf(),
                source,
            }
        })
    }

    /// Casts what `frontend` is shown.
    pub fn watch<'a, F: Frontend>(&'a mut self, frontend: &'a mut F) -> Casting<'a, F> {
        Casting {
            cast: self,
            inner: frontend,
        }
    }
}

/// A frontend whose screens are also cast.
pub struct Casting<'a, F> {
    cast: &'a mut Cast,
    inner: &'a mut F,
}

impl<F: Frontend> Frontend for Casting<'_, F> {
    fn show(&mut self, screen: &Screen) {
        self.cast.frame(screen);
        self.inner.show(screen);
    }

    async fn next_event(&mut self) -> Option<Event> {
        let event = self.inner.next_event().await;
        if matches!(event, Some(Event::Answer(_))) {
            self.cast.answered();
        }
        event
    }

    fn reads_while_busy(&self) -> bool {
        self.inner.reads_while_busy()
    }
}
