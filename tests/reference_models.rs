//! The original zero_g's published models give exactly the published scores and accuracies.

mod common;
use common::*;
use zero_g::data::{load_dataset, load_image_for, Split};
use zero_g::model::io;
use zero_g::train::{evaluate, NoReporter};

#[test]
fn tiny_scores_the_example_digit_exactly() {
    let m = io::load(&reference(TINY)).unwrap();
    let img = load_image_for(&reference(DIGIT7), 28, 28).unwrap();
    let p = m.predict(&img);
    assert_eq!(p.scores, vec![9, 6, 13, 10, 17, 10, 9, 26, 11, 16]);
    assert_eq!(p.class, 7);
}

#[test]
fn small_scores_the_example_digit_exactly() {
    let m = io::load(&reference(SMALL)).unwrap();
    let wnn = m.as_bthowen().unwrap();
    assert_eq!(wnn.params().p, 2_097_143);
    assert_eq!(wnn.params().num_filters(), 56);
    let img = load_image_for(&reference(DIGIT7), 28, 28).unwrap();
    let p = m.predict(&img);
    assert_eq!(p.scores, vec![17, 13, 25, 27, 29, 21, 15, 55, 27, 32]);
    assert_eq!(p.class, 7);
}

#[test]
fn reference_accuracies_on_the_full_mnist_test_set() {
    let test = load_dataset(&mnist_dir(), Split::Test).unwrap();
    assert_eq!(test.len(), 10_000);
    let tiny = io::load(&reference(TINY)).unwrap();
    assert_eq!(evaluate(&tiny, &test, &NoReporter), (8306, 10_000));
    let small = io::load(&reference(SMALL)).unwrap();
    assert_eq!(evaluate(&small, &test, &NoReporter), (9281, 10_000));
}

#[test]
fn save_then_load_is_lossless() {
    let dir = tempfile::tempdir().unwrap();
    for name in [TINY, SMALL] {
        let m = io::load(&reference(name)).unwrap();
        let out = dir.path().join(name);
        io::save(&m, &out).unwrap();
        let back = io::load(&out).unwrap();
        let (m, back) = (m.as_bthowen().unwrap(), back.as_bthowen().unwrap());
        assert_eq!(back.params(), m.params());
        assert_eq!(back.thresholds(), m.thresholds());
        assert_eq!(back.input_order(), m.input_order());
        assert_eq!(back.bloom_bits(), m.bloom_bits());
        assert_eq!(back.digest(), m.digest());
        // no temporary file left behind
        assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 1);
        std::fs::remove_file(&out).unwrap();
    }
}
