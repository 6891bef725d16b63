//! Choosing a model by k-fold cross-validation: `zero_g train` with no model flags on a
//! table (or `--choose` on images) tries a small grid of families and shapes and keeps the
//! one with the best cross-validated accuracy.
//!
//! The rows (already shuffled with the seed) are dealt into `k` folds by position (row `i`
//! to fold `i mod k`). For each candidate and fold, the candidate's trainer sees the other
//! folds, in their order, and makes its own choices (bleaching, epoch) on its own validation
//! split of them; the fold it did not see scores the model. A candidate's score is its
//! correct predictions summed over the folds. A small table (up to 400 rows,
//! [`default_repeats`]) is dealt three times, the later deals by seeded permutations, and
//! every deal's folds are scored: one held-out row is up to 1 % there, and one deal ranks
//! candidates a row or two apart by chance. A large table (over 1,000 rows) is scored on
//! the first fold only (a hold-out of one fifth), so that more candidates fit the budget.
//! The most accurate candidate wins; a tie goes to the candidate listed first (the grid
//! lists cheaper circuits first).
//!
//! A candidate may be an **ensemble** of one-layer LUT networks differing in their seed,
//! merged into one network that sums their scores ([`lutnet::merge`]): the circuit proves it
//! like any other, at the cost of its nodes.
//!
//! The time budget is spent by a **cost estimate**, not by the clock, so that a seed always
//! gives the same choice: each candidate's estimated training time (from the rows, inputs and
//! shape) times the folds run and deals is added up in grid order, and candidates past the
//! budget are not tried (the first is always tried). Measured times are reported beside the
//! estimates.

use super::lutnet::{self, Checkpointing, LutTrainConfig};
use super::{bthowen, evaluate, NoReporter, Reporter, TrainConfig};
use crate::data::Dataset;
use crate::error::TrainError;
use crate::model::{InputSpec, Model};
use serde::Serialize;
use std::time::Instant;

/// One configuration to try.
#[derive(Clone, Debug, Serialize)]
#[serde(tag = "family", rename_all = "lowercase")]
pub enum Candidate {
    /// BTHOWeN with this configuration.
    Bthowen(TrainConfig),
    /// A LUT network with this configuration.
    Lutnet(LutTrainConfig),
    /// `members` one-layer LUT networks of this configuration, seeds `seed`, `seed + 1`, …,
    /// merged into one network that sums their scores ([`lutnet::train_ensemble`]).
    #[serde(rename = "lutnet_ensemble")]
    Ensemble {
        /// The members' configuration (the first member's seed).
        config: LutTrainConfig,
        /// How many networks.
        members: usize,
    },
}

impl Candidate {
    /// A short description, e.g. `lutnet 300×LUT-4, 16 bits, 200 epochs`.
    pub fn describe(&self) -> String {
        match self {
            Candidate::Bthowen(c) => format!(
                "bthowen n={} E={} K={}, {} bits",
                c.filter_inputs, c.filter_entries, c.filter_hashes, c.bits_per_input
            ),
            Candidate::Lutnet(c) => format!("lutnet {}", describe_lut(c)),
            Candidate::Ensemble { config, members } => {
                format!("lutnet {members} × {}", describe_lut(config))
            }
        }
    }

    /// Estimated seconds to train on `rows` samples of `inputs` bytes (the 2-core machine
    /// with little else running; measured on the bundled tables: cars' 300-node LUT-4
    /// network trains 200 epochs on 262 rows of 20 inputs in about 1 s, digits' on 1,154
    /// rows of 64 inputs in about 10 s; a machine under load takes longer, but the budget
    /// is spent by this estimate so that the choice does not depend on the load).
    pub fn estimated_seconds(&self, rows: usize, inputs: usize) -> f64 {
        let (rows, inputs) = (rows as f64, inputs as f64);
        match self {
            Candidate::Bthowen(c) => {
                let bits = inputs * c.bits_per_input as f64;
                2e-7 * rows
                    * bits
                    * (c.permutation_trials.max(1) * c.threshold_shifts.len().max(1)) as f64
                    + 0.01
            }
            Candidate::Ensemble { config, members } => {
                *members as f64
                    * Candidate::Lutnet(config.clone())
                        .estimated_seconds(rows as usize, inputs as usize)
            }
            Candidate::Lutnet(c) => {
                let nodes: usize = c.layers.iter().sum();
                // measured on breast cancer and wine: LUT-2, -3 and -6 train in about 0.4,
                // 0.6 and 1.9 × the time of LUT-4
                let arity_cost = 2f64.powf(c.arity as f64 / 2.0) / 4.0;
                4e-8 * rows
                    * c.epochs as f64
                    * nodes as f64
                    * arity_cost
                    * (1.0 + inputs * c.bits_per_input as f64 / 512.0)
            }
        }
    }

    /// Trains the candidate on `data`.
    pub fn train(
        &self,
        data: &Dataset,
        input: &InputSpec,
        classes: usize,
        reporter: &dyn Reporter,
    ) -> Result<Model, TrainError> {
        Ok(match self {
            Candidate::Bthowen(c) => bthowen::train_with_input(data, input, c, reporter)?
                .0
                .into(),
            Candidate::Lutnet(c) => {
                let ck = Checkpointing {
                    path: None,
                    resume: false,
                };
                lutnet::train(data, input, classes, c, &ck, reporter)?
                    .0
                    .into()
            }
            Candidate::Ensemble { config, members } => {
                lutnet::train_ensemble(data, input, classes, config, *members, reporter)?
                    .0
                    .into()
            }
        })
    }
}

/// `300×LUT-4, 16 bits, 200 epochs`.
fn describe_lut(c: &LutTrainConfig) -> String {
    format!(
        "{}×LUT-{}, {} bits, {} epochs",
        c.layers
            .iter()
            .map(usize::to_string)
            .collect::<Vec<_>>()
            .join("+"),
        c.arity,
        c.bits_per_input,
        c.epochs
    )
}

/// What cross-validation found for one candidate.
#[derive(Clone, Debug, Serialize)]
pub struct Tried {
    /// The candidate's description.
    pub name: String,
    /// Estimated seconds for all folds.
    pub estimated_seconds: f64,
    /// Whether it was tried (else it did not fit the budget).
    pub tried: bool,
    /// Correct held-out predictions, summed over the folds and deals.
    pub correct: usize,
    /// Held-out predictions in all (every row once per deal).
    pub total: usize,
    /// Measured seconds for all folds.
    pub seconds: f64,
}

impl Tried {
    /// Cross-validated accuracy.
    pub fn accuracy(&self) -> f64 {
        if self.total == 0 {
            0.0
        } else {
            self.correct as f64 / self.total as f64
        }
    }
}

/// The folds for `rows` samples, and how many of them are run: 5 and 5 (k-fold
/// cross-validation) up to 1,000 rows, 5 and 1 (a hold-out of one fifth) above.
pub fn default_folds(rows: usize) -> (usize, usize) {
    if rows <= 1000 {
        (5, 5)
    } else {
        (5, 1)
    }
}

/// How many times small tables are cross-validated, each time with the rows dealt into
/// folds anew: 3 up to 400 rows, else 1. On a table of 100–400 rows one held-out row is
/// 0.25–1 % of accuracy, and candidates a row or two apart are told apart by the deal more
/// than by their merit; three deals score every row three times.
pub fn default_repeats(rows: usize) -> usize {
    if rows <= 400 {
        3
    } else {
        1
    }
}

/// Fold of row `i` in deal `r` of `len` rows into `folds`: row `i` goes to fold
/// `i mod folds` in deal 0 (the rows are already shuffled with the seed), and in deal
/// `r > 0` to fold `p_r(i) mod folds`, where `p_r` is the row's position in a permutation
/// drawn from ChaCha8 seeded with `r`.
fn deal(len: usize, folds: usize, r: usize) -> Vec<usize> {
    use rand::seq::SliceRandom;
    use rand::SeedableRng;
    let mut order: Vec<usize> = (0..len).collect();
    if r > 0 {
        order.shuffle(&mut rand_chacha::ChaCha8Rng::seed_from_u64(r as u64));
    }
    let mut fold = vec![0; len];
    for (pos, &i) in order.iter().enumerate() {
        fold[i] = pos % folds;
    }
    fold
}

/// How to cross-validate: `folds` folds, of which the first `run` are trained and scored,
/// `repeats` times with the rows dealt anew, within an estimated `budget_seconds`.
#[derive(Clone, Copy, Debug)]
pub struct Plan {
    /// The folds the rows are dealt into.
    pub folds: usize,
    /// How many of them are trained and scored (1: a hold-out).
    pub run: usize,
    /// How many deals (1: plain k-fold; see [`default_repeats`]).
    pub repeats: usize,
    /// The estimated seconds all candidates may take.
    pub budget_seconds: f64,
}

/// Cross-validates the candidates on `data` (shuffled) as `plan` says; returns what was
/// tried and the index of the winner.
pub fn cross_validate(
    data: &Dataset,
    input: &InputSpec,
    classes: usize,
    candidates: &[Candidate],
    plan: Plan,
    on_done: &mut dyn FnMut(&Tried),
) -> Result<(Vec<Tried>, usize), TrainError> {
    let Plan {
        folds,
        run,
        repeats,
        budget_seconds,
    } = plan;
    let repeats = repeats.max(1);
    if candidates.is_empty() {
        return Err(TrainError::Data("no candidate to choose from".into()));
    }
    let folds = folds.clamp(2, data.len().max(2));
    if data.len() < 2 * folds {
        return Err(TrainError::Data(format!(
            "{} samples are too few for {folds}-fold cross-validation",
            data.len()
        )));
    }
    let n = data.num_inputs();
    let deals: Vec<Vec<usize>> = (0..repeats).map(|r| deal(data.len(), folds, r)).collect();
    let split = |r: usize, f: usize| -> (Dataset, Dataset) {
        let mut train = Dataset {
            rows: data.rows,
            cols: data.cols,
            ..Default::default()
        };
        let mut held = train.clone();
        for (i, (x, l)) in data.iter().enumerate() {
            let d = if deals[r][i] == f {
                &mut held
            } else {
                &mut train
            };
            d.pixels.extend_from_slice(x);
            d.labels.push(l);
        }
        debug_assert_eq!(train.pixels.len(), train.len() * n);
        (train, held)
    };
    let fold_rows = data.len() - data.len() / folds;
    let mut spent = 0.0;
    let mut out = Vec::with_capacity(candidates.len());
    for (ci, c) in candidates.iter().enumerate() {
        let run = run.clamp(1, folds);
        let est = c.estimated_seconds(fold_rows, n) * (run * repeats) as f64;
        let mut t = Tried {
            name: c.describe(),
            estimated_seconds: est,
            tried: false,
            correct: 0,
            total: 0,
            seconds: 0.0,
        };
        if ci == 0 || spent + est <= budget_seconds {
            spent += est;
            let start = Instant::now();
            for (r, f) in (0..repeats).flat_map(|r| (0..run).map(move |f| (r, f))) {
                let (train, held) = split(r, f);
                let model = c.train(&train, input, classes, &NoReporter)?;
                let (ok, total) = evaluate(&model, &held, &NoReporter);
                t.correct += ok;
                t.total += total;
            }
            t.tried = true;
            t.seconds = start.elapsed().as_secs_f64();
        }
        on_done(&t);
        out.push(t);
    }
    let mut best = 0;
    for (i, t) in out.iter().enumerate() {
        if t.tried && t.correct > out[best].correct {
            best = i;
        }
    }
    Ok((out, best))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::input::{Feature, InputKind};

    /// 60 rows of 2 inputs, 2 classes told apart by input 0.
    fn data() -> (Dataset, InputSpec) {
        let mut d = Dataset {
            rows: 1,
            cols: 2,
            ..Default::default()
        };
        for i in 0..60u32 {
            let c = (i % 2) as u8;
            d.pixels
                .extend([c * 150 + (i * 7 % 100) as u8, (i * 37 % 256) as u8]);
            d.labels.push(c.into());
        }
        let spec = InputSpec {
            kind: InputKind::Tabular {
                features: vec![
                    Feature::numeric("a", 0.0, 255.0),
                    Feature::numeric("b", 0.0, 255.0),
                ],
            },
            class_names: vec![],
            label_column: None,
        };
        (d, spec)
    }

    fn plan(folds: usize, run: usize, budget_seconds: f64) -> Plan {
        Plan {
            folds,
            run,
            repeats: 1,
            budget_seconds,
        }
    }

    fn bthowen(bits: usize) -> Candidate {
        Candidate::Bthowen(TrainConfig {
            filter_inputs: 4,
            filter_entries: 64,
            filter_hashes: 1,
            bits_per_input: bits,
            validation_fraction: 0.2,
            seed: 0,
            bleach_search: super::super::BleachSearch::Exhaustive,
            final_fit: false,
            threshold_shifts: vec![0.0],
            augment: vec![super::super::Augment::None],
            permutation_trials: 1,
            per_class_bleach: false,
        })
    }

    #[test]
    fn every_row_is_held_out_once_and_the_budget_is_an_estimate() {
        let (d, spec) = data();
        let cands = [bthowen(8), bthowen(16), bthowen(1 << 12)];
        let mut seen = 0;
        let (tried, best) =
            cross_validate(&d, &spec, 2, &cands, plan(5, 5, 1e-3), &mut |_| seen += 1).unwrap();
        assert_eq!(seen, 3);
        // the first is always tried; the others exceed a 1 ms budget
        assert!(tried[0].tried && !tried[1].tried && !tried[2].tried);
        assert_eq!(best, 0);
        assert_eq!(tried[0].total, 60, "5 folds hold out every row once");
        assert!(tried[0].accuracy() > 0.9, "{:?}", tried[0]);
        // with room, the same call gives the same numbers (deterministic), and a hold-out
        // of one fold scores a fifth of the rows
        let (a, _) =
            cross_validate(&d, &spec, 2, &cands[..2], plan(5, 5, 1e3), &mut |_| {}).unwrap();
        let (b, _) =
            cross_validate(&d, &spec, 2, &cands[..2], plan(5, 5, 1e3), &mut |_| {}).unwrap();
        assert_eq!(
            a.iter().map(|t| t.correct).collect::<Vec<_>>(),
            b.iter().map(|t| t.correct).collect::<Vec<_>>()
        );
        let (h, _) =
            cross_validate(&d, &spec, 2, &cands[..1], plan(5, 1, 1e3), &mut |_| {}).unwrap();
        assert_eq!(h[0].total, 12);
        // three deals score every row three times, the first deal as plain 5-fold
        let three = Plan {
            repeats: 3,
            ..plan(5, 5, 1e3)
        };
        let (r, _) = cross_validate(&d, &spec, 2, &cands[..1], three, &mut |_| {}).unwrap();
        assert_eq!(r[0].total, 180);
        assert!(r[0].correct >= a[0].correct);
        let (r2, _) = cross_validate(&d, &spec, 2, &cands[..1], three, &mut |_| {}).unwrap();
        assert_eq!(r[0].correct, r2[0].correct);
        for rep in 0..3 {
            let f = deal(60, 5, rep);
            for k in 0..5 {
                assert_eq!(f.iter().filter(|&&x| x == k).count(), 12);
            }
        }
        assert_ne!(deal(60, 5, 1), deal(60, 5, 0));
        assert_eq!((default_repeats(400), default_repeats(401)), (3, 1));
        assert_eq!(default_folds(1000), (5, 5));
        assert_eq!(default_folds(1001), (5, 1));
        assert!(cross_validate(&d, &spec, 2, &[], plan(5, 5, 1.0), &mut |_| {}).is_err());
    }
}
