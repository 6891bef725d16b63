//! The optimiser and the learnable mapping: Adam ([`Moments`], [`adam`]), the mapping's
//! gradient and update ([`mapping_step`]), the argmax that turns mapping weights into
//! wiring, and the balanced random wiring of the later layers.

use super::MappingState;
use rand::seq::SliceRandom;
use rand_chacha::ChaCha8Rng;
use rayon::prelude::*;
use serde::{Deserialize, Serialize};

/// Adam moments of one parameter vector.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub(crate) struct Moments {
    pub m: Vec<f32>,
    pub v: Vec<f32>,
}

impl Moments {
    pub(crate) fn new(n: usize) -> Self {
        Moments {
            m: vec![0.0; n],
            v: vec![0.0; n],
        }
    }
}

pub(crate) const B1: f32 = 0.9;
pub(crate) const B2: f32 = 0.999;
const EPS: f32 = 1e-8;

/// Defines `pub(crate) fn $name` that runs `$portable` compiled for AVX-512 or AVX2 when the
/// CPU has it (checked at run time, so the binary still runs anywhere), else as compiled.
/// Each copy does the same IEEE-754 operations per element in the same order (Rust never
/// fuses a multiply and an add on its own), so the result is bit for bit the same whichever
/// runs: a seed still reproduces a model on any x86-64 machine.
macro_rules! dispatched {
    ($(#[$doc:meta])* fn $name:ident($($arg:ident: $ty:ty),*) $(-> $ret:ty)? = $portable:ident) => {
        $(#[$doc])*
        #[inline]
        pub(crate) fn $name($($arg: $ty),*) $(-> $ret)? {
            #[cfg(target_arch = "x86_64")]
            #[allow(unsafe_code)]
            {
                #[target_feature(enable = "avx512f")]
                unsafe fn avx512($($arg: $ty),*) $(-> $ret)? {
                    $portable($($arg),*)
                }
                #[target_feature(enable = "avx2")]
                unsafe fn avx2($($arg: $ty),*) $(-> $ret)? {
                    $portable($($arg),*)
                }
                if std::arch::is_x86_feature_detected!("avx512f") {
                    // SAFETY: the CPU has AVX-512F (checked just above).
                    return unsafe { avx512($($arg),*) };
                }
                if std::arch::is_x86_feature_detected!("avx2") {
                    // SAFETY: the CPU has AVX2 (checked just above).
                    return unsafe { avx2($($arg),*) };
                }
            }
            $portable($($arg),*)
        }
    };
}

dispatched! {
    /// One Adam step on a slice (`lr` already bias-corrected), clamping to `[lo, hi]`
    /// ([`adam_portable`], on the widest vectors the CPU has).
    fn adam(w: &mut [f32], g: &[f32], m: &mut [f32], v: &mut [f32], lr: f32, lo: f32, hi: f32)
        = adam_portable
}

/// Adam's update, element by element: $m \leftarrow \beta_1 m + (1-\beta_1) g$,
/// $v \leftarrow \beta_2 v + (1-\beta_2) g^2$, $w \leftarrow \mathrm{clamp}(w - \eta\, m /
/// (\sqrt v + \epsilon))$.
#[inline(always)]
fn adam_portable(
    w: &mut [f32],
    g: &[f32],
    m: &mut [f32],
    v: &mut [f32],
    lr: f32,
    lo: f32,
    hi: f32,
) {
    let n = w.len();
    let (g, m, v) = (&g[..n], &mut m[..n], &mut v[..n]);
    for i in 0..n {
        let gi = g[i];
        let mi = B1 * m[i] + (1.0 - B1) * gi;
        let vi = B2 * v[i] + (1.0 - B2) * gi * gi;
        m[i] = mi;
        v[i] = vi;
        w[i] = (w[i] - lr * mi / (vi.sqrt() + EPS)).clamp(lo, hi);
    }
}

dispatched! {
    /// The first index of a row's largest value (the row's first maximum), as a plain scan
    /// keeping the best so far with `>` would find it (row\[0\] when that is NaN;
    /// [`argmax_portable`] on the widest vectors the CPU has).
    fn argmax_f32(row: &[f32]) -> usize = argmax_portable
}

/// Two passes the compiler vectorises: the maximum over 16 lanes, then the first element
/// equal to it. Equal to the scalar scan: its result is the first element attaining the
/// maximum (NaN, never `>` anything, is skipped by both unless it is row\[0\]).
#[inline(always)]
fn argmax_portable(row: &[f32]) -> usize {
    if row.is_empty() || row[0].is_nan() {
        return 0;
    }
    const L: usize = 16;
    let mut lanes = [f32::NEG_INFINITY; L];
    let mut chunks = row.chunks_exact(L);
    for c in &mut chunks {
        for j in 0..L {
            lanes[j] = if c[j] > lanes[j] { c[j] } else { lanes[j] };
        }
    }
    let mut max = f32::NEG_INFINITY;
    for &v in lanes.iter().chain(chunks.remainder()) {
        if v > max {
            max = v;
        }
    }
    // the first block of 16 holding the maximum (an OR over the block vectorises), then
    // the first element in it
    let mut at = 0;
    for c in row.chunks(L) {
        if c.iter().fold(false, |any, &v| any | (v == max)) {
            return at + c.iter().position(|&v| v == max).unwrap_or(0);
        }
        at += c.len();
    }
    0
}

/// Slots per block of [`mapping_update`]. Measured on this machine kind (one epoch of a
/// Fashion-MNIST network of 1,000 and of 2,000 nodes, 1,778 candidate bits): 64 rows
/// 17 s / –, 256 rows 12 s / –, 512–1,024 rows 10 s / 21 s, 2,048 rows 10 s / 19 s, 4,096
/// rows 11 s / 21 s, against 12 s / 25 s for one whole product followed by the Adam pass.
const ROWS: usize = 2048;

/// A learnable mapping's step: its gradient $G X^{\pm}$ (`gslot` is `S × K`, `xpm` is
/// `K × I`, both row-major), Adam on its weights (`S × I`) and each slot's new choice, the
/// row's argmax. Done a block of [`ROWS`] slots at a time, so only a block's gradient is
/// held (not the whole `S × I`) and Adam reads it soon after the product wrote it. The
/// product is `matrixmultiply`'s, whose sum over `K` runs in the same order however the
/// rows are blocked: the result equals one whole product (checked by the tests below and by
/// byte-identical retrained models).
#[allow(clippy::too_many_arguments)]
pub(crate) fn mapping_update(
    gslot: &[f32],
    xpm: &[f32],
    k: usize,
    weights: &mut [f32],
    moments: &mut Moments,
    choice: &mut [u32],
    lr: f32,
    block: &mut Vec<f32>,
) {
    let slots = choice.len();
    let ic = weights.len() / slots.max(1);
    assert!(
        gslot.len() == slots * k && xpm.len() == k * ic && weights.len() == slots * ic,
        "mapping shapes"
    );
    block.resize(ROWS.min(slots) * ic, 0.0);
    for r0 in (0..slots).step_by(ROWS) {
        let rows = ROWS.min(slots - r0);
        // SAFETY: the pointers and strides describe row-major matrices inside their slices:
        // rows `r0..r0 + rows` of gslot (each k wide), xpm (k × ic) and block (≥ rows × ic),
        // as the assertion and resize above ensure.
        #[allow(unsafe_code)]
        unsafe {
            matrixmultiply::sgemm(
                rows,
                k,
                ic,
                1.0,
                gslot[r0 * k..].as_ptr(),
                k as isize,
                1,
                xpm.as_ptr(),
                ic as isize,
                1,
                0.0,
                block.as_mut_ptr(),
                ic as isize,
                1,
            );
        }
        let span = r0 * ic..(r0 + rows) * ic;
        weights[span.clone()]
            .par_chunks_mut(ic)
            .zip(moments.m[span.clone()].par_chunks_mut(ic))
            .zip(moments.v[span].par_chunks_mut(ic))
            .zip(block[..rows * ic].par_chunks(ic))
            .zip(choice[r0..r0 + rows].par_iter_mut())
            .for_each(|((((w, m), v), g), c)| {
                adam(w, g, m, v, lr, f32::MIN, f32::MAX);
                *c = argmax_f32(w) as u32;
            });
    }
}

/// The first layer's mapping step: `2X − 1` of the batch's candidate bits, then
/// [`mapping_update`] (gradient `G · (2X − 1)`, `G` slot-major `S × B`; Adam; the wiring
/// each slot now selects).
#[allow(clippy::too_many_arguments)]
pub(super) fn mapping_step(
    map: &mut MappingState,
    x: &[u8],
    batch: usize,
    gslot: &[f32],
    xpm: &mut Vec<f32>,
    block: &mut Vec<f32>,
    lr_t: f32,
    wiring: &mut [u32],
) {
    let ic = map.candidates;
    xpm.clear();
    xpm.extend(x[..batch * ic].iter().map(|&v| 2.0 * v as f32 - 1.0));
    let slots = wiring.len();
    mapping_update(
        &gslot[..slots * batch],
        xpm,
        batch,
        &mut map.weights,
        &mut map.moments,
        wiring,
        lr_t,
        block,
    );
}

/// `slots` indices into `0..inputs`: concatenated random permutations.
pub(super) fn balanced_wiring(inputs: usize, slots: usize, rng: &mut ChaCha8Rng) -> Vec<u32> {
    let mut out = Vec::with_capacity(slots);
    while out.len() < slots {
        let mut p: Vec<u32> = (0..inputs as u32).collect();
        p.shuffle(rng);
        out.extend(p.into_iter().take(slots - out.len()));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use rand::{Rng, SeedableRng};

    /// The scan the vectorised argmax must equal: keep the best so far, replace on `>`.
    fn scan(row: &[f32]) -> usize {
        let mut best = 0;
        for (i, &v) in row.iter().enumerate() {
            if v > row[best] {
                best = i;
            }
        }
        best
    }

    #[test]
    fn argmax_is_the_first_maximum_as_a_scan_finds_it() {
        let mut rng = ChaCha8Rng::seed_from_u64(7);
        for len in [1usize, 2, 15, 16, 17, 33, 100, 1115] {
            for _ in 0..50 {
                // few distinct values: many ties, some of them ±0
                let row: Vec<f32> = (0..len)
                    .map(|_| [-1.0, -0.0, 0.0, 0.5, 1.0][rng.gen_range(0..5)])
                    .collect();
                assert_eq!(argmax_f32(&row), scan(&row), "{row:?}");
                assert_eq!(argmax_portable(&row), scan(&row), "{row:?}");
            }
        }
        let mut row = vec![0.0f32; 40];
        row[33] = 2.0;
        row[37] = 2.0;
        assert_eq!(argmax_f32(&row), 33);
        row[5] = f32::NAN;
        assert_eq!(argmax_f32(&row), 33, "a NaN after the start is skipped");
        row[0] = f32::NAN;
        assert_eq!(argmax_f32(&row), 0, "a NaN first is kept");
        assert_eq!(argmax_f32(&[f32::NEG_INFINITY; 3]), 0);
        assert_eq!(argmax_f32(&[]), 0);
    }

    #[test]
    fn adam_on_wide_vectors_is_bit_identical_to_the_portable_loop() {
        let mut rng = ChaCha8Rng::seed_from_u64(3);
        let n = 1003;
        let r = |rng: &mut ChaCha8Rng| -> Vec<f32> {
            (0..n).map(|_| rng.gen_range(-2.0..2.0)).collect()
        };
        let g = r(&mut rng);
        let (mut w1, mut m1) = (r(&mut rng), r(&mut rng));
        let mut v1: Vec<f32> = r(&mut rng).iter().map(|x| x * x).collect();
        let (mut w2, mut m2, mut v2) = (w1.clone(), m1.clone(), v1.clone());
        for _ in 0..3 {
            adam(&mut w1, &g, &mut m1, &mut v1, 0.01, -1.0, 1.0);
            adam_portable(&mut w2, &g, &mut m2, &mut v2, 0.01, -1.0, 1.0);
        }
        let bits = |x: &[f32]| x.iter().map(|v| v.to_bits()).collect::<Vec<_>>();
        assert_eq!(bits(&w1), bits(&w2));
        assert_eq!(bits(&m1), bits(&m2));
        assert_eq!(bits(&v1), bits(&v2));
    }

    #[test]
    fn a_blocked_mapping_update_equals_one_whole_product_then_adam() {
        let mut rng = ChaCha8Rng::seed_from_u64(11);
        // more slots than one block, and a last block that is not full
        let (slots, k, ic) = (ROWS + 37, 5, 9);
        let gslot: Vec<f32> = (0..slots * k).map(|_| rng.gen_range(-1.0..1.0)).collect();
        let xpm: Vec<f32> = (0..k * ic)
            .map(|_| [-1.0, 1.0][rng.gen_range(0..2)])
            .collect();
        let w0: Vec<f32> = (0..slots * ic).map(|_| rng.gen()).collect();
        let (mut w1, mut mo1, mut c1) = (w0.clone(), Moments::new(w0.len()), vec![0; slots]);
        mapping_update(
            &gslot,
            &xpm,
            k,
            &mut w1,
            &mut mo1,
            &mut c1,
            0.01,
            &mut vec![],
        );
        // the reference: the naive product in the same order over k, then row by row
        let (mut w2, mut mo2) = (w0, Moments::new(slots * ic));
        for s in 0..slots {
            let g: Vec<f32> = (0..ic)
                .map(|i| (0..k).fold(0.0f32, |acc, j| acc + gslot[s * k + j] * xpm[j * ic + i]))
                .collect();
            let span = s * ic..(s + 1) * ic;
            adam(
                &mut w2[span.clone()],
                &g,
                &mut mo2.m[span.clone()],
                &mut mo2.v[span.clone()],
                0.01,
                f32::MIN,
                f32::MAX,
            );
            assert_eq!(c1[s] as usize, scan(&w2[span]), "slot {s}");
        }
        for (a, b) in w1.iter().zip(&w2) {
            assert!((a - b).abs() <= 1e-6, "{a} vs {b}");
        }
    }
}
