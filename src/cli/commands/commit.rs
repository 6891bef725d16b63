//! `zero_g commit`: the salted Poseidon commitment of an image, computed natively.

use super::print_json;
use crate::cli::Outcome;
use anyhow::{Context, Result};
use clap::Args;
use std::path::PathBuf;
use zero_g::proving::artifacts::{self, Opening};

/// Arguments of `commit`.
#[derive(Debug, Args)]
pub struct CommitArgs {
    /// The image (PNG or JPEG, 8-bit grayscale after conversion).
    #[arg(short = 'i', long, value_name = "FILE")]
    img_path: PathBuf,
    /// The image's side in pixels (default: read from --model-path, else the image's own).
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
        Some(m) => {
            let model = super::load_model(m)?;
            super::inputs::load_images(std::slice::from_ref(&a.img_path), &model)?.remove(0)
        }
        None => zero_g::data::load_grayscale(&a.img_path)?.0,
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
