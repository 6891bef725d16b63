//! `WnnChip` embedded in another circuit through the public API only: this circuit keeps the
//! scores private and publishes only the predicted class, with the first-maximum tie rule
//! proven in-circuit.

mod common;
use common::*;
use halo2_proofs::circuit::{Layouter, SimpleFloorPlanner, Value};
use halo2_proofs::dev::{MockProver, VerifyFailure};
use halo2_proofs::halo2curves::bn256::Fr;
use halo2_proofs::halo2curves::ff::Field;
use halo2_proofs::plonk::{
    Advice, Circuit, Column, ConstraintSystem, Constraints, Error, Expression, Instance, Selector,
};
use halo2_proofs::poly::Rotation;
use std::sync::Arc;
use zero_g::circuit::gadgets::range::RangeChip;
use zero_g::circuit::gadgets::{assign, bool_expr};
use zero_g::circuit::trace::{Encoding, Trace};
use zero_g::circuit::wnn::{Rows, WnnChip, WnnConfig};
use zero_g::circuit::CircuitParams;
use zero_g::data::load_image_for;
use zero_g::model::{argmax, io, Wnn};

/// Rows `c = 0..C`: `score_c` (copy), one-hot `s_c`, `best` and `above` running sums, and
/// the margin `d_c` on the WNN chip's range lane:
/// `d_c = best − score_c − above_c` where `above_c = Σ_{c' > c} s_{c'}`, so `d_c ≥ 0` says
/// `score_class ≥ score_c`, strictly for `c < class` (first maximum wins).
#[derive(Clone, Debug)]
struct ClassConfig {
    wnn: WnnConfig,
    cols: [Column<Advice>; 5], // score, s, best (constant down the rows), above, class-acc
    q: Selector,
    q_first: Selector,
    instance: Column<Instance>,
}

#[derive(Clone)]
struct ClassCircuit {
    model: Arc<Wnn>,
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
        let wnn = WnnConfig::configure(meta, &params);
        let cols = [(); 5].map(|_| meta.advice_column());
        for c in cols {
            meta.enable_equality(c);
        }
        let instance = meta.instance_column();
        meta.enable_equality(instance);
        let q = meta.selector();
        let lane = wnn.range.lane;
        let n = params.classes;
        meta.create_gate("argmax row", |m| {
            let q = m.query_selector(q);
            let cur = |m: &mut halo2_proofs::plonk::VirtualCells<'_, Fr>, c| {
                m.query_advice(c, Rotation::cur())
            };
            let (score, s, best, above, cls) = (
                cur(m, cols[0]),
                cur(m, cols[1]),
                cur(m, cols[2]),
                cur(m, cols[3]),
                cur(m, cols[4]),
            );
            let d = m.query_advice(lane, Rotation::cur());
            let s_next = m.query_advice(cols[1], Rotation::next());
            let above_next = m.query_advice(cols[3], Rotation::next());
            let best_next = m.query_advice(cols[2], Rotation::next());
            let cls_next = m.query_advice(cols[4], Rotation::next());
            let _ = n;
            // rows 0..C-1 chain downwards; row C is a terminator pinned to s = above = cls = 0
            Constraints::with_selector(
                q,
                [
                    ("s ∈ {0,1}", bool_expr(s.clone())),
                    (
                        "best is the selected score",
                        s * (best.clone() - score.clone()),
                    ),
                    ("above = s' + above'", above.clone() - s_next - above_next),
                    ("best constant", best.clone() - best_next),
                    ("cls = above + cls'", cls - cls_next - above.clone()),
                    ("d = best − score − above", d - (best - score - above)),
                ],
            )
        });
        let q_first = meta.selector();
        meta.create_gate("one class", |m| {
            let q = m.query_selector(q_first);
            let s = m.query_advice(cols[1], Rotation::cur());
            let above = m.query_advice(cols[3], Rotation::cur());
            Constraints::with_selector(q, [("Σ s = 1", s + above - Expression::Constant(Fr::ONE))])
        });
        ClassConfig {
            wnn,
            cols,
            q,
            q_first,
            instance,
        }
    }
    fn configure(_: &mut ConstraintSystem<Fr>) -> ClassConfig {
        unreachable!()
    }
    fn synthesize(&self, cfg: ClassConfig, mut layouter: impl Layouter<Fr>) -> Result<(), Error> {
        let chip = WnnChip::construct(cfg.wnn.clone(), &self.model);
        chip.load(&mut layouter)?;
        let range = RangeChip::construct(cfg.wnn.range.clone());
        let n = self.params.classes;
        let (class_cell, onehot_cells) = layouter.assign_region(
            || "wnn + argmax",
            |mut region| {
                let (out, rows) = chip.assign(&mut region, Rows::default(), self.trace.as_ref());
                let scores: Vec<Value<u64>> = out
                    .scores
                    .iter()
                    .map(|w| {
                        w.value
                            .map(|v| zero_g::circuit::gadgets::to_u64(&v).unwrap())
                    })
                    .collect();
                let class = Value::known(self.claimed_class);
                let best = class
                    .zip(Value::known(scores.clone()))
                    .and_then(|(c, s)| s[c]);
                // the argmax rows live after the WNN's lane rows, in our own columns plus the lane
                let r0 = rows.lane.max(rows.side);
                let mut onehot = vec![];
                #[allow(clippy::needless_range_loop)] // c indexes scores, cells and rows alike
                for c in 0..n {
                    let r = r0 + c;
                    out.scores[c].copy_to(&mut region, cfg.cols[0], r);
                    let s = class.map(|k| Fr::from((k == c) as u64));
                    onehot.push(assign(&mut region, cfg.cols[1], r, s));
                    assign(&mut region, cfg.cols[2], r, best.map(Fr::from));
                    let above = class.map(|k| Fr::from((k > c) as u64));
                    assign(&mut region, cfg.cols[3], r, above);
                    let d = best
                        .zip(scores[c])
                        .zip(above)
                        .map(|((b, s), a)| Fr::from(b) - Fr::from(s) - a);
                    range.witness_check(&mut region, r, d, cfg.wnn.params.score_bits);
                    cfg.q.enable(&mut region, r)?;
                }
                cfg.q_first.enable(&mut region, r0)?;
                // terminator row: s = above = cls = 0 (pinned by the constants column), best repeated
                let r = r0 + n;
                for col in [cfg.cols[1], cfg.cols[3], cfg.cols[4]] {
                    let z = assign(&mut region, col, r, Value::known(Fr::ZERO));
                    region.constrain_constant(z.cell, Fr::ZERO)?;
                }
                assign(&mut region, cfg.cols[2], r, best.map(Fr::from));
                // class = Σ_c above_c = Σ_c c·s_c, accumulated from the bottom
                let mut acc = Value::known(Fr::ZERO);
                let mut first = None;
                for c in (0..n).rev() {
                    acc = acc.zip(class).map(|(a, k)| a + Fr::from((k > c) as u64));
                    let w = assign(&mut region, cfg.cols[4], r0 + c, acc);
                    if c == 0 {
                        first = Some(w);
                    }
                }
                Ok((first.unwrap(), onehot))
            },
        )?;
        let _ = onehot_cells;
        layouter.constrain_instance(class_cell.cell, cfg.instance, 0);
        Ok(())
    }
}

fn run(claimed: usize, img: &[u8], model: Arc<Wnn>) -> Result<(), Vec<VerifyFailure>> {
    let params = CircuitParams::for_model(&model).unwrap();
    let trace = Trace::honest(&model, &params, &Encoding::of(&model), img);
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
    let img = load_image_for(&reference(DIGIT7), 28).unwrap();
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
