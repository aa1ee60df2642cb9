//! Following swaps on chain and doing what is due, from chain data alone (the LSP may be gone):
//! claiming a reverse lockup once it has its confirmations (never one smaller than agreed:
//! claiming reveals the preimage), and refunding every unclaimed submarine lockup once the
//! timeout is reached (a second or late lockup included).

use bitcoin::{Amount, OutPoint, Txid};

use super::record::{self, StoredSwap, SwapProgress};

/// Blocks after its timeout during which a completed submarine swap is still watched for a
/// further lockup to refund (one sent twice or late).
const LATE_LOCKUP_WATCH_BLOCKS: u32 = 1_008;

/// Whether `sync` has anything to look at for `swap` at `tip`.
fn watched(swap: &StoredSwap, tip: u32) -> bool {
    match (&swap.progress, swap.kind) {
        (SwapProgress::Open, _) => true,
        (SwapProgress::Completed { .. }, SwapKind::Submarine) => swap
            .script
            .as_ref()
            .is_some_and(|s| tip <= s.timeout_height().saturating_add(LATE_LOCKUP_WATCH_BLOCKS)),
        _ => false,
    }
}
use super::SwapClient;
use crate::chain::{ChainSource, ChainTx};
use crate::lsp::SwapKind;
use crate::store::Store;
use crate::swap::{
    build_claim_tx, build_refund_tx, claim_preimage, destination_script, outputs_paying, HtlcUtxo,
    SwapError, SwapScript,
};
use crate::timer::Timer;
use crate::transport::Transport;

/// One output paying a swap's address.
struct Lockup {
    outpoint: OutPoint,
    amount: Amount,
    confirmed_height: Option<u32>,
}

impl<T: Transport, M: Timer, C: ChainSource, S: Store> SwapClient<T, M, C, S> {
    /// Looks at swap `index` on chain and does what is due: claims a confirmed reverse lockup,
    /// refunds submarine lockups after the timeout, records what the LSP did. Returns how far
    /// the swap got.
    ///
    /// # Errors
    /// [`SwapError::UnknownSwap`]; chain, store and transaction-building failures (nothing is
    /// recorded that did not happen: call again).
    pub async fn sync(&self, index: u32) -> Result<SwapProgress, crate::Error> {
        let swap = self.swap(index).await?;
        let tip = self.chain.tip_height().await?;
        self.sync_at(swap, tip).await
    }

    /// [`SwapClient::sync`] of a loaded swap at chain tip `tip`.
    async fn sync_at(&self, mut swap: StoredSwap, tip: u32) -> Result<SwapProgress, crate::Error> {
        if !watched(&swap, tip) {
            return Ok(swap.progress);
        }
        let next = match swap.kind {
            SwapKind::Reverse => self.sync_reverse(&swap, tip).await?,
            SwapKind::Submarine => self.sync_submarine(&swap, tip).await?,
        };
        if next != swap.progress {
            swap.progress = next.clone();
            record::save(&self.store, &swap).await?;
        }
        Ok(next)
    }

    /// [`SwapClient::sync`] for every swap with something to look at (open ones, and completed
    /// submarine ones for a while: a further lockup is refunded); each swap's own result (one
    /// failing does not stop the others).
    ///
    /// # Errors
    /// The store cannot be read.
    pub async fn sync_all(
        &self,
    ) -> Result<Vec<(u32, Result<SwapProgress, crate::Error>)>, crate::Error> {
        let mut results = Vec::new();
        let swaps = record::load_all(&self.store).await?;
        if !swaps.iter().any(|s| s.progress == SwapProgress::Open)
            && !swaps.iter().any(|s| s.kind == SwapKind::Submarine)
        {
            return Ok(results);
        }
        let tip = self.chain.tip_height().await?;
        for swap in swaps {
            if watched(&swap, tip) {
                let index = swap.index;
                results.push((index, self.sync_at(swap, tip).await));
            }
        }
        Ok(results)
    }

    /// Every output paying the swap's address, oldest first.
    async fn lockups(
        &self,
        script: &SwapScript,
        address: &str,
    ) -> Result<Vec<Lockup>, crate::Error> {
        let mut txs: Vec<ChainTx> = self.chain.address_transactions(address).await?;
        txs.sort_by_key(|t| (t.confirmed_height.unwrap_or(u32::MAX), t.tx.compute_txid()));
        let script_pubkey = script.script_pubkey();
        Ok(txs
            .iter()
            .flat_map(|t| {
                outputs_paying(&t.tx, &script_pubkey)
                    .into_iter()
                    .map(|(outpoint, amount)| Lockup {
                        outpoint,
                        amount,
                        confirmed_height: t.confirmed_height,
                    })
            })
            .collect())
    }

    /// The fee rate for our claims and refunds.
    async fn spend_fee_rate(&self) -> Result<u64, crate::Error> {
        let estimate = self
            .chain
            .fee_rate_sat_per_vb(self.policy.fee_target_blocks)
            .await?;
        Ok(self.policy.fee_rate(estimate))
    }

    /// A reverse swap: claim the first lockup of at least the agreed amount once it has its
    /// confirmations; refuse a smaller one; expire at the timeout.
    async fn sync_reverse(
        &self,
        swap: &StoredSwap,
        tip: u32,
    ) -> Result<SwapProgress, crate::Error> {
        let (script, address) = swap.verified()?;
        let agreed = swap.onchain_amount_msat.as_u64() / 1_000;
        let lockups = self.lockups(script, address).await?;
        let Some(lockup) = lockups.iter().find(|l| l.amount.to_sat() >= agreed) else {
            if let Some(small) = lockups.first() {
                return Ok(SwapProgress::Refused {
                    reason: SwapError::LockupTooSmall {
                        expected_sat: agreed,
                        found_sat: small.amount.to_sat(),
                    }
                    .to_string(),
                });
            }
            return Ok(if tip >= script.timeout_height() {
                SwapProgress::Expired
            } else {
                SwapProgress::Open
            });
        };
        // Already claimed (by us, before a crash or from another device)?
        if let Some(spend) = self.chain.spender(lockup.outpoint).await? {
            if claim_preimage(&spend.tx, script).is_some() {
                return Ok(SwapProgress::Claimed {
                    txid: spend.tx.compute_txid().to_string(),
                });
            }
            // Refunded by the LSP after the timeout.
            return Ok(SwapProgress::Expired);
        }
        let confirmations = lockup
            .confirmed_height
            .map_or(0, |h| tip.saturating_sub(h).saturating_add(1));
        if confirmations < self.policy.reverse_min_confirmations.max(1) {
            return Ok(SwapProgress::Open);
        }
        let keys = self.rescue.derive_swap_keys(swap.index)?;
        let preimage = self.rescue.derive_preimage(swap.index)?;
        let destination = destination_script(&swap.destination_address, self.network())?;
        let htlc = HtlcUtxo {
            outpoint: lockup.outpoint,
            amount: lockup.amount,
            script: script.clone(),
        };
        let rate = self.spend_fee_rate().await?;
        let claim = build_claim_tx(&htlc, &preimage, keys.secret_key(), &destination, rate)?;
        let txid = self.chain.broadcast(&claim).await?;
        Ok(SwapProgress::Claimed {
            txid: txid.to_string(),
        })
    }

    /// A submarine swap: the LSP's claim (the preimage on chain) completes it; after the
    /// timeout every lockup still unspent is refunded.
    async fn sync_submarine(
        &self,
        swap: &StoredSwap,
        tip: u32,
    ) -> Result<SwapProgress, crate::Error> {
        let (script, address) = swap.verified()?;
        let lockups = self.lockups(script, address).await?;
        let mut claimed_by_server: Option<Txid> = None;
        let mut refunded = Vec::new();
        let mut unspent = Vec::new();
        for lockup in lockups {
            match self.chain.spender(lockup.outpoint).await? {
                Some(spend) if claim_preimage(&spend.tx, script).is_some() => {
                    claimed_by_server.get_or_insert(spend.tx.compute_txid());
                }
                Some(spend) => refunded.push(spend.tx.compute_txid()),
                None => unspent.push(lockup),
            }
        }
        if tip >= script.timeout_height() && !unspent.is_empty() {
            let keys = self.rescue.derive_swap_keys(swap.index)?;
            let destination = destination_script(&swap.destination_address, self.network())?;
            let rate = self.spend_fee_rate().await?;
            for lockup in &unspent {
                let htlc = HtlcUtxo {
                    outpoint: lockup.outpoint,
                    amount: lockup.amount,
                    script: script.clone(),
                };
                let refund = build_refund_tx(&htlc, keys.secret_key(), &destination, rate, tip)?;
                refunded.push(self.chain.broadcast(&refund).await?);
            }
            unspent.clear();
        }
        if !unspent.is_empty() {
            return Ok(SwapProgress::Open);
        }
        let txids = || refunded.iter().map(Txid::to_string).collect();
        Ok(match claimed_by_server {
            Some(txid) => SwapProgress::Completed {
                txid: txid.to_string(),
                refund_txids: txids(),
            },
            None if !refunded.is_empty() => SwapProgress::Refunded { txids: txids() },
            None => SwapProgress::Open,
        })
    }
}
