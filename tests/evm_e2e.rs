//! End to end on a real anvil (the npm `@foundry-rs/anvil` binary): deploy the verifier,
//! submit an honest proof (accepted), a proof with a flipped byte and one with a changed
//! score (both revert on chain), check with eth_call, and every error path: a public word
//! plus r reverts in the verifier itself; a contract that is not the proof's verifier (no code,
//! a STOP byte, another model's verifier) is "wrong verifier" (exit 2); a gas limit below
//! the intrinsic cost is refused at once; a stalled endpoint times out naming the call.

mod common;
use common::anvil::*;
use common::*;
use predicates::prelude::PredicateBooleanExt;
use predicates::str::contains;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex, OnceLock};
use std::time::{Duration, Instant};
use zero_g::circuit::{ImageInput, Layout, Statement};
use zero_g::data::load_image_for;
use zero_g::evm::{self, chain::Chain};
use zero_g::model::io;
use zero_g::progress::NoReporter;
use zero_g::proving::{self, artifacts};

struct World {
    anvil: Anvil,
    dir: tempfile::TempDir,
    address: String,
}

impl World {
    fn p(&self, n: &str) -> PathBuf {
        self.dir.path().join(n)
    }
}

/// One anvil and one deployed Tiny verifier for the whole file (tests take turns on it).
fn world() -> std::sync::MutexGuard<'static, World> {
    static W: OnceLock<Mutex<World>> = OnceLock::new();
    W.get_or_init(|| {
        let dir = tempfile::tempdir().unwrap();
        let p = |n: &str| dir.path().join(n);
        let model = Arc::new(io::load(&reference(TINY)).unwrap());
        let srs = proving::generate_srs(
            proving::circuit_params(&model, Layout::Compact, &Statement::default())
                .unwrap()
                .k,
            Some(3),
        );
        let (pk, meta) = proving::keygen(
            &srs,
            model.clone(),
            Layout::Compact,
            &Statement::default(),
            &NoReporter,
        )
        .unwrap();
        let img = load_image_for(&reference(DIGIT7), 28, 28).unwrap();
        let input = [ImageInput::new(img)];
        let proof = proving::prove(&srs, &pk, &meta, model, &input, &NoReporter).unwrap();
        artifacts::write_srs(&srs, &p("kzg.srs")).unwrap();
        artifacts::write_vk(&p("tiny.vk"), pk.get_vk(), &meta).unwrap();
        artifacts::write_proof(&p("proof.json"), &proof).unwrap();
        let mut bad = proof.clone();
        let n = bad.proof.len();
        bad.proof[n / 2] ^= 1;
        artifacts::write_proof(&p("flipped.json"), &bad).unwrap();
        let mut bad = proof.clone();
        bad.images[0].scores.as_mut().unwrap()[7] = 27;
        bad.images[0].class = 7;
        artifacts::write_proof(&p("score.json"), &bad).unwrap();
        let anvil = start_anvil();
        let out = zg()
            .args(["deploy-evm-verifier", "--json", "-s"])
            .arg(p("kzg.srs"))
            .arg("-v")
            .arg(p("tiny.vk"))
            .args(["--rpc-url", &anvil.url, "--deployment-path"])
            .arg(p("deployment.json"))
            .assert()
            .success();
        let rec: serde_json::Value = serde_json::from_slice(&out.get_output().stdout).unwrap();
        assert_eq!(rec["chain_id"], 31337);
        assert!(rec["runtime_bytes"].as_u64().unwrap() <= 24_576);
        let address = rec["address"].as_str().unwrap().to_string();
        Mutex::new(World {
            anvil,
            dir,
            address,
        })
    })
    .lock()
    .unwrap_or_else(|e| e.into_inner())
}

/// `submit-proof` to the world's verifier, checked against its deployment record.
fn submit(w: &World, proof: &Path) -> assert_cmd::assert::Assert {
    zg().args(["submit-proof", "--proof-path"])
        .arg(proof)
        .args(["--contract-address", &w.address, "--rpc-url", &w.anvil.url])
        .arg("--deployment-path")
        .arg(w.p("deployment.json"))
        .assert()
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

/// `cmd` (submit-proof or verify-evm) of `proof` to `address`, with `check` flags naming
/// the expected verifier.
fn to(w: &World, cmd: &str, proof: &str, address: &str, check: &[&str]) -> assert_cmd::Command {
    let mut c = zg();
    c.args([cmd, "--proof-path"])
        .arg(w.p(proof))
        .args(["--contract-address", address, "--rpc-url", &w.anvil.url])
        .args(check);
    c
}

/// `-v tiny.vk -s kzg.srs`: the verifier compiled from the proof's key.
fn compiled(w: &World) -> Vec<String> {
    vec![
        "-v".into(),
        w.p("tiny.vk").display().to_string(),
        "-s".into(),
        w.p("kzg.srs").display().to_string(),
    ]
}

/// The world's deployment record with its address replaced by `address`.
fn record_pointing_at(w: &World, address: &str, name: &str) -> PathBuf {
    let mut rec: serde_json::Value =
        serde_json::from_slice(&std::fs::read(w.p("deployment.json")).unwrap()).unwrap();
    rec["address"] = address.into();
    std::fs::write(w.p(name), serde_json::to_vec(&rec).unwrap()).unwrap();
    w.p(name)
}

#[test]
fn honest_proof_is_accepted_in_a_transaction() {
    let w = world();
    submit(&w, &w.p("proof.json"))
        .success()
        .stdout(contains("proof accepted on chain 31337"));
    // with the deployment record as a pairing check
    zg().args(["submit-proof", "--json", "--proof-path"])
        .arg(w.p("proof.json"))
        .args([
            "--contract-address",
            &w.address,
            "--rpc-url",
            &w.anvil.url,
            "--deployment-path",
        ])
        .arg(w.p("deployment.json"))
        .assert()
        .success()
        .stdout(contains("\"success\": true"));
}

#[test]
fn the_verifier_compiled_from_the_key_is_accepted_too() {
    let w = world();
    for cmd in ["submit-proof", "verify-evm"] {
        to(&w, cmd, "proof.json", &w.address, &[])
            .args(compiled(&w))
            .assert()
            .success();
    }
    // both: the record's hash must be the compiled verifier's
    to(
        &w,
        "verify-evm",
        "proof.json",
        &w.address,
        &["--deployment-path"],
    )
    .arg(w.p("deployment.json"))
    .args(compiled(&w))
    .assert()
    .success()
    .stdout(contains("proof valid"));
    let mut rec: serde_json::Value =
        serde_json::from_slice(&std::fs::read(w.p("deployment.json")).unwrap()).unwrap();
    rec["runtime_codehash"] = format!("0x{}", "ab".repeat(32)).into();
    std::fs::write(w.p("forged.json"), serde_json::to_vec(&rec).unwrap()).unwrap();
    to(
        &w,
        "verify-evm",
        "proof.json",
        &w.address,
        &["--deployment-path"],
    )
    .arg(w.p("forged.json"))
    .args(compiled(&w))
    .assert()
    .code(2)
    .stderr(contains(
        "is not that of the verifier compiled from the key",
    ));
    // a record whose hash is not the chain's code: wrong verifier
    to(
        &w,
        "verify-evm",
        "proof.json",
        &w.address,
        &["--deployment-path"],
    )
    .arg(w.p("forged.json"))
    .assert()
    .code(2)
    .stderr(contains("wrong verifier: the code at"));
}

/// A contract whose code is one STOP byte "accepts" anything: zero_g must not say so.
#[test]
fn a_stop_byte_contract_is_a_wrong_verifier() {
    let w = world();
    let chain = Chain::connect(&w.anvil.url)
        .unwrap()
        .with_signer(Some(DEV_KEYS[0]))
        .unwrap();
    let mined = chain.deploy(&hex::decode(STOP_CONTRACT).unwrap()).unwrap();
    let stop = mined.contract.unwrap();
    assert_eq!(
        chain.code_at(stop.parse().unwrap()).unwrap(),
        vec![0u8],
        "the contract is one STOP byte"
    );
    // it does accept an empty call and any proof: the danger is real
    assert!(chain.call(stop.parse().unwrap(), &[]).unwrap());
    for cmd in ["submit-proof", "verify-evm"] {
        to(&w, cmd, "flipped.json", &stop, &[])
            .args(compiled(&w))
            .assert()
            .code(2)
            .stderr(contains("wrong verifier: the code at").and(contains("(1 bytes")));
        // a deployment record pointing at it (its hash is the real verifier's)
        let rec = record_pointing_at(&w, &stop, "stop.json");
        to(&w, cmd, "proof.json", &stop, &["--deployment-path"])
            .arg(rec)
            .assert()
            .code(2)
            .stderr(contains("wrong verifier"));
    }
}

/// Another model's verifier rejects the proof: zero_g says "wrong verifier", not "INVALID".
#[test]
fn another_models_verifier_is_a_wrong_verifier() {
    let w = world();
    let chain = Chain::connect(&w.anvil.url)
        .unwrap()
        .with_signer(Some(DEV_KEYS[0]))
        .unwrap();
    // Small's bundled verifier (contracts/, same statement: ten scores)
    let creation = hex::decode(
        std::fs::read_to_string(
            root().join("contracts/model_28input_1024entry_2hash_2bpi/Verifier.bin"),
        )
        .unwrap()
        .trim(),
    )
    .unwrap();
    let small = chain.deploy(&creation).unwrap().contract.unwrap();
    let calldata = evm::calldata(&artifacts::read_proof(&w.p("proof.json")).unwrap()).unwrap();
    assert!(
        !chain.call(small.parse().unwrap(), &calldata).unwrap(),
        "Small's verifier rejects Tiny's proof"
    );
    for cmd in ["submit-proof", "verify-evm"] {
        to(&w, cmd, "proof.json", &small, &[])
            .args(compiled(&w))
            .assert()
            .code(2)
            .stderr(
                contains("wrong verifier: the code at").and(contains("is not the verifier of key")),
            )
            .stdout(contains("INVALID").not());
        let rec = record_pointing_at(&w, &small, "small.json");
        to(&w, cmd, "proof.json", &small, &["--deployment-path"])
            .arg(rec)
            .assert()
            .code(2)
            .stderr(contains("wrong verifier"));
    }
}

/// The verifier itself reverts on a public word + r (the same field element, not canonical),
/// which it accepted before zero_g's check; the honest words still pass.
#[test]
fn a_public_word_plus_r_reverts_in_the_verifier() {
    let w = world();
    pinned_solc();
    let chain = Chain::connect(&w.anvil.url)
        .unwrap()
        .with_signer(Some(DEV_KEYS[0]))
        .unwrap();
    let verifier = w.address.parse().unwrap();
    let proof = artifacts::read_proof(&w.p("proof.json")).unwrap();
    let honest = evm::calldata(&proof).unwrap();
    assert!(chain.call(verifier, &honest).unwrap());
    for word in 0..10 {
        let shifted = evm::add_modulus(&honest, word).unwrap();
        assert!(
            !chain.call(verifier, &shifted).unwrap(),
            "word {word} + r accepted"
        );
    }
    let shifted = evm::add_modulus(&honest, 3).unwrap();
    let mined = chain.submit(verifier, &shifted, 2_000_000).unwrap();
    assert!(!mined.success, "a transaction with word 3 + r was accepted");
    // without the check, the same verifier accepts it: the check is what stops it
    let srs = artifacts::read_srs(&w.p("kzg.srs")).unwrap();
    let (vk, meta) = artifacts::read_vk(&w.p("tiny.vk")).unwrap();
    let sol = evm::verifier_solidity(&srs, &vk, &meta).unwrap();
    let start = sol.find(evm::CANONICAL_CHECK_MARKER).unwrap();
    let end = start + sol[start..].find("function validate_ec_point").unwrap();
    let unchecked = format!("{}{}", &sol[..start], sol[end..].trim_start());
    let unchecked = evm::compile(&unchecked, evm::VERIFIER_CONTRACT).unwrap();
    let checked = evm::compile(&sol, evm::VERIFIER_CONTRACT).unwrap();
    assert_eq!(
        chain.code_at(verifier).unwrap(),
        checked.runtime,
        "the deployed verifier is the checked one"
    );
    let old = chain.deploy(&unchecked.creation).unwrap().contract.unwrap();
    let old = old.parse().unwrap();
    assert!(chain.call(old, &honest).unwrap());
    assert!(
        chain.call(old, &shifted).unwrap(),
        "snark-verifier's own code reduces the words mod r"
    );
    // the in-process EVM agrees, and measures what the check costs
    let runs = evm::dry_run(&checked.creation, &[honest.clone(), shifted.clone()]).unwrap();
    let before = evm::dry_run(&unchecked.creation, &[honest, shifted]).unwrap();
    assert!(runs[0].accepted && !runs[1].accepted);
    assert!(before[0].accepted && before[1].accepted);
    eprintln!(
        "canonical check: {} -> {} bytes, {} -> {} gas",
        before[0].runtime_bytes, runs[0].runtime_bytes, before[0].verify_gas, runs[0].verify_gas
    );
    assert!(runs[0].runtime_bytes - before[0].runtime_bytes < 64);
    assert!(runs[0].verify_gas - before[0].verify_gas < 1_000);
}

#[test]
fn a_gas_limit_below_the_intrinsic_cost_is_refused_at_once() {
    let w = world();
    let start = Instant::now();
    zg().args(["submit-proof", "--gas-limit", "30000", "--proof-path"])
        .arg(w.p("proof.json"))
        .args(["--contract-address", &w.address, "--rpc-url", &w.anvil.url])
        .arg("--deployment-path")
        .arg(w.p("deployment.json"))
        .assert()
        .code(2)
        .stderr(contains("the gas limit 30000 is below the").and(contains("--gas-limit")));
    assert!(start.elapsed() < Duration::from_secs(20));
    // above the intrinsic cost, below what the verifier needs: out of gas, not "REJECTED"
    zg().args(["submit-proof", "--gas-limit", "300000", "--proof-path"])
        .arg(w.p("proof.json"))
        .args(["--contract-address", &w.address, "--rpc-url", &w.anvil.url])
        .arg("--deployment-path")
        .arg(w.p("deployment.json"))
        .assert()
        .code(2)
        .stderr(contains("ran out of gas (gas limit 300000, used 300000)"))
        .stdout(contains("REJECTED").not());
    // the formula is the node's: a transfer with exactly the intrinsic gas is mined
    let chain = Chain::connect(&w.anvil.url)
        .unwrap()
        .with_signer(Some(DEV_KEYS[0]))
        .unwrap();
    let eoa = "0x00000000000000000000000000000000000000e0"
        .parse()
        .unwrap();
    for data in [
        vec![],
        vec![0u8; 100],
        vec![7u8; 100],
        vec![0, 1, 0, 2, 255],
    ] {
        let need = zero_g::evm::chain::intrinsic_gas(&data, false);
        let mined = chain.submit(eoa, &data, need).unwrap();
        assert!(mined.success);
        assert_eq!(mined.gas_used, need, "calldata {data:?}");
        assert!(chain.submit(eoa, &data, need - 1).is_err());
    }
}

/// An endpoint that accepts and never answers, or answers some calls only: every command
/// ends with an error naming the call and the URL, within its timeout.
#[test]
fn a_stalled_endpoint_times_out_naming_the_call() {
    let w = world();
    let timed = |cmd: &mut assert_cmd::Command, call: &str, url: &str| {
        let start = Instant::now();
        cmd.assert().code(2).stderr(contains(format!(
            "no answer to {call} from {url}/ within 1 s (--rpc-timeout)"
        )));
        assert!(start.elapsed() < Duration::from_secs(15), "{call}");
    };
    let with = |url: &str, cmd: &str| {
        let mut c = zg();
        c.args([cmd, "--rpc-timeout", "1", "--proof-path"])
            .arg(w.p("proof.json"))
            .args(["--contract-address", &w.address, "--rpc-url", url])
            .arg("--deployment-path")
            .arg(w.p("deployment.json"));
        c
    };
    // nothing answered, not even eth_chainId
    let dead = rpc_proxy(&w.anvil.url, &["*"], &[]);
    timed(&mut with(&dead.url, "verify-evm"), "eth_chainId", &dead.url);
    // the code, the call, the receipt
    let p = rpc_proxy(&w.anvil.url, &["eth_getCode"], &[]);
    timed(&mut with(&p.url, "verify-evm"), "eth_getCode", &p.url);
    let p = rpc_proxy(&w.anvil.url, &["eth_call"], &[]);
    timed(&mut with(&p.url, "verify-evm"), "eth_call", &p.url);
    let p = rpc_proxy(&w.anvil.url, &["eth_getTransactionCount"], &[]);
    timed(
        &mut with(&p.url, "submit-proof"),
        "eth_getTransactionCount",
        &p.url,
    );
    let p = rpc_proxy(&w.anvil.url, &["eth_sendRawTransaction"], &[]);
    timed(
        &mut with(&p.url, "submit-proof"),
        "eth_sendRawTransaction",
        &p.url,
    );
    let p = rpc_proxy(&w.anvil.url, &["eth_getTransactionReceipt"], &[]);
    timed(
        &mut with(&p.url, "submit-proof"),
        "eth_getTransactionReceipt",
        &p.url,
    );
    // a receipt that never comes: --receipt-timeout
    let p = rpc_proxy(&w.anvil.url, &[], &["eth_getTransactionReceipt"]);
    let start = Instant::now();
    with(&p.url, "submit-proof")
        .args(["--receipt-timeout", "2"])
        .assert()
        .code(2)
        .stderr(contains("was not mined within 2 s (--receipt-timeout)"));
    assert!(start.elapsed() < Duration::from_secs(15));
    // through a proxy that answers everything, the command works
    let p = rpc_proxy(&w.anvil.url, &[], &[]);
    with(&p.url, "verify-evm")
        .assert()
        .success()
        .stdout(contains("proof valid"));
    // a timeout of 0 is a usage error
    with(&w.anvil.url, "verify-evm")
        .args(["--rpc-timeout", "0"])
        .assert()
        .code(2);
}

/// A proof file whose public words are not below r is refused (exit 2) before anything is
/// asked of the chain: here no chain listens at all.
#[test]
fn non_canonical_claims_are_refused_before_connecting() {
    let w = world();
    let dead = format!("http://127.0.0.1:{}", free_port());
    let r = zero_g::evm::SCALAR_MODULUS_HEX;
    // a bound word of r (the field element 0, written as r)
    let mut bound = artifacts::read_proof(&w.p("proof.json")).unwrap();
    bound.statement.bind = true;
    bound.bound_to = Some(r.to_string());
    artifacts::write_proof(&w.p("bound_r.json"), &bound).unwrap();
    // the bounty's statement with a commitment of r + 5
    let mut committed = bound.clone();
    committed.statement = zero_g::evm::bounty::statement();
    committed.bound_to = Some(format!(
        "0x{:0>64}",
        "f39fd6e51aad88f6f4ce6ab8827279cfffb92266"
    ));
    let c: alloy::primitives::U256 = r.parse().unwrap();
    committed.images[0].scores = None;
    committed.images[0].commitment =
        Some(format!("{:#066x}", c + alloy::primitives::U256::from(5)));
    artifacts::write_proof(&w.p("commitment_r.json"), &committed).unwrap();
    for (file, target) in [
        ("bound_r.json", "--contract-address"),
        ("commitment_r.json", "--contract-address"),
        ("commitment_r.json", "--bounty"),
    ] {
        for cmd in ["submit-proof", "verify-evm"] {
            if cmd == "verify-evm" && target == "--bounty" {
                continue;
            }
            zg().args([cmd, "--proof-path"])
                .arg(w.p(file))
                .args([target, &w.address, "--rpc-url", &dead])
                .arg("--deployment-path")
                .arg(w.p("deployment.json"))
                .assert()
                .code(2)
                .stderr(
                    contains("is not below the BN254 scalar modulus r")
                        .and(contains("cannot reach").not()),
                );
        }
    }
    // the same with --force: still refused
    zg().args(["submit-proof", "--force", "--proof-path"])
        .arg(w.p("commitment_r.json"))
        .args(["--bounty", &w.address, "--rpc-url", &dead])
        .assert()
        .code(2)
        .stderr(contains("is not below the BN254 scalar modulus r"));
}

#[test]
fn tampered_proofs_revert_on_chain() {
    let w = world();
    submit(&w, &w.p("flipped.json"))
        .code(1)
        .stdout(contains("proof REJECTED: the verifier reverted"));
    submit(&w, &w.p("score.json"))
        .code(1)
        .stdout(contains("proof REJECTED"));
}

#[test]
fn eth_call_checks_for_free() {
    let w = world();
    let call = |p: &str| {
        zg().args(["verify-evm", "--proof-path"])
            .arg(w.p(p))
            .args(["--contract-address", &w.address, "--rpc-url", &w.anvil.url])
            .arg("--deployment-path")
            .arg(w.p("deployment.json"))
            .assert()
    };
    call("proof.json").success().stdout(contains("proof valid"));
    call("flipped.json")
        .code(1)
        .stdout(contains("proof INVALID"));
    call("score.json").code(1);
}

#[test]
fn chain_errors_are_exit_2() {
    let w = world();
    // an address with no code
    to(
        &w,
        "submit-proof",
        "proof.json",
        "0x000000000000000000000000000000000000dEaD",
        &[],
    )
    .args(compiled(&w))
    .assert()
    .code(2)
    .stderr(contains("wrong verifier: there is no contract at"));
    // nothing to check the contract against
    for cmd in ["submit-proof", "verify-evm"] {
        to(&w, cmd, "proof.json", &w.address, &[])
            .assert()
            .code(2)
            .stderr(contains(
                "give --deployment-path (the record of deploy-evm-verifier) or --vk-path and \
                 --srs-path",
            ));
    }
    // a deployment record of an older zero_g (no code hash) needs the key
    let mut old: serde_json::Value =
        serde_json::from_slice(&std::fs::read(w.p("deployment.json")).unwrap()).unwrap();
    old.as_object_mut().unwrap().remove("runtime_codehash");
    std::fs::write(w.p("old.json"), serde_json::to_vec(&old).unwrap()).unwrap();
    to(
        &w,
        "verify-evm",
        "proof.json",
        &w.address,
        &["--deployment-path"],
    )
    .arg(w.p("old.json"))
    .assert()
    .code(2)
    .stderr(contains("records no code hash"));
    to(
        &w,
        "verify-evm",
        "proof.json",
        &w.address,
        &["--deployment-path"],
    )
    .arg(w.p("old.json"))
    .args(compiled(&w))
    .assert()
    .success();
    // nothing listening
    let dead = format!("http://127.0.0.1:{}", free_port());
    submit(
        &World {
            anvil: Anvil {
                child: std::process::Command::new("true").spawn().unwrap(),
                url: dead,
            },
            dir: tempfile::tempdir().unwrap(),
            address: w.address.clone(),
        },
        &w.p("proof.json"),
    )
    .code(2)
    .stderr(contains("cannot reach the RPC endpoint"));
    // a malformed proof file and a malformed address
    std::fs::write(w.p("junk.json"), b"{}").unwrap();
    submit(&w, &w.p("junk.json"))
        .code(2)
        .stderr(contains("not a zero_g proof file"));
    zg().args(["submit-proof", "--proof-path"])
        .arg(w.p("proof.json"))
        .args(["--contract-address", "0x1234", "--rpc-url", &w.anvil.url])
        .assert()
        .code(2)
        .stderr(contains("not a 20-byte hex address"));
    // a proof for another key than the deployed contract's
    let mut rec: serde_json::Value =
        serde_json::from_slice(&std::fs::read(w.p("deployment.json")).unwrap()).unwrap();
    rec["vk_fingerprint"] = "ff".repeat(32).into();
    std::fs::write(w.p("other.json"), serde_json::to_vec(&rec).unwrap()).unwrap();
    zg().args(["submit-proof", "--proof-path"])
        .arg(w.p("proof.json"))
        .args([
            "--contract-address",
            &w.address,
            "--rpc-url",
            &w.anvil.url,
            "--deployment-path",
        ])
        .arg(w.p("other.json"))
        .assert()
        .code(2)
        .stderr(contains("the contract verifies key"));
    // a remote chain without a signer
    zg().args(["deploy-evm-verifier", "-s"])
        .arg(w.p("kzg.srs"))
        .arg("-v")
        .arg(w.p("tiny.vk"))
        .args([
            "--rpc-url",
            &w.anvil.url.replace("127.0.0.1", "localhost.invalid"),
        ])
        .assert()
        .code(2);
}

#[test]
fn dry_run_measures_size_and_gas() {
    let w = world();
    let out = zg()
        .args(["dry-run-evm-verifier", "--json", "-s"])
        .arg(w.p("kzg.srs"))
        .arg("-v")
        .arg(w.p("tiny.vk"))
        .arg("--proof-path")
        .arg(w.p("proof.json"))
        .arg("--output-dir")
        .arg(w.p("contract"))
        .assert()
        .success();
    let v: serde_json::Value = serde_json::from_slice(&out.get_output().stdout).unwrap();
    assert_eq!(v["accepted"], true);
    assert_eq!(v["tampered_rejected"], true);
    assert_eq!(v["non_canonical_rejected"], true);
    assert!(
        w.p("contract/Verifier.sol").is_file() && w.p("contract/Verifier.runtime.bin").is_file()
    );
}

/// Bytes after a valid proof: the deployed verifier reverts (its calldata-length check), and
/// `submit-proof` and `verify-evm` refuse the file before sending it, as `verify` does.
#[test]
fn bytes_appended_to_a_proof_revert_in_the_verifier_and_are_not_sent() {
    let w = world();
    pinned_solc();
    let chain = Chain::connect(&w.anvil.url)
        .unwrap()
        .with_signer(Some(DEV_KEYS[0]))
        .unwrap();
    let verifier = w.address.parse().unwrap();
    let proof = artifacts::read_proof(&w.p("proof.json")).unwrap();
    let honest = evm::calldata(&proof).unwrap();
    assert!(chain.call(verifier, &honest).unwrap());
    for extra in [1, 32, 3000] {
        let mut long = honest.clone();
        long.extend((0..extra).map(|i| i as u8));
        assert!(
            !chain.call(verifier, &long).unwrap(),
            "+{extra} bytes accepted"
        );
        let mined = chain.submit(verifier, &long, 2_000_000).unwrap();
        assert!(
            !mined.success,
            "a transaction with {extra} bytes more was accepted"
        );
        // the proof file with those bytes appended: refused before sending
        let mut appended = proof.clone();
        appended.proof.extend((0..extra).map(|i| i as u8));
        let name = format!("appended{extra}.json");
        artifacts::write_proof(&w.p(&name), &appended).unwrap();
        for cmd in ["submit-proof", "verify-evm"] {
            for check in [
                compiled(&w),
                vec![
                    "--deployment-path".into(),
                    w.p("deployment.json").display().to_string(),
                ],
            ] {
                to(&w, cmd, &name, &w.address, &[])
                    .args(&check)
                    .assert()
                    .code(2)
                    .stderr(
                        contains("not sent")
                            .and(contains(format!("{extra} bytes follow the proof"))),
                    );
            }
        }
        zg().arg("verify")
            .arg("-s")
            .arg(w.p("kzg.srs"))
            .arg("-v")
            .arg(w.p("tiny.vk"))
            .arg("--proof-path")
            .arg(w.p(&name))
            .assert()
            .code(2)
            .stderr(contains(format!("{extra} bytes follow the proof")));
    }
    // a byte short reverts too
    assert!(!chain.call(verifier, &honest[..honest.len() - 1]).unwrap());
    // without the length check the same verifier accepts the longer calldata: the check is
    // what stops it; measure what it costs
    let srs = artifacts::read_srs(&w.p("kzg.srs")).unwrap();
    let (vk, meta) = artifacts::read_vk(&w.p("tiny.vk")).unwrap();
    let sol = evm::verifier_solidity(&srs, &vk, &meta).unwrap();
    let start = sol.find(evm::LENGTH_CHECK_MARKER).unwrap();
    let end = start + sol[start..].find("revert(0, 0) }\n").unwrap() + "revert(0, 0) }\n".len();
    let unchecked = format!("{}{}", &sol[..start], &sol[end..]);
    let unchecked = evm::compile(&unchecked, evm::VERIFIER_CONTRACT).unwrap();
    let checked = evm::compile(&sol, evm::VERIFIER_CONTRACT).unwrap();
    let mut long = honest.clone();
    long.push(0);
    let with = evm::dry_run(&checked.creation, &[honest.clone(), long.clone()]).unwrap();
    let without = evm::dry_run(&unchecked.creation, &[honest, long]).unwrap();
    assert!(with[0].accepted && !with[1].accepted);
    assert!(without[0].accepted && without[1].accepted);
    eprintln!(
        "calldata-length check: {} -> {} bytes, {} -> {} gas",
        without[0].runtime_bytes, with[0].runtime_bytes, without[0].verify_gas, with[0].verify_gas
    );
    assert!(with[0].verify_gas - without[0].verify_gas < 100);
}

/// `submit-proof --deployment-path` takes the contract's address from the record; an
/// address that contradicts the record is refused.
#[test]
fn submit_proof_takes_the_address_from_the_deployment_record() {
    let w = world();
    let rec = w.p("deployment.json");
    for cmd in ["submit-proof", "verify-evm"] {
        zg().args([cmd, "--proof-path"])
            .arg(w.p("proof.json"))
            .args(["--rpc-url", &w.anvil.url, "--deployment-path"])
            .arg(&rec)
            .assert()
            .success()
            .stdout(contains("proof accepted").or(contains("proof valid")));
        zg().args([cmd, "--proof-path"])
            .arg(w.p("proof.json"))
            .args(["--rpc-url", &w.anvil.url, "--deployment-path"])
            .arg(&rec)
            .args([
                "--contract-address",
                "0x00000000000000000000000000000000000000aa",
            ])
            .assert()
            .code(2)
            .stderr(contains("the deployment record is for contract"));
    }
}
