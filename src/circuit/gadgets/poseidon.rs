//! The Poseidon permutation (the instance of [`crate::commitment`]: $t = 3$, $x^5$,
//! $R_F = 8$, $R_P = 57$, circomlib's constants) and the hash chain of the image commitment.
//!
//! **Relation.** [`PoseidonChip::permute`] proves $s^{out} = \mathrm{Poseidon}(s^{in})$, and
//! [`PoseidonChip::hash_chain`] proves, for copied-in $h_0$ and $m_0..m_{2n-1}$,
//! $$h_{j+1} = \mathrm{Poseidon}(h_j, m_{2j}, m_{2j+1})_0 \quad (j < n), \qquad
//! \text{output} = h_n.$$
//!
//! With $R_r(s) = M\,S_r(s + c_r)$ the standard round ($S_r$ applies $x^5$ to all cells in a
//! full round, to cell 0 in a partial round), a permutation is laid out in blocks on three
//! `state` columns $s_0, s_1, s_2$ (equality), two `aux` columns $a_0, a_1$ and three fixed
//! `rc` columns $\kappa_0, \kappa_1, \kappa_2$; each block's output state is the next block's
//! input row.
//!
//! **Two full rounds** $r, r+1$ (selector `q_full`, 3 rows), with $x = s + c_r$,
//! $t = M (u_j^2 x_j)_j$, $z = t + c_{r+1}$, $s' = M (v_j^2 z_j)_j$:
//!
//! | row | $s_0$ | $s_1$ | $s_2$ | $a_0$ | $a_1$ | $\kappa$ |
//! |---|---|---|---|---|---|---|
//! | 0 | $s_0$ | $s_1$ | $s_2$ | $u_0 = x_0^2$ | $u_1 = x_1^2$ | $c_r$ |
//! | 1 | $t_0$ | $t_1$ | $t_2$ | $v_0 = z_0^2$ | $v_1 = z_1^2$ | $c_{r+1}$ |
//! | 2 | $u_2 = x_2^2$ | $v_2 = z_2^2$ | – | – | – | – |
//! | 3 | $s'_0$ | $s'_1$ | $s'_2$ | (next block) | | |
//!
//! **Three partial rounds** $r, r+1, r+2$ (selector `q_partial`, 2 rows). Only cell 0 goes
//! through an S-box, so everything else is affine. The gate builds the (non-witness)
//! expressions
//! $$e_1 = M\,(w_1^2 (s_0 + k_1),\ s_1,\ s_2),\quad e_2 = M\,(w_2^2 x_2,\ e_{1,1},\ e_{1,2}),\quad
//! e_3 = M\,(w_3^2 x_3,\ e_{2,1},\ e_{2,2})$$
//! and constrains $w_1 = (s_0 + k_1)^2$, $x_2 = e_{1,0} + k_2$, $w_2 = x_2^2$,
//! $x_3 = e_{2,0} + k_3$, $w_3 = x_3^2$, $s' = e_3 + k'$:
//!
//! | row | $s_0$ | $s_1$ | $s_2$ | $a_0$ | $a_1$ | $\kappa$ |
//! |---|---|---|---|---|---|---|
//! | 0 | $s_0$ | $s_1$ | $s_2$ | $w_1$ | $x_2$ | $k_1, k_2, k_3$ |
//! | 1 | $w_2$ | $x_3$ | $w_3$ | – | – | $k'_0, k'_1, k'_2$ |
//! | 2 | $s'_0$ | $s'_1$ | $s'_2$ | (next block) | | |
//!
//! The six constants fold the nine round constants of the three rounds
//! ([`partial_block_constants`]): $d_0 = 0$ and for $i = 0, 1, 2$,
//! $k_{i+1} = d_{i,0} + c_{r+i,0}$, $d_{i+1} = M\,(0,\ d_{i,1} + c_{r+i,1},\ d_{i,2} + c_{r+i,2})$;
//! $k' = d_3$. By induction the state after $i$ of the three rounds is $e_i + d_i$ (with
//! $e_0 = s$), since everything but the S-box outputs enters affinely; so $x_{i+1} =
//! e_{i,0} + k_{i+1}$ is the S-box input of round $r + i$ and $s' = e_3 + d_3$ its output.
//!
//! A permutation is: 2 full blocks (rounds 0–3), 19 partial blocks (4–60), 2 full blocks
//! (61–64) and the output row: $2 \cdot 3 + 19 \cdot 2 + 2 \cdot 3 + 1 = 51$ rows. Every gate
//! has degree 4 including its selector ($q \cdot w^2 x$).
//!
//! **Soundness.** The input row is copied in. In each block, every witness cell is fixed by
//! one constraint from cells above it in the order written (a square from its root, a state
//! or S-box input from the squares and roots before it), so given its input row a block has
//! exactly one satisfying assignment, the honest one, and $w^2 x = x^5$ for every S-box. No
//! gate reads a cell outside the permutation's rows, and the unused cells (–) are read by no
//! gate. Hence the output row is $\mathrm{Poseidon}(s^{in})$. The fixed cells are keygen
//! data. See `docs/circuit.md`, "Poseidon gadget".

use super::{assign, CircuitField, Wire};
use crate::commitment::{cached, params, FULL_ROUNDS, PARTIAL_ROUNDS, ROUNDS, WIDTH};
use halo2_proofs::circuit::{Region, Value};
use halo2_proofs::plonk::{
    Advice, Column, ConstraintSystem, Constraints, Expression, Fixed, Selector,
};
use halo2_proofs::poly::Rotation;

const _: () =
    assert!(FULL_ROUNDS.is_multiple_of(4) && PARTIAL_ROUNDS.is_multiple_of(3) && WIDTH == 3);

/// Rows of a block of two full rounds.
const FULL_BLOCK_ROWS: usize = 3;
/// Rows of a block of three partial rounds.
const PARTIAL_BLOCK_ROWS: usize = 2;

/// Name of the gate of two full rounds.
pub const FULL_GATE: &str = "full rounds r, r+1: s' = M·(M·(s + c_r)^5 + c_{r+1})^5";
/// Name of the gate of three partial rounds.
pub const PARTIAL_GATE: &str = "partial rounds r..r+2: s' = P_{r+2}(P_{r+1}(P_r(s)))";

/// Constraint names of [`FULL_GATE`], in order (the index `MockProver` reports).
pub fn full_constraint_names() -> [String; 12] {
    let mut n = Vec::with_capacity(12);
    n.extend((0..3).map(|j| format!("u{j} = (s{j} + c{j})^2")));
    n.extend((0..3).map(|i| format!("t{i} = [M·(u^2·(s + c))]{i}")));
    n.extend((0..3).map(|j| format!("v{j} = (t{j} + c'{j})^2")));
    n.extend((0..3).map(|i| format!("s'{i} = [M·(v^2·(t + c'))]{i}")));
    n.try_into().expect("12 names")
}

/// Constraint names of [`PARTIAL_GATE`], in order.
pub fn partial_constraint_names() -> [String; 8] {
    let mut n = vec![
        "w1 = (s0 + k1)^2".to_string(),
        "x2 = e1[0] + k2".to_string(),
        "w2 = x2^2".to_string(),
        "x3 = e2[0] + k3".to_string(),
        "w3 = x3^2".to_string(),
    ];
    n.extend((0..3).map(|i| format!("s'{i} = e3[{i}] + k'{i}")));
    n.try_into().expect("8 names")
}

/// One block of the layout: its first round.
#[derive(Clone, Copy, Debug)]
enum Block {
    /// Full rounds `r, r+1`.
    Full(usize),
    /// Partial rounds `r, r+1, r+2`.
    Partial(usize),
}

/// The blocks of one permutation, in order.
fn schedule() -> impl Iterator<Item = Block> {
    let half = FULL_ROUNDS / 2;
    let last = half + PARTIAL_ROUNDS;
    (0..half)
        .step_by(2)
        .map(Block::Full)
        .chain((half..last).step_by(3).map(Block::Partial))
        .chain((last..ROUNDS).step_by(2).map(Block::Full))
}

/// The folded constants $(k_1, k_2, k_3, k'_0, k'_1, k'_2)$ of the partial block starting at
/// round `r` (see the module documentation).
///
/// # Panics
/// If rounds `r..r+3` are not all partial.
pub fn partial_block_constants<F: CircuitField>(r: usize) -> [F; 6] {
    assert!((FULL_ROUNDS / 2..FULL_ROUNDS / 2 + PARTIAL_ROUNDS - 2).contains(&r));
    let p = params::<F>();
    let mut d = [F::ZERO; 3];
    let mut k = [F::ZERO; 6];
    for (k, c) in k.iter_mut().zip(&p.round_constants[r..r + 3]) {
        *k = d[0] + c[0];
        d = p.mds_mul(&[F::ZERO, d[1] + c[1], d[2] + c[2]]);
    }
    k[3..].copy_from_slice(&d);
    k
}

/// The folded constants of every partial block, in order (computed once per field).
struct PartialConstants<F: CircuitField>(Vec<[F; 6]>);

fn partial_constants<F: CircuitField>() -> &'static [[F; 6]] {
    &cached(|| {
        PartialConstants::<F>(
            schedule()
                .filter_map(|b| match b {
                    Block::Partial(r) => Some(partial_block_constants::<F>(r)),
                    Block::Full(_) => None,
                })
                .collect(),
        )
    })
    .0
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
    /// Enables [`FULL_GATE`] on the first row of a block of two full rounds.
    pub q_full: Selector,
    /// Enables [`PARTIAL_GATE`] on the first row of a block of three partial rounds.
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
    pub const PERMUTATION_ROWS: usize =
        FULL_ROUNDS / 2 * FULL_BLOCK_ROWS + PARTIAL_ROUNDS / 3 * PARTIAL_BLOCK_ROWS + 1;

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
            let s_at = |vc: &mut halo2_proofs::plonk::VirtualCells<'_, F>, i: usize, r: i32| {
                vc.query_advice(state[i], Rotation(r))
            };
            let s: [_; 3] = std::array::from_fn(|i| s_at(vc, i, 0));
            let t: [_; 3] = std::array::from_fn(|i| s_at(vc, i, 1));
            let out: [_; 3] = std::array::from_fn(|i| s_at(vc, i, 3));
            let u = [
                vc.query_advice(aux[0], Rotation::cur()),
                vc.query_advice(aux[1], Rotation::cur()),
                s_at(vc, 0, 2),
            ];
            let v = [
                vc.query_advice(aux[0], Rotation::next()),
                vc.query_advice(aux[1], Rotation::next()),
                s_at(vc, 1, 2),
            ];
            let c: [_; 3] = std::array::from_fn(|i| vc.query_fixed(rc[i], Rotation::cur()));
            let c2: [_; 3] = std::array::from_fn(|i| vc.query_fixed(rc[i], Rotation::next()));
            let x: [_; 3] = std::array::from_fn(|j| s[j].clone() + c[j].clone());
            let z: [_; 3] = std::array::from_fn(|j| t[j].clone() + c2[j].clone());
            let y1 = mds(std::array::from_fn(|j| {
                u[j].clone() * u[j].clone() * x[j].clone()
            }));
            let y2 = mds(std::array::from_fn(|j| {
                v[j].clone() * v[j].clone() * z[j].clone()
            }));
            let mut polys = Vec::with_capacity(12);
            polys.extend((0..3).map(|j| u[j].clone() - x[j].clone() * x[j].clone()));
            polys.extend((0..3).map(|i| t[i].clone() - y1[i].clone()));
            polys.extend((0..3).map(|j| v[j].clone() - z[j].clone() * z[j].clone()));
            polys.extend((0..3).map(|i| out[i].clone() - y2[i].clone()));
            Constraints::with_selector(q, full_constraint_names().into_iter().zip(polys))
        });

        meta.create_gate(PARTIAL_GATE, |vc| {
            let q = vc.query_selector(q_partial);
            let s: [_; 3] = std::array::from_fn(|i| vc.query_advice(state[i], Rotation::cur()));
            let out: [_; 3] = std::array::from_fn(|i| vc.query_advice(state[i], Rotation(2)));
            let w1 = vc.query_advice(aux[0], Rotation::cur());
            let x2 = vc.query_advice(aux[1], Rotation::cur());
            let w2 = vc.query_advice(state[0], Rotation::next());
            let x3 = vc.query_advice(state[1], Rotation::next());
            let w3 = vc.query_advice(state[2], Rotation::next());
            let k: [_; 3] = std::array::from_fn(|i| vc.query_fixed(rc[i], Rotation::cur()));
            let kp: [_; 3] = std::array::from_fn(|i| vc.query_fixed(rc[i], Rotation::next()));
            let x1 = s[0].clone() + k[0].clone();
            let e1 = mds_partial([
                w1.clone() * w1.clone() * x1.clone(),
                s[1].clone(),
                s[2].clone(),
            ]);
            let e2 = mds_partial([
                w2.clone() * w2.clone() * x2.clone(),
                e1[1].clone(),
                e1[2].clone(),
            ]);
            let e3 = mds_partial([
                w3.clone() * w3.clone() * x3.clone(),
                e2[1].clone(),
                e2[2].clone(),
            ]);
            let mut polys = vec![
                w1 - x1.clone() * x1,
                x2.clone() - e1[0].clone() - k[1].clone(),
                w2 - x2.clone() * x2,
                x3.clone() - e2[0].clone() - k[2].clone(),
                w3 - x3.clone() * x3,
            ];
            polys.extend((0..3).map(|i| out[i].clone() - e3[i].clone() - kp[i].clone()));
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
        let mut partial = partial_constants::<F>().iter();
        for block in schedule() {
            match block {
                Block::Full(round) => {
                    s = self.full_block(w, r, round, &s);
                    r += FULL_BLOCK_ROWS;
                }
                Block::Partial(_) => {
                    let k = partial.next().expect("one per partial block");
                    s = self.partial_block(w, r, k, &s);
                    r += PARTIAL_BLOCK_ROWS;
                }
            }
        }
        debug_assert_eq!(r + 1, row + Self::PERMUTATION_ROWS);
        s
    }

    /// Full rounds `round`, `round + 1` on rows `r..r+3`; returns the state on row `r + 3`.
    fn full_block<F: CircuitField>(
        &self,
        w: &mut Writer<'_, '_, F>,
        r: usize,
        round: usize,
        s: &[Wire<F>; 3],
    ) -> [Wire<F>; 3] {
        let p = params::<F>();
        let (c, c2) = (p.round_constants[round], p.round_constants[round + 1]);
        self.config.q_full.enable(w.region, r).expect("selector");
        w.fixed(r, c);
        w.fixed(r + 1, c2);
        let x: [Value<F>; 3] = std::array::from_fn(|j| s[j].value.map(|v| v + c[j]));
        let u = [
            w.put(Col::A(0), r, square(x[0])),
            w.put(Col::A(1), r, square(x[1])),
            w.put(Col::S(0), r + 2, square(x[2])),
        ];
        let t_val = mds(std::array::from_fn(|j| sbox(u[j].value, x[j])));
        let t: [Wire<F>; 3] = std::array::from_fn(|i| w.put(Col::S(i), r + 1, t_val[i]));
        let z: [Value<F>; 3] = std::array::from_fn(|j| t[j].value.map(|v| v + c2[j]));
        let v = [
            w.put(Col::A(0), r + 1, square(z[0])),
            w.put(Col::A(1), r + 1, square(z[1])),
            w.put(Col::S(1), r + 2, square(z[2])),
        ];
        let out = mds(std::array::from_fn(|j| sbox(v[j].value, z[j])));
        std::array::from_fn(|i| w.put(Col::S(i), r + 3, out[i]))
    }

    /// Three partial rounds on rows `r..r+2` with folded constants `k`; returns the state on
    /// row `r + 2`.
    fn partial_block<F: CircuitField>(
        &self,
        w: &mut Writer<'_, '_, F>,
        r: usize,
        k: &[F; 6],
        s: &[Wire<F>; 3],
    ) -> [Wire<F>; 3] {
        self.config.q_partial.enable(w.region, r).expect("selector");
        w.fixed(r, [k[0], k[1], k[2]]);
        w.fixed(r + 1, [k[3], k[4], k[5]]);
        let x1 = s[0].value.map(|v| v + k[0]);
        let w1 = w.put(Col::A(0), r, square(x1));
        let e1 = mds([sbox(w1.value, x1), s[1].value, s[2].value]);
        let x2 = w.put(Col::A(1), r, e1[0].map(|v| v + k[1]));
        let w2 = w.put(Col::S(0), r + 1, square(x2.value));
        let e2 = mds([sbox(w2.value, x2.value), e1[1], e1[2]]);
        let x3 = w.put(Col::S(1), r + 1, e2[0].map(|v| v + k[2]));
        let w3 = w.put(Col::S(2), r + 1, square(x3.value));
        let e3 = mds([sbox(w3.value, x3.value), e2[1], e2[2]]);
        std::array::from_fn(|i| w.put(Col::S(i), r + 2, e3[i].map(|v| v + k[3 + i])))
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
        assert_eq!(PoseidonChip::PERMUTATION_ROWS, 51);
        assert_eq!(PoseidonChip::chain_rows(0), 0);
        assert_eq!(PoseidonChip::chain_rows(26), 13 * 51); // an MNIST image
        assert_eq!(schedule().count(), 4 + 19);
        // folding the constants of a partial block does not change it: the block's affine
        // part with all S-box outputs 0 and state 0 gives k' = d_3
        let p = commitment::params::<Fr>();
        let k = partial_block_constants::<Fr>(4);
        let mut s = [Fr::ZERO; 3];
        for c in &p.round_constants[4..7] {
            s = [s[0] + c[0], s[1] + c[1], s[2] + c[2]];
            s[0] = Fr::ZERO; // the S-box output, set to 0
            s = p.mds_mul(&s);
        }
        assert_eq!(k[3..], s);
        assert_eq!(k[0], p.round_constants[4][0]);
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
    // two permutations (rows 0..51 and 51..102); in each, full blocks start at rows 0 and 3,
    // partial blocks at 6 + 2i, the last full blocks at 44 and 47, the output row is 50.

    fn tampered(row: usize, col: Col) -> Result<(), Vec<VerifyFailure>> {
        let mut rng = ChaCha20Rng::seed_from_u64(3);
        let (init, msgs) = (Fr::random(&mut rng), random(&mut rng, 4));
        run(&chain(init, msgs, Some((row, col))), vec![])
    }

    #[test]
    fn tampered_state_is_rejected() {
        // (a) the state entering partial block 5 (row 6 + 10 = 16): block 4 (row 14) pins it
        assert_only_constraint(&tampered(16, Col::S(1)).unwrap_err(), 1, 6, 14);
        // the middle state t of the first full block
        assert_only_constraint(&tampered(1, Col::S(2)).unwrap_err(), 0, 5, 0);
        // the state entering the last full blocks of the second permutation (row 51 + 44)
        assert_only_constraint(&tampered(95, Col::S(0)).unwrap_err(), 1, 5, 93);
    }

    #[test]
    fn tampered_aux_is_rejected() {
        // (b) w1 and x2 of partial block 0 (aux columns)
        assert_only_constraint(&tampered(6, Col::A(0)).unwrap_err(), 1, 0, 6);
        assert_only_constraint(&tampered(6, Col::A(1)).unwrap_err(), 1, 1, 6);
        // w2, x3, w3 of the partial block at row 51 + 30 (state columns of its second row)
        assert_only_constraint(&tampered(82, Col::S(0)).unwrap_err(), 1, 2, 81);
        assert_only_constraint(&tampered(82, Col::S(1)).unwrap_err(), 1, 3, 81);
        assert_only_constraint(&tampered(82, Col::S(2)).unwrap_err(), 1, 4, 81);
        // the squares of a full block: u0, u1 (row 0), v0 (row 1), u2 and v2 (spare row 2)
        assert_only_constraint(&tampered(3, Col::A(0)).unwrap_err(), 0, 0, 3);
        assert_only_constraint(&tampered(3, Col::A(1)).unwrap_err(), 0, 1, 3);
        assert_only_constraint(&tampered(4, Col::A(0)).unwrap_err(), 0, 6, 3);
        assert_only_constraint(&tampered(5, Col::S(0)).unwrap_err(), 0, 2, 3);
        assert_only_constraint(&tampered(5, Col::S(1)).unwrap_err(), 0, 8, 3);
    }

    #[test]
    fn tampered_output_is_rejected() {
        // (c) the prover claims h + 1 as the commitment, in the output cell and the instance:
        // the last full block of the second permutation (row 51 + 47) rejects it
        let mut rng = ChaCha20Rng::seed_from_u64(3);
        let (init, msgs) = (Fr::random(&mut rng), random(&mut rng, 4));
        let honest = commitment::hash_chain(init, &msgs);
        let mut c = chain(init, msgs, Some((101, Col::S(0))));
        c.expose = true;
        assert_only_constraint(&run(&c, vec![honest + Fr::ONE]).unwrap_err(), 0, 9, 98);
    }

    #[test]
    fn tampered_copies_are_rejected() {
        let config = {
            let mut meta = ConstraintSystem::<Fr>::default();
            TestCircuit::configure(&mut meta)
        };
        let (state, input) = (config.chip.state, config.input);
        // (d) the copy of message 2 (input row 3) into the second permutation's input row
        let errs = tampered(51, Col::S(1)).unwrap_err();
        assert_copy_failures(&errs, [(state[1], 51), (input, 3)]);
        // the copy of h_1 (the first permutation's output, row 50) into it
        let errs = tampered(51, Col::S(0)).unwrap_err();
        assert_copy_failures(&errs, [(state[0], 51), (state[0], 50)]);
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
        // 3 input copies, 12 cells per full block, 8 per partial block
        assert_eq!(cells.len(), 3 + 4 * 12 + 19 * 8);
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
