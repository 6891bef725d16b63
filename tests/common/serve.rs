//! `zero_g serve` in the tests: keys made once, a server process on a free loopback port,
//! and the checks the serve tests share.

use super::anvil::path_with_solc;
use super::http::{post_json, Resp};
use super::{bundled, reference, DIGIT7, TINY};
use serde_json::json;
use std::io::BufRead;
use std::path::PathBuf;
use std::process::{Child, Stdio};
use std::sync::{Arc, OnceLock};
use std::time::{Duration, Instant};
use zero_g::circuit::{Layout, Public, Statement};
use zero_g::progress::NoReporter;
use zero_g::proving::{self, artifacts};

pub const DIGIT7_SCORES: [u32; 10] = [9, 6, 13, 10, 17, 10, 9, 26, 11, 16];
pub const VIRGINICA: &str = "6.5,3.0,5.8,2.2";

/// One SRS and three key sets, made once: the reference Tiny model (compact layout, public
/// scores), the same model proving only its class about a committed image bound to an
/// address, and the bundled iris model.
pub struct Keys {
    _dir: tempfile::TempDir,
    pub srs: PathBuf,
    pub tiny: (PathBuf, PathBuf),
    pub bound: (PathBuf, PathBuf),
    pub iris: (PathBuf, PathBuf),
}

pub fn keys() -> &'static Keys {
    static K: OnceLock<Keys> = OnceLock::new();
    K.get_or_init(|| {
        let dir = tempfile::tempdir().unwrap();
        let p = |n: &str| dir.path().join(n);
        let tiny = Arc::new(zero_g::model::io::load(&reference(TINY)).unwrap());
        let iris = Arc::new(zero_g::model::io::load(&bundled("iris.hdf5")).unwrap());
        let bound_st = Statement {
            public: Public::Class,
            commitment: true,
            bind: true,
            ..Statement::default()
        };
        let sets = [
            ("tiny", tiny.clone(), Layout::Compact, Statement::default()),
            ("bound", tiny, Layout::Auto, bound_st),
            (
                "iris",
                iris,
                Layout::Auto,
                Statement {
                    batch: 2,
                    ..Statement::default()
                },
            ),
        ];
        let k = sets
            .iter()
            .map(|(_, m, l, st)| proving::circuit_params(m, *l, st).unwrap().k)
            .max()
            .unwrap();
        let srs = proving::generate_srs(k, Some(11));
        artifacts::write_srs(&srs, &p("kzg.srs")).unwrap();
        let mut paths = vec![];
        for (name, model, layout, st) in sets {
            let (pk, meta) = proving::keygen(&srs, model, layout, &st, &NoReporter).unwrap();
            let (vk, pkp) = (p(&format!("{name}.vk")), p(&format!("{name}.pk")));
            artifacts::write_keys(&vk, &pkp, &pk, &meta).unwrap();
            paths.push((vk, pkp));
        }
        Keys {
            srs: p("kzg.srs"),
            iris: paths.pop().unwrap(),
            bound: paths.pop().unwrap(),
            tiny: paths.pop().unwrap(),
            _dir: dir,
        }
    })
}

/// A running `zero_g serve`, killed on drop; its stderr goes to a file shown on failure.
pub struct Server {
    pub child: Child,
    pub addr: String,
    log: tempfile::NamedTempFile,
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

impl Server {
    pub fn log(&self) -> String {
        std::fs::read_to_string(self.log.path()).unwrap_or_default()
    }
    pub fn url(&self) -> String {
        format!("http://{}/", self.addr)
    }
}

/// Starts `zero_g serve` on a free loopback port with `args` (models, limits …).
pub fn serve(args: &[&str]) -> Server {
    let log = tempfile::NamedTempFile::new().unwrap();
    let mut child = std::process::Command::new(assert_cmd::cargo::cargo_bin("zero_g"))
        .env("PATH", path_with_solc())
        .env_remove("ZERO_G_PRIVATE_KEY")
        .args(["serve", "--listen", "127.0.0.1:0"])
        .args(args)
        .stdout(Stdio::piped())
        .stderr(log.reopen().unwrap())
        .spawn()
        .unwrap();
    let mut line = String::new();
    std::io::BufReader::new(child.stdout.take().unwrap())
        .read_line(&mut line)
        .unwrap();
    let addr = line
        .trim()
        .strip_prefix("zero_g serve: listening on http://")
        .and_then(|s| s.strip_suffix('/'))
        .unwrap_or_else(|| {
            panic!(
                "no address in {line:?}; log:\n{}",
                std::fs::read_to_string(log.path()).unwrap_or_default()
            )
        })
        .to_string();
    Server { child, addr, log }
}

pub fn tiny_args(k: &Keys) -> Vec<String> {
    vec![
        "-m".into(),
        reference(TINY).display().to_string(),
        "-p".into(),
        k.tiny.1.display().to_string(),
        "-s".into(),
        k.srs.display().to_string(),
        "--name".into(),
        "tiny".into(),
    ]
}

pub fn strs(v: &[String]) -> Vec<&str> {
    v.iter().map(String::as_str).collect()
}

pub fn digit7() -> Vec<u8> {
    std::fs::read(reference(DIGIT7)).unwrap()
}

pub fn digit7_pixels() -> Vec<u8> {
    zero_g::data::load_image_for(&reference(DIGIT7), 28, 28).unwrap()
}

pub fn b64(bytes: &[u8]) -> String {
    use base64::Engine as _;
    base64::engine::general_purpose::STANDARD.encode(bytes)
}

/// Asserts a JSON refusal: `status` and error `code`.
#[track_caller]
pub fn refused(r: &Resp, status: u16, code: &str) -> String {
    assert_eq!(r.status, status, "{}", r.text());
    let v = r.json();
    assert_eq!(v["error"]["code"], code, "{v}");
    v["error"]["message"].as_str().unwrap().to_string()
}

/// Sends `n` proofs at once; returns the answers.
pub fn burst(addr: &str, n: usize) -> Vec<Resp> {
    let handles: Vec<_> = (0..n)
        .map(|_| {
            let addr = addr.to_string();
            std::thread::spawn(move || {
                post_json(&addr, "/v1/prove", &[], &json!({"pixels": digit7_pixels()}))
            })
        })
        .collect();
    handles.into_iter().map(|h| h.join().unwrap()).collect()
}

pub fn sigterm(s: &Server) {
    // SAFETY: signalling our own child process
    assert_eq!(unsafe { libc::kill(s.child.id() as i32, libc::SIGTERM) }, 0);
}

/// Waits for the server to exit after SIGTERM: status 0, "shut down" logged, no panic.
pub fn exits_cleanly(s: &mut Server) {
    let start = Instant::now();
    let status = loop {
        if let Some(st) = s.child.try_wait().unwrap() {
            break st;
        }
        assert!(
            start.elapsed() < Duration::from_secs(30),
            "did not exit: {}",
            s.log()
        );
        std::thread::sleep(Duration::from_millis(50));
    };
    assert!(status.success(), "{}", s.log());
    assert!(s.log().contains("shut down"), "{}", s.log());
    assert!(!s.log().contains("panicked"), "{}", s.log());
}
