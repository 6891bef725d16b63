//! One verifier for many models (issue 18, item 4), on a real anvil: two LUT networks of one
//! circuit (the flagship-shape 1,000-node network, and the same network with one truth
//! table changed) share one deployed verifier; each has its key's data in a small contract.
//! Each proof is accepted with its own key data and rejected with the other's, with a
//! contract of the wrong size, with data that is not behind a STOP byte, with an address
//! word that is not an address, and without the address; a network of another shape gets
//! another verifier.

mod common;
use alloy::primitives::{keccak256, Address};
use common::anvil::*;
use common::*;
use std::sync::Arc;
use zero_g::circuit::{ImageInput, Layout, Statement};
use zero_g::data::load_image_for;
use zero_g::evm::{self, chain::Chain, shared, shared::SharedVerifier};
use zero_g::model::lutnet::{LutLayer, LutNet};
use zero_g::model::{io, Model};
use zero_g::progress::NoReporter;
use zero_g::proving::{self, Srs};

/// The bundled 1,000-node network, and the same network with node 0's table complemented.
fn two_models() -> (Arc<Model>, Arc<Model>) {
    let a = io::load(&bundled("lutnet_mnist_1000.hdf5")).unwrap();
    let Model::LutNet(net) = &a else {
        panic!("a LUT network")
    };
    let mut layers: Vec<LutLayer> = net.layers().to_vec();
    let arity = layers[0].arity;
    layers[0].tables[0] ^= u64::MAX >> (64 - (1 << arity));
    let b = LutNet::new(
        net.input().clone(),
        net.num_classes(),
        net.bits_per_input(),
        net.thresholds().to_vec(),
        layers,
    )
    .unwrap();
    (Arc::new(a), Arc::new(Model::LutNet(b)))
}

struct Keyed {
    shared: SharedVerifier,
    single: Vec<u8>,
}

/// Keys of `model` in the EVM layout, a proof of the reference digit, and its shared verifier.
fn keyed(srs: &Srs, model: Arc<Model>) -> Keyed {
    let st = Statement::default();
    let (pk, meta) = proving::keygen(srs, model.clone(), Layout::Evm, &st, &NoReporter).unwrap();
    let img = load_image_for(&reference(DIGIT7), 28, 28).unwrap();
    let proof =
        proving::prove(srs, &pk, &meta, model, &[ImageInput::new(img)], &NoReporter).unwrap();
    Keyed {
        shared: SharedVerifier::new(srs, pk.get_vk(), &meta).unwrap(),
        single: evm::calldata(&proof).unwrap(),
    }
}

#[test]
fn two_models_of_one_circuit_share_one_verifier_and_each_key_data_binds_its_proofs() {
    if std::env::var_os("ZERO_G_SOLC").is_none() {
        std::env::set_var("ZERO_G_SOLC", root().join("scripts/bin/solc"));
    }
    let (ma, mb) = two_models();
    let k = proving::circuit_params(&ma, Layout::Evm, &Statement::default())
        .unwrap()
        .k;
    let srs = proving::generate_srs(k, Some(11));
    let (a, b) = (keyed(&srs, ma), keyed(&srs, mb));
    // one verifier, two keys' data
    assert_eq!(
        a.shared.sol, b.shared.sol,
        "one circuit, one shared verifier"
    );
    assert_ne!(a.shared.words, b.shared.words);
    assert_eq!(a.shared.words.len(), b.shared.words.len());
    let c = evm::compile(&a.shared.sol, evm::VERIFIER_CONTRACT).unwrap();
    assert!(c.runtime.len() <= evm::EIP170_LIMIT);

    let anvil = start_anvil();
    let chain = Chain::connect(&anvil.url)
        .unwrap()
        .with_signer(Some(DEV_KEYS[0]))
        .unwrap();
    let deploy = |code: &[u8]| -> (Address, u64) {
        let m = chain.deploy(code).unwrap();
        (m.contract.unwrap().parse().unwrap(), m.gas_used)
    };
    let (verifier, verifier_gas) = deploy(&c.creation);
    let (vk_a, vk_a_gas) = deploy(&a.shared.key_data_creation());
    let (vk_b, _) = deploy(&b.shared.key_data_creation());
    assert_eq!(
        keccak256(chain.code_at(vk_a).unwrap()),
        a.shared.key_data_codehash()
    );
    eprintln!(
        "shared verifier: {} B, deployed for {verifier_gas} gas; a model's key data: {} B, \
         deployed for {vk_a_gas} gas",
        c.runtime.len(),
        a.shared.key_data_runtime().len()
    );
    assert!(vk_a_gas < 300_000, "{vk_a_gas} gas for a model's key data");

    // each proof with its own key data: accepted, in a transaction
    for (proof, vk) in [(&a.single, vk_a), (&b.single, vk_b)] {
        let mined = chain
            .submit(verifier, &shared::calldata(proof, vk), 2_000_000)
            .unwrap();
        assert!(mined.success);
        eprintln!("shared verifier: {} gas on anvil", mined.gas_used);
        assert!(mined.gas_used <= 360_000, "{} gas", mined.gas_used);
    }
    let rejects = |data: &[u8], why: &str| {
        assert!(!chain.call(verifier, data).unwrap(), "accepted: {why}");
    };
    // another model's key data, both ways
    rejects(
        &shared::calldata(&a.single, vk_b),
        "A's proof with B's key data",
    );
    rejects(
        &shared::calldata(&b.single, vk_a),
        "B's proof with A's key data",
    );
    // a tampered proof, a public word + r
    let mut flipped = shared::calldata(&a.single, vk_a);
    let n = a.single.len();
    flipped[n - 100] ^= 1;
    rejects(&flipped, "a flipped proof byte");
    for word in 0..10 {
        let shifted = evm::add_modulus(&shared::calldata(&a.single, vk_a), word).unwrap();
        rejects(&shifted, "a public word + r");
    }
    // no key-data address, an extra byte, an address word with high bits
    rejects(&a.single, "no key-data address");
    let mut longer = shared::calldata(&a.single, vk_a);
    longer.push(0);
    rejects(&longer, "a byte after the address");
    let mut high = shared::calldata(&a.single, vk_a);
    high[n] = 1;
    rejects(&high, "an address word above 2^160");
    // contracts that are not A's key data: the verifier itself (wrong size), an account with
    // no code, the same words behind another first byte, one word short
    rejects(
        &shared::calldata(&a.single, verifier),
        "the verifier as key data",
    );
    rejects(
        &shared::calldata(&a.single, Address::repeat_byte(0x42)),
        "an account with no code",
    );
    let mut not_stop = a.shared.key_data_runtime();
    not_stop[0] = 0x5b;
    let (odd, _) = deploy(&shared::creation_of(&not_stop));
    rejects(&shared::calldata(&a.single, odd), "data not behind STOP");
    let short = shared::key_data_runtime(&a.shared.words[..a.shared.words.len() - 1]);
    let (short, _) = deploy(&shared::creation_of(&short));
    rejects(&shared::calldata(&a.single, short), "one word short");
    let mut one_word = a.shared.words.clone();
    one_word[3] ^= alloy::primitives::U256::from(1);
    let (wrong, _) = deploy(&shared::key_data_creation_of(&one_word));
    rejects(
        &shared::calldata(&a.single, wrong),
        "one commitment word changed",
    );
}

#[test]
fn a_network_of_another_shape_gets_another_shared_verifier() {
    let st = Statement::default();
    let small = Arc::new(io::load(&bundled("lutnet_mnist_1000.hdf5")).unwrap());
    let big = Arc::new(io::load(&bundled("lutnet_mnist_2000.hdf5")).unwrap());
    let k = proving::circuit_params(&big, Layout::Evm, &st).unwrap().k;
    let srs = proving::generate_srs(k, Some(3));
    let shared = |m: Arc<Model>| {
        let (pk, meta) = proving::keygen(&srs, m, Layout::Evm, &st, &NoReporter).unwrap();
        SharedVerifier::new(&srs, pk.get_vk(), &meta).unwrap()
    };
    assert_ne!(shared(small).sol, shared(big).sol);
}
