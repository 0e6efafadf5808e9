//! The full-screen frontend: the ratatui view of [`crate::ui::tui`] on the real terminal.
//!
//! Terminal events are read on a thread of their own (crossterm's reads block) and handed
//! over through a channel, so waiting for a key is cancel-safe, as the runtime needs.
//! The terminal is put back (raw mode off, main screen) when the frontend is dropped,
//! whichever way the run ends; ratatui's panic hook does the same on a panic.

use std::io::{self, IsTerminal};
use std::time::Duration;

use crossterm::event::{Event as TermEvent, KeyEventKind};
use ratatui::DefaultTerminal;
use tokio::sync::mpsc;

use crate::ui::tui::{UiState, draw};
use smartkey_i18n::Catalogue;
use smartkey_wizard::{Progress, Screen};

use super::frontend::{Event, Frontend};

/// How often the progress spinner moves. Only a screen with a spinner is drawn on a
/// timer; any other is drawn when something changes: a new screen, a key, a resize.
const TICK: Duration = Duration::from_millis(250);

pub struct Tui {
    terminal: DefaultTerminal,
    catalogue: Catalogue,
    state: UiState,
    screen: Option<Screen>,
    colors: bool,
    events: mpsc::UnboundedReceiver<TermEvent>,
}

impl Tui {
    /// Whether a full-screen view can run here: both standard input and output are
    /// terminals, and the terminal is not "dumb".
    pub fn available() -> bool {
        io::stdin().is_terminal()
            && io::stdout().is_terminal()
            && std::env::var("TERM").is_ok_and(|t| !t.is_empty() && t != "dumb")
    }

    /// Switches the terminal to the full-screen view. Colours follow NO_COLOR
    /// (https://no-color.org: set and not empty means no colour).
    pub fn start(catalogue: Catalogue) -> io::Result<Tui> {
        let terminal = ratatui::try_init()?;
        let (send, events) = mpsc::unbounded_channel();
        std::thread::spawn(move || {
            while let Ok(event) = crossterm::event::read() {
                if send.send(event).is_err() {
                    break;
                }
            }
        });
        Ok(Tui {
            terminal,
            catalogue,
            state: UiState::new(),
            screen: None,
            colors: std::env::var_os("NO_COLOR").is_none_or(|v| v.is_empty()),
            events,
        })
    }

    fn redraw(&mut self) {
        let Some(screen) = &self.screen else { return };
        let (catalogue, state, colors) = (&self.catalogue, &self.state, self.colors);
        // A failed draw (the terminal went away) shows up as the end of input next.
        let _ = self
            .terminal
            .draw(|frame| draw(frame, screen, catalogue, state, colors));
    }
}

impl Drop for Tui {
    fn drop(&mut self) {
        ratatui::restore();
    }
}

impl Frontend for Tui {
    fn show(&mut self, screen: &Screen) {
        // Keys typed before a new step's screen (or while the last one was busy) were
        // meant for what the person saw then: dropped, never applied to this screen.
        let fresh = self
            .screen
            .as_ref()
            .is_none_or(|s| s.code != screen.code || s.progress.is_some());
        // The same screen again (a token watch that found nothing new) changes nothing
        // that is shown.
        if !fresh && self.screen.as_ref() == Some(screen) {
            return;
        }
        if fresh {
            while let Ok(event) = self.events.try_recv() {
                if let TermEvent::Resize(_, _) = event {
                    let _ = self.terminal.autoresize();
                }
            }
        }
        self.state.sync(screen);
        self.screen = Some(screen.clone());
        self.redraw();
    }

    async fn next_event(&mut self) -> Option<Event> {
        loop {
            let spinning = self
                .screen
                .as_ref()
                .is_some_and(|s| matches!(s.progress, Some(Progress::Working { .. })));
            let event = tokio::select! {
                event = self.events.recv() => event?,
                () = tokio::time::sleep(TICK), if spinning => {
                    self.state.tick();
                    self.redraw();
                    continue;
                }
            };
            match event {
                TermEvent::Key(key) if key.kind != KeyEventKind::Release => {
                    let Some(screen) = self.screen.clone() else {
                        continue;
                    };
                    let answer = self.state.on_key(key, &screen);
                    self.redraw();
                    if let Some(answer) = answer {
                        return Some(Event::Answer(answer));
                    }
                }
                TermEvent::Resize(_, _) => {
                    let _ = self.terminal.autoresize();
                    self.redraw();
                }
                _ => {}
            }
        }
    }

    fn reads_while_busy(&self) -> bool {
        true
    }
}
