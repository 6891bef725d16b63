//! Streaming CSV reading: the header once, then one record at a time, each with the line it
//! starts on, and nothing parsed that the caller does not ask for.
//!
//! Time and memory are linear in what is read: the header's names are checked with one hash
//! set, a record is read into one reused buffer, and a caller that needs row `N` stops after
//! it (the rest of the file is never read).
//!
//! Line numbers are counted from the `\n` bytes the parser consumed. Records end at `\n`
//! only (a `\r` before it is whitespace that trimming removes), so a CRLF file numbers its
//! lines exactly as an LF file; a `\n` is appended after the file's last byte so that every
//! record, the last included, ends with one. A file whose lines end with a lone `\r`
//! (classic Mac OS) is refused with a message saying so. A UTF-8 byte order mark at the
//! start of the file is skipped.

use crate::error::DataError;
use crate::model::input::MAX_NAME_BYTES;
use std::collections::HashSet;
use std::io::{Chain, Read};
use std::path::{Path, PathBuf};

/// What the parser reads: the file (at most [`super::MAX_CSV_BYTES`]) or bytes in memory, and
/// a final `\n`.
type Source = Chain<Box<dyn Read + Send>, &'static [u8]>;

/// An error at `line` of `path`.
pub(super) fn err(path: &Path, line: u64, reason: impl Into<String>) -> DataError {
    DataError::Csv {
        path: path.to_path_buf(),
        line,
        reason: reason.into(),
    }
}

/// The header row: unique, non-empty column names (trimmed), each valid UTF-8.
#[derive(Clone, Debug)]
pub struct Header {
    names: csv::ByteRecord,
    line: u64,
}

impl Header {
    /// Number of columns.
    pub fn len(&self) -> usize {
        self.names.len()
    }
    /// Whether the header has no column (never true for an opened file).
    pub fn is_empty(&self) -> bool {
        self.names.is_empty()
    }
    /// The line of the header (1 unless blank lines precede it).
    pub fn line(&self) -> u64 {
        self.line
    }
    /// The name of column `i`.
    pub fn name(&self, i: usize) -> &str {
        // checked to be UTF-8 when the header was read
        std::str::from_utf8(&self.names[i]).unwrap_or_default()
    }
    /// The names, in file order.
    pub fn names(&self) -> impl Iterator<Item = &str> + '_ {
        (0..self.len()).map(|i| self.name(i))
    }
    /// The column called `name`.
    pub fn position(&self, name: &str) -> Option<usize> {
        self.names.iter().position(|n| n == name.as_bytes())
    }
    /// The column of each of `wanted` (names assumed distinct), in one pass over the header.
    pub fn positions(&self, wanted: &[&str]) -> Vec<Option<usize>> {
        let index: std::collections::HashMap<&[u8], usize> = wanted
            .iter()
            .enumerate()
            .map(|(k, w)| (w.as_bytes(), k))
            .collect();
        let mut out = vec![None; wanted.len()];
        for (i, n) in self.names.iter().enumerate() {
            if let Some(&k) = index.get(n) {
                out[k] = Some(i);
            }
        }
        out
    }

    fn check(&self, path: &Path) -> Result<(), DataError> {
        let e = |reason: String| Err(err(path, self.line, reason));
        if self.names.iter().all(|n| n.is_empty()) {
            return e("the header row is empty".into());
        }
        let mut seen: HashSet<&[u8]> = HashSet::with_capacity(self.names.len());
        for (i, n) in self.names.iter().enumerate() {
            let col = i + 1;
            if n.is_empty() {
                return e(format!("column {col} has no name"));
            }
            if n.contains(&b'\r') {
                return e(
                    "the lines end with a lone carriage return (classic Mac OS): \
                     save the file with LF or CRLF line ends"
                        .into(),
                );
            }
            if std::str::from_utf8(n).is_err() {
                return e(format!("column {col}: the name is not valid UTF-8"));
            }
            if n.len() > MAX_NAME_BYTES {
                return e(format!(
                    "column {col} has a name longer than {MAX_NAME_BYTES} bytes"
                ));
            }
            if !seen.insert(n) {
                return e(format!(
                    "column `{}` appears twice",
                    String::from_utf8_lossy(n)
                ));
            }
        }
        Ok(())
    }
}

/// A CSV file read row by row.
pub struct Rows {
    path: PathBuf,
    rdr: csv::Reader<Source>,
    header: Header,
    record: csv::ByteRecord,
}

impl std::fmt::Debug for Rows {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Rows").field("path", &self.path).finish()
    }
}

/// One data row, unparsed until a cell is asked for.
#[derive(Debug)]
pub struct Row<'a> {
    /// The line the row starts on.
    pub line: u64,
    path: &'a Path,
    header: &'a Header,
    record: &'a csv::ByteRecord,
}

/// The line a record just read starts on: the parser's line after it, less its terminating
/// `\n` and the `\n`s inside its quoted fields.
fn start_line<R: Read>(rdr: &csv::Reader<R>, record: &csv::ByteRecord) -> u64 {
    let inner = record.as_slice().iter().filter(|&&b| b == b'\n').count() as u64;
    rdr.position().line().saturating_sub(1 + inner).max(1)
}

impl Rows {
    /// Opens a CSV file (a regular file of at most [`super::MAX_CSV_BYTES`]) and reads its
    /// header.
    pub fn open(path: &Path) -> Result<Self, DataError> {
        let io = |source| DataError::Io {
            path: path.into(),
            source,
        };
        let mut file = crate::fsutil::open_regular(path).map_err(io)?;
        let len = file.metadata().map_err(io)?.len();
        // a UTF-8 byte order mark (spreadsheet exports) is not part of the first name
        let mut bom = [0u8; 3];
        let got = file.read(&mut bom).map_err(io)?;
        if got < 3 || bom != *b"\xef\xbb\xbf" {
            std::io::Seek::rewind(&mut file).map_err(io)?;
        }
        if len > super::MAX_CSV_BYTES {
            return Err(io(std::io::Error::new(
                std::io::ErrorKind::InvalidData,
                format!(
                    "the file has {len} bytes; at most {} are accepted",
                    super::MAX_CSV_BYTES
                ),
            )));
        }
        Self::start(path, Box::new(file.take(super::MAX_CSV_BYTES)))
    }

    /// Reads CSV text already in memory (a request's body, say) as [`Rows::open`] reads a
    /// file; `name` only names it in messages.
    pub fn from_bytes(name: &Path, bytes: Vec<u8>) -> Result<Self, DataError> {
        let body = match bytes.strip_prefix(b"\xef\xbb\xbf") {
            Some(rest) => rest.to_vec(),
            None => bytes,
        };
        Self::start(name, Box::new(std::io::Cursor::new(body)))
    }

    /// Starts the parser on a source and reads the header.
    fn start(path: &Path, input: Box<dyn Read + Send>) -> Result<Self, DataError> {
        let source: Source = input.chain(&b"\n"[..]);
        let mut rdr = csv::ReaderBuilder::new()
            .has_headers(false)
            .flexible(true)
            .terminator(csv::Terminator::Any(b'\n'))
            .from_reader(source);
        let mut names = csv::ByteRecord::new();
        let found = rdr
            .read_byte_record(&mut names)
            .map_err(|e| err(path, 1, format!("unreadable header: {e}")))?;
        if !found {
            return Err(err(path, 1, "the file is empty: it has no header row"));
        }
        let line = start_line(&rdr, &names);
        names.trim();
        let header = Header { names, line };
        header.check(path)?;
        Ok(Rows {
            path: path.to_path_buf(),
            rdr,
            header,
            record: csv::ByteRecord::new(),
        })
    }

    /// The file.
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// The header.
    pub fn header(&self) -> &Header {
        &self.header
    }

    /// The next data row (blank lines are skipped), or `None` at the end of the file. Only
    /// the row's framing is checked here (quotes, UTF-8 is not); its cells are parsed when
    /// asked for.
    pub fn next_row(&mut self) -> Result<Option<Row<'_>>, DataError> {
        loop {
            let found = self.rdr.read_byte_record(&mut self.record).map_err(|e| {
                let line = e.position().map_or(0, |p| p.line());
                err(&self.path, line, format!("unreadable row: {e}"))
            })?;
            if !found {
                return Ok(None);
            }
            if self.record.iter().all(|f| f.trim_ascii().is_empty()) {
                continue; // a blank line
            }
            return Ok(Some(Row {
                line: start_line(&self.rdr, &self.record),
                path: &self.path,
                header: &self.header,
                record: &self.record,
            }));
        }
    }
}

impl Row<'_> {
    /// An error at this row.
    pub fn err(&self, reason: impl Into<String>) -> DataError {
        err(self.path, self.line, reason)
    }

    /// An error about column `col` of this row.
    pub fn cell_err(&self, col: usize, reason: impl std::fmt::Display) -> DataError {
        self.err(format!("column `{}`: {reason}", self.header.name(col)))
    }

    /// Checks that the row has as many fields as the header has columns.
    pub fn check_width(&self) -> Result<(), DataError> {
        if self.record.len() != self.header.len() {
            return Err(self.err(format!(
                "{} fields, but the header has {} columns",
                self.record.len(),
                self.header.len()
            )));
        }
        Ok(())
    }

    /// Cell `col`, trimmed (an error if the row is too short or the cell is not UTF-8).
    pub fn text(&self, col: usize) -> Result<&str, DataError> {
        let raw = self.record.get(col).ok_or_else(|| {
            self.err(format!(
                "{} fields, but the header has {} columns",
                self.record.len(),
                self.header.len()
            ))
        })?;
        std::str::from_utf8(raw.trim_ascii()).map_err(|_| self.cell_err(col, "not valid UTF-8"))
    }

    /// Cell `col` as a finite number (an empty cell, `NA` and the like are missing values).
    pub fn number(&self, col: usize) -> Result<f64, DataError> {
        let f = self.text(col)?;
        let v: f64 = match f {
            "" | "NA" | "N/A" | "NaN" | "nan" | "?" | "null" => {
                return Err(self.cell_err(col, format!("missing value `{f}`")))
            }
            _ => f
                .parse()
                .map_err(|_| self.cell_err(col, format!("`{f}` is not a number")))?,
        };
        if !v.is_finite() {
            return Err(self.cell_err(col, format!("`{f}` is not finite")));
        }
        Ok(v)
    }

    /// Cell `col` as a label (non-empty text).
    pub fn label(&self, col: usize) -> Result<&str, DataError> {
        let l = self.text(col)?;
        if l.is_empty() {
            return Err(self.cell_err(col, "the label is missing"));
        }
        Ok(l)
    }
}
