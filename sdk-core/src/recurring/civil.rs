//! Proleptic Gregorian civil dates in UTC, after Howard Hinnant's `days_from_civil` and
//! `civil_from_days` (<https://howardhinnant.github.io/date_algorithms.html>), limited to the
//! years 1970 to 9999 that schedules use, so every intermediate value fits an `i64`.

/// Seconds in a UTC day (UTC has no daylight saving; leap seconds are not counted by Unix time).
pub(super) const SECS_PER_DAY: u64 = 86_400;

/// The last supported instant, 9999-12-31T23:59:59Z: later dates are out of range.
pub(super) const MAX_UNIX_SECS: u64 = 253_402_300_799;

/// The last supported year.
const MAX_YEAR: i64 = 9999;

/// A UTC date-time broken into its civil fields.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) struct DateTime {
    /// The year (1970..=9999).
    pub(super) year: i64,
    /// The month, 1..=12.
    pub(super) month: u32,
    /// The day of the month, 1..=31.
    pub(super) day: u32,
    /// Seconds since midnight, 0..86_400.
    pub(super) secs_of_day: u64,
}

/// Whether `year` is a Gregorian leap year (divisible by 4, except centuries not divisible by 400).
pub(super) fn is_leap(year: i64) -> bool {
    year % 4 == 0 && (year % 100 != 0 || year % 400 == 0)
}

/// The number of days in `month` (1..=12) of `year`.
pub(super) fn days_in_month(year: i64, month: u32) -> u32 {
    match month {
        2 if is_leap(year) => 29,
        2 => 28,
        4 | 6 | 9 | 11 => 30,
        _ => 31,
    }
}

/// Days since 1970-01-01 of the civil date `year-month-day` (Hinnant's `days_from_civil`).
pub(super) fn days_from_civil(year: i64, month: u32, day: u32) -> i64 {
    let y = if month <= 2 { year - 1 } else { year };
    let era = y.div_euclid(400);
    let yoe = y.rem_euclid(400); // [0, 399]
    let mp = i64::from((month + 9) % 12); // March = 0 ... February = 11
    let doy = (153 * mp + 2) / 5 + i64::from(day) - 1; // [0, 365]
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy; // [0, 146096]
    era * 146_097 + doe - 719_468
}

/// The civil date `(year, month, day)` of `days` since 1970-01-01 (Hinnant's `civil_from_days`).
pub(super) fn civil_from_days(days: i64) -> (i64, u32, u32) {
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097); // [0, 146096]
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365; // [0, 399]
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100); // [0, 365]
    let mp = (5 * doy + 2) / 153; // [0, 11]
    let day = doy - (153 * mp + 2) / 5 + 1; // [1, 31]
    let month = if mp < 10 { mp + 3 } else { mp - 9 }; // [1, 12]
    let year = yoe + era * 400 + i64::from(month <= 2);
    // Both are in small ranges by construction; the fallbacks are never taken.
    (
        year,
        u32::try_from(month).unwrap_or(1),
        u32::try_from(day).unwrap_or(1),
    )
}

/// The civil fields of a Unix timestamp, or `None` past [`MAX_UNIX_SECS`].
pub(super) fn from_unix(secs: u64) -> Option<DateTime> {
    if secs > MAX_UNIX_SECS {
        return None;
    }
    let days = i64::try_from(secs / SECS_PER_DAY).ok()?;
    let (year, month, day) = civil_from_days(days);
    Some(DateTime {
        year,
        month,
        day,
        secs_of_day: secs % SECS_PER_DAY,
    })
}

/// The Unix timestamp of a civil date-time, or `None` before 1970 or past [`MAX_UNIX_SECS`].
pub(super) fn to_unix(dt: DateTime) -> Option<u64> {
    if dt.year > MAX_YEAR || dt.secs_of_day >= SECS_PER_DAY {
        return None;
    }
    let days = u64::try_from(days_from_civil(dt.year, dt.month, dt.day)).ok()?;
    let secs = days
        .checked_mul(SECS_PER_DAY)?
        .checked_add(dt.secs_of_day)?;
    (secs <= MAX_UNIX_SECS).then_some(secs)
}

/// A running month number (`year * 12 + month - 1`) of a timestamp, to count months between
/// two instants; `None` past [`MAX_UNIX_SECS`].
pub(super) fn month_number(secs: u64) -> Option<i64> {
    let dt = from_unix(secs)?;
    Some(dt.year * 12 + i64::from(dt.month) - 1)
}

/// `start` moved forward by `months` calendar months: same time of day, the day of the month
/// of `start` clamped to the target month's length (Jan 31 + 1 month = Feb 28 or 29).
///
/// Always computed from `start`, never from a previous result, so the anchor day never drifts.
/// `None` when the result would be past [`MAX_UNIX_SECS`].
pub(super) fn add_months(start: u64, months: u64) -> Option<u64> {
    let dt = from_unix(start)?;
    let target =
        (dt.year * 12 + i64::from(dt.month) - 1).checked_add(i64::try_from(months).ok()?)?;
    let year = target.div_euclid(12);
    if year > MAX_YEAR {
        return None;
    }
    let month = u32::try_from(target.rem_euclid(12)).ok()? + 1;
    let day = dt.day.min(days_in_month(year, month));
    to_unix(DateTime {
        year,
        month,
        day,
        ..dt
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn known_days() {
        assert_eq!(days_from_civil(1970, 1, 1), 0);
        assert_eq!(days_from_civil(2000, 3, 1), 951_868_800 / 86_400);
        assert_eq!(days_from_civil(2024, 2, 29), 1_709_164_800 / 86_400);
        assert_eq!(civil_from_days(1_835_395_200 / 86_400), (2028, 2, 29));
        assert_eq!(
            civil_from_days(MAX_UNIX_SECS as i64 / 86_400),
            (9999, 12, 31)
        );
    }

    #[test]
    fn leap_years() {
        assert!(is_leap(2000));
        assert!(is_leap(2024));
        assert!(!is_leap(2100));
        assert!(!is_leap(1900));
        assert!(!is_leap(2025));
        assert_eq!(days_in_month(2000, 2), 29);
        assert_eq!(days_in_month(2100, 2), 28);
    }

    #[test]
    fn out_of_range() {
        assert_eq!(from_unix(MAX_UNIX_SECS + 1), None);
        assert_eq!(add_months(MAX_UNIX_SECS, 1), None);
        assert_eq!(add_months(0, u64::MAX), None);
        assert!(add_months(MAX_UNIX_SECS, 0).is_some());
    }

    proptest! {
        #[test]
        fn days_round_trip(days in 0i64..=(MAX_UNIX_SECS / 86_400) as i64) {
            let (y, m, d) = civil_from_days(days);
            prop_assert!((1..=12).contains(&m));
            prop_assert!(d >= 1 && d <= days_in_month(y, m));
            prop_assert_eq!(days_from_civil(y, m, d), days);
            // The next day is the next civil date.
            let (y2, m2, d2) = civil_from_days(days + 1);
            if d < days_in_month(y, m) {
                prop_assert_eq!((y2, m2, d2), (y, m, d + 1));
            } else if m < 12 {
                prop_assert_eq!((y2, m2, d2), (y, m + 1, 1));
            } else {
                prop_assert_eq!((y2, m2, d2), (y + 1, 1, 1));
            }
        }

        #[test]
        fn unix_round_trip(secs in 0u64..=MAX_UNIX_SECS) {
            let dt = from_unix(secs).unwrap();
            prop_assert_eq!(to_unix(dt), Some(secs));
        }
    }
}
