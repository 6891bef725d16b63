//! The real proof round trip (keygen, prove, verify) on the smallest model, and what must
//! be rejected.

mod common;
use common::*;
use std::sync::{Arc, OnceLock};
use zero_g::circuit::{ImageInput, Layout, Statement};
use zero_g::data::load_image_for;
use zero_g::model::io;
use zero_g::progress::NoReporter;
use zero_g::proving::{self, artifacts, ProofError, ProofFile, Srs, Verdict};

struct Fixture {
    srs: Srs,
    pk: halo2_proofs::plonk::ProvingKey<halo2_proofs::halo2curves::bn256::G1Affine>,
    meta: proving::KeyMeta,
    proof: ProofFile,
}

fn fixture() -> &'static Fixture {
    static F: OnceLock<Fixture> = OnceLock::new();
    F.get_or_init(|| {
        let model = Arc::new(io::load(&reference(TINY)).unwrap());
        let k = proving::circuit_params(&model, Layout::Fast, &Statement::default())
            .unwrap()
            .k;
        let srs = proving::generate_srs(k, Some(42));
        let (pk, meta) = proving::keygen(
            &srs,
            model.clone(),
            Layout::Fast,
            &Statement::default(),
            &NoReporter,
        )
        .unwrap();
        let img = load_image_for(&reference(DIGIT7), 28, 28).unwrap();
        let proof = proving::prove(
            &srs,
            &pk,
            &meta,
            model,
            &[ImageInput::new(img)],
            &NoReporter,
        )
        .unwrap();
        Fixture {
            srs,
            pk,
            meta,
            proof,
        }
    })
}

fn valid(f: &Fixture, p: &ProofFile) -> Verdict {
    proving::verify(&f.srs, f.pk.get_vk(), &f.meta, p).unwrap()
}

#[test]
fn honest_proof_verifies_with_the_native_scores() {
    let f = fixture();
    let im = &f.proof.images[0];
    assert_eq!(
        im.scores.as_deref(),
        Some(&[9, 6, 13, 10, 17, 10, 9, 26, 11, 16][..])
    );
    assert_eq!(im.class, 7);
    assert_eq!(valid(f, &f.proof), Verdict::Valid);
}

#[test]
fn a_flipped_proof_byte_is_invalid() {
    let f = fixture();
    for i in [0, 100, f.proof.proof.len() / 2, f.proof.proof.len() - 1] {
        let mut p = f.proof.clone();
        p.proof[i] ^= 1;
        assert!(!valid(f, &p).is_valid(), "byte {i}");
    }
    let mut p = f.proof.clone();
    p.proof.truncate(p.proof.len() - 32);
    assert!(!valid(f, &p).is_valid());
}

#[test]
fn a_changed_score_is_invalid() {
    let f = fixture();
    let mut p = f.proof.clone();
    p.images[0].scores.as_mut().unwrap()[7] -= 1;
    assert_eq!(valid(f, &p), Verdict::Invalid(None));
    let mut p = f.proof.clone();
    p.images[0].scores.as_mut().unwrap()[3] += 1;
    assert_eq!(valid(f, &p), Verdict::Invalid(None));
    // a class that disagrees with the scores
    let mut p = f.proof.clone();
    p.images[0].class = 4;
    assert!(
        matches!(valid(f, &p), Verdict::Invalid(Some(r)) if r.contains("not the first maximum"))
    );
    // a missing score
    let mut p = f.proof.clone();
    p.images[0].scores.as_mut().unwrap().pop();
    assert!(
        matches!(valid(f, &p), Verdict::Invalid(Some(r)) if r.contains("9 scores for 10 classes"))
    );
}

#[test]
fn keys_are_deterministic_and_round_trip_through_files() {
    let f = fixture();
    let model = Arc::new(io::load(&reference(TINY)).unwrap());
    let (pk2, meta2) = proving::keygen(
        &f.srs,
        model,
        Layout::Fast,
        &Statement::default(),
        &NoReporter,
    )
    .unwrap();
    assert_eq!(meta2, f.meta, "same model and SRS give the same vk");
    let dir = tempfile::tempdir().unwrap();
    let (vkp, pkp, srsp, prp) = (
        dir.path().join("k.vk"),
        dir.path().join("k.pk"),
        dir.path().join("s.srs"),
        dir.path().join("p.json"),
    );
    artifacts::write_vk(&vkp, pk2.get_vk(), &meta2).unwrap();
    artifacts::write_pk(&pkp, &pk2, &meta2).unwrap();
    artifacts::write_srs(&f.srs, &srsp).unwrap();
    artifacts::write_proof(&prp, &f.proof).unwrap();
    let (vk, meta) = artifacts::read_vk(&vkp).unwrap();
    let (_pk, pmeta) = artifacts::read_pk(&pkp).unwrap();
    assert_eq!((&meta, &pmeta), (&f.meta, &f.meta));
    let srs = artifacts::read_srs(&srsp).unwrap();
    let proof = artifacts::read_proof(&prp).unwrap();
    assert!(proving::verify(&srs, &vk, &meta, &proof)
        .unwrap()
        .is_valid());
    // the vk bytes are identical across keygens
    let a = std::fs::read(&vkp).unwrap();
    artifacts::write_vk(&vkp, f.pk.get_vk(), &f.meta).unwrap();
    assert_eq!(a, std::fs::read(&vkp).unwrap());
}

#[test]
fn mismatched_model_or_key_is_an_error() {
    let f = fixture();
    let small = Arc::new(io::load(&reference(SMALL)).unwrap());
    let img = load_image_for(&reference(DIGIT7), 28, 28).unwrap();
    let input = [ImageInput::new(img)];
    let e = proving::prove(&f.srs, &f.pk, &f.meta, small, &input, &NoReporter).unwrap_err();
    assert!(matches!(e, ProofError::Mismatch(_)), "{e}");
    assert!(
        e.to_string().contains("keys were generated for model"),
        "{e}"
    );
    let mut p = f.proof.clone();
    p.vk_fingerprint = "00".repeat(32);
    let e = proving::verify(&f.srs, f.pk.get_vk(), &f.meta, &p).unwrap_err();
    assert!(
        e.to_string()
            .contains("the proof was made for verifying key"),
        "{e}"
    );
}

#[test]
fn corrupted_files_are_errors_not_panics() {
    let f = fixture();
    let dir = tempfile::tempdir().unwrap();
    let vkp = dir.path().join("k.vk");
    artifacts::write_vk(&vkp, f.pk.get_vk(), &f.meta).unwrap();
    let mut bytes = std::fs::read(&vkp).unwrap();
    let n = bytes.len();
    bytes[n - 10] ^= 0xff;
    std::fs::write(&vkp, &bytes).unwrap();
    let e = artifacts::read_vk(&vkp).unwrap_err().to_string();
    assert!(e.contains("checksum mismatch"), "{e}");
    std::fs::write(&vkp, b"hello").unwrap();
    assert!(artifacts::read_vk(&vkp)
        .unwrap_err()
        .to_string()
        .contains("not a zero_g verifying key file"));
    let srsp = dir.path().join("s.srs");
    std::fs::write(&srsp, vec![7u8; 1000]).unwrap();
    assert!(artifacts::read_srs(&srsp)
        .unwrap_err()
        .to_string()
        .contains("not a KZG parameter file"));
    let prp = dir.path().join("p.json");
    std::fs::write(&prp, b"{\"format\": 3}").unwrap();
    assert!(artifacts::read_proof(&prp)
        .unwrap_err()
        .to_string()
        .contains("not a zero_g proof file"));
    // an SRS too small for the circuit
    let tiny_srs = proving::generate_srs(f.meta.circuit.k - 1, Some(1));
    let e = proving::srs_for(&tiny_srs, f.meta.circuit.k)
        .unwrap_err()
        .to_string();
    assert!(e.contains("run `zero_g generate-srs -k"), "{e}");
}
