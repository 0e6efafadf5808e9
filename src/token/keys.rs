//! Key pairs generated on the token, and their public halves.
//!
//! Private keys are generated with CKA_SENSITIVE=true and CKA_EXTRACTABLE=false: they
//! never leave the token. The pair shares a random CKA_ID, which is also how a
//! certificate is tied to its key.

use std::fmt;

use cryptoki::mechanism::Mechanism;
use cryptoki::object::{Attribute, AttributeType, KeyType, ObjectClass, ObjectHandle};
use der::Encode;
use der::asn1::{BitString, UintRef};
use serde::Serialize;
use spki::{AlgorithmIdentifierOwned, SubjectPublicKeyInfoOwned};

use super::error::TokenError;
use super::session::TokenSession;

/// The CKA_ID shared by a key pair and its certificate.
#[derive(Clone, PartialEq, Eq, Hash)]
pub struct KeyId(Vec<u8>);

impl KeyId {
    /// A new random ID of 16 bytes.
    pub fn random() -> Result<KeyId, TokenError> {
        let mut id = vec![0u8; 16];
        getrandom::fill(&mut id).map_err(|e| TokenError::Library {
            operation: "drawing a random key ID",
            detail: e.to_string(),
        })?;
        Ok(KeyId(id))
    }

    pub fn from_bytes(bytes: Vec<u8>) -> KeyId {
        KeyId(bytes)
    }

    /// Parses the hex form `smartkey` prints (colons and spaces allowed).
    pub fn from_hex(text: &str) -> Option<KeyId> {
        let clean: String = text
            .chars()
            .filter(|c| !matches!(c, ':' | ' ' | '-'))
            .collect();
        let bytes = hex::decode(clean).ok()?;
        (!bytes.is_empty()).then_some(KeyId(bytes))
    }

    pub fn as_bytes(&self) -> &[u8] {
        &self.0
    }

    pub fn to_hex(&self) -> String {
        hex::encode(&self.0)
    }
}

impl fmt::Display for KeyId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.to_hex())
    }
}

impl fmt::Debug for KeyId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "KeyId({})", self.to_hex())
    }
}

impl Serialize for KeyId {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&self.to_hex())
    }
}

/// The kinds of key pair smartkey makes on a token.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum KeyAlgorithm {
    /// RSA with a 2048-bit modulus and exponent 65537 (the bank's "smart key (RSA)").
    Rsa2048,
}

impl KeyAlgorithm {
    pub fn name(self) -> &'static str {
        match self {
            KeyAlgorithm::Rsa2048 => "rsa2048",
        }
    }
}

impl fmt::Display for KeyAlgorithm {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// How a private key is protected on the token.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct KeyProtection {
    pub sensitive: bool,
    pub extractable: bool,
}

/// A key pair just generated.
#[derive(Debug, Clone, Serialize)]
pub struct GeneratedKey {
    pub id: KeyId,
    pub label: String,
    pub algorithm: KeyAlgorithm,
}

pub(crate) const RSA_EXPONENT: [u8; 3] = [0x01, 0x00, 0x01];

/// An RSA public key as a SubjectPublicKeyInfo (rsaEncryption, NULL parameters).
pub(crate) fn rsa_spki(
    modulus: &[u8],
    exponent: &[u8],
) -> Result<SubjectPublicKeyInfoOwned, TokenError> {
    let bad = |e: der::Error| TokenError::UnsupportedKey(format!("RSA public key: {e}"));
    let key = pkcs1::RsaPublicKey {
        modulus: UintRef::new(modulus).map_err(bad)?,
        public_exponent: UintRef::new(exponent).map_err(bad)?,
    };
    let der = key.to_der().map_err(bad)?;
    Ok(SubjectPublicKeyInfoOwned {
        algorithm: AlgorithmIdentifierOwned {
            oid: const_oid::db::rfc5912::RSA_ENCRYPTION,
            parameters: Some(der::asn1::Null.into()),
        },
        subject_public_key: BitString::from_bytes(&der).map_err(bad)?,
    })
}

impl TokenSession<'_> {
    /// Generates an RSA-2048 key pair on the token (the user must be logged in).
    pub fn generate_rsa_2048(&self, label: &str) -> Result<GeneratedKey, TokenError> {
        let id = KeyId::random()?;
        let public = [
            Attribute::Token(true),
            Attribute::Private(false),
            Attribute::Verify(true),
            Attribute::Encrypt(false),
            Attribute::Wrap(false),
            Attribute::ModulusBits(2048.into()),
            Attribute::PublicExponent(RSA_EXPONENT.to_vec()),
            Attribute::Id(id.as_bytes().to_vec()),
            Attribute::Label(label.as_bytes().to_vec()),
        ];
        let private = [
            Attribute::Token(true),
            Attribute::Private(true),
            Attribute::Sensitive(true),
            Attribute::Extractable(false),
            Attribute::Sign(true),
            Attribute::Decrypt(false),
            Attribute::Unwrap(false),
            Attribute::Id(id.as_bytes().to_vec()),
            Attribute::Label(label.as_bytes().to_vec()),
        ];
        self.session()
            .generate_key_pair(&Mechanism::RsaPkcsKeyPairGen, &public, &private)
            .map_err(|e| self.fail("generating the key pair", e))?;
        Ok(GeneratedKey {
            id,
            label: label.to_string(),
            algorithm: KeyAlgorithm::Rsa2048,
        })
    }

    /// The objects of `class` with this CKA_ID.
    pub(crate) fn objects(
        &self,
        class: ObjectClass,
        id: Option<&KeyId>,
    ) -> Result<Vec<ObjectHandle>, TokenError> {
        let mut template = vec![Attribute::Class(class)];
        if let Some(id) = id {
            template.push(Attribute::Id(id.as_bytes().to_vec()));
        }
        self.session()
            .find_objects(&template)
            .map_err(|e| self.fail("searching the token", e))
    }

    /// The one object of `class` with this CKA_ID.
    pub(crate) fn object(
        &self,
        class: ObjectClass,
        id: &KeyId,
    ) -> Result<ObjectHandle, TokenError> {
        self.objects(class, Some(id))?
            .into_iter()
            .next()
            .ok_or_else(|| TokenError::KeyNotFound { id: id.to_hex() })
    }

    /// Reads attributes of an object; attributes the object lacks are left out.
    pub(crate) fn attributes(
        &self,
        object: ObjectHandle,
        types: &[AttributeType],
    ) -> Result<Vec<Attribute>, TokenError> {
        self.session()
            .get_attributes(object, types)
            .map_err(|e| self.fail("reading a key's attributes", e))
    }

    /// The CKA_ID of an object, if it has one.
    pub(crate) fn id_of(&self, object: ObjectHandle) -> Result<Option<KeyId>, TokenError> {
        Ok(self
            .attributes(object, &[AttributeType::Id])?
            .into_iter()
            .find_map(|a| match a {
                Attribute::Id(id) if !id.is_empty() => Some(KeyId::from_bytes(id)),
                _ => None,
            }))
    }

    /// The CKA_LABEL of an object, empty if it has none.
    pub(crate) fn label_of(&self, object: ObjectHandle) -> Result<String, TokenError> {
        Ok(self
            .attributes(object, &[AttributeType::Label])?
            .into_iter()
            .find_map(|a| match a {
                Attribute::Label(l) => Some(String::from_utf8_lossy(&l).trim().to_string()),
                _ => None,
            })
            .unwrap_or_default())
    }

    /// The algorithm of a key object, if smartkey knows it.
    pub(crate) fn algorithm_of(
        &self,
        object: ObjectHandle,
    ) -> Result<Option<KeyAlgorithm>, TokenError> {
        let attrs = self.attributes(object, &[AttributeType::KeyType, AttributeType::Modulus])?;
        let key_type = attrs.iter().find_map(|a| match a {
            Attribute::KeyType(t) => Some(*t),
            _ => None,
        });
        let modulus_bits = attrs.iter().find_map(|a| match a {
            Attribute::Modulus(m) => Some(m.iter().skip_while(|b| **b == 0).count() * 8),
            _ => None,
        });
        Ok(match (key_type, modulus_bits) {
            (Some(KeyType::RSA), Some(2048)) => Some(KeyAlgorithm::Rsa2048),
            _ => None,
        })
    }

    /// The public key of a public-key object as a SubjectPublicKeyInfo.
    pub(crate) fn spki_of(
        &self,
        public: ObjectHandle,
    ) -> Result<SubjectPublicKeyInfoOwned, TokenError> {
        let attrs = self.attributes(
            public,
            &[
                AttributeType::KeyType,
                AttributeType::Modulus,
                AttributeType::PublicExponent,
            ],
        )?;
        let mut key_type = None;
        let (mut modulus, mut exponent) = (None, None);
        for a in attrs {
            match a {
                Attribute::KeyType(t) => key_type = Some(t),
                Attribute::Modulus(m) => modulus = Some(m),
                Attribute::PublicExponent(e) => exponent = Some(e),
                _ => {}
            }
        }
        match (key_type, modulus, exponent) {
            (Some(KeyType::RSA), Some(n), Some(e)) => rsa_spki(&n, &e),
            (t, _, _) => Err(TokenError::UnsupportedKey(format!("key type {t:?}"))),
        }
    }

    /// The public key of the pair `id`, as a SubjectPublicKeyInfo.
    pub fn public_key(&self, id: &KeyId) -> Result<SubjectPublicKeyInfoOwned, TokenError> {
        let public = self.object(ObjectClass::PUBLIC_KEY, id)?;
        self.spki_of(public)
    }

    /// How the private key `id` is protected (the user must be logged in to see it).
    pub fn key_protection(&self, id: &KeyId) -> Result<KeyProtection, TokenError> {
        let private = self.object(ObjectClass::PRIVATE_KEY, id)?;
        let attrs = self.attributes(
            private,
            &[AttributeType::Sensitive, AttributeType::Extractable],
        )?;
        let flag = |want: AttributeType| {
            attrs.iter().any(|a| match (a, want) {
                (Attribute::Sensitive(v), AttributeType::Sensitive) => *v,
                (Attribute::Extractable(v), AttributeType::Extractable) => *v,
                _ => false,
            })
        };
        Ok(KeyProtection {
            sensitive: flag(AttributeType::Sensitive),
            extractable: flag(AttributeType::Extractable),
        })
    }
}
