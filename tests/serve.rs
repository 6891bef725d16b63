//! `zero_g serve` through the binary and HTTP: every endpoint's answers and refusals, auth,
//! overload, shutdown with requests in flight, proofs checked by `zero_g verify` and on
//! anvil, and the web page driven in headless Chromium.

mod common;
use common::anvil::{start_anvil, zg};
use common::http::{self, get, post_json};
use common::serve::*;
use common::*;
use predicates::str::contains;
use serde_json::json;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};
use zero_g::proving::artifacts;

#[test]
fn predict_models_health_metrics_and_every_refusal() {
    let k = keys();
    let s = serve(&strs(&tiny_args(k)));
    let a = s.addr.as_str();
    // health, models
    let h = get(a, "/healthz", &[]);
    assert_eq!(h.status, 200, "{}", s.log());
    assert_eq!(h.json()["status"], "ok");
    let m = get(a, "/v1/models", &[]).json();
    let (_, meta) = artifacts::read_vk(&k.tiny.0).unwrap();
    assert_eq!(m["models"][0]["name"], "tiny");
    assert_eq!(m["models"][0]["vk_fingerprint"], meta.vk_fingerprint);
    assert_eq!(m["models"][0]["model_digest"], meta.model_digest);
    assert_eq!(m["models"][0]["k"], meta.circuit.k);
    assert_eq!(m["models"][0]["layout"], "compact");
    assert_eq!(m["models"][0]["statement"]["public"], "scores");
    assert_eq!(m["models"][0]["family"], "bthowen");
    assert_eq!(m["models"][0]["input"]["kind"], "image");
    assert!(m["models"][0]["verifier"].is_null());
    // predict: a raw PNG, base64 in JSON, a data: URL, pixels, a batch
    let raw = http::request(
        a,
        "POST",
        "/v1/predict",
        &[("Content-Type", "image/png")],
        &digit7(),
    )
    .unwrap();
    assert_eq!(raw.status, 200, "{}", raw.text());
    let want = json!([{"class": 7, "class_name": "7", "scores": DIGIT7_SCORES}]);
    assert_eq!(raw.json()["predictions"], want);
    let j = post_json(a, "/v1/predict", &[], &json!({"image": b64(&digit7())}));
    assert_eq!(j.json()["predictions"], want);
    let url = format!("data:image/png;base64,{}", b64(&digit7()));
    let j = post_json(
        a,
        "/v1/predict",
        &[],
        &json!({"model": "tiny", "image": url}),
    );
    assert_eq!(j.json()["predictions"], want);
    let j = post_json(a, "/v1/predict", &[], &json!({"pixels": digit7_pixels()}));
    assert_eq!(j.json()["predictions"], want);
    let j = post_json(
        a,
        "/v1/predict",
        &[],
        &json!({"inputs": [{"pixels": digit7_pixels()}, {"pixels": vec![0u8; 784]}]}),
    );
    assert_eq!(j.json()["predictions"].as_array().unwrap().len(), 2);

    // refusals: each a JSON error naming the problem
    let r = http::request(
        a,
        "POST",
        "/v1/predict",
        &[("Content-Type", "application/json")],
        b"{not json",
    )
    .unwrap();
    assert!(refused(&r, 400, "bad_json").contains("JSON"));
    let r = post_json(a, "/v1/predict", &[], &json!({"pixel": [1]}));
    assert!(refused(&r, 400, "bad_json").contains("unknown field `pixel`"));
    let r = post_json(a, "/v1/predict", &[], &json!({}));
    refused(&r, 400, "no_input");
    let r = post_json(a, "/v1/predict", &[], &json!({"pixels": [0, 1, 2]}));
    assert!(refused(&r, 400, "wrong_size").contains("3 pixels given, the model takes 28×28 = 784"));
    let r = post_json(a, "/v1/predict", &[], &json!({"pixels": [300]}));
    refused(&r, 400, "bad_json");
    let r = post_json(a, "/v1/predict", &[], &json!({"features": [1.0, 2.0]}));
    assert!(refused(&r, 400, "bad_features").contains("not features"));
    let r = post_json(a, "/v1/predict", &[], &json!({"image": "@@@"}));
    refused(&r, 400, "bad_base64");
    let r = post_json(
        a,
        "/v1/predict",
        &[],
        &json!({"image": b64(b"GIF89a not an image")}),
    );
    assert!(refused(&r, 400, "bad_image").contains("not a PNG or JPEG"));
    let png = digit7();
    let r = http::request(
        a,
        "POST",
        "/v1/predict",
        &[("Content-Type", "image/png")],
        &png[..png.len() - 20],
    )
    .unwrap();
    assert!(refused(&r, 400, "bad_image").contains("truncated PNG"));
    let small = zero_g::data::encode_png(&[0u8; 100], 10, 10).unwrap();
    let r = http::request(
        a,
        "POST",
        "/v1/predict",
        &[("Content-Type", "image/png")],
        &small,
    )
    .unwrap();
    assert!(refused(&r, 400, "bad_image").contains("10×10"));
    let r = post_json(
        a,
        "/v1/predict",
        &[],
        &json!({"pixels": digit7_pixels(), "image": "x"}),
    );
    refused(&r, 400, "bad_input");
    let r = post_json(
        a,
        "/v1/predict",
        &[],
        &json!({"model": "nope", "pixels": digit7_pixels()}),
    );
    assert!(refused(&r, 404, "unknown_model").contains("no model `nope`"));
    let r = post_json(
        a,
        "/v1/predict",
        &[],
        &json!({"pixels": digit7_pixels(), "bind_to": "0x01"}),
    );
    refused(&r, 400, "bad_input");
    let r = http::request(
        a,
        "POST",
        "/v1/predict",
        &[("Content-Type", "text/plain")],
        b"7",
    )
    .unwrap();
    refused(&r, 415, "unsupported_media_type");
    let r = http::request(
        a,
        "POST",
        "/v1/predict?color=red",
        &[("Content-Type", "image/png")],
        &png,
    )
    .unwrap();
    refused(&r, 400, "bad_query");
    // a body over the limit (1 MiB by default) is refused from its declared length
    let head = format!(
        "POST /v1/predict HTTP/1.1\r\nHost: {a}\r\nConnection: close\r\n\
         Content-Type: application/json\r\nContent-Length: {}\r\n\r\n",
        (1 << 20) + 1
    );
    let r = http::raw(a, head.as_bytes()).unwrap();
    assert!(refused(&r, 413, "body_too_large").contains("--max-body"));
    let r = get(a, "/v1/nothing", &[]);
    refused(&r, 404, "not_found");
    let r = get(a, "/v1/prove", &[]);
    refused(&r, 405, "method_not_allowed");
    let r = post_json(
        a,
        "/v1/prove",
        &[],
        &json!({"inputs": [{"pixels": digit7_pixels()}, {"pixels": digit7_pixels()}]}),
    );
    assert!(refused(&r, 400, "wrong_batch").contains("batches of 1"));
    let r = post_json(
        a,
        "/v1/prove",
        &[],
        &json!({"pixels": digit7_pixels(), "bind_to": "0x01"}),
    );
    refused(&r, 400, "bind_to_not_allowed");
    let r = post_json(
        a,
        "/v1/prove",
        &[],
        &json!({"pixels": digit7_pixels(), "submit": true}),
    );
    refused(&r, 400, "no_chain");
    let r = post_json(a, "/v1/verify", &[], &json!({"format": "x"}));
    refused(&r, 400, "bad_proof_file");
    // the page and its script, with a content security policy
    let page = get(a, "/", &[]);
    assert_eq!(page.status, 200);
    assert!(page.text().contains("<canvas id=\"canvas\""));
    assert!(page
        .header("content-security-policy")
        .unwrap()
        .contains("default-src 'self'"));
    assert!(get(a, "/app.js", &[]).text().contains("/v1/prove"));
    // the metrics counted all of it
    let m = get(a, "/metrics", &[]);
    assert_eq!(m.status, 200);
    assert!(m.header("content-type").unwrap().starts_with("text/plain"));
    let t = m.text();
    assert!(
        t.contains("zero_g_requests_total{endpoint=\"/v1/predict\",status=\"200\"} 5"),
        "{t}"
    );
    assert!(
        t.contains("zero_g_requests_total{endpoint=\"/v1/predict\",status=\"413\"} 1"),
        "{t}"
    );
    assert!(
        t.contains("zero_g_requests_total{endpoint=\"other\",status=\"404\"} 1"),
        "{t}"
    );
    assert!(t.contains("zero_g_request_duration_seconds_count{endpoint=\"/v1/predict\"}"));
    assert!(t.contains("zero_g_queue_depth 0"));
    assert!(t.contains("zero_g_provers "));
}

#[test]
fn prove_returns_a_checked_proof_that_zero_g_verify_accepts() {
    let k = keys();
    let s = serve(&strs(&tiny_args(k)));
    let a = s.addr.as_str();
    let r = http::request(
        a,
        "POST",
        "/v1/prove",
        &[("Content-Type", "image/png")],
        &digit7(),
    )
    .unwrap();
    assert_eq!(r.status, 200, "{} {}", r.text(), s.log());
    let v = r.json();
    assert_eq!(v["valid"], true);
    assert_eq!(v["model"], "tiny");
    assert_eq!(v["images"], json!([{"class": 7, "scores": DIGIT7_SCORES}]));
    assert_eq!(v["proof"]["format"], "zero_g-proof/v3");
    assert!(v["timing"]["prove_s"].as_f64().unwrap() > 0.0);
    // the calldata is the proof's public words then its bytes
    let proof: artifacts::ProofFile = serde_json::from_value(v["proof"].clone()).unwrap();
    let calldata = zero_g::evm::calldata(&proof).unwrap();
    assert_eq!(v["calldata"], format!("0x{}", hex::encode(calldata)));
    // the same file zero_g proof writes: zero_g verify accepts it
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("proof.json");
    artifacts::write_proof(&path, &proof).unwrap();
    zg().args(["verify", "-s"])
        .arg(&k.srs)
        .arg("-v")
        .arg(&k.tiny.0)
        .arg("--proof-path")
        .arg(&path)
        .arg("-m")
        .arg(reference(TINY))
        .assert()
        .success()
        .stdout(contains("proof valid"))
        .stdout(contains("class 7"));
    // /v1/verify: the file, or the whole /v1/prove answer
    let ok = post_json(a, "/v1/verify", &[], &v["proof"]);
    assert_eq!(ok.status, 200, "{}", ok.text());
    assert_eq!(ok.json()["valid"], true);
    assert_eq!(ok.json()["images"], v["images"]);
    assert_eq!(post_json(a, "/v1/verify", &[], &v).json()["valid"], true);
    // a changed score: invalid, and nothing claimed
    let mut bad = v["proof"].clone();
    bad["images"][0]["scores"][7] = json!(27);
    let r = post_json(a, "/v1/verify", &[], &bad);
    assert_eq!(r.status, 200);
    assert_eq!(r.json()["valid"], false);
    assert!(r.json()["images"].is_null());
    // a flipped proof byte: invalid
    let mut flipped = proof.clone();
    let n = flipped.proof.len();
    flipped.proof[n / 2] ^= 1;
    let r = post_json(
        a,
        "/v1/verify",
        &[],
        &serde_json::to_value(&flipped).unwrap(),
    );
    assert_eq!(r.json()["valid"], false);
    // another key: not this server's
    let mut other = v["proof"].clone();
    other["vk_fingerprint"] = json!("00".repeat(32));
    let r = post_json(a, "/v1/verify", &[], &other);
    refused(&r, 404, "unknown_key");
    // claims the statement does not publish: refused, naming it
    let mut extra = v["proof"].clone();
    extra["images"][0]["commitment"] = json!(format!("0x{}", "00".repeat(32)));
    let r = post_json(a, "/v1/verify", &[], &extra);
    assert!(refused(&r, 400, "malformed_proof").contains("commitment"));
    let t = get(a, "/metrics", &[]).text();
    assert!(
        t.contains("zero_g_proofs_total{model=\"tiny\",outcome=\"ok\"} 1"),
        "{t}"
    );
    assert!(
        t.contains("zero_g_proof_duration_seconds_count{model=\"tiny\"} 1"),
        "{t}"
    );
}

#[test]
fn several_models_tabular_inputs_commitments_and_binding() {
    let k = keys();
    let (srs, tiny, iris, bound) = (
        k.srs.display().to_string(),
        reference(TINY).display().to_string(),
        bundled("iris.hdf5").display().to_string(),
        (
            k.bound.1.display().to_string(),
            k.iris.1.display().to_string(),
        ),
    );
    let s = serve(&[
        "-m", &tiny, "-p", &bound.0, "-m", &iris, "-p", &bound.1, "-s", &srs, "--name", "bound",
        "--name", "iris",
    ]);
    let a = s.addr.as_str();
    let m = get(a, "/v1/models", &[]).json();
    assert_eq!(m["models"].as_array().unwrap().len(), 2, "{}", s.log());
    // several models: each request names one
    let r = post_json(a, "/v1/predict", &[], &json!({"features": VIRGINICA}));
    assert!(refused(&r, 400, "model_required").contains("bound, iris"));
    // a tabular row: a CSV line, a list of numbers, CSV text with a header (label ignored)
    let line = post_json(
        a,
        "/v1/predict",
        &[],
        &json!({"model": "iris", "features": VIRGINICA}),
    );
    assert_eq!(line.status, 200, "{}", line.text());
    let p = line.json()["predictions"][0].clone();
    assert_eq!(p["class_name"], "virginica");
    let list = post_json(
        a,
        "/v1/predict",
        &[],
        &json!({"model": "iris", "features": [6.5, 3.0, 5.8, 2.2]}),
    );
    assert_eq!(list.json()["predictions"][0], p);
    let spec = zero_g::model::io::load(&bundled("iris.hdf5")).unwrap();
    let names: Vec<String> = spec
        .input()
        .features()
        .unwrap()
        .iter()
        .map(|f| f.name.clone())
        .collect();
    let csv = format!(
        "{},species\n{},virginica\n5.0,3.6,1.4,0.2,setosa\n",
        names.join(","),
        VIRGINICA
    );
    let c = post_json(a, "/v1/predict", &[], &json!({"model": "iris", "csv": csv}));
    assert_eq!(c.json()["predictions"][0], p, "{}", c.text());
    assert_eq!(c.json()["predictions"][1]["class_name"], "setosa");
    let r = post_json(
        a,
        "/v1/predict",
        &[],
        &json!({"model": "iris", "features": "1,2"}),
    );
    assert!(refused(&r, 400, "bad_features").contains("2 values given"));
    let r = post_json(
        a,
        "/v1/predict",
        &[],
        &json!({"model": "iris", "image": b64(&digit7())}),
    );
    assert!(refused(&r, 400, "wrong_input_kind").contains("not an image"));
    let r = post_json(
        a,
        "/v1/predict",
        &[],
        &json!({"model": "iris", "csv": "a,b\n1,2\n"}),
    );
    refused(&r, 400, "bad_csv");
    // proving iris rows: its keys prove batches of two (the CSV text's two rows, or a list)
    let r = post_json(
        a,
        "/v1/prove",
        &[],
        &json!({"model": "iris", "features": VIRGINICA}),
    );
    assert!(refused(&r, 400, "wrong_batch").contains("batches of 2"));
    let pr = post_json(a, "/v1/prove", &[], &json!({"model": "iris", "csv": csv}));
    assert_eq!(pr.status, 200, "{}", pr.text());
    assert_eq!(pr.json()["images"][0]["class"], p["class"]);
    assert_eq!(pr.json()["images"][0]["scores"], p["scores"]);
    assert_eq!(
        pr.json()["images"][1]["class"],
        c.json()["predictions"][1]["class"]
    );
    let pr2 = post_json(
        a,
        "/v1/prove",
        &[],
        &json!({"model": "iris", "inputs": [{"features": [6.5, 3.0, 5.8, 2.2]}, {"features": VIRGINICA}]}),
    );
    assert_eq!(
        pr2.json()["images"][1]["scores"],
        p["scores"],
        "{}",
        pr2.text()
    );
    // class-only keys: predict says the class, not the scores
    let b = post_json(
        a,
        "/v1/predict",
        &[],
        &json!({"model": "bound", "pixels": digit7_pixels()}),
    );
    assert_eq!(
        b.json()["predictions"][0],
        json!({"class": 7, "class_name": "7"})
    );
    // binding keys need bind_to, and a well-formed one
    let r = post_json(
        a,
        "/v1/prove",
        &[],
        &json!({"model": "bound", "pixels": digit7_pixels()}),
    );
    refused(&r, 400, "bind_to_required");
    let r = post_json(
        a,
        "/v1/prove",
        &[],
        &json!({"model": "bound", "pixels": digit7_pixels(), "bind_to": "0xzz"}),
    );
    refused(&r, 400, "bad_bind_to");
    let account = "0x70997970C51812dc3A010C7d01b50e0d17dc79C8";
    let pr = post_json(
        a,
        "/v1/prove",
        &[],
        &json!({"model": "bound", "pixels": digit7_pixels(), "bind_to": account}),
    );
    assert_eq!(pr.status, 200, "{}", pr.text());
    let v = pr.json();
    assert_eq!(v["images"][0]["class"], 7);
    assert!(v["images"][0].get("scores").is_none());
    let word = format!("0x{:0>64}", account[2..].to_ascii_lowercase());
    assert_eq!(v["bound_to"], word);
    // fresh salts: their openings come back, and open the proven commitment
    let openings = v["openings"].clone();
    assert_eq!(openings[0]["commitment"], v["images"][0]["commitment"]);
    // proving again with that opening gives the same commitment
    let again = post_json(
        a,
        "/v1/prove",
        &[],
        &json!({"model": "bound", "pixels": digit7_pixels(), "bind_to": account, "openings": openings}),
    );
    assert_eq!(again.status, 200, "{}", again.text());
    assert_eq!(
        again.json()["images"][0]["commitment"],
        v["images"][0]["commitment"]
    );
    assert!(again.json().get("openings").is_none());
    // an opening of another image does not fit
    let r = post_json(
        a,
        "/v1/prove",
        &[],
        &json!({"model": "bound", "pixels": vec![0u8; 784], "bind_to": account, "openings": v["openings"]}),
    );
    assert!(refused(&r, 400, "bad_openings").contains("opening 1 does not fit"));
    assert_eq!(
        post_json(a, "/v1/verify", &[], &v["proof"]).json()["valid"],
        true
    );
}

#[test]
fn bearer_token_guards_the_api_and_the_metrics() {
    let k = keys();
    let dir = tempfile::tempdir().unwrap();
    let tf = dir.path().join("token");
    std::fs::write(&tf, "s3cret-token-for-the-tests\n").unwrap();
    let mut args = tiny_args(k);
    args.extend(["--token-file".into(), tf.display().to_string()]);
    let s = serve(&strs(&args));
    let a = s.addr.as_str();
    let body = json!({"pixels": digit7_pixels()});
    for (path, hdr) in [
        ("/v1/predict", None),
        ("/v1/predict", Some("Bearer wrong")),
        ("/v1/predict", Some("Bearer s3cret-token-for-the-test")),
        ("/v1/predict", Some("s3cret-token-for-the-tests")),
    ] {
        let h: Vec<(&str, &str)> = hdr.map(|h| ("Authorization", h)).into_iter().collect();
        let r = post_json(a, path, &h, &body);
        assert!(refused(&r, 401, "unauthorized").contains("Bearer"));
        assert!(r.header("www-authenticate").unwrap().starts_with("Bearer"));
    }
    let auth = [("Authorization", "Bearer s3cret-token-for-the-tests")];
    assert_eq!(post_json(a, "/v1/predict", &auth, &body).status, 200);
    refused(&get(a, "/v1/models", &[]), 401, "unauthorized");
    assert_eq!(get(a, "/v1/models", &auth).status, 200);
    refused(&get(a, "/metrics", &[]), 401, "unauthorized");
    assert_eq!(get(a, "/metrics", &auth).status, 200);
    // the page and the health check stay open (load balancers probe them)
    assert_eq!(get(a, "/healthz", &[]).status, 200);
    assert_eq!(get(a, "/", &[]).status, 200);
    // an empty token file is refused at start
    std::fs::write(&tf, "\n").unwrap();
    zg().args(["serve", "--listen", "127.0.0.1:0"])
        .args(strs(&args))
        .assert()
        .code(2)
        .stderr(contains("is empty"));
}

#[test]
fn overload_is_refused_with_429_at_once_never_left_to_time_out() {
    let k = keys();
    let mut args = tiny_args(k);
    args.extend(["--provers", "1", "--queue", "1"].map(String::from));
    let s = serve(&strs(&args));
    let start = Instant::now();
    let answers = burst(&s.addr, 8);
    let ok = answers.iter().filter(|r| r.status == 200).count();
    let full: Vec<_> = answers.iter().filter(|r| r.status == 429).collect();
    assert_eq!(
        ok + full.len(),
        8,
        "every request answered 200 or 429: {answers:?}"
    );
    assert!(ok >= 2, "the running and the queued proof were served");
    assert!(
        !full.is_empty(),
        "an 8× burst on one prover and one queue slot is refused"
    );
    for r in &full {
        assert_eq!(r.json()["error"]["code"], "queue_full");
        let retry: u64 = r.header("retry-after").unwrap().parse().unwrap();
        assert!(retry >= 1);
    }
    for r in answers.iter().filter(|r| r.status == 200) {
        assert_eq!(r.json()["valid"], true);
    }
    assert!(start.elapsed() < Duration::from_secs(120));
    let t = get(&s.addr, "/metrics", &[]).text();
    assert!(
        t.contains(&format!("zero_g_rejected_total {}", full.len())),
        "{t}"
    );
}

#[test]
fn sigterm_answers_running_proofs_refuses_queued_ones_and_exits() {
    let k = keys();
    let mut args = tiny_args(k);
    args.extend(["--provers", "1", "--queue", "8"].map(String::from));
    let mut s = serve(&strs(&args));
    let addr = s.addr.clone();
    let clients = std::thread::spawn(move || burst(&addr, 6));
    // wait until one proof runs and others wait
    let start = Instant::now();
    loop {
        let h = get(&s.addr, "/healthz", &[]).json();
        if h["in_flight"] == 1 && h["queue_depth"].as_u64().unwrap() >= 2 {
            break;
        }
        assert!(start.elapsed() < Duration::from_secs(60), "{h}");
        std::thread::sleep(Duration::from_millis(10));
    }
    sigterm(&s);
    let answers = clients.join().unwrap();
    let ok = answers.iter().filter(|r| r.status == 200).count();
    let refused_n = answers
        .iter()
        .filter(|r| r.status == 503 && r.json()["error"]["code"] == "shutting_down")
        .count();
    assert_eq!(ok + refused_n, 6, "every request answered: {answers:?}");
    assert!(ok >= 1, "the running proof was answered");
    assert!(refused_n >= 1, "the queued ones were refused");
    for r in answers.iter().filter(|r| r.status == 200) {
        assert_eq!(r.json()["valid"], true);
    }
    exits_cleanly(&mut s);
    assert!(std::net::TcpStream::connect(&s.addr).is_err());
}

#[test]
fn prove_and_submit_on_anvil() {
    let k = keys();
    let anvil = start_anvil();
    let mut args = tiny_args(k);
    args.extend([
        "--rpc-url".into(),
        anvil.url.clone(),
        "--deploy-verifiers".into(),
    ]);
    let mut s = serve(&strs(&args));
    let addr = s.addr.clone();
    let a = addr.as_str();
    let m = get(a, "/v1/models", &[]).json();
    let address = m["models"][0]["verifier"]["address"]
        .as_str()
        .unwrap_or_else(|| panic!("{m} {}", s.log()))
        .to_string();
    assert_eq!(m["chain"]["chain_id"], 31337);
    let v = post_json(
        a,
        "/v1/prove",
        &[],
        &json!({"pixels": digit7_pixels(), "submit": true}),
    )
    .json();
    assert_eq!(v["valid"], true, "{v}");
    assert_eq!(v["chain"]["submitted"], true, "{v}");
    assert_eq!(v["chain"]["accepted"], true, "{v}");
    assert!(v["chain"]["gas_used"].as_u64().unwrap() > 21_000);
    assert_eq!(
        v["chain"]["address"].as_str().unwrap().to_lowercase(),
        address.to_lowercase()
    );
    // the proof also passes the deployed verifier through zero_g verify-evm
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("proof.json");
    std::fs::write(&path, v["proof"].to_string()).unwrap();
    zg().args(["verify-evm", "--proof-path"])
        .arg(&path)
        .args([
            "--contract-address",
            &address,
            "--rpc-url",
            &anvil.url,
            "-v",
        ])
        .arg(&k.tiny.0)
        .arg("-s")
        .arg(&k.srs)
        .assert()
        .success();
    // SIGTERM with a chain connection: a clean exit too
    sigterm(&s);
    exits_cleanly(&mut s);
    // a server given the address checks the code there: anything else is refused at start
    let mut wrong = tiny_args(k);
    wrong.extend([
        "--rpc-url".into(),
        anvil.url.clone(),
        "--verifier-address".into(),
        "0x000000000000000000000000000000000000dEaD".into(),
    ]);
    zg().args(["serve", "--listen", "127.0.0.1:0"])
        .args(strs(&wrong))
        .assert()
        .code(2)
        .stderr(contains("no contract at"));
}

/// The page in a real browser: headless Chromium (Debian's package) driven by
/// puppeteer-core (npm) draws a 7, predicts, proves, and reads the verdict; a screenshot is
/// saved to `out/serve-page.png`.
#[test]
fn web_page_in_headless_chromium() {
    let chromium = ["/usr/bin/chromium", "/usr/bin/chromium-browser"]
        .into_iter()
        .find(|p| Path::new(p).is_file());
    let Some(chromium) = chromium else {
        eprintln!(
            "\n\n**** SKIPPED web_page_in_headless_chromium: no chromium at /usr/bin/chromium \
             (scripts/setup.sh installs Debian's `chromium`) ****\n\n"
        );
        return;
    };
    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR"));
    assert!(
        root.join("node_modules/puppeteer-core").is_dir(),
        "puppeteer-core is missing: run `npm ci` (scripts/setup.sh)"
    );
    let k = keys();
    let s = serve(&strs(&tiny_args(k)));
    std::fs::create_dir_all(root.join("out")).unwrap();
    let shot = root.join("out/serve-page.png");
    let _ = std::fs::remove_file(&shot);
    let out = std::process::Command::new("node")
        .arg(root.join("tests/js/serve_page.mjs"))
        .arg(s.url())
        .arg(&shot)
        .env("CHROMIUM", chromium)
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success(),
        "{stdout}\n{}\nserver log:\n{}",
        String::from_utf8_lossy(&out.stderr),
        s.log()
    );
    let v: serde_json::Value = serde_json::from_str(stdout.lines().last().unwrap()).unwrap();
    assert!(
        v["verdict"]
            .as_str()
            .unwrap()
            .starts_with("Proof valid: class "),
        "{v}"
    );
    // the page's class is what the server predicts for the pixels the page sent
    assert_eq!(v["predicted"], v["verdict_class"], "{v}");
    assert!(std::fs::metadata(&shot).unwrap().len() > 1000);
    let t = get(&s.addr, "/metrics", &[]).text();
    assert!(
        t.contains("zero_g_requests_total{endpoint=\"/v1/prove\",status=\"200\"} 1"),
        "{t}"
    );
    assert!(
        t.contains("zero_g_requests_total{endpoint=\"/v1/verify\",status=\"200\"} 1"),
        "{t}"
    );
}
