//! The one place that reads and writes proving artifacts: SRS, keys and proof files.
//!
//! - **SRS**: halo2's raw `ParamsKZG` format (read: raw or processed, recognised by length;
//!   parameters from elsewhere go through [`super::ceremony`], which checks them).
//! - **SRS**: every point is checked when it is read (on its curve, in its group, the
//!   generators, `τ ∉ {0, 1}`, consistent powers and Lagrange points: [`read_srs`]).
//! - **Keys** (`.pk`, `.vk`), format [`KEY_FORMAT`]: `ZEROG-KEY` magic, the format byte, a
//!   little-endian u32 length and that many bytes of JSON [`KeyMeta`] (circuit shape, model
//!   digest, vk fingerprint, SRS fingerprint), a SHA-256 checksum of everything else in the
//!   file (header and body), then the body in halo2's raw format. The header lets `proof`
//!   and `verify` rebuild the circuit and refuse mismatched inputs; the checksum turns a
//!   corrupted file into a clear error. Nothing is trusted beyond that: the header's circuit
//!   shape is bounded ([`CircuitParams::check`]) and every length in the body is checked
//!   against the file before halo2 allocates for it, and the vk fingerprint is recomputed.
//!   (Key files are read and written in `keyfile.rs`; their items are re-exported here.)
//! - **Proof** (`.json`): readable JSON, see [`ProofFile`].
//!
//! Only regular files of bounded size are read ([`crate::fsutil::read_regular`]). Every
//! write goes to a temporary file that is renamed into place, so a failure never leaves a
//! half-written artifact; a verifying key and its proving key are written as one unit
//! ([`write_keys`]).

use super::{ProofError, Srs};
use crate::circuit::{CircuitParams, PublicImage, Statement};
use crate::commitment::{from_hex, to_hex};
use crate::model::{argmax, Model};
use halo2_proofs::halo2curves::bn256::Fr;
use halo2_proofs::SerdeFormat;
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use std::io::{BufReader, BufWriter, Read, Write};
use std::path::Path;

pub use super::keyfile::{
    read_pk, read_vk, write_keys, write_pk, write_vk, KEY_FORMAT, MAX_KEY_BYTES, MAX_KEY_HEADER,
};

/// The largest proof file zero_g reads.
pub const MAX_PROOF_BYTES: u64 = 16 << 20;
/// The largest opening file zero_g reads.
pub const MAX_OPENING_BYTES: u64 = 1 << 20;

/// What a key file carries besides the key.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct KeyMeta {
    /// The circuit shape (including `k`).
    pub circuit: CircuitParams,
    /// SHA-256 of the model's canonical encoding, hex.
    pub model_digest: String,
    /// SHA-256 of the verifying key's raw bytes, hex ([`super::vk_fingerprint`]).
    pub vk_fingerprint: String,
    /// SHA-256 of the SRS elements a verifier uses, `g[0]`, `g2` and `s·g2`, hex
    /// ([`super::srs_fingerprint`]): the keys work only with this SRS.
    pub srs_fingerprint: String,
    /// The zero_g version that made the keys.
    pub zero_g_version: String,
}

impl KeyMeta {
    /// Metadata for keys of `model` made with the SRS of fingerprint `srs_fingerprint`.
    pub fn new(
        circuit: CircuitParams,
        model: &Model,
        vk_fingerprint: String,
        srs_fingerprint: String,
    ) -> Self {
        KeyMeta {
            circuit,
            model_digest: model.digest_hex(),
            vk_fingerprint,
            srs_fingerprint,
            zero_g_version: env!("CARGO_PKG_VERSION").into(),
        }
    }

    /// Checks what a key header claims before anything is built from it: a circuit shape
    /// within zero_g's bounds and digests that are SHA-256 hex.
    pub fn check(&self) -> Result<(), String> {
        self.circuit.check()?;
        for (name, v) in [
            ("model digest", &self.model_digest),
            ("vk fingerprint", &self.vk_fingerprint),
            ("SRS fingerprint", &self.srs_fingerprint),
        ] {
            if parse_digest(v).is_none() {
                return Err(format!("the {name} is not 64 hex digits"));
            }
        }
        if self.zero_g_version.len() > 64 {
            return Err("the zero_g version is too long".into());
        }
        Ok(())
    }
}

/// A SHA-256 digest written as 64 hex digits (either case), or `None`.
pub fn parse_digest(s: &str) -> Option<[u8; 32]> {
    if s.len() != 64 {
        return None;
    }
    hex::decode(s).ok()?.try_into().ok()
}

/// The public values of one image in a proof file.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ImageClaim {
    /// The per-class scores, when the statement publishes them.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub scores: Option<Vec<u32>>,
    /// The predicted class: proven when the statement publishes it, otherwise the first
    /// maximum of the public scores (which `verify` checks).
    pub class: usize,
    /// The image's salted Poseidon commitment (`0x` + 64 hex digits, a big-endian field
    /// element), when the statement publishes it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub commitment: Option<String>,
}

/// A proof with everything a reader needs to check it. A file claims only what its
/// statement publishes (see [`ProofFile::unpublished`]).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ProofFile {
    /// Format identifier, `"zero_g-proof/v3"`.
    pub format: String,
    /// What the proof states (public values, commitment, digest, batch size).
    pub statement: Statement,
    /// The public values of each image, in batch order.
    pub images: Vec<ImageClaim>,
    /// SHA-256 of the model, hex, when the statement publishes it (a public input); empty
    /// (and absent from the file) otherwise.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub model_digest: String,
    /// The value the proof is bound to (`0x` + 64 hex digits), when the statement binds.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub bound_to: Option<String>,
    /// SHA-256 of the verifying key, hex.
    pub vk_fingerprint: String,
    /// `log2` of the circuit's rows.
    pub k: u32,
    /// Commitment scheme, multi-opening and transcript.
    pub system: String,
    /// The proof bytes.
    #[serde(with = "hex_bytes")]
    pub proof: Vec<u8>,
}

/// The proving system of every zero_g proof.
pub const SYSTEM: &str = "halo2-kzg-bn254/shplonk/keccak256-evm";
/// The proof file format this zero_g writes and reads (v2 files named the model digest
/// whether or not the statement published it).
pub const PROOF_FORMAT: &str = "zero_g-proof/v3";

impl ProofFile {
    /// A proof file for `proof` over the images' public values.
    pub fn new(proof: Vec<u8>, images: &[PublicImage<Fr>], bind: Fr, meta: &KeyMeta) -> Self {
        let st = &meta.circuit.statement;
        ProofFile {
            format: PROOF_FORMAT.into(),
            statement: st.clone(),
            images: images
                .iter()
                .map(|im| ImageClaim {
                    scores: st.public.scores().then(|| im.scores.clone()),
                    class: im.class,
                    commitment: st.commitment.then(|| to_hex(&im.commitment)),
                })
                .collect(),
            model_digest: if st.model_digest {
                meta.model_digest.clone()
            } else {
                String::new()
            },
            bound_to: st.bind.then(|| to_hex(&bind)),
            vk_fingerprint: meta.vk_fingerprint.clone(),
            k: meta.circuit.k,
            system: SYSTEM.into(),
            proof,
        }
    }

    /// Checks that the proof has exactly the length of its key's proofs, `expected`
    /// ([`super::proof_len`]): the one check of a proof's length, shared by native
    /// verification and by everything that sends a proof to a chain.
    pub fn check_proof_len(&self, expected: usize) -> Result<(), ProofError> {
        let len = self.proof.len();
        match len.cmp(&expected) {
            std::cmp::Ordering::Equal => Ok(()),
            std::cmp::Ordering::Greater => Err(ProofError::Malformed(format!(
                "{} bytes follow the proof (its key's proofs are {expected} bytes)",
                len - expected
            ))),
            std::cmp::Ordering::Less => Err(ProofError::Malformed(format!(
                "the proof is cut short: {len} bytes, but its key's proofs are {expected} bytes"
            ))),
        }
    }

    /// The first value the file claims that its statement does not publish (so that nothing
    /// proves it), in words, or `None` when every claim is a public input.
    pub fn unpublished(&self) -> Option<String> {
        let st = &self.statement;
        for (i, im) in self.images.iter().enumerate() {
            if im.scores.is_some() && !st.public.scores() {
                return Some(format!("image {i}: scores"));
            }
            if im.commitment.is_some() && !st.commitment {
                return Some(format!("image {i}: a commitment"));
            }
        }
        if !self.model_digest.is_empty() && !st.model_digest {
            return Some("a model digest".into());
        }
        if self.bound_to.is_some() && !st.bind {
            return Some("a bound value (bound_to)".into());
        }
        None
    }

    /// The public instances the proof claims, in the statement's layout; `Err` says why the
    /// claims cannot be the public values of this statement (the proof is then invalid).
    /// `classes`, when known (from the verifying key), is checked against the claims.
    pub fn instances(&self, classes: Option<usize>) -> Result<Vec<Fr>, String> {
        let st = &self.statement;
        st.validate()?;
        if let Some(what) = self.unpublished() {
            return Err(format!(
                "the file claims {what}, which the statement does not publish"
            ));
        }
        if self.images.len() != st.batch {
            return Err(format!(
                "the statement covers {} image(s) but the file lists {}",
                st.batch,
                self.images.len()
            ));
        }
        let mut publics = Vec::with_capacity(self.images.len());
        for (i, im) in self.images.iter().enumerate() {
            let scores = match (&im.scores, st.public.scores()) {
                (Some(s), true) if classes.is_none_or(|c| c == s.len()) => s.clone(),
                (Some(s), true) => {
                    return Err(format!(
                        "image {i}: {} scores for {} classes",
                        s.len(),
                        classes.unwrap_or_default()
                    ))
                }
                (None, true) => return Err(format!("image {i}: the scores are missing")),
                (_, false) => vec![],
            };
            if st.public.scores() && !st.public.class() && im.class != argmax(&scores) {
                return Err(format!(
                    "image {i}: class {} is not the first maximum of its scores",
                    im.class
                ));
            }
            if im.class >= classes.unwrap_or(usize::MAX) {
                return Err(format!("image {i}: class {} out of range", im.class));
            }
            let commitment = match (&im.commitment, st.commitment) {
                (Some(c), true) => from_hex(c).map_err(|e| format!("image {i}: {e}"))?,
                (None, true) => return Err(format!("image {i}: the commitment is missing")),
                (_, false) => Fr::zero(),
            };
            publics.push(PublicImage {
                scores,
                class: im.class,
                commitment,
            });
        }
        let digest = if st.model_digest {
            parse_digest(&self.model_digest).ok_or("the model digest is not 32 bytes of hex")?
        } else {
            [0; 32]
        };
        let bind = match (&self.bound_to, st.bind) {
            (Some(b), true) => from_hex(b).map_err(|e| format!("bound_to: {e}"))?,
            (None, true) => return Err("the bound value is missing".into()),
            (_, false) => Fr::zero(),
        };
        Ok(st.instances(&publics, &digest, bind))
    }
}

/// The opening of an image commitment: what `zero_g commit` writes and `proof` reads to tie
/// a proof to a commitment published earlier. Keep it private: the salt is what stops
/// anyone from confirming a guessed image against the commitment.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Opening {
    /// Format identifier, `"zero_g-opening/v1"`.
    pub format: String,
    /// SHA-256 of the image's pixels (row-major bytes), hex: which image this opens.
    pub image_sha256: String,
    /// The salt (`0x` + 64 hex digits).
    pub salt: String,
    /// The commitment (`0x` + 64 hex digits).
    pub commitment: String,
}

const OPENING_FORMAT: &str = "zero_g-opening/v1";

impl Opening {
    /// The opening of `pixels` committed with `salt`.
    pub fn new(pixels: &[u8], salt: Fr) -> Self {
        Opening {
            format: OPENING_FORMAT.into(),
            image_sha256: hex::encode(Sha256::digest(pixels)),
            salt: to_hex(&salt),
            commitment: to_hex(&crate::commitment::commit_image(pixels, salt)),
        }
    }

    /// The salt, checking that this opening is for `pixels` and consistent.
    pub fn salt_for(&self, pixels: &[u8]) -> Result<Fr, String> {
        if self.image_sha256 != hex::encode(Sha256::digest(pixels)) {
            return Err("it opens a commitment to another image".into());
        }
        let salt = from_hex(&self.salt).map_err(|e| e.to_string())?;
        if to_hex(&crate::commitment::commit_image(pixels, salt)) != self.commitment {
            return Err("its salt does not give its commitment".into());
        }
        Ok(salt)
    }
}

/// Writes openings (a JSON array, or one object for a single opening).
pub fn write_openings(path: &Path, openings: &[Opening]) -> Result<(), ProofError> {
    match openings {
        [one] => write_json(path, one),
        _ => write_json(path, &openings),
    }
}

/// Reads openings written by [`write_openings`] (one object or an array).
pub fn read_openings(path: &Path) -> Result<Vec<Opening>, ProofError> {
    let bytes = crate::fsutil::read_regular(path, MAX_OPENING_BYTES).map_err(io_err(path))?;
    let v: serde_json::Value = serde_json::from_slice(&bytes)
        .map_err(|e| corrupt(path, format!("not a zero_g opening file: {e}")))?;
    let list: Vec<Opening> = if v.is_array() {
        serde_json::from_value(v)
    } else {
        serde_json::from_value(v).map(|o| vec![o])
    }
    .map_err(|e| corrupt(path, format!("not a zero_g opening file: {e}")))?;
    if let Some(o) = list.iter().find(|o| o.format != OPENING_FORMAT) {
        return Err(corrupt(
            path,
            format!("unsupported opening format `{}`", o.format),
        ));
    }
    Ok(list)
}

/// Serde helpers writing bytes as `0x`-prefixed hex (used by proof and contract files).
pub(crate) mod hex_bytes {
    #![allow(missing_docs)]
    use serde::{Deserialize, Deserializer, Serializer};
    pub fn serialize<S: Serializer>(b: &[u8], s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&format!("0x{}", hex::encode(b)))
    }
    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Vec<u8>, D::Error> {
        let s = String::deserialize(d)?;
        hex::decode(s.strip_prefix("0x").unwrap_or(&s)).map_err(serde::de::Error::custom)
    }
}

pub(crate) fn io_err(path: &Path) -> impl FnOnce(std::io::Error) -> ProofError + '_ {
    move |source| ProofError::Io {
        path: path.to_path_buf(),
        source,
    }
}

pub(super) fn corrupt(path: &Path, reason: impl Into<String>) -> ProofError {
    ProofError::Corrupt {
        path: path.to_path_buf(),
        reason: reason.into(),
    }
}

/// Writes `path` atomically through `write` ([`crate::fsutil::write_atomic`]: a temporary
/// file renamed into place; temporaries of killed runs are cleaned).
pub fn write_atomic(
    path: &Path,
    write: impl FnOnce(&mut BufWriter<std::fs::File>) -> std::io::Result<()>,
) -> Result<(), ProofError> {
    crate::fsutil::write_atomic(path, write).map_err(io_err(path))
}

pub(super) fn write_all_err(e: crate::fsutil::WriteError) -> ProofError {
    ProofError::Io {
        path: e.path,
        source: e.source,
    }
}

/// Writes a proof and the openings of its fresh commitments as one unit (neither is written
/// unless both are).
pub fn write_proof_with_openings(
    proof_path: &Path,
    proof: &ProofFile,
    openings: Option<(&Path, &[Opening])>,
) -> Result<(), ProofError> {
    let proof_json = serde_json::to_vec_pretty(proof).expect("records serialise");
    let mut parts: Vec<crate::fsutil::Part<'_>> = Vec::new();
    if let Some((path, list)) = openings {
        let json = match list {
            [one] => serde_json::to_vec_pretty(one),
            _ => serde_json::to_vec_pretty(list),
        }
        .expect("records serialise");
        parts.push((path, Box::new(move |w| w.write_all(&json))));
    }
    parts.push((proof_path, Box::new(move |w| w.write_all(&proof_json))));
    crate::fsutil::write_atomic_all(parts).map_err(write_all_err)
}

/// Writes `value` as pretty JSON to `path`, atomically.
pub fn write_json(path: &Path, value: &impl Serialize) -> Result<(), ProofError> {
    let json = serde_json::to_vec_pretty(value).expect("records serialise");
    write_atomic(path, |w| w.write_all(&json))
}

/// Runs a parser of untrusted bytes, turning a panic inside halo2 into an error.
pub(super) fn guarded<T>(
    path: &Path,
    what: &str,
    f: impl FnOnce() -> std::io::Result<T>,
) -> Result<T, ProofError> {
    match crate::fsutil::no_panic(f) {
        Some(Ok(v)) => Ok(v),
        Some(Err(e)) => Err(corrupt(path, format!("not a valid {what}: {e}"))),
        None => Err(corrupt(path, format!("not a valid {what}"))),
    }
}

/// Writes an SRS.
pub fn write_srs(srs: &Srs, path: &Path) -> Result<(), ProofError> {
    use halo2_proofs::poly::commitment::Params;
    write_atomic(path, |w| srs.write(w))
}

/// How a halo2 KZG parameter file stores its points. Both layouts are `k` (u32, little
/// endian), the `2^k` monomial G1 points, the `2^k` Lagrange G1 points, then `g2` and `s·g2`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum SrsFormat {
    /// Uncompressed points, coordinates in Montgomery form (halo2's `RawBytes`; what
    /// zero_g writes).
    Raw,
    /// Compressed points (halo2's `Processed`; older PSE halo2 wrote this).
    Processed,
}

impl SrsFormat {
    /// Bytes of one G1 point.
    pub fn g1_len(self) -> u64 {
        match self {
            SrsFormat::Raw => 64,
            SrsFormat::Processed => 32,
        }
    }

    /// Bytes of one G2 point.
    pub fn g2_len(self) -> u64 {
        2 * self.g1_len()
    }

    /// Where `g2` starts in a file of `2^k` rows.
    pub fn g2_offset(self, k: u32) -> u64 {
        4 + 2 * (1u64 << k) * self.g1_len()
    }

    /// The length of a file of `2^k` rows.
    pub fn file_len(self, k: u32) -> u64 {
        self.g2_offset(k) + 2 * self.g2_len()
    }

    /// halo2's name of the format.
    pub fn serde(self) -> SerdeFormat {
        match self {
            SrsFormat::Raw => SerdeFormat::RawBytes,
            SrsFormat::Processed => SerdeFormat::Processed,
        }
    }

    /// A short human-readable name.
    pub fn name(self) -> &'static str {
        match self {
            SrsFormat::Raw => "raw",
            SrsFormat::Processed => "processed (compressed)",
        }
    }

    /// Recognises a parameter file of `len` bytes whose first four bytes say `k`.
    pub fn detect(k: u32, len: u64) -> Option<SrsFormat> {
        if k == 0 || k > MAX_SRS_K {
            return None;
        }
        [SrsFormat::Raw, SrsFormat::Processed]
            .into_iter()
            .find(|f| f.file_len(k) == len)
    }
}

/// The largest `k` of BN254 KZG parameters (the two-adicity of the scalar field).
pub const MAX_SRS_K: u32 = 28;

/// Reads the `k` of a halo2 KZG parameter file and recognises its format by its length.
pub fn srs_header(path: &Path) -> Result<(u32, SrsFormat), ProofError> {
    let f = crate::fsutil::open_regular(path).map_err(io_err(path))?;
    let len = f.metadata().map_err(io_err(path))?.len();
    let mut k = [0u8; 4];
    BufReader::new(f)
        .read_exact(&mut k)
        .map_err(|_| corrupt(path, "not a KZG parameter file (too short)"))?;
    let k = u32::from_le_bytes(k);
    let format = SrsFormat::detect(k, len).ok_or_else(|| {
        corrupt(
            path,
            format!(
                "not a KZG parameter file in halo2's raw or processed format \
                 ({len} bytes do not fit k = {k})"
            ),
        )
    })?;
    Ok((k, format))
}

/// Reads an SRS written by zero_g (or any halo2 KZG parameter file, raw or processed, at
/// its own `k`), checking it like a ceremony import: every point on its curve and in its
/// group, the standard generators, `τ ∉ {0, 1}`, the G1 points successive powers of the `τ`
/// of `τ·G2` and the stored Lagrange points the Lagrange basis of those powers (both by
/// random linear combinations, see [`super::ceremony`]). A file that fails is refused with
/// the reason, never used.
pub fn read_srs(path: &Path) -> Result<Srs, ProofError> {
    read_srs_with(path, true)
}

/// Reads an SRS for `proof` and `verify`: every point decoded and on its curve, the
/// generators, τ ∉ {0, 1} and the G2 subgroup checked, but not the pairing consistency of
/// the powers (see [`super::ceremony::read_params_file_with`]): the caller binds the
/// parameters to the key by their fingerprint ([`super::check_srs`]), and the keys were made
/// from parameters [`read_srs`] checked in full.
pub fn read_srs_for_key(path: &Path) -> Result<Srs, ProofError> {
    read_srs_with(path, false)
}

fn read_srs_with(path: &Path, consistency: bool) -> Result<Srs, ProofError> {
    let (_, _) = srs_header(path)?;
    let f = crate::fsutil::open_regular(path).map_err(io_err(path))?;
    let len = f.metadata().map_err(io_err(path))?.len();
    super::ceremony::read_params_file_with(
        &mut BufReader::with_capacity(1 << 20, f),
        len,
        consistency,
    )
    .map_err(|error| ProofError::Import {
        path: path.to_path_buf(),
        error,
    })
}

/// Writes a proof file (pretty JSON).
pub fn write_proof(path: &Path, proof: &ProofFile) -> Result<(), ProofError> {
    write_json(path, proof)
}

/// Reads a proof file (a regular file of at most [`MAX_PROOF_BYTES`]; unknown fields are
/// refused).
pub fn read_proof(path: &Path) -> Result<ProofFile, ProofError> {
    let bytes = crate::fsutil::read_regular(path, MAX_PROOF_BYTES).map_err(io_err(path))?;
    let p: ProofFile = serde_json::from_slice(&bytes)
        .map_err(|e| corrupt(path, format!("not a zero_g proof file: {e}")))?;
    if p.format != PROOF_FORMAT {
        return Err(corrupt(
            path,
            format!(
                "unsupported proof format `{}` (this zero_g reads {PROOF_FORMAT}: prove again)",
                p.format.chars().take(40).collect::<String>()
            ),
        ));
    }
    if p.system != super::artifacts::SYSTEM {
        return Err(corrupt(
            path,
            format!(
                "unsupported proving system `{}`",
                p.system.chars().take(60).collect::<String>()
            ),
        ));
    }
    Ok(p)
}
