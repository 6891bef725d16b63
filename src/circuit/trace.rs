//! The prover's witness, computed natively from the model and the image.
//!
//! Every free choice of the prover is a public field here, so soundness tests can play a
//! malicious prover: compute the honest trace, change one value, and check that the circuit
//! rejects it.

use super::gadgets::CircuitField;
use super::params::CircuitParams;
use crate::model::{hash::cube_mod, Wnn};

/// One non-constant thermometer bit of a filter input.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Comparison {
    /// Pixel index (row-major).
    pub pixel: usize,
    /// Quantised threshold in `1..=255`.
    pub threshold: u16,
    /// Position of the bit in the filter input.
    pub exponent: u32,
}

/// The model-fixed structure of the encoding: which comparisons feed each filter.
#[derive(Clone, Debug)]
pub struct Encoding {
    /// Per filter: its non-constant comparisons in permuted order.
    pub comparisons: Vec<Vec<Comparison>>,
    /// Per filter: the constant part of the input (bits with threshold 0).
    pub constants: Vec<u64>,
    /// Pixels used by at least one comparison, ascending.
    pub used_pixels: Vec<usize>,
}

impl Encoding {
    /// Derives the encoding structure of a model.
    pub fn of(model: &Wnn) -> Self {
        let p = model.params();
        let n = p.num_filter_inputs;
        let tq = model.quantised_thresholds();
        let mut comparisons = vec![Vec::new(); p.num_filters()];
        let mut constants = vec![0u64; p.num_filters()];
        let mut used = vec![false; p.num_inputs];
        for (k, &o) in model.input_order().iter().enumerate() {
            let (f, j) = (k / n, (k % n) as u32);
            let o = o as usize;
            let (b, pix) = (o / p.num_inputs, o % p.num_inputs);
            match tq[pix * p.bits_per_input + b] {
                0 => constants[f] |= 1 << j,
                256 => {}
                t => {
                    used[pix] = true;
                    comparisons[f].push(Comparison {
                        pixel: pix,
                        threshold: t,
                        exponent: j,
                    });
                }
            }
        }
        let used_pixels = (0..p.num_inputs).filter(|&i| used[i]).collect();
        Encoding {
            comparisons,
            constants,
            used_pixels,
        }
    }
}

/// Free witness values of one Bloom lookup.
#[derive(Clone, Debug)]
pub struct LookupTrace<F: CircuitField> {
    /// Word index `w = idx / M`.
    pub w: u64,
    /// Word within the table row, `t`.
    pub t: u64,
    /// The table row's words.
    pub words: Vec<F>,
    /// Selected entry within the word, `j`.
    pub position: usize,
}

/// The whole witness.
#[derive(Clone, Debug)]
pub struct Trace<F: CircuitField> {
    /// All pixels, row-major.
    pub pixels: Vec<u8>,
    /// Per filter, the bits of its non-constant comparisons.
    pub bits: Vec<Vec<bool>>,
    /// Per filter, the hash quotient `⌊x³/p⌋`.
    pub quotients: Vec<F>,
    /// Per filter, the remainder `x³ mod p`.
    pub remainders: Vec<u64>,
    /// Per filter and hash, the lookup witness.
    pub lookups: Vec<Vec<LookupTrace<F>>>,
    /// Per filter, hash and class, bit `c` of the selected class vector.
    pub class_bits: Vec<Vec<Vec<bool>>>,
}

/// Packed word `t` of table row `(f, w)`: `Σ_j V(f, (w·g + t)·m + j) · 2^(C·j)`.
pub fn table_word<F: CircuitField>(
    model: &Wnn,
    cp: &CircuitParams,
    f: usize,
    w: usize,
    t: usize,
) -> F {
    let shift = super::gadgets::pow2::<F>(cp.classes as u32);
    let mut acc = F::ZERO;
    for j in (0..cp.per_word).rev() {
        let e = (w * cp.words + t) * cp.per_word + j;
        acc = acc * shift + F::from(model.class_vector(f, e)[0]);
    }
    acc
}

impl<F: CircuitField> Trace<F> {
    /// The honest witness for `pixels` (length `num_inputs`).
    ///
    /// # Panics
    /// If `pixels.len() != num_inputs`.
    pub fn honest(model: &Wnn, cp: &CircuitParams, enc: &Encoding, pixels: &[u8]) -> Self {
        let p = model.params();
        assert_eq!(pixels.len(), p.num_inputs);
        let x = model.filter_inputs(pixels);
        let bits = enc
            .comparisons
            .iter()
            .map(|cs| {
                cs.iter()
                    .map(|c| pixels[c.pixel] as u16 >= c.threshold)
                    .collect()
            })
            .collect();
        let pinv = F::from(p.p).invert().unwrap();
        let mut quotients = Vec::with_capacity(x.len());
        let mut remainders = Vec::with_capacity(x.len());
        let mut lookups = Vec::with_capacity(x.len());
        let mut class_bits = Vec::with_capacity(x.len());
        let big_m = cp.per_word * cp.words;
        for (f, &xv) in x.iter().enumerate() {
            let r = cube_mod(xv, p.p);
            let xf = F::from(xv);
            quotients.push((xf * xf * xf - F::from(r)) * pinv);
            remainders.push(r);
            let mut lk = Vec::with_capacity(p.num_filter_hashes);
            let mut cb = Vec::with_capacity(p.num_filter_hashes);
            for idx in model.indices(xv) {
                let (w, rest) = (idx / big_m, idx % big_m);
                let (t, j) = (rest / cp.per_word, rest % cp.per_word);
                let words = (0..cp.words)
                    .map(|ti| table_word(model, cp, f, w, ti))
                    .collect();
                lk.push(LookupTrace {
                    w: w as u64,
                    t: t as u64,
                    words,
                    position: j,
                });
                let v = model.class_vector(f, idx)[0];
                cb.push((0..p.num_classes).map(|c| v >> c & 1 == 1).collect());
            }
            lookups.push(lk);
            class_bits.push(cb);
        }
        Trace {
            pixels: pixels.to_vec(),
            bits,
            quotients,
            remainders,
            lookups,
            class_bits,
        }
    }
}
