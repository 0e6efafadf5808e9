//! What the wizard knows about tokens, keys, certificates, banks and requests: plain,
//! serialisable views of the real things, made by the runtime from the token and PKI
//! layers (the `from_*` constructors) and never holding a secret.
//!
//! The token layer's own types (`TokenInfo`, `KeyAlgorithm`, `PinRole`...) are not all
//! deserialisable and some hold live handles, so the wizard keeps its own small mirrors
//! and converts at the edge.

use std::fmt;

use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use spki::SubjectPublicKeyInfoOwned;
use x509_cert::Certificate;

use crate::bank::BankProfile;
use crate::pki::CertificateSummary;
use crate::pki::describe::name_attribute;
use crate::pki::subject::oids;
use crate::token::{KeyAlgorithm, KeyPairEntry, PinRole, PinStatus, TokenInfo, TriesLeft};

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
    pub fn is_gost(self) -> bool {
        !matches!(self, KeyType::Rsa2048)
    }
}

impl From<KeyAlgorithm> for KeyType {
    fn from(a: KeyAlgorithm) -> Self {
        match a {
            KeyAlgorithm::Rsa2048 => KeyType::Rsa2048,
            KeyAlgorithm::Gost2012_256 => KeyType::Gost2012_256,
            KeyAlgorithm::Gost2012_512 => KeyType::Gost2012_512,
        }
    }
}

impl From<KeyType> for KeyAlgorithm {
    fn from(k: KeyType) -> Self {
        match k {
            KeyType::Rsa2048 => KeyAlgorithm::Rsa2048,
            KeyType::Gost2012_256 => KeyAlgorithm::Gost2012_256,
            KeyType::Gost2012_512 => KeyAlgorithm::Gost2012_512,
        }
    }
}

/// Which PIN of a token.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum PinKind {
    /// The user's PIN (CKU_USER).
    User,
    /// The admin PIN (CKU_SO).
    Admin,
}

impl From<PinRole> for PinKind {
    fn from(r: PinRole) -> Self {
        match r {
            PinRole::User => PinKind::User,
            PinRole::Admin => PinKind::Admin,
        }
    }
}

impl From<PinKind> for PinRole {
    fn from(k: PinKind) -> Self {
        match k {
            PinKind::User => PinRole::User,
            PinKind::Admin => PinRole::Admin,
        }
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

impl From<TriesLeft> for Tries {
    fn from(t: TriesLeft) -> Self {
        match t {
            TriesLeft::Exactly(n) => Tries::Exactly(n),
            TriesLeft::FinalTry => Tries::FinalTry,
            TriesLeft::Low => Tries::Low,
            TriesLeft::Unknown => Tries::Unknown,
        }
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

impl From<&PinStatus> for PinState {
    fn from(s: &PinStatus) -> Self {
        PinState {
            is_default: s.is_default,
            to_be_changed: s.to_be_changed,
            tries: s.tries_left().into(),
            locked: s.is_locked(),
        }
    }
}

/// The PIN lengths a token accepts.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct PinLengths {
    pub min: usize,
    pub max: usize,
}

impl PinLengths {
    /// A Rutoken ECP's limits.
    pub const RUTOKEN: PinLengths = PinLengths { min: 6, max: 32 };
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

/// The SHA-256 of a public key's SubjectPublicKeyInfo, in hex: how the wizard tells
/// which token holds the key of a certificate without touching the token.
pub fn public_key_fingerprint(spki: &SubjectPublicKeyInfoOwned) -> Option<String> {
    use der::Encode;
    let der = spki.to_der().ok()?;
    Some(hex::encode(Sha256::digest(&der)))
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
    /// [`public_key_fingerprint`] of the certificate's key.
    pub public_key: Option<String>,
    /// The certificate itself, for the effects that store or present it.
    pub der: Der,
}

impl CertificateView {
    /// Everything the wizard needs of a certificate.
    pub fn of(cert: &Certificate) -> CertificateView {
        use der::Encode;
        let summary = CertificateSummary::of(cert);
        let tbs = cert.tbs_certificate();
        let date = |t: &x509_cert::time::Time| {
            let dt = t.to_date_time();
            CivilDate::new(i32::from(dt.year()), dt.month(), dt.day())
        };
        CertificateView {
            subject: summary.subject,
            owner: summary.owner,
            organization: summary.organization,
            issuer: summary.issuer,
            serial: summary.serial,
            valid_from: date(&tbs.validity().not_before),
            valid_until: date(&tbs.validity().not_after),
            issued_at: i64::try_from(
                tbs.validity()
                    .not_before
                    .to_date_time()
                    .unix_duration()
                    .as_secs(),
            )
            .ok(),
            email: name_attribute(tbs.subject(), &oids::EMAIL_ADDRESS),
            phone: name_attribute(tbs.subject(), &oids::TELEPHONE),
            public_key: public_key_fingerprint(tbs.subject_public_key_info()),
            der: Der(cert.to_der().unwrap_or_default()),
        }
    }

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
    /// [`public_key_fingerprint`] of the public key, where it could be read.
    pub public_key: Option<String>,
    /// The certificate stored next to it.
    pub certificate: Option<Box<CertificateView>>,
}

impl KeyView {
    /// A key pair as the token layer lists it; `public_key` is its fingerprint.
    pub fn of(entry: &KeyPairEntry, public_key: Option<String>) -> KeyView {
        KeyView {
            id: entry.id.to_hex(),
            label: entry.label.clone(),
            algorithm: entry.algorithm.map(KeyType::from),
            public_key,
            certificate: entry
                .certificate
                .as_ref()
                .map(|c| Box::new(CertificateView::of(c))),
        }
    }

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
    /// A token as the token layer describes it, with its key pairs.
    pub fn of(info: &TokenInfo, keys: Vec<KeyView>) -> TokenView {
        TokenView {
            serial: info.serial.clone(),
            model: info.display_model().to_string(),
            label: info.label.clone(),
            user_pin: PinState::from(&info.user_pin),
            admin_pin: PinState::from(&info.admin_pin),
            pin_lengths: PinLengths {
                min: info.pin_limits.min,
                max: info.pin_limits.max,
            },
            keys,
        }
    }

    pub fn pin(&self, kind: PinKind) -> &PinState {
        match kind {
            PinKind::User => &self.user_pin,
            PinKind::Admin => &self.admin_pin,
        }
    }

    pub fn pin_mut(&mut self, kind: PinKind) -> &mut PinState {
        match kind {
            PinKind::User => &mut self.user_pin,
            PinKind::Admin => &mut self.admin_pin,
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

impl PickupRef {
    /// The bank and transaction of a parsed link; `None` when the link's bank number
    /// does not fit an agentId.
    pub fn of(link: &crate::enroll::PickupLink) -> Option<PickupRef> {
        Some(PickupRef {
            agent_id: link.agent_id().parse().ok()?,
            transaction: TransactionId::from_bytes(link.transaction_id()),
        })
    }
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

impl From<&BankProfile> for BankInfo {
    fn from(p: &BankProfile) -> Self {
        BankInfo {
            agent_id: p.agent_id,
            name: p.name.clone(),
            operations_email: p.operations_email.clone(),
            support_phone: p.support_phone.clone(),
            support_email: p.support_email.clone(),
            online_bank_url: p.online_bank_url.clone(),
            key_types: p.key_types.iter().copied().map(KeyType::from).collect(),
        }
    }
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
    pub applicant: crate::pki::Applicant,
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
    use std::time::Duration;

    use der::asn1::UtcTime;
    use spki::EncodePublicKey;
    use x509_cert::builder::profile::BuilderProfile;
    use x509_cert::builder::{Builder, CertificateBuilder};
    use x509_cert::ext::Extension;
    use x509_cert::name::Name;
    use x509_cert::serial_number::SerialNumber;
    use x509_cert::time::{Time, Validity};

    use super::*;
    use crate::pki::Applicant;

    struct SelfSigned(Name);

    impl BuilderProfile for SelfSigned {
        fn get_issuer(&self, subject: &Name) -> Name {
            subject.clone()
        }

        fn get_subject(&self) -> Name {
            self.0.clone()
        }

        fn build_extensions(
            &self,
            _: spki::SubjectPublicKeyInfoRef<'_>,
            _: spki::SubjectPublicKeyInfoRef<'_>,
            _: &x509_cert::TbsCertificate,
        ) -> x509_cert::builder::Result<Vec<Extension>> {
            Ok(Vec::new())
        }
    }

    fn at(secs: u64) -> Time {
        Time::UtcTime(UtcTime::from_unix_duration(Duration::from_secs(secs)).expect("a UTC time"))
    }

    fn applicant() -> Applicant {
        Applicant {
            surname: "Иванов".into(),
            given_name: "Иван".into(),
            patronymic: "Иванович".into(),
            legal_entity: true,
            organization: "ООО Ромашка".into(),
            inn: "7707083893".into(),
            document: "Устав".into(),
            country: "RU".into(),
            city: "Москва".into(),
            address: "ул. Вавилова, 19".into(),
            phone: "+7 495 500-55-50".into(),
            email: "ivanov@example.ru".into(),
            ..Applicant::default()
        }
    }

    #[test]
    fn a_certificate_as_the_wizard_sees_it() {
        let valid = applicant().validate().expect("a valid applicant");
        let subject = crate::pki::subject::subject_name(&valid).expect("a subject");
        let key = gost3410::SigningKey::generate(gost3410::ParamSet::CryptoProA);
        let spki = SubjectPublicKeyInfoOwned::from_key(&key.verifying_key()).expect("an SPKI");
        // 2025-03-14 and 2026-03-14, 00:00 UTC.
        let validity = Validity::new(at(1_741_910_400), at(1_773_446_400));
        let cert = CertificateBuilder::new(
            SelfSigned(subject),
            SerialNumber::from(0x2au32),
            validity,
            spki.clone(),
        )
        .expect("a builder")
        .build::<_, gost3410::Signature>(&key)
        .expect("a certificate");
        let view = CertificateView::of(&cert);
        assert_eq!(view.owner.as_deref(), Some("Иванов Иван Иванович"));
        assert_eq!(view.organization.as_deref(), Some("ООО Ромашка"));
        assert_eq!(view.valid_from, CivilDate::new(2025, 3, 14));
        assert_eq!(view.valid_until, CivilDate::new(2026, 3, 14));
        assert_eq!(view.email.as_deref(), Some("ivanov@example.ru"));
        assert_eq!(view.public_key, public_key_fingerprint(&spki));
        assert_eq!(
            view.days_left(CivilDate::new(2026, 3, 4).expect("a date")),
            Some(10)
        );
        let der_spki = key.verifying_key().to_public_key_der().expect("DER");
        assert_eq!(
            view.public_key,
            Some(hex::encode(Sha256::digest(der_spki.as_bytes()))),
            "the fingerprint is the SHA-256 of the DER SubjectPublicKeyInfo"
        );
        assert!(!view.der.0.is_empty());
        assert_eq!(
            format!("{:?}", view.der),
            format!("Der({} bytes)", view.der.0.len())
        );
    }

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
        for k in [
            KeyAlgorithm::Rsa2048,
            KeyAlgorithm::Gost2012_256,
            KeyAlgorithm::Gost2012_512,
        ] {
            assert_eq!(KeyAlgorithm::from(KeyType::from(k)), k);
        }
    }
}
