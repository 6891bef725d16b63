//! The `zero_g` binary: outputs, `--json` forms, and every error path with its exit code.

mod common;
use assert_cmd::Command;
use common::*;
use predicates::prelude::*;
use predicates::str::contains;

fn zg() -> Command {
    Command::cargo_bin("zero_g").unwrap()
}

#[test]
fn predict_prints_scores_and_class() {
    zg().args(["predict", "--model-path"])
        .arg(reference(TINY))
        .arg("--img-path")
        .arg(reference(DIGIT7))
        .assert()
        .success()
        .stdout("class:  7\nscores: [9, 6, 13, 10, 17, 10, 9, 26, 11, 16]\n");
}

#[test]
fn predict_json() {
    let out = zg()
        .args(["predict", "--json", "-m"])
        .arg(reference(SMALL))
        .arg("-i")
        .arg(reference(DIGIT7))
        .assert()
        .success();
    let v: serde_json::Value = serde_json::from_slice(&out.get_output().stdout).unwrap();
    assert_eq!(
        v,
        serde_json::json!({"scores": [17, 13, 25, 27, 29, 21, 15, 55, 27, 32], "class": 7, "class_name": "7"})
    );
}

#[test]
fn predict_missing_model_is_exit_2() {
    zg().args(["predict", "-m", "no/such/model.hdf5", "-i"])
        .arg(reference(DIGIT7))
        .assert()
        .code(2)
        .stderr(contains("error: loading model no/such/model.hdf5").and(contains("no such file")))
        .stderr(contains("panicked").not());
}

#[test]
fn predict_malformed_model_is_exit_2() {
    let dir = tempfile::tempdir().unwrap();
    let bad = dir.path().join("bad.hdf5");
    std::fs::write(&bad, b"not an hdf5 file").unwrap();
    zg().args(["predict", "-m"])
        .arg(&bad)
        .arg("-i")
        .arg(reference(DIGIT7))
        .assert()
        .code(2)
        .stderr(contains("cannot read model file"))
        .stderr(contains("HDF5-DIAG").not());
}

#[test]
fn predict_wrong_image_size_is_exit_2() {
    let dir = tempfile::tempdir().unwrap();
    let img = dir.path().join("big.png");
    zero_g::data::save_png(&img, &[0u8; 30 * 30], 30, 30).unwrap();
    zg().args(["predict", "-m"])
        .arg(reference(TINY))
        .arg("-i")
        .arg(&img)
        .assert()
        .code(2)
        .stderr(contains("is 30×30, but the model expects 28×28"));
}

#[test]
fn predict_undecodable_or_missing_image_is_exit_2() {
    let dir = tempfile::tempdir().unwrap();
    let img = dir.path().join("x.png");
    std::fs::write(&img, b"GIF89a-ish").unwrap();
    zg().args(["predict", "-m"])
        .arg(reference(TINY))
        .arg("-i")
        .arg(&img)
        .assert()
        .code(2)
        .stderr(contains("cannot decode image"));
    zg().args(["predict", "-m"])
        .arg(reference(TINY))
        .args(["-i", "missing.png"])
        .assert()
        .code(2)
        .stderr(contains("cannot read missing.png"));
}

#[test]
fn usage_errors_are_exit_2() {
    zg().assert().code(2).stderr(contains("Usage"));
    zg().args(["predict", "--model-path", "m.hdf5"])
        .assert()
        .code(2)
        .stderr(contains("--img-path"));
    zg().args(["frobnicate"]).assert().code(2);
}

#[test]
fn compute_accuracy_on_idx_and_json() {
    zg().args(["-q", "compute-accuracy", "-m"])
        .arg(reference(TINY))
        .arg("-t")
        .arg(mnist_dir())
        .assert()
        .success()
        .stdout("Accuracy: 8306 / 10000 (83.06 %)\n");
    let out = zg()
        .args(["compute-accuracy", "--json", "-m"])
        .arg(reference(SMALL))
        .arg("--test-set-path")
        .arg(mnist_dir())
        .assert()
        .success();
    let v: serde_json::Value = serde_json::from_slice(&out.get_output().stdout).unwrap();
    assert_eq!(
        v,
        serde_json::json!({"correct": 9281, "total": 10000, "accuracy": 0.9281})
    );
}

#[test]
fn export_mnist_then_accuracy_on_the_png_folder() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("png");
    zg().args(["-q", "export-mnist", "--mnist-dir"])
        .arg(mnist_dir())
        .arg("--output-dir")
        .arg(&out)
        .assert()
        .success()
        .stdout(contains("wrote 10000 images"));
    assert!(out.join("0000_7.png").is_file());
    zg().args(["-q", "compute-accuracy", "-m"])
        .arg(reference(SMALL))
        .arg("-t")
        .arg(&out)
        .assert()
        .success()
        .stdout("Accuracy: 9281 / 10000 (92.81 %)\n");
}

#[test]
fn compute_accuracy_errors_are_exit_2() {
    let dir = tempfile::tempdir().unwrap();
    zg().args(["compute-accuracy", "-m"])
        .arg(reference(TINY))
        .arg("-t")
        .arg(dir.path())
        .assert()
        .code(2)
        .stderr(contains("no MNIST IDX files"));
    std::fs::write(dir.path().join("t10k-images-idx3-ubyte"), [0u8, 0, 8, 3]).unwrap();
    zg().args(["compute-accuracy", "-m"])
        .arg(reference(TINY))
        .arg("-t")
        .arg(dir.path())
        .assert()
        .code(2)
        .stderr(contains("malformed IDX file"));
    // wrongly sized images
    let pngs = tempfile::tempdir().unwrap();
    zero_g::data::save_png(&pngs.path().join("0000_1.png"), &[0; 16], 4, 4).unwrap();
    zg().args(["compute-accuracy", "-m"])
        .arg(reference(TINY))
        .arg("-t")
        .arg(pngs.path())
        .assert()
        .code(2)
        .stderr(contains("test images are 4×4, but the model expects 28×28"));
    // a folder of mixed sizes: the message names the odd file, not the first one
    let mixed = tempfile::tempdir().unwrap();
    zero_g::data::save_png(&mixed.path().join("0000_1.png"), &[0; 784], 28, 28).unwrap();
    zero_g::data::save_png(&mixed.path().join("0001_2.png"), &[0; 784], 28, 28).unwrap();
    zero_g::data::save_png(&mixed.path().join("0002_3.png"), &[0; 560], 20, 28).unwrap();
    zg().args(["compute-accuracy", "-m"])
        .arg(reference(TINY))
        .arg("-t")
        .arg(mixed.path())
        .assert()
        .code(2)
        .stderr(
            contains("0002_3.png")
                .and(contains(
                    "this image is 20×28, but the folder's first image",
                ))
                .and(contains("0000_1.png, is 28×28")),
        );
}

#[test]
fn train_errors_are_exit_2() {
    zg().args(["train", "--filter-entries", "1000", "-o"])
        .arg(tempfile::tempdir().unwrap().path().join("m.hdf5"))
        .arg("--train-set-path")
        .arg(mnist_dir())
        .assert()
        .code(2)
        .stderr(contains("power of two"));
    zg().args(["train", "-o", "no/such/dir/m.hdf5", "--train-set-path"])
        .arg(mnist_dir())
        .assert()
        .code(2)
        .stderr(contains("output folder no/such/dir does not exist"));
    zg().args(["train", "--train-set-path", "no/such/data"])
        .assert()
        .code(2)
        .stderr(contains("not a directory"));
    // a flag of the other family is refused, not ignored
    zg().args(["train", "--layers", "100", "--shift", "1", "-o", "m.hdf5"])
        .assert()
        .code(2)
        .stderr(contains(
            "--layers, --shift belong to --family lutnet, but this is --family bthowen (the default",
        ));
    zg().args([
        "train",
        "--family",
        "lutnet",
        "--filter-hashes",
        "2",
        "-o",
        "m.hdf5",
    ])
    .assert()
    .code(2)
    .stderr(contains("--filter-hashes belongs to --family bthowen"));
    // LUT-network settings out of range
    for (flag, value, wanted) in [
        ("--arity", "7", "arity 7"),
        ("--layers", "25", "divide into the 10 classes"),
        ("--bits-per-input", "0", "bits per input"),
    ] {
        zg().args([
            "train",
            "--family",
            "lutnet",
            flag,
            value,
            "--train-set-path",
        ])
        .arg(mnist_dir())
        .arg("-o")
        .arg(tempfile::tempdir().unwrap().path().join("m.hdf5"))
        .assert()
        .code(2)
        .stderr(contains(wanted));
    }
    // --resume without a checkpoint
    zg().args([
        "train",
        "--family",
        "lutnet",
        "--resume",
        "--train-set-path",
    ])
    .arg(mnist_dir())
    .arg("-o")
    .arg(tempfile::tempdir().unwrap().path().join("m.hdf5"))
    .assert()
    .code(2)
    .stderr(contains("--resume: no checkpoint at"));
}

#[test]
fn export_mnist_missing_input_is_exit_2() {
    zg().args(["export-mnist", "--mnist-dir", "nope", "-o"])
        .arg(tempfile::tempdir().unwrap().path())
        .assert()
        .code(2)
        .stderr(contains("cannot read nope/t10k-images-idx3-ubyte"));
}

/// `mkfifo path`; false where FIFOs cannot be made.
fn mkfifo(path: &std::path::Path) -> bool {
    std::process::Command::new("mkfifo")
        .arg(path)
        .status()
        .is_ok_and(|s| s.success())
}

#[test]
fn a_fifo_as_an_image_or_in_a_test_set_is_refused_not_waited_on() {
    let dir = tempfile::tempdir().unwrap();
    let fifo = dir.path().join("0001_2.png");
    if !mkfifo(&fifo) {
        eprintln!("mkfifo unavailable: skipped");
        return;
    }
    let limit = std::time::Duration::from_secs(60);
    for cmd in ["predict", "commit"] {
        let mut c = zg();
        c.arg(cmd);
        if cmd == "predict" {
            c.arg("-m").arg(reference(TINY));
        }
        c.arg("-i")
            .arg(&fifo)
            .timeout(limit)
            .assert()
            .code(2)
            .stderr(contains("not a regular file"));
    }
    zero_g::data::save_png(&dir.path().join("0000_7.png"), &[0; 784], 28, 28).unwrap();
    zg().args(["compute-accuracy", "-m"])
        .arg(reference(TINY))
        .arg("-t")
        .arg(dir.path())
        .timeout(limit)
        .assert()
        .code(2)
        .stderr(contains("0001_2.png").and(contains("not a regular file")));
}

#[test]
fn a_truncated_jpeg_or_png_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let png = std::fs::read(reference(DIGIT7)).unwrap();
    let img = dir.path().join("cut.png");
    std::fs::write(&img, &png[..png.len() - 20]).unwrap();
    zg().args(["predict", "-m"])
        .arg(reference(TINY))
        .arg("-i")
        .arg(&img)
        .assert()
        .code(2)
        .stderr(contains("truncated PNG"));
    let gray = zero_g::data::load_grayscale(&reference(DIGIT7)).unwrap().0;
    let mut jpg = Vec::new();
    image::ImageEncoder::write_image(
        image::codecs::jpeg::JpegEncoder::new_with_quality(&mut jpg, 95),
        &gray,
        28,
        28,
        image::ExtendedColorType::L8,
    )
    .unwrap();
    let img = dir.path().join("d.jpg");
    std::fs::write(&img, &jpg).unwrap();
    zg().args(["predict", "-m"])
        .arg(reference(TINY))
        .arg("-i")
        .arg(&img)
        .assert()
        .success()
        .stdout(contains("class:  7"));
    std::fs::write(&img, &jpg[..jpg.len() * 2 / 3]).unwrap();
    zg().args(["predict", "-m"])
        .arg(reference(TINY))
        .arg("-i")
        .arg(&img)
        .assert()
        .code(2)
        .stderr(contains("truncated JPEG").and(contains("panicked").not()));
}

#[test]
fn export_mnist_write_errors_are_exit_2_and_leave_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("png");
    // every write fails (EFBIG) once files may not grow past 0 blocks, as on a full disk
    let bin = assert_cmd::cargo::cargo_bin("zero_g");
    let status = std::process::Command::new("sh")
        .arg("-c")
        .arg(r#"trap '' XFSZ; ulimit -f 0; exec "$0" "$@""#)
        .arg(&bin)
        .args(["-q", "export-mnist", "--mnist-dir"])
        .arg(mnist_dir())
        .arg("-o")
        .arg(&out)
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&status.stderr);
    assert_eq!(status.status.code(), Some(2), "{stderr}");
    assert!(stderr.contains("cannot write"), "{stderr}");
    assert!(
        std::fs::read_dir(dir.path()).unwrap().next().is_none(),
        "nothing is left behind"
    );
    // a folder that already holds files is not written into
    std::fs::create_dir(&out).unwrap();
    std::fs::write(out.join("notes.txt"), b"mine").unwrap();
    zg().args(["-q", "export-mnist", "--mnist-dir"])
        .arg(mnist_dir())
        .arg("-o")
        .arg(&out)
        .assert()
        .code(2)
        .stderr(contains("not empty"));
    assert_eq!(std::fs::read_dir(&out).unwrap().count(), 1);
}
