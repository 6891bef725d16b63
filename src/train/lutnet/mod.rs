//! Training learned LUT networks in Rust: the DWN recipe (Bacellar et al., ICML 2024) with a
//! hand-written backward pass.
//!
//! **Model during training.** Inputs are thermometer-encoded at the training quantiles
//! ([`encode`]). Each layer holds one real table $T_k \in [-1, 1]^{2^n}$ per node; a node's
//! output bit is $\[T_k\[a\] > 0\]$ at its address $a$, so the training forward pass *is* the
//! boolean network that [`LutNet`] evaluates and the circuit proves: no relaxation gap.
//! The first layer's wiring is a **learnable mapping**: a weight matrix
//! $W \in \mathbb{R}^{S \times I}$ ($S = m n$ input slots, $I$ candidate input bits) whose
//! row-wise argmax picks the bit each slot reads; later layers read the previous layer
//! through a fixed random wiring (concatenated random permutations, so every bit is read
//! equally often).
//!
//! **Loss.** Class $c$'s logit is the popcount of its group of the last layer divided by a
//! temperature $\tau$; the loss is the softmax cross-entropy.
//!
//! **Gradients.** Through the output bit, straight-through (identity); to the table entry
//! that was read, the output gradient; to each input bit, the Extended Finite Difference
//! ([`efd`]); to the mapping, $\partial L / \partial W_{s,i} = \sum_b g_{b,s} (2 x_{b,i} - 1)$
//! for every candidate $i$ (a dense GEMM, by `matrixmultiply`, as fast here as the `gemm`
//! crate and already in the dependency tree); to the bits of a previous layer, the sum of
//! the slot gradients that read them.
//!
//! **Optimiser.** Adam ($\beta = 0.9, 0.999$, $\epsilon = 10^{-8}$) on tables and mapping;
//! the learning rate drops ×0.1 every `lr_step` epochs; tables are clamped to $[-1, 1]$.
//! After `mapping_epochs` epochs the mapping is frozen (its gradient and update are the
//! dominant cost; the tables keep training).
//!
//! **Choices.** The last `validation_fraction` of the training samples are held out; the
//! epoch whose network is most accurate on them is the one returned (the first of equals,
//! or with `tie_break_by_loss` the one of lowest validation loss; the test set is never
//! seen). Shuffling, initialisation and wiring draw from ChaCha8 streams of `seed`;
//! every reduction runs in a fixed order, so a seed and a data set reproduce a model bit for
//! bit, and a run resumed from a checkpoint reproduces the uninterrupted run.

pub mod checkpoint;
pub mod deep;
pub mod efd;
pub mod encode;
mod ensemble;
mod epochs;
mod optim;

use crate::data::Dataset;
use crate::error::TrainError;
use crate::limits::Class;
use crate::model::input::InputSpec;
use crate::model::lutnet::{LutLayer, LutNet, MAX_ARITY, MIN_ARITY};
use crate::progress::Reporter;
use checkpoint::data_digest;
use encode::CandidateBit;
pub use ensemble::{merge, mirrored, train_ensemble};
pub(crate) use optim::Moments;
use optim::{adam, argmax_f32, balanced_wiring, mapping_step, B1, B2};
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use rayon::prelude::*;
use serde::{Deserialize, Serialize};

/// Hyper-parameters of a LUT-network training run.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct LutTrainConfig {
    /// Nodes per layer, first to last (the last divisible by the number of classes).
    pub layers: Vec<usize>,
    /// Inputs per node, `n` (2..=6).
    pub arity: usize,
    /// Thermometer thresholds per input, `B`.
    pub bits_per_input: usize,
    /// Training epochs.
    pub epochs: usize,
    /// Samples per gradient step.
    pub batch_size: usize,
    /// Adam's initial learning rate.
    pub learning_rate: f32,
    /// Epochs between ×0.1 learning-rate drops.
    pub lr_step: usize,
    /// GroupSum temperature τ (logit = popcount / τ); `None`: `3.33·(m/1000)^0.57` for a last
    /// layer of `m` nodes, a fit of published MNIST settings.
    pub tau: Option<f32>,
    /// Epochs during which the first layer's wiring is learned (then frozen).
    pub mapping_epochs: usize,
    /// Share of the training samples held out (at the end) to choose the epoch.
    pub validation_fraction: f64,
    /// Seed of every random choice.
    pub seed: u64,
    /// Image models: each training sample is shifted by a random `(dx, dy)` in
    /// `[-shift, shift]²` pixels every epoch (vacated pixels are 0); 0 turns this off.
    #[serde(default)]
    pub shift: usize,
    /// Image models: each training sample is mirrored left-right with probability 1/2 every
    /// epoch (before its shift). Off by default: digits are not symmetric; clothes are.
    #[serde(default)]
    pub flip: bool,
    /// Among epochs of equal validation accuracy, keep the one of lowest validation loss
    /// rather than the first. Small validation sets (a table of a few hundred rows) tie
    /// often, and the first of them is usually an early, barely trained network; off by
    /// default (the image models' rule).
    #[serde(default)]
    pub tie_break_by_loss: bool,
}

impl Default for LutTrainConfig {
    fn default() -> Self {
        LutTrainConfig {
            layers: vec![2000],
            arity: 6,
            bits_per_input: 3,
            epochs: 30,
            batch_size: 100,
            learning_rate: 0.01,
            lr_step: 14,
            tau: None,
            mapping_epochs: 30,
            validation_fraction: 0.1,
            seed: 0,
            shift: 0,
            flip: false,
            tie_break_by_loss: false,
        }
    }
}

impl LutTrainConfig {
    /// The temperature used.
    pub fn tau(&self) -> f32 {
        self.tau.unwrap_or_else(|| {
            let m = *self.layers.last().unwrap_or(&1000) as f32;
            3.333 * (m / 1000.0).powf(0.57)
        })
    }

    /// The learning rate during `epoch` (0-based).
    pub fn lr_at(&self, epoch: usize) -> f32 {
        epochs::step_decay(self.learning_rate, self.lr_step, epoch)
    }

    /// Checks the configuration against the data's classes.
    pub fn validate(&self, classes: usize) -> Result<(), TrainError> {
        let bad = |m: String| Err(TrainError::Config(m));
        if self.layers.is_empty() || self.layers.contains(&0) {
            return bad("every layer needs at least one node".into());
        }
        if !(MIN_ARITY..=MAX_ARITY).contains(&self.arity) {
            return bad(format!(
                "arity {} is out of range ({MIN_ARITY}..={MAX_ARITY})",
                self.arity
            ));
        }
        let last = *self.layers.last().expect("non-empty");
        if !last.is_multiple_of(classes) {
            return bad(format!(
                "the last layer's {last} nodes must divide into the {classes} classes"
            ));
        }
        if !(1..=255).contains(&self.bits_per_input) {
            return bad("bits per input must be in 1..=255".into());
        }
        if self.epochs == 0 || self.batch_size == 0 {
            return bad("epochs and batch size must be positive".into());
        }
        if !(self.learning_rate > 0.0 && self.learning_rate.is_finite()) {
            return bad("the learning rate must be positive".into());
        }
        if !(self.tau() > 0.0 && self.tau().is_finite()) {
            return bad("τ must be positive".into());
        }
        if !(0.0..0.9).contains(&self.validation_fraction) {
            return bad("the validation fraction must be in [0, 0.9)".into());
        }
        Ok(())
    }
}

/// What one epoch measured.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct EpochStats {
    /// 1-based epoch number.
    pub epoch: usize,
    /// Mean training loss.
    pub loss: f64,
    /// Training accuracy (of the network as it was at each step).
    pub train_accuracy: f64,
    /// Validation accuracy at the end of the epoch (the discrete network, exactly).
    pub validation_accuracy: f64,
    /// Mean validation loss (the training loss, of the discrete network) at the end of
    /// the epoch.
    #[serde(default)]
    pub validation_loss: f64,
    /// Learning rate used.
    pub learning_rate: f32,
    /// Wall time of the epoch, seconds.
    pub seconds: f64,
}

/// What a training run reports.
#[derive(Clone, Debug, Serialize)]
pub struct LutTrainReport {
    /// Samples trained on.
    pub train_samples: usize,
    /// Samples held out for validation.
    pub validation_samples: usize,
    /// Candidate input bits the first layer chose from.
    pub candidate_bits: usize,
    /// Per epoch.
    pub epochs: Vec<EpochStats>,
    /// The epoch kept (best validation accuracy, the first on ties; the last when no samples
    /// are held out).
    pub chosen_epoch: usize,
    /// Its validation accuracy (`None` when no samples were held out: then the last epoch is
    /// kept).
    pub validation_accuracy: Option<f64>,
    /// τ used.
    pub tau: f32,
}

/// The trainable state of one layer.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub(crate) struct LayerState {
    pub nodes: usize,
    /// `nodes × 2^n` real tables.
    pub tables: Vec<f32>,
    pub table_moments: Moments,
    /// Slot → input index (candidate bit for layer 0, previous layer's node otherwise).
    pub wiring: Vec<u32>,
}

/// The learnable mapping of the first layer: `slots × candidates`, row-major.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub(crate) struct MappingState {
    pub candidates: usize,
    pub weights: Vec<f32>,
    pub moments: Moments,
}

/// A discrete network: per layer, its wiring and truth tables.
pub(crate) type Snapshot = Vec<(Vec<u32>, Vec<u64>)>;

/// Everything a checkpoint holds: the run can continue from here.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub(crate) struct TrainState {
    pub config: LutTrainConfig,
    pub classes: usize,
    pub thresholds: Vec<u16>,
    pub candidates: Vec<(u32, u16, u32)>,
    pub layers: Vec<LayerState>,
    pub mapping: Option<MappingState>,
    /// Adam steps taken.
    pub step: u64,
    /// Completed epochs.
    pub epoch: usize,
    pub history: Vec<EpochStats>,
    /// The best network so far (discrete tables and wiring), and its epoch.
    pub best: Option<(usize, Snapshot)>,
    /// Digest of the training data (a resumed run must see the same data).
    pub data_digest: String,
}

/// The softmax of the logits `popcount / τ` of one sample, the training loss's one
/// definition: logits $l_c = \sigma_c / \tau$, their maximum $\mu$ and
/// $Z = \sum_c e^{l_c - \mu}$.
pub(crate) struct Softmax {
    logits: Vec<f64>,
    max: f64,
    z: f64,
}

impl Softmax {
    pub(crate) fn of(scores: &[u32], tau: f64) -> Self {
        let logits: Vec<f64> = scores.iter().map(|&v| v as f64 / tau).collect();
        let max = logits.iter().cloned().fold(f64::MIN, f64::max);
        let z = logits.iter().map(|l| (l - max).exp()).sum();
        Softmax { logits, max, z }
    }

    /// $p_c = e^{l_c - \mu} / Z$.
    pub(crate) fn probability(&self, c: usize) -> f64 {
        (self.logits[c] - self.max).exp() / self.z
    }

    /// The cross-entropy of class `y`: $-(l_y - \mu - \ln Z)$.
    pub(crate) fn loss(&self, y: usize) -> f64 {
        -(self.logits[y] - self.max - self.z.ln())
    }
}

/// Per-batch scratch buffers (reused across steps).
#[derive(Default)]
struct Scratch {
    /// Per layer: `B × nodes` addresses and output bits.
    addr: Vec<Vec<u8>>,
    out: Vec<Vec<u8>>,
    /// Per layer: gradient w.r.t. its output bits, `B × nodes`.
    gy: Vec<Vec<f32>>,
    /// Slot gradients, `S × B`.
    gslot: Vec<f32>,
    /// Table gradients of the current layer.
    gt: Vec<f32>,
    /// EFD derivative tables of the current layer.
    deriv: Vec<f32>,
    /// `B × I` of ±1 (mapping gradient).
    xpm: Vec<f32>,
    /// Mapping gradient of a block of slots.
    gw: Vec<f32>,
}

impl TrainState {
    fn new(data: &Dataset, classes: usize, cfg: &LutTrainConfig, train_n: usize) -> Self {
        let fit = data.slice(0..train_n);
        let thresholds = encode::quantile_thresholds(&fit, cfg.bits_per_input);
        let cands = encode::candidate_bits(&fit, &thresholds, cfg.bits_per_input);
        let n = cfg.arity;
        let mut rng = ChaCha8Rng::seed_from_u64(cfg.seed);
        let mut layers = Vec::new();
        let mut prev = cands.len();
        for (l, &m) in cfg.layers.iter().enumerate() {
            let tables: Vec<f32> = (0..m << n).map(|_| rng.gen_range(-1.0..1.0)).collect();
            let wiring = if l == 0 {
                vec![0; m * n] // set from the mapping below
            } else {
                balanced_wiring(prev, m * n, &mut rng)
            };
            layers.push(LayerState {
                nodes: m,
                table_moments: Moments::new(tables.len()),
                tables,
                wiring,
            });
            prev = m;
        }
        let slots = cfg.layers[0] * n;
        let weights: Vec<f32> = (0..slots * cands.len()).map(|_| rng.gen::<f32>()).collect();
        let mapping = MappingState {
            candidates: cands.len(),
            moments: Moments::new(weights.len()),
            weights,
        };
        let mut st = TrainState {
            config: cfg.clone(),
            classes,
            thresholds,
            candidates: cands
                .iter()
                .map(|c| (c.input, c.threshold, c.model_bit))
                .collect(),
            layers,
            mapping: Some(mapping),
            step: 0,
            epoch: 0,
            history: vec![],
            best: None,
            data_digest: data_digest(data),
        };
        st.select_wiring();
        st
    }

    fn candidate_bits(&self) -> Vec<CandidateBit> {
        self.candidates
            .iter()
            .map(|&(input, threshold, model_bit)| CandidateBit {
                input,
                threshold,
                model_bit,
            })
            .collect()
    }

    /// Sets the first layer's wiring to the mapping's row-wise argmax (first maximum).
    fn select_wiring(&mut self) {
        let Some(map) = &self.mapping else { return };
        let i = map.candidates;
        self.layers[0]
            .wiring
            .par_iter_mut()
            .zip(map.weights.par_chunks(i))
            .for_each(|(w, row)| *w = argmax_f32(row) as u32);
    }

    /// Forward pass of a batch (`x`: `B × I` candidate bits); fills addresses and outputs.
    fn forward(&self, x: &[u8], batch: usize, s: &mut Scratch) {
        let n = self.config.arity;
        let i_count = self.candidates.len();
        s.addr.resize(self.layers.len(), vec![]);
        s.out.resize(self.layers.len(), vec![]);
        for (l, layer) in self.layers.iter().enumerate() {
            let m = layer.nodes;
            let (before, rest) = s.out.split_at_mut(l);
            let input: &[u8] = if l == 0 { x } else { &before[l - 1] };
            let width = if l == 0 {
                i_count
            } else {
                self.layers[l - 1].nodes
            };
            let addr = &mut s.addr[l];
            let out = &mut rest[0];
            addr.resize(batch * m, 0);
            out.resize(batch * m, 0);
            addr.par_chunks_mut(m)
                .zip(out.par_chunks_mut(m))
                .enumerate()
                .for_each(|(b, (ab, ob))| {
                    let xb = &input[b * width..(b + 1) * width];
                    for k in 0..m {
                        let w = &layer.wiring[k * n..(k + 1) * n];
                        let mut a = 0usize;
                        for (j, &wj) in w.iter().enumerate() {
                            a |= (xb[wj as usize] as usize) << j;
                        }
                        ab[k] = a as u8;
                        ob[k] = (layer.tables[(k << n) + a] > 0.0) as u8;
                    }
                });
        }
    }

    /// Class scores of sample `b` from the last layer's outputs.
    fn scores(&self, out: &[u8], b: usize, scores: &mut [u32]) {
        let m = self.layers.last().expect("layers").nodes;
        let g = m / self.classes;
        let row = &out[b * m..(b + 1) * m];
        for (c, sc) in scores.iter_mut().enumerate() {
            *sc = row[c * g..(c + 1) * g].iter().map(|&v| v as u32).sum();
        }
    }

    /// One gradient step on a batch; returns (summed loss, correct predictions).
    fn step(
        &mut self,
        x: &[u8],
        labels: &[Class],
        s: &mut Scratch,
        lr: f32,
        learn_map: bool,
    ) -> (f64, usize) {
        let batch = labels.len();
        let n = self.config.arity;
        let classes = self.classes;
        let tau = self.config.tau();
        self.forward(x, batch, s);
        let last = self.layers.len() - 1;
        let m_last = self.layers[last].nodes;
        let g = m_last / classes;
        // loss and output gradients
        s.gy.resize(self.layers.len(), vec![]);
        let gy = &mut s.gy[last];
        gy.clear();
        gy.resize(batch * m_last, 0.0);
        let out = &s.out[last];
        let results: Vec<(f64, bool)> = gy
            .par_chunks_mut(m_last)
            .enumerate()
            .map(|(b, gyb)| {
                let mut sc = vec![0u32; classes];
                self.scores(out, b, &mut sc);
                let pred = crate::model::argmax(&sc);
                let sm = Softmax::of(&sc, tau as f64);
                let y = labels[b] as usize;
                for c in 0..classes {
                    let p = sm.probability(c) as f32;
                    let d = (p - (c == y) as u8 as f32) / (tau * batch as f32);
                    gyb[c * g..(c + 1) * g].iter_mut().for_each(|v| *v = d);
                }
                (sm.loss(y), pred == y)
            })
            .collect();
        let loss: f64 = results.iter().map(|r| r.0).sum();
        let correct = results.iter().filter(|r| r.1).count();

        // backward, last layer first
        self.step += 1;
        let t = self.step as i32;
        let lr_t = lr * (1.0 - B2.powi(t)).sqrt() / (1.0 - B1.powi(t));
        for l in (0..self.layers.len()).rev() {
            let m = self.layers[l].nodes;
            let entries = 1usize << n;
            let half = entries / 2;
            // EFD derivative tables of the current (pre-update) tables
            s.deriv.resize(m * n * half, 0.0);
            s.deriv
                .par_chunks_mut(n * half)
                .zip(self.layers[l].tables.par_chunks(entries))
                .for_each(|(d, t)| efd::derivatives(t, n, d));
            let need_slots = l > 0 || (learn_map && self.mapping.is_some());
            s.gt.clear();
            s.gt.resize(m * entries, 0.0);
            s.gslot.resize(m * n * batch, 0.0);
            {
                let addr = &s.addr[l];
                let gyl = &s.gy[l];
                let deriv = &s.deriv;
                s.gt.par_chunks_mut(entries)
                    .zip(s.gslot.par_chunks_mut(n * batch))
                    .enumerate()
                    .for_each(|(k, (gt, gs))| {
                        let dk = &deriv[k * n * half..(k + 1) * n * half];
                        for b in 0..batch {
                            let gv = gyl[b * m + k];
                            let a = addr[b * m + k] as usize;
                            gt[a] += gv;
                            if need_slots {
                                for j in 0..n {
                                    gs[j * batch + b] = gv * dk[j * half + efd::drop_bit(a, j)];
                                }
                            }
                        }
                    });
            }
            // gradient to the previous layer's bits
            if l > 0 {
                let m_prev = self.layers[l - 1].nodes;
                let mut gprev = std::mem::take(&mut s.gy[l - 1]);
                gprev.clear();
                gprev.resize(batch * m_prev, 0.0);
                let wiring = &self.layers[l].wiring;
                let gslot = &s.gslot;
                gprev
                    .par_chunks_mut(m_prev)
                    .enumerate()
                    .for_each(|(b, gp)| {
                        for (slot, &w) in wiring.iter().enumerate() {
                            gp[w as usize] += gslot[slot * batch + b];
                        }
                    });
                s.gy[l - 1] = gprev;
            } else if learn_map {
                if let Some(map) = &mut self.mapping {
                    let wiring = &mut self.layers[0].wiring;
                    mapping_step(map, x, batch, &s.gslot, &mut s.xpm, &mut s.gw, lr_t, wiring);
                }
            }
            // Adam on the tables
            let layer = &mut self.layers[l];
            let gt = &s.gt;
            layer
                .tables
                .par_chunks_mut(entries)
                .zip(layer.table_moments.m.par_chunks_mut(entries))
                .zip(layer.table_moments.v.par_chunks_mut(entries))
                .zip(gt.par_chunks(entries))
                .for_each(|(((w, m), v), g)| adam(w, g, m, v, lr_t, -1.0, 1.0));
        }
        (loss, correct)
    }

    /// The discrete network: first-layer wiring and every table's sign.
    fn snapshot(&self) -> Snapshot {
        let n = self.config.arity;
        self.layers
            .iter()
            .map(|l| {
                let tables = l
                    .tables
                    .chunks(1 << n)
                    .map(|t| {
                        t.iter()
                            .enumerate()
                            .fold(0u64, |acc, (a, &v)| acc | ((v > 0.0) as u64) << a)
                    })
                    .collect();
                (l.wiring.clone(), tables)
            })
            .collect()
    }

    /// Accuracy and mean loss (softmax cross-entropy of popcount / τ) of the current
    /// network on encoded samples.
    fn accuracy(&self, x: &[u8], labels: &[Class]) -> (f64, f64) {
        if labels.is_empty() {
            return (0.0, 0.0);
        }
        let i_count = self.candidates.len();
        let tau = self.config.tau() as f64;
        let chunk = 1000;
        let (correct, loss) = x
            .chunks(chunk * i_count)
            .zip(labels.chunks(chunk))
            .map(|(xc, lc)| {
                let mut s = Scratch::default();
                self.forward(xc, lc.len(), &mut s);
                let out = &s.out[self.layers.len() - 1];
                let mut sc = vec![0u32; self.classes];
                let (mut ok, mut loss) = (0usize, 0.0f64);
                for (b, &y) in lc.iter().enumerate() {
                    self.scores(out, b, &mut sc);
                    ok += (crate::model::argmax(&sc) == y as usize) as usize;
                    loss += Softmax::of(&sc, tau).loss(y as usize);
                }
                (ok, loss)
            })
            .fold((0, 0.0), |(a, l), (b, m)| (a + b, l + m));
        let n = labels.len() as f64;
        (correct as f64 / n, loss / n)
    }
}

/// Where a run keeps its checkpoint, and whether it starts from it.
#[derive(Clone, Debug, Default)]
pub struct Checkpointing {
    /// The checkpoint file, rewritten after every epoch.
    pub path: Option<std::path::PathBuf>,
    /// Continue from the checkpoint instead of starting afresh.
    pub resume: bool,
}

/// Trains a LUT network on `data` (labels in `0..classes`) whose inputs are described by
/// `input`. Returns the network of the best validation epoch and the report.
pub fn train(
    data: &Dataset,
    input: &InputSpec,
    classes: usize,
    cfg: &LutTrainConfig,
    checkpointing: &Checkpointing,
    reporter: &dyn Reporter,
) -> Result<(LutNet, LutTrainReport), TrainError> {
    cfg.validate(classes)?;
    let (train_n, val_n) = epochs::split(
        data,
        input,
        classes,
        cfg.validation_fraction,
        cfg.batch_size,
    )?;
    let mut st = match (&checkpointing.path, checkpointing.resume) {
        (Some(p), true) => {
            let mut st = checkpoint::read(p)?;
            if st.data_digest != data_digest(data) || st.classes != classes {
                return Err(TrainError::Config(format!(
                    "checkpoint {} was made on other training data",
                    p.display()
                )));
            }
            let differences = st.config.run_differences(cfg, st.epoch);
            if !differences.is_empty() {
                return Err(TrainError::Config(format!(
                    "checkpoint {} was made with other settings, {} epochs in: {}",
                    p.display(),
                    st.epoch,
                    differences.join(", ")
                )));
            }
            if st.epoch > cfg.epochs {
                return Err(TrainError::Config(format!(
                    "checkpoint {} has {} epochs done; ask for at least that many",
                    p.display(),
                    st.epoch
                )));
            }
            // the run may be extended: the checkpoint now targets the new epoch count (and
            // the new mapping epochs, which agree on the epochs done)
            st.config.epochs = cfg.epochs;
            st.config.mapping_epochs = cfg.mapping_epochs;
            st
        }
        _ => TrainState::new(data, classes, cfg, train_n),
    };
    let cands = st.candidate_bits();
    let ic = cands.len();
    if ic == 0 {
        return Err(TrainError::Data(
            "every input bit is constant on the training data".into(),
        ));
    }
    let train = data.slice(0..train_n);
    let val = data.slice(train_n..data.len());
    let lr = |e| cfg.lr_at(e);
    let encode = |img: &[u8], out: &mut Vec<u8>| encode::encode_sample(img, &cands, out);
    let schedule = epochs::Schedule {
        epochs: cfg.epochs,
        batch_size: cfg.batch_size,
        seed: cfg.seed,
        salt: 0x5eed,
        augment: epochs::Augment::new(input.image_size(), cfg.shift, cfg.flip),
        lr: &lr,
        tie_break_by_loss: cfg.tie_break_by_loss,
        checkpoint: checkpointing.path.as_deref(),
    };
    let samples = epochs::Samples {
        train: &train,
        val: &val,
        encode: &encode,
    };
    let mut learner = OneLayer {
        st: &mut st,
        scratch: Scratch::default(),
        learn_map: true,
    };
    epochs::run(&mut learner, &schedule, &samples, reporter)?;
    let (chosen, best) = st.best.clone().expect("at least one epoch");
    let model = st.to_model(input, &best)?;
    let report = LutTrainReport {
        train_samples: train_n,
        validation_samples: val_n,
        candidate_bits: ic,
        validation_accuracy: (val_n > 0).then(|| st.history[chosen - 1].validation_accuracy),
        epochs: st.history,
        chosen_epoch: chosen,
        tau: cfg.tau(),
    };
    Ok((model, report))
}

/// The one-layer trainer's state in the shared epoch loop.
struct OneLayer<'a> {
    st: &'a mut TrainState,
    scratch: Scratch,
    /// Whether this epoch learns the mapping.
    learn_map: bool,
}

impl epochs::Learner for OneLayer<'_> {
    fn epochs_done(&self) -> usize {
        self.st.epoch
    }
    fn record(&mut self) -> (&mut Vec<EpochStats>, &mut Option<(usize, Snapshot)>) {
        (&mut self.st.history, &mut self.st.best)
    }
    fn begin_epoch(&mut self, e: usize) {
        self.learn_map = e < self.st.config.mapping_epochs;
        if !self.learn_map && self.st.mapping.is_some() {
            self.st.mapping = None; // frozen: the wiring stays as selected
        }
    }
    fn step(&mut self, x: &[u8], labels: &[Class], lr: f32) -> (f64, usize) {
        self.st
            .step(x, labels, &mut self.scratch, lr, self.learn_map)
    }
    fn accuracy(&self, x: &[u8], labels: &[Class]) -> (f64, f64) {
        self.st.accuracy(x, labels)
    }
    fn snapshot(&self) -> Snapshot {
        self.st.snapshot()
    }
    fn finish_epoch(&mut self) {
        self.st.epoch += 1;
    }
    fn save(&self, path: &std::path::Path) -> Result<(), TrainError> {
        checkpoint::write(path, &*self.st)
    }
}

impl TrainState {
    /// The boolean model of a snapshot.
    fn to_model(&self, input: &InputSpec, snap: &Snapshot) -> Result<LutNet, TrainError> {
        let cfg = &self.config;
        let input_bits = input.num_inputs() * cfg.bits_per_input;
        let mut layers = Vec::new();
        let mut prev_start = 0usize;
        let mut start = input_bits;
        for (l, (wiring, tables)) in snap.iter().enumerate() {
            let wiring = if l == 0 {
                wiring
                    .iter()
                    .map(|&c| self.candidates[c as usize].2)
                    .collect()
            } else {
                wiring
                    .iter()
                    .map(|&w| (prev_start + w as usize) as u32)
                    .collect()
            };
            layers.push(LutLayer {
                arity: cfg.arity,
                wiring,
                tables: tables.clone(),
            });
            prev_start = start;
            start += tables.len();
        }
        LutNet::new(
            input.clone(),
            self.classes,
            cfg.bits_per_input,
            self.thresholds.clone(),
            layers,
        )
        .map_err(|e| TrainError::Data(format!("the trained network is invalid: {e}")))
    }
}
