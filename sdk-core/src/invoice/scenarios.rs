//! The shared scenario files of S01 and S02 (`tests/scenarios/` at the repository root), for
//! the unit tests that look at one case more closely than the files can say (typed error fields,
//! properties of the data). Every case is run by the `offline_scenarios` integration test.

use serde::Deserialize;

use super::{decode_invoice_with, DecodeOptions, Invoice, InvoiceError};
use crate::clock::FixedClock;
use crate::network::Network;

/// S01: valid invoices and every field they decode to.
pub(super) const S01: &str = include_str!("../../../tests/scenarios/s01_decode.json");
/// S02: bad invoices and their error codes.
pub(super) const S02: &str = include_str!("../../../tests/scenarios/s02_errors.json");

/// A case of op `decode_invoice`.
#[derive(Debug, Deserialize)]
pub(super) struct DecodeCase {
    pub(super) name: String,
    pub(super) input: DecodeInput,
}

/// What to decode, for which network, with the clock at `now`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct DecodeInput {
    pub(super) invoice: String,
    pub(super) network: Network,
    pub(super) now: u64,
    pub(super) allow_expired: bool,
}

impl DecodeCase {
    /// Decodes the case's invoice as its input says.
    pub(super) fn decode(&self) -> Result<Invoice, InvoiceError> {
        let options = DecodeOptions {
            network: self.input.network,
            require_amount: false,
            allow_expired: self.input.allow_expired,
        };
        let clock = FixedClock::from_unix_secs(self.input.now);
        decode_invoice_with(&self.input.invoice, &options, &clock)
    }
}

/// Every case of a scenario file (S01 or S02); never empty.
pub(super) fn cases(file: &str) -> Vec<DecodeCase> {
    #[derive(Deserialize)]
    struct File {
        cases: Vec<DecodeCase>,
    }
    let cases = serde_json::from_str::<File>(file).unwrap().cases;
    assert!(!cases.is_empty());
    cases
}

/// The case called `name`.
pub(super) fn case(file: &str, name: &str) -> DecodeCase {
    cases(file)
        .into_iter()
        .find(|case| case.name == name)
        .unwrap_or_else(|| panic!("no case {name}"))
}

/// The invoice texts of the S01 cases given without prefix or whitespace (valid invoices).
pub(super) fn valid_invoices() -> Vec<String> {
    let mut invoices: Vec<String> = cases(S01)
        .into_iter()
        .map(|case| case.input.invoice)
        .filter(|text| {
            text.get(..2)
                .is_some_and(|head| head.eq_ignore_ascii_case("ln"))
        })
        .collect();
    invoices.sort_unstable();
    invoices.dedup();
    assert!(!invoices.is_empty());
    invoices
}
