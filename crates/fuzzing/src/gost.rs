//! GOST R 34.10-2012 verification with arbitrary keys, signatures and messages: keys as
//! a token gives them (PKCS#11 `CKA_VALUE`), as a certificate carries them
//! (SubjectPublicKeyInfo), and derived from an arbitrary private scalar, so that the
//! verification arithmetic runs on valid points too; a signature made with such a key
//! must verify, and the same signature with one bit flipped must not.
//!
//! The input: one byte choosing the parameter set (low three bits, modulo 7), the way the
//! key is given (next two bits) and whether the message is hashed or is the digest (the
//! bit after), then the key, a signature of the set's size, and the message. Every
//! verification is a scalar multiplication or two, so this target runs a few hundred
//! inputs a second, not tens of thousands.

use gost3410::signature::Verifier;
use gost3410::{ParamSet, Signature, SigningKey, VerifyingKey};

/// Takes `n` bytes from the front of `data`, or what there is.
fn take<'a>(data: &mut &'a [u8], n: usize) -> &'a [u8] {
    let (head, tail) = data.split_at(n.min(data.len()));
    *data = tail;
    head
}

/// Verifies `sig` with `key` over `message` (hashed with Streebog) or, when `as_digest`,
/// with the message taken as the digest itself.
fn verify_any(key: &VerifyingKey, sig: &[u8], message: &[u8], as_digest: bool) {
    let Ok(sig) = Signature::from_bytes(sig) else {
        return;
    };
    let _ = if as_digest {
        key.verify_digest(message, &sig)
    } else {
        key.verify(message, &sig)
            .map_err(|_| gost3410::Error::Verification)
    };
    let _ = key.to_pkcs11_value();
    let _ = key.to_spki_der();
}

/// One key, signature and message, as the module's documentation lays them out.
pub fn gost_verify(data: &[u8]) {
    let Some((&choice, mut rest)) = data.split_first() else {
        return;
    };
    let params = ParamSet::ALL[usize::from(choice & 0x07) % ParamSet::ALL.len()];
    let n = params.coordinate_len();
    let as_digest = choice & 0x20 != 0;
    match (choice >> 3) & 0x03 {
        0 => {
            let Ok(key) = VerifyingKey::from_pkcs11_value(params, take(&mut rest, 2 * n)) else {
                return;
            };
            let sig = take(&mut rest, 2 * n);
            verify_any(&key, sig, rest, as_digest);
        }
        1 => {
            let len = take(&mut rest, 2);
            let len = len
                .iter()
                .fold(0usize, |acc, &b| (acc << 8) | usize::from(b));
            let Ok(key) = VerifyingKey::from_spki_der(take(&mut rest, len)) else {
                return;
            };
            let size = 2 * key.params().coordinate_len();
            let sig = take(&mut rest, size);
            verify_any(&key, sig, rest, as_digest);
        }
        _ => {
            let Ok(signer) = SigningKey::from_bytes_le(params, take(&mut rest, n)) else {
                return;
            };
            let key = signer.verifying_key();
            let k = take(&mut rest, n);
            let sig = take(&mut rest, 2 * n);
            verify_any(&key, sig, rest, as_digest);
            let again = VerifyingKey::from_pkcs11_value(params, &key.to_pkcs11_value())
                .expect("a derived key reads back");
            let spki = key
                .to_spki_der()
                .expect("a derived key as SubjectPublicKeyInfo");
            let read = VerifyingKey::from_spki_der(&spki).expect("its SubjectPublicKeyInfo");
            assert_eq!(read.to_pkcs11_value(), again.to_pkcs11_value());
            let digest = gost3410::streebog_digest(params.size(), rest);
            if let Ok(made) = signer.sign_digest_with_k(&digest, k) {
                key.verify_digest(&digest, &made)
                    .expect("a signature made with the key verifies");
                key.verify(rest, &made)
                    .expect("a signature over the message verifies");
                let mut flipped = made.to_bytes();
                let bit = usize::from(choice) % (8 * flipped.len());
                flipped[bit / 8] ^= 1 << (bit % 8);
                let flipped = Signature::from_bytes(&flipped).expect("same length");
                assert!(
                    key.verify_digest(&digest, &flipped).is_err(),
                    "a signature with a flipped bit verifies"
                );
            }
        }
    }
}
