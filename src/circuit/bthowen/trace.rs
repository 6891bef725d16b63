//! The prover's witness, computed natively from the model and the image.
//!
//! Every free choice of the prover is a public field here, so soundness tests can play a
//! malicious prover: compute the honest trace, change one value, and check that the circuit
//! rejects it.

use crate::circuit::gadgets::CircuitField;
use crate::circuit::params::CircuitParams;
use crate::model::bthowen::hash::cube_mod;
use crate::model::Wnn;

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
    /// All pixels, row-major (wider than `u8` so tests can try out-of-range pixels).
    pub pixels: Vec<u16>,
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
    let shift = crate::circuit::gadgets::pow2::<F>(cp.classes as u32);
    let bp = cp.bloom();
    let mut acc = F::ZERO;
    for j in (0..bp.per_word).rev() {
        let e = (w * bp.words + t) * bp.per_word + j;
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
        assert_eq!(pixels.len(), model.params().num_inputs);
        let bits = enc
            .comparisons
            .iter()
            .map(|cs| {
                cs.iter()
                    .map(|c| pixels[c.pixel] as u16 >= c.threshold)
                    .collect()
            })
            .collect();
        let mut t = Trace {
            pixels: pixels.iter().map(|&p| p as u16).collect(),
            bits,
            quotients: vec![],
            remainders: vec![],
            lookups: vec![],
            class_bits: vec![],
        };
        t.recompute_from_bits(model, cp, enc);
        t
    }

    /// The filter inputs the comparison bits give.
    pub fn filter_inputs(&self, enc: &Encoding) -> Vec<u64> {
        enc.comparisons
            .iter()
            .zip(&self.bits)
            .zip(&enc.constants)
            .map(|((cs, bs), &c0)| {
                cs.iter()
                    .zip(bs)
                    .fold(c0, |x, (c, &b)| x | (b as u64) << c.exponent)
            })
            .collect()
    }

    /// Recomputes everything downstream of the comparison bits honestly: hash witnesses,
    /// lookups and class-vector bits. A test that changes bits and calls this plays a
    /// prover who cheats only in the encoding.
    pub fn recompute_from_bits(&mut self, model: &Wnn, cp: &CircuitParams, enc: &Encoding) {
        let p = model.params();
        let pinv = F::from(p.p).invert().unwrap();
        let bp = cp.bloom();
        let big_m = bp.per_word * bp.words;
        self.quotients.clear();
        self.remainders.clear();
        self.lookups.clear();
        self.class_bits.clear();
        for (f, xv) in self.filter_inputs(enc).into_iter().enumerate() {
            let r = cube_mod(xv, p.p);
            let xf = F::from(xv);
            self.quotients.push((xf * xf * xf - F::from(r)) * pinv);
            self.remainders.push(r);
            let mut lk = Vec::with_capacity(p.num_filter_hashes);
            for idx in model.indices(xv) {
                let (w, rest) = (idx / big_m, idx % big_m);
                let (t, j) = (rest / bp.per_word, rest % bp.per_word);
                let words = (0..bp.words)
                    .map(|ti| table_word(model, cp, f, w, ti))
                    .collect();
                lk.push(LookupTrace {
                    w: w as u64,
                    t: t as u64,
                    words,
                    position: j,
                });
            }
            self.lookups.push(lk);
            self.class_bits.push(vec![]);
            self.recompute_class_bits(model, cp, f);
        }
    }

    /// Recomputes filter `f`'s class-vector bits from its lookup witnesses (the vector at
    /// the chosen word and position).
    pub fn recompute_class_bits(&mut self, model: &Wnn, cp: &CircuitParams, f: usize) {
        let bp = cp.bloom();
        let big_m = bp.per_word * bp.words;
        self.class_bits[f] = self.lookups[f]
            .iter()
            .map(|l| {
                let e = l.w as usize * big_m + l.t as usize * bp.per_word + l.position;
                let v = model.class_vector(f, e)[0];
                (0..cp.classes).map(|c| v >> c & 1 == 1).collect()
            })
            .collect();
    }

    /// The scores this witness claims (the popcount of its class-vector bits).
    pub fn claimed_scores(&self, cp: &CircuitParams) -> Vec<u32> {
        let mut s = vec![0u32; cp.classes];
        for fb in &self.class_bits {
            for (c, sc) in s.iter_mut().enumerate() {
                *sc += fb.iter().all(|k| k[c]) as u32;
            }
        }
        s
    }
}
