//! The bundled Fashion-MNIST models: each scores on the 10,000 test images exactly what
//! models/README.md reports, keeps the data set's class names, and (BTHOWeN; the LUT network
//! is in `lutnet_bundled.rs`) its circuit accepts the honest witness with the native scores
//! on the first test images.

mod common;
use common::*;
use halo2_proofs::dev::MockProver;
use halo2_proofs::halo2curves::bn256::Fr;
use rayon::prelude::*;
use std::sync::Arc;
use zero_g::circuit::{CircuitParams, Layout, WnnCircuit};
use zero_g::data::{load_dataset, Split};
use zero_g::model::{io, Family};
use zero_g::train::{evaluate, NoReporter};

const CLASSES: [&str; 10] = [
    "T-shirt/top",
    "Trouser",
    "Pullover",
    "Dress",
    "Coat",
    "Sandal",
    "Shirt",
    "Sneaker",
    "Bag",
    "Ankle boot",
];

#[test]
fn bundled_fashion_models_score_as_documented() {
    let test = load_dataset(&fashion_dir(), Split::Test).unwrap();
    for (file, family, correct) in [
        ("lutnet_fashion_2000.hdf5", Family::LutNet, 8928),
        ("lutnet_fashion_ensemble_12000.hdf5", Family::LutNet, 9025),
        ("bthowen_fashion.hdf5", Family::Bthowen, 7941),
    ] {
        let model = io::load(&bundled(file)).unwrap();
        assert_eq!(model.family(), family, "{file}");
        assert_eq!(model.input().class_names, CLASSES, "{file}");
        assert_eq!(
            evaluate(&model, &test, &NoReporter),
            (correct, 10_000),
            "{file}"
        );
    }
}

#[test]
fn bundled_fashion_bthowen_native_equals_circuit() {
    let test = load_dataset(&fashion_dir(), Split::Test).unwrap();
    let model = Arc::new(io::load(&bundled("bthowen_fashion.hdf5")).unwrap());
    let params = CircuitParams::for_model_with(&model, Layout::Fast).unwrap();
    (0..20).into_par_iter().for_each(|i| {
        let x = test.image(i);
        let native = model.predict(x);
        let inst: Vec<Fr> = native.scores.iter().map(|&s| Fr::from(s as u64)).collect();
        let c = WnnCircuit::<Fr>::prove(model.clone(), params.clone(), x).unwrap();
        assert_eq!(c.instances(), inst, "image {i}");
        let r = MockProver::run(params.k, &c, vec![inst]).unwrap().verify();
        assert!(r.is_ok(), "image {i}: {r:?}");
    });
}
