//! Deep LUT-network architectures: convolutional kernels, OR pooling and fully connected
//! layers, and how they unroll into the plain layers of a [`LutNet`](super::LutNet).
//!
//! An architecture is a list of stages over a grid of bits $(w, h, c)$ — the thermometer
//! bits of an image form the grid $(W, H, B)$, bit $(y W + x) B + j$ being
//! $[x_{y,x} \ge t_j]$:
//!
//! - `conv(K,S,C,T)`: $C$ kernels applied at stride $S$ to every $K \times K$ patch
//!   ($w' = \lfloor (w - K)/S \rfloor + 1$). A kernel is a small tree: $T$ leaf nodes of arity
//!   $n$, each reading $n$ bits of the patch (the same patch offsets and the same truth table
//!   at every position — weight sharing), then, when $T > 1$, one root node of arity $T$
//!   reading its kernel's leaves. Output grid $(w', h', C)$.
//! - `pool(P)`: logical OR over each $P \times P$ window of a channel, stride $P$
//!   (a node of arity $P^2$ whose table is OR). Output grid $(\lfloor w/P \rfloor,
//!   \lfloor h/P \rfloor, c)$.
//! - `fc(N)`: $N$ nodes of arity $n$, each reading any $n$ bits of the flattened grid;
//!   `fc(N,in)` reads the input bits too (the flattened grid follows them).
//!
//! The last stage must be `fc` (its nodes form the class groups). Each stage unrolls into
//! one or two plain [`LutLayer`](super::LutLayer)s: one node per (position, kernel node),
//! position-major, whose wiring points at absolute bit indices and whose truth table is the
//! kernel node's — so the model file, inference and the circuit treat a deep network as the
//! layered LUT network it is, and a proof covers every evaluation.
//!
//! The text form, kept in the model file as a description, is the stages joined by commas:
//! `conv(4,2,8,4),pool(2),fc(2000,in)`.

use std::fmt;

/// Most stages in an architecture.
pub const MAX_STAGES: usize = 16;

/// One stage of an architecture (see the module doc).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Stage {
    /// Shared kernels over patches.
    Conv {
        /// Patch side `K`.
        kernel: usize,
        /// Stride `S`.
        stride: usize,
        /// Kernels (output channels) `C`.
        channels: usize,
        /// Leaves per kernel `T` (1: a single node).
        leaves: usize,
    },
    /// OR over `size × size` windows.
    Pool {
        /// Window side `P` (also the stride).
        size: usize,
    },
    /// Fully connected nodes.
    Fc {
        /// Nodes `N`.
        nodes: usize,
        /// Also read the input bits.
        with_input: bool,
    },
}

impl fmt::Display for Stage {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match *self {
            Stage::Conv {
                kernel,
                stride,
                channels,
                leaves,
            } => write!(f, "conv({kernel},{stride},{channels},{leaves})"),
            Stage::Pool { size } => write!(f, "pool({size})"),
            Stage::Fc { nodes, with_input } => {
                write!(f, "fc({nodes}{})", if with_input { ",in" } else { "" })
            }
        }
    }
}

/// A deep architecture: its stages, first to last.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Arch {
    /// The stages.
    pub stages: Vec<Stage>,
}

impl fmt::Display for Arch {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let parts: Vec<String> = self.stages.iter().map(|s| s.to_string()).collect();
        f.write_str(&parts.join(","))
    }
}

impl std::str::FromStr for Arch {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, String> {
        let mut stages = Vec::new();
        let mut rest = s.trim();
        while !rest.is_empty() {
            let open = rest
                .find('(')
                .ok_or_else(|| format!("`{rest}`: expected conv(..), pool(..) or fc(..)"))?;
            let close = rest[open..]
                .find(')')
                .map(|c| open + c)
                .ok_or_else(|| format!("`{rest}`: missing `)`"))?;
            let name = rest[..open].trim();
            let args: Vec<&str> = rest[open + 1..close].split(',').map(str::trim).collect();
            let num = |i: usize| -> Result<usize, String> {
                let a = args
                    .get(i)
                    .ok_or_else(|| format!("{name}(..): argument {} is missing", i + 1))?;
                a.parse::<usize>()
                    .ok()
                    .filter(|&v| (1..=1 << 20).contains(&v))
                    .ok_or_else(|| format!("{name}(..): `{a}` is not a count in 1..=1048576"))
            };
            let arity = |n: usize| -> Result<(), String> {
                if args.len() == n {
                    Ok(())
                } else {
                    Err(format!(
                        "{name}(..) takes {n} arguments, not {}",
                        args.len()
                    ))
                }
            };
            let stage = match name {
                "conv" => {
                    arity(4)?;
                    Stage::Conv {
                        kernel: num(0)?,
                        stride: num(1)?,
                        channels: num(2)?,
                        leaves: num(3)?,
                    }
                }
                "pool" => {
                    arity(1)?;
                    Stage::Pool { size: num(0)? }
                }
                "fc" => {
                    let with_input = match args.get(1) {
                        None => false,
                        Some(&"in") if args.len() == 2 => true,
                        Some(a) => return Err(format!("fc(..): `{a}` should be `in`")),
                    };
                    Stage::Fc {
                        nodes: num(0)?,
                        with_input,
                    }
                }
                other => return Err(format!("unknown stage `{other}` (conv, pool or fc)")),
            };
            stages.push(stage);
            if stages.len() > MAX_STAGES {
                return Err(format!("more than {MAX_STAGES} stages"));
            }
            rest = rest[close + 1..].trim_start();
            if let Some(r) = rest.strip_prefix(',') {
                rest = r.trim_start();
                if rest.is_empty() {
                    return Err("a trailing comma".into());
                }
            } else if !rest.is_empty() {
                return Err(format!("`{rest}`: stages are separated by commas"));
            }
        }
        if stages.is_empty() {
            return Err("no stages".into());
        }
        Ok(Arch { stages })
    }
}

/// A grid of bits: `w × h` positions of `c` channels, position-major
/// (bit `(y·w + x)·c + ch`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Grid {
    /// Width.
    pub w: usize,
    /// Height.
    pub h: usize,
    /// Channels.
    pub c: usize,
}

impl Grid {
    /// Bits in the grid.
    pub fn len(&self) -> usize {
        self.w * self.h * self.c
    }
    /// True when the grid holds no bits.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

/// How the slots of a layer's nodes choose their inputs.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Wiring {
    /// Learned in training (any candidate offset).
    Learned,
    /// Fixed: slot `k·n + j` reads candidate `fixed[k·n + j]`.
    Fixed(Vec<u32>),
}

/// One unrolled layer of shared-table nodes: at each of `positions` positions, `kernel_nodes`
/// nodes of arity `arity`; slot `j` of kernel node `k` at position `p` reads bit
/// `base[p] + offsets[choice[k·n + j]]` of the layer's input vector.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct LayerGeom {
    /// A name for messages (`conv1 leaves`, `pool1`, `fc2`, …).
    pub name: String,
    /// Length of the input vector (the previous layer's outputs, after the input bits for a
    /// layer that reads them too).
    pub input_len: usize,
    /// Whether the input vector starts with the network's input bits (`fc(N,in)`, and the
    /// first layer).
    pub reads_input: bool,
    /// Output grid (`c` = kernel nodes).
    pub out: Grid,
    /// Inputs per node.
    pub arity: usize,
    /// Start of each position's patch in the input vector.
    pub bases: Vec<u32>,
    /// Candidate offsets from a base.
    pub offsets: Vec<u32>,
    /// How slots choose among the candidates.
    pub wiring: Wiring,
    /// A fixed truth table shared by every node (pooling: OR); `None`: learned tables.
    pub fixed_table: Option<u64>,
}

impl LayerGeom {
    /// Positions.
    pub fn positions(&self) -> usize {
        self.bases.len()
    }
    /// Kernel nodes (distinct truth tables).
    pub fn kernel_nodes(&self) -> usize {
        self.out.c
    }
    /// Node evaluations (positions × kernel nodes).
    pub fn nodes(&self) -> usize {
        self.positions() * self.kernel_nodes()
    }
}

/// The truth table of OR over `n` inputs.
pub fn or_table(n: usize) -> u64 {
    let entries = 1u32 << n;
    let all = if entries == 64 {
        u64::MAX
    } else {
        (1u64 << entries) - 1
    };
    all & !1
}

impl Arch {
    /// The unrolled layers over an input grid, with node arity `arity` for leaves and fully
    /// connected nodes.
    pub fn layers(&self, input: Grid, arity: usize) -> Result<Vec<LayerGeom>, String> {
        let mut out = Vec::new();
        let mut grid = input;
        let mut prev_len = input.len();
        let mut first = true;
        let (mut nconv, mut npool, mut nfc) = (0, 0, 0);
        for (i, stage) in self.stages.iter().enumerate() {
            let last = i + 1 == self.stages.len();
            match *stage {
                Stage::Conv {
                    kernel,
                    stride,
                    channels,
                    leaves,
                } => {
                    nconv += 1;
                    if kernel > grid.w || kernel > grid.h {
                        return Err(format!(
                            "conv{nconv}: a {kernel}×{kernel} kernel does not fit a {}×{} grid",
                            grid.w, grid.h
                        ));
                    }
                    if leaves > super::MAX_ARITY || (leaves > 1 && leaves < super::MIN_ARITY) {
                        return Err(format!(
                            "conv{nconv}: {leaves} leaves; a root reads 2..={} (or use 1)",
                            super::MAX_ARITY
                        ));
                    }
                    if kernel * kernel * grid.c < arity {
                        return Err(format!(
                            "conv{nconv}: a {kernel}×{kernel}×{} patch has fewer bits than a \
                             node's {arity} inputs",
                            grid.c
                        ));
                    }
                    let ow = (grid.w - kernel) / stride + 1;
                    let oh = (grid.h - kernel) / stride + 1;
                    let mut bases = Vec::with_capacity(ow * oh);
                    for y in 0..oh {
                        for x in 0..ow {
                            bases.push(((y * stride * grid.w + x * stride) * grid.c) as u32);
                        }
                    }
                    let mut offsets = Vec::with_capacity(kernel * kernel * grid.c);
                    for dy in 0..kernel {
                        for dx in 0..kernel {
                            for ch in 0..grid.c {
                                offsets.push(((dy * grid.w + dx) * grid.c + ch) as u32);
                            }
                        }
                    }
                    let leaf_grid = Grid {
                        w: ow,
                        h: oh,
                        c: channels * leaves,
                    };
                    out.push(LayerGeom {
                        name: if leaves > 1 {
                            format!("conv{nconv} leaves")
                        } else {
                            format!("conv{nconv}")
                        },
                        input_len: prev_len,
                        reads_input: first,
                        out: leaf_grid,
                        arity,
                        bases: bases.clone(),
                        offsets,
                        wiring: Wiring::Learned,
                        fixed_table: None,
                    });
                    if leaves > 1 {
                        let per = channels * leaves;
                        out.push(LayerGeom {
                            name: format!("conv{nconv} roots"),
                            input_len: leaf_grid.len(),
                            reads_input: false,
                            out: Grid {
                                w: ow,
                                h: oh,
                                c: channels,
                            },
                            arity: leaves,
                            bases: (0..ow * oh).map(|p| (p * per) as u32).collect(),
                            offsets: (0..per as u32).collect(),
                            wiring: Wiring::Fixed((0..per as u32).collect()),
                            fixed_table: None,
                        });
                    }
                    grid = Grid {
                        w: ow,
                        h: oh,
                        c: channels,
                    };
                }
                Stage::Pool { size } => {
                    npool += 1;
                    if size < 2
                        || size * size > super::MAX_ARITY.max(4)
                        || size > grid.w.min(grid.h)
                    {
                        return Err(format!(
                            "pool{npool}: a {size}×{size} window (2×2 is the largest node) on a \
                             {}×{} grid",
                            grid.w, grid.h
                        ));
                    }
                    let (ow, oh) = (grid.w / size, grid.h / size);
                    let mut bases = Vec::with_capacity(ow * oh);
                    for y in 0..oh {
                        for x in 0..ow {
                            bases.push(((y * size * grid.w + x * size) * grid.c) as u32);
                        }
                    }
                    let mut offsets = Vec::new();
                    for dy in 0..size {
                        for dx in 0..size {
                            for ch in 0..grid.c {
                                offsets.push(((dy * grid.w + dx) * grid.c + ch) as u32);
                            }
                        }
                    }
                    let n = size * size;
                    let mut fixed = Vec::with_capacity(grid.c * n);
                    for ch in 0..grid.c {
                        for j in 0..n {
                            fixed.push((j * grid.c + ch) as u32);
                        }
                    }
                    out.push(LayerGeom {
                        name: format!("pool{npool}"),
                        input_len: prev_len,
                        reads_input: first,
                        out: Grid {
                            w: ow,
                            h: oh,
                            c: grid.c,
                        },
                        arity: n,
                        bases,
                        offsets,
                        wiring: Wiring::Fixed(fixed),
                        fixed_table: Some(or_table(n)),
                    });
                    grid = Grid {
                        w: ow,
                        h: oh,
                        c: grid.c,
                    };
                }
                Stage::Fc { nodes, with_input } => {
                    nfc += 1;
                    let reads_input = first || with_input;
                    let len = if with_input && !first {
                        input.len() + prev_len
                    } else {
                        prev_len
                    };
                    if len < arity {
                        return Err(format!("fc{nfc}: {len} input bits for nodes of {arity}"));
                    }
                    out.push(LayerGeom {
                        name: format!("fc{nfc}"),
                        input_len: len,
                        reads_input,
                        out: Grid {
                            w: 1,
                            h: 1,
                            c: nodes,
                        },
                        arity,
                        bases: vec![0],
                        offsets: (0..len as u32).collect(),
                        wiring: Wiring::Learned,
                        fixed_table: None,
                    });
                    grid = Grid {
                        w: 1,
                        h: 1,
                        c: nodes,
                    };
                }
            }
            if last && !matches!(stage, Stage::Fc { .. }) {
                return Err(
                    "the last stage must be fc(..): its nodes form the class groups".into(),
                );
            }
            prev_len = grid.len();
            first = false;
            if out.iter().map(LayerGeom::nodes).sum::<usize>() > super::MAX_NODES {
                return Err(format!("more than {} node evaluations", super::MAX_NODES));
            }
        }
        Ok(out)
    }
}

/// Unrolls trained layers into plain [`LutLayer`](super::LutLayer)s: `choices[l]` (slot →
/// candidate) and `tables[l]` (one per kernel node) of each geometry layer; `input_bits` is
/// the network's input bit count.
pub fn unroll(
    geoms: &[LayerGeom],
    choices: &[Vec<u32>],
    tables: &[Vec<u64>],
    input_bits: usize,
) -> Vec<super::LutLayer> {
    let mut layers = Vec::with_capacity(geoms.len());
    let mut prev_start = 0usize; // β index of the previous layer's first output
    let mut next_start = input_bits; // β index of this layer's first output
    for (l, g) in geoms.iter().enumerate() {
        let n = g.arity;
        let k_count = g.kernel_nodes();
        // β index of input-vector entry `i`
        let beta = |i: usize| -> u32 {
            if l == 0 {
                i as u32
            } else if g.reads_input {
                if i < input_bits {
                    i as u32
                } else {
                    (prev_start + i - input_bits) as u32
                }
            } else {
                (prev_start + i) as u32
            }
        };
        let mut wiring = Vec::with_capacity(g.nodes() * n);
        let mut node_tables = Vec::with_capacity(g.nodes());
        for &base in &g.bases {
            for k in 0..k_count {
                for j in 0..n {
                    let c = choices[l][k * n + j] as usize;
                    wiring.push(beta(base as usize + g.offsets[c] as usize));
                }
                node_tables.push(tables[l][k]);
            }
        }
        layers.push(super::LutLayer {
            arity: n,
            wiring,
            tables: node_tables,
        });
        prev_start = next_start;
        next_start += g.nodes();
    }
    layers
}

/// The input grid of a model: an image's `(W, H, B)`, or a row's `(1, 1, N·B)`.
pub fn input_grid(input: &crate::model::InputSpec, bits_per_input: usize) -> Grid {
    match input.image_size() {
        Some((w, h)) => Grid {
            w,
            h,
            c: bits_per_input,
        },
        None => Grid {
            w: 1,
            h: 1,
            c: input.num_inputs() * bits_per_input,
        },
    }
}

/// Checks that `layers` (over `input_bits` input bits arranged as `grid`) are exactly `arch`
/// unrolled: the same layer sizes and arities, at every position the same truth table and
/// the same patch offsets as at the first position, pooling tables OR and fixed wiring as
/// the architecture fixes it. Returns what differs first.
pub fn check(arch: &Arch, grid: Grid, layers: &[super::LutLayer]) -> Result<(), String> {
    let leading_pools = arch
        .stages
        .iter()
        .take_while(|s| matches!(s, Stage::Pool { .. }))
        .count();
    let arity = layers
        .get(leading_pools)
        .map(|l| l.arity)
        .ok_or("fewer layers than the architecture has")?;
    let geoms = arch.layers(grid, arity)?;
    if geoms.len() != layers.len() {
        return Err(format!(
            "it unrolls into {} layers, the model has {}",
            geoms.len(),
            layers.len()
        ));
    }
    let input_bits = grid.len();
    let mut prev_start = 0usize;
    let mut start = input_bits;
    for (l, (g, layer)) in geoms.iter().zip(layers).enumerate() {
        let name = &g.name;
        if layer.arity != g.arity || layer.nodes() != g.nodes() {
            return Err(format!(
                "{name} should be {} nodes of arity {}, the model's layer {l} has {} of arity {}",
                g.nodes(),
                g.arity,
                layer.nodes(),
                layer.arity
            ));
        }
        let n = g.arity;
        let kn = g.kernel_nodes();
        // input-vector index of β index `w`, and back
        let index_of = |w: usize| -> Option<usize> {
            if l == 0 || (g.reads_input && w < input_bits) {
                Some(w)
            } else if w >= prev_start {
                Some(w - prev_start + if g.reads_input { input_bits } else { 0 })
            } else {
                None
            }
        };
        let beta = |i: usize| -> usize {
            if l == 0 || (g.reads_input && i < input_bits) {
                i
            } else {
                prev_start + i - if g.reads_input { input_bits } else { 0 }
            }
        };
        let candidate: std::collections::HashMap<u32, u32> = g
            .offsets
            .iter()
            .enumerate()
            .map(|(c, &o)| (o, c as u32))
            .collect();
        for k in 0..kn {
            let table = layer.tables[k];
            if let Some(t) = g.fixed_table {
                if table != t {
                    return Err(format!("{name}: node {k}'s table is not OR"));
                }
            }
            for j in 0..n {
                let w = layer.wiring[k * n + j] as usize;
                let off = index_of(w)
                    .and_then(|i| i.checked_sub(g.bases[0] as usize))
                    .and_then(|o| candidate.get(&(o as u32)).map(|&c| (o, c)));
                let Some((off, c)) = off else {
                    return Err(format!(
                        "{name}: kernel node {k} input {j} reads bit {w}, outside its patch"
                    ));
                };
                if let Wiring::Fixed(f) = &g.wiring {
                    if f[k * n + j] != c {
                        return Err(format!(
                            "{name}: node {k} input {j} is not the architecture's fixed wire"
                        ));
                    }
                }
                for (p, &base) in g.bases.iter().enumerate().skip(1) {
                    let node = p * kn + k;
                    if layer.wiring[node * n + j] as usize != beta(base as usize + off) {
                        return Err(format!(
                            "{name}: kernel node {k} input {j} reads another patch offset at \
                             position {p} than at position 0"
                        ));
                    }
                }
            }
            for p in 1..g.positions() {
                if layer.tables[p * kn + k] != table {
                    return Err(format!(
                        "{name}: kernel node {k} has another truth table at position {p} than \
                         at position 0"
                    ));
                }
            }
        }
        prev_start = start;
        start += layer.nodes();
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_and_prints() {
        let a: Arch = "conv(4,2,8,4), pool(2),fc(2000,in)".parse().unwrap();
        assert_eq!(a.to_string(), "conv(4,2,8,4),pool(2),fc(2000,in)");
        for bad in [
            "",
            "conv(4,2,8)",
            "fc(0)",
            "fc(10,out)",
            "pool(2)fc(10)",
            "fc(10),",
            "x(1)",
        ] {
            assert!(bad.parse::<Arch>().is_err(), "{bad}");
        }
    }

    #[test]
    fn geometry_of_a_small_network() {
        let a: Arch = "conv(3,1,2,2),pool(2),fc(10,in)".parse().unwrap();
        let g = a.layers(Grid { w: 6, h: 6, c: 1 }, 3).unwrap();
        assert_eq!(g.len(), 4);
        assert_eq!(g[0].positions(), 16); // 4×4
        assert_eq!(g[0].kernel_nodes(), 4); // 2 channels × 2 leaves
        assert_eq!(g[0].offsets.len(), 9);
        assert_eq!(g[1].arity, 2);
        assert_eq!(g[2].positions(), 4); // 2×2 windows over 4×4
        assert_eq!(g[2].fixed_table, Some(0b1110 | 0xFFF0));
        assert_eq!(g[3].input_len, 36 + 8);
        assert!("conv(3,1,2,2),pool(2)"
            .parse::<Arch>()
            .unwrap()
            .layers(Grid { w: 6, h: 6, c: 1 }, 3)
            .is_err());
    }

    #[test]
    fn or_tables() {
        assert_eq!(or_table(2), 0b1110);
        assert_eq!(or_table(6), u64::MAX - 1);
    }
}
