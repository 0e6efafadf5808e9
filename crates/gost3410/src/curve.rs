//! Domain parameters of the supported curves, built at compile time.
//!
//! Every curve is used in short Weierstrass form `y^2 = x^3 + a*x + b (mod p)` with a base
//! point `(x, y)` of prime order `q`. Values come from RFC 4357 (CryptoPro sets), RFC 7836
//! (TC26 sets; the twisted Edwards curves TC26-256-A and TC26-512-C are given there in
//! Weierstrass form too) and RFC 7091 (the test curves of the standard's appendix). The unit
//! tests at the end check every set: base point on the curve, `q * P = O`.

use std::sync::OnceLock;

use crypto_bigint::{Limb, NonZero, Odd, U256, U512, Uint};

pub(crate) use crate::field::Fe;
use crate::field::Field;

/// Whether the curve's group has prime order (cofactor 1) or four times a prime.
#[derive(Clone, Copy, PartialEq, Eq)]
pub(crate) enum Cofactor {
    One,
    Four,
}

/// One curve with `L` limbs per integer.
pub(crate) struct Curve<const L: usize> {
    /// The prime field of the coordinates.
    pub(crate) p: Field<L>,
    /// The integers modulo the group order q (the scalar field).
    pub(crate) q: Field<L>,
    /// q as a divisor, to reduce integers modulo q.
    pub(crate) q_nz: NonZero<Uint<L>>,
    /// With cofactor 1 every point of the curve is in the group of order q, so a public
    /// key on the curve needs no `q * Q = O` check (SEC 1 3.2.2.1).
    pub(crate) cofactor: Cofactor,
    pub(crate) a: Fe<L>,
    /// Whether `a = -3`, for which a doubling in Jacobian coordinates is cheaper.
    pub(crate) a_is_minus_3: bool,
    pub(crate) b: Fe<L>,
    /// 3*b, which the complete addition formulas use.
    pub(crate) b3: Fe<L>,
    pub(crate) gx: Fe<L>,
    pub(crate) gy: Fe<L>,
    /// The multiples of the base point that fixed-base multiplication adds up, as the
    /// point arithmetic lays them out; made on first use, once per process.
    pub(crate) base_multiples: OnceLock<Box<[[Fe<L>; 3]]>>,
    /// The odd multiples of the base point, affine, that verification adds; made on first
    /// use, once per process.
    pub(crate) base_odd_multiples: OnceLock<Box<[(Fe<L>, Fe<L>)]>>,
}

impl<const L: usize> Curve<L> {
    /// Integers and coordinates are `Uint<L>::BYTES` long: 32 or 64.
    pub(crate) const BYTES: usize = Uint::<L>::BYTES;

    /// Build a curve from big-endian hex. `p` and `q` must be zero-padded to the full width;
    /// the others may be short. Runs at compile time, so a typo fails the build.
    #[allow(clippy::too_many_arguments)]
    const fn new(p: &str, q: &str, cofactor: Cofactor, a: &str, b: &str, x: &str, y: &str) -> Self {
        let p_odd = Odd::<Uint<L>>::from_be_hex(p);
        let q_odd = Odd::<Uint<L>>::from_be_hex(q);
        let q_nz = *q_odd.as_nz_ref();
        let p = Field::new(p_odd);
        let q = Field::new(q_odd);
        let a = hex::<L>(a);
        let minus_3 = p_odd.as_ref().wrapping_sub(&Uint::from_u8(3));
        let b = hex::<L>(b);
        let b3 = b
            .add_mod(&b, p_odd.as_nz_ref())
            .add_mod(&b, p_odd.as_nz_ref());
        Curve {
            a: p.element(&a),
            a_is_minus_3: same_words(a.as_words(), minus_3.as_words()),
            b: p.element(&b),
            b3: p.element(&b3),
            gx: p.element(&hex(x)),
            gy: p.element(&hex(y)),
            p,
            q,
            q_nz,
            cofactor,
            base_multiples: OnceLock::new(),
            base_odd_multiples: OnceLock::new(),
        }
    }

    /// The group order q as an integer.
    pub(crate) const fn order(&self) -> &Uint<L> {
        self.q.modulus()
    }
}

/// Whether two integers are equal (compile-time helper).
const fn same_words(a: &[crypto_bigint::Word], b: &[crypto_bigint::Word]) -> bool {
    if a.len() != b.len() {
        return false;
    }
    let mut i = 0;
    while i < a.len() {
        if a[i] != b[i] {
            return false;
        }
        i += 1;
    }
    true
}

/// Parse big-endian hex of any length up to the integer's width (compile-time helper).
const fn hex<const L: usize>(s: &str) -> Uint<L> {
    let bytes = s.as_bytes();
    let mut words = [Limb::ZERO.0; L];
    let digits_per_word = (Limb::BITS / 4) as usize;
    assert!(bytes.len() <= L * digits_per_word, "hex constant too long");
    let mut i = 0;
    while i < bytes.len() {
        // i-th digit from the least significant end.
        let c = bytes[bytes.len() - 1 - i];
        let v = match c {
            b'0'..=b'9' => c - b'0',
            b'a'..=b'f' => c - b'a' + 10,
            b'A'..=b'F' => c - b'A' + 10,
            _ => panic!("bad hex digit"),
        };
        words[i / digits_per_word] |= (v as crypto_bigint::Word) << ((i % digits_per_word) * 4);
        i += 1;
    }
    Uint::from_words(words)
}

/// Limb count of 256-bit integers on this target.
pub(crate) const L256: usize = U256::LIMBS;
/// Limb count of 512-bit integers on this target.
pub(crate) const L512: usize = U512::LIMBS;

/// A curve of either size; lets byte-level code pick the right integer width.
#[derive(Clone, Copy)]
pub(crate) enum CurveRef {
    C256(&'static Curve<L256>),
    C512(&'static Curve<L512>),
}

/// id-GostR3410-2001-CryptoPro-A-ParamSet (RFC 4357 11.4).
pub(crate) static CRYPTOPRO_A: Curve<L256> = Curve::new(
    "FFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFD97",
    "FFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFF6C611070995AD10045841B09B761B893",
    Cofactor::One,
    "FFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFD94",
    "A6",
    "1",
    "8D91E471E0989CDA27DF505A453F2B7635294F2DDF23E3B122ACC99C9E9F1E14",
);

/// id-GostR3410-2001-CryptoPro-B-ParamSet (RFC 4357 11.4).
pub(crate) static CRYPTOPRO_B: Curve<L256> = Curve::new(
    "8000000000000000000000000000000000000000000000000000000000000C99",
    "800000000000000000000000000000015F700CFFF1A624E5E497161BCC8A198F",
    Cofactor::One,
    "8000000000000000000000000000000000000000000000000000000000000C96",
    "3E1AF419A269A5F866A7D3C25C3DF80AE979259373FF2B182F49D4CE7E1BBC8B",
    "1",
    "3FA8124359F96680B83D1C3EB2C070E5C545C9858D03ECFB744BF8D717717EFC",
);

/// id-GostR3410-2001-CryptoPro-C-ParamSet (RFC 4357 11.4).
pub(crate) static CRYPTOPRO_C: Curve<L256> = Curve::new(
    "9B9F605F5A858107AB1EC85E6B41C8AACF846E86789051D37998F7B9022D759B",
    "9B9F605F5A858107AB1EC85E6B41C8AA582CA3511EDDFB74F02F3A6598980BB9",
    Cofactor::One,
    "9B9F605F5A858107AB1EC85E6B41C8AACF846E86789051D37998F7B9022D7598",
    "805A",
    "0",
    "41ECE55743711A8C3CBF3783CD08C0EE4D4DC440D4641A8F366E550DFDB3BB67",
);

/// id-tc26-gost-3410-12-256-paramSetA (RFC 7836 A.2), Weierstrass form of a twisted Edwards
/// curve with cofactor 4.
pub(crate) static TC26_256_A: Curve<L256> = Curve::new(
    "FFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFD97",
    "400000000000000000000000000000000FD8CDDFC87B6635C115AF556C360C67",
    Cofactor::Four,
    "C2173F1513981673AF4892C23035A27CE25E2013BF95AA33B22C656F277E7335",
    "295F9BAE7428ED9CCC20E7C359A9D41A22FCCD9108E17BF7BA9337A6F8AE9513",
    "91E38443A5E82C0D880923425712B2BB658B9196932E02C78B2582FE742DAA28",
    "32879423AB1A0375895786C4BB46E9565FDE0B5344766740AF268ADB32322E5C",
);

/// id-tc26-gost-3410-12-512-paramSetA (RFC 7836 A.1.1).
pub(crate) static TC26_512_A: Curve<L512> = Curve::new(
    "FFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFF\
     FFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFDC7",
    "FFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFF\
     27E69532F48D89116FF22B8D4E0560609B4B38ABFAD2B85DCACDB1411F10B275",
    Cofactor::One,
    "FFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFF\
     FFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFDC4",
    "E8C2505DEDFC86DDC1BD0B2B6667F1DA34B82574761CB0E879BD081CFD0B6265\
     EE3CB090F30D27614CB4574010DA90DD862EF9D4EBEE4761503190785A71C760",
    "3",
    "7503CFE87A836AE3A61B8816E25450E6CE5E1C93ACF1ABC1778064FDCBEFA921\
     DF1626BE4FD036E93D75E6A50E3A41E98028FE5FC235F5B889A589CB5215F2A4",
);

/// id-tc26-gost-3410-12-512-paramSetB (RFC 7836 A.1.2).
pub(crate) static TC26_512_B: Curve<L512> = Curve::new(
    "8000000000000000000000000000000000000000000000000000000000000000\
     000000000000000000000000000000000000000000000000000000000000006F",
    "8000000000000000000000000000000000000000000000000000000000000001\
     49A1EC142565A545ACFDB77BD9D40CFA8B996712101BEA0EC6346C54374F25BD",
    Cofactor::One,
    "8000000000000000000000000000000000000000000000000000000000000000\
     000000000000000000000000000000000000000000000000000000000000006C",
    "687D1B459DC841457E3E06CF6F5E2517B97C7D614AF138BCBF85DC806C4B289F\
     3E965D2DB1416D217F8B276FAD1AB69C50F78BEE1FA3106EFB8CCBC7C5140116",
    "2",
    "1A8F7EDA389B094C2C071E3647A8940F3C123B697578C213BE6DD9E6C8EC7335\
     DCB228FD1EDF4A39152CBCAAF8C0398828041055F94CEEEC7E21340780FE41BD",
);

/// id-tc26-gost-3410-12-512-paramSetC (RFC 7836 A.1.3), Weierstrass form of a twisted Edwards
/// curve with cofactor 4.
pub(crate) static TC26_512_C: Curve<L512> = Curve::new(
    "FFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFF\
     FFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFDC7",
    "3FFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFF\
     C98CDBA46506AB004C33A9FF5147502CC8EDA9E7A769A12694623CEF47F023ED",
    Cofactor::Four,
    "DC9203E514A721875485A529D2C722FB187BC8980EB866644DE41C68E1430645\
     46E861C0E2C9EDD92ADE71F46FCF50FF2AD97F951FDA9F2A2EB6546F39689BD3",
    "B4C4EE28CEBC6C2C8AC12952CF37F16AC7EFB6A9F69F4B57FFDA2E4F0DE5ADE0\
     38CBC2FFF719D2C18DE0284B8BFEF3B52B8CC7A5F5BF0A3C8D2319A5312557E1",
    "E2E31EDFC23DE7BDEBE241CE593EF5DE2295B7A9CBAEF021D385F7074CEA043A\
     A27272A7AE602BF2A7B9033DB9ED3610C6FB85487EAE97AAC5BC7928C1950148",
    "F5CE40D95B5EB899ABBCCFF5911CB8577939804D6527378B8C108C3D2090FF9B\
     E18E2D33E3021ED2EF32D85822423B6304F726AA854BAE07D0396E9A9ADDC40F",
);

/// Test curve of GOST R 34.10-2012 appendix A.1 (RFC 7091 7.1); for the worked example only.
#[cfg(test)]
pub(crate) static TEST_256: Curve<L256> = Curve::new(
    "8000000000000000000000000000000000000000000000000000000000000431",
    "8000000000000000000000000000000150FE8A1892976154C59CFC193ACCF5B3",
    Cofactor::One,
    "7",
    "5FBFF498AA938CE739B8E022FBAFEF40563F6E6A3472FC2A514C0CE9DAE23B7E",
    "2",
    "08E2A8A0E65147D4BD6316030E16D19C85C97F0A9CA267122B96ABBCEA7E8FC8",
);

/// Test curve of GOST R 34.10-2012 appendix A.2 (RFC 7091 7.2); for the worked example only.
#[cfg(test)]
pub(crate) static TEST_512: Curve<L512> = Curve::new(
    "4531ACD1FE0023C7550D267B6B2FEE80922B14B2FFB90F04D4EB7C09B5D2D15D\
     F1D852741AF4704A0458047E80E4546D35B8336FAC224DD81664BBF528BE6373",
    "4531ACD1FE0023C7550D267B6B2FEE80922B14B2FFB90F04D4EB7C09B5D2D15D\
     A82F2D7ECB1DBAC719905C5EECC423F1D86E25EDBE23C595D644AAF187E6E6DF",
    Cofactor::One,
    "7",
    "1CFF0806A31116DA29D8CFA54E57EB748BC5F377E49400FDD788B649ECA1AC43\
     61834013B2AD7322480A89CA58E0CF74BC9E540C2ADD6897FAD0A3084F302ADC",
    "24D19CC64572EE30F396BF6EBBFD7A6C5213B3B3D7057CC825F91093A68CD762\
     FD60611262CD838DC6B60AA7EEE804E28BC849977FAC33B4B530F1B120248A9A",
    "2BB312A43BD2CE6E0D020613C857ACDDCFBF061E91E5F2C3F32447C259F39B2C\
     83AB156D77F1496BF7EB3351E1EE4E43DC1A18B91B24640B6DBB92CB1ADD371E",
);
