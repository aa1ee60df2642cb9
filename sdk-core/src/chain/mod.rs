//! What swaps need to know of the Bitcoin chain, behind one trait: the tip, the transactions of
//! an address, who spent an output, fee rates, and broadcasting. The SDK checks swaps against a
//! chain source of its own choosing, never against what the swap server says, so it can claim
//! and refund when the server lies or is gone.
//!
//! [`EsploraChain`] implements it over any [`crate::transport::Transport`] (reqwest natively,
//! `fetch` in browsers) against an Esplora REST API (Blockstream's and mempool.space's servers,
//! electrs, and the devnet's chain server).

mod error;
mod esplora;

pub use error::ChainError;
pub use esplora::{EsploraChain, DEFAULT_CHAIN_TIMEOUT};

use bitcoin::{OutPoint, Transaction, Txid};

use crate::platform::{BoxFuture, MaybeSend, MaybeSync};

/// A transaction as the chain holds it: the transaction and, once mined, its block height.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ChainTx {
    /// The transaction, witnesses included.
    pub tx: Transaction,
    /// The height of the block that holds it; `None` while in the mempool.
    pub confirmed_height: Option<u32>,
}

impl ChainTx {
    /// How many confirmations it has at tip `tip_height` (0 in the mempool).
    pub fn confirmations(&self, tip_height: u32) -> u32 {
        self.confirmed_height
            .map_or(0, |h| tip_height.saturating_sub(h).saturating_add(1))
    }
}

/// A view of the Bitcoin chain and its mempool.
pub trait ChainSource: MaybeSend + MaybeSync {
    /// The height of the best block.
    fn tip_height(&self) -> BoxFuture<'_, Result<u32, ChainError>>;

    /// Every transaction paying or spending `address`, mempool ones included (a swap address
    /// has a handful).
    fn address_transactions<'a>(
        &'a self,
        address: &'a str,
    ) -> BoxFuture<'a, Result<Vec<ChainTx>, ChainError>>;

    /// The transaction `txid`, `None` if the chain and mempool do not know it.
    fn transaction(&self, txid: Txid) -> BoxFuture<'_, Result<Option<ChainTx>, ChainError>>;

    /// The transaction spending `outpoint` (to read a claim's witness), `None` while unspent.
    fn spender(&self, outpoint: OutPoint) -> BoxFuture<'_, Result<Option<ChainTx>, ChainError>>;

    /// Broadcasts `tx`; its txid once the mempool accepted it (or already had it).
    fn broadcast<'a>(&'a self, tx: &'a Transaction) -> BoxFuture<'a, Result<Txid, ChainError>>;

    /// A fee rate, in sat/vB (at least 1), to confirm within `target_blocks` blocks.
    fn fee_rate_sat_per_vb(&self, target_blocks: u16) -> BoxFuture<'_, Result<u64, ChainError>>;
}
