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

use crate::error::ModelError;
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

pub use crate::limits::{MAX_INPUTS, MAX_NAME_BYTES};

/// One numeric feature of a tabular model: its name and its quantisation range.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Feature {
    /// Column name in the training CSV.
    pub name: String,
    /// Values at or below `lo` quantise to 0.
    pub lo: f64,
    /// Values at or above `hi` quantise to 255.
    pub hi: f64,
}

impl Feature {
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
            InputKind::Tabular { features } => features.len(),
        }
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
            InputKind::Tabular { features } => format!("{} features", features.len()),
        }
    }

    /// Quantises a row of feature values (tabular models).
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
        Ok(features
            .iter()
            .zip(values)
            .map(|(f, &v)| f.quantise(v))
            .collect())
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
                for f in features {
                    // features are matched to CSV columns by name: two alike would read one
                    // column twice
                    if !names.insert(f.name.as_str()) {
                        return bad(format!(
                            "two features are called `{}`; feature names must be distinct",
                            f.name
                        ));
                    }
                    if f.name.len() > MAX_NAME_BYTES {
                        return bad(format!(
                            "a feature name is longer than {MAX_NAME_BYTES} bytes"
                        ));
                    }
                    if !(f.lo.is_finite() && f.hi.is_finite() && f.lo < f.hi) {
                        return bad(format!(
                            "feature `{}` has the range [{}, {}]; it needs finite lo < hi",
                            f.name, f.lo, f.hi
                        ));
                    }
                }
                features.len()
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
    /// string as its byte length (u64 LE) then its UTF-8 bytes.
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
        Feature {
            name: "x".into(),
            lo,
            hi,
        }
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
                features: vec![
                    f(0.0, 1.0),
                    Feature {
                        name: "y".into(),
                        ..f(1.0, 2.0)
                    },
                ],
            },
            class_names: vec!["a".into(), "b".into()],
            label_column: Some("y".into()),
        };
        ok.validate(2).unwrap();
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
