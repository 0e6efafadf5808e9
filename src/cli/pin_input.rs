//! Where PINs come from: a prompt on the terminal, a file, or an environment variable.
//! Never the command line, where other users of the machine and the shell history
//! would see them.

use std::io::IsTerminal;
use std::path::PathBuf;

use clap::Args;
use zeroize::Zeroizing;

use super::error::CliError;
use crate::token::{Pin, PinRole};

/// Options naming where the current PIN comes from.
#[derive(Debug, Clone, Args, Default)]
pub struct PinSource {
    /// Read the current PIN from the first line of this file.
    #[arg(long, value_name = "FILE", conflicts_with = "pin_env")]
    pub pin_file: Option<PathBuf>,
    /// Read the current PIN from this environment variable.
    #[arg(long, value_name = "VAR")]
    pub pin_env: Option<String>,
}

/// Options naming where a new PIN comes from.
#[derive(Debug, Clone, Args, Default)]
pub struct NewPinSource {
    /// Read the new PIN from the first line of this file.
    #[arg(long, value_name = "FILE", conflicts_with = "new_pin_env")]
    pub new_pin_file: Option<PathBuf>,
    /// Read the new PIN from this environment variable.
    #[arg(long, value_name = "VAR")]
    pub new_pin_env: Option<String>,
}

fn from_file(path: &PathBuf) -> Result<Pin, CliError> {
    let text = Zeroizing::new(std::fs::read_to_string(path).map_err(|e| CliError::File {
        what: "cannot read the PIN file",
        path: path.clone(),
        detail: e.to_string(),
    })?);
    let first = text.lines().next().unwrap_or_default();
    Ok(Pin::new(first.to_string()))
}

fn from_env(var: &str) -> Result<Pin, CliError> {
    std::env::var(var).map(Pin::new).map_err(|_| {
        CliError::Usage(format!(
            "the environment variable {var} named for a PIN is not set"
        ))
    })
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

    /// The current PIN of `role`.
    pub fn read(&self, role: PinRole) -> Result<Pin, CliError> {
        match (&self.pin_file, &self.pin_env) {
            (Some(path), _) => from_file(path),
            (None, Some(var)) => from_env(var),
            (None, None) => prompt(&format!("Current {role}: "), "--pin"),
        }
    }
}

impl NewPinSource {
    /// The new PIN of `role` and its confirmation. From a file or variable the PIN is
    /// its own confirmation; at a prompt it is typed twice.
    pub fn read(&self, role: PinRole) -> Result<(Pin, Pin), CliError> {
        let pin = match (&self.new_pin_file, &self.new_pin_env) {
            (Some(path), _) => from_file(path)?,
            (None, Some(var)) => from_env(var)?,
            (None, None) => {
                let first = prompt(&format!("New {role}: "), "--new-pin")?;
                let again = prompt(&format!("New {role} again: "), "--new-pin")?;
                return Ok((first, again));
            }
        };
        Ok((pin.clone(), pin))
    }
}
