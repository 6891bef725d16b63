//! The points of an SRS, decoded and checked, whatever file they come from (see
//! `ceremony`, which re-exports the public items): every point decoded and on its curve,
//! a chunk at a time; the standard generators, `τ ∉ {0, 1}` and `τ·G2` in the prime-order
//! subgroup; the G1 points successive powers of the `τ` of `τ·G2` (one pairing equation
//! over a random linear combination); and stored Lagrange points the Lagrange basis of the
//! monomial ones (two multi-scalar multiplications).

use super::ceremony::ImportError;
use halo2_proofs::arithmetic::best_multiexp;
use halo2_proofs::halo2curves::bn256::{pairing, Fr, G1Affine, G2Affine, G2};
use halo2_proofs::halo2curves::ff::Field;
use halo2_proofs::halo2curves::group::cofactor::CofactorGroup;
use halo2_proofs::halo2curves::group::prime::PrimeCurveAffine;
use halo2_proofs::halo2curves::group::{Curve, GroupEncoding};
use halo2_proofs::poly::EvaluationDomain;
use rand::SeedableRng;
use rayon::prelude::*;
use std::io::Read;

/// Checks that `lagrange` is the Lagrange basis of the monomial points `g` (`2^k` each):
/// for random `ρ`, `Σ ρ_i·L_i = Σ c_j·g[j]` where `c` are the coefficients of the
/// polynomial taking the values `ρ` on the domain (its inverse DFT).
pub fn check_lagrange(g: &[G1Affine], lagrange: &[G1Affine], k: u32) -> Result<(), ImportError> {
    if g.len() != 1 << k || lagrange.len() != g.len() {
        return Err(ImportError::InconsistentLagrange);
    }
    let mut rng = rand_chacha::ChaCha20Rng::from_rng(rand::rngs::OsRng)
        .expect("the operating system's randomness");
    let rho: Vec<Fr> = (0..g.len()).map(|_| Fr::random(&mut rng)).collect();
    let domain = EvaluationDomain::<Fr>::new(1, k);
    let coeffs = domain.lagrange_to_coeff(domain.lagrange_from_vec(rho.clone()));
    let (lhs, rhs) = rayon::join(
        || best_multiexp(&rho, lagrange).to_affine(),
        || best_multiexp(&coeffs[..], g).to_affine(),
    );
    if lhs != rhs {
        return Err(ImportError::InconsistentLagrange);
    }
    Ok(())
}

pub(super) fn compressed<C: GroupEncoding>(bytes: &[u8]) -> Option<C> {
    let mut repr = C::Repr::default();
    if repr.as_ref().len() != bytes.len() {
        return None;
    }
    repr.as_mut().copy_from_slice(bytes);
    C::from_bytes(&repr).into()
}

/// Reads and decodes `n` G1 points of `width` bytes, a chunk at a time.
pub(super) fn read_g1<R: Read>(
    r: &mut R,
    n: usize,
    width: usize,
    what: &'static str,
    decode: impl Fn(&[u8]) -> Option<G1Affine> + Sync,
) -> Result<Vec<G1Affine>, ImportError> {
    const CHUNK: usize = 1 << 14;
    let mut points = Vec::with_capacity(n);
    let mut buf = vec![0u8; CHUNK.min(n) * width];
    while points.len() < n {
        let m = CHUNK.min(n - points.len());
        let bytes = &mut buf[..m * width];
        r.read_exact(bytes)?;
        let decoded: Vec<Option<G1Affine>> = bytes.par_chunks(width).map(&decode).collect();
        let start = points.len();
        for (i, p) in decoded.into_iter().enumerate() {
            points.push(p.ok_or(ImportError::InvalidPoint {
                what,
                index: (start + i) as u64,
            })?);
        }
    }
    Ok(points)
}

/// Reads and decodes two G2 points of `width` bytes.
pub(super) fn read_g2<R: Read>(
    r: &mut R,
    width: usize,
    what: &'static str,
    decode: impl Fn(&[u8]) -> Option<G2Affine>,
) -> Result<[G2Affine; 2], ImportError> {
    let mut bytes = vec![0u8; 2 * width];
    r.read_exact(&mut bytes)?;
    let point = |i: usize| {
        decode(&bytes[i * width..(i + 1) * width]).ok_or(ImportError::InvalidPoint {
            what,
            index: i as u64,
        })
    };
    Ok([point(0)?, point(1)?])
}

/// Names of the points in error messages.
#[derive(Debug)]
pub struct Labels {
    /// The first G1 point.
    pub g: &'static str,
    /// The G2 generator.
    pub g2: &'static str,
    /// `τ·G2`.
    pub s_g2: &'static str,
}

pub(super) const PTAU_LABELS: Labels = Labels {
    g: "the first tauG1 point",
    g2: "the first tauG2 point",
    s_g2: "the second tauG2 point (τ·G2)",
};

pub(super) const PARAMS_LABELS: Labels = Labels {
    g: "g[0]",
    g2: "g2",
    s_g2: "s_g2 (τ·G2)",
};

/// Checks that `g` are successive powers of one secret `τ` times the G1 generator, `g2`
/// the G2 generator and `s_g2` `τ` times it, with `τ` neither 0 nor 1. The points must
/// already be on their curves.
pub fn check_powers(
    g: &[G1Affine],
    g2: &G2Affine,
    s_g2: &G2Affine,
    labels: &Labels,
) -> Result<(), ImportError> {
    check_generators(g, g2, s_g2, labels)?;
    check_power_consistency(g, g2, s_g2)
}

/// The cheap part of [`check_powers`]: the generators, τ ∉ {0, 1}, τ·G2 in the subgroup.
pub fn check_generators(
    g: &[G1Affine],
    g2: &G2Affine,
    s_g2: &G2Affine,
    labels: &Labels,
) -> Result<(), ImportError> {
    if g.first() != Some(&G1Affine::generator()) {
        return Err(ImportError::NotGenerator {
            what: labels.g,
            group: "G1",
        });
    }
    if *g2 != G2Affine::generator() {
        return Err(ImportError::NotGenerator {
            what: labels.g2,
            group: "G2",
        });
    }
    if bool::from(s_g2.is_identity()) {
        return Err(ImportError::DegenerateTau {
            tau: 0,
            hint: " (τ·G2 is the point at infinity)",
        });
    }
    if s_g2 == g2 {
        return Err(ImportError::DegenerateTau {
            tau: 1,
            hint: " (τ·G2 is the generator; a file straight from `snarkjs powersoftau new` \
                   has τ = 1 and needs at least one contribution)",
        });
    }
    if !bool::from(G2::from(*s_g2).is_torsion_free()) {
        return Err(ImportError::NotInSubgroup(labels.s_g2));
    }
    Ok(())
}

/// The expensive part of [`check_powers`]: the G1 points are successive powers of the τ of
/// τ·G2, by a random linear combination checked with one pairing equation.
pub fn check_power_consistency(
    g: &[G1Affine],
    g2: &G2Affine,
    s_g2: &G2Affine,
) -> Result<(), ImportError> {
    if g.len() < 2 {
        return Ok(());
    }
    // Σ r_i·τ·g[i] = Σ r_i·g[i+1] for random r_i, checked in the exponent by a pairing
    let mut rng = rand_chacha::ChaCha20Rng::from_rng(rand::rngs::OsRng)
        .expect("the operating system's randomness");
    let r: Vec<Fr> = (1..g.len()).map(|_| Fr::random(&mut rng)).collect();
    let (shifted, base) = rayon::join(
        || best_multiexp(&r, &g[1..]).to_affine(),
        || best_multiexp(&r, &g[..g.len() - 1]).to_affine(),
    );
    if pairing(&shifted, g2) != pairing(&base, s_g2) {
        return Err(ImportError::InconsistentPowers);
    }
    Ok(())
}
