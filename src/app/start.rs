//! What a flow begins with: today's date and a session code (the wizard takes neither
//! from the system itself), the banks, the pending records and the city list.
//!
//! Today is the client's local day: the application and the act carry the date on the
//! client's calendar, so a client in Novosibirsk at 05:30 signs today's papers, not
//! yesterday's (the UTC day). The time zone is the system's (`TZ`, then
//! /etc/localtime). The instant is the system clock's, unless [`NOW_VARIABLE`] fixes it
//! for a run (tests and training).

use std::time::{SystemTime, UNIX_EPOCH};

use jiff::Timestamp;
use jiff::tz::TimeZone;

use super::chance::Chance;
use crate::bank::BankProfile;
use smartkey_wizard::{BankInfo, CityIndex, CivilDate, PendingRecord, Start};

/// The city list of the application form, shipped with smartkey.
const CITIES: &str = include_str!("../../assets/ru-cities.csv");

/// Letters and digits that cannot be mistaken for one another on the phone.
const SESSION_ALPHABET: &[u8] = b"ACDEFHJKLMNPQRTUVWXY34679";

/// A short code for support, shown in every screen's header ("K7Q2").
pub fn session_code(chance: &Chance) -> String {
    let mut bytes = [0u8; 4];
    if chance.fill(&mut bytes).is_err() {
        // Only for support to tell runs apart: the clock is random enough then.
        let nanos = SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .map(|d| d.subsec_nanos())
            .unwrap_or_default();
        bytes = nanos.to_le_bytes();
    }
    bytes
        .iter()
        .map(|b| SESSION_ALPHABET[usize::from(*b) % SESSION_ALPHABET.len()] as char)
        .collect()
}

/// The environment variable that fixes the instant a run takes as now, as RFC 3339
/// (`2026-03-14T22:30:00Z`, or with an offset): for tests and training, so that a run
/// can be put on any day and hour. The fixed instant does not advance during the run.
pub const NOW_VARIABLE: &str = "SMARTKEY_NOW";

/// Why today cannot be told.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ClockError {
    #[error("{NOW_VARIABLE}={value:?} is not an instant like 2026-03-14T22:30:00Z: {detail}")]
    BadNow { value: String, detail: String },
    #[error("the computer's clock is not set to a real date")]
    OutOfRange,
}

/// Where a run's "now" comes from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Clock {
    /// The system clock.
    System,
    /// A fixed instant ([`NOW_VARIABLE`]).
    Fixed(Timestamp),
}

impl Clock {
    /// [`NOW_VARIABLE`]'s instant when it is set, else the system clock; read once, at
    /// the start of a command.
    pub fn from_env() -> Result<Clock, ClockError> {
        match std::env::var_os(NOW_VARIABLE) {
            None => Ok(Clock::System),
            Some(value) => Clock::fixed(&value.to_string_lossy()),
        }
    }

    /// The clock fixed at `value`, an RFC 3339 instant.
    pub fn fixed(value: &str) -> Result<Clock, ClockError> {
        value
            .trim()
            .parse::<Timestamp>()
            .map(Clock::Fixed)
            .map_err(|e| ClockError::BadNow {
                value: value.to_string(),
                detail: e.to_string(),
            })
    }

    /// The instant now.
    pub fn now(self) -> Timestamp {
        match self {
            Clock::System => Timestamp::now(),
            Clock::Fixed(at) => at,
        }
    }

    /// Today in the system's time zone.
    pub fn today(self) -> Result<CivilDate, ClockError> {
        local_day(self.now(), &TimeZone::system()).ok_or(ClockError::OutOfRange)
    }
}

/// The day `at` falls on in `zone`; `None` outside years 1-9999.
pub fn local_day(at: Timestamp, zone: &TimeZone) -> Option<CivilDate> {
    let date = zone.to_datetime(at).date();
    CivilDate::new(
        i32::from(date.year()),
        u8::try_from(date.month()).ok()?,
        u8::try_from(date.day()).ok()?,
    )
}

/// Today on the client's calendar: the local day of [`Clock::from_env`]'s now.
pub fn today() -> Result<CivilDate, ClockError> {
    Clock::from_env()?.today()
}

/// The city list, or an empty one (the city is then free text) if it cannot be read.
pub fn cities() -> CityIndex {
    CityIndex::from_csv(CITIES).unwrap_or_default()
}

/// A flow's start for these banks, the bank chosen (if any) and the pending records,
/// on today's date with a fresh session code.
pub fn start(
    banks: &[BankProfile],
    bank: Option<u32>,
    pending: Vec<PendingRecord>,
) -> Result<Start, ClockError> {
    let today = today()?;
    Ok(start_on(banks, bank, pending, today, &Chance::System))
}

/// A flow's start on the given day, its session code drawn from `chance` (replays and
/// training fix both).
pub fn start_on(
    banks: &[BankProfile],
    bank: Option<u32>,
    pending: Vec<PendingRecord>,
    today: CivilDate,
    chance: &Chance,
) -> Start {
    Start {
        session: session_code(chance),
        today,
        banks: banks.iter().map(BankInfo::from).collect(),
        bank,
        pending,
        draft: None,
        cities: cities(),
        warnings: Vec::new(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(text: &str) -> Timestamp {
        text.parse().expect("an instant")
    }

    fn zone(name: &str) -> TimeZone {
        TimeZone::get(name).expect("the system's time zone database")
    }

    #[test]
    fn the_day_is_the_local_one() {
        let late = at("2026-03-14T22:30:00Z");
        assert_eq!(
            local_day(late, &zone("Asia/Novosibirsk")),
            CivilDate::new(2026, 3, 15),
            "05:30 on the 15th in Novosibirsk"
        );
        assert_eq!(local_day(late, &TimeZone::UTC), CivilDate::new(2026, 3, 14));
        assert_eq!(
            local_day(at("2026-03-15T03:00:00Z"), &zone("America/New_York")),
            CivilDate::new(2026, 3, 14),
            "23:00 on the 14th in New York"
        );
        assert_eq!(
            local_day(at("2026-12-31T21:00:00Z"), &zone("Europe/Moscow")),
            CivilDate::new(2027, 1, 1)
        );
    }

    #[test]
    fn a_fixed_clock_stands_still() {
        let fixed = Clock::fixed("2026-03-14T22:30:00+07:00").expect("an instant");
        assert_eq!(fixed.now(), at("2026-03-14T15:30:00Z"));
        assert_eq!(fixed.now(), fixed.now());
        assert_eq!(
            Clock::fixed(" 2026-03-14T22:30:00Z\n"),
            Ok(Clock::Fixed(at("2026-03-14T22:30:00Z")))
        );
    }

    #[test]
    fn a_fixed_clock_must_name_an_instant() {
        for wrong in ["2026-03-14", "2026-03-14T22:30:00", "tomorrow", ""] {
            let e = Clock::fixed(wrong).expect_err(wrong);
            assert!(e.to_string().contains(NOW_VARIABLE), "{e}");
        }
    }

    #[test]
    fn dates_out_of_the_calendars_range_are_refused() {
        assert_eq!(local_day(Timestamp::MIN, &TimeZone::UTC), None);
    }
}
