//! End to end on a real anvil (the npm `@foundry-rs/anvil` binary): deploy the verifier,
//! submit an honest proof (accepted), a proof with a flipped byte and one with a changed
//! score (both revert on chain), check with eth_call, and every error path.

mod common;
use common::anvil::*;
use common::*;
use predicates::str::contains;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex, OnceLock};
use zero_g::circuit::{ImageInput, Layout, Statement};
use zero_g::data::load_image_for;
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

fn submit(w: &World, proof: &Path) -> assert_cmd::assert::Assert {
    zg().args(["submit-proof", "--proof-path"])
        .arg(proof)
        .args(["--contract-address", &w.address, "--rpc-url", &w.anvil.url])
        .assert()
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
    zg().args(["submit-proof", "--proof-path"])
        .arg(w.p("proof.json"))
        .args([
            "--contract-address",
            "0x000000000000000000000000000000000000dEaD",
            "--rpc-url",
            &w.anvil.url,
        ])
        .assert()
        .code(2)
        .stderr(contains("there is no contract at"));
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
    assert!(
        w.p("contract/Verifier.sol").is_file() && w.p("contract/Verifier.runtime.bin").is_file()
    );
}
