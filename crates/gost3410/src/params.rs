//! The GOST R 34.10-2012 parameter sets this crate supports, and how each is named in
//! ASN.1, PKCS#11 and OpenSSL.

use const_oid::ObjectIdentifier;
use der::Decode;

use crate::curve::{self, CurveRef};
use crate::oid;

/// Key (and digest) size of a parameter set.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum KeySize {
    /// 256-bit keys, signed with Streebog-256.
    Gost256,
    /// 512-bit keys, signed with Streebog-512.
    Gost512,
}

impl KeySize {
    /// Length in bytes of one coordinate, of the private key and of the digest.
    #[must_use]
    pub const fn coordinate_len(self) -> usize {
        match self {
            KeySize::Gost256 => 32,
            KeySize::Gost512 => 64,
        }
    }

    /// Public key algorithm OID (`id-tc26-gost3410-12-256` / `-512`).
    #[must_use]
    pub const fn public_key_oid(self) -> ObjectIdentifier {
        match self {
            KeySize::Gost256 => oid::GOST_R3410_2012_256,
            KeySize::Gost512 => oid::GOST_R3410_2012_512,
        }
    }

    /// Signature algorithm OID (GOST R 34.10-2012 with Streebog of the same size).
    #[must_use]
    pub const fn signature_oid(self) -> ObjectIdentifier {
        match self {
            KeySize::Gost256 => oid::SIGN_WITH_STREEBOG_256,
            KeySize::Gost512 => oid::SIGN_WITH_STREEBOG_512,
        }
    }

    /// Streebog OID of the matching size.
    #[must_use]
    pub const fn digest_oid(self) -> ObjectIdentifier {
        match self {
            KeySize::Gost256 => oid::STREEBOG_256,
            KeySize::Gost512 => oid::STREEBOG_512,
        }
    }
}

/// A named elliptic curve for GOST R 34.10-2012.
///
/// CryptoPro-A/B/C are the GOST R 34.10-2001 curves that GOST R 34.10-2012 keeps for 256-bit
/// keys; the TC26 sets come from RFC 7836. TC26-256-A and TC26-512-C are twisted Edwards
/// curves; this crate uses them, as the standard does, through their Weierstrass form.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ParamSet {
    /// `id-GostR3410-2001-CryptoPro-A-ParamSet`, 256-bit.
    CryptoProA,
    /// `id-GostR3410-2001-CryptoPro-B-ParamSet`, 256-bit.
    CryptoProB,
    /// `id-GostR3410-2001-CryptoPro-C-ParamSet`, 256-bit.
    CryptoProC,
    /// `id-tc26-gost-3410-12-256-paramSetA`, 256-bit (twisted Edwards).
    Tc26Gost256A,
    /// `id-tc26-gost-3410-12-512-paramSetA`, 512-bit.
    Tc26Gost512A,
    /// `id-tc26-gost-3410-12-512-paramSetB`, 512-bit.
    Tc26Gost512B,
    /// `id-tc26-gost-3410-12-512-paramSetC`, 512-bit (twisted Edwards).
    Tc26Gost512C,
}

impl ParamSet {
    /// Every supported parameter set.
    pub const ALL: [ParamSet; 7] = [
        ParamSet::CryptoProA,
        ParamSet::CryptoProB,
        ParamSet::CryptoProC,
        ParamSet::Tc26Gost256A,
        ParamSet::Tc26Gost512A,
        ParamSet::Tc26Gost512B,
        ParamSet::Tc26Gost512C,
    ];

    /// The parameter set's object identifier.
    #[must_use]
    pub const fn oid(&self) -> ObjectIdentifier {
        match self {
            ParamSet::CryptoProA => oid::CRYPTOPRO_A,
            ParamSet::CryptoProB => oid::CRYPTOPRO_B,
            ParamSet::CryptoProC => oid::CRYPTOPRO_C,
            ParamSet::Tc26Gost256A => oid::TC26_256_A,
            ParamSet::Tc26Gost512A => oid::TC26_512_A,
            ParamSet::Tc26Gost512B => oid::TC26_512_B,
            ParamSet::Tc26Gost512C => oid::TC26_512_C,
        }
    }

    /// DER encoding of [`ParamSet::oid`], e.g. `06 07 2A 85 03 02 02 23 01`: the value of the
    /// PKCS#11 attribute `CKA_GOSTR3410_PARAMS`.
    #[must_use]
    pub fn oid_der(&self) -> Vec<u8> {
        oid_to_der(&self.oid())
    }

    /// The parameter set whose DER-encoded OID is `der`, if supported.
    #[must_use]
    pub fn from_oid_der(der: &[u8]) -> Option<ParamSet> {
        let oid = ObjectIdentifier::from_der(der).ok()?;
        Self::from_oid(&oid)
    }

    /// The parameter set named by `oid`, if supported.
    #[must_use]
    pub fn from_oid(oid: &ObjectIdentifier) -> Option<ParamSet> {
        Self::ALL.into_iter().find(|set| set.oid() == *oid)
    }

    /// Key size of the set.
    #[must_use]
    pub const fn size(&self) -> KeySize {
        match self {
            ParamSet::CryptoProA
            | ParamSet::CryptoProB
            | ParamSet::CryptoProC
            | ParamSet::Tc26Gost256A => KeySize::Gost256,
            ParamSet::Tc26Gost512A | ParamSet::Tc26Gost512B | ParamSet::Tc26Gost512C => {
                KeySize::Gost512
            }
        }
    }

    /// Bytes per coordinate, per private key and per digest: 32 or 64.
    #[must_use]
    pub const fn coordinate_len(&self) -> usize {
        self.size().coordinate_len()
    }

    /// Streebog OID matching the key size (the `CKA_GOSTR3411_PARAMS` value, DER-encoded).
    #[must_use]
    pub const fn digest_oid(&self) -> ObjectIdentifier {
        self.size().digest_oid()
    }

    /// Name of the set for `openssl genpkey -algorithm gost2012_256|gost2012_512
    /// -pkeyopt paramset:NAME` with the GOST engine.
    #[must_use]
    pub const fn openssl_name(&self) -> &'static str {
        match self {
            ParamSet::CryptoProA | ParamSet::Tc26Gost512A => "A",
            ParamSet::CryptoProB | ParamSet::Tc26Gost512B => "B",
            ParamSet::CryptoProC | ParamSet::Tc26Gost512C => "C",
            ParamSet::Tc26Gost256A => "TCA",
        }
    }

    /// Name of the OpenSSL public key algorithm (`gost2012_256` or `gost2012_512`).
    #[must_use]
    pub const fn openssl_algorithm(&self) -> &'static str {
        match self.size() {
            KeySize::Gost256 => "gost2012_256",
            KeySize::Gost512 => "gost2012_512",
        }
    }

    /// Whether the public key parameters in a SubjectPublicKeyInfo carry the digest OID.
    ///
    /// RFC 9215 makes it optional; gost-engine (and so the certificates banks issue) writes it
    /// for the CryptoPro sets and TC26-512 A/B, and leaves it out for the TC26 twisted Edwards
    /// sets. Following the same rule keeps our encoding byte-identical to OpenSSL's.
    #[must_use]
    pub const fn spki_has_digest_oid(&self) -> bool {
        !matches!(self, ParamSet::Tc26Gost256A | ParamSet::Tc26Gost512C)
    }

    pub(crate) fn curve(&self) -> CurveRef {
        match self {
            ParamSet::CryptoProA => CurveRef::C256(&curve::CRYPTOPRO_A),
            ParamSet::CryptoProB => CurveRef::C256(&curve::CRYPTOPRO_B),
            ParamSet::CryptoProC => CurveRef::C256(&curve::CRYPTOPRO_C),
            ParamSet::Tc26Gost256A => CurveRef::C256(&curve::TC26_256_A),
            ParamSet::Tc26Gost512A => CurveRef::C512(&curve::TC26_512_A),
            ParamSet::Tc26Gost512B => CurveRef::C512(&curve::TC26_512_B),
            ParamSet::Tc26Gost512C => CurveRef::C512(&curve::TC26_512_C),
        }
    }
}

impl core::fmt::Display for ParamSet {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.write_str(match self {
            ParamSet::CryptoProA => "CryptoPro-A",
            ParamSet::CryptoProB => "CryptoPro-B",
            ParamSet::CryptoProC => "CryptoPro-C",
            ParamSet::Tc26Gost256A => "TC26-256-A",
            ParamSet::Tc26Gost512A => "TC26-512-A",
            ParamSet::Tc26Gost512B => "TC26-512-B",
            ParamSet::Tc26Gost512C => "TC26-512-C",
        })
    }
}

/// DER of an OID. Every OID here is far shorter than 128 bytes, so the short length form
/// always applies and the encoding cannot fail.
pub(crate) fn oid_to_der(oid: &ObjectIdentifier) -> Vec<u8> {
    let body = oid.as_bytes();
    let mut out = Vec::with_capacity(body.len() + 2);
    out.push(0x06);
    // OIDs are limited by const-oid to 39 bytes, so this never truncates.
    out.push(u8::try_from(body.len()).unwrap_or(u8::MAX));
    out.extend_from_slice(body);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn oid_der_matches_pkcs11_values() {
        assert_eq!(
            ParamSet::CryptoProA.oid_der(),
            [0x06, 0x07, 0x2A, 0x85, 0x03, 0x02, 0x02, 0x23, 0x01]
        );
        assert_eq!(
            ParamSet::Tc26Gost256A.oid_der(),
            [
                0x06, 0x09, 0x2A, 0x85, 0x03, 0x07, 0x01, 0x02, 0x01, 0x01, 0x01
            ]
        );
        assert_eq!(
            ParamSet::Tc26Gost512C.oid_der(),
            [
                0x06, 0x09, 0x2A, 0x85, 0x03, 0x07, 0x01, 0x02, 0x01, 0x02, 0x03
            ]
        );
        assert_eq!(
            oid_to_der(&ParamSet::Tc26Gost512A.digest_oid()),
            [0x06, 0x08, 0x2A, 0x85, 0x03, 0x07, 0x01, 0x01, 0x02, 0x03]
        );
        for set in ParamSet::ALL {
            assert_eq!(ParamSet::from_oid_der(&set.oid_der()), Some(set));
            assert_eq!(ParamSet::from_oid(&set.oid()), Some(set));
        }
        assert_eq!(ParamSet::from_oid_der(&[0x06, 0x01]), None);
        assert_eq!(
            ParamSet::from_oid_der(&oid_to_der(&oid::STREEBOG_256)),
            None
        );
    }
}
