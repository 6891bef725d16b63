//! A LUT node: $n \le 6$ boolean input cells, a truth table fixed at key generation, one
//! boolean output — and the per-class popcount of a network's last layer.
//!
//! **Cells.** A node spans $R$ rows of $W$ advice columns (row-major): the inputs
//! $x_0..x_{n-1}$, the output $o$, then the running class count $\kappa$; and
//! $v$ on the range lane of its first row, with key [`NODE_KEY`]. Its truth table
//! $T < 2^{2^n}$ enters as **chunks** of $c = 2^\lambda$ bits ($c = 8$, bytes, or $c = 4$,
//! nibbles): $T_h = \lfloor T / 2^{ch} \rfloor \bmod 2^c$ in fixed cells
//! ($h < \max(1, 2^n / c)$; chunk $h$ in fixed column $h \bmod F$ of row
//! $\lfloor h/F \rfloor$).
//!
//! **Relation** (gate `LUT node`, selector `q_node` on the first row). With the low address
//! $a = \sum_{j < \min(n,\lambda)} 2^j x_j$ and the selected chunk
//! $B = \sum_{h} \chi_h(x_\lambda, \dots, x_{n-1})\, T_h$ ($\chi_h$ the multilinear indicator
//! of $h$ written in binary over the high inputs):
//!
//! - `v = 2c·B + 2·a + o`: $v - 2cB - 2a - o = 0$
//! - `o ∈ {0,1}`: $o(1-o) = 0$
//!
//! and the lookup `(NODE_KEY, v)` ∈ table, whose rows under that key are exactly the
//! $c \cdot 2^c$ values $2cb + 2l + \mathrm{bit}_l(b)$ for $b < 2^c$, $l < c$: 2,048 rows for
//! bytes, 64 for nibbles (a small table lets small networks use a small `k`). The gate's
//! degree is $2 + (n - \lambda)$ with the selector, so nibbles serve arities up to 5 within
//! the circuit's degree 5, bytes every arity up to 6.
//!
//! **Soundness.** Precondition: every input cell is boolean (each is a copy of a comparison
//! bit, of another node's output, or of a pinned constant). Then $B$ is the chunk of $T$ that
//! the high inputs select ($\chi$ is one-hot on boolean inputs), $B < 2^c$ and $a < c$; the
//! table value $v = 2cb + 2l + \beta$ equals $2cB + 2a + o$ with $o \in \{0,1\}$, and since
//! both sides are integers below $2c \cdot 2^c \le 4096$ (no wrap-around in the field) with
//! unique digits, $b = B$, $l = a$ and $o = \beta = \mathrm{bit}_a(B) = T[\text{address}]$.
//!
//! **Popcount** (last layer only; its nodes in class order, each group's nodes on
//! consecutive node slots). Gate `group start` (`q_start`): $\kappa = o$. Gate
//! `group count` (`q_count`): $\kappa = \kappa_{\text{prev}} + o$, where
//! $\kappa_{\text{prev}}$ is the previous node's $\kappa$, $R$ rows above. The last node's
//! $\kappa$ is the group's score $\sigma_c = \sum o \le G$, an honest integer (no range
//! check needed: a sum of $G$ booleans).
//!
//! **Lean form** (the EVM layout, one selector column and one quotient piece fewer). With
//! 3 high inputs $y_0, y_1, y_2$, a product cell $p$ (constraint `p = x·x'`:
//! $p = y_1 y_2$) makes $\chi$'s factor over $y_1, y_2$ linear ($(1-y_1)(1-y_2) =
//! 1 - y_1 - y_2 + p$, $y_1(1-y_2) = y_1 - p$, …), so the gate has degree 4. The counts
//! are a constraint of the node gate on every node, `κ = s·κ' + o`, with $s$ a fixed cell
//! of the node's rows (the chunk slot after the last chunk) and $\kappa'$ a cell of the
//! node (after $p$) copied from the previous node's $\kappa$ on a group's later nodes:
//! $s = 1$ there, 0 elsewhere — the same relation as the two gates, without their selectors
//! (on other nodes $\kappa = o$ is a harmless extra cell and $\kappa'$ is free). Every
//! cell sits on the node's own rows, so all of a node's columns share one rotation set.

use super::range::{RangeChip, DATA_KEY_BASE};
use super::{assign, bool_expr, CircuitField, Wire};
use halo2_proofs::circuit::{Region, Value};
use halo2_proofs::plonk::{
    Advice, Column, ConstraintSystem, Constraints, Expression, Fixed, Selector,
};
use halo2_proofs::poly::Rotation;

/// The lookup key of the node table (the first keyed table of the range lane).
pub const NODE_KEY: u64 = DATA_KEY_BASE;
/// Largest arity the gadget supports.
pub const MAX_ARITY: usize = 6;

/// Rows of the node table for chunks of `chunk_bits` bits: `c · 2^c`.
pub fn node_table_rows(chunk_bits: u32) -> usize {
    (chunk_bits as usize) << chunk_bits
}

/// The node table for chunks of `c = chunk_bits` bits: every `2c·b + 2l + bit_l(b)` for
/// `b < 2^c`, `l < c`.
pub fn node_table(chunk_bits: u32) -> impl Iterator<Item = u64> {
    let c = chunk_bits as u64;
    (0..1u64 << c).flat_map(move |b| (0..c).map(move |l| 2 * c * b + 2 * l + (b >> l & 1)))
}

/// Chunks of a truth table of arity `n`: `max(1, 2^n / c)`.
pub fn table_chunks(n: usize, chunk_bits: u32) -> usize {
    (1usize << n).div_ceil(chunk_bits as usize)
}

/// The largest arity whose gate stays within degree 5 with `chunk_bits`-bit chunks.
pub fn max_arity(chunk_bits: u32) -> usize {
    (chunk_bits.trailing_zeros() as usize + 3).min(MAX_ARITY)
}

/// The chunk `h` of a truth table.
pub fn chunk(table: u64, chunk_bits: u32, h: usize) -> u64 {
    let shift = chunk_bits as u64 * h as u64;
    if shift >= 64 {
        0
    } else {
        table >> shift & ((1 << chunk_bits) - 1)
    }
}

/// Where a node's cells sit.
#[derive(Clone, Debug)]
pub struct LutConfig {
    /// Inputs per node `n`.
    pub arity: usize,
    /// Bits per table chunk `c` (4 or 8).
    pub chunk_bits: u32,
    /// Rows per node `R`.
    pub rows: usize,
    /// The `W` advice columns of the node's cells.
    pub advice: Vec<Column<Advice>>,
    /// The `F` fixed columns of the table bytes.
    pub fixed: Vec<Column<Fixed>>,
    /// Enables the node gate (and, with the range lane, its lookup) on a node's first row.
    pub q_node: Selector,
    /// Starts a class count (`None` in the lean form).
    pub q_start: Option<Selector>,
    /// Continues a class count (`None` in the lean form).
    pub q_count: Option<Selector>,
    /// A product cell `p = x_{λ+1}·x_{λ+2}` (cell `n + 2`) for nodes with 3 high inputs, so
    /// that the gate's degree is 4 instead of 5 (the EVM layout: one quotient piece fewer).
    pub pair: bool,
    /// The lean form's count coefficient `s`: `(fixed column, row offset)` (the chunk slot
    /// after the last chunk).
    pub reset: Option<(Column<Fixed>, usize)>,
}

impl LutConfig {
    /// Cells of a node: the inputs, the output, the count, the product (with `pair`) and
    /// the previous count (lean form).
    pub fn cells(&self) -> usize {
        self.arity + 2 + self.pair as usize + self.reset.is_some() as usize
    }
    /// The lean form's cell holding a copy of the previous node's count.
    pub fn prev_count_cell(&self) -> usize {
        self.arity + 2 + self.pair as usize
    }
    /// `(column, row offset)` of cell `i` of a node (inputs, then output, then count).
    pub fn cell(&self, i: usize) -> (Column<Advice>, usize) {
        let w = self.advice.len();
        (self.advice[i % w], i / w)
    }
    /// `(column, row offset)` of table chunk `h`.
    pub fn byte(&self, h: usize) -> (Column<Fixed>, usize) {
        let f = self.fixed.len();
        (self.fixed[h % f], h / f)
    }
}

/// The LUT-node chip.
#[derive(Clone, Debug)]
pub struct LutChip {
    /// Its configuration.
    pub config: LutConfig,
    range: RangeChip,
}

/// How a node takes part in the class counts.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Count {
    /// Not a last-layer node.
    None,
    /// The first node of a class group.
    Start,
    /// A later node of the group (the previous node slot holds the group's count so far).
    Continue,
}

impl LutChip {
    /// Configures the gates on caller-allocated columns: `advice` (the node's `W` cells per
    /// row; the input and output columns need equality, enabled by the caller) and `fixed`
    /// (`F` table-chunk columns), for nodes of `arity` inputs spanning `rows` rows, tables in
    /// chunks of `chunk_bits` bits; `v` goes on `range`'s lane. `lean` takes the lean form (module
    /// doc): a product cell for 3 high inputs, the counts in the node gate, no count selectors.
    ///
    /// # Panics
    /// If the cells or chunks do not fit `rows` rows, `chunk_bits` is not 4 or 8,
    /// `arity` is out of `1..=max_arity(chunk_bits)`, or `pair` is asked for a node without
    /// 3 high inputs.
    #[allow(clippy::too_many_arguments)]
    pub fn configure<F: CircuitField>(
        meta: &mut ConstraintSystem<F>,
        range: &super::range::RangeConfig,
        arity: usize,
        chunk_bits: u32,
        rows: usize,
        advice: Vec<Column<Advice>>,
        fixed: Vec<Column<Fixed>>,
        lean: bool,
    ) -> LutConfig {
        let pair = lean && arity == chunk_bits.trailing_zeros() as usize + 3;
        assert!(matches!(chunk_bits, 4 | 8), "chunks of {chunk_bits} bits");
        assert!(
            (1..=max_arity(chunk_bits)).contains(&arity),
            "arity {arity}"
        );
        assert!(
            arity + 2 + pair as usize + lean as usize <= rows * advice.len(),
            "node cells do not fit"
        );
        assert!(
            table_chunks(arity, chunk_bits) + lean as usize <= rows * fixed.len(),
            "table chunks do not fit"
        );
        let cfg = LutConfig {
            arity,
            chunk_bits,
            rows,
            advice,
            fixed,
            q_node: meta.selector(),
            q_start: (!lean).then(|| meta.selector()),
            q_count: (!lean).then(|| meta.selector()),
            pair,
            reset: None,
        };
        let mut cfg = cfg;
        if lean {
            let h = table_chunks(arity, chunk_bits);
            cfg.reset = Some(cfg.byte(h));
        }
        let lane = range.lane;
        let c = cfg.clone();
        meta.create_gate("LUT node", |m| {
            let q = m.query_selector(c.q_node);
            let cell = |m: &mut halo2_proofs::plonk::VirtualCells<'_, F>, i: usize| {
                let (col, r) = c.cell(i);
                m.query_advice(col, Rotation(r as i32))
            };
            let x: Vec<Expression<F>> = (0..arity).map(|j| cell(m, j)).collect();
            let o = cell(m, arity);
            let v = m.query_advice(lane, Rotation::cur());
            let one = Expression::Constant(F::ONE);
            let lo = arity.min(chunk_bits.trailing_zeros() as usize);
            let a = (0..lo).fold(Expression::Constant(F::ZERO), |acc, j| {
                acc + x[j].clone() * Expression::Constant(F::from(1 << j))
            });
            let hi = &x[lo..];
            // with the product cell, χ's factor over the last two high inputs is linear
            let p = c.pair.then(|| cell(m, arity + 2));
            let mut byte = Expression::Constant(F::ZERO);
            for h in 0..table_chunks(arity, chunk_bits) {
                let (col, r) = c.byte(h);
                let mut term = m.query_fixed(col, Rotation(r as i32));
                let plain = if p.is_some() { 1 } else { hi.len() };
                for (j, xj) in hi.iter().enumerate().take(plain) {
                    term = term
                        * if h >> j & 1 == 1 {
                            xj.clone()
                        } else {
                            one.clone() - xj.clone()
                        };
                }
                if let Some(p) = &p {
                    let (y, z) = (hi[1].clone(), hi[2].clone());
                    term = term
                        * match h >> 1 & 3 {
                            0 => one.clone() - y - z + p.clone(),
                            1 => y - p.clone(),
                            2 => z - p.clone(),
                            _ => p.clone(),
                        };
                }
                byte = byte + term;
            }
            let c2c = Expression::Constant(F::from(2 * chunk_bits as u64));
            let c2 = Expression::Constant(F::from(2));
            let mut polys = vec![
                ("v = 2c·B + 2·a + o", v - c2c * byte - c2 * a - o.clone()),
                ("o ∈ {0,1}", bool_expr(o)),
            ];
            if let Some(p) = p {
                polys.push(("p = x·x'", p - hi[1].clone() * hi[2].clone()));
            }
            if let Some((col, r)) = c.reset {
                // every fixed column of the node queried on all of the node's rows: one
                // rotation set shared with the advice cells (one SHPLONK set fewer in the
                // verifier, cheaper than the extra evaluations)
                for &f in &c.fixed {
                    for rot in 0..c.rows {
                        let _ = m.query_fixed(f, Rotation(rot as i32));
                    }
                }
                let s = m.query_fixed(col, Rotation(r as i32));
                let (k_col, k_row) = c.cell(arity + 1);
                let k = m.query_advice(k_col, Rotation(k_row as i32));
                let (p_col, p_row) = c.cell(c.prev_count_cell());
                let kp = m.query_advice(p_col, Rotation(p_row as i32));
                polys.push(("κ = s·κ' + o", k - s * kp - cell(m, arity)));
            }
            Constraints::with_selector(q, polys)
        });
        if lean {
            return cfg;
        }
        let (o_col, o_row) = cfg.cell(arity);
        let (k_col, k_row) = cfg.cell(arity + 1);
        let prev_k = k_row as i32 - rows as i32;
        let c = cfg.clone();
        meta.create_gate("group start", |m| {
            let q = m.query_selector(c.q_start.expect("gates"));
            let o = m.query_advice(o_col, Rotation(o_row as i32));
            let k = m.query_advice(k_col, Rotation(k_row as i32));
            Constraints::with_selector(q, [("κ = o", k - o)])
        });
        meta.create_gate("group count", |m| {
            let q = m.query_selector(c.q_count.expect("gates"));
            let o = m.query_advice(o_col, Rotation(o_row as i32));
            let k = m.query_advice(k_col, Rotation(k_row as i32));
            let kp = m.query_advice(k_col, Rotation(prev_k));
            Constraints::with_selector(q, [("κ = κ' + o", k - kp - o)])
        });
        cfg
    }

    /// Builds the chip.
    pub fn construct(config: LutConfig, range: RangeChip) -> Self {
        LutChip { config, range }
    }

    /// The value `v` of a node of `arity` inputs at `address` (`Σ x_j 2^j`), truth table
    /// `table` in `chunk_bits`-bit chunks, and claimed output `o`.
    pub fn lookup_value(arity: usize, chunk_bits: u32, table: u64, address: usize, o: u64) -> u64 {
        let lo = arity.min(chunk_bits.trailing_zeros() as usize);
        let a = address & ((1 << lo) - 1);
        let b = chunk(table, chunk_bits, address >> lo);
        2 * chunk_bits as u64 * b + 2 * a as u64 + o
    }

    /// Assigns a node at `row` (its first row): copies `inputs` (booleans, `arity` of them)
    /// into its input cells, witnesses the output `o`, and for last-layer nodes the class
    /// count `kappa`. Returns the output cell and the count cell.
    ///
    /// The values in the input cells are `input_values` (an honest prover passes the sources'
    /// values; the copy constraints reject anything else). `prev_kappa` is the previous
    /// node's count (lean form, continued counts); `product` overrides the product cell
    /// (a malicious prover, for tests).
    ///
    /// # Side-effects
    /// Writes the table bytes and the lane key of the node's rows and enables its selectors.
    ///
    /// # Panics
    /// If `inputs.len() != arity`.
    #[allow(clippy::too_many_arguments)]
    pub fn assign<F: CircuitField>(
        &self,
        region: &mut Region<'_, F>,
        row: usize,
        inputs: &[Wire<F>],
        input_values: &[Value<F>],
        table: u64,
        o: Value<F>,
        count: Count,
        kappa: Value<F>,
        prev_kappa: Option<&Wire<F>>,
        product: Option<Value<F>>,
    ) -> (Wire<F>, Option<Wire<F>>) {
        let c = &self.config;
        assert_eq!(inputs.len(), c.arity, "one wire per input");
        assert_eq!(input_values.len(), c.arity, "one value per input");
        let mut cells = Vec::with_capacity(c.arity);
        for (j, (w, &v)) in inputs.iter().zip(input_values).enumerate() {
            let (col, r) = c.cell(j);
            let cell = assign(region, col, row + r, v);
            region.constrain_equal(cell.cell, w.cell);
            cells.push(cell);
        }
        let (col, r) = c.cell(c.arity);
        let out = assign(region, col, row + r, o);
        if c.pair {
            let lo = c.chunk_bits.trailing_zeros() as usize;
            let (col, r) = c.cell(c.arity + 2);
            let p = product.unwrap_or(input_values[lo + 1] * input_values[lo + 2]);
            assign(region, col, row + r, p);
        }
        for h in 0..table_chunks(c.arity, c.chunk_bits) {
            let (col, r) = c.byte(h);
            region.assign_fixed(col, row + r, F::from(chunk(table, c.chunk_bits, h)));
        }
        // v from the inputs' values and the claimed output
        let address = cells
            .iter()
            .enumerate()
            .fold(Value::known(0usize), |acc, (j, w)| {
                acc.zip(w.value)
                    .map(|(a, x)| a | ((x == F::ONE) as usize) << j)
            });
        let v = address
            .zip(o)
            .map(|(a, o)| F::from(Self::lookup_value(c.arity, c.chunk_bits, table, a, 0)) + o);
        self.range.witness_keyed(region, row, v, NODE_KEY);
        c.q_node.enable(region, row).expect("selector");
        let (k_col, k_row) = c.cell(c.arity + 1);
        let k = if let Some((s_col, s_row)) = c.reset {
            // lean: κ = s·κ' + o on every node (κ = o off the class counts)
            if count == Count::Continue {
                region.assign_fixed(s_col, row + s_row, F::ONE);
                let prev = prev_kappa.expect("a continued count has the group's count so far");
                let (col, r) = c.cell(c.prev_count_cell());
                prev.copy_to(region, col, row + r);
            }
            let kappa = if count == Count::None { o } else { kappa };
            let cell = assign(region, k_col, row + k_row, kappa);
            (count != Count::None).then_some(cell)
        } else {
            match count {
                Count::None => None,
                Count::Start | Count::Continue => {
                    let q = if count == Count::Start {
                        c.q_start
                    } else {
                        c.q_count
                    };
                    q.expect("gates").enable(region, row).expect("selector");
                    Some(assign(region, k_col, row + k_row, kappa))
                }
            }
        };
        (out, k)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn node_tables_encode_every_bit_once() {
        for (c, rows, bound) in [(8u32, 2048usize, 4096u64), (4, 64, 128)] {
            let t: Vec<u64> = node_table(c).collect();
            assert_eq!(t.len(), rows);
            assert_eq!(node_table_rows(c), rows);
            let mut sorted = t.clone();
            sorted.sort_unstable();
            sorted.dedup();
            assert_eq!(sorted.len(), rows);
            assert!(t.iter().all(|&v| v < bound));
            assert_eq!(t[0], 0); // b = 0, l = 0
        }
        // byte b = 0b1010_0101, l = 2 → bit 1
        assert_eq!(
            node_table(8).nth(0b1010_0101 * 8 + 2),
            Some(16 * 0b1010_0101 + 4 + 1)
        );
        // nibble b = 0b1011, l = 2 → bit 0
        assert_eq!(node_table(4).nth(0b1011 * 4 + 2), Some(8 * 0b1011 + 4));
    }

    #[test]
    fn lookup_value_reads_the_addressed_bit() {
        // LUT-6 whose table is bit a = [a == 45]
        let table = 1u64 << 45;
        // address 45 = 0b101_101: low 5, high 5 → byte 5 holds bit 5 set
        assert_eq!(LutChip::lookup_value(6, 8, table, 45, 1), 16 * 32 + 10 + 1);
        assert_eq!(table_chunks(6, 8), 8);
        assert_eq!(table_chunks(3, 8), 1);
        assert_eq!(table_chunks(2, 8), 1);
        assert_eq!(table_chunks(5, 4), 8);
        assert_eq!(max_arity(8), 6);
        assert_eq!(max_arity(4), 5);
        // LUT-2: the 4-bit table is byte 0, a = address
        assert_eq!(LutChip::lookup_value(2, 8, 0b0110, 2, 1), 16 * 6 + 4 + 1);
        // LUT-5 in nibbles: address 22 = 0b101_10 → nibble 5 holds bit 2 set
        let table = 1u64 << 22;
        assert_eq!(LutChip::lookup_value(5, 4, table, 22, 1), 8 * 4 + 4 + 1);
        assert_eq!(chunk(u64::MAX, 8, 8), 0);
    }
}
