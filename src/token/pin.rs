//! PINs and the policy a new PIN must meet.
//!
//! A PIN lives in a [`Pin`] from the moment it is read until it is handed to the module:
//! it is zeroised on drop, never printed by `Debug`, and no error of this module carries
//! it. The policy is checked before the token is touched, so a PIN that would be refused
//! never costs a try and never reaches the device.

use std::fmt;

use std::io::Read;
use std::path::Path;

use secrecy::{ExposeSecret, SecretString};
use serde::Serialize;
use zeroize::Zeroizing;

/// The factory user PIN of a Rutoken ECP (and of the throw-away test tokens).
pub const FACTORY_USER_PIN: &str = "12345678";
/// The factory admin (security officer) PIN of a Rutoken ECP.
pub const FACTORY_ADMIN_PIN: &str = "87654321";
/// smartkey never accepts a new PIN shorter than this, whatever the module allows: it is
/// the Rutoken ECP minimum, and the bank's instructions assume it.
pub const MIN_NEW_PIN_LEN: usize = 6;

/// Which PIN of the token: the user's PIN (CKU_USER) or the admin PIN (CKU_SO).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
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

    /// The PIN in the form cryptoki takes it.
    pub(crate) fn auth(&self) -> &SecretString {
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

/// The largest file of secrets smartkey reads (a PIN file, a script's secrets file).
pub const MAX_SECRET_FILE: usize = 64 * 1024;

/// The bytes of a file holding PINs, in one buffer made before reading and zeroised when
/// dropped: the file is never read into a buffer that grows, which would leave copies
/// behind in freed memory. A file larger than [`MAX_SECRET_FILE`] is refused.
pub fn read_secret_file(path: &Path) -> std::io::Result<Zeroizing<Vec<u8>>> {
    let mut file = std::fs::File::open(path)?;
    let mut buffer = Zeroizing::new(vec![0u8; MAX_SECRET_FILE + 1]);
    let mut filled = 0;
    loop {
        match file.read(&mut buffer[filled..]) {
            Ok(0) => break,
            Ok(n) => filled += n,
            Err(e) if e.kind() == std::io::ErrorKind::Interrupted => {}
            Err(e) => return Err(e),
        }
        if filled > MAX_SECRET_FILE {
            return Err(std::io::Error::other(format!(
                "it is larger than {MAX_SECRET_FILE} bytes"
            )));
        }
    }
    buffer.truncate(filled);
    Ok(buffer)
}

/// The PIN lengths a token accepts (CK_TOKEN_INFO ulMinPinLen / ulMaxPinLen).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct PinLimits {
    pub min: usize,
    pub max: usize,
}

impl PinLimits {
    /// The limits a new PIN must meet: the token's, raised to [`MIN_NEW_PIN_LEN`].
    pub fn for_new_pin(self) -> PinLimits {
        PinLimits {
            min: self.min.max(MIN_NEW_PIN_LEN),
            max: self.max.max(MIN_NEW_PIN_LEN),
        }
    }
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
    #[error("the two entries of the new {role} differ: type it again, the same both times")]
    ConfirmationMismatch { role: PinRole },
    #[error(
        "the new {role} may hold only letters, digits and punctuation of the Latin alphabet (no spaces or control characters)"
    )]
    BadCharacters { role: PinRole },
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
/// factory default, and typed the same twice.
pub fn check_new_pin(
    role: PinRole,
    current: &Pin,
    new: Pin,
    confirmation: &Pin,
    limits: PinLimits,
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

    const SOFTHSM: PinLimits = PinLimits { min: 4, max: 255 };

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
            PinLimits { min: 6, max: 32 },
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

    /// A PIN read with a line break and room to spare, as from a prompt or a file: no
    /// block freed while it becomes a `Pin` (and is dropped) still holds it.
    #[test]
    fn making_a_pin_frees_no_copy_of_it() {
        const SECRET: &str = "Zx9-heap-watch-pin";
        let ((), freed) = crate::heap_watch::freed_copies(SECRET.as_bytes(), || {
            let mut text = String::with_capacity(64);
            text.push_str(SECRET);
            text.push_str("\r\n");
            let pin = Pin::new(text);
            assert_eq!(pin.len(), SECRET.len());
        });
        assert_eq!(freed, 0, "blocks freed with the PIN still in them");
        // The watch itself sees a copy freed as it is.
        let (_, freed) = crate::heap_watch::freed_copies(SECRET.as_bytes(), || {
            let mut text = String::with_capacity(64);
            text.push_str(SECRET);
            drop(text);
        });
        assert_eq!(freed, 1);
    }

    #[test]
    fn secret_files_are_read_within_bounds() {
        let dir = tempfile::tempdir().expect("dir");
        let file = dir.path().join("pin");
        std::fs::write(&file, "Kq7-pass\n").expect("write");
        assert_eq!(
            read_secret_file(&file).expect("read").as_slice(),
            b"Kq7-pass\n"
        );
        std::fs::write(&file, vec![b'x'; MAX_SECRET_FILE + 1]).expect("write");
        assert!(read_secret_file(&file).is_err());
        std::fs::write(&file, vec![b'x'; MAX_SECRET_FILE]).expect("write");
        assert_eq!(
            read_secret_file(&file).expect("read").len(),
            MAX_SECRET_FILE
        );
    }

    #[test]
    fn trailing_newlines_are_not_part_of_a_pin() {
        assert!(pin("abcdef\r\n").matches(&pin("abcdef")));
        assert!(!pin("abcdef").matches(&pin("abcdeg")));
        assert!(!pin("abcdef").matches(&pin("abcdefg")));
    }
}
