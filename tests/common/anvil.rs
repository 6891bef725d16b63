//! A real anvil (the npm `@foundry-rs/anvil` binary) for the on-chain tests, and the
//! `zero_g` binary with the pinned solc on `PATH`.

use assert_cmd::Command;
use std::path::PathBuf;
use std::process::{Child, Stdio};
use std::time::{Duration, Instant};

/// The crate root.
pub fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// `PATH` with `scripts/bin` (the solcjs-based `solc`) first.
pub fn path_with_solc() -> String {
    format!(
        "{}:{}",
        root().join("scripts/bin").display(),
        std::env::var("PATH").unwrap_or_default()
    )
}

/// The `zero_g` binary with solc on `PATH` and no signer in the environment.
pub fn zg() -> Command {
    let mut c = Command::cargo_bin("zero_g").unwrap();
    c.env("PATH", path_with_solc())
        .env_remove("ZERO_G_PRIVATE_KEY");
    c
}

/// A running anvil, stopped on drop, and also when the test process exits without dropping
/// it (a `static` world is never dropped): it runs under a `sh` that kills it as soon as its
/// stdin, a pipe from the test process, closes.
pub struct Anvil {
    /// The process (the watching `sh`).
    pub child: Child,
    /// Its JSON-RPC endpoint.
    pub url: String,
}

impl Drop for Anvil {
    fn drop(&mut self) {
        match self.child.stdin.take() {
            // closing the pipe makes the shell kill anvil and exit
            Some(stdin) => drop(stdin),
            None => {
                let _ = self.child.kill();
            }
        }
        let _ = self.child.wait();
    }
}

/// A local TCP port nobody listens on (at the time of asking).
pub fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

/// Starts anvil on a free port, with no flags (EIP-170's 24,576-byte limit on deployed code
/// holds, as on mainnet), and waits until it accepts connections.
pub fn start_anvil() -> Anvil {
    let bin = root().join("node_modules/@foundry-rs/anvil-linux-amd64/bin/anvil");
    assert!(
        bin.is_file(),
        "anvil is missing: run `npm ci` (scripts/setup.sh)"
    );
    let port = free_port();
    let child = std::process::Command::new("sh")
        .args(["-c", r#""$0" "$@" & pid=$!; read _; kill $pid; wait $pid"#])
        .arg(bin)
        .args(["--port", &port.to_string(), "--silent"])
        .stdin(Stdio::piped())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let url = format!("http://127.0.0.1:{port}");
    let start = Instant::now();
    while std::net::TcpStream::connect(("127.0.0.1", port)).is_err() {
        assert!(
            start.elapsed() < Duration::from_secs(30),
            "anvil did not start"
        );
        std::thread::sleep(Duration::from_millis(100));
    }
    Anvil { child, url }
}

/// anvil's dev accounts 0 and 1 (public knowledge).
pub const DEV_KEYS: [&str; 2] = [
    "0xac0974bec39a17e36ba4a6b4d238ff944bacb478cbed5efcae784d7bf4f2ff80",
    "0x59c6995e998f97a5a0044966f0945389dc9e86dae88c7a8412f4603b6b78690d",
];

/// `generate-srs` (seeded) then `generate-keys`, both with the statement and layout `flags`,
/// writing `<dir>/<name>.srs`, `.vk` and `.pk`; returns `generate-keys`' stdout.
pub fn cli_keys(
    dir: &std::path::Path,
    name: &str,
    model: &std::path::Path,
    seed: u64,
    flags: &[&str],
) -> String {
    let p = |ext: &str| dir.join(format!("{name}.{ext}"));
    zg().args(["-q", "generate-srs", "--seed", &seed.to_string()])
        .args(flags)
        .arg("-m")
        .arg(model)
        .arg("--srs-path")
        .arg(p("srs"))
        .assert()
        .success();
    let out = zg()
        .args(["-q", "generate-keys"])
        .args(flags)
        .arg("-m")
        .arg(model)
        .arg("-s")
        .arg(p("srs"))
        .arg("-v")
        .arg(p("vk"))
        .arg("-p")
        .arg(p("pk"))
        .assert()
        .success();
    String::from_utf8_lossy(&out.get_output().stdout).into_owned()
}
