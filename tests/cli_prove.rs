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
    // the default statement does not publish the model digest: the file does not claim it
    assert!(v.get("model_digest").is_none());
    assert_eq!(v["format"], "zero_g-proof/v3");
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

/// A copy of the artifacts' SRS with `alter` applied.
fn altered_srs(dir: &Path, name: &str, alter: impl FnOnce(&mut Vec<u8>)) -> PathBuf {
    let mut bytes = std::fs::read(&artifacts().srs).unwrap();
    alter(&mut bytes);
    let p = dir.join(name);
    std::fs::write(&p, bytes).unwrap();
    p
}

#[test]
fn bad_or_foreign_srs_is_exit_2() {
    let a = artifacts();
    let dir = tempfile::tempdir().unwrap();
    let n = 1usize << 12;
    let zeroed_g2 = altered_srs(dir.path(), "g2.srs", |b| b[4 + 2 * n * 64..].fill(0));
    verify(&zeroed_g2, &a.vk, &a.proof)
        .code(2)
        .stderr(contains("g2 is not the standard BN254 G2 generator"))
        .stdout(contains("proof valid").not());
    // nor is a verifier built from it: the dry run and the deployment stop before any code
    zg().args(["-q", "dry-run-evm-verifier", "-s"])
        .arg(&zeroed_g2)
        .arg("-v")
        .arg(&a.vk)
        .arg("--proof-path")
        .arg(&a.proof)
        .assert()
        .code(2)
        .stderr(contains("g2 is not the standard BN254 G2 generator"))
        .stdout(contains("accepted").not());
    zg().args([
        "-q",
        "deploy-evm-verifier",
        "--rpc-url",
        "http://127.0.0.1:9",
        "-s",
    ])
    .arg(&zeroed_g2)
    .arg("-v")
    .arg(&a.vk)
    .arg("--deployment-path")
    .arg(dir.path().join("d.json"))
    .assert()
    .code(2)
    .stderr(contains("g2 is not the standard BN254 G2 generator"));
    let bad_g1 = altered_srs(dir.path(), "g1.srs", |b| b[4 + 100 * 64 + 5] ^= 0x10);
    verify(&bad_g1, &a.vk, &a.proof)
        .code(2)
        .stderr(contains("g point 100 is not a valid point of the curve"));
    zg().args(["-q", "generate-keys", "-m"])
        .arg(reference(TINY))
        .arg("-s")
        .arg(&bad_g1)
        .arg("-v")
        .arg(dir.path().join("x.vk"))
        .arg("-p")
        .arg(dir.path().join("x.pk"))
        .assert()
        .code(2)
        .stderr(contains("g point 100 is not a valid point").and(contains("panicked").not()));
    // another setup of the same k: a mismatch, not an invalid proof
    let other = dir.path().join("other.srs");
    zg().args(["-q", "generate-srs", "--seed", "8", "-k", "12", "-s"])
        .arg(&other)
        .assert()
        .success();
    verify(&other, &a.vk, &a.proof)
        .code(2)
        .stderr(contains("the SRS is not the one the keys were made with"));
    let proof = dir.path().join("p.json");
    zg().args(["-q", "proof", "-m"])
        .arg(reference(TINY))
        .arg("-i")
        .arg(reference(DIGIT7))
        .arg("-s")
        .arg(&other)
        .arg("--pk-path")
        .arg(&a.pk)
        .arg("--proof-path")
        .arg(&proof)
        .assert()
        .code(2)
        .stderr(contains("the SRS is not the one the keys were made with"));
    assert!(!proof.exists(), "no proof that could never verify");
}

#[test]
fn verify_refuses_what_the_statement_does_not_publish() {
    let a = artifacts();
    type Edit = Box<dyn FnOnce(&mut serde_json::Value)>;
    let cases: [(&str, Edit); 6] = [
        (
            "claims a model digest, which its statement (`scores`) does not publish",
            Box::new(|v| v["model_digest"] = "ab".repeat(32).into()),
        ),
        (
            "claims image 0: a commitment",
            Box::new(|v| v["images"][0]["commitment"] = format!("0x{}", "01".repeat(32)).into()),
        ),
        (
            "claims a bound value",
            Box::new(|v| v["bound_to"] = format!("0x{}", "02".repeat(32)).into()),
        ),
        (
            "the proof file says k = 11, but the key's circuit has k = 12",
            Box::new(|v| v["k"] = 11.into()),
        ),
        (
            "bytes follow the proof",
            Box::new(|v| {
                let s = v["proof"].as_str().unwrap().to_string();
                v["proof"] = format!("{s}{}", "00".repeat(64)).into();
            }),
        ),
        (
            "unknown field `score`",
            Box::new(|v| v["images"][0]["score"] = 3.into()),
        ),
    ];
    for (message, edit) in cases {
        let (_d, p) = tampered(edit);
        verify(&a.srs, &a.vk, &p)
            .code(2)
            .stderr(contains(message))
            .stdout(contains("proof valid").not());
    }
    // fingerprints of any shape are errors, not panics
    for fp in [format!("a{}", "é".repeat(30)), "a".into()] {
        let (_d, p) = tampered(|v| v["vk_fingerprint"] = fp.into());
        verify(&a.srs, &a.vk, &p).code(2).stderr(
            contains("vk_fingerprint is not a SHA-256 digest").and(contains("panicked").not()),
        );
    }
}

#[test]
fn verify_prints_the_checked_instances_and_can_check_the_model() {
    let a = artifacts();
    let out = zg()
        .args(["verify", "--json", "-s"])
        .arg(&a.srs)
        .arg("-v")
        .arg(&a.vk)
        .arg("--proof-path")
        .arg(&a.proof)
        .arg("--model-path")
        .arg(reference(TINY))
        .assert()
        .success();
    let v: serde_json::Value = serde_json::from_slice(&out.get_output().stdout).unwrap();
    assert_eq!(v["valid"], true);
    assert_eq!(v["model_checked"], true);
    assert_eq!(
        v["images"][0]["scores"],
        serde_json::json!([9, 6, 13, 10, 17, 10, 9, 26, 11, 16])
    );
    assert!(v["model_digest"].is_null() && v["bound_to"].is_null());
    verify(&a.srs, &a.vk, &a.proof)
        .success()
        .stdout(contains("model digest").not());
    zg().arg("verify")
        .arg("-s")
        .arg(&a.srs)
        .arg("-v")
        .arg(&a.vk)
        .arg("--proof-path")
        .arg(&a.proof)
        .arg("-m")
        .arg(reference(SMALL))
        .assert()
        .code(2)
        .stderr(contains("checking the verifying key against").and(contains("model")))
        .stdout(contains("proof valid").not());
    // the deployment of a verifier is refused the same way, before any chain is contacted
    zg().args(["deploy-evm-verifier", "-s"])
        .arg(&a.srs)
        .arg("-v")
        .arg(&a.vk)
        .args(["--rpc-url", "http://127.0.0.1:9"])
        .arg("--model-path")
        .arg(reference(SMALL))
        .assert()
        .code(2)
        .stderr(contains("checking the verifying key against"));
}

#[test]
fn fifos_are_refused_as_proofs_keys_srs_and_openings() {
    let a = artifacts();
    let dir = tempfile::tempdir().unwrap();
    let fifo = dir.path().join("fifo");
    let made = std::process::Command::new("mkfifo")
        .arg(&fifo)
        .status()
        .is_ok_and(|s| s.success());
    if !made {
        eprintln!("mkfifo unavailable: skipped");
        return;
    }
    let limit = std::time::Duration::from_secs(60);
    for (srs, vk, proof) in [
        (&fifo, &a.vk, &a.proof),
        (&a.srs, &fifo, &a.proof),
        (&a.srs, &a.vk, &fifo),
    ] {
        zg().arg("verify")
            .arg("-s")
            .arg(srs)
            .arg("-v")
            .arg(vk)
            .arg("--proof-path")
            .arg(proof)
            .timeout(limit)
            .assert()
            .code(2)
            .stderr(contains("not a regular file"));
    }
    zg().args(["-q", "proof", "-m"])
        .arg(reference(TINY))
        .arg("-i")
        .arg(reference(DIGIT7))
        .arg("-s")
        .arg(&a.srs)
        .arg("--pk-path")
        .arg(&fifo)
        .arg("--proof-path")
        .arg(dir.path().join("p.json"))
        .timeout(limit)
        .assert()
        .code(2)
        .stderr(contains("not a regular file"));
    let e = zero_g::proving::artifacts::read_openings(&fifo).unwrap_err();
    assert!(format!("{e:?}").contains("not a regular file"), "{e:?}");
    zg().args(["generate-srs", "--from-params"])
        .arg(&fifo)
        .args(["-k", "4", "-s"])
        .arg(dir.path().join("s.srs"))
        .timeout(limit)
        .assert()
        .code(2)
        .stderr(contains("not a regular file"));
}

#[test]
fn keys_are_written_both_or_neither() {
    let a = artifacts();
    let dir = tempfile::tempdir().unwrap();
    let vk = dir.path().join("k.vk");
    std::fs::write(&vk, b"the previous key").unwrap();
    // the proving key cannot be written: the verifying key is left as it was
    zg().args(["-q", "generate-keys", "-m"])
        .arg(reference(TINY))
        .arg("-s")
        .arg(&a.srs)
        .arg("-v")
        .arg(&vk)
        .arg("-p")
        .arg(dir.path().join("no/such/dir/k.pk"))
        .assert()
        .code(2)
        .stderr(contains("k.pk"));
    assert_eq!(std::fs::read(&vk).unwrap(), b"the previous key");
    let names: Vec<_> = std::fs::read_dir(dir.path()).unwrap().flatten().collect();
    assert_eq!(names.len(), 1, "no temporary file is left: {names:?}");
    zg().args(["-q", "generate-keys", "-m"])
        .arg(reference(TINY))
        .arg("-s")
        .arg(&a.srs)
        .arg("-v")
        .arg(&vk)
        .arg("-p")
        .arg(&vk)
        .assert()
        .code(2)
        .stderr(contains("the same file"));
}

#[test]
fn a_proof_cut_short_is_refused_naming_the_lengths() {
    let a = artifacts();
    let (_d, p) = tampered(|v| {
        let s = v["proof"].as_str().unwrap().to_string();
        v["proof"] = s[..s.len() - 64].to_string().into();
    });
    verify(&a.srs, &a.vk, &p)
        .code(2)
        .stderr(contains("the proof is cut short"))
        .stdout(contains("proof valid").not());
}

#[test]
fn a_kill_between_the_key_renames_leaves_keys_that_are_refused_not_mixed() {
    let a = artifacts();
    let dir = tempfile::tempdir().unwrap();
    let (vk, pk) = (dir.path().join("k.vk"), dir.path().join("k.pk"));
    std::fs::copy(&a.vk, &vk).unwrap();
    std::fs::copy(&a.pk, &pk).unwrap();
    let keygen = |failpoint: Option<&str>| {
        let mut c = zg();
        c.args(["-q", "generate-keys", "--public", "class", "-m"])
            .arg(reference(TINY))
            .arg("-s")
            .arg(&a.srs)
            .arg("--vk-path")
            .arg(&vk)
            .arg("--pk-path")
            .arg(&pk);
        if let Some(f) = failpoint {
            c.env("ZERO_G_FAILPOINT", f);
        }
        c.assert()
    };
    // killed after the proving key is renamed into place, before the verifying key is
    let out = keygen(Some("write_atomic_all:between-renames")).failure();
    assert!(
        out.get_output().status.code().is_none(),
        "killed by a signal"
    );
    // the new proving key and the old verifying key are there; neither is read
    for (flag, path) in [("--pk-path", &pk), ("-v", &vk)] {
        let cmd = if flag == "-v" { "verify" } else { "proof" };
        let mut c = zg();
        c.arg(cmd).arg("-s").arg(&a.srs).arg(flag).arg(path);
        if cmd == "proof" {
            c.arg("-m")
                .arg(reference(TINY))
                .arg("-i")
                .arg(reference(DIGIT7))
                .arg("--proof-path")
                .arg(dir.path().join("p.json"));
        } else {
            c.arg("--proof-path").arg(&a.proof);
        }
        c.assert()
            .code(2)
            .stderr(contains("was stopped while replacing it"))
            .stderr(contains("generate-keys"));
    }
    // running the command again repairs the pair and removes what the killed run left
    keygen(None).success();
    let left: Vec<_> = std::fs::read_dir(dir.path())
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    assert_eq!(left.len(), 2, "{left:?}");
    zg().args(["-q", "proof", "-m"])
        .arg(reference(TINY))
        .arg("-i")
        .arg(reference(DIGIT7))
        .arg("-s")
        .arg(&a.srs)
        .arg("--pk-path")
        .arg(&pk)
        .arg("--proof-path")
        .arg(dir.path().join("p.json"))
        .assert()
        .success();
    verify(&a.srs, &vk, &dir.path().join("p.json"))
        .success()
        .stdout(contains("proof valid"));
}

/// A `solc` that exits before reading its input (not installed, a broken setup) is reported
/// with its own message and exit 2 — never a silent death by SIGPIPE — and no verifier is
/// written.
#[cfg(unix)]
#[test]
fn a_solc_that_fails_before_reading_is_reported_not_fatal() {
    use std::os::unix::fs::PermissionsExt;
    let a = artifacts();
    let dir = tempfile::tempdir().unwrap();
    let fake = dir.path().join("solc");
    std::fs::write(
        &fake,
        "#!/bin/sh\necho 'error: solcjs is not installed: run npm ci' >&2\nexit 2\n",
    )
    .unwrap();
    std::fs::set_permissions(&fake, std::fs::Permissions::from_mode(0o755)).unwrap();
    let out = dir.path().join("verifier");
    zg().env("ZERO_G_SOLC", &fake)
        .args(["-q", "generate-evm-verifier", "-s"])
        .arg(&a.srs)
        .arg("-v")
        .arg(&a.vk)
        .arg("--output-dir")
        .arg(&out)
        .assert()
        .code(2)
        .stderr(contains("solcjs is not installed"));
    assert!(!out.join("Verifier.bin").exists());
    zg().env("ZERO_G_SOLC", &fake)
        .args(["-q", "dry-run-evm-verifier", "-s"])
        .arg(&a.srs)
        .arg("-v")
        .arg(&a.vk)
        .arg("--proof-path")
        .arg(&a.proof)
        .assert()
        .code(2)
        .stderr(contains("solcjs is not installed"));
}
