//! The circuit's shape: everything `configure` needs, chosen from the model by each family's
//! cost model and persisted next to the keys so that `prove` and `verify` rebuild the same
//! circuit.

use super::bthowen::params::BloomParams;
use super::gadgets::argmax::ArgmaxChip;
use super::gadgets::range::RangeChip;
use super::lutnet::params::LutParams;
use super::statement::Statement;
use crate::model::Model;
use serde::{Deserialize, Serialize};

/// Rows halo2 reserves at the end of the domain (blinding factors and `l_last`), an upper
/// bound checked against the real constraint system by a test (`tests/circuit_mock.rs`).
pub const MIN_ROWS: usize = 10;

/// The largest `k` zero_g builds circuits for.
pub const MAX_K: u32 = 24;

/// The family part of a circuit's shape.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "family", rename_all = "lowercase")]
pub enum FamilyParams {
    /// A BTHOWeN model: filters, hashes and the Bloom packing.
    Bthowen(BloomParams),
    /// A LUT network: node arity and how nodes are laid out.
    #[serde(rename = "lutnet")]
    LutNet(LutParams),
}

/// The circuit shape (no model data: that enters at synthesis as tables and fixed cells).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct CircuitParams {
    /// The model family's part.
    pub family: FamilyParams,
    /// Classes `C`.
    pub classes: usize,
    /// Inputs (bytes) per image `N`.
    pub inputs: usize,
    /// Bits per score `s` (`2^s` exceeds every score).
    pub score_bits: u32,
    /// Largest range-check width `T`.
    pub range_bits: u32,
    /// Rows used in the range-lane column group.
    pub lane_rows: usize,
    /// Rows used in the other column group.
    pub side_rows: usize,
    /// `log2` of the number of rows.
    pub k: u32,
    /// Compact layout: fewer committed columns — a smaller, cheaper EVM verifier — for more
    /// rows.
    #[serde(default)]
    pub compact: bool,
    /// EVM layout (implies `compact`): the fewest committed polynomials, for the cheapest
    /// on-chain verification, at the price of more rows (see `docs/circuit.md`, "The
    /// verifier's bill"). Absent from the headers of keys in the other layouts.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub evm: bool,
    /// What the circuit proves and publishes.
    #[serde(default)]
    pub statement: Statement,
}

impl Default for CircuitParams {
    /// A placeholder (halo2 asks circuit parameters for a default; zero_g always configures
    /// circuits with the parameters chosen for their model).
    fn default() -> Self {
        CircuitParams {
            family: FamilyParams::Bthowen(BloomParams::default()),
            classes: 0,
            inputs: 0,
            score_bits: 0,
            range_bits: 0,
            lane_rows: 0,
            side_rows: 0,
            k: 0,
            compact: false,
            evm: false,
            statement: Statement::default(),
        }
    }
}

/// How the circuit trades rows for columns.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub enum Layout {
    /// Compact when that does not need more rows (then it is also the faster prover), fast
    /// otherwise.
    #[default]
    Auto,
    /// More columns, fewer rows: the fastest prover when rows are tight.
    Fast,
    /// Fewer columns: a smaller and cheaper EVM verifier.
    Compact,
    /// The fewest committed polynomials (the cheapest EVM verification) for more rows: a
    /// LUT network's nodes on two equality columns, no unused selector column. A BTHOWeN
    /// model gets its compact circuit.
    Evm,
}

impl Layout {
    /// The layout's name on the command line.
    pub fn name(self) -> &'static str {
        match self {
            Layout::Auto => "auto",
            Layout::Fast => "fast",
            Layout::Compact => "compact",
            Layout::Evm => "evm",
        }
    }
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
    /// The BTHOWeN part.
    ///
    /// # Panics
    /// If these are a LUT network's parameters.
    pub fn bloom(&self) -> &BloomParams {
        match &self.family {
            FamilyParams::Bthowen(b) => b,
            FamilyParams::LutNet(_) => panic!("not a BTHOWeN circuit"),
        }
    }

    /// The LUT-network part.
    ///
    /// # Panics
    /// If these are a BTHOWeN model's parameters.
    pub fn lut(&self) -> &LutParams {
        match &self.family {
            FamilyParams::LutNet(l) => l,
            FamilyParams::Bthowen(_) => panic!("not a LUT-network circuit"),
        }
    }

    /// The layout.
    pub fn layout(&self) -> Layout {
        if self.evm {
            Layout::Evm
        } else if self.compact {
            Layout::Compact
        } else {
            Layout::Fast
        }
    }

    /// The range tags of the lookup table: every width up to `range_bits` for BTHOWeN; 0,
    /// 8 and the score width for a LUT network (its only checks).
    pub fn range_tags(&self) -> Vec<u32> {
        match &self.family {
            FamilyParams::Bthowen(_) => (0..=self.range_bits).collect(),
            FamilyParams::LutNet(_) => {
                let mut t = vec![0, 8, self.score_bits];
                t.sort_unstable();
                t.dedup();
                t
            }
        }
    }

    /// Rows of the lookup table: the range rows and the family's data rows.
    pub fn table_rows(&self) -> usize {
        RangeChip::table_rows_for(&self.range_tags())
            + match &self.family {
                FamilyParams::Bthowen(b) => b.bloom_shape(self.classes).table_rows(),
                FamilyParams::LutNet(l) => l.table_rows(),
            }
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

    /// Checks a shape read from a file (a key header) before anything is built from it:
    /// every field within what zero_g's shape functions produce, so that configuring the
    /// circuit allocates a bounded number of columns and rows, and the rows fit `2^k`.
    pub fn check(&self) -> Result<(), String> {
        let bad = |what: &str| Err(format!("circuit shape: {what}"));
        if !(4..=MAX_K).contains(&self.k) {
            return bad(&format!("k = {} is out of range (4..={MAX_K})", self.k));
        }
        self.statement.validate()?;
        let n = 1usize << self.k;
        if self.classes == 0 || self.classes > crate::limits::MAX_CLASSES {
            return bad(&format!("{} classes", self.classes));
        }
        if self.inputs == 0 || self.inputs > crate::limits::MAX_INPUTS {
            return bad(&format!("{} inputs", self.inputs));
        }
        if self.score_bits == 0 || self.score_bits > 252 {
            return bad(&format!("{}-bit scores", self.score_bits));
        }
        if !(8..=MAX_K).contains(&self.range_bits) || RangeChip::table_rows(self.range_bits) > n {
            return bad(&format!("{}-bit range checks", self.range_bits));
        }
        match &self.family {
            FamilyParams::Bthowen(b) => {
                let entries_ok = b.entries >= 2
                    && b.entries.is_power_of_two()
                    && b.entries <= crate::model::bthowen::io::MAX_BLOOM_BITS;
                if self.classes > super::bthowen::params::MAX_CIRCUIT_CLASSES
                    || b.filters == 0
                    || b.filters > n
                    || b.filter_inputs == 0
                    || b.filter_inputs > crate::model::bthowen::params::MAX_FILTER_INPUTS
                    || !entries_ok
                    || b.hashes == 0
                    || b.hashes > 64
                    || b.hash_bits() > crate::model::bthowen::params::MAX_HASH_BITS
                    || ![1, 2, 4].contains(&b.words)
                    || b.per_word == 0
                    || b.per_word.saturating_mul(self.classes) > 252
                    || b.per_word.saturating_mul(b.words) > b.entries
                {
                    return bad("BTHOWeN parameters out of range");
                }
            }
            FamilyParams::LutNet(l) => {
                if l.arity == 0
                    || l.arity > crate::circuit::gadgets::lut::MAX_ARITY
                    || !(1..=if l.evm { 5 } else { 2 }).contains(&l.rows_per_node)
                    || l.evm != self.evm
                    || (l.evm && (l.node_columns() > 2 || l.chunk_bits != 8))
                    || l.nodes > n
                    || l.comparisons > n
                    || l.used_inputs > self.inputs
                    || l.constants > n
                {
                    return bad("LUT-network parameters out of range");
                }
            }
        }
        if self.lane_rows > n || self.side_rows > n || self.rows() + MIN_ROWS > n {
            return bad(&format!("its rows do not fit 2^{}", self.k));
        }
        Ok(())
    }

    /// The smallest `k` whose domain holds [`CircuitParams::rows`] and halo2's reserved rows.
    pub fn fit_k(&mut self) {
        let rows = self.rows() + MIN_ROWS;
        self.k = rows.next_power_of_two().trailing_zeros().max(4);
    }

    /// Chooses the shape for a model proving the default statement in the default layout.
    pub fn for_model(model: &Model) -> Result<Self, CircuitError> {
        Self::for_statement(model, Layout::Auto, &Statement::default())
    }

    /// Chooses the shape for a model in the given layout, default statement.
    pub fn for_model_with(model: &Model, layout: Layout) -> Result<Self, CircuitError> {
        Self::for_statement(model, layout, &Statement::default())
    }

    /// Chooses the shape of the circuit proving `statement` about `model` in `layout`.
    pub fn for_statement(
        model: &Model,
        layout: Layout,
        statement: &Statement,
    ) -> Result<Self, CircuitError> {
        statement.validate().map_err(CircuitError::Unsupported)?;
        if layout == Layout::Auto {
            let fast = Self::for_statement(model, Layout::Fast, statement)?;
            let compact = Self::for_statement(model, Layout::Compact, statement)?;
            return Ok(if compact.k <= fast.k { compact } else { fast });
        }
        let compact = matches!(layout, Layout::Compact | Layout::Evm);
        let evm = layout == Layout::Evm;
        let mut p = match model {
            Model::Bthowen(m) => super::bthowen::params::shape(m, compact, statement)?,
            Model::LutNet(m) => super::lutnet::params::shape(m, compact, evm, statement)?,
        };
        p.evm = evm;
        if p.k > MAX_K {
            return Err(CircuitError::Unsupported(format!(
                "the circuit needs 2^{} rows; zero_g builds circuits of at most 2^{MAX_K}",
                p.k
            )));
        }
        Ok(p)
    }

    /// Lane rows the statement adds to one image's inference: the argmax when the class is
    /// public, the commitment's salt, padding and Poseidon chain when commitments are.
    pub fn statement_rows_per_image(statement: &Statement, classes: usize, inputs: usize) -> usize {
        (if statement.public.class() {
            ArgmaxChip::rows(classes)
        } else {
            0
        }) + if statement.commitment {
            super::commitment_rows(inputs)
        } else {
            0
        }
    }

    /// Lane rows outside the images: the public rows `0..N`, then the digest's and the
    /// bound word's own rows.
    pub fn statement_rows_shared(statement: &Statement, classes: usize) -> usize {
        statement.num_instances(classes)
            + 2 * statement.model_digest as usize
            + statement.bind as usize
    }
}
