//! MockProver checks of the WNN circuit: honest witnesses pass with the native scores.

mod common;
use common::*;
use halo2_proofs::dev::MockProver;
use halo2_proofs::halo2curves::bn256::Fr;
use std::sync::Arc;
use zero_g::circuit::{CircuitParams, WnnCircuit};
use zero_g::data::load_image_for;
use zero_g::model::io;

fn mock(model_path: &std::path::Path) -> (CircuitParams, Vec<u32>) {
    let model = Arc::new(io::load(model_path).unwrap());
    let img = load_image_for(&reference(DIGIT7), 28).unwrap();
    let params = CircuitParams::for_model(&model).unwrap();
    let circuit = WnnCircuit::<Fr>::prove(model.clone(), params.clone(), &img).unwrap();
    let inst = circuit.instances();
    let t = std::time::Instant::now();
    let prover = MockProver::run(params.k, &circuit, vec![inst]).unwrap();
    prover.assert_satisfied();
    eprintln!("{params:?} mock {:?}", t.elapsed());
    (params, model.scores(&img))
}

#[test]
fn tiny_reference_model_is_satisfied() {
    let (p, s) = mock(&reference(TINY));
    assert_eq!(s, vec![9, 6, 13, 10, 17, 10, 9, 26, 11, 16]);
    assert!(p.k <= 12, "{p:?}");
}

#[test]
fn small_reference_model_is_satisfied() {
    let (p, _) = mock(&reference(SMALL));
    assert!(p.k <= 13, "{p:?}");
}
