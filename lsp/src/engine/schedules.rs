//! Recurring payment schedules (S25): the API operations. The payments themselves are the
//! scheduler's (`scheduler.rs`).

use etrid_core::amount::Msat;
use etrid_core::lsp::{
    CreateScheduleRequest, LspSchedule, ScheduleList, ScheduleRunList, ScheduleStatus, Validate,
};

use super::{fingerprint, Engine};
use crate::error::ServerError;
use crate::ids;
use crate::store::{AuthContext, CreatedSchedule, ListFilter, ScheduleRecord};
use crate::time::now_secs;

/// The most runs `GET /v1/schedules/{id}/runs` answers (the newest).
pub(super) const MAX_RUNS_LISTED: u32 = 100;

impl Engine {
    /// Authorises a schedule: the scheduler pays each occurrence as it falls due. Returns it
    /// and whether it is new (`201`) or the earlier one under the same key (`200`).
    ///
    /// # Errors
    /// `invalid_request` (fields; a payee account that does not exist or is the payer's own),
    /// `idempotency_mismatch` for a key reused with other terms.
    pub async fn create_schedule(
        &self,
        ctx: &AuthContext,
        req: CreateScheduleRequest,
    ) -> Result<(LspSchedule, bool), ServerError> {
        req.validate()?;
        self.check_destination(&ctx.account_id, &req.destination, "destination")
            .await?;
        let first_due = req
            .schedule
            .occurrence(0)
            .map_err(|e| ServerError::invalid(format!("schedule: {e}")))?;
        let fp = fingerprint(&req);
        let rec = ScheduleRecord {
            schedule: LspSchedule {
                id: ids::new_id("sch")?,
                status: ScheduleStatus::Active,
                amount_msat: req.amount_msat,
                destination: req.destination.clone(),
                schedule: req.schedule,
                max_total_msat: req.max_total_msat,
                description: req
                    .description
                    .clone()
                    .unwrap_or_else(|| "Recurring payment".into()),
                paid_count: 0,
                paid_total_msat: Msat::ZERO,
                failed_count: 0,
                last_index: None,
                next_due_at: first_due,
                created_at: now_secs(),
                ended_at: None,
            },
            account_id: ctx.account_id.clone(),
            fingerprint: fp.clone(),
        };
        match self
            .store
            .insert_schedule(&rec, &req.idempotency_key)
            .await?
        {
            CreatedSchedule::Created(rec) => {
                self.scheduler_wake.notify_one();
                Ok((rec.schedule, true))
            }
            CreatedSchedule::Existing(rec) if rec.fingerprint == fp => Ok((rec.schedule, false)),
            CreatedSchedule::Existing(_) => Err(ServerError::IdempotencyMismatch {
                field: "idempotency_key",
                value: req.idempotency_key,
            }),
        }
    }

    /// The account's schedule `id`.
    ///
    /// # Errors
    /// `not_found`.
    pub async fn schedule(&self, ctx: &AuthContext, id: &str) -> Result<LspSchedule, ServerError> {
        Ok(self.store.schedule(&ctx.account_id, id).await?.schedule)
    }

    /// A page of the account's schedules, newest first.
    ///
    /// # Errors
    /// Database failures.
    pub async fn list_schedules(
        &self,
        ctx: &AuthContext,
        filter: &ListFilter,
    ) -> Result<ScheduleList, ServerError> {
        let (items, next_cursor) = self.store.list_schedules(&ctx.account_id, filter).await?;
        Ok(ScheduleList { items, next_cursor })
    }

    /// The schedule's history: its newest runs, each occurrence with its payment.
    ///
    /// # Errors
    /// `not_found`.
    pub async fn schedule_runs(
        &self,
        ctx: &AuthContext,
        id: &str,
    ) -> Result<ScheduleRunList, ServerError> {
        let rec = self.store.schedule(&ctx.account_id, id).await?;
        let items = self
            .store
            .schedule_runs(&rec.schedule.id, MAX_RUNS_LISTED)
            .await?;
        Ok(ScheduleRunList { items })
    }

    /// Cancels an active schedule: nothing more is paid (a payment already in flight ends
    /// on its own). Cancelling a cancelled schedule answers it again.
    ///
    /// # Errors
    /// `not_found`; `conflict` for a completed schedule.
    pub async fn cancel_schedule(
        &self,
        ctx: &AuthContext,
        id: &str,
    ) -> Result<LspSchedule, ServerError> {
        let rec = self.store.schedule(&ctx.account_id, id).await?;
        self.store
            .end_schedule(&rec.schedule.id, ScheduleStatus::Cancelled)
            .await?;
        let now = self.store.schedule(&ctx.account_id, id).await?.schedule;
        match now.status {
            ScheduleStatus::Cancelled => Ok(now),
            other => Err(ServerError::conflict(format!(
                "the schedule is {}; only an active schedule can be cancelled",
                other.as_str()
            ))),
        }
    }
}
