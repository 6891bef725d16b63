//! The range lane: one advice column whose every row is range-checked by a single lookup,
//! which can also serve a keyed table of other data (the Bloom words) in the same argument.
//!
//! For each row, with `key` a fixed column and `q_data` a selector:
//! $$(\mathit{key},\ (1-q)\,\mathit{lane} + q\,w,\ q\,e_1, \dots, q\,e_g) \in T$$
//! where $T$ holds the range rows $(t, v, 0, \dots, 0)$ for $0 \le t \le T_{max}$,
//! $0 \le v < 2^t$, and keyed data rows $(K_0 + f, w, e_1, \dots, e_g)$ with
//! $K_0 = 256 > T_{max}$. A row with $q = 0$ and key $t$ therefore proves
//! $\mathit{lane} < 2^t$ (unused rows: key 0, value 0); a row with $q = 1$ and key $K_0 + f$
//! proves that $(w, e_1..e_g)$ is data row $f$'s (and its lane is not checked).
//!
//! Running-sum decomposition (`z = lane + 2^b · z'` on all rows but the last, `z = lane` on
//! the last, for a width $b$ fixed per gate): on rows $i = 0..L-1$,
//! $$z_0 = \sum_i \mathit{limb}_i\, 2^{b i}, \qquad \mathit{limb}_i < 2^{b_i} \le 2^b,$$
//! hence $z_0 < 2^{\sum b_i}$ and the limbs are unique (when $\sum b_i < 253$). Only the
//! last limb may be narrower than $b$.

use super::{assign, bits_of, pow2, CircuitField, Wire};
use halo2_proofs::circuit::{Layouter, Region, Value};
use halo2_proofs::plonk::{
    Advice, Column, ConstraintSystem, Constraints, Error, Expression, Fixed, Selector, TableColumn,
};
use halo2_proofs::poly::Rotation;

/// Key of the first keyed data row (above every range tag).
pub const DATA_KEY_BASE: u64 = 256;

/// Columns of the range lane and its decomposition gates.
#[derive(Clone, Debug)]
pub struct RangeConfig {
    /// The range-checked advice column.
    pub lane: Column<Advice>,
    /// Bit width checked on each row, or a data key (fixed).
    pub key: Column<Fixed>,
    /// Running-sum column of decompositions.
    pub z: Column<Advice>,
    /// Decomposition gates: `(limb width b, selector of z = lane + 2^b·z')`.
    pub q_dec: Vec<(u32, Selector)>,
    /// Selector of a decomposition's last row, `z = lane` (`None` in a lean lane without
    /// decomposition widths).
    pub q_dec_last: Option<Selector>,
    /// Enables the keyed-data part of the lookup on a row (`None` in a lean lane without
    /// data columns: its lookup input is the lane itself, with no selector column).
    pub q_data: Option<Selector>,
    /// Advice columns of the keyed data `(w, e_1, …, e_g)`.
    pub data_cols: Vec<Column<Advice>>,
    table: Vec<TableColumn>,
    /// Largest tag the table supports.
    pub max_bits: u32,
    /// The range tags the table holds (ascending; 0, for unused rows, always included).
    pub tags: Vec<u32>,
}

/// The range-lane chip.
#[derive(Clone, Debug)]
pub struct RangeChip {
    /// Its configuration.
    pub config: RangeConfig,
}

impl RangeChip {
    /// Configures the lookup and the decomposition gates on caller-allocated columns.
    /// `lane`, `z` need equality enabled by the caller. `widths` lists the limb widths
    /// decompositions may use; `data_cols` are the advice columns of keyed data rows
    /// (`w` then the `g` data values; empty for a pure range lane).
    pub fn configure<F: CircuitField>(
        meta: &mut ConstraintSystem<F>,
        lane: Column<Advice>,
        z: Column<Advice>,
        key: Column<Fixed>,
        max_bits: u32,
        widths: &[u32],
        data_cols: Vec<Column<Advice>>,
    ) -> RangeConfig {
        let tags: Vec<u32> = (0..=max_bits).collect();
        Self::configure_tags(meta, lane, z, key, &tags, widths, data_cols)
    }

    /// [`RangeChip::configure`] with a table holding only the range tags `tags` (and 0):
    /// a smaller table (hence a smaller `k`) when the circuit checks only a few widths.
    ///
    /// # Panics
    /// If a tag reaches [`DATA_KEY_BASE`], or a decomposition width is not a tag.
    pub fn configure_tags<F: CircuitField>(
        meta: &mut ConstraintSystem<F>,
        lane: Column<Advice>,
        z: Column<Advice>,
        key: Column<Fixed>,
        tags: &[u32],
        widths: &[u32],
        data_cols: Vec<Column<Advice>>,
    ) -> RangeConfig {
        Self::configure_with(meta, lane, z, key, tags, widths, data_cols, true)
    }

    /// [`RangeChip::configure_tags`] of a lane whose keyed rows are single values on the
    /// lane itself (no data columns, no `q_data`): the lookup is
    /// $(\mathit{key}, \mathit{lane}) \in T$ on every row, one fixed column (the never-enabled
    /// selector) fewer and a lookup of degree 4 instead of 5.
    pub fn configure_lean<F: CircuitField>(
        meta: &mut ConstraintSystem<F>,
        lane: Column<Advice>,
        z: Column<Advice>,
        key: Column<Fixed>,
        tags: &[u32],
        widths: &[u32],
    ) -> RangeConfig {
        Self::configure_with(meta, lane, z, key, tags, widths, vec![], false)
    }

    #[allow(clippy::too_many_arguments)]
    fn configure_with<F: CircuitField>(
        meta: &mut ConstraintSystem<F>,
        lane: Column<Advice>,
        z: Column<Advice>,
        key: Column<Fixed>,
        tags: &[u32],
        widths: &[u32],
        data_cols: Vec<Column<Advice>>,
        keyed_data: bool,
    ) -> RangeConfig {
        let mut tags = tags.to_vec();
        tags.push(0);
        tags.sort_unstable();
        tags.dedup();
        let max_bits = *tags.last().expect("tag 0");
        assert!(
            (max_bits as u64) < DATA_KEY_BASE,
            "tags must stay below the data keys"
        );
        assert!(
            widths.iter().all(|w| tags.contains(w)),
            "every decomposition width must be a table tag"
        );
        let table: Vec<TableColumn> = (0..2 + data_cols.len().saturating_sub(1))
            .map(|_| meta.lookup_table_column())
            .collect();
        let q_data = keyed_data.then(|| meta.complex_selector());
        let dc = data_cols.clone();
        meta.lookup("lane < 2^tag | keyed data", |m| {
            let k = m.query_fixed(key, Rotation::cur());
            let v = m.query_advice(lane, Rotation::cur());
            let Some(q_data) = q_data else {
                return vec![(k, table[0]), (v, table[1])];
            };
            let q = m.query_selector(q_data);
            let one = Expression::Constant(F::ONE);
            let mut first = (one - q.clone()) * v;
            if let Some(&w) = dc.first() {
                first = first + q.clone() * m.query_advice(w, Rotation::cur());
            }
            let mut out = vec![(k, table[0]), (first, table[1])];
            for (i, &c) in dc.iter().skip(1).enumerate() {
                out.push((q.clone() * m.query_advice(c, Rotation::cur()), table[2 + i]));
            }
            out
        });
        let mut q_dec = Vec::new();
        for &b in widths {
            let q_b = meta.selector();
            let radix = Expression::Constant(pow2::<F>(b));
            meta.create_gate(format!("z = lane + 2^{b} · z'"), |m| {
                let q = m.query_selector(q_b);
                let z_cur = m.query_advice(z, Rotation::cur());
                let z_next = m.query_advice(z, Rotation::next());
                let limb = m.query_advice(lane, Rotation::cur());
                Constraints::with_selector(
                    q,
                    [("running sum", z_cur - limb - radix.clone() * z_next)],
                )
            });
            q_dec.push((b, q_b));
        }
        let q_dec_last = (keyed_data || !widths.is_empty()).then(|| {
            let q_dec_last = meta.selector();
            meta.create_gate("z = lane (last limb)", |m| {
                let q = m.query_selector(q_dec_last);
                let z_cur = m.query_advice(z, Rotation::cur());
                let limb = m.query_advice(lane, Rotation::cur());
                Constraints::with_selector(q, [("last limb", z_cur - limb)])
            });
            q_dec_last
        });
        RangeConfig {
            lane,
            key,
            z,
            q_dec,
            q_dec_last,
            q_data,
            data_cols,
            table,
            max_bits,
            tags,
        }
    }

    /// Builds the chip.
    pub fn construct(config: RangeConfig) -> Self {
        RangeChip { config }
    }

    /// Rows of the lookup table with every tag up to `max_bits`: `2^(max_bits+1) − 1`.
    pub fn table_rows(max_bits: u32) -> usize {
        (1usize << (max_bits + 1)) - 1
    }

    /// Rows of the range part of a table holding `tags` (and 0): `Σ 2^t`.
    pub fn table_rows_for(tags: &[u32]) -> usize {
        let mut t = tags.to_vec();
        t.push(0);
        t.sort_unstable();
        t.dedup();
        t.iter().map(|&b| 1usize << b).sum()
    }

    /// Loads the table: the range rows, then one keyed row per item of `data`
    /// (`(f, w, values)` gets key `DATA_KEY_BASE + f`).
    pub fn load<F: CircuitField>(
        &self,
        layouter: &mut impl Layouter<F>,
        data: impl IntoIterator<Item = (u64, u64, Vec<F>)>,
    ) -> Result<(), Error> {
        let c = &self.config;
        let data: Vec<_> = data.into_iter().collect();
        layouter.assign_table(
            || "range and data table",
            |mut table| {
                let mut put = |row: usize, vals: &[F]| -> Result<(), Error> {
                    for (i, col) in c.table.iter().enumerate() {
                        let v = vals.get(i).copied().unwrap_or(F::ZERO);
                        table.assign_cell(|| "t", *col, row, || Value::known(v))?;
                    }
                    Ok(())
                };
                let mut row = 0;
                for &t in &c.tags {
                    for v in 0..(1u64 << t) {
                        put(row, &[F::from(t as u64), F::from(v)])?;
                        row += 1;
                    }
                }
                for (f, w, vals) in &data {
                    let mut r = vec![F::from(DATA_KEY_BASE + f), F::from(*w)];
                    r.extend(vals.iter().copied());
                    put(row, &r)?;
                    row += 1;
                }
                Ok(())
            },
        )
    }

    /// Marks `row` as a keyed-data row for item `f`: the lookup then checks the data columns
    /// against the table row of key `DATA_KEY_BASE + f` (the lane is not checked on it).
    pub fn enable_data<F: CircuitField>(&self, region: &mut Region<'_, F>, row: usize, f: u64) {
        region.assign_fixed(self.config.key, row, F::from(DATA_KEY_BASE + f));
        self.config
            .q_data
            .expect("a lane with keyed data")
            .enable(region, row)
            .expect("selector");
    }

    /// Witnesses `value` on the lane at `row` and checks it is below `2^bits`.
    ///
    /// # Panics
    /// If `bits > max_bits`.
    pub fn witness_check<F: CircuitField>(
        &self,
        region: &mut Region<'_, F>,
        row: usize,
        value: Value<F>,
        bits: u32,
    ) -> Wire<F> {
        assert!(
            self.config.tags.contains(&bits),
            "range check of {bits} bits: the table has no such tag"
        );
        region.assign_fixed(self.config.key, row, F::from(bits as u64));
        assign(region, self.config.lane, row, value)
    }

    /// Witnesses `value` on the lane at `row` under the table key `key` (a range tag, or
    /// [`DATA_KEY_BASE`]` + f` for a keyed table `f` whose rows are single values): the lookup
    /// proves `(key, value)` is a table row.
    pub fn witness_keyed<F: CircuitField>(
        &self,
        region: &mut Region<'_, F>,
        row: usize,
        value: Value<F>,
        key: u64,
    ) -> Wire<F> {
        region.assign_fixed(self.config.key, row, F::from(key));
        assign(region, self.config.lane, row, value)
    }

    /// Copies `wire` onto the lane at `row` and checks it is below `2^bits`.
    ///
    /// # Panics
    /// If `bits > max_bits`.
    pub fn copy_check<F: CircuitField>(
        &self,
        region: &mut Region<'_, F>,
        row: usize,
        wire: &Wire<F>,
        bits: u32,
    ) -> Wire<F> {
        let w = self.witness_check(region, row, wire.value, bits);
        region.constrain_equal(w.cell, wire.cell);
        w
    }

    /// Decomposes `wire` into limbs of `limb_bits` bits (least significant first) on rows
    /// `row..row + limb_bits.len()`, proving `wire < 2^(Σ limb_bits)`. Every limb but the
    /// last must have the same width, one of the configured `widths`. Returns the limbs.
    ///
    /// # Panics
    /// If `limb_bits` is empty, mixes widths, uses an unconfigured width, or exceeds `max_bits`.
    pub fn decompose<F: CircuitField>(
        &self,
        region: &mut Region<'_, F>,
        row: usize,
        wire: &Wire<F>,
        limb_bits: &[u32],
    ) -> Vec<Wire<F>> {
        let mut shift = 0usize;
        let limbs = limb_bits
            .iter()
            .map(|&w| {
                let l = wire.value.map(|v| F::from(bits_of(&v, shift, w as usize)));
                shift += w as usize;
                l
            })
            .collect();
        self.running_sum(region, row, Some(wire), limbs, limb_bits)
            .1
    }

    /// The converse of [`RangeChip::decompose`]: witnesses `limbs` (least significant first)
    /// on the lane with widths `limb_bits`, and returns the number they compose,
    /// $\sum_i \mathit{limb}_i\,2^{b i}$, as a cell of the running-sum column, with the limb
    /// cells. Same layout, gates and panics as `decompose`.
    pub fn witness_compose<F: CircuitField>(
        &self,
        region: &mut Region<'_, F>,
        row: usize,
        limbs: Vec<Value<F>>,
        limb_bits: &[u32],
    ) -> (Wire<F>, Vec<Wire<F>>) {
        let (z0, limbs) = self.running_sum(region, row, None, limbs, limb_bits);
        (z0.expect("at least one limb"), limbs)
    }

    /// Lays out a running sum over `limbs`: `z_0` copies `wire` if given, else it is the
    /// composed value. Returns the `z_0` cell and the limb cells.
    fn running_sum<F: CircuitField>(
        &self,
        region: &mut Region<'_, F>,
        row: usize,
        wire: Option<&Wire<F>>,
        limbs: Vec<Value<F>>,
        limb_bits: &[u32],
    ) -> (Option<Wire<F>>, Vec<Wire<F>>) {
        assert!(!limb_bits.is_empty(), "empty decomposition");
        assert_eq!(limbs.len(), limb_bits.len());
        let c = &self.config;
        let b = limb_bits[0];
        assert!(
            limb_bits[..limb_bits.len() - 1].iter().all(|&w| w == b),
            "mixed limb widths"
        );
        assert!(
            limb_bits.iter().all(|&w| w <= b),
            "only the last limb may be narrower"
        );
        let q_mid = (limb_bits.len() > 1).then(|| {
            c.q_dec
                .iter()
                .find(|(w, _)| *w == b)
                .map(|(_, q)| *q)
                .expect("limb width not configured")
        });
        let radix = pow2::<F>(b);
        // z_i = Σ_{i' ≥ i} limb_i' · 2^{b (i' − i)}, from the top limb down
        let mut zs = vec![Value::known(F::ZERO); limbs.len()];
        let mut acc = Value::known(F::ZERO);
        for i in (0..limbs.len()).rev() {
            acc = acc.zip(limbs[i]).map(|(a, l)| a * radix + l);
            zs[i] = acc;
        }
        let mut first = None;
        let mut out = Vec::with_capacity(limbs.len());
        for (i, (&w, limb)) in limb_bits.iter().zip(limbs).enumerate() {
            let r = row + i;
            let zc = match (i, wire) {
                (0, Some(wire)) => wire.copy_to(region, c.z, r),
                _ => assign(region, c.z, r, zs[i]),
            };
            if i == 0 {
                first = Some(zc);
            }
            out.push(self.witness_check(region, r, limb, w));
            if i + 1 == limb_bits.len() {
                c.q_dec_last
                    .expect("a lane with decompositions")
                    .enable(region, r)
                    .expect("selector");
            } else {
                q_mid.expect("set").enable(region, r).expect("selector");
            }
        }
        (first, out)
    }

    /// Limb widths covering `bits` bits with at most `max_limb` bits per limb.
    pub fn limb_widths(bits: u32, max_limb: u32) -> Vec<u32> {
        let mut v = vec![max_limb; (bits / max_limb) as usize];
        if !bits.is_multiple_of(max_limb) || v.is_empty() {
            v.push(bits % max_limb);
        }
        v
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use halo2_proofs::circuit::SimpleFloorPlanner;
    use halo2_proofs::dev::{FailureLocation, MockProver, VerifyFailure};
    use halo2_proofs::halo2curves::bn256::Fr;
    use halo2_proofs::plonk::{Any, Circuit};

    /// Decomposes `value` into `limbs`, and range-checks `single` to `single_bits`.
    #[derive(Clone, Default)]
    struct TestCircuit {
        value: u64,
        limbs: Vec<u32>,
        single: u64,
        single_bits: u32,
        /// Replace limb 0's witness (a malicious prover).
        bad_limb0: Option<u64>,
    }

    impl Circuit<Fr> for TestCircuit {
        type Config = RangeConfig;
        type FloorPlanner = SimpleFloorPlanner;
        type Params = ();
        fn without_witnesses(&self) -> Self {
            self.clone()
        }
        fn configure(meta: &mut ConstraintSystem<Fr>) -> RangeConfig {
            let (lane, z) = (meta.advice_column(), meta.advice_column());
            meta.enable_equality(lane);
            meta.enable_equality(z);
            let key = meta.fixed_column();
            RangeChip::configure(meta, lane, z, key, 8, &[8], vec![])
        }
        fn synthesize(
            &self,
            config: RangeConfig,
            mut layouter: impl Layouter<Fr>,
        ) -> Result<(), Error> {
            let chip = RangeChip::construct(config.clone());
            chip.load(&mut layouter, vec![])?;
            layouter.assign_region(
                || "range",
                |mut region| {
                    let w = chip.witness_check(
                        &mut region,
                        0,
                        Value::known(Fr::from(self.single)),
                        self.single_bits,
                    );
                    let v = assign(&mut region, config.z, 1, Value::known(Fr::from(self.value)));
                    let _ = w;
                    let limbs = chip.decompose(&mut region, 2, &v, &self.limbs);
                    if let Some(bad) = self.bad_limb0 {
                        // overwrite limb 0 and the running sum after it consistently
                        region.assign_advice(config.lane, 2, Value::known(Fr::from(bad)));
                        let z1 = (Fr::from(self.value) - Fr::from(bad))
                            * Fr::from(256).invert().unwrap();
                        region.assign_advice(config.z, 3, Value::known(z1));
                    }
                    let _ = limbs;
                    Ok(())
                },
            )
        }
    }

    fn run(c: TestCircuit) -> Result<(), Vec<VerifyFailure>> {
        MockProver::run(10, &c, vec![]).unwrap().verify()
    }

    #[test]
    fn boundaries_of_single_checks() {
        let ok = |v, b| {
            run(TestCircuit {
                value: 0,
                limbs: vec![8],
                single: v,
                single_bits: b,
                bad_limb0: None,
            })
        };
        assert!(ok(0, 0).is_ok()); // 0 fits in 0 bits
        assert!(ok(255, 8).is_ok()); // max
        assert!(ok(7, 3).is_ok());
        // max + 1 is a lookup failure on the lane at row 0
        let err = ok(8, 3).unwrap_err();
        assert!(
            matches!(&err[0], VerifyFailure::Lookup { name, location: FailureLocation::InRegion { offset: 0, .. }, .. } if name == "lane < 2^tag | keyed data"),
            "{err:?}"
        );
        assert!(ok(256, 8).is_err());
        assert!(ok(1, 0).is_err());
    }

    #[test]
    fn decomposition_honest_and_boundaries() {
        let dec = |value, limbs: Vec<u32>| {
            run(TestCircuit {
                value,
                limbs,
                single: 0,
                single_bits: 0,
                bad_limb0: None,
            })
        };
        assert!(dec(0, vec![8, 8]).is_ok());
        assert!(dec(0xffff, vec![8, 8]).is_ok());
        assert!(dec(0x1ff, vec![8, 1]).is_ok()); // 9 bits, max
                                                 // 2^9 does not fit in 8 + 1 bits: the top limb would be 2 (lookup fails) —
                                                 // the honest assignment puts bits_of(...) = 0 in the top limb and the running sum breaks
        assert!(dec(0x200, vec![8, 1]).is_err());
        assert_eq!(RangeChip::limb_widths(20, 8), vec![8, 8, 4]);
        assert_eq!(RangeChip::limb_widths(16, 8), vec![8, 8]);
        assert_eq!(RangeChip::limb_widths(0, 8), vec![0]);
    }

    #[test]
    fn tampered_limb_breaks_the_range_check() {
        // value 300 = 44 + 256·1; claim limb0 = 300 and z1 = 0: the lane lookup rejects 300.
        let err = run(TestCircuit {
            value: 300,
            limbs: vec![8, 8],
            single: 0,
            single_bits: 0,
            bad_limb0: Some(300),
        })
        .unwrap_err();
        assert!(
            err.iter()
                .any(|e| matches!(e, VerifyFailure::Lookup { name, .. } if name == "lane < 2^tag | keyed data")),
            "{err:?}"
        );
        // claim limb0 = 45 (in range): the running sum gate fails on the last row (z1 not an integer limb)
        let err = run(TestCircuit {
            value: 300,
            limbs: vec![8, 8],
            single: 0,
            single_bits: 0,
            bad_limb0: Some(45),
        })
        .unwrap_err();
        assert!(
            err.iter().any(
                |e| matches!(e, VerifyFailure::ConstraintNotSatisfied { .. })
                    || matches!(e, VerifyFailure::Lookup { .. })
            ),
            "{err:?}"
        );
        let _ = Any::Fixed;
    }
}
