//! Certificates on the token, paired with their keys by CKA_ID; listing and deleting
//! key pairs.

use std::collections::BTreeMap;

use cryptoki::object::{Attribute, AttributeType, CertificateType, ObjectClass, ObjectHandle};
use der::{Decode, DecodePem, Encode};
use serde::Serialize;
use x509_cert::Certificate;

use super::error::TokenError;
use super::keys::KeyId;
use super::session::TokenSession;
use smartkey_wizard::KeyType;

/// One key pair on the token, with its certificate if one is stored next to it.
#[derive(Debug, Clone, Serialize)]
pub struct KeyPairEntry {
    pub id: KeyId,
    pub label: String,
    pub algorithm: Option<KeyType>,
    pub has_public_key: bool,
    /// `None` when not logged in: private keys are invisible then.
    pub has_private_key: Option<bool>,
    /// The certificate stored with the pair (CKO_CERTIFICATE with the same CKA_ID).
    #[serde(skip)]
    pub certificate: Option<Certificate>,
}

/// Reads a certificate from DER or PEM bytes.
pub fn parse_certificate(bytes: &[u8]) -> Result<Certificate, TokenError> {
    let parsed = if bytes.starts_with(b"-----BEGIN") {
        Certificate::from_pem(bytes)
    } else {
        Certificate::from_der(bytes)
    };
    parsed.map_err(|e| TokenError::BadCertificate(e.to_string()))
}

impl TokenSession<'_> {
    fn certificate_at(&self, object: ObjectHandle) -> Result<Option<Certificate>, TokenError> {
        let value = self
            .attributes(object, &[AttributeType::Value])?
            .into_iter()
            .find_map(|a| match a {
                Attribute::Value(v) => Some(v),
                _ => None,
            });
        Ok(value.and_then(|v| Certificate::from_der(&v).ok()))
    }

    /// Every key pair on the token with its certificate. Private keys are only seen
    /// after a login; `logged_in` says whether to report on them.
    pub fn key_pairs(&self, logged_in: bool) -> Result<Vec<KeyPairEntry>, TokenError> {
        let mut pairs: BTreeMap<Vec<u8>, KeyPairEntry> = BTreeMap::new();
        let entry = |pairs: &mut BTreeMap<Vec<u8>, KeyPairEntry>, id: &KeyId| {
            pairs
                .entry(id.as_bytes().to_vec())
                .or_insert_with(|| KeyPairEntry {
                    id: id.clone(),
                    label: String::new(),
                    algorithm: None,
                    has_public_key: false,
                    has_private_key: logged_in.then_some(false),
                    certificate: None,
                })
                .clone()
        };
        for (class, kind) in [
            (ObjectClass::PUBLIC_KEY, 0),
            (ObjectClass::PRIVATE_KEY, 1),
            (ObjectClass::CERTIFICATE, 2),
        ] {
            if kind == 1 && !logged_in {
                continue;
            }
            for object in self.objects(class, None)? {
                let Some(id) = self.id_of(object)? else {
                    continue;
                };
                let mut e = entry(&mut pairs, &id);
                if e.label.is_empty() {
                    e.label = self.label_of(object)?;
                }
                match kind {
                    0 => {
                        e.has_public_key = true;
                        e.algorithm = e.algorithm.or(self.algorithm_of(object)?);
                    }
                    1 => {
                        e.has_private_key = Some(true);
                        e.algorithm = e.algorithm.or(self.algorithm_of(object)?);
                    }
                    _ => e.certificate = self.certificate_at(object)?,
                }
                pairs.insert(id.as_bytes().to_vec(), e);
            }
        }
        Ok(pairs.into_values().collect())
    }

    /// The key pair whose public key is `spki_der`, if it is on the token.
    fn key_for(&self, spki_der: &[u8]) -> Result<Option<(KeyId, ObjectHandle)>, TokenError> {
        for public in self.objects(ObjectClass::PUBLIC_KEY, None)? {
            let Ok(spki) = self.spki_of(public) else {
                continue;
            };
            let der = spki
                .to_der()
                .map_err(|e| TokenError::UnsupportedKey(e.to_string()))?;
            if der == spki_der
                && let Some(id) = self.id_of(public)?
            {
                return Ok(Some((id, public)));
            }
        }
        Ok(None)
    }

    /// Stores a certificate next to its key pair (the user must be logged in).
    ///
    /// The certificate's public key must match a key pair on this token; its CKA_ID,
    /// label, subject, issuer and serial are set from the pair and the certificate, so
    /// that any PKCS#11 application pairs them the same way.
    pub fn import_certificate(&self, bytes: &[u8]) -> Result<KeyId, TokenError> {
        let cert = parse_certificate(bytes)?;
        let tbs = cert.tbs_certificate();
        let encode =
            |r: der::Result<Vec<u8>>| r.map_err(|e| TokenError::BadCertificate(e.to_string()));
        let spki_der = encode(tbs.subject_public_key_info().to_der())?;
        let Some((id, public)) = self.key_for(&spki_der)? else {
            return Err(TokenError::CertificateKeyNotOnToken);
        };
        let value = encode(cert.to_der())?;
        for existing in self.objects(ObjectClass::CERTIFICATE, Some(&id))? {
            if self.certificate_at(existing)?.and_then(|c| c.to_der().ok()) == Some(value.clone()) {
                return Err(TokenError::CertificateAlreadyThere { id: id.to_hex() });
            }
        }
        let label = self.label_of(public)?;
        let template = [
            Attribute::Class(ObjectClass::CERTIFICATE),
            Attribute::CertificateType(CertificateType::X_509),
            Attribute::Token(true),
            Attribute::Private(false),
            Attribute::Id(id.as_bytes().to_vec()),
            Attribute::Label(label.into_bytes()),
            Attribute::Subject(encode(tbs.subject().to_der())?),
            Attribute::Issuer(encode(tbs.issuer().to_der())?),
            Attribute::SerialNumber(encode(tbs.serial_number().to_der())?),
            Attribute::Value(value),
        ];
        self.session()
            .create_object(&template)
            .map_err(|e| self.fail("saving the certificate", e))?;
        Ok(id)
    }

    /// Deletes the key pair `id` and any certificate with the same ID (the user must be
    /// logged in). Returns how many objects were destroyed.
    pub fn delete_key_pair(&self, id: &KeyId) -> Result<usize, TokenError> {
        let mut objects = Vec::new();
        for class in [
            ObjectClass::CERTIFICATE,
            ObjectClass::PUBLIC_KEY,
            ObjectClass::PRIVATE_KEY,
        ] {
            objects.extend(self.objects(class, Some(id))?);
        }
        if objects.is_empty() {
            return Err(TokenError::KeyNotFound { id: id.to_hex() });
        }
        for object in &objects {
            self.session()
                .destroy_object(*object)
                .map_err(|e| self.fail("deleting the key", e))?;
        }
        Ok(objects.len())
    }
}
