//! Inputs: grayscale images, MNIST IDX files and the original's labelled PNG folders.

pub mod csv;
pub mod idx;

use crate::error::DataError;
use rayon::prelude::*;
use std::path::{Path, PathBuf};

/// A labelled set of samples, stored contiguously: 8-bit grayscale images of one size, or
/// rows of quantised features (`rows = 1`, `cols` = features; see [`csv`]).
#[derive(Clone, Debug, Default)]
pub struct Dataset {
    /// `len · rows · cols` pixels, image-major, row-major.
    pub pixels: Vec<u8>,
    /// One label per image.
    pub labels: Vec<u8>,
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
    pub fn iter(&self) -> impl Iterator<Item = (&[u8], u8)> {
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

/// Loads an image file (PNG or JPEG) as 8-bit grayscale, row-major, with its width and height.
///
/// Colour images are converted to luma; a grayscale image is read unchanged, which is what the
/// original (taking the red channel) reads for the same file.
pub fn load_grayscale(path: &Path) -> Result<(Vec<u8>, u32, u32), DataError> {
    let bytes = std::fs::read(path).map_err(|source| DataError::Io {
        path: path.into(),
        source,
    })?;
    let img = image::load_from_memory(&bytes).map_err(|e| DataError::Image {
        path: path.into(),
        reason: e.to_string(),
    })?;
    let gray = img.to_luma8();
    let (w, h) = gray.dimensions();
    Ok((gray.into_raw(), w, h))
}

/// Loads an image and checks that it is `width × height`.
pub fn load_image_for(path: &Path, width: usize, height: usize) -> Result<Vec<u8>, DataError> {
    let (px, w, h) = load_grayscale(path)?;
    if w as usize != width || h as usize != height {
        return Err(DataError::ImageSize {
            path: path.into(),
            width: w,
            height: h,
            expected: (width, height),
        });
    }
    Ok(px)
}

/// Writes a grayscale image as PNG.
pub fn save_png(path: &Path, pixels: &[u8], width: u32, height: u32) -> Result<(), DataError> {
    image::save_buffer(path, pixels, width, height, image::ExtendedColorType::L8).map_err(|e| {
        DataError::Write {
            path: path.into(),
            source: std::io::Error::other(e.to_string()),
        }
    })
}

/// The label encoded in a file name of the original's convention `NNNN_<label>.png`
/// (the part after the last underscore).
pub fn label_from_file_name(path: &Path) -> Option<u8> {
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
    let loaded: Vec<(Vec<u8>, u32, u32, u8)> = files
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

/// Writes a data set as `NNNN_<label>.png` files (zero-padded to at least four digits).
/// Returns the number of files written.
pub fn export_png_folder(ds: &Dataset, dir: &Path) -> Result<usize, DataError> {
    std::fs::create_dir_all(dir).map_err(|source| DataError::Write {
        path: dir.into(),
        source,
    })?;
    let digits = ds.len().saturating_sub(1).to_string().len().max(4);
    (0..ds.len()).into_par_iter().try_for_each(|i| {
        let path = dir.join(format!("{i:0digits$}_{}.png", ds.labels[i]));
        save_png(&path, ds.image(i), ds.cols as u32, ds.rows as u32)
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
}
