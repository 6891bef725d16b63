//! Fuzzing of every loader of untrusted files: the model loader (both families), the key
//! loader, the SRS loader and the proof-file parser. Each target mutates valid files with
//! proptest (a fixed seed, so a run is reproducible, and a bounded number of cases, so it
//! fits CI; `ZERO_G_FUZZ_CASES=N` runs N cases per target instead) and requires every
//! mutation to give a value or a clean error within a time bound: never a panic, an abort
//! or a hang. Mutations are byte-level (bit flips, bytes and words set to boundary values,
//! truncations, insertions, copied spans) and, for the checksummed key files and the JSON
//! proof files, structure-aware too (the checksum recomputed after the mutation, JSON
//! values replaced), so that the parsers behind the checksum are reached.
//!
//! `tests/fuzz_corpus/` keeps inputs that crashed a loader, as regression tests
//! ([`crash_corpus_loads_as_clean_errors`]).

mod common;
use common::anvil::root;
use common::*;
use proptest::prelude::*;
use proptest::test_runner::{Config, RngAlgorithm, TestCaseError, TestRng, TestRunner};
use sha2::Digest;
use std::path::{Path, PathBuf};
use std::sync::{Arc, OnceLock};
use std::time::{Duration, Instant};
use zero_g::circuit::{ImageInput, Layout, Statement};
use zero_g::model::{io, InputSpec, LutLayer, LutNet, Model};
use zero_g::progress::NoReporter;
use zero_g::proving::{self, artifacts, KeyMeta, ProofFile, Srs};

/// The longest one load may take (a hang or a runaway allocation shows up here).
const TIME_LIMIT: Duration = Duration::from_secs(10);

/// Cases per target: the CI budget, or `ZERO_G_FUZZ_CASES`.
fn cases(default: u32) -> u32 {
    std::env::var("ZERO_G_FUZZ_CASES")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

/// A runner with a fixed seed (per target) and no failure files written into the tree.
fn runner(target: &str, n: u32) -> TestRunner {
    let mut seed = [0u8; 32];
    seed.copy_from_slice(&sha2::Sha256::digest(format!("zero_g fuzz {target}")));
    TestRunner::new_with_rng(
        Config {
            cases: cases(n),
            failure_persistence: None,
            max_shrink_iters: 256,
            ..Config::default()
        },
        TestRng::from_seed(RngAlgorithm::ChaCha, &seed),
    )
}

/// One byte-level mutation; positions are taken modulo the length (some only within the
/// first 512 bytes, where the headers are).
#[derive(Clone, Debug)]
enum Mutation {
    Flip {
        at: u64,
        bit: u8,
        head: bool,
    },
    Set {
        at: u64,
        byte: u8,
        head: bool,
    },
    Word {
        at: u64,
        value: u64,
        width: u8,
        big_endian: bool,
        head: bool,
    },
    Truncate {
        at: u64,
    },
    Insert {
        at: u64,
        bytes: Vec<u8>,
    },
    Copy {
        from: u64,
        to: u64,
        len: u16,
    },
}

const BOUNDARY: [u64; 12] = [
    0,
    1,
    2,
    0x7f,
    0x80,
    0xff,
    0xffff,
    0x7fff_ffff,
    0x8000_0000,
    0xffff_ffff,
    1 << 40,
    u64::MAX,
];

fn mutation() -> impl Strategy<Value = Mutation> {
    prop_oneof![
        3 => (any::<u64>(), 0u8..8, any::<bool>())
            .prop_map(|(at, bit, head)| Mutation::Flip { at, bit, head }),
        2 => (any::<u64>(), prop_oneof![Just(0u8), Just(0xff), Just(0x80), any::<u8>()], any::<bool>())
            .prop_map(|(at, byte, head)| Mutation::Set { at, byte, head }),
        2 => (any::<u64>(), prop::sample::select(&BOUNDARY[..]), prop_oneof![Just(2u8), Just(4), Just(8)], any::<bool>(), any::<bool>())
            .prop_map(|(at, value, width, big_endian, head)| Mutation::Word { at, value, width, big_endian, head }),
        1 => any::<u64>().prop_map(|at| Mutation::Truncate { at }),
        1 => (any::<u64>(), prop::collection::vec(any::<u8>(), 1..16))
            .prop_map(|(at, bytes)| Mutation::Insert { at, bytes }),
        1 => (any::<u64>(), any::<u64>(), 1u16..256)
            .prop_map(|(from, to, len)| Mutation::Copy { from, to, len }),
    ]
}

fn mutations() -> impl Strategy<Value = Vec<Mutation>> {
    prop::collection::vec(mutation(), 1..6)
}

fn apply(bytes: &mut Vec<u8>, ms: &[Mutation]) {
    for m in ms {
        if bytes.is_empty() {
            return;
        }
        let len = bytes.len() as u64;
        let pos = |at: u64, head: bool| (at % if head { len.min(512) } else { len }) as usize;
        match m {
            Mutation::Flip { at, bit, head } => bytes[pos(*at, *head)] ^= 1 << bit,
            Mutation::Set { at, byte, head } => bytes[pos(*at, *head)] = *byte,
            Mutation::Word {
                at,
                value,
                width,
                big_endian,
                head,
            } => {
                let w = *width as usize;
                let b = if *big_endian {
                    value.to_be_bytes()[8 - w..].to_vec()
                } else {
                    value.to_le_bytes()[..w].to_vec()
                };
                let p = pos(*at, *head);
                let end = (p + w).min(bytes.len());
                bytes[p..end].copy_from_slice(&b[..end - p]);
            }
            Mutation::Truncate { at } => bytes.truncate(pos(*at, false)),
            Mutation::Insert { at, bytes: new } => {
                let p = pos(*at, false);
                bytes.splice(p..p, new.iter().copied());
            }
            Mutation::Copy { from, to, len: n } => {
                let (f, t) = (pos(*from, false), pos(*to, false));
                let n = (*n as usize).min(bytes.len() - f).min(bytes.len() - t);
                bytes.copy_within(f..f + n, t);
            }
        }
    }
}

/// Runs a loader on one input: it must return (a value or an error) within the time limit.
/// A panic inside fails the case (proptest reports it, shrunk).
fn timed<T>(what: &str, load: impl FnOnce() -> T) -> Result<T, TestCaseError> {
    let start = Instant::now();
    let r = load();
    let took = start.elapsed();
    prop_assert!(took < TIME_LIMIT, "{what} took {took:?}");
    Ok(r)
}

/// Fuzzes `load` with `n` mutation lists of `seed`, writing each input to `path`; returns
/// how many inputs loaded and how many were refused.
fn fuzz_file<T: IsOk>(
    name: &str,
    n: u32,
    seed: &[u8],
    path: &Path,
    load: impl Fn(&Path) -> T,
) -> (u32, u32) {
    let counts = std::cell::Cell::new((0u32, 0u32));
    runner(name, n)
        .run(&mutations(), |ms| {
            let mut bytes = seed.to_vec();
            apply(&mut bytes, &ms);
            std::fs::write(path, &bytes).unwrap();
            let ok = timed(name, || load(path))?.is_ok();
            let (o, e) = counts.get();
            counts.set(if ok { (o + 1, e) } else { (o, e + 1) });
            Ok(())
        })
        .unwrap_or_else(|e| panic!("{name}: {e}"));
    let (ok, err) = counts.get();
    eprintln!("{name}: {ok} loaded, {err} refused");
    (ok, err)
}

/// Whether a loader's outcome is a value.
trait IsOk {
    fn is_ok(&self) -> bool;
}
impl<T, E> IsOk for Result<T, E> {
    fn is_ok(&self) -> bool {
        Result::is_ok(self)
    }
}

/// A small LUT network over 4×4 images: one threshold per pixel, 4 LUT-2 nodes, 2 classes.
fn small_lut() -> Model {
    let thresholds = (0..16).map(|i| (i * 13 % 200 + 20) as u16).collect();
    let layer = LutLayer {
        arity: 2,
        wiring: vec![0, 5, 3, 10, 6, 9, 12, 15],
        tables: vec![0b0110, 0b1000, 0b1110, 0b0001],
    };
    Model::LutNet(LutNet::new(InputSpec::image(4, 4), 2, 1, thresholds, vec![layer]).unwrap())
}

/// A small deep LUT network (format 3: its architecture is kept and checked on reading) over
/// 6×6 images: a convolution of 2 two-leaf kernels, OR pooling, 4 nodes reading both.
fn small_deep() -> Model {
    use zero_g::model::lutnet::arch::{self, Arch, Grid, Wiring};
    let a: Arch = "conv(3,1,2,2),pool(2),fc(4,in)".parse().unwrap();
    let geoms = a.layers(Grid { w: 6, h: 6, c: 1 }, 2).unwrap();
    let (mut choices, mut tables) = (Vec::new(), Vec::new());
    for g in &geoms {
        let slots = g.kernel_nodes() * g.arity;
        choices.push(match &g.wiring {
            Wiring::Fixed(f) => f.clone(),
            Wiring::Learned => (0..slots as u32)
                .map(|s| s * 5 % g.offsets.len() as u32)
                .collect(),
        });
        tables.push(
            (0..g.kernel_nodes() as u64)
                .map(|k| g.fixed_table.unwrap_or(k * 7 % 16))
                .collect(),
        );
    }
    let layers = arch::unroll(&geoms, &choices, &tables, 36);
    let thresholds = (0..36).map(|i| (i * 7 % 200 + 20) as u16).collect();
    Model::LutNet(
        LutNet::new(InputSpec::image(6, 6), 2, 1, thresholds, layers)
            .unwrap()
            .with_architecture(a)
            .unwrap(),
    )
}

/// Keys and a proof for [`small_lut`], made once.
struct Proven {
    _dir: tempfile::TempDir,
    srs: Srs,
    meta: KeyMeta,
    vk: halo2_proofs::plonk::VerifyingKey<halo2_proofs::halo2curves::bn256::G1Affine>,
    vk_bytes: Vec<u8>,
    pk_bytes: Vec<u8>,
    proof: ProofFile,
}

fn proven() -> &'static Proven {
    static P: OnceLock<Proven> = OnceLock::new();
    P.get_or_init(|| {
        let model = Arc::new(small_lut());
        let st = Statement::default();
        let k = proving::circuit_params(&model, Layout::Auto, &st)
            .unwrap()
            .k;
        let srs = proving::generate_srs(k, Some(11));
        let (pk, meta) =
            proving::keygen(&srs, model.clone(), Layout::Auto, &st, &NoReporter).unwrap();
        let pixels: Vec<u8> = (0..16).map(|i| (i * 17) as u8).collect();
        let proof = proving::prove(
            &srs,
            &pk,
            &meta,
            model,
            &[ImageInput::new(pixels)],
            &NoReporter,
        )
        .unwrap();
        let dir = tempfile::tempdir().unwrap();
        let (vkp, pkp) = (dir.path().join("k.vk"), dir.path().join("k.pk"));
        artifacts::write_keys(&vkp, &pkp, &pk, &meta).unwrap();
        Proven {
            vk_bytes: std::fs::read(&vkp).unwrap(),
            pk_bytes: std::fs::read(&pkp).unwrap(),
            vk: pk.get_vk().clone(),
            _dir: dir,
            srs,
            meta,
            proof,
        }
    })
}

#[test]
fn fuzz_model_loader() {
    let dir = tempfile::tempdir().unwrap();
    let lut = dir.path().join("lut.hdf5");
    io::save(&small_lut(), &lut).unwrap();
    let deep = dir.path().join("deep.hdf5");
    io::save(&small_deep(), &deep).unwrap();
    let seeds: Vec<(String, PathBuf, u32)> = vec![
        ("lutnet".into(), lut, 500),
        ("deep lutnet".into(), deep, 300),
        ("bthowen tiny".into(), reference(TINY), 300),
        ("bthowen small".into(), reference(SMALL), 150),
    ];
    let target = dir.path().join("fuzzed.hdf5");
    for (name, seed, n) in seeds {
        let bytes = std::fs::read(&seed).unwrap();
        assert!(io::load(&seed).is_ok(), "{name}: the seed loads");
        fuzz_file(&format!("model {name}"), n, &bytes, &target, |p| {
            io::load(p).map(|m| m.num_classes())
        });
    }
}

/// A key file with its checksum recomputed (what reaches the parsers behind it).
fn resealed(bytes: &[u8]) -> Vec<u8> {
    if bytes.len() < 14 {
        return bytes.to_vec();
    }
    let n = u32::from_le_bytes(bytes[10..14].try_into().unwrap()) as usize;
    let Some(end) = 14usize.checked_add(n).filter(|&e| e + 32 <= bytes.len()) else {
        return bytes.to_vec();
    };
    let sum = sha2::Sha256::new()
        .chain_update(&bytes[..end])
        .chain_update(&bytes[end + 32..])
        .finalize();
    let mut out = bytes.to_vec();
    out[end..end + 32].copy_from_slice(&sum);
    out
}

#[test]
fn fuzz_key_loader() {
    let p = proven();
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("fuzzed.key");
    assert!(artifacts::read_vk(&{
        std::fs::write(&path, &p.vk_bytes).unwrap();
        path.clone()
    })
    .is_ok());
    for (name, seed, n) in [("vk", &p.vk_bytes, 400u32), ("pk", &p.pk_bytes, 150)] {
        let read = |path: &Path| -> Result<(), proving::ProofError> {
            if name == "vk" {
                artifacts::read_vk(path).map(|_| ())
            } else {
                artifacts::read_pk(path).map(|_| ())
            }
        };
        // raw: the checksum stops everything but a mutation that changed nothing
        fuzz_file(&format!("key {name} raw"), n, seed, &path, |path| {
            let r = read(path);
            assert!(
                r.is_err() || std::fs::read(path).unwrap() == *seed,
                "a changed key file was accepted"
            );
            r
        });
        // resealed: the header's JSON, its bounds and halo2's reader are reached
        let (_, err) = fuzz_file(&format!("key {name} resealed"), n, seed, &path, |path| {
            let b = std::fs::read(path).unwrap();
            std::fs::write(path, resealed(&b)).unwrap();
            read(path)
        });
        assert!(err > 0);
    }
    // structure-aware: one header value replaced, the checksum recomputed
    let header_len = 14 + u32::from_le_bytes(p.vk_bytes[10..14].try_into().unwrap()) as usize;
    let meta: serde_json::Value = serde_json::from_slice(&p.vk_bytes[14..header_len]).unwrap();
    let leaves = json_leaves(&meta);
    let body = p.vk_bytes[header_len + 32..].to_vec();
    runner("key header values", cases(400))
        .run(&(0..leaves.len(), json_value()), |(i, v)| {
            let mut m = meta.clone();
            *m.pointer_mut(&leaves[i]).unwrap() = v;
            let json = serde_json::to_vec(&m).unwrap();
            let mut bytes = p.vk_bytes[..10].to_vec();
            bytes.extend((json.len() as u32).to_le_bytes());
            bytes.extend(&json);
            bytes.extend([0; 32]);
            bytes.extend(&body);
            std::fs::write(&path, resealed(&bytes)).unwrap();
            let _ = timed("key header values", || artifacts::read_vk(&path))?;
            Ok(())
        })
        .unwrap_or_else(|e| panic!("key header values: {e}"));
}

/// JSON pointers of every scalar in `v`.
fn json_leaves(v: &serde_json::Value) -> Vec<String> {
    fn walk(v: &serde_json::Value, at: String, out: &mut Vec<String>) {
        match v {
            serde_json::Value::Object(m) => {
                for (k, v) in m {
                    walk(v, format!("{at}/{k}"), out)
                }
            }
            serde_json::Value::Array(a) => {
                for (i, v) in a.iter().enumerate() {
                    walk(v, format!("{at}/{i}"), out)
                }
            }
            _ => out.push(at),
        }
    }
    let mut out = vec![];
    walk(v, String::new(), &mut out);
    out
}

/// Boundary JSON values: huge and negative numbers, odd strings, wrong types.
fn json_value() -> impl Strategy<Value = serde_json::Value> {
    use serde_json::json;
    prop_oneof![
        prop::sample::select(vec![
            json!(0),
            json!(1),
            json!(-1),
            json!(2),
            json!(24),
            json!(25),
            json!(40),
            json!(u32::MAX),
            json!(u64::MAX),
            json!(i64::MIN),
            json!(1.5),
            json!(null),
            json!(true),
            json!(""),
            json!("é".repeat(40)),
            json!("0x"),
            json!("ff".repeat(32)),
            json!("FF".repeat(32)),
            json!([]),
            json!({}),
        ]),
        any::<u64>().prop_map(|n| json!(n)),
        "[a-f0-9é]{0,70}".prop_map(|s| json!(s)),
    ]
}

#[test]
fn fuzz_srs_loader() {
    let dir = tempfile::tempdir().unwrap();
    let seed_path = dir.path().join("seed.srs");
    artifacts::write_srs(&proving::generate_srs(4, Some(5)), &seed_path).unwrap();
    let seed = std::fs::read(&seed_path).unwrap();
    assert!(artifacts::read_srs(&seed_path).is_ok());
    // every point is checked: what still loads is the seed itself (a mutation that changed
    // nothing)
    fuzz_file("srs", 500, &seed, &dir.path().join("fuzzed.srs"), |p| {
        let r = artifacts::read_srs(p).map(|s| proving::srs_fingerprint(&s));
        assert!(
            r.is_err() || std::fs::read(p).unwrap() == seed,
            "a changed SRS was accepted"
        );
        r
    });
}

#[test]
fn fuzz_proof_parser() {
    let p = proven();
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("proof.json");
    artifacts::write_proof(&path, &p.proof).unwrap();
    let seed = std::fs::read(&path).unwrap();
    let check = |path: &Path| -> Result<(), String> {
        let proof = artifacts::read_proof(path).map_err(|e| e.to_string())?;
        let _ = proof.instances(None);
        let _ = proof.unpublished();
        proving::verify_report(&p.srs, &p.vk, &p.meta, &proof).map_err(|e| e.to_string())?;
        Ok(())
    };
    assert!(check(&path).is_ok());
    fuzz_file(
        "proof bytes",
        400,
        &seed,
        &dir.path().join("fuzzed.json"),
        check,
    );
    // structure-aware: one JSON value replaced
    let v: serde_json::Value = serde_json::from_slice(&seed).unwrap();
    let leaves = json_leaves(&v);
    let target = dir.path().join("fuzzed.json");
    runner("proof values", cases(500))
        .run(&(0..leaves.len(), json_value()), |(i, new)| {
            let mut m = v.clone();
            *m.pointer_mut(&leaves[i]).unwrap() = new;
            std::fs::write(&target, serde_json::to_vec(&m).unwrap()).unwrap();
            let _ = timed("proof values", || check(&target))?;
            Ok(())
        })
        .unwrap_or_else(|e| panic!("proof values: {e}"));
}

/// CSV input: a training table, a labelled test set and `--csv-row` rows read from mutated
/// files (quoted fields, CRLF and LF lines, blank lines, a text column) give rows or a clean
/// error naming the file, never a panic or a hang.
#[test]
fn fuzz_csv_reader() {
    use zero_g::data::csv::{read, read_dataset, read_rows, Label};
    let dir = tempfile::tempdir().unwrap();
    let fit = dir.path().join("fit.csv");
    std::fs::write(&fit, "a,b,\"label, class\"\n0,0,low\n10,50,high\n").unwrap();
    let spec = read(&fit, Label::Last).unwrap().fit().unwrap();
    let seed = b"a,note,b,\"label, class\"\r\n1.5,\"x, y\",-2,low\r\n3,,4e1,high\r\n\r\n\
                 5,z,6,low\n7,\"two\nlines\",8,high\n9,\"q \"\"\" r\",0.5,low"
        .to_vec();
    let label = Label::Named("label, class");
    let check = |path: &Path| -> Result<(), String> {
        if let Ok(t) = read(path, label) {
            let _ = t.fit();
        }
        let ds = read_dataset(path, label, &spec).map_err(|e| e.to_string())?;
        assert_eq!(ds.pixels.len(), 2 * ds.labels.len());
        let rows = read_rows(path, &spec, &[2, 1]).map_err(|e| e.to_string())?;
        assert!(rows.iter().all(|r| r.len() == 2));
        Ok(())
    };
    let seed_path = dir.path().join("seed.csv");
    std::fs::write(&seed_path, &seed).unwrap();
    check(&seed_path).unwrap();
    let (ok, _) = fuzz_file(
        "csv bytes",
        600,
        &seed,
        &dir.path().join("fuzzed.csv"),
        check,
    );
    assert!(ok > 0, "some mutations keep a readable file");
}

/// Proof files sent on chain: what `submit-proof` and `verify-evm` send (the proof-length
/// check they share with `verify`, then the calldata) is accepted by the deployed verifier
/// exactly when native verification accepts the file, and calldata of a proof of another
/// length is rejected by the verifier itself.
#[test]
fn fuzz_proofs_sent_on_chain() {
    if std::env::var_os("ZERO_G_SOLC").is_none() {
        std::env::set_var("ZERO_G_SOLC", root().join("scripts/bin/solc"));
    }
    let p = proven();
    let sol = zero_g::evm::verifier_solidity(&p.srs, &p.vk, &p.meta).unwrap();
    let verifier = zero_g::evm::compile(&sol, zero_g::evm::VERIFIER_CONTRACT).unwrap();
    let len = proving::proof_len(&p.srs, &p.vk, &p.meta).unwrap();
    assert_eq!(p.proof.proof.len(), len);
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("fuzzed.json");
    // (native verdict, what the CLI sends, the raw calldata of the file)
    // the honest file, and the same proof with bytes appended, then mutations
    let mut seeds = vec![p.proof.clone()];
    for extra in [1, 32, 3000] {
        let mut long = p.proof.clone();
        long.proof.extend(std::iter::repeat_n(0x5a, extra));
        seeds.push(long);
    }
    let seen = std::cell::RefCell::new(Vec::new());
    for proof in &seeds {
        let native = proving::verify_report(&p.srs, &p.vk, &p.meta, proof)
            .is_ok_and(|r| r.verdict == proving::Verdict::Valid);
        let sent = zero_g::evm::calldata_checked(proof, len).ok();
        seen.borrow_mut()
            .push((native, sent, zero_g::evm::calldata(proof).ok()));
    }
    runner("proofs on chain", 150)
        .run(&mutations(), |ms| {
            let mut proof = p.proof.clone();
            apply(&mut proof.proof, &ms);
            artifacts::write_proof(&path, &proof).unwrap();
            let Ok(read) = artifacts::read_proof(&path) else {
                return Ok(());
            };
            let native = timed("proofs on chain", || {
                proving::verify_report(&p.srs, &p.vk, &p.meta, &read)
            })?
            .is_ok_and(|r| r.verdict == proving::Verdict::Valid);
            let sent = zero_g::evm::calldata_checked(&read, len).ok();
            let raw = zero_g::evm::calldata(&read).ok();
            seen.borrow_mut().push((native, sent, raw));
            Ok(())
        })
        .unwrap_or_else(|e| panic!("proofs on chain: {e}"));
    let seen = seen.into_inner();
    let mut calldatas = Vec::new();
    for (_, sent, raw) in &seen {
        calldatas.extend(sent.iter().cloned());
        if sent.is_none() {
            calldatas.extend(raw.iter().cloned());
        }
    }
    let runs = zero_g::evm::dry_run(&verifier.creation, &calldatas).unwrap();
    let mut runs = runs.iter();
    let (mut accepted, mut refused) = (0, 0);
    for (native, sent, raw) in &seen {
        if sent.is_some() {
            let on_chain = runs.next().unwrap().accepted;
            assert_eq!(
                on_chain, *native,
                "the chain and native verification disagree"
            );
            accepted += on_chain as u32;
        } else if raw.is_some() {
            assert!(
                !native,
                "native verification accepted a file the CLI refuses"
            );
            assert!(
                !runs.next().unwrap().accepted,
                "a proof of another length was accepted"
            );
            refused += 1;
        }
    }
    eprintln!(
        "proofs on chain: {} cases, {accepted} accepted on chain, {refused} refused for their length",
        seen.len()
    );
    assert!(
        accepted >= 1 && refused >= 3,
        "{accepted} accepted, {refused} refused"
    );
}

/// The crash corpus: inputs that crashed a loader (a panic, an abort or a hang) when they
/// were found, kept so that they never do again. Each must load as a clean error.
#[test]
fn crash_corpus_loads_as_clean_errors() {
    let corpus = root().join("tests/fuzz_corpus");
    let dir = tempfile::tempdir().unwrap();
    // crash inputs of an earlier evaluation of HDF5 readers, as patches of their seeds
    let patches = std::fs::read_to_string(corpus.join("hdf5eval/patches.txt")).unwrap();
    let mut n = 0;
    for line in patches
        .lines()
        .filter(|l| !l.starts_with('#') && !l.is_empty())
    {
        let mut parts = line.split_whitespace();
        let (case, seed) = (parts.next().unwrap(), parts.next().unwrap());
        let mut bytes = match seed.strip_prefix("reference/") {
            Some(name) => std::fs::read(reference(name)).unwrap(),
            None => std::fs::read(corpus.join("hdf5eval").join(seed)).unwrap(),
        };
        for patch in parts {
            let (at, byte) = patch.split_once(':').unwrap();
            bytes[usize::from_str_radix(at, 16).unwrap()] = u8::from_str_radix(byte, 16).unwrap();
        }
        let path = dir.path().join("case.hdf5");
        std::fs::write(&path, &bytes).unwrap();
        let start = Instant::now();
        let r = io::load(&path);
        assert!(start.elapsed() < TIME_LIMIT, "{case}: too slow");
        let e = r.err().unwrap_or_else(|| panic!("{case}: loaded"));
        assert!(!e.to_string().is_empty(), "{case}");
        n += 1;
    }
    assert!(n >= 20, "{n} cases");
    // inputs that crashed zero_g before (see `write_crash_corpus`); a proof file must be
    // refused by `verify` against the keys of the small model
    let verify_proof = |path: &Path| -> Result<(), String> {
        let p = proven();
        let proof = artifacts::read_proof(path).map_err(|e| e.to_string())?;
        proving::verify_report(&p.srs, &p.vk, &p.meta, &proof)
            .map(|_| ())
            .map_err(|e| e.to_string())
    };
    type Load<'a> = &'a dyn Fn(&Path) -> Result<(), String>;
    let loaders: [(&str, Load<'_>); 4] = [
        ("vk", &|p| {
            artifacts::read_vk(p).map(|_| ()).map_err(|e| e.to_string())
        }),
        ("pk", &|p| {
            artifacts::read_pk(p).map(|_| ()).map_err(|e| e.to_string())
        }),
        ("srs", &|p| {
            artifacts::read_srs(p)
                .map(|_| ())
                .map_err(|e| e.to_string())
        }),
        ("proof", &verify_proof),
    ];
    let mut files = 0;
    for (sub, load) in loaders {
        for e in std::fs::read_dir(corpus.join(sub)).unwrap().flatten() {
            let start = Instant::now();
            let r = load(&e.path());
            assert!(
                start.elapsed() < TIME_LIMIT,
                "{}: too slow",
                e.path().display()
            );
            let e = r
                .err()
                .unwrap_or_else(|| panic!("{}: loaded", e.path().display()));
            assert!(!e.contains("panicked"), "{e}");
            files += 1;
        }
    }
    assert!(files >= 9, "{files} corpus files");
}

/// Writes `tests/fuzz_corpus/{vk,pk,srs,proof}/`: inputs of the kinds that crashed zero_g
/// before issue 10 (a panic, an abort on allocation, or a hostile file accepted and a wrong
/// verdict or a panic later), built for the current formats so that they reach the checks
/// that now stop them. Run with `cargo test --release --test fuzz -- --ignored
/// write_crash_corpus`; the files depend only on the seeded SRS and the small model.
#[test]
#[ignore]
fn write_crash_corpus() {
    let corpus = root().join("tests/fuzz_corpus");
    let p = proven();
    let put = |sub: &str, name: &str, bytes: &[u8]| {
        std::fs::create_dir_all(corpus.join(sub)).unwrap();
        std::fs::write(corpus.join(sub).join(name), bytes).unwrap();
    };
    let header_len = 14 + u32::from_le_bytes(p.vk_bytes[10..14].try_into().unwrap()) as usize;
    let meta: serde_json::Value = serde_json::from_slice(&p.vk_bytes[14..header_len]).unwrap();
    let body = &p.vk_bytes[header_len + 32..];
    let key = |format: u8, meta: &serde_json::Value, body: &[u8]| {
        let json = serde_json::to_vec(meta).unwrap();
        let mut b = b"ZEROG-KEY".to_vec();
        b.push(format);
        b.extend((json.len() as u32).to_le_bytes());
        b.extend(&json);
        if format == 1 {
            // format 1: the checksum covers the body only
            b.extend(sha2::Sha256::digest(body));
            b.extend(body);
            b
        } else {
            b.extend([0; 32]);
            b.extend(body);
            resealed(&b)
        }
    };
    let edit = |f: &dyn Fn(&mut serde_json::Value)| {
        let mut m = meta.clone();
        f(&mut m);
        m
    };
    // slicing a non-ASCII fingerprint panicked (`short`)
    let non_ascii = edit(&|m| m["vk_fingerprint"] = format!("a{}", "é".repeat(40)).into());
    put("vk", "fingerprint_non_ascii.vk", &key(2, &non_ascii, body));
    // the same in format 1, with a proof file of format v2 for another key: verified by
    // zero_g before issue 10, these two panicked (`short` slicing inside a character)
    let non_ascii_v1 = edit(&|m| {
        m.as_object_mut().unwrap().remove("srs_fingerprint");
        m["vk_fingerprint"] = format!("a{}", "é".repeat(40)).into();
    });
    put(
        "vk",
        "format1_fingerprint_non_ascii.vk",
        &key(1, &non_ascii_v1, body),
    );
    let mut v2: serde_json::Value = serde_json::to_value(&p.proof).unwrap();
    v2["format"] = "zero_g-proof/v2".into();
    v2["model_digest"] = meta["model_digest"].clone();
    put(
        "proof",
        "format_v2_for_format1_fingerprint_non_ascii.json",
        &serde_json::to_vec_pretty(&v2).unwrap(),
    );
    // a header whose k differs from the body's (format 1: the header was not checksummed)
    let k_edited = edit(&|m| {
        m.as_object_mut().unwrap().remove("srs_fingerprint");
        m["circuit"]["k"] = (m["circuit"]["k"].as_u64().unwrap() + 1).into();
    });
    put("vk", "format1_header_k_edited.vk", &key(1, &k_edited, body));
    let k40 = edit(&|m| m["circuit"]["k"] = 40.into());
    put("vk", "header_k_40.vk", &key(2, &k40, body));
    // a shape that makes `configure` allocate a billion columns
    let arity = edit(&|m| m["circuit"]["family"]["arity"] = 1_000_000_000u64.into());
    put("vk", "header_arity_1e9.vk", &key(2, &arity, body));
    // a proving key announcing a polynomial of 2^32 - 1 coefficients (an abort on allocation)
    let mut pk_body = body.to_vec();
    pk_body.extend(u32::MAX.to_be_bytes());
    put("pk", "huge_polynomial.pk", &key(2, &meta, &pk_body));
    // parameters that were read unchecked: zeroed G2 points (any proof "valid"), a G1 point
    // off the curve (a panic in halo2 later)
    let dir = tempfile::tempdir().unwrap();
    let srs_path = dir.path().join("s.srs");
    artifacts::write_srs(&proving::generate_srs(4, Some(5)), &srs_path).unwrap();
    let srs = std::fs::read(&srs_path).unwrap();
    let mut zeroed = srs.clone();
    zeroed[4 + 2 * 16 * 64..].fill(0);
    put("srs", "g2_zeroed.srs", &zeroed);
    let mut off = srs.clone();
    off[4 + 5 * 64 + 9] ^= 0x20;
    put("srs", "g1_point_off_curve.srs", &off);
    // proofs naming a non-ASCII or short key fingerprint (`short` panicked on the first)
    let mut proof = p.proof.clone();
    proof.vk_fingerprint = format!("a{}", "é".repeat(40));
    put(
        "proof",
        "fingerprint_non_ascii.json",
        &serde_json::to_vec_pretty(&proof).unwrap(),
    );
    proof.vk_fingerprint = "a".into();
    put(
        "proof",
        "fingerprint_short.json",
        &serde_json::to_vec_pretty(&proof).unwrap(),
    );
}
