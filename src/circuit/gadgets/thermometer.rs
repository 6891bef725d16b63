//! Thermometer encoding fused with bits-to-number: one row per non-constant pixel-threshold.
//!
//! A filter input is $x = c_0 + \sum_j b_j 2^{e_j}$ where the $b_j = [\mathit{pix}_j \ge t_j]$
//! are the filter's non-constant thermometer bits (thresholds $t_j \in [1, 255]$) taken in
//! permuted order, and $c_0$ collects the bits fixed by thresholds 0 (always 1) and 256
//! (always 0). A first row holds $\mathit{acc} = c_0$ (pinned by [`ConstantChip`]);
//! then row $j$ holds $(\mathit{pix}, b, \mathit{acc})$ and $d$ on the range lane, with fixed
//! $t_j$ and $2^{e_j}$:
//!
//! - $b(1-b) = 0$
//! - $\mathit{pix} - t + 256(1 - b) = d$, with $d < 2^8$ by the lane
//! - $\mathit{acc} = \mathit{acc}_{prev} + b \cdot 2^{e}$
//!
//! Soundness: with $\mathit{pix} \in [0, 256)$ (checked where the pixel is witnessed) and
//! $t \in [1, 255]$, $b = 1$ forces $\mathit{pix} - t \in [0, 256)$, i.e. $\mathit{pix} \ge t$,
//! and $b = 0$ forces $\mathit{pix} - t + 256 \in [0, 256)$, i.e. $\mathit{pix} < t$; no
//! wrap-around is possible since every quantity is below 512. The last `acc` is $x$.

use super::constant::ConstantChip;
use super::range::RangeChip;
use super::{assign, bool_expr, CircuitField, Wire};
use halo2_proofs::circuit::{Region, Value};
use halo2_proofs::plonk::{
    Advice, Column, ConstraintSystem, Constraints, Expression, Fixed, Selector,
};
use halo2_proofs::poly::Rotation;

/// Columns of the encoding gadget.
#[derive(Clone, Debug)]
pub struct ThermometerConfig {
    /// Pixel (a copy of a range-checked pixel cell).
    pub pix: Column<Advice>,
    /// Thermometer bit.
    pub bit: Column<Advice>,
    /// Running filter input.
    pub acc: Column<Advice>,
    /// Threshold `t` (fixed).
    pub thr: Column<Fixed>,
    /// Power `2^e` of the bit in the filter input (fixed).
    pub pow: Column<Fixed>,
    /// Enables the gate.
    pub q_cmp: Selector,
}

/// One comparison of a chunk: the pixel cell, its threshold, the bit's exponent and value.
#[derive(Clone, Copy, Debug)]
pub struct Comparison<F: CircuitField> {
    /// The pixel, already range-checked to 8 bits.
    pub pixel: Wire<F>,
    /// Quantised threshold, in `1..=255`.
    pub threshold: u16,
    /// Position of the bit in the filter input.
    pub exponent: u32,
    /// The bit's witness value.
    pub bit: Value<bool>,
}

/// The encoding chip.
#[derive(Clone, Debug)]
pub struct ThermometerChip {
    /// Its configuration.
    pub config: ThermometerConfig,
    range: RangeChip,
}

impl ThermometerChip {
    /// Configures the gate; `d` lives on the range lane of `range`.
    #[allow(clippy::too_many_arguments)]
    pub fn configure<F: CircuitField>(
        meta: &mut ConstraintSystem<F>,
        range: &super::range::RangeConfig,
        pix: Column<Advice>,
        bit: Column<Advice>,
        acc: Column<Advice>,
        thr: Column<Fixed>,
        pow: Column<Fixed>,
    ) -> ThermometerConfig {
        let q_cmp = meta.selector();
        let lane = range.lane;
        meta.create_gate("thermometer bit", |m| {
            let q = m.query_selector(q_cmp);
            let p = m.query_advice(pix, Rotation::cur());
            let b = m.query_advice(bit, Rotation::cur());
            let a = m.query_advice(acc, Rotation::cur());
            let a_prev = m.query_advice(acc, Rotation::prev());
            let d = m.query_advice(lane, Rotation::cur());
            let t = m.query_fixed(thr, Rotation::cur());
            let e = m.query_fixed(pow, Rotation::cur());
            let c256 = Expression::Constant(F::from(256));
            Constraints::with_selector(
                q,
                [
                    ("b ∈ {0,1}", bool_expr(b.clone())),
                    (
                        "pix − t + 256·(1 − b) = d",
                        p - t + c256.clone() - c256 * b.clone() - d,
                    ),
                    ("acc = acc' + b·2^e", a - a_prev - b * e),
                ],
            )
        });
        ThermometerConfig {
            pix,
            bit,
            acc,
            thr,
            pow,
            q_cmp,
        }
    }

    /// Builds the chip.
    pub fn construct(config: ThermometerConfig, range: RangeChip) -> Self {
        ThermometerChip { config, range }
    }

    /// Rows of a chunk with `n` comparisons: the constant row and one per comparison.
    pub fn rows(n: usize) -> usize {
        n + 1
    }

    /// Assigns one filter input from its non-empty list of comparisons on rows
    /// `row..row + 1 + comparisons.len()`, returning the cell of `x = init + Σ b·2^e`.
    /// `init` is pinned on row `row` by `constant`, which must pin cells of the `acc` column.
    ///
    /// The pixels must already be range-checked to 8 bits (this gadget copies them).
    ///
    /// # Panics
    /// If `comparisons` is empty, a threshold is outside `1..=255`, or `constant` pins
    /// another column.
    pub fn assign_chunk<F: CircuitField>(
        &self,
        region: &mut Region<'_, F>,
        row: usize,
        comparisons: &[Comparison<F>],
        init: F,
        constant: &ConstantChip,
    ) -> Wire<F> {
        assert!(
            !comparisons.is_empty(),
            "a chunk needs at least one comparison"
        );
        let c = &self.config;
        assert_eq!(
            constant.config.advice, c.acc,
            "the init must be pinned in acc"
        );
        let mut acc = Value::known(init);
        constant.assign(region, row, init);
        let mut last = None;
        for (i, cmp) in comparisons.iter().enumerate() {
            assert!(
                (1..=255).contains(&cmp.threshold),
                "threshold {} not in 1..=255",
                cmp.threshold
            );
            let r = row + 1 + i;
            let t = F::from(cmp.threshold as u64);
            let pow = super::pow2::<F>(cmp.exponent);
            let p = cmp.pixel.copy_to(region, c.pix, r);
            let b = cmp.bit.map(|b| if b { F::ONE } else { F::ZERO });
            assign(region, c.bit, r, b);
            let d = p
                .value
                .zip(b)
                .map(|(p, b)| p - t + F::from(256) * (F::ONE - b));
            self.range.witness_check(region, r, d, 8);
            acc = acc.zip(b).map(|(a, b)| a + b * pow);
            last = Some(assign(region, c.acc, r, acc));
            region.assign_fixed(c.thr, r, t);
            region.assign_fixed(c.pow, r, pow);
            c.q_cmp.enable(region, r).expect("selector");
        }
        last.expect("non-empty")
    }
}
