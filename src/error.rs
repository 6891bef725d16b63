//! Error types of the library, one enum per layer, gathered in [`Error`].

use std::path::PathBuf;

/// A model file could not be read, written or validated.
#[derive(Debug, thiserror::Error)]
pub enum ModelError {
    /// The file could not be opened or parsed as HDF5.
    #[error("cannot read model file {path}: {reason}")]
    Unreadable {
        /// The file.
        path: PathBuf,
        /// What the HDF5 library reported.
        reason: String,
    },
    /// A required root attribute is absent.
    #[error("model is missing the root attribute `{0}`")]
    MissingAttribute(String),
    /// A required dataset is absent.
    #[error("model is missing the dataset `{0}`")]
    MissingDataset(String),
    /// An attribute or dataset has the wrong HDF5 type.
    #[error("`{name}` has type {found}, expected {expected}")]
    WrongType {
        /// Attribute or dataset name.
        name: String,
        /// The type found in the file.
        found: String,
        /// The type the schema requires.
        expected: &'static str,
    },
    /// A dataset has the wrong shape for the model's attributes.
    #[error("`{name}` has shape {found:?}, expected {expected:?}")]
    WrongShape {
        /// Dataset name.
        name: String,
        /// Shape found.
        found: Vec<usize>,
        /// Shape implied by the attributes.
        expected: Vec<usize>,
    },
    /// The attributes or data break an invariant of the model.
    #[error("invalid model: {0}")]
    Invalid(String),
    /// The model could not be written.
    #[error("cannot write model file {path}: {reason}")]
    Write {
        /// Destination.
        path: PathBuf,
        /// What failed.
        reason: String,
    },
}

/// An input image or data set could not be read.
#[derive(Debug, thiserror::Error)]
pub enum DataError {
    /// An I/O error on a named file.
    #[error("cannot read {path}")]
    Io {
        /// The file.
        path: PathBuf,
        /// The underlying error.
        source: std::io::Error,
    },
    /// A file could not be written.
    #[error("cannot write {path}")]
    Write {
        /// The file.
        path: PathBuf,
        /// The underlying error.
        source: std::io::Error,
    },
    /// An image file could not be decoded.
    #[error("cannot decode image {path}: {reason}")]
    Image {
        /// The file.
        path: PathBuf,
        /// Decoder message.
        reason: String,
    },
    /// An image does not have the size the model expects.
    #[error("image {path} is {width}×{height}, but the model expects {}×{}", expected.0, expected.1)]
    ImageSize {
        /// The file.
        path: PathBuf,
        /// Its width.
        width: u32,
        /// Its height.
        height: u32,
        /// The size expected (width, height).
        expected: (usize, usize),
    },
    /// An IDX file is malformed.
    #[error("malformed IDX file {path}: {reason}")]
    Idx {
        /// The file.
        path: PathBuf,
        /// What is wrong.
        reason: String,
    },
    /// A data-set folder has neither IDX files nor labelled PNGs.
    #[error("{path}: {reason}")]
    Dataset {
        /// The folder.
        path: PathBuf,
        /// What is wrong.
        reason: String,
    },
    /// A data set does not fit the model.
    #[error("data set does not fit the model: {0}")]
    Mismatch(String),
    /// A value given on the command line (feature values, a CSV row reference) is unusable.
    #[error("{0}")]
    Input(String),
    /// A CSV file has a bad cell, row or header.
    #[error("{path}:{line}: {reason}")]
    Csv {
        /// The file.
        path: PathBuf,
        /// 1-based line number (1 is the header).
        line: u64,
        /// What is wrong, naming the column.
        reason: String,
    },
}

/// Training could not run.
#[derive(Debug, thiserror::Error)]
pub enum TrainError {
    /// A hyper-parameter is out of range.
    #[error("invalid training configuration: {0}")]
    Config(String),
    /// The training data is unusable.
    #[error("invalid training data: {0}")]
    Data(String),
    /// A checkpoint could not be written or read.
    #[error("checkpoint {0}")]
    Checkpoint(String),
}

/// Any error of the zero_g library.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// See [`ModelError`].
    #[error(transparent)]
    Model(#[from] ModelError),
    /// See [`DataError`].
    #[error(transparent)]
    Data(#[from] DataError),
    /// See [`TrainError`].
    #[error(transparent)]
    Train(#[from] TrainError),
}

/// Result alias of the library.
pub type Result<T, E = Error> = std::result::Result<T, E>;
