//! The Extended Finite Difference (EFD) of DWN: how a LUT node's real-valued table
//! responds to flipping one of its input bits.
//!
//! For a node of arity $n$ with real table $T$ and address $a$, the derivative of its output
//! with respect to input bit $l$ is taken as
//!
//! $$\frac{\partial y}{\partial x_l}(a) = \alpha \sum_{k \in \{0,1\}^n}
//!   s_l(k)\, \beta^{H_{\neg l}(a, k)}\, T\[k\], \qquad s_l(k) = 2 k_l - 1,$$
//!
//! where $H_{\neg l}$ is the Hamming distance over the other $n-1$ bits,
//! $\alpha = \tfrac12\,0.75^{\,n-1}$ and $\beta = 1/3$: half the finite difference
//! $T[\cdot, l{=}1] - T[\cdot, l{=}0]$, averaged over addresses whose other bits are each
//! flipped with probability 1/4 (DWN, Bacellar et al. 2024, as its authors' code computes it).
//!
//! The kernel $\beta^{H}$ factorises over bits, so for each $l$ the derivative at every
//! address is one butterfly pass over the $2^{n-1}$ differences
//! $D_l\[m\] = T\[m, l{=}1\] - T\[m, l{=}0\]$: `(p, q) → (p + βq, βp + q)` along each other bit.

/// β of the EFD kernel.
pub const BETA: f32 = 1.0 / 3.0;

/// α of the EFD kernel for arity `n`.
pub fn alpha(n: usize) -> f32 {
    0.5 * 0.75f32.powi(n as i32 - 1)
}

/// The address `a` with bit `l` removed (the index into the derivative table of input `l`).
#[inline]
pub fn drop_bit(a: usize, l: usize) -> usize {
    (a & ((1 << l) - 1)) | ((a >> (l + 1)) << l)
}

/// Derivative tables of one node: `out[l·2^(n-1) + drop_bit(a, l)]` is
/// $\partial y / \partial x_l$ at address `a`. `table` has `2^n` entries.
pub fn derivatives(table: &[f32], n: usize, out: &mut [f32]) {
    let half = 1usize << (n - 1);
    debug_assert_eq!(table.len(), 2 * half);
    debug_assert_eq!(out.len(), n * half);
    let a = alpha(n);
    for l in 0..n {
        let d = &mut out[l * half..(l + 1) * half];
        for (m, dm) in d.iter_mut().enumerate() {
            // m indexes the other bits; insert bit l
            let lo = m & ((1 << l) - 1);
            let hi = (m >> l) << (l + 1);
            let k0 = hi | lo;
            *dm = table[k0 | 1 << l] - table[k0];
        }
        for bit in 0..n - 1 {
            let stride = 1 << bit;
            for base in (0..half).step_by(2 * stride) {
                for m in base..base + stride {
                    let (p, q) = (d[m], d[m + stride]);
                    d[m] = p + BETA * q;
                    d[m + stride] = BETA * p + q;
                }
            }
        }
        for v in d.iter_mut() {
            *v *= a;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The defining sum, term by term.
    fn naive(table: &[f32], n: usize, a: usize, l: usize) -> f32 {
        let mut s = 0.0f64;
        for (k, &t) in table.iter().enumerate() {
            let sign = if k >> l & 1 == 1 { 1.0 } else { -1.0 };
            let h = ((a ^ k) & !(1 << l)).count_ones();
            s += sign * (BETA as f64).powi(h as i32) * t as f64;
        }
        (alpha(n) as f64 * s) as f32
    }

    #[test]
    fn butterfly_equals_the_definition() {
        for n in 2..=6 {
            let table: Vec<f32> = (0..1 << n)
                .map(|k| ((k * 37 + 11) % 17) as f32 / 8.0 - 1.0)
                .collect();
            let mut out = vec![0.0; n << (n - 1)];
            derivatives(&table, n, &mut out);
            for a in 0..1 << n {
                for l in 0..n {
                    let got = out[l * (1 << (n - 1)) + drop_bit(a, l)];
                    let want = naive(&table, n, a, l);
                    assert!(
                        (got - want).abs() < 1e-5,
                        "n {n} a {a} l {l}: {got} vs {want}"
                    );
                }
            }
        }
    }

    #[test]
    fn drop_bit_removes_one_bit() {
        assert_eq!(drop_bit(0b10110, 0), 0b1011);
        assert_eq!(drop_bit(0b10110, 2), 0b1010);
        assert_eq!(drop_bit(0b10110, 4), 0b0110);
    }
}
