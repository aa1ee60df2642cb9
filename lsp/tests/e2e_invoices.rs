//! End to end on the devnet through `LspClient` (native transport) against the real
//! `etrid-lsp` process: invoices, hold invoices, scopes, events and resume, webhooks, balance
//! refusals and rate limits (S10-S12, S15, S17-S20). One devnet and LSP for the whole binary.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod support;

use std::sync::{Arc, Mutex};
use std::time::Duration;

use bitcoin::hashes::{sha256, Hash};
use etrid_core::amount::Msat;
use etrid_core::lsp::{
    ApiKeyScope, CreateApiKeyRequest, CreateHoldInvoiceRequest, CreateInvoiceRequest,
    CreateWebhookRequest, EventType, InvoiceStatus, LedgerEntryKind, ListEventsRequest,
    ListInvoicesRequest, ListLedgerRequest, ListPageRequest, LspError, PayInvoiceRequest,
    WaitOutcome,
};
use etrid_core::platform::SystemClock;
use etrid_core::webhook::{WebhookVerifier, SIGNATURE_HEADER};
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

fn random_preimage() -> ([u8; 32], String) {
    let mut p = [0u8; 32];
    getrandom::fill(&mut p).unwrap();
    let hash = sha256::Hash::hash(&p);
    (p, hash.to_string())
}

fn hex(b: &[u8]) -> String {
    b.iter().map(|x| format!("{x:02x}")).collect()
}

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
                payment_hash: hash.clone(),
                amount_msat: Some(Msat::from_msat(30_000_000)),
                description: Some("tournament entry".into()),
                ..CreateHoldInvoiceRequest::default()
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
                etrid_core::lsp::SettleHoldInvoiceRequest {
                    preimage: hex(&preimage),
                },
            )
            .await
            .unwrap();
        assert_eq!(settled.status, InvoiceStatus::Paid);
        let outcome = payer.await.unwrap().expect("payer sees success");
        assert_eq!(outcome.preimage.as_deref(), Some(hex(&preimage).as_str()));
        assert_eq!(
            admin.balance().await.unwrap().available_msat.as_u64(),
            30_000_000
        );

        // Accepted, then cancelled: the payer's HTLCs fail back (refunded).
        let (_p2, hash2) = random_preimage();
        let hold2 = admin
            .create_hold_invoice(CreateHoldInvoiceRequest {
                payment_hash: hash2,
                amount_msat: Some(Msat::from_msat(40_000_000)),
                description: Some("cancelled match".into()),
                ..CreateHoldInvoiceRequest::default()
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
                    if hash.to_string() == hold2.payment_hash)
            })
            .expect("bob's payment record");
        assert_eq!(record.status, ldk_node::payment::PaymentStatus::Failed);
        // A settle after the cancel is refused; the balance did not move.
        let err = admin
            .settle_hold_invoice(
                &hold2.id,
                etrid_core::lsp::SettleHoldInvoiceRequest {
                    preimage: hex(&[0u8; 32]),
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
fn s17_an_invoice_key_cannot_pay_manage_keys_or_see_other_accounts() {
    run(async {
        let h = harness().await;
        let (admin_a, game_a) = account(h, "s17a").await;
        let (_admin_b, game_b) = account(h, "s17b").await;
        let theirs = game_b
            .create_invoice(invoice_req(100, "b's"))
            .await
            .unwrap();

        let bolt11 = h.devnet_invoice("alice", Some(1_000));
        let prepared = game_a
            .prepare_pay_invoice(PayInvoiceRequest {
                bolt11,
                idempotency_key: "s17-pay".into(),
                ..PayInvoiceRequest::default()
            })
            .unwrap();
        assert_eq!(
            game_a.pay(prepared).await.unwrap_err().code(),
            "lsp_forbidden_scope"
        );
        let key_req = CreateApiKeyRequest {
            scope: ApiKeyScope::Admin,
            label: "escalate".into(),
        };
        assert_eq!(
            game_a
                .create_api_key(key_req.clone())
                .await
                .unwrap_err()
                .code(),
            "lsp_forbidden_scope"
        );
        assert_eq!(
            game_a
                .list_api_keys(ListPageRequest::default())
                .await
                .unwrap_err()
                .code(),
            "lsp_forbidden_scope"
        );
        assert_eq!(
            game_a.balance().await.unwrap_err().code(),
            "lsp_forbidden_scope"
        );
        assert_eq!(
            game_a
                .create_webhook(CreateWebhookRequest {
                    url: "http://127.0.0.1:9/x".into(),
                    ..CreateWebhookRequest::default()
                })
                .await
                .unwrap_err()
                .code(),
            "lsp_forbidden_scope"
        );
        // Another account's data is not found, for invoice and admin keys alike.
        assert_eq!(
            game_a.get_invoice(&theirs.id).await.unwrap_err().code(),
            "lsp_not_found"
        );
        assert_eq!(
            admin_a.get_invoice(&theirs.id).await.unwrap_err().code(),
            "lsp_not_found"
        );
        assert_eq!(
            admin_a.cancel_invoice(&theirs.id).await.unwrap_err().code(),
            "lsp_not_found"
        );
        let listed = admin_a
            .list_invoices(ListInvoicesRequest::default())
            .await
            .unwrap();
        assert!(listed.items.iter().all(|i| i.id != theirs.id));
        // A revoked key is refused at once.
        let spare = admin_a
            .create_api_key(CreateApiKeyRequest {
                scope: ApiKeyScope::Invoice,
                label: "to revoke".into(),
            })
            .await
            .unwrap();
        let spare_client = h.client(&spare.key);
        spare_client
            .list_invoices(ListInvoicesRequest::default())
            .await
            .unwrap();
        admin_a.revoke_api_key(&spare.id).await.unwrap();
        assert_eq!(
            spare_client
                .list_invoices(ListInvoicesRequest::default())
                .await
                .unwrap_err()
                .code(),
            "lsp_unauthorized"
        );
        let _ = key_req;
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
fn s19_a_payment_beyond_the_balance_is_refused_before_anything_leaves() {
    run(async {
        let h = harness().await;
        let (admin, game) = account(h, "s19").await;
        let inv = game
            .create_invoice(invoice_req(10_000, "deposit"))
            .await
            .unwrap();
        h.devnet_pay("alice", &inv.bolt11).await;
        assert!(matches!(
            game.wait_for_payment(&inv.id, Duration::from_secs(30))
                .await
                .unwrap(),
            WaitOutcome::Paid(_)
        ));
        let before = admin.balance().await.unwrap();
        assert_eq!(before.available_msat.as_u64(), 10_000_000);
        let bolt11 = h.devnet_invoice("alice", Some(20_000_000));
        let prepared = admin
            .prepare_pay_invoice(PayInvoiceRequest {
                bolt11: bolt11.clone(),
                idempotency_key: "s19-too-much".into(),
                ..PayInvoiceRequest::default()
            })
            .unwrap();
        let err = admin.pay(prepared).await.unwrap_err();
        assert_eq!(err.code(), "lsp_insufficient_balance");
        assert_eq!(admin.balance().await.unwrap(), before);
        let payments = admin
            .list_payments(etrid_core::lsp::ListPaymentsRequest::default())
            .await
            .unwrap();
        assert!(payments.items.is_empty());
        // Nothing reached the payee: alice's invoice is still unpaid on her node.
        let hash = etrid_core::invoice::decode_invoice(
            &bolt11,
            etrid_core::network::Network::Regtest,
            &SystemClock,
        )
        .unwrap()
        .payment_hash;
        let alice = h.devnet.api().node("alice").unwrap().node().clone();
        let received = alice.list_payments().into_iter().any(|p| {
            p.status == ldk_node::payment::PaymentStatus::Succeeded
                && matches!(&p.kind, ldk_node::payment::PaymentKind::Bolt11 { hash: h, .. } if h.to_string() == hash)
        });
        assert!(!received);
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

/// What the test webhook receiver got: headers of interest and the raw body.
#[derive(Debug, Clone)]
struct Received {
    signature: String,
    event_id: String,
    body: Vec<u8>,
}

#[test]
fn lsp_webhook_is_signed_delivered_logged_and_redelivered() {
    run(async {
        let h = harness().await;
        let (admin, game) = account(h, "webhook").await;
        let got: Arc<Mutex<Vec<Received>>> = Arc::default();
        let sink = Arc::clone(&got);
        let app = axum::Router::new().route(
            "/hook",
            axum::routing::post(
                move |headers: axum::http::HeaderMap, body: axum::body::Bytes| {
                    let sink = Arc::clone(&sink);
                    async move {
                        let header = |n: &str| {
                            headers
                                .get(n)
                                .and_then(|v| v.to_str().ok())
                                .unwrap_or_default()
                                .to_owned()
                        };
                        sink.lock().unwrap().push(Received {
                            signature: header(SIGNATURE_HEADER),
                            event_id: header("Etrid-Event-Id"),
                            body: body.to_vec(),
                        });
                        axum::http::StatusCode::NO_CONTENT
                    }
                },
            ),
        );
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        tokio::spawn(async move { axum::serve(listener, app).await });
        let hook = admin
            .create_webhook(CreateWebhookRequest {
                url: format!("http://{addr}/hook"),
                event_types: vec![EventType::InvoicePaid],
                description: Some("test receiver".into()),
            })
            .await
            .unwrap();
        let inv = game
            .create_invoice(invoice_req(3_000, "hooked"))
            .await
            .unwrap();
        h.devnet_pay("bob", &inv.bolt11).await;
        let deadline = std::time::Instant::now() + Duration::from_secs(30);
        while got.lock().unwrap().is_empty() {
            assert!(std::time::Instant::now() < deadline, "no webhook delivery");
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        let first = got.lock().unwrap()[0].clone();
        let verifier = WebhookVerifier::new(hook.secret.as_bytes()).unwrap();
        verifier
            .verify(&first.signature, &first.body, &SystemClock)
            .unwrap();
        let wrong = WebhookVerifier::new(b"whsec_wrong").unwrap();
        assert!(wrong
            .verify(&first.signature, &first.body, &SystemClock)
            .is_err());
        let event: etrid_core::lsp::LspEvent = serde_json::from_slice(&first.body).unwrap();
        assert_eq!(event.event_type(), EventType::InvoicePaid);
        assert_eq!(event.invoice().unwrap().id, inv.id);
        assert_eq!(first.event_id, event.id.to_string());
        // The delivery log says succeeded; redelivery sends the same event again.
        let log = admin
            .list_webhook_deliveries(&hook.id, ListPageRequest::default())
            .await
            .unwrap();
        assert_eq!(log.items.len(), 1);
        let delivery = &log.items[0];
        assert_eq!(delivery.event_id, event.id);
        assert_eq!(delivery.last_status_code, Some(204));
        admin
            .redeliver_webhook(&hook.id, &delivery.id)
            .await
            .unwrap();
        let deadline = std::time::Instant::now() + Duration::from_secs(30);
        while got.lock().unwrap().len() < 2 {
            assert!(std::time::Instant::now() < deadline, "no redelivery");
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        let second = got.lock().unwrap()[1].clone();
        assert_eq!(second.event_id, first.event_id);
        verifier
            .verify(&second.signature, &second.body, &SystemClock)
            .unwrap();
        admin.delete_webhook(&hook.id).await.unwrap();
        assert_eq!(
            admin.delete_webhook(&hook.id).await.unwrap_err().code(),
            "lsp_not_found"
        );
    });
}

#[test]
fn s17_every_admin_endpoint_refuses_an_invoice_key_and_ids_of_other_accounts() {
    run(async {
        let h = harness().await;
        let (admin_a, game_a) = account(h, "scope-a").await;
        let (admin_b, _game_b) = account(h, "scope-b").await;
        let http = reqwest::Client::new();
        let call = |method: reqwest::Method, path: String, key: String, body: Option<&str>| {
            let http = http.clone();
            let url = format!("{}{path}", h.api());
            let body = body.map(str::to_owned);
            async move {
                let mut req = http.request(method, url).bearer_auth(key);
                if let Some(b) = body {
                    req = req.header("content-type", "application/json").body(b);
                }
                let resp = req.send().await.unwrap();
                let status = resp.status().as_u16();
                let text = resp.text().await.unwrap_or_default();
                let json: serde_json::Value = serde_json::from_str(&text).unwrap_or_default();
                (status, json["code"].as_str().unwrap_or_default().to_owned())
            }
        };
        // B's resources, for the wrong-account checks.
        let b_inv = admin_b.create_invoice(invoice_req(5, "b")).await.unwrap();
        let (_p, hash) = random_preimage();
        let b_hold = admin_b
            .create_hold_invoice(CreateHoldInvoiceRequest {
                payment_hash: hash,
                amount_msat: Some(Msat::from_msat(5_000)),
                ..CreateHoldInvoiceRequest::default()
            })
            .await
            .unwrap();
        let b_hook = admin_b
            .create_webhook(CreateWebhookRequest {
                url: "http://127.0.0.1:9/never".into(),
                ..CreateWebhookRequest::default()
            })
            .await
            .unwrap();
        let b_key = admin_b
            .create_api_key(CreateApiKeyRequest {
                scope: ApiKeyScope::Invoice,
                label: "b".into(),
            })
            .await
            .unwrap();
        let game_key = game_a.config().api_key.clone();
        let admin_key = admin_a.config().api_key.clone();
        use reqwest::Method as M;
        let admin_only: Vec<(M, String, Option<&str>)> = vec![
            (
                M::POST,
                "/v1/hold-invoices".into(),
                Some(r#"{"payment_hash":"00"}"#),
            ),
            (
                M::POST,
                format!("/v1/hold-invoices/{}/settle", b_hold.id),
                Some(r#"{"preimage":"00"}"#),
            ),
            (
                M::POST,
                format!("/v1/hold-invoices/{}/cancel", b_hold.id),
                None,
            ),
            (
                M::POST,
                "/v1/payments/bolt11".into(),
                Some(r#"{"bolt11":"x","idempotency_key":"k"}"#),
            ),
            (
                M::POST,
                "/v1/payments/keysend".into(),
                Some(r#"{"destination":"x","amount_msat":1,"idempotency_key":"k"}"#),
            ),
            (M::GET, "/v1/payments".into(), None),
            (M::GET, "/v1/payments/pay_x".into(), None),
            (M::GET, "/v1/balance".into(), None),
            (M::GET, "/v1/ledger".into(), None),
            (
                M::POST,
                "/v1/webhooks".into(),
                Some(r#"{"url":"http://127.0.0.1:9/"}"#),
            ),
            (M::GET, "/v1/webhooks".into(), None),
            (M::DELETE, format!("/v1/webhooks/{}", b_hook.id), None),
            (
                M::GET,
                format!("/v1/webhooks/{}/deliveries", b_hook.id),
                None,
            ),
            (
                M::POST,
                format!("/v1/webhooks/{}/deliveries/dlv_x/redeliver", b_hook.id),
                None,
            ),
            (
                M::POST,
                "/v1/api-keys".into(),
                Some(r#"{"scope":"admin","label":"x"}"#),
            ),
            (M::GET, "/v1/api-keys".into(), None),
            (M::DELETE, format!("/v1/api-keys/{}", b_key.id), None),
            (M::GET, "/v1/node".into(), None),
            (M::GET, "/v1/channels".into(), None),
            (M::GET, "/v1/liquidity".into(), None),
        ];
        for (method, path, body) in &admin_only {
            let got = call(method.clone(), path.clone(), game_key.clone(), *body).await;
            assert_eq!(got, (403, "forbidden_scope".to_owned()), "{method} {path}");
        }
        // Another account's ids answer 404, exactly like ids that do not exist.
        let foreign: Vec<(M, String, Option<&str>, String)> = vec![
            (
                M::GET,
                format!("/v1/invoices/{}", b_inv.id),
                None,
                game_key.clone(),
            ),
            (
                M::POST,
                format!("/v1/invoices/{}/cancel", b_inv.id),
                None,
                game_key.clone(),
            ),
            (
                M::POST,
                format!("/v1/hold-invoices/{}/cancel", b_hold.id),
                None,
                admin_key.clone(),
            ),
            (
                M::POST,
                format!("/v1/hold-invoices/{}/settle", b_hold.id),
                Some(
                    r#"{"preimage":"0000000000000000000000000000000000000000000000000000000000000000"}"#,
                ),
                admin_key.clone(),
            ),
            (
                M::DELETE,
                format!("/v1/webhooks/{}", b_hook.id),
                None,
                admin_key.clone(),
            ),
            (
                M::GET,
                format!("/v1/webhooks/{}/deliveries", b_hook.id),
                None,
                admin_key.clone(),
            ),
            (
                M::DELETE,
                format!("/v1/api-keys/{}", b_key.id),
                None,
                admin_key.clone(),
            ),
        ];
        for (method, path, body, key) in &foreign {
            let got = call(method.clone(), path.clone(), key.clone(), *body).await;
            assert_eq!(got, (404, "not_found".to_owned()), "{method} {path}");
        }
        // No key, a bad key: 401 everywhere but health and the OpenAPI document.
        let (status, code) =
            call(M::GET, "/v1/invoices".into(), "etrid_inv_nope".into(), None).await;
        assert_eq!((status, code.as_str()), (401, "unauthorized"));
        let health = http
            .get(format!("{}/v1/health", h.api()))
            .send()
            .await
            .unwrap();
        assert_eq!(health.status(), 200);
        let doc: serde_json::Value = serde_json::from_str(
            &http
                .get(format!("{}/v1/openapi.json", h.api()))
                .send()
                .await
                .unwrap()
                .text()
                .await
                .unwrap(),
        )
        .unwrap();
        let file: serde_json::Value =
            serde_json::from_str(include_str!("../openapi.json")).unwrap();
        assert_eq!(
            doc, file,
            "the served document is the one in the repository"
        );
        // Unknown fields are refused, naming the field.
        let (status, code) = call(
            M::POST,
            "/v1/invoices".into(),
            game_key.clone(),
            Some(r#"{"amount_msat":1000,"colour":"red"}"#),
        )
        .await;
        assert_eq!((status, code.as_str()), (400, "invalid_request"));
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
                payment_hash: hash,
                amount_msat: Some(Msat::from_msat(6_000_000)),
                description: Some("forgotten escrow".into()),
                ..CreateHoldInvoiceRequest::default()
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
