//! Reverse swaps, stepped by the swap watcher and the node's events: the user's payment held
//! (checked against the swap's timeout), the lockup sent once, the user's claim read from the
//! chain (its witness reveals the preimage) and the payment settled with it; or, never claimed,
//! the lockup refunded after the timeout and the payment failed back once the refund confirms.
//!
//! The lockup is the one step that cannot be made idempotent by the node (`send_to_address`
//! broadcasts before it returns the txid), so the swap records that it started sending before
//! it calls it, and after a restart looks for the lockup on chain instead of sending again.

use std::collections::HashSet;

use bitcoin::Amount;
use etrid_core::chain::ChainSource;
use etrid_core::lsp::{PaymentHash as WireHash, SwapKind, SwapStatus};
use etrid_core::swap::{self, HtlcUtxo, SwapScript};
use ldk_node::lightning_types::payment::{PaymentHash, PaymentPreimage};

use super::swap_watcher::{
    broadcast, chain_error, first_lockup, lockup_change, recorded_lockup, script_of, stored_spend,
    wire_txid,
};
use super::swaps::{SwapServices, REVERSE_REFUND_BLOCKS};
use super::Engine;
use crate::error::ServerError;
use crate::node::blocking;
use crate::store::{SwapChange, SwapRecord};
use crate::time::now_secs;

/// Seconds after the lockup was started, with no lockup found on chain, before a restarted
/// server gives up on it and fails the payment back.
const LOCKUP_GRACE_SECS: u64 = 120;

/// The fewest blocks the user must have between the lockup and the timeout to claim.
const MIN_CLAIM_WINDOW_BLOCKS: u32 = 6;

/// The confirmation target of the server's refunds, blocks.
const REFUND_TARGET_BLOCKS: u16 = 2;

/// The swaps whose payment this process has claimed already (so a claimed swap waiting for the
/// node's `PaymentReceived` is not claimed again every round).
#[derive(Debug, Default)]
pub(super) struct ClaimsMade(HashSet<String>);

impl Engine {
    /// One step of a reverse swap.
    pub(super) async fn step_reverse(
        &self,
        s: &SwapServices,
        rec: &SwapRecord,
        tip: u32,
        claims: &mut ClaimsMade,
    ) -> Result<Option<SwapRecord>, ServerError> {
        let script = script_of(rec)?;
        match rec.swap.status {
            SwapStatus::Created => {
                let expires_at = rec
                    .swap
                    .created_at
                    .saturating_add(u64::from(super::swaps::REVERSE_INVOICE_EXPIRY_SECS));
                if now_secs() < expires_at {
                    return Ok(None);
                }
                let change = SwapChange {
                    failure_reason: Some("the invoice was not paid in time".into()),
                    ..Self::to(SwapStatus::Expired)
                };
                self.swap_step(rec, change).await
            }
            SwapStatus::HtlcHeld => self.lock_reverse(s, rec, &script, tip).await,
            SwapStatus::LockupBroadcast | SwapStatus::LockupConfirmed => {
                self.watch_reverse_lockup(s, rec, &script, tip).await
            }
            SwapStatus::Claimed => {
                if claims.0.insert(rec.swap.id.clone()) {
                    self.claim_reverse_payment(rec).await?;
                }
                Ok(None)
            }
            _ => Ok(None),
        }
    }

    /// Sends the lockup of a held reverse swap, once; after a restart, finds it on chain.
    async fn lock_reverse(
        &self,
        s: &SwapServices,
        rec: &SwapRecord,
        script: &SwapScript,
        tip: u32,
    ) -> Result<Option<SwapRecord>, ServerError> {
        if let Some(started) = rec.lockup_requested_at {
            if let Some((outpoint, amount, height)) = first_lockup(s, rec, script).await? {
                return self.lockup_sent(rec, outpoint, amount, height).await;
            }
            if now_secs() < started.saturating_add(LOCKUP_GRACE_SECS) {
                return Ok(None);
            }
            return self
                .fail_reverse(
                    rec,
                    SwapStatus::LockupFailed,
                    "the lockup was never seen on chain",
                )
                .await;
        }
        if tip.saturating_add(MIN_CLAIM_WINDOW_BLOCKS) >= rec.swap.timeout_height {
            return self
                .fail_reverse(
                    rec,
                    SwapStatus::LockupFailed,
                    "too late to lock: the timeout is near",
                )
                .await;
        }
        let started = SwapChange {
            lockup_requested_at: Some(now_secs()),
            ..SwapChange::default()
        };
        let Some(rec) = self.swap_step(rec, started).await? else {
            return Ok(None);
        };
        let address = script.address(self.config.network);
        let sat = rec.swap.onchain_amount_msat.as_u64() / 1_000;
        let sent = blocking(&self.node, move |node| {
            node.onchain_payment().send_to_address(&address, sat, None)
        })
        .await?;
        let txid = match sent {
            Ok(txid) => txid,
            Err(e) => {
                // Nothing was broadcast (the wallet refused before signing).
                return self
                    .fail_reverse(
                        &rec,
                        SwapStatus::LockupFailed,
                        &format!("the lockup could not be sent: {e}"),
                    )
                    .await;
            }
        };
        tracing::info!(swap = %rec.swap.id, %txid, sat, "reverse swap lockup sent");
        // Its output, from the chain source (the next round finds it if it is not there yet).
        if let Some(chain_tx) = s
            .chain
            .transaction(txid)
            .await
            .map_err(|e| chain_error("lockup transaction", e))?
        {
            let script_pubkey = script.script_pubkey();
            if let Some((outpoint, amount)) = swap::outputs_paying(&chain_tx.tx, &script_pubkey)
                .into_iter()
                .next()
            {
                return self
                    .lockup_sent(&rec, outpoint, amount, chain_tx.confirmed_height)
                    .await;
            }
        }
        Ok(Some(rec))
    }

    /// Records a reverse swap's lockup as broadcast.
    async fn lockup_sent(
        &self,
        rec: &SwapRecord,
        outpoint: bitcoin::OutPoint,
        amount: Amount,
        height: Option<u32>,
    ) -> Result<Option<SwapRecord>, ServerError> {
        let change = SwapChange {
            status: Some(SwapStatus::LockupBroadcast),
            ..lockup_change(outpoint, amount, height)?
        };
        self.swap_step(rec, change).await
    }

    /// Follows a reverse lockup: confirmed; claimed by the user (the preimage read from the
    /// claim's witness, then the payment claimed); or, past the timeout, refunded.
    async fn watch_reverse_lockup(
        &self,
        s: &SwapServices,
        rec: &SwapRecord,
        script: &SwapScript,
        tip: u32,
    ) -> Result<Option<SwapRecord>, ServerError> {
        let (outpoint, amount) = recorded_lockup(rec)
            .ok_or_else(|| ServerError::node("reverse swap", "no lockup recorded"))?;
        let spender = s
            .chain
            .spender(outpoint)
            .await
            .map_err(|e| chain_error("lockup spender", e))?;
        if let Some(spend) = spender {
            let spend_txid = spend.tx.compute_txid();
            if let Some(preimage) = swap::claim_preimage(&spend.tx, script) {
                let change = SwapChange {
                    preimage: Some(etrid_core::lsp::Preimage::from_bytes(*preimage.as_bytes())),
                    claim_txid: Some(wire_txid(spend_txid)?),
                    ..Self::to(SwapStatus::Claimed)
                };
                return self.swap_step(rec, change).await;
            }
            // Our refund: once it confirms, the payment goes back to the user.
            if spend.confirmations(tip) >= 1 {
                let change = SwapChange {
                    refund_txid: Some(wire_txid(spend_txid)?),
                    failure_reason: Some("the lockup was not claimed before the timeout".into()),
                    ..Self::to(SwapStatus::Refunded)
                };
                let next = self.swap_step(rec, change).await?;
                if next.is_some() {
                    self.fail_htlcs(&rec.swap.payment_hash).await;
                }
                return Ok(next);
            }
            return Ok(None);
        }
        if rec.swap.status == SwapStatus::LockupBroadcast {
            let confirmed = s
                .chain
                .transaction(outpoint.txid)
                .await
                .map_err(|e| chain_error("lockup transaction", e))?
                .is_some_and(|t| t.confirmations(tip) >= 1);
            if confirmed {
                return self
                    .swap_step(rec, Self::to(SwapStatus::LockupConfirmed))
                    .await;
            }
        }
        if tip < rec.swap.timeout_height {
            return Ok(None);
        }
        self.refund_reverse(s, rec, script, outpoint, amount, tip)
            .await
    }

    /// Refunds an unclaimed reverse lockup to the node's wallet (built once, stored, then
    /// broadcast, again each round until it is mined).
    async fn refund_reverse(
        &self,
        s: &SwapServices,
        rec: &SwapRecord,
        script: &SwapScript,
        outpoint: bitcoin::OutPoint,
        amount: Amount,
        tip: u32,
    ) -> Result<Option<SwapRecord>, ServerError> {
        let tx = match &rec.spend_tx {
            Some(hex) => stored_spend(hex)?,
            None => {
                let keys = s.keys.keys(rec.key_index)?;
                let destination = self.wallet_script().await?;
                let rate = s
                    .chain
                    .fee_rate_sat_per_vb(REFUND_TARGET_BLOCKS)
                    .await
                    .map_err(|e| chain_error("fee rate", e))?;
                let htlc = HtlcUtxo {
                    outpoint,
                    amount,
                    script: script.clone(),
                };
                let tx = swap::build_refund_tx(&htlc, keys.secret_key(), &destination, rate, tip)
                    .map_err(|e| ServerError::node("swap refund", e))?;
                let change = SwapChange {
                    spend_tx: Some(bitcoin::consensus::encode::serialize_hex(&tx)),
                    refund_txid: Some(wire_txid(tx.compute_txid())?),
                    ..SwapChange::default()
                };
                if self.swap_step(rec, change).await?.is_none() {
                    return Ok(None);
                }
                tx
            }
        };
        broadcast(s, &tx).await?;
        Ok(None)
    }

    /// Fails a reverse swap's held payment back and records why.
    async fn fail_reverse(
        &self,
        rec: &SwapRecord,
        status: SwapStatus,
        reason: &str,
    ) -> Result<Option<SwapRecord>, ServerError> {
        let change = SwapChange {
            failure_reason: Some(reason.to_owned()),
            ..Self::to(status)
        };
        let next = self.swap_step(rec, change).await?;
        if next.is_some() {
            self.fail_htlcs(&rec.swap.payment_hash).await;
        }
        Ok(next)
    }

    /// Claims the held payment of a claimed reverse swap with the preimage from the user's
    /// claim (the node then reports it received: `settled`).
    async fn claim_reverse_payment(&self, rec: &SwapRecord) -> Result<(), ServerError> {
        let preimage = rec
            .preimage
            .ok_or_else(|| ServerError::node("reverse swap", "claimed without a preimage"))?;
        let claimable = rec
            .claimable_msat
            .unwrap_or(rec.swap.invoice_amount_msat.as_u64());
        let hash = PaymentHash(rec.swap.payment_hash.to_bytes());
        let claimed = blocking(&self.node, move |node| {
            node.bolt11_payment().claim_for_hash(
                hash,
                claimable,
                PaymentPreimage(preimage.to_bytes()),
            )
        })
        .await?;
        if let Err(e) = claimed {
            tracing::warn!(swap = %rec.swap.id, error = %e, "claiming a reverse swap's payment failed");
        }
        Ok(())
    }

    /// A payment arrived for `hash`: when it pays a reverse swap, holds it (if it pays enough
    /// and stays claimable long enough past the swap's timeout) or gives it back. Returns
    /// whether the hash was a reverse swap's.
    pub(super) async fn on_swap_claimable(
        &self,
        hash: &WireHash,
        amount_msat: u64,
        deadline: Option<u32>,
    ) -> Result<bool, ServerError> {
        let Some(rec) = self.store.swap_by_hash(SwapKind::Reverse, hash).await? else {
            return Ok(false);
        };
        match rec.swap.status {
            SwapStatus::Created => {
                let margin = self.config.hold_cancel_margin_blocks;
                let latest_refund = rec
                    .swap
                    .timeout_height
                    .saturating_add(REVERSE_REFUND_BLOCKS)
                    .saturating_add(margin);
                let problem = if amount_msat < rec.swap.invoice_amount_msat.as_u64() {
                    Some(format!(
                        "a payment of {amount_msat} msat, below the {} msat asked",
                        rec.swap.invoice_amount_msat.as_u64()
                    ))
                } else {
                    match deadline {
                        None => Some("a payment with no claim deadline".to_owned()),
                        Some(d) if d < latest_refund => Some(format!(
                            "a payment claimable only until block {d}, before the lockup could be refunded (block {latest_refund})"
                        )),
                        Some(_) => None,
                    }
                };
                if let Some(problem) = problem {
                    tracing::warn!(swap = %rec.swap.id, %problem, "reverse swap payment refused; failing it back");
                    self.fail_htlcs(hash).await;
                    let change = SwapChange {
                        failure_reason: Some(format!("refused {problem}; pay the invoice again")),
                        ..SwapChange::default()
                    };
                    self.swap_step(&rec, change).await?;
                    return Ok(true);
                }
                let change = SwapChange {
                    held: deadline.map(|d| (amount_msat, d)),
                    ..Self::to(SwapStatus::HtlcHeld)
                };
                self.swap_step(&rec, change).await?;
                if let Some(s) = &self.swaps {
                    s.wake.notify_one();
                }
            }
            // Held already (a replay of the event): the watcher goes on with it.
            SwapStatus::HtlcHeld
            | SwapStatus::LockupBroadcast
            | SwapStatus::LockupConfirmed
            | SwapStatus::Claimed => {}
            // Over: a payment now would never be settled.
            _ => self.fail_htlcs(hash).await,
        }
        Ok(true)
    }

    /// The node received (claimed) a payment for `hash`: a claimed reverse swap is settled.
    /// Returns whether the hash was a reverse swap's.
    pub(super) async fn on_swap_received(&self, hash: &WireHash) -> Result<bool, ServerError> {
        let Some(rec) = self.store.swap_by_hash(SwapKind::Reverse, hash).await? else {
            return Ok(false);
        };
        if rec.swap.status == SwapStatus::Claimed {
            self.swap_step(&rec, Self::to(SwapStatus::Settled)).await?;
        }
        Ok(true)
    }
}
