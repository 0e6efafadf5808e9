//! What a token says about itself: identity, PIN limits and PIN state.

use cryptoki::slot::Slot;
use serde::Serialize;

use smartkey_wizard::{PinLengths, PinRole, Tries};

/// The state of one PIN of a token, as the module reports it.
///
/// The standard flags (CKF_USER_PIN_TO_BE_CHANGED, ..._COUNT_LOW, ..._FINAL_TRY,
/// ..._LOCKED) are only hints in PKCS#11; a module with vendor extensions may add an exact
/// count and whether the PIN is still the factory default.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct PinStatus {
    pub to_be_changed: bool,
    pub count_low: bool,
    pub final_try: bool,
    pub locked: bool,
    /// Exact tries left, where the module tells.
    pub tries_left: Option<u32>,
    /// Whether the PIN is still the factory default, where the module tells.
    pub is_default: Option<bool>,
}

impl PinStatus {
    /// How many tries remain, as precisely as the module allows.
    pub fn tries_left(&self) -> Tries {
        match self.tries_left {
            Some(n) => Tries::Exactly(n),
            None if self.locked => Tries::Exactly(0),
            None if self.final_try => Tries::FinalTry,
            None if self.count_low => Tries::Low,
            None => Tries::Unknown,
        }
    }

    /// Whether the PIN can no longer be used.
    pub fn is_locked(&self) -> bool {
        self.locked || self.tries_left == Some(0)
    }

    /// One line in plain words: what a person should know about this PIN.
    pub fn summary(&self, role: PinRole) -> String {
        if self.is_locked() {
            return format!("{role} locked");
        }
        let mut parts = Vec::new();
        if self.is_default == Some(true) || self.to_be_changed {
            parts.push("factory default, must be changed".to_string());
        }
        match self.tries_left() {
            Tries::Exactly(n) => parts.push(format!("{n} tries left")),
            Tries::FinalTry => parts.push("final try".to_string()),
            Tries::Low => parts.push("few tries left".to_string()),
            Tries::Unknown => {}
        }
        if parts.is_empty() {
            parts.push("ok".to_string());
        }
        format!("{role}: {}", parts.join(", "))
    }
}

/// One token in one slot.
#[derive(Debug, Clone, Serialize)]
pub struct TokenInfo {
    /// The slot (reader) the token is in; slot IDs can change when tokens move.
    pub slot: u64,
    pub serial: String,
    pub label: String,
    pub manufacturer: String,
    pub model: String,
    /// The vendor's full model name, where the module has one ("Rutoken ECP 2.0").
    pub model_name: Option<String>,
    pub pin_limits: PinLengths,
    pub user_pin: PinStatus,
    pub admin_pin: PinStatus,
    /// Whether the token has been initialised (CKF_TOKEN_INITIALIZED).
    pub initialized: bool,
    #[serde(skip)]
    pub(crate) slot_handle: Slot,
}

impl TokenInfo {
    pub(crate) fn from_cryptoki(slot: Slot, info: &cryptoki::slot::TokenInfo) -> TokenInfo {
        TokenInfo {
            slot: slot.id(),
            serial: info.serial_number().trim().to_string(),
            label: info.label().trim().to_string(),
            manufacturer: info.manufacturer_id().trim().to_string(),
            model: info.model().trim().to_string(),
            model_name: None,
            pin_limits: PinLengths {
                min: info.min_pin_length(),
                max: info.max_pin_length(),
            },
            user_pin: PinStatus {
                to_be_changed: info.user_pin_to_be_changed(),
                count_low: info.user_pin_count_low(),
                final_try: info.user_pin_final_try(),
                locked: info.user_pin_locked(),
                tries_left: None,
                is_default: None,
            },
            admin_pin: PinStatus {
                to_be_changed: info.so_pin_to_be_changed(),
                count_low: info.so_pin_count_low(),
                final_try: info.so_pin_final_try(),
                locked: info.so_pin_locked(),
                tries_left: None,
                is_default: None,
            },
            initialized: info.token_initialized(),
            slot_handle: slot,
        }
    }

    /// Adds what Rutoken's extended token information tells beyond CK_TOKEN_INFO:
    /// exact tries left and whether each PIN is still the factory default.
    pub(crate) fn apply_extended(&mut self, ext: &rutoken_sys::CK_TOKEN_INFO_EXTENDED) {
        let count = |n: cryptoki_sys::CK_ULONG| u32::try_from(n).ok();
        self.user_pin.tries_left = count(ext.ulUserRetryCountLeft);
        self.admin_pin.tries_left = count(ext.ulAdminRetryCountLeft);
        self.user_pin.is_default =
            Some(ext.flags & rutoken_sys::TOKEN_FLAGS_USER_PIN_NOT_DEFAULT == 0);
        self.admin_pin.is_default =
            Some(ext.flags & rutoken_sys::TOKEN_FLAGS_ADMIN_PIN_NOT_DEFAULT == 0);
    }

    /// The model as a person knows it: the vendor's full name where there is one.
    pub fn display_model(&self) -> &str {
        self.model_name.as_deref().unwrap_or(&self.model)
    }

    /// The state of the PIN of `role`.
    pub fn pin(&self, role: PinRole) -> &PinStatus {
        match role {
            PinRole::User => &self.user_pin,
            PinRole::Admin => &self.admin_pin,
        }
    }

    /// "model, serial S, label L": how a token is named to a person.
    pub fn describe(&self) -> String {
        format!(
            "{} serial {} \"{}\"",
            self.display_model(),
            self.serial,
            self.label
        )
    }
}
