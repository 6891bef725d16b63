//! Native inference throughput per model: one image, and the whole MNIST test set in parallel.
//! Run: `cargo bench --bench inference` (needs data/mnist from scripts/fetch-mnist.sh).

use criterion::{criterion_group, criterion_main, BenchmarkId, Criterion};
use std::path::PathBuf;
use zero_g::data::{load_dataset, Split};
use zero_g::model::io;
use zero_g::train::{evaluate, NoReporter};

fn models() -> Vec<(String, PathBuf)> {
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("models");
    let mut v: Vec<_> = std::fs::read_dir(&dir)
        .map(|rd| rd.filter_map(|e| e.ok()).map(|e| e.path()).collect())
        .unwrap_or_default();
    v.retain(|p: &PathBuf| p.extension().is_some_and(|e| e == "hdf5"));
    v.sort();
    v.into_iter()
        .map(|p| (p.file_stem().unwrap().to_string_lossy().into_owned(), p))
        .collect()
}

fn bench(c: &mut Criterion) {
    let mnist = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("data/mnist");
    let test = load_dataset(&mnist, Split::Test).expect("run scripts/fetch-mnist.sh first");
    let mut g = c.benchmark_group("inference");
    for (name, path) in models() {
        let m = io::load(&path).unwrap();
        if m.input().image_size() != Some((28, 28)) {
            continue; // MNIST models only: the tabular ones have benches/tabular_table.sh
        }
        let img = test.image(0).to_vec();
        let mut scores = vec![0; m.num_classes()];
        g.bench_with_input(BenchmarkId::new("single_image", &name), &img, |b, img| {
            match m.as_bthowen() {
                // BTHOWeN has an allocation-free form
                Some(w) => b.iter(|| w.scores_into(img, &mut scores)),
                None => b.iter(|| m.scores(img)),
            }
        });
        g.bench_function(BenchmarkId::new("mnist_test_10k", &name), |b| {
            b.iter(|| evaluate(&m, &test, &NoReporter))
        });
    }
    g.finish();
}

criterion_group! {
    name = benches;
    config = Criterion::default().sample_size(10);
    targets = bench
}
criterion_main!(benches);
