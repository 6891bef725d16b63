//! On-chain verification: the Solidity verifier (snark-verifier, SHPLONK), its compilation
//! with the pinned solcjs, calldata, an in-process EVM dry run, chain calls (see
//! [`chain`]) and the example contract ClassificationBounty (see [`bounty`]).
//!
//! The verifier is a raw contract: calldata is the `C` scores as 32-byte big-endian words
//! followed by the proof bytes; it returns empty on success and reverts otherwise.

pub mod bounty;
pub mod chain;

use crate::circuit::WnnCircuit;
use crate::proving::{verifier_srs_for, KeyMeta, ProofError, ProofFile, Srs};
use halo2_proofs::halo2curves::bn256::{Fr, G1Affine};
use halo2_proofs::plonk::VerifyingKey;
use revm::context::result::{ExecutionResult, Output};
use revm::context::TxEnv;
use revm::database::InMemoryDB;
use revm::primitives::{Address, TxKind};
use revm::{Context, ExecuteCommitEvm, MainBuilder, MainContext};
use serde::{Deserialize, Serialize};
use snark_verifier_sdk::CircuitExt;
use std::io::Write;
use std::path::PathBuf;
use std::process::{Command, Stdio};

/// The EIP-170 limit on deployed code: 24,576 bytes.
pub const EIP170_LIMIT: usize = 24_576;

/// Errors of the EVM layer.
#[derive(Debug, thiserror::Error)]
pub enum EvmError {
    /// The Solidity compiler is missing or failed.
    #[error("solc: {0}")]
    Solc(String),
    /// The in-process EVM rejected the deployment.
    #[error("deployment failed in the EVM: {0}")]
    Deploy(String),
    /// Talking to the chain failed.
    #[error("{0}")]
    Chain(String),
    /// A contract reverted (the message says which and, when known, why).
    #[error("{0}")]
    Reverted(String),
    /// An artifact error.
    #[error(transparent)]
    Proof(#[from] ProofError),
}

impl CircuitExt<Fr> for WnnCircuit<Fr> {
    fn num_instance(&self) -> Vec<usize> {
        let p = self.circuit_params();
        vec![p.statement.num_instances(p.classes)]
    }
    fn instances(&self) -> Vec<Vec<Fr>> {
        vec![WnnCircuit::instances(self)]
    }
}

/// Solidity source of the verifier for a verifying key.
pub fn verifier_solidity(
    srs: &Srs,
    vk: &VerifyingKey<G1Affine>,
    meta: &KeyMeta,
) -> Result<String, EvmError> {
    let srs = verifier_srs_for(srs, meta.circuit.k)?;
    Ok(snark_verifier_sdk::evm::gen_evm_verifier_sol_code::<
        WnnCircuit<Fr>,
        snark_verifier_sdk::SHPLONK,
    >(
        &srs,
        vk,
        vec![meta.circuit.statement.num_instances(meta.circuit.classes)],
    ))
}

/// Compiled contract code.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Compiled {
    /// Contract name.
    pub name: String,
    /// Creation (deployment) code.
    #[serde(with = "crate::proving::artifacts::hex_bytes")]
    pub creation: Vec<u8>,
    /// Runtime (deployed) code.
    #[serde(with = "crate::proving::artifacts::hex_bytes")]
    pub runtime: Vec<u8>,
    /// ABI JSON (empty for the raw verifier).
    pub abi: serde_json::Value,
}

/// The `solc` to run: `$ZERO_G_SOLC`, else `solc` on `PATH` (zero_g ships a solcjs-based one
/// in `scripts/bin/solc`; `scripts/setup.sh` installs it).
pub fn solc_path() -> PathBuf {
    std::env::var_os("ZERO_G_SOLC")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from("solc"))
}

/// Compiles Solidity with zero_g's `solc --json` and returns every contract.
pub fn compile_all(source: &str) -> Result<Vec<Compiled>, EvmError> {
    let solc = solc_path();
    let mut child = Command::new(&solc)
        .args(["--json", "-"])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .map_err(|e| {
            EvmError::Solc(format!(
                "cannot run `{}` ({e}); put zero_g's scripts/bin on PATH or set ZERO_G_SOLC \
                 (scripts/setup.sh installs the pinned solcjs)",
                solc.display()
            ))
        })?;
    child
        .stdin
        .take()
        .expect("piped")
        .write_all(source.as_bytes())
        .map_err(|e| EvmError::Solc(e.to_string()))?;
    let out = child
        .wait_with_output()
        .map_err(|e| EvmError::Solc(e.to_string()))?;
    if !out.status.success() {
        return Err(EvmError::Solc(
            String::from_utf8_lossy(&out.stderr).trim().to_string(),
        ));
    }
    let v: serde_json::Value = serde_json::from_slice(&out.stdout)
        .map_err(|e| EvmError::Solc(format!("unreadable output: {e}")))?;
    let mut list = Vec::new();
    for (name, c) in v["contracts"].as_object().into_iter().flatten() {
        let hexs = |k: &str| {
            hex::decode(c[k].as_str().unwrap_or_default())
                .map_err(|e| EvmError::Solc(e.to_string()))
        };
        list.push(Compiled {
            name: name.clone(),
            creation: hexs("bytecode")?,
            runtime: hexs("runtime")?,
            abi: c["abi"].clone(),
        });
    }
    Ok(list)
}

/// Compiles Solidity and returns the named contract.
pub fn compile(source: &str, name: &str) -> Result<Compiled, EvmError> {
    compile_all(source)?
        .into_iter()
        .find(|c| c.name == name)
        .ok_or_else(|| EvmError::Solc(format!("no contract `{name}` in the source")))
}

/// The verifier contract's name in snark-verifier's generated source.
pub const VERIFIER_CONTRACT: &str = "Halo2Verifier";

/// Calldata for a proof: its public instances as 32-byte big-endian words (the layout of
/// [`crate::circuit::statement`]), then the proof bytes. Malformed claims are an error.
pub fn calldata(proof: &ProofFile) -> Result<Vec<u8>, EvmError> {
    let instances = proof
        .instances(None)
        .map_err(|e| EvmError::Proof(ProofError::Mismatch(format!("malformed proof file: {e}"))))?;
    Ok(snark_verifier::loader::evm::encode_calldata(
        &[instances],
        &proof.proof,
    ))
}

/// What a dry run measured.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct DryRun {
    /// Deployed code size in bytes.
    pub runtime_bytes: usize,
    /// Gas of the deployment transaction.
    pub deploy_gas: u64,
    /// Gas of the verification transaction (intrinsic and calldata included).
    pub verify_gas: u64,
    /// Whether the verifier accepted the calldata.
    pub accepted: bool,
    /// Calldata bytes.
    pub calldata_bytes: usize,
}

/// Deploys `creation` in an in-process EVM (revm, code-size limits lifted so oversized
/// verifiers are measured rather than refused) and calls it with each calldata.
pub fn dry_run(creation: &[u8], calldatas: &[Vec<u8>]) -> Result<Vec<DryRun>, EvmError> {
    let mut evm = Context::mainnet()
        .modify_cfg_chained(|cfg| {
            cfg.limit_contract_code_size = Some(usize::MAX);
            cfg.limit_contract_initcode_size = Some(usize::MAX);
        })
        .with_db(InMemoryDB::default())
        .build_mainnet();
    let tx = TxEnv {
        gas_limit: 1 << 40,
        kind: TxKind::Create,
        data: creation.to_vec().into(),
        ..Default::default()
    };
    let (address, deploy_gas, runtime_bytes) = match evm
        .transact_commit(tx)
        .map_err(|e| EvmError::Deploy(format!("{e:?}")))?
    {
        ExecutionResult::Success {
            output: Output::Create(code, Some(addr)),
            gas_used,
            ..
        } => (addr, gas_used, code.len()),
        other => return Err(EvmError::Deploy(format!("{other:?}"))),
    };
    let mut out = Vec::new();
    for (i, data) in calldatas.iter().enumerate() {
        let tx = TxEnv {
            gas_limit: 1 << 40,
            kind: TxKind::Call(address),
            data: data.clone().into(),
            nonce: 1 + i as u64,
            caller: Address::ZERO,
            ..Default::default()
        };
        let r = evm
            .transact_commit(tx)
            .map_err(|e| EvmError::Deploy(format!("{e:?}")))?;
        out.push(DryRun {
            runtime_bytes,
            deploy_gas,
            verify_gas: r.gas_used(),
            accepted: r.is_success(),
            calldata_bytes: data.len(),
        });
    }
    Ok(out)
}
