//! The Poseidon hash over BN254 and the salted image commitment built from it (native; the
//! circuit counterpart is `circuit::gadgets::poseidon`). This module does not depend on any
//! circuit code.
//!
//! # The Poseidon instance
//!
//! The permutation works on a state of $t = 3$ elements of BN254's scalar field
//! $\mathbb F_r$ ([`Fr`]), with the S-box $x \mapsto x^5$, $R_F = 8$ full rounds (4 before
//! and 4 after the partial rounds) and $R_P = 57$ partial rounds. Round $i$
//! ($0 \le i < 65$) adds the round constants $c_{i,0}, c_{i,1}, c_{i,2}$ to the three cells,
//! applies the S-box to all three cells (full round) or to cell 0 only (partial round), and
//! multiplies by the MDS matrix: $s'_j = \sum_k M_{jk}\, s_k$.
//!
//! The round constants and the matrix are those of the Poseidon paper's reference parameter
//! generator, recomputed here by [`grain_parameters`] (no table is pasted in):
//!
//! - a Grain LFSR with an 80-bit state, initialised with, most significant bit first: the
//!   field type 1 (prime field) in 2 bits, the S-box type 0 ($x^\alpha$) in 4 bits,
//!   $n = 254$ (bits of $r$) in 12 bits, $t = 3$ in 12 bits, $R_F = 8$ in 10 bits,
//!   $R_P = 57$ in 10 bits, then thirty 1s. Each step computes
//!   $b_{80} = b_{62} \oplus b_{51} \oplus b_{38} \oplus b_{23} \oplus b_{13} \oplus b_0$
//!   and shifts it in (dropping $b_0$); the first 160 output bits are discarded;
//! - the output is self-shrunk: bits are taken in pairs, and the second bit of a pair is
//!   emitted only when the first is 1;
//! - round constants: $(R_F + R_P) \cdot t = 195$ integers of $n$ bits each (big-endian), in
//!   round order ($c_{0,0}, c_{0,1}, c_{0,2}, c_{1,0}, \dots$), each drawn again while it is
//!   $\ge r$ (rejection sampling);
//! - MDS: $2t = 6$ further $n$-bit draws reduced modulo $r$, $x_0..x_2$ then $y_0..y_2$
//!   (drawn again, all six, if two coincide or some $x_j + y_k = 0$), and the Cauchy matrix
//!   $M_{jk} = 1/(x_j + y_k)$.
//!
//! This is the instance of circomlib / circomlibjs `poseidon` with two inputs:
//! `poseidon([a, b])` is state 0 of the permutation of $(0, a, b)$ ([`hash2`]), and
//! `poseidon([a, b], h)` (an initial state $h$) that of $(h, a, b)$ ([`hash_with_init`]).
//! For example `poseidon([1, 2])` =
//! `7853200120776062878684798364095072458815029376092732009249414926327459813530`.
//!
//! (The reference generator also tests the Cauchy matrix for insecure invariant subspaces and
//! draws again if one is found; that test is not repeated here. For this instance the first
//! matrix drawn is the published one, which the fixed test vectors confirm.)
//!
//! # The image commitment
//!
//! An image of $N$ pixels $p_0..p_{N-1}$ (bytes, row-major) is packed into words of 31
//! pixels, little-endian: $m_j = \sum_{i<31} p_{31j+i}\, 256^i$ (pixels past the end count as
//! 0); when the number of words is odd a zero word is appended ([`pack_pixels`]). With a
//! prover-chosen salt $\sigma \in \mathbb F_r$ ([`random_salt`]):
//! $$h_0 = \sigma, \qquad h_{j+1} = \mathrm{Poseidon}(h_j, m_{2j}, m_{2j+1})_0, \qquad
//! \mathrm{commit}(p, \sigma) = h_{W/2}$$
//! for $W$ words ([`commit_image`]); in circomlibjs terms,
//! `h = poseidon([m[2j], m[2j+1]], h)` repeated. An MNIST image ($N = 784$) gives 26 words
//! and 13 permutations. Field elements are written as `0x` and 64 hex digits, big-endian
//! ([`to_hex`], [`from_hex`]).

use halo2_proofs::halo2curves::bn256::Fr;
use halo2_proofs::halo2curves::ff::{Field, PrimeField};
use std::any::{Any, TypeId};
use std::collections::HashMap;
use std::sync::{Mutex, OnceLock};

/// State width $t$.
pub const WIDTH: usize = 3;
/// Full rounds $R_F$ (half before, half after the partial rounds).
pub const FULL_ROUNDS: usize = 8;
/// Partial rounds $R_P$.
pub const PARTIAL_ROUNDS: usize = 57;
/// Total rounds $R_F + R_P$.
pub const ROUNDS: usize = FULL_ROUNDS + PARTIAL_ROUNDS;
/// Pixels packed into one field element.
pub const PIXELS_PER_WORD: usize = 31;

/// A prime field whose canonical representation is 32 little-endian bytes (BN254's `Fr`).
pub trait PoseidonField: PrimeField<Repr = [u8; 32]> {}
impl<F: PrimeField<Repr = [u8; 32]>> PoseidonField for F {}

/// A malformed field element in hex.
#[derive(Debug, thiserror::Error)]
pub enum CommitmentError {
    /// Not `0x` followed by 64 hex digits.
    #[error("`{input}` is not a 32-byte hex field element (0x + 64 hex digits): {reason}")]
    Hex {
        /// The text given.
        input: String,
        /// What is wrong with it.
        reason: String,
    },
    /// The integer is not below the field modulus.
    #[error("`{0}` is not a field element: it is not below the BN254 scalar modulus r")]
    NotCanonical(String),
}

/// Whether round `i` (`0 ≤ i < ROUNDS`) is a full round.
pub fn is_full_round(i: usize) -> bool {
    !(FULL_ROUNDS / 2..FULL_ROUNDS / 2 + PARTIAL_ROUNDS).contains(&i)
}

/// The Grain LFSR of the Poseidon reference generator, with self-shrinking output.
struct Grain {
    bits: [bool; 80],
    /// Position of the oldest bit ($b_0$) in the ring `bits`.
    head: usize,
}

impl Grain {
    /// Loads the 80-bit initial state and discards the first 160 bits.
    fn new(field_bits: u32, t: usize, r_f: usize, r_p: usize) -> Self {
        let fields: [(u64, usize); 6] = [
            (1, 2), // field type: prime
            (0, 4), // S-box type: x^alpha
            (field_bits as u64, 12),
            (t as u64, 12),
            (r_f as u64, 10),
            (r_p as u64, 10),
        ];
        let mut init = Vec::with_capacity(80);
        for (value, width) in fields {
            assert!(value < 1 << width, "{value} does not fit in {width} bits");
            init.extend((0..width).rev().map(|i| (value >> i) & 1 == 1));
        }
        init.resize(80, true);
        let mut g = Grain {
            bits: init.try_into().expect("80 bits"),
            head: 0,
        };
        for _ in 0..160 {
            g.step();
        }
        g
    }

    /// One LFSR step: the new bit, which is also shifted in.
    fn step(&mut self) -> bool {
        let b = |i: usize| self.bits[(self.head + i) % 80];
        let new = b(62) ^ b(51) ^ b(38) ^ b(23) ^ b(13) ^ b(0);
        self.bits[self.head] = new;
        self.head = (self.head + 1) % 80;
        new
    }

    /// The next self-shrunk output bit.
    fn next_bit(&mut self) -> bool {
        loop {
            let keep = self.step();
            let bit = self.step();
            if keep {
                return bit;
            }
        }
    }

    /// `n` output bits, the first one the most significant.
    fn draw(&mut self, n: usize) -> Vec<bool> {
        (0..n).map(|_| self.next_bit()).collect()
    }
}

/// The integer of big-endian `bits` if it is below the modulus.
fn canonical<F: PoseidonField>(bits: &[bool]) -> Option<F> {
    let mut repr = [0u8; 32];
    for (i, &b) in bits.iter().rev().enumerate() {
        if b {
            repr[i / 8] |= 1 << (i % 8);
        }
    }
    F::from_repr(repr).into()
}

/// The integer of big-endian `bits`, reduced modulo the field's modulus.
fn reduced<F: PoseidonField>(bits: &[bool]) -> F {
    bits.iter().fold(F::ZERO, |acc, &b| {
        acc.double() + if b { F::ONE } else { F::ZERO }
    })
}

/// Round constants and MDS matrix of the Poseidon reference generator for the prime field
/// `F` (with $n$ = `F::NUM_BITS`), S-box $x^\alpha$, width `t` and `r_f` / `r_p` rounds, as
/// described in the [module documentation](self): returns the $(R_F + R_P)\,t$ round
/// constants in round order and the $t \times t$ Cauchy matrix, rows first.
///
/// # Panics
/// If `F`'s representation is not little-endian, or a parameter does not fit its bit field
/// (`n`, `t` < 4096, `r_f`, `r_p` < 1024).
pub fn grain_parameters<F: PoseidonField>(
    t: usize,
    r_f: usize,
    r_p: usize,
) -> (Vec<F>, Vec<Vec<F>>) {
    assert_eq!(
        F::ONE.to_repr()[0],
        1,
        "the representation must be little-endian"
    );
    let n = F::NUM_BITS as usize;
    assert!(n <= 256);
    let mut grain = Grain::new(F::NUM_BITS, t, r_f, r_p);
    let constants = (0..(r_f + r_p) * t)
        .map(|_| loop {
            if let Some(c) = canonical::<F>(&grain.draw(n)) {
                break c;
            }
        })
        .collect();
    let mds = loop {
        let v: Vec<F> = (0..2 * t).map(|_| reduced::<F>(&grain.draw(n))).collect();
        let (xs, ys) = v.split_at(t);
        let distinct = (0..v.len()).all(|i| (0..i).all(|j| v[i] != v[j]));
        let sums: Vec<Vec<F>> = xs
            .iter()
            .map(|x| ys.iter().map(|y| *x + y).collect())
            .collect();
        if distinct && sums.iter().flatten().all(|s| !bool::from(s.is_zero())) {
            break sums
                .into_iter()
                .map(|row| row.into_iter().map(|s| s.invert().unwrap()).collect())
                .collect();
        }
    };
    (constants, mds)
}

/// The parameters of the width-3 instance for field `F`.
#[derive(Clone, Debug)]
pub struct PoseidonParams<F: PoseidonField> {
    /// $c_{i,j}$: round `i`, cell `j`.
    pub round_constants: Vec<[F; WIDTH]>,
    /// $M$, rows first: $s'_j = \sum_k M_{jk} s_k$.
    pub mds: [[F; WIDTH]; WIDTH],
}

impl<F: PoseidonField> PoseidonParams<F> {
    /// Runs [`grain_parameters`] for $t = 3$, $R_F = 8$, $R_P = 57$.
    pub fn generate() -> Self {
        let (flat, mds) = grain_parameters::<F>(WIDTH, FULL_ROUNDS, PARTIAL_ROUNDS);
        let row = |v: &[F]| -> [F; WIDTH] { v.try_into().expect("width 3") };
        PoseidonParams {
            round_constants: flat.chunks(WIDTH).map(row).collect(),
            mds: [row(&mds[0]), row(&mds[1]), row(&mds[2])],
        }
    }

    /// $M \cdot s$.
    pub fn mds_mul(&self, s: &[F; WIDTH]) -> [F; WIDTH] {
        self.mds
            .map(|row| row.iter().zip(s).map(|(m, x)| *m * x).sum::<F>())
    }
}

/// A value computed once per type for the life of the process (leaked, so one per type).
pub(crate) fn cached<T: Any + Send + Sync>(make: impl FnOnce() -> T) -> &'static T {
    type Cache = Mutex<HashMap<TypeId, &'static (dyn Any + Send + Sync)>>;
    static CACHE: OnceLock<Cache> = OnceLock::new();
    let cache = CACHE.get_or_init(Default::default);
    let id = TypeId::of::<T>();
    let hit = cache.lock().expect("cache lock").get(&id).copied();
    // Computed outside the lock: `make` may itself use the cache.
    let value = match hit {
        Some(v) => v,
        None => {
            let fresh: &'static T = Box::leak(Box::new(make()));
            *cache.lock().expect("cache lock").entry(id).or_insert(fresh)
        }
    };
    value.downcast_ref().expect("keyed by its type")
}

/// The parameters for `F`, generated on first use.
pub fn params<F: PoseidonField>() -> &'static PoseidonParams<F> {
    cached(PoseidonParams::<F>::generate)
}

/// $x^5$.
pub fn pow5<F: Field>(x: F) -> F {
    x.square().square() * x
}

/// The Poseidon permutation.
pub fn permute<F: PoseidonField>(mut state: [F; WIDTH]) -> [F; WIDTH] {
    let p = params::<F>();
    for (i, c) in p.round_constants.iter().enumerate() {
        for (s, c) in state.iter_mut().zip(c) {
            *s += c;
        }
        if is_full_round(i) {
            state = state.map(pow5);
        } else {
            state[0] = pow5(state[0]);
        }
        state = p.mds_mul(&state);
    }
    state
}

/// circomlib's `poseidon([a, b])`: state 0 of the permutation of $(0, a, b)$.
pub fn hash2<F: PoseidonField>(a: F, b: F) -> F {
    hash_with_init(F::ZERO, a, b)
}

/// circomlibjs' `poseidon([a, b], init)`: state 0 of the permutation of $(init, a, b)$.
pub fn hash_with_init<F: PoseidonField>(init: F, a: F, b: F) -> F {
    permute([init, a, b])[0]
}

/// $h_0 = init$, $h_{j+1} = $ [`hash_with_init`]$(h_j, m_{2j}, m_{2j+1})$; returns the last
/// $h$ (`init` itself when `msgs` is empty).
///
/// # Panics
/// If `msgs` has odd length.
pub fn hash_chain<F: PoseidonField>(init: F, msgs: &[F]) -> F {
    assert!(
        msgs.len().is_multiple_of(2),
        "the chain absorbs messages in pairs"
    );
    msgs.chunks(2)
        .fold(init, |h, m| hash_with_init(h, m[0], m[1]))
}

/// Words of `pixels` pixels after packing: $\lceil N/31 \rceil$ rounded up to even.
pub fn word_count(pixels: usize) -> usize {
    let w = pixels.div_ceil(PIXELS_PER_WORD);
    w + w % 2
}

/// Packs pixels 31 per word, little-endian, with a zero word appended to an odd count.
pub fn pack_pixels<F: PoseidonField>(pixels: &[u8]) -> Vec<F> {
    let mut words: Vec<F> = pixels
        .chunks(PIXELS_PER_WORD)
        .map(|chunk| {
            let base = F::from(256);
            chunk
                .iter()
                .rev()
                .fold(F::ZERO, |acc, &p| acc * base + F::from(p as u64))
        })
        .collect();
    if !words.len().is_multiple_of(2) {
        words.push(F::ZERO);
    }
    words
}

/// The salted commitment to an image: [`hash_chain`]`(salt, pack_pixels(pixels))`.
pub fn commit_image<F: PoseidonField>(pixels: &[u8], salt: F) -> F {
    hash_chain(salt, &pack_pixels::<F>(pixels))
}

/// A uniformly random salt from the operating system's generator.
pub fn random_salt() -> Fr {
    Fr::random(rand::rngs::OsRng)
}

/// `0x` and the 64 hex digits of the canonical integer, big-endian.
pub fn to_hex<F: PoseidonField>(x: &F) -> String {
    let mut be = x.to_repr();
    be.reverse();
    format!("0x{}", hex::encode(be))
}

/// Parses [`to_hex`]'s format (the `0x` is optional, upper or lower case digits), rejecting
/// integers that are not below the modulus.
pub fn from_hex<F: PoseidonField>(s: &str) -> Result<F, CommitmentError> {
    let bad = |reason: &str| CommitmentError::Hex {
        input: s.to_string(),
        reason: reason.to_string(),
    };
    let digits = s
        .strip_prefix("0x")
        .or_else(|| s.strip_prefix("0X"))
        .unwrap_or(s);
    if digits.len() != 64 {
        return Err(bad(&format!("{} hex digits", digits.len())));
    }
    let mut repr: [u8; 32] = hex::decode(digits)
        .map_err(|e| bad(&e.to_string()))?
        .try_into()
        .expect("64 digits");
    repr.reverse();
    Option::from(F::from_repr(repr)).ok_or_else(|| CommitmentError::NotCanonical(s.to_string()))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn dec(s: &str) -> Fr {
        let mut acc = Fr::ZERO;
        for ch in s.chars() {
            acc = acc * Fr::from(10) + Fr::from(ch.to_digit(10).unwrap() as u64);
        }
        acc
    }

    #[test]
    fn circomlib_vectors() {
        // circomlibjs 0.1.7: poseidon([1, 2])
        assert_eq!(
            hash2(Fr::from(1), Fr::from(2)),
            dec("7853200120776062878684798364095072458815029376092732009249414926327459813530")
        );
        // circomlibjs 0.1.7: poseidon([3, 4], 5)
        assert_eq!(
            hash_with_init(Fr::from(5), Fr::from(3), Fr::from(4)),
            dec("3056759244539546032561139346735370183115355065631447332097893966077408560380")
        );
    }

    #[test]
    fn parameters_shape() {
        let p = params::<Fr>();
        assert_eq!(p.round_constants.len(), ROUNDS);
        // Cauchy: M_jk · (x_j + y_k) = 1 means no entry is zero and no two rows are equal.
        for j in 0..WIDTH {
            for k in 0..WIDTH {
                assert!(!bool::from(p.mds[j][k].is_zero()));
            }
        }
        assert_ne!(p.mds[0], p.mds[1]);
        assert!(std::ptr::eq(p, params::<Fr>()), "computed once");
        assert_eq!(
            (0..ROUNDS).filter(|&i| is_full_round(i)).count(),
            FULL_ROUNDS
        );
        assert!(is_full_round(3) && !is_full_round(4) && !is_full_round(60) && is_full_round(61));
    }

    #[test]
    fn packing() {
        assert_eq!(word_count(0), 0);
        assert_eq!(word_count(1), 2); // one word, padded to two
        assert_eq!(word_count(62), 2);
        assert_eq!(word_count(63), 4);
        assert_eq!(word_count(784), 26);
        assert!(pack_pixels::<Fr>(&[]).is_empty());
        // little-endian: pixel 0 is the least significant byte
        assert_eq!(pack_pixels::<Fr>(&[1, 2]), vec![Fr::from(0x0201), Fr::ZERO]);
        // 31 pixels fill one word; the 32nd starts the next
        let mut px = vec![0u8; 32];
        px[30] = 1;
        px[31] = 7;
        let w = pack_pixels::<Fr>(&px);
        assert_eq!(w, vec![Fr::from(256).pow_vartime([30]), Fr::from(7)]);
        // all 255: 2^248 − 1 per full word (max), below r
        let w = pack_pixels::<Fr>(&[255; 784]);
        assert_eq!(w.len(), 26);
        assert_eq!(w[0], Fr::from(2).pow_vartime([248]) - Fr::ONE);
        assert_eq!(w[25], Fr::from(256).pow_vartime([9]) - Fr::ONE); // 784 − 25·31 = 9 pixels
    }

    #[test]
    fn commitment_is_the_chain() {
        let salt = Fr::from(99);
        assert_eq!(commit_image(&[], salt), salt);
        let px: Vec<u8> = (0..100u32).map(|i| (i * 37 % 256) as u8).collect();
        let m = pack_pixels::<Fr>(&px);
        assert_eq!(m.len(), 4);
        let h1 = hash_with_init(salt, m[0], m[1]);
        assert_eq!(commit_image(&px, salt), hash_with_init(h1, m[2], m[3]));
        assert_ne!(commit_image(&px, salt), commit_image(&px, salt + Fr::ONE));
        assert_ne!(random_salt(), random_salt());
    }

    #[test]
    fn hex_round_trip_and_bounds() {
        let r_minus_1 = "0x30644e72e131a029b85045b68181585d2833e84879b9709143e1f593f0000000";
        assert_eq!(to_hex(&-Fr::ONE), r_minus_1); // max
        assert_eq!(from_hex::<Fr>(r_minus_1).unwrap(), -Fr::ONE);
        assert_eq!(to_hex(&Fr::from(5)), format!("0x{}5", "0".repeat(63)));
        let x = Fr::from(0x1234_5678_9abc_def0) * Fr::from(u64::MAX);
        assert_eq!(from_hex::<Fr>(&to_hex(&x)).unwrap(), x);
        assert_eq!(from_hex::<Fr>(&to_hex(&x)[2..]).unwrap(), x); // no prefix
        assert_eq!(
            from_hex::<Fr>(&to_hex(&x).to_uppercase().replace("0X", "0x")).unwrap(),
            x
        );
        // r itself (max + 1) and 2^256 − 1 are not field elements
        let r = "0x30644e72e131a029b85045b68181585d2833e84879b9709143e1f593f0000001";
        assert!(matches!(
            from_hex::<Fr>(r),
            Err(CommitmentError::NotCanonical(_))
        ));
        let ones = format!("0x{}", "f".repeat(64));
        assert!(matches!(
            from_hex::<Fr>(&ones),
            Err(CommitmentError::NotCanonical(_))
        ));
        for bad in [
            "0x",
            "0x123",
            &format!("0x{}g", "0".repeat(63)),
            &format!("0x{}", "0".repeat(65)),
        ] {
            assert!(
                matches!(from_hex::<Fr>(bad), Err(CommitmentError::Hex { .. })),
                "{bad}"
            );
        }
    }
}
