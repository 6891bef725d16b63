//! The state of a deep training run and its checkpoints.
//!
//! Checkpoint format: the one-layer trainer's file layout ([`write_container`]) under the
//! magic `ZEROG-DEEPCKPT`: the state without its real arrays as JSON, then per layer its
//! tables, table moments, mapping weights and mapping moments. Written to a temporary file
//! and renamed: a kill never leaves a half-written checkpoint.

use super::super::checkpoint::{data_digest, read_container, write_container};
use super::super::optim::Moments;
use super::layer::LayerParams;
use super::{DeepSnapshot, DeepTrainConfig};
use crate::data::Dataset;
use crate::error::TrainError;
use crate::model::lutnet::arch::LayerGeom;
use crate::train::lutnet::EpochStats;
use rand::SeedableRng;
use rand_chacha::ChaCha8Rng;
use serde::{Deserialize, Serialize};
use std::path::Path;

const MAGIC: &[u8; 14] = b"ZEROG-DEEPCKPT";

/// Everything a checkpoint holds.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub(crate) struct DeepState {
    pub config: DeepTrainConfig,
    pub classes: usize,
    pub layers: Vec<LayerParams>,
    /// Adam steps taken.
    pub step: u64,
    /// Completed epochs.
    pub epoch: usize,
    pub history: Vec<EpochStats>,
    /// The best network so far and its epoch.
    pub best: Option<(usize, DeepSnapshot)>,
    /// Digest of the training data.
    pub data_digest: String,
}

impl DeepState {
    pub(crate) fn new(
        data: &Dataset,
        classes: usize,
        cfg: &DeepTrainConfig,
        geoms: &[LayerGeom],
    ) -> Self {
        let mut rng = ChaCha8Rng::seed_from_u64(cfg.seed);
        DeepState {
            config: cfg.clone(),
            classes,
            layers: geoms
                .iter()
                .map(|g| LayerParams::new(g, &mut rng))
                .collect(),
            step: 0,
            epoch: 0,
            history: vec![],
            best: None,
            data_digest: data_digest(data),
        }
    }

    /// The discrete network now.
    pub(crate) fn snapshot(&self, geoms: &[LayerGeom]) -> DeepSnapshot {
        self.layers
            .iter()
            .zip(geoms)
            .map(|(p, g)| (p.choice.clone(), p.bool_tables(g.arity)))
            .collect()
    }
}

fn err(path: &Path, what: impl std::fmt::Display) -> TrainError {
    TrainError::Checkpoint(format!("{}: {what}", path.display()))
}

/// Writes a checkpoint atomically (the one-layer trainer's file layout, another magic).
pub(crate) fn write(path: &Path, st: &DeepState) -> Result<(), TrainError> {
    let mut light = st.clone();
    let mut arrays = Vec::new();
    for l in &mut light.layers {
        arrays.push(std::mem::take(&mut l.tables));
        arrays.push(std::mem::take(&mut l.table_moments.m));
        arrays.push(std::mem::take(&mut l.table_moments.v));
        arrays.push(std::mem::take(&mut l.weights));
        arrays.push(std::mem::take(&mut l.weight_moments.m));
        arrays.push(std::mem::take(&mut l.weight_moments.v));
    }
    let json = serde_json::to_vec(&light).map_err(|e| err(path, e))?;
    write_container(path, MAGIC, &json, &arrays)
}

/// Reads a checkpoint, checking every array's size against the architecture.
pub(crate) fn read(path: &Path, geoms: &[LayerGeom]) -> Result<DeepState, TrainError> {
    let bad = |why: &str| err(path, format!("not a usable zero_g deep checkpoint ({why})"));
    let (json, arrays) = read_container(path, MAGIC)?;
    let mut st: DeepState =
        serde_json::from_slice(&json).map_err(|e| err(path, format!("bad header: {e}")))?;
    if st.layers.len() != geoms.len() || arrays.len() != 6 * geoms.len() {
        return Err(bad("another architecture"));
    }
    let mut arrays = arrays.into_iter();
    let mut next = |expect: Option<usize>| -> Result<Vec<f32>, TrainError> {
        let a = arrays.next().expect("six arrays per layer, counted above");
        if expect.is_some_and(|e| e != a.len()) {
            return Err(bad("an array of the wrong size"));
        }
        Ok(a)
    };
    for (l, g) in st.layers.iter_mut().zip(geoms) {
        let t = g.kernel_nodes() << g.arity;
        l.tables = next(Some(t))?;
        let moments = if g.fixed_table.is_some() { 0 } else { t };
        l.table_moments = Moments {
            m: next(Some(moments))?,
            v: next(Some(moments))?,
        };
        l.weights = next(None)?;
        let w = l.weights.len();
        if w != 0 && w != g.kernel_nodes() * g.arity * g.offsets.len() {
            return Err(bad("a mapping of the wrong size"));
        }
        l.weight_moments = Moments {
            m: next(Some(w))?,
            v: next(Some(w))?,
        };
        if l.choice.len() != g.kernel_nodes() * g.arity
            || l.choice.iter().any(|&c| c as usize >= g.offsets.len())
        {
            return Err(bad("wiring of the wrong shape"));
        }
    }
    Ok(st)
}

/// Reads a checkpoint to continue a run with `cfg` (the number of epochs may grow).
pub(crate) fn resume(
    path: &Path,
    data: &Dataset,
    classes: usize,
    cfg: &DeepTrainConfig,
    geoms: &[LayerGeom],
) -> Result<DeepState, TrainError> {
    let mut st = read(path, geoms)?;
    if st.data_digest != data_digest(data) || st.classes != classes {
        return Err(TrainError::Config(format!(
            "checkpoint {} was made on other training data",
            path.display()
        )));
    }
    let mut same = st.config.clone();
    same.epochs = cfg.epochs;
    if same != *cfg {
        return Err(TrainError::Config(format!(
            "checkpoint {} was made with other settings (it has {:?})",
            path.display(),
            st.config
        )));
    }
    if st.epoch > cfg.epochs {
        return Err(TrainError::Config(format!(
            "checkpoint {} has {} epochs done; ask for at least that many",
            path.display(),
            st.epoch
        )));
    }
    st.config.epochs = cfg.epochs;
    Ok(st)
}
