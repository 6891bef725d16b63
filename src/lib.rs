//! # zero_g
//!
//! Zero-knowledge proofs that a weightless neural network (a BTHOWeN-style WNN:
//! thermometer-encoded input, hashed Bloom-filter lookups, per-class popcount) classified a
//! private input as claimed, verifiable natively or by an EVM contract.
//!
//! Crate map (dependencies point one way):
//!
//! - [`model`]: the native WNN, its HDF5 format and inference; the oracle of every circuit test.
//! - [`data`]: images, MNIST IDX files and labelled PNG folders.
//! - [`train`]: BTHOWeN training in Rust.
//! - [`commitment`]: the Poseidon hash (BN254, circomlib's instance) and the salted image
//!   commitment, natively.
//! - [`circuit`]: the Halo2 circuit and its reusable gadgets.
//! - [`proving`]: SRS (local, or imported from a ceremony), keys, proofs and their files.
//! - [`evm`]: the Solidity verifier, dry runs and chain calls.
//! - [`limits`]: the limits (classes, inputs, names) every part shares.
//! - `serve` (feature `serve`): verifiable inference over HTTP, on top of all of the above.
//!
//! `model`, `data` and `train` never touch halo2.
#![deny(
    missing_docs,
    missing_debug_implementations,
    unsafe_code,
    rustdoc::broken_intra_doc_links
)]

pub mod circuit;
pub mod commitment;
pub mod data;
pub mod error;
pub mod evm;
pub mod fsutil;
pub mod limits;
pub mod model;
pub mod progress;
pub mod proving;
#[cfg(feature = "serve")]
pub mod serve;
pub mod train;

pub use error::{Error, Result};
pub use model::{Family, LutNet, Model, Prediction, Wnn, WnnParams};
