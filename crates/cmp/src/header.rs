//! `PKIHeader` (RFC 9810 section 5.1.1): who talks to whom, in which transaction, and how
//! the message is protected.

use der::Sequence;
use der::asn1::{Any, GeneralizedTime, ObjectIdentifier, OctetString};
use spki::AlgorithmIdentifierOwned;
use x509_cert::ext::pkix::name::GeneralName;

/// `PKIFreeText ::= SEQUENCE SIZE (1..MAX) OF UTF8String`: human-readable text.
pub type PkiFreeText = Vec<String>;

/// `pvno` for CMP version 2 (RFC 4210), the version used unless a v3 feature is needed.
pub const PVNO_CMP2000: u8 = 2;
/// `pvno` for CMP version 3 (RFC 9810), needed e.g. for `hashAlg` in `certConf`.
pub const PVNO_CMP2021: u8 = 3;

/// `PKIHeader`. The module is `EXPLICIT TAGS`, so every tagged field is explicit.
#[derive(Clone, Debug, Eq, PartialEq, Sequence)]
pub struct PkiHeader {
    /// Protocol version: 2 (RFC 4210) or 3 (RFC 9810).
    pub pvno: u8,
    /// The sender; an empty directory name when only a `senderKID` identifies it.
    pub sender: GeneralName,
    /// The intended recipient.
    pub recipient: GeneralName,
    /// When the message was made, used by the peer to judge freshness.
    #[asn1(context_specific = "0", tag_mode = "EXPLICIT", optional = "true")]
    pub message_time: Option<GeneralizedTime>,
    /// The algorithm of `PKIMessage.protection`.
    #[asn1(context_specific = "1", tag_mode = "EXPLICIT", optional = "true")]
    pub protection_alg: Option<AlgorithmIdentifierOwned>,
    /// Identifies the sender's key; for MAC protection, the reference the bank issued.
    #[asn1(context_specific = "2", tag_mode = "EXPLICIT", optional = "true")]
    pub sender_kid: Option<OctetString>,
    /// Identifies the recipient's key.
    #[asn1(context_specific = "3", tag_mode = "EXPLICIT", optional = "true")]
    pub recip_kid: Option<OctetString>,
    /// Ties all messages of one enrollment together (RFC 9810 section 5.1.1).
    #[asn1(context_specific = "4", tag_mode = "EXPLICIT", optional = "true")]
    pub transaction_id: Option<OctetString>,
    /// Fresh random bytes from the sender, echoed back as `recipNonce` against replays.
    #[asn1(context_specific = "5", tag_mode = "EXPLICIT", optional = "true")]
    pub sender_nonce: Option<OctetString>,
    /// The `senderNonce` of the message this one answers.
    #[asn1(context_specific = "6", tag_mode = "EXPLICIT", optional = "true")]
    pub recip_nonce: Option<OctetString>,
    /// Text for a human reader.
    #[asn1(context_specific = "7", tag_mode = "EXPLICIT", optional = "true")]
    pub free_text: Option<PkiFreeText>,
    /// Extra information such as `implicitConfirm`.
    #[asn1(context_specific = "8", tag_mode = "EXPLICIT", optional = "true")]
    pub general_info: Option<Vec<InfoTypeAndValue>>,
}

/// `InfoTypeAndValue` (RFC 9810 section 5.3.19): a typed item of general information.
#[derive(Clone, Debug, Eq, PartialEq, Sequence)]
pub struct InfoTypeAndValue {
    /// What kind of information this is.
    pub info_type: ObjectIdentifier,
    /// Its value, if the type has one.
    #[asn1(optional = "true")]
    pub info_value: Option<Any>,
}

impl PkiHeader {
    /// Whether `generalInfo` asks for or grants implicit confirmation (RFC 9810 5.1.1.1).
    pub fn implicit_confirm(&self) -> bool {
        self.general_info.as_ref().is_some_and(|items| {
            items
                .iter()
                .any(|item| item.info_type == crate::oid::IT_IMPLICIT_CONFIRM)
        })
    }
}
