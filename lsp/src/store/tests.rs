//! Repository tests against a real SQLite file (and PostgreSQL when `ETRID_TEST_POSTGRES_URL`
//! names a database): the money rules hold under replays and races.

use etrid_core::lsp::{
    ApiErrorCode, ApiKeyScope, EventType, InvoiceKind, NodeId, PaymentFailureReason, PaymentHash,
    PaymentKind, Preimage,
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
