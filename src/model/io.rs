//! Reading and writing the BTHOWeN HDF5 model format.
//!
//! Root attributes (int64 scalars): `num_classes`, `num_inputs`, `bits_per_input`,
//! `num_filter_inputs`, `num_filter_entries`, `num_filter_hashes`, `p`. Datasets:
//! `bloom_filters` bool `(C, F, E)`, `binarization_thresholds` f32 `(W, W, bpi)` and
//! `input_order` u64 `(num_inputs · bpi)`. Files written here are what h5py writes for the
//! same numpy arrays, so any h5py tool reads them alike.

use super::{Wnn, WnnParams};
use crate::error::ModelError;
use hdf5::types::TypeDescriptor;
use std::path::Path;

const ATTRS: [&str; 7] = [
    "bits_per_input",
    "num_classes",
    "num_filter_entries",
    "num_filter_hashes",
    "num_filter_inputs",
    "num_inputs",
    "p",
];

fn unreadable(path: &Path, e: impl std::fmt::Display) -> ModelError {
    ModelError::Unreadable {
        path: path.to_path_buf(),
        reason: e.to_string(),
    }
}

fn describe(t: &hdf5::Result<TypeDescriptor>) -> String {
    match t {
        Ok(t) => t.to_string(),
        Err(_) => "an unsupported type".into(),
    }
}

fn read_int_attr(file: &hdf5::File, path: &Path, name: &'static str) -> Result<i64, ModelError> {
    let attr = file
        .attr(name)
        .map_err(|_| ModelError::MissingAttribute(name))?;
    let ty = attr.dtype().and_then(|d| d.to_descriptor());
    if !matches!(
        ty,
        Ok(TypeDescriptor::Integer(_) | TypeDescriptor::Unsigned(_))
    ) {
        return Err(ModelError::WrongType {
            name,
            found: describe(&ty),
            expected: "int64 scalar",
        });
    }
    if attr.ndim() != 0 {
        return Err(ModelError::WrongShape {
            name,
            found: attr.shape(),
            expected: vec![],
        });
    }
    attr.read_scalar::<i64>().map_err(|e| unreadable(path, e))
}

fn dataset(file: &hdf5::File, name: &'static str) -> Result<hdf5::Dataset, ModelError> {
    file.dataset(name)
        .map_err(|_| ModelError::MissingDataset(name))
}

fn check_shape(ds: &hdf5::Dataset, name: &'static str, want: &[usize]) -> Result<(), ModelError> {
    let found = ds.shape();
    if found != want {
        return Err(ModelError::WrongShape {
            name,
            found,
            expected: want.to_vec(),
        });
    }
    Ok(())
}

/// Loads and validates a model file.
pub fn load(path: &Path) -> Result<Wnn, ModelError> {
    if !path.is_file() {
        return Err(unreadable(path, "no such file"));
    }
    let file = hdf5::File::open(path).map_err(|e| unreadable(path, e))?;
    let mut vals = [0i64; 7];
    for (v, name) in vals.iter_mut().zip(ATTRS) {
        *v = read_int_attr(&file, path, name)?;
        if *v < 0 {
            return Err(ModelError::Invalid(format!(
                "attribute `{name}` is negative ({v})"
            )));
        }
    }
    let [bpi, c, e, k, n, inputs, p] = vals.map(|v| v as u64);
    let to_usize = |v: u64, name: &str| {
        usize::try_from(v)
            .ok()
            .filter(|&v| v <= 1 << 32)
            .ok_or_else(|| ModelError::Invalid(format!("attribute `{name}` = {v} is too large")))
    };
    let params = WnnParams {
        num_classes: to_usize(c, "num_classes")?,
        num_inputs: to_usize(inputs, "num_inputs")?,
        bits_per_input: to_usize(bpi, "bits_per_input")?,
        num_filter_inputs: to_usize(n, "num_filter_inputs")?,
        num_filter_entries: to_usize(e, "num_filter_entries")?,
        num_filter_hashes: to_usize(k, "num_filter_hashes")?,
        p,
    };
    params.validate()?;
    let (w, bpi) = (params.width(), params.bits_per_input);

    let ds = dataset(&file, "bloom_filters")?;
    let ty = ds.dtype().and_then(|d| d.to_descriptor());
    let shape = [
        params.num_classes,
        params.num_filters(),
        params.num_filter_entries,
    ];
    check_shape(&ds, "bloom_filters", &shape)?;
    let bloom: Vec<bool> = match ty {
        Ok(TypeDescriptor::Boolean) => ds.read_raw::<bool>().map_err(|e| unreadable(path, e))?,
        Ok(TypeDescriptor::Integer(_) | TypeDescriptor::Unsigned(_)) => {
            let raw = ds.read_raw::<i64>().map_err(|e| unreadable(path, e))?;
            if let Some(v) = raw.iter().find(|&&v| v != 0 && v != 1) {
                return Err(ModelError::Invalid(format!(
                    "bloom_filters holds {v}; only 0 and 1 are allowed"
                )));
            }
            raw.into_iter().map(|v| v == 1).collect()
        }
        _ => {
            return Err(ModelError::WrongType {
                name: "bloom_filters",
                found: describe(&ty),
                expected: "bool (HDF5 enum FALSE=0, TRUE=1)",
            })
        }
    };

    let ds = dataset(&file, "binarization_thresholds")?;
    let ty = ds.dtype().and_then(|d| d.to_descriptor());
    if !matches!(ty, Ok(TypeDescriptor::Float(_))) {
        return Err(ModelError::WrongType {
            name: "binarization_thresholds",
            found: describe(&ty),
            expected: "float32",
        });
    }
    check_shape(&ds, "binarization_thresholds", &[w, w, bpi])?;
    let thresholds = ds.read_raw::<f32>().map_err(|e| unreadable(path, e))?;

    let ds = dataset(&file, "input_order")?;
    let ty = ds.dtype().and_then(|d| d.to_descriptor());
    if !matches!(
        ty,
        Ok(TypeDescriptor::Integer(_) | TypeDescriptor::Unsigned(_))
    ) {
        return Err(ModelError::WrongType {
            name: "input_order",
            found: describe(&ty),
            expected: "uint64",
        });
    }
    check_shape(&ds, "input_order", &[params.total_bits()])?;
    let order = if matches!(ty, Ok(TypeDescriptor::Unsigned(_))) {
        ds.read_raw::<u64>().map_err(|e| unreadable(path, e))?
    } else {
        let raw = ds.read_raw::<i64>().map_err(|e| unreadable(path, e))?;
        if let Some(v) = raw.iter().find(|&&v| v < 0) {
            return Err(ModelError::Invalid(format!(
                "input_order holds a negative entry ({v})"
            )));
        }
        raw.into_iter().map(|v| v as u64).collect()
    };
    Wnn::new(params, thresholds, order, &bloom)
}

/// Writes a model atomically: to a temporary file beside `path`, then renamed over it, so a
/// failure never leaves a half-written model behind.
pub fn save(model: &Wnn, path: &Path) -> Result<(), ModelError> {
    let werr = |e: &dyn std::fmt::Display| ModelError::Write {
        path: path.to_path_buf(),
        reason: e.to_string(),
    };
    let name = path.file_name().ok_or_else(|| werr(&"not a file path"))?;
    let tmp = path.with_file_name(format!(
        ".{}.tmp{}",
        name.to_string_lossy(),
        std::process::id()
    ));
    let result = (|| -> hdf5::Result<()> {
        let file = hdf5::File::create(&tmp)?;
        let p = model.params();
        let vals = [
            p.bits_per_input as i64,
            p.num_classes as i64,
            p.num_filter_entries as i64,
            p.num_filter_hashes as i64,
            p.num_filter_inputs as i64,
            p.num_inputs as i64,
            p.p as i64,
        ];
        for (name, v) in ATTRS.iter().zip(vals) {
            file.new_attr::<i64>().create(*name)?.write_scalar(&v)?;
        }
        let (w, bpi) = (p.width(), p.bits_per_input);
        file.new_dataset::<bool>()
            .shape([p.num_classes, p.num_filters(), p.num_filter_entries])
            .create("bloom_filters")?
            .write_raw(&model.bloom_bits()[..])?;
        file.new_dataset::<f32>()
            .shape([w, w, bpi])
            .create("binarization_thresholds")?
            .write_raw(model.thresholds())?;
        file.new_dataset::<u64>()
            .shape([p.total_bits()])
            .create("input_order")?
            .write_raw(model.input_order())?;
        file.flush()?;
        Ok(())
    })();
    if let Err(e) = result {
        let _ = std::fs::remove_file(&tmp);
        return Err(werr(&e));
    }
    std::fs::rename(&tmp, path).map_err(|e| {
        let _ = std::fs::remove_file(&tmp);
        werr(&e)
    })
}
