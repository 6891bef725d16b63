//! Property: on MNIST test images, the circuit is satisfied with exactly the native scores
//! as public inputs (and not with a score off by one), for the original's reference models
//! and for zero_g's own bundled models.

mod common;
use common::*;
use halo2_proofs::dev::MockProver;
use halo2_proofs::halo2curves::bn256::Fr;
use proptest::prelude::*;
use std::path::Path;
use std::sync::{Arc, OnceLock};
use zero_g::circuit::{CircuitParams, WnnCircuit};
use zero_g::data::{load_dataset, Dataset, Split};
use zero_g::model::{io, Model};

fn test_set() -> &'static Dataset {
    static D: OnceLock<Dataset> = OnceLock::new();
    D.get_or_init(|| load_dataset(&mnist_dir(), Split::Test).unwrap())
}

fn check(model: &Arc<Model>, params: &CircuitParams, idx: usize, also_negative: bool) {
    let img = test_set().image(idx);
    let circuit = WnnCircuit::<Fr>::prove(model.clone(), params.clone(), img).unwrap();
    let native: Vec<Fr> = model
        .scores(img)
        .iter()
        .map(|&s| Fr::from(s as u64))
        .collect();
    assert_eq!(circuit.instances(), native);
    let prover = MockProver::run(params.k, &circuit, vec![native.clone()]).unwrap();
    assert_eq!(prover.verify(), Ok(()), "image {idx}");
    if also_negative {
        let mut wrong = native;
        let n = wrong.len();
        wrong[idx % n] += Fr::one();
        let prover = MockProver::run(params.k, &circuit, vec![wrong]).unwrap();
        assert!(
            prover.verify().is_err(),
            "image {idx}: a wrong score was accepted"
        );
    }
}

fn run(path: &Path) {
    let model = Arc::new(io::load(path).unwrap_or_else(|e| panic!("{}: {e}", path.display())));
    let params = CircuitParams::for_model(&model).unwrap();
    let mut runner = proptest::test_runner::TestRunner::new(ProptestConfig {
        cases: 100,
        failure_persistence: None,
        ..ProptestConfig::default()
    });
    runner
        .run(&(0usize..10_000), |idx| {
            check(&model, &params, idx, idx % 10 == 0);
            Ok(())
        })
        .unwrap();
}

#[test]
fn reference_tiny_matches_native_inference() {
    run(&reference(TINY));
}

#[test]
fn reference_small_matches_native_inference() {
    run(&reference(SMALL));
}

#[test]
fn bundled_tiny_matches_native_inference() {
    run(&bundled(TINY));
}

#[test]
fn bundled_small_matches_native_inference() {
    run(&bundled(SMALL));
}

#[test]
fn bundled_medium_matches_native_inference() {
    run(&bundled(MEDIUM));
}

#[test]
fn bundled_large_matches_native_inference() {
    run(&bundled(LARGE));
}
