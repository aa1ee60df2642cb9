//! Recurring payment schedules (S25) and their runs. A run is recorded, and the schedule's
//! `last_index` moved past it, in one transaction before its payment is made; the payment's
//! idempotency key is `schedule:{id}:{index}`, so after a crash the run is found and its
//! payment adopted, never made twice. Every change is guarded on the state it leaves, so a
//! repeated step changes nothing.

use etrid_core::amount::Msat;
use etrid_core::lsp::{LspSchedule, PayoutDestination, RunStatus, ScheduleRun, ScheduleStatus};
use etrid_core::recurring::Schedule;

use super::tournaments::json_text;
use super::{decode_error as decode, u32_column as u32_of, Cursor, ListFilter, Store, StoreError};
use crate::db::{DbError, Row, Stmt, Value};
use crate::time::now_secs;

const COLUMNS: &str = "id, status, amount_msat, destination, schedule, max_total_msat, \
    description, paid_count, paid_total_msat, failed_count, last_index, next_due_at, created_at, \
    ended_at, account_id, fingerprint";

const RUN_COLUMNS: &str =
    "idx, due_at, status, amount_msat, payment_id, failure_reason, updated_at, schedule_id";

/// A schedule as stored: the public model and the server's bookkeeping.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ScheduleRecord {
    /// The public model.
    pub schedule: LspSchedule,
    /// The paying account.
    pub account_id: String,
    /// A digest of the create request, for idempotency.
    pub fingerprint: String,
}

/// A run as stored, with its schedule's id.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RunRecord {
    /// The public model.
    pub run: ScheduleRun,
    /// The schedule.
    pub schedule_id: String,
}

/// How a run ended, or where its payment stands.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum RunOutcome {
    /// The payment was made (`payment_id`) and is in flight.
    Sent {
        /// The payment.
        payment_id: String,
    },
    /// Paid.
    Succeeded {
        /// The payment.
        payment_id: String,
    },
    /// Not paid.
    Failed {
        /// The payment, when one was made.
        payment_id: Option<String>,
        /// Why.
        reason: String,
    },
}

/// What [`Store::insert_schedule`] did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum CreatedSchedule {
    /// A new schedule.
    Created(ScheduleRecord),
    /// The account already created one under this key.
    Existing(ScheduleRecord),
}

fn opt_u32_of(row: &Row, i: usize) -> Result<Option<u32>, StoreError> {
    row.opt_uint(i)?
        .map(|v| u32::try_from(v).map_err(|_| decode(format!("column {i} beyond u32"))))
        .transpose()
}

fn record_from_row(r: &Row) -> Result<ScheduleRecord, StoreError> {
    let status = r.text(1)?;
    let status = ScheduleStatus::from_name(&status)
        .ok_or_else(|| decode(format!("schedule status {status:?}")))?;
    let destination: PayoutDestination = serde_json::from_str(&r.text(3)?)
        .map_err(|e| decode(format!("schedule destination: {e}")))?;
    let schedule: Schedule =
        serde_json::from_str(&r.text(4)?).map_err(|e| decode(format!("schedule: {e}")))?;
    Ok(ScheduleRecord {
        schedule: LspSchedule {
            id: r.text(0)?,
            status,
            amount_msat: Msat::from_msat(r.uint(2)?),
            destination,
            schedule,
            max_total_msat: r.opt_uint(5)?.map(Msat::from_msat),
            description: r.text(6)?,
            paid_count: u32_of(r, 7)?,
            paid_total_msat: Msat::from_msat(r.uint(8)?),
            failed_count: u32_of(r, 9)?,
            last_index: opt_u32_of(r, 10)?,
            next_due_at: r.opt_uint(11)?,
            created_at: r.uint(12)?,
            ended_at: r.opt_uint(13)?,
        },
        account_id: r.text(14)?,
        fingerprint: r.text(15)?,
    })
}

fn run_from_row(r: &Row) -> Result<RunRecord, StoreError> {
    let status = r.text(2)?;
    let status =
        RunStatus::from_name(&status).ok_or_else(|| decode(format!("run status {status:?}")))?;
    Ok(RunRecord {
        run: ScheduleRun {
            index: u32_of(r, 0)?,
            due_at: r.uint(1)?,
            status,
            amount_msat: Msat::from_msat(r.uint(3)?),
            payment_id: r.opt_text(4)?,
            failure_reason: r.opt_text(5)?,
            updated_at: r.uint(6)?,
        },
        schedule_id: r.text(7)?,
    })
}

impl Store {
    async fn schedules_where(
        &self,
        condition: &str,
        params: Vec<Value>,
    ) -> Result<Vec<ScheduleRecord>, StoreError> {
        self.select_where(COLUMNS, "schedules", condition, params, record_from_row)
            .await
    }

    /// Records a new schedule, or answers the one the account created under the same key.
    ///
    /// # Errors
    /// Database failures.
    pub async fn insert_schedule(
        &self,
        rec: &ScheduleRecord,
        idempotency_key: &str,
    ) -> Result<CreatedSchedule, StoreError> {
        let s = &rec.schedule;
        let result = self
            .db
            .execute(
                "INSERT INTO schedules (id, account_id, status, amount_msat, destination, \
                 schedule, max_total_msat, description, paid_count, paid_total_msat, \
                 failed_count, last_index, next_due_at, idempotency_key, fingerprint, created_at) \
                 VALUES ($1, $2, 'active', $3, $4, $5, $6, $7, 0, 0, 0, NULL, $8, $9, $10, $11)",
                vec![
                    s.id.clone().into(),
                    rec.account_id.clone().into(),
                    s.amount_msat.as_u64().into(),
                    json_text(&s.destination)?.into(),
                    json_text(&s.schedule)?.into(),
                    s.max_total_msat.map(Msat::as_u64).into(),
                    s.description.clone().into(),
                    s.next_due_at.into(),
                    idempotency_key.into(),
                    rec.fingerprint.clone().into(),
                    s.created_at.into(),
                ],
            )
            .await;
        match result {
            Ok(_) => Ok(CreatedSchedule::Created(rec.clone())),
            Err(DbError::Unique { .. }) => self
                .schedules_where(
                    "account_id = $1 AND idempotency_key = $2",
                    vec![rec.account_id.clone().into(), idempotency_key.into()],
                )
                .await?
                .pop()
                .map(CreatedSchedule::Existing)
                .ok_or_else(|| StoreError::conflict("the schedule's id is taken")),
            Err(e) => Err(e.into()),
        }
    }

    /// The account's schedule `id`.
    ///
    /// # Errors
    /// [`StoreError::NotFound`].
    pub async fn schedule(&self, account_id: &str, id: &str) -> Result<ScheduleRecord, StoreError> {
        self.schedules_where(
            "id = $1 AND account_id = $2",
            vec![id.into(), account_id.into()],
        )
        .await?
        .pop()
        .ok_or_else(|| StoreError::not_found("schedule"))
    }

    /// Schedule `id`, of any account (the scheduler's read).
    ///
    /// # Errors
    /// Database failures.
    pub async fn schedule_by_id(&self, id: &str) -> Result<Option<ScheduleRecord>, StoreError> {
        Ok(self
            .schedules_where("id = $1", vec![id.into()])
            .await?
            .pop())
    }

    /// A page of the account's schedules, newest first.
    ///
    /// # Errors
    /// Database failures.
    pub async fn list_schedules(
        &self,
        account_id: &str,
        filter: &ListFilter,
    ) -> Result<(Vec<LspSchedule>, Option<String>), StoreError> {
        let decode = |r: &Row| record_from_row(r).map(|rec| rec.schedule);
        self.account_page(COLUMNS, "schedules", account_id, filter, decode, |s| {
            Cursor {
                created_at: s.created_at,
                id: s.id.clone(),
            }
        })
        .await
    }

    /// Active schedules with an occurrence due by `now` and no run in flight, soonest first
    /// (at most 500 a pass).
    ///
    /// # Errors
    /// Database failures.
    pub async fn due_schedules(&self, now: u64) -> Result<Vec<ScheduleRecord>, StoreError> {
        self.schedules_where(
            "status = 'active' AND next_due_at <= $1 AND NOT EXISTS (SELECT 1 FROM schedule_runs r \
             WHERE r.schedule_id = schedules.id AND r.status = 'in_flight') \
             ORDER BY next_due_at LIMIT 500",
            vec![now.into()],
        )
        .await
    }

    /// Every run in flight, oldest first.
    ///
    /// # Errors
    /// Database failures.
    pub async fn runs_in_flight(&self) -> Result<Vec<RunRecord>, StoreError> {
        let sql = format!(
            "SELECT {RUN_COLUMNS} FROM schedule_runs WHERE status = 'in_flight' \
             ORDER BY updated_at LIMIT 500"
        );
        self.db
            .query(&sql, vec![])
            .await?
            .iter()
            .map(run_from_row)
            .collect()
    }

    /// The runs of schedule `id`, newest first (at most `limit`).
    ///
    /// # Errors
    /// Database failures.
    pub async fn schedule_runs(
        &self,
        id: &str,
        limit: u32,
    ) -> Result<Vec<ScheduleRun>, StoreError> {
        let sql = format!(
            "SELECT {RUN_COLUMNS} FROM schedule_runs WHERE schedule_id = $1 \
             ORDER BY idx DESC LIMIT $2"
        );
        self.db
            .query(&sql, vec![id.into(), u64::from(limit).into()])
            .await?
            .iter()
            .map(|r| run_from_row(r).map(|rec| rec.run))
            .collect()
    }

    /// Starts occurrence `index` (due at `due_at`) of `rec`: records its run in flight and
    /// moves the schedule past it (`next_due_at` = the following occurrence, `None` when it is
    /// the last), guarded on the schedule still being active at the previous index. Returns
    /// the run, or `None` when another step got there first.
    ///
    /// # Errors
    /// Database failures.
    pub async fn start_run(
        &self,
        rec: &ScheduleRecord,
        index: u32,
        due_at: u64,
        next_due_at: Option<u64>,
    ) -> Result<Option<RunRecord>, StoreError> {
        let now = now_secs();
        let s = &rec.schedule;
        let stmts = vec![
            Stmt::guarded(
                "UPDATE schedules SET last_index = $1, next_due_at = $2 WHERE id = $3 \
                 AND status = 'active' AND COALESCE(last_index, -1) = $4",
                vec![
                    u64::from(index).into(),
                    next_due_at.into(),
                    s.id.clone().into(),
                    s.last_index.map_or(-1, i64::from).into(),
                ],
                1,
            ),
            Stmt::new(
                "INSERT INTO schedule_runs (schedule_id, idx, due_at, status, amount_msat, \
                 updated_at) VALUES ($1, $2, $3, 'in_flight', $4, $5)",
                vec![
                    s.id.clone().into(),
                    u64::from(index).into(),
                    due_at.into(),
                    s.amount_msat.as_u64().into(),
                    now.into(),
                ],
            ),
        ];
        let result = {
            let _order = self.write_lock.lock().await;
            self.db.batch(stmts).await
        };
        match result {
            Ok(_) => Ok(Some(RunRecord {
                run: ScheduleRun {
                    index,
                    due_at,
                    status: RunStatus::InFlight,
                    amount_msat: s.amount_msat,
                    payment_id: None,
                    failure_reason: None,
                    updated_at: now,
                },
                schedule_id: s.id.clone(),
            })),
            Err(e) if e.is_guard() || matches!(e, DbError::Unique { .. }) => Ok(None),
            Err(e) => Err(e.into()),
        }
    }

    /// Records where run `run` stands: its payment sent, or its end (the schedule's counters
    /// move with it, and a schedule with no occurrence left completes). Guarded on the run
    /// being in flight, so a repeated step changes nothing; returns whether it changed.
    ///
    /// # Errors
    /// Database failures.
    pub async fn record_run(
        &self,
        run: &RunRecord,
        outcome: &RunOutcome,
    ) -> Result<bool, StoreError> {
        let now = now_secs();
        let id = run.schedule_id.clone();
        let index = u64::from(run.run.index);
        let amount = run.run.amount_msat.as_u64();
        let mut stmts = Vec::new();
        let ends = match outcome {
            RunOutcome::Sent { payment_id } => {
                stmts.push(Stmt::guarded(
                    "UPDATE schedule_runs SET payment_id = $1, updated_at = $2 \
                     WHERE schedule_id = $3 AND idx = $4 AND status = 'in_flight'",
                    vec![
                        payment_id.clone().into(),
                        now.into(),
                        id.into(),
                        index.into(),
                    ],
                    1,
                ));
                false
            }
            RunOutcome::Succeeded { payment_id } => {
                stmts.push(Stmt::guarded(
                    "UPDATE schedule_runs SET status = 'succeeded', payment_id = $1, \
                     updated_at = $2 WHERE schedule_id = $3 AND idx = $4 AND status = 'in_flight'",
                    vec![
                        payment_id.clone().into(),
                        now.into(),
                        id.clone().into(),
                        index.into(),
                    ],
                    1,
                ));
                stmts.push(Stmt::guarded(
                    "UPDATE schedules SET paid_count = paid_count + 1, \
                     paid_total_msat = paid_total_msat + $1 WHERE id = $2",
                    vec![amount.into(), id.clone().into()],
                    1,
                ));
                true
            }
            RunOutcome::Failed { payment_id, reason } => {
                stmts.push(Stmt::guarded(
                    "UPDATE schedule_runs SET status = 'failed', payment_id = $1, \
                     failure_reason = $2, updated_at = $3 \
                     WHERE schedule_id = $4 AND idx = $5 AND status = 'in_flight'",
                    vec![
                        payment_id.clone().into(),
                        reason.clone().into(),
                        now.into(),
                        id.clone().into(),
                        index.into(),
                    ],
                    1,
                ));
                stmts.push(Stmt::guarded(
                    "UPDATE schedules SET failed_count = failed_count + 1 WHERE id = $1",
                    vec![id.clone().into()],
                    1,
                ));
                true
            }
        };
        if ends {
            // The last occurrence ended: the schedule is complete.
            stmts.push(Stmt::new(
                "UPDATE schedules SET status = 'completed', ended_at = $1 \
                 WHERE id = $2 AND status = 'active' AND next_due_at IS NULL",
                vec![now.into(), run.schedule_id.clone().into()],
            ));
        }
        let result = {
            let _order = self.write_lock.lock().await;
            self.db.batch(stmts).await
        };
        match result {
            Ok(_) => Ok(true),
            Err(e) if e.is_guard() => Ok(false),
            Err(e) => Err(e.into()),
        }
    }

    /// Moves an active schedule's next occurrence to `next` without a run (its catch-up rule
    /// skipped what was missed), or completes it when there is none.
    ///
    /// # Errors
    /// Database failures.
    pub async fn postpone_schedule(&self, id: &str, next: Option<u64>) -> Result<(), StoreError> {
        let Some(next) = next else {
            self.end_schedule(id, ScheduleStatus::Completed).await?;
            return Ok(());
        };
        let _order = self.write_lock.lock().await;
        self.db
            .execute(
                "UPDATE schedules SET next_due_at = $1 WHERE id = $2 AND status = 'active'",
                vec![next.into(), id.into()],
            )
            .await?;
        Ok(())
    }

    /// Ends an active schedule: `Cancelled` by the account, or `Completed` (its cap reached).
    /// A run in flight goes on to its end. Returns whether it changed.
    ///
    /// # Errors
    /// Database failures.
    pub async fn end_schedule(&self, id: &str, end: ScheduleStatus) -> Result<bool, StoreError> {
        let changed = {
            let _order = self.write_lock.lock().await;
            self.db
                .execute(
                    "UPDATE schedules SET status = $1, next_due_at = NULL, ended_at = $2 \
                     WHERE id = $3 AND status = 'active'",
                    vec![end.as_str().into(), now_secs().into(), id.into()],
                )
                .await?
        };
        Ok(changed == 1)
    }
}
