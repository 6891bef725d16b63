//! Cross-check of the native Poseidon and image commitment (`zero_g::commitment`) against
//! circomlibjs 0.1.7 (the pinned npm package), an independent implementation, through
//! `tests/js/poseidon_vectors.js`: seeded random inputs, boundary values and whole images.

use halo2_proofs::halo2curves::bn256::Fr;
use halo2_proofs::halo2curves::ff::Field;
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha20Rng;
use serde_json::{json, Value};
use std::io::Write;
use std::path::PathBuf;
use std::process::{Command, Stdio};
use zero_g::commitment::{commit_image, from_hex, hash2, hash_with_init, to_hex};

/// Runs the circomlibjs oracle on `request`.
fn circomlibjs(request: &Value) -> Value {
    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR"));
    assert!(
        root.join("node_modules/circomlibjs/package.json").is_file(),
        "circomlibjs is missing: run `npm ci` (scripts/setup.sh)"
    );
    let mut child = Command::new("node")
        .arg(root.join("tests/js/poseidon_vectors.js"))
        .current_dir(&root)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("node is needed for this test (it runs circomlibjs)");
    child
        .stdin
        .take()
        .unwrap()
        .write_all(request.to_string().as_bytes())
        .unwrap();
    let out = child.wait_with_output().unwrap();
    assert!(
        out.status.success(),
        "node failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    serde_json::from_slice(&out.stdout).expect("the oracle prints JSON")
}

fn parse(v: &Value) -> Vec<Fr> {
    v.as_array()
        .unwrap()
        .iter()
        .map(|x| from_hex(x.as_str().unwrap()).unwrap())
        .collect()
}

#[test]
fn native_poseidon_matches_circomlibjs() {
    let mut rng = ChaCha20Rng::seed_from_u64(0x905e_1d07);
    // boundaries (0, 1, r − 1) and then uniform field elements
    let mut pairs = vec![
        [Fr::ZERO, Fr::ZERO],
        [Fr::ONE, Fr::from(2)],
        [-Fr::ONE, -Fr::ONE],
    ];
    pairs.extend((0..60).map(|_| [Fr::random(&mut rng), Fr::random(&mut rng)]));
    let mut inits = vec![
        [Fr::from(3), Fr::from(4), Fr::from(5)],
        [Fr::ZERO, Fr::ZERO, -Fr::ONE],
    ];
    inits.extend((0..60).map(|_| [0; 3].map(|_| Fr::random(&mut rng))));
    // three random MNIST-sized images, an all-255 one (every word at its maximum), an
    // all-zero one, and sizes that exercise the padding: 1 word (+ a zero word), exactly
    // 2 words, 3 words (+ a zero word) and none at all
    let mut images: Vec<(Vec<u8>, Fr)> = (0..3)
        .map(|_| {
            let px = (0..784).map(|_| rng.gen::<u8>()).collect();
            (px, Fr::random(&mut rng))
        })
        .collect();
    images.push((vec![255; 784], Fr::random(&mut rng)));
    images.push((vec![0; 784], Fr::ZERO));
    for n in [5, 62, 70, 0] {
        let px = (0..n).map(|_| rng.gen::<u8>()).collect();
        images.push((px, Fr::random(&mut rng)));
    }

    let hexes = |xs: &[Fr]| xs.iter().map(to_hex).collect::<Vec<_>>();
    let request = json!({
        "pairs": pairs.iter().map(|p| hexes(p)).collect::<Vec<_>>(),
        "inits": inits.iter().map(|p| hexes(p)).collect::<Vec<_>>(),
        "images": images
            .iter()
            .map(|(px, salt)| json!({ "pixels": px, "salt": to_hex(salt) }))
            .collect::<Vec<_>>(),
    });
    let answer = circomlibjs(&request);

    let expected = parse(&answer["pairs"]);
    assert_eq!(expected.len(), pairs.len());
    for ([a, b], e) in pairs.iter().zip(&expected) {
        assert_eq!(hash2(*a, *b), *e, "poseidon([{a:?}, {b:?}])");
    }
    let expected = parse(&answer["inits"]);
    assert_eq!(expected.len(), inits.len());
    for ([a, b, init], e) in inits.iter().zip(&expected) {
        assert_eq!(
            hash_with_init(*init, *a, *b),
            *e,
            "poseidon([{a:?}, {b:?}], {init:?})"
        );
    }
    let expected = parse(&answer["images"]);
    assert_eq!(expected.len(), images.len());
    for ((px, salt), e) in images.iter().zip(&expected) {
        assert_eq!(commit_image(px, *salt), *e, "image of {} pixels", px.len());
    }
}
