//! `PKIMessage` (RFC 9810 section 5.1) and the `ProtectedPart` its protection covers.

use der::asn1::BitString;
use der::{Encode, EncodeValue, FixedTag, Length, Sequence, Tag, Writer};
use x509_cert::Certificate;

use crate::body::{BodyKind, PkiBody};
use crate::header::PkiHeader;

/// `PKIMessage`. Decode with [`der::Decode::from_der`], which rejects trailing bytes.
#[derive(Clone, Debug, Eq, PartialEq, Sequence)]
pub struct PkiMessage {
    /// Transaction, sender and protection data.
    pub header: PkiHeader,
    /// The message content.
    pub body: PkiBody,
    /// `PKIProtection`: a signature or MAC over `ProtectedPart`.
    #[asn1(context_specific = "0", tag_mode = "EXPLICIT", optional = "true")]
    pub protection: Option<BitString>,
    /// Certificates for the recipient, the protecting certificate first.
    #[asn1(context_specific = "1", tag_mode = "EXPLICIT", optional = "true")]
    pub extra_certs: Option<Vec<Certificate>>,
}

/// `ProtectedPart ::= SEQUENCE { header PKIHeader, body PKIBody }` (RFC 9810 5.1.3),
/// encoded from borrowed parts so a message need not be copied to be protected.
struct ProtectedPart<'a> {
    header: &'a PkiHeader,
    body: &'a PkiBody,
}

impl FixedTag for ProtectedPart<'_> {
    const TAG: Tag = Tag::Sequence;
}

impl EncodeValue for ProtectedPart<'_> {
    fn value_len(&self) -> der::Result<Length> {
        self.header.encoded_len()? + self.body.encoded_len()?
    }

    fn encode_value(&self, writer: &mut impl Writer) -> der::Result<()> {
        self.header.encode(writer)?;
        self.body.encode(writer)
    }
}

impl PkiMessage {
    /// A message with no protection and no extra certificates.
    pub fn new(header: PkiHeader, body: PkiBody) -> Self {
        Self {
            header,
            body,
            protection: None,
            extra_certs: None,
        }
    }

    /// The kind of body.
    pub fn kind(&self) -> BodyKind {
        self.body.kind()
    }

    /// The DER of `ProtectedPart`: the bytes a signature or MAC protects.
    pub fn protected_part_der(&self) -> der::Result<Vec<u8>> {
        ProtectedPart {
            header: &self.header,
            body: &self.body,
        }
        .to_der()
    }
}
