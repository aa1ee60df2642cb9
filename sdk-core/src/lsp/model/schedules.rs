//! Recurring payments (S25): a schedule the account authorises once (amount, destination,
//! period, end, count, total cap) that the LSP's persistent scheduler pays on time, each
//! occurrence exactly once, across restarts, until it ends or is cancelled.
//!
//! When each payment falls due is the core's [`Schedule`] (calendar-correct in UTC, with its
//! catch-up rule after downtime). Occurrence `n` is paid with the idempotency key
//! `schedule:{id}:{n}`, so a payment made before a crash is found, never made again.

use serde::{Deserialize, Serialize};

use super::validate::check_client_key;
use super::{PayoutDestination, RequestError, Validate};
use crate::amount::Msat;
use crate::lsp::limits::MAX_INVOICE_AMOUNT_MSAT;
use crate::recurring::Schedule;

/// The longest schedule description, in bytes.
pub const MAX_SCHEDULE_DESCRIPTION_BYTES: usize = 200;

/// Body of `POST /v1/schedules`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CreateScheduleRequest {
    /// What each occurrence pays.
    pub amount_msat: Msat,
    /// Who is paid: an account of this LSP, a Lightning Address, or a node by keysend.
    pub destination: PayoutDestination,
    /// When payments fall due: period, first occurrence (`start`, unix seconds), optional
    /// `end` and `max_count`, and what to pay after downtime (`catch_up`).
    pub schedule: Schedule,
    /// The most the schedule pays in total; the occurrence that would pass it is not paid and
    /// the schedule completes.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub max_total_msat: Option<Msat>,
    /// What the payments are for (the payee's invoice description), ≤ 200 bytes.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    /// One key, one schedule: the same key answers the same schedule.
    pub idempotency_key: String,
}

impl Validate for CreateScheduleRequest {
    fn validate(&self) -> Result<(), RequestError> {
        if self.amount_msat.as_u64() == 0 || self.amount_msat > MAX_INVOICE_AMOUNT_MSAT {
            return Err(RequestError::new(
                "amount_msat",
                format!("must be between 1 and {}", MAX_INVOICE_AMOUNT_MSAT.as_u64()),
            ));
        }
        self.destination.check_payable("a schedule")?;
        self.schedule
            .validate()
            .map_err(|e| RequestError::new("schedule", e.to_string()))?;
        if self
            .max_total_msat
            .is_some_and(|cap| cap < self.amount_msat)
        {
            return Err(RequestError::new(
                "max_total_msat",
                "must be at least amount_msat",
            ));
        }
        if self
            .description
            .as_deref()
            .is_some_and(|d| d.len() > MAX_SCHEDULE_DESCRIPTION_BYTES)
        {
            return Err(RequestError::new(
                "description",
                format!("must be at most {MAX_SCHEDULE_DESCRIPTION_BYTES} bytes of UTF-8"),
            ));
        }
        check_client_key("idempotency_key", &self.idempotency_key)
    }
}

/// Where a schedule stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ScheduleStatus {
    /// Paying each occurrence as it falls due.
    Active,
    /// Every occurrence paid, or its end, count or total cap reached (final).
    Completed,
    /// Cancelled by the account: nothing more is paid (final).
    Cancelled,
}

impl ScheduleStatus {
    /// Every status.
    pub const ALL: [ScheduleStatus; 3] = [
        ScheduleStatus::Active,
        ScheduleStatus::Completed,
        ScheduleStatus::Cancelled,
    ];

    /// The wire name.
    pub fn as_str(self) -> &'static str {
        match self {
            ScheduleStatus::Active => "active",
            ScheduleStatus::Completed => "completed",
            ScheduleStatus::Cancelled => "cancelled",
        }
    }

    /// The status named `name`.
    pub fn from_name(name: &str) -> Option<ScheduleStatus> {
        ScheduleStatus::ALL.into_iter().find(|s| s.as_str() == name)
    }
}

/// A recurring payment schedule of the account.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct LspSchedule {
    /// Its id (`sch_…`).
    pub id: String,
    /// Where it stands.
    pub status: ScheduleStatus,
    /// What each occurrence pays.
    pub amount_msat: Msat,
    /// Who is paid.
    pub destination: PayoutDestination,
    /// When payments fall due.
    pub schedule: Schedule,
    /// The most it pays in total.
    pub max_total_msat: Option<Msat>,
    /// What the payments are for.
    pub description: String,
    /// Occurrences paid.
    pub paid_count: u32,
    /// What they paid, fees excluded.
    pub paid_total_msat: Msat,
    /// Occurrences whose payment failed (not retried: the next occurrence is paid on time).
    pub failed_count: u32,
    /// The index of the last occurrence run (paid or failed), if any.
    pub last_index: Option<u32>,
    /// When the next occurrence falls due, while active.
    pub next_due_at: Option<u64>,
    /// Creation time, unix seconds.
    pub created_at: u64,
    /// When it completed or was cancelled.
    pub ended_at: Option<u64>,
}

/// A page of the account's schedules, newest first.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ScheduleList {
    /// The page's schedules.
    pub items: Vec<LspSchedule>,
    /// Pass as `cursor` for the next page; `None` on the last page.
    pub next_cursor: Option<String>,
}

/// Where one occurrence's payment stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum RunStatus {
    /// Sent over Lightning; the outcome is not known yet.
    InFlight,
    /// Paid.
    Succeeded,
    /// Not paid (the reason says why); the schedule goes on with the next occurrence.
    Failed,
}

impl RunStatus {
    /// The wire name.
    pub fn as_str(self) -> &'static str {
        match self {
            RunStatus::InFlight => "in_flight",
            RunStatus::Succeeded => "succeeded",
            RunStatus::Failed => "failed",
        }
    }

    /// The status named `name`.
    pub fn from_name(name: &str) -> Option<RunStatus> {
        [RunStatus::InFlight, RunStatus::Succeeded, RunStatus::Failed]
            .into_iter()
            .find(|s| s.as_str() == name)
    }
}

/// One occurrence of a schedule and its payment: the schedule's history.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ScheduleRun {
    /// The occurrence's index, from 0.
    pub index: u32,
    /// When it fell due (unix seconds).
    pub due_at: u64,
    /// Where its payment stands.
    pub status: RunStatus,
    /// What it paid.
    pub amount_msat: Msat,
    /// The account's payment (idempotency key `schedule:{id}:{index}`).
    pub payment_id: Option<String>,
    /// Why it failed.
    pub failure_reason: Option<String>,
    /// When it last changed.
    pub updated_at: u64,
}

/// A schedule's runs, newest first.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ScheduleRunList {
    /// The runs.
    pub items: Vec<ScheduleRun>,
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::recurring::{CatchUp, Period};

    fn request() -> CreateScheduleRequest {
        CreateScheduleRequest {
            amount_msat: Msat::from_msat(10_000),
            destination: PayoutDestination::Account {
                account_id: "acc_1".into(),
            },
            schedule: Schedule {
                period: Period::Monthly { months: 1 },
                start: 1_700_000_000,
                end: None,
                max_count: Some(12),
                catch_up: CatchUp::All { max: 3 },
            },
            max_total_msat: None,
            description: Some("Subscription".into()),
            idempotency_key: "sub-1".into(),
        }
    }

    #[test]
    fn s25_requests_outside_limits_name_their_field() {
        assert_eq!(request().validate(), Ok(()));
        let field = |r: CreateScheduleRequest| r.validate().unwrap_err().field;
        let mut r = request();
        r.amount_msat = Msat::ZERO;
        assert_eq!(field(r), "amount_msat");
        let mut r = request();
        r.destination = PayoutDestination::Account {
            account_id: "not an id".into(),
        };
        assert_eq!(field(r), "destination.account_id");
        let mut r = request();
        r.schedule.max_count = Some(0);
        assert_eq!(field(r), "schedule");
        let mut r = request();
        r.max_total_msat = Some(Msat::from_msat(9_999));
        assert_eq!(field(r), "max_total_msat");
        let mut r = request();
        r.idempotency_key = " ".into();
        assert_eq!(field(r), "idempotency_key");
    }

    #[test]
    fn s25_statuses_round_trip_their_names() {
        for s in ScheduleStatus::ALL {
            assert_eq!(ScheduleStatus::from_name(s.as_str()), Some(s));
        }
        for s in [RunStatus::InFlight, RunStatus::Succeeded, RunStatus::Failed] {
            assert_eq!(RunStatus::from_name(s.as_str()), Some(s));
        }
    }
}
