//! `deploy-bounty`, `submit-proof --bounty`, `attest-commitments` and `bounty-status`: the
//! example contract `contracts/ClassificationBounty.sol` (see [`zero_g::evm::bounty`]).

use super::evm::{
    check_deployment, key_code, recorded_codehash, ChainArgs, Deployment, RpcArgs, SubmitArgs,
};
use super::print_json;
use crate::cli::Outcome;
use alloy::primitives::utils::{format_ether, parse_units};
use alloy::primitives::{Address, I256, U256};
use anyhow::{bail, Context, Result};
use clap::Args;
use std::path::PathBuf;
use zero_g::evm::bounty::{self, BountyParams};
use zero_g::evm::chain;
use zero_g::proving::artifacts;

/// Parses an amount of ether: wei (`1000`), or a decimal number with a unit (`0.5ether`,
/// `2 gwei`, `7wei`).
pub fn parse_amount(s: &str, what: &str) -> Result<U256> {
    let t = s.trim();
    let split = t.find(|c: char| c.is_ascii_alphabetic()).unwrap_or(t.len());
    let (num, unit) = (t[..split].trim(), t[split..].trim().to_ascii_lowercase());
    let unit = if unit.is_empty() { "wei" } else { &unit };
    let bad = || {
        anyhow::anyhow!(
            "{what} `{s}` is not an amount: give wei (e.g. 1000000000000000) or a number with \
             a unit (e.g. 0.001ether, 5gwei)"
        )
    };
    if !matches!(unit, "wei" | "gwei" | "ether" | "eth")
        || num.is_empty()
        || !num.chars().all(|c| c.is_ascii_digit() || c == '.')
    {
        return Err(bad());
    }
    let unit = if unit == "eth" { "ether" } else { unit };
    let decimals = num.split_once('.').map_or(0, |(_, d)| d.len());
    let places = match unit {
        "wei" => 0,
        "gwei" => 9,
        _ => 18,
    };
    if decimals > places {
        bail!("{what} `{s}` has more decimals than a wei");
    }
    parse_units(num, unit).map(Into::into).map_err(|_| bad())
}

/// `N wei (x ETH)`.
fn wei(v: U256) -> String {
    format!("{v} wei ({} ETH)", trim_ether(&format_ether(v)))
}

fn trim_ether(s: &str) -> String {
    let t = s.trim_end_matches('0');
    t.strip_suffix('.').unwrap_or(t).to_string()
}

/// Arguments of `deploy-bounty`.
#[derive(Debug, Args)]
pub struct DeployBountyArgs {
    /// The deployed zero_g verifier (from `deploy-evm-verifier`). Its code is first checked
    /// to be the verifier of --vk-path (with --srs-path, or with --verifier-deployment-path),
    /// then its code hash is pinned in the bounty.
    #[arg(long, value_name = "ADDRESS")]
    verifier: String,
    /// The verifier's verifying key (from `generate-keys --public class --commitment
    /// --model-digest --bind`): its statement is checked and its model digest passed on.
    #[arg(short = 'v', long, value_name = "FILE")]
    vk_path: PathBuf,
    /// KZG parameters: the code at --verifier must be the verifier compiled from --vk-path
    /// and these parameters. Give this or --verifier-deployment-path.
    #[arg(
        short = 's',
        long,
        value_name = "FILE",
        required_unless_present = "verifier_deployment_path"
    )]
    srs_path: Option<PathBuf>,
    /// The verifier's deployment record (from `deploy-evm-verifier --deployment-path`): the
    /// code at --verifier must be the code it recorded, for the key of --vk-path; for a
    /// shared verifier, the key-data contract it records is checked and pinned too.
    #[arg(long, value_name = "FILE")]
    verifier_deployment_path: Option<PathBuf>,
    /// For a shared verifier (`deploy-evm-verifier --shared`): the contract holding the
    /// key's data, checked (with --srs-path) to hold the words of --vk-path, and pinned.
    #[arg(long, value_name = "ADDRESS")]
    key_data: Option<String>,
    /// The class that earns the reward.
    #[arg(long, value_name = "N")]
    target_class: usize,
    /// The reward per newly proven image of the target class: wei, or a number with a unit
    /// (`0.01ether`, `5gwei`).
    #[arg(long, value_name = "AMOUNT")]
    reward: String,
    /// Funds sent with the deployment (wei, or with a unit). Anyone can add more later by
    /// sending ether to the bounty.
    #[arg(long, value_name = "AMOUNT", default_value = "0")]
    fund: String,
    /// Accept only commitments this account registered beforehand (`zero_g
    /// attest-commitments`), so that an image re-committed under a new salt earns nothing.
    /// Without it every commitment is accepted.
    #[arg(long, value_name = "ADDRESS")]
    attester: Option<String>,
    #[command(flatten)]
    chain: ChainArgs,
    /// Where to write the deployment record (JSON: chain id, address, verifier, code hash,
    /// vk fingerprint, model digest, target class, reward, tx).
    #[arg(long, value_name = "FILE")]
    deployment_path: Option<PathBuf>,
    /// Print the deployment record as JSON.
    #[arg(long)]
    json: bool,
}

/// The record `deploy-bounty` writes (its common fields are a [`Deployment`]'s, so
/// `submit-proof --deployment-path` reads both).
#[derive(Debug, serde::Serialize)]
struct BountyDeployment {
    contract: &'static str,
    #[serde(flatten)]
    base: Deployment,
    verifier: String,
    verifier_codehash: String,
    /// A shared verifier's key-data contract, pinned by the bounty (not the record's
    /// `key_data`, which a verifier's deployment record holds).
    #[serde(skip_serializing_if = "Option::is_none")]
    verifier_key_data: Option<String>,
    target_class: usize,
    reward_wei: String,
    funded_wei: String,
    attester: Option<String>,
}

/// Runs `deploy-bounty`.
pub fn deploy(a: DeployBountyArgs) -> Result<Outcome> {
    let (_, meta) = artifacts::read_vk(&a.vk_path)?;
    bounty::check_statement(&meta.circuit.statement)
        .map_err(|e| anyhow::anyhow!("{}: {e}", a.vk_path.display()))?;
    if a.target_class >= meta.circuit.classes {
        bail!(
            "--target-class {} is not a class of this model (it has {} classes: 0 to {})",
            a.target_class,
            meta.circuit.classes,
            meta.circuit.classes - 1
        );
    }
    let reward = parse_amount(&a.reward, "--reward")?;
    let fund = parse_amount(&a.fund, "--fund")?;
    let model_digest: [u8; 32] = hex::decode(&meta.model_digest)
        .ok()
        .and_then(|d| d.try_into().ok())
        .context("the key's model digest is not 32 bytes of hex")?;
    let attester = a
        .attester
        .as_deref()
        .map(chain::parse_address)
        .transpose()?;
    let chain = a.chain.connect()?;
    let verifier = chain::parse_address(&a.verifier)?;
    let code = chain.code_at(verifier)?;
    if code.is_empty() {
        bail!(
            "there is no contract at {} on chain {}: deploy the verifier first \
             (`zero_g deploy-evm-verifier`)",
            a.verifier,
            chain.chain_id
        );
    }
    let mut expected = Vec::new();
    let mut proof_bytes = None;
    // a shared verifier's key data: its address, and the code hashes it must have
    let mut key_data = a
        .key_data
        .as_deref()
        .map(chain::parse_address)
        .transpose()?;
    let mut key_expected = Vec::new();
    if let Some(p) = &a.verifier_deployment_path {
        let rec = check_deployment(p, verifier, &a.verifier, &chain, &meta.vk_fingerprint)?;
        proof_bytes = rec.proof_bytes;
        if let Some(k) = &rec.key_data {
            let (addr, hash) = k.parsed(p)?;
            if key_data.is_some_and(|g| g != addr) {
                bail!(
                    "--key-data is not the key-data contract {} records ({addr})",
                    p.display()
                );
            }
            key_data = Some(addr);
            key_expected.push(hash);
        }
        match recorded_codehash(&rec, p)? {
            Some(h) => expected.push(h),
            None if a.srs_path.is_some() => {}
            None => bail!(
                "{} records no code hash (it was written by an older zero_g): give --srs-path",
                p.display()
            ),
        }
    }
    if let Some(srs) = &a.srs_path {
        let srs = artifacts::read_srs_for_key(srs)?;
        let code = key_code(&srs, &a.vk_path, key_data.is_some())?;
        expected.push(code.verifier);
        key_expected.extend(code.key_data);
        proof_bytes = Some(code.proof_bytes);
    } else if a.key_data.is_some() && key_expected.is_empty() {
        bail!("--key-data needs --srs-path (to check the contract holds the key's words)");
    }
    if let Some(k) = key_data {
        for h in &key_expected {
            chain
                .expect_code(
                    k,
                    *h,
                    &format!(
                        "the key data of {} (key {}…)",
                        a.vk_path.display(),
                        zero_g::proving::short(&meta.vk_fingerprint)
                    ),
                )
                .context("deploy it with `zero_g deploy-evm-verifier --shared`")?;
        }
    }
    for h in expected {
        chain
            .expect_code(
                verifier,
                h,
                &format!(
                    "the verifier of {} (key {}…)",
                    a.vk_path.display(),
                    zero_g::proving::short(&meta.vk_fingerprint)
                ),
            )
            .context("deploy it with `zero_g deploy-evm-verifier`")?;
    }
    let params = BountyParams {
        verifier,
        verifier_codehash: alloy::primitives::keccak256(&code),
        key_data: key_data.zip(key_expected.first().copied()),
        model_digest: model_digest.into(),
        target_class: U256::from(a.target_class),
        reward,
        attester: attester.unwrap_or(Address::ZERO),
    };
    let compiled = bounty::compile()?;
    let mined = bounty::deploy(&chain, &compiled, &params, fund)?;
    let address = mined.contract.clone().expect("a deployment has an address");
    let runtime = chain.code_at(chain::parse_address(&address)?)?;
    let rec = BountyDeployment {
        contract: bounty::CONTRACT,
        base: Deployment {
            chain_id: chain.chain_id,
            address,
            vk_fingerprint: meta.vk_fingerprint.clone(),
            model_digest: meta.model_digest.clone(),
            tx_hash: mined.tx_hash.clone(),
            gas_used: mined.gas_used,
            runtime_bytes: runtime.len(),
            runtime_codehash: Some(format!("{:#x}", alloy::primitives::keccak256(&runtime))),
            proof_bytes,
            key_data: None,
        },
        verifier: format!("{verifier:#x}"),
        verifier_codehash: format!("{:#x}", params.verifier_codehash),
        verifier_key_data: key_data.map(|k| format!("{k:#x}")),
        target_class: a.target_class,
        reward_wei: reward.to_string(),
        funded_wei: fund.to_string(),
        attester: attester.map(|a| format!("{a:#x}")),
    };
    if let Some(p) = &a.deployment_path {
        artifacts::write_json(p, &rec)?;
    }
    if a.json {
        print_json(&serde_json::to_value(&rec)?);
    } else {
        println!(
            "ClassificationBounty deployed at {} on chain {}",
            rec.base.address, rec.base.chain_id
        );
        println!(
            "transaction {} used {} gas",
            rec.base.tx_hash, rec.base.gas_used
        );
        println!(
            "verifier {} (code hash {})",
            rec.verifier, rec.verifier_codehash
        );
        if let Some(k) = &rec.verifier_key_data {
            println!("key data {k} (a shared verifier's; its code hash is pinned too)");
        }
        println!("model digest {}", meta.model_digest);
        println!(
            "reward {} per new image of class {}; funded with {}",
            wei(reward),
            a.target_class,
            wei(fund)
        );
        match &rec.attester {
            Some(a) => println!("accepts only the commitments {a} attests"),
            None => println!("accepts every commitment (no attester)"),
        }
        if reward.is_zero() {
            println!("(the reward is 0: the bounty only records classifications)");
        } else if fund < reward {
            println!(
                "(send at least {} to {} before a reward can be paid)",
                wei(reward - fund),
                rec.base.address
            );
        }
    }
    Ok(Outcome::Success)
}

/// Runs `submit-proof --bounty`: checks the proof against the bounty and the signer, sends
/// `submit(class, commitment, proof)`, and reports the record and the reward. Exit 0 if
/// accepted, 1 if the bounty reverted.
pub fn submit(a: &SubmitArgs, given: &str) -> Result<Outcome> {
    let address = chain::parse_address(given)?;
    let proof = artifacts::read_proof(&a.proof_path)?;
    bounty::check_statement(&proof.statement)
        .map_err(|e| anyhow::anyhow!("{}: {e}", a.proof_path.display()))?;
    // the class, and a commitment and a bound word that are canonical: before connecting
    let (class, commitment) = bounty::claim(&proof)?;
    let bound = bounty::bound_address(&proof)?;
    let chain = &a.chain.connect()?;
    if let Some(p) = &a.deployment_path {
        let rec = check_deployment(p, address, given, chain, &proof.vk_fingerprint)?;
        // the proof's length, as native `verify` checks it (the verifier reverts on any
        // other length too)
        if let Some(n) = rec.proof_bytes {
            proof.check_proof_len(n).with_context(|| {
                format!(
                    "not sent: {} is not a proof for this bounty's verifier",
                    a.proof_path.display()
                )
            })?;
        }
        if let Some(h) = recorded_codehash(&rec, p)? {
            chain
                .expect_code(
                    address,
                    h,
                    &format!("the ClassificationBounty recorded in {}", p.display()),
                )
                .map_err(|e| match e {
                    zero_g::evm::EvmError::WrongVerifier(m) => {
                        anyhow::anyhow!("wrong contract: {m}")
                    }
                    e => e.into(),
                })?;
        }
    }
    let status = bounty::status(chain, address)?;
    let signer = chain.sender().expect("a signer was chosen");
    let mut problems = Vec::new();
    if format!("{:x}", status.model_digest) != proof.model_digest.to_ascii_lowercase() {
        problems.push(format!(
            "this bounty is for model {:x}, but the proof is about model {}",
            status.model_digest, proof.model_digest
        ));
    }
    match bound {
        Some(b) if b == signer => {}
        Some(b) => problems.push(format!(
            "this proof is bound to {b}, but the signer is {signer}: only {b} can submit it \
             (or prove again with --bind-to {signer})"
        )),
        None => problems.push(format!(
            "this proof is bound to {}, which is not an address: no account can submit it",
            proof.bound_to.as_deref().unwrap_or_default()
        )),
    }
    if status.attester != Address::ZERO && !bounty::is_attested(chain, address, commitment)? {
        problems.push(format!(
            "the image with commitment {commitment:#066x} is not attested: this bounty accepts              only commitments {:#x} registered (`zero_g attest-commitments`)",
            status.attester
        ));
    }
    if let Some(r) = bounty::record(chain, address, commitment)? {
        problems.push(format!(
            "the image with commitment {commitment:#066x} is already classified (class {}, \
             proven by {} in block {})",
            r.class, r.prover, r.block
        ));
    }
    if !problems.is_empty() {
        if !a.force {
            bail!(
                "not sent: {}\n(--force sends it anyway, to be rejected on chain)",
                problems.join("; ")
            );
        }
        for p in &problems {
            eprintln!("warning: {p}; sending anyway (--force)");
        }
    }
    let before = chain.balance(signer)?;
    let sub = bounty::submit(chain, address, class, commitment, &proof.proof, a.gas_limit)?;
    if sub.revert == Some(bounty::Revert::OutOfGas) {
        bail!(
            "transaction {} ran out of gas (gas limit {}, used {}) before the bounty finished: \
             the proof was not judged; raise --gas-limit",
            sub.mined.tx_hash,
            a.gas_limit,
            sub.mined.gas_used
        );
    }
    let after = chain.balance(signer)?;
    let change = I256::from_raw(after).wrapping_sub(I256::from_raw(before));
    let mined = &sub.mined;
    let no_reward_why = if !mined.success || sub.reward.is_some() {
        None
    } else if class != status.target_class {
        Some(format!(
            "class {class} is not the target class {}",
            status.target_class
        ))
    } else if status.reward.is_zero() {
        Some("the bounty's reward is 0".to_string())
    } else {
        Some(format!(
            "the bounty held {}, less than the reward",
            wei(status.balance)
        ))
    };
    if a.json {
        print_json(&serde_json::json!({
            "success": mined.success,
            "bounty": format!("{address:#x}"),
            "sender": format!("{signer:#x}"),
            "tx_hash": mined.tx_hash,
            "block": mined.block,
            "gas_used": mined.gas_used,
            "effective_gas_price": mined.effective_gas_price.to_string(),
            "fee_wei": mined.fee().to_string(),
            "class": class.to::<u64>(),
            "commitment": format!("{commitment:#066x}"),
            "classified": sub.classified,
            "rewarded": sub.reward.is_some(),
            "reward_wei": sub.reward.map(|r| r.to_string()),
            "no_reward_reason": no_reward_why,
            "balance_change_wei": change.to_string(),
            "revert": sub.revert.as_ref().map(|r| r.name()),
            "error": sub.revert.as_ref().map(|r| r.to_string()),
        }));
    } else if mined.success {
        println!(
            "proof accepted by the bounty on chain {}: image {commitment:#066x} recorded as \
             class {class}",
            chain.chain_id
        );
        println!(
            "transaction {} (block {}) used {} gas",
            mined.tx_hash,
            mined.block.unwrap_or_default(),
            mined.gas_used
        );
        match (&sub.reward, &no_reward_why) {
            (Some(r), _) => println!("reward paid: {} to {signer}", wei(*r)),
            (None, Some(why)) => println!("no reward: {why}"),
            (None, None) => {}
        }
    } else {
        println!(
            "proof REJECTED: the bounty reverted transaction {} with {} (gas used {})",
            mined.tx_hash,
            sub.revert.as_ref().unwrap_or(&bounty::Revert::NoData),
            mined.gas_used
        );
    }
    Ok(if mined.success {
        Outcome::Success
    } else {
        Outcome::Rejected
    })
}

/// Arguments of `bounty-status`.
#[derive(Debug, Args)]
pub struct StatusArgs {
    /// The ClassificationBounty's address.
    #[arg(long, value_name = "ADDRESS")]
    bounty: String,
    /// Also show this image commitment's record (`0x` + 64 hex digits).
    #[arg(long, value_name = "HEX")]
    commitment: Option<String>,
    #[command(flatten)]
    rpc: RpcArgs,
    /// Print the status as JSON.
    #[arg(long)]
    json: bool,
}

/// Arguments of `attest-commitments`.
#[derive(Debug, Args)]
pub struct AttestArgs {
    /// The ClassificationBounty's address.
    #[arg(long, value_name = "ADDRESS")]
    bounty: String,
    /// Commitments to register (`0x` + 64 hex digits, as `zero_g commit` prints them).
    #[arg(long, value_name = "HEX", num_args = 1..)]
    commitment: Vec<String>,
    /// Opening files (from `zero_g commit -o`) whose commitments to register.
    #[arg(long, value_name = "FILE", num_args = 1..)]
    opening_path: Vec<PathBuf>,
    #[command(flatten)]
    chain: ChainArgs,
    /// Gas limit of the transaction.
    #[arg(long, default_value_t = 1_000_000)]
    gas_limit: u64,
    /// Print the receipt as JSON.
    #[arg(long)]
    json: bool,
}

/// Runs `attest-commitments`: exit 0 if registered, 1 if the bounty reverted (e.g. the
/// signer is not its attester).
pub fn attest(a: AttestArgs) -> Result<Outcome> {
    let mut commitments = a
        .commitment
        .iter()
        .map(|c| parse_commitment(c))
        .collect::<Result<Vec<_>>>()?;
    for p in &a.opening_path {
        for o in artifacts::read_openings(p)? {
            commitments.push(parse_commitment(&o.commitment)?);
        }
    }
    if commitments.is_empty() {
        bail!("give the commitments to register: --commitment HEX or --opening-path FILE");
    }
    let chain = a.chain.connect()?;
    let address = chain::parse_address(&a.bounty)?;
    let st = bounty::status(&chain, address)?;
    let signer = chain.sender().expect("a signer was chosen");
    if st.attester == Address::ZERO {
        bail!("this bounty has no attester: it accepts every commitment already");
    }
    if st.attester != signer {
        bail!(
            "this bounty's attester is {:#x}, but the signer is {signer:#x}",
            st.attester
        );
    }
    let (mined, revert) = bounty::attest(&chain, address, &commitments, a.gas_limit)?;
    if a.json {
        print_json(&serde_json::json!({
            "success": mined.success, "tx_hash": mined.tx_hash, "gas_used": mined.gas_used,
            "commitments": commitments.iter().map(|c| format!("{c:#066x}")).collect::<Vec<_>>(),
            "revert": revert.as_ref().map(|r| r.name()),
        }));
    } else if mined.success {
        println!(
            "attested {} commitment(s) on chain {}: transaction {} used {} gas",
            commitments.len(),
            chain.chain_id,
            mined.tx_hash,
            mined.gas_used
        );
    } else {
        println!(
            "REJECTED: the bounty reverted transaction {} with {}",
            mined.tx_hash,
            revert.as_ref().unwrap_or(&bounty::Revert::NoData)
        );
    }
    Ok(if mined.success {
        Outcome::Success
    } else {
        Outcome::Rejected
    })
}

fn parse_commitment(s: &str) -> Result<U256> {
    let digits = s.trim().trim_start_matches("0x").trim_start_matches("0X");
    if digits.is_empty() || digits.len() > 64 || !digits.chars().all(|c| c.is_ascii_hexdigit()) {
        bail!("--commitment `{s}` is not a 32-byte hex word");
    }
    Ok(bounty::canonical_word(
        &format!("0x{digits:0>64}"),
        "--commitment",
    )?)
}

/// Runs `bounty-status`.
pub fn status(a: StatusArgs) -> Result<Outcome> {
    let commitment = a.commitment.as_deref().map(parse_commitment).transpose()?;
    let chain = a.rpc.connect()?;
    let address = chain::parse_address(&a.bounty)?;
    let st = bounty::status(&chain, address)?;
    let record = match commitment {
        Some(c) => Some(bounty::record(&chain, address, c)?),
        None => None,
    };
    let attested = match commitment {
        Some(c) if st.attester != Address::ZERO => Some(bounty::is_attested(&chain, address, c)?),
        _ => None,
    };
    if a.json {
        let rec = record.as_ref().map(|r| match r {
            Some(r) => serde_json::json!({
                "classified": true, "class": r.class, "prover": format!("{:#x}", r.prover),
                "block": r.block,
            }),
            None => serde_json::json!({"classified": false}),
        });
        print_json(&serde_json::json!({
            "bounty": format!("{address:#x}"),
            "chain_id": chain.chain_id,
            "verifier": format!("{:#x}", st.verifier),
            "model_digest": format!("{:x}", st.model_digest),
            "target_class": st.target_class.to_string(),
            "reward_wei": st.reward.to_string(),
            "balance_wei": st.balance.to_string(),
            "rewards_left": rewards_left(&st).map(|n| n.to_string()),
            "attester": (st.attester != Address::ZERO).then(|| format!("{:#x}", st.attester)),
            "attested": attested,
            "commitment": commitment.map(|c| format!("{c:#066x}")),
            "record": rec,
        }));
        return Ok(Outcome::Success);
    }
    println!(
        "ClassificationBounty {address:#x} on chain {}",
        chain.chain_id
    );
    println!("verifier:     {:#x}", st.verifier);
    println!("model digest: {:x}", st.model_digest);
    println!("target class: {}", st.target_class);
    println!("reward:       {}", wei(st.reward));
    match rewards_left(&st) {
        Some(n) => println!("balance:      {} ({n} reward(s) left)", wei(st.balance)),
        None => println!("balance:      {}", wei(st.balance)),
    }
    if st.attester != Address::ZERO {
        println!("attester:     {:#x}", st.attester);
    }
    if let (Some(c), Some(true)) = (commitment, attested) {
        println!("image {c:#066x}: attested");
    }
    if let (Some(c), Some(false)) = (commitment, attested) {
        println!("image {c:#066x}: NOT attested (cannot be submitted)");
    }
    if let (Some(c), Some(r)) = (commitment, record) {
        match r {
            Some(r) => println!(
                "image {c:#066x}: class {}, proven by {:#x} in block {}",
                r.class, r.prover, r.block
            ),
            None => println!("image {c:#066x}: not classified yet"),
        }
    }
    Ok(Outcome::Success)
}

fn rewards_left(st: &bounty::Status) -> Option<U256> {
    (!st.reward.is_zero()).then(|| st.balance / st.reward)
}
