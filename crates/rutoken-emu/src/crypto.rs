//! Key generation, signatures and digests behind the token's mechanisms.

use cryptoki_sys::*;
use getrandom::SysRng;
use gost3410::{KeySize, ParamSet, Signature, SigningKey, VerifyingKey};
use rsa::pkcs1::{DecodeRsaPrivateKey, EncodeRsaPrivateKey};
use rsa::rand_core::TryCryptoRng;
use rsa::traits::PublicKeyParts;
use rsa::{BoxedUint, Pkcs1v15Sign, PrivateKey as RsaPrivateKey, PublicKey as RsaPublicKey};
use rutoken_sys::{
    CKA_GOSTR3410_PARAMS, CKK_GOSTR3410, CKK_GOSTR3410_512, CKM_GOSTR3410_512,
    CKM_GOSTR3410_512_KEY_PAIR_GEN, CKM_GOSTR3410_WITH_GOSTR3411_12_256,
    CKM_GOSTR3410_WITH_GOSTR3411_12_512, CKM_GOSTR3411_12_256, CKM_GOSTR3411_12_512,
};
use sha2::{Digest, Sha256};
use zeroize::Zeroizing;

use crate::error::{Ckr, Result};
use crate::object::{read_ulong, ulong};
use crate::seed::SeededRng;
use crate::token::{Attributes, Hex, Secret};

/// Smallest RSA modulus the emulated token generates, in bits.
pub const RSA_MIN_BITS: CK_ULONG = 1024;
/// Largest RSA modulus a Rutoken ECP 2.0 generates, in bits.
pub const RSA_MAX_BITS: CK_ULONG = 2048;

/// DER OID of Streebog-256 (`CKA_GOSTR3411_PARAMS` of 256-bit keys).
pub const STREEBOG_256_OID: &[u8] = &[0x06, 0x08, 0x2A, 0x85, 0x03, 0x07, 0x01, 0x01, 0x02, 0x02];
/// DER OID of Streebog-512.
pub const STREEBOG_512_OID: &[u8] = &[0x06, 0x08, 0x2A, 0x85, 0x03, 0x07, 0x01, 0x01, 0x02, 0x03];

/// The mechanisms of the token, in the order C_GetMechanismList reports them.
pub const MECHANISMS: &[CK_MECHANISM_TYPE] = &[
    CKM_RSA_PKCS_KEY_PAIR_GEN,
    CKM_RSA_PKCS,
    CKM_SHA256_RSA_PKCS,
    CKM_SHA256,
    rutoken_sys::CKM_GOSTR3410_KEY_PAIR_GEN,
    rutoken_sys::CKM_GOSTR3410,
    CKM_GOSTR3410_512_KEY_PAIR_GEN,
    CKM_GOSTR3410_512,
    CKM_GOSTR3410_WITH_GOSTR3411_12_256,
    CKM_GOSTR3410_WITH_GOSTR3411_12_512,
    CKM_GOSTR3411_12_256,
    CKM_GOSTR3411_12_512,
];

/// C_GetMechanismInfo for a mechanism of [`MECHANISMS`].
pub fn mechanism_info(mechanism: CK_MECHANISM_TYPE) -> Result<CK_MECHANISM_INFO> {
    let sign = CKF_HW | CKF_SIGN | CKF_VERIFY;
    let (min, max, flags) = match mechanism {
        CKM_RSA_PKCS_KEY_PAIR_GEN => (RSA_MIN_BITS, RSA_MAX_BITS, CKF_HW | CKF_GENERATE_KEY_PAIR),
        CKM_RSA_PKCS | CKM_SHA256_RSA_PKCS => (RSA_MIN_BITS, RSA_MAX_BITS, sign),
        rutoken_sys::CKM_GOSTR3410_KEY_PAIR_GEN => (256, 256, CKF_HW | CKF_GENERATE_KEY_PAIR),
        CKM_GOSTR3410_512_KEY_PAIR_GEN => (512, 512, CKF_HW | CKF_GENERATE_KEY_PAIR),
        rutoken_sys::CKM_GOSTR3410 | CKM_GOSTR3410_WITH_GOSTR3411_12_256 => (256, 256, sign),
        CKM_GOSTR3410_512 | CKM_GOSTR3410_WITH_GOSTR3411_12_512 => (512, 512, sign),
        CKM_SHA256 | CKM_GOSTR3411_12_256 | CKM_GOSTR3411_12_512 => (0, 0, CKF_HW | CKF_DIGEST),
        _ => return Err(Ckr(CKR_MECHANISM_INVALID)),
    };
    Ok(CK_MECHANISM_INFO {
        ulMinKeySize: min,
        ulMaxKeySize: max,
        flags,
    })
}

/// A mechanism as the caller passed it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Mechanism {
    /// `CKM_*`.
    pub ty: CK_MECHANISM_TYPE,
    /// The parameter bytes (empty when none).
    pub parameter: Vec<u8>,
}

/// A freshly generated key pair.
pub struct GeneratedPair {
    /// `CKK_*` of both keys.
    pub key_type: CK_KEY_TYPE,
    /// Attributes of the public key decided by generation.
    pub public: Vec<(CK_ATTRIBUTE_TYPE, Vec<u8>)>,
    /// Public attributes also readable on the private key.
    pub private: Vec<(CK_ATTRIBUTE_TYPE, Vec<u8>)>,
    /// The private key.
    pub secret: Secret,
}

fn rsa_error(_: rsa::Error) -> Ckr {
    Ckr(CKR_FUNCTION_FAILED)
}

/// Generates an RSA key pair of `bits` with the given public exponent (65537 by default).
pub fn generate_rsa(bits: CK_ULONG, exponent: Option<&[u8]>) -> Result<GeneratedPair> {
    generate_rsa_with_rng(bits, exponent, &mut SysRng)
}

/// [`generate_rsa`] drawing from `rng` (a [`crate::seed::SeededRng`] on seeded tokens, so
/// that the key repeats).
pub fn generate_rsa_with_rng<R: TryCryptoRng + ?Sized>(
    bits: CK_ULONG,
    exponent: Option<&[u8]>,
    rng: &mut R,
) -> Result<GeneratedPair> {
    if !(RSA_MIN_BITS..=RSA_MAX_BITS).contains(&bits) || !bits.is_multiple_of(8) {
        return Err(Ckr(CKR_KEY_SIZE_RANGE));
    }
    let e = match exponent {
        None => 65_537,
        Some(bytes) => public_exponent(bytes)?,
    };
    let bits = usize::try_from(bits).map_err(|_| Ckr(CKR_KEY_SIZE_RANGE))?;
    let key =
        RsaPrivateKey::new_with_exp(rng, bits, BoxedUint::from(u64::from(e))).map_err(rsa_error)?;
    let der = key.to_pkcs1_der().map_err(|_| Ckr(CKR_FUNCTION_FAILED))?;
    let numbers = vec![
        (CKA_MODULUS, key.n_bytes().into_vec()),
        (CKA_PUBLIC_EXPONENT, key.e_bytes().into_vec()),
    ];
    let mut public = numbers.clone();
    public.push((CKA_MODULUS_BITS, ulong(bits as CK_ULONG)));
    Ok(GeneratedPair {
        key_type: CKK_RSA,
        public,
        private: numbers,
        secret: Secret::Rsa {
            pkcs1_der: Hex(der.as_bytes().to_vec()),
        },
    })
}

/// A caller's `CKA_PUBLIC_EXPONENT` (big-endian, leading zeros allowed): odd, at least 3
/// and at most 32 bits long.
fn public_exponent(bytes: &[u8]) -> Result<u32> {
    let start = bytes.iter().position(|&b| b != 0).unwrap_or(bytes.len());
    let significant = &bytes[start..];
    if significant.len() > 4 {
        return Err(Ckr(CKR_ATTRIBUTE_VALUE_INVALID));
    }
    let e = significant
        .iter()
        .fold(0u32, |e, &b| (e << 8) | u32::from(b));
    if e < 3 || e % 2 == 0 {
        return Err(Ckr(CKR_ATTRIBUTE_VALUE_INVALID));
    }
    Ok(e)
}

/// The parameter set named by `CKA_GOSTR3410_PARAMS`, checked against the key size.
pub fn gost_params(der: &[u8], size: KeySize) -> Result<ParamSet> {
    match ParamSet::from_oid_der(der) {
        Some(set) if set.size() == size => Ok(set),
        _ => Err(Ckr(CKR_ATTRIBUTE_VALUE_INVALID)),
    }
}

/// The Streebog OID that goes with a key size.
pub fn streebog_oid(size: KeySize) -> &'static [u8] {
    match size {
        KeySize::Gost256 => STREEBOG_256_OID,
        KeySize::Gost512 => STREEBOG_512_OID,
    }
}

/// Generates a GOST R 34.10-2012 key pair.
pub fn generate_gost(params: ParamSet) -> Result<GeneratedPair> {
    let key = SigningKey::try_generate(params).map_err(|_| Ckr(CKR_FUNCTION_FAILED))?;
    gost_pair(params, &key)
}

/// Most candidates [`generate_gost_seeded`] tries. A candidate fails only when it is not
/// below the group order, at worst (orders near 2^254 in 32 bytes) 3 times in 4; 1024
/// failures in a row do not happen with a working generator.
const GOST_SEEDED_TRIES: usize = 1024;

/// Generates a GOST R 34.10-2012 key pair from `rng`, so that a seeded token repeats it:
/// candidates for the private scalar are read from the stream until one is in `[1, q-1]`
/// (uniform over that range, like [`SigningKey::try_generate`]).
///
/// The scalar bytes are read here from the stream (not through `gost3410`'s own
/// generation), so that a seed keeps giving the GOST keys it gave before.
pub fn generate_gost_seeded(params: ParamSet, rng: &mut SeededRng) -> Result<GeneratedPair> {
    let mut candidate = Zeroizing::new(vec![0u8; params.size().coordinate_len()]);
    for _ in 0..GOST_SEEDED_TRIES {
        rng.fill(&mut candidate);
        match SigningKey::from_bytes_le(params, &candidate) {
            Ok(key) => return gost_pair(params, &key),
            Err(gost3410::Error::InvalidPrivateKey) => continue,
            Err(_) => return Err(Ckr(CKR_FUNCTION_FAILED)),
        }
    }
    Err(Ckr(CKR_FUNCTION_FAILED))
}

fn gost_pair(params: ParamSet, key: &SigningKey) -> Result<GeneratedPair> {
    let value = key.verifying_key().to_pkcs11_value();
    Ok(GeneratedPair {
        key_type: match params.size() {
            KeySize::Gost256 => CKK_GOSTR3410,
            KeySize::Gost512 => CKK_GOSTR3410_512,
        },
        public: vec![(CKA_VALUE, value)],
        private: Vec::new(),
        secret: Secret::Gost {
            params: Hex(params.oid_der()),
            key_le: Hex(key.to_bytes_le().to_vec()),
        },
    })
}

/// What a signature mechanism does with the data.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SignScheme {
    /// PKCS#1 v1.5 padding around caller-supplied bytes (normally a DigestInfo).
    RsaPkcs,
    /// SHA-256 on the token, then PKCS#1 v1.5.
    RsaSha256,
    /// GOST signature of a caller-supplied Streebog digest.
    GostRaw(KeySize),
    /// Streebog on the token, then GOST.
    GostWithHash(KeySize),
}

impl SignScheme {
    /// The scheme of a mechanism, with its parameter checked.
    pub fn of(mechanism: &Mechanism) -> Result<SignScheme> {
        let scheme = match mechanism.ty {
            CKM_RSA_PKCS => SignScheme::RsaPkcs,
            CKM_SHA256_RSA_PKCS => SignScheme::RsaSha256,
            rutoken_sys::CKM_GOSTR3410 => SignScheme::GostRaw(KeySize::Gost256),
            CKM_GOSTR3410_512 => SignScheme::GostRaw(KeySize::Gost512),
            CKM_GOSTR3410_WITH_GOSTR3411_12_256 => SignScheme::GostWithHash(KeySize::Gost256),
            CKM_GOSTR3410_WITH_GOSTR3411_12_512 => SignScheme::GostWithHash(KeySize::Gost512),
            _ => return Err(Ckr(CKR_MECHANISM_INVALID)),
        };
        let parameter_ok = match scheme {
            // The hashing mechanisms may name their digest, which must be the right one.
            SignScheme::GostWithHash(size) => {
                mechanism.parameter.is_empty() || mechanism.parameter == streebog_oid(size)
            }
            _ => mechanism.parameter.is_empty(),
        };
        if parameter_ok {
            Ok(scheme)
        } else {
            Err(Ckr(CKR_MECHANISM_PARAM_INVALID))
        }
    }

    /// Whether C_SignUpdate may feed it (only the hashing schemes).
    pub fn multi_part(self) -> bool {
        matches!(self, SignScheme::RsaSha256 | SignScheme::GostWithHash(_))
    }

    fn key_type(self) -> CK_KEY_TYPE {
        match self {
            SignScheme::RsaPkcs | SignScheme::RsaSha256 => CKK_RSA,
            SignScheme::GostRaw(KeySize::Gost256) | SignScheme::GostWithHash(KeySize::Gost256) => {
                CKK_GOSTR3410
            }
            SignScheme::GostRaw(KeySize::Gost512) | SignScheme::GostWithHash(KeySize::Gost512) => {
                CKK_GOSTR3410_512
            }
        }
    }

    /// Checks that a key of `key_type` fits the scheme.
    pub fn check_key_type(self, key_type: Option<CK_KEY_TYPE>) -> Result<()> {
        if key_type == Some(self.key_type()) {
            Ok(())
        } else {
            Err(Ckr(CKR_KEY_TYPE_INCONSISTENT))
        }
    }
}

/// A private key ready to sign.
pub enum PrivateKey {
    /// RSA.
    Rsa(Box<RsaPrivateKey>),
    /// GOST R 34.10-2012.
    Gost(SigningKey),
}

impl PrivateKey {
    /// Loads stored key material.
    pub fn load(secret: &Secret) -> Result<PrivateKey> {
        match secret {
            Secret::Rsa { pkcs1_der } => RsaPrivateKey::from_pkcs1_der(&pkcs1_der.0)
                .map(|k| PrivateKey::Rsa(Box::new(k)))
                .map_err(|_| Ckr(CKR_DEVICE_ERROR)),
            Secret::Gost { params, key_le } => {
                let set = ParamSet::from_oid_der(&params.0).ok_or(Ckr(CKR_DEVICE_ERROR))?;
                SigningKey::from_bytes_le(set, &key_le.0)
                    .map(PrivateKey::Gost)
                    .map_err(|_| Ckr(CKR_DEVICE_ERROR))
            }
        }
    }

    /// Length of a signature.
    pub fn signature_len(&self) -> usize {
        match self {
            PrivateKey::Rsa(key) => key.size(),
            PrivateKey::Gost(key) => 2 * key.params().size().coordinate_len(),
        }
    }

    /// Signs `data` (all of it, for multi-part operations) under `scheme`.
    pub fn sign(&self, scheme: SignScheme, data: &[u8]) -> Result<Vec<u8>> {
        match (self, scheme) {
            (PrivateKey::Rsa(key), SignScheme::RsaPkcs) => {
                if data.len() + 11 > key.size() {
                    return Err(Ckr(CKR_DATA_LEN_RANGE));
                }
                key.sign_with_rng(&mut SysRng, Pkcs1v15Sign::new_unprefixed(), data)
                    .map_err(rsa_error)
            }
            (PrivateKey::Rsa(key), SignScheme::RsaSha256) => {
                let digest = Sha256::digest(data);
                key.sign_with_rng(&mut SysRng, Pkcs1v15Sign::new::<Sha256>(), &digest)
                    .map_err(rsa_error)
            }
            (PrivateKey::Gost(key), SignScheme::GostRaw(size)) => {
                if data.len() != size.coordinate_len() {
                    return Err(Ckr(CKR_DATA_LEN_RANGE));
                }
                gost_sign(key, data)
            }
            (PrivateKey::Gost(key), SignScheme::GostWithHash(size)) => {
                gost_sign(key, &gost3410::streebog_digest(size, data))
            }
            _ => Err(Ckr(CKR_KEY_TYPE_INCONSISTENT)),
        }
    }
}

fn gost_sign(key: &SigningKey, digest: &[u8]) -> Result<Vec<u8>> {
    key.sign_digest(digest)
        .map(|s| s.to_bytes())
        .map_err(|_| Ckr(CKR_FUNCTION_FAILED))
}

/// A public key ready to verify.
pub enum PublicKey {
    /// RSA.
    Rsa(RsaPublicKey),
    /// GOST R 34.10-2012.
    Gost(VerifyingKey),
}

impl PublicKey {
    /// The public key described by a key object's attributes (public or private key).
    pub fn from_attributes(attributes: &Attributes) -> Result<PublicKey> {
        let get = |ty| attributes.0.get(&ty).ok_or(Ckr(CKR_KEY_TYPE_INCONSISTENT));
        match attributes.0.get(&CKA_KEY_TYPE).and_then(|v| read_ulong(v)) {
            Some(CKK_RSA) => {
                let n = BoxedUint::from_be_slice_vartime(get(CKA_MODULUS)?);
                let e = BoxedUint::from_be_slice_vartime(get(CKA_PUBLIC_EXPONENT)?);
                RsaPublicKey::new(n, e)
                    .map(PublicKey::Rsa)
                    .map_err(|_| Ckr(CKR_DEVICE_ERROR))
            }
            Some(CKK_GOSTR3410 | CKK_GOSTR3410_512) => {
                let set = ParamSet::from_oid_der(get(CKA_GOSTR3410_PARAMS)?)
                    .ok_or(Ckr(CKR_DEVICE_ERROR))?;
                VerifyingKey::from_pkcs11_value(set, get(CKA_VALUE)?)
                    .map(PublicKey::Gost)
                    .map_err(|_| Ckr(CKR_DEVICE_ERROR))
            }
            _ => Err(Ckr(CKR_KEY_TYPE_INCONSISTENT)),
        }
    }

    /// Checks a signature of `data` under `scheme`.
    pub fn verify(&self, scheme: SignScheme, data: &[u8], signature: &[u8]) -> Result<()> {
        let invalid = |_| Ckr(CKR_SIGNATURE_INVALID);
        match (self, scheme) {
            (PublicKey::Rsa(key), SignScheme::RsaPkcs | SignScheme::RsaSha256) => {
                if signature.len() != key.size() {
                    return Err(Ckr(CKR_SIGNATURE_LEN_RANGE));
                }
                if scheme == SignScheme::RsaPkcs {
                    key.verify(Pkcs1v15Sign::new_unprefixed(), data, signature)
                } else {
                    key.verify(
                        Pkcs1v15Sign::new::<Sha256>(),
                        &Sha256::digest(data),
                        signature,
                    )
                }
                .map_err(invalid)
            }
            (PublicKey::Gost(key), SignScheme::GostRaw(size) | SignScheme::GostWithHash(size)) => {
                if signature.len() != 2 * size.coordinate_len() {
                    return Err(Ckr(CKR_SIGNATURE_LEN_RANGE));
                }
                let digest = match scheme {
                    SignScheme::GostRaw(_) if data.len() != size.coordinate_len() => {
                        return Err(Ckr(CKR_DATA_LEN_RANGE));
                    }
                    SignScheme::GostRaw(_) => data.to_vec(),
                    _ => gost3410::streebog_digest(size, data),
                };
                let signature =
                    Signature::from_bytes(signature).map_err(|_| Ckr(CKR_SIGNATURE_INVALID))?;
                key.verify_digest(&digest, &signature)
                    .map_err(|_| Ckr(CKR_SIGNATURE_INVALID))
            }
            _ => Err(Ckr(CKR_KEY_TYPE_INCONSISTENT)),
        }
    }
}

/// A digest mechanism.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DigestScheme {
    /// SHA-256.
    Sha256,
    /// Streebog-256 or -512.
    Streebog(KeySize),
}

impl DigestScheme {
    /// The scheme of a digest mechanism.
    pub fn of(mechanism: &Mechanism) -> Result<DigestScheme> {
        let scheme = match mechanism.ty {
            CKM_SHA256 => DigestScheme::Sha256,
            CKM_GOSTR3411_12_256 => DigestScheme::Streebog(KeySize::Gost256),
            CKM_GOSTR3411_12_512 => DigestScheme::Streebog(KeySize::Gost512),
            _ => return Err(Ckr(CKR_MECHANISM_INVALID)),
        };
        if mechanism.parameter.is_empty() {
            Ok(scheme)
        } else {
            Err(Ckr(CKR_MECHANISM_PARAM_INVALID))
        }
    }

    /// Digest length.
    pub fn output_len(self) -> usize {
        match self {
            DigestScheme::Sha256 => 32,
            DigestScheme::Streebog(size) => size.coordinate_len(),
        }
    }

    /// The digest of `data`.
    pub fn digest(self, data: &[u8]) -> Vec<u8> {
        match self {
            DigestScheme::Sha256 => Sha256::digest(data).to_vec(),
            DigestScheme::Streebog(size) => gost3410::streebog_digest(size, data),
        }
    }
}

#[cfg(test)]
mod tests {
    use crate::seed::{Purpose, Seed};

    #[test]
    fn rsa_keys_repeat_with_their_stream() {
        let seed = Seed::new("lesson-1").expect("a seed");
        let key = |draw| {
            super::generate_rsa_with_rng(
                1024,
                None,
                &mut seed.stream("0A1B2C3D", Purpose::RsaKey, draw),
            )
            .expect("a key")
            .public
        };
        let first = key(0);
        assert_eq!(key(0), first);
        assert_ne!(key(1), first);
    }
}
