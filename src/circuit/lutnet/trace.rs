//! The model-fixed structure of a LUT network's circuit and the prover's witness.
//!
//! Every free choice of the prover is a public field of [`LutTrace`], so soundness tests can
//! play a malicious prover: compute the honest trace, change one value, and check that the
//! circuit rejects it.

use crate::model::LutNet;

/// Where a bit of the network's bit vector comes from in the circuit.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Source {
    /// Comparison number `i` (a row of its own).
    Compare(usize),
    /// A constant (an input bit whose threshold is 0 or 256, or an arity padding).
    Constant(bool),
    /// The output of node number `k` (over all layers, in order).
    Node(usize),
}

/// The circuit's view of a model: comparisons, inputs and each node's input sources.
#[derive(Clone, Debug)]
pub struct LutEncoding {
    /// Distinct comparisons `(input, threshold)` that some node reads, threshold in 1..=255.
    pub comparisons: Vec<(usize, u16)>,
    /// Inputs read by at least one comparison, ascending.
    pub used_inputs: Vec<usize>,
    /// Per node (all layers in order): its `arity` input sources (padded with constant 0).
    pub node_inputs: Vec<Vec<Source>>,
    /// Per node: its truth table.
    pub tables: Vec<u64>,
    /// The circuit's arity: the largest of the layers'.
    pub arity: usize,
    /// Index of the first last-layer node.
    pub last_layer_start: usize,
    /// Nodes per class group `G`.
    pub group: usize,
    /// Which constants some node reads (`[false, true]`).
    pub constants: [bool; 2],
}

impl LutEncoding {
    /// Derives the structure of a model.
    pub fn of(model: &LutNet) -> Self {
        let b = model.bits_per_input();
        let input_bits = model.input_bits();
        let arity = model.layers().iter().map(|l| l.arity).max().unwrap_or(1);
        let thresholds = model.thresholds();
        let mut cmp_index = std::collections::HashMap::new();
        let mut comparisons = Vec::new();
        let mut constants = [false; 2];
        let mut source = |bit: usize| -> Source {
            if bit >= input_bits {
                return Source::Node(bit - input_bits);
            }
            let (i, t) = (bit / b, thresholds[bit]);
            match t {
                0 => Source::Constant(true),
                256 => Source::Constant(false),
                t => Source::Compare(*cmp_index.entry((i, t)).or_insert_with(|| {
                    comparisons.push((i, t));
                    comparisons.len() - 1
                })),
            }
        };
        let mut node_inputs = Vec::new();
        let mut tables = Vec::new();
        for layer in model.layers() {
            for k in 0..layer.nodes() {
                let mut ins: Vec<Source> = layer
                    .inputs(k)
                    .iter()
                    .map(|&w| source(w as usize))
                    .collect();
                ins.resize(arity, Source::Constant(false));
                node_inputs.push(ins);
                tables.push(layer.tables[k]);
            }
        }
        for s in node_inputs.iter().flatten() {
            if let Source::Constant(c) = s {
                constants[*c as usize] = true;
            }
        }
        let mut used: Vec<usize> = comparisons.iter().map(|&(i, _)| i).collect();
        used.sort_unstable();
        used.dedup();
        let last = model.layers().last().expect("validated").nodes();
        LutEncoding {
            comparisons,
            used_inputs: used,
            last_layer_start: node_inputs.len() - last,
            node_inputs,
            tables,
            arity,
            group: model.group_size(),
            constants,
        }
    }

    /// Total nodes.
    pub fn nodes(&self) -> usize {
        self.tables.len()
    }

    /// Rows of pinned constants (one per constant some node reads).
    pub fn constant_rows(&self) -> usize {
        self.constants.iter().filter(|&&c| c).count()
    }
}

/// The whole witness of one input: one field per kind of witness cell.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct LutTrace {
    /// The input bytes (wider than `u8` so tests can try out-of-range values).
    pub pixels: Vec<u16>,
    /// Per comparison, its bit.
    pub bits: Vec<bool>,
    /// Per node, the values in its input cells (an honest prover copies its sources).
    pub inputs: Vec<Vec<bool>>,
    /// Per node, its output (0 or 1 for an honest prover; wider so tests can try others).
    pub outputs: Vec<u8>,
    /// Per last-layer node, its group's running count κ (the last one of a group is the
    /// class score).
    pub counts: Vec<u32>,
    /// The EVM layout's extra cells a malicious prover may change (tests): `(k, value)`
    /// puts `value` in node `k`'s product cell instead of $x \cdot x'$.
    pub prank_product: Option<(usize, u64)>,
    /// `(i, value)` puts `value` in input `i`'s mirror cell in `a0` instead of the byte.
    pub prank_mirror: Option<(usize, u64)>,
}

impl LutTrace {
    /// The honest witness for `x` (length `num_inputs`).
    ///
    /// # Panics
    /// If `x.len() != num_inputs`.
    pub fn honest(model: &LutNet, enc: &LutEncoding, x: &[u8]) -> Self {
        assert_eq!(x.len(), model.num_inputs());
        let bits = enc
            .comparisons
            .iter()
            .map(|&(i, t)| x[i] as u16 >= t)
            .collect();
        let mut t = LutTrace {
            pixels: x.iter().map(|&p| p as u16).collect(),
            bits,
            inputs: vec![],
            outputs: vec![],
            counts: vec![],
            prank_product: None,
            prank_mirror: None,
        };
        t.recompute_from_bits(enc);
        t
    }

    /// Recomputes everything downstream of the comparison bits honestly (input cells, node
    /// outputs, counts): a test that changes bits and calls this plays a prover who cheats
    /// only in the encoding.
    pub fn recompute_from_bits(&mut self, enc: &LutEncoding) {
        self.inputs.clear();
        self.outputs.clear();
        self.recompute_nodes_from(enc, 0);
    }

    /// Flips node `k`'s output and recomputes every later node and the counts honestly from
    /// it: a prover who cheats in exactly one table lookup.
    pub fn flip_node_output(&mut self, enc: &LutEncoding, k: usize) {
        self.outputs[k] ^= 1;
        self.inputs.truncate(k + 1);
        self.outputs.truncate(k + 1);
        self.recompute_nodes_from(enc, k + 1);
    }

    /// Recomputes the input cells and outputs of nodes `start..` (the earlier ones are kept)
    /// and then the counts.
    fn recompute_nodes_from(&mut self, enc: &LutEncoding, start: usize) {
        for (ins, &table) in enc.node_inputs.iter().zip(&enc.tables).skip(start) {
            let values: Vec<bool> = ins
                .iter()
                .map(|s| match *s {
                    Source::Compare(i) => self.bits[i],
                    Source::Constant(c) => c,
                    Source::Node(k) => self.outputs[k] == 1,
                })
                .collect();
            self.outputs.push((table >> address(&values) & 1) as u8);
            self.inputs.push(values);
        }
        self.recompute_counts(enc);
    }

    /// Recomputes the class counts from the node outputs.
    pub fn recompute_counts(&mut self, enc: &LutEncoding) {
        self.counts.clear();
        for (j, &o) in self.outputs[enc.last_layer_start..].iter().enumerate() {
            let prev = if j % enc.group == 0 {
                0
            } else {
                self.counts[j - 1]
            };
            self.counts.push(prev + o as u32);
        }
    }

    /// The scores this witness claims: each group's last count.
    pub fn claimed_scores(&self, enc: &LutEncoding) -> Vec<u32> {
        self.counts
            .chunks(enc.group)
            .map(|g| *g.last().expect("non-empty group"))
            .collect()
    }
}

/// The address a node's input values form: `Σ_j x_j 2^j`.
pub fn address(values: &[bool]) -> usize {
    values
        .iter()
        .enumerate()
        .fold(0, |a, (j, &b)| a | (b as usize) << j)
}

impl LutTrace {
    /// The honest output of node `k` for the values in its input cells.
    pub fn output_of_inputs(&self, enc: &LutEncoding, k: usize) -> u8 {
        (enc.tables[k] >> address(&self.inputs[k]) & 1) as u8
    }
}
