//! What the wizard knows about tokens, keys, certificates, banks and requests: plain,
//! serialisable views of the real things, never holding a secret.
//!
//! These are the core's words. The adapters make them from what they read (the token
//! layer's object lists, X.509 certificates, bank profiles, pickup links) at their own
//! edge, so the core never sees a device handle or a DER parser.

use std::fmt;

use serde::{Deserialize, Serialize};

use crate::pin::{PinLengths, PinRole};

use super::date::CivilDate;

/// Every key pair the wizard makes is labelled with this prefix, so that a key left by an
/// interrupted run can be told from keys other programs made (which are never touched).
pub const KEY_LABEL_PREFIX: &str = "smartkey";

/// The kind of key pair, as the bank's form offers it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum KeyType {
    /// "Smart key (RSA)": RSA-2048.
    Rsa2048,
    /// GOST R 34.10-2012, 256-bit.
    #[serde(rename = "gost2012-256")]
    Gost2012_256,
    /// GOST R 34.10-2012, 512-bit.
    #[serde(rename = "gost2012-512")]
    Gost2012_512,
}

impl KeyType {
    /// Its name in files and on the command line ("rsa2048", "gost2012-256").
    pub fn name(self) -> &'static str {
        match self {
            KeyType::Rsa2048 => "rsa2048",
            KeyType::Gost2012_256 => "gost2012-256",
            KeyType::Gost2012_512 => "gost2012-512",
        }
    }

    pub fn is_gost(self) -> bool {
        !matches!(self, KeyType::Rsa2048)
    }
}

/// How many PIN tries remain, as precisely as the token tells.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case", tag = "kind", content = "count")]
pub enum Tries {
    Exactly(u32),
    FinalTry,
    Low,
    Unknown,
}

impl Tries {
    /// One more wrong entry locks the PIN.
    pub fn is_last(self) -> bool {
        matches!(self, Tries::Exactly(1) | Tries::FinalTry)
    }

    /// No entry is left.
    pub fn is_none_left(self) -> bool {
        matches!(self, Tries::Exactly(0))
    }
}

/// The state of one PIN as the token reports it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct PinState {
    /// Whether the PIN is still the factory default, where the token tells.
    pub is_default: Option<bool>,
    /// The token asks for the PIN to be changed (CKF_*_PIN_TO_BE_CHANGED).
    pub to_be_changed: bool,
    pub tries: Tries,
    pub locked: bool,
}

impl PinState {
    /// A PIN that is not the default, with tries to spare: what a token in use has.
    pub const CHANGED: PinState = PinState {
        is_default: Some(false),
        to_be_changed: false,
        tries: Tries::Unknown,
        locked: false,
    };

    /// The factory default PIN of a fresh token.
    pub const FACTORY: PinState = PinState {
        is_default: Some(true),
        to_be_changed: false,
        tries: Tries::Unknown,
        locked: false,
    };

    /// Whether the wizard must have it changed (N2.4, N2.5, R2.5, R2.6): only when the
    /// token says it is still the default or asks for a change.
    pub fn must_change(&self) -> bool {
        self.is_default == Some(true) || self.to_be_changed
    }

    pub fn is_locked(&self) -> bool {
        self.locked || self.tries.is_none_left()
    }
}

/// A DER encoding (of a certificate), written as hex in journals. Public data only.
#[derive(Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(into = "String", try_from = "String")]
pub struct Der(pub Vec<u8>);

impl fmt::Debug for Der {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Der({} bytes)", self.0.len())
    }
}

impl From<Der> for String {
    fn from(d: Der) -> String {
        hex::encode(d.0)
    }
}

impl TryFrom<String> for Der {
    type Error = hex::FromHexError;
    fn try_from(text: String) -> Result<Self, Self::Error> {
        hex::decode(text).map(Der)
    }
}

/// A certificate as the wizard shows and handles it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CertificateView {
    /// The whole subject in words ("C=RU, O=..., CN=...").
    pub subject: String,
    /// The owner (the subject's CN).
    pub owner: Option<String>,
    pub organization: Option<String>,
    pub issuer: String,
    /// The serial number in hex.
    pub serial: String,
    pub valid_from: Option<CivilDate>,
    pub valid_until: Option<CivilDate>,
    /// The start of validity to the second (Unix time): tells a renewal issued on the
    /// same day as the certificate it replaces from that certificate.
    #[serde(default)]
    pub issued_at: Option<i64>,
    /// The e-mail and phone in the subject, where there are.
    pub email: Option<String>,
    pub phone: Option<String>,
    /// the public-key fingerprint (SHA-256 of the SubjectPublicKeyInfo DER, hex) of the certificate's key.
    pub public_key: Option<String>,
    /// The certificate itself, for the effects that store or present it.
    pub der: Der,
}

impl fmt::Display for KeyType {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

impl CertificateView {
    /// Days from `today` to the end of validity (negative once expired).
    pub fn days_left(&self, today: CivilDate) -> Option<i64> {
        self.valid_until.map(|end| today.days_until(end))
    }

    /// The same owner: the whole subject is the same (a renewal keeps the subject).
    pub fn same_subject(&self, other: &CertificateView) -> bool {
        self.subject == other.subject
    }
}

/// A key pair on a token.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct KeyView {
    /// CKA_ID in hex.
    pub id: String,
    pub label: String,
    pub algorithm: Option<KeyType>,
    /// the public-key fingerprint (SHA-256 of the SubjectPublicKeyInfo DER, hex) of the public key, where it could be read.
    pub public_key: Option<String>,
    /// The certificate stored next to it.
    pub certificate: Option<Box<CertificateView>>,
}

impl KeyView {
    /// A key this program made and that has no certificate yet.
    pub fn is_ours_without_certificate(&self) -> bool {
        self.certificate.is_none() && self.label.starts_with(KEY_LABEL_PREFIX)
    }
}

/// One inserted token, as the runtime reports it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TokenView {
    pub serial: String,
    /// The model as a person knows it ("Rutoken ECP 2.0").
    pub model: String,
    pub label: String,
    pub user_pin: PinState,
    pub admin_pin: PinState,
    pub pin_lengths: PinLengths,
    /// Its key pairs, with their certificates (readable without a PIN).
    pub keys: Vec<KeyView>,
}

impl TokenView {
    pub fn pin(&self, kind: PinRole) -> &PinState {
        match kind {
            PinRole::User => &self.user_pin,
            PinRole::Admin => &self.admin_pin,
        }
    }

    pub fn pin_mut(&mut self, kind: PinRole) -> &mut PinState {
        match kind {
            PinRole::User => &mut self.user_pin,
            PinRole::Admin => &mut self.admin_pin,
        }
    }

    /// Whether this is a Rutoken ECP 2.0, the carrier the renewal moves to. Its module
    /// names it in the vendor model name; plain CK_TOKEN_INFO only says "Rutoken ECP".
    pub fn is_rutoken_ecp2(&self) -> bool {
        let model = self.model.to_lowercase();
        (model.contains("rutoken") || model.contains("рутокен"))
            && (model.contains("ecp 2.0") || model.contains("эцп 2.0"))
    }

    pub fn key(&self, id: &str) -> Option<&KeyView> {
        self.keys.iter().find(|k| k.id == id)
    }

    /// Whether the token holds the key whose public key has this fingerprint.
    pub fn holds_key(&self, fingerprint: &str) -> Option<&KeyView> {
        self.keys
            .iter()
            .find(|k| k.public_key.as_deref() == Some(fingerprint))
    }

    /// The key pairs that carry a certificate.
    pub fn certified_keys(&self) -> impl Iterator<Item = (&KeyView, &CertificateView)> {
        self.keys
            .iter()
            .filter_map(|k| k.certificate.as_deref().map(|c| (k, c)))
    }

    /// The last digits of the serial that a person types to confirm a token (N2.2).
    pub fn serial_tail(&self) -> &str {
        serial_tail(&self.serial)
    }
}

/// How many last characters of a serial confirm a token.
pub const SERIAL_TAIL_LEN: usize = 4;

/// The last [`SERIAL_TAIL_LEN`] characters of a serial (all of a shorter one).
pub fn serial_tail(serial: &str) -> &str {
    let skip = serial.chars().count().saturating_sub(SERIAL_TAIL_LEN);
    serial
        .char_indices()
        .nth(skip)
        .map_or("", |(i, _)| &serial[i..])
}

/// Whether what a person typed confirms `serial`: its last characters, or all of it.
pub fn confirms_serial(typed: &str, serial: &str) -> bool {
    let typed = typed.trim();
    !typed.is_empty()
        && (typed.eq_ignore_ascii_case(serial_tail(serial)) || typed.eq_ignore_ascii_case(serial))
}

/// A key pair on a given token.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct KeyRef {
    /// The token's serial.
    pub serial: String,
    /// CKA_ID in hex.
    pub key_id: String,
}

/// A CMP transaction, by its transactionID in hex.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(transparent)]
pub struct TransactionId(pub String);

impl TransactionId {
    pub fn from_bytes(bytes: &[u8]) -> TransactionId {
        TransactionId(hex::encode(bytes))
    }

    /// "1a2b…9f0e", short enough to read out on the phone.
    pub fn short(&self) -> String {
        let t = &self.0;
        if t.len() <= 12 || !t.is_ascii() {
            return t.clone();
        }
        format!("{}…{}", &t[..6], &t[t.len() - 6..])
    }
}

/// Where to pick a certificate up: the bank and the transaction of an e-mailed link.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PickupRef {
    pub agent_id: u32,
    pub transaction: TransactionId,
}

/// What screens need to know about the bank.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct BankInfo {
    pub agent_id: u32,
    pub name: String,
    /// Where the signed application scan goes (N2.7).
    pub operations_email: Option<String>,
    pub support_phone: Option<String>,
    pub support_email: Option<String>,
    /// The online bank's login page (N3.1, R2.12).
    pub online_bank_url: Option<String>,
    /// The key types the bank issues certificates for, its preferred one first.
    pub key_types: Vec<KeyType>,
}

impl BankInfo {
    /// A bank known only by its agentId (a link of a bank without a profile).
    pub fn unknown(agent_id: u32) -> BankInfo {
        BankInfo {
            agent_id,
            name: format!("agentId {agent_id}"),
            operations_email: None,
            support_phone: None,
            support_email: None,
            online_bank_url: None,
            key_types: Vec::new(),
        }
    }

    /// The key type the new flow offers first (N2.3).
    pub fn preferred_key(&self) -> KeyType {
        self.key_types.first().copied().unwrap_or(KeyType::Rsa2048)
    }

    /// The key type of a renewal onto a Rutoken ECP 2.0 (R2.7): GOST R 34.10-2012, the
    /// bank's preferred size.
    pub fn renewal_key(&self) -> KeyType {
        self.key_types
            .iter()
            .copied()
            .find(|k| k.is_gost())
            .unwrap_or(KeyType::Gost2012_256)
    }
}

/// The phone and e-mail the bank writes to (R2.4).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Contacts {
    pub phone: String,
    pub email: String,
}

/// Which flow a request waiting at the bank belongs to, which decides the key that signs
/// the acceptance act.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum RequestKind {
    /// A first certificate (N2.x): the act is signed with the new key.
    New,
    /// A renewal (R2.x): the act is signed with the old key, which must stay until then.
    Renewal {
        old_key: KeyRef,
        old_certificate_serial: String,
    },
}

/// The local record of a request sent and waiting at the bank. No secret: what is needed
/// to continue (pick the certificate up, find the key) and to tell a person what it is.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PendingRecord {
    pub agent_id: u32,
    pub transaction: TransactionId,
    pub kind: RequestKind,
    /// The new key, on the token that will hold the certificate.
    pub key: KeyRef,
    pub key_type: KeyType,
    /// Whom the certificate is for, in words ("Иванов Иван Иванович, ООО Ромашка").
    pub subject: String,
    pub created: CivilDate,
    /// The certificate the bank issued, kept here before the acceptance act is signed,
    /// so that an interrupted save finishes from this copy.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub kept: Option<Box<KeptCertificate>>,
}

/// An issued certificate kept on this computer until it is safely on its token.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct KeptCertificate {
    pub certificate: CertificateView,
    /// The bank confirmed the signed acceptance act: a second save does not sign again.
    #[serde(default)]
    pub accepted: bool,
}

/// The N2.3 form as typed so far (never a PIN), kept while it is filled in so that an
/// interrupted `new` offers it again.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FormDraft {
    /// The bank the form is for.
    pub agent_id: u32,
    pub key_type: KeyType,
    pub applicant: crate::applicant::Applicant,
}

impl PendingRecord {
    /// The bank confirmed the acceptance act of the kept certificate.
    pub fn accepted(&self) -> bool {
        self.kept.as_ref().is_some_and(|k| k.accepted)
    }

    pub fn pickup(&self) -> PickupRef {
        PickupRef {
            agent_id: self.agent_id,
            transaction: self.transaction.clone(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn recognises_a_rutoken_ecp_2_by_its_model_name() {
        let token = |model: &str| TokenView {
            serial: "1".into(),
            model: model.into(),
            label: String::new(),
            user_pin: PinState::FACTORY,
            admin_pin: PinState::FACTORY,
            pin_lengths: PinLengths::RUTOKEN,
            keys: Vec::new(),
        };
        assert!(token("Rutoken ECP 2.0").is_rutoken_ecp2());
        assert!(token("Рутокен ЭЦП 2.0").is_rutoken_ecp2());
        assert!(token("Rutoken ECP 2.0 (3000)").is_rutoken_ecp2());
        assert!(
            !token("Rutoken ECP").is_rutoken_ecp2(),
            "the plain CK_TOKEN_INFO model says no more"
        );
        assert!(!token("Rutoken Lite").is_rutoken_ecp2());
        assert!(!token("SoftHSM v2").is_rutoken_ecp2());
    }

    #[test]
    fn a_pin_must_change_only_when_the_token_says_so() {
        assert!(PinState::FACTORY.must_change());
        assert!(!PinState::CHANGED.must_change());
        let unknown = PinState {
            is_default: None,
            ..PinState::CHANGED
        };
        assert!(
            !unknown.must_change(),
            "a module without vendor flags is not second-guessed"
        );
        let flagged = PinState {
            to_be_changed: true,
            ..unknown
        };
        assert!(flagged.must_change());
        let spent = PinState {
            tries: Tries::Exactly(0),
            ..PinState::CHANGED
        };
        assert!(spent.is_locked());
    }

    #[test]
    fn serial_tails_and_short_transaction_numbers() {
        assert_eq!(serial_tail("0A1B2C3D"), "2C3D");
        assert_eq!(serial_tail("12"), "12");
        assert_eq!(serial_tail("Ёжик1234"), "1234");
        assert!(confirms_serial(" 2c3d ", "0A1B2C3D"));
        assert!(confirms_serial("0a1b2c3d", "0A1B2C3D"));
        assert!(!confirms_serial("", "0A1B2C3D"));
        assert!(!confirms_serial("2C3E", "0A1B2C3D"));
        assert_eq!(
            TransactionId("00112233445566778899aabbccddeeff".into()).short(),
            "001122…ddeeff"
        );
        assert_eq!(
            TransactionId("ёёёёёёёёёёёёёё".into()).short(),
            "ёёёёёёёёёёёёёё"
        );
    }

    #[test]
    fn bank_profiles_map_to_what_screens_need() {
        let gost = BankInfo {
            key_types: vec![KeyType::Rsa2048, KeyType::Gost2012_512],
            ..BankInfo::unknown(5282)
        };
        assert_eq!(gost.preferred_key(), KeyType::Rsa2048);
        assert_eq!(gost.renewal_key(), KeyType::Gost2012_512);
        assert_eq!(BankInfo::unknown(1).renewal_key(), KeyType::Gost2012_256);
    }
}
