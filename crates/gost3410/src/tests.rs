//! Unit tests: curve sanity for every parameter set, the worked examples of
//! GOST R 34.10-2012 appendix A (RFC 7091 section 7), and rejection of bad inputs.

use crypto_bigint::ctutils::CtEq;
use crypto_bigint::modular::{FixedMontyForm, FixedMontyParams};
use crypto_bigint::{Odd, Uint};

use crate::curve::{self, Cofactor, Curve, CurveRef};
use crate::dsa::{self, RawSignature};
use crate::jacobian::JacobianPoint;
use crate::point::{ProjectivePoint, is_on_curve};
use crate::{Error, KeySize, ParamSet, Signature, SigningKey, VerifyingKey, streebog_digest};

fn hex(s: &str) -> Vec<u8> {
    let s: String = s.chars().filter(|c| !c.is_whitespace()).collect();
    (0..s.len())
        .step_by(2)
        .map(|i| u8::from_str_radix(&s[i..i + 2], 16).unwrap())
        .collect()
}

/// Big-endian hex to little-endian bytes (the standard prints integers big-endian).
fn le(s: &str) -> Vec<u8> {
    let mut v = hex(s);
    v.reverse();
    v
}

fn check_curve<const L: usize>(c: &Curve<L>) {
    assert!(
        is_on_curve(c, &c.gx, &c.gy).to_bool(),
        "base point off the curve"
    );
    let f = &c.p;
    let g = ProjectivePoint::generator(c);
    assert!(!g.is_identity().to_bool());
    assert!(g.mul(c.order(), c).is_identity().to_bool(), "q * P != O");
    // The complete formulas agree with themselves: 2P = P + P, 3P = 2P + P = P + 2P.
    let two = g.double(c);
    assert!(two.eq(&g.add(&g, c), c));
    assert!(two.add(&g, c).eq(&g.add(&two, c), c));
    assert!(two.add(&g, c).eq(&g.mul(&Uint::from_u8(3), c), c));
    // The fixed-base table gives what the window method gives, for scalars that use
    // every row and entry.
    let a = c.order().wrapping_sub(&Uint::from_u64(12345));
    let b = Uint::from_u64(0xDEAD_BEEF_0BAD_CAFE);
    for k in [
        a,
        b,
        Uint::ONE,
        Uint::ZERO,
        c.order().wrapping_sub(&Uint::ONE),
    ] {
        assert!(ProjectivePoint::mul_base(&k, c).eq(&g.mul(&k, c), c));
    }
    // (q - 1) * P = -P.
    let q_minus_1 = c.order().wrapping_sub(&Uint::ONE);
    let (x, y) = g.mul(&q_minus_1, c).to_affine(c).into_option().unwrap();
    assert!(x.ct_eq(&c.gx).to_bool());
    assert!(y.ct_eq(&f.neg(&c.gy)).to_bool());
    // P + (-P) = O and O + P = P.
    let neg = ProjectivePoint::from_affine(c, c.gx, f.neg(&c.gy));
    assert!(g.add(&neg, c).is_identity().to_bool());
    assert!(ProjectivePoint::identity(c).add(&g, c).eq(&g, c));
    assert!(
        ProjectivePoint::identity(c)
            .double(c)
            .is_identity()
            .to_bool()
    );

    // The variable-time Jacobian arithmetic agrees with the complete formulas.
    let jg = JacobianPoint::from_affine(c, c.gx, c.gy);
    let affine = |p: ProjectivePoint<L>| p.to_affine(c).into_option().unwrap();
    let same = |j: JacobianPoint<L>, p: ProjectivePoint<L>| {
        let (x, y) = affine(p);
        j.eq_affine(&x, &y, c)
    };
    assert!(same(jg.double(c), two));
    assert!(same(jg.double(c).add(&jg, c), two.add(&g, c)));
    assert!(
        same(jg.add(&jg, c), two),
        "P + P through the equal-points case"
    );
    assert!(
        jg.add(&JacobianPoint::from_affine(c, c.gx, f.neg(&c.gy)), c)
            .is_identity()
    );
    assert!(
        jg.mul_vartime(c.order(), c).is_identity(),
        "q * P != O (Jacobian)"
    );
    for k in [a, b, Uint::ONE, q_minus_1] {
        assert!(same(jg.mul_vartime(&k, c), g.mul(&k, c)));
    }
    // Straus with the base table agrees with two separate multiplications.
    let q_point = two.mul(&b, c);
    let (qx, qy) = affine(q_point);
    let jq = JacobianPoint::from_affine(c, qx, qy);
    for (k1, k2) in [
        (a, b),
        (b, a),
        (Uint::ZERO, b),
        (a, Uint::ZERO),
        (q_minus_1, Uint::ONE),
    ] {
        let expected = g.mul(&k1, c).add(&q_point.mul(&k2, c), c);
        let joint = jq.mul_add_base_vartime(&k1, &k2, c);
        if expected.is_identity().to_bool() {
            assert!(joint.is_identity());
        } else {
            assert!(same(joint, expected));
        }
    }
    // With cofactor 1, q alone is the group's order: by Hasse's bound the order N of the
    // group satisfies |N - (p + 1)| <= 2 sqrt(p), and a q above half of p + 1 + 2 sqrt(p)
    // leaves no room for a cofactor of 2 or more.
    let p_bits = c.p.modulus().bit_width();
    let bound =
        c.p.modulus()
            .shr_vartime(1)
            .wrapping_add(&Uint::ONE.shl_vartime(p_bits / 2 + 1));
    assert_eq!(
        c.order() > &bound,
        c.cofactor == Cofactor::One,
        "the cofactor flag"
    );
    // The a = -3 shortcut is flagged exactly where a = -3.
    let minus_3 = f.neg(&f.element(&Uint::from_u8(3)));
    assert_eq!(c.a.ct_eq(&minus_3).to_bool(), c.a_is_minus_3);
}

#[test]
fn every_param_set_has_base_point_of_order_q() {
    for set in ParamSet::ALL {
        match set.curve() {
            CurveRef::C256(c) => check_curve(c),
            CurveRef::C512(c) => check_curve(c),
        }
    }
    check_curve(&curve::TEST_256);
    check_curve(&curve::TEST_512);
}

#[test]
fn param_set_sizes() {
    for set in ParamSet::ALL {
        let (n, size) = match set.curve() {
            CurveRef::C256(_) => (32, KeySize::Gost256),
            CurveRef::C512(_) => (64, KeySize::Gost512),
        };
        assert_eq!(set.coordinate_len(), n);
        assert_eq!(set.size(), size);
    }
}

struct Vector {
    d: &'static str,
    qx: &'static str,
    qy: &'static str,
    e: &'static str,
    k: &'static str,
    r: &'static str,
    s: &'static str,
}

fn run_vector<const L: usize>(c: &Curve<L>, v: &Vector) {
    let d = dsa::private_scalar_from_le(c, &le(v.d)).unwrap();
    let (qx, qy) = dsa::public_point(c, &d).unwrap();
    assert_eq!(qx.to_be_bytes().as_slice(), hex(v.qx), "Qx");
    assert_eq!(qy.to_be_bytes().as_slice(), hex(v.qy), "Qy");

    // The example gives e already reduced; as a digest it is read little-endian.
    let digest = le(v.e);
    let sig = dsa::sign_prehash_with_k_le(c, &d, &digest, &le(v.k)).unwrap();
    assert_eq!(sig.r.to_be_bytes().as_slice(), hex(v.r), "r");
    assert_eq!(sig.s.to_be_bytes().as_slice(), hex(v.s), "s");

    let public = dsa::validate_public_point(c, &qx, &qy).unwrap();
    dsa::verify_prehash(c, &public, &digest, &sig).unwrap();

    // A flipped digest bit, or a tweaked r or s, must fail.
    let mut bad_digest = digest.clone();
    bad_digest[0] ^= 1;
    assert_eq!(
        dsa::verify_prehash(c, &public, &bad_digest, &sig),
        Err(Error::Verification)
    );
    let bad_s = RawSignature {
        r: sig.r,
        s: sig.s ^ Uint::ONE,
    };
    assert_eq!(
        dsa::verify_prehash(c, &public, &digest, &bad_s),
        Err(Error::Verification)
    );
}

/// GOST R 34.10-2012 appendix A.1 = RFC 7091 section 7.1 (256-bit test curve).
#[test]
fn standard_example_a1_256() {
    run_vector(
        &curve::TEST_256,
        &Vector {
            d: "7A929ADE789BB9BE10ED359DD39A72C11B60961F49397EEE1D19CE9891EC3B28",
            qx: "7F2B49E270DB6D90D8595BEC458B50C58585BA1D4E9B788F6689DBD8E56FD80B",
            qy: "26F1B489D6701DD185C8413A977B3CBBAF64D1C593D26627DFFB101A87FF77DA",
            e: "2DFBC1B372D89A1188C09C52E0EEC61FCE52032AB1022E8E67ECE6672B043EE5",
            k: "77105C9B20BCD3122823C8CF6FCC7B956DE33814E95B7FE64FED924594DCEAB3",
            r: "41AA28D2F1AB148280CD9ED56FEDA41974053554A42767B83AD043FD39DC0493",
            s: "01456C64BA4642A1653C235A98A60249BCD6D3F746B631DF928014F6C5BF9C40",
        },
    );
}

/// GOST R 34.10-2012 appendix A.2 = RFC 7091 section 7.2 (512-bit test curve).
#[test]
fn standard_example_a2_512() {
    run_vector(
        &curve::TEST_512,
        &Vector {
            d: "0BA6048AADAE241BA40936D47756D7C93091A0E8514669700EE7508E508B1020
                72E8123B2200A0563322DAD2827E2714A2636B7BFD18AADFC62967821FA18DD4",
            qx: "115DC5BC96760C7B48598D8AB9E740D4C4A85A65BE33C1815B5C320C854621DD
                 5A515856D13314AF69BC5B924C8B4DDFF75C45415C1D9DD9DD33612CD530EFE1",
            qy: "37C7C90CD40B0F5621DC3AC1B751CFA0E2634FA0503B3D52639F5D7FB72AFD61
                 EA199441D943FFE7F0C70A2759A3CDB84C114E1F9339FDF27F35ECA93677BEEC",
            e: "3754F3CFACC9E0615C4F4A7C4D8DAB531B09B6F9C170C533A71D147035B0C591
                7184EE536593F4414339976C647C5D5A407ADEDB1D560C4FC6777D2972075B8C",
            k: "0359E7F4B1410FEACC570456C6801496946312120B39D019D455986E364F3658
                86748ED7A44B3E794434006011842286212273A6D14CF70EA3AF71BB1AE679F1",
            r: "2F86FA60A081091A23DD795E1E3C689EE512A3C82EE0DCC2643C78EEA8FCACD3
                5492558486B20F1C9EC197C90699850260C93BCBCD9C5C3317E19344E173AE36",
            s: "1081B394696FFE8E6585E7A9362D26B6325F56778AADBC081C0BFBE933D52FF5
                823CE288E8C4F362526080DF7F70CE406A6EEB1F56919CB92A9853BDE73E5B4A",
        },
    );
}

fn order_le(set: ParamSet) -> Vec<u8> {
    match set.curve() {
        CurveRef::C256(c) => c.order().to_le_bytes().as_slice().to_vec(),
        CurveRef::C512(c) => c.order().to_le_bytes().as_slice().to_vec(),
    }
}

fn order_be(set: ParamSet) -> Vec<u8> {
    let mut v = order_le(set);
    v.reverse();
    v
}

#[test]
fn private_key_range_is_enforced() {
    for set in ParamSet::ALL {
        let n = set.coordinate_len();
        assert_eq!(
            SigningKey::from_bytes_le(set, &vec![0; n]).unwrap_err(),
            Error::InvalidPrivateKey
        );
        let q = order_le(set);
        assert_eq!(
            SigningKey::from_bytes_le(set, &q).unwrap_err(),
            Error::InvalidPrivateKey
        );
        assert_eq!(
            SigningKey::from_bytes_le(set, &vec![0xFF; n]).unwrap_err(),
            Error::InvalidPrivateKey
        );
        // q - 1 and 1 are fine.
        let mut q_minus_1 = q.clone();
        q_minus_1[0] -= 1;
        SigningKey::from_bytes_le(set, &q_minus_1).unwrap();
        let mut one = vec![0; n];
        one[0] = 1;
        let key = SigningKey::from_bytes_le(set, &one).unwrap();
        assert_eq!(*key.to_bytes_le(), one);
        assert!(matches!(
            SigningKey::from_bytes_le(set, &vec![1; n + 1]),
            Err(Error::Length { .. })
        ));
    }
}

#[test]
fn sign_verify_round_trip_and_rejections() {
    for set in ParamSet::ALL {
        let n = set.coordinate_len();
        let key = SigningKey::generate(set);
        let public = key.verifying_key();
        let digest = streebog_digest(set.size(), b"smartkey");
        let sig = key.sign_digest(&digest).unwrap();
        assert_eq!(sig.to_bytes().len(), 2 * n);
        public.verify_digest(&digest, &sig).unwrap();

        // Flipped bit anywhere in the signature.
        for byte in [0, n - 1, n, 2 * n - 1] {
            let mut bad = sig.to_bytes();
            bad[byte] ^= 0x10;
            let bad = Signature::from_bytes(&bad).unwrap();
            assert_eq!(
                public.verify_digest(&digest, &bad),
                Err(Error::Verification),
                "{set}"
            );
        }
        // Flipped digest bit.
        let mut bad_digest = digest.clone();
        bad_digest[n / 2] ^= 0x80;
        assert_eq!(
            public.verify_digest(&bad_digest, &sig),
            Err(Error::Verification)
        );
        // r or s equal to 0, q, or all ones.
        let q = order_be(set);
        let (s, r) = sig.as_bytes().split_at(n);
        for bad_part in [vec![0; n], q.clone(), vec![0xFF; n]] {
            let with_bad_s = Signature::from_bytes(&[&bad_part[..], r].concat()).unwrap();
            let with_bad_r = Signature::from_bytes(&[s, &bad_part[..]].concat()).unwrap();
            assert_eq!(
                public.verify_digest(&digest, &with_bad_s),
                Err(Error::Verification)
            );
            assert_eq!(
                public.verify_digest(&digest, &with_bad_r),
                Err(Error::Verification)
            );
        }
        // Another key of the same set.
        let other = SigningKey::generate(set).verifying_key();
        assert_eq!(other.verify_digest(&digest, &sig), Err(Error::Verification));
        // Digest of the wrong length.
        assert!(matches!(
            public.verify_digest(&digest[1..], &sig),
            Err(Error::Length { .. })
        ));
        assert!(matches!(
            key.sign_digest(&digest[1..]),
            Err(Error::Length { .. })
        ));
    }
}

#[test]
fn signature_length_rules() {
    assert_eq!(
        Signature::from_bytes(&[0; 63]).unwrap_err(),
        Error::SignatureLength(63)
    );
    let key = SigningKey::generate(ParamSet::CryptoProA);
    let long = Signature::from_bytes(&[1; 128]).unwrap();
    let digest = streebog_digest(KeySize::Gost256, b"x");
    assert_eq!(
        key.verifying_key().verify_digest(&digest, &long),
        Err(Error::SizeMismatch)
    );
}

#[test]
fn nonce_range_is_enforced() {
    let key = SigningKey::generate(ParamSet::Tc26Gost512C);
    let digest = streebog_digest(KeySize::Gost512, b"k");
    assert_eq!(
        key.sign_digest_with_k(&digest, &[0; 64]),
        Err(Error::InvalidNonce)
    );
    assert_eq!(
        key.sign_digest_with_k(&digest, &order_le(ParamSet::Tc26Gost512C)),
        Err(Error::InvalidNonce)
    );
    let mut k = vec![0; 64];
    k[0] = 7;
    let sig = key.sign_digest_with_k(&digest, &k).unwrap();
    key.verifying_key().verify_digest(&digest, &sig).unwrap();
}

#[test]
fn zero_digest_is_signed_as_one() {
    // e = 0 is replaced by 1 (GOST R 34.10-2012 6.1 step 2), on both sides.
    let key = SigningKey::generate(ParamSet::CryptoProB);
    let zero = [0u8; 32];
    let mut one = [0u8; 32];
    one[0] = 1;
    let sig = key.sign_digest(&zero).unwrap();
    key.verifying_key().verify_digest(&one, &sig).unwrap();
}

#[test]
fn public_key_validation() {
    for set in ParamSet::ALL {
        let n = set.coordinate_len();
        let key = SigningKey::generate(set);
        let xy = key.verifying_key().to_pkcs11_value();
        assert_eq!(
            VerifyingKey::from_pkcs11_value(set, &xy).unwrap(),
            key.verifying_key()
        );

        let mut off_curve = xy.clone();
        off_curve[n] ^= 1;
        assert_eq!(
            VerifyingKey::from_pkcs11_value(set, &off_curve).unwrap_err(),
            Error::InvalidPublicKey
        );
        let mut big_x = xy.clone();
        big_x[..n].fill(0xFF);
        assert_eq!(
            VerifyingKey::from_pkcs11_value(set, &big_x).unwrap_err(),
            Error::InvalidPublicKey
        );
        assert_eq!(
            VerifyingKey::from_pkcs11_value(set, &vec![0; 2 * n]).unwrap_err(),
            Error::InvalidPublicKey
        );
        assert!(matches!(
            VerifyingKey::from_pkcs11_value(set, &xy[1..]),
            Err(Error::Length { .. })
        ));
    }
}

/// On a cofactor-4 curve, a point outside the subgroup of order q must be refused even
/// though it satisfies the curve equation.
#[test]
fn public_key_outside_subgroup_is_refused() {
    fn find_bad_point<const L: usize>(c: &Curve<L>) -> (Uint<L>, Uint<L>) {
        // Try x = 1, 2, ... until x^3 + ax + b is a square whose point has order != q.
        // p = 3 (mod 4) for these curves, so sqrt(v) = v^((p+1)/4).
        let f = &c.p;
        let p = f.modulus();
        let exp = p.wrapping_add(&Uint::ONE).shr_vartime(2);
        for i in 1u64..1000 {
            let xi = Uint::from_u64(i);
            let x = f.element(&xi);
            let v = f.add(&f.mul(&f.add(&f.square(&x), &c.a), &x), &c.b);
            let v_int = f.to_uint(&v);
            let params = FixedMontyParams::new(Odd::new(*p).unwrap());
            let y_int = FixedMontyForm::new(&v_int, &params).pow(&exp).retrieve();
            let y = f.element(&y_int);
            if f.square(&y).ct_eq(&v).to_bool() {
                let point = ProjectivePoint::from_affine(c, x, y);
                if !point.mul(c.order(), c).is_identity().to_bool() {
                    return (xi, y_int);
                }
            }
        }
        panic!("no point found");
    }
    for set in [ParamSet::Tc26Gost256A, ParamSet::Tc26Gost512C] {
        let xy = match set.curve() {
            CurveRef::C256(c) => {
                let (x, y) = find_bad_point(c);
                [x.to_le_bytes().as_slice(), y.to_le_bytes().as_slice()].concat()
            }
            CurveRef::C512(c) => {
                let (x, y) = find_bad_point(c);
                [x.to_le_bytes().as_slice(), y.to_le_bytes().as_slice()].concat()
            }
        };
        assert_eq!(
            VerifyingKey::from_pkcs11_value(set, &xy).unwrap_err(),
            Error::InvalidPublicKey
        );
    }
}

#[test]
fn spki_round_trip() {
    for set in ParamSet::ALL {
        let public = SigningKey::generate(set).verifying_key();
        let der = public.to_spki_der().unwrap();
        assert_eq!(VerifyingKey::from_spki_der(&der).unwrap(), public);
        // The digest OID is written exactly for the sets gost-engine writes it for.
        let digest_oid = crate::params::oid_to_der(&set.digest_oid());
        let has_digest = der.windows(digest_oid.len()).any(|w| w == digest_oid);
        assert_eq!(has_digest, set.spki_has_digest_oid(), "{set}");
    }
}

#[test]
fn debug_hides_private_key() {
    let mut d = vec![0u8; 32];
    d[0] = 0xAB;
    d[1] = 0xCD;
    let key = SigningKey::from_bytes_le(ParamSet::CryptoProA, &d).unwrap();
    let shown = format!("{key:?}");
    assert!(!shown.contains("abcd") && !shown.contains("cdab"));
    assert!(!shown.contains("171"), "{shown}");
}

#[test]
fn traits_sign_and_verify_messages() {
    use signature::{Keypair, Signer, Verifier};
    for set in [ParamSet::CryptoProA, ParamSet::Tc26Gost512A] {
        let key = SigningKey::generate(set);
        let sig: Signature = key.sign(b"message");
        key.verifying_key().verify(b"message", &sig).unwrap();
        assert!(key.verifying_key().verify(b"massage", &sig).is_err());
        let digest = streebog_digest(set.size(), b"message");
        Keypair::verifying_key(&key)
            .verify_digest(&digest, &sig)
            .unwrap();
    }
}
