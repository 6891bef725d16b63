//! `zero_g train`: BTHOWeN training in Rust.

use super::print_json;
use crate::cli::progress::Printer;
use crate::cli::Outcome;
use anyhow::{Context, Result};
use clap::{Args, ValueEnum};
use std::path::PathBuf;
use std::time::Instant;
use zero_g::data::{load_dataset, Split};
use zero_g::train::{evaluate, train, Augment, BleachSearch, TrainConfig};

/// How to search the bleaching threshold.
#[derive(Debug, Clone, Copy, ValueEnum)]
enum Search {
    /// Try every bleach value (the best validation accuracy wins).
    Exhaustive,
    /// The original BTHOWeN search (local, step-halving).
    Original,
}

/// Shifted copies of the training images.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
enum Shifts {
    /// No augmentation.
    None,
    /// Also shifted by one pixel up, down, left and right (5× the samples).
    Cross,
    /// Also shifted by one pixel in all 8 directions (9× the samples).
    Square,
}

/// Arguments of `train`.
#[derive(Debug, Args)]
pub struct TrainArgs {
    /// Training data: a folder with MNIST IDX files (train-*-ubyte) or NNNN_<label>.png images.
    #[arg(long, value_name = "DIR", default_value = "data/mnist")]
    train_set_path: PathBuf,
    /// Also report accuracy on this test set (IDX folder, t10k-*-ubyte, or PNG folder).
    #[arg(long, value_name = "DIR")]
    test_set_path: Option<PathBuf>,
    /// Bits per Bloom filter (n).
    #[arg(long, default_value_t = 28)]
    filter_inputs: usize,
    /// Entries per Bloom filter (E, a power of two).
    #[arg(long, default_value_t = 1024)]
    filter_entries: usize,
    /// Hashes per Bloom lookup (K).
    #[arg(long, default_value_t = 2)]
    filter_hashes: usize,
    /// Thermometer bits per pixel.
    #[arg(long, default_value_t = 2)]
    bits_per_input: usize,
    /// Share of the training data held out (at the end) to choose the bleaching threshold.
    #[arg(long, default_value_t = 0.1)]
    validation_fraction: f64,
    /// Seed of the random input permutation (same seed, same data: byte-identical model).
    #[arg(long, default_value_t = 0)]
    seed: u64,
    /// How to search the bleaching threshold.
    #[arg(long, value_enum, default_value_t = Search::Exhaustive)]
    bleach_search: Search,
    /// Add the validation samples to the filters after choosing the bleach (scaling each
    /// class's bleach by its sample-count growth). Off by default.
    #[arg(long, conflicts_with = "no_final_fit")]
    final_fit: bool,
    /// Do not add the validation samples to the filters (the default; kept for compatibility).
    #[arg(long)]
    no_final_fit: bool,
    /// Use one bleaching threshold for all classes (default: refine one per class).
    #[arg(long)]
    no_per_class_bleach: bool,
    /// Candidate shifts δ of the Gaussian thresholds μ + σ·(Φ⁻¹((b+1)/(bpi+1)) + δ), in
    /// standard deviations; the best on validation is kept (0 alone is the original).
    #[arg(long, value_delimiter = ',', allow_hyphen_values = true, default_values_t = [0.0, -0.15, -0.3], value_name = "Z,...")]
    threshold_shifts: Vec<f64>,
    /// Candidate augmentations of the training images; the best on validation is kept.
    #[arg(long, value_enum, value_delimiter = ',', default_values_t = [Shifts::None, Shifts::Cross], value_name = "A,...")]
    augment: Vec<Shifts>,
    /// Number of seeded input permutations tried; the best on validation is kept.
    #[arg(long, default_value_t = 8, value_name = "N")]
    permutation_trials: usize,
    /// The original BTHOWeN procedure: shorthand for --threshold-shifts 0 --augment none
    /// --permutation-trials 1 --no-per-class-bleach (the bleach search and --final-fit are
    /// still set separately).
    #[arg(long)]
    original: bool,
    /// Output model file (HDF5). Default: models/model_<n>input_<E>entry_<K>hash_<bpi>bpi.hdf5
    #[arg(short = 'o', long, value_name = "FILE")]
    output: Option<PathBuf>,
    /// Print the training report as JSON.
    #[arg(long)]
    json: bool,
}

/// Runs `train`.
pub fn run(a: TrainArgs, printer: &Printer) -> Result<Outcome> {
    let cfg = TrainConfig {
        filter_inputs: a.filter_inputs,
        filter_entries: a.filter_entries,
        filter_hashes: a.filter_hashes,
        bits_per_input: a.bits_per_input,
        validation_fraction: a.validation_fraction,
        seed: a.seed,
        bleach_search: match a.bleach_search {
            Search::Exhaustive => BleachSearch::Exhaustive,
            Search::Original => BleachSearch::Original,
        },
        final_fit: a.final_fit,
        threshold_shifts: if a.original {
            vec![0.0]
        } else {
            a.threshold_shifts.clone()
        },
        augment: if a.original {
            vec![Augment::None]
        } else {
            a.augment
                .iter()
                .map(|s| match s {
                    Shifts::None => Augment::None,
                    Shifts::Cross => Augment::Cross,
                    Shifts::Square => Augment::Square,
                })
                .collect()
        },
        permutation_trials: if a.original { 1 } else { a.permutation_trials },
        per_class_bleach: !(a.original || a.no_per_class_bleach),
    };
    let output = a.output.clone().unwrap_or_else(|| {
        PathBuf::from(format!(
            "models/model_{}input_{}entry_{}hash_{}bpi.hdf5",
            a.filter_inputs, a.filter_entries, a.filter_hashes, a.bits_per_input
        ))
    });
    // Fail on a bad output folder before spending time on training.
    let dir = output.parent().filter(|d| !d.as_os_str().is_empty());
    if let Some(dir) = dir {
        anyhow::ensure!(
            dir.is_dir(),
            "output folder {} does not exist",
            dir.display()
        );
    }
    let data = load_dataset(&a.train_set_path, Split::Train)
        .with_context(|| format!("loading training data from {}", a.train_set_path.display()))?;
    let test = match &a.test_set_path {
        Some(p) => Some(load_dataset(p, Split::Test)?),
        None => None,
    };
    let reporter = printer.reporter();
    let start = Instant::now();
    let (model, report) = train(&data, &cfg, &reporter)?;
    let seconds = start.elapsed().as_secs_f64();
    zero_g::model::io::save(&model, &output)?;
    let test_acc = test.map(|t| {
        let (c, n) = evaluate(&model, &t, &reporter);
        (c, n, c as f64 / n as f64)
    });
    if a.json {
        print_json(&serde_json::json!({
            "output": output,
            "config": cfg,
            "report": report,
            "train_seconds": seconds,
            "test": test_acc.map(|(c, n, acc)| serde_json::json!({"correct": c, "total": n, "accuracy": acc})),
            "model_digest": model.digest_hex(),
        }));
    } else {
        println!(
            "trained on {} samples ({} held out for validation) in {seconds:.1} s",
            report.train_samples, report.validation_samples
        );
        let kept = &report.candidates[report.chosen];
        println!(
            "kept candidate {} of {}: augmentation {:?}, threshold shift {}, permutation trial {}",
            report.chosen + 1,
            report.candidates.len(),
            kept.augment,
            kept.threshold_shift,
            kept.trial
        );
        println!(
            "bleach {} (per class {:?}) · validation accuracy {:.2} % · Bloom fill {:.1} %",
            report.bleach,
            report.class_bleach,
            100.0 * report.validation_accuracy,
            100.0 * report.fill_ratio
        );
        if let Some((c, n, acc)) = test_acc {
            println!("test accuracy: {c} / {n} ({:.2} %)", 100.0 * acc);
        }
        println!("wrote {}", output.display());
    }
    Ok(Outcome::Success)
}
