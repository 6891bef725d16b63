//! `contracts/ClassificationBounty.sol` end to end on one real anvil (no flags: EIP-170
//! holds): Tiny keys for `class + commitment + model digest + binding` (compact layout), a
//! verifier, a bounty deployed with `zero_g deploy-bounty`, and proofs sent with
//! `zero_g submit-proof --bounty` (and, for the raw cases, through the library): an honest
//! proof is recorded and rewarded once; a copied proof from another account, a changed class
//! or commitment, and another model's proof are `InvalidProof`; a non-target class is
//! recorded without reward; a wrong verifier code hash stops the deployment. A commitment
//! plus r (the same field element, another uint256) reverts in the bounty and in the verifier,
//! so an image is paid once; the CLI refuses such a proof file before sending. Prints the
//! gas.

mod common;
use alloy::primitives::{keccak256, Address, U256};
use alloy::signers::local::PrivateKeySigner;
use common::anvil::*;
use common::*;
use halo2_proofs::halo2curves::bn256::Fr;
use predicates::prelude::PredicateBooleanExt;
use predicates::str::contains;
use std::path::PathBuf;
use std::sync::{Arc, Mutex, MutexGuard, OnceLock};
use zero_g::circuit::{ImageInput, Layout, Statement};
use zero_g::data::{load_dataset, load_image_for, Split};
use zero_g::evm::bounty::{self, BountyParams, Revert};
use zero_g::evm::chain::Chain;
use zero_g::evm::{self, EvmError};
use zero_g::model::{io, Model};
use zero_g::progress::NoReporter;
use zero_g::proving::{self, artifacts, ProofFile};

/// The bounty's reward and funds.
const REWARD: u64 = 10_000_000_000_000_000; // 0.01 ether
const TARGET: usize = 7;

struct World {
    anvil: Anvil,
    dir: tempfile::TempDir,
    verifier: String,
    bounty: String,
    /// The bounty's deployment record.
    record: serde_json::Value,
}

impl World {
    fn p(&self, n: &str) -> PathBuf {
        self.dir.path().join(n)
    }
    fn chain(&self, key: usize) -> Chain {
        Chain::connect(&self.anvil.url)
            .unwrap()
            .with_signer(Some(DEV_KEYS[key]))
            .unwrap()
    }
    fn proof(&self, name: &str) -> ProofFile {
        artifacts::read_proof(&self.p(name)).unwrap()
    }
    fn write(&self, name: &str, proof: &ProofFile) -> PathBuf {
        artifacts::write_proof(&self.p(name), proof).unwrap();
        self.p(name)
    }
    /// `submit-proof --bounty` from dev account `key` with `extra` flags.
    fn submit(&self, proof: &str, key: usize, extra: &[&str]) -> assert_cmd::assert::Assert {
        zg().args(["submit-proof", "--proof-path"])
            .arg(self.p(proof))
            .args(["--bounty", &self.bounty, "--rpc-url", &self.anvil.url])
            .args(["--private-key", DEV_KEYS[key]])
            .args(extra)
            .assert()
    }
}

/// The library compiles with `$ZERO_G_SOLC`, else `solc` on `PATH`: point it at the pinned
/// one (as `zg()` does for the CLI).
fn pinned_solc() {
    static ONCE: OnceLock<()> = OnceLock::new();
    ONCE.get_or_init(|| {
        if std::env::var_os("ZERO_G_SOLC").is_none() {
            std::env::set_var("ZERO_G_SOLC", root().join("scripts/bin/solc"));
        }
    });
}

fn address_of(key: usize) -> Address {
    DEV_KEYS[key].parse::<PrivateKeySigner>().unwrap().address()
}

fn json(a: &assert_cmd::assert::Assert) -> serde_json::Value {
    serde_json::from_slice(&a.get_output().stdout).unwrap()
}

/// Keys, proofs and contracts, made once (tests take turns on the one anvil).
fn world() -> MutexGuard<'static, World> {
    static W: OnceLock<Mutex<World>> = OnceLock::new();
    W.get_or_init(make_world)
        .lock()
        .unwrap_or_else(|e| e.into_inner())
}

/// Keys for the bounty's statement; the SRS is written for the CLI.
fn keys(
    model: &Arc<Model>,
    seed: u64,
) -> (
    proving::Srs,
    halo2_proofs::plonk::ProvingKey<halo2_proofs::halo2curves::bn256::G1Affine>,
    proving::KeyMeta,
) {
    let st = bounty::statement();
    let k = proving::circuit_params(model, Layout::Compact, &st)
        .unwrap()
        .k;
    let srs = proving::generate_srs(k, Some(seed));
    let (pk, meta) =
        proving::keygen(&srs, model.clone(), Layout::Compact, &st, &NoReporter).unwrap();
    (srs, pk, meta)
}

fn make_world() -> Mutex<World> {
    let dir = tempfile::tempdir().unwrap();
    let p = |n: &str| dir.path().join(n);
    pinned_solc();
    // the bound word: account 0's address as a 256-bit integer
    let account0: Fr =
        zero_g::commitment::from_hex(&format!("{:0>64}", hex::encode(address_of(0)))).unwrap();

    // Tiny: the bounty's model
    let tiny = Arc::new(io::load(&reference(TINY)).unwrap());
    let (srs, pk, meta) = keys(&tiny, 11);
    artifacts::write_srs(&srs, &p("kzg.srs")).unwrap();
    artifacts::write_vk(&p("tiny.vk"), pk.get_vk(), &meta).unwrap();
    let seven = load_image_for(&reference(DIGIT7), 28, 28).unwrap();
    assert_eq!(tiny.predict(&seven).class, TARGET);
    let test = load_dataset(&mnist_dir(), Split::Test).unwrap();
    let other = (0..test.len())
        .map(|i| test.image(i).to_vec())
        .find(|img| tiny.predict(img).class != TARGET)
        .unwrap();
    let prove = |model: &Arc<Model>, srs, pk, meta, pixels: &[u8]| {
        let input = [ImageInput {
            pixels: pixels.to_vec(),
            salt: zero_g::commitment::random_salt(),
        }];
        proving::prove_bound(
            srs,
            pk,
            meta,
            model.clone(),
            &input,
            Some(account0),
            &NoReporter,
        )
        .unwrap()
    };
    // all bound to account 0; `spare` is never accepted (it is copied, tampered with)
    for (name, pixels) in [
        ("honest", &seven),
        ("spare", &seven),
        ("other", &other),
        ("once", &seven),
    ] {
        let proof = prove(&tiny, &srs, &pk, &meta, pixels);
        artifacts::write_proof(&p(&format!("{name}.json")), &proof).unwrap();
    }
    // Small: another model, same statement
    let small = Arc::new(io::load(&reference(SMALL)).unwrap());
    let (s_srs, s_pk, s_meta) = keys(&small, 12);
    let proof = prove(&small, &s_srs, &s_pk, &s_meta, &seven);
    artifacts::write_proof(&p("small.json"), &proof).unwrap();

    // the verifier, on a chain that enforces EIP-170: it must fit (deployable on mainnet)
    let anvil = start_anvil();
    let sol = evm::verifier_solidity(&srs, pk.get_vk(), &meta).unwrap();
    let compiled = evm::compile(&sol, evm::VERIFIER_CONTRACT).unwrap();
    assert!(
        compiled.runtime.len() <= evm::EIP170_LIMIT,
        "the verifier of class + commitment + model digest + binding is {} bytes, over EIP-170",
        compiled.runtime.len()
    );
    let out = zg()
        .args(["deploy-evm-verifier", "--json", "-s"])
        .arg(p("kzg.srs"))
        .arg("-v")
        .arg(p("tiny.vk"))
        .args(["--rpc-url", &anvil.url, "--deployment-path"])
        .arg(p("verifier.json"))
        .assert()
        .success();
    let verifier = json(&out)["address"].as_str().unwrap().to_string();
    eprintln!("verifier runtime code: {} bytes", compiled.runtime.len());

    // the bounty: target 7, 0.01 ether per image, funded with 0.05 ether
    let out = zg()
        .args(["deploy-bounty", "--json", "--verifier", &verifier, "-v"])
        .arg(p("tiny.vk"))
        .arg("-s")
        .arg(p("kzg.srs"))
        .args(["--target-class", &TARGET.to_string()])
        .args(["--reward", "0.01ether", "--fund", "50000000000000000"])
        .args(["--rpc-url", &anvil.url, "--deployment-path"])
        .arg(p("bounty.json"))
        .assert()
        .success();
    let record = json(&out);
    assert_eq!(record["chain_id"], 31337);
    assert_eq!(record["reward_wei"], REWARD.to_string());
    assert_eq!(record["model_digest"], meta.model_digest);
    eprintln!(
        "gas: deploy-bounty {} ({} bytes of runtime code)",
        record["gas_used"], record["runtime_bytes"]
    );
    let bounty = record["address"].as_str().unwrap().to_string();
    Mutex::new(World {
        anvil,
        dir,
        verifier,
        bounty,
        record,
    })
}

fn commitment(proof: &ProofFile) -> U256 {
    bounty::claim(proof).unwrap().1
}

#[test]
fn honest_proof_is_recorded_and_rewarded_once() {
    let w = world();
    let chain = w.chain(0);
    let bounty: Address = w.bounty.parse().unwrap();
    let proof = w.proof("honest.json");
    let c = commitment(&proof);
    let before = chain.balance(address_of(0)).unwrap();
    let funds = chain.balance(bounty).unwrap();
    let out = w
        .submit(
            "honest.json",
            0,
            &[
                "--json",
                "--deployment-path",
                w.p("bounty.json").to_str().unwrap(),
            ],
        )
        .success();
    let r = json(&out);
    assert_eq!(r["success"], true);
    assert_eq!(r["classified"], true);
    assert_eq!(r["rewarded"], true);
    assert_eq!(r["reward_wei"], REWARD.to_string());
    assert_eq!(r["class"], TARGET);
    // the balance grew by the reward minus the fee
    let fee = U256::from(r["gas_used"].as_u64().unwrap())
        * r["effective_gas_price"]
            .as_str()
            .unwrap()
            .parse::<U256>()
            .unwrap();
    let after = chain.balance(address_of(0)).unwrap();
    assert_eq!(after + fee, before + U256::from(REWARD));
    assert_eq!(chain.balance(bounty).unwrap(), funds - U256::from(REWARD));
    eprintln!(
        "gas: submit accepted with reward {} (calldata {} proof bytes)",
        r["gas_used"],
        proof.proof.len()
    );
    // the record
    assert_eq!(
        bounty::class_of(&chain, bounty, c).unwrap(),
        Some(U256::from(TARGET))
    );
    let rec = bounty::record(&chain, bounty, c).unwrap().unwrap();
    assert_eq!(
        (rec.prover, rec.class),
        (address_of(0), TARGET as zero_g::limits::Class)
    );
    zg().args([
        "bounty-status",
        "--bounty",
        &w.bounty,
        "--rpc-url",
        &w.anvil.url,
    ])
    .args([
        "--commitment",
        proof.images[0].commitment.as_deref().unwrap(),
    ])
    .assert()
    .success()
    .stdout(
        contains("target class: 7")
            .and(contains(format!("class 7, proven by {:#x}", address_of(0)))),
    );
    // the same image again: refused before sending, and reverted when forced
    w.submit("honest.json", 0, &[])
        .code(2)
        .stderr(contains("is already classified (class 7"));
    w.submit("honest.json", 0, &["--force"])
        .code(1)
        .stdout(contains("proof REJECTED").and(contains("AlreadyClassified(")));
}

#[test]
fn a_proof_is_accepted_only_from_its_account() {
    let w = world();
    let bounty: Address = w.bounty.parse().unwrap();
    let proof = w.proof("spare.json");
    let (class, c) = bounty::claim(&proof).unwrap();
    // the CLI refuses to send it from account 1
    w.submit("spare.json", 1, &[])
        .code(2)
        .stderr(contains(format!(
            "this proof is bound to {}, but the signer is {}",
            address_of(0),
            address_of(1)
        )));
    // a front-runner's raw transaction reverts on chain
    let sub = bounty::submit(&w.chain(1), bounty, class, c, &proof.proof, 2_000_000).unwrap();
    assert!(!sub.mined.success);
    assert_eq!(sub.revert, Some(Revert::InvalidProof));
    assert!(!sub.classified && sub.reward.is_none());
    assert_eq!(bounty::class_of(&w.chain(0), bounty, c).unwrap(), None);
}

#[test]
fn a_changed_class_or_commitment_is_an_invalid_proof() {
    let w = world();
    let bounty: Address = w.bounty.parse().unwrap();
    let proof = w.proof("spare.json");
    let mut bad = proof.clone();
    bad.images[0].class = 3;
    w.write("class.json", &bad);
    w.submit("class.json", 0, &[])
        .code(1)
        .stdout(contains("InvalidProof()"));
    let mut bad = proof.clone();
    let c = commitment(&proof) ^ U256::from(1);
    bad.images[0].commitment = Some(format!("{c:#066x}"));
    w.write("commitment.json", &bad);
    let r = json(&w.submit("commitment.json", 0, &["--json"]).code(1));
    assert_eq!(r["revert"], "InvalidProof");
    assert_eq!(r["classified"], false);
    let chain = w.chain(0);
    assert_eq!(bounty::class_of(&chain, bounty, c).unwrap(), None);
    assert_eq!(
        bounty::class_of(&chain, bounty, commitment(&proof)).unwrap(),
        None
    );
}

#[test]
fn a_non_target_class_is_recorded_without_reward() {
    let w = world();
    let chain = w.chain(0);
    let bounty: Address = w.bounty.parse().unwrap();
    let proof = w.proof("other.json");
    let class = proof.images[0].class;
    assert_ne!(class, TARGET);
    let funds = chain.balance(bounty).unwrap();
    let r = json(&w.submit("other.json", 0, &["--json"]).success());
    assert_eq!(r["classified"], true);
    assert_eq!(r["rewarded"], false);
    assert!(r["no_reward_reason"]
        .as_str()
        .unwrap()
        .contains("not the target class"));
    assert_eq!(chain.balance(bounty).unwrap(), funds);
    assert_eq!(
        bounty::class_of(&chain, bounty, commitment(&proof)).unwrap(),
        Some(U256::from(class))
    );
    eprintln!("gas: submit accepted without reward {}", r["gas_used"]);
}

#[test]
fn the_bounty_record_pins_the_bounty_code() {
    let w = world();
    let mut rec = w.record.clone();
    assert!(rec["runtime_codehash"].as_str().unwrap().starts_with("0x"));
    rec["runtime_codehash"] = format!("0x{}", "cd".repeat(32)).into();
    std::fs::write(w.p("forged_bounty.json"), serde_json::to_vec(&rec).unwrap()).unwrap();
    w.submit(
        "spare.json",
        0,
        &[
            "--deployment-path",
            w.p("forged_bounty.json").to_str().unwrap(),
        ],
    )
    .code(2)
    .stderr(
        contains("wrong contract: the code at").and(contains("is not the ClassificationBounty")),
    );
}

#[test]
fn another_models_proof_is_an_invalid_proof() {
    let w = world();
    let bounty: Address = w.bounty.parse().unwrap();
    w.submit("small.json", 0, &[])
        .code(2)
        .stderr(contains("this bounty is for model"));
    w.submit("small.json", 0, &["--force"])
        .code(1)
        .stdout(contains("InvalidProof()"));
    let c = commitment(&w.proof("small.json"));
    assert_eq!(bounty::class_of(&w.chain(0), bounty, c).unwrap(), None);
}

#[test]
fn a_wrong_verifier_stops_the_deployment() {
    let w = world();
    let chain = w.chain(0);
    let compiled = bounty::compile().unwrap();
    let verifier: Address = w.verifier.parse().unwrap();
    let digest: [u8; 32] = hex::decode(w.record["model_digest"].as_str().unwrap())
        .unwrap()
        .try_into()
        .unwrap();
    let params = BountyParams {
        verifier,
        verifier_codehash: keccak256(b"another verifier"),
        key_data: None,
        model_digest: digest.into(),
        target_class: U256::from(TARGET),
        reward: U256::from(REWARD),
        attester: Address::ZERO,
    };
    match bounty::deploy(&chain, &compiled, &params, U256::ZERO) {
        Err(EvmError::Reverted(m)) => assert!(m.contains("WrongVerifier()"), "{m}"),
        other => panic!("expected WrongVerifier, got {other:?}"),
    }
    // the right code hash deploys
    let params = BountyParams {
        verifier_codehash: bounty::codehash(&chain, verifier).unwrap(),
        ..params
    };
    let mined = bounty::deploy(&chain, &compiled, &params, U256::ZERO).unwrap();
    assert!(mined.success);
    // the CLI: no code at the verifier, a key for another statement, a class out of range
    let deploy = |verifier: &str, vk: PathBuf, class: &str| {
        zg().args(["deploy-bounty", "--verifier", verifier, "-v"])
            .arg(vk)
            .arg("-s")
            .arg(w.p("kzg.srs"))
            .args(["--target-class", class, "--reward", "1"])
            .args(["--rpc-url", &w.anvil.url])
            .assert()
    };
    deploy(
        "0x000000000000000000000000000000000000dEaD",
        w.p("tiny.vk"),
        "7",
    )
    .code(2)
    .stderr(contains("there is no contract at"));
    deploy(&w.verifier, w.p("tiny.vk"), "10")
        .code(2)
        .stderr(contains("is not a class of this model"));
    let tiny = Arc::new(io::load(&reference(TINY)).unwrap());
    let srs = artifacts::read_srs(&w.p("kzg.srs")).unwrap();
    let (pk, meta) = proving::keygen(
        &srs,
        tiny,
        Layout::Compact,
        &Statement::default(),
        &NoReporter,
    )
    .unwrap();
    artifacts::write_vk(&w.p("scores.vk"), pk.get_vk(), &meta).unwrap();
    deploy(&w.verifier, w.p("scores.vk"), "7")
        .code(2)
        .stderr(contains(
            "generate-keys --public class --commitment --model-digest --bind",
        ));
    // a verifier of another key (checked with --srs-path)
    zg().args(["deploy-bounty", "--verifier", &w.verifier, "-v"])
        .arg(w.p("tiny.vk"))
        .arg("-s")
        .arg(w.p("kzg.srs"))
        .args(["--target-class", "7", "--reward", "1"])
        .args(["--rpc-url", &w.anvil.url])
        .assert()
        .success();
    zg().args(["deploy-bounty", "--verifier", &w.bounty, "-v"])
        .arg(w.p("tiny.vk"))
        .arg("-s")
        .arg(w.p("kzg.srs"))
        .args(["--target-class", "7", "--reward", "1"])
        .args(["--rpc-url", &w.anvil.url])
        .assert()
        .code(2)
        .stderr(contains("wrong verifier").and(contains("is not the verifier of")));
    // the verifier's deployment record instead of the SRS: no compilation
    zg().args(["deploy-bounty", "--verifier", &w.verifier, "-v"])
        .arg(w.p("tiny.vk"))
        .arg("--verifier-deployment-path")
        .arg(w.p("verifier.json"))
        .args(["--target-class", "7", "--reward", "1"])
        .args(["--rpc-url", &w.anvil.url])
        .assert()
        .success();
    // nothing to check the verifier against: refused
    zg().args(["deploy-bounty", "--verifier", &w.verifier, "-v"])
        .arg(w.p("tiny.vk"))
        .args(["--target-class", "7", "--reward", "1"])
        .args(["--rpc-url", &w.anvil.url])
        .assert()
        .code(2)
        .stderr(contains("--srs-path"));
    // a STOP-byte "verifier" (it accepts every call): refused, with the SRS or a record
    let stop = chain
        .deploy(&hex::decode(STOP_CONTRACT).unwrap())
        .unwrap()
        .contract
        .unwrap();
    zg().args(["deploy-bounty", "--verifier", &stop, "-v"])
        .arg(w.p("tiny.vk"))
        .arg("-s")
        .arg(w.p("kzg.srs"))
        .args(["--target-class", "7", "--reward", "1"])
        .args(["--rpc-url", &w.anvil.url])
        .assert()
        .code(2)
        .stderr(contains("wrong verifier: the code at"));
    let mut rec: serde_json::Value =
        serde_json::from_slice(&std::fs::read(w.p("verifier.json")).unwrap()).unwrap();
    rec["address"] = stop.clone().into();
    std::fs::write(w.p("stop.json"), serde_json::to_vec(&rec).unwrap()).unwrap();
    zg().args(["deploy-bounty", "--verifier", &stop, "-v"])
        .arg(w.p("tiny.vk"))
        .arg("--verifier-deployment-path")
        .arg(w.p("stop.json"))
        .args(["--target-class", "7", "--reward", "1"])
        .args(["--rpc-url", &w.anvil.url])
        .assert()
        .code(2)
        .stderr(contains("wrong verifier: the code at"));
}

#[test]
fn the_raw_verifier_checks_the_same_statement() {
    let w = world();
    let raw = |proof: &str| {
        zg().args(["submit-proof", "--json", "--proof-path"])
            .arg(w.p(proof))
            .args(["--contract-address", &w.verifier, "--rpc-url", &w.anvil.url])
            .arg("--deployment-path")
            .arg(w.p("verifier.json"))
            .assert()
    };
    let r = json(&raw("honest.json").success());
    eprintln!(
        "gas: raw verifier transaction {} (class + commitment + model digest + binding)",
        r["gas_used"]
    );
    let mut bad = w.proof("honest.json");
    let c = commitment(&bad) ^ U256::from(2);
    bad.images[0].commitment = Some(format!("{c:#066x}"));
    w.write("raw_commitment.json", &bad);
    let r = json(&raw("raw_commitment.json").code(1));
    assert_eq!(r["success"], false);
    // the commitment + r, or the bound word + r: refused before sending (exit 2)
    let proof = w.proof("honest.json");
    let (_, c) = bounty::claim(&proof).unwrap();
    let mut bad = proof.clone();
    bad.images[0].commitment = Some(format!("{:#066x}", c + modulus()));
    w.write("raw_commitment_r.json", &bad);
    raw("raw_commitment_r.json")
        .code(2)
        .stderr(contains("is not below the BN254 scalar modulus r"));
    let mut bad = proof.clone();
    let b: U256 = proof.bound_to.as_deref().unwrap().parse().unwrap();
    bad.bound_to = Some(format!("{:#066x}", b + modulus()));
    w.write("raw_bound_r.json", &bad);
    raw("raw_bound_r.json")
        .code(2)
        .stderr(contains("is not below the BN254 scalar modulus r"));
    // sent anyway, through the library: the verifier itself reverts on each public word + r
    let chain = w.chain(0);
    let verifier: Address = w.verifier.parse().unwrap();
    let honest = evm::calldata(&proof).unwrap();
    assert!(chain.call(verifier, &honest).unwrap());
    for word in 0..5 {
        let shifted = evm::add_modulus(&honest, word).unwrap();
        assert!(!chain.call(verifier, &shifted).unwrap(), "word {word} + r");
    }
    let mined = chain
        .submit(verifier, &evm::add_modulus(&honest, 1).unwrap(), 2_000_000)
        .unwrap();
    assert!(
        !mined.success,
        "the commitment + r was accepted in a transaction"
    );
}

/// The BN254 scalar modulus r.
fn modulus() -> U256 {
    evm::SCALAR_MODULUS_HEX.parse().unwrap()
}

/// One proof, one image: recorded and rewarded once, whatever uint256 encodes its
/// commitment (c + k·r is the same field element). A short gas limit is "out of gas", not
/// an invalid proof, and records nothing.
#[test]
fn an_image_is_paid_once_whatever_its_encoding() {
    let w = world();
    let chain = w.chain(0);
    let bounty: Address = w.bounty.parse().unwrap();
    let proof = w.proof("once.json");
    let (class, c) = bounty::claim(&proof).unwrap();
    // the proof file with c + r: refused before sending, even with --force
    let mut bad = proof.clone();
    bad.images[0].commitment = Some(format!("{:#066x}", c + modulus()));
    w.write("once_r.json", &bad);
    for extra in [&[][..], &["--force"][..]] {
        w.submit("once_r.json", 0, extra)
            .code(2)
            .stderr(contains("is not below the BN254 scalar modulus r"));
    }
    // too little gas: the verifier's call fails, but this is no verdict on the proof
    w.submit("once.json", 0, &["--gas-limit", "300000"])
        .code(2)
        .stderr(contains("ran out of gas (gas limit 300000"))
        .stdout(contains("InvalidProof").not());
    assert_eq!(bounty::class_of(&chain, bounty, c).unwrap(), None);
    // the honest submission: recorded and rewarded
    let funds = chain.balance(bounty).unwrap();
    let r = json(&w.submit("once.json", 0, &["--json"]).success());
    assert_eq!(r["rewarded"], true);
    assert_eq!(chain.balance(bounty).unwrap(), funds - U256::from(REWARD));
    // the same proof under c + r, c + 2r, …: each reverts, nothing more is paid
    let mut k = 1u64;
    while let Some(ck) = modulus()
        .checked_mul(U256::from(k))
        .and_then(|kr| kr.checked_add(c))
    {
        let sub = bounty::submit(&chain, bounty, class, ck, &proof.proof, 2_000_000).unwrap();
        assert!(!sub.mined.success, "c + {k}r was accepted");
        assert_eq!(sub.revert, Some(Revert::NonCanonicalCommitment(ck)));
        assert!(!sub.classified && sub.reward.is_none());
        assert_eq!(bounty::class_of(&chain, bounty, ck).unwrap(), None);
        k += 1;
    }
    assert!(k >= 2, "at least c + r fits 256 bits");
    assert_eq!(chain.balance(bounty).unwrap(), funds - U256::from(REWARD));
    // and under c itself: already classified
    let sub = bounty::submit(&chain, bounty, class, c, &proof.proof, 2_000_000).unwrap();
    assert_eq!(sub.revert, Some(Revert::AlreadyClassified(c)));
}

#[test]
fn the_abi_is_the_compiled_contracts() {
    use alloy::sol_types::SolEvent;
    use bounty::abi::ClassificationBounty as B;
    pinned_solc();
    let compiled = bounty::compile().unwrap();
    let sig = |e: &serde_json::Value| {
        let types: Vec<&str> = e["inputs"]
            .as_array()
            .unwrap()
            .iter()
            .map(|i| i["type"].as_str().unwrap())
            .collect();
        format!("{}({})", e["name"].as_str().unwrap(), types.join(","))
    };
    let mut seen = 0;
    for e in compiled.abi.as_array().unwrap() {
        let hash = || keccak256(sig(e).as_bytes());
        match e["type"].as_str().unwrap() {
            "function" => {
                assert!(
                    B::ClassificationBountyCalls::SELECTORS
                        .contains(&hash()[..4].try_into().unwrap()),
                    "{}",
                    sig(e)
                );
                seen += 1;
            }
            "error" => {
                assert!(
                    B::ClassificationBountyErrors::SELECTORS
                        .contains(&hash()[..4].try_into().unwrap()),
                    "{}",
                    sig(e)
                );
                seen += 1;
            }
            "event" => {
                assert!(
                    [
                        B::Classified::SIGNATURE_HASH,
                        B::Rewarded::SIGNATURE_HASH,
                        B::Funded::SIGNATURE_HASH,
                        B::Attested::SIGNATURE_HASH
                    ]
                    .contains(&hash()),
                    "{}",
                    sig(e)
                );
                seen += 1;
            }
            _ => {}
        }
    }
    // 11 functions (6 immutables, records, attested, attest, submit, classOf), 9 errors,
    // 4 events
    assert_eq!(seen, 24);
    assert_eq!(
        B::ClassificationBountyCalls::SELECTORS.len()
            + B::ClassificationBountyErrors::SELECTORS.len(),
        20
    );
}

#[test]
fn an_attested_bounty_takes_only_registered_images() {
    let w = world();
    // a second bounty on the same verifier, whose attester is account 1
    let out = zg()
        .args(["deploy-bounty", "--json", "--verifier", &w.verifier, "-v"])
        .arg(w.p("tiny.vk"))
        .arg("--verifier-deployment-path")
        .arg(w.p("verifier.json"))
        .args(["--target-class", &TARGET.to_string(), "--reward", "0"])
        .args(["--attester", &format!("{:#x}", address_of(1))])
        .args(["--rpc-url", &w.anvil.url])
        .assert()
        .success();
    let attested_bounty = json(&out)["address"].as_str().unwrap().to_string();
    let bounty: Address = attested_bounty.parse().unwrap();
    let proof = w.proof("spare.json");
    let (class, c) = bounty::claim(&proof).unwrap();
    let hex = proof.images[0].commitment.clone().unwrap();
    let submit = |extra: &[&str]| {
        zg().args(["submit-proof", "--proof-path"])
            .arg(w.p("spare.json"))
            .args(["--bounty", &attested_bounty, "--rpc-url", &w.anvil.url])
            .args(["--private-key", DEV_KEYS[0]])
            .args(extra)
            .assert()
    };
    // not attested yet: refused before sending, reverted on chain
    submit(&[]).code(2).stderr(contains("is not attested"));
    let sub = bounty::submit(&w.chain(0), bounty, class, c, &proof.proof, 2_000_000).unwrap();
    assert_eq!(sub.revert, Some(Revert::NotAttested(c)));
    // only the attester can register it
    let attest = |key: usize| {
        zg().args(["attest-commitments", "--bounty", &attested_bounty])
            .args(["--commitment", &hex, "--rpc-url", &w.anvil.url])
            .args(["--private-key", DEV_KEYS[key]])
            .assert()
    };
    attest(0)
        .code(2)
        .stderr(contains(format!("attester is {:#x}", address_of(1))));
    let (mined, revert) = bounty::attest(&w.chain(0), bounty, &[c], 1_000_000).unwrap();
    assert!(!mined.success);
    assert_eq!(revert, Some(Revert::NotAttester));
    // a commitment + r: refused by the CLI, reverted by the bounty
    zg().args(["attest-commitments", "--bounty", &attested_bounty])
        .args(["--commitment", &format!("{:#066x}", c + modulus())])
        .args(["--rpc-url", &w.anvil.url, "--private-key", DEV_KEYS[1]])
        .assert()
        .code(2)
        .stderr(contains("is not below the BN254 scalar modulus r"));
    let (mined, revert) = bounty::attest(&w.chain(1), bounty, &[c + modulus()], 1_000_000).unwrap();
    assert!(!mined.success);
    assert_eq!(revert, Some(Revert::NonCanonicalCommitment(c + modulus())));
    attest(1)
        .success()
        .stdout(contains("attested 1 commitment(s)"));
    assert!(bounty::is_attested(&w.chain(0), bounty, c).unwrap());
    // now it is accepted (reward 0: recorded only)
    let r = json(&submit(&["--json"]).success());
    assert_eq!(r["classified"], true);
    assert_eq!(
        bounty::class_of(&w.chain(0), bounty, c).unwrap(),
        Some(class)
    );
}
