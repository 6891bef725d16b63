//! `zero_g ensemble`: one-layer LUT networks of one input encoding merged into one network
//! whose class scores are the sums of theirs; everything else is refused with exit 2.

mod common;
use assert_cmd::Command;
use common::*;
use predicates::str::contains;
use rand::{Rng, SeedableRng};
use zero_g::model::{io, InputSpec, LutLayer, LutNet, Model};

fn zg() -> Command {
    Command::cargo_bin("zero_g").unwrap()
}

/// A random one-layer network over 28×28 images: `nodes` LUT-4 nodes, 10 classes, the
/// thresholds `t` for every pixel.
fn random_net(seed: u64, nodes: usize, t: &[u16]) -> LutNet {
    let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(seed);
    let bits = (784 * t.len()) as u32;
    let layer = LutLayer {
        arity: 4,
        wiring: (0..nodes * 4).map(|_| rng.gen_range(0..bits)).collect(),
        tables: (0..nodes).map(|_| rng.gen::<u64>() & 0xffff).collect(),
    };
    let thresholds = (0..784).flat_map(|_| t.iter().copied()).collect();
    LutNet::new(
        InputSpec::image(28, 28),
        10,
        t.len(),
        thresholds,
        vec![layer],
    )
    .unwrap()
}

/// The scores of `merged` on a few test images are the sums of `members`' scores.
fn assert_scores_are_sums(merged: &LutNet, members: &[&LutNet]) {
    let test = zero_g::data::load_dataset(&mnist_dir(), zero_g::data::Split::Test).unwrap();
    for i in 0..8 {
        let x = test.image(i);
        let mut sum = vec![0u32; 10];
        for m in members {
            for (s, v) in sum.iter_mut().zip(m.predict(x).scores) {
                *s += v;
            }
        }
        assert_eq!(merged.predict(x).scores, sum, "image {i}");
    }
}

#[test]
fn merged_scores_are_the_sums_and_bad_members_are_refused() {
    let dir = tempfile::tempdir().unwrap();
    let p = |n: &str| dir.path().join(n);
    let (a, b) = (random_net(1, 50, &[100]), random_net(2, 30, &[100]));
    io::save(&Model::from(a.clone()), &p("a.hdf5")).unwrap();
    io::save(&Model::from(b.clone()), &p("b.hdf5")).unwrap();
    zg().args(["ensemble", "-o"])
        .arg(p("ab.hdf5"))
        .arg(p("a.hdf5"))
        .arg(p("b.hdf5"))
        .assert()
        .success()
        .stdout(contains("2 networks merged"));
    let Model::LutNet(ab) = io::load(&p("ab.hdf5")).unwrap() else {
        panic!("a LUT network")
    };
    assert_eq!((ab.num_nodes(), ab.bits_per_input()), (80, 1));
    assert_scores_are_sums(&ab, &[&a, &b]);

    // other thresholds: merged over their union (here 100, 120, 60, then 256 padding), and
    // each member's bits rewired to the same comparisons
    let c = random_net(3, 20, &[120, 100, 60]);
    let d = random_net(4, 10, &[100, 120]);
    io::save(&Model::from(c.clone()), &p("c.hdf5")).unwrap();
    io::save(&Model::from(d.clone()), &p("d.hdf5")).unwrap();
    zg().args(["ensemble", "-o"])
        .arg(p("acd.hdf5"))
        .args([p("a.hdf5"), p("c.hdf5"), p("d.hdf5")])
        .assert()
        .success();
    let Model::LutNet(acd) = io::load(&p("acd.hdf5")).unwrap() else {
        panic!("a LUT network")
    };
    assert_eq!(acd.bits_per_input(), 3);
    assert_eq!(&acd.thresholds()[..6], &[100, 120, 60, 100, 120, 60]);
    assert_scores_are_sums(&acd, &[&a, &c, &d]);

    // another input, a BTHOWeN model, a lone network, a missing file: exit 2, nothing
    // written
    let small = LutNet::new(
        InputSpec::image(14, 14),
        10,
        1,
        vec![100; 196],
        vec![LutLayer {
            arity: 4,
            wiring: (0..40).collect(),
            tables: vec![0xffff; 10],
        }],
    );
    io::save(&Model::from(small.unwrap()), &p("small.hdf5")).unwrap();
    let out = p("bad.hdf5");
    for (members, want) in [
        (vec![p("a.hdf5"), p("small.hdf5")], "differ in input"),
        (vec![p("a.hdf5"), reference(TINY)], "BTHOWeN"),
        (
            vec![p("a.hdf5")],
            "two or more networks to merge, or one with --mirror",
        ),
        (vec![p("a.hdf5"), p("none.hdf5")], "none.hdf5"),
    ] {
        zg().args(["ensemble", "-o"])
            .arg(&out)
            .args(&members)
            .assert()
            .code(2)
            .stderr(contains(want));
        assert!(!out.exists());
    }
}

#[test]
fn mirror_scores_each_image_plus_its_mirror_image() {
    let dir = tempfile::tempdir().unwrap();
    let p = |n: &str| dir.path().join(n);
    // thresholds that differ from pixel to pixel, so a twin that kept them in place would
    // compare the wrong values
    let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(9);
    let base = random_net(5, 40, &[80, 160]);
    let thresholds: Vec<u16> = (0..784 * 2).map(|_| rng.gen_range(1..255)).collect();
    let a = LutNet::new(
        InputSpec::image(28, 28),
        10,
        2,
        thresholds,
        base.layers().to_vec(),
    )
    .unwrap();
    io::save(&Model::from(a.clone()), &p("a.hdf5")).unwrap();
    zg().args(["ensemble", "--mirror", "-o"])
        .arg(p("aa.hdf5"))
        .arg(p("a.hdf5"))
        .assert()
        .success()
        .stdout(contains("2 networks merged"));
    let Model::LutNet(aa) = io::load(&p("aa.hdf5")).unwrap() else {
        panic!("a LUT network")
    };
    assert_eq!(aa.num_nodes(), 80);
    let test = zero_g::data::load_dataset(&mnist_dir(), zero_g::data::Split::Test).unwrap();
    for i in 0..8 {
        let x = test.image(i);
        let m: Vec<u8> = x.chunks(28).flat_map(|r| r.iter().rev().copied()).collect();
        let want: Vec<u32> = (a.predict(x).scores.iter().zip(a.predict(&m).scores))
            .map(|(u, v)| u + v)
            .collect();
        assert_eq!(aa.predict(x).scores, want, "image {i}");
    }
    // a network of two layers is refused, named, exit 2, nothing written
    let deep = LutNet::new(
        InputSpec::image(28, 28),
        10,
        1,
        vec![100; 784],
        vec![
            LutLayer {
                arity: 4,
                wiring: (0..80).collect(),
                tables: vec![0x8000; 20],
            },
            LutLayer {
                arity: 4,
                wiring: (0..40).map(|k| 784 + k % 20).collect(),
                tables: vec![0xfffe; 10],
            },
        ],
    )
    .unwrap();
    io::save(&Model::from(deep), &p("deep.hdf5")).unwrap();
    zg().args(["ensemble", "--mirror", "-o"])
        .arg(p("bad.hdf5"))
        .arg(p("deep.hdf5"))
        .assert()
        .code(2)
        .stderr(contains("only a network of one layer can be mirrored"));
    assert!(!p("bad.hdf5").exists());
    // mirroring twice is the network itself
    let twin = zero_g::train::lutnet::mirrored(&a).unwrap();
    assert_ne!(twin, a);
    assert_eq!(zero_g::train::lutnet::mirrored(&twin).unwrap(), a);
}
