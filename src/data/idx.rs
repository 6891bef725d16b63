//! The IDX format of the MNIST distribution: a big-endian header (magic `0x0000080D` with
//! `D` dimensions, then `D` u32 sizes) followed by unsigned bytes.

use super::Dataset;
use crate::error::DataError;
use crate::limits::Class;
use std::path::Path;

fn idx_err(path: &Path, reason: impl Into<String>) -> DataError {
    DataError::Idx {
        path: path.into(),
        reason: reason.into(),
    }
}

/// Parses an IDX byte buffer of unsigned bytes into its dimensions and data.
pub fn parse(path: &Path, bytes: &[u8]) -> Result<(Vec<usize>, Vec<u8>), DataError> {
    if bytes.len() < 4 {
        return Err(idx_err(path, "shorter than the 4-byte magic number"));
    }
    if bytes[0] != 0 || bytes[1] != 0 || bytes[2] != 0x08 {
        return Err(idx_err(
            path,
            format!(
                "magic {:02x?} is not an unsigned-byte IDX file",
                &bytes[..4]
            ),
        ));
    }
    let ndim = bytes[3] as usize;
    let header = 4 + 4 * ndim;
    if ndim == 0 || bytes.len() < header {
        return Err(idx_err(path, "truncated header"));
    }
    let dims: Vec<usize> = (0..ndim)
        .map(|i| u32::from_be_bytes(bytes[4 + 4 * i..8 + 4 * i].try_into().unwrap()) as usize)
        .collect();
    let want = dims.iter().try_fold(1usize, |a, &d| a.checked_mul(d));
    match want {
        Some(n) if bytes.len() - header == n => Ok((dims, bytes[header..].to_vec())),
        Some(n) => Err(idx_err(
            path,
            format!(
                "header promises {n} data bytes but the file holds {}",
                bytes.len() - header
            ),
        )),
        None => Err(idx_err(path, "dimensions overflow")),
    }
}

/// The largest IDX file zero_g reads.
pub const MAX_IDX_BYTES: u64 = 2 << 30;

fn read(path: &Path) -> Result<(Vec<usize>, Vec<u8>), DataError> {
    let bytes =
        crate::fsutil::read_regular(path, MAX_IDX_BYTES).map_err(|source| DataError::Io {
            path: path.into(),
            source,
        })?;
    parse(path, &bytes)
}

/// Reads an images file (3 dimensions) and a labels file (1 dimension) into a data set.
pub fn read_pair(images: &Path, labels: &Path) -> Result<Dataset, DataError> {
    let (idims, pixels) = read(images)?;
    let (ldims, labels_v) = read(labels)?;
    if idims.len() != 3 {
        return Err(idx_err(
            images,
            format!("expected 3 dimensions, found {}", idims.len()),
        ));
    }
    if ldims.len() != 1 {
        return Err(idx_err(
            labels,
            format!("expected 1 dimension, found {}", ldims.len()),
        ));
    }
    if idims[0] != ldims[0] {
        return Err(idx_err(
            labels,
            format!(
                "{} labels for {} images in {}",
                ldims[0],
                idims[0],
                images.display()
            ),
        ));
    }
    Ok(Dataset {
        pixels,
        labels: labels_v.into_iter().map(Class::from).collect(),
        rows: idims[1],
        cols: idims[2],
    })
}

/// Encodes a data set as an (images, labels) pair of IDX byte buffers (IDX stores a label
/// as a byte: `None` when a label is 256 or more).
pub fn encode(ds: &Dataset) -> Option<(Vec<u8>, Vec<u8>)> {
    let mut img = vec![0, 0, 8, 3];
    for d in [ds.len(), ds.rows, ds.cols] {
        img.extend_from_slice(&(d as u32).to_be_bytes());
    }
    img.extend_from_slice(&ds.pixels);
    let mut lab = vec![0, 0, 8, 1];
    lab.extend_from_slice(&(ds.len() as u32).to_be_bytes());
    for &l in &ds.labels {
        lab.push(u8::try_from(l).ok()?);
    }
    Some((img, lab))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trip_and_errors() {
        let ds = Dataset {
            pixels: vec![1, 2, 3, 4, 5, 6],
            labels: vec![7, 9],
            rows: 1,
            cols: 3,
        };
        let (img, lab) = encode(&ds).unwrap();
        let dir = tempfile::tempdir().unwrap();
        let (ip, lp) = (dir.path().join("i"), dir.path().join("l"));
        std::fs::write(&ip, &img).unwrap();
        std::fs::write(&lp, &lab).unwrap();
        let back = read_pair(&ip, &lp).unwrap();
        assert_eq!(
            (back.pixels, back.labels, back.rows, back.cols),
            (ds.pixels.clone(), ds.labels.clone(), 1, 3)
        );

        let p = Path::new("x");
        assert!(parse(p, &img[..img.len() - 1])
            .unwrap_err()
            .to_string()
            .contains("promises"));
        assert!(parse(p, &[0, 0, 9, 1])
            .unwrap_err()
            .to_string()
            .contains("magic"));
        assert!(parse(p, &[0, 0, 8])
            .unwrap_err()
            .to_string()
            .contains("shorter"));
        assert!(parse(p, &[0, 0, 8, 3, 0])
            .unwrap_err()
            .to_string()
            .contains("truncated"));
        // labels file swapped for images file
        std::fs::write(&ip, &lab).unwrap();
        assert!(read_pair(&ip, &lp)
            .unwrap_err()
            .to_string()
            .contains("3 dimensions"));
        // count mismatch
        let (img3, _) = encode(&Dataset {
            labels: vec![0; 3],
            pixels: vec![0; 9],
            ..ds.clone()
        })
        .unwrap();
        std::fs::write(&ip, &img3).unwrap();
        assert!(read_pair(&ip, &lp)
            .unwrap_err()
            .to_string()
            .contains("2 labels for 3 images"));
    }
}
