//! Recurring payment schedules: when each payment of a daily, weekly, monthly or custom
//! schedule falls due (calendar-correct, in UTC), and which ones to pay after downtime.
//!
//! A [`Schedule`] is pure data; it never reads the clock. The payer keeps the index of the last
//! occurrence it paid and asks [`Schedule::due`] what to pay now. The [`Occurrence::index`] is
//! stable for the life of the schedule, so it doubles as the idempotency key of that payment.
//!
//! Monthly schedules are anchored to the start's day of the month and clamped to each month's
//! length: a schedule started on January 31 falls due on February 29 in a leap year (February 28
//! otherwise), March 31, April 30, and so on. Occurrence `n` is always computed from the start,
//! never from occurrence `n - 1`, so it never drifts.
//!
//! Supported instants run from the Unix epoch to 9999-12-31T23:59:59Z; a schedule has at most
//! 2³² occurrences (indexes are `u32`).

mod civil;
#[cfg(test)]
mod tests;

use serde::{Deserialize, Serialize};

use civil::{MAX_UNIX_SECS, SECS_PER_DAY};

/// The latest Unix timestamp (seconds) a schedule accepts or produces: 9999-12-31T23:59:59Z.
pub const MAX_SCHEDULE_SECS: u64 = MAX_UNIX_SECS;

/// The UTC calendar date of a Unix timestamp, `YYYY-MM-DD` (for printed expiry dates), or
/// `None` past [`MAX_SCHEDULE_SECS`].
pub fn utc_date(secs: u64) -> Option<String> {
    let dt = civil::from_unix(secs)?;
    Some(format!("{:04}-{:02}-{:02}", dt.year, dt.month, dt.day))
}

/// How far apart the occurrences of a [`Schedule`] are.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Period {
    /// Every 24 hours at the start's time of day (UTC has no daylight saving).
    Daily,
    /// Every 7 days at the start's time of day.
    Weekly,
    /// Every `months` calendar months on the start's day of the month (clamped to the month's
    /// length) at the start's time of day. `months: 1` is monthly, `12` yearly.
    Monthly {
        /// Months between occurrences; must be at least 1.
        months: u32,
    },
    /// A custom fixed period of `secs` seconds.
    Every {
        /// Seconds between occurrences; must be at least 1.
        secs: u64,
    },
}

/// What [`Schedule::due`] returns for occurrences that fell due while the payer was not looking.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum CatchUp {
    /// Pay every missed occurrence, oldest first, at most `max` per call: after a long downtime
    /// the backlog comes out in batches of `max` (the next call continues where the payer's last
    /// paid index stands), so output stays bounded and nothing is skipped.
    All {
        /// The most occurrences one call returns; must be at least 1.
        max: u32,
    },
    /// Skip the missed occurrences except the most recent one due.
    LatestOnly,
    /// Skip every missed occurrence: only the most recent one, and only while it is at most
    /// `grace_secs` seconds overdue (so a payer polling every minute still pays on time);
    /// otherwise nothing is due until the next occurrence in the future.
    None {
        /// How late (in seconds) an occurrence may still be paid; must be at least 1.
        grace_secs: u64,
    },
}

/// A recurring payment schedule: when payments fall due, in UTC.
///
/// Fields are public so a schedule can be stored and restored; every method validates them
/// first (see [`Schedule::validate`]), and [`Schedule::new`] builds a validated one.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct Schedule {
    /// How far apart occurrences are.
    pub period: Period,
    /// The first occurrence (index 0), in Unix seconds; it fixes the time of day and, for
    /// monthly schedules, the anchor day of the month.
    pub start: u64,
    /// The last instant (inclusive, Unix seconds) an occurrence may fall on, if any.
    pub end: Option<u64>,
    /// The number of occurrences, if limited (indexes `0..max_count`).
    pub max_count: Option<u32>,
    /// What to pay after downtime.
    pub catch_up: CatchUp,
}

/// One occurrence of a schedule: a payment that falls due.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub struct Occurrence {
    /// Its position in the schedule, from 0; stable, so usable as the payment's idempotency key.
    pub index: u32,
    /// When it falls due, in Unix seconds.
    pub due_at: u64,
}

/// Errors of recurring schedules.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum ScheduleError {
    /// The schedule's `end` is before its `start`.
    #[error("schedule ends at {end} before it starts at {start}")]
    EndBeforeStart {
        /// The start, Unix seconds.
        start: u64,
        /// The end, Unix seconds.
        end: u64,
    },
    /// The period is zero (`Every { secs: 0 }` or `Monthly { months: 0 }`).
    #[error("schedule period is zero")]
    ZeroPeriod,
    /// `max_count` is `Some(0)`: a schedule with no occurrences is a mistake.
    #[error("schedule max_count is zero")]
    ZeroMaxCount,
    /// `CatchUp::All { max: 0 }` would never return anything.
    #[error("catch-up limit is zero")]
    ZeroCatchUpLimit,
    /// `CatchUp::None { grace_secs: 0 }` would only pay when polled at the exact second.
    #[error("catch-up grace window is zero")]
    ZeroGraceWindow,
    /// `start` or `end` is past the last supported instant (9999-12-31T23:59:59Z).
    #[error("timestamp {secs} is past the last supported instant {max_secs}")]
    TimestampOutOfRange {
        /// The offending timestamp, Unix seconds.
        secs: u64,
        /// The last supported instant, Unix seconds.
        max_secs: u64,
    },
    /// Occurrence `index` of an unbounded schedule would fall past 9999-12-31T23:59:59Z.
    #[error("occurrence {index} falls past the last supported date")]
    DateOutOfRange {
        /// The occurrence's index.
        index: u32,
    },
}

impl ScheduleError {
    /// The stable code of this error (see [`crate::Error::code`]).
    pub fn code(&self) -> &'static str {
        match self {
            ScheduleError::EndBeforeStart { .. } => "schedule_end_before_start",
            ScheduleError::ZeroPeriod => "schedule_zero_period",
            ScheduleError::ZeroMaxCount => "schedule_zero_max_count",
            ScheduleError::ZeroCatchUpLimit => "schedule_zero_catch_up_limit",
            ScheduleError::ZeroGraceWindow => "schedule_zero_grace_window",
            ScheduleError::TimestampOutOfRange { .. } => "schedule_timestamp_out_of_range",
            ScheduleError::DateOutOfRange { .. } => "schedule_date_out_of_range",
        }
    }
}

impl Schedule {
    /// A validated schedule.
    ///
    /// # Errors
    /// Any [`ScheduleError`] that [`Schedule::validate`] reports.
    pub fn new(
        period: Period,
        start: u64,
        end: Option<u64>,
        max_count: Option<u32>,
        catch_up: CatchUp,
    ) -> Result<Schedule, ScheduleError> {
        let schedule = Schedule {
            period,
            start,
            end,
            max_count,
            catch_up,
        };
        schedule.validate()?;
        Ok(schedule)
    }

    /// Checks the fields: a non-zero period, `start` and `end` within the supported range,
    /// `end >= start`, a non-zero `max_count`, and a non-zero catch-up limit or grace window.
    ///
    /// # Errors
    /// The first problem found, as a [`ScheduleError`].
    pub fn validate(&self) -> Result<(), ScheduleError> {
        if matches!(
            self.period,
            Period::Every { secs: 0 } | Period::Monthly { months: 0 }
        ) {
            return Err(ScheduleError::ZeroPeriod);
        }
        let out_of_range = |secs| ScheduleError::TimestampOutOfRange {
            secs,
            max_secs: MAX_UNIX_SECS,
        };
        if self.start > MAX_UNIX_SECS {
            return Err(out_of_range(self.start));
        }
        if let Some(end) = self.end {
            if end > MAX_UNIX_SECS {
                return Err(out_of_range(end));
            }
            if end < self.start {
                return Err(ScheduleError::EndBeforeStart {
                    start: self.start,
                    end,
                });
            }
        }
        if self.max_count == Some(0) {
            return Err(ScheduleError::ZeroMaxCount);
        }
        match self.catch_up {
            CatchUp::All { max: 0 } => Err(ScheduleError::ZeroCatchUpLimit),
            CatchUp::None { grace_secs: 0 } => Err(ScheduleError::ZeroGraceWindow),
            _ => Ok(()),
        }
    }

    /// When occurrence `n` (from 0) falls due, in Unix seconds; `None` when the schedule has
    /// ended before it (past `end` or `max_count`).
    ///
    /// # Errors
    /// An invalid schedule ([`Schedule::validate`]), or [`ScheduleError::DateOutOfRange`] when a
    /// schedule without `end` would place occurrence `n` past 9999-12-31T23:59:59Z.
    pub fn occurrence(&self, n: u32) -> Result<Option<u64>, ScheduleError> {
        self.validate()?;
        self.bounded_occurrence(n)
    }

    /// The first occurrence that falls due strictly after `t` (Unix seconds); `None` when the
    /// schedule has ended by then.
    ///
    /// # Errors
    /// As [`Schedule::occurrence`].
    pub fn next_due_after(&self, t: u64) -> Result<Option<Occurrence>, ScheduleError> {
        self.validate()?;
        let n = match self.index_at_or_before(t) {
            None => 0,
            Some(i) => match i.checked_add(1) {
                Some(next) => next,
                None => return Ok(None),
            },
        };
        Ok(self
            .bounded_occurrence(n)?
            .map(|due_at| Occurrence { index: n, due_at }))
    }

    /// The occurrences to pay at `now` (Unix seconds), oldest first, given the index of the last
    /// one paid (`None` if none yet), following the schedule's [`CatchUp`] rule.
    ///
    /// Only occurrences with an index above `last_paid_index` that are due (`due_at <= now`) and
    /// within `end` and `max_count` are returned, so an occurrence is never offered twice once
    /// the payer records it as paid.
    ///
    /// # Errors
    /// An invalid schedule ([`Schedule::validate`]).
    pub fn due(
        &self,
        last_paid_index: Option<u32>,
        now: u64,
    ) -> Result<Vec<Occurrence>, ScheduleError> {
        self.validate()?;
        let first = match last_paid_index {
            None => 0,
            Some(i) => match i.checked_add(1) {
                Some(first) => first,
                None => return Ok(Vec::new()),
            },
        };
        let Some(last) = self.last_due_index(now) else {
            return Ok(Vec::new());
        };
        if last < first {
            return Ok(Vec::new());
        }
        let at = |index: u32| {
            self.raw_occurrence(index)
                .map(|due_at| Occurrence { index, due_at })
        };
        Ok(match self.catch_up {
            CatchUp::All { max } => (first..=last)
                .take(usize::try_from(max).unwrap_or(usize::MAX))
                .filter_map(at)
                .collect(),
            CatchUp::LatestOnly => at(last).into_iter().collect(),
            CatchUp::None { grace_secs } => at(last)
                .filter(|o| now.saturating_sub(o.due_at) <= grace_secs)
                .into_iter()
                .collect(),
        })
    }

    /// Occurrence `n` limited by `max_count` and `end`; the schedule must be valid.
    fn bounded_occurrence(&self, n: u32) -> Result<Option<u64>, ScheduleError> {
        if self.max_count.is_some_and(|count| n >= count) {
            return Ok(None);
        }
        match (self.raw_occurrence(n), self.end) {
            (Some(t), Some(end)) if t > end => Ok(None),
            (Some(t), _) => Ok(Some(t)),
            // `end` is within the supported range, so an occurrence beyond it has ended.
            (None, Some(_)) => Ok(None),
            (None, None) => Err(ScheduleError::DateOutOfRange { index: n }),
        }
    }

    /// Occurrence `n` ignoring `end` and `max_count`; `None` past the supported range.
    fn raw_occurrence(&self, n: u32) -> Option<u64> {
        let step = |secs: u64| {
            secs.checked_mul(u64::from(n))
                .and_then(|offset| self.start.checked_add(offset))
                .filter(|t| *t <= MAX_UNIX_SECS)
        };
        match self.period {
            Period::Daily => step(SECS_PER_DAY),
            Period::Weekly => step(7 * SECS_PER_DAY),
            Period::Every { secs } => step(secs),
            Period::Monthly { months } => {
                civil::add_months(self.start, u64::from(months) * u64::from(n))
            }
        }
    }

    /// The largest index whose raw occurrence is at or before `t`; `None` when `t < start`.
    fn index_at_or_before(&self, t: u64) -> Option<u32> {
        if t < self.start {
            return None;
        }
        // Every occurrence is within the supported range, so a later `t` changes nothing.
        let t = t.min(MAX_UNIX_SECS);
        let elapsed = t - self.start;
        // An estimate that is exact for fixed periods and at most one too high for months.
        let estimate = match self.period {
            Period::Daily => elapsed / SECS_PER_DAY,
            Period::Weekly => elapsed / (7 * SECS_PER_DAY),
            Period::Every { secs } => elapsed.checked_div(secs).unwrap_or(0),
            Period::Monthly { months } => {
                let months_between = civil::month_number(t)
                    .zip(civil::month_number(self.start))
                    .and_then(|(to, from)| u64::try_from(to - from).ok())
                    .unwrap_or(0);
                months_between.checked_div(u64::from(months)).unwrap_or(0)
            }
        };
        let mut n = u32::try_from(estimate).unwrap_or(u32::MAX);
        while n > 0 && self.raw_occurrence(n).is_none_or(|due| due > t) {
            n -= 1;
        }
        while let Some(next) = n.checked_add(1) {
            if self.raw_occurrence(next).is_some_and(|due| due <= t) {
                n = next;
            } else {
                break;
            }
        }
        Some(n)
    }

    /// The index of the most recent occurrence due at `now`, within `end` and `max_count`.
    fn last_due_index(&self, now: u64) -> Option<u32> {
        let limit = self.end.map_or(now, |end| end.min(now));
        let n = self.index_at_or_before(limit)?;
        match self.max_count {
            Some(count) => count.checked_sub(1).map(|max_index| n.min(max_index)),
            None => Some(n),
        }
    }
}
