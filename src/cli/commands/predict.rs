//! `zero_g predict`: scores and class of one image.

use super::{load_model, print_json};
use crate::cli::{ModelArg, Outcome};
use anyhow::Result;
use clap::Args;
use std::path::PathBuf;

/// Arguments of `predict`.
#[derive(Debug, Args)]
pub struct PredictArgs {
    #[command(flatten)]
    model: ModelArg,
    /// The image (PNG or JPEG; converted to 8-bit grayscale; must match the model's size).
    #[arg(short = 'i', long, value_name = "FILE")]
    img_path: PathBuf,
    /// Print {"scores": [...], "class": N} as JSON.
    #[arg(long)]
    json: bool,
}

/// Runs `predict`.
pub fn run(a: PredictArgs) -> Result<Outcome> {
    let model = load_model(&a.model.model_path)?;
    let img = super::inputs::load_images(std::slice::from_ref(&a.img_path), &model)?.remove(0);
    let p = model.predict(&img);
    if a.json {
        print_json(&serde_json::json!({ "scores": p.scores, "class": p.class }));
    } else {
        println!("class:  {}", p.class);
        println!("scores: {:?}", p.scores);
    }
    Ok(Outcome::Success)
}
