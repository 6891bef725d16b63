//! Key generation, proving and verification: KZG on BN254, SHPLONK multi-opening, and the
//! Keccak-256 EVM transcript of snark-verifier, so every proof verifies natively and in the
//! generated Solidity verifier alike.

pub mod artifacts;
pub mod ceremony;
pub mod inputs;
mod keyfile;
pub mod polys;
mod srs_check;

use crate::circuit::{CircuitError, CircuitParams, ImageInput, Layout, Statement, WnnCircuit};
use crate::fsutil;
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
    /// A proof file that is not a proof of its own statement: it claims values the
    /// statement does not publish, or holds bytes after the proof.
    #[error("malformed proof file: {0}")]
    Malformed(String),
    /// Parameters (an SRS, a ceremony file) were refused.
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

/// SHA-256 of the SRS elements a KZG verifier uses — `g[0]`, `g2` and `s·g2`, in halo2's raw
/// encoding — hex. Keys record it ([`KeyMeta::srs_fingerprint`]): with `g[0]` and `g2` the
/// standard generators (checked when an SRS is read), it names the setup's secret `τ`, so
/// that two setups of the same `k` are told apart.
pub fn srs_fingerprint(srs: &Srs) -> String {
    use halo2_proofs::halo2curves::serde::SerdeObject;
    let mut h = Sha256::new();
    h.update(srs.get_g()[0].to_raw_bytes());
    h.update(srs.g2().to_raw_bytes());
    h.update(srs.s_g2().to_raw_bytes());
    hex::encode(h.finalize())
}

/// Checks that `srs` is the SRS the keys of `meta` were made with (a proof made or checked
/// with another setup's parameters could never verify).
pub fn check_srs(srs: &Srs, meta: &KeyMeta) -> Result<(), ProofError> {
    let fp = srs_fingerprint(srs);
    if artifacts::parse_digest(&fp) != artifacts::parse_digest(&meta.srs_fingerprint) {
        return Err(ProofError::Mismatch(format!(
            "the SRS is not the one the keys were made with (this SRS is {}…, the keys' is \
             {}…): use the keys' SRS, or generate keys with this one",
            short(&fp),
            short(&meta.srs_fingerprint)
        )));
    }
    Ok(())
}

/// The first 16 characters of a digest or fingerprint, for messages. Any string is safe:
/// it never cuts a character in two.
pub fn short(s: &str) -> &str {
    match s.char_indices().nth(16) {
        Some((i, _)) => &s[..i],
        None => s,
    }
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
    let meta = KeyMeta::new(
        params,
        &model,
        vk_fingerprint(pk.get_vk()),
        srs_fingerprint(&srs),
    );
    Ok((pk, meta))
}

fn check_model(meta: &KeyMeta, model: &Model) -> Result<(), ProofError> {
    let digest = model.digest_hex();
    if artifacts::parse_digest(&digest) != artifacts::parse_digest(&meta.model_digest) {
        return Err(ProofError::Mismatch(format!(
            "the keys were generated for model {}…, but this model is {}…",
            short(&meta.model_digest),
            short(&digest)
        )));
    }
    Ok(())
}

/// Checks that `vk` is the verifying key of `model` (for the statement and layout its
/// metadata records) made with `srs`: the verifying key is rebuilt from the model and the
/// SRS and the fingerprints compared. This is what ties a verifying key — and every proof it
/// accepts — to a model file; the model digest in key and proof files is otherwise only a
/// label (a public input when the statement publishes it, see `docs/circuit.md`). Costs a
/// verifying-key generation (seconds).
pub fn check_vk_for_model(
    srs: &Srs,
    vk: &VerifyingKey<G1Affine>,
    meta: &KeyMeta,
    model: Arc<Model>,
) -> Result<(), ProofError> {
    check_srs(srs, meta)?;
    check_model(meta, &model)?;
    let circuit =
        WnnCircuit::<Fr>::keygen_for(model, meta.circuit.layout(), &meta.circuit.statement)?;
    if *circuit.circuit_params() != meta.circuit {
        return Err(ProofError::Mismatch(
            "the verifying key's circuit shape is not the one this model gives: the key is \
             not this model's"
                .into(),
        ));
    }
    let srs = srs_for(srs, meta.circuit.k)?;
    let rebuilt = fsutil::no_panic(|| keygen_vk_custom(&srs, &circuit, true))
        .ok_or_else(|| ProofError::Halo2("key generation panicked".into()))?
        .map_err(|e| ProofError::Halo2(e.to_string()))?;
    let (want, given) = (vk_fingerprint(&rebuilt), vk_fingerprint(vk));
    if want != given {
        return Err(ProofError::Mismatch(format!(
            "the verifying key is not this model's: the model and the SRS give key {}…, the \
             given key is {}…",
            short(&want),
            short(&given)
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
    check_srs(srs, meta)?;
    if artifacts::parse_digest(&vk_fingerprint(pk.get_vk()))
        != artifacts::parse_digest(&meta.vk_fingerprint)
    {
        return Err(ProofError::Mismatch(
            "the proving key is not the one its metadata names".into(),
        ));
    }
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
    let proof = fsutil::no_panic(|| {
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
        .map(|()| transcript.finalize())
    })
    .ok_or_else(|| ProofError::Halo2("the prover panicked".into()))?
    .map_err(|e| ProofError::Halo2(e.to_string()))?;
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

/// What a valid proof proves: its public values, read back from the instance column the
/// proof was checked against (never from the file's claims).
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize)]
pub struct Proven {
    /// The statement.
    pub statement: Statement,
    /// Per image: the scores (when public); the class (proven when public, otherwise the
    /// first maximum of the proven scores); the commitment (when public).
    pub images: Vec<ImageClaim>,
    /// The model digest, hex, when the statement publishes it.
    pub model_digest: Option<String>,
    /// The word the proof is bound to, when the statement binds.
    pub bound_to: Option<String>,
}

/// The outcome of [`verify_report`]: the verdict and, for a valid proof, what it proves.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Report {
    /// Valid or not.
    pub verdict: Verdict,
    /// What a valid proof proves (`None` when it is invalid).
    pub proven: Option<Proven>,
}

impl Report {
    /// The report as JSON (what `zero_g verify --json` and `zero_g serve`'s `/v1/verify`
    /// answer): `valid`, `reason` (of an invalid proof, when known), the key's `statement`,
    /// and, for a valid proof, the `images`, `model_digest` and `bound_to` read back from the
    /// checked instances (`null` otherwise).
    pub fn to_json(&self, statement: &Statement) -> serde_json::Value {
        let reason = match &self.verdict {
            Verdict::Invalid(Some(r)) => Some(r.as_str()),
            _ => None,
        };
        let p = self.proven.as_ref();
        serde_json::json!({
            "valid": self.verdict.is_valid(), "reason": reason, "statement": statement,
            "images": p.map(|p| &p.images), "model_digest": p.and_then(|p| p.model_digest.as_ref()),
            "bound_to": p.and_then(|p| p.bound_to.as_ref()),
        })
    }
}

/// Checks a proof against a verifying key. A proof for another key, statement, `k` or SRS,
/// or one that claims what its statement does not publish, is an error, not an invalid
/// proof. See [`verify_report`] for what a valid proof proves.
pub fn verify(
    srs: &Srs,
    vk: &VerifyingKey<G1Affine>,
    meta: &KeyMeta,
    proof: &ProofFile,
) -> Result<Verdict, ProofError> {
    verify_report(srs, vk, meta, proof).map(|r| r.verdict)
}

/// The length in bytes of every proof for `vk` (SHPLONK, the EVM transcript): the
/// witness, quotient and opening commitments (64 bytes each) and the evaluations (32 bytes
/// each), counted from the key's constraint system as snark-verifier's verifier reads them.
/// Native verification ([`verify_report`]), `submit-proof`, `verify-evm` and the deployed
/// verifier (its calldata-length check, [`crate::evm::exact_length`]) all refuse a proof of
/// any other length, through [`ProofFile::check_proof_len`].
pub fn proof_len(
    srs: &Srs,
    vk: &VerifyingKey<G1Affine>,
    meta: &KeyMeta,
) -> Result<usize, ProofError> {
    use snark_verifier::system::halo2::{compile, Config};
    let params = verifier_srs_for(srs, meta.circuit.k)?;
    let n = meta.circuit.statement.num_instances(meta.circuit.classes);
    let protocol =
        fsutil::no_panic(|| compile(&params, vk, Config::kzg().with_num_instance(vec![n])))
            .ok_or_else(|| ProofError::Mismatch("the key does not fit its metadata's k".into()))?;
    let points: usize =
        protocol.num_witness.iter().sum::<usize>() + protocol.quotient.num_chunk() + 2; // SHPLONK's two opening commitments
    Ok(64 * points + 32 * protocol.evaluations.len())
}

/// [`verify`], also returning what a valid proof proves, read back from the checked
/// instances. The verifying key's fingerprint is computed from `vk` itself, and compared
/// with its metadata's and the proof's; `srs` must be the keys' ([`check_srs`]); the proof
/// file's `k` must be the key's; its claims must be exactly what the statement publishes;
/// and the proof must have the key's proof length ([`proof_len`]): no byte may follow it.
pub fn verify_report(
    srs: &Srs,
    vk: &VerifyingKey<G1Affine>,
    meta: &KeyMeta,
    proof: &ProofFile,
) -> Result<Report, ProofError> {
    let fp = vk_fingerprint(vk);
    if artifacts::parse_digest(&meta.vk_fingerprint) != artifacts::parse_digest(&fp) {
        return Err(ProofError::Mismatch(format!(
            "the verifying key is {}…, not the key its metadata names ({}…)",
            short(&fp),
            short(&meta.vk_fingerprint)
        )));
    }
    match artifacts::parse_digest(&proof.vk_fingerprint) {
        None => {
            return Err(ProofError::Malformed(
                "its vk_fingerprint is not a SHA-256 digest (64 hex digits)".into(),
            ))
        }
        Some(p) if artifacts::parse_digest(&fp) != Some(p) => {
            return Err(ProofError::Mismatch(format!(
                "the proof was made for verifying key {}…, not for this one ({}…)",
                short(&proof.vk_fingerprint),
                short(&fp)
            )))
        }
        Some(_) => {}
    }
    if proof.statement != meta.circuit.statement {
        return Err(ProofError::Mismatch(format!(
            "the proof states `{}` but the key proves `{}`",
            proof.statement.describe(),
            meta.circuit.statement.describe()
        )));
    }
    if proof.k != meta.circuit.k {
        return Err(ProofError::Mismatch(format!(
            "the proof file says k = {}, but the key's circuit has k = {}",
            proof.k, meta.circuit.k
        )));
    }
    check_srs(srs, meta)?;
    if let Some(what) = proof.unpublished() {
        return Err(ProofError::Malformed(format!(
            "it claims {what}, which its statement (`{}`) does not publish: nothing proves it",
            proof.statement.describe()
        )));
    }
    let instances = match proof.instances(Some(meta.circuit.classes)) {
        Ok(i) => i,
        Err(why) => {
            return Ok(Report {
                verdict: Verdict::Invalid(Some(why)),
                proven: None,
            })
        }
    };
    let srs = verifier_srs_for(srs, meta.circuit.k)?;
    proof.check_proof_len(proof_len(&srs, vk, meta)?)?;
    let mut rest = proof.proof.as_slice();
    let ok = fsutil::no_panic(|| {
        let mut transcript =
            EvmTranscript::<G1Affine, NativeLoader, &mut &[u8], Vec<u8>>::init(&mut rest);
        verify_proof::<KZGCommitmentScheme<Bn256>, VerifierSHPLONK<'_, Bn256>, _, _, _>(
            srs.verifier_params(),
            vk,
            SingleStrategy::new(&srs),
            &[&[&instances]],
            &mut transcript,
        )
        .is_ok()
    })
    .unwrap_or(false);
    if !ok {
        return Ok(Report {
            verdict: Verdict::Invalid(None),
            proven: None,
        });
    }
    if !rest.is_empty() {
        return Err(ProofError::Malformed(format!(
            "{} bytes follow the proof",
            rest.len()
        )));
    }
    let proven = read_back(&meta.circuit.statement, meta.circuit.classes, &instances)
        .ok_or_else(|| ProofError::Halo2("the checked instances cannot be read back".into()))?;
    Ok(Report {
        verdict: Verdict::Valid,
        proven: Some(proven),
    })
}

/// The public values of a statement, read from its instance column.
fn read_back(st: &Statement, classes: usize, instances: &[Fr]) -> Option<Proven> {
    use halo2_proofs::halo2curves::ff::PrimeField;
    let small = |f: &Fr| -> Option<u128> {
        let repr = f.to_repr();
        repr[16..]
            .iter()
            .all(|&b| b == 0)
            .then(|| u128::from_le_bytes(repr[..16].try_into().expect("16 bytes")))
    };
    let mut it = instances.iter();
    let mut images = Vec::with_capacity(st.batch);
    for _ in 0..st.batch {
        let scores = if st.public.scores() {
            let s = (0..classes)
                .map(|_| small(it.next()?).and_then(|v| u32::try_from(v).ok()))
                .collect::<Option<Vec<u32>>>()?;
            Some(s)
        } else {
            None
        };
        let class = if st.public.class() {
            usize::try_from(small(it.next()?)?).ok()?
        } else {
            crate::model::argmax(scores.as_deref()?)
        };
        let commitment = if st.commitment {
            Some(crate::commitment::to_hex(it.next()?))
        } else {
            None
        };
        images.push(ImageClaim {
            scores,
            class,
            commitment,
        });
    }
    let model_digest = if st.model_digest {
        let hi = small(it.next()?)?;
        let lo = small(it.next()?)?;
        let mut d = hi.to_be_bytes().to_vec();
        d.extend(lo.to_be_bytes());
        Some(hex::encode(d))
    } else {
        None
    };
    let bound_to = if st.bind {
        Some(crate::commitment::to_hex(it.next()?))
    } else {
        None
    };
    it.next().is_none().then(|| Proven {
        statement: st.clone(),
        images,
        model_digest,
        bound_to,
    })
}

/// The circuit shape for `statement` about `model`, for callers that need `k` before keygen.
pub fn circuit_params(
    model: &Model,
    layout: Layout,
    statement: &Statement,
) -> Result<CircuitParams, ProofError> {
    Ok(CircuitParams::for_statement(model, layout, statement)?)
}
