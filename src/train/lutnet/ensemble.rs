//! Ensembles of one-layer LUT networks: members that differ only in their seed, merged into
//! one network whose class scores are the sums of theirs ([`merge`]), so that the merged
//! network is an ordinary LUT network and the circuit proves it unchanged.

use super::{train, Checkpointing, LutTrainConfig, LutTrainReport};
use crate::data::Dataset;
use crate::error::TrainError;
use crate::model::input::InputSpec;
use crate::model::lutnet::{LutLayer, LutNet};
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

/// One network of one layer from several of one layer with the same input, classes, arity
/// and thresholds: the last layer lists, class by class, each network's group of that class
/// in turn, so class `c`'s score (its group's popcount) is the sum of the networks' scores
/// and the prediction is the ensemble's vote by summed scores.
///
/// # Errors
/// The networks are not all of one layer, or differ in input, classes, arity or thresholds.
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
        if n.input() != first.input()
            || n.num_classes() != classes
            || n.bits_per_input() != first.bits_per_input()
            || n.thresholds() != first.thresholds()
            || n.layers()[0].arity != arity
        {
            return bad("they differ in input, classes, thresholds or arity");
        }
    }
    let mut wiring = Vec::new();
    let mut tables = Vec::new();
    for c in 0..classes {
        for n in nets {
            let layer = &n.layers()[0];
            let g = n.group_size();
            for k in c * g..(c + 1) * g {
                wiring.extend_from_slice(layer.inputs(k));
                tables.push(layer.tables[k]);
            }
        }
    }
    LutNet::new(
        first.input().clone(),
        classes,
        first.bits_per_input(),
        first.thresholds().to_vec(),
        vec![LutLayer {
            arity,
            wiring,
            tables,
        }],
    )
    .map_err(|e| TrainError::Data(format!("the merged network is invalid: {e}")))
}
