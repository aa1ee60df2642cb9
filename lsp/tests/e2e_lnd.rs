//! Interop with LND (S31–S34), end to end on the devnet: an LND v0.20.2 node (`lnd1`, built by
//! `devnet/lnd/build-lnd.sh`, run against the devnet chain through its bitcoind backend) with
//! two channels to the real LSP process, driven through LND's own REST API; the LSP through the
//! SDK's `LspClient` over HTTP.
//!
//! Needs the lnd binary (`ETRID_LND`, `ETRID_LND_DIR` or `~/.cache/etrid-lnd/`): without it
//! these tests fail naming the build script. `.ci/run` builds it first.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod support;

use std::collections::BTreeMap;
use std::time::Duration;

use bitcoin::hashes::{sha256, Hash};
use etrid_core::amount::Msat;
use etrid_core::invoice::{decode_invoice, Invoice};
use etrid_core::lsp::{
    CreateInvoiceRequest, CreateLightningAddressRequest, CustomRecord, EventPayload,
    KeysendRequest, LedgerReferenceType, ListEventsRequest, ListLedgerRequest, LspKeysend, NodeId,
    PayInvoiceRequest, PaymentStatus, WaitOutcome,
};
use etrid_core::network::Network;
use etrid_core::platform::SystemClock;
use etrid_devnet::nodes::{LndNode, LndPayReq, LndSend};
use support::{run, wait_payment, Harness};
use tokio::sync::OnceCell;

static HARNESS: OnceCell<Harness> = OnceCell::const_new();

/// The devnet with one LND node and the LSP with four accounts: 0 receives from LND (S31),
/// 1 pays LND (S32), 2 sends keysend to LND (S33), 3 receives keysend from LND (S33); 1 and 2
/// are funded by alice first.
async fn harness() -> &'static Harness {
    HARNESS
        .get_or_init(|| async {
            let h = Harness::start_with_lnd(4, 1).await;
            h.fund_account(1, 100_000_000).await;
            h.fund_account(2, 50_000_000).await;
            h
        })
        .await
}

fn lnd(h: &Harness) -> &LndNode {
    h.devnet.api().lnd("lnd1").expect("the devnet's LND node")
}

/// LND pays `bolt11` in at most `max_parts` parts.
fn lnd_pays(bolt11: &str, max_parts: u32) -> LndSend {
    LndSend {
        payment_request: Some(bolt11.to_owned()),
        max_parts,
        fee_limit_msat: 10_000,
        timeout: Duration::from_secs(60),
        ..LndSend::default()
    }
}

async fn invoice_of(
    h: &Harness,
    account: usize,
    amount_msat: u64,
    description: &str,
) -> (String, String) {
    let invoice = h
        .admin(account)
        .create_invoice(CreateInvoiceRequest {
            amount_msat: Some(Msat::from_msat(amount_msat)),
            description: Some(description.to_owned()),
            ..CreateInvoiceRequest::default()
        })
        .await
        .unwrap();
    (invoice.id, invoice.bolt11)
}

async fn paid(h: &Harness, account: usize, invoice_id: &str) {
    let outcome = h
        .admin(account)
        .wait_for_payment(invoice_id, Duration::from_secs(30))
        .await
        .unwrap();
    assert!(matches!(outcome, WaitOutcome::Paid(_)), "{outcome:?}");
}

#[test]
fn s31_lnd_pays_an_lsp_invoice_in_one_part_and_multi_path() {
    run(async {
        let h = harness().await;
        let before = h.admin(0).balance().await.unwrap().available_msat.as_u64();

        let (id, bolt11) = invoice_of(h, 0, 20_000_000, "S31 one part").await;
        let one = lnd(h)
            .rest()
            .send_payment(&lnd_pays(&bolt11, 1))
            .await
            .unwrap();
        assert_eq!(one.status, "SUCCEEDED", "{one:?}");
        assert_eq!(one.settled_parts(), 1);
        paid(h, 0, &id).await;

        // The LSP (LDK) lets at most 10% of a channel it accepted be in flight to it: 100,000
        // sats on each of LND's 1,000,000-sat channels. 150,000 sats must go in two parts.
        let (id, bolt11) = invoice_of(h, 0, 150_000_000, "S31 multi-path").await;
        let single = lnd(h)
            .rest()
            .send_payment(&lnd_pays(&bolt11, 1))
            .await
            .unwrap();
        assert_eq!(
            single.status, "FAILED",
            "one path cannot carry it: {single:?}"
        );
        let multi = lnd(h)
            .rest()
            .send_payment(&lnd_pays(&bolt11, 16))
            .await
            .unwrap();
        assert_eq!(multi.status, "SUCCEEDED", "{multi:?}");
        assert!(multi.settled_parts() >= 2, "{multi:?}");
        paid(h, 0, &id).await;

        let after = h.admin(0).balance().await.unwrap().available_msat.as_u64();
        assert_eq!(after - before, 170_000_000, "credited exactly once each");
    });
}

#[test]
fn s32_the_lsp_pays_an_lnd_invoice_and_the_preimage_matches() {
    run(async {
        let h = harness().await;
        let admin = h.admin(1);
        let before = admin.balance().await.unwrap().available_msat.as_u64();
        let invoice = lnd(h)
            .rest()
            .add_invoice(50_000_000, "S32 cash-out", 3600)
            .await
            .unwrap();
        let req = PayInvoiceRequest {
            bolt11: invoice.payment_request.clone(),
            idempotency_key: "s32-lnd".into(),
            ..PayInvoiceRequest::default()
        };
        let sent = admin
            .pay(admin.prepare_pay_invoice(req).unwrap())
            .await
            .unwrap();
        let done = wait_payment(&admin, &sent.id, Duration::from_secs(60)).await;
        assert_eq!(done.status, PaymentStatus::Succeeded, "{done:?}");
        let preimage = done.preimage.expect("preimage");
        assert_eq!(
            sha256::Hash::hash(preimage.as_bytes()).to_string(),
            invoice.payment_hash
        );
        assert_eq!(done.payment_hash.to_string(), invoice.payment_hash);
        let at_lnd = lnd(h)
            .rest()
            .lookup_invoice(&invoice.payment_hash)
            .await
            .unwrap();
        assert_eq!(at_lnd.state, "SETTLED");
        assert_eq!(at_lnd.amt_paid_msat, 50_000_000);
        let fee = done.fee_msat.expect("fee").as_u64();
        let after = admin.balance().await.unwrap().available_msat.as_u64();
        assert_eq!(before - after, 50_000_000 + fee, "debited once");
    });
}

#[test]
fn s33_keysend_with_custom_records_from_the_lsp_arrives_at_lnd_with_them() {
    run(async {
        let h = harness().await;
        let admin = h.admin(2);
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
        let destination: NodeId = lnd(h).node_id().parse().unwrap();
        let prepared = admin
            .prepare_keysend(KeysendRequest {
                custom_records: records.clone(),
                ..KeysendRequest::new(destination, Msat::from_msat(10_000_000), "s33-boost")
            })
            .unwrap();
        let sent = admin.keysend(prepared).await.unwrap();
        let done = wait_payment(&admin, &sent.id, Duration::from_secs(60)).await;
        assert_eq!(done.status, PaymentStatus::Succeeded, "{done:?}");
        let at_lnd = lnd(h)
            .rest()
            .lookup_invoice(&done.payment_hash.to_string())
            .await
            .unwrap();
        assert!(at_lnd.is_keysend, "{at_lnd:?}");
        assert_eq!(at_lnd.state, "SETTLED");
        assert_eq!(at_lnd.amt_paid_msat, 10_000_000);
        let got = at_lnd.custom_records().unwrap();
        assert_eq!(got.get(&65_537), Some(&b"hello".to_vec()), "{got:?}");
        assert_eq!(got.get(&696_969), Some(&vec![1, 2, 255]), "{got:?}");
    });
}

/// LND sends a keysend of `amount_msat` to the LSP's node with `records`, on one path.
async fn lnd_keysends(h: &Harness, amount_msat: u64, records: BTreeMap<u64, Vec<u8>>) -> String {
    let paid = lnd(h)
        .rest()
        .send_payment(&LndSend {
            dest: Some(h.node_id()),
            amt_msat: Some(amount_msat),
            custom_records: records,
            max_parts: 1,
            fee_limit_msat: 10_000,
            timeout: Duration::from_secs(60),
            ..LndSend::default()
        })
        .await
        .unwrap();
    paid.status
}

/// The `keysend.received` events of account `i`, oldest first.
async fn keysends_received(h: &Harness, i: usize) -> Vec<LspKeysend> {
    let page = h
        .admin(i)
        .list_events(ListEventsRequest {
            after: None,
            limit: Some(100),
        })
        .await
        .unwrap();
    page.items
        .into_iter()
        .filter_map(|e| match e.payload {
            EventPayload::KeysendReceived(k) => Some(k),
            _ => None,
        })
        .collect()
}

#[test]
fn s33_keysend_with_custom_records_from_lnd_is_credited_to_the_address_it_names() {
    run(async {
        let h = harness().await;
        let admin = h.admin(3);
        admin
            .create_lightning_address(CreateLightningAddressRequest {
                name: "s33-lnd".into(),
                ..CreateLightningAddressRequest::default()
            })
            .await
            .unwrap();
        let before = admin.balance().await.unwrap().available_msat.as_u64();

        // 696969 names the address (with a player's tag); 7629169 is a Podcasting 2.0 record.
        let records = BTreeMap::from([
            (696_969, b"s33-lnd+player7".to_vec()),
            (7_629_169, br#"{"action":"boost"}"#.to_vec()),
        ]);
        assert_eq!(lnd_keysends(h, 12_000_000, records).await, "SUCCEEDED");

        let deadline = std::time::Instant::now() + Duration::from_secs(30);
        let received = loop {
            let received = keysends_received(h, 3).await;
            if !received.is_empty() || std::time::Instant::now() > deadline {
                break received;
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        };
        assert_eq!(received.len(), 1, "one event: {received:?}");
        let keysend = &received[0];
        assert_eq!(keysend.amount_msat.as_u64(), 12_000_000);
        assert_eq!(keysend.address, "s33-lnd+player7");
        let got: Vec<(u64, Vec<u8>)> = keysend
            .custom_records
            .iter()
            .map(|r| (r.record_type, r.value.as_bytes().to_vec()))
            .collect();
        assert_eq!(
            got,
            vec![
                (696_969, b"s33-lnd+player7".to_vec()),
                (7_629_169, br#"{"action":"boost"}"#.to_vec()),
            ]
        );
        let ledger = admin
            .list_ledger(ListLedgerRequest::default())
            .await
            .unwrap();
        let credits: Vec<_> = ledger
            .items
            .iter()
            .filter(|e| e.reference_type == LedgerReferenceType::Keysend)
            .collect();
        assert_eq!(credits.len(), 1, "{ledger:?}");
        assert_eq!(credits[0].reference_id, keysend.id);
        assert_eq!(credits[0].amount_msat.as_u64(), 12_000_000);
        let after = admin.balance().await.unwrap().available_msat.as_u64();
        assert_eq!(after - before, 12_000_000, "credited exactly once");

        // Naming no address, or one this LSP does not serve: failed back, nobody credited.
        let unnamed = BTreeMap::from([(7_629_169, b"{}".to_vec())]);
        assert_eq!(lnd_keysends(h, 5_000_000, unnamed).await, "FAILED");
        let unknown = BTreeMap::from([(696_969, b"nobody-here".to_vec())]);
        assert_eq!(lnd_keysends(h, 5_000_000, unknown).await, "FAILED");
        assert_eq!(keysends_received(h, 3).await.len(), 1);
        let last = admin.balance().await.unwrap().available_msat.as_u64();
        assert_eq!(last, after, "refused keysends credit nothing");
    });
}

/// Every field LND's `DecodePayReq` reports, compared with the SDK's decoding.
fn assert_same(lnd: &LndPayReq, sdk: &Invoice) {
    assert_eq!(lnd.destination, sdk.payee_pubkey, "payee");
    assert_eq!(lnd.payment_hash, sdk.payment_hash, "payment hash");
    assert_eq!(
        lnd.num_msat,
        sdk.amount_msat.map_or(0, Msat::as_u64),
        "amount"
    );
    assert_eq!(lnd.timestamp, sdk.timestamp, "timestamp");
    assert_eq!(lnd.expiry, sdk.expiry_secs, "expiry");
    assert_eq!(
        lnd.description,
        sdk.description.clone().unwrap_or_default(),
        "description"
    );
    assert_eq!(
        lnd.description_hash,
        sdk.description_hash.clone().unwrap_or_default(),
        "description hash"
    );
    assert_eq!(
        lnd.cltv_expiry, sdk.min_final_cltv_expiry_delta,
        "final CLTV delta"
    );
    assert_eq!(
        Some(lnd.payment_secret_hex().unwrap()),
        sdk.payment_secret,
        "payment secret"
    );
    assert_eq!(lnd.route_hints.len(), sdk.route_hints.len(), "route hints");
    let mut lnd_bits: Vec<u16> = lnd.features.keys().map(|k| k.parse().unwrap()).collect();
    lnd_bits.sort_unstable();
    assert_eq!(lnd_bits, sdk.features.bits, "feature bits");
}

#[test]
fn s34_the_sdk_decodes_lnds_invoices_and_lnd_decodes_the_lsps_every_field_equal() {
    run(async {
        let h = harness().await;
        let from_lnd = lnd(h)
            .rest()
            .add_invoice(12_345_678, "S34 décodé ⚡", 600)
            .await
            .unwrap();
        let sdk =
            decode_invoice(&from_lnd.payment_request, Network::Regtest, &SystemClock).unwrap();
        let by_lnd = lnd(h)
            .rest()
            .decode_pay_req(&from_lnd.payment_request)
            .await
            .unwrap();
        assert_eq!(sdk.payment_hash, from_lnd.payment_hash);
        assert_eq!(sdk.description.as_deref(), Some("S34 décodé ⚡"));
        assert_same(&by_lnd, &sdk);

        let (_, from_lsp) = invoice_of(h, 0, 7_000, "S34 from the LSP").await;
        let sdk = decode_invoice(&from_lsp, Network::Regtest, &SystemClock).unwrap();
        let by_lnd = lnd(h).rest().decode_pay_req(&from_lsp).await.unwrap();
        assert_eq!(sdk.payee_pubkey, h.node_id());
        assert_same(&by_lnd, &sdk);
    });
}
