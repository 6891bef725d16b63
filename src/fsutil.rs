//! Files zero_g reads and writes: only regular files are read (a FIFO or a device given as
//! an input would block or never end), reads are bounded before anything is allocated, and
//! every write goes to a temporary file in the destination's folder that is renamed into
//! place, so a failure or a kill never leaves a half-written file under the real name.
//! Temporary files left by a killed process are removed by the next write to the same path.
//!
//! Files that belong together (a verifying key and its proving key, a proof and the openings
//! of its commitments) are written as one unit ([`write_atomic_all`]), and a folder of many
//! files is filled under a temporary name and renamed into place whole
//! ([`write_dir_atomic`]).

use std::fs::File;
use std::io::{BufWriter, Read, Write};
use std::path::{Path, PathBuf};

/// Suffix of zero_g's temporary files and folders: `.<name>.<pid>.zero_g-tmp`.
const TMP_SUFFIX: &str = ".zero_g-tmp";
/// Suffix of the links that keep a file's previous version while a group of files is
/// replaced ([`write_atomic_all`]): `.<name>.<pid>.zero_g-old`.
const OLD_SUFFIX: &str = ".zero_g-old";
/// Suffix of the empty marker beside each file of a group being replaced, from before the
/// first rename until after the last ([`write_atomic_all`]): `.<name>.<pid>.zero_g-pending`.
const PENDING_SUFFIX: &str = ".zero_g-pending";

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
    sibling(path, TMP_SUFFIX)
}

fn sibling(path: &Path, suffix: &str) -> std::io::Result<PathBuf> {
    let name = path
        .file_name()
        .ok_or_else(|| std::io::Error::new(std::io::ErrorKind::InvalidInput, "not a file path"))?;
    Ok(path.with_file_name(format!(
        ".{}.{}{suffix}",
        name.to_string_lossy(),
        std::process::id()
    )))
}

/// The temporary files, kept previous versions and pending markers beside `path`: (their
/// path, the process that made them, whether it is a pending marker `.zero_g-pending`).
fn siblings_of(path: &Path) -> Vec<(PathBuf, u32, bool)> {
    let (Some(dir), Some(name)) = (path.parent(), path.file_name()) else {
        return vec![];
    };
    let dir = if dir.as_os_str().is_empty() {
        Path::new(".")
    } else {
        dir
    };
    let prefix = format!(".{}.", name.to_string_lossy());
    let Ok(entries) = std::fs::read_dir(dir) else {
        return vec![];
    };
    let mut out = Vec::new();
    for e in entries.flatten() {
        let file = e.file_name();
        let Some(rest) = file.to_str().and_then(|f| f.strip_prefix(&prefix)) else {
            continue;
        };
        let (pid, pending) = if let Some(p) = rest.strip_suffix(PENDING_SUFFIX) {
            (p, true)
        } else if let Some(p) = rest
            .strip_suffix(TMP_SUFFIX)
            .or_else(|| rest.strip_suffix(OLD_SUFFIX))
            // `.<name>.tmp<pid>`: the temporaries of zero_g's proving artifacts before they
            // were written through this module
            .or_else(|| rest.strip_prefix("tmp"))
        {
            (p, false)
        } else {
            continue;
        };
        if let Ok(pid) = pid.parse::<u32>() {
            out.push((e.path(), pid, pending));
        }
    }
    out
}

/// Whether process `pid` still runs.
fn running(pid: u32) -> bool {
    pid == std::process::id() || Path::new(&format!("/proc/{pid}")).exists()
}

/// Refuses to read `path` while a group of files that replaces it ([`write_atomic_all`])
/// is unfinished: a marker lies beside each file of the group (`.zero_g-pending`) from
/// before the first rename until after the last, so a marker means that the group may be
/// half new, half old (a verifying key of one `generate-keys` beside the proving key of
/// another). The writer is still at work, or was killed: either way the file is not read.
/// The next write of the group removes what a killed writer left.
pub fn check_group_complete(path: &Path) -> std::io::Result<()> {
    for (_, pid, pending) in siblings_of(path) {
        if !pending || pid == std::process::id() {
            continue;
        }
        let why = if running(pid) {
            format!("zero_g process {pid} is replacing it with the files written with it; try again when it is done")
        } else {
            format!(
                "zero_g process {pid} was stopped while replacing it with the files written \
                 with it (e.g. a verifying key and its proving key), so they may not belong \
                 together: write them again (rerun the command, e.g. `zero_g generate-keys`)"
            )
        };
        return Err(std::io::Error::other(why));
    }
    Ok(())
}

/// Removes temporary files and folders that a killed zero_g process left beside `path`
/// (those whose process no longer runs).
pub fn remove_stale_temps(path: &Path) {
    for (p, pid, _) in siblings_of(path) {
        if !running(pid) {
            let is_dir = std::fs::symlink_metadata(&p).is_ok_and(|m| m.is_dir());
            let _ = if is_dir {
                std::fs::remove_dir_all(&p)
            } else {
                std::fs::remove_file(&p)
            };
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
    let tmp = write_temp(path, write)?;
    std::fs::rename(&tmp, path).inspect_err(|_| {
        let _ = std::fs::remove_file(&tmp);
    })
}

/// Writes the temporary file of `path` (flushed and synced) and returns its path; on failure
/// it is removed.
fn write_temp(
    path: &Path,
    write: impl FnOnce(&mut BufWriter<File>) -> std::io::Result<()>,
) -> std::io::Result<PathBuf> {
    let tmp = temp_path(path)?;
    let result = (|| {
        let mut w = BufWriter::new(File::create(&tmp)?);
        write(&mut w)?;
        w.flush()?;
        w.into_inner().map_err(|e| e.into_error())?.sync_all()
    })();
    match result {
        Ok(()) => Ok(tmp),
        Err(e) => {
            let _ = std::fs::remove_file(&tmp);
            Err(e)
        }
    }
}

/// What writes one file's contents.
pub type Writer<'a> = Box<dyn FnOnce(&mut BufWriter<File>) -> std::io::Result<()> + 'a>;

/// One file of a group: where, and what writes it.
pub type Part<'a> = (&'a Path, Writer<'a>);

/// A write that failed, naming its file.
#[derive(Debug, thiserror::Error)]
#[error("{}", path.display())]
pub struct WriteError {
    /// The file.
    pub path: PathBuf,
    /// What failed.
    #[source]
    pub source: std::io::Error,
}

/// Writes several files as one unit: each goes to a temporary file beside it (flushed and
/// synced), and only when every one is written are they renamed into place, in order. If a
/// write fails, nothing changes; if a rename fails, the files already replaced get their
/// previous version back (kept meanwhile as a hard link, `.<name>.<pid>.zero_g-old`) or
/// are removed if they did not exist.
///
/// A kill between two renames would leave the first file new and the next ones old, so
/// before the first rename an empty marker `.<name>.<pid>.zero_g-pending` is created beside
/// every file of the group, and removed only after the last: a reader that checks
/// [`check_group_complete`] (the key files' do) refuses a file with a marker beside it
/// instead of combining it with a partner from another write. The next write of the group
/// removes the markers, kept versions and temporaries a killed writer left.
pub fn write_atomic_all(parts: Vec<Part<'_>>) -> Result<(), WriteError> {
    let fail = |path: &Path| {
        let path = path.to_path_buf();
        move |source| WriteError { path, source }
    };
    let mut temps: Vec<(&Path, PathBuf)> = Vec::with_capacity(parts.len());
    let cleanup = |temps: &[(&Path, PathBuf)]| {
        for (_, t) in temps {
            let _ = std::fs::remove_file(t);
        }
    };
    for (path, write) in parts {
        remove_stale_temps(path);
        match write_temp(path, write) {
            Ok(t) => temps.push((path, t)),
            Err(e) => {
                cleanup(&temps);
                return Err(fail(path)(e));
            }
        }
    }
    // keep each previous version under a second name until every rename is done
    let mut olds: Vec<Option<PathBuf>> = Vec::with_capacity(temps.len());
    for (path, _) in &temps {
        let kept = (|| {
            // only a file (or a link) has a previous version to keep; anything else in the
            // way makes its rename fail below
            match std::fs::symlink_metadata(path) {
                Ok(m) if m.is_file() || m.is_symlink() => {}
                _ => return Ok(None),
            }
            let old = sibling(path, OLD_SUFFIX)?;
            let _ = std::fs::remove_file(&old);
            if std::fs::hard_link(path, &old).is_err() {
                std::fs::copy(path, &old)?;
            }
            Ok(Some(old))
        })();
        match kept {
            Ok(o) => olds.push(o),
            Err(e) => {
                cleanup(&temps);
                olds.iter().flatten().for_each(|o| {
                    let _ = std::fs::remove_file(o);
                });
                return Err(fail(path)(e));
            }
        }
    }
    let mut pending: Vec<PathBuf> = Vec::with_capacity(temps.len());
    let unmark = |pending: &[PathBuf]| {
        for p in pending {
            let _ = std::fs::remove_file(p);
        }
    };
    for (path, _) in &temps {
        let marked = sibling(path, PENDING_SUFFIX).and_then(|m| File::create(&m).map(|_| m));
        match marked {
            Ok(m) => pending.push(m),
            Err(e) => {
                unmark(&pending);
                cleanup(&temps);
                olds.iter().flatten().for_each(|o| {
                    let _ = std::fs::remove_file(o);
                });
                return Err(fail(path)(e));
            }
        }
    }
    for (i, (path, tmp)) in temps.iter().enumerate() {
        if i == 1 && failpoint("write_atomic_all:between-renames") {
            // a test's stand-in for a SIGKILL here: no cleanup, no unwinding
            std::process::abort();
        }
        if let Err(e) = std::fs::rename(tmp, path) {
            // put back what was replaced
            for ((done, _), old) in temps[..i].iter().zip(&olds) {
                let _ = match old {
                    Some(o) => std::fs::rename(o, done),
                    None => std::fs::remove_file(done),
                };
            }
            cleanup(&temps[i..]);
            olds.iter().flatten().for_each(|o| {
                let _ = std::fs::remove_file(o);
            });
            unmark(&pending);
            return Err(fail(path)(e));
        }
    }
    olds.iter().flatten().for_each(|o| {
        let _ = std::fs::remove_file(o);
    });
    unmark(&pending);
    Ok(())
}

/// Whether the fail point `name` is set (`ZERO_G_FAILPOINT=name`): tests use it to stop
/// zero_g where a kill would, e.g. between the renames of a group of files.
fn failpoint(name: &str) -> bool {
    std::env::var_os("ZERO_G_FAILPOINT").is_some_and(|v| v == name)
}

/// Creates the folder `dir` whole: `fill` writes its files into a temporary folder beside
/// it, which is then renamed to `dir`. On failure the temporary folder is removed and `dir`
/// is untouched. `dir` may exist only as an empty folder (a folder with files is never
/// replaced).
pub fn write_dir_atomic<T>(
    dir: &Path,
    fill: impl FnOnce(&Path) -> std::io::Result<T>,
) -> std::io::Result<T> {
    if let Ok(meta) = std::fs::symlink_metadata(dir) {
        let empty_dir = meta.is_dir() && std::fs::read_dir(dir)?.next().is_none();
        if !empty_dir {
            return Err(std::io::Error::new(
                std::io::ErrorKind::AlreadyExists,
                if meta.is_dir() {
                    "the folder exists and is not empty (remove it or choose another)"
                } else {
                    "it exists and is not a folder"
                },
            ));
        }
    }
    remove_stale_temps(dir);
    let tmp = temp_path(dir)?;
    std::fs::create_dir(&tmp)?;
    let result = fill(&tmp).and_then(|v| std::fs::rename(&tmp, dir).map(|()| v));
    if result.is_err() {
        let _ = std::fs::remove_dir_all(&tmp);
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
        // a stale temporary of a dead process (pid far beyond pid_max) is cleaned, in the
        // older artifacts' naming too
        let stale = dir.path().join(format!(".out.json.4194999{TMP_SUFFIX}"));
        let legacy = dir.path().join(".out.json.tmp4194999");
        std::fs::write(&stale, b"x").unwrap();
        std::fs::write(&legacy, b"x").unwrap();
        write_atomic(&f, |w| w.write_all(b"one")).unwrap();
        assert_eq!(std::fs::read(&f).unwrap(), b"one");
        assert!(!stale.exists() && !legacy.exists());
        let e = write_atomic(&f, |w| {
            w.write_all(b"two")?;
            Err(std::io::Error::other("disk full"))
        });
        assert!(e.is_err());
        assert_eq!(std::fs::read(&f).unwrap(), b"one");
        let names: Vec<_> = std::fs::read_dir(dir.path()).unwrap().flatten().collect();
        assert_eq!(names.len(), 1, "{names:?}");
    }

    #[test]
    fn a_group_is_written_whole_or_not_at_all() {
        let dir = tempfile::tempdir().unwrap();
        let (a, b) = (dir.path().join("k.vk"), dir.path().join("k.pk"));
        std::fs::write(&a, b"old vk").unwrap();
        std::fs::write(&b, b"old pk").unwrap();
        let part = |p: &'static [u8]| -> Writer<'static> { Box::new(move |w| w.write_all(p)) };
        // the second file's write fails: neither changes
        let e = write_atomic_all(vec![
            (&a, part(b"new vk")),
            (
                &b,
                Box::new(|w| {
                    w.write_all(b"half")?;
                    Err(std::io::Error::other("disk full"))
                }),
            ),
        ])
        .unwrap_err();
        assert_eq!(e.path, b);
        assert_eq!(std::fs::read(&a).unwrap(), b"old vk");
        assert_eq!(std::fs::read(&b).unwrap(), b"old pk");
        // the second rename fails (a folder with files is in the way): the first is rolled
        // back to its previous version, and a file that did not exist is removed again
        let c = dir.path().join("new.vk");
        let blocker = dir.path().join("blocked.pk");
        std::fs::create_dir(&blocker).unwrap();
        std::fs::write(blocker.join("x"), b"x").unwrap();
        assert!(write_atomic_all(vec![
            (&a, part(b"new vk")),
            (&c, part(b"new")),
            (&blocker, part(b"new pk"))
        ])
        .is_err());
        assert_eq!(std::fs::read(&a).unwrap(), b"old vk");
        assert!(!c.exists());
        // success replaces both
        write_atomic_all(vec![(&a, part(b"new vk")), (&b, part(b"new pk"))]).unwrap();
        assert_eq!(std::fs::read(&a).unwrap(), b"new vk");
        assert_eq!(std::fs::read(&b).unwrap(), b"new pk");
        let mut names: Vec<_> = std::fs::read_dir(dir.path())
            .unwrap()
            .flatten()
            .map(|e| e.file_name().into_string().unwrap())
            .collect();
        names.sort();
        assert_eq!(names, ["blocked.pk", "k.pk", "k.vk"], "nothing left behind");
    }

    #[test]
    fn a_folder_is_created_whole_or_not_at_all() {
        let dir = tempfile::tempdir().unwrap();
        let out = dir.path().join("digits");
        // a failure half-way leaves nothing
        let e = write_dir_atomic(&out, |tmp| {
            std::fs::write(tmp.join("a"), b"a")?;
            Err::<(), _>(std::io::Error::other("disk full"))
        });
        assert!(e.is_err());
        assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 0);
        // a stale temporary folder of a dead process is removed by the next run
        let stale = dir.path().join(format!(".digits.4194999{TMP_SUFFIX}"));
        std::fs::create_dir(&stale).unwrap();
        std::fs::write(stale.join("0000_7.png"), b"partial").unwrap();
        write_dir_atomic(&out, |tmp| std::fs::write(tmp.join("a"), b"a")).unwrap();
        assert!(!stale.exists());
        assert_eq!(std::fs::read(out.join("a")).unwrap(), b"a");
        // a folder with files is never replaced; an empty one is
        let e = write_dir_atomic(&out, |_| Ok(())).unwrap_err().to_string();
        assert!(e.contains("not empty"), "{e}");
        assert!(out.join("a").exists());
        let empty = dir.path().join("empty");
        std::fs::create_dir(&empty).unwrap();
        write_dir_atomic(&empty, |tmp| std::fs::write(tmp.join("b"), b"b")).unwrap();
        assert!(empty.join("b").exists());
        assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 2);
    }
}
