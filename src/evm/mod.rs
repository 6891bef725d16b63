//! On-chain verification: the Solidity verifier (snark-verifier, SHPLONK), its compilation
//! with the pinned solcjs, calldata, an in-process EVM dry run, chain calls (see
//! [`chain`]) and the example contract ClassificationBounty (see [`bounty`]).
//!
//! The verifier is a raw contract: calldata is the statement's public inputs as 32-byte
//! big-endian words followed by the proof bytes; it returns empty on success and reverts
//! otherwise. snark-verifier's generated code reduces each public word mod r, so that `v` and
//! `v + k·r` would verify alike; zero_g inserts a check at its entry ([`canonical_inputs`])
//! so that the deployed verifier itself reverts on any public word ≥ r.

pub mod bounty;
pub mod chain;
pub mod shared;

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
    /// The generated Solidity does not have the shape zero_g post-processes.
    #[error("the generated verifier cannot be post-processed: {0}")]
    Generate(String),
    /// The contract at an address is not the expected verifier.
    #[error("wrong verifier: {0}")]
    WrongVerifier(String),
    /// A transaction was refused before sending (e.g. a gas limit below its intrinsic cost).
    #[error("{0}")]
    Refused(String),
    /// A JSON-RPC request got no answer in time.
    #[error("{0}")]
    Timeout(String),
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

/// Solidity source of the verifier for a verifying key: snark-verifier's SHPLONK verifier
/// with zero_g's checks that every public input is canonical ([`canonical_inputs`]) and
/// that the calldata has exactly the length of the key's public words and proof
/// ([`exact_length`]).
pub fn verifier_solidity(
    srs: &Srs,
    vk: &VerifyingKey<G1Affine>,
    meta: &KeyMeta,
) -> Result<String, EvmError> {
    let srs = verifier_srs_for(srs, meta.circuit.k)?;
    let n = meta.circuit.statement.num_instances(meta.circuit.classes);
    let proof_len = crate::proving::proof_len(&srs, vk, meta)?;
    let sol = snark_verifier_sdk::evm::gen_evm_verifier_sol_code::<
        WnnCircuit<Fr>,
        snark_verifier_sdk::SHPLONK,
    >(&srs, vk, vec![n]);
    exact_length(&canonical_inputs(&sol, n)?, 32 * n + proof_len)
}

/// The first line of the check [`exact_length`] inserts.
pub const LENGTH_CHECK_MARKER: &str = "// zero_g: exact calldata length.";

/// Makes a generated verifier revert unless the calldata is exactly `calldata_len` bytes:
/// the public words and the proof, nothing after them.
///
/// snark-verifier's code reads the proof at fixed calldata offsets and never looks past the
/// last one, so bytes appended to a valid proof would verify too: one proof would have
/// endless byte-different forms, a trap for any contract that deduplicates by proof bytes.
/// This inserts, right after `let f_q := r`, `if iszero(eq(calldatasize(), LEN)) { revert }`.
///
/// It checks what it relies on and fails rather than guess: every calldata read at a fixed
/// offset, the last of them ending exactly at `calldata_len` (the length computed from the
/// key, [`crate::proving::proof_len`]), and no check inserted already.
pub fn exact_length(sol: &str, calldata_len: usize) -> Result<String, EvmError> {
    let bad = |m: String| Err(EvmError::Generate(m));
    if sol.contains(LENGTH_CHECK_MARKER) {
        return bad("the calldata-length check is there already".into());
    }
    let anchor = format!("let f_q := {SCALAR_MODULUS_HEX}");
    let Some(decl) = sol.find(&anchor) else {
        return bad(format!("no `{anchor}`"));
    };
    let end = sol
        .match_indices("calldataload(0x")
        .filter_map(|(i, _)| {
            let rest = &sol[i + "calldataload(0x".len()..];
            let hex = &rest[..rest.find(')')?];
            usize::from_str_radix(hex, 16).ok()
        })
        .max()
        .map(|last| last + 32);
    if end != Some(calldata_len) {
        return bad(format!(
            "the last fixed calldata read ends at {end:?}, but the key's public words and \
             proof take {calldata_len} bytes"
        ));
    }
    let (line_end, indent) = line_at(sol, decl);
    let check = format!(
        "{indent}{LENGTH_CHECK_MARKER} The public words and the proof take {calldata_len:#x} \
         bytes;\n\
         {indent}// bytes after them would be ignored: revert unless there are none.\n\
         {indent}if iszero(eq(calldatasize(), {calldata_len:#x})) {{ revert(0, 0) }}\n"
    );
    Ok(format!("{}{check}{}", &sol[..line_end], &sol[line_end..]))
}

/// The end of the line holding byte `at` of `sol` (past its newline), and that line's
/// indentation: where, and how indented, a check inserted after it goes.
pub(crate) fn line_at(sol: &str, at: usize) -> (usize, String) {
    let line_end = sol[at..].find('\n').map_or(sol.len(), |e| at + e + 1);
    let indent = sol[..at]
        .rsplit('\n')
        .next()
        .unwrap_or_default()
        .chars()
        .take_while(|c| c.is_whitespace())
        .collect();
    (line_end, indent)
}

/// The BN254 scalar field modulus r, as snark-verifier's generated code spells it.
pub const SCALAR_MODULUS_HEX: &str =
    "0x30644e72e131a029b85045b68181585d2833e84879b9709143e1f593f0000001";

/// The first line of the check [`canonical_inputs`] inserts.
pub const CANONICAL_CHECK_MARKER: &str = "// zero_g: canonical public inputs.";

/// Makes a snark-verifier-generated verifier revert on any public input word ≥ r.
///
/// The generated code reads the `num_instances` public words at calldata offsets
/// `0, 0x20, …` as `mod(calldataload(offset), f_q)`, so a word `v + k·r` verifies like `v`,
/// and a contract keyed by the raw word (a record per commitment, say) can be fooled into
/// counting one proof many times. This inserts, right after `let f_q := r`, a loop that
/// reverts unless every one of those words is below `f_q`: every caller of the deployed
/// verifier gets canonical inputs, not only zero_g's own contracts.
///
/// It checks the shape it relies on and fails rather than guess: `f_q` declared once as r,
/// the first `num_instances` calldata reads being the reduced public words at `0, 0x20, …`
/// in order, the next read (the proof's first point) not reduced, and no check inserted
/// already.
pub fn canonical_inputs(sol: &str, num_instances: usize) -> Result<String, EvmError> {
    let bad = |m: String| Err(EvmError::Generate(m));
    if sol.contains(CANONICAL_CHECK_MARKER) {
        return bad("the canonical-input check is there already".into());
    }
    let anchor = format!("let f_q := {SCALAR_MODULUS_HEX}");
    let decls: Vec<usize> = sol.match_indices(&anchor).map(|(i, _)| i).collect();
    if decls.len() != 1 || sol.matches("let f_q :=").count() != 1 {
        return bad(format!(
            "expected one `{anchor}`, found {} declaration(s) of f_q",
            sol.matches("let f_q :=").count()
        ));
    }
    // the calldata reads, in source order: (offset, reduced mod f_q)
    let mut reads = Vec::new();
    for (i, _) in sol.match_indices("calldataload(") {
        let rest = &sol[i + "calldataload(".len()..];
        let Some(end) = rest.find(')') else {
            return bad("an unterminated calldataload(".into());
        };
        let Some(offset) = rest[..end]
            .strip_prefix("0x")
            .and_then(|h| usize::from_str_radix(h, 16).ok())
        else {
            // a computed offset: not one of the fixed reads of the entry
            continue;
        };
        let reduced = sol[..i].ends_with("mod(") && rest[end..].starts_with("), f_q)");
        reads.push((offset, reduced));
        if reads.len() > num_instances {
            break;
        }
    }
    for k in 0..num_instances {
        if reads.get(k) != Some(&(32 * k, true)) {
            return bad(format!(
                "calldata read {k} should be public word {k}, `mod(calldataload({:#x}), f_q)`; \
                 found {:?}",
                32 * k,
                reads.get(k)
            ));
        }
    }
    match reads.get(num_instances) {
        Some(&(o, false)) if o == 32 * num_instances => {}
        other => {
            return bad(format!(
                "after {num_instances} public word(s) the proof should start at {:#x} \
                 (an unreduced point coordinate); found {other:?}",
                32 * num_instances
            ))
        }
    }
    let decl = decls[0];
    let (line_end, indent) = line_at(sol, decl);
    let check = if num_instances == 0 {
        String::new()
    } else {
        format!(
            "{indent}{CANONICAL_CHECK_MARKER} The {num_instances} public word(s) at calldata \
             0x0..{end:#x} are reduced mod r\n\
             {indent}// below, so v and v + r would verify alike: revert unless each one is \
             below r.\n\
             {indent}for {{ let i := 0 }} lt(i, {end:#x}) {{ i := add(i, 0x20) }} {{\n\
             {indent}    if iszero(lt(calldataload(i), f_q)) {{ revert(0, 0) }}\n\
             {indent}}}\n",
            end = 32 * num_instances
        )
    };
    Ok(format!("{}{check}{}", &sol[..line_end], &sol[line_end..]))
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
///
/// The source goes to `solc` as a temporary file, not through a pipe: a `solc` that exits
/// before reading its input (not installed, a broken setup) is then reported with its own
/// message instead of ending zero_g by SIGPIPE.
pub fn compile_all(source: &str) -> Result<Vec<Compiled>, EvmError> {
    let solc = solc_path();
    let io = |e: std::io::Error| EvmError::Solc(format!("cannot write the source for solc: {e}"));
    let mut file = tempfile::Builder::new()
        .prefix("zero_g-")
        .suffix(".sol")
        .tempfile()
        .map_err(io)?;
    file.write_all(source.as_bytes()).map_err(io)?;
    file.flush().map_err(io)?;
    let out = Command::new(&solc)
        .arg("--json")
        .arg(file.path())
        .stdin(Stdio::null())
        .output()
        .map_err(|e| {
            EvmError::Solc(format!(
                "cannot run `{}` ({e}); put zero_g's scripts/bin on PATH or set ZERO_G_SOLC \
                 (scripts/setup.sh installs the pinned solcjs)",
                solc.display()
            ))
        })?;
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

/// Calldata for a proof whose key's proofs are `proof_len` bytes
/// ([`crate::proving::proof_len`]): refused, as native verification refuses it, when the
/// proof has another length ([`ProofFile::check_proof_len`]) or malformed claims.
pub fn calldata_checked(proof: &ProofFile, proof_len: usize) -> Result<Vec<u8>, EvmError> {
    proof.check_proof_len(proof_len)?;
    calldata(proof)
}

/// Calldata for a proof: its public instances as 32-byte big-endian words (the layout of
/// [`crate::circuit::statement`]), then the proof bytes. Malformed claims are an error; the
/// proof's length is not checked (see [`calldata_checked`]).
pub fn calldata(proof: &ProofFile) -> Result<Vec<u8>, EvmError> {
    let instances = proof
        .instances(None)
        .map_err(|e| EvmError::Proof(ProofError::Mismatch(format!("malformed proof file: {e}"))))?;
    Ok(snark_verifier::loader::evm::encode_calldata(
        &[instances],
        &proof.proof,
    ))
}

/// `calldata` with `r` added to its public word `word` (a non-canonical encoding of the same
/// field element, which a verifier must reject); `None` when the word does not exist or the
/// sum does not fit 256 bits.
pub fn add_modulus(calldata: &[u8], word: usize) -> Option<Vec<u8>> {
    use alloy::primitives::U256;
    let r: U256 = SCALAR_MODULUS_HEX.parse().expect("r is hex");
    let at = word.checked_mul(32)?;
    let w = U256::from_be_slice(calldata.get(at..at + 32)?);
    let shifted = w.checked_add(r)?;
    let mut out = calldata.to_vec();
    out[at..at + 32].copy_from_slice(&shifted.to_be_bytes::<32>());
    Some(out)
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
    Ok(dry_run_with(creation, &[], |_| calldatas.to_vec())?.0)
}

/// [`dry_run`] with more contracts: deploys `creation`, then each of `others` (e.g. a shared
/// verifier's key data, [`shared`]), then calls the first with each calldata `calldatas`
/// builds from the addresses of `others`. Also returns the gas of each of `others`'
/// deployments.
pub fn dry_run_with(
    creation: &[u8],
    others: &[Vec<u8>],
    calldatas: impl FnOnce(&[Address]) -> Vec<Vec<u8>>,
) -> Result<(Vec<DryRun>, Vec<u64>), EvmError> {
    let mut evm = Context::mainnet()
        .modify_cfg_chained(|cfg| {
            cfg.limit_contract_code_size = Some(usize::MAX);
            cfg.limit_contract_initcode_size = Some(usize::MAX);
        })
        .with_db(InMemoryDB::default())
        .build_mainnet();
    let mut nonce = 0;
    let mut deploy = |code: &[u8]| -> Result<(Address, u64, usize), EvmError> {
        let tx = TxEnv {
            gas_limit: 1 << 40,
            kind: TxKind::Create,
            data: code.to_vec().into(),
            nonce,
            ..Default::default()
        };
        nonce += 1;
        match evm
            .transact_commit(tx)
            .map_err(|e| EvmError::Deploy(format!("{e:?}")))?
        {
            ExecutionResult::Success {
                output: Output::Create(code, Some(addr)),
                gas_used,
                ..
            } => Ok((addr, gas_used, code.len())),
            other => Err(EvmError::Deploy(format!("{other:?}"))),
        }
    };
    let (address, deploy_gas, runtime_bytes) = deploy(creation)?;
    let mut addresses = Vec::new();
    let mut gas = Vec::new();
    for code in others {
        let (a, g, _) = deploy(code)?;
        addresses.push(a);
        gas.push(g);
    }
    let mut out = Vec::new();
    for data in calldatas(&addresses) {
        let tx = TxEnv {
            gas_limit: 1 << 40,
            kind: TxKind::Call(address),
            data: data.clone().into(),
            nonce,
            caller: Address::ZERO,
            ..Default::default()
        };
        nonce += 1;
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
    Ok((out, gas))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The shape of snark-verifier's generated entry, with `n` public words.
    fn generated(n: usize) -> String {
        let mut s = format!(
            "contract Halo2Verifier {{\n    fallback(bytes calldata) external returns (bytes memory) {{\n        assembly (\"memory-safe\") {{\n            let success := true\n            let f_p := 0x30644e72e131a029b85045b68181585d97816a916871ca8d3c208c16d87cfd47\n            let f_q := {SCALAR_MODULUS_HEX}\n"
        );
        for k in 0..n {
            s += &format!(
                "mstore({:#x}, mod(calldataload({:#x}), f_q))\n",
                0xa0 + 32 * k,
                32 * k
            );
        }
        s += &format!(
            "        {{\n            let x := calldataload({:#x})\n            let y := calldataload({:#x})\n        }}\n            mstore(0x900, mod(calldataload({:#x}), f_q))\n            if iszero(success) {{ revert(0, 0) }}\n        }}\n    }}\n}}\n",
            32 * n,
            32 * n + 32,
            32 * n + 64
        );
        s
    }

    #[test]
    fn the_check_is_inserted_once_after_f_q_and_bounds_the_public_words() {
        let sol = generated(10);
        let out = canonical_inputs(&sol, 10).unwrap();
        let block = format!(
            "            {CANONICAL_CHECK_MARKER} The 10 public word(s) at calldata 0x0..0x140 are \
             reduced mod r\n            // below, so v and v + r would verify alike: revert \
             unless each one is below r.\n            for {{ let i := 0 }} lt(i, 0x140) {{ i := \
             add(i, 0x20) }} {{\n                if iszero(lt(calldataload(i), f_q)) {{ revert(0, \
             0) }}\n            }}\n"
        );
        // exactly this block, right after the declaration of f_q; nothing else changed
        let decl_line = format!("let f_q := {SCALAR_MODULUS_HEX}\n");
        assert!(out.contains(&format!("{decl_line}{block}")), "{out}");
        assert_eq!(out.matches(CANONICAL_CHECK_MARKER).count(), 1);
        assert_eq!(out.replacen(&block, "", 1), sol);
        // one word and five words
        assert!(canonical_inputs(&generated(1), 1)
            .unwrap()
            .contains("lt(i, 0x20)"));
        assert!(canonical_inputs(&generated(5), 5)
            .unwrap()
            .contains("lt(i, 0xa0)"));
    }

    #[test]
    fn a_source_of_another_shape_is_refused() {
        let sol = generated(4);
        let err = |s: &str, n: usize| match canonical_inputs(s, n) {
            Err(EvmError::Generate(m)) => m,
            other => panic!("expected a refusal, got {other:?}"),
        };
        // more or fewer public words than the source reads
        assert!(err(&sol, 5).contains("calldata read 4 should be public word 4"));
        assert!(err(&sol, 3).contains("the proof should start at 0x60"));
        // no f_q, another modulus, two declarations
        assert!(err(&sol.replace("let f_q", "let g_q"), 4).contains("expected one"));
        assert!(err(&sol.replace(SCALAR_MODULUS_HEX, "0x7"), 4).contains("expected one"));
        let twice = sol.replacen(
            "let success",
            &format!("let f_q := {SCALAR_MODULUS_HEX}\n let success"),
            1,
        );
        assert!(err(&twice, 4).contains("expected one"));
        // public words read out of order, or not reduced
        let swapped = sol
            .replace("calldataload(0x20)", "calldataload(0xTMP)")
            .replace("calldataload(0x0)", "calldataload(0x20)")
            .replace("calldataload(0xTMP)", "calldataload(0x0)");
        assert!(err(&swapped, 4).contains("calldata read 0"));
        let unreduced = sol.replace("mod(calldataload(0x40), f_q)", "calldataload(0x40)");
        assert!(err(&unreduced, 4).contains("calldata read 2"));
        // post-processed already
        let once = canonical_inputs(&sol, 4).unwrap();
        assert!(err(&once, 4).contains("there already"));
    }

    #[test]
    fn no_public_input_needs_no_check() {
        let sol = generated(0);
        assert_eq!(canonical_inputs(&sol, 0).unwrap(), sol);
    }

    #[test]
    fn the_bundled_verifiers_check_their_public_words() {
        let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("contracts");
        let mut seen = 0;
        for e in std::fs::read_dir(&root).unwrap() {
            let dir = e.unwrap().path();
            let sol = dir.join("Verifier.sol");
            if !sol.is_file() {
                continue;
            }
            let keys: serde_json::Value =
                serde_json::from_slice(&std::fs::read(dir.with_extension("keys.json")).unwrap())
                    .unwrap();
            let st: crate::circuit::Statement =
                serde_json::from_value(keys["circuit"]["statement"].clone()).unwrap();
            let n = st.num_instances(keys["circuit"]["classes"].as_u64().unwrap() as usize);
            let text = std::fs::read_to_string(&sol).unwrap();
            assert_eq!(
                text.matches(CANONICAL_CHECK_MARKER).count(),
                1,
                "{}",
                sol.display()
            );
            assert!(
                text.contains(&format!("lt(i, {:#x})", 32 * n)),
                "{}: the check should cover {n} words",
                sol.display()
            );
            seen += 1;
        }
        // one verifier per bundled model
        let models = std::fs::read_dir(root.with_file_name("models"))
            .unwrap()
            .filter(|e| e.as_ref().unwrap().path().extension() == Some("hdf5".as_ref()))
            .count();
        assert_eq!(seen, models, "scripts/gen-contracts.sh regenerates them");
    }

    #[test]
    fn adding_the_modulus_keeps_the_rest() {
        let mut data = vec![0u8; 96];
        data[31] = 5;
        data[95] = 9;
        let out = add_modulus(&data, 0).unwrap();
        let r: alloy::primitives::U256 = SCALAR_MODULUS_HEX.parse().unwrap();
        assert_eq!(
            alloy::primitives::U256::from_be_slice(&out[..32]),
            r + alloy::primitives::U256::from(5)
        );
        assert_eq!(out[32..], data[32..]);
        assert!(add_modulus(&data, 3).is_none());
        assert!(add_modulus(&[0xff; 32], 0).is_none());
    }
}
