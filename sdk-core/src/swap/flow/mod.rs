//! Swaps with an LSP, end to end, written once for every runtime: [`SwapClient`] drives the
//! swap primitives of [`crate::swap`] over the LSP API ([`LspClient`]), a chain source of the
//! application's choosing ([`ChainSource`]) and durable storage ([`Store`]), and trusts the
//! LSP with nothing it could steal:
//!
//! - keys and preimages derive from the application's [`RescueKey`] by index, and the index is
//!   stored before the LSP is asked anything, so the rescue key and the store (or, with the LSP
//!   still up, the rescue key alone: [`SwapClient::restore`]) recover every swap;
//! - the script, address, payment hash, amounts and fees the LSP answers are rebuilt or
//!   recomputed here and any difference refuses the swap before money moves; the timeout must
//!   fit the [`SwapPolicy`] measured from *our* chain tip;
//! - claims and refunds are built, signed and broadcast here from chain data alone: with the
//!   LSP gone, [`SwapClient::sync`] still claims a reverse lockup or refunds a submarine one.
//!
//! A submarine swap (on-chain → Lightning): [`SwapClient::create_submarine`] answers the
//! address and amount to lock; the application sends them from its wallet; the LSP pays the
//! invoice once the lockup confirms and claims it. A reverse swap (Lightning → on-chain):
//! [`SwapClient::create_reverse`] answers the hold invoice to pay (from an LSP account or any
//! wallet); [`SwapClient::sync`] claims the lockup once it confirms. Call `sync` (or
//! [`SwapClient::sync_all`]) whenever convenient (a timer, an app start): each call looks at
//! the chain and does what is due.

mod create;
mod policy;
mod record;
mod restore;
mod sync;

#[cfg(test)]
mod tests;

pub use policy::SwapPolicy;
pub use record::{StoredSwap, SwapProgress};
pub use restore::RESTORE_GAP;

use super::RescueKey;
use crate::chain::ChainSource;
use crate::lsp::LspClient;
use crate::network::Network;
use crate::store::Store;
use crate::timer::Timer;
use crate::transport::Transport;

/// A submarine swap ready for its lockup: send exactly `lockup_amount_sat` to `lockup_address`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SubmarineSwap {
    /// The swap's index (its refund key's).
    pub index: u32,
    /// The LSP's id of the swap.
    pub id: String,
    /// Where to lock: the verified P2WSH address of the HTLC.
    pub lockup_address: String,
    /// What to lock, sats: the invoice, the service fee and the LSP's claim fee, recomputed.
    pub lockup_amount_sat: u64,
    /// From this height the lockup may be refunded if the LSP has not claimed it.
    pub timeout_height: u32,
}

/// A reverse swap ready for its payment: pay `bolt11`; the lockup then comes on chain.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReverseSwap {
    /// The swap's index (its claim key's and preimage's).
    pub index: u32,
    /// The LSP's id of the swap.
    pub id: String,
    /// The LSP's hold invoice, verified: our payment hash, the amount recomputed, the LSP's node.
    pub bolt11: String,
    /// What the invoice asks.
    pub invoice_amount_msat: crate::amount::Msat,
    /// What the LSP locks for us, sats (our claim's miner fee comes out of it).
    pub onchain_amount_sat: u64,
    /// Claim before this height: from it the LSP may refund its lockup.
    pub timeout_height: u32,
}

/// Swaps with one LSP. Creating swaps takes `&mut self`, so two never take one index.
pub struct SwapClient<T: Transport, M: Timer, C: ChainSource, S: Store> {
    lsp: LspClient<T, M>,
    chain: C,
    store: S,
    rescue: RescueKey,
    policy: SwapPolicy,
}

impl<T: Transport, M: Timer, C: ChainSource, S: Store> std::fmt::Debug for SwapClient<T, M, C, S> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SwapClient")
            .field("base_url", &self.lsp.config().base_url)
            .field("policy", &self.policy)
            .finish_non_exhaustive()
    }
}

impl<T: Transport, M: Timer, C: ChainSource, S: Store> SwapClient<T, M, C, S> {
    /// Swaps through `lsp`, checked against `chain`, kept in `store`, with keys from `rescue`.
    /// Keep the rescue key as safe as a wallet seed: it alone can claim and refund.
    pub fn new(lsp: LspClient<T, M>, chain: C, store: S, rescue: RescueKey) -> Self {
        SwapClient {
            lsp,
            chain,
            store,
            rescue,
            policy: SwapPolicy::default(),
        }
    }

    /// The same client with other bounds.
    pub fn with_policy(mut self, policy: SwapPolicy) -> Self {
        self.policy = policy;
        self
    }

    /// The bounds in force.
    pub fn policy(&self) -> &SwapPolicy {
        &self.policy
    }

    /// The store the swaps are kept in.
    pub fn store(&self) -> &S {
        &self.store
    }

    /// The chain the swaps are checked against.
    pub fn chain(&self) -> &C {
        &self.chain
    }

    fn network(&self) -> Network {
        self.lsp.config().network
    }

    /// The stored swap `index`.
    ///
    /// # Errors
    /// [`crate::Error::Store`]; [`super::SwapError::UnknownSwap`].
    pub async fn swap(&self, index: u32) -> Result<StoredSwap, crate::Error> {
        record::load(&self.store, index)
            .await?
            .ok_or_else(|| super::SwapError::UnknownSwap { index }.into())
    }

    /// Every stored swap, by index.
    ///
    /// # Errors
    /// [`crate::Error::Store`].
    pub async fn swaps(&self) -> Result<Vec<StoredSwap>, crate::Error> {
        Ok(record::load_all(&self.store).await?)
    }
}
