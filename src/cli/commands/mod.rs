//! One module per subcommand; each `run` returns the command's [`Outcome`].

pub mod accuracy;
pub mod bounty;
pub mod commit;
pub mod deployment;
pub mod dry_run;
pub mod ensemble;
pub mod evm;
pub mod evm_shared;
pub mod export;
pub mod info;
pub mod inputs;
pub mod predict;
pub mod prove;
pub mod samples;
pub mod serve;
pub mod train;

use super::progress::Printer;
use super::{Command, Outcome};
use anyhow::{Context, Result};
use std::path::Path;
use zero_g::Model;

/// Dispatches a parsed command.
pub fn run(cmd: Command, printer: &Printer) -> Result<Outcome> {
    match cmd {
        Command::Info(a) => info::run(a),
        Command::Ensemble(a) => ensemble::run(a),
        Command::Predict(a) => predict::run(a),
        Command::ComputeAccuracy(a) => accuracy::run(a, printer),
        Command::Train(a) => train::run(a, printer),
        Command::ExportMnist(a) => export::run(a, printer),
        Command::Commit(a) => commit::run(a),
        Command::MockProof(a) => prove::mock(a),
        Command::GenerateSrs(a) => prove::srs(a, printer),
        Command::GenerateKeys(a) => prove::keys(a, printer),
        Command::Proof(a) => prove::proof(a, printer),
        Command::Verify(a) => prove::verify(a),
        Command::GenerateEvmVerifier(a) => evm::generate(a),
        Command::DryRunEvmVerifier(a) => dry_run::dry_run(a, printer),
        Command::DeployEvmVerifier(a) => evm::deploy(a),
        Command::SubmitProof(a) => evm::submit(a),
        Command::VerifyEvm(a) => evm::verify_evm(a),
        Command::DeployBounty(a) => bounty::deploy(a),
        Command::AttestCommitments(a) => bounty::attest(a),
        Command::BountyStatus(a) => bounty::status(a),
        Command::Serve(a) => serve::run(a),
    }
}

/// Loads a model with the path in the error context.
pub fn load_model(path: &Path) -> Result<Model> {
    zero_g::model::io::load(path).with_context(|| format!("loading model {}", path.display()))
}

/// Prints a value as pretty JSON on stdout.
pub fn print_json(v: &serde_json::Value) {
    println!(
        "{}",
        serde_json::to_string_pretty(v).expect("JSON values serialise")
    );
}
