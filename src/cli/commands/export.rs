//! `zero_g export-mnist`: IDX files to a folder of NNNN_<label>.png.

use crate::cli::progress::Printer;
use crate::cli::Outcome;
use anyhow::Result;
use clap::Args;
use std::path::PathBuf;
use zero_g::data::{export_png_folder, idx, Split};

/// Arguments of `export-mnist`.
#[derive(Debug, Args)]
pub struct ExportArgs {
    /// The folder holding the MNIST IDX files (scripts/fetch-mnist.sh puts them in data/mnist).
    #[arg(long, value_name = "DIR", default_value = "data/mnist")]
    mnist_dir: PathBuf,
    /// Export the training split instead of the test split.
    #[arg(long)]
    train_split: bool,
    /// Where to write the PNG files: a new (or empty) folder, created whole or not at all.
    #[arg(short = 'o', long, value_name = "DIR")]
    output_dir: PathBuf,
}

/// Runs `export-mnist`.
pub fn run(a: ExportArgs, printer: &Printer) -> Result<Outcome> {
    let split = if a.train_split {
        Split::Train
    } else {
        Split::Test
    };
    let prefix = split.prefix();
    let data = idx::read_pair(
        &a.mnist_dir.join(format!("{prefix}-images-idx3-ubyte")),
        &a.mnist_dir.join(format!("{prefix}-labels-idx1-ubyte")),
    )?;
    let rep = printer.reporter();
    zero_g::progress::Reporter::on_stage(&rep, "exporting", 1);
    let n = export_png_folder(&data, &a.output_dir)?;
    zero_g::progress::Reporter::on_stage_done(&rep);
    println!("wrote {n} images to {}", a.output_dir.display());
    Ok(Outcome::Success)
}
