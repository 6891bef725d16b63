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

/// A random one-layer network over 28×28 images: `nodes` LUT-4 nodes, 10 classes, one
/// threshold per pixel (`t`).
fn random_net(seed: u64, nodes: usize, t: u16) -> LutNet {
    let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(seed);
    let layer = LutLayer {
        arity: 4,
        wiring: (0..nodes * 4).map(|_| rng.gen_range(0..784)).collect(),
        tables: (0..nodes).map(|_| rng.gen::<u64>() & 0xffff).collect(),
    };
    LutNet::new(InputSpec::image(28, 28), 10, 1, vec![t; 784], vec![layer]).unwrap()
}

#[test]
fn merged_scores_are_the_sums_and_bad_members_are_refused() {
    let dir = tempfile::tempdir().unwrap();
    let p = |n: &str| dir.path().join(n);
    let (a, b) = (random_net(1, 50, 100), random_net(2, 30, 100));
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
    assert_eq!(ab.num_nodes(), 80);
    let test = zero_g::data::load_dataset(&mnist_dir(), zero_g::data::Split::Test).unwrap();
    for i in 0..8 {
        let x = test.image(i);
        let (sa, sb, sab) = (a.predict(x), b.predict(x), ab.predict(x));
        let sum: Vec<u32> = sa
            .scores
            .iter()
            .zip(&sb.scores)
            .map(|(u, v)| u + v)
            .collect();
        assert_eq!(sab.scores, sum);
    }

    // another input encoding, a BTHOWeN model, a lone network, a missing file: exit 2,
    // nothing written
    io::save(&Model::from(random_net(3, 20, 120)), &p("c.hdf5")).unwrap();
    let out = p("bad.hdf5");
    for (members, want) in [
        (vec![p("a.hdf5"), p("c.hdf5")], "thresholds"),
        (vec![p("a.hdf5"), reference(TINY)], "BTHOWeN"),
        (vec![p("a.hdf5")], "2 values"),
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
