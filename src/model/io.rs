//! Model files: HDF5 readable by h5py, one schema per family (`models/FORMAT.md`). A file
//! without a `zero_g_family` attribute is a BTHOWeN model in the original zero_g's schema.
//!
//! Files are parsed by `hdf5-pure` (pure Rust: no C library to crash on a hostile file),
//! behind guards that bound every allocation before it happens: a file is at most
//! [`MAX_MODEL_BYTES`] and a regular file; every dataset must be contiguous and unfiltered,
//! its declared size within the file, and of the type and shape the schema requires (checked
//! before its data is read); the parse runs under `catch_unwind`, so a panic in the parser
//! is an error, not a crash. Boolean datasets are read as h5py reads them: any non-zero
//! byte is true.

use super::input::InputSpec;
use super::Model;
use crate::error::ModelError;
use hdf5_pure::{AttrValue, Datatype, EnumTypeBuilder, File, FileBuilder, LibVer};
use std::collections::HashMap;
use std::path::{Path, PathBuf};

/// The largest model file zero_g reads.
pub const MAX_MODEL_BYTES: u64 = 256 << 20;
/// The largest string attribute zero_g reads (the input description).
pub const MAX_STRING_ATTR: usize = 4 << 20;

/// Root attribute naming the family (absent: the original BTHOWeN schema).
pub const FAMILY_ATTR: &str = "zero_g_family";
/// Root attribute with the family schema's version.
pub const FORMAT_ATTR: &str = "zero_g_format";
/// Root attribute with the input description (JSON), when the input is not a plain square
/// image.
pub const INPUT_ATTR: &str = "zero_g_input";

/// The format version a model with this input is written in: 2 when its columns use the
/// encodings of format 2 (categories, "other" and missing-value inputs), else 1, so that
/// every other model is written exactly as before.
pub fn format_for(input: &InputSpec) -> i64 {
    if input.has_column_encodings() {
        2
    } else {
        1
    }
}

/// Refuses a file whose format version cannot hold its input description: column encodings
/// need format 2 (a format-1 reader would ignore them and read other bytes).
pub fn check_format(version: i64, input: &InputSpec) -> Result<(), ModelError> {
    if input.has_column_encodings() && version < 2 {
        return Err(ModelError::Invalid(format!(
            "the input description has column encodings (categories or missing-value inputs), \
             which need {FORMAT_ATTR} = 2, but the file says {version}"
        )));
    }
    Ok(())
}

/// Loads and validates a model file of either family.
pub fn load(path: &Path) -> Result<Model, ModelError> {
    let h5 = H5::open(path)?;
    guarded(path, || match h5.family()?.as_deref() {
        None | Some("bthowen") => super::bthowen::io::read(&h5).map(Model::Bthowen),
        Some("lutnet") => super::lutnet::io::read(&h5).map(Model::LutNet),
        Some(other) => Err(ModelError::Invalid(format!(
            "unknown model family `{other}` (this zero_g reads bthowen and lutnet)"
        ))),
    })
}

/// Writes a model atomically (a temporary file, then a rename): a failure never leaves a
/// half-written model behind.
pub fn save(model: &Model, path: &Path) -> Result<(), ModelError> {
    let werr = |e: &dyn std::fmt::Display| ModelError::Write {
        path: path.to_path_buf(),
        reason: e.to_string(),
    };
    let mut fb = FileBuilder::new();
    // superblock v2: readable by HDF5 ≥ 1.8 (h5py, the original zero_g's libhdf5)
    fb.with_libver_bounds(LibVer::Earliest, LibVer::V18);
    match model {
        Model::Bthowen(m) => super::bthowen::io::write(m, &mut fb),
        Model::LutNet(m) => super::lutnet::io::write(m, &mut fb),
    }
    .map_err(|e| werr(&e))?;
    let bytes = fb.finish().map_err(|e| werr(&e))?;
    crate::fsutil::write_atomic(path, |w| std::io::Write::write_all(w, &bytes))
        .map_err(|e| werr(&e))
}

/// Runs a parse, turning a panic into an error.
fn guarded<T>(path: &Path, f: impl FnOnce() -> Result<T, ModelError>) -> Result<T, ModelError> {
    crate::fsutil::no_panic(f).unwrap_or_else(|| {
        Err(ModelError::Unreadable {
            path: path.to_path_buf(),
            reason: "malformed HDF5 file".into(),
        })
    })
}

/// An open model file, with the checks every read goes through.
#[derive(Debug)]
pub struct H5 {
    file: File,
    path: PathBuf,
    attrs: HashMap<String, AttrValue>,
    types: HashMap<String, Datatype>,
}

/// The element types the schemas use.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Elem {
    /// h5py's `bool`: the 1-byte enum `{FALSE = 0, TRUE = 1}` (plain 1-byte integers 0/1
    /// are accepted too).
    Bool,
    /// Any integer type (values are range-checked by the caller).
    Int,
    /// A 32- or 64-bit float.
    Float,
}

impl Elem {
    fn describe(self) -> &'static str {
        match self {
            Elem::Bool => "bool",
            Elem::Int => "an integer type",
            Elem::Float => "float32",
        }
    }
}

fn is_h5py_bool(dt: &Datatype) -> bool {
    matches!(dt, Datatype::Enumeration { size: 1, members, .. }
        if members.len() == 2
            && members.iter().any(|m| m.name == "FALSE" && m.value == [0])
            && members.iter().any(|m| m.name == "TRUE" && m.value == [1]))
}

fn describe(dt: &Datatype) -> String {
    match dt {
        Datatype::FixedPoint { size, layout, .. } => {
            format!("{}int{}", if layout.signed { "" } else { "u" }, 8 * size)
        }
        Datatype::FloatingPoint { size, .. } => format!("float{}", 8 * size),
        Datatype::String { .. } => "string".into(),
        Datatype::Enumeration { .. } if is_h5py_bool(dt) => "bool".into(),
        Datatype::Enumeration { .. } => "enum".into(),
        Datatype::Compound { .. } => "compound".into(),
        _ => "an unsupported type".into(),
    }
}

impl H5 {
    /// Opens a model file: a regular file of at most [`MAX_MODEL_BYTES`], parsed whole.
    pub fn open(path: &Path) -> Result<Self, ModelError> {
        let unreadable = |reason: String| ModelError::Unreadable {
            path: path.to_path_buf(),
            reason,
        };
        let bytes = crate::fsutil::read_regular(path, MAX_MODEL_BYTES).map_err(|e| {
            unreadable(if e.kind() == std::io::ErrorKind::NotFound {
                "no such file".into()
            } else {
                e.to_string()
            })
        })?;
        if !hdf5_pure::is_hdf5_bytes(&bytes) {
            return Err(unreadable("not an HDF5 file".into()));
        }
        guarded(path, || {
            let len = bytes.len() as u64;
            let file = File::from_bytes(bytes).map_err(|e| unreadable(e.to_string()))?;
            // HDF5 records where the file ends: a shorter file lost its tail
            let sb = file.superblock();
            let eof = sb.eof_address.saturating_add(sb.base_address.get());
            if eof > len {
                return Err(unreadable(format!(
                    "truncated: {len} bytes of the {eof} its header declares"
                )));
            }
            let root = file.root();
            let attrs = root.attrs().map_err(|e| unreadable(e.to_string()))?;
            let types = root
                .attr_datatypes()
                .map_err(|e| unreadable(e.to_string()))?;
            Ok(H5 {
                file,
                path: path.to_path_buf(),
                attrs,
                types,
            })
        })
    }

    /// The family attribute, if any.
    pub fn family(&self) -> Result<Option<String>, ModelError> {
        self.string_attr(FAMILY_ATTR)
    }

    /// A root integer attribute (any integer width), or `None` when absent.
    pub fn int_attr(&self, name: &str) -> Result<Option<i64>, ModelError> {
        let Some(v) = self.attrs.get(name) else {
            return Ok(None);
        };
        if !matches!(self.types.get(name), Some(Datatype::FixedPoint { .. })) {
            return Err(ModelError::WrongType {
                name: name.into(),
                found: self.types.get(name).map_or("?".into(), describe),
                expected: "int64 scalar",
            });
        }
        let too_big = || ModelError::Invalid(format!("attribute `{name}` is too large"));
        match *v {
            AttrValue::I64(x) => Ok(Some(x)),
            AttrValue::I32(x) => Ok(Some(x as i64)),
            AttrValue::I16(x) => Ok(Some(x as i64)),
            AttrValue::I8(x) => Ok(Some(x as i64)),
            AttrValue::U64(x) => i64::try_from(x).map(Some).map_err(|_| too_big()),
            AttrValue::U32(x) => Ok(Some(x as i64)),
            AttrValue::U16(x) => Ok(Some(x as i64)),
            AttrValue::U8(x) => Ok(Some(x as i64)),
            _ => Err(ModelError::WrongShape {
                name: name.into(),
                found: vec![0],
                expected: vec![],
            }),
        }
    }

    /// A required root integer attribute in `0..=max`.
    pub fn usize_attr(&self, name: &str, max: usize) -> Result<usize, ModelError> {
        let v = self
            .int_attr(name)?
            .ok_or_else(|| ModelError::MissingAttribute(name.into()))?;
        if v < 0 {
            return Err(ModelError::Invalid(format!(
                "attribute `{name}` is negative ({v})"
            )));
        }
        if v as u64 > max as u64 {
            return Err(ModelError::Invalid(format!(
                "attribute `{name}` = {v} is out of range (0..={max})"
            )));
        }
        Ok(v as usize)
    }

    /// A root string attribute, or `None` when absent.
    pub fn string_attr(&self, name: &str) -> Result<Option<String>, ModelError> {
        let Some(v) = self.attrs.get(name) else {
            return Ok(None);
        };
        let s = match v {
            AttrValue::String(s) | AttrValue::AsciiString(s) => s.clone(),
            AttrValue::VarLenString(s) | AttrValue::VarLenAsciiString(s) => s.clone(),
            AttrValue::StringSized { value, .. } | AttrValue::AsciiStringSized { value, .. } => {
                value.clone()
            }
            _ => {
                return Err(ModelError::WrongType {
                    name: name.into(),
                    found: self.types.get(name).map_or("?".into(), describe),
                    expected: "a string",
                })
            }
        };
        if s.len() > MAX_STRING_ATTR {
            return Err(ModelError::Invalid(format!(
                "attribute `{name}` is longer than {MAX_STRING_ATTR} bytes"
            )));
        }
        Ok(Some(s))
    }

    /// The input description: the `zero_g_input` JSON attribute, or `default()` when absent.
    pub fn input(
        &self,
        default: impl FnOnce() -> Option<InputSpec>,
    ) -> Result<InputSpec, ModelError> {
        match self.string_attr(INPUT_ATTR)? {
            Some(json) => serde_json::from_str(&json).map_err(|e| {
                ModelError::Invalid(format!(
                    "attribute `{INPUT_ATTR}` is not a valid input description: {e}"
                ))
            }),
            None => default().ok_or_else(|| {
                ModelError::Invalid(format!(
                    "num_inputs is not a perfect square, and the file has no `{INPUT_ATTR}` \
                     attribute describing another input"
                ))
            }),
        }
    }

    /// Opens dataset `name` after checking that it is contiguous, unfiltered, of element type
    /// `elem`, of shape `shape`, and stored inside the file; returns it with its datatype.
    fn dataset(
        &self,
        name: &str,
        elem: Elem,
        shape: &[usize],
    ) -> Result<(hdf5_pure::Dataset, Datatype), ModelError> {
        let unreadable = |e: hdf5_pure::Error| ModelError::Unreadable {
            path: self.path.clone(),
            reason: format!("dataset `{name}`: {e}"),
        };
        let ds = self.open_dataset(name)?;
        if ds.is_chunked() || !ds.filters().is_empty() {
            return Err(ModelError::Invalid(format!(
                "dataset `{name}` is chunked or compressed; model files store contiguous, \
                 uncompressed data"
            )));
        }
        let dt = ds.datatype().map_err(unreadable)?;
        let type_ok = match elem {
            Elem::Bool => is_h5py_bool(&dt) || matches!(dt, Datatype::FixedPoint { size: 1, .. }),
            Elem::Int => matches!(
                dt,
                Datatype::FixedPoint {
                    size: 1 | 2 | 4 | 8,
                    ..
                }
            ),
            Elem::Float => matches!(dt, Datatype::FloatingPoint { size: 4 | 8, .. }),
        };
        if !type_ok {
            return Err(ModelError::WrongType {
                name: name.into(),
                found: describe(&dt),
                expected: elem.describe(),
            });
        }
        let found: Vec<u64> = ds.shape().map_err(unreadable)?;
        if found.len() != shape.len() || found.iter().zip(shape).any(|(&f, &s)| f != s as u64) {
            return Err(ModelError::WrongShape {
                name: name.into(),
                found: found
                    .iter()
                    .map(|&f| f.min(usize::MAX as u64) as usize)
                    .collect(),
                expected: shape.to_vec(),
            });
        }
        let bytes = shape
            .iter()
            .try_fold(1u64, |a, &s| a.checked_mul(s as u64))
            .and_then(|n| n.checked_mul(ds.element_size().ok()?));
        if bytes.is_none_or(|b| b > self.file.file_size()) {
            return Err(ModelError::Unreadable {
                path: self.path.clone(),
                reason: format!("dataset `{name}` is larger than the file (truncated?)"),
            });
        }
        Ok((ds, dt))
    }

    /// Opens dataset `name`: missing when no object has that name, unreadable when its
    /// header cannot be parsed.
    fn open_dataset(&self, name: &str) -> Result<hdf5_pure::Dataset, ModelError> {
        self.file.dataset(name).map_err(|e| match e {
            hdf5_pure::Error::Format(hdf5_pure::FormatError::PathNotFound(_)) => {
                ModelError::MissingDataset(name.into())
            }
            e => self.read_err(name)(e),
        })
    }

    fn read_err<'a>(&'a self, name: &'a str) -> impl Fn(hdf5_pure::Error) -> ModelError + 'a {
        move |e| ModelError::Unreadable {
            path: self.path.clone(),
            reason: format!("dataset `{name}`: {e}"),
        }
    }

    /// Reads a boolean dataset of `shape`: h5py's `bool` as h5py reads it (any non-zero byte
    /// is true), or a 1-byte integer dataset whose values must be 0 or 1.
    pub fn read_bool(&self, name: &str, shape: &[usize]) -> Result<Vec<bool>, ModelError> {
        let (ds, dt) = self.dataset(name, Elem::Bool, shape)?;
        let raw = ds.read_raw().map_err(self.read_err(name))?;
        if !is_h5py_bool(&dt) {
            if let Some(v) = raw.iter().find(|&&v| v > 1) {
                return Err(ModelError::Invalid(format!(
                    "dataset `{name}` holds {v}; only 0 and 1 are allowed"
                )));
            }
        }
        Ok(raw.into_iter().map(|b| b != 0).collect())
    }

    /// Reads an integer dataset of `shape` whose values must lie in `0..=max`.
    pub fn read_uint(&self, name: &str, shape: &[usize], max: u64) -> Result<Vec<u64>, ModelError> {
        let (ds, dt) = self.dataset(name, Elem::Int, shape)?;
        let signed = matches!(dt, Datatype::FixedPoint { layout, .. } if layout.signed);
        let values: Vec<u64> = if signed {
            let raw = ds.read_i64().map_err(self.read_err(name))?;
            if let Some(v) = raw.iter().find(|&&v| v < 0) {
                return Err(ModelError::Invalid(format!(
                    "dataset `{name}` holds a negative value ({v})"
                )));
            }
            raw.into_iter().map(|v| v as u64).collect()
        } else {
            ds.read_u64().map_err(self.read_err(name))?
        };
        if let Some((i, v)) = values.iter().enumerate().find(|(_, &v)| v > max) {
            return Err(ModelError::Invalid(format!(
                "dataset `{name}` holds {v} at flat index {i}; at most {max} is allowed"
            )));
        }
        Ok(values)
    }

    /// Reads a float dataset of `shape`.
    pub fn read_f32(&self, name: &str, shape: &[usize]) -> Result<Vec<f32>, ModelError> {
        let (ds, _) = self.dataset(name, Elem::Float, shape)?;
        ds.read_f32().map_err(self.read_err(name))
    }

    /// The shape of dataset `name` (for error messages and schemas whose shape varies).
    pub fn shape(&self, name: &str) -> Result<Vec<usize>, ModelError> {
        let ds = self.open_dataset(name)?;
        let s = ds.shape().map_err(self.read_err(name))?;
        Ok(s.iter()
            .map(|&v| v.min(usize::MAX as u64) as usize)
            .collect())
    }
}

/// h5py's `bool` datatype.
pub fn h5py_bool() -> Datatype {
    EnumTypeBuilder::with_base(hdf5_pure::make_i8_type())
        .value("FALSE", 0)
        .value("TRUE", 1)
        .build()
        .expect("a static enum type")
}

/// Writes a boolean dataset as h5py does.
pub fn write_bool(fb: &mut FileBuilder, name: &str, shape: &[usize], bits: &[bool]) {
    let bytes: Vec<u8> = bits.iter().map(|&b| b as u8).collect();
    let n = bytes.len() as u64;
    let shape: Vec<u64> = shape.iter().map(|&s| s as u64).collect();
    fb.create_dataset(name)
        .with_raw_data(h5py_bool(), bytes, n)
        .with_shape(&shape);
}

/// Writes the input description when it is not a plain square image.
pub fn write_input(fb: &mut FileBuilder, input: &InputSpec) -> Result<(), ModelError> {
    if !input.is_plain_square_image() {
        let json = serde_json::to_string(input)
            .map_err(|e| ModelError::Invalid(format!("input description: {e}")))?;
        fb.set_attr(INPUT_ATTR, AttrValue::VarLenString(json));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Writes the file `build` describes to a temporary folder.
    fn written(build: impl FnOnce(&mut FileBuilder)) -> (tempfile::TempDir, PathBuf) {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("m.hdf5");
        let mut fb = FileBuilder::new();
        fb.with_libver_bounds(LibVer::Earliest, LibVer::V18);
        build(&mut fb);
        std::fs::write(&path, fb.finish().unwrap()).unwrap();
        (dir, path)
    }

    #[test]
    fn booleans_are_read_as_h5py_reads_them() {
        // h5py reads its bool enum through numpy's int8 → bool cast: any non-zero byte is
        // True (0x02 and 0xFE included); a plain uint8 dataset must hold 0 or 1
        let raw = vec![0u8, 1, 2, 0xFE, 0x80, 0];
        let (_d, path) = written(|fb| {
            fb.create_dataset("b")
                .with_raw_data(h5py_bool(), raw.clone(), 6)
                .with_shape(&[6]);
            fb.create_dataset("u")
                .with_raw_data(hdf5_pure::make_u8_type(), raw.clone(), 6)
                .with_shape(&[6]);
        });
        let h5 = H5::open(&path).unwrap();
        assert_eq!(
            h5.read_bool("b", &[6]).unwrap(),
            [false, true, true, true, true, false]
        );
        let e = h5.read_bool("u", &[6]).unwrap_err().to_string();
        assert!(e.contains("`u` holds 2; only 0 and 1 are allowed"), "{e}");
    }

    /// Bob Jenkins' lookup3 `hashlittle` with seed 0: the checksum of HDF5's version-2
    /// object headers (so that a test can edit one and re-seal it).
    fn lookup3(data: &[u8]) -> u32 {
        let word = |k: &[u8], i: usize| u32::from_le_bytes(k[i..i + 4].try_into().unwrap());
        let init = 0xdead_beefu32.wrapping_add(data.len() as u32);
        let (mut a, mut b, mut c) = (init, init, init);
        let mut k = data;
        while k.len() > 12 {
            a = a.wrapping_add(word(k, 0));
            b = b.wrapping_add(word(k, 4));
            c = c.wrapping_add(word(k, 8));
            for (r1, r2, r3) in [(4, 6, 8), (16, 19, 4)] {
                a = a.wrapping_sub(c) ^ c.rotate_left(r1);
                c = c.wrapping_add(b);
                b = b.wrapping_sub(a) ^ a.rotate_left(r2);
                a = a.wrapping_add(c);
                c = c.wrapping_sub(b) ^ b.rotate_left(r3);
                b = b.wrapping_add(a);
            }
            k = &k[12..];
        }
        if k.is_empty() {
            return c;
        }
        let mut tail = [0u8; 12];
        tail[..k.len()].copy_from_slice(k);
        a = a.wrapping_add(word(&tail, 0));
        b = b.wrapping_add(word(&tail, 4));
        c = c.wrapping_add(word(&tail, 8));
        c = (c ^ b).wrapping_sub(b.rotate_left(14));
        a = (a ^ c).wrapping_sub(c.rotate_left(11));
        b = (b ^ a).wrapping_sub(a.rotate_left(25));
        c = (c ^ b).wrapping_sub(b.rotate_left(16));
        a = (a ^ c).wrapping_sub(c.rotate_left(4));
        b = (b ^ a).wrapping_sub(a.rotate_left(14));
        (c ^ b).wrapping_sub(b.rotate_left(24))
    }

    /// The byte range `start..end` of every version-2 object header's first chunk (its
    /// checksum follows at `end`).
    fn object_headers(bytes: &[u8]) -> Vec<(usize, usize)> {
        (0..bytes.len() - 4)
            .filter(|&i| &bytes[i..i + 4] == b"OHDR" && bytes[i + 4] == 2)
            .map(|i| {
                let flags = bytes[i + 5];
                let mut at = i + 6;
                at += if flags & 0x20 != 0 { 16 } else { 0 }; // times
                at += if flags & 0x10 != 0 { 4 } else { 0 }; // attribute phase change
                let n = 1usize << (flags & 3);
                let mut size = [0u8; 8];
                size[..n].copy_from_slice(&bytes[at..at + n]);
                (i, at + n + u64::from_le_bytes(size) as usize)
            })
            .collect()
    }

    #[test]
    fn a_dataset_declared_larger_than_the_file_is_refused_before_it_is_read() {
        // a 777-byte dataset whose dataspace is edited (and its header re-sealed) to declare
        // 2^40 elements (1 TiB): reading it must not try to allocate a terabyte
        let n = 777u64;
        let huge = 1u64 << 40;
        let (_d, path) = written(|fb| {
            fb.create_dataset("d")
                .with_raw_data(hdf5_pure::make_u8_type(), vec![1; n as usize], n)
                .with_shape(&[n]);
        });
        let mut bytes = std::fs::read(&path).unwrap();
        let (start, end) = *object_headers(&bytes)
            .iter()
            .find(|&&(s, e)| bytes[s..e].windows(8).any(|w| w == n.to_le_bytes()))
            .expect("the dataset's object header");
        let sealed = |b: &[u8]| u32::from_le_bytes(b[end..end + 4].try_into().unwrap());
        assert_eq!(
            lookup3(&bytes[start..end]),
            sealed(&bytes),
            "lookup3 as HDF5's"
        );
        // the dataspace's current and maximum size come first; the layout's byte count after
        let first = (start..end)
            .find(|&i| bytes[i..i + 8] == n.to_le_bytes())
            .unwrap();
        bytes[first..first + 8].copy_from_slice(&huge.to_le_bytes());
        if bytes[first + 8..first + 16] == n.to_le_bytes() {
            bytes[first + 8..first + 16].copy_from_slice(&huge.to_le_bytes());
        }
        let sum = lookup3(&bytes[start..end]);
        bytes[end..end + 4].copy_from_slice(&sum.to_le_bytes());
        std::fs::write(&path, &bytes).unwrap();
        let h5 = H5::open(&path).unwrap();
        assert_eq!(h5.shape("d").unwrap(), [huge as usize]);
        let e = h5
            .read_uint("d", &[huge as usize], 1)
            .unwrap_err()
            .to_string();
        assert!(e.contains("dataset `d` is larger than the file"), "{e}");
        let e = h5.read_bool("d", &[huge as usize]).unwrap_err().to_string();
        assert!(e.contains("dataset `d` is larger than the file"), "{e}");
        // asked for the shape a schema expects, it is a shape error naming both
        let e = h5.read_uint("d", &[n as usize], 1).unwrap_err().to_string();
        assert!(e.contains("`d`") && e.contains("1099511627776"), "{e}");
    }

    #[test]
    fn a_file_over_the_size_limit_is_refused_unread() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("big.hdf5");
        let f = std::fs::File::create(&path).unwrap();
        f.set_len(MAX_MODEL_BYTES + 1).unwrap(); // sparse: no disk used
        let e = H5::open(&path).unwrap_err().to_string();
        assert!(
            e.contains(&format!("at most {MAX_MODEL_BYTES} are accepted")),
            "{e}"
        );
    }
}
