//! `zero_g serve`: loads models, keys and SRS once and serves verifiable inference over HTTP
//! (the library's [`zero_g::serve`]).

use super::load_model;
use crate::cli::Outcome;
use anyhow::{bail, Context, Result};
use clap::Args;
use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::time::Duration;
use zero_g::evm::chain;
use zero_g::proving::{artifacts, Srs};
use zero_g::serve::{self, ChainConfig, Config, ServedModel};

/// Arguments of `serve`.
#[derive(Debug, Args)]
pub struct ServeArgs {
    /// A model to serve (an HDF5 file of either family). Repeat for several, each with its
    /// --pk-path (and --srs-path, unless all share one), in the same order.
    #[arg(short = 'm', long, value_name = "FILE", required = true)]
    model_path: Vec<PathBuf>,
    /// The proving key of each model (from `generate-keys`; it holds the verifying key).
    #[arg(short = 'p', long, value_name = "FILE", required = true)]
    pk_path: Vec<PathBuf>,
    /// KZG parameters the keys were made with: one for all models, or one per model.
    #[arg(short = 's', long, value_name = "FILE", required = true)]
    srs_path: Vec<PathBuf>,
    /// The name requests use for each model, in order (default: the model file's stem).
    #[arg(long, value_name = "NAME")]
    name: Vec<String>,
    /// Address and port to listen on. The default is loopback only; to serve other machines,
    /// give e.g. 0.0.0.0:8080, behind TLS and with --token-file.
    #[arg(long, value_name = "ADDR:PORT", default_value = "127.0.0.1:8080")]
    listen: String,
    /// Proofs (and verifications) run at once (default: one per core).
    #[arg(long, value_name = "N", value_parser = clap::value_parser!(u64).range(1..=1024))]
    provers: Option<u64>,
    /// Requests that may wait for a prover (default: 4 per prover); more are answered 429
    /// with Retry-After at once.
    #[arg(long, value_name = "N", value_parser = clap::value_parser!(u64).range(0..=100_000))]
    queue: Option<u64>,
    /// The largest request body, in bytes (413 beyond).
    #[arg(long, value_name = "BYTES", default_value_t = 1 << 20)]
    max_body: usize,
    /// Seconds to receive a request's body (408 beyond).
    #[arg(long, value_name = "SECS", default_value_t = 30,
          value_parser = clap::value_parser!(u64).range(1..))]
    read_timeout: u64,
    /// Seconds to answer a request, waiting for a prover included (503 beyond).
    #[arg(long, value_name = "SECS", default_value_t = 300,
          value_parser = clap::value_parser!(u64).range(1..))]
    request_timeout: u64,
    /// On SIGTERM or Ctrl-C: seconds to let running proofs finish and be answered (queued
    /// requests are refused with 503 at once).
    #[arg(long, value_name = "SECS", default_value_t = 60)]
    shutdown_grace: u64,
    /// A file holding a bearer token: /v1/* and /metrics then need
    /// `Authorization: Bearer <token>`.
    #[arg(long, value_name = "FILE")]
    token_file: Option<PathBuf>,
    /// A chain to send proofs to (`"submit": true`), e.g. http://127.0.0.1:8545 for a local
    /// anvil. Each model's verifier must be given (--verifier-address) or deployed
    /// (--deploy-verifiers); its code is checked against the verifier compiled from the key
    /// at start and before every submission.
    #[arg(long, value_name = "URL")]
    rpc_url: Option<String>,
    /// Seconds to wait for each JSON-RPC request.
    #[arg(long, value_name = "SECS", default_value_t = 30,
          value_parser = clap::value_parser!(u64).range(1..))]
    rpc_timeout: u64,
    /// Seconds to wait for a sent transaction to be mined.
    #[arg(long, value_name = "SECS", default_value_t = 120,
          value_parser = clap::value_parser!(u64).range(1..))]
    receipt_timeout: u64,
    /// Hex private key of the sender. Without it, anvil's dev key is used, and only when the
    /// endpoint is a local anvil.
    #[arg(
        long,
        env = "ZERO_G_PRIVATE_KEY",
        hide_env_values = true,
        requires = "rpc_url"
    )]
    private_key: Option<String>,
    /// The deployed verifier of each model's key, in order.
    #[arg(
        long,
        value_name = "ADDRESS",
        requires = "rpc_url",
        conflicts_with = "deploy_verifiers"
    )]
    verifier_address: Vec<String>,
    /// Deploy each model's verifier at start (on a test chain such as anvil).
    #[arg(long, requires = "rpc_url")]
    deploy_verifiers: bool,
    /// Gas limit of each submission.
    #[arg(long, default_value_t = 2_000_000)]
    gas_limit: u64,
}

/// Runs `serve` until SIGTERM or Ctrl-C.
pub fn run(a: ServeArgs) -> Result<Outcome> {
    let n = a.model_path.len();
    if a.pk_path.len() != n {
        bail!(
            "{n} --model-path but {} --pk-path: give one proving key per model, in order",
            a.pk_path.len()
        );
    }
    if a.srs_path.len() != 1 && a.srs_path.len() != n {
        bail!("give one --srs-path for all models or one per model");
    }
    if !a.name.is_empty() && a.name.len() != n {
        bail!("{n} models but {} --name: name all or none", a.name.len());
    }
    let token = a.token_file.as_deref().map(read_token).transpose()?;
    let mut srs_cache: HashMap<PathBuf, Srs> = HashMap::new();
    let mut models = Vec::with_capacity(n);
    for i in 0..n {
        let path = &a.model_path[i];
        let name = match a.name.get(i) {
            Some(s) => s.clone(),
            None => path
                .file_stem()
                .map(|s| s.to_string_lossy().into_owned())
                .unwrap_or_else(|| format!("model{i}")),
        };
        let srs_path = &a.srs_path[if a.srs_path.len() == 1 { 0 } else { i }];
        if !srs_cache.contains_key(srs_path) {
            let srs = artifacts::read_srs_for_key(srs_path)?;
            srs_cache.insert(srs_path.clone(), srs);
        }
        let model = load_model(path)?;
        let (pk, meta) = artifacts::read_pk(&a.pk_path[i])
            .with_context(|| format!("reading the proving key {}", a.pk_path[i].display()))?;
        let sm = ServedModel::new(name, model, pk, meta, &srs_cache[srs_path])?;
        eprintln!(
            "loaded `{}`: {} ({}), proves {}; k = {}, vk {}…",
            sm.name,
            path.display(),
            sm.model.family().name(),
            sm.meta.circuit.statement.describe(),
            sm.meta.circuit.k,
            zero_g::proving::short(&sm.meta.vk_fingerprint)
        );
        models.push(sm);
    }
    drop(srs_cache);
    let chain = match &a.rpc_url {
        None => None,
        Some(url) => Some(connect(&a, url, &mut models)?),
    };
    let config = Config {
        provers: a
            .provers
            .map_or_else(|| Config::default().provers, |p| p as usize),
        queue: 0,
        max_body: a.max_body,
        read_timeout: Duration::from_secs(a.read_timeout),
        request_timeout: Duration::from_secs(a.request_timeout),
        token,
        grace: Duration::from_secs(a.shutdown_grace),
    };
    let config = Config {
        queue: a.queue.map_or(4 * config.provers, |q| q as usize),
        ..config
    };
    // bound here, outside async code: nothing holding the chain's runtime is dropped there
    // on an early error
    let listener = std::net::TcpListener::bind(&a.listen)
        .with_context(|| format!("listening on {}", a.listen))?;
    listener.set_nonblocking(true)?;
    let rt = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .context("starting the async runtime")?;
    rt.block_on(async {
        let listener = tokio::net::TcpListener::from_std(listener)?;
        let addr = listener.local_addr()?;
        if !addr.ip().is_loopback() && config.token.is_none() {
            eprintln!(
                "warning: listening on {addr}, beyond this machine, without --token-file: anyone \
                 who reaches it can use its provers"
            );
        }
        eprintln!(
            "{} prover(s), queue of {}, bodies up to {} bytes, {} s per request{}",
            config.provers,
            config.queue,
            config.max_body,
            config.request_timeout.as_secs(),
            if config.token.is_some() {
                ", bearer token required"
            } else {
                ""
            }
        );
        println!("zero_g serve: listening on http://{addr}/");
        serve::serve(listener, models, chain, config, serve::shutdown_signal())
            .await
            .context("serving")
    })?;
    eprintln!("zero_g serve: shut down");
    Ok(Outcome::Success)
}

/// Reads the bearer token: the file's first line, trimmed, non-empty.
fn read_token(path: &Path) -> Result<String> {
    let bytes = zero_g::fsutil::read_regular(path, 4096)
        .with_context(|| format!("reading the token file {}", path.display()))?;
    let text = String::from_utf8(bytes)
        .with_context(|| format!("{} is not UTF-8 text", path.display()))?;
    let token = text.lines().next().unwrap_or("").trim().to_string();
    if token.is_empty() {
        bail!("the token file {} is empty", path.display());
    }
    if token.len() < 16 {
        eprintln!("warning: the bearer token is shorter than 16 characters: easy to guess");
    }
    Ok(token)
}

/// Connects to the chain with a signer and attaches (or deploys) each model's verifier.
fn connect(a: &ServeArgs, url: &str, models: &mut [ServedModel]) -> Result<ChainConfig> {
    if !a.deploy_verifiers && a.verifier_address.len() != models.len() {
        bail!(
            "with --rpc-url, give one --verifier-address per model ({} given for {}), or \
             --deploy-verifiers",
            a.verifier_address.len(),
            models.len()
        );
    }
    let chain = chain::Chain::connect_with(
        url,
        chain::Timeouts {
            request: Duration::from_secs(a.rpc_timeout),
            receipt: Duration::from_secs(a.receipt_timeout),
        },
    )?
    .with_signer(a.private_key.as_deref())?;
    for (i, sm) in models.iter_mut().enumerate() {
        let address = a
            .verifier_address
            .get(i)
            .map(|s| chain::parse_address(s))
            .transpose()?;
        let name = sm.name.clone();
        let v = sm
            .attach_verifier(&chain, address)
            .with_context(|| format!("the verifier of `{name}`"))?;
        match &v.deployed {
            Some((tx, gas)) => eprintln!(
                "deployed the verifier of `{name}` at {} on chain {} (transaction {tx}, {gas} gas)",
                v.address, v.chain_id
            ),
            None => eprintln!(
                "the verifier of `{name}` at {} on chain {} holds the key's code",
                v.address, v.chain_id
            ),
        }
    }
    Ok(ChainConfig {
        chain,
        gas_limit: a.gas_limit,
    })
}
