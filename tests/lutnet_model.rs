//! LUT-network model files: a written model reads back identically (and as h5py sees it,
//! when h5py is installed); every malformed file is refused with a message naming the
//! problem, never a panic.

mod common;
use hdf5_pure::{AttrValue, FileBuilder};
use std::path::{Path, PathBuf};
use zero_g::model::io::{self, write_bool};
use zero_g::model::{Feature, InputKind, InputSpec, LutLayer, LutNet, Model};

/// A small valid network: 4×3 image, 2 thresholds per pixel, a LUT-3 layer of 4 nodes and a
/// LUT-2 last layer of 4 nodes in 2 classes.
fn small() -> LutNet {
    let n = 12;
    let thresholds: Vec<u16> = (0..n * 2).map(|i| [0, 30, 128, 256, 200][i % 5]).collect();
    let l0 = LutLayer {
        arity: 3,
        wiring: vec![0, 1, 2, 5, 7, 9, 11, 13, 15, 20, 22, 23],
        tables: vec![0b1000_0001, 0b0110_1001, 0xff, 0],
    };
    let l1 = LutLayer {
        arity: 2,
        wiring: vec![24, 25, 26, 27, 24, 3, 25, 27],
        tables: vec![0b1000, 0b0110, 0b1110, 0b0001],
    };
    LutNet::new(InputSpec::image(4, 3), 2, 2, thresholds, vec![l0, l1]).unwrap()
}

/// The parts of a LUT model file, to be broken one by one.
#[derive(Clone)]
struct Parts {
    attrs: Vec<(&'static str, i64)>,
    family: Option<&'static str>,
    format: i64,
    input: Option<String>,
    thresholds: (Vec<u64>, Vec<usize>),
    wiring: Vec<(Vec<u64>, Vec<usize>)>,
    tables: Vec<(Vec<u8>, Vec<usize>)>,
    /// Write the tables as uint8 rather than h5py's bool.
    int_tables: bool,
    /// Write the wiring as float32.
    float_wiring: bool,
}

fn parts() -> Parts {
    let m = small();
    let mut wiring = Vec::new();
    let mut tables = Vec::new();
    for l in m.layers() {
        wiring.push((
            l.wiring.iter().map(|&w| w as u64).collect(),
            vec![l.nodes(), l.arity],
        ));
        let e = 1usize << l.arity;
        tables.push((
            l.tables
                .iter()
                .flat_map(|&t| (0..e).map(move |a| (t >> a & 1) as u8))
                .collect(),
            vec![l.nodes(), e],
        ));
    }
    Parts {
        attrs: vec![
            ("num_classes", 2),
            ("num_inputs", 12),
            ("bits_per_input", 2),
            ("num_layers", 2),
        ],
        family: Some("lutnet"),
        format: 1,
        input: Some(serde_json::to_string(m.input()).unwrap()),
        thresholds: (
            m.thresholds().iter().map(|&t| t as u64).collect(),
            vec![12, 2],
        ),
        wiring,
        tables,
        int_tables: false,
        float_wiring: false,
    }
}

fn write(dir: &Path, p: &Parts) -> PathBuf {
    let path = dir.join("m.hdf5");
    let mut fb = FileBuilder::new();
    if let Some(f) = p.family {
        fb.set_attr("zero_g_family", AttrValue::VarLenString(f.into()));
    }
    fb.set_attr("zero_g_format", AttrValue::I64(p.format));
    for (n, v) in &p.attrs {
        fb.set_attr(n, AttrValue::I64(*v));
    }
    if let Some(i) = &p.input {
        fb.set_attr("zero_g_input", AttrValue::VarLenString(i.clone()));
    }
    let shape = |s: &[usize]| s.iter().map(|&d| d as u64).collect::<Vec<_>>();
    let t: Vec<u16> = p.thresholds.0.iter().map(|&v| v as u16).collect();
    fb.create_dataset("thresholds")
        .with_u16_data(&t)
        .with_shape(&shape(&p.thresholds.1));
    for (l, (w, s)) in p.wiring.iter().enumerate() {
        let name = format!("layer_{l}_wiring");
        if p.float_wiring {
            let f: Vec<f32> = w.iter().map(|&v| v as f32).collect();
            fb.create_dataset(&name)
                .with_f32_data(&f)
                .with_shape(&shape(s));
        } else {
            let w32: Vec<u32> = w.iter().map(|&v| v as u32).collect();
            fb.create_dataset(&name)
                .with_u32_data(&w32)
                .with_shape(&shape(s));
        }
    }
    for (l, (t, s)) in p.tables.iter().enumerate() {
        let name = format!("layer_{l}_tables");
        if p.int_tables {
            fb.create_dataset(&name)
                .with_u8_data(t)
                .with_shape(&shape(s));
        } else {
            let bits: Vec<bool> = t.iter().map(|&b| b != 0).collect();
            write_bool(&mut fb, &name, s, &bits);
        }
    }
    std::fs::write(&path, fb.finish().unwrap()).unwrap();
    path
}

fn load_err(p: &Parts) -> String {
    let dir = tempfile::tempdir().unwrap();
    io::load(&write(dir.path(), p))
        .expect_err("must be refused")
        .to_string()
}

#[test]
fn written_models_read_back_identically() {
    let dir = tempfile::tempdir().unwrap();
    for model in [
        small(),
        LutNet::new(
            InputSpec {
                kind: InputKind::Tabular {
                    features: vec![
                        Feature::numeric("petal length (cm)", 1.0, 6.9),
                        Feature::numeric("é", -3.5, 2.25),
                    ],
                },
                class_names: vec!["setosa".into(), "versicolor".into()],
                label_column: Some("species".into()),
            },
            2,
            1,
            vec![100, 7],
            vec![LutLayer {
                arity: 2,
                wiring: vec![0, 1, 1, 0],
                tables: vec![0b1001, 0b0110],
            }],
        )
        .unwrap(),
    ] {
        let path = dir.path().join("m.hdf5");
        io::save(&Model::from(model.clone()), &path).unwrap();
        let back = io::load(&path).unwrap();
        let back = back.as_lutnet().expect("a LUT network");
        assert_eq!(back, &model);
        assert_eq!(back.digest(), model.digest());
        // and an untouched directory: no temporary left behind
        assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 1);
    }
    // the same model written twice gives the same bytes
    let a = dir.path().join("a.hdf5");
    let b = dir.path().join("b.hdf5");
    io::save(&Model::from(small()), &a).unwrap();
    io::save(&Model::from(small()), &b).unwrap();
    assert_eq!(std::fs::read(&a).unwrap(), std::fs::read(&b).unwrap());
}

#[test]
fn h5py_reads_the_schema() {
    // run only where h5py is installed (CI installs it with pip in scripts/setup.sh)
    let ok = std::process::Command::new("python3")
        .args(["-c", "import h5py"])
        .status()
        .is_ok_and(|s| s.success());
    if !ok {
        eprintln!("h5py not installed: skipped");
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("m.hdf5");
    io::save(&Model::from(small()), &path).unwrap();
    let out = std::process::Command::new("python3")
        .args([
            "-c",
            "import h5py,sys,json\n\
             h=h5py.File(sys.argv[1],'r')\n\
             print(json.dumps({'attrs':{k:(v if isinstance(v,str) else int(v)) for k,v in h.attrs.items()},\
             'ds':{k:[str(h[k].dtype),list(h[k].shape)] for k in h},\
             't':h['layer_0_tables'][1].astype(int).tolist(),'w':h['layer_1_wiring'][1].tolist()}))",
            path.to_str().unwrap(),
        ])
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(v["attrs"]["zero_g_family"], "lutnet");
    assert_eq!(v["attrs"]["zero_g_format"], 1);
    assert_eq!(v["attrs"]["num_layers"], 2);
    assert_eq!(
        v["ds"]["thresholds"],
        serde_json::json!(["uint16", [12, 2]])
    );
    assert_eq!(
        v["ds"]["layer_0_wiring"],
        serde_json::json!(["uint32", [4, 3]])
    );
    assert_eq!(
        v["ds"]["layer_0_tables"],
        serde_json::json!(["bool", [4, 8]])
    );
    // node 1 of layer 0: table 0b0110_1001, entry a is bit a
    assert_eq!(v["t"], serde_json::json!([1, 0, 0, 1, 0, 1, 1, 0]));
    assert_eq!(v["w"], serde_json::json!([26, 27]));
}

#[test]
fn the_crafted_baseline_is_valid() {
    let dir = tempfile::tempdir().unwrap();
    let m = io::load(&write(dir.path(), &parts())).unwrap();
    assert_eq!(m.as_lutnet().unwrap(), &small());
}

#[test]
fn every_validation_error_is_named() {
    let mut p = parts();
    p.wiring[0].0[4] = 24; // layer 0 reads its own first output
    assert!(load_err(&p).contains("point backward"), "{}", load_err(&p));
    let mut p = parts();
    p.wiring[1].0[1] = 40; // beyond every bit
    assert!(load_err(&p).contains("reads bit 40"));
    let mut p = parts();
    p.tables[1].1 = vec![4, 8]; // LUT-2 with 8 entries
    p.tables[1].0 = vec![0; 32];
    assert!(load_err(&p).contains("layer_1_tables"), "{}", load_err(&p));
    let mut p = parts();
    p.int_tables = true;
    p.tables[0].0[3] = 2; // not a boolean
    assert!(load_err(&p).contains("only 0 and 1"), "{}", load_err(&p));
    let mut p = parts();
    p.attrs[0].1 = 3; // 4 last-layer nodes in 3 classes
    assert!(load_err(&p).contains("do not divide"));
    let mut p = parts();
    p.thresholds.0[5] = 300;
    assert!(load_err(&p).contains("at most 256"), "{}", load_err(&p));
    let mut p = parts();
    p.float_wiring = true;
    assert!(
        load_err(&p).contains("`layer_0_wiring` has type float32"),
        "{}",
        load_err(&p)
    );
    let mut p = parts();
    p.wiring[0].1 = vec![3, 4]; // shape disagrees with the data written? keep data, lie about shape
    p.wiring[0].0.truncate(12);
    assert!(load_err(&p).contains("layer_0_tables") || load_err(&p).contains("wiring"));
    let mut p = parts();
    p.wiring[0].1 = vec![4, 7];
    p.wiring[0].0 = vec![0; 28];
    assert!(load_err(&p).contains("7 inputs"), "{}", load_err(&p));
    let mut p = parts();
    p.attrs[3].1 = 3; // a third layer that is not there
    assert!(
        load_err(&p).contains("missing the dataset `layer_2_wiring`"),
        "{}",
        load_err(&p)
    );
    let mut p = parts();
    p.format = 4; // 2: column encodings, 3: a deep network's architecture (models/FORMAT.md)
    assert!(load_err(&p).contains("format version Some(4)"));
    let mut p = parts();
    p.format = 3; // a deep network's version without its architecture
    assert!(load_err(&p).contains("format 3 without its `architecture` attribute"));
    let mut p = parts();
    p.family = Some("transformer");
    assert!(load_err(&p).contains("unknown model family `transformer`"));
    let mut p = parts();
    p.input = Some("{\"kind\":\"image\",\"width\":5,\"height\":3}".into());
    assert!(load_err(&p).contains("num_inputs = 12"), "{}", load_err(&p));
    let mut p = parts();
    p.input = Some("not json".into());
    assert!(load_err(&p).contains("zero_g_input"));
    let mut p = parts();
    p.attrs[1].1 = -4;
    assert!(load_err(&p).contains("negative"));
}

#[test]
fn truncated_and_garbage_files_are_errors() {
    let dir = tempfile::tempdir().unwrap();
    let path = write(dir.path(), &parts());
    let bytes = std::fs::read(&path).unwrap();
    for cut in [0, 8, 100, bytes.len() / 2, bytes.len() - 1] {
        let p = dir.path().join(format!("cut{cut}.hdf5"));
        std::fs::write(&p, &bytes[..cut]).unwrap();
        let e = io::load(&p).expect_err("a truncated file must be refused");
        assert!(
            e.to_string().contains("truncated") || e.to_string().contains("HDF5"),
            "{e}"
        );
    }
    // every single-byte corruption of the metadata is Ok (harmless) or a clean error
    for i in (0..bytes.len().min(4096)).step_by(7) {
        let mut b = bytes.clone();
        b[i] ^= 0x5a;
        let p = dir.path().join("x.hdf5");
        std::fs::write(&p, &b).unwrap();
        let _ = io::load(&p);
    }
}
