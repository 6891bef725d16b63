//! The circuit's shape: everything `configure` needs, chosen from the model by a cost model
//! and persisted next to the keys so that `prove` and `verify` rebuild the same circuit.

use super::gadgets::argmax::ArgmaxChip;
use super::gadgets::bloom::BloomShape;
use super::gadgets::mishmash::{HashParams, MishMashChip};
use super::gadgets::popcount::PopcountChip;
use super::gadgets::range::RangeChip;
use super::statement::Statement;
use super::wnn::PixelLayout;
use crate::model::Wnn;
use serde::{Deserialize, Serialize};

/// Largest number of classes the circuit supports (class vectors are range-checked on the
/// lane, whose table has `2^(bits+1)` rows).
pub const MAX_CIRCUIT_CLASSES: usize = 12;

/// Rows halo2 reserves at the end of the domain (blinding factors and `l_last`), an upper
/// bound checked against the real constraint system by a test (`tests/circuit_mock.rs`).
pub const MIN_ROWS: usize = 10;

/// The circuit shape (no model data: that enters at synthesis as tables and fixed cells).
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct CircuitParams {
    /// Classes `C`.
    pub classes: usize,
    /// Filters per class `F`.
    pub filters: usize,
    /// Bits per filter input `n`.
    pub filter_inputs: usize,
    /// Entries per filter `E`.
    pub entries: usize,
    /// Hashes per filter `K`.
    pub hashes: usize,
    /// The MishMash prime.
    pub p: u64,
    /// Class vectors per table word `m`.
    pub per_word: usize,
    /// Words per table row `g`.
    pub words: usize,
    /// Bits per score in the accumulator `s` (`2^s > F`).
    pub score_bits: u32,
    /// Largest range-check width `T`.
    pub range_bits: u32,
    /// Rows used in the range-lane column group.
    pub lane_rows: usize,
    /// Rows used in the other column group.
    pub side_rows: usize,
    /// `log2` of the number of rows.
    pub k: u32,
    /// Compact layout: the side gadgets share the lane group's columns (one row cursor).
    /// Fewer committed columns — a smaller, cheaper EVM verifier — for more rows.
    #[serde(default)]
    pub compact: bool,
    /// What the circuit proves and publishes.
    #[serde(default)]
    pub statement: Statement,
}

/// How the circuit trades rows for columns.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub enum Layout {
    /// Compact when that does not need more rows (then it is also the faster prover), fast
    /// otherwise.
    #[default]
    Auto,
    /// Two column groups filling rows in parallel: the fastest prover when rows are tight.
    Fast,
    /// One column group: fewer columns, so a smaller and cheaper EVM verifier.
    Compact,
}

/// Why a model cannot be turned into a circuit.
#[derive(Debug, thiserror::Error)]
pub enum CircuitError {
    /// The model is outside what the circuit supports.
    #[error("model not supported by the circuit: {0}")]
    Unsupported(String),
    /// An image does not fit the model.
    #[error("{0}")]
    Input(String),
    /// The proving system failed to synthesise the circuit.
    #[error("circuit synthesis failed: {0}")]
    Synthesis(String),
}

impl CircuitParams {
    /// Bits per Bloom index.
    pub fn bits_per_index(&self) -> u32 {
        self.entries.trailing_zeros()
    }
    /// Hash width `l`.
    pub fn hash_bits(&self) -> u32 {
        self.hashes as u32 * self.bits_per_index()
    }
    /// Hash parameters of the MishMash gate.
    pub fn hash_params(&self) -> HashParams {
        HashParams {
            p: self.p,
            l: self.hash_bits(),
            n: self.filter_inputs as u32,
            k: self.hashes as u32,
        }
    }
    /// The Bloom packing.
    pub fn bloom_shape(&self) -> BloomShape {
        BloomShape {
            classes: self.classes as u32,
            per_word: self.per_word,
            words: self.words,
            entries: self.entries,
            filters: self.filters,
        }
    }
    /// Advice columns the side gadgets need: `max(3, K + 2)`.
    pub fn side_width(&self) -> usize {
        (self.hashes + 2).max(3)
    }
    /// The layout.
    pub fn layout(&self) -> Layout {
        if self.compact {
            Layout::Compact
        } else {
            Layout::Fast
        }
    }
    /// Rows of the lookup table: the range rows and the Bloom data rows.
    pub fn table_rows(&self) -> usize {
        RangeChip::table_rows(self.range_bits) + self.bloom_shape().table_rows()
    }
    /// Rows the circuit needs: the larger of the two column groups (their sum in the
    /// compact layout) and the table.
    pub fn rows(&self) -> usize {
        let advice = if self.compact {
            self.lane_rows + self.side_rows
        } else {
            self.lane_rows.max(self.side_rows)
        };
        advice.max(self.table_rows())
    }

    /// Chooses the shape for a model: every `(m, g)` packing is costed and the one with the
    /// smallest `k` (then the fewest table columns, then the fewest rows) wins.
    pub fn for_model(model: &Wnn) -> Result<Self, CircuitError> {
        Self::for_model_with(model, Layout::Auto)
    }

    /// Chooses the shape for a model in the given layout (see [`CircuitParams::for_model`]).
    pub fn for_model_with(model: &Wnn, layout: Layout) -> Result<Self, CircuitError> {
        Self::for_statement(model, layout, &Statement::default())
    }

    /// Chooses the shape of the circuit proving `statement` about `model` in `layout`.
    pub fn for_statement(
        model: &Wnn,
        layout: Layout,
        statement: &Statement,
    ) -> Result<Self, CircuitError> {
        statement.validate().map_err(CircuitError::Unsupported)?;
        if layout == Layout::Auto {
            let fast = Self::for_statement(model, Layout::Fast, statement)?;
            let compact = Self::for_statement(model, Layout::Compact, statement)?;
            return Ok(if compact.k <= fast.k { compact } else { fast });
        }
        let p = model.params();
        if p.num_classes > MAX_CIRCUIT_CLASSES {
            return Err(CircuitError::Unsupported(format!(
                "{} classes; the circuit supports at most {MAX_CIRCUIT_CLASSES}",
                p.num_classes
            )));
        }
        let f = p.num_filters();
        // 2^s > F; widened to C bits when that still fits a field element, so that the score
        // limbs share the C-bit decomposition gate of the class vectors (one gate fewer in
        // the circuit and in the EVM verifier)
        let needed = usize::BITS - f.leading_zeros();
        let c = p.num_classes as u32;
        let score_bits = if needed <= c && (c * c) as usize <= 252 {
            c
        } else {
            needed
        };
        let mut base = CircuitParams {
            classes: p.num_classes,
            filters: f,
            filter_inputs: p.num_filter_inputs,
            entries: p.num_filter_entries,
            hashes: p.num_filter_hashes,
            p: p.p,
            per_word: 1,
            words: 1,
            score_bits,
            range_bits: 8u32.max(p.num_classes as u32).max(score_bits),
            compact: layout == Layout::Compact,
            statement: statement.clone(),
            ..Default::default()
        };
        if score_bits as usize * p.num_classes > 252 {
            return Err(CircuitError::Unsupported(format!(
                "{} classes × {score_bits}-bit scores do not fit one field element",
                p.num_classes
            )));
        }
        let enc = super::trace::Encoding::of(model);
        let pixel_layout = if statement.commitment {
            PixelLayout::Packed
        } else {
            PixelLayout::Used
        };
        let pixels = pixel_layout.rows(&enc, p.num_inputs);
        // per image after the inference: the argmax, the commitment chain
        let statement_rows = if statement.public.class() {
            ArgmaxChip::rows(p.num_classes)
        } else {
            0
        } + if statement.commitment {
            super::commitment_rows(p.num_inputs)
        } else {
            0
        };
        let comparisons: usize = enc.comparisons.iter().map(Vec::len).sum();
        let hp = base.hash_params();
        let per_filter_side =
            2 + if p.num_filter_hashes > 1 {
                p.num_filter_hashes
            } else {
                0
            } + PopcountChip::rows(p.num_filter_hashes, p.num_classes);
        base.side_rows = statement.batch * f * per_filter_side;
        let min_rows = MIN_ROWS;
        let mut best: Option<(CircuitParams, (u32, usize, usize))> = None;
        for words in [1usize, 2, 4] {
            let mut m = 1;
            while m * p.num_classes <= 252 && m * words <= p.num_filter_entries {
                let mut c = base.clone();
                c.per_word = m;
                c.words = words;
                c.range_bits = base.range_bits.max(c.bloom_shape().t_bits());
                // one pinned row per filter: the thermometer's init row, or the constant input
                let per_image = pixels
                    + comparisons
                    + f
                    + f * MishMashChip::lane_rows(&hp)
                    + f * p.num_filter_hashes * c.bloom_shape().rows_per_lookup()
                    + p.num_classes
                    + statement_rows;
                // the public rows 0..N, then the digest's and the bound word's own rows
                c.lane_rows = statement.batch * per_image
                    + statement.num_instances(p.num_classes)
                    + 2 * statement.model_digest as usize
                    + statement.bind as usize;
                let rows = c.rows() + min_rows;
                c.k = (rows.next_power_of_two().trailing_zeros()).max(4);
                let key = (c.k, words, c.rows());
                if best.as_ref().is_none_or(|(_, b)| key < *b) {
                    best = Some((c, key));
                }
                m *= 2;
            }
        }
        Ok(best.expect("m = 1, g = 1 always fits").0)
    }
}
