//! End to end on the devnet through `LspClient` (native transport) against the real
//! `etrid-lsp` process: invoices, hold invoices, scopes, events and resume, webhooks, balance
//! refusals and rate limits (S10-S12, S15, S17-S20). One devnet and LSP for the whole binary;
//! this file holds it, the shared helpers and the invoice lifecycle tests, the modules the rest.
#![allow(clippy::unwrap_used, clippy::expect_used)]

#[path = "../support/mod.rs"]
mod support;

mod access;
mod contract;
mod hold;
mod limits;
mod webhooks;

use std::time::Duration;

use etrid_core::amount::Msat;
use etrid_core::lsp::{
    ApiKeyScope, CreateApiKeyRequest, CreateHoldInvoiceRequest, CreateInvoiceRequest,
    CreateWebhookRequest, EventType, InvoiceStatus, LedgerEntryKind, ListEventsRequest,
    ListInvoicesRequest, ListLedgerRequest, LspError, PaymentHash, Preimage, WaitOutcome,
};
use support::{next_event, run, Client, Harness};
use tokio::sync::OnceCell;

static HARNESS: OnceCell<Harness> = OnceCell::const_new();

async fn harness() -> &'static Harness {
    HARNESS
        .get_or_init(|| async {
            // A small burst so S20 reaches the limit quickly; other tests use their own keys.
            Harness::start_with(
                0,
                vec![
                    "--invoice-rate-per-sec".into(),
                    "2".into(),
                    "--invoice-rate-burst".into(),
                    "10".into(),
                ],
            )
            .await
        })
        .await
}

/// A fresh account: its admin client and an invoice-scoped client.
async fn account(h: &Harness, label: &str) -> (Client, Client) {
    let acct = h.create_account(label);
    let admin = h.client(&acct.admin_key);
    let key = admin
        .create_api_key(CreateApiKeyRequest {
            scope: ApiKeyScope::Invoice,
            label: format!("{label} game client"),
        })
        .await
        .unwrap();
    (admin, h.client(&key.key))
}

fn invoice_req(sats: u64, description: &str) -> CreateInvoiceRequest {
    CreateInvoiceRequest {
        amount_msat: Some(Msat::from_msat(sats * 1000)),
        description: Some(description.into()),
        ..CreateInvoiceRequest::default()
    }
}

/// One resource of each kind an id in a path can name, all of one account: for the checks that
/// another account's ids answer `404`.
struct Resources {
    invoice: String,
    hold_invoice: String,
    webhook: String,
    key: String,
}

/// Creates [`Resources`] in the account of `admin`.
async fn resources(admin: &Client) -> Resources {
    let invoice = admin.create_invoice(invoice_req(5, "b")).await.unwrap().id;
    let (_p, hash) = random_preimage();
    let hold_invoice = admin
        .create_hold_invoice(CreateHoldInvoiceRequest {
            amount_msat: Some(Msat::from_msat(5_000)),
            ..CreateHoldInvoiceRequest::new(hash)
        })
        .await
        .unwrap()
        .id;
    let webhook = admin
        .create_webhook(CreateWebhookRequest {
            url: "http://127.0.0.1:9/never".into(),
            ..CreateWebhookRequest::default()
        })
        .await
        .unwrap()
        .id;
    let key = admin
        .create_api_key(CreateApiKeyRequest {
            scope: ApiKeyScope::Invoice,
            label: "b".into(),
        })
        .await
        .unwrap()
        .id;
    Resources {
        invoice,
        hold_invoice,
        webhook,
        key,
    }
}

/// A random preimage and its payment hash, for hold invoices.
fn random_preimage() -> (Preimage, PaymentHash) {
    let mut p = [0u8; 32];
    getrandom::fill(&mut p).unwrap();
    let preimage = Preimage::from_bytes(p);
    (preimage, preimage.payment_hash())
}

#[test]
fn s10_invoice_key_invoice_paid_by_devnet_wallet_event_and_single_credit() {
    run(async {
        let h = harness().await;
        let (admin, game) = account(h, "s10").await;
        let mut events = game.subscribe_events(None);
        events.connect().await.unwrap();
        let inv = game
            .create_invoice(invoice_req(21_000, "sword"))
            .await
            .unwrap();
        assert_eq!(inv.status, InvoiceStatus::Open);
        let paid = h.devnet_pay("bob", &inv.bolt11).await;
        assert_eq!(paid.amount_msat, Some(21_000_000));
        let ev = next_event(&mut events, Duration::from_secs(30), |e| {
            e.invoice().is_some_and(|i| i.id == inv.id)
        })
        .await;
        assert_eq!(ev.event_type(), EventType::InvoicePaid);
        let got = ev.invoice().unwrap();
        assert_eq!(got.amount_received_msat, Some(Msat::from_msat(21_000_000)));
        match game
            .wait_for_payment(&inv.id, Duration::from_secs(5))
            .await
            .unwrap()
        {
            WaitOutcome::Paid(i) => assert_eq!(i.status, InvoiceStatus::Paid),
            other => panic!("expected paid, got {other:?}"),
        }
        // Credited exactly once: balance, one ledger credit, one paid event.
        assert_eq!(
            admin.balance().await.unwrap().available_msat.as_u64(),
            21_000_000
        );
        let ledger = admin
            .list_ledger(ListLedgerRequest::default())
            .await
            .unwrap();
        let credits: Vec<_> = ledger
            .items
            .iter()
            .filter(|e| e.kind == LedgerEntryKind::Credit && e.reference_id == inv.id)
            .collect();
        assert_eq!(credits.len(), 1);
        let all = game
            .list_events(ListEventsRequest::default())
            .await
            .unwrap();
        let paid_events = all
            .items
            .iter()
            .filter(|e| e.event_type() == EventType::InvoicePaid)
            .count();
        assert_eq!(paid_events, 1);
        events.close().await;
    });
}

#[test]
fn s11_same_external_id_returns_the_same_invoice() {
    run(async {
        let h = harness().await;
        let (_admin, game) = account(h, "s11").await;
        let req = CreateInvoiceRequest {
            external_id: Some("order-42".into()),
            ..invoice_req(1_000, "potion")
        };
        let first = game.create_invoice(req.clone()).await.unwrap();
        let second = game.create_invoice(req.clone()).await.unwrap();
        assert_eq!(first, second);
        let other = CreateInvoiceRequest {
            amount_msat: Some(Msat::from_msat(2_000_000)),
            ..req
        };
        let err = game.create_invoice(other).await.unwrap_err();
        assert_eq!(err.code(), "lsp_idempotency_mismatch");
        let list = game
            .list_invoices(ListInvoicesRequest::default())
            .await
            .unwrap();
        assert_eq!(list.items.len(), 1);
    });
}

#[test]
fn s12_an_expiring_invoice_is_reported_expired_not_a_hang() {
    run(async {
        let h = harness().await;
        let (_admin, game) = account(h, "s12").await;
        let inv = game
            .create_invoice(CreateInvoiceRequest {
                expiry_secs: Some(2),
                ..invoice_req(500, "short-lived")
            })
            .await
            .unwrap();
        let outcome = game
            .wait_for_payment(&inv.id, Duration::from_secs(60))
            .await
            .unwrap();
        match outcome {
            WaitOutcome::Expired(i) => assert_eq!(i.id, inv.id),
            other => panic!("expected expired, got {other:?}"),
        }
        // The server marks it expired itself and says so with an event.
        tokio::time::sleep(Duration::from_secs(2)).await;
        assert_eq!(
            game.get_invoice(&inv.id).await.unwrap().status,
            InvoiceStatus::Expired
        );
        let events = game
            .list_events(ListEventsRequest::default())
            .await
            .unwrap();
        assert!(events
            .items
            .iter()
            .any(|e| e.event_type() == EventType::InvoiceExpired
                && e.invoice().is_some_and(|i| i.id == inv.id)));
    });
}

#[test]
fn s18_reconnecting_with_the_last_event_id_misses_and_repeats_nothing() {
    run(async {
        let h = harness().await;
        let (_admin, game) = account(h, "s18").await;
        let cancel_one = |label: &'static str| {
            let game = game.clone();
            async move {
                let inv = game.create_invoice(invoice_req(1, label)).await.unwrap();
                game.cancel_invoice(&inv.id).await.unwrap();
                inv.id
            }
        };
        let mut first = game.subscribe_events(None);
        first.connect().await.unwrap();
        let id1 = cancel_one("one").await;
        let e1 = next_event(&mut first, Duration::from_secs(10), |_| true).await;
        assert_eq!(e1.invoice().unwrap().id, id1);
        first.close().await;
        // Events while disconnected.
        let id2 = cancel_one("two").await;
        let id3 = cancel_one("three").await;
        let mut second = game.subscribe_events(Some(e1.id));
        second.connect().await.unwrap();
        let e2 = next_event(&mut second, Duration::from_secs(10), |_| true).await;
        let e3 = next_event(&mut second, Duration::from_secs(10), |_| true).await;
        let id4 = cancel_one("four").await;
        let e4 = next_event(&mut second, Duration::from_secs(10), |_| true).await;
        let got: Vec<_> = [&e2, &e3, &e4]
            .iter()
            .map(|e| e.invoice().unwrap().id.clone())
            .collect();
        assert_eq!(got, vec![id2, id3, id4]);
        assert!(e1.id < e2.id && e2.id < e3.id && e3.id < e4.id);
        // Nothing else is pending on the stream.
        let extra = second
            .next_before(Duration::from_millis(500))
            .await
            .unwrap();
        assert!(extra.is_none(), "unexpected extra event {extra:?}");
        second.close().await;
        // The list endpoint agrees.
        let listed = game
            .list_events(ListEventsRequest {
                after: Some(e1.id),
                limit: None,
            })
            .await
            .unwrap();
        assert_eq!(
            listed.items.iter().map(|e| e.id).collect::<Vec<_>>(),
            vec![e2.id, e3.id, e4.id]
        );
    });
}

#[test]
fn s20_invoice_creation_beyond_the_rate_limit_gets_429_with_retry_after() {
    run(async {
        let h = harness().await;
        let (_admin, game) = account(h, "s20").await;
        let mut limited = None;
        for i in 0..40 {
            match game.create_invoice(invoice_req(1, "spam")).await {
                Ok(_) => {}
                Err(LspError::RateLimited { retry_after_secs }) => {
                    limited = Some((i, retry_after_secs));
                    break;
                }
                Err(e) => panic!("unexpected error {e}"),
            }
        }
        let (count, retry_after) = limited.expect("the limit was reached");
        assert!(
            count >= 10,
            "the burst of 10 is allowed, limited after {count}"
        );
        assert!(retry_after >= 1);
        // A limited request had no effect, and after waiting creation works again.
        let listed = game
            .list_invoices(ListInvoicesRequest::default())
            .await
            .unwrap();
        assert_eq!(listed.items.len(), count);
        tokio::time::sleep(Duration::from_secs(retry_after)).await;
        game.create_invoice(invoice_req(1, "again")).await.unwrap();
    });
}
