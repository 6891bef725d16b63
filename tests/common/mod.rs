//! Shared helpers of the integration tests.
#![allow(dead_code)]

use std::path::PathBuf;

pub mod anvil;
pub mod circuit;
pub mod http;
pub mod serve;

/// `../shared/reference/<name>`, published with the original zero_g.
pub fn reference(name: &str) -> PathBuf {
    let p = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../shared/reference")
        .join(name);
    assert!(
        p.exists(),
        "{} is missing: the tests read ../shared/reference/",
        p.display()
    );
    p
}

/// The MNIST IDX folder fetched by `scripts/fetch-mnist.sh`.
pub fn mnist_dir() -> PathBuf {
    let p = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("data/mnist");
    assert!(
        p.join("t10k-images-idx3-ubyte").is_file(),
        "MNIST is missing: run scripts/fetch-mnist.sh first"
    );
    p
}

/// The Fashion-MNIST IDX folder written by `scripts/fetch-fashion-mnist.sh` (with its
/// `class-names.txt`).
#[allow(dead_code)]
pub fn fashion_dir() -> PathBuf {
    let p = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("data/fashion-mnist");
    assert!(
        p.join("t10k-images-idx3-ubyte").is_file() && p.join("class-names.txt").is_file(),
        "Fashion-MNIST is missing: run scripts/fetch-fashion-mnist.sh first"
    );
    p
}

/// A bundled model of `models/`.
pub fn bundled(name: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("models")
        .join(name)
}

pub const TINY: &str = "model_28input_256entry_1hash_1bpi.hdf5";
pub const SMALL: &str = "model_28input_1024entry_2hash_2bpi.hdf5";
pub const MEDIUM: &str = "model_28input_2048entry_2hash_3bpi.hdf5";
pub const LARGE: &str = "model_49input_8192entry_4hash_6bpi.hdf5";
pub const DIGIT7: &str = "example_digit_7.png";
