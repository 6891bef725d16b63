//! `zero_g train`: training in Rust, for either family (`--family bthowen|lutnet`).

use super::print_json;
use crate::cli::progress::Printer;
use crate::cli::Outcome;
use anyhow::{bail, Context, Result};
use clap::{Args, ValueEnum};
use std::path::PathBuf;
use std::time::Instant;
use zero_g::data::{load_dataset, Dataset, Split};
use zero_g::model::{InputSpec, Model};
use zero_g::train::lutnet::{Checkpointing, LutTrainConfig};
use zero_g::train::{evaluate, Augment, BleachSearch, TrainConfig};

/// Which model family to train.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum FamilyArg {
    /// BTHOWeN: hashed Bloom filters, trained by counting (seconds).
    Bthowen,
    /// A learned LUT network, trained by gradient descent (minutes; the accurate family).
    Lutnet,
}

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

/// BTHOWeN's flags.
#[derive(Debug, Args)]
#[command(next_help_heading = "BTHOWeN (--family bthowen)")]
struct BthowenArgs {
    /// Bits per Bloom filter (n).
    #[arg(long, default_value_t = 28)]
    filter_inputs: usize,
    /// Entries per Bloom filter (E, a power of two).
    #[arg(long, default_value_t = 1024)]
    filter_entries: usize,
    /// Hashes per Bloom lookup (K).
    #[arg(long, default_value_t = 2)]
    filter_hashes: usize,
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
}

/// The LUT network's flags.
#[derive(Debug, Args)]
#[command(next_help_heading = "LUT network (--family lutnet)")]
struct LutArgs {
    /// Nodes per layer, first to last (the last divisible by the number of classes).
    #[arg(long, value_delimiter = ',', default_values_t = [2000], value_name = "N,...")]
    layers: Vec<usize>,
    /// Inputs per node (2..=6).
    #[arg(long, default_value_t = 6)]
    arity: usize,
    /// Training epochs.
    #[arg(long, default_value_t = 30)]
    epochs: usize,
    /// Samples per gradient step.
    #[arg(long, default_value_t = 100)]
    batch_size: usize,
    /// Adam's initial learning rate.
    #[arg(long, default_value_t = 0.01)]
    learning_rate: f32,
    /// Epochs between ×0.1 learning-rate drops.
    #[arg(long, default_value_t = 14)]
    lr_step: usize,
    /// GroupSum temperature (default: 3.33·(last layer / 1000)^0.57).
    #[arg(long)]
    tau: Option<f32>,
    /// Epochs during which the first layer's wiring is learned (default: all).
    #[arg(long)]
    mapping_epochs: Option<usize>,
    /// Shift each training image by a random offset in [-S, S]² pixels every epoch.
    #[arg(long, default_value_t = 0, value_name = "S")]
    shift: usize,
    /// Write a checkpoint here after every epoch (default: <output>.ckpt).
    #[arg(long, value_name = "FILE")]
    checkpoint: Option<PathBuf>,
    /// Continue from the checkpoint (same data and settings; --epochs may grow).
    #[arg(long)]
    resume: bool,
}

/// Arguments of `train`.
#[derive(Debug, Args)]
pub struct TrainArgs {
    /// The model family.
    #[arg(long, value_enum, default_value_t = FamilyArg::Bthowen)]
    family: FamilyArg,
    /// Training data: a folder with MNIST IDX files (train-*-ubyte) or NNNN_<label>.png images.
    #[arg(long, value_name = "DIR", default_value = "data/mnist")]
    train_set_path: PathBuf,
    /// Also report accuracy on this test set (IDX folder, t10k-*-ubyte, or PNG folder).
    #[arg(long, value_name = "DIR")]
    test_set_path: Option<PathBuf>,
    /// Thermometer bits per input (default: 2 for BTHOWeN, 3 for a LUT network).
    #[arg(long)]
    bits_per_input: Option<usize>,
    /// Share of the training data held out (at the end) for every choice made in training.
    #[arg(long, default_value_t = 0.1)]
    validation_fraction: f64,
    /// Seed of every random choice (same seed, same data: the same model, bit for bit).
    #[arg(long, default_value_t = 0)]
    seed: u64,
    #[command(flatten)]
    bthowen: BthowenArgs,
    #[command(flatten)]
    lut: LutArgs,
    /// Output model file (HDF5). Default: models/model_<n>input_<E>entry_<K>hash_<bpi>bpi.hdf5
    /// for BTHOWeN, models/lutnet_<layers>_n<arity>.hdf5 for a LUT network.
    #[arg(short = 'o', long, value_name = "FILE")]
    output: Option<PathBuf>,
    /// Print the training report as JSON.
    #[arg(long)]
    json: bool,
}

/// Runs `train`.
pub fn run(a: TrainArgs, printer: &Printer) -> Result<Outcome> {
    let output = a.output.clone().unwrap_or_else(|| match a.family {
        FamilyArg::Bthowen => PathBuf::from(format!(
            "models/model_{}input_{}entry_{}hash_{}bpi.hdf5",
            a.bthowen.filter_inputs,
            a.bthowen.filter_entries,
            a.bthowen.filter_hashes,
            a.bits_per_input.unwrap_or(2)
        )),
        FamilyArg::Lutnet => PathBuf::from(format!(
            "models/lutnet_{}_n{}.hdf5",
            a.lut
                .layers
                .iter()
                .map(|l| l.to_string())
                .collect::<Vec<_>>()
                .join("x"),
            a.lut.arity
        )),
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
    let (model, report): (Model, serde_json::Value) = match a.family {
        FamilyArg::Bthowen => train_bthowen(&a, &data, &reporter)?,
        FamilyArg::Lutnet => train_lutnet(&a, &data, &output, &reporter)?,
    };
    let seconds = start.elapsed().as_secs_f64();
    zero_g::model::io::save(&model, &output)?;
    let test_acc = match &test {
        Some(t) => {
            if t.num_inputs() != model.num_inputs() {
                bail!(
                    "the test images have {} inputs, the model {}",
                    t.num_inputs(),
                    model.num_inputs()
                );
            }
            let (c, n) = evaluate(&model, t, &reporter);
            Some((c, n, c as f64 / n as f64))
        }
        None => None,
    };
    if a.json {
        print_json(&serde_json::json!({
            "output": output,
            "family": model.family().name(),
            "report": report,
            "train_seconds": seconds,
            "test": test_acc.map(|(c, n, acc)| serde_json::json!({"correct": c, "total": n, "accuracy": acc})),
            "model_digest": model.digest_hex(),
        }));
    } else {
        println!("{}", model.describe());
        println!("trained in {seconds:.1} s");
        if let Some((c, n, acc)) = test_acc {
            println!("test accuracy: {c} / {n} ({:.2} %)", 100.0 * acc);
        }
        println!("wrote {}", output.display());
    }
    Ok(Outcome::Success)
}

fn train_bthowen(
    a: &TrainArgs,
    data: &Dataset,
    reporter: &dyn zero_g::progress::Reporter,
) -> Result<(Model, serde_json::Value)> {
    let b = &a.bthowen;
    let cfg = TrainConfig {
        filter_inputs: b.filter_inputs,
        filter_entries: b.filter_entries,
        filter_hashes: b.filter_hashes,
        bits_per_input: a.bits_per_input.unwrap_or(2),
        validation_fraction: a.validation_fraction,
        seed: a.seed,
        bleach_search: match b.bleach_search {
            Search::Exhaustive => BleachSearch::Exhaustive,
            Search::Original => BleachSearch::Original,
        },
        final_fit: b.final_fit,
        threshold_shifts: if b.original {
            vec![0.0]
        } else {
            b.threshold_shifts.clone()
        },
        augment: if b.original {
            vec![Augment::None]
        } else {
            b.augment
                .iter()
                .map(|s| match s {
                    Shifts::None => Augment::None,
                    Shifts::Cross => Augment::Cross,
                    Shifts::Square => Augment::Square,
                })
                .collect()
        },
        permutation_trials: if b.original { 1 } else { b.permutation_trials },
        per_class_bleach: !(b.original || b.no_per_class_bleach),
    };
    let (model, report) = zero_g::train::train(data, &cfg, reporter)?;
    let kept = &report.candidates[report.chosen];
    if !a.json {
        println!(
            "trained on {} samples ({} held out for validation)",
            report.train_samples, report.validation_samples
        );
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
    }
    let json = serde_json::json!({ "config": cfg, "report": report });
    Ok((model.into(), json))
}

fn train_lutnet(
    a: &TrainArgs,
    data: &Dataset,
    output: &std::path::Path,
    reporter: &dyn zero_g::progress::Reporter,
) -> Result<(Model, serde_json::Value)> {
    let l = &a.lut;
    let cfg = LutTrainConfig {
        layers: l.layers.clone(),
        arity: l.arity,
        bits_per_input: a.bits_per_input.unwrap_or(3),
        epochs: l.epochs,
        batch_size: l.batch_size,
        learning_rate: l.learning_rate,
        lr_step: l.lr_step,
        tau: l.tau,
        mapping_epochs: l.mapping_epochs.unwrap_or(l.epochs),
        validation_fraction: a.validation_fraction,
        seed: a.seed,
        shift: l.shift,
    };
    let checkpoint = l.checkpoint.clone().unwrap_or_else(|| {
        let mut name = output.file_name().unwrap_or_default().to_os_string();
        name.push(".ckpt");
        output.with_file_name(name)
    });
    if l.resume && !checkpoint.is_file() {
        bail!("--resume: no checkpoint at {}", checkpoint.display());
    }
    let classes = data
        .labels
        .iter()
        .map(|&l| l as usize + 1)
        .max()
        .unwrap_or(0);
    if classes < 2 {
        bail!("the training data has fewer than two classes");
    }
    let input = InputSpec::image(data.cols, data.rows);
    let ck = Checkpointing {
        path: Some(checkpoint.clone()),
        resume: l.resume,
    };
    let (model, report) = zero_g::train::lutnet::train(data, &input, classes, &cfg, &ck, reporter)?;
    if !a.json {
        println!(
            "trained on {} samples ({} held out for validation), {} candidate input bits, τ = {:.3}",
            report.train_samples, report.validation_samples, report.candidate_bits, report.tau
        );
        println!(
            "kept epoch {} of {}: validation accuracy {:.2} %",
            report.chosen_epoch,
            report.epochs.len(),
            100.0 * report.validation_accuracy
        );
    }
    let json = serde_json::json!({ "config": cfg, "report": report, "checkpoint": checkpoint });
    Ok((model.into(), json))
}
