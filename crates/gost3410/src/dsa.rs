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
use crate::curve::{Curve, Fe};
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
    let q = ProjectivePoint::generator(c).mul(d, c);
    let (x, y) = q
        .to_affine()
        .into_option()
        .ok_or(Error::InvalidPrivateKey)?;
    Ok((x.retrieve(), y.retrieve()))
}

/// Check that `(x, y)` is a point of the subgroup of order q and return it in field form.
///
/// Besides the curve equation this checks `q * Q = O`: on the cofactor-4 curves a point of
/// small order would otherwise pass, and the complete formulas are only exception-free on the
/// prime-order subgroup.
pub(crate) fn validate_public_point<const L: usize>(
    c: &Curve<L>,
    x: &Uint<L>,
    y: &Uint<L>,
) -> Result<(Fe<L>, Fe<L>), Error> {
    let p = c.p.modulus().as_ref();
    if !(x.ct_lt(p).and(y.ct_lt(p))).to_bool() {
        return Err(Error::InvalidPublicKey);
    }
    let fx = Fe::new(x, &c.p);
    let fy = Fe::new(y, &c.p);
    if !is_on_curve(c, &fx, &fy).to_bool() {
        return Err(Error::InvalidPublicKey);
    }
    let q_times = ProjectivePoint::from_affine(c, fx, fy).mul(c.order(), c);
    if !q_times.is_identity(c).to_bool() {
        return Err(Error::InvalidPublicKey);
    }
    Ok((fx, fy))
}

/// `e = alpha mod q`, or 1 if that is zero (GOST R 34.10-2012 6.1 step 2), as a scalar.
fn digest_scalar<const L: usize>(c: &Curve<L>, digest_le: &[u8]) -> Result<Fe<L>, Error> {
    let alpha = uint_from_le::<L>(digest_le)?;
    let e = alpha.rem(&c.q_nz);
    let e = e.ct_select(&Uint::ONE, e.is_zero());
    Ok(Fe::new(&e, &c.q))
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
    let point = ProjectivePoint::generator(c).mul(k, c);
    let (cx, _) = point.to_affine().into_option().ok_or(Error::InvalidNonce)?;
    let r = cx.retrieve().rem(&c.q_nz);
    if r.is_zero().to_bool() {
        return Ok(None);
    }
    let r_q = Fe::new(&r, &c.q);
    let d_q = Zeroizing::new(Fe::new(d, &c.q));
    let k_q = Zeroizing::new(Fe::new(k, &c.q));
    let s = r_q.mul(&d_q).add(&k_q.mul(&e)).retrieve();
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
    let e = digest_scalar(c, digest_le)?;
    let v = e
        .invert_vartime()
        .into_option()
        .ok_or(Error::Verification)?;
    let r_q = Fe::new(&sig.r, &c.q);
    let s_q = Fe::new(&sig.s, &c.q);
    let z1 = s_q.mul(&v).retrieve();
    let z2 = r_q.mul(&v).neg().retrieve();
    let q = ProjectivePoint::from_affine(c, public.0, public.1);
    let sum = ProjectivePoint::generator(c).mul_add_vartime(&z1, &q, &z2, c);
    let (cx, _) = sum.to_affine().into_option().ok_or(Error::Verification)?;
    if cx.retrieve().rem(&c.q_nz) == sig.r {
        Ok(())
    } else {
        Err(Error::Verification)
    }
}
