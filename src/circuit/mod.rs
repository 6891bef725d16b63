//! The Halo2 circuit of WNN inference, for both model families.
//!
//! Statement (by default): *"I know a private input whose inference under this model gives
//! these public per-class scores"*, the model fixed into the circuit (tables and fixed cells)
//! at key generation. A [`Statement`] can publish the proven class instead of (or besides) the
//! scores, a salted Poseidon commitment to each input, and the model digest, and can cover a
//! batch of inputs; [`statement`] gives the instance layout.
//!
//! The inference itself is one family's chip — [`bthowen::BthowenChip`] or
//! [`lutnet::LutNetChip`] — and everything around it (public rows, argmax, commitment,
//! digest, binding) is shared: both chips expose the same lane columns, range lane and
//! constant gadget, and hand back the same [`chip::ChipOutput`].
//!
//! See `docs/circuit.md` for every gadget's relation, layout and soundness argument.

pub mod bthowen;
pub mod chip;
pub mod gadgets;
pub mod lutnet;
pub mod params;
pub mod statement;

use crate::model::{argmax, Model};
use bthowen::{BthowenChip, BthowenConfig};
use chip::{ChipOutput, InputLayout, Rows, PIXELS_PER_WORD};
use gadgets::argmax::{ArgmaxChip, ArgmaxConfig};
use gadgets::constant::ConstantChip;
use gadgets::poseidon::{PoseidonChip, PoseidonConfig};
use gadgets::range::{RangeChip, RangeConfig};
use gadgets::CircuitField;
use halo2_proofs::circuit::{Layouter, Region, SimpleFloorPlanner, Value};
use halo2_proofs::plonk::{
    Advice, Circuit, Column, ConstraintSystem, Constraints, Error, Fixed, Instance, Selector,
};
use halo2_proofs::poly::Rotation;
use lutnet::trace::LutTrace;
use lutnet::{LutNetChip, LutNetConfig};
pub use params::{CircuitError, CircuitParams, FamilyParams, Layout};
pub use statement::{Public, PublicImage, Statement};
use std::sync::Arc;

/// One family's chip configuration.
#[derive(Clone, Debug)]
pub enum ChipConfig {
    /// BTHOWeN.
    Bthowen(Box<BthowenConfig>),
    /// LUT network.
    LutNet(Box<LutNetConfig>),
}

impl ChipConfig {
    /// Configures the chip of the family `params` describe.
    pub fn configure<F: CircuitField>(
        meta: &mut ConstraintSystem<F>,
        params: &CircuitParams,
    ) -> Self {
        match params.family {
            FamilyParams::Bthowen(_) => {
                ChipConfig::Bthowen(Box::new(BthowenConfig::configure(meta, params)))
            }
            FamilyParams::LutNet(_) => {
                ChipConfig::LutNet(Box::new(LutNetConfig::configure(meta, params)))
            }
        }
    }
    /// The lane columns `a0..a4` (equality enabled on `a0`, `a1`, `a2`, `a4`).
    pub fn lane_cols(&self) -> [Column<Advice>; 5] {
        match self {
            ChipConfig::Bthowen(c) => c.lane_cols,
            ChipConfig::LutNet(c) => c.lane_cols,
        }
    }
    /// The range lane.
    pub fn range(&self) -> &RangeConfig {
        match self {
            ChipConfig::Bthowen(c) => &c.range,
            ChipConfig::LutNet(c) => &c.range,
        }
    }
    /// The instance column and the selector of the chip's own gate tying `a0` to it on the
    /// public rows, when the chip has one (the LUT network's EVM layout).
    fn public(&self) -> Option<(Column<Instance>, Selector)> {
        match self {
            ChipConfig::Bthowen(_) => None,
            ChipConfig::LutNet(c) => c.public,
        }
    }
    /// Two fixed columns free on the statement gadgets' rows.
    fn spare_fixed(&self) -> [Column<Fixed>; 2] {
        match self {
            ChipConfig::Bthowen(c) => [c.thermometer.thr, c.thermometer.pow],
            ChipConfig::LutNet(c) => [c.fixed[0], c.fixed[1]],
        }
    }
    /// A third fixed column for the Poseidon round constants, when the chip has one spare.
    fn third_fixed(&self) -> Option<Column<Fixed>> {
        match self {
            ChipConfig::Bthowen(_) => None,
            ChipConfig::LutNet(c) => c.fixed.get(2).copied(),
        }
    }
}

/// Configuration of [`WnnCircuit`]: the chip's columns, the statement's gadgets and the
/// instance column.
#[derive(Clone, Debug)]
pub struct WnnCircuitConfig {
    /// The inference chip.
    pub chip: ChipConfig,
    /// The argmax (when the class is public).
    pub argmax: Option<ArgmaxConfig>,
    /// The Poseidon chip (when commitments are public).
    pub poseidon: Option<PoseidonConfig>,
    /// Public values.
    pub instance: Column<Instance>,
    /// Enables `a0 = instance` on the public rows `0..N`.
    pub q_public: Selector,
}

/// The inference witness of one input, in its family's form.
#[derive(Clone, Debug)]
pub enum Trace<F: CircuitField> {
    /// A BTHOWeN model's witness.
    Bthowen(bthowen::trace::Trace<F>),
    /// A LUT network's witness.
    LutNet(LutTrace),
}

impl<F: CircuitField> Trace<F> {
    /// The honest witness of `x` under `model`.
    ///
    /// # Panics
    /// If `x` does not have the model's number of inputs, or the shape is another family's.
    pub fn honest(model: &Model, params: &CircuitParams, x: &[u8]) -> Self {
        match model {
            Model::Bthowen(m) => {
                let enc = bthowen::trace::Encoding::of(m);
                Trace::Bthowen(bthowen::trace::Trace::honest(m, params, &enc, x))
            }
            Model::LutNet(m) => {
                let enc = lutnet::trace::LutEncoding::of(m);
                Trace::LutNet(LutTrace::honest(m, &enc, x))
            }
        }
    }
    /// The input bytes (wider than `u8` so tests can try out-of-range values).
    pub fn pixels(&self) -> &[u16] {
        match self {
            Trace::Bthowen(t) => &t.pixels,
            Trace::LutNet(t) => &t.pixels,
        }
    }
    /// The scores this witness claims.
    pub fn claimed_scores(&self, model: &Model, params: &CircuitParams) -> Vec<u32> {
        match (self, model) {
            (Trace::Bthowen(t), _) => t.claimed_scores(params),
            (Trace::LutNet(t), Model::LutNet(m)) => {
                t.claimed_scores(&lutnet::trace::LutEncoding::of(m))
            }
            (Trace::LutNet(_), Model::Bthowen(_)) => panic!("a LUT trace for a BTHOWeN model"),
        }
    }
    /// The BTHOWeN witness.
    ///
    /// # Panics
    /// If this is a LUT network's.
    pub fn bthowen_mut(&mut self) -> &mut bthowen::trace::Trace<F> {
        match self {
            Trace::Bthowen(t) => t,
            Trace::LutNet(_) => panic!("not a BTHOWeN trace"),
        }
    }
    /// The LUT-network witness.
    ///
    /// # Panics
    /// If this is a BTHOWeN model's.
    pub fn lutnet_mut(&mut self) -> &mut LutTrace {
        match self {
            Trace::LutNet(t) => t,
            Trace::Bthowen(_) => panic!("not a LUT-network trace"),
        }
    }
}

/// The prover's witness for one input.
#[derive(Clone, Debug)]
pub struct ImageWitness<F: CircuitField> {
    /// The inference witness.
    pub trace: Trace<F>,
    /// The claimed class (the first maximum of the claimed scores, for an honest prover).
    pub class: usize,
    /// The commitment's salt (unused without commitments).
    pub salt: F,
}

/// One private input: its bytes and, for commitments, the salt.
#[derive(Clone, Debug)]
pub struct ImageInput<F: CircuitField> {
    /// The input bytes (pixels row-major, or quantised features).
    pub pixels: Vec<u8>,
    /// The commitment's salt (ignored without commitments).
    pub salt: F,
}

impl<F: CircuitField> ImageInput<F> {
    /// An input without a salt (for statements without commitments).
    pub fn new(pixels: Vec<u8>) -> Self {
        ImageInput {
            pixels,
            salt: F::ZERO,
        }
    }
}

/// Lane rows of one input's commitment beyond its bytes: the salt's row, a zero word's row
/// when the packed words are odd, and the Poseidon chain over the (even) words.
pub fn commitment_rows(num_inputs: usize) -> usize {
    let packed = num_inputs.div_ceil(PIXELS_PER_WORD);
    1 + packed % 2 + PoseidonChip::chain_rows(crate::commitment::word_count(num_inputs))
}

/// The inference circuit for one model and (when proving) a batch of inputs.
#[derive(Clone, Debug)]
pub struct WnnCircuit<F: CircuitField> {
    model: Arc<Model>,
    params: CircuitParams,
    images: Option<Vec<ImageWitness<F>>>,
    bind: F,
}

impl<F: CircuitField> WnnCircuit<F> {
    /// The circuit shape for `model` proving the default statement (no witness): for key
    /// generation.
    pub fn keygen(model: Arc<Model>, layout: Layout) -> Result<Self, CircuitError> {
        Self::keygen_for(model, layout, &Statement::default())
    }

    /// The circuit shape for `model` proving `statement` (no witness): for key generation.
    pub fn keygen_for(
        model: Arc<Model>,
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

    /// The circuit with the honest witness for one input (for statements about one input
    /// without commitment; see [`WnnCircuit::prove_images`]).
    pub fn prove(
        model: Arc<Model>,
        params: CircuitParams,
        pixels: &[u8],
    ) -> Result<Self, CircuitError> {
        Self::prove_images(model, params, &[ImageInput::new(pixels.to_vec())])
    }

    /// The circuit with the honest witness for a batch of inputs (as many as the statement
    /// says).
    pub fn prove_images(
        model: Arc<Model>,
        params: CircuitParams,
        inputs: &[ImageInput<F>],
    ) -> Result<Self, CircuitError> {
        let batch = params.statement.batch;
        if inputs.len() != batch {
            return Err(CircuitError::Input(format!(
                "these keys prove {batch} input{} at a time, but {} were given",
                if batch == 1 { "" } else { "s" },
                inputs.len()
            )));
        }
        let mut images = Vec::with_capacity(batch);
        for input in inputs {
            model
                .check_input(&input.pixels)
                .map_err(|e| CircuitError::Input(e.to_string()))?;
            let trace = Trace::honest(&model, &params, &input.pixels);
            let class = argmax(&trace.claimed_scores(&model, &params));
            images.push(ImageWitness {
                trace,
                class,
                salt: input.salt,
            });
        }
        Ok(Self::with_witnesses(model, params, images))
    }

    /// The circuit with an arbitrary witness for a one-input statement (for soundness tests:
    /// a malicious prover). The class claim is the first maximum of the trace's scores.
    pub fn with_trace(model: Arc<Model>, params: CircuitParams, trace: Trace<F>) -> Self {
        let class = argmax(&trace.claimed_scores(&model, &params));
        let w = ImageWitness {
            trace,
            class,
            salt: F::ZERO,
        };
        Self::with_witnesses(model, params, vec![w])
    }

    /// The circuit with arbitrary witnesses, one per input of the batch.
    ///
    /// # Panics
    /// If the number of witnesses is not the statement's batch size.
    pub fn with_witnesses(
        model: Arc<Model>,
        params: CircuitParams,
        images: Vec<ImageWitness<F>>,
    ) -> Self {
        assert_eq!(
            images.len(),
            params.statement.batch,
            "one witness per input"
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
    pub fn model(&self) -> &Arc<Model> {
        &self.model
    }

    /// The witness of the first input, if any.
    pub fn trace(&self) -> Option<&Trace<F>> {
        self.images.as_ref().map(|v| &v[0].trace)
    }

    /// The witnesses, if any.
    pub fn witnesses(&self) -> Option<&[ImageWitness<F>]> {
        self.images.as_deref()
    }

    /// The public values each input's witness claims (for an honest witness, the native
    /// results of its input).
    pub fn public_images(&self) -> Option<Vec<PublicImage<F>>> {
        let st = &self.params.statement;
        self.images.as_ref().map(|imgs| {
            imgs.iter()
                .map(|w| PublicImage {
                    scores: w.trace.claimed_scores(&self.model, &self.params),
                    class: w.class,
                    commitment: if st.commitment {
                        commit::<F>(w.trace.pixels(), w.salt)
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

/// The native commitment of a witness's bytes (values wider than a byte, which only a
/// malicious test witness has, are truncated; the circuit rejects them anyway).
fn commit<F: CircuitField>(pixels: &[u16], salt: F) -> F {
    let bytes: Vec<u8> = pixels.iter().map(|&p| p as u8).collect();
    crate::commitment::commit_image(&bytes, salt)
}

/// One family's chip, built for synthesis.
enum Chip<'m> {
    Bthowen(Box<BthowenChip<'m>>),
    LutNet(Box<LutNetChip<'m>>),
}

impl Chip<'_> {
    fn load<F: CircuitField>(&self, layouter: &mut impl Layouter<F>) -> Result<(), Error> {
        match self {
            Chip::Bthowen(c) => c.load(layouter),
            Chip::LutNet(c) => c.load(layouter),
        }
    }

    fn constant(&self) -> &ConstantChip {
        match self {
            Chip::Bthowen(c) => c.constant(),
            Chip::LutNet(c) => c.constant(),
        }
    }

    fn assign<F: CircuitField>(
        &self,
        region: &mut Region<'_, F>,
        rows: Rows,
        trace: Option<&Trace<F>>,
        layout: InputLayout,
    ) -> (ChipOutput<F>, Rows) {
        match self {
            Chip::Bthowen(c) => {
                let t = trace.map(|t| match t {
                    Trace::Bthowen(t) => t,
                    Trace::LutNet(_) => panic!("a LUT trace for a BTHOWeN circuit"),
                });
                c.assign_with(region, rows, t, layout)
            }
            Chip::LutNet(c) => {
                let t = trace.map(|t| match t {
                    Trace::LutNet(t) => t,
                    Trace::Bthowen(_) => panic!("a BTHOWeN trace for a LUT circuit"),
                });
                c.assign(region, rows, t, layout)
            }
        }
    }
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
        let chip = ChipConfig::configure(meta, &params);
        let lane_cols = chip.lane_cols();
        let st = &params.statement;
        let argmax = st
            .public
            .class()
            .then(|| ArgmaxChip::configure(meta, chip.range(), lane_cols, params.score_bits));
        let poseidon = st.commitment.then(|| {
            let a = lane_cols;
            let [f0, f1] = chip.spare_fixed();
            let f2 = chip.third_fixed().unwrap_or_else(|| meta.fixed_column());
            PoseidonChip::configure(meta, [a[0], a[1], a[2]], [a[3], a[4]], [f0, f1, f2])
        });
        // The public values are copied into `a0` on rows 0..N and a gate (not a copy
        // constraint) ties each to its instance row: the instance column stays out of the
        // permutation argument, one polynomial (and EVM verifier gas) fewer.
        let (instance, q_public) = chip.public().unwrap_or_else(|| {
            let instance = meta.instance_column();
            let q_public = meta.selector();
            let a0 = lane_cols[0];
            meta.create_gate("a0 = instance", |m| {
                let q = m.query_selector(q_public);
                let a = m.query_advice(a0, Rotation::cur());
                let i = m.query_instance(instance, Rotation::cur());
                Constraints::with_selector(q, [("public value", a - i)])
            });
            (instance, q_public)
        });
        WnnCircuitConfig {
            chip,
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
        let chip = match (&config.chip, self.model.as_ref()) {
            (ChipConfig::Bthowen(c), Model::Bthowen(m)) => {
                Chip::Bthowen(Box::new(BthowenChip::construct((**c).clone(), m)))
            }
            (ChipConfig::LutNet(c), Model::LutNet(m)) => {
                Chip::LutNet(Box::new(LutNetChip::construct((**c).clone(), m)))
            }
            _ => return Err(Error::Synthesis),
        };
        chip.load(&mut layouter)?;
        let range = RangeChip::construct(config.chip.range().clone());
        let argmax = config
            .argmax
            .clone()
            .map(|c| ArgmaxChip::construct(c, range.clone()));
        let poseidon = config.poseidon.clone().map(PoseidonChip::construct);
        let st = &self.params.statement;
        let input_layout = if st.commitment {
            InputLayout::Packed
        } else {
            InputLayout::Used
        };
        let a0 = config.chip.lane_cols()[0];
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
                        chip.assign(&mut region, rows, w.map(|w| &w.trace), input_layout);
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
