//! Inputs: grayscale images, MNIST IDX files and the original's labelled PNG folders.

pub mod csv;
pub mod idx;

use crate::error::DataError;
use crate::limits::Class;
use rayon::prelude::*;
use std::path::{Path, PathBuf};

/// A labelled set of samples, stored contiguously: 8-bit grayscale images of one size, or
/// rows of quantised features (`rows = 1`, `cols` = features; see [`csv`]).
#[derive(Clone, Debug, Default)]
pub struct Dataset {
    /// `len · rows · cols` pixels, image-major, row-major.
    pub pixels: Vec<u8>,
    /// One label (class index) per image.
    pub labels: Vec<Class>,
    /// Image height.
    pub rows: usize,
    /// Image width.
    pub cols: usize,
}

impl Dataset {
    /// Inputs per sample (`rows · cols`).
    pub fn num_inputs(&self) -> usize {
        self.rows * self.cols
    }
    /// Number of images.
    pub fn len(&self) -> usize {
        self.labels.len()
    }
    /// True when there are no images.
    pub fn is_empty(&self) -> bool {
        self.labels.is_empty()
    }
    /// Pixels of image `i`.
    pub fn image(&self, i: usize) -> &[u8] {
        let s = self.rows * self.cols;
        &self.pixels[i * s..(i + 1) * s]
    }
    /// The images `range` as a new data set.
    pub fn slice(&self, range: std::ops::Range<usize>) -> Dataset {
        let s = self.rows * self.cols;
        Dataset {
            pixels: self.pixels[range.start * s..range.end * s].to_vec(),
            labels: self.labels[range].to_vec(),
            rows: self.rows,
            cols: self.cols,
        }
    }
    /// Iterator over `(pixels, label)`.
    pub fn iter(&self) -> impl Iterator<Item = (&[u8], Class)> {
        self.pixels
            .chunks_exact(self.rows * self.cols)
            .zip(self.labels.iter().copied())
    }
}

/// Which half of MNIST to read from an IDX folder.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Split {
    /// `train-*-ubyte`, 60,000 images.
    Train,
    /// `t10k-*-ubyte`, 10,000 images.
    Test,
}

impl Split {
    /// File-name prefix of the split's IDX files (`train` or `t10k`).
    pub fn prefix(self) -> &'static str {
        match self {
            Split::Train => "train",
            Split::Test => "t10k",
        }
    }
}

/// The largest image file zero_g reads.
pub const MAX_IMAGE_BYTES: u64 = 64 << 20;
/// The largest side of an image zero_g decodes.
pub const MAX_IMAGE_SIDE: u32 = 1 << 14;

fn image_err(path: &Path, reason: impl Into<String>) -> DataError {
    DataError::Image {
        path: path.into(),
        reason: reason.into(),
    }
}

/// Reads an image file (a regular file of at most [`MAX_IMAGE_BYTES`]) and checks that it is
/// a complete PNG or JPEG: a file cut short is refused, not decoded with its missing part
/// filled in. Returns the bytes, the format and the image's size (from its header).
fn read_image(path: &Path) -> Result<(Vec<u8>, image::ImageFormat, u32, u32), DataError> {
    let bytes =
        crate::fsutil::read_regular(path, MAX_IMAGE_BYTES).map_err(|source| DataError::Io {
            path: path.into(),
            source,
        })?;
    let (format, w, h) = check_image(path, &bytes)?;
    Ok((bytes, format, w, h))
}

/// Checks image bytes as [`read_image`] checks a file's (`path` names them in messages):
/// a complete PNG or JPEG of bounded size. Returns the format and the size from its header.
fn check_image(path: &Path, bytes: &[u8]) -> Result<(image::ImageFormat, u32, u32), DataError> {
    if bytes.len() as u64 > MAX_IMAGE_BYTES {
        return Err(image_err(path, "larger than 64 MiB"));
    }
    let reader = image::ImageReader::new(std::io::Cursor::new(bytes))
        .with_guessed_format()
        .map_err(|e| image_err(path, e.to_string()))?;
    let format = match reader.format() {
        Some(f @ (image::ImageFormat::Png | image::ImageFormat::Jpeg)) => f,
        _ => return Err(image_err(path, "not a PNG or JPEG image")),
    };
    check_complete(bytes, format).map_err(|reason| image_err(path, reason))?;
    let (w, h) = reader
        .into_dimensions()
        .map_err(|e| image_err(path, e.to_string()))?;
    if w > MAX_IMAGE_SIDE || h > MAX_IMAGE_SIDE {
        return Err(image_err(
            path,
            format!("{w}×{h} is larger than {MAX_IMAGE_SIDE} pixels a side"),
        ));
    }
    Ok((format, w, h))
}

/// Checks that a PNG or JPEG file is complete: a PNG's chunks, walked by their lengths,
/// reach its `IEND` chunk (bytes after it are ignored, as every PNG reader does); a JPEG
/// ends with its end-of-image marker (`FF D9`; zero padding after it is allowed). In a
/// JPEG's entropy-coded data `FF` is always followed by `00` or a restart marker, so a file
/// cut anywhere before its end does not end with `FF D9`.
fn check_complete(bytes: &[u8], format: image::ImageFormat) -> Result<(), String> {
    match format {
        image::ImageFormat::Png => {
            if !png_reaches_iend(bytes) {
                return Err("truncated PNG: the file ends before its IEND chunk".into());
            }
        }
        _ => {
            let end = bytes.iter().rposition(|&b| b != 0).map_or(0, |i| i + 1);
            if !bytes[..end].ends_with(&[0xFF, 0xD9]) {
                return Err(
                    "truncated JPEG: the file does not end with the end-of-image marker".into(),
                );
            }
        }
    }
    Ok(())
}

/// Whether a PNG's chunks (after the 8-byte signature: a big-endian length, a 4-byte type,
/// the data and a 4-byte CRC each) lead, within `bytes`, to a whole `IEND` chunk.
fn png_reaches_iend(bytes: &[u8]) -> bool {
    let mut at = 8usize;
    loop {
        let Some(head) = bytes.get(at..at + 8) else {
            return false;
        };
        let len = u32::from_be_bytes([head[0], head[1], head[2], head[3]]) as usize;
        let Some(end) = at.checked_add(12).and_then(|x| x.checked_add(len)) else {
            return false;
        };
        if end > bytes.len() {
            return false;
        }
        if &head[4..8] == b"IEND" {
            return true;
        }
        at = end;
    }
}

/// Decodes checked image bytes as 8-bit grayscale.
fn decode_gray(
    path: &Path,
    bytes: &[u8],
    format: image::ImageFormat,
) -> Result<(Vec<u8>, u32, u32), DataError> {
    let mut reader = image::ImageReader::with_format(std::io::Cursor::new(bytes), format);
    let mut limits = image::Limits::default();
    limits.max_image_width = Some(MAX_IMAGE_SIDE);
    limits.max_image_height = Some(MAX_IMAGE_SIDE);
    limits.max_alloc = Some(1 << 30);
    reader.limits(limits);
    let img = reader
        .decode()
        .map_err(|e| image_err(path, e.to_string()))?;
    let gray = img.to_luma8();
    let (w, h) = gray.dimensions();
    Ok((gray.into_raw(), w, h))
}

/// Loads an image file (PNG or JPEG) as 8-bit grayscale, row-major, with its width and height.
///
/// Colour images are converted to luma; a grayscale image is read unchanged, which is what the
/// original (taking the red channel) reads for the same file. Only a regular file is read (a
/// FIFO or a device is refused, never waited on), and a file cut short is refused.
pub fn load_grayscale(path: &Path) -> Result<(Vec<u8>, u32, u32), DataError> {
    let (bytes, format, _, _) = read_image(path)?;
    decode_gray(path, &bytes, format)
}

/// Loads an image and checks that it is `width × height` (from its header, before decoding).
pub fn load_image_for(path: &Path, width: usize, height: usize) -> Result<Vec<u8>, DataError> {
    let (bytes, format, w, h) = read_image(path)?;
    decode_for(path, &bytes, format, (w, h), (width, height))
}

/// [`load_image_for`] on image bytes already in memory (e.g. an upload); `name` names them
/// in messages. The same checks: a complete PNG or JPEG, its header's size the model's before
/// anything is decoded.
pub fn decode_image_for(
    name: &Path,
    bytes: &[u8],
    width: usize,
    height: usize,
) -> Result<Vec<u8>, DataError> {
    let (format, w, h) = check_image(name, bytes)?;
    decode_for(name, bytes, format, (w, h), (width, height))
}

fn decode_for(
    path: &Path,
    bytes: &[u8],
    format: image::ImageFormat,
    (w, h): (u32, u32),
    (width, height): (usize, usize),
) -> Result<Vec<u8>, DataError> {
    let size_err = |w: u32, h: u32| DataError::ImageSize {
        path: path.into(),
        width: w,
        height: h,
        expected: (width, height),
    };
    if w as usize != width || h as usize != height {
        return Err(size_err(w, h));
    }
    let (px, w, h) = decode_gray(path, bytes, format)?;
    if w as usize != width || h as usize != height {
        return Err(size_err(w, h));
    }
    Ok(px)
}

/// Encodes a grayscale image as PNG.
pub fn encode_png(pixels: &[u8], width: u32, height: u32) -> Result<Vec<u8>, String> {
    let mut out = Vec::new();
    image::ImageEncoder::write_image(
        image::codecs::png::PngEncoder::new(&mut out),
        pixels,
        width,
        height,
        image::ExtendedColorType::L8,
    )
    .map_err(|e| e.to_string())?;
    Ok(out)
}

/// Writes a grayscale image as PNG, atomically ([`crate::fsutil::write_atomic`]).
pub fn save_png(path: &Path, pixels: &[u8], width: u32, height: u32) -> Result<(), DataError> {
    let png = encode_png(pixels, width, height).map_err(|e| DataError::Write {
        path: path.into(),
        source: std::io::Error::other(e),
    })?;
    crate::fsutil::write_atomic(path, |w| std::io::Write::write_all(w, &png)).map_err(|source| {
        DataError::Write {
            path: path.into(),
            source,
        }
    })
}

/// The label encoded in a file name of the original's convention `NNNN_<label>.png`
/// (the part after the last underscore), a class index below [`crate::limits::MAX_CLASSES`].
pub fn label_from_file_name(path: &Path) -> Option<Class> {
    let stem = path.file_stem()?.to_str()?;
    let (_, label) = stem.rsplit_once('_')?;
    label.parse().ok()
}

/// Lists `*.png` files of a folder, sorted by name.
fn list_pngs(dir: &Path) -> Result<Vec<PathBuf>, DataError> {
    let rd = std::fs::read_dir(dir).map_err(|source| DataError::Io {
        path: dir.into(),
        source,
    })?;
    let mut files = Vec::new();
    for entry in rd {
        let entry = entry.map_err(|source| DataError::Io {
            path: dir.into(),
            source,
        })?;
        let p = entry.path();
        if p.extension().is_some_and(|e| e.eq_ignore_ascii_case("png")) {
            files.push(p);
        }
    }
    files.sort();
    Ok(files)
}

/// Reads a folder of `NNNN_<label>.png` images (the layout `export-mnist` writes).
pub fn load_png_folder(dir: &Path) -> Result<Dataset, DataError> {
    let files = list_pngs(dir)?;
    if files.is_empty() {
        return Err(DataError::Dataset {
            path: dir.into(),
            reason: "no MNIST IDX files (t10k-images-idx3-ubyte, …) and no *.png images".into(),
        });
    }
    let loaded: Vec<(Vec<u8>, u32, u32, Class)> = files
        .par_iter()
        .map(|f| {
            let label = label_from_file_name(f).ok_or_else(|| DataError::Dataset {
                path: f.clone(),
                reason: "file name does not follow NNNN_<label>.png".into(),
            })?;
            let (px, w, h) = load_grayscale(f)?;
            Ok((px, w, h, label))
        })
        .collect::<Result<_, DataError>>()?;
    let (_, w, h, _) = loaded[0];
    let mut ds = Dataset {
        rows: h as usize,
        cols: w as usize,
        ..Default::default()
    };
    ds.pixels.reserve(loaded.len() * (w * h) as usize);
    for ((px, iw, ih, label), f) in loaded.into_iter().zip(&files) {
        if (iw, ih) != (w, h) {
            return Err(DataError::Dataset {
                path: f.clone(),
                reason: format!(
                    "this image is {iw}×{ih}, but the folder's first image, {}, is {w}×{h}",
                    files[0].display()
                ),
            });
        }
        ds.pixels.extend_from_slice(&px);
        ds.labels.push(label);
    }
    Ok(ds)
}

/// Loads a data set from a folder holding MNIST IDX files (the given split) or, failing that,
/// labelled PNG images.
pub fn load_dataset(dir: &Path, split: Split) -> Result<Dataset, DataError> {
    if !dir.is_dir() {
        return Err(DataError::Dataset {
            path: dir.into(),
            reason: "not a directory".into(),
        });
    }
    let images = dir.join(format!("{}-images-idx3-ubyte", split.prefix()));
    let labels = dir.join(format!("{}-labels-idx1-ubyte", split.prefix()));
    if images.is_file() || labels.is_file() {
        return idx::read_pair(&images, &labels);
    }
    load_png_folder(dir)
}

/// Writes a data set as `NNNN_<label>.png` files (zero-padded to at least four digits) into
/// a new folder `dir`, as one unit: the files go to a temporary folder beside it, which is
/// renamed to `dir` once every file is written ([`crate::fsutil::write_dir_atomic`]). On any
/// error (a full disk…) nothing is left behind. `dir` must not exist, or be an empty folder.
/// Returns the number of files written.
pub fn export_png_folder(ds: &Dataset, dir: &Path) -> Result<usize, DataError> {
    export_png_folder_with(ds, dir, |path, bytes| std::fs::write(path, bytes))
}

/// [`export_png_folder`] with the function that writes each file (for tests of write errors).
pub fn export_png_folder_with(
    ds: &Dataset,
    dir: &Path,
    write: impl Fn(&Path, &[u8]) -> std::io::Result<()> + Sync,
) -> Result<usize, DataError> {
    let digits = ds.len().saturating_sub(1).to_string().len().max(4);
    crate::fsutil::write_dir_atomic(dir, |tmp| {
        (0..ds.len()).into_par_iter().try_for_each(|i| {
            let path = tmp.join(format!("{i:0digits$}_{}.png", ds.labels[i]));
            let png = encode_png(ds.image(i), ds.cols as u32, ds.rows as u32)
                .map_err(std::io::Error::other)?;
            write(&path, &png)
        })
    })
    .map_err(|source| DataError::Write {
        path: dir.into(),
        source,
    })?;
    Ok(ds.len())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn labels_from_names() {
        assert_eq!(label_from_file_name(Path::new("d/0000_7.png")), Some(7));
        assert_eq!(label_from_file_name(Path::new("12_3.png")), Some(3));
        assert_eq!(label_from_file_name(Path::new("x_12.png")), Some(12));
        assert_eq!(label_from_file_name(Path::new("seven.png")), None);
        assert_eq!(label_from_file_name(Path::new("0000_x.png")), None);
    }

    #[test]
    fn png_folder_round_trip() {
        let dir = tempfile::tempdir().unwrap();
        let ds = Dataset {
            pixels: (0..3 * 4).map(|v| (v * 20) as u8).collect(),
            labels: vec![3, 1, 4],
            rows: 2,
            cols: 2,
        };
        assert_eq!(export_png_folder(&ds, dir.path()).unwrap(), 3);
        assert!(dir.path().join("0001_1.png").is_file());
        let back = load_dataset(dir.path(), Split::Test).unwrap();
        assert_eq!(
            (back.pixels, back.labels, back.rows, back.cols),
            (ds.pixels, ds.labels, 2, 2)
        );
    }

    #[test]
    fn bad_folders_are_errors() {
        let dir = tempfile::tempdir().unwrap();
        let e = load_dataset(dir.path(), Split::Test)
            .unwrap_err()
            .to_string();
        assert!(e.contains("no MNIST IDX files"), "{e}");
        std::fs::write(dir.path().join("seven.png"), b"not a png").unwrap();
        let e = load_dataset(dir.path(), Split::Test)
            .unwrap_err()
            .to_string();
        assert!(e.contains("NNNN_<label>.png"), "{e}");
        let e = load_dataset(&dir.path().join("nope"), Split::Test)
            .unwrap_err()
            .to_string();
        assert!(e.contains("not a directory"), "{e}");
    }

    fn digit() -> Vec<u8> {
        (0..28 * 28).map(|i| ((i * 37) % 251) as u8).collect()
    }

    fn jpeg(pixels: &[u8]) -> Vec<u8> {
        let mut out = Vec::new();
        image::ImageEncoder::write_image(
            image::codecs::jpeg::JpegEncoder::new_with_quality(&mut out, 90),
            pixels,
            28,
            28,
            image::ExtendedColorType::L8,
        )
        .unwrap();
        out
    }

    #[test]
    fn truncated_images_are_refused() {
        let dir = tempfile::tempdir().unwrap();
        let f = dir.path().join("img");
        let png = encode_png(&digit(), 28, 28).unwrap();
        let jpg = jpeg(&digit());
        for (name, full) in [("PNG", &png), ("JPEG", &jpg)] {
            std::fs::write(&f, full).unwrap();
            assert_eq!(load_image_for(&f, 28, 28).unwrap().len(), 784, "{name}");
            for cut in [1, 2, 7, 12, full.len() / 3, full.len() / 2] {
                std::fs::write(&f, &full[..full.len() - cut]).unwrap();
                let e = load_grayscale(&f).unwrap_err().to_string();
                assert!(e.contains("cannot decode image"), "{name} -{cut}: {e}");
                if cut < full.len() / 3 {
                    assert!(
                        e.contains(&format!("truncated {name}")),
                        "{name} -{cut}: {e}"
                    );
                }
            }
        }
        // bytes after a complete PNG (after its IEND chunk) are ignored
        for extra in [&b"\0"[..], b"trailing text", &[0xFF; 300]] {
            let mut long = png.clone();
            long.extend_from_slice(extra);
            std::fs::write(&f, &long).unwrap();
            assert_eq!(load_image_for(&f, 28, 28).unwrap(), digit());
        }
        // zero padding after a JPEG's end-of-image marker is allowed
        let mut padded = jpg.clone();
        padded.extend([0; 16]);
        std::fs::write(&f, &padded).unwrap();
        assert!(load_grayscale(&f).is_ok());
        // the size is checked from the header, before decoding
        let e = load_image_for(&f, 30, 28).unwrap_err().to_string();
        assert!(e.contains("is 28×28, but the model expects 30×28"), "{e}");
    }

    #[test]
    fn only_regular_files_are_read() {
        let dir = tempfile::tempdir().unwrap();
        let e = load_grayscale(dir.path()).unwrap_err();
        assert!(format!("{:?}", e).contains("not a regular file"), "{e:?}");
        let fifo = dir.path().join("0001_3.png");
        let made = std::process::Command::new("mkfifo")
            .arg(&fifo)
            .status()
            .is_ok_and(|s| s.success());
        if made {
            // a FIFO given as an image, or lying in a test-set folder, is refused at once
            let e = load_grayscale(&fifo).unwrap_err();
            assert!(format!("{e:?}").contains("not a regular file"), "{e:?}");
            save_png(&dir.path().join("0000_7.png"), &digit(), 28, 28).unwrap();
            let e = load_dataset(dir.path(), Split::Test).unwrap_err();
            assert!(format!("{e:?}").contains("not a regular file"), "{e:?}");
        }
    }

    #[test]
    fn a_failed_export_leaves_nothing() {
        let dir = tempfile::tempdir().unwrap();
        let out = dir.path().join("digits");
        let ds = Dataset {
            pixels: (0..40 * 4).map(|v| v as u8).collect(),
            labels: (0..40).map(|i| i % 10).collect(),
            rows: 2,
            cols: 2,
        };
        // the disk fills up after a few files
        let written = std::sync::atomic::AtomicUsize::new(0);
        let e = export_png_folder_with(&ds, &out, |path, bytes| {
            if written.fetch_add(1, std::sync::atomic::Ordering::SeqCst) >= 5 {
                return Err(std::io::Error::other("No space left on device"));
            }
            std::fs::write(path, bytes)
        })
        .unwrap_err();
        assert!(format!("{e:?}").contains("No space left"), "{e:?}");
        assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 0);
        // a folder with files is not written into
        std::fs::create_dir(&out).unwrap();
        std::fs::write(out.join("mine.txt"), b"keep").unwrap();
        let e = export_png_folder(&ds, &out).unwrap_err();
        assert!(format!("{e:?}").contains("not empty"), "{e:?}");
        assert_eq!(std::fs::read_dir(&out).unwrap().count(), 1);
    }
}
