//! The input encoding of a LUT network, fitted on training data: per-input thermometer
//! thresholds at the training quantiles (DWN's *distributive* thermometer), and the list of
//! distinct, non-constant input bits the first layer may choose from.

use crate::data::Dataset;

/// Thresholds at the training quantiles: for input $i$ with sorted training values
/// $v_0 \le \dots \le v_{S-1}$ and $j = 1..B$, $t_{i,j} = v_{\lfloor S j / (B+1) \rfloor} + 1$,
/// so that bit $[x \ge t_{i,j}]$ is $[x > v_{\lfloor S j/(B+1) \rfloor}]$. Values lie in
/// `1..=256` (256: the bit is never set). Returns `(N, B)` row-major.
pub fn quantile_thresholds(data: &Dataset, bits_per_input: usize) -> Vec<u16> {
    let n = data.num_inputs();
    let s = data.len();
    let mut out = Vec::with_capacity(n * bits_per_input);
    // one histogram per input: quantiles of bytes need no sort
    let mut hist = vec![[0u32; 256]; n];
    for (x, _) in data.iter() {
        for (h, &v) in hist.iter_mut().zip(x) {
            h[v as usize] += 1;
        }
    }
    for h in &hist {
        for j in 1..=bits_per_input {
            let rank = (s * j / (bits_per_input + 1)) as u64;
            let mut seen = 0u64;
            let mut value = 255u16;
            for (v, &c) in h.iter().enumerate() {
                seen += c as u64;
                if seen > rank {
                    value = v as u16;
                    break;
                }
            }
            out.push(value + 1);
        }
    }
    out
}

/// One candidate input bit: `[x_input ≥ threshold]`, and the model bit index that computes
/// it (the first `(input, j)` with that threshold).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct CandidateBit {
    /// Input index `i`.
    pub input: u32,
    /// Threshold `t` in `1..=255`.
    pub threshold: u16,
    /// Bit index `i·B + j` in the model's bit vector.
    pub model_bit: u32,
}

/// The distinct input bits that are not constant on `data`, in input order.
pub fn candidate_bits(
    data: &Dataset,
    thresholds: &[u16],
    bits_per_input: usize,
) -> Vec<CandidateBit> {
    let n = data.num_inputs();
    let mut lo = vec![255u8; n];
    let mut hi = vec![0u8; n];
    for (x, _) in data.iter() {
        for i in 0..n {
            lo[i] = lo[i].min(x[i]);
            hi[i] = hi[i].max(x[i]);
        }
    }
    let mut out = Vec::new();
    for i in 0..n {
        let mut seen: Vec<u16> = Vec::new();
        for j in 0..bits_per_input {
            let t = thresholds[i * bits_per_input + j];
            // constant on the data: always set (t ≤ min) or never (t > max)
            if t <= lo[i] as u16 || t > hi[i] as u16 || seen.contains(&t) {
                continue;
            }
            seen.push(t);
            out.push(CandidateBit {
                input: i as u32,
                threshold: t,
                model_bit: (i * bits_per_input + j) as u32,
            });
        }
    }
    out
}

/// The candidate bits of every sample, sample-major, one byte (0 or 1) per bit.
pub fn encode(data: &Dataset, bits: &[CandidateBit]) -> Vec<u8> {
    let mut out = Vec::with_capacity(data.len() * bits.len());
    for (x, _) in data.iter() {
        encode_sample(x, bits, &mut out);
    }
    out
}

/// Appends the candidate bits of one sample `x` to `out`, one byte (0 or 1) per bit.
pub fn encode_sample(x: &[u8], bits: &[CandidateBit], out: &mut Vec<u8>) {
    out.extend(
        bits.iter()
            .map(|b| (x[b.input as usize] as u16 >= b.threshold) as u8),
    );
}

#[cfg(test)]
mod tests {
    use super::*;

    fn data(cols: Vec<Vec<u8>>) -> Dataset {
        // cols[i] = values of input i over the samples
        let s = cols[0].len();
        let n = cols.len();
        let mut pixels = Vec::new();
        for k in 0..s {
            for c in &cols {
                pixels.push(c[k]);
            }
        }
        Dataset {
            pixels,
            labels: vec![0; s],
            rows: 1,
            cols: n,
        }
    }

    #[test]
    fn quantiles_and_candidates() {
        // input 0: 0,0,0,10,20,30,40,50 ; input 1: constant 7
        let d = data(vec![vec![0, 0, 0, 10, 20, 30, 40, 50], vec![7; 8]]);
        let t = quantile_thresholds(&d, 3);
        // ranks ⌊8j/4⌋ = 2, 4, 6 → values 0, 20, 40 → thresholds 1, 21, 41
        assert_eq!(&t[..3], &[1, 21, 41]);
        assert_eq!(&t[3..], &[8, 8, 8]);
        let c = candidate_bits(&d, &t, 3);
        // input 1's bit (x ≥ 8) is never set: not a candidate
        assert_eq!(
            c.iter()
                .map(|b| (b.input, b.threshold, b.model_bit))
                .collect::<Vec<_>>(),
            vec![(0, 1, 0), (0, 21, 1), (0, 41, 2)]
        );
        let e = encode(&d, &c);
        assert_eq!(&e[9..12], &[1, 0, 0]); // sample 3: x = 10
    }
}
