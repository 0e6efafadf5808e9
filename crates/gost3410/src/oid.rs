//! Object identifiers of GOST R 34.10-2012, GOST R 34.11-2012 (Streebog) and the
//! elliptic-curve parameter sets, as registered by TC 26 and CryptoPro.
//!
//! These are the values that appear in X.509 `AlgorithmIdentifier`s and, DER-encoded, in the
//! PKCS#11 attributes `CKA_GOSTR3410_PARAMS` / `CKA_GOSTR3411_PARAMS`.

use const_oid::ObjectIdentifier;

/// GOST R 34.10-2012 public key, 256-bit (`id-tc26-gost3410-12-256`).
pub const GOST_R3410_2012_256: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.2.643.7.1.1.1.1");
/// GOST R 34.10-2012 public key, 512-bit (`id-tc26-gost3410-12-512`).
pub const GOST_R3410_2012_512: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.2.643.7.1.1.1.2");

/// Signature GOST R 34.10-2012 with Streebog-256 (`id-tc26-signwithdigest-gost3410-12-256`).
pub const SIGN_WITH_STREEBOG_256: ObjectIdentifier =
    ObjectIdentifier::new_unwrap("1.2.643.7.1.1.3.2");
/// Signature GOST R 34.10-2012 with Streebog-512 (`id-tc26-signwithdigest-gost3410-12-512`).
pub const SIGN_WITH_STREEBOG_512: ObjectIdentifier =
    ObjectIdentifier::new_unwrap("1.2.643.7.1.1.3.3");

/// GOST R 34.11-2012 (Streebog) with 256-bit output (`id-tc26-gost3411-12-256`).
pub const STREEBOG_256: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.2.643.7.1.1.2.2");
/// GOST R 34.11-2012 (Streebog) with 512-bit output (`id-tc26-gost3411-12-512`).
pub const STREEBOG_512: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.2.643.7.1.1.2.3");

/// CryptoPro-A 256-bit curve (`id-GostR3410-2001-CryptoPro-A-ParamSet`).
pub const CRYPTOPRO_A: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.2.643.2.2.35.1");
/// CryptoPro-B 256-bit curve (`id-GostR3410-2001-CryptoPro-B-ParamSet`).
pub const CRYPTOPRO_B: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.2.643.2.2.35.2");
/// CryptoPro-C 256-bit curve (`id-GostR3410-2001-CryptoPro-C-ParamSet`).
pub const CRYPTOPRO_C: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.2.643.2.2.35.3");
/// TC26 256-bit twisted Edwards curve A (`id-tc26-gost-3410-12-256-paramSetA`).
pub const TC26_256_A: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.2.643.7.1.2.1.1.1");
/// TC26 512-bit curve A (`id-tc26-gost-3410-12-512-paramSetA`).
pub const TC26_512_A: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.2.643.7.1.2.1.2.1");
/// TC26 512-bit curve B (`id-tc26-gost-3410-12-512-paramSetB`).
pub const TC26_512_B: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.2.643.7.1.2.1.2.2");
/// TC26 512-bit twisted Edwards curve C (`id-tc26-gost-3410-12-512-paramSetC`).
pub const TC26_512_C: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.2.643.7.1.2.1.2.3");
