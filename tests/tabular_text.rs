//! Real tables through the binary: text (category) columns and empty cells from training to
//! `info`, `predict` (`--features` and `--csv-row`), `compute-accuracy` and `commit`; an
//! unseen category (an error, or the "other" input of `--unseen other`); BOMs, CRLF line
//! ends, quoting; a column that is all empty; a label column with one class; the model file
//! round trip of the new fields; and `train` choosing by cross-validation, deterministically.

mod common;
use assert_cmd::Command;
use predicates::prelude::*;
use predicates::str::contains;
use std::path::{Path, PathBuf};

const SALT: &str = "0x0000000000000000000000000000000000000000000000000000000000000001";

fn zg() -> Command {
    Command::cargo_bin("zero_g").unwrap()
}

fn json(out: &assert_cmd::assert::Assert) -> serde_json::Value {
    serde_json::from_slice(&out.get_output().stdout).unwrap()
}

/// A 2-class table with a text column (`island`: the class shows in it, with noise), a number
/// column with `NA` cells (`mass`: the class shows in it), a text column with empty cells
/// (`sex`) and a label column `kind` in the middle; `n` rows, deterministic.
fn penguin_like(n: usize, offset: usize) -> String {
    let mut s = String::from("island,mass,kind,sex\n");
    for i in offset..offset + n {
        let c = i % 2;
        let island = match (c, i % 7) {
            (_, 0) => "Torgersen",
            (0, _) => "Biscoe",
            _ => "Dream",
        };
        let mass = if i % 5 == 3 {
            "NA".to_string()
        } else {
            format!("{}", 3000 + 1000 * c + (i * 37) % 500)
        };
        let sex = ["male", "female", ""][i % 3];
        let kind = ["small", "big"][c];
        s += &format!("{island},{mass},{kind},{sex}\n");
    }
    s
}

fn write(dir: &Path, name: &str, text: &str) -> PathBuf {
    let p = dir.join(name);
    std::fs::write(&p, text).unwrap();
    p
}

fn train(dir: &Path, train: &Path, extra: &[&str], out: &str) -> serde_json::Value {
    let model = dir.join(out);
    json(
        &zg()
            .args(["-q", "train", "--json", "--label-column", "kind"])
            .args(extra)
            .arg("--train-set-path")
            .arg(train)
            .arg("-o")
            .arg(&model)
            .assert()
            .success(),
    )
}

#[test]
fn text_columns_and_empty_cells_train_predict_and_score() {
    let dir = tempfile::tempdir().unwrap();
    let tr = write(dir.path(), "train.csv", &penguin_like(120, 0));
    let te = write(dir.path(), "test.csv", &penguin_like(40, 1000));
    for (extra, name) in [
        (&["--no-choose"][..], "b.hdf5"),
        (&["--family", "lutnet", "--epochs", "20"][..], "l.hdf5"),
    ] {
        let v = train(dir.path(), &tr, extra, name);
        let model = dir.path().join(name);
        let f = v["input"]["features"].as_array().unwrap().clone();
        assert_eq!(
            f[0]["categories"],
            serde_json::json!(["Biscoe", "Dream", "Torgersen"])
        );
        assert_eq!(f[0].get("missing"), None);
        assert_eq!(f[1]["missing"], true);
        assert!(f[1]["fill"].as_f64().is_some());
        assert_eq!(f[2]["categories"], serde_json::json!(["female", "male"]));
        assert_eq!(f[2]["missing"], true);
        // 3 island bytes, mass and its missing byte, 2 sex bytes and the missing byte
        let info = json(
            &zg()
                .args(["info", "--json", "-m"])
                .arg(&model)
                .assert()
                .success(),
        );
        assert_eq!(info["num_inputs"], 8);
        zg().args(["info", "-m"])
            .arg(&model)
            .assert()
            .success()
            .stdout(contains("island: one of Biscoe, Dream, Torgersen"))
            .stdout(contains("empty cells allowed (filled with"));
        // compute-accuracy reads the test file's text and empty cells
        let acc = json(
            &zg()
                .args(["-q", "compute-accuracy", "--json", "-m"])
                .arg(&model)
                .arg("-t")
                .arg(&te)
                .assert()
                .success(),
        );
        assert!(acc["accuracy"].as_f64().unwrap() >= 0.9, "{name}: {acc}");
        // --features (in the model's order: island, mass, sex) = --csv-row of the same cells
        let row = write(dir.path(), "row.csv", "sex,island,mass\n,Dream,NA\n");
        let a = json(
            &zg()
                .args(["predict", "--json", "--features", "Dream,NA,", "-m"])
                .arg(&model)
                .assert()
                .success(),
        );
        let b = json(
            &zg()
                .args(["predict", "--json", "--csv-row"])
                .arg(format!("{}:1", row.display()))
                .arg("-m")
                .arg(&model)
                .assert()
                .success(),
        );
        assert_eq!(a["scores"], b["scores"]);
        assert_eq!(a["class_name"], "big", "{name}: {a}");
        // commit covers the same bytes from either form
        let c = |args: &[&str]| {
            let o = dir.path().join("o.json");
            let v = json(
                &zg()
                    .args(["commit", "--json", "--salt", SALT, "-o"])
                    .arg(&o)
                    .args(args)
                    .arg("-m")
                    .arg(&model)
                    .assert()
                    .success(),
            );
            v["commitment"].clone()
        };
        assert_eq!(
            c(&["--features", "Biscoe,3100,male"]),
            c(&["--features", " Biscoe , 3100 , male "])
        );
        // an unseen category is exit 2 naming the file, line and column
        let bad = write(
            dir.path(),
            "bad.csv",
            "island,mass,sex\nBiscoe,3000,male\nAtlantis,3000,male\n",
        );
        zg().args(["predict", "--csv-row"])
            .arg(format!("{}:2", bad.display()))
            .arg("-m")
            .arg(&model)
            .assert()
            .code(2)
            .stderr(contains("bad.csv:3: column `island`: `Atlantis` is not a category of the model (Biscoe, Dream, Torgersen)"))
            .stderr(contains("panicked").not());
        zg().args(["predict", "--features", "Atlantis,3000,male", "-m"])
            .arg(&model)
            .assert()
            .code(2)
            .stderr(contains("feature `island`: `Atlantis` is not a category"));
        zg().args(["predict", "--features", "Biscoe,heavy,male", "-m"])
            .arg(&model)
            .assert()
            .code(2)
            .stderr(contains("feature `mass`: `heavy` is not a number"));
    }
}

#[test]
fn unseen_other_gives_text_columns_an_other_input() {
    let dir = tempfile::tempdir().unwrap();
    let tr = write(dir.path(), "train.csv", &penguin_like(60, 0));
    let v = train(
        dir.path(),
        &tr,
        &["--no-choose", "--unseen", "other"],
        "m.hdf5",
    );
    let f = &v["input"]["features"];
    assert_eq!(f[0]["other"], true);
    assert_eq!(f[2]["other"], true);
    assert_eq!(
        f[1].get("other"),
        None,
        "a number column has no other input"
    );
    let model = dir.path().join("m.hdf5");
    zg().args(["predict", "--features", "Atlantis,4200,", "-m"])
        .arg(&model)
        .assert()
        .success()
        .stdout(contains("class:"));
}

#[test]
fn bom_crlf_quotes_and_an_all_empty_column() {
    let dir = tempfile::tempdir().unwrap();
    let mut text = String::from("\u{feff}\"note, text\",empty,x,kind\r\n");
    for i in 0..40 {
        let c = i % 2;
        text += &format!(
            "\"{}, \"\"q\"\"\",,{},{}\r\n",
            ["left", "right"][c],
            c * 10 + i % 3,
            ["a", "b"][c]
        );
    }
    let tr = write(dir.path(), "t.csv", &text);
    let out = zg()
        .args([
            "-q",
            "train",
            "--json",
            "--no-choose",
            "--label-column",
            "kind",
        ])
        .arg("--train-set-path")
        .arg(&tr)
        .arg("-o")
        .arg(dir.path().join("m.hdf5"))
        .assert()
        .success()
        .stderr(contains("column `empty` of"))
        .stderr(contains(
            "is empty on every row; the model does not read it",
        ));
    let v = json(&out);
    let f = v["input"]["features"].as_array().unwrap();
    assert_eq!(f.len(), 2, "the empty column is left out: {v}");
    assert_eq!(f[0]["name"], "note, text");
    assert_eq!(
        f[0]["categories"],
        serde_json::json!(["left, \"q\"", "right, \"q\""])
    );
    // the CRLF file's rows by number, the quoted value by --features
    let m = dir.path().join("m.hdf5");
    let a = json(
        &zg()
            .args(["predict", "--json", "--csv-row"])
            .arg(format!("{}:2", tr.display()))
            .arg("-m")
            .arg(&m)
            .assert()
            .success(),
    );
    assert_eq!(a["class_name"], "b");
    let b = json(
        &zg()
            .args([
                "predict",
                "--json",
                "--features",
                "\"right, \"\"q\"\"\",11",
                "-m",
            ])
            .arg(&m)
            .assert()
            .success(),
    );
    assert_eq!(a["scores"], b["scores"]);
}

#[test]
fn one_class_or_all_empty_tables_are_exit_2() {
    let dir = tempfile::tempdir().unwrap();
    for (text, message) in [
        (
            "a,kind\nx,p\ny,p\n",
            "t.csv:1: the label column holds fewer than two classes",
        ),
        (
            "a,kind\n,p\nNA,q\n",
            "t.csv:1: every feature column is empty",
        ),
        (
            "a,kind\n1,p\ninf,q\n",
            "t.csv:3: column `a`: `inf` is not finite",
        ),
    ] {
        let tr = write(dir.path(), "t.csv", text);
        let out = zg()
            .args(["-q", "train", "--label-column", "kind", "--train-set-path"])
            .arg(&tr)
            .arg("-o")
            .arg(dir.path().join("m.hdf5"))
            .assert()
            .code(2)
            .stderr(contains(message))
            .stderr(contains("panicked").not());
        let err = String::from_utf8_lossy(&out.get_output().stderr).into_owned();
        assert_eq!(err.trim_end().lines().count(), 1, "one line: {err}");
    }
}

#[test]
fn the_new_fields_round_trip_through_the_model_file() {
    use zero_g::model::io;
    let dir = tempfile::tempdir().unwrap();
    let tr = write(dir.path(), "train.csv", &penguin_like(60, 0));
    for (extra, name) in [
        (&["--no-choose", "--unseen", "other"][..], "b.hdf5"),
        (&["--family", "lutnet", "--epochs", "3"][..], "l.hdf5"),
    ] {
        train(dir.path(), &tr, extra, name);
        let path = dir.path().join(name);
        let m = io::load(&path).unwrap();
        assert!(m.input().has_column_encodings());
        let again = dir.path().join(format!("again-{name}"));
        io::save(&m, &again).unwrap();
        let m2 = io::load(&again).unwrap();
        assert_eq!(m2.input(), m.input());
        assert_eq!(m2.digest_hex(), m.digest_hex());
        assert_eq!(
            std::fs::read(&path).unwrap(),
            std::fs::read(&again).unwrap()
        );
    }
}

#[test]
fn train_chooses_by_cross_validation_deterministically() {
    let dir = tempfile::tempdir().unwrap();
    let tr = write(dir.path(), "train.csv", &penguin_like(80, 0));
    let run = |name: &str| {
        train(
            dir.path(),
            &tr,
            &["--time-budget", "3", "--folds", "3"],
            name,
        )
    };
    let v = run("a.hdf5");
    let choice = &v["report"]["choice"];
    let tried = choice["tried"].as_array().unwrap();
    assert!(tried.len() >= 4, "{choice}");
    assert_eq!(
        tried[0]["tried"], true,
        "the first candidate is always tried"
    );
    assert!(
        tried.iter().any(|t| t["tried"] == false),
        "a 3 s budget skips some: {choice}"
    );
    let kept = &tried[choice["kept"].as_u64().unwrap() as usize];
    assert!(tried
        .iter()
        .filter(|t| t["tried"] == true)
        .all(|t| t["correct"].as_u64() <= kept["correct"].as_u64()));
    // up to 400 rows the rows are dealt three times: every row scored three times
    assert_eq!(kept["total"], 240);
    assert_eq!(choice["repeats"], 3);
    run("b.hdf5");
    assert_eq!(
        std::fs::read(dir.path().join("a.hdf5")).unwrap(),
        std::fs::read(dir.path().join("b.hdf5")).unwrap(),
        "the same seed chooses and trains the same model"
    );
    // the printed table names every candidate and the reason
    zg().args([
        "train",
        "--label-column",
        "kind",
        "--time-budget",
        "3",
        "--folds",
        "3",
    ])
    .arg("--train-set-path")
    .arg(&tr)
    .arg("-o")
    .arg(dir.path().join("c.hdf5"))
    .assert()
    .success()
    .stdout(contains("3-fold cross-validation, 3 deals on 80 rows"))
    .stdout(contains("over the budget"))
    .stdout(contains("the best cross-validated accuracy"));
    // --repeats 1: one deal, every row scored once
    let v = train(
        dir.path(),
        &tr,
        &["--time-budget", "3", "--folds", "3", "--repeats", "1"],
        "e.hdf5",
    );
    assert_eq!(v["report"]["choice"]["tried"][0]["total"], 80);
    // a model flag means no choice
    let v = train(
        dir.path(),
        &tr,
        &["--family", "lutnet", "--epochs", "2"],
        "d.hdf5",
    );
    assert!(v["report"].get("choice").is_none());
}

/// Issue 15: `--members N` trains N one-layer networks and bundles them as one network of
/// N times the nodes, which predicts the sum of the members' scores; `--members` is a model
/// flag (no choice) and belongs to the LUT family.
#[test]
fn an_ensemble_trains_as_one_network() {
    let dir = tempfile::tempdir().unwrap();
    let tr = write(dir.path(), "train.csv", &penguin_like(80, 0));
    let flags = ["--family", "lutnet", "--epochs", "3", "--layers", "20"];
    let one = train(dir.path(), &tr, &flags, "one.hdf5");
    let mut two_flags = flags.to_vec();
    two_flags.extend(["--members", "2"]);
    let two = train(dir.path(), &tr, &two_flags, "two.hdf5");
    assert!(two["report"].get("choice").is_none());
    assert_eq!(two["report"]["members"], 2);
    let nodes = |name: &str| {
        json(
            &zg()
                .args(["info", "--json", "-m"])
                .arg(dir.path().join(name))
                .assert()
                .success(),
        )["shape"]["nodes"]
            .clone()
    };
    assert_eq!(nodes("two.hdf5"), serde_json::json!(40), "{one}");
    // the first member is the single network (same data, seed 0): the ensemble's scores are
    // its scores plus the second member's, which are at most a class group of 10 nodes (the
    // library test checks the sum exactly)
    let scores = |name: &str| {
        let v = json(
            &zg()
                .args(["predict", "--json", "--features", "Dream,4100,male", "-m"])
                .arg(dir.path().join(name))
                .assert()
                .success(),
        );
        v["scores"]
            .as_array()
            .unwrap()
            .iter()
            .map(|x| x.as_u64().unwrap())
            .collect::<Vec<_>>()
    };
    let (a, ab) = (scores("one.hdf5"), scores("two.hdf5"));
    assert!(
        a.iter().zip(&ab).all(|(x, y)| x <= y && y - x <= 10),
        "{a:?} {ab:?}"
    );
    zg().args(["-q", "train", "--members", "2", "--label-column", "kind"])
        .arg("--train-set-path")
        .arg(&tr)
        .arg("-o")
        .arg(dir.path().join("x.hdf5"))
        .assert()
        .failure()
        .stderr(contains("--members"));
}
