//! Unit tests of refused invoices: the typed fields of scenario S02's errors, invoices built
//! here to be wrong (forged payee, unknown network, missing or repeated fields, overflowing
//! amounts), and the stable error codes. Every S02 case is run, by code, by the
//! `offline_scenarios` integration test.

use bitcoin::hashes::{sha256, Hash};
use bitcoin::hex::DisplayHex;
use bitcoin::secp256k1::{PublicKey, Secp256k1, SecretKey};
use lightning_invoice::{Currency, RawTaggedField, Sha256, TaggedField};

use super::scenarios::{self, S02};
use super::test_invoices::*;
use super::*;

/// Decodes S02's case `name`.
fn s02(name: &str) -> Result<Invoice, InvoiceError> {
    scenarios::case(S02, name).decode()
}

fn assert_code(result: Result<Invoice, InvoiceError>, code: &str) -> InvoiceError {
    let error = result.unwrap_err();
    assert_eq!(error.code(), code, "{error:?}");
    error
}

/// Decodes `text` for mainnet at 2017-06-01 (when the specification's examples were signed).
fn mainnet(text: &str) -> Result<Invoice, InvoiceError> {
    decode_invoice(text, Network::Bitcoin, &at(1_496_314_658))
}

#[test]
fn s02_errors_carry_their_details() {
    let error = s02("checksum").unwrap_err();
    assert!(
        matches!(error, InvoiceError::BadEncoding { ref detail } if detail.contains("checksum")),
        "{error:?}"
    );
    assert_eq!(
        s02("testnet_invoice_on_bitcoin"),
        Err(InvoiceError::WrongNetwork {
            expected: Network::Bitcoin,
            found: Network::Testnet,
        })
    );
    assert_eq!(
        s02("unknown_feature"),
        Err(InvoiceError::UnknownRequiredFeature { bits: vec![100] })
    );
    assert_eq!(
        s02("sub_msat"),
        Err(InvoiceError::SubMsatAmount {
            amount_pico_btc: 2_500_000_001
        })
    );
    assert_eq!(
        s02("too_short_lnbc1qqqq"),
        Err(InvoiceError::TooShort {
            length: 9,
            min_length: 122
        })
    );
    assert_eq!(
        s02("coffee_expired"),
        Err(InvoiceError::Expired {
            expired_at: 1_496_314_718
        })
    );
    for empty in [
        "empty",
        "only_whitespace",
        "only_prefix",
        "only_prefix_upper_spaced",
    ] {
        assert_eq!(s02(empty), Err(InvoiceError::Empty), "{empty}");
    }
}

#[test]
fn s02_rejects_wrong_network_of_invoices_signed_here() {
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
fn s02_rejects_a_forged_payee() {
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
fn rejects_malformed_prefix_amount_and_length() {
    let too_long = format!("lnbc1{}", "q".repeat(lightning_invoice::MAX_LENGTH));
    assert_code(mainnet(&too_long), "invoice_too_long");
    // A valid bech32 string that is not an invoice.
    let not_invoice = bitcoin::bech32::encode::<bitcoin::bech32::Bech32>(
        bitcoin::bech32::Hrp::parse("xyz").unwrap(),
        &[0u8; 100],
    )
    .unwrap();
    assert_code(mainnet(&not_invoice), "invoice_invalid_prefix");
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
        assert_code(mainnet(&text), "invoice_invalid_amount");
    }
    let unknown_currency = bitcoin::bech32::encode::<lightning_invoice::Bolt11Bech32>(
        bitcoin::bech32::Hrp::parse("lnxy").unwrap(),
        &[0u8; 100],
    )
    .unwrap();
    assert_eq!(
        mainnet(&unknown_currency),
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
