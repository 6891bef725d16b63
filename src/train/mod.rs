//! Training in Rust, one module per model family: [`bthowen`] (counting Bloom filters with
//! bleaching) and [`lutnet`] (gradient descent through DWN's relaxation). Both return a
//! native model and a report; [`evaluate`] measures either.

pub mod bthowen;
pub mod choose;
pub mod lutnet;

pub use crate::progress::{NoReporter, Reporter};
pub use bthowen::{train, train_with_input, Augment, BleachSearch, TrainConfig, TrainReport};

use crate::data::Dataset;
use crate::model::{argmax, Model};
use rayon::prelude::*;

/// Writes the `width × height` image `img` shifted by `(dx, dy)` pixels (right, down) into
/// `out`; vacated pixels are 0. The data augmentation of both trainers.
pub(crate) fn shift_image(
    img: &[u8],
    width: usize,
    height: usize,
    (dx, dy): (i32, i32),
    out: &mut [u8],
) {
    for y in 0..height as i64 {
        let sy = y - dy as i64;
        for x in 0..width as i64 {
            let sx = x - dx as i64;
            out[y as usize * width + x as usize] =
                if (0..height as i64).contains(&sy) && (0..width as i64).contains(&sx) {
                    img[sy as usize * width + sx as usize]
                } else {
                    0
                };
        }
    }
}

/// The pixel that pixel `i` of a `width`-wide row-major image shows in its left-right mirror
/// image: $(y, u) \mapsto (y, w-1-u)$ (an involution).
pub(crate) fn mirrored_pixel(i: usize, width: usize) -> usize {
    i - i % width + (width - 1 - i % width)
}

/// Writes the left-right mirror image of the `width`-wide row-major image `img` into `out`
/// (`out[i] = img[mirrored_pixel(i)]`). The LUT trainer's `--flip`.
pub(crate) fn mirror_image(img: &[u8], width: usize, out: &mut [u8]) {
    for (i, o) in out.iter_mut().enumerate() {
        *o = img[mirrored_pixel(i, width)];
    }
}

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

#[cfg(test)]
mod tests {
    use super::{mirror_image, mirrored_pixel, shift_image};

    #[test]
    fn shifted_images_move_and_fill_with_zero() {
        // a 3-wide, 2-high image
        let img = [1, 2, 3, 4, 5, 6];
        let mut out = [0u8; 6];
        shift_image(&img, 3, 2, (1, 0), &mut out);
        assert_eq!(out, [0, 1, 2, 0, 4, 5]);
        shift_image(&img, 3, 2, (0, -1), &mut out);
        assert_eq!(out, [4, 5, 6, 0, 0, 0]);
        shift_image(&img, 3, 2, (0, 0), &mut out);
        assert_eq!(out, img);
    }

    #[test]
    fn mirroring_reverses_each_row_and_twice_is_the_image() {
        let img: Vec<u8> = (0..12).collect(); // 4 wide, 3 high
        let mut m = vec![0; 12];
        mirror_image(&img, 4, &mut m);
        assert_eq!(m, [3, 2, 1, 0, 7, 6, 5, 4, 11, 10, 9, 8]);
        let mut back = vec![0; 12];
        mirror_image(&m, 4, &mut back);
        assert_eq!(back, img);
        assert_eq!(mirrored_pixel(5, 4), 6);
        assert_eq!(mirrored_pixel(mirrored_pixel(9, 4), 4), 9);
    }
}
