//! Reusable Halo2 gadgets of the WNN circuit.
//!
//! halo2-axiom's floor planner is single-pass and places every region at row 0, so gadgets
//! here take a [`Region`] and an **absolute** row offset, and report how many rows they used.
//! Callers own row allocation (see [`crate::circuit::WnnCircuit`]). Every gadget documents the
//! relation it enforces and the preconditions it assumes; functions whose soundness depends
//! on a caller-side check carry `_unchecked` in their name.

pub mod argmax;
pub mod bloom;
pub mod compare;
pub mod constant;
pub mod lut;
pub mod mishmash;
pub mod popcount;
pub mod poseidon;
pub mod range;
pub mod thermometer;

use halo2_proofs::circuit::{Cell, Region, Value};
use halo2_proofs::halo2curves::ff::PrimeField;
use halo2_proofs::plonk::{Advice, Column, Expression};

/// The field the gadgets work over: a prime field whose canonical representation is 32
/// little-endian bytes (BN254's scalar field `Fr`).
pub trait CircuitField: PrimeField<Repr = [u8; 32]> {}
impl<F: PrimeField<Repr = [u8; 32]>> CircuitField for F {}

/// An assigned advice cell with its value.
#[derive(Clone, Copy, Debug)]
pub struct Wire<F: CircuitField> {
    /// Where it lives.
    pub cell: Cell,
    /// Its value (unknown at key generation).
    pub value: Value<F>,
}

impl<F: CircuitField> Wire<F> {
    /// Assigns a copy of this wire at `(column, row)` and constrains the two to be equal.
    pub fn copy_to(
        &self,
        region: &mut Region<'_, F>,
        column: Column<Advice>,
        row: usize,
    ) -> Wire<F> {
        let w = assign(region, column, row, self.value);
        region.constrain_equal(w.cell, self.cell);
        w
    }
}

/// Assigns a witness value.
pub fn assign<F: CircuitField>(
    region: &mut Region<'_, F>,
    column: Column<Advice>,
    row: usize,
    value: Value<F>,
) -> Wire<F> {
    let cell = region.assign_advice(column, row, value).cell();
    Wire { cell, value }
}

/// `e · (1 − e)`: zero iff `e ∈ {0, 1}`.
pub fn bool_expr<F: CircuitField>(e: Expression<F>) -> Expression<F> {
    e.clone() * (Expression::Constant(F::ONE) - e)
}

/// `2^n` in the field.
pub fn pow2<F: CircuitField>(n: u32) -> F {
    F::from(2).pow_vartime([n as u64])
}

/// A field element from a `u128`.
pub fn from_u128<F: CircuitField>(v: u128) -> F {
    F::from_u128(v)
}

/// Bits `start..start+len` (`len ≤ 64`) of the canonical integer of `v`.
pub fn bits_of<F: CircuitField>(v: &F, start: usize, len: usize) -> u64 {
    let repr = v.to_repr();
    let mut out = 0u64;
    for i in 0..len {
        let b = start + i;
        if b < 256 && (repr[b / 8] >> (b % 8)) & 1 == 1 {
            out |= 1 << i;
        }
    }
    out
}

/// The canonical integer of `v` if it is below `2^64`.
pub fn to_u64<F: CircuitField>(v: &F) -> Option<u64> {
    let repr = v.to_repr();
    if repr[8..].iter().any(|&b| b != 0) {
        return None;
    }
    Some(u64::from_le_bytes(repr[..8].try_into().unwrap()))
}

#[cfg(test)]
mod tests {
    use super::*;
    use halo2_proofs::halo2curves::bn256::Fr;

    #[test]
    fn field_helpers() {
        let v = Fr::from(0b1011_0110u64) + pow2::<Fr>(200);
        assert_eq!(bits_of(&v, 0, 8), 0b1011_0110);
        assert_eq!(bits_of(&v, 1, 3), 0b011);
        assert_eq!(bits_of(&v, 200, 2), 1);
        assert_eq!(to_u64(&Fr::from(77)), Some(77));
        assert_eq!(to_u64(&v), None);
        assert_eq!(to_u64(&-Fr::one()), None);
    }
}
