//! Bloom lookup: one table lookup per (filter, hash index) yields the class vector of **all**
//! classes at that entry.
//!
//! The class vector of filter $f$, entry $e$ is $V(f,e) = \sum_c \mathit{bloom}[c,f,e]\,2^c$
//! ($C$ bits). Entries are grouped $M = g\cdot m$ to a table row: with
//! $e = wM + tm + j$ ($t < g$, $j < m$), table row $(1, f, w, W_0, \dots, W_{g-1})$ holds
//! $W_t = \sum_{j<m} V(f, wM + tm + j)\,2^{Cj}$ (so $mC \le 252$). A sentinel row of zeros
//! serves disabled rows.
//!
//! Layout on five advice columns $a_0..a_4$ and the range lane, rows:
//!
//! - **header**: $a_0 = w$, $a_{1+i} = W_i$, lane $= t$ (tag $\log_2 g$). Lookup
//!   $(1, f, w, W_0..W_{g-1})$ in the table ($f$ fixed); and
//!   $z_0 = \sum_i L_i(t) W_i$ (Lagrange basis on $0..g-1$) on the next row.
//! - **select** $i = 0..m-1$: $a_0 = z_i$, lane $= V_i$ (tag $C$), $a_1 = s_i$, $a_2, a_3, a_4$
//!   running sums of $s_i$, $i \cdot s_i$, $s_i V_i$; $z_i = V_i + 2^C z_{i+1}$ (range gate,
//!   radix 0 on the last row) and $s_i \in \{0,1\}$.
//! - **tail**: $a_0 = \mathit{idx}$, $a_1 = w$, $a_2 = t$ (copies);
//!   $\sum s_i = 1$ and $\mathit{idx} = wM + tm + \sum_i i\, s_i$.
//!
//! Soundness: the lookup pins $w < E/M$ and the words of filter $f$ (the key includes
//! $f$, and the enable flag excludes the sentinel); $t < g$ by the lane; the $V_i$ are the
//! unique $C$-bit chunks of $W_t$; exactly one $s_i$ is 1, at $j = \sum i s_i < m$; so
//! $\mathit{idx} = wM + tm + j < E$ and the output $\sum s_i V_i = V(f, \mathit{idx})$.
//! `m`, `g` must be powers of two dividing $E$ (then every $e < E$ is reachable).

use super::range::RangeChip;
use super::{assign, bool_expr, pow2, CircuitField, Wire};
use halo2_proofs::circuit::{Layouter, Region, Value};
use halo2_proofs::plonk::{
    Advice, Column, ConstraintSystem, Constraints, Error, Expression, Fixed, Selector, TableColumn,
};
use halo2_proofs::poly::Rotation;

/// Shape of the packed table.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct BloomShape {
    /// Classes `C` (bits of a class vector).
    pub classes: u32,
    /// Entries per word `m`.
    pub per_word: usize,
    /// Words per table row `g` (1, 2 or 4).
    pub words: usize,
    /// Entries per filter `E`.
    pub entries: usize,
    /// Filters `F`.
    pub filters: usize,
}

impl BloomShape {
    /// Entries per table row, `M = g·m`.
    pub fn per_row(&self) -> usize {
        self.per_word * self.words
    }
    /// Table rows including the sentinel.
    pub fn table_rows(&self) -> usize {
        self.filters * self.entries / self.per_row() + 1
    }
    /// Rows one lookup takes in the gadget's columns.
    pub fn rows_per_lookup(&self) -> usize {
        self.per_word + 2
    }
    /// Bits of `t`.
    pub fn t_bits(&self) -> u32 {
        self.words.trailing_zeros()
    }
}

/// Columns of the Bloom lookup gadget.
#[derive(Clone, Debug)]
pub struct BloomConfig {
    /// Five advice columns `a0..a4` (`a0` must be the range chip's `z` column).
    pub cols: [Column<Advice>; 5],
    /// Filter index on header rows (fixed).
    pub filter: Column<Fixed>,
    /// Position `i` on select rows (fixed).
    pub pos: Column<Fixed>,
    /// 0 on the first select row, 1 after (fixed).
    pub chain: Column<Fixed>,
    /// Enables the table lookup (header rows).
    pub q_word: Selector,
    /// Enables the word selection (header rows).
    pub q_head: Selector,
    /// Enables the one-hot gate (select rows).
    pub q_sel: Selector,
    /// Enables the index gate (tail rows).
    pub q_tail: Selector,
    table: Vec<TableColumn>,
    /// The packing.
    pub shape: BloomShape,
}

/// Free witness values of one lookup.
#[derive(Clone, Debug)]
pub struct BloomWitness<F: CircuitField> {
    /// Word index `w`.
    pub w: Value<u64>,
    /// Word within the row, `t`.
    pub t: Value<u64>,
    /// The row's words `W_0..W_{g−1}`.
    pub words: Vec<Value<F>>,
    /// Position `j` of the selected entry within `W_t`.
    pub position: Value<usize>,
}

/// The Bloom lookup chip.
#[derive(Clone, Debug)]
pub struct BloomChip {
    /// Its configuration.
    pub config: BloomConfig,
    range: RangeChip,
}

/// Lagrange basis polynomial `L_i(t)` on the points `0..g`.
fn lagrange<F: CircuitField>(t: Expression<F>, i: usize, g: usize) -> Expression<F> {
    let mut num = Expression::Constant(F::ONE);
    let mut den = F::ONE;
    for j in 0..g {
        if j != i {
            num = num * (t.clone() - Expression::Constant(F::from(j as u64)));
            den *= F::from(i as u64) - F::from(j as u64);
        }
    }
    num * Expression::Constant(den.invert().unwrap())
}

impl BloomChip {
    /// Configures the lookup and gates. `range.z` must be `cols[0]`.
    ///
    /// # Panics
    /// If the shape is invalid (`g ∉ {1, 2, 4}`, `m·C > 252`, non-powers of two) or
    /// `range.z != cols[0]`.
    #[allow(clippy::too_many_arguments)]
    pub fn configure<F: CircuitField>(
        meta: &mut ConstraintSystem<F>,
        range: &super::range::RangeConfig,
        cols: [Column<Advice>; 5],
        filter: Column<Fixed>,
        pos: Column<Fixed>,
        chain: Column<Fixed>,
        shape: BloomShape,
    ) -> BloomConfig {
        assert!(
            matches!(shape.words, 1 | 2 | 4),
            "words per row must be 1, 2 or 4"
        );
        assert!(shape.per_word.is_power_of_two() && shape.per_row() <= shape.entries);
        assert!(
            shape.per_word as u32 * shape.classes <= 252,
            "word too wide for the field"
        );
        assert_eq!(
            range.z, cols[0],
            "the Bloom gadget's a0 must be the range chip's z"
        );
        let q_word = meta.complex_selector();
        let q_head = meta.selector();
        let q_sel = meta.selector();
        let q_tail = meta.selector();
        let table: Vec<TableColumn> = (0..3 + shape.words)
            .map(|_| meta.lookup_table_column())
            .collect();
        let lane = range.lane;
        meta.lookup("bloom word", |m| {
            let q = m.query_selector(q_word);
            let f = m.query_fixed(filter, Rotation::cur());
            let mut v = vec![(q.clone(), table[0]), (q.clone() * f, table[1])];
            for (i, &col) in cols.iter().take(1 + shape.words).enumerate() {
                v.push((
                    q.clone() * m.query_advice(col, Rotation::cur()),
                    table[2 + i],
                ));
            }
            v
        });
        meta.create_gate("select word", |m| {
            let q = m.query_selector(q_head);
            let t = m.query_advice(lane, Rotation::cur());
            let z0 = m.query_advice(cols[0], Rotation::next());
            let mut mux = Expression::Constant(F::ZERO);
            for i in 0..shape.words {
                mux = mux
                    + lagrange(t.clone(), i, shape.words)
                        * m.query_advice(cols[1 + i], Rotation::cur());
            }
            Constraints::with_selector(q, [("z0 = W_t", z0 - mux)])
        });
        meta.create_gate("one-hot select", |m| {
            let q = m.query_selector(q_sel);
            let s = m.query_advice(cols[1], Rotation::cur());
            let v = m.query_advice(lane, Rotation::cur());
            let ch = m.query_fixed(chain, Rotation::cur());
            let p = m.query_fixed(pos, Rotation::cur());
            let run = |m: &mut halo2_proofs::plonk::VirtualCells<'_, F>, c: Column<Advice>| {
                (
                    m.query_advice(c, Rotation::cur()),
                    m.query_advice(c, Rotation::prev()),
                )
            };
            let (cnt, cnt_p) = run(m, cols[2]);
            let (jac, jac_p) = run(m, cols[3]);
            let (acc, acc_p) = run(m, cols[4]);
            Constraints::with_selector(
                q,
                [
                    ("s ∈ {0,1}", bool_expr(s.clone())),
                    ("cnt = chain·cnt' + s", cnt - ch.clone() * cnt_p - s.clone()),
                    (
                        "jacc = chain·jacc' + s·pos",
                        jac - ch.clone() * jac_p - s.clone() * p,
                    ),
                    ("acc = chain·acc' + s·V", acc - ch * acc_p - s * v),
                ],
            )
        });
        let (m_e, big_m) = (shape.per_word as u64, shape.per_row() as u64);
        meta.create_gate("index", |m| {
            let q = m.query_selector(q_tail);
            let idx = m.query_advice(cols[0], Rotation::cur());
            let w = m.query_advice(cols[1], Rotation::cur());
            let t = m.query_advice(cols[2], Rotation::cur());
            let cnt = m.query_advice(cols[2], Rotation::prev());
            let j = m.query_advice(cols[3], Rotation::prev());
            let c = |v: u64| Expression::Constant(F::from(v));
            Constraints::with_selector(
                q,
                [
                    ("Σ s = 1", cnt - c(1)),
                    ("idx = w·M + t·m + j", idx - w * c(big_m) - t * c(m_e) - j),
                ],
            )
        });
        BloomConfig {
            cols,
            filter,
            pos,
            chain,
            q_word,
            q_head,
            q_sel,
            q_tail,
            table,
            shape,
        }
    }

    /// Builds the chip.
    pub fn construct(config: BloomConfig, range: RangeChip) -> Self {
        BloomChip { config, range }
    }

    /// Loads the table: `words(f, w)` gives the row's `g` packed words.
    pub fn load<F: CircuitField>(
        &self,
        layouter: &mut impl Layouter<F>,
        words: impl Fn(usize, usize) -> Vec<F>,
    ) -> Result<(), Error> {
        let s = self.config.shape;
        let t = &self.config.table;
        layouter.assign_table(
            || "bloom words",
            |mut table| {
                let mut put = |row: usize, vals: &[F]| -> Result<(), Error> {
                    for (c, v) in t.iter().zip(vals) {
                        table.assign_cell(|| "bloom", *c, row, || Value::known(*v))?;
                    }
                    Ok(())
                };
                put(0, &vec![F::ZERO; t.len()])?;
                let per_filter = s.entries / s.per_row();
                let mut row = 1;
                for f in 0..s.filters {
                    for w in 0..per_filter {
                        let mut vals = vec![F::ONE, F::from(f as u64), F::from(w as u64)];
                        vals.extend(words(f, w));
                        put(row, &vals)?;
                        row += 1;
                    }
                }
                Ok(())
            },
        )
    }

    /// Looks up entry `idx` of filter `filter` on rows `row..row + m + 2`, returning the
    /// class vector `V(filter, idx)`. Bounds `idx < E` (see the module doc).
    pub fn lookup<F: CircuitField>(
        &self,
        region: &mut Region<'_, F>,
        row: usize,
        filter: usize,
        idx: &Wire<F>,
        wit: &BloomWitness<F>,
    ) -> Wire<F> {
        let c = &self.config;
        let s = c.shape;
        let cols = c.cols;
        // header
        let w = assign(region, cols[0], row, wit.w.map(F::from));
        for (i, word) in wit.words.iter().enumerate() {
            assign(region, cols[1 + i], row, *word);
        }
        let t = self
            .range
            .witness_check(region, row, wit.t.map(F::from), s.t_bits());
        region.assign_fixed(c.filter, row, F::from(filter as u64));
        c.q_word.enable(region, row).expect("selector");
        c.q_head.enable(region, row).expect("selector");
        // the selected word, as the prover computes it
        let word = wit
            .t
            .zip(Value::known(&wit.words))
            .and_then(|(t, ws)| ws.get(t as usize).copied().unwrap_or(Value::known(F::ZERO)));
        // select rows
        let radix = pow2::<F>(s.classes);
        let (mut cnt, mut jac, mut acc) = (
            Value::known(F::ZERO),
            Value::known(F::ZERO),
            Value::known(F::ZERO),
        );
        let mut z = word;
        let mut out = None;
        for i in 0..s.per_word {
            let r = row + 1 + i;
            let zc = assign(region, cols[0], r, z);
            let v = zc
                .value
                .map(|zv| F::from(super::bits_of(&zv, 0, s.classes as usize)));
            let v = self.range.witness_check(region, r, v, s.classes);
            let last = i + 1 == s.per_word;
            region.assign_fixed(
                self.range.config.radix,
                r,
                if last { F::ZERO } else { radix },
            );
            self.range.config.q_dec.enable(region, r).expect("selector");
            let sel = wit.position.map(|j| if j == i { F::ONE } else { F::ZERO });
            assign(region, cols[1], r, sel);
            cnt = cnt.zip(sel).map(|(a, b)| a + b);
            jac = jac.zip(sel).map(|(a, b)| a + b * F::from(i as u64));
            acc = acc.zip(sel).zip(v.value).map(|((a, b), v)| a + b * v);
            assign(region, cols[2], r, cnt);
            assign(region, cols[3], r, jac);
            out = Some(assign(region, cols[4], r, acc));
            region.assign_fixed(c.pos, r, F::from(i as u64));
            region.assign_fixed(c.chain, r, if i == 0 { F::ZERO } else { F::ONE });
            c.q_sel.enable(region, r).expect("selector");
            let inv = radix.invert().unwrap();
            z = zc.value.zip(v.value).map(|(zv, vv)| (zv - vv) * inv);
        }
        // tail
        let r = row + 1 + s.per_word;
        idx.copy_to(region, cols[0], r);
        w.copy_to(region, cols[1], r);
        t.copy_to(region, cols[2], r);
        c.q_tail.enable(region, r).expect("selector");
        out.expect("m ≥ 1")
    }
}
