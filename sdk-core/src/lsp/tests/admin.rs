//! API keys, webhooks and node operations: request shapes and decoding.

use serde_json::json;

use crate::amount::Msat;

use super::*;
use crate::lsp::{
    ApiKeyScope, CreateApiKeyRequest, CreateWebhookRequest, DeliveryStatus, EventType,
    HealthStatus, ListPageRequest, LspError,
};
use crate::transport::HttpResponse;

#[test]
fn api_keys_are_created_listed_and_revoked() {
    let (client, transport, _) = client();
    let key = json!({"id": "key_1", "scope": "invoice", "label": "game", "prefix": "etrid_inv_ab",
        "created_at": T0, "key": "etrid_inv_abcdef"});
    transport.push_json(201, &key.to_string());
    let listed = json!({"id": "key_1", "scope": "invoice", "label": "game", "prefix": "etrid_inv_ab",
        "created_at": T0, "last_used_at": null, "revoked_at": null});
    transport.push_json(
        200,
        &json!({"items": [listed], "next_cursor": null}).to_string(),
    );
    let mut revoked = listed.clone();
    revoked["revoked_at"] = json!(T0 + 1);
    transport.push_json(200, &revoked.to_string());
    let created = run(client.create_api_key(CreateApiKeyRequest {
        scope: ApiKeyScope::Invoice,
        label: "game".into(),
    }))
    .unwrap();
    assert_eq!(created.key, "etrid_inv_abcdef");
    assert!(!format!("{created:?}").contains("abcdef"));
    let list = run(client.list_api_keys(ListPageRequest::default())).unwrap();
    assert_eq!(list.items[0].scope, ApiKeyScope::Invoice);
    assert_eq!(
        run(client.revoke_api_key("key_1")).unwrap().revoked_at,
        Some(T0 + 1)
    );
    let sent = transport.requests();
    assert_request(&sent[0], "POST", "https://lsp.test/api/v1/api-keys");
    assert_eq!(body(&sent[0]), json!({"scope": "invoice", "label": "game"}));
    assert_request(&sent[1], "GET", "https://lsp.test/api/v1/api-keys");
    assert_request(&sent[2], "DELETE", "https://lsp.test/api/v1/api-keys/key_1");
    let empty = run(client.create_api_key(CreateApiKeyRequest {
        scope: ApiKeyScope::Admin,
        label: String::new(),
    }))
    .unwrap_err();
    assert!(matches!(empty, LspError::InvalidRequest { .. }));
    assert_eq!(transport.requests().len(), 3);
}

#[test]
fn s17_an_invoice_key_paying_or_managing_keys_gets_forbidden() {
    let (client, transport, _) = client();
    transport.push_json(
        403,
        r#"{"code":"forbidden_scope","message":"admin scope required"}"#,
    );
    let error = run(client.list_api_keys(ListPageRequest::default())).unwrap_err();
    assert_eq!(
        error,
        LspError::Forbidden {
            message: "admin scope required".into()
        }
    );
}

#[test]
fn webhooks_are_created_listed_deleted_and_redelivered() {
    let (client, transport, _) = client();
    let hook = json!({"id": "wh_1", "url": "https://shop.example/hook", "event_types": ["invoice.paid"],
        "description": null, "enabled": true, "created_at": T0});
    let mut created = hook.clone();
    created["secret"] = json!("whsec_s3cret");
    transport.push_json(201, &created.to_string());
    transport.push_json(
        200,
        &json!({"items": [hook], "next_cursor": null}).to_string(),
    );
    transport.push_response(Ok(HttpResponse {
        status: 204,
        headers: vec![],
        body: vec![],
    }));
    let delivery = json!({"id": "dl_1", "webhook_id": "wh_1", "event_id": 12, "event_type": "invoice.paid",
        "status": "pending", "attempts": 3, "last_attempt_at": T0, "last_status_code": 500,
        "last_error": null, "next_retry_at": T0 + 300, "created_at": T0});
    transport.push_json(
        200,
        &json!({"items": [delivery], "next_cursor": "d2"}).to_string(),
    );
    transport.push_json(202, &delivery.to_string());
    let response = run(client.create_webhook(CreateWebhookRequest {
        url: "https://shop.example/hook".into(),
        event_types: vec![EventType::InvoicePaid],
        description: None,
    }))
    .unwrap();
    assert_eq!(response.secret, "whsec_s3cret");
    assert!(!format!("{response:?}").contains("s3cret"));
    assert_eq!(
        run(client.list_webhooks(ListPageRequest::default()))
            .unwrap()
            .items
            .len(),
        1
    );
    run(client.delete_webhook("wh_1")).unwrap();
    let page = run(client.list_webhook_deliveries(
        "wh_1",
        ListPageRequest {
            limit: Some(10),
            cursor: Some("d1".into()),
        },
    ))
    .unwrap();
    assert_eq!(page.items[0].status, DeliveryStatus::Pending);
    assert_eq!(page.items[0].last_status_code, Some(500));
    run(client.redeliver_webhook("wh_1", "dl_1")).unwrap();
    let sent = transport.requests();
    assert_request(&sent[0], "POST", "https://lsp.test/api/v1/webhooks");
    assert_eq!(
        body(&sent[0]),
        json!({"url": "https://shop.example/hook", "event_types": ["invoice.paid"]})
    );
    assert_request(&sent[1], "GET", "https://lsp.test/api/v1/webhooks");
    assert_request(&sent[2], "DELETE", "https://lsp.test/api/v1/webhooks/wh_1");
    assert_request(
        &sent[3],
        "GET",
        "https://lsp.test/api/v1/webhooks/wh_1/deliveries?limit=10&cursor=d1",
    );
    assert_request(
        &sent[4],
        "POST",
        "https://lsp.test/api/v1/webhooks/wh_1/deliveries/dl_1/redeliver",
    );
    let bad = run(client.create_webhook(CreateWebhookRequest {
        url: "javascript:alert(1)".into(),
        ..CreateWebhookRequest::default()
    }))
    .unwrap_err();
    assert!(matches!(bad, LspError::InvalidRequest { .. }));
    assert_eq!(transport.requests().len(), 5);
}

#[test]
fn node_info_channels_liquidity_and_health_are_read() {
    let (client, transport, _) = client();
    transport.push_json(200, r#"{"status":"ok","version":"0.1.0"}"#);
    let node = json!({"node_id": "0279be667ef9dcbbac55a06295ce870b07029bfcdb2dce28d959f2815b16f81798", "network": "regtest", "alias": null,
        "block_height": 150, "synced": true, "num_channels": 2, "num_usable_channels": 2,
        "num_peers": 3, "listening_addresses": ["127.0.0.1:9735"], "version": "0.1.0"});
    transport.push_json(200, &node.to_string());
    let channel = json!({"id": "ch_1", "channel_id": "cc".repeat(32),
        "counterparty_node_id": "02c6047f9441ed7d6d3045406e95c07cd85c778e4b8cef3ca7abac09b95c709ee5", "capacity_msat": 1_000_000_000u64,
        "outbound_capacity_msat": 600_000_000u64, "inbound_capacity_msat": 390_000_000u64,
        "is_usable": true, "is_public": false, "is_outbound": true, "confirmations": 6,
        "funding_txid": "dd".repeat(32)});
    transport.push_json(200, &json!({"items": [channel]}).to_string());
    transport.push_json(
        200,
        &json!({"total_outbound_msat": 600_000_000u64, "total_inbound_msat": 390_000_000u64,
        "largest_outbound_msat": 600_000_000u64, "largest_inbound_msat": 390_000_000u64,
        "usable_channels": 1, "pending_channels": 0,
        "onchain_spendable_msat": 150_000_000u64, "onchain_reserved_msat": 50_000_000u64})
        .to_string(),
    );
    assert_eq!(run(client.health()).unwrap().status, HealthStatus::Ok);
    assert_eq!(run(client.node_info()).unwrap().network, Network::Regtest);
    assert_eq!(
        run(client.list_channels()).unwrap().items[0].confirmations,
        Some(6)
    );
    let liquidity = run(client.liquidity()).unwrap();
    assert_eq!(liquidity.usable_channels, 1);
    assert_eq!(
        liquidity.onchain_spendable_msat,
        Msat::from_msat(150_000_000)
    );
    let urls: Vec<String> = transport.requests().into_iter().map(|r| r.url).collect();
    assert_eq!(
        urls,
        [
            "https://lsp.test/api/v1/health",
            "https://lsp.test/api/v1/node",
            "https://lsp.test/api/v1/channels",
            "https://lsp.test/api/v1/liquidity"
        ]
    );
}
