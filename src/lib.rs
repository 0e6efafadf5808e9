//! smartkey: certificate enrollment and token migration for Rutoken ECP 2.0 users of
//! banks in the Faktura.ru network.
//!
//! The library holds the layers the `smartkey` binary is built from (see
//! `docs/architecture.md`):
//! - [`token`]: a typed PKCS#11 layer over `cryptoki` (any module: Rutoken, SoftHSM2,
//!   rutoken-emu);
//! - [`pki`]: applicant data, Russian identifiers and PKCS#10 requests signed on the token;
//! - [`bank`]: bank profiles (agentId, CA address and trust anchor, contacts);
//! - [`config`]: settings from the config file, the environment and flags;
//! - [`preflight`]: the checks run before any flow (`smartkey check`);
//! - [`logging`] and [`support`]: the log file, and redacted support bundles;
//! - [`enroll`]: requests to the bank's CA over CMP, signed on the token, and their pickup;
//! - [`wizard`]: the bank's procedures as a pure state machine (inputs in, effects and
//!   screens out), and [`i18n`], every text it shows in Russian and English;
//! - [`ui`]: the wizard's screens drawn in the terminal, or as plain text for line mode
//!   and transcripts;
//! - [`cli`]: the scriptable command line over those layers;
//! - [`protection`]: no core files and no memory reading by other processes, set first;
//!   files for their owner alone.

pub mod app;
pub mod bank;
pub mod cli;
pub mod config;
pub mod enroll;
pub mod logging;
pub mod pki;
pub mod preflight;
pub mod protection;
pub mod support;
pub mod token;
pub mod ui;

#[cfg(test)]
mod heap_watch;
