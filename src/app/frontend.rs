//! What the runtime needs of whoever sits in front of the wizard: something that shows
//! screens and gives answers. The plain line mode, the scripted runs of tests and the
//! demo, and the full-screen terminal UI all plug in here.

use std::future::Future;

use smartkey_wizard::{Answer, Screen};

/// What a frontend can tell the runtime.
#[derive(Debug)]
pub enum Event {
    /// The person's answer to the screen shown.
    Answer(Answer),
    /// The person leaves (what is on the token and at the bank stays).
    Quit,
    /// A scripted run cannot go on (a screen it waits for did not come).
    Failed(String),
}

/// A screen shower and answer giver.
pub trait Frontend {
    /// Shows the current screen (called whenever it changes).
    fn show(&mut self, screen: &Screen);

    /// The next event; `None` when the frontend has nothing more to give (the end of a
    /// script, the end of input). Must be cancel-safe: the runtime drops the future
    /// whenever something else happens first, and asks again after showing the screen.
    fn next_event(&mut self) -> impl Future<Output = Option<Event>>;

    /// A person at a full-screen terminal: events are read even while an effect runs,
    /// so that F10 and Ctrl-C (keys in raw mode, not signals) stop the run at any time;
    /// anything else typed meanwhile is dropped, never applied to the next screen.
    /// Scripts and line mode say no: their answers wait for the screen they belong to.
    fn reads_while_busy(&self) -> bool {
        false
    }
}
