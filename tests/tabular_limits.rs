//! Tabular inputs at and past their limits, through the binary: a header of 10⁶ columns
//! and a file of 100 MB for one `--csv-row` (linear time, bounded memory), 300 classes
//! (class indices are 16 bits, never narrowed to a byte), and BTHOWeN training on a table
//! of 240,000 rows in memory bounded by the model. Time and peak memory are measured on
//! the child process alone (`wait4`).

mod common;
use assert_cmd::Command;
use common::anvil::root;

fn zg() -> Command {
    Command::cargo_bin("zero_g").unwrap()
}

/// Runs the binary with `args`, returning whether it succeeded, its wall time and its peak
/// resident memory (of this child alone: `wait4`).
// the child is reaped by `wait4` below, which `Child::wait` cannot stand in for: it does
// not report the child's resource usage
#[allow(clippy::zombie_processes)]
fn run_measured(args: &[&std::ffi::OsStr]) -> (bool, std::time::Duration, u64) {
    let start = std::time::Instant::now();
    let child = std::process::Command::new(assert_cmd::cargo::cargo_bin("zero_g"))
        .args(args)
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .spawn()
        .unwrap();
    let mut status = 0;
    // SAFETY: a zeroed rusage is valid; wait4 reaps exactly this child.
    let mut usage: libc::rusage = unsafe { std::mem::zeroed() };
    let pid = unsafe { libc::wait4(child.id() as i32, &mut status, 0, &mut usage) };
    assert_eq!(pid, child.id() as i32);
    let ok = libc::WIFEXITED(status) && libc::WEXITSTATUS(status) == 0;
    (ok, start.elapsed(), usage.ru_maxrss as u64 * 1024)
}

#[test]
fn csv_row_of_a_million_column_header_takes_linear_time_and_memory() {
    let dir = tempfile::tempdir().unwrap();
    let n = 1_000_000;
    let mut text = String::with_capacity(20 * n);
    for i in 0..n {
        text += &format!("x{i},");
    }
    text += "petal_width_cm,petal_length_cm,sepal_width_cm,sepal_length_cm\n";
    text += &"0,".repeat(n);
    text += "0.2,1.4,3.5,5.1\n";
    // then 100 MB of rows that are never read
    let wide = dir.path().join("wide.csv");
    {
        use std::io::Write;
        let mut w = std::io::BufWriter::new(std::fs::File::create(&wide).unwrap());
        w.write_all(text.as_bytes()).unwrap();
        let row = format!("{}9,9,9,9\n", "1,".repeat(n));
        while w.get_ref().metadata().unwrap().len() < 100 << 20 {
            w.write_all(row.as_bytes()).unwrap();
            w.flush().unwrap();
        }
    }
    let row = format!("{}:1", wide.display());
    let (ok, took, rss) = run_measured(&[
        "predict".as_ref(),
        "-m".as_ref(),
        root().join("models/iris.hdf5").as_os_str(),
        "--csv-row".as_ref(),
        row.as_ref(),
    ]);
    assert!(ok);
    eprintln!(
        "--csv-row on a 10^6-column header: {took:?}, peak RSS {} MiB",
        rss >> 20
    );
    // quadratic work took > 240 s, and reading the whole file 943 MB for 200 MB
    assert!(took < std::time::Duration::from_secs(30), "{took:?}");
    assert!(rss < 200 << 20, "peak RSS {} MiB", rss >> 20);
}

/// A LUT network over one feature with 300 classes (named "0" … "299") in which class
/// `winner` always wins: every node of its group outputs 1, every other node 0.
fn always(winner: usize) -> zero_g::LutNet {
    use zero_g::model::input::{Feature, InputKind, InputSpec};
    let classes = 300;
    zero_g::LutNet::new(
        InputSpec {
            kind: InputKind::Tabular {
                features: vec![Feature::numeric("x", 0.0, 1.0)],
            },
            class_names: (0..classes).map(|c| c.to_string()).collect(),
            label_column: Some("y".into()),
        },
        classes,
        2,
        vec![100, 200],
        vec![zero_g::model::LutLayer {
            arity: 2,
            wiring: (0..classes).flat_map(|_| [0, 1]).collect(),
            tables: (0..classes)
                .map(|c| if c == winner { 0b1111 } else { 0 })
                .collect(),
        }],
    )
    .unwrap()
}

#[test]
fn class_indices_past_255_are_never_narrowed_to_a_byte() {
    let dir = tempfile::tempdir().unwrap();
    let csv = |label: usize| {
        let f = dir.path().join(format!("y{label}.csv"));
        let rows: String = (0..30).map(|i| format!("0.{i},{label}\n")).collect();
        std::fs::write(&f, format!("x,y\n{rows}")).unwrap();
        f
    };
    // 299 wins; 299 = 43 + 256: a label narrowed to a byte would read 43
    for (winner, label, correct) in [(299, 299, 30), (299, 43, 0), (43, 299, 0), (43, 43, 30)] {
        let model = dir.path().join(format!("m{winner}.hdf5"));
        zero_g::model::io::save(&always(winner).into(), &model).unwrap();
        let out = zg()
            .args(["compute-accuracy", "--json", "-m"])
            .arg(&model)
            .arg("-t")
            .arg(csv(label))
            .assert()
            .success();
        let v: serde_json::Value = serde_json::from_slice(&out.get_output().stdout).unwrap();
        assert_eq!(
            (v["correct"].as_u64(), v["total"].as_u64()),
            (Some(correct), Some(30)),
            "class {winner} wins, rows labelled {label}"
        );
    }
    // training on a table of 300 classes keeps every label (a byte would merge 44 and 300)
    let rows: String = (0..300)
        .flat_map(|c| (0..2).map(move |i| format!("{}.{i},{c}\n", c)))
        .collect();
    let train = dir.path().join("t300.csv");
    std::fs::write(&train, format!("x,y\n{rows}")).unwrap();
    let model = dir.path().join("t300.hdf5");
    zg().args([
        "-q",
        "train",
        "--validation-fraction",
        "0",
        "--train-set-path",
    ])
    .arg(&train)
    .arg("-o")
    .arg(&model)
    .assert()
    .success();
    let m = zero_g::model::io::load(&model).unwrap();
    assert_eq!(m.num_classes(), 300);
    assert_eq!(
        m.input().class_names.last().map(String::as_str),
        Some("299")
    );
}

#[test]
fn bthowen_training_on_a_large_table_takes_memory_bounded_by_the_model() {
    // 240,000 rows, 3 classes, 4 features: the counters of a class reach tens of
    // thousands, which made the bleach search keep a samples × classes × counter-range
    // table (2.3 GB here; 14.9 GB for 480,000 rows)
    let dir = tempfile::tempdir().unwrap();
    let mut rng = 0x2545_f491_4f6c_dd1du64;
    let mut next = || {
        rng ^= rng << 13;
        rng ^= rng >> 7;
        rng ^= rng << 17;
        (rng >> 11) as f64 / (1u64 << 53) as f64
    };
    let mut text = String::from("a,b,c,d,y\n");
    for _ in 0..240_000 {
        let c = (next() * 3.0) as usize;
        let v: Vec<String> = (0..4)
            .map(|j| format!("{:.2}", next() * 4.0 + if j < 2 { c as f64 } else { 0.0 }))
            .collect();
        text += &format!("{},k{c}\n", v.join(","));
    }
    let train = dir.path().join("big.csv");
    std::fs::write(&train, text).unwrap();
    let model = dir.path().join("m.hdf5");
    let (ok, took, rss) = run_measured(&[
        "-q".as_ref(),
        "train".as_ref(),
        "--train-set-path".as_ref(),
        train.as_os_str(),
        "-o".as_ref(),
        model.as_os_str(),
    ]);
    eprintln!(
        "BTHOWeN on 240,000 rows: {took:?}, peak RSS {} MiB",
        rss >> 20
    );
    assert!(ok);
    assert!(rss < 256 << 20, "peak RSS {} MiB", rss >> 20);
    let m = zero_g::model::io::load(&model).unwrap();
    assert_eq!(m.num_classes(), 3);
}
