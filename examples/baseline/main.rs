//! A simple measured baseline for the tabular data sets: k-nearest neighbours (k = 1 and 5)
//! on standardised features, trained on `train.csv` and scored on `test.csv`.
//!
//! Features are standardised with the training rows' mean and (population) standard
//! deviation (a constant feature is only centred); the distance is Euclidean. Neighbours are
//! ordered by distance, then by training row (so the result is deterministic); the vote is
//! the majority of the k nearest, a tie going to the tied class whose nearest member is
//! closest.
//!
//! ```sh
//! cargo run --release --example baseline                       # every data/tabular/<name>/
//! cargo run --release --example baseline -- data/tabular/iris  # one data set
//! cargo run --release --example baseline -- --json data/tabular/iris
//! ```

use std::path::{Path, PathBuf};
use zero_g::data::csv::{read, Label, Table};
use zero_g::model::InputSpec;

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
        features: n,
        classes: spec.class_names.len(),
        train_rows: xtr.len(),
        test_rows: xte.len(),
        knn1: knn(&xtr, &ytr, &xte, &yte, 1),
        knn5: knn(&xtr, &ytr, &xte, &yte, 5),
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
            "{:<14} {:>8} {:>7} {:>6} {:>5} {:>14} {:>14}",
            "data set", "features", "classes", "train", "test", "1-NN", "5-NN"
        );
    }
    for d in &dirs {
        let r = match run(d) {
            Ok(r) => r,
            Err(e) => {
                eprintln!("error: {e}");
                std::process::exit(2);
            }
        };
        let pct = |c: usize| 100.0 * c as f64 / r.test_rows as f64;
        if json {
            out.push(format!(
                "{{\"name\":\"{}\",\"features\":{},\"classes\":{},\"train_rows\":{},\"test_rows\":{},\"knn1_correct\":{},\"knn5_correct\":{},\"knn1\":{},\"knn5\":{}}}",
                r.name, r.features, r.classes, r.train_rows, r.test_rows, r.knn1, r.knn5,
                r.knn1 as f64 / r.test_rows as f64, r.knn5 as f64 / r.test_rows as f64
            ));
        } else {
            println!(
                "{:<14} {:>8} {:>7} {:>6} {:>5} {:>6.2} % {:>3}/{:<3} {:>6.2} % {:>3}/{:<3}",
                r.name,
                r.features,
                r.classes,
                r.train_rows,
                r.test_rows,
                pct(r.knn1),
                r.knn1,
                r.test_rows,
                pct(r.knn5),
                r.knn5,
                r.test_rows
            );
        }
    }
    if json {
        println!("[{}]", out.join(","));
    }
}
