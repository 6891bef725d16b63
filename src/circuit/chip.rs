//! What every family's inference chip shares with the enclosing circuit: row cursors, how
//! the input bytes are laid out, the cells a chip hands back, and the input gadget itself.

use super::gadgets::range::RangeChip;
use super::gadgets::{CircuitField, Wire};
use halo2_proofs::circuit::{Region, Value};

pub use crate::commitment::PIXELS_PER_WORD;

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

/// How a chip lays out the input bytes.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum InputLayout {
    /// Only the inputs some comparison reads, each on the range lane once.
    #[default]
    Used,
    /// Every input, in order, on the range lane, packed [`PIXELS_PER_WORD`] to a word by a
    /// running sum: word $j$ is $\sum_{i} x_{31j+i}\,256^i$, as
    /// [`crate::commitment::pack_pixels`] packs them. The words are returned (for the input
    /// commitment). Costs the inputs no comparison reads.
    Packed,
}

impl InputLayout {
    /// Lane rows the inputs take, `used` of `inputs` being read by some comparison.
    pub fn rows(self, used: usize, inputs: usize) -> usize {
        match self {
            InputLayout::Used => used,
            InputLayout::Packed => inputs,
        }
    }
}

/// Cells a chip exposes to the enclosing circuit.
#[derive(Clone, Debug)]
pub struct ChipOutput<F: CircuitField> {
    /// Per-class scores, each proven `< 2^score_bits` and equal to native inference.
    pub scores: Vec<Wire<F>>,
    /// The range-checked input cells (`None` for inputs no comparison reads, unless packed).
    pub pixels: Vec<Option<Wire<F>>>,
    /// The packed input words ([`InputLayout::Packed`] only).
    pub words: Vec<Wire<F>>,
}

/// The input cells: each input byte witnessed on the range lane and proven `< 2^8`, either
/// only the `used` ones (ascending) or all of them packed into words. `value(i)` is input
/// `i`'s witness (unknown at key generation). Returns the cells (by input index) and the
/// packed words, and advances `rows.lane`.
pub fn assign_inputs<F: CircuitField>(
    range: &RangeChip,
    region: &mut Region<'_, F>,
    rows: &mut Rows,
    inputs: usize,
    used: &[usize],
    layout: InputLayout,
    value: impl Fn(usize) -> Value<F>,
) -> (Vec<Option<Wire<F>>>, Vec<Wire<F>>) {
    let mut cells = vec![None; inputs];
    let mut words = Vec::new();
    match layout {
        InputLayout::Used => {
            for &i in used {
                cells[i] = Some(range.witness_check(region, rows.lane, value(i), 8));
                rows.lane += 1;
            }
        }
        InputLayout::Packed => {
            for start in (0..inputs).step_by(PIXELS_PER_WORD) {
                let end = (start + PIXELS_PER_WORD).min(inputs);
                let limbs = (start..end).map(&value).collect();
                let (word, limb_cells) =
                    range.witness_compose(region, rows.lane, limbs, &vec![8; end - start]);
                for (i, c) in (start..end).zip(limb_cells) {
                    cells[i] = Some(c);
                }
                words.push(word);
                rows.lane += end - start;
            }
        }
    }
    (cells, words)
}
