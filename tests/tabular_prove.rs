//! Models of other inputs, proven and verified natively: the bundled 3-class (iris) and
//! 2-class (breast cancer) tabular models and the full-penguins model (text columns, empty
//! cells) through the binary, with every statement flag; a
//! malicious prover's tampered witness of a tabular model rejected (MockProver, both
//! families); and a non-square image model (MNIST cropped to 20×28, a PNG folder) trained,
//! predicted, proven and verified end to end.

mod common;
use common::anvil::{cli_keys, zg};
use common::circuit::{assert_only, LANE};
use common::*;
use halo2_proofs::dev::{MockProver, VerifyFailure};
use halo2_proofs::halo2curves::bn256::Fr;
use predicates::prelude::*;
use predicates::str::contains;
use std::path::Path;
use std::sync::Arc;
use zero_g::circuit::{CircuitParams, Layout, Statement, WnnCircuit};
use zero_g::data::csv::{read, Label};
use zero_g::data::{export_png_folder, load_dataset, Dataset, Split};
use zero_g::model::{InputSpec, Model};
use zero_g::proving::artifacts;

/// The bundled iris model (3 classes, 4 features) and a virginica row of its test split.
const IRIS: &str = "iris.hdf5";
const VIRGINICA: &str = "6.5,3.0,5.8,2.2";
const SETOSA: &str = "5.0,3.6,1.4,0.2";
/// The bundled full-penguins model (text columns `island` and `sex`, empty cells) and two
/// Gentoo rows of its test split: one with `sex` empty (classified Gentoo), one with every
/// measurement and `sex` empty (the model says Adelie, the commonest species: it has only the
/// island and the year to go on).
const PENGUINS_FULL: &str = "penguins_full.hdf5";
const GENTOO_NO_SEX: &str = "Biscoe,47.3,13.8,216,4725,NA,2009";
const GENTOO_ALL_EMPTY: &str = "Biscoe,NA,NA,,NA,NA,2009";
/// The bundled breast-cancer model (2 classes, 30 features) and a malignant test row.
const BREAST: &str = "breast_cancer.hdf5";
const MALIGNANT: &str = "20.29,14.34,135.1,1297,0.1003,0.1328,0.198,0.1043,0.1809,0.05883,0.7572,0.7813,5.438,94.44,0.01149,0.02461,0.05688,0.01885,0.01756,0.005115,22.54,16.67,152.2,1575,0.1374,0.205,0.4,0.1625,0.2364,0.07678";

fn json(out: &assert_cmd::assert::Assert) -> serde_json::Value {
    serde_json::from_slice(&out.get_output().stdout).unwrap()
}

/// predict, mock-proof, keys, proof, verify (and a flipped proof byte) for one input.
fn prove_and_verify(model: &Path, features: &str, class: usize, name: &str) {
    let dir = tempfile::tempdir().unwrap();
    let p = |n: &str| dir.path().join(n);
    let pred = json(
        &zg()
            .args(["predict", "--json", "--features", features, "-m"])
            .arg(model)
            .assert()
            .success(),
    );
    assert_eq!(pred["class"], class);
    assert_eq!(pred["class_name"], name);
    let mock = json(
        &zg()
            .args(["mock-proof", "--json", "--features", features, "-m"])
            .arg(model)
            .assert()
            .success(),
    );
    assert_eq!(mock["satisfied"], true);
    assert_eq!(mock["predictions"][0]["scores"], pred["scores"]);
    cli_keys(dir.path(), "t", model, 5, &[]);
    zg().args(["-q", "proof", "--features", features, "-m"])
        .arg(model)
        .arg("-s")
        .arg(p("t.srs"))
        .arg("--pk-path")
        .arg(p("t.pk"))
        .arg("--proof-path")
        .arg(p("proof.json"))
        .assert()
        .success()
        .stdout(contains(format!("{features}: class {class}, scores")));
    zg().args(["verify", "-s"])
        .arg(p("t.srs"))
        .arg("-v")
        .arg(p("t.vk"))
        .arg("--proof-path")
        .arg(p("proof.json"))
        .assert()
        .success()
        .stdout(contains(format!("image 0: class {class}, scores")));
    let mut bad = artifacts::read_proof(&p("proof.json")).unwrap();
    let n = bad.proof.len();
    bad.proof[n / 2] ^= 1;
    artifacts::write_proof(&p("bad.json"), &bad).unwrap();
    zg().args(["verify", "-s"])
        .arg(p("t.srs"))
        .arg("-v")
        .arg(p("t.vk"))
        .arg("--proof-path")
        .arg(p("bad.json"))
        .assert()
        .code(1);
}

#[test]
fn a_three_class_tabular_model_proves_and_verifies() {
    prove_and_verify(&bundled(IRIS), VIRGINICA, 2, "virginica");
}

#[test]
fn a_table_with_text_columns_and_empty_cells_proves_and_verifies() {
    prove_and_verify(&bundled(PENGUINS_FULL), GENTOO_NO_SEX, 2, "Gentoo");
    prove_and_verify(&bundled(PENGUINS_FULL), GENTOO_ALL_EMPTY, 0, "Adelie");
}

#[test]
fn a_two_class_tabular_model_proves_and_verifies() {
    prove_and_verify(&bundled(BREAST), MALIGNANT, 1, "malignant");
}

#[test]
fn every_statement_flag_works_on_a_tabular_model() {
    let model = bundled(IRIS);
    let dir = tempfile::tempdir().unwrap();
    let p = |n: &str| dir.path().join(n);
    let rows = p("rows.csv");
    // the model's columns in another order, with its label column
    std::fs::write(
        &rows,
        "species,petal_width_cm,petal_length_cm,sepal_width_cm,sepal_length_cm\n\
         setosa,0.2,1.4,3.6,5.0\nvirginica,2.2,5.8,3.0,6.5\n",
    )
    .unwrap();
    let flags = [
        "--public",
        "class",
        "--commitment",
        "--model-digest",
        "--bind",
        "--batch",
        "2",
    ];
    cli_keys(dir.path(), "s", &model, 6, &flags);
    // commit first to each row (one by --features, one by --csv-row: the same bytes)
    for (i, how) in [["--features", SETOSA], ["--csv-row", ""]]
        .iter()
        .enumerate()
    {
        let value = if how[0] == "--csv-row" {
            format!("{}:2", rows.display())
        } else {
            how[1].to_string()
        };
        zg().args(["commit", how[0], &value, "-m"])
            .arg(&model)
            .arg("-o")
            .arg(p(&format!("open{i}.json")))
            .assert()
            .success();
    }
    let row = |n: usize| format!("{}:{n}", rows.display());
    zg().args([
        "-q",
        "proof",
        "--csv-row",
        &row(1),
        "--csv-row",
        &row(2),
        "-m",
    ])
    .arg(&model)
    .arg("-s")
    .arg(p("s.srs"))
    .arg("--pk-path")
    .arg(p("s.pk"))
    .arg("--opening-path")
    .arg(p("open0.json"))
    .arg(p("open1.json"))
    .args([
        "--bind-to",
        "0x70997970C51812dc3A010C7d01b50e0d17dc79C8",
        "--proof-path",
    ])
    .arg(p("proof.json"))
    .assert()
    .success();
    let v = json(
        &zg()
            .args(["verify", "--json", "-s"])
            .arg(p("s.srs"))
            .arg("-v")
            .arg(p("s.vk"))
            .arg("--proof-path")
            .arg(p("proof.json"))
            .assert()
            .success(),
    );
    assert_eq!(v["valid"], true);
    assert_eq!(v["images"][0]["class"], 0);
    assert_eq!(v["images"][1]["class"], 2);
    assert!(v["images"][0]["scores"].is_null());
    let opening: serde_json::Value =
        serde_json::from_slice(&std::fs::read(p("open1.json")).unwrap()).unwrap();
    assert_eq!(opening["commitment"], v["images"][1]["commitment"]);
    let digest = zero_g::model::io::load(&model).unwrap().digest_hex();
    assert_eq!(v["model_digest"], digest);
    // an opening of another row does not fit
    zg().args([
        "-q",
        "proof",
        "--features",
        VIRGINICA,
        "--features",
        SETOSA,
        "-m",
    ])
    .arg(&model)
    .arg("-s")
    .arg(p("s.srs"))
    .arg("--pk-path")
    .arg(p("s.pk"))
    .arg("--opening-path")
    .arg(p("open0.json"))
    .arg(p("open1.json"))
    .arg("--proof-path")
    .arg(p("x.json"))
    .assert()
    .code(2)
    .stderr(contains("opening 1 does not fit"));
}

/// A 3-class table (features a, b; class c around a = 10·c) as a data set, and its spec.
fn table() -> (Dataset, InputSpec) {
    let dir = tempfile::tempdir().unwrap();
    let f = dir.path().join("t.csv");
    let mut s = String::from("a,b,y\n");
    for i in 0..150 {
        let c = i % 3;
        s += &format!(
            "{},{},{}\n",
            10 * c + i % 7,
            (i * 37) % 11,
            ["p", "q", "r"][c]
        );
    }
    std::fs::write(&f, s).unwrap();
    let t = read(&f, Label::Last).unwrap();
    let spec = t.fit().unwrap();
    (t.to_dataset(&spec).unwrap(), spec)
}

fn mock(
    model: &Arc<Model>,
    params: &CircuitParams,
    c: &WnnCircuit<Fr>,
) -> Result<(), Vec<VerifyFailure>> {
    let _ = model;
    MockProver::run(params.k, c, vec![c.instances()])
        .unwrap()
        .verify()
}

#[test]
fn a_tampered_tabular_bthowen_witness_is_rejected() {
    use zero_g::circuit::bthowen::trace::{Encoding, Trace};
    let (data, spec) = table();
    let cfg = zero_g::train::TrainConfig {
        filter_inputs: 8,
        filter_entries: 32,
        filter_hashes: 1,
        bits_per_input: 8,
        ..Default::default()
    };
    let (wnn, _) =
        zero_g::train::train_with_input(&data, &spec, &cfg, &zero_g::train::NoReporter).unwrap();
    assert_eq!(wnn.input(), &spec);
    let model = Arc::new(Model::from(wnn.clone()));
    let params =
        CircuitParams::for_statement(&model, Layout::Compact, &Statement::default()).unwrap();
    let enc = Encoding::of(&wnn);
    let x = spec.quantise(&[21.0, 4.0]).unwrap();
    let honest = Trace::honest(&wnn, &params, &enc, &x);
    let run = |t: Trace<Fr>| {
        let c = WnnCircuit::with_trace(
            model.clone(),
            params.clone(),
            zero_g::circuit::Trace::Bthowen(t),
        );
        mock(&model, &params, &c)
    };
    run(honest.clone()).unwrap();
    assert_eq!(honest.claimed_scores(&params), wnn.scores(&x));
    // a flipped thermometer bit (everything downstream recomputed from it)
    let f = (0..params.bloom().filters)
        .find(|&f| !enc.comparisons[f].is_empty())
        .unwrap();
    let mut t = honest.clone();
    t.bits[f][0] = !t.bits[f][0];
    t.recompute_from_bits(&wnn, &params, &enc);
    assert_only(run(t), LANE);
    // an input byte out of range
    let mut t = honest.clone();
    t.pixels[enc.used_pixels[0]] += 256;
    assert!(run(t).is_err());
}

#[test]
fn a_tampered_tabular_lut_witness_is_rejected() {
    use zero_g::circuit::lutnet::trace::{LutEncoding, LutTrace};
    let (data, spec) = table();
    let cfg = zero_g::train::lutnet::LutTrainConfig {
        layers: vec![24],
        arity: 4,
        bits_per_input: 8,
        epochs: 5,
        batch_size: 16,
        mapping_epochs: 5,
        ..Default::default()
    };
    let (net, _) = zero_g::train::lutnet::train(
        &data,
        &spec,
        3,
        &cfg,
        &Default::default(),
        &zero_g::train::NoReporter,
    )
    .unwrap();
    let model = Arc::new(Model::from(net.clone()));
    let params =
        CircuitParams::for_statement(&model, Layout::Compact, &Statement::default()).unwrap();
    let enc = LutEncoding::of(&net);
    let x = spec.quantise(&[21.0, 4.0]).unwrap();
    let honest = LutTrace::honest(&net, &enc, &x);
    let run = |t: LutTrace| {
        let c = WnnCircuit::with_trace(
            model.clone(),
            params.clone(),
            zero_g::circuit::Trace::LutNet(t),
        );
        mock(&model, &params, &c)
    };
    run(honest.clone()).unwrap();
    assert_eq!(honest.claimed_scores(&enc), net.scores(&x));
    // a flipped input bit
    let mut t = honest.clone();
    t.bits[0] = !t.bits[0];
    t.recompute_from_bits(&enc);
    assert_only(run(t), LANE);
    // a flipped node output, everything downstream recomputed from it
    let mut t = honest.clone();
    t.flip_node_output(&enc, 2);
    assert_only(run(t), LANE);
}

/// MNIST cropped to its middle 20 columns: 20×28 images.
fn crop(ds: &Dataset, n: usize) -> Dataset {
    let mut out = Dataset {
        rows: 28,
        cols: 20,
        ..Default::default()
    };
    for i in 0..n {
        let img = ds.image(i);
        for r in 0..28 {
            out.pixels.extend_from_slice(&img[r * 28 + 4..r * 28 + 24]);
        }
        out.labels.push(ds.labels[i]);
    }
    out
}

#[test]
fn a_non_square_image_model_trains_predicts_proves_and_verifies() {
    let dir = tempfile::tempdir().unwrap();
    let p = |n: &str| dir.path().join(n);
    let train = crop(&load_dataset(&mnist_dir(), Split::Train).unwrap(), 20000);
    let test = crop(&load_dataset(&mnist_dir(), Split::Test).unwrap(), 500);
    export_png_folder(&train, &p("train")).unwrap();
    export_png_folder(&test, &p("test")).unwrap();
    let model = p("m.hdf5");
    let out = json(
        &zg()
            .args(["-q", "train", "--json", "--train-set-path"])
            .arg(p("train"))
            .arg("--test-set-path")
            .arg(p("test"))
            .args([
                "--filter-inputs",
                "28",
                "--filter-entries",
                "1024",
                "--filter-hashes",
                "2",
                "--bits-per-input",
                "2",
                "--permutation-trials",
                "2",
                "-o",
            ])
            .arg(&model)
            .assert()
            .success(),
    );
    let acc = out["test"]["accuracy"].as_f64().unwrap();
    // Small's shape on 20,000 digits: about 92 % on the whole test set
    assert!(acc > 0.85, "20×28 test accuracy {acc}");
    assert_eq!(
        out["input"],
        serde_json::json!({"kind": "image", "width": 20, "height": 28})
    );
    let again = json(
        &zg()
            .args(["compute-accuracy", "--json", "-m"])
            .arg(&model)
            .arg("-t")
            .arg(p("test"))
            .assert()
            .success(),
    );
    assert_eq!(again["accuracy"].as_f64().unwrap(), acc);
    let digit = p("test").join(format!("0000_{}.png", test.labels[0]));
    let pred = json(
        &zg()
            .args(["predict", "--json", "-m"])
            .arg(&model)
            .arg("-i")
            .arg(&digit)
            .assert()
            .success(),
    );
    let class = pred["class"].as_u64().unwrap();
    // a 28×28 digit does not fit
    zg().args(["predict", "-m"])
        .arg(&model)
        .arg("-i")
        .arg(reference(DIGIT7))
        .assert()
        .code(2)
        .stderr(contains("is 28×28, but the model expects 20×28"));
    cli_keys(dir.path(), "n", &model, 8, &[]);
    zg().args(["-q", "proof", "-m"])
        .arg(&model)
        .arg("-i")
        .arg(&digit)
        .arg("-s")
        .arg(p("n.srs"))
        .arg("--pk-path")
        .arg(p("n.pk"))
        .arg("--proof-path")
        .arg(p("proof.json"))
        .assert()
        .success();
    zg().args(["verify", "-s"])
        .arg(p("n.srs"))
        .arg("-v")
        .arg(p("n.vk"))
        .arg("--proof-path")
        .arg(p("proof.json"))
        .assert()
        .success()
        .stdout(contains(format!("image 0: class {class}, scores")).and(contains("proof valid")));
}
