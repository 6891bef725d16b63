//! `train`'s choice of family and shape by cross-validation (the library's
//! `zero_g::train::choose`): when it applies, the grid it tries, and its report.

use super::{bthowen_config, lut_config, Defaults, TrainArgs, TrainData};
use anyhow::Result;
use zero_g::train::choose::{
    cross_validate, default_folds, default_repeats, Candidate, Plan, Tried,
};

/// The flags that fix the model (family, shape, bits, epochs): given any, `train` does not
/// choose unless told to.
fn model_flags(a: &TrainArgs) -> Vec<&'static str> {
    let (b, l) = (&a.bthowen, &a.lut);
    [
        ("--family", a.family.is_some()),
        ("--bits-per-input", a.bits_per_input.is_some()),
        ("--filter-inputs", b.filter_inputs.is_some()),
        ("--filter-entries", b.filter_entries.is_some()),
        ("--filter-hashes", b.filter_hashes.is_some()),
        ("--original", b.original),
        ("--layers", !l.layers.is_empty()),
        ("--arch", l.arch.is_some()),
        ("--arity", l.arity.is_some()),
        ("--epochs", l.epochs.is_some()),
        ("--resume", l.resume),
        ("--members", l.members.is_some()),
    ]
    .into_iter()
    .filter(|(_, given)| *given)
    .map(|(f, _)| f)
    .collect()
}

/// Whether `train` chooses: `--choose`, or a table with no model flag and no `--no-choose`.
pub(super) fn wanted(a: &TrainArgs, table: bool) -> bool {
    a.choose || (table && !a.no_choose && model_flags(a).is_empty())
}

/// The grid, cheapest circuits first: BTHOWeN with the data's defaults and two variants,
/// then LUT networks of one layer (300 and 600 nodes rounded up to a multiple of the class
/// count, LUT-2, LUT-4 and LUT-6, 16 and 32 thermometer bits) and an ensemble of three
/// 300-node LUT-4 networks (seeds s, s+1, s+2, merged into one network of 900 nodes). Each
/// LUT network keeps its best validation epoch of the given number, so the epoch count is
/// chosen too.
fn grid(a: &TrainArgs, train: &TrainData, d: Defaults, classes: usize) -> Vec<Candidate> {
    let b = bthowen_config(a, train, d);
    let l = lut_config(a, train, d, classes);
    let round = |n: usize| n.div_ceil(classes) * classes;
    let mut out = vec![Candidate::Bthowen(b.clone())];
    if train.table {
        out.push(Candidate::Bthowen(zero_g::train::TrainConfig {
            filter_entries: 256,
            ..b.clone()
        }));
        out.push(Candidate::Bthowen(zero_g::train::TrainConfig {
            bits_per_input: 32,
            ..b
        }));
        let lut = |nodes: usize, arity: usize, bits: usize, epochs: usize| {
            zero_g::train::lutnet::LutTrainConfig {
                layers: vec![round(nodes)],
                arity,
                bits_per_input: bits,
                epochs,
                mapping_epochs: epochs,
                lr_step: epochs * 2 / 5,
                ..l.clone()
            }
        };
        out.push(Candidate::Lutnet(lut(300, 4, 16, 200)));
        out.push(Candidate::Lutnet(lut(600, 2, 16, 200)));
        out.push(Candidate::Ensemble {
            config: lut(300, 4, 16, 200),
            members: 3,
        });
        out.push(Candidate::Lutnet(lut(300, 6, 16, 200)));
        out.push(Candidate::Lutnet(lut(600, 4, 16, 200)));
        out.push(Candidate::Lutnet(lut(300, 4, 32, 200)));
        out.push(Candidate::Lutnet(lut(600, 6, 32, 300)));
    } else {
        out.push(Candidate::Lutnet(l));
    }
    out
}

/// Chooses by cross-validation, printing a line per candidate (unless `--json`) and the
/// reason for the winner. Returns the winner's configuration and the report's JSON.
pub(super) fn choose(
    a: &TrainArgs,
    train: &TrainData,
    d: Defaults,
    classes: usize,
) -> Result<(Candidate, serde_json::Value)> {
    let candidates = grid(a, train, d, classes);
    let (folds, run) = match a.folds {
        Some(k) => (k, k),
        None => default_folds(train.data.len()),
    };
    let repeats = a
        .repeats
        .unwrap_or_else(|| default_repeats(train.data.len()))
        .max(1);
    if !a.json {
        let how = if run == folds && repeats > 1 {
            format!("{folds}-fold cross-validation, {repeats} deals")
        } else if run == folds {
            format!("{folds}-fold cross-validation")
        } else {
            format!("a hold-out of 1/{folds} (fold 1 of {folds}; --folds K for K-fold)")
        };
        println!(
            "choosing the model: {how} on {} rows, {} candidates, time budget {} s \
             (estimated cost; --family or a shape flag skips this)",
            train.data.len(),
            candidates.len(),
            a.time_budget
        );
        println!(
            "  {:<44} {:>9} {:>9} {:>16}",
            "candidate", "est. s", "took s", "CV accuracy"
        );
    }
    let json = a.json;
    let mut line = |t: &Tried| {
        if json {
            return;
        }
        if t.tried {
            println!(
                "  {:<44} {:>9.1} {:>9.1} {:>7.2} % {:>4}/{}",
                t.name,
                t.estimated_seconds,
                t.seconds,
                100.0 * t.accuracy(),
                t.correct,
                t.total
            );
        } else {
            println!(
                "  {:<44} {:>9.1} {:>9} {:>16}",
                t.name, t.estimated_seconds, "-", "over the budget"
            );
        }
    };
    let (tried, best) = cross_validate(
        &train.data,
        &train.input,
        classes,
        &candidates,
        Plan {
            folds,
            run,
            repeats,
            budget_seconds: a.time_budget,
        },
        &mut line,
    )?;
    let w = &tried[best];
    let ties: Vec<&str> = tried
        .iter()
        .enumerate()
        .filter(|(i, t)| *i != best && t.tried && t.correct == w.correct)
        .map(|(_, t)| t.name.as_str())
        .collect();
    let reason = if ties.is_empty() {
        format!(
            "the best cross-validated accuracy ({:.2} %)",
            100.0 * w.accuracy()
        )
    } else {
        format!(
            "the best cross-validated accuracy ({:.2} %), tied with {} and listed first \
             (a smaller or cheaper circuit)",
            100.0 * w.accuracy(),
            ties.join(", ")
        )
    };
    if !a.json {
        println!("kept {}: {reason}; training it on every row", w.name);
    }
    let chosen = candidates[best].clone();
    Ok((
        chosen,
        serde_json::json!({
            "folds": folds,
            "folds_run": run,
            "repeats": repeats,
            "time_budget_s": a.time_budget,
            "tried": tried,
            "kept": best,
            "reason": reason,
        }),
    ))
}
