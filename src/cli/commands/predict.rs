//! `zero_g predict`: scores and class of one input (an image, or a row of features).

use super::samples::SampleArgs;
use super::{load_model, print_json};
use crate::cli::{ModelArg, Outcome};
use anyhow::Result;
use clap::Args;

/// Arguments of `predict`.
#[derive(Debug, Args)]
pub struct PredictArgs {
    #[command(flatten)]
    model: ModelArg,
    /// The input: one image, --features or --csv-row.
    #[command(flatten)]
    input: SampleArgs,
    /// Print {"scores": [...], "class": N, "class_name": "..."} as JSON.
    #[arg(long)]
    json: bool,
}

/// Runs `predict`.
pub fn run(a: PredictArgs) -> Result<Outcome> {
    a.input.require()?;
    let model = load_model(&a.model.model_path)?;
    let (_, x) = a.input.load_one(&model)?;
    let p = model.predict(&x);
    let spec = model.input();
    let name = spec.class_name(p.class);
    if a.json {
        print_json(&serde_json::json!({
            "scores": p.scores, "class": p.class, "class_name": name,
        }));
    } else {
        if spec.class_names.is_empty() {
            println!("class:  {}", p.class);
        } else {
            println!("class:  {name} ({})", p.class);
        }
        println!("scores: {:?}", p.scores);
    }
    Ok(Outcome::Success)
}
