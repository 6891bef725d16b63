//! `zero_g serve`: verifiable inference over HTTP.
//!
//! The server loads each model with its proving key and SRS once, then answers:
//!
//! - `POST /v1/predict`: the class (and the scores, when the keys' statement publishes them);
//! - `POST /v1/prove`: the same proof file `zero_g proof` writes, checked with the verifying
//!   key before it is returned, the values it proves (read back from the checked instances),
//!   ready-to-send calldata and, with `"submit": true`, the transaction that sent it to the
//!   model's verifier on chain;
//! - `POST /v1/verify`: what `zero_g verify --json` prints for a proof file;
//! - `GET /v1/models`, `GET /healthz`, `GET /metrics` (Prometheus text) and a web page at `/`.
//!
//! Proofs (and verifications) go through a bounded queue in front of a bounded number of
//! provers ([`admission`]): a full queue is answered `429` with `Retry-After` at once. Bodies
//! are bounded and read within a timeout, every request within another; every refusal is a
//! JSON error `{"error": {"code", "message"}}` with a `4xx` status naming the problem. With a
//! token, `/v1/*` and `/metrics` need `Authorization: Bearer <token>` (compared in constant
//! time). The server keeps no state between requests besides its keys and counters, so any
//! number of instances can sit behind a load balancer.

pub mod admission;
mod api;
pub mod metrics;
pub mod request;

use crate::evm::{self, chain::Chain, EvmError};
use crate::model::Model;
use crate::proving::{self, KeyMeta, ProofError, Srs};
use admission::Admission;
use alloy::primitives::{keccak256, Address, B256};
use axum::http::{header, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use halo2_proofs::halo2curves::bn256::G1Affine;
use halo2_proofs::plonk::ProvingKey;
use metrics::Metrics;
use sha2::{Digest, Sha256};
use std::future::{Future, IntoFuture};
use std::sync::{Arc, Mutex};
use std::time::Duration;

/// A model the server proves about: the model, its proving key (which holds the verifying
/// key) and its SRS, all checked to belong together when loaded.
pub struct ServedModel {
    /// The name requests use (`"model"`).
    pub name: String,
    /// The model.
    pub model: Arc<Model>,
    /// The proving key.
    pub pk: ProvingKey<G1Affine>,
    /// The keys' metadata: circuit shape, statement, digests.
    pub meta: KeyMeta,
    /// The SRS, cut to the circuit's size.
    pub srs: Srs,
    /// The model's verifier on chain, when the server has a chain.
    pub verifier: Option<OnChain>,
}

impl std::fmt::Debug for ServedModel {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ServedModel")
            .field("name", &self.name)
            .field("meta", &self.meta)
            .field("verifier", &self.verifier)
            .finish_non_exhaustive()
    }
}

/// A verifier contract on chain.
#[derive(Clone, Debug)]
pub struct OnChain {
    /// Its address.
    pub address: Address,
    /// Keccak-256 of the runtime code compiled from the verifying key (checked on chain
    /// before every submission).
    pub codehash: B256,
    /// The chain's id.
    pub chain_id: u64,
    /// The deployment's transaction hash and gas, when the server deployed it.
    pub deployed: Option<(String, u64)>,
}

impl ServedModel {
    /// Checks that the model, the keys and the SRS belong together (model digest, SRS
    /// fingerprint, the proving key's verifying key against its metadata) and cuts the SRS
    /// to the circuit's size.
    pub fn new(
        name: String,
        model: Model,
        pk: ProvingKey<G1Affine>,
        meta: KeyMeta,
        srs: &Srs,
    ) -> Result<Self, ProofError> {
        proving::check_srs(srs, &meta)?;
        if crate::proving::artifacts::parse_digest(&model.digest_hex())
            != crate::proving::artifacts::parse_digest(&meta.model_digest)
        {
            return Err(ProofError::Mismatch(format!(
                "model `{name}`: the keys were generated for model {}…, not this one ({}…)",
                proving::short(&meta.model_digest),
                proving::short(&model.digest_hex())
            )));
        }
        if proving::vk_fingerprint(pk.get_vk()) != meta.vk_fingerprint.to_ascii_lowercase() {
            return Err(ProofError::Mismatch(format!(
                "model `{name}`: the proving key is not the one its metadata names"
            )));
        }
        let srs = proving::srs_for(srs, meta.circuit.k)?;
        Ok(ServedModel {
            name,
            model: Arc::new(model),
            pk,
            meta,
            srs,
            verifier: None,
        })
    }

    /// Compiles the model's verifier (solc) and either checks that the code at `address` is
    /// exactly it, or, without an address, deploys it. Sets [`ServedModel::verifier`].
    pub fn attach_verifier(
        &mut self,
        chain: &Chain,
        address: Option<Address>,
    ) -> Result<&OnChain, EvmError> {
        let sol = evm::verifier_solidity(&self.srs, self.pk.get_vk(), &self.meta)?;
        let compiled = evm::compile(&sol, evm::VERIFIER_CONTRACT)?;
        let codehash = keccak256(&compiled.runtime);
        let (address, deployed) = match address {
            Some(a) => (a, None),
            None => {
                let mined = chain.deploy(&compiled.creation)?;
                let a = evm::chain::parse_address(mined.contract.as_deref().unwrap_or_default())?;
                (a, Some((mined.tx_hash, mined.gas_used)))
            }
        };
        chain.expect_code(address, codehash, &self.verifier_name())?;
        Ok(self.verifier.insert(OnChain {
            address,
            codehash,
            chain_id: chain.chain_id,
            deployed,
        }))
    }

    fn verifier_name(&self) -> String {
        format!(
            "the verifier of key {}…",
            proving::short(&self.meta.vk_fingerprint)
        )
    }

    /// What `/v1/models` says about the model.
    pub fn describe(&self) -> serde_json::Value {
        let spec = self.model.input();
        let c = &self.meta.circuit;
        serde_json::json!({
            "name": self.name,
            "family": self.model.family().name(),
            "input": spec,
            "input_description": spec.describe(),
            "classes": self.model.num_classes(),
            "model_digest": self.meta.model_digest,
            "vk_fingerprint": self.meta.vk_fingerprint,
            "srs_fingerprint": self.meta.srs_fingerprint,
            "statement": c.statement,
            "statement_description": c.statement.describe(),
            "k": c.k,
            "layout": c.layout().name(),
            "verifier": self.verifier.as_ref().map(|v| serde_json::json!({
                "address": v.address.to_string(), "chain_id": v.chain_id,
                "codehash": format!("{:#x}", v.codehash),
            })),
        })
    }
}

/// The chain proofs are sent to, with the gas limit of each submission.
#[derive(Debug)]
pub struct ChainConfig {
    /// The connection (with a signer).
    pub chain: Chain,
    /// Gas limit of each submission (fixed, so that a rejected proof is mined and reverts).
    pub gas_limit: u64,
}

/// Limits and settings.
#[derive(Clone, Debug)]
pub struct Config {
    /// Proofs (and verifications) run at once.
    pub provers: usize,
    /// Requests that may wait for a prover; more are refused with 429.
    pub queue: usize,
    /// The largest request body, in bytes (413 beyond).
    pub max_body: usize,
    /// Time to receive a request's body (408 beyond).
    pub read_timeout: Duration,
    /// Time to answer a request, queueing included (503 beyond).
    pub request_timeout: Duration,
    /// The bearer token that `/v1/*` and `/metrics` require, if any.
    pub token: Option<String>,
    /// How long a shutdown waits for running work before it gives up on it.
    pub grace: Duration,
}

impl Default for Config {
    fn default() -> Self {
        let cores = std::thread::available_parallelism().map_or(1, |n| n.get());
        Config {
            provers: cores,
            queue: 4 * cores,
            max_body: 1 << 20,
            read_timeout: Duration::from_secs(30),
            request_timeout: Duration::from_secs(300),
            token: None,
            grace: Duration::from_secs(60),
        }
    }
}

/// What the handlers share.
#[derive(Debug)]
struct State {
    models: Vec<ServedModel>,
    /// The chain, if any (taken out at shutdown: its runtime must be dropped outside async
    /// code).
    chain: Mutex<Option<ChainConfig>>,
    config: Config,
    token_digest: Option<[u8; 32]>,
    admission: Arc<Admission>,
    metrics: Metrics,
}

impl State {
    /// Whether `headers` carry the token (always, without one). Both sides are hashed
    /// first, then compared in constant time, so that neither the token's bytes nor its
    /// length show in the time taken.
    fn authorized(&self, headers: &axum::http::HeaderMap) -> bool {
        use subtle::ConstantTimeEq as _;
        let Some(want) = &self.token_digest else {
            return true;
        };
        let given = headers
            .get(header::AUTHORIZATION)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.strip_prefix("Bearer "))
            .unwrap_or("");
        let got: [u8; 32] = Sha256::digest(given.trim().as_bytes()).into();
        bool::from(got.ct_eq(want))
    }

    fn chain(&self) -> std::sync::MutexGuard<'_, Option<ChainConfig>> {
        self.chain.lock().unwrap_or_else(|e| e.into_inner())
    }

    fn gauges(&self) -> metrics::Gauges {
        metrics::Gauges {
            queue_depth: self.admission.waiting(),
            in_flight: self.admission.running(),
            capacity: self.admission.provers(),
            draining: self.admission.draining(),
        }
    }
}

/// A refusal: a status, a machine-readable code and a message naming the problem; sent as
/// `{"error": {"code": …, "message": …}}`.
#[derive(Debug, Clone)]
pub struct ApiError {
    /// The HTTP status.
    pub status: StatusCode,
    /// What went wrong, for programs (`bad_json`, `queue_full`, …).
    pub code: &'static str,
    /// What went wrong, for people.
    pub message: String,
    /// Seconds worth waiting before trying again (`Retry-After`).
    pub retry_after: Option<u64>,
}

impl ApiError {
    /// An error with `status`.
    pub fn new(status: StatusCode, code: &'static str, message: impl Into<String>) -> Self {
        ApiError {
            status,
            code,
            message: message.into(),
            retry_after: None,
        }
    }

    /// A `400 Bad Request`.
    pub fn bad_request(code: &'static str, message: impl Into<String>) -> Self {
        Self::new(StatusCode::BAD_REQUEST, code, message)
    }

    /// A `500`: something that should not happen did.
    pub fn internal(message: impl Into<String>) -> Self {
        Self::new(StatusCode::INTERNAL_SERVER_ERROR, "internal", message)
    }

    fn retry_after(mut self, secs: u64) -> Self {
        self.retry_after = Some(secs.max(1));
        self
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let body = serde_json::json!({"error": {"code": self.code, "message": self.message}});
        let mut r = api::json(self.status, &body);
        if let Some(s) = self.retry_after {
            r.headers_mut()
                .insert(header::RETRY_AFTER, HeaderValue::from(s));
        }
        if self.status == StatusCode::UNAUTHORIZED {
            r.headers_mut().insert(
                header::WWW_AUTHENTICATE,
                HeaderValue::from_static("Bearer realm=\"zero_g\""),
            );
        }
        r
    }
}

/// Serves `models` on `listener` until `shutdown` resolves; then refuses new and queued
/// work (503), lets running proofs finish and answers them, and returns once every
/// connection is done or `config.grace` has passed.
pub async fn serve(
    listener: tokio::net::TcpListener,
    models: Vec<ServedModel>,
    chain: Option<ChainConfig>,
    config: Config,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> std::io::Result<()> {
    if let Err(e) = check_names(&models) {
        drop_chain(chain).await;
        return Err(e);
    }
    let state = Arc::new(State {
        token_digest: config
            .token
            .as_ref()
            .map(|t| Sha256::digest(t.trim().as_bytes()).into()),
        admission: Admission::new(config.provers, config.queue),
        models,
        chain: Mutex::new(chain),
        metrics: Metrics::default(),
        config,
    });
    let grace = state.config.grace;
    let (tx, mut rx) = tokio::sync::watch::channel(false);
    let st = state.clone();
    let signal = async move {
        shutdown.await;
        st.admission.drain();
        let _ = tx.send(true);
    };
    let keep = state.clone();
    let app = api::router(state);
    let server = axum::serve(listener, app).with_graceful_shutdown(signal);
    let deadline = async move {
        if rx.wait_for(|&v| v).await.is_err() {
            std::future::pending::<()>().await;
        }
        tokio::time::sleep(grace).await;
    };
    let r = tokio::select! {
        r = server.into_future() => r,
        () = deadline => Ok(()),
    };
    let chain = keep.chain().take();
    drop_chain(chain).await;
    r
}

/// Refuses an empty list and two models of one name.
fn check_names(models: &[ServedModel]) -> std::io::Result<()> {
    if models.is_empty() {
        return Err(std::io::Error::other("no model to serve"));
    }
    let mut names: Vec<&str> = models.iter().map(|m| m.name.as_str()).collect();
    names.sort_unstable();
    if let Some(w) = names.windows(2).find(|w| w[0] == w[1]) {
        return Err(std::io::Error::other(format!(
            "two models are named `{}`: give each a --name",
            w[0]
        )));
    }
    Ok(())
}

/// Drops a chain connection on a blocking thread: it owns a runtime of its own, which must
/// not be dropped in async code.
async fn drop_chain(chain: Option<ChainConfig>) {
    if let Some(c) = chain {
        let _ = tokio::task::spawn_blocking(move || drop(c)).await;
    }
}

/// Resolves on SIGTERM or Ctrl-C (SIGINT).
pub async fn shutdown_signal() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let term = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut s) => {
                s.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    #[cfg(not(unix))]
    let term = std::future::pending::<()>();
    tokio::select! {
        () = ctrl_c => {},
        () = term => {},
    }
}
