//! Tabular data through the binary: training on a CSV file (both families, their table
//! defaults), class names in `predict`, `compute-accuracy` on a CSV file, `--features` and
//! `--csv-row`, the quantisation round trip (features → bytes → what the model file stores),
//! and every bad input: exit 2 with the file, line and column in one line.

mod common;
use assert_cmd::Command;
use common::*;
use predicates::prelude::*;
use predicates::str::contains;
use rand::{Rng, SeedableRng};
use std::path::{Path, PathBuf};
use std::sync::OnceLock;

fn zg() -> Command {
    Command::cargo_bin("zero_g").unwrap()
}

const CLASSES: [&str; 3] = ["low", "mid", "top"];

/// A 3-class table of `n` rows per class, **sorted by class**: `a` separates the classes
/// (class c around 10·c), `b` is noise, `c` is constant within a file; label `kind`,
/// between the features.
fn table_text(n: usize, seed: u64) -> String {
    let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(seed);
    let mut s = String::from("a,kind,b,c\n");
    for (ci, name) in CLASSES.iter().enumerate() {
        for _ in 0..n {
            let a = 10.0 * ci as f64 + rng.gen_range(-3.0..3.0);
            let b = rng.gen_range(-1.0..1.0);
            s += &format!("{a:.3},{name},{b:.3},7\n");
        }
    }
    s
}

/// A trained BTHOWeN model of the table (default flags), its data and its folder.
struct Trained {
    dir: tempfile::TempDir,
    model: PathBuf,
    train: PathBuf,
    test: PathBuf,
}

fn trained() -> &'static Trained {
    static T: OnceLock<Trained> = OnceLock::new();
    T.get_or_init(|| {
        let dir = tempfile::tempdir().unwrap();
        let train = dir.path().join("train.csv");
        let test = dir.path().join("test.csv");
        std::fs::write(&train, table_text(60, 1)).unwrap();
        std::fs::write(&test, table_text(20, 2)).unwrap();
        let model = dir.path().join("m.hdf5");
        let out = zg()
            .args([
                "-q",
                "train",
                "--json",
                "--no-choose",
                "--label-column",
                "kind",
                "--train-set-path",
            ])
            .arg(&train)
            .arg("--test-set-path")
            .arg(&test)
            .arg("-o")
            .arg(&model)
            .assert()
            .success();
        let v: serde_json::Value = serde_json::from_slice(&out.get_output().stdout).unwrap();
        assert_eq!(v["family"], "bthowen");
        // the table defaults: no shifts, small filters
        let cfg = &v["report"]["config"];
        assert_eq!(cfg["augment"], serde_json::json!(["None"]));
        assert!(v["test"]["accuracy"].as_f64().unwrap() >= 0.9, "{v}");
        Trained {
            dir,
            model,
            train,
            test,
        }
    })
}

fn p(t: &Trained, name: &str) -> PathBuf {
    t.dir.path().join(name)
}

#[test]
fn the_model_stores_features_ranges_class_names_and_label_column() {
    let t = trained();
    let out = zg()
        .args(["info", "--json", "-m"])
        .arg(&t.model)
        .assert()
        .success();
    let v: serde_json::Value = serde_json::from_slice(&out.get_output().stdout).unwrap();
    let input = &v["input"];
    assert_eq!(input["kind"], "tabular");
    assert_eq!(input["class_names"], serde_json::json!(CLASSES));
    assert_eq!(input["label_column"], "kind");
    let f = input["features"].as_array().unwrap();
    assert_eq!(
        f.iter()
            .map(|f| f["name"].as_str().unwrap())
            .collect::<Vec<_>>(),
        ["a", "b", "c"]
    );
    // constant column c = 7: the range [7, 8]
    assert_eq!(
        (f[2]["lo"].as_f64(), f[2]["hi"].as_f64()),
        (Some(7.0), Some(8.0))
    );
}

#[test]
fn quantisation_round_trip_features_bytes_model_file() {
    let t = trained();
    // the ranges in the file are the training minimum and maximum of each column
    let text = std::fs::read_to_string(&t.train).unwrap();
    let rows: Vec<Vec<&str>> = text
        .lines()
        .skip(1)
        .map(|l| l.split(',').collect())
        .collect();
    let col = |j: usize| -> Vec<f64> { rows.iter().map(|r| r[j].parse().unwrap()).collect() };
    let (a, b) = (col(0), col(2));
    let min = |v: &[f64]| v.iter().cloned().fold(f64::MAX, f64::min);
    let max = |v: &[f64]| v.iter().cloned().fold(f64::MIN, f64::max);
    let model = zero_g::model::io::load(&t.model).unwrap();
    let f = model.input().features().unwrap().to_vec();
    assert_eq!((f[0].lo, f[0].hi), (min(&a), max(&a)));
    assert_eq!((f[1].lo, f[1].hi), (min(&b), max(&b)));
    // the bytes, by the documented rule, computed here independently
    let q = |x: f64, lo: f64, hi: f64| -> u8 {
        if x <= lo {
            0
        } else if x >= hi {
            255
        } else {
            (255.0 * (x - lo) / (hi - lo)).round() as u8
        }
    };
    let row = [12.5, -0.25, 7.0];
    let expected: Vec<u8> = row.iter().zip(&f).map(|(&x, f)| q(x, f.lo, f.hi)).collect();
    assert_eq!(model.input().quantise(&row).unwrap(), expected);
    // `commit --features` commits to exactly these bytes
    let salt = "0x0000000000000000000000000000000000000000000000000000000000000005";
    let out = zg()
        .args([
            "commit",
            "--json",
            "--features",
            "12.5,-0.25,7",
            "--salt",
            salt,
            "-m",
        ])
        .arg(&t.model)
        .assert()
        .success();
    let v: serde_json::Value = serde_json::from_slice(&out.get_output().stdout).unwrap();
    let want = zero_g::proving::artifacts::Opening::new(
        &expected,
        zero_g::commitment::from_hex(salt).unwrap(),
    );
    assert_eq!(v["commitment"], serde_json::json!(want.commitment));
    // clamping: below lo is 0, above hi is 255
    assert_eq!(
        model.input().quantise(&[-1e9, 1e9, 7.5]).unwrap(),
        vec![0, 255, 128]
    );
}

#[test]
fn predict_prints_the_class_name() {
    let t = trained();
    zg().args(["predict", "--features", "20.1,0.3,7", "-m"])
        .arg(&t.model)
        .assert()
        .success()
        .stdout(contains("class:  top (2)\nscores: ["));
    let out = zg()
        .args(["predict", "--json", "--features", "-0.5,0,7", "-m"])
        .arg(&t.model)
        .assert()
        .success();
    let v: serde_json::Value = serde_json::from_slice(&out.get_output().stdout).unwrap();
    assert_eq!(
        (v["class"].clone(), v["class_name"].clone()),
        (0.into(), "low".into())
    );
    assert_eq!(v["scores"].as_array().unwrap().len(), 3);
}

#[test]
fn csv_row_reads_the_nth_data_row_by_column_name() {
    let t = trained();
    // row 45 of the test file (1-based) is class `top` (rows 41..=60)
    let text = std::fs::read_to_string(&t.test).unwrap();
    let line: Vec<&str> = text.lines().nth(45).unwrap().split(',').collect();
    let features = format!("{},{},{}", line[0], line[2], line[3]);
    let by_row = zg()
        .args(["predict", "--json", "--csv-row"])
        .arg(format!("{}:45", t.test.display()))
        .arg("-m")
        .arg(&t.model)
        .assert()
        .success();
    let by_values = zg()
        .args(["predict", "--json", "--features", &features, "-m"])
        .arg(&t.model)
        .assert()
        .success();
    assert_eq!(by_row.get_output().stdout, by_values.get_output().stdout);
    // another column order and no label column: matched by name
    let other = p(t, "reordered.csv");
    std::fs::write(
        &other,
        format!("c,b,a\n{},{},{}\n", line[3], line[2], line[0]),
    )
    .unwrap();
    let reordered = zg()
        .args(["predict", "--json", "--csv-row"])
        .arg(format!("{}:1", other.display()))
        .arg("-m")
        .arg(&t.model)
        .assert()
        .success();
    assert_eq!(reordered.get_output().stdout, by_values.get_output().stdout);
}

#[test]
fn compute_accuracy_reads_a_csv_test_file_with_the_stored_label_column() {
    let t = trained();
    let out = zg()
        .args(["compute-accuracy", "--json", "-m"])
        .arg(&t.model)
        .arg("-t")
        .arg(&t.test)
        .assert()
        .success();
    let v: serde_json::Value = serde_json::from_slice(&out.get_output().stdout).unwrap();
    assert_eq!(v["total"], 60);
    assert!(v["accuracy"].as_f64().unwrap() >= 0.9);
    // a label never seen in training: the line and the column
    let bad = p(t, "unseen.csv");
    std::fs::write(&bad, "a,kind,b,c\n1,low,0,7\n2,huge,0,7\n").unwrap();
    zg().args(["compute-accuracy", "-m"])
        .arg(&t.model)
        .arg("-t")
        .arg(&bad)
        .assert()
        .code(2)
        .stderr(contains(
            "unseen.csv:3: column `kind`: label `huge` is not a class of the model (low, mid, top)",
        ))
        .stderr(contains("panicked").not());
    // an explicit label column that is not there
    zg().args(["compute-accuracy", "--label-column", "species", "-m"])
        .arg(&t.model)
        .arg("-t")
        .arg(&t.test)
        .assert()
        .code(2)
        .stderr(contains("test.csv:1: no label column `species`"));
    // a folder for a tabular model
    zg().args(["compute-accuracy", "-m"])
        .arg(&t.model)
        .arg("-t")
        .arg(t.dir.path())
        .assert()
        .code(2)
        .stderr(contains("give a CSV test file"));
}

#[test]
fn csv_reads_ignore_unused_columns_and_rows_and_name_crlf_lines_right() {
    let t = trained();
    let accuracy = |file: &Path| {
        let out = zg()
            .args(["compute-accuracy", "--json", "-m"])
            .arg(&t.model)
            .arg("-t")
            .arg(file)
            .assert()
            .success();
        serde_json::from_slice::<serde_json::Value>(&out.get_output().stdout).unwrap()
    };
    // a text column the model does not read, and CRLF line ends
    let text = std::fs::read_to_string(&t.test).unwrap();
    let noted: String = text
        .lines()
        .enumerate()
        .map(|(i, l)| match i {
            0 => format!("note,{l}\r\n"),
            _ => format!("\"row {i}, kept\",{l}\r\n"),
        })
        .collect();
    let f = p(t, "noted.csv");
    std::fs::write(&f, &noted).unwrap();
    assert_eq!(accuracy(&f), accuracy(&t.test));
    // a bad cell on line 4 of a CRLF file is named on line 4
    let crlf = p(t, "crlf.csv");
    std::fs::write(
        &crlf,
        "a,b,kind,c\r\n1,2,low,7\r\n3,4,mid,7\r\n5,zz,low,7\r\n",
    )
    .unwrap();
    zg().args(["compute-accuracy", "-m"])
        .arg(&t.model)
        .arg("-t")
        .arg(&crlf)
        .assert()
        .code(2)
        .stderr(contains("crlf.csv:4: column `b`: `zz` is not a number"));
    // --csv-row N reads row N only: a bad cell, a text column and a broken row elsewhere
    let rows = p(t, "rows.csv");
    std::fs::write(&rows, "a,note,b,c\n1,first,2,3\n1,,?,3\n\"unclosed\n").unwrap();
    let one = zg()
        .args(["predict", "--json", "-m"])
        .arg(&t.model)
        .arg("--csv-row")
        .arg(format!("{}:1", rows.display()))
        .assert()
        .success();
    let by_values = zg()
        .args(["predict", "--json", "--features", "1,2,3", "-m"])
        .arg(&t.model)
        .assert()
        .success();
    assert_eq!(one.get_output().stdout, by_values.get_output().stdout);
}

/// `zero_g train` on a CSV file with `text`: must fail with exit 2 and `message`.
fn train_fails(text: &str, extra: &[&str], message: &str) {
    let dir = tempfile::tempdir().unwrap();
    let f = dir.path().join("t.csv");
    std::fs::write(&f, text).unwrap();
    let out = zg()
        .args(["-q", "train", "--train-set-path"])
        .arg(&f)
        .args(extra)
        .arg("-o")
        .arg(dir.path().join("m.hdf5"))
        .assert()
        .code(2)
        .stderr(contains(message))
        .stderr(contains("panicked").not());
    let err = String::from_utf8_lossy(&out.get_output().stderr).into_owned();
    assert_eq!(err.trim_end().lines().count(), 1, "one line: {err}");
    assert!(!dir.path().join("m.hdf5").exists());
}

#[test]
fn bad_training_tables_are_exit_2_naming_file_line_and_column() {
    let ok = "a,b,y\n1,2,x\n3,4,z\n";
    // empty cells and text train (tests/tabular_text.rs); a number that is not finite does not
    train_fails(
        &format!("{ok}5,-inf,x\n"),
        &[],
        "t.csv:4: column `b`: `-inf` is not finite",
    );
    // a test file with an empty cell where training had none
    let dir = tempfile::tempdir().unwrap();
    let test = dir.path().join("test.csv");
    std::fs::write(&test, "a,b,y\n1,2,x\n1,,z\n").unwrap();
    train_fails(
        ok,
        &["--no-choose", "--test-set-path", test.to_str().unwrap()],
        "test.csv:3: column `b`: missing value `` (the model saw no empty cell in this column in training)",
    );
    train_fails(
        &format!("{ok}5,6\n"),
        &[],
        "t.csv:4: 2 fields, but the header has 3 columns",
    );
    train_fails(
        &format!("{ok}5,6,\n"),
        &[],
        "t.csv:4: column `y`: the label is missing",
    );
    train_fails(
        ok,
        &["--label-column", "class"],
        "t.csv:1: no label column `class`; the columns are: a, b, y",
    );
    train_fails("a,b,y\n1,2,x\n3,4,x\n", &[], "fewer than two classes");
    train_fails(
        ok,
        &["--family", "lutnet", "--flip"],
        "--flip mirrors images, and",
    );
    train_fails(
        "a,b,y\n",
        &[],
        "t.csv:1: the file has a header but no data rows",
    );
    // a test file whose label the training never saw
    let dir = tempfile::tempdir().unwrap();
    let test = dir.path().join("test.csv");
    std::fs::write(&test, "a,b,c,y\n1,2,7,low\n1,2,7,w\n").unwrap();
    train_fails(
        &table_text(10, 3).replace("kind", "y"),
        &[
            "--label-column",
            "y",
            "--test-set-path",
            test.to_str().unwrap(),
        ],
        "test.csv:3: column `y`: label `w` is not a class of the model (low, mid, top)",
    );
}

/// `predict` with `args` on the trained model: exit 2 and `message`.
fn predict_fails(args: &[&str], message: &str) {
    let t = trained();
    zg().arg("predict")
        .args(args)
        .arg("-m")
        .arg(&t.model)
        .assert()
        .code(2)
        .stderr(contains(message))
        .stderr(contains("panicked").not());
}

#[test]
fn bad_features_and_csv_rows_are_exit_2() {
    let t = trained();
    predict_fails(
        &["--features", "1,2"],
        "2 values given, the model takes 3 features (a, b, c)",
    );
    predict_fails(&["--features", "1,2,3,4"], "4 values given");
    predict_fails(&["--features", "1,x,3"], "feature `b`: `x` is not a number");
    predict_fails(
        &["--features", "1,nan,3"],
        "feature `b`: missing value `nan`",
    );
    predict_fails(
        &["--features", "1,inf,3"],
        "feature `b`: `inf` is not finite",
    );
    predict_fails(
        &["--csv-row", "no-colon"],
        "--csv-row `no-colon` is not FILE:N",
    );
    let test = t.test.display().to_string();
    predict_fails(
        &["--csv-row", &format!("{test}:0")],
        "N must be a row number ≥ 1",
    );
    predict_fails(
        &["--csv-row", &format!("{test}:61")],
        "test.csv has 60 data rows",
    );
    predict_fails(&["--csv-row", "/no/such.csv:1"], "cannot read /no/such.csv");
    let short = p(t, "short.csv");
    std::fs::write(&short, "a,b\n1,2\n").unwrap();
    predict_fails(
        &["--csv-row", &format!("{}:1", short.display())],
        "short.csv:1: no column `c`, a feature of the model",
    );
    let bad = p(t, "bad.csv");
    std::fs::write(&bad, "a,b,c\n1,2,3\n1,?,3\n").unwrap();
    predict_fails(
        &["--csv-row", &format!("{}:2", bad.display())],
        "bad.csv:3: column `b`: missing value `?`",
    );
    // an image for a tabular model, features for an image model, two kinds at once
    predict_fails(
        &["--img-path", reference(DIGIT7).to_str().unwrap()],
        "this model takes 3 features, not an image: give --features or --csv-row",
    );
    predict_fails(
        &[
            "--features",
            "1,2,3",
            "--img-path",
            reference(DIGIT7).to_str().unwrap(),
        ],
        "cannot be used with",
    );
    predict_fails(&[], "no input given");
    zg().args(["predict", "--features", "1,2", "-m"])
        .arg(reference(TINY))
        .assert()
        .code(2)
        .stderr(contains("the model takes a 28×28 image, not features"));
    zg().args(["commit", "--features", "1,2,3"])
        .assert()
        .code(2)
        .stderr(contains("need --model-path"));
}

#[test]
fn table_training_is_deterministic_and_shuffles_sorted_rows() {
    let t = trained();
    let again = p(t, "again.hdf5");
    zg().args([
        "-q",
        "train",
        "--no-choose",
        "--label-column",
        "kind",
        "--train-set-path",
    ])
    .arg(&t.train)
    .arg("-o")
    .arg(&again)
    .assert()
    .success();
    assert_eq!(
        std::fs::read(&t.model).unwrap(),
        std::fs::read(&again).unwrap(),
        "same seed, same table: the same file"
    );
    // the rows are sorted by class: without the shuffle the validation split (the last
    // 20 %) would hold only `top`, and the model would never predict `low` or `mid`
    let out = zg()
        .args([
            "-q",
            "train",
            "--json",
            "--no-choose",
            "--label-column",
            "kind",
            "--seed",
            "3",
        ])
        .arg("--train-set-path")
        .arg(&t.train)
        .arg("--test-set-path")
        .arg(&t.test)
        .arg("-o")
        .arg(p(t, "seed3.hdf5"))
        .assert()
        .success();
    let v: serde_json::Value = serde_json::from_slice(&out.get_output().stdout).unwrap();
    assert_eq!(v["report"]["report"]["validation_samples"], 36);
    assert!(v["test"]["accuracy"].as_f64().unwrap() >= 0.9, "{v}");
}

#[test]
fn lut_networks_train_on_tables_with_the_table_defaults() {
    let t = trained();
    let out_path = p(t, "lut.hdf5");
    let out = zg()
        .args([
            "-q", "train", "--json", "--family", "lutnet", "--epochs", "30",
        ])
        .args(["--label-column", "kind", "--train-set-path"])
        .arg(&t.train)
        .arg("--test-set-path")
        .arg(&t.test)
        .arg("-o")
        .arg(&out_path)
        .assert()
        .success();
    let v: serde_json::Value = serde_json::from_slice(&out.get_output().stdout).unwrap();
    let cfg = &v["report"]["config"];
    assert_eq!(cfg["arity"], 4);
    assert_eq!(cfg["shift"], 0);
    assert_eq!(cfg["tie_break_by_loss"], true);
    let last = cfg["layers"]
        .as_array()
        .unwrap()
        .last()
        .unwrap()
        .as_u64()
        .unwrap();
    assert_eq!(last % 3, 0);
    assert!(v["test"]["accuracy"].as_f64().unwrap() >= 0.9, "{v}");
    assert_eq!(v["input"]["class_names"], serde_json::json!(CLASSES));
    zg().args(["predict", "--features", "20.1,0.3,7", "-m"])
        .arg(&out_path)
        .assert()
        .success()
        .stdout(contains("class:  top (2)"));
    let _ = std::fs::remove_file(Path::new(&format!("{}.ckpt", out_path.display())));
}
