//! Argument parsing and dispatch. The only place that uses clap, indicatif and anyhow.

mod commands;
mod progress;

use clap::{Args, Parser, Subcommand};
use std::path::PathBuf;
use std::process::ExitCode;

/// Prove, in zero knowledge, that a weightless neural network classified a private input.
#[derive(Debug, Parser)]
#[command(name = "zero_g", version, about, max_term_width = 100)]
pub struct Cli {
    /// Hide progress bars.
    #[arg(long, short = 'q', global = true)]
    pub quiet: bool,
    #[command(subcommand)]
    pub command: Command,
}

/// The subcommands.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Describe a model file: family, input, classes, shape and digest.
    Info(commands::info::InfoArgs),
    /// Print the per-class scores and the predicted class of one image.
    Predict(commands::predict::PredictArgs),
    /// Accuracy of a model on a labelled test set (MNIST IDX folder or NNNN_<label>.png folder).
    ComputeAccuracy(commands::accuracy::AccuracyArgs),
    /// Train a model (BTHOWeN, or a LUT network with --family lutnet) and write it as HDF5.
    Train(commands::train::TrainArgs),
    /// Merge one-layer LUT networks of the same input encoding into one whose class scores
    /// are the sums of theirs (an ensemble proven as a single network).
    Ensemble(commands::ensemble::EnsembleArgs),
    /// Write MNIST IDX images as a folder of NNNN_<label>.png files (the original's layout).
    ExportMnist(commands::export::ExportArgs),
    /// Compute the salted Poseidon commitment of an image (to publish before proving).
    Commit(commands::commit::CommitArgs),
    /// Check every circuit constraint with halo2's MockProver (no keys needed).
    MockProof(commands::prove::MockArgs),
    /// Write KZG parameters: imported from a ceremony, or from local randomness (testing only).
    GenerateSrs(commands::prove::SrsArgs),
    /// Generate the proving and verifying keys of a model for a statement (what is public).
    GenerateKeys(commands::prove::KeysArgs),
    /// Prove the keys' statement about private image(s): their scores, class or commitment.
    Proof(commands::prove::ProofArgs),
    /// Verify a proof: exit 0 if valid, 1 if invalid.
    Verify(commands::prove::VerifyArgs),
    /// Write the Solidity verifier of a verifying key (and its compiled code).
    GenerateEvmVerifier(commands::evm::GenerateArgs),
    /// Prove (or take a proof), then deploy and call the verifier in an in-process EVM: its size,
    /// its gas, and that it rejects a tampered proof and a public word + r (exit 1 otherwise).
    DryRunEvmVerifier(commands::dry_run::DryRunArgs),
    /// Deploy the verifier of a verifying key to a chain.
    DeployEvmVerifier(commands::evm::DeployArgs),
    /// Send a proof in a transaction, to a deployed verifier or to a ClassificationBounty
    /// (--bounty): exit 0 if accepted, 1 if reverted.
    ///
    /// Before sending, to a verifier (--contract-address): the proof file's public words
    /// must be canonical field elements (below the BN254 scalar modulus r), and the code at
    /// the address must be the verifier of the proof's key, by its Keccak-256 code hash read
    /// with eth_getCode: the hash --deployment-path recorded at deployment (nothing
    /// recompiled), or that of the verifier compiled from --vk-path and --srs-path. One of
    /// them is required; any other code (no code, a STOP byte, another key's verifier) is
    /// "wrong verifier", exit 2. A gas limit below the calldata's intrinsic cost is refused,
    /// and a transaction that reverts for want of gas is reported as such (exit 2), not as a
    /// rejected proof. Every JSON-RPC request is bounded by --rpc-timeout, the wait for the
    /// receipt by --receipt-timeout.
    ///
    /// To a ClassificationBounty (--bounty): the proof's statement, binding, model and
    /// commitment (canonical, not classified yet, attested if the bounty has an attester) are
    /// checked first; with --deployment-path the bounty must hold the code recorded by
    /// deploy-bounty. The bounty pins its verifier's code hash at construction.
    SubmitProof(commands::evm::SubmitArgs),
    /// Check a proof against a deployed verifier with a free eth_call: exit 0/1.
    ///
    /// The proof file's public words must be canonical field elements (below r), and the code
    /// at --contract-address must be the verifier of the proof's key, by its Keccak-256 code
    /// hash read with eth_getCode: the hash --deployment-path recorded at deployment, or that
    /// of the verifier compiled from --vk-path and --srs-path. One of them is required; any
    /// other code is "wrong verifier", exit 2. Every JSON-RPC request is bounded by
    /// --rpc-timeout.
    VerifyEvm(commands::evm::VerifyEvmArgs),
    /// Deploy a ClassificationBounty (contracts/) that records and rewards proven classes.
    ///
    /// The code at --verifier must first be the verifier of --vk-path: compiled from it and
    /// --srs-path, or recorded by --verifier-deployment-path; its code hash is then pinned in
    /// the bounty, whose constructor checks it again.
    DeployBounty(commands::bounty::DeployBountyArgs),
    /// Register image commitments with a ClassificationBounty that has an attester.
    AttestCommitments(commands::bounty::AttestArgs),
    /// A ClassificationBounty's target class, reward, balance and an image's record.
    BountyStatus(commands::bounty::StatusArgs),
    /// Serve verifiable inference over HTTP: predict, prove (verified before it is returned,
    /// with calldata, optionally sent on chain), verify, a web page at /, /healthz, /metrics.
    ///
    /// Loads each model with its proving key and SRS once. Proofs run at most --provers at a
    /// time with at most --queue waiting; beyond, 429 with Retry-After. Listens on loopback
    /// unless told otherwise. SIGTERM or Ctrl-C: queued requests are refused (503), running
    /// proofs finish and are answered, then the server exits.
    Serve(commands::serve::ServeArgs),
}

/// Flags shared by commands that read a model.
#[derive(Debug, Args)]
pub struct ModelArg {
    /// The model: an HDF5 file of either family (BTHOWeN or LUT network; models/FORMAT.md).
    #[arg(short = 'm', long, value_name = "FILE")]
    pub model_path: PathBuf,
}

/// What a command ends with when it did not fail.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Outcome {
    /// Everything as asked.
    Success,
    /// A proof was rejected or a check did not hold.
    Rejected,
}

/// Parses the arguments, runs the command and maps the outcome to the exit code.
pub fn main() -> ExitCode {
    let cli = Cli::parse();
    let printer = progress::Printer { quiet: cli.quiet };
    match commands::run(cli.command, &printer) {
        Ok(Outcome::Success) => ExitCode::SUCCESS,
        Ok(Outcome::Rejected) => ExitCode::from(1),
        Err(e) => {
            eprintln!("error: {e:#}");
            ExitCode::from(2)
        }
    }
}
