//! Scopes and tenancy (S17) and balance refusals (S19): what an invoice key and another
//! account's keys cannot do, endpoint by endpoint.

use std::time::Duration;

use etrid_core::lsp::{
    ApiKeyScope, CreateApiKeyRequest, CreateWebhookRequest, ListInvoicesRequest, ListPageRequest,
    PayInvoiceRequest, WaitOutcome,
};
use etrid_core::platform::SystemClock;

use crate::support::run;
use crate::{account, harness, invoice_req, resources};

#[test]
fn s17_an_invoice_key_cannot_pay_manage_keys_or_see_other_accounts() {
    run(async {
        let h = harness().await;
        let (admin_a, game_a) = account(h, "s17a").await;
        let (_admin_b, game_b) = account(h, "s17b").await;
        let theirs = game_b
            .create_invoice(invoice_req(100, "b's"))
            .await
            .unwrap();

        let bolt11 = h.devnet_invoice("alice", Some(1_000));
        let prepared = game_a
            .prepare_pay_invoice(PayInvoiceRequest {
                bolt11,
                idempotency_key: "s17-pay".into(),
                ..PayInvoiceRequest::default()
            })
            .unwrap();
        assert_eq!(
            game_a.pay(prepared).await.unwrap_err().code(),
            "lsp_forbidden_scope"
        );
        let key_req = CreateApiKeyRequest {
            scope: ApiKeyScope::Admin,
            label: "escalate".into(),
        };
        assert_eq!(
            game_a
                .create_api_key(key_req.clone())
                .await
                .unwrap_err()
                .code(),
            "lsp_forbidden_scope"
        );
        assert_eq!(
            game_a
                .list_api_keys(ListPageRequest::default())
                .await
                .unwrap_err()
                .code(),
            "lsp_forbidden_scope"
        );
        assert_eq!(
            game_a.balance().await.unwrap_err().code(),
            "lsp_forbidden_scope"
        );
        assert_eq!(
            game_a
                .create_webhook(CreateWebhookRequest {
                    url: "http://127.0.0.1:9/x".into(),
                    ..CreateWebhookRequest::default()
                })
                .await
                .unwrap_err()
                .code(),
            "lsp_forbidden_scope"
        );
        // Another account's data is not found, for invoice and admin keys alike.
        assert_eq!(
            game_a.get_invoice(&theirs.id).await.unwrap_err().code(),
            "lsp_not_found"
        );
        assert_eq!(
            admin_a.get_invoice(&theirs.id).await.unwrap_err().code(),
            "lsp_not_found"
        );
        assert_eq!(
            admin_a.cancel_invoice(&theirs.id).await.unwrap_err().code(),
            "lsp_not_found"
        );
        let listed = admin_a
            .list_invoices(ListInvoicesRequest::default())
            .await
            .unwrap();
        assert!(listed.items.iter().all(|i| i.id != theirs.id));
        // A revoked key is refused at once.
        let spare = admin_a
            .create_api_key(CreateApiKeyRequest {
                scope: ApiKeyScope::Invoice,
                label: "to revoke".into(),
            })
            .await
            .unwrap();
        let spare_client = h.client(&spare.key);
        spare_client
            .list_invoices(ListInvoicesRequest::default())
            .await
            .unwrap();
        admin_a.revoke_api_key(&spare.id).await.unwrap();
        assert_eq!(
            spare_client
                .list_invoices(ListInvoicesRequest::default())
                .await
                .unwrap_err()
                .code(),
            "lsp_unauthorized"
        );
        let _ = key_req;
    });
}

#[test]
fn s19_a_payment_beyond_the_balance_is_refused_before_anything_leaves() {
    run(async {
        let h = harness().await;
        let (admin, game) = account(h, "s19").await;
        let inv = game
            .create_invoice(invoice_req(10_000, "deposit"))
            .await
            .unwrap();
        h.devnet_pay("alice", &inv.bolt11).await;
        assert!(matches!(
            game.wait_for_payment(&inv.id, Duration::from_secs(30))
                .await
                .unwrap(),
            WaitOutcome::Paid(_)
        ));
        let before = admin.balance().await.unwrap();
        assert_eq!(before.available_msat.as_u64(), 10_000_000);
        let bolt11 = h.devnet_invoice("alice", Some(20_000_000));
        let prepared = admin
            .prepare_pay_invoice(PayInvoiceRequest {
                bolt11: bolt11.clone(),
                idempotency_key: "s19-too-much".into(),
                ..PayInvoiceRequest::default()
            })
            .unwrap();
        let err = admin.pay(prepared).await.unwrap_err();
        assert_eq!(err.code(), "lsp_insufficient_balance");
        assert_eq!(admin.balance().await.unwrap(), before);
        let payments = admin
            .list_payments(etrid_core::lsp::ListPaymentsRequest::default())
            .await
            .unwrap();
        assert!(payments.items.is_empty());
        // Nothing reached the payee: alice's invoice is still unpaid on her node.
        let hash = etrid_core::invoice::decode_invoice(
            &bolt11,
            etrid_core::network::Network::Regtest,
            &SystemClock,
        )
        .unwrap()
        .payment_hash;
        let alice = h.devnet.api().node("alice").unwrap().node().clone();
        let received = alice.list_payments().into_iter().any(|p| {
            p.status == ldk_node::payment::PaymentStatus::Succeeded
                && matches!(&p.kind, ldk_node::payment::PaymentKind::Bolt11 { hash: h, .. } if h.to_string() == hash)
        });
        assert!(!received);
    });
}

#[test]
fn s17_every_admin_endpoint_refuses_an_invoice_key_and_ids_of_other_accounts() {
    run(async {
        let h = harness().await;
        let (admin_a, game_a) = account(h, "scope-a").await;
        let (admin_b, _game_b) = account(h, "scope-b").await;
        let http = reqwest::Client::new();
        let call = |method: reqwest::Method, path: String, key: String, body: Option<&str>| {
            let http = http.clone();
            let url = format!("{}{path}", h.api());
            let body = body.map(str::to_owned);
            async move {
                let mut req = http.request(method, url).bearer_auth(key);
                if let Some(b) = body {
                    req = req.header("content-type", "application/json").body(b);
                }
                let resp = req.send().await.unwrap();
                let status = resp.status().as_u16();
                let text = resp.text().await.unwrap_or_default();
                let json: serde_json::Value = serde_json::from_str(&text).unwrap_or_default();
                (status, json["code"].as_str().unwrap_or_default().to_owned())
            }
        };
        // B's resources, for the wrong-account checks.
        let b = resources(&admin_b).await;
        let game_key = game_a.config().api_key.clone();
        let admin_key = admin_a.config().api_key.clone();
        use reqwest::Method as M;
        let admin_only: Vec<(M, String, Option<&str>)> = vec![
            (
                M::POST,
                "/v1/hold-invoices".into(),
                Some(r#"{"payment_hash":"00"}"#),
            ),
            (
                M::POST,
                format!("/v1/hold-invoices/{}/settle", b.hold_invoice),
                Some(r#"{"preimage":"00"}"#),
            ),
            (
                M::POST,
                format!("/v1/hold-invoices/{}/cancel", b.hold_invoice),
                None,
            ),
            (
                M::POST,
                "/v1/payments/bolt11".into(),
                Some(r#"{"bolt11":"x","idempotency_key":"k"}"#),
            ),
            (
                M::POST,
                "/v1/payments/keysend".into(),
                Some(r#"{"destination":"x","amount_msat":1,"idempotency_key":"k"}"#),
            ),
            (M::GET, "/v1/payments".into(), None),
            (M::GET, "/v1/payments/pay_x".into(), None),
            (M::GET, "/v1/balance".into(), None),
            (M::GET, "/v1/ledger".into(), None),
            (
                M::POST,
                "/v1/webhooks".into(),
                Some(r#"{"url":"http://127.0.0.1:9/"}"#),
            ),
            (M::GET, "/v1/webhooks".into(), None),
            (M::DELETE, format!("/v1/webhooks/{}", b.webhook), None),
            (
                M::GET,
                format!("/v1/webhooks/{}/deliveries", b.webhook),
                None,
            ),
            (
                M::POST,
                format!("/v1/webhooks/{}/deliveries/dlv_x/redeliver", b.webhook),
                None,
            ),
            (
                M::POST,
                "/v1/api-keys".into(),
                Some(r#"{"scope":"admin","label":"x"}"#),
            ),
            (M::GET, "/v1/api-keys".into(), None),
            (M::DELETE, format!("/v1/api-keys/{}", b.key), None),
            (M::GET, "/v1/node".into(), None),
            (M::GET, "/v1/channels".into(), None),
            (M::GET, "/v1/liquidity".into(), None),
        ];
        for (method, path, body) in &admin_only {
            let got = call(method.clone(), path.clone(), game_key.clone(), *body).await;
            assert_eq!(got, (403, "forbidden_scope".to_owned()), "{method} {path}");
        }
        // Another account's ids answer 404, exactly like ids that do not exist.
        let foreign: Vec<(M, String, Option<&str>, String)> = vec![
            (
                M::GET,
                format!("/v1/invoices/{}", b.invoice),
                None,
                game_key.clone(),
            ),
            (
                M::POST,
                format!("/v1/invoices/{}/cancel", b.invoice),
                None,
                game_key.clone(),
            ),
            (
                M::POST,
                format!("/v1/hold-invoices/{}/cancel", b.hold_invoice),
                None,
                admin_key.clone(),
            ),
            (
                M::POST,
                format!("/v1/hold-invoices/{}/settle", b.hold_invoice),
                Some(
                    r#"{"preimage":"0000000000000000000000000000000000000000000000000000000000000000"}"#,
                ),
                admin_key.clone(),
            ),
            (
                M::DELETE,
                format!("/v1/webhooks/{}", b.webhook),
                None,
                admin_key.clone(),
            ),
            (
                M::GET,
                format!("/v1/webhooks/{}/deliveries", b.webhook),
                None,
                admin_key.clone(),
            ),
            (
                M::DELETE,
                format!("/v1/api-keys/{}", b.key),
                None,
                admin_key.clone(),
            ),
        ];
        for (method, path, body, key) in &foreign {
            let got = call(method.clone(), path.clone(), key.clone(), *body).await;
            assert_eq!(got, (404, "not_found".to_owned()), "{method} {path}");
        }
        // No key, a bad key: 401 everywhere but health and the OpenAPI document.
        let (status, code) =
            call(M::GET, "/v1/invoices".into(), "etrid_inv_nope".into(), None).await;
        assert_eq!((status, code.as_str()), (401, "unauthorized"));
        let health = http
            .get(format!("{}/v1/health", h.api()))
            .send()
            .await
            .unwrap();
        assert_eq!(health.status(), 200);
        let doc: serde_json::Value = serde_json::from_str(
            &http
                .get(format!("{}/v1/openapi.json", h.api()))
                .send()
                .await
                .unwrap()
                .text()
                .await
                .unwrap(),
        )
        .unwrap();
        let file: serde_json::Value =
            serde_json::from_str(include_str!("../../openapi.json")).unwrap();
        assert_eq!(
            doc, file,
            "the served document is the one in the repository"
        );
        // CORS: invoice-scope routes answer preflights for any origin; admin routes do not.
        let preflight = |path: &'static str| {
            let http = http.clone();
            let url = format!("{}{path}", h.api());
            async move {
                http.request(M::OPTIONS, url)
                    .header("Origin", "https://game.example")
                    .header("Access-Control-Request-Method", "POST")
                    .header(
                        "Access-Control-Request-Headers",
                        "authorization,content-type",
                    )
                    .send()
                    .await
                    .unwrap()
                    .headers()
                    .get("access-control-allow-origin")
                    .map(|v| v.to_str().unwrap_or_default().to_owned())
            }
        };
        assert_eq!(preflight("/v1/invoices").await.as_deref(), Some("*"));
        assert_eq!(preflight("/v1/payments/bolt11").await, None);
        // Unknown fields are refused, naming the field.
        let (status, code) = call(
            M::POST,
            "/v1/invoices".into(),
            game_key.clone(),
            Some(r#"{"amount_msat":1000,"colour":"red"}"#),
        )
        .await;
        assert_eq!((status, code.as_str()), (400, "invalid_request"));
    });
}
