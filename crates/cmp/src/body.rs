//! `PKIBody` (RFC 9810 section 5.1.2) and the contents of the message types enrollment
//! uses. Other body types are not modelled: decoding them fails with a `der` error.

use core::fmt;

use der::asn1::{Any, Null, OctetString};
use der::{Choice, Sequence};
use spki::AlgorithmIdentifierOwned;
use x509_cert::Certificate;
use x509_cert::request::CertReq;

use crate::crmf::CertReqMessages;
use crate::header::PkiFreeText;
use crate::status::PkiStatusInfo;

/// `PKIBody`: the kinds of message this crate understands, with their RFC tags.
/// The CMP module is `EXPLICIT TAGS`, so every arm is an explicit context tag.
#[derive(Clone, Debug, Eq, PartialEq, Choice)]
#[allow(clippy::large_enum_variant)] // Messages are built and read one at a time.
pub enum PkiBody {
    /// Initialization request.
    #[asn1(context_specific = "0", tag_mode = "EXPLICIT", constructed = "true")]
    Ir(CertReqMessages),
    /// Initialization response.
    #[asn1(context_specific = "1", tag_mode = "EXPLICIT", constructed = "true")]
    Ip(CertRepMessage),
    /// Certification request.
    #[asn1(context_specific = "2", tag_mode = "EXPLICIT", constructed = "true")]
    Cr(CertReqMessages),
    /// Certification response.
    #[asn1(context_specific = "3", tag_mode = "EXPLICIT", constructed = "true")]
    Cp(CertRepMessage),
    /// PKCS#10 certification request.
    #[asn1(context_specific = "4", tag_mode = "EXPLICIT", constructed = "true")]
    P10cr(CertReq),
    /// Key update request.
    #[asn1(context_specific = "7", tag_mode = "EXPLICIT", constructed = "true")]
    Kur(CertReqMessages),
    /// Key update response.
    #[asn1(context_specific = "8", tag_mode = "EXPLICIT", constructed = "true")]
    Kup(CertRepMessage),
    /// Confirmation of a `certConf` (or of an error).
    #[asn1(context_specific = "19", tag_mode = "EXPLICIT", constructed = "true")]
    PkiConf(Null),
    /// Error message.
    #[asn1(context_specific = "23", tag_mode = "EXPLICIT", constructed = "true")]
    Error(ErrorMsgContent),
    /// Certificate confirmation.
    #[asn1(context_specific = "24", tag_mode = "EXPLICIT", constructed = "true")]
    CertConf(CertConfirmContent),
    /// Polling request.
    #[asn1(context_specific = "25", tag_mode = "EXPLICIT", constructed = "true")]
    PollReq(PollReqContent),
    /// Polling response.
    #[asn1(context_specific = "26", tag_mode = "EXPLICIT", constructed = "true")]
    PollRep(PollRepContent),
}

/// Which kind of body a message has, for checks and messages to the user.
#[derive(Clone, Copy, Debug, Eq, PartialEq, Hash)]
pub enum BodyKind {
    /// `ir`
    Ir,
    /// `ip`
    Ip,
    /// `cr`
    Cr,
    /// `cp`
    Cp,
    /// `p10cr`
    P10cr,
    /// `kur`
    Kur,
    /// `kup`
    Kup,
    /// `pkiconf`
    PkiConf,
    /// `error`
    Error,
    /// `certConf`
    CertConf,
    /// `pollReq`
    PollReq,
    /// `pollRep`
    PollRep,
}

impl PkiBody {
    /// The kind of this body.
    pub fn kind(&self) -> BodyKind {
        match self {
            Self::Ir(_) => BodyKind::Ir,
            Self::Ip(_) => BodyKind::Ip,
            Self::Cr(_) => BodyKind::Cr,
            Self::Cp(_) => BodyKind::Cp,
            Self::P10cr(_) => BodyKind::P10cr,
            Self::Kur(_) => BodyKind::Kur,
            Self::Kup(_) => BodyKind::Kup,
            Self::PkiConf(_) => BodyKind::PkiConf,
            Self::Error(_) => BodyKind::Error,
            Self::CertConf(_) => BodyKind::CertConf,
            Self::PollReq(_) => BodyKind::PollReq,
            Self::PollRep(_) => BodyKind::PollRep,
        }
    }

    /// The certificate response content of `ip`, `cp` and `kup`.
    pub fn cert_rep(&self) -> Option<&CertRepMessage> {
        match self {
            Self::Ip(rep) | Self::Cp(rep) | Self::Kup(rep) => Some(rep),
            _ => None,
        }
    }
}

impl BodyKind {
    /// The name RFC 9810 gives the body type.
    pub fn rfc_name(self) -> &'static str {
        match self {
            Self::Ir => "ir",
            Self::Ip => "ip",
            Self::Cr => "cr",
            Self::Cp => "cp",
            Self::P10cr => "p10cr",
            Self::Kur => "kur",
            Self::Kup => "kup",
            Self::PkiConf => "pkiconf",
            Self::Error => "error",
            Self::CertConf => "certConf",
            Self::PollReq => "pollReq",
            Self::PollRep => "pollRep",
        }
    }
}

impl fmt::Display for BodyKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let words = match self {
            Self::Ir => "an initial certificate request",
            Self::Ip => "an answer to an initial certificate request",
            Self::Cr => "a certificate request",
            Self::Cp => "an answer to a certificate request",
            Self::P10cr => "a PKCS#10 certificate request",
            Self::Kur => "a certificate renewal request",
            Self::Kup => "an answer to a certificate renewal request",
            Self::PkiConf => "a confirmation",
            Self::Error => "an error report",
            Self::CertConf => "a certificate acceptance",
            Self::PollReq => "a status query",
            Self::PollRep => "a 'still waiting' answer",
        };
        write!(f, "{words} ({})", self.rfc_name())
    }
}

/// `CertRepMessage` (RFC 9810 section 5.3.4).
#[derive(Clone, Debug, Eq, PartialEq, Sequence)]
pub struct CertRepMessage {
    /// CA certificates the client may want to trust.
    #[asn1(context_specific = "1", tag_mode = "EXPLICIT", optional = "true")]
    pub ca_pubs: Option<Vec<Certificate>>,
    /// One response per request.
    pub response: Vec<CertResponse>,
}

/// `CertResponse` (RFC 9810 section 5.3.4).
#[derive(Clone, Debug, Eq, PartialEq, Sequence)]
pub struct CertResponse {
    /// The `certReqId` of the request answered (-1 for `p10cr`).
    pub cert_req_id: i64,
    /// Whether the request was granted, is waiting, or was rejected.
    pub status: PkiStatusInfo,
    /// The certificate, when granted.
    #[asn1(optional = "true")]
    pub certified_key_pair: Option<CertifiedKeyPair>,
    /// Additional information.
    #[asn1(optional = "true")]
    pub rsp_info: Option<OctetString>,
}

/// `CertifiedKeyPair` (RFC 9810 section 5.3.4).
#[derive(Clone, Debug, Eq, PartialEq, Sequence)]
pub struct CertifiedKeyPair {
    /// The certificate, plain or encrypted.
    pub cert_or_enc_cert: CertOrEncCert,
    /// A centrally generated private key; kept opaque.
    #[asn1(context_specific = "0", tag_mode = "EXPLICIT", optional = "true")]
    pub private_key: Option<Any>,
    /// Publication information; kept opaque.
    #[asn1(context_specific = "1", tag_mode = "EXPLICIT", optional = "true")]
    pub publication_info: Option<Any>,
}

/// `CertOrEncCert` (RFC 9810 section 5.3.4).
#[derive(Clone, Debug, Eq, PartialEq, Choice)]
#[allow(clippy::large_enum_variant)] // The certificate is the usual case.
pub enum CertOrEncCert {
    /// The issued certificate.
    #[asn1(context_specific = "0", tag_mode = "EXPLICIT", constructed = "true")]
    Certificate(Certificate),
    /// An encrypted certificate (indirect proof of possession); kept opaque.
    #[asn1(context_specific = "1", tag_mode = "EXPLICIT", constructed = "true")]
    EncryptedCert(Any),
}

impl CertResponse {
    /// The issued certificate, if the response carries one in the clear.
    pub fn certificate(&self) -> Option<&Certificate> {
        match &self.certified_key_pair.as_ref()?.cert_or_enc_cert {
            CertOrEncCert::Certificate(cert) => Some(cert),
            CertOrEncCert::EncryptedCert(_) => None,
        }
    }
}

/// `CertConfirmContent ::= SEQUENCE OF CertStatus` (RFC 9810 section 5.3.18).
pub type CertConfirmContent = Vec<CertStatus>;

/// `CertStatus` (RFC 9810 section 5.3.18): the client accepts or rejects a certificate.
#[derive(Clone, Debug, Eq, PartialEq, Sequence)]
pub struct CertStatus {
    /// Hash of the certificate, binding the confirmation to exactly that certificate.
    pub cert_hash: OctetString,
    /// The request the certificate answers.
    pub cert_req_id: i64,
    /// Absent means "accepted".
    #[asn1(optional = "true")]
    pub status_info: Option<PkiStatusInfo>,
    /// The hash algorithm of `certHash`; only allowed with `pvno` 3.
    #[asn1(context_specific = "0", tag_mode = "EXPLICIT", optional = "true")]
    pub hash_alg: Option<AlgorithmIdentifierOwned>,
}

/// `PollReqContent` (RFC 9810 section 5.3.22).
pub type PollReqContent = Vec<PollReqEntry>;

/// One element of `PollReqContent`.
#[derive(Clone, Debug, Eq, PartialEq, Sequence)]
pub struct PollReqEntry {
    /// The request being asked about.
    pub cert_req_id: i64,
}

/// `PollRepContent` (RFC 9810 section 5.3.22).
pub type PollRepContent = Vec<PollRepEntry>;

/// One element of `PollRepContent`.
#[derive(Clone, Debug, Eq, PartialEq, Sequence)]
pub struct PollRepEntry {
    /// The request being answered about.
    pub cert_req_id: i64,
    /// Seconds to wait before asking again.
    pub check_after: i64,
    /// Why the request is still waiting.
    #[asn1(optional = "true")]
    pub reason: Option<PkiFreeText>,
}

/// `ErrorMsgContent` (RFC 9810 section 5.3.21).
#[derive(Clone, Debug, Eq, PartialEq, Sequence)]
pub struct ErrorMsgContent {
    /// What went wrong.
    pub pki_status_info: PkiStatusInfo,
    /// An implementation-specific error code.
    #[asn1(optional = "true")]
    pub error_code: Option<i64>,
    /// Further details.
    #[asn1(optional = "true")]
    pub error_details: Option<PkiFreeText>,
}
