//! Scenario S05: every case of `s05_fiat.json` — quotes, conversions both ways with exact
//! rounding, the slippage bound on a newer rate and quote expiry.

use std::str::FromStr;

use etrid_core::amount::Msat;
use etrid_core::clock::FixedClock;
use etrid_core::fiat::{fiat_to_msat, msat_to_fiat, FiatError, FiatQuote, Rounding};
use rust_decimal::Decimal;
use serde::Deserialize;
use serde_json::{json, Value};

use crate::support::{self, Case};

const FILE: &str = include_str!("../../../tests/scenarios/s05_fiat.json");

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct QuoteInput {
    amount: String,
    currency: String,
    rate: String,
    rounding: Rounding,
    now: u64,
    ttl_secs: u64,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct FiatToMsat {
    amount: String,
    rate: String,
    rounding: Rounding,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct MsatToFiat {
    msat: u64,
    rate: String,
    decimals: u32,
    rounding: Rounding,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Slippage {
    quote: QuoteInput,
    new_rate: String,
    max_bps: u32,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Validity {
    quote: QuoteInput,
    now: u64,
}

fn dec(text: &str) -> Decimal {
    Decimal::from_str(text).unwrap_or_else(|err| panic!("{text}: {err}"))
}

fn code(err: FiatError) -> String {
    err.code().to_owned()
}

fn quote(input: &QuoteInput) -> Result<FiatQuote, FiatError> {
    FiatQuote::new(
        dec(&input.amount),
        &input.currency,
        dec(&input.rate),
        input.rounding,
        &FixedClock::from_unix_secs(input.now),
        input.ttl_secs,
    )
}

/// A quote a case builds on: it must be valid.
fn valid_quote(case: &Case, input: &QuoteInput) -> FiatQuote {
    quote(input).unwrap_or_else(|err| panic!("{}: the quote is refused: {err}", case.name))
}

/// Runs one S05 case by its op.
fn run(case: &Case) -> Result<Value, String> {
    match case.op.as_str() {
        "quote" => quote(&case.input())
            .map(|quote| {
                json!({
                    "msat": quote.msat,
                    "currency": quote.currency,
                    "created_at_unix": quote.created_at_unix,
                    "expires_at_unix": quote.expires_at_unix,
                })
            })
            .map_err(code),
        "fiat_to_msat" => {
            let input: FiatToMsat = case.input();
            fiat_to_msat(dec(&input.amount), dec(&input.rate), input.rounding)
                .map(|msat| json!({ "msat": msat }))
                .map_err(code)
        }
        "msat_to_fiat" => {
            let input: MsatToFiat = case.input();
            let msat = Msat::from_msat(input.msat);
            msat_to_fiat(msat, dec(&input.rate), input.decimals, input.rounding)
                .map(|amount| json!({ "amount": amount.to_string() }))
                .map_err(code)
        }
        "check_slippage" => {
            let input: Slippage = case.input();
            valid_quote(case, &input.quote)
                .check_slippage(dec(&input.new_rate), input.max_bps)
                .map(|()| Value::Null)
                .map_err(code)
        }
        "check_valid" => {
            let input: Validity = case.input();
            valid_quote(case, &input.quote)
                .check_valid(&FixedClock::from_unix_secs(input.now))
                .map(|()| Value::Null)
                .map_err(code)
        }
        _ => support::unknown_op(case),
    }
}

#[test]
fn s05_convert_quote_and_bound_every_case() {
    let file = support::load(FILE, "S05");
    let ran = support::run_all(&file, run);
    assert_eq!(ran, file.cases.len());
}
