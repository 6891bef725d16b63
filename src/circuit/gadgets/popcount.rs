//! Responses and scores: the AND of the $K$ class vectors of a filter, and the per-class
//! popcount in one spaced accumulator.
//!
//! With $b_{k,c}$ bit $c$ of class vector $k$, class $c$ responds to filter $f$ iff
//! $r_c = \prod_k b_{k,c} = 1$. All scores travel in one field element
//! $S = \sum_c \mathit{score}_c\, 2^{s c}$ with $2^s > F$, so no carry crosses classes; the
//! caller decomposes the final $S$ into $s$-bit limbs (the scores).
//!
//! Layout on $\max(3, K+2)$ columns $b_0..$:
//!
//! - **bit rows** ($K \cdot C$): $b_0 = y$, $b_1 = \mathit{bit}$ with $\mathit{bit} \in \{0,1\}$
//!   and $y = \mathit{bit} + 2 y'$ ($y = \mathit{bit}$ on each vector's last row),
//!   $y = V_k$ on each vector's first row (copy). On the last bit row, $b_{K+1}$ holds a copy
//!   of the incoming $S$.
//! - **response rows** ($C$): $b_k = b_{k,c}$ (copies), $b_K = r_c$, $b_{K+1} = S$ with
//!   $r_c = \prod_k b_k$ and $S = S_{prev} + r_c 2^{sc}$ ($S = r_c$ on the very first
//!   response row of a circuit, where there is no incoming $S$).

use super::{assign, bool_expr, pow2, CircuitField, Wire};
use halo2_proofs::circuit::{Region, Value};
use halo2_proofs::plonk::{Advice, Column, ConstraintSystem, Expression, Fixed, Selector};
use halo2_proofs::poly::Rotation;

/// Columns of the popcount gadget.
#[derive(Clone, Debug)]
pub struct PopcountConfig {
    /// `max(3, K+2)` advice columns.
    pub cols: Vec<Column<Advice>>,
    /// `2^(s·c)` on response rows (fixed).
    pub weight: Column<Fixed>,
    /// Enables the bit gate `y = bit + 2·y'`.
    pub q_bits: Selector,
    /// Enables the bit gate on a vector's last row, `y = bit`.
    pub q_bits_last: Selector,
    /// Enables the response gate where the accumulator starts.
    pub q_resp_first: Selector,
    /// Enables the response gate.
    pub q_resp: Selector,
    /// Hashes `K`.
    pub k: usize,
    /// Classes `C`.
    pub classes: usize,
    /// Bits per score `s`.
    pub score_bits: u32,
}

/// The popcount chip.
#[derive(Clone, Debug)]
pub struct PopcountChip {
    /// Its configuration.
    pub config: PopcountConfig,
}

impl PopcountChip {
    /// Configures the gates on `max(3, K+2)` caller-allocated columns (equality enabled).
    ///
    /// # Panics
    /// If fewer than `K + 2` columns are given.
    pub fn configure<F: CircuitField>(
        meta: &mut ConstraintSystem<F>,
        cols: Vec<Column<Advice>>,
        weight: Column<Fixed>,
        k: usize,
        classes: usize,
        score_bits: u32,
    ) -> PopcountConfig {
        assert!(cols.len() >= k + 2, "popcount needs K + 2 columns");
        let q_bits = meta.selector();
        let q_bits_last = meta.selector();
        let q_resp_first = meta.selector();
        let q_resp = meta.selector();
        meta.create_gate("class-vector bits", |m| {
            let q = m.query_selector(q_bits);
            let ql = m.query_selector(q_bits_last);
            let y = m.query_advice(cols[0], Rotation::cur());
            let y_next = m.query_advice(cols[0], Rotation::next());
            let b = m.query_advice(cols[1], Rotation::cur());
            let two = Expression::Constant(F::from(2));
            vec![
                q.clone() * bool_expr(b.clone()),
                ql.clone() * bool_expr(b.clone()),
                q * (y.clone() - b.clone() - two * y_next),
                ql * (y - b),
            ]
        });
        let (rc, sc) = (cols[k], cols[k + 1]);
        let bcols: Vec<_> = cols[..k].to_vec();
        meta.create_gate("response", |m| {
            let qf = m.query_selector(q_resp_first);
            let qn = m.query_selector(q_resp);
            let mut prod = Expression::Constant(F::ONE);
            for &c in &bcols {
                prod = prod * m.query_advice(c, Rotation::cur());
            }
            let r = m.query_advice(rc, Rotation::cur());
            let s = m.query_advice(sc, Rotation::cur());
            let s_prev = m.query_advice(sc, Rotation::prev());
            let w = m.query_fixed(weight, Rotation::cur());
            vec![
                qf.clone() * (r.clone() - prod.clone()),
                qn.clone() * (r.clone() - prod),
                qf * (s.clone() - r.clone() * w.clone()),
                qn * (s - s_prev - r * w),
            ]
        });
        PopcountConfig {
            cols,
            weight,
            q_bits,
            q_bits_last,
            q_resp_first,
            q_resp,
            k,
            classes,
            score_bits,
        }
    }

    /// Builds the chip.
    pub fn construct(config: PopcountConfig) -> Self {
        PopcountChip { config }
    }

    /// Rows one filter takes: `(K + 1)·C`.
    pub fn rows(k: usize, classes: usize) -> usize {
        (k + 1) * classes
    }

    /// Adds the responses of one filter to the accumulator `prev` (or starts it) on rows
    /// `row..row + (K+1)·C`. `vectors` are the `K` class vectors, which must already be
    /// bounded to `C` bits (the decomposition here also proves it); `bits[k][c]` is the
    /// prover's bit `c` of vector `k`. Returns the new accumulator.
    ///
    /// # Panics
    /// If `vectors.len() != K` or `bits` is not `K × C`.
    pub fn accumulate<F: CircuitField>(
        &self,
        region: &mut Region<'_, F>,
        row: usize,
        vectors: &[Wire<F>],
        bits: &[Vec<Value<bool>>],
        prev: Option<&Wire<F>>,
    ) -> Wire<F> {
        let c = &self.config;
        let (k, classes) = (c.k, c.classes);
        assert_eq!(vectors.len(), k);
        assert!(bits.len() == k && bits.iter().all(|b| b.len() == classes));
        let to_f = |b: Value<bool>| b.map(|b| if b { F::ONE } else { F::ZERO });
        let mut bit_cells = vec![Vec::with_capacity(classes); k];
        for (ki, (vec_wire, vec_bits)) in vectors.iter().zip(bits).enumerate() {
            let mut y = vec_wire.value;
            for (ci, &bit) in vec_bits.iter().enumerate() {
                let r = row + ki * classes + ci;
                let yc = if ci == 0 {
                    vec_wire.copy_to(region, c.cols[0], r)
                } else {
                    assign(region, c.cols[0], r, y)
                };
                let b = to_f(bit);
                bit_cells[ki].push(assign(region, c.cols[1], r, b));
                if ci + 1 == classes {
                    c.q_bits_last.enable(region, r).expect("selector");
                } else {
                    c.q_bits.enable(region, r).expect("selector");
                }
                let half = F::from(2).invert().unwrap();
                y = yc.value.zip(b).map(|(y, b)| (y - b) * half);
            }
        }
        let base = row + k * classes;
        if let Some(p) = prev {
            p.copy_to(region, c.cols[k + 1], base - 1);
        }
        let mut s = prev.map(|p| p.value).unwrap_or(Value::known(F::ZERO));
        let mut out = None;
        for ci in 0..classes {
            let r = base + ci;
            let mut resp = Value::known(F::ONE);
            for (ki, cells) in bit_cells.iter().enumerate() {
                let b = cells[ci].copy_to(region, c.cols[ki], r);
                resp = resp.zip(b.value).map(|(a, b)| a * b);
            }
            assign(region, c.cols[k], r, resp);
            let weight = pow2::<F>(c.score_bits * ci as u32);
            s = s.zip(resp).map(|(s, r)| s + r * weight);
            out = Some(assign(region, c.cols[k + 1], r, s));
            let chained = ci > 0 || prev.is_some();
            region.assign_fixed(c.weight, r, weight);
            if chained {
                c.q_resp.enable(region, r).expect("selector");
            } else {
                c.q_resp_first.enable(region, r).expect("selector");
            }
        }
        out.expect("C ≥ 1")
    }
}
