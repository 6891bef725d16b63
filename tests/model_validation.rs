//! Every malformed model file is rejected with a clear message, never a panic.

mod common;
use common::*;
use hdf5_pure::{AttrValue, FileBuilder};
use std::path::{Path, PathBuf};
use zero_g::model::io;

/// The parts of a model file, starting from the reference Tiny model, to be broken one by one.
struct Parts {
    attrs: Vec<(&'static str, i64)>,
    /// Attributes written as float64 instead of int64.
    float_attrs: Vec<&'static str>,
    bloom: Vec<bool>,
    bloom_shape: Vec<usize>,
    thresholds: Vec<f32>,
    threshold_shape: Vec<usize>,
    order: Vec<u64>,
    /// Datasets left out of the file.
    omit: Vec<&'static str>,
    /// `bloom_filters` written as float32 instead of bool.
    float_bloom: bool,
}

fn tiny_parts() -> Parts {
    let m = zero_g::model::bthowen::io::load(&reference(TINY)).unwrap();
    let p = *m.params();
    Parts {
        attrs: vec![
            ("bits_per_input", p.bits_per_input as i64),
            ("num_classes", p.num_classes as i64),
            ("num_filter_entries", p.num_filter_entries as i64),
            ("num_filter_hashes", p.num_filter_hashes as i64),
            ("num_filter_inputs", p.num_filter_inputs as i64),
            ("num_inputs", p.num_inputs as i64),
            ("p", p.p as i64),
        ],
        float_attrs: vec![],
        bloom: m.bloom_bits(),
        bloom_shape: vec![10, 28, 256],
        thresholds: m.thresholds().to_vec(),
        threshold_shape: vec![28, 28, 1],
        order: m.input_order().to_vec(),
        omit: vec![],
        float_bloom: false,
    }
}

fn write(dir: &Path, parts: &Parts) -> PathBuf {
    let path = dir.join("m.hdf5");
    let mut fb = FileBuilder::new();
    for (name, v) in &parts.attrs {
        if parts.float_attrs.contains(name) {
            fb.set_attr(name, AttrValue::F64(*v as f64));
        } else {
            fb.set_attr(name, AttrValue::I64(*v));
        }
    }
    let shape = |s: &[usize]| s.iter().map(|&d| d as u64).collect::<Vec<_>>();
    if !parts.omit.contains(&"bloom_filters") {
        if parts.float_bloom {
            let n = parts.bloom_shape.iter().product();
            fb.create_dataset("bloom_filters")
                .with_f32_data(&vec![0.0f32; n])
                .with_shape(&shape(&parts.bloom_shape));
        } else {
            io::write_bool(&mut fb, "bloom_filters", &parts.bloom_shape, &parts.bloom);
        }
    }
    if !parts.omit.contains(&"binarization_thresholds") {
        fb.create_dataset("binarization_thresholds")
            .with_f32_data(&parts.thresholds)
            .with_shape(&shape(&parts.threshold_shape));
    }
    if !parts.omit.contains(&"input_order") {
        fb.create_dataset("input_order").with_u64_data(&parts.order);
    }
    std::fs::write(&path, fb.finish().unwrap()).unwrap();
    path
}

fn load_err(parts: &Parts) -> String {
    let dir = tempfile::tempdir().unwrap();
    let path = write(dir.path(), parts);
    io::load(&path).expect_err("must be rejected").to_string()
}

fn set(parts: &mut Parts, name: &str, v: i64) {
    parts.attrs.iter_mut().find(|(n, _)| *n == name).unwrap().1 = v;
}

#[test]
fn the_unbroken_parts_load() {
    let dir = tempfile::tempdir().unwrap();
    let path = write(dir.path(), &tiny_parts());
    let m = io::load(&path).unwrap();
    assert_eq!(m.digest(), io::load(&reference(TINY)).unwrap().digest());
}

#[test]
fn missing_attribute() {
    let mut p = tiny_parts();
    p.attrs.retain(|(n, _)| *n != "num_classes");
    assert_eq!(
        load_err(&p),
        "model is missing the root attribute `num_classes`"
    );
}

#[test]
fn mistyped_attribute() {
    let mut p = tiny_parts();
    p.float_attrs.push("p");
    assert_eq!(load_err(&p), "`p` has type float64, expected int64 scalar");
}

#[test]
fn missing_and_mistyped_datasets() {
    let dir = tempfile::tempdir().unwrap();
    let mut p = tiny_parts();
    p.omit.push("input_order");
    let path = write(dir.path(), &p);
    assert_eq!(
        io::load(&path).unwrap_err().to_string(),
        "model is missing the dataset `input_order`"
    );

    // `bloom_filters` as float32 [10, 28, 256] (and `input_order` still missing)
    p.float_bloom = true;
    let path = write(dir.path(), &p);
    let e = io::load(&path).unwrap_err().to_string();
    assert!(
        e.starts_with("`bloom_filters` has type float32, expected bool"),
        "{e}"
    );
}

#[test]
fn wrong_shapes() {
    let mut p = tiny_parts();
    p.bloom_shape = vec![10, 256, 28];
    assert_eq!(
        load_err(&p),
        "`bloom_filters` has shape [10, 256, 28], expected [10, 28, 256]"
    );
    let mut p = tiny_parts();
    p.threshold_shape = vec![784, 1, 1];
    assert!(load_err(&p).contains("`binarization_thresholds` has shape [784, 1, 1]"));
    let mut p = tiny_parts();
    p.order.pop();
    assert!(load_err(&p).contains("`input_order` has shape [783], expected [784]"));
}

#[test]
fn order_not_a_permutation() {
    let mut p = tiny_parts();
    p.order[5] = p.order[6];
    assert!(load_err(&p).contains("input_order is not a permutation"));
}

#[test]
fn invalid_shape_parameters() {
    let mut p = tiny_parts();
    set(&mut p, "p", 511);
    assert_eq!(load_err(&p), "invalid model: p = 511 is not prime");
    let mut p = tiny_parts();
    set(&mut p, "p", 1021);
    assert!(load_err(&p).contains("is not in (2^8, 2^9)"));
    let mut p = tiny_parts();
    set(&mut p, "num_filter_entries", 200);
    assert!(load_err(&p).contains("not a power of two"));
    let mut p = tiny_parts();
    set(&mut p, "num_inputs", 780);
    assert!(load_err(&p).contains("not a perfect square"));
    let mut p = tiny_parts();
    set(&mut p, "num_filter_inputs", 98);
    assert!(load_err(&p).contains("too wide for the field"));
    let mut p = tiny_parts();
    set(&mut p, "num_classes", -3);
    assert!(load_err(&p).contains("negative"));
}

#[test]
fn truncated_garbage_and_absent_files() {
    let dir = tempfile::tempdir().unwrap();
    let bytes = std::fs::read(reference(TINY)).unwrap();
    let cut = dir.path().join("cut.hdf5");
    std::fs::write(&cut, &bytes[..bytes.len() / 2]).unwrap();
    let e = io::load(&cut).unwrap_err().to_string();
    assert!(e.starts_with("cannot read model file"), "{e}");
    let junk = dir.path().join("junk.hdf5");
    std::fs::write(&junk, b"definitely not hdf5").unwrap();
    assert!(io::load(&junk)
        .unwrap_err()
        .to_string()
        .starts_with("cannot read model file"));
    let e = io::load(&dir.path().join("absent.hdf5"))
        .unwrap_err()
        .to_string();
    assert!(e.ends_with("no such file"), "{e}");
}
