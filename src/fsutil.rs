//! Files zero_g reads and writes: only regular files are read (a FIFO or a device given as
//! an input would block or never end), reads are bounded before anything is allocated, and
//! every write goes to a temporary file in the destination's folder that is renamed into
//! place, so a failure or a kill never leaves a half-written file under the real name.
//! Temporary files left by a killed process are removed by the next write to the same path.

use std::fs::File;
use std::io::{BufWriter, Read, Write};
use std::path::{Path, PathBuf};

/// Suffix of zero_g's temporary files: `.<name>.<pid>.zero_g-tmp`.
const TMP_SUFFIX: &str = ".zero_g-tmp";

/// Opens `path` for reading if it is a regular file (never blocking on a FIFO).
pub fn open_regular(path: &Path) -> std::io::Result<File> {
    use std::os::unix::fs::OpenOptionsExt;
    let file = std::fs::OpenOptions::new()
        .read(true)
        .custom_flags(libc::O_NONBLOCK)
        .open(path)?;
    let meta = file.metadata()?;
    if !meta.is_file() {
        return Err(std::io::Error::new(
            std::io::ErrorKind::InvalidInput,
            "not a regular file",
        ));
    }
    Ok(file)
}

/// Reads a regular file of at most `max_bytes`.
pub fn read_regular(path: &Path, max_bytes: u64) -> std::io::Result<Vec<u8>> {
    let file = open_regular(path)?;
    let len = file.metadata()?.len();
    if len > max_bytes {
        return Err(std::io::Error::new(
            std::io::ErrorKind::InvalidData,
            format!("the file has {len} bytes; at most {max_bytes} are accepted"),
        ));
    }
    let mut out = Vec::with_capacity(len as usize);
    // read one byte past the limit to notice a file that grew
    file.take(max_bytes.saturating_add(1))
        .read_to_end(&mut out)?;
    if out.len() as u64 > max_bytes {
        return Err(std::io::Error::new(
            std::io::ErrorKind::InvalidData,
            format!("the file grew past {max_bytes} bytes while being read"),
        ));
    }
    Ok(out)
}

/// The temporary path this process writes `path` through.
pub fn temp_path(path: &Path) -> std::io::Result<PathBuf> {
    let name = path
        .file_name()
        .ok_or_else(|| std::io::Error::new(std::io::ErrorKind::InvalidInput, "not a file path"))?;
    Ok(path.with_file_name(format!(
        ".{}.{}{TMP_SUFFIX}",
        name.to_string_lossy(),
        std::process::id()
    )))
}

/// Removes temporary files that a killed zero_g process left beside `path` (those whose
/// process no longer runs).
pub fn remove_stale_temps(path: &Path) {
    let (Some(dir), Some(name)) = (path.parent(), path.file_name()) else {
        return;
    };
    let dir = if dir.as_os_str().is_empty() {
        Path::new(".")
    } else {
        dir
    };
    let prefix = format!(".{}.", name.to_string_lossy());
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    for e in entries.flatten() {
        let file = e.file_name();
        let Some(f) = file.to_str() else { continue };
        let Some(pid) = f
            .strip_prefix(&prefix)
            .and_then(|rest| rest.strip_suffix(TMP_SUFFIX))
            .and_then(|pid| pid.parse::<u32>().ok())
        else {
            continue;
        };
        if pid != std::process::id() && !Path::new(&format!("/proc/{pid}")).exists() {
            let _ = std::fs::remove_file(e.path());
        }
    }
}

/// Writes `path` atomically through `write`: to a temporary file beside it, flushed and
/// synced, then renamed over it. On failure the temporary file is removed and `path` is
/// untouched.
pub fn write_atomic(
    path: &Path,
    write: impl FnOnce(&mut BufWriter<File>) -> std::io::Result<()>,
) -> std::io::Result<()> {
    remove_stale_temps(path);
    let tmp = temp_path(path)?;
    let result = (|| {
        let mut w = BufWriter::new(File::create(&tmp)?);
        write(&mut w)?;
        w.flush()?;
        w.into_inner().map_err(|e| e.into_error())?.sync_all()?;
        std::fs::rename(&tmp, path)
    })();
    if result.is_err() {
        let _ = std::fs::remove_file(&tmp);
    }
    result
}

/// Runs `f` (a parser of untrusted bytes), turning a panic into `None` without printing it.
/// The panic hook is swapped for the duration of the call.
pub fn no_panic<T>(f: impl FnOnce() -> T) -> Option<T> {
    let hook = std::panic::take_hook();
    std::panic::set_hook(Box::new(|_| {}));
    let r = std::panic::catch_unwind(std::panic::AssertUnwindSafe(f));
    std::panic::set_hook(hook);
    r.ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_only_bounded_regular_files() {
        let dir = tempfile::tempdir().unwrap();
        let f = dir.path().join("a");
        std::fs::write(&f, b"hello").unwrap();
        assert_eq!(read_regular(&f, 5).unwrap(), b"hello");
        let e = read_regular(&f, 4).unwrap_err().to_string();
        assert!(e.contains("at most 4"), "{e}");
        let e = read_regular(dir.path(), 10).unwrap_err().to_string();
        assert!(
            e.contains("not a regular file") || e.contains("directory"),
            "{e}"
        );
        let fifo = dir.path().join("fifo");
        let ok = std::process::Command::new("mkfifo")
            .arg(&fifo)
            .status()
            .is_ok_and(|s| s.success());
        if ok {
            let e = read_regular(&fifo, 10).unwrap_err().to_string();
            assert!(e.contains("not a regular file"), "{e}");
        }
    }

    #[test]
    fn atomic_writes_leave_nothing_behind() {
        let dir = tempfile::tempdir().unwrap();
        let f = dir.path().join("out.json");
        // a stale temporary of a dead process (pid far beyond pid_max) is cleaned
        let stale = dir.path().join(format!(".out.json.4194999{TMP_SUFFIX}"));
        std::fs::write(&stale, b"x").unwrap();
        write_atomic(&f, |w| w.write_all(b"one")).unwrap();
        assert_eq!(std::fs::read(&f).unwrap(), b"one");
        assert!(!stale.exists());
        let e = write_atomic(&f, |w| {
            w.write_all(b"two")?;
            Err(std::io::Error::other("disk full"))
        });
        assert!(e.is_err());
        assert_eq!(std::fs::read(&f).unwrap(), b"one");
        let names: Vec<_> = std::fs::read_dir(dir.path()).unwrap().flatten().collect();
        assert_eq!(names.len(), 1, "{names:?}");
    }
}
