//! Bloom lookup: one table lookup per (filter, hash index) yields the class vector of **all**
//! classes at that entry.
//!
//! The class vector of filter $f$, entry $e$ is $V(f,e) = \sum_c \mathit{bloom}\[c,f,e\]\,2^c$
//! ($C$ bits). Entries are grouped $M = g\cdot m$ to a table row: with
//! $e = wM + tm + j$ ($t < g$, $j < m$), the keyed data row $(256 + f, w, W_0, \dots, W_{g-1})$
//! of the range chip's table holds $W_t = \sum_{j<m} V(f, wM + tm + j)\,2^{Cj}$ (so
//! $mC \le 252$).
//!
//! Layout on five advice columns $a_0..a_4$ and the range lane, rows:
//!
//! - **header**: $a_0 = w$, $a_{1+i} = W_i$, lane $= t$ (not checked on this row). The
//!   keyed-data lookup of the range chip checks $(256 + f, w, W_0..W_{g-1})$ against the
//!   table (key in the fixed `key` column); and $z_0 = \sum_i L_i(t) W_i$ on the next row
//!   (Lagrange basis on $0..g-1$; gate `select word`).
//! - **select** $i = 0..m-1$: $a_0 = z_i$, lane $= V_i$ (tag $C$), $a_1 = s_i$ with running
//!   sums $a_2 = \mathit{cnt}_i = \sum_{i' \le i} s_{i'}$,
//!   $a_3 = \mathit{jacc}_i = \sum_{i' \le i} (1 - \mathit{cnt}_{i'})$ and
//!   $a_4 = \sum_{i' \le i} s_{i'} V_{i'}$ (gate `one-hot select`); $z_i = V_i + 2^C z_{i+1}$ and
//!   $z_{m-1} = V_{m-1}$ (the range chip's decomposition gates); $s_i \in \{0,1\}$.
//! - **tail**: $a_0 = \mathit{idx}$, $a_1 = w$ (copy), lane $= t$ (copy, tag $\log_2 g$);
//!   $\mathit{cnt}_{m-1} = 1$ and $\mathit{idx} = wM + tm + \mathit{jacc}_{m-1}$ (gate `index`).
//!
//! Soundness: the lookup pins $w < E/M$ and the words of filter $f$ (the key $256 + f$ is
//! above every range tag, and data rows are only matched with the data selector on); $t < g$
//! by the lane on the tail row; the $V_i$ are the unique $C$-bit chunks of $W_t$; the $s_i$
//! are bits with $\sum s_i = 1$, so $\mathit{cnt}_i = [i \ge j]$ for the one $j$ with
//! $s_j = 1$, $\mathit{jacc}_{m-1} = j < m$, and the output $\sum s_i V_i = V(f, \mathit{idx})$
//! with $\mathit{idx} = wM + tm + j < E$. `m`, `g` are powers of two dividing $E$.

use super::range::RangeChip;
use super::{assign, bool_expr, pow2, CircuitField, Wire};
use halo2_proofs::circuit::{Region, Value};
use halo2_proofs::plonk::{Advice, Column, ConstraintSystem, Constraints, Expression, Selector};
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
    /// Data rows in the (shared) table.
    pub fn table_rows(&self) -> usize {
        self.filters * self.entries / self.per_row()
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
    /// Five advice columns `a0..a4` (`a0` must be the range chip's `z` column, and
    /// `a0..a_g` its data columns).
    pub cols: [Column<Advice>; 5],
    /// Enables the word selection (header rows).
    pub q_head: Selector,
    /// Enables the one-hot gate on the first select row.
    pub q_sel_first: Selector,
    /// Enables the one-hot gate on the other select rows.
    pub q_sel: Selector,
    /// Enables the index gate (tail rows).
    pub q_tail: Selector,
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
    /// Configures the gates. The range chip must have been configured with `cols[0]` as `z`,
    /// `cols[0..=g]` as data columns and a decomposition width of `C` bits.
    ///
    /// # Panics
    /// If the shape is invalid (`g ∉ {1, 2, 4}`, `m·C > 252`, non-powers of two) or the range
    /// chip does not match.
    pub fn configure<F: CircuitField>(
        meta: &mut ConstraintSystem<F>,
        range: &super::range::RangeConfig,
        cols: [Column<Advice>; 5],
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
        assert_eq!(
            range.data_cols,
            cols[..=shape.words].to_vec(),
            "data columns must be a0..a_g"
        );
        assert!(
            range.q_dec.iter().any(|(b, _)| *b == shape.classes),
            "range chip lacks C-bit limbs"
        );
        let q_head = meta.selector();
        let q_sel_first = meta.selector();
        let q_sel = meta.selector();
        let q_tail = meta.selector();
        let lane = range.lane;
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
        let one = || Expression::Constant(F::ONE);
        meta.create_gate("one-hot select", |m| {
            let qf = m.query_selector(q_sel_first);
            let qn = m.query_selector(q_sel);
            let s = m.query_advice(cols[1], Rotation::cur());
            let v = m.query_advice(lane, Rotation::cur());
            let cur = |m: &mut halo2_proofs::plonk::VirtualCells<'_, F>, c| {
                m.query_advice(c, Rotation::cur())
            };
            let prev = |m: &mut halo2_proofs::plonk::VirtualCells<'_, F>, c| {
                m.query_advice(c, Rotation::prev())
            };
            let (cnt, jac, acc) = (cur(m, cols[2]), cur(m, cols[3]), cur(m, cols[4]));
            let (cnt_p, jac_p, acc_p) = (prev(m, cols[2]), prev(m, cols[3]), prev(m, cols[4]));
            vec![
                qf.clone() * bool_expr(s.clone()),
                qn.clone() * bool_expr(s.clone()),
                // first row: no predecessor
                qf.clone() * (cnt.clone() - s.clone()),
                qf.clone() * (jac.clone() - one() + cnt.clone()),
                qf * (acc.clone() - s.clone() * v.clone()),
                // other rows: running sums
                qn.clone() * (cnt.clone() - cnt_p - s.clone()),
                qn.clone() * (jac - jac_p - one() + cnt),
                qn * (acc - acc_p - s * v),
            ]
        });
        let (m_e, big_m) = (shape.per_word as u64, shape.per_row() as u64);
        meta.create_gate("index", |m| {
            let q = m.query_selector(q_tail);
            let idx = m.query_advice(cols[0], Rotation::cur());
            let w = m.query_advice(cols[1], Rotation::cur());
            let t = m.query_advice(lane, Rotation::cur());
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
            q_head,
            q_sel_first,
            q_sel,
            q_tail,
            shape,
        }
    }

    /// Builds the chip.
    pub fn construct(config: BloomConfig, range: RangeChip) -> Self {
        BloomChip { config, range }
    }

    /// The table's data rows: `(f, w, [W_0..W_{g−1}])` for every filter and word index;
    /// `words(f, w)` gives the row's packed words. Pass them to the range chip's `load`.
    pub fn data_rows<F: CircuitField>(
        &self,
        words: impl Fn(usize, usize) -> Vec<F>,
    ) -> Vec<(u64, u64, Vec<F>)> {
        let s = self.config.shape;
        let per_filter = s.entries / s.per_row();
        (0..s.filters)
            .flat_map(|f| (0..per_filter).map(move |w| (f, w)))
            .map(|(f, w)| (f as u64, w as u64, words(f, w)))
            .collect()
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
        let lane = self.range.config.lane;
        // header
        let w = assign(region, cols[0], row, wit.w.map(F::from));
        for (i, word) in wit.words.iter().enumerate() {
            assign(region, cols[1 + i], row, *word);
        }
        let t = assign(region, lane, row, wit.t.map(F::from));
        self.range.enable_data(region, row, filter as u64);
        c.q_head.enable(region, row).expect("selector");
        // the selected word, as the prover computes it
        let word = wit
            .t
            .zip(Value::known(&wit.words))
            .and_then(|(t, ws)| ws.get(t as usize).copied().unwrap_or(Value::known(F::ZERO)));
        // select rows
        let q_mid = self
            .range
            .config
            .q_dec
            .iter()
            .find(|(b, _)| *b == s.classes)
            .expect("configured")
            .1;
        let inv = pow2::<F>(s.classes).invert().unwrap();
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
            if i + 1 == s.per_word {
                self.range
                    .config
                    .q_dec_last
                    .expect("BTHOWeN's lane decomposes")
                    .enable(region, r)
                    .expect("selector");
            } else {
                q_mid.enable(region, r).expect("selector");
            }
            let sel = wit.position.map(|j| if j == i { F::ONE } else { F::ZERO });
            assign(region, cols[1], r, sel);
            cnt = cnt.zip(sel).map(|(a, b)| a + b);
            jac = jac.zip(cnt).map(|(a, c)| a + F::ONE - c);
            acc = acc.zip(sel).zip(v.value).map(|((a, b), v)| a + b * v);
            assign(region, cols[2], r, cnt);
            assign(region, cols[3], r, jac);
            out = Some(assign(region, cols[4], r, acc));
            if i == 0 {
                c.q_sel_first.enable(region, r).expect("selector");
            } else {
                c.q_sel.enable(region, r).expect("selector");
            }
            z = zc.value.zip(v.value).map(|(zv, vv)| (zv - vv) * inv);
        }
        // tail
        let r = row + 1 + s.per_word;
        idx.copy_to(region, cols[0], r);
        w.copy_to(region, cols[1], r);
        // Soundness: the header row's lane (t) is not range-checked by the lookup (it checks
        // the data columns there); this copy is what bounds t < g. Keep it.
        self.range.copy_check(region, r, &t, s.t_bits());
        c.q_tail.enable(region, r).expect("selector");
        out.expect("m ≥ 1")
    }
}
