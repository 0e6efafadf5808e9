//! Variable-time point arithmetic in Jacobian coordinates, for public values only:
//! signature verification and the subgroup check of a public key.
//!
//! `(X : Y : Z)` stands for the affine point `(X/Z^2, Y/Z^3)`; `Z = 0` is the identity. The
//! formulas are those of the Explicit-Formulas Database (Bernstein and Lange): doubling
//! dbl-2001-b (3M + 5S) where `a = -3`, as on the CryptoPro curves and TC26-512-A/B, and
//! dbl-2007-bl (1M + 8S + 1 mul by a) elsewhere; addition add-2007-bl (11M + 5S) and, for a
//! point given in affine form, madd-2007-bl (7M + 4S). A doubling costs about half of the
//! complete formulas of the point module. The special cases (the identity, equal or
//! opposite points, a point of order two) are branched on, which is why nothing secret may
//! come here: signing stays on the constant-time complete formulas.

use crypto_bigint::Uint;

use crate::curve::{Curve, Fe};

/// Window of the wNAF digits of the scalar that multiplies the base point: odd digits up
/// to ±63, from a table of 32 affine points made once per curve.
const BASE_WINDOW: usize = 7;
/// Window of the wNAF digits of the scalar that multiplies a public key: odd digits up to
/// ±15, from a table of 8 points made for each verification.
const POINT_WINDOW: usize = 5;

#[derive(Clone, Copy)]
pub(crate) struct JacobianPoint<const L: usize> {
    x: Fe<L>,
    y: Fe<L>,
    z: Fe<L>,
}

impl<const L: usize> JacobianPoint<L> {
    pub(crate) fn identity(c: &Curve<L>) -> Self {
        JacobianPoint {
            x: c.p.one(),
            y: c.p.one(),
            z: c.p.zero(),
        }
    }

    /// An affine point, which the caller has checked is on the curve.
    pub(crate) fn from_affine(c: &Curve<L>, x: Fe<L>, y: Fe<L>) -> Self {
        JacobianPoint { x, y, z: c.p.one() }
    }

    pub(crate) fn is_identity(&self) -> bool {
        self.z.is_zero().to_bool()
    }

    /// Affine coordinates, or none for the identity.
    pub(crate) fn to_affine(self, c: &Curve<L>) -> Option<(Fe<L>, Fe<L>)> {
        let f = &c.p;
        let z_inv = f.invert_vartime(&self.z)?;
        let z_inv2 = f.square(&z_inv);
        let x = f.mul(&self.x, &z_inv2);
        let y = f.mul(&f.mul(&self.y, &z_inv2), &z_inv);
        Some((x, y))
    }

    fn neg(&self, c: &Curve<L>) -> Self {
        JacobianPoint {
            y: c.p.neg(&self.y),
            ..*self
        }
    }

    /// `2 * self`.
    pub(crate) fn double(&self, c: &Curve<L>) -> Self {
        let f = &c.p;
        if self.is_identity() || self.y.is_zero().to_bool() {
            return Self::identity(c);
        }
        let (x1, y1, z1) = (&self.x, &self.y, &self.z);
        if c.a_is_minus_3 {
            // dbl-2001-b
            let delta = f.square(z1);
            let gamma = f.square(y1);
            let beta = f.mul(x1, &gamma);
            let t = f.mul(&f.sub(x1, &delta), &f.add(x1, &delta));
            let alpha = f.add(&f.double(&t), &t);
            let beta4 = f.double(&f.double(&beta));
            let x3 = f.sub(&f.square(&alpha), &f.double(&beta4));
            let yz = f.add(y1, z1);
            let z3 = f.sub(&f.sub(&f.square(&yz), &gamma), &delta);
            let gamma2 = f.square(&gamma);
            let gamma2_8 = f.double(&f.double(&f.double(&gamma2)));
            let y3 = f.sub(&f.mul(&alpha, &f.sub(&beta4, &x3)), &gamma2_8);
            JacobianPoint {
                x: x3,
                y: y3,
                z: z3,
            }
        } else {
            // dbl-2007-bl
            let xx = f.square(x1);
            let yy = f.square(y1);
            let yyyy = f.square(&yy);
            let zz = f.square(z1);
            let xyy = f.add(x1, &yy);
            let s = f.double(&f.sub(&f.sub(&f.square(&xyy), &xx), &yyyy));
            let xx3 = f.add(&f.double(&xx), &xx);
            let m = f.add(&xx3, &f.mul(&c.a, &f.square(&zz)));
            let x3 = f.sub(&f.square(&m), &f.double(&s));
            let yyyy8 = f.double(&f.double(&f.double(&yyyy)));
            let y3 = f.sub(&f.mul(&m, &f.sub(&s, &x3)), &yyyy8);
            let yz = f.add(y1, z1);
            let z3 = f.sub(&f.sub(&f.square(&yz), &yy), &zz);
            JacobianPoint {
                x: x3,
                y: y3,
                z: z3,
            }
        }
    }

    /// `self + other` (add-2007-bl).
    pub(crate) fn add(&self, other: &Self, c: &Curve<L>) -> Self {
        let f = &c.p;
        if self.is_identity() {
            return *other;
        }
        if other.is_identity() {
            return *self;
        }
        let (x1, y1, z1) = (&self.x, &self.y, &self.z);
        let (x2, y2, z2) = (&other.x, &other.y, &other.z);
        let z1z1 = f.square(z1);
        let z2z2 = f.square(z2);
        let u1 = f.mul(x1, &z2z2);
        let u2 = f.mul(x2, &z1z1);
        let s1 = f.mul(&f.mul(y1, z2), &z2z2);
        let s2 = f.mul(&f.mul(y2, z1), &z1z1);
        let h = f.sub(&u2, &u1);
        let r = f.double(&f.sub(&s2, &s1));
        if h.is_zero().to_bool() {
            return if r.is_zero().to_bool() {
                self.double(c)
            } else {
                Self::identity(c)
            };
        }
        let i = f.square(&f.double(&h));
        let j = f.mul(&h, &i);
        let v = f.mul(&u1, &i);
        let x3 = f.sub(&f.sub(&f.square(&r), &j), &f.double(&v));
        let y3 = f.sub(&f.mul(&r, &f.sub(&v, &x3)), &f.double(&f.mul(&s1, &j)));
        let z12 = f.add(z1, z2);
        let z3 = f.mul(&f.sub(&f.sub(&f.square(&z12), &z1z1), &z2z2), &h);
        JacobianPoint {
            x: x3,
            y: y3,
            z: z3,
        }
    }

    /// `self + (x2, y2)` for an affine point (madd-2007-bl).
    fn add_affine(&self, x2: &Fe<L>, y2: &Fe<L>, c: &Curve<L>) -> Self {
        let f = &c.p;
        if self.is_identity() {
            return Self::from_affine(c, *x2, *y2);
        }
        let (x1, y1, z1) = (&self.x, &self.y, &self.z);
        let z1z1 = f.square(z1);
        let u2 = f.mul(x2, &z1z1);
        let s2 = f.mul(&f.mul(y2, z1), &z1z1);
        let h = f.sub(&u2, x1);
        let r = f.double(&f.sub(&s2, y1));
        if h.is_zero().to_bool() {
            return if r.is_zero().to_bool() {
                self.double(c)
            } else {
                Self::identity(c)
            };
        }
        let hh = f.square(&h);
        let i = f.double(&f.double(&hh));
        let j = f.mul(&h, &i);
        let v = f.mul(x1, &i);
        let x3 = f.sub(&f.sub(&f.square(&r), &j), &f.double(&v));
        let y3 = f.sub(&f.mul(&r, &f.sub(&v, &x3)), &f.double(&f.mul(y1, &j)));
        let zh = f.add(z1, &h);
        let z3 = f.sub(&f.sub(&f.square(&zh), &z1z1), &hh);
        JacobianPoint {
            x: x3,
            y: y3,
            z: z3,
        }
    }

    /// `[1, 3, 5, ..., 2^(window-1) - 1] * self`, the odd multiples a wNAF digit picks.
    fn odd_multiples(&self, window: usize, c: &Curve<L>) -> Vec<Self> {
        let count = 1 << (window - 2);
        let twice = self.double(c);
        let mut table = Vec::with_capacity(count);
        table.push(*self);
        for i in 1..count {
            table.push(table[i - 1].add(&twice, c));
        }
        table
    }

    /// `k * self`.
    pub(crate) fn mul_vartime(&self, k: &Uint<L>, c: &Curve<L>) -> Self {
        let table = self.odd_multiples(POINT_WINDOW, c);
        let digits = wnaf(k, POINT_WINDOW);
        let mut acc = Self::identity(c);
        for &d in digits.iter().rev() {
            acc = acc.double(c);
            acc = acc.add_digit(d, &table, c);
        }
        acc
    }

    /// `a * P + b * self` for the base point P, with one chain of doublings (Straus) and
    /// wNAF digits: P's odd multiples come from the curve's table, made once.
    pub(crate) fn mul_add_base_vartime(&self, a: &Uint<L>, b: &Uint<L>, c: &Curve<L>) -> Self {
        let base = base_odd_multiples(c);
        let table = self.odd_multiples(POINT_WINDOW, c);
        let a_digits = wnaf(a, BASE_WINDOW);
        let b_digits = wnaf(b, POINT_WINDOW);
        let len = a_digits.len().max(b_digits.len());
        let mut acc = Self::identity(c);
        for i in (0..len).rev() {
            acc = acc.double(c);
            if let Some(&d) = a_digits.get(i)
                && d != 0
            {
                let (x, y) = &base[usize::from(d.unsigned_abs() / 2)];
                acc = if d > 0 {
                    acc.add_affine(x, y, c)
                } else {
                    acc.add_affine(x, &c.p.neg(y), c)
                };
            }
            if let Some(&d) = b_digits.get(i) {
                acc = acc.add_digit(d, &table, c);
            }
        }
        acc
    }

    /// `self + d * Q` for a wNAF digit `d` and the odd multiples of Q.
    fn add_digit(&self, d: i8, odd_multiples: &[Self], c: &Curve<L>) -> Self {
        if d == 0 {
            return *self;
        }
        let entry = &odd_multiples[usize::from(d.unsigned_abs() / 2)];
        if d > 0 {
            self.add(entry, c)
        } else {
            self.add(&entry.neg(c), c)
        }
    }

    /// Jacobian equality without leaving the coordinates.
    #[cfg(test)]
    pub(crate) fn eq_affine(&self, x: &Fe<L>, y: &Fe<L>, c: &Curve<L>) -> bool {
        use crypto_bigint::ctutils::CtEq;
        let f = &c.p;
        let zz = f.square(&self.z);
        let zzz = f.mul(&zz, &self.z);
        f.mul(x, &zz).ct_eq(&self.x).to_bool() && f.mul(y, &zzz).ct_eq(&self.y).to_bool()
    }
}

/// The curve's odd multiples `[1, 3, ..., 63] * P` of the base point, affine, made on
/// first use.
fn base_odd_multiples<const L: usize>(c: &Curve<L>) -> &[(Fe<L>, Fe<L>)] {
    c.base_odd_multiples.get_or_init(|| {
        let generator = JacobianPoint::from_affine(c, c.gx, c.gy);
        generator
            .odd_multiples(BASE_WINDOW, c)
            .into_iter()
            .map(|point| {
                // Odd multiples of a point of odd prime order q below q are never the
                // identity.
                point.to_affine(c).unwrap_or((c.gx, c.gy))
            })
            .collect()
    })
}

/// The width-`window` non-adjacent form of `k`, least significant digit first: every
/// digit zero or odd with `|d| < 2^(window-1)`, and of any `window` consecutive digits at
/// most one non-zero, so that `k = sum d_i 2^i`.
fn wnaf<const L: usize>(k: &Uint<L>, window: usize) -> Vec<i8> {
    let bits = Uint::<L>::BITS as usize;
    let bit = |i: usize| -> i32 {
        match u32::try_from(i) {
            Ok(i) if (i as usize) < bits => i32::from(k.bit_vartime(i)),
            _ => 0,
        }
    };
    let width = 1i32 << window;
    let mut digits = vec![0i8; bits + window + 1];
    let mut pos = 0;
    let mut carry = 0;
    while pos < bits {
        let mut value = carry;
        for j in 0..window {
            value += bit(pos + j) << j;
        }
        if value & 1 == 0 {
            pos += 1;
            continue;
        }
        // value is odd and below 2^window + 1; the digit is its residue in
        // (-2^(window-1), 2^(window-1)).
        let digit = if value < width / 2 {
            carry = 0;
            value
        } else {
            carry = 1;
            value - width
        };
        digits[pos] = digit as i8;
        pos += window;
    }
    if carry == 1 {
        digits[pos] = 1;
    }
    while digits.last() == Some(&0) {
        digits.pop();
    }
    digits
}

#[cfg(test)]
mod tests {
    use super::*;
    use crypto_bigint::U256;

    #[test]
    fn wnaf_digits_sum_to_the_scalar() {
        for hex in [
            "0000000000000000000000000000000000000000000000000000000000000000",
            "0000000000000000000000000000000000000000000000000000000000000001",
            "FFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFF",
            "8000000000000000000000000000000000000000000000000000000000000000",
            "FFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFF6C611070995AD10045841B09B761B893",
            "5555555555555555555555555555555555555555555555555555555555555555",
            "7FFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFF",
        ] {
            let k = U256::from_be_hex(hex);
            for window in [2usize, 5, 7] {
                let digits = wnaf(&k, window);
                // Rebuild k + 2^257 - 2^257 from the signed digits, as a 512-bit integer
                // offset so that intermediate sums stay non-negative.
                let mut positive = crypto_bigint::U512::ZERO;
                let mut negative = crypto_bigint::U512::ZERO;
                for (i, &d) in digits.iter().enumerate() {
                    let term = crypto_bigint::U512::from_u8(d.unsigned_abs())
                        .shl_vartime(u32::try_from(i).unwrap());
                    if d > 0 {
                        positive = positive.wrapping_add(&term);
                    } else if d < 0 {
                        negative = negative.wrapping_add(&term);
                    }
                    assert!(d == 0 || d % 2 != 0, "even digit {d}");
                    assert!(i32::from(d).abs() < 1 << (window - 1), "digit {d} too big");
                }
                let rebuilt = positive.wrapping_sub(&negative);
                assert_eq!(
                    rebuilt,
                    k.resize::<{ crypto_bigint::U512::LIMBS }>(),
                    "{hex} w={window}"
                );
                for pair in digits.windows(window) {
                    assert!(
                        pair.iter().filter(|d| **d != 0).count() <= 1,
                        "adjacent digits"
                    );
                }
            }
        }
    }
}
