//! The MishMash hash of BTHOWeN-0g and the number theory around its prime.
//!
//! For a filter input $x < 2^n$, a prime $p$ with $2^l < p < 2^{l+1}$ and
//! $l = K \cdot \log_2 E$:
//!
//! $$h(x) = (x^3 \bmod p) \bmod 2^l$$
//!
//! and the $K$ Bloom indices are the successive $\log_2 E$-bit slices of $h$, least
//! significant first: $\mathrm{idx}_i = (h \gg i\log_2 E) \mathbin{\&} (E-1)$.
//! When $p \equiv 2 \pmod 3$, $x \mapsto x^3$ permutes $\mathbb{Z}_p$.

/// `a · b mod m` without overflow for any `u64` operands.
#[inline]
pub fn mul_mod(a: u64, b: u64, m: u64) -> u64 {
    ((a as u128 * b as u128) % m as u128) as u64
}

/// `x³ mod p`, exact for any `x, p < 2^64`.
#[inline]
pub fn cube_mod(x: u64, p: u64) -> u64 {
    let x = x % p;
    mul_mod(mul_mod(x, x, p), x, p)
}

/// The MishMash hash `(x³ mod p) mod 2^l`.
#[inline]
pub fn mishmash(x: u64, p: u64, l: u32) -> u64 {
    cube_mod(x, p) & low_mask(l)
}

/// A mask of the `bits` low bits.
#[inline]
pub fn low_mask(bits: u32) -> u64 {
    if bits >= 64 {
        u64::MAX
    } else {
        (1u64 << bits) - 1
    }
}

/// Splits a hash into `k` indices of `bits_per_index` bits, least significant first.
#[inline]
pub fn split_indices(hash: u64, k: usize, bits_per_index: u32) -> impl Iterator<Item = usize> {
    let mask = low_mask(bits_per_index);
    (0..k).map(move |i| ((hash >> (i as u32 * bits_per_index)) & mask) as usize)
}

fn pow_mod(mut base: u64, mut exp: u64, m: u64) -> u64 {
    let mut acc = 1 % m;
    base %= m;
    while exp > 0 {
        if exp & 1 == 1 {
            acc = mul_mod(acc, base, m);
        }
        base = mul_mod(base, base, m);
        exp >>= 1;
    }
    acc
}

/// Deterministic Miller–Rabin primality test, exact for every `u64`.
pub fn is_prime(n: u64) -> bool {
    if n < 2 {
        return false;
    }
    const SMALL: [u64; 12] = [2, 3, 5, 7, 11, 13, 17, 19, 23, 29, 31, 37];
    for &q in &SMALL {
        if n.is_multiple_of(q) {
            return n == q;
        }
    }
    let s = (n - 1).trailing_zeros();
    let d = (n - 1) >> s;
    'witness: for &a in &SMALL {
        let mut x = pow_mod(a, d, n);
        if x == 1 || x == n - 1 {
            continue;
        }
        for _ in 1..s {
            x = mul_mod(x, x, n);
            if x == n - 1 {
                continue 'witness;
            }
        }
        return false;
    }
    true
}

/// The largest prime `p < 2^(l+1)` with `p ≡ 2 (mod 3)`, so that cubing permutes `Z_p`.
/// Returns `None` if no such prime exceeds `2^l` (only for tiny `l`) or `l > 62`.
pub fn choose_p(l: u32) -> Option<u64> {
    if l > 62 {
        return None;
    }
    let hi = 1u64 << (l + 1);
    let lo = 1u64 << l;
    let mut c = hi - 1;
    while c > lo {
        if c % 3 == 2 && is_prime(c) {
            return Some(c);
        }
        c -= 1;
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn known_vectors_from_the_original() {
        // ORIGINAL.md 3.7: p = 2,097,143, l = 20, 10-bit indices.
        let p = 2_097_143;
        assert_eq!(mishmash(2237, p, 20), 825_286);
        assert_eq!(
            split_indices(825_286, 2, 10).collect::<Vec<_>>(),
            vec![966, 805]
        );
        assert_eq!(mishmash(3788, p, 20), 47_598);
        assert_eq!(
            split_indices(47_598, 2, 10).collect::<Vec<_>>(),
            vec![494, 46]
        );
        // ORIGINAL.md 7: p = 11, l = 3.
        let got: Vec<u64> = [2, 4, 42, 255]
            .iter()
            .map(|&x| mishmash(x, 11, 3))
            .collect();
        assert_eq!(got, vec![0, 1, 3, 0]);
    }

    #[test]
    fn cube_mod_matches_big_arithmetic() {
        // Large's prime and a 49-bit input: x³ has 147 bits.
        let p = 9_007_199_254_740_881u64;
        let x = (1u64 << 49) - 3;
        // reference by repeated u128 reduction
        let r = ((x as u128 * x as u128) % p as u128 * x as u128) % p as u128;
        assert_eq!(cube_mod(x, p) as u128, r);
    }

    #[test]
    fn primes() {
        assert!(is_prime(2) && is_prime(3) && is_prime(509) && is_prime(2_097_143));
        assert!(is_prime(9_007_199_254_740_881));
        assert!(!is_prime(1) && !is_prime(0) && !is_prime(511) && !is_prime(3_215_031_751));
        assert!(is_prime(18_446_744_073_709_551_557)); // largest u64 prime
        assert!(!is_prime(18_446_744_073_709_551_615));
    }

    #[test]
    fn choose_p_matches_the_published_models() {
        assert_eq!(choose_p(8), Some(509));
        assert_eq!(choose_p(20), Some(2_097_143));
        assert_eq!(choose_p(22), Some(8_388_593));
        assert_eq!(choose_p(52), Some(9_007_199_254_740_881));
        for l in 2..=62 {
            let p = choose_p(l).unwrap();
            assert!(p > 1 << l && p < 1 << (l + 1) && p % 3 == 2 && is_prime(p));
        }
    }
}
