//! Argmax with the first-maximum tie rule: the class $j$ with $\sigma_j > \sigma_c$ for every
//! $c < j$ and $\sigma_j \ge \sigma_c$ for every $c > j$ (the native [`argmax`]).
//!
//! [`argmax`]: crate::model::argmax
//!
//! Rows $c = 0..C-1$ on five advice columns and the range lane:
//!
//! | column | `a0` | `a1` | `a2` | `a3` | `a4` | lane (key $s$) |
//! |---|---|---|---|---|---|---|
//! | row $c$ | $\sigma_c$ (copy) | $e_c$ | $\beta$ | $\alpha_c$ | $\kappa_c$ | $d_c$ |
//!
//! with the constraints (gate `argmax`)
//! $$e_c \in \{0,1\},\quad e_c(\beta - \sigma_c) = 0,\quad \alpha_c = e_{c+1} + \alpha_{c+1},
//! \quad \beta_c = \beta_{c+1},\quad \kappa_c = \alpha_c + \kappa_{c+1},\quad
//! d_c = \beta - \sigma_c - \alpha_c,$$
//! on the last row $\alpha_{C-1} = \kappa_{C-1} = 0$ instead of the recurrences (selectors
//! `q_row` on every row, `q_next` on all but the last, `q_last`), and on the first row
//! $e_0 + \alpha_0 = 1$ (gate `one class`, `q_first`). The lane proves $0 \le d_c < 2^s$.
//!
//! **Relation.** $\alpha_c = \sum_{c' > c} e_{c'}$, so $e_0 + \alpha_0 = \sum_c e_c = 1$: the
//! $e_c$ are one-hot at some $j$; $\beta = \sigma_j$; $\alpha_c = \[c < j\]$; $\kappa_0 =
//! \sum_c \alpha_c = j$ is the output. $d_c \ge 0$ says $\sigma_j \ge \sigma_c + \[c < j\]$,
//! which is the first-maximum rule. **Precondition:** every $\sigma_c < 2^s$ (the WNN's scores
//! are limbs of an $s$-bit decomposition); then $d_c$, an integer in $(-2^s, 2^s)$, is
//! range-checked without wrap-around.

use super::range::RangeChip;
use super::{assign, bool_expr, CircuitField, Wire};
use halo2_proofs::circuit::{Region, Value};
use halo2_proofs::plonk::{Advice, Column, ConstraintSystem, Constraints, Expression, Selector};
use halo2_proofs::poly::Rotation;

/// Columns and selectors of the argmax gadget.
#[derive(Clone, Debug)]
pub struct ArgmaxConfig {
    /// `a0..a4`: score (equality), one-hot bit, best, above, class accumulator (equality).
    pub cols: [Column<Advice>; 5],
    /// Every row: the one-hot bit, the chosen score, the margin.
    pub q_row: Selector,
    /// Every row but the last: the recurrences.
    pub q_next: Selector,
    /// The last row.
    pub q_last: Selector,
    /// The first row: exactly one class is chosen.
    pub q_first: Selector,
    /// Bits per score `s`.
    pub score_bits: u32,
}

/// The argmax chip.
#[derive(Clone, Debug)]
pub struct ArgmaxChip {
    /// Its configuration.
    pub config: ArgmaxConfig,
    range: RangeChip,
}

impl ArgmaxChip {
    /// Configures the gates on caller-allocated columns; `cols[0]` and `cols[4]` need
    /// equality. The margins go on the range chip's lane with key `score_bits`, which the
    /// range table must cover.
    pub fn configure<F: CircuitField>(
        meta: &mut ConstraintSystem<F>,
        range: &super::range::RangeConfig,
        cols: [Column<Advice>; 5],
        score_bits: u32,
    ) -> ArgmaxConfig {
        assert!(
            range.tags.contains(&score_bits),
            "the range table has no tag for the scores"
        );
        let (q_row, q_next, q_last, q_first) = (
            meta.selector(),
            meta.selector(),
            meta.selector(),
            meta.selector(),
        );
        let lane = range.lane;
        meta.create_gate("argmax", |m| {
            let q = m.query_selector(q_row);
            let qn = m.query_selector(q_next);
            let ql = m.query_selector(q_last);
            let cur = |m: &mut halo2_proofs::plonk::VirtualCells<'_, F>, i: usize| {
                m.query_advice(cols[i], Rotation::cur())
            };
            let next = |m: &mut halo2_proofs::plonk::VirtualCells<'_, F>, i: usize| {
                m.query_advice(cols[i], Rotation::next())
            };
            let (score, e, best, above, cls) =
                (cur(m, 0), cur(m, 1), cur(m, 2), cur(m, 3), cur(m, 4));
            let (e_n, best_n, above_n, cls_n) = (next(m, 1), next(m, 2), next(m, 3), next(m, 4));
            let d = m.query_advice(lane, Rotation::cur());
            vec![
                // every row (q_row)
                ("e ∈ {0,1}", q.clone() * bool_expr(e.clone())),
                (
                    "e·(β − σ) = 0",
                    q.clone() * e * (best.clone() - score.clone()),
                ),
                (
                    "d = β − σ − α",
                    q * (d - (best.clone() - score - above.clone())),
                ),
                // every row but the last (q_next): the recurrences
                ("α = e' + α'", qn.clone() * (above.clone() - e_n - above_n)),
                ("β = β'", qn.clone() * (best - best_n)),
                ("κ = α + κ'", qn * (cls.clone() - above.clone() - cls_n)),
                // the last row (q_last)
                ("last: α = 0", ql.clone() * above),
                ("last: κ = 0", ql * cls),
            ]
        });
        meta.create_gate("one class", |m| {
            let q = m.query_selector(q_first);
            let e = m.query_advice(cols[1], Rotation::cur());
            let above = m.query_advice(cols[3], Rotation::cur());
            Constraints::with_selector(q, [("Σ e = 1", e + above - Expression::Constant(F::ONE))])
        });
        ArgmaxConfig {
            cols,
            q_row,
            q_next,
            q_last,
            q_first,
            score_bits,
        }
    }

    /// Builds the chip.
    pub fn construct(config: ArgmaxConfig, range: RangeChip) -> Self {
        ArgmaxChip { config, range }
    }

    /// Rows the gadget takes for `classes` scores.
    pub fn rows(classes: usize) -> usize {
        classes
    }

    /// Proves `class` is the first maximum of `scores` (each `< 2^s`) on rows
    /// `row..row + C`, and returns the class cell. `class` is the prover's claim (an honest
    /// prover passes the native argmax of the score values).
    pub fn assign<F: CircuitField>(
        &self,
        region: &mut Region<'_, F>,
        row: usize,
        scores: &[Wire<F>],
        class: Value<usize>,
    ) -> Wire<F> {
        let c = &self.config;
        let n = scores.len();
        assert!(n >= 1, "no scores");
        let values: Value<Vec<F>> = Value::from_iter(scores.iter().map(|w| w.value));
        let best = class
            .zip(values)
            .map(|(j, v)| v.get(j).copied().unwrap_or(F::ZERO));
        let bit = |k: usize, cond: fn(usize, usize) -> bool| {
            class.map(move |j| if cond(k, j) { F::ONE } else { F::ZERO })
        };
        let mut out = None;
        for (k, score) in scores.iter().enumerate() {
            let r = row + k;
            score.copy_to(region, c.cols[0], r);
            assign(region, c.cols[1], r, bit(k, |k, j| k == j));
            assign(region, c.cols[2], r, best);
            let above = bit(k, |k, j| k < j);
            assign(region, c.cols[3], r, above);
            // κ_k = Σ_{k' ≥ k} [k' < j] = max(0, j − k)
            let cls = class.map(|j| F::from(j.saturating_sub(k) as u64));
            let w = assign(region, c.cols[4], r, cls);
            let d = best
                .zip(score.value)
                .zip(above)
                .map(|((b, s), a)| b - s - a);
            self.range.witness_check(region, r, d, c.score_bits);
            c.q_row.enable(region, r).expect("selector");
            if k + 1 == n {
                c.q_last.enable(region, r).expect("selector");
            } else {
                c.q_next.enable(region, r).expect("selector");
            }
            if k == 0 {
                c.q_first.enable(region, r).expect("selector");
                out = Some(w);
            }
        }
        out.expect("n ≥ 1")
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::circuit::gadgets::range::RangeConfig;
    use halo2_proofs::circuit::{Layouter, SimpleFloorPlanner};
    use halo2_proofs::dev::{MockProver, VerifyFailure};
    use halo2_proofs::halo2curves::bn256::Fr;
    use halo2_proofs::plonk::{Circuit, Column, Error, Instance};

    const BITS: u32 = 4;

    #[derive(Clone, Default)]
    struct TestCircuit {
        scores: Vec<u64>,
        claim: usize,
    }

    #[derive(Clone)]
    struct Cfg {
        range: RangeConfig,
        argmax: ArgmaxConfig,
        instance: Column<Instance>,
    }

    impl Circuit<Fr> for TestCircuit {
        type Config = Cfg;
        type FloorPlanner = SimpleFloorPlanner;
        type Params = ();
        fn without_witnesses(&self) -> Self {
            self.clone()
        }
        fn configure(meta: &mut ConstraintSystem<Fr>) -> Cfg {
            let cols = [(); 5].map(|_| meta.advice_column());
            let lane = meta.advice_column();
            for c in cols.iter().chain([&lane]) {
                meta.enable_equality(*c);
            }
            let key = meta.fixed_column();
            let range = RangeChip::configure(meta, lane, cols[0], key, BITS, &[BITS], vec![]);
            let argmax = ArgmaxChip::configure(meta, &range, cols, BITS);
            let instance = meta.instance_column();
            meta.enable_equality(instance);
            Cfg {
                range,
                argmax,
                instance,
            }
        }
        fn synthesize(&self, cfg: Cfg, mut layouter: impl Layouter<Fr>) -> Result<(), Error> {
            let range = RangeChip::construct(cfg.range.clone());
            range.load(&mut layouter, vec![])?;
            let chip = ArgmaxChip::construct(cfg.argmax.clone(), range.clone());
            let n = self.scores.len();
            let cls = layouter.assign_region(
                || "argmax",
                |mut region| {
                    let scores: Vec<_> = self
                        .scores
                        .iter()
                        .enumerate()
                        .map(|(i, &s)| {
                            range.witness_check(&mut region, i, Value::known(Fr::from(s)), BITS)
                        })
                        .collect();
                    Ok(chip.assign(&mut region, n, &scores, Value::known(self.claim)))
                },
            )?;
            layouter.constrain_instance(cls.cell, cfg.instance, 0);
            Ok(())
        }
    }

    fn run(scores: &[u64], claim: usize, public: usize) -> Result<(), Vec<VerifyFailure>> {
        let c = TestCircuit {
            scores: scores.to_vec(),
            claim,
        };
        MockProver::run(7, &c, vec![vec![Fr::from(public as u64)]])
            .unwrap()
            .verify()
    }

    fn lookup_failed(errs: &[VerifyFailure]) -> bool {
        errs.iter()
            .any(|e| matches!(e, VerifyFailure::Lookup { name, .. } if name == "lane < 2^tag | keyed data"))
    }

    #[test]
    fn honest_argmax_with_the_first_maximum_rule() {
        for s in [
            vec![3, 9, 2, 9],    // tie: the first 9 wins
            vec![0, 0, 0],       // all zero: class 0
            vec![15, 14],        // max score
            vec![1, 2, 3, 15],   // last class
            vec![7],             // one class
            vec![4, 4, 4, 4, 4], // all equal
        ] {
            let u: Vec<u32> = s.iter().map(|&v| v as u32).collect();
            let j = crate::model::argmax(&u);
            run(&s, j, j).unwrap();
        }
    }

    #[test]
    fn a_later_tied_class_is_rejected_by_the_margin() {
        // claiming the second 9 (class 3) needs σ_1 + 1 ≤ σ_3: d_1 = −1 leaves the lane range
        let errs = run(&[3, 9, 2, 9], 3, 3).unwrap_err();
        assert!(lookup_failed(&errs), "{errs:?}");
    }

    #[test]
    fn a_smaller_class_is_rejected_by_the_margin() {
        let errs = run(&[3, 9, 2, 1], 0, 0).unwrap_err();
        assert!(lookup_failed(&errs), "{errs:?}");
    }

    #[test]
    fn a_public_class_other_than_the_proven_one_is_rejected() {
        let errs = run(&[3, 9, 2, 1], 1, 2).unwrap_err();
        assert!(
            errs.iter()
                .all(|e| matches!(e, VerifyFailure::Permutation { .. })),
            "{errs:?}"
        );
    }

    #[test]
    fn a_claim_outside_the_classes_is_rejected() {
        // j = 4 of 4 classes: no e_c is set, so the α chain cannot end at 0 on the last row
        let errs = run(&[3, 9, 2, 1], 4, 4).unwrap_err();
        assert!(
            errs.iter().any(|e| matches!(e, VerifyFailure::ConstraintNotSatisfied { constraint, .. } if constraint.to_string().contains("last: α = 0"))),
            "{errs:?}"
        );
    }
}
