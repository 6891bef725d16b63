//! `BthowenChip`: a BTHOWeN model's whole inference, composed from the gadgets. It reads like
//! [`Wnn::predict`](crate::model::Wnn::predict): encode → hash → Bloom lookup → popcount.
//!
//! Columns come in two groups: the **lane group** (advice `a0..a4` and the range lane;
//! pixels, comparisons, hash range checks, Bloom lookups, score decomposition) and the **side
//! group** (advice `b0..`; hash equations, index splits, responses). Each filter's work is
//! placed at the next free rows of each group. In the fast layout the groups have their own
//! columns and fill rows independently; in the compact layout the side group reuses `a0..a4`
//! and takes its rows from the lane cursor ([`Rows::take_side`]).

pub mod params;
pub mod trace;

use super::chip::{ChipOutput, InputLayout, Rows};
use super::gadgets::bloom::{BloomChip, BloomConfig, BloomWitness};
use super::gadgets::constant::{ConstantChip, ConstantConfig};
use super::gadgets::mishmash::{HashWitness, MishMashChip, MishMashConfig};
use super::gadgets::popcount::{PopcountChip, PopcountConfig};
use super::gadgets::range::{RangeChip, RangeConfig};
use super::gadgets::thermometer::{Comparison, ThermometerChip, ThermometerConfig};
use super::gadgets::{CircuitField, Wire};
use super::params::CircuitParams;
use crate::model::Wnn;
use halo2_proofs::circuit::{Layouter, Region, Value};
use halo2_proofs::plonk::{Advice, Column, ConstraintSystem, Error};
use trace::{table_word, Encoding, Trace};

/// All columns and gadget configurations of the WNN chip.
#[derive(Clone, Debug)]
pub struct BthowenConfig {
    /// Lane-group advice columns `a0..a4`.
    pub lane_cols: [Column<Advice>; 5],
    /// Side-group advice columns.
    pub side_cols: Vec<Column<Advice>>,
    /// Constants pinned in `a2` against the fixed `pow` column.
    pub constant: ConstantConfig,
    /// Range lane.
    pub range: RangeConfig,
    /// Thermometer encoding.
    pub thermometer: ThermometerConfig,
    /// MishMash.
    pub hash: MishMashConfig,
    /// Bloom lookup.
    pub bloom: BloomConfig,
    /// Responses and scores.
    pub popcount: PopcountConfig,
    /// The shape.
    pub params: CircuitParams,
}

impl BthowenConfig {
    /// Allocates the chip's columns and configures every gadget.
    pub fn configure<F: CircuitField>(
        meta: &mut ConstraintSystem<F>,
        params: &CircuitParams,
    ) -> Self {
        let lane_cols = [(); 5].map(|_| meta.advice_column());
        let lane = meta.advice_column();
        // compact: the side gadgets reuse a0..a4 (plus what K + 2 > 5 needs)
        let bp = params.bloom();
        let side_cols: Vec<_> = if params.compact {
            // only the columns the side gadgets use (`max(3, K+2)`): for K = 1 that leaves a3
            // out of the copies, one permutation column fewer
            let width = bp.side_width();
            lane_cols
                .iter()
                .copied()
                .take(width.min(5))
                .chain((0..width.saturating_sub(5)).map(|_| meta.advice_column()))
                .collect()
        } else {
            (0..bp.side_width()).map(|_| meta.advice_column()).collect()
        };
        // every column takes part in copies except a3 (the one-hot's position sum), unless
        // the side gadgets use it
        let mut eq = vec![lane_cols[0], lane_cols[1], lane_cols[2], lane_cols[4], lane];
        for &c in &side_cols {
            if !eq.contains(&c) {
                eq.push(c);
            }
        }
        for &c in &eq {
            meta.enable_equality(c);
        }
        let [key, thr, pow] = [(); 3].map(|_| meta.fixed_column());
        // the response weights share `pow` when the groups share rows
        let weight = if params.compact {
            pow
        } else {
            meta.fixed_column()
        };
        let mut widths = vec![8, params.classes as u32, params.score_bits];
        widths.sort_unstable();
        widths.dedup();
        let data_cols = lane_cols[..=bp.words].to_vec();
        let range = RangeChip::configure(
            meta,
            lane,
            lane_cols[0],
            key,
            params.range_bits,
            &widths,
            data_cols,
        );
        let thermometer = ThermometerChip::configure(
            meta,
            &range,
            lane_cols[0],
            lane_cols[1],
            lane_cols[2],
            thr,
            pow,
        );
        // constants (filter inputs' constant parts, padding, digest) are pinned in a2 against
        // `pow`, on rows of their own
        let constant = ConstantChip::configure(meta, lane_cols[2], pow);
        let hash = MishMashChip::configure(
            meta,
            [side_cols[0], side_cols[1], side_cols[2]],
            bp.hash_params(),
        );
        let bloom = BloomChip::configure(meta, &range, lane_cols, bp.bloom_shape(params.classes));
        let popcount = PopcountChip::configure(
            meta,
            side_cols.clone(),
            weight,
            bp.hashes,
            params.classes,
            params.score_bits,
        );
        BthowenConfig {
            lane_cols,
            side_cols,
            constant,
            range,
            thermometer,
            hash,
            bloom,
            popcount,
            params: params.clone(),
        }
    }
}

/// The BTHOWeN chip for one model.
#[derive(Clone, Debug)]
pub struct BthowenChip<'m> {
    config: BthowenConfig,
    model: &'m Wnn,
    encoding: Encoding,
    range: RangeChip,
    thermometer: ThermometerChip,
    hash: MishMashChip,
    bloom: BloomChip,
    popcount: PopcountChip,
    constant: ConstantChip,
}

impl<'m> BthowenChip<'m> {
    /// Builds the chip for `model`, which must be the model `config.params` was derived from.
    pub fn construct(config: BthowenConfig, model: &'m Wnn) -> Self {
        let range = RangeChip::construct(config.range.clone());
        BthowenChip {
            thermometer: ThermometerChip::construct(config.thermometer.clone(), range.clone()),
            hash: MishMashChip::construct(config.hash.clone(), range.clone()),
            bloom: BloomChip::construct(config.bloom.clone(), range.clone()),
            popcount: PopcountChip::construct(config.popcount.clone()),
            constant: ConstantChip::construct(config.constant.clone()),
            encoding: Encoding::of(model),
            range,
            model,
            config,
        }
    }

    /// The model's encoding structure.
    pub fn encoding(&self) -> &Encoding {
        &self.encoding
    }

    /// Loads the lookup tables.
    pub fn load<F: CircuitField>(&self, layouter: &mut impl Layouter<F>) -> Result<(), Error> {
        let cp = &self.config.params;
        let data = self.bloom.data_rows(|f, w| {
            (0..cp.bloom().words)
                .map(|t| table_word(self.model, cp, f, w, t))
                .collect()
        });
        self.range.load(layouter, data)
    }

    /// Assigns the whole inference from `start`, with the witness `trace` (`None` at key
    /// generation). Returns the outputs and the next free rows.
    pub fn assign<F: CircuitField>(
        &self,
        region: &mut Region<'_, F>,
        start: Rows,
        trace: Option<&Trace<F>>,
    ) -> (ChipOutput<F>, Rows) {
        self.assign_with(region, start, trace, InputLayout::Used)
    }

    /// [`BthowenChip::assign`] with a choice of pixel layout.
    pub fn assign_with<F: CircuitField>(
        &self,
        region: &mut Region<'_, F>,
        start: Rows,
        trace: Option<&Trace<F>>,
        layout: InputLayout,
    ) -> (ChipOutput<F>, Rows) {
        let cp = &self.config.params;
        let bp = cp.bloom();
        let enc = &self.encoding;
        let val =
            |f: &dyn Fn(&Trace<F>) -> F| trace.map_or(Value::unknown(), |t| Value::known(f(t)));
        let mut rows = start;

        // pixels: range-checked once, then copied into every comparison
        let (pixels, words) = super::chip::assign_inputs(
            &self.range,
            region,
            &mut rows,
            self.model.params().num_inputs,
            &enc.used_pixels,
            layout,
            |i| val(&|t| F::from(t.pixels[i] as u64)),
        );

        let mut score: Option<Wire<F>> = None;
        for f in 0..bp.filters {
            // encoding: x_f
            let comps = &enc.comparisons[f];
            let x = if comps.is_empty() {
                let x = self
                    .constant
                    .assign(region, rows.lane, F::from(enc.constants[f]));
                rows.lane += 1;
                x
            } else {
                let cmps: Vec<Comparison<F>> = comps
                    .iter()
                    .enumerate()
                    .map(|(j, c)| Comparison {
                        pixel: pixels[c.pixel].expect("used pixel"),
                        threshold: c.threshold,
                        exponent: c.exponent,
                        bit: trace.map_or(Value::unknown(), |t| Value::known(t.bits[f][j])),
                    })
                    .collect();
                let x = self.thermometer.assign_chunk(
                    region,
                    rows.lane,
                    &cmps,
                    F::from(enc.constants[f]),
                    &self.constant,
                );
                rows.lane += ThermometerChip::rows(cmps.len());
                x
            };
            // hash and indices
            let hw = HashWitness {
                q: val(&|t| t.quotients[f]),
                r: trace.map_or(Value::unknown(), |t| Value::known(t.remainders[f])),
            };
            let lane_row = rows.lane;
            rows.lane += MishMashChip::lane_rows(&bp.hash_params());
            let side_row = rows.take_side(2, cp.compact);
            let h = self.hash.hash(region, side_row, lane_row, &x, hw);
            let split_rows = if bp.hashes > 1 { bp.hashes } else { 0 };
            let split_row = rows.take_side(split_rows, cp.compact);
            let idx =
                self.hash
                    .split_unchecked(region, split_row, &h, bp.hashes, bp.bits_per_index());
            // Bloom lookups: one per hash, all classes at once
            let mut vectors = Vec::with_capacity(bp.hashes);
            for (k, idx) in idx.iter().enumerate() {
                let wit = match trace {
                    Some(t) => {
                        let l = &t.lookups[f][k];
                        BloomWitness {
                            w: Value::known(l.w),
                            t: Value::known(l.t),
                            words: l.words.iter().map(|&w| Value::known(w)).collect(),
                            position: Value::known(l.position),
                        }
                    }
                    None => BloomWitness {
                        w: Value::unknown(),
                        t: Value::unknown(),
                        words: vec![Value::unknown(); bp.words],
                        position: Value::unknown(),
                    },
                };
                vectors.push(self.bloom.lookup(region, rows.lane, f, idx, &wit));
                rows.lane += bp.bloom_shape(cp.classes).rows_per_lookup();
            }
            // responses and the running score vector
            let bits: Vec<Vec<Value<bool>>> = (0..bp.hashes)
                .map(|k| {
                    (0..cp.classes)
                        .map(|c| {
                            trace.map_or(Value::unknown(), |t| Value::known(t.class_bits[f][k][c]))
                        })
                        .collect()
                })
                .collect();
            let pop_row = rows.take_side(PopcountChip::rows(bp.hashes, cp.classes), cp.compact);
            let s = self
                .popcount
                .accumulate(region, pop_row, &vectors, &bits, score.as_ref());
            score = Some(s);
        }
        // scores: the limbs of the accumulator
        let widths = vec![cp.score_bits; cp.classes];
        let score = score.expect("at least one filter");
        let scores = self.range.decompose(region, rows.lane, &score, &widths);
        rows.lane += cp.classes;
        (
            ChipOutput {
                scores,
                pixels,
                words,
            },
            rows,
        )
    }
}

impl BthowenChip<'_> {
    /// The chip that pins constants (in `a2`), for the enclosing circuit's own constants.
    pub fn constant(&self) -> &ConstantChip {
        &self.constant
    }
}
