//! Prints the constraint-system statistics that drive proof size and verifier gas.
//! Run: `cargo run --release --example cs_stats -- MODEL.hdf5 [auto|fast|compact|evm] [full]`
//! (`full`: the statement class + commitment + model digest + bind).
use halo2_proofs::halo2curves::bn256::Fr;
use halo2_proofs::plonk::{Circuit, ConstraintSystem};
use zero_g::circuit::{CircuitParams, WnnCircuit};

fn main() {
    let path = std::env::args().nth(1).expect("usage: cs_stats MODEL.hdf5");
    let model = zero_g::model::io::load(std::path::Path::new(&path)).expect("model");
    let layout = match std::env::args().nth(2).as_deref() {
        Some("fast") => zero_g::circuit::Layout::Fast,
        Some("compact") => zero_g::circuit::Layout::Compact,
        Some("evm") => zero_g::circuit::Layout::Evm,
        _ => zero_g::circuit::Layout::Auto,
    };
    let statement = match std::env::args().nth(3).as_deref() {
        Some("full") => zero_g::circuit::Statement {
            public: zero_g::circuit::Public::Class,
            commitment: true,
            model_digest: true,
            bind: true,
            batch: 1,
        },
        _ => zero_g::circuit::Statement::default(),
    };
    let p = CircuitParams::for_statement(&model, layout, &statement).expect("params");
    let mut cs = ConstraintSystem::<Fr>::default();
    WnnCircuit::<Fr>::configure_with_params(&mut cs, p.clone());
    let (cs2, _) = cs
        .clone()
        .compress_selectors(vec![vec![false; 1 << p.k]; cs.num_selectors()]);
    println!(
        "k {} advice {} fixed {} incl. tables (+{} selectors → {} fixed if compressed with no row enabled) instance {}",
        p.k,
        cs.num_advice_columns(),
        cs.num_fixed_columns(),
        cs.num_selectors(),
        cs2.num_fixed_columns(),
        cs.num_instance_columns()
    );
    println!(
        "lookups {} equality columns {} degree {} advice queries {} fixed queries {} gates {}",
        cs.lookups().len(),
        cs.permutation().get_columns().len(),
        cs.degree(),
        cs.advice_queries().len(),
        cs.fixed_queries().len(),
        cs.gates().len()
    );
    let q: Vec<String> = cs
        .advice_queries()
        .iter()
        .map(|(c, r)| format!("a{}@{}", c.index(), r.0))
        .collect();
    println!("advice queries: {}", q.join(" "));
    for g in cs.gates() {
        let degs: Vec<usize> = g.polynomials().iter().map(|p| p.degree()).collect();
        println!(
            "gate: {} — {} constraints, degrees {:?}",
            g.name(),
            degs.len(),
            degs
        );
    }
}
