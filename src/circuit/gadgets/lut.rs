//! A LUT node: $n \le 6$ boolean input cells, a truth table fixed at key generation, one
//! boolean output — and the per-class popcount of a network's last layer.
//!
//! **Cells.** A node spans $R$ rows of $W$ advice columns (row-major): the inputs
//! $x_0..x_{n-1}$, the output $o$, then the running class count $\kappa$; and
//! $v$ on the range lane of its first row, with key [`NODE_KEY`]. Its truth table
//! $T < 2^{2^n}$ enters as bytes $T_h = \lfloor T / 2^{8h} \rfloor \bmod 2^8$ in fixed cells
//! ($h < \max(1, 2^{n-3})$; byte $h$ in fixed column $h \bmod F$ of row $\lfloor h/F \rfloor$).
//!
//! **Relation** (gate `LUT node`, selector `q_node` on the first row). With the low address
//! $a = \sum_{j < \min(n,3)} 2^j x_j$ and the selected byte
//! $B = \sum_{h} \chi_h(x_3, \dots, x_{n-1})\, T_h$ ($\chi_h$ the multilinear indicator of
//! $h$ written in binary over the high inputs):
//!
//! - `v = 16·B + 2·a + o`: $v - 16B - 2a - o = 0$
//! - `o ∈ {0,1}`: $o(1-o) = 0$
//!
//! and the lookup `(NODE_KEY, v)` ∈ table, whose rows under that key are exactly the 2,048
//! values $16b + 2l + \mathrm{bit}_l(b)$ for $b < 256$, $l < 8$.
//!
//! **Soundness.** Precondition: every input cell is boolean (each is a copy of a comparison
//! bit, of another node's output, or of a pinned constant). Then $B$ is the byte of $T$ that
//! the high inputs select ($\chi$ is one-hot on boolean inputs), $B < 256$ and $a < 8$; the
//! table value $v = 16b + 2l + \beta$ equals $16B + 2a + o$ with $o \in \{0,1\}$, and since both
//! sides are integers below 4,096 (no wrap-around in the field) with unique digits,
//! $b = B$, $l = a$ and $o = \beta = \mathrm{bit}_a(B) = T[\text{address}]$.
//!
//! **Popcount** (last layer only; its nodes in class order, each group's nodes on
//! consecutive node slots). Gate `group start` (`q_start`): $\kappa = o$. Gate
//! `group count` (`q_count`): $\kappa = \kappa_{\text{prev}} + o$, where
//! $\kappa_{\text{prev}}$ is the previous node's $\kappa$, $R$ rows above. The last node's
//! $\kappa$ is the group's score $\sigma_c = \sum o \le G$, an honest integer (no range
//! check needed: a sum of $G$ booleans).

use super::range::{RangeChip, DATA_KEY_BASE};
use super::{assign, bool_expr, CircuitField, Wire};
use halo2_proofs::circuit::{Region, Value};
use halo2_proofs::plonk::{
    Advice, Column, ConstraintSystem, Constraints, Expression, Fixed, Selector,
};
use halo2_proofs::poly::Rotation;

/// The lookup key of the node table (the first keyed table of the range lane).
pub const NODE_KEY: u64 = DATA_KEY_BASE;
/// Rows of the node table.
pub const NODE_TABLE_ROWS: usize = 2048;
/// Largest arity the gadget supports.
pub const MAX_ARITY: usize = 6;

/// The node table: every `16b + 2l + bit_l(b)` for `b < 256`, `l < 8`.
pub fn node_table() -> impl Iterator<Item = u64> {
    (0..256u64).flat_map(|b| (0..8u64).map(move |l| 16 * b + 2 * l + (b >> l & 1)))
}

/// Bytes of a truth table of arity `n`: `max(1, 2^n / 8)`.
pub fn table_bytes(n: usize) -> usize {
    (1usize << n).div_ceil(8)
}

/// Where a node's cells sit.
#[derive(Clone, Debug)]
pub struct LutConfig {
    /// Inputs per node `n`.
    pub arity: usize,
    /// Rows per node `R`.
    pub rows: usize,
    /// The `W` advice columns of the node's cells.
    pub advice: Vec<Column<Advice>>,
    /// The `F` fixed columns of the table bytes.
    pub fixed: Vec<Column<Fixed>>,
    /// Enables the node gate (and, with the range lane, its lookup) on a node's first row.
    pub q_node: Selector,
    /// Starts a class count.
    pub q_start: Selector,
    /// Continues a class count.
    pub q_count: Selector,
}

impl LutConfig {
    /// `(column, row offset)` of cell `i` of a node (inputs, then output, then count).
    pub fn cell(&self, i: usize) -> (Column<Advice>, usize) {
        let w = self.advice.len();
        (self.advice[i % w], i / w)
    }
    /// `(column, row offset)` of table byte `h`.
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
    /// (`F` table-byte columns), for nodes of `arity` inputs spanning `rows` rows; `v` goes
    /// on `range`'s lane.
    ///
    /// # Panics
    /// If the cells or bytes do not fit `rows` rows, or `arity` is out of `1..=6`.
    pub fn configure<F: CircuitField>(
        meta: &mut ConstraintSystem<F>,
        range: &super::range::RangeConfig,
        arity: usize,
        rows: usize,
        advice: Vec<Column<Advice>>,
        fixed: Vec<Column<Fixed>>,
    ) -> LutConfig {
        assert!((1..=MAX_ARITY).contains(&arity), "arity {arity}");
        assert!(arity + 2 <= rows * advice.len(), "node cells do not fit");
        assert!(
            table_bytes(arity) <= rows * fixed.len(),
            "table bytes do not fit"
        );
        let cfg = LutConfig {
            arity,
            rows,
            advice,
            fixed,
            q_node: meta.selector(),
            q_start: meta.selector(),
            q_count: meta.selector(),
        };
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
            let lo = arity.min(3);
            let a = (0..lo).fold(Expression::Constant(F::ZERO), |acc, j| {
                acc + x[j].clone() * Expression::Constant(F::from(1 << j))
            });
            let hi = &x[lo..];
            let mut byte = Expression::Constant(F::ZERO);
            for h in 0..table_bytes(arity) {
                let (col, r) = c.byte(h);
                let mut term = m.query_fixed(col, Rotation(r as i32));
                for (j, xj) in hi.iter().enumerate() {
                    term = term
                        * if h >> j & 1 == 1 {
                            xj.clone()
                        } else {
                            one.clone() - xj.clone()
                        };
                }
                byte = byte + term;
            }
            let c16 = Expression::Constant(F::from(16));
            let c2 = Expression::Constant(F::from(2));
            Constraints::with_selector(
                q,
                [
                    ("v = 16·B + 2·a + o", v - c16 * byte - c2 * a - o.clone()),
                    ("o ∈ {0,1}", bool_expr(o)),
                ],
            )
        });
        let (o_col, o_row) = cfg.cell(arity);
        let (k_col, k_row) = cfg.cell(arity + 1);
        let prev_k = k_row as i32 - rows as i32;
        let c = cfg.clone();
        meta.create_gate("group start", |m| {
            let q = m.query_selector(c.q_start);
            let o = m.query_advice(o_col, Rotation(o_row as i32));
            let k = m.query_advice(k_col, Rotation(k_row as i32));
            Constraints::with_selector(q, [("κ = o", k - o)])
        });
        meta.create_gate("group count", |m| {
            let q = m.query_selector(c.q_count);
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

    /// The value `v` of a node whose inputs are `x` (bits, address `Σ x_j 2^j`), truth table
    /// `table` and claimed output `o`.
    pub fn lookup_value(arity: usize, table: u64, address: usize, o: u64) -> u64 {
        let lo = arity.min(3);
        let a = address & ((1 << lo) - 1);
        let h = address >> lo;
        let byte = table >> (8 * h) & 0xff;
        16 * byte + 2 * a as u64 + o
    }

    /// Assigns a node at `row` (its first row): copies `inputs` (booleans, `arity` of them)
    /// into its input cells, witnesses the output `o`, and for last-layer nodes the class
    /// count `kappa`. Returns the output cell and the count cell.
    ///
    /// The values in the input cells are `input_values` (an honest prover passes the sources'
    /// values; the copy constraints reject anything else).
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
        for h in 0..table_bytes(c.arity) {
            let (col, r) = c.byte(h);
            region.assign_fixed(col, row + r, F::from(table >> (8 * h) & 0xff));
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
            .map(|(a, o)| F::from(Self::lookup_value(c.arity, table, a, 0)) + o);
        self.range.witness_keyed(region, row, v, NODE_KEY);
        c.q_node.enable(region, row).expect("selector");
        let k = match count {
            Count::None => None,
            Count::Start | Count::Continue => {
                let (col, r) = c.cell(c.arity + 1);
                let q = if count == Count::Start {
                    c.q_start
                } else {
                    c.q_count
                };
                q.enable(region, row).expect("selector");
                Some(assign(region, col, row + r, kappa))
            }
        };
        (out, k)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn node_table_encodes_every_bit_once() {
        let t: Vec<u64> = node_table().collect();
        assert_eq!(t.len(), NODE_TABLE_ROWS);
        let mut sorted = t.clone();
        sorted.sort_unstable();
        sorted.dedup();
        assert_eq!(sorted.len(), NODE_TABLE_ROWS);
        assert!(t.iter().all(|&v| v < 4096));
        assert_eq!(t[0], 0); // b = 0, l = 0: unused rows (key 0, value 0) stay valid elsewhere
                             // b = 0b1010_0101, l = 2 → bit 1
        assert_eq!(t[0b1010_0101 * 8 + 2], 16 * 0b1010_0101 + 4 + 1);
    }

    #[test]
    fn lookup_value_reads_the_addressed_bit() {
        // LUT-6 whose table is bit a = [a == 45]
        let table = 1u64 << 45;
        // address 45 = 0b101_101: low 5, high 5 → byte 5 holds bit 5 set
        assert_eq!(LutChip::lookup_value(6, table, 45, 1), 16 * 32 + 10 + 1);
        assert_eq!(table_bytes(6), 8);
        assert_eq!(table_bytes(3), 1);
        assert_eq!(table_bytes(2), 1);
        // LUT-2: the 4-bit table is byte 0, a = address
        assert_eq!(LutChip::lookup_value(2, 0b0110, 2, 1), 16 * 6 + 4 + 1);
    }
}
