//! bankca: the reference bank CA of smartkey. A small real service: CMP over HTTP(S)
//! (docs/bank-protocol.md), requests waiting for an operator's approval, certificates
//! issued under an RSA or a GOST R 34.10-2012 CA key, pickup links e-mailed by SMTP or
//! into a Maildir, the bank's time limits (2 days for the link, 3 days to save), and
//! everything kept in SQLite.
//!
//! The `bankca` binary is a thin layer over this library, so that the wizard's demo can
//! run the same CA in-process:
//! - [`Ca::init`] creates a CA directory, [`Ca::open`] opens one;
//! - [`server::serve`] runs the server and returns a [`server::ServerHandle`] with the
//!   bound address, [`server::ServerHandle::approve`] and a graceful shutdown;
//! - [`Ca::approve`], [`Ca::reject`], [`Ca::resend`], [`Ca::list`] and [`Ca::show`] are
//!   the operator's commands, safe to use while a server runs on the same directory.
//!
//! Every time limit reads an injected [`clock::Clock`], so tests and training can move
//! time forward.

pub mod agents;
pub mod ca;
pub mod clock;
pub mod error;
pub mod issue;
pub mod keys;
pub mod mail;
pub mod rules;
pub mod server;
pub mod service;
pub mod states;
pub mod store;
pub mod tls;

pub use agents::{Agent, Agents, KeyType};
pub use ca::{Ca, CaCertificateInfo, InitReport, RequestDetails};
pub use clock::{Clock, FileClock, ManualClock, SystemClock};
pub use error::{Error, Result};
pub use mail::MailTarget;
pub use server::{ServeConfig, ServerHandle, serve};
pub use store::{Request, State};
