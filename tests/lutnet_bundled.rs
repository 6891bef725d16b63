//! Every bundled LUT network, one-layer and deep, MNIST and Fashion-MNIST: for the first 200
//! test images of its data set, the circuit (MockProver, every constraint) accepts the honest
//! witness with the scores that native inference computes as its public values, and the
//! native scores are those of the model file.

mod common;
use common::*;
use halo2_proofs::dev::MockProver;
use halo2_proofs::halo2curves::bn256::Fr;
use rayon::prelude::*;
use std::sync::Arc;
use zero_g::circuit::{CircuitParams, Layout, WnnCircuit};
use zero_g::data::{load_dataset, Split};
use zero_g::model::{io, Family};

const IMAGES: usize = 200;

fn bundled_lutnets() -> Vec<std::path::PathBuf> {
    let mut v: Vec<_> = std::fs::read_dir(bundled(""))
        .unwrap()
        .flatten()
        .map(|e| e.path())
        .filter(|p| {
            p.file_name()
                .and_then(|n| n.to_str())
                .is_some_and(|n| n.starts_with("lutnet_") && n.ends_with(".hdf5"))
        })
        .collect();
    v.sort();
    assert!(
        v.len() >= 2,
        "at least two bundled MNIST LUT networks: {v:?}"
    );
    v
}

/// The data set of a bundled network (by its name) and how many of the first 200 test
/// images it must classify right (its test accuracy is 98 %+ on MNIST, 88 %+ on Fashion).
fn data_set(path: &std::path::Path) -> (std::path::PathBuf, usize) {
    if path.to_string_lossy().contains("fashion") {
        (fashion_dir(), 170)
    } else {
        (mnist_dir(), 195)
    }
}

#[test]
fn native_equals_circuit_on_200_test_images_per_bundled_model() {
    for path in bundled_lutnets() {
        let (dir, want) = data_set(&path);
        let test = load_dataset(&dir, Split::Test).unwrap();
        let model = Arc::new(io::load(&path).unwrap());
        assert_eq!(model.family(), Family::LutNet);
        let params = CircuitParams::for_model_with(&model, Layout::Fast).unwrap();
        let correct: usize = (0..IMAGES)
            .into_par_iter()
            .map(|i| {
                let x = test.image(i);
                let native = model.predict(x);
                let inst: Vec<Fr> = native.scores.iter().map(|&s| Fr::from(s as u64)).collect();
                let c = WnnCircuit::<Fr>::prove(model.clone(), params.clone(), x).unwrap();
                assert_eq!(c.instances(), inst, "{} image {i}", path.display());
                let r = MockProver::run(params.k, &c, vec![inst]).unwrap().verify();
                assert!(r.is_ok(), "{} image {i}: {r:?}", path.display());
                (native.class == test.labels[i] as usize) as usize
            })
            .sum();
        assert!(correct >= want, "{}: {correct}/200", path.display());
    }
}
