//! Training BTHOWeN models natively (the original needed a separate Python fork).
//!
//! 1. **Thresholds.** For pixel $i$ with mean $\mu_i$ and standard deviation $\sigma_i$ over
//!    the whole training set (pixel / 255), threshold $b$ of `bpi` is
//!    $\mu_i + \sigma_i\,\Phi^{-1}\!\left(\frac{b+1}{\mathrm{bpi}+1}\right)$.
//! 2. **Permutation.** A uniformly random permutation from ChaCha8 seeded with `seed`, so a
//!    seed reproduces a model byte for byte.
//! 3. **Counting Bloom filters.** The last `validation_fraction` of the samples is held out.
//!    Every other sample updates its label's discriminator: for each filter, with $m$ the
//!    minimum counter at its $K$ indices, each of those counters becomes $\max(c, m+1)$
//!    (conservative update). $p$ is the largest prime below $2^{l+1}$ with $p \equiv 2
//!    \pmod 3$.
//! 4. **Bleaching.** A filter responds when its minimum counter is at least $b$. The bleach
//!    $b$ that maximises validation accuracy (first-maximum argmax) is found by
//!    [`BleachSearch`]; the arrays are binarised as $[\text{counter} \ge b]$.
//! 5. **Final fit** (optional, on by default): the held-out samples are then added to the
//!    counters before binarising, with $b$ scaled by the ratio of sample counts.

pub mod stats;

use crate::data::Dataset;
use crate::error::TrainError;
use crate::model::{argmax, hash::choose_p, Wnn, WnnParams};
pub use crate::progress::{NoReporter, Reporter};
use rand::seq::SliceRandom;
use rand::SeedableRng;
use rand_chacha::ChaCha8Rng;
use rayon::prelude::*;
use serde::Serialize;

/// How the bleaching threshold is searched on the validation split.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
pub enum BleachSearch {
    /// The original's search: start at max/2, compare b−step, b, b+step, halve the step.
    Original,
    /// Every b from 1 to the largest counter (sped up by per-sample histograms).
    Exhaustive,
}

/// Hyper-parameters of a training run.
#[derive(Clone, Debug, Serialize)]
pub struct TrainConfig {
    /// Bits per filter, `n`.
    pub filter_inputs: usize,
    /// Entries per Bloom filter, `E`.
    pub filter_entries: usize,
    /// Hashes per lookup, `K`.
    pub filter_hashes: usize,
    /// Thermometer bits per pixel.
    pub bits_per_input: usize,
    /// Share of the training samples held out (at the end) to choose the bleach.
    pub validation_fraction: f64,
    /// Seed of the input permutation.
    pub seed: u64,
    /// How to search the bleach.
    pub bleach_search: BleachSearch,
    /// Add the validation samples to the counters after choosing the bleach.
    pub final_fit: bool,
}

impl Default for TrainConfig {
    fn default() -> Self {
        TrainConfig {
            filter_inputs: 28,
            filter_entries: 1024,
            filter_hashes: 2,
            bits_per_input: 2,
            validation_fraction: 0.1,
            seed: 0,
            bleach_search: BleachSearch::Exhaustive,
            final_fit: true,
        }
    }
}

/// What a training run measured.
#[derive(Clone, Debug, Serialize)]
pub struct TrainReport {
    /// Samples used to fill the counters before the bleach search.
    pub train_samples: usize,
    /// Samples held out for the bleach search.
    pub validation_samples: usize,
    /// The chosen bleaching threshold (after scaling, if final fit ran).
    pub bleach: u32,
    /// Validation accuracy at the chosen bleach.
    pub validation_accuracy: f64,
    /// Largest counter value after training.
    pub max_counter: u32,
    /// Share of Bloom bits set in the binarised model.
    pub fill_ratio: f64,
}

/// Computes the thermometer thresholds from the training images.
pub fn gaussian_thresholds(data: &Dataset, bits_per_input: usize) -> Vec<f32> {
    let npix = data.rows * data.cols;
    let (sum, sq) = data
        .pixels
        .par_chunks(npix)
        .fold(
            || (vec![0f64; npix], vec![0f64; npix]),
            |(mut s, mut q), img| {
                for (i, &v) in img.iter().enumerate() {
                    let x = v as f64 / 255.0;
                    s[i] += x;
                    q[i] += x * x;
                }
                (s, q)
            },
        )
        .reduce(
            || (vec![0f64; npix], vec![0f64; npix]),
            |(mut s, mut q), (s2, q2)| {
                s.iter_mut().zip(&s2).for_each(|(a, b)| *a += b);
                q.iter_mut().zip(&q2).for_each(|(a, b)| *a += b);
                (s, q)
            },
        );
    let n = data.len() as f64;
    let z: Vec<f64> = (0..bits_per_input)
        .map(|b| stats::normal_quantile((b + 1) as f64 / (bits_per_input + 1) as f64))
        .collect();
    let mut out = Vec::with_capacity(npix * bits_per_input);
    for i in 0..npix {
        let mean = sum[i] / n;
        let std = (sq[i] / n - mean * mean).max(0.0).sqrt();
        for &zb in &z {
            out.push((mean + std * zb) as f32);
        }
    }
    out
}

/// Validates a configuration against a data set and returns the model shape it gives.
pub fn model_params(cfg: &TrainConfig, data: &Dataset) -> Result<WnnParams, TrainError> {
    if data.is_empty() {
        return Err(TrainError::Data("the training set is empty".into()));
    }
    if data.rows != data.cols {
        return Err(TrainError::Data(format!(
            "images are {}×{}, not square",
            data.cols, data.rows
        )));
    }
    if let Some(&l) = data.labels.iter().max() {
        if l as usize >= 1 << 16 {
            return Err(TrainError::Data(format!("label {l} too large")));
        }
    }
    if !(0.0..1.0).contains(&cfg.validation_fraction) {
        return Err(TrainError::Config(format!(
            "validation fraction {} must be in [0, 1)",
            cfg.validation_fraction
        )));
    }
    if !cfg.filter_entries.is_power_of_two() || cfg.filter_entries < 2 {
        return Err(TrainError::Config(format!(
            "filter entries {} must be a power of two ≥ 2",
            cfg.filter_entries
        )));
    }
    let l = cfg.filter_hashes as u32 * cfg.filter_entries.trailing_zeros();
    let p = choose_p(l).ok_or_else(|| {
        TrainError::Config(format!(
            "no usable MishMash prime for l = {l} bits (need 2 ≤ l ≤ 62, l = hashes·log2(entries))"
        ))
    })?;
    let num_classes = data.labels.iter().copied().max().unwrap_or(0) as usize + 1;
    let params = WnnParams {
        num_classes,
        num_inputs: data.rows * data.cols,
        bits_per_input: cfg.bits_per_input,
        num_filter_inputs: cfg.filter_inputs,
        num_filter_entries: cfg.filter_entries,
        num_filter_hashes: cfg.filter_hashes,
        p,
    };
    params
        .validate()
        .map_err(|e| TrainError::Config(e.to_string()))?;
    Ok(params)
}

/// The flattened `K` indices of every filter of every sample: `idx[(s·F + f)·K + k]`.
fn all_indices(model: &Wnn, data: &Dataset, reporter: &dyn Reporter) -> Vec<u32> {
    let p = model.params();
    let (f, k) = (p.num_filters(), p.num_filter_hashes);
    reporter.on_stage("hashing", data.len() as u64);
    let mut idx = vec![0u32; data.len() * f * k];
    idx.par_chunks_mut(f * k * 256)
        .enumerate()
        .for_each(|(chunk, out)| {
            let start = chunk * 256;
            for (j, sample_out) in out.chunks_mut(f * k).enumerate() {
                let x = model.filter_inputs(data.image(start + j));
                for (fi, &xv) in x.iter().enumerate() {
                    for (ki, i) in model.indices(xv).enumerate() {
                        sample_out[fi * k + ki] = i as u32;
                    }
                }
            }
            reporter.on_progress((out.len() / (f * k)) as u64);
        });
    reporter.on_stage_done();
    idx
}

/// Counters `C × F × E`, filled by conservative update in sample order (one thread per class).
struct Counters {
    c: Vec<u16>,
    f: usize,
    e: usize,
    k: usize,
}

impl Counters {
    fn new(classes: usize, f: usize, e: usize, k: usize) -> Self {
        Counters {
            c: vec![0; classes * f * e],
            f,
            e,
            k,
        }
    }

    fn add(&mut self, idx: &[u32], labels: &[u8], samples: std::ops::Range<usize>) {
        let (f, e, k) = (self.f, self.e, self.k);
        self.c
            .par_chunks_mut(f * e)
            .enumerate()
            .for_each(|(class, cnt)| {
                for s in samples.clone() {
                    if labels[s] as usize != class {
                        continue;
                    }
                    let si = &idx[s * f * k..(s + 1) * f * k];
                    for fi in 0..f {
                        let base = fi * e;
                        let ks = &si[fi * k..(fi + 1) * k];
                        let m = ks
                            .iter()
                            .map(|&i| cnt[base + i as usize])
                            .min()
                            .unwrap_or(0);
                        let v = m.saturating_add(1);
                        for &i in ks {
                            let c = &mut cnt[base + i as usize];
                            *c = (*c).max(v);
                        }
                    }
                }
            });
    }

    /// Minimum counter per (sample, class, filter) for the given samples.
    fn minima(&self, idx: &[u32], samples: std::ops::Range<usize>, classes: usize) -> Vec<u16> {
        let (f, e, k) = (self.f, self.e, self.k);
        let n = samples.len();
        let mut out = vec![0u16; n * classes * f];
        out.par_chunks_mut(classes * f)
            .enumerate()
            .for_each(|(j, o)| {
                let s = samples.start + j;
                let si = &idx[s * f * k..(s + 1) * f * k];
                for c in 0..classes {
                    let cnt = &self.c[c * f * e..(c + 1) * f * e];
                    for fi in 0..f {
                        o[c * f + fi] = si[fi * k..(fi + 1) * k]
                            .iter()
                            .map(|&i| cnt[fi * e + i as usize])
                            .min()
                            .unwrap_or(0);
                    }
                }
            });
        out
    }
}

/// Validation accuracy (correct count) for every bleach `1..=max_b`, from the minima.
fn correct_per_bleach(
    minima: &[u16],
    labels: &[u8],
    classes: usize,
    f: usize,
    max_b: usize,
) -> Vec<u32> {
    labels
        .par_iter()
        .enumerate()
        .fold(
            || vec![0u32; max_b + 1],
            |mut acc, (j, &label)| {
                // hist[c][v] = filters of class c whose minimum is exactly v (capped at max_b)
                let mut hist = vec![0u16; classes * (max_b + 2)];
                let row = &minima[j * classes * f..(j + 1) * classes * f];
                for c in 0..classes {
                    for &m in &row[c * f..(c + 1) * f] {
                        hist[c * (max_b + 2) + (m as usize).min(max_b + 1)] += 1;
                    }
                }
                // score_c(b) = #{m ≥ b}, walk b downward accumulating suffix sums
                let mut score = vec![0u32; classes];
                for b in (1..=max_b + 1).rev() {
                    for c in 0..classes {
                        score[c] += hist[c * (max_b + 2) + b] as u32;
                    }
                    if b <= max_b && argmax(&score) == label as usize {
                        acc[b] += 1;
                    }
                }
                acc
            },
        )
        .reduce(
            || vec![0u32; max_b + 1],
            |mut a, b| {
                a.iter_mut().zip(&b).for_each(|(x, y)| *x += y);
                a
            },
        )
}

/// Chooses the bleach from per-bleach correct counts (`correct[b]`, `b ≥ 1`).
fn choose_bleach(correct: &[u32], search: BleachSearch) -> u32 {
    let max_b = correct.len() - 1;
    match search {
        BleachSearch::Exhaustive => {
            // smallest b among the best
            let mut best = 1;
            for b in 1..=max_b {
                if correct[b] > correct[best] {
                    best = b;
                }
            }
            best as u32
        }
        BleachSearch::Original => {
            let acc = |b: isize| {
                if b < 1 || b as usize > max_b {
                    0
                } else {
                    correct[b as usize]
                }
            };
            let mut b = (max_b / 2).max(1) as isize;
            let mut step = (max_b / 4).max(1) as isize;
            loop {
                let cands = [b - step, b, b + step];
                let best = *cands
                    .iter()
                    .max_by_key(|&&c| (acc(c), std::cmp::Reverse(c)))
                    .unwrap();
                let moved = best != b;
                b = best;
                if step > 1 {
                    step /= 2;
                } else if !moved {
                    break;
                }
            }
            b.max(1) as u32
        }
    }
}

/// Trains a model on `data` (labels `0..C`, square images).
pub fn train(
    data: &Dataset,
    cfg: &TrainConfig,
    reporter: &dyn Reporter,
) -> Result<(Wnn, TrainReport), TrainError> {
    let params = model_params(cfg, data)?;
    let (c, f, e, k) = (
        params.num_classes,
        params.num_filters(),
        params.num_filter_entries,
        params.num_filter_hashes,
    );
    let n = data.len();
    let n_val = (n as f64 * cfg.validation_fraction).round() as usize;
    let n_train = n - n_val;
    if n_train == 0 {
        return Err(TrainError::Data("no samples left to train on".into()));
    }
    let thresholds = gaussian_thresholds(data, cfg.bits_per_input);
    let mut order: Vec<u64> = (0..params.total_bits() as u64).collect();
    order.shuffle(&mut ChaCha8Rng::seed_from_u64(cfg.seed));
    let empty = vec![false; c * f * e];
    let shell = Wnn::new(params, thresholds.clone(), order.clone(), &empty)
        .map_err(|e| TrainError::Config(e.to_string()))?;

    let idx = all_indices(&shell, data, reporter);
    reporter.on_stage("training", 1);
    let mut counters = Counters::new(c, f, e, k);
    counters.add(&idx, &data.labels, 0..n_train);
    reporter.on_stage_done();

    reporter.on_stage("bleaching", 1);
    let (val, val_labels) = if n_val > 0 {
        (n_train..n, &data.labels[n_train..])
    } else {
        (0..n, &data.labels[..])
    };
    let max_counter = counters.c.iter().copied().max().unwrap_or(0) as usize;
    let max_b = max_counter.max(1);
    let minima = counters.minima(&idx, val.clone(), c);
    let correct = correct_per_bleach(&minima, val_labels, c, f, max_b);
    let mut bleach = choose_bleach(&correct, cfg.bleach_search);
    let validation_accuracy = correct[bleach as usize] as f64 / val_labels.len() as f64;
    if cfg.final_fit && n_val > 0 {
        counters.add(&idx, &data.labels, n_train..n);
        bleach = ((bleach as f64) * n as f64 / n_train as f64)
            .round()
            .max(1.0) as u32;
    }
    reporter.on_stage_done();

    let mut bloom = vec![false; c * f * e];
    bloom
        .par_iter_mut()
        .zip(&counters.c)
        .for_each(|(b, &v)| *b = v as u32 >= bleach);
    let fill = bloom.iter().filter(|&&b| b).count() as f64 / bloom.len() as f64;
    let model = Wnn::new(params, thresholds, order, &bloom)
        .map_err(|e| TrainError::Config(e.to_string()))?;
    Ok((
        model,
        TrainReport {
            train_samples: n_train,
            validation_samples: n_val,
            bleach,
            validation_accuracy,
            max_counter: max_counter as u32,
            fill_ratio: fill,
        },
    ))
}

/// Accuracy of a model on a data set: (correct, total), in parallel.
pub fn evaluate(model: &Wnn, data: &Dataset, reporter: &dyn Reporter) -> (usize, usize) {
    reporter.on_stage("evaluating", data.len() as u64);
    let classes = model.params().num_classes;
    let correct = data
        .pixels
        .par_chunks(data.rows * data.cols)
        .zip(data.labels.par_iter())
        .chunks(256)
        .map(|chunk| {
            let mut scores = vec![0u32; classes];
            let mut ok = 0;
            for (img, &label) in &chunk {
                model.scores_into(img, &mut scores);
                ok += (argmax(&scores) == label as usize) as usize;
            }
            reporter.on_progress(chunk.len() as u64);
            ok
        })
        .sum();
    reporter.on_stage_done();
    (correct, data.len())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn original_search_walks_to_a_local_best() {
        // accuracy peaks at b = 3
        let correct = vec![0, 5, 8, 9, 7, 6, 5, 4, 3, 2];
        assert_eq!(choose_bleach(&correct, BleachSearch::Exhaustive), 3);
        assert_eq!(choose_bleach(&correct, BleachSearch::Original), 3);
    }

    #[test]
    fn per_bleach_counts_match_brute_force() {
        // 3 samples, 2 classes, 2 filters
        let minima = vec![3, 1, 2, 2, /**/ 0, 5, 4, 4, /**/ 1, 1, 1, 0];
        let labels = vec![1, 0, 0];
        let got = correct_per_bleach(&minima, &labels, 2, 2, 5);
        for b in 1..=5u16 {
            let mut ok = 0;
            for s in 0..3 {
                let sc: Vec<u32> = (0..2)
                    .map(|c| (0..2).filter(|&fi| minima[s * 4 + c * 2 + fi] >= b).count() as u32)
                    .collect();
                ok += (argmax(&sc) == labels[s] as usize) as u32;
            }
            assert_eq!(got[b as usize], ok, "b = {b}");
        }
    }
}
