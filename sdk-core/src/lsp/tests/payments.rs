//! Payments: local checks of `prepare_*` (nothing sent on refusal), request shapes, decoding
//! of payments, balance and ledger.

use std::time::Duration;

use serde_json::json;

use super::*;
use crate::amount::Msat;
use crate::invoice::InvoiceError;
use crate::lsp::{
    CustomRecord, FeeLimit, HexBytes, KeysendRequest, LedgerEntryKind, ListLedgerRequest,
    ListPaymentsRequest, LspError, NodeId, PayInvoiceRequest, PaymentFailureReason, PaymentStatus,
};

/// BOLT11 specification example: 2500 µBTC (250,000,000 msat), mainnet, expiry 60 s.
const COFFEE: &str = "lnbc2500u1pvjluezsp5zyg3zyg3zyg3zyg3zyg3zyg3zyg3zyg3zyg3zyg3zyg3zyg3zygspp5qqqsyqcyq5rqwzqfqqqsyqcyq5rqwzqfqqqsyqcyq5rqwzqfqypqdq5xysxxatsyp3k7enxv4jsxqzpu9qrsgquk0rl77nj30yxdy8j9vdx85fkpmdla2087ne0xh8nhedh8w27kyke0lp53ut353s06fv3qfegext0eh0ymjpf39tuven09sam30g4vgpfna3rh";
/// BOLT11 specification example: any amount, mainnet, default expiry (3600 s).
const DONATION: &str = "lnbc1pvjluezsp5zyg3zyg3zyg3zyg3zyg3zyg3zyg3zyg3zyg3zyg3zyg3zyg3zygspp5qqqsyqcyq5rqwzqfqqqsyqcyq5rqwzqfqqqsyqcyq5rqwzqfqypqdpl2pkx2ctnv5sxxmmwwd5kgetjypeh2ursdae8g6twvus8g6rfwvs8qun0dfjkxaq9qrsgq357wnc5r2ueh7ck6q93dj32dlqnls087fxdwk8qakdyafkq3yap9us6v52vjjsrvywa6rt52cm9r9zqt8r2t7mlcwspyetp5h2tztugp9lfyql";
/// When both examples were signed.
const SIGNED_AT: u64 = 1_496_314_658;

fn mainnet() -> (TestClient, MemoryTransport, std::sync::Arc<SimulatedTimer>) {
    client_on(Network::Bitcoin, SIGNED_AT)
}

fn pay_request(bolt11: &str) -> PayInvoiceRequest {
    PayInvoiceRequest {
        bolt11: bolt11.into(),
        idempotency_key: "pay-1".into(),
        ..PayInvoiceRequest::default()
    }
}

#[test]
fn s13_prepare_then_pay_sends_policy_limits_and_decodes_fee_and_preimage() {
    let (client, transport, _) = mainnet();
    let prepared = client
        .prepare_pay_invoice(pay_request(&format!("  lightning:{COFFEE}")))
        .unwrap();
    assert_eq!(prepared.amount_msat(), Msat::from_msat(250_000_000));
    // Default policy: 1 % of the amount.
    assert_eq!(prepared.max_fee_msat(), Msat::from_msat(2_500_000));
    assert_eq!(prepared.max_total_msat(), Msat::from_msat(252_500_000));
    assert!(transport.requests().is_empty());
    transport.push_json(200, &payment_value("pay_1", "succeeded").to_string());
    let payment = run(client.pay(prepared)).unwrap();
    assert_eq!(payment.status, PaymentStatus::Succeeded);
    assert_eq!(payment.fee_msat, Some(Msat::from_msat(1_500)));
    assert_eq!(payment.preimage, Some("22".repeat(32).parse().unwrap()));
    assert_eq!(payment.parts.len(), 2);
    let sent = &transport.requests()[0];
    assert_request(sent, "POST", "https://lsp.test/api/v1/payments/bolt11");
    assert_eq!(
        body(sent),
        json!({"bolt11": COFFEE, "max_fee_msat": 2_500_000, "max_parts": 16, "idempotency_key": "pay-1"})
    );
}

#[test]
fn amountless_invoices_need_an_amount_and_fixed_ones_refuse_one() {
    let (client, transport, _) = mainnet();
    let error = client
        .prepare_pay_invoice(pay_request(DONATION))
        .unwrap_err();
    assert_eq!(error, LspError::AmountRequired);
    let mut with_amount = pay_request(DONATION);
    with_amount.amount_msat = Some(Msat::from_msat(50_000));
    let prepared = client.prepare_pay_invoice(with_amount).unwrap();
    // The 10 sat floor applies to small amounts.
    assert_eq!(prepared.max_fee_msat(), Msat::from_msat(10_000));
    assert_eq!(
        prepared.request().amount_msat,
        Some(Msat::from_msat(50_000))
    );
    let mut zero = pay_request(DONATION);
    zero.amount_msat = Some(Msat::ZERO);
    assert_eq!(
        client.prepare_pay_invoice(zero).unwrap_err(),
        LspError::AmountRequired
    );
    let mut fixed = pay_request(COFFEE);
    fixed.amount_msat = Some(Msat::from_msat(1));
    let error = client.prepare_pay_invoice(fixed).unwrap_err();
    assert_eq!(
        error,
        LspError::AmountNotAllowed {
            invoice_amount_msat: 250_000_000
        }
    );
    assert_eq!(error.code(), "lsp_amount_not_allowed");
    assert!(transport.requests().is_empty());
}

#[test]
fn bad_foreign_and_expired_invoices_are_refused_with_invoice_errors() {
    let (client, transport, timer) = mainnet();
    let garbage = client
        .prepare_pay_invoice(pay_request("lnbc1garbage"))
        .unwrap_err();
    assert!(matches!(garbage, LspError::Invoice(_)), "{garbage:?}");
    let (regtest, _, _) = client_on(Network::Regtest, SIGNED_AT);
    let foreign = regtest
        .prepare_pay_invoice(pay_request(COFFEE))
        .unwrap_err();
    assert!(matches!(
        foreign,
        LspError::Invoice(InvoiceError::WrongNetwork { .. })
    ));
    assert_eq!(foreign.code(), "invoice_wrong_network");
    // Prepared in time, expired before paying: refused without a request.
    let prepared = client.prepare_pay_invoice(pay_request(COFFEE)).unwrap();
    timer.advance(Duration::from_secs(61));
    let late = run(client.pay(prepared)).unwrap_err();
    assert_eq!(late.code(), "invoice_expired");
    let expired = client.prepare_pay_invoice(pay_request(COFFEE)).unwrap_err();
    assert_eq!(expired.code(), "invoice_expired");
    assert!(transport.requests().is_empty());
}

#[test]
fn fee_and_part_limits_beyond_the_policy_are_refused() {
    let (client, transport, _) = mainnet();
    let mut high_fee = pay_request(COFFEE);
    high_fee.max_fee_msat = Some(Msat::from_msat(2_500_001));
    assert_eq!(
        client.prepare_pay_invoice(high_fee).unwrap_err(),
        LspError::FeeLimitExceeded {
            requested_msat: 2_500_001,
            limit_msat: 2_500_000
        }
    );
    let mut low_fee = pay_request(COFFEE);
    low_fee.max_fee_msat = Some(Msat::from_msat(1_000));
    low_fee.max_parts = Some(4);
    let prepared = client.prepare_pay_invoice(low_fee).unwrap();
    assert_eq!(
        prepared.request().max_fee_msat,
        Some(Msat::from_msat(1_000))
    );
    assert_eq!(prepared.request().max_parts, Some(4));
    for parts in [0, 17] {
        let mut request = pay_request(COFFEE);
        request.max_parts = Some(parts);
        assert_eq!(
            client.prepare_pay_invoice(request).unwrap_err(),
            LspError::TooManyParts {
                requested: parts,
                limit: 16
            }
        );
    }
    for key in ["", "has space", &"k".repeat(129)] {
        let mut request = pay_request(COFFEE);
        request.idempotency_key = key.to_owned();
        let error = client.prepare_pay_invoice(request).unwrap_err();
        assert!(
            matches!(error, LspError::InvalidRequest { ref field, .. } if field == "idempotency_key")
        );
    }
    assert!(transport.requests().is_empty());
}

#[test]
fn an_absolute_fee_policy_caps_every_payment() {
    let transport = MemoryTransport::new();
    let timer = std::sync::Arc::new(SimulatedTimer::from_unix_secs(SIGNED_AT));
    let mut config = LspConfig::new(BASE, KEY, Network::Bitcoin);
    config.payment_policy.max_fee = FeeLimit::Absolute(Msat::from_msat(5_000));
    config.payment_policy.max_parts = 1;
    let client = LspClient::new(config, transport, timer).unwrap();
    let prepared = client.prepare_pay_invoice(pay_request(COFFEE)).unwrap();
    assert_eq!(prepared.max_fee_msat(), Msat::from_msat(5_000));
    assert_eq!(prepared.request().max_parts, Some(1));
}

/// The secp256k1 generator point: a valid public key.
const NODE_G: &str = "0279be667ef9dcbbac55a06295ce870b07029bfcdb2dce28d959f2815b16f81798";

fn keysend_request() -> KeysendRequest {
    let mut request =
        KeysendRequest::new(NODE_G.parse().unwrap(), Msat::from_msat(100_000), "ks-1");
    request.custom_records = vec![CustomRecord {
        record_type: 696_969,
        value: "68656c6c6f".parse().unwrap(),
    }];
    request
}

#[test]
fn s16_keysend_sends_custom_records() {
    let (client, transport, _) = client();
    let destination = NODE_G;
    let prepared = client.prepare_keysend(keysend_request()).unwrap();
    let mut payment = payment_value("pay_k", "pending");
    payment["kind"] = json!("keysend");
    payment["custom_records"] = json!([{"type": 696_969, "value": "68656c6c6f"}]);
    transport.push_json(202, &payment.to_string());
    let sent_payment = run(client.keysend(prepared)).unwrap();
    assert_eq!(sent_payment.custom_records[0].record_type, 696_969);
    let sent = &transport.requests()[0];
    assert_request(sent, "POST", "https://lsp.test/api/v1/payments/keysend");
    assert_eq!(
        body(sent),
        json!({
            "destination": destination, "amount_msat": 100_000,
            "custom_records": [{"type": 696_969, "value": "68656c6c6f"}],
            "max_fee_msat": 10_000, "max_parts": 16, "idempotency_key": "ks-1"
        })
    );
}

#[test]
fn bad_keysend_requests_are_refused_before_sending() {
    let (client, transport, _) = client();
    // A destination that is not a compressed key in lower-case hex cannot even be built.
    assert!(format!("04{}", "11".repeat(32)).parse::<NodeId>().is_err());
    assert!(NODE_G.to_uppercase().parse::<NodeId>().is_err());
    let mut cases = Vec::new();
    let mut r = keysend_request();
    r.amount_msat = Msat::ZERO;
    cases.push((r, "amount_msat"));
    let mut r = keysend_request();
    r.custom_records[0].record_type = 65_535;
    cases.push((r, "custom_records.type"));
    let mut r = keysend_request();
    r.custom_records[0].record_type = 5_482_373_484;
    cases.push((r, "custom_records.type"));
    let mut r = keysend_request();
    r.custom_records.push(r.custom_records[0].clone());
    cases.push((r, "custom_records.type"));
    // Odd-length hex cannot be built either.
    assert!("abc".parse::<HexBytes>().is_err());
    let mut r = keysend_request();
    r.custom_records[0].value = HexBytes::new(vec![0; 1025]);
    cases.push((r, "custom_records.value"));
    for (request, expected) in cases {
        match client.prepare_keysend(request) {
            Err(LspError::InvalidRequest { field, .. }) => assert_eq!(field, expected),
            other => panic!("{expected}: {other:?}"),
        }
    }
    assert!(transport.requests().is_empty());
}

#[test]
fn payments_balance_and_ledger_are_read() {
    let (client, transport, _) = client();
    transport.push_json(200, &payment_value("pay_9", "failed").to_string());
    let page = json!({"items": [payment_value("pay_8", "pending")], "next_cursor": null});
    transport.push_json(200, &page.to_string());
    transport.push_json(
        200,
        r#"{"available_msat": 900000, "reserved_msat": 110000}"#,
    );
    let ledger = json!({"items": [{
        "id": "le_1", "kind": "reserve", "amount_msat": 110_000, "reference_type": "payment",
        "reference_id": "pay_8", "description": null, "created_at": T0
    }], "next_cursor": "n"});
    transport.push_json(200, &ledger.to_string());
    let failed = run(client.get_payment("pay_9")).unwrap();
    assert_eq!(
        failed.failure_reason,
        Some(PaymentFailureReason::RouteNotFound)
    );
    let list = run(client.list_payments(ListPaymentsRequest {
        status: Some(PaymentStatus::Pending),
        created_before: Some(T0),
        ..ListPaymentsRequest::default()
    }))
    .unwrap();
    assert_eq!(list.items[0].status, PaymentStatus::Pending);
    let balance = run(client.balance()).unwrap();
    assert_eq!(balance.available_msat, Msat::from_msat(900_000));
    assert_eq!(balance.reserved_msat, Msat::from_msat(110_000));
    let entries = run(client.list_ledger(ListLedgerRequest {
        limit: Some(1),
        ..ListLedgerRequest::default()
    }))
    .unwrap();
    assert_eq!(entries.items[0].kind, LedgerEntryKind::Reserve);
    let sent = transport.requests();
    assert_request(&sent[0], "GET", "https://lsp.test/api/v1/payments/pay_9");
    assert_request(
        &sent[1],
        "GET",
        "https://lsp.test/api/v1/payments?status=pending&created_before=1700000000",
    );
    assert_request(&sent[2], "GET", "https://lsp.test/api/v1/balance");
    assert_request(&sent[3], "GET", "https://lsp.test/api/v1/ledger?limit=1");
}
