//! Flags shared by the proving commands: the statement, the images of a batch, and the
//! commitment openings.

use anyhow::{bail, Context, Result};
use clap::Args;
use halo2_proofs::halo2curves::bn256::Fr;
use std::path::{Path, PathBuf};
use zero_g::circuit::{ImageInput, Public, Statement};
use zero_g::proving::artifacts::{self, Opening};
use zero_g::proving::inputs::{self, InputsError};
use zero_g::Model;

/// What the proof makes public.
#[derive(Debug, Clone, Copy, Default, clap::ValueEnum)]
pub enum PublicArg {
    /// The per-class scores (the verifier reads the class off them).
    #[default]
    Scores,
    /// Only the class, proven in-circuit (first maximum wins); the scores stay private.
    Class,
    /// The scores and the proven class.
    Both,
}

/// The statement flags (of `generate-keys`, and of `generate-srs`/`mock-proof` for sizing).
#[derive(Debug, Clone, Args)]
pub struct StatementArgs {
    /// What a proof makes public.
    #[arg(long, value_enum, default_value_t = PublicArg::Scores)]
    pub public: PublicArg,
    /// Make a salted Poseidon commitment to each image public (see `zero_g commit`).
    #[arg(long)]
    pub commitment: bool,
    /// Make the model's SHA-256 digest public (two 128-bit words after the images' values).
    #[arg(long)]
    pub model_digest: bool,
    /// Bind every proof to a public word chosen when proving (`proof --bind-to`), e.g. the
    /// address allowed to submit it, so that a copied proof is useless to anyone else.
    #[arg(long)]
    pub bind: bool,
    /// Images per proof.
    #[arg(long, value_name = "N")]
    pub batch: Option<usize>,
}

impl StatementArgs {
    /// The statement, with `default_batch` images when `--batch` is not given.
    pub fn statement(&self, default_batch: usize) -> Result<Statement> {
        let st = Statement {
            public: match self.public {
                PublicArg::Scores => Public::Scores,
                PublicArg::Class => Public::Class,
                PublicArg::Both => Public::Both,
            },
            commitment: self.commitment,
            model_digest: self.model_digest,
            bind: self.bind,
            batch: self.batch.unwrap_or(default_batch),
        };
        st.validate().map_err(anyhow::Error::msg)?;
        Ok(st)
    }
}

/// Expands `--img-path` values: files as given, folders into their PNG/JPEG files sorted by
/// name.
pub fn image_paths(given: &[PathBuf]) -> Result<Vec<PathBuf>> {
    let mut out = Vec::new();
    for p in given {
        if p.is_dir() {
            let mut files: Vec<PathBuf> = std::fs::read_dir(p)
                .with_context(|| format!("reading folder {}", p.display()))?
                .filter_map(|e| e.ok().map(|e| e.path()))
                .filter(|f| {
                    f.extension().and_then(|e| e.to_str()).is_some_and(|e| {
                        matches!(e.to_ascii_lowercase().as_str(), "png" | "jpg" | "jpeg")
                    })
                })
                .collect();
            if files.is_empty() {
                bail!("{} holds no PNG or JPEG images", p.display());
            }
            files.sort();
            out.extend(files);
        } else {
            out.push(p.clone());
        }
    }
    Ok(out)
}

/// Loads the images, each checked against the model's image size.
pub fn load_images(paths: &[PathBuf], model: &Model) -> Result<Vec<Vec<u8>>> {
    let (w, h) = image_size(model)?;
    paths
        .iter()
        .map(|p| zero_g::data::load_image_for(p, w, h).map_err(anyhow::Error::from))
        .collect()
}

/// The model's image size, or an error saying what it takes instead.
pub fn image_size(model: &Model) -> Result<(usize, usize)> {
    model.input().image_size().ok_or_else(|| {
        anyhow::anyhow!(
            "this model takes {}, not an image: give --features or --csv-row",
            model.input().describe()
        )
    })
}

/// The prover's inputs: pixels and salts. With commitments, the salts come from the given
/// openings (one per image, in order) or are drawn fresh; the openings of fresh salts are
/// returned so the caller can save them ([`zero_g::proving::inputs::prover_inputs`]).
pub fn prover_inputs(
    images: Vec<Vec<u8>>,
    paths: &[PathBuf],
    statement: &Statement,
    opening_paths: &[PathBuf],
) -> Result<(Vec<ImageInput<Fr>>, Vec<Opening>)> {
    if !statement.commitment && !opening_paths.is_empty() {
        bail!("--opening-path was given, but these keys do not prove a commitment (generate them with --commitment)");
    }
    let mut openings = Vec::new();
    for p in opening_paths {
        openings.extend(artifacts::read_openings(p)?);
    }
    inputs::prover_inputs(images, statement, &openings).map_err(|e| match e {
        InputsError::Mismatch { index, reason } => anyhow::anyhow!(
            "opening {} does not fit {}: {reason}",
            index + 1,
            paths[index].display()
        ),
        e => e.into(),
    })
}

/// Where the openings of fresh salts go: beside the proof, `<proof>.openings.json`.
pub fn openings_path(proof_path: &Path) -> PathBuf {
    let mut name = proof_path
        .file_name()
        .map(|n| n.to_os_string())
        .unwrap_or_default();
    name.push(".openings.json");
    proof_path.with_file_name(name)
}

/// Parses a `--bind-to` value: a 20-byte address or a 32-byte field element, in hex.
pub fn parse_bind(s: &str) -> Result<Fr> {
    inputs::parse_bind(s).map_err(|e| anyhow::anyhow!("--bind-to: {e}"))
}
