//! Key pairs generated on the token, and their public halves.
//!
//! Private keys are generated with CKA_SENSITIVE=true and CKA_EXTRACTABLE=false: they
//! never leave the token. The pair shares a random CKA_ID, which is also how a
//! certificate is tied to its key.

use std::fmt;

use cryptoki::mechanism::Mechanism;
use cryptoki::object::{Attribute, AttributeType, KeyType as CkKeyType, ObjectClass, ObjectHandle};
use der::Encode;
use der::asn1::{BitString, UintRef};
use serde::Serialize;
use smartkey_wizard::KeyType;
use spki::{AlgorithmIdentifierOwned, SubjectPublicKeyInfoOwned};

use gost3410::{KeySize, ParamSet};

use super::error::TokenError;
use super::session::TokenSession;
use super::vendor::RawAttribute;

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

/// The GOST key size of a key type, for the GOST ones.
pub fn gost_size(key: KeyType) -> Option<KeySize> {
    match key {
        KeyType::Rsa2048 => None,
        KeyType::Gost2012_256 => Some(KeySize::Gost256),
        KeyType::Gost2012_512 => Some(KeySize::Gost512),
    }
}

/// The parameter set smartkey generates GOST keys with: Aktiv's own samples use
/// CryptoPro-A for 256-bit keys and TC26-512-A for 512-bit keys.
pub fn gost_param_set(size: KeySize) -> ParamSet {
    match size {
        KeySize::Gost256 => ParamSet::CryptoProA,
        KeySize::Gost512 => ParamSet::Tc26Gost512A,
    }
}

/// The CKK_ key type of a GOST key of this size.
fn gost_key_type(size: KeySize) -> cryptoki_sys::CK_KEY_TYPE {
    match size {
        KeySize::Gost256 => rutoken_sys::CKK_GOSTR3410,
        KeySize::Gost512 => rutoken_sys::CKK_GOSTR3410_512,
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
    pub algorithm: KeyType,
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
            algorithm: KeyType::Rsa2048,
        })
    }

    /// Generates a GOST R 34.10-2012 key pair on the token (the user must be logged in),
    /// with the templates of Rutoken's samples. cryptoki cannot name the 256-bit
    /// mechanism or the parameter attributes, so this goes through direct calls.
    pub fn generate_gost(&self, size: KeySize, label: &str) -> Result<GeneratedKey, TokenError> {
        use cryptoki_sys::*;
        let id = KeyId::random()?;
        let params = gost_param_set(size);
        let digest = size
            .digest_oid()
            .to_der()
            .map_err(|e| TokenError::UnsupportedKey(e.to_string()))?;
        let (mechanism, algorithm) = match size {
            KeySize::Gost256 => (
                rutoken_sys::CKM_GOSTR3410_KEY_PAIR_GEN,
                KeyType::Gost2012_256,
            ),
            KeySize::Gost512 => (
                rutoken_sys::CKM_GOSTR3410_512_KEY_PAIR_GEN,
                KeyType::Gost2012_512,
            ),
        };
        let common = |class: CK_OBJECT_CLASS, private: bool| {
            vec![
                RawAttribute::ulong(CKA_CLASS, class),
                RawAttribute::ulong(CKA_KEY_TYPE, gost_key_type(size)),
                RawAttribute::bytes(CKA_LABEL, label.as_bytes()),
                RawAttribute::bytes(CKA_ID, id.as_bytes()),
                RawAttribute::flag(CKA_TOKEN, true),
                RawAttribute::flag(CKA_PRIVATE, private),
                RawAttribute::bytes(rutoken_sys::CKA_GOSTR3410_PARAMS, &params.oid_der()),
                RawAttribute::bytes(rutoken_sys::CKA_GOSTR3411_PARAMS, &digest),
                RawAttribute::flag(CKA_DERIVE, true),
            ]
        };
        let mut public = common(CKO_PUBLIC_KEY, false);
        public.push(RawAttribute::flag(CKA_VERIFY, true));
        let mut private = common(CKO_PRIVATE_KEY, true);
        private.push(RawAttribute::flag(CKA_SIGN, true));
        private.push(RawAttribute::flag(CKA_SENSITIVE, true));
        private.push(RawAttribute::flag(CKA_EXTRACTABLE, false));
        self.vendor()
            .generate_key_pair(
                self.session().handle(),
                mechanism,
                &mut public,
                &mut private,
            )
            .map_err(|e| self.fail("generating the key pair", e))?;
        Ok(GeneratedKey {
            id,
            label: label.to_string(),
            algorithm,
        })
    }

    /// Generates a key pair of `algorithm` (the user must be logged in).
    pub fn generate(&self, algorithm: KeyType, label: &str) -> Result<GeneratedKey, TokenError> {
        match gost_size(algorithm) {
            None => self.generate_rsa_2048(label),
            Some(size) => self.generate_gost(size, label),
        }
    }

    /// A raw attribute cryptoki cannot name.
    pub(crate) fn raw_attribute(
        &self,
        object: ObjectHandle,
        kind: cryptoki_sys::CK_ATTRIBUTE_TYPE,
    ) -> Result<Option<Vec<u8>>, TokenError> {
        self.vendor()
            .attribute(self.session().handle(), object.handle(), kind)
            .map_err(|e| self.fail("reading a key's attributes", e))
    }

    /// The GOST parameter set of a key object.
    pub(crate) fn gost_params_of(&self, object: ObjectHandle) -> Result<ParamSet, TokenError> {
        let der = self
            .raw_attribute(object, rutoken_sys::CKA_GOSTR3410_PARAMS)?
            .ok_or_else(|| TokenError::UnsupportedKey("a GOST key without parameters".into()))?;
        ParamSet::from_oid_der(&der).ok_or_else(|| {
            TokenError::UnsupportedKey("a GOST parameter set smartkey does not know".into())
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
        self.vendor()
            .find_objects(self.session().handle(), &template)
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
        self.vendor()
            .attributes(self.session().handle(), object.handle(), types)
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
    pub(crate) fn algorithm_of(&self, object: ObjectHandle) -> Result<Option<KeyType>, TokenError> {
        let attrs = self.attributes(object, &[AttributeType::KeyType, AttributeType::Modulus])?;
        let key_type = attrs.iter().find_map(|a| match a {
            Attribute::KeyType(t) => Some(*t),
            _ => None,
        });
        let modulus_bits = attrs.iter().find_map(|a| match a {
            Attribute::Modulus(m) => Some(m.iter().skip_while(|b| **b == 0).count() * 8),
            _ => None,
        });
        let gost_512 = CkKeyType::new_vendor_defined(rutoken_sys::CKK_GOSTR3410_512).ok();
        Ok(match (key_type, modulus_bits) {
            (Some(CkKeyType::RSA), Some(2048)) => Some(KeyType::Rsa2048),
            (Some(CkKeyType::GOSTR3410), _) => Some(KeyType::Gost2012_256),
            (Some(t), _) if Some(t) == gost_512 => Some(KeyType::Gost2012_512),
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
            (Some(CkKeyType::RSA), Some(n), Some(e)) => rsa_spki(&n, &e),
            (Some(_), _, _) if self.algorithm_of(public)?.and_then(gost_size).is_some() => {
                self.gost_spki(public)
            }
            (t, _, _) => Err(TokenError::UnsupportedKey(format!("key type {t:?}"))),
        }
    }

    /// A GOST public key: CKA_VALUE is X||Y little-endian, exactly what the
    /// SubjectPublicKeyInfo carries (GOST.md), with the parameter set beside it.
    fn gost_spki(&self, public: ObjectHandle) -> Result<SubjectPublicKeyInfoOwned, TokenError> {
        use der::Decode;
        let params = self.gost_params_of(public)?;
        let value = self
            .attributes(public, &[AttributeType::Value])?
            .into_iter()
            .find_map(|a| match a {
                Attribute::Value(v) => Some(v),
                _ => None,
            })
            .ok_or_else(|| {
                TokenError::UnsupportedKey("a GOST public key without a value".into())
            })?;
        let bad = |e: String| TokenError::UnsupportedKey(format!("GOST public key: {e}"));
        let key = gost3410::VerifyingKey::from_pkcs11_value(params, &value)
            .map_err(|e| bad(e.to_string()))?;
        let der = key.to_spki_der().map_err(|e| bad(e.to_string()))?;
        SubjectPublicKeyInfoOwned::from_der(&der).map_err(|e| bad(e.to_string()))
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
