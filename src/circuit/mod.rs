//! The Halo2 circuit of WNN inference.
//!
//! Statement (by default): *"I know a private image whose inference under this model gives
//! these public per-class scores"*, the model fixed into the circuit (tables and fixed cells)
//! at key generation. A [`Statement`] can publish the proven class instead of (or besides) the
//! scores, a salted Poseidon commitment to each image, and the model digest, and can cover a
//! batch of images; [`statement`] gives the instance layout.
//!
//! See `docs/circuit.md` for every gadget's relation, layout and soundness argument.

pub mod gadgets;
pub mod params;
pub mod statement;
pub mod trace;
pub mod wnn;

use crate::model::{argmax, Wnn};
use gadgets::argmax::{ArgmaxChip, ArgmaxConfig};
use gadgets::poseidon::{PoseidonChip, PoseidonConfig};
use gadgets::range::RangeChip;
use gadgets::CircuitField;
use halo2_proofs::circuit::{Layouter, SimpleFloorPlanner, Value};
use halo2_proofs::plonk::{
    Circuit, Column, ConstraintSystem, Constraints, Error, Instance, Selector,
};
use halo2_proofs::poly::Rotation;
pub use params::{CircuitError, CircuitParams, Layout};
pub use statement::{Public, PublicImage, Statement};
use std::sync::Arc;
use trace::{Encoding, Trace};
use wnn::{PixelLayout, Rows, WnnChip, WnnConfig, PIXELS_PER_WORD};

/// Configuration of [`WnnCircuit`]: the chip's columns, the statement's gadgets and the
/// instance column.
#[derive(Clone, Debug)]
pub struct WnnCircuitConfig {
    /// The WNN chip.
    pub wnn: WnnConfig,
    /// The argmax (when the class is public).
    pub argmax: Option<ArgmaxConfig>,
    /// The Poseidon chip (when commitments are public).
    pub poseidon: Option<PoseidonConfig>,
    /// Public values.
    pub instance: Column<Instance>,
    /// Enables `a0 = instance` on the public rows `0..N`.
    pub q_public: Selector,
}

/// The prover's witness for one image.
#[derive(Clone, Debug)]
pub struct ImageWitness<F: CircuitField> {
    /// The inference witness.
    pub trace: Trace<F>,
    /// The claimed class (the first maximum of the claimed scores, for an honest prover).
    pub class: usize,
    /// The commitment's salt (unused without commitments).
    pub salt: F,
}

/// One private input: the pixels and, for commitments, the salt.
#[derive(Clone, Debug)]
pub struct ImageInput<F: CircuitField> {
    /// Pixels, row-major.
    pub pixels: Vec<u8>,
    /// The commitment's salt (ignored without commitments).
    pub salt: F,
}

impl<F: CircuitField> ImageInput<F> {
    /// An image without a salt (for statements without commitments).
    pub fn new(pixels: Vec<u8>) -> Self {
        ImageInput {
            pixels,
            salt: F::ZERO,
        }
    }
}

/// Lane rows of one image's commitment beyond its pixels: the salt's row, a zero word's row
/// when the packed words are odd, and the Poseidon chain over the (even) words.
pub fn commitment_rows(num_inputs: usize) -> usize {
    let packed = num_inputs.div_ceil(PIXELS_PER_WORD);
    1 + packed % 2 + PoseidonChip::chain_rows(crate::commitment::word_count(num_inputs))
}

/// The WNN inference circuit for one model and (when proving) a batch of images.
#[derive(Clone, Debug)]
pub struct WnnCircuit<F: CircuitField> {
    model: Arc<Wnn>,
    params: CircuitParams,
    images: Option<Vec<ImageWitness<F>>>,
    bind: F,
}

impl<F: CircuitField> WnnCircuit<F> {
    /// The circuit shape for `model` proving the default statement (no witness): for key
    /// generation.
    pub fn keygen(model: Arc<Wnn>, layout: Layout) -> Result<Self, CircuitError> {
        Self::keygen_for(model, layout, &Statement::default())
    }

    /// The circuit shape for `model` proving `statement` (no witness): for key generation.
    pub fn keygen_for(
        model: Arc<Wnn>,
        layout: Layout,
        statement: &Statement,
    ) -> Result<Self, CircuitError> {
        let params = CircuitParams::for_statement(&model, layout, statement)?;
        Ok(WnnCircuit {
            model,
            params,
            images: None,
            bind: F::ZERO,
        })
    }

    /// The circuit with the honest witness for one image (for statements about one image
    /// without commitment; see [`WnnCircuit::prove_images`]).
    pub fn prove(
        model: Arc<Wnn>,
        params: CircuitParams,
        pixels: &[u8],
    ) -> Result<Self, CircuitError> {
        Self::prove_images(model, params, &[ImageInput::new(pixels.to_vec())])
    }

    /// The circuit with the honest witness for a batch of images (as many as the statement
    /// says).
    pub fn prove_images(
        model: Arc<Wnn>,
        params: CircuitParams,
        inputs: &[ImageInput<F>],
    ) -> Result<Self, CircuitError> {
        let batch = params.statement.batch;
        if inputs.len() != batch {
            return Err(CircuitError::Input(format!(
                "these keys prove {batch} image{} at a time, but {} were given",
                if batch == 1 { "" } else { "s" },
                inputs.len()
            )));
        }
        let enc = Encoding::of(&model);
        let mut images = Vec::with_capacity(batch);
        for input in inputs {
            model
                .check_input(&input.pixels)
                .map_err(|e| CircuitError::Input(e.to_string()))?;
            let trace = Trace::honest(&model, &params, &enc, &input.pixels);
            let class = argmax(&trace.claimed_scores(&params));
            images.push(ImageWitness {
                trace,
                class,
                salt: input.salt,
            });
        }
        Ok(Self::with_witnesses(model, params, images))
    }

    /// The circuit with an arbitrary witness for a one-image statement (for soundness tests:
    /// a malicious prover). The class claim is the first maximum of the trace's scores.
    pub fn with_trace(model: Arc<Wnn>, params: CircuitParams, trace: Trace<F>) -> Self {
        let class = argmax(&trace.claimed_scores(&params));
        let w = ImageWitness {
            trace,
            class,
            salt: F::ZERO,
        };
        Self::with_witnesses(model, params, vec![w])
    }

    /// The circuit with arbitrary witnesses, one per image of the batch.
    ///
    /// # Panics
    /// If the number of witnesses is not the statement's batch size.
    pub fn with_witnesses(
        model: Arc<Wnn>,
        params: CircuitParams,
        images: Vec<ImageWitness<F>>,
    ) -> Self {
        assert_eq!(
            images.len(),
            params.statement.batch,
            "one witness per image"
        );
        WnnCircuit {
            model,
            params,
            images: Some(images),
            bind: F::ZERO,
        }
    }

    /// Binds the proof to `value` (the last public word of statements with `bind`).
    pub fn bound_to(mut self, value: F) -> Self {
        self.bind = value;
        self
    }

    /// The shape.
    pub fn circuit_params(&self) -> &CircuitParams {
        &self.params
    }

    /// The model.
    pub fn model(&self) -> &Arc<Wnn> {
        &self.model
    }

    /// The witness of the first image, if any.
    pub fn trace(&self) -> Option<&Trace<F>> {
        self.images.as_ref().map(|v| &v[0].trace)
    }

    /// The witnesses, if any.
    pub fn witnesses(&self) -> Option<&[ImageWitness<F>]> {
        self.images.as_deref()
    }

    /// The public values each image's witness claims (for an honest witness, the native
    /// results of its image).
    pub fn public_images(&self) -> Option<Vec<PublicImage<F>>> {
        let st = &self.params.statement;
        self.images.as_ref().map(|imgs| {
            imgs.iter()
                .map(|w| PublicImage {
                    scores: w.trace.claimed_scores(&self.params),
                    class: w.class,
                    commitment: if st.commitment {
                        commit::<F>(&w.trace.pixels, w.salt)
                    } else {
                        F::ZERO
                    },
                })
                .collect()
        })
    }

    /// The public instances (zeros at key generation).
    pub fn instances(&self) -> Vec<F> {
        let st = &self.params.statement;
        match self.public_images() {
            Some(p) => st.instances(&p, &self.model.digest(), self.bind),
            None => vec![F::ZERO; st.num_instances(self.params.classes)],
        }
    }
}

/// The native commitment of a witness's pixels (pixels wider than a byte, which only a
/// malicious test witness has, are truncated; the circuit rejects them anyway).
fn commit<F: CircuitField>(pixels: &[u16], salt: F) -> F {
    let bytes: Vec<u8> = pixels.iter().map(|&p| p as u8).collect();
    crate::commitment::commit_image(&bytes, salt)
}

impl<F: CircuitField> Circuit<F> for WnnCircuit<F> {
    type Config = WnnCircuitConfig;
    type FloorPlanner = SimpleFloorPlanner;
    type Params = CircuitParams;

    fn without_witnesses(&self) -> Self {
        WnnCircuit {
            model: self.model.clone(),
            params: self.params.clone(),
            images: None,
            bind: F::ZERO,
        }
    }

    fn params(&self) -> CircuitParams {
        self.params.clone()
    }

    fn configure_with_params(
        meta: &mut ConstraintSystem<F>,
        params: CircuitParams,
    ) -> Self::Config {
        let wnn = WnnConfig::configure(meta, &params);
        let st = &params.statement;
        let argmax = st
            .public
            .class()
            .then(|| ArgmaxChip::configure(meta, &wnn.range, wnn.lane_cols, params.score_bits));
        let poseidon = st.commitment.then(|| {
            let a = wnn.lane_cols;
            let rc = [
                wnn.thermometer.thr,
                wnn.thermometer.pow,
                meta.fixed_column(),
            ];
            PoseidonChip::configure(meta, [a[0], a[1], a[2]], [a[3], a[4]], rc)
        });
        // The public values are copied into `a0` on rows 0..N and a gate (not a copy
        // constraint) ties each to its instance row: the instance column stays out of the
        // permutation argument, one polynomial (and EVM verifier gas) fewer.
        let instance = meta.instance_column();
        let q_public = meta.selector();
        let a0 = wnn.lane_cols[0];
        meta.create_gate("a0 = instance", |m| {
            let q = m.query_selector(q_public);
            let a = m.query_advice(a0, Rotation::cur());
            let i = m.query_instance(instance, Rotation::cur());
            Constraints::with_selector(q, [("public value", a - i)])
        });
        WnnCircuitConfig {
            wnn,
            argmax,
            poseidon,
            instance,
            q_public,
        }
    }

    fn configure(_: &mut ConstraintSystem<F>) -> Self::Config {
        unreachable!("WnnCircuit is configured with its CircuitParams (configure_with_params)")
    }

    fn synthesize(
        &self,
        config: Self::Config,
        mut layouter: impl Layouter<F>,
    ) -> Result<(), Error> {
        let chip = WnnChip::construct(config.wnn.clone(), &self.model);
        chip.load(&mut layouter)?;
        let range = RangeChip::construct(config.wnn.range.clone());
        let argmax = config
            .argmax
            .clone()
            .map(|c| ArgmaxChip::construct(c, range.clone()));
        let poseidon = config.poseidon.clone().map(PoseidonChip::construct);
        let st = &self.params.statement;
        let pixel_layout = if st.commitment {
            PixelLayout::Packed
        } else {
            PixelLayout::Used
        };
        let a0 = config.wnn.lane_cols[0];
        let n_public = st.num_instances(self.params.classes);
        layouter.assign_region(
            || "wnn",
            |mut region| {
                // rows 0..n_public hold the public values; the inference starts below them
                let mut rows = Rows {
                    lane: n_public,
                    side: 0,
                };
                let mut public = Vec::new();
                for b in 0..st.batch {
                    let w = self.images.as_ref().map(|v| &v[b]);
                    let (out, next) =
                        chip.assign_with(&mut region, rows, w.map(|w| &w.trace), pixel_layout);
                    rows = next;
                    if st.public.scores() {
                        public.extend(out.scores.iter().copied());
                    }
                    if let Some(argmax) = &argmax {
                        let class = w.map_or(Value::unknown(), |w| Value::known(w.class));
                        let cls = argmax.assign(&mut region, rows.lane, &out.scores, class);
                        rows.lane += ArgmaxChip::rows(out.scores.len());
                        public.push(cls);
                    }
                    if let Some(poseidon) = &poseidon {
                        let mut msgs = out.words.clone();
                        if msgs.len() % 2 == 1 {
                            msgs.push(chip.constant().assign(&mut region, rows.lane, F::ZERO));
                            rows.lane += 1;
                        }
                        let salt = w.map_or(Value::unknown(), |w| Value::known(w.salt));
                        let salt = gadgets::assign(&mut region, a0, rows.lane, salt);
                        rows.lane += 1;
                        let c = poseidon.hash_chain(&mut region, rows.lane, &salt, &msgs);
                        rows.lane += PoseidonChip::chain_rows(msgs.len());
                        public.push(c);
                    }
                }
                if st.model_digest {
                    for v in statement::digest_halves::<F>(&self.model.digest()) {
                        public.push(chip.constant().assign(&mut region, rows.lane, v));
                        rows.lane += 1;
                    }
                }
                if st.bind {
                    // a free cell: the instance it is copied to enters the transcript, so the
                    // proof holds for this value only
                    let v = self
                        .images
                        .as_ref()
                        .map_or(Value::unknown(), |_| Value::known(self.bind));
                    public.push(gadgets::assign(&mut region, a0, rows.lane, v));
                }
                debug_assert_eq!(public.len(), n_public);
                for (i, cell) in public.iter().enumerate() {
                    cell.copy_to(&mut region, a0, i);
                    config.q_public.enable(&mut region, i)?;
                }
                Ok(())
            },
        )
    }
}
