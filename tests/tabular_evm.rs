//! The bundled 3-class penguins model (a LUT network), 2-class breast-cancer model and the
//! full-penguins model (text columns and empty cells in the row proven) on a real anvil:
//! the compact verifier fits EIP-170, an honest proof of a row of features is accepted in a
//! transaction and by eth_call, a tampered one reverts; and `dry-run-evm-verifier` proves
//! from `--features` itself.

mod common;
use common::anvil::*;
use common::*;
use predicates::str::contains;
use std::path::Path;
use zero_g::proving::artifacts;

const PENGUIN_CHINSTRAP: &str = "53.5,19.9,205,4500";
/// A Gentoo row of the full penguins table: text cells and empty cells.
const PENGUIN_FULL_GENTOO: &str = "Biscoe,47.3,13.8,216,4725,NA,2009";
const BREAST_BENIGN: &str = "14.95,18.77,97.84,689.5,0.08138,0.1167,0.0905,0.03562,0.1744,0.06493,0.422,1.909,3.271,39.43,0.00579,0.04877,0.05303,0.01527,0.03356,0.009368,16.25,25.47,107.1,809.7,0.0997,0.2521,0.25,0.08405,0.2852,0.09218";

/// Keys (compact layout), a proof of `features`, the verifier deployed on `anvil`; then
/// submit-proof and verify-evm accept it and a flipped byte reverts.
fn on_chain(anvil: &Anvil, model: &Path, features: &str, class: usize) {
    let dir = tempfile::tempdir().unwrap();
    let p = |n: &str| dir.path().join(n);
    cli_keys(dir.path(), "t", model, 11, &["--layout", "compact"]);
    zg().args(["-q", "proof", "--features", features, "-m"])
        .arg(model)
        .arg("-s")
        .arg(p("t.srs"))
        .arg("--pk-path")
        .arg(p("t.pk"))
        .arg("--proof-path")
        .arg(p("proof.json"))
        .assert()
        .success()
        .stdout(contains(format!("class {class}, scores")));
    let out = zg()
        .args(["deploy-evm-verifier", "--json", "-s"])
        .arg(p("t.srs"))
        .arg("-v")
        .arg(p("t.vk"))
        .args(["--rpc-url", &anvil.url, "--deployment-path"])
        .arg(p("deployment.json"))
        .assert()
        .success();
    let rec: serde_json::Value = serde_json::from_slice(&out.get_output().stdout).unwrap();
    assert!(rec["runtime_bytes"].as_u64().unwrap() <= 24_576);
    let address = rec["address"].as_str().unwrap().to_string();
    let send = |cmd: &str, proof: &str| {
        zg().args([cmd, "--proof-path"])
            .arg(p(proof))
            .args(["--contract-address", &address, "--rpc-url", &anvil.url])
            .arg("--deployment-path")
            .arg(p("deployment.json"))
            .assert()
    };
    send("submit-proof", "proof.json")
        .success()
        .stdout(contains("proof accepted on chain 31337"));
    send("verify-evm", "proof.json")
        .success()
        .stdout(contains("proof valid"));
    let mut bad = artifacts::read_proof(&p("proof.json")).unwrap();
    let n = bad.proof.len();
    bad.proof[n / 2] ^= 1;
    artifacts::write_proof(&p("bad.json"), &bad).unwrap();
    send("submit-proof", "bad.json").code(1);
    send("verify-evm", "bad.json").code(1);
    // the in-process EVM, proving from the features itself
    let out = zg()
        .args([
            "-q",
            "dry-run-evm-verifier",
            "--json",
            "--features",
            features,
            "-m",
        ])
        .arg(model)
        .arg("-s")
        .arg(p("t.srs"))
        .arg("--pk-path")
        .arg(p("t.pk"))
        .assert()
        .success();
    let v: serde_json::Value = serde_json::from_slice(&out.get_output().stdout).unwrap();
    assert_eq!(v["accepted"], true);
    assert_eq!(v["tampered_rejected"], true);
    assert_eq!(v["within_eip170"], true);
}

#[test]
fn tabular_models_verify_on_chain() {
    let anvil = start_anvil();
    on_chain(&anvil, &bundled("penguins.hdf5"), PENGUIN_CHINSTRAP, 1);
    on_chain(&anvil, &bundled("breast_cancer.hdf5"), BREAST_BENIGN, 0);
    on_chain(
        &anvil,
        &bundled("penguins_full.hdf5"),
        PENGUIN_FULL_GENTOO,
        2,
    );
}
