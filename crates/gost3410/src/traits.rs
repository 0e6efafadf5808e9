//! The `signature` and `spki` crates' traits for the keys: what lets x509-cert's builders
//! and other RustCrypto code sign and verify with a [`SigningKey`] and a [`VerifyingKey`].

use rand_core::TryCryptoRng;
use spki::{AlgorithmIdentifierOwned, DynSignatureAlgorithmIdentifier};

use crate::{Error, KeySize, Signature, SigningKey, VerifyingKey, streebog_digest};

fn to_signature_error(err: Error) -> signature::Error {
    signature::Error::from_source(err)
}

/// Hashes the message with Streebog of the key's size, then signs with an OS-random nonce.
impl signature::Signer<Signature> for SigningKey {
    fn try_sign(&self, msg: &[u8]) -> Result<Signature, signature::Error> {
        let digest = streebog_digest(self.params().size(), msg);
        self.sign_digest(&digest).map_err(to_signature_error)
    }
}

/// Hashes the message with Streebog of the key's size, then signs with a nonce from `rng`.
impl signature::RandomizedSigner<Signature> for SigningKey {
    fn try_sign_with_rng<R: TryCryptoRng + ?Sized>(
        &self,
        rng: &mut R,
        msg: &[u8],
    ) -> Result<Signature, signature::Error> {
        let digest = streebog_digest(self.params().size(), msg);
        self.sign_digest_with_rng(&digest, rng)
            .map_err(to_signature_error)
    }
}

impl signature::Keypair for SigningKey {
    type VerifyingKey = VerifyingKey;
    fn verifying_key(&self) -> VerifyingKey {
        SigningKey::verifying_key(self)
    }
}

/// Hashes the message with Streebog of the key's size, then verifies.
impl signature::Verifier<Signature> for VerifyingKey {
    fn verify(&self, msg: &[u8], sig: &Signature) -> Result<(), signature::Error> {
        let digest = streebog_digest(self.params().size(), msg);
        self.verify_digest(&digest, sig).map_err(to_signature_error)
    }
}

/// `id-tc26-signwithdigest-gost3410-12-256|512`, parameters absent (RFC 9215 section 3).
fn signature_algorithm(size: KeySize) -> AlgorithmIdentifierOwned {
    AlgorithmIdentifierOwned {
        oid: size.signature_oid(),
        parameters: None,
    }
}

impl DynSignatureAlgorithmIdentifier for SigningKey {
    fn signature_algorithm_identifier(&self) -> spki::Result<AlgorithmIdentifierOwned> {
        Ok(signature_algorithm(self.params().size()))
    }
}

impl DynSignatureAlgorithmIdentifier for VerifyingKey {
    fn signature_algorithm_identifier(&self) -> spki::Result<AlgorithmIdentifierOwned> {
        Ok(signature_algorithm(self.params().size()))
    }
}
