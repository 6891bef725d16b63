//! Checkpoints of a LUT-network training run, written after every epoch so that an
//! interrupted run resumes (`zero_g train --resume`) where it stopped, bit for bit.
//!
//! Format: `ZEROG-LUTCKPT` magic, a format byte, a little-endian u64 length and that many
//! bytes of JSON (the state without its large real arrays), then each large array as a u64
//! element count and its `f32` values little-endian, in a fixed order, then the SHA-256 of
//! everything before it. Written to a temporary file and renamed, so a kill never leaves a
//! half-written checkpoint.

use super::{LutTrainConfig, Moments, TrainState};
use crate::data::Dataset;
use crate::error::TrainError;
use sha2::{Digest, Sha256};
use std::io::Write;
use std::path::Path;

const MAGIC: &[u8; 13] = b"ZEROG-LUTCKPT";
const FORMAT: u8 = 1;

/// Digest of the training data, recorded in the state (a resumed run must see the same
/// data).
pub(super) fn data_digest(data: &Dataset) -> String {
    let mut h = Sha256::new();
    h.update((data.len() as u64).to_le_bytes());
    h.update(&data.pixels);
    // a byte per label while every label fits one (the digest of data sets of at most 256
    // classes, as written before labels were 16-bit), else a tag and two bytes per label
    match data
        .labels
        .iter()
        .map(|&l| u8::try_from(l).ok())
        .collect::<Option<Vec<u8>>>()
    {
        Some(bytes) => h.update(&bytes),
        None => {
            h.update(b"u16le");
            for l in &data.labels {
                h.update(l.to_le_bytes());
            }
        }
    }
    hex::encode(h.finalize())
}

impl LutTrainConfig {
    /// The settings in which a checkpoint made with these settings, `done` epochs in,
    /// cannot continue as a run with the settings `new`, each as `name: old → new`; empty
    /// when it can. The resumed run then equals an uninterrupted run with `new`:
    ///
    /// - the number of epochs may differ (a run is extended, or finished earlier);
    /// - the mapping epochs may differ as long as the epochs done learned the wiring alike
    ///   (`min(mapping_epochs, done)` equal): by default the wiring is learned in every
    ///   epoch (`--mapping-epochs` follows `--epochs`), so adding epochs keeps learning it,
    ///   exactly as a longer run from the start would have;
    /// - every other setting must be equal.
    pub(super) fn run_differences(&self, new: &LutTrainConfig, done: usize) -> Vec<String> {
        let mut old = self.clone();
        old.epochs = new.epochs;
        if old.mapping_epochs.min(done) == new.mapping_epochs.min(done) {
            old.mapping_epochs = new.mapping_epochs;
        }
        // through text, so that an f32 prints as written (0.01, not 0.009999999776482582)
        let value = |c: &LutTrainConfig| {
            serde_json::to_string(c).and_then(|s| serde_json::from_str::<serde_json::Value>(&s))
        };
        let (Ok(serde_json::Value::Object(a)), Ok(serde_json::Value::Object(b))) =
            (value(&old), value(new))
        else {
            return vec!["(the settings cannot be compared)".into()];
        };
        a.iter()
            .filter(|(k, v)| b.get(*k) != Some(*v))
            .map(|(k, v)| {
                let now = b.get(k).map_or("(none)".into(), |n| n.to_string());
                format!("{k}: {v} → {now}")
            })
            .collect()
    }
}

fn err(path: &Path, what: impl std::fmt::Display) -> TrainError {
    TrainError::Checkpoint(format!("{}: {what}", path.display()))
}

/// The large arrays of a state, in file order, moved out of it.
fn take_arrays(st: &mut TrainState) -> Vec<Vec<f32>> {
    let mut out = Vec::new();
    for l in &mut st.layers {
        out.push(std::mem::take(&mut l.tables));
        out.push(std::mem::take(&mut l.table_moments.m));
        out.push(std::mem::take(&mut l.table_moments.v));
    }
    if let Some(m) = &mut st.mapping {
        out.push(std::mem::take(&mut m.weights));
        out.push(std::mem::take(&mut m.moments.m));
        out.push(std::mem::take(&mut m.moments.v));
    }
    out
}

fn put_arrays(st: &mut TrainState, mut arrays: std::vec::IntoIter<Vec<f32>>) -> Option<()> {
    for l in &mut st.layers {
        l.tables = arrays.next()?;
        l.table_moments = Moments {
            m: arrays.next()?,
            v: arrays.next()?,
        };
    }
    if let Some(m) = &mut st.mapping {
        m.weights = arrays.next()?;
        m.moments = Moments {
            m: arrays.next()?,
            v: arrays.next()?,
        };
    }
    arrays.next().is_none().then_some(())
}

/// Writes a checkpoint atomically.
pub(crate) fn write(path: &Path, st: &TrainState) -> Result<(), TrainError> {
    let mut light = st.clone();
    let arrays = take_arrays(&mut light);
    let json = serde_json::to_vec(&light).map_err(|e| err(path, e))?;
    write_container(path, MAGIC, &json, &arrays)
}

/// Reads a checkpoint, checking its checksum and that every array has the size its state
/// implies.
pub(crate) fn read(path: &Path) -> Result<TrainState, TrainError> {
    let bad = |why: &str| err(path, format!("not a usable zero_g checkpoint ({why})"));
    let (json, arrays) = read_container(path, MAGIC)?;
    let mut st: TrainState =
        serde_json::from_slice(&json).map_err(|e| err(path, format!("bad header: {e}")))?;
    put_arrays(&mut st, arrays.into_iter()).ok_or_else(|| bad("wrong number of arrays"))?;
    st.check().map_err(|why| bad(&why))?;
    Ok(st)
}

/// Writes the file layout both trainers' checkpoints share (the module doc): `magic`, the
/// format byte, the JSON header, the arrays, the SHA-256; to a temporary file, then renamed.
pub(crate) fn write_container(
    path: &Path,
    magic: &[u8],
    json: &[u8],
    arrays: &[Vec<f32>],
) -> Result<(), TrainError> {
    let mut bytes = Vec::with_capacity(
        magic.len() + 9 + json.len() + arrays.iter().map(|a| 8 + 4 * a.len()).sum::<usize>() + 32,
    );
    bytes.extend_from_slice(magic);
    bytes.push(FORMAT);
    bytes.extend_from_slice(&(json.len() as u64).to_le_bytes());
    bytes.extend_from_slice(json);
    for a in arrays {
        bytes.extend_from_slice(&(a.len() as u64).to_le_bytes());
        for v in a {
            bytes.extend_from_slice(&v.to_le_bytes());
        }
    }
    let sum = Sha256::digest(&bytes);
    bytes.extend_from_slice(&sum);
    crate::fsutil::write_atomic(path, |w| w.write_all(&bytes)).map_err(|e| err(path, e))
}

/// Reads that layout: the JSON header and every array, after checking the magic, the format
/// and the checksum, and every length against the file's (a checkpoint is a file: it may
/// lie). The caller checks the arrays against its state.
pub(crate) fn read_container(
    path: &Path,
    magic: &[u8],
) -> Result<(Vec<u8>, Vec<Vec<f32>>), TrainError> {
    let bytes = crate::fsutil::read_regular(path, u64::MAX).map_err(|e| err(path, e))?;
    let bad = |why: &str| err(path, format!("not a usable zero_g checkpoint ({why})"));
    if bytes.len() < magic.len() + 9 + 32 || &bytes[..magic.len()] != magic {
        return Err(bad("no checkpoint header"));
    }
    if bytes[magic.len()] != FORMAT {
        return Err(bad("unknown format"));
    }
    let (body, sum) = bytes.split_at(bytes.len() - 32);
    if Sha256::digest(body).as_slice() != sum {
        return Err(bad("checksum mismatch: corrupted or truncated"));
    }
    let mut rest = &body[magic.len() + 1..];
    let truncated = || bad("truncated");
    let len = count(take(&mut rest, 8).ok_or_else(truncated)?);
    let json = take(&mut rest, len).ok_or_else(truncated)?.to_vec();
    let mut arrays = Vec::new();
    while !rest.is_empty() {
        let n = count(take(&mut rest, 8).ok_or_else(truncated)?);
        let bytes = n.checked_mul(4).ok_or_else(|| bad("array too large"))?;
        let raw = take(&mut rest, bytes).ok_or_else(truncated)?;
        arrays.push(
            raw.chunks_exact(4)
                .map(|c| f32::from_le_bytes(c.try_into().expect("4 bytes")))
                .collect(),
        );
    }
    Ok((json, arrays))
}

/// The next `n` bytes of `rest`, if it has them.
fn take<'a>(rest: &mut &'a [u8], n: usize) -> Option<&'a [u8]> {
    if n > rest.len() {
        return None;
    }
    let (s, r) = rest.split_at(n);
    *rest = r;
    Some(s)
}

/// A little-endian u64 count.
fn count(b: &[u8]) -> usize {
    u64::from_le_bytes(b.try_into().expect("8 bytes")) as usize
}

impl TrainState {
    /// Checks that the arrays fit the configuration (a checkpoint is a file: it may lie).
    fn check(&self) -> Result<(), String> {
        let cfg = &self.config;
        let n = cfg.arity;
        if !(super::MIN_ARITY..=super::MAX_ARITY).contains(&n) {
            return Err("arity out of range".into());
        }
        if self.layers.len() != cfg.layers.len() {
            return Err("layer count".into());
        }
        let ic = self.candidates.len();
        let mut prev = ic;
        for (l, (layer, &m)) in self.layers.iter().zip(&cfg.layers).enumerate() {
            let t = m << n;
            if layer.nodes != m
                || layer.tables.len() != t
                || layer.table_moments.m.len() != t
                || layer.table_moments.v.len() != t
                || layer.wiring.len() != m * n
                || layer.wiring.iter().any(|&w| w as usize >= prev)
            {
                return Err(format!("layer {l} has the wrong shape"));
            }
            prev = m;
        }
        if let Some(map) = &self.mapping {
            let size = cfg.layers[0] * n * ic;
            if map.candidates != ic
                || map.weights.len() != size
                || map.moments.m.len() != size
                || map.moments.v.len() != size
            {
                return Err("mapping has the wrong shape".into());
            }
        }
        if self.history.len() != self.epoch || self.epoch > cfg.epochs {
            return Err(format!(
                "inconsistent progress: {} epochs done of {}, {} recorded",
                self.epoch,
                cfg.epochs,
                self.history.len()
            ));
        }
        if self
            .best
            .as_ref()
            .is_some_and(|(e, _)| *e == 0 || *e > self.epoch)
        {
            return Err("inconsistent progress: the best epoch is not one of those done".into());
        }
        Ok(())
    }
}
