//! Where the CA's "now" comes from. The bank's rules are about days (a link works for 2
//! days, an unsaved certificate is void after 3), so tests and training sessions need to
//! move time forward without waiting: every time-dependent decision reads an injected
//! [`Clock`].

use std::fmt;
use std::path::PathBuf;
use std::sync::Mutex;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use time::OffsetDateTime;
use time::format_description::well_known::Rfc3339;

use crate::error::{Error, Result};

/// The environment variable the `bankca` binary reads to use a [`FileClock`]: the path
/// of a file holding an RFC 3339 time. For tests and training only; a real CA runs on
/// the system clock.
pub const CLOCK_FILE_ENV: &str = "BANKCA_CLOCK_FILE";

/// A source of the current time.
pub trait Clock: Send + Sync + fmt::Debug {
    /// The current time.
    fn now(&self) -> Result<SystemTime>;
}

/// The system clock.
#[derive(Clone, Copy, Debug, Default)]
pub struct SystemClock;

impl Clock for SystemClock {
    fn now(&self) -> Result<SystemTime> {
        Ok(SystemTime::now())
    }
}

/// A clock that reads an RFC 3339 time (e.g. `2026-05-01T10:00:00Z`) from a file on
/// every use, so that another process (a test, a trainer) can move the time of a running
/// CA by rewriting the file. For tests and training only.
#[derive(Clone, Debug)]
pub struct FileClock {
    path: PathBuf,
}

impl FileClock {
    /// A clock reading `path`.
    pub fn new(path: impl Into<PathBuf>) -> Self {
        Self { path: path.into() }
    }
}

impl Clock for FileClock {
    fn now(&self) -> Result<SystemTime> {
        let text = std::fs::read_to_string(&self.path)
            .map_err(|e| Error::Clock(format!("the clock file {}: {e}", self.path.display())))?;
        parse_rfc3339(text.trim()).map_err(|e| {
            Error::Clock(format!(
                "the clock file {} does not hold an RFC 3339 time: {e}",
                self.path.display()
            ))
        })
    }
}

/// A clock set by hand, for tests and in-process demos.
#[derive(Debug)]
pub struct ManualClock {
    now: Mutex<SystemTime>,
}

impl ManualClock {
    /// A clock showing `start`.
    pub fn new(start: SystemTime) -> Self {
        Self {
            now: Mutex::new(start),
        }
    }

    /// Sets the time.
    pub fn set(&self, at: SystemTime) {
        *self.now.lock().unwrap_or_else(|p| p.into_inner()) = at;
    }

    /// Moves the time forward by `by`.
    pub fn advance(&self, by: Duration) {
        let mut now = self.now.lock().unwrap_or_else(|p| p.into_inner());
        *now += by;
    }
}

impl Clock for ManualClock {
    fn now(&self) -> Result<SystemTime> {
        Ok(*self.now.lock().unwrap_or_else(|p| p.into_inner()))
    }
}

/// Parses an RFC 3339 time.
pub fn parse_rfc3339(text: &str) -> std::result::Result<SystemTime, time::error::Parse> {
    let parsed = OffsetDateTime::parse(text, &Rfc3339)?;
    Ok(SystemTime::from(parsed))
}

/// Formats a time as RFC 3339 in UTC, whole seconds.
pub fn format_rfc3339(at: SystemTime) -> String {
    let seconds = unix_seconds(at);
    OffsetDateTime::from_unix_timestamp(seconds)
        .ok()
        .and_then(|t| t.format(&Rfc3339).ok())
        .unwrap_or_else(|| format!("@{seconds}"))
}

/// Seconds since the Unix epoch (negative before it), as stored in the database.
pub fn unix_seconds(at: SystemTime) -> i64 {
    match at.duration_since(UNIX_EPOCH) {
        Ok(after) => i64::try_from(after.as_secs()).unwrap_or(i64::MAX),
        Err(before) => -i64::try_from(before.duration().as_secs()).unwrap_or(i64::MAX),
    }
}

/// The time `seconds` after the Unix epoch.
pub fn from_unix_seconds(seconds: i64) -> SystemTime {
    if seconds >= 0 {
        UNIX_EPOCH + Duration::from_secs(seconds.unsigned_abs())
    } else {
        UNIX_EPOCH - Duration::from_secs(seconds.unsigned_abs())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rfc3339_round_trip() {
        let t = parse_rfc3339("2026-05-01T10:00:00Z").unwrap();
        assert_eq!(format_rfc3339(t), "2026-05-01T10:00:00Z");
        let offset = parse_rfc3339("2026-05-01T13:00:00+03:00").unwrap();
        assert_eq!(offset, t);
        assert!(parse_rfc3339("yesterday").is_err());
        assert_eq!(from_unix_seconds(unix_seconds(t)), t);
        assert_eq!(unix_seconds(from_unix_seconds(-5)), -5);
    }

    #[test]
    fn file_clock_rereads_the_file() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("now");
        let clock = FileClock::new(&path);
        assert!(matches!(clock.now(), Err(Error::Clock(_))));
        std::fs::write(&path, "2026-05-01T10:00:00Z\n").unwrap();
        let first = clock.now().unwrap();
        std::fs::write(&path, "2026-05-03T10:00:01Z").unwrap();
        let second = clock.now().unwrap();
        assert_eq!(
            second.duration_since(first).unwrap(),
            Duration::from_secs(2 * 86_400 + 1)
        );
        std::fs::write(&path, "garbage").unwrap();
        assert!(matches!(clock.now(), Err(Error::Clock(_))));
    }

    #[test]
    fn manual_clock_moves() {
        let start = UNIX_EPOCH + Duration::from_secs(1_000);
        let clock = ManualClock::new(start);
        clock.advance(Duration::from_secs(5));
        assert_eq!(clock.now().unwrap(), start + Duration::from_secs(5));
        clock.set(start);
        assert_eq!(clock.now().unwrap(), start);
    }
}
