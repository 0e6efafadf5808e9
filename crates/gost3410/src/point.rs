//! Curve points in projective coordinates with the complete addition formulas of
//! Renes, Costello and Batina ("Complete addition formulas for prime order elliptic curves",
//! EUROCRYPT 2016, algorithms 1 and 3, for arbitrary `a`).
//!
//! The formulas have no special cases (identity, doubling, inverse points) as long as no
//! point of order two is involved. The TC26 twisted Edwards curves have cofactor 4, but every
//! point this crate multiplies lies in the subgroup of odd prime order q: the base point, and
//! public keys, which are checked to satisfy `q * Q = O` before use. So addition and doubling
//! run the same instructions whatever the inputs, and scalar multiplication (a fixed 4-bit
//! window with a full-table constant-time lookup) does not branch on the scalar.

use crypto_bigint::Uint;
use crypto_bigint::ctutils::{Choice, CtAssign, CtEq, CtOption};

use crate::curve::{Curve, Fe};

/// `(X : Y : Z)` standing for the affine point `(X/Z, Y/Z)`; `Z = 0` is the identity.
#[derive(Clone, Copy)]
pub(crate) struct ProjectivePoint<const L: usize> {
    x: Fe<L>,
    y: Fe<L>,
    z: Fe<L>,
}

impl<const L: usize> ProjectivePoint<L> {
    /// The point at infinity `(0 : 1 : 0)`.
    pub(crate) const fn identity(c: &Curve<L>) -> Self {
        ProjectivePoint {
            x: Fe::zero(&c.p),
            y: Fe::one(&c.p),
            z: Fe::zero(&c.p),
        }
    }

    /// The base point P of the curve.
    pub(crate) const fn generator(c: &Curve<L>) -> Self {
        Self::from_affine(c, c.gx, c.gy)
    }

    /// Lift an affine point; the caller has checked it is on the curve.
    pub(crate) const fn from_affine(c: &Curve<L>, x: Fe<L>, y: Fe<L>) -> Self {
        ProjectivePoint {
            x,
            y,
            z: Fe::one(&c.p),
        }
    }

    /// Whether this is the identity: `Z = 0` with `Y != 0` (the all-zero triple is not a
    /// point at all and must never count as the identity).
    pub(crate) fn is_identity(&self, c: &Curve<L>) -> Choice {
        let zero = Fe::zero(&c.p);
        self.z.ct_eq(&zero).and(self.y.ct_ne(&zero))
    }

    /// Affine coordinates, or none for the identity. Constant time.
    pub(crate) fn to_affine(self) -> CtOption<(Fe<L>, Fe<L>)> {
        let z_inv = self.z.invert();
        let x = self.x.mul(z_inv.as_inner_unchecked());
        let y = self.y.mul(z_inv.as_inner_unchecked());
        CtOption::new((x, y), z_inv.is_some())
    }

    /// `self + other` (RCB algorithm 1: 12M + 3 mul by a + 2 mul by 3b).
    pub(crate) fn add(&self, other: &Self, c: &Curve<L>) -> Self {
        let (x1, y1, z1) = (&self.x, &self.y, &self.z);
        let (x2, y2, z2) = (&other.x, &other.y, &other.z);
        let a = &c.a;
        let b3 = &c.b3;

        let mut t0 = x1.mul(x2);
        let mut t1 = y1.mul(y2);
        let mut t2 = z1.mul(z2);
        let mut t3 = x1.add(y1);
        let mut t4 = x2.add(y2);
        t3 = t3.mul(&t4);
        t4 = t0.add(&t1);
        t3 = t3.sub(&t4);
        t4 = x1.add(z1);
        let mut t5 = x2.add(z2);
        t4 = t4.mul(&t5);
        t5 = t0.add(&t2);
        t4 = t4.sub(&t5);
        t5 = y1.add(z1);
        let mut x3 = y2.add(z2);
        t5 = t5.mul(&x3);
        x3 = t1.add(&t2);
        t5 = t5.sub(&x3);
        let mut z3 = a.mul(&t4);
        x3 = b3.mul(&t2);
        z3 = x3.add(&z3);
        x3 = t1.sub(&z3);
        z3 = t1.add(&z3);
        let mut y3 = x3.mul(&z3);
        t1 = t0.add(&t0);
        t1 = t1.add(&t0);
        t2 = a.mul(&t2);
        t4 = b3.mul(&t4);
        t1 = t1.add(&t2);
        t2 = t0.sub(&t2);
        t2 = a.mul(&t2);
        t4 = t4.add(&t2);
        t0 = t1.mul(&t4);
        y3 = y3.add(&t0);
        t0 = t5.mul(&t4);
        x3 = t3.mul(&x3);
        x3 = x3.sub(&t0);
        t0 = t3.mul(&t1);
        z3 = t5.mul(&z3);
        z3 = z3.add(&t0);

        ProjectivePoint {
            x: x3,
            y: y3,
            z: z3,
        }
    }

    /// `2 * self` (RCB algorithm 3: 8M + 3S + 3 mul by a + 2 mul by 3b).
    pub(crate) fn double(&self, c: &Curve<L>) -> Self {
        let (x, y, z) = (&self.x, &self.y, &self.z);
        let a = &c.a;
        let b3 = &c.b3;

        let mut t0 = x.square();
        let t1 = y.square();
        let mut t2 = z.square();
        let mut t3 = x.mul(y);
        t3 = t3.add(&t3);
        let mut z3 = x.mul(z);
        z3 = z3.add(&z3);
        let mut x3 = a.mul(&z3);
        let mut y3 = b3.mul(&t2);
        y3 = x3.add(&y3);
        x3 = t1.sub(&y3);
        y3 = t1.add(&y3);
        y3 = x3.mul(&y3);
        x3 = t3.mul(&x3);
        z3 = b3.mul(&z3);
        t2 = a.mul(&t2);
        t3 = t0.sub(&t2);
        t3 = a.mul(&t3);
        t3 = t3.add(&z3);
        z3 = t0.add(&t0);
        t0 = z3.add(&t0);
        t0 = t0.add(&t2);
        t0 = t0.mul(&t3);
        y3 = y3.add(&t0);
        t2 = y.mul(z);
        t2 = t2.add(&t2);
        t0 = t2.mul(&t3);
        x3 = x3.sub(&t0);
        z3 = t2.mul(&t1);
        z3 = z3.add(&z3);
        z3 = z3.add(&z3);

        ProjectivePoint {
            x: x3,
            y: y3,
            z: z3,
        }
    }

    /// `[0, 1, 2, ..., 15] * self`, the table of the 4-bit window methods.
    fn window_table(&self, c: &Curve<L>) -> [Self; 16] {
        let mut table = [Self::identity(c); 16];
        table[1] = *self;
        for i in 2..16 {
            table[i] = if i % 2 == 0 {
                table[i / 2].double(c)
            } else {
                table[i - 1].add(self, c)
            };
        }
        table
    }

    /// `k * self` in constant time: a fixed 4-bit window over every bit of the integer width,
    /// each table entry read through a masked copy of all sixteen.
    pub(crate) fn mul(&self, k: &Uint<L>, c: &Curve<L>) -> Self {
        let table = self.window_table(c);
        let mut acc = Self::identity(c);
        let mut bit = Uint::<L>::BITS;
        while bit > 0 {
            bit -= 4;
            acc = acc.double(c).double(c).double(c).double(c);
            let nibble = nibble(k, bit);
            let mut chosen = Self::identity(c);
            for (j, entry) in (0u8..).zip(table.iter()) {
                chosen.ct_assign(entry, Choice::from_u8_eq(nibble, j));
            }
            acc = acc.add(&chosen, c);
        }
        acc
    }

    /// `a * self + b * other` with one shared chain of doublings (Shamir's trick).
    ///
    /// Variable time: it skips zero windows and leading doublings. Only for public scalars
    /// and points, i.e. signature verification.
    pub(crate) fn mul_add_vartime(
        &self,
        a: &Uint<L>,
        other: &Self,
        b: &Uint<L>,
        c: &Curve<L>,
    ) -> Self {
        let table_a = self.window_table(c);
        let table_b = other.window_table(c);
        let mut acc = Self::identity(c);
        let mut started = false;
        let mut bit = Uint::<L>::BITS;
        while bit > 0 {
            bit -= 4;
            if started {
                acc = acc.double(c).double(c).double(c).double(c);
            }
            for (scalar, table) in [(a, &table_a), (b, &table_b)] {
                let n = usize::from(nibble(scalar, bit));
                if n != 0 {
                    acc = acc.add(&table[n], c);
                    started = true;
                }
            }
        }
        acc
    }

    /// Projective equality: `X1*Z2 = X2*Z1` and `Y1*Z2 = Y2*Z1`.
    #[cfg(test)]
    pub(crate) fn eq(&self, other: &Self) -> bool {
        let x = self.x.mul(&other.z).ct_eq(&other.x.mul(&self.z));
        let y = self.y.mul(&other.z).ct_eq(&other.y.mul(&self.z));
        x.and(y).to_bool()
    }
}

impl<const L: usize> CtAssign for ProjectivePoint<L> {
    fn ct_assign(&mut self, src: &Self, choice: Choice) {
        self.x.ct_assign(&src.x, choice);
        self.y.ct_assign(&src.y, choice);
        self.z.ct_assign(&src.z, choice);
    }
}

/// Bits `bit..bit+4` of `k` as a number 0..=15 (constant time in `k`).
fn nibble<const L: usize>(k: &Uint<L>, bit: u32) -> u8 {
    k.bit(bit).to_u8()
        | (k.bit(bit + 1).to_u8() << 1)
        | (k.bit(bit + 2).to_u8() << 2)
        | (k.bit(bit + 3).to_u8() << 3)
}

/// Whether the affine point `(x, y)` satisfies `y^2 = x^3 + a*x + b`.
pub(crate) fn is_on_curve<const L: usize>(c: &Curve<L>, x: &Fe<L>, y: &Fe<L>) -> Choice {
    let rhs = x.square().add(&c.a).mul(x).add(&c.b);
    y.square().ct_eq(&rhs)
}
