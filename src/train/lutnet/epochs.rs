//! The epoch loop both LUT-network trainers share (the one-layer trainer of the parent module
//! and the deep trainer, [`super::deep`]): shuffle, batch (shifting and mirroring images on
//! the fly), step, score the held-out samples, keep the best epoch, checkpoint.
//!
//! Determinism: epoch `e` shuffles with ChaCha8 seeded `seed ^ (salt << 20) ^ e`, draws
//! its shifts from a stream seeded `seed ^ (0x5a1f7 << 24) ^ e` and its mirrorings from one
//! seeded `seed ^ (0xf11b << 24) ^ e` (a stream of its own, so turning mirroring on leaves
//! every shift as it was), so a run resumed at any
//! epoch reproduces the uninterrupted one (each trainer keeps its own `salt`, so the models
//! each has bundled stay reproducible).

use super::{EpochStats, Snapshot};
use crate::data::Dataset;
use crate::error::TrainError;
use crate::limits::Class;
use crate::model::input::InputSpec;
use crate::progress::Reporter;
use rand::seq::SliceRandom;
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use std::path::Path;

/// The learning rate of epoch `e` (0-based): `lr` dropped ×0.1 every `step` epochs.
pub(crate) fn step_decay(lr: f32, step: usize, e: usize) -> f32 {
    lr * 0.1f32.powi((e / step.max(1)) as i32)
}

/// Checks the samples against the model's input and classes and splits them: returns
/// `(train_n, val_n)`, the last `val_n` (`validation_fraction` of them, rounded) held out.
pub(crate) fn split(
    data: &Dataset,
    input: &InputSpec,
    classes: usize,
    validation_fraction: f64,
    batch_size: usize,
) -> Result<(usize, usize), TrainError> {
    if data.num_inputs() != input.num_inputs() {
        return Err(TrainError::Data(format!(
            "the samples have {} inputs, the model {}",
            data.num_inputs(),
            input.num_inputs()
        )));
    }
    if let Some(&l) = data.labels.iter().find(|&&l| l as usize >= classes) {
        return Err(TrainError::Data(format!(
            "label {l} with only {classes} classes"
        )));
    }
    let val_n = (data.len() as f64 * validation_fraction).round() as usize;
    let train_n = data.len() - val_n;
    if train_n == 0 || train_n < batch_size.min(data.len()) {
        return Err(TrainError::Data(format!(
            "{} samples leave {train_n} to train on",
            data.len()
        )));
    }
    Ok((train_n, val_n))
}

/// A training run's state, as the epoch loop sees it.
pub(crate) trait Learner {
    /// Epochs done.
    fn epochs_done(&self) -> usize;
    /// The epochs measured so far, and the best epoch (1-based) with its network.
    fn record(&mut self) -> (&mut Vec<EpochStats>, &mut Option<(usize, Snapshot)>);
    /// Called before epoch `e` (0-based) starts (e.g. to freeze the mapping).
    fn begin_epoch(&mut self, e: usize);
    /// One gradient step on the input bits `x` of `labels.len()` samples; returns (summed
    /// loss, correct predictions).
    fn step(&mut self, x: &[u8], labels: &[Class], lr: f32) -> (f64, usize);
    /// Accuracy and mean loss of the current discrete network.
    fn accuracy(&self, x: &[u8], labels: &[Class]) -> (f64, f64);
    /// The current discrete network.
    fn snapshot(&self) -> Snapshot;
    /// Marks epoch `e` done.
    fn finish_epoch(&mut self);
    /// Writes a checkpoint.
    fn save(&self, path: &Path) -> Result<(), TrainError>;
}

/// How the epochs run.
pub(crate) struct Schedule<'a> {
    pub epochs: usize,
    pub batch_size: usize,
    pub seed: u64,
    /// The trainer's shuffling salt (see the module doc).
    pub salt: u64,
    /// How training images are varied each epoch; `None`: not at all (a table, or neither
    /// shifts nor mirroring asked for).
    pub augment: Option<Augment>,
    /// The learning rate of an epoch.
    pub lr: &'a dyn Fn(usize) -> f32,
    /// Of equally accurate epochs keep the one of lower validation loss (else the first).
    pub tie_break_by_loss: bool,
    pub checkpoint: Option<&'a Path>,
}

/// Random variations of the training images, drawn anew every epoch.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Augment {
    /// The images' `(width, height)`.
    pub size: (usize, usize),
    /// Shift by a random `(dx, dy)` in `[-shift, shift]²` (0: no shift).
    pub shift: usize,
    /// Mirror left-right with probability 1/2 (before the shift).
    pub flip: bool,
}

impl Augment {
    /// `Some` when images of `size` are varied at all.
    pub fn new(size: Option<(usize, usize)>, shift: usize, flip: bool) -> Option<Augment> {
        size.filter(|_| shift > 0 || flip)
            .map(|size| Augment { size, shift, flip })
    }
}

/// The samples: the training and held-out splits and how to encode a sample's bits (the
/// training split is encoded once when its images are not varied, on the fly when they are).
pub(crate) struct Samples<'a> {
    pub train: &'a Dataset,
    pub val: &'a Dataset,
    pub encode: &'a dyn Fn(&[u8], &mut Vec<u8>),
}

impl Samples<'_> {
    fn encode_all(&self, d: &Dataset) -> Vec<u8> {
        let mut out = Vec::new();
        for (x, _) in d.iter() {
            (self.encode)(x, &mut out);
        }
        out
    }
}

/// Runs the epochs left of `s.epochs`.
pub(crate) fn run(
    st: &mut dyn Learner,
    s: &Schedule,
    d: &Samples,
    reporter: &dyn Reporter,
) -> Result<(), TrainError> {
    let train_n = d.train.len();
    let x_val = d.encode_all(d.val);
    let x_train = match s.augment {
        Some(_) => Vec::new(),
        None => d.encode_all(d.train),
    };
    let width = x_train.len() / train_n.max(1);
    let mut order: Vec<usize> = (0..train_n).collect();
    let (mut xb, mut yb) = (Vec::new(), Vec::new());
    let mut shifted = vec![0u8; d.train.num_inputs()];
    let mut mirrored = vec![0u8; d.train.num_inputs()];
    while st.epochs_done() < s.epochs {
        let e = st.epochs_done();
        let start = std::time::Instant::now();
        let lr = (s.lr)(e);
        st.begin_epoch(e);
        order.sort_unstable();
        order.shuffle(&mut ChaCha8Rng::seed_from_u64(
            s.seed ^ (s.salt << 20) ^ e as u64,
        ));
        let steps = train_n.div_ceil(s.batch_size);
        reporter.on_stage(&format!("epoch {}/{}", e + 1, s.epochs), steps as u64);
        let (mut loss, mut correct) = (0.0, 0usize);
        let mut shift_rng = ChaCha8Rng::seed_from_u64(s.seed ^ (0x5a1f7 << 24) ^ e as u64);
        let mut flip_rng = ChaCha8Rng::seed_from_u64(s.seed ^ (0xf11b << 24) ^ e as u64);
        for batch in order.chunks(s.batch_size) {
            xb.clear();
            yb.clear();
            for &i in batch {
                match s.augment {
                    Some(a) => {
                        let (w, h) = a.size;
                        let mut img = d.train.image(i);
                        if a.flip && flip_rng.gen_bool(0.5) {
                            crate::train::mirror_image(img, w, &mut mirrored);
                            img = &mirrored;
                        }
                        if a.shift > 0 {
                            let r = a.shift as i32;
                            let dxy = (shift_rng.gen_range(-r..=r), shift_rng.gen_range(-r..=r));
                            crate::train::shift_image(img, w, h, dxy, &mut shifted);
                            img = &shifted;
                        }
                        (d.encode)(img, &mut xb);
                    }
                    None => xb.extend_from_slice(&x_train[i * width..(i + 1) * width]),
                }
                yb.push(d.train.labels[i]);
            }
            let (l, c) = st.step(&xb, &yb, lr);
            loss += l;
            correct += c;
            reporter.on_progress(1);
        }
        reporter.on_stage_done();
        let (val_acc, val_loss) = st.accuracy(&x_val, &d.val.labels);
        let stats = EpochStats {
            epoch: e + 1,
            loss: loss / train_n as f64,
            train_accuracy: correct as f64 / train_n as f64,
            validation_accuracy: val_acc,
            validation_loss: val_loss,
            learning_rate: lr,
            seconds: start.elapsed().as_secs_f64(),
        };
        let validation = if d.val.is_empty() {
            "no validation samples".to_string()
        } else {
            format!("validation {:.2} %", 100.0 * stats.validation_accuracy)
        };
        reporter.on_note(&format!(
            "epoch {:>3}: loss {:.4}, train {:.2} %, {validation} ({:.0} s)",
            stats.epoch,
            stats.loss,
            100.0 * stats.train_accuracy,
            stats.seconds
        ));
        let snapshot = {
            let (history, best) = st.record();
            // With nothing held out there is nothing to choose on: the last epoch is kept.
            let better = d.val.is_empty()
                || best.as_ref().is_none_or(|(be, _)| {
                    let b = &history[*be - 1];
                    val_acc > b.validation_accuracy
                        || (s.tie_break_by_loss
                            && val_acc == b.validation_accuracy
                            && val_loss < b.validation_loss)
                });
            history.push(stats);
            better
        };
        if snapshot {
            let snap = st.snapshot();
            *st.record().1 = Some((e + 1, snap));
        }
        st.finish_epoch();
        if let Some(p) = s.checkpoint {
            st.save(p)?;
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn images_are_varied_only_when_asked_and_tables_never() {
        assert!(Augment::new(Some((28, 28)), 0, false).is_none());
        assert!(Augment::new(None, 1, true).is_none());
        let a = Augment::new(Some((28, 28)), 0, true).unwrap();
        assert!(a.flip && a.shift == 0 && a.size == (28, 28));
        assert_eq!(Augment::new(Some((5, 3)), 2, false).unwrap().shift, 2);
    }
}
