//! The persistent scheduler of recurring payments (S25). Every tick (and when a schedule is
//! created) it follows the runs in flight to their end, then starts the occurrences that
//! fell due. Everything it decides comes from the store, so a restarted LSP carries on where
//! the last one stopped:
//!
//! - an occurrence's run is recorded, and its schedule moved past it, before its payment is
//!   made; the payment's idempotency key is `schedule:{id}:{index}`, so a run left in flight
//!   by a crash finds the payment it made (or makes it), never a second one;
//! - a schedule has at most one run in flight: occurrences missed during downtime are paid one
//!   after another, as the schedule's catch-up rule allows;
//! - a run whose payment fails is recorded failed and the schedule goes on; a schedule whose
//!   total cap the next payment would pass completes instead.

use std::time::Duration;

use etrid_core::lsp::{PaymentStatus, ScheduleStatus};
use tokio::sync::watch;

use super::destinations::is_refusal;
use super::Engine;
use crate::error::ServerError;
use crate::store::{AuthContext, RunOutcome, RunRecord, ScheduleRecord};
use crate::time::now_secs;

/// How often the scheduler looks when nothing wakes it.
const TICK: Duration = Duration::from_millis(500);

/// Runs until `stop` turns true.
pub(super) async fn run(engine: Engine, mut stop: watch::Receiver<bool>) {
    loop {
        tokio::select! {
            biased;
            _ = stop.changed() => return,
            () = engine.scheduler_wake.notified() => {}
            () = tokio::time::sleep(TICK) => {}
        }
        if let Err(e) = engine.schedule_tick(now_secs()).await {
            tracing::warn!(error = %e, "scheduler pass failed");
        }
    }
}

/// The idempotency key of occurrence `index` of schedule `id`.
pub(crate) fn run_key(schedule_id: &str, index: u32) -> String {
    format!("schedule:{schedule_id}:{index}")
}

impl Engine {
    /// One pass: runs in flight first (so their schedules can go on), then what fell due.
    pub(crate) async fn schedule_tick(&self, now: u64) -> Result<(), ServerError> {
        for run in self.store.runs_in_flight().await? {
            let rec = match self.store.schedule_by_id(&run.schedule_id).await? {
                Some(rec) => rec,
                None => continue,
            };
            self.advance_run(&rec, &run).await?;
        }
        for rec in self.store.due_schedules(now).await? {
            self.start_due(&rec, now).await?;
        }
        Ok(())
    }

    /// Starts the first occurrence of `rec` due at `now` (its catch-up rule decides which),
    /// or moves the schedule to its next occurrence when none is to be paid.
    async fn start_due(&self, rec: &ScheduleRecord, now: u64) -> Result<(), ServerError> {
        let s = &rec.schedule;
        let plan = &s.schedule;
        let bad = |e: etrid_core::recurring::ScheduleError| {
            ServerError::Db(crate::db::DbError::Decode {
                reason: format!("schedule {}: {e}", s.id),
            })
        };
        let due = plan.due(s.last_index, now).map_err(bad)?;
        let Some(occurrence) = due.first().copied() else {
            // Nothing to pay now (the catch-up rule skipped what was missed): wait for the
            // next occurrence, or complete when there is none.
            let next = plan.next_due_after(now).map_err(bad)?.map(|o| o.due_at);
            self.store.postpone_schedule(&s.id, next).await?;
            return Ok(());
        };
        if let Some(cap) = s.max_total_msat {
            let after = s
                .paid_total_msat
                .as_u64()
                .saturating_add(s.amount_msat.as_u64());
            if after > cap.as_u64() {
                tracing::info!(schedule = %s.id, "total cap reached; schedule completed");
                self.store
                    .end_schedule(&s.id, ScheduleStatus::Completed)
                    .await?;
                return Ok(());
            }
        }
        let next = match occurrence.index.checked_add(1) {
            Some(n) => plan.occurrence(n).map_err(bad)?,
            None => None,
        };
        if let Some(run) = self
            .store
            .start_run(rec, occurrence.index, occurrence.due_at, next)
            .await?
        {
            self.advance_run(rec, &run).await?;
        }
        Ok(())
    }

    /// Pays a run (or adopts the payment an earlier process made under its key), or follows
    /// its payment in flight, and records where it stands.
    async fn advance_run(&self, rec: &ScheduleRecord, run: &RunRecord) -> Result<(), ServerError> {
        let s = &rec.schedule;
        let payer = AuthContext::on_behalf_of(&rec.account_id);
        let key = run_key(&s.id, run.run.index);
        let payment = match &run.run.payment_id {
            Some(id) => Ok(self.store.payment(&rec.account_id, id).await?.payment),
            None => match self
                .store
                .payment_by_idempotency_key(&rec.account_id, &key)
                .await?
            {
                Some(earlier) => Ok(earlier.payment),
                None => {
                    self.pay_destination(
                        &payer,
                        &s.destination,
                        s.amount_msat,
                        &key,
                        format!("{} #{}", s.description, run.run.index + 1),
                        Vec::new(),
                    )
                    .await
                }
            },
        };
        let outcome = match payment {
            Ok(p) => match p.status {
                PaymentStatus::Succeeded => RunOutcome::Succeeded { payment_id: p.id },
                PaymentStatus::Failed => RunOutcome::Failed {
                    reason: p
                        .failure_reason
                        .map_or_else(|| "the payment failed".to_owned(), |r| format!("{r:?}")),
                    payment_id: Some(p.id),
                },
                PaymentStatus::Pending if run.run.payment_id.is_some() => return Ok(()),
                PaymentStatus::Pending => RunOutcome::Sent { payment_id: p.id },
            },
            Err(e) if is_refusal(&e) => RunOutcome::Failed {
                payment_id: None,
                reason: e.to_string(),
            },
            Err(e) => return Err(e),
        };
        if self.store.record_run(run, &outcome).await? {
            tracing::info!(schedule = %s.id, index = run.run.index, outcome = ?outcome, "schedule run");
        }
        Ok(())
    }
}
