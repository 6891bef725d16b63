//! `WnnChip`: the whole inference, composed from the gadgets. It reads like
//! [`Wnn::predict`](crate::model::Wnn::predict): encode → hash → Bloom lookup → popcount.
//!
//! Columns come in two groups: the **lane group** (advice `a0..a4` and the range lane;
//! pixels, comparisons, hash range checks, Bloom lookups, score decomposition) and the **side
//! group** (advice `b0..`; hash equations, index splits, responses). Each filter's work is
//! placed at the next free rows of each group. In the fast layout the groups have their own
//! columns and fill rows independently; in the compact layout the side group reuses `a0..a4`
//! and takes its rows from the lane cursor ([`Rows::take_side`]).

use super::gadgets::bloom::{BloomChip, BloomConfig, BloomWitness};
use super::gadgets::constant::{ConstantChip, ConstantConfig};
use super::gadgets::mishmash::{HashWitness, MishMashChip, MishMashConfig};
use super::gadgets::popcount::{PopcountChip, PopcountConfig};
use super::gadgets::range::{RangeChip, RangeConfig};
use super::gadgets::thermometer::{Comparison, ThermometerChip, ThermometerConfig};
use super::gadgets::{CircuitField, Wire};
use super::params::CircuitParams;
use super::trace::{table_word, Encoding, Trace};
use crate::model::Wnn;
use halo2_proofs::circuit::{Layouter, Region, Value};
use halo2_proofs::plonk::{Advice, Column, ConstraintSystem, Error};

/// All columns and gadget configurations of the WNN chip.
#[derive(Clone, Debug)]
pub struct WnnConfig {
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

impl WnnConfig {
    /// Allocates the chip's columns and configures every gadget.
    pub fn configure<F: CircuitField>(
        meta: &mut ConstraintSystem<F>,
        params: &CircuitParams,
    ) -> Self {
        let lane_cols = [(); 5].map(|_| meta.advice_column());
        let lane = meta.advice_column();
        // compact: the side gadgets reuse a0..a4 (plus what K + 2 > 5 needs)
        let side_cols: Vec<_> = if params.compact {
            // only the columns the side gadgets use (`max(3, K+2)`): for K = 1 that leaves a3
            // out of the copies, one permutation column fewer
            let width = params.side_width();
            lane_cols
                .iter()
                .copied()
                .take(width.min(5))
                .chain((0..width.saturating_sub(5)).map(|_| meta.advice_column()))
                .collect()
        } else {
            (0..params.side_width())
                .map(|_| meta.advice_column())
                .collect()
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
        let data_cols = lane_cols[..=params.words].to_vec();
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
            params.hash_params(),
        );
        let bloom = BloomChip::configure(meta, &range, lane_cols, params.bloom_shape());
        let popcount = PopcountChip::configure(
            meta,
            side_cols.clone(),
            weight,
            params.hashes,
            params.classes,
            params.score_bits,
        );
        WnnConfig {
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

/// Next free rows of each column group.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Rows {
    /// Lane group.
    pub lane: usize,
    /// Side group.
    pub side: usize,
}

impl Rows {
    /// Takes `n` rows for side gadgets: from the side group, or from the lane group in the
    /// compact layout (where both share columns). Returns the first row.
    pub fn take_side(&mut self, n: usize, compact: bool) -> usize {
        let cursor = if compact {
            &mut self.lane
        } else {
            &mut self.side
        };
        let r = *cursor;
        *cursor += n;
        r
    }
}

pub use crate::commitment::PIXELS_PER_WORD;

/// How the chip lays out the image.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum PixelLayout {
    /// Only the pixels some comparison reads, each on the range lane once.
    #[default]
    Used,
    /// Every pixel, row-major, on the range lane, packed [`PIXELS_PER_WORD`] to a word by a
    /// running sum: word $j$ is $\sum_{i} \mathit{pixel}_{31j+i}\,256^i$, as
    /// [`crate::commitment::pack_pixels`] packs them. The words are returned (for the input
    /// commitment). Costs the pixels no comparison reads.
    Packed,
}

impl PixelLayout {
    /// Lane rows the pixels take.
    pub fn rows(self, encoding: &Encoding, num_inputs: usize) -> usize {
        match self {
            PixelLayout::Used => encoding.used_pixels.len(),
            PixelLayout::Packed => num_inputs,
        }
    }
}

/// Cells the chip exposes to the enclosing circuit.
#[derive(Clone, Debug)]
pub struct WnnOutput<F: CircuitField> {
    /// Per-class scores, each proven `< 2^score_bits` and equal to native inference.
    pub scores: Vec<Wire<F>>,
    /// The range-checked pixel cells (`None` for pixels no comparison reads, unless packed).
    pub pixels: Vec<Option<Wire<F>>>,
    /// The packed pixel words ([`PixelLayout::Packed`] only).
    pub words: Vec<Wire<F>>,
}

/// The WNN chip for one model.
#[derive(Clone, Debug)]
pub struct WnnChip<'m> {
    config: WnnConfig,
    model: &'m Wnn,
    encoding: Encoding,
    range: RangeChip,
    thermometer: ThermometerChip,
    hash: MishMashChip,
    bloom: BloomChip,
    popcount: PopcountChip,
    constant: ConstantChip,
}

impl<'m> WnnChip<'m> {
    /// Builds the chip for `model`, which must be the model `config.params` was derived from.
    pub fn construct(config: WnnConfig, model: &'m Wnn) -> Self {
        let range = RangeChip::construct(config.range.clone());
        WnnChip {
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
            (0..cp.words)
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
    ) -> (WnnOutput<F>, Rows) {
        self.assign_with(region, start, trace, PixelLayout::Used)
    }

    /// [`WnnChip::assign`] with a choice of pixel layout.
    pub fn assign_with<F: CircuitField>(
        &self,
        region: &mut Region<'_, F>,
        start: Rows,
        trace: Option<&Trace<F>>,
        layout: PixelLayout,
    ) -> (WnnOutput<F>, Rows) {
        let cp = &self.config.params;
        let enc = &self.encoding;
        let val =
            |f: &dyn Fn(&Trace<F>) -> F| trace.map_or(Value::unknown(), |t| Value::known(f(t)));
        let mut rows = start;

        // pixels: range-checked once, then copied into every comparison
        let n_pixels = self.model.params().num_inputs;
        let mut pixels = vec![None; n_pixels];
        let mut words = Vec::new();
        match layout {
            PixelLayout::Used => {
                for &i in &enc.used_pixels {
                    let v = val(&|t| F::from(t.pixels[i] as u64));
                    pixels[i] = Some(self.range.witness_check(region, rows.lane, v, 8));
                    rows.lane += 1;
                }
            }
            PixelLayout::Packed => {
                for start in (0..n_pixels).step_by(PIXELS_PER_WORD) {
                    let end = (start + PIXELS_PER_WORD).min(n_pixels);
                    let limbs = (start..end)
                        .map(|i| val(&|t| F::from(t.pixels[i] as u64)))
                        .collect();
                    let (word, cells) =
                        self.range
                            .witness_compose(region, rows.lane, limbs, &vec![8; end - start]);
                    for (i, c) in (start..end).zip(cells) {
                        pixels[i] = Some(c);
                    }
                    words.push(word);
                    rows.lane += end - start;
                }
            }
        }

        let mut score: Option<Wire<F>> = None;
        for f in 0..cp.filters {
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
            rows.lane += MishMashChip::lane_rows(&cp.hash_params());
            let side_row = rows.take_side(2, cp.compact);
            let h = self.hash.hash(region, side_row, lane_row, &x, hw);
            let split_rows = if cp.hashes > 1 { cp.hashes } else { 0 };
            let split_row = rows.take_side(split_rows, cp.compact);
            let idx =
                self.hash
                    .split_unchecked(region, split_row, &h, cp.hashes, cp.bits_per_index());
            // Bloom lookups: one per hash, all classes at once
            let mut vectors = Vec::with_capacity(cp.hashes);
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
                        words: vec![Value::unknown(); cp.words],
                        position: Value::unknown(),
                    },
                };
                vectors.push(self.bloom.lookup(region, rows.lane, f, idx, &wit));
                rows.lane += cp.bloom_shape().rows_per_lookup();
            }
            // responses and the running score vector
            let bits: Vec<Vec<Value<bool>>> = (0..cp.hashes)
                .map(|k| {
                    (0..cp.classes)
                        .map(|c| {
                            trace.map_or(Value::unknown(), |t| Value::known(t.class_bits[f][k][c]))
                        })
                        .collect()
                })
                .collect();
            let pop_row = rows.take_side(PopcountChip::rows(cp.hashes, cp.classes), cp.compact);
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
            WnnOutput {
                scores,
                pixels,
                words,
            },
            rows,
        )
    }
}

impl WnnChip<'_> {
    /// The chip that pins constants (in `a2`), for the enclosing circuit's own constants.
    pub fn constant(&self) -> &ConstantChip {
        &self.constant
    }
}
