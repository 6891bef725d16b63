//! The server's counters and latency histograms, rendered in Prometheus' text format
//! (version 0.0.4).
//!
//! Hand-written rather than taken from the `prometheus` or `metrics` crates: the server
//! keeps a handful of series (requests, proofs, rejections, queue depth, two histograms),
//! the text format is a few lines per series, and one more dependency tree is not worth
//! that on the project's build machines.

use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::sync::Mutex;
use std::time::Duration;

/// Upper bounds of the latency histograms' buckets, in seconds.
pub const BUCKETS: [f64; 14] = [
    0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0, 60.0, 120.0,
];

/// One latency histogram (cumulative buckets, sum and count).
#[derive(Clone, Debug, Default)]
struct Histogram {
    counts: [u64; BUCKETS.len()],
    sum: f64,
    count: u64,
}

impl Histogram {
    fn observe(&mut self, secs: f64) {
        for (c, &b) in self.counts.iter_mut().zip(&BUCKETS) {
            if secs <= b {
                *c += 1;
            }
        }
        self.sum += secs;
        self.count += 1;
    }

    fn render(&self, out: &mut String, name: &str, labels: &str) {
        let sep = if labels.is_empty() { "" } else { "," };
        for (c, b) in self.counts.iter().zip(&BUCKETS) {
            let _ = writeln!(out, "{name}_bucket{{{labels}{sep}le=\"{b}\"}} {c}");
        }
        let _ = writeln!(
            out,
            "{name}_bucket{{{labels}{sep}le=\"+Inf\"}} {}",
            self.count
        );
        let braces = |s: &str| {
            if s.is_empty() {
                String::new()
            } else {
                format!("{{{s}}}")
            }
        };
        let _ = writeln!(out, "{name}_sum{} {}", braces(labels), self.sum);
        let _ = writeln!(out, "{name}_count{} {}", braces(labels), self.count);
    }
}

#[derive(Debug, Default)]
struct Inner {
    /// (endpoint, status) → requests answered.
    requests: BTreeMap<(String, u16), u64>,
    /// endpoint → time to answer.
    latency: BTreeMap<String, Histogram>,
    /// (model, outcome) → proofs.
    proofs: BTreeMap<(String, &'static str), u64>,
    /// model → proving time (witness, proof and the check before returning it).
    proof_time: BTreeMap<String, Histogram>,
    /// Requests refused because the queue was full (429).
    rejected: u64,
}

/// The server's metrics.
#[derive(Debug, Default)]
pub struct Metrics {
    inner: Mutex<Inner>,
}

/// A value that moves both ways, read when the metrics are rendered.
#[derive(Clone, Copy, Debug)]
pub struct Gauges {
    /// Requests admitted and waiting for a prover.
    pub queue_depth: usize,
    /// Proofs (and verifications) running.
    pub in_flight: usize,
    /// Provers (the bound on concurrent proofs).
    pub capacity: usize,
    /// Whether the server is shutting down.
    pub draining: bool,
}

impl Metrics {
    fn lock(&self) -> std::sync::MutexGuard<'_, Inner> {
        // a panic while holding the lock leaves plain counters, still usable
        self.inner.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// Counts a request answered with `status` after `took`.
    pub fn request(&self, endpoint: &str, status: u16, took: Duration) {
        let mut m = self.lock();
        *m.requests.entry((endpoint.into(), status)).or_default() += 1;
        m.latency
            .entry(endpoint.into())
            .or_default()
            .observe(took.as_secs_f64());
        if status == 429 {
            m.rejected += 1;
        }
    }

    /// Counts a proof of `model` (`outcome`: `ok` or `failed`) that took `took`.
    pub fn proof(&self, model: &str, outcome: &'static str, took: Duration) {
        let mut m = self.lock();
        *m.proofs.entry((model.into(), outcome)).or_default() += 1;
        if outcome == "ok" {
            m.proof_time
                .entry(model.into())
                .or_default()
                .observe(took.as_secs_f64());
        }
    }

    /// Mean seconds per successful proof so far (over all models), if any.
    pub fn mean_proof_secs(&self) -> Option<f64> {
        let m = self.lock();
        let (sum, n) = m
            .proof_time
            .values()
            .fold((0.0, 0), |(s, n), h| (s + h.sum, n + h.count));
        (n > 0).then(|| sum / n as f64)
    }

    /// The metrics in Prometheus' text format.
    pub fn render(&self, g: Gauges) -> String {
        let m = self.lock();
        let mut out = String::new();
        let esc = |s: &str| s.replace('\\', "\\\\").replace('"', "\\\"");
        out += "# HELP zero_g_requests_total HTTP requests answered, by endpoint and status.\n";
        out += "# TYPE zero_g_requests_total counter\n";
        for ((e, s), n) in &m.requests {
            let _ = writeln!(
                out,
                "zero_g_requests_total{{endpoint=\"{}\",status=\"{s}\"}} {n}",
                esc(e)
            );
        }
        out += "# HELP zero_g_request_duration_seconds Time to answer a request, by endpoint.\n";
        out += "# TYPE zero_g_request_duration_seconds histogram\n";
        for (e, h) in &m.latency {
            h.render(
                &mut out,
                "zero_g_request_duration_seconds",
                &format!("endpoint=\"{}\"", esc(e)),
            );
        }
        out += "# HELP zero_g_proofs_total Proofs made, by model and outcome (ok: verified before it was returned).\n";
        out += "# TYPE zero_g_proofs_total counter\n";
        for ((model, o), n) in &m.proofs {
            let _ = writeln!(
                out,
                "zero_g_proofs_total{{model=\"{}\",outcome=\"{o}\"}} {n}",
                esc(model)
            );
        }
        out += "# HELP zero_g_proof_duration_seconds Time to prove and check a proof, by model.\n";
        out += "# TYPE zero_g_proof_duration_seconds histogram\n";
        for (model, h) in &m.proof_time {
            h.render(
                &mut out,
                "zero_g_proof_duration_seconds",
                &format!("model=\"{}\"", esc(model)),
            );
        }
        out +=
            "# HELP zero_g_rejected_total Requests refused with 429 because the queue was full.\n";
        out += "# TYPE zero_g_rejected_total counter\n";
        let _ = writeln!(out, "zero_g_rejected_total {}", m.rejected);
        out += "# HELP zero_g_queue_depth Requests admitted and waiting for a prover.\n";
        out += "# TYPE zero_g_queue_depth gauge\n";
        let _ = writeln!(out, "zero_g_queue_depth {}", g.queue_depth);
        out += "# HELP zero_g_in_flight Proofs and verifications running.\n";
        out += "# TYPE zero_g_in_flight gauge\n";
        let _ = writeln!(out, "zero_g_in_flight {}", g.in_flight);
        out += "# HELP zero_g_provers The bound on concurrent proofs.\n";
        out += "# TYPE zero_g_provers gauge\n";
        let _ = writeln!(out, "zero_g_provers {}", g.capacity);
        out += "# HELP zero_g_draining 1 while the server shuts down.\n";
        out += "# TYPE zero_g_draining gauge\n";
        let _ = writeln!(out, "zero_g_draining {}", u8::from(g.draining));
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn histogram_buckets_are_cumulative() {
        let m = Metrics::default();
        m.request("/v1/prove", 200, Duration::from_millis(300));
        m.request("/v1/prove", 429, Duration::from_millis(1));
        let g = Gauges {
            queue_depth: 2,
            in_flight: 1,
            capacity: 2,
            draining: false,
        };
        let t = m.render(g);
        assert!(t.contains("zero_g_requests_total{endpoint=\"/v1/prove\",status=\"429\"} 1"));
        assert!(t.contains(
            "zero_g_request_duration_seconds_bucket{endpoint=\"/v1/prove\",le=\"0.005\"} 1"
        ));
        assert!(t.contains(
            "zero_g_request_duration_seconds_bucket{endpoint=\"/v1/prove\",le=\"0.5\"} 2"
        ));
        assert!(t.contains("zero_g_request_duration_seconds_count{endpoint=\"/v1/prove\"} 2"));
        assert!(t.contains("zero_g_rejected_total 1"));
        assert!(t.contains("zero_g_queue_depth 2"));
    }
}
