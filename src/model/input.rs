//! What a model reads: `N` integer inputs in `0..=255`, from an image of any size or from a
//! row of numeric features, and what its classes are called.
//!
//! Every model family thresholds the same `N` bytes, and the circuit sees exactly these
//! bytes (they are what an input commitment covers). An image's pixels are its bytes
//! (8-bit grayscale, row-major). A tabular row of real-valued features is quantised
//! feature by feature with the affine map stored in the model:
//!
//! $$q(x) = \begin{cases} 0 & x \le lo \\ 255 & x \ge hi \\
//! \mathrm{round}\!\left(255\,\frac{x - lo}{hi - lo}\right) & \text{otherwise}\end{cases}$$
//!
//! computed in IEEE-754 double precision, rounding halves away from zero (Rust's
//! `f64::round`); `lo < hi` are finite. The map is part of the model (and of its digest): a
//! proof is about the quantised bytes, and the map says what they mean.
//!
//! A column of text is a *category* column: each value the model knows is one byte, 255 for
//! the row's value and 0 for the others, plus an optional "other" byte for values it does
//! not know. A column with empty cells gets one more byte, 255 when the cell is empty, and a
//! number column's empty cell takes a stored fill value (the training median). See
//! [`Feature`]: the row's cells become the bytes deterministically, and those bytes are what
//! the model, the circuit and a commitment see.

use crate::error::ModelError;
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

pub use crate::limits::{MAX_INPUTS, MAX_NAME_BYTES};

/// One column of a tabular model: its name, how its cells become input bytes, and (for a
/// number column) its quantisation range.
///
/// A column is a **number** column (no `categories`) or a **category** column (`categories`
/// lists the values it knows, in byte order). Its bytes, in this order:
///
/// - number column: the value quantised by `lo`/`hi` (an empty cell: `fill`, quantised);
/// - category column: one byte per category, 255 for the cell's category and 0 for the
///   others (one-hot); then, when `other`, one byte that is 255 for a value not in the list
///   (without `other`, such a value is an error);
/// - then, when `missing`, one byte that is 255 for an empty cell and 0 otherwise (without
///   `missing`, an empty cell is an error). An empty cell of a category column has every
///   one-hot byte (and `other`) 0.
///
/// A plain number column (no `categories`, `other`, `missing` or `fill`) is one byte, as in
/// every model file written before these fields existed (`models/FORMAT.md`).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Feature {
    /// Column name in the training CSV.
    pub name: String,
    /// Values at or below `lo` quantise to 0 (number columns; `0` for a category column).
    pub lo: f64,
    /// Values at or above `hi` quantise to 255 (number columns; `1` for a category column).
    pub hi: f64,
    /// The known values of a category column, in byte order (empty: a number column).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub categories: Vec<String>,
    /// A category column's extra byte for a value not in `categories`.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub other: bool,
    /// The extra byte that marks an empty cell.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub missing: bool,
    /// The value an empty cell of a number column takes before quantisation (the training
    /// median); present exactly when a number column has `missing`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub fill: Option<f64>,
}

/// The cells read as empty (a missing value), after trimming spaces.
pub const MISSING_CELLS: [&str; 8] = ["", "NA", "N/A", "NaN", "nan", "?", "null", "NULL"];

/// Whether a (trimmed) cell is empty: one of [`MISSING_CELLS`].
pub fn is_missing(cell: &str) -> bool {
    MISSING_CELLS.contains(&cell)
}

/// The most categories one column may have (a column of free text or identifiers is
/// refused rather than turned into thousands of inputs).
pub const MAX_CATEGORIES: usize = 256;

impl Feature {
    /// A plain number column with the range `[lo, hi]`.
    pub fn numeric(name: impl Into<String>, lo: f64, hi: f64) -> Self {
        Feature {
            name: name.into(),
            lo,
            hi,
            categories: vec![],
            other: false,
            missing: false,
            fill: None,
        }
    }

    /// A category column with these values (in byte order).
    pub fn category(name: impl Into<String>, categories: Vec<String>) -> Self {
        Feature {
            categories,
            ..Feature::numeric(name, 0.0, 1.0)
        }
    }

    /// Whether this is a category column.
    pub fn is_category(&self) -> bool {
        !self.categories.is_empty()
    }

    /// Whether this column is one plain quantised byte (the original format).
    pub fn is_plain(&self) -> bool {
        !self.is_category() && !self.other && !self.missing && self.fill.is_none()
    }

    /// How many input bytes the column becomes.
    pub fn width(&self) -> usize {
        let values = if self.is_category() {
            self.categories.len() + self.other as usize
        } else {
            1
        };
        values + self.missing as usize
    }

    /// The names of the column's input bytes, e.g. `island=Biscoe`, `island=(other)`,
    /// `bill_length_mm`, `bill_length_mm=(empty)`.
    pub fn input_names(&self) -> Vec<String> {
        let mut v: Vec<String> = if self.is_category() {
            self.categories
                .iter()
                .map(|c| format!("{}={c}", self.name))
                .collect()
        } else {
            vec![self.name.clone()]
        };
        if self.other {
            v.push(format!("{}=(other)", self.name));
        }
        if self.missing {
            v.push(format!("{}=(empty)", self.name));
        }
        v
    }

    /// Quantises one value (see the module doc). `NaN` is refused by the callers that
    /// parse values; here it maps to 0.
    pub fn quantise(&self, x: f64) -> u8 {
        if x.is_nan() || x <= self.lo {
            0
        } else if x >= self.hi {
            255
        } else {
            (255.0 * (x - self.lo) / (self.hi - self.lo))
                .round()
                .clamp(0.0, 255.0) as u8
        }
    }

    /// Appends the column's bytes for one cell as written in a file (trimmed here). The
    /// error says what is wrong with the cell (the caller names the column and the line).
    pub fn encode_cell(&self, cell: &str, out: &mut Vec<u8>) -> Result<(), String> {
        let cell = cell.trim();
        let empty = is_missing(cell);
        if empty && !self.missing {
            return Err(format!(
                "missing value `{cell}` (the model saw no empty cell in this column in training)"
            ));
        }
        if self.is_category() {
            let at = if empty {
                None
            } else {
                let at = self.categories.iter().position(|c| c == cell);
                if at.is_none() && !self.other {
                    return Err(format!(
                        "`{cell}` is not a category of the model ({}); a model trained with \
                         --unseen other maps unknown values to an \"other\" input",
                        self.categories.join(", ")
                    ));
                }
                at
            };
            out.extend((0..self.categories.len()).map(|i| if at == Some(i) { 255 } else { 0 }));
            if self.other {
                out.push(if !empty && at.is_none() { 255 } else { 0 });
            }
        } else {
            let v = if empty {
                self.fill.unwrap_or(self.lo)
            } else {
                let v: f64 = cell
                    .parse()
                    .map_err(|_| format!("`{cell}` is not a number"))?;
                if !v.is_finite() {
                    return Err(format!("`{cell}` is not finite"));
                }
                v
            };
            out.push(self.quantise(v));
        }
        if self.missing {
            out.push(if empty { 255 } else { 0 });
        }
        Ok(())
    }

    /// Checks the column's invariants (see [`InputSpec::validate`]).
    fn validate(&self) -> Result<(), String> {
        if self.name.len() > MAX_NAME_BYTES {
            return Err(format!(
                "a feature name is longer than {MAX_NAME_BYTES} bytes"
            ));
        }
        if !(self.lo.is_finite() && self.hi.is_finite() && self.lo < self.hi) {
            return Err(format!(
                "feature `{}` has the range [{}, {}]; it needs finite lo < hi",
                self.name, self.lo, self.hi
            ));
        }
        if self.categories.len() > MAX_CATEGORIES {
            return Err(format!(
                "feature `{}` has {} categories; at most {MAX_CATEGORIES} are supported",
                self.name,
                self.categories.len()
            ));
        }
        let mut seen = std::collections::HashSet::new();
        for c in &self.categories {
            if c.len() > MAX_NAME_BYTES || c.trim() != c || is_missing(c) {
                return Err(format!(
                    "feature `{}` has a category that is longer than {MAX_NAME_BYTES} bytes, \
                     has surrounding spaces or reads as an empty cell",
                    self.name
                ));
            }
            if !seen.insert(c) {
                return Err(format!(
                    "feature `{}` has the category `{c}` twice",
                    self.name
                ));
            }
        }
        if self.other && !self.is_category() {
            return Err(format!(
                "feature `{}` has an \"other\" input but no categories",
                self.name
            ));
        }
        match self.fill {
            Some(f) if !f.is_finite() || self.is_category() || !self.missing => Err(format!(
                "feature `{}` has the fill value {f}; only a number column with a missing \
                 input has one, and it is finite",
                self.name
            )),
            None if self.missing && !self.is_category() => Err(format!(
                "feature `{}` marks empty cells but has no fill value",
                self.name
            )),
            _ => Ok(()),
        }
    }

    /// Feeds the column's extension fields to a digest (see [`InputSpec::hash_into`]).
    fn hash_extension(&self, h: &mut Sha256) {
        h.update((self.categories.len() as u64).to_le_bytes());
        for c in &self.categories {
            h.update((c.len() as u64).to_le_bytes());
            h.update(c.as_bytes());
        }
        h.update([self.other as u8, self.missing as u8]);
        h.update(self.fill.unwrap_or(0.0).to_bits().to_le_bytes());
    }
}

/// The shape of a model's input.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "lowercase")]
pub enum InputKind {
    /// An 8-bit grayscale image, `width × height` pixels, row-major.
    Image {
        /// Pixels per row.
        width: usize,
        /// Rows.
        height: usize,
    },
    /// A row of numeric features, each quantised to a byte.
    Tabular {
        /// The features, in input order.
        features: Vec<Feature>,
    },
}

/// Everything a model knows about its inputs and labels.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct InputSpec {
    /// The input's shape.
    #[serde(flatten)]
    pub kind: InputKind,
    /// Class names, by class index (empty: classes are called by their index).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub class_names: Vec<String>,
    /// The CSV column that held the labels in training (tabular models).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub label_column: Option<String>,
}

impl InputSpec {
    /// A `width × height` image with numbered classes.
    pub fn image(width: usize, height: usize) -> Self {
        InputSpec {
            kind: InputKind::Image { width, height },
            class_names: vec![],
            label_column: None,
        }
    }

    /// A square image of `n` pixels, if `n` is a perfect square (the original's models).
    pub fn square(n: usize) -> Option<Self> {
        let w = crate::model::bthowen::params::isqrt(n);
        (w * w == n && n > 0).then(|| Self::image(w, w))
    }

    /// Number of inputs `N`.
    pub fn num_inputs(&self) -> usize {
        match &self.kind {
            InputKind::Image { width, height } => width * height,
            InputKind::Tabular { features } => features.iter().map(Feature::width).sum(),
        }
    }

    /// Whether a tabular model uses the column encodings of format extension 2 (categories,
    /// "other" and missing-value inputs); `false` for images and plain number columns.
    pub fn has_column_encodings(&self) -> bool {
        self.features()
            .is_some_and(|f| f.iter().any(|f| !f.is_plain()))
    }

    /// Whether this is a square image with numbered classes: what the original format
    /// describes with no extension.
    pub fn is_plain_square_image(&self) -> bool {
        matches!(self.kind, InputKind::Image { width, height } if width == height)
            && self.class_names.is_empty()
            && self.label_column.is_none()
    }

    /// The image size, for image models.
    pub fn image_size(&self) -> Option<(usize, usize)> {
        match self.kind {
            InputKind::Image { width, height } => Some((width, height)),
            InputKind::Tabular { .. } => None,
        }
    }

    /// The features, for tabular models.
    pub fn features(&self) -> Option<&[Feature]> {
        match &self.kind {
            InputKind::Tabular { features } => Some(features),
            InputKind::Image { .. } => None,
        }
    }

    /// The name of class `c`: its stored name, or its index.
    pub fn class_name(&self, c: usize) -> String {
        self.class_names
            .get(c)
            .cloned()
            .unwrap_or_else(|| c.to_string())
    }

    /// A short description, e.g. `28×28 image` or `13 features`.
    pub fn describe(&self) -> String {
        match &self.kind {
            InputKind::Image { width, height } => format!("{width}×{height} image"),
            InputKind::Tabular { features } if self.has_column_encodings() => {
                format!("{} features ({} inputs)", features.len(), self.num_inputs())
            }
            InputKind::Tabular { features } => format!("{} features", features.len()),
        }
    }

    /// Quantises a row of feature values (tabular models whose columns are all numbers and
    /// have no empty cells; [`InputSpec::encode_cells`] reads any row).
    pub fn quantise(&self, values: &[f64]) -> Result<Vec<u8>, ModelError> {
        let features = self.features().ok_or_else(|| {
            ModelError::Invalid("this model takes an image, not feature values".into())
        })?;
        if values.len() != features.len() {
            return Err(ModelError::Invalid(format!(
                "{} feature values given, the model takes {}",
                values.len(),
                features.len()
            )));
        }
        if let Some(i) = values.iter().position(|v| !v.is_finite()) {
            return Err(ModelError::Invalid(format!(
                "feature `{}` is {}, not a finite number",
                features[i].name, values[i]
            )));
        }
        if let Some(f) = features.iter().find(|f| f.is_category()) {
            return Err(ModelError::Invalid(format!(
                "feature `{}` is a category column: give its cells as text",
                f.name
            )));
        }
        let mut out = Vec::with_capacity(self.num_inputs());
        for (f, &v) in features.iter().zip(values) {
            out.push(f.quantise(v));
            if f.missing {
                out.push(0);
            }
        }
        Ok(out)
    }

    /// The input bytes of a row of cells, one per feature in the model's order, as written in
    /// a CSV file or in `--features` (numbers, category values, empty cells). The error
    /// names the feature (its position, 0-based, is returned with it).
    pub fn encode_cells<S: AsRef<str>>(&self, cells: &[S]) -> Result<Vec<u8>, (usize, String)> {
        let features = self.features().ok_or_else(|| {
            (
                0,
                format!("the model takes a {}, not feature values", self.describe()),
            )
        })?;
        if cells.len() != features.len() {
            return Err((
                0,
                format!(
                    "{} values given, the model takes {} features ({})",
                    cells.len(),
                    features.len(),
                    features
                        .iter()
                        .map(|f| f.name.as_str())
                        .collect::<Vec<_>>()
                        .join(", ")
                ),
            ));
        }
        let mut out = Vec::with_capacity(self.num_inputs());
        for (i, (f, c)) in features.iter().zip(cells).enumerate() {
            f.encode_cell(c.as_ref(), &mut out)
                .map_err(|e| (i, format!("column `{}`: {e}", f.name)))?;
        }
        Ok(out)
    }

    /// Checks every invariant: a non-empty input of at most [`MAX_INPUTS`], finite
    /// `lo < hi`, distinct feature names, names of at most [`MAX_NAME_BYTES`] bytes, and
    /// either no class names or
    /// exactly `classes` distinct ones.
    pub fn validate(&self, classes: usize) -> Result<(), ModelError> {
        let bad = |m: String| Err(ModelError::Invalid(m));
        let n = match &self.kind {
            InputKind::Image { width, height } => {
                if *width == 0 || *height == 0 {
                    return bad(format!("the image size {width}×{height} is empty"));
                }
                width.checked_mul(*height).unwrap_or(usize::MAX)
            }
            InputKind::Tabular { features } => {
                let mut names = std::collections::HashSet::with_capacity(features.len());
                let mut n = 0usize;
                for f in features {
                    // features are matched to CSV columns by name: two alike would read one
                    // column twice
                    if !names.insert(f.name.as_str()) {
                        return bad(format!(
                            "two features are called `{}`; feature names must be distinct",
                            f.name
                        ));
                    }
                    f.validate().map_err(ModelError::Invalid)?;
                    n = n.saturating_add(f.width());
                }
                n
            }
        };
        if n == 0 || n > MAX_INPUTS {
            return bad(format!("{n} inputs; a model takes 1 to {MAX_INPUTS}"));
        }
        if !self.class_names.is_empty() {
            if self.class_names.len() != classes {
                return bad(format!(
                    "{} class names for {classes} classes",
                    self.class_names.len()
                ));
            }
            let mut seen = std::collections::HashSet::new();
            for name in &self.class_names {
                if name.len() > MAX_NAME_BYTES {
                    return bad(format!(
                        "a class name is longer than {MAX_NAME_BYTES} bytes"
                    ));
                }
                if !seen.insert(name) {
                    return bad(format!("the class name `{name}` is repeated"));
                }
            }
        }
        Ok(())
    }

    /// Feeds the canonical encoding of the spec to a digest: kind, sizes, each feature's
    /// name and range (f64 bits, little-endian), the class names and the label column, every
    /// string as its byte length (u64 LE) then its UTF-8 bytes. A table with column encodings
    /// (extension 2) starts with the tag `tabular-columns\0` instead of `tabular` and adds,
    /// after each feature's range, its category count (u64 LE) and categories (strings),
    /// `other` and `missing` (one byte each, 0 or 1) and `fill` (f64 bits LE, 0.0 when
    /// absent); a plain table hashes exactly as before the extension.
    pub fn hash_into(&self, h: &mut Sha256) {
        let put_str = |h: &mut Sha256, s: &str| {
            h.update((s.len() as u64).to_le_bytes());
            h.update(s.as_bytes());
        };
        match &self.kind {
            InputKind::Image { width, height } => {
                h.update(b"image");
                h.update((*width as u64).to_le_bytes());
                h.update((*height as u64).to_le_bytes());
            }
            InputKind::Tabular { features } if self.has_column_encodings() => {
                // A tag no plain table's encoding starts with ("tabular" then a count of at
                // most 2^20, whose upper bytes are 0), then each column's extension fields.
                h.update(b"tabular-columns\0");
                h.update((features.len() as u64).to_le_bytes());
                for f in features {
                    put_str(h, &f.name);
                    h.update(f.lo.to_bits().to_le_bytes());
                    h.update(f.hi.to_bits().to_le_bytes());
                    f.hash_extension(h);
                }
            }
            InputKind::Tabular { features } => {
                h.update(b"tabular");
                h.update((features.len() as u64).to_le_bytes());
                for f in features {
                    put_str(h, &f.name);
                    h.update(f.lo.to_bits().to_le_bytes());
                    h.update(f.hi.to_bits().to_le_bytes());
                }
            }
        }
        h.update((self.class_names.len() as u64).to_le_bytes());
        for c in &self.class_names {
            put_str(h, c);
        }
        put_str(h, self.label_column.as_deref().unwrap_or(""));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn f(lo: f64, hi: f64) -> Feature {
        Feature::numeric("x", lo, hi)
    }

    #[test]
    fn quantisation_rule() {
        let x = f(0.0, 10.0);
        assert_eq!(x.quantise(-1.0), 0);
        assert_eq!(x.quantise(0.0), 0);
        assert_eq!(x.quantise(10.0), 255);
        assert_eq!(x.quantise(11.0), 255);
        assert_eq!(x.quantise(5.0), 128); // 127.5 rounds away from zero
        assert_eq!(x.quantise(1.0), 26); // 25.5 → 26
        assert_eq!(x.quantise(f64::NAN), 0);
        let y = f(-2.0, 2.0);
        assert_eq!(y.quantise(0.0), 128);
    }

    #[test]
    fn categories_and_empty_cells() {
        let island = Feature {
            missing: true,
            ..Feature::category("island", vec!["Biscoe".into(), "Dream".into()])
        };
        let mass = Feature {
            missing: true,
            fill: Some(4000.0),
            ..Feature::numeric("mass", 3000.0, 5000.0)
        };
        let spec = InputSpec {
            kind: InputKind::Tabular {
                features: vec![island.clone(), mass, f(0.0, 10.0)],
            },
            class_names: vec![],
            label_column: None,
        };
        spec.validate(2).unwrap();
        assert_eq!(spec.num_inputs(), 3 + 2 + 1);
        assert!(spec.has_column_encodings());
        assert_eq!(spec.describe(), "3 features (6 inputs)");
        assert_eq!(
            spec.encode_cells(&["Dream", " 5000 ", "5"]).unwrap(),
            vec![0, 255, 0, 255, 0, 128]
        );
        assert_eq!(
            spec.encode_cells(&["NA", "", "10"]).unwrap(),
            vec![0, 0, 255, 128, 255, 255]
        );
        let (i, e) = spec.encode_cells(&["Torgersen", "1", "1"]).unwrap_err();
        assert_eq!(i, 0);
        assert!(
            e.contains("column `island`: `Torgersen` is not a category"),
            "{e}"
        );
        let (i, e) = spec.encode_cells(&["Dream", "1", ""]).unwrap_err();
        assert_eq!(i, 2);
        assert!(e.contains("column `x`: missing value ``"), "{e}");
        assert!(spec
            .encode_cells(&["Dream", "heavy", "1"])
            .unwrap_err()
            .1
            .contains("not a number"));
        assert!(spec
            .encode_cells(&["Dream", "1"])
            .unwrap_err()
            .1
            .contains("3 features"));
        // "other"
        let open = Feature {
            other: true,
            ..island.clone()
        };
        let mut out = vec![];
        open.encode_cell("Torgersen", &mut out).unwrap();
        open.encode_cell("Biscoe", &mut out).unwrap();
        open.encode_cell("", &mut out).unwrap();
        assert_eq!(out, vec![0, 0, 255, 0, 255, 0, 0, 0, 0, 0, 0, 255]);
        assert_eq!(
            open.input_names(),
            vec![
                "island=Biscoe",
                "island=Dream",
                "island=(other)",
                "island=(empty)"
            ]
        );
        // a plain table hashes as before the extension; an encoded one differently
        let digest = |s: &InputSpec| {
            let mut h = Sha256::new();
            s.hash_into(&mut h);
            hex::encode(h.finalize())
        };
        let plain = InputSpec {
            kind: InputKind::Tabular {
                features: vec![f(0.0, 1.0)],
            },
            class_names: vec![],
            label_column: None,
        };
        let mut h = Sha256::new();
        h.update(b"tabular");
        h.update(1u64.to_le_bytes());
        h.update(1u64.to_le_bytes());
        h.update(b"x");
        h.update(0f64.to_bits().to_le_bytes());
        h.update(1f64.to_bits().to_le_bytes());
        h.update(0u64.to_le_bytes());
        h.update(0u64.to_le_bytes());
        assert_eq!(digest(&plain), hex::encode(h.finalize()));
        assert_ne!(digest(&spec), digest(&plain));
        // invariants
        let bad = |f: Feature| {
            InputSpec {
                kind: InputKind::Tabular { features: vec![f] },
                class_names: vec![],
                label_column: None,
            }
            .validate(2)
            .unwrap_err()
            .to_string()
        };
        assert!(bad(Feature {
            missing: true,
            ..f(0.0, 1.0)
        })
        .contains("no fill value"));
        assert!(bad(Feature {
            fill: Some(1.0),
            ..f(0.0, 1.0)
        })
        .contains("fill value"));
        assert!(bad(Feature {
            other: true,
            ..f(0.0, 1.0)
        })
        .contains("no categories"));
        assert!(bad(Feature::category("c", vec!["a".into(), "a".into()])).contains("twice"));
        assert!(bad(Feature::category("c", vec!["NA".into()])).contains("empty cell"));
        // the new fields round-trip through JSON, and are absent from a plain column's
        let json = serde_json::to_string(&spec).unwrap();
        assert_eq!(serde_json::from_str::<InputSpec>(&json).unwrap(), spec);
        assert_eq!(
            serde_json::to_string(&f(0.0, 1.0)).unwrap(),
            r#"{"name":"x","lo":0.0,"hi":1.0}"#
        );
    }

    #[test]
    fn json_is_flat() {
        let s = serde_json::to_string(&InputSpec::image(3, 2)).unwrap();
        assert_eq!(s, r#"{"kind":"image","width":3,"height":2}"#);
        let t: InputSpec = serde_json::from_str(
            r#"{"kind":"tabular","features":[{"name":"a","lo":0.0,"hi":1.0}],"class_names":["x","y"]}"#,
        )
        .unwrap();
        assert_eq!(t.num_inputs(), 1);
        assert_eq!(t.class_name(1), "y");
        assert!(serde_json::from_str::<InputSpec>(r#"{"kind":"video"}"#).is_err());
    }

    #[test]
    fn validation() {
        let ok = InputSpec {
            kind: InputKind::Tabular {
                features: vec![f(0.0, 1.0), Feature::numeric("z", 1.0, 2.0)],
            },
            class_names: vec!["a".into(), "b".into()],
            label_column: Some("y".into()),
        };
        ok.validate(2).unwrap();
        let mut twice = ok.clone();
        if let InputKind::Tabular { features } = &mut twice.kind {
            features[1].name = "x".into();
        }
        assert!(twice
            .validate(2)
            .unwrap_err()
            .to_string()
            .contains("two features are called `x`"));
        assert!(ok
            .validate(3)
            .unwrap_err()
            .to_string()
            .contains("2 class names"));
        let mut bad = ok.clone();
        bad.class_names[1] = "a".into();
        assert!(bad
            .validate(2)
            .unwrap_err()
            .to_string()
            .contains("repeated"));
        let bad = InputSpec {
            kind: InputKind::Tabular {
                features: vec![f(1.0, 1.0)],
            },
            ..ok.clone()
        };
        assert!(bad.validate(2).unwrap_err().to_string().contains("lo < hi"));
        let twins = InputSpec {
            kind: InputKind::Tabular {
                features: vec![f(0.0, 1.0), f(0.0, 1.0)],
            },
            ..ok.clone()
        };
        assert!(twins
            .validate(2)
            .unwrap_err()
            .to_string()
            .contains("two features are called `x`"));
        assert!(InputSpec::image(0, 3).validate(2).is_err());
        assert_eq!(InputSpec::square(784).unwrap(), InputSpec::image(28, 28));
        assert!(InputSpec::square(783).is_none());
        assert_eq!(ok.quantise(&[0.5, 3.0]).unwrap(), vec![128, 255]);
        assert!(ok.quantise(&[0.5]).is_err());
        assert!(ok.quantise(&[0.5, f64::INFINITY]).is_err());
        assert_eq!(ok.class_name(1), "b");
        assert_eq!(InputSpec::image(2, 3).class_name(1), "1");
    }
}
