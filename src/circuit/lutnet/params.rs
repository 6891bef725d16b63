//! The LUT-network part of the circuit's shape, and its cost model.
//!
//! Everything sits in one stream of rows on the lane group (`a0..` and the range lane):
//! per input image, the input bytes, the pinned constants, one row per comparison, then
//! $R$ rows per node. The layout picks $R$:
//!
//! - **compact**: $R = 2$ — a node's cells on 4 advice columns (`a0..a3`) and its table
//!   bytes on 4 fixed columns, over two rows;
//! - **fast**: $R = 1$ — one row per node, on 8 advice and 8 fixed columns: half the node
//!   rows (a smaller $k$ for large networks) for 4 more advice and 4 more fixed columns
//!   (more verifier gas).
//! - **evm**: $R = \lceil (n+2)/2 \rceil$ — a node's cells on the two equality columns
//!   `a0`, `a1` and its table chunks on 2 fixed columns, over $R$ rows (4 for LUT-6): the
//!   fewest committed polynomials (the cheapest on-chain verification) for twice the
//!   compact layout's node rows.
//!
//! The truth tables go in byte chunks (a 2,048-row node table: $k \ge 12$) or, for arities
//! up to 5, in nibble chunks (a 64-row table): whichever gives the smaller $k$ (bytes on a
//! tie: fewer chunks per node).

use super::trace::LutEncoding;
use crate::circuit::chip::InputLayout;
use crate::circuit::gadgets::lut::{max_arity, node_table_rows, table_chunks};
use crate::circuit::params::{CircuitError, CircuitParams, FamilyParams};
use crate::circuit::statement::Statement;
use crate::model::LutNet;
use serde::{Deserialize, Serialize};

/// The LUT-network-specific shape.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct LutParams {
    /// Inputs per node in the circuit `n` (the largest arity of the model's layers).
    pub arity: usize,
    /// Rows per node `R`.
    pub rows_per_node: usize,
    /// Bits per truth-table chunk `c`: 8 (bytes) or 4 (nibbles).
    #[serde(default = "eight")]
    pub chunk_bits: u32,
    /// Nodes over all layers.
    pub nodes: usize,
    /// Distinct comparisons the nodes read.
    pub comparisons: usize,
    /// Inputs some comparison reads.
    pub used_inputs: usize,
    /// Pinned constant rows per image.
    pub constants: usize,
    /// The EVM layout: node cells on 2 advice columns, chunks on 2 fixed columns.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub evm: bool,
}

impl LutParams {
    /// Whether a node has the product cell (the EVM layout's nodes with 3 high inputs, whose
    /// gate is then of degree 4).
    pub fn pair(&self) -> bool {
        self.evm && self.arity == self.chunk_bits.trailing_zeros() as usize + 3
    }
    /// Cells of a node: inputs, output, count, and in the EVM layout the product cell (if
    /// any) and the previous count's copy.
    pub fn cells(&self) -> usize {
        self.arity + 2 + self.pair() as usize + self.evm as usize
    }
    /// Advice columns of a node's cells (over `R` rows).
    pub fn node_columns(&self) -> usize {
        let w = self.cells().div_ceil(self.rows_per_node);
        if self.evm {
            w
        } else {
            w.max(4)
        }
    }
    /// Fixed columns of a node's table chunks (at least the 4 the comparisons, constants
    /// and Poseidon round constants share).
    pub fn byte_columns(&self) -> usize {
        (table_chunks(self.arity, self.chunk_bits) + self.evm as usize)
            .div_ceil(self.rows_per_node)
            .max(if self.evm { 2 } else { 4 })
    }
    /// Rows of the node table (keyed rows of the range lookup).
    pub fn table_rows(&self) -> usize {
        node_table_rows(self.chunk_bits)
    }
    /// Lane rows of one image's inference (`inputs` of its bytes laid out).
    pub fn rows_per_image(&self, inputs: usize) -> usize {
        inputs + self.constants + self.comparisons + self.rows_per_node * self.nodes
    }
}

/// The shape of the circuit proving `statement` about a LUT network.
pub fn shape(
    model: &LutNet,
    compact: bool,
    evm: bool,
    statement: &Statement,
) -> Result<CircuitParams, CircuitError> {
    let enc = LutEncoding::of(model);
    let classes = model.num_classes();
    // 2^s > G: every score (a count of G bits) fits s bits
    let g = model.group_size();
    let score_bits = usize::BITS - g.leading_zeros();
    if score_bits as usize * classes > 252 && statement.public.class() {
        return Err(CircuitError::Unsupported(format!(
            "{classes} classes × {score_bits}-bit scores are too many for the proven argmax"
        )));
    }
    let lut = LutParams {
        arity: enc.arity,
        rows_per_node: if evm {
            // two advice columns for the cells (LUT-6: 6 inputs, o, κ, p, κ' — 5 rows), two
            // fixed columns for the byte chunks and the count coefficient
            (enc.arity + 3 + (enc.arity == 6) as usize)
                .div_ceil(2)
                .max((table_chunks(enc.arity, 8) + 1).div_ceil(2))
        } else if compact {
            2
        } else {
            1
        },
        chunk_bits: 8,
        nodes: enc.nodes(),
        comparisons: enc.comparisons.len(),
        used_inputs: enc.used_inputs.len(),
        constants: enc.constant_rows(),
        evm,
    };
    let layout = if statement.commitment {
        InputLayout::Packed
    } else {
        InputLayout::Used
    };
    let inputs = model.num_inputs();
    let per_image = lut.rows_per_image(layout.rows(lut.used_inputs, inputs))
        + CircuitParams::statement_rows_per_image(statement, classes, inputs);
    let mut p = CircuitParams {
        family: FamilyParams::LutNet(lut),
        classes,
        inputs,
        score_bits,
        range_bits: 8u32.max(score_bits),
        lane_rows: statement.batch * per_image
            + CircuitParams::statement_rows_shared(statement, classes),
        side_rows: 0,
        k: 0,
        compact,
        evm,
        statement: statement.clone(),
    };
    if p.range_bits > 16 {
        return Err(CircuitError::Unsupported(format!(
            "class groups of {g} nodes need {score_bits}-bit scores; the circuit takes at most 16"
        )));
    }
    p.fit_k();
    // the EVM layout keeps bytes: nibbles would need the product cell at arity 5 too, and it
    // accepts a larger k for fewer polynomials anyway
    if enc.arity <= max_arity(4) && !evm {
        let mut q = p.clone();
        if let FamilyParams::LutNet(l) = &mut q.family {
            l.chunk_bits = 4;
        }
        q.fit_k();
        if q.k < p.k {
            return Ok(q);
        }
    }
    Ok(p)
}

fn eight() -> u32 {
    8
}
