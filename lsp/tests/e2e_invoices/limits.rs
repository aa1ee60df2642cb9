//! Every request limit `openapi.json` documents, tried at its boundary on the real server:
//! the value at the limit passes validation, one step beyond is `400 invalid_request`. Byte
//! limits are tried with two-byte characters, hex with signs and upper case, optional fields
//! with `null`. The defects these keep fixed: amounts the node could not encode answered 500,
//! hex with a `+` was taken, and the document and the server disagreed on limits.

use etrid_core::lsp::limits::MAX_INVOICE_AMOUNT_MSAT;
use etrid_core::lsp::ApiKeyScope;
use reqwest::Method;
use serde_json::{json, Value};

use crate::contract::{call, new_key, unique};
use crate::support::{run, Harness};
use crate::{account, harness, random_preimage};

/// A documented boundary tried on the real server: `at` must pass validation (any answer but
/// 400 and 5xx), `beyond` must be `400 invalid_request`.
struct Boundary {
    what: &'static str,
    at: Value,
    beyond: Value,
}

/// Posts each case's value at its boundary (must pass validation: any answer but 400 and 5xx)
/// and beyond it (must be `400 invalid_request`) to its route with `key`.
async fn check_boundaries(h: &Harness, key: &str, cases: Vec<(&str, Value, Value)>) {
    for (route, at, beyond) in cases {
        let a = call(h, Method::POST, route, key, Some(at.to_string())).await;
        assert!(a.status != 400 && a.status < 500, "{route}: {at} → {a:?}");
        let b = call(h, Method::POST, route, key, Some(beyond.to_string())).await;
        assert_eq!(
            (b.status, b.code.as_str()),
            (400, "invalid_request"),
            "{route}: {beyond} → {:?}",
            b.body
        );
    }
}

#[test]
fn every_documented_request_limit_holds_at_its_boundary() {
    run(async {
        let h = harness().await;
        // A fresh account: no balance, so payments at their boundary stop at 422, never pay.
        let (admin, _) = account(h, "limits").await;
        let admin_key = admin.config().api_key.clone();
        let doc: Value = serde_json::from_str(include_str!("../../openapi.json")).unwrap();
        let schema = |name: &str, field: &str| {
            doc["components"]["schemas"][name]["properties"][field].clone()
        };
        let max = |name: &str, field: &str| schema(name, field)["maximum"].as_u64().unwrap();
        let min = |name: &str, field: &str| schema(name, field)["minimum"].as_u64().unwrap();
        let bytes = |name: &str, field: &str| {
            schema(name, field)["x-etrid-max-bytes"].as_u64().unwrap() as usize
        };
        let chars =
            |name: &str, field: &str| schema(name, field)["maxLength"].as_u64().unwrap() as usize;
        // `n` bytes of two-byte characters (plus one ASCII when odd): a server counting
        // characters instead of bytes would accept `n + 1` bytes.
        let utf8 = |n: usize| "é".repeat(n / 2) + if n % 2 == 1 { "a" } else { "" };
        let bolt11_any = h.devnet_invoice("alice", None);
        let alice = h.devnet.api().node("alice").unwrap().node_id().to_string();

        // POST /v1/invoices and /v1/hold-invoices share their limits.
        for (route, schema_name) in [
            ("/v1/invoices", "CreateInvoiceRequest"),
            ("/v1/hold-invoices", "CreateHoldInvoiceRequest"),
        ] {
            let amount_max = max(schema_name, "amount_msat");
            assert_eq!(amount_max, MAX_INVOICE_AMOUNT_MSAT.as_u64());
            let desc = bytes(schema_name, "description");
            let meta = bytes(schema_name, "metadata");
            let ext = chars(schema_name, "external_id");
            // {"k":"…"} is 8 bytes of overhead.
            let cases = [
                Boundary {
                    what: "amount_msat max",
                    at: json!({"amount_msat": amount_max}),
                    beyond: json!({"amount_msat": amount_max + 1}),
                },
                Boundary {
                    what: "amount_msat min",
                    at: json!({"amount_msat": min(schema_name, "amount_msat")}),
                    beyond: json!({"amount_msat": 0}),
                },
                Boundary {
                    what: "description bytes",
                    at: json!({"description": utf8(desc)}),
                    beyond: json!({"description": utf8(desc + 1)}),
                },
                Boundary {
                    what: "expiry_secs min",
                    at: json!({"expiry_secs": min(schema_name, "expiry_secs")}),
                    beyond: json!({"expiry_secs": 0}),
                },
                Boundary {
                    what: "expiry_secs max",
                    at: json!({"expiry_secs": max(schema_name, "expiry_secs")}),
                    beyond: json!({"expiry_secs": max(schema_name, "expiry_secs") + 1}),
                },
                Boundary {
                    what: "external_id length",
                    at: json!({"external_id": format!("{}:{}", unique("x"), "a".repeat(ext - 19))}),
                    beyond: json!({"external_id": "a".repeat(ext + 1)}),
                },
                Boundary {
                    what: "external_id characters",
                    at: json!({"external_id": format!("order.{}", unique("y"))}),
                    beyond: json!({"external_id": "order/1"}),
                },
                Boundary {
                    what: "metadata bytes",
                    at: json!({"metadata": {"k": "a".repeat(meta - 8)}}),
                    beyond: json!({"metadata": {"k": "a".repeat(meta - 7)}}),
                },
                Boundary {
                    what: "description_hash hex",
                    at: json!({"description_hash": "ab".repeat(32)}),
                    beyond: json!({"description_hash": format!("+{}", "a".repeat(63))}),
                },
                Boundary {
                    what: "description_hash case",
                    at: json!({"description_hash": "cd".repeat(32)}),
                    beyond: json!({"description_hash": "CD".repeat(32)}),
                },
                Boundary {
                    what: "optional fields may be null",
                    at: json!({"description": null, "expiry_secs": null, "metadata": null}),
                    beyond: json!({"expiry_secs": "60"}),
                },
            ];
            for case in cases {
                for (value, ok) in [(&case.at, true), (&case.beyond, false)] {
                    let mut body = value.clone();
                    if route == "/v1/hold-invoices" {
                        let (_p, hash) = random_preimage();
                        body["payment_hash"] = json!(hash.to_string());
                    }
                    let scope = if route == "/v1/invoices" {
                        ApiKeyScope::Invoice
                    } else {
                        ApiKeyScope::Admin
                    };
                    let key = new_key(h, &admin_key, scope).await;
                    let a = call(h, Method::POST, route, &key, Some(body.to_string())).await;
                    if ok {
                        assert!(
                            a.status != 400 && a.status < 500,
                            "{route} {}: {value} → {a:?}",
                            case.what
                        );
                    } else {
                        assert_eq!(
                            (a.status, a.code.as_str()),
                            (400, "invalid_request"),
                            "{route} {}: {value}",
                            case.what
                        );
                    }
                }
            }
        }
        // A hold invoice's payment hash: exactly 64 lower-case hex digits, no sign.
        for bad in [
            format!("+{}", "1".repeat(63)),
            "AB".repeat(32),
            "ab".repeat(31),
        ] {
            let a = call(
                h,
                Method::POST,
                "/v1/hold-invoices",
                &new_key(h, &admin_key, ApiKeyScope::Admin).await,
                Some(json!({"payment_hash": bad}).to_string()),
            )
            .await;
            assert_eq!(
                (a.status, a.code.as_str()),
                (400, "invalid_request"),
                "payment_hash {bad}"
            );
        }

        // Payments: limits checked before the balance (this account has none: 422 at the edge).
        let pay = |extra: Value| {
            let mut b =
                json!({"bolt11": bolt11_any, "amount_msat": 1000, "idempotency_key": unique("p")});
            for (k, v) in extra.as_object().unwrap() {
                b[k] = v.clone();
            }
            b
        };
        let keysend = |extra: Value| {
            let mut b =
                json!({"destination": alice, "amount_msat": 1000, "idempotency_key": unique("k")});
            for (k, v) in extra.as_object().unwrap() {
                b[k] = v.clone();
            }
            b
        };
        let record_bytes = bytes("CustomRecord", "value");
        let records = |n: usize| {
            (0..n)
                .map(|i| json!({"type": 65_536 + i as u64, "value": "00"}))
                .collect::<Vec<_>>()
        };
        let key_len = chars("PayInvoiceRequest", "idempotency_key");
        let cases: Vec<(&str, Value, Value)> = vec![
            (
                "/v1/payments/bolt11",
                pay(json!({"max_parts": max("PayInvoiceRequest", "max_parts")})),
                pay(json!({"max_parts": max("PayInvoiceRequest", "max_parts") + 1})),
            ),
            (
                "/v1/payments/bolt11",
                pay(json!({"max_parts": 1})),
                pay(json!({"max_parts": 0})),
            ),
            (
                "/v1/payments/bolt11",
                pay(json!({"timeout_secs": max("PayInvoiceRequest", "timeout_secs")})),
                pay(json!({"timeout_secs": max("PayInvoiceRequest", "timeout_secs") + 1})),
            ),
            (
                "/v1/payments/bolt11",
                pay(json!({"timeout_secs": min("PayInvoiceRequest", "timeout_secs")})),
                pay(json!({"timeout_secs": 0})),
            ),
            (
                "/v1/payments/bolt11",
                // Amount plus maximum fee is at most the documented maximum too.
                pay(
                    json!({"amount_msat": 1, "max_fee_msat": max("PayInvoiceRequest", "max_fee_msat") - 1}),
                ),
                pay(json!({"max_fee_msat": max("PayInvoiceRequest", "max_fee_msat") + 1})),
            ),
            (
                "/v1/payments/bolt11",
                pay(
                    json!({"idempotency_key": format!("{}.{}", unique("i"), "a".repeat(key_len - 19))}),
                ),
                pay(json!({"idempotency_key": "a".repeat(key_len + 1)})),
            ),
            (
                "/v1/payments/bolt11",
                pay(json!({"amount_msat": 1})),
                pay(json!({"amount_msat": 0})),
            ),
            (
                "/v1/payments/keysend",
                keysend(json!({"custom_records": records(32)})),
                keysend(json!({"custom_records": records(33)})),
            ),
            (
                "/v1/payments/keysend",
                keysend(
                    json!({"custom_records": [{"type": 65_536, "value": "ab".repeat(record_bytes)}]}),
                ),
                keysend(
                    json!({"custom_records": [{"type": 65_536, "value": "ab".repeat(record_bytes + 1)}]}),
                ),
            ),
            (
                "/v1/payments/keysend",
                keysend(json!({"custom_records": [{"type": 65_536, "value": "0a"}]})),
                keysend(json!({"custom_records": [{"type": 65_535, "value": "0a"}]})),
            ),
            (
                "/v1/payments/keysend",
                keysend(
                    json!({"custom_records": [{"type": 65_536, "value": "0a"}, {"type": 65_537, "value": "0b"}]}),
                ),
                keysend(
                    json!({"custom_records": [{"type": 65_536, "value": "0a"}, {"type": 65_536, "value": "0b"}]}),
                ),
            ),
            (
                "/v1/payments/keysend",
                keysend(json!({"custom_records": [{"type": 65_536, "value": "0a"}]})),
                keysend(json!({"custom_records": [{"type": 65_536, "value": "+a"}]})),
            ),
            (
                "/v1/payments/keysend",
                keysend(json!({"amount_msat": 1})),
                keysend(json!({"amount_msat": 0})),
            ),
            (
                "/v1/payments/keysend",
                keysend(json!({})),
                keysend(json!({"destination": alice.to_uppercase()})),
            ),
        ];
        check_boundaries(h, &admin_key, cases).await;

        // Keys and webhooks: labels and texts in bytes, URLs, repeated event types.
        let label = bytes("CreateApiKeyRequest", "label");
        let url = bytes("CreateWebhookRequest", "url");
        let wh_desc = bytes("CreateWebhookRequest", "description");
        let long_url = |n: usize| format!("https://hooks.example/{}", "a".repeat(n - 22));
        let cases: Vec<(&str, Value, Value)> = vec![
            (
                "/v1/api-keys",
                json!({"scope": "invoice", "label": utf8(label)}),
                json!({"scope": "invoice", "label": utf8(label + 1)}),
            ),
            (
                "/v1/api-keys",
                json!({"scope": "invoice", "label": "a"}),
                json!({"scope": "invoice", "label": ""}),
            ),
            (
                "/v1/webhooks",
                json!({"url": long_url(url)}),
                json!({"url": long_url(url + 1)}),
            ),
            (
                "/v1/webhooks",
                json!({"url": "https://hooks.example/", "description": utf8(wh_desc)}),
                json!({"url": "https://hooks.example/", "description": utf8(wh_desc + 1)}),
            ),
            (
                "/v1/webhooks",
                json!({"url": "http://hooks.example/"}),
                json!({"url": "ftp://hooks.example/"}),
            ),
            (
                "/v1/webhooks",
                json!({"url": "https://hooks.example/", "event_types": ["invoice.paid", "payment.failed"]}),
                json!({"url": "https://hooks.example/", "event_types": ["invoice.paid", "invoice.paid"]}),
            ),
        ];
        check_boundaries(h, &admin_key, cases).await;

        // List pages: the documented `limit` maximum of every list route.
        for (template, ops) in doc["paths"].as_object().unwrap() {
            let Some(params) = ops["get"]["parameters"].as_array() else {
                continue;
            };
            let Some(limit) = params.iter().find(|p| p["name"] == "limit") else {
                continue;
            };
            if template.contains('{') {
                continue;
            }
            let m = limit["schema"]["maximum"].as_u64().unwrap();
            let a = call(
                h,
                Method::GET,
                &format!("{template}?limit={m}"),
                &admin_key,
                None,
            )
            .await;
            assert_eq!(a.status, 200, "{template} limit={m}: {a:?}");
            let b = call(
                h,
                Method::GET,
                &format!("{template}?limit={}", m + 1),
                &admin_key,
                None,
            )
            .await;
            assert_eq!(
                (b.status, b.code.as_str()),
                (400, "invalid_request"),
                "{template} limit={}",
                m + 1
            );
            let z = call(
                h,
                Method::GET,
                &format!("{template}?limit=0"),
                &admin_key,
                None,
            )
            .await;
            assert_eq!(z.status, 400, "{template} limit=0");
        }
    });
}
