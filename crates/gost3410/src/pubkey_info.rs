//! SubjectPublicKeyInfo encoding of GOST R 34.10-2012 public keys (RFC 9215 section 4):
//!
//! ```text
//! SEQUENCE {
//!   SEQUENCE { OID 1.2.643.7.1.1.1.1 (or .2),
//!              SEQUENCE { publicKeyParamSet OID, digestParamSet OID OPTIONAL } }
//!   BIT STRING { OCTET STRING { X || Y, each little-endian } }
//! }
//! ```

use const_oid::ObjectIdentifier;
use der::asn1::{Any, BitString, OctetString, OctetStringRef};
use der::{Decode, Encode};
use spki::{
    AlgorithmIdentifierOwned, Document, EncodePublicKey, SubjectPublicKeyInfoOwned,
    SubjectPublicKeyInfoRef,
};

use crate::{Error, KeySize, ParamSet, VerifyingKey};

impl VerifyingKey {
    /// DER SubjectPublicKeyInfo, byte for byte as gost-engine writes it (the digest OID in the
    /// parameters is present or absent per [`ParamSet::spki_has_digest_oid`]).
    ///
    /// # Errors
    /// Only if DER encoding fails, which does not happen for valid keys.
    pub fn to_spki_der(&self) -> Result<Vec<u8>, Error> {
        Ok(self.to_spki()?.to_der()?)
    }

    /// Parse a DER SubjectPublicKeyInfo of a GOST R 34.10-2012 key.
    ///
    /// Accepts the key parameters with or without the digest OID; when present it must be the
    /// Streebog of the key's size.
    ///
    /// # Errors
    /// [`Error::Der`] for malformed DER, [`Error::UnsupportedAlgorithm`] for other key types,
    /// [`Error::UnknownParamSet`], [`Error::UnsupportedDigest`], or the errors of
    /// [`VerifyingKey::from_pkcs11_value`].
    pub fn from_spki_der(der: &[u8]) -> Result<Self, Error> {
        let spki = SubjectPublicKeyInfoRef::from_der(der)?;
        Self::from_spki(&spki)
    }

    fn to_spki(&self) -> Result<SubjectPublicKeyInfoOwned, Error> {
        let params = self.params();
        let mut oids = vec![params.oid()];
        if params.spki_has_digest_oid() {
            oids.push(params.digest_oid());
        }
        let inner = OctetString::new(self.to_pkcs11_value())?.to_der()?;
        Ok(SubjectPublicKeyInfoOwned {
            algorithm: AlgorithmIdentifierOwned {
                oid: params.size().public_key_oid(),
                parameters: Some(Any::encode_from(&oids)?),
            },
            subject_public_key: BitString::from_bytes(&inner)?,
        })
    }

    fn from_spki(spki: &SubjectPublicKeyInfoRef<'_>) -> Result<Self, Error> {
        let size = match spki.algorithm.oid {
            oid if oid == KeySize::Gost256.public_key_oid() => KeySize::Gost256,
            oid if oid == KeySize::Gost512.public_key_oid() => KeySize::Gost512,
            oid => return Err(Error::UnsupportedAlgorithm(oid.to_string())),
        };
        let any = spki
            .algorithm
            .parameters
            .ok_or_else(|| Error::Der("GOST public key parameters are missing".into()))?;
        let oids: Vec<ObjectIdentifier> = any.decode_as()?;
        let (set_oid, digest_oid) = match oids.as_slice() {
            [set] => (set, None),
            [set, digest] => (set, Some(digest)),
            _ => {
                return Err(Error::Der(
                    "GOST public key parameters must hold one or two OIDs".into(),
                ));
            }
        };
        let params = ParamSet::from_oid(set_oid).ok_or(Error::UnknownParamSet)?;
        if params.size() != size {
            return Err(Error::SizeMismatch);
        }
        if let Some(digest) = digest_oid
            && *digest != size.digest_oid()
        {
            return Err(Error::UnsupportedDigest(digest.to_string()));
        }
        let key_bytes = spki
            .subject_public_key
            .as_bytes()
            .ok_or_else(|| Error::Der("public key BIT STRING has unused bits".into()))?;
        let inner = <&OctetStringRef>::from_der(key_bytes)?;
        VerifyingKey::from_pkcs11_value(params, inner.as_bytes())
    }
}

impl EncodePublicKey for VerifyingKey {
    fn to_public_key_der(&self) -> spki::Result<Document> {
        let der = self.to_spki_der().map_err(|_| spki::Error::KeyMalformed)?;
        Ok(Document::try_from(der)?)
    }
}

/// Gives [`spki::DecodePublicKey`] through spki's blanket implementation.
impl TryFrom<SubjectPublicKeyInfoRef<'_>> for VerifyingKey {
    type Error = spki::Error;
    fn try_from(spki: SubjectPublicKeyInfoRef<'_>) -> spki::Result<Self> {
        VerifyingKey::from_spki(&spki).map_err(|_| spki::Error::KeyMalformed)
    }
}
