//! `train --family lutnet --arch …`: a deep LUT network (the library's
//! `zero_g::train::lutnet::deep`), its configuration from the flags and its report.

use super::{checkpointing, Defaults, TrainArgs, TrainData};
use anyhow::Result;
use zero_g::model::Model;
use zero_g::train::lutnet::deep::DeepTrainConfig;

/// Bits per pixel of a deep network on images (shared thresholds; MNIST measured:
/// models/README.md).
const DEEP_IMAGE_BPI: usize = 2;

pub(super) fn train_deep(
    a: &TrainArgs,
    train: &TrainData,
    d: Defaults,
    classes: usize,
    output: &std::path::Path,
    reporter: &dyn zero_g::progress::Reporter,
) -> Result<(Model, serde_json::Value)> {
    let l = &a.lut;
    let epochs = l.epochs.unwrap_or(d.epochs);
    let cfg = DeepTrainConfig {
        arch: l.arch.clone().expect("checked by the caller"),
        arity: l.arity.unwrap_or(d.arity),
        bits_per_input: a.bits_per_input.unwrap_or(if train.table {
            d.lut_bpi
        } else {
            DEEP_IMAGE_BPI
        }),
        epochs,
        batch_size: l.batch_size.unwrap_or(d.batch_size),
        learning_rate: l.learning_rate,
        lr_step: l.lr_step.unwrap_or(d.lr_step),
        tau: l.tau,
        mapping_epochs: l.mapping_epochs.unwrap_or(epochs),
        validation_fraction: a.validation_fraction.unwrap_or(d.validation_fraction),
        seed: a.seed,
        shift: if train.table { 0 } else { l.shift },
        flip: l.flip,
        thermometer: l.thermometer.unwrap_or_default(),
    };
    let (ck, checkpoint) = checkpointing(l, output)?;
    let (model, report) = zero_g::train::lutnet::deep::train_deep(
        &train.data,
        &train.input,
        classes,
        &cfg,
        &ck,
        reporter,
    )?;
    if !a.json {
        println!(
            "trained on {} samples ({} held out for validation), {} node evaluations, τ = {:.3}",
            report.train_samples, report.validation_samples, report.nodes, report.tau
        );
        for (name, positions, kernel, arity) in &report.layers {
            println!("  {name}: {positions} positions × {kernel} nodes of arity {arity}");
        }
        println!(
            "{}",
            super::kept_epoch(
                report.chosen_epoch,
                report.epochs.len(),
                report.validation_accuracy
            )
        );
    }
    let json = serde_json::json!({ "config": cfg, "report": report, "checkpoint": checkpoint });
    Ok((model.into(), json))
}
