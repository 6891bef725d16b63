//! `zero_g commit`: the salted Poseidon commitment of an input (an image's pixels, or a row
//! of features quantised by the model), computed natively.

use super::print_json;
use super::samples::SampleArgs;
use crate::cli::Outcome;
use anyhow::{bail, Context, Result};
use clap::Args;
use std::path::PathBuf;
use zero_g::proving::artifacts::{self, Opening};

/// Arguments of `commit`.
#[derive(Debug, Args)]
pub struct CommitArgs {
    /// The input: one image, or (with --model-path) --features or --csv-row; the commitment
    /// covers the bytes the circuit reads.
    #[command(flatten)]
    input: SampleArgs,
    /// The model: its image size is checked, its quantisation turns features into bytes
    /// (needed with --features and --csv-row; without it an image is taken as it is).
    #[arg(short = 'm', long, value_name = "FILE")]
    model_path: Option<PathBuf>,
    /// The salt, `0x` + 64 hex digits (a BN254 scalar); default: 32 fresh random bytes.
    #[arg(long, value_name = "HEX")]
    salt: Option<String>,
    /// Where to write the opening (image digest, salt, commitment) for `proof --opening-path`.
    /// Keep it private: the salt is what hides the image.
    #[arg(short = 'o', long, value_name = "FILE")]
    output: Option<PathBuf>,
    /// Print the opening as JSON.
    #[arg(long)]
    json: bool,
}

/// Runs `commit`.
pub fn run(a: CommitArgs) -> Result<Outcome> {
    let pixels = match &a.model_path {
        Some(m) => a.input.load_one(&super::load_model(m)?)?.1,
        None => {
            if !(a.input.features.is_empty() && a.input.csv_row.is_empty()) {
                bail!(
                    "--features and --csv-row need --model-path (its quantisation makes the bytes)"
                );
            }
            match a.input.img_path.as_slice() {
                [p] if !p.is_dir() => zero_g::data::load_grayscale(p)?.0,
                [] => bail!("no input given: give --img-path, --features or --csv-row"),
                _ => bail!("commit takes one image file"),
            }
        }
    };
    let salt = match &a.salt {
        Some(s) => zero_g::commitment::from_hex(s).context("--salt")?,
        None => zero_g::commitment::random_salt(),
    };
    let opening = Opening::new(&pixels, salt);
    if let Some(p) = &a.output {
        artifacts::write_openings(p, std::slice::from_ref(&opening))?;
    }
    if a.json {
        print_json(&serde_json::to_value(&opening)?);
    } else {
        println!("commitment: {}", opening.commitment);
        println!("salt:       {}", opening.salt);
        match &a.output {
            Some(p) => println!("wrote the opening to {} (keep it private)", p.display()),
            None => println!("(keep the salt private; without it the commitment cannot be proven)"),
        }
    }
    Ok(Outcome::Success)
}
