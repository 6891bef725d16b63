//! Training deep LUT networks — convolutional kernels, OR pooling, several fully connected
//! layers, learned wiring in every learned layer — end to end by the DWN recipe of the
//! parent module (straight-through outputs, Extended Finite Difference to the inputs,
//! learnable mapping, Adam), generalised to tables shared across positions ([`layer`]).
//!
//! The forward pass is the boolean network itself, so the network kept is exactly the one
//! that [`LutNet`] evaluates and the circuit proves: the architecture is unrolled
//! ([`arch::unroll`]) into plain layers, one node per evaluation.
//!
//! **Input bits.** By default ([`Thermometer::Uniform`]) every pixel is compared with the
//! same `B` thresholds $t_j = \lceil 256 (j + 1) / (B + 1) \rceil$, so a kernel sees the same
//! planes at every position; [`Thermometer::Quantile`] gives each input its own thresholds
//! at its training quantiles (DWN's distributive thermometer, as the one-layer trainer).
//!
//! **Choices.** As in the one-layer trainer: the last `validation_fraction` of the training
//! samples is held out, the epoch of best validation accuracy is kept, every random choice
//! comes from ChaCha8 streams of `seed` and every reduction runs in a fixed order (a seed
//! reproduces a model bit for bit; a resumed run reproduces the uninterrupted one).

pub mod layer;
mod state;

use super::epochs::{Learner, Samples, Schedule};
use super::{Checkpointing, EpochStats, Snapshot, Softmax};
use crate::data::Dataset;
use crate::error::TrainError;
use crate::limits::Class;
use crate::model::input::InputSpec;
use crate::model::lutnet::arch::{self, Arch, Grid, LayerGeom};
use crate::model::lutnet::LutNet;
use crate::progress::Reporter;
use layer::{BackScratch, LayerBuf};
use rayon::prelude::*;
use serde::{Deserialize, Serialize};
pub(crate) use state::DeepState;

/// Hyper-parameters of a deep LUT-network training run.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct DeepTrainConfig {
    /// The architecture, in its text form (`conv(4,2,8,4),pool(2),fc(2000,in)`).
    pub arch: String,
    /// Inputs of leaf and fully connected nodes, `n` (2..=6).
    pub arity: usize,
    /// Thresholds per pixel, `B`.
    pub bits_per_input: usize,
    /// Training epochs.
    pub epochs: usize,
    /// Samples per gradient step.
    pub batch_size: usize,
    /// Adam's initial learning rate.
    pub learning_rate: f32,
    /// Epochs between ×0.1 learning-rate drops.
    pub lr_step: usize,
    /// GroupSum temperature τ; `None`: as the one-layer trainer's default.
    pub tau: Option<f32>,
    /// Epochs during which the mappings are learned (then frozen).
    pub mapping_epochs: usize,
    /// Share of the training samples held out (at the end) to choose the epoch.
    pub validation_fraction: f64,
    /// Seed of every random choice.
    pub seed: u64,
    /// Random shifts of the training images in `[-shift, shift]²` pixels each epoch.
    pub shift: usize,
    /// Mirror each training image left-right with probability 1/2 each epoch.
    #[serde(default)]
    pub flip: bool,
    /// How the input bits' thresholds are chosen.
    #[serde(default)]
    pub thermometer: Thermometer,
}

/// How a deep network's input thresholds are chosen.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "cli", derive(clap::ValueEnum))]
pub enum Thermometer {
    /// The same evenly spaced thresholds for every input.
    #[default]
    Uniform,
    /// Each input's own thresholds at its training quantiles (fitted on the training split,
    /// never the validation samples).
    Quantile,
}

impl Default for DeepTrainConfig {
    fn default() -> Self {
        DeepTrainConfig {
            arch: "conv(4,2,8,4),pool(2),fc(2000,in)".into(),
            arity: 6,
            bits_per_input: 2,
            epochs: 30,
            batch_size: 100,
            learning_rate: 0.01,
            lr_step: 14,
            tau: None,
            mapping_epochs: 30,
            validation_fraction: 0.1,
            seed: 0,
            shift: 1,
            flip: false,
            thermometer: Thermometer::Uniform,
        }
    }
}

impl DeepTrainConfig {
    /// The parsed architecture.
    pub fn architecture(&self) -> Result<Arch, TrainError> {
        self.arch
            .parse()
            .map_err(|e| TrainError::Config(format!("architecture `{}`: {e}", self.arch)))
    }

    /// The temperature used.
    pub fn tau(&self, last_layer: usize) -> f32 {
        self.tau
            .unwrap_or_else(|| 3.333 * (last_layer as f32 / 1000.0).powf(0.57))
    }

    /// The unrolled layers for an input of `inputs` (an image `(w, h)` or a row).
    pub fn geometry(&self, input: &InputSpec) -> Result<Vec<LayerGeom>, TrainError> {
        let b = self.bits_per_input;
        let grid = match input.image_size() {
            Some((w, h)) => Grid { w, h, c: b },
            None => Grid {
                w: 1,
                h: 1,
                c: input.num_inputs() * b,
            },
        };
        self.architecture()?
            .layers(grid, self.arity)
            .map_err(|e| TrainError::Config(format!("architecture `{}`: {e}", self.arch)))
    }

    /// Checks the configuration against the data.
    pub fn validate(&self, input: &InputSpec, classes: usize) -> Result<(), TrainError> {
        let bad = |m: String| Err(TrainError::Config(m));
        if !(2..=6).contains(&self.arity) {
            return bad(format!("arity {} is out of range (2..=6)", self.arity));
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
        if !(0.0..0.9).contains(&self.validation_fraction) {
            return bad("the validation fraction must be in [0, 0.9)".into());
        }
        let geoms = self.geometry(input)?;
        let last = geoms.last().expect("an fc stage").nodes();
        if !last.is_multiple_of(classes) {
            return bad(format!(
                "the last layer's {last} nodes must divide into the {classes} classes"
            ));
        }
        let tau = self.tau(last);
        if !(tau > 0.0 && tau.is_finite()) {
            return bad("τ must be positive".into());
        }
        Ok(())
    }

    /// The shared thresholds $t_j = \lceil 256 (j+1)/(B+1) \rceil$.
    pub fn uniform_thresholds(&self) -> Vec<u16> {
        let b = self.bits_per_input as u32;
        (0..b)
            .map(|j| (256 * (j + 1)).div_ceil(b + 1) as u16)
            .collect()
    }

    /// Every input's thresholds, `(inputs, B)` row-major, fitted on `train` when quantile.
    pub fn thresholds(&self, train: &Dataset) -> Vec<u16> {
        match self.thermometer {
            Thermometer::Uniform => {
                let t = self.uniform_thresholds();
                (0..train.num_inputs())
                    .flat_map(|_| t.iter().copied())
                    .collect()
            }
            Thermometer::Quantile => super::encode::quantile_thresholds(train, self.bits_per_input),
        }
    }
}

/// What a deep training run reports.
#[derive(Clone, Debug, Serialize)]
pub struct DeepTrainReport {
    /// Samples trained on.
    pub train_samples: usize,
    /// Samples held out for validation.
    pub validation_samples: usize,
    /// Per layer: name, positions, kernel nodes, arity.
    pub layers: Vec<(String, usize, usize, usize)>,
    /// Node evaluations per input (the circuit's node rows).
    pub nodes: usize,
    /// Per epoch.
    pub epochs: Vec<EpochStats>,
    /// The epoch kept (the last when no samples are held out).
    pub chosen_epoch: usize,
    /// Its validation accuracy (`None` when no samples were held out: then the last epoch is
    /// kept).
    pub validation_accuracy: Option<f64>,
    /// τ used.
    pub tau: f32,
}

/// Thermometer bits of one sample, input-major: `thresholds` is `(inputs, B)`.
fn encode_into(x: &[u8], thresholds: &[u16], out: &mut Vec<u8>) {
    let b = thresholds.len() / x.len().max(1);
    for (&v, t) in x.iter().zip(thresholds.chunks(b)) {
        for &t in t {
            out.push((v as u16 >= t) as u8);
        }
    }
}

/// Batch buffers of a network.
#[derive(Default)]
struct Bufs {
    layers: Vec<LayerBuf>,
    /// Per layer: the input vector when it is not just the previous output (the first
    /// layer reads `x`; `fc(N,in)` reads the input bits then the previous output).
    inputs: Vec<Vec<u8>>,
    gy: Vec<Vec<f32>>,
    back: BackScratch,
}

impl DeepState {
    /// Forward pass of a batch of input bits (`B × input_bits`).
    fn forward(&self, geoms: &[LayerGeom], x: &[u8], batch: usize, bufs: &mut Bufs) {
        bufs.layers.resize_with(geoms.len(), LayerBuf::default);
        bufs.inputs.resize_with(geoms.len(), Vec::new);
        let ib = x.len() / batch.max(1);
        for (l, g) in geoms.iter().enumerate() {
            if l > 0 && g.reads_input {
                let prev = &bufs.layers[l - 1].out;
                let pw = geoms[l - 1].nodes();
                let inp = &mut bufs.inputs[l];
                inp.clear();
                for b in 0..batch {
                    inp.extend_from_slice(&x[b * ib..(b + 1) * ib]);
                    inp.extend_from_slice(&prev[b * pw..(b + 1) * pw]);
                }
            }
            let (before, rest) = bufs.layers.split_at_mut(l);
            let input: &[u8] = if l == 0 {
                x
            } else if g.reads_input {
                &bufs.inputs[l]
            } else {
                &before[l - 1].out
            };
            layer::forward(g, &self.layers[l], input, batch, &mut rest[0]);
        }
    }

    /// Class scores of sample `b` from the last layer's outputs.
    fn scores(&self, out: &[u8], m: usize, b: usize, scores: &mut [u32]) {
        let g = m / self.classes;
        let row = &out[b * m..(b + 1) * m];
        for (c, sc) in scores.iter_mut().enumerate() {
            *sc = row[c * g..(c + 1) * g].iter().map(|&v| v as u32).sum();
        }
    }

    /// One gradient step; returns (summed loss, correct predictions).
    fn step(
        &mut self,
        geoms: &[LayerGeom],
        x: &[u8],
        labels: &[Class],
        bufs: &mut Bufs,
        lr: f32,
    ) -> (f64, usize) {
        let batch = labels.len();
        let classes = self.classes;
        self.forward(geoms, x, batch, bufs);
        let last = geoms.len() - 1;
        let m = geoms[last].nodes();
        let g = m / classes;
        let tau = self.config.tau(m);
        bufs.gy.resize_with(geoms.len(), Vec::new);
        let mut gy = std::mem::take(&mut bufs.gy[last]);
        gy.clear();
        gy.resize(batch * m, 0.0);
        let out = &bufs.layers[last].out;
        let results: Vec<(f64, bool)> = gy
            .par_chunks_mut(m)
            .enumerate()
            .map(|(b, gyb)| {
                let mut sc = vec![0u32; classes];
                self.scores(out, m, b, &mut sc);
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
        bufs.gy[last] = gy;
        let loss: f64 = results.iter().map(|r| r.0).sum();
        let correct = results.iter().filter(|r| r.1).count();

        self.step += 1;
        let t = self.step as i32;
        let lr_t = lr * (1.0 - super::B2.powi(t)).sqrt() / (1.0 - super::B1.powi(t));
        let ib = x.len() / batch.max(1);
        for l in (0..geoms.len()).rev() {
            let g = &geoms[l];
            let input: &[u8] = if l == 0 {
                x
            } else if g.reads_input {
                &bufs.inputs[l]
            } else {
                &bufs.layers[l - 1].out
            };
            let mut gx = Vec::new();
            let gy = std::mem::take(&mut bufs.gy[l]);
            layer::backward(
                g,
                &mut self.layers[l],
                input,
                batch,
                &bufs.layers[l],
                &gy,
                (l > 0).then_some(&mut gx),
                &mut bufs.back,
                lr_t,
            );
            if l > 0 {
                // the previous layer's share of the input gradient
                let pw = geoms[l - 1].nodes();
                let gprev = if g.reads_input {
                    let il = g.input_len;
                    let mut gp = Vec::with_capacity(batch * pw);
                    for b in 0..batch {
                        gp.extend_from_slice(&gx[b * il + ib..(b + 1) * il]);
                    }
                    gp
                } else {
                    gx
                };
                bufs.gy[l - 1] = gprev;
            }
            bufs.gy[l] = gy;
        }
        (loss, correct)
    }

    /// Accuracy and mean loss of the current discrete network on encoded samples.
    fn accuracy(&self, geoms: &[LayerGeom], x: &[u8], labels: &[Class]) -> (f64, f64) {
        if labels.is_empty() {
            return (0.0, 0.0);
        }
        let ib = x.len() / labels.len();
        let m = geoms.last().expect("layers").nodes();
        let tau = self.config.tau(m) as f64;
        let chunk = 500;
        let (mut correct, mut loss) = (0usize, 0.0f64);
        let mut bufs = Bufs::default();
        for (xc, lc) in x.chunks(chunk * ib).zip(labels.chunks(chunk)) {
            self.forward(geoms, xc, lc.len(), &mut bufs);
            let out = &bufs.layers[geoms.len() - 1].out;
            let mut sc = vec![0u32; self.classes];
            for (b, &y) in lc.iter().enumerate() {
                let y = y as usize;
                self.scores(out, m, b, &mut sc);
                correct += (crate::model::argmax(&sc) == y) as usize;
                loss += Softmax::of(&sc, tau).loss(y);
            }
        }
        let n = labels.len() as f64;
        (correct as f64 / n, loss / n)
    }
}

/// Trains a deep LUT network on `data` (labels in `0..classes`) read through `input`.
/// Returns the network of the best validation epoch and the report.
pub fn train_deep(
    data: &Dataset,
    input: &InputSpec,
    classes: usize,
    cfg: &DeepTrainConfig,
    checkpointing: &Checkpointing,
    reporter: &dyn Reporter,
) -> Result<(LutNet, DeepTrainReport), TrainError> {
    cfg.validate(input, classes)?;
    let (train_n, val_n) = super::epochs::split(
        data,
        input,
        classes,
        cfg.validation_fraction,
        cfg.batch_size,
    )?;
    let geoms = cfg.geometry(input)?;
    let mut st = match (&checkpointing.path, checkpointing.resume) {
        (Some(p), true) => state::resume(p, data, classes, cfg, &geoms)?,
        _ => DeepState::new(data, classes, cfg, &geoms),
    };
    let train = data.slice(0..train_n);
    let thresholds = cfg.thresholds(&train);
    let val = data.slice(train_n..data.len());
    let lr = |e| super::epochs::step_decay(cfg.learning_rate, cfg.lr_step, e);
    let encode = |img: &[u8], out: &mut Vec<u8>| encode_into(img, &thresholds, out);
    let schedule = Schedule {
        epochs: cfg.epochs,
        batch_size: cfg.batch_size,
        seed: cfg.seed,
        salt: 0xdee9,
        augment: super::epochs::Augment::new(input.image_size(), cfg.shift, cfg.flip),
        lr: &lr,
        tie_break_by_loss: false,
        checkpoint: checkpointing.path.as_deref(),
    };
    let samples = Samples {
        train: &train,
        val: &val,
        encode: &encode,
    };
    let mut learner = Deep {
        st: &mut st,
        geoms: &geoms,
        bufs: Bufs::default(),
    };
    super::epochs::run(&mut learner, &schedule, &samples, reporter)?;
    let (chosen, best) = st.best.clone().expect("at least one epoch");
    let model = to_model(cfg, &geoms, input, classes, &thresholds, &best)?;
    let m = geoms.last().expect("layers").nodes();
    let report = DeepTrainReport {
        train_samples: train_n,
        validation_samples: val_n,
        layers: geoms
            .iter()
            .map(|g| (g.name.clone(), g.positions(), g.kernel_nodes(), g.arity))
            .collect(),
        nodes: geoms.iter().map(LayerGeom::nodes).sum(),
        validation_accuracy: (val_n > 0).then(|| st.history[chosen - 1].validation_accuracy),
        epochs: st.history,
        chosen_epoch: chosen,
        tau: cfg.tau(m),
    };
    Ok((model, report))
}

/// A discrete network: per layer, its slot choices and truth tables.
pub(crate) type DeepSnapshot = Snapshot;

/// The deep trainer's state in the shared epoch loop.
struct Deep<'a> {
    st: &'a mut DeepState,
    geoms: &'a [LayerGeom],
    bufs: Bufs,
}

impl Learner for Deep<'_> {
    fn epochs_done(&self) -> usize {
        self.st.epoch
    }
    fn record(&mut self) -> (&mut Vec<EpochStats>, &mut Option<(usize, Snapshot)>) {
        (&mut self.st.history, &mut self.st.best)
    }
    fn begin_epoch(&mut self, e: usize) {
        if e >= self.st.config.mapping_epochs {
            self.st
                .layers
                .iter_mut()
                .for_each(layer::LayerParams::freeze_mapping);
        }
    }
    fn step(&mut self, x: &[u8], labels: &[Class], lr: f32) -> (f64, usize) {
        self.st.step(self.geoms, x, labels, &mut self.bufs, lr)
    }
    fn accuracy(&self, x: &[u8], labels: &[Class]) -> (f64, f64) {
        self.st.accuracy(self.geoms, x, labels)
    }
    fn snapshot(&self) -> Snapshot {
        self.st.snapshot(self.geoms)
    }
    fn finish_epoch(&mut self) {
        self.st.epoch += 1;
    }
    fn save(&self, path: &std::path::Path) -> Result<(), TrainError> {
        state::write(path, &*self.st)
    }
}

/// The unrolled boolean model of a snapshot.
fn to_model(
    cfg: &DeepTrainConfig,
    geoms: &[LayerGeom],
    input: &InputSpec,
    classes: usize,
    thresholds: &[u16],
    snap: &DeepSnapshot,
) -> Result<LutNet, TrainError> {
    let b = cfg.bits_per_input;
    let choices: Vec<Vec<u32>> = snap.iter().map(|s| s.0.clone()).collect();
    let tables: Vec<Vec<u64>> = snap.iter().map(|s| s.1.clone()).collect();
    let layers = arch::unroll(geoms, &choices, &tables, input.num_inputs() * b);
    LutNet::new(input.clone(), classes, b, thresholds.to_vec(), layers)
        .and_then(|net| net.with_architecture(cfg.architecture().expect("validated")))
        .map_err(|e| TrainError::Data(format!("the trained network is invalid: {e}")))
}
