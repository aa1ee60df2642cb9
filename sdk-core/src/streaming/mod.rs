//! Streaming payments: "pay X msat per second while the player plays" as a pure, clock-driven
//! state machine (metered play time).
//!
//! [`StreamingPayment`] never reads a clock and never sends money: the caller passes the time
//! (`now_ms`, milliseconds on any monotonic-ish clock, e.g. [`crate::clock::Clock`]) and acts on
//! the [`TickDecision`] it gets back, then reports the payment's outcome.
//!
//! # Accounting
//! The stream counts *active* milliseconds (running, not paused). What it has earned is always
//! `min(floor(rate_msat_per_sec × active_ms / 1000), budget_cap)`, computed in `u128` from the
//! total active time, never summed from per-tick roundings, so sub-msat remainders carry over
//! exactly and nothing is lost or counted twice. At every moment
//! `paid + in_flight + owed == earned`.
//!
//! # Rules
//! - Payments are in arrears, at most one per tick interval, and only one is in flight at a time.
//! - Dust: while the budget cap is not reached, a payment is only issued once `owed >=
//!   min_payment`; the remainder below `min_payment` is flushed by the final settlement after
//!   [`StreamingPayment::stop`] and when the earned amount reaches the cap.
//! - The total paid never exceeds `budget_cap`; the payment reaching it is trimmed to it.
//! - Time going backwards is treated as no elapsed time: the stream keeps the latest time it has
//!   seen and only counts time beyond it (it never charges twice for the same interval).
//! - Invalid calls return a typed [`StreamError`] and leave the stream unchanged.

mod engine;
#[cfg(test)]
mod proptests;
#[cfg(test)]
mod tests;

use core::fmt;

use serde::{Deserialize, Serialize};

use crate::amount::Msat;

pub use engine::StreamingPayment;

/// What a streaming payment does when a payment it asked for fails.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum FailurePolicy {
    /// Keep the amount owed and try again at the first tick `backoff_ms` after the failure;
    /// after `max_attempts` consecutive failed attempts (the first try included) the stream
    /// stops as [`StreamState::Failed`]. A success resets the count.
    Retry {
        /// Consecutive attempts allowed, the first included; at least 1.
        max_attempts: u32,
        /// Milliseconds to wait after a failure before the next attempt.
        backoff_ms: u64,
    },
    /// Pause the stream (play time stops being charged) until the caller resumes it; the amount
    /// owed is paid at the first tick after resuming. After `stop` this acts like `Stop`.
    Pause,
    /// Stop the stream as [`StreamState::Failed`]; the unpaid remainder stays in
    /// [`StreamStats::owed`] for the caller to settle another way.
    Stop,
}

/// The settings of a streaming payment.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct StreamConfig {
    /// Millisatoshis charged per second of active time; at least 1.
    pub rate_msat_per_sec: u64,
    /// Milliseconds between payments; at least 1.
    pub tick_interval_ms: u64,
    /// The most the stream may ever pay in total; at least 1 msat.
    pub budget_cap: Msat,
    /// The smallest payment sent while streaming (no dust); at most `budget_cap`.
    pub min_payment: Msat,
    /// What to do when a payment fails.
    pub failure_policy: FailurePolicy,
}

impl StreamConfig {
    /// Checks the settings: non-zero rate, interval and cap, `min_payment <= budget_cap`, and
    /// at least one attempt when retrying.
    ///
    /// # Errors
    /// The first problem found, as a [`StreamError`].
    pub fn validate(&self) -> Result<(), StreamError> {
        if self.rate_msat_per_sec == 0 {
            return Err(StreamError::ZeroRate);
        }
        if self.tick_interval_ms == 0 {
            return Err(StreamError::ZeroTickInterval);
        }
        if self.budget_cap == Msat::ZERO {
            return Err(StreamError::ZeroBudgetCap);
        }
        if self.min_payment > self.budget_cap {
            return Err(StreamError::MinPaymentAboveCap {
                min_payment_msat: self.min_payment.as_u64(),
                budget_cap_msat: self.budget_cap.as_u64(),
            });
        }
        if matches!(
            self.failure_policy,
            FailurePolicy::Retry {
                max_attempts: 0,
                ..
            }
        ) {
            return Err(StreamError::ZeroRetryAttempts);
        }
        Ok(())
    }
}

/// The lifecycle state of a streaming payment.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum StreamState {
    /// Active time is being charged.
    Running,
    /// Paused by the caller or by [`FailurePolicy::Pause`]: time is not charged.
    Paused,
    /// Stopped by the caller; the final settlement is still being paid.
    Settling,
    /// Stopped and fully settled (terminal).
    Finished,
    /// Stopped by the failure policy, possibly with an unpaid remainder (terminal).
    Failed,
}

impl StreamState {
    /// The state's snake_case name.
    pub fn as_str(self) -> &'static str {
        match self {
            StreamState::Running => "running",
            StreamState::Paused => "paused",
            StreamState::Settling => "settling",
            StreamState::Finished => "finished",
            StreamState::Failed => "failed",
        }
    }

    /// Whether the stream is over (`Finished` or `Failed`) and accepts no more calls.
    pub fn is_terminal(self) -> bool {
        matches!(self, StreamState::Finished | StreamState::Failed)
    }
}

impl fmt::Display for StreamState {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A call that changes a stream's state, named in [`StreamError::InvalidTransition`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum StreamAction {
    /// [`StreamingPayment::tick`].
    Tick,
    /// [`StreamingPayment::pause`].
    Pause,
    /// [`StreamingPayment::resume`].
    Resume,
    /// [`StreamingPayment::stop`].
    Stop,
}

impl fmt::Display for StreamAction {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            StreamAction::Tick => "tick",
            StreamAction::Pause => "pause",
            StreamAction::Resume => "resume",
            StreamAction::Stop => "stop",
        })
    }
}

/// What the caller should do after [`StreamingPayment::tick`] or [`StreamingPayment::stop`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum TickDecision {
    /// Send `amount` now and report the outcome with `sequence`
    /// ([`StreamingPayment::payment_succeeded`] / [`StreamingPayment::payment_failed`]).
    Pay {
        /// The amount to send (never zero).
        amount: Msat,
        /// The payment's number in this stream, from 1; use it as its idempotency key.
        sequence: u64,
    },
    /// Nothing to pay yet; tick again at or after `next_tick_ms`.
    Wait {
        /// When the next payment may be issued.
        next_tick_ms: u64,
    },
    /// A payment is still in flight; report its outcome before anything else is paid.
    InFlight {
        /// The in-flight payment's sequence.
        sequence: u64,
    },
    /// The stream is paused; nothing accrues or is paid until it resumes.
    Paused,
    /// The whole budget cap has been paid; nothing more will be charged. Stop the stream.
    BudgetExhausted,
    /// The stream is stopped and fully settled. It is now closed: later calls are errors.
    Finished,
}

/// What happened to a stream after [`StreamingPayment::payment_failed`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum FailureOutcome {
    /// The owed amount will be retried at the first tick at or after `at_ms`.
    RetryAt {
        /// The earliest retry time.
        at_ms: u64,
        /// The number of the coming attempt (2 for the first retry).
        attempt: u32,
    },
    /// The stream paused itself ([`FailurePolicy::Pause`]).
    Paused,
    /// The stream stopped as [`StreamState::Failed`] (policy `Stop`, or retries exhausted).
    Stopped,
}

/// A snapshot of a stream's accounts, as of the latest time it was given.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct StreamStats {
    /// The lifecycle state.
    pub state: StreamState,
    /// Milliseconds of active (charged) time so far.
    pub active_ms: u64,
    /// What the active time has earned: `min(floor(rate × active_ms / 1000), budget_cap)`.
    pub earned: Msat,
    /// Total of payments reported as succeeded.
    pub paid: Msat,
    /// The amount of the payment in flight, or zero.
    pub in_flight: Msat,
    /// Earned but neither paid nor in flight.
    pub owed: Msat,
    /// The budget cap.
    pub budget_cap: Msat,
    /// The sequence of the payment in flight, if any.
    pub in_flight_sequence: Option<u64>,
    /// Consecutive failed attempts since the last success.
    pub consecutive_failures: u32,
}

/// Errors of streaming payments.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum StreamError {
    /// `rate_msat_per_sec` is zero.
    #[error("stream rate is zero")]
    ZeroRate,
    /// `tick_interval_ms` is zero.
    #[error("stream tick interval is zero")]
    ZeroTickInterval,
    /// `budget_cap` is zero.
    #[error("stream budget cap is zero")]
    ZeroBudgetCap,
    /// `min_payment` exceeds `budget_cap`, so streaming could never pay.
    #[error(
        "minimum payment {min_payment_msat} msat exceeds the budget cap {budget_cap_msat} msat"
    )]
    MinPaymentAboveCap {
        /// The configured minimum payment.
        min_payment_msat: u64,
        /// The configured budget cap.
        budget_cap_msat: u64,
    },
    /// `FailurePolicy::Retry { max_attempts: 0, .. }` allows no attempt at all.
    #[error("retry policy allows zero attempts")]
    ZeroRetryAttempts,
    /// The call is not allowed in the stream's state (resume while running, pause while paused,
    /// stop twice, pause or resume after stop).
    #[error("cannot {action} a stream that is {state}")]
    InvalidTransition {
        /// The attempted call.
        action: StreamAction,
        /// The state the stream is in.
        state: StreamState,
    },
    /// The stream is finished or failed; it accepts no more calls.
    #[error("stream is closed ({state})")]
    Closed {
        /// The terminal state.
        state: StreamState,
    },
    /// A payment outcome was reported for a sequence that is not the one in flight.
    #[error("payment {sequence} is not in flight (in flight: {in_flight:?})")]
    UnknownSequence {
        /// The reported sequence.
        sequence: u64,
        /// The sequence actually in flight, if any.
        in_flight: Option<u64>,
    },
    /// The stream has used every payment sequence number (only reachable from a corrupt
    /// restored state).
    #[error("stream payment sequence numbers are exhausted")]
    SequenceExhausted,
}

impl StreamError {
    /// The stable code of this error (see [`crate::Error::code`]).
    pub fn code(&self) -> &'static str {
        match self {
            StreamError::ZeroRate => "stream_zero_rate",
            StreamError::ZeroTickInterval => "stream_zero_tick_interval",
            StreamError::ZeroBudgetCap => "stream_zero_budget_cap",
            StreamError::MinPaymentAboveCap { .. } => "stream_min_payment_above_cap",
            StreamError::ZeroRetryAttempts => "stream_zero_retry_attempts",
            StreamError::InvalidTransition { .. } => "stream_invalid_transition",
            StreamError::Closed { .. } => "stream_closed",
            StreamError::UnknownSequence { .. } => "stream_unknown_sequence",
            StreamError::SequenceExhausted => "stream_sequence_exhausted",
        }
    }
}
