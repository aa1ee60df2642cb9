//! The tournament runner: it follows every active tournament from its entries' invoices, the
//! clock and its payments, and takes the next step. Woken at once when a hold invoice is
//! accepted, and every half second otherwise; after a restart it simply carries on, because
//! each step is decided from what is stored and committed as one guarded [`Change`]:
//! - open: a held entry takes a seat while seats are free; a lapsed one is marked; when every
//!   seat is taken the tournament is settling, when the deadline passes first, cancelling;
//! - settling: each held entry is claimed with its preimage and credited to the organizer,
//!   unpaid entries are cancelled; then the pool is funded;
//! - cancelling: every entry invoice is cancelled (held HTLCs failed back: refunded);
//! - paying: each pending payout is paid (`tournament_payouts`), in-flight ones followed to
//!   their end; completed when every payout succeeded.

use std::time::Duration;

use etrid_core::amount::Msat;
use etrid_core::lsp::{
    EntryStatus, InvoiceStatus, PayoutStatus, TournamentPayout, TournamentStatus,
};
use etrid_core::tournament::PrizePool;
use futures_util::stream::{self, StreamExt};
use tokio::sync::watch;

use super::Engine;
use crate::error::ServerError;
use crate::store::{Audit, Change, EntryRecord, TournamentRecord};
use crate::time::now_secs;

/// How often the runner looks when nothing wakes it.
const TICK: Duration = Duration::from_millis(500);
/// Payouts sent at once.
const PAYOUTS_IN_FLIGHT: usize = 16;
/// The most steps one advance takes before yielding (each step commits progress).
const MAX_STEPS: usize = 8;

/// Runs until `stop` turns true.
pub(super) async fn run(engine: Engine, mut stop: watch::Receiver<bool>) {
    loop {
        tokio::select! {
            biased;
            _ = stop.changed() => return,
            () = engine.tournament_wake.notified() => {}
            () = tokio::time::sleep(TICK) => {}
        }
        match engine.store.active_tournaments().await {
            Ok(active) => {
                for rec in active {
                    let id = rec.tournament.id;
                    if let Err(e) = engine.advance_tournament(&rec.account_id, &id).await {
                        tracing::warn!(tournament = %id, error = %e, "tournament step failed");
                    }
                }
            }
            Err(e) => tracing::warn!(error = %e, "reading active tournaments failed"),
        }
    }
}

impl Engine {
    /// Takes every step the tournament can take now, under the tournaments' lock, and returns
    /// it as it then stands.
    ///
    /// # Errors
    /// `not_found`; node and database failures (the runner tries again).
    pub(crate) async fn advance_tournament(
        &self,
        account_id: &str,
        id: &str,
    ) -> Result<TournamentRecord, ServerError> {
        let _lock = self.tournaments.lock().await;
        self.advance_locked(account_id, id).await
    }

    /// [`Engine::advance_tournament`] with the lock held.
    pub(crate) async fn advance_locked(
        &self,
        account_id: &str,
        id: &str,
    ) -> Result<TournamentRecord, ServerError> {
        for _ in 0..MAX_STEPS {
            let rec = self.store.tournament(account_id, id).await?;
            let result = match rec.tournament.status {
                TournamentStatus::Open => self.step_open(&rec).await,
                TournamentStatus::Settling => self.step_settling(&rec).await,
                TournamentStatus::Cancelling => self.step_cancelling(&rec).await,
                TournamentStatus::Paying => self.step_paying(&rec).await,
                _ => Ok(false),
            };
            match result {
                Ok(true) => {}
                Ok(false) => return Ok(rec),
                // Something moved under us (a payout's payment, say): read again.
                Err(ServerError::Conflict { reason }) => {
                    tracing::debug!(tournament = %id, %reason, "tournament step raced; again");
                }
                Err(e) => return Err(e),
            }
        }
        Ok(self.store.tournament(account_id, id).await?)
    }

    pub(super) async fn commit(
        &self,
        rec: &TournamentRecord,
        change: Change,
    ) -> Result<(), ServerError> {
        Ok(self
            .store
            .apply_tournament_change(&rec.account_id, &rec.tournament.id, change)
            .await?)
    }

    /// Open: seats for held entries, lapsed entries marked, then full or past the deadline.
    async fn step_open(&self, rec: &TournamentRecord) -> Result<bool, ServerError> {
        let t = &rec.tournament;
        let mut after = t.clone();
        let mut change = Change::default();
        for e in self.store.tournament_entries(&t.id).await? {
            let player = e.entry.player_id.clone();
            match (e.entry.status, e.invoice_status) {
                (EntryStatus::Pending, InvoiceStatus::Accepted)
                    if after.seats_taken < after.seats =>
                {
                    after.seats_taken += 1;
                    let amount = e.entry.amount_received_msat.map(Msat::as_u64);
                    change
                        .audit
                        .push(Audit::player("seat_taken", &player, amount));
                    change.entries.push((e.entry, EntryStatus::Held));
                }
                (EntryStatus::Pending, InvoiceStatus::Expired | InvoiceStatus::Cancelled) => {
                    change
                        .audit
                        .push(Audit::player("entry_expired", &player, None));
                    change.entries.push((e.entry, EntryStatus::Expired));
                }
                (EntryStatus::Held, InvoiceStatus::Expired | InvoiceStatus::Cancelled) => {
                    // The sweeper failed it back before its HTLC deadline.
                    after.seats_taken = after.seats_taken.saturating_sub(1);
                    change.audit.push(
                        Audit::player("entry_refunded", &player, None)
                            .detail("the held payment neared its HTLC deadline"),
                    );
                    change.entries.push((e.entry, EntryStatus::Refunded));
                }
                _ => {}
            }
        }
        if after.seats_taken == after.seats {
            after.status = TournamentStatus::Settling;
            change.audit.push(Audit::of("full"));
        } else if now_secs() >= t.join_deadline {
            after.status = TournamentStatus::Cancelling;
            after.cancel_reason = Some(format!(
                "the join deadline passed with {} of {} seats taken",
                after.seats_taken, after.seats
            ));
            change
                .audit
                .push(Audit::of("cancelled").detail("the join deadline passed unfilled"));
        }
        if after == *t && change.entries.is_empty() {
            return Ok(false);
        }
        if after != *t {
            change.tournament = Some((t.clone(), after));
        }
        self.commit(rec, change).await?;
        Ok(true)
    }

    /// Settling: claim each held entry, cancel the rest, then fund the pool.
    async fn step_settling(&self, rec: &TournamentRecord) -> Result<bool, ServerError> {
        let t = &rec.tournament;
        let entries = self.store.tournament_entries(&t.id).await?;
        let mut progressed = false;
        let mut after = t.clone();
        for e in &entries {
            let change = match (e.entry.status, e.invoice_status) {
                (EntryStatus::Held, InvoiceStatus::Accepted) => {
                    self.settle_entry(rec, e).await?;
                    entry_change(e, EntryStatus::Settled, "entry_settled", None)
                }
                (EntryStatus::Held, InvoiceStatus::Paid) => {
                    entry_change(e, EntryStatus::Settled, "entry_settled", None)
                }
                (EntryStatus::Held, InvoiceStatus::Expired | InvoiceStatus::Cancelled) => {
                    after.seats_taken = after.seats_taken.saturating_sub(1);
                    entry_change(
                        e,
                        EntryStatus::Refunded,
                        "entry_refunded",
                        Some("the held payment neared its HTLC deadline"),
                    )
                }
                (EntryStatus::Pending, InvoiceStatus::Open | InvoiceStatus::Accepted) => {
                    let invoice = self
                        .store
                        .invoice(&rec.account_id, &e.entry.invoice_id)
                        .await?;
                    self.cancel_hold_record(&invoice).await?;
                    let status = if e.invoice_status == InvoiceStatus::Accepted {
                        EntryStatus::Refunded
                    } else {
                        EntryStatus::Expired
                    };
                    entry_change(e, status, "entry_refused", Some("every seat was taken"))
                }
                (EntryStatus::Pending, InvoiceStatus::Expired | InvoiceStatus::Cancelled) => {
                    entry_change(e, EntryStatus::Expired, "entry_expired", None)
                }
                _ => continue,
            };
            self.commit(rec, change).await?;
            progressed = true;
        }
        if progressed {
            if after.seats_taken != t.seats_taken {
                let change = Change {
                    tournament: Some((t.clone(), after)),
                    ..Change::default()
                };
                self.commit(rec, change).await?;
            }
            return Ok(true);
        }
        // Every entry is settled or over: the pool is what the settled entries paid.
        let pool: u64 = entries
            .iter()
            .filter(|e| e.entry.status == EntryStatus::Settled)
            .map(|e| e.entry.amount_received_msat.map_or(0, Msat::as_u64))
            .sum();
        let prize = PrizePool::new(Msat::from_msat(pool), t.organizer_fee_bps)
            .map_err(|e| ServerError::invalid(format!("pool: {e}")))?;
        let mut after = t.clone();
        after.status = TournamentStatus::Funded;
        after.pool_msat = Some(prize.pool());
        after.organizer_fee_msat = Some(prize.organizer_fee());
        after.prize_total_msat = Some(prize.prize_total());
        after.funded_at = Some(now_secs());
        let change = Change {
            tournament: Some((t.clone(), after)),
            audit: vec![Audit {
                action: "funded",
                player_id: None,
                amount_msat: Some(pool),
                detail: Some(format!(
                    "organizer fee {} msat, prizes {} msat",
                    prize.organizer_fee().as_u64(),
                    prize.prize_total().as_u64()
                )),
            }],
            ..Change::default()
        };
        self.commit(rec, change).await?;
        tracing::info!(tournament = %t.id, pool_msat = pool, "tournament funded");
        Ok(true)
    }

    /// Settles a held entry with its preimage, crediting the organizer (as a hold settle).
    async fn settle_entry(
        &self,
        rec: &TournamentRecord,
        e: &EntryRecord,
    ) -> Result<(), ServerError> {
        let invoice = self
            .store
            .invoice(&rec.account_id, &e.entry.invoice_id)
            .await?;
        self.settle_hold_record(&invoice, e.preimage).await
    }

    /// Cancelling: every live entry invoice cancelled (held payments failed back), then the
    /// entries and the tournament recorded as one change. A crash in between is harmless: the
    /// next step finds the invoices cancelled and records the same.
    async fn step_cancelling(&self, rec: &TournamentRecord) -> Result<bool, ServerError> {
        let t = &rec.tournament;
        let mut after = t.clone();
        let mut change = Change::default();
        for e in self.store.tournament_entries(&t.id).await? {
            let held = e.entry.status == EntryStatus::Held;
            let live = matches!(
                e.invoice_status,
                InvoiceStatus::Open | InvoiceStatus::Accepted
            );
            let status = match e.entry.status {
                EntryStatus::Pending | EntryStatus::Held if live => {
                    let invoice = self
                        .store
                        .invoice(&rec.account_id, &e.entry.invoice_id)
                        .await?;
                    self.cancel_hold_record(&invoice).await?;
                    if held || e.invoice_status == InvoiceStatus::Accepted {
                        EntryStatus::Refunded
                    } else {
                        EntryStatus::Expired
                    }
                }
                EntryStatus::Pending => EntryStatus::Expired,
                EntryStatus::Held => EntryStatus::Refunded,
                _ => continue,
            };
            if held {
                after.seats_taken = after.seats_taken.saturating_sub(1);
            }
            let action = if status == EntryStatus::Refunded {
                "entry_refunded"
            } else {
                "entry_expired"
            };
            let amount = e.entry.amount_received_msat.map(Msat::as_u64);
            change
                .audit
                .push(Audit::player(action, &e.entry.player_id, amount));
            change.entries.push((e.entry, status));
        }
        after.status = TournamentStatus::Cancelled;
        after.cancelled_at = Some(now_secs());
        change.tournament = Some((t.clone(), after));
        self.commit(rec, change).await?;
        tracing::info!(tournament = %t.id, reason = ?t.cancel_reason, "tournament cancelled");
        Ok(true)
    }

    /// Paying: send pending payouts, follow in-flight ones, complete when all succeeded.
    async fn step_paying(&self, rec: &TournamentRecord) -> Result<bool, ServerError> {
        let t = &rec.tournament;
        let payouts = self.store.tournament_payouts(&t.id).await?;
        let work: Vec<TournamentPayout> = payouts
            .iter()
            .filter(|p| matches!(p.status, PayoutStatus::Pending | PayoutStatus::InFlight))
            .cloned()
            .collect();
        let results: Vec<Result<bool, ServerError>> = stream::iter(work)
            .map(|p| self.advance_payout(rec, p))
            .buffer_unordered(PAYOUTS_IN_FLIGHT)
            .collect()
            .await;
        let mut changed = false;
        for r in results {
            match r {
                Ok(c) => changed |= c,
                Err(e) => tracing::warn!(tournament = %t.id, error = %e, "payout step failed"),
            }
        }
        let payouts = self.store.tournament_payouts(&t.id).await?;
        let count = |s: PayoutStatus| {
            u32::try_from(payouts.iter().filter(|p| p.status == s).count()).unwrap_or(u32::MAX)
        };
        let mut after = t.clone();
        after.payouts_succeeded = count(PayoutStatus::Succeeded);
        after.payouts_failed = count(PayoutStatus::Failed);
        let mut audit = Vec::new();
        if after.payouts_succeeded == after.payouts_total {
            after.status = TournamentStatus::Completed;
            after.completed_at = Some(now_secs());
            audit.push(Audit::of("completed"));
        }
        if after != *t {
            let change = Change {
                tournament: Some((t.clone(), after)),
                audit,
                ..Change::default()
            };
            self.commit(rec, change).await?;
            return Ok(true);
        }
        Ok(changed)
    }
}

/// An entry moving to `status`, with its audit line.
fn entry_change(
    e: &EntryRecord,
    status: EntryStatus,
    action: &'static str,
    detail: Option<&str>,
) -> Change {
    let mut audit = Audit::player(
        action,
        &e.entry.player_id,
        e.entry.amount_received_msat.map(Msat::as_u64),
    );
    if let Some(d) = detail {
        audit = audit.detail(d);
    }
    Change {
        entries: vec![(e.entry.clone(), status)],
        audit: vec![audit],
        ..Change::default()
    }
}
