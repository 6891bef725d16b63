//! Choosing a model by k-fold cross-validation: `zero_g train` with no model flags on a
//! table (or `--choose` on images) tries a small grid of families and shapes and keeps the
//! one with the best cross-validated accuracy.
//!
//! The rows (already shuffled with the seed) are dealt into `k` folds by position (row `i`
//! to fold `i mod k`). For each candidate and fold, the candidate's trainer sees the other
//! folds, in their order, and makes its own choices (bleaching, epoch) on its own validation
//! split of them; the fold it did not see scores the model. A candidate's score is its
//! correct predictions summed over the folds. A large table (over 1,000 rows) is scored on
//! the first fold only (a hold-out of one fifth), so that more candidates fit the budget. The most accurate candidate wins; a tie goes to
//! the candidate listed first (the grid lists cheaper circuits first).
//!
//! The time budget is spent by a **cost estimate**, not by the clock, so that a seed always
//! gives the same choice: each candidate's estimated training time (from the rows, inputs and
//! shape) times `k` is added up in grid order, and candidates past the budget are not tried
//! (the first is always tried). Measured times are reported beside the estimates.

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
}

impl Candidate {
    /// A short description, e.g. `lutnet 300×LUT-4, 16 bits, 200 epochs`.
    pub fn describe(&self) -> String {
        match self {
            Candidate::Bthowen(c) => format!(
                "bthowen n={} E={} K={}, {} bits",
                c.filter_inputs, c.filter_entries, c.filter_hashes, c.bits_per_input
            ),
            Candidate::Lutnet(c) => format!(
                "lutnet {}×LUT-{}, {} bits, {} epochs",
                c.layers
                    .iter()
                    .map(usize::to_string)
                    .collect::<Vec<_>>()
                    .join("+"),
                c.arity,
                c.bits_per_input,
                c.epochs
            ),
        }
    }

    /// Estimated seconds to train on `rows` samples of `inputs` bytes (one core-ish
    /// machine; measured on the bundled tables: penguins' 300-node LUT network trains 200
    /// epochs on 268 rows in about 2 s, digits' on 1,442 rows of 64 inputs in about 23 s).
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
            Candidate::Lutnet(c) => {
                let nodes: usize = c.layers.iter().sum();
                let arity_cost = (1usize << c.arity) as f64 / 16.0;
                1e-7 * rows
                    * c.epochs as f64
                    * nodes as f64
                    * arity_cost.max(1.0)
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
        })
    }
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
    /// Correct held-out predictions, summed over the folds.
    pub correct: usize,
    /// Held-out predictions in all (every row once).
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

/// How to cross-validate: `folds` folds, of which the first `run` are trained and scored,
/// within an estimated `budget_seconds`.
#[derive(Clone, Copy, Debug)]
pub struct Plan {
    /// The folds the rows are dealt into.
    pub folds: usize,
    /// How many of them are trained and scored (1: a hold-out).
    pub run: usize,
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
        budget_seconds,
    } = plan;
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
    let split = |f: usize| -> (Dataset, Dataset) {
        let mut train = Dataset {
            rows: data.rows,
            cols: data.cols,
            ..Default::default()
        };
        let mut held = train.clone();
        for (i, (x, l)) in data.iter().enumerate() {
            let d = if i % folds == f {
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
        let est = c.estimated_seconds(fold_rows, n) * run as f64;
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
            for f in 0..run {
                let (train, held) = split(f);
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
        assert_eq!(default_folds(1000), (5, 5));
        assert_eq!(default_folds(1001), (5, 1));
        assert!(cross_validate(&d, &spec, 2, &[], plan(5, 5, 1.0), &mut |_| {}).is_err());
    }
}
