//! The signature scheme of GOST R 34.10-2012 section 6, generic over the integer width.
//!
//! Everything here works on fixed-width integers of one curve; the typed keys in
//! [`crate::keys`] pick the curve and convert bytes. Signing handles secrets (d, k) only with
//! constant-time code: scalar multiplication, Montgomery arithmetic modulo q and the
//! constant-time inversion of crypto-bigint. The accept/reject decisions (r or s zero, k out of
//! range) do branch, but they only reveal what the signature itself or a rejected random
//! candidate reveals. Verification handles public data only and makes no such promise.

use crypto_bigint::Uint;
use crypto_bigint::ctutils::{CtLt, CtSelect};
use rand_core::TryCryptoRng;
use zeroize::Zeroizing;

use crate::Error;
use crate::curve::Cofactor;
use crate::curve::{Curve, Fe};
use crate::jacobian::JacobianPoint;
use crate::point::{ProjectivePoint, is_on_curve};

/// A raw (r, s) pair as integers.
pub(crate) struct RawSignature<const L: usize> {
    pub(crate) r: Uint<L>,
    pub(crate) s: Uint<L>,
}

/// Read exactly `Curve::BYTES` little-endian bytes.
pub(crate) fn uint_from_le<const L: usize>(bytes: &[u8]) -> Result<Uint<L>, Error> {
    check_len(bytes, Curve::<L>::BYTES)?;
    Ok(Uint::from_le_slice(bytes))
}

/// Read exactly `Curve::BYTES` big-endian bytes.
pub(crate) fn uint_from_be<const L: usize>(bytes: &[u8]) -> Result<Uint<L>, Error> {
    check_len(bytes, Curve::<L>::BYTES)?;
    Ok(Uint::from_be_slice(bytes))
}

fn check_len(bytes: &[u8], expected: usize) -> Result<(), Error> {
    if bytes.len() == expected {
        Ok(())
    } else {
        Err(Error::Length {
            expected,
            actual: bytes.len(),
        })
    }
}

/// Whether `0 < v < q`, in constant time.
fn in_scalar_range<const L: usize>(c: &Curve<L>, v: &Uint<L>) -> bool {
    v.is_nonzero().and(v.ct_lt(c.order())).to_bool()
}

/// Parse a private key `d` (little-endian, as PKCS#11 stores it) and check `0 < d < q`.
pub(crate) fn private_scalar_from_le<const L: usize>(
    c: &Curve<L>,
    bytes: &[u8],
) -> Result<Zeroizing<Uint<L>>, Error> {
    let d = Zeroizing::new(uint_from_le::<L>(bytes)?);
    if in_scalar_range(c, &d) {
        Ok(d)
    } else {
        Err(Error::InvalidPrivateKey)
    }
}

/// A uniformly random scalar in `[1, q-1]` by rejection sampling: random bytes masked to the
/// bit length of q, retried while out of range. At most a quarter of candidates are rejected
/// for every supported curve, so the attempt limit is only hit by a broken generator.
pub(crate) fn random_scalar<const L: usize, R: TryCryptoRng + ?Sized>(
    c: &Curve<L>,
    rng: &mut R,
) -> Result<Zeroizing<Uint<L>>, Error> {
    let len = Curve::<L>::BYTES;
    let excess_bits = Uint::<L>::BITS - c.order().bit_width();
    let mut buf = Zeroizing::new(vec![0u8; len]);
    for _ in 0..256 {
        rng.try_fill_bytes(&mut buf).map_err(|_| Error::Rng)?;
        // Little-endian: the most significant bytes are at the end.
        let mut remaining = excess_bits;
        for byte in buf.iter_mut().rev() {
            if remaining == 0 {
                break;
            }
            let drop = remaining.min(8);
            *byte &= 0xFFu8.checked_shr(drop).unwrap_or(0);
            remaining -= drop;
        }
        let candidate = Zeroizing::new(Uint::<L>::from_le_slice(&buf));
        if in_scalar_range(c, &candidate) {
            return Ok(candidate);
        }
    }
    Err(Error::Rng)
}

/// `Q = d * P`, as affine integers.
pub(crate) fn public_point<const L: usize>(
    c: &Curve<L>,
    d: &Uint<L>,
) -> Result<(Uint<L>, Uint<L>), Error> {
    let q = ProjectivePoint::mul_base(d, c);
    let (x, y) = q
        .to_affine(c)
        .into_option()
        .ok_or(Error::InvalidPrivateKey)?;
    Ok((c.p.to_uint(&x), c.p.to_uint(&y)))
}

/// Check that `(x, y)` is a point of the subgroup of order q and return it in field form.
///
/// Besides the curve equation this checks `q * Q = O` on the cofactor-4 curves: a point of
/// small order would otherwise pass, and the complete formulas are only exception-free on the
/// prime-order subgroup. With cofactor 1 every point of the curve is in that subgroup.
pub(crate) fn validate_public_point<const L: usize>(
    c: &Curve<L>,
    x: &Uint<L>,
    y: &Uint<L>,
) -> Result<(Fe<L>, Fe<L>), Error> {
    let p = c.p.modulus();
    if !(x.ct_lt(p).and(y.ct_lt(p))).to_bool() {
        return Err(Error::InvalidPublicKey);
    }
    let fx = c.p.element(x);
    let fy = c.p.element(y);
    if !is_on_curve(c, &fx, &fy).to_bool() {
        return Err(Error::InvalidPublicKey);
    }
    if c.cofactor == Cofactor::Four
        && !JacobianPoint::from_affine(c, fx, fy)
            .mul_vartime(c.order(), c)
            .is_identity()
    {
        return Err(Error::InvalidPublicKey);
    }
    Ok((fx, fy))
}

/// `e = alpha mod q`, or 1 if that is zero (GOST R 34.10-2012 6.1 step 2), as a scalar.
fn digest_scalar<const L: usize>(c: &Curve<L>, digest_le: &[u8]) -> Result<Fe<L>, Error> {
    let alpha = uint_from_le::<L>(digest_le)?;
    let e = alpha.rem(&c.q_nz);
    let e = e.ct_select(&Uint::ONE, e.is_zero());
    Ok(c.q.element(&e))
}

/// Sign the digest with secret `d` and nonce `k` (both checked by the caller to be in
/// `[1, q-1]`). `Ok(None)` means r or s came out zero and a fresh k is needed (6.1 steps 4, 5).
pub(crate) fn sign_prehash<const L: usize>(
    c: &Curve<L>,
    d: &Uint<L>,
    digest_le: &[u8],
    k: &Uint<L>,
) -> Result<Option<RawSignature<L>>, Error> {
    let e = digest_scalar(c, digest_le)?;
    let point = ProjectivePoint::mul_base(k, c);
    let (cx, _) = point
        .to_affine(c)
        .into_option()
        .ok_or(Error::InvalidNonce)?;
    let r = c.p.to_uint(&cx).rem(&c.q_nz);
    if r.is_zero().to_bool() {
        return Ok(None);
    }
    let f = &c.q;
    let r_q = f.element(&r);
    let d_q = Zeroizing::new(f.element(d));
    let k_q = Zeroizing::new(f.element(k));
    let s = f.to_uint(&f.add(&f.mul(&r_q, &d_q), &f.mul(&k_q, &e)));
    if s.is_zero().to_bool() {
        return Ok(None);
    }
    Ok(Some(RawSignature { r, s }))
}

/// Sign with the nonce `k` given as little-endian bytes: for the standard's test vectors.
pub(crate) fn sign_prehash_with_k_le<const L: usize>(
    c: &Curve<L>,
    d: &Uint<L>,
    digest_le: &[u8],
    k_le: &[u8],
) -> Result<RawSignature<L>, Error> {
    let k = Zeroizing::new(uint_from_le::<L>(k_le)?);
    if !in_scalar_range(c, &k) {
        return Err(Error::InvalidNonce);
    }
    sign_prehash(c, d, digest_le, &k)?.ok_or(Error::InvalidNonce)
}

/// Sign with nonces drawn from `rng` until r and s are both non-zero.
pub(crate) fn sign_prehash_with_rng<const L: usize, R: TryCryptoRng + ?Sized>(
    c: &Curve<L>,
    d: &Uint<L>,
    digest_le: &[u8],
    rng: &mut R,
) -> Result<RawSignature<L>, Error> {
    // r = 0 or s = 0 happens with probability about 2/q; a handful of attempts is plenty.
    for _ in 0..16 {
        let k = random_scalar(c, rng)?;
        if let Some(sig) = sign_prehash(c, d, digest_le, &k)? {
            return Ok(sig);
        }
    }
    Err(Error::Rng)
}

/// Verify (GOST R 34.10-2012 6.2) against a validated public point. Variable time.
pub(crate) fn verify_prehash<const L: usize>(
    c: &Curve<L>,
    public: &(Fe<L>, Fe<L>),
    digest_le: &[u8],
    sig: &RawSignature<L>,
) -> Result<(), Error> {
    if !in_scalar_range(c, &sig.r) || !in_scalar_range(c, &sig.s) {
        return Err(Error::Verification);
    }
    let f = &c.q;
    let e = digest_scalar(c, digest_le)?;
    let v = f.invert_vartime(&e).ok_or(Error::Verification)?;
    let z1 = f.to_uint(&f.mul(&f.element(&sig.s), &v));
    let z2 = f.to_uint(&f.neg(&f.mul(&f.element(&sig.r), &v)));
    let q = JacobianPoint::from_affine(c, public.0, public.1);
    let sum = q.mul_add_base_vartime(&z1, &z2, c);
    let (cx, _) = sum.to_affine(c).ok_or(Error::Verification)?;
    if c.p.to_uint(&cx).rem(&c.q_nz) == sig.r {
        Ok(())
    } else {
        Err(Error::Verification)
    }
}
