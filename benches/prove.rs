//! Key generation, proving and verification per bundled model.
//! Run: `cargo bench --bench prove` (the table with sizes and RSS: `benches/prove_table.sh`).

use criterion::{criterion_group, criterion_main, BenchmarkId, Criterion};
use std::path::PathBuf;
use std::sync::Arc;
use zero_g::circuit::{ImageInput, Layout, Statement};
use zero_g::data::{load_dataset, Split};
use zero_g::model::io;
use zero_g::progress::NoReporter;
use zero_g::proving;

fn bench(c: &mut Criterion) {
    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR"));
    let test = load_dataset(&root.join("data/mnist"), Split::Test)
        .expect("run scripts/fetch-mnist.sh first");
    let input = [ImageInput::new(test.image(0).to_vec())];
    let st = Statement::default();
    let mut names: Vec<PathBuf> = std::fs::read_dir(root.join("models"))
        .map(|rd| rd.filter_map(|e| e.ok()).map(|e| e.path()).collect())
        .unwrap_or_default();
    names.retain(|p| p.extension().is_some_and(|e| e == "hdf5"));
    names.sort_by_key(|p| std::fs::metadata(p).map(|m| m.len()).unwrap_or(0));
    let mut g = c.benchmark_group("proving");
    g.sample_size(10);
    for path in names {
        let name = path.file_stem().unwrap().to_string_lossy().into_owned();
        let model = Arc::new(io::load(&path).unwrap());
        if model.input().image_size() != Some((28, 28)) {
            continue; // MNIST models only: the tabular ones have benches/tabular_table.sh
        }
        let k = proving::circuit_params(&model, Layout::Auto, &st)
            .unwrap()
            .k;
        let srs = proving::generate_srs(k, Some(1));
        g.bench_function(BenchmarkId::new("keygen", &name), |b| {
            b.iter(|| proving::keygen(&srs, model.clone(), Layout::Auto, &st, &NoReporter).unwrap())
        });
        let (pk, meta) =
            proving::keygen(&srs, model.clone(), Layout::Auto, &st, &NoReporter).unwrap();
        g.bench_function(BenchmarkId::new("prove", &name), |b| {
            b.iter(|| proving::prove(&srs, &pk, &meta, model.clone(), &input, &NoReporter).unwrap())
        });
        let proof = proving::prove(&srs, &pk, &meta, model.clone(), &input, &NoReporter).unwrap();
        g.bench_function(BenchmarkId::new("verify", &name), |b| {
            b.iter(|| {
                assert!(proving::verify(&srs, pk.get_vk(), &meta, &proof)
                    .unwrap()
                    .is_valid())
            })
        });
    }
    g.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
