//! The input commitment: the circuit's public commitment equals the native salted Poseidon
//! commitment of the very image it classified; a wrong commitment, another image's
//! commitment or an out-of-range pixel is rejected; `zero_g commit` and `proof --opening-path`
//! tie a proof to a commitment published earlier.

mod common;
use common::anvil::{cli_keys, zg};
use common::circuit::*;
use common::*;
use halo2_proofs::dev::VerifyFailure;
use halo2_proofs::halo2curves::bn256::Fr;
use predicates::prelude::*;
use predicates::str::contains;
use std::path::{Path, PathBuf};
use zero_g::circuit::bthowen::trace::{Encoding, Trace};
use zero_g::circuit::{
    CircuitParams, ImageInput, ImageWitness, Layout, Public, Statement, WnnCircuit,
};
use zero_g::commitment::{commit_image, from_hex, to_hex};
use zero_g::data::{load_dataset, load_image_for, Split};
use zero_g::model::Model;
use zero_g::progress::NoReporter;
use zero_g::proving::{self, Verdict};

fn digit7() -> Vec<u8> {
    load_image_for(&reference(DIGIT7), 28, 28).unwrap()
}

fn other_digit() -> Vec<u8> {
    load_dataset(&mnist_dir(), Split::Test)
        .unwrap()
        .image(1)
        .to_vec()
}

fn commit_statement(public: Public, batch: usize) -> Statement {
    Statement {
        public,
        commitment: true,
        batch,
        ..Default::default()
    }
}

fn witness(model: &Model, p: &CircuitParams, pixels: &[u8], salt: Fr) -> ImageWitness<Fr> {
    let wnn = model.as_bthowen().unwrap();
    let trace = Trace::honest(wnn, p, &Encoding::of(wnn), pixels);
    let class = zero_g::model::argmax(&trace.claimed_scores(p));
    let trace = zero_g::circuit::Trace::Bthowen(trace);
    ImageWitness { trace, class, salt }
}

#[test]
fn the_public_commitment_is_the_native_one() {
    let model = tiny();
    for (public, batch) in [(Public::Scores, 1), (Public::Class, 2)] {
        let st = commit_statement(public, batch);
        let p = params(&model, &st);
        let imgs = [digit7(), other_digit()];
        let inputs: Vec<_> = (0..batch)
            .map(|i| ImageInput {
                pixels: imgs[i].clone(),
                salt: Fr::from(1000 + i as u64),
            })
            .collect();
        let c = WnnCircuit::prove_images(model.clone(), p, &inputs).unwrap();
        let inst = c.instances();
        let per = st.words_per_image(10);
        for (i, input) in inputs.iter().enumerate() {
            assert_eq!(
                inst[i * per + per - 1],
                commit_image(&input.pixels, input.salt),
                "{st:?}"
            );
        }
        mock(&c, inst).unwrap_or_else(|e| panic!("{st:?}: {e:?}"));
    }
}

#[test]
fn a_wrong_or_foreign_commitment_is_rejected() {
    let model = tiny();
    let st = commit_statement(Public::Class, 1);
    let p = params(&model, &st);
    let salt = Fr::from(77);
    let c = WnnCircuit::with_witnesses(
        model.clone(),
        p.clone(),
        vec![witness(&model, &p, &digit7(), salt)],
    );
    let honest = c.instances();
    // another value
    let mut inst = honest.clone();
    inst[1] += Fr::one();
    assert!(only_public_mismatch(&mock(&c, inst).unwrap_err()));
    // the commitment of another image (same salt): the prover classified digit 7, so the
    // commitment of a different image cannot be its public output
    let mut inst = honest.clone();
    inst[1] = commit_image(&other_digit(), salt);
    assert!(only_public_mismatch(&mock(&c, inst).unwrap_err()));
    // the same image under another salt
    let mut inst = honest;
    inst[1] = commit_image(&digit7(), Fr::from(78));
    assert!(only_public_mismatch(&mock(&c, inst).unwrap_err()));
}

#[test]
fn a_pixel_outside_a_byte_is_rejected_even_if_no_comparison_reads_it() {
    // with a commitment every pixel is packed, so every pixel must be a byte: otherwise two
    // images could share a word
    let model = tiny();
    let enc = Encoding::of(model.as_bthowen().unwrap());
    let unused = (0..784)
        .find(|i| !enc.used_pixels.contains(i))
        .expect("Tiny leaves some pixels unread");
    let st = commit_statement(Public::Scores, 1);
    let p = params(&model, &st);
    let mut w = witness(&model, &p, &digit7(), Fr::from(5));
    w.trace.bthowen_mut().pixels[unused] = 256;
    let c = WnnCircuit::with_witnesses(model.clone(), p, vec![w]);
    let errs = mock(&c, c.instances()).unwrap_err();
    assert!(
        errs.iter().any(
            |e| matches!(e, VerifyFailure::Lookup { name, .. } if name == "lane < 2^tag | keyed data")
        ),
        "{errs:?}"
    );
}

#[test]
fn a_real_commitment_proof_verifies_and_a_changed_commitment_does_not() {
    let model = tiny();
    let st = Statement {
        model_digest: true,
        ..commit_statement(Public::Class, 1)
    };
    let k = proving::circuit_params(&model, Layout::Auto, &st)
        .unwrap()
        .k;
    let srs = proving::generate_srs(k, Some(9));
    let (pk, meta) = proving::keygen(&srs, model.clone(), Layout::Auto, &st, &NoReporter).unwrap();
    let salt = zero_g::commitment::random_salt();
    let input = [ImageInput {
        pixels: digit7(),
        salt,
    }];
    let proof = proving::prove(&srs, &pk, &meta, model, &input, &NoReporter).unwrap();
    let c = proof.images[0].commitment.clone().unwrap();
    assert_eq!(c, to_hex(&commit_image(&digit7(), salt)));
    assert_eq!(proof.images[0].class, 7);
    let check = |p: &proving::ProofFile| proving::verify(&srs, pk.get_vk(), &meta, p).unwrap();
    assert_eq!(check(&proof), Verdict::Valid);
    let mut bad = proof.clone();
    bad.images[0].commitment = Some(to_hex(&(from_hex::<Fr>(&c).unwrap() + Fr::one())));
    assert_eq!(check(&bad), Verdict::Invalid(None));
    let mut bad = proof.clone();
    bad.images[0].commitment = Some("0x12".into());
    assert!(matches!(check(&bad), Verdict::Invalid(Some(r)) if r.contains("hex digits")));
    let mut bad = proof;
    bad.images[0].commitment = None;
    assert!(
        matches!(check(&bad), Verdict::Invalid(Some(r)) if r.contains("commitment is missing"))
    );
}

// ---- the CLI ----

struct Keys {
    dir: tempfile::TempDir,
}

impl Keys {
    fn p(&self, n: &str) -> PathBuf {
        self.dir.path().join(n)
    }
    fn prove(&self, imgs: &[&Path], openings: &[&Path]) -> assert_cmd::assert::Assert {
        let mut c = zg();
        c.args(["-q", "proof", "-m"])
            .arg(reference(TINY))
            .arg("-s")
            .arg(self.p("k.srs"))
            .arg("--pk-path")
            .arg(self.p("k.pk"))
            .arg("--proof-path")
            .arg(self.p("proof.json"));
        for i in imgs {
            c.arg("-i").arg(i);
        }
        for o in openings {
            c.arg("--opening-path").arg(o);
        }
        c.assert()
    }
}

fn keys(extra: &[&str]) -> Keys {
    let k = Keys {
        dir: tempfile::tempdir().unwrap(),
    };
    cli_keys(k.dir.path(), "k", &reference(TINY), 4, extra);
    k
}

#[test]
fn cli_commit_then_prove_against_the_published_commitment() {
    let k = keys(&["--commitment", "--public", "class"]);
    let salt = "0x0000000000000000000000000000000000000000000000000000000000000abc";
    let out = zg()
        .args(["commit", "--json", "--salt", salt, "-i"])
        .arg(reference(DIGIT7))
        .arg("-o")
        .arg(k.p("opening.json"))
        .assert()
        .success();
    let opening: serde_json::Value = serde_json::from_slice(&out.get_output().stdout).unwrap();
    let want = to_hex(&commit_image(&digit7(), from_hex::<Fr>(salt).unwrap()));
    assert_eq!(opening["commitment"], want.as_str());
    k.prove(&[&reference(DIGIT7)], &[&k.p("opening.json")])
        .success()
        .stdout(contains(format!("commitment {want}")));
    let proof: serde_json::Value =
        serde_json::from_slice(&std::fs::read(k.p("proof.json")).unwrap()).unwrap();
    assert_eq!(proof["images"][0]["commitment"], want.as_str());
    assert_eq!(proof["images"][0]["class"], 7);
    assert!(proof["images"][0].get("scores").is_none());
    assert!(!k.p("proof.json.openings.json").exists(), "no fresh salt");
    zg().arg("verify")
        .arg("-s")
        .arg(k.p("k.srs"))
        .arg("-v")
        .arg(k.p("k.vk"))
        .arg("--proof-path")
        .arg(k.p("proof.json"))
        .assert()
        .success()
        .stdout(contains("proof valid").and(contains(want.as_str())));
}

#[test]
fn cli_fresh_salts_are_saved_beside_the_proof() {
    let k = keys(&["--commitment"]);
    k.prove(&[&reference(DIGIT7)], &[])
        .success()
        .stdout(contains("openings to"));
    let openings = k.p("proof.json.openings.json");
    let o: serde_json::Value = serde_json::from_slice(&std::fs::read(&openings).unwrap()).unwrap();
    let proof: serde_json::Value =
        serde_json::from_slice(&std::fs::read(k.p("proof.json")).unwrap()).unwrap();
    assert_eq!(o["commitment"], proof["images"][0]["commitment"]);
    let salt: Fr = from_hex(o["salt"].as_str().unwrap()).unwrap();
    assert_eq!(
        o["commitment"].as_str().unwrap(),
        to_hex(&commit_image(&digit7(), salt))
    );
    // the saved opening proves again to the same commitment
    std::fs::rename(&openings, k.p("saved.json")).unwrap();
    k.prove(&[&reference(DIGIT7)], &[&k.p("saved.json")])
        .success();
    let again: serde_json::Value =
        serde_json::from_slice(&std::fs::read(k.p("proof.json")).unwrap()).unwrap();
    assert_eq!(again["images"][0]["commitment"], o["commitment"]);
}

#[test]
fn cli_opening_errors() {
    let k = keys(&["--commitment"]);
    zg().args(["-q", "commit", "-i"])
        .arg(reference(DIGIT7))
        .arg("-o")
        .arg(k.p("seven.json"))
        .assert()
        .success();
    let other = k.p("other.png");
    zero_g::data::save_png(&other, &other_digit(), 28, 28).unwrap();
    k.prove(&[&other], &[&k.p("seven.json")])
        .code(2)
        .stderr(contains("opening 1 does not fit").and(contains("another image")));
    // a tampered salt
    let mut o: serde_json::Value =
        serde_json::from_slice(&std::fs::read(k.p("seven.json")).unwrap()).unwrap();
    o["salt"] = "0x01".into();
    std::fs::write(k.p("bad.json"), serde_json::to_vec(&o).unwrap()).unwrap();
    k.prove(&[&reference(DIGIT7)], &[&k.p("bad.json")])
        .code(2)
        .stderr(contains("hex digits"));
    o["salt"] = format!("0x{}", "00".repeat(31) + "02").into();
    std::fs::write(k.p("bad.json"), serde_json::to_vec(&o).unwrap()).unwrap();
    k.prove(&[&reference(DIGIT7)], &[&k.p("bad.json")])
        .code(2)
        .stderr(contains("its salt does not give its commitment"));
    // two openings for one image
    k.prove(
        &[&reference(DIGIT7)],
        &[&k.p("seven.json"), &k.p("seven.json")],
    )
    .code(2)
    .stderr(contains("2 opening(s) for 1 image(s)"));
    std::fs::write(k.p("junk.json"), b"[1, 2]").unwrap();
    k.prove(&[&reference(DIGIT7)], &[&k.p("junk.json")])
        .code(2)
        .stderr(contains("not a zero_g opening file"));
    assert!(!k.p("proof.json").exists(), "nothing written on failure");
    // openings for keys without a commitment
    let plain = keys(&[]);
    plain
        .prove(&[&reference(DIGIT7)], &[&k.p("seven.json")])
        .code(2)
        .stderr(contains("do not prove a commitment"));
    // commit's own errors
    zg().args(["commit", "--salt", "0xzz", "-i"])
        .arg(reference(DIGIT7))
        .assert()
        .code(2)
        .stderr(contains("--salt"));
    let r = format!("0x{}", "ff".repeat(32));
    zg().args(["commit", "--salt", &r, "-i"])
        .arg(reference(DIGIT7))
        .assert()
        .code(2)
        .stderr(contains("not below the BN254 scalar modulus"));
    zg().args(["commit", "-m"])
        .arg(reference(TINY))
        .arg("-i")
        .arg(k.p("missing.png"))
        .assert()
        .code(2)
        .stderr(contains("missing.png"));
}
