//! Fiat prices for JavaScript: quotes that lock a rate for a while, exact conversions both
//! ways (decimal strings, never floats), and the slippage and validity checks that keep a
//! customer from being charged at a rate they did not see.

use std::str::FromStr;

use etrid_core::amount::Msat;
use etrid_core::clock::{Clock, FixedClock};
use etrid_core::fiat::{self, FiatQuote, Rounding};
use rust_decimal::Decimal;
use serde::Deserialize;
use wasm_bindgen::prelude::wasm_bindgen;
use wasm_bindgen::JsValue;

use crate::clock::JsClock;
use crate::convert::{from_js, to_js};
use crate::error::{invalid_argument, to_js_error};

#[wasm_bindgen(typescript_custom_section)]
const TS_FIAT: &'static str = r#"
/** How a conversion rounds to whole msat (or to the fiat decimals). */
export type Rounding = "up" | "down" | "half_even";

/** What `fiatQuote` takes. Decimals are strings, so no digit is lost. */
export interface FiatQuoteRequest {
  /** The price in fiat, e.g. `"4.99"`. */
  amount: string;
  /** ISO 4217 code, e.g. `"EUR"`. */
  currency: string;
  /** Fiat units per BTC, e.g. `"60000"`. */
  rate: string;
  /** Default `"up"`: the merchant never receives less than the price. */
  rounding?: Rounding;
  /** How long the quote holds, in seconds. */
  ttlSecs: number;
  /** The time to quote at, in Unix seconds (tests and replays); default: now. */
  now?: bigint | number;
}

/** A price locked at a rate until `expires_at_unix`. */
export interface FiatQuote {
  fiat_amount: string;
  currency: string;
  rate: string;
  /** The price in msat at that rate. */
  msat: bigint;
  created_at_unix: bigint;
  expires_at_unix: bigint;
  rounding: Rounding;
}
"#;

/// `fiatQuote`'s argument.
#[derive(Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
struct QuoteRequest {
    amount: String,
    currency: String,
    rate: String,
    #[serde(default)]
    rounding: Option<Rounding>,
    ttl_secs: u64,
    #[serde(default)]
    now: Option<u64>,
}

/// Reads a decimal string argument, or throws `invalid_argument` naming it.
fn decimal(value: &str, name: &str) -> Result<Decimal, JsValue> {
    Decimal::from_str(value.trim())
        .map_err(|_| invalid_argument(&format!("{name} must be a decimal string, not {value:?}")))
}

/// Reads a rounding argument (`"up"`, `"down"`, `"half_even"`).
fn rounding(value: JsValue) -> Result<Rounding, JsValue> {
    from_js(value, "rounding")
}

/// Quotes a fiat price in msat at `rate`, valid for `ttlSecs` from now. Throws an
/// `EtridError` (`fiat_*`) for a bad currency, a zero amount, or a price that rounds to zero.
#[wasm_bindgen(js_name = fiatQuote, unchecked_return_type = "FiatQuote")]
pub fn fiat_quote(
    #[wasm_bindgen(unchecked_param_type = "FiatQuoteRequest")] request: JsValue,
) -> Result<JsValue, JsValue> {
    let request: QuoteRequest = from_js(request, "fiatQuote request")?;
    let quote = FiatQuote::new(
        decimal(&request.amount, "amount")?,
        &request.currency,
        decimal(&request.rate, "rate")?,
        request.rounding.unwrap_or(Rounding::Up),
        clock_at(request.now).as_ref(),
        request.ttl_secs,
    )
    .map_err(to_js_error)?;
    to_js(&quote)
}

/// Converts a fiat amount (decimal string) at `rate` (fiat per BTC) to msat, rounded as told.
#[wasm_bindgen(js_name = fiatToMsat)]
pub fn fiat_to_msat(
    amount: &str,
    rate: &str,
    #[wasm_bindgen(unchecked_param_type = "Rounding")] rounding_mode: JsValue,
) -> Result<u64, JsValue> {
    fiat::fiat_to_msat(
        decimal(amount, "amount")?,
        decimal(rate, "rate")?,
        rounding(rounding_mode)?,
    )
    .map(Msat::as_u64)
    .map_err(to_js_error)
}

/// Converts msat to fiat at `rate`, as a decimal string with exactly `decimals` decimals.
#[wasm_bindgen(js_name = msatToFiat)]
pub fn msat_to_fiat(
    msat: u64,
    rate: &str,
    decimals: u32,
    #[wasm_bindgen(unchecked_param_type = "Rounding")] rounding_mode: JsValue,
) -> Result<String, JsValue> {
    let amount = fiat::msat_to_fiat(
        Msat::from_msat(msat),
        decimal(rate, "rate")?,
        decimals,
        rounding(rounding_mode)?,
    )
    .map_err(to_js_error)?;
    Ok(amount.to_string())
}

/// Throws `fiat_slippage_exceeded` when `newRate` moved more than `maxBps` basis points from
/// the quote's rate: re-quote rather than charge silently.
#[wasm_bindgen(js_name = checkSlippage)]
pub fn check_slippage(
    #[wasm_bindgen(unchecked_param_type = "FiatQuote")] quote: JsValue,
    new_rate: &str,
    max_bps: u32,
) -> Result<(), JsValue> {
    let quote: FiatQuote = from_js(quote, "quote")?;
    quote
        .check_slippage(decimal(new_rate, "newRate")?, max_bps)
        .map_err(to_js_error)
}

/// Throws `fiat_quote_expired` once the quote's time is up: now on the JavaScript clock, or
/// at `now` (Unix seconds) when given.
#[wasm_bindgen(js_name = checkQuoteValid)]
pub fn check_quote_valid(
    #[wasm_bindgen(unchecked_param_type = "FiatQuote")] quote: JsValue,
    now: Option<u64>,
) -> Result<(), JsValue> {
    let quote: FiatQuote = from_js(quote, "quote")?;
    quote
        .check_valid(clock_at(now).as_ref())
        .map_err(to_js_error)
}

/// The JavaScript clock, or a clock standing at `now` (Unix seconds) when given.
pub(crate) fn clock_at(now: Option<u64>) -> Box<dyn Clock> {
    match now {
        Some(secs) => Box::new(FixedClock::from_unix_secs(secs)),
        None => Box::new(JsClock),
    }
}
