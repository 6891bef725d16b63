//! The MishMash hash $h = (x^3 \bmod p) \bmod 2^l$ and its split into $K$ Bloom indices.
//!
//! Hash rows (three columns): row 0 $(x, q, r)$, row 1 $(\mathit{msb}, h, r_p)$, with
//!
//! - $x^3 = q\,p + r$
//! - $r = \mathit{msb}\cdot 2^l + h$, $\mathit{msb}(1-\mathit{msb}) = 0$
//! - $r_p = p - 1 - r$
//!
//! plus range checks on the range lane: $q < 2^{3n-l}$ and $r_p < 2^{l+1}$. The caller must
//! bound $x < 2^n$ and $h < 2^l$ (the split below and the Bloom lookup bound every index to
//! $\log_2 E$ bits). Then $r < 2^{l+1}$ and $r \le p - 1$, and $q\,p + r < 2^{3n+2}$ is far
//! below the field modulus, so the equation holds over the integers: $r = x^3 \bmod p$.
//!
//! Split rows (two columns, $K > 1$; gates `split` with constant radices): $(hs_k, \mathit{idx}_k)$ with
//! $hs_k = \mathit{idx}_k + 2^{\log_2 E} hs_{k+1}$ and $hs_{K-1} = \mathit{idx}_{K-1}$, so
//! $h = \sum_k \mathit{idx}_k 2^{k \log_2 E}$. The indices are **not** range-checked here
//! (`split_unchecked`): the Bloom lookup bounds them.

use super::range::RangeChip;
use super::{assign, bool_expr, pow2, CircuitField, Wire};
use halo2_proofs::circuit::{Region, Value};
use halo2_proofs::plonk::{Advice, Column, ConstraintSystem, Constraints, Expression, Selector};
use halo2_proofs::poly::Rotation;

/// Hash parameters baked into the gate.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct HashParams {
    /// The prime.
    pub p: u64,
    /// Hash bits `l`.
    pub l: u32,
    /// Input bits `n`.
    pub n: u32,
    /// Hashes `K` (indices of `l / K` bits each).
    pub k: u32,
}

impl HashParams {
    /// Bits of the quotient bound, `3n − l`.
    pub fn quotient_bits(&self) -> u32 {
        (3 * self.n).saturating_sub(self.l).max(1)
    }
}

/// Columns of the hash gadget.
#[derive(Clone, Debug)]
pub struct MishMashConfig {
    /// Three advice columns.
    pub cols: [Column<Advice>; 3],
    /// Enables the hash gate (on row 0).
    pub q_hash: Selector,
    /// Enables the split gate `hs = idx + 2^b·hs'` (all split rows but the last); `None`
    /// for `K = 1`, where there is nothing to split (no gate, no selector).
    pub q_split: Option<Selector>,
    /// Enables `hs = idx` on the last split row (`None` for `K = 1`).
    pub q_split_last: Option<Selector>,
    /// The hash parameters.
    pub params: HashParams,
}

/// Hash witness values of one filter.
#[derive(Clone, Copy, Debug)]
pub struct HashWitness<F: CircuitField> {
    /// Quotient `⌊x³ / p⌋`.
    pub q: Value<F>,
    /// Remainder `x³ mod p`.
    pub r: Value<u64>,
}

/// The MishMash chip.
#[derive(Clone, Debug)]
pub struct MishMashChip {
    /// Its configuration.
    pub config: MishMashConfig,
    range: RangeChip,
}

impl MishMashChip {
    /// Configures the hash and split gates on three caller-allocated columns (equality
    /// enabled by the caller).
    pub fn configure<F: CircuitField>(
        meta: &mut ConstraintSystem<F>,
        cols: [Column<Advice>; 3],
        params: HashParams,
    ) -> MishMashConfig {
        let q_hash = meta.selector();
        let p = F::from(params.p);
        let two_l = pow2::<F>(params.l);
        meta.create_gate("mishmash", |m| {
            let q = m.query_selector(q_hash);
            let x = m.query_advice(cols[0], Rotation::cur());
            let quo = m.query_advice(cols[1], Rotation::cur());
            let r = m.query_advice(cols[2], Rotation::cur());
            let msb = m.query_advice(cols[0], Rotation::next());
            let h = m.query_advice(cols[1], Rotation::next());
            let rp = m.query_advice(cols[2], Rotation::next());
            let c = |v: F| Expression::Constant(v);
            Constraints::with_selector(
                q,
                [
                    (
                        "x³ = q·p + r",
                        x.clone() * x.clone() * x - quo * c(p) - r.clone(),
                    ),
                    ("r = msb·2^l + h", r.clone() - msb.clone() * c(two_l) - h),
                    ("msb ∈ {0,1}", bool_expr(msb)),
                    ("rp = p − 1 − r", rp + r - c(p - F::ONE)),
                ],
            )
        });
        let (q_split, q_split_last) = if params.k > 1 {
            let (q_split, q_split_last) = (meta.selector(), meta.selector());
            let radix = pow2::<F>(params.l / params.k);
            meta.create_gate("split", |m| {
                let q = m.query_selector(q_split);
                let ql = m.query_selector(q_split_last);
                let hs = m.query_advice(cols[0], Rotation::cur());
                let hs_next = m.query_advice(cols[0], Rotation::next());
                let idx = m.query_advice(cols[1], Rotation::cur());
                vec![
                    q * (hs.clone() - idx.clone() - Expression::Constant(radix) * hs_next),
                    ql * (hs - idx),
                ]
            });
            (Some(q_split), Some(q_split_last))
        } else {
            (None, None)
        };
        MishMashConfig {
            cols,
            q_hash,
            q_split,
            q_split_last,
            params,
        }
    }

    /// Builds the chip.
    pub fn construct(config: MishMashConfig, range: RangeChip) -> Self {
        MishMashChip { config, range }
    }

    /// Lane rows used by [`Self::hash`]: the decompositions of `q` and `r_p`.
    pub fn lane_rows(params: &HashParams) -> usize {
        RangeChip::limb_widths(params.quotient_bits(), 8).len()
            + RangeChip::limb_widths(params.l + 1, 8).len()
    }

    /// Hashes `x` (which the caller has bounded to `n` bits): two rows at `row` in this
    /// chip's columns, and [`Self::lane_rows`] rows at `lane_row` on the range lane.
    /// Returns `h` (not yet bounded to `l` bits: see the module doc).
    pub fn hash<F: CircuitField>(
        &self,
        region: &mut Region<'_, F>,
        row: usize,
        lane_row: usize,
        x: &Wire<F>,
        w: HashWitness<F>,
    ) -> Wire<F> {
        let c = &self.config;
        let hp = c.params;
        x.copy_to(region, c.cols[0], row);
        let q = assign(region, c.cols[1], row, w.q);
        let r_f = w.r.map(F::from);
        assign(region, c.cols[2], row, r_f);
        let msb = w.r.map(|r| F::from(r >> hp.l));
        let h = w.r.map(|r| F::from(r & ((1u64 << hp.l) - 1)));
        assign(region, c.cols[0], row + 1, msb);
        let h = assign(region, c.cols[1], row + 1, h);
        let rp = assign(
            region,
            c.cols[2],
            row + 1,
            r_f.map(|r| F::from(hp.p - 1) - r),
        );
        c.q_hash.enable(region, row).expect("selector");
        let qw = RangeChip::limb_widths(hp.quotient_bits(), 8);
        self.range.decompose(region, lane_row, &q, &qw);
        self.range.decompose(
            region,
            lane_row + qw.len(),
            &rp,
            &RangeChip::limb_widths(hp.l + 1, 8),
        );
        h
    }

    /// Splits `h` into `k` indices of `bits` bits, least significant first, on rows
    /// `row..row + k` (no rows when `k = 1`: the index is `h`). The indices are not
    /// range-checked: the caller must bound each to `bits` bits.
    ///
    /// # Panics
    /// If `bits·k` differs from the configured `l`.
    pub fn split_unchecked<F: CircuitField>(
        &self,
        region: &mut Region<'_, F>,
        row: usize,
        h: &Wire<F>,
        k: usize,
        bits: u32,
    ) -> Vec<Wire<F>> {
        assert_eq!(bits * k as u32, self.config.params.l, "split width");
        if k == 1 {
            return vec![*h];
        }
        let c = &self.config;
        let mut out = Vec::with_capacity(k);
        let mut hs = h.value;
        let inv = pow2::<F>(bits).invert().unwrap();
        for i in 0..k {
            let r = row + i;
            let hs_cell = if i == 0 {
                h.copy_to(region, c.cols[0], r)
            } else {
                assign(region, c.cols[0], r, hs)
            };
            let idx = hs_cell
                .value
                .map(|v| F::from(super::bits_of(&v, 0, bits as usize)));
            out.push(assign(region, c.cols[1], r, idx));
            let q = if i + 1 == k {
                c.q_split_last
            } else {
                c.q_split
            };
            q.expect("configured for K > 1")
                .enable(region, r)
                .expect("selector");
            hs = hs_cell.value.zip(idx).map(|(a, b)| (a - b) * inv);
        }
        out
    }
}
