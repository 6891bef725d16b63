//! What `/v1/predict` and `/v1/prove` accept, turned into the bytes a model reads.
//!
//! A JSON body (`Content-Type: application/json`) holds one input, or a batch under
//! `inputs`:
//!
//! ```json
//! {"model": "mnist", "image": "<base64 PNG or JPEG, or a data: URL>"}
//! {"pixels": [0, 0, 255, …]}                   // the model's bytes, row-major
//! {"features": [5.1, 3.5, 1.4, 0.2]}           // or "5.1,3.5,1.4,0.2" (a CSV line)
//! {"csv": "sepal_length,…\n5.1,…\n"}           // a header and data rows, matched by name
//! {"inputs": [{"pixels": […]}, {"image": "…"}], "bind_to": "0x…", "openings": […]}
//! ```
//!
//! A raw PNG or JPEG body (`Content-Type: image/png` or `image/jpeg`) is one image; the
//! model, `bind_to` and `submit` then come from the query string.

use super::ApiError;
use crate::data::csv::{self as table, Label};
use crate::model::{InputKind, Model};
use crate::proving::artifacts::Opening;
use base64::Engine as _;
use serde::Deserialize;
use std::path::Path;

/// The most inputs one request may carry.
pub const MAX_INPUTS: usize = 64;

/// One input of a JSON body: exactly one of its fields.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct InputJson {
    /// A PNG or JPEG file, base64 (standard alphabet), optionally as a `data:` URL.
    #[serde(default)]
    pub image: Option<String>,
    /// The model's input bytes, row-major.
    #[serde(default)]
    pub pixels: Option<Vec<u8>>,
    /// A tabular model's feature values, in the model's order.
    #[serde(default)]
    pub features: Option<Features>,
    /// CSV text: a header row naming the model's features (a label column is ignored),
    /// then one or more data rows.
    #[serde(default)]
    pub csv: Option<String>,
}

/// Feature values: a list of numbers or one CSV line.
#[derive(Debug, Deserialize)]
#[serde(untagged)]
pub enum Features {
    /// `[5.1, 3.5, …]`
    List(Vec<f64>),
    /// `"5.1,3.5,…"`
    Line(String),
}

/// A JSON body of `/v1/predict` or `/v1/prove`.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Body {
    /// The served model's name (optional when one model is served).
    #[serde(default)]
    pub model: Option<String>,
    /// One input (instead of `inputs`).
    #[serde(default)]
    pub image: Option<String>,
    /// One input (instead of `inputs`).
    #[serde(default)]
    pub pixels: Option<Vec<u8>>,
    /// One input (instead of `inputs`).
    #[serde(default)]
    pub features: Option<Features>,
    /// One or more inputs as CSV rows (instead of `inputs`).
    #[serde(default)]
    pub csv: Option<String>,
    /// A batch, in order.
    #[serde(default)]
    pub inputs: Option<Vec<InputJson>>,
    /// `prove` with keys that bind: the value to bind the proof to (address or word).
    #[serde(default)]
    pub bind_to: Option<String>,
    /// `prove` with commitment keys: the openings (from `zero_g commit`), one per input.
    #[serde(default)]
    pub openings: Option<Vec<Opening>>,
    /// `prove`: also send the proof to the model's verifier on chain.
    #[serde(default)]
    pub submit: bool,
}

impl Body {
    /// Parses a JSON body, naming what is wrong.
    pub fn from_json(bytes: &[u8]) -> Result<Body, ApiError> {
        serde_json::from_slice(bytes)
            .map_err(|e| ApiError::bad_request("bad_json", format!("the JSON body: {e}")))
    }

    /// The parameters of a raw image upload, from its query string (the image itself is
    /// decoded by [`image_input`]).
    pub fn from_query(query: &[(String, String)]) -> Result<Body, ApiError> {
        let mut b = Body::default();
        for (k, v) in query {
            match k.as_str() {
                "model" => b.model = Some(v.clone()),
                "bind_to" => b.bind_to = Some(v.clone()),
                "submit" => {
                    b.submit = match v.as_str() {
                        "" | "1" | "true" => true,
                        "0" | "false" => false,
                        _ => {
                            return Err(ApiError::bad_request(
                                "bad_query",
                                format!("submit=`{v}`: give true or false"),
                            ))
                        }
                    }
                }
                _ => {
                    return Err(ApiError::bad_request(
                        "bad_query",
                        format!("unknown query parameter `{k}` (model, bind_to, submit)"),
                    ))
                }
            }
        }
        Ok(b)
    }

    /// The inputs for `model`, in order.
    pub fn inputs(&self, model: &Model) -> Result<Vec<Vec<u8>>, ApiError> {
        let single = InputJson {
            image: self.image.clone(),
            pixels: self.pixels.clone(),
            features: match &self.features {
                Some(Features::List(v)) => Some(Features::List(v.clone())),
                Some(Features::Line(s)) => Some(Features::Line(s.clone())),
                None => None,
            },
            csv: self.csv.clone(),
        };
        let has_single = single.image.is_some()
            || single.pixels.is_some()
            || single.features.is_some()
            || single.csv.is_some();
        let out =
            match (&self.inputs, has_single) {
                (Some(_), true) => return Err(ApiError::bad_request(
                    "bad_input",
                    "give one input (image, pixels, features or csv) or a batch (inputs), not both",
                )),
                (None, false) => {
                    return Err(ApiError::bad_request(
                        "no_input",
                        "no input: give image, pixels, features, csv or inputs",
                    ))
                }
                (None, true) => single.decode(model, 0)?,
                (Some(list), false) => {
                    if list.is_empty() {
                        return Err(ApiError::bad_request("no_input", "inputs is empty"));
                    }
                    let mut out = Vec::new();
                    for (i, inp) in list.iter().enumerate() {
                        out.extend(inp.decode(model, i)?);
                    }
                    out
                }
            };
        if out.len() > MAX_INPUTS {
            return Err(ApiError::bad_request(
                "too_many_inputs",
                format!("{} inputs: at most {MAX_INPUTS} per request", out.len()),
            ));
        }
        Ok(out)
    }
}

/// Decodes a raw PNG or JPEG body for `model`.
pub fn image_input(model: &Model, bytes: &[u8]) -> Result<Vec<u8>, ApiError> {
    let (w, h) = image_size(model)?;
    crate::data::decode_image_for(Path::new("the uploaded image"), bytes, w, h)
        .map_err(|e| ApiError::bad_request("bad_image", e.to_string()))
}

fn image_size(model: &Model) -> Result<(usize, usize), ApiError> {
    model.input().image_size().ok_or_else(|| {
        ApiError::bad_request(
            "wrong_input_kind",
            format!(
                "this model takes {}, not an image: give features or csv",
                model.input().describe()
            ),
        )
    })
}

impl InputJson {
    /// The input's bytes (several for CSV text with several rows); `i` numbers it in messages.
    fn decode(&self, model: &Model, i: usize) -> Result<Vec<Vec<u8>>, ApiError> {
        let bad = |code: &'static str, m: String| {
            ApiError::bad_request(code, format!("input {}: {m}", i + 1))
        };
        let given = [
            self.image.is_some(),
            self.pixels.is_some(),
            self.features.is_some(),
            self.csv.is_some(),
        ];
        if given.iter().filter(|&&g| g).count() != 1 {
            return Err(bad(
                "bad_input",
                "give exactly one of image, pixels, features or csv".into(),
            ));
        }
        let spec = model.input();
        if let Some(b64) = &self.image {
            let data = match b64.split_once(";base64,") {
                Some((head, rest)) if head.starts_with("data:") => rest,
                _ => b64.as_str(),
            };
            let bytes = base64::engine::general_purpose::STANDARD
                .decode(data.trim())
                .map_err(|e| bad("bad_base64", format!("image is not base64: {e}")))?;
            return image_input(model, &bytes)
                .map(|x| vec![x])
                .map_err(|e| bad(e.code, e.message));
        }
        if let Some(px) = &self.pixels {
            if let InputKind::Image { width, height } = spec.kind {
                if px.len() != width * height {
                    return Err(bad(
                        "wrong_size",
                        format!(
                            "{} pixels given, the model takes {width}×{height} = {}",
                            px.len(),
                            width * height
                        ),
                    ));
                }
            } else if px.len() != model.num_inputs() {
                return Err(bad(
                    "wrong_size",
                    format!(
                        "{} bytes given, the model takes {}",
                        px.len(),
                        model.num_inputs()
                    ),
                ));
            }
            return Ok(vec![px.clone()]);
        }
        if let Some(f) = &self.features {
            let line = match f {
                Features::Line(s) => s.clone(),
                Features::List(v) => v
                    .iter()
                    .map(|x| format!("{x}"))
                    .collect::<Vec<_>>()
                    .join(","),
            };
            return table::parse_features(&line, spec)
                .map(|x| vec![x])
                .map_err(|e| bad("bad_features", e.to_string()));
        }
        let text = self.csv.as_deref().unwrap_or_default();
        if spec.features().is_none() {
            return Err(bad(
                "wrong_input_kind",
                format!("the model takes a {}, not a CSV row", spec.describe()),
            ));
        }
        let label = spec.label_column.as_deref().unwrap_or("");
        let t = table::parse(
            Path::new("the CSV text"),
            text.as_bytes(),
            Label::IfPresent(label),
        )
        .map_err(|e| bad("bad_csv", e.to_string()))?;
        if t.is_empty() {
            return Err(bad("bad_csv", "the CSV text has no data row".into()));
        }
        (0..t.len())
            .map(|r| {
                t.quantise_row(spec, r)
                    .map_err(|e| bad("bad_csv", e.to_string()))
            })
            .collect()
    }
}
