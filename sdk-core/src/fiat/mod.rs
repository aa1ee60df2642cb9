//! Fiat prices: converting between fiat amounts and millisatoshis exactly, quotes that lock a
//! rate for a while, and the slippage bound that refuses a newer rate that moved too far.
//!
//! Fiat values are [`rust_decimal::Decimal`], serialised as JSON strings; never `f64`. Every
//! conversion is exact: the rational result is computed in wide integers and rounded once, by
//! the [`Rounding`] rule the caller chose.

use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};
use thiserror::Error;

use crate::amount::Msat;
use crate::clock::Clock;

mod exact;

use exact::{div_round, U256};

/// Powers of ten in one bitcoin's millisatoshis (1 BTC = 10¹¹ msat).
const MSAT_PER_BTC_EXP: u32 = 11;

/// Basis points in one whole (100 % = 10,000 bps).
const BPS_PER_WHOLE: u64 = 10_000;

/// How a conversion that does not come out even is rounded to the target's smallest unit.
///
/// Serialised as `"up"`, `"down"` or `"half_even"`. Amounts are never negative here, so `Up`
/// is away from zero and `Down` towards it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Rounding {
    /// Any remainder rounds up: the payer covers the full fiat price (a merchant's default).
    Up,
    /// Any remainder is dropped: never pay out more than the fiat value.
    Down,
    /// To the nearest; an exact half goes to the even neighbour (banker's rounding, no bias).
    HalfEven,
}

/// A fiat price converted to millisatoshis at a rate locked until `expires_at_unix`.
///
/// Make one with [`FiatQuote::new`]; deserialising checks the same invariants again (see
/// [`FiatQuote::validate`]), so a quote read back from JSON is as trustworthy as a new one.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(try_from = "QuoteFields")]
pub struct FiatQuote {
    /// The price in fiat units (e.g. `"4.99"` EUR); positive.
    pub fiat_amount: Decimal,
    /// The ISO 4217 currency code: three uppercase ASCII letters (`"EUR"`).
    pub currency: String,
    /// The exchange rate, in fiat units per 1 BTC; positive.
    pub rate: Decimal,
    /// `fiat_amount / rate × 10¹¹`, rounded by `rounding`; never zero.
    pub msat: Msat,
    /// When the quote was made, in seconds since the Unix epoch.
    pub created_at_unix: u64,
    /// The first second the quote is no longer valid (exclusive end).
    pub expires_at_unix: u64,
    /// How `msat` was rounded.
    pub rounding: Rounding,
}

/// The serialised form of [`FiatQuote`], checked before it becomes one.
#[derive(Deserialize)]
struct QuoteFields {
    fiat_amount: Decimal,
    currency: String,
    rate: Decimal,
    msat: Msat,
    created_at_unix: u64,
    expires_at_unix: u64,
    rounding: Rounding,
}

impl TryFrom<QuoteFields> for FiatQuote {
    type Error = FiatError;

    fn try_from(f: QuoteFields) -> Result<FiatQuote, FiatError> {
        let quote = FiatQuote {
            fiat_amount: f.fiat_amount,
            currency: f.currency,
            rate: f.rate,
            msat: f.msat,
            created_at_unix: f.created_at_unix,
            expires_at_unix: f.expires_at_unix,
            rounding: f.rounding,
        };
        quote.validate()?;
        Ok(quote)
    }
}

impl FiatQuote {
    /// Quotes `fiat_amount` of `currency` at `rate` (fiat units per BTC), valid for `ttl_secs`
    /// seconds from `clock`'s now.
    ///
    /// `msat = fiat_amount / rate × 10¹¹`, computed exactly and rounded once by `rounding`.
    ///
    /// # Errors
    /// [`FiatError::InvalidCurrency`], [`FiatError::RateNotPositive`],
    /// [`FiatError::NegativeAmount`], [`FiatError::ZeroAmount`] (a zero-amount invoice would
    /// let the payer choose the amount), [`FiatError::RoundsToZero`],
    /// [`FiatError::EmptyValidity`] if `ttl_secs` is zero, and [`FiatError::Overflow`] if the
    /// amount exceeds `u64` millisatoshis or the expiry the end of time.
    pub fn new(
        fiat_amount: Decimal,
        currency: &str,
        rate: Decimal,
        rounding: Rounding,
        clock: &dyn Clock,
        ttl_secs: u64,
    ) -> Result<FiatQuote, FiatError> {
        check_currency(currency)?;
        if fiat_amount.is_zero() {
            return Err(FiatError::ZeroAmount);
        }
        let msat = fiat_to_msat(fiat_amount, rate, rounding)?;
        if msat == Msat::ZERO {
            return Err(FiatError::RoundsToZero {
                amount: fiat_amount.to_string(),
                rate: rate.to_string(),
            });
        }
        let created_at_unix = clock.now_unix_secs();
        let expires_at_unix = created_at_unix
            .checked_add(ttl_secs)
            .ok_or(FiatError::Overflow)?;
        if ttl_secs == 0 {
            return Err(FiatError::EmptyValidity {
                created_at_unix,
                expires_at_unix,
            });
        }
        Ok(FiatQuote {
            fiat_amount,
            currency: currency.to_owned(),
            rate,
            msat,
            created_at_unix,
            expires_at_unix,
            rounding,
        })
    }

    /// Checks every invariant [`FiatQuote::new`] establishes: the currency code, a positive
    /// amount and rate, `msat` equal to the conversion recomputed, and a non-empty validity
    /// window. For quotes that come from outside (deserialising calls it).
    ///
    /// # Errors
    /// The errors of [`FiatQuote::new`], and [`FiatError::MsatMismatch`] if `msat` is not what
    /// the amount, rate and rounding give.
    pub fn validate(&self) -> Result<(), FiatError> {
        check_currency(&self.currency)?;
        if self.fiat_amount.is_zero() {
            return Err(FiatError::ZeroAmount);
        }
        let computed = fiat_to_msat(self.fiat_amount, self.rate, self.rounding)?;
        if computed != self.msat {
            return Err(FiatError::MsatMismatch {
                computed_msat: computed.as_u64(),
                quoted_msat: self.msat.as_u64(),
            });
        }
        if computed == Msat::ZERO {
            return Err(FiatError::RoundsToZero {
                amount: self.fiat_amount.to_string(),
                rate: self.rate.to_string(),
            });
        }
        if self.expires_at_unix <= self.created_at_unix {
            return Err(FiatError::EmptyValidity {
                created_at_unix: self.created_at_unix,
                expires_at_unix: self.expires_at_unix,
            });
        }
        Ok(())
    }

    /// Checks that the quote has not expired: valid while `now < expires_at_unix`.
    ///
    /// # Errors
    /// [`FiatError::Expired`] from `expires_at_unix` on (the boundary second is expired).
    pub fn check_valid(&self, clock: &dyn Clock) -> Result<(), FiatError> {
        let now_unix = clock.now_unix_secs();
        if now_unix >= self.expires_at_unix {
            return Err(FiatError::Expired {
                expires_at_unix: self.expires_at_unix,
                now_unix,
            });
        }
        Ok(())
    }

    /// Checks a newer rate against the quoted one: refused when
    /// `|new_rate − rate| / rate > max_bps / 10,000`.
    ///
    /// The comparison is exact (`|new − old| × 10,000 > max_bps × old` in integers). A move of
    /// exactly `max_bps` is accepted; anything beyond it, however slightly, is refused.
    /// `max_bps` may exceed 10,000 (a rate may more than double).
    ///
    /// # Errors
    /// [`FiatError::RateNotPositive`] if either rate is not positive;
    /// [`FiatError::SlippageExceeded`] when the rate moved too far.
    pub fn check_slippage(&self, new_rate: Decimal, max_bps: u32) -> Result<(), FiatError> {
        let old = positive_parts(self.rate)?;
        let new = positive_parts(new_rate)?;
        // old = m_o / 10^s_o and new = m_n / 10^s_n; scale both by 10^(s_o + s_n).
        let old_scaled = old.mantissa.checked_mul_pow10(new.scale);
        let new_scaled = new.mantissa.checked_mul_pow10(old.scale);
        let (Some(old_scaled), Some(new_scaled)) = (old_scaled, new_scaled) else {
            return Err(FiatError::Overflow);
        };
        let moved = new_scaled.abs_diff(old_scaled);
        let moved_x_whole = moved.checked_mul_u64(BPS_PER_WHOLE);
        let bound = old_scaled.checked_mul_u64(u64::from(max_bps));
        let (Some(moved_x_whole), Some(bound)) = (moved_x_whole, bound) else {
            return Err(FiatError::Overflow);
        };
        if moved_x_whole <= bound {
            return Ok(());
        }
        let moved_bps = div_round(moved_x_whole, old_scaled, Rounding::Up)
            .and_then(U256::to_u128)
            .and_then(|bps| u64::try_from(bps).ok())
            .unwrap_or(u64::MAX);
        Err(FiatError::SlippageExceeded {
            quoted_rate: self.rate.to_string(),
            new_rate: new_rate.to_string(),
            moved_bps,
            max_bps,
        })
    }
}

/// Converts `fiat_amount` at `rate` (fiat units per BTC) to millisatoshis:
/// `fiat_amount / rate × 10¹¹`, exact, rounded once by `rounding`. Zero converts to zero.
///
/// # Errors
/// [`FiatError::RateNotPositive`], [`FiatError::NegativeAmount`], and [`FiatError::Overflow`]
/// if the result exceeds `u64::MAX` millisatoshis.
pub fn fiat_to_msat(
    fiat_amount: Decimal,
    rate: Decimal,
    rounding: Rounding,
) -> Result<Msat, FiatError> {
    if fiat_amount.is_sign_negative() && !fiat_amount.is_zero() {
        return Err(FiatError::NegativeAmount {
            amount: fiat_amount.to_string(),
        });
    }
    let rate = positive_parts(rate)?;
    let amount = Parts::of(fiat_amount);
    // (m_a / 10^s_a) / (m_r / 10^s_r) × 10^11 = m_a × 10^(s_r + 11) / (m_r × 10^s_a).
    let num = amount
        .mantissa
        .checked_mul_pow10(rate.scale + MSAT_PER_BTC_EXP);
    let den = rate.mantissa.checked_mul_pow10(amount.scale);
    let msat = num
        .zip(den)
        .and_then(|(num, den)| div_round(num, den, rounding))
        .and_then(U256::to_u128)
        .and_then(|m| u64::try_from(m).ok())
        .ok_or(FiatError::Overflow)?;
    Ok(Msat::from_msat(msat))
}

/// Converts `msat` to fiat at `rate` (fiat units per BTC), rounded by `rounding` to `decimals`
/// decimal places (2 for EUR or USD, 0 for JPY): `msat × rate / 10¹¹`, exact before rounding.
///
/// # Errors
/// [`FiatError::RateNotPositive`], [`FiatError::TooManyDecimals`] above 28 (what `Decimal`
/// holds), and [`FiatError::Overflow`] if the result does not fit a `Decimal`.
pub fn msat_to_fiat(
    msat: Msat,
    rate: Decimal,
    decimals: u32,
    rounding: Rounding,
) -> Result<Decimal, FiatError> {
    if decimals > Decimal::MAX_SCALE {
        return Err(FiatError::TooManyDecimals {
            decimals,
            max: Decimal::MAX_SCALE,
        });
    }
    let rate = positive_parts(rate)?;
    // msat × (m_r / 10^s_r) / 10^11, in units of 10^-decimals.
    let num = rate
        .mantissa
        .checked_mul_u64(msat.as_u64())
        .and_then(|n| n.checked_mul_pow10(decimals));
    let den = U256::from_u128(1).checked_mul_pow10(rate.scale + MSAT_PER_BTC_EXP);
    num.zip(den)
        .and_then(|(num, den)| div_round(num, den, rounding))
        .and_then(U256::to_u128)
        .and_then(|m| i128::try_from(m).ok())
        .and_then(|m| Decimal::try_from_i128_with_scale(m, decimals).ok())
        .ok_or(FiatError::Overflow)
}

/// A non-negative decimal as an integer mantissa and a power-of-ten scale.
struct Parts {
    mantissa: U256,
    scale: u32,
}

impl Parts {
    /// The magnitude of `d` (its sign is checked by the caller).
    fn of(d: Decimal) -> Parts {
        Parts {
            mantissa: U256::from_u128(d.mantissa().unsigned_abs()),
            scale: d.scale(),
        }
    }
}

/// The parts of a rate, which must be positive.
fn positive_parts(rate: Decimal) -> Result<Parts, FiatError> {
    if rate.is_zero() || rate.is_sign_negative() {
        return Err(FiatError::RateNotPositive {
            rate: rate.to_string(),
        });
    }
    Ok(Parts::of(rate))
}

/// Checks an ISO 4217 code's shape: exactly three uppercase ASCII letters.
fn check_currency(code: &str) -> Result<(), FiatError> {
    if code.len() == 3 && code.bytes().all(|b| b.is_ascii_uppercase()) {
        Ok(())
    } else {
        Err(FiatError::InvalidCurrency {
            currency: code.chars().take(16).collect(),
        })
    }
}

/// Errors of fiat conversion and quotes.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
#[non_exhaustive]
pub enum FiatError {
    /// An exchange rate was zero or negative.
    #[error("the exchange rate {rate} is not positive")]
    RateNotPositive {
        /// The rate as given.
        rate: String,
    },
    /// A fiat amount was negative.
    #[error("the fiat amount {amount} is negative")]
    NegativeAmount {
        /// The amount as given.
        amount: String,
    },
    /// A quote was asked for a zero fiat amount: its invoice would have no amount at all.
    #[error("a quote needs a fiat amount above zero")]
    ZeroAmount,
    /// A positive fiat amount converts to zero millisatoshis under the chosen rounding.
    #[error("{amount} at a rate of {rate} per BTC is less than one millisatoshi")]
    RoundsToZero {
        /// The fiat amount.
        amount: String,
        /// The rate, fiat units per BTC.
        rate: String,
    },
    /// A conversion result does not fit (`u64` millisatoshis, or a `Decimal`), or a time
    /// would pass the end of `u64` seconds.
    #[error("fiat conversion overflowed")]
    Overflow,
    /// A currency code is not three uppercase ASCII letters (ISO 4217 shape, e.g. `EUR`).
    #[error("{currency:?} is not an ISO 4217 currency code (three uppercase letters)")]
    InvalidCurrency {
        /// The code as given (at most 16 characters of it).
        currency: String,
    },
    /// A quote's validity window is empty: a zero TTL, or an expiry not after its creation.
    #[error("the quote expires at {expires_at_unix}, not after its creation at {created_at_unix}")]
    EmptyValidity {
        /// When the quote was made (Unix seconds).
        created_at_unix: u64,
        /// When it expires (Unix seconds).
        expires_at_unix: u64,
    },
    /// More decimal places were asked for than a `Decimal` holds.
    #[error("{decimals} decimal places asked for; at most {max}")]
    TooManyDecimals {
        /// The decimal places asked for.
        decimals: u32,
        /// The most allowed (28).
        max: u32,
    },
    /// A quote's `msat` is not what its amount, rate and rounding give (a tampered or corrupt
    /// quote).
    #[error("the quote says {quoted_msat} msat but its amount and rate give {computed_msat} msat")]
    MsatMismatch {
        /// What the amount, rate and rounding give.
        computed_msat: u64,
        /// What the quote says.
        quoted_msat: u64,
    },
    /// The quote was used at or after its expiry.
    #[error("the quote expired at {expires_at_unix} (now {now_unix})")]
    Expired {
        /// When the quote expired (Unix seconds).
        expires_at_unix: u64,
        /// The time of the check (Unix seconds).
        now_unix: u64,
    },
    /// A newer rate moved further from the quoted one than the slippage bound allows.
    #[error(
        "the rate moved from {quoted_rate} to {new_rate}: {moved_bps} bps, more than {max_bps} bps"
    )]
    SlippageExceeded {
        /// The rate the quote locked.
        quoted_rate: String,
        /// The newer rate.
        new_rate: String,
        /// How far it moved, in basis points of the quoted rate, rounded up (saturating).
        moved_bps: u64,
        /// The bound, in basis points.
        max_bps: u32,
    },
}

impl FiatError {
    /// The stable code of this error (see [`crate::Error::code`]).
    pub fn code(&self) -> &'static str {
        match self {
            FiatError::RateNotPositive { .. } => "fiat_rate_not_positive",
            FiatError::NegativeAmount { .. } => "fiat_negative_amount",
            FiatError::ZeroAmount => "fiat_zero_amount",
            FiatError::RoundsToZero { .. } => "fiat_rounds_to_zero",
            FiatError::Overflow => "fiat_overflow",
            FiatError::InvalidCurrency { .. } => "fiat_invalid_currency",
            FiatError::EmptyValidity { .. } => "fiat_empty_validity",
            FiatError::TooManyDecimals { .. } => "fiat_too_many_decimals",
            FiatError::MsatMismatch { .. } => "fiat_msat_mismatch",
            FiatError::Expired { .. } => "fiat_quote_expired",
            FiatError::SlippageExceeded { .. } => "fiat_slippage_exceeded",
        }
    }
}

#[cfg(test)]
mod tests;
