//! The Poseidon permutation (the instance of [`crate::commitment`]: $t = 3$, $x^5$,
//! $R_F = 8$, $R_P = 57$, circomlib's constants) and the hash chain of the image commitment.
//!
//! **Relation.** [`PoseidonChip::permute`] proves $s^{out} = \mathrm{Poseidon}(s^{in})$, and
//! [`PoseidonChip::hash_chain`] proves, for copied-in $h_0$ and $m_0..m_{2n-1}$,
//! $$h_{j+1} = \mathrm{Poseidon}(h_j, m_{2j}, m_{2j+1})_0 \quad (j < n), \qquad
//! \text{output} = h_n.$$
//!
//! With $R_r(s) = M\,S_r(s + c_r)$ the standard round ($S_r$ applies $x^5$ to all cells in a
//! full round, to cell 0 in a partial round), a permutation is laid out one round at a time
//! on three `state` columns $s_0, s_1, s_2$ (equality), two `aux` columns $a_0, a_1$ and three
//! fixed `rc` columns $\kappa_0, \kappa_1, \kappa_2$ holding $c_r$; each round's output state is
//! the next round's input row. The S-box output $x^5$ is $u^2 x$ with the square $u = x^2$
//! witnessed, so every gate has degree 4 including its selector.
//!
//! **Full round** $r$ (2 rows; selector `q_full` on the second), with $x = s + c_r$:
//!
//! | row | $s_0$ | $s_1$ | $s_2$ | $a_0$ | $a_1$ | $\kappa$ |
//! |---|---|---|---|---|---|---|
//! | 0 | $s_0$ | $s_1$ | $s_2$ | $u_0 = x_0^2$ | $u_1 = x_1^2$ | – |
//! | 1 | $u_2 = x_2^2$ | – | – | – | – | $c_r$ |
//! | 2 | $s'_0$ | $s'_1$ | $s'_2$ | (next round) | | |
//!
//! gate [`FULL_GATE`] (on row 1, reading row 0 at rotation −1 and row 2 at +1):
//! $u_j = x_j^2$ and $s'_i = \sum_j M_{ij} u_j^2 x_j$.
//!
//! **Partial round** $r$ (1 row; selector `q_partial`), with $x = s + c_r$:
//!
//! | row | $s_0$ | $s_1$ | $s_2$ | $a_0$ | $a_1$ | $\kappa$ |
//! |---|---|---|---|---|---|---|
//! | 0 | $s_0$ | $s_1$ | $s_2$ | $w = x_0^2$ | – | $c_r$ |
//! | 1 | $s'_0$ | $s'_1$ | $s'_2$ | (next round) | | |
//!
//! gate [`PARTIAL_GATE`]: $w = x_0^2$ and $s'_i = M_{i0} w^2 x_0 + M_{i1} x_1 + M_{i2} x_2$.
//!
//! A permutation is 4 full rounds, 57 partial rounds, 4 full rounds and the output row:
//! $4 \cdot 2 + 57 + 4 \cdot 2 + 1 = 74$ rows. The gates are deliberately plain (one round,
//! rotations −1, 0, +1 only): their polynomials are evaluated by the EVM verifier, and a
//! denser layout (51 rows, several rounds folded per gate) made the verifier 7 KB larger,
//! past the EIP-170 limit.
//!
//! **Soundness.** The input row is copied in. In each round every witness cell is fixed by
//! one constraint from cells above it (a square from its root, the next state from the
//! squares and roots), so given its input row a round has exactly one satisfying assignment,
//! the honest one, and $u^2 x = x^5$ for every S-box. No gate reads a cell outside the
//! permutation's rows, and the unused cells (–) are read by no gate. Hence the output row is
//! $\mathrm{Poseidon}(s^{in})$. The fixed cells are keygen data. See `docs/circuit.md`,
//! section 7.

use super::{assign, CircuitField, Wire};
use crate::commitment::{is_full_round, params, ROUNDS, WIDTH};
use halo2_proofs::circuit::{Region, Value};
use halo2_proofs::plonk::{
    Advice, Column, ConstraintSystem, Constraints, Expression, Fixed, Selector,
};
use halo2_proofs::poly::Rotation;

const _: () = assert!(WIDTH == 3);

/// Rows of a full round.
const FULL_ROWS: usize = 2;
/// Rows of a partial round.
const PARTIAL_ROWS: usize = 1;

/// Name of the full-round gate.
pub const FULL_GATE: &str = "full round: s' = M·(s + c)^5";
/// Name of the partial-round gate.
pub const PARTIAL_GATE: &str = "partial round: s' = M·((s0 + c0)^5, s1 + c1, s2 + c2)";

/// Constraint names of [`FULL_GATE`], in order (the index `MockProver` reports).
pub fn full_constraint_names() -> [String; 6] {
    let mut n = Vec::with_capacity(6);
    n.extend((0..3).map(|j| format!("u{j} = (s{j} + c{j})^2")));
    n.extend((0..3).map(|i| format!("s'{i} = [M·(u^2·(s + c))]{i}")));
    n.try_into().expect("6 names")
}

/// Constraint names of [`PARTIAL_GATE`], in order.
pub fn partial_constraint_names() -> [String; 4] {
    let mut n = vec!["w = (s0 + c0)^2".to_string()];
    n.extend((0..3).map(|i| format!("s'{i} = [M·(w^2·(s0 + c0), s1 + c1, s2 + c2)]{i}")));
    n.try_into().expect("4 names")
}

/// Rows of round `r`.
fn round_rows(r: usize) -> usize {
    if is_full_round(r) {
        FULL_ROWS
    } else {
        PARTIAL_ROWS
    }
}

/// Columns and selectors of the Poseidon chip.
#[derive(Clone, Debug)]
pub struct PoseidonConfig {
    /// The state $s_0, s_1, s_2$ (equality enabled by the caller).
    pub state: [Column<Advice>; 3],
    /// Squares and S-box inputs $a_0, a_1$ (no equality needed).
    pub aux: [Column<Advice>; 2],
    /// Round constants $\kappa_0..\kappa_2$, written by the chip on the rows it uses only.
    pub rc: [Column<Fixed>; 3],
    /// Enables [`FULL_GATE`] on the second row of a full round.
    pub q_full: Selector,
    /// Enables [`PARTIAL_GATE`] on the row of a partial round.
    pub q_partial: Selector,
}

/// The Poseidon chip.
#[derive(Clone, Debug)]
pub struct PoseidonChip {
    /// Its configuration.
    pub config: PoseidonConfig,
}

/// A cell of the chip's advice columns (for the witness writer).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Col {
    /// State column $s_i$.
    S(usize),
    /// Aux column $a_i$.
    A(usize),
}

/// A hook that may replace each witness value as it is assigned: `(row, column, honest
/// value) → assigned value`. Later cells are computed from the assigned values, which is how
/// a consistent malicious prover behaves. Production code passes the identity.
type Prank<'a, F> = &'a mut dyn FnMut(usize, Col, F) -> F;

/// Assigns the chip's witness cells, through the prank hook.
struct Writer<'a, 'r, F: CircuitField> {
    region: &'a mut Region<'r, F>,
    config: &'a PoseidonConfig,
    prank: Prank<'a, F>,
}

impl<F: CircuitField> Writer<'_, '_, F> {
    fn put(&mut self, col: Col, row: usize, v: Value<F>) -> Wire<F> {
        let prank = &mut self.prank;
        let v = v.map(|x| prank(row, col, x));
        let column = match col {
            Col::S(i) => self.config.state[i],
            Col::A(i) => self.config.aux[i],
        };
        assign(self.region, column, row, v)
    }

    fn copy(&mut self, wire: &Wire<F>, col: Col, row: usize) -> Wire<F> {
        let w = self.put(col, row, wire.value);
        self.region.constrain_equal(w.cell, wire.cell);
        w
    }

    fn fixed(&mut self, row: usize, values: [F; 3]) {
        for (col, v) in self.config.rc.iter().zip(values) {
            self.region.assign_fixed(*col, row, v);
        }
    }
}

fn square<F: CircuitField>(x: Value<F>) -> Value<F> {
    x.map(|x| x.square())
}

/// $w^2 x$: the S-box output from the witnessed square $w = x^2$.
fn sbox<F: CircuitField>(w: Value<F>, x: Value<F>) -> Value<F> {
    w * w * x
}

/// $M v$ on values.
fn mds<F: CircuitField>(v: [Value<F>; 3]) -> [Value<F>; 3] {
    let [a, b, c] = v;
    a.zip(b)
        .zip(c)
        .map(|((a, b), c)| params::<F>().mds_mul(&[a, b, c]))
        .transpose_array()
}

impl PoseidonChip {
    /// Rows of one permutation.
    pub const PERMUTATION_ROWS: usize = crate::commitment::FULL_ROUNDS * FULL_ROWS
        + crate::commitment::PARTIAL_ROUNDS * PARTIAL_ROWS
        + 1;

    /// Configures the two gates on caller-allocated columns. The caller enables equality on
    /// `state`; `aux` needs none; `rc` may be shared with other gadgets on other rows.
    ///
    /// # Side-effects
    /// Adds two selectors and the gates [`FULL_GATE`] and [`PARTIAL_GATE`] to `meta`.
    pub fn configure<F: CircuitField>(
        meta: &mut ConstraintSystem<F>,
        state: [Column<Advice>; 3],
        aux: [Column<Advice>; 2],
        rc: [Column<Fixed>; 3],
    ) -> PoseidonConfig {
        let q_full = meta.selector();
        let q_partial = meta.selector();
        let m = params::<F>().mds.map(|row| row.map(Expression::Constant));
        let mds = move |v: [Expression<F>; 3]| -> [Expression<F>; 3] {
            std::array::from_fn(|i| {
                (0..3)
                    .map(|j| m[i][j].clone() * v[j].clone())
                    .reduce(|a, b| a + b)
                    .expect("3 terms")
            })
        };
        let mds_partial = mds.clone();

        meta.create_gate(FULL_GATE, |vc| {
            let q = vc.query_selector(q_full);
            let s: [_; 3] = std::array::from_fn(|i| vc.query_advice(state[i], Rotation::prev()));
            let out: [_; 3] = std::array::from_fn(|i| vc.query_advice(state[i], Rotation::next()));
            let u = [
                vc.query_advice(aux[0], Rotation::prev()),
                vc.query_advice(aux[1], Rotation::prev()),
                vc.query_advice(state[0], Rotation::cur()),
            ];
            let c: [_; 3] = std::array::from_fn(|i| vc.query_fixed(rc[i], Rotation::cur()));
            let x: [_; 3] = std::array::from_fn(|j| s[j].clone() + c[j].clone());
            let y = mds(std::array::from_fn(|j| {
                u[j].clone() * u[j].clone() * x[j].clone()
            }));
            let mut polys = Vec::with_capacity(6);
            polys.extend((0..3).map(|j| u[j].clone() - x[j].clone() * x[j].clone()));
            polys.extend((0..3).map(|i| out[i].clone() - y[i].clone()));
            Constraints::with_selector(q, full_constraint_names().into_iter().zip(polys))
        });

        meta.create_gate(PARTIAL_GATE, |vc| {
            let q = vc.query_selector(q_partial);
            let s: [_; 3] = std::array::from_fn(|i| vc.query_advice(state[i], Rotation::cur()));
            let out: [_; 3] = std::array::from_fn(|i| vc.query_advice(state[i], Rotation::next()));
            let w = vc.query_advice(aux[0], Rotation::cur());
            let c: [_; 3] = std::array::from_fn(|i| vc.query_fixed(rc[i], Rotation::cur()));
            let x: [_; 3] = std::array::from_fn(|j| s[j].clone() + c[j].clone());
            let y = mds_partial([
                w.clone() * w.clone() * x[0].clone(),
                x[1].clone(),
                x[2].clone(),
            ]);
            let mut polys = vec![w - x[0].clone() * x[0].clone()];
            polys.extend((0..3).map(|i| out[i].clone() - y[i].clone()));
            Constraints::with_selector(q, partial_constraint_names().into_iter().zip(polys))
        });

        PoseidonConfig {
            state,
            aux,
            rc,
            q_full,
            q_partial,
        }
    }

    /// Builds the chip.
    pub fn construct(config: PoseidonConfig) -> Self {
        PoseidonChip { config }
    }

    /// Rows [`hash_chain`](Self::hash_chain) uses for `n_msgs` messages:
    /// `n_msgs / 2 · PERMUTATION_ROWS`.
    ///
    /// # Panics
    /// If `n_msgs` is odd.
    pub fn chain_rows(n_msgs: usize) -> usize {
        assert!(
            n_msgs.is_multiple_of(2),
            "the chain absorbs messages in pairs"
        );
        n_msgs / 2 * Self::PERMUTATION_ROWS
    }

    /// The Poseidon permutation of `input` (copied in) on rows
    /// `row..row + PERMUTATION_ROWS`; returns the output state, on the last of those rows in
    /// the `state` columns.
    ///
    /// # Panics
    /// Never (the layout is fixed).
    ///
    /// # Side-effects
    /// Assigns the chip's advice and `rc` cells and enables its selectors on those rows;
    /// adds three copy constraints.
    pub fn permute<F: CircuitField>(
        &self,
        region: &mut Region<'_, F>,
        row: usize,
        input: [&Wire<F>; 3],
    ) -> [Wire<F>; 3] {
        let mut honest = |_: usize, _: Col, x: F| x;
        let mut w = Writer {
            region,
            config: &self.config,
            prank: &mut honest,
        };
        self.permute_with(&mut w, row, input)
    }

    /// The hash chain of the image commitment: $h_0$ = `init`,
    /// $h_{j+1} = \mathrm{Poseidon}(h_j, m_{2j}, m_{2j+1})_0$, on rows
    /// `row..row + chain_rows(msgs.len())`; returns the last $h$, a cell of `state[0]` (or
    /// `init` itself when `msgs` is empty). `init` and the messages are copied in.
    ///
    /// # Panics
    /// If `msgs` has odd length.
    ///
    /// # Side-effects
    /// As [`permute`](Self::permute), once per pair of messages; $h_j$ is copied from the
    /// previous permutation's output row.
    pub fn hash_chain<F: CircuitField>(
        &self,
        region: &mut Region<'_, F>,
        row: usize,
        init: &Wire<F>,
        msgs: &[Wire<F>],
    ) -> Wire<F> {
        let mut honest = |_: usize, _: Col, x: F| x;
        let mut w = Writer {
            region,
            config: &self.config,
            prank: &mut honest,
        };
        self.hash_chain_with(&mut w, row, init, msgs)
    }

    fn hash_chain_with<F: CircuitField>(
        &self,
        w: &mut Writer<'_, '_, F>,
        row: usize,
        init: &Wire<F>,
        msgs: &[Wire<F>],
    ) -> Wire<F> {
        assert!(
            msgs.len().is_multiple_of(2),
            "the chain absorbs messages in pairs"
        );
        let mut h = *init;
        for (j, m) in msgs.chunks(2).enumerate() {
            let r = row + j * Self::PERMUTATION_ROWS;
            h = self.permute_with(w, r, [&h, &m[0], &m[1]])[0];
        }
        h
    }

    fn permute_with<F: CircuitField>(
        &self,
        w: &mut Writer<'_, '_, F>,
        row: usize,
        input: [&Wire<F>; 3],
    ) -> [Wire<F>; 3] {
        let mut s: [Wire<F>; 3] = std::array::from_fn(|i| w.copy(input[i], Col::S(i), row));
        let mut r = row;
        for round in 0..ROUNDS {
            s = if is_full_round(round) {
                self.full_round(w, r, round, &s)
            } else {
                self.partial_round(w, r, round, &s)
            };
            r += round_rows(round);
        }
        debug_assert_eq!(r + 1, row + Self::PERMUTATION_ROWS);
        s
    }

    /// Full round `round` on rows `r, r+1`; returns the state on row `r + 2`.
    fn full_round<F: CircuitField>(
        &self,
        w: &mut Writer<'_, '_, F>,
        r: usize,
        round: usize,
        s: &[Wire<F>; 3],
    ) -> [Wire<F>; 3] {
        let c = params::<F>().round_constants[round];
        self.config
            .q_full
            .enable(w.region, r + 1)
            .expect("selector");
        w.fixed(r + 1, c);
        let x: [Value<F>; 3] = std::array::from_fn(|j| s[j].value.map(|v| v + c[j]));
        let u = [
            w.put(Col::A(0), r, square(x[0])),
            w.put(Col::A(1), r, square(x[1])),
            w.put(Col::S(0), r + 1, square(x[2])),
        ];
        let out = mds(std::array::from_fn(|j| sbox(u[j].value, x[j])));
        std::array::from_fn(|i| w.put(Col::S(i), r + 2, out[i]))
    }

    /// Partial round `round` on row `r`; returns the state on row `r + 1`.
    fn partial_round<F: CircuitField>(
        &self,
        w: &mut Writer<'_, '_, F>,
        r: usize,
        round: usize,
        s: &[Wire<F>; 3],
    ) -> [Wire<F>; 3] {
        let c = params::<F>().round_constants[round];
        self.config.q_partial.enable(w.region, r).expect("selector");
        w.fixed(r, c);
        let x: [Value<F>; 3] = std::array::from_fn(|j| s[j].value.map(|v| v + c[j]));
        let sq = w.put(Col::A(0), r, square(x[0]));
        let out = mds([sbox(sq.value, x[0]), x[1], x[2]]);
        std::array::from_fn(|i| w.put(Col::S(i), r + 1, out[i]))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::commitment::{self, commit_image, pack_pixels};
    use halo2_proofs::circuit::{Layouter, SimpleFloorPlanner};
    use halo2_proofs::dev::{metadata, FailureLocation, MockProver, VerifyFailure};
    use halo2_proofs::halo2curves::bn256::Fr;
    use halo2_proofs::halo2curves::ff::Field;
    use halo2_proofs::plonk::{Any, Circuit, Error, Instance};
    use proptest::prelude::*;
    use rand::{Rng, SeedableRng};
    use rand_chacha::ChaCha20Rng;
    use std::cell::RefCell;
    use std::rc::Rc;

    const REGION: &str = "poseidon";

    /// The cells the chip assigned, in order.
    type CellLog = Rc<RefCell<Vec<(usize, Col)>>>;

    #[derive(Clone, Debug)]
    struct TestConfig {
        chip: PoseidonConfig,
        input: Column<Advice>,
        instance: Column<Instance>,
    }

    #[derive(Clone, Copy, Debug, PartialEq)]
    enum Mode {
        /// `hash_chain(init, msgs)`, exposing the last h.
        Chain,
        /// `permute([init, msgs[0], msgs[1]])`, exposing the three outputs.
        Permute,
    }

    /// Witnesses `init` and `msgs` in a separate column, runs the chip on them from row 0
    /// of one region, and (if `expose`) copies the output(s) to the instance column.
    #[derive(Clone, Debug)]
    struct TestCircuit {
        mode: Mode,
        init: Fr,
        msgs: Vec<Fr>,
        /// A malicious prover: adds 1 to the witness at `(row, column)` as it is assigned
        /// and computes every later cell from the assigned values.
        tamper: Option<(usize, Col)>,
        expose: bool,
        /// Records every cell the chip assigns.
        log: Option<CellLog>,
        /// Whether the values are known (false: key generation).
        witness: bool,
    }

    impl Circuit<Fr> for TestCircuit {
        type Config = TestConfig;
        type FloorPlanner = SimpleFloorPlanner;
        type Params = ();

        fn without_witnesses(&self) -> Self {
            TestCircuit {
                witness: false,
                ..self.clone()
            }
        }

        fn configure(meta: &mut ConstraintSystem<Fr>) -> TestConfig {
            let state = [(); 3].map(|_| meta.advice_column());
            for c in state {
                meta.enable_equality(c);
            }
            let aux = [(); 2].map(|_| meta.advice_column());
            let rc = [(); 3].map(|_| meta.fixed_column());
            let input = meta.advice_column();
            meta.enable_equality(input);
            let instance = meta.instance_column();
            meta.enable_equality(instance);
            TestConfig {
                chip: PoseidonChip::configure(meta, state, aux, rc),
                input,
                instance,
            }
        }

        fn synthesize(
            &self,
            config: TestConfig,
            mut layouter: impl Layouter<Fr>,
        ) -> Result<(), Error> {
            let chip = PoseidonChip::construct(config.chip.clone());
            let outs = layouter.assign_region(
                || REGION,
                |mut region| {
                    let value = |x: Fr| match self.witness {
                        true => Value::known(x),
                        false => Value::unknown(),
                    };
                    // MockProver's region starts at its first fixed cell; the chip's first is
                    // on row 1, so pin one (unread) on row 0 to make offsets absolute rows
                    region.assign_fixed(config.chip.rc[0], 0, Fr::ZERO);
                    let init = assign(&mut region, config.input, 0, value(self.init));
                    let msgs: Vec<_> = (self.msgs.iter().enumerate())
                        .map(|(i, m)| assign(&mut region, config.input, i + 1, value(*m)))
                        .collect();
                    if self.tamper.is_none() && self.log.is_none() {
                        return Ok(match self.mode {
                            Mode::Chain => vec![chip.hash_chain(&mut region, 0, &init, &msgs)],
                            Mode::Permute => chip
                                .permute(&mut region, 0, [&init, &msgs[0], &msgs[1]])
                                .to_vec(),
                        });
                    }
                    let mut prank = |row: usize, col: Col, x: Fr| {
                        if let Some(log) = &self.log {
                            log.borrow_mut().push((row, col));
                        }
                        if Some((row, col)) == self.tamper {
                            x + Fr::ONE
                        } else {
                            x
                        }
                    };
                    let mut w = Writer {
                        region: &mut region,
                        config: &chip.config,
                        prank: &mut prank,
                    };
                    Ok(match self.mode {
                        Mode::Chain => vec![chip.hash_chain_with(&mut w, 0, &init, &msgs)],
                        Mode::Permute => chip
                            .permute_with(&mut w, 0, [&init, &msgs[0], &msgs[1]])
                            .to_vec(),
                    })
                },
            )?;
            if self.expose {
                for (i, o) in outs.iter().enumerate() {
                    layouter.constrain_instance(o.cell, config.instance, i);
                }
            }
            Ok(())
        }
    }

    fn run(c: &TestCircuit, instance: Vec<Fr>) -> Result<(), Vec<VerifyFailure>> {
        let rows = PoseidonChip::chain_rows(c.msgs.len()).max(c.msgs.len() + 1);
        let k = (rows + 16).next_power_of_two().trailing_zeros();
        MockProver::run(k, c, vec![instance]).unwrap().verify()
    }

    fn chain(init: Fr, msgs: Vec<Fr>, tamper: Option<(usize, Col)>) -> TestCircuit {
        TestCircuit {
            mode: Mode::Chain,
            init,
            msgs,
            tamper,
            expose: tamper.is_none(),
            log: None,
            witness: true,
        }
    }

    fn random(rng: &mut ChaCha20Rng, n: usize) -> Vec<Fr> {
        (0..n).map(|_| Fr::random(&mut *rng)).collect()
    }

    /// The row of a failure. halo2-axiom's `MockProver` extends a region only over its fixed
    /// cells and matches a failure to it only if the failing constraint reads one of those
    /// columns, so failures of constraints without constants (and of copies) are reported
    /// `OutsideRegion` with the absolute row; the region starts at row 0, so both agree.
    fn failure_row(location: &FailureLocation) -> usize {
        match location {
            FailureLocation::InRegion { region, offset } => {
                assert_eq!(region, &(0, REGION).into());
                *offset
            }
            FailureLocation::OutsideRegion { row } => *row,
        }
    }

    /// `errs` is exactly one failure of constraint `index` of gate `gate` (0: full, 1:
    /// partial) on `row`.
    fn assert_only_constraint(errs: &[VerifyFailure], gate: usize, index: usize, row: usize) {
        let (gate_name, name) = match gate {
            0 => (FULL_GATE, full_constraint_names()[index].clone()),
            _ => (PARTIAL_GATE, partial_constraint_names()[index].clone()),
        };
        let expected = metadata::Constraint::from(((gate, gate_name).into(), index, name));
        assert_eq!(errs.len(), 1, "{errs:#?}");
        match &errs[0] {
            VerifyFailure::ConstraintNotSatisfied {
                constraint,
                location,
                ..
            } => {
                assert_eq!(constraint, &expected, "{errs:#?}");
                assert_eq!(failure_row(location), row, "{errs:#?}");
            }
            _ => panic!("expected {expected}: {errs:#?}"),
        }
    }

    /// `errs` is exactly the copy-constraint failures of the two cells `copies` (the two
    /// ends of one broken copy).
    fn assert_copy_failures(errs: &[VerifyFailure], copies: [(Column<Advice>, usize); 2]) {
        let mut got: Vec<(metadata::Column, usize)> = errs
            .iter()
            .map(|e| match e {
                VerifyFailure::Permutation { column, location } => (*column, failure_row(location)),
                _ => panic!("expected only copy failures: {errs:#?}"),
            })
            .collect();
        let mut want: Vec<_> = copies
            .iter()
            .map(|&(c, row)| (metadata::Column::from(Column::<Any>::from(c)), row))
            .collect();
        let key = |x: &(metadata::Column, usize)| (x.0.index(), x.1);
        got.sort_by_key(key);
        want.sort_by_key(key);
        assert_eq!(got, want, "{errs:#?}");
    }

    #[test]
    fn layout_constants() {
        assert_eq!(PoseidonChip::PERMUTATION_ROWS, 74);
        assert_eq!(PoseidonChip::chain_rows(0), 0);
        assert_eq!(PoseidonChip::chain_rows(26), 13 * 74); // an MNIST image
        assert_eq!((0..ROUNDS).map(round_rows).sum::<usize>() + 1, 74);
    }

    #[test]
    fn gate_degrees_fit_the_budget() {
        let mut meta = ConstraintSystem::<Fr>::default();
        TestCircuit::configure(&mut meta);
        let degrees: Vec<usize> = meta
            .gates()
            .iter()
            .map(|g| g.polynomials().iter().map(|p| p.degree()).max().unwrap())
            .collect();
        // selector · w² · x: 4 ≤ 5, so the host circuit's extended domain does not grow
        assert_eq!(degrees, vec![4, 4]);
        assert_eq!(meta.gates()[0].name(), FULL_GATE);
        assert_eq!(meta.gates()[1].name(), PARTIAL_GATE);
    }

    #[test]
    fn honest_chain_matches_native() {
        let mut rng = ChaCha20Rng::seed_from_u64(1);
        let (init, msgs) = (Fr::random(&mut rng), random(&mut rng, 6));
        let expected = commitment::hash_chain(init, &msgs);
        assert_eq!(
            run(&chain(init, msgs.clone(), None), vec![expected]),
            Ok(())
        );
        // the claimed output must be the real one: the instance copy fails otherwise
        let errs = run(&chain(init, msgs, None), vec![expected + Fr::ONE]).unwrap_err();
        assert!(
            errs.iter()
                .all(|e| matches!(e, VerifyFailure::Permutation { .. })),
            "{errs:#?}"
        );
        // boundary values: all zero, all r − 1
        for v in [Fr::ZERO, -Fr::ONE] {
            let out = commitment::hash_chain(v, &[v, v]);
            assert_eq!(run(&chain(v, vec![v, v], None), vec![out]), Ok(()));
        }
    }

    #[test]
    fn honest_image_commitment_matches_native() {
        let mut rng = ChaCha20Rng::seed_from_u64(2);
        let pixels: Vec<u8> = (0..784).map(|_| rng.gen()).collect();
        let salt = Fr::random(&mut rng);
        let words = pack_pixels::<Fr>(&pixels);
        assert_eq!(words.len(), 26);
        let c = chain(salt, words, None);
        assert_eq!(run(&c, vec![commit_image(&pixels, salt)]), Ok(()));
    }

    // Tampering: a malicious prover changes one cell and computes everything after it from
    // the changed value, so exactly the constraint that pins that cell fails. The chain has
    // two permutations (rows 0..74 and 74..148); in each, full round i < 4 takes rows 2i and
    // 2i + 1 (gate on the second), partial round r takes row 8 + (r − 4), the last full
    // rounds take rows 65 + 2i, 66 + 2i, and the output row is 73.

    fn tampered(row: usize, col: Col) -> Result<(), Vec<VerifyFailure>> {
        let mut rng = ChaCha20Rng::seed_from_u64(3);
        let (init, msgs) = (Fr::random(&mut rng), random(&mut rng, 4));
        run(&chain(init, msgs, Some((row, col))), vec![])
    }

    #[test]
    fn tampered_state_is_rejected() {
        // (a) the state entering the partial round on row 18: the round on row 17 pins it
        assert_only_constraint(&tampered(18, Col::S(1)).unwrap_err(), 1, 2, 17);
        // the state after full round 0 (row 2), pinned by its gate on row 1
        assert_only_constraint(&tampered(2, Col::S(2)).unwrap_err(), 0, 5, 1);
        // the state entering the last full rounds of the second permutation (row 74 + 65)
        assert_only_constraint(&tampered(139, Col::S(0)).unwrap_err(), 1, 1, 138);
    }

    #[test]
    fn tampered_aux_is_rejected() {
        // (b) the square of a partial round (row 8), in the first and second permutation
        assert_only_constraint(&tampered(8, Col::A(0)).unwrap_err(), 1, 0, 8);
        assert_only_constraint(&tampered(104, Col::A(0)).unwrap_err(), 1, 0, 104);
        // the squares of full round 1 (rows 2, 3): u0, u1 on row 2, u2 on row 3
        assert_only_constraint(&tampered(2, Col::A(0)).unwrap_err(), 0, 0, 3);
        assert_only_constraint(&tampered(2, Col::A(1)).unwrap_err(), 0, 1, 3);
        assert_only_constraint(&tampered(3, Col::S(0)).unwrap_err(), 0, 2, 3);
        // and of the last full round of the second permutation (rows 74 + 71, 74 + 72)
        assert_only_constraint(&tampered(146, Col::S(0)).unwrap_err(), 0, 2, 146);
    }

    #[test]
    fn tampered_output_is_rejected() {
        // (c) the prover claims h + 1 as the commitment, in the output cell and the instance:
        // the last full round of the second permutation (gate on row 74 + 72) rejects it
        let mut rng = ChaCha20Rng::seed_from_u64(3);
        let (init, msgs) = (Fr::random(&mut rng), random(&mut rng, 4));
        let honest = commitment::hash_chain(init, &msgs);
        let mut c = chain(init, msgs, Some((147, Col::S(0))));
        c.expose = true;
        assert_only_constraint(&run(&c, vec![honest + Fr::ONE]).unwrap_err(), 0, 3, 146);
    }

    #[test]
    fn tampered_copies_are_rejected() {
        let config = {
            let mut meta = ConstraintSystem::<Fr>::default();
            TestCircuit::configure(&mut meta)
        };
        let (state, input) = (config.chip.state, config.input);
        // (d) the copy of message 2 (input row 3) into the second permutation's input row
        let errs = tampered(74, Col::S(1)).unwrap_err();
        assert_copy_failures(&errs, [(state[1], 74), (input, 3)]);
        // the copy of h_1 (the first permutation's output, row 73) into it
        let errs = tampered(74, Col::S(0)).unwrap_err();
        assert_copy_failures(&errs, [(state[0], 74), (state[0], 73)]);
        // the copy of init into the first
        let errs = tampered(0, Col::S(0)).unwrap_err();
        assert_copy_failures(&errs, [(state[0], 0), (input, 0)]);
    }

    #[test]
    fn every_witness_cell_is_pinned() {
        // Record every cell the chip assigns in one permutation, then change each in turn
        // (the rest computed from the changed value): every change must be rejected, by a
        // gate or a copy, so no witness cell is free.
        let mut rng = ChaCha20Rng::seed_from_u64(4);
        let input = random(&mut rng, 3);
        let circuit = |tamper, log| TestCircuit {
            mode: Mode::Permute,
            init: input[0],
            msgs: input[1..].to_vec(),
            tamper,
            expose: false,
            log,
            witness: true,
        };
        let log = Rc::new(RefCell::new(Vec::new()));
        assert_eq!(run(&circuit(None, Some(log.clone())), vec![]), Ok(()));
        let cells = log.take();
        // 3 input copies, 6 cells per full round (3 squares, 3 outputs), 4 per partial round
        assert_eq!(cells.len(), 3 + 8 * 6 + 57 * 4);
        let mut distinct = cells.clone();
        distinct.sort_by_key(|&(r, c)| (r, format!("{c:?}")));
        distinct.dedup();
        assert_eq!(distinct.len(), cells.len(), "a cell is assigned twice");
        assert!(cells
            .iter()
            .all(|&(r, _)| r < PoseidonChip::PERMUTATION_ROWS));
        for cell in cells {
            assert!(
                run(&circuit(Some(cell), None), vec![]).is_err(),
                "{cell:?} is free"
            );
        }
    }

    #[test]
    fn real_proof_with_compressed_selectors() {
        // keygen (unknown values), prove and verify a two-permutation chain with the real
        // KZG prover, selector compression on as in `proving`
        use halo2_proofs::halo2curves::bn256::{Bn256, G1Affine};
        use halo2_proofs::plonk::{create_proof, keygen_pk, keygen_vk_custom, verify_proof};
        use halo2_proofs::poly::commitment::ParamsProver;
        use halo2_proofs::poly::kzg::commitment::{KZGCommitmentScheme, ParamsKZG};
        use halo2_proofs::poly::kzg::multiopen::{ProverSHPLONK, VerifierSHPLONK};
        use halo2_proofs::poly::kzg::strategy::SingleStrategy;
        use halo2_proofs::transcript::{
            Blake2bRead, Blake2bWrite, Challenge255, TranscriptReadBuffer, TranscriptWriterBuffer,
        };
        let mut rng = ChaCha20Rng::seed_from_u64(5);
        let (init, msgs) = (Fr::random(&mut rng), random(&mut rng, 4));
        let out = commitment::hash_chain(init, &msgs);
        let circuit = chain(init, msgs, None);
        let srs = ParamsKZG::<Bn256>::setup(8, &mut rng);
        let vk = keygen_vk_custom(&srs, &circuit.without_witnesses(), true).unwrap();
        // alone, the constraint system has degree 4, so halo2 cannot merge the two selectors
        // (a merged pair has degree 2, making the gates degree 5): 3 rc + 2 selector columns.
        // In a host of degree 5 they share one fixed column.
        assert_eq!(vk.cs().degree(), 4);
        assert_eq!(vk.cs().num_fixed_columns(), 3 + 2);
        let pk = keygen_pk(&srs, vk, &circuit.without_witnesses()).unwrap();
        let mut transcript = Blake2bWrite::<_, G1Affine, Challenge255<_>>::init(vec![]);
        create_proof::<KZGCommitmentScheme<Bn256>, ProverSHPLONK<'_, Bn256>, _, _, _, _>(
            &srs,
            &pk,
            &[circuit],
            &[&[&[out]]],
            &mut rng,
            &mut transcript,
        )
        .unwrap();
        let proof = transcript.finalize();
        let verify = |claimed: Fr| {
            let mut t = Blake2bRead::<_, G1Affine, Challenge255<_>>::init(proof.as_slice());
            verify_proof::<KZGCommitmentScheme<Bn256>, VerifierSHPLONK<'_, Bn256>, _, _, _>(
                srs.verifier_params(),
                pk.get_vk(),
                SingleStrategy::new(&srs),
                &[&[&[claimed]]],
                &mut t,
            )
            .is_ok()
        };
        assert!(verify(out));
        assert!(!verify(out + Fr::ONE));
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(6))]
        #[test]
        fn permute_matches_native(seed in any::<u64>()) {
            let mut rng = ChaCha20Rng::seed_from_u64(seed);
            let input = [(); 3].map(|_| Fr::random(&mut rng));
            let c = TestCircuit {
                mode: Mode::Permute,
                init: input[0],
                msgs: input[1..].to_vec(),
                tamper: None,
                expose: true,
                log: None,
                witness: true,
            };
            prop_assert_eq!(run(&c, commitment::permute(input).to_vec()), Ok(()));
        }
    }
}
