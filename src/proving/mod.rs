//! Key generation, proving and verification: KZG on BN254, SHPLONK multi-opening, and the
//! Keccak-256 EVM transcript of snark-verifier, so every proof verifies natively and in the
//! generated Solidity verifier alike.

pub mod artifacts;
pub mod ceremony;

use crate::circuit::{CircuitError, CircuitParams, ImageInput, Layout, Statement, WnnCircuit};
use crate::model::Model;
use crate::progress::Reporter;
pub use artifacts::{ImageClaim, KeyMeta, ProofFile};
use halo2_proofs::halo2curves::bn256::{Bn256, Fr, G1Affine};
use halo2_proofs::plonk::{
    create_proof, keygen_pk, keygen_vk_custom, verify_proof, ProvingKey, VerifyingKey,
};
use halo2_proofs::poly::commitment::{Params, ParamsProver};
use halo2_proofs::poly::kzg::commitment::{KZGCommitmentScheme, ParamsKZG};
use halo2_proofs::poly::kzg::multiopen::{ProverSHPLONK, VerifierSHPLONK};
use halo2_proofs::poly::kzg::strategy::SingleStrategy;
use halo2_proofs::transcript::{TranscriptReadBuffer, TranscriptWriterBuffer};
use halo2_proofs::SerdeFormat;
use rand::SeedableRng;
use sha2::{Digest, Sha256};
use snark_verifier::loader::native::NativeLoader;
use snark_verifier::system::halo2::transcript::evm::EvmTranscript;
use std::path::PathBuf;
use std::sync::Arc;

/// KZG parameters (the structured reference string).
pub type Srs = ParamsKZG<Bn256>;

/// Errors of key generation, proving and verification.
#[derive(Debug, thiserror::Error)]
pub enum ProofError {
    /// The SRS cannot serve this circuit.
    #[error("{0}")]
    Srs(String),
    /// Files that belong to different models or keys were combined.
    #[error("{0}")]
    Mismatch(String),
    /// A file is not what it claims to be.
    #[error("{path}: {reason}")]
    Corrupt {
        /// The file.
        path: PathBuf,
        /// What is wrong.
        reason: String,
    },
    /// An I/O error on a named file.
    #[error("{path}")]
    Io {
        /// The file.
        path: PathBuf,
        /// The underlying error.
        source: std::io::Error,
    },
    /// The circuit could not be built.
    #[error(transparent)]
    Circuit(#[from] CircuitError),
    /// Parameters from a ceremony file or another project were refused.
    #[error("{path}: {error}")]
    Import {
        /// The file.
        path: PathBuf,
        /// Why it was refused.
        error: ceremony::ImportError,
    },
    /// halo2 failed (this is a bug when inputs are valid).
    #[error("proving system error: {0}")]
    Halo2(String),
}

/// Generates KZG parameters for `2^k` rows from local randomness (`seed` makes them
/// reproducible, for tests only). **Whoever ran this knows the toxic waste and can forge
/// proofs**: use a ceremony SRS in production ([`ceremony::import_ptau`]).
pub fn generate_srs(k: u32, seed: Option<u64>) -> Srs {
    match seed {
        Some(s) => ParamsKZG::setup(k, rand_chacha::ChaCha20Rng::seed_from_u64(s)),
        None => ParamsKZG::setup(k, rand::rngs::OsRng),
    }
}

/// A copy of `srs` reduced to `2^k` rows, or an error if it is too small.
pub fn srs_for(srs: &Srs, k: u32) -> Result<Srs, ProofError> {
    if srs.k() < k {
        return Err(ProofError::Srs(format!(
            "the SRS has 2^{} rows but this circuit needs 2^{k}: run `zero_g generate-srs -k {k}`",
            srs.k()
        )));
    }
    let mut s = srs.clone();
    if s.k() > k {
        s.downsize(k);
    }
    Ok(s)
}

/// Verifier parameters for `2^k` rows: only `g[0]`, `g2` and `s·g2` matter to a KZG
/// verifier, so unlike [`srs_for`] this skips recomputing the Lagrange basis (which costs
/// seconds when the SRS is larger than the circuit).
pub fn verifier_srs_for(srs: &Srs, k: u32) -> Result<Srs, ProofError> {
    if srs.k() < k {
        return srs_for(srs, k);
    }
    if srs.k() == k {
        return Ok(srs.clone());
    }
    let g = srs.get_g()[..1 << k].to_vec();
    Ok(srs.from_parts(k, g, Some(vec![]), srs.g2(), srs.s_g2()))
}

/// SHA-256 of a verifying key's raw bytes, hex.
pub fn vk_fingerprint(vk: &VerifyingKey<G1Affine>) -> String {
    let mut bytes = Vec::new();
    vk.write(&mut bytes, SerdeFormat::RawBytes)
        .expect("writing to memory");
    hex::encode(Sha256::digest(&bytes))
}

/// Generates the proving key (which holds the verifying key) for proofs of `statement`
/// about `model`. Deterministic: the same model, statement and SRS give a byte-identical
/// verifying key.
pub fn keygen(
    srs: &Srs,
    model: Arc<Model>,
    layout: Layout,
    statement: &Statement,
    reporter: &dyn Reporter,
) -> Result<(ProvingKey<G1Affine>, KeyMeta), ProofError> {
    let circuit = WnnCircuit::<Fr>::keygen_for(model.clone(), layout, statement)?;
    let params = circuit.circuit_params().clone();
    let srs = srs_for(srs, params.k)?;
    reporter.on_stage("verifying key", 1);
    let vk =
        keygen_vk_custom(&srs, &circuit, true).map_err(|e| ProofError::Halo2(e.to_string()))?;
    reporter.on_stage("proving key", 1);
    let pk = keygen_pk(&srs, vk, &circuit).map_err(|e| ProofError::Halo2(e.to_string()))?;
    reporter.on_stage_done();
    let meta = KeyMeta::new(params, &model, vk_fingerprint(pk.get_vk()));
    Ok((pk, meta))
}

fn check_model(meta: &KeyMeta, model: &Model) -> Result<(), ProofError> {
    let digest = model.digest_hex();
    if digest != meta.model_digest {
        return Err(ProofError::Mismatch(format!(
            "the keys were generated for model {}…, but this model is {}…",
            &meta.model_digest[..16.min(meta.model_digest.len())],
            &digest[..16]
        )));
    }
    Ok(())
}

/// Proves the keys' statement about `inputs` (as many images as the statement's batch; the
/// salts matter only with commitments). For statements that bind proofs, use
/// [`prove_bound`].
pub fn prove(
    srs: &Srs,
    pk: &ProvingKey<G1Affine>,
    meta: &KeyMeta,
    model: Arc<Model>,
    inputs: &[ImageInput<Fr>],
    reporter: &dyn Reporter,
) -> Result<ProofFile, ProofError> {
    prove_bound(srs, pk, meta, model, inputs, None, reporter)
}

/// [`prove`], binding the proof to `bind` (required by, and only allowed for, statements
/// with `bind`).
pub fn prove_bound(
    srs: &Srs,
    pk: &ProvingKey<G1Affine>,
    meta: &KeyMeta,
    model: Arc<Model>,
    inputs: &[ImageInput<Fr>],
    bind: Option<Fr>,
    reporter: &dyn Reporter,
) -> Result<ProofFile, ProofError> {
    check_model(meta, &model)?;
    let bind =
        match (meta.circuit.statement.bind, bind) {
            (true, Some(b)) => b,
            (false, None) => Fr::zero(),
            (true, None) => return Err(ProofError::Mismatch(
                "these keys bind every proof to a value (e.g. the submitter's address): give one"
                    .into(),
            )),
            (false, Some(_)) => {
                return Err(ProofError::Mismatch(
                    "these keys do not bind proofs to a value (generate them with --bind)".into(),
                ))
            }
        };
    let srs = srs_for(srs, meta.circuit.k)?;
    reporter.on_stage("witness", 1);
    let circuit =
        WnnCircuit::<Fr>::prove_images(model.clone(), meta.circuit.clone(), inputs)?.bound_to(bind);
    let instances = circuit.instances();
    let publics = circuit
        .public_images()
        .expect("a proving circuit has witnesses");
    reporter.on_stage("proving", 1);
    let mut transcript =
        EvmTranscript::<G1Affine, NativeLoader, Vec<u8>, Vec<u8>>::init(Vec::new());
    create_proof::<KZGCommitmentScheme<Bn256>, ProverSHPLONK<'_, Bn256>, _, _, _, _>(
        &srs,
        pk,
        &[circuit],
        &[&[&instances]],
        rand::rngs::OsRng,
        &mut transcript,
    )
    .map_err(|e| ProofError::Halo2(e.to_string()))?;
    let proof = transcript.finalize();
    reporter.on_stage_done();
    Ok(ProofFile::new(proof, &publics, bind, meta))
}

/// The outcome of checking a proof.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Verdict {
    /// The proof is valid for its public values.
    Valid,
    /// The proof, or its claimed public values, are invalid (with the reason when the claims
    /// themselves are malformed).
    Invalid(Option<String>),
}

impl Verdict {
    /// Whether the proof is valid.
    pub fn is_valid(&self) -> bool {
        *self == Verdict::Valid
    }
}

/// Checks a proof against a verifying key. A proof for another key or statement is an
/// error, not an invalid proof.
pub fn verify(
    srs: &Srs,
    vk: &VerifyingKey<G1Affine>,
    meta: &KeyMeta,
    proof: &ProofFile,
) -> Result<Verdict, ProofError> {
    if proof.vk_fingerprint != meta.vk_fingerprint {
        return Err(ProofError::Mismatch(format!(
            "the proof was made for verifying key {}…, not for this one ({}…)",
            short(&proof.vk_fingerprint),
            short(&meta.vk_fingerprint)
        )));
    }
    if proof.statement != meta.circuit.statement {
        return Err(ProofError::Mismatch(format!(
            "the proof states `{}` but the key proves `{}`",
            proof.statement.describe(),
            meta.circuit.statement.describe()
        )));
    }
    let instances = match proof.instances(Some(meta.circuit.classes)) {
        Ok(i) => i,
        Err(why) => return Ok(Verdict::Invalid(Some(why))),
    };
    let srs = verifier_srs_for(srs, meta.circuit.k)?;
    let mut transcript =
        EvmTranscript::<G1Affine, NativeLoader, &[u8], Vec<u8>>::init(proof.proof.as_slice());
    let ok = verify_proof::<KZGCommitmentScheme<Bn256>, VerifierSHPLONK<'_, Bn256>, _, _, _>(
        srs.verifier_params(),
        vk,
        SingleStrategy::new(&srs),
        &[&[&instances]],
        &mut transcript,
    )
    .is_ok();
    Ok(if ok {
        Verdict::Valid
    } else {
        Verdict::Invalid(None)
    })
}

fn short(s: &str) -> &str {
    &s[..16.min(s.len())]
}

/// The circuit shape for `statement` about `model`, for callers that need `k` before keygen.
pub fn circuit_params(
    model: &Model,
    layout: Layout,
    statement: &Statement,
) -> Result<CircuitParams, ProofError> {
    Ok(CircuitParams::for_statement(model, layout, statement)?)
}
