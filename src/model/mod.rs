//! The native models: the oracle every circuit test compares against. Nothing here depends on
//! halo2.
//!
//! Two families of weightless neural networks sit side by side, behind one [`Model`]:
//!
//! - [`bthowen`]: BTHOWeN (thermometer bits, hashed Bloom filters, per-class popcount), the
//!   original zero_g's family and file format;
//! - [`lutnet`]: learned LUT networks (thermometer bits, layers of `n`-input lookup tables,
//!   per-class popcount), the family that reaches the high-accuracy regime.
//!
//! Both read `N` bytes described by an [`InputSpec`] (an image of any size, or a row of
//! quantised features), give one score per class, and predict the first maximum.

pub mod bthowen;
pub mod input;
pub mod io;
pub mod lutnet;

pub use bthowen::{quantise_threshold, Wnn, WnnParams};
pub use input::{Feature, InputKind, InputSpec};
pub use lutnet::{LutLayer, LutNet};
use serde::{Deserialize, Serialize};

/// Index of the first maximal score (ties go to the lowest class; all zero gives 0).
pub fn argmax(scores: &[u32]) -> usize {
    let mut best = 0;
    for (i, &s) in scores.iter().enumerate() {
        if s > scores[best] {
            best = i;
        }
    }
    best
}

/// Scores and predicted class of one input.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Prediction {
    /// One score per class.
    pub scores: Vec<u32>,
    /// First class with the maximal score.
    pub class: usize,
}

/// A model family.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Family {
    /// BTHOWeN: hashed Bloom filters.
    Bthowen,
    /// A learned LUT network.
    LutNet,
}

impl Family {
    /// The family's name, as files and the CLI spell it.
    pub fn name(self) -> &'static str {
        match self {
            Family::Bthowen => "bthowen",
            Family::LutNet => "lutnet",
        }
    }
}

/// A model of either family.
#[derive(Clone, Debug)]
pub enum Model {
    /// A BTHOWeN model.
    Bthowen(Wnn),
    /// A LUT network.
    LutNet(LutNet),
}

impl From<Wnn> for Model {
    fn from(m: Wnn) -> Self {
        Model::Bthowen(m)
    }
}

impl From<LutNet> for Model {
    fn from(m: LutNet) -> Self {
        Model::LutNet(m)
    }
}

impl Model {
    /// The family.
    pub fn family(&self) -> Family {
        match self {
            Model::Bthowen(_) => Family::Bthowen,
            Model::LutNet(_) => Family::LutNet,
        }
    }
    /// What the model reads.
    pub fn input(&self) -> &InputSpec {
        match self {
            Model::Bthowen(m) => m.input(),
            Model::LutNet(m) => m.input(),
        }
    }
    /// Number of inputs `N`.
    pub fn num_inputs(&self) -> usize {
        self.input().num_inputs()
    }
    /// Number of classes `C`.
    pub fn num_classes(&self) -> usize {
        match self {
            Model::Bthowen(m) => m.params().num_classes,
            Model::LutNet(m) => m.num_classes(),
        }
    }
    /// The largest score a class can reach (filters per class, or nodes per class group).
    pub fn max_score(&self) -> usize {
        match self {
            Model::Bthowen(m) => m.params().num_filters(),
            Model::LutNet(m) => m.group_size(),
        }
    }
    /// Checks that an input has the model's number of bytes.
    pub fn check_input(&self, x: &[u8]) -> Result<(), crate::error::DataError> {
        match self {
            Model::Bthowen(m) => m.check_input(x),
            Model::LutNet(m) => m.check_input(x),
        }
    }
    /// Per-class scores of one input.
    ///
    /// # Panics
    /// If `x.len() != num_inputs` (use [`Model::check_input`] first for untrusted input).
    pub fn scores(&self, x: &[u8]) -> Vec<u32> {
        match self {
            Model::Bthowen(m) => m.scores(x),
            Model::LutNet(m) => m.scores(x),
        }
    }
    /// Scores and first-maximum class of one input.
    ///
    /// # Panics
    /// If `x.len() != num_inputs`.
    pub fn predict(&self, x: &[u8]) -> Prediction {
        let scores = self.scores(x);
        let class = argmax(&scores);
        Prediction { scores, class }
    }
    /// SHA-256 of the model's canonical encoding (each family documents its own).
    pub fn digest(&self) -> [u8; 32] {
        match self {
            Model::Bthowen(m) => m.digest(),
            Model::LutNet(m) => m.digest(),
        }
    }
    /// The digest as lowercase hex.
    pub fn digest_hex(&self) -> String {
        hex::encode(self.digest())
    }
    /// A one-line description of the model's shape.
    pub fn describe(&self) -> String {
        match self {
            Model::Bthowen(m) => {
                let p = m.params();
                format!(
                    "BTHOWeN: {} classes, {}, {} bits/input, {} filters of {} bits, {} entries, {} hash{}",
                    p.num_classes,
                    m.input().describe(),
                    p.bits_per_input,
                    p.num_filters(),
                    p.num_filter_inputs,
                    p.num_filter_entries,
                    p.num_filter_hashes,
                    if p.num_filter_hashes == 1 { "" } else { "es" }
                )
            }
            Model::LutNet(m) => {
                let layers: Vec<String> = m
                    .layers()
                    .iter()
                    .map(|l| format!("{}×LUT-{}", l.nodes(), l.arity))
                    .collect();
                let arch = match m.architecture() {
                    Some(a) => format!(", architecture {a}"),
                    None => String::new(),
                };
                format!(
                    "LUT network: {} classes, {}, {} bits/input, layers {}{arch}",
                    m.num_classes(),
                    m.input().describe(),
                    m.bits_per_input(),
                    layers.join(" → ")
                )
            }
        }
    }
    /// The BTHOWeN model, if this is one.
    pub fn as_bthowen(&self) -> Option<&Wnn> {
        match self {
            Model::Bthowen(m) => Some(m),
            Model::LutNet(_) => None,
        }
    }
    /// The LUT network, if this is one.
    pub fn as_lutnet(&self) -> Option<&LutNet> {
        match self {
            Model::LutNet(m) => Some(m),
            Model::Bthowen(_) => None,
        }
    }
}
