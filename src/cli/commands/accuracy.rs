//! `zero_g compute-accuracy`: correct / total on a labelled test set (images or a CSV file).

use super::{load_model, print_json};
use crate::cli::progress::Printer;
use crate::cli::{ModelArg, Outcome};
use anyhow::{ensure, Result};
use clap::Args;
use std::path::PathBuf;
use zero_g::data::{load_dataset, Split};

/// Arguments of `compute-accuracy`.
#[derive(Debug, Args)]
pub struct AccuracyArgs {
    #[command(flatten)]
    model: ModelArg,
    /// A folder with the MNIST IDX files (t10k-*-ubyte) or with NNNN_<label>.png images, or
    /// (for a tabular model) a CSV file with a header row, the model's features and a label
    /// column.
    #[arg(short = 't', long, value_name = "PATH")]
    test_set_path: PathBuf,
    /// The CSV test file's label column (default: the one the model was trained with).
    #[arg(long, value_name = "NAME")]
    label_column: Option<String>,
    /// Read the training split (train-*-ubyte) of an IDX folder instead of the test split.
    #[arg(long)]
    train_split: bool,
    /// Print {"correct": c, "total": t, "accuracy": a} as JSON.
    #[arg(long)]
    json: bool,
}

/// Runs `compute-accuracy`.
pub fn run(a: AccuracyArgs, printer: &Printer) -> Result<Outcome> {
    let model = load_model(&a.model.model_path)?;
    let split = if a.train_split {
        Split::Train
    } else {
        Split::Test
    };
    let tabular = model.input().features().is_some();
    let data = if !tabular {
        let data = load_dataset(&a.test_set_path, split)?;
        let (w, h) = super::inputs::image_size(&model)?;
        ensure!(
            data.rows == h && data.cols == w,
            "test images are {}×{}, but the model expects {w}×{h}",
            data.cols,
            data.rows
        );
        data
    } else if a.test_set_path.is_dir() {
        anyhow::bail!(
            "{} is a folder, but the model takes {}: give a CSV test file",
            a.test_set_path.display(),
            model.input().describe()
        );
    } else {
        super::samples::labelled_csv(&a.test_set_path, a.label_column.as_deref(), model.input())?
    };
    let classes = model.num_classes();
    if let Some(&l) = data.labels.iter().find(|&&l| l as usize >= classes) {
        anyhow::bail!("the test set has label {l}, but the model has only {classes} classes");
    }
    let (correct, total) = zero_g::train::evaluate(&model, &data, &printer.reporter());
    let acc = correct as f64 / total as f64;
    if a.json {
        print_json(&serde_json::json!({ "correct": correct, "total": total, "accuracy": acc }));
    } else {
        println!("Accuracy: {correct} / {total} ({:.2} %)", 100.0 * acc);
    }
    Ok(Outcome::Success)
}
