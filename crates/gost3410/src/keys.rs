//! Private and public keys: construction from PKCS#11 attribute values, generation,
//! signing and verification of digests.

use core::fmt;

use crypto_bigint::Uint;
use getrandom::SysRng;
use rand_core::{CryptoRng, TryCryptoRng};
use zeroize::Zeroizing;

use crate::curve::CurveRef;
use crate::dsa::{self, RawSignature};
use crate::{Error, ParamSet, Signature};

/// Run `$body` with `$c` bound to the curve of `$params`, at whichever integer width it
/// uses. The body is compiled once per width, so it must produce the same type in both.
macro_rules! with_curve {
    ($params:expr, $c:ident => $body:expr) => {
        match $params.curve() {
            CurveRef::C256($c) => $body,
            CurveRef::C512($c) => $body,
        }
    };
}

fn le_bytes<const L: usize>(v: &Uint<L>) -> Vec<u8> {
    v.to_le_bytes().as_slice().to_vec()
}

fn be_bytes<const L: usize>(v: &Uint<L>) -> Vec<u8> {
    v.to_be_bytes().as_slice().to_vec()
}

/// `s || r`, each big-endian: the layout PKCS#11 `C_Sign` returns and X.509 carries.
fn encode_signature<const L: usize>(raw: &RawSignature<L>) -> Signature {
    let mut bytes = be_bytes(&raw.s);
    bytes.extend_from_slice(&be_bytes(&raw.r));
    Signature::from_vec_unchecked(bytes)
}

/// A GOST R 34.10-2012 private key `d` with its parameter set and public key.
///
/// The scalar is wiped from memory when the key is dropped and never appears in `Debug`.
#[derive(Clone)]
pub struct SigningKey {
    params: ParamSet,
    d_le: Zeroizing<Vec<u8>>,
    public: VerifyingKey,
}

impl SigningKey {
    /// A fresh key from the operating system's random number generator.
    ///
    /// # Panics
    /// If the operating system cannot provide random numbers; use
    /// [`SigningKey::try_generate`] to get an error instead.
    #[must_use]
    pub fn generate(params: ParamSet) -> Self {
        match Self::try_generate(params) {
            Ok(key) => key,
            Err(err) => panic!("cannot generate a GOST key: {err}"),
        }
    }

    /// A fresh key from the operating system's random number generator.
    ///
    /// # Errors
    /// [`Error::Rng`] if the operating system cannot provide random numbers.
    pub fn try_generate(params: ParamSet) -> Result<Self, Error> {
        Self::try_generate_with_rng(params, &mut SysRng)
    }

    /// A fresh key from `rng`.
    ///
    /// # Panics
    /// Only with a broken generator that keeps returning numbers outside `[1, q-1]` for 256
    /// draws in a row.
    #[must_use]
    pub fn generate_with_rng<R: CryptoRng + ?Sized>(params: ParamSet, rng: &mut R) -> Self {
        match Self::try_generate_with_rng(params, rng) {
            Ok(key) => key,
            Err(err) => panic!("cannot generate a GOST key: {err}"),
        }
    }

    /// A fresh key from a fallible generator.
    ///
    /// # Errors
    /// [`Error::Rng`] if the generator fails.
    pub fn try_generate_with_rng<R: TryCryptoRng + ?Sized>(
        params: ParamSet,
        rng: &mut R,
    ) -> Result<Self, Error> {
        with_curve!(params, c => {
            let d = dsa::random_scalar(c, rng)?;
            Self::from_bytes_le(params, &Zeroizing::new(le_bytes(&d)))
        })
    }

    /// A key from `d` as little-endian bytes (32 or 64), which is how PKCS#11 stores
    /// `CKA_VALUE` of a GOST private key.
    ///
    /// # Errors
    /// [`Error::Length`] for a wrong length, [`Error::InvalidPrivateKey`] unless `0 < d < q`.
    pub fn from_bytes_le(params: ParamSet, d: &[u8]) -> Result<Self, Error> {
        let xy = with_curve!(params, c => {
            let d = dsa::private_scalar_from_le(c, d)?;
            let (x, y) = dsa::public_point(c, &d)?;
            let mut xy = le_bytes(&x);
            xy.extend_from_slice(&le_bytes(&y));
            xy
        });
        Ok(SigningKey {
            params,
            d_le: Zeroizing::new(d.to_vec()),
            public: VerifyingKey { params, xy_le: xy },
        })
    }

    /// `d` as little-endian bytes (PKCS#11 `CKA_VALUE`), wiped when dropped.
    #[must_use]
    pub fn to_bytes_le(&self) -> Zeroizing<Vec<u8>> {
        self.d_le.clone()
    }

    /// The parameter set of the key.
    #[must_use]
    pub fn params(&self) -> ParamSet {
        self.params
    }

    /// The matching public key.
    #[must_use]
    pub fn verifying_key(&self) -> VerifyingKey {
        self.public.clone()
    }

    /// Sign a Streebog digest (32 or 64 bytes as the hash function outputs them; the standard
    /// reads them as a little-endian integer), with a nonce from the operating system.
    ///
    /// # Errors
    /// [`Error::Length`] if the digest does not fit the key size, [`Error::Rng`] if the
    /// operating system cannot provide random numbers.
    pub fn sign_digest(&self, digest: &[u8]) -> Result<Signature, Error> {
        self.sign_digest_with_rng(digest, &mut SysRng)
    }

    /// Sign a Streebog digest with a nonce drawn from `rng`.
    ///
    /// # Errors
    /// As [`SigningKey::sign_digest`].
    pub fn sign_digest_with_rng<R: TryCryptoRng + ?Sized>(
        &self,
        digest: &[u8],
        rng: &mut R,
    ) -> Result<Signature, Error> {
        with_curve!(self.params, c => {
            let d = dsa::private_scalar_from_le(c, &self.d_le)?;
            let raw = dsa::sign_prehash_with_rng(c, &d, digest, rng)?;
            Ok(encode_signature(&raw))
        })
    }

    /// Sign a digest with a caller-chosen nonce `k` (little-endian bytes, like `d`).
    ///
    /// **Hazmat**: this exists to reproduce the worked examples of the standard. Reusing or
    /// predicting k reveals the private key; real signatures must use
    /// [`SigningKey::sign_digest`].
    ///
    /// # Errors
    /// [`Error::Length`] for wrong lengths, [`Error::InvalidNonce`] unless `0 < k < q` and
    /// both r and s come out non-zero.
    pub fn sign_digest_with_k(&self, digest: &[u8], k: &[u8]) -> Result<Signature, Error> {
        with_curve!(self.params, c => {
            let d = dsa::private_scalar_from_le(c, &self.d_le)?;
            let raw = dsa::sign_prehash_with_k_le(c, &d, digest, k)?;
            Ok(encode_signature(&raw))
        })
    }
}

impl fmt::Debug for SigningKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("SigningKey")
            .field("params", &self.params)
            .field("public", &self.public)
            .finish_non_exhaustive()
    }
}

impl zeroize::ZeroizeOnDrop for SigningKey {}

/// A GOST R 34.10-2012 public key: a point of the curve's subgroup of order q.
#[derive(Clone, PartialEq, Eq, Hash)]
pub struct VerifyingKey {
    params: ParamSet,
    /// X || Y, each little-endian: the PKCS#11 `CKA_VALUE` layout.
    xy_le: Vec<u8>,
}

impl VerifyingKey {
    /// A key from `X || Y`, each little-endian (64 or 128 bytes): PKCS#11 `CKA_VALUE` of a
    /// GOST public key, and the content of the OCTET STRING in a SubjectPublicKeyInfo.
    ///
    /// # Errors
    /// [`Error::Length`] for a wrong length, [`Error::InvalidPublicKey`] if the point is not on
    /// the curve or not in the subgroup of order q.
    pub fn from_pkcs11_value(params: ParamSet, xy_le: &[u8]) -> Result<Self, Error> {
        let n = params.coordinate_len();
        if xy_le.len() != 2 * n {
            return Err(Error::Length {
                expected: 2 * n,
                actual: xy_le.len(),
            });
        }
        with_curve!(params, c => {
            let x = dsa::uint_from_le(&xy_le[..n])?;
            let y = dsa::uint_from_le(&xy_le[n..])?;
            dsa::validate_public_point(c, &x, &y)?;
        });
        Ok(VerifyingKey {
            params,
            xy_le: xy_le.to_vec(),
        })
    }

    /// `X || Y`, each little-endian (PKCS#11 `CKA_VALUE`).
    #[must_use]
    pub fn to_pkcs11_value(&self) -> Vec<u8> {
        self.xy_le.clone()
    }

    /// The parameter set of the key.
    #[must_use]
    pub fn params(&self) -> ParamSet {
        self.params
    }

    /// Verify a signature (`s || r`) over a Streebog digest.
    ///
    /// # Errors
    /// [`Error::SizeMismatch`] if the signature is for the other key size,
    /// [`Error::Length`] if the digest is, [`Error::Verification`] if it does not match.
    pub fn verify_digest(&self, digest: &[u8], sig: &Signature) -> Result<(), Error> {
        let n = self.params.coordinate_len();
        let bytes = sig.as_bytes();
        if bytes.len() != 2 * n {
            return Err(Error::SizeMismatch);
        }
        with_curve!(self.params, c => {
            let raw = RawSignature {
                s: dsa::uint_from_be(&bytes[..n])?,
                r: dsa::uint_from_be(&bytes[n..])?,
            };
            let x = dsa::uint_from_le(&self.xy_le[..n])?;
            let y = dsa::uint_from_le(&self.xy_le[n..])?;
            // Checked on construction; x, y < p so the conversion is exact.
            let point = (c.p.element(&x), c.p.element(&y));
            dsa::verify_prehash(c, &point, digest, &raw)
        })
    }
}

impl fmt::Debug for VerifyingKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let hex: String = self.xy_le.iter().map(|b| format!("{b:02x}")).collect();
        f.debug_struct("VerifyingKey")
            .field("params", &self.params)
            .field("xy_le", &hex)
            .finish()
    }
}
