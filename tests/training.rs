//! `zero_g train`: determinism for a seed, and the MNIST-Small accuracy target.

mod common;
use assert_cmd::Command;
use common::*;
use zero_g::data::{load_dataset, Split};
use zero_g::model::io::{load, save};
use zero_g::model::Model;
use zero_g::train::{evaluate, train, NoReporter, TrainConfig};

/// Trains on `data` with the default (Small) configuration and `seed`; returns the file bytes.
fn train_bytes(data: &zero_g::data::Dataset, seed: u64, dir: &std::path::Path) -> Vec<u8> {
    let cfg = TrainConfig {
        seed,
        ..TrainConfig::default()
    };
    let (model, _) = train(data, &cfg, &NoReporter).unwrap();
    let path = dir.join(format!("seed{seed}-{}.hdf5", rand_name()));
    save(&Model::from(model), &path).unwrap();
    std::fs::read(&path).unwrap()
}

fn rand_name() -> u64 {
    use std::sync::atomic::{AtomicU64, Ordering};
    static N: AtomicU64 = AtomicU64::new(0);
    N.fetch_add(1, Ordering::Relaxed)
}

#[test]
fn same_seed_gives_identical_files_and_another_seed_differs() {
    let data = load_dataset(&mnist_dir(), Split::Train)
        .unwrap()
        .slice(0..6000);
    let dir = tempfile::tempdir().unwrap();
    let a = train_bytes(&data, 7, dir.path());
    let b = train_bytes(&data, 7, dir.path());
    let c = train_bytes(&data, 8, dir.path());
    assert!(a == b, "same seed, different model files");
    assert!(a != c, "different seeds gave the same model file");
}

#[test]
fn default_small_reaches_the_paper_accuracy() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("small.hdf5");
    let run = Command::cargo_bin("zero_g")
        .unwrap()
        .args(["-q", "train", "--json", "--train-set-path"])
        .arg(mnist_dir())
        .arg("--test-set-path")
        .arg(mnist_dir())
        .arg("-o")
        .arg(&out)
        .assert()
        .success();
    let v: serde_json::Value = serde_json::from_slice(&run.get_output().stdout).unwrap();
    let reported = v["test"]["accuracy"].as_f64().unwrap();
    // Re-measure from the written file with the inference engine.
    let model = load(&out).unwrap();
    let p = model.as_bthowen().unwrap().params();
    assert_eq!(
        (
            p.num_filter_inputs,
            p.num_filter_entries,
            p.num_filter_hashes,
            p.bits_per_input
        ),
        (28, 1024, 2, 2)
    );
    let test = load_dataset(&mnist_dir(), Split::Test).unwrap();
    let (correct, total) = evaluate(&model, &test, &NoReporter);
    let acc = correct as f64 / total as f64;
    assert_eq!(acc, reported);
    assert!(acc >= 0.934, "Small test accuracy {acc} < 93.4 %");
}
