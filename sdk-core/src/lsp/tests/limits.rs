//! The document states the SDK's limits: every bound `lsp/openapi.json` publishes equals the
//! constant in `lsp::model::limits` that the client and the server both check, so the three
//! cannot disagree.

use serde_json::{json, Value};

use super::*;
use crate::lsp::limits::*;
use crate::lsp::ApiErrorCode;

/// The property `field` of schema `schema`.
fn prop<'a>(doc: &'a Value, schema: &str, field: &str) -> &'a Value {
    let p = &doc["components"]["schemas"][schema]["properties"][field];
    assert!(!p.is_null(), "{schema}.{field} is not in the document");
    p
}

/// The schema of query or path parameter `name` of `method path`.
fn param<'a>(doc: &'a Value, path: &str, method: &str, name: &str) -> &'a Value {
    doc["paths"][path][method]["parameters"]
        .as_array()
        .and_then(|ps| ps.iter().find(|p| p["name"] == name))
        .map(|p| &p["schema"])
        .unwrap_or_else(|| panic!("{method} {path} has no parameter {name}"))
}

#[test]
fn invoice_limits_are_the_documented_ones() {
    let doc = doc();
    for schema in ["CreateInvoiceRequest", "CreateHoldInvoiceRequest"] {
        let amount = prop(&doc, schema, "amount_msat");
        assert_eq!(amount["minimum"], json!(1));
        assert_eq!(amount["maximum"], json!(MAX_INVOICE_AMOUNT_MSAT.as_u64()));
        let description = prop(&doc, schema, "description");
        assert_eq!(
            description["x-etrid-max-bytes"],
            json!(MAX_DESCRIPTION_BYTES)
        );
        assert!(description["maxLength"].is_null(), "bytes, not characters");
        let expiry = prop(&doc, schema, "expiry_secs");
        assert_eq!(expiry["minimum"], json!(MIN_EXPIRY_SECS));
        assert_eq!(expiry["maximum"], json!(MAX_EXPIRY_SECS));
        let external_id = prop(&doc, schema, "external_id");
        assert_eq!(external_id["maxLength"], json!(MAX_ID_LEN));
        assert_eq!(external_id["pattern"], json!("^[A-Za-z0-9_.:-]+$"));
        let metadata = prop(&doc, schema, "metadata");
        assert_eq!(metadata["x-etrid-max-bytes"], json!(MAX_METADATA_BYTES));
    }
}

#[test]
fn payment_limits_are_the_documented_ones() {
    let doc = doc();
    for schema in ["PayInvoiceRequest", "KeysendRequest"] {
        assert_eq!(prop(&doc, schema, "max_parts")["maximum"], json!(MAX_PARTS));
        let timeout = prop(&doc, schema, "timeout_secs");
        assert_eq!(timeout["minimum"], json!(MIN_TIMEOUT_SECS));
        assert_eq!(timeout["maximum"], json!(MAX_TIMEOUT_SECS));
        let fee = prop(&doc, schema, "max_fee_msat");
        assert_eq!(fee["maximum"], json!(MAX_AMOUNT_MSAT.as_u64()));
        let key = prop(&doc, schema, "idempotency_key");
        assert_eq!(key["maxLength"], json!(MAX_ID_LEN));
        assert_eq!(key["pattern"], json!("^[A-Za-z0-9_.:-]+$"));
        assert_eq!(prop(&doc, schema, "amount_msat")["minimum"], json!(1));
    }
    let records = prop(&doc, "KeysendRequest", "custom_records");
    assert_eq!(records["maxItems"], json!(MAX_CUSTOM_RECORDS));
    assert_eq!(records["x-etrid-unique-by"], json!("type"));
    let record_type = prop(&doc, "CustomRecord", "type");
    assert_eq!(record_type["minimum"], json!(MIN_CUSTOM_RECORD_TYPE));
    assert_eq!(record_type["not"]["const"], json!(KEYSEND_RECORD_TYPE));
    let value = prop(&doc, "CustomRecord", "value");
    assert_eq!(value["x-etrid-max-bytes"], json!(MAX_CUSTOM_RECORD_BYTES));
}

#[test]
fn key_webhook_id_and_page_limits_are_the_documented_ones() {
    let doc = doc();
    let label = prop(&doc, "CreateApiKeyRequest", "label");
    assert_eq!(label["minLength"], json!(1));
    assert_eq!(label["x-etrid-max-bytes"], json!(MAX_LABEL_BYTES));
    let url = prop(&doc, "CreateWebhookRequest", "url");
    assert_eq!(url["x-etrid-max-bytes"], json!(MAX_WEBHOOK_URL_BYTES));
    let description = prop(&doc, "CreateWebhookRequest", "description");
    assert_eq!(
        description["x-etrid-max-bytes"],
        json!(MAX_WEBHOOK_DESCRIPTION_BYTES)
    );
    assert_eq!(
        prop(&doc, "CreateWebhookRequest", "event_types")["uniqueItems"],
        json!(true)
    );
    let mut id_params = 0;
    let mut limit_params = 0;
    for (path, ops) in doc["paths"].as_object().unwrap() {
        for (method, op) in ops.as_object().unwrap() {
            for p in op["parameters"].as_array().into_iter().flatten() {
                let schema = &p["schema"];
                if p["in"] == "path" {
                    id_params += 1;
                    assert_eq!(schema["maxLength"], json!(MAX_ID_LEN), "{path}");
                    // LNURL-pay routes take a Lightning Address name with an optional `+tag`.
                    let pattern = if op["x-etrid-lnurl"] == true && path.contains("lnurlp") {
                        "^[A-Za-z0-9_+-]+$"
                    } else {
                        "^[A-Za-z0-9_-]+$"
                    };
                    assert_eq!(schema["pattern"], json!(pattern), "{path}");
                }
                if p["name"] == "limit" {
                    limit_params += 1;
                    let max = if path == "/v1/events" {
                        MAX_EVENTS_LIMIT
                    } else {
                        MAX_PAGE_LIMIT
                    };
                    assert_eq!(schema["minimum"], json!(1), "{method} {path}");
                    assert_eq!(schema["maximum"], json!(max), "{method} {path}");
                }
            }
        }
    }
    assert!(id_params >= 10 && limit_params >= 7);
    assert_eq!(
        param(&doc, "/v1/events", "get", "limit")["maximum"],
        json!(MAX_EVENTS_LIMIT)
    );
}

#[test]
fn the_document_lists_every_error_code() {
    let doc = doc();
    let documented = &doc["components"]["schemas"]["ErrorResponse"]["properties"]["code"]["enum"];
    let codes: Vec<&str> = ApiErrorCode::ALL.iter().map(|c| c.as_str()).collect();
    assert_eq!(documented, &json!(codes));
}

#[test]
fn the_documented_error_table_has_every_code_with_its_status() {
    let doc = doc();
    let table: Vec<(String, u64)> = doc["x-etrid-error-codes"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| {
            (
                e["code"].as_str().unwrap().to_owned(),
                e["status"].as_u64().unwrap(),
            )
        })
        .collect();
    let ours: Vec<(String, u64)> = ApiErrorCode::ALL
        .iter()
        .map(|c| (c.as_str().to_owned(), u64::from(c.http_status())))
        .collect();
    assert_eq!(table, ours);
}
