//! Certificate request structures of CRMF (RFC 4211), used by `ir`, `cr` and `kur`.
//!
//! The CRMF module is `IMPLICIT TAGS`; fields whose type is a CHOICE (`Name`, `Time`,
//! `GeneralName`, `POPOPrivKey`) are nevertheless tagged explicitly, as X.680 requires.

use der::Sequence;
use der::asn1::{Any, BitString, Int, Null};
use der::{Choice, Encode};
use spki::{AlgorithmIdentifierOwned, SubjectPublicKeyInfoOwned};
use x509_cert::attr::AttributeTypeAndValue;
use x509_cert::ext::Extensions;
use x509_cert::ext::pkix::name::GeneralName;
use x509_cert::name::Name;
use x509_cert::time::Time;

/// `CertReqMessages ::= SEQUENCE SIZE (1..MAX) OF CertReqMsg` (RFC 4211 section 3).
pub type CertReqMessages = Vec<CertReqMsg>;

/// `CertReqMsg` (RFC 4211 section 3): one request with its proof of possession.
#[derive(Clone, Debug, Eq, PartialEq, Sequence)]
pub struct CertReqMsg {
    /// What is asked for.
    pub cert_req: CertRequest,
    /// Proof that the requester holds the private key (RFC 4211 section 4).
    #[asn1(optional = "true")]
    pub popo: Option<ProofOfPossession>,
    /// Registration information.
    #[asn1(optional = "true")]
    pub reg_info: Option<Vec<AttributeTypeAndValue>>,
}

/// `CertRequest` (RFC 4211 section 5).
#[derive(Clone, Debug, Eq, PartialEq, Sequence)]
pub struct CertRequest {
    /// Matches the response to the request within one message.
    pub cert_req_id: i64,
    /// The certificate contents asked for.
    pub cert_template: CertTemplate,
    /// Controls such as `oldCertID` for key updates (RFC 4211 section 6).
    #[asn1(optional = "true")]
    pub controls: Option<Vec<AttributeTypeAndValue>>,
}

/// `CertTemplate` (RFC 4211 section 5): every field is optional; the CA fills the rest.
#[derive(Clone, Debug, Default, Eq, PartialEq, Sequence)]
pub struct CertTemplate {
    /// Certificate version (2 for v3), usually absent.
    #[asn1(context_specific = "0", tag_mode = "IMPLICIT", optional = "true")]
    pub version: Option<u8>,
    /// Serial number, only meaningful in revocation requests.
    #[asn1(context_specific = "1", tag_mode = "IMPLICIT", optional = "true")]
    pub serial_number: Option<Int>,
    /// Requested signature algorithm.
    #[asn1(context_specific = "2", tag_mode = "IMPLICIT", optional = "true")]
    pub signing_alg: Option<AlgorithmIdentifierOwned>,
    /// Issuer name.
    #[asn1(context_specific = "3", tag_mode = "EXPLICIT", optional = "true")]
    pub issuer: Option<Name>,
    /// Requested validity.
    #[asn1(context_specific = "4", tag_mode = "IMPLICIT", optional = "true")]
    pub validity: Option<OptionalValidity>,
    /// Subject name.
    #[asn1(context_specific = "5", tag_mode = "EXPLICIT", optional = "true")]
    pub subject: Option<Name>,
    /// The public key to certify.
    #[asn1(context_specific = "6", tag_mode = "IMPLICIT", optional = "true")]
    pub public_key: Option<SubjectPublicKeyInfoOwned>,
    /// Issuer unique identifier.
    #[asn1(context_specific = "7", tag_mode = "IMPLICIT", optional = "true")]
    pub issuer_uid: Option<BitString>,
    /// Subject unique identifier.
    #[asn1(context_specific = "8", tag_mode = "IMPLICIT", optional = "true")]
    pub subject_uid: Option<BitString>,
    /// Requested extensions.
    #[asn1(context_specific = "9", tag_mode = "IMPLICIT", optional = "true")]
    pub extensions: Option<Extensions>,
}

/// `OptionalValidity` (RFC 4211 section 5).
#[derive(Clone, Debug, Eq, PartialEq, Sequence)]
pub struct OptionalValidity {
    /// Start of validity.
    #[asn1(context_specific = "0", tag_mode = "EXPLICIT", optional = "true")]
    pub not_before: Option<Time>,
    /// End of validity.
    #[asn1(context_specific = "1", tag_mode = "EXPLICIT", optional = "true")]
    pub not_after: Option<Time>,
}

/// `ProofOfPossession` (RFC 4211 section 4).
#[derive(Clone, Debug, Eq, PartialEq, Choice)]
#[allow(clippy::large_enum_variant)] // The signature arm is the one in use.
pub enum ProofOfPossession {
    /// An RA has already checked possession.
    #[asn1(context_specific = "0", tag_mode = "IMPLICIT")]
    RaVerified(Null),
    /// A signature by the key being certified (RFC 4211 section 4.1).
    #[asn1(context_specific = "1", tag_mode = "IMPLICIT", constructed = "true")]
    Signature(PopoSigningKey),
    /// For encryption keys; kept opaque.
    #[asn1(context_specific = "2", tag_mode = "EXPLICIT", constructed = "true")]
    KeyEncipherment(Any),
    /// For key agreement keys; kept opaque.
    #[asn1(context_specific = "3", tag_mode = "EXPLICIT", constructed = "true")]
    KeyAgreement(Any),
}

/// `POPOSigningKey` (RFC 4211 section 4.1).
#[derive(Clone, Debug, Eq, PartialEq, Sequence)]
pub struct PopoSigningKey {
    /// Present only when the template lacks subject or public key.
    #[asn1(context_specific = "0", tag_mode = "IMPLICIT", optional = "true")]
    pub poposk_input: Option<PopoSigningKeyInput>,
    /// The signature algorithm.
    pub algorithm_identifier: AlgorithmIdentifierOwned,
    /// The signature over the DER of `certReq` (or of `poposkInput` when present).
    pub signature: BitString,
}

/// `POPOSigningKeyInput` (RFC 4211 section 4.1).
#[derive(Clone, Debug, Eq, PartialEq, Sequence)]
pub struct PopoSigningKeyInput {
    /// Who signs, or a MAC binding the key to a shared secret.
    pub auth_info: PopoAuthInfo,
    /// The key being certified.
    pub public_key: SubjectPublicKeyInfoOwned,
}

/// The `authInfo` CHOICE of `POPOSigningKeyInput`.
#[derive(Clone, Debug, Eq, PartialEq, Choice)]
pub enum PopoAuthInfo {
    /// The sender's name.
    #[asn1(context_specific = "0", tag_mode = "EXPLICIT", constructed = "true")]
    Sender(GeneralName),
    /// A MAC over the public key.
    PublicKeyMac(PkMacValue),
}

/// `PKMACValue` (RFC 4211 section 4.1).
#[derive(Clone, Debug, Eq, PartialEq, Sequence)]
pub struct PkMacValue {
    /// The MAC algorithm (normally PasswordBasedMac).
    pub alg_id: AlgorithmIdentifierOwned,
    /// The MAC.
    pub value: BitString,
}

impl CertRequest {
    /// The bytes a signature proof of possession covers when `poposkInput` is absent
    /// (RFC 4211 section 4.1: "the signature is computed over the DER-encoded value of
    /// the certReq field").
    pub fn popo_signed_bytes(&self) -> der::Result<Vec<u8>> {
        self.to_der()
    }
}

/// `CertId` (RFC 4211 section 6.5): names a certificate by issuer and serial number.
#[derive(Clone, Debug, Eq, PartialEq, Sequence)]
pub struct CertId {
    /// The issuer, as a directory name.
    pub issuer: GeneralName,
    /// The certificate's serial number.
    pub serial_number: x509_cert::serial_number::SerialNumber,
}

impl CertId {
    /// The `CertId` of `cert`.
    pub fn of(cert: &x509_cert::Certificate) -> Self {
        let tbs = cert.tbs_certificate();
        Self {
            issuer: GeneralName::DirectoryName(tbs.issuer().clone()),
            serial_number: tbs.serial_number().clone(),
        }
    }
}
