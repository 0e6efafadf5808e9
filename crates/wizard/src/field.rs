//! [`FieldId`]: the fields a screen can have, by name; answers, problems, messages and
//! documents all name fields by it.

use serde::{Deserialize, Serialize};

/// The fields a screen can have; answers name them.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum FieldId {
    KeyType,
    Surname,
    GivenName,
    Patronymic,
    LegalEntity,
    Organization,
    Inn,
    Kio,
    Document,
    Country,
    City,
    Address,
    Phone,
    Email,
    /// The last digits of a token's serial, typed to confirm it.
    SerialTail,
    /// A PIN to log in.
    Pin,
    CurrentPin,
    NewPin,
    RepeatPin,
    /// R2.13: a payment signed with the new key went through.
    PaymentWentThrough,
}
