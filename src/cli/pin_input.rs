//! Where PINs come from: a prompt on the terminal, a file, or an environment variable.
//! Never the command line, where other users of the machine and the shell history
//! would see them.
//!
//! A variable named by `--pin-env` / `--new-pin-env` is read and removed from the
//! environment at the start ([`super::Cli::take_pins_from_environment`]), so that no
//! process smartkey or a PKCS#11 module starts inherits the PIN.

use std::io::IsTerminal;
use std::path::{Path, PathBuf};

use super::error::CliError;
use crate::token::read_secret_file;
use clap::Args;
use smartkey_wizard::{Pin, PinRole};

/// Options naming where the current PIN comes from.
#[derive(Debug, Clone, Args, Default)]
pub struct PinSource {
    /// Read the current PIN from the first line of this file.
    #[arg(long, value_name = "FILE", conflicts_with = "pin_env")]
    pub pin_file: Option<PathBuf>,
    /// Read the current PIN from this environment variable (removed from the
    /// environment once read).
    #[arg(long, value_name = "VAR")]
    pub pin_env: Option<String>,
    /// The value of `pin_env`, once taken out of the environment.
    #[arg(skip)]
    taken: Option<Pin>,
}

/// Options naming where a new PIN comes from.
#[derive(Debug, Clone, Args, Default)]
pub struct NewPinSource {
    /// Read the new PIN from the first line of this file.
    #[arg(long, value_name = "FILE", conflicts_with = "new_pin_env")]
    pub new_pin_file: Option<PathBuf>,
    /// Read the new PIN from this environment variable (removed from the environment
    /// once read).
    #[arg(long, value_name = "VAR")]
    pub new_pin_env: Option<String>,
    /// The value of `new_pin_env`, once taken out of the environment.
    #[arg(skip)]
    taken: Option<Pin>,
}

fn from_file(path: &Path) -> Result<Pin, CliError> {
    let fail = |detail: String| CliError::File {
        what: "cannot read the PIN file",
        path: path.to_path_buf(),
        detail,
    };
    let bytes = read_secret_file(path).map_err(|e| fail(e.to_string()))?;
    let text = std::str::from_utf8(&bytes).map_err(|_| fail("it is not UTF-8 text".into()))?;
    let first = text.lines().next().unwrap_or_default();
    Ok(Pin::new(first.to_string()))
}

/// The PIN taken from `var` at the start, or (when nothing took it: a caller of
/// [`super::run`] other than the binary) the variable's value now.
fn from_env(var: &str, taken: Option<&Pin>) -> Result<Pin, CliError> {
    if let Some(pin) = taken {
        return Ok(pin.clone());
    }
    std::env::var(var).map(Pin::new).map_err(|_| {
        CliError::Usage(format!(
            "the environment variable {var} named for a PIN is not set"
        ))
    })
}

/// Reads `var` into `slot` (a value that is not UTF-8 leaves it empty, and [`from_env`]
/// then reports the variable as not set); the variable's name, for its removal, if it
/// is there.
fn take(var: &str, slot: &mut Option<Pin>) -> Option<String> {
    let value = std::env::var_os(var)?;
    *slot = value.into_string().ok().map(Pin::new);
    Some(var.to_owned())
}

fn prompt(question: &str, flag: &str) -> Result<Pin, CliError> {
    if !std::io::stdin().is_terminal() {
        return Err(CliError::Usage(format!(
            "there is no terminal to ask for the PIN: give it with {flag}-file FILE or {flag}-env VAR"
        )));
    }
    rpassword::prompt_password(question)
        .map(Pin::new)
        .map_err(|e| CliError::Usage(format!("could not read the PIN from the terminal: {e}")))
}

impl PinSource {
    /// Whether a file or variable was named (rather than prompting).
    pub fn is_given(&self) -> bool {
        self.pin_file.is_some() || self.pin_env.is_some()
    }

    /// Reads the variable named by `--pin-env` now, returning its name for the caller
    /// to remove from the environment.
    pub(super) fn read_environment(&mut self) -> Option<String> {
        take(self.pin_env.as_deref()?, &mut self.taken)
    }

    /// The current PIN of `role`.
    pub fn read(&self, role: PinRole) -> Result<Pin, CliError> {
        match (&self.pin_file, &self.pin_env) {
            (Some(path), _) => from_file(path),
            (None, Some(var)) => from_env(var, self.taken.as_ref()),
            (None, None) => prompt(&format!("Current {role}: "), "--pin"),
        }
    }
}

impl NewPinSource {
    /// Reads the variable named by `--new-pin-env` now, returning its name for the caller
    /// to remove from the environment.
    pub(super) fn read_environment(&mut self) -> Option<String> {
        take(self.new_pin_env.as_deref()?, &mut self.taken)
    }

    /// The new PIN of `role` and its confirmation. From a file or variable the PIN is
    /// its own confirmation; at a prompt it is typed twice.
    pub fn read(&self, role: PinRole) -> Result<(Pin, Pin), CliError> {
        let pin = match (&self.new_pin_file, &self.new_pin_env) {
            (Some(path), _) => from_file(path)?,
            (None, Some(var)) => from_env(var, self.taken.as_ref())?,
            (None, None) => {
                let first = prompt(&format!("New {role}: "), "--new-pin")?;
                let again = prompt(&format!("New {role} again: "), "--new-pin")?;
                return Ok((first, again));
            }
        };
        Ok((pin.clone(), pin))
    }
}
