//! What a token remembers: label, PINs with their retry counters, and objects.
//!
//! This is the content of one token file. Private key material is part of it, in the
//! clear: the emulator stands in for a chip that would keep it inside, and nothing here
//! is meant to protect a real key.

use std::collections::BTreeMap;

use cryptoki_sys::{CK_ATTRIBUTE_TYPE, CKR_PIN_INCORRECT, CKR_PIN_LEN_RANGE, CKR_PIN_LOCKED};
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use zeroize::Zeroize;

use crate::error::{Ckr, Result};
use crate::seed::{Purpose, Seed};

/// Factory user PIN of a Rutoken.
pub const DEFAULT_USER_PIN: &[u8] = b"12345678";
/// Factory administrator (SO) PIN of a Rutoken.
pub const DEFAULT_SO_PIN: &[u8] = b"87654321";
/// Shortest PIN a Rutoken ECP 2.0 accepts when a PIN is set.
pub const MIN_PIN_LEN: usize = 6;
/// Longest PIN.
pub const MAX_PIN_LEN: usize = 32;
/// Factory number of tries for either PIN.
pub const DEFAULT_RETRIES: u32 = 10;
/// Memory of a Rutoken ECP 2.0 (64 KiB), shared by all objects.
pub const TOTAL_MEMORY: usize = 64 * 1024;
/// Version of the token file format.
pub const FORMAT: u32 = 1;

/// Bytes stored as a hexadecimal string in JSON.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct Hex(pub Vec<u8>);

impl From<Hex> for String {
    fn from(hex: Hex) -> String {
        encode_hex(&hex.0)
    }
}

impl TryFrom<String> for Hex {
    type Error = HexError;
    fn try_from(text: String) -> std::result::Result<Self, HexError> {
        decode_hex(&text).map(Hex)
    }
}

/// Why a state file's hexadecimal or attribute key cannot be read.
#[derive(Debug, thiserror::Error)]
pub enum HexError {
    #[error("odd number of hex digits")]
    OddLength,
    #[error("bad hex at {0}")]
    BadDigit(usize),
    #[error("bad attribute type {0}")]
    AttributeType(String),
}

/// Lower-case hexadecimal.
pub fn encode_hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// Parses hexadecimal (either case).
pub fn decode_hex(text: &str) -> std::result::Result<Vec<u8>, HexError> {
    if !text.len().is_multiple_of(2) {
        return Err(HexError::OddLength);
    }
    (0..text.len())
        .step_by(2)
        .map(|i| {
            text.get(i..i + 2)
                .and_then(|pair| u8::from_str_radix(pair, 16).ok())
                .ok_or(HexError::BadDigit(i))
        })
        .collect()
}

/// A PIN as the chip keeps it: a salted hash, the retry counter and whether it is still
/// the factory value.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PinState {
    salt: Hex,
    hash: Hex,
    /// The PIN equals the factory PIN.
    pub is_default: bool,
    /// Tries after a successful entry.
    pub max_retries: u32,
    /// Tries left; 0 means blocked.
    pub retries_left: u32,
}

fn pin_hash(salt: &[u8], pin: &[u8]) -> Vec<u8> {
    let mut hasher = Sha256::new();
    hasher.update(salt);
    hasher.update(pin);
    hasher.finalize().to_vec()
}

/// Whether a PIN's length is allowed for a new PIN.
pub fn check_new_pin(pin: &[u8]) -> Result<()> {
    if (MIN_PIN_LEN..=MAX_PIN_LEN).contains(&pin.len()) {
        Ok(())
    } else {
        Err(Ckr(CKR_PIN_LEN_RANGE))
    }
}

/// Length of a PIN's salt.
pub const SALT_LEN: usize = 16;

/// A fresh salt from the operating system.
fn os_salt() -> [u8; SALT_LEN] {
    let mut salt = [0u8; SALT_LEN];
    // Without randomness the salt is only less unique; the emulator protects nothing.
    let _ = getrandom::fill(&mut salt);
    salt
}

impl PinState {
    /// A PIN with a full counter and a random salt.
    pub fn new(pin: &[u8], default: &[u8], max_retries: u32) -> PinState {
        PinState::with_salt(pin, default, max_retries, os_salt())
    }

    /// A PIN with a full counter and the given salt (seeded tokens derive it, see
    /// [`crate::seed`]).
    pub fn with_salt(
        pin: &[u8],
        default: &[u8],
        max_retries: u32,
        salt: [u8; SALT_LEN],
    ) -> PinState {
        PinState {
            hash: Hex(pin_hash(&salt, pin)),
            salt: Hex(salt.to_vec()),
            is_default: pin == default,
            max_retries,
            retries_left: max_retries,
        }
    }

    fn matches(&self, pin: &[u8]) -> bool {
        let candidate = pin_hash(&self.salt.0, pin);
        // Compare without an early exit, as a chip would.
        candidate.len() == self.hash.0.len()
            && candidate
                .iter()
                .zip(&self.hash.0)
                .fold(0u8, |acc, (a, b)| acc | (a ^ b))
                == 0
    }

    /// Presents a PIN. A wrong PIN costs a try; the try that uses up the counter and every
    /// later attempt (even with the right PIN) fail with `CKR_PIN_LOCKED`. A right PIN
    /// refills the counter.
    pub fn verify(&mut self, pin: &[u8]) -> Result<()> {
        if self.retries_left == 0 {
            return Err(Ckr(CKR_PIN_LOCKED));
        }
        if pin.is_empty() || pin.len() > MAX_PIN_LEN {
            // Refused before it reaches the chip: costs nothing.
            return Err(Ckr(CKR_PIN_LEN_RANGE));
        }
        if self.matches(pin) {
            self.retries_left = self.max_retries;
            Ok(())
        } else {
            self.retries_left -= 1;
            if self.retries_left == 0 {
                Err(Ckr(CKR_PIN_LOCKED))
            } else {
                Err(Ckr(CKR_PIN_INCORRECT))
            }
        }
    }

    /// Sets a new PIN (length already checked) with a random salt, unblocking it.
    pub fn set(&mut self, pin: &[u8], default: &[u8]) {
        self.set_with_salt(pin, default, os_salt());
    }

    /// [`PinState::set`] with the given salt.
    pub fn set_with_salt(&mut self, pin: &[u8], default: &[u8], salt: [u8; SALT_LEN]) {
        *self = PinState::with_salt(pin, default, self.max_retries, salt);
    }

    /// Blocked: no tries left.
    pub fn locked(&self) -> bool {
        self.retries_left == 0
    }
}

/// Attribute values by type, stored as the bytes a caller of C_GetAttributeValue receives
/// (CK_ULONG values in this machine's byte order: token files are not portable between
/// architectures, which an emulator for local tests never needs).
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(
    try_from = "BTreeMap<String, String>",
    into = "BTreeMap<String, String>"
)]
pub struct Attributes(pub BTreeMap<CK_ATTRIBUTE_TYPE, Vec<u8>>);

impl From<Attributes> for BTreeMap<String, String> {
    fn from(attributes: Attributes) -> Self {
        attributes
            .0
            .iter()
            .map(|(ty, value)| (format!("0x{ty:08x}"), encode_hex(value)))
            .collect()
    }
}

impl TryFrom<BTreeMap<String, String>> for Attributes {
    type Error = HexError;
    fn try_from(map: BTreeMap<String, String>) -> std::result::Result<Self, HexError> {
        map.iter()
            .map(|(key, value)| {
                let ty = key
                    .strip_prefix("0x")
                    .and_then(|k| CK_ATTRIBUTE_TYPE::from_str_radix(k, 16).ok())
                    .ok_or_else(|| HexError::AttributeType(key.clone()))?;
                Ok((ty, decode_hex(value)?))
            })
            .collect::<std::result::Result<_, HexError>>()
            .map(Attributes)
    }
}

/// Private key material. Never leaves the module through PKCS#11.
#[derive(Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "lowercase")]
pub enum Secret {
    /// RSA private key, PKCS#1 DER.
    Rsa {
        /// `RSAPrivateKey` DER.
        pkcs1_der: Hex,
    },
    /// GOST R 34.10-2012 private key.
    Gost {
        /// Parameter set OID, DER.
        params: Hex,
        /// The private scalar, little-endian.
        key_le: Hex,
    },
}

impl std::fmt::Debug for Secret {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Secret::Rsa { .. } => f.write_str("Secret::Rsa(..)"),
            Secret::Gost { .. } => f.write_str("Secret::Gost(..)"),
        }
    }
}

impl Drop for Secret {
    fn drop(&mut self) {
        match self {
            Secret::Rsa { pkcs1_der } => pkcs1_der.0.zeroize(),
            Secret::Gost { key_le, .. } => key_le.0.zeroize(),
        }
    }
}

/// One object on the token.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct StoredObject {
    /// Identifier within the token, never reused.
    pub uid: u64,
    /// Attribute values.
    pub attributes: Attributes,
    /// Key material of a private key.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub secret: Option<Secret>,
}

impl StoredObject {
    /// Bytes this object takes of the token's memory (values plus a per-object overhead,
    /// a rough model of the file system on the chip).
    pub fn footprint(&self) -> usize {
        let values: usize = self.attributes.0.values().map(|v| v.len() + 8).sum();
        let secret = match &self.secret {
            Some(Secret::Rsa { pkcs1_der }) => pkcs1_der.0.len(),
            Some(Secret::Gost { key_le, .. }) => key_le.0.len(),
            None => 0,
        };
        64 + values + secret
    }
}

/// Everything one token remembers.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TokenState {
    /// File format version.
    pub format: u32,
    /// Serial number as given at initialisation (hex digits).
    pub serial: String,
    /// Token label.
    pub label: String,
    /// User PIN.
    pub user_pin: PinState,
    /// Administrator (SO) PIN.
    pub so_pin: PinState,
    /// Next object uid.
    pub next_uid: u64,
    /// Objects on the token.
    pub objects: Vec<StoredObject>,
    /// Draws taken from the seeded generator so far (see [`crate::seed`]): the counter
    /// that makes each draw of a seeded token different yet repeatable across processes.
    /// Stays 0, and absent from the file, on tokens that never saw a seed.
    #[serde(default, skip_serializing_if = "is_zero")]
    pub seeded_draws: u64,
}

fn is_zero(value: &u64) -> bool {
    *value == 0
}

impl TokenState {
    /// A token as it leaves the factory: default PINs, no objects.
    pub fn factory(serial: &str, label: &str, user_retries: u32, so_retries: u32) -> TokenState {
        TokenState::factory_with_seed(serial, label, user_retries, so_retries, None)
    }

    /// [`TokenState::factory`], with the PIN salts drawn from `seed` when given, so that
    /// the token file of a seeded token repeats too.
    pub fn factory_with_seed(
        serial: &str,
        label: &str,
        user_retries: u32,
        so_retries: u32,
        seed: Option<&Seed>,
    ) -> TokenState {
        let mut token = TokenState {
            format: FORMAT,
            serial: serial.to_owned(),
            label: label.to_owned(),
            user_pin: PinState::new(DEFAULT_USER_PIN, DEFAULT_USER_PIN, user_retries),
            so_pin: PinState::new(DEFAULT_SO_PIN, DEFAULT_SO_PIN, so_retries),
            // uid 0 is the hardware feature object, which is not stored.
            next_uid: 1,
            objects: Vec::new(),
            seeded_draws: 0,
        };
        if seed.is_some() {
            let user_salt = token.new_salt(seed, Purpose::UserPinSalt);
            let so_salt = token.new_salt(seed, Purpose::SoPinSalt);
            token.user_pin =
                PinState::with_salt(DEFAULT_USER_PIN, DEFAULT_USER_PIN, user_retries, user_salt);
            token.so_pin = PinState::with_salt(DEFAULT_SO_PIN, DEFAULT_SO_PIN, so_retries, so_salt);
        }
        token
    }

    /// A salt for a new PIN: drawn from `seed` (advancing [`TokenState::seeded_draws`])
    /// when given, else from the operating system.
    pub fn new_salt(&mut self, seed: Option<&Seed>, purpose: Purpose) -> [u8; SALT_LEN] {
        match seed {
            Some(seed) => {
                let mut salt = [0u8; SALT_LEN];
                seed.draw(&self.serial, &mut self.seeded_draws, purpose)
                    .fill(&mut salt);
                salt
            }
            None => os_salt(),
        }
    }

    /// Memory in use.
    pub fn used_memory(&self) -> usize {
        self.objects.iter().map(StoredObject::footprint).sum()
    }

    /// Memory left.
    pub fn free_memory(&self) -> usize {
        TOTAL_MEMORY.saturating_sub(self.used_memory())
    }

    /// The serial as the 8 big-endian bytes of `CK_TOKEN_INFO_EXTENDED.serialNumber`.
    pub fn serial_bytes(&self) -> [u8; 8] {
        u64::from_str_radix(&self.serial, 16)
            .unwrap_or(0)
            .to_be_bytes()
    }

    /// Adds an object, giving it a uid; `CKR_DEVICE_MEMORY` when the token is full.
    pub fn add_object(&mut self, attributes: Attributes, secret: Option<Secret>) -> Result<u64> {
        let object = StoredObject {
            uid: self.next_uid,
            attributes,
            secret,
        };
        if object.footprint() > self.free_memory() {
            return Err(Ckr(cryptoki_sys::CKR_DEVICE_MEMORY));
        }
        self.next_uid += 1;
        self.objects.push(object);
        Ok(self.next_uid - 1)
    }

    /// An object by uid.
    pub fn object(&self, uid: u64) -> Option<&StoredObject> {
        self.objects.iter().find(|o| o.uid == uid)
    }

    /// An object by uid, for changing it.
    pub fn object_mut(&mut self, uid: u64) -> Option<&mut StoredObject> {
        self.objects.iter_mut().find(|o| o.uid == uid)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn wrong_pins_lock_and_right_pin_refills() {
        let mut pin = PinState::new(DEFAULT_USER_PIN, DEFAULT_USER_PIN, 3);
        assert_eq!(pin.verify(b"00000000"), Err(Ckr(CKR_PIN_INCORRECT)));
        assert_eq!(pin.retries_left, 2);
        assert_eq!(pin.verify(DEFAULT_USER_PIN), Ok(()));
        assert_eq!(pin.retries_left, 3);
        assert_eq!(pin.verify(b"00000000"), Err(Ckr(CKR_PIN_INCORRECT)));
        assert_eq!(pin.verify(b"00000000"), Err(Ckr(CKR_PIN_INCORRECT)));
        assert_eq!(pin.verify(b"00000000"), Err(Ckr(CKR_PIN_LOCKED)));
        assert!(pin.locked());
        assert_eq!(pin.verify(DEFAULT_USER_PIN), Err(Ckr(CKR_PIN_LOCKED)));
        pin.set(b"new-pin-1", DEFAULT_USER_PIN);
        assert!(!pin.is_default && !pin.locked());
        assert_eq!(pin.verify(b"new-pin-1"), Ok(()));
    }

    #[test]
    fn seeded_factory_tokens_repeat_and_unseeded_files_keep_their_format() {
        let seed = Seed::new("lesson").expect("a seed");
        let a = TokenState::factory_with_seed("0a1b2c3d", "t", 10, 10, Some(&seed));
        let b = TokenState::factory_with_seed("0a1b2c3d", "t", 10, 10, Some(&seed));
        assert_eq!(a, b);
        assert_eq!(a.seeded_draws, 2);
        assert_ne!(a.user_pin.salt, a.so_pin.salt);
        let mut user_pin = a.user_pin.clone();
        assert_eq!(user_pin.verify(DEFAULT_USER_PIN), Ok(()));
        let plain = TokenState::factory("0a1b2c3d", "t", 10, 10);
        assert_ne!(plain.user_pin.salt, a.user_pin.salt);
        let json = serde_json::to_string(&plain).unwrap();
        assert!(!json.contains("seeded_draws"), "{json}");
        assert!(
            serde_json::to_string(&a)
                .unwrap()
                .contains("\"seeded_draws\":2")
        );
    }

    #[test]
    fn token_file_round_trips() {
        let mut token = TokenState::factory("0a1b2c3d", "test", 10, 10);
        let mut attributes = Attributes::default();
        attributes.0.insert(3, b"label".to_vec());
        token
            .add_object(
                attributes,
                Some(Secret::Gost {
                    params: Hex(vec![6, 1, 2]),
                    key_le: Hex(vec![1; 32]),
                }),
            )
            .unwrap();
        let json = serde_json::to_string(&token).unwrap();
        let back: TokenState = serde_json::from_str(&json).unwrap();
        assert_eq!(back, token);
        assert_eq!(token.serial_bytes(), [0, 0, 0, 0, 0x0a, 0x1b, 0x2c, 0x3d]);
    }
}
