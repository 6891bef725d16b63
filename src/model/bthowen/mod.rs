//! The native BTHOWeN weightless neural network: the oracle every circuit test compares against.
//!
//! Inference, bit-exact with the original zero_g (see `docs/model.md`):
//!
//! 1. quantise each threshold $t$ to $t_q = \min(256, \max(0, \lceil 255 t \rceil))$ and set
//!    bit $b\cdot W^2 + rW + c$ to $[\mathrm{img}_{r,c} \ge t_q\[r,c,b\]]$;
//! 2. permute: $\mathrm{permuted}_k = \mathrm{bits}_{\mathrm{order}_k}$;
//! 3. read chunk $f$ of $n$ bits little-endian as $x_f$;
//! 4. hash $x_f$ with [MishMash](hash::mishmash) into $K$ indices;
//! 5. class $c$ responds to filter $f$ iff all $K$ indexed bits of its Bloom array are set;
//! 6. the score of $c$ is its number of responding filters; the class is the first maximum.
//!
//! Nothing here depends on halo2.

pub mod hash;
pub mod io;
pub mod params;

use super::input::InputSpec;
use super::{argmax, Prediction};
use crate::error::ModelError;
pub use params::WnnParams;
use sha2::{Digest, Sha256};

/// Quantises a threshold in `[0, 1]` pixel units to the integer a `u8` pixel is compared with:
/// `min(256, max(0, ceil(255·t)))` in `f32`, as the original does.
pub fn quantise_threshold(t: f32) -> u16 {
    (255.0f32 * t).ceil().clamp(0.0, 256.0) as u16
}

/// A validated BTHOWeN model.
#[derive(Clone, Debug)]
pub struct Wnn {
    params: WnnParams,
    /// What the `num_inputs` bytes are (a square image unless the file says otherwise).
    input: InputSpec,
    /// Raw thresholds, shape `(W, W, bpi)` row-major, as stored in the file.
    thresholds: Vec<f32>,
    /// Quantised thresholds, same layout.
    thresholds_q: Vec<u16>,
    input_order: Vec<u64>,
    /// Class vectors: for filter `f` and entry `e`, `words` u64s whose bit `c` is
    /// `bloom[c, f, e]`.
    masks: Vec<u64>,
    words: usize,
    /// For permuted bit `k`: the pixel it reads and the threshold it compares with.
    gather_pixel: Vec<u32>,
    gather_threshold: Vec<u16>,
}

impl Wnn {
    /// Builds a model of square images (the original's models) from its parts, validating
    /// everything.
    ///
    /// `thresholds` has shape `(W, W, bpi)` row-major, `input_order` is a permutation of
    /// `0..num_inputs·bpi`, and `bloom` has shape `(C, F, E)` row-major.
    pub fn new(
        params: WnnParams,
        thresholds: Vec<f32>,
        input_order: Vec<u64>,
        bloom: &[bool],
    ) -> Result<Self, ModelError> {
        let input = InputSpec::square(params.num_inputs).ok_or_else(|| {
            ModelError::Invalid(format!(
                "num_inputs = {} is not a perfect square; a model of other inputs needs an \
                 input description (see models/FORMAT.md)",
                params.num_inputs
            ))
        })?;
        Self::with_input(params, input, thresholds, input_order, bloom)
    }

    /// Builds a model whose `num_inputs` bytes are described by `input` (an image of any
    /// size or a row of features). `thresholds` has shape `(num_inputs, bpi)` row-major.
    pub fn with_input(
        params: WnnParams,
        input: InputSpec,
        thresholds: Vec<f32>,
        input_order: Vec<u64>,
        bloom: &[bool],
    ) -> Result<Self, ModelError> {
        params.validate()?;
        input.validate(params.num_classes)?;
        if input.num_inputs() != params.num_inputs {
            return Err(ModelError::Invalid(format!(
                "num_inputs = {} but the input description has {} inputs",
                params.num_inputs,
                input.num_inputs()
            )));
        }
        let (c, f, e) = (
            params.num_classes,
            params.num_filters(),
            params.num_filter_entries,
        );
        let bpi = params.bits_per_input;
        let total = params.total_bits();
        if bloom.len() != c * f * e {
            return Err(ModelError::WrongShape {
                name: "bloom_filters".into(),
                found: vec![bloom.len()],
                expected: vec![c, f, e],
            });
        }
        if thresholds.len() != total {
            return Err(ModelError::WrongShape {
                name: "binarization_thresholds".into(),
                found: vec![thresholds.len()],
                expected: vec![params.num_inputs, bpi],
            });
        }
        if input_order.len() != total {
            return Err(ModelError::WrongShape {
                name: "input_order".into(),
                found: vec![input_order.len()],
                expected: vec![total],
            });
        }
        if let Some(i) = thresholds.iter().position(|t| !t.is_finite()) {
            return Err(ModelError::Invalid(format!(
                "binarization_thresholds[{i}] is {}, not a finite number",
                thresholds[i]
            )));
        }
        let mut seen = vec![false; total];
        for (k, &o) in input_order.iter().enumerate() {
            let o_us = o as usize;
            if o >= total as u64 || seen[o_us] {
                return Err(ModelError::Invalid(format!(
                    "input_order is not a permutation of 0..{total}: entry {k} is {o}{}",
                    if o >= total as u64 {
                        " (out of range)"
                    } else {
                        " (repeated)"
                    }
                )));
            }
            seen[o_us] = true;
        }
        let thresholds_q: Vec<u16> = thresholds.iter().map(|&t| quantise_threshold(t)).collect();
        let words = c.div_ceil(64);
        let mut masks = vec![0u64; f * e * words];
        for ci in 0..c {
            for fi in 0..f {
                let row = &bloom[(ci * f + fi) * e..(ci * f + fi + 1) * e];
                for (ei, &bit) in row.iter().enumerate() {
                    if bit {
                        masks[(fi * e + ei) * words + ci / 64] |= 1 << (ci % 64);
                    }
                }
            }
        }
        let hw = params.num_inputs;
        let mut gather_pixel = Vec::with_capacity(total);
        let mut gather_threshold = Vec::with_capacity(total);
        for &o in &input_order {
            let o = o as usize;
            let (b, pix) = (o / hw, o % hw);
            gather_pixel.push(pix as u32);
            gather_threshold.push(thresholds_q[pix * bpi + b]);
        }
        Ok(Wnn {
            params,
            input,
            thresholds,
            thresholds_q,
            input_order,
            masks,
            words,
            gather_pixel,
            gather_threshold,
        })
    }

    /// The model's shape.
    pub fn params(&self) -> &WnnParams {
        &self.params
    }
    /// What the model reads.
    pub fn input(&self) -> &InputSpec {
        &self.input
    }
    /// Raw thresholds `(num_inputs, bpi)` (for images `(H, W, bpi)`) in `[0, 1]` pixel units.
    pub fn thresholds(&self) -> &[f32] {
        &self.thresholds
    }
    /// Quantised thresholds `(num_inputs, bpi)`: bit is `pixel >= t_q`.
    pub fn quantised_thresholds(&self) -> &[u16] {
        &self.thresholds_q
    }
    /// The input permutation: `permuted[k] = bits[input_order[k]]`.
    pub fn input_order(&self) -> &[u64] {
        &self.input_order
    }
    /// Bit `e` of filter `f` of class `c`.
    pub fn bloom_bit(&self, c: usize, f: usize, e: usize) -> bool {
        let e_n = self.params.num_filter_entries;
        self.masks[(f * e_n + e) * self.words + c / 64] >> (c % 64) & 1 == 1
    }
    /// The class vector of filter `f`, entry `e`: bit `c` of word `c / 64` is `bloom[c, f, e]`.
    pub fn class_vector(&self, f: usize, e: usize) -> &[u64] {
        let i = (f * self.params.num_filter_entries + e) * self.words;
        &self.masks[i..i + self.words]
    }
    /// All Bloom bits in `(C, F, E)` order, as stored in the file.
    pub fn bloom_bits(&self) -> Vec<bool> {
        let p = &self.params;
        let (c, f, e) = (p.num_classes, p.num_filters(), p.num_filter_entries);
        let mut out = Vec::with_capacity(c * f * e);
        for ci in 0..c {
            for fi in 0..f {
                for ei in 0..e {
                    out.push(self.bloom_bit(ci, fi, ei));
                }
            }
        }
        out
    }

    /// Checks that an image has the model's number of pixels.
    pub fn check_input(&self, pixels: &[u8]) -> Result<(), crate::error::DataError> {
        if pixels.len() != self.params.num_inputs {
            return Err(crate::error::DataError::Mismatch(format!(
                "input has {} pixels, the model takes {}",
                pixels.len(),
                self.params.num_inputs
            )));
        }
        Ok(())
    }

    /// Thermometer bits in file order (threshold-major, then row, then column).
    ///
    /// # Panics
    /// If `pixels.len() != num_inputs`.
    pub fn encode(&self, pixels: &[u8]) -> Vec<bool> {
        assert_eq!(
            pixels.len(),
            self.params.num_inputs,
            "wrong number of pixels"
        );
        let bpi = self.params.bits_per_input;
        let hw = self.params.num_inputs;
        (0..self.params.total_bits())
            .map(|i| {
                let (b, pix) = (i / hw, i % hw);
                pixels[pix] as u16 >= self.thresholds_q[pix * bpi + b]
            })
            .collect()
    }

    /// Encoded bits after the input permutation.
    ///
    /// # Panics
    /// If `pixels.len() != num_inputs`.
    pub fn permuted_bits(&self, pixels: &[u8]) -> Vec<bool> {
        assert_eq!(
            pixels.len(),
            self.params.num_inputs,
            "wrong number of pixels"
        );
        self.gather_pixel
            .iter()
            .zip(&self.gather_threshold)
            .map(|(&p, &t)| pixels[p as usize] as u16 >= t)
            .collect()
    }

    /// The filter inputs `x_f`: each `n`-bit chunk of the permuted bits, little-endian.
    ///
    /// # Panics
    /// If `pixels.len() != num_inputs`.
    pub fn filter_inputs(&self, pixels: &[u8]) -> Vec<u64> {
        let mut out = vec![0; self.params.num_filters()];
        self.filter_inputs_into(pixels, &mut out);
        out
    }

    fn filter_inputs_into(&self, pixels: &[u8], out: &mut [u64]) {
        assert_eq!(
            pixels.len(),
            self.params.num_inputs,
            "wrong number of pixels"
        );
        let n = self.params.num_filter_inputs;
        for (f, x) in out.iter_mut().enumerate() {
            let mut acc = 0u64;
            for j in 0..n {
                let k = f * n + j;
                let bit = pixels[self.gather_pixel[k] as usize] as u16 >= self.gather_threshold[k];
                acc |= (bit as u64) << j;
            }
            *x = acc;
        }
    }

    /// The MishMash hash of a filter input.
    pub fn hash(&self, x: u64) -> u64 {
        hash::mishmash(x, self.params.p, self.params.hash_bits())
    }

    /// The `K` Bloom indices of a filter input, least significant slice first.
    pub fn indices(&self, x: u64) -> impl Iterator<Item = usize> {
        hash::split_indices(
            self.hash(x),
            self.params.num_filter_hashes,
            self.params.bits_per_index(),
        )
    }

    /// Per-class scores of one image, written into `scores` (length `C`); no allocation when
    /// `C ≤ 64`.
    ///
    /// # Panics
    /// If `pixels.len() != num_inputs` or `scores.len() != num_classes`.
    pub fn scores_into(&self, pixels: &[u8], scores: &mut [u32]) {
        let p = &self.params;
        assert_eq!(scores.len(), p.num_classes, "wrong score buffer length");
        assert_eq!(pixels.len(), p.num_inputs, "wrong number of pixels");
        scores.fill(0);
        let n = p.num_filter_inputs;
        let mut acc = [0u64; 4];
        let mut heap;
        let acc: &mut [u64] = if self.words <= 4 {
            &mut acc[..self.words]
        } else {
            heap = vec![0u64; self.words];
            &mut heap
        };
        for f in 0..p.num_filters() {
            let mut x = 0u64;
            for j in 0..n {
                let k = f * n + j;
                let bit = pixels[self.gather_pixel[k] as usize] as u16 >= self.gather_threshold[k];
                x |= (bit as u64) << j;
            }
            acc.fill(u64::MAX);
            for idx in self.indices(x) {
                for (a, m) in acc.iter_mut().zip(self.class_vector(f, idx)) {
                    *a &= m;
                }
            }
            for (wi, &word) in acc.iter().enumerate() {
                let mut w = word;
                while w != 0 {
                    let c = wi * 64 + w.trailing_zeros() as usize;
                    scores[c] += 1;
                    w &= w - 1;
                }
            }
        }
    }

    /// Per-class scores of one image.
    ///
    /// # Panics
    /// If `pixels.len() != num_inputs` (use [`Wnn::check_input`] first for untrusted input).
    pub fn scores(&self, pixels: &[u8]) -> Vec<u32> {
        let mut s = vec![0; self.params.num_classes];
        self.scores_into(pixels, &mut s);
        s
    }

    /// Scores and first-maximum class of one image.
    ///
    /// # Panics
    /// If `pixels.len() != num_inputs`.
    pub fn predict(&self, pixels: &[u8]) -> Prediction {
        let scores = self.scores(pixels);
        let class = argmax(&scores);
        Prediction { scores, class }
    }

    /// SHA-256 of the model's canonical encoding: what inference depends on (shape, quantised
    /// thresholds, permutation, Bloom bits), independent of how the HDF5 file is laid out.
    ///
    /// Encoding: `b"zero_g/model/v1"`, the seven parameters as u64 little-endian in the order
    /// C, num_inputs, bpi, n, E, K, p; each quantised threshold as u16 LE; each `input_order`
    /// entry as u64 LE; then the Bloom bits in `(C, F, E)` order packed LSB-first into bytes;
    /// then, unless the input is a square image with numbered classes,
    /// `b"zero_g/input/v1"` and the input description ([`InputSpec::hash_into`]).
    pub fn digest(&self) -> [u8; 32] {
        let p = &self.params;
        let mut h = Sha256::new();
        h.update(b"zero_g/model/v1");
        for v in [
            p.num_classes as u64,
            p.num_inputs as u64,
            p.bits_per_input as u64,
            p.num_filter_inputs as u64,
            p.num_filter_entries as u64,
            p.num_filter_hashes as u64,
            p.p,
        ] {
            h.update(v.to_le_bytes());
        }
        for t in &self.thresholds_q {
            h.update(t.to_le_bytes());
        }
        for o in &self.input_order {
            h.update(o.to_le_bytes());
        }
        let bits = self.bloom_bits();
        let bytes: Vec<u8> = bits
            .chunks(8)
            .map(|ch| {
                ch.iter()
                    .enumerate()
                    .fold(0u8, |a, (i, &b)| a | (b as u8) << i)
            })
            .collect();
        h.update(&bytes);
        // square images with numbered classes keep the v1 digest; any other input
        // description is part of what the model means
        if !self.input.is_plain_square_image() {
            h.update(b"zero_g/input/v1");
            self.input.hash_into(&mut h);
        }
        h.finalize().into()
    }

    /// The digest as lowercase hex.
    pub fn digest_hex(&self) -> String {
        hex::encode(self.digest())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A hand-made model small enough to check every inference step by hand.
    fn toy() -> Wnn {
        // 2×2 image, 2 thresholds per pixel → 8 bits; n = 4 → 2 filters; E = 4, K = 1, l = 2, p = 5.
        let params = WnnParams {
            num_classes: 3,
            num_inputs: 4,
            bits_per_input: 2,
            num_filter_inputs: 4,
            num_filter_entries: 4,
            num_filter_hashes: 1,
            p: 5,
        };
        // thresholds (r, c, b): pixel ≥ 128 for b = 0, ≥ 256 (never) for b = 1, except pixel 3
        // whose b = 1 threshold is 0 (always).
        let t = vec![0.5, 1.5, 0.5, 1.5, 0.5, 1.5, 0.5, -0.1];
        let order: Vec<u64> = vec![7, 6, 5, 4, 3, 2, 1, 0];
        let mut bloom = vec![false; 3 * 2 * 4];
        bloom[0] = true; // class 0 filter 0 entry 0
        bloom[4 + 1] = true; // class 0 filter 1 entry 1
        bloom[8 + 1] = true; // class 1 filter 0 entry 1
        bloom[8 + 4 + 2] = true; // class 1 filter 1 entry 2
        bloom[16 + 4 + 1] = true; // class 2 filter 1 entry 1
        Wnn::new(params, t, order, &bloom).unwrap()
    }

    #[test]
    fn toy_inference_step_by_step() {
        let m = toy();
        let img = [200u8, 0, 0, 255];
        // bits: b=0 block: [1,0,0,1], b=1 block: [0,0,0,1]
        assert_eq!(
            m.encode(&img),
            vec![true, false, false, true, false, false, false, true]
        );
        // permuted = bits reversed
        assert_eq!(
            m.permuted_bits(&img),
            vec![true, false, false, false, true, false, false, true]
        );
        // chunk 0 = 1,0,0,0 → 1; chunk 1 = 1,0,0,1 → 9
        assert_eq!(m.filter_inputs(&img), vec![1, 9]);
        // h(1) = 1 mod 5 = 1, & 3 → 1; h(9) = 729 mod 5 = 4, & 3 → 0
        assert_eq!(m.indices(1).collect::<Vec<_>>(), vec![1]);
        assert_eq!(m.indices(9).collect::<Vec<_>>(), vec![0]);
        // filter 0 entry 1: class 1; filter 1 entry 0: nobody
        assert_eq!(
            m.predict(&img),
            Prediction {
                scores: vec![0, 1, 0],
                class: 1
            }
        );
        // image all zero: only pixel 3's b=1 bit (bit 7 → permuted bit 0) → x0 = 1, x1 = 0
        assert_eq!(m.filter_inputs(&[0, 0, 0, 0]), vec![1, 0]);
        assert_eq!(m.scores(&[0, 0, 0, 0]), vec![0, 1, 0]);
        // pixel 0 = 255 only: permuted [1,0,0,0,0,0,0,1] → x0 = 1, x1 = 8 → 512 mod 5 = 2
        let img = [255, 0, 0, 0];
        assert_eq!(m.filter_inputs(&img), vec![1, 8]);
        assert_eq!(
            m.predict(&img),
            Prediction {
                scores: vec![0, 2, 0],
                class: 1
            }
        );
    }

    #[test]
    fn bloom_round_trips_through_class_vectors() {
        let m = toy();
        let bits = m.bloom_bits();
        assert_eq!(bits.iter().filter(|&&b| b).count(), 5);
        assert!(bits[0] && bits[5] && bits[9] && bits[14] && bits[21]);
        assert!(m.bloom_bit(2, 1, 1) && !m.bloom_bit(2, 1, 0));
        assert_eq!(m.class_vector(1, 1), &[0b101]);
    }

    #[test]
    fn argmax_takes_the_first_maximum() {
        assert_eq!(argmax(&[1, 3, 3, 2]), 1);
        assert_eq!(argmax(&[0, 0, 0]), 0);
        assert_eq!(argmax(&[5]), 0);
        assert_eq!(argmax(&[1, 2, 9]), 2);
    }

    #[test]
    fn quantisation_matches_the_original() {
        assert_eq!(quantise_threshold(-0.036), 0);
        assert_eq!(quantise_threshold(0.0), 0);
        assert_eq!(quantise_threshold(1.0 / 255.0), 1);
        assert_eq!(quantise_threshold(0.5), 128);
        assert_eq!(quantise_threshold(1.0), 255);
        assert_eq!(quantise_threshold(1.01), 256);
        assert_eq!(quantise_threshold(7.0), 256);
    }

    #[test]
    fn rejects_non_permutations_and_bad_thresholds() {
        let m = toy();
        let bloom = m.bloom_bits();
        let mut order = m.input_order().to_vec();
        order[1] = order[0];
        let e = Wnn::new(*m.params(), m.thresholds().to_vec(), order, &bloom).unwrap_err();
        assert!(e.to_string().contains("repeated"), "{e}");
        let mut order = m.input_order().to_vec();
        order[1] = 99;
        let e = Wnn::new(*m.params(), m.thresholds().to_vec(), order, &bloom).unwrap_err();
        assert!(e.to_string().contains("out of range"), "{e}");
        let mut t = m.thresholds().to_vec();
        t[3] = f32::NAN;
        let e = Wnn::new(*m.params(), t, m.input_order().to_vec(), &bloom).unwrap_err();
        assert!(e.to_string().contains("finite"), "{e}");
        let e = Wnn::new(
            *m.params(),
            m.thresholds().to_vec(),
            m.input_order().to_vec(),
            &bloom[1..],
        )
        .unwrap_err();
        assert!(e.to_string().contains("bloom_filters"), "{e}");
    }
}
