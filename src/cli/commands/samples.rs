//! What a command classifies or proves: images (`--img-path`), rows of feature values
//! (`--features`) or rows of a CSV file (`--csv-row FILE:N`), exactly one kind per command,
//! each turned into the `N` bytes the model (and the circuit) reads.

use anyhow::{bail, Context, Result};
use clap::Args;
use std::collections::HashMap;
use std::path::{Path, PathBuf};
use zero_g::data::csv::{self as table, Label};
use zero_g::data::Dataset;
use zero_g::model::InputSpec;
use zero_g::Model;

/// The inputs of a command: one kind, repeatable for a batch.
#[derive(Debug, Clone, Args)]
#[group(id = "samples", multiple = false)]
pub struct SampleArgs {
    /// Image input(s): PNG/JPEG files (8-bit grayscale after conversion; the model's size),
    /// or folders of them in name order. Repeat (or list several) for a batch.
    #[arg(short = 'i', long, value_name = "PATH", num_args = 1..)]
    pub img_path: Vec<PathBuf>,
    /// A tabular model's input: the feature values in the model's order (`zero_g info`
    /// lists them), comma-separated, e.g. "5.1,3.5,1.4,0.2". Repeat for a batch.
    #[arg(long, value_name = "X1,X2,…", allow_hyphen_values = true)]
    pub features: Vec<String>,
    /// A tabular model's input: data row N (1-based, the header not counted) of a CSV file
    /// whose columns include the model's features (matched by name). Repeat for a batch.
    #[arg(long, value_name = "FILE:N")]
    pub csv_row: Vec<String>,
}

/// Inputs ready for a model: a display name and the bytes of each.
#[derive(Debug, Clone)]
pub struct Samples {
    /// How each input is called in messages (a path, the values, `FILE:N`).
    pub names: Vec<String>,
    /// The bytes of each input, as the model and the circuit read them.
    pub inputs: Vec<Vec<u8>>,
}

impl Samples {
    /// The names as paths (what the proving helpers print).
    pub fn paths(&self) -> Vec<PathBuf> {
        self.names.iter().map(PathBuf::from).collect()
    }
}

impl SampleArgs {
    /// Whether no input was given.
    pub fn is_empty(&self) -> bool {
        self.img_path.is_empty() && self.features.is_empty() && self.csv_row.is_empty()
    }

    /// Fails, naming the three flags, when no input was given (check before slow work).
    pub fn require(&self) -> Result<()> {
        if self.is_empty() {
            bail!("no input given: give --img-path, --features or --csv-row");
        }
        Ok(())
    }

    /// Loads the inputs for `model`: images checked against its size, feature values and
    /// CSV rows quantised by its stored map.
    pub fn load(&self, model: &Model) -> Result<Samples> {
        self.require()?;
        let spec = model.input();
        if !self.img_path.is_empty() {
            let paths = super::inputs::image_paths(&self.img_path)?;
            let inputs = super::inputs::load_images(&paths, model)?;
            let names = paths.iter().map(|p| p.display().to_string()).collect();
            return Ok(Samples { names, inputs });
        }
        let mut names = Vec::new();
        let mut inputs = Vec::new();
        for f in &self.features {
            inputs
                .push(table::parse_features(f, spec).with_context(|| format!("--features {f:?}"))?);
            names.push(f.clone());
        }
        if !self.csv_row.is_empty() && spec.features().is_none() {
            bail!(
                "this model takes a {}, not a CSV row: give --img-path",
                spec.describe()
            );
        }
        // each file is read once, up to the last row asked of it
        let refs = self
            .csv_row
            .iter()
            .map(|r| table::parse_row_ref(r))
            .collect::<Result<Vec<_>, _>>()?;
        let mut files: Vec<&PathBuf> = refs.iter().map(|(f, _)| f).collect();
        files.sort();
        files.dedup();
        let mut rows: HashMap<(&PathBuf, usize), Vec<u8>> = HashMap::new();
        for file in files {
            let wanted: Vec<usize> = refs
                .iter()
                .filter(|(f, _)| f == file)
                .map(|&(_, n)| n)
                .collect();
            for (n, x) in wanted.iter().zip(table::read_rows(file, spec, &wanted)?) {
                rows.insert((file, *n), x);
            }
        }
        for (r, (file, n)) in self.csv_row.iter().zip(&refs) {
            inputs.push(rows[&(file, *n)].clone());
            names.push(r.clone());
        }
        Ok(Samples { names, inputs })
    }

    /// Loads exactly one input (for `predict` and `commit`).
    pub fn load_one(&self, model: &Model) -> Result<(String, Vec<u8>)> {
        let mut s = self.load(model)?;
        if s.inputs.len() != 1 {
            bail!(
                "{} inputs given; this command takes one (one --img-path file, --features or --csv-row)",
                s.inputs.len()
            );
        }
        Ok((s.names.remove(0), s.inputs.remove(0)))
    }
}

/// How to find the label column of a CSV file: `--label-column`, else the one the model
/// stores, else the last column.
pub fn label_for<'a>(given: Option<&'a str>, spec: Option<&'a InputSpec>) -> Label<'a> {
    match given.or_else(|| spec.and_then(|s| s.label_column.as_deref())) {
        Some(l) => Label::Named(l),
        None => Label::Last,
    }
}

/// A labelled CSV test set under a model's quantisation and class names.
pub fn labelled_csv(path: &Path, label: Option<&str>, spec: &InputSpec) -> Result<Dataset> {
    if spec.features().is_none() {
        bail!(
            "{} is a CSV file, but the model takes a {}: give a folder of images",
            path.display(),
            spec.describe()
        );
    }
    Ok(table::read_dataset(
        path,
        label_for(label, Some(spec)),
        spec,
    )?)
}
