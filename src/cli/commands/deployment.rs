//! Deployment records (`deploy-evm-verifier` and `deploy-bounty --deployment-path`): what
//! they hold, and how `submit-proof`, `verify-evm` and `deploy-bounty` read and check them.

use alloy::primitives::B256;
use anyhow::{bail, Context, Result};
use std::path::Path;
use zero_g::evm::chain;
use zero_g::proving;

/// A deployment record.
#[derive(Debug, serde::Serialize, serde::Deserialize)]
pub struct Deployment {
    /// Chain id.
    pub chain_id: u64,
    /// Contract address.
    pub address: String,
    /// Verifying key the contract checks.
    pub vk_fingerprint: String,
    /// Model the key is for.
    pub model_digest: String,
    /// Deployment transaction.
    pub tx_hash: String,
    /// Gas used by the deployment.
    pub gas_used: u64,
    /// Runtime code size.
    pub runtime_bytes: usize,
    /// Keccak-256 of the contract's runtime code, read back from the chain at deployment:
    /// `submit-proof` and `verify-evm` check the contract still holds it (absent in records of
    /// zero_g before 0.1.0's verifier check).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub runtime_codehash: Option<String>,
    /// The length in bytes of every proof for the key (`zero_g::proving::proof_len`):
    /// `submit-proof` and `verify-evm` refuse a proof of another length before sending it,
    /// as native `verify` does (absent in records of older zero_g).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub proof_bytes: Option<usize>,
    /// For a shared verifier (`deploy-evm-verifier --shared`): the contract holding the key's
    /// data, which every call names after the proof. Absent for a single-key verifier.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub key_data: Option<KeyDataRecord>,
}

/// A key-data contract of a shared verifier, as deployed.
#[derive(Debug, Clone, serde::Serialize, serde::Deserialize)]
pub struct KeyDataRecord {
    /// Its address.
    pub address: String,
    /// Keccak-256 of its code (STOP and the key's words), read back at deployment.
    pub codehash: String,
    /// Its deployment transaction.
    pub tx_hash: String,
    /// Gas used by its deployment.
    pub gas_used: u64,
    /// Whether this deployment also deployed the shared verifier (false: `--shared-verifier`
    /// named one already deployed, and `tx_hash`/`gas_used` above are this contract's).
    pub verifier_deployed: bool,
}

impl KeyDataRecord {
    /// Its address and code hash, checked well-formed.
    pub fn parsed(&self, path: &Path) -> Result<(alloy::primitives::Address, B256)> {
        let address = chain::parse_address(&self.address)
            .with_context(|| format!("{}: key_data.address", path.display()))?;
        let hash = self.codehash.parse::<B256>().map_err(|_| {
            anyhow::anyhow!(
                "{}: key_data.codehash `{}` is not a 32-byte hex hash",
                path.display(),
                self.codehash
            )
        })?;
        Ok((address, hash))
    }
}

/// Reads a deployment record (of `deploy-evm-verifier` or `deploy-bounty`) and checks that it
/// is for `address` on the chain and for the key `vk_fingerprint` (the proof's).
pub fn check_deployment(
    path: &Path,
    address: alloy::primitives::Address,
    given: &str,
    chain: &chain::Chain,
    vk_fingerprint: &str,
) -> Result<Deployment> {
    let rec: Deployment = serde_json::from_slice(
        &zero_g::fsutil::read_regular(path, 1 << 20)
            .with_context(|| format!("reading {}", path.display()))?,
    )
    .with_context(|| format!("{} is not a deployment record", path.display()))?;
    if chain::parse_address(&rec.address)? != address {
        bail!(
            "the deployment record is for contract {}, not {given}",
            rec.address
        );
    }
    if rec.chain_id != chain.chain_id {
        bail!(
            "the deployment record is for chain {}, but the endpoint is chain {}",
            rec.chain_id,
            chain.chain_id
        );
    }
    if rec.vk_fingerprint != vk_fingerprint {
        bail!(
            "the contract verifies key {}…, but the proof was made for key {}…",
            proving::short(&rec.vk_fingerprint),
            proving::short(vk_fingerprint)
        );
    }
    Ok(rec)
}

/// A deployment record's code hash, if it has one.
pub fn recorded_codehash(rec: &Deployment, path: &Path) -> Result<Option<B256>> {
    rec.runtime_codehash
        .as_deref()
        .map(|h| {
            h.parse::<B256>().map_err(|_| {
                anyhow::anyhow!(
                    "{}: runtime_codehash `{h}` is not a 32-byte hex hash",
                    path.display()
                )
            })
        })
        .transpose()
}

/// A deployment record's contract address, and which contract it records (`contract`:
/// `ClassificationBounty` for a bounty, absent for a verifier).
pub(super) fn recorded_contract(path: &Path) -> Result<(String, Option<String>)> {
    let v: serde_json::Value = serde_json::from_slice(
        &zero_g::fsutil::read_regular(path, 1 << 20)
            .with_context(|| format!("reading {}", path.display()))?,
    )
    .with_context(|| format!("{} is not a deployment record", path.display()))?;
    let address = v["address"]
        .as_str()
        .with_context(|| format!("{} is not a deployment record: no address", path.display()))?;
    Ok((
        address.to_string(),
        v["contract"].as_str().map(str::to_string),
    ))
}

/// The contract to send to: the address given, else the one the deployment record holds
/// (a contradiction between the two is refused when the record is checked).
pub(super) fn contract_or_recorded(given: Option<&str>, record: Option<&Path>) -> Result<String> {
    match (given, record) {
        (Some(c), _) => Ok(c.to_string()),
        (None, Some(p)) => Ok(recorded_contract(p)?.0),
        (None, None) => bail!("give --contract-address or --deployment-path"),
    }
}
