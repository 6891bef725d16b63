//! What a prover needs besides the model and the keys: the salts of committed inputs and
//! the value a proof is bound to. Shared by `zero_g proof` and `zero_g serve`.

use super::artifacts::Opening;
use crate::circuit::{ImageInput, Statement};
use halo2_proofs::halo2curves::bn256::Fr;

/// Why the inputs cannot be proved as given.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum InputsError {
    /// Openings were given for keys that prove no commitment.
    #[error("openings were given, but these keys do not prove a commitment")]
    NoCommitment,
    /// Not one opening per input.
    #[error("{openings} opening(s) for {inputs} image(s): give one per image, in the same order")]
    Count {
        /// Openings given.
        openings: usize,
        /// Inputs given.
        inputs: usize,
    },
    /// Opening `index` (0-based) is not an opening of input `index`.
    #[error("opening {} does not fit input {}: {reason}", index + 1, index + 1)]
    Mismatch {
        /// Which input.
        index: usize,
        /// Why.
        reason: String,
    },
}

/// The prover's inputs: bytes and salts. With commitments, the salts come from `openings`
/// (one per input, in order) or, when none are given, are drawn fresh; the openings of fresh
/// salts are returned so that the caller can keep them (they are private). Without
/// commitments the salts are zero and `openings` must be empty.
pub fn prover_inputs(
    inputs: Vec<Vec<u8>>,
    statement: &Statement,
    openings: &[Opening],
) -> Result<(Vec<ImageInput<Fr>>, Vec<Opening>), InputsError> {
    if !statement.commitment {
        if !openings.is_empty() {
            return Err(InputsError::NoCommitment);
        }
        let inputs = inputs
            .into_iter()
            .map(|pixels| ImageInput {
                pixels,
                salt: Fr::zero(),
            })
            .collect();
        return Ok((inputs, vec![]));
    }
    if !openings.is_empty() && openings.len() != inputs.len() {
        return Err(InputsError::Count {
            openings: openings.len(),
            inputs: inputs.len(),
        });
    }
    let fresh = openings.is_empty();
    let mut out = Vec::with_capacity(inputs.len());
    let mut made = Vec::new();
    for (index, pixels) in inputs.into_iter().enumerate() {
        let salt = if fresh {
            let salt = crate::commitment::random_salt();
            made.push(Opening::new(&pixels, salt));
            salt
        } else {
            openings[index]
                .salt_for(&pixels)
                .map_err(|reason| InputsError::Mismatch { index, reason })?
        };
        out.push(ImageInput { pixels, salt });
    }
    Ok((out, made))
}

/// Parses the value a proof is bound to: a 20-byte address (`0x` + 40 hex digits, placed in
/// the low bytes of the word) or a 32-byte field element in hex.
pub fn parse_bind(s: &str) -> Result<Fr, String> {
    let t = s.trim().trim_start_matches("0x").trim_start_matches("0X");
    if t.len() == 40 {
        let b = hex::decode(t).map_err(|_| format!("`{s}` is not hex"))?;
        let mut word = [0u8; 32];
        word[12..].copy_from_slice(&b);
        return crate::commitment::from_hex(&hex::encode(word)).map_err(|e| e.to_string());
    }
    crate::commitment::from_hex(s)
        .map_err(|e| format!("{e} (give a 20-byte address or 32-byte word)"))
}
