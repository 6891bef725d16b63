//! Tabular data: a CSV file with a header row, one label column and numeric features.
//!
//! Rules (each broken rule is an error naming the file, the line and the column):
//!
//! - the first line is the header; column names are unique;
//! - the label column is chosen by name (default: the last column); every other column is a
//!   feature and must hold a finite decimal number on every row (no empty cells, no `NA`);
//! - labels are strings: a model's class names are the distinct labels of its training file,
//!   in numeric order when every label is an integer, else in lexicographic order;
//! - features are matched to a model's by **name**, so a test file may order its columns
//!   differently (and may omit the label column when only features are needed).
//!
//! Features become bytes by the model's quantisation (see [`crate::model::input`]); fitting a
//! new model takes each feature's training minimum and maximum as its range. Training
//! shuffles a table's rows with its seed before holding out the last ones for validation
//! ([`shuffled`]).

use super::Dataset;
use crate::error::DataError;
use crate::model::input::{Feature, InputKind, InputSpec, MAX_INPUTS, MAX_NAME_BYTES};
use std::path::{Path, PathBuf};

/// The largest CSV file zero_g reads.
pub const MAX_CSV_BYTES: u64 = 512 << 20;
/// The most classes a tabular data set may have (labels are stored as bytes).
pub const MAX_CSV_CLASSES: usize = 256;

/// A parsed CSV file.
#[derive(Clone, Debug, PartialEq)]
pub struct Table {
    /// The file (for error messages).
    pub path: PathBuf,
    /// Feature column names, in file order.
    pub features: Vec<String>,
    /// The label column's name, if the file has it.
    pub label_column: Option<String>,
    /// `rows × features` values, row-major.
    pub values: Vec<f64>,
    /// One label per row (when the file has the label column).
    pub labels: Vec<String>,
    /// The line of each row in the file.
    pub lines: Vec<u64>,
}

fn err(path: &Path, line: u64, reason: impl Into<String>) -> DataError {
    DataError::Csv {
        path: path.to_path_buf(),
        line,
        reason: reason.into(),
    }
}

/// Whether a file name looks like a CSV file.
pub fn is_csv(path: &Path) -> bool {
    path.extension()
        .and_then(|e| e.to_str())
        .is_some_and(|e| e.eq_ignore_ascii_case("csv"))
}

/// How to pick the label column.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Label<'a> {
    /// This named column (it must exist).
    Named(&'a str),
    /// The last column.
    Last,
    /// This column if the file has it (features only otherwise).
    IfPresent(&'a str),
}

/// Reads a CSV file.
pub fn read(path: &Path, label: Label<'_>) -> Result<Table, DataError> {
    let bytes =
        crate::fsutil::read_regular(path, MAX_CSV_BYTES).map_err(|source| DataError::Io {
            path: path.into(),
            source,
        })?;
    parse(path, &bytes, label)
}

/// Parses CSV text already in memory (e.g. from a request); `path` only names it in
/// messages.
pub fn parse(path: &Path, bytes: &[u8], label: Label<'_>) -> Result<Table, DataError> {
    let mut rdr = csv::ReaderBuilder::new()
        .has_headers(true)
        .flexible(true)
        .from_reader(bytes);
    let header = rdr
        .headers()
        .map_err(|e| err(path, 1, format!("unreadable header: {e}")))?
        .clone();
    let names: Vec<String> = header.iter().map(|h| h.trim().to_string()).collect();
    if names.is_empty() || names.iter().all(String::is_empty) {
        return Err(err(path, 1, "the header row is empty"));
    }
    for (i, n) in names.iter().enumerate() {
        if n.is_empty() {
            return Err(err(path, 1, format!("column {} has no name", i + 1)));
        }
        if n.len() > MAX_NAME_BYTES {
            return Err(err(
                path,
                1,
                format!(
                    "column {} has a name longer than {MAX_NAME_BYTES} bytes",
                    i + 1
                ),
            ));
        }
        if names[..i].contains(n) {
            return Err(err(path, 1, format!("column `{n}` appears twice")));
        }
    }
    let label_idx = match label {
        Label::Last => Some(names.len() - 1),
        Label::Named(l) => Some(names.iter().position(|n| n == l).ok_or_else(|| {
            err(
                path,
                1,
                format!(
                    "no label column `{l}`; the columns are: {}",
                    names.join(", ")
                ),
            )
        })?),
        Label::IfPresent(l) => names.iter().position(|n| n == l),
    };
    let features: Vec<String> = names
        .iter()
        .enumerate()
        .filter(|(i, _)| Some(*i) != label_idx)
        .map(|(_, n)| n.clone())
        .collect();
    if features.is_empty() {
        return Err(err(path, 1, "there is no feature column besides the label"));
    }
    if features.len() > MAX_INPUTS {
        return Err(err(
            path,
            1,
            format!("more than {MAX_INPUTS} feature columns"),
        ));
    }
    let mut t = Table {
        path: path.to_path_buf(),
        features,
        label_column: label_idx.map(|i| names[i].clone()),
        values: vec![],
        labels: vec![],
        lines: vec![],
    };
    for rec in rdr.records() {
        let rec = rec.map_err(|e| {
            let line = e.position().map_or(0, |p| p.line());
            err(path, line, format!("unreadable row: {e}"))
        })?;
        let line = rec.position().map_or(0, |p| p.line());
        if rec.iter().all(|f| f.trim().is_empty()) {
            continue; // a blank line
        }
        if rec.len() != names.len() {
            return Err(err(
                path,
                line,
                format!(
                    "{} fields, but the header has {} columns",
                    rec.len(),
                    names.len()
                ),
            ));
        }
        for (i, field) in rec.iter().enumerate() {
            if Some(i) == label_idx {
                let l = field.trim();
                if l.is_empty() {
                    return Err(err(
                        path,
                        line,
                        format!("column `{}`: the label is missing", names[i]),
                    ));
                }
                t.labels.push(l.to_string());
                continue;
            }
            let f = field.trim();
            let v: f64 = match f {
                "" | "NA" | "N/A" | "NaN" | "nan" | "?" | "null" => {
                    return Err(err(
                        path,
                        line,
                        format!("column `{}`: missing value `{f}`", names[i]),
                    ))
                }
                _ => f.parse().map_err(|_| {
                    err(
                        path,
                        line,
                        format!("column `{}`: `{f}` is not a number", names[i]),
                    )
                })?,
            };
            if !v.is_finite() {
                return Err(err(
                    path,
                    line,
                    format!("column `{}`: `{f}` is not finite", names[i]),
                ));
            }
            t.values.push(v);
        }
        t.lines.push(line);
    }
    if t.lines.is_empty() {
        return Err(err(path, 1, "the file has a header but no data rows"));
    }
    Ok(t)
}

impl Table {
    /// Number of data rows.
    pub fn len(&self) -> usize {
        self.lines.len()
    }
    /// Whether there are no rows.
    pub fn is_empty(&self) -> bool {
        self.lines.is_empty()
    }
    /// The feature values of row `i`.
    pub fn row(&self, i: usize) -> &[f64] {
        let n = self.features.len();
        &self.values[i * n..(i + 1) * n]
    }

    /// The class names of a training file: its distinct labels, in numeric order when they
    /// are all integers, else in lexicographic order.
    pub fn class_names(&self) -> Result<Vec<String>, DataError> {
        let mut names: Vec<String> = self.labels.clone();
        names.sort();
        names.dedup();
        if names.iter().all(|n| n.parse::<i64>().is_ok()) {
            names.sort_by_key(|n| n.parse::<i64>().expect("checked"));
        }
        if names.len() < 2 {
            return Err(err(
                &self.path,
                1,
                "the label column holds fewer than two classes",
            ));
        }
        if names.len() > MAX_CSV_CLASSES {
            return Err(err(
                &self.path,
                1,
                format!(
                    "{} classes; at most {MAX_CSV_CLASSES} are supported",
                    names.len()
                ),
            ));
        }
        Ok(names)
    }

    /// The input description of a model trained on this file: each feature's range is its
    /// minimum and maximum here (a constant feature gets `[v, v + 1]`).
    pub fn fit(&self) -> Result<InputSpec, DataError> {
        let n = self.features.len();
        let features = (0..n)
            .map(|j| {
                let (lo, hi) = (0..self.len())
                    .map(|i| self.values[i * n + j])
                    .fold((f64::MAX, f64::MIN), |(l, h), v| (l.min(v), h.max(v)));
                Feature {
                    name: self.features[j].clone(),
                    lo,
                    hi: if hi > lo { hi } else { lo + 1.0 },
                }
            })
            .collect();
        Ok(InputSpec {
            kind: InputKind::Tabular { features },
            class_names: self.class_names()?,
            label_column: self.label_column.clone(),
        })
    }

    /// For each of the model's features (by name), its column here.
    fn columns_for(&self, spec: &InputSpec) -> Result<Vec<usize>, DataError> {
        let features = spec.features().ok_or_else(|| {
            DataError::Mismatch(format!(
                "{} is a table, but the model takes a {}",
                self.path.display(),
                spec.describe()
            ))
        })?;
        features
            .iter()
            .map(|f| {
                self.features
                    .iter()
                    .position(|c| *c == f.name)
                    .ok_or_else(|| {
                        err(
                            &self.path,
                            1,
                            format!(
                                "no column `{}`, a feature of the model (the model's features: {})",
                                f.name,
                                features
                                    .iter()
                                    .map(|f| f.name.as_str())
                                    .collect::<Vec<_>>()
                                    .join(", ")
                            ),
                        )
                    })
            })
            .collect()
    }

    /// Row `i`'s bytes under the model's quantisation (features matched by name).
    pub fn quantise_row(&self, spec: &InputSpec, i: usize) -> Result<Vec<u8>, DataError> {
        self.quantised(spec, &self.columns_for(spec)?, i)
    }

    /// Row `i`'s bytes: the values of columns `cols` (the model's features, in its order)
    /// under its quantisation; an error names the row's line.
    fn quantised(&self, spec: &InputSpec, cols: &[usize], i: usize) -> Result<Vec<u8>, DataError> {
        let row = self.row(i);
        let values: Vec<f64> = cols.iter().map(|&c| row[c]).collect();
        spec.quantise(&values)
            .map_err(|e| err(&self.path, self.lines[i], e.to_string()))
    }

    /// The whole file as a labelled data set under the model's quantisation and class names
    /// (a label the model does not know is an error naming its line).
    pub fn to_dataset(&self, spec: &InputSpec) -> Result<Dataset, DataError> {
        let label = self
            .label_column
            .as_deref()
            .ok_or_else(|| err(&self.path, 1, "the file has no label column"))?;
        let cols = self.columns_for(spec)?;
        let mut ds = Dataset {
            rows: 1,
            cols: cols.len(),
            ..Default::default()
        };
        ds.pixels.reserve(self.len() * cols.len());
        for i in 0..self.len() {
            ds.pixels.extend(self.quantised(spec, &cols, i)?);
            let l = &self.labels[i];
            let c = spec
                .class_names
                .iter()
                .position(|n| n == l)
                .ok_or_else(|| {
                    err(
                        &self.path,
                        self.lines[i],
                        format!(
                            "column `{label}`: label `{l}` is not a class of the model ({})",
                            spec.class_names.join(", ")
                        ),
                    )
                })?;
            ds.labels.push(c as u8);
        }
        Ok(ds)
    }
}

/// The samples of `data` in an order shuffled by `seed` (ChaCha8, Fisher–Yates over the row
/// indices): training holds out the *last* rows for validation, and a table is often sorted
/// by class, so a table's rows are shuffled before the split.
pub fn shuffled(data: &Dataset, seed: u64) -> Dataset {
    use rand::seq::SliceRandom;
    use rand::SeedableRng;
    let mut order: Vec<usize> = (0..data.len()).collect();
    let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(seed);
    rng.set_stream(0x7ab1e);
    order.shuffle(&mut rng);
    let n = data.num_inputs();
    let mut out = Dataset {
        rows: data.rows,
        cols: data.cols,
        ..Default::default()
    };
    out.pixels.reserve(data.pixels.len());
    for &i in &order {
        out.pixels
            .extend_from_slice(&data.pixels[i * n..(i + 1) * n]);
        out.labels.push(data.labels[i]);
    }
    out
}

/// Parses `--features "x1,x2,…"` for a tabular model (values in the model's feature order):
/// every value a finite decimal number, as many as the model's features.
pub fn parse_features(s: &str, spec: &InputSpec) -> Result<Vec<u8>, DataError> {
    let features = spec.features().ok_or_else(|| {
        DataError::Input(format!(
            "the model takes a {}, not features: give --img-path",
            spec.describe()
        ))
    })?;
    let parts: Vec<&str> = s.split(',').map(str::trim).collect();
    if parts.len() != features.len() {
        return Err(DataError::Input(format!(
            "{} values given, the model takes {} features ({})",
            parts.len(),
            features.len(),
            features
                .iter()
                .map(|f| f.name.as_str())
                .collect::<Vec<_>>()
                .join(", ")
        )));
    }
    let mut values = Vec::with_capacity(parts.len());
    for (p, f) in parts.iter().zip(features) {
        let v: f64 = p.parse().map_err(|_| {
            DataError::Input(format!("feature `{}`: `{p}` is not a number", f.name))
        })?;
        if !v.is_finite() {
            return Err(DataError::Input(format!(
                "feature `{}`: `{p}` is not a finite number",
                f.name
            )));
        }
        values.push(v);
    }
    spec.quantise(&values)
        .map_err(|e| DataError::Input(e.to_string()))
}

/// Parses `FILE:N` (the `N`-th data row, 1-based) of `--csv-row`.
pub fn parse_row_ref(s: &str) -> Result<(PathBuf, usize), DataError> {
    let (file, n) = s
        .rsplit_once(':')
        .ok_or_else(|| DataError::Input(format!("--csv-row `{s}` is not FILE:N")))?;
    let n: usize =
        n.parse().ok().filter(|&n| n >= 1).ok_or_else(|| {
            DataError::Input(format!("--csv-row `{s}`: N must be a row number ≥ 1"))
        })?;
    Ok((PathBuf::from(file), n))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn table(text: &str, label: Label<'_>) -> Result<Table, DataError> {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("t.csv");
        std::fs::write(&p, text).unwrap();
        read(&p, label)
    }

    fn err_of(text: &str, label: Label<'_>) -> String {
        table(text, label).unwrap_err().to_string()
    }

    #[test]
    fn parses_and_fits() {
        let t = table(
            "a,b,\"species, latin\"\n1,2,x\n3,-4.5,y\n5,6e1,x\n\n",
            Label::Last,
        )
        .unwrap();
        assert_eq!(t.features, vec!["a", "b"]);
        assert_eq!(t.label_column.as_deref(), Some("species, latin"));
        assert_eq!(t.row(2), &[5.0, 60.0]);
        assert_eq!(t.lines, vec![2, 3, 4]);
        let spec = t.fit().unwrap();
        assert_eq!(spec.class_names, vec!["x", "y"]);
        let f = spec.features().unwrap();
        assert_eq!((f[1].lo, f[1].hi), (-4.5, 60.0));
        let ds = t.to_dataset(&spec).unwrap();
        assert_eq!(ds.labels, vec![0, 1, 0]);
        // a = 1 is its minimum → 0; b = 2 → 255·(2 + 4.5)/64.5 = 25.7 → 26
        assert_eq!(&ds.pixels[..2], &[0, 26]);
    }

    #[test]
    fn numeric_labels_sort_numerically_and_columns_match_by_name() {
        let t = table("y,a,b\n10,1,2\n9,3,4\n2,5,6\n", Label::Named("y")).unwrap();
        let spec = t.fit().unwrap();
        assert_eq!(spec.class_names, vec!["2", "9", "10"]);
        // another file with the columns in another order and no label column
        let u = table("b,a\n4,3\n", Label::IfPresent("y")).unwrap();
        assert_eq!(
            u.quantise_row(&spec, 0).unwrap(),
            t.quantise_row(&spec, 1).unwrap()
        );
        assert!(u
            .to_dataset(&spec)
            .unwrap_err()
            .to_string()
            .contains("no label column"));
    }

    #[test]
    fn every_bad_cell_is_named() {
        assert!(
            err_of("", Label::Last).contains("empty")
                || err_of("", Label::Last).contains("no data")
        );
        assert!(err_of("a,b\n", Label::Last).contains("no data rows"));
        assert_eq!(
            err_of("a,b\n1\n", Label::Last).split_once(": ").unwrap().1,
            "1 fields, but the header has 2 columns"
        );
        assert!(err_of("a,b\n1\n", Label::Last).contains("t.csv:2:"));
        assert!(err_of("a,b,y\n1,,x\n", Label::Last).contains(":2: column `b`: missing value ``"));
        assert!(err_of("a,b,y\n1,NA,x\n", Label::Last).contains("missing value `NA`"));
        assert!(err_of("a,b,y\n1,2,x\n1,two,x\n", Label::Last)
            .contains(":3: column `b`: `two` is not a number"));
        assert!(err_of("a,b,y\n1,inf,x\n", Label::Last).contains("not finite"));
        assert!(err_of("a,b,y\n1,2,\n", Label::Last).contains("the label is missing"));
        assert!(err_of("a,a,y\n1,2,x\n", Label::Last).contains("appears twice"));
        assert!(err_of("a,b\n1,2\n", Label::Named("c"))
            .contains("no label column `c`; the columns are: a, b"));
        assert!(err_of("y\nx\n", Label::Last).contains("no feature column"));
        let t = table("a,y\n1,x\n2,x\n", Label::Last).unwrap();
        assert!(t
            .fit()
            .unwrap_err()
            .to_string()
            .contains("fewer than two classes"));
        let spec = table("a,y\n1,x\n2,z\n", Label::Last)
            .unwrap()
            .fit()
            .unwrap();
        let e = table("a,y\n1,x\n2,w\n", Label::Last)
            .unwrap()
            .to_dataset(&spec)
            .unwrap_err();
        assert!(
            e.to_string()
                .contains(":3: column `y`: label `w` is not a class of the model (x, z)"),
            "{e}"
        );
        let e = table("b,y\n1,x\n", Label::Last)
            .unwrap()
            .to_dataset(&spec)
            .unwrap_err();
        assert!(e.to_string().contains("no column `a`"), "{e}");
    }

    #[test]
    fn shuffling_is_seeded_and_spreads_sorted_classes() {
        let ds = Dataset {
            pixels: (0..90u8).collect(),
            labels: (0..90).map(|i| (i / 30) as u8).collect(),
            rows: 1,
            cols: 1,
        };
        let a = shuffled(&ds, 4);
        assert_eq!(a.pixels, shuffled(&ds, 4).pixels);
        assert_ne!(a.pixels, shuffled(&ds, 5).pixels);
        // a permutation that keeps each sample with its label
        let mut p = a.pixels.clone();
        p.sort_unstable();
        assert_eq!(p, ds.pixels);
        assert!(a.iter().all(|(x, l)| l == x[0] / 30));
        // the last 20 % (the validation split) holds every class
        let tail = &a.labels[72..];
        assert!((0..3).all(|c| tail.contains(&c)), "{tail:?}");
    }

    #[test]
    fn features_and_row_references() {
        let spec = table("a,b,y\n0,0,x\n10,20,z\n", Label::Last)
            .unwrap()
            .fit()
            .unwrap();
        assert_eq!(parse_features("5, 20", &spec).unwrap(), vec![128, 255]);
        assert!(parse_features("5", &spec)
            .unwrap_err()
            .to_string()
            .contains("2 features (a, b)"));
        assert!(parse_features("5,x", &spec)
            .unwrap_err()
            .to_string()
            .contains("`x` is not a number"));
        assert!(parse_features("5,nan", &spec).is_err());
        assert_eq!(
            parse_row_ref("d/t.csv:3").unwrap(),
            (PathBuf::from("d/t.csv"), 3)
        );
        assert!(parse_row_ref("t.csv").is_err());
        assert!(parse_row_ref("t.csv:0").is_err());
        assert!(parse_row_ref("t.csv:x").is_err());
    }
}
