//! Russian registration numbers and their check digits: INN (taxpayer number, 10 digits
//! for a company, 12 for a person or sole proprietor) and OGRN / OGRNIP (state
//! registration number, 13 digits for a company, 15 for a sole proprietor).
//!
//! The rules live in the `ru-ids` crate, shared with the bank's CA, so that the wizard
//! and the CA can never disagree about a number.

pub use ::ru_ids::{IdError, InnKind, OgrnKind, check_inn, check_ogrn};
