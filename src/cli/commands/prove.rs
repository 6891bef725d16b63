//! `mock-proof`, `generate-srs`, `generate-keys`, `proof` and `verify`.

use super::inputs::{self, StatementArgs};
use super::samples::SampleArgs;
use super::{load_model, print_json};
use crate::cli::progress::Printer;
use crate::cli::{ModelArg, Outcome};
use anyhow::{bail, Context, Result};
use clap::Args;
use halo2_proofs::dev::MockProver;
use halo2_proofs::halo2curves::bn256::Fr;
use halo2_proofs::plonk::Circuit;
use std::path::PathBuf;
use std::sync::Arc;
use std::time::Instant;
use zero_g::circuit::{CircuitParams, Layout, WnnCircuit};

/// The circuit layout (chosen at key generation and stored in the keys).
#[derive(Debug, Clone, Copy, Default, clap::ValueEnum)]
pub enum LayoutArg {
    /// `compact` unless it needs more rows than `fast`.
    #[default]
    Auto,
    /// Two column groups fill rows in parallel: fastest proving when rows are tight.
    Fast,
    /// Fewer columns: a smaller, cheaper EVM verifier (deployable under EIP-170) for up to
    /// twice the proving time.
    Compact,
    /// The fewest committed polynomials: the cheapest on-chain verification, for more rows
    /// (LUT networks; BTHOWeN models get their compact circuit).
    Evm,
}

impl From<LayoutArg> for Layout {
    fn from(l: LayoutArg) -> Layout {
        match l {
            LayoutArg::Auto => Layout::Auto,
            LayoutArg::Fast => Layout::Fast,
            LayoutArg::Compact => Layout::Compact,
            LayoutArg::Evm => Layout::Evm,
        }
    }
}
use zero_g::proving::artifacts::SrsFormat;
use zero_g::proving::{self, artifacts, ceremony};

/// Arguments of `mock-proof`.
#[derive(Debug, Args)]
pub struct MockArgs {
    #[command(flatten)]
    model: ModelArg,
    /// The input(s) to prove: images (files or folders), --features or --csv-row (repeat
    /// for a batch).
    #[command(flatten)]
    input: SampleArgs,
    /// log2 of the rows; default: the smallest that fits (chosen automatically).
    #[arg(short = 'k', long)]
    k: Option<u32>,
    /// Circuit layout.
    #[arg(long, value_enum, default_value_t = LayoutArg::Auto)]
    layout: LayoutArg,
    #[command(flatten)]
    statement: StatementArgs,
    /// Print the result as JSON.
    #[arg(long)]
    json: bool,
}

/// Runs `mock-proof`: checks every constraint with halo2's MockProver.
pub fn mock(a: MockArgs) -> Result<Outcome> {
    a.input.require()?;
    let model = Arc::new(load_model(&a.model.model_path)?);
    let samples = a.input.load(&model)?;
    let paths = samples.paths();
    let images = samples.inputs;
    let statement = a.statement.statement(images.len())?;
    let mut params = CircuitParams::for_statement(&model, a.layout.into(), &statement)?;
    if let Some(k) = a.k {
        let min = params.k;
        if k < min {
            bail!(
                "k = {k} is too small: this model's circuit needs {} rows, k ≥ {min}",
                params.rows()
            );
        }
        if k > 24 {
            bail!("k = {k} is too large (at most 24)");
        }
        params.k = k;
    }
    let (prover_inputs, _) = inputs::prover_inputs(images, &paths, &statement, &[])?;
    let circuit = WnnCircuit::<Fr>::prove_images(model.clone(), params.clone(), &prover_inputs)?;
    let predictions: Vec<_> = prover_inputs
        .iter()
        .map(|i| model.predict(&i.pixels))
        .collect();
    let start = Instant::now();
    let prover = MockProver::run(params.k, &circuit, vec![circuit.instances()])
        .map_err(|e| anyhow::anyhow!("MockProver could not run: {e}"))?;
    let result = prover.verify();
    let secs = start.elapsed().as_secs_f64();
    let cs = {
        let mut cs = halo2_proofs::plonk::ConstraintSystem::<Fr>::default();
        WnnCircuit::<Fr>::configure_with_params(&mut cs, params.clone());
        cs
    };
    let failures: Vec<String> = match &result {
        Ok(()) => vec![],
        Err(errs) => errs.iter().take(20).map(|e| e.to_string()).collect(),
    };
    if a.json {
        print_json(&serde_json::json!({
            "satisfied": result.is_ok(),
            "k": params.k,
            "rows": {"lane_group": params.lane_rows, "side_group": params.side_rows, "tables": params.table_rows(), "circuit": params.rows()},
            "layout": params.layout().name(),
            "statement": statement,
            "advice_columns": cs.num_advice_columns(),
            "lookups": cs.lookups().len(),
            "predictions": predictions,
            "failures": failures,
            "seconds": secs,
        }));
    } else {
        println!(
            "k:       {} ({} usable rows)",
            params.k,
            (1usize << params.k) - cs.minimum_rows()
        );
        println!(
            "rows:    {} lane group, {} side group, {} in the largest table",
            params.lane_rows,
            params.side_rows,
            params.table_rows()
        );
        println!(
            "columns: {} advice, {} lookups",
            cs.num_advice_columns(),
            cs.lookups().len()
        );
        println!("public:  {}", statement.describe());
        for (p, pred) in paths.iter().zip(&predictions) {
            println!(
                "{}: class {}, scores {:?}{}",
                p.display(),
                pred.class,
                pred.scores,
                class_name_suffix(&model, pred.class)
            );
        }
        match &result {
            Ok(()) => println!("all constraints satisfied ({secs:.2} s)"),
            Err(errs) => {
                println!("NOT satisfied: {} failures", errs.len());
                for f in &failures {
                    println!("  {f}");
                }
            }
        }
    }
    Ok(if result.is_ok() {
        Outcome::Success
    } else {
        Outcome::Rejected
    })
}

/// Arguments of `generate-srs`.
#[derive(Debug, Args)]
pub struct SrsArgs {
    /// log2 of the rows the parameters serve (see `mock-proof` for a model's k).
    #[arg(short = 'k', long, required_unless_present = "model_path")]
    k: Option<u32>,
    /// Size the parameters for this model's circuit instead of giving -k.
    #[arg(short = 'm', long, value_name = "FILE", conflicts_with = "k")]
    model_path: Option<PathBuf>,
    /// Where to write the parameters (halo2's raw format, read by every other command).
    #[arg(short = 's', long, value_name = "FILE")]
    srs_path: PathBuf,
    /// With --model-path: the layout the keys will use.
    #[arg(long, value_enum, default_value_t = LayoutArg::Auto)]
    layout: LayoutArg,
    /// With --model-path: the statement the keys will prove (it can change the size).
    #[command(flatten)]
    statement: StatementArgs,
    /// Derive the toxic waste from this seed (reproducible; for tests only).
    #[arg(long, conflicts_with_all = ["from_ptau", "from_params"])]
    seed: Option<u64>,
    /// Take the parameters from a snarkjs powers-of-tau ceremony file (.ptau, BN254) instead
    /// of local randomness; its power must be at least k. The file is checked (points,
    /// generators, consistent powers of τ) and only 2^k of its powers are read.
    #[arg(long, value_name = "FILE", conflicts_with = "from_params")]
    from_ptau: Option<PathBuf>,
    /// Take the parameters from a halo2 KZG parameter file (PSE, Axiom, zero_g; raw or
    /// compressed points) of any k at least the needed one, checked like a ceremony file.
    #[arg(long, value_name = "FILE")]
    from_params: Option<PathBuf>,
    /// Print where the parameters came from as JSON.
    #[arg(long)]
    json: bool,
}

/// Runs `generate-srs`: local randomness, or an import from a ceremony or parameter file.
pub fn srs(a: SrsArgs, printer: &Printer) -> Result<Outcome> {
    let k = match (a.k, &a.model_path) {
        (Some(k), _) => k,
        (None, Some(m)) => {
            let st = a.statement.statement(1)?;
            CircuitParams::for_statement(&load_model(m)?, a.layout.into(), &st)?.k
        }
        _ => unreachable!("clap requires one"),
    };
    if !(4..=24).contains(&k) {
        bail!("k = {k} is out of range (4..=24)");
    }
    let rep = printer.reporter();
    let start = Instant::now();
    let (srs, source) = match (&a.from_ptau, &a.from_params) {
        (None, None) => {
            eprintln!(
                "warning: these KZG parameters come from local randomness. Whoever ran this \
                 command knows the secret and can forge proofs: use them for testing only."
            );
            zero_g::progress::Reporter::on_stage(&rep, "generating SRS", 1);
            (proving::generate_srs(k, a.seed), None)
        }
        (Some(file), _) => {
            zero_g::progress::Reporter::on_stage(&rep, "importing SRS", 1);
            let imported = ceremony::import_ptau(file, k)?;
            (imported.srs, Some((file, imported.source)))
        }
        (None, Some(file)) => {
            zero_g::progress::Reporter::on_stage(&rep, "importing SRS", 1);
            let imported = ceremony::import_params(file, k)?;
            (imported.srs, Some((file, imported.source)))
        }
    };
    artifacts::write_srs(&srs, &a.srs_path)?;
    zero_g::progress::Reporter::on_stage_done(&rep);
    let secs = start.elapsed().as_secs_f64();
    if a.json {
        let from = match &source {
            None => serde_json::json!({"kind": "local-randomness", "seeded": a.seed.is_some()}),
            Some((file, s)) => source_json(file, s),
        };
        print_json(&serde_json::json!({
            "srs_path": a.srs_path, "k": k, "source": from, "seconds": secs,
        }));
        return Ok(Outcome::Success);
    }
    if let Some((file, s)) = &source {
        println!("imported 2^{k} powers of τ from {}", file.display());
        println!("  {s}");
        println!("checked: points on their curves, generators, consistent powers ({secs:.1} s)");
    }
    println!(
        "wrote KZG parameters for 2^{k} rows to {}",
        a.srs_path.display()
    );
    Ok(Outcome::Success)
}

fn source_json(file: &std::path::Path, s: &ceremony::Source) -> serde_json::Value {
    match *s {
        ceremony::Source::Ptau {
            power,
            ceremony_power,
            contributions,
        } => serde_json::json!({
            "kind": "ptau", "file": file, "power": power, "ceremony_power": ceremony_power,
            "contributions": contributions,
        }),
        ceremony::Source::Params { k, format } => serde_json::json!({
            "kind": "halo2-params", "file": file, "k": k,
            "format": match format { SrsFormat::Raw => "raw", SrsFormat::Processed => "processed" },
        }),
    }
}

/// Arguments of `generate-keys`.
#[derive(Debug, Args)]
pub struct KeysArgs {
    #[command(flatten)]
    model: ModelArg,
    /// KZG parameters (from `generate-srs`).
    #[arg(short = 's', long, value_name = "FILE")]
    srs_path: PathBuf,
    /// Where to write the verifying key.
    #[arg(short = 'v', long, value_name = "FILE")]
    vk_path: PathBuf,
    /// Where to write the proving key.
    #[arg(short = 'p', long, value_name = "FILE")]
    pk_path: PathBuf,
    /// Also write the circuit parameters, model digest and vk fingerprint as JSON (they are
    /// stored in both key files regardless).
    #[arg(short = 'c', long, value_name = "FILE")]
    circuit_params_path: Option<PathBuf>,
    /// Circuit layout: `fast` proves fastest; `compact` gives a smaller EVM verifier.
    #[arg(long, value_enum, default_value_t = LayoutArg::Auto)]
    layout: LayoutArg,
    #[command(flatten)]
    statement: StatementArgs,
}

/// Runs `generate-keys`.
pub fn keys(a: KeysArgs, printer: &Printer) -> Result<Outcome> {
    let model = Arc::new(load_model(&a.model.model_path)?);
    let srs = artifacts::read_srs(&a.srs_path)?;
    let start = Instant::now();
    let statement = a.statement.statement(1)?;
    let (pk, meta) = proving::keygen(
        &srs,
        model,
        a.layout.into(),
        &statement,
        &printer.reporter(),
    )?;
    let secs = start.elapsed().as_secs_f64();
    if a.vk_path == a.pk_path {
        bail!("--vk-path and --pk-path name the same file");
    }
    // both or neither: never a new verifying key beside an old proving key
    artifacts::write_keys(&a.vk_path, &a.pk_path, &pk, &meta)?;
    if let Some(p) = &a.circuit_params_path {
        artifacts::write_json(p, &meta)?;
    }
    println!(
        "keys generated in {secs:.1} s (k = {}), proving: {}",
        meta.circuit.k,
        statement.describe()
    );
    println!("model digest:   {}", meta.model_digest);
    println!("vk fingerprint: {}", meta.vk_fingerprint);
    println!("wrote {} and {}", a.vk_path.display(), a.pk_path.display());
    Ok(Outcome::Success)
}

/// Arguments of `proof`.
#[derive(Debug, Args)]
pub struct ProofArgs {
    #[command(flatten)]
    model: ModelArg,
    /// The private input(s): images (files or folders), --features or --csv-row; as many as
    /// the keys' batch.
    #[command(flatten)]
    input: SampleArgs,
    /// KZG parameters (from `generate-srs`).
    #[arg(short = 's', long, value_name = "FILE")]
    srs_path: PathBuf,
    /// The proving key (from `generate-keys`).
    #[arg(long, value_name = "FILE")]
    pk_path: PathBuf,
    /// Where to write the proof (JSON).
    #[arg(long, value_name = "FILE")]
    proof_path: PathBuf,
    /// With commitment keys: the opening(s) from `zero_g commit`, one per image in order.
    /// Without them, fresh salts are drawn and their openings written to
    /// `<proof-path>.openings.json` (keep that file private).
    #[arg(long, value_name = "FILE", num_args = 1..)]
    opening_path: Vec<PathBuf>,
    /// With `--bind` keys: the value the proof is bound to, an address (20 bytes) or a
    /// 32-byte word in hex (e.g. the account that will submit it).
    #[arg(long, value_name = "HEX")]
    bind_to: Option<String>,
    /// Print the result as JSON.
    #[arg(long)]
    json: bool,
}

/// Runs `proof`.
pub fn proof(a: ProofArgs, printer: &Printer) -> Result<Outcome> {
    a.input.require()?;
    let model = Arc::new(load_model(&a.model.model_path)?);
    let samples = a.input.load(&model)?;
    let paths = samples.paths();
    let images = samples.inputs;
    let srs = artifacts::read_srs_for_key(&a.srs_path)?;
    let (pk, meta) = artifacts::read_pk(&a.pk_path).context("reading the proving key")?;
    {
        use halo2_proofs::poly::commitment::Params;
        if srs.k() > meta.circuit.k && !a.json {
            eprintln!(
                "note: the SRS has 2^{} rows and the circuit 2^{}: cutting it down costs seconds \
                 on every proof; write one of the circuit's size once with \
                 `zero_g generate-srs --from-params {} -k {} --srs-path …`",
                srs.k(),
                meta.circuit.k,
                a.srs_path.display(),
                meta.circuit.k
            );
        }
    }
    let statement = &meta.circuit.statement;
    let (inputs, fresh) = inputs::prover_inputs(images, &paths, statement, &a.opening_path)?;
    let start = Instant::now();
    let bind = a.bind_to.as_deref().map(inputs::parse_bind).transpose()?;
    let proof = proving::prove_bound(
        &srs,
        &pk,
        &meta,
        model.clone(),
        &inputs,
        bind,
        &printer.reporter(),
    )?;
    let secs = start.elapsed().as_secs_f64();
    let openings = (!fresh.is_empty()).then(|| inputs::openings_path(&a.proof_path));
    // the proof and the openings of its fresh salts as one unit
    artifacts::write_proof_with_openings(
        &a.proof_path,
        &proof,
        openings.as_deref().map(|p| (p, fresh.as_slice())),
    )?;
    if a.json {
        print_json(&serde_json::json!({
            "proof_path": a.proof_path, "seconds": secs, "proof_bytes": proof.proof.len(),
            "statement": proof.statement, "images": proof.images, "openings_path": openings,
        }));
        return Ok(Outcome::Success);
    }
    println!("proved in {secs:.2} s (public: {})", statement.describe());
    for (p, im) in paths.iter().zip(&proof.images) {
        println!(
            "  {}: {}{}",
            p.display(),
            describe_claim(im),
            class_name_suffix(&model, im.class)
        );
    }
    if let Some(b) = &proof.bound_to {
        println!("  bound to {b}");
    }
    println!(
        "wrote {} ({} proof bytes)",
        a.proof_path.display(),
        proof.proof.len()
    );
    if let Some(p) = openings {
        println!(
            "wrote the commitments' openings to {} (private: the salts)",
            p.display()
        );
    }
    Ok(Outcome::Success)
}

/// ` (name)` for a model whose classes have names, else nothing.
fn class_name_suffix(model: &zero_g::Model, class: usize) -> String {
    let spec = model.input();
    if spec.class_names.is_empty() {
        String::new()
    } else {
        format!(" ({})", spec.class_name(class))
    }
}

/// One image's public values in words: `class 7 (proven), scores [..], commitment 0x..`.
pub fn describe_claim(im: &zero_g::proving::ImageClaim) -> String {
    let mut s = format!("class {}", im.class);
    if im.scores.is_none() {
        s += " (proven; scores private)";
    }
    if let Some(sc) = &im.scores {
        s += &format!(", scores {sc:?}");
    }
    if let Some(c) = &im.commitment {
        s += &format!(", commitment {c}");
    }
    s
}

/// Arguments of `verify`.
#[derive(Debug, Args)]
pub struct VerifyArgs {
    /// KZG parameters (from `generate-srs`): those the keys were made with.
    #[arg(short = 's', long, value_name = "FILE")]
    srs_path: PathBuf,
    /// The verifying key (from `generate-keys`).
    #[arg(short = 'v', long, value_name = "FILE")]
    vk_path: PathBuf,
    /// The proof (from `proof`).
    #[arg(long, value_name = "FILE")]
    proof_path: PathBuf,
    /// Also check that the verifying key is this model's: rebuild it from the model and the
    /// SRS and refuse a key that differs (takes seconds). Without it, the model a valid proof
    /// is about is whatever model the verifying key was made from.
    #[arg(short = 'm', long, value_name = "FILE")]
    model_path: Option<PathBuf>,
    /// Print {"valid": bool, "images": [...], ...} as JSON.
    #[arg(long)]
    json: bool,
}

/// Runs `verify`: exit 0 if valid, 1 if invalid, 2 on unusable inputs. Every value printed
/// is read back from the public instances the proof was checked against.
pub fn verify(a: VerifyArgs) -> Result<Outcome> {
    let srs = artifacts::read_srs_for_key(&a.srs_path)?;
    let (vk, meta) = artifacts::read_vk(&a.vk_path)?;
    let proof = artifacts::read_proof(&a.proof_path)?;
    if let Some(m) = &a.model_path {
        let model = Arc::new(load_model(m)?);
        proving::check_vk_for_model(&srs, &vk, &meta, model)
            .with_context(|| format!("checking the verifying key against {}", m.display()))?;
    }
    let start = Instant::now();
    let report = proving::verify_report(&srs, &vk, &meta, &proof)?;
    let ms = start.elapsed().as_secs_f64() * 1e3;
    let reason = match &report.verdict {
        proving::Verdict::Invalid(Some(r)) => Some(r.clone()),
        _ => None,
    };
    let statement = &meta.circuit.statement;
    if a.json {
        let mut v = report.to_json(statement);
        v["model_checked"] = a.model_path.is_some().into();
        print_json(&v);
    } else if let Some(p) = &report.proven {
        println!("proof valid ({ms:.0} ms; public: {})", statement.describe());
        for (i, im) in p.images.iter().enumerate() {
            println!("  image {i}: {}", describe_claim(im));
        }
        if let Some(d) = &p.model_digest {
            println!("  model digest {d} (public)");
        }
        if let Some(b) = &p.bound_to {
            println!("  bound to {b}");
        }
        if let Some(m) = &a.model_path {
            println!("  verifying key checked: it is {}'s", m.display());
        }
    } else {
        match reason {
            Some(r) => println!("proof INVALID: {r}"),
            None => println!("proof INVALID"),
        }
    }
    Ok(if report.verdict.is_valid() {
        Outcome::Success
    } else {
        Outcome::Rejected
    })
}
