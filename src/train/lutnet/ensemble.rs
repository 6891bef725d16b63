//! Ensembles of one-layer LUT networks: members that differ in their seed, size or input
//! thresholds, merged into one network whose class scores are the sums of theirs
//! ([`merge`]), so that the merged network is an ordinary LUT network and the circuit proves
//! it unchanged.

use super::{train, Checkpointing, LutTrainConfig, LutTrainReport};
use crate::data::Dataset;
use crate::error::TrainError;
use crate::model::input::InputSpec;
use crate::model::lutnet::{LutLayer, LutNet, MAX_BITS_PER_INPUT};
use crate::progress::Reporter;

/// Trains `members` networks of one layer that differ only in their seed (`cfg.seed`,
/// `cfg.seed + 1`, …) on the same data, and merges them into one network whose class
/// scores are the sums of theirs ([`merge`]): an ensemble that is itself a LUT network, so
/// the circuit proves it unchanged. The members share the thresholds (they are fitted on the
/// same training rows). No checkpoints. Returns the network and each member's report.
pub fn train_ensemble(
    data: &Dataset,
    input: &InputSpec,
    classes: usize,
    cfg: &LutTrainConfig,
    members: usize,
    reporter: &dyn Reporter,
) -> Result<(LutNet, Vec<LutTrainReport>), TrainError> {
    if cfg.layers.len() != 1 {
        return Err(TrainError::Config(
            "an ensemble is of networks of one layer".into(),
        ));
    }
    let mut nets = Vec::with_capacity(members);
    let mut reports = Vec::with_capacity(members);
    for k in 0..members.max(1) {
        let c = LutTrainConfig {
            seed: cfg.seed.wrapping_add(k as u64),
            ..cfg.clone()
        };
        let (net, report) = train(
            data,
            input,
            classes,
            &c,
            &Checkpointing::default(),
            reporter,
        )?;
        nets.push(net);
        reports.push(report);
    }
    Ok((merge(&nets)?, reports))
}

/// One network of one layer from several of one layer with the same input, classes and
/// arity: the last layer lists, class by class, each network's group of that class in turn,
/// so class `c`'s score (its group's popcount) is the sum of the networks' scores and the
/// prediction is the ensemble's vote by summed scores.
///
/// **Input encoding.** Members with the same thresholds keep them (the merged file is what
/// merging used to give). Members with different thresholds — e.g. 3 and 7 per input — are
/// merged over their union: input $i$'s thresholds are the first member's, then each
/// threshold of a later member not yet there, padded with 256 (a bit never set, which costs
/// the circuit nothing) to the longest list $B$; a member's input bit $[x_i \ge t]$ is
/// rewired to the first merged bit of input $i$ with threshold $t$, the same function of the
/// input, so every member's scores are unchanged.
///
/// # Errors
/// The networks are not all of one layer, differ in input, classes or arity, or their
/// thresholds' union has more than 255 per input.
pub fn merge(nets: &[LutNet]) -> Result<LutNet, TrainError> {
    let bad = |m: &str| {
        Err(TrainError::Config(format!(
            "cannot merge the networks: {m}"
        )))
    };
    let Some(first) = nets.first() else {
        return bad("there are none");
    };
    let classes = first.num_classes();
    let arity = first.layers()[0].arity;
    for n in nets {
        if n.layers().len() != 1 {
            return bad("a network has more than one layer");
        }
        if n.input() != first.input() || n.num_classes() != classes || n.layers()[0].arity != arity
        {
            return bad("they differ in input, classes or arity");
        }
    }
    let (bits_per_input, thresholds) = union_of_thresholds(nets).ok_or_else(|| {
        TrainError::Config(
            "cannot merge the networks: more than 255 distinct thresholds for one input".into(),
        )
    })?;
    let mut wiring = Vec::new();
    let mut tables = Vec::new();
    for c in 0..classes {
        for n in nets {
            let layer = &n.layers()[0];
            let (g, b) = (n.group_size(), n.bits_per_input());
            for k in c * g..(c + 1) * g {
                wiring.extend(layer.inputs(k).iter().map(|&bit| {
                    let (i, t) = (bit as usize / b, n.thresholds()[bit as usize]);
                    let row = &thresholds[i * bits_per_input..(i + 1) * bits_per_input];
                    let j = row.iter().position(|&u| u == t).expect("the union holds t");
                    (i * bits_per_input + j) as u32
                }));
                tables.push(layer.tables[k]);
            }
        }
    }
    LutNet::new(
        first.input().clone(),
        classes,
        bits_per_input,
        thresholds,
        vec![LutLayer {
            arity,
            wiring,
            tables,
        }],
    )
    .map_err(|e| TrainError::Data(format!("the merged network is invalid: {e}")))
}

/// The mirror image of a one-layer network over images: `mirrored(f)(x) = f(m(x))`, where
/// $m$ reverses each row of the image ($m(x)_{y,u} = x_{y,w-1-u}$). Pixel $(y, u)$ takes the
/// thresholds of pixel $(y, w-1-u)$, and a node's input bit $[x_{y,u} \ge t]$ becomes
/// $[x_{y,w-1-u} \ge t]$, the same tables. Merged with `net` ([`merge`]) it scores every
/// image as the sum of `net`'s scores for the image and its mirror image: test-time
/// mirroring, proved as an ordinary LUT network, for networks trained on mirrored images
/// (`--flip`).
///
/// # Errors
/// `net` is not of one layer or does not read an image.
pub fn mirrored(net: &LutNet) -> Result<LutNet, TrainError> {
    let Some((w, h)) = net.input().image_size() else {
        return Err(TrainError::Config(
            "only a network over images can be mirrored".into(),
        ));
    };
    if net.layers().len() != 1 || net.architecture().is_some() {
        return Err(TrainError::Config(
            "only a network of one layer can be mirrored".into(),
        ));
    }
    let b = net.bits_per_input();
    let m = |i: usize| crate::train::mirrored_pixel(i, w);
    let mut thresholds = vec![0u16; w * h * b];
    for i in 0..w * h {
        thresholds[m(i) * b..(m(i) + 1) * b].copy_from_slice(&net.thresholds()[i * b..(i + 1) * b]);
    }
    let layer = &net.layers()[0];
    let wiring = (layer.wiring.iter())
        .map(|&bit| {
            let (i, j) = (bit as usize / b, bit as usize % b);
            (m(i) * b + j) as u32
        })
        .collect();
    LutNet::new(
        net.input().clone(),
        net.num_classes(),
        b,
        thresholds,
        vec![LutLayer {
            arity: layer.arity,
            wiring,
            tables: layer.tables.clone(),
        }],
    )
    .map_err(|e| TrainError::Data(format!("the mirrored network is invalid: {e}")))
}

/// The merged input encoding of [`merge`]: `(B, thresholds)`, the first network's own when
/// all agree; `None` when an input would need more than 255.
fn union_of_thresholds(nets: &[LutNet]) -> Option<(usize, Vec<u16>)> {
    let first = &nets[0];
    if nets.iter().all(|n| {
        n.bits_per_input() == first.bits_per_input() && n.thresholds() == first.thresholds()
    }) {
        return Some((first.bits_per_input(), first.thresholds().to_vec()));
    }
    let inputs = first.input().num_inputs();
    let rows: Vec<Vec<u16>> = (0..inputs)
        .map(|i| {
            let mut row: Vec<u16> = Vec::new();
            for (k, n) in nets.iter().enumerate() {
                let b = n.bits_per_input();
                for &t in &n.thresholds()[i * b..(i + 1) * b] {
                    // the first network's list verbatim, later ones' new values only
                    if k == 0 || !row.contains(&t) {
                        row.push(t);
                    }
                }
            }
            row
        })
        .collect();
    let b = rows.iter().map(Vec::len).max().unwrap_or(1);
    if b > MAX_BITS_PER_INPUT {
        return None;
    }
    let mut out = Vec::with_capacity(inputs * b);
    for row in rows {
        out.extend(row.iter().copied().chain(std::iter::repeat(256)).take(b));
    }
    Some((b, out))
}
