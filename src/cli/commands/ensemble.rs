//! `zero_g ensemble`: one LUT network from several one-layer networks of the same input,
//! whose class scores are the sums of theirs (`zero_g::train::lutnet::merge`).
//! The result is an ordinary one-layer network: every command, the circuit and the EVM path
//! treat it as any other.

use super::{load_model, print_json};
use crate::cli::Outcome;
use anyhow::{bail, Result};
use clap::Args;
use std::path::PathBuf;
use zero_g::model::Model;

/// Arguments of `ensemble`.
#[derive(Debug, Args)]
pub struct EnsembleArgs {
    /// The networks to merge: one-layer LUT networks with the same input, classes and arity
    /// (any --layers, --seed and --bits-per-input; members with other thresholds are merged
    /// over the union of their thresholds).
    #[arg(required = true, num_args = 1.., value_name = "MODEL.hdf5")]
    models: Vec<PathBuf>,
    /// Also merge each network's mirror image (its wiring reversed left-right, the same
    /// tables), so each image is scored as itself plus its mirror image: test-time mirroring,
    /// for networks over images trained with --flip. Doubles the nodes.
    #[arg(long)]
    mirror: bool,
    /// Where to write the merged network (written whole or not at all).
    #[arg(short = 'o', long, value_name = "FILE")]
    output: PathBuf,
    /// Print what was written as JSON.
    #[arg(long)]
    json: bool,
}

/// Runs `ensemble`.
pub fn run(a: EnsembleArgs) -> Result<Outcome> {
    let mut nets = Vec::with_capacity(a.models.len());
    for p in &a.models {
        match load_model(p)? {
            Model::LutNet(n) => nets.push(n),
            Model::Bthowen(_) => bail!(
                "{} is a BTHOWeN model: only LUT networks can be merged",
                p.display()
            ),
        }
    }
    if nets.len() < 2 && !a.mirror {
        bail!("give two or more networks to merge, or one with --mirror");
    }
    if a.mirror {
        let twins =
            (nets.iter().map(zero_g::train::lutnet::mirrored)).collect::<Result<Vec<_>, _>>()?;
        nets.extend(twins);
    }
    let merged = zero_g::train::lutnet::merge(&nets)?;
    let nodes = merged.num_nodes();
    let model = Model::from(merged);
    zero_g::model::io::save(&model, &a.output)?;
    if a.json {
        print_json(&serde_json::json!({
            "output": a.output,
            "members": a.models,
            "mirrored": a.mirror,
            "nodes": nodes,
            "model_digest": model.digest_hex(),
        }));
    } else {
        println!("{}", model.describe());
        println!(
            "wrote {} ({} networks merged; its scores are the sums of theirs)",
            a.output.display(),
            nets.len()
        );
    }
    Ok(Outcome::Success)
}
