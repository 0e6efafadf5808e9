//! Curve points in projective coordinates with the complete addition formulas of
//! Renes, Costello and Batina ("Complete addition formulas for prime order elliptic curves",
//! EUROCRYPT 2016, algorithms 1 and 3, for arbitrary `a`).
//!
//! The formulas have no special cases (identity, doubling, inverse points) as long as no
//! point of order two is involved. The TC26 twisted Edwards curves have cofactor 4, but every
//! point this crate multiplies lies in the subgroup of odd prime order q: the base point, and
//! public keys, which are checked to satisfy `q * Q = O` before use. So addition and doubling
//! run the same instructions whatever the inputs, and multiplication of the base point (one
//! precomputed multiple per 4-bit window of the scalar, read from its row with masked
//! copies) does not branch on the scalar. This is the arithmetic of secrets: key
//! derivation and signing. Verification has its own, faster arithmetic (the jacobian module).

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
            x: c.p.zero(),
            y: c.p.one(),
            z: c.p.zero(),
        }
    }

    /// The base point P of the curve.
    pub(crate) const fn generator(c: &Curve<L>) -> Self {
        Self::from_affine(c, c.gx, c.gy)
    }

    /// Lift an affine point; the caller has checked it is on the curve.
    pub(crate) const fn from_affine(c: &Curve<L>, x: Fe<L>, y: Fe<L>) -> Self {
        ProjectivePoint { x, y, z: c.p.one() }
    }

    /// Whether this is the identity: `Z = 0` with `Y != 0` (the all-zero triple is not a
    /// point at all and must never count as the identity).
    #[cfg(test)]
    pub(crate) fn is_identity(&self) -> Choice {
        self.z.is_zero().and(!self.y.is_zero())
    }

    /// Affine coordinates, or none for the identity. Constant time.
    pub(crate) fn to_affine(self, c: &Curve<L>) -> CtOption<(Fe<L>, Fe<L>)> {
        let f = &c.p;
        let z_inv = f.invert(&self.z);
        let inv = z_inv.as_inner_unchecked();
        let x = f.mul(&self.x, inv);
        let y = f.mul(&self.y, inv);
        CtOption::new((x, y), z_inv.is_some())
    }

    /// `self + other` (RCB algorithm 1: 12M + 3 mul by a + 2 mul by 3b).
    pub(crate) fn add(&self, other: &Self, c: &Curve<L>) -> Self {
        let f = &c.p;
        let (x1, y1, z1) = (&self.x, &self.y, &self.z);
        let (x2, y2, z2) = (&other.x, &other.y, &other.z);
        let a = &c.a;
        let b3 = &c.b3;

        let mut t0 = f.mul(x1, x2);
        let mut t1 = f.mul(y1, y2);
        let mut t2 = f.mul(z1, z2);
        let mut t3 = f.add(x1, y1);
        let mut t4 = f.add(x2, y2);
        t3 = f.mul(&t3, &t4);
        t4 = f.add(&t0, &t1);
        t3 = f.sub(&t3, &t4);
        t4 = f.add(x1, z1);
        let mut t5 = f.add(x2, z2);
        t4 = f.mul(&t4, &t5);
        t5 = f.add(&t0, &t2);
        t4 = f.sub(&t4, &t5);
        t5 = f.add(y1, z1);
        let mut x3 = f.add(y2, z2);
        t5 = f.mul(&t5, &x3);
        x3 = f.add(&t1, &t2);
        t5 = f.sub(&t5, &x3);
        let mut z3 = f.mul(a, &t4);
        x3 = f.mul(b3, &t2);
        z3 = f.add(&x3, &z3);
        x3 = f.sub(&t1, &z3);
        z3 = f.add(&t1, &z3);
        let mut y3 = f.mul(&x3, &z3);
        t1 = f.add(&t0, &t0);
        t1 = f.add(&t1, &t0);
        t2 = f.mul(a, &t2);
        t4 = f.mul(b3, &t4);
        t1 = f.add(&t1, &t2);
        t2 = f.sub(&t0, &t2);
        t2 = f.mul(a, &t2);
        t4 = f.add(&t4, &t2);
        t0 = f.mul(&t1, &t4);
        y3 = f.add(&y3, &t0);
        t0 = f.mul(&t5, &t4);
        x3 = f.mul(&t3, &x3);
        x3 = f.sub(&x3, &t0);
        t0 = f.mul(&t3, &t1);
        z3 = f.mul(&t5, &z3);
        z3 = f.add(&z3, &t0);

        ProjectivePoint {
            x: x3,
            y: y3,
            z: z3,
        }
    }

    /// `2 * self` (RCB algorithm 3: 8M + 3S + 3 mul by a + 2 mul by 3b).
    pub(crate) fn double(&self, c: &Curve<L>) -> Self {
        let f = &c.p;
        let (x, y, z) = (&self.x, &self.y, &self.z);
        let a = &c.a;
        let b3 = &c.b3;

        let mut t0 = f.square(x);
        let t1 = f.square(y);
        let mut t2 = f.square(z);
        let mut t3 = f.mul(x, y);
        t3 = f.double(&t3);
        let mut z3 = f.mul(x, z);
        z3 = f.double(&z3);
        let mut x3 = f.mul(a, &z3);
        let mut y3 = f.mul(b3, &t2);
        y3 = f.add(&x3, &y3);
        x3 = f.sub(&t1, &y3);
        y3 = f.add(&t1, &y3);
        y3 = f.mul(&x3, &y3);
        x3 = f.mul(&t3, &x3);
        z3 = f.mul(b3, &z3);
        t2 = f.mul(a, &t2);
        t3 = f.sub(&t0, &t2);
        t3 = f.mul(a, &t3);
        t3 = f.add(&t3, &z3);
        z3 = f.double(&t0);
        t0 = f.add(&z3, &t0);
        t0 = f.add(&t0, &t2);
        t0 = f.mul(&t0, &t3);
        y3 = f.add(&y3, &t0);
        t2 = f.mul(y, z);
        t2 = f.double(&t2);
        t0 = f.mul(&t2, &t3);
        x3 = f.sub(&x3, &t0);
        z3 = f.mul(&t2, &t1);
        z3 = f.double(&z3);
        z3 = f.double(&z3);

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
    /// each table entry read through a masked copy of all sixteen. What the fixed-base
    /// table is checked against.
    #[cfg(test)]
    pub(crate) fn mul(&self, k: &Uint<L>, c: &Curve<L>) -> Self {
        let table = self.window_table(c);
        let mut acc = Self::identity(c);
        let mut bit = Uint::<L>::BITS;
        while bit > 0 {
            bit -= 4;
            acc = acc.double(c).double(c).double(c).double(c);
            acc = acc.add(&select(table.iter().copied(), nibble(k, bit), c), c);
        }
        acc
    }

    /// `k * P` for the base point P in constant time, with no doubling at all: the sum over
    /// the 4-bit windows i of `k_i * 16^i * P`, each term read from the curve's table of
    /// those multiples through a masked copy of all sixteen.
    pub(crate) fn mul_base(k: &Uint<L>, c: &Curve<L>) -> Self {
        let mut acc = Self::identity(c);
        for (window, row) in (0u32..).zip(base_multiples(c).chunks_exact(16)) {
            let entries = row.iter().map(|&[x, y, z]| ProjectivePoint { x, y, z });
            let chosen = select(entries, nibble(k, 4 * window), c);
            acc = acc.add(&chosen, c);
        }
        acc
    }

    /// Projective equality: `X1*Z2 = X2*Z1` and `Y1*Z2 = Y2*Z1`.
    #[cfg(test)]
    pub(crate) fn eq(&self, other: &Self, c: &Curve<L>) -> bool {
        let f = &c.p;
        let x = f.mul(&self.x, &other.z).ct_eq(&f.mul(&other.x, &self.z));
        let y = f.mul(&self.y, &other.z).ct_eq(&f.mul(&other.y, &self.z));
        x.and(y).to_bool()
    }
}

/// The entry `n` of a row of sixteen points, read through a masked copy of every entry.
fn select<const L: usize>(
    entries: impl Iterator<Item = ProjectivePoint<L>>,
    n: u8,
    c: &Curve<L>,
) -> ProjectivePoint<L> {
    let mut chosen = ProjectivePoint::identity(c);
    for (j, entry) in (0u8..).zip(entries) {
        chosen.ct_assign(&entry, Choice::from_u8_eq(n, j));
    }
    chosen
}

/// The curve's table `j * 16^i * P` (row i for the i-th 4-bit window of a scalar, entry j
/// for its value), made on first use: 16 points for each of the scalar width's windows.
fn base_multiples<const L: usize>(c: &Curve<L>) -> &[[Fe<L>; 3]] {
    c.base_multiples.get_or_init(|| {
        let windows = Uint::<L>::BITS / 4;
        let mut rows = Vec::with_capacity(16 * windows as usize);
        let mut base = ProjectivePoint::generator(c);
        for _ in 0..windows {
            let row = base.window_table(c);
            rows.extend(row.iter().map(|p| [p.x, p.y, p.z]));
            base = row[15].add(&base, c);
        }
        rows.into_boxed_slice()
    })
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
    let f = &c.p;
    let rhs = f.add(&f.mul(&f.add(&f.square(x), &c.a), x), &c.b);
    f.square(y).ct_eq(&rhs)
}
