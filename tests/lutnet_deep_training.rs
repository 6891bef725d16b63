//! Training deep LUT networks: deterministic for a seed, resumable bit for bit, and the
//! network kept is exactly what the model file, `predict` and the circuit compute.

mod common;
use common::*;
use zero_g::data::{load_dataset, Dataset, Split};
use zero_g::model::{io, InputSpec, Model};
use zero_g::train::lutnet::deep::{train_deep, DeepTrainConfig, Thermometer};
use zero_g::train::lutnet::Checkpointing;
use zero_g::train::NoReporter;

fn data() -> Dataset {
    load_dataset(&mnist_dir(), Split::Train)
        .unwrap()
        .slice(0..1500)
}

fn cfg(epochs: usize) -> DeepTrainConfig {
    DeepTrainConfig {
        arch: "conv(4,3,4,2),pool(2),fc(60,in)".into(),
        arity: 4,
        bits_per_input: 2,
        epochs,
        batch_size: 50,
        mapping_epochs: 2,
        shift: 1,
        ..Default::default()
    }
}

fn run(epochs: usize, ck: &Checkpointing) -> (zero_g::LutNet, Vec<f64>, f64) {
    let (m, r) = train_deep(
        &data(),
        &InputSpec::image(28, 28),
        10,
        &cfg(epochs),
        ck,
        &NoReporter,
    )
    .unwrap();
    let losses = r.epochs.iter().map(|e| e.loss).collect();
    (m, losses, r.validation_accuracy.unwrap())
}

#[test]
fn the_same_seed_gives_the_same_deep_network() {
    let none = Checkpointing::default();
    let (a, la, _) = run(2, &none);
    let (b, lb, _) = run(2, &none);
    assert_eq!(a, b);
    assert_eq!(la, lb);
    let mut other = cfg(2);
    other.seed = 1;
    let (c, _) = train_deep(
        &data(),
        &InputSpec::image(28, 28),
        10,
        &other,
        &none,
        &NoReporter,
    )
    .unwrap();
    assert_ne!(a.digest(), c.digest());
}

#[test]
fn a_resumed_deep_run_equals_the_uninterrupted_one() {
    let dir = tempfile::tempdir().unwrap();
    let ck = dir.path().join("run.ckpt");
    let (full, lfull, _) = run(3, &Checkpointing::default());
    run(
        2,
        &Checkpointing {
            path: Some(ck.clone()),
            resume: false,
        },
    );
    let (resumed, lres, _) = run(
        3,
        &Checkpointing {
            path: Some(ck.clone()),
            resume: true,
        },
    );
    assert_eq!(resumed, full);
    assert_eq!(lres, lfull);
    // another architecture cannot continue this checkpoint
    let mut other = cfg(3);
    other.arch = "conv(4,3,4,2),pool(2),fc(70,in)".into();
    let e = train_deep(
        &data(),
        &InputSpec::image(28, 28),
        10,
        &other,
        &Checkpointing {
            path: Some(ck),
            resume: true,
        },
        &NoReporter,
    )
    .unwrap_err()
    .to_string();
    assert!(e.contains("checkpoint"), "{e}");
    // a corrupted or truncated checkpoint is a clean error, not a panic
    let bytes = std::fs::read(dir.path().join("run.ckpt")).unwrap();
    let resume = |b: &[u8]| {
        let p = dir.path().join("bad.ckpt");
        std::fs::write(&p, b).unwrap();
        train_deep(
            &data(),
            &InputSpec::image(28, 28),
            10,
            &cfg(3),
            &Checkpointing {
                path: Some(p),
                resume: true,
            },
            &NoReporter,
        )
        .unwrap_err()
        .to_string()
    };
    let mut flipped = bytes.clone();
    flipped[bytes.len() / 2] ^= 1;
    assert!(resume(&flipped).contains("checksum mismatch"));
    assert!(resume(&bytes[..bytes.len() - 7]).contains("not a usable"));
    assert!(resume(b"ZEROG-LUTCKPT").contains("no checkpoint header"));
}

#[test]
fn the_kept_deep_network_is_what_the_file_and_predict_compute() {
    let (m, losses, val_acc) = run(2, &Checkpointing::default());
    assert!(losses[1] < losses[0], "it learns: {losses:?}");
    // the validation share (the last 10 %) scored by the boolean model equals the report
    let d = data();
    let val = d.slice(1350..1500);
    let ok = val
        .iter()
        .filter(|(x, y)| m.predict(x).class == *y as usize)
        .count();
    assert_eq!(ok as f64 / 150.0, val_acc);
    assert!(val_acc > 0.5, "a working network: {val_acc}");
    let dir = tempfile::tempdir().unwrap();
    let p = dir.path().join("deep.hdf5");
    io::save(&Model::from(m.clone()), &p).unwrap();
    let Model::LutNet(back) = io::load(&p).unwrap() else {
        panic!("a LUT network")
    };
    assert_eq!(back, m);
    assert!(back.architecture().is_some());
}

#[test]
fn quantile_thermometers_are_fitted_on_the_training_split_and_kept_in_the_model() {
    let mut c = cfg(1);
    c.thermometer = Thermometer::Quantile;
    let (m, r) = train_deep(
        &data(),
        &InputSpec::image(28, 28),
        10,
        &c,
        &Checkpointing::default(),
        &NoReporter,
    )
    .unwrap();
    // each pixel's own thresholds, from the 1,350 training samples only
    let fit = data().slice(0..1350);
    let want = zero_g::train::lutnet::encode::quantile_thresholds(&fit, 2);
    assert_eq!(m.thresholds(), &want[..]);
    assert!(
        want.chunks(2).any(|t| t != [want[0], want[1]]),
        "not one shared pair"
    );
    // the model scores its validation share exactly as the trainer reported
    let val = data().slice(1350..1500);
    let ok = val
        .iter()
        .filter(|(x, y)| m.predict(x).class == *y as usize)
        .count();
    assert_eq!(Some(ok as f64 / 150.0), r.validation_accuracy);
    // uniform (the default) shares one pair of thresholds
    let (u, _, _) = run(1, &Checkpointing::default());
    assert!(u.thresholds().chunks(2).all(|t| t == [86, 171]));
}

#[test]
fn bad_architectures_are_refused_before_training() {
    for (arch, want) in [
        ("conv(30,1,4,1),fc(10)", "does not fit"),
        ("conv(4,2,4,1),pool(2)", "last stage must be fc"),
        ("fc(15)", "divide into the 10 classes"),
        ("conv(4,2,4,9),fc(10)", "leaves"),
        ("pool(3),fc(10)", "window"),
        ("dense(10)", "unknown stage"),
    ] {
        let mut c = cfg(1);
        c.arch = arch.into();
        let e = train_deep(
            &data(),
            &InputSpec::image(28, 28),
            10,
            &c,
            &Checkpointing::default(),
            &NoReporter,
        )
        .unwrap_err()
        .to_string();
        assert!(e.contains(want), "{arch}: {e}");
    }
}

/// A labelled PNG folder of the first `n` MNIST training images, with class names.
struct Folder {
    _tmp: tempfile::TempDir,
    dir: std::path::PathBuf,
}

impl Folder {
    fn path(&self) -> &std::path::Path {
        &self.dir
    }
}

fn png_folder(n: usize) -> Folder {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("train");
    let d = data().slice(0..n);
    zero_g::data::export_png_folder(&d, &dir).unwrap();
    let names: Vec<String> = (0..10).map(|c| format!("digit {c}")).collect();
    std::fs::write(dir.join("class-names.txt"), names.join("\n")).unwrap();
    Folder { _tmp: tmp, dir }
}

fn zg() -> assert_cmd::Command {
    assert_cmd::Command::cargo_bin("zero_g").unwrap()
}

#[test]
fn train_arch_writes_a_deep_model_with_the_folders_class_names() {
    let train = png_folder(300);
    let out = tempfile::tempdir().unwrap();
    let model = out.path().join("deep.hdf5");
    zg().args([
        "train",
        "--family",
        "lutnet",
        "--arch",
        "conv(4,3,4,1),pool(2),fc(20,in)",
    ])
    .args([
        "--arity",
        "4",
        "--epochs",
        "1",
        "--batch-size",
        "50",
        "--train-set-path",
    ])
    .arg(train.path())
    .arg("-o")
    .arg(&model)
    .assert()
    .success()
    .stdout(predicates::str::contains(
        "conv1: 81 positions × 4 nodes of arity 4",
    ))
    .stdout(predicates::str::contains(
        "architecture conv(4,3,4,1),pool(2),fc(20,in)",
    ));
    zg().args(["info", "--model-path"])
        .arg(&model)
        .assert()
        .success()
        .stdout(predicates::str::contains(
            "architecture conv(4,3,4,1),pool(2),fc(20,in)",
        ));
    let img = train.path().join("0000_5.png");
    zg().args(["predict", "--model-path"])
        .arg(&model)
        .arg("--img-path")
        .arg(&img)
        .assert()
        .success()
        .stdout(predicates::str::contains("digit "));
}

#[test]
fn a_deep_network_with_nothing_held_out_keeps_its_last_epoch() {
    let mut c = cfg(2);
    c.validation_fraction = 0.0;
    let none = Checkpointing::default();
    let input = InputSpec::image(28, 28);
    let (m, r) = train_deep(&data(), &input, 10, &c, &none, &NoReporter).unwrap();
    assert_eq!((r.validation_samples, r.chosen_epoch), (0, 2));
    assert_eq!(r.validation_accuracy, None);
    c.epochs = 1;
    let (m1, _) = train_deep(&data(), &input, 10, &c, &none, &NoReporter).unwrap();
    assert_ne!(m, m1, "the first epoch's network was kept");
}

#[test]
fn train_without_validation_says_the_last_epoch_is_kept() {
    let train = png_folder(200);
    let out = tempfile::tempdir().unwrap();
    zg().args([
        "train", "--family", "lutnet", "--layers", "20", "--arity", "4",
    ])
    .args(["--epochs", "2", "--validation-fraction", "0", "-q"])
    .arg("--train-set-path")
    .arg(train.path())
    .arg("-o")
    .arg(out.path().join("m.hdf5"))
    .assert()
    .success()
    .stdout(predicates::str::contains(
        "trained on 200 samples (0 held out for validation)",
    ))
    .stdout(predicates::str::contains(
        "kept the last epoch (2 of 2): no samples held out for validation",
    ));
}

#[test]
fn train_arch_errors_are_exit_2() {
    let train = png_folder(100);
    let out = tempfile::tempdir().unwrap();
    for (args, want) in [
        (
            vec!["--arch", "conv(4,2,4,1),pool(2)"],
            "last stage must be fc",
        ),
        (vec!["--arch", "conv(40,2,4,1),fc(10)"], "does not fit"),
        (vec!["--arch", "fc(10"], "missing `)`"),
        (
            vec!["--arch", "fc(10)", "--layers", "100"],
            "cannot be used with",
        ),
        (vec!["--thermometer", "quantile"], "--arch"),
        (
            vec!["--arch", "fc(10)", "--thermometer", "median"],
            "invalid value 'median'",
        ),
    ] {
        zg().args([
            "train",
            "--family",
            "lutnet",
            "--epochs",
            "1",
            "--train-set-path",
        ])
        .arg(train.path())
        .arg("-o")
        .arg(out.path().join("m.hdf5"))
        .args(&args)
        .assert()
        .code(2)
        .stderr(predicates::str::contains(want));
        assert!(!out.path().join("m.hdf5").exists());
    }
    // BTHOWeN takes no architecture
    zg().args(["train", "--arch", "fc(10)", "--train-set-path"])
        .arg(train.path())
        .arg("-o")
        .arg(out.path().join("m.hdf5"))
        .assert()
        .code(2)
        .stderr(predicates::str::contains("--arch"));
}

#[test]
fn fashion_mnist_is_a_first_class_data_set() {
    // a slice of Fashion-MNIST as a PNG folder, with the class names the data script wrote
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("fashion");
    let d = load_dataset(&fashion_dir(), Split::Train)
        .unwrap()
        .slice(0..400);
    zero_g::data::export_png_folder(&d, &dir).unwrap();
    std::fs::copy(
        fashion_dir().join("class-names.txt"),
        dir.join("class-names.txt"),
    )
    .unwrap();
    let model = tmp.path().join("fashion.hdf5");
    zg().args(["train", "--family", "lutnet", "--arch", "conv(4,3,4,1),pool(2),fc(20,in)"])
        .args(["--arity", "4", "--epochs", "1", "--batch-size", "50", "--train-set-path"])
        .arg(&dir)
        .arg("-o")
        .arg(&model)
        .assert()
        .success()
        .stdout(predicates::str::contains(
            "classes: T-shirt/top, Trouser, Pullover, Dress, Coat, Sandal, Shirt, Sneaker, Bag, Ankle boot",
        ));
    // the full test set, read from the IDX folder
    zg().args(["compute-accuracy", "--model-path"])
        .arg(&model)
        .arg("--test-set-path")
        .arg(fashion_dir())
        .assert()
        .success()
        .stdout(predicates::str::contains("/ 10000"));
    let Model::LutNet(m) = io::load(&model).unwrap() else {
        panic!("a LUT network")
    };
    let x = d.image(0);
    let name = m.input().class_name(m.predict(x).class);
    zg().args(["predict", "--model-path"])
        .arg(&model)
        .arg("--img-path")
        .arg(dir.join("0000_9.png"))
        .assert()
        .success()
        .stdout(predicates::str::contains(name));
}
