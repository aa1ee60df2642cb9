//! Unit tests of fiat conversion, quotes and slippage: the typed fields of scenario S05's errors,
//! serialisation, error codes, and properties checked against a `u128` reference.

use core::str::FromStr;

use proptest::prelude::*;

use super::*;
use crate::clock::FixedClock;

fn dec(s: &str) -> Decimal {
    Decimal::from_str(s).unwrap()
}

fn msat(v: u64) -> Msat {
    Msat::from_msat(v)
}

const NOW: u64 = 1_700_000_000;

fn quote(amount: &str, rate: &str, rounding: Rounding) -> Result<FiatQuote, FiatError> {
    let clock = FixedClock::from_unix_secs(NOW);
    FiatQuote::new(dec(amount), "EUR", dec(rate), rounding, &clock, 600)
}

// Conversions, quotes, the slippage bound and expiry are scenario S05
// (tests/scenarios/s05_fiat.json, run by the offline_scenarios integration test); here the typed
// fields of its errors and what else the file cannot express.

#[test]
fn s05_errors_carry_their_details() {
    let q = quote("10.00", "60000", Rounding::Up).unwrap();
    assert_eq!(
        q.check_slippage(dec("60300.01"), 50),
        Err(FiatError::SlippageExceeded {
            quoted_rate: "60000".into(),
            new_rate: "60300.01".into(),
            moved_bps: 51, // 50.0016… rounded up
            max_bps: 50,
        })
    );
    let q = quote("1", "50000", Rounding::Up).unwrap();
    assert_eq!(
        q.check_valid(&FixedClock::from_unix_secs(NOW + 600)),
        Err(FiatError::Expired {
            expires_at_unix: NOW + 600,
            now_unix: NOW + 600
        })
    );
    // 0.0001 EUR at 2e11 EUR/BTC is 0.00005 msat.
    assert_eq!(
        quote("0.0001", "200000000000", Rounding::Down),
        Err(FiatError::RoundsToZero {
            amount: "0.0001".into(),
            rate: "200000000000".into()
        })
    );
    assert_eq!(
        msat_to_fiat(msat(16_666_667), dec("60000"), 29, Rounding::Up),
        Err(FiatError::TooManyDecimals {
            decimals: 29,
            max: 28
        })
    );
}

#[test]
fn s05_a_quote_keeps_what_it_was_made_of() {
    assert_eq!(
        quote("0.0001", "200000000000", Rounding::Up),
        Ok(FiatQuote {
            fiat_amount: dec("0.0001"),
            currency: "EUR".into(),
            rate: dec("200000000000"),
            msat: msat(1),
            created_at_unix: NOW,
            expires_at_unix: NOW + 600,
            rounding: Rounding::Up,
        })
    );
}

#[test]
fn quotes_serialise_decimals_as_strings_and_are_checked_when_read() {
    let q = quote("4.99", "61234.5", Rounding::HalfEven).unwrap();
    let json = serde_json::to_value(&q).unwrap();
    assert_eq!(json["fiat_amount"], "4.99");
    assert_eq!(json["rate"], "61234.5");
    assert_eq!(json["currency"], "EUR");
    assert_eq!(json["rounding"], "half_even");
    assert_eq!(json["msat"], 8_149_001);
    let back: FiatQuote = serde_json::from_value(json.clone()).unwrap();
    assert_eq!(back, q);

    let mut tampered = json.clone();
    tampered["msat"] = 1.into();
    let err = serde_json::from_value::<FiatQuote>(tampered).unwrap_err();
    assert!(err.to_string().contains("8149001"), "{err}");
    let mut bad_currency = json.clone();
    bad_currency["currency"] = "usd".into();
    assert!(serde_json::from_value::<FiatQuote>(bad_currency).is_err());
    let mut float_rate = json;
    float_rate["rate"] = 61234.5.into();
    assert!(serde_json::from_value::<FiatQuote>(float_rate).is_err());
}

#[test]
fn error_codes_are_prefixed_and_distinct() {
    let s = String::new;
    let errors = [
        FiatError::RateNotPositive { rate: s() },
        FiatError::NegativeAmount { amount: s() },
        FiatError::ZeroAmount,
        FiatError::RoundsToZero {
            amount: s(),
            rate: s(),
        },
        FiatError::Overflow,
        FiatError::InvalidCurrency { currency: s() },
        FiatError::EmptyValidity {
            created_at_unix: 0,
            expires_at_unix: 0,
        },
        FiatError::TooManyDecimals {
            decimals: 0,
            max: 0,
        },
        FiatError::MsatMismatch {
            computed_msat: 0,
            quoted_msat: 0,
        },
        FiatError::Expired {
            expires_at_unix: 0,
            now_unix: 0,
        },
        FiatError::SlippageExceeded {
            quoted_rate: s(),
            new_rate: s(),
            moved_bps: 0,
            max_bps: 0,
        },
    ];
    let mut codes: Vec<_> = errors.iter().map(FiatError::code).collect();
    assert!(codes.iter().all(|c| c.starts_with("fiat_")));
    codes.sort_unstable();
    codes.dedup();
    assert_eq!(codes.len(), errors.len());
}

fn any_rounding() -> impl Strategy<Value = Rounding> {
    prop_oneof![
        Just(Rounding::Up),
        Just(Rounding::Down),
        Just(Rounding::HalfEven)
    ]
}

/// A positive decimal with a small mantissa and scale, so a `u128` reference can check it.
fn small_decimal() -> impl Strategy<Value = Decimal> {
    (1i64..1_000_000_000_000, 0u32..=6).prop_map(|(m, s)| Decimal::new(m, s))
}

/// `num / den` rounded by `rounding`, in plain `u128`.
fn reference_round(num: u128, den: u128, rounding: Rounding) -> u128 {
    let (q, r) = (num / den, num % den);
    let up = match rounding {
        Rounding::Down => false,
        Rounding::Up => r > 0,
        Rounding::HalfEven => 2 * r > den || (2 * r == den && q % 2 == 1),
    };
    q + u128::from(up)
}

proptest! {
    #[test]
    fn fiat_to_msat_matches_a_u128_reference(
        amount in small_decimal(),
        rate in small_decimal(),
        rounding in any_rounding(),
    ) {
        // Both scales ≤ 6 and mantissas < 10¹²: num < 10¹² × 10¹⁷ fits u128.
        let num = amount.mantissa() as u128 * 10u128.pow(rate.scale() + 11);
        let den = rate.mantissa() as u128 * 10u128.pow(amount.scale());
        let expected = reference_round(num, den, rounding);
        match u64::try_from(expected) {
            Ok(e) => prop_assert_eq!(fiat_to_msat(amount, rate, rounding), Ok(msat(e))),
            Err(_) => prop_assert_eq!(fiat_to_msat(amount, rate, rounding), Err(FiatError::Overflow)),
        }
    }

    #[test]
    fn msat_to_fiat_matches_a_u128_reference(
        m in 0u64..=Msat::MAX_SUPPLY.as_u64(),
        rate in small_decimal(),
        decimals in 0u32..=8,
        rounding in any_rounding(),
    ) {
        // m × rate mantissa < 2.1e18 × 1e12 × 1e8 fits u128.
        let num = u128::from(m) * rate.mantissa() as u128 * 10u128.pow(decimals);
        let den = 10u128.pow(rate.scale() + 11);
        let expected = reference_round(num, den, rounding);
        let expected = Decimal::from_i128_with_scale(expected as i128, decimals);
        prop_assert_eq!(msat_to_fiat(msat(m), rate, decimals, rounding), Ok(expected));
    }

    #[test]
    fn roundings_bracket_each_other(
        amount_m in 0i128..=79_228_162_514_264_337_593_543_950_335,
        amount_s in 0u32..=28,
        rate_m in 1i128..=79_228_162_514_264_337_593_543_950_335,
        rate_s in 0u32..=28,
    ) {
        let amount = Decimal::from_i128_with_scale(amount_m, amount_s);
        let rate = Decimal::from_i128_with_scale(rate_m, rate_s);
        let down = fiat_to_msat(amount, rate, Rounding::Down);
        let even = fiat_to_msat(amount, rate, Rounding::HalfEven);
        let up = fiat_to_msat(amount, rate, Rounding::Up);
        if let (Ok(d), Ok(e), Ok(u)) = (&down, &even, &up) {
            prop_assert!(d <= e && e <= u);
            prop_assert!(u.as_u64() - d.as_u64() <= 1);
        } else {
            // Only the top of the range may overflow, and rounding down overflows last.
            prop_assert_eq!(up.clone(), Err(FiatError::Overflow));
            if down.is_ok() { prop_assert!(down.unwrap().as_u64() == u64::MAX); }
        }
    }

    #[test]
    fn slippage_accepts_exactly_the_moves_within_the_bound(
        old in small_decimal(),
        new in small_decimal(),
        max_bps in 0u32..30_000,
    ) {
        let q = FiatQuote {
            fiat_amount: dec("1"),
            currency: "USD".into(),
            rate: old,
            msat: msat(1),
            created_at_unix: 0,
            expires_at_unix: 1,
            rounding: Rounding::Up,
        };
        // Reference with both rates at scale 12 in i128.
        let at12 = |d: Decimal| d.mantissa() * 10i128.pow(12 - d.scale());
        let (o, n) = (at12(old), at12(new));
        let within = (n - o).abs() * 10_000 <= i128::from(max_bps) * o;
        match q.check_slippage(new, max_bps) {
            Ok(()) => prop_assert!(within),
            Err(FiatError::SlippageExceeded { moved_bps, .. }) => {
                prop_assert!(!within);
                prop_assert!(moved_bps > u64::from(max_bps));
            }
            Err(other) => prop_assert!(false, "unexpected {other:?}"),
        }
    }
}
