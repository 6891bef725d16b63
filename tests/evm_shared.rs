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

fn json(a: &assert_cmd::assert::Assert) -> serde_json::Value {
    serde_json::from_slice(&a.get_output().stdout).unwrap()
}

/// The CLI end to end: `deploy-evm-verifier --shared` for model A (the verifier and A's key
/// data), `--shared-verifier` for model B (only B's key data); `verify-evm` and
/// `submit-proof` with each record and with --vk-path/--key-data; a bounty pinned to A's key
/// data pays A's proof and refuses B's; every mismatch is refused before sending (exit 2).
#[test]
fn the_cli_deploys_one_shared_verifier_and_each_models_key_data() {
    use zero_g::evm::bounty;
    use zero_g::proving::artifacts;
    let dir = tempfile::tempdir().unwrap();
    let p = |n: &str| dir.path().join(n);
    if std::env::var_os("ZERO_G_SOLC").is_none() {
        std::env::set_var("ZERO_G_SOLC", root().join("scripts/bin/solc"));
    }
    let account0: halo2_proofs::halo2curves::bn256::Fr = zero_g::commitment::from_hex(&format!(
        "{:0>64}",
        hex::encode(
            DEV_KEYS[0]
                .parse::<alloy::signers::local::PrivateKeySigner>()
                .unwrap()
                .address()
        )
    ))
    .unwrap();
    let (ma, mb) = two_models();
    let st = bounty::statement();
    let k = proving::circuit_params(&ma, Layout::Evm, &st).unwrap().k;
    let srs = proving::generate_srs(k, Some(9));
    artifacts::write_srs(&srs, &p("kzg.srs")).unwrap();
    let img = load_image_for(&reference(DIGIT7), 28, 28).unwrap();
    for (name, m) in [("a", ma), ("b", mb)] {
        let (pk, meta) = proving::keygen(&srs, m.clone(), Layout::Evm, &st, &NoReporter).unwrap();
        artifacts::write_vk(&p(&format!("{name}.vk")), pk.get_vk(), &meta).unwrap();
        let input = [ImageInput {
            pixels: img.clone(),
            salt: zero_g::commitment::random_salt(),
        }];
        let proof =
            proving::prove_bound(&srs, &pk, &meta, m, &input, Some(account0), &NoReporter).unwrap();
        artifacts::write_proof(&p(&format!("{name}.json")), &proof).unwrap();
    }
    let anvil = start_anvil();
    let rpc = ["--rpc-url", anvil.url.as_str()];
    let deploy = |vk: &str, extra: &[&str]| {
        zg().args(["deploy-evm-verifier", "--json", "-s"])
            .arg(p("kzg.srs"))
            .arg("-v")
            .arg(p(vk))
            .args(rpc)
            .args(extra)
            .assert()
    };
    let out_dir = p("contracts");
    let a = json(
        &deploy(
            "a.vk",
            &[
                "--shared",
                "--deployment-path",
                p("a.rec").to_str().unwrap(),
                "--output-dir",
                out_dir.to_str().unwrap(),
            ],
        )
        .success(),
    );
    let verifier = a["address"].as_str().unwrap().to_string();
    assert_eq!(a["key_data"]["verifier_deployed"], true);
    assert!(out_dir.join("KeyData.bin").is_file());
    let b = json(
        &deploy(
            "b.vk",
            &[
                "--shared-verifier",
                &verifier,
                "--deployment-path",
                p("b.rec").to_str().unwrap(),
            ],
        )
        .success(),
    );
    assert_eq!(b["address"], a["address"]);
    assert_eq!(b["key_data"]["verifier_deployed"], false);
    let b_gas = b["key_data"]["gas_used"].as_u64().unwrap();
    eprintln!(
        "shared verifier deployed for {} gas; model B's key data for {b_gas} gas",
        a["gas_used"]
    );
    // the second model costs a small fraction of a verifier
    assert!(b_gas * 10 < a["gas_used"].as_u64().unwrap(), "{b_gas}");
    let key_a = a["key_data"]["address"].as_str().unwrap().to_string();
    let key_b = b["key_data"]["address"].as_str().unwrap().to_string();

    // verify-evm: with each record, and with the key and --key-data
    let verify = |proof: &str, extra: &[&str]| {
        zg().args(["verify-evm", "--proof-path"])
            .arg(p(proof))
            .args(rpc)
            .args(extra)
            .assert()
    };
    let rec = |n: &str| p(n).to_str().unwrap().to_string();
    verify("a.json", &["--deployment-path", &rec("a.rec")]).success();
    verify("b.json", &["--deployment-path", &rec("b.rec")]).success();
    let srs_path = rec("kzg.srs");
    let by_key = |vk: &str, key: &str| {
        vec![
            "-c".to_string(),
            verifier.clone(),
            "-v".into(),
            rec(vk),
            "-s".into(),
            srs_path.clone(),
            "--key-data".into(),
            key.to_string(),
        ]
    };
    let args = by_key("a.vk", &key_a);
    verify("a.json", &strs(&args)).success();
    // A's proof with B's key data: the key-data contract is not A's (refused, exit 2)
    let args = by_key("a.vk", &key_b);
    verify("a.json", &strs(&args))
        .code(2)
        .stderr(predicates::str::contains("the key data of key"));
    // a record of another key: refused
    verify("a.json", &["--deployment-path", &rec("b.rec")]).code(2);
    // generate-evm-verifier --shared writes the code deployed above and B's key data
    let gen = p("generated");
    zg().args(["generate-evm-verifier", "--shared", "-s", &srs_path, "-v"])
        .arg(p("b.vk"))
        .arg("--output-dir")
        .arg(&gen)
        .assert()
        .success();
    let chain = Chain::connect(&anvil.url).unwrap();
    let read_hex = |f: &str| hex::decode(std::fs::read_to_string(gen.join(f)).unwrap()).unwrap();
    assert_eq!(
        read_hex("Verifier.runtime.bin"),
        chain.code_at(verifier.parse().unwrap()).unwrap()
    );
    assert_eq!(
        read_hex("KeyData.runtime.bin"),
        chain.code_at(key_b.parse().unwrap()).unwrap()
    );
    // dry-run-evm-verifier --shared: the same verifier in-process, its key data, and another
    // key's data rejected
    let dry = json(
        &zg()
            .args([
                "dry-run-evm-verifier",
                "--shared",
                "--json",
                "-s",
                &srs_path,
                "-v",
            ])
            .arg(p("a.vk"))
            .arg("--proof-path")
            .arg(p("a.json"))
            .assert()
            .success(),
    );
    assert_eq!(dry["accepted"], true);
    assert_eq!(dry["foreign_key_data_rejected"], true);
    assert_eq!(dry["tampered_rejected"], true);
    assert_eq!(
        dry["runtime_bytes"].as_u64().unwrap() as usize,
        read_hex("Verifier.runtime.bin").len()
    );
    assert_eq!(
        dry["key_data_bytes"].as_u64().unwrap() as usize,
        read_hex("KeyData.runtime.bin").len()
    );
    // a malformed --shared-verifier address: refused before anything is sent
    deploy("b.vk", &["--shared-verifier", "0x1234"]).code(2);
    // --shared-verifier at a contract that is not this circuit's shared verifier
    deploy("b.vk", &["--shared-verifier", &key_a])
        .code(2)
        .stderr(predicates::str::contains("shared verifier"));

    // submit-proof with A's record: accepted in a transaction
    let sent = zg()
        .args(["submit-proof", "--json", "--proof-path"])
        .arg(p("a.json"))
        .args(["--deployment-path", &rec("a.rec")])
        .args(rpc)
        .assert()
        .success();
    eprintln!(
        "shared verifier: {} gas via submit-proof",
        json(&sent)["gas_used"]
    );

    // a bounty on A's key data: pays A's proof; B's proof (same verifier) is InvalidProof
    let bounty = json(
        &zg()
            .args(["deploy-bounty", "--json", "--verifier", &verifier, "-v"])
            .arg(p("a.vk"))
            .args(["--verifier-deployment-path", &rec("a.rec")])
            .args(["--target-class", "7", "--reward", "1", "--fund", "10"])
            .args(["--deployment-path", &rec("bounty.rec")])
            .args(rpc)
            .assert()
            .success(),
    );
    assert_eq!(bounty["verifier_key_data"], key_a.to_lowercase());
    let addr = bounty["address"].as_str().unwrap().to_string();
    // A's proof through the bounty's deployment record (read as a deployment record)
    zg().args(["submit-proof", "--proof-path"])
        .arg(p("a.json"))
        .args(["--deployment-path", &rec("bounty.rec")])
        .args(rpc)
        .assert()
        .success();
    zg().args(["submit-proof", "--force", "--proof-path"])
        .arg(p("b.json"))
        .args(["--bounty", &addr])
        .args(rpc)
        .assert()
        .code(1)
        .stdout(predicates::str::contains("InvalidProof"));
    // the constructor checks the key data's code hash (WrongKeyData), as the verifier's
    let chain = Chain::connect(&anvil.url)
        .unwrap()
        .with_signer(Some(DEV_KEYS[0]))
        .unwrap();
    let v: Address = verifier.parse().unwrap();
    let params = bounty::BountyParams {
        verifier: v,
        verifier_codehash: bounty::codehash(&chain, v).unwrap(),
        key_data: Some((key_a.parse().unwrap(), keccak256(b"other words"))),
        model_digest: alloy::primitives::B256::ZERO,
        target_class: alloy::primitives::U256::from(7),
        reward: alloy::primitives::U256::ZERO,
        attester: Address::ZERO,
    };
    let compiled = bounty::compile().unwrap();
    match bounty::deploy(&chain, &compiled, &params, alloy::primitives::U256::ZERO) {
        Err(zero_g::evm::EvmError::Reverted(m)) => assert!(m.contains("WrongKeyData()"), "{m}"),
        other => panic!("expected WrongKeyData, got {other:?}"),
    }
    // --key-data that contradicts the verifier's deployment record: refused
    zg().args(["deploy-bounty", "--verifier", &verifier, "-v"])
        .arg(p("a.vk"))
        .args([
            "--verifier-deployment-path",
            &rec("a.rec"),
            "--key-data",
            &key_b,
        ])
        .args(["--target-class", "7", "--reward", "1"])
        .args(rpc)
        .assert()
        .code(2)
        .stderr(predicates::str::contains("is not the key-data contract"));
    // a bounty asked to pin B's key data for A's key: refused before deploying
    zg().args(["deploy-bounty", "--verifier", &verifier, "-v"])
        .arg(p("a.vk"))
        .args(["-s", &srs_path, "--key-data", &key_b])
        .args(["--target-class", "7", "--reward", "1"])
        .args(rpc)
        .assert()
        .code(2)
        .stderr(predicates::str::contains("the key data of"));
}

fn strs(v: &[String]) -> Vec<&str> {
    v.iter().map(String::as_str).collect()
}

/// Issue 19's anvil proof: the bundled 99 % MNIST network (`lutnet_mnist_ensemble_13000`,
/// fast layout, 2^14 rows) proves the bounty's statement (class, commitment, model digest,
/// binding) of the reference digit. Its single-key verifier is over EIP-170 in this layout;
/// as a shared verifier (the key's words in key data) it fits, deploys on an anvil that
/// enforces the limit, accepts the proof in a transaction and rejects a flipped byte.
#[test]
fn the_99_percent_network_proves_the_bounty_statement_on_anvil() {
    use zero_g::evm::bounty;
    if std::env::var_os("ZERO_G_SOLC").is_none() {
        std::env::set_var("ZERO_G_SOLC", root().join("scripts/bin/solc"));
    }
    let model = Arc::new(io::load(&bundled("lutnet_mnist_ensemble_13000.hdf5")).unwrap());
    let st = bounty::statement();
    let k = proving::circuit_params(&model, Layout::Auto, &st)
        .unwrap()
        .k;
    assert_eq!(k, 14);
    let srs = proving::generate_srs(k, Some(13));
    let (pk, meta) = proving::keygen(&srs, model.clone(), Layout::Auto, &st, &NoReporter).unwrap();
    let img = load_image_for(&reference(DIGIT7), 28, 28).unwrap();
    assert_eq!(model.predict(&img).class, 7);
    let signer: alloy::signers::local::PrivateKeySigner = DEV_KEYS[0].parse().unwrap();
    let bind =
        zero_g::commitment::from_hex(&format!("{:0>64}", hex::encode(signer.address()))).unwrap();
    let proof = proving::prove_bound(
        &srs,
        &pk,
        &meta,
        model,
        &[ImageInput::new(img)],
        Some(bind),
        &NoReporter,
    )
    .unwrap();
    let shared = SharedVerifier::new(&srs, pk.get_vk(), &meta).unwrap();
    let c = evm::compile(&shared.sol, evm::VERIFIER_CONTRACT).unwrap();
    assert!(
        c.runtime.len() <= evm::EIP170_LIMIT,
        "{} B",
        c.runtime.len()
    );
    let anvil = start_anvil();
    let chain = Chain::connect(&anvil.url)
        .unwrap()
        .with_signer(Some(DEV_KEYS[0]))
        .unwrap();
    let verifier: Address = chain
        .deploy(&c.creation)
        .unwrap()
        .contract
        .unwrap()
        .parse()
        .unwrap();
    let key: Address = chain
        .deploy(&shared.key_data_creation())
        .unwrap()
        .contract
        .unwrap()
        .parse()
        .unwrap();
    let data = shared::calldata(&evm::calldata(&proof).unwrap(), key);
    let mined = chain.submit(verifier, &data, 2_000_000).unwrap();
    assert!(mined.success);
    eprintln!(
        "99 % network, bounty statement: {} gas on anvil ({} B shared verifier)",
        mined.gas_used,
        c.runtime.len()
    );
    let mut flipped = data.clone();
    flipped[data.len() - 100] ^= 1;
    assert!(!chain.call(verifier, &flipped).unwrap());
}
