//! The signature value and the RustCrypto `signature` / `spki` trait glue that lets
//! x509-cert's builders sign with a [`SigningKey`].

use der::asn1::BitString;
use spki::SignatureBitStringEncoding;

use crate::{Error, KeySize};

/// A GOST R 34.10-2012 signature: `s || r`, each big-endian, 64 or 128 bytes in all.
///
/// This is the layout of PKCS#11 `C_Sign` output and of the signature BIT STRING in X.509
/// (RFC 9215 keeps the byte order of GOST R 34.10-2001 for compatibility).
#[derive(Clone, PartialEq, Eq, Hash)]
pub struct Signature {
    bytes: Vec<u8>,
}

impl Signature {
    /// Wrap `s || r`.
    ///
    /// # Errors
    /// [`Error::SignatureLength`] unless the length is 64 or 128. Range checks of r and s
    /// happen at verification, where the curve is known.
    pub fn from_bytes(b: &[u8]) -> Result<Self, Error> {
        match b.len() {
            64 | 128 => Ok(Signature { bytes: b.to_vec() }),
            n => Err(Error::SignatureLength(n)),
        }
    }

    pub(crate) fn from_vec_unchecked(bytes: Vec<u8>) -> Self {
        Signature { bytes }
    }

    /// `s || r`, each big-endian.
    #[must_use]
    pub fn to_bytes(&self) -> Vec<u8> {
        self.bytes.clone()
    }

    /// `s || r`, each big-endian, borrowed.
    #[must_use]
    pub fn as_bytes(&self) -> &[u8] {
        &self.bytes
    }

    /// Key size the signature belongs to.
    #[must_use]
    pub fn size(&self) -> KeySize {
        if self.bytes.len() == 64 {
            KeySize::Gost256
        } else {
            KeySize::Gost512
        }
    }

    /// r, big-endian.
    #[must_use]
    pub fn r(&self) -> &[u8] {
        &self.bytes[self.bytes.len() / 2..]
    }

    /// s, big-endian.
    #[must_use]
    pub fn s(&self) -> &[u8] {
        &self.bytes[..self.bytes.len() / 2]
    }
}

impl core::fmt::Debug for Signature {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        let hex: String = self.bytes.iter().map(|b| format!("{b:02x}")).collect();
        f.debug_tuple("Signature").field(&hex).finish()
    }
}

impl TryFrom<&[u8]> for Signature {
    type Error = Error;
    fn try_from(b: &[u8]) -> Result<Self, Error> {
        Signature::from_bytes(b)
    }
}

impl From<Signature> for Vec<u8> {
    fn from(sig: Signature) -> Vec<u8> {
        sig.bytes
    }
}

impl signature::SignatureEncoding for Signature {
    type Repr = Vec<u8>;
}

impl SignatureBitStringEncoding for Signature {
    fn to_bitstring(&self) -> der::Result<BitString> {
        BitString::from_bytes(&self.bytes)
    }
}
