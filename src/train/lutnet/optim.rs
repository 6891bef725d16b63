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

/// One Adam step on a slice (`lr` already bias-corrected), clamping to `[lo, hi]`.
#[inline]
pub(crate) fn adam(
    w: &mut [f32],
    g: &[f32],
    m: &mut [f32],
    v: &mut [f32],
    lr: f32,
    lo: f32,
    hi: f32,
) {
    for i in 0..w.len() {
        let gi = g[i];
        let mi = B1 * m[i] + (1.0 - B1) * gi;
        let vi = B2 * v[i] + (1.0 - B2) * gi * gi;
        m[i] = mi;
        v[i] = vi;
        w[i] = (w[i] - lr * mi / (vi.sqrt() + EPS)).clamp(lo, hi);
    }
}

/// The mapping's gradient (`gW = G · (2X − 1)`, `G` slot-major `S × B`) and its Adam step
/// (the wiring is re-selected by the caller).
#[allow(clippy::too_many_arguments)]
pub(super) fn mapping_step(
    map: &mut MappingState,
    x: &[u8],
    batch: usize,
    gslot: &[f32],
    slots: usize,
    xpm: &mut Vec<f32>,
    gw: &mut Vec<f32>,
    lr_t: f32,
) {
    let ic = map.candidates;
    xpm.clear();
    xpm.extend(x[..batch * ic].iter().map(|&v| 2.0 * v as f32 - 1.0));
    gw.resize(slots * ic, 0.0);
    // SAFETY: the pointers and strides describe the three row-major matrices exactly:
    // gslot is slots × batch, xpm is batch × ic, gw is slots × ic, all allocated above.
    #[allow(unsafe_code)]
    unsafe {
        matrixmultiply::sgemm(
            slots,
            batch,
            ic,
            1.0,
            gslot.as_ptr(),
            batch as isize,
            1,
            xpm.as_ptr(),
            ic as isize,
            1,
            0.0,
            gw.as_mut_ptr(),
            ic as isize,
            1,
        );
    }
    map.weights
        .par_chunks_mut(ic)
        .zip(map.moments.m.par_chunks_mut(ic))
        .zip(map.moments.v.par_chunks_mut(ic))
        .zip(gw.par_chunks(ic))
        .for_each(|(((w, m), v), g)| adam(w, g, m, v, lr_t, f32::MIN, f32::MAX));
}

pub(crate) fn argmax_f32(row: &[f32]) -> usize {
    let mut best = 0;
    for (i, &v) in row.iter().enumerate() {
        if v > row[best] {
            best = i;
        }
    }
    best
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
