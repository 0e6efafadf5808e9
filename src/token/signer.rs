//! A key on the token as a RustCrypto signer, so that x509-cert's builders sign
//! requests and certificates with a key that never leaves the token.

use cryptoki::object::{ObjectClass, ObjectHandle};
use der::asn1::BitString;
use sha2::{Digest, Sha256};
use signature::{Keypair, Signer};
use spki::{
    AlgorithmIdentifierOwned, DynSignatureAlgorithmIdentifier, EncodePublicKey,
    SignatureBitStringEncoding, SubjectPublicKeyInfoOwned,
};

use super::error::TokenError;
use super::keys::KeyId;
use super::session::TokenSession;
use smartkey_wizard::KeyType;

/// The DER prefix of a PKCS#1 v1.5 DigestInfo for SHA-256 (RFC 8017, section 9.2).
const SHA256_DIGEST_INFO_PREFIX: [u8; 19] = [
    0x30, 0x31, 0x30, 0x0d, 0x06, 0x09, 0x60, 0x86, 0x48, 0x01, 0x65, 0x03, 0x04, 0x02, 0x01, 0x05,
    0x00, 0x04, 0x20,
];

/// The public half of a token key, as the builders want it.
#[derive(Debug, Clone)]
pub struct TokenPublicKey(SubjectPublicKeyInfoOwned);

impl TokenPublicKey {
    pub fn spki(&self) -> &SubjectPublicKeyInfoOwned {
        &self.0
    }
}

impl EncodePublicKey for TokenPublicKey {
    fn to_public_key_der(&self) -> spki::Result<der::Document> {
        Ok(der::Document::encode_msg(&self.0)?)
    }
}

/// A signature made on the token, in the form the certificate formats carry.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TokenSignature(Vec<u8>);

impl TokenSignature {
    pub fn as_bytes(&self) -> &[u8] {
        &self.0
    }
}

impl SignatureBitStringEncoding for TokenSignature {
    fn to_bitstring(&self) -> der::Result<BitString> {
        BitString::from_bytes(&self.0)
    }
}

/// Signs with the private key `id` of a logged-in session.
pub struct TokenSigner<'s, 'm> {
    session: &'s TokenSession<'m>,
    key: ObjectHandle,
    algorithm: KeyType,
    public: TokenPublicKey,
}

impl<'s, 'm> TokenSigner<'s, 'm> {
    /// The signer for key pair `id`; the user must be logged in.
    pub fn new(session: &'s TokenSession<'m>, id: &KeyId) -> Result<Self, TokenError> {
        let public_object = session.object(ObjectClass::PUBLIC_KEY, id)?;
        let algorithm = session.algorithm_of(public_object)?.ok_or_else(|| {
            TokenError::UnsupportedKey("neither RSA-2048 nor GOST R 34.10-2012".into())
        })?;
        let public = TokenPublicKey(session.spki_of(public_object)?);
        let key = session
            .objects(ObjectClass::PRIVATE_KEY, Some(id))?
            .into_iter()
            .next()
            .ok_or(TokenError::NotLoggedIn)?;
        Ok(TokenSigner {
            session,
            key,
            algorithm,
            public,
        })
    }

    pub fn algorithm(&self) -> KeyType {
        self.algorithm
    }

    /// Signs `message` on the token, with the layer's typed error.
    pub fn sign_message(&self, message: &[u8]) -> Result<TokenSignature, TokenError> {
        match self.algorithm {
            KeyType::Rsa2048 => {
                // Hash here and sign the DigestInfo with raw CKM_RSA_PKCS: every RSA
                // token has that mechanism, not all have CKM_SHA256_RSA_PKCS.
                let mut digest_info = SHA256_DIGEST_INFO_PREFIX.to_vec();
                digest_info.extend_from_slice(&Sha256::digest(message));
                self.session
                    .vendor()
                    .sign(
                        self.session.session().handle(),
                        cryptoki_sys::CKM_RSA_PKCS,
                        self.key.handle(),
                        &digest_info,
                    )
                    .map(TokenSignature)
                    .map_err(|e| self.session.fail("signing on the token", e))
            }
            KeyType::Gost2012_256 | KeyType::Gost2012_512 => {
                // Streebog here, then the raw GOST mechanism: every GOST token has it,
                // and the token returns s||r, exactly the certificate formats' bytes.
                let size = if self.algorithm == KeyType::Gost2012_256 {
                    gost3410::KeySize::Gost256
                } else {
                    gost3410::KeySize::Gost512
                };
                let mechanism = match size {
                    gost3410::KeySize::Gost256 => rutoken_sys::CKM_GOSTR3410,
                    gost3410::KeySize::Gost512 => rutoken_sys::CKM_GOSTR3410_512,
                };
                let digest = gost3410::streebog_digest(size, message);
                self.session
                    .vendor()
                    .sign(
                        self.session.session().handle(),
                        mechanism,
                        self.key.handle(),
                        &digest,
                    )
                    .map(TokenSignature)
                    .map_err(|e| self.session.fail("signing on the token", e))
            }
        }
    }
}

impl Keypair for TokenSigner<'_, '_> {
    type VerifyingKey = TokenPublicKey;

    fn verifying_key(&self) -> TokenPublicKey {
        self.public.clone()
    }
}

impl DynSignatureAlgorithmIdentifier for TokenSigner<'_, '_> {
    fn signature_algorithm_identifier(&self) -> spki::Result<AlgorithmIdentifierOwned> {
        Ok(match self.algorithm {
            KeyType::Rsa2048 => AlgorithmIdentifierOwned {
                oid: const_oid::db::rfc5912::SHA_256_WITH_RSA_ENCRYPTION,
                parameters: Some(der::asn1::Null.into()),
            },
            KeyType::Gost2012_256 => AlgorithmIdentifierOwned {
                oid: gost3410::oid::SIGN_WITH_STREEBOG_256,
                parameters: None,
            },
            KeyType::Gost2012_512 => AlgorithmIdentifierOwned {
                oid: gost3410::oid::SIGN_WITH_STREEBOG_512,
                parameters: None,
            },
        })
    }
}

impl Signer<TokenSignature> for TokenSigner<'_, '_> {
    fn try_sign(&self, message: &[u8]) -> Result<TokenSignature, signature::Error> {
        self.sign_message(message)
            .map_err(signature::Error::from_source)
    }
}

/// Recovers the token layer's error from a signature error raised by a [`TokenSigner`].
pub fn token_error_of(e: &signature::Error) -> Option<&TokenError> {
    std::error::Error::source(e).and_then(|s| s.downcast_ref::<TokenError>())
}
