//! Webhooks: signed with sdk-core's scheme and verified by its verifier, delivered, logged and
//! redelivered on request.

use std::sync::{Arc, Mutex};
use std::time::Duration;

use etrid_core::lsp::{CreateWebhookRequest, EventType, ListPageRequest};
use etrid_core::platform::SystemClock;
use etrid_core::webhook::{WebhookVerifier, SIGNATURE_HEADER};

use crate::support::run;
use crate::{account, harness, invoice_req};

/// What the test webhook receiver got: headers of interest and the raw body.
#[derive(Debug, Clone)]
struct Received {
    signature: String,
    event_id: String,
    body: Vec<u8>,
}

#[test]
fn lsp_webhook_is_signed_delivered_logged_and_redelivered() {
    run(async {
        let h = harness().await;
        let (admin, game) = account(h, "webhook").await;
        let got: Arc<Mutex<Vec<Received>>> = Arc::default();
        let sink = Arc::clone(&got);
        let app = axum::Router::new().route(
            "/hook",
            axum::routing::post(
                move |headers: axum::http::HeaderMap, body: axum::body::Bytes| {
                    let sink = Arc::clone(&sink);
                    async move {
                        let header = |n: &str| {
                            headers
                                .get(n)
                                .and_then(|v| v.to_str().ok())
                                .unwrap_or_default()
                                .to_owned()
                        };
                        sink.lock().unwrap().push(Received {
                            signature: header(SIGNATURE_HEADER),
                            event_id: header("Etrid-Event-Id"),
                            body: body.to_vec(),
                        });
                        axum::http::StatusCode::NO_CONTENT
                    }
                },
            ),
        );
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        tokio::spawn(async move { axum::serve(listener, app).await });
        let hook = admin
            .create_webhook(CreateWebhookRequest {
                url: format!("http://{addr}/hook"),
                event_types: vec![EventType::InvoicePaid],
                description: Some("test receiver".into()),
            })
            .await
            .unwrap();
        let inv = game
            .create_invoice(invoice_req(3_000, "hooked"))
            .await
            .unwrap();
        h.devnet_pay("bob", &inv.bolt11).await;
        let deadline = std::time::Instant::now() + Duration::from_secs(30);
        while got.lock().unwrap().is_empty() {
            assert!(std::time::Instant::now() < deadline, "no webhook delivery");
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        let first = got.lock().unwrap()[0].clone();
        let verifier = WebhookVerifier::new(hook.secret.as_bytes()).unwrap();
        verifier
            .verify(&first.signature, &first.body, &SystemClock)
            .unwrap();
        let wrong = WebhookVerifier::new(b"whsec_wrong").unwrap();
        assert!(wrong
            .verify(&first.signature, &first.body, &SystemClock)
            .is_err());
        let event: etrid_core::lsp::LspEvent = serde_json::from_slice(&first.body).unwrap();
        assert_eq!(event.event_type(), EventType::InvoicePaid);
        assert_eq!(event.invoice().unwrap().id, inv.id);
        assert_eq!(first.event_id, event.id.to_string());
        // The delivery log says succeeded; redelivery sends the same event again.
        let log = admin
            .list_webhook_deliveries(&hook.id, ListPageRequest::default())
            .await
            .unwrap();
        assert_eq!(log.items.len(), 1);
        let delivery = &log.items[0];
        assert_eq!(delivery.event_id, event.id);
        assert_eq!(delivery.last_status_code, Some(204));
        admin
            .redeliver_webhook(&hook.id, &delivery.id)
            .await
            .unwrap();
        let deadline = std::time::Instant::now() + Duration::from_secs(30);
        while got.lock().unwrap().len() < 2 {
            assert!(std::time::Instant::now() < deadline, "no redelivery");
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        let second = got.lock().unwrap()[1].clone();
        assert_eq!(second.event_id, first.event_id);
        verifier
            .verify(&second.signature, &second.body, &SystemClock)
            .unwrap();
        admin.delete_webhook(&hook.id).await.unwrap();
        assert_eq!(
            admin.delete_webhook(&hook.id).await.unwrap_err().code(),
            "lsp_not_found"
        );
    });
}
