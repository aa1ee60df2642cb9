//! Repository tests against a real SQLite file (and PostgreSQL when `ETRID_TEST_POSTGRES_URL`
//! names a database): the money rules hold under replays and races.

use etrid_core::amount::Msat;
use etrid_core::lsp::{
    ApiErrorCode, ApiKeyScope, EventType, InvoiceKind, InvoiceStatus, NodeId, PaymentFailureReason,
    PaymentHash, PaymentKind, PaymentStatus, Preimage, VoucherStatus,
};

use super::*;
use crate::db::Db;
use crate::error::ServerError;

/// The API code a store error is answered with.
fn code(e: StoreError) -> ApiErrorCode {
    ServerError::from(e).code()
}

/// A fresh random payment hash.
fn random_hash() -> PaymentHash {
    PaymentHash::from_bytes(crate::ids::random_bytes::<32>().unwrap())
}

async fn stores() -> Vec<(Store, Option<tempfile::TempDir>)> {
    let dir = tempfile::tempdir().unwrap();
    let url = format!("sqlite://{}", dir.path().join("t.sqlite").display());
    let mut out = vec![(Store::new(Db::open(&url).await.unwrap()), Some(dir))];
    let pg = std::env::var("ETRID_TEST_POSTGRES_URL").ok();
    assert!(
        pg.is_some() || std::env::var_os("ETRID_REQUIRE_POSTGRES").is_none(),
        "ETRID_REQUIRE_POSTGRES is set but ETRID_TEST_POSTGRES_URL is not"
    );
    if let Some(pg) = pg {
        // Each test gets its own schema, so tests run in parallel on one database.
        let schema = crate::ids::new_id("t").unwrap().to_ascii_lowercase();
        let (client, conn) = tokio_postgres::connect(&pg, tokio_postgres::NoTls)
            .await
            .unwrap();
        tokio::spawn(conn);
        client
            .batch_execute(&format!("CREATE SCHEMA {schema}"))
            .await
            .unwrap();
        let url = format!("{pg}?options=-c%20search_path%3D{schema}");
        out.push((Store::new(Db::open(&url).await.unwrap()), None));
    }
    out
}

fn new_invoice(account: &str, hash: PaymentHash, external_id: Option<&str>) -> NewInvoice {
    NewInvoice {
        account_id: account.into(),
        kind: InvoiceKind::Standard,
        bolt11: format!("lnbcrt{hash}"),
        payment_hash: hash,
        preimage: Some(Preimage::from_bytes([0; 32])),
        amount_msat: Some(5_000),
        description: Some("coffee".into()),
        description_hash: None,
        external_id: external_id.map(str::to_owned),
        metadata: None,
        fingerprint: "fp".into(),
        expires_at: crate::time::now_secs() + 3600,
    }
}

fn new_payment(account: &str, key: &str, amount: u64) -> NewPayment {
    NewPayment {
        account_id: account.into(),
        kind: PaymentKind::Bolt11,
        amount_msat: amount,
        max_fee_msat: 100,
        payment_hash: random_hash(),
        preimage: None,
        destination: "0279be667ef9dcbbac55a06295ce870b07029bfcdb2dce28d959f2815b16f81798"
            .parse::<NodeId>()
            .unwrap(),
        bolt11: None,
        idempotency_key: key.into(),
        fingerprint: "fp".into(),
        custom_records: vec![],
        ldk_payment_id: crate::ids::new_id("ldk").unwrap(),
        voucher: None,
    }
}

#[tokio::test]
async fn credit_once_reserve_settle_and_release() {
    for (store, _dir) in stores().await {
        let (acct, key) = store.create_account("t").await.unwrap();
        let ctx = store.authenticate(&key.key).await.unwrap();
        assert_eq!(ctx.account_id, acct.id);
        assert_eq!(ctx.scope, ApiKeyScope::Admin);
        let mut live = store.subscribe();

        let hash = random_hash();
        let Inserted::Created(inv) = store
            .insert_invoice(new_invoice(&acct.id, hash, Some("ext-1")))
            .await
            .unwrap()
        else {
            panic!("expected a new invoice")
        };
        // Idempotent create returns the first.
        let Inserted::Existing(again) = store
            .insert_invoice(new_invoice(&acct.id, random_hash(), Some("ext-1")))
            .await
            .unwrap()
        else {
            panic!("expected the existing invoice")
        };
        assert_eq!(again.invoice.id, inv.invoice.id);

        // Paid twice (a replayed node event): credited once, one event.
        assert!(store.mark_paid(&inv, 5_000, None).await.unwrap().is_some());
        assert!(store.mark_paid(&inv, 5_000, None).await.unwrap().is_none());
        assert_eq!(
            store
                .balance(&acct.id)
                .await
                .unwrap()
                .available_msat
                .as_u64(),
            5_000
        );
        let ev = live.recv().await.unwrap();
        assert_eq!(ev.event.event_type(), EventType::InvoicePaid);
        assert!(store.mark_cancelled(&inv).await.unwrap().is_none());

        // Beyond the balance: refused, nothing reserved.
        let err = store
            .reserve_payment(new_payment(&acct.id, "k0", 4_901))
            .await
            .unwrap_err();
        assert_eq!(code(err), ApiErrorCode::InsufficientBalance);
        assert_eq!(
            store
                .balance(&acct.id)
                .await
                .unwrap()
                .reserved_msat
                .as_u64(),
            0
        );

        // Reserve 3000 + 100; settle with a 40 msat fee, twice.
        let Reserved::Created(pay) = store
            .reserve_payment(new_payment(&acct.id, "k1", 3_000))
            .await
            .unwrap()
        else {
            panic!("expected a new payment")
        };
        let b = store.balance(&acct.id).await.unwrap();
        assert_eq!(
            (b.available_msat.as_u64(), b.reserved_msat.as_u64()),
            (1_900, 3_100)
        );
        let Reserved::Existing(same) = store
            .reserve_payment(new_payment(&acct.id, "k1", 3_000))
            .await
            .unwrap()
        else {
            panic!("expected the existing payment")
        };
        assert_eq!(same.payment.id, pay.payment.id);
        let ok = PaymentOutcome::Succeeded {
            fee_msat: 40,
            preimage: Some(Preimage::from_bytes([0x11; 32])),
        };
        assert!(store
            .complete_payment(&pay, ok.clone())
            .await
            .unwrap()
            .is_some());
        assert!(store.complete_payment(&pay, ok).await.unwrap().is_none());
        let failed = PaymentOutcome::Failed {
            reason: PaymentFailureReason::RouteNotFound,
        };
        assert!(store
            .complete_payment(&pay, failed.clone())
            .await
            .unwrap()
            .is_none());
        let b = store.balance(&acct.id).await.unwrap();
        assert_eq!(
            (b.available_msat.as_u64(), b.reserved_msat.as_u64()),
            (1_960, 0)
        );

        // A failed payment releases its reservation.
        let Reserved::Created(p2) = store
            .reserve_payment(new_payment(&acct.id, "k2", 1_000))
            .await
            .unwrap()
        else {
            panic!("expected a new payment")
        };
        assert!(store.complete_payment(&p2, failed).await.unwrap().is_some());
        let b = store.balance(&acct.id).await.unwrap();
        assert_eq!(
            (b.available_msat.as_u64(), b.reserved_msat.as_u64()),
            (1_960, 0)
        );
        assert_eq!(store.ledger_available(&acct.id).await.unwrap(), 1_960);

        // Events list in id order; resume after the first.
        let (events, more) = store.list_events(&acct.id, None, 10).await.unwrap();
        assert_eq!(events.len(), 3);
        assert!(!more);
        let (rest, _) = store
            .list_events(&acct.id, Some(events[0].id), 10)
            .await
            .unwrap();
        assert_eq!(rest.len(), 2);
    }
}

#[tokio::test]
async fn accounts_are_isolated_and_keys_revoke_at_once() {
    for (store, _dir) in stores().await {
        let (a, a_admin) = store.create_account("a").await.unwrap();
        let (b, _) = store.create_account("b").await.unwrap();
        let hash = random_hash();
        let Inserted::Created(inv) = store
            .insert_invoice(new_invoice(&a.id, hash, None))
            .await
            .unwrap()
        else {
            panic!()
        };
        assert_eq!(
            code(store.invoice(&b.id, &inv.invoice.id).await.unwrap_err()),
            ApiErrorCode::NotFound
        );
        let filter = ListFilter {
            limit: 10,
            ..ListFilter::default()
        };
        assert!(store
            .list_invoices(&b.id, &filter)
            .await
            .unwrap()
            .0
            .is_empty());
        assert_eq!(
            store.list_invoices(&a.id, &filter).await.unwrap().0.len(),
            1
        );

        // The last admin key cannot be revoked; an invoice key can, at once.
        let err = store.revoke_key(&a.id, &a_admin.id).await.unwrap_err();
        assert_eq!(code(err), ApiErrorCode::Conflict);
        let inv_key = store
            .create_key(&a.id, ApiKeyScope::Invoice, "game")
            .await
            .unwrap();
        store.authenticate(&inv_key.key).await.unwrap();
        store.revoke_key(&a.id, &inv_key.id).await.unwrap();
        assert_eq!(
            code(store.authenticate(&inv_key.key).await.unwrap_err()),
            ApiErrorCode::Unauthorized
        );
        assert_eq!(
            code(store.revoke_key(&b.id, &inv_key.id).await.unwrap_err()),
            ApiErrorCode::NotFound
        );
    }
}

#[tokio::test]
async fn list_pages_newest_first_without_gaps() {
    for (store, _dir) in stores().await {
        let (a, _) = store.create_account("a").await.unwrap();
        for _ in 0..7 {
            let hash = random_hash();
            store
                .insert_invoice(new_invoice(&a.id, hash, None))
                .await
                .unwrap();
        }
        let mut seen = Vec::new();
        let mut cursor = None;
        loop {
            let filter = ListFilter {
                limit: 3,
                cursor: cursor
                    .as_deref()
                    .map(|c| Cursor::decode(c, "inv"))
                    .transpose()
                    .unwrap(),
                ..ListFilter::default()
            };
            let (items, next) = store.list_invoices(&a.id, &filter).await.unwrap();
            seen.extend(items.into_iter().map(|i| i.id));
            match next {
                Some(n) => cursor = Some(n),
                None => break,
            }
        }
        assert_eq!(seen.len(), 7);
        let mut unique = seen.clone();
        unique.sort();
        unique.dedup();
        assert_eq!(unique.len(), 7);
    }
}

/// An account with `amount` credited through a paid invoice.
async fn funded_account(store: &Store, label: &str, amount: u64) -> String {
    let (acct, _) = store.create_account(label).await.unwrap();
    let mut invoice = new_invoice(&acct.id, random_hash(), None);
    invoice.amount_msat = Some(amount);
    let Inserted::Created(rec) = store.insert_invoice(invoice).await.unwrap() else {
        panic!("expected a new invoice")
    };
    store.mark_paid(&rec, amount, None).await.unwrap().unwrap();
    acct.id
}

/// A payment of `invoice` from `payer` under `key`.
fn internal_payment(payer: &str, key: &str, invoice: &InvoiceRecord) -> NewPayment {
    NewPayment {
        payment_hash: invoice.invoice.payment_hash,
        amount_msat: invoice.invoice.amount_msat.unwrap().as_u64(),
        bolt11: Some(invoice.invoice.bolt11.clone()),
        ..new_payment(payer, key, 0)
    }
}

#[tokio::test]
async fn s21_an_internal_payment_settles_once_under_concurrency_with_both_sides_agreeing() {
    for (store, _dir) in stores().await {
        let (payee, _) = store.create_account("payee").await.unwrap();
        let mut payers = Vec::new();
        for i in 0..12 {
            payers.push(funded_account(&store, &format!("payer-{i}"), 50_000).await);
        }
        let Inserted::Created(invoice) = store
            .insert_invoice(new_invoice(&payee.id, random_hash(), None))
            .await
            .unwrap()
        else {
            panic!("expected a new invoice")
        };
        let mut live = store.subscribe();
        // Every payer tries at once: exactly one pays.
        let attempts = payers.iter().map(|payer| {
            let store = store.clone();
            let new = internal_payment(payer, "s21", &invoice);
            let invoice = invoice.clone();
            tokio::spawn(async move { store.pay_internally(new, &invoice).await })
        });
        let mut settled = Vec::new();
        for attempt in attempts.collect::<Vec<_>>() {
            match attempt.await.unwrap() {
                Ok(Transfer::Settled { payment, invoice }) => settled.push((*payment, *invoice)),
                Ok(Transfer::Existing(_)) => panic!("no payer used its key twice"),
                Ok(Transfer::Held { .. }) => panic!("a standard invoice is never held"),
                Err(StoreError::InvoiceNotPayable { reason }) => {
                    assert_eq!(reason, "the invoice is already paid")
                }
                Err(other) => panic!("unexpected refusal: {other:?}"),
            }
        }
        assert_eq!(settled.len(), 1, "exactly one payer paid");
        let (payment, paid) = settled.pop().unwrap();
        assert!(payment.internal);
        assert_eq!(payment.fee_msat, Some(Msat::ZERO));
        assert_eq!(payment.preimage, invoice.preimage);
        assert_eq!(paid.status, InvoiceStatus::Paid);
        assert_eq!(paid.amount_received_msat, Some(Msat::from_msat(5_000)));
        let mut balances = Vec::new();
        for payer in &payers {
            balances.push(store.balance(payer).await.unwrap().available_msat.as_u64());
        }
        assert_eq!(
            balances.iter().filter(|b| **b == 45_000).count(),
            1,
            "{balances:?}"
        );
        assert_eq!(
            balances.iter().filter(|b| **b == 50_000).count(),
            11,
            "{balances:?}"
        );
        assert_eq!(
            store
                .balance(&payee.id)
                .await
                .unwrap()
                .available_msat
                .as_u64(),
            5_000
        );
        // Both events, committed together: the payer's, then the payee's.
        let first = live.recv().await.unwrap();
        let second = live.recv().await.unwrap();
        assert_eq!(first.event.event_type(), EventType::PaymentSucceeded);
        assert_eq!(second.event.event_type(), EventType::InvoicePaid);
        assert_eq!(second.account_id, payee.id);
        assert!(second.event.id > first.event.id);
        // The winner's retry with its key is that payment; nothing moves again.
        let winner = first.account_id.clone();
        let again = store
            .pay_internally(internal_payment(&winner, "s21", &invoice), &invoice)
            .await;
        match again {
            Err(StoreError::InvoiceNotPayable { .. }) => {}
            other => panic!("a second internal payment of a paid invoice: {other:?}"),
        }
        assert_eq!(
            store
                .balance(&winner)
                .await
                .unwrap()
                .available_msat
                .as_u64(),
            45_000
        );
    }
}

#[tokio::test]
async fn s21_internal_payments_refuse_what_they_cannot_do_and_change_nothing() {
    for (store, _dir) in stores().await {
        let payer = funded_account(&store, "payer", 3_000).await;
        let (payee, _) = store.create_account("payee").await.unwrap();
        let Inserted::Created(invoice) = store
            .insert_invoice(new_invoice(&payee.id, random_hash(), None))
            .await
            .unwrap()
        else {
            panic!("expected a new invoice")
        };
        // 5,000 msat from 3,000: refused, nothing moved, the invoice still open.
        let short = store
            .pay_internally(internal_payment(&payer, "k1", &invoice), &invoice)
            .await
            .unwrap_err();
        assert_eq!(code(short), ApiErrorCode::InsufficientBalance);
        assert_eq!(
            store.balance(&payer).await.unwrap().available_msat.as_u64(),
            3_000
        );
        let still = store.invoice(&payee.id, &invoice.invoice.id).await.unwrap();
        assert_eq!(still.invoice.status, InvoiceStatus::Open);
        // The payee's own invoice.
        let own = store
            .pay_internally(internal_payment(&payee.id, "k2", &invoice), &invoice)
            .await
            .unwrap_err();
        assert_eq!(code(own.clone()), ApiErrorCode::PaymentFailed);
        assert!(own.to_string().contains("own"), "{own}");
        // A hold invoice the payer cannot cover: not held, still open.
        let (hold, _) = hold_invoice(&store, &payee.id).await;
        let refused = store
            .pay_internally(internal_payment(&payer, "k3", &hold), &hold)
            .await
            .unwrap_err();
        assert_eq!(code(refused), ApiErrorCode::InsufficientBalance);
        let still = store.invoice(&payee.id, &hold.invoice.id).await.unwrap();
        assert_eq!(still.invoice.status, InvoiceStatus::Open);
        // An expired one.
        let mut stale = new_invoice(&payee.id, random_hash(), None);
        stale.amount_msat = Some(1_000);
        stale.expires_at = crate::time::now_secs() - 1;
        let Inserted::Created(stale) = store.insert_invoice(stale).await.unwrap() else {
            panic!("expected a new invoice")
        };
        let expired = store
            .pay_internally(internal_payment(&payer, "k4", &stale), &stale)
            .await
            .unwrap_err();
        assert_eq!(expired.to_string(), "the invoice expired");
        assert_eq!(
            store.balance(&payer).await.unwrap().available_msat.as_u64(),
            3_000
        );
        assert_eq!(
            store
                .balance(&payee.id)
                .await
                .unwrap()
                .available_msat
                .as_u64(),
            0
        );
    }
}

/// A hold invoice of `account` for 5,000 msat (the server keeps no preimage).
async fn hold_invoice(store: &Store, account: &str) -> (InvoiceRecord, Preimage) {
    let preimage = Preimage::from_bytes(crate::ids::random_bytes::<32>().unwrap());
    let mut new = new_invoice(account, preimage.payment_hash(), None);
    new.kind = InvoiceKind::Hold;
    new.preimage = None;
    let Inserted::Created(rec) = store.insert_invoice(new).await.unwrap() else {
        panic!("expected a new invoice")
    };
    (rec, preimage)
}

/// The balance columns agree with the ledger.
async fn assert_ledger_agrees(store: &Store, account: &str) {
    let b = store.balance(account).await.unwrap();
    assert_eq!(
        store.ledger_available(account).await.unwrap(),
        i64::try_from(b.available_msat.as_u64()).unwrap(),
        "{account}"
    );
}

#[tokio::test]
async fn a_hold_invoice_is_held_by_one_account_under_concurrency_then_settled_or_cancelled() {
    for (store, _dir) in stores().await {
        let (payee, _) = store.create_account("payee").await.unwrap();
        let mut payers = Vec::new();
        for i in 0..12 {
            payers.push(funded_account(&store, &format!("payer-{i}"), 50_000).await);
        }
        let (invoice, preimage) = hold_invoice(&store, &payee.id).await;
        // Every payer tries at once: exactly one holds it, its amount reserved, not debited.
        let attempts = payers.iter().map(|payer| {
            let store = store.clone();
            let new = internal_payment(payer, "hold", &invoice);
            let invoice = invoice.clone();
            tokio::spawn(async move { store.pay_internally(new, &invoice).await })
        });
        let mut held = Vec::new();
        for attempt in attempts.collect::<Vec<_>>() {
            match attempt.await.unwrap() {
                Ok(Transfer::Held { payment, invoice }) => held.push((*payment, *invoice)),
                Ok(other) => panic!("a hold invoice is held, not {other:?}"),
                Err(StoreError::InvoiceNotPayable { reason }) => {
                    assert_eq!(reason, "the hold invoice is already held for a payer")
                }
                Err(other) => panic!("unexpected refusal: {other:?}"),
            }
        }
        assert_eq!(held.len(), 1, "exactly one payer holds it");
        let (payment, accepted) = held.pop().unwrap();
        assert_eq!(payment.status, PaymentStatus::Pending);
        assert!(payment.internal);
        assert_eq!(accepted.status, InvoiceStatus::Accepted);
        let mut winner = String::new();
        for payer in &payers {
            if store.balance(payer).await.unwrap().reserved_msat.as_u64() > 0 {
                assert!(winner.is_empty(), "one reservation only");
                winner = payer.clone();
            }
        }
        let b = store.balance(&winner).await.unwrap();
        assert_eq!(
            (b.available_msat.as_u64(), b.reserved_msat.as_u64()),
            (45_000, 5_000)
        );
        assert_ledger_agrees(&store, &winner).await;
        // Settled: the payer debited, the payee credited, the preimage the payer's proof.
        let rec = store.invoice(&payee.id, &invoice.invoice.id).await.unwrap();
        let pending = store
            .internal_hold_payment(&invoice.invoice.payment_hash)
            .await
            .unwrap()
            .unwrap();
        let paid = store
            .settle_internal_hold(&rec, &pending, preimage)
            .await
            .unwrap()
            .unwrap();
        assert_eq!(paid.status, InvoiceStatus::Paid);
        let b = store.balance(&winner).await.unwrap();
        assert_eq!(
            (b.available_msat.as_u64(), b.reserved_msat.as_u64()),
            (45_000, 0)
        );
        assert_eq!(
            store
                .balance(&payee.id)
                .await
                .unwrap()
                .available_msat
                .as_u64(),
            5_000
        );
        assert_ledger_agrees(&store, &winner).await;
        assert_ledger_agrees(&store, &payee.id).await;
        let done = store.payment(&winner, &payment.id).await.unwrap().payment;
        assert_eq!(done.status, PaymentStatus::Succeeded);
        assert_eq!(done.preimage, Some(preimage));
        // A second settle or a cancel now changes nothing.
        assert_eq!(
            store
                .settle_internal_hold(&rec, &pending, preimage)
                .await
                .unwrap(),
            None
        );
        assert_eq!(
            store.cancel_internal_hold(&rec, &pending).await.unwrap(),
            None
        );

        // Another hold invoice, held then cancelled: the reservation comes back whole.
        let (second, _) = hold_invoice(&store, &payee.id).await;
        let Transfer::Held { .. } = store
            .pay_internally(internal_payment(&winner, "hold-2", &second), &second)
            .await
            .unwrap()
        else {
            panic!("held")
        };
        let rec = store.invoice(&payee.id, &second.invoice.id).await.unwrap();
        let pending = store
            .internal_hold_payment(&second.invoice.payment_hash)
            .await
            .unwrap()
            .unwrap();
        let cancelled = store
            .cancel_internal_hold(&rec, &pending)
            .await
            .unwrap()
            .unwrap();
        assert_eq!(cancelled.status, InvoiceStatus::Cancelled);
        let b = store.balance(&winner).await.unwrap();
        assert_eq!(
            (b.available_msat.as_u64(), b.reserved_msat.as_u64()),
            (45_000, 0)
        );
        assert_ledger_agrees(&store, &winner).await;
        let failed = store
            .payment(&winner, &pending.payment.id)
            .await
            .unwrap()
            .payment;
        assert_eq!(failed.status, PaymentStatus::Failed);
        assert_eq!(
            store
                .settle_internal_hold(&rec, &pending, preimage)
                .await
                .unwrap(),
            None
        );
    }
}

/// A batch of `count` vouchers of 50,000 msat (60,000 set aside each) of `account`.
async fn voucher_batch(store: &Store, account: &str, key: &str, count: usize) -> Vec<String> {
    let vouchers = (0..count)
        .map(|i| NewVoucher {
            id: crate::ids::new_id("vch").unwrap(),
            secret: format!("{key}-secret-{i}"),
            url: format!("https://lsp.example/v1/lnurlw/{key}-{i}"),
            lnurl: format!("LNURL{key}{i}"),
        })
        .collect();
    let created = store
        .create_vouchers(NewVoucherBatch {
            account_id: account.into(),
            idempotency_key: key.into(),
            fingerprint: "fp".into(),
            amount_msat: 50_000,
            min_withdrawable_msat: 1_000,
            reserved_msat: 60_000,
            description: "Prize".into(),
            expires_at: crate::time::now_secs() + 3600,
            vouchers,
        })
        .await
        .unwrap();
    let CreatedBatch::Created(batch) = created else {
        panic!("expected a new batch")
    };
    batch.vouchers.into_iter().map(|v| v.id).collect()
}

fn funding(voucher_id: &str) -> VoucherFunding {
    VoucherFunding {
        voucher_id: voucher_id.into(),
        reserved_msat: 60_000,
    }
}

/// (available, reserved) of `account`.
async fn balance_of(store: &Store, account: &str) -> (u64, u64) {
    let b = store.balance(account).await.unwrap();
    (b.available_msat.as_u64(), b.reserved_msat.as_u64())
}

#[tokio::test]
async fn s23_a_voucher_is_claimed_once_under_concurrency_and_its_value_returns_once() {
    for (store, _dir) in stores().await {
        let owner = funded_account(&store, "owner", 200_000).await;
        // Beyond the balance: nothing created.
        let too_many = NewVoucherBatch {
            account_id: owner.clone(),
            idempotency_key: "big".into(),
            fingerprint: "fp".into(),
            amount_msat: 50_000,
            min_withdrawable_msat: 1_000,
            reserved_msat: 60_000,
            description: "Prize".into(),
            expires_at: crate::time::now_secs() + 3600,
            vouchers: (0..4)
                .map(|i| NewVoucher {
                    id: format!("vch_big{i}"),
                    secret: format!("big-{i}"),
                    url: "u".into(),
                    lnurl: "l".into(),
                })
                .collect(),
        };
        let err = store.create_vouchers(too_many).await.unwrap_err();
        assert_eq!(code(err), ApiErrorCode::InsufficientBalance);
        assert_eq!(balance_of(&store, &owner).await, (200_000, 0));

        let ids = voucher_batch(&store, &owner, "prizes", 3).await;
        assert_eq!(balance_of(&store, &owner).await, (20_000, 180_000));
        // The same key again: the same batch, nothing more set aside.
        assert!(matches!(
            store
                .create_vouchers(NewVoucherBatch {
                    account_id: owner.clone(),
                    idempotency_key: "prizes".into(),
                    fingerprint: "fp".into(),
                    amount_msat: 50_000,
                    min_withdrawable_msat: 1_000,
                    reserved_msat: 60_000,
                    description: "Prize".into(),
                    expires_at: 0,
                    vouchers: vec![],
                })
                .await
                .unwrap(),
            CreatedBatch::Existing(..)
        ));
        assert_eq!(balance_of(&store, &owner).await, (20_000, 180_000));

        // 20 concurrent claims of the first voucher over Lightning: exactly one reserves.
        let claims = (0..20).map(|i| {
            let store = store.clone();
            let new = NewPayment {
                voucher: Some(funding(&ids[0])),
                ..new_payment(&owner, &format!("claim-{i}"), 50_000)
            };
            tokio::spawn(async move { store.reserve_payment(new).await })
        });
        let mut won = Vec::new();
        for claim in futures_util::future::join_all(claims).await {
            match claim.unwrap() {
                Ok(Reserved::Created(rec)) => won.push(rec),
                Ok(Reserved::Existing(_)) => panic!("no key was reused"),
                Err(e) => assert_eq!(code(e), ApiErrorCode::Conflict),
            }
        }
        assert_eq!(won.len(), 1);
        let rec = won.pop().unwrap();
        assert_eq!(rec.reserved_msat, 60_000);
        assert_eq!(balance_of(&store, &owner).await, (20_000, 180_000));
        assert_eq!(
            store.voucher(&owner, &ids[0]).await.unwrap().voucher.status,
            VoucherStatus::Claiming
        );
        // A claiming voucher neither expires nor cancels.
        let claiming = store.voucher(&owner, &ids[0]).await.unwrap();
        assert!(store
            .end_voucher(&claiming, VoucherStatus::Cancelled)
            .await
            .unwrap()
            .is_none());

        // The payment fails: the voucher is claimable again, its value still set aside.
        let failed = PaymentOutcome::Failed {
            reason: PaymentFailureReason::RouteNotFound,
        };
        store.complete_payment(&rec, failed).await.unwrap().unwrap();
        let again = store.voucher(&owner, &ids[0]).await.unwrap().voucher;
        assert_eq!(
            (again.status, again.payment_id),
            (VoucherStatus::Active, None)
        );
        assert_eq!(balance_of(&store, &owner).await, (20_000, 180_000));
        assert_ledger_agrees(&store, &owner).await;

        // A second claim succeeds with a 100 msat fee: 50,100 debited, 9,900 back.
        let Reserved::Created(rec) = store
            .reserve_payment(NewPayment {
                voucher: Some(funding(&ids[0])),
                ..new_payment(&owner, "claim-again", 50_000)
            })
            .await
            .unwrap()
        else {
            panic!("expected a new payment")
        };
        let mut live = store.subscribe();
        let paid = PaymentOutcome::Succeeded {
            fee_msat: 100,
            preimage: None,
        };
        store.complete_payment(&rec, paid).await.unwrap().unwrap();
        assert_eq!(balance_of(&store, &owner).await, (29_900, 120_000));
        let types = [
            live.recv().await.unwrap().event.event_type(),
            live.recv().await.unwrap().event.event_type(),
        ];
        assert_eq!(
            types,
            [EventType::PaymentSucceeded, EventType::VoucherClaimed]
        );
        let claimed = store.voucher(&owner, &ids[0]).await.unwrap().voucher;
        assert_eq!(claimed.status, VoucherStatus::Claimed);
        assert_eq!(claimed.claimed_msat, Some(Msat::from_msat(50_000)));

        // Paid inside the LSP: two concurrent claims of the second voucher with two invoices
        // of another account; one settles (no fee: 10,000 back), the other is refused.
        let (payee, _) = store.create_account("payee").await.unwrap();
        let mut invoices = Vec::new();
        for _ in 0..2 {
            let mut invoice = new_invoice(&payee.id, random_hash(), None);
            invoice.amount_msat = Some(50_000);
            let Inserted::Created(rec) = store.insert_invoice(invoice).await.unwrap() else {
                panic!("expected a new invoice")
            };
            invoices.push(rec);
        }
        let internal = invoices.iter().enumerate().map(|(i, invoice)| {
            let store = store.clone();
            let invoice = invoice.clone();
            let new = NewPayment {
                voucher: Some(funding(&ids[1])),
                ..internal_payment(&owner, &format!("internal-{i}"), &invoice)
            };
            tokio::spawn(async move { store.pay_internally(new, &invoice).await })
        });
        let results: Vec<_> = futures_util::future::join_all(internal)
            .await
            .into_iter()
            .map(|r| r.unwrap())
            .collect();
        assert_eq!(
            results
                .iter()
                .filter(|r| matches!(r, Ok(Transfer::Settled { .. })))
                .count(),
            1,
            "{results:?}"
        );
        assert_eq!(balance_of(&store, &owner).await, (39_900, 60_000));
        assert_eq!(balance_of(&store, &payee.id).await, (50_000, 0));
        let second = store.voucher(&owner, &ids[1]).await.unwrap().voucher;
        assert_eq!(second.status, VoucherStatus::Claimed);

        // The third expires: its value returns, once.
        let third = store.voucher(&owner, &ids[2]).await.unwrap();
        let ended = store
            .end_voucher(&third, VoucherStatus::Expired)
            .await
            .unwrap()
            .unwrap();
        assert_eq!(ended.status, VoucherStatus::Expired);
        assert!(store
            .end_voucher(&third, VoucherStatus::Expired)
            .await
            .unwrap()
            .is_none());
        assert_eq!(balance_of(&store, &owner).await, (99_900, 0));
        assert_ledger_agrees(&store, &owner).await;
        assert_ledger_agrees(&store, &payee.id).await;
    }
}
