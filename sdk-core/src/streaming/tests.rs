//! Unit tests of streaming payments: concrete sequences, failure policies and errors.

use super::*;

pub(super) fn config(
    rate: u64,
    interval: u64,
    cap: u64,
    min: u64,
    policy: FailurePolicy,
) -> StreamConfig {
    StreamConfig {
        rate_msat_per_sec: rate,
        tick_interval_ms: interval,
        budget_cap: Msat::from_msat(cap),
        min_payment: Msat::from_msat(min),
        failure_policy: policy,
    }
}

pub(super) fn stream(rate: u64, interval: u64, cap: u64, min: u64) -> StreamingPayment {
    StreamingPayment::new(config(rate, interval, cap, min, FailurePolicy::Stop), 0).unwrap()
}

fn pay(amount: u64, sequence: u64) -> TickDecision {
    TickDecision::Pay {
        amount: Msat::from_msat(amount),
        sequence,
    }
}

/// Ticks at `now` and, if a payment is issued, reports it succeeded; returns its amount.
pub(super) fn tick_and_pay(s: &mut StreamingPayment, now: u64) -> u64 {
    match s.tick(now).unwrap() {
        TickDecision::Pay { amount, sequence } => {
            s.payment_succeeded(sequence).unwrap();
            amount.as_u64()
        }
        _ => 0,
    }
}

/// Stops at `now` and pays the settlement until finished; returns the amount settled.
pub(super) fn stop_and_settle(s: &mut StreamingPayment, now: u64) -> u64 {
    let mut total = 0;
    let mut decision = s.stop(now).unwrap();
    loop {
        match decision {
            TickDecision::Pay { amount, sequence } => {
                total += amount.as_u64();
                s.payment_succeeded(sequence).unwrap();
            }
            TickDecision::Finished => return total,
            other => panic!("unexpected settlement decision {other:?}"),
        }
        decision = s.tick(now).unwrap();
    }
}

#[test]
fn config_is_validated() {
    let policy = FailurePolicy::Stop;
    let check = |c: StreamConfig| StreamingPayment::new(c, 0).map(|_| ());
    assert_eq!(
        check(config(0, 1, 1, 0, policy)),
        Err(StreamError::ZeroRate)
    );
    assert_eq!(
        check(config(1, 0, 1, 0, policy)),
        Err(StreamError::ZeroTickInterval)
    );
    assert_eq!(
        check(config(1, 1, 0, 0, policy)),
        Err(StreamError::ZeroBudgetCap)
    );
    let err = check(config(1, 1, 5, 6, policy)).unwrap_err();
    assert_eq!(
        err,
        StreamError::MinPaymentAboveCap {
            min_payment_msat: 6,
            budget_cap_msat: 5
        }
    );
    assert_eq!(err.code(), "stream_min_payment_above_cap");
    let retry = FailurePolicy::Retry {
        max_attempts: 0,
        backoff_ms: 1,
    };
    assert_eq!(
        check(config(1, 1, 1, 0, retry)),
        Err(StreamError::ZeroRetryAttempts)
    );
    assert_eq!(check(config(1, 1, 1, 1, policy)), Ok(()));
}

#[test]
fn pays_in_arrears_once_per_interval() {
    let mut s = stream(1_000, 1_000, 1_000_000, 0);
    assert_eq!(
        s.tick(500),
        Ok(TickDecision::Wait {
            next_tick_ms: 1_000
        })
    );
    assert_eq!(s.tick(1_000), Ok(pay(1_000, 1)));
    assert_eq!(s.tick(1_500), Ok(TickDecision::InFlight { sequence: 1 }));
    s.payment_succeeded(1).unwrap();
    assert_eq!(
        s.tick(1_500),
        Ok(TickDecision::Wait {
            next_tick_ms: 2_000
        })
    );
    assert_eq!(s.tick(2_000), Ok(pay(1_000, 2)));
    let stats = s.stats();
    assert_eq!(stats.paid, Msat::from_msat(1_000));
    assert_eq!(stats.in_flight, Msat::from_msat(1_000));
    assert_eq!(stats.owed, Msat::ZERO);
    assert_eq!(stats.in_flight_sequence, Some(2));
}

#[test]
fn a_late_tick_keeps_the_next_on_the_grid_so_the_rate_holds() {
    let mut s = stream(1_000, 1_000, 1_000_000, 0);
    // Served 300 ms late: it pays what is owed, and the next tick is still at 2,000.
    assert_eq!(tick_and_pay(&mut s, 1_300), 1_300);
    assert_eq!(
        s.tick(1_900),
        Ok(TickDecision::Wait {
            next_tick_ms: 2_000
        })
    );
    assert_eq!(tick_and_pay(&mut s, 2_250), 950);
    // Late by more than a tick: the missed tick is not repeated, the grid goes on.
    assert_eq!(tick_and_pay(&mut s, 4_100), 1_850);
    assert_eq!(
        s.tick(4_500),
        Ok(TickDecision::Wait {
            next_tick_ms: 5_000
        })
    );
    // Over 100 ticks each served 200 ms late, 100 payments: one a tick, not one per 1.2 s.
    let mut s = stream(1_000, 1_000, u64::MAX / 2, 0);
    let payments = (1..=100)
        .filter(|n| tick_and_pay(&mut s, n * 1_000 + 200) > 0)
        .count();
    assert_eq!(payments, 100);
    assert_eq!(s.stats().paid, Msat::from_msat(100_200));
}

#[test]
fn sub_msat_remainders_carry_over() {
    // 7 msat/s ticked every 333 ms: each tick earns 2.331 msat; nothing may be lost.
    let mut s = stream(7, 333, u64::MAX, 0);
    let mut total = 0;
    for k in 1..=300u64 {
        total += tick_and_pay(&mut s, k * 333);
    }
    assert_eq!(total, 7 * 300 * 333 / 1000);
    assert_eq!(s.stats().active_ms, 300 * 333);
    assert_eq!(s.stats().owed, Msat::ZERO);
}

#[test]
fn dust_accumulates_and_stop_flushes_it() {
    let mut s = stream(10, 1_000, 1_000_000, 50);
    for k in 1..=4 {
        assert_eq!(tick_and_pay(&mut s, k * 1_000), 0, "10..40 msat is dust");
    }
    assert_eq!(tick_and_pay(&mut s, 5_000), 50);
    assert_eq!(tick_and_pay(&mut s, 6_000), 0);
    assert_eq!(s.stop(7_500), Ok(pay(25, 2)));
    s.payment_succeeded(2).unwrap();
    assert_eq!(s.tick(7_500), Ok(TickDecision::Finished));
    assert_eq!(
        s.tick(7_600),
        Err(StreamError::Closed {
            state: StreamState::Finished
        })
    );
    assert_eq!(s.stats().paid, Msat::from_msat(75));
}

#[test]
fn budget_cap_trims_the_last_payment() {
    let mut s = stream(1_000, 1_000, 2_500, 1_000);
    assert_eq!(tick_and_pay(&mut s, 1_000), 1_000);
    assert_eq!(tick_and_pay(&mut s, 2_000), 1_000);
    // 500 msat is below min_payment but the cap is reached: it is paid now.
    assert_eq!(s.tick(3_000), Ok(pay(500, 3)));
    s.payment_succeeded(3).unwrap();
    assert_eq!(s.tick(3_100), Ok(TickDecision::BudgetExhausted));
    assert_eq!(s.tick(99_000), Ok(TickDecision::BudgetExhausted));
    assert_eq!(s.stop(99_000), Ok(TickDecision::Finished));
    assert_eq!(s.stats().paid, Msat::from_msat(2_500));
}

#[test]
fn paused_time_is_not_charged() {
    let mut s = stream(1_000, 1_000, u64::MAX, 0);
    s.pause(500).unwrap();
    assert_eq!(s.tick(5_000), Ok(TickDecision::Paused));
    s.resume(10_500).unwrap();
    assert_eq!(
        s.tick(11_000),
        Ok(TickDecision::Wait {
            next_tick_ms: 11_500
        })
    );
    assert_eq!(s.tick(11_500), Ok(pay(1_500, 1)));
    s.payment_succeeded(1).unwrap();
    assert_eq!(s.stats().active_ms, 1_500);
    // Stopping while paused charges nothing more.
    s.pause(12_000).unwrap();
    assert_eq!(s.stop(50_000), Ok(pay(500, 2)));
}

#[test]
fn time_going_backwards_counts_as_no_time() {
    let mut s = stream(1_000, 1_000, u64::MAX, 0);
    assert_eq!(tick_and_pay(&mut s, 1_000), 1_000);
    assert_eq!(
        s.tick(400),
        Ok(TickDecision::Wait {
            next_tick_ms: 2_000
        })
    );
    assert_eq!(s.stats().active_ms, 1_000);
    assert_eq!(tick_and_pay(&mut s, 2_000), 1_000);
    assert_eq!(s.stats().active_ms, 2_000);
}

#[test]
fn invalid_transitions_are_typed_errors() {
    let mut s = stream(1_000, 1_000, u64::MAX, 0);
    fn invalid<T>(action: StreamAction, state: StreamState) -> Result<T, StreamError> {
        Err(StreamError::InvalidTransition { action, state })
    }
    assert_eq!(
        s.resume(10),
        invalid(StreamAction::Resume, StreamState::Running)
    );
    s.pause(10).unwrap();
    assert_eq!(
        s.pause(20),
        invalid(StreamAction::Pause, StreamState::Paused)
    );
    s.resume(20).unwrap();
    assert_eq!(
        s.payment_succeeded(1),
        Err(StreamError::UnknownSequence {
            sequence: 1,
            in_flight: None
        })
    );
    assert_eq!(s.tick(2_000), Ok(pay(1_990, 1)));
    let before = s.clone();
    let err = s.payment_failed(7, 2_000).unwrap_err();
    assert_eq!(
        err,
        StreamError::UnknownSequence {
            sequence: 7,
            in_flight: Some(1)
        }
    );
    assert_eq!(err.code(), "stream_unknown_sequence");
    assert_eq!(s, before, "a rejected call changes nothing");
    // Stop with a payment in flight: report it first.
    assert_eq!(s.stop(2_500), Ok(TickDecision::InFlight { sequence: 1 }));
    assert_eq!(
        s.stop(2_500),
        invalid(StreamAction::Stop, StreamState::Settling)
    );
    assert_eq!(
        s.resume(2_500),
        invalid(StreamAction::Resume, StreamState::Settling)
    );
    s.payment_succeeded(1).unwrap();
    assert_eq!(
        s.tick(3_000),
        Ok(pay(500, 2)),
        "time after stop is not charged"
    );
    s.payment_succeeded(2).unwrap();
    assert_eq!(s.tick(3_000), Ok(TickDecision::Finished));
    let closed = Err(StreamError::Closed {
        state: StreamState::Finished,
    });
    assert_eq!(s.tick(3_000), closed);
    assert_eq!(s.pause(3_000), closed.clone().map(|_| ()));
    assert_eq!(s.stop(3_000), closed);
}

#[test]
fn retry_policy_retries_after_backoff_then_gives_up() {
    let policy = FailurePolicy::Retry {
        max_attempts: 3,
        backoff_ms: 200,
    };
    let mut s = StreamingPayment::new(config(1_000, 1_000, u64::MAX, 0, policy), 0).unwrap();
    assert_eq!(s.tick(1_000), Ok(pay(1_000, 1)));
    assert_eq!(
        s.payment_failed(1, 1_000),
        Ok(FailureOutcome::RetryAt {
            at_ms: 1_200,
            attempt: 2
        })
    );
    assert_eq!(s.stats().owed, Msat::from_msat(1_000));
    assert_eq!(
        s.tick(1_100),
        Ok(TickDecision::Wait {
            next_tick_ms: 1_200
        })
    );
    assert_eq!(s.tick(1_200), Ok(pay(1_200, 2)), "owed plus newly earned");
    assert_eq!(
        s.payment_failed(2, 1_300),
        Ok(FailureOutcome::RetryAt {
            at_ms: 1_500,
            attempt: 3
        })
    );
    assert_eq!(s.tick(1_500), Ok(pay(1_500, 3)));
    assert_eq!(s.payment_failed(3, 1_600), Ok(FailureOutcome::Stopped));
    let stats = s.stats();
    assert_eq!(stats.state, StreamState::Failed);
    assert_eq!(stats.owed, Msat::from_msat(1_600));
    assert_eq!(stats.consecutive_failures, 3);
    assert_eq!(
        s.tick(2_000),
        Err(StreamError::Closed {
            state: StreamState::Failed
        })
    );
}

#[test]
fn settlement_respects_a_pending_backoff_only() {
    let policy = FailurePolicy::Retry {
        max_attempts: 5,
        backoff_ms: 300,
    };
    let mut s = StreamingPayment::new(config(1_000, 1_000, u64::MAX, 0, policy), 0).unwrap();
    assert_eq!(s.tick(1_000), Ok(pay(1_000, 1)));
    s.payment_failed(1, 1_000).unwrap();
    // Stopped during the backoff: the settlement waits for it.
    assert_eq!(
        s.stop(1_100),
        Ok(TickDecision::Wait {
            next_tick_ms: 1_300
        })
    );
    assert_eq!(s.tick(1_300), Ok(pay(1_100, 2)));
    s.payment_failed(2, 1_300).unwrap();
    assert_eq!(s.tick(1_600), Ok(pay(1_100, 3)));
    s.payment_succeeded(3).unwrap();
    assert_eq!(s.tick(1_600), Ok(TickDecision::Finished));

    // A retry in flight at stop that then succeeds: the remainder is settled at once.
    let mut s = StreamingPayment::new(config(1_000, 1_000, u64::MAX, 0, policy), 0).unwrap();
    assert_eq!(s.tick(1_000), Ok(pay(1_000, 1)));
    s.payment_failed(1, 1_000).unwrap();
    assert_eq!(s.tick(1_300), Ok(pay(1_300, 2)));
    assert_eq!(s.stop(1_500), Ok(TickDecision::InFlight { sequence: 2 }));
    s.payment_succeeded(2).unwrap();
    assert_eq!(s.tick(1_500), Ok(pay(200, 3)));
}

#[test]
fn a_success_resets_the_retry_count() {
    let policy = FailurePolicy::Retry {
        max_attempts: 2,
        backoff_ms: 0,
    };
    let mut s = StreamingPayment::new(config(1_000, 1_000, u64::MAX, 0, policy), 0).unwrap();
    for k in 1..=5u64 {
        let TickDecision::Pay { sequence, .. } = s.tick(k * 1_000).unwrap() else {
            panic!("expected a payment")
        };
        assert!(matches!(
            s.payment_failed(sequence, k * 1_000),
            Ok(FailureOutcome::RetryAt { attempt: 2, .. })
        ));
        let TickDecision::Pay { sequence, .. } = s.tick(k * 1_000).unwrap() else {
            panic!("expected the retry")
        };
        s.payment_succeeded(sequence).unwrap();
    }
    assert_eq!(s.stats().paid, Msat::from_msat(5_000));
    assert_eq!(s.stats().consecutive_failures, 0);
}

#[test]
fn pause_policy_pauses_until_resumed() {
    let mut s =
        StreamingPayment::new(config(1_000, 1_000, u64::MAX, 0, FailurePolicy::Pause), 0).unwrap();
    assert_eq!(s.tick(1_000), Ok(pay(1_000, 1)));
    assert_eq!(s.payment_failed(1, 1_250), Ok(FailureOutcome::Paused));
    assert_eq!(s.tick(9_000), Ok(TickDecision::Paused));
    assert_eq!(s.stats().active_ms, 1_250);
    s.resume(10_000).unwrap();
    assert_eq!(s.tick(11_000), Ok(pay(2_250, 2)));
    // After stop, Pause acts like Stop.
    assert_eq!(s.payment_failed(2, 11_000), Ok(FailureOutcome::Paused));
    assert_eq!(s.stop(11_000), Ok(pay(2_250, 3)));
    assert_eq!(s.payment_failed(3, 11_000), Ok(FailureOutcome::Stopped));
    assert_eq!(s.state(), StreamState::Failed);
}

#[test]
fn stop_policy_stops_with_the_remainder_owed() {
    let mut s = stream(1_000, 1_000, u64::MAX, 0);
    assert_eq!(s.tick(1_000), Ok(pay(1_000, 1)));
    assert_eq!(s.payment_failed(1, 1_000), Ok(FailureOutcome::Stopped));
    assert_eq!(s.stats().owed, Msat::from_msat(1_000));
    assert_eq!(
        s.stop(2_000),
        Err(StreamError::Closed {
            state: StreamState::Failed
        })
    );
}

#[test]
fn extreme_values_do_not_panic() {
    let mut s = stream(u64::MAX, u64::MAX, u64::MAX, 0);
    assert_eq!(s.tick(u64::MAX), Ok(pay(u64::MAX, 1)));
    s.payment_succeeded(1).unwrap();
    assert_eq!(s.tick(u64::MAX), Ok(TickDecision::BudgetExhausted));
    assert_eq!(s.stop(u64::MAX), Ok(TickDecision::Finished));
}

#[test]
fn serde_round_trip_and_shape() {
    let mut s = stream(1_000, 1_000, 5_000, 0);
    s.tick(1_000).unwrap();
    let json = serde_json::to_string(&s).unwrap();
    let restored: StreamingPayment = serde_json::from_str(&json).unwrap();
    assert_eq!(restored, s);
    assert_eq!(
        serde_json::to_value(pay(5, 2)).unwrap(),
        serde_json::json!({"kind": "pay", "amount": 5, "sequence": 2})
    );
    assert_eq!(
        serde_json::to_value(s.stats()).unwrap()["state"],
        serde_json::json!("running")
    );
}
