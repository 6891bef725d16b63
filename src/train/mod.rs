//! Training in Rust, one module per model family: [`bthowen`] (counting Bloom filters with
//! bleaching) and [`lutnet`] (gradient descent through DWN's relaxation). Both return a
//! native model and a report; [`evaluate`] measures either.

pub mod bthowen;
pub mod lutnet;

pub use crate::progress::{NoReporter, Reporter};
pub use bthowen::{train, train_with_input, Augment, BleachSearch, TrainConfig, TrainReport};

use crate::data::Dataset;
use crate::model::{argmax, Model};
use rayon::prelude::*;

/// Accuracy of a model on a data set: (correct, total), in parallel.
///
/// # Panics
/// If the samples do not have the model's number of inputs.
pub fn evaluate(model: &Model, data: &Dataset, reporter: &dyn Reporter) -> (usize, usize) {
    reporter.on_stage("evaluating", data.len() as u64);
    let correct = data
        .pixels
        .par_chunks(data.num_inputs())
        .zip(data.labels.par_iter())
        .chunks(256)
        .map(|chunk| {
            let ok = chunk
                .iter()
                .filter(|(x, &label)| argmax(&model.scores(x)) == label as usize)
                .count();
            reporter.on_progress(chunk.len() as u64);
            ok
        })
        .sum();
    reporter.on_stage_done();
    (correct, data.len())
}
