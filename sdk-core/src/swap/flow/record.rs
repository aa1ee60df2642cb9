//! What the SDK keeps of each swap, in the application's [`Store`]: the swap's index (its keys
//! and preimage derive from the rescue key by index), the terms it verified, where its coins go,
//! and how far it got. The index is stored before the server is asked anything, so a crash at
//! any point leaves a swap the SDK can finish or refund.

use serde::{Deserialize, Serialize};

use super::super::{SwapError, SwapScript};
use crate::amount::Msat;
use crate::lsp::{PaymentHash, SwapKind};
use crate::store::{Store, StoreError};

/// The key holding the next unused swap index.
const NEXT_INDEX_KEY: &str = "swap/next_index";

/// The prefix of stored swaps' keys.
pub(super) const SWAP_KEY_PREFIX: &str = "swap/by_index/";

/// How far a swap got, as the SDK sees it on chain.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "state", rename_all = "snake_case")]
pub enum SwapProgress {
    /// The index is taken and the server was asked; its answer is not verified yet.
    Requested,
    /// Verified: waiting for the lockup (ours for a submarine swap, the server's for a
    /// reverse one), the server's claim, or the timeout.
    Open,
    /// Reverse: we claimed the lockup.
    Claimed {
        /// Our claim transaction.
        txid: String,
    },
    /// Submarine: the server claimed our lockup, revealing the preimage: the invoice is paid.
    Completed {
        /// The server's claim transaction.
        txid: String,
        /// Our refunds of any further lockup to the same address (sent twice, or late).
        refund_txids: Vec<String>,
    },
    /// Submarine: every lockup we made was refunded to us after the timeout (also a lockup made
    /// after the server had claimed the first one).
    Refunded {
        /// Our refund transactions.
        txids: Vec<String>,
    },
    /// The server's answer or lockup broke the agreement; nothing of ours was locked or
    /// revealed (a reverse swap's payment goes back to us when the server fails it).
    Refused {
        /// Why.
        reason: String,
    },
    /// Reverse: the timeout passed with no lockup we could claim; the payment goes back to us.
    Expired,
}

impl SwapProgress {
    /// Whether the SDK has nothing more to do for the swap.
    pub fn is_final(&self) -> bool {
        !matches!(self, SwapProgress::Requested | SwapProgress::Open)
    }
}

/// A swap as the SDK stores it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct StoredSwap {
    /// Its index: its keys and (reverse) preimage derive from the rescue key by it.
    pub index: u32,
    /// Submarine or reverse.
    pub kind: SwapKind,
    /// The server's id, once it answered.
    pub id: Option<String>,
    /// The payment hash.
    pub payment_hash: PaymentHash,
    /// Submarine: the invoice the server pays. Reverse: the server's hold invoice we pay.
    pub bolt11: String,
    /// The invoice's amount.
    pub invoice_amount_msat: Msat,
    /// What is locked on chain: ours to send (submarine) or the server's to claim (reverse).
    pub onchain_amount_msat: Msat,
    /// The verified HTLC script, once verified.
    pub script: Option<SwapScript>,
    /// The verified lockup address.
    pub lockup_address: Option<String>,
    /// Where our coins go: the refund address (submarine) or the claim address (reverse).
    pub destination_address: String,
    /// How far it got.
    pub progress: SwapProgress,
}

impl StoredSwap {
    /// The verified script and address, or the reason there are none.
    pub(super) fn verified(&self) -> Result<(&SwapScript, &str), SwapError> {
        match (&self.script, &self.lockup_address) {
            (Some(script), Some(address)) => Ok((script, address)),
            _ => Err(SwapError::ServerMismatch {
                field: "swap",
                expected: "a verified swap".into(),
                found: "a swap the server never confirmed".into(),
            }),
        }
    }
}

/// The store key of swap `index` (zero-padded: keys sort by index).
pub(super) fn swap_key(index: u32) -> String {
    format!("{SWAP_KEY_PREFIX}{index:010}")
}

fn corrupt(key: &str, reason: impl std::fmt::Display) -> StoreError {
    StoreError::Corrupt {
        key: key.to_owned(),
        reason: reason.to_string(),
    }
}

/// Takes the next swap index and stores that it is taken before anyone learns of it.
pub(super) async fn reserve_index(store: &dyn Store) -> Result<u32, StoreError> {
    let next = next_index(store).await?;
    let after = next
        .checked_add(1)
        .ok_or_else(|| corrupt(NEXT_INDEX_KEY, "no swap index left"))?;
    store
        .put(NEXT_INDEX_KEY, after.to_string().into_bytes())
        .await?;
    Ok(next)
}

/// The next unused index (0 for a new store).
pub(super) async fn next_index(store: &dyn Store) -> Result<u32, StoreError> {
    match store.get(NEXT_INDEX_KEY).await? {
        None => Ok(0),
        Some(bytes) => std::str::from_utf8(&bytes)
            .ok()
            .and_then(|t| t.parse().ok())
            .ok_or_else(|| corrupt(NEXT_INDEX_KEY, "not an index")),
    }
}

/// Raises the next index to at least `index + 1` (after a restore found swaps up to `index`).
pub(super) async fn bump_next_index(store: &dyn Store, index: u32) -> Result<(), StoreError> {
    let want = index.saturating_add(1);
    if next_index(store).await? < want {
        store
            .put(NEXT_INDEX_KEY, want.to_string().into_bytes())
            .await?;
    }
    Ok(())
}

/// Stores `swap` (durably: resolves once written).
pub(super) async fn save(store: &dyn Store, swap: &StoredSwap) -> Result<(), StoreError> {
    let key = swap_key(swap.index);
    let bytes = serde_json::to_vec(swap).map_err(|e| corrupt(&key, e))?;
    store.put(&key, bytes).await
}

/// The stored swap `index`, if any.
pub(super) async fn load(store: &dyn Store, index: u32) -> Result<Option<StoredSwap>, StoreError> {
    let key = swap_key(index);
    match store.get(&key).await? {
        None => Ok(None),
        Some(bytes) => serde_json::from_slice(&bytes)
            .map(Some)
            .map_err(|e| corrupt(&key, e)),
    }
}

/// Every stored swap, by index.
pub(super) async fn load_all(store: &dyn Store) -> Result<Vec<StoredSwap>, StoreError> {
    let mut swaps = Vec::new();
    for key in store.keys(SWAP_KEY_PREFIX).await? {
        let Some(bytes) = store.get(&key).await? else {
            continue;
        };
        swaps.push(serde_json::from_slice(&bytes).map_err(|e| corrupt(&key, e))?);
    }
    Ok(swaps)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::store::MemoryStore;

    fn run<F: std::future::Future>(f: F) -> F::Output {
        pollster::block_on(f)
    }

    #[test]
    fn indexes_are_taken_once_and_survive_in_the_store() {
        let store = MemoryStore::new();
        assert_eq!(run(reserve_index(&store)).unwrap(), 0);
        assert_eq!(run(reserve_index(&store)).unwrap(), 1);
        run(bump_next_index(&store, 7)).unwrap();
        assert_eq!(run(reserve_index(&store)).unwrap(), 8);
        run(bump_next_index(&store, 2)).unwrap();
        assert_eq!(run(next_index(&store)).unwrap(), 9);
        assert_eq!(swap_key(12), "swap/by_index/0000000012");
    }
}
