//! Talking to an EVM chain over JSON-RPC (alloy): deploy a contract, send a transaction and
//! check its receipt, or call a contract with a free `eth_call`.
//!
//! Nothing here starts a chain: commands talk to the chain at the URL they are given, so a
//! contract deployed by one command is there for the next.

use super::EvmError;
use alloy::eips::BlockId;
use alloy::network::{EthereumWallet, ReceiptResponse, TransactionBuilder};
use alloy::primitives::{Address, Bytes, Log, U256};
use alloy::providers::{Provider, ProviderBuilder};
use alloy::rpc::types::TransactionRequest;
use alloy::signers::local::PrivateKeySigner;
use std::future::IntoFuture;
use std::time::Duration;

/// Anvil's first dev account key (public knowledge): used only for a local anvil.
pub const ANVIL_DEV_KEY: &str =
    "0xac0974bec39a17e36ba4a6b4d238ff944bacb478cbed5efcae784d7bf4f2ff80";

/// How long to wait for a receipt.
pub const RECEIPT_TIMEOUT: Duration = Duration::from_secs(120);

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
    signer: Option<PrivateKeySigner>,
    /// The chain id the node reports.
    pub chain_id: u64,
    /// The node's client version (e.g. `anvil/v1.7.1`).
    pub client: String,
}

fn chain_err(
    what: &str,
    url: &url::Url,
) -> impl FnOnce(alloy::transports::TransportError) -> EvmError {
    let (what, url) = (what.to_string(), url.clone());
    move |e| EvmError::Chain(format!("{what} at {url}: {e}"))
}

impl Chain {
    /// Connects to `rpc_url` (read-only until [`Chain::with_signer`]).
    pub fn connect(rpc_url: &str) -> Result<Self, EvmError> {
        let url: url::Url = rpc_url
            .parse()
            .map_err(|e| EvmError::Chain(format!("invalid RPC URL `{rpc_url}`: {e}")))?;
        let rt = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .map_err(|e| EvmError::Chain(e.to_string()))?;
        let provider = ProviderBuilder::new().connect_http(url.clone());
        let (chain_id, client) = rt.block_on(async {
            let id = tokio::time::timeout(Duration::from_secs(20), provider.get_chain_id())
                .await
                .map_err(|_| {
                    EvmError::Chain(format!("no answer from the RPC endpoint {url} within 20 s"))
                })?
                .map_err(|e| {
                    EvmError::Chain(format!("cannot reach the RPC endpoint {url}: {e}"))
                })?;
            let client = provider.get_client_version().await.unwrap_or_default();
            Ok::<_, EvmError>((id, client))
        })?;
        Ok(Chain {
            url,
            rt,
            signer: None,
            chain_id,
            client,
        })
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

    async fn send_async(&self, tx: TransactionRequest) -> Result<Mined, EvmError> {
        let signer = self
            .signer
            .clone()
            .ok_or_else(|| EvmError::Chain("no signer".into()))?;
        let provider = ProviderBuilder::new()
            .wallet(EthereumWallet::from(signer))
            .connect_http(self.url.clone());
        let pending = provider
            .send_transaction(tx)
            .await
            .map_err(chain_err("sending the transaction", &self.url))?;
        let receipt = tokio::time::timeout(RECEIPT_TIMEOUT, pending.get_receipt())
            .await
            .map_err(|_| EvmError::Chain("no receipt within 120 s".into()))?
            .map_err(|e| EvmError::Chain(format!("waiting for the receipt: {e}")))?;
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
    /// transaction is a [`Mined`] with `success: false`, not an error).
    pub fn send(&self, tx: TransactionRequest) -> Result<Mined, EvmError> {
        self.rt.block_on(self.send_async(tx))
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
        let provider = ProviderBuilder::new().connect_http(self.url.clone());
        self.rt
            .block_on(provider.get_code_at(address).into_future())
            .map(|b| b.to_vec())
            .map_err(chain_err("reading the code", &self.url))
    }

    /// Sends `calldata` to `to` with a fixed gas limit (so that a rejected proof is mined and
    /// reverts on chain rather than failing gas estimation) and returns the receipt.
    pub fn submit(&self, to: Address, calldata: &[u8], gas_limit: u64) -> Result<Mined, EvmError> {
        let tx = TransactionRequest::default()
            .with_to(to)
            .with_input(Bytes::copy_from_slice(calldata))
            .with_gas_limit(gas_limit);
        self.send(tx)
    }

    /// The balance of `address`, in wei.
    pub fn balance(&self, address: Address) -> Result<U256, EvmError> {
        let provider = ProviderBuilder::new().connect_http(self.url.clone());
        self.rt
            .block_on(provider.get_balance(address).into_future())
            .map_err(chain_err("reading a balance", &self.url))
    }

    /// `eth_call` of `tx` (from its `from`, if set) on the state after `block` (default: the
    /// latest block). A revert is an outcome, not an error.
    pub fn eth_call(
        &self,
        tx: TransactionRequest,
        block: Option<u64>,
    ) -> Result<CallOutcome, EvmError> {
        let provider = ProviderBuilder::new().connect_http(self.url.clone());
        let call = provider.call(tx).block(match block {
            Some(n) => BlockId::number(n),
            None => BlockId::latest(),
        });
        match self.rt.block_on(call.into_future()) {
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
