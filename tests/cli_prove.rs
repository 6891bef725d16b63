//! `mock-proof`, `generate-srs`, `generate-keys`, `proof` and `verify` through the binary.

mod common;
use assert_cmd::Command;
use common::*;
use predicates::prelude::*;
use predicates::str::contains;
use std::path::{Path, PathBuf};
use std::sync::OnceLock;

fn zg() -> Command {
    Command::cargo_bin("zero_g").unwrap()
}

/// SRS, keys and a proof for the reference Tiny model, made once through the CLI.
struct Artifacts {
    _dir: tempfile::TempDir,
    srs: PathBuf,
    vk: PathBuf,
    pk: PathBuf,
    proof: PathBuf,
}

fn artifacts() -> &'static Artifacts {
    static A: OnceLock<Artifacts> = OnceLock::new();
    A.get_or_init(|| {
        let dir = tempfile::tempdir().unwrap();
        let p = |n: &str| dir.path().join(n);
        zg().args(["-q", "generate-srs", "--seed", "7", "--model-path"])
            .arg(reference(TINY))
            .arg("--srs-path")
            .arg(p("kzg.srs"))
            .assert()
            .success()
            .stderr(contains("can forge proofs"));
        zg().args(["-q", "generate-keys", "-m"])
            .arg(reference(TINY))
            .arg("-s")
            .arg(p("kzg.srs"))
            .arg("--vk-path")
            .arg(p("tiny.vk"))
            .arg("--pk-path")
            .arg(p("tiny.pk"))
            .arg("--circuit-params-path")
            .arg(p("circuit.json"))
            .assert()
            .success()
            .stdout(contains("vk fingerprint:"));
        let meta: serde_json::Value =
            serde_json::from_slice(&std::fs::read(p("circuit.json")).unwrap()).unwrap();
        assert_eq!(meta["circuit"]["k"], 12);
        zg().args(["-q", "proof", "-m"])
            .arg(reference(TINY))
            .arg("-i")
            .arg(reference(DIGIT7))
            .arg("-s")
            .arg(p("kzg.srs"))
            .arg("--pk-path")
            .arg(p("tiny.pk"))
            .arg("--proof-path")
            .arg(p("proof.json"))
            .assert()
            .success()
            .stdout(contains(
                "class 7, scores [9, 6, 13, 10, 17, 10, 9, 26, 11, 16]",
            ));
        Artifacts {
            srs: p("kzg.srs"),
            vk: p("tiny.vk"),
            pk: p("tiny.pk"),
            proof: p("proof.json"),
            _dir: dir,
        }
    })
}

fn verify(srs: &Path, vk: &Path, proof: &Path) -> assert_cmd::assert::Assert {
    zg().arg("verify")
        .arg("-s")
        .arg(srs)
        .arg("-v")
        .arg(vk)
        .arg("--proof-path")
        .arg(proof)
        .assert()
}

#[test]
fn proof_file_is_readable() {
    let a = artifacts();
    let v: serde_json::Value = serde_json::from_slice(&std::fs::read(&a.proof).unwrap()).unwrap();
    assert_eq!(
        v["images"][0]["scores"],
        serde_json::json!([9, 6, 13, 10, 17, 10, 9, 26, 11, 16])
    );
    assert_eq!(v["images"][0]["class"], 7);
    assert_eq!(v["statement"]["public"], "scores");
    assert!(v["images"][0].get("commitment").is_none());
    assert_eq!(v["k"], 12);
    assert!(v["proof"].as_str().unwrap().starts_with("0x"));
    assert_eq!(v["model_digest"].as_str().unwrap().len(), 64);
    assert_eq!(v["vk_fingerprint"].as_str().unwrap().len(), 64);
}

#[test]
fn verify_valid_is_exit_0() {
    let a = artifacts();
    verify(&a.srs, &a.vk, &a.proof)
        .success()
        .stdout(contains("proof valid"));
    let out = zg()
        .arg("verify")
        .arg("--json")
        .arg("-s")
        .arg(&a.srs)
        .arg("-v")
        .arg(&a.vk)
        .arg("--proof-path")
        .arg(&a.proof)
        .assert()
        .success();
    let v: serde_json::Value = serde_json::from_slice(&out.get_output().stdout).unwrap();
    assert_eq!(v["valid"], true);
}

fn tampered(f: impl FnOnce(&mut serde_json::Value)) -> (tempfile::TempDir, PathBuf) {
    let a = artifacts();
    let mut v: serde_json::Value =
        serde_json::from_slice(&std::fs::read(&a.proof).unwrap()).unwrap();
    f(&mut v);
    let dir = tempfile::tempdir().unwrap();
    let p = dir.path().join("bad.json");
    std::fs::write(&p, serde_json::to_vec(&v).unwrap()).unwrap();
    (dir, p)
}

#[test]
fn changed_score_is_invalid_exit_1() {
    let a = artifacts();
    let (_d, p) = tampered(|v| v["images"][0]["scores"][0] = 10.into());
    verify(&a.srs, &a.vk, &p)
        .code(1)
        .stdout(contains("proof INVALID"));
}

#[test]
fn flipped_proof_byte_is_invalid_exit_1() {
    let a = artifacts();
    let (_d, p) = tampered(|v| {
        let s = v["proof"].as_str().unwrap().to_string();
        let mut b = s.into_bytes();
        let i = b.len() / 2;
        b[i] = if b[i] == b'0' { b'1' } else { b'0' };
        v["proof"] = String::from_utf8(b).unwrap().into();
    });
    verify(&a.srs, &a.vk, &p)
        .code(1)
        .stdout(contains("proof INVALID"));
}

#[test]
fn malformed_or_mismatched_inputs_are_exit_2() {
    let a = artifacts();
    let (_d, p) = tampered(|v| v["proof"] = "0xzz".into());
    verify(&a.srs, &a.vk, &p)
        .code(2)
        .stderr(contains("not a zero_g proof file"));
    let (_d, p) = tampered(|v| v["vk_fingerprint"] = "ab".repeat(32).into());
    verify(&a.srs, &a.vk, &p)
        .code(2)
        .stderr(contains("made for verifying key"));
    // the proving key is not a verifying key… but it is a key file: its vk fingerprint matches
    // and verification works; a text file is not a key at all
    let dir = tempfile::tempdir().unwrap();
    let junk = dir.path().join("junk");
    std::fs::write(&junk, b"junk").unwrap();
    verify(&a.srs, &junk, &a.proof)
        .code(2)
        .stderr(contains("not a zero_g verifying key file"));
    verify(&junk, &a.vk, &a.proof)
        .code(2)
        .stderr(contains("not a KZG parameter file"));
    verify(&a.srs, &a.vk, &dir.path().join("missing.json"))
        .code(2)
        .stderr(contains("missing.json"))
        .stderr(contains("panicked").not());
    // a corrupted verifying key
    let bad_vk = dir.path().join("bad.vk");
    let mut bytes = std::fs::read(&a.vk).unwrap();
    let n = bytes.len();
    bytes[n - 3] ^= 0x40;
    std::fs::write(&bad_vk, &bytes).unwrap();
    verify(&a.srs, &bad_vk, &a.proof)
        .code(2)
        .stderr(contains("checksum mismatch"));
}

#[test]
fn proving_with_another_model_is_exit_2() {
    let a = artifacts();
    let dir = tempfile::tempdir().unwrap();
    zg().args(["-q", "proof", "-m"])
        .arg(reference(SMALL))
        .arg("-i")
        .arg(reference(DIGIT7))
        .arg("-s")
        .arg(&a.srs)
        .arg("--pk-path")
        .arg(&a.pk)
        .arg("--proof-path")
        .arg(dir.path().join("p.json"))
        .assert()
        .code(2)
        .stderr(contains("the keys were generated for model"));
    assert!(
        !dir.path().join("p.json").exists(),
        "nothing written on failure"
    );
}

#[test]
fn too_small_srs_is_exit_2() {
    let dir = tempfile::tempdir().unwrap();
    let srs = dir.path().join("k4.srs");
    zg().args(["-q", "generate-srs", "-k", "4", "--seed", "1", "--srs-path"])
        .arg(&srs)
        .assert()
        .success();
    zg().args(["-q", "generate-keys", "-m"])
        .arg(reference(TINY))
        .arg("-s")
        .arg(&srs)
        .arg("-v")
        .arg(dir.path().join("v"))
        .arg("-p")
        .arg(dir.path().join("p"))
        .assert()
        .code(2)
        .stderr(contains("needs 2^12"));
    zg().args(["generate-srs", "-k", "40", "--srs-path"])
        .arg(&srs)
        .assert()
        .code(2)
        .stderr(contains("out of range"));
}

#[test]
fn mock_proof_reports_rows_and_rejects_small_k() {
    zg().args(["mock-proof", "-m"])
        .arg(reference(SMALL))
        .arg("-i")
        .arg(reference(DIGIT7))
        .assert()
        .success()
        .stdout(
            contains("k:       12")
                .and(contains("all constraints satisfied"))
                .and(contains("class 7, scores [17, 13")),
        );
    let out = zg()
        .args(["mock-proof", "--json", "-m"])
        .arg(reference(TINY))
        .arg("-i")
        .arg(reference(DIGIT7))
        .assert()
        .success();
    let v: serde_json::Value = serde_json::from_slice(&out.get_output().stdout).unwrap();
    assert_eq!(v["satisfied"], true);
    assert_eq!(v["lookups"], 1);
    zg().args(["mock-proof", "-k", "9", "-m"])
        .arg(reference(TINY))
        .arg("-i")
        .arg(reference(DIGIT7))
        .assert()
        .code(2)
        .stderr(contains("k = 9 is too small"));
}
