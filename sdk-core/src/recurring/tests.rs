//! Tests of recurring schedules: concrete calendar dates, catch-up rules, errors and properties.

use super::civil::{days_in_month, from_unix};
use super::*;
use proptest::prelude::*;

const DAY: u64 = 86_400;
const JAN_31_2024_1030: u64 = 1_706_697_000;

fn monthly(start: u64) -> Schedule {
    Schedule::new(
        Period::Monthly { months: 1 },
        start,
        None,
        None,
        CatchUp::LatestOnly,
    )
    .unwrap()
}

fn with_catch_up(period: Period, start: u64, catch_up: CatchUp) -> Schedule {
    Schedule::new(period, start, None, None, catch_up).unwrap()
}

#[test]
fn monthly_from_jan_31_2024_clamps_to_leap_february() {
    let s = monthly(JAN_31_2024_1030);
    assert_eq!(s.occurrence(0), Ok(Some(JAN_31_2024_1030)));
    assert_eq!(s.occurrence(1), Ok(Some(1_709_202_600))); // 2024-02-29T10:30:00Z
    assert_eq!(s.occurrence(2), Ok(Some(1_711_881_000))); // 2024-03-31T10:30:00Z, no drift
    assert_eq!(s.occurrence(3), Ok(Some(1_714_473_000))); // 2024-04-30T10:30:00Z
}

#[test]
fn monthly_from_jan_31_2025_clamps_to_february_28() {
    let s = monthly(1_738_319_400); // 2025-01-31T10:30:00Z
    assert_eq!(s.occurrence(1), Ok(Some(1_740_738_600))); // 2025-02-28T10:30:00Z
}

#[test]
fn leap_century_2000_but_not_2100() {
    assert_eq!(monthly(949_276_800).occurrence(1), Ok(Some(951_782_400))); // 2000-02-29
    let s2100 = monthly(4_105_036_800); // 2100-01-31
    assert_eq!(s2100.occurrence(1), Ok(Some(4_107_456_000))); // 2100-02-28
    assert_eq!(s2100.occurrence(2), Ok(Some(4_110_134_400))); // 2100-03-31
}

#[test]
fn yearly_from_leap_day() {
    // 2024-02-29 every 12 months: 2025-02-28, then back to 2028-02-29.
    let s = Schedule::new(
        Period::Monthly { months: 12 },
        1_709_164_800,
        None,
        None,
        CatchUp::LatestOnly,
    )
    .unwrap();
    assert_eq!(s.occurrence(1), Ok(Some(1_740_700_800)));
    assert_eq!(s.occurrence(4), Ok(Some(1_835_395_200)));
}

#[test]
fn daily_weekly_and_custom_steps() {
    let d = with_catch_up(Period::Daily, 1_000, CatchUp::LatestOnly);
    assert_eq!(d.occurrence(3), Ok(Some(1_000 + 3 * DAY)));
    let w = with_catch_up(Period::Weekly, 1_000, CatchUp::LatestOnly);
    assert_eq!(w.occurrence(2), Ok(Some(1_000 + 14 * DAY)));
    let e = with_catch_up(Period::Every { secs: 90 }, 1_000, CatchUp::LatestOnly);
    assert_eq!(e.occurrence(10), Ok(Some(1_900)));
}

#[test]
fn end_and_max_count_bound_the_schedule() {
    let s = Schedule::new(Period::Daily, 0, Some(2 * DAY), None, CatchUp::LatestOnly).unwrap();
    assert_eq!(s.occurrence(2), Ok(Some(2 * DAY))); // end is inclusive
    assert_eq!(s.occurrence(3), Ok(None));
    assert_eq!(s.occurrence(u32::MAX), Ok(None));
    let c = Schedule::new(Period::Daily, 0, None, Some(3), CatchUp::LatestOnly).unwrap();
    assert_eq!(c.occurrence(2), Ok(Some(2 * DAY)));
    assert_eq!(c.occurrence(3), Ok(None));
    assert_eq!(c.next_due_after(2 * DAY), Ok(None));
}

#[test]
fn next_due_after_is_strictly_after() {
    let s = monthly(JAN_31_2024_1030);
    let at = |index, due_at| Ok(Some(Occurrence { index, due_at }));
    assert_eq!(s.next_due_after(0), at(0, JAN_31_2024_1030));
    assert_eq!(
        s.next_due_after(JAN_31_2024_1030 - 1),
        at(0, JAN_31_2024_1030)
    );
    assert_eq!(s.next_due_after(JAN_31_2024_1030), at(1, 1_709_202_600));
    // 2024-03-01: after February's occurrence, before March's.
    assert_eq!(s.next_due_after(1_709_251_200), at(2, 1_711_881_000));
}

#[test]
fn errors_are_typed() {
    let new = |period, start, end, max_count, catch_up| {
        Schedule::new(period, start, end, max_count, catch_up).map(|_| ())
    };
    let ok = CatchUp::LatestOnly;
    assert_eq!(
        new(Period::Daily, 10, Some(9), None, ok),
        Err(ScheduleError::EndBeforeStart { start: 10, end: 9 })
    );
    assert_eq!(
        new(Period::Every { secs: 0 }, 0, None, None, ok),
        Err(ScheduleError::ZeroPeriod)
    );
    assert_eq!(
        new(Period::Monthly { months: 0 }, 0, None, None, ok),
        Err(ScheduleError::ZeroPeriod)
    );
    assert_eq!(
        new(Period::Daily, 0, None, Some(0), ok),
        Err(ScheduleError::ZeroMaxCount)
    );
    assert_eq!(
        new(Period::Daily, 0, None, None, CatchUp::All { max: 0 }),
        Err(ScheduleError::ZeroCatchUpLimit)
    );
    assert_eq!(
        new(
            Period::Daily,
            0,
            None,
            None,
            CatchUp::None { grace_secs: 0 }
        ),
        Err(ScheduleError::ZeroGraceWindow)
    );
    let err = new(Period::Daily, MAX_SCHEDULE_SECS + 1, None, None, ok).unwrap_err();
    assert_eq!(err.code(), "schedule_timestamp_out_of_range");
    let err = new(Period::Daily, 0, Some(u64::MAX), None, ok).unwrap_err();
    assert_eq!(err.code(), "schedule_timestamp_out_of_range");
    // Methods validate public fields too.
    let bad = Schedule {
        period: Period::Every { secs: 0 },
        start: 0,
        end: None,
        max_count: None,
        catch_up: ok,
    };
    assert_eq!(bad.occurrence(0), Err(ScheduleError::ZeroPeriod));
    assert_eq!(bad.due(None, 5), Err(ScheduleError::ZeroPeriod));
    assert_eq!(bad.next_due_after(5), Err(ScheduleError::ZeroPeriod));
}

#[test]
fn far_future_overflow_is_an_error_or_an_end() {
    let s = with_catch_up(
        Period::Monthly { months: 1 },
        4_000_000_000,
        CatchUp::LatestOnly,
    );
    let err = s.occurrence(u32::MAX).unwrap_err();
    assert_eq!(err, ScheduleError::DateOutOfRange { index: u32::MAX });
    assert_eq!(err.code(), "schedule_date_out_of_range");
    let e = with_catch_up(Period::Every { secs: u64::MAX }, 1, CatchUp::LatestOnly);
    assert_eq!(
        e.occurrence(1),
        Err(ScheduleError::DateOutOfRange { index: 1 })
    );
    assert_eq!(
        e.next_due_after(u64::MAX),
        Err(ScheduleError::DateOutOfRange { index: 1 })
    );
    let ended = Schedule::new(
        Period::Weekly,
        0,
        Some(MAX_SCHEDULE_SECS),
        None,
        CatchUp::LatestOnly,
    )
    .unwrap();
    assert_eq!(ended.occurrence(u32::MAX), Ok(None));
    // The last week before the end of time is still reachable.
    let last = ended.due(None, u64::MAX).unwrap();
    assert_eq!(last.len(), 1);
    assert!(last[0].due_at <= MAX_SCHEDULE_SECS && last[0].due_at + 7 * DAY > MAX_SCHEDULE_SECS);
}

#[test]
fn catch_up_all_returns_the_backlog_in_batches() {
    let s = with_catch_up(Period::Daily, 0, CatchUp::All { max: 3 });
    let now = 4 * DAY + 5; // occurrences 0..=4 are due
    let first = s.due(None, now).unwrap();
    assert_eq!(first.iter().map(|o| o.index).collect::<Vec<_>>(), [0, 1, 2]);
    let rest = s.due(Some(2), now).unwrap();
    assert_eq!(
        rest,
        [
            Occurrence {
                index: 3,
                due_at: 3 * DAY
            },
            Occurrence {
                index: 4,
                due_at: 4 * DAY
            }
        ]
    );
    assert_eq!(s.due(Some(4), now), Ok(vec![]));
    assert_eq!(s.due(Some(u32::MAX), now), Ok(vec![]));
    assert_eq!(
        s.due(None, 0),
        Ok(vec![Occurrence {
            index: 0,
            due_at: 0
        }])
    );
}

#[test]
fn catch_up_latest_only_skips_to_the_most_recent() {
    let s = with_catch_up(Period::Daily, DAY, CatchUp::LatestOnly);
    assert_eq!(s.due(None, DAY - 1), Ok(vec![]));
    assert_eq!(
        s.due(Some(0), 10 * DAY + 7),
        Ok(vec![Occurrence {
            index: 9,
            due_at: 10 * DAY
        }])
    );
    assert_eq!(s.due(Some(9), 10 * DAY + 7), Ok(vec![]));
}

#[test]
fn catch_up_none_pays_only_within_grace() {
    let s = with_catch_up(Period::Daily, 0, CatchUp::None { grace_secs: 60 });
    assert_eq!(
        s.due(Some(0), DAY + 60),
        Ok(vec![Occurrence {
            index: 1,
            due_at: DAY
        }])
    );
    // Back after downtime: everything missed is skipped ...
    assert_eq!(s.due(Some(0), 5 * DAY + 61), Ok(vec![]));
    // ... and the next one in the future is paid on time.
    assert_eq!(
        s.next_due_after(5 * DAY + 61),
        Ok(Some(Occurrence {
            index: 6,
            due_at: 6 * DAY
        }))
    );
    assert_eq!(
        s.due(Some(0), 6 * DAY + 1),
        Ok(vec![Occurrence {
            index: 6,
            due_at: 6 * DAY
        }])
    );
}

#[test]
fn due_respects_end_and_max_count() {
    let s = Schedule::new(
        Period::Daily,
        0,
        Some(2 * DAY + 1),
        None,
        CatchUp::All { max: 10 },
    )
    .unwrap();
    assert_eq!(s.due(None, 100 * DAY).unwrap().len(), 3);
    let c = Schedule::new(Period::Daily, 0, None, Some(2), CatchUp::LatestOnly).unwrap();
    assert_eq!(
        c.due(None, 100 * DAY),
        Ok(vec![Occurrence {
            index: 1,
            due_at: DAY
        }])
    );
    assert_eq!(c.due(Some(1), 100 * DAY), Ok(vec![]));
}

#[test]
fn serde_shape_is_snake_case() {
    let s = Schedule::new(
        Period::Monthly { months: 1 },
        5,
        None,
        Some(3),
        CatchUp::All { max: 2 },
    )
    .unwrap();
    let json = serde_json::to_value(s).unwrap();
    assert_eq!(
        json,
        serde_json::json!({
            "period": {"kind": "monthly", "months": 1},
            "start": 5, "end": null, "max_count": 3,
            "catch_up": {"kind": "all", "max": 2}
        })
    );
    assert_eq!(serde_json::from_value::<Schedule>(json).unwrap(), s);
}

fn any_period() -> impl Strategy<Value = Period> {
    prop_oneof![
        Just(Period::Daily),
        Just(Period::Weekly),
        (1u32..=24).prop_map(|months| Period::Monthly { months }),
        (1u64..=10_000_000).prop_map(|secs| Period::Every { secs }),
    ]
}

fn any_catch_up() -> impl Strategy<Value = CatchUp> {
    prop_oneof![
        (1u32..=20).prop_map(|max| CatchUp::All { max }),
        Just(CatchUp::LatestOnly),
        (1u64..=10 * DAY).prop_map(|grace_secs| CatchUp::None { grace_secs }),
    ]
}

/// Starts from 1970 to 2200.
const LATEST_START: u64 = 7_258_118_400;

proptest! {
    #[test]
    fn occurrences_strictly_increase(period in any_period(), start in 0..LATEST_START, n in 0u32..2_000) {
        let s = with_catch_up(period, start, CatchUp::LatestOnly);
        let a = s.occurrence(n).unwrap().unwrap();
        let b = s.occurrence(n + 1).unwrap().unwrap();
        prop_assert!(a < b);
        prop_assert!(a >= start);
    }

    #[test]
    fn monthly_lands_on_the_clamped_anchor_day(start in 0..LATEST_START, months in 1u32..=24, n in 0u32..1_000) {
        let s = with_catch_up(Period::Monthly { months }, start, CatchUp::LatestOnly);
        let first = from_unix(start).unwrap();
        let got = from_unix(s.occurrence(n).unwrap().unwrap()).unwrap();
        let total = first.year * 12 + i64::from(first.month) - 1 + i64::from(n) * i64::from(months);
        prop_assert_eq!(got.year, total.div_euclid(12));
        prop_assert_eq!(i64::from(got.month), total.rem_euclid(12) + 1);
        prop_assert_eq!(got.day, first.day.min(days_in_month(got.year, got.month)));
        prop_assert_eq!(got.secs_of_day, first.secs_of_day);
    }

    #[test]
    fn weekly_steps_are_exactly_seven_days(start in 0..LATEST_START, n in 0u32..100_000) {
        let s = with_catch_up(Period::Weekly, start, CatchUp::LatestOnly);
        let a = s.occurrence(n).unwrap().unwrap();
        prop_assert_eq!(s.occurrence(n + 1).unwrap().unwrap() - a, 7 * DAY);
    }

    #[test]
    fn next_due_after_agrees_with_occurrence(period in any_period(), start in 0..LATEST_START, offset in 0u64..2_000_000_000) {
        let s = with_catch_up(period, start, CatchUp::LatestOnly);
        let t = start.saturating_sub(1_000) + offset;
        let next = s.next_due_after(t).unwrap().unwrap();
        prop_assert!(next.due_at > t);
        prop_assert_eq!(s.occurrence(next.index).unwrap(), Some(next.due_at));
        if next.index > 0 {
            prop_assert!(s.occurrence(next.index - 1).unwrap().unwrap() <= t);
        }
    }

    #[test]
    fn count_never_exceeds_max_count(period in any_period(), max_count in 1u32..50, n in 0u32..100, now_days in 0u64..20_000) {
        let s = Schedule::new(period, 0, None, Some(max_count), CatchUp::All { max: 1_000 }).unwrap();
        prop_assert_eq!(s.occurrence(n).unwrap().is_some(), n < max_count);
        let due = s.due(None, now_days * DAY).unwrap();
        prop_assert!(due.len() <= max_count as usize);
        prop_assert!(due.iter().all(|o| o.index < max_count));
    }

    #[test]
    fn catch_up_never_repeats_a_paid_index(
        period in any_period(),
        catch_up in any_catch_up(),
        start in 0..LATEST_START,
        last_paid in proptest::option::of(0u32..500),
        offset in 0u64..3_000_000_000,
    ) {
        let s = with_catch_up(period, start, catch_up);
        let now = start + offset;
        let due = s.due(last_paid, now).unwrap();
        for pair in due.windows(2) {
            prop_assert!(pair[0].index < pair[1].index);
        }
        for o in &due {
            prop_assert!(last_paid.is_none_or(|p| o.index > p));
            prop_assert!(o.due_at <= now);
            prop_assert_eq!(s.occurrence(o.index).unwrap(), Some(o.due_at));
        }
        match catch_up {
            CatchUp::All { max } => {
                prop_assert!(due.len() <= max as usize);
                // Contiguous from the first unpaid index: nothing skipped.
                let first = last_paid.map_or(0, |p| p + 1);
                for (k, o) in due.iter().enumerate() {
                    prop_assert_eq!(o.index, first + k as u32);
                }
            }
            CatchUp::LatestOnly | CatchUp::None { .. } => {
                prop_assert!(due.len() <= 1);
                // Whatever is returned is the most recent due occurrence.
                if let Some(o) = due.first() {
                    let next = s.next_due_after(now).unwrap().unwrap();
                    prop_assert_eq!(next.index, o.index + 1);
                }
            }
        }
    }
}
