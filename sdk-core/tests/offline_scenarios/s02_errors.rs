//! Scenario S02: every bad invoice of `s02_errors.json` is refused with its own stable error
//! code; the kinds the scenario names each have their own code.

use std::collections::BTreeSet;

use crate::s01_decode;
use crate::support::{self, Expect};

const FILE: &str = include_str!("../../../tests/scenarios/s02_errors.json");

#[test]
fn s02_reject_every_bad_invoice_with_its_code() {
    let file = support::load(FILE, "S02");
    let ran = support::run_all(&file, s01_decode::outcome);
    assert_eq!(ran, file.cases.len());
}

#[test]
fn s02_the_scenario_kinds_have_distinct_codes() {
    let file = support::load(FILE, "S02");
    let code_of = |name: &str| match &support::case(&file, name).expect {
        Expect::Error(code) => code.clone(),
        Expect::Ok(_) => panic!("{name} must be refused"),
    };
    // SCENARIOS.md: bad checksum, mixed case, wrong network, bad signature, unknown even
    // feature, sub-msat amount, too short.
    let kinds = [
        "checksum",
        "mixed_case",
        "testnet_invoice_on_bitcoin",
        "signature",
        "unknown_feature",
        "sub_msat",
        "too_short",
    ];
    let codes: BTreeSet<String> = kinds.iter().map(|name| code_of(name)).collect();
    assert_eq!(codes.len(), kinds.len(), "{codes:?}");
    assert!(codes.iter().all(|code| code.starts_with("invoice_")));
}
