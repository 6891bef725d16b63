//! `LutNetChip`: a LUT network's whole inference, composed from the gadgets. It reads like
//! [`LutNet::scores`](crate::model::LutNet::scores): input bytes → comparisons (the input
//! bits some node reads) → nodes, layer by layer → per-class counts of the last layer.
//!
//! All rows form one stream on the lane group: `a0..a4` and the range lane (equality on
//! all), plus `a5..a7` in the fast layout; fixed `key`, `thr`, `pow`, `t2`, `t3` (and
//! `t4..t7` in the fast layout). Comparisons use `a0` (input copy), `a1` (bit), the lane
//! (`d`) and `thr`; nodes use [`LutChip`]'s cells; pinned constants `a2` against `pow`.

pub mod params;
pub mod trace;

use super::chip::{assign_inputs, ChipOutput, InputLayout, Rows};
use super::gadgets::compare::{CompareChip, CompareConfig};
use super::gadgets::constant::{ConstantChip, ConstantConfig};
use super::gadgets::lut::{node_table, Count, LutChip, LutConfig, NODE_KEY};
use super::gadgets::range::{RangeChip, RangeConfig, DATA_KEY_BASE};
use super::gadgets::{assign, CircuitField, Wire};
use super::params::CircuitParams;
use crate::model::LutNet;
use halo2_proofs::circuit::{Layouter, Region, Value};
use halo2_proofs::plonk::{
    Advice, Column, ConstraintSystem, Constraints, Error, Fixed, Instance, Selector,
};
use halo2_proofs::poly::Rotation;
use trace::{LutEncoding, LutTrace, Source};

/// All columns and gadget configurations of the LUT-network chip.
#[derive(Clone, Debug)]
pub struct LutNetConfig {
    /// Lane-group advice columns `a0..a4`.
    pub lane_cols: [Column<Advice>; 5],
    /// Fixed columns shared by the gadgets on their own rows: `thr`, `pow`, `t2`, ….
    pub fixed: Vec<Column<Fixed>>,
    /// Constants pinned in `a2` against `pow`.
    pub constant: ConstantConfig,
    /// Range lane (and the node table under [`NODE_KEY`]).
    pub range: RangeConfig,
    /// Comparisons.
    pub compare: CompareConfig,
    /// Nodes.
    pub lut: LutConfig,
    /// The EVM layout's instance column and the selector of its gate `a0 = lane + κ + ι`
    /// (which ties the public rows to the instance, and also serves mirrors and constants).
    pub public: Option<(Column<Instance>, Selector)>,
    /// The shape.
    pub params: CircuitParams,
}

/// Where pinned constants go: `a = κ` under the constant gadget's own gate, or under a
/// caller's gate that implies it on the constant rows.
enum Pinned {
    Own(Column<Advice>),
    Shared(Column<Advice>, Selector),
}

impl LutNetConfig {
    /// Allocates the chip's columns and configures every gadget.
    pub fn configure<F: CircuitField>(
        meta: &mut ConstraintSystem<F>,
        params: &CircuitParams,
    ) -> Self {
        let lp = params.lut();
        if lp.evm {
            return Self::configure_evm(meta, params);
        }
        let lane_cols = [(); 5].map(|_| meta.advice_column());
        let lane = meta.advice_column();
        let node_cols = lp.node_columns();
        let mut advice: Vec<Column<Advice>> = lane_cols.to_vec();
        while advice.len() < node_cols {
            advice.push(meta.advice_column());
        }
        for &c in advice.iter().chain([&lane]) {
            meta.enable_equality(c);
        }
        let key = meta.fixed_column();
        let fixed: Vec<Column<Fixed>> = (0..lp.byte_columns())
            .map(|_| meta.fixed_column())
            .collect();
        let range = RangeChip::configure_tags(
            meta,
            lane,
            lane_cols[0],
            key,
            &params.range_tags(),
            &[8],
            vec![],
        );
        let pinned = lane_cols[2];
        Self::configure_gadgets(
            meta,
            params,
            lane_cols,
            advice,
            fixed,
            range,
            Pinned::Own(pinned),
        )
    }

    /// The EVM layout: the node cells on `a0`, `a1` (the only equality columns), the table
    /// chunks, comparison thresholds and constants on 2 fixed columns, a lookup without a
    /// data selector, and one gate for every "`a0` equals something" row (`a0 = lane + κ +
    /// ι`: input mirrors, pinned constants and public values). The statement gadgets'
    /// columns `a2..a4` are allocated only when the statement has an argmax or a Poseidon
    /// chain; otherwise `lane_cols` repeats `a0`, `a1` in their places (nothing reads them).
    fn configure_evm<F: CircuitField>(
        meta: &mut ConstraintSystem<F>,
        params: &CircuitParams,
    ) -> Self {
        let lp = params.lut();
        let st = &params.statement;
        let a0 = meta.advice_column();
        let a1 = meta.advice_column();
        let lane = meta.advice_column();
        meta.enable_equality(a0);
        meta.enable_equality(a1);
        // packed inputs (for the commitment) are copied from their limbs on the lane
        if st.commitment {
            meta.enable_equality(lane);
        }
        let lane_cols = if st.public.class() || st.commitment {
            let [a2, a3, a4] = [(); 3].map(|_| meta.advice_column());
            for c in [a2, a3, a4] {
                meta.enable_equality(c);
            }
            [a0, a1, a2, a3, a4]
        } else {
            [a0, a1, a0, a1, a0]
        };
        let key = meta.fixed_column();
        let fixed: Vec<Column<Fixed>> = (0..lp.byte_columns())
            .map(|_| meta.fixed_column())
            .collect();
        let widths: &[u32] = if st.commitment { &[8] } else { &[] };
        let range = RangeChip::configure_lean(meta, lane, a0, key, &params.range_tags(), widths);
        // a0 = lane + κ + ι: on an input row κ = 0 and ι = 0 (rows from N on), so a0 is the
        // range-checked byte; on a constant row the key is 0, so the lookup makes lane = 0,
        // and a0 = κ; on a public row (0..N) key and κ are 0, so a0 = ι
        let instance = meta.instance_column();
        let q_a0 = meta.selector();
        let kappa = fixed[1];
        meta.create_gate("a0 = lane + κ + ι", |m| {
            let q = m.query_selector(q_a0);
            let a = m.query_advice(a0, Rotation::cur());
            let l = m.query_advice(lane, Rotation::cur());
            let k = m.query_fixed(kappa, Rotation::cur());
            let i = m.query_instance(instance, Rotation::cur());
            Constraints::with_selector(q, [("a0 = lane + κ + ι", a - l - k - i)])
        });
        let advice = vec![a0, a1][..lp.node_columns()].to_vec();
        let mut c = Self::configure_gadgets(
            meta,
            params,
            lane_cols,
            advice,
            fixed,
            range,
            Pinned::Shared(a0, q_a0),
        );
        c.public = Some((instance, q_a0));
        c
    }

    fn configure_gadgets<F: CircuitField>(
        meta: &mut ConstraintSystem<F>,
        params: &CircuitParams,
        lane_cols: [Column<Advice>; 5],
        advice: Vec<Column<Advice>>,
        fixed: Vec<Column<Fixed>>,
        range: RangeConfig,
        pinned: Pinned,
    ) -> Self {
        let lp = params.lut();
        let compare = CompareChip::configure(meta, &range, lane_cols[0], lane_cols[1], fixed[0]);
        let constant = match pinned {
            Pinned::Own(a) => ConstantChip::configure(meta, a, fixed[1]),
            Pinned::Shared(a, q) => ConstantChip::configure_shared(a, fixed[1], q),
        };
        let lut = LutChip::configure(
            meta,
            &range,
            lp.arity,
            lp.chunk_bits,
            lp.rows_per_node,
            advice[..lp.node_columns()].to_vec(),
            fixed.clone(),
            lp.evm,
        );
        LutNetConfig {
            lane_cols,
            fixed,
            constant,
            range,
            compare,
            lut,
            public: None,
            params: params.clone(),
        }
    }
}

/// The LUT-network chip for one model.
#[derive(Clone, Debug)]
pub struct LutNetChip<'m> {
    config: LutNetConfig,
    model: &'m LutNet,
    encoding: LutEncoding,
    range: RangeChip,
    compare: CompareChip,
    lut: LutChip,
    constant: ConstantChip,
}

impl<'m> LutNetChip<'m> {
    /// Builds the chip for `model`, which must be the model `config.params` was derived from.
    pub fn construct(config: LutNetConfig, model: &'m LutNet) -> Self {
        let range = RangeChip::construct(config.range.clone());
        LutNetChip {
            compare: CompareChip::construct(config.compare.clone(), range.clone()),
            lut: LutChip::construct(config.lut.clone(), range.clone()),
            constant: ConstantChip::construct(config.constant.clone()),
            encoding: LutEncoding::of(model),
            range,
            model,
            config,
        }
    }

    /// The model's circuit structure.
    pub fn encoding(&self) -> &LutEncoding {
        &self.encoding
    }

    /// The chip that pins constants (in `a2`), for the enclosing circuit's own constants.
    pub fn constant(&self) -> &ConstantChip {
        &self.constant
    }

    /// Loads the lookup table: the range rows and the node table.
    pub fn load<F: CircuitField>(&self, layouter: &mut impl Layouter<F>) -> Result<(), Error> {
        let node_f = NODE_KEY - DATA_KEY_BASE;
        self.range.load(
            layouter,
            node_table(self.config.params.lut().chunk_bits).map(|v| (node_f, v, vec![])),
        )
    }

    /// Assigns the whole inference from `start`, with the witness `trace` (`None` at key
    /// generation), the inputs laid out as `layout`. Returns the outputs and the next free
    /// rows.
    pub fn assign<F: CircuitField>(
        &self,
        region: &mut Region<'_, F>,
        start: Rows,
        trace: Option<&LutTrace>,
        layout: InputLayout,
    ) -> (ChipOutput<F>, Rows) {
        let enc = &self.encoding;
        let r_node = self.config.params.lut().rows_per_node;
        let known =
            |f: &dyn Fn(&LutTrace) -> F| trace.map_or(Value::unknown(), |t| Value::known(f(t)));
        let mut rows = start;
        let pixel = |i: usize| known(&|t| F::from(t.pixels[i] as u64));
        let mirror = self.config.public.map(|(_, q)| q);
        let (pixels, words) = match (mirror, layout) {
            (Some(q), InputLayout::Used) => {
                // each byte on the lane (range-checked) and mirrored in a0 (copyable) by
                // the gate a0 = lane + κ + ι (κ = 0 here, ι = 0 below the public rows)
                let a0 = self.config.lane_cols[0];
                let mut cells = vec![None; self.model.num_inputs()];
                for &i in &enc.used_inputs {
                    self.range.witness_check(region, rows.lane, pixel(i), 8);
                    let mirror = match trace.and_then(|t| t.prank_mirror) {
                        Some((j, v)) if j == i => Value::known(F::from(v)),
                        _ => pixel(i),
                    };
                    cells[i] = Some(assign(region, a0, rows.lane, mirror));
                    q.enable(region, rows.lane).expect("selector");
                    rows.lane += 1;
                }
                (cells, vec![])
            }
            _ => assign_inputs(
                &self.range,
                region,
                &mut rows,
                self.model.num_inputs(),
                &enc.used_inputs,
                layout,
                pixel,
            ),
        };
        let mut consts: [Option<Wire<F>>; 2] = [None, None];
        for (c, slot) in consts.iter_mut().enumerate() {
            if enc.constants[c] {
                *slot = Some(self.constant.assign(region, rows.lane, F::from(c as u64)));
                rows.lane += 1;
            }
        }
        let mut bits = Vec::with_capacity(enc.comparisons.len());
        for (i, &(input, t)) in enc.comparisons.iter().enumerate() {
            let x = pixels[input]
                .as_ref()
                .expect("compared inputs are laid out");
            let b = trace.map_or(Value::unknown(), |tr| Value::known(tr.bits[i]));
            bits.push(self.compare.assign(region, rows.lane, x, t, b));
            rows.lane += 1;
        }
        let mut outputs: Vec<Wire<F>> = Vec::with_capacity(enc.nodes());
        let mut scores = Vec::with_capacity(self.model.num_classes());
        let mut prev_kappa: Option<Wire<F>> = None;
        for (k, (ins, &table)) in enc.node_inputs.iter().zip(&enc.tables).enumerate() {
            let wires: Vec<Wire<F>> = ins
                .iter()
                .map(|s| match *s {
                    Source::Compare(i) => bits[i],
                    Source::Constant(c) => consts[c as usize].expect("pinned"),
                    Source::Node(j) => outputs[j],
                })
                .collect();
            let values: Vec<Value<F>> = (0..wires.len())
                .map(|j| known(&|t| F::from(t.inputs[k][j] as u64)))
                .collect();
            let o = known(&|t| F::from(t.outputs[k] as u64));
            let last = k.checked_sub(enc.last_layer_start);
            let mode = match last {
                None => Count::None,
                Some(j) if j % enc.group == 0 => Count::Start,
                Some(_) => Count::Continue,
            };
            let kappa = match last {
                Some(j) => known(&|t| F::from(t.counts[j] as u64)),
                None => Value::unknown(),
            };
            let prev = if mode == Count::Continue {
                prev_kappa.as_ref()
            } else {
                None
            };
            let product = trace
                .and_then(|t| t.prank_product)
                .and_then(|(j, v)| (j == k).then(|| Value::known(F::from(v))));
            let (out, kappa) = self.lut.assign(
                region, rows.lane, &wires, &values, table, o, mode, kappa, prev, product,
            );
            rows.lane += r_node;
            outputs.push(out);
            prev_kappa = kappa;
            if let (Some(kappa), Some(j)) = (prev_kappa, last) {
                if j % enc.group == enc.group - 1 {
                    scores.push(kappa);
                }
            }
        }
        (
            ChipOutput {
                scores,
                pixels,
                words,
            },
            rows,
        )
    }
}
