//! Load test of a running `zero_g serve` on loopback (driven by `benches/serve_load.sh`).
//!
//! ```text
//! serve_load --addr 127.0.0.1:8080 --image digit.png --pid PID --calibrate 5
//! serve_load --addr 127.0.0.1:8080 --image digit.png --pid PID --clients 16 --seconds 60
//! ```
//!
//! `--calibrate N`: N proofs one after another; prints the server's CPU seconds per proof
//! (from `/proc/PID/stat`) and the throughput that implies on this machine's cores.
//! Otherwise: `--clients` threads each send proofs back to back (after a 429, they wait
//! for its `Retry-After`, at most 1 s) for `--seconds`; then prints throughput, latency
//! percentiles of the served proofs, the server's CPU seconds per proof served, 429s, errors
//! (anything else, a connection failure, or a proof the server did not report valid), and
//! the server's RSS over time.
//! Loopback only: the address must be 127.0.0.1.

#[path = "../tests/common/http.rs"]
mod http;

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

struct Opts {
    addr: String,
    image: Vec<u8>,
    pid: Option<u32>,
    clients: usize,
    seconds: f64,
    calibrate: usize,
    token: Option<String>,
}

fn opts() -> Opts {
    let mut o = Opts {
        addr: "127.0.0.1:8080".into(),
        image: vec![],
        pid: None,
        clients: 1,
        seconds: 30.0,
        calibrate: 0,
        token: None,
    };
    let mut args = std::env::args().skip(1);
    while let Some(a) = args.next() {
        let mut v = || args.next().unwrap_or_else(|| panic!("{a} needs a value"));
        match a.as_str() {
            "--addr" => o.addr = v(),
            "--image" => o.image = std::fs::read(v()).expect("reading --image"),
            "--pid" => o.pid = Some(v().parse().expect("--pid")),
            "--clients" => o.clients = v().parse().expect("--clients"),
            "--seconds" => o.seconds = v().parse().expect("--seconds"),
            "--calibrate" => o.calibrate = v().parse().expect("--calibrate"),
            "--token" => o.token = Some(v()),
            _ => panic!("unknown argument {a}"),
        }
    }
    assert!(
        o.addr.starts_with("127.0.0.1:"),
        "the load test targets loopback only (127.0.0.1)"
    );
    assert!(!o.image.is_empty(), "give --image (a PNG the model takes)");
    o
}

/// Utime + stime of a process, in seconds.
fn cpu_secs(pid: u32) -> f64 {
    let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).expect("/proc/PID/stat");
    // fields after the command name (which is in parentheses and may hold spaces)
    let rest = &stat[stat.rfind(')').expect("stat") + 2..];
    let f: Vec<&str> = rest.split_whitespace().collect();
    let ticks: f64 = f[11].parse::<f64>().unwrap() + f[12].parse::<f64>().unwrap();
    // SAFETY: sysconf has no preconditions
    let hz = unsafe { libc::sysconf(libc::_SC_CLK_TCK) } as f64;
    ticks / hz
}

/// Resident set size of a process, in MiB.
fn rss_mib(pid: u32) -> f64 {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).unwrap_or_default();
    status
        .lines()
        .find_map(|l| l.strip_prefix("VmRSS:"))
        .and_then(|v| v.split_whitespace().next()?.parse::<f64>().ok())
        .map_or(0.0, |kib| kib / 1024.0)
}

enum Outcome {
    Served(Duration),
    Rejected(u64),
    Error(String),
}

fn prove(o: &Opts) -> Outcome {
    let auth = o.token.as_ref().map(|t| format!("Bearer {t}"));
    let mut h = vec![("Content-Type", "image/png")];
    if let Some(a) = &auth {
        h.push(("Authorization", a.as_str()));
    }
    let t = Instant::now();
    match http::request(&o.addr, "POST", "/v1/prove", &h, &o.image) {
        Err(e) => Outcome::Error(e.to_string()),
        Ok(r) if r.status == 200 => {
            let valid = serde_json::from_slice::<serde_json::Value>(&r.body)
                .ok()
                .and_then(|v| v["valid"].as_bool());
            if valid == Some(true) {
                Outcome::Served(t.elapsed())
            } else {
                Outcome::Error("200 without a valid proof".into())
            }
        }
        Ok(r) if r.status == 429 => Outcome::Rejected(
            r.header("retry-after")
                .and_then(|s| s.parse().ok())
                .unwrap_or(1),
        ),
        Ok(r) => Outcome::Error(format!("HTTP {}: {}", r.status, r.text())),
    }
}

fn pct(sorted: &[f64], p: f64) -> f64 {
    if sorted.is_empty() {
        return f64::NAN;
    }
    let i = ((p / 100.0) * (sorted.len() - 1) as f64).round() as usize;
    sorted[i.min(sorted.len() - 1)]
}

fn main() {
    let o = Arc::new(opts());
    let cores = std::thread::available_parallelism().map_or(1, |n| n.get());
    if o.calibrate > 0 {
        let pid = o.pid.expect("--calibrate needs --pid");
        // one warm-up proof, then N measured ones
        let _ = prove(&o);
        let (c0, t0) = (cpu_secs(pid), Instant::now());
        for _ in 0..o.calibrate {
            if let Outcome::Error(e) = prove(&o) {
                panic!("calibration proof failed: {e}");
            }
        }
        let cpu = (cpu_secs(pid) - c0) / o.calibrate as f64;
        let wall = t0.elapsed().as_secs_f64() / o.calibrate as f64;
        println!(
            "calibration: {} warm proofs one at a time: {wall:.3} s wall and {cpu:.3} CPU s \
             each; {cores} cores / {cpu:.3} CPU s = {:.2} proofs/s",
            o.calibrate,
            cores as f64 / cpu
        );
        return;
    }
    let stop = Arc::new(AtomicBool::new(false));
    let lat = Arc::new(Mutex::new(Vec::<f64>::new()));
    let rejected = Arc::new(Mutex::new(0u64));
    let errors = Arc::new(Mutex::new(Vec::<String>::new()));
    let rss = Arc::new(Mutex::new(Vec::<(f64, f64)>::new()));
    let start = Instant::now();
    let cpu0 = o.pid.map(cpu_secs);
    let sampler = o.pid.map(|pid| {
        let (stop, rss) = (stop.clone(), rss.clone());
        std::thread::spawn(move || {
            while !stop.load(Ordering::SeqCst) {
                rss.lock()
                    .unwrap()
                    .push((start.elapsed().as_secs_f64(), rss_mib(pid)));
                std::thread::sleep(Duration::from_secs(1));
            }
        })
    });
    let workers: Vec<_> = (0..o.clients)
        .map(|_| {
            let (o, stop, lat, rejected, errors) = (
                o.clone(),
                stop.clone(),
                lat.clone(),
                rejected.clone(),
                errors.clone(),
            );
            std::thread::spawn(move || {
                while !stop.load(Ordering::SeqCst) {
                    match prove(&o) {
                        Outcome::Served(d) => lat.lock().unwrap().push(d.as_secs_f64()),
                        Outcome::Rejected(after) => {
                            *rejected.lock().unwrap() += 1;
                            std::thread::sleep(Duration::from_secs(after.min(1)));
                        }
                        Outcome::Error(e) => errors.lock().unwrap().push(e),
                    }
                }
            })
        })
        .collect();
    std::thread::sleep(Duration::from_secs_f64(o.seconds));
    stop.store(true, Ordering::SeqCst);
    // requests in flight finish (and count): nothing is abandoned
    for w in workers {
        w.join().unwrap();
    }
    let elapsed = start.elapsed().as_secs_f64();
    let cpu = o.pid.zip(cpu0).map(|(pid, c0)| cpu_secs(pid) - c0);
    if let Some(s) = sampler {
        s.join().unwrap();
    }
    let mut l = lat.lock().unwrap().clone();
    l.sort_by(f64::total_cmp);
    let errors = errors.lock().unwrap().clone();
    let rss = rss.lock().unwrap().clone();
    let (r0, r1, rmax) = (
        rss.first().map_or(0.0, |r| r.1),
        rss.last().map_or(0.0, |r| r.1),
        rss.iter().map(|r| r.1).fold(0.0, f64::max),
    );
    // the server's CPU seconds per proof served: its efficiency under load, whatever share of
    // the machine other processes take
    let per_proof = cpu.map_or(f64::NAN, |c| c / l.len().max(1) as f64);
    println!(
        "| {} | {:.0} | {} | {:.2} | {:.2} | {:.2} | {:.2} | {:.2} | {} | {} | {:.0} → {:.0} (max {:.0}) |",
        o.clients,
        elapsed,
        l.len(),
        l.len() as f64 / elapsed,
        pct(&l, 50.0),
        pct(&l, 95.0),
        pct(&l, 99.0),
        per_proof,
        rejected.lock().unwrap(),
        errors.len(),
        r0,
        r1,
        rmax
    );
    if !rss.is_empty() {
        let step = (rss.len() / 10).max(1);
        let over: Vec<String> = rss
            .iter()
            .step_by(step)
            .map(|(t, m)| format!("{t:.0}s:{m:.0}"))
            .collect();
        eprintln!("RSS (MiB) over time: {}", over.join(" "));
    }
    for e in errors.iter().take(5) {
        eprintln!("error: {e}");
    }
}
