//! Fiat quotes (S28): a price in a fiat currency converted to millisatoshis at a rate the LSP
//! locks until the quote expires. An invoice created from a quote is for exactly the quoted
//! amount; an expired quote, or a current rate that moved beyond the quote's slippage bound, is
//! refused with a typed error (`quote_expired`, `slippage_exceeded`) and the client quotes again:
//! nothing is ever charged at a rate the payer did not see.

use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};

use super::{RequestError, Validate};
use crate::amount::Msat;

/// The longest a quote may lock a rate, in seconds.
pub const MAX_QUOTE_TTL_SECS: u64 = 600;
/// How long a quote locks its rate when the request does not say.
pub const DEFAULT_QUOTE_TTL_SECS: u64 = 120;
/// The slippage bound when the request does not say, in basis points (1 %).
pub const DEFAULT_MAX_SLIPPAGE_BPS: u32 = 100;
/// The largest slippage bound, in basis points (100 %).
pub const MAX_SLIPPAGE_BPS: u32 = 10_000;
/// The most significant digits a fiat amount may have.
pub const MAX_FIAT_DIGITS: u32 = 18;

/// Body of `POST /v1/quotes`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CreateQuoteRequest {
    /// The price, a positive decimal string in fiat units (`"4.99"`); never a float.
    pub fiat_amount: Decimal,
    /// The ISO 4217 code, three uppercase letters (`"EUR"`); the LSP must have a rate for it.
    pub currency: String,
    /// How long the rate is locked: 1 to 600 seconds, default 120.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ttl_secs: Option<u64>,
    /// How far the rate may move, in basis points, before an invoice from this quote is
    /// refused (`slippage_exceeded`): 0 to 10,000, default 100 (1 %).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub max_slippage_bps: Option<u32>,
}

impl CreateQuoteRequest {
    /// A request for `fiat_amount` of `currency`, the other fields at their defaults.
    pub fn new(fiat_amount: Decimal, currency: &str) -> CreateQuoteRequest {
        CreateQuoteRequest {
            fiat_amount,
            currency: currency.to_owned(),
            ttl_secs: None,
            max_slippage_bps: None,
        }
    }
}

impl Validate for CreateQuoteRequest {
    fn validate(&self) -> Result<(), RequestError> {
        if self.fiat_amount <= Decimal::ZERO {
            return Err(RequestError::new("fiat_amount", "must be positive"));
        }
        if self.fiat_amount.mantissa().unsigned_abs() >= 10u128.pow(MAX_FIAT_DIGITS) {
            return Err(RequestError::new(
                "fiat_amount",
                format!("must have at most {MAX_FIAT_DIGITS} significant digits"),
            ));
        }
        let code_ok =
            self.currency.len() == 3 && self.currency.bytes().all(|b| b.is_ascii_uppercase());
        if !code_ok {
            return Err(RequestError::new(
                "currency",
                "must be an ISO 4217 code: three uppercase letters (EUR)",
            ));
        }
        if self
            .ttl_secs
            .is_some_and(|t| t == 0 || t > MAX_QUOTE_TTL_SECS)
        {
            return Err(RequestError::new(
                "ttl_secs",
                format!("must be between 1 and {MAX_QUOTE_TTL_SECS}"),
            ));
        }
        if self.max_slippage_bps.is_some_and(|b| b > MAX_SLIPPAGE_BPS) {
            return Err(RequestError::new(
                "max_slippage_bps",
                format!("must be at most {MAX_SLIPPAGE_BPS}"),
            ));
        }
        Ok(())
    }
}

/// A fiat price locked in millisatoshis until `expires_at`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct LspQuote {
    /// Its id (`quo_…`): pass it as `quote_id` when creating the invoice.
    pub id: String,
    /// The price in fiat units.
    pub fiat_amount: Decimal,
    /// The currency.
    pub currency: String,
    /// The locked rate, fiat units per bitcoin.
    pub rate: Decimal,
    /// The price in millisatoshis at that rate, rounded up (the payee gets the full price).
    pub amount_msat: Msat,
    /// How far the rate may move before an invoice from this quote is refused.
    pub max_slippage_bps: u32,
    /// When it was made, unix seconds.
    pub created_at: u64,
    /// The first second it is no longer valid.
    pub expires_at: u64,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_valid_quote_request_passes_and_each_bad_field_is_named() {
        let ok = CreateQuoteRequest::new(Decimal::new(499, 2), "EUR");
        assert_eq!(ok.validate(), Ok(()));
        let field = |r: CreateQuoteRequest| r.validate().unwrap_err().field;
        assert_eq!(
            field(CreateQuoteRequest::new(Decimal::ZERO, "EUR")),
            "fiat_amount"
        );
        assert_eq!(
            field(CreateQuoteRequest::new(Decimal::new(-1, 0), "EUR")),
            "fiat_amount"
        );
        assert_eq!(
            field(CreateQuoteRequest::new(Decimal::new(499, 2), "eur")),
            "currency"
        );
        assert_eq!(
            field(CreateQuoteRequest {
                ttl_secs: Some(601),
                ..ok.clone()
            }),
            "ttl_secs"
        );
        assert_eq!(
            field(CreateQuoteRequest {
                max_slippage_bps: Some(10_001),
                ..ok
            }),
            "max_slippage_bps"
        );
    }

    #[test]
    fn amounts_travel_as_decimal_strings_never_floats() {
        let r: CreateQuoteRequest =
            serde_json::from_str(r#"{"fiat_amount":"4.99","currency":"EUR"}"#).unwrap();
        assert_eq!(r.fiat_amount, Decimal::new(499, 2));
        assert_eq!(
            serde_json::to_value(&r).unwrap()["fiat_amount"],
            serde_json::json!("4.99")
        );
    }
}
