//! End to end on the devnet: outgoing payments from LSP accounts through `LspClient` — an
//! external invoice (S13), multi-path both ways (S14), keysend with TLV records (S16). The
//! payment flows between accounts and to Lightning Addresses are in `e2e_flows/`.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod support;

use std::time::Duration;

use bitcoin::hashes::{sha256, Hash};
use etrid_core::amount::Msat;
use etrid_core::lsp::{
    CreateInvoiceRequest, CustomRecord, KeysendRequest, LedgerEntryKind, ListLedgerRequest, NodeId,
    PayInvoiceRequest, PaymentFailureReason, PaymentStatus, WaitOutcome,
};
use support::{run, wait_payment, Harness};
use tokio::sync::OnceCell;

static HARNESS: OnceCell<Harness> = OnceCell::const_new();

/// The harness with its accounts funded and routes from the LSP to alice and bob known.
async fn harness() -> &'static Harness {
    HARNESS
        .get_or_init(|| async {
            let h = Harness::start(3).await;
            for i in 0..3 {
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
fn s24_a_stream_to_a_node_pays_by_keysend_with_its_id_and_sequence_as_tlvs() {
    use etrid_core::lsp::{
        CreateStreamRequest, PayoutDestination, STREAM_ID_RECORD_TYPE, STREAM_SEQUENCE_RECORD_TYPE,
    };
    use etrid_core::streaming::StreamState;
    run(async {
        let h = harness().await;
        let admin = h.admin(2);
        let alice = h.devnet.api().node("alice").unwrap().clone();
        let mut alice_events = alice.subscribe();
        let stream = admin
            .create_stream(CreateStreamRequest {
                destination: PayoutDestination::Keysend {
                    node_id: NodeId::from(alice.node_id()),
                },
                rate_msat_per_sec: 1_000_000,
                budget_msat: Msat::from_msat(2_500_000),
                tick_interval_ms: None,
                min_payment_msat: None,
                description: None,
                idempotency_key: "s24-keysend".into(),
            })
            .await
            .unwrap();
        // Alice receives the stream's payments, each naming the stream and its sequence.
        let mut sequences = Vec::new();
        let mut received = 0;
        let deadline = tokio::time::Instant::now() + Duration::from_secs(60);
        while received < 2_500_000 {
            let ev = tokio::time::timeout_at(deadline, alice_events.recv())
                .await
                .expect("alice receives the stream's payments")
                .unwrap();
            if let ldk_node::Event::PaymentReceived {
                amount_msat,
                custom_records,
                ..
            } = ev
            {
                let field = |t: u64| {
                    custom_records
                        .iter()
                        .find(|r| r.type_num == t)
                        .map(|r| r.value.clone())
                };
                let Some(id) = field(STREAM_ID_RECORD_TYPE) else {
                    continue; // another test's payment
                };
                if id != stream.id.as_bytes() {
                    continue;
                }
                let sequence = field(STREAM_SEQUENCE_RECORD_TYPE).expect("the sequence");
                sequences.push(u64::from_be_bytes(sequence.try_into().unwrap()));
                received += amount_msat;
            }
        }
        assert_eq!(received, 2_500_000, "exactly the budget");
        assert_eq!(sequences, (1..=sequences.len() as u64).collect::<Vec<_>>());
        let deadline = tokio::time::Instant::now() + Duration::from_secs(30);
        loop {
            let s = admin.get_stream(&stream.id).await.unwrap();
            if s.state == StreamState::Finished {
                assert_eq!(s.paid_msat, Msat::from_msat(2_500_000));
                assert_eq!(s.payments, sequences.len() as u64);
                break;
            }
            assert!(tokio::time::Instant::now() < deadline, "{s:?}");
            tokio::time::sleep(Duration::from_millis(200)).await;
        }
    });
}
