//! The statements on a real anvil: a batch proof (scores of two images) and a class-only
//! proof with the model digest public are accepted in a transaction; a changed score, a
//! swapped image order, a changed class and another model's digest revert. The same for the
//! flagship LUT network (the other model family).

mod common;
use common::anvil::*;
use common::*;
use predicates::prelude::*;
use predicates::str::contains;
use std::path::{Path, PathBuf};
use zero_g::data::{load_dataset, Split};
use zero_g::proving::{artifacts, ProofFile};

struct Setup {
    dir: tempfile::TempDir,
}

impl Setup {
    fn p(&self, n: &str) -> PathBuf {
        self.dir.path().join(n)
    }
}

/// Keys for `flags`, a proof of the first `n` MNIST test digits, and the verifier deployed
/// on `anvil`; returns the proof file and the contract address.
fn deploy(anvil: &Anvil, s: &Setup, name: &str, flags: &[&str], n: usize) -> (ProofFile, String) {
    deploy_model(anvil, s, &reference(TINY), name, flags, n)
}

/// [`deploy`] for `model`.
fn deploy_model(
    anvil: &Anvil,
    s: &Setup,
    model: &Path,
    name: &str,
    flags: &[&str],
    n: usize,
) -> (ProofFile, String) {
    let test = load_dataset(&mnist_dir(), Split::Test).unwrap();
    let srs = s.p(&format!("{name}.srs"));
    let (vk, pk) = (s.p(&format!("{name}.vk")), s.p(&format!("{name}.pk")));
    zg().args(["-q", "generate-srs", "--seed", "8", "--layout", "compact"])
        .args(flags)
        .arg("-m")
        .arg(model)
        .arg("--srs-path")
        .arg(&srs)
        .assert()
        .success();
    zg().args(["-q", "generate-keys", "--layout", "compact"])
        .args(flags)
        .arg("-m")
        .arg(model)
        .arg("-s")
        .arg(&srs)
        .arg("-v")
        .arg(&vk)
        .arg("-p")
        .arg(&pk)
        .assert()
        .success();
    let mut prove = zg();
    prove
        .args(["-q", "proof", "-m"])
        .arg(model)
        .arg("-s")
        .arg(&srs)
        .arg("--pk-path")
        .arg(&pk)
        .arg("--proof-path")
        .arg(s.p(&format!("{name}.json")));
    for i in 0..n {
        let png = s.p(&format!("{name}_{i}.png"));
        zero_g::data::save_png(&png, test.image(i), 28, 28).unwrap();
        prove.arg("-i").arg(png);
    }
    prove.assert().success();
    let out = zg()
        .args(["deploy-evm-verifier", "--json", "-s"])
        .arg(&srs)
        .arg("-v")
        .arg(&vk)
        .args(["--rpc-url", &anvil.url, "--deployment-path"])
        .arg(s.p(&format!("{name}.deployment.json")))
        .assert()
        .success();
    let rec: serde_json::Value = serde_json::from_slice(&out.get_output().stdout).unwrap();
    assert!(rec["runtime_bytes"].as_u64().unwrap() <= 24_576, "{rec}");
    let proof = artifacts::read_proof(&s.p(&format!("{name}.json"))).unwrap();
    (proof, rec["address"].as_str().unwrap().to_string())
}

/// `submit-proof` to the verifier deployed as `name`, checked against its deployment record.
fn submit(
    anvil: &Anvil,
    s: &Setup,
    name: &str,
    address: &str,
    proof: &Path,
) -> assert_cmd::assert::Assert {
    zg().args(["submit-proof", "--proof-path"])
        .arg(proof)
        .args(["--contract-address", address, "--rpc-url", &anvil.url])
        .arg("--deployment-path")
        .arg(s.p(&format!("{name}.deployment.json")))
        .assert()
}

fn write(s: &Setup, name: &str, p: &ProofFile) -> PathBuf {
    let path = s.p(name);
    artifacts::write_proof(&path, p).unwrap();
    path
}

#[test]
fn batch_and_class_statements_on_chain() {
    let anvil = start_anvil();
    let s = Setup {
        dir: tempfile::tempdir().unwrap(),
    };

    // two images, scores public
    let (proof, addr) = deploy(&anvil, &s, "batch", &["--batch", "2"], 2);
    submit(&anvil, &s, "batch", &addr, &s.p("batch.json"))
        .success()
        .stdout(contains("proof accepted"));
    let mut bad = proof.clone();
    bad.images[1].scores.as_mut().unwrap()[0] += 1;
    bad.images[1].class = zero_g::model::argmax(bad.images[1].scores.as_ref().unwrap());
    submit(
        &anvil,
        &s,
        "batch",
        &addr,
        &write(&s, "batch_score.json", &bad),
    )
    .code(1)
    .stdout(contains("REJECTED"));
    let mut bad = proof;
    bad.images.swap(0, 1);
    submit(
        &anvil,
        &s,
        "batch",
        &addr,
        &write(&s, "batch_swap.json", &bad),
    )
    .code(1)
    .stdout(contains("REJECTED"));

    // the class only, with the model digest public
    let (proof, addr) = deploy(
        &anvil,
        &s,
        "class",
        &["--public", "class", "--model-digest"],
        1,
    );
    submit(&anvil, &s, "class", &addr, &s.p("class.json"))
        .success()
        .stdout(contains("proof accepted"));
    let mut bad = proof.clone();
    bad.images[0].class = (bad.images[0].class + 1) % 10;
    submit(
        &anvil,
        &s,
        "class",
        &addr,
        &write(&s, "class_wrong.json", &bad),
    )
    .code(1)
    .stdout(contains("REJECTED"));
    let mut bad = proof;
    bad.model_digest = zero_g::model::io::load(&reference(SMALL))
        .unwrap()
        .digest_hex();
    submit(
        &anvil,
        &s,
        "class",
        &addr,
        &write(&s, "class_model.json", &bad),
    )
    .code(1)
    .stdout(contains("REJECTED"));
}

#[test]
fn the_flagship_lut_network_on_chain() {
    let anvil = start_anvil();
    let s = Setup {
        dir: tempfile::tempdir().unwrap(),
    };
    let flagship = bundled("lutnet_mnist_2000.hdf5");
    let (proof, addr) = deploy_model(
        &anvil,
        &s,
        &flagship,
        "lut",
        &["--public", "class", "--model-digest"],
        1,
    );
    assert_eq!(proof.images[0].class, 7);
    // natively, with the key checked against the model
    let verify = |proof: &Path| {
        zg().args(["verify", "-s"])
            .arg(s.p("lut.srs"))
            .arg("-v")
            .arg(s.p("lut.vk"))
            .arg("--model-path")
            .arg(&flagship)
            .arg("--proof-path")
            .arg(proof)
            .assert()
    };
    verify(&s.p("lut.json"))
        .success()
        .stdout(contains("proof valid").and(contains("class 7 (proven")));
    // and on chain
    submit(&anvil, &s, "lut", &addr, &s.p("lut.json"))
        .success()
        .stdout(contains("proof accepted"));
    let mut bad = proof.clone();
    bad.images[0].class = 1;
    let wrong = write(&s, "lut_wrong.json", &bad);
    verify(&wrong).code(1).stdout(contains("INVALID"));
    submit(&anvil, &s, "lut", &addr, &wrong)
        .code(1)
        .stdout(contains("REJECTED"));
    // the proof claimed for the compact LUT network instead
    let mut bad = proof;
    bad.model_digest = zero_g::model::io::load(&bundled("lutnet_mnist_1000.hdf5"))
        .unwrap()
        .digest_hex();
    submit(&anvil, &s, "lut", &addr, &write(&s, "lut_model.json", &bad))
        .code(1)
        .stdout(contains("REJECTED"));
}
