//! The Halo2 circuit of WNN inference.
//!
//! Statement: *"I know a private image whose inference under this model gives these public
//! per-class scores"*, the model fixed into the circuit (tables and fixed cells) at key
//! generation. The single instance column holds the `C` scores in class order.
//!
//! See `docs/circuit.md` for every gadget's relation, layout and soundness argument.

pub mod gadgets;
pub mod params;
pub mod trace;
pub mod wnn;

use crate::model::Wnn;
use gadgets::CircuitField;
use halo2_proofs::circuit::{Layouter, SimpleFloorPlanner};
use halo2_proofs::plonk::{Circuit, Column, ConstraintSystem, Error, Instance};
pub use params::{CircuitError, CircuitParams, Layout};
use std::sync::Arc;
use trace::{Encoding, Trace};
use wnn::{Rows, WnnChip, WnnConfig};

/// Configuration of [`WnnCircuit`]: the chip's columns plus the instance column.
#[derive(Clone, Debug)]
pub struct WnnCircuitConfig {
    /// The WNN chip.
    pub wnn: WnnConfig,
    /// Public scores.
    pub instance: Column<Instance>,
}

/// The WNN inference circuit for one model and (when proving) one image.
#[derive(Clone, Debug)]
pub struct WnnCircuit<F: CircuitField> {
    model: Arc<Wnn>,
    params: CircuitParams,
    trace: Option<Trace<F>>,
}

impl<F: CircuitField> WnnCircuit<F> {
    /// The circuit shape for `model` (no witness): for key generation.
    pub fn keygen(model: Arc<Wnn>, layout: Layout) -> Result<Self, CircuitError> {
        let params = CircuitParams::for_model_with(&model, layout)?;
        Ok(WnnCircuit {
            model,
            params,
            trace: None,
        })
    }

    /// The circuit with the honest witness for `pixels`.
    pub fn prove(
        model: Arc<Wnn>,
        params: CircuitParams,
        pixels: &[u8],
    ) -> Result<Self, CircuitError> {
        model
            .check_input(pixels)
            .map_err(|e| CircuitError::Input(e.to_string()))?;
        let trace = Trace::honest(&model, &params, &Encoding::of(&model), pixels);
        Ok(WnnCircuit {
            model,
            params,
            trace: Some(trace),
        })
    }

    /// The circuit with an arbitrary witness (for soundness tests: a malicious prover).
    pub fn with_trace(model: Arc<Wnn>, params: CircuitParams, trace: Trace<F>) -> Self {
        WnnCircuit {
            model,
            params,
            trace: Some(trace),
        }
    }

    /// The shape.
    pub fn circuit_params(&self) -> &CircuitParams {
        &self.params
    }

    /// The model.
    pub fn model(&self) -> &Arc<Wnn> {
        &self.model
    }

    /// The witness, if any.
    pub fn trace(&self) -> Option<&Trace<F>> {
        self.trace.as_ref()
    }

    /// The public instances: the scores the witness claims (for an honest witness, the
    /// native scores of its image).
    pub fn instances(&self) -> Vec<F> {
        match &self.trace {
            Some(t) => t
                .claimed_scores(&self.params)
                .into_iter()
                .map(|s| F::from(s as u64))
                .collect(),
            None => vec![F::ZERO; self.params.classes],
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
            trace: None,
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
        let instance = meta.instance_column();
        meta.enable_equality(instance);
        WnnCircuitConfig { wnn, instance }
    }

    fn configure(_: &mut ConstraintSystem<F>) -> Self::Config {
        unreachable!("WnnCircuit is configured with its CircuitParams (configure_with_params)")
    }

    fn synthesize(
        &self,
        config: Self::Config,
        mut layouter: impl Layouter<F>,
    ) -> Result<(), Error> {
        let chip = WnnChip::construct(config.wnn, &self.model);
        chip.load(&mut layouter)?;
        let out = layouter.assign_region(
            || "wnn",
            |mut region| {
                Ok(chip
                    .assign(&mut region, Rows::default(), self.trace.as_ref())
                    .0)
            },
        )?;
        for (c, s) in out.scores.iter().enumerate() {
            layouter.constrain_instance(s.cell, config.instance, c);
        }
        Ok(())
    }
}
