//! `dry-run-evm-verifier`: prove (or take a proof), deploy the verifier in an in-process EVM
//! and call it with the honest proof and three forgeries.

use super::evm::{write_contract, OutputArgs};
use super::{inputs, load_model, print_json};
use crate::cli::progress::Printer;
use crate::cli::Outcome;
use anyhow::{bail, Context, Result};
use clap::Args;
use std::path::PathBuf;
use std::sync::Arc;
use zero_g::evm;
use zero_g::proving::{self, artifacts, KeyMeta, ProofFile};

/// Arguments of `dry-run-evm-verifier`.
#[derive(Debug, Args)]
pub struct DryRunArgs {
    /// The model (with the input(s) and --pk-path: prove first).
    #[arg(short = 'm', long, value_name = "FILE", requires_all = ["samples", "pk_path"])]
    model_path: Option<PathBuf>,
    /// The input(s) to prove: images (files or folders), --features or --csv-row; as many as
    /// the keys' batch.
    #[command(flatten)]
    input: super::samples::SampleArgs,
    /// KZG parameters.
    #[arg(short = 's', long, value_name = "FILE")]
    srs_path: PathBuf,
    /// The proving key (with --model-path and --img-path).
    #[arg(short = 'p', long, value_name = "FILE")]
    pk_path: Option<PathBuf>,
    /// An existing proof instead of proving (with --vk-path).
    #[arg(
        long,
        value_name = "FILE",
        conflicts_with = "model_path",
        requires = "vk_path"
    )]
    proof_path: Option<PathBuf>,
    /// The verifying key (with --proof-path).
    #[arg(short = 'v', long, value_name = "FILE")]
    vk_path: Option<PathBuf>,
    #[command(flatten)]
    out: OutputArgs,
    /// Print the measurements as JSON.
    #[arg(long)]
    json: bool,
    /// Dry-run the shared verifier (`deploy-evm-verifier --shared`) with this key's data
    /// contract, and check that another key's data is rejected.
    #[arg(long)]
    shared: bool,
}

/// Runs `dry-run-evm-verifier`.
pub fn dry_run(a: DryRunArgs, printer: &Printer) -> Result<Outcome> {
    let srs = artifacts::read_srs(&a.srs_path)?;
    let (vk, meta, proof): (_, KeyMeta, ProofFile) = match (&a.model_path, &a.proof_path) {
        (Some(m), _) => {
            let model = Arc::new(load_model(m)?);
            let samples = a.input.load(&model)?;
            let paths = samples.paths();
            let images = samples.inputs;
            let (pk, meta) = artifacts::read_pk(a.pk_path.as_ref().expect("clap"))?;
            let (inputs, _) = inputs::prover_inputs(images, &paths, &meta.circuit.statement, &[])?;
            // a bound statement is dry-run bound to 0 (the raw verifier does not read it)
            let bind = meta
                .circuit
                .statement
                .bind
                .then(halo2_proofs::halo2curves::bn256::Fr::zero);
            let proof =
                proving::prove_bound(&srs, &pk, &meta, model, &inputs, bind, &printer.reporter())?;
            (pk.get_vk().clone(), meta, proof)
        }
        (None, Some(p)) => {
            let (vk, meta) = artifacts::read_vk(a.vk_path.as_ref().expect("clap"))?;
            (vk, meta, artifacts::read_proof(p)?)
        }
        (None, None) => {
            bail!("give --model-path, --img-path and --pk-path, or --proof-path and --vk-path")
        }
    };
    if proof.vk_fingerprint != meta.vk_fingerprint {
        bail!("the proof was made for another verifying key");
    }
    let shared = a
        .shared
        .then(|| evm::shared::SharedVerifier::new(&srs, &vk, &meta))
        .transpose()?;
    let sol = match &shared {
        Some(s) => s.sol.clone(),
        None => evm::verifier_solidity(&srs, &vk, &meta)?,
    };
    let c = evm::compile(&sol, evm::VERIFIER_CONTRACT)?;
    if let Some(dir) = &a.out.output_dir {
        match &shared {
            Some(s) => super::evm_shared::write(
                dir,
                &super::evm_shared::Shared {
                    v: s.clone(),
                    compiled: c.clone(),
                    meta: meta.clone(),
                },
            )?,
            None => write_contract(dir, &sol, &c, &meta)?,
        }
    }
    let honest = evm::calldata(&proof)?;
    let mut tampered = honest.clone();
    let n = tampered.len();
    tampered[n - 40] ^= 1;
    // the first public word plus r: the same field element, not canonical
    let shifted = evm::add_modulus(&honest, 0)
        .context("the proof has no public word whose sum with r fits 256 bits")?;
    // one byte after the proof: the same proof in another byte form
    let mut long = honest.clone();
    long.push(0);
    let (runs, key_gas, foreign) = match &shared {
        None => (
            evm::dry_run(&c.creation, &[honest, tampered, shifted, long])?,
            None,
            None,
        ),
        Some(s) => {
            // this key's data, and another key's: the same words but the digest changed
            let mut other = s.words.clone();
            other[0] ^= alloy::primitives::U256::from(1);
            let others = [
                s.key_data_creation(),
                evm::shared::key_data_creation_of(&other),
            ];
            let (runs, gas) = evm::dry_run_with(&c.creation, &others, |keys| {
                let with = |d: &[u8], k| evm::shared::calldata(d, k);
                let mut longer = with(&honest, keys[0]);
                longer.push(0);
                vec![
                    with(&honest, keys[0]),
                    with(&tampered, keys[0]),
                    with(&shifted, keys[0]),
                    longer,
                    with(&honest, keys[1]),
                ]
            })?;
            let foreign = runs[4].accepted;
            (runs, Some(gas[0]), Some(foreign))
        }
    };
    let (ok, bad, big, longer) = (&runs[0], &runs[1], &runs[2], &runs[3]);
    if a.json {
        print_json(&serde_json::json!({
            "runtime_bytes": ok.runtime_bytes,
            "creation_bytes": c.creation.len(),
            "deploy_gas": ok.deploy_gas,
            "verify_gas": ok.verify_gas,
            "calldata_bytes": ok.calldata_bytes,
            "accepted": ok.accepted,
            "tampered_rejected": !bad.accepted,
            "non_canonical_rejected": !big.accepted,
            "appended_byte_rejected": !longer.accepted,
            "within_eip170": ok.runtime_bytes <= evm::EIP170_LIMIT,
            "proof_bytes": proof.proof.len(),
            "k": meta.circuit.k,
            "layout": meta.circuit.layout().name(),
            "polys": zero_g::proving::polys::PolyCounts::of(&vk),
            "shared": shared.is_some(),
            "key_data_bytes": shared.as_ref().map(|s| s.key_data_runtime().len()),
            "key_data_deploy_gas": key_gas,
            "foreign_key_data_rejected": foreign.map(|f| !f),
        }));
    } else {
        println!(
            "runtime code:     {} bytes ({} the 24,576-byte EIP-170 limit)",
            ok.runtime_bytes,
            if ok.runtime_bytes <= evm::EIP170_LIMIT {
                "within"
            } else {
                "OVER"
            }
        );
        println!("deployment gas:   {}", ok.deploy_gas);
        println!(
            "verification gas: {} (calldata {} bytes)",
            ok.verify_gas, ok.calldata_bytes
        );
        println!(
            "honest proof:     {}",
            if ok.accepted { "accepted" } else { "REJECTED" }
        );
        println!(
            "tampered proof:   {}",
            if bad.accepted { "ACCEPTED" } else { "rejected" }
        );
        println!(
            "public word + r:  {}",
            if big.accepted { "ACCEPTED" } else { "rejected" }
        );
        println!(
            "a byte appended:  {}",
            if longer.accepted {
                "ACCEPTED"
            } else {
                "rejected"
            }
        );
        if let (Some(s), Some(g), Some(f)) = (&shared, key_gas, foreign) {
            println!(
                "key data:         {} bytes, deployed for {g} gas",
                s.key_data_runtime().len()
            );
            println!(
                "other key's data: {}",
                if f { "ACCEPTED" } else { "rejected" }
            );
        }
    }
    Ok(
        if ok.accepted
            && !bad.accepted
            && !big.accepted
            && !longer.accepted
            && foreign != Some(true)
        {
            Outcome::Success
        } else {
            Outcome::Rejected
        },
    )
}
