//! Following the node's event queue. Each event is applied to the store and only then marked
//! handled, so after a crash LDK Node replays it; every handler is idempotent (guarded
//! transitions, unique ledger entries), so a replay changes nothing twice.

use std::time::Duration;

use etrid_core::lsp::{
    InvoiceKind, InvoiceStatus, PaymentFailureReason, PaymentHash as WireHash, Preimage,
};
use ldk_node::lightning::events::PaymentFailureReason as LdkReason;
use ldk_node::lightning_types::payment::{PaymentHash, PaymentPreimage};
use ldk_node::{CustomTlvRecord, Event};
use tokio::sync::watch;

use super::Engine;
use crate::error::ServerError;
use crate::ids;
use crate::node::blocking;
use crate::store::PaymentOutcome;
use crate::time::now_secs;

/// Pause before retrying an event whose handling failed (database unavailable).
const RETRY_AFTER_FAILURE: Duration = Duration::from_secs(1);

/// Processes node events until `stop` turns true.
pub(super) async fn run(engine: Engine, mut stop: watch::Receiver<bool>) {
    loop {
        let event = tokio::select! {
            biased;
            _ = stop.changed() => return,
            event = engine.node.next_event_async() => event,
        };
        tracing::debug!(?event, "node event");
        if let Err(e) = engine.handle(&event).await {
            // Not marked handled: the node hands the same event again.
            tracing::error!(error = %e, ?event, "handling node event failed; retrying");
            tokio::time::sleep(RETRY_AFTER_FAILURE).await;
            continue;
        }
        let node = engine.node.clone();
        match tokio::task::spawn_blocking(move || node.event_handled()).await {
            Ok(Ok(())) => {}
            Ok(Err(e)) => tracing::warn!(error = %e, "event_handled failed"),
            Err(e) => tracing::warn!(error = %e, "event_handled task failed"),
        }
    }
}

fn failure_reason(reason: Option<LdkReason>) -> PaymentFailureReason {
    match reason {
        Some(LdkReason::RecipientRejected) => PaymentFailureReason::RecipientRejected,
        Some(LdkReason::RetriesExhausted) => PaymentFailureReason::RetriesExhausted,
        Some(LdkReason::PaymentExpired) => PaymentFailureReason::InvoiceExpired,
        Some(LdkReason::RouteNotFound) => PaymentFailureReason::RouteNotFound,
        Some(LdkReason::UnknownRequiredFeatures) => PaymentFailureReason::UnknownRequiredFeatures,
        Some(LdkReason::UserAbandoned) => PaymentFailureReason::Abandoned,
        _ => PaymentFailureReason::InternalError,
    }
}

impl Engine {
    async fn handle(&self, event: &Event) -> Result<(), ServerError> {
        match event {
            Event::PaymentClaimable {
                payment_hash,
                claimable_amount_msat,
                claim_deadline,
                custom_records,
                ..
            } => {
                self.on_claimable(
                    *payment_hash,
                    *claimable_amount_msat,
                    *claim_deadline,
                    custom_records,
                )
                .await
            }
            Event::PaymentReceived {
                payment_hash,
                amount_msat,
                ..
            } => self.on_received(payment_hash, *amount_msat).await,
            Event::PaymentSuccessful {
                payment_id,
                payment_hash,
                payment_preimage,
                fee_paid_msat,
            } => {
                let id = payment_id.map_or_else(|| ids::hex(&payment_hash.0), |p| ids::hex(&p.0));
                let outcome = PaymentOutcome::Succeeded {
                    fee_msat: fee_paid_msat.unwrap_or(0),
                    preimage: payment_preimage.map(|p| Preimage::from_bytes(p.0)),
                };
                self.on_payment_outcome(&id, outcome).await
            }
            Event::PaymentFailed {
                payment_id,
                payment_hash,
                reason,
            } => {
                let Some(id) = payment_id
                    .map(|p| ids::hex(&p.0))
                    .or_else(|| payment_hash.map(|h| ids::hex(&h.0)))
                else {
                    return Ok(());
                };
                let outcome = PaymentOutcome::Failed {
                    reason: failure_reason(*reason),
                };
                self.on_payment_outcome(&id, outcome).await
            }
            Event::ChannelClosed {
                channel_id,
                counterparty_node_id,
                reason,
                ..
            } => {
                tracing::warn!(%channel_id, ?counterparty_node_id, ?reason, "channel closed");
                Ok(())
            }
            _ => Ok(()),
        }
    }

    async fn on_claimable(
        &self,
        hash: PaymentHash,
        amount_msat: u64,
        deadline: Option<u32>,
        custom_records: &[CustomTlvRecord],
    ) -> Result<(), ServerError> {
        let hash_hex = WireHash::from_bytes(hash.0);
        // A reverse swap's hash first: its hold invoice is the LSP's, not an account's.
        if self
            .on_swap_claimable(&hash_hex, amount_msat, deadline)
            .await?
        {
            return Ok(());
        }
        let Some(rec) = self.store.invoice_by_hash(&hash_hex).await? else {
            if self
                .on_keysend_claimable(hash, amount_msat, custom_records)
                .await?
            {
                return Ok(());
            }
            tracing::warn!(payment_hash = %hash_hex, "payment for an unknown invoice; failing it back");
            self.fail_htlcs(&hash_hex).await;
            return Ok(());
        };
        let underpaid = rec
            .invoice
            .amount_msat
            .is_some_and(|want| amount_msat < want.as_u64());
        let expired = now_secs() >= rec.invoice.expires_at;
        match (rec.invoice.kind, rec.invoice.status) {
            (InvoiceKind::Standard, InvoiceStatus::Open) => {
                let claiming = rec.claim_started_at.is_some();
                if !claiming && (underpaid || expired) {
                    self.fail_htlcs(&hash_hex).await;
                    return Ok(());
                }
                if !claiming && !self.store.start_claim(&rec.invoice.id).await? {
                    // Cancelled or expired a moment ago.
                    self.fail_htlcs(&hash_hex).await;
                    return Ok(());
                }
                let preimage = rec.preimage.map(Preimage::to_bytes).ok_or_else(|| {
                    ServerError::node("claim", "standard invoice without preimage")
                })?;
                let claimed = blocking(&self.node, move |node| {
                    node.bolt11_payment().claim_for_hash(
                        hash,
                        amount_msat,
                        PaymentPreimage(preimage),
                    )
                })
                .await?;
                if let Err(e) = claimed {
                    tracing::warn!(payment_hash = %hash_hex, error = %e, "claim_for_hash failed");
                }
                Ok(())
            }
            (InvoiceKind::Hold, InvoiceStatus::Open) => {
                if underpaid || expired {
                    self.fail_htlcs(&hash_hex).await;
                    return Ok(());
                }
                let hold_expires_at = self.hold_expires_at(deadline);
                self.store
                    .accept_hold(&rec, amount_msat, deadline.map(u64::from), hold_expires_at)
                    .await?;
                // It may be a tournament entry taking a seat.
                self.tournament_wake.notify_one();
                Ok(())
            }
            // Paid inside the LSP by another account (never claimed over Lightning): these
            // HTLCs pay it a second time; give them back.
            (InvoiceKind::Standard, InvoiceStatus::Paid) if rec.claim_started_at.is_none() => {
                tracing::warn!(payment_hash = %hash_hex,
                    "payment for an invoice already paid between accounts; failing it back");
                self.fail_htlcs(&hash_hex).await;
                Ok(())
            }
            // Held for another account of this LSP: these HTLCs would pay it a second time.
            (InvoiceKind::Hold, InvoiceStatus::Accepted)
                if self.store.internal_hold_payment(&hash_hex).await?.is_some() =>
            {
                tracing::warn!(payment_hash = %hash_hex,
                    "payment for a hold invoice held between accounts; failing it back");
                self.fail_htlcs(&hash_hex).await;
                Ok(())
            }
            // Paid: the node reported this hash received, so these HTLCs pay it a second time
            // (a replay of the first payment is never claimable after it was received). LDK
            // Node refuses them itself while it keeps invoice records; without them
            // (`--ldk-invoice-records false`) this is where they are given back.
            (_, InvoiceStatus::Paid) => {
                tracing::warn!(payment_hash = %hash_hex,
                    "payment for an invoice already paid; failing it back");
                self.fail_htlcs(&hash_hex).await;
                Ok(())
            }
            // An accepted hold invoice waits for settle or cancel: nothing to do.
            (InvoiceKind::Hold, InvoiceStatus::Accepted) => Ok(()),
            _ => {
                self.fail_htlcs(&hash_hex).await;
                Ok(())
            }
        }
    }

    async fn on_received(&self, hash: &PaymentHash, amount_msat: u64) -> Result<(), ServerError> {
        let hash_hex = WireHash::from_bytes(hash.0);
        if self.on_swap_received(&hash_hex).await? {
            return Ok(());
        }
        match self.store.invoice_by_hash(&hash_hex).await? {
            Some(rec) => {
                self.store.mark_paid(&rec, amount_msat, None).await?;
            }
            None => match self.store.keysend_by_hash(&hash_hex).await? {
                Some(rec) => {
                    self.store.mark_keysend_received(&rec, amount_msat).await?;
                }
                None => {
                    tracing::warn!(payment_hash = %hash_hex, amount_msat, "payment received for no account");
                }
            },
        }
        Ok(())
    }

    async fn on_payment_outcome(
        &self,
        ldk_id: &str,
        outcome: PaymentOutcome,
    ) -> Result<(), ServerError> {
        match self.store.payment_by_ldk_id(ldk_id).await? {
            Some(rec) => {
                self.store.complete_payment(&rec, outcome).await?;
            }
            None => {
                // A submarine swap's payment (LDK's id of a BOLT11 payment is its hash).
                let failure = match &outcome {
                    PaymentOutcome::Failed { reason } => Some(*reason),
                    PaymentOutcome::Succeeded { .. } => None,
                };
                let swap = match ldk_id.parse::<WireHash>() {
                    Ok(hash) => self.on_swap_payment_outcome(&hash, failure).await?,
                    Err(_) => false,
                };
                if !swap {
                    tracing::warn!(payment_id = ldk_id, "outcome of an unknown payment");
                }
            }
        }
        Ok(())
    }
}
