//! Crash safety under payment load (issue 16): the LSP process is killed (SIGKILL) twenty times
//! while payments flow both ways, and restarted each time. No channel may close (LDK Node
//! writes each channel monitor only after the channel manager that knows of it), every payment
//! settles exactly once and is credited or debited exactly once, and a client following the
//! event stream across all twenty crashes receives every event once, in order.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod support;

use std::time::{Duration, Instant};

use etrid_core::amount::Msat;
use etrid_core::lsp::{
    ApiErrorCode, CreateInvoiceRequest, EventType, InvoiceStatus, LedgerEntry, LedgerEntryKind,
    LspError, PayInvoiceRequest, PaymentStatus,
};
use etrid_devnet::nodes::PayRequest;
use support::{all_events, all_ledger, run, Harness};

/// How many times the LSP is killed.
const KILLS: usize = 20;
/// Invoices of account 0 that alice pays at once in each round.
const INVOICES_PER_ROUND: usize = 25;
/// Payments account 1 makes to bob at once in each round.
const PAYMENTS_PER_ROUND: usize = 25;
const INVOICE_MSAT: u64 = 1_000_000;
const PAYMENT_MSAT: u64 = 1_000_000;

/// Waits until the LSP lists both of its channels usable again, and fails if it lists fewer
/// than two: a channel closed.
async fn wait_both_channels_usable(h: &Harness, round: usize) {
    let deadline = Instant::now() + Duration::from_secs(90);
    loop {
        if let Ok(list) = h.admin(0).list_channels().await {
            assert_eq!(
                list.items.len(),
                2,
                "round {round}: a channel closed after the crash: {list:?}\n{}",
                log_tail(h)
            );
            if list.items.iter().all(|c| c.is_usable) {
                return;
            }
        }
        assert!(
            Instant::now() < deadline,
            "round {round}: the channels did not come back:\n{}",
            log_tail(h)
        );
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
}

fn log_tail(h: &Harness) -> String {
    let log = support::read(&h.dir.path().join("lsp.stderr.log"));
    let lines: Vec<&str> = log.lines().collect();
    lines[lines.len().saturating_sub(40)..].join("\n")
}

fn sum(entries: &[LedgerEntry], kind: LedgerEntryKind, reference: Option<&str>) -> u64 {
    entries
        .iter()
        .filter(|e| e.kind == kind && reference.is_none_or(|r| e.reference_id == r))
        .map(|e| e.amount_msat.as_u64())
        .sum()
}

#[test]
fn twenty_kills_under_payment_load_close_no_channel_and_settle_everything_once() {
    run(async {
        let mut h = Harness::start(2).await;
        // LDK lets at most 10 % of a channel be in flight to the node: fund in parts.
        for _ in 0..4 {
            h.fund_account(1, 150_000_000).await;
        }
        h.wait_route_to(1, "bob").await;
        let funded_events = all_events(&h.admin(0)).await;
        assert!(funded_events.is_empty(), "account 0 starts with no events");

        // A client of account 0 following the event stream across every crash.
        let mut follower = h.admin(0).subscribe_events(Some(0));
        follower.connect().await.unwrap();

        let mut invoices = Vec::new(); // (id, alice's payment task)
        let mut payments = Vec::new(); // account 1's payment ids
        let mut refused = 0;
        let started = Instant::now();
        for round in 0..KILLS {
            for n in 0..INVOICES_PER_ROUND {
                let invoice = h
                    .admin(0)
                    .create_invoice(CreateInvoiceRequest {
                        amount_msat: Some(Msat::from_msat(INVOICE_MSAT)),
                        description: Some(format!("round {round} invoice {n}")),
                        ..CreateInvoiceRequest::default()
                    })
                    .await
                    .unwrap();
                let api = h.devnet.api().clone();
                let bolt11 = invoice.bolt11.clone();
                let paying = tokio::spawn(async move {
                    api.pay_invoice(
                        "alice",
                        &PayRequest {
                            invoice: bolt11,
                            amount_msat: None,
                            timeout_secs: Some(180),
                        },
                    )
                    .await
                });
                invoices.push((invoice.id, paying));
            }
            for n in 0..PAYMENTS_PER_ROUND {
                let admin = h.admin(1);
                let prepared = admin
                    .prepare_pay_invoice(PayInvoiceRequest {
                        bolt11: h.devnet_invoice("bob", Some(PAYMENT_MSAT)),
                        idempotency_key: format!("crash-{round}-{n}"),
                        ..PayInvoiceRequest::default()
                    })
                    .unwrap();
                match admin.pay(prepared).await {
                    Ok(payment) => payments.push(payment.id),
                    // Right after a restart the node may find no route yet and refuse at once:
                    // nothing moved (the ledger checks below cover it).
                    Err(LspError::Api {
                        code: ApiErrorCode::PaymentFailed,
                        ..
                    }) => refused += 1,
                    Err(e) => panic!("round {round}: paying bob: {e}"),
                }
            }
            // Kill at a different moment of the flow each round: 100 ms to 1.1 s in.
            let delay = 100 + (round as u64 * 397) % 1000;
            tokio::time::sleep(Duration::from_millis(delay)).await;
            h.kill_lsp();
            let killed = Instant::now();
            h.spawn_lsp();
            let ready = killed.elapsed();
            wait_both_channels_usable(&h, round).await;
            eprintln!(
                "kill {} at {delay} ms: ready in {:.1} s, both channels usable in {:.1} s \
                 ({:.1} s in)",
                round + 1,
                ready.as_secs_f64(),
                killed.elapsed().as_secs_f64(),
                started.elapsed().as_secs_f64()
            );
        }

        // Every payment of alice ends, and the LSP settled exactly those it credited.
        let mut paid_total = 0;
        for (id, paying) in invoices {
            let alice_paid = paying.await.unwrap().is_ok();
            let deadline = Instant::now() + Duration::from_secs(30);
            let invoice = loop {
                let invoice = h.admin(0).get_invoice(&id).await.unwrap();
                if invoice.status == InvoiceStatus::Paid || !alice_paid {
                    break invoice;
                }
                assert!(
                    Instant::now() < deadline,
                    "{id}: alice paid, never credited"
                );
                tokio::time::sleep(Duration::from_millis(200)).await;
            };
            assert_eq!(
                invoice.status == InvoiceStatus::Paid,
                alice_paid,
                "{id}: credited if and only if alice's payment succeeded: {invoice:?}"
            );
            if alice_paid {
                paid_total += INVOICE_MSAT;
            }
        }
        assert!(paid_total > 0, "some invoices were paid");

        // Every payment of account 1 ends (no channel closed: no HTLC waits for a timeout).
        let deadline = Instant::now() + Duration::from_secs(120);
        let mut outcomes = Vec::new();
        for id in &payments {
            let payment = loop {
                let payment = h.admin(1).get_payment(id).await.unwrap();
                if payment.status != PaymentStatus::Pending {
                    break payment;
                }
                assert!(Instant::now() < deadline, "{id} still pending: {payment:?}");
                tokio::time::sleep(Duration::from_millis(200)).await;
            };
            outcomes.push(payment);
        }

        // Account 0: credited exactly what alice paid, one invoice.paid per paid invoice.
        let ledger = all_ledger(&h.admin(0)).await;
        assert_eq!(sum(&ledger, LedgerEntryKind::Credit, None), paid_total);
        let balance = h.admin(0).balance().await.unwrap();
        assert_eq!(balance.available_msat.as_u64(), paid_total);
        let events = all_events(&h.admin(0)).await;
        let paid_events = events
            .iter()
            .filter(|e| e.event_type() == EventType::InvoicePaid)
            .count();
        assert_eq!(
            paid_events as u64 * INVOICE_MSAT,
            paid_total,
            "one invoice.paid per paid invoice"
        );

        // Account 1: each payment debited once if it succeeded, released if it failed.
        let ledger = all_ledger(&h.admin(1)).await;
        let events = all_events(&h.admin(1)).await;
        for payment in &outcomes {
            let id = payment.id.as_str();
            let outcome_events = events
                .iter()
                .filter(|e| e.payment().is_some_and(|p| p.id == id))
                .filter(|e| {
                    matches!(
                        e.event_type(),
                        EventType::PaymentSucceeded | EventType::PaymentFailed
                    )
                })
                .count();
            assert_eq!(outcome_events, 1, "{id}: one outcome event");
            let reserved = sum(&ledger, LedgerEntryKind::Reserve, Some(id));
            assert_eq!(reserved, sum(&ledger, LedgerEntryKind::Release, Some(id)));
            let debited = sum(&ledger, LedgerEntryKind::Debit, Some(id));
            match payment.status {
                PaymentStatus::Succeeded => assert_eq!(
                    debited,
                    PAYMENT_MSAT + payment.fee_msat.unwrap().as_u64(),
                    "{id}: debited once"
                ),
                _ => assert_eq!(debited, 0, "{id}: failed, nothing debited"),
            }
        }
        let balance = h.admin(1).balance().await.unwrap();
        assert_eq!(balance.reserved_msat.as_u64(), 0);
        assert_eq!(
            balance.available_msat.as_u64(),
            sum(&ledger, LedgerEntryKind::Credit, None)
                - sum(&ledger, LedgerEntryKind::Debit, None)
        );

        // The follower, reconnecting by itself after each crash, saw every stored event once.
        let stored: Vec<u64> = all_events(&h.admin(0)).await.iter().map(|e| e.id).collect();
        let mut followed = Vec::new();
        while followed.len() < stored.len() {
            let event = tokio::time::timeout(Duration::from_secs(90), follower.next())
                .await
                .expect("the follower keeps up after the crashes")
                .expect("the follower reconnects by itself");
            followed.push(event.id);
        }
        assert_eq!(followed, stored, "nothing missed, nothing repeated");
        follower.close().await;
        eprintln!(
            "{KILLS} kills: 2 channels open throughout; {} of {} invoices paid, {} of {} \
             payments succeeded, {refused} refused at once",
            paid_total / INVOICE_MSAT,
            KILLS * INVOICES_PER_ROUND,
            outcomes
                .iter()
                .filter(|p| p.status == PaymentStatus::Succeeded)
                .count(),
            outcomes.len()
        );
    });
}
