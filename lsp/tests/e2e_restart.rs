//! The LSP killed (SIGKILL) and restarted mid-flow loses nothing: a pending invoice is still
//! payable and credited once, a payment in flight settles once, the ledger adds up, and the
//! event stream resumed from the last id misses nothing. And a test process that ends leaves
//! no LSP and no state behind.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod support;

use std::time::{Duration, Instant};

use etrid_core::amount::Msat;
use etrid_core::lsp::{
    CreateInvoiceRequest, EventType, LedgerEntryKind, ListEventsRequest, ListLedgerRequest,
    PayInvoiceRequest, PaymentStatus,
};
use support::{run, wait_payment, Harness};

async fn wait_channels_usable(h: &Harness) {
    let deadline = Instant::now() + Duration::from_secs(60);
    loop {
        if let Ok(list) = h.admin(0).list_channels().await {
            // SIGKILL can leave LDK's channel manager behind its monitors; LDK then force-closes
            // the affected channel on start (funds stay safe on chain). One usable is enough.
            if list.items.iter().any(|c| c.is_usable) {
                return;
            }
        }
        if Instant::now() >= deadline {
            let log = support::read(&h.dir.path().join("lsp.stderr.log"));
            let tail: String = log.lines().rev().take(40).collect::<Vec<_>>().join("\n");
            panic!(
                "channels did not come back after the restart: {:?}\nlog (last lines first):\n{tail}",
                h.admin(0).list_channels().await
            );
        }
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
}

#[test]
fn lsp_killed_mid_flow_and_restarted_loses_nothing() {
    run(async {
        let mut h = Harness::start(1).await;
        h.fund_account(0, 100_000_000).await;
        h.wait_route_to(0, "bob").await;
        let admin = h.admin(0);
        let last_event = admin
            .list_events(ListEventsRequest::default())
            .await
            .unwrap()
            .items
            .last()
            .map(|e| e.id)
            .unwrap();

        // A pending invoice and a payment in flight when the process dies.
        let pending = admin
            .create_invoice(CreateInvoiceRequest {
                amount_msat: Some(Msat::from_msat(12_000_000)),
                description: Some("survives a crash".into()),
                ..CreateInvoiceRequest::default()
            })
            .await
            .unwrap();
        let bolt11 = h.devnet_invoice("bob", Some(25_000_000));
        let paying = admin
            .pay(
                admin
                    .prepare_pay_invoice(PayInvoiceRequest {
                        bolt11,
                        idempotency_key: "in-flight".into(),
                        ..PayInvoiceRequest::default()
                    })
                    .unwrap(),
            )
            .await
            .unwrap();
        // A client following events across the crash: it reconnects and resumes by itself.
        let mut follower = admin.subscribe_events(Some(last_event));
        follower.connect().await.unwrap();
        h.kill_lsp();
        h.spawn_lsp();
        wait_channels_usable(&h).await;
        let admin = h.admin(0);

        // The payment in flight settles at most once. If LDK's channel manager had not
        // persisted it when the process died, LDK force-closes that channel on start and the
        // HTLC resolves on chain, or never reached the node: then it stays pending with its
        // reservation intact (nothing debited, nothing released), which is the safe state.
        let deadline = Instant::now() + Duration::from_secs(45);
        let done = loop {
            let p = admin.get_payment(&paying.id).await.unwrap();
            if p.status != PaymentStatus::Pending || Instant::now() >= deadline {
                break p;
            }
            h.devnet.api().mine(1).await.unwrap();
            tokio::time::sleep(Duration::from_millis(500)).await;
        };
        // The pending invoice is still payable and credited once.
        let mut attempts = 0;
        while admin.get_invoice(&pending.id).await.unwrap().status
            != etrid_core::lsp::InvoiceStatus::Paid
        {
            attempts += 1;
            assert!(attempts <= 20, "invoice not payable after the restart");
            let paid = h
                .devnet
                .api()
                .pay_invoice(
                    "alice",
                    &etrid_devnet::nodes::PayRequest {
                        invoice: pending.bolt11.clone(),
                        amount_msat: None,
                        timeout_secs: Some(30),
                    },
                )
                .await;
            if paid.is_err() {
                h.devnet.api().mine(1).await.unwrap();
                tokio::time::sleep(Duration::from_secs(1)).await;
            }
        }
        let _ = wait_payment;

        // Ledger intact: available = credits - debits, nothing reserved.
        let balance = admin.balance().await.unwrap();
        let mut entries = Vec::new();
        let mut cursor = None;
        loop {
            let page = admin
                .list_ledger(ListLedgerRequest {
                    cursor: cursor.clone(),
                    limit: Some(100),
                    ..ListLedgerRequest::default()
                })
                .await
                .unwrap();
            entries.extend(page.items);
            match page.next_cursor {
                Some(c) => cursor = Some(c),
                None => break,
            }
        }
        let sum = |k: LedgerEntryKind| -> i128 {
            entries
                .iter()
                .filter(|e| e.kind == k)
                .map(|e| i128::from(e.amount_msat.as_u64()))
                .sum()
        };
        let computed = sum(LedgerEntryKind::Credit)
            - sum(LedgerEntryKind::Debit)
            - sum(LedgerEntryKind::Reserve)
            + sum(LedgerEntryKind::Release);
        assert_eq!(computed, i128::from(balance.available_msat.as_u64()));
        let of_payment = |k: LedgerEntryKind| {
            entries
                .iter()
                .filter(|e| e.kind == k && e.reference_id == paying.id)
                .map(|e| e.amount_msat.as_u64())
                .collect::<Vec<_>>()
        };
        let reserved = 25_000_000 + done.max_fee_msat.as_u64();
        assert_eq!(of_payment(LedgerEntryKind::Reserve), vec![reserved]);
        match done.status {
            PaymentStatus::Succeeded => {
                let fee = done.fee_msat.unwrap().as_u64();
                assert_eq!(of_payment(LedgerEntryKind::Release), vec![reserved]);
                assert_eq!(of_payment(LedgerEntryKind::Debit), vec![25_000_000 + fee]);
                assert_eq!(balance.reserved_msat.as_u64(), 0);
            }
            PaymentStatus::Failed => {
                assert_eq!(of_payment(LedgerEntryKind::Release), vec![reserved]);
                assert!(of_payment(LedgerEntryKind::Debit).is_empty());
                assert_eq!(balance.reserved_msat.as_u64(), 0);
            }
            PaymentStatus::Pending => {
                eprintln!("the payment in flight is still pending after the crash (reserved)");
                assert!(of_payment(LedgerEntryKind::Release).is_empty());
                assert!(of_payment(LedgerEntryKind::Debit).is_empty());
                assert_eq!(balance.reserved_msat.as_u64(), reserved);
            }
        }

        let events = admin
            .list_events(ListEventsRequest {
                after: Some(last_event),
                limit: Some(1000),
            })
            .await
            .unwrap()
            .items;

        // The follower, reconnected on its own, saw exactly the stored events after its cursor.
        let stored: Vec<u64> = events.iter().map(|e| e.id).collect();
        let mut followed = Vec::new();
        while followed.len() < stored.len() {
            let ev = tokio::time::timeout(Duration::from_secs(90), follower.next())
                .await
                .expect("the follower resumes after the restart")
                .expect("the follower reconnects by itself");
            followed.push(ev.id);
        }
        assert_eq!(followed, stored, "nothing missed, nothing repeated");
        follower.close().await;

        // No event lost or repeated across the crash.
        let count = |ty: EventType, id: &str| {
            events
                .iter()
                .filter(|e| {
                    e.event_type() == ty
                        && (e.invoice().is_some_and(|i| i.id == id)
                            || e.payment().is_some_and(|p| p.id == id))
                })
                .count()
        };
        let outcome_events = count(EventType::PaymentSucceeded, &paying.id)
            + count(EventType::PaymentFailed, &paying.id);
        let expected = usize::from(done.status != PaymentStatus::Pending);
        assert_eq!(outcome_events, expected, "{events:?}");
        assert_eq!(count(EventType::InvoicePaid, &pending.id), 1, "{events:?}");
        let ids: Vec<u64> = events.iter().map(|e| e.id).collect();
        assert!(ids.windows(2).all(|w| w[0] < w[1]));
    });
}

/// The end-to-end binaries keep one harness per binary in a static, which is never dropped:
/// the LSP child and its state directory must still go when the test process ends, however it
/// ends. The closed pipes stand for that end here.
#[test]
fn the_lsp_and_its_state_go_when_the_test_process_ends() {
    run(async {
        let mut h = Harness::start(0).await;
        let dir = h.dir.path().to_owned();
        assert!(dir.join("lsp").exists());
        h.close_lsp_stdin();
        let deadline = Instant::now() + Duration::from_secs(30);
        while !h.lsp_exited() {
            assert!(
                Instant::now() < deadline,
                "the LSP outlived its closed stdin"
            );
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        h.close_reaper();
        let deadline = Instant::now() + Duration::from_secs(30);
        while dir.exists() {
            assert!(
                Instant::now() < deadline,
                "{} outlived the reaper",
                dir.display()
            );
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
    });
}
