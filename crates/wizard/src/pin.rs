//! PINs, their roles and the policy a new PIN must meet: the core's words for them.
//!
//! A PIN lives in a [`Pin`] from the moment it is read until it is handed to the token:
//! it is zeroised on drop, never printed by `Debug`, and no error of this module carries
//! it. The policy is checked before the token is touched, so a PIN that would be refused
//! never costs a try and never reaches the device.

use std::fmt;

use secrecy::{ExposeSecret, SecretString};
use serde::{Deserialize, Serialize};
use zeroize::Zeroizing;

/// The factory user PIN of a Rutoken ECP (and of the throw-away test tokens).
pub const FACTORY_USER_PIN: &str = "12345678";
/// The factory admin (security officer) PIN of a Rutoken ECP.
pub const FACTORY_ADMIN_PIN: &str = "87654321";
/// smartkey never accepts a new PIN shorter than this, whatever the module allows: it is
/// the Rutoken ECP minimum, and the bank's instructions assume it.
pub const MIN_NEW_PIN_LEN: usize = 6;

/// Which PIN of the token: the user's PIN (CKU_USER) or the admin PIN (CKU_SO).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum PinRole {
    User,
    Admin,
}

impl PinRole {
    /// The PIN this role has when the token leaves the factory.
    pub fn factory_default(self) -> &'static str {
        match self {
            PinRole::User => FACTORY_USER_PIN,
            PinRole::Admin => FACTORY_ADMIN_PIN,
        }
    }
}

impl fmt::Display for PinRole {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            PinRole::User => "PIN",
            PinRole::Admin => "admin PIN",
        })
    }
}

/// A PIN. Zeroised on drop; `Debug` shows nothing of it.
#[derive(Clone)]
pub struct Pin(SecretString);

impl Pin {
    /// Takes ownership of the text; trailing line breaks (from files and prompts) are
    /// not part of a PIN and are removed.
    ///
    /// The PIN is copied once into a box of its exact size and `text` is zeroised, spare
    /// capacity included: turning the string itself into the secret would shrink it,
    /// and an allocator that moves a shrunk block frees the old copy as it is.
    pub fn new(text: String) -> Self {
        let text = Zeroizing::new(text);
        let pin: Box<str> = Box::from(text.trim_end_matches(['\n', '\r']));
        Pin(SecretString::from(pin))
    }

    /// The PIN in the form the token adapter hands to PKCS#11; nothing else reads it.
    pub fn auth(&self) -> &SecretString {
        &self.0
    }

    fn text(&self) -> &str {
        self.0.expose_secret()
    }

    /// Its length in characters (what PKCS#11 length limits count for ASCII PINs).
    pub fn len(&self) -> usize {
        self.text().chars().count()
    }

    /// Whether the PIN is empty.
    pub fn is_empty(&self) -> bool {
        self.text().is_empty()
    }

    /// Whether this PIN equals `other`, without revealing either.
    pub fn matches(&self, other: &Pin) -> bool {
        let (a, b) = (self.text().as_bytes(), other.text().as_bytes());
        a.len() == b.len() && a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
    }

    /// Whether this is the factory PIN of either role.
    pub fn is_factory_default(&self) -> bool {
        self.text() == FACTORY_USER_PIN || self.text() == FACTORY_ADMIN_PIN
    }
}

impl fmt::Debug for Pin {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Pin(<hidden>)")
    }
}

/// The PIN lengths a token accepts (CK_TOKEN_INFO ulMinPinLen / ulMaxPinLen).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct PinLengths {
    pub min: usize,
    pub max: usize,
}

impl PinLengths {
    /// A Rutoken ECP's limits.
    pub const RUTOKEN: PinLengths = PinLengths { min: 6, max: 32 };

    /// The limits a new PIN must meet: the token's, raised to [`MIN_NEW_PIN_LEN`].
    pub fn for_new_pin(self) -> PinLengths {
        PinLengths {
            min: self.min.max(MIN_NEW_PIN_LEN),
            max: self.max.max(MIN_NEW_PIN_LEN),
        }
    }
}

/// Why a PIN is easy to guess: the kind of PIN anyone who finds the token tries first.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Weakness {
    /// One character, or a group of characters, over and over: 111111, 121212, 123123.
    Repeated,
    /// Consecutive digits or letters, up or down: 123456, 654321, 345678, 890123, abcdef.
    Sequence,
    /// Neighbouring keys of one keyboard row, either way: qwerty, asdfgh, poiuyt.
    KeyboardRun,
    /// On the list of the commonest PINs and passwords smartkey ships.
    Common,
}

impl fmt::Display for Weakness {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Weakness::Repeated => "a character or a group of them repeated",
            Weakness::Sequence => "consecutive digits or letters",
            Weakness::KeyboardRun => "neighbouring keys of a keyboard row",
            Weakness::Common => "one of the commonest PINs",
        })
    }
}

/// The commonest PINs that the rules of [`Weakness`] do not already catch.
const COMMON_PINS: &str = include_str!("common_pins.txt");

/// The rows of a keyboard, for [`Weakness::KeyboardRun`].
const KEYBOARD_ROWS: [&str; 4] = ["1234567890", "qwertyuiop", "asdfghjkl", "zxcvbnm"];

/// Why `text` would be an easy PIN, if it is one. Letters are compared without case.
pub fn weakness(text: &str) -> Option<Weakness> {
    let lower: Zeroizing<Vec<u8>> =
        Zeroizing::new(text.bytes().map(|b| b.to_ascii_lowercase()).collect());
    let pin = lower.as_slice();
    if pin.is_empty() {
        return None;
    }
    let repeats_every =
        |period: usize| pin.iter().skip(period).zip(pin.iter()).all(|(a, b)| a == b);
    if (1..=pin.len() / 2).any(repeats_every) {
        return Some(Weakness::Repeated);
    }
    if is_sequence(pin) {
        return Some(Weakness::Sequence);
    }
    let on_a_row = KEYBOARD_ROWS.iter().any(|row| {
        let row = row.as_bytes();
        let reversed: Vec<u8> = row.iter().rev().copied().collect();
        contains(row, pin) || contains(&reversed, pin)
    });
    if on_a_row {
        return Some(Weakness::KeyboardRun);
    }
    let common = COMMON_PINS
        .lines()
        .map(str::trim)
        .filter(|line| !line.is_empty() && !line.starts_with('#'))
        .any(|line| line.as_bytes() == pin);
    common.then_some(Weakness::Common)
}

/// Whether every character is the one after (or every one the one before) the previous:
/// digits going round from 9 to 0, or letters.
fn is_sequence(pin: &[u8]) -> bool {
    let next = |a: u8, up: bool| -> Option<u8> {
        match (a, up) {
            (b'9', true) => Some(b'0'),
            (b'0', false) => Some(b'9'),
            (b'0'..=b'8', true) | (b'a'..=b'y', true) => Some(a + 1),
            (b'1'..=b'9', false) | (b'b'..=b'z', false) => Some(a - 1),
            _ => None,
        }
    };
    pin.len() > 1
        && [true, false]
            .into_iter()
            .any(|up| pin.windows(2).all(|w| next(w[0], up) == Some(w[1])))
}

fn contains(haystack: &[u8], needle: &[u8]) -> bool {
    haystack.windows(needle.len()).any(|w| w == needle)
}

/// Why a new PIN was refused. None of these carries the PIN itself.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum PinPolicyError {
    #[error("the new {role} is too short: use at least {min} characters")]
    TooShort { role: PinRole, min: usize },
    #[error("the new {role} is too long: use at most {max} characters")]
    TooLong { role: PinRole, max: usize },
    #[error("the new {role} is the same as the current one: choose a different one")]
    SameAsOld { role: PinRole },
    #[error(
        "the new {role} is a factory default (12345678 or 87654321), which anyone can guess: choose another"
    )]
    FactoryDefault { role: PinRole },
    #[error("the new {role} is easy to guess ({weakness}): choose another")]
    Weak { role: PinRole, weakness: Weakness },
    #[error("the two entries of the new {role} differ: type it again, the same both times")]
    ConfirmationMismatch { role: PinRole },
    #[error(
        "the new {role} may hold only letters, digits and punctuation of the Latin alphabet (no spaces or control characters)"
    )]
    BadCharacters { role: PinRole },
}

impl PinPolicyError {
    /// The PIN whose change was refused.
    pub fn role(&self) -> PinRole {
        match self {
            PinPolicyError::TooShort { role, .. }
            | PinPolicyError::TooLong { role, .. }
            | PinPolicyError::SameAsOld { role }
            | PinPolicyError::FactoryDefault { role }
            | PinPolicyError::Weak { role, .. }
            | PinPolicyError::ConfirmationMismatch { role }
            | PinPolicyError::BadCharacters { role } => *role,
        }
    }
}

/// A new PIN that passed the policy; only [`check_new_pin`] makes one.
#[derive(Debug)]
pub struct NewPin(Pin);

impl NewPin {
    pub fn pin(&self) -> &Pin {
        &self.0
    }
}

/// Checks a PIN change before any PKCS#11 call: length within the token's limits (and at
/// least [`MIN_NEW_PIN_LEN`]), printable ASCII, different from the current PIN, not a
/// factory default, not easy to guess ([`weakness`]), and typed the same twice.
pub fn check_new_pin(
    role: PinRole,
    current: &Pin,
    new: Pin,
    confirmation: &Pin,
    limits: PinLengths,
) -> Result<NewPin, PinPolicyError> {
    let limits = limits.for_new_pin();
    if !new.matches(confirmation) {
        return Err(PinPolicyError::ConfirmationMismatch { role });
    }
    if !new.text().chars().all(|c| c.is_ascii_graphic()) {
        return Err(PinPolicyError::BadCharacters { role });
    }
    if new.len() < limits.min {
        return Err(PinPolicyError::TooShort {
            role,
            min: limits.min,
        });
    }
    if new.len() > limits.max {
        return Err(PinPolicyError::TooLong {
            role,
            max: limits.max,
        });
    }
    if new.is_factory_default() {
        return Err(PinPolicyError::FactoryDefault { role });
    }
    if let Some(weakness) = weakness(new.text()) {
        return Err(PinPolicyError::Weak { role, weakness });
    }
    if new.matches(current) {
        return Err(PinPolicyError::SameAsOld { role });
    }
    Ok(NewPin(new))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn pin(s: &str) -> Pin {
        Pin::new(s.to_string())
    }

    const SOFTHSM: PinLengths = PinLengths { min: 4, max: 255 };

    #[test]
    fn accepts_a_good_change() {
        let new = check_new_pin(
            PinRole::User,
            &pin("12345678"),
            pin("Kq7-pass"),
            &pin("Kq7-pass"),
            SOFTHSM,
        );
        assert!(new.is_ok());
    }

    #[test]
    fn easy_pins_are_named_for_their_weakness() {
        use Weakness::*;
        for (text, expected) in [
            ("111111", Repeated),
            ("000000", Repeated),
            ("121212", Repeated),
            ("123123", Repeated),
            ("AbcAbc", Repeated),
            ("123456", Sequence),
            ("654321", Sequence),
            ("345678", Sequence),
            ("890123", Sequence),
            ("210987", Sequence),
            ("abcdef", Sequence),
            ("ZYXWVU", Sequence),
            ("QWERTY", KeyboardRun),
            ("poiuyt", KeyboardRun),
            ("asdfgh", KeyboardRun),
            ("zxcvbnm", KeyboardRun),
            ("1qaz2wsx", Common),
            ("159753", Common),
            ("112233", Common),
            ("Password1", Common),
        ] {
            assert_eq!(weakness(text), Some(expected), "{text}");
            let refused = check_new_pin(
                PinRole::Admin,
                &pin("Old-pin-9"),
                pin(text),
                &pin(text),
                SOFTHSM,
            );
            assert_eq!(
                refused.err(),
                Some(PinPolicyError::Weak {
                    role: PinRole::Admin,
                    weakness: expected
                }),
                "{text}"
            );
        }
        for text in [
            "Kq7-pass",
            "482915",
            "Demo-new-1",
            "Wq3-new-pin",
            "Qz7-user-pin",
            "s3cr3t!",
        ] {
            assert_eq!(weakness(text), None, "{text}");
        }
    }

    #[test]
    fn the_common_list_holds_only_pins_the_rules_miss() {
        for line in COMMON_PINS.lines().map(str::trim) {
            if line.is_empty() || line.starts_with('#') {
                continue;
            }
            assert!(
                line.len() >= MIN_NEW_PIN_LEN,
                "{line} is shorter than any new PIN"
            );
            assert_eq!(line, line.to_ascii_lowercase(), "{line} is not lower case");
            assert_eq!(
                weakness(line),
                Some(Weakness::Common),
                "{line} is caught by a rule"
            );
        }
    }

    #[test]
    fn refuses_each_policy_breach() {
        let cases = [
            (
                "1234",
                "1234",
                PinPolicyError::TooShort {
                    role: PinRole::User,
                    min: 6,
                },
            ),
            (
                "87654321",
                "87654321",
                PinPolicyError::FactoryDefault {
                    role: PinRole::User,
                },
            ),
            (
                "12345678",
                "12345678",
                PinPolicyError::FactoryDefault {
                    role: PinRole::User,
                },
            ),
            (
                "old-pin-1",
                "old-pin-1",
                PinPolicyError::SameAsOld {
                    role: PinRole::User,
                },
            ),
            (
                "good-pin-1",
                "good-pin-2",
                PinPolicyError::ConfirmationMismatch {
                    role: PinRole::User,
                },
            ),
            (
                "with space",
                "with space",
                PinPolicyError::BadCharacters {
                    role: PinRole::User,
                },
            ),
        ];
        for (new, confirm, expected) in cases {
            let got = check_new_pin(
                PinRole::User,
                &pin("old-pin-1"),
                pin(new),
                &pin(confirm),
                SOFTHSM,
            );
            assert_eq!(got.err(), Some(expected), "new PIN case {new:?}");
        }
        let long = "x".repeat(33);
        let got = check_new_pin(
            PinRole::Admin,
            &pin("87654321"),
            pin(&long),
            &pin(&long),
            PinLengths { min: 6, max: 32 },
        );
        assert_eq!(
            got.err(),
            Some(PinPolicyError::TooLong {
                role: PinRole::Admin,
                max: 32
            })
        );
    }

    #[test]
    fn no_error_text_or_debug_output_carries_the_pin() {
        let secret = "Zx9-secret";
        let p = pin(secret);
        assert!(!format!("{p:?}").contains(secret));
        let err = check_new_pin(
            PinRole::User,
            &pin("other-1"),
            pin(secret),
            &pin("Zx9-secreT"),
            SOFTHSM,
        )
        .unwrap_err();
        assert!(!err.to_string().contains(secret));
        assert!(!format!("{err:?}").contains(secret));
    }

    #[test]
    fn trailing_newlines_are_not_part_of_a_pin() {
        assert!(pin("abcdef\r\n").matches(&pin("abcdef")));
        assert!(!pin("abcdef").matches(&pin("abcdeg")));
        assert!(!pin("abcdef").matches(&pin("abcdefg")));
    }
}
