//! Tabular data: a CSV file with a header row, one label column and feature columns of
//! numbers or text, with empty cells allowed.
//!
//! Rules (each broken rule is an error naming the file, the line and the column):
//!
//! - the first line is the header (a UTF-8 byte order mark before it is skipped); column
//!   names are unique;
//! - the label column is chosen by name (default: the last column); in a training file
//!   every other column is a feature. Cells are trimmed of spaces. A cell that is empty or
//!   reads `NA`, `N/A`, `NaN`, `nan`, `?`, `null` or `NULL` is *missing*
//!   ([`crate::model::input::MISSING_CELLS`]). A feature column whose other cells are all
//!   finite decimal numbers is a **number** column; a column with any other text is a
//!   **category** column (its distinct values, at most [`MAX_CATEGORIES`], become one input
//!   each). A column whose cells are all missing carries nothing and is left out of a new
//!   model ([`Table::fit`]). A number that is not finite (`inf`) is an error;
//! - labels are strings: a model's class names are the distinct labels of its training file,
//!   in numeric order when every label is an integer, else in lexicographic order;
//! - features are matched to a model's by **name**, so a test file may order its columns
//!   differently, may omit the label column when only features are needed, and may hold
//!   other columns (numeric or not): only the model's features and the label are read;
//! - LF and CRLF line ends are read alike, and every error names the line the row starts on.
//!
//! Files are read as a stream ([`Rows`]): a test set is quantised row by row
//! ([`read_dataset`]), and `--csv-row FILE:N` reads the file only up to row `N` and parses
//! only that row's feature cells ([`read_rows`]); time and memory are linear in the bytes
//! read, however wide the header.
//!
//! Features become bytes by the model's column encodings (see [`crate::model::input`]):
//! fitting a new model takes each number column's training minimum and maximum as its range
//! and its median as the fill value of its empty cells, and lists each category column's
//! values in lexicographic order; a column with an empty cell in training gets a "missing"
//! input. With `unseen_other` ([`Table::fit_with`]), each category column also gets an
//! "other" input for values not seen in training. Training
//! shuffles a table's rows with its seed before holding out the last ones for validation
//! ([`shuffled`]).

mod reader;

pub use reader::{Header, Row, Rows};

use super::Dataset;
use crate::error::DataError;
use crate::limits::{Class, MAX_CLASSES};
use crate::model::input::{is_missing, Feature, InputKind, InputSpec, MAX_CATEGORIES, MAX_INPUTS};
use reader::err;
use std::borrow::Cow;
use std::collections::HashMap;
use std::path::{Path, PathBuf};

/// The largest CSV file zero_g reads.
pub const MAX_CSV_BYTES: u64 = 512 << 20;

/// A parsed CSV file.
#[derive(Clone, Debug, PartialEq)]
pub struct Table {
    /// The file (for error messages).
    pub path: PathBuf,
    /// Feature column names, in file order.
    pub features: Vec<String>,
    /// The label column's name, if the file has it.
    pub label_column: Option<String>,
    /// `rows × features` cells, row-major, as numbers: a cell that is not a finite number
    /// (text or missing) is `NaN`, and its text is in `text`.
    pub values: Vec<f64>,
    /// The trimmed text of every cell whose number does not print back as the cell (text,
    /// missing cells, numbers written another way such as `1.0` or `+3`), by cell index.
    pub text: HashMap<usize, Box<str>>,
    /// One label per row (when the file has the label column).
    pub labels: Vec<String>,
    /// The line of each row in the file.
    pub lines: Vec<u64>,
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

impl Label<'_> {
    /// The label column of a file with this header.
    fn find(self, rows: &Rows) -> Result<Option<usize>, DataError> {
        let h = rows.header();
        Ok(match self {
            Label::Last => Some(h.len() - 1),
            Label::Named(l) => Some(h.position(l).ok_or_else(|| {
                err(
                    rows.path(),
                    h.line(),
                    format!(
                        "no label column `{l}`; the columns are: {}",
                        h.names().collect::<Vec<_>>().join(", ")
                    ),
                )
            })?),
            Label::IfPresent(l) => h.position(l),
        })
    }
}

/// Reads a whole CSV file as a training table: every column but the label is a feature.
pub fn read(path: &Path, label: Label<'_>) -> Result<Table, DataError> {
    table_of_rows(Rows::open(path)?, label)
}

/// Parses CSV text already in memory (e.g. from a request) as [`read`] reads a file; `path`
/// only names it in messages.
pub fn parse(path: &Path, bytes: &[u8], label: Label<'_>) -> Result<Table, DataError> {
    if bytes.len() as u64 > MAX_CSV_BYTES {
        return Err(err(
            path,
            0,
            format!(
                "{} bytes; at most {MAX_CSV_BYTES} are accepted",
                bytes.len()
            ),
        ));
    }
    table_of_rows(Rows::from_bytes(path, bytes.to_vec())?, label)
}

/// Reads every row of a training table.
fn table_of_rows(mut rows: Rows, label: Label<'_>) -> Result<Table, DataError> {
    let path = rows.path().to_path_buf();
    let path = path.as_path();
    let label_idx = label.find(&rows)?;
    let h = rows.header();
    let line = h.line();
    let feature_cols: Vec<usize> = (0..h.len()).filter(|&i| Some(i) != label_idx).collect();
    if feature_cols.is_empty() {
        return Err(err(
            path,
            line,
            "there is no feature column besides the label",
        ));
    }
    if feature_cols.len() > MAX_INPUTS {
        return Err(err(
            path,
            line,
            format!("more than {MAX_INPUTS} feature columns"),
        ));
    }
    let mut t = Table {
        path: path.to_path_buf(),
        features: feature_cols
            .iter()
            .map(|&i| h.name(i).to_string())
            .collect(),
        label_column: label_idx.map(|i| h.name(i).to_string()),
        values: vec![],
        text: HashMap::new(),
        labels: vec![],
        lines: vec![],
    };
    while let Some(row) = rows.next_row()? {
        row.check_width()?;
        if let Some(l) = label_idx {
            t.labels.push(row.label(l)?.to_string());
        }
        for &c in &feature_cols {
            let f = row.text(c)?;
            let v = match f.parse::<f64>() {
                Ok(v) if !is_missing(f) => {
                    if !v.is_finite() {
                        return Err(row.cell_err(c, format!("`{f}` is not finite")));
                    }
                    v
                }
                _ => f64::NAN,
            };
            if v.is_nan() || v.to_string() != f {
                t.text.insert(t.values.len(), f.into());
            }
            t.values.push(v);
        }
        t.lines.push(row.line);
    }
    if t.lines.is_empty() {
        return Err(err(path, line, "the file has a header but no data rows"));
    }
    Ok(t)
}

/// The columns of a file that hold a model's features, in the model's order (matched by
/// name; the file's other columns are never read).
fn model_columns(rows: &Rows, spec: &InputSpec) -> Result<Vec<usize>, DataError> {
    let features = spec.features().ok_or_else(|| {
        DataError::Mismatch(format!(
            "{} is a table, but the model takes a {}",
            rows.path().display(),
            spec.describe()
        ))
    })?;
    let names: Vec<&str> = features.iter().map(|f| f.name.as_str()).collect();
    let found = rows.header().positions(&names);
    names
        .iter()
        .zip(found)
        .map(|(name, col)| {
            col.ok_or_else(|| {
                err(
                    rows.path(),
                    rows.header().line(),
                    format!(
                        "no column `{name}`, a feature of the model (the model's features: {})",
                        names.join(", ")
                    ),
                )
            })
        })
        .collect()
}

/// A row's bytes under the model's column encodings: the cells of columns `cols` (the
/// model's features, in its order); only these cells are read.
fn quantise_cells(row: &Row<'_>, spec: &InputSpec, cols: &[usize]) -> Result<Vec<u8>, DataError> {
    let cells = cols
        .iter()
        .map(|&c| row.text(c))
        .collect::<Result<Vec<&str>, _>>()?;
    spec.encode_cells(&cells).map_err(|(_, e)| row.err(e))
}

/// A class index as a [`Class`]: every index of a valid model (at most [`MAX_CLASSES`]
/// classes) fits one, and any other is an error, never narrowed.
fn class_index(c: usize) -> Result<Class, DataError> {
    crate::limits::class(c).ok_or_else(|| {
        DataError::Mismatch(format!(
            "class {c}: a model has at most {MAX_CLASSES} classes"
        ))
    })
}

/// The class index of label `l` under the model's class names.
fn class_of(
    row: &Row<'_>,
    label_col: usize,
    label: &str,
    names: &HashMap<&str, usize>,
    spec: &InputSpec,
) -> Result<usize, DataError> {
    names.get(label).copied().ok_or_else(|| {
        row.cell_err(
            label_col,
            format!(
                "label `{label}` is not a class of the model ({})",
                spec.class_names.join(", ")
            ),
        )
    })
}

/// Reads a labelled CSV file as a data set under a model's quantisation and class names,
/// row by row: only the model's features and the label column are read (other columns,
/// numeric or not, are ignored); a label the model does not know is an error naming its line.
pub fn read_dataset(path: &Path, label: Label<'_>, spec: &InputSpec) -> Result<Dataset, DataError> {
    let mut rows = Rows::open(path)?;
    let cols = model_columns(&rows, spec)?;
    let label_col = label
        .find(&rows)?
        .ok_or_else(|| err(path, rows.header().line(), "the file has no label column"))?;
    let names: HashMap<&str, usize> = spec
        .class_names
        .iter()
        .enumerate()
        .map(|(i, n)| (n.as_str(), i))
        .collect();
    let mut ds = Dataset {
        rows: 1,
        cols: spec.num_inputs(),
        ..Default::default()
    };
    let header_line = rows.header().line();
    while let Some(row) = rows.next_row()? {
        let l = row.label(label_col)?;
        let c = class_of(&row, label_col, l, &names, spec)?;
        ds.pixels.extend(quantise_cells(&row, spec, &cols)?);
        ds.labels.push(class_index(c)?);
    }
    if ds.labels.is_empty() {
        return Err(err(
            path,
            header_line,
            "the file has a header but no data rows",
        ));
    }
    Ok(ds)
}

/// Reads data rows `wanted` (1-based, blank lines not counted) of a CSV file as a model's
/// inputs, in the order asked. The file is read only up to the last row wanted, and only
/// the wanted rows' feature cells are parsed: other rows and columns may hold anything.
pub fn read_rows(
    path: &Path,
    spec: &InputSpec,
    wanted: &[usize],
) -> Result<Vec<Vec<u8>>, DataError> {
    let mut rows = Rows::open(path)?;
    let cols = model_columns(&rows, spec)?;
    let last = wanted.iter().copied().max().unwrap_or(0);
    let want: std::collections::HashSet<usize> = wanted.iter().copied().collect();
    let mut found: HashMap<usize, Vec<u8>> = HashMap::with_capacity(want.len());
    let mut n = 0;
    while n < last {
        let Some(row) = rows.next_row()? else {
            return Err(DataError::Input(format!(
                "--csv-row {p}:{last}: {p} has {n} data row{}",
                if n == 1 { "" } else { "s" },
                p = path.display(),
            )));
        };
        n += 1;
        if want.contains(&n) {
            found.insert(n, quantise_cells(&row, spec, &cols)?);
        }
    }
    Ok(wanted.iter().map(|w| found[w].clone()).collect())
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
    /// The feature values of row `i` (`NaN` for a cell that is text or missing).
    pub fn row(&self, i: usize) -> &[f64] {
        let n = self.features.len();
        &self.values[i * n..(i + 1) * n]
    }

    /// The trimmed text of the cell of row `i`, feature column `j`.
    pub fn cell(&self, i: usize, j: usize) -> Cow<'_, str> {
        let k = i * self.features.len() + j;
        match self.text.get(&k) {
            Some(t) => Cow::Borrowed(t),
            None => Cow::Owned(self.values[k].to_string()),
        }
    }

    /// Whether the cell of row `i`, feature column `j` is missing.
    pub fn is_missing(&self, i: usize, j: usize) -> bool {
        let k = i * self.features.len() + j;
        self.text.get(&k).is_some_and(|t| is_missing(t))
    }

    /// The feature columns whose cells are all missing (left out by [`Table::fit`]).
    pub fn empty_columns(&self) -> Vec<&str> {
        (0..self.features.len())
            .filter(|&j| (0..self.len()).all(|i| self.is_missing(i, j)))
            .map(|j| self.features[j].as_str())
            .collect()
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
        if names.len() > MAX_CLASSES {
            return Err(err(
                &self.path,
                1,
                format!(
                    "{} classes; at most {MAX_CLASSES} are supported",
                    names.len()
                ),
            ));
        }
        Ok(names)
    }

    /// The input description of a model trained on this file (see the module doc): each
    /// number column's range is its minimum and maximum here (a constant column gets
    /// `[v, v + 1]`); a value not seen here is an error at prediction time.
    pub fn fit(&self) -> Result<InputSpec, DataError> {
        self.fit_with(false)
    }

    /// [`Table::fit`], with an "other" input for each category column when `unseen_other`.
    pub fn fit_with(&self, unseen_other: bool) -> Result<InputSpec, DataError> {
        let mut features = Vec::new();
        for j in 0..self.features.len() {
            let name = &self.features[j];
            let mut numbers = Vec::new();
            let mut texts: Vec<&str> = Vec::new();
            let mut missing = false;
            for i in 0..self.len() {
                let k = i * self.features.len() + j;
                match self.text.get(&k) {
                    Some(t) if is_missing(t) => missing = true,
                    Some(t) if self.values[k].is_nan() => texts.push(t),
                    _ => numbers.push(self.values[k]),
                }
            }
            if numbers.is_empty() && texts.is_empty() {
                continue; // every cell is empty: nothing to learn from
            }
            let feature = if texts.is_empty() {
                let (lo, hi) = numbers
                    .iter()
                    .fold((f64::MAX, f64::MIN), |(l, h), &v| (l.min(v), h.max(v)));
                numbers.sort_by(f64::total_cmp);
                let m = numbers.len();
                let median = if m % 2 == 1 {
                    numbers[m / 2]
                } else {
                    (numbers[m / 2 - 1] + numbers[m / 2]) / 2.0
                };
                Feature {
                    missing,
                    fill: missing.then_some(median),
                    ..Feature::numeric(name.clone(), lo, if hi > lo { hi } else { lo + 1.0 })
                }
            } else {
                // a column with text: every value (numbers as written) is a category
                let mut cats: Vec<String> = (0..self.len())
                    .filter(|&i| !self.is_missing(i, j))
                    .map(|i| self.cell(i, j).into_owned())
                    .collect();
                cats.sort();
                cats.dedup();
                if cats.len() > MAX_CATEGORIES {
                    let example = texts.first().copied().unwrap_or_default();
                    return Err(err(
                        &self.path,
                        1,
                        format!(
                            "column `{name}` has {} distinct values (e.g. `{example}`); a text \
                             column may have at most {MAX_CATEGORIES} (remove an identifier or \
                             free-text column from the file)",
                            cats.len()
                        ),
                    ));
                }
                Feature {
                    missing,
                    other: unseen_other,
                    ..Feature::category(name.clone(), cats)
                }
            };
            features.push(feature);
        }
        if features.is_empty() {
            return Err(err(
                &self.path,
                1,
                "every feature column is empty: there is nothing to learn from",
            ));
        }
        let spec = InputSpec {
            kind: InputKind::Tabular { features },
            class_names: self.class_names()?,
            label_column: self.label_column.clone(),
        };
        if spec.num_inputs() > MAX_INPUTS {
            return Err(err(
                &self.path,
                1,
                format!(
                    "the columns make {} inputs; at most {MAX_INPUTS}",
                    spec.num_inputs()
                ),
            ));
        }
        Ok(spec)
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
        let index: HashMap<&str, usize> = self
            .features
            .iter()
            .enumerate()
            .map(|(i, n)| (n.as_str(), i))
            .collect();
        features
            .iter()
            .map(|f| {
                index.get(f.name.as_str()).copied().ok_or_else(|| {
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

    /// Row `i`'s bytes: the cells of columns `cols` (the model's features, in its order)
    /// under its column encodings; an error names the row's line and the column.
    fn quantised(&self, spec: &InputSpec, cols: &[usize], i: usize) -> Result<Vec<u8>, DataError> {
        let cells: Vec<Cow<'_, str>> = cols.iter().map(|&c| self.cell(i, c)).collect();
        spec.encode_cells(&cells)
            .map_err(|(_, e)| err(&self.path, self.lines[i], e))
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
            cols: spec.num_inputs(),
            ..Default::default()
        };
        ds.pixels.reserve(self.len() * spec.num_inputs());
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
            ds.labels.push(class_index(c)?);
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

/// Parses `--features "x1,x2,…"` for a tabular model: one cell per feature, in the model's
/// feature order, read as one CSV record (so a value with a comma can be quoted: `"a, b"`):
/// numbers, category values and empty cells, exactly as in a CSV file.
pub fn parse_features(s: &str, spec: &InputSpec) -> Result<Vec<u8>, DataError> {
    if spec.features().is_none() {
        return Err(DataError::Input(format!(
            "the model takes a {}, not features: give --img-path",
            spec.describe()
        )));
    }
    let mut rdr = csv::ReaderBuilder::new()
        .has_headers(false)
        .flexible(true)
        .from_reader(s.as_bytes());
    let record = match rdr.records().next() {
        Some(Ok(r)) => r,
        Some(Err(e)) => return Err(DataError::Input(format!("unreadable values: {e}"))),
        None => csv::StringRecord::from(vec![""]),
    };
    let cells: Vec<&str> = record.iter().collect();
    spec.encode_cells(&cells)
        .map_err(|(_, e)| DataError::Input(e.replace("column `", "feature `")))
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
mod tests;
