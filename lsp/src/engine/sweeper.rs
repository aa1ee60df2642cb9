//! The clock's work: expiring unpaid invoices and unclaimed vouchers, cancelling accepted hold invoices before their
//! HTLC deadline (so the node never risks a force-close), and pruning old events.

use std::time::{Duration, Instant};

use etrid_core::lsp::InvoiceKind;
use tokio::sync::watch;

use super::Engine;
use crate::error::ServerError;
use crate::time::now_secs;

/// How often the sweeper looks.
const TICK: Duration = Duration::from_millis(500);
/// How often old events are pruned.
const PRUNE_EVERY: Duration = Duration::from_secs(3600);

/// Sweeps until `stop` turns true.
pub(super) async fn run(engine: Engine, mut stop: watch::Receiver<bool>) {
    let mut last_prune: Option<Instant> = None;
    loop {
        tokio::select! {
            biased;
            _ = stop.changed() => return,
            () = tokio::time::sleep(TICK) => {}
        }
        if let Err(e) = engine.sweep().await {
            tracing::warn!(error = %e, "sweep failed");
        }
        if last_prune.is_none_or(|t| t.elapsed() >= PRUNE_EVERY) {
            let retention = engine.config.event_retention_days.saturating_mul(86_400);
            match engine.store.prune_events(retention).await {
                Ok(n) if n > 0 => tracing::info!(pruned = n, "old events pruned"),
                Ok(_) => {}
                Err(e) => tracing::warn!(error = %e, "event pruning failed"),
            }
            last_prune = Some(Instant::now());
        }
    }
}

impl Engine {
    /// One pass: expire what has expired, cancel holds near their deadline.
    pub(crate) async fn sweep(&self) -> Result<(), ServerError> {
        let now = now_secs();
        for rec in self.store.expired_open_invoices(now).await? {
            if self.store.mark_expired(&rec).await?.is_some()
                && rec.invoice.kind == InvoiceKind::Hold
            {
                self.fail_htlcs(&rec.invoice.payment_hash).await;
            }
        }
        self.expire_vouchers(now).await?;
        let height = u64::from(self.node.status().current_best_block.height);
        let margin = u64::from(self.config.hold_cancel_margin_blocks);
        for rec in self.store.accepted_hold_invoices().await? {
            let by_height = rec
                .claim_deadline_height
                .is_some_and(|d| height.saturating_add(margin) >= d);
            let by_time = rec.invoice.hold_expires_at.is_some_and(|t| now >= t);
            if by_height || by_time {
                tracing::info!(invoice = %rec.invoice.id, height, "hold invoice near its deadline; cancelling");
                self.cancel_hold_record(&rec).await?;
            }
        }
        Ok(())
    }
}
