//! The log file: what smartkey did, for support, in
//! `$XDG_STATE_HOME/smartkey/logs/smartkey.YYYY-MM-DD.log` (by default
//! `~/.local/state/smartkey/logs`), one file a day, the newest [`MAX_LOG_FILES`] kept.
//!
//! Normally only the main events are logged (info); `-v` adds the details (debug),
//! `-vv` everything (trace). Other libraries log their warnings only, or their info
//! with `-vv`. No PIN ever reaches a log: PINs are [`smartkey_wizard::Pin`]s, whose `Debug`
//! shows nothing, no error carries one, and no log call is given one.
//!
//! Logging is never a reason to fail: when the directory cannot be made, smartkey runs
//! without a log and `init` says why.

use std::path::{Path, PathBuf};

use tracing::Level;
use tracing_appender::rolling::{RollingFileAppender, Rotation};
use tracing_subscriber::filter::{LevelFilter, Targets};
use tracing_subscriber::layer::SubscriberExt;
use tracing_subscriber::util::SubscriberInitExt;

use crate::config::state_dir;

/// How many daily log files are kept.
pub const MAX_LOG_FILES: usize = 14;

/// The file name prefix of the log files.
pub const LOG_PREFIX: &str = "smartkey";

/// Where the log files are: `$XDG_STATE_HOME/smartkey/logs`.
pub fn logs_dir() -> Option<PathBuf> {
    state_dir().map(|d| d.join("logs"))
}

/// The level of smartkey's own events for `-v` given `verbosity` times.
pub fn level(verbosity: u8) -> Level {
    match verbosity {
        0 => Level::INFO,
        1 => Level::DEBUG,
        _ => Level::TRACE,
    }
}

/// The filter: smartkey's events at [`level`], other libraries' at warn (info with -vv).
pub fn filter(verbosity: u8) -> Targets {
    let others = if verbosity >= 2 {
        LevelFilter::INFO
    } else {
        LevelFilter::WARN
    };
    Targets::new()
        .with_target("smartkey", level(verbosity))
        .with_default(others)
}

/// Makes the log directory private to the user (0700, an existing one tightened).
fn make_dir(dir: &Path) -> std::io::Result<()> {
    crate::protection::private_dir(dir)
}

/// Takes the log files in `dir` back to 0600. The appender creates each day's file with
/// the usual permissions and has no say in them; this runs once it has opened today's,
/// and a file begun at midnight by a long run is caught at the next start (the folder
/// is 0700 all along).
fn tighten_files(dir: &Path) {
    #[cfg(unix)]
    if let Ok(entries) = std::fs::read_dir(dir) {
        for entry in entries.flatten() {
            let is_log = entry.file_name().to_string_lossy().starts_with(LOG_PREFIX);
            if is_log && entry.file_type().is_ok_and(|t| t.is_file()) {
                let _ = crate::protection::tighten(&entry.path(), 0o600);
            }
        }
    }
    #[cfg(not(unix))]
    let _ = dir;
}

/// Why there is no log file.
#[derive(Debug, thiserror::Error)]
pub enum LogError {
    #[error("neither XDG_STATE_HOME nor HOME is set")]
    NoStateDir,
    #[error("cannot make {}: {source}", .dir.display())]
    Dir {
        dir: PathBuf,
        source: std::io::Error,
    },
    #[error("cannot open a log file in {}: {detail}", .dir.display())]
    File { dir: PathBuf, detail: String },
    #[error("logging is already set up: {0}")]
    Taken(String),
}

/// Starts logging to the daily file; returns its directory, or why there is no log.
pub fn init(verbosity: u8) -> Result<PathBuf, LogError> {
    let dir = logs_dir().ok_or(LogError::NoStateDir)?;
    make_dir(&dir).map_err(|source| LogError::Dir {
        dir: dir.clone(),
        source,
    })?;
    let appender = RollingFileAppender::builder()
        .rotation(Rotation::DAILY)
        .filename_prefix(LOG_PREFIX)
        .filename_suffix("log")
        .max_log_files(MAX_LOG_FILES)
        .build(&dir)
        .map_err(|e| LogError::File {
            dir: dir.clone(),
            detail: e.to_string(),
        })?;
    tighten_files(&dir);
    let layer = tracing_subscriber::fmt::layer()
        .with_writer(appender)
        .with_ansi(false)
        .with_target(true);
    tracing_subscriber::registry()
        .with(layer)
        .with(filter(verbosity))
        .try_init()
        .map_err(|e| LogError::Taken(e.to_string()))?;
    Ok(dir)
}

#[cfg(test)]
mod tests {
    use std::io::Write;
    use std::sync::{Arc, Mutex};

    use tracing_subscriber::fmt::MakeWriter;

    use super::*;
    use crate::token::TokenError;
    use smartkey_wizard::{Pin, PinLengths, PinPolicyError, PinRole, Tries, check_new_pin};

    #[derive(Clone, Default)]
    struct Buffer(Arc<Mutex<Vec<u8>>>);

    impl Write for Buffer {
        fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
            self.0
                .lock()
                .map_err(|_| std::io::Error::other("poisoned"))?
                .extend_from_slice(buf);
            Ok(buf.len())
        }
        fn flush(&mut self) -> std::io::Result<()> {
            Ok(())
        }
    }

    impl<'a> MakeWriter<'a> for Buffer {
        type Writer = Buffer;
        fn make_writer(&'a self) -> Buffer {
            self.clone()
        }
    }

    #[test]
    fn verbosity_raises_smartkeys_level_only() {
        assert_eq!(level(0), Level::INFO);
        assert_eq!(level(1), Level::DEBUG);
        assert_eq!(level(5), Level::TRACE);
        let f = filter(0);
        assert!(f.would_enable("smartkey::cli", &Level::INFO));
        assert!(!f.would_enable("smartkey::cli", &Level::DEBUG));
        assert!(!f.would_enable("hyper", &Level::INFO));
        assert!(filter(2).would_enable("smartkey::token", &Level::TRACE));
    }

    /// Everything a PIN can travel with, logged at the most verbose level the way a
    /// careless call would log it, leaves no trace of the PIN in the log.
    #[test]
    fn pins_and_pin_errors_never_show_in_the_log() {
        let secret = "Qw7-secret-pin";
        let buffer = Buffer::default();
        let subscriber = tracing_subscriber::registry()
            .with(
                tracing_subscriber::fmt::layer()
                    .with_writer(buffer.clone())
                    .with_ansi(false),
            )
            .with(filter(2));
        tracing::subscriber::with_default(subscriber, || {
            let pin = Pin::new(format!("{secret}\n"));
            let current = Pin::new("12345678".to_string());
            tracing::trace!(?pin, "a PIN was read");
            tracing::debug!(pin = ?pin, role = %PinRole::User, "logging in");
            let limits = PinLengths { min: 6, max: 32 };
            let refused = check_new_pin(PinRole::User, &current, pin.clone(), &pin, limits);
            tracing::debug!(refused = ?refused.as_ref().err(), "policy");
            let wrong = TokenError::PinIncorrect {
                role: PinRole::User,
                tries_left: Tries::Exactly(9),
            };
            tracing::error!(error = %wrong, debug = ?wrong, "login failed");
            let policy = PinPolicyError::TooShort {
                role: PinRole::Admin,
                min: 6,
            };
            tracing::warn!(%policy);
        });
        let log = String::from_utf8(buffer.0.lock().unwrap().clone()).unwrap();
        assert!(log.contains("a PIN was read"), "nothing was logged: {log}");
        assert!(log.contains("Pin(<hidden>)"), "{log}");
        assert!(!log.contains(secret), "the PIN is in the log:\n{log}");
        assert!(!log.contains("12345678"), "the PIN is in the log:\n{log}");
    }
}
