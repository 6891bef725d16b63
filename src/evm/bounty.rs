//! The example contract `contracts/ClassificationBounty.sol`: it records the class a zero_g
//! verifier proved for a committed image and pays a reward for each new image proven to be
//! of its target class.
//!
//! Its verifier must prove exactly [`statement`]: `generate-keys --public class --commitment
//! --model-digest --bind`, one image per proof, whose public inputs are `[class, commitment,
//! digestHi, digestLo, boundTo]`. The bounty passes the model digest itself and `msg.sender`
//! as `boundTo`, so a proof is accepted only from the account it was bound to
//! (`proof --bind-to`) and only about the bounty's model.
//!
//! The ABI comes from the contract's own source through [`alloy::sol!`], so it cannot drift
//! from the compiled contract.

use super::chain::{CallOutcome, Chain, Mined};
use super::{Compiled, EvmError};
use crate::circuit::{Public, Statement};
use crate::proving::ProofFile;
use alloy::network::TransactionBuilder;
use alloy::primitives::{keccak256, Address, Bytes, B256, U256};
use alloy::rpc::types::TransactionRequest;
use alloy::sol_types::{SolCall, SolConstructor, SolEvent, SolInterface};

/// The contract's Solidity source.
pub const SOURCE: &str = include_str!("../../contracts/ClassificationBounty.sol");

/// The contract's name in [`SOURCE`].
pub const CONTRACT: &str = "ClassificationBounty";

/// The ABI of [`SOURCE`], generated from it by [`alloy::sol!`]: calls (`submitCall`,
/// `classOfCall`, …), events (`Classified`, `Rewarded`, `Funded`), custom errors and the
/// constructor's arguments (`constructorCall`).
#[allow(missing_docs)]
pub mod abi {
    alloy::sol!("contracts/ClassificationBounty.sol");
}
use abi::ClassificationBounty;

/// The statement the bounty's verifier must prove (one image).
pub fn statement() -> Statement {
    Statement {
        public: Public::Class,
        commitment: true,
        model_digest: true,
        bind: true,
        batch: 1,
    }
}

/// The `generate-keys` flags of [`statement`].
pub const STATEMENT_FLAGS: &str = "--public class --commitment --model-digest --bind";

/// Checks that keys or a proof of `st` fit the bounty; the error names the flags needed.
pub fn check_statement(st: &Statement) -> Result<(), String> {
    if *st == statement() {
        return Ok(());
    }
    Err(format!(
        "a ClassificationBounty needs proofs of `class + commitment + model digest + binding` \
         about one image (keys from `zero_g generate-keys {STATEMENT_FLAGS}` without --batch), \
         but these prove `{}`",
        st.describe()
    ))
}

/// Compiles [`SOURCE`] with zero_g's solc.
pub fn compile() -> Result<Compiled, EvmError> {
    super::compile(SOURCE, CONTRACT)
}

/// The constructor's arguments.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct BountyParams {
    /// The zero_g verifier the bounty calls.
    pub verifier: Address,
    /// The Keccak-256 of the verifier's runtime code (checked by the constructor).
    pub verifier_codehash: B256,
    /// For a shared verifier: the model's key-data contract and the Keccak-256 of its code
    /// (checked by the constructor; every call names it). `None` for a single-key verifier.
    pub key_data: Option<(Address, B256)>,
    /// The SHA-256 digest of the model (a public input the bounty passes itself).
    pub model_digest: B256,
    /// The class that earns the reward.
    pub target_class: U256,
    /// Wei paid per newly proven image of the target class.
    pub reward: U256,
    /// Who registers the commitments that may be submitted (`Address::ZERO`: any).
    pub attester: Address,
}

/// Creation code with the constructor's arguments appended.
pub fn creation_code(compiled: &Compiled, p: &BountyParams) -> Vec<u8> {
    let args = ClassificationBounty::constructorCall {
        verifier_: p.verifier,
        verifierCodehash: p.verifier_codehash,
        keyData_: p.key_data.map_or(Address::ZERO, |k| k.0),
        keyDataCodehash: p.key_data.map_or(B256::ZERO, |k| k.1),
        modelDigest_: p.model_digest,
        targetClass_: p.target_class,
        reward_: p.reward,
        attester_: p.attester,
    }
    .abi_encode();
    [compiled.creation.as_slice(), &args].concat()
}

/// A contract's revert, decoded when it is one of the bounty's custom errors.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Revert {
    /// `WrongVerifier()`: the verifier's code is not the expected one (constructor).
    WrongVerifier,
    /// `WrongKeyData()`: the key-data contract's code is not the expected one (constructor).
    WrongKeyData,
    /// `AlreadyClassified(commitment)`: the image has been classified already.
    AlreadyClassified(U256),
    /// `InvalidProof()`: the verifier rejected the proof.
    InvalidProof,
    /// `ClassOutOfRange(class)`: the class is not below [`crate::limits::MAX_CLASSES`].
    ClassOutOfRange(U256),
    /// `PaymentFailed()`: the reward could not be paid.
    PaymentFailed,
    /// `NotAttester()`: only the attester may attest.
    NotAttester,
    /// `NotAttested(commitment)`: the attester has not registered the commitment.
    NotAttested(U256),
    /// `NonCanonicalCommitment(commitment)`: the commitment is not below r.
    NonCanonicalCommitment(U256),
    /// The transaction ran out of gas: the same call with the node's default gas, on the
    /// same state, does not revert (the proof was not judged).
    OutOfGas,
    /// Revert data the bounty's ABI does not describe.
    Other(Vec<u8>),
    /// The node reported no revert data (e.g. out of gas).
    NoData,
}

impl Revert {
    /// Decodes revert data.
    pub fn decode(data: Option<&[u8]>) -> Revert {
        use ClassificationBounty::ClassificationBountyErrors as E;
        let Some(d) = data else {
            return Revert::NoData;
        };
        match E::abi_decode(d) {
            Ok(E::WrongVerifier(_)) => Revert::WrongVerifier,
            Ok(E::WrongKeyData(_)) => Revert::WrongKeyData,
            Ok(E::AlreadyClassified(e)) => Revert::AlreadyClassified(e.commitment),
            Ok(E::InvalidProof(_)) => Revert::InvalidProof,
            Ok(E::ClassOutOfRange(e)) => Revert::ClassOutOfRange(e.class),
            Ok(E::PaymentFailed(_)) => Revert::PaymentFailed,
            Ok(E::NotAttester(_)) => Revert::NotAttester,
            Ok(E::NotAttested(e)) => Revert::NotAttested(e.commitment),
            Ok(E::NonCanonicalCommitment(e)) => Revert::NonCanonicalCommitment(e.commitment),
            Err(_) => Revert::Other(d.to_vec()),
        }
    }

    /// The custom error's name, e.g. `InvalidProof`.
    pub fn name(&self) -> &'static str {
        match self {
            Revert::WrongVerifier => "WrongVerifier",
            Revert::WrongKeyData => "WrongKeyData",
            Revert::AlreadyClassified(_) => "AlreadyClassified",
            Revert::InvalidProof => "InvalidProof",
            Revert::ClassOutOfRange(_) => "ClassOutOfRange",
            Revert::PaymentFailed => "PaymentFailed",
            Revert::NotAttester => "NotAttester",
            Revert::NotAttested(_) => "NotAttested",
            Revert::NonCanonicalCommitment(_) => "NonCanonicalCommitment",
            Revert::OutOfGas => "out of gas",
            Revert::Other(_) => "unknown error",
            Revert::NoData => "no revert data",
        }
    }
}

impl std::fmt::Display for Revert {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Revert::AlreadyClassified(c) => write!(f, "AlreadyClassified({c:#066x})"),
            Revert::ClassOutOfRange(c) => write!(f, "ClassOutOfRange({c})"),
            Revert::NotAttested(c) => write!(f, "NotAttested({c:#066x})"),
            Revert::NonCanonicalCommitment(c) => write!(f, "NonCanonicalCommitment({c:#066x})"),
            Revert::Other(d) => write!(f, "unknown revert data 0x{}", hex::encode(d)),
            Revert::NoData => write!(f, "no revert data"),
            Revert::OutOfGas => write!(f, "out of gas"),
            _ => write!(f, "{}()", self.name()),
        }
    }
}

/// The Keccak-256 of the code at `address` (what `address.codehash` gives in Solidity), or
/// an error when there is no contract there.
pub fn codehash(chain: &Chain, address: Address) -> Result<B256, EvmError> {
    let code = chain.code_at(address)?;
    if code.is_empty() {
        return Err(EvmError::Chain(format!(
            "there is no contract at {address} on chain {}",
            chain.chain_id
        )));
    }
    Ok(keccak256(code))
}

/// Deploys a bounty funded with `fund` wei. The deployment is simulated first, so that a
/// constructor revert is reported with its custom error ([`EvmError::Reverted`]).
pub fn deploy(
    chain: &Chain,
    compiled: &Compiled,
    p: &BountyParams,
    fund: U256,
) -> Result<Mined, EvmError> {
    let code = creation_code(compiled, p);
    let sender = chain
        .sender()
        .ok_or_else(|| EvmError::Chain("no signer".into()))?;
    let sim = TransactionRequest::default()
        .with_from(sender)
        .with_deploy_code(Bytes::copy_from_slice(&code))
        .with_value(fund);
    if let CallOutcome::Reverted(data) = chain.eth_call(sim, None)? {
        return Err(EvmError::Reverted(format!(
            "the bounty's constructor reverted with {}",
            Revert::decode(data.as_deref())
        )));
    }
    chain.deploy_with_value(&code, fund)
}

/// The bounty's public values of a proof: its class and commitment.
pub fn claim(proof: &ProofFile) -> Result<(U256, U256), EvmError> {
    check_statement(&proof.statement).map_err(EvmError::Chain)?;
    let im = proof
        .images
        .first()
        .ok_or_else(|| EvmError::Chain("the proof file lists no image".into()))?;
    let commitment = im
        .commitment
        .as_deref()
        .ok_or_else(|| EvmError::Chain("the proof file has no commitment".into()))?;
    let commitment = canonical_word(commitment, "the commitment")?;
    Ok((U256::from(im.class), commitment))
}

/// Parses a public word written as `0x` + 64 hex digits, refusing one that is not below r:
/// a verifier reads words mod r, so `v + r` would pass for `v` under another raw value.
pub fn canonical_word(text: &str, what: &str) -> Result<U256, EvmError> {
    crate::commitment::from_hex::<halo2_proofs::halo2curves::bn256::Fr>(text)
        .map_err(|e| EvmError::Refused(format!("{what}: {e}")))?;
    text.parse()
        .map_err(|_| EvmError::Refused(format!("{what} `{text}` is not hex")))
}

/// The account a proof is bound to: `Ok(None)` when its bound word is not an address (no
/// account can then submit it).
pub fn bound_address(proof: &ProofFile) -> Result<Option<Address>, EvmError> {
    let word = proof
        .bound_to
        .as_deref()
        .ok_or_else(|| EvmError::Chain("the proof is not bound to an address".into()))?;
    let w = canonical_word(word, "bound_to")?;
    let bytes = w.to_be_bytes::<32>();
    Ok(bytes[..12]
        .iter()
        .all(|&b| b == 0)
        .then(|| Address::from_slice(&bytes[12..])))
}

/// The calldata of `submit(class, commitment, proof)`.
pub fn submit_calldata(class: U256, commitment: U256, proof: &[u8]) -> Vec<u8> {
    ClassificationBounty::submitCall {
        class_: class,
        commitment,
        proof: Bytes::copy_from_slice(proof),
    }
    .abi_encode()
}

/// The outcome of a `submit` transaction.
#[derive(Clone, Debug)]
pub struct Submission {
    /// The mined transaction.
    pub mined: Mined,
    /// Why it reverted (`None` when it succeeded).
    pub revert: Option<Revert>,
    /// The reward paid (from the `Rewarded` event), if any.
    pub reward: Option<U256>,
    /// Whether a `Classified` event was emitted.
    pub classified: bool,
}

/// Sends `submit(class, commitment, proof)` to `bounty` from the signer with a fixed gas
/// limit (a rejected proof is mined and reverts). A revert is replayed with `eth_call` on the
/// state before its block to decode the custom error.
pub fn submit(
    chain: &Chain,
    bounty: Address,
    class: U256,
    commitment: U256,
    proof: &[u8],
    gas_limit: u64,
) -> Result<Submission, EvmError> {
    let data = submit_calldata(class, commitment, proof);
    let (mined, revert) = transact(chain, bounty, data, gas_limit)?;
    let mut reward = None;
    let mut classified = false;
    for log in mined.logs.iter().filter(|l| l.address == bounty) {
        if let Ok(ev) = ClassificationBounty::Rewarded::decode_log_data(&log.data) {
            reward = Some(ev.amount);
        }
        if ClassificationBounty::Classified::decode_log_data(&log.data).is_ok() {
            classified = true;
        }
    }
    Ok(Submission {
        mined,
        revert,
        reward,
        classified,
    })
}

/// Sends `data` to `bounty` with a fixed gas limit; a revert is replayed with `eth_call` on
/// the state before its block to decode the custom error. An `InvalidProof` or a revert
/// without data is replayed once more with the node's default gas: if that succeeds, the
/// transaction ran out of gas ([`Revert::OutOfGas`]; the bounty's call to the verifier gets
/// only 63/64 of what is left, so a short gas limit looks like an invalid proof).
fn transact(
    chain: &Chain,
    bounty: Address,
    data: Vec<u8>,
    gas_limit: u64,
) -> Result<(Mined, Option<Revert>), EvmError> {
    let mined = chain.submit(bounty, &data, gas_limit)?;
    if mined.success {
        return Ok((mined, None));
    }
    let sender = chain.sender().expect("a transaction was sent");
    let replay = TransactionRequest::default()
        .with_from(sender)
        .with_to(bounty)
        .with_input(Bytes::from(data))
        .with_gas_limit(gas_limit);
    let before = mined.block.map(|b| b.saturating_sub(1));
    let same = chain.eth_call(replay.clone(), before);
    let mut revert = match &same {
        Ok(CallOutcome::Reverted(d)) => Revert::decode(d.as_deref()),
        // the replay succeeded or failed: the cause is not known
        _ => Revert::NoData,
    };
    let replay_reverted = matches!(same, Ok(CallOutcome::Reverted(_)));
    if replay_reverted && matches!(revert, Revert::InvalidProof | Revert::NoData) {
        let mut unlimited = replay;
        unlimited.gas = None;
        if let Ok(CallOutcome::Returned(_)) = chain.eth_call(unlimited, before) {
            revert = Revert::OutOfGas;
        }
    }
    Ok((mined, Some(revert)))
}

/// Sends `attest(commitments)` from the signer (who must be the bounty's attester).
pub fn attest(
    chain: &Chain,
    bounty: Address,
    commitments: &[U256],
    gas_limit: u64,
) -> Result<(Mined, Option<Revert>), EvmError> {
    let data = ClassificationBounty::attestCall {
        commitments: commitments.to_vec(),
    }
    .abi_encode();
    transact(chain, bounty, data, gas_limit)
}

/// Whether the attester registered `commitment`.
pub fn is_attested(chain: &Chain, bounty: Address, commitment: U256) -> Result<bool, EvmError> {
    view(
        chain,
        bounty,
        ClassificationBounty::attestedCall(commitment),
    )
}

fn view<C: SolCall>(chain: &Chain, bounty: Address, call: C) -> Result<C::Return, EvmError> {
    let tx = TransactionRequest::default()
        .with_to(bounty)
        .with_input(Bytes::from(call.abi_encode()));
    match chain.eth_call(tx, None)? {
        CallOutcome::Returned(out) => C::abi_decode_returns(&out).map_err(|e| {
            EvmError::Chain(format!(
                "{bounty} did not answer {} like a ClassificationBounty: {e}",
                C::SIGNATURE
            ))
        }),
        CallOutcome::Reverted(_) => Err(EvmError::Chain(format!(
            "{bounty} reverted {}: is it a ClassificationBounty?",
            C::SIGNATURE
        ))),
    }
}

/// A bounty's configuration and balance.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize)]
pub struct Status {
    /// The verifier it calls.
    pub verifier: Address,
    /// The model digest it passes.
    pub model_digest: B256,
    /// The rewarded class.
    pub target_class: U256,
    /// The reward per image, in wei.
    pub reward: U256,
    /// Its balance, in wei.
    pub balance: U256,
    /// Who registers the commitments that may be submitted (zero: any commitment).
    pub attester: Address,
}

/// Reads a bounty's configuration and balance (an error when `bounty` has no code or does
/// not answer like a ClassificationBounty).
pub fn status(chain: &Chain, bounty: Address) -> Result<Status, EvmError> {
    codehash(chain, bounty)?;
    Ok(Status {
        verifier: view(chain, bounty, ClassificationBounty::verifierCall {})?,
        model_digest: view(chain, bounty, ClassificationBounty::modelDigestCall {})?,
        target_class: view(chain, bounty, ClassificationBounty::targetClassCall {})?,
        reward: view(chain, bounty, ClassificationBounty::rewardCall {})?,
        balance: chain.balance(bounty)?,
        attester: view(chain, bounty, ClassificationBounty::attesterCall {})?,
    })
}

/// A proven classification.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize)]
pub struct Record {
    /// Who submitted the proof.
    pub prover: Address,
    /// In which block.
    pub block: u64,
    /// The proven class (a [`crate::limits::Class`]: the contract records 16 bits).
    pub class: crate::limits::Class,
}

/// The record of a commitment, `None` when it is not classified yet.
pub fn record(
    chain: &Chain,
    bounty: Address,
    commitment: U256,
) -> Result<Option<Record>, EvmError> {
    let r = view(chain, bounty, ClassificationBounty::recordsCall(commitment))?;
    Ok((r._0 != Address::ZERO).then_some(Record {
        prover: r._0,
        block: r._1,
        class: r._2,
    }))
}

/// `classOf(commitment)`: the proven class, `None` when not classified yet.
pub fn class_of(
    chain: &Chain,
    bounty: Address,
    commitment: U256,
) -> Result<Option<U256>, EvmError> {
    let r = view(
        chain,
        bounty,
        ClassificationBounty::classOfCall { commitment },
    )?;
    Ok(r.known.then_some(r.class_))
}
