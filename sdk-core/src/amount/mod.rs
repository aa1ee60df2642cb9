//! Amounts: millisatoshis as a `u64` newtype with checked arithmetic and sat conversions.
//! Money is never a float; overflow and underflow are errors, never a wrap.
//!
//! Parsing and formatting in msat, sat and BTC live in [`Unit`] and the `text` submodule.

use serde::{Deserialize, Serialize};
use thiserror::Error;

mod text;

pub use text::Unit;

/// Millisatoshis in one satoshi.
pub const MSAT_PER_SAT: u64 = 1_000;

/// Millisatoshis in one bitcoin (100,000,000 sat).
pub const MSAT_PER_BTC: u64 = 100_000_000_000;

/// The most characters of an input an error keeps: longer input is shortened in errors.
const MAX_ERROR_INPUT_CHARS: usize = 64;

/// An amount of bitcoin in millisatoshis (1 sat = 1,000 msat; 1 BTC = 100,000,000 sat).
///
/// Serialised as a plain JSON integer. Arithmetic is checked: overflow is an error, never a wrap.
/// `Display` writes the exact amount in millisatoshis (`"1500 msat"`); [`Msat::format`] writes
/// it in another [`Unit`], and [`Msat::parse`] (also `FromStr`) reads any of them back.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Default, Serialize, Deserialize,
)]
#[serde(transparent)]
pub struct Msat(u64);

impl Msat {
    /// Zero.
    pub const ZERO: Msat = Msat(0);

    /// All the bitcoin there will ever be, 21,000,000 BTC (2.1 × 10¹⁸ msat).
    ///
    /// Parsing text refuses anything larger ([`AmountError::AboveMaxSupply`]): no real payment
    /// can be, so a larger figure is a typo or an attack. Arithmetic and [`Msat::from_msat`] /
    /// [`Msat::from_sat`] are bounded only by `u64` ([`AmountError::Overflow`]).
    pub const MAX_SUPPLY: Msat = Msat(21_000_000 * MSAT_PER_BTC);

    /// An amount of `msat` millisatoshis.
    pub const fn from_msat(msat: u64) -> Msat {
        Msat(msat)
    }

    /// The amount in millisatoshis.
    pub const fn as_u64(self) -> u64 {
        self.0
    }

    /// An amount of `sat` satoshis.
    ///
    /// # Errors
    /// [`AmountError::Overflow`] if `sat × 1000` exceeds `u64::MAX` millisatoshis.
    pub fn from_sat(sat: u64) -> Result<Msat, AmountError> {
        sat.checked_mul(MSAT_PER_SAT)
            .map(Msat)
            .ok_or(AmountError::Overflow)
    }

    /// The amount in whole satoshis, rounded down (what an on-chain output can carry).
    pub const fn to_sat_floor(self) -> u64 {
        self.0 / MSAT_PER_SAT
    }

    /// The amount in whole satoshis, rounded up (what covers this amount in full).
    pub const fn to_sat_ceil(self) -> u64 {
        // `u64::MAX / 1000 + 1` cannot overflow.
        self.0 / MSAT_PER_SAT + (self.0 % MSAT_PER_SAT != 0) as u64
    }

    /// Whether the amount is a whole number of satoshis (no millisatoshi part).
    pub const fn is_whole_sat(self) -> bool {
        self.0 % MSAT_PER_SAT == 0
    }

    /// `self + other`.
    ///
    /// # Errors
    /// [`AmountError::Overflow`] if the sum exceeds `u64::MAX` millisatoshis.
    pub fn checked_add(self, other: Msat) -> Result<Msat, AmountError> {
        self.0
            .checked_add(other.0)
            .map(Msat)
            .ok_or(AmountError::Overflow)
    }

    /// `self - other`.
    ///
    /// # Errors
    /// [`AmountError::Underflow`] if `other` is larger than `self`: an amount is never negative.
    pub fn checked_sub(self, other: Msat) -> Result<Msat, AmountError> {
        self.0
            .checked_sub(other.0)
            .map(Msat)
            .ok_or(AmountError::Underflow {
                minuend_msat: self.0,
                subtrahend_msat: other.0,
            })
    }

    /// `self - other`, or zero if `other` is larger: for "what is left of a budget" questions
    /// where running out is a normal answer rather than a mistake.
    pub const fn saturating_sub(self, other: Msat) -> Msat {
        Msat(self.0.saturating_sub(other.0))
    }

    /// `self × factor`.
    ///
    /// # Errors
    /// [`AmountError::Overflow`] if the product exceeds `u64::MAX` millisatoshis.
    pub fn checked_mul(self, factor: u64) -> Result<Msat, AmountError> {
        self.0
            .checked_mul(factor)
            .map(Msat)
            .ok_or(AmountError::Overflow)
    }

    /// `self ÷ divisor`, rounded down to the millisatoshi (the remainder is
    /// `self.as_u64() % divisor`; splitting money fairly is [`crate::tournament`]'s job).
    ///
    /// # Errors
    /// [`AmountError::DivisionByZero`] if `divisor` is zero.
    pub fn checked_div(self, divisor: u64) -> Result<Msat, AmountError> {
        self.0
            .checked_div(divisor)
            .map(Msat)
            .ok_or(AmountError::DivisionByZero)
    }

    /// The sum of `amounts`, stopping at the first overflow.
    ///
    /// The same as `amounts.into_iter().sum::<Result<Msat, AmountError>>()`.
    ///
    /// # Errors
    /// [`AmountError::Overflow`] if the running total exceeds `u64::MAX` millisatoshis.
    pub fn checked_sum<I: IntoIterator<Item = Msat>>(amounts: I) -> Result<Msat, AmountError> {
        amounts
            .into_iter()
            .try_fold(Msat::ZERO, |total, amount| total.checked_add(amount))
    }
}

impl core::iter::Sum<Msat> for Result<Msat, AmountError> {
    fn sum<I: Iterator<Item = Msat>>(iter: I) -> Self {
        Msat::checked_sum(iter)
    }
}

/// Errors of amount parsing, formatting and arithmetic.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
#[non_exhaustive]
pub enum AmountError {
    /// Arithmetic on amounts would exceed `u64::MAX` millisatoshis.
    #[error("amount arithmetic overflowed")]
    Overflow,
    /// A subtraction would go below zero: amounts are never negative.
    #[error("cannot subtract {subtrahend_msat} msat from {minuend_msat} msat")]
    Underflow {
        /// The amount subtracted from.
        minuend_msat: u64,
        /// The larger amount that was to be subtracted.
        subtrahend_msat: u64,
    },
    /// An amount was divided by zero.
    #[error("amount divided by zero")]
    DivisionByZero,
    /// The text to parse was empty or only whitespace.
    #[error("the amount is empty")]
    Empty,
    /// The number part is not a plain decimal number (`21`, `0.00021`): signs, exponents,
    /// separators, a bare `.` or a missing number are refused.
    #[error("not a valid amount number: {input:?}")]
    InvalidNumber {
        /// The offending text (at most 64 characters of it).
        input: String,
    },
    /// A number was given without a unit where one is required (`Msat::parse("21")`): sat and
    /// msat differ a thousandfold, so the parser never guesses.
    #[error("the amount {input:?} has no unit (msat, sat or BTC)")]
    MissingUnit {
        /// The offending text (at most 64 characters of it).
        input: String,
    },
    /// The unit is none of msat, sat or BTC (in any case, singular or plural).
    #[error("unknown amount unit {unit:?} (expected msat, sat or BTC)")]
    UnknownUnit {
        /// The unit as written (at most 64 characters of it).
        unit: String,
    },
    /// The amount has a non-zero digit below one millisatoshi (`1.5 msat`, `0.0001 sat`,
    /// 12 significant BTC decimals): Lightning cannot carry it, and it is never rounded away.
    #[error("the amount {input:?} is more precise than one millisatoshi")]
    SubMsatPrecision {
        /// The offending text (at most 64 characters of it).
        input: String,
    },
    /// A parsed amount is larger than the 21,000,000 BTC that will ever exist
    /// ([`Msat::MAX_SUPPLY`]), however large it is (even beyond `u64`).
    #[error("the amount is above the 21,000,000 BTC supply ({max_msat} msat)")]
    AboveMaxSupply {
        /// The largest amount accepted, in millisatoshis.
        max_msat: u64,
    },
}

impl AmountError {
    /// The stable code of this error (see [`crate::Error::code`]).
    pub fn code(&self) -> &'static str {
        match self {
            AmountError::Overflow => "amount_overflow",
            AmountError::Underflow { .. } => "amount_underflow",
            AmountError::DivisionByZero => "amount_division_by_zero",
            AmountError::Empty => "amount_empty",
            AmountError::InvalidNumber { .. } => "amount_invalid_number",
            AmountError::MissingUnit { .. } => "amount_missing_unit",
            AmountError::UnknownUnit { .. } => "amount_unknown_unit",
            AmountError::SubMsatPrecision { .. } => "amount_sub_msat_precision",
            AmountError::AboveMaxSupply { .. } => "amount_above_max_supply",
        }
    }
}

/// At most [`MAX_ERROR_INPUT_CHARS`] characters of `input`, to keep errors small whatever the
/// input.
fn excerpt(input: &str) -> String {
    input.chars().take(MAX_ERROR_INPUT_CHARS).collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn sat_conversions() {
        assert_eq!(Msat::from_sat(21), Ok(Msat::from_msat(21_000)));
        assert_eq!(
            Msat::from_sat(u64::MAX / 1000 + 1),
            Err(AmountError::Overflow)
        );
        let a = Msat::from_msat(1_001);
        assert_eq!(
            (a.to_sat_floor(), a.to_sat_ceil(), a.is_whole_sat()),
            (1, 2, false)
        );
        let b = Msat::from_msat(2_000);
        assert_eq!(
            (b.to_sat_floor(), b.to_sat_ceil(), b.is_whole_sat()),
            (2, 2, true)
        );
        let max = Msat::from_msat(u64::MAX);
        assert_eq!(max.to_sat_ceil(), u64::MAX / 1000 + 1);
        assert_eq!(Msat::MAX_SUPPLY.as_u64(), 2_100_000_000_000_000_000);
    }

    #[test]
    fn arithmetic_is_checked() {
        let one = Msat::from_msat(1);
        assert_eq!(
            Msat::from_msat(u64::MAX).checked_add(one),
            Err(AmountError::Overflow)
        );
        assert_eq!(
            one.checked_sub(Msat::from_msat(2)),
            Err(AmountError::Underflow {
                minuend_msat: 1,
                subtrahend_msat: 2
            })
        );
        assert_eq!(one.saturating_sub(Msat::from_msat(2)), Msat::ZERO);
        assert_eq!(
            Msat::from_msat(u64::MAX).checked_mul(2),
            Err(AmountError::Overflow)
        );
        assert_eq!(Msat::from_msat(7).checked_mul(3), Ok(Msat::from_msat(21)));
        assert_eq!(Msat::from_msat(7).checked_div(2), Ok(Msat::from_msat(3)));
        assert_eq!(one.checked_div(0), Err(AmountError::DivisionByZero));
        let total: Result<Msat, AmountError> = [one, one, one].into_iter().sum();
        assert_eq!(total, Ok(Msat::from_msat(3)));
        let too_much: Result<Msat, AmountError> =
            [Msat::from_msat(u64::MAX), one].into_iter().sum();
        assert_eq!(too_much, Err(AmountError::Overflow));
        assert_eq!(Msat::checked_sum([]), Ok(Msat::ZERO));
    }

    #[test]
    fn error_codes_are_prefixed_and_distinct() {
        let errors = [
            AmountError::Overflow,
            AmountError::Underflow {
                minuend_msat: 0,
                subtrahend_msat: 1,
            },
            AmountError::DivisionByZero,
            AmountError::Empty,
            AmountError::InvalidNumber {
                input: String::new(),
            },
            AmountError::MissingUnit {
                input: String::new(),
            },
            AmountError::UnknownUnit {
                unit: String::new(),
            },
            AmountError::SubMsatPrecision {
                input: String::new(),
            },
            AmountError::AboveMaxSupply { max_msat: 0 },
        ];
        let mut codes: Vec<_> = errors.iter().map(AmountError::code).collect();
        assert!(codes.iter().all(|c| c.starts_with("amount_")));
        codes.sort_unstable();
        codes.dedup();
        assert_eq!(codes.len(), errors.len());
    }

    #[test]
    fn serialises_as_a_plain_integer() {
        let json = serde_json::to_string(&Msat::from_msat(1500)).unwrap();
        assert_eq!(json, "1500");
        assert_eq!(
            serde_json::from_str::<Msat>("1500").unwrap(),
            Msat::from_msat(1500)
        );
    }

    proptest! {
        #[test]
        fn checked_add_agrees_with_u128(a: u64, b: u64) {
            let wide = u128::from(a) + u128::from(b);
            match Msat::from_msat(a).checked_add(Msat::from_msat(b)) {
                Ok(sum) => prop_assert_eq!(u128::from(sum.as_u64()), wide),
                Err(e) => {
                    prop_assert_eq!(e, AmountError::Overflow);
                    prop_assert!(wide > u128::from(u64::MAX));
                }
            }
        }

        #[test]
        fn checked_sub_never_wraps(a: u64, b: u64) {
            let result = Msat::from_msat(a).checked_sub(Msat::from_msat(b));
            if a >= b {
                prop_assert_eq!(result, Ok(Msat::from_msat(a - b)));
            } else {
                prop_assert_eq!(result.map_err(|e| e.code()), Err("amount_underflow"));
            }
        }

        #[test]
        fn checked_mul_agrees_with_u128(a: u64, b: u64) {
            let wide = u128::from(a) * u128::from(b);
            match Msat::from_msat(a).checked_mul(b) {
                Ok(p) => prop_assert_eq!(u128::from(p.as_u64()), wide),
                Err(e) => {
                    prop_assert_eq!(e, AmountError::Overflow);
                    prop_assert!(wide > u128::from(u64::MAX));
                }
            }
        }

        #[test]
        fn checked_sum_agrees_with_u128(values in proptest::collection::vec(any::<u64>(), 0..8)) {
            let wide: u128 = values.iter().map(|&v| u128::from(v)).sum();
            let result = Msat::checked_sum(values.iter().map(|&v| Msat::from_msat(v)));
            match u64::try_from(wide) {
                Ok(total) => prop_assert_eq!(result, Ok(Msat::from_msat(total))),
                Err(_) => prop_assert_eq!(result, Err(AmountError::Overflow)),
            }
        }

        #[test]
        fn sat_conversions_bracket_the_amount(msat: u64) {
            let a = Msat::from_msat(msat);
            let floor = u128::from(a.to_sat_floor()) * 1000;
            let ceil = u128::from(a.to_sat_ceil()) * 1000;
            prop_assert!(floor <= u128::from(msat) && u128::from(msat) <= ceil);
            prop_assert!(ceil - floor <= 1000);
            prop_assert_eq!(a.is_whole_sat(), floor == ceil);
            if let Ok(back) = Msat::from_sat(a.to_sat_floor()) {
                prop_assert!(back <= a);
            }
        }
    }
}
