//! The learned LUT network: the weightless family that reaches the high-accuracy regime.
//!
//! Inference, all integer and boolean (the circuit proves exactly this):
//!
//! 1. **Input bits.** For input $i < N$ (a byte $x_i$) and threshold $j < B$ (bits per
//!    input), bit $i B + j$ is $[x_i \ge t_{i,j}]$ with $t_{i,j} \in [0, 256]$ (0: always
//!    set, 256: never).
//! 2. **Layers.** The bits form one growing vector $\beta$: the $NB$ input bits, then the
//!    outputs of layer 1, layer 2, …. Node $k$ of layer $\ell$ has arity $n_\ell \in [2, 6]$,
//!    reads the $n_\ell$ bits $\beta_{w_{k,0}}, \dots, \beta_{w_{k,n-1}}$ at wiring indices
//!    $w_{k,j}$ below the layer's first output (any earlier bit: input or an earlier layer),
//!    forms the address $a_k = \sum_j \beta_{w_{k,j}} 2^j$ and outputs bit $a_k$ of its truth
//!    table $T_k < 2^{2^{n}}$.
//! 3. **Scores.** The last layer's $m$ outputs are split into $C$ equal consecutive groups
//!    ($m = C G$); the score of class $c$ is the number of set bits in group $c$, and the
//!    class is the first maximum.
//!
//! Nothing here depends on halo2.

pub mod arch;
pub mod io;

use super::input::InputSpec;
use super::{argmax, Prediction};
use crate::error::ModelError;
use sha2::{Digest, Sha256};

/// Smallest node arity.
pub const MIN_ARITY: usize = 2;
/// Largest node arity (a truth table fits a `u64`).
pub const MAX_ARITY: usize = 6;
/// Most thresholds per input.
pub const MAX_BITS_PER_INPUT: usize = 255;
/// Most nodes in a model (a bound on allocation for hostile files).
pub const MAX_NODES: usize = 1 << 22;
/// Most layers in a model.
pub const MAX_LAYERS: usize = 64;
/// Most classes: the shared limit ([`crate::limits::MAX_CLASSES`]).
pub use crate::limits::MAX_CLASSES;

/// One layer of LUT nodes.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct LutLayer {
    /// Inputs per node, `n`.
    pub arity: usize,
    /// `nodes × arity` indices into the bit vector, node-major: input `j` of node `k` is
    /// `wiring[k·arity + j]` and contributes `2^j` to the address.
    pub wiring: Vec<u32>,
    /// One truth table per node: bit `a` is the output at address `a`.
    pub tables: Vec<u64>,
}

impl LutLayer {
    /// Number of nodes.
    pub fn nodes(&self) -> usize {
        self.tables.len()
    }
    /// The wiring of node `k`.
    pub fn inputs(&self, k: usize) -> &[u32] {
        &self.wiring[k * self.arity..(k + 1) * self.arity]
    }
    /// Output of node `k` at address `a`.
    pub fn output(&self, k: usize, a: usize) -> bool {
        self.tables[k] >> a & 1 == 1
    }
}

/// A validated LUT network.
#[derive(Clone, Debug, PartialEq)]
pub struct LutNet {
    input: InputSpec,
    num_classes: usize,
    bits_per_input: usize,
    /// `(N, B)` row-major: threshold `j` of input `i` is `thresholds[i·B + j]`.
    thresholds: Vec<u16>,
    layers: Vec<LutLayer>,
    /// The deep architecture the layers unroll, when the model has one (checked).
    architecture: Option<arch::Arch>,
}

impl LutNet {
    /// Builds a model from its parts, validating everything (see the module doc).
    pub fn new(
        input: InputSpec,
        num_classes: usize,
        bits_per_input: usize,
        thresholds: Vec<u16>,
        layers: Vec<LutLayer>,
    ) -> Result<Self, ModelError> {
        let bad = |m: String| Err(ModelError::Invalid(m));
        if !(2..=MAX_CLASSES).contains(&num_classes) {
            return bad(format!(
                "num_classes = {num_classes} must be in 2..={MAX_CLASSES}"
            ));
        }
        input.validate(num_classes)?;
        let n = input.num_inputs();
        if bits_per_input == 0 || bits_per_input > MAX_BITS_PER_INPUT {
            return bad(format!(
                "bits_per_input = {bits_per_input} must be in 1..={MAX_BITS_PER_INPUT}"
            ));
        }
        if thresholds.len() != n * bits_per_input {
            return Err(ModelError::WrongShape {
                name: "thresholds".into(),
                found: vec![thresholds.len()],
                expected: vec![n, bits_per_input],
            });
        }
        if let Some(i) = thresholds.iter().position(|&t| t > 256) {
            return bad(format!(
                "thresholds[{}, {}] = {} is out of range (0..=256)",
                i / bits_per_input,
                i % bits_per_input,
                thresholds[i]
            ));
        }
        if layers.is_empty() || layers.len() > MAX_LAYERS {
            return bad(format!(
                "{} layers; a LUT network has 1 to {MAX_LAYERS}",
                layers.len()
            ));
        }
        let mut available = n * bits_per_input;
        let mut total = 0usize;
        for (l, layer) in layers.iter().enumerate() {
            let a = layer.arity;
            if !(MIN_ARITY..=MAX_ARITY).contains(&a) {
                return bad(format!(
                    "layer {l}: arity {a} is out of range ({MIN_ARITY}..={MAX_ARITY})"
                ));
            }
            let m = layer.tables.len();
            if m == 0 {
                return bad(format!("layer {l} has no nodes"));
            }
            total += m;
            if total > MAX_NODES {
                return bad(format!("more than {MAX_NODES} nodes"));
            }
            if layer.wiring.len() != m * a {
                return Err(ModelError::WrongShape {
                    name: "wiring".into(),
                    found: vec![layer.wiring.len()],
                    expected: vec![m, a],
                });
            }
            if let Some(i) = layer.wiring.iter().position(|&w| w as usize >= available) {
                return bad(format!(
                    "layer {l}: node {} input {} reads bit {}, but only bits 0..{available} \
                     come before this layer (wiring must point backward)",
                    i / a,
                    i % a,
                    layer.wiring[i]
                ));
            }
            let entries = 1u32 << a;
            if entries < 64 {
                if let Some(k) = layer.tables.iter().position(|&t| t >> entries != 0) {
                    return bad(format!(
                        "layer {l}: node {k}'s truth table has bits beyond its {entries} entries"
                    ));
                }
            }
            available += m;
        }
        let last = layers.last().expect("non-empty").nodes();
        if !last.is_multiple_of(num_classes) {
            return bad(format!(
                "the last layer's {last} nodes do not divide into {num_classes} equal class groups"
            ));
        }
        Ok(LutNet {
            input,
            num_classes,
            bits_per_input,
            thresholds,
            layers,
            architecture: None,
        })
    }

    /// The same model described by the deep architecture `arch`, after checking that its
    /// layers are exactly `arch` unrolled ([`arch::check`]): same sizes, one truth table and
    /// one set of patch offsets per kernel node at every position, OR pooling.
    pub fn with_architecture(mut self, arch: arch::Arch) -> Result<Self, ModelError> {
        let grid = arch::input_grid(&self.input, self.bits_per_input);
        arch::check(&arch, grid, &self.layers)
            .map_err(|e| ModelError::Invalid(format!("architecture `{arch}`: {e}")))?;
        self.architecture = Some(arch);
        Ok(self)
    }

    /// The deep architecture of the layers, if the model was built from one (a description:
    /// the layers are what inference, the digest and the circuit use).
    pub fn architecture(&self) -> Option<&arch::Arch> {
        self.architecture.as_ref()
    }

    /// What the model reads.
    pub fn input(&self) -> &InputSpec {
        &self.input
    }
    /// Number of classes `C`.
    pub fn num_classes(&self) -> usize {
        self.num_classes
    }
    /// Number of inputs `N`.
    pub fn num_inputs(&self) -> usize {
        self.input.num_inputs()
    }
    /// Thresholds per input `B`.
    pub fn bits_per_input(&self) -> usize {
        self.bits_per_input
    }
    /// Thresholds `(N, B)`, row-major.
    pub fn thresholds(&self) -> &[u16] {
        &self.thresholds
    }
    /// The layers, first to last.
    pub fn layers(&self) -> &[LutLayer] {
        &self.layers
    }
    /// Number of input bits, `N·B`.
    pub fn input_bits(&self) -> usize {
        self.num_inputs() * self.bits_per_input
    }
    /// Total nodes over all layers.
    pub fn num_nodes(&self) -> usize {
        self.layers.iter().map(LutLayer::nodes).sum()
    }
    /// Length of the bit vector: input bits and every node output.
    pub fn total_bits(&self) -> usize {
        self.input_bits() + self.num_nodes()
    }
    /// Index of the first output bit of each layer.
    pub fn layer_starts(&self) -> Vec<usize> {
        let mut s = self.input_bits();
        self.layers
            .iter()
            .map(|l| {
                let start = s;
                s += l.nodes();
                start
            })
            .collect()
    }
    /// Nodes per class group in the last layer, `G`.
    pub fn group_size(&self) -> usize {
        self.layers.last().expect("validated").nodes() / self.num_classes
    }

    /// Checks that an input has the model's number of bytes.
    pub fn check_input(&self, x: &[u8]) -> Result<(), crate::error::DataError> {
        if x.len() != self.num_inputs() {
            return Err(crate::error::DataError::Mismatch(format!(
                "input has {} values, the model takes {}",
                x.len(),
                self.num_inputs()
            )));
        }
        Ok(())
    }

    /// The whole bit vector $\beta$ of one input: input bits, then every layer's outputs.
    ///
    /// # Panics
    /// If `x.len() != num_inputs`.
    pub fn bits(&self, x: &[u8]) -> Vec<bool> {
        let mut bits = Vec::with_capacity(self.total_bits());
        self.bits_into(x, &mut bits);
        bits
    }

    fn bits_into(&self, x: &[u8], bits: &mut Vec<bool>) {
        assert_eq!(x.len(), self.num_inputs(), "wrong number of inputs");
        bits.clear();
        let b = self.bits_per_input;
        for (i, &v) in x.iter().enumerate() {
            for &t in &self.thresholds[i * b..(i + 1) * b] {
                bits.push(v as u16 >= t);
            }
        }
        for layer in &self.layers {
            for (k, ins) in layer.wiring.chunks_exact(layer.arity).enumerate() {
                let a = ins
                    .iter()
                    .enumerate()
                    .fold(0usize, |a, (j, &w)| a | (bits[w as usize] as usize) << j);
                bits.push(layer.output(k, a));
            }
        }
    }

    /// Per-class scores of one input.
    ///
    /// # Panics
    /// If `x.len() != num_inputs`.
    pub fn scores(&self, x: &[u8]) -> Vec<u32> {
        let bits = self.bits(x);
        self.scores_of_bits(&bits)
    }

    /// The scores a bit vector gives (the popcount of each class group of the last layer).
    pub fn scores_of_bits(&self, bits: &[bool]) -> Vec<u32> {
        let g = self.group_size();
        let out = &bits[bits.len() - g * self.num_classes..];
        out.chunks_exact(g)
            .map(|grp| grp.iter().filter(|&&b| b).count() as u32)
            .collect()
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

    /// SHA-256 of the model's canonical encoding: `b"zero_g/lutnet/v1"`; the input spec
    /// ([`InputSpec::hash_into`]); C, B and the layer count as u64 LE; each threshold as u16
    /// LE; then per layer its arity and node count (u64 LE), each wiring index (u32 LE) and
    /// each truth table (u64 LE).
    pub fn digest(&self) -> [u8; 32] {
        let mut h = Sha256::new();
        h.update(b"zero_g/lutnet/v1");
        self.input.hash_into(&mut h);
        for v in [self.num_classes, self.bits_per_input, self.layers.len()] {
            h.update((v as u64).to_le_bytes());
        }
        for t in &self.thresholds {
            h.update(t.to_le_bytes());
        }
        for l in &self.layers {
            h.update((l.arity as u64).to_le_bytes());
            h.update((l.nodes() as u64).to_le_bytes());
            for w in &l.wiring {
                h.update(w.to_le_bytes());
            }
            for t in &l.tables {
                h.update(t.to_le_bytes());
            }
        }
        h.finalize().into()
    }
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;

    /// Two inputs, two thresholds each (bits 0..4), a layer of three 2-input nodes, a last
    /// layer of two 3-input nodes in two classes of one node each.
    pub fn toy() -> LutNet {
        let layers = vec![
            LutLayer {
                arity: 2,
                // AND(b0, b2), OR(b1, b3), XOR(b0, b3)
                wiring: vec![0, 2, 1, 3, 0, 3],
                tables: vec![0b1000, 0b1110, 0b0110],
            },
            LutLayer {
                arity: 3,
                // node 0: majority(b4, b5, b6); node 1: b6 alone (address bit 2 of (b0, b1, b6))
                wiring: vec![4, 5, 6, 0, 1, 6],
                tables: vec![0b1110_1000, 0b1111_0000],
            },
        ];
        LutNet::new(InputSpec::image(2, 1), 2, 2, vec![10, 200, 50, 100], layers).unwrap()
    }

    #[test]
    fn toy_inference_step_by_step() {
        let m = toy();
        // x = (15, 60): b0 = 15≥10 = 1, b1 = 15≥200 = 0, b2 = 60≥50 = 1, b3 = 60≥100 = 0
        // layer 1: AND(1,1) = 1, OR(0,0) = 0, XOR(1,0) = 1
        // layer 2: maj(1,0,1) = 1; b6 = 1
        let bits = m.bits(&[15, 60]);
        assert_eq!(
            bits,
            vec![true, false, true, false, true, false, true, true, true]
        );
        assert_eq!(
            m.predict(&[15, 60]),
            Prediction {
                scores: vec![1, 1],
                class: 0
            }
        );
        // x = (0, 255): b = 0,0,1,1 → AND 0, OR 1, XOR 1 → maj(0,1,1) = 1, b6 = 1
        assert_eq!(m.scores(&[0, 255]), vec![1, 1]);
        // x = (255, 0): b = 1,1,0,0 → AND 0, OR 1, XOR 1 → 1; b6 = 1
        // x = (0, 0): all zero → AND 0, OR 0, XOR 0 → maj 0, b6 0
        assert_eq!(
            m.predict(&[0, 0]),
            Prediction {
                scores: vec![0, 0],
                class: 0
            }
        );
        assert_eq!(m.layer_starts(), vec![4, 7]);
        assert_eq!((m.total_bits(), m.group_size(), m.num_nodes()), (9, 1, 5));
    }

    #[test]
    fn validation_names_each_problem() {
        let m = toy();
        let err = |f: &dyn Fn(&mut Vec<LutLayer>, &mut Vec<u16>) -> usize| {
            let (mut layers, mut t) = (m.layers().to_vec(), m.thresholds().to_vec());
            let c = f(&mut layers, &mut t);
            LutNet::new(m.input().clone(), c, 2, t, layers)
                .unwrap_err()
                .to_string()
        };
        assert!(err(&|l, _| {
            l[0].wiring[1] = 4;
            2
        })
        .contains("point backward"));
        assert!(err(&|l, _| {
            l[1].wiring[0] = 99;
            2
        })
        .contains("reads bit 99"));
        assert!(err(&|l, _| {
            l[0].tables[0] = 0b1_0000;
            2
        })
        .contains("beyond its 4 entries"));
        assert!(err(&|l, _| {
            l[0].arity = 7;
            2
        })
        .contains("arity 7"));
        assert!(err(&|l, _| {
            l[1].wiring.pop();
            2
        })
        .contains("wiring"));
        assert!(err(&|_, t| {
            t[2] = 257;
            2
        })
        .contains("thresholds[1, 0] = 257"));
        assert!(err(&|_, t| {
            t.pop();
            2
        })
        .contains("thresholds"));
        assert!(err(&|_, _| 3).contains("do not divide"));
        assert!(err(&|_, _| 1).contains("num_classes"));
        assert!(err(&|l, _| {
            l.clear();
            2
        })
        .contains("0 layers"));
    }

    #[test]
    fn digest_changes_with_every_part() {
        let m = toy();
        let d = m.digest();
        let mut layers = m.layers().to_vec();
        layers[1].tables[1] ^= 1;
        let m2 = LutNet::new(m.input().clone(), 2, 2, m.thresholds().to_vec(), layers).unwrap();
        assert_ne!(m2.digest(), d);
        let mut t = m.thresholds().to_vec();
        t[0] += 1;
        let m3 = LutNet::new(m.input().clone(), 2, 2, t, m.layers().to_vec()).unwrap();
        assert_ne!(m3.digest(), d);
        let m4 = LutNet::new(
            InputSpec::image(1, 2),
            2,
            2,
            m.thresholds().to_vec(),
            m.layers().to_vec(),
        )
        .unwrap();
        assert_ne!(m4.digest(), d);
        assert_eq!(toy().digest(), d);
    }
}
