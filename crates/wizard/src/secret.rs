//! How PINs cross serde: written as a marker, never as text.
//!
//! Inputs and effects are journalled; the PINs in them are not. A journal shows that a
//! PIN was entered, never which. Reading one back refuses the marker, so a replay
//! script must give its own (test) PINs explicitly.

use serde::de::Error as _;
use serde::{Deserialize, Deserializer, Serializer};

use crate::pin::Pin;

/// What a journal shows in place of a PIN.
pub const REDACTED: &str = "<hidden>";

pub fn serialize<S: Serializer>(_pin: &Pin, s: S) -> Result<S::Ok, S::Error> {
    s.serialize_str(REDACTED)
}

pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Pin, D::Error> {
    let text = String::deserialize(d)?;
    if text == REDACTED {
        return Err(D::Error::custom(
            "this PIN was not recorded; a replay script must give the PIN itself",
        ));
    }
    Ok(Pin::new(text))
}
