//! The routes and their handlers.

use super::admission::Refused;
use super::request::{self, Body};
use super::{ApiError, State};
use crate::proving::artifacts::{parse_digest, ProofFile};
use crate::proving::{self, inputs, ProofError};
use axum::body::Bytes;
use axum::extract::{Request, State as With};
use axum::http::{header, HeaderMap, HeaderValue, StatusCode};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::Router;
use std::sync::Arc;
use std::time::{Duration, Instant};

type Shared = Arc<State>;

const PAGE: &str = include_str!("page.html");
const SCRIPT: &str = include_str!("page.js");

/// The application: routes, the JSON 404/405, and the auth + metrics layer.
pub(super) fn router(state: Shared) -> Router {
    Router::new()
        .route("/", get(page))
        .route("/app.js", get(script))
        .route("/healthz", get(healthz))
        .route("/metrics", get(metrics))
        .route("/v1/models", get(models))
        .route("/v1/predict", post(predict))
        .route("/v1/prove", post(prove))
        .route("/v1/verify", post(verify))
        .fallback(not_found)
        .method_not_allowed_fallback(method_not_allowed)
        .layer(axum::middleware::from_fn_with_state(state.clone(), guard))
        .with_state(state)
}

/// A JSON response.
pub(super) fn json(status: StatusCode, v: &serde_json::Value) -> Response {
    let mut r = (status, v.to_string()).into_response();
    r.headers_mut().insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("application/json"),
    );
    r
}

/// The endpoints counted by name in the metrics (anything else is `other`).
const ENDPOINTS: [&str; 8] = [
    "/",
    "/app.js",
    "/healthz",
    "/metrics",
    "/v1/models",
    "/v1/predict",
    "/v1/prove",
    "/v1/verify",
];

/// Checks the token where one is needed, and counts every answer.
async fn guard(With(state): With<Shared>, req: Request, next: Next) -> Response {
    let start = Instant::now();
    let path = req.uri().path();
    let endpoint = ENDPOINTS
        .iter()
        .find(|&&e| e == path)
        .copied()
        .unwrap_or("other");
    let needs_token = path.starts_with("/v1/") || path == "/metrics";
    let resp = if needs_token && !state.authorized(req.headers()) {
        ApiError::new(
            StatusCode::UNAUTHORIZED,
            "unauthorized",
            "this server needs `Authorization: Bearer <token>` (the token of its --token-file)",
        )
        .into_response()
    } else {
        next.run(req).await
    };
    state
        .metrics
        .request(endpoint, resp.status().as_u16(), start.elapsed());
    resp
}

async fn not_found(req: Request) -> ApiError {
    ApiError::new(
        StatusCode::NOT_FOUND,
        "not_found",
        format!(
            "no such endpoint: {} (see GET /v1/models, POST /v1/predict, /v1/prove, /v1/verify)",
            req.uri().path()
        ),
    )
}

async fn method_not_allowed(req: Request) -> ApiError {
    ApiError::new(
        StatusCode::METHOD_NOT_ALLOWED,
        "method_not_allowed",
        format!("{} does not take {}", req.uri().path(), req.method()),
    )
}

fn with_page_headers(mut r: Response, content_type: &'static str) -> Response {
    let h = r.headers_mut();
    h.insert(header::CONTENT_TYPE, HeaderValue::from_static(content_type));
    h.insert(
        header::CONTENT_SECURITY_POLICY,
        HeaderValue::from_static(
            "default-src 'self'; img-src 'self' data: blob:; style-src 'self' 'unsafe-inline'",
        ),
    );
    h.insert(
        header::X_CONTENT_TYPE_OPTIONS,
        HeaderValue::from_static("nosniff"),
    );
    r
}

async fn page() -> Response {
    with_page_headers(PAGE.into_response(), "text/html; charset=utf-8")
}

async fn script() -> Response {
    with_page_headers(SCRIPT.into_response(), "text/javascript; charset=utf-8")
}

async fn healthz(With(state): With<Shared>) -> Response {
    let draining = state.admission.draining();
    let status = if draining {
        StatusCode::SERVICE_UNAVAILABLE
    } else {
        StatusCode::OK
    };
    let g = state.gauges();
    json(
        status,
        &serde_json::json!({
            "status": if draining { "draining" } else { "ok" },
            "models": state.models.len(),
            "queue_depth": g.queue_depth, "in_flight": g.in_flight, "provers": g.capacity,
        }),
    )
}

async fn metrics(With(state): With<Shared>) -> Response {
    let mut r = state.metrics.render(state.gauges()).into_response();
    r.headers_mut().insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("text/plain; version=0.0.4; charset=utf-8"),
    );
    r
}

async fn models(With(state): With<Shared>) -> Response {
    let list: Vec<_> = state.models.iter().map(|m| m.describe()).collect();
    json(
        StatusCode::OK,
        &serde_json::json!({
            "models": list,
            "chain": state.chain().as_ref().map(|c| {
                serde_json::json!({"chain_id": c.chain.chain_id, "client": c.chain.client})
            }),
        }),
    )
}

/// The request's body, read within the read timeout and the size limit.
async fn read_body(
    state: &State,
    headers: &HeaderMap,
    body: axum::body::Body,
) -> Result<Bytes, ApiError> {
    let limit = state.config.max_body;
    let too_large = || {
        ApiError::new(
            StatusCode::PAYLOAD_TOO_LARGE,
            "body_too_large",
            format!("the request body is larger than {limit} bytes (--max-body)"),
        )
    };
    let declared = headers
        .get(header::CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse::<u64>().ok());
    if declared.is_some_and(|n| n > limit as u64) {
        return Err(too_large());
    }
    match tokio::time::timeout(state.config.read_timeout, axum::body::to_bytes(body, limit)).await {
        Err(_) => Err(ApiError::new(
            StatusCode::REQUEST_TIMEOUT,
            "read_timeout",
            format!(
                "the request body did not arrive within {} s",
                state.config.read_timeout.as_secs()
            ),
        )),
        Ok(Err(e)) if e.to_string().contains("length limit") => Err(too_large()),
        Ok(Err(e)) => Err(ApiError::bad_request(
            "bad_body",
            format!("the request body could not be read: {e}"),
        )),
        Ok(Ok(b)) => Ok(b),
    }
}

/// The query string's pairs.
fn query(uri: &axum::http::Uri) -> Vec<(String, String)> {
    url::form_urlencoded::parse(uri.query().unwrap_or("").as_bytes())
        .into_owned()
        .collect()
}

/// A predict/prove request: its parameters and, for a raw image upload, the image's bytes.
async fn read_request(state: &State, req: Request) -> Result<(Body, Option<Bytes>), ApiError> {
    let (parts, body) = req.into_parts();
    let ctype = parts
        .headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("application/json")
        .split(';')
        .next()
        .unwrap_or("")
        .trim()
        .to_ascii_lowercase();
    let bytes = read_body(state, &parts.headers, body).await?;
    match ctype.as_str() {
        "application/json" => {
            if !query(&parts.uri).is_empty() {
                return Err(ApiError::bad_request(
                    "bad_query",
                    "with a JSON body, give every parameter in the body, not the query",
                ));
            }
            Ok((Body::from_json(&bytes)?, None))
        }
        "image/png" | "image/jpeg" | "application/octet-stream" => {
            Ok((Body::from_query(&query(&parts.uri))?, Some(bytes)))
        }
        other => Err(ApiError::new(
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
            "unsupported_media_type",
            format!("Content-Type `{other}`: send application/json, image/png or image/jpeg"),
        )),
    }
}

/// The served model a request names (or the only one).
fn pick(state: &State, name: Option<&str>) -> Result<usize, ApiError> {
    match name {
        Some(n) => state
            .models
            .iter()
            .position(|m| m.name == n)
            .ok_or_else(|| {
                ApiError::new(
                    StatusCode::NOT_FOUND,
                    "unknown_model",
                    format!("no model `{n}` is served (GET /v1/models lists them)"),
                )
            }),
        None if state.models.len() == 1 => Ok(0),
        None => Err(ApiError::bad_request(
            "model_required",
            format!(
                "{} models are served: name one with \"model\" ({})",
                state.models.len(),
                state
                    .models
                    .iter()
                    .map(|m| m.name.as_str())
                    .collect::<Vec<_>>()
                    .join(", ")
            ),
        )),
    }
}

fn inputs_of(
    state: &State,
    i: usize,
    body: &Body,
    raw: Option<&Bytes>,
) -> Result<Vec<Vec<u8>>, ApiError> {
    let model = &state.models[i].model;
    match raw {
        Some(b) => Ok(vec![request::image_input(model, b)?]),
        None => body.inputs(model),
    }
}

async fn predict(With(state): With<Shared>, req: Request) -> Result<Response, ApiError> {
    let (body, raw) = read_request(&state, req).await?;
    if body.bind_to.is_some() || body.openings.is_some() || body.submit {
        return Err(ApiError::bad_request(
            "bad_input",
            "bind_to, openings and submit belong to /v1/prove",
        ));
    }
    let i = pick(&state, body.model.as_deref())?;
    let xs = inputs_of(&state, i, &body, raw.as_ref())?;
    let sm = &state.models[i];
    let scores_public = sm.meta.circuit.statement.public.scores();
    let spec = sm.model.input();
    let predictions: Vec<_> = xs
        .iter()
        .map(|x| {
            let p = sm.model.predict(x);
            let mut v =
                serde_json::json!({"class": p.class, "class_name": spec.class_name(p.class)});
            if scores_public {
                v["scores"] = serde_json::json!(p.scores);
            }
            v
        })
        .collect();
    Ok(json(
        StatusCode::OK,
        &serde_json::json!({"model": sm.name, "predictions": predictions}),
    ))
}

/// Waits for a prover until `deadline`; a refusal becomes 429 or 503 with `Retry-After`.
async fn admit(state: &State, deadline: Instant) -> Result<super::admission::Permit, ApiError> {
    let wait = deadline.saturating_duration_since(Instant::now());
    let per_job = state.metrics.mean_proof_secs().unwrap_or(1.0);
    let backlog = (state.admission.waiting() + 1) as f64 / state.admission.provers() as f64;
    let retry = (per_job * backlog).ceil() as u64;
    state.admission.admit(wait).await.map_err(|r| match r {
        Refused::Full => ApiError::new(
            StatusCode::TOO_MANY_REQUESTS,
            "queue_full",
            format!(
                "the queue is full ({} running, {} waiting): try again later",
                state.admission.running(),
                state.admission.waiting()
            ),
        )
        .retry_after(retry),
        Refused::Draining => ApiError::new(
            StatusCode::SERVICE_UNAVAILABLE,
            "shutting_down",
            "the server is shutting down: try another instance",
        )
        .retry_after(1),
        Refused::TimedOut => ApiError::new(
            StatusCode::SERVICE_UNAVAILABLE,
            "timed_out",
            "no prover was free within the request timeout",
        )
        .retry_after(retry),
    })
}

fn timed_out(state: &State) -> ApiError {
    ApiError::new(
        StatusCode::SERVICE_UNAVAILABLE,
        "timed_out",
        format!(
            "the request took longer than {} s (--request-timeout)",
            state.config.request_timeout.as_secs()
        ),
    )
    .retry_after(5)
}

fn proof_error(e: ProofError) -> ApiError {
    match e {
        ProofError::Mismatch(m) => ApiError::bad_request("mismatch", m),
        ProofError::Malformed(m) => ApiError::bad_request("malformed_proof", m),
        ProofError::Circuit(c) => ApiError::bad_request("bad_input", c.to_string()),
        e => ApiError::internal(e.to_string()),
    }
}

async fn prove(With(state): With<Shared>, req: Request) -> Result<Response, ApiError> {
    let start = Instant::now();
    let deadline = start + state.config.request_timeout;
    let (body, raw) = read_request(&state, req).await?;
    let i = pick(&state, body.model.as_deref())?;
    let xs = inputs_of(&state, i, &body, raw.as_ref())?;
    let sm = &state.models[i];
    let st = sm.meta.circuit.statement.clone();
    if xs.len() != st.batch {
        return Err(ApiError::bad_request(
            "wrong_batch",
            format!(
                "{} input(s) given; the keys of `{}` prove batches of {}",
                xs.len(),
                sm.name,
                st.batch
            ),
        ));
    }
    let bind = match (&body.bind_to, st.bind) {
        (Some(b), true) => Some(
            inputs::parse_bind(b)
                .map_err(|e| ApiError::bad_request("bad_bind_to", format!("bind_to: {e}")))?,
        ),
        (None, false) => None,
        (None, true) => return Err(ApiError::bad_request(
            "bind_to_required",
            "these keys bind every proof to a value: give bind_to (e.g. the submitter's address)",
        )),
        (Some(_), false) => {
            return Err(ApiError::bad_request(
                "bind_to_not_allowed",
                "these keys do not bind proofs to a value: leave out bind_to",
            ))
        }
    };
    let openings = body.openings.clone().unwrap_or_default();
    let (prover_inputs, fresh) = inputs::prover_inputs(xs, &st, &openings)
        .map_err(|e| ApiError::bad_request("bad_openings", e.to_string()))?;
    if body.submit && (state.chain().is_none() || sm.verifier.is_none()) {
        return Err(ApiError::bad_request(
            "no_chain",
            "this server was started without a chain (--rpc-url): it cannot submit",
        ));
    }
    let permit = admit(&state, deadline).await?;
    let queued = start.elapsed();
    let st2 = state.clone();
    let job = tokio::task::spawn_blocking(move || {
        let _permit = permit;
        let sm = &st2.models[i];
        let t = Instant::now();
        let proof = proving::prove_bound(
            &sm.srs,
            &sm.pk,
            &sm.meta,
            sm.model.clone(),
            &prover_inputs,
            bind,
            &crate::progress::NoReporter,
        )?;
        let proved = t.elapsed();
        let report = proving::verify_report(&sm.srs, sm.pk.get_vk(), &sm.meta, &proof)?;
        Ok::<_, ProofError>((proof, report, proved, t.elapsed() - proved))
    });
    let left = deadline.saturating_duration_since(Instant::now());
    let (proof, report, proved, checked) = match tokio::time::timeout(left, job).await {
        Err(_) => return Err(timed_out(&state)),
        Ok(Err(join)) => {
            state.metrics.proof(&sm.name, "failed", Duration::ZERO);
            return Err(ApiError::internal(format!("the prover failed: {join}")));
        }
        Ok(Ok(Err(e))) => {
            state.metrics.proof(&sm.name, "failed", Duration::ZERO);
            return Err(proof_error(e));
        }
        Ok(Ok(Ok(r))) => r,
    };
    if !report.verdict.is_valid() {
        // never hand out a proof that does not verify
        state.metrics.proof(&sm.name, "failed", proved + checked);
        return Err(ApiError::internal(
            "the proof made did not verify; it was not returned",
        ));
    }
    state.metrics.proof(&sm.name, "ok", proved + checked);
    let calldata =
        crate::evm::calldata(&proof).map_err(|e| ApiError::internal(format!("calldata: {e}")))?;
    let mut v = report.to_json(&st);
    v["model"] = sm.name.clone().into();
    v["proof"] = serde_json::to_value(&proof).map_err(|e| ApiError::internal(e.to_string()))?;
    v["calldata"] = format!("0x{}", hex::encode(&calldata)).into();
    if !fresh.is_empty() {
        v["openings"] =
            serde_json::to_value(&fresh).map_err(|e| ApiError::internal(e.to_string()))?;
    }
    v["timing"] = serde_json::json!({
        "queue_s": queued.as_secs_f64(), "prove_s": proved.as_secs_f64(),
        "verify_s": checked.as_secs_f64(),
    });
    if body.submit {
        v["chain"] = submit(&state, i, calldata).await;
    }
    Ok(json(StatusCode::OK, &v))
}

/// Sends a checked proof's calldata to the model's verifier, after checking the code there;
/// the receipt, or what went wrong, as JSON (the proof is returned either way).
async fn submit(state: &Shared, i: usize, calldata: Vec<u8>) -> serde_json::Value {
    let st = state.clone();
    let r = tokio::task::spawn_blocking(move || {
        let sm = &st.models[i];
        let v = sm.verifier.as_ref().expect("checked before proving");
        let guard = st.chain();
        let c = guard.as_ref().ok_or_else(|| {
            crate::evm::EvmError::Chain("the server is shutting down: not sent".into())
        })?;
        c.chain
            .expect_code(v.address, v.codehash, &sm.verifier_name())?;
        let mined = c.chain.submit(v.address, &calldata, c.gas_limit)?;
        Ok::<_, crate::evm::EvmError>((v.address, v.chain_id, mined))
    })
    .await;
    match r {
        Ok(Ok((address, chain_id, m))) => serde_json::json!({
            "submitted": true, "accepted": m.success, "tx_hash": m.tx_hash, "block": m.block,
            "gas_used": m.gas_used, "address": address.to_string(), "chain_id": chain_id,
        }),
        Ok(Err(e)) => serde_json::json!({"submitted": false, "error": e.to_string()}),
        Err(e) => serde_json::json!({"submitted": false, "error": e.to_string()}),
    }
}

async fn verify(With(state): With<Shared>, req: Request) -> Result<Response, ApiError> {
    let start = Instant::now();
    let deadline = start + state.config.request_timeout;
    let (parts, body) = req.into_parts();
    let bytes = read_body(&state, &parts.headers, body).await?;
    let value: serde_json::Value = serde_json::from_slice(&bytes)
        .map_err(|e| ApiError::bad_request("bad_json", format!("the JSON body: {e}")))?;
    let named = query(&parts.uri)
        .into_iter()
        .find(|(k, _)| k == "model")
        .map(|(_, v)| v);
    // a proof file, or a /v1/prove answer (its `proof`)
    let file = match value.get("proof") {
        Some(p) if p.is_object() => p.clone(),
        _ => value,
    };
    let proof: ProofFile = serde_json::from_value(file)
        .map_err(|e| ApiError::bad_request("bad_proof_file", format!("not a proof file: {e}")))?;
    let i = match named {
        Some(n) => pick(&state, Some(&n))?,
        None => state
            .models
            .iter()
            .position(|m| {
                parse_digest(&m.meta.vk_fingerprint).is_some()
                    && parse_digest(&m.meta.vk_fingerprint) == parse_digest(&proof.vk_fingerprint)
            })
            .ok_or_else(|| {
                ApiError::new(
                    StatusCode::NOT_FOUND,
                    "unknown_key",
                    format!(
                        "no served model has verifying key {}… (the proof's)",
                        proving::short(&proof.vk_fingerprint)
                    ),
                )
            })?,
    };
    let permit = admit(&state, deadline).await?;
    let st2 = state.clone();
    let job = tokio::task::spawn_blocking(move || {
        let _permit = permit;
        let sm = &st2.models[i];
        proving::verify_report(&sm.srs, sm.pk.get_vk(), &sm.meta, &proof)
    });
    let left = deadline.saturating_duration_since(Instant::now());
    let report = match tokio::time::timeout(left, job).await {
        Err(_) => return Err(timed_out(&state)),
        Ok(Err(join)) => return Err(ApiError::internal(format!("the verifier failed: {join}"))),
        Ok(Ok(r)) => r.map_err(proof_error)?,
    };
    let sm = &state.models[i];
    let mut v = report.to_json(&sm.meta.circuit.statement);
    v["model"] = sm.name.clone().into();
    Ok(json(StatusCode::OK, &v))
}
