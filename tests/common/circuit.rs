//! MockProver helpers shared by the statement and commitment tests.

use halo2_proofs::dev::{MockProver, VerifyFailure};
use halo2_proofs::halo2curves::bn256::Fr;
use std::sync::Arc;
use zero_g::circuit::{CircuitParams, Layout, Statement, WnnCircuit};
use zero_g::model::{io, Model};

/// The original's Tiny model (`../shared/reference/`).
pub fn tiny() -> Arc<Model> {
    Arc::new(io::load(&super::reference(super::TINY)).unwrap())
}

/// The circuit shape of `st` about `model`, auto layout.
pub fn params(model: &Model, st: &Statement) -> CircuitParams {
    CircuitParams::for_statement(model, Layout::Auto, st).unwrap()
}

/// MockProver's verdict on `c` with `instances`.
pub fn mock(c: &WnnCircuit<Fr>, instances: Vec<Fr>) -> Result<(), Vec<VerifyFailure>> {
    MockProver::run(c.circuit_params().k, c, vec![instances])
        .unwrap()
        .verify()
}

/// Some failure is the range/data lookup.
pub fn failed_lookup(errs: &[VerifyFailure]) -> bool {
    errs.iter().any(
        |e| matches!(e, VerifyFailure::Lookup { name, .. } if name == "lane < 2^tag | keyed data"),
    )
}

/// Every failure is a public value that differs from its instance (gate `a0 = instance`).
pub fn only_public_mismatch(errs: &[VerifyFailure]) -> bool {
    !errs.is_empty()
        && errs.iter().all(|e| {
            matches!(e, VerifyFailure::ConstraintNotSatisfied { constraint, .. }
                if constraint.to_string().contains("public value"))
        })
}

/// The names of the failing constraints and lookups, for readable assertions.
pub fn names(errs: &[VerifyFailure]) -> Vec<String> {
    errs.iter()
        .map(|e| match e {
            VerifyFailure::ConstraintNotSatisfied { constraint, .. } => {
                format!("gate {constraint}")
            }
            VerifyFailure::Lookup { name, .. } => format!("lookup {name}"),
            VerifyFailure::Permutation { .. } => "permutation".into(),
            other => format!("{other:?}"),
        })
        .collect()
}

/// The tampered witness is rejected, and every failure mentions `wanted`.
pub fn assert_only(r: Result<(), Vec<VerifyFailure>>, wanted: &str) {
    let errs = r.expect_err("the tampered witness must be rejected");
    let n = names(&errs);
    assert!(
        n.iter().all(|s| s.contains(wanted)),
        "expected only `{wanted}` failures, got {n:#?}"
    );
}

/// The tampered witness is rejected, and some failure mentions `wanted`.
pub fn assert_some(r: Result<(), Vec<VerifyFailure>>, wanted: &str) {
    let errs = r.expect_err("the tampered witness must be rejected");
    let n = names(&errs);
    assert!(
        n.iter().any(|s| s.contains(wanted)),
        "expected a `{wanted}` failure, got {n:#?}"
    );
}

/// The range/data lookup's name as [`names`] prints it.
pub const LANE: &str = "lookup lane < 2^tag | keyed data";
