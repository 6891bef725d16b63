//! Every bundled tabular model on every row of its test split (`data/tabular/<name>/test.csv`,
//! written by `scripts/fetch-datasets.sh`): the bytes the CSV row encodes to, the native
//! scores, and the circuit (MockProver, every constraint, compact layout as the bundles are
//! benchmarked) accepting the honest witness with those scores as its public values. The
//! tables with text columns and empty cells (`penguins_full`, `cars`) go through the same
//! path, so their category and missing-value bytes are proven as the model reads them.

mod common;
use common::*;
use halo2_proofs::dev::MockProver;
use halo2_proofs::halo2curves::bn256::Fr;
use rayon::prelude::*;
use std::sync::Arc;
use zero_g::circuit::{CircuitParams, Layout, WnnCircuit};
use zero_g::data::csv::{read_dataset, Label};
use zero_g::model::io;

/// The bundled tables and the test accuracy models/README.md states for each (correct rows).
const TABLES: [(&str, usize); 7] = [
    ("iris", 28),
    ("wine", 32),
    ("breast_cancer", 107),
    ("digits", 346),
    ("penguins", 64),
    ("penguins_full", 66),
    ("cars", 67),
];

#[test]
fn native_equals_circuit_on_every_test_row_of_every_bundled_table() {
    let data = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("data/tabular");
    for (name, stated) in TABLES {
        let test = data.join(name).join("test.csv");
        assert!(
            test.is_file(),
            "{} is missing: run scripts/fetch-datasets.sh",
            test.display()
        );
        let model = Arc::new(io::load(&bundled(&format!("{name}.hdf5"))).unwrap());
        let label = model.input().label_column.clone().unwrap();
        let ds = read_dataset(&test, Label::Named(&label), model.input()).unwrap();
        let params = CircuitParams::for_model_with(&model, Layout::Compact).unwrap();
        let correct: usize = (0..ds.len())
            .into_par_iter()
            .map(|i| {
                let x = ds.image(i);
                let native = model.predict(x);
                let inst: Vec<Fr> = native.scores.iter().map(|&s| Fr::from(s as u64)).collect();
                let c = WnnCircuit::<Fr>::prove(model.clone(), params.clone(), x).unwrap();
                assert_eq!(c.instances(), inst, "{name} row {}", i + 1);
                let r = MockProver::run(params.k, &c, vec![inst]).unwrap().verify();
                assert!(r.is_ok(), "{name} row {}: {r:?}", i + 1);
                (native.class == ds.labels[i] as usize) as usize
            })
            .sum();
        eprintln!(
            "{name}: {correct}/{} correct, native = circuit on every row",
            ds.len()
        );
        if stated > 0 {
            assert_eq!(
                correct, stated,
                "{name}: the accuracy models/README.md states"
            );
        }
    }
}
