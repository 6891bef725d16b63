//! Training throughput (samples per second) for the four bundled model shapes, on the first
//! 6,000 MNIST training images, with the default training choices and with the original
//! BTHOWeN procedure. Run: `cargo bench --bench train` (needs data/mnist).

use criterion::{criterion_group, criterion_main, BenchmarkId, Criterion, Throughput};
use std::path::PathBuf;
use zero_g::data::{load_dataset, Split};
use zero_g::train::{train, NoReporter, TrainConfig};

fn bench(c: &mut Criterion) {
    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR"));
    let data = load_dataset(&root.join("data/mnist"), Split::Train)
        .expect("run scripts/fetch-mnist.sh first");
    let data = data.slice(0..6000);
    let mut g = c.benchmark_group("training");
    g.sample_size(10);
    g.throughput(Throughput::Elements(data.len() as u64));
    for (name, n, e, k, bpi) in [
        ("tiny", 28, 256, 1, 1),
        ("small", 28, 1024, 2, 2),
        ("medium", 28, 2048, 2, 3),
        ("large", 49, 8192, 4, 6),
    ] {
        let shape = |base: TrainConfig| TrainConfig {
            filter_inputs: n,
            filter_entries: e,
            filter_hashes: k,
            bits_per_input: bpi,
            ..base
        };
        g.bench_function(BenchmarkId::new("default", name), |b| {
            b.iter(|| train(&data, &shape(TrainConfig::default()), &NoReporter).unwrap())
        });
        g.bench_function(BenchmarkId::new("original", name), |b| {
            b.iter(|| train(&data, &shape(TrainConfig::original()), &NoReporter).unwrap())
        });
    }
    g.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
