//! The committed polynomials of a verifying key, by class: what an EVM verifier pays for.
//!
//! A KZG verifier's gas is the transaction, the pairing and the calldata, plus one
//! elliptic-curve multiplication (and its share of the SHPLONK combination) per committed
//! polynomial; see `docs/circuit.md`, "The verifier's bill".

use halo2_proofs::halo2curves::bn256::G1Affine;
use halo2_proofs::plonk::VerifyingKey;
use serde::Serialize;

/// Committed polynomials and opened evaluations of a circuit, by class.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize)]
pub struct PolyCounts {
    /// Advice columns (in the proof).
    pub advice: usize,
    /// Fixed columns, selectors and lookup-table columns included (in the verifying key).
    pub fixed: usize,
    /// Instance columns (evaluated by the verifier, not committed).
    pub instance: usize,
    /// Permutation sigmas: one per equality-enabled column (in the verifying key).
    pub sigmas: usize,
    /// Permutation grand-product chunks, `⌈sigmas / (degree − 2)⌉` (in the proof).
    pub permutation_products: usize,
    /// Lookup arguments.
    pub lookups: usize,
    /// Lookup polynomials: permuted input, permuted table and product per argument (in the
    /// proof).
    pub lookup_polys: usize,
    /// The vanishing argument's random polynomial (in the proof).
    pub random: usize,
    /// Quotient pieces, `degree − 1` (in the proof).
    pub quotient: usize,
    /// The constraint system's degree.
    pub degree: usize,
    /// Every commitment the verifier's multi-scalar multiplication takes.
    pub commitments: usize,
    /// Evaluations in the proof (one per polynomial and rotation queried).
    pub evaluations: usize,
}

impl PolyCounts {
    /// The counts of `vk`'s constraint system (selectors already compressed into fixed
    /// columns, as key generation leaves them).
    pub fn of(vk: &VerifyingKey<G1Affine>) -> Self {
        let cs = vk.cs();
        let degree = cs.degree();
        let sigmas = cs.permutation().get_columns().len();
        let chunk = degree.saturating_sub(2).max(1);
        let permutation_products = sigmas.div_ceil(chunk);
        let lookups = cs.lookups().len();
        let advice = cs.num_advice_columns();
        let fixed = cs.num_fixed_columns();
        let quotient = degree - 1;
        let commitments =
            advice + fixed + sigmas + permutation_products + 3 * lookups + 1 + quotient;
        // each product at x and ωx, all but the last also at the last usable row; each
        // lookup: product at x and ωx, permuted input at x and ω⁻¹x, permuted table at x
        let evaluations = cs.advice_queries().len()
            + cs.fixed_queries().len()
            + sigmas
            + (3 * permutation_products).saturating_sub(1)
            + 5 * lookups
            + 1;
        PolyCounts {
            advice,
            fixed,
            instance: cs.num_instance_columns(),
            sigmas,
            permutation_products,
            lookups,
            lookup_polys: 3 * lookups,
            random: 1,
            quotient,
            degree,
            commitments,
            evaluations,
        }
    }
}
