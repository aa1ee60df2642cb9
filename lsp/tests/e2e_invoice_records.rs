//! The LSP with `--ldk-invoice-records false` (issue 16's invoice lever and the default: no LDK
//! Node payment record per invoice; passed explicitly so this test keeps covering it if the
//! default changes). Invoices are still paid and credited once (S10), a second payment of a
//! paid invoice is refused, a payment of a cancelled invoice is refused, and a hold invoice is
//! held, then settled and credited (S15): the checks LDK Node made with its records, the server
//! makes itself.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod support;

use std::time::Duration;

use etrid_core::amount::Msat;
use etrid_core::lsp::{
    CreateHoldInvoiceRequest, CreateInvoiceRequest, InvoiceStatus, Preimage,
    SettleHoldInvoiceRequest, WaitOutcome,
};
use etrid_devnet::nodes::{NodeError, PayRequest};
use support::{run, Harness};

fn pay_request(bolt11: &str) -> PayRequest {
    PayRequest {
        invoice: bolt11.to_owned(),
        amount_msat: None,
        timeout_secs: Some(60),
    }
}

#[test]
fn s10_s15_invoices_without_ldk_records_are_paid_once_and_second_payments_refused() {
    run(async {
        let args = vec!["--ldk-invoice-records".to_owned(), "false".to_owned()];
        let h = Harness::start_with(1, args).await;
        let admin = h.admin(0);

        // S10: paid by alice, credited once.
        let invoice = admin
            .create_invoice(CreateInvoiceRequest {
                amount_msat: Some(Msat::from_msat(5_000_000)),
                description: Some("no record".into()),
                ..CreateInvoiceRequest::default()
            })
            .await
            .unwrap();
        h.devnet_pay("alice", &invoice.bolt11).await;
        let outcome = admin
            .wait_for_payment(&invoice.id, Duration::from_secs(30))
            .await
            .unwrap();
        assert!(matches!(outcome, WaitOutcome::Paid(_)), "{outcome:?}");

        // The same invoice paid again (by bob): refused, nothing credited twice.
        let again = h
            .devnet
            .api()
            .pay_invoice("bob", &pay_request(&invoice.bolt11))
            .await;
        // Failed back at once, not left to time out.
        assert!(
            matches!(again, Err(NodeError::PaymentFailed { .. })),
            "a second payment must fail: {again:?}"
        );
        assert_eq!(
            admin.balance().await.unwrap().available_msat.as_u64(),
            5_000_000
        );

        // A cancelled invoice refuses payment.
        let cancelled = admin
            .create_invoice(CreateInvoiceRequest {
                amount_msat: Some(Msat::from_msat(3_000_000)),
                description: Some("cancelled".into()),
                ..CreateInvoiceRequest::default()
            })
            .await
            .unwrap();
        admin.cancel_invoice(&cancelled.id).await.unwrap();
        let refused = h
            .devnet
            .api()
            .pay_invoice("alice", &pay_request(&cancelled.bolt11))
            .await;
        assert!(
            refused.is_err(),
            "a cancelled invoice is not payable: {refused:?}"
        );

        // S15: a hold invoice is held, then settled and credited.
        let mut bytes = [0u8; 32];
        getrandom::fill(&mut bytes).unwrap();
        let preimage = Preimage::from_bytes(bytes);
        let hold = admin
            .create_hold_invoice(CreateHoldInvoiceRequest {
                amount_msat: Some(Msat::from_msat(7_000_000)),
                description: Some("held".into()),
                ..CreateHoldInvoiceRequest::new(preimage.payment_hash())
            })
            .await
            .unwrap();
        let api = h.devnet.api().clone();
        let bolt11 = hold.bolt11.clone();
        let payer =
            tokio::spawn(async move { api.pay_invoice("bob", &pay_request(&bolt11)).await });
        let deadline = std::time::Instant::now() + Duration::from_secs(30);
        while admin.get_invoice(&hold.id).await.unwrap().status != InvoiceStatus::Accepted {
            assert!(
                std::time::Instant::now() < deadline,
                "the hold invoice was never held"
            );
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        let settled = admin
            .settle_hold_invoice(&hold.id, SettleHoldInvoiceRequest { preimage })
            .await
            .unwrap();
        assert_eq!(settled.status, InvoiceStatus::Paid);
        payer.await.unwrap().expect("the payer sees success");
        assert_eq!(
            admin.balance().await.unwrap().available_msat.as_u64(),
            12_000_000,
            "each paid invoice credited once"
        );
    });
}
