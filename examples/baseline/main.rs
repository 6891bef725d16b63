//! Measured baselines for the tabular data sets, trained on `train.csv` and scored on
//! `test.csv` (the split zero_g's models use): k-nearest neighbours (k = 1 and 5), logistic
//! regression, a random forest and gradient-boosted trees.
//!
//! - **Features.** The training file's columns as zero_g reads them (`Table::fit`): a
//!   number column is its value (an empty cell: the training median, plus a 0/1 "missing"
//!   column), a text column is one 0/1 column per category. Every column is standardised
//!   with the training rows' mean and (population) standard deviation (a constant one is
//!   only centred).
//! - **k-NN:** Euclidean distance; neighbours ordered by distance, then by training row; the
//!   majority of the k nearest, a tie going to the tied class whose nearest member is closest.
//! - **Logistic regression:** smartcore's multinomial `LogisticRegression` (L-BFGS) with
//!   L2 penalty `alpha = 1` (scikit-learn's default `C = 1`).
//! - **Random forest:** smartcore's `RandomForestClassifier`: 300 trees, Gini, √features per
//!   split, unlimited depth, seed 0.
//! - **Gradient boosting:** `boost.rs` (neither smartcore nor linfa has a boosting
//!   classifier): 100 rounds of depth-3 regression trees per class on the softmax
//!   log-loss, learning rate 0.1 (scikit-learn's defaults).
//!
//! Every model is deterministic, so the table is reproducible.
//!
//! ```sh
//! cargo run --release --example baseline                       # every data/tabular/<name>/
//! cargo run --release --example baseline -- data/tabular/iris  # one data set
//! cargo run --release --example baseline -- --json data/tabular/iris
//! ```

mod boost;

use smartcore::ensemble::random_forest_classifier::{
    RandomForestClassifier, RandomForestClassifierParameters,
};
use smartcore::linalg::basic::matrix::DenseMatrix;
use smartcore::linear::logistic_regression::{LogisticRegression, LogisticRegressionParameters};
use std::path::{Path, PathBuf};
use zero_g::data::csv::{read, Label, Table};
use zero_g::model::InputSpec;

/// Correct predictions among `pred` for `y`.
fn correct(pred: &[usize], y: &[usize]) -> usize {
    pred.iter().zip(y).filter(|(p, y)| p == y).count()
}

/// Logistic regression's test predictions.
fn logistic(xtr: &[Vec<f64>], ytr: &[usize], xte: &[Vec<f64>]) -> Result<Vec<usize>, String> {
    let x = DenseMatrix::from_2d_vec(&xtr.to_vec()).map_err(|e| e.to_string())?;
    let t = DenseMatrix::from_2d_vec(&xte.to_vec()).map_err(|e| e.to_string())?;
    let y: Vec<i64> = ytr.iter().map(|&c| c as i64).collect();
    let m = LogisticRegression::fit(
        &x,
        &y,
        LogisticRegressionParameters::default().with_alpha(1.0),
    )
    .map_err(|e| e.to_string())?;
    let p: Vec<i64> = m.predict(&t).map_err(|e| e.to_string())?;
    Ok(p.into_iter().map(|c| c as usize).collect())
}

/// The random forest's test predictions.
fn forest(xtr: &[Vec<f64>], ytr: &[usize], xte: &[Vec<f64>]) -> Result<Vec<usize>, String> {
    let x = DenseMatrix::from_2d_vec(&xtr.to_vec()).map_err(|e| e.to_string())?;
    let t = DenseMatrix::from_2d_vec(&xte.to_vec()).map_err(|e| e.to_string())?;
    let y: Vec<i64> = ytr.iter().map(|&c| c as i64).collect();
    let params = RandomForestClassifierParameters::default()
        .with_n_trees(300)
        .with_seed(0);
    let m = RandomForestClassifier::fit(&x, &y, params).map_err(|e| e.to_string())?;
    let p: Vec<i64> = m.predict(&t).map_err(|e| e.to_string())?;
    Ok(p.into_iter().map(|c| c as usize).collect())
}

/// k-NN accuracy (correct, total) of `test` given `train`, both standardised.
fn knn(
    train: &[Vec<f64>],
    ytrain: &[usize],
    test: &[Vec<f64>],
    ytest: &[usize],
    k: usize,
) -> usize {
    let classes = ytrain.iter().chain(ytest).max().map_or(0, |m| m + 1);
    let mut correct = 0;
    for (x, &y) in test.iter().zip(ytest) {
        let mut d: Vec<(f64, usize)> = train
            .iter()
            .enumerate()
            .map(|(i, t)| (t.iter().zip(x).map(|(a, b)| (a - b) * (a - b)).sum(), i))
            .collect();
        d.sort_by(|a, b| a.0.total_cmp(&b.0).then(a.1.cmp(&b.1)));
        let mut votes = vec![0usize; classes];
        let mut first = vec![usize::MAX; classes];
        for (rank, &(_, i)) in d.iter().take(k).enumerate() {
            votes[ytrain[i]] += 1;
            first[ytrain[i]] = first[ytrain[i]].min(rank);
        }
        let best = (0..classes)
            .max_by(|&a, &b| votes[a].cmp(&votes[b]).then(first[b].cmp(&first[a])))
            .unwrap_or(0);
        correct += (best == y) as usize;
    }
    correct
}

/// The rows of a table as numbers for the classical models: the model's column encodings
/// (`Table::fit` of the training file: one-hot categories, missing-value indicators), except
/// that a number column keeps its value (its training median when the cell is empty) instead
/// of the quantised byte. Columns are matched by name.
fn rows(t: &Table, spec: &InputSpec) -> Result<Vec<Vec<f64>>, String> {
    let features = spec.features().ok_or("not a table")?;
    let idx: Vec<usize> = features
        .iter()
        .map(|f| {
            t.features
                .iter()
                .position(|c| *c == f.name)
                .ok_or_else(|| format!("{}: no column `{}`", t.path.display(), f.name))
        })
        .collect::<Result<_, _>>()?;
    (0..t.len())
        .map(|i| {
            let cells: Vec<_> = idx.iter().map(|&j| t.cell(i, j)).collect();
            let bytes = spec
                .encode_cells(&cells)
                .map_err(|(_, e)| format!("{}:{}: {e}", t.path.display(), t.lines[i]))?;
            let mut row: Vec<f64> = bytes.iter().map(|&b| b as f64 / 255.0).collect();
            let mut at = 0;
            for (f, &j) in features.iter().zip(&idx) {
                if !f.is_category() {
                    row[at] = if t.is_missing(i, j) {
                        f.fill.unwrap_or(f.lo)
                    } else {
                        t.row(i)[j]
                    };
                }
                at += f.width();
            }
            Ok(row)
        })
        .collect()
}

struct Result1 {
    name: String,
    features: usize,
    classes: usize,
    train_rows: usize,
    test_rows: usize,
    knn1: usize,
    knn5: usize,
    lr: usize,
    rf: usize,
    gb: usize,
}

fn run(dir: &Path) -> Result<Result1, String> {
    let train = read(&dir.join("train.csv"), Label::Last).map_err(|e| e.to_string())?;
    let test = read(&dir.join("test.csv"), Label::Last).map_err(|e| e.to_string())?;
    let spec = train.fit().map_err(|e| e.to_string())?;
    let class_of = |t: &Table| -> Result<Vec<usize>, String> {
        t.labels
            .iter()
            .map(|l| {
                spec.class_names
                    .iter()
                    .position(|c| c == l)
                    .ok_or_else(|| format!("{}: label `{l}` not in training", t.path.display()))
            })
            .collect()
    };
    let (ytr, yte) = (class_of(&train)?, class_of(&test)?);
    let mut xtr = rows(&train, &spec)?;
    let mut xte = rows(&test, &spec)?;
    let n = spec.num_inputs();
    for j in 0..n {
        let m = xtr.iter().map(|r| r[j]).sum::<f64>() / xtr.len() as f64;
        let v = xtr.iter().map(|r| (r[j] - m) * (r[j] - m)).sum::<f64>() / xtr.len() as f64;
        let s = if v > 0.0 { v.sqrt() } else { 1.0 };
        for r in xtr.iter_mut().chain(xte.iter_mut()) {
            r[j] = (r[j] - m) / s;
        }
    }
    Ok(Result1 {
        name: dir
            .file_name()
            .map(|f| f.to_string_lossy().into_owned())
            .unwrap_or_default(),
        features: spec.features().map_or(0, <[_]>::len),
        classes: spec.class_names.len(),
        train_rows: xtr.len(),
        test_rows: xte.len(),
        knn1: knn(&xtr, &ytr, &xte, &yte, 1),
        knn5: knn(&xtr, &ytr, &xte, &yte, 5),
        lr: correct(&logistic(&xtr, &ytr, &xte)?, &yte),
        rf: correct(&forest(&xtr, &ytr, &xte)?, &yte),
        gb: {
            let classes = spec.class_names.len();
            let b = boost::Booster::fit(&xtr, &ytr, classes, &boost::BoostConfig::default());
            correct(&xte.iter().map(|x| b.predict(x)).collect::<Vec<_>>(), &yte)
        },
    })
}

fn main() {
    let mut json = false;
    let mut dirs: Vec<PathBuf> = Vec::new();
    for a in std::env::args().skip(1) {
        if a == "--json" {
            json = true;
        } else {
            dirs.push(a.into());
        }
    }
    if dirs.is_empty() {
        let root = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("data/tabular");
        let Ok(rd) = std::fs::read_dir(&root) else {
            eprintln!(
                "error: {} is missing: run scripts/fetch-datasets.sh",
                root.display()
            );
            std::process::exit(2);
        };
        dirs = rd
            .filter_map(|e| e.ok().map(|e| e.path()))
            .filter(|p| p.join("train.csv").is_file())
            .collect();
        dirs.sort();
    }
    let mut out = Vec::new();
    if !json {
        println!(
            "{:<14} {:>8} {:>7} {:>6} {:>5} {:>15} {:>15} {:>15} {:>15} {:>15}",
            "data set",
            "features",
            "classes",
            "train",
            "test",
            "1-NN",
            "5-NN",
            "logistic",
            "forest",
            "boosting"
        );
    }
    for d in &dirs {
        let r = match run(d) {
            Ok(r) => r,
            Err(e) => {
                eprintln!("error: {}: {e}", d.display());
                std::process::exit(2);
            }
        };
        let acc = |c: usize| c as f64 / r.test_rows as f64;
        if json {
            out.push(serde_json::json!({
                "name": r.name, "features": r.features, "classes": r.classes,
                "train_rows": r.train_rows, "test_rows": r.test_rows,
                "knn1_correct": r.knn1, "knn5_correct": r.knn5, "lr_correct": r.lr,
                "rf_correct": r.rf, "gb_correct": r.gb,
                "knn1": acc(r.knn1), "knn5": acc(r.knn5), "lr": acc(r.lr), "rf": acc(r.rf),
                "gb": acc(r.gb),
            }));
        } else {
            let cell = |c: usize| format!("{:.2} % {c}/{}", 100.0 * acc(c), r.test_rows);
            println!(
                "{:<14} {:>8} {:>7} {:>6} {:>5} {:>15} {:>15} {:>15} {:>15} {:>15}",
                r.name,
                r.features,
                r.classes,
                r.train_rows,
                r.test_rows,
                cell(r.knn1),
                cell(r.knn5),
                cell(r.lr),
                cell(r.rf),
                cell(r.gb)
            );
        }
    }
    if json {
        println!("{}", serde_json::Value::Array(out));
    }
}
