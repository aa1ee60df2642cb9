//! End to end on the devnet: the payment flows of issue 15 through `LspClient` — an invoice of
//! another account of the same LSP, settled inside it (S21), and a Lightning Address the LSP
//! serves, paid through the SDK's LNURL flow and by a wallet (S22); fiat quotes (S28) and
//! events on a game loop (S29) here, vouchers (S23) and streams (S24) in their modules.
#![allow(clippy::unwrap_used, clippy::expect_used)]

#[path = "../support/mod.rs"]
mod support;

mod streams;
mod vouchers;

use std::time::Duration;

use bitcoin::hashes::{sha256, Hash};
use etrid_core::amount::Msat;
use etrid_core::lnurl::{decode_lnurl, SuccessAction};
use etrid_core::lsp::{
    CreateInvoiceRequest, CreateLightningAddressRequest, EventPayload, InvoiceStatus,
    LedgerEntryKind, ListEventsRequest, ListInvoicesRequest, ListLedgerRequest, ListPageRequest,
    PayInvoiceRequest, PayLnurlRequest, PaymentStatus, WaitOutcome,
};
use etrid_devnet::nodes::{NodeError, PayRequest};
use support::{run, Harness};
use tokio::sync::OnceCell;

static HARNESS: OnceCell<Harness> = OnceCell::const_new();

/// The fiat rates file the LSP reads at every quote (S28 rewrites it to move a rate).
static RATES: std::sync::OnceLock<tempfile::TempDir> = std::sync::OnceLock::new();

fn rates_file() -> std::path::PathBuf {
    RATES
        .get_or_init(|| tempfile::tempdir().unwrap())
        .path()
        .join("rates.json")
}

fn set_rates(json: &str) {
    // Written whole then renamed: the LSP never reads half a file.
    let tmp = rates_file().with_extension("tmp");
    std::fs::write(&tmp, json).unwrap();
    std::fs::rename(tmp, rates_file()).unwrap();
}

/// The harness with its accounts funded. Accounts 1 and 2 are S21's alone, 3 and 4 S22's, 0
/// S28's, 5 and 6 S23's, 7 and 8 S24's, 9 and 10 S24's to a Lightning Address (10 unfunded):
/// tests run at once, and these check balances exactly.
async fn harness() -> &'static Harness {
    HARNESS
        .get_or_init(|| async {
            set_rates(r#"{"USD": "100000", "EUR": "92000.50"}"#);
            let h = Harness::start_with(
                11,
                vec![
                    "--fiat-rates-file".into(),
                    rates_file().display().to_string(),
                ],
            )
            .await;
            for i in 0..10 {
                h.fund_account(i, 150_000_000).await;
            }
            h
        })
        .await
}

#[test]
fn s21_an_invoice_of_another_account_of_this_lsp_settles_inside_it_at_once_and_once() {
    run(async {
        let h = harness().await;
        let (payer, payee) = (h.admin(1), h.admin(2));
        let payer_before = payer.balance().await.unwrap();
        let payee_before = payee.balance().await.unwrap();
        let invoice = payee
            .create_invoice(CreateInvoiceRequest {
                amount_msat: Some(Msat::from_msat(7_000_000)),
                description: Some("S21 trade".into()),
                ..CreateInvoiceRequest::default()
            })
            .await
            .unwrap();
        let req = PayInvoiceRequest {
            bolt11: invoice.bolt11.clone(),
            idempotency_key: "s21-trade-1".into(),
            ..PayInvoiceRequest::default()
        };
        // Settled in the answer itself: no HTLC to wait for.
        let paid = payer
            .pay(payer.prepare_pay_invoice(req.clone()).unwrap())
            .await
            .unwrap();
        assert_eq!(paid.status, PaymentStatus::Succeeded, "{paid:?}");
        assert!(paid.internal);
        assert_eq!(paid.fee_msat, Some(Msat::ZERO));
        let preimage = paid.preimage.expect("the invoice's preimage, as proof");
        assert_eq!(
            sha256::Hash::hash(preimage.as_bytes()).to_string(),
            invoice.payment_hash.to_string()
        );
        let settled = payee.get_invoice(&invoice.id).await.unwrap();
        assert_eq!(settled.status, InvoiceStatus::Paid);
        assert_eq!(
            settled.amount_received_msat,
            Some(Msat::from_msat(7_000_000))
        );
        // Both balances moved by exactly the amount.
        let payer_after = payer.balance().await.unwrap();
        let payee_after = payee.balance().await.unwrap();
        assert_eq!(
            payer_before.available_msat.as_u64() - payer_after.available_msat.as_u64(),
            7_000_000
        );
        assert_eq!(
            payee_after.available_msat.as_u64() - payee_before.available_msat.as_u64(),
            7_000_000
        );
        assert_eq!(payer_after.reserved_msat.as_u64(), 0);
        // Ledgers: one debit on one side, one credit on the other.
        let debits: Vec<_> = payer
            .list_ledger(ListLedgerRequest::default())
            .await
            .unwrap()
            .items
            .into_iter()
            .filter(|e| e.reference_id == paid.id)
            .map(|e| (e.kind, e.amount_msat.as_u64()))
            .collect();
        assert_eq!(debits, vec![(LedgerEntryKind::Debit, 7_000_000)]);
        let credits: Vec<_> = payee
            .list_ledger(ListLedgerRequest::default())
            .await
            .unwrap()
            .items
            .into_iter()
            .filter(|e| e.reference_id == invoice.id)
            .map(|e| (e.kind, e.amount_msat.as_u64()))
            .collect();
        assert_eq!(credits, vec![(LedgerEntryKind::Credit, 7_000_000)]);
        // Event streams: payment.succeeded for the payer, invoice.paid for the payee, once each.
        let succeeded = payer
            .list_events(ListEventsRequest::default())
            .await
            .unwrap()
            .items
            .into_iter()
            .filter(|e| matches!(&e.payload, EventPayload::PaymentSucceeded(p) if p.id == paid.id))
            .count();
        assert_eq!(succeeded, 1);
        let paid_events = payee
            .list_events(ListEventsRequest::default())
            .await
            .unwrap()
            .items
            .into_iter()
            .filter(|e| matches!(&e.payload, EventPayload::InvoicePaid(i) if i.id == invoice.id))
            .count();
        assert_eq!(paid_events, 1);
        assert_eq!(
            payee
                .wait_for_payment(&invoice.id, Duration::from_secs(5))
                .await
                .unwrap(),
            WaitOutcome::Paid(settled.clone())
        );
        // The same key again is the same payment; another account or another key cannot pay
        // it again; a wallet's HTLCs for it are given back.
        let again = payer
            .pay(payer.prepare_pay_invoice(req).unwrap())
            .await
            .unwrap();
        assert_eq!(again.id, paid.id);
        let other = h.admin(0);
        let err = other
            .pay(
                other
                    .prepare_pay_invoice(PayInvoiceRequest {
                        bolt11: invoice.bolt11.clone(),
                        idempotency_key: "s21-trade-1-other".into(),
                        ..PayInvoiceRequest::default()
                    })
                    .unwrap(),
            )
            .await
            .unwrap_err();
        assert_eq!(err.code(), "lsp_payment_failed", "{err}");
        assert!(err.to_string().contains("already paid"), "{err}");
        let outside = h
            .devnet
            .api()
            .pay_invoice(
                "alice",
                &PayRequest {
                    invoice: invoice.bolt11.clone(),
                    amount_msat: None,
                    timeout_secs: Some(60),
                },
            )
            .await
            .unwrap_err();
        assert!(
            matches!(outside, NodeError::PaymentFailed { ref reason, .. } if reason.contains("RecipientRejected")),
            "{outside:?}"
        );
        assert_eq!(payee.balance().await.unwrap(), payee_after, "credited once");
        assert_eq!(payer.balance().await.unwrap(), payer_after, "debited once");
    });
}

#[test]
fn s22_a_lightning_address_served_by_the_lsp_is_paid_by_the_sdk_and_by_a_wallet() {
    run(async {
        let h = harness().await;
        let (owner, payer) = (h.admin(3), h.admin(4));
        let served = owner
            .create_lightning_address(CreateLightningAddressRequest {
                name: "s22-shop".into(),
                description: Some("Tips for the S22 shop".into()),
                min_sendable_msat: Some(Msat::from_msat(1_000)),
                max_sendable_msat: Some(Msat::from_msat(50_000_000)),
                comment_allowed: Some(100),
                success_message: Some("Thanks for the tip!".into()),
            })
            .await
            .unwrap();
        assert!(
            served.address.starts_with("s22-shop@127.0.0.1:"),
            "{served:?}"
        );
        assert!(served.lnurl.starts_with("LNURL1"), "{served:?}");
        let taken = owner
            .create_lightning_address(CreateLightningAddressRequest {
                name: "s22-shop".into(),
                ..CreateLightningAddressRequest::default()
            })
            .await
            .unwrap_err();
        assert_eq!(taken.code(), "lsp_conflict", "{taken}");
        let listed = owner
            .list_lightning_addresses(ListPageRequest::default())
            .await
            .unwrap();
        assert_eq!(listed.items, vec![served.clone()]);

        // The SDK pays the address: terms fetched, invoice checked, paid (inside the LSP: the
        // address is another account's of the same LSP).
        let owner_before = owner.balance().await.unwrap().available_msat.as_u64();
        let paid = payer
            .pay_lnurl(PayLnurlRequest {
                target: served.address.clone(),
                amount_msat: Msat::from_msat(5_000_000),
                comment: Some("gg wp".into()),
                idempotency_key: "s22-tip-1".into(),
                max_fee_msat: None,
            })
            .await
            .unwrap();
        assert_eq!(paid.payment.status, PaymentStatus::Succeeded, "{paid:?}");
        assert_eq!(
            paid.success_action,
            Some(SuccessAction::Message {
                message: "Thanks for the tip!".into()
            })
        );
        assert_eq!(paid.pay_request.comment_allowed, 100);
        // The invoice commits to the metadata, and the comment reached the payee.
        let invoice = owner
            .list_invoices(ListInvoicesRequest::default())
            .await
            .unwrap()
            .items
            .into_iter()
            .find(|i| i.payment_hash == paid.payment.payment_hash)
            .expect("the address's invoice");
        assert_eq!(invoice.status, InvoiceStatus::Paid);
        assert_eq!(
            invoice.description_hash.map(|d| d.to_string()),
            Some(sha256::Hash::hash(paid.pay_request.metadata.as_bytes()).to_string())
        );
        let metadata = invoice.metadata.expect("metadata");
        assert_eq!(metadata["comment"], "gg wp");
        assert_eq!(metadata["lightning_address"], served.address.as_str());
        assert_eq!(
            owner.balance().await.unwrap().available_msat.as_u64() - owner_before,
            5_000_000
        );

        // A wallet pays it too: the callback's invoice, paid over Lightning (the LNURL form).
        let terms: serde_json::Value = reqwest::get(decode_lnurl(&served.lnurl).unwrap())
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        assert_eq!(terms["tag"], "payRequest");
        let callback = format!(
            "{}?amount=2000000&comment=from%20alice",
            terms["callback"].as_str().unwrap()
        );
        let offered: serde_json::Value =
            reqwest::get(&callback).await.unwrap().json().await.unwrap();
        let bolt11 = offered["pr"].as_str().expect("an invoice").to_owned();
        let outcome = h.devnet_pay("alice", &bolt11).await;
        assert_eq!(outcome.status, etrid_devnet::nodes::PaymentState::Succeeded);
        let paid_by_wallet = etrid_core::invoice::decode_invoice(
            &bolt11,
            etrid_core::network::Network::Regtest,
            &etrid_core::platform::SystemClock,
        )
        .unwrap();
        let wallet_invoice = owner
            .list_invoices(ListInvoicesRequest::default())
            .await
            .unwrap()
            .items
            .into_iter()
            .find(|i| i.payment_hash.to_string() == paid_by_wallet.payment_hash)
            .expect("the wallet's invoice");
        let wallet_invoice = owner
            .wait_for_payment(&wallet_invoice.id, Duration::from_secs(30))
            .await
            .unwrap();
        assert!(
            matches!(wallet_invoice, WaitOutcome::Paid(ref i) if i.metadata.as_ref().unwrap()["comment"] == "from alice"),
            "{wallet_invoice:?}"
        );

        // A tag (LUD-16 `name+tag`) pays the same account and reaches it in the metadata.
        let (base, host) = served.address.split_once('@').unwrap();
        let tagged = payer
            .pay_lnurl(PayLnurlRequest {
                target: format!("{base}+player7@{host}"),
                amount_msat: Msat::from_msat(1_000_000),
                comment: None,
                idempotency_key: "s22-tip-tagged".into(),
                max_fee_msat: None,
            })
            .await
            .unwrap();
        assert_eq!(tagged.payment.status, PaymentStatus::Succeeded);
        let tagged_invoice = owner
            .list_invoices(ListInvoicesRequest::default())
            .await
            .unwrap()
            .items
            .into_iter()
            .find(|i| i.payment_hash == tagged.payment.payment_hash)
            .expect("the tagged address's invoice");
        let tagged_metadata = tagged_invoice.metadata.expect("metadata");
        assert_eq!(tagged_metadata["tag"], "player7");
        assert_eq!(
            tagged_metadata["lightning_address"],
            format!("{base}+player7@{host}").as_str()
        );

        // Callbacks create invoices: an address has the invoice rate limit a key has.
        let mut limited = None;
        for _ in 0..400 {
            let answer: serde_json::Value = reqwest::get(format!(
                "{}?amount=1000",
                terms["callback"].as_str().unwrap()
            ))
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
            if answer["status"] == "ERROR" {
                limited = answer["reason"].as_str().map(str::to_owned);
                break;
            }
        }
        let reason = limited.expect("the address's rate limit was reached");
        assert!(reason.contains("too many"), "{reason}");

        // Out of bounds, a comment too long, an unknown or deleted address: refused, nothing paid.
        let payer_before = payer.balance().await.unwrap();
        let ask = |target: &str, amount: u64, comment: Option<String>| PayLnurlRequest {
            target: target.to_owned(),
            amount_msat: Msat::from_msat(amount),
            comment,
            idempotency_key: format!("s22-refused-{amount}"),
            max_fee_msat: None,
        };
        let low = payer
            .pay_lnurl(ask(&served.address, 500, None))
            .await
            .unwrap_err();
        assert_eq!(low.code(), "lnurl_amount_out_of_range", "{low}");
        let long = payer
            .pay_lnurl(ask(&served.address, 10_000, Some("x".repeat(101))))
            .await
            .unwrap_err();
        assert_eq!(long.code(), "lnurl_comment_too_long", "{long}");
        owner.delete_lightning_address("s22-shop").await.unwrap();
        let gone = payer
            .pay_lnurl(ask(&served.address, 10_000, None))
            .await
            .unwrap_err();
        assert_eq!(gone.code(), "lnurl_service_error", "{gone}");
        assert!(gone.to_string().contains("s22-shop"), "{gone}");
        assert_eq!(payer.balance().await.unwrap(), payer_before, "nothing paid");
        let missing = owner
            .delete_lightning_address("s22-shop")
            .await
            .unwrap_err();
        assert_eq!(missing.code(), "lsp_not_found");
    });
}

#[test]
fn s28_a_fiat_priced_invoice_charges_the_quoted_amount_and_a_stale_quote_is_refused() {
    use etrid_core::lsp::{ApiErrorCode, CreateQuoteRequest, LspError};
    use rust_decimal::Decimal;
    run(async {
        let h = harness().await;
        let shop = h.admin(0);
        let code = |e: &LspError| match e {
            LspError::Api { code, .. } => Some(*code),
            _ => None,
        };
        // 4.99 USD at 100,000 USD per BTC: 4.99 / 100,000 × 10¹¹ = 4,990,000 msat.
        let price = Decimal::new(499, 2);
        let quote = shop
            .create_quote(CreateQuoteRequest {
                ttl_secs: Some(60),
                ..CreateQuoteRequest::new(price, "USD")
            })
            .await
            .unwrap();
        assert_eq!(quote.amount_msat, Msat::from_msat(4_990_000));
        assert_eq!(quote.rate, Decimal::new(100_000, 0));
        assert_eq!(quote.max_slippage_bps, 100);
        let invoice = shop
            .create_invoice(CreateInvoiceRequest {
                description: Some("S28 sword".into()),
                quote_id: Some(quote.id.clone()),
                ..CreateInvoiceRequest::default()
            })
            .await
            .unwrap();
        assert_eq!(invoice.amount_msat, Some(Msat::from_msat(4_990_000)));
        assert!(
            invoice.expires_at <= quote.expires_at,
            "payable only while the rate holds"
        );
        let fiat = &invoice.metadata.as_ref().unwrap()["fiat"];
        assert_eq!(fiat["currency"], "USD");
        assert_eq!(fiat["fiat_amount"], "4.99");
        assert_eq!(fiat["quote_id"], quote.id.as_str());
        h.devnet_pay("alice", &invoice.bolt11).await;
        match shop
            .wait_for_payment(&invoice.id, Duration::from_secs(30))
            .await
            .unwrap()
        {
            WaitOutcome::Paid(paid) => {
                assert_eq!(paid.amount_received_msat, Some(Msat::from_msat(4_990_000)))
            }
            other => panic!("not paid: {other:?}"),
        }

        // Bad input is typed and creates nothing.
        let both = shop
            .create_invoice(CreateInvoiceRequest {
                amount_msat: Some(Msat::from_msat(1_000)),
                quote_id: Some(quote.id.clone()),
                ..CreateInvoiceRequest::default()
            })
            .await
            .unwrap_err();
        assert!(matches!(both, LspError::InvalidRequest { .. }), "{both:?}");
        let unknown = shop
            .create_quote(CreateQuoteRequest::new(price, "JPY"))
            .await
            .unwrap_err();
        assert_eq!(
            code(&unknown),
            Some(ApiErrorCode::UnknownCurrency),
            "{unknown:?}"
        );
        let lower = shop
            .create_quote(CreateQuoteRequest::new(price, "usd"))
            .await
            .unwrap_err();
        assert!(
            matches!(lower, LspError::InvalidRequest { .. }),
            "{lower:?}"
        );

        // An expired quote is refused, never charged.
        let short = shop
            .create_quote(CreateQuoteRequest {
                ttl_secs: Some(1),
                ..CreateQuoteRequest::new(price, "USD")
            })
            .await
            .unwrap();
        tokio::time::sleep(Duration::from_millis(2_100)).await;
        let expired = shop
            .create_invoice(CreateInvoiceRequest {
                quote_id: Some(short.id),
                ..CreateInvoiceRequest::default()
            })
            .await
            .unwrap_err();
        assert_eq!(
            code(&expired),
            Some(ApiErrorCode::QuoteExpired),
            "{expired:?}"
        );

        // The rate moves 1.5 % against a 1 % bound: refused; a new quote has the new price.
        let held = shop
            .create_quote(CreateQuoteRequest::new(price, "USD"))
            .await
            .unwrap();
        set_rates(r#"{"USD": "101500", "EUR": "92000.50"}"#);
        let moved = shop
            .create_invoice(CreateInvoiceRequest {
                quote_id: Some(held.id.clone()),
                ..CreateInvoiceRequest::default()
            })
            .await
            .unwrap_err();
        assert_eq!(
            code(&moved),
            Some(ApiErrorCode::SlippageExceeded),
            "{moved:?}"
        );
        assert!(moved.to_string().contains("150 bps"), "{moved}");
        let requote = shop
            .create_quote(CreateQuoteRequest::new(price, "USD"))
            .await
            .unwrap();
        // 4.99e11 / 101,500 = 4,916,256.16 msat, rounded up: the payee gets the full price.
        assert_eq!(requote.amount_msat, Msat::from_msat(4_916_257));
        // A move within the bound keeps the quoted amount, not the new rate's.
        set_rates(r#"{"USD": "101600", "EUR": "92000.50"}"#);
        let within = shop
            .create_invoice(CreateInvoiceRequest {
                quote_id: Some(requote.id),
                ..CreateInvoiceRequest::default()
            })
            .await
            .unwrap();
        assert_eq!(within.amount_msat, Some(Msat::from_msat(4_916_257)));
        set_rates(r#"{"USD": "100000", "EUR": "92000.50"}"#);
    });
}

#[test]
fn s29_events_reach_the_game_loop_thread_in_order_each_once_across_a_dropped_connection() {
    use etrid_core::lsp::{HubEvent, LspConfig, ReconnectPolicy};
    run(async {
        let h = harness().await;
        let shop = h.admin(0);
        let start = shop
            .list_events(ListEventsRequest {
                after: None,
                limit: Some(1000),
            })
            .await
            .unwrap()
            .items
            .last()
            .map(|e| e.id);
        let target: std::net::SocketAddr = h.api().trim_start_matches("http://").parse().unwrap();
        let proxy = support::Proxy::start(target);
        let mut config = LspConfig::new(
            proxy.url.clone(),
            h.accounts[0].admin_key.clone(),
            etrid_core::network::Network::Regtest,
        );
        config.reconnect = ReconnectPolicy {
            max_attempts: 20,
            initial_backoff: Duration::from_millis(100),
            max_backoff: Duration::from_millis(500),
        };
        let game = etrid_core::native::client(config).unwrap();
        let (hub, pump) = game.event_hub(start, 1024);
        tokio::spawn(pump.run());
        // The game's own loop: a thread that polls the hub each frame, as an engine does.
        let frames = hub.clone();
        let game_loop = std::thread::spawn(move || {
            let me = std::thread::current().id();
            let mut seen = Vec::new();
            while !frames.is_stopped() {
                for item in frames.poll_events(64) {
                    if let HubEvent::Event(event) = item {
                        seen.push((std::thread::current().id() == me, event));
                    }
                }
                std::thread::sleep(Duration::from_millis(16));
            }
            seen
        });
        let mut paid = Vec::new();
        for i in 0..3u64 {
            if i == 1 {
                proxy.drop_all(); // the network drops: the stream reconnects and resumes
            }
            let invoice = shop
                .create_invoice(CreateInvoiceRequest {
                    amount_msat: Some(Msat::from_msat(40_000 + i)),
                    description: Some(format!("S29 #{i}")),
                    ..CreateInvoiceRequest::default()
                })
                .await
                .unwrap();
            h.devnet_pay("alice", &invoice.bolt11).await;
            paid.push(invoice.id);
        }
        // Until the hub has delivered the last one (the game loop drains it).
        let last = paid.last().unwrap().clone();
        let deadline = std::time::Instant::now() + Duration::from_secs(30);
        loop {
            let log = shop
                .list_events(ListEventsRequest {
                    after: start,
                    limit: Some(1000),
                })
                .await
                .unwrap()
                .items;
            let paid_id = log
                .iter()
                .find(|e| matches!(&e.payload, EventPayload::InvoicePaid(i) if i.id == last))
                .map(|e| e.id);
            if paid_id.is_some_and(|id| hub.last_event_id().is_some_and(|seen| seen >= id)) {
                break;
            }
            assert!(
                std::time::Instant::now() < deadline,
                "the hub never caught up"
            );
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
        hub.stop();
        let seen = game_loop.join().unwrap();
        assert!(proxy.connections() >= 2, "the stream reconnected");
        assert!(
            seen.iter().all(|(on_loop, _)| *on_loop),
            "every event on the game loop's thread"
        );
        let ids: Vec<u64> = seen.iter().map(|(_, e)| e.id).collect();
        let log: Vec<u64> = shop
            .list_events(ListEventsRequest {
                after: start,
                limit: Some(1000),
            })
            .await
            .unwrap()
            .items
            .into_iter()
            .map(|e| e.id)
            .filter(|id| id <= ids.last().unwrap())
            .collect();
        assert_eq!(ids, log, "every event once, in order");
        for id in &paid {
            assert!(
                seen.iter().any(
                    |(_, e)| matches!(&e.payload, EventPayload::InvoicePaid(i) if &i.id == id)
                ),
                "{id} heard"
            );
        }
    });
}
