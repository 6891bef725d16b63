//! `zero_g train`: training in Rust, for either family (`--family bthowen|lutnet`), on
//! images (an MNIST IDX folder or a labelled PNG folder of any size) or on a table (a CSV
//! file). Defaults that depend on the kind of data are documented on each flag and chosen
//! in `Defaults` (measured: models/README.md).

mod choose;
mod deep;

use super::print_json;
use crate::cli::progress::Printer;
use crate::cli::Outcome;
use anyhow::{bail, Context, Result};
use clap::{Args, ValueEnum};
use std::path::PathBuf;
use std::time::Instant;
use zero_g::data::csv::{self as table, Label};
use zero_g::data::{load_dataset, Dataset, Split};
use zero_g::model::{InputSpec, Model};
use zero_g::train::choose::Candidate;
use zero_g::train::lutnet::deep::Thermometer;
use zero_g::train::lutnet::{Checkpointing, LutTrainConfig};
use zero_g::train::{evaluate, Augment, BleachSearch, TrainConfig};

/// What a table model does with a text value it did not see in training.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum Unseen {
    /// Refuse the row, naming the column and the value.
    Error,
    /// Give each text column one more input, set for a value not seen in training.
    Other,
}

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
pub(super) struct BthowenArgs {
    /// Bits per Bloom filter (n). Default: 28 for images; for a table, the largest divisor
    /// of features × bits per input that is at most 8.
    #[arg(long)]
    filter_inputs: Option<usize>,
    /// Entries per Bloom filter (E, a power of two). Default: 1024 for images, 64 for a
    /// table.
    #[arg(long)]
    filter_entries: Option<usize>,
    /// Hashes per Bloom lookup (K). Default: 2 for images, 1 for a table.
    #[arg(long)]
    filter_hashes: Option<usize>,
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
    /// Candidate augmentations of the training images; the best on validation is kept
    /// (tables are never shifted).
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
pub(super) struct LutArgs {
    /// A deep architecture instead of --layers: stages joined by commas, e.g.
    /// `conv(4,2,8,4),pool(2),fc(2000,in)` — conv(K,S,C,T): C kernels over K×K patches at
    /// stride S, each T leaf nodes and a root (T = 1: one node); pool(P): OR over P×P
    /// windows; fc(N[,in]): N nodes (`in`: also reading the input bits). Images: every pixel
    /// gets the same thresholds (--bits-per-input, default 2) unless --thermometer quantile.
    /// See models/FORMAT.md.
    #[arg(long, value_name = "STAGES", conflicts_with = "layers")]
    arch: Option<String>,
    /// Thresholds of a deep network's input bits: `uniform` (the same B evenly spaced
    /// thresholds for every input, so a kernel reads the same planes everywhere) or
    /// `quantile` (each input's own training quantiles, as the one-layer networks).
    #[arg(long, value_enum, requires = "arch")]
    thermometer: Option<Thermometer>,
    /// Nodes per layer, first to last (the last divisible by the number of classes).
    /// Default: one layer of 2000 nodes for images, 300 for a table (rounded up to a
    /// multiple of the number of classes).
    #[arg(long, value_delimiter = ',', value_name = "N,...")]
    layers: Vec<usize>,
    /// Inputs per node (2..=6). Default: 6 for images, 4 for a table.
    #[arg(long)]
    arity: Option<usize>,
    /// Training epochs. Default: 30 for images, 200 for a table.
    #[arg(long)]
    epochs: Option<usize>,
    /// Samples per gradient step. Default: 100 for images, 32 for a table.
    #[arg(long)]
    batch_size: Option<usize>,
    /// Adam's initial learning rate.
    #[arg(long, default_value_t = 0.01)]
    learning_rate: f32,
    /// Epochs between ×0.1 learning-rate drops. Default: 14 for images, 80 for a table.
    #[arg(long)]
    lr_step: Option<usize>,
    /// GroupSum temperature (default: 3.33·(last layer / 1000)^0.57, fitted on MNIST; twice
    /// that was best on Fashion-MNIST, models/README.md).
    #[arg(long)]
    tau: Option<f32>,
    /// Epochs during which the first layer's wiring is learned (default: all).
    #[arg(long)]
    mapping_epochs: Option<usize>,
    /// Shift each training image by a random offset in [-S, S]² pixels every epoch (images
    /// only).
    #[arg(long, default_value_t = 0, value_name = "S")]
    shift: usize,
    /// Mirror each training image left-right with probability 1/2 every epoch (images only;
    /// for data whose classes are left-right symmetric, such as clothes, not digits).
    #[arg(long)]
    flip: bool,
    /// Write a checkpoint here after every epoch (default: <output>.ckpt).
    #[arg(long, value_name = "FILE")]
    checkpoint: Option<PathBuf>,
    /// Continue from the checkpoint (same data and settings; --epochs may grow).
    #[arg(long)]
    resume: bool,
    /// Train this many networks of one layer (seeds --seed, --seed + 1, …) and merge them
    /// into one whose class scores are the sums of theirs: an ensemble that is itself a
    /// LUT network (proved unchanged). No checkpoints.
    #[arg(long, value_name = "N", conflicts_with_all = ["arch", "resume", "checkpoint"])]
    members: Option<usize>,
}

/// Arguments of `train`.
#[derive(Debug, Args)]
pub struct TrainArgs {
    /// The model family. Default: on a table with no model flag (family, shape, bits,
    /// epochs), chosen by cross-validation (see --choose); otherwise bthowen.
    #[arg(long, value_enum)]
    family: Option<FamilyArg>,
    /// Choose the family and shape by k-fold cross-validation on the training file, within
    /// --time-budget, and print what was tried. The default on a table given no model flag;
    /// opt-in for images (where it is slow).
    #[arg(long, conflicts_with = "no_choose")]
    choose: bool,
    /// Do not choose: train the default family (bthowen) with the default shape.
    #[arg(long)]
    no_choose: bool,
    /// The time the choice may take, in seconds, spent by a cost estimate (not the clock), so
    /// a seed always gives the same choice.
    #[arg(long, default_value_t = 120.0, value_name = "SECONDS")]
    time_budget: f64,
    /// Cross-validation folds (every fold run). Default: 5-fold up to 1,000 rows; above, a
    /// hold-out of one fifth (the first of 5 folds).
    #[arg(long, value_name = "K")]
    folds: Option<usize>,
    /// How many times the rows are dealt into folds anew for the choice (every deal scores
    /// every held-out row once more). Default: 3 up to 400 rows, else 1.
    #[arg(long, value_name = "R")]
    repeats: Option<usize>,
    /// Training data: a folder with MNIST IDX files (train-*-ubyte) or NNNN_<label>.png
    /// images (any W×H, all alike), or a CSV file (a header row, feature columns of numbers
    /// or text with empty cells allowed, a label column; the rows are shuffled with --seed
    /// before the validation split).
    #[arg(long, value_name = "PATH", default_value = "data/mnist")]
    train_set_path: PathBuf,
    /// Also report accuracy on this test set (IDX folder, t10k-*-ubyte, PNG folder, or a CSV
    /// file for a table).
    #[arg(long, value_name = "PATH")]
    test_set_path: Option<PathBuf>,
    /// The CSV files' label column (default: the last column). Its distinct values become the
    /// class names stored in the model.
    #[arg(long, value_name = "NAME")]
    label_column: Option<String>,
    /// A table's text columns: what a value not seen in training does at prediction and
    /// proving time (an error, or an "other" input the model learns to weigh).
    #[arg(long, value_enum, default_value_t = Unseen::Error)]
    unseen: Unseen,
    /// Thermometer bits per input. Default: 2 for BTHOWeN, 3 for a LUT network on images;
    /// 16 for either on a table.
    #[arg(long)]
    bits_per_input: Option<usize>,
    /// Share of the training data held out (at the end, after the shuffle of a table) for
    /// every choice made in training. Default: 0.1 for images, 0.2 for a table. 0 holds
    /// nothing out: a LUT network keeps its last epoch, BTHOWeN chooses on the training data.
    #[arg(long)]
    validation_fraction: Option<f64>,
    /// Class names by label, comma-separated, for an image model (default: the training
    /// folder's class-names.txt, one name a line, if there is one; else numbered classes).
    #[arg(long, value_delimiter = ',', value_name = "NAME,...")]
    class_names: Vec<String>,
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

/// The defaults that depend on the data: images (MNIST-sized) or a small table.
#[derive(Debug, Clone, Copy)]
pub(super) struct Defaults {
    bthowen_bpi: usize,
    lut_bpi: usize,
    validation_fraction: f64,
    filter_entries: usize,
    filter_hashes: usize,
    arity: usize,
    epochs: usize,
    batch_size: usize,
    lr_step: usize,
}

/// Images: the settings of the bundled MNIST models.
const IMAGE: Defaults = Defaults {
    bthowen_bpi: 2,
    lut_bpi: 3,
    validation_fraction: 0.1,
    filter_entries: 1024,
    filter_hashes: 2,
    arity: 6,
    epochs: 30,
    batch_size: 100,
    lr_step: 14,
};

/// Tables of a few hundred rows (measured on the bundled data sets: models/README.md).
const TABLE: Defaults = Defaults {
    bthowen_bpi: TABLE_BTHOWEN_BPI,
    lut_bpi: TABLE_LUT_BPI,
    validation_fraction: TABLE_VALIDATION,
    filter_entries: TABLE_ENTRIES,
    filter_hashes: TABLE_HASHES,
    arity: TABLE_ARITY,
    epochs: TABLE_EPOCHS,
    batch_size: TABLE_BATCH,
    lr_step: TABLE_LR_STEP,
};
const TABLE_BTHOWEN_BPI: usize = 16;
const TABLE_LUT_BPI: usize = 16;
const TABLE_VALIDATION: f64 = 0.2;
const TABLE_ENTRIES: usize = 64;
const TABLE_HASHES: usize = 1;
const TABLE_FILTER_INPUTS: usize = 8;
const TABLE_ARITY: usize = 4;
const TABLE_EPOCHS: usize = 200;
const TABLE_BATCH: usize = 32;
const TABLE_LR_STEP: usize = 80;
const TABLE_NODES: usize = 300;
const IMAGE_FILTER_INPUTS: usize = 28;
const IMAGE_NODES: usize = 2000;

/// The largest divisor of `total` that is at most `cap` (at least 1).
fn largest_divisor_at_most(total: usize, cap: usize) -> usize {
    (1..=cap.min(total).max(1))
        .rev()
        .find(|d| total.is_multiple_of(*d))
        .unwrap_or(1)
}

/// The training data, its input description and its kind.
pub(super) struct TrainData {
    data: Dataset,
    input: InputSpec,
    table: bool,
}

/// Loads the training data: a CSV file (fitted, shuffled with `seed`) or an image folder.
fn load_train(a: &TrainArgs) -> Result<TrainData> {
    let path = &a.train_set_path;
    // a table is a file (or, to name it in the error, a missing *.csv); the rest are folders
    let table_file = path.is_file() || (!path.exists() && table::is_csv(path));
    if !table_file {
        let data = load_dataset(path, Split::Train)
            .with_context(|| format!("loading training data from {}", path.display()))?;
        let mut input = InputSpec::image(data.cols, data.rows);
        input.class_names = image_class_names(a, path)?;
        return Ok(TrainData {
            data,
            input,
            table: false,
        });
    }
    let label = match &a.label_column {
        Some(l) => Label::Named(l),
        None => Label::Last,
    };
    let t = table::read(path, label)?;
    let input = t.fit_with(a.unseen == Unseen::Other)?;
    let empty = t.empty_columns();
    if !empty.is_empty() {
        eprintln!(
            "note: column{} {} of {} {} empty on every row; the model does not read {}",
            if empty.len() == 1 { "" } else { "s" },
            empty
                .iter()
                .map(|c| format!("`{c}`"))
                .collect::<Vec<_>>()
                .join(", "),
            path.display(),
            if empty.len() == 1 { "is" } else { "are" },
            if empty.len() == 1 { "it" } else { "them" },
        );
    }
    let data = table::shuffled(&t.to_dataset(&input)?, a.seed);
    Ok(TrainData {
        data,
        input,
        table: true,
    })
}

/// Most bytes of a `class-names.txt`.
const CLASS_NAMES_MAX_BYTES: u64 = 1 << 16;

/// The class names of an image model: `--class-names`, else the training folder's
/// `class-names.txt` (one name a line, by label), else none (classes are numbered).
fn image_class_names(a: &TrainArgs, dir: &std::path::Path) -> Result<Vec<String>> {
    if !a.class_names.is_empty() {
        return Ok(a.class_names.clone());
    }
    let file = dir.join("class-names.txt");
    if !file.is_file() {
        return Ok(vec![]);
    }
    let bytes = zero_g::fsutil::read_regular(&file, CLASS_NAMES_MAX_BYTES)
        .with_context(|| format!("reading {}", file.display()))?;
    let text = String::from_utf8(bytes)
        .map_err(|_| anyhow::anyhow!("{} is not UTF-8 text", file.display()))?;
    Ok(text
        .lines()
        .map(str::trim)
        .filter(|l| !l.is_empty())
        .map(String::from)
        .collect())
}

/// Loads a test set for a model trained on `input`.
fn load_test(path: &std::path::Path, a: &TrainArgs, input: &InputSpec) -> Result<Dataset> {
    if input.features().is_some() {
        if path.is_dir() {
            bail!(
                "{} is a folder, but the model takes {}: give a CSV test file",
                path.display(),
                input.describe()
            );
        }
        return super::samples::labelled_csv(path, a.label_column.as_deref(), input);
    }
    Ok(load_dataset(path, Split::Test)?)
}

/// The flags given that belong to the other family (they would be silently ignored).
fn other_family_flags(a: &TrainArgs) -> Vec<&'static str> {
    let (b, l) = (&a.bthowen, &a.lut);
    let flags: Vec<(&'static str, bool)> = match a.family.unwrap_or(FamilyArg::Bthowen) {
        FamilyArg::Bthowen => vec![
            ("--layers", !l.layers.is_empty()),
            ("--arch", l.arch.is_some()),
            ("--arity", l.arity.is_some()),
            ("--epochs", l.epochs.is_some()),
            ("--batch-size", l.batch_size.is_some()),
            ("--lr-step", l.lr_step.is_some()),
            ("--tau", l.tau.is_some()),
            ("--mapping-epochs", l.mapping_epochs.is_some()),
            ("--shift", l.shift != 0),
            ("--flip", l.flip),
            ("--checkpoint", l.checkpoint.is_some()),
            ("--resume", l.resume),
            ("--members", l.members.is_some()),
        ],
        FamilyArg::Lutnet => vec![
            ("--filter-inputs", b.filter_inputs.is_some()),
            ("--filter-entries", b.filter_entries.is_some()),
            ("--filter-hashes", b.filter_hashes.is_some()),
            ("--final-fit", b.final_fit),
            ("--no-final-fit", b.no_final_fit),
            ("--no-per-class-bleach", b.no_per_class_bleach),
            ("--original", b.original),
        ],
    };
    flags
        .into_iter()
        .filter(|(_, given)| *given)
        .map(|(f, _)| f)
        .collect()
}

/// Runs `train`.
pub fn run(a: TrainArgs, printer: &Printer) -> Result<Outcome> {
    // without --family and --choose the family is bthowen, so LUT flags are stray too
    let stray = if a.family.is_some() || !a.choose {
        other_family_flags(&a)
    } else {
        vec![]
    };
    if !stray.is_empty() {
        let (this, other) = match a.family.unwrap_or(FamilyArg::Bthowen) {
            FamilyArg::Bthowen => ("bthowen", "lutnet"),
            FamilyArg::Lutnet => ("lutnet", "bthowen"),
        };
        bail!(
            "{} belong{} to --family {other}, but this is --family {this}{}",
            stray.join(", "),
            if stray.len() == 1 { "s" } else { "" },
            match a.family {
                None => " (the default; add --family lutnet to train a LUT network)",
                Some(FamilyArg::Bthowen) => " (add --family lutnet to train a LUT network)",
                Some(FamilyArg::Lutnet) => "",
            }
        );
    }
    if a.output.is_none() && a.train_set_path.is_file() {
        bail!("give the output model file (-o FILE) when training on a table");
    }
    // Fail on a bad output folder before spending time on training.
    let dir = match &a.output {
        Some(o) => o.parent().filter(|d| !d.as_os_str().is_empty()),
        None => Some(std::path::Path::new("models")),
    };
    if let Some(dir) = dir {
        anyhow::ensure!(
            dir.is_dir(),
            "output folder {} does not exist",
            dir.display()
        );
    }
    let train = load_train(&a)?;
    if train.table && a.lut.flip {
        bail!(
            "--flip mirrors images, and {} is a table",
            a.train_set_path.display()
        );
    }
    let d = if train.table { TABLE } else { IMAGE };
    let classes = (train.data.labels.iter().map(|&l| l as usize + 1).max())
        .unwrap_or(0)
        .max(train.input.class_names.len());
    if classes < 2 {
        bail!("the training data has fewer than two classes");
    }
    let choosing = choose::wanted(&a, train.table);
    let family = a.family.unwrap_or(FamilyArg::Bthowen);
    let output = a.output.clone().unwrap_or_else(|| match family {
        FamilyArg::Bthowen => PathBuf::from(format!(
            "models/model_{}input_{}entry_{}hash_{}bpi.hdf5",
            a.bthowen.filter_inputs.unwrap_or(IMAGE_FILTER_INPUTS),
            a.bthowen.filter_entries.unwrap_or(IMAGE.filter_entries),
            a.bthowen.filter_hashes.unwrap_or(IMAGE.filter_hashes),
            a.bits_per_input.unwrap_or(IMAGE.bthowen_bpi)
        )),
        FamilyArg::Lutnet if a.lut.arch.is_some() => PathBuf::from("models/lutnet_deep.hdf5"),
        FamilyArg::Lutnet => PathBuf::from(format!(
            "models/lutnet_{}_n{}.hdf5",
            lut_layers(&a, classes, false)
                .iter()
                .map(|l| l.to_string())
                .collect::<Vec<_>>()
                .join("x"),
            a.lut.arity.unwrap_or(IMAGE.arity)
        )),
    });
    let test = match &a.test_set_path {
        Some(p) => Some(load_test(p, &a, &train.input)?),
        None => None,
    };
    let reporter = printer.reporter();
    let start = Instant::now();
    let (model, report): (Model, serde_json::Value) = if choosing {
        let (chosen, choice) = choose::choose(&a, &train, d, classes)?;
        let (model, mut report) = match chosen {
            Candidate::Bthowen(cfg) => train_bthowen(&a, &train, cfg, &reporter)?,
            Candidate::Lutnet(cfg) => train_lutnet(&a, &train, cfg, classes, &output, &reporter)?,
            Candidate::Ensemble { config, members } => {
                train_ensemble(&a, &train, config, members, classes, &reporter)?
            }
        };
        report["choice"] = choice;
        (model, report)
    } else {
        match family {
            FamilyArg::Bthowen => {
                train_bthowen(&a, &train, bthowen_config(&a, &train, d), &reporter)?
            }
            FamilyArg::Lutnet if a.lut.arch.is_some() => {
                deep::train_deep(&a, &train, d, classes, &output, &reporter)?
            }
            FamilyArg::Lutnet => {
                let cfg = lut_config(&a, &train, d, classes);
                match a.lut.members {
                    Some(m) if m > 1 => train_ensemble(&a, &train, cfg, m, classes, &reporter)?,
                    _ => train_lutnet(&a, &train, cfg, classes, &output, &reporter)?,
                }
            }
        }
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
            if let Some(&l) = t.labels.iter().find(|&&l| l as usize >= classes) {
                bail!("the test set has label {l}, but the model has only {classes} classes");
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
            "input": model.input(),
            "report": report,
            "train_seconds": seconds,
            "test": test_acc.map(|(c, n, acc)| serde_json::json!({"correct": c, "total": n, "accuracy": acc})),
            "model_digest": model.digest_hex(),
        }));
    } else {
        println!("{}", model.describe());
        if !model.input().class_names.is_empty() {
            println!("classes: {}", model.input().class_names.join(", "));
        }
        println!("trained in {seconds:.1} s");
        if let Some((c, n, acc)) = test_acc {
            println!("test accuracy: {c} / {n} ({:.2} %)", 100.0 * acc);
        }
        println!("wrote {}", output.display());
    }
    Ok(Outcome::Success)
}

/// BTHOWeN's configuration: the flags, else the defaults for the data.
pub(super) fn bthowen_config(a: &TrainArgs, train: &TrainData, d: Defaults) -> TrainConfig {
    let b = &a.bthowen;
    let bits_per_input = a.bits_per_input.unwrap_or(d.bthowen_bpi);
    let filter_inputs = b.filter_inputs.unwrap_or(if train.table {
        largest_divisor_at_most(
            train.input.num_inputs() * bits_per_input,
            TABLE_FILTER_INPUTS,
        )
    } else {
        IMAGE_FILTER_INPUTS
    });
    TrainConfig {
        filter_inputs,
        filter_entries: b.filter_entries.unwrap_or(d.filter_entries),
        filter_hashes: b.filter_hashes.unwrap_or(d.filter_hashes),
        bits_per_input,
        validation_fraction: a.validation_fraction.unwrap_or(d.validation_fraction),
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
        augment: if b.original || train.table {
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
    }
}

fn train_bthowen(
    a: &TrainArgs,
    train: &TrainData,
    cfg: TrainConfig,
    reporter: &dyn zero_g::progress::Reporter,
) -> Result<(Model, serde_json::Value)> {
    let (model, report) =
        zero_g::train::train_with_input(&train.data, &train.input, &cfg, reporter)?;
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

/// The LUT network's layers: as given, or one layer of the default size rounded up to a
/// multiple of the number of classes.
fn lut_layers(a: &TrainArgs, classes: usize, table: bool) -> Vec<usize> {
    if !a.lut.layers.is_empty() {
        return a.lut.layers.clone();
    }
    let nodes = if table { TABLE_NODES } else { IMAGE_NODES };
    vec![nodes.div_ceil(classes.max(1)) * classes.max(1)]
}

/// The LUT network's configuration: the flags, else the defaults for the data.
pub(super) fn lut_config(
    a: &TrainArgs,
    train: &TrainData,
    d: Defaults,
    classes: usize,
) -> LutTrainConfig {
    let l = &a.lut;
    let epochs = l.epochs.unwrap_or(d.epochs);
    LutTrainConfig {
        layers: lut_layers(a, classes, train.table),
        arity: l.arity.unwrap_or(d.arity),
        bits_per_input: a.bits_per_input.unwrap_or(d.lut_bpi),
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
        tie_break_by_loss: train.table,
    }
}

fn train_lutnet(
    a: &TrainArgs,
    train: &TrainData,
    cfg: LutTrainConfig,
    classes: usize,
    output: &std::path::Path,
    reporter: &dyn zero_g::progress::Reporter,
) -> Result<(Model, serde_json::Value)> {
    let (ck, checkpoint) = checkpointing(&a.lut, output)?;
    let (model, report) =
        zero_g::train::lutnet::train(&train.data, &train.input, classes, &cfg, &ck, reporter)?;
    if !a.json {
        println!(
            "trained on {} samples ({} held out for validation), {} candidate input bits, τ = {:.3}",
            report.train_samples, report.validation_samples, report.candidate_bits, report.tau
        );
        println!(
            "{}",
            kept_epoch(
                report.chosen_epoch,
                report.epochs.len(),
                report.validation_accuracy
            )
        );
    }
    let json = serde_json::json!({ "config": cfg, "report": report, "checkpoint": checkpoint });
    Ok((model.into(), json))
}

/// "kept epoch E of N: validation accuracy A %", or, with nothing held out, that the last
/// epoch was kept.
fn kept_epoch(chosen: usize, epochs: usize, validation: Option<f64>) -> String {
    match validation {
        Some(v) => format!(
            "kept epoch {chosen} of {epochs}: validation accuracy {:.2} %",
            100.0 * v
        ),
        None => format!(
            "kept the last epoch ({chosen} of {epochs}): no samples held out for validation"
        ),
    }
}

/// Trains the chosen ensemble of one-layer LUT networks (no checkpoint: each member is
/// short).
fn train_ensemble(
    a: &TrainArgs,
    train: &TrainData,
    cfg: LutTrainConfig,
    members: usize,
    classes: usize,
    reporter: &dyn zero_g::progress::Reporter,
) -> Result<(Model, serde_json::Value)> {
    let (model, reports) = zero_g::train::lutnet::train_ensemble(
        &train.data,
        &train.input,
        classes,
        &cfg,
        members,
        reporter,
    )?;
    if !a.json {
        for (k, r) in reports.iter().enumerate() {
            println!(
                "member {} (seed {}): trained on {} samples ({} held out), {}",
                k + 1,
                cfg.seed.wrapping_add(k as u64),
                r.train_samples,
                r.validation_samples,
                kept_epoch(r.chosen_epoch, r.epochs.len(), r.validation_accuracy)
            );
        }
        println!(
            "merged: {} nodes, each class's score the sum of the members' scores",
            model.num_nodes()
        );
    }
    let json = serde_json::json!({ "config": cfg, "members": members, "reports": reports });
    Ok((model.into(), json))
}

/// Where the run keeps its checkpoint (default: `<output>.ckpt`), checked for `--resume`.
pub(super) fn checkpointing(
    l: &LutArgs,
    output: &std::path::Path,
) -> Result<(Checkpointing, PathBuf)> {
    let checkpoint = l.checkpoint.clone().unwrap_or_else(|| {
        let mut name = output.file_name().unwrap_or_default().to_os_string();
        name.push(".ckpt");
        output.with_file_name(name)
    });
    if l.resume && !checkpoint.is_file() {
        bail!("--resume: no checkpoint at {}", checkpoint.display());
    }
    let ck = Checkpointing {
        path: Some(checkpoint.clone()),
        resume: l.resume,
    };
    Ok((ck, checkpoint))
}
