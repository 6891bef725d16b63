//! KZG parameters imported from a real snarkjs powers-of-tau ceremony (`generate-srs
//! --from-ptau`) prove and verify natively and on chain; halo2 parameter files of a larger k
//! (`--from-params`, raw or compressed) downsize exactly; every malformed, forged or
//! mismatched file is refused with exit 2 and its own message.

mod common;
use common::anvil::*;
use common::*;
use halo2_proofs::halo2curves::bn256::{G1Affine, G1};
use halo2_proofs::halo2curves::group::Curve;
use halo2_proofs::halo2curves::serde::SerdeObject;
use halo2_proofs::SerdeFormat;
use predicates::prelude::*;
use predicates::str::contains;
use std::path::{Path, PathBuf};
use std::sync::OnceLock;
use std::time::Instant;
use zero_g::circuit::{Layout, Statement};
use zero_g::model::io;
use zero_g::proving::{self, artifacts};

/// A ceremony made once per run: `powersoftau new` (τ = 1) and one contribution.
struct Ceremony {
    dir: tempfile::TempDir,
    /// The Tiny model's k (computed, not assumed).
    k: u32,
    /// The ceremony's power, k + 1.
    power: u32,
    /// `powersoftau new` output: no contribution yet.
    fresh: PathBuf,
    /// After one contribution.
    ptau: PathBuf,
}

impl Ceremony {
    fn p(&self, name: &str) -> PathBuf {
        self.dir.path().join(name)
    }
}

fn snarkjs(args: &[&str]) {
    let bin = root().join("node_modules/.bin/snarkjs");
    assert!(
        bin.is_file(),
        "snarkjs is missing: run `npm ci` (scripts/setup.sh)"
    );
    let out = std::process::Command::new(bin).args(args).output().unwrap();
    assert!(
        out.status.success(),
        "snarkjs {args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
}

fn ceremony() -> &'static Ceremony {
    static C: OnceLock<Ceremony> = OnceLock::new();
    C.get_or_init(|| {
        let model = io::load(&bundled(TINY)).unwrap();
        let k = proving::circuit_params(&model, Layout::Auto, &Statement::default())
            .unwrap()
            .k;
        let power = k + 1;
        let dir = tempfile::tempdir().unwrap();
        let fresh = dir.path().join("fresh.ptau");
        let ptau = dir.path().join("contributed.ptau");
        let start = Instant::now();
        snarkjs(&[
            "powersoftau",
            "new",
            "bn128",
            &power.to_string(),
            fresh.to_str().unwrap(),
        ]);
        snarkjs(&[
            "powersoftau",
            "contribute",
            fresh.to_str().unwrap(),
            ptau.to_str().unwrap(),
            "--name=test",
            "-e=some entropy",
        ]);
        eprintln!(
            "snarkjs: power {power} ceremony in {:.1} s",
            start.elapsed().as_secs_f64()
        );
        Ceremony {
            dir,
            k,
            power,
            fresh,
            ptau,
        }
    })
}

/// Parameters imported from the ceremony for the Tiny model, its keys and a proof, all made
/// through the binary.
struct Flow {
    srs: PathBuf,
    vk: PathBuf,
    proof: PathBuf,
}

fn flow() -> &'static Flow {
    static F: OnceLock<Flow> = OnceLock::new();
    F.get_or_init(|| {
        let c = ceremony();
        let start = Instant::now();
        zg().args(["-q", "generate-srs", "--from-ptau"])
            .arg(&c.ptau)
            .arg("--model-path")
            .arg(bundled(TINY))
            .arg("--srs-path")
            .arg(c.p("kzg.srs"))
            .assert()
            .success()
            .stdout(
                contains(format!("imported 2^{} powers of τ from", c.k))
                    .and(contains(format!(
                        "snarkjs powers-of-tau file: BN254, power {0}, ceremony power {0}, \
                         1 contribution",
                        c.power
                    )))
                    .and(contains(format!("wrote KZG parameters for 2^{} rows", c.k))),
            )
            .stderr(contains("local randomness").not());
        eprintln!(
            "import at k = {}: {:.1} s",
            c.k,
            start.elapsed().as_secs_f64()
        );
        zg().args(["-q", "generate-keys", "-m"])
            .arg(bundled(TINY))
            .arg("-s")
            .arg(c.p("kzg.srs"))
            .arg("--vk-path")
            .arg(c.p("tiny.vk"))
            .arg("--pk-path")
            .arg(c.p("tiny.pk"))
            .assert()
            .success()
            .stdout(contains(format!("(k = {})", c.k)));
        zg().args(["-q", "proof", "-m"])
            .arg(bundled(TINY))
            .arg("-i")
            .arg(reference(DIGIT7))
            .arg("-s")
            .arg(c.p("kzg.srs"))
            .arg("--pk-path")
            .arg(c.p("tiny.pk"))
            .arg("--proof-path")
            .arg(c.p("proof.json"))
            .assert()
            .success()
            .stdout(contains("class 7"));
        Flow {
            srs: c.p("kzg.srs"),
            vk: c.p("tiny.vk"),
            proof: c.p("proof.json"),
        }
    })
}

#[test]
fn ceremony_parameters_prove_and_verify() {
    let f = flow();
    let srs = artifacts::read_srs(&f.srs).unwrap();
    use halo2_proofs::poly::commitment::Params;
    assert_eq!(srs.k(), ceremony().k);
    zg().arg("verify")
        .arg("-s")
        .arg(&f.srs)
        .arg("-v")
        .arg(&f.vk)
        .arg("--proof-path")
        .arg(&f.proof)
        .assert()
        .success()
        .stdout(contains("proof valid"));
    // the keys are bound to these parameters: locally generated ones of the same k are
    // refused as another setup's (not taken for an invalid proof)
    let c = ceremony();
    let local = c.p("local.srs");
    zg().args(["-q", "generate-srs", "--seed", "5", "-k"])
        .arg(c.k.to_string())
        .arg("-s")
        .arg(&local)
        .assert()
        .success()
        .stderr(contains("can forge proofs"));
    zg().arg("verify")
        .arg("-s")
        .arg(&local)
        .arg("-v")
        .arg(&f.vk)
        .arg("--proof-path")
        .arg(&f.proof)
        .assert()
        .code(2)
        .stderr(contains("the SRS is not the one the keys were made with"))
        .stdout(contains("proof INVALID").not());
}

#[test]
fn ceremony_proof_is_accepted_on_chain() {
    let f = flow();
    let c = ceremony();
    let anvil = start_anvil();
    let out = zg()
        .args(["deploy-evm-verifier", "--json", "-s"])
        .arg(&f.srs)
        .arg("-v")
        .arg(&f.vk)
        .args(["--rpc-url", &anvil.url, "--deployment-path"])
        .arg(c.p("deployment.json"))
        .assert()
        .success();
    let rec: serde_json::Value = serde_json::from_slice(&out.get_output().stdout).unwrap();
    let address = rec["address"].as_str().unwrap().to_string();
    zg().args(["submit-proof", "--proof-path"])
        .arg(&f.proof)
        .args(["--contract-address", &address, "--rpc-url", &anvil.url])
        .arg("--deployment-path")
        .arg(c.p("deployment.json"))
        .assert()
        .success()
        .stdout(contains("proof accepted on chain 31337"));
}

/// `generate-srs` from `flag file` at `k`: exit 2 with `message`, nothing written.
fn refused(flag: &str, file: &Path, k: u32, message: impl Predicate<str>) {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("out.srs");
    zg().args(["generate-srs", flag])
        .arg(file)
        .arg("-k")
        .arg(k.to_string())
        .arg("-s")
        .arg(&out)
        .assert()
        .code(2)
        .stderr(
            message
                .and(contains(file.to_str().unwrap()))
                .and(contains("panicked").not()),
        );
    assert!(!out.exists(), "nothing is written on failure");
}

/// Byte offset of section `id`'s body in a ptau file.
fn section(bytes: &[u8], id: u32) -> usize {
    let u32_at = |i: usize| u32::from_le_bytes(bytes[i..i + 4].try_into().unwrap());
    let mut pos = 12;
    for _ in 0..u32_at(8) {
        let size = u64::from_le_bytes(bytes[pos + 4..pos + 12].try_into().unwrap()) as usize;
        if u32_at(pos) == id {
            return pos + 12;
        }
        pos += 12 + size;
    }
    panic!("no section {id}")
}

#[test]
fn bad_ceremony_files_are_refused() {
    let c = ceremony();
    let bytes = std::fs::read(&c.ptau).unwrap();
    let tau_g1 = section(&bytes, 2);
    // check the encoding: the first tauG1 point is the generator in halo2curves' raw form
    assert_eq!(
        &bytes[tau_g1..tau_g1 + 64],
        G1Affine::generator().to_raw_bytes().as_slice()
    );

    let truncated = c.p("truncated.ptau");
    std::fs::write(&truncated, &bytes[..tau_g1 + 1000]).unwrap();
    refused(
        "--from-ptau",
        &truncated,
        c.k,
        contains("truncated: section 2 (tauG1) would end at byte"),
    );

    // another valid point (2·G1) in place of τ^5·G1: on the curve, so only the pairing check
    // can notice
    let mut forged = bytes.clone();
    let two_g = (G1::generator() + G1::generator()).to_affine();
    forged[tau_g1 + 5 * 64..tau_g1 + 6 * 64].copy_from_slice(&two_g.to_raw_bytes());
    let forged_path = c.p("forged.ptau");
    std::fs::write(&forged_path, &forged).unwrap();
    refused(
        "--from-ptau",
        &forged_path,
        c.k,
        contains("the powers of τ are inconsistent"),
    );
    // the same byte flipped instead: off the curve
    let mut off = bytes.clone();
    off[tau_g1 + 5 * 64 + 7] ^= 1;
    let off_path = c.p("off.ptau");
    std::fs::write(&off_path, &off).unwrap();
    refused(
        "--from-ptau",
        &off_path,
        c.k,
        contains("tauG1 point 5 is not a valid point of the curve"),
    );

    refused(
        "--from-ptau",
        &c.ptau,
        c.power + 1,
        contains(format!(
            "k = {} is above the power of this file, {}",
            c.power + 1,
            c.power
        )),
    );
    refused(
        "--from-ptau",
        &bundled(TINY),
        c.k,
        contains("not a snarkjs powers-of-tau file"),
    );
    refused(
        "--from-ptau",
        &c.fresh,
        c.k,
        contains("τ = 1: these parameters hide no secret"),
    );

    // a BLS12-381 ceremony's header: n8 = 48 and that curve's base-field modulus
    let q = hex::decode(
        "1a0111ea397fe69a4b1ba7b6434bacd764774b84f38512bf6730d2a0f6b0f6241eabfffeb153ffffb9feffffffffaaab",
    )
    .unwrap();
    let mut bls = b"ptau".to_vec();
    bls.extend(1u32.to_le_bytes());
    bls.extend(1u32.to_le_bytes());
    bls.extend(1u32.to_le_bytes());
    bls.extend((4u64 + 48 + 8).to_le_bytes());
    bls.extend(48u32.to_le_bytes());
    bls.extend(q.iter().rev());
    bls.extend(c.power.to_le_bytes());
    bls.extend(c.power.to_le_bytes());
    let bls_path = c.p("bls.ptau");
    std::fs::write(&bls_path, &bls).unwrap();
    refused(
        "--from-ptau",
        &bls_path,
        c.k,
        contains("this ceremony is over BLS12-381 (n8 = 48), not BN254"),
    );

    // random bytes as halo2 parameters, and a ceremony file as halo2 parameters
    let random = c.p("random.srs");
    let noise: Vec<u8> = (0..100_000u32)
        .map(|i| (i.wrapping_mul(2_654_435_761) >> 13) as u8)
        .collect();
    std::fs::write(&random, noise).unwrap();
    refused(
        "--from-params",
        &random,
        c.k,
        contains("not a halo2 KZG parameter file"),
    );
    refused(
        "--from-params",
        &c.ptau,
        c.k,
        contains("not a halo2 KZG parameter file"),
    );

    // both sources at once is a usage error
    zg().args(["generate-srs", "-k", "12", "-s", "x.srs", "--from-ptau"])
        .arg(&c.ptau)
        .arg("--from-params")
        .arg(&c.ptau)
        .assert()
        .code(2)
        .stderr(contains("cannot be used with"));
}

#[test]
fn larger_halo2_parameters_downsize_exactly_raw_or_compressed() {
    let dir = tempfile::tempdir().unwrap();
    let p = |n: &str| dir.path().join(n);
    let model = io::load(&bundled(TINY)).unwrap();
    let k = proving::circuit_params(&model, Layout::Auto, &Statement::default())
        .unwrap()
        .k;
    zg().args(["-q", "generate-srs", "--seed", "1", "-k"])
        .arg((k + 1).to_string())
        .arg("-s")
        .arg(p("big.srs"))
        .assert()
        .success();
    // what `generate-keys` would use from the big file
    let big = artifacts::read_srs(&p("big.srs")).unwrap();
    artifacts::write_srs(&proving::srs_for(&big, k).unwrap(), &p("expected.srs")).unwrap();
    let expected = std::fs::read(p("expected.srs")).unwrap();

    // the same parameters with compressed points (halo2's Processed format)
    let mut compressed = Vec::new();
    big.write_custom(&mut compressed, SerdeFormat::Processed)
        .unwrap();
    assert!(compressed.len() < std::fs::read(p("big.srs")).unwrap().len() / 2 + 200);
    std::fs::write(p("big.processed"), &compressed).unwrap();

    for (file, format) in [("big.srs", "raw"), ("big.processed", "processed")] {
        let out = zg()
            .args(["-q", "generate-srs", "--json", "--from-params"])
            .arg(p(file))
            .arg("-k")
            .arg(k.to_string())
            .arg("-s")
            .arg(p("imported.srs"))
            .assert()
            .success()
            .stderr(contains("local randomness").not());
        let v: serde_json::Value = serde_json::from_slice(&out.get_output().stdout).unwrap();
        assert_eq!(v["k"], k);
        assert_eq!(v["source"]["kind"], "halo2-params");
        assert_eq!(v["source"]["format"], format);
        assert_eq!(v["source"]["k"], k + 1);
        assert!(
            std::fs::read(p("imported.srs")).unwrap() == expected,
            "{file}: the import differs from downsizing"
        );
    }

    // every command reads a compressed file too
    let small = proving::generate_srs(4, Some(2));
    let mut bytes = Vec::new();
    small
        .write_custom(&mut bytes, SerdeFormat::Processed)
        .unwrap();
    std::fs::write(p("small.processed"), &bytes).unwrap();
    let read = artifacts::read_srs(&p("small.processed")).unwrap();
    let (mut a, mut b) = (Vec::new(), Vec::new());
    small.write_custom(&mut a, SerdeFormat::RawBytes).unwrap();
    read.write_custom(&mut b, SerdeFormat::RawBytes).unwrap();
    assert!(a == b);
    // a wrong length or a corrupted point is a clear error
    std::fs::write(p("short.processed"), &bytes[..bytes.len() - 1]).unwrap();
    let e = artifacts::read_srs(&p("short.processed")).unwrap_err();
    assert!(e.to_string().contains("do not fit k = 4"), "{e}");
    let mut bad = compressed.clone();
    bad[4 + 32 * 3] ^= 0x55;
    std::fs::write(p("bad.processed"), &bad).unwrap();
    refused(
        "--from-params",
        &p("bad.processed"),
        k,
        // the flipped x either leaves the curve or lands on another point
        contains("g point 3 is not a valid point of the curve")
            .or(contains("the powers of τ are inconsistent")),
    );
}
