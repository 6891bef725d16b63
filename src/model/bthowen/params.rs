//! The shape of a BTHOWeN model: the seven integer attributes of the HDF5 file.

use super::hash::is_prime;
use crate::error::ModelError;
use serde::{Deserialize, Serialize};

/// The widest filter input the engine accepts. Filter inputs are read as `u64`, and the
/// circuit needs $x^3 < r_{\mathrm{BN254}} \approx 2^{253.6}$, which holds for $n \le 64$.
pub const MAX_FILTER_INPUTS: usize = 64;
/// The widest hash `l` the engine accepts, so that `p < 2^(l+1) ≤ 2^63`.
pub const MAX_HASH_BITS: u32 = 62;

/// The hyper-parameters that fix a model's shape.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct WnnParams {
    /// Number of classes (discriminators), `C`.
    pub num_classes: usize,
    /// Number of inputs (bytes: pixels or quantised features); the original's models take a
    /// `√num_inputs`-square image.
    pub num_inputs: usize,
    /// Thermometer bits per pixel.
    pub bits_per_input: usize,
    /// Bits fed to one Bloom filter, `n`.
    pub num_filter_inputs: usize,
    /// Entries per Bloom filter, `E` (a power of two).
    pub num_filter_entries: usize,
    /// Hashes (indices) per lookup, `K`.
    pub num_filter_hashes: usize,
    /// The MishMash prime.
    pub p: u64,
}

impl WnnParams {
    /// Total number of thermometer bits, `num_inputs · bits_per_input`.
    pub fn total_bits(&self) -> usize {
        self.num_inputs * self.bits_per_input
    }
    /// Filters per class, `F`.
    pub fn num_filters(&self) -> usize {
        self.total_bits() / self.num_filter_inputs
    }
    /// Bits per Bloom index, `log2 E`.
    pub fn bits_per_index(&self) -> u32 {
        self.num_filter_entries.trailing_zeros()
    }
    /// Hash width `l = K · log2 E`.
    pub fn hash_bits(&self) -> u32 {
        self.num_filter_hashes as u32 * self.bits_per_index()
    }

    /// Checks every invariant of the shape (not the data). See the crate docs for the list.
    pub fn validate(&self) -> Result<(), ModelError> {
        let bad = |m: String| Err(ModelError::Invalid(m));
        if self.num_classes == 0 || self.num_classes > crate::limits::MAX_CLASSES {
            return bad(format!(
                "num_classes = {} must be in 1..={}",
                self.num_classes,
                crate::limits::MAX_CLASSES
            ));
        }
        if self.num_inputs == 0 || self.num_inputs > crate::model::input::MAX_INPUTS {
            return bad(format!(
                "num_inputs = {} must be in 1..={}",
                self.num_inputs,
                crate::model::input::MAX_INPUTS
            ));
        }
        if self.bits_per_input == 0 || self.bits_per_input > 255 {
            return bad(format!(
                "bits_per_input = {} must be in 1..=255",
                self.bits_per_input
            ));
        }
        if self.num_filter_inputs == 0 || self.num_filter_inputs > MAX_FILTER_INPUTS {
            return bad(format!(
                "num_filter_inputs = {} must be in 1..={MAX_FILTER_INPUTS} (filter inputs too wide \
                 for the field: x³ must stay below the BN254 scalar modulus)",
                self.num_filter_inputs
            ));
        }
        if !self.total_bits().is_multiple_of(self.num_filter_inputs) {
            return bad(format!(
                "num_inputs · bits_per_input = {} is not a multiple of num_filter_inputs = {} \
                 (zero-padded models are not representable in this format)",
                self.total_bits(),
                self.num_filter_inputs
            ));
        }
        if self.num_filter_entries < 2 || !self.num_filter_entries.is_power_of_two() {
            return bad(format!(
                "num_filter_entries = {} is not a power of two ≥ 2",
                self.num_filter_entries
            ));
        }
        if self.num_filter_hashes == 0 {
            return bad("num_filter_hashes must be positive".into());
        }
        let l = self.num_filter_hashes as u64 * self.bits_per_index() as u64;
        if l > MAX_HASH_BITS as u64 {
            return bad(format!(
                "hash width l = num_filter_hashes · log2(num_filter_entries) = {l} exceeds \
                 {MAX_HASH_BITS} bits"
            ));
        }
        let l = l as u32;
        if !is_prime(self.p) {
            return bad(format!("p = {} is not prime", self.p));
        }
        if self.p <= 1 << l || self.p >= 1 << (l + 1) {
            return bad(format!(
                "p = {} is not in (2^{l}, 2^{}) as l = {l} requires",
                self.p,
                l + 1
            ));
        }
        Ok(())
    }
}

/// Integer square root.
pub(crate) fn isqrt(n: usize) -> usize {
    let mut r = (n as f64).sqrt() as usize;
    while r * r > n {
        r -= 1;
    }
    while (r + 1) * (r + 1) <= n {
        r += 1;
    }
    r
}

#[cfg(test)]
mod tests {
    use super::*;

    fn small() -> WnnParams {
        WnnParams {
            num_classes: 10,
            num_inputs: 784,
            bits_per_input: 2,
            num_filter_inputs: 28,
            num_filter_entries: 1024,
            num_filter_hashes: 2,
            p: 2_097_143,
        }
    }

    fn err(p: WnnParams) -> String {
        p.validate().unwrap_err().to_string()
    }

    #[test]
    fn derived_quantities() {
        let s = small();
        s.validate().unwrap();
        assert_eq!(
            (s.num_filters(), s.bits_per_index(), s.hash_bits()),
            (56, 10, 20)
        );
    }

    #[test]
    fn each_invariant_is_enforced() {
        assert!(err(WnnParams {
            num_inputs: 0,
            ..small()
        })
        .contains("num_inputs"));
        assert!(err(WnnParams {
            num_filter_entries: 1000,
            ..small()
        })
        .contains("power of two"));
        assert!(err(WnnParams {
            p: 2_097_141,
            ..small()
        })
        .contains("not prime"));
        assert!(err(WnnParams { p: 509, ..small() }).contains("is not in (2^20, 2^21)"));
        assert!(err(WnnParams {
            num_filter_inputs: 65,
            ..small()
        })
        .contains("too wide"));
        assert!(err(WnnParams {
            num_filter_inputs: 30,
            ..small()
        })
        .contains("multiple"));
        assert!(err(WnnParams {
            num_classes: 0,
            ..small()
        })
        .contains("num_classes"));
        assert!(err(WnnParams {
            num_filter_hashes: 0,
            ..small()
        })
        .contains("hashes"));
        assert!(err(WnnParams {
            bits_per_input: 0,
            ..small()
        })
        .contains("bits_per_input"));
        assert!(err(WnnParams {
            num_filter_entries: 1 << 16,
            num_filter_hashes: 4,
            ..small()
        })
        .contains("exceeds"));
    }
}
