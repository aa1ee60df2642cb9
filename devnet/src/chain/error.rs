//! The chain server's error type: rejections carry bitcoind's RPC error code and reject reason.

use std::net::SocketAddr;

/// bitcoind's `RPC_VERIFY_ERROR`: general error during transaction submission (missing inputs).
pub(crate) const RPC_VERIFY_ERROR: i32 = -25;
/// bitcoind's `RPC_VERIFY_REJECTED`: the transaction was rejected by network rules.
pub(crate) const RPC_VERIFY_REJECTED: i32 = -26;
/// bitcoind's `RPC_VERIFY_ALREADY_IN_CHAIN`: the transaction is already confirmed.
pub(crate) const RPC_VERIFY_ALREADY_IN_CHAIN: i32 = -27;
/// bitcoind's `RPC_DESERIALIZATION_ERROR`: the transaction bytes do not decode.
pub(crate) const RPC_DESERIALIZATION_ERROR: i32 = -22;
/// bitcoind's `RPC_INVALID_ADDRESS_OR_KEY`: unknown block, transaction or bad address.
pub(crate) const RPC_INVALID_ADDRESS_OR_KEY: i32 = -5;
/// bitcoind's `RPC_INVALID_PARAMETER`: a parameter is out of range or malformed.
pub(crate) const RPC_INVALID_PARAMETER: i32 = -8;
/// bitcoind's `RPC_WALLET_INSUFFICIENT_FUNDS`, used by the faucet.
pub(crate) const RPC_WALLET_INSUFFICIENT_FUNDS: i32 = -6;

/// Everything the chain server can refuse or fail at.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum ChainError {
    /// The mempool refused a transaction. `code` is bitcoind's RPC error code (-22, -25, -26 or
    /// -27) and `reason` its reject reason, e.g. `txn-mempool-conflict` or
    /// `bad-txns-inputs-missingorspent`, possibly followed by `, details`.
    #[error("transaction rejected ({code}): {reason}")]
    Rejected {
        /// bitcoind's RPC error code.
        code: i32,
        /// bitcoind's reject reason and details.
        reason: String,
    },
    /// An address given to `mine` or `fund` is not a regtest address.
    #[error("address {address} is not a regtest address")]
    WrongNetwork {
        /// The address as text.
        address: String,
    },
    /// A faucet payment was asked for zero satoshis or less than the dust limit.
    #[error("faucet amount {amount_sat} sat is below the minimum of {min_sat} sat")]
    AmountTooSmall {
        /// The requested amount.
        amount_sat: u64,
        /// The smallest amount the faucet sends.
        min_sat: u64,
    },
    /// The faucet's mature coins do not cover a payment and its fee.
    #[error("faucet has {available_sat} sat spendable, {needed_sat} sat needed; mine more blocks")]
    FaucetInsufficientFunds {
        /// Amount plus fee.
        needed_sat: u64,
        /// What the faucet can spend now (mature coinbases, change, unconfirmed change).
        available_sat: u64,
    },
    /// A listening socket could not be bound at start.
    #[error("cannot listen on {addr}: {reason}")]
    Bind {
        /// The address from the configuration.
        addr: SocketAddr,
        /// The operating system's error text.
        reason: String,
    },
    /// Reading or writing the block file in `data_dir` failed.
    #[error("block store {path}: {reason}")]
    Storage {
        /// The file or directory.
        path: String,
        /// The operating system's error text.
        reason: String,
    },
    /// The block file holds a block that does not extend the chain replayed so far.
    #[error("block store is corrupt at height {height}: {reason}")]
    CorruptStore {
        /// Height the bad block would have had.
        height: u32,
        /// What is wrong with it.
        reason: String,
    },
    /// An amount sum overflowed (more than 21 million BTC).
    #[error("amount overflow")]
    AmountOverflow,
}

impl ChainError {
    /// A stable snake_case code for this error, prefixed `chain_`.
    pub fn code(&self) -> &'static str {
        match self {
            ChainError::Rejected { .. } => "chain_tx_rejected",
            ChainError::WrongNetwork { .. } => "chain_wrong_network",
            ChainError::AmountTooSmall { .. } => "chain_amount_too_small",
            ChainError::FaucetInsufficientFunds { .. } => "chain_faucet_insufficient_funds",
            ChainError::Bind { .. } => "chain_bind_failed",
            ChainError::Storage { .. } => "chain_storage_failed",
            ChainError::CorruptStore { .. } => "chain_store_corrupt",
            ChainError::AmountOverflow => "chain_amount_overflow",
        }
    }

    /// A `Rejected` error with a bitcoind code and reason.
    pub(crate) fn rejected(code: i32, reason: impl Into<String>) -> Self {
        ChainError::Rejected {
            code,
            reason: reason.into(),
        }
    }

    /// The bitcoind RPC error code and message this error maps to.
    pub(crate) fn rpc_error(&self) -> (i32, String) {
        match self {
            ChainError::Rejected { code, reason } => (*code, reason.clone()),
            ChainError::WrongNetwork { .. } => {
                (RPC_INVALID_ADDRESS_OR_KEY, "Error: Invalid address".into())
            }
            ChainError::AmountTooSmall { .. } => (RPC_INVALID_PARAMETER, self.to_string()),
            ChainError::FaucetInsufficientFunds { .. } => {
                (RPC_WALLET_INSUFFICIENT_FUNDS, "Insufficient funds".into())
            }
            _ => (-1, self.to_string()),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_are_prefixed_and_rejections_keep_bitcoind_codes() {
        let e = ChainError::rejected(-26, "txn-mempool-conflict");
        assert_eq!(e.code(), "chain_tx_rejected");
        assert_eq!(e.rpc_error(), (-26, "txn-mempool-conflict".to_string()));
        assert_eq!(ChainError::AmountOverflow.code(), "chain_amount_overflow");
        assert!(e.to_string().contains("txn-mempool-conflict"));
    }
}
