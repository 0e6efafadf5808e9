//! Arithmetic modulo the curve's prime p and modulo its group order q, in Montgomery form.
//!
//! crypto-bigint's `FixedMontyForm` carries its modulus parameters inside every value, so
//! every addition and multiplication copies them: on x86-64 a 256-bit addition cost 29 ns
//! and a multiplication 52 ns, and point arithmetic is nothing but those. Here a value is
//! its limbs alone and the modulus is passed beside it: multiplication is the CIOS
//! Montgomery method on machine words, addition and subtraction one pass each with a
//! masked correction, all without a branch on the values. crypto-bigint still does what is
//! done once per signature or key: conversion in and out of Montgomery form, and inversion.

use crypto_bigint::ctutils::{Choice, CtAssign, CtEq, CtOption};
use crypto_bigint::modular::{FixedMontyForm, FixedMontyParams};
use crypto_bigint::{Odd, Uint, WideWord, Word};
use zeroize::Zeroize;

/// An element `x` of a prime field as `x * R mod m` (R = 2^(word bits * L)), fully reduced.
#[derive(Clone, Copy)]
pub(crate) struct Fe<const L: usize>([Word; L]);

impl<const L: usize> Zeroize for Fe<L> {
    fn zeroize(&mut self) {
        self.0.zeroize();
    }
}

impl<const L: usize> CtEq for Fe<L> {
    fn ct_eq(&self, other: &Self) -> Choice {
        Uint::from_words(self.0).ct_eq(&Uint::from_words(other.0))
    }
}

impl<const L: usize> CtAssign for Fe<L> {
    fn ct_assign(&mut self, src: &Self, choice: Choice) {
        let mask = Word::from(choice.to_u8()).wrapping_neg();
        for (mine, theirs) in self.0.iter_mut().zip(src.0) {
            *mine ^= (*mine ^ theirs) & mask;
        }
    }
}

impl<const L: usize> Fe<L> {
    /// Whether this is zero (which has the same form in and out of Montgomery form).
    pub(crate) fn is_zero(&self) -> Choice {
        Uint::from_words(self.0).is_zero()
    }
}

/// A prime modulus and what Montgomery arithmetic modulo it needs.
pub(crate) struct Field<const L: usize> {
    params: FixedMontyParams<L>,
    modulus: [Word; L],
    /// `-m^-1 mod 2^(word bits)`.
    neg_inv: Word,
}

/// Bits of a machine word: the shift that takes the high half of a wide product.
const WORD_BITS: u32 = Word::BITS;

impl<const L: usize> Field<L> {
    /// The field modulo `m` (compile-time).
    pub(crate) const fn new(m: Odd<Uint<L>>) -> Self {
        let params = FixedMontyParams::new(m);
        Field {
            modulus: *m.as_ref().as_words(),
            neg_inv: params.mod_neg_inv().0,
            params,
        }
    }

    /// The modulus as an integer.
    pub(crate) const fn modulus(&self) -> &Uint<L> {
        self.params.modulus().as_ref()
    }

    /// `x mod m` as a field element (compile-time; `x` is any integer of the width).
    pub(crate) const fn element(&self, x: &Uint<L>) -> Fe<L> {
        Fe(*FixedMontyForm::new(x, &self.params)
            .as_montgomery()
            .as_words())
    }

    /// The integer in `[0, m)` that `a` stands for.
    pub(crate) fn to_uint(&self, a: &Fe<L>) -> Uint<L> {
        self.monty(a).retrieve()
    }

    /// The element as crypto-bigint's form, for what it does once: out of Montgomery
    /// form, and inversion.
    const fn monty(&self, a: &Fe<L>) -> FixedMontyForm<L> {
        FixedMontyForm::from_montgomery(Uint::from_words(a.0), &self.params)
    }

    pub(crate) const fn zero(&self) -> Fe<L> {
        Fe([0; L])
    }

    pub(crate) const fn one(&self) -> Fe<L> {
        Fe(*self.params.one().as_words())
    }

    /// `a + b`.
    pub(crate) fn add(&self, a: &Fe<L>, b: &Fe<L>) -> Fe<L> {
        let mut sum = [0; L];
        let mut carry: Word = 0;
        for (i, out) in sum.iter_mut().enumerate() {
            let wide = WideWord::from(a.0[i]) + WideWord::from(b.0[i]) + WideWord::from(carry);
            *out = wide as Word;
            carry = (wide >> WORD_BITS) as Word;
        }
        self.reduce_once(sum, carry)
    }

    /// `a + a`.
    pub(crate) fn double(&self, a: &Fe<L>) -> Fe<L> {
        self.add(a, a)
    }

    /// `a - b`.
    pub(crate) fn sub(&self, a: &Fe<L>, b: &Fe<L>) -> Fe<L> {
        let (mut diff, borrow) = sub_words(&a.0, &b.0);
        // Add the modulus back when the subtraction went below zero.
        let mask = borrow.wrapping_neg();
        let mut carry: Word = 0;
        for (i, out) in diff.iter_mut().enumerate() {
            let wide = WideWord::from(*out)
                + WideWord::from(self.modulus[i] & mask)
                + WideWord::from(carry);
            *out = wide as Word;
            carry = (wide >> WORD_BITS) as Word;
        }
        Fe(diff)
    }

    /// `-a`.
    pub(crate) fn neg(&self, a: &Fe<L>) -> Fe<L> {
        self.sub(&self.zero(), a)
    }

    /// `a * b` (CIOS Montgomery multiplication: `a * b / R mod m`).
    pub(crate) fn mul(&self, a: &Fe<L>, b: &Fe<L>) -> Fe<L> {
        let m = &self.modulus;
        let mut t = [0 as Word; L];
        let mut top: Word = 0;
        for &bi in &b.0 {
            // t += a * b_i
            let mut carry: Word = 0;
            for (tj, &aj) in t.iter_mut().zip(&a.0) {
                let wide = WideWord::from(*tj)
                    + WideWord::from(aj) * WideWord::from(bi)
                    + WideWord::from(carry);
                *tj = wide as Word;
                carry = (wide >> WORD_BITS) as Word;
            }
            let wide = WideWord::from(top) + WideWord::from(carry);
            top = wide as Word;
            let overflow = (wide >> WORD_BITS) as Word;
            // t = (t + m * u) / 2^W, with u chosen so that the low word vanishes.
            let u = t[0].wrapping_mul(self.neg_inv);
            let wide = WideWord::from(t[0]) + WideWord::from(u) * WideWord::from(m[0]);
            let mut carry = (wide >> WORD_BITS) as Word;
            for j in 1..L {
                let wide = WideWord::from(t[j])
                    + WideWord::from(u) * WideWord::from(m[j])
                    + WideWord::from(carry);
                t[j - 1] = wide as Word;
                carry = (wide >> WORD_BITS) as Word;
            }
            let wide = WideWord::from(top) + WideWord::from(carry);
            t[L - 1] = wide as Word;
            top = overflow + (wide >> WORD_BITS) as Word;
        }
        self.reduce_once(t, top)
    }

    /// `a * a`.
    pub(crate) fn square(&self, a: &Fe<L>) -> Fe<L> {
        self.mul(a, a)
    }

    /// `1 / a`, none for zero. Constant time.
    pub(crate) fn invert(&self, a: &Fe<L>) -> CtOption<Fe<L>> {
        self.monty(a)
            .invert()
            .map(|inverse| Fe(*inverse.as_montgomery().as_words()))
    }

    /// `1 / a`, none for zero; for public values only.
    pub(crate) fn invert_vartime(&self, a: &Fe<L>) -> Option<Fe<L>> {
        self.monty(a)
            .invert_vartime()
            .into_option()
            .map(|inverse| Fe(*inverse.as_montgomery().as_words()))
    }

    /// `value + top * 2^(W*L)` reduced into `[0, m)`, given that it is below `2m`.
    fn reduce_once(&self, value: [Word; L], top: Word) -> Fe<L> {
        let (reduced, borrow) = sub_words(&value, &self.modulus);
        // Keep the subtraction when it did not go below zero, or when the value had a
        // word beyond the width (then it is at least 2^(W*L) > m).
        let keep = (top | (borrow ^ 1)) & 1;
        let mask = keep.wrapping_neg();
        let mut out = value;
        for (o, r) in out.iter_mut().zip(reduced) {
            *o ^= (*o ^ r) & mask;
        }
        Fe(out)
    }
}

/// `a - b` over the words, with the final borrow (1 when `a < b`).
fn sub_words<const L: usize>(a: &[Word; L], b: &[Word; L]) -> ([Word; L], Word) {
    let mut out = [0; L];
    let mut borrow: Word = 0;
    for i in 0..L {
        let (d1, b1) = a[i].overflowing_sub(b[i]);
        let (d2, b2) = d1.overflowing_sub(borrow);
        out[i] = d2;
        borrow = Word::from(b1 | b2);
    }
    (out, borrow)
}
