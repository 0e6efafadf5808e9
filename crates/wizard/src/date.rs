//! Calendar dates without a clock.
//!
//! The wizard never reads the time: "today" is given to it, and certificate dates come
//! from the certificates. Days are counted on the proleptic Gregorian calendar, which is
//! all the "days left" of a certificate and the bank's 2-day and 3-day rules need.

use std::fmt;

use serde::{Deserialize, Serialize};

/// A day of the calendar, written `YYYY-MM-DD` in journals.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(into = "String", try_from = "String")]
pub struct CivilDate {
    year: i32,
    month: u8,
    day: u8,
}

/// Why a text is not a date.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("not a date of the form YYYY-MM-DD: {0:?}")]
pub struct DateError(String);

fn is_leap(year: i32) -> bool {
    (year % 4 == 0 && year % 100 != 0) || year % 400 == 0
}

fn days_in_month(year: i32, month: u8) -> u8 {
    match month {
        1 | 3 | 5 | 7 | 8 | 10 | 12 => 31,
        4 | 6 | 9 | 11 => 30,
        2 if is_leap(year) => 29,
        2 => 28,
        _ => 0,
    }
}

impl CivilDate {
    /// The date, when it exists on the calendar.
    pub fn new(year: i32, month: u8, day: u8) -> Option<CivilDate> {
        let valid = (1..=9999).contains(&year) && day >= 1 && day <= days_in_month(year, month);
        valid.then_some(CivilDate { year, month, day })
    }

    /// Reads the date at the start of an ISO 8601 text: `2025-03-14` or
    /// `2025-03-14T10:00:00Z` (the time of day is ignored).
    pub fn parse_iso(text: &str) -> Option<CivilDate> {
        let date = text.trim().get(..10)?;
        let mut parts = date.split('-');
        let year = parts.next()?.parse().ok()?;
        let month = parts.next()?.parse().ok()?;
        let day = parts.next()?.parse().ok()?;
        if parts.next().is_some() || date.len() != 10 {
            return None;
        }
        CivilDate::new(year, month, day)
    }

    pub fn year(self) -> i32 {
        self.year
    }

    pub fn month(self) -> u8 {
        self.month
    }

    pub fn day(self) -> u8 {
        self.day
    }

    /// Days since 1970-01-01 (negative before it).
    pub fn days_since_epoch(self) -> i64 {
        // H. Hinnant's days_from_civil.
        let y = i64::from(self.year) - i64::from(self.month <= 2);
        let era = y.div_euclid(400);
        let yoe = y - era * 400;
        let m = i64::from(self.month);
        let doy = (153 * (if m > 2 { m - 3 } else { m + 9 }) + 2) / 5 + i64::from(self.day) - 1;
        let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
        era * 146_097 + doe - 719_468
    }

    /// The date `days` after 1970-01-01; `None` outside years 1 to 9999.
    pub fn from_days_since_epoch(days: i64) -> Option<CivilDate> {
        // H. Hinnant's civil_from_days.
        let z = days.checked_add(719_468)?;
        let era = z.div_euclid(146_097);
        let doe = z - era * 146_097;
        let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
        let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
        let mp = (5 * doy + 2) / 153;
        let day = doy - (153 * mp + 2) / 5 + 1;
        let month = if mp < 10 { mp + 3 } else { mp - 9 };
        let year = yoe + era * 400 + i64::from(month <= 2);
        CivilDate::new(
            i32::try_from(year).ok()?,
            u8::try_from(month).ok()?,
            u8::try_from(day).ok()?,
        )
    }

    /// Whole days from `self` to `later` (negative when `later` is earlier).
    pub fn days_until(self, later: CivilDate) -> i64 {
        later.days_since_epoch() - self.days_since_epoch()
    }

    /// `YYYYMMDD`, for labels and file names.
    pub fn compact(self) -> String {
        format!("{:04}{:02}{:02}", self.year, self.month, self.day)
    }
}

impl fmt::Display for CivilDate {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:04}-{:02}-{:02}", self.year, self.month, self.day)
    }
}

impl From<CivilDate> for String {
    fn from(d: CivilDate) -> String {
        d.to_string()
    }
}

impl TryFrom<String> for CivilDate {
    type Error = DateError;
    fn try_from(text: String) -> Result<Self, DateError> {
        match CivilDate::parse_iso(&text) {
            Some(d) if text.trim().len() == 10 => Ok(d),
            _ => Err(DateError(text)),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(y: i32, m: u8, day: u8) -> CivilDate {
        CivilDate::new(y, m, day).expect("a valid test date")
    }

    #[test]
    fn counts_days_across_months_and_leap_years() {
        assert_eq!(d(1970, 1, 1).days_since_epoch(), 0);
        assert_eq!(d(2000, 3, 1).days_since_epoch(), 11_017);
        assert_eq!(d(2024, 2, 28).days_until(d(2024, 3, 1)), 2);
        assert_eq!(d(2023, 2, 28).days_until(d(2023, 3, 1)), 1);
        assert_eq!(d(2025, 1, 10).days_until(d(2024, 12, 31)), -10);
        for days in [-1000, -1, 0, 1, 59, 60, 10_000, 20_000, 2_932_896] {
            let date = CivilDate::from_days_since_epoch(days).expect("in range");
            assert_eq!(date.days_since_epoch(), days);
        }
    }

    #[test]
    fn refuses_dates_that_do_not_exist() {
        assert!(CivilDate::new(2023, 2, 29).is_none());
        assert!(CivilDate::new(2024, 2, 29).is_some());
        assert!(CivilDate::new(2024, 13, 1).is_none());
        assert!(CivilDate::new(2024, 4, 31).is_none());
        assert!(CivilDate::parse_iso("2024-02-3").is_none());
        assert!(CivilDate::parse_iso("дата").is_none());
        assert_eq!(
            CivilDate::parse_iso("2025-03-14T10:00:00Z"),
            Some(d(2025, 3, 14))
        );
    }

    #[test]
    fn journals_write_iso_dates() {
        let json = serde_json::to_string(&d(2025, 3, 4)).expect("serialises");
        assert_eq!(json, "\"2025-03-04\"");
        let back: CivilDate = serde_json::from_str(&json).expect("reads back");
        assert_eq!(back, d(2025, 3, 4));
        assert!(serde_json::from_str::<CivilDate>("\"2025-02-30\"").is_err());
    }
}
