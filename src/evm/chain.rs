//! Talking to an EVM chain over JSON-RPC (alloy): deploy a contract, send a transaction and
//! check its receipt, call a contract with a free `eth_call`, or check that the code at an
//! address is the one expected.
//!
//! Nothing here starts a chain: commands talk to the chain at the URL they are given, so a
//! contract deployed by one command is there for the next. Nothing here waits forever: every
//! JSON-RPC request is bounded by [`Timeouts::request`] and the wait for a transaction to be
//! mined by [`Timeouts::receipt`]; the error names the call and the URL. A transaction whose
//! gas limit is below its intrinsic cost ([`intrinsic_gas`]) is refused before it is sent.

use super::EvmError;
use alloy::eips::eip2718::Encodable2718;
use alloy::eips::BlockId;
use alloy::network::{
    EthereumWallet, NetworkTransactionBuilder, ReceiptResponse, TransactionBuilder,
};
use alloy::primitives::{keccak256, Address, Bytes, Log, B256, U256};
use alloy::providers::{Provider, ProviderBuilder, RootProvider};
use alloy::rpc::types::TransactionRequest;
use alloy::signers::local::PrivateKeySigner;
use std::future::IntoFuture;
use std::time::{Duration, Instant};

/// Anvil's first dev account key (public knowledge): used only for a local anvil.
pub const ANVIL_DEV_KEY: &str =
    "0xac0974bec39a17e36ba4a6b4d238ff944bacb478cbed5efcae784d7bf4f2ff80";

/// How long zero_g waits for the chain.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Timeouts {
    /// Each JSON-RPC request (`--rpc-timeout`).
    pub request: Duration,
    /// A sent transaction's receipt, polled until it is mined (`--receipt-timeout`).
    pub receipt: Duration,
}

/// The default wait for one JSON-RPC request: 30 s.
pub const DEFAULT_RPC_TIMEOUT: Duration = Duration::from_secs(30);

/// The default wait for a transaction to be mined: 120 s.
pub const DEFAULT_RECEIPT_TIMEOUT: Duration = Duration::from_secs(120);

impl Default for Timeouts {
    fn default() -> Self {
        Timeouts {
            request: DEFAULT_RPC_TIMEOUT,
            receipt: DEFAULT_RECEIPT_TIMEOUT,
        }
    }
}

/// A duration as `30 s` or `0.5 s`.
fn secs(d: Duration) -> String {
    let s = d.as_secs_f64();
    if s.fract() == 0.0 {
        format!("{s:.0} s")
    } else {
        format!("{s} s")
    }
}

/// The gas a transaction costs before it executes anything, below which no node mines it:
/// 21,000, plus 4 per zero and 16 per non-zero calldata byte (EIP-2028), plus, for a contract
/// creation, 32,000 and 2 per 32-byte word of init code (EIP-3860); and at least EIP-7623's
/// floor (Prague): 21,000 plus 10 per calldata token (a zero byte is 1 token, another byte 4).
pub fn intrinsic_gas(data: &[u8], create: bool) -> u64 {
    let zeros = data.iter().filter(|&&b| b == 0).count() as u64;
    let others = data.len() as u64 - zeros;
    let tokens = zeros + 4 * others;
    let mut standard = 21_000 + 4 * tokens;
    if create {
        standard += 32_000 + 2 * (data.len() as u64).div_ceil(32);
    }
    standard.max(21_000 + 10 * tokens)
}

/// The outcome of a mined transaction.
#[derive(Clone, Debug, serde::Serialize)]
pub struct Mined {
    /// Transaction hash.
    pub tx_hash: String,
    /// Block number.
    pub block: Option<u64>,
    /// Gas used.
    pub gas_used: u64,
    /// Whether it succeeded (receipt status 1).
    pub success: bool,
    /// Created contract, for deployments.
    pub contract: Option<String>,
    /// Price paid per unit of gas, in wei.
    pub effective_gas_price: u128,
    /// The logs the transaction emitted.
    #[serde(skip)]
    pub logs: Vec<Log>,
}

impl Mined {
    /// What the transaction cost its sender in gas fees, in wei.
    pub fn fee(&self) -> U256 {
        U256::from(self.gas_used) * U256::from(self.effective_gas_price)
    }
}

/// The outcome of an `eth_call`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum CallOutcome {
    /// The call returned this data.
    Returned(Vec<u8>),
    /// The call reverted, with the revert data when the node reports it.
    Reverted(Option<Vec<u8>>),
}

/// A connection to a chain, with a signer when transactions are sent.
#[derive(Debug)]
pub struct Chain {
    url: url::Url,
    rt: tokio::runtime::Runtime,
    provider: RootProvider,
    signer: Option<PrivateKeySigner>,
    timeouts: Timeouts,
    /// The chain id the node reports.
    pub chain_id: u64,
    /// The node's client version (e.g. `anvil/v1.7.1`).
    pub client: String,
}

impl Chain {
    /// Connects to `rpc_url` with the default [`Timeouts`] (read-only until
    /// [`Chain::with_signer`]).
    pub fn connect(rpc_url: &str) -> Result<Self, EvmError> {
        Self::connect_with(rpc_url, Timeouts::default())
    }

    /// Connects to `rpc_url` (read-only until [`Chain::with_signer`]): asks its chain id and
    /// client version, each within `timeouts.request`.
    pub fn connect_with(rpc_url: &str, timeouts: Timeouts) -> Result<Self, EvmError> {
        let url: url::Url = rpc_url
            .parse()
            .map_err(|e| EvmError::Chain(format!("invalid RPC URL `{rpc_url}`: {e}")))?;
        if timeouts.request.is_zero() || timeouts.receipt.is_zero() {
            return Err(EvmError::Chain("a timeout of 0 s waits for nothing".into()));
        }
        let rt = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .map_err(|e| EvmError::Chain(e.to_string()))?;
        let provider = rt.block_on(async {
            ProviderBuilder::new()
                .disable_recommended_fillers()
                .connect_http(url.clone())
        });
        let mut chain = Chain {
            url,
            rt,
            provider,
            signer: None,
            timeouts,
            chain_id: 0,
            client: String::new(),
        };
        chain.chain_id = chain
            .block_on(chain.within("eth_chainId", chain.provider.get_chain_id()))?
            .map_err(|e| {
                EvmError::Chain(format!("cannot reach the RPC endpoint {}: {e}", chain.url))
            })?;
        // a node may not implement web3_clientVersion; one that does not answer is stalled
        chain.client = chain
            .block_on(chain.within("web3_clientVersion", chain.provider.get_client_version()))?
            .unwrap_or_default();
        Ok(chain)
    }

    /// The endpoint's URL.
    pub fn url(&self) -> &url::Url {
        &self.url
    }

    /// The timeouts in force.
    pub fn timeouts(&self) -> Timeouts {
        self.timeouts
    }

    fn block_on<F: std::future::Future>(&self, f: F) -> F::Output {
        self.rt.block_on(f)
    }

    /// Awaits `call` (the JSON-RPC method `method`) for at most the request timeout.
    async fn within<F: IntoFuture>(&self, method: &str, call: F) -> Result<F::Output, EvmError> {
        tokio::time::timeout(self.timeouts.request, call.into_future())
            .await
            .map_err(|_| {
                EvmError::Timeout(format!(
                    "no answer to {method} from {} within {} (--rpc-timeout)",
                    self.url,
                    secs(self.timeouts.request)
                ))
            })
    }

    /// Awaits `call` for at most the request timeout; a transport or node error names it.
    async fn rpc<T, F>(&self, method: &str, call: F) -> Result<T, EvmError>
    where
        F: IntoFuture<Output = Result<T, alloy::transports::TransportError>>,
    {
        self.within(method, call)
            .await?
            .map_err(|e| EvmError::Chain(format!("{method} at {}: {e}", self.url)))
    }

    /// True when the endpoint is an anvil on this machine.
    pub fn is_local_anvil(&self) -> bool {
        let local = matches!(
            self.url.host_str(),
            Some("localhost" | "127.0.0.1" | "::1" | "[::1]")
        );
        local && self.client.to_ascii_lowercase().starts_with("anvil")
    }

    /// Chooses the signer: `key` if given, else anvil's dev key when the endpoint is a local
    /// anvil; otherwise an error.
    pub fn with_signer(mut self, key: Option<&str>) -> Result<Self, EvmError> {
        let key = match key {
            Some(k) => k.to_string(),
            None if self.is_local_anvil() => ANVIL_DEV_KEY.to_string(),
            None => {
                return Err(EvmError::Chain(format!(
                "{} is not a local anvil: give a signer with --private-key or ZERO_G_PRIVATE_KEY",
                self.url
            )))
            }
        };
        let signer: PrivateKeySigner = key
            .trim()
            .parse()
            .map_err(|_| EvmError::Chain("the private key is not a 32-byte hex key".into()))?;
        self.signer = Some(signer);
        Ok(self)
    }

    /// The signer's address.
    pub fn sender(&self) -> Option<Address> {
        self.signer.as_ref().map(|s| s.address())
    }

    /// Fills the nonce, fees and (when unset) the gas limit of `tx`, one bounded request each,
    /// signs it, sends it with `eth_sendRawTransaction` and polls its receipt.
    async fn send_async(&self, tx: TransactionRequest) -> Result<Mined, EvmError> {
        let signer = self
            .signer
            .clone()
            .ok_or_else(|| EvmError::Chain("no signer".into()))?;
        let from = signer.address();
        let mut tx = tx.with_from(from).with_chain_id(self.chain_id);
        let nonce = self
            .rpc(
                "eth_getTransactionCount",
                self.provider.get_transaction_count(from).pending(),
            )
            .await?;
        tx.set_nonce(nonce);
        match self
            .within("eth_feeHistory", self.provider.estimate_eip1559_fees())
            .await?
        {
            Ok(fees) => {
                tx.set_max_fee_per_gas(fees.max_fee_per_gas);
                tx.set_max_priority_fee_per_gas(fees.max_priority_fee_per_gas);
            }
            // no EIP-1559 on this chain: a legacy gas price
            Err(_) => {
                let price = self
                    .rpc("eth_gasPrice", self.provider.get_gas_price())
                    .await?;
                tx.set_gas_price(price);
            }
        }
        if tx.gas.is_none() {
            let gas = self
                .rpc("eth_estimateGas", self.provider.estimate_gas(tx.clone()))
                .await?;
            tx.set_gas_limit(gas);
        }
        let envelope = tx
            .build(&EthereumWallet::from(signer))
            .await
            .map_err(|e| EvmError::Chain(format!("signing the transaction: {e}")))?;
        let pending = self
            .rpc(
                "eth_sendRawTransaction",
                self.provider.send_raw_transaction(&envelope.encoded_2718()),
            )
            .await?;
        let hash = *pending.tx_hash();
        let deadline = Instant::now() + self.timeouts.receipt;
        let mut pause = Duration::from_millis(50);
        let receipt = loop {
            if let Some(r) = self
                .rpc(
                    "eth_getTransactionReceipt",
                    self.provider.get_transaction_receipt(hash),
                )
                .await?
            {
                break r;
            }
            let now = Instant::now();
            if now >= deadline {
                return Err(EvmError::Timeout(format!(
                    "transaction {hash:#x} was not mined within {} (--receipt-timeout) at {}; \
                     it may still be pending",
                    secs(self.timeouts.receipt),
                    self.url
                )));
            }
            tokio::time::sleep(pause.min(deadline - now)).await;
            pause = (pause * 2).min(Duration::from_secs(2));
        };
        Ok(Mined {
            tx_hash: format!("{:#x}", receipt.transaction_hash()),
            block: receipt.block_number(),
            gas_used: receipt.gas_used(),
            success: receipt.status(),
            contract: receipt.contract_address().map(|a| format!("{a:#x}")),
            effective_gas_price: receipt.effective_gas_price(),
            logs: receipt.logs().iter().map(|l| l.inner.clone()).collect(),
        })
    }

    /// Signs and sends `tx` from the signer and waits for its receipt (a reverted
    /// transaction is a [`Mined`] with `success: false`, not an error). A gas limit, when
    /// set, below the transaction's [`intrinsic_gas`] is refused before anything is sent.
    pub fn send(&self, tx: TransactionRequest) -> Result<Mined, EvmError> {
        if let Some(limit) = tx.gas {
            let data = tx.input.input().map(|d| d.as_ref()).unwrap_or_default();
            let create = tx.to.as_ref().is_none_or(|k| k.is_create());
            let need = intrinsic_gas(data, create);
            if limit < need {
                return Err(EvmError::Refused(format!(
                    "the gas limit {limit} is below the {need} gas that this transaction ({} \
                     bytes of calldata) costs before it runs (21,000 + calldata, EIP-2028 and \
                     EIP-7623): no node would mine it; raise the gas limit (--gas-limit)",
                    data.len()
                )));
            }
        }
        self.block_on(self.send_async(tx))
    }

    /// Deploys `creation` code and waits for the receipt.
    pub fn deploy(&self, creation: &[u8]) -> Result<Mined, EvmError> {
        self.deploy_with_value(creation, U256::ZERO)
    }

    /// Deploys `creation` code (constructor arguments appended) sending `value` wei with it,
    /// and waits for the receipt.
    pub fn deploy_with_value(&self, creation: &[u8], value: U256) -> Result<Mined, EvmError> {
        let mut tx =
            TransactionRequest::default().with_deploy_code(Bytes::copy_from_slice(creation));
        if !value.is_zero() {
            tx = tx.with_value(value);
        }
        let mined = self.send(tx)?;
        if !mined.success || mined.contract.is_none() {
            return Err(EvmError::Chain(format!(
                "the deployment transaction {} failed",
                mined.tx_hash
            )));
        }
        Ok(mined)
    }

    /// The code at `address` (empty when it is not a contract).
    pub fn code_at(&self, address: Address) -> Result<Vec<u8>, EvmError> {
        self.block_on(self.rpc("eth_getCode", self.provider.get_code_at(address)))
            .map(|b| b.to_vec())
    }

    /// Checks that the code at `address` hashes (Keccak-256, Solidity's `codehash`) to
    /// `expected`; `what` names the expected contract in the error
    /// ([`EvmError::WrongVerifier`]), e.g. "the verifier of key 341e…".
    pub fn expect_code(
        &self,
        address: Address,
        expected: B256,
        what: &str,
    ) -> Result<(), EvmError> {
        let code = self.code_at(address)?;
        if code.is_empty() {
            return Err(EvmError::WrongVerifier(format!(
                "there is no contract at {address} on chain {}",
                self.chain_id
            )));
        }
        let hash = keccak256(&code);
        if hash != expected {
            return Err(EvmError::WrongVerifier(format!(
                "the code at {address} on chain {} ({} bytes, code hash {hash:#x}) is not {what} \
                 (code hash {expected:#x})",
                self.chain_id,
                code.len()
            )));
        }
        Ok(())
    }

    /// Sends `calldata` to `to` with a fixed gas limit (so that a rejected proof is mined and
    /// reverts on chain rather than failing gas estimation) and returns the receipt. A gas
    /// limit below the intrinsic cost of the calldata is refused before sending.
    pub fn submit(&self, to: Address, calldata: &[u8], gas_limit: u64) -> Result<Mined, EvmError> {
        let tx = TransactionRequest::default()
            .with_to(to)
            .with_input(Bytes::copy_from_slice(calldata))
            .with_gas_limit(gas_limit);
        self.send(tx)
    }

    /// The balance of `address`, in wei.
    pub fn balance(&self, address: Address) -> Result<U256, EvmError> {
        self.block_on(self.rpc("eth_getBalance", self.provider.get_balance(address)))
    }

    /// `eth_call` of `tx` (from its `from`, if set) on the state after `block` (default: the
    /// latest block). A revert is an outcome, not an error.
    pub fn eth_call(
        &self,
        tx: TransactionRequest,
        block: Option<u64>,
    ) -> Result<CallOutcome, EvmError> {
        let call = self.provider.call(tx).block(match block {
            Some(n) => BlockId::number(n),
            None => BlockId::latest(),
        });
        match self.block_on(self.within("eth_call", call))? {
            Ok(out) => Ok(CallOutcome::Returned(out.to_vec())),
            Err(e) => match e.as_error_resp() {
                Some(resp) => Ok(CallOutcome::Reverted(
                    resp.as_revert_data().map(|d| d.to_vec()),
                )),
                None => Err(EvmError::Chain(format!("eth_call at {}: {e}", self.url))),
            },
        }
    }

    /// `eth_call`: `Ok(true)` if the call succeeds, `Ok(false)` if it reverts.
    pub fn call(&self, to: Address, calldata: &[u8]) -> Result<bool, EvmError> {
        let tx = TransactionRequest::default()
            .with_to(to)
            .with_input(Bytes::copy_from_slice(calldata));
        Ok(matches!(self.eth_call(tx, None)?, CallOutcome::Returned(_)))
    }
}

/// Parses a contract address (`0x` optional).
pub fn parse_address(s: &str) -> Result<Address, EvmError> {
    let t = s.trim();
    let t = if t.starts_with("0x") || t.starts_with("0X") {
        t.to_string()
    } else {
        format!("0x{t}")
    };
    t.parse()
        .map_err(|_| EvmError::Chain(format!("`{s}` is not a 20-byte hex address")))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn intrinsic_gas_counts_calldata_and_the_eip7623_floor() {
        assert_eq!(intrinsic_gas(&[], false), 21_000);
        // one zero and one other byte: 4 + 16 = 20 < the floor's 10 × (1 + 4) = 50
        assert_eq!(intrinsic_gas(&[0, 1], false), 21_050);
        // 2,752 bytes of a typical proof's calldata: the floor rules
        let data: Vec<u8> = (0..2752).map(|i| (i % 7) as u8).collect();
        let zeros = data.iter().filter(|&&b| b == 0).count() as u64;
        let tokens = zeros + 4 * (2752 - zeros);
        assert_eq!(intrinsic_gas(&data, false), 21_000 + 10 * tokens);
        // a creation: 32,000 and 2 per init-code word come on top of the standard cost
        let init = vec![0x60u8; 64];
        assert_eq!(
            intrinsic_gas(&init, true),
            21_000 + 16 * 64 + 32_000 + 2 * 2
        );
        assert_eq!(
            intrinsic_gas(&[0x60; 33], true),
            21_000 + 16 * 33 + 32_000 + 2 * 2
        );
    }

    #[test]
    fn durations_read_well() {
        assert_eq!(secs(Duration::from_secs(30)), "30 s");
        assert_eq!(secs(Duration::from_millis(1500)), "1.5 s");
    }

    #[test]
    fn a_zero_timeout_or_a_bad_url_is_refused_without_connecting() {
        let zero = Timeouts {
            request: Duration::ZERO,
            receipt: DEFAULT_RECEIPT_TIMEOUT,
        };
        let e = Chain::connect_with("http://127.0.0.1:1", zero).unwrap_err();
        assert!(e.to_string().contains("a timeout of 0 s"), "{e}");
        let e = Chain::connect("not a url").unwrap_err();
        assert!(e.to_string().contains("invalid RPC URL"), "{e}");
    }
}
