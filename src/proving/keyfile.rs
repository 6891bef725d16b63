//! Key files (`.pk`, `.vk`), format [`KEY_FORMAT`]: `ZEROG-KEY` magic, the format byte, a
//! little-endian u32 length and that many bytes of JSON [`KeyMeta`], a SHA-256 checksum of
//! everything else in the file (header and body), then the body in halo2's raw format.
//!
//! Reading checks the file before halo2 sees it: magic, format and checksum, the header
//! ([`KeyMeta::check`]), every length in the body against the bytes left in the file, the
//! key's shape, and the vk fingerprint, recomputed. Writing goes through
//! [`write_atomic`]; a verifying key and its proving key are written as one unit
//! ([`write_keys`]): a marker lies beside each while they are renamed into place, so a kill
//! between the two renames leaves files that are refused, naming the cause, never a
//! verifying key of one run read beside the proving key of another
//! ([`crate::fsutil::check_group_complete`]). The public items are re-exported from [`super::artifacts`], where the
//! rest of the proving artifacts live.

use super::artifacts::{
    corrupt, guarded, io_err, parse_digest, write_all_err, write_atomic, KeyMeta,
};
use super::ProofError;
use crate::circuit::WnnCircuit;
use halo2_proofs::halo2curves::bn256::{Fr, G1Affine};
use halo2_proofs::plonk::{ProvingKey, VerifyingKey};
use halo2_proofs::SerdeFormat;
use sha2::{Digest, Sha256};
use std::io::{BufWriter, Write};
use std::path::Path;

const KEY_MAGIC: &[u8; 9] = b"ZEROG-KEY";
/// The key file format this zero_g writes and reads: 2 (format 1 had a checksum that did not
/// cover the header, and recorded no SRS).
pub const KEY_FORMAT: u8 = 2;
/// The largest key file zero_g reads.
pub const MAX_KEY_BYTES: u64 = 8 << 30;
/// The largest key header (JSON metadata) zero_g reads.
pub const MAX_KEY_HEADER: usize = 64 << 10;

/// A key file's header: magic, format, metadata length and metadata.
fn key_header(meta: &KeyMeta) -> Vec<u8> {
    let json = serde_json::to_vec(meta).expect("metadata serialises");
    let mut h = KEY_MAGIC.to_vec();
    h.push(KEY_FORMAT);
    h.extend((json.len() as u32).to_le_bytes());
    h.extend(json);
    h
}

/// Writes a key file: header, checksum of header and body, body.
fn write_key_to(w: &mut impl Write, meta: &KeyMeta, body: &[u8]) -> std::io::Result<()> {
    let header = key_header(meta);
    let sum = Sha256::new()
        .chain_update(&header)
        .chain_update(body)
        .finalize();
    w.write_all(&header)?;
    w.write_all(&sum)?;
    w.write_all(body)
}

/// A key file read and checked: its metadata and where its body starts.
struct KeyFile {
    meta: KeyMeta,
    bytes: Vec<u8>,
    body: usize,
}

impl KeyFile {
    fn body(&self) -> &[u8] {
        &self.bytes[self.body..]
    }
}

fn read_key(path: &Path, what: &str) -> Result<KeyFile, ProofError> {
    // never a key of one `generate-keys` with the partner of another
    crate::fsutil::check_group_complete(path).map_err(io_err(path))?;
    let bytes = crate::fsutil::read_regular(path, MAX_KEY_BYTES).map_err(io_err(path))?;
    let bad = || corrupt(path, format!("not a zero_g {what} file"));
    if bytes.len() < 14 || &bytes[..9] != KEY_MAGIC {
        return Err(bad());
    }
    match bytes[9] {
        KEY_FORMAT => {}
        1 => {
            return Err(corrupt(
                path,
                "key format 1, made by an older zero_g (its checksum does not cover the \
                 header, and it does not record its SRS): regenerate your keys with \
                 `zero_g generate-keys`",
            ))
        }
        v => {
            return Err(corrupt(
                path,
                format!(
                    "unsupported key format {v} (this zero_g reads format {KEY_FORMAT}): \
                     regenerate your keys with `zero_g generate-keys`"
                ),
            ))
        }
    }
    let n = u32::from_le_bytes(bytes[10..14].try_into().expect("4 bytes")) as usize;
    if n > MAX_KEY_HEADER {
        return Err(corrupt(
            path,
            format!("the key header claims {n} bytes; at most {MAX_KEY_HEADER} are accepted"),
        ));
    }
    let meta_end = 14 + n;
    if meta_end + 32 > bytes.len() {
        return Err(corrupt(
            path,
            "truncated: the key header does not fit in the file",
        ));
    }
    let sum = Sha256::new()
        .chain_update(&bytes[..meta_end])
        .chain_update(&bytes[meta_end + 32..])
        .finalize();
    if sum.as_slice() != &bytes[meta_end..meta_end + 32] {
        return Err(corrupt(
            path,
            "checksum mismatch: the file is corrupted or truncated",
        ));
    }
    let meta: KeyMeta = serde_json::from_slice(&bytes[14..meta_end])
        .map_err(|e| corrupt(path, format!("bad key header: {e}")))?;
    meta.check()
        .map_err(|e| corrupt(path, format!("bad key header: {e}")))?;
    Ok(KeyFile {
        meta,
        bytes,
        body: meta_end + 32,
    })
}

fn take_u32<const BE: bool>(r: &mut &[u8]) -> Result<u32, String> {
    if r.len() < 4 {
        return Err("truncated".into());
    }
    let (b, rest) = r.split_at(4);
    *r = rest;
    let b: [u8; 4] = b.try_into().expect("4 bytes");
    Ok(if BE {
        u32::from_be_bytes(b)
    } else {
        u32::from_le_bytes(b)
    })
}

/// Checks a halo2 verifying-key body against the header before halo2 reads it: its version,
/// its `k` (the header's, already bounded), and that everything halo2 allocates from them
/// (the fixed and permutation commitments, the selectors of `2^k` rows) is in the file.
fn check_vk_prefix(body: &[u8], meta: &KeyMeta) -> Result<(), String> {
    use halo2_proofs::plonk::{Circuit, ConstraintSystem};
    let mut r = body;
    let version = *r.first().ok_or("empty key")?;
    if version != 2 {
        return Err(format!("unknown halo2 key version {version}"));
    }
    r = &r[1..];
    let k = take_u32::<false>(&mut r)?;
    if k != meta.circuit.k {
        return Err(format!(
            "the key is for 2^{k} rows but its header says 2^{}",
            meta.circuit.k
        ));
    }
    let compress = *r.first().ok_or("truncated")?;
    if compress > 1 {
        return Err("bad selector flag".into());
    }
    r = &r[1..];
    let fixed = take_u32::<false>(&mut r)? as usize;
    // the circuit's columns, as halo2 will configure them (the shape is already bounded)
    let mut cs = ConstraintSystem::<Fr>::default();
    crate::fsutil::no_panic(|| {
        WnnCircuit::<Fr>::configure_with_params(&mut cs, meta.circuit.clone());
    })
    .ok_or("the header's circuit shape cannot be configured")?;
    let selectors = if compress == 1 {
        cs.num_selectors() * (1usize << k).div_ceil(8)
    } else {
        0
    };
    let need = fixed
        .saturating_add(cs.permutation().get_columns().len())
        .saturating_mul(64)
        .saturating_add(selectors);
    if need > r.len() {
        return Err("truncated: the key holds fewer points than it announces".into());
    }
    Ok(())
}

/// Checks that a verifying key read from a file fits its constraint system (what the
/// prover and verifier index by).
fn check_vk_shape(vk: &VerifyingKey<G1Affine>) -> Result<(), String> {
    if vk.fixed_commitments().len() != vk.cs().num_fixed_columns() {
        return Err(format!(
            "{} fixed commitments for {} fixed columns",
            vk.fixed_commitments().len(),
            vk.cs().num_fixed_columns()
        ));
    }
    Ok(())
}

/// Walks the proving-key part of a body (after its verifying key) before halo2 reads it:
/// three polynomials, the fixed values and polynomials, the permutation's values and
/// polynomials, each of `n` coefficients (a big-endian u32 length, then 32 bytes each), and
/// nothing after them. Every length is checked against the bytes left, so halo2 allocates
/// no more than the file holds.
fn check_pk_tail(mut r: &[u8], n: usize, fixed: usize, permutation: usize) -> Result<(), String> {
    fn poly(r: &mut &[u8], n: usize) -> Result<(), String> {
        let len = take_u32::<true>(r)? as usize;
        if len != n {
            return Err(format!(
                "a polynomial of {len} coefficients where {n} are expected"
            ));
        }
        if len * 32 > r.len() {
            return Err("truncated: a polynomial does not fit in the file".into());
        }
        *r = &r[len * 32..];
        Ok(())
    }
    fn polys(r: &mut &[u8], n: usize, count: usize, what: &str) -> Result<(), String> {
        let c = take_u32::<true>(r)? as usize;
        if c != count {
            return Err(format!("{c} {what} polynomials where {count} are expected"));
        }
        (0..c).try_for_each(|_| poly(r, n))
    }
    for _ in 0..3 {
        poly(&mut r, n)?;
    }
    polys(&mut r, n, fixed, "fixed-value")?;
    polys(&mut r, n, fixed, "fixed")?;
    polys(&mut r, n, permutation, "permutation-value")?;
    polys(&mut r, n, permutation, "permutation")?;
    if !r.is_empty() {
        return Err(format!("{} bytes after the key", r.len()));
    }
    Ok(())
}

/// Reads the verifying key at the start of a checked key body; returns it with the bytes
/// after it.
fn read_vk_body<'a>(
    path: &Path,
    body: &'a [u8],
    meta: &KeyMeta,
) -> Result<(VerifyingKey<G1Affine>, &'a [u8]), ProofError> {
    check_vk_prefix(body, meta).map_err(|e| corrupt(path, format!("bad key: {e}")))?;
    let p = meta.circuit.clone();
    let mut rest = body;
    let vk = guarded(path, "verifying key", || {
        VerifyingKey::read::<_, WnnCircuit<Fr>>(&mut rest, SerdeFormat::RawBytes, p)
    })?;
    check_vk_shape(&vk).map_err(|e| corrupt(path, format!("bad key: {e}")))?;
    Ok((vk, rest))
}

fn check_fingerprint(
    path: &Path,
    vk: &VerifyingKey<G1Affine>,
    meta: &KeyMeta,
) -> Result<(), ProofError> {
    let fp = super::vk_fingerprint(vk);
    if parse_digest(&meta.vk_fingerprint) != parse_digest(&fp) {
        return Err(corrupt(
            path,
            format!(
                "the header names verifying key {}…, but the key in the file is {}…",
                super::short(&meta.vk_fingerprint),
                super::short(&fp)
            ),
        ));
    }
    Ok(())
}

/// Writes a verifying key with its metadata.
pub fn write_vk(
    path: &Path,
    vk: &VerifyingKey<G1Affine>,
    meta: &KeyMeta,
) -> Result<(), ProofError> {
    let mut body = Vec::new();
    vk.write(&mut body, SerdeFormat::RawBytes)
        .map_err(io_err(path))?;
    write_atomic(path, |w| write_key_to(w, meta, &body))
}

/// Reads a verifying key and its metadata (checked: see the
/// [module documentation](super::artifacts)).
pub fn read_vk(path: &Path) -> Result<(VerifyingKey<G1Affine>, KeyMeta), ProofError> {
    let key = read_key(path, "verifying key")?;
    let (vk, rest) = read_vk_body(path, key.body(), &key.meta)?;
    if !rest.is_empty() {
        return Err(corrupt(
            path,
            format!(
                "bad key: {} bytes after the verifying key (a proving key? give the .vk file)",
                rest.len()
            ),
        ));
    }
    check_fingerprint(path, &vk, &key.meta)?;
    Ok((vk, key.meta))
}

/// Writes a proving key with its metadata.
pub fn write_pk(path: &Path, pk: &ProvingKey<G1Affine>, meta: &KeyMeta) -> Result<(), ProofError> {
    let mut body = Vec::new();
    pk.write(&mut body, SerdeFormat::RawBytes)
        .map_err(io_err(path))?;
    write_atomic(path, |w| write_key_to(w, meta, &body))
}

/// Writes a verifying key and its proving key as one unit ([`crate::fsutil::write_atomic_all`]):
/// either both files are replaced or, on failure, neither changes.
pub fn write_keys(
    vk_path: &Path,
    pk_path: &Path,
    pk: &ProvingKey<G1Affine>,
    meta: &KeyMeta,
) -> Result<(), ProofError> {
    let mut vk_body = Vec::new();
    pk.get_vk()
        .write(&mut vk_body, SerdeFormat::RawBytes)
        .map_err(io_err(vk_path))?;
    let mut pk_body = Vec::new();
    pk.write(&mut pk_body, SerdeFormat::RawBytes)
        .map_err(io_err(pk_path))?;
    crate::fsutil::write_atomic_all(vec![
        (
            pk_path,
            Box::new(|w: &mut BufWriter<std::fs::File>| write_key_to(w, meta, &pk_body)),
        ),
        (
            vk_path,
            Box::new(|w: &mut BufWriter<std::fs::File>| write_key_to(w, meta, &vk_body)),
        ),
    ])
    .map_err(write_all_err)
}

/// Reads a proving key and its metadata (checked: see the
/// [module documentation](super::artifacts)).
pub fn read_pk(path: &Path) -> Result<(ProvingKey<G1Affine>, KeyMeta), ProofError> {
    let key = read_key(path, "proving key")?;
    let meta = &key.meta;
    let (vk, rest) = read_vk_body(path, key.body(), meta)?;
    check_pk_tail(
        rest,
        1 << meta.circuit.k,
        vk.fixed_commitments().len(),
        vk.permutation().commitments().len(),
    )
    .map_err(|e| corrupt(path, format!("bad key: {e}")))?;
    let p = meta.circuit.clone();
    let pk = guarded(path, "proving key", || {
        ProvingKey::read::<_, WnnCircuit<Fr>>(&mut key.body(), SerdeFormat::RawBytes, p)
    })?;
    check_fingerprint(path, pk.get_vk(), meta)?;
    Ok((pk, key.meta))
}
