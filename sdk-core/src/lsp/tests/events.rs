//! Event listing and the resumable subscription: resume after drops without duplicates,
//! backoff, giving up, unknown types and bad messages.

use std::time::Duration;

use serde_json::json;

use super::*;
use crate::lsp::{EventType, ListEventsRequest, LspConfig, LspError, ReconnectPolicy};
use crate::transport::TransportError;

fn paid(id: u64) -> String {
    event_text(
        id,
        "invoice.paid",
        invoice_value(&format!("inv_{id}"), "paid", T0 + 60),
    )
}

#[test]
fn s18_resume_after_a_dropped_stream_misses_and_repeats_nothing() {
    let (client, transport, timer) = client();
    transport.push_stream(vec![
        Ok(paid(1)),
        Ok(paid(2)),
        Ok(paid(3)),
        Err(TransportError::Io {
            url: "wss://lsp.test".into(),
            reason: "reset".into(),
        }),
    ]);
    // The server replays from after=3; a duplicate and an older id are dropped.
    transport.push_stream(vec![Ok(paid(3)), Ok(paid(4)), Ok(paid(2)), Ok(paid(5))]);
    let mut events = client.subscribe_events(None);
    let mut ids = Vec::new();
    for _ in 0..5 {
        ids.push(run(events.next()).unwrap().id);
    }
    assert_eq!(ids, vec![1, 2, 3, 4, 5]);
    assert_eq!(events.last_id(), Some(5));
    let opened = transport.opened_streams();
    assert_eq!(opened.len(), 2);
    assert_eq!(opened[0].0, "wss://lsp.test/api/v1/events/stream");
    assert_eq!(opened[1].0, "wss://lsp.test/api/v1/events/stream?after=3");
    for (_, headers) in &opened {
        assert!(headers.contains(&("Authorization".into(), "Bearer etrid_admin_test".into())));
    }
    // One backoff, the initial one, between the drop and the reconnect.
    assert_eq!(timer.sleeps(), vec![Duration::from_millis(500)]);
}

#[test]
fn a_subscription_resumes_from_the_given_id_and_over_plain_http() {
    let transport = MemoryTransport::new();
    let timer = std::sync::Arc::new(SimulatedTimer::from_unix_secs(T0));
    let config = LspConfig::new("http://127.0.0.1:3000", KEY, Network::Regtest);
    let client = LspClient::new(config, transport.clone(), timer).unwrap();
    transport.push_stream(vec![Ok(paid(41)), Ok(paid(42))]);
    let mut events = client.subscribe_events(Some(41));
    let event = run(events.next()).unwrap();
    assert_eq!(event.id, 42);
    assert_eq!(event.event_type(), EventType::InvoicePaid);
    assert_eq!(event.invoice().unwrap().id, "inv_42");
    assert!(event.payment().is_none());
    assert_eq!(
        transport.opened_streams()[0].0,
        "ws://127.0.0.1:3000/v1/events/stream?after=41"
    );
}

#[test]
fn the_subscription_gives_up_after_the_configured_attempts_with_backoff() {
    let transport = MemoryTransport::new();
    let timer = std::sync::Arc::new(SimulatedTimer::from_unix_secs(T0));
    let mut config = LspConfig::new(BASE, KEY, Network::Regtest);
    config.reconnect = ReconnectPolicy {
        max_attempts: 4,
        initial_backoff: Duration::from_secs(1),
        max_backoff: Duration::from_secs(3),
    };
    let client = LspClient::new(config, transport.clone(), timer.clone()).unwrap();
    let mut events = client.subscribe_events(Some(7));
    let error = run(events.next()).unwrap_err();
    assert!(
        matches!(error, LspError::StreamGaveUp { attempts: 4, .. }),
        "{error:?}"
    );
    assert_eq!(error.code(), "lsp_stream_gave_up");
    assert_eq!(transport.opened_streams().len(), 4);
    let secs: Vec<u64> = timer.sleeps().iter().map(|d| d.as_secs()).collect();
    assert_eq!(secs, vec![1, 2, 3]);
    // Reading again starts a new round, still from the last id.
    transport.push_stream(vec![Ok(paid(8))]);
    assert_eq!(run(events.next()).unwrap().id, 8);
    assert!(transport.opened_streams()[4].0.ends_with("?after=7"));
}

#[test]
fn unknown_types_are_skipped_and_bad_events_reported_once() {
    let (client, transport, _) = client();
    transport.push_stream(vec![
        Ok(json!({"id": 1, "type": "webhook.disabled", "created_at": T0, "data": {}}).to_string()),
        Ok("not json".into()),
        Ok(
            json!({"id": 2, "type": "invoice.paid", "created_at": T0, "data": {"id": 5}})
                .to_string(),
        ),
        Ok(event_text(
            3,
            "payment.succeeded",
            payment_value("pay_1", "succeeded"),
        )),
    ]);
    let mut events = client.subscribe_events(None);
    assert!(matches!(run(events.next()), Err(LspError::Decode { .. })));
    assert!(matches!(run(events.next()), Err(LspError::Decode { .. })));
    assert_eq!(events.last_id(), Some(2));
    let event = run(events.next()).unwrap();
    assert_eq!(event.id, 3);
    assert_eq!(event.payment().unwrap().id, "pay_1");
}

#[test]
fn list_events_pages_with_after_and_limit() {
    let (client, transport, _) = client();
    let page = json!({"items": [
        {"id": 4, "type": "invoice.expired", "created_at": T0, "data": invoice_value("inv_4", "expired", T0)},
        {"id": 5, "type": "payment.failed", "created_at": T0, "data": payment_value("pay_5", "failed")}
    ], "has_more": true});
    transport.push_json(200, &page.to_string());
    let list = run(client.list_events(ListEventsRequest {
        after: Some(3),
        limit: Some(2),
    }))
    .unwrap();
    assert!(list.has_more);
    assert_eq!(list.items[0].event_type(), EventType::InvoiceExpired);
    assert_eq!(list.items[1].event_type(), EventType::PaymentFailed);
    assert_request(
        &transport.requests()[0],
        "GET",
        "https://lsp.test/api/v1/events?after=3&limit=2",
    );
}

#[test]
fn events_serialise_back_to_the_wire_shape() {
    let text = paid(9);
    let event: crate::lsp::LspEvent = serde_json::from_str(&text).unwrap();
    let back: serde_json::Value = serde_json::to_value(&event).unwrap();
    assert_eq!(
        back,
        serde_json::from_str::<serde_json::Value>(&text).unwrap()
    );
}
