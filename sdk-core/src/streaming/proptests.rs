//! Property tests of streaming payments: the accounts balance under any drive, the sum of the
//! payments equals the one-shot amount, and paused time is never charged.

use super::tests::{config, stop_and_settle, stream, tick_and_pay};
use super::*;
use proptest::prelude::*;

/// One step of a random drive of a stream.
#[derive(Debug, Clone)]
enum Op {
    /// Move the clock by this many ms (negative: backwards) and tick.
    Tick(i64),
    Pause(i64),
    Resume(i64),
    Succeed,
    Fail(i64),
}

fn any_op() -> impl Strategy<Value = Op> {
    let dt = prop_oneof![8 => 0i64..5_000, 1 => -3_000i64..0];
    prop_oneof![
        6 => dt.clone().prop_map(Op::Tick),
        1 => dt.clone().prop_map(Op::Pause),
        1 => dt.clone().prop_map(Op::Resume),
        3 => Just(Op::Succeed),
        1 => dt.prop_map(Op::Fail),
    ]
}

fn any_policy() -> impl Strategy<Value = FailurePolicy> {
    prop_oneof![
        (1u32..5, 0u64..3_000).prop_map(|(max_attempts, backoff_ms)| FailurePolicy::Retry {
            max_attempts,
            backoff_ms
        }),
        Just(FailurePolicy::Pause),
        Just(FailurePolicy::Stop),
    ]
}

/// The exact earned amount for `active_ms`, capped.
fn expected_earned(rate: u64, active_ms: u64, cap: u64) -> u64 {
    let raw = u128::from(rate) * u128::from(active_ms) / 1000;
    u64::try_from(raw.min(u128::from(cap))).unwrap()
}

proptest! {
    #[test]
    fn accounts_always_balance(
        rate in 1u64..10_000_000,
        interval in 1u64..10_000,
        cap in 1u64..1_000_000_000,
        min_frac in 0u64..=100,
        policy in any_policy(),
        ops in proptest::collection::vec(any_op(), 1..120),
    ) {
        let min = cap * min_frac / 100;
        let start = 1_000_000u64;
        let mut s = StreamingPayment::new(config(rate, interval, cap, min, policy), start).unwrap();
        // Model: the latest time seen and whether the stream is running.
        // Model: the caller's clock, the latest time the stream was told, the active time.
        let (mut now, mut high_water, mut active) = (start, start, 0u64);
        let mut in_flight: Option<(u64, u64)> = None;
        let mut paid_sum = 0u64;
        for op in ops {
            let running = s.state() == StreamState::Running;
            // Accounts a time the stream accepted, as the specification says it should.
            let mut told = |t: u64| {
                if t > high_water {
                    if running {
                        active += t - high_water;
                    }
                    high_water = t;
                }
            };
            match op {
                Op::Tick(dt) => {
                    now = now.saturating_add_signed(dt);
                    match s.tick(now) {
                        Ok(decision) => {
                            told(now);
                            match decision {
                                TickDecision::Pay { amount, sequence } => {
                                    prop_assert!(in_flight.is_none(), "two payments in flight");
                                    prop_assert!(amount.as_u64() > 0);
                                    in_flight = Some((sequence, amount.as_u64()));
                                }
                                TickDecision::InFlight { sequence } => {
                                    prop_assert_eq!(Some(sequence), in_flight.map(|f| f.0));
                                }
                                _ => {}
                            }
                        }
                        Err(e) => prop_assert!(s.state().is_terminal(), "{e}"),
                    }
                }
                Op::Pause(dt) => {
                    now = now.saturating_add_signed(dt);
                    match s.pause(now) {
                        Ok(()) => told(now),
                        Err(_) => prop_assert!(!running),
                    }
                }
                Op::Resume(dt) => {
                    now = now.saturating_add_signed(dt);
                    match s.resume(now) {
                        Ok(()) => told(now),
                        Err(_) => prop_assert!(s.state() != StreamState::Paused),
                    }
                }
                Op::Succeed => {
                    if let Some((sequence, amount)) = in_flight.take() {
                        s.payment_succeeded(sequence).unwrap();
                        paid_sum += amount;
                    } else {
                        prop_assert!(s.payment_succeeded(1).is_err());
                    }
                }
                Op::Fail(dt) => {
                    now = now.saturating_add_signed(dt);
                    if let Some((sequence, _)) = in_flight.take() {
                        s.payment_failed(sequence, now).unwrap();
                        told(now);
                    } else {
                        prop_assert!(s.payment_failed(1, now).is_err());
                    }
                }
            }
            let stats = s.stats();
            prop_assert_eq!(stats.active_ms, active, "paused or repeated time charged");
            let earned = expected_earned(rate, active, cap);
            prop_assert_eq!(stats.earned.as_u64(), earned);
            prop_assert_eq!(
                stats.paid.as_u64() + stats.in_flight.as_u64() + stats.owed.as_u64(),
                earned
            );
            prop_assert!(stats.paid.as_u64() <= cap);
            prop_assert_eq!(stats.paid.as_u64(), paid_sum);
            prop_assert_eq!(stats.in_flight.as_u64(), in_flight.map_or(0, |f| f.1));
        }
    }

    #[test]
    fn sum_over_ticks_equals_the_one_shot_amount(
        rate in 1u64..10_000_000,
        interval in 1u64..5_000,
        cap in 1u64..u64::MAX,
        min in 0u64..1_000_000,
        steps in proptest::collection::vec(1u64..3_000, 0..200),
    ) {
        let min = min.min(cap);
        let mut s = StreamingPayment::new(config(rate, interval, cap, min, FailurePolicy::Stop), 0).unwrap();
        let (mut now, mut total) = (0u64, 0u64);
        for step in steps {
            now += step;
            total += tick_and_pay(&mut s, now);
        }
        total += stop_and_settle(&mut s, now);
        prop_assert_eq!(total, expected_earned(rate, now, cap));
        prop_assert_eq!(s.stats().paid.as_u64(), total);
        prop_assert_eq!(s.state(), StreamState::Finished);
    }

    #[test]
    fn pauses_are_never_charged(
        rate in 1u64..10_000_000,
        interval in 1u64..5_000,
        segments in proptest::collection::vec((1u64..5_000, 1u64..50_000), 1..30),
    ) {
        // Stream A pauses between segments; stream B plays the same segments back to back.
        let mut a = stream(rate, interval, u64::MAX, 0);
        let mut b = stream(rate, interval, u64::MAX, 0);
        let (mut now_a, mut now_b, mut paid_a, mut paid_b) = (0u64, 0u64, 0u64, 0u64);
        for (play, pause) in segments {
            now_a += play;
            now_b += play;
            paid_a += tick_and_pay(&mut a, now_a);
            paid_b += tick_and_pay(&mut b, now_b);
            a.pause(now_a).unwrap();
            now_a += pause;
            prop_assert_eq!(a.tick(now_a).unwrap(), TickDecision::Paused);
            a.resume(now_a).unwrap();
        }
        paid_a += stop_and_settle(&mut a, now_a);
        paid_b += stop_and_settle(&mut b, now_b);
        prop_assert_eq!(paid_a, paid_b);
        prop_assert_eq!(paid_a, expected_earned(rate, now_b, u64::MAX));
        prop_assert_eq!(a.stats().active_ms, now_b);
    }
}
