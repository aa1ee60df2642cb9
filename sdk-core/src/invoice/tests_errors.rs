//! Unit tests of refused invoices: scenario S02 (one test per kind of bad input) with the
//! specification's invalid examples, semantic errors built here, and the stable error codes.

use bitcoin::hashes::{sha256, Hash};
use bitcoin::hex::DisplayHex;
use bitcoin::secp256k1::{PublicKey, Secp256k1, SecretKey};
use lightning_invoice::{Currency, RawTaggedField, Sha256, TaggedField};

use super::test_vectors::*;
use super::*;

fn assert_code(result: Result<Invoice, InvoiceError>, code: &str) -> InvoiceError {
    let error = result.unwrap_err();
    assert_eq!(error.code(), code, "{error:?}");
    error
}

#[test]
fn s02_rejects_bad_checksum() {
    let error = assert_code(spec(INVALID_CHECKSUM), "invoice_bad_encoding");
    assert!(
        matches!(error, InvoiceError::BadEncoding { ref detail } if detail.contains("checksum"))
    );
    // Any one changed character is caught by the checksum.
    let mut altered = COFFEE.to_owned();
    altered.replace_range(40..41, if &COFFEE[40..41] == "q" { "p" } else { "q" });
    assert_code(spec(&altered), "invoice_bad_encoding");
    assert_code(spec(INVALID_NO_SEPARATOR), "invoice_bad_encoding");
}

#[test]
fn s02_rejects_mixed_case() {
    assert_eq!(spec(INVALID_MIXED_CASE), Err(InvoiceError::MixedCase));
    let mut mixed = COFFEE.to_owned();
    mixed.replace_range(0..1, "L");
    assert_eq!(spec(&mixed), Err(InvoiceError::MixedCase));
}

#[test]
fn s02_rejects_wrong_network() {
    assert_eq!(
        spec(TESTNET_FALLBACK),
        Err(InvoiceError::WrongNetwork {
            expected: Network::Bitcoin,
            found: Network::Testnet,
        })
    );
    let regtest = build_invoice(&TestInvoice::default());
    assert_eq!(
        decode_invoice(&regtest, Network::Signet, &at(1_700_000_000)),
        Err(InvoiceError::WrongNetwork {
            expected: Network::Signet,
            found: Network::Regtest,
        })
    );
    let simnet = build_invoice(&TestInvoice {
        currency: Currency::Simnet,
        ..TestInvoice::default()
    });
    assert_eq!(
        decode_invoice(&simnet, Network::Regtest, &at(1_700_000_000)),
        Err(InvoiceError::UnknownNetwork {
            prefix: "sb".to_owned()
        })
    );
}

#[test]
fn s02_rejects_bad_signature() {
    assert_eq!(spec(INVALID_SIGNATURE), Err(InvoiceError::BadSignature));
    // Signed by the test key but naming another payee in the `n` field.
    let other = PublicKey::from_secret_key(
        &Secp256k1::new(),
        &SecretKey::from_slice(&[0x24; 32]).unwrap(),
    );
    let forged = build_invoice(&TestInvoice {
        payee_field: Some(other),
        ..TestInvoice::default()
    });
    assert_eq!(
        decode_invoice(&forged, Network::Regtest, &at(1_700_000_000)),
        Err(InvoiceError::BadSignature)
    );
    // With its own key in `n`, the same invoice is fine.
    let honest = build_invoice(&TestInvoice {
        payee_field: Some(test_pubkey()),
        ..TestInvoice::default()
    });
    let decoded = decode_invoice(&honest, Network::Regtest, &at(1_700_000_000)).unwrap();
    assert_eq!(
        decoded.payee_pubkey,
        test_pubkey().serialize().to_lower_hex_string()
    );
}

#[test]
fn s02_rejects_unknown_even_feature() {
    assert_eq!(
        spec(INVALID_UNKNOWN_FEATURE),
        Err(InvoiceError::UnknownRequiredFeature { bits: vec![100] })
    );
    assert_eq!(
        spec(INVALID_UNKNOWN_FEATURE).unwrap_err().code(),
        "invoice_unknown_required_feature"
    );
}

#[test]
fn s02_rejects_sub_msat_amount() {
    assert_eq!(
        spec(INVALID_SUB_MSAT),
        Err(InvoiceError::SubMsatAmount {
            amount_pico_btc: 2_500_000_001
        })
    );
}

#[test]
fn s02_rejects_too_short() {
    assert_code(spec(INVALID_TOO_SHORT), "invoice_too_short");
    assert_code(spec(&COFFEE[..COFFEE.len() - 30]), "invoice_bad_encoding");
    assert_eq!(
        spec("lnbc1qqqq"),
        Err(InvoiceError::TooShort {
            length: 9,
            min_length: 122
        })
    );
    for empty in ["", "   ", "lightning:", " LIGHTNING: "] {
        assert_eq!(spec(empty), Err(InvoiceError::Empty), "{empty:?}");
    }
}

#[test]
fn rejects_malformed_prefix_amount_and_length() {
    assert_code(spec(INVALID_MULTIPLIER), "invoice_invalid_amount");
    let too_long = format!("lnbc1{}", "q".repeat(lightning_invoice::MAX_LENGTH));
    assert_code(spec(&too_long), "invoice_too_long");
    // A valid bech32 string that is not an invoice.
    let not_invoice = bitcoin::bech32::encode::<bitcoin::bech32::Bech32>(
        bitcoin::bech32::Hrp::parse("xyz").unwrap(),
        &[0u8; 100],
    )
    .unwrap();
    assert_code(spec(&not_invoice), "invoice_invalid_prefix");
    // Checksum-valid strings whose prefix amount overflows, as a number or once multiplied.
    for hrp in [
        "lnbc99999999999999999999m",
        "lnbc18446744073709551m",
        "lnbc1000x",
    ] {
        let text = bitcoin::bech32::encode::<lightning_invoice::Bolt11Bech32>(
            bitcoin::bech32::Hrp::parse(hrp).unwrap(),
            &[0u8; 100],
        )
        .unwrap();
        assert_code(spec(&text), "invoice_invalid_amount");
    }
    let unknown_currency = bitcoin::bech32::encode::<lightning_invoice::Bolt11Bech32>(
        bitcoin::bech32::Hrp::parse("lnxy").unwrap(),
        &[0u8; 100],
    )
    .unwrap();
    assert_eq!(
        spec(&unknown_currency),
        Err(InvoiceError::UnknownNetwork {
            prefix: "xy".to_owned()
        })
    );
}

/// Signs a test invoice after `edit` changes its tagged fields.
fn edited(edit: impl FnOnce(&mut Vec<RawTaggedField>)) -> String {
    let mut raw = build_raw(&TestInvoice::default());
    edit(&mut raw.data.tagged_fields);
    sign_raw(raw)
}

fn is_field(field: &RawTaggedField, predicate: fn(&TaggedField) -> bool) -> bool {
    matches!(field, RawTaggedField::KnownSemantics(known) if predicate(known))
}

#[test]
fn maps_semantic_errors() {
    let decode = |text: &str| decode_invoice(text, Network::Regtest, &at(1_700_000_000));
    let without = |predicate: fn(&TaggedField) -> bool| {
        edited(|fields| fields.retain(|field| !is_field(field, predicate)))
    };
    let cases = [
        (
            without(|f| matches!(f, TaggedField::PaymentHash(_))),
            InvoiceError::MissingPaymentHash,
        ),
        (
            without(|f| matches!(f, TaggedField::Description(_))),
            InvoiceError::MissingDescription,
        ),
        (
            without(|f| matches!(f, TaggedField::PaymentSecret(_))),
            InvoiceError::MissingPaymentSecret,
        ),
        (
            without(|f| matches!(f, TaggedField::Features(_))),
            InvoiceError::PaymentSecretFeatureMissing,
        ),
        (
            edited(|fields| {
                let hash = Sha256(sha256::Hash::hash(b"other"));
                fields.push(RawTaggedField::KnownSemantics(TaggedField::PaymentHash(
                    hash,
                )));
            }),
            InvoiceError::MultiplePaymentHashes,
        ),
        (
            edited(|fields| {
                let hash = Sha256(sha256::Hash::hash(b"other"));
                fields.push(RawTaggedField::KnownSemantics(
                    TaggedField::DescriptionHash(hash),
                ));
            }),
            InvoiceError::MultipleDescriptions,
        ),
    ];
    for (text, error) in cases {
        assert_eq!(decode(&text), Err(error));
    }
}

#[test]
fn error_codes_are_stable_and_distinct() {
    let errors = [
        InvoiceError::Empty,
        InvoiceError::TooShort {
            length: 1,
            min_length: 2,
        },
        InvoiceError::TooLong {
            length: 2,
            max_length: 1,
        },
        InvoiceError::MixedCase,
        InvoiceError::BadEncoding {
            detail: String::new(),
        },
        InvoiceError::InvalidPrefix {
            detail: String::new(),
        },
        InvoiceError::UnknownNetwork {
            prefix: String::new(),
        },
        InvoiceError::InvalidAmount {
            detail: String::new(),
        },
        InvoiceError::SubMsatAmount { amount_pico_btc: 1 },
        InvoiceError::WrongNetwork {
            expected: Network::Bitcoin,
            found: Network::Regtest,
        },
        InvoiceError::MalformedField {
            detail: String::new(),
        },
        InvoiceError::BadSignature,
        InvoiceError::UnknownRequiredFeature { bits: vec![100] },
        InvoiceError::PaymentSecretFeatureMissing,
        InvoiceError::MissingPaymentHash,
        InvoiceError::MultiplePaymentHashes,
        InvoiceError::MissingDescription,
        InvoiceError::MultipleDescriptions,
        InvoiceError::MissingPaymentSecret,
        InvoiceError::MultiplePaymentSecrets,
        InvoiceError::Expired { expired_at: 1 },
        InvoiceError::AmountRequired,
    ];
    let mut codes: Vec<&str> = errors.iter().map(InvoiceError::code).collect();
    assert!(codes.iter().all(|code| code.starts_with("invoice_")));
    codes.sort_unstable();
    codes.dedup();
    assert_eq!(codes.len(), errors.len());
    assert_eq!(
        crate::Error::from(InvoiceError::MixedCase).code(),
        "invoice_mixed_case"
    );
}
