//! The BTHOWeN part of the circuit's shape, and its cost model: every `(m, g)` Bloom packing
//! is costed and the one with the smallest `k` (then the fewest table columns, then the
//! fewest rows) wins.

use super::trace::Encoding;
use crate::circuit::chip::InputLayout;
use crate::circuit::gadgets::bloom::BloomShape;
use crate::circuit::gadgets::mishmash::{HashParams, MishMashChip};
use crate::circuit::gadgets::popcount::PopcountChip;
use crate::circuit::params::{CircuitError, CircuitParams, FamilyParams};
use crate::circuit::statement::Statement;
use crate::model::Wnn;
use serde::{Deserialize, Serialize};

/// Largest number of classes the BTHOWeN circuit supports (class vectors are range-checked
/// on the lane, whose table has `2^(bits+1)` rows).
pub const MAX_CIRCUIT_CLASSES: usize = 12;

/// The BTHOWeN-specific shape.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct BloomParams {
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
}

impl BloomParams {
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
    /// The Bloom packing for `classes` classes.
    pub fn bloom_shape(&self, classes: usize) -> BloomShape {
        BloomShape {
            classes: classes as u32,
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
}

/// The shape of the circuit proving `statement` about a BTHOWeN model.
pub fn shape(
    model: &Wnn,
    compact: bool,
    statement: &Statement,
) -> Result<CircuitParams, CircuitError> {
    let p = model.params();
    if p.num_classes > MAX_CIRCUIT_CLASSES {
        return Err(CircuitError::Unsupported(format!(
            "{} classes; the BTHOWeN circuit supports at most {MAX_CIRCUIT_CLASSES}",
            p.num_classes
        )));
    }
    let f = p.num_filters();
    // 2^s > F; widened to C bits when that still fits a field element, so that the score
    // limbs share the C-bit decomposition gate of the class vectors (one gate fewer in the
    // circuit and in the EVM verifier)
    let needed = usize::BITS - f.leading_zeros();
    let c = p.num_classes as u32;
    let score_bits = if needed <= c && (c * c) as usize <= 252 {
        c
    } else {
        needed
    };
    if score_bits as usize * p.num_classes > 252 {
        return Err(CircuitError::Unsupported(format!(
            "{} classes × {score_bits}-bit scores do not fit one field element",
            p.num_classes
        )));
    }
    let bloom = BloomParams {
        filters: f,
        filter_inputs: p.num_filter_inputs,
        entries: p.num_filter_entries,
        hashes: p.num_filter_hashes,
        p: p.p,
        per_word: 1,
        words: 1,
    };
    let hp = bloom.hash_params();
    let per_filter_side =
        2 + if p.num_filter_hashes > 1 {
            p.num_filter_hashes
        } else {
            0
        } + PopcountChip::rows(p.num_filter_hashes, p.num_classes);
    let base = CircuitParams {
        family: FamilyParams::Bthowen(bloom),
        classes: p.num_classes,
        inputs: p.num_inputs,
        score_bits,
        range_bits: 8u32.max(p.num_classes as u32).max(score_bits),
        lane_rows: 0,
        side_rows: statement.batch * f * per_filter_side,
        k: 0,
        compact,
        evm: false,
        statement: statement.clone(),
    };
    let enc = Encoding::of(model);
    let pixel_layout = if statement.commitment {
        InputLayout::Packed
    } else {
        InputLayout::Used
    };
    let pixels = pixel_layout.rows(enc.used_pixels.len(), p.num_inputs);
    let statement_rows =
        CircuitParams::statement_rows_per_image(statement, p.num_classes, p.num_inputs);
    let comparisons: usize = enc.comparisons.iter().map(Vec::len).sum();
    let mut best: Option<(CircuitParams, (u32, usize, usize))> = None;
    for words in [1usize, 2, 4] {
        let mut m = 1;
        while m * p.num_classes <= 252 && m * words <= p.num_filter_entries {
            let mut c = base.clone();
            let FamilyParams::Bthowen(b) = &mut c.family else {
                unreachable!("built above")
            };
            b.per_word = m;
            b.words = words;
            let shape = b.bloom_shape(p.num_classes);
            c.range_bits = base.range_bits.max(shape.t_bits());
            // one pinned row per filter: the thermometer's init row, or the constant input
            let per_image = pixels
                + comparisons
                + f
                + f * MishMashChip::lane_rows(&hp)
                + f * p.num_filter_hashes * shape.rows_per_lookup()
                + p.num_classes
                + statement_rows;
            c.lane_rows = statement.batch * per_image
                + CircuitParams::statement_rows_shared(statement, p.num_classes);
            c.fit_k();
            let key = (c.k, words, c.rows());
            if best.as_ref().is_none_or(|(_, b)| key < *b) {
                best = Some((c, key));
            }
            m *= 2;
        }
    }
    Ok(best.expect("m = 1, g = 1 always fits").0)
}
