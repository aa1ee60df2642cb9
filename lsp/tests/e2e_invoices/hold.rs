//! Hold invoices (S15): accepted then settled, accepted then cancelled with the payer refunded,
//! and cancelled by the LSP itself before the HTLC deadline.

use std::time::Duration;

use etrid_core::amount::Msat;
use etrid_core::lsp::{CreateHoldInvoiceRequest, EventType, InvoiceStatus, LspError};

use crate::support::{next_event, run};
use crate::{account, harness, random_preimage};

#[test]
fn s15_hold_invoice_accepted_then_settled_and_accepted_then_cancelled_refunds() {
    run(async {
        let h = harness().await;
        let (admin, _game) = account(h, "s15").await;
        let mut events = admin.subscribe_events(None);
        events.connect().await.unwrap();

        // Accepted, then settled with the preimage.
        let (preimage, hash) = random_preimage();
        let hold = admin
            .create_hold_invoice(CreateHoldInvoiceRequest {
                amount_msat: Some(Msat::from_msat(30_000_000)),
                description: Some("tournament entry".into()),
                ..CreateHoldInvoiceRequest::new(hash)
            })
            .await
            .unwrap();
        let api = h.devnet.api().clone();
        let bolt11 = hold.bolt11.clone();
        let payer = tokio::spawn(async move {
            api.pay_invoice(
                "bob",
                &etrid_devnet::nodes::PayRequest {
                    invoice: bolt11,
                    amount_msat: None,
                    timeout_secs: Some(60),
                },
            )
            .await
        });
        let accepted = next_event(&mut events, Duration::from_secs(30), |e| {
            e.event_type() == EventType::InvoiceAccepted
                && e.invoice().is_some_and(|i| i.id == hold.id)
        })
        .await;
        let accepted = accepted.invoice().unwrap();
        assert_eq!(accepted.status, InvoiceStatus::Accepted);
        assert!(accepted.hold_expires_at.is_some());
        // Nothing credited while held.
        assert_eq!(admin.balance().await.unwrap().available_msat.as_u64(), 0);
        let settled = admin
            .settle_hold_invoice(
                &hold.id,
                etrid_core::lsp::SettleHoldInvoiceRequest { preimage },
            )
            .await
            .unwrap();
        assert_eq!(settled.status, InvoiceStatus::Paid);
        let outcome = payer.await.unwrap().expect("payer sees success");
        assert_eq!(
            outcome.preimage.as_deref(),
            Some(preimage.to_string().as_str())
        );
        assert_eq!(
            admin.balance().await.unwrap().available_msat.as_u64(),
            30_000_000
        );

        // Accepted, then cancelled: the payer's HTLCs fail back (refunded).
        let (_p2, hash2) = random_preimage();
        let hold2 = admin
            .create_hold_invoice(CreateHoldInvoiceRequest {
                amount_msat: Some(Msat::from_msat(40_000_000)),
                description: Some("cancelled match".into()),
                ..CreateHoldInvoiceRequest::new(hash2)
            })
            .await
            .unwrap();
        let api = h.devnet.api().clone();
        let bolt11 = hold2.bolt11.clone();
        let payer = tokio::spawn(async move {
            api.pay_invoice(
                "bob",
                &etrid_devnet::nodes::PayRequest {
                    invoice: bolt11,
                    amount_msat: None,
                    timeout_secs: Some(60),
                },
            )
            .await
        });
        next_event(&mut events, Duration::from_secs(30), |e| {
            e.event_type() == EventType::InvoiceAccepted
                && e.invoice().is_some_and(|i| i.id == hold2.id)
        })
        .await;
        let cancelled = admin.cancel_hold_invoice(&hold2.id).await.unwrap();
        assert_eq!(cancelled.status, InvoiceStatus::Cancelled);
        let refused = payer.await.unwrap();
        assert!(
            refused.is_err(),
            "the payer's payment must fail: {refused:?}"
        );
        // Refunded: bob's node recorded the payment as failed (its HTLCs came back).
        let bob = h.devnet.api().node("bob").unwrap().node().clone();
        let record = bob
            .list_payments()
            .into_iter()
            .find(|p| {
                matches!(&p.kind, ldk_node::payment::PaymentKind::Bolt11 { hash, .. }
                    if hash.to_string() == hold2.payment_hash.to_string())
            })
            .expect("bob's payment record");
        assert_eq!(record.status, ldk_node::payment::PaymentStatus::Failed);
        // A settle after the cancel is refused; the balance did not move.
        let err = admin
            .settle_hold_invoice(
                &hold2.id,
                etrid_core::lsp::SettleHoldInvoiceRequest {
                    preimage: etrid_core::lsp::Preimage::from_bytes([0u8; 32]),
                },
            )
            .await
            .unwrap_err();
        assert!(
            matches!(
                err,
                LspError::Api {
                    status: 400 | 409,
                    ..
                }
            ),
            "{err:?}"
        );
        assert_eq!(
            admin.balance().await.unwrap().available_msat.as_u64(),
            30_000_000
        );
        events.close().await;
    });
}

#[test]
fn s15_an_accepted_hold_invoice_is_cancelled_before_its_htlc_deadline() {
    run(async {
        let h = harness().await;
        let (admin, _game) = account(h, "hold-deadline").await;
        let mut events = admin.subscribe_events(None);
        events.connect().await.unwrap();
        let (_p, hash) = random_preimage();
        let hold = admin
            .create_hold_invoice(CreateHoldInvoiceRequest {
                amount_msat: Some(Msat::from_msat(6_000_000)),
                description: Some("forgotten escrow".into()),
                ..CreateHoldInvoiceRequest::new(hash)
            })
            .await
            .unwrap();
        let api = h.devnet.api().clone();
        let bolt11 = hold.bolt11.clone();
        let payer = tokio::spawn(async move {
            api.pay_invoice(
                "alice",
                &etrid_devnet::nodes::PayRequest {
                    invoice: bolt11,
                    amount_msat: None,
                    timeout_secs: Some(120),
                },
            )
            .await
        });
        next_event(&mut events, Duration::from_secs(30), |e| {
            e.event_type() == EventType::InvoiceAccepted
                && e.invoice().is_some_and(|i| i.id == hold.id)
        })
        .await;
        // Blocks pass and nobody settles: the server cancels on its own, before the deadline.
        let deadline = std::time::Instant::now() + Duration::from_secs(90);
        loop {
            let inv = admin.get_invoice(&hold.id).await.unwrap();
            if inv.status == InvoiceStatus::Cancelled {
                break;
            }
            assert!(
                std::time::Instant::now() < deadline,
                "never auto-cancelled: {inv:?}"
            );
            h.devnet.api().mine(5).await.unwrap();
            tokio::time::sleep(Duration::from_millis(300)).await;
        }
        let refused = payer.await.unwrap();
        assert!(refused.is_err(), "the payer is refunded: {refused:?}");
        assert_eq!(admin.balance().await.unwrap().available_msat.as_u64(), 0);
        // No force-close: the LSP's channels are all still open and usable.
        let channels = admin.list_channels().await.unwrap();
        assert_eq!(channels.items.len(), 2);
        assert!(channels.items.iter().all(|c| c.is_usable));
        events.close().await;
    });
}
