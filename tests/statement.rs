//! The statement modes: a proven class (with or without the scores), the public model
//! digest, and batches — honest witnesses pass, and a wrong class, digest or image order is
//! rejected by MockProver, by the native verifier and through the CLI.

mod common;
use common::anvil::{cli_keys, zg};
use common::circuit::*;
use common::*;
use halo2_proofs::halo2curves::bn256::Fr;
use halo2_proofs::halo2curves::ff::PrimeField;
use predicates::prelude::*;
use predicates::str::contains;
use std::path::{Path, PathBuf};
use std::sync::{Arc, OnceLock};
use zero_g::circuit::{ImageInput, ImageWitness, Layout, Public, Statement, Trace, WnnCircuit};
use zero_g::data::{load_dataset, load_image_for, Split};
use zero_g::model::{argmax, io, Model};
use zero_g::progress::NoReporter;
use zero_g::proving::{self, Verdict};

/// Test images: the reference 7, then MNIST test images 1, 2, … .
fn images(n: usize) -> Vec<Vec<u8>> {
    let mut v = vec![load_image_for(&reference(DIGIT7), 28, 28).unwrap()];
    let test = load_dataset(&mnist_dir(), Split::Test).unwrap();
    v.extend((1..n).map(|i| test.image(i).to_vec()));
    v
}

fn statement(public: Public, model_digest: bool, batch: usize) -> Statement {
    Statement {
        public,
        commitment: false,
        model_digest,
        bind: false,
        batch,
    }
}

fn honest(model: &Arc<Model>, st: &Statement) -> WnnCircuit<Fr> {
    let inputs: Vec<_> = images(st.batch).into_iter().map(ImageInput::new).collect();
    WnnCircuit::prove_images(model.clone(), params(model, st), &inputs).unwrap()
}

#[test]
fn every_mode_accepts_the_honest_witness() {
    let model = tiny();
    for public in [Public::Scores, Public::Class, Public::Both] {
        for digest in [false, true] {
            for batch in [1, 3] {
                let st = statement(public, digest, batch);
                let c = honest(&model, &st);
                let inst = c.instances();
                assert_eq!(inst.len(), st.num_instances(10), "{st:?}");
                mock(&c, inst).unwrap_or_else(|e| panic!("{st:?}: {e:?}"));
            }
        }
    }
}

#[test]
fn the_instances_follow_the_documented_layout() {
    let model = tiny();
    let st = statement(Public::Both, true, 2);
    let c = honest(&model, &st);
    let inst = c.instances();
    let imgs = images(2);
    let mut want = Vec::new();
    for img in &imgs {
        let s = model.scores(img);
        want.extend(s.iter().map(|&v| Fr::from(v as u64)));
        want.push(Fr::from(argmax(&s) as u64));
    }
    let d = model.digest();
    want.push(Fr::from_u128(u128::from_be_bytes(
        d[..16].try_into().unwrap(),
    )));
    want.push(Fr::from_u128(u128::from_be_bytes(
        d[16..].try_into().unwrap(),
    )));
    assert_eq!(inst, want);
}

#[test]
fn a_public_class_that_is_not_the_argmax_is_rejected() {
    let model = tiny();
    let st = statement(Public::Class, false, 1);
    let c = honest(&model, &st);
    assert_eq!(c.instances(), vec![Fr::from(7)]);
    // the verifier is told another class: the proven class cell differs from the instance
    let errs = mock(&c, vec![Fr::from(4)]).unwrap_err();
    assert!(only_public_mismatch(&errs), "{errs:?}");
    // a malicious prover proves another class (and publishes it): a margin goes negative
    let p = params(&model, &st);
    let img = &images(1)[0];
    for wrong in [0, 4, 9] {
        let w = ImageWitness {
            trace: Trace::honest(&model, &p, img),
            class: wrong,
            salt: Fr::zero(),
        };
        let c = WnnCircuit::with_witnesses(model.clone(), p.clone(), vec![w]);
        assert_eq!(c.instances(), vec![Fr::from(wrong as u64)]);
        let errs = mock(&c, c.instances()).unwrap_err();
        assert!(failed_lookup(&errs), "class {wrong}: {errs:?}");
    }
}

#[test]
fn a_tie_goes_to_the_first_class_in_circuit() {
    // find a test image whose Tiny scores tie at the top, and check that the later tied class
    // cannot be proven
    let model = tiny();
    let test = load_dataset(&mnist_dir(), Split::Test).unwrap();
    let (img, first, later) = (0..test.len())
        .find_map(|i| {
            let s = model.scores(test.image(i));
            let best = *s.iter().max().unwrap();
            let tied: Vec<usize> = (0..10).filter(|&c| s[c] == best).collect();
            (tied.len() > 1).then(|| (test.image(i).to_vec(), tied[0], tied[1]))
        })
        .expect("Tiny ties on some test image");
    let st = statement(Public::Class, false, 1);
    let p = params(&model, &st);
    let trace = Trace::<Fr>::honest(&model, &p, &img);
    let w = |class| ImageWitness {
        trace: trace.clone(),
        class,
        salt: Fr::zero(),
    };
    let c = WnnCircuit::with_witnesses(model.clone(), p.clone(), vec![w(first)]);
    mock(&c, c.instances()).unwrap();
    let c = WnnCircuit::with_witnesses(model.clone(), p, vec![w(later)]);
    let errs = mock(&c, c.instances()).unwrap_err();
    assert!(failed_lookup(&errs), "{errs:?}");
}

#[test]
fn a_wrong_model_digest_is_rejected() {
    let model = tiny();
    let st = statement(Public::Scores, true, 1);
    let c = honest(&model, &st);
    let mut inst = c.instances();
    let n = inst.len();
    inst[n - 1] += Fr::one();
    let errs = mock(&c, inst).unwrap_err();
    assert!(only_public_mismatch(&errs), "{errs:?}");
}

#[test]
fn swapped_images_in_a_batch_are_rejected() {
    let model = tiny();
    let st = statement(Public::Scores, false, 2);
    let c = honest(&model, &st);
    let mut inst = c.instances();
    let (a, b) = inst.split_at_mut(10);
    a.swap_with_slice(b);
    let errs = mock(&c, inst).unwrap_err();
    assert!(only_public_mismatch(&errs), "{errs:?}");
}

/// Keys and a proof per statement, shared by the tests below.
struct Proved {
    srs: proving::Srs,
    pk: halo2_proofs::plonk::ProvingKey<halo2_proofs::halo2curves::bn256::G1Affine>,
    meta: proving::KeyMeta,
    proof: proving::ProofFile,
}

fn proved(st: &Statement) -> Proved {
    let model = tiny();
    let k = proving::circuit_params(&model, Layout::Auto, st).unwrap().k;
    let srs = proving::generate_srs(k, Some(5));
    let (pk, meta) = proving::keygen(&srs, model.clone(), Layout::Auto, st, &NoReporter).unwrap();
    let inputs: Vec<_> = images(st.batch).into_iter().map(ImageInput::new).collect();
    let proof = proving::prove(&srs, &pk, &meta, model, &inputs, &NoReporter).unwrap();
    Proved {
        srs,
        pk,
        meta,
        proof,
    }
}

fn class_batch() -> &'static Proved {
    static P: OnceLock<Proved> = OnceLock::new();
    P.get_or_init(|| proved(&statement(Public::Class, true, 2)))
}

impl Proved {
    fn verify(&self, p: &proving::ProofFile) -> Verdict {
        proving::verify(&self.srs, self.pk.get_vk(), &self.meta, p).unwrap()
    }
}

#[test]
fn a_class_only_batch_proof_verifies_and_hides_the_scores() {
    let p = class_batch();
    assert_eq!(p.verify(&p.proof), Verdict::Valid);
    let classes: Vec<usize> = p.proof.images.iter().map(|i| i.class).collect();
    let native: Vec<usize> = images(2).iter().map(|i| tiny().predict(i).class).collect();
    assert_eq!(classes, native);
    assert_eq!(classes[0], 7);
    assert!(p.proof.images.iter().all(|i| i.scores.is_none()));
    let json = serde_json::to_string(&p.proof).unwrap();
    assert!(!json.contains("scores"), "{json}");
    // scores added to the file are claims the proof never checked: refused, never echoed
    let mut claimed = p.proof.clone();
    claimed.images[1].scores = Some(vec![1; 10]);
    let e = proving::verify(&p.srs, p.pk.get_vk(), &p.meta, &claimed).unwrap_err();
    assert!(
        e.to_string()
            .contains("claims image 1: scores, which its statement (`class + model digest, 2 images`) does not publish"),
        "{e}"
    );
}

#[test]
fn a_changed_class_or_digest_is_invalid() {
    let p = class_batch();
    let mut bad = p.proof.clone();
    bad.images[1].class = (bad.images[1].class + 1) % 10;
    assert_eq!(p.verify(&bad), Verdict::Invalid(None));
    let mut bad = p.proof.clone();
    bad.images.swap(0, 1);
    assert_eq!(p.verify(&bad), Verdict::Invalid(None));
    // the same proof claimed for another model
    let mut bad = p.proof.clone();
    bad.model_digest = io::load(&reference(SMALL)).unwrap().digest_hex();
    assert_eq!(p.verify(&bad), Verdict::Invalid(None));
    // a missing image
    let mut bad = p.proof.clone();
    bad.images.pop();
    assert!(matches!(p.verify(&bad), Verdict::Invalid(Some(r)) if r.contains("covers 2 image")));
}

#[test]
fn a_proof_of_another_statement_is_an_error() {
    let p = class_batch();
    let mut bad = p.proof.clone();
    bad.statement.public = Public::Both;
    let e = proving::verify(&p.srs, p.pk.get_vk(), &p.meta, &bad).unwrap_err();
    assert!(
        e.to_string()
            .contains("the key proves `class + model digest, 2 images`"),
        "{e}"
    );
}

#[test]
fn the_wrong_number_of_images_is_an_error() {
    let p = class_batch();
    let inputs = [ImageInput::new(images(1).remove(0))];
    let e = proving::prove(&p.srs, &p.pk, &p.meta, tiny(), &inputs, &NoReporter).unwrap_err();
    assert!(
        e.to_string()
            .contains("prove 2 inputs at a time, but 1 were given"),
        "{e}"
    );
}

// ---- the CLI ----

fn write_digits(dir: &Path) -> Vec<PathBuf> {
    images(3)
        .iter()
        .enumerate()
        .map(|(i, px)| {
            let p = dir.join(format!("{i}.png"));
            zero_g::data::save_png(&p, px, 28, 28).unwrap();
            p
        })
        .collect()
}

#[test]
fn cli_class_mode_batch_round_trip() {
    let dir = tempfile::tempdir().unwrap();
    let p = |n: &str| dir.path().join(n);
    let digits = write_digits(dir.path());
    let keys = cli_keys(
        dir.path(),
        "k",
        &reference(TINY),
        2,
        &["--public", "both", "--batch", "2"],
    );
    assert!(keys.contains("proving: both, 2 images"), "{keys}");
    let prove = |imgs: &[&PathBuf]| {
        let mut c = zg();
        c.args(["-q", "proof", "-m"])
            .arg(reference(TINY))
            .arg("-s")
            .arg(p("k.srs"))
            .arg("--pk-path")
            .arg(p("k.pk"))
            .arg("--proof-path")
            .arg(p("proof.json"));
        for i in imgs {
            c.arg("-i").arg(i);
        }
        c.assert()
    };
    prove(&[&digits[0]])
        .code(2)
        .stderr(contains("prove 2 inputs at a time, but 1 were given"));
    prove(&[&digits[0], &digits[1]])
        .success()
        .stdout(contains("class 7, scores [9, 6, 13").and(contains("1.png: class ")));
    let verify = |proof: &Path| {
        zg().arg("verify")
            .arg("-s")
            .arg(p("k.srs"))
            .arg("-v")
            .arg(p("k.vk"))
            .arg("--proof-path")
            .arg(proof)
            .assert()
    };
    verify(&p("proof.json"))
        .success()
        .stdout(contains("proof valid").and(contains("image 1: class ")));
    let mut v: serde_json::Value =
        serde_json::from_slice(&std::fs::read(p("proof.json")).unwrap()).unwrap();
    v["images"][0]["class"] = 4.into();
    std::fs::write(p("bad.json"), serde_json::to_vec(&v).unwrap()).unwrap();
    verify(&p("bad.json"))
        .code(1)
        .stdout(contains("proof INVALID"));
    // a folder of images expands to its files in name order (3 here: one too many)
    let mut c = zg();
    c.args(["-q", "proof", "-m"])
        .arg(reference(TINY))
        .arg("-i")
        .arg(dir.path())
        .arg("-s")
        .arg(p("k.srs"))
        .arg("--pk-path")
        .arg(p("k.pk"))
        .arg("--proof-path")
        .arg(p("proof3.json"))
        .assert()
        .code(2)
        .stderr(contains("but 3 were given"));
    assert!(!p("proof3.json").exists());
}

#[test]
fn cli_statement_flag_errors() {
    zg().args(["mock-proof", "--batch", "0", "-m"])
        .arg(reference(TINY))
        .arg("-i")
        .arg(reference(DIGIT7))
        .assert()
        .code(2)
        .stderr(contains("a proof covers 1 to 64 images, not 0"));
    zg().args(["mock-proof", "--public", "all", "-m"])
        .arg(reference(TINY))
        .arg("-i")
        .arg(reference(DIGIT7))
        .assert()
        .code(2)
        .stderr(contains("invalid value 'all'"));
    let dir = tempfile::tempdir().unwrap();
    zg().args(["mock-proof", "-m"])
        .arg(reference(TINY))
        .arg("-i")
        .arg(dir.path())
        .assert()
        .code(2)
        .stderr(contains("holds no PNG or JPEG images"));
}

#[test]
fn a_bound_proof_holds_for_its_value_only() {
    let model = tiny();
    let st = Statement {
        bind: true,
        ..statement(Public::Class, false, 1)
    };
    let c = honest(&model, &st).bound_to(Fr::from(0xabcdefu64));
    let inst = c.instances();
    assert_eq!(inst, vec![Fr::from(7), Fr::from(0xabcdefu64)]);
    mock(&c, inst.clone()).unwrap();
    let mut other = inst;
    other[1] = Fr::from(0xabcdeeu64);
    let errs = mock(&c, other).unwrap_err();
    assert!(only_public_mismatch(&errs), "{errs:?}");
}

#[test]
fn a_bound_real_proof_rejects_another_value() {
    let model = tiny();
    let st = Statement {
        bind: true,
        ..statement(Public::Class, false, 1)
    };
    let k = proving::circuit_params(&model, Layout::Auto, &st)
        .unwrap()
        .k;
    let srs = proving::generate_srs(k, Some(6));
    let (pk, meta) = proving::keygen(&srs, model.clone(), Layout::Auto, &st, &NoReporter).unwrap();
    let inputs = [ImageInput::new(images(1).remove(0))];
    let e = proving::prove(&srs, &pk, &meta, model.clone(), &inputs, &NoReporter).unwrap_err();
    assert!(e.to_string().contains("bind every proof to a value"), "{e}");
    let me = Fr::from(0x1234u64);
    let proof =
        proving::prove_bound(&srs, &pk, &meta, model, &inputs, Some(me), &NoReporter).unwrap();
    assert_eq!(
        proof.bound_to.as_deref(),
        Some("0x0000000000000000000000000000000000000000000000000000000000001234")
    );
    let check = |p: &proving::ProofFile| proving::verify(&srs, pk.get_vk(), &meta, p).unwrap();
    assert_eq!(check(&proof), Verdict::Valid);
    let mut stolen = proof.clone();
    stolen.bound_to = Some(format!("0x{}", "00".repeat(31) + "99"));
    assert_eq!(check(&stolen), Verdict::Invalid(None));
    let mut missing = proof;
    missing.bound_to = None;
    assert!(
        matches!(check(&missing), Verdict::Invalid(Some(r)) if r.contains("bound value is missing"))
    );
}

#[test]
fn cli_binding_flags() {
    let dir = tempfile::tempdir().unwrap();
    let p = |n: &str| dir.path().join(n);
    cli_keys(dir.path(), "k", &reference(TINY), 3, &["--bind"]);
    let prove = |bind: Option<&str>| {
        let mut c = zg();
        c.args(["-q", "proof", "-m"])
            .arg(reference(TINY))
            .arg("-i")
            .arg(reference(DIGIT7))
            .arg("-s")
            .arg(p("k.srs"))
            .arg("--pk-path")
            .arg(p("k.pk"))
            .arg("--proof-path")
            .arg(p("proof.json"));
        if let Some(b) = bind {
            c.args(["--bind-to", b]);
        }
        c.assert()
    };
    prove(None)
        .code(2)
        .stderr(contains("bind every proof to a value"));
    prove(Some("0xzz")).code(2).stderr(contains("--bind-to"));
    prove(Some(&format!("0x{}", "ff".repeat(32))))
        .code(2)
        .stderr(contains("not below the BN254 scalar modulus"));
    assert!(!p("proof.json").exists());
    let addr = "0x70997970C51812dc3A010C7d01b50e0d17dc79C8";
    prove(Some(addr)).success().stdout(contains(
        "bound to 0x00000000000000000000000070997970c51812dc3a010c7d01b50e0d17dc79c8",
    ));
    zg().arg("verify")
        .arg("-s")
        .arg(p("k.srs"))
        .arg("-v")
        .arg(p("k.vk"))
        .arg("--proof-path")
        .arg(p("proof.json"))
        .assert()
        .success()
        .stdout(contains("bound to 0x000000000000000000000000709979"));
    // a value for keys that do not bind
    let plain = tempfile::tempdir().unwrap();
    cli_keys(plain.path(), "k", &reference(TINY), 3, &[]);
    zg().args(["-q", "proof", "-m"])
        .arg(reference(TINY))
        .arg("-i")
        .arg(reference(DIGIT7))
        .arg("-s")
        .arg(plain.path().join("k.srs"))
        .arg("--pk-path")
        .arg(plain.path().join("k.pk"))
        .arg("--proof-path")
        .arg(plain.path().join("proof.json"))
        .args(["--bind-to", addr])
        .assert()
        .code(2)
        .stderr(contains("do not bind proofs"));
}
