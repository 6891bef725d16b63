//! Training LUT networks: deterministic for a seed, resumable from a checkpoint bit for bit,
//! and the trained network is exactly what the model file and `predict` compute.

mod common;
use common::*;
use zero_g::data::{load_dataset, Dataset, Split};
use zero_g::model::{InputSpec, Model};
use zero_g::train::lutnet::{train, Checkpointing, LutTrainConfig, LutTrainReport};
use zero_g::train::NoReporter;

fn data() -> Dataset {
    load_dataset(&mnist_dir(), Split::Train)
        .unwrap()
        .slice(0..4000)
}

fn cfg(epochs: usize) -> LutTrainConfig {
    LutTrainConfig {
        layers: vec![60, 20],
        arity: 4,
        bits_per_input: 2,
        epochs,
        batch_size: 50,
        shift: 1,
        mapping_epochs: 2,
        ..Default::default()
    }
}

/// Trains `c` on the 4,000 images (28×28, 10 classes).
fn train_with(c: &LutTrainConfig, ck: &Checkpointing) -> (zero_g::LutNet, LutTrainReport) {
    train(&data(), &InputSpec::image(28, 28), 10, c, ck, &NoReporter).unwrap()
}

fn run(epochs: usize, ck: &Checkpointing) -> (zero_g::LutNet, Vec<f64>) {
    let (m, r) = train_with(&cfg(epochs), ck);
    (m, r.epochs.iter().map(|e| e.loss).collect())
}

#[test]
fn the_same_seed_gives_the_same_network() {
    let none = Checkpointing::default();
    let (a, la) = run(3, &none);
    let (b, lb) = run(3, &none);
    assert_eq!(a, b);
    assert_eq!(la, lb);
    let mut other = cfg(3);
    other.seed = 1;
    let (c, _) = train_with(&other, &none);
    assert_ne!(a.digest(), c.digest());
}

#[test]
fn with_nothing_held_out_the_last_epoch_is_kept() {
    // Without validation samples every epoch "scores" alike; keeping the first (the tie
    // rule) would throw the training away.
    let mut c = cfg(3);
    c.validation_fraction = 0.0;
    let none = Checkpointing::default();
    let (m, r) = train_with(&c, &none);
    assert_eq!((r.train_samples, r.validation_samples), (4000, 0));
    assert_eq!((r.chosen_epoch, r.epochs.len()), (3, 3));
    assert_eq!(r.validation_accuracy, None);
    // the last epoch's network: a 2-epoch run keeps another (both would keep the first
    // epoch's if the tie rule chose)
    c.epochs = 2;
    let (m2, r2) = train_with(&c, &none);
    assert_eq!(r2.chosen_epoch, 2);
    assert_ne!(m, m2);
}

#[test]
fn mirrored_training_images_give_another_network_deterministically() {
    let none = Checkpointing::default();
    let go = |flip: bool| train_with(&LutTrainConfig { flip, ..cfg(2) }, &none);
    let (plain, _) = go(false);
    let (a, ra) = go(true);
    let (b, rb) = go(true);
    assert_eq!(a, b, "the same seed mirrors the same images");
    assert_eq!(ra.epochs.len(), rb.epochs.len());
    assert_ne!(a.digest(), plain.digest(), "--flip changes what is learned");
}

/// `cfg(epochs)` with the wiring learned in every epoch: `train --family lutnet`'s default
/// (`--mapping-epochs` follows `--epochs`).
fn cfg_mapping_all(epochs: usize) -> LutTrainConfig {
    LutTrainConfig {
        mapping_epochs: epochs,
        ..cfg(epochs)
    }
}

#[test]
fn resuming_with_more_epochs_and_default_mapping_epochs_equals_the_longer_run() {
    let dir = tempfile::tempdir().unwrap();
    let ck = Checkpointing {
        path: Some(dir.path().join("run.ckpt")),
        resume: false,
    };
    let go = |c: &LutTrainConfig, ck: &Checkpointing| {
        train(&data(), &InputSpec::image(28, 28), 10, c, ck, &NoReporter)
    };
    let (full, rfull) = go(&cfg_mapping_all(3), &Checkpointing::default()).unwrap();
    go(&cfg_mapping_all(2), &ck).unwrap();
    let resume = Checkpointing {
        resume: true,
        ..ck.clone()
    };
    let (resumed, rres) = go(&cfg_mapping_all(3), &resume).unwrap();
    assert_eq!(resumed, full);
    assert_eq!(
        rres.epochs.iter().map(|e| e.loss).collect::<Vec<_>>(),
        rfull.epochs.iter().map(|e| e.loss).collect::<Vec<_>>()
    );
    // a mapping frozen earlier than in the epochs done cannot continue it: named, old → new
    let mut frozen = cfg_mapping_all(4);
    frozen.mapping_epochs = 1;
    let e = go(&frozen, &resume).unwrap_err().to_string();
    assert!(e.contains("3 epochs in: mapping_epochs: 3 → 1"), "{e}");
    // frozen at or after the epochs done: the same wiring so far, so it continues
    let mut later = cfg_mapping_all(4);
    later.mapping_epochs = 3;
    go(&later, &resume).unwrap();
}

#[test]
fn a_resumed_run_equals_the_uninterrupted_one() {
    let dir = tempfile::tempdir().unwrap();
    let ck = dir.path().join("run.ckpt");
    let (full, lfull) = run(3, &Checkpointing::default());
    // two epochs, "interrupted", then resumed to three
    run(
        2,
        &Checkpointing {
            path: Some(ck.clone()),
            resume: false,
        },
    );
    let (resumed, lres) = run(
        3,
        &Checkpointing {
            path: Some(ck.clone()),
            resume: true,
        },
    );
    assert_eq!(resumed, full);
    assert_eq!(lres, lfull);
    // other settings or other data cannot continue that checkpoint
    let mut other = cfg(3);
    other.learning_rate = 0.05;
    let e = train(
        &data(),
        &InputSpec::image(28, 28),
        10,
        &other,
        &Checkpointing {
            path: Some(ck.clone()),
            resume: true,
        },
        &NoReporter,
    )
    .unwrap_err()
    .to_string();
    assert!(e.contains("other settings"), "{e}");
    // the message names exactly the setting that differs, old → new
    assert!(e.contains("3 epochs in: learning_rate: 0.01 → 0.05"), "{e}");
    let e = train(
        &data().slice(0..3000),
        &InputSpec::image(28, 28),
        10,
        &cfg(3),
        &Checkpointing {
            path: Some(ck.clone()),
            resume: true,
        },
        &NoReporter,
    )
    .unwrap_err()
    .to_string();
    assert!(e.contains("other training data"), "{e}");
    // a corrupted checkpoint is a clean error
    let mut bytes = std::fs::read(&ck).unwrap();
    let mid = bytes.len() / 2;
    bytes[mid] ^= 1;
    std::fs::write(&ck, &bytes).unwrap();
    let e = train(
        &data(),
        &InputSpec::image(28, 28),
        10,
        &cfg(3),
        &Checkpointing {
            path: Some(ck.clone()),
            resume: true,
        },
        &NoReporter,
    )
    .unwrap_err()
    .to_string();
    assert!(e.contains("checksum mismatch"), "{e}");
    std::fs::write(&ck, &bytes[..100]).unwrap();
    assert!(train(
        &data(),
        &InputSpec::image(28, 28),
        10,
        &cfg(3),
        &Checkpointing {
            path: Some(ck),
            resume: true,
        },
        &NoReporter,
    )
    .is_err());
}

#[test]
fn the_trained_network_is_what_the_file_and_predict_compute() {
    let (m, _) = run(2, &Checkpointing::default());
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("m.hdf5");
    let model = Model::from(m.clone());
    zero_g::model::io::save(&model, &path).unwrap();
    let back = zero_g::model::io::load(&path).unwrap();
    assert_eq!(back.digest(), model.digest());
    let test = load_dataset(&mnist_dir(), Split::Test)
        .unwrap()
        .slice(0..500);
    let (correct, _) = zero_g::train::evaluate(&back, &test, &NoReporter);
    assert_eq!(
        zero_g::train::evaluate(&model, &test, &NoReporter).0,
        correct
    );
    // a 2-epoch toy on 4,000 images is far from the bundled models, but it learned
    assert!(correct > 150, "{correct}/500");
}

#[test]
fn bad_configurations_are_refused() {
    let d = data();
    let input = InputSpec::image(28, 28);
    let none = Checkpointing::default();
    for (c, wanted) in [
        (
            LutTrainConfig {
                layers: vec![25],
                ..cfg(1)
            },
            "divide",
        ),
        (LutTrainConfig { arity: 7, ..cfg(1) }, "arity 7"),
        (
            LutTrainConfig {
                layers: vec![],
                ..cfg(1)
            },
            "at least one node",
        ),
        (
            LutTrainConfig {
                learning_rate: f32::NAN,
                ..cfg(1)
            },
            "learning rate",
        ),
    ] {
        let e = train(&d, &input, 10, &c, &none, &NoReporter)
            .unwrap_err()
            .to_string();
        assert!(e.contains(wanted), "{e}");
    }
    let e = train(
        &d,
        &InputSpec::image(27, 28),
        10,
        &cfg(1),
        &none,
        &NoReporter,
    )
    .unwrap_err()
    .to_string();
    assert!(e.contains("inputs"), "{e}");
}

/// Issue 15: an ensemble of one-layer networks is one LUT network whose class scores are the
/// sums of its members' (trained alone with seeds s, s + 1), so the circuit proves it as is;
/// members with other thresholds are merged over their union; other depths are refused.
#[test]
fn an_ensemble_is_one_network_summing_its_members_scores() {
    use zero_g::train::lutnet::{merge, train_ensemble};
    let d = data().slice(0..1000);
    let one = LutTrainConfig {
        layers: vec![40],
        arity: 4,
        bits_per_input: 2,
        epochs: 1,
        batch_size: 50,
        seed: 7,
        ..Default::default()
    };
    let input = InputSpec::image(28, 28);
    let none = Checkpointing::default();
    let (net, reports) = train_ensemble(&d, &input, 10, &one, 2, &NoReporter).unwrap();
    assert_eq!(reports.len(), 2);
    assert_eq!(
        (net.layers().len(), net.num_nodes(), net.group_size()),
        (1, 80, 8)
    );
    let a = train(&d, &input, 10, &one, &none, &NoReporter).unwrap().0;
    let second = LutTrainConfig {
        seed: 8,
        ..one.clone()
    };
    let b = train(&d, &input, 10, &second, &none, &NoReporter)
        .unwrap()
        .0;
    // the merged scores are the members' summed, on 200 training images
    let sums_hold = |merged: &zero_g::LutNet, p: &zero_g::LutNet, q: &zero_g::LutNet| {
        d.iter().take(200).all(|(x, _)| {
            let sum: Vec<u32> = p
                .scores(x)
                .iter()
                .zip(q.scores(x))
                .map(|(u, v)| u + v)
                .collect();
            merged.scores(x) == sum
        })
    };
    assert!(sums_hold(&net, &a, &b));
    assert_eq!(merge(&[a.clone(), b.clone()]).unwrap(), net);
    // other thresholds (3 bits per input): merged over the union of the thresholds, the
    // scores still the sums; two layers: refused
    let three = LutTrainConfig {
        bits_per_input: 3,
        ..one.clone()
    };
    let c = train(&d, &input, 10, &three, &none, &NoReporter).unwrap().0;
    let ac = merge(&[a.clone(), c.clone()]).unwrap();
    assert!(ac.bits_per_input() >= 3);
    assert!(sums_hold(&ac, &a, &c));
    let deep = LutTrainConfig {
        layers: vec![40, 20],
        ..one
    };
    let e = train(&d, &input, 10, &deep, &none, &NoReporter).unwrap().0;
    assert!(merge(&[e.clone(), e]).is_err());
    assert!(merge(&[]).is_err());
}
