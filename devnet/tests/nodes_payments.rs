//! Real LDK nodes on the real chain server pay each other: BOLT11 both ways, keysend with
//! custom TLVs (one hop and two hops), and a hold invoice claimed, then one failed back.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod nodes_support;

use std::time::Duration;

use bitcoin::hashes::{sha256, Hash};
use bitcoin::hex::DisplayHex;
use etrid_devnet::nodes::{
    InvoiceRequest, KeysendRequest, NodeError, PayRequest, PaymentState, TlvRecord,
};
use etrid_devnet::Devnet;
use ldk_node::lightning_invoice::{Bolt11InvoiceDescription, Description};
use ldk_node::lightning_types::payment::{PaymentHash, PaymentPreimage};
use ldk_node::{CustomTlvRecord, Event};
use nodes_support::{small_config, wait_event, wait_until};

const WAIT: Duration = Duration::from_secs(30);

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn bolt11_payments_flow_both_ways() {
    let devnet = Devnet::start(small_config()).await.unwrap();
    let api = devnet.api();

    let mut bob_events = api.node("bob").unwrap().subscribe();
    let invoice = api
        .create_invoice(
            "bob",
            &InvoiceRequest {
                amount_msat: Some(50_000_000),
                ..Default::default()
            },
        )
        .unwrap();
    let paid = api
        .pay_invoice(
            "alice",
            &PayRequest {
                invoice: invoice.invoice.clone(),
                amount_msat: None,
                timeout_secs: None,
            },
        )
        .await
        .unwrap();
    assert_eq!(paid.status, PaymentState::Succeeded);
    assert_eq!(paid.amount_msat, Some(50_000_000));
    assert_eq!(
        paid.payment_hash.as_deref(),
        Some(invoice.payment_hash.as_str())
    );
    let preimage = paid.preimage.clone().unwrap();
    let hash_of_preimage = sha256::Hash::hash(&hex_bytes(&preimage)).to_byte_array();
    assert_eq!(hash_of_preimage.to_lower_hex_string(), invoice.payment_hash);
    wait_event(&mut bob_events, "bob's PaymentReceived", WAIT, |e| {
        matches!(e, Event::PaymentReceived { amount_msat: 50_000_000, payment_hash, .. }
            if payment_hash.0.to_lower_hex_string() == invoice.payment_hash)
    })
    .await;

    // The other way, with a variable-amount invoice.
    let mut alice_events = api.node("alice").unwrap().subscribe();
    let back = api
        .create_invoice("alice", &InvoiceRequest::default())
        .unwrap();
    assert_eq!(back.amount_msat, None);
    let paid_back = api
        .pay_invoice(
            "bob",
            &PayRequest {
                invoice: back.invoice,
                amount_msat: Some(20_000_000),
                timeout_secs: None,
            },
        )
        .await
        .unwrap();
    assert_eq!(paid_back.status, PaymentState::Succeeded);
    wait_event(&mut alice_events, "alice's PaymentReceived", WAIT, |e| {
        matches!(
            e,
            Event::PaymentReceived {
                amount_msat: 20_000_000,
                ..
            }
        )
    })
    .await;

    // Paying the same invoice twice is refused by LDK, as a typed error.
    let again = api
        .pay_invoice(
            "alice",
            &PayRequest {
                invoice: invoice.invoice,
                amount_msat: None,
                timeout_secs: None,
            },
        )
        .await;
    assert!(matches!(again, Err(NodeError::Ldk { .. })), "{again:?}");

    devnet.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn keysend_carries_custom_tlvs_over_one_and_two_hops() {
    let devnet = Devnet::start(small_config()).await.unwrap();
    let api = devnet.api();
    let tlvs = vec![
        TlvRecord {
            type_num: 65_537,
            value_hex: "cafebabe".into(),
        },
        TlvRecord {
            type_num: 7_777_777,
            value_hex: "00ff".into(),
        },
    ];

    for payee in ["bob", "lsp"] {
        let mut events = api.node(payee).unwrap().subscribe();
        let sent = api
            .keysend(
                "alice",
                &KeysendRequest {
                    to: payee.into(),
                    amount_msat: 12_345_000,
                    custom_tlvs: tlvs.clone(),
                    timeout_secs: None,
                },
            )
            .await
            .unwrap();
        assert_eq!(sent.status, PaymentState::Succeeded, "keysend to {payee}");
        let got = wait_event(&mut events, "keysend PaymentReceived", WAIT, |e| {
            matches!(
                e,
                Event::PaymentReceived {
                    amount_msat: 12_345_000,
                    ..
                }
            )
        })
        .await;
        let Event::PaymentReceived { custom_records, .. } = got else {
            unreachable!()
        };
        assert!(custom_records.contains(&CustomTlvRecord {
            type_num: 65_537,
            value: vec![0xca, 0xfe, 0xba, 0xbe]
        }));
        assert!(custom_records.contains(&CustomTlvRecord {
            type_num: 7_777_777,
            value: vec![0x00, 0xff]
        }));
        if payee == "lsp" {
            assert!(
                sent.fee_paid_msat.unwrap_or(0) > 0,
                "two hops pay bob a routing fee"
            );
        }
    }

    // An even custom type is refused before anything is sent.
    let even = api
        .keysend(
            "alice",
            &KeysendRequest {
                to: "bob".into(),
                amount_msat: 1_000,
                custom_tlvs: vec![TlvRecord {
                    type_num: 65_538,
                    value_hex: String::new(),
                }],
                timeout_secs: None,
            },
        )
        .await;
    assert!(
        matches!(even, Err(NodeError::InvalidInput { .. })),
        "{even:?}"
    );

    devnet.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn hold_invoice_is_claimed_then_another_is_failed_back() {
    let devnet = Devnet::start(small_config()).await.unwrap();
    let api = devnet.api().clone();
    let bob = devnet.node("bob").unwrap();
    let alice = devnet.node("alice").unwrap();
    let bob_id = bob.node_id();
    let outbound = || {
        alice
            .list_channels()
            .iter()
            .find(|c| c.counterparty_node_id == bob_id)
            .map(|c| c.outbound_capacity_msat)
            .unwrap()
    };
    let description = Bolt11InvoiceDescription::Direct(Description::new("hold".into()).unwrap());

    for claim in [true, false] {
        let preimage = PaymentPreimage([if claim { 7 } else { 9 }; 32]);
        let hash = PaymentHash(sha256::Hash::hash(&preimage.0).to_byte_array());
        let invoice = bob
            .bolt11_payment()
            .receive_for_hash(30_000_000, &description, 3600, hash)
            .unwrap();
        let before = outbound();
        let mut bob_events = devnet.handle("bob").unwrap().subscribe();
        let payer = api.clone();
        let pay = tokio::spawn(async move {
            payer
                .pay_invoice(
                    "alice",
                    &PayRequest {
                        invoice: invoice.to_string(),
                        amount_msat: None,
                        timeout_secs: Some(60),
                    },
                )
                .await
        });
        let claimable = wait_event(
            &mut bob_events,
            "PaymentClaimable",
            WAIT,
            |e| matches!(e, Event::PaymentClaimable { payment_hash, .. } if *payment_hash == hash),
        )
        .await;
        let Event::PaymentClaimable {
            claimable_amount_msat,
            ..
        } = claimable
        else {
            unreachable!()
        };
        assert_eq!(claimable_amount_msat, 30_000_000);
        // The HTLC is held: the payer's payment is still pending and its balance is locked.
        assert!(!pay.is_finished());
        assert!(outbound() <= before - 30_000_000);

        if claim {
            bob.bolt11_payment()
                .claim_for_hash(hash, claimable_amount_msat, preimage)
                .unwrap();
            let outcome = pay.await.unwrap().unwrap();
            assert_eq!(outcome.status, PaymentState::Succeeded);
            assert_eq!(outcome.preimage, Some(preimage.0.to_lower_hex_string()));
            wait_event(&mut bob_events, "PaymentReceived", WAIT, |e| {
                matches!(e, Event::PaymentReceived { payment_hash, .. } if *payment_hash == hash)
            })
            .await;
        } else {
            bob.bolt11_payment().fail_for_hash(hash).unwrap();
            let outcome = pay.await.unwrap();
            assert!(
                matches!(outcome, Err(NodeError::PaymentFailed { .. })),
                "{outcome:?}"
            );
            // Refunded: the payer's channel balance comes back in full.
            wait_until("refund", WAIT, || outbound() == before).await;
        }
    }
    devnet.shutdown().await;
}

fn hex_bytes(s: &str) -> Vec<u8> {
    use bitcoin::hex::FromHex;
    Vec::<u8>::from_hex(s).unwrap()
}
