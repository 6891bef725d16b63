//! One trainable layer of shared-table nodes (a convolution's leaves or roots, a pooling
//! layer, a fully connected layer): forward pass, backward pass and the Adam steps of its
//! tables and mapping.
//!
//! At position $p$, slot $j$ of kernel node $k$ reads input bit
//! $x_{\text{base}_p + \text{off}_{c_{k,j}}}$, where $c_{k,j}$ is the slot's chosen
//! candidate — the row-wise argmax of the mapping weights $W \in \mathbb{R}^{S \times O}$
//! ($S = K n$ slots, $O$ candidate offsets), shared by every position. Gradients:
//!
//! - table entry read: $\partial L/\partial T_k\[a\] = \sum_{b,p} g_{b,p,k}$ over the samples
//!   and positions whose address was $a$ (the straight-through output gradient $g$);
//! - slot: $g_{b,p,k,j} = g_{b,p,k} \, \mathrm{EFD}_j(T_k)\[a\]$ ([`efd`]);
//! - input bit: the sum of the slot gradients of the slots that read it;
//! - mapping: $\partial L / \partial W_{s,o} = \sum_{b,p} g_{b,p,s}\,(2 x_{b, \text{base}_p +
//!   \text{off}_o} - 1)$ — one GEMM over the patches laid out as rows (im2col).
//!
//! Every loop writes memory no other iteration writes and reduces in a fixed order, so a
//! step is deterministic whatever the thread count.

use super::super::efd;
use super::super::optim::{adam, argmax_f32, mapping_update, Moments};
use crate::model::lutnet::arch::{LayerGeom, Wiring};
use rand::Rng;
use rand_chacha::ChaCha8Rng;
use rayon::prelude::*;
use serde::{Deserialize, Serialize};

/// The trainable state of one layer (its geometry is rebuilt from the architecture).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub(crate) struct LayerParams {
    /// `K × 2^n` real tables (fixed-table layers: ±1, never updated).
    pub tables: Vec<f32>,
    pub table_moments: Moments,
    /// Learned mapping `S × O` (empty for fixed wiring or once frozen).
    pub weights: Vec<f32>,
    pub weight_moments: Moments,
    /// Slot → chosen candidate.
    pub choice: Vec<u32>,
}

impl LayerParams {
    pub(crate) fn new(g: &LayerGeom, rng: &mut ChaCha8Rng) -> Self {
        let n = g.arity;
        let entries = 1usize << n;
        let k = g.kernel_nodes();
        let tables: Vec<f32> = match g.fixed_table {
            Some(t) => (0..k)
                .flat_map(|_| (0..entries).map(move |a| if t >> a & 1 == 1 { 1.0 } else { -1.0 }))
                .collect(),
            None => (0..k * entries).map(|_| rng.gen_range(-1.0..1.0)).collect(),
        };
        let (weights, choice) = match &g.wiring {
            Wiring::Fixed(c) => (vec![], c.clone()),
            Wiring::Learned => {
                let o = g.offsets.len();
                let w: Vec<f32> = (0..k * n * o).map(|_| rng.gen::<f32>()).collect();
                let c = w.chunks(o).map(|r| argmax_f32(r) as u32).collect();
                (w, c)
            }
        };
        LayerParams {
            table_moments: if g.fixed_table.is_some() {
                Moments::default()
            } else {
                Moments::new(tables.len())
            },
            tables,
            weight_moments: Moments::new(weights.len()),
            weights,
            choice,
        }
    }

    /// Whether the mapping is still learned.
    pub(crate) fn learns_mapping(&self) -> bool {
        !self.weights.is_empty()
    }

    /// Freezes the mapping (the wiring stays as chosen).
    pub(crate) fn freeze_mapping(&mut self) {
        self.weights = vec![];
        self.weight_moments = Moments::default();
    }

    /// The discrete truth tables (entry `a` set when `T[a] > 0`).
    pub(crate) fn bool_tables(&self, n: usize) -> Vec<u64> {
        self.tables
            .chunks(1 << n)
            .map(|t| {
                t.iter()
                    .enumerate()
                    .fold(0u64, |acc, (a, &v)| acc | ((v > 0.0) as u64) << a)
            })
            .collect()
    }
}

/// Per-layer buffers of one batch.
#[derive(Default)]
pub(crate) struct LayerBuf {
    /// `B × (P·K)` addresses and outputs.
    pub addr: Vec<u8>,
    pub out: Vec<u8>,
}

/// Scratch buffers of a backward pass.
#[derive(Default)]
pub(crate) struct BackScratch {
    deriv: Vec<f32>,
    gt: Vec<f32>,
    /// Slot-major `S × (B·P)`.
    gslot: Vec<f32>,
    /// im2col `(B·P) × O` of ±1.
    xpm: Vec<f32>,
    gw: Vec<f32>,
}

/// Input offsets of the slots: `off[c_{k,j}]`.
fn wires(g: &LayerGeom, p: &LayerParams) -> Vec<u32> {
    p.choice.iter().map(|&c| g.offsets[c as usize]).collect()
}

/// The forward pass of a batch: `x` is `B × input_len`.
pub(crate) fn forward(g: &LayerGeom, p: &LayerParams, x: &[u8], batch: usize, buf: &mut LayerBuf) {
    let n = g.arity;
    let kn = g.kernel_nodes();
    let width = g.nodes();
    let il = g.input_len;
    let wire = wires(g, p);
    buf.addr.resize(batch * width, 0);
    buf.out.resize(batch * width, 0);
    buf.addr
        .par_chunks_mut(width)
        .zip(buf.out.par_chunks_mut(width))
        .enumerate()
        .for_each(|(b, (ab, ob))| {
            let xb = &x[b * il..(b + 1) * il];
            for (pi, &base) in g.bases.iter().enumerate() {
                let xp = &xb[base as usize..];
                for k in 0..kn {
                    let w = &wire[k * n..(k + 1) * n];
                    let mut a = 0usize;
                    for (j, &o) in w.iter().enumerate() {
                        a |= (xp[o as usize] as usize) << j;
                    }
                    let i = pi * kn + k;
                    ab[i] = a as u8;
                    ob[i] = (p.tables[(k << n) | a] > 0.0) as u8;
                }
            }
        });
}

/// The backward pass of a batch: `gy` is `B × (P·K)`; fills `gx` (`B × input_len`) when
/// asked, and takes the Adam steps of the tables and (while learned) the mapping.
#[allow(clippy::too_many_arguments)]
pub(crate) fn backward(
    g: &LayerGeom,
    p: &mut LayerParams,
    x: &[u8],
    batch: usize,
    buf: &LayerBuf,
    gy: &[f32],
    gx: Option<&mut Vec<f32>>,
    s: &mut BackScratch,
    lr_t: f32,
) {
    let n = g.arity;
    let entries = 1usize << n;
    let half = entries / 2;
    let kn = g.kernel_nodes();
    let np = g.positions();
    let width = g.nodes();
    let bp = batch * np;
    let learn_tables = g.fixed_table.is_none();
    let learn_map = p.learns_mapping();
    let need_slots = gx.is_some() || learn_map;

    s.deriv.resize(kn * n * half, 0.0);
    s.deriv
        .par_chunks_mut(n * half)
        .zip(p.tables.par_chunks(entries))
        .for_each(|(d, t)| efd::derivatives(t, n, d));
    s.gt.clear();
    s.gt.resize(kn * entries, 0.0);
    if need_slots {
        s.gslot.resize(kn * n * bp, 0.0);
    }
    {
        let deriv = &s.deriv;
        let addr = &buf.addr;
        let gslot: &mut [f32] = if need_slots { &mut s.gslot } else { &mut [] };
        let chunk = if need_slots { n * bp } else { 0 };
        let job = |k: usize, gt: &mut [f32], gs: &mut [f32]| {
            let dk = &deriv[k * n * half..(k + 1) * n * half];
            for b in 0..batch {
                for pi in 0..np {
                    let i = b * width + pi * kn + k;
                    let gv = gy[i];
                    let a = addr[i] as usize;
                    gt[a] += gv;
                    if need_slots {
                        let col = b * np + pi;
                        for j in 0..n {
                            gs[j * bp + col] = gv * dk[j * half + efd::drop_bit(a, j)];
                        }
                    }
                }
            }
        };
        if need_slots {
            s.gt.par_chunks_mut(entries)
                .zip(gslot.par_chunks_mut(chunk))
                .enumerate()
                .for_each(|(k, (gt, gs))| job(k, gt, gs));
        } else {
            s.gt.par_chunks_mut(entries)
                .enumerate()
                .for_each(|(k, gt)| job(k, gt, &mut []));
        }
    }
    if let Some(gx) = gx {
        let il = g.input_len;
        let wire = wires(g, p);
        gx.clear();
        gx.resize(batch * il, 0.0);
        let gslot = &s.gslot;
        gx.par_chunks_mut(il).enumerate().for_each(|(b, gxb)| {
            for (pi, &base) in g.bases.iter().enumerate() {
                let col = b * np + pi;
                for (slot, &o) in wire.iter().enumerate() {
                    gxb[base as usize + o as usize] += gslot[slot * bp + col];
                }
            }
        });
    }
    if learn_map {
        mapping_step(g, p, x, batch, s, lr_t);
    }
    if learn_tables {
        let gt = &s.gt;
        p.tables
            .par_chunks_mut(entries)
            .zip(p.table_moments.m.par_chunks_mut(entries))
            .zip(p.table_moments.v.par_chunks_mut(entries))
            .zip(gt.par_chunks(entries))
            .for_each(|(((w, m), v), g)| adam(w, g, m, v, lr_t, -1.0, 1.0));
    }
}

/// The mapping's gradient `gW = G · X±` (im2col), its Adam step and the new choices.
fn mapping_step(
    g: &LayerGeom,
    p: &mut LayerParams,
    x: &[u8],
    batch: usize,
    s: &mut BackScratch,
    lr_t: f32,
) {
    let o = g.offsets.len();
    let np = g.positions();
    let bp = batch * np;
    let il = g.input_len;
    let slots = g.kernel_nodes() * g.arity;
    s.xpm.resize(bp * o, 0.0);
    s.xpm.par_chunks_mut(o).enumerate().for_each(|(row, xr)| {
        let (b, pi) = (row / np, row % np);
        let xp = &x[b * il + g.bases[pi] as usize..];
        for (v, &off) in xr.iter_mut().zip(&g.offsets) {
            *v = 2.0 * xp[off as usize] as f32 - 1.0;
        }
    });
    mapping_update(
        &s.gslot[..slots * bp],
        &s.xpm,
        bp,
        &mut p.weights,
        &mut p.weight_moments,
        &mut p.choice,
        lr_t,
        &mut s.gw,
    );
}
