//! `zero_g info`: what a model file holds — its family, input, classes, shape and digest.

use super::{load_model, print_json};
use crate::cli::{ModelArg, Outcome};
use anyhow::Result;
use clap::Args;
use zero_g::model::{InputKind, Model};

/// Arguments of `info`.
#[derive(Debug, Args)]
pub struct InfoArgs {
    #[command(flatten)]
    model: ModelArg,
    /// Print the description as JSON.
    #[arg(long)]
    json: bool,
}

/// Runs `info`.
pub fn run(a: InfoArgs) -> Result<Outcome> {
    let model = load_model(&a.model.model_path)?;
    let input = model.input();
    let shape = match &model {
        Model::Bthowen(m) => serde_json::to_value(m.params())?,
        Model::LutNet(m) => serde_json::json!({
            "bits_per_input": m.bits_per_input(),
            "layers": m.layers().iter().map(|l| serde_json::json!({"nodes": l.nodes(), "arity": l.arity})).collect::<Vec<_>>(),
            "nodes": m.num_nodes(),
            "architecture": m.architecture().map(|a| a.to_string()),
        }),
    };
    if a.json {
        print_json(&serde_json::json!({
            "family": model.family().name(),
            "input": input,
            "num_inputs": model.num_inputs(),
            "num_classes": model.num_classes(),
            "shape": shape,
            "model_digest": model.digest_hex(),
        }));
        return Ok(Outcome::Success);
    }
    println!("{}", model.describe());
    match &input.kind {
        InputKind::Image { width, height } => println!("input:   {width}×{height} grayscale image"),
        InputKind::Tabular { features } => {
            println!(
                "input:   {} features, {} inputs in 0..=255:",
                features.len(),
                input.num_inputs()
            );
            for f in features {
                let mut line = if f.is_category() {
                    format!("           {}: one of {}", f.name, f.categories.join(", "))
                } else {
                    format!("           {} in [{}, {}]", f.name, f.lo, f.hi)
                };
                if f.other {
                    line += " (or another value: its \"other\" input)";
                }
                if f.missing {
                    line += &match f.fill {
                        Some(v) => {
                            format!("; empty cells allowed (filled with {v}, plus a missing input)")
                        }
                        None => "; empty cells allowed (a missing input)".to_string(),
                    };
                }
                println!("{line}");
            }
        }
    }
    if !input.class_names.is_empty() {
        println!("classes: {}", input.class_names.join(", "));
    }
    if let Some(l) = &input.label_column {
        println!("labels:  column `{l}`");
    }
    println!("digest:  {}", model.digest_hex());
    Ok(Outcome::Success)
}
