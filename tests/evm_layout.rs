//! The EVM layout on a real anvil (issue 18): the flagship LUT network's verifier in
//! `--layout evm` accepts an honest proof in a transaction for at most 350,000 gas, fits
//! EIP-170, and rejects what every verifier must: a flipped proof byte, a changed score,
//! every public word plus r, and a proof of the same model made with another verifying key
//! (the compact layout's).

mod common;
use common::anvil::*;
use common::*;
use std::sync::Arc;
use zero_g::circuit::{ImageInput, Layout, Statement};
use zero_g::data::load_image_for;
use zero_g::evm::{self, chain::Chain};
use zero_g::model::io;
use zero_g::progress::NoReporter;
use zero_g::proving::{self, polys::PolyCounts, ProofFile};

fn prove(layout: Layout, seed: u64) -> (ProofFile, Vec<u8>, PolyCounts) {
    let model = Arc::new(io::load(&bundled("lutnet_mnist_1000.hdf5")).unwrap());
    let st = Statement::default();
    let k = proving::circuit_params(&model, layout, &st).unwrap().k;
    let srs = proving::generate_srs(k, Some(seed));
    let (pk, meta) = proving::keygen(&srs, model.clone(), layout, &st, &NoReporter).unwrap();
    let img = load_image_for(&reference(DIGIT7), 28, 28).unwrap();
    let proof = proving::prove(
        &srs,
        &pk,
        &meta,
        model,
        &[ImageInput::new(img)],
        &NoReporter,
    )
    .unwrap();
    let sol = evm::verifier_solidity(&srs, pk.get_vk(), &meta).unwrap();
    let c = evm::compile(&sol, evm::VERIFIER_CONTRACT).unwrap();
    assert!(
        c.runtime.len() <= evm::EIP170_LIMIT,
        "{} B",
        c.runtime.len()
    );
    (proof, c.creation, PolyCounts::of(pk.get_vk()))
}

#[test]
fn the_evm_layout_verifies_the_flagship_for_at_most_350k_gas_and_rejects_forgeries() {
    if std::env::var_os("ZERO_G_SOLC").is_none() {
        std::env::set_var("ZERO_G_SOLC", root().join("scripts/bin/solc"));
    }
    let (proof, creation, polys) = prove(Layout::Evm, 5);
    assert_eq!(polys.commitments, 20, "{polys:?}");
    let anvil = start_anvil();
    let chain = Chain::connect(&anvil.url)
        .unwrap()
        .with_signer(Some(DEV_KEYS[0]))
        .unwrap();
    let verifier: alloy::primitives::Address = chain
        .deploy(&creation)
        .unwrap()
        .contract
        .unwrap()
        .parse()
        .unwrap();
    let honest = evm::calldata(&proof).unwrap();
    let mined = chain.submit(verifier, &honest, 2_000_000).unwrap();
    assert!(mined.success);
    eprintln!("evm layout: {} gas on anvil", mined.gas_used);
    assert!(mined.gas_used <= 350_000, "{} gas", mined.gas_used);
    // a flipped proof byte reverts in a transaction
    let mut flipped = honest.clone();
    let n = flipped.len();
    flipped[n - 100] ^= 1;
    assert!(!chain.submit(verifier, &flipped, 2_000_000).unwrap().success);
    // a changed score (word 7 of 10) is another statement
    let mut score = honest.clone();
    score[7 * 32 + 31] ^= 1;
    assert!(!chain.call(verifier, &score).unwrap());
    // every public word plus r reverts (the words are checked canonical)
    for word in 0..10 {
        let shifted = evm::add_modulus(&honest, word).unwrap();
        assert!(!chain.call(verifier, &shifted).unwrap(), "word {word} + r");
    }
    // the same model's proof under another verifying key (compact layout) is rejected
    let (other, _, _) = prove(Layout::Compact, 5);
    let other = evm::calldata(&other).unwrap();
    assert!(!chain.call(verifier, &other).unwrap());
}
