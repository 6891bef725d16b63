//! Constants pinned by a gate: an advice cell equal to a fixed cell of the same row,
//! $a = \kappa$ (gate `a = κ`, selector `q_const`). Each pinned value costs one row and no
//! column: the fixed column is shared with other gadgets (which use it on their own rows),
//! and no constants column with equality (a commitment and a permutation column of its own,
//! hence EVM verifier gas and code) is needed.
//!
//! Soundness: $\kappa$ is keygen data, so the advice cell is fixed by the verifying key.

use super::{assign, CircuitField, Wire};
use halo2_proofs::circuit::{Region, Value};
use halo2_proofs::plonk::{Advice, Column, ConstraintSystem, Constraints, Fixed, Selector};
use halo2_proofs::poly::Rotation;

/// Columns of the constant gadget.
#[derive(Clone, Debug)]
pub struct ConstantConfig {
    /// The pinned advice cells (equality enabled by the caller, to copy them elsewhere).
    pub advice: Column<Advice>,
    /// The values (fixed; shared with other gadgets on other rows).
    pub fixed: Column<Fixed>,
    /// Enables `a = κ`.
    pub q_const: Selector,
}

/// The constant chip.
#[derive(Clone, Debug)]
pub struct ConstantChip {
    /// Its configuration.
    pub config: ConstantConfig,
}

impl ConstantChip {
    /// Configures the gate on caller-allocated columns.
    pub fn configure<F: CircuitField>(
        meta: &mut ConstraintSystem<F>,
        advice: Column<Advice>,
        fixed: Column<Fixed>,
    ) -> ConstantConfig {
        let q_const = meta.selector();
        meta.create_gate("a = κ", |m| {
            let q = m.query_selector(q_const);
            let a = m.query_advice(advice, Rotation::cur());
            let k = m.query_fixed(fixed, Rotation::cur());
            Constraints::with_selector(q, [("pinned constant", a - k)])
        });
        ConstantConfig {
            advice,
            fixed,
            q_const,
        }
    }

    /// A configuration whose `a = κ` is implied on the constant rows by a gate of the
    /// caller's under selector `q_const` (no gate of its own: one selector fewer).
    /// Soundness is the caller's: its gate must reduce to `advice = fixed` wherever a
    /// constant is assigned.
    pub fn configure_shared(
        advice: Column<Advice>,
        fixed: Column<Fixed>,
        q_const: Selector,
    ) -> ConstantConfig {
        ConstantConfig {
            advice,
            fixed,
            q_const,
        }
    }

    /// Builds the chip.
    pub fn construct(config: ConstantConfig) -> Self {
        ConstantChip { config }
    }

    /// Assigns `value` on `row`, pinned: returns the advice cell.
    ///
    /// # Side-effects
    /// Writes the fixed cell of `row` and enables the selector there.
    pub fn assign<F: CircuitField>(
        &self,
        region: &mut Region<'_, F>,
        row: usize,
        value: F,
    ) -> Wire<F> {
        let c = &self.config;
        region.assign_fixed(c.fixed, row, value);
        c.q_const.enable(region, row).expect("selector");
        assign(region, c.advice, row, Value::known(value))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use halo2_proofs::circuit::{Layouter, SimpleFloorPlanner};
    use halo2_proofs::dev::{MockProver, VerifyFailure};
    use halo2_proofs::halo2curves::bn256::Fr;
    use halo2_proofs::plonk::{Circuit, Error, Instance};

    #[derive(Clone, Default)]
    struct TestCircuit {
        /// Overwrite the pinned advice cell (a malicious prover).
        tamper: Option<u64>,
    }

    impl Circuit<Fr> for TestCircuit {
        type Config = (ConstantConfig, Column<Instance>);
        type FloorPlanner = SimpleFloorPlanner;
        type Params = ();
        fn without_witnesses(&self) -> Self {
            self.clone()
        }
        fn configure(meta: &mut ConstraintSystem<Fr>) -> Self::Config {
            let a = meta.advice_column();
            meta.enable_equality(a);
            let f = meta.fixed_column();
            let i = meta.instance_column();
            meta.enable_equality(i);
            (ConstantChip::configure(meta, a, f), i)
        }
        fn synthesize(&self, (c, i): Self::Config, mut l: impl Layouter<Fr>) -> Result<(), Error> {
            let chip = ConstantChip::construct(c.clone());
            let w = l.assign_region(
                || "constant",
                |mut region| {
                    let w = chip.assign(&mut region, 0, Fr::from(42));
                    if let Some(v) = self.tamper {
                        region.assign_advice(c.advice, 0, Value::known(Fr::from(v)));
                    }
                    Ok(w)
                },
            )?;
            l.constrain_instance(w.cell, i, 0);
            Ok(())
        }
    }

    #[test]
    fn a_pinned_constant_cannot_change() {
        let run = |t, public: u64| {
            MockProver::run(4, &TestCircuit { tamper: t }, vec![vec![Fr::from(public)]])
                .unwrap()
                .verify()
        };
        run(None, 42).unwrap();
        let errs = run(Some(43), 43).unwrap_err();
        assert!(
            matches!(&errs[..], [VerifyFailure::ConstraintNotSatisfied { constraint, .. }] if constraint.to_string().contains("pinned constant")),
            "{errs:?}"
        );
    }
}
