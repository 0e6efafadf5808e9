//! `PKIMessage` (RFC 9810 section 5.1), the `ProtectedPart` its protection covers, and a
//! message as it was received ([`Received`]): checked to be DER and verified over the bytes
//! that arrived, never over a re-encoding.

use std::ops::Deref;

use der::asn1::BitString;
use der::{
    Decode, Encode, EncodeValue, FixedTag, Header, Length, Reader, Sequence, SliceReader, Tag,
    Writer,
};
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

/// A message as it arrived: its value and the exact bytes of its `ProtectedPart`.
///
/// RFC 9811 section 3 carries "the DER-encoded PKIMessage", and RFC 9810 section 5.1.3
/// computes the protection over the DER of `ProtectedPart`. A decoder is lenient in ways
/// that matter here: a DEFAULT value written out is dropped when re-encoded, and an
/// unsorted SET OF comes back sorted. A protection checked over a re-encoding would then
/// vouch for bytes nobody signed. So a received message is refused unless it is DER (its
/// re-encoding is the input, byte for byte), and every protection check reads the
/// `ProtectedPart` sliced out of the input itself.
#[derive(Clone, Debug, Eq, PartialEq)]
pub struct Received {
    message: PkiMessage,
    protected_part: Vec<u8>,
}

/// Why received bytes are not a message to act on.
#[derive(Debug, thiserror::Error)]
pub enum ReceiveError {
    /// Not a `PKIMessage` at all.
    #[error("not a PKIMessage: {0}")]
    Malformed(#[from] der::Error),
    /// A `PKIMessage`, but not in DER: it would re-encode to other bytes.
    #[error("the PKIMessage is not DER-encoded (it does not re-encode to the bytes received)")]
    NotDer,
}

impl Received {
    /// Decodes `bytes` as one DER `PKIMessage` (no trailing bytes) and keeps the bytes of
    /// its `ProtectedPart`.
    pub fn from_der(bytes: &[u8]) -> Result<Self, ReceiveError> {
        let message = PkiMessage::from_der(bytes)?;
        if message.to_der()? != bytes {
            return Err(ReceiveError::NotDer);
        }
        let protected_part = protected_part_of(bytes)?;
        Ok(Self {
            message,
            protected_part,
        })
    }

    /// The message.
    pub fn message(&self) -> &PkiMessage {
        &self.message
    }

    /// The message, without the bytes it came in.
    pub fn into_message(self) -> PkiMessage {
        self.message
    }

    /// The DER of `ProtectedPart` as received: the header and body bytes of the input
    /// under a SEQUENCE header.
    pub fn protected_part(&self) -> &[u8] {
        &self.protected_part
    }
}

impl Deref for Received {
    type Target = PkiMessage;

    fn deref(&self) -> &PkiMessage {
        &self.message
    }
}

/// `SEQUENCE { header, body }` made of the header's and body's bytes in `message`.
fn protected_part_of(message: &[u8]) -> der::Result<Vec<u8>> {
    let mut reader = SliceReader::new(message)?;
    let outer = Header::decode(&mut reader)?;
    outer.tag().assert_eq(Tag::Sequence)?;
    let start = reader.position();
    for _ in 0..2 {
        let inner = Header::decode(&mut reader)?;
        reader.read_slice(inner.length())?;
    }
    let end = reader.position();
    let length = (end - start)?;
    let inner = message
        .get(usize::try_from(start)?..usize::try_from(end)?)
        .ok_or(der::ErrorKind::Failed)?;
    let mut out = Header::new(Tag::Sequence, length).to_der()?;
    out.extend_from_slice(inner);
    Ok(out)
}
