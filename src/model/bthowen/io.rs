//! BTHOWeN model files: the original zero_g's HDF5 schema, kept exactly.
//!
//! Root attributes (int64 scalars): `bits_per_input`, `num_classes`, `num_filter_entries`,
//! `num_filter_hashes`, `num_filter_inputs`, `num_inputs`, `p`. Datasets: `bloom_filters`
//! bool `(C, F, E)`, `binarization_thresholds` f32 `(W, W, bpi)` and `input_order` u64
//! `(num_inputs · bpi)`. Files written here are what h5py writes for the same numpy arrays,
//! so any h5py tool reads them alike.
//!
//! Extension (zero_g format 1, `models/FORMAT.md`): a model whose input is not a square image
//! with numbered classes also has the root attributes `zero_g_family = "bthowen"`,
//! `zero_g_format = 1` and `zero_g_input` (the input description, JSON), and its thresholds
//! have shape `(H, W, bpi)` for an image or `(N, bpi)` for features.

use super::{Wnn, WnnParams};
use crate::error::ModelError;
use crate::model::input::{InputKind, InputSpec, MAX_INPUTS};
use crate::model::io::{
    check_format, format_for, write_bool, write_input, FAMILY_ATTR, FORMAT_ATTR, H5,
};
use hdf5_pure::{AttrValue, FileBuilder};
use std::path::Path;

const ATTRS: [&str; 7] = [
    "bits_per_input",
    "num_classes",
    "num_filter_entries",
    "num_filter_hashes",
    "num_filter_inputs",
    "num_inputs",
    "p",
];

/// The largest number of Bloom bits (`C·F·E`) a model file may hold.
pub const MAX_BLOOM_BITS: usize = 1 << 28;

/// Loads and validates a BTHOWeN model file.
pub fn load(path: &Path) -> Result<Wnn, ModelError> {
    match crate::model::io::load(path)? {
        crate::model::Model::Bthowen(m) => Ok(m),
        other => Err(ModelError::Invalid(format!(
            "{} holds a {} model, not a BTHOWeN one",
            path.display(),
            other.family().name()
        ))),
    }
}

/// Writes a BTHOWeN model atomically.
pub fn save(model: &Wnn, path: &Path) -> Result<(), ModelError> {
    crate::model::io::save(&crate::model::Model::Bthowen(model.clone()), path)
}

/// The threshold dataset's shape for an input description.
fn threshold_shape(input: &InputSpec, bpi: usize) -> Vec<usize> {
    match &input.kind {
        InputKind::Image { width, height } => vec![*height, *width, bpi],
        InputKind::Tabular { .. } => vec![input.num_inputs(), bpi],
    }
}

/// Reads the BTHOWeN schema from an open file.
pub(crate) fn read(h5: &H5) -> Result<Wnn, ModelError> {
    if h5.family()?.is_some() {
        let v = h5.int_attr(FORMAT_ATTR)?;
        if v != Some(1) && v != Some(2) {
            return Err(ModelError::Invalid(format!(
                "unsupported BTHOWeN format version {v:?} (this zero_g reads versions 1 and 2)"
            )));
        }
    }
    let format = h5.int_attr(FORMAT_ATTR)?;
    let mut vals = [0usize; 7];
    for (v, name) in vals.iter_mut().zip(ATTRS) {
        // p may use all 63 bits; every other attribute is a count
        let max = if name == "p" {
            i64::MAX as usize
        } else {
            u32::MAX as usize
        };
        *v = h5.usize_attr(name, max)?;
    }
    let [bpi, c, e, k, n, inputs, p] = vals;
    if inputs > MAX_INPUTS {
        return Err(ModelError::Invalid(format!(
            "num_inputs = {inputs} exceeds {MAX_INPUTS}"
        )));
    }
    let params = WnnParams {
        num_classes: c,
        num_inputs: inputs,
        bits_per_input: bpi,
        num_filter_inputs: n,
        num_filter_entries: e,
        num_filter_hashes: k,
        p: p as u64,
    };
    // the input description first: without one, a non-square input is the first problem
    let input = h5.input(|| InputSpec::square(inputs))?;
    check_format(format.unwrap_or(1), &input)?;
    params.validate()?;
    let bloom_shape = [c, params.num_filters(), e];
    if bloom_shape
        .iter()
        .try_fold(1usize, |a, &x| a.checked_mul(x))
        .is_none_or(|b| b > MAX_BLOOM_BITS)
    {
        return Err(ModelError::Invalid(format!(
            "the Bloom filters {bloom_shape:?} exceed {MAX_BLOOM_BITS} bits"
        )));
    }
    let bloom = h5.read_bool("bloom_filters", &bloom_shape)?;
    let thresholds = h5.read_f32("binarization_thresholds", &threshold_shape(&input, bpi))?;
    let order = h5.read_uint("input_order", &[params.total_bits()], u64::MAX)?;
    Wnn::with_input(params, input, thresholds, order, &bloom)
}

/// Adds the BTHOWeN schema to a file being built.
pub(crate) fn write(model: &Wnn, fb: &mut FileBuilder) -> Result<(), ModelError> {
    let p = model.params();
    let vals = [
        p.bits_per_input as i64,
        p.num_classes as i64,
        p.num_filter_entries as i64,
        p.num_filter_hashes as i64,
        p.num_filter_inputs as i64,
        p.num_inputs as i64,
        p.p as i64,
    ];
    for (name, v) in ATTRS.iter().zip(vals) {
        fb.set_attr(name, AttrValue::I64(v));
    }
    if !model.input().is_plain_square_image() {
        fb.set_attr(FAMILY_ATTR, AttrValue::VarLenString("bthowen".into()));
        fb.set_attr(FORMAT_ATTR, AttrValue::I64(format_for(model.input())));
        write_input(fb, model.input())?;
    }
    write_bool(
        fb,
        "bloom_filters",
        &[p.num_classes, p.num_filters(), p.num_filter_entries],
        &model.bloom_bits(),
    );
    let shape: Vec<u64> = threshold_shape(model.input(), p.bits_per_input)
        .iter()
        .map(|&s| s as u64)
        .collect();
    fb.create_dataset("binarization_thresholds")
        .with_f32_data(model.thresholds())
        .with_shape(&shape);
    fb.create_dataset("input_order")
        .with_u64_data(model.input_order());
    Ok(())
}
