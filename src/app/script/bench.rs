//! What a script acts on besides the wizard: the card readers of the virtual Rutoken,
//! and in the demo environment the bank's operator and calendar.

use std::path::PathBuf;

use super::BankAction;
use super::error::BenchError;

/// Whatever puts tokens in and out of readers: the virtual Rutoken's command.
pub trait Bench: Send + Sync {
    fn insert(&self, serial: &str, reader: Option<u32>) -> Result<(), BenchError>;
    fn remove(&self, serial: &str) -> Result<(), BenchError>;

    /// What the bank's operator does; only a bank run here has one.
    fn bank(&self, action: &BankAction) -> Result<(), BenchError> {
        Err(BenchError::NoBank(format!("{action:?}")))
    }

    /// Moves the bank's and the wizard's calendar on; only the demo environment can.
    fn days_pass(&self, days: u32) -> Result<(), BenchError> {
        Err(BenchError::NoCalendar(days))
    }
}

/// The `rutoken-emu` command on one state directory.
#[derive(Debug, Clone)]
pub struct EmuBench {
    pub command: PathBuf,
    pub dir: PathBuf,
}

impl EmuBench {
    /// Runs the command with `args`; its error output is the error.
    pub fn run(&self, args: &[&str]) -> Result<(), BenchError> {
        let out = std::process::Command::new(&self.command)
            .env("RUTOKEN_EMU_DIR", &self.dir)
            .args(args)
            .output()
            .map_err(|source| BenchError::CannotRun {
                command: self.command.clone(),
                source,
            })?;
        if out.status.success() {
            Ok(())
        } else {
            Err(BenchError::Refused {
                args: args.join(" "),
                stderr: String::from_utf8_lossy(&out.stderr).trim().to_string(),
            })
        }
    }
}

impl Bench for EmuBench {
    fn insert(&self, serial: &str, reader: Option<u32>) -> Result<(), BenchError> {
        match reader {
            Some(r) => self.run(&["insert", serial, "--reader", &r.to_string()]),
            None => self.run(&["insert", serial]),
        }
    }

    fn remove(&self, serial: &str) -> Result<(), BenchError> {
        self.run(&["remove", serial])
    }
}
