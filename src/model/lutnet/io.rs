//! LUT-network model files (zero_g format 1, `models/FORMAT.md`).
//!
//! Root attributes: `zero_g_family = "lutnet"` (string), `zero_g_format = 1`, and the int64
//! scalars `num_classes` (C), `num_inputs` (N), `bits_per_input` (B) and `num_layers` (L);
//! `zero_g_input` (JSON) when the input is not a square image with numbered classes.
//! Datasets: `thresholds` uint16 `(N, B)` with values in `0..=256`; for each layer
//! `l < L`, `layer_<l>_wiring` uint32 `(m_l, n_l)` (bit indices, see [`super`]) and
//! `layer_<l>_tables` bool `(m_l, 2^n_l)` (entry `a` of node `k` is its output at address
//! `a`). The arity `n_l` is the wiring's second dimension.

use super::arch::Arch;
use super::{LutLayer, LutNet, MAX_ARITY, MAX_BITS_PER_INPUT, MAX_CLASSES, MAX_LAYERS, MAX_NODES};
use crate::error::ModelError;
use crate::model::input::{InputSpec, MAX_INPUTS};
use crate::model::io::{
    check_format, format_for, write_bool, write_input, FAMILY_ATTR, FORMAT_ATTR, H5,
};
use hdf5_pure::{AttrValue, FileBuilder};

/// The schema version of a plain LUT network whose input has no column encodings (2 with
/// them, 3 with an architecture; see `models/FORMAT.md`); it reads all three.
pub const FORMAT: i64 = 1;
/// Version 3: versions 1 and 2 plus the string attribute `architecture` (a deep network's stages,
/// checked against the layers on reading).
pub const FORMAT_DEEP: i64 = 3;

/// Longest `architecture` attribute (16 stages of a few dozen characters fit easily).
const MAX_ARCH_TEXT: usize = 1024;

/// Reads the LUT-network schema from an open file.
pub(crate) fn read(h5: &H5) -> Result<LutNet, ModelError> {
    let v = h5.int_attr(FORMAT_ATTR)?;
    if !matches!(v, Some(1..=FORMAT_DEEP)) {
        return Err(ModelError::Invalid(format!(
            "unsupported LUT-network format version {v:?} (this zero_g reads versions \
             {FORMAT} to {FORMAT_DEEP})"
        )));
    }
    let classes = h5.usize_attr("num_classes", MAX_CLASSES)?;
    let inputs = h5.usize_attr("num_inputs", MAX_INPUTS)?;
    let bpi = h5.usize_attr("bits_per_input", MAX_BITS_PER_INPUT)?;
    let layers = h5.usize_attr("num_layers", MAX_LAYERS)?;
    let input = h5.input(|| InputSpec::square(inputs))?;
    check_format(v.unwrap_or(1), &input)?;
    if input.num_inputs() != inputs {
        return Err(ModelError::Invalid(format!(
            "num_inputs = {inputs} but the input description has {} inputs",
            input.num_inputs()
        )));
    }
    let thresholds: Vec<u16> = h5
        .read_uint("thresholds", &[inputs, bpi], 256)?
        .into_iter()
        .map(|t| t as u16)
        .collect();
    let mut out = Vec::with_capacity(layers);
    let mut nodes = 0usize;
    for l in 0..layers {
        let wiring_name = format!("layer_{l}_wiring");
        let tables_name = format!("layer_{l}_tables");
        let shape = h5.shape(&wiring_name)?;
        let [m, n] = shape[..] else {
            return Err(ModelError::WrongShape {
                name: wiring_name,
                found: shape,
                expected: vec![0, 0],
            });
        };
        if !(1..=MAX_ARITY).contains(&n) {
            return Err(ModelError::Invalid(format!(
                "`{wiring_name}` gives nodes {n} inputs; a node has 2 to {MAX_ARITY}"
            )));
        }
        nodes = nodes.saturating_add(m);
        if nodes > MAX_NODES {
            return Err(ModelError::Invalid(format!("more than {MAX_NODES} nodes")));
        }
        let wiring: Vec<u32> = h5
            .read_uint(&wiring_name, &[m, n], u32::MAX as u64)?
            .into_iter()
            .map(|w| w as u32)
            .collect();
        let entries = 1usize << n;
        let bits = h5.read_bool(&tables_name, &[m, entries])?;
        let tables = bits
            .chunks_exact(entries)
            .map(|t| {
                t.iter()
                    .enumerate()
                    .fold(0u64, |acc, (a, &b)| acc | (b as u64) << a)
            })
            .collect();
        out.push(LutLayer {
            arity: n,
            wiring,
            tables,
        });
    }
    let net = LutNet::new(input, classes, bpi, thresholds, out)?;
    if v != Some(FORMAT_DEEP) {
        return Ok(net);
    }
    let text = h5.string_attr("architecture")?.ok_or_else(|| {
        ModelError::Invalid("format 3 without its `architecture` attribute".into())
    })?;
    if text.len() > MAX_ARCH_TEXT {
        return Err(ModelError::Invalid(format!(
            "the architecture attribute is {} bytes long (at most {MAX_ARCH_TEXT})",
            text.len()
        )));
    }
    let arch = text
        .parse::<Arch>()
        .map_err(|e| ModelError::Invalid(format!("architecture `{text}`: {e}")))?;
    net.with_architecture(arch)
}

/// Adds the LUT-network schema to a file being built.
pub(crate) fn write(model: &LutNet, fb: &mut FileBuilder) -> Result<(), ModelError> {
    fb.set_attr(FAMILY_ATTR, AttrValue::VarLenString("lutnet".into()));
    match model.architecture() {
        Some(arch) => {
            fb.set_attr(FORMAT_ATTR, AttrValue::I64(FORMAT_DEEP));
            fb.set_attr("architecture", AttrValue::VarLenString(arch.to_string()));
        }
        None => fb.set_attr(FORMAT_ATTR, AttrValue::I64(format_for(model.input()))),
    }
    for (name, v) in [
        ("num_classes", model.num_classes()),
        ("num_inputs", model.num_inputs()),
        ("bits_per_input", model.bits_per_input()),
        ("num_layers", model.layers().len()),
    ] {
        fb.set_attr(name, AttrValue::I64(v as i64));
    }
    write_input(fb, model.input())?;
    fb.create_dataset("thresholds")
        .with_u16_data(model.thresholds())
        .with_shape(&[model.num_inputs() as u64, model.bits_per_input() as u64]);
    for (l, layer) in model.layers().iter().enumerate() {
        let (m, n) = (layer.nodes(), layer.arity);
        fb.create_dataset(&format!("layer_{l}_wiring"))
            .with_u32_data(&layer.wiring)
            .with_shape(&[m as u64, n as u64]);
        let entries = 1usize << n;
        let bits: Vec<bool> = layer
            .tables
            .iter()
            .flat_map(|&t| (0..entries).map(move |a| t >> a & 1 == 1))
            .collect();
        write_bool(fb, &format!("layer_{l}_tables"), &[m, entries], &bits);
    }
    Ok(())
}
