//! `PKIStatusInfo`, `PKIStatus` and `PKIFailureInfo` (RFC 9810 section 5.2.3), turned
//! into words a bank customer can act on.

use core::fmt;

use der::Sequence;
use der::asn1::BitString;

use crate::header::PkiFreeText;

/// `PKIStatusInfo`.
#[derive(Clone, Debug, Eq, PartialEq, Sequence)]
pub struct PkiStatusInfo {
    /// The raw `PKIStatus` number; see [`PkiStatusInfo::status`].
    pub status: i64,
    /// Text from the CA.
    #[asn1(optional = "true")]
    pub status_string: Option<PkiFreeText>,
    /// Why a request failed, as a named bit string.
    #[asn1(optional = "true")]
    pub fail_info: Option<BitString>,
}

/// `PKIStatus`.
#[derive(Clone, Copy, Debug, Eq, PartialEq)]
pub enum PkiStatus {
    /// 0: granted as asked.
    Accepted,
    /// 1: granted with changes.
    GrantedWithMods,
    /// 2: refused.
    Rejection,
    /// 3: not decided yet; poll later.
    Waiting,
    /// 4: a revocation is imminent.
    RevocationWarning,
    /// 5: a revocation has happened.
    RevocationNotification,
    /// 6: the old certificate is already being updated.
    KeyUpdateWarning,
    /// A number RFC 9810 does not define.
    Unknown(i64),
}

impl PkiStatus {
    /// The status for its `PKIStatus` number.
    pub fn from_code(code: i64) -> Self {
        match code {
            0 => Self::Accepted,
            1 => Self::GrantedWithMods,
            2 => Self::Rejection,
            3 => Self::Waiting,
            4 => Self::RevocationWarning,
            5 => Self::RevocationNotification,
            6 => Self::KeyUpdateWarning,
            other => Self::Unknown(other),
        }
    }

    /// The `PKIStatus` number.
    pub fn code(self) -> i64 {
        match self {
            Self::Accepted => 0,
            Self::GrantedWithMods => 1,
            Self::Rejection => 2,
            Self::Waiting => 3,
            Self::RevocationWarning => 4,
            Self::RevocationNotification => 5,
            Self::KeyUpdateWarning => 6,
            Self::Unknown(code) => code,
        }
    }

    /// Whether a certificate was issued.
    pub fn is_granted(self) -> bool {
        matches!(self, Self::Accepted | Self::GrantedWithMods)
    }
}

impl fmt::Display for PkiStatus {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Accepted => f.write_str("the bank accepted the request"),
            Self::GrantedWithMods => f.write_str("the bank accepted the request with some changes"),
            Self::Rejection => f.write_str("the bank rejected the request"),
            Self::Waiting => f.write_str("the request is waiting for the bank's decision"),
            Self::RevocationWarning => f.write_str("the certificate is about to be revoked"),
            Self::RevocationNotification => f.write_str("the certificate has been revoked"),
            Self::KeyUpdateWarning => {
                f.write_str("a renewal of this certificate is already in progress")
            }
            Self::Unknown(code) => write!(f, "the bank answered with unknown status {code}"),
        }
    }
}

/// One bit of `PKIFailureInfo`, in RFC 9810 bit order.
#[derive(Clone, Copy, Debug, Eq, PartialEq, Hash)]
pub enum FailureReason {
    /// Bit 0.
    BadAlg,
    /// Bit 1.
    BadMessageCheck,
    /// Bit 2.
    BadRequest,
    /// Bit 3.
    BadTime,
    /// Bit 4.
    BadCertId,
    /// Bit 5.
    BadDataFormat,
    /// Bit 6.
    WrongAuthority,
    /// Bit 7.
    IncorrectData,
    /// Bit 8.
    MissingTimeStamp,
    /// Bit 9.
    BadPop,
    /// Bit 10.
    CertRevoked,
    /// Bit 11.
    CertConfirmed,
    /// Bit 12.
    WrongIntegrity,
    /// Bit 13.
    BadRecipientNonce,
    /// Bit 14.
    TimeNotAvailable,
    /// Bit 15.
    UnacceptedPolicy,
    /// Bit 16.
    UnacceptedExtension,
    /// Bit 17.
    AddInfoNotAvailable,
    /// Bit 18.
    BadSenderNonce,
    /// Bit 19.
    BadCertTemplate,
    /// Bit 20.
    SignerNotTrusted,
    /// Bit 21.
    TransactionIdInUse,
    /// Bit 22.
    UnsupportedVersion,
    /// Bit 23.
    NotAuthorized,
    /// Bit 24.
    SystemUnavail,
    /// Bit 25.
    SystemFailure,
    /// Bit 26.
    DuplicateCertReq,
}

impl FailureReason {
    /// All reasons, indexed by their bit number.
    pub const ALL: [Self; 27] = [
        Self::BadAlg,
        Self::BadMessageCheck,
        Self::BadRequest,
        Self::BadTime,
        Self::BadCertId,
        Self::BadDataFormat,
        Self::WrongAuthority,
        Self::IncorrectData,
        Self::MissingTimeStamp,
        Self::BadPop,
        Self::CertRevoked,
        Self::CertConfirmed,
        Self::WrongIntegrity,
        Self::BadRecipientNonce,
        Self::TimeNotAvailable,
        Self::UnacceptedPolicy,
        Self::UnacceptedExtension,
        Self::AddInfoNotAvailable,
        Self::BadSenderNonce,
        Self::BadCertTemplate,
        Self::SignerNotTrusted,
        Self::TransactionIdInUse,
        Self::UnsupportedVersion,
        Self::NotAuthorized,
        Self::SystemUnavail,
        Self::SystemFailure,
        Self::DuplicateCertReq,
    ];

    /// The bit number in `PKIFailureInfo`.
    pub fn bit(self) -> usize {
        Self::ALL.iter().position(|r| *r == self).unwrap_or(0)
    }

    /// The reason for a bit number, if RFC 9810 names it.
    pub fn from_bit(bit: usize) -> Option<Self> {
        Self::ALL.get(bit).copied()
    }
}

impl fmt::Display for FailureReason {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Self::BadAlg => "The bank does not accept the algorithm used.",
            Self::BadMessageCheck => {
                "The bank could not verify the message: the password, reference or signing key may be wrong."
            }
            Self::BadRequest => "The bank does not allow or support this kind of request.",
            Self::BadTime => {
                "The message's time is too far from the bank's clock; check this computer's date and time."
            }
            Self::BadCertId => "The bank found no certificate matching the one named.",
            Self::BadDataFormat => "The bank could not read the request: its format is wrong.",
            Self::WrongAuthority => "The request was sent to the wrong certification authority.",
            Self::IncorrectData => "The request contains data the bank considers incorrect.",
            Self::MissingTimeStamp => "The bank requires a time stamp that was missing.",
            Self::BadPop => "The bank could not confirm that the key on the token signed the request.",
            Self::CertRevoked => "The certificate has already been revoked.",
            Self::CertConfirmed => "The certificate has already been confirmed.",
            Self::WrongIntegrity => {
                "The request is protected the wrong way: with a password where a signature was expected, or the reverse."
            }
            Self::BadRecipientNonce => "The bank did not recognise this as an answer to its message.",
            Self::TimeNotAvailable => "The bank's time source is unavailable.",
            Self::UnacceptedPolicy => "The bank does not accept the requested certificate policy.",
            Self::UnacceptedExtension => "The bank does not accept a requested certificate extension.",
            Self::AddInfoNotAvailable => "The bank lacks additional information it needs.",
            Self::BadSenderNonce => "The message's nonce is missing or wrong.",
            Self::BadCertTemplate => "The bank does not accept the requested certificate contents.",
            Self::SignerNotTrusted => "The bank does not trust the key or certificate that signed the request.",
            Self::TransactionIdInUse => {
                "The transaction number is already in use; start the request again."
            }
            Self::UnsupportedVersion => "The bank does not support this protocol version.",
            Self::NotAuthorized => "You are not authorised to make this request.",
            Self::SystemUnavail => "The bank's service is unavailable; try again later.",
            Self::SystemFailure => "The bank's service failed; try again later.",
            Self::DuplicateCertReq => "The bank has already issued a certificate for this request.",
        })
    }
}

impl PkiStatusInfo {
    /// Status info with the given status and failure reasons and no text.
    pub fn new(status: PkiStatus, failures: &[FailureReason]) -> der::Result<Self> {
        Ok(Self {
            status: status.code(),
            status_string: None,
            fail_info: if failures.is_empty() {
                None
            } else {
                Some(failure_bits(failures)?)
            },
        })
    }

    /// The status as an enum.
    pub fn status(&self) -> PkiStatus {
        PkiStatus::from_code(self.status)
    }

    /// The named failure bits that are set; unnamed bits are ignored.
    pub fn failures(&self) -> Vec<FailureReason> {
        let Some(bits) = &self.fail_info else {
            return Vec::new();
        };
        let bytes = bits.raw_bytes();
        (0..bytes.len() * 8)
            .filter(|bit| bytes[bit / 8] & (0x80 >> (bit % 8)) != 0)
            .filter_map(FailureReason::from_bit)
            .collect()
    }
}

/// Encodes failure reasons as a DER named bit list: trailing zero bits are dropped
/// (X.690 section 11.2.2).
fn failure_bits(failures: &[FailureReason]) -> der::Result<BitString> {
    let highest = failures.iter().map(|r| r.bit()).max().unwrap_or(0);
    let mut bytes = vec![0u8; highest / 8 + 1];
    for reason in failures {
        let bit = reason.bit();
        bytes[bit / 8] |= 0x80 >> (bit % 8);
    }
    // `highest` < 27, so the unused bit count is 0..=7.
    BitString::new((7 - highest % 8) as u8, bytes)
}

impl fmt::Display for PkiStatusInfo {
    /// One paragraph: the status, then each failure reason, then the CA's own text.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let status = self.status().to_string();
        let mut chars = status.chars();
        if let Some(first) = chars.next() {
            write!(f, "{}{}.", first.to_uppercase(), chars.as_str())?;
        }
        for reason in self.failures() {
            write!(f, " {reason}")?;
        }
        if let Some(text) = &self.status_string
            && !text.is_empty()
        {
            write!(f, " The bank says: \"{}\".", text.join(" "))?;
        }
        Ok(())
    }
}
