//! The swap watcher: a task that steps every live swap from what the chain and the node say,
//! once a second and whenever something moves (a swap created, a payment it waits for
//! resolved). Each step is a guarded change of the swap's row (see `store::swaps`), taken only
//! after what it depends on is known, so a restart at any point resumes the same swap: a
//! payment is looked up by its hash before it is sent again, a claim or refund transaction is
//! stored before it is broadcast and the same one is broadcast again.
//!
//! Submarine swaps are stepped here; reverse swaps in `swap_reverse`.

use std::str::FromStr;

use bitcoin::consensus::encode::{deserialize_hex, serialize_hex};
use bitcoin::{Amount, OutPoint, Transaction};
use etrid_core::chain::{ChainError, ChainSource, ChainTx};
use etrid_core::invoice::{decode_invoice, InvoiceError};
use etrid_core::lsp::{PaymentFailureReason, PaymentHash, SwapKind, SwapStatus, Txid as WireTxid};
use etrid_core::platform::SystemClock;
use etrid_core::swap::{self, HtlcUtxo, SwapScript};
use ldk_node::lightning::ln::channelmanager::PaymentId;
use ldk_node::lightning::routing::router::RouteParametersConfig;
use ldk_node::lightning_invoice::Bolt11Invoice;
use ldk_node::payment::{PaymentKind as LdkKind, PaymentStatus as LdkStatus};
use tokio::sync::watch;

use super::swaps::{SwapServices, PAY_MARGIN_BLOCKS};
use super::Engine;
use crate::error::ServerError;
use crate::node::blocking;
use crate::store::{SwapChange, SwapRecord};

/// The most steps one swap takes in one round (each a status change).
const STEPS_PER_ROUND: usize = 8;

/// Blocks after the timeout from which a submarine swap with no lockup seen is no longer
/// watched for a late one.
const LATE_LOCKUP_WATCH_BLOCKS: u32 = 1_008;

/// The confirmation target of the server's claims and refunds, blocks.
const SPEND_TARGET_BLOCKS: u16 = 6;

/// Steps swaps until `stop` turns true (returns at once when swaps are off).
pub(super) async fn run(engine: Engine, mut stop: watch::Receiver<bool>) {
    let Some(services) = engine.swaps.clone() else {
        return;
    };
    let mut claims = super::swap_reverse::ClaimsMade::default();
    loop {
        engine.step_swaps(&services, &mut claims).await;
        tokio::select! {
            biased;
            _ = stop.changed() => return,
            () = services.wake.notified() => {}
            () = tokio::time::sleep(services.config.poll) => {}
        }
    }
}

/// A chain failure as the server's error.
pub(super) fn chain_error(op: &'static str, e: ChainError) -> ServerError {
    ServerError::node(op, e)
}

/// The HTLC script a swap locks to, read back from its row.
pub(super) fn script_of(rec: &SwapRecord) -> Result<SwapScript, ServerError> {
    SwapScript::from_script(bitcoin::Script::from_bytes(
        rec.swap.redeem_script.as_bytes(),
    ))
    .map_err(|e| ServerError::node("swap script", e))
}

/// The lockup a swap recorded: its outpoint and amount.
pub(super) fn recorded_lockup(rec: &SwapRecord) -> Option<(OutPoint, Amount)> {
    let txid = bitcoin::Txid::from_str(&rec.swap.lockup_txid?.to_string()).ok()?;
    let vout = rec.swap.lockup_vout?;
    let sat = rec.swap.lockup_amount_msat?.as_u64() / 1_000;
    Some((OutPoint { txid, vout }, Amount::from_sat(sat)))
}

/// A bitcoin txid as the API's.
pub(super) fn wire_txid(txid: bitcoin::Txid) -> Result<WireTxid, ServerError> {
    txid.to_string()
        .parse()
        .map_err(|e| ServerError::node("txid", e))
}

/// The first output paying `script` among the address's transactions (mined ones first, then
/// by txid, so every look picks the same one), with its block height.
pub(super) async fn first_lockup(
    s: &SwapServices,
    rec: &SwapRecord,
    script: &SwapScript,
) -> Result<Option<(OutPoint, Amount, Option<u32>)>, ServerError> {
    let mut txs: Vec<ChainTx> = s
        .chain
        .address_transactions(&rec.swap.lockup_address)
        .await
        .map_err(|e| chain_error("address transactions", e))?;
    txs.sort_by_key(|t| (t.confirmed_height.unwrap_or(u32::MAX), t.tx.compute_txid()));
    let script_pubkey = script.script_pubkey();
    Ok(txs.iter().find_map(|t| {
        swap::outputs_paying(&t.tx, &script_pubkey)
            .into_iter()
            .next()
            .map(|(outpoint, amount)| (outpoint, amount, t.confirmed_height))
    }))
}

/// Broadcasts `tx`; a transaction the chain already has counts as broadcast.
pub(super) async fn broadcast(
    s: &SwapServices,
    tx: &Transaction,
) -> Result<bitcoin::Txid, ServerError> {
    match s.chain.broadcast(tx).await {
        Ok(txid) => Ok(txid),
        Err(e) => {
            let txid = tx.compute_txid();
            match s.chain.transaction(txid).await {
                Ok(Some(_)) => Ok(txid),
                _ => Err(chain_error("broadcast", e)),
            }
        }
    }
}

/// The change recording a lockup: its outpoint, amount and block height.
pub(super) fn lockup_change(
    outpoint: OutPoint,
    amount: Amount,
    height: Option<u32>,
) -> Result<SwapChange, ServerError> {
    Ok(SwapChange {
        lockup: Some((wire_txid(outpoint.txid)?, outpoint.vout, amount.to_sat())),
        lockup_height: height,
        ..SwapChange::default()
    })
}

/// A stored spend transaction, decoded.
pub(super) fn stored_spend(hex: &str) -> Result<Transaction, ServerError> {
    deserialize_hex(hex).map_err(|e| ServerError::node("stored swap spend", e))
}

impl Engine {
    /// One round: every live swap stepped as far as it goes.
    async fn step_swaps(&self, s: &SwapServices, claims: &mut super::swap_reverse::ClaimsMade) {
        let swaps = match self.store.live_swaps().await {
            Ok(swaps) => swaps,
            Err(e) => {
                tracing::warn!(error = %e, "reading live swaps failed");
                return;
            }
        };
        if swaps.is_empty() {
            return;
        }
        let tip = match s.chain.tip_height().await {
            Ok(tip) => tip,
            Err(e) => {
                tracing::warn!(error = %e, "the swap chain source is unreachable");
                return;
            }
        };
        for rec in swaps {
            let id = rec.swap.id.clone();
            let mut rec = rec;
            for _ in 0..STEPS_PER_ROUND {
                let stepped = match rec.swap.kind {
                    SwapKind::Submarine => self.step_submarine(s, &rec, tip).await,
                    SwapKind::Reverse => self.step_reverse(s, &rec, tip, claims).await,
                };
                match stepped {
                    Ok(Some(next)) if next.swap.status != rec.swap.status => rec = next,
                    Ok(_) => break,
                    Err(e) => {
                        tracing::warn!(swap = %id, error = %e, "swap step failed; trying again next round");
                        break;
                    }
                }
            }
        }
    }

    /// Applies `change` to `rec`; `None` when another step moved it first.
    pub(super) async fn swap_step(
        &self,
        rec: &SwapRecord,
        change: SwapChange,
    ) -> Result<Option<SwapRecord>, ServerError> {
        let next = self.store.update_swap(rec, &change).await?;
        if let Some(n) = &next {
            if n.swap.status != rec.swap.status {
                tracing::info!(swap = %n.swap.id, kind = n.swap.kind.as_str(),
                    from = rec.swap.status.as_str(), to = n.swap.status.as_str(), "swap moved");
            }
        }
        Ok(next)
    }

    /// A change to `status` only.
    pub(super) fn to(status: SwapStatus) -> SwapChange {
        SwapChange {
            status: Some(status),
            ..SwapChange::default()
        }
    }

    /// One step of a submarine swap: lockup seen, confirmed, paid, claimed; or expired,
    /// invalid, failed and then the user's refund seen.
    async fn step_submarine(
        &self,
        s: &SwapServices,
        rec: &SwapRecord,
        tip: u32,
    ) -> Result<Option<SwapRecord>, ServerError> {
        let script = script_of(rec)?;
        let timeout = rec.swap.timeout_height;
        match rec.swap.status {
            SwapStatus::Created => {
                if let Some((outpoint, amount, height)) = first_lockup(s, rec, &script).await? {
                    let expected = rec.swap.onchain_amount_msat.as_u64() / 1_000;
                    let recorded = lockup_change(outpoint, amount, height)?;
                    let change = if amount.to_sat() < expected {
                        SwapChange {
                            status: Some(SwapStatus::LockupInvalid),
                            failure_reason: Some(format!(
                                "the lockup of {} sat is below the {expected} sat agreed: refund it after block {timeout}",
                                amount.to_sat()
                            )),
                            ..recorded
                        }
                    } else {
                        SwapChange {
                            status: Some(SwapStatus::LockupSeen),
                            ..recorded
                        }
                    };
                    return self.swap_step(rec, change).await;
                }
                if let Some(reason) = self.submarine_too_late(s, rec, tip) {
                    let change = SwapChange {
                        failure_reason: Some(reason),
                        ..Self::to(SwapStatus::Expired)
                    };
                    return self.swap_step(rec, change).await;
                }
                Ok(None)
            }
            SwapStatus::LockupSeen => {
                let Some((outpoint, _)) = recorded_lockup(rec) else {
                    return Err(ServerError::node(
                        "swap",
                        "lockup seen without its outpoint",
                    ));
                };
                let Some(tx) = s
                    .chain
                    .transaction(outpoint.txid)
                    .await
                    .map_err(|e| chain_error("lockup transaction", e))?
                else {
                    // Left the mempool: wait for it (or for the timeout).
                    return Ok(None);
                };
                if tx.confirmations(tip) < s.config.lockup_confirmations {
                    return Ok(None);
                }
                let change = match self.submarine_too_late(s, rec, tip) {
                    Some(reason) => SwapChange {
                        failure_reason: Some(format!(
                            "the lockup confirmed too late to pay safely ({reason}): refund it after block {timeout}"
                        )),
                        ..Self::to(SwapStatus::LockupInvalid)
                    },
                    None => SwapChange {
                        lockup_height: tx.confirmed_height,
                        ..Self::to(SwapStatus::LockupConfirmed)
                    },
                };
                self.swap_step(rec, change).await
            }
            SwapStatus::LockupConfirmed => self.swap_step(rec, Self::to(SwapStatus::Paying)).await,
            SwapStatus::Paying => self.pay_submarine(rec, tip).await,
            SwapStatus::Paid => self.claim_submarine(s, rec, &script).await,
            SwapStatus::Expired | SwapStatus::LockupInvalid | SwapStatus::PayFailed => {
                self.watch_user_refund(s, rec, &script, tip).await
            }
            _ => Ok(None),
        }
    }

    /// Why a submarine swap can no longer be paid safely at `tip` (its invoice expired, or too
    /// few blocks left under the timeout for its final CLTV delta and the margin), if so.
    fn submarine_too_late(&self, s: &SwapServices, rec: &SwapRecord, tip: u32) -> Option<String> {
        let decoded = match decode_invoice(&rec.swap.bolt11, self.config.network, &SystemClock) {
            Ok(d) => d,
            Err(InvoiceError::Expired { .. }) => return Some("the invoice expired".into()),
            Err(e) => return Some(format!("the invoice no longer decodes: {e}")),
        };
        let needed = u64::from(tip)
            .saturating_add(decoded.min_final_cltv_expiry_delta)
            .saturating_add(u64::from(PAY_MARGIN_BLOCKS))
            .saturating_add(u64::from(s.config.lockup_confirmations));
        (needed >= u64::from(rec.swap.timeout_height)).then(|| {
            format!(
                "at block {tip} too few blocks are left before the timeout {}",
                rec.swap.timeout_height
            )
        })
    }

    /// Pays a submarine swap's invoice (once: LDK refuses a second payment of one hash) with a
    /// CLTV limit below the timeout, or reads how the payment went.
    async fn pay_submarine(
        &self,
        rec: &SwapRecord,
        tip: u32,
    ) -> Result<Option<SwapRecord>, ServerError> {
        let id = PaymentId(rec.swap.payment_hash.to_bytes());
        if let Some(payment) = self.node.payment(&id) {
            return match payment.status {
                LdkStatus::Pending => Ok(None),
                LdkStatus::Succeeded => {
                    let preimage = match payment.kind {
                        LdkKind::Bolt11 {
                            preimage: Some(p), ..
                        } => etrid_core::lsp::Preimage::from_bytes(p.0),
                        _ => {
                            return Err(ServerError::node(
                                "swap payment",
                                "succeeded without a preimage",
                            ))
                        }
                    };
                    let change = SwapChange {
                        preimage: Some(preimage),
                        ..Self::to(SwapStatus::Paid)
                    };
                    self.swap_step(rec, change).await
                }
                LdkStatus::Failed => {
                    let change = SwapChange {
                        failure_reason: Some(format!(
                            "the invoice could not be paid: refund the lockup after block {}",
                            rec.swap.timeout_height
                        )),
                        ..Self::to(SwapStatus::PayFailed)
                    };
                    self.swap_step(rec, change).await
                }
            };
        }
        // A node behind the chain would time the payment's HTLCs from a stale height (and the
        // route would be refused): wait for it to catch up.
        let node_height = self.node.status().current_best_block.height;
        if node_height.saturating_add(1) < tip {
            tracing::info!(swap = %rec.swap.id, node_height, tip, "waiting for the node to sync before paying");
            return Ok(None);
        }
        let budget = rec
            .swap
            .timeout_height
            .saturating_sub(tip)
            .saturating_sub(PAY_MARGIN_BLOCKS);
        let invoice = Bolt11Invoice::from_str(&rec.swap.bolt11)
            .map_err(|e| ServerError::node("swap invoice", e))?;
        let params = RouteParametersConfig {
            max_total_routing_fee_msat: Some(rec.swap.service_fee_msat.as_u64()),
            max_total_cltv_expiry_delta: budget,
            ..RouteParametersConfig::default()
        };
        let sent = self
            .send_when_ready(move |node| node.bolt11_payment().send(&invoice, Some(params)))
            .await?;
        match sent {
            Ok(_) | Err(ldk_node::NodeError::DuplicatePayment) => Ok(None),
            // Refused at once: with or without a record of it, this swap is not paid.
            Err(e) if self.node.payment(&id).is_none() => {
                let change = SwapChange {
                    failure_reason: Some(format!(
                        "the invoice could not be paid ({e}): refund the lockup after block {}",
                        rec.swap.timeout_height
                    )),
                    ..Self::to(SwapStatus::PayFailed)
                };
                self.swap_step(rec, change).await
            }
            // Recorded as failed: the next look reads it.
            Err(_) => Ok(None),
        }
    }

    /// Claims a paid submarine swap's lockup with the preimage the payment revealed: the claim
    /// is built once, stored, then broadcast (again after a restart).
    async fn claim_submarine(
        &self,
        s: &SwapServices,
        rec: &SwapRecord,
        script: &SwapScript,
    ) -> Result<Option<SwapRecord>, ServerError> {
        let tx = match &rec.spend_tx {
            Some(hex) => stored_spend(hex)?,
            None => {
                let (outpoint, amount) = recorded_lockup(rec)
                    .ok_or_else(|| ServerError::node("swap claim", "no lockup recorded"))?;
                let preimage = rec
                    .preimage
                    .map(|p| swap::Preimage::from_bytes(p.to_bytes()))
                    .ok_or_else(|| ServerError::node("swap claim", "no preimage recorded"))?;
                let htlc = HtlcUtxo {
                    outpoint,
                    amount,
                    script: script.clone(),
                };
                let keys = s.keys.keys(rec.key_index)?;
                let destination = self.wallet_script().await?;
                let rate = s
                    .chain
                    .fee_rate_sat_per_vb(SPEND_TARGET_BLOCKS)
                    .await
                    .map_err(|e| chain_error("fee rate", e))?;
                let tx =
                    swap::build_claim_tx(&htlc, &preimage, keys.secret_key(), &destination, rate)
                        .map_err(|e| ServerError::node("swap claim", e))?;
                let change = SwapChange {
                    spend_tx: Some(serialize_hex(&tx)),
                    claim_txid: Some(wire_txid(tx.compute_txid())?),
                    ..SwapChange::default()
                };
                if self.swap_step(rec, change).await?.is_none() {
                    return Ok(None);
                }
                tx
            }
        };
        broadcast(s, &tx).await?;
        let change = SwapChange {
            claim_txid: Some(wire_txid(tx.compute_txid())?),
            ..Self::to(SwapStatus::Claimed)
        };
        self.swap_step(rec, change).await
    }

    /// A submarine swap that will not be paid: records a late lockup so the user sees it, and
    /// the user's refund once it spends the lockup.
    async fn watch_user_refund(
        &self,
        s: &SwapServices,
        rec: &SwapRecord,
        script: &SwapScript,
        tip: u32,
    ) -> Result<Option<SwapRecord>, ServerError> {
        let Some((outpoint, _)) = recorded_lockup(rec) else {
            if tip
                > rec
                    .swap
                    .timeout_height
                    .saturating_add(LATE_LOCKUP_WATCH_BLOCKS)
            {
                return Ok(None);
            }
            let Some((outpoint, amount, height)) = first_lockup(s, rec, script).await? else {
                return Ok(None);
            };
            let change = lockup_change(outpoint, amount, height)?;
            return self.swap_step(rec, change).await;
        };
        let spender = s
            .chain
            .spender(outpoint)
            .await
            .map_err(|e| chain_error("lockup spender", e))?;
        match spender {
            Some(spend) => {
                let change = SwapChange {
                    refund_txid: Some(wire_txid(spend.tx.compute_txid())?),
                    ..Self::to(SwapStatus::Refunded)
                };
                self.swap_step(rec, change).await
            }
            None => Ok(None),
        }
    }

    /// The output script of a new address of the node's wallet: where the server's claims and
    /// refunds go.
    pub(super) async fn wallet_script(&self) -> Result<bitcoin::ScriptBuf, ServerError> {
        let address = blocking(&self.node, |node| node.onchain_payment().new_address())
            .await?
            .map_err(|e| ServerError::node("new_address", e))?;
        Ok(address.script_pubkey())
    }

    /// A submarine swap's payment resolved (a node event for a payment of no account): a
    /// failure is recorded with LDK's reason; a success wakes the watcher, which reads the
    /// preimage from the node. Returns whether the hash was a submarine swap's.
    pub(super) async fn on_swap_payment_outcome(
        &self,
        hash: &PaymentHash,
        failure: Option<PaymentFailureReason>,
    ) -> Result<bool, ServerError> {
        let Some(rec) = self.store.swap_by_hash(SwapKind::Submarine, hash).await? else {
            return Ok(false);
        };
        // LDK's reason, also when the watcher saw the failure first (then without an event).
        if let Some(reason) = failure {
            if matches!(rec.swap.status, SwapStatus::Paying | SwapStatus::PayFailed) {
                let change = SwapChange {
                    failure_reason: Some(format!(
                        "the invoice could not be paid ({}): refund the lockup after block {}",
                        failure_text(reason),
                        rec.swap.timeout_height
                    )),
                    ..Self::to(SwapStatus::PayFailed)
                };
                self.swap_step(&rec, change).await?;
            }
        }
        if let Some(s) = &self.swaps {
            s.wake.notify_one();
        }
        Ok(true)
    }
}

/// A payment failure in words.
fn failure_text(reason: PaymentFailureReason) -> String {
    serde_json::to_value(reason)
        .ok()
        .and_then(|v| v.as_str().map(str::to_owned))
        .unwrap_or_else(|| format!("{reason:?}"))
}
