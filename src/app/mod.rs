//! The runtime: runs the pure [`wizard`](crate::wizard) for real.
//!
//! ```text
//! frontend (plain | script | TUI) --answers--> ┐
//! token watch (every 500 ms) --Inserted/Removed-> ├-> Wizard::handle -> effects -> executor
//! executor (token thread, CMP, files) --outcomes-> ┘        │
//!                                                      Wizard::screen -> frontend.show
//! ```
//! - [`runtime`]: the event loop;
//! - [`executor`]: every [`Effect`](smartkey_wizard::Effect) carried out and answered with
//!   the outcome the wizard waits for; [`worker`] is the one thread that owns the PKCS#11
//!   module and sessions, [`token_ops`] the token effects, [`bank`] the CMP
//!   conversations, [`failure`] what errors mean to the wizard;
//! - [`pending`]: the local records of requests waiting at a bank;
//! - [`state_file`]: how every state file is written (atomically, durably, privately)
//!   and read; [`state_lock`]: one smartkey at a time on a state directory;
//! - [`documents`], [`transcript`]: what is written for the person and for support;
//! - [`frontend`]: what a frontend is; [`script`] and [`plain`] are two of them;
//! - [`record`] writes a live run down as a script, [`replay`] plays one back and
//!   compares its screens, [`cast`] draws a replay for asciinema; [`chance`] is where
//!   session codes and request numbers come from (the system, or a replay's seed);
//! - [`start`]: everything a command needs to begin a flow;
//! - [`demo`]: the training run on virtual tokens and a local bank.

pub mod bank;
pub mod cast;
pub mod chance;
#[cfg(feature = "training")]
pub mod demo;
pub mod documents;
pub mod draft;
pub mod executor;
pub mod failure;
pub mod frontend;
pub mod pdf;
pub mod pending;
pub mod plain;
pub mod record;
#[cfg(feature = "training")]
pub mod replay;
pub mod runtime;
pub mod script;
pub mod start;
pub mod state_file;
pub mod state_lock;
pub mod token_ops;
pub mod transcript;
pub mod tui;
pub mod worker;

pub use chance::Chance;
pub use draft::DraftStore;
pub use frontend::{Event, Frontend};
pub use pending::{PendingError, PendingStore};
pub use runtime::{RunConfig, RunEnd, RunError, run};
pub use script::{Bench, BenchError, EmuBench, PinBook, Script, ScriptError, ScriptStep, Scripted};
pub use state_file::StateFileError;
pub use state_lock::{LockError, StateLock};
