//! What a proof states: which values are public, and in which order they sit in the instance
//! column.
//!
//! The default statement is the original zero_g's: *"I know a private image whose inference
//! under this model gives these public scores"*. A [`Statement`] can instead (or also) publish
//! the class, proven in-circuit with the first-maximum tie rule; add a salted Poseidon
//! commitment to each image; publish the model digest; and cover several images at once.
//!
//! **Instance layout** (one instance column, top to bottom), for each image `b` in order:
//! its `C` scores (modes `scores`, `both`), its class (modes `class`, `both`), its commitment
//! (with `commitment`); then, with `model_digest`, the model's SHA-256 digest as two 128-bit
//! big-endian halves (`hi`, `lo`); then, with `bind`, one free word the proof is bound to
//! (e.g. the address allowed to submit it: a copied proof is useless to anyone else). A
//! verifier contract receives exactly these words, each as a 32-byte big-endian integer,
//! before the proof bytes.

use super::gadgets::CircuitField;
use serde::{Deserialize, Serialize};

/// Which inference results a proof makes public.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Public {
    /// The per-class scores (the class is read off them by the verifier).
    #[default]
    Scores,
    /// Only the class, proven in-circuit (first maximum wins); the scores stay private.
    Class,
    /// The scores and the proven class.
    Both,
}

impl Public {
    /// Whether the scores are public.
    pub fn scores(self) -> bool {
        matches!(self, Public::Scores | Public::Both)
    }
    /// Whether the class is a proven public output.
    pub fn class(self) -> bool {
        matches!(self, Public::Class | Public::Both)
    }
    /// The mode's name, as the CLI and files spell it.
    pub fn name(self) -> &'static str {
        match self {
            Public::Scores => "scores",
            Public::Class => "class",
            Public::Both => "both",
        }
    }
}

fn one() -> usize {
    1
}

/// The statement a circuit proves (persisted with the keys).
#[derive(Clone, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct Statement {
    /// Public inference results.
    #[serde(default)]
    pub public: Public,
    /// Each image's salted Poseidon commitment is public.
    #[serde(default)]
    pub commitment: bool,
    /// The model digest is public (two 128-bit halves after the images' values).
    #[serde(default)]
    pub model_digest: bool,
    /// The proof is bound to one public word of the prover's choice (the last instance).
    #[serde(default)]
    pub bind: bool,
    /// Images per proof.
    #[serde(default = "one")]
    pub batch: usize,
}

impl Default for Statement {
    fn default() -> Self {
        Statement {
            public: Public::Scores,
            commitment: false,
            model_digest: false,
            bind: false,
            batch: 1,
        }
    }
}

/// The public values of one image.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PublicImage<F: CircuitField> {
    /// Its scores (used only when the statement publishes them).
    pub scores: Vec<u32>,
    /// Its class (used only when the statement publishes it).
    pub class: usize,
    /// Its commitment (used only when the statement publishes it).
    pub commitment: F,
}

/// Largest batch a circuit takes (a bound on key size, not on the circuit).
pub const MAX_BATCH: usize = 64;

impl Statement {
    /// Public words per image.
    pub fn words_per_image(&self, classes: usize) -> usize {
        (if self.public.scores() { classes } else { 0 })
            + self.public.class() as usize
            + self.commitment as usize
    }

    /// Length of the instance column.
    pub fn num_instances(&self, classes: usize) -> usize {
        self.batch * self.words_per_image(classes)
            + 2 * self.model_digest as usize
            + self.bind as usize
    }

    /// Checks the statement is usable.
    pub fn validate(&self) -> Result<(), String> {
        if self.batch == 0 || self.batch > MAX_BATCH {
            return Err(format!(
                "a proof covers 1 to {MAX_BATCH} images, not {}",
                self.batch
            ));
        }
        Ok(())
    }

    /// The instance column for these public values (see the module doc for the layout);
    /// `bind` is used only when the statement binds proofs.
    ///
    /// # Panics
    /// If `images.len() != batch`.
    pub fn instances<F: CircuitField>(
        &self,
        images: &[PublicImage<F>],
        model_digest: &[u8; 32],
        bind: F,
    ) -> Vec<F> {
        assert_eq!(
            images.len(),
            self.batch,
            "one set of public values per image"
        );
        let mut out = Vec::new();
        for im in images {
            if self.public.scores() {
                out.extend(im.scores.iter().map(|&s| F::from(s as u64)));
            }
            if self.public.class() {
                out.push(F::from(im.class as u64));
            }
            if self.commitment {
                out.push(im.commitment);
            }
        }
        if self.model_digest {
            out.extend(digest_halves::<F>(model_digest));
        }
        if self.bind {
            out.push(bind);
        }
        out
    }

    /// A short human-readable description, e.g. `class + commitment, 4 images`.
    pub fn describe(&self) -> String {
        let mut s = self.public.name().to_string();
        if self.commitment {
            s += " + commitment";
        }
        if self.model_digest {
            s += " + model digest";
        }
        if self.bind {
            s += " + binding";
        }
        if self.batch > 1 {
            s += &format!(", {} images", self.batch);
        }
        s
    }
}

/// The digest's two public words: its first and last 16 bytes as big-endian integers.
pub fn digest_halves<F: CircuitField>(digest: &[u8; 32]) -> [F; 2] {
    let hi = u128::from_be_bytes(digest[..16].try_into().expect("16 bytes"));
    let lo = u128::from_be_bytes(digest[16..].try_into().expect("16 bytes"));
    [F::from_u128(hi), F::from_u128(lo)]
}

#[cfg(test)]
mod tests {
    use super::*;
    use halo2_proofs::halo2curves::bn256::Fr;

    #[test]
    fn layout_of_the_instance_column() {
        let im = |s: u32, c: usize, k: u64| PublicImage {
            scores: vec![s, s + 1],
            class: c,
            commitment: Fr::from(k),
        };
        let mut digest = [0u8; 32];
        digest[15] = 1; // hi = 1
        digest[31] = 2; // lo = 2
        let st = Statement {
            public: Public::Both,
            commitment: true,
            model_digest: true,
            bind: true,
            batch: 2,
        };
        let got = st.instances(&[im(3, 1, 9), im(5, 0, 8)], &digest, Fr::from(77));
        let want: Vec<Fr> = [3, 4, 1, 9, 5, 6, 0, 8, 1, 2, 77].map(Fr::from).to_vec();
        assert_eq!(got, want);
        assert_eq!(st.num_instances(2), 11);
        let st = Statement {
            public: Public::Class,
            ..Default::default()
        };
        assert_eq!(
            st.instances(&[im(3, 1, 9)], &digest, Fr::from(77)),
            vec![Fr::from(1)]
        );
        assert_eq!(Statement::default().num_instances(10), 10);
        assert!(Statement {
            batch: 0,
            ..Default::default()
        }
        .validate()
        .is_err());
    }

    #[test]
    fn statement_json_defaults_to_the_original() {
        let st: Statement = serde_json::from_str("{}").unwrap();
        assert_eq!(st, Statement::default());
        let st: Statement = serde_json::from_str(r#"{"public":"class","batch":3}"#).unwrap();
        assert_eq!(st.public, Public::Class);
        assert_eq!(st.batch, 3);
        assert_eq!(st.describe(), "class, 3 images");
    }
}
