//! What a flow begins with: today's date and a session code (the wizard takes neither
//! from the system itself), the banks, the pending records and the city list.

use std::time::{SystemTime, UNIX_EPOCH};

use super::chance::Chance;
use crate::bank::BankProfile;
use crate::wizard::{BankInfo, CityIndex, CivilDate, PendingRecord, Start};

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

/// Today (UTC), as the system clock says; `None` for a clock outside years 1-9999.
pub fn today() -> Option<CivilDate> {
    let days = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| d.as_secs() / 86_400)
        .unwrap_or_default();
    CivilDate::from_days_since_epoch(i64::try_from(days).ok()?)
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
) -> Result<Start, String> {
    let today = today().ok_or("the computer's clock is not set to a real date")?;
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
    }
}
