//! The streaming payment state machine: accounting of active time, tick decisions, pause,
//! resume, stop and settlement, and the failure policy.

use serde::{Deserialize, Serialize};

use super::{
    FailureOutcome, FailurePolicy, StreamAction, StreamConfig, StreamError, StreamState,
    StreamStats, TickDecision,
};
use crate::amount::Msat;

/// The payment currently in flight.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
struct InFlightPayment {
    sequence: u64,
    amount_msat: u64,
}

/// A metered "pay per second of play" stream: a deterministic state machine driven by the
/// caller's clock (see the [module docs](super) for the accounting rules).
///
/// It derives serde so the caller can persist it before acting on a decision and restore it
/// after a crash; all its arithmetic saturates, so even a corrupt restored value cannot panic.
///
/// ```
/// use etrid_core::amount::Msat;
/// use etrid_core::streaming::{FailurePolicy, StreamConfig, StreamingPayment, TickDecision};
///
/// let config = StreamConfig {
///     rate_msat_per_sec: 1_000,
///     tick_interval_ms: 10_000,
///     budget_cap: Msat::from_msat(60_000),
///     min_payment: Msat::from_msat(1_000),
///     failure_policy: FailurePolicy::Retry { max_attempts: 3, backoff_ms: 2_000 },
/// };
/// let mut stream = StreamingPayment::new(config, 0)?;
/// assert_eq!(stream.tick(5_000)?, TickDecision::Wait { next_tick_ms: 10_000 });
/// let TickDecision::Pay { amount, sequence } = stream.tick(10_000)? else { unreachable!() };
/// assert_eq!(amount, Msat::from_msat(10_000));
/// stream.payment_succeeded(sequence)?;
/// let TickDecision::Pay { amount, sequence } = stream.stop(12_500)? else { unreachable!() };
/// assert_eq!(amount, Msat::from_msat(2_500));
/// stream.payment_succeeded(sequence)?;
/// assert_eq!(stream.tick(12_500)?, TickDecision::Finished);
/// # Ok::<(), etrid_core::Error>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct StreamingPayment {
    config: StreamConfig,
    state: StreamState,
    /// The latest time seen: active time only counts beyond it.
    clock_ms: u64,
    active_ms: u64,
    paid_msat: u64,
    in_flight: Option<InFlightPayment>,
    next_sequence: u64,
    next_tick_ms: u64,
    /// When a failed payment may be retried ([`FailurePolicy::Retry`]); cleared by a success.
    retry_at_ms: Option<u64>,
    consecutive_failures: u32,
}

impl StreamingPayment {
    /// A stream running from `start_ms`; its first payment is due one tick interval later.
    ///
    /// # Errors
    /// An invalid `config` (see [`StreamConfig::validate`]).
    pub fn new(config: StreamConfig, start_ms: u64) -> Result<StreamingPayment, StreamError> {
        config.validate()?;
        Ok(StreamingPayment {
            config,
            state: StreamState::Running,
            clock_ms: start_ms,
            active_ms: 0,
            paid_msat: 0,
            in_flight: None,
            next_sequence: 1,
            next_tick_ms: start_ms.saturating_add(config.tick_interval_ms),
            retry_at_ms: None,
            consecutive_failures: 0,
        })
    }

    /// The stream's settings.
    pub fn config(&self) -> &StreamConfig {
        &self.config
    }

    /// The stream's lifecycle state.
    pub fn state(&self) -> StreamState {
        self.state
    }

    /// How many payments the stream has asked for so far (the last [`TickDecision::Pay`]'s
    /// sequence; each retry of a failed payment is a new one).
    pub fn payments_started(&self) -> u64 {
        self.next_sequence.saturating_sub(1)
    }

    /// Accounts time up to `now_ms` and says what to pay now.
    ///
    /// While running: [`TickDecision::Pay`] when a tick is due and enough is owed,
    /// [`TickDecision::Wait`] otherwise, [`TickDecision::InFlight`] while a payment awaits its
    /// outcome, [`TickDecision::BudgetExhausted`] once the cap is paid. While paused:
    /// [`TickDecision::Paused`]. After [`stop`](Self::stop) it drives the final settlement and
    /// returns [`TickDecision::Finished`] once everything owed is paid, which closes the stream.
    ///
    /// # Errors
    /// [`StreamError::Closed`] once the stream is finished or failed;
    /// [`StreamError::SequenceExhausted`] from a corrupt restored state.
    pub fn tick(&mut self, now_ms: u64) -> Result<TickDecision, StreamError> {
        if self.state.is_terminal() {
            return Err(StreamError::Closed { state: self.state });
        }
        self.observe(now_ms);
        if let Some(payment) = self.in_flight {
            return Ok(TickDecision::InFlight {
                sequence: payment.sequence,
            });
        }
        match self.state {
            StreamState::Paused => Ok(TickDecision::Paused),
            StreamState::Settling => self.settle(now_ms),
            _ => self.stream(now_ms),
        }
    }

    /// Pauses the stream at `now_ms`: time from then on is not charged.
    ///
    /// A payment in flight stays in flight; report its outcome as usual.
    ///
    /// # Errors
    /// [`StreamError::InvalidTransition`] unless running; [`StreamError::Closed`] once closed.
    pub fn pause(&mut self, now_ms: u64) -> Result<(), StreamError> {
        self.require(StreamAction::Pause, StreamState::Running)?;
        self.observe(now_ms);
        self.state = StreamState::Paused;
        Ok(())
    }

    /// Resumes a paused stream at `now_ms`; the next payment is due one tick interval later
    /// (or when a failure's backoff ends, if later).
    ///
    /// # Errors
    /// [`StreamError::InvalidTransition`] unless paused; [`StreamError::Closed`] once closed.
    pub fn resume(&mut self, now_ms: u64) -> Result<(), StreamError> {
        self.require(StreamAction::Resume, StreamState::Paused)?;
        self.observe(now_ms);
        self.state = StreamState::Running;
        self.next_tick_ms = self
            .next_tick_ms
            .max(now_ms.saturating_add(self.config.tick_interval_ms));
        Ok(())
    }

    /// Stops the stream at `now_ms` and returns the final settlement: [`TickDecision::Pay`] for
    /// everything owed (up to the cap, dust included), [`TickDecision::InFlight`] if a payment
    /// must be reported first, or [`TickDecision::Finished`] when nothing is owed.
    ///
    /// Until `Finished`, keep calling [`tick`](Self::tick) and reporting outcomes; after a
    /// failed settlement payment the failure policy's backoff still applies.
    ///
    /// # Errors
    /// [`StreamError::InvalidTransition`] when already stopped; [`StreamError::Closed`] once
    /// closed.
    pub fn stop(&mut self, now_ms: u64) -> Result<TickDecision, StreamError> {
        if self.state.is_terminal() {
            return Err(StreamError::Closed { state: self.state });
        }
        if self.state == StreamState::Settling {
            return Err(StreamError::InvalidTransition {
                action: StreamAction::Stop,
                state: self.state,
            });
        }
        self.observe(now_ms);
        self.state = StreamState::Settling;
        self.tick(now_ms)
    }

    /// Records that payment `sequence` succeeded: its amount counts as paid.
    ///
    /// # Errors
    /// [`StreamError::UnknownSequence`] unless `sequence` is the payment in flight.
    pub fn payment_succeeded(&mut self, sequence: u64) -> Result<(), StreamError> {
        let payment = self.take_in_flight(sequence)?;
        self.paid_msat = self.paid_msat.saturating_add(payment.amount_msat);
        self.consecutive_failures = 0;
        self.retry_at_ms = None;
        Ok(())
    }

    /// Records that payment `sequence` failed at `now_ms`: its amount is owed again and the
    /// [`FailurePolicy`] decides what happens next.
    ///
    /// # Errors
    /// [`StreamError::UnknownSequence`] unless `sequence` is the payment in flight.
    pub fn payment_failed(
        &mut self,
        sequence: u64,
        now_ms: u64,
    ) -> Result<FailureOutcome, StreamError> {
        self.take_in_flight(sequence)?;
        self.observe(now_ms);
        self.consecutive_failures = self.consecutive_failures.saturating_add(1);
        let outcome = match self.config.failure_policy {
            FailurePolicy::Retry {
                max_attempts,
                backoff_ms,
            } if self.consecutive_failures < max_attempts => {
                let at_ms = now_ms.saturating_add(backoff_ms);
                self.next_tick_ms = at_ms;
                self.retry_at_ms = Some(at_ms);
                FailureOutcome::RetryAt {
                    at_ms,
                    attempt: self.consecutive_failures.saturating_add(1),
                }
            }
            FailurePolicy::Pause if self.state != StreamState::Settling => {
                self.state = StreamState::Paused;
                FailureOutcome::Paused
            }
            _ => {
                self.state = StreamState::Failed;
                FailureOutcome::Stopped
            }
        };
        Ok(outcome)
    }

    /// The stream's accounts as of the latest time it was given.
    pub fn stats(&self) -> StreamStats {
        let in_flight = self.in_flight.map_or(0, |p| p.amount_msat);
        StreamStats {
            state: self.state,
            active_ms: self.active_ms,
            earned: Msat::from_msat(self.earned_msat()),
            paid: Msat::from_msat(self.paid_msat),
            in_flight: Msat::from_msat(in_flight),
            owed: Msat::from_msat(self.owed_msat()),
            budget_cap: self.config.budget_cap,
            in_flight_sequence: self.in_flight.map(|p| p.sequence),
            consecutive_failures: self.consecutive_failures,
        }
    }

    /// Errors unless the stream is in `expected` state.
    fn require(&self, action: StreamAction, expected: StreamState) -> Result<(), StreamError> {
        if self.state.is_terminal() {
            Err(StreamError::Closed { state: self.state })
        } else if self.state != expected {
            Err(StreamError::InvalidTransition {
                action,
                state: self.state,
            })
        } else {
            Ok(())
        }
    }

    /// Moves the stream's clock to `now_ms`, charging the elapsed time if running. Earlier
    /// times are ignored (no elapsed time).
    fn observe(&mut self, now_ms: u64) {
        if now_ms > self.clock_ms {
            if self.state == StreamState::Running {
                self.active_ms = self.active_ms.saturating_add(now_ms - self.clock_ms);
            }
            self.clock_ms = now_ms;
        }
    }

    /// `min(floor(rate × active_ms / 1000), cap)`, exact in `u128`.
    fn earned_msat(&self) -> u64 {
        let cap = self.config.budget_cap.as_u64();
        let earned = u128::from(self.config.rate_msat_per_sec) * u128::from(self.active_ms) / 1000;
        u64::try_from(earned.min(u128::from(cap))).unwrap_or(cap)
    }

    /// Earned but neither paid nor in flight.
    fn owed_msat(&self) -> u64 {
        self.earned_msat()
            .saturating_sub(self.paid_msat)
            .saturating_sub(self.in_flight.map_or(0, |p| p.amount_msat))
    }

    /// The decision of a running stream with nothing in flight.
    fn stream(&mut self, now_ms: u64) -> Result<TickDecision, StreamError> {
        let cap = self.config.budget_cap.as_u64();
        if self.paid_msat >= cap {
            return Ok(TickDecision::BudgetExhausted);
        }
        if now_ms < self.next_tick_ms {
            return Ok(TickDecision::Wait {
                next_tick_ms: self.next_tick_ms,
            });
        }
        // The next tick stays on the stream's grid (start + n × interval): a tick served late
        // does not push the later ones back, so the payee is paid at the tick rate on average
        // however busy the payer is (a tick missed entirely is not repeated: what it would
        // have paid is owed and paid by the next).
        let interval = self.config.tick_interval_ms.max(1);
        let behind = now_ms.saturating_sub(self.next_tick_ms);
        let next_tick_ms = self.next_tick_ms.saturating_add(
            (behind / interval)
                .saturating_add(1)
                .saturating_mul(interval),
        );
        let owed = self.owed_msat();
        // Dust waits, unless the cap is reached and nothing more will ever be added to it.
        let dust = owed < self.config.min_payment.as_u64() && self.earned_msat() < cap;
        let decision = if owed == 0 || dust {
            TickDecision::Wait { next_tick_ms }
        } else {
            self.issue(owed)?
        };
        self.next_tick_ms = next_tick_ms;
        Ok(decision)
    }

    /// The decision of a stopped stream with nothing in flight: pay the rest at once (after a
    /// retry backoff, if one is pending), then finish.
    fn settle(&mut self, now_ms: u64) -> Result<TickDecision, StreamError> {
        let owed = self.owed_msat();
        if owed == 0 {
            self.state = StreamState::Finished;
            return Ok(TickDecision::Finished);
        }
        match self.retry_at_ms {
            Some(at_ms) if now_ms < at_ms => Ok(TickDecision::Wait {
                next_tick_ms: at_ms,
            }),
            _ => self.issue(owed),
        }
    }

    /// Puts a payment of `amount_msat` in flight under the next sequence number.
    fn issue(&mut self, amount_msat: u64) -> Result<TickDecision, StreamError> {
        let sequence = self.next_sequence;
        self.next_sequence = sequence
            .checked_add(1)
            .ok_or(StreamError::SequenceExhausted)?;
        self.in_flight = Some(InFlightPayment {
            sequence,
            amount_msat,
        });
        Ok(TickDecision::Pay {
            amount: Msat::from_msat(amount_msat),
            sequence,
        })
    }

    /// Removes the in-flight payment if it is `sequence`.
    fn take_in_flight(&mut self, sequence: u64) -> Result<InFlightPayment, StreamError> {
        match self.in_flight {
            Some(payment) if payment.sequence == sequence => {
                self.in_flight = None;
                Ok(payment)
            }
            other => Err(StreamError::UnknownSequence {
                sequence,
                in_flight: other.map(|p| p.sequence),
            }),
        }
    }
}
