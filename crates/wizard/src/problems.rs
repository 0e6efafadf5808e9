//! Why an entry was refused, as data: the catalogue words each in both languages.

use serde::{Deserialize, Serialize};

use crate::pin::{PinPolicyError, Weakness};

/// Why a new PIN breaks the policy (never carrying the PIN).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "problem", rename_all = "snake_case")]
pub enum PinProblem {
    TooShort {
        min: u32,
    },
    TooLong {
        max: u32,
    },
    SameAsOld,
    FactoryDefault,
    /// Easy to guess, and why.
    Weak {
        weakness: Weakness,
    },
    Mismatch,
    BadCharacters,
}

impl From<&PinPolicyError> for PinProblem {
    fn from(e: &PinPolicyError) -> Self {
        let n = |v: usize| u32::try_from(v).unwrap_or(u32::MAX);
        match e {
            PinPolicyError::TooShort { min, .. } => PinProblem::TooShort { min: n(*min) },
            PinPolicyError::TooLong { max, .. } => PinProblem::TooLong { max: n(*max) },
            PinPolicyError::SameAsOld { .. } => PinProblem::SameAsOld,
            PinPolicyError::FactoryDefault { .. } => PinProblem::FactoryDefault,
            PinPolicyError::Weak { weakness, .. } => PinProblem::Weak {
                weakness: *weakness,
            },
            PinPolicyError::ConfirmationMismatch { .. } => PinProblem::Mismatch,
            PinPolicyError::BadCharacters { .. } => PinProblem::BadCharacters,
        }
    }
}

/// Why a field of the application form (or the contacts of R2.4) is refused.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "problem", rename_all = "snake_case")]
pub enum FieldProblem {
    Required,
    /// Letters, hyphens, apostrophes, dots and spaces only.
    NameCharacters,
    TooLong {
        max: u32,
    },
    InnNotDigits,
    InnLength {
        got: u32,
    },
    InnCheckDigit,
    /// A 10-digit INN belongs to an organisation: the legal-entity tick is missing.
    InnNeedsLegalEntity,
    /// "ИП ..." and other abbreviations of "Индивидуальный предприниматель".
    Abbreviated,
    /// A sole proprietor's organisation must read exactly this.
    SoleProprietorName {
        expected: String,
    },
    /// "Индивидуальный предприниматель ..." with a 10-digit (organisation's) INN.
    ProprietorNameWithCompanyInn,
    /// Only Russia.
    Country,
    /// Not a city of the list.
    CityNotInList,
    Phone,
    Email,
    /// The form's final check refused the field for a reason the wizard has no words
    /// for; its own (English) words.
    Other {
        detail: String,
    },
}
