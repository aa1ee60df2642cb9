//! End to end on the devnet: outgoing payments from LSP accounts through `LspClient` — an
//! external invoice (S13), multi-path both ways (S14), keysend with TLV records (S16), and an
//! invoice of another account of the same LSP, settled inside it (S21), and a Lightning Address
//! the LSP serves, paid through the SDK's LNURL flow and by a wallet (S22).
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod support;

use std::time::Duration;

use bitcoin::hashes::{sha256, Hash};
use etrid_core::amount::Msat;
use etrid_core::lnurl::{decode_lnurl, SuccessAction};
use etrid_core::lsp::{
    CreateInvoiceRequest, CreateLightningAddressRequest, CustomRecord, EventPayload, InvoiceStatus,
    KeysendRequest, LedgerEntryKind, ListEventsRequest, ListInvoicesRequest, ListLedgerRequest,
    ListPageRequest, NodeId, PayInvoiceRequest, PayLnurlRequest, PaymentFailureReason,
    PaymentStatus, WaitOutcome,
};
use etrid_devnet::nodes::{NodeError, PayRequest};
use support::{run, wait_payment, Harness};
use tokio::sync::OnceCell;

static HARNESS: OnceCell<Harness> = OnceCell::const_new();

/// The harness with its accounts funded and routes from the LSP to alice and bob known.
async fn harness() -> &'static Harness {
    HARNESS
        .get_or_init(|| async {
            // Accounts 3 and 4 are S21's alone, 5 and 6 S22's: tests run at once, and these
            // check balances exactly.
            let h = Harness::start(7).await;
            for i in 0..7 {
                h.fund_account(i, 150_000_000).await;
            }
            h.wait_route_to(0, "bob").await;
            h.wait_route_to(0, "alice").await;
            h
        })
        .await
}

#[test]
fn s13_pay_an_external_invoice_returns_preimage_and_fee_and_debits_once() {
    run(async {
        let h = harness().await;
        let admin = h.admin(1);
        let before = admin.balance().await.unwrap();
        let bolt11 = h.devnet_invoice("bob", Some(20_000_000));
        let req = PayInvoiceRequest {
            bolt11,
            idempotency_key: "s13-order-1".into(),
            ..PayInvoiceRequest::default()
        };
        let paid = admin
            .pay(admin.prepare_pay_invoice(req.clone()).unwrap())
            .await
            .unwrap();
        let done = wait_payment(&admin, &paid.id, Duration::from_secs(60)).await;
        assert_eq!(done.status, PaymentStatus::Succeeded, "{done:?}");
        let preimage = done.preimage.expect("preimage");
        assert_eq!(
            sha256::Hash::hash(preimage.as_bytes()).to_string(),
            done.payment_hash.to_string()
        );
        let fee = done.fee_msat.expect("fee").as_u64();
        assert!(fee <= done.max_fee_msat.as_u64());
        let after = admin.balance().await.unwrap();
        assert_eq!(
            after.available_msat.as_u64(),
            before.available_msat.as_u64() - 20_000_000 - fee
        );
        assert_eq!(after.reserved_msat.as_u64(), 0);
        // Retrying with the same key returns the same payment and pays nothing more.
        let again = admin
            .pay(admin.prepare_pay_invoice(req).unwrap())
            .await
            .unwrap();
        assert_eq!(again.id, done.id);
        assert_eq!(admin.balance().await.unwrap(), after);
        let ledger = admin
            .list_ledger(ListLedgerRequest::default())
            .await
            .unwrap();
        let of_payment: Vec<_> = ledger
            .items
            .iter()
            .filter(|e| e.reference_id == done.id)
            .map(|e| (e.kind, e.amount_msat.as_u64()))
            .collect();
        let reserved = 20_000_000 + done.max_fee_msat.as_u64();
        assert_eq!(of_payment.len(), 3, "{of_payment:?}");
        assert!(of_payment.contains(&(LedgerEntryKind::Reserve, reserved)));
        assert!(of_payment.contains(&(LedgerEntryKind::Release, reserved)));
        assert!(of_payment.contains(&(LedgerEntryKind::Debit, 20_000_000 + fee)));
        // Paying the same invoice again under a new key is a duplicate.
        let dup = PayInvoiceRequest {
            bolt11: done.bolt11.clone().unwrap(),
            idempotency_key: "s13-order-1-again".into(),
            ..PayInvoiceRequest::default()
        };
        let err = admin
            .pay(admin.prepare_pay_invoice(dup).unwrap())
            .await
            .unwrap_err();
        assert_eq!(err.code(), "lsp_duplicate_payment");
    });
}

/// The LSP's outbound capacity per channel, by counterparty.
async fn outbound(h: &Harness) -> Vec<(String, u64)> {
    let mut out: Vec<_> = h
        .admin(0)
        .list_channels()
        .await
        .unwrap()
        .items
        .into_iter()
        .map(|c| {
            (
                c.counterparty_node_id.to_string(),
                c.outbound_capacity_msat.as_u64(),
            )
        })
        .collect();
    out.sort();
    out
}

/// Polls the LSP's channels until `done(before, now)` holds (commitments settle a moment after
/// the payment events) or 15 s pass; returns the last reading.
async fn outbound_until(
    h: &Harness,
    before: &[(String, u64)],
    done: impl Fn(&[(String, u64)], &[(String, u64)]) -> bool,
) -> Vec<(String, u64)> {
    let deadline = std::time::Instant::now() + Duration::from_secs(15);
    loop {
        let now = outbound(h).await;
        if done(before, &now) || std::time::Instant::now() >= deadline {
            return now;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

fn grew(a: &[(String, u64)], b: &[(String, u64)]) -> usize {
    a.iter().zip(b).filter(|(x, y)| y.1 > x.1).count()
}

fn shrank(a: &[(String, u64)], b: &[(String, u64)]) -> usize {
    a.iter().zip(b).filter(|(x, y)| y.1 < x.1).count()
}

#[test]
fn s14_multi_path_payments_larger_than_any_channel_can_carry_succeed_in_parts() {
    run(async {
        let h = harness().await;
        let admin = h.admin(0);
        // What alice's largest channel can carry in one HTLC set (in-flight limits included).
        let largest = h
            .devnet
            .api()
            .node("alice")
            .unwrap()
            .node()
            .list_channels()
            .iter()
            .map(|c| c.next_outbound_htlc_limit_msat)
            .max()
            .unwrap();
        let amount = 300_000_000u64;
        assert!(
            amount > 200_000_000,
            "LDK's 10% in-flight limit makes each path carry ≤ 200k sat"
        );

        // Receiving: alice pays the LSP more than one path carries.
        let start = outbound(h).await;
        let inv = admin
            .create_invoice(CreateInvoiceRequest {
                amount_msat: Some(Msat::from_msat(amount)),
                description: Some("big prize pool".into()),
                ..CreateInvoiceRequest::default()
            })
            .await
            .unwrap();
        h.devnet_pay("alice", &inv.bolt11).await;
        assert!(matches!(
            admin
                .wait_for_payment(&inv.id, Duration::from_secs(30))
                .await
                .unwrap(),
            WaitOutcome::Paid(_)
        ));
        let mid = outbound_until(h, &start, |a, b| grew(a, b) >= 2).await;
        assert!(
            grew(&start, &mid) >= 2,
            "both router channels carried a part: {start:?} -> {mid:?}"
        );
        assert!(
            largest < amount,
            "no single channel could have taken {amount}"
        );

        // Single-path is refused for that size; multi-path pays it.
        let single = PayInvoiceRequest {
            bolt11: h.devnet_invoice("bob", Some(amount)),
            idempotency_key: "s14-single".into(),
            max_parts: Some(1),
            ..PayInvoiceRequest::default()
        };
        let p = admin.pay(admin.prepare_pay_invoice(single).unwrap()).await;
        if let Ok(p) = p {
            let done = wait_payment(&admin, &p.id, Duration::from_secs(60)).await;
            assert_eq!(
                done.status,
                PaymentStatus::Failed,
                "one part cannot carry it"
            );
            assert!(matches!(
                done.failure_reason,
                Some(PaymentFailureReason::RouteNotFound | PaymentFailureReason::RetriesExhausted)
            ));
        }
        let before = admin.balance().await.unwrap();
        assert_eq!(before.reserved_msat.as_u64(), 0);
        let one_channel = admin
            .liquidity()
            .await
            .unwrap()
            .largest_outbound_msat
            .as_u64();
        assert!(
            one_channel < amount,
            "no LSP channel can carry {amount} alone: {one_channel}"
        );
        let multi = PayInvoiceRequest {
            bolt11: h.devnet_invoice("bob", Some(amount)),
            idempotency_key: "s14-multi".into(),
            max_parts: Some(8),
            ..PayInvoiceRequest::default()
        };
        let p = admin
            .pay(admin.prepare_pay_invoice(multi).unwrap())
            .await
            .unwrap();
        let done = wait_payment(&admin, &p.id, Duration::from_secs(60)).await;
        assert_eq!(done.status, PaymentStatus::Succeeded, "{done:?}");
        let end = outbound_until(h, &mid, |a, b| shrank(a, b) >= 2).await;
        assert!(
            shrank(&mid, &end) >= 2,
            "both router channels carried a part: {mid:?} -> {end:?}"
        );
        let fee = done.fee_msat.unwrap().as_u64();
        assert_eq!(
            admin.balance().await.unwrap().available_msat.as_u64(),
            before.available_msat.as_u64() - amount - fee
        );
    });
}

#[test]
fn s16_keysend_with_custom_tlv_records_arrives_with_them() {
    run(async {
        let h = harness().await;
        let admin = h.admin(2);
        let alice = h.devnet.api().node("alice").unwrap().clone();
        let mut alice_events = alice.subscribe();
        let records = vec![
            CustomRecord {
                record_type: 65_537,
                value: "68656c6c6f".parse().unwrap(),
            },
            CustomRecord {
                record_type: 696_969,
                value: "0102ff".parse().unwrap(),
            },
        ];
        let prepared = admin
            .prepare_keysend(KeysendRequest {
                custom_records: records.clone(),
                ..KeysendRequest::new(
                    NodeId::from(alice.node_id()),
                    Msat::from_msat(7_000_000),
                    "s16-gift",
                )
            })
            .unwrap();
        let p = admin.keysend(prepared).await.unwrap();
        let done = wait_payment(&admin, &p.id, Duration::from_secs(60)).await;
        assert_eq!(done.status, PaymentStatus::Succeeded, "{done:?}");
        assert_eq!(done.custom_records, records);
        let deadline = tokio::time::Instant::now() + Duration::from_secs(30);
        loop {
            let ev = tokio::time::timeout_at(deadline, alice_events.recv())
                .await
                .expect("alice receives the keysend")
                .unwrap();
            if let ldk_node::Event::PaymentReceived {
                payment_hash,
                amount_msat,
                custom_records,
                ..
            } = ev
            {
                if payment_hash.to_string() != done.payment_hash.to_string() {
                    continue;
                }
                assert_eq!(amount_msat, 7_000_000);
                let got: Vec<(u64, Vec<u8>)> = custom_records
                    .iter()
                    .map(|r| (r.type_num, r.value.clone()))
                    .collect();
                assert!(got.contains(&(65_537, b"hello".to_vec())), "{got:?}");
                assert!(got.contains(&(696_969, vec![1, 2, 255])), "{got:?}");
                break;
            }
        }
    });
}

#[test]
fn s21_an_invoice_of_another_account_of_this_lsp_settles_inside_it_at_once_and_once() {
    run(async {
        let h = harness().await;
        let (payer, payee) = (h.admin(3), h.admin(4));
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
        let (owner, payer) = (h.admin(5), h.admin(6));
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
