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
use super::gadgets::{CircuitField, Wire};
use super::params::CircuitParams;
use crate::model::LutNet;
use halo2_proofs::circuit::{Layouter, Region, Value};
use halo2_proofs::plonk::{Advice, Column, ConstraintSystem, Error, Fixed};
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
    /// The shape.
    pub params: CircuitParams,
}

impl LutNetConfig {
    /// Allocates the chip's columns and configures every gadget.
    pub fn configure<F: CircuitField>(
        meta: &mut ConstraintSystem<F>,
        params: &CircuitParams,
    ) -> Self {
        let lp = params.lut();
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
        let compare = CompareChip::configure(meta, &range, lane_cols[0], lane_cols[1], fixed[0]);
        let constant = ConstantChip::configure(meta, lane_cols[2], fixed[1]);
        let lut = LutChip::configure(
            meta,
            &range,
            lp.arity,
            lp.chunk_bits,
            lp.rows_per_node,
            advice[..node_cols].to_vec(),
            fixed.clone(),
        );
        LutNetConfig {
            lane_cols,
            fixed,
            constant,
            range,
            compare,
            lut,
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
        let (pixels, words) = assign_inputs(
            &self.range,
            region,
            &mut rows,
            self.model.num_inputs(),
            &enc.used_inputs,
            layout,
            |i| known(&|t| F::from(t.pixels[i] as u64)),
        );
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
            let (out, kappa) = self
                .lut
                .assign(region, rows.lane, &wires, &values, table, o, mode, kappa);
            rows.lane += r_node;
            outputs.push(out);
            if let (Some(kappa), Some(j)) = (kappa, last) {
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
