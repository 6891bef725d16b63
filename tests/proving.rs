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
    // a proof cut short is malformed: not the length of this key's proofs
    let mut p = f.proof.clone();
    p.proof.truncate(p.proof.len() - 32);
    let e = proving::verify(&f.srs, f.pk.get_vk(), &f.meta, &p).unwrap_err();
    assert!(e.to_string().contains("the proof is cut short"), "{e}");
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

/// Writes `srs` to a temporary file, alters its bytes, and reads it back.
fn read_altered_srs(srs: &Srs, alter: impl FnOnce(&mut Vec<u8>)) -> Result<Srs, ProofError> {
    let dir = tempfile::tempdir().unwrap();
    let p = dir.path().join("kzg.srs");
    artifacts::write_srs(srs, &p).unwrap();
    let mut bytes = std::fs::read(&p).unwrap();
    alter(&mut bytes);
    std::fs::write(&p, &bytes).unwrap();
    artifacts::read_srs(&p)
}

#[test]
fn every_point_of_an_srs_is_checked_when_it_is_read() {
    use halo2_proofs::halo2curves::bn256::G1;
    use halo2_proofs::halo2curves::group::Curve;
    use halo2_proofs::halo2curves::serde::SerdeObject;
    let srs = proving::generate_srs(5, Some(3));
    let n = 32usize;
    let g2_at = 4 + 2 * n * 64;
    let lagrange_at = 4 + n * 64;
    let e = |alter: &dyn Fn(&mut Vec<u8>)| read_altered_srs(&srs, alter).unwrap_err().to_string();
    // the intact file reads back identically
    let back = read_altered_srs(&srs, |_| {}).unwrap();
    assert_eq!(
        proving::srs_fingerprint(&back),
        proving::srs_fingerprint(&srs)
    );
    // G2 points zeroed (the point at infinity): the verifier's pairing would accept anything
    let m = e(&|b| b[g2_at..].fill(0));
    assert!(
        m.contains("g2 is not the standard BN254 G2 generator"),
        "{m}"
    );
    let m = e(&|b| b[g2_at + 128..].fill(0));
    assert!(m.contains("τ = 0"), "{m}");
    // a corrupted G1 point: off the curve
    let m = e(&|b| b[4 + 5 * 64 + 3] ^= 1);
    assert!(
        m.contains("g point 5 is not a valid point of the curve"),
        "{m}"
    );
    let m = e(&|b| b[lagrange_at + 9 * 64 + 3] ^= 1);
    assert!(m.contains("g_lagrange point 9 is not a valid point"), "{m}");
    // a valid point in the wrong place: only the pairing check can tell
    let two_g = (G1::generator() + G1::generator())
        .to_affine()
        .to_raw_bytes();
    let m = e(&|b| b[4 + 7 * 64..4 + 8 * 64].copy_from_slice(&two_g));
    assert!(m.contains("the powers of τ are inconsistent"), "{m}");
    // two Lagrange points swapped: only the Lagrange check can tell
    let m = e(&|b| {
        let (i, j) = (lagrange_at + 3 * 64, lagrange_at + 4 * 64);
        let tmp = b[i..i + 64].to_vec();
        b.copy_within(j..j + 64, i);
        b[j..j + 64].copy_from_slice(&tmp);
    });
    assert!(
        m.contains("Lagrange points are not the Lagrange basis"),
        "{m}"
    );
    // τ·G2 replaced by a point of G2's curve outside the prime-order subgroup (the twist's
    // cofactor is large, so nearly every point of the curve is one)
    let off_subgroup = (1u64..)
        .find_map(|i| {
            use halo2_proofs::halo2curves::bn256::{Fq, Fq2, G2Affine, G2};
            use halo2_proofs::halo2curves::ff::Field;
            use halo2_proofs::halo2curves::group::cofactor::CofactorGroup;
            use halo2_proofs::halo2curves::CurveAffine;
            let x = Fq2 {
                c0: Fq::from(i),
                c1: Fq::ONE,
            };
            let y = Option::<Fq2>::from((x.square() * x + G2Affine::b()).sqrt())?;
            let p = Option::<G2Affine>::from(G2Affine::from_xy(x, y))?;
            (!bool::from(G2::from(p).is_torsion_free())).then_some(p)
        })
        .unwrap();
    let m = e(&|b| b[g2_at + 128..g2_at + 256].copy_from_slice(&off_subgroup.to_raw_bytes()));
    assert!(
        m.contains("is not in the prime-order subgroup of G2"),
        "{m}"
    );
    // g[0] moved off the generator
    let m = e(&|b| b[4..68].copy_from_slice(&two_g));
    assert!(
        m.contains("g[0] is not the standard BN254 G1 generator"),
        "{m}"
    );
    assert!(!m.contains("panicked"));
}

#[test]
fn keys_are_bound_to_their_srs() {
    let f = fixture();
    assert_eq!(f.meta.srs_fingerprint, proving::srs_fingerprint(&f.srs));
    // a larger SRS of the same setup is the same setup
    let other = proving::generate_srs(f.meta.circuit.k, Some(43));
    let e = proving::verify(&other, f.pk.get_vk(), &f.meta, &f.proof).unwrap_err();
    assert!(matches!(e, ProofError::Mismatch(_)), "{e}");
    assert!(
        e.to_string()
            .contains("the SRS is not the one the keys were made with"),
        "{e}"
    );
    let model = Arc::new(io::load(&reference(TINY)).unwrap());
    let img = load_image_for(&reference(DIGIT7), 28, 28).unwrap();
    let e = proving::prove(
        &other,
        &f.pk,
        &f.meta,
        model,
        &[ImageInput::new(img)],
        &NoReporter,
    )
    .unwrap_err();
    assert!(
        e.to_string()
            .contains("the SRS is not the one the keys were made with"),
        "{e}"
    );
}

#[test]
fn verify_reports_only_what_the_proof_proves() {
    let f = fixture();
    let report = proving::verify_report(&f.srs, f.pk.get_vk(), &f.meta, &f.proof).unwrap();
    let proven = report.proven.expect("valid");
    assert_eq!(proven.images, f.proof.images);
    assert_eq!((proven.model_digest, proven.bound_to), (None, None));
    // the default statement publishes neither a digest, a commitment nor a bound value
    assert!(f.proof.model_digest.is_empty() && f.proof.bound_to.is_none());
    let refused = |p: &ProofFile, what: &str| {
        let e = proving::verify(&f.srs, f.pk.get_vk(), &f.meta, p).unwrap_err();
        assert!(e.to_string().contains(what), "{what}: {e}");
    };
    let mut p = f.proof.clone();
    p.model_digest = f.meta.model_digest.clone();
    refused(
        &p,
        "claims a model digest, which its statement (`scores`) does not publish",
    );
    let mut p = f.proof.clone();
    p.images[0].commitment = Some(format!("0x{}", "11".repeat(32)));
    refused(&p, "claims image 0: a commitment");
    let mut p = f.proof.clone();
    p.bound_to = Some(format!("0x{}", "22".repeat(32)));
    refused(&p, "claims a bound value");
    let mut p = f.proof.clone();
    p.k += 1;
    refused(
        &p,
        "the proof file says k = 13, but the key's circuit has k = 12",
    );
    let mut p = f.proof.clone();
    p.proof.extend([0u8; 32]);
    refused(&p, "32 bytes follow the proof");
    // fingerprints are compared as digests, never sliced as strings
    for fp in [format!("a{}", "é".repeat(40)), "ab".into(), String::new()] {
        let mut p = f.proof.clone();
        p.vk_fingerprint = fp;
        refused(&p, "vk_fingerprint is not a SHA-256 digest");
    }
    let mut p = f.proof.clone();
    p.vk_fingerprint = p.vk_fingerprint.to_uppercase();
    assert_eq!(valid(f, &p), Verdict::Valid);
    // a metadata fingerprint that is not the key's is refused
    let mut meta = f.meta.clone();
    meta.vk_fingerprint = "00".repeat(32);
    let e = proving::verify(&f.srs, f.pk.get_vk(), &meta, &f.proof).unwrap_err();
    assert!(
        e.to_string().contains("not the key its metadata names"),
        "{e}"
    );
    assert_eq!(
        proving::short(&format!("a{}", "é".repeat(20))),
        format!("a{}", "é".repeat(15))
    );
    assert_eq!(proving::short("ab"), "ab");
}

#[test]
fn a_verifying_key_is_checked_against_its_model() {
    let f = fixture();
    let tiny = Arc::new(io::load(&reference(TINY)).unwrap());
    proving::check_vk_for_model(&f.srs, f.pk.get_vk(), &f.meta, tiny.clone()).unwrap();
    let small = Arc::new(io::load(&reference(SMALL)).unwrap());
    let e = proving::check_vk_for_model(&f.srs, f.pk.get_vk(), &f.meta, small).unwrap_err();
    assert!(
        e.to_string().contains("keys were generated for model"),
        "{e}"
    );
    // a header naming Tiny on another key (the label is not the key)
    let other_statement = Statement {
        public: zero_g::circuit::Public::Class,
        ..Statement::default()
    };
    let (pk2, _) = proving::keygen(
        &f.srs,
        tiny.clone(),
        Layout::Fast,
        &other_statement,
        &NoReporter,
    )
    .unwrap();
    let e = proving::check_vk_for_model(&f.srs, pk2.get_vk(), &f.meta, tiny).unwrap_err();
    assert!(
        e.to_string()
            .contains("the verifying key is not this model's"),
        "{e}"
    );
}

/// The parts of a key file: header (magic, format, length, JSON), checksum, body.
fn key_parts(bytes: &[u8]) -> (Vec<u8>, Vec<u8>) {
    let n = u32::from_le_bytes(bytes[10..14].try_into().unwrap()) as usize;
    (bytes[..14 + n].to_vec(), bytes[14 + n + 32..].to_vec())
}

/// A key file from a header and a body, with a correct checksum (what a forger would write).
fn sealed(header: &[u8], body: &[u8]) -> Vec<u8> {
    use sha2::Digest;
    let mut out = header.to_vec();
    out.extend(
        sha2::Sha256::new()
            .chain_update(header)
            .chain_update(body)
            .finalize(),
    );
    out.extend(body);
    out
}

/// A header with its JSON changed by `edit`.
fn edited_header(header: &[u8], edit: impl FnOnce(&mut serde_json::Value)) -> Vec<u8> {
    let mut v: serde_json::Value = serde_json::from_slice(&header[14..]).unwrap();
    edit(&mut v);
    let json = serde_json::to_vec(&v).unwrap();
    let mut h = header[..10].to_vec();
    h.extend((json.len() as u32).to_le_bytes());
    h.extend(json);
    h
}

#[test]
fn key_headers_are_checksummed_and_bounded() {
    let f = fixture();
    let dir = tempfile::tempdir().unwrap();
    let (vkp, pkp) = (dir.path().join("k.vk"), dir.path().join("k.pk"));
    artifacts::write_keys(&vkp, &pkp, &f.pk, &f.meta).unwrap();
    let vk_bytes = std::fs::read(&vkp).unwrap();
    let pk_bytes = std::fs::read(&pkp).unwrap();
    assert_eq!(vk_bytes[9], artifacts::KEY_FORMAT);
    let (header, body) = key_parts(&vk_bytes);
    let try_vk = |bytes: &[u8]| {
        std::fs::write(&vkp, bytes).unwrap();
        artifacts::read_vk(&vkp).map(|_| ())
    };
    // every single-bit flip in the header or its checksum is noticed
    for i in 0..header.len() + 32 {
        for bit in 0..8 {
            let mut b = vk_bytes.clone();
            b[i] ^= 1 << bit;
            assert!(try_vk(&b).is_err(), "byte {i} bit {bit}");
        }
    }
    // an old key format is named as such
    let mut old = vk_bytes.clone();
    old[9] = 1;
    let e = try_vk(&old).unwrap_err().to_string();
    assert!(e.contains("regenerate your keys"), "{e}");
    // a header length beyond the bound is refused before anything is allocated
    let mut huge = vk_bytes.clone();
    huge[10..14].copy_from_slice(&u32::MAX.to_le_bytes());
    let e = try_vk(&huge).unwrap_err().to_string();
    assert!(e.contains("at most"), "{e}");
    // a forged header (checksum recomputed) is still checked: shape bounds, digests, and the
    // vk fingerprint against the key in the file
    let forged = |edit: &dyn Fn(&mut serde_json::Value)| {
        try_vk(&sealed(&edited_header(&header, edit), &body))
            .unwrap_err()
            .to_string()
    };
    let e = forged(&|v| v["circuit"]["k"] = 40.into());
    assert!(e.contains("k = 40 is out of range"), "{e}");
    let e = forged(&|v| v["circuit"]["classes"] = 1_000_000_000_000u64.into());
    assert!(e.contains("classes"), "{e}");
    let e = forged(&|v| {
        v["circuit"]["family"] = serde_json::json!({"family": "lutnet",
        "arity": 1_000_000_000, "rows_per_node": 0, "nodes": 1, "comparisons": 1,
        "used_inputs": 1, "constants": 1})
    });
    assert!(e.contains("LUT-network parameters out of range"), "{e}");
    let e = forged(&|v| v["vk_fingerprint"] = format!("a{}", "é".repeat(40)).into());
    assert!(e.contains("the vk fingerprint is not 64 hex digits"), "{e}");
    let e = forged(&|v| v["vk_fingerprint"] = "ab".repeat(32).into());
    assert!(e.contains("the header names verifying key abababab"), "{e}");
    let e = forged(&|v| v["circuit"]["k"] = 13.into());
    assert!(e.contains("bad key"), "{e}");
    // a proving key whose body announces a polynomial larger than the file
    let (pk_header, mut pk_body) = key_parts(&pk_bytes);
    let vk_len = body.len();
    pk_body[vk_len..vk_len + 4].copy_from_slice(&u32::MAX.to_be_bytes());
    std::fs::write(&pkp, sealed(&pk_header, &pk_body)).unwrap();
    let e = artifacts::read_pk(&pkp).unwrap_err().to_string();
    assert!(e.contains("coefficients where 4096 are expected"), "{e}");
    // a proving key given as the verifying key
    std::fs::write(&vkp, &pk_bytes).unwrap();
    let e = artifacts::read_vk(&vkp).unwrap_err().to_string();
    assert!(e.contains("a proving key?"), "{e}");
}

#[test]
fn every_shape_zero_g_builds_passes_the_key_header_bounds() {
    use zero_g::circuit::{CircuitParams, Public};
    let statements = [
        Statement::default(),
        Statement {
            public: Public::Class,
            commitment: true,
            model_digest: true,
            bind: true,
            batch: 1,
        },
        Statement {
            public: Public::Both,
            batch: 4,
            ..Statement::default()
        },
    ];
    for name in [TINY, SMALL, MEDIUM, LARGE] {
        let model = io::load(&bundled(name)).unwrap();
        for layout in [Layout::Fast, Layout::Compact] {
            for st in &statements {
                let p = CircuitParams::for_statement(&model, layout, st).unwrap();
                p.check()
                    .unwrap_or_else(|e| panic!("{name} {layout:?} {st:?}: {e}"));
            }
        }
    }
}
