//! Training BTHOWeN models natively (the original needed a separate Python fork).
//! (Both families' training lives under [`crate::train`]; this is the first.)
//!
//! The model file fixes how thresholds, permutation and Bloom bits are *used* (see
//! [`crate::model`]); training only chooses them. Every choice below is made on the held-out
//! validation split (the last `validation_fraction` of the training samples, 10 % by
//! default), never on a test set. All randomness is ChaCha8 seeded with `seed` and all
//! reductions are exact (integer), so a seed and a data set reproduce a model byte for byte.
//!
//! 1. **Thresholds.** For pixel $i$ with mean $\mu_i$ and standard deviation $\sigma_i$ over
//!    the whole training set (pixel / 255), threshold $b$ of `bpi` is
//!    $t_{i,b} = \mu_i + \sigma_i\left(\Phi^{-1}\!\left(\frac{b+1}{\mathrm{bpi}+1}\right) +
//!    \delta\right)$. The original uses $\delta = 0$; a negative shift $\delta$ lowers all
//!    thresholds (more bits that are always 1 at the sparse border, so fewer distinct filter
//!    inputs and better generalisation in small filters). $\delta$ is chosen on validation
//!    from `threshold_shifts`.
//! 2. **Augmentation.** Training images may also be used shifted by one pixel
//!    ([`Augment`]; vacated pixels are 0), which helps the larger Bloom filters and is
//!    chosen on validation from the `augment` candidates. Only image inputs are shifted: for
//!    a row of features ([`train_with_input`] with a tabular [`InputSpec`]) every candidate
//!    is [`Augment::None`].
//! 3. **Permutation.** A uniformly random permutation of the `num_inputs·bpi` bits: ChaCha8
//!    stream $t$ of `seed` for trial $t$.
//! 4. **Counting Bloom filters.** Every training sample (and its shifted copies) updates its
//!    label's discriminator: for each filter, with $m$ the minimum counter at its $K$
//!    indices, each of those counters becomes $\max(c, m+1)$ (conservative update). $p$ is
//!    the largest prime below $2^{l+1}$ with $p \equiv 2 \pmod 3$.
//! 5. **Bleaching.** Filter $f$ of class $c$ responds when its minimum counter is at least
//!    $b_c$. A global $b$ maximising validation accuracy (first-maximum argmax, as at
//!    inference) is found by [`BleachSearch`]. With `per_class_bleach` each class then gets
//!    its own $b_c \in 1..B$, $B = \min(\max\text{counter}, 4b + 16)$, by coordinate ascent:
//!    for $c = 0..C$ in turn, $b_c$ moves to the value with the most correct validation
//!    samples given the others, only on a strict gain, until a round changes nothing.
//! 6. **Model search.** Steps 1–5 run for every (augmentation, $\delta$) candidate with
//!    permutation trial 0; the best on validation is kept and then permutation trials
//!    $1..T$ are tried with it. The candidate with the most correct validation samples
//!    (the first one on ties) wins: $|A|\cdot|\Delta| + T - 1$ trainings in all.
//! 7. **Final fit** (off by default: it did not help on the test set once the bleaches are
//!    per class): the held-out samples (and their shifts) are then added to
//!    the winner's counters, and each $b_c$ is scaled by $N_c^{\mathrm{all}} /
//!    N_c^{\mathrm{train}}$, the growth of that class's sample count.
//! 8. **Binarise:** `bloom[c, f, e]` $= [\mathrm{counter}_{c,f,e} \ge b_c]$.
//!
//! Inputs may be images of any `W × H` or rows of `N` quantised features: the statistics,
//! thresholds and permutation are per input byte, whatever the bytes mean.

mod bleach;
pub mod stats;

use crate::data::Dataset;
use crate::error::TrainError;
use crate::limits::Class;
use crate::model::bthowen::hash::choose_p;
use crate::model::{InputSpec, Wnn, WnnParams};
use crate::progress::{NoReporter, Reporter};
use bleach::{choose_bleaches, Choice, Counters, Minima};
use rand::seq::SliceRandom;
use rand::SeedableRng;
use rand_chacha::ChaCha8Rng;
use rayon::prelude::*;
use serde::Serialize;
use std::ops::Range;

/// How the bleaching threshold is searched on the validation split.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
pub enum BleachSearch {
    /// The original's search: start at max/2, compare b−step, b, b+step, halve the step.
    Original,
    /// Every b from 1 to the largest counter (sped up by per-sample histograms).
    Exhaustive,
}

/// Shifted copies of the training images.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
pub enum Augment {
    /// Only the images themselves.
    None,
    /// Also shifted by one pixel up, down, left and right (5 samples per image).
    Cross,
    /// Also shifted by one pixel in all 8 directions (9 samples per image).
    Square,
}

impl Augment {
    /// The offsets `(dx, dy)`, identity first.
    pub fn offsets(self) -> &'static [(i32, i32)] {
        match self {
            Augment::None => &[(0, 0)],
            Augment::Cross => &[(0, 0), (1, 0), (-1, 0), (0, 1), (0, -1)],
            Augment::Square => &[
                (0, 0),
                (1, 0),
                (-1, 0),
                (0, 1),
                (0, -1),
                (1, 1),
                (-1, -1),
                (1, -1),
                (-1, 1),
            ],
        }
    }
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
    /// Share of the training samples held out (at the end) to make every choice.
    pub validation_fraction: f64,
    /// Seed of the input permutations.
    pub seed: u64,
    /// How to search the global bleach.
    pub bleach_search: BleachSearch,
    /// Add the validation samples to the counters after choosing the bleach.
    pub final_fit: bool,
    /// Candidate threshold shifts $\delta$ (in standard deviations); `[0.0]` is the original.
    pub threshold_shifts: Vec<f64>,
    /// Candidate augmentations of the training images.
    pub augment: Vec<Augment>,
    /// Number of seeded permutations tried (`1` = only stream 0 of `seed`).
    pub permutation_trials: usize,
    /// Refine one bleach per class after the global search.
    pub per_class_bleach: bool,
}

impl TrainConfig {
    /// The original BTHOWeN procedure: Gaussian thresholds, no augmentation, one permutation,
    /// one global bleach found by the original step-halving search, no final fit.
    pub fn original() -> Self {
        TrainConfig {
            bleach_search: BleachSearch::Original,
            final_fit: false,
            threshold_shifts: vec![0.0],
            augment: vec![Augment::None],
            permutation_trials: 1,
            per_class_bleach: false,
            ..TrainConfig::default()
        }
    }
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
            final_fit: false,
            threshold_shifts: vec![0.0, -0.15, -0.3],
            augment: vec![Augment::None, Augment::Cross],
            permutation_trials: 8,
            per_class_bleach: true,
        }
    }
}

/// One evaluated candidate of the model search.
#[derive(Clone, Debug, Serialize)]
pub struct Candidate {
    /// Augmentation of the training images.
    pub augment: Augment,
    /// Threshold shift $\delta$.
    pub threshold_shift: f64,
    /// Permutation trial (ChaCha8 stream of `seed`).
    pub trial: usize,
    /// Validation accuracy after bleaching.
    pub validation_accuracy: f64,
}

/// What a training run measured.
#[derive(Clone, Debug, Serialize)]
pub struct TrainReport {
    /// Samples used to fill the counters before the bleach search (shifted copies included).
    pub train_samples: usize,
    /// Samples held out for the choices.
    pub validation_samples: usize,
    /// The chosen global bleaching threshold (before per-class refinement and scaling).
    pub bleach: u32,
    /// The bleach per class used to binarise (after refinement and final-fit scaling).
    pub class_bleach: Vec<u32>,
    /// Validation accuracy of the kept model before the final fit.
    pub validation_accuracy: f64,
    /// Every candidate of the model search, in evaluation order.
    pub candidates: Vec<Candidate>,
    /// Index of the kept candidate in `candidates`.
    pub chosen: usize,
    /// Largest counter value after training (before the final fit).
    pub max_counter: u32,
    /// Share of Bloom bits set in the binarised model.
    pub fill_ratio: f64,
}

/// Per-pixel mean and standard deviation over the images (pixel / 255), from exact integer
/// sums so that the result does not depend on the parallel split.
pub fn pixel_stats(data: &Dataset) -> (Vec<f64>, Vec<f64>) {
    let npix = data.rows * data.cols;
    let (sum, sq) = data
        .pixels
        .par_chunks(npix)
        .fold(
            || (vec![0u64; npix], vec![0u64; npix]),
            |(mut s, mut q), img| {
                for (i, &v) in img.iter().enumerate() {
                    s[i] += v as u64;
                    q[i] += (v as u64) * (v as u64);
                }
                (s, q)
            },
        )
        .reduce(
            || (vec![0u64; npix], vec![0u64; npix]),
            |(mut s, mut q), (s2, q2)| {
                s.iter_mut().zip(&s2).for_each(|(a, b)| *a += b);
                q.iter_mut().zip(&q2).for_each(|(a, b)| *a += b);
                (s, q)
            },
        );
    let n = data.len() as f64;
    let mean: Vec<f64> = sum.iter().map(|&s| s as f64 / n / 255.0).collect();
    let std = sq
        .iter()
        .zip(&mean)
        .map(|(&q, &m)| (q as f64 / n / (255.0 * 255.0) - m * m).max(0.0).sqrt())
        .collect();
    (mean, std)
}

/// Gaussian thermometer thresholds, shape `(W, W, bpi)` row-major: per pixel,
/// $\mu + \sigma\,(\Phi^{-1}((b+1)/(\mathrm{bpi}+1)) + \delta)$.
pub fn gaussian_thresholds(
    mean: &[f64],
    std: &[f64],
    bits_per_input: usize,
    shift: f64,
) -> Vec<f32> {
    let z: Vec<f64> = (0..bits_per_input)
        .map(|b| stats::normal_quantile((b + 1) as f64 / (bits_per_input + 1) as f64) + shift)
        .collect();
    mean.iter()
        .zip(std)
        .flat_map(|(&m, &s)| z.iter().map(move |&zb| (m + s * zb) as f32))
        .collect()
}

/// Validates a configuration against a data set of square images and returns the model
/// shape it gives.
pub fn model_params(cfg: &TrainConfig, data: &Dataset) -> Result<WnnParams, TrainError> {
    if data.rows != data.cols {
        return Err(TrainError::Data(format!(
            "images are {}×{}, not square",
            data.cols, data.rows
        )));
    }
    model_params_for(cfg, data, &InputSpec::image(data.cols, data.rows))
}

/// Validates a configuration against a data set whose samples `input` describes (an image
/// of any size, or a row of features) and returns the model shape it gives. The classes
/// are `0..C` with `C` the larger of the largest label + 1 and the number of class names.
pub fn model_params_for(
    cfg: &TrainConfig,
    data: &Dataset,
    input: &InputSpec,
) -> Result<WnnParams, TrainError> {
    if data.is_empty() {
        return Err(TrainError::Data("the training set is empty".into()));
    }
    if data.num_inputs() != input.num_inputs() {
        return Err(TrainError::Data(format!(
            "the samples have {} inputs, the model ({}) {}",
            data.num_inputs(),
            input.describe(),
            input.num_inputs()
        )));
    }
    if !(0.0..1.0).contains(&cfg.validation_fraction) {
        return Err(TrainError::Config(format!(
            "validation fraction {} must be in [0, 1)",
            cfg.validation_fraction
        )));
    }
    if cfg.permutation_trials == 0 {
        return Err(TrainError::Config(
            "permutation trials must be at least 1".into(),
        ));
    }
    if cfg.threshold_shifts.is_empty() || cfg.threshold_shifts.iter().any(|z| !z.is_finite()) {
        return Err(TrainError::Config(
            "threshold shifts must be a non-empty list of finite numbers".into(),
        ));
    }
    if cfg.augment.is_empty() {
        return Err(TrainError::Config(
            "the augmentation candidates must not be empty".into(),
        ));
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
    let num_classes =
        (data.labels.iter().copied().max().unwrap_or(0) as usize + 1).max(input.class_names.len());
    if num_classes < 2 {
        return Err(TrainError::Data(
            "the training data has fewer than two classes".into(),
        ));
    }
    let params = WnnParams {
        num_classes,
        num_inputs: input.num_inputs(),
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

/// Samples hashed at a time: the indices of one batch are all that training holds beside
/// the model's counters, so memory does not grow with the data set.
const BATCH: usize = 8192;

/// The batches of `range`, in order.
fn batches(range: Range<usize>) -> impl Iterator<Item = Range<usize>> {
    range
        .clone()
        .step_by(BATCH)
        .map(move |s| s..(s + BATCH).min(range.end))
}

/// Adds the samples `range` (each under every offset of `offsets`) to the counters, one
/// batch at a time, in sample order (so exactly as all at once).
fn count(
    counters: &mut Counters,
    model: &Wnn,
    data: &Dataset,
    range: Range<usize>,
    offsets: &[(i32, i32)],
    reporter: &dyn Reporter,
) {
    for b in batches(range) {
        let idx = all_indices(model, data, b.clone(), offsets, reporter);
        let labels: Vec<Class> = data.labels[b]
            .iter()
            .flat_map(|&l| std::iter::repeat_n(l, offsets.len()))
            .collect();
        counters.add(&idx, &labels);
    }
}

/// The validation samples' minima under trained counters, one batch at a time.
fn validation_minima(
    counters: &Counters,
    model: &Wnn,
    data: &Dataset,
    range: Range<usize>,
    classes: usize,
) -> Minima {
    let mut minima = Minima::new(classes, counters.f);
    for b in batches(range) {
        let idx = all_indices(model, data, b, &[(0, 0)], &NoReporter);
        counters.add_minima(&idx, classes, &mut minima);
    }
    minima
}

/// The most memory the bleach search's table of validation minima may take (2 bytes per
/// validation sample, class and filter); a larger run is refused before training.
pub const MAX_BLEACH_TABLE_BYTES: usize = 4 << 30;

/// The flattened `K` indices of every filter of the images `range`, each under every offset
/// of `offsets` (image-major): `idx[((i·S + s)·F + f)·K + k]`. Reports progress only.
fn all_indices(
    model: &Wnn,
    data: &Dataset,
    range: Range<usize>,
    offsets: &[(i32, i32)],
    reporter: &dyn Reporter,
) -> Vec<u32> {
    let p = model.params();
    let (f, k) = (p.num_filters(), p.num_filter_hashes);
    let per = f * k;
    let per_image = per * offsets.len();
    const CHUNK: usize = 128;
    let mut idx = vec![0u32; range.len() * per_image];
    idx.par_chunks_mut(per_image * CHUNK)
        .enumerate()
        .for_each(|(chunk, out)| {
            let mut buf = vec![0u8; data.rows * data.cols];
            for (j, image_out) in out.chunks_mut(per_image).enumerate() {
                let img = data.image(range.start + chunk * CHUNK + j);
                for (&off, sample_out) in offsets.iter().zip(image_out.chunks_mut(per)) {
                    let x = if off == (0, 0) {
                        model.filter_inputs(img)
                    } else {
                        super::shift_image(img, data.cols, data.rows, off, &mut buf);
                        model.filter_inputs(&buf)
                    };
                    for (fi, &xv) in x.iter().enumerate() {
                        for (ki, i) in model.indices(xv).enumerate() {
                            sample_out[fi * k + ki] = i as u32;
                        }
                    }
                }
            }
            reporter.on_progress((out.len() / per_image) as u64);
        });
    idx
}

/// The permutation of trial `trial`: ChaCha8 stream `trial` of `seed`.
fn permutation(total_bits: usize, seed: u64, trial: usize) -> Vec<u64> {
    let mut order: Vec<u64> = (0..total_bits as u64).collect();
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    rng.set_stream(trial as u64);
    order.shuffle(&mut rng);
    order
}

/// One trained and bleached candidate.
struct Trained {
    thresholds: Vec<f32>,
    order: Vec<u64>,
    augment: Augment,
    counters: Counters,
    choice: Choice,
    max_counter: usize,
}

/// Trains a model on `data` (labels `0..C`, square images).
pub fn train(
    data: &Dataset,
    cfg: &TrainConfig,
    reporter: &dyn Reporter,
) -> Result<(Wnn, TrainReport), TrainError> {
    model_params(cfg, data)?;
    train_with_input(data, &InputSpec::image(data.cols, data.rows), cfg, reporter)
}

/// Trains a model on `data` (labels `0..C`) whose samples `input` describes: an image of any
/// size (shifted copies as `cfg.augment` asks) or a row of quantised features (never
/// shifted: every augmentation candidate is [`Augment::None`]). The model carries `input`
/// (class names included).
pub fn train_with_input(
    data: &Dataset,
    input: &InputSpec,
    cfg: &TrainConfig,
    reporter: &dyn Reporter,
) -> Result<(Wnn, TrainReport), TrainError> {
    let params = model_params_for(cfg, data, input)?;
    let image = input.image_size().is_some();
    let augments: Vec<Augment> = if image {
        cfg.augment.clone()
    } else {
        vec![Augment::None]
    };
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
    let val_range = if n_val > 0 { n_train..n } else { 0..n };
    let table_bytes = val_range
        .len()
        .saturating_mul(Minima::bytes_per_sample(c, f));
    if table_bytes > MAX_BLEACH_TABLE_BYTES {
        return Err(TrainError::Data(format!(
            "the bleach search would keep {} validation samples × {c} classes × {f} filters \
             × 2 bytes = {:.1} GiB, above its limit of {} GiB: hold out fewer samples \
             (--validation-fraction) or train a smaller model (fewer classes or filters)",
            val_range.len(),
            table_bytes as f64 / (1u64 << 30) as f64,
            MAX_BLEACH_TABLE_BYTES >> 30
        )));
    }
    let (mean, std) = pixel_stats(data);
    let val_labels = &data.labels[val_range.clone()];
    let empty = vec![false; c * f * e];
    let shell = |thresholds: &[f32], order: &[u64]| {
        Wnn::with_input(
            params,
            input.clone(),
            thresholds.to_vec(),
            order.to_vec(),
            &empty,
        )
        .map_err(|e| TrainError::Config(e.to_string()))
    };
    // Trains and bleaches one candidate.
    let run = |augment: Augment, shift: f64, trial: usize| -> Result<Trained, TrainError> {
        let thresholds = gaussian_thresholds(&mean, &std, cfg.bits_per_input, shift);
        let order = permutation(params.total_bits(), cfg.seed, trial);
        let model = shell(&thresholds, &order)?;
        let offsets = augment.offsets();
        reporter.on_stage("training", n_train as u64);
        let mut counters = Counters::new(c, f, e, k);
        count(&mut counters, &model, data, 0..n_train, offsets, reporter);
        reporter.on_stage_done();
        reporter.on_stage("bleaching", 1);
        let minima = validation_minima(&counters, &model, data, val_range.clone(), c);
        let choice = choose_bleaches(cfg, &counters, &minima, val_labels);
        drop(minima);
        reporter.on_stage_done();
        let max_counter = counters.c.iter().copied().max().unwrap_or(0) as usize;
        Ok(Trained {
            thresholds,
            order,
            augment,
            counters,
            choice,
            max_counter,
        })
    };

    let mut candidates = Vec::new();
    let mut best: Option<(Trained, f64)> = None;
    let mut chosen = 0;
    let mut consider = |t: Trained, shift: f64, trial: usize, best: &mut Option<(Trained, f64)>| {
        candidates.push(Candidate {
            augment: t.augment,
            threshold_shift: shift,
            trial,
            validation_accuracy: t.choice.correct as f64 / val_labels.len() as f64,
        });
        if best
            .as_ref()
            .is_none_or(|(b, _)| t.choice.correct > b.choice.correct)
        {
            chosen = candidates.len() - 1;
            *best = Some((t, shift));
        }
    };
    // stage 1: augmentation × threshold shift, permutation trial 0
    for &augment in &augments {
        for &shift in &cfg.threshold_shifts {
            consider(run(augment, shift, 0)?, shift, 0, &mut best);
        }
    }
    // stage 2: more permutations for the best augmentation and shift
    let (augment, shift) = {
        let (b, z) = best.as_ref().expect("at least one candidate");
        (b.augment, *z)
    };
    for trial in 1..cfg.permutation_trials {
        consider(run(augment, shift, trial)?, shift, trial, &mut best);
    }
    let (
        Trained {
            thresholds,
            order,
            augment,
            mut counters,
            choice,
            max_counter,
        },
        _,
    ) = best.expect("at least one candidate");
    let validation_accuracy = choice.correct as f64 / val_labels.len() as f64;
    let mut class_bleach = choice.class;

    if cfg.final_fit && n_val > 0 {
        reporter.on_stage("final fit", 1);
        let offsets = augment.offsets();
        count(
            &mut counters,
            &shell(&thresholds, &order)?,
            data,
            n_train..n,
            offsets,
            &NoReporter,
        );
        for (cl, b) in class_bleach.iter_mut().enumerate() {
            let count = |l: &[Class]| l.iter().filter(|&&x| x as usize == cl).count();
            let before = count(&data.labels[..n_train]);
            let all = before + count(&data.labels[n_train..]);
            if before > 0 {
                *b = ((*b as f64) * all as f64 / before as f64).round().max(1.0) as u32;
            }
        }
        reporter.on_stage_done();
    }

    let mut bloom = vec![false; c * f * e];
    bloom
        .par_chunks_mut(f * e)
        .zip(counters.c.par_chunks(f * e))
        .zip(class_bleach.par_iter())
        .for_each(|((bl, cnt), &b)| {
            bl.iter_mut()
                .zip(cnt)
                .for_each(|(x, &v)| *x = v as u32 >= b);
        });
    let fill = bloom.iter().filter(|&&b| b).count() as f64 / bloom.len() as f64;
    let model = Wnn::with_input(params, input.clone(), thresholds, order, &bloom)
        .map_err(|e| TrainError::Config(e.to_string()))?;
    Ok((
        model,
        TrainReport {
            train_samples: n_train * augment.offsets().len(),
            validation_samples: n_val,
            bleach: choice.global,
            class_bleach,
            validation_accuracy,
            candidates,
            chosen,
            max_counter: max_counter as u32,
            fill_ratio: fill,
        },
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn augmentations_list_their_offsets() {
        assert_eq!(Augment::Cross.offsets().len(), 5);
        assert_eq!(Augment::Square.offsets()[0], (0, 0));
    }

    #[test]
    fn permutation_trials_are_distinct_permutations() {
        let a = permutation(100, 3, 0);
        let b = permutation(100, 3, 1);
        let c = permutation(100, 4, 0);
        for p in [&a, &b, &c] {
            let mut s = p.clone();
            s.sort_unstable();
            assert_eq!(s, (0..100).collect::<Vec<u64>>());
        }
        assert_ne!(a, b);
        assert_ne!(a, c);
        assert_eq!(a, permutation(100, 3, 0));
    }

    #[test]
    fn thresholds_follow_mean_std_and_shift() {
        // one 1×1 "image" per value: pixel values 0 and 255 → mean 0.5, std 0.5
        let data = Dataset {
            pixels: vec![0, 255],
            labels: vec![0, 1],
            rows: 1,
            cols: 1,
        };
        let (m, s) = pixel_stats(&data);
        assert_eq!((m[0], s[0]), (0.5, 0.5));
        let t0 = gaussian_thresholds(&m, &s, 1, 0.0);
        assert!((t0[0] - 0.5).abs() < 1e-6);
        let t = gaussian_thresholds(&m, &s, 2, -0.3);
        let z = stats::normal_quantile(1.0 / 3.0);
        assert!((t[0] as f64 - (0.5 + 0.5 * (z - 0.3))).abs() < 1e-6);
        assert!((t[1] as f64 - (0.5 + 0.5 * (-z - 0.3))).abs() < 1e-6);
    }
}
