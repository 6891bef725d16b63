//! One deployed verifier for many models (issue 18, item 4).
//!
//! Two verifying keys of one constraint system — same family, shape, layout, statement and
//! `k`; other truth tables, thresholds or wiring — give verifiers whose Solidity differs only
//! in the key's data: the transcript's initial state (the key's digest) and the commitments
//! of its fixed and permutation columns. A *shared verifier* is that Solidity with those
//! words read from memory instead of written into the code; at its entry it copies them
//! from a *key-data contract* whose address is the last calldata word:
//!
//! ```text
//! calldata  = public words ‖ proof ‖ address of the key-data contract   (32-byte words)
//! key data  = runtime code 0x00 ‖ w_0 ‖ … ‖ w_{m-1}                      (STOP, then the words)
//!             w_0 = digest, then (x, y) of each fixed commitment, then of each permutation one
//! ```
//!
//! The verifier reverts unless the address word is an address, the contract there has
//! exactly `1 + 32 m` bytes of code and its first byte is STOP (so it is data, never code
//! that runs). With the words of key `K` in memory, the verifier executes, instruction for
//! instruction, the single-key verifier of `K` with its constants loaded by `mload` instead
//! of `PUSH32` — which [`SharedVerifier::new`] checks textually (below). So a proof is
//! accepted for key-data contract `D` if and only if the single-key verifier of the key whose
//! words `D` holds accepts it: **what the verifier checked is "valid for the key in `D`"**,
//! and whoever acts on it must pin `D` (its address, or the hash of its code): the
//! ClassificationBounty pins both at construction, `verify-evm` and `submit-proof` check its
//! code against the key before sending. Anyone can deploy key data for a key of their own;
//! it proves nothing about any other key.
//!
//! How the template is found without guessing: the verifier is generated twice, for the real
//! key and for a *sentinel* key — the same constraint system and domain with each commitment
//! replaced by a distinct pseudo-random point `(i + 2^64)·G` (and so another digest). Each
//! sentinel word must occur exactly once in the sentinel source, as a whole literal (hex or
//! decimal); those occurrences become memory loads; and the template with the real key's
//! words written back at those places must be **byte for byte** the real key's source.
//! Anything else (a word the generator folded into other constants, a point it treats
//! specially) is refused with [`EvmError::Generate`]: the key then keeps its own verifier.

use super::{canonical_inputs, exact_length, EvmError};
use crate::proving::{verifier_srs_for, KeyMeta, Srs};
use alloy::primitives::{keccak256, Address, B256, U256};
use halo2_proofs::halo2curves::bn256::{Fr, G1Affine, G1};
use halo2_proofs::halo2curves::ff::{Field, PrimeField};
use halo2_proofs::halo2curves::group::Curve;
use halo2_proofs::halo2curves::CurveAffine;
use halo2_proofs::plonk::{permutation, VerifyingKey};

/// The first line of the loader [`SharedVerifier::new`] inserts.
pub const SHARED_MARKER: &str = "// zero_g: shared verifier.";

/// A verifier shared by every key of one constraint system, and one key's data for it.
#[derive(Clone, Debug)]
pub struct SharedVerifier {
    /// The shared verifier's Solidity (no key's words in it).
    pub sol: String,
    /// This key's words: digest, then the fixed and permutation commitments' coordinates.
    pub words: Vec<U256>,
    /// The length of the key's proofs ([`crate::proving::proof_len`]).
    pub proof_bytes: usize,
}

/// The words a verifier reads from a key: its transcript digest, then `(x, y)` of each fixed
/// commitment and of each permutation commitment, in the key's order.
pub fn key_words(vk: &VerifyingKey<G1Affine>) -> Vec<U256> {
    let mut out = vec![fr_word(&vk.transcript_repr())];
    for p in vk
        .fixed_commitments()
        .iter()
        .chain(vk.permutation().commitments())
    {
        // the identity has no affine coordinates; the generated code writes it as (0, 0)
        let (x, y) = match Option::<_>::from(p.coordinates()) {
            Some(c) => {
                let c: halo2_proofs::halo2curves::Coordinates<G1Affine> = c;
                (fq_word(c.x()), fq_word(c.y()))
            }
            None => (U256::ZERO, U256::ZERO),
        };
        out.push(x);
        out.push(y);
    }
    out
}

fn fr_word(f: &Fr) -> U256 {
    U256::from_le_slice(f.to_repr().as_ref())
}

fn fq_word(f: &halo2_proofs::halo2curves::bn256::Fq) -> U256 {
    U256::from_le_slice(f.to_repr().as_ref())
}

/// The sentinel key: `vk`'s constraint system and domain, its `i`-th commitment replaced by
/// `(i + 2^64)·G` (distinct, and with coordinates no generated constant shares).
fn sentinel(vk: &VerifyingKey<G1Affine>) -> VerifyingKey<G1Affine> {
    let point = |i: usize| -> G1Affine {
        (G1::generator() * (Fr::from(i as u64) + Fr::from(u64::MAX) + Fr::ONE)).to_affine()
    };
    let nf = vk.fixed_commitments().len();
    let fixed = (0..nf).map(point).collect();
    let perm = (0..vk.permutation().commitments().len())
        .map(|i| point(nf + i))
        .collect();
    VerifyingKey::from_parts(
        vk.get_domain().clone(),
        fixed,
        permutation::VerifyingKey::from_commitments(perm),
        vk.cs().clone(),
        Vec::new(),
        false,
    )
}

/// Where a word occurs in a source: byte span, and whether it is written in hex.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
struct Place {
    start: usize,
    end: usize,
    hex: bool,
}

fn render(w: U256, hex: bool) -> String {
    if hex {
        format!("0x{}", hex::encode(w.to_be_bytes::<32>()))
    } else {
        w.to_string()
    }
}

/// Every whole-literal occurrence of `w` in `sol` (hex with 64 digits, or decimal).
fn places(sol: &str, w: U256) -> Vec<Place> {
    let is_word = |c: u8| c.is_ascii_alphanumeric() || c == b'_';
    let mut out = Vec::new();
    for hex in [true, false] {
        let lit = render(w, hex);
        for (start, _) in sol.match_indices(&lit) {
            let end = start + lit.len();
            let before = start.checked_sub(1).map(|i| sol.as_bytes()[i]);
            let after = sol.as_bytes().get(end).copied();
            if !before.is_some_and(is_word) && !after.is_some_and(is_word) {
                out.push(Place { start, end, hex });
            }
        }
    }
    out
}

/// The generated Solidity of a key, before zero_g's checks.
fn generated(srs: &Srs, vk: &VerifyingKey<G1Affine>, n: usize) -> String {
    snark_verifier_sdk::evm::gen_evm_verifier_sol_code::<
        crate::circuit::WnnCircuit<Fr>,
        snark_verifier_sdk::SHPLONK,
    >(srs, vk, vec![n])
}

/// The largest memory offset the generated code names: every hex literal below 2^24 (the
/// generated code addresses memory with constant offsets only).
fn top_of_memory(sol: &str) -> usize {
    sol.match_indices("0x")
        .filter_map(|(i, _)| {
            let digits: String = sol[i + 2..]
                .chars()
                .take_while(char::is_ascii_hexdigit)
                .collect();
            (digits.len() <= 6)
                .then(|| usize::from_str_radix(&digits, 16).ok())
                .flatten()
        })
        .max()
        .unwrap_or(0)
}

impl SharedVerifier {
    /// The shared verifier of `vk`'s constraint system, and `vk`'s words for it.
    pub fn new(srs: &Srs, vk: &VerifyingKey<G1Affine>, meta: &KeyMeta) -> Result<Self, EvmError> {
        let bad = |m: String| EvmError::Generate(format!("no shared verifier for this key: {m}"));
        let srs = verifier_srs_for(srs, meta.circuit.k)?;
        let n = meta.circuit.statement.num_instances(meta.circuit.classes);
        let proof_len = crate::proving::proof_len(&srs, vk, meta)?;
        let real = generated(&srs, vk, n);
        let sent_vk = sentinel(vk);
        let sent = generated(&srs, &sent_vk, n);
        let words = key_words(vk);
        let sent_words = key_words(&sent_vk);
        // each sentinel word: exactly once, as a whole literal
        let mut slots: Vec<(Place, usize)> = Vec::with_capacity(sent_words.len());
        for (i, w) in sent_words.iter().enumerate() {
            match places(&sent, *w).as_slice() {
                [p] => slots.push((*p, i)),
                ps => {
                    return Err(bad(format!(
                        "key word {i} occurs {} times in the generated verifier, not once",
                        ps.len()
                    )))
                }
            }
        }
        slots.sort_by_key(|(p, _)| p.start);
        let base = (top_of_memory(&sent) + 0x400).next_multiple_of(0x20);
        // the template, written back with the real words, must be the real key's source
        let (mut back, mut shared, mut at) = (String::new(), String::new(), 0);
        for (p, i) in &slots {
            back += &sent[at..p.start];
            shared += &sent[at..p.start];
            back += &render(words[*i], p.hex);
            shared += &format!("mload({:#x})", base + 32 * i);
            at = p.end;
        }
        back += &sent[at..];
        shared += &sent[at..];
        if back != real {
            return Err(bad(
                "the generated code depends on the key beyond its digest and commitments".into(),
            ));
        }
        let shared = canonical_inputs(&shared, n)?;
        let shared = insert_loader(&shared, proof_len + 32 * n, base, words.len())?;
        let shared = exact_length(&shared, 32 * n + proof_len + 32)?;
        Ok(Self {
            sol: shared,
            words,
            proof_bytes: proof_len,
        })
    }

    /// The runtime code of this key's data contract: STOP, then its words.
    pub fn key_data_runtime(&self) -> Vec<u8> {
        key_data_runtime(&self.words)
    }

    /// Creation code deploying [`Self::key_data_runtime`].
    pub fn key_data_creation(&self) -> Vec<u8> {
        key_data_creation_of(&self.words)
    }

    /// The hash of this key's data contract's code (what a contract acting on the verifier's
    /// answer pins).
    pub fn key_data_codehash(&self) -> B256 {
        keccak256(self.key_data_runtime())
    }
}

/// The runtime code of a key-data contract holding `words`: STOP, then the words.
pub fn key_data_runtime(words: &[U256]) -> Vec<u8> {
    let mut code = vec![0x00];
    for w in words {
        code.extend_from_slice(&w.to_be_bytes::<32>());
    }
    code
}

/// Creation code deploying the key-data contract of `words`.
pub fn key_data_creation_of(words: &[U256]) -> Vec<u8> {
    creation_of(&key_data_runtime(words))
}

/// Creation code that deploys `runtime` as it is:
/// `PUSH2 len, DUP1, PUSH1 12, PUSH1 0, CODECOPY, PUSH1 0, RETURN`, then the code.
pub fn creation_of(runtime: &[u8]) -> Vec<u8> {
    let len = u16::try_from(runtime.len()).expect("key data is far below 64 KiB");
    let [hi, lo] = len.to_be_bytes();
    let mut code = vec![
        0x61, hi, lo, 0x80, 0x60, 0x0c, 0x60, 0x00, 0x39, 0x60, 0x00, 0xf3,
    ];
    code.extend_from_slice(runtime);
    code
}

/// Calldata for a shared verifier: the single-key calldata, then the key-data address.
pub fn calldata(single: &[u8], key_data: Address) -> Vec<u8> {
    let mut out = single.to_vec();
    out.extend_from_slice(&[0u8; 12]);
    out.extend_from_slice(key_data.as_slice());
    out
}

/// Inserts, after `let f_q := r`, the copy of the key data into memory at `base`: the
/// address is the calldata word at `at`; reverts unless it is an address whose code is STOP
/// and `words` words.
fn insert_loader(sol: &str, at: usize, base: usize, words: usize) -> Result<String, EvmError> {
    if sol.contains(SHARED_MARKER) {
        return Err(EvmError::Generate(
            "the key-data loader is there already".into(),
        ));
    }
    let anchor = format!("let f_q := {}", super::SCALAR_MODULUS_HEX);
    let Some(decl) = sol.find(&anchor) else {
        return Err(EvmError::Generate(format!("no `{anchor}`")));
    };
    let (line_end, indent) = super::line_at(sol, decl);
    let size = 1 + 32 * words;
    let loader = format!(
        "{indent}{SHARED_MARKER} The verifying key's {words} words (its digest, then its fixed\n\
         {indent}// and permutation commitments) come from the contract whose address is the\n\
         {indent}// calldata word at {at:#x}: its code must be STOP and the words ({size:#x} bytes).\n\
         {indent}{{\n\
         {indent}    let vk := calldataload({at:#x})\n\
         {indent}    if shr(160, vk) {{ revert(0, 0) }}\n\
         {indent}    if iszero(eq(extcodesize(vk), {size:#x})) {{ revert(0, 0) }}\n\
         {indent}    extcodecopy(vk, {start:#x}, 0, {size:#x})\n\
         {indent}    if mload({pad:#x}) {{ revert(0, 0) }}\n\
         {indent}}}\n",
        start = base - 1,
        pad = base - 32,
    );
    Ok(format!("{}{loader}{}", &sol[..line_end], &sol[line_end..]))
}

#[cfg(test)]
mod tests {
    use super::*;
    use halo2_proofs::halo2curves::group::prime::PrimeCurveAffine;

    #[test]
    fn key_data_deploys_as_stop_then_words() {
        let words = [U256::from(7), U256::MAX];
        let rt = key_data_runtime(&words);
        assert_eq!(rt.len(), 65);
        assert_eq!(rt[0], 0);
        assert_eq!(rt[32], 7);
        let c = creation_of(&rt);
        assert_eq!(&c[..3], &[0x61, 0, 65]);
        assert_eq!(c.len(), 12 + 65);
        assert_eq!(&c[12..], &rt[..]);
    }

    #[test]
    fn literals_are_found_whole_in_hex_and_decimal() {
        let w = U256::from(255);
        let hex = render(w, true);
        let sol = format!("a({hex}) b(255) c(1255) d(2550) e(x255)");
        let ps = places(&sol, w);
        assert_eq!(ps.len(), 2, "{ps:?}");
        assert!(ps.iter().any(|p| p.hex) && ps.iter().any(|p| !p.hex));
        assert_eq!(
            top_of_memory("mstore(0x7c80, 0x1) 0x30644e72e131a029b8"),
            0x7c80
        );
    }

    #[test]
    fn the_sentinel_points_are_distinct_and_nonzero() {
        let p =
            |i: u64| (G1::generator() * (Fr::from(i) + Fr::from(u64::MAX) + Fr::ONE)).to_affine();
        assert_ne!(p(0), p(1));
        assert!(!bool::from(p(0).is_identity()));
        let _ = G1Affine::identity();
    }
}
