//! Unit tests of BOLT11 decoding of valid invoices: the specification's vectors (scenario S01),
//! case and prefix handling, expiry and amount options, and invoices signed here.

use bitcoin::hashes::{sha256, Hash};
use bitcoin::hex::DisplayHex;
use lightning_invoice::Currency;

use super::test_vectors::*;
use super::*;
use crate::amount::Msat;

fn features(bits: &[u16]) -> InvoiceFeatures {
    let has = |even: u16| bits.contains(&even) || bits.contains(&(even + 1));
    InvoiceFeatures {
        var_onion_optin: has(8),
        payment_secret: has(14),
        basic_mpp: has(16),
        payment_metadata: has(48),
        trampoline: has(56),
        bits: bits.to_vec(),
    }
}

fn hashed_description() -> String {
    sha256::Hash::hash(HASHED_DESCRIPTION.as_bytes())
        .as_byte_array()
        .to_lower_hex_string()
}

/// The fields every mainnet 20 mBTC hashed-description spec example shares.
fn spec_20m_hashed(bolt11: &str) -> Invoice {
    Invoice {
        bolt11: bolt11.to_owned(),
        network: Network::Bitcoin,
        payment_hash: SPEC_PAYMENT_HASH.to_owned(),
        payment_secret: Some(SPEC_PAYMENT_SECRET.to_owned()),
        amount_msat: Some(Msat::from_msat(2_000_000_000)),
        description: None,
        description_hash: Some(hashed_description()),
        payee_pubkey: SPEC_PAYEE.to_owned(),
        timestamp: SPEC_TIMESTAMP,
        expiry_secs: 3600,
        expires_at: SPEC_TIMESTAMP + 3600,
        min_final_cltv_expiry_delta: 18,
        route_hints: vec![],
        features: features(&[8, 14]),
        fallback_addresses: vec![],
        payment_metadata: None,
    }
}

#[test]
fn s01_decode_valid_invoice_every_field() {
    let decoded = spec(ROUTE_HINTS).unwrap();
    let expected = Invoice {
        route_hints: vec![RouteHint {
            hops: vec![
                RouteHintHop {
                    node_id: "029e03a901b85534ff1e92c43c74431f7ce72046060fcf7a95c37e148f78c77255"
                        .to_owned(),
                    short_channel_id: 0x0102_0304_0506_0708,
                    fee_base_msat: 1,
                    fee_proportional_millionths: 20,
                    cltv_expiry_delta: 3,
                },
                RouteHintHop {
                    node_id: "039e03a901b85534ff1e92c43c74431f7ce72046060fcf7a95c37e148f78c77255"
                        .to_owned(),
                    short_channel_id: 0x0304_0506_0708_090a,
                    fee_base_msat: 2,
                    fee_proportional_millionths: 30,
                    cltv_expiry_delta: 4,
                },
            ],
        }],
        fallback_addresses: vec!["1RustyRX2oai4EYYDpQGWvEL62BBGqN9T".to_owned()],
        ..spec_20m_hashed(ROUTE_HINTS)
    };
    assert_eq!(decoded, expected);
    assert_eq!(decoded.require_amount(), Ok(Msat::from_msat(2_000_000_000)));
}

#[test]
fn s01_decode_pico_amount_cltv_expiry_and_route_hint() {
    let clock = at(1_572_468_703);
    let decoded = decode_invoice(PICO_AMOUNT, Network::Bitcoin, &clock).unwrap();
    let expected = Invoice {
        bolt11: PICO_AMOUNT.to_owned(),
        network: Network::Bitcoin,
        payment_hash: "462264ede7e14047e9b249da94fefc47f41f7d02ee9b091815a5506bc8abf75f".to_owned(),
        payment_secret: Some(SPEC_PAYMENT_SECRET.to_owned()),
        amount_msat: Some(Msat::from_msat(967_878_534)),
        description: Some(
            "Blockstream Store: 88.85 USD for Blockstream Ledger Nano S x 1, \
             \"Back In My Day\" Sticker x 2, \"I Got Lightning Working\" Sticker x 2 and 1 more items"
                .to_owned(),
        ),
        description_hash: None,
        payee_pubkey: SPEC_PAYEE.to_owned(),
        timestamp: 1_572_468_703,
        expiry_secs: 604_800,
        expires_at: 1_572_468_703 + 604_800,
        min_final_cltv_expiry_delta: 10,
        route_hints: vec![RouteHint {
            hops: vec![RouteHintHop {
                node_id: "03d06758583bb5154774a6eb221b1276c9e82d65bbaceca806d90e20c108f4b1c7"
                    .to_owned(),
                short_channel_id: (589_390 << 40) | (3312 << 16) | 1,
                fee_base_msat: 1000,
                fee_proportional_millionths: 2500,
                cltv_expiry_delta: 40,
            }],
        }],
        features: features(&[8, 14]),
        fallback_addresses: vec![],
        payment_metadata: None,
    };
    assert_eq!(decoded, expected);
}

#[test]
fn s01_decode_descriptions_and_default_fields() {
    let donation = spec(DONATION).unwrap();
    assert_eq!(donation.amount_msat, None);
    assert_eq!(donation.require_amount(), Err(InvoiceError::AmountRequired));
    assert_eq!(
        donation.description.as_deref(),
        Some("Please consider supporting this project")
    );
    assert_eq!(donation.description_hash, None);
    assert_eq!(
        (donation.expiry_secs, donation.min_final_cltv_expiry_delta),
        (3600, 18)
    );

    let coffee = spec(COFFEE).unwrap();
    assert_eq!(coffee.amount_msat, Some(Msat::from_msat(250_000_000)));
    assert_eq!(coffee.description.as_deref(), Some("1 cup coffee"));
    assert_eq!(
        (coffee.expiry_secs, coffee.expires_at),
        (60, SPEC_TIMESTAMP + 60)
    );

    let nonsense = spec(NONSENSE).unwrap();
    assert_eq!(nonsense.description.as_deref(), Some("ナンセンス 1杯"));

    assert_eq!(spec(HASHED).unwrap(), spec_20m_hashed(HASHED));
}

#[test]
fn s01_decode_fallback_addresses() {
    let cases = [
        (P2SH_FALLBACK, "3EktnHQD7RiAE6uzMj2ZifT9YgRrkSgzQX"),
        (
            P2WPKH_FALLBACK,
            "bc1qw508d6qejxtdg4y5r3zarvary0c5xw7kv8f3t4",
        ),
        (
            P2WSH_FALLBACK,
            "bc1qrp33g0q5c5txsp9arysrx4k6zdkfs4nce4xj0gdcccefvpysxf3qccfmv3",
        ),
    ];
    for (text, address) in cases {
        let expected = Invoice {
            fallback_addresses: vec![address.to_owned()],
            ..spec_20m_hashed(text)
        };
        assert_eq!(spec(text).unwrap(), expected, "{address}");
    }
    let testnet = decode_invoice(TESTNET_FALLBACK, Network::Testnet, &spec_time()).unwrap();
    let expected = Invoice {
        network: Network::Testnet,
        fallback_addresses: vec!["mk2QpYatsKicvFVuTAQLBryyccRXMUaGHP".to_owned()],
        ..spec_20m_hashed(TESTNET_FALLBACK)
    };
    assert_eq!(testnet, expected);
}

#[test]
fn s01_decode_features_metadata_and_ignored_fields() {
    let decoded = spec(FEATURES_99).unwrap();
    assert_eq!(decoded.features, features(&[8, 14, 99]));
    assert_eq!(decoded.description.as_deref(), Some("coffee beans"));
    assert_eq!(decoded.amount_msat, Some(Msat::from_msat(2_500_000_000)));
    assert_eq!(decoded.payment_secret.as_deref(), Some(SPEC_PAYMENT_SECRET));

    // Fields a reader must skip leave the decoded invoice unchanged.
    let ignored = spec(IGNORED_FIELDS).unwrap();
    assert_eq!(
        ignored,
        Invoice {
            bolt11: IGNORED_FIELDS.to_owned(),
            ..decoded.clone()
        }
    );

    let metadata = spec(METADATA).unwrap();
    assert_eq!(metadata.payment_metadata.as_deref(), Some("01fafaf0"));
    assert_eq!(metadata.features, features(&[8, 14, 48]));
    assert!(metadata.features.payment_metadata);
}

#[test]
fn accepts_upper_case_prefix_and_whitespace() {
    let lower = spec(FEATURES_99).unwrap();
    assert_eq!(spec(FEATURES_99_UPPER).unwrap(), lower);
    for wrapped in [
        format!("  lightning:{FEATURES_99}\n"),
        format!("LIGHTNING:{FEATURES_99_UPPER}"),
        format!("Lightning:{FEATURES_99}"),
        format!("lightning:{FEATURES_99_UPPER}"),
    ] {
        assert_eq!(spec(&wrapped).unwrap(), lower, "{wrapped}");
    }
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
