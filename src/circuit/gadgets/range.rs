//! The range lane: one advice column whose every row is range-checked by a single lookup.
//!
//! For each row, with `tag` a fixed column:
//! $$(\mathit{tag}, \mathit{lane}) \in \{(t, v) : 0 \le t \le T,\ 0 \le v < 2^t\}$$
//! so a row with tag $t$ proves $\mathit{lane} < 2^t$; unused rows have tag 0 and value 0.
//!
//! Running-sum decomposition (gate `z = lane + radix · z'`, `radix` a fixed column): on rows
//! $i = 0..L-1$ with $\mathit{radix}_i = 2^{b_i}$ for $i < L-1$ and $0$ on the last row,
//! $$z_0 = \sum_i \mathit{limb}_i \prod_{i' < i} 2^{b_{i'}}, \qquad \mathit{limb}_i < 2^{b_i},$$
//! hence $z_0 < 2^{\sum b_i}$ and the limbs are unique (when $\sum b_i < 253$).

use super::{assign, bits_of, pow2, CircuitField, Wire};
use halo2_proofs::circuit::{Layouter, Region, Value};
use halo2_proofs::plonk::{
    Advice, Column, ConstraintSystem, Constraints, Error, Fixed, Selector, TableColumn,
};
use halo2_proofs::poly::Rotation;

/// Columns of the range lane and its decomposition gate.
#[derive(Clone, Debug)]
pub struct RangeConfig {
    /// The range-checked advice column.
    pub lane: Column<Advice>,
    /// Bit width checked on each row (fixed).
    pub tag: Column<Fixed>,
    /// Running-sum column of decompositions.
    pub z: Column<Advice>,
    /// Radix of each decomposition row (fixed; 0 on a decomposition's last row).
    pub radix: Column<Fixed>,
    /// Enables the decomposition gate.
    pub q_dec: Selector,
    table_tag: TableColumn,
    table_value: TableColumn,
    /// Largest tag the table supports.
    pub max_bits: u32,
}

/// The range-lane chip.
#[derive(Clone, Debug)]
pub struct RangeChip {
    /// Its configuration.
    pub config: RangeConfig,
}

impl RangeChip {
    /// Configures the lane lookup and the decomposition gate on caller-allocated columns.
    /// `lane` and `z` need equality enabled by the caller.
    pub fn configure<F: CircuitField>(
        meta: &mut ConstraintSystem<F>,
        lane: Column<Advice>,
        z: Column<Advice>,
        tag: Column<Fixed>,
        radix: Column<Fixed>,
        max_bits: u32,
    ) -> RangeConfig {
        let table_tag = meta.lookup_table_column();
        let table_value = meta.lookup_table_column();
        meta.lookup("lane < 2^tag", |m| {
            let t = m.query_fixed(tag, Rotation::cur());
            let v = m.query_advice(lane, Rotation::cur());
            vec![(t, table_tag), (v, table_value)]
        });
        let q_dec = meta.selector();
        meta.create_gate("z = lane + radix · z'", |m| {
            let q = m.query_selector(q_dec);
            let z_cur = m.query_advice(z, Rotation::cur());
            let z_next = m.query_advice(z, Rotation::next());
            let limb = m.query_advice(lane, Rotation::cur());
            let r = m.query_fixed(radix, Rotation::cur());
            Constraints::with_selector(q, [("running sum", z_cur - limb - r * z_next)])
        });
        RangeConfig {
            lane,
            tag,
            z,
            radix,
            q_dec,
            table_tag,
            table_value,
            max_bits,
        }
    }

    /// Builds the chip.
    pub fn construct(config: RangeConfig) -> Self {
        RangeChip { config }
    }

    /// Rows of the lookup table: `2^(max_bits+1) − 1`.
    pub fn table_rows(max_bits: u32) -> usize {
        (1usize << (max_bits + 1)) - 1
    }

    /// Loads the `(t, v)` table.
    pub fn load<F: CircuitField>(&self, layouter: &mut impl Layouter<F>) -> Result<(), Error> {
        let c = &self.config;
        layouter.assign_table(
            || "range table",
            |mut table| {
                let mut row = 0;
                for t in 0..=c.max_bits {
                    for v in 0..(1u64 << t) {
                        table.assign_cell(
                            || "tag",
                            c.table_tag,
                            row,
                            || Value::known(F::from(t as u64)),
                        )?;
                        table.assign_cell(
                            || "value",
                            c.table_value,
                            row,
                            || Value::known(F::from(v)),
                        )?;
                        row += 1;
                    }
                }
                Ok(())
            },
        )
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
            bits <= self.config.max_bits,
            "range check of {bits} bits exceeds the table"
        );
        region.assign_fixed(self.config.tag, row, F::from(bits as u64));
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
    /// `row..row + limb_bits.len()`, proving `wire < 2^(Σ limb_bits)`. Returns the limbs.
    ///
    /// # Panics
    /// If `limb_bits` is empty or a width exceeds `max_bits`.
    pub fn decompose<F: CircuitField>(
        &self,
        region: &mut Region<'_, F>,
        row: usize,
        wire: &Wire<F>,
        limb_bits: &[u32],
    ) -> Vec<Wire<F>> {
        assert!(!limb_bits.is_empty(), "empty decomposition");
        let c = &self.config;
        let mut limbs = Vec::with_capacity(limb_bits.len());
        let mut shift = 0usize;
        let mut z = wire.value;
        for (i, &b) in limb_bits.iter().enumerate() {
            let r = row + i;
            let zc = if i == 0 {
                wire.copy_to(region, c.z, r)
            } else {
                assign(region, c.z, r, z)
            };
            let limb = wire.value.map(|v| F::from(bits_of(&v, shift, b as usize)));
            limbs.push(self.witness_check(region, r, limb, b));
            let last = i + 1 == limb_bits.len();
            region.assign_fixed(c.radix, r, if last { F::ZERO } else { pow2::<F>(b) });
            c.q_dec.enable(region, r).expect("selector");
            // z_{i+1} = (z_i − limb_i) / 2^b
            let inv = pow2::<F>(b).invert().unwrap();
            z = zc.value.zip(limb).map(|(zv, l)| (zv - l) * inv);
            shift += b as usize;
        }
        limbs
    }

    /// Limb widths covering `bits` bits with at most `max_limb` bits per limb.
    pub fn limb_widths(bits: u32, max_limb: u32) -> Vec<u32> {
        let mut v = vec![max_limb; (bits / max_limb) as usize];
        if bits % max_limb != 0 || v.is_empty() {
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
            let (tag, radix) = (meta.fixed_column(), meta.fixed_column());
            RangeChip::configure(meta, lane, z, tag, radix, 8)
        }
        fn synthesize(
            &self,
            config: RangeConfig,
            mut layouter: impl Layouter<Fr>,
        ) -> Result<(), Error> {
            let chip = RangeChip::construct(config.clone());
            chip.load(&mut layouter)?;
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
            matches!(&err[0], VerifyFailure::Lookup { name, location: FailureLocation::InRegion { offset: 0, .. }, .. } if name == "lane < 2^tag"),
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
                .any(|e| matches!(e, VerifyFailure::Lookup { name, .. } if name == "lane < 2^tag")),
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
