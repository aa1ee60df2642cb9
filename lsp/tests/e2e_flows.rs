//! End to end on the devnet: the payment flows of issue 15 through `LspClient` — an invoice of
//! another account of the same LSP, settled inside it (S21), and a Lightning Address the LSP
//! serves, paid through the SDK's LNURL flow and by a wallet (S22).
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod support;

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
/// S28's, 5 and 6 S23's, 7 and 8 S24's: tests run at once, and these check balances exactly.
async fn harness() -> &'static Harness {
    HARNESS
        .get_or_init(|| async {
            set_rates(r#"{"USD": "100000", "EUR": "92000.50"}"#);
            let h = Harness::start_with(
                9,
                vec![
                    "--fiat-rates-file".into(),
                    rates_file().display().to_string(),
                ],
            )
            .await;
            for i in 0..9 {
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

/// Polls voucher `id` until it reaches `status` (30 s at most).
async fn wait_voucher(
    client: &support::Client,
    id: &str,
    status: etrid_core::lsp::VoucherStatus,
) -> etrid_core::lsp::LspVoucher {
    let deadline = std::time::Instant::now() + Duration::from_secs(30);
    loop {
        let voucher = client.get_voucher(id).await.unwrap();
        if voucher.status == status {
            return voucher;
        }
        assert!(
            std::time::Instant::now() < deadline,
            "voucher {id} never became {status:?}: {voucher:?}"
        );
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
}

/// GETs an LNURL endpoint as a wallet would: no key, JSON back.
async fn wallet_get(url: &str) -> serde_json::Value {
    reqwest::get(url).await.unwrap().json().await.unwrap()
}

/// The LUD-03 callback URL handing in `pr` with `k1`.
fn withdraw_claim(callback: &str, k1: &str, pr: &str) -> String {
    let mut url = url::Url::parse(callback).unwrap();
    url.query_pairs_mut()
        .append_pair("k1", k1)
        .append_pair("pr", pr);
    url.to_string()
}

#[test]
fn s23_a_voucher_is_claimed_by_a_wallet_once_of_100_concurrent_claims_and_unclaimed_value_returns()
{
    use etrid_core::lsp::{
        CreateVouchersRequest, ListPaymentsRequest, RedeemWithdrawRequest, VoucherStatus,
    };
    run(async {
        let h = harness().await;
        h.wait_route_to(5, "bob").await;
        let (owner, player) = (h.admin(5), h.admin(6));
        let before = owner.balance().await.unwrap();
        let request = CreateVouchersRequest {
            count: Some(4),
            min_withdrawable_msat: Some(Msat::from_msat(100_000)),
            description: Some("S23 prize".into()),
            ..CreateVouchersRequest::new(Msat::from_msat(2_000_000), "s23-prizes")
        };
        let batch = owner.create_vouchers(request.clone()).await.unwrap();
        // Each sets aside its amount and a fee allowance of 1 % (at least 10 sat).
        let reserved_each = 2_000_000 + 20_000;
        assert_eq!(batch.reserved_msat, Msat::from_msat(4 * reserved_each));
        assert!(batch.vouchers.iter().all(|v| v.lnurl.starts_with("LNURL1")
            && v.status == VoucherStatus::Active
            && v.reserved_msat == Msat::from_msat(reserved_each)));
        // The same key again: the same batch, nothing more set aside.
        assert_eq!(owner.create_vouchers(request).await.unwrap().id, batch.id);
        let created = owner.balance().await.unwrap();
        assert_eq!(
            created.available_msat.as_u64(),
            before.available_msat.as_u64() - 4 * reserved_each
        );
        let [first, second, third, fourth] = <[_; 4]>::try_from(batch.vouchers).unwrap();

        // A devnet wallet (bob) claims the first: reads the link, hands in an invoice, is paid
        // over Lightning. Claims it must refuse change nothing.
        let offer = wallet_get(decode_lnurl(&first.lnurl).unwrap().as_str()).await;
        assert_eq!(offer["tag"], "withdrawRequest");
        assert_eq!(offer["minWithdrawable"], 100_000);
        assert_eq!(offer["maxWithdrawable"], 2_000_000);
        assert_eq!(offer["defaultDescription"], "S23 prize");
        let (callback, k1) = (
            offer["callback"].as_str().unwrap(),
            offer["k1"].as_str().unwrap(),
        );
        for (k1, pr, reason) in [
            (
                k1,
                h.devnet_invoice("bob", Some(2_000_001)),
                "100000 to 2000000 msat",
            ),
            ("not-the-k1", h.devnet_invoice("bob", Some(1_000)), "k1"),
            (k1, h.devnet_invoice("bob", None), "must have an amount"),
            (k1, "lnbc1garbage".into(), "not valid"),
        ] {
            let refused = wallet_get(&withdraw_claim(callback, k1, &pr)).await;
            assert_eq!(refused["status"], "ERROR", "{refused}");
            assert!(
                refused["reason"].as_str().unwrap().contains(reason),
                "{refused}"
            );
        }
        assert_eq!(
            owner.get_voucher(&first.id).await.unwrap().status,
            VoucherStatus::Active
        );
        let ok = wallet_get(&withdraw_claim(
            callback,
            k1,
            &h.devnet_invoice("bob", Some(2_000_000)),
        ))
        .await;
        assert_eq!(ok, serde_json::json!({"status": "OK"}));
        let claimed = wait_voucher(&owner, &first.id, VoucherStatus::Claimed).await;
        assert_eq!(claimed.claimed_msat, Some(Msat::from_msat(2_000_000)));
        let first_payment = owner
            .get_payment(claimed.payment_id.as_deref().unwrap())
            .await
            .unwrap();
        assert_eq!(first_payment.status, PaymentStatus::Succeeded);
        assert!(!first_payment.internal);
        let again = wallet_get(decode_lnurl(&first.lnurl).unwrap().as_str()).await;
        assert_eq!(again["status"], "ERROR");
        assert!(again["reason"]
            .as_str()
            .unwrap()
            .contains("already claimed"));

        // 100 concurrent claims of the second, half with bob's invoices (paid over
        // Lightning), half with invoices of the player's account (paid inside the LSP):
        // exactly one is accepted and paid.
        let offer = wallet_get(&second.url).await;
        let (callback, k1) = (
            offer["callback"].as_str().unwrap().to_owned(),
            offer["k1"].as_str().unwrap().to_owned(),
        );
        let mut invoices = Vec::new();
        for _ in 0..50 {
            invoices.push(h.devnet_invoice("bob", Some(1_000_000)));
            let mine = player
                .create_invoice(CreateInvoiceRequest {
                    amount_msat: Some(Msat::from_msat(1_000_000)),
                    description: Some("S23 race".into()),
                    ..CreateInvoiceRequest::default()
                })
                .await
                .unwrap();
            invoices.push(mine.bolt11);
        }
        let claims = invoices.iter().map(|pr| {
            let url = withdraw_claim(&callback, &k1, pr);
            tokio::spawn(async move { wallet_get(&url).await })
        });
        let answers: Vec<serde_json::Value> = futures_util::future::join_all(claims)
            .await
            .into_iter()
            .map(Result::unwrap)
            .collect();
        let accepted = answers.iter().filter(|a| a["status"] == "OK").count();
        assert_eq!(accepted, 1, "{answers:?}");
        assert!(answers
            .iter()
            .all(|a| a["status"] == "OK" || a["status"] == "ERROR"));
        let raced = wait_voucher(&owner, &second.id, VoucherStatus::Claimed).await;
        assert_eq!(raced.claimed_msat, Some(Msat::from_msat(1_000_000)));
        let prefix = format!("voucher:{}:", second.id);
        let paid_for_second: Vec<_> = owner
            .list_payments(ListPaymentsRequest::default())
            .await
            .unwrap()
            .items
            .into_iter()
            .filter(|p| p.idempotency_key.starts_with(&prefix))
            .collect();
        assert_eq!(paid_for_second.len(), 1, "{paid_for_second:?}");
        let second_payment =
            support::wait_payment(&owner, &paid_for_second[0].id, Duration::from_secs(30)).await;
        assert_eq!(second_payment.status, PaymentStatus::Succeeded);

        // The SDK redeems the third into the player's account (an account of the same LSP:
        // paid at once); the link cannot be redeemed twice.
        let player_before = player.balance().await.unwrap().available_msat.as_u64();
        let redeem = RedeemWithdrawRequest {
            lnurl: third.lnurl.clone(),
            amount_msat: None,
            description: None,
        };
        let redeemed = player.redeem_withdraw(redeem.clone()).await.unwrap();
        assert_eq!(
            redeemed.invoice.amount_msat,
            Some(Msat::from_msat(2_000_000))
        );
        assert_eq!(redeemed.withdraw_request.default_description, "S23 prize");
        match player
            .wait_for_payment(&redeemed.invoice.id, Duration::from_secs(30))
            .await
            .unwrap()
        {
            WaitOutcome::Paid(_) => {}
            other => panic!("the redeemed voucher did not pay: {other:?}"),
        }
        let refused = player.redeem_withdraw(redeem).await.unwrap_err();
        assert!(refused.to_string().contains("already claimed"), "{refused}");
        assert_eq!(
            player.balance().await.unwrap().available_msat.as_u64() - player_before,
            2_000_000,
        );

        // The fourth is cancelled: its link stops working, its value returns, once.
        let cancelled = owner.cancel_voucher(&fourth.id).await.unwrap();
        assert_eq!(cancelled.status, VoucherStatus::Cancelled);
        let gone = wallet_get(&fourth.url).await;
        assert!(
            gone["reason"].as_str().unwrap().contains("cancelled"),
            "{gone}"
        );
        let twice = owner.cancel_voucher(&fourth.id).await.unwrap_err();
        assert_eq!(twice.code(), "lsp_conflict", "{twice}");

        // A voucher nobody claims expires after 10 s: its value returns, voucher.expired.
        let short = owner
            .create_vouchers(CreateVouchersRequest {
                expiry_secs: Some(10),
                ..CreateVouchersRequest::new(Msat::from_msat(1_000_000), "s23-short")
            })
            .await
            .unwrap();
        let expired = wait_voucher(&owner, &short.vouchers[0].id, VoucherStatus::Expired).await;
        assert!(expired.completed_at.is_some());
        let events = owner
            .list_events(ListEventsRequest::default())
            .await
            .unwrap()
            .items;
        assert!(events.iter().any(|e| matches!(&e.payload,
            EventPayload::VoucherExpired(v) if v.id == expired.id)));
        assert!(events.iter().any(|e| matches!(&e.payload,
            EventPayload::VoucherClaimed(v) if v.id == first.id)));

        // The money: the owner paid exactly the three claims and their fees, once each;
        // nothing stays set aside.
        let fees =
            first_payment.fee_msat.unwrap().as_u64() + second_payment.fee_msat.unwrap().as_u64();
        let after = owner.balance().await.unwrap();
        assert_eq!(after.reserved_msat, before.reserved_msat);
        assert_eq!(
            before.available_msat.as_u64() - after.available_msat.as_u64(),
            2_000_000 + 1_000_000 + 2_000_000 + fees
        );
    })
}

/// Polls stream `id` until `done` holds (30 s at most).
async fn stream_when(
    client: &support::Client,
    id: &str,
    what: &str,
    done: impl Fn(&etrid_core::lsp::LspStream) -> bool,
) -> etrid_core::lsp::LspStream {
    let deadline = std::time::Instant::now() + Duration::from_secs(30);
    loop {
        let s = client.get_stream(id).await.unwrap();
        if done(&s) {
            return s;
        }
        assert!(
            std::time::Instant::now() < deadline,
            "stream {id} never {what}: {s:?}"
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

#[test]
fn s24_a_stream_pays_its_rate_within_a_tick_pauses_resumes_stops_and_never_passes_its_budget() {
    use etrid_core::lsp::{CreateStreamRequest, PayoutDestination};
    use etrid_core::streaming::StreamState;
    use std::time::Instant;
    run(async {
        let h = harness().await;
        let (payer, payee) = (h.admin(7), h.admin(8));
        let payee_before = payee.balance().await.unwrap().available_msat.as_u64();
        let request = |rate: u64, budget: u64, key: &str| CreateStreamRequest {
            destination: PayoutDestination::Account {
                account_id: h.accounts[8].id.clone(),
            },
            rate_msat_per_sec: rate,
            budget_msat: Msat::from_msat(budget),
            tick_interval_ms: None,
            min_payment_msat: None,
            description: Some("S24 watch time".into()),
            idempotency_key: key.into(),
        };
        // Bad input moves nothing: paying itself; a minimum payment above the budget.
        let mut own = request(1_000, 10_000, "s24-own");
        own.destination = PayoutDestination::Account {
            account_id: h.accounts[7].id.clone(),
        };
        assert_eq!(
            payer.create_stream(own).await.unwrap_err().code(),
            "lsp_invalid_request"
        );
        let mut dust = request(1_000, 10_000, "s24-dust");
        dust.min_payment_msat = Some(Msat::from_msat(10_001));
        assert_eq!(
            payer.create_stream(dust).await.unwrap_err().code(),
            "lsp_invalid_request"
        );

        // 10 sat/s with a 45 sat budget: about 2 s, a pause, a resume, then the budget.
        let capped = payer
            .create_stream(request(10_000, 45_000, "s24-capped"))
            .await
            .unwrap();
        assert_eq!(capped.state, StreamState::Running);
        let again = payer
            .create_stream(request(10_000, 45_000, "s24-capped"))
            .await;
        assert_eq!(again.unwrap().id, capped.id);
        stream_when(&payer, &capped.id, "paid twice", |s| s.payments >= 2).await;
        // The game client holds the stream's own key: it reads, pauses and resumes this stream,
        // and can do nothing else.
        let key = payer.create_stream_key(&capped.id).await.unwrap();
        assert!(key.key.starts_with("etrid_sk_"));
        let game = h.client(&key.key);
        assert_eq!(game.get_stream(&capped.id).await.unwrap().id, capped.id);
        assert_eq!(game.balance().await.unwrap_err().code(), "lsp_unauthorized");
        let other = payer
            .create_stream(request(1_000, 1_000, "s24-other"))
            .await
            .unwrap();
        assert_eq!(
            game.pause_stream(&other.id).await.unwrap_err().code(),
            "lsp_unauthorized"
        );
        let paused = game.pause_stream(&capped.id).await.unwrap();
        assert_eq!(paused.state, StreamState::Paused);
        assert_eq!(
            payer.pause_stream(&capped.id).await.unwrap_err().code(),
            "lsp_conflict"
        );
        // Nothing accrues or is paid while paused (a payment in flight at the pause ends).
        tokio::time::sleep(Duration::from_millis(1_500)).await;
        let held = payer.get_stream(&capped.id).await.unwrap();
        tokio::time::sleep(Duration::from_millis(2_000)).await;
        let still = payer.get_stream(&capped.id).await.unwrap();
        assert_eq!(
            (still.paid_msat, still.active_ms),
            (held.paid_msat, held.active_ms)
        );
        game.resume_stream(&capped.id).await.unwrap();
        // A new key replaces the old one.
        let rotated = payer.create_stream_key(&capped.id).await.unwrap();
        assert_ne!(rotated.key, key.key);
        assert_eq!(
            game.get_stream(&capped.id).await.unwrap_err().code(),
            "lsp_unauthorized"
        );
        let done = stream_when(&payer, &capped.id, "finished", |s| {
            s.state == StreamState::Finished
        })
        .await;
        assert_eq!(
            done.paid_msat,
            Msat::from_msat(45_000),
            "exactly the budget"
        );
        assert_eq!(done.owed_msat, Msat::ZERO);
        assert!(done.ended_at.is_some());
        assert_eq!(
            payer.resume_stream(&capped.id).await.unwrap_err().code(),
            "lsp_conflict"
        );

        // 20 sat/s stopped after about 2.2 s: paid exactly what its running time earned,
        // min(R·T, B), T within the calls' bounds.
        let started = Instant::now();
        let stopped_stream = payer
            .create_stream(request(20_000, 10_000_000, "s24-stopped"))
            .await
            .unwrap();
        let created_after = started.elapsed();
        tokio::time::sleep(Duration::from_millis(2_200)).await;
        let before_stop = started.elapsed();
        payer.stop_stream(&stopped_stream.id).await.unwrap();
        let after_stop = started.elapsed();
        let end = stream_when(&payer, &stopped_stream.id, "finished", |s| {
            s.state == StreamState::Finished
        })
        .await;
        // The server counts whole milliseconds: 1 ms of slack either way.
        let t_ms = u128::from(end.active_ms);
        assert!(
            t_ms + created_after.as_millis() + 1 >= before_stop.as_millis()
                && t_ms <= after_stop.as_millis() + 1,
            "ran {t_ms} ms, stopped between {before_stop:?} and {after_stop:?}"
        );
        assert_eq!(end.paid_msat.as_u64(), end.active_ms * 20_000 / 1_000);
        assert_eq!(end.earned_msat, end.paid_msat);

        // The payee got exactly the streams' payments (the small one runs out its 1 sat).
        let small = stream_when(&payer, &other.id, "finished", |s| {
            s.state == StreamState::Finished
        })
        .await;
        assert_eq!(
            payee.balance().await.unwrap().available_msat.as_u64() - payee_before,
            45_000 + end.paid_msat.as_u64() + small.paid_msat.as_u64()
        );
    })
}
