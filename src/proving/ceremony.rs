//! KZG parameters from a public setup ceremony, so that nobody has to trust parameters made
//! on one machine (see [`super::generate_srs`]).
//!
//! Two sources:
//!
//! - **snarkjs powers-of-tau files** (`.ptau`, BN254 — snarkjs calls it `bn128` — only).
//!   The container: the magic `ptau`, a u32 version (1), a u32 number of sections, then each
//!   section as a u32 id, a u64 length and its bytes (everything little endian). Section 1
//!   (header) holds `n8` (u32: bytes of a base-field element), the base-field modulus in `n8`
//!   little-endian bytes, `power` and `ceremonyPower` (u32 each). Section 2 holds the
//!   `2·2^power − 1` G1 points `τ^i·G1`, section 3 the `2^power` G2 points `τ^i·G2`, and
//!   section 7 the contributions (starting with their number). A point is affine, each
//!   coordinate in Montgomery form as 32 little-endian bytes (G1: x, y; G2: x.c0, x.c1, y.c0,
//!   y.c1), the point at infinity all zeros — byte for byte halo2curves' raw encoding.
//! - **halo2 KZG parameter files** (PSE, Axiom, zero_g) of any `k`, raw or processed
//!   ([`SrsFormat`]).
//!
//! Either file is untrusted. It is read by seeking, taking only the first `2^k` G1 points and
//! two G2 points, so a ceremony file of many gigabytes is never loaded whole. Every point
//! must be on its curve (G2 also in the prime-order subgroup), the first G1 and G2 points
//! must be the standard generators, `τ` must not be 0 or 1, and the powers must be
//! consistent: for random scalars `r_i`, `e(Σ r_i·g[i+1], G2) = e(Σ r_i·g[i], τ·G2)` (two
//! multi-scalar multiplications and two pairings), which holds only if every `g[i]` is
//! `τ^i·G1` for the `τ` of `τ·G2`, except with negligible probability. The Lagrange basis is
//! then computed from the checked monomial one.
//!
//! [`read_params_file`] applies the same checks to a whole halo2 parameter file of its own
//! `k` (what [`super::artifacts::read_srs`] loads): every point, the generators, `τ`, the
//! powers, and the stored Lagrange points, which are checked against the monomial ones by a
//! random linear combination (`Σ ρ_i·L_i = Σ c_j·g[j]`, `c` the inverse DFT of the random
//! `ρ`: two more multi-scalar multiplications) rather than recomputed (a G1 FFT, seconds).

use super::artifacts::{io_err, SrsFormat, MAX_SRS_K};
pub use super::srs_check::{
    check_generators, check_lagrange, check_power_consistency, check_powers, Labels,
};
use super::srs_check::{compressed, read_g1, read_g2, PARAMS_LABELS, PTAU_LABELS};
use super::{ProofError, Srs};
use halo2_proofs::halo2curves::bn256::{G1Affine, G2Affine};
use halo2_proofs::halo2curves::serde::SerdeObject;
use halo2_proofs::SerdeFormat;
use std::fmt;
use std::io::{BufReader, Read, Seek, SeekFrom};
use std::path::Path;

/// Why a ceremony or parameter file was refused.
#[derive(Debug, thiserror::Error)]
pub enum ImportError {
    /// Reading failed.
    #[error("read error: {0}")]
    Io(#[from] std::io::Error),
    /// The file does not start with the `ptau` magic.
    #[error("not a snarkjs powers-of-tau file (it does not start with `ptau`)")]
    NotPtau,
    /// A container version this reader does not know.
    #[error("unsupported powers-of-tau file version {0} (zero_g reads version 1)")]
    PtauVersion(u32),
    /// The file ends before something it announces.
    #[error("truncated: {what} would end at byte {end}, but the file has {len} bytes")]
    Truncated {
        /// What is cut off.
        what: String,
        /// Where it would end.
        end: u64,
        /// The file length.
        len: u64,
    },
    /// A needed section is absent.
    #[error("section {id} ({name}) is missing")]
    MissingSection {
        /// Its id.
        id: u32,
        /// Its snarkjs name.
        name: &'static str,
    },
    /// A section that must be unique appears twice.
    #[error("section {id} ({name}) appears more than once")]
    DuplicateSection {
        /// Its id.
        id: u32,
        /// Its snarkjs name.
        name: &'static str,
    },
    /// A section's length does not match the header.
    #[error("section {id} ({name}) has {size} bytes where {expected} are expected")]
    SectionSize {
        /// Its id.
        id: u32,
        /// Its snarkjs name.
        name: &'static str,
        /// Its length.
        size: u64,
        /// The length the header implies.
        expected: u64,
    },
    /// The ceremony is over another curve.
    #[error(
        "this ceremony is over {0}, not BN254: zero_g needs a BN254 (snarkjs `bn128`) ceremony"
    )]
    WrongCurve(String),
    /// The header's power is impossible for BN254.
    #[error("the header claims power {0}, out of range for BN254 (1..=28)")]
    BadPower(u32),
    /// The requested `k` is impossible.
    #[error("k = {0} is out of range (1..=28)")]
    KOutOfRange(u32),
    /// The file holds fewer powers than `2^k`.
    #[error(
        "k = {k} is above the {what} of this file, {available}: it holds 2^{available} powers \
         of τ, fewer than the 2^{k} needed; use a larger ceremony file"
    )]
    KTooLarge {
        /// The requested k.
        k: u32,
        /// The file's power (or k).
        available: u32,
        /// `"power"` or `"k"`.
        what: &'static str,
    },
    /// Bytes that do not encode a point of the curve.
    #[error("{what} point {index} is not a valid point of the curve")]
    InvalidPoint {
        /// The point list.
        what: &'static str,
        /// Its index.
        index: u64,
    },
    /// A G2 point outside the prime-order subgroup.
    #[error("{0} is not in the prime-order subgroup of G2")]
    NotInSubgroup(&'static str),
    /// The first point is not the standard generator.
    #[error("{what} is not the standard BN254 {group} generator")]
    NotGenerator {
        /// The point.
        what: &'static str,
        /// `"G1"` or `"G2"`.
        group: &'static str,
    },
    /// `τ` is 0 or 1: the parameters hide no secret.
    #[error("τ = {tau}: these parameters hide no secret{hint}")]
    DegenerateTau {
        /// 0 or 1.
        tau: u8,
        /// How this happens.
        hint: &'static str,
    },
    /// The G1 points are not successive powers of the `τ` of `τ·G2`.
    #[error(
        "the powers of τ are inconsistent: the G1 points are not successive powers of the \
         secret in τ·G2 (pairing check failed); the file is corrupted or forged"
    )]
    InconsistentPowers,
    /// Not a halo2 KZG parameter file.
    #[error("not a halo2 KZG parameter file: {0}")]
    NotParams(String),
    /// The stored Lagrange points are not those of the monomial points.
    #[error(
        "the Lagrange points are not the Lagrange basis of the G1 powers (random linear \
         combination check failed); the file is corrupted or forged"
    )]
    InconsistentLagrange,
}

/// Where imported parameters came from.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Source {
    /// A snarkjs powers-of-tau file.
    Ptau {
        /// `log2` of the powers the file holds.
        power: u32,
        /// `log2` of the powers of the ceremony it was cut from.
        ceremony_power: u32,
        /// The number of contributions recorded in section 7, if present.
        contributions: Option<u32>,
    },
    /// A halo2 KZG parameter file.
    Params {
        /// Its `k`.
        k: u32,
        /// Its point encoding.
        format: SrsFormat,
    },
}

impl fmt::Display for Source {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match *self {
            Source::Ptau {
                power,
                ceremony_power,
                contributions,
            } => {
                write!(
                    f,
                    "snarkjs powers-of-tau file: BN254, power {power}, ceremony power \
                     {ceremony_power}"
                )?;
                match contributions {
                    Some(1) => write!(f, ", 1 contribution"),
                    Some(n) => write!(f, ", {n} contributions"),
                    None => Ok(()),
                }
            }
            Source::Params { k, format } => {
                write!(
                    f,
                    "halo2 KZG parameter file: {} format, k = {k}",
                    format.name()
                )
            }
        }
    }
}

/// Checked parameters and where they came from.
#[derive(Debug)]
pub struct Imported {
    /// The parameters, `2^k` rows, Lagrange basis computed.
    pub srs: Srs,
    /// Their origin.
    pub source: Source,
}

/// Imports `2^k` rows of KZG parameters from a snarkjs powers-of-tau file, checking them
/// (see the [module documentation](self)).
pub fn import_ptau(path: &Path, k: u32) -> Result<Imported, ProofError> {
    import(path, k, read_ptau)
}

/// Imports `2^k` rows of KZG parameters from a halo2 KZG parameter file of any larger or
/// equal `k`, raw or processed, checking them like a ceremony file.
pub fn import_params(path: &Path, k: u32) -> Result<Imported, ProofError> {
    import(path, k, read_params)
}

type Reader = BufReader<std::fs::File>;

fn import(
    path: &Path,
    k: u32,
    read: fn(&mut Reader, u64, u32) -> Result<Imported, ImportError>,
) -> Result<Imported, ProofError> {
    let f = crate::fsutil::open_regular(path).map_err(io_err(path))?;
    let len = f.metadata().map_err(io_err(path))?.len();
    read(&mut BufReader::with_capacity(1 << 20, f), len, k).map_err(|error| ProofError::Import {
        path: path.to_path_buf(),
        error,
    })
}

const HEADER: u32 = 1;
const TAU_G1: u32 = 2;
const TAU_G2: u32 = 3;
const CONTRIBUTIONS: u32 = 7;

fn section_name(id: u32) -> &'static str {
    match id {
        HEADER => "header",
        TAU_G1 => "tauG1",
        TAU_G2 => "tauG2",
        4 => "alphaTauG1",
        5 => "betaTauG1",
        6 => "betaG2",
        CONTRIBUTIONS => "contributions",
        _ => "unknown",
    }
}

/// BN254's base-field modulus, little endian.
const BN254_Q: [u8; 32] =
    hex_le("30644e72e131a029b85045b68181585d97816a916871ca8d3c208c16d87cfd47");
/// BLS12-381's base-field modulus, little endian.
const BLS12_381_Q: [u8; 48] = hex_le(
    "1a0111ea397fe69a4b1ba7b6434bacd764774b84f38512bf6730d2a0f6b0f6241eabfffeb153ffffb9feffffffffaaab",
);

/// A big-endian hex constant as little-endian bytes.
const fn hex_le<const N: usize>(s: &str) -> [u8; N] {
    const fn nibble(c: u8) -> u8 {
        match c {
            b'0'..=b'9' => c - b'0',
            b'a'..=b'f' => c - b'a' + 10,
            _ => panic!("not hex"),
        }
    }
    let s = s.as_bytes();
    assert!(s.len() == 2 * N);
    let mut out = [0u8; N];
    let mut i = 0;
    while i < N {
        out[N - 1 - i] = nibble(s[2 * i]) << 4 | nibble(s[2 * i + 1]);
        i += 1;
    }
    out
}

fn read_u32(r: &mut impl Read) -> Result<u32, ImportError> {
    let mut b = [0u8; 4];
    r.read_exact(&mut b)?;
    Ok(u32::from_le_bytes(b))
}

fn read_u64(r: &mut impl Read) -> Result<u64, ImportError> {
    let mut b = [0u8; 8];
    r.read_exact(&mut b)?;
    Ok(u64::from_le_bytes(b))
}

fn check_k(k: u32) -> Result<(), ImportError> {
    if k == 0 || k > MAX_SRS_K {
        return Err(ImportError::KOutOfRange(k));
    }
    Ok(())
}

/// The name of a curve with this base field, for the error message.
fn curve_of(n8: u32, q: &[u8]) -> String {
    if q == BLS12_381_Q {
        return format!("BLS12-381 (n8 = {n8})");
    }
    let mut be = q.to_vec();
    be.reverse();
    let hex = hex::encode(be);
    let hex = hex.trim_start_matches('0');
    format!("an unknown curve (n8 = {n8}, base-field modulus 0x{hex})")
}

/// Reads `2^k` rows from a snarkjs powers-of-tau file of `len` bytes.
pub fn read_ptau<R: Read + Seek>(r: &mut R, len: u64, k: u32) -> Result<Imported, ImportError> {
    check_k(k)?;
    let mut magic = [0u8; 4];
    if len < 4 {
        return Err(ImportError::NotPtau);
    }
    r.seek(SeekFrom::Start(0))?;
    r.read_exact(&mut magic)?;
    if &magic != b"ptau" {
        return Err(ImportError::NotPtau);
    }
    if len < 12 {
        return Err(ImportError::Truncated {
            what: "the file header".into(),
            end: 12,
            len,
        });
    }
    let version = read_u32(r)?;
    if version != 1 {
        return Err(ImportError::PtauVersion(version));
    }
    let count = read_u32(r)?;
    // (offset, size) of the sections read here
    let mut sections: [Option<(u64, u64)>; 8] = [None; 8];
    let mut pos = 12u64;
    for i in 0..count {
        if pos + 12 > len {
            return Err(ImportError::Truncated {
                what: format!("the header of section #{} of {count}", i + 1),
                end: pos + 12,
                len,
            });
        }
        r.seek(SeekFrom::Start(pos))?;
        let id = read_u32(r)?;
        let size = read_u64(r)?;
        let body = pos + 12;
        let end = body.saturating_add(size);
        if end > len {
            return Err(ImportError::Truncated {
                what: format!("section {id} ({})", section_name(id)),
                end,
                len,
            });
        }
        if matches!(id, HEADER | TAU_G1 | TAU_G2 | CONTRIBUTIONS) {
            let slot = &mut sections[id as usize];
            if slot.is_some() {
                return Err(ImportError::DuplicateSection {
                    id,
                    name: section_name(id),
                });
            }
            *slot = Some((body, size));
        }
        pos = end;
    }
    let need = |id: u32| {
        sections[id as usize].ok_or(ImportError::MissingSection {
            id,
            name: section_name(id),
        })
    };

    // the header: field, curve and power
    let (offset, size) = need(HEADER)?;
    let size_error = |expected: u64| ImportError::SectionSize {
        id: HEADER,
        name: section_name(HEADER),
        size,
        expected,
    };
    if size < 4 {
        return Err(size_error(44));
    }
    r.seek(SeekFrom::Start(offset))?;
    let n8 = read_u32(r)?;
    let expected = 4 + u64::from(n8) + 8;
    if n8 > 256 || size != expected {
        return Err(size_error(expected));
    }
    let mut q = vec![0u8; n8 as usize];
    r.read_exact(&mut q)?;
    if q != BN254_Q {
        return Err(ImportError::WrongCurve(curve_of(n8, &q)));
    }
    let power = read_u32(r)?;
    let ceremony_power = read_u32(r)?;
    if power == 0 || power > MAX_SRS_K {
        return Err(ImportError::BadPower(power));
    }
    if k > power {
        return Err(ImportError::KTooLarge {
            k,
            available: power,
            what: "power",
        });
    }

    // the points: 2^k of tauG1 and the first two of tauG2
    let sized = |id: u32, expected: u64| -> Result<u64, ImportError> {
        let (offset, size) = need(id)?;
        if size != expected {
            return Err(ImportError::SectionSize {
                id,
                name: section_name(id),
                size,
                expected,
            });
        }
        Ok(offset)
    };
    let g1_offset = sized(TAU_G1, ((2u64 << power) - 1) * 64)?;
    let g2_offset = sized(TAU_G2, (1u64 << power) * 128)?;
    r.seek(SeekFrom::Start(g1_offset))?;
    let g = read_g1(r, 1 << k, 64, "tauG1", G1Affine::from_raw_bytes)?;
    r.seek(SeekFrom::Start(g2_offset))?;
    let [g2, s_g2] = read_g2(r, 128, "tauG2", G2Affine::from_raw_bytes)?;

    let contributions = match sections[CONTRIBUTIONS as usize] {
        Some((offset, size)) if size >= 4 => {
            r.seek(SeekFrom::Start(offset))?;
            Some(read_u32(r)?)
        }
        _ => None,
    };
    check_powers(&g, &g2, &s_g2, &PTAU_LABELS)?;
    Ok(Imported {
        srs: assemble(k, g, g2, s_g2),
        source: Source::Ptau {
            power,
            ceremony_power,
            contributions,
        },
    })
}

/// Reads `2^k` rows from a halo2 KZG parameter file of `len` bytes (raw or processed, of
/// any `k` at least the requested one).
pub fn read_params<R: Read + Seek>(r: &mut R, len: u64, k: u32) -> Result<Imported, ImportError> {
    check_k(k)?;
    let (file_k, format) = params_header(r, len)?;
    if k > file_k {
        return Err(ImportError::KTooLarge {
            k,
            available: file_k,
            what: "k",
        });
    }
    let (g, [g2, s_g2]) = match format {
        SrsFormat::Raw => {
            let g = read_g1(r, 1 << k, 64, "g", G1Affine::from_raw_bytes)?;
            r.seek(SeekFrom::Start(format.g2_offset(file_k)))?;
            (g, read_g2(r, 128, "g2/s_g2", G2Affine::from_raw_bytes)?)
        }
        SrsFormat::Processed => {
            let g = read_g1(r, 1 << k, 32, "g", compressed::<G1Affine>)?;
            r.seek(SeekFrom::Start(format.g2_offset(file_k)))?;
            (g, read_g2(r, 64, "g2/s_g2", compressed::<G2Affine>)?)
        }
    };
    check_powers(&g, &g2, &s_g2, &PARAMS_LABELS)?;
    Ok(Imported {
        srs: assemble(k, g, g2, s_g2),
        source: Source::Params { k: file_k, format },
    })
}

/// The `k` and point encoding of a halo2 KZG parameter file of `len` bytes.
fn params_header<R: Read + Seek>(r: &mut R, len: u64) -> Result<(u32, SrsFormat), ImportError> {
    if len < 4 {
        return Err(ImportError::NotParams(format!("{len} bytes is too short")));
    }
    r.seek(SeekFrom::Start(0))?;
    let file_k = read_u32(r)?;
    let format = SrsFormat::detect(file_k, len).ok_or_else(|| {
        ImportError::NotParams(if file_k == 0 || file_k > MAX_SRS_K {
            format!("its first four bytes say k = {file_k}, out of range (1..=28)")
        } else {
            format!(
                "its first four bytes say k = {file_k}, but its {len} bytes fit neither the raw \
                 ({}) nor the processed ({}) format of that k",
                SrsFormat::Raw.file_len(file_k),
                SrsFormat::Processed.file_len(file_k)
            )
        })
    })?;
    Ok((file_k, format))
}

/// Reads a whole halo2 KZG parameter file of `len` bytes (raw or processed) at its own `k`,
/// checking every point like an import, and its stored Lagrange points against the
/// monomial ones (see the [module documentation](self)).
pub fn read_params_file<R: Read + Seek>(r: &mut R, len: u64) -> Result<Srs, ImportError> {
    read_params_file_with(r, len, true)
}

/// [`read_params_file`] with the pairing consistency of the powers and the Lagrange basis
/// checked (`consistency`) or not: every point is still decoded and checked on its curve,
/// the generators, τ ∉ {0, 1} and the G2 subgroup are still checked. The consistency checks
/// cost four multi-scalar multiplications of size `2^k` (a tenth of a second at `k = 12` on
/// two cores): worth it where keys or verifiers are made from the parameters, not on every
/// proof, whose parameters are bound to the key by their fingerprint.
pub fn read_params_file_with<R: Read + Seek>(
    r: &mut R,
    len: u64,
    consistency: bool,
) -> Result<Srs, ImportError> {
    let (k, format) = params_header(r, len)?;
    let n = 1usize << k;
    let (g, lagrange, [g2, s_g2]) = match format {
        SrsFormat::Raw => (
            read_g1(r, n, 64, "g", G1Affine::from_raw_bytes)?,
            read_g1(r, n, 64, "g_lagrange", G1Affine::from_raw_bytes)?,
            read_g2(r, 128, "g2/s_g2", G2Affine::from_raw_bytes)?,
        ),
        SrsFormat::Processed => (
            read_g1(r, n, 32, "g", compressed::<G1Affine>)?,
            read_g1(r, n, 32, "g_lagrange", compressed::<G1Affine>)?,
            read_g2(r, 64, "g2/s_g2", compressed::<G2Affine>)?,
        ),
    };
    check_generators(&g, &g2, &s_g2, &PARAMS_LABELS)?;
    if consistency {
        check_power_consistency(&g, &g2, &s_g2)?;
        check_lagrange(&g, &lagrange, k)?;
    }
    Ok(template(&g, g2, s_g2).from_parts(k, g, Some(lagrange), g2, s_g2))
}

/// `ParamsKZG` of `2^k` rows from checked parts, with the Lagrange basis computed.
fn assemble(k: u32, g: Vec<G1Affine>, g2: G2Affine, s_g2: G2Affine) -> Srs {
    template(&g, g2, s_g2).from_parts(k, g, None, g2, s_g2)
}

/// halo2 builds parameters from parts only through a method: a one-row instance of the same
/// points serves as the receiver.
fn template(g: &[G1Affine], g2: G2Affine, s_g2: G2Affine) -> Srs {
    let mut one_row = 0u32.to_le_bytes().to_vec();
    for p in [g[0], g[0]] {
        one_row.extend(p.to_raw_bytes());
    }
    one_row.extend(g2.to_raw_bytes());
    one_row.extend(s_g2.to_raw_bytes());
    Srs::read_custom(&mut one_row.as_slice(), SerdeFormat::RawBytesUnchecked)
        .expect("reading parameters from memory")
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::proving::generate_srs;
    use halo2_proofs::halo2curves::bn256::{Fr, G1, G2};
    use halo2_proofs::halo2curves::group::prime::PrimeCurveAffine;
    use halo2_proofs::halo2curves::group::Curve;
    use halo2_proofs::poly::commitment::{Blind, Params, ParamsProver};
    use halo2_proofs::poly::EvaluationDomain;
    use std::io::Cursor;

    /// A snarkjs-layout ptau file of `power` with secret `tau`, `tweak` altering tauG1.
    fn ptau(power: u32, tau: u64, tweak: impl Fn(usize, G1Affine) -> G1Affine) -> Vec<u8> {
        let tau = Fr::from(tau);
        let mut f = b"ptau".to_vec();
        f.extend(1u32.to_le_bytes());
        f.extend(3u32.to_le_bytes());
        let section = |f: &mut Vec<u8>, id: u32, body: Vec<u8>| {
            f.extend(id.to_le_bytes());
            f.extend((body.len() as u64).to_le_bytes());
            f.extend(body);
        };
        let mut header = 32u32.to_le_bytes().to_vec();
        header.extend(BN254_Q);
        header.extend(power.to_le_bytes());
        header.extend(power.to_le_bytes());
        section(&mut f, HEADER, header);
        let mut g1 = Vec::new();
        let mut p = G1::generator();
        for i in 0..(2usize << power) - 1 {
            g1.extend(tweak(i, p.to_affine()).to_raw_bytes());
            p *= tau;
        }
        section(&mut f, TAU_G1, g1);
        let mut g2 = Vec::new();
        let mut p = G2::generator();
        for _ in 0..1usize << power {
            g2.extend(p.to_affine().to_raw_bytes());
            p *= tau;
        }
        section(&mut f, TAU_G2, g2);
        f
    }

    fn read(bytes: &[u8], k: u32) -> Result<Imported, ImportError> {
        read_ptau(&mut Cursor::new(bytes), bytes.len() as u64, k)
    }

    #[test]
    fn constants_are_the_moduli() {
        use halo2_proofs::halo2curves::ff::PrimeField;
        assert_eq!(
            halo2_proofs::halo2curves::bn256::Fq::MODULUS,
            "0x30644e72e131a029b85045b68181585d97816a916871ca8d3c208c16d87cfd47"
        );
        assert_eq!(BN254_Q[0], 0x47);
        assert_eq!(BLS12_381_Q[47], 0x1a);
    }

    #[test]
    fn a_ptau_gives_the_same_parameters_as_its_secret() {
        let f = ptau(5, 12345, |_, p| p);
        let imported = read(&f, 4).unwrap();
        assert_eq!(
            imported.source,
            Source::Ptau {
                power: 5,
                ceremony_power: 5,
                contributions: None
            }
        );
        let srs = imported.srs;
        assert_eq!(srs.k(), 4);
        let tau = Fr::from(12345);
        assert_eq!(
            srs.get_g()[3],
            (G1::generator() * tau * tau * tau).to_affine()
        );
        assert_eq!(srs.s_g2(), (G2::generator() * tau).to_affine());
        // the Lagrange basis is computed: committing in either basis agrees
        let domain = EvaluationDomain::<Fr>::new(1, 4);
        let mut a = domain.empty_lagrange();
        for (i, a) in a.iter_mut().enumerate() {
            *a = Fr::from(i as u64 * 7 + 3);
        }
        let b = domain.lagrange_to_coeff(a.clone());
        assert_eq!(
            srs.commit(&b, Blind::default()),
            srs.commit_lagrange(&a, Blind::default())
        );
    }

    #[test]
    fn malformed_ptau_files_are_refused() {
        let good = ptau(4, 7, |_, p| p);
        assert!(matches!(
            read(b"junk junk junk", 4),
            Err(ImportError::NotPtau)
        ));
        assert!(matches!(read(&[], 4), Err(ImportError::NotPtau)));
        assert!(matches!(
            read(&good[..good.len() - 1], 4),
            Err(ImportError::Truncated { .. })
        ));
        assert!(matches!(
            read(&good[..20], 4),
            Err(ImportError::Truncated { .. })
        ));
        assert!(matches!(
            read(&good, 5),
            Err(ImportError::KTooLarge {
                k: 5,
                available: 4,
                ..
            })
        ));
        assert!(matches!(read(&good, 0), Err(ImportError::KOutOfRange(0))));
        let mut v2 = good.clone();
        v2[4] = 2;
        assert!(matches!(read(&v2, 4), Err(ImportError::PtauVersion(2))));
        // another field: BLS12-381's header
        let mut bls = b"ptau".to_vec();
        bls.extend(1u32.to_le_bytes());
        bls.extend(1u32.to_le_bytes());
        bls.extend(HEADER.to_le_bytes());
        bls.extend(60u64.to_le_bytes());
        bls.extend(48u32.to_le_bytes());
        bls.extend(BLS12_381_Q);
        bls.extend([4u8, 0, 0, 0, 4, 0, 0, 0]);
        let e = read(&bls, 4).unwrap_err();
        assert!(e.to_string().contains("BLS12-381 (n8 = 48)"), "{e}");
        // a 32-byte field that is not BN254's
        let mut other = good.clone();
        other[28 + 5] ^= 1;
        let e = read(&other, 4).unwrap_err();
        assert!(e.to_string().contains("an unknown curve (n8 = 32"), "{e}");
    }

    #[test]
    fn bad_points_and_secrets_are_refused() {
        // a valid point in the wrong place: only the pairing check notices
        let swapped = ptau(4, 7, |i, p| {
            if i == 5 {
                (G1::generator() + G1::generator()).to_affine()
            } else {
                p
            }
        });
        assert!(matches!(
            read(&swapped, 4),
            Err(ImportError::InconsistentPowers)
        ));
        // beyond 2^k the point is not read
        assert!(read(&swapped, 2).is_ok());
        // off the curve
        let mut off = ptau(4, 7, |_, p| p);
        let at = 12 + 12 + 44 + 12 + 3 * 64;
        off[at] ^= 1;
        assert!(matches!(
            read(&off, 4),
            Err(ImportError::InvalidPoint {
                what: "tauG1",
                index: 3
            })
        ));
        assert!(matches!(
            read(&ptau(4, 1, |_, p| p), 4),
            Err(ImportError::DegenerateTau { tau: 1, .. })
        ));
        assert!(matches!(
            read(&ptau(4, 0, |_, p| p), 4),
            Err(ImportError::DegenerateTau { tau: 0, .. })
        ));
        let shifted = ptau(4, 7, |i, p| if i == 0 { G1Affine::identity() } else { p });
        assert!(matches!(
            read(&shifted, 4),
            Err(ImportError::NotGenerator { group: "G1", .. })
        ));
    }

    #[test]
    fn halo2_parameters_of_a_larger_k_are_downsized_in_both_formats() {
        let big = generate_srs(6, Some(9));
        let mut small = big.clone();
        small.downsize(4);
        let mut expected = Vec::new();
        small
            .write_custom(&mut expected, SerdeFormat::RawBytes)
            .unwrap();
        for format in [SrsFormat::Raw, SrsFormat::Processed] {
            let mut file = Vec::new();
            big.write_custom(&mut file, format.serde()).unwrap();
            assert_eq!(file.len() as u64, format.file_len(6));
            let imported = read_params(&mut Cursor::new(&file), file.len() as u64, 4).unwrap();
            assert_eq!(imported.source, Source::Params { k: 6, format });
            let mut got = Vec::new();
            imported
                .srs
                .write_custom(&mut got, SerdeFormat::RawBytes)
                .unwrap();
            assert!(got == expected, "{format:?}");
            // corrupt a point that is read
            let mut bad = file.clone();
            bad[4 + 2 * format.g1_len() as usize] ^= 0x11;
            let e = read_params(&mut Cursor::new(&bad), bad.len() as u64, 4).unwrap_err();
            assert!(
                matches!(
                    e,
                    ImportError::InvalidPoint {
                        what: "g",
                        index: 2
                    } | ImportError::InconsistentPowers
                ),
                "{e}"
            );
            let e = read_params(
                &mut Cursor::new(&file[..file.len() - 1]),
                file.len() as u64 - 1,
                4,
            )
            .unwrap_err();
            assert!(e.to_string().contains("fit neither the raw"), "{e}");
        }
    }
}
