//! Unit tests of BOLT11 decoding of valid invoices: expiry and amount options, invoices signed
//! here, and what holds across scenario S01's cases. Every S01 case (the specification's
//! examples, case and prefix handling) is run by the `offline_scenarios` integration test.

use std::collections::BTreeMap;

use bitcoin::hashes::{sha256, Hash};
use bitcoin::hex::DisplayHex;
use lightning_invoice::Currency;

use super::scenarios::{self, S01};
use super::test_invoices::*;
use super::*;
use crate::amount::Msat;

/// The description whose SHA-256 the specification's hashed examples carry.
const HASHED_DESCRIPTION: &str = "One piece of chocolate cake, one icecream cone, one pickle, one slice of swiss cheese, one slice of salami, one lollypop, one piece of cherry pie, one sausage, one cupcake, and one slice of watermelon";

#[test]
fn s01_description_hashes_are_the_spec_text() {
    let expected = sha256::Hash::hash(HASHED_DESCRIPTION.as_bytes())
        .as_byte_array()
        .to_lower_hex_string();
    let mut hashed = 0;
    for case in scenarios::cases(S01) {
        let decoded = case.decode().unwrap();
        if let Some(hash) = decoded.description_hash {
            assert_eq!(hash, expected, "{}", case.name);
            assert_eq!(decoded.description, None, "{}", case.name);
            hashed += 1;
        }
    }
    assert!(hashed >= 6, "{hashed}");
}

#[test]
fn s01_case_prefix_and_whitespace_do_not_change_the_invoice() {
    // Cases that normalise to the same text decode to the same invoice.
    let mut by_text: BTreeMap<String, (String, Invoice)> = BTreeMap::new();
    let mut compared = 0;
    for case in scenarios::cases(S01) {
        let decoded = case.decode().unwrap();
        match by_text.get(&decoded.bolt11) {
            Some((first, invoice)) => {
                assert_eq!(&decoded, invoice, "{} and {first}", case.name);
                compared += 1;
            }
            None => {
                by_text.insert(decoded.bolt11.clone(), (case.name, decoded));
            }
        }
    }
    assert!(compared >= 5, "{compared}");
    // Fields a reader must skip leave the decoded invoice unchanged.
    let plain = scenarios::case(S01, "features_99").decode().unwrap();
    let ignored = scenarios::case(S01, "ignored_fields").decode().unwrap();
    assert_eq!(
        ignored,
        Invoice {
            bolt11: ignored.bolt11.clone(),
            ..plain
        }
    );
}

#[test]
fn checks_expiry_against_the_clock() {
    let text = build_invoice(&TestInvoice::default());
    let expires_at = 1_700_000_000 + 600;
    let before = decode_invoice(&text, Network::Regtest, &at(expires_at - 1)).unwrap();
    assert_eq!(before.expires_at, expires_at);
    assert!(!before.is_expired(&at(expires_at - 1)));
    assert!(before.is_expired(&at(expires_at)));
    assert_eq!(
        decode_invoice(&text, Network::Regtest, &at(expires_at)),
        Err(InvoiceError::Expired {
            expired_at: expires_at
        })
    );
    let options = DecodeOptions {
        allow_expired: true,
        ..DecodeOptions::new(Network::Regtest)
    };
    assert_eq!(
        decode_invoice_with(&text, &options, &at(expires_at + 86_400)),
        Ok(before)
    );
    // A huge expiry saturates instead of overflowing.
    let forever = build_invoice(&TestInvoice {
        expiry_secs: u64::MAX / 2,
        ..TestInvoice::default()
    });
    let decoded = decode_invoice(&forever, Network::Regtest, &at(u64::MAX / 1000)).unwrap();
    assert_eq!(decoded.expires_at, 1_700_000_000 + u64::MAX / 2);
}

#[test]
fn requires_an_amount_when_asked() {
    let options = DecodeOptions {
        require_amount: true,
        ..DecodeOptions::new(Network::Regtest)
    };
    let clock = at(1_700_000_000);
    let with_amount = build_invoice(&TestInvoice::default());
    let decoded = decode_invoice_with(&with_amount, &options, &clock).unwrap();
    assert_eq!(decoded.amount_msat, Some(Msat::from_msat(21_000)));
    for amount in [None, Some(0)] {
        let text = build_invoice(&TestInvoice {
            amount_msat: amount,
            ..TestInvoice::default()
        });
        assert_eq!(
            decode_invoice_with(&text, &options, &clock),
            Err(InvoiceError::AmountRequired)
        );
        assert!(decode_invoice(&text, Network::Regtest, &clock).is_ok());
    }
}

#[test]
fn own_invoice_round_trips_through_the_model_and_json() {
    let text = build_invoice(&TestInvoice {
        currency: Currency::Signet,
        amount_msat: Some(1_234_567),
        ..TestInvoice::default()
    });
    let decoded = decode_invoice(&text, Network::Signet, &at(1_700_000_000)).unwrap();
    assert_eq!(decoded.bolt11, text);
    assert_eq!(decoded.network, Network::Signet);
    assert_eq!(
        decoded.payment_hash,
        sha256::Hash::hash(b"preimage")
            .as_byte_array()
            .to_lower_hex_string()
    );
    assert_eq!(decoded.payment_secret, Some("07".repeat(32)));
    assert_eq!(decoded.description.as_deref(), Some("test invoice"));
    assert_eq!(
        decoded.payee_pubkey,
        test_pubkey().serialize().to_lower_hex_string()
    );
    assert_eq!(decoded.min_final_cltv_expiry_delta, 144);

    let json = serde_json::to_value(&decoded).unwrap();
    assert_eq!(json["amount_msat"], 1_234_567);
    assert_eq!(json["network"], "signet");
    assert_eq!(json["expiry_secs"], 600);
    assert_eq!(json["features"]["payment_secret"], true);
    let back: Invoice = serde_json::from_value(json).unwrap();
    assert_eq!(back, decoded);
}
