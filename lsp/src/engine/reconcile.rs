//! Reconciling pending payments with the node's own payment records, at start and now and then:
//! an outcome the node recorded but whose event this server never applied (it is normally
//! delivered as an event, replayed after a crash) is applied here. A payment the node does not
//! know, or still has pending, is left pending with its reservation: releasing it without the
//! node's word could pay twice.

use std::time::Duration;

use ldk_node::lightning::ln::channelmanager::PaymentId;
use ldk_node::payment::{PaymentKind, PaymentStatus};
use tokio::sync::watch;

use super::Engine;
use crate::ids;
use crate::store::PaymentOutcome;

/// How often pending payments are compared with the node.
const EVERY: Duration = Duration::from_secs(30);

/// Reconciles until `stop` turns true.
pub(super) async fn run(engine: Engine, mut stop: watch::Receiver<bool>) {
    loop {
        engine.reconcile_payments().await;
        tokio::select! {
            biased;
            _ = stop.changed() => return,
            () = tokio::time::sleep(EVERY) => {}
        }
    }
}

impl Engine {
    /// One pass over the pending payments.
    pub(crate) async fn reconcile_payments(&self) {
        let pending = match self.store.pending_payments().await {
            Ok(p) => p,
            Err(e) => {
                tracing::warn!(error = %e, "reading pending payments failed");
                return;
            }
        };
        for rec in pending {
            let Some(id) =
                ids::unhex(&rec.ldk_payment_id).and_then(|b| <[u8; 32]>::try_from(b).ok())
            else {
                continue;
            };
            let Some(details) = self.node.payment(&PaymentId(id)) else {
                tracing::warn!(payment = %rec.payment.id, "pending payment unknown to the node; left pending");
                continue;
            };
            let outcome = match details.status {
                PaymentStatus::Succeeded => {
                    let preimage = match &details.kind {
                        PaymentKind::Bolt11 { preimage, .. }
                        | PaymentKind::Spontaneous { preimage, .. } => {
                            preimage.map(|p| etrid_core::lsp::Preimage::from_bytes(p.0))
                        }
                        _ => None,
                    };
                    PaymentOutcome::Succeeded {
                        fee_msat: details.fee_paid_msat.unwrap_or(0),
                        preimage,
                    }
                }
                PaymentStatus::Failed => PaymentOutcome::Failed {
                    reason: etrid_core::lsp::PaymentFailureReason::RetriesExhausted,
                },
                PaymentStatus::Pending => continue,
            };
            match self.store.complete_payment(&rec, outcome).await {
                Ok(Some(_)) => {
                    tracing::info!(payment = %rec.payment.id, "payment outcome reconciled from the node")
                }
                Ok(None) => {}
                Err(e) => tracing::warn!(payment = %rec.payment.id, error = %e, "reconcile failed"),
            }
        }
    }
}
