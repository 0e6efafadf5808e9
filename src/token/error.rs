//! What can go wrong with a token, in words a person can act on.
//!
//! Every PKCS#11 failure becomes a [`TokenError`] variant; a return code the layer has no
//! special meaning for still comes with a plain description ([`describe_rv`]) next to its
//! name, never as a bare number. No variant carries a PIN.

use std::fmt;
use std::path::PathBuf;

use cryptoki::error::RvError;

use smartkey_wizard::{PinPolicyError, PinRole, Tries};

/// [`Tries`] in the words of the command line's messages.
struct TriesWords(Tries);

impl fmt::Display for TriesWords {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.0 {
            Tries::Exactly(0) => f.write_str("no tries are left"),
            Tries::Exactly(1) | Tries::FinalTry => {
                f.write_str("one try is left: one more wrong entry locks it")
            }
            Tries::Exactly(n) => write!(f, "{n} tries are left"),
            Tries::Low => f.write_str("only a few tries are left"),
            Tries::Unknown => f.write_str("the token does not say how many tries are left"),
        }
    }
}

/// Errors of the token layer.
#[derive(Debug, thiserror::Error)]
pub enum TokenError {
    #[error(
        "the PKCS#11 library {path} could not be loaded ({reason}); check the path, or choose another library with --module PATH or SMARTKEY_MODULE"
    )]
    LibraryLoad { path: PathBuf, reason: String },

    #[error(
        "no Rutoken PKCS#11 library was found (looked in: {}); install the Rutoken drivers, or name a library with --module PATH or SMARTKEY_MODULE",
        .tried.iter().map(|p| p.display().to_string()).collect::<Vec<_>>().join(", ")
    )]
    NoLibrary { tried: Vec<PathBuf> },

    #[error("the token was removed; insert it again and repeat this step (nothing on it was lost)")]
    Removed,

    #[error("no token is inserted; insert the token and try again")]
    NoToken,

    #[error("no token with serial number {serial} is inserted; inserted now: {inserted}")]
    NotFound { serial: String, inserted: String },

    #[error(
        "more than one token is inserted ({inserted}); remove the others or name one with --serial"
    )]
    Ambiguous { inserted: String },

    #[error("wrong {role}: {}", TriesWords(*.tries_left))]
    PinIncorrect { role: PinRole, tries_left: Tries },

    #[error(
        "the {role} is locked after too many wrong entries; {}",
        match .role {
            PinRole::User => "the admin PIN can unlock it; if you do not have it, call your bank's support",
            PinRole::Admin => "call your bank's support: the token cannot be unlocked without them",
        }
    )]
    PinLocked { role: PinRole },

    #[error("the token refuses this {role} length: it takes {min} to {max} characters")]
    PinLength {
        role: PinRole,
        min: usize,
        max: usize,
    },

    #[error("the token does not accept this {role}: it is too weak or has characters it refuses")]
    PinRejected { role: PinRole },

    /// Rutoken's `CKR_PIN_IN_HISTORY` (rtpkcs11t.h: `CKR_VENDOR_DEFINED + 11`): the token
    /// keeps the PINs it had and its PIN policy forbids taking one of them again.
    #[error(
        "the token refuses this {role}: it was used on the token before; choose one it has never had"
    )]
    PinInHistory { role: PinRole },

    /// Rutoken's `CKR_INAPPROPRIATE_PIN` (rtpkcs11t.h: `CKR_VENDOR_DEFINED + 10`): the PIN
    /// breaks the PIN policy set on the token (length, character classes, a default PIN).
    #[error(
        "the token's PIN policy refuses this {role}: choose another, longer or with other kinds of characters"
    )]
    PinAgainstPolicy { role: PinRole },

    #[error(transparent)]
    PinPolicy(#[from] PinPolicyError),

    #[error("log in with the PIN first")]
    NotLoggedIn,

    #[error(
        "there is no key with ID {id} on the token; `smartkey cert list` shows the keys there are"
    )]
    KeyNotFound { id: String },

    #[error(
        "the certificate's public key matches no key on this token: it belongs to a key kept elsewhere; insert the token that holds its key"
    )]
    CertificateKeyNotOnToken,

    #[error("this certificate is already on the token, next to key {id}")]
    CertificateAlreadyThere { id: String },

    #[error("the file is not an X.509 certificate ({0}); give a DER or PEM certificate file")]
    BadCertificate(String),

    #[error("the key on the token has a form smartkey does not use ({0})")]
    UnsupportedKey(String),

    #[error("the token or its library failed at {operation}: {} ({rv:?})", describe_rv(*.rv))]
    Device {
        operation: &'static str,
        rv: RvError,
    },

    #[error("the PKCS#11 library failed at {operation}: {detail}")]
    Library {
        operation: &'static str,
        detail: String,
    },

    #[error(
        "the PKCS#11 library gave an impossible answer at {operation}: {what}; it is broken or not a token library: choose another with --module PATH"
    )]
    Implausible {
        operation: &'static str,
        what: Implausible,
    },
}

/// A length or count from a module that smartkey refuses to act on: a module is code
/// from elsewhere, and a number it reports must not make smartkey allocate gigabytes,
/// read past a buffer or loop for ever.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum Implausible {
    #[error("it reports {count} card readers, more than the {limit} smartkey accepts")]
    TooManySlots { count: u64, limit: usize },
    #[error("its list of card readers kept changing while it was read")]
    SlotsUnsettled,
    #[error("it reports more than {limit} objects on one token")]
    TooManyObjects { limit: usize },
    #[error("it reports {length} bytes of {what}, more than the {limit} smartkey accepts")]
    TooLong {
        what: &'static str,
        length: u64,
        limit: usize,
    },
    #[error("it reports having written {reported} {what} into room for {room}")]
    Overrun {
        what: &'static str,
        reported: u64,
        room: usize,
    },
}

impl TokenError {
    /// Whether the error means the token is gone (pulled out, or its session died with it).
    pub fn is_removed(&self) -> bool {
        matches!(self, TokenError::Removed)
    }
}

/// A plain description of a Rutoken vendor return code (rtpkcs11t.h, `CKR_VENDOR_DEFINED + n`).
fn describe_vendor_rv(code: cryptoki_sys::CK_RV) -> &'static str {
    match code {
        rutoken_sys::CKR_CORRUPTED_MAPFILE => "the token's file system is damaged",
        rutoken_sys::CKR_WRONG_VERSION_FIELD => "the token holds data of an unknown version",
        rutoken_sys::CKR_WRONG_PKCS1_ENCODING => "the token found a badly encoded RSA block",
        rutoken_sys::CKR_RTPKCS11_DATA_CORRUPTED => "data on the token is damaged",
        rutoken_sys::CKR_RTPKCS11_RSF_DATA_CORRUPTED => "the token's system data is damaged",
        rutoken_sys::CKR_SM_PASSWORD_INVALID => "the secure-messaging password is wrong",
        rutoken_sys::CKR_LICENSE_READ_ONLY => "the token's licence cannot be changed",
        rutoken_sys::CKR_VENDOR_EMITENT_KEY_BLOCKED => "the issuer's key on the token is blocked",
        rutoken_sys::CKR_CERT_CHAIN_NOT_VERIFIED => "the certificate chain did not verify",
        rutoken_sys::CKR_INAPPROPRIATE_PIN => "the PIN breaks the token's PIN policy",
        rutoken_sys::CKR_PIN_IN_HISTORY => "the token had this PIN before and refuses it again",
        _ => "the token returned a vendor error smartkey does not know",
    }
}

/// A plain description of a PKCS#11 return code, for the codes a token layer can meet.
pub fn describe_rv(rv: RvError) -> &'static str {
    use RvError::*;
    match rv {
        DeviceRemoved | TokenNotPresent => "the token was removed",
        DeviceError => "the token reported a hardware fault; take it out, put it back and retry",
        DeviceMemory => "the token is out of memory; delete keys or certificates no longer needed",
        TokenWriteProtected => "the token is write-protected",
        TokenNotRecognized => "the token is not recognised by this library",
        SessionHandleInvalid | SessionClosed => "the connection to the token was lost",
        SessionCount => "too many programs are using the token; close the others",
        UserNotLoggedIn => "a PIN login is needed first",
        UserAlreadyLoggedIn | UserAnotherAlreadyLoggedIn => "another login is active on the token",
        UserPinNotInitialized => "the token's PIN was never set; it needs initialising by the bank",
        MechanismInvalid => "the token does not support this algorithm",
        MechanismParamInvalid => "the token refused the algorithm's parameters",
        KeySizeRange => "the token does not support this key size",
        KeyHandleInvalid | ObjectHandleInvalid => "the key or object is gone from the token",
        KeyFunctionNotPermitted => "the key may not be used for this",
        TemplateIncomplete | TemplateInconsistent | AttributeValueInvalid => {
            "the token refused the object's attributes"
        }
        AttributeReadOnly => "the attribute cannot be changed",
        AttributeSensitive => "the value is secret and stays on the token",
        AttributeTypeInvalid => "the token does not know this attribute",
        ActionProhibited => "the token forbids this action",
        DataInvalid | DataLenRange => "the token refused the data to sign",
        BufferTooSmall => "the library reported a buffer too small",
        FunctionNotSupported => "the library does not support this function",
        FunctionFailed => "the token could not complete the operation",
        OperationActive => "another operation is still in progress on the token",
        CryptokiNotInitialized => "the PKCS#11 library is not initialised",
        HostMemory => "the computer ran out of memory",
        SlotIdInvalid => "the card reader is gone",
        PinIncorrect | PinInvalid => "the PIN is wrong",
        PinLocked => "the PIN is locked",
        PinLenRange => "the PIN length is out of range",
        PinExpired => "the PIN has expired and must be changed",
        PinTooWeak => "the PIN is too weak",
        GeneralError => "the library reported a general error",
        VendorDefined(code) => describe_vendor_rv(code),
        _ => "the library returned an error smartkey does not know",
    }
}
