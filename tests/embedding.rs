//! `BthowenChip` embedded in another circuit through the public API only: this circuit
//! composes it with the library's `ArgmaxChip`, keeps the scores private and publishes only
//! the predicted class, with the first-maximum tie rule proven in-circuit.

mod common;
use common::*;
use halo2_proofs::circuit::{Layouter, SimpleFloorPlanner, Value};
use halo2_proofs::dev::{MockProver, VerifyFailure};
use halo2_proofs::halo2curves::bn256::Fr;
use halo2_proofs::plonk::{Circuit, Column, ConstraintSystem, Error, Instance};
use std::sync::Arc;
use zero_g::circuit::bthowen::trace::{Encoding, Trace};
use zero_g::circuit::bthowen::{BthowenChip, BthowenConfig};
use zero_g::circuit::chip::Rows;
use zero_g::circuit::gadgets::argmax::{ArgmaxChip, ArgmaxConfig};
use zero_g::circuit::gadgets::range::RangeChip;
use zero_g::circuit::CircuitParams;
use zero_g::data::load_image_for;
use zero_g::model::{argmax, io, Model};

/// The WNN chip's columns, the library's argmax gadget on the same columns, and a public
/// class.
#[derive(Clone, Debug)]
struct ClassConfig {
    wnn: BthowenConfig,
    argmax: ArgmaxConfig,
    instance: Column<Instance>,
}

#[derive(Clone)]
struct ClassCircuit {
    model: Arc<Model>,
    params: CircuitParams,
    trace: Option<Trace<Fr>>,
    claimed_class: usize,
}

impl Circuit<Fr> for ClassCircuit {
    type Config = ClassConfig;
    type FloorPlanner = SimpleFloorPlanner;
    type Params = CircuitParams;
    fn without_witnesses(&self) -> Self {
        ClassCircuit {
            trace: None,
            ..self.clone()
        }
    }
    fn params(&self) -> CircuitParams {
        self.params.clone()
    }
    fn configure_with_params(
        meta: &mut ConstraintSystem<Fr>,
        params: CircuitParams,
    ) -> ClassConfig {
        let wnn = BthowenConfig::configure(meta, &params);
        // the argmax reuses the chip's lane-group columns and range lane
        let argmax = ArgmaxChip::configure(meta, &wnn.range, wnn.lane_cols, params.score_bits);
        let instance = meta.instance_column();
        meta.enable_equality(instance);
        ClassConfig {
            wnn,
            argmax,
            instance,
        }
    }
    fn configure(_: &mut ConstraintSystem<Fr>) -> ClassConfig {
        unreachable!()
    }
    fn synthesize(&self, cfg: ClassConfig, mut layouter: impl Layouter<Fr>) -> Result<(), Error> {
        let model = self.model.as_bthowen().ok_or(Error::Synthesis)?;
        let chip = BthowenChip::construct(cfg.wnn.clone(), model);
        chip.load(&mut layouter)?;
        let range = RangeChip::construct(cfg.wnn.range.clone());
        let argmax = ArgmaxChip::construct(cfg.argmax.clone(), range);
        let class = layouter.assign_region(
            || "wnn + argmax",
            |mut region| {
                let (out, rows) = chip.assign(&mut region, Rows::default(), self.trace.as_ref());
                // the argmax rows go after the WNN's rows
                let row = rows.lane.max(rows.side);
                let claim = self
                    .trace
                    .as_ref()
                    .map_or(Value::unknown(), |_| Value::known(self.claimed_class));
                Ok(argmax.assign(&mut region, row, &out.scores, claim))
            },
        )?;
        layouter.constrain_instance(class.cell, cfg.instance, 0);
        Ok(())
    }
}

fn run(claimed: usize, img: &[u8], model: Arc<Model>) -> Result<(), Vec<VerifyFailure>> {
    let params = CircuitParams::for_model(&model).unwrap();
    let wnn = model.as_bthowen().unwrap();
    let trace = Trace::honest(wnn, &params, &Encoding::of(wnn), img);
    let c = ClassCircuit {
        model,
        params: params.clone(),
        trace: Some(trace),
        claimed_class: claimed,
    };
    MockProver::run(params.k + 1, &c, vec![vec![Fr::from(claimed as u64)]])
        .unwrap()
        .verify()
}

#[test]
fn the_class_can_be_proven_instead_of_the_scores() {
    let model = Arc::new(io::load(&reference(TINY)).unwrap());
    let img = load_image_for(&reference(DIGIT7), 28, 28).unwrap();
    assert_eq!(argmax(&model.scores(&img)), 7);
    run(7, &img, model.clone()).unwrap();
    // claiming another class fails on a margin (negative → out of the lane's range)
    for wrong in [0, 4, 9] {
        let errs = run(wrong, &img, model.clone()).unwrap_err();
        assert!(
            errs.iter()
                .any(|e| matches!(e, VerifyFailure::Lookup { name, .. } if name == "lane < 2^tag | keyed data")),
            "{errs:?}"
        );
    }
}
