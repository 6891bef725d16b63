//! One thermometer bit: $b = [x \ge t]$ for an input byte $x$ and a threshold $t \in [1, 255]$
//! fixed at key generation, in one row: the input (a copy of a range-checked cell), the bit,
//! and $d$ on the range lane with key 8, under gate `comparison` (selector `q_cmp`):
//!
//! - `b ∈ {0,1}`: $b(1-b) = 0$
//! - `x − t + 256·(1 − b) = d`, with $d < 2^8$ by the lane
//!
//! Soundness: with $x \in [0, 256)$ (checked where the input is witnessed) and
//! $t \in [1, 255]$, $b = 1$ forces $x - t \in [0, 256)$, i.e. $x \ge t$, and $b = 0$ forces
//! $x - t + 256 \in [0, 256)$, i.e. $x < t$; every quantity is below 512, so nothing wraps
//! around the field. (BTHOWeN's [`thermometer`](super::thermometer) gadget is this gate fused
//! with the bits-to-number sum of a filter input.)

use super::range::RangeChip;
use super::{assign, bool_expr, CircuitField, Wire};
use halo2_proofs::circuit::{Region, Value};
use halo2_proofs::plonk::{
    Advice, Column, ConstraintSystem, Constraints, Expression, Fixed, Selector,
};
use halo2_proofs::poly::Rotation;

/// Columns of the comparison gadget.
#[derive(Clone, Debug)]
pub struct CompareConfig {
    /// The input byte (equality enabled by the caller).
    pub x: Column<Advice>,
    /// The bit (equality enabled by the caller, to copy it into the nodes that read it).
    pub bit: Column<Advice>,
    /// The threshold `t`.
    pub thr: Column<Fixed>,
    /// Enables the gate.
    pub q_cmp: Selector,
}

/// The comparison chip.
#[derive(Clone, Debug)]
pub struct CompareChip {
    /// Its configuration.
    pub config: CompareConfig,
    range: RangeChip,
}

impl CompareChip {
    /// Configures the gate on caller-allocated columns; `d` lives on `range`'s lane.
    pub fn configure<F: CircuitField>(
        meta: &mut ConstraintSystem<F>,
        range: &super::range::RangeConfig,
        x: Column<Advice>,
        bit: Column<Advice>,
        thr: Column<Fixed>,
    ) -> CompareConfig {
        let q_cmp = meta.selector();
        let lane = range.lane;
        meta.create_gate("comparison", |m| {
            let q = m.query_selector(q_cmp);
            let xv = m.query_advice(x, Rotation::cur());
            let b = m.query_advice(bit, Rotation::cur());
            let d = m.query_advice(lane, Rotation::cur());
            let t = m.query_fixed(thr, Rotation::cur());
            let c256 = Expression::Constant(F::from(256));
            Constraints::with_selector(
                q,
                [
                    ("b ∈ {0,1}", bool_expr(b.clone())),
                    (
                        "x − t + 256·(1 − b) = d",
                        xv - t + c256.clone() - c256 * b - d,
                    ),
                ],
            )
        });
        CompareConfig { x, bit, thr, q_cmp }
    }

    /// Builds the chip.
    pub fn construct(config: CompareConfig, range: RangeChip) -> Self {
        CompareChip { config, range }
    }

    /// Assigns `[x ≥ t]` at `row`, copying the range-checked input `x`; `bit` is the witness
    /// (for an honest prover, `x ≥ t`). Returns the bit's cell.
    ///
    /// # Side-effects
    /// Writes the threshold and the lane key of `row`, enables the selector.
    ///
    /// # Panics
    /// If `t` is not in `1..=255`.
    pub fn assign<F: CircuitField>(
        &self,
        region: &mut Region<'_, F>,
        row: usize,
        x: &Wire<F>,
        t: u16,
        bit: Value<bool>,
    ) -> Wire<F> {
        assert!((1..=255).contains(&t), "threshold {t} has no comparison");
        let c = &self.config;
        x.copy_to(region, c.x, row);
        let b = assign(region, c.bit, row, bit.map(|b| F::from(b as u64)));
        region.assign_fixed(c.thr, row, F::from(t as u64));
        let d = x
            .value
            .zip(bit)
            .map(|(x, b)| x - F::from(t as u64) + F::from(256 * (!b) as u64));
        self.range.witness_check(region, row, d, 8);
        c.q_cmp.enable(region, row).expect("selector");
        b
    }
}
