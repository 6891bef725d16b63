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

/// Creation code of a contract whose runtime code is a single STOP byte (`00`): every call
/// to it succeeds and returns nothing, like an accepting verifier.
pub const STOP_CONTRACT: &str = "6001600c60003960016000f300";

/// A JSON-RPC endpoint in front of `upstream` (an anvil): it forwards every request, except
/// that it never answers a method in `stall` (it accepts the request and holds the
/// connection) and answers `null` to a method in `null`. `stall` may hold `*`: nothing is
/// answered, not even `eth_chainId`. Its threads live as long as the test process.
pub struct RpcProxy {
    /// Its endpoint.
    pub url: String,
}

/// Starts an [`RpcProxy`].
pub fn rpc_proxy(upstream: &str, stall: &[&str], null: &[&str]) -> RpcProxy {
    use std::io::{Read, Write};
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let url = format!("http://{}", listener.local_addr().unwrap());
    let upstream = upstream
        .trim_start_matches("http://")
        .trim_end_matches('/')
        .to_string();
    let stall: Vec<String> = stall.iter().map(|s| s.to_string()).collect();
    let null: Vec<String> = null.iter().map(|s| s.to_string()).collect();
    /// Reads one HTTP message (headers, then a Content-Length body) from `s`.
    fn read_request(s: &mut std::net::TcpStream) -> Option<Vec<u8>> {
        let mut buf = Vec::new();
        let mut byte = [0u8; 1];
        while !buf.ends_with(b"\r\n\r\n") {
            if s.read(&mut byte).ok()? == 0 {
                return None;
            }
            buf.push(byte[0]);
        }
        let head = String::from_utf8_lossy(&buf).to_ascii_lowercase();
        let len: usize = head
            .lines()
            .find_map(|l| l.strip_prefix("content-length:"))
            .and_then(|v| v.trim().parse().ok())
            .unwrap_or(0);
        let mut body = vec![0u8; len];
        s.read_exact(&mut body).ok()?;
        Some(body)
    }
    /// POSTs `body` to `upstream` and returns the response body.
    fn forward(upstream: &str, body: &[u8]) -> Vec<u8> {
        let mut u = std::net::TcpStream::connect(upstream).unwrap();
        write!(
            u,
            "POST / HTTP/1.1\r\nHost: {upstream}\r\nContent-Type: application/json\r\n\
             Content-Length: {}\r\nConnection: close\r\n\r\n",
            body.len()
        )
        .unwrap();
        u.write_all(body).unwrap();
        let mut resp = Vec::new();
        u.read_to_end(&mut resp).unwrap();
        let split = resp.windows(4).position(|w| w == b"\r\n\r\n").unwrap() + 4;
        let head = String::from_utf8_lossy(&resp[..split]).to_ascii_lowercase();
        let rest = &resp[split..];
        if !head.contains("transfer-encoding: chunked") {
            return rest.to_vec();
        }
        let (mut out, mut at) = (Vec::new(), 0);
        loop {
            let eol = at + rest[at..].windows(2).position(|w| w == b"\r\n").unwrap();
            let n = usize::from_str_radix(std::str::from_utf8(&rest[at..eol]).unwrap().trim(), 16)
                .unwrap();
            if n == 0 {
                return out;
            }
            out.extend_from_slice(&rest[eol + 2..eol + 2 + n]);
            at = eol + 2 + n + 2;
        }
    }
    std::thread::spawn(move || {
        for conn in listener.incoming() {
            let Ok(mut s) = conn else { continue };
            let (upstream, stall, null) = (upstream.clone(), stall.clone(), null.clone());
            std::thread::spawn(move || {
                if stall.iter().any(|m| m == "*") {
                    loop {
                        std::thread::sleep(Duration::from_secs(3600));
                    }
                }
                let Some(body) = read_request(&mut s) else {
                    return;
                };
                let req: serde_json::Value = serde_json::from_slice(&body).unwrap_or_default();
                let method = req["method"].as_str().unwrap_or_default().to_string();
                if stall.contains(&method) {
                    loop {
                        std::thread::sleep(Duration::from_secs(3600));
                    }
                }
                let answer = if null.contains(&method) {
                    serde_json::to_vec(
                        &serde_json::json!({"jsonrpc": "2.0", "id": req["id"], "result": null}),
                    )
                    .unwrap()
                } else {
                    forward(&upstream, &body)
                };
                let _ = write!(
                    s,
                    "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: {}\r\n\
                     Connection: close\r\n\r\n",
                    answer.len()
                );
                let _ = s.write_all(&answer);
            });
        }
    });
    RpcProxy { url }
}
