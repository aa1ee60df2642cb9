//! Scenario S01: every valid invoice of `s01_decode.json` decodes to exactly its expected
//! fields (the decoded invoice compared as the JSON the SDK serialises, every field).

use etrid_core::clock::FixedClock;
use etrid_core::invoice::{decode_invoice_with, DecodeOptions, Invoice, InvoiceError};
use etrid_core::network::Network;
use serde::Deserialize;
use serde_json::Value;

use crate::support::{self, Case};

const FILE: &str = include_str!("../../../tests/scenarios/s01_decode.json");

/// The input of op `decode_invoice` (S01 and S02).
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct DecodeInput {
    invoice: String,
    network: Network,
    now: u64,
    allow_expired: bool,
}

/// Runs op `decode_invoice`: the decoded invoice, or the error.
pub(crate) fn decode(case: &Case) -> Result<Invoice, InvoiceError> {
    if case.op != "decode_invoice" {
        support::unknown_op(case);
    }
    let input: DecodeInput = case.input();
    let options = DecodeOptions {
        network: input.network,
        require_amount: false,
        allow_expired: input.allow_expired,
    };
    decode_invoice_with(
        &input.invoice,
        &options,
        &FixedClock::from_unix_secs(input.now),
    )
}

/// The outcome of op `decode_invoice` as a scenario file writes it.
pub(crate) fn outcome(case: &Case) -> Result<Value, String> {
    decode(case)
        .map(|invoice| serde_json::to_value(invoice).unwrap())
        .map_err(|err| err.code().to_owned())
}

#[test]
fn s01_decode_every_valid_invoice_to_its_fields() {
    let file = support::load(FILE, "S01");
    let ran = support::run_all(&file, outcome);
    assert_eq!(ran, file.cases.len());
}

#[test]
fn s01_require_amount_follows_the_amount() {
    let file = support::load(FILE, "S01");
    let mut ran = 0;
    for case in &file.cases {
        let invoice = decode(case).unwrap();
        match invoice.amount_msat {
            Some(amount) if amount.as_u64() > 0 => {
                assert_eq!(invoice.require_amount(), Ok(amount), "{}", case.name);
            }
            _ => assert_eq!(
                invoice.require_amount(),
                Err(InvoiceError::AmountRequired),
                "{}",
                case.name
            ),
        }
        ran += 1;
    }
    assert!(ran > 0 && ran == file.cases.len());
    assert!(support::case(&file, "donation").expected_ok()["amount_msat"].is_null());
}
