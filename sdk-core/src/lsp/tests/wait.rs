//! `wait_for_payment`: paid by event, already settled, expired without an event (S12), timed
//! out, hold accepted, and a stream that cannot be kept open.

use std::time::Duration;

use super::*;
use crate::clock::Clock;
use crate::lsp::{LspConfig, LspError, ReconnectPolicy, WaitOutcome};

#[test]
fn s10_wait_returns_paid_when_the_paid_event_arrives() {
    let (client, transport, _) = client();
    transport.push_json(200, &invoice_value("inv_1", "open", T0 + 600).to_string());
    transport.push_json(200, &invoice_value("inv_1", "open", T0 + 600).to_string());
    transport.push_stream(vec![
        Ok(event_text(
            1,
            "invoice.paid",
            invoice_value("inv_other", "paid", T0 + 600),
        )),
        Ok(event_text(
            2,
            "payment.succeeded",
            payment_value("pay_1", "succeeded"),
        )),
        Ok(event_text(
            3,
            "invoice.paid",
            invoice_value("inv_1", "paid", T0 + 600),
        )),
    ]);
    let outcome = run(client.wait_for_payment("inv_1", Duration::from_secs(60))).unwrap();
    match outcome {
        WaitOutcome::Paid(invoice) => assert_eq!(invoice.id, "inv_1"),
        other => panic!("{other:?}"),
    }
    let sent = transport.requests();
    assert_eq!(sent.len(), 2);
    assert_request(&sent[1], "GET", "https://lsp.test/api/v1/invoices/inv_1");
    assert_eq!(
        transport.opened_streams()[0].0,
        "wss://lsp.test/api/v1/events/stream"
    );
}

#[test]
fn a_settled_invoice_returns_at_once_without_a_stream() {
    for (status, expected) in [
        ("paid", "Paid"),
        ("cancelled", "Cancelled"),
        ("expired", "Expired"),
    ] {
        let (client, transport, _) = client();
        transport.push_json(200, &invoice_value("inv_1", status, T0 + 600).to_string());
        let outcome = run(client.wait_for_payment("inv_1", Duration::from_secs(60))).unwrap();
        assert!(format!("{outcome:?}").starts_with(expected), "{outcome:?}");
        assert_eq!(transport.requests().len(), 1);
        assert!(transport.opened_streams().is_empty());
    }
}

#[test]
fn a_payment_between_the_first_read_and_the_stream_is_not_missed() {
    let (client, transport, _) = client();
    transport.push_json(200, &invoice_value("inv_1", "open", T0 + 600).to_string());
    transport.push_stream(vec![]);
    transport.push_json(200, &invoice_value("inv_1", "paid", T0 + 600).to_string());
    let outcome = run(client.wait_for_payment("inv_1", Duration::from_secs(60))).unwrap();
    assert!(matches!(outcome, WaitOutcome::Paid(_)));
}

#[test]
fn s12_wait_for_an_expiring_invoice_returns_expired_not_a_hang() {
    let (client, transport, timer) = client();
    // The server never sends invoice.expired: the stream just ends and reconnects fail.
    transport.push_json(200, &invoice_value("inv_1", "open", T0 + 30).to_string());
    transport.push_stream(vec![]);
    transport.push_json(200, &invoice_value("inv_1", "open", T0 + 30).to_string());
    transport.push_json(200, &invoice_value("inv_1", "open", T0 + 30).to_string());
    let outcome = run(client.wait_for_payment("inv_1", Duration::from_secs(3600))).unwrap();
    match outcome {
        WaitOutcome::Expired(invoice) => assert_eq!(invoice.expires_at, T0 + 30),
        other => panic!("{other:?}"),
    }
    assert_eq!(timer.now_unix_secs(), T0 + 30);
    assert_eq!(transport.requests().len(), 3);
}

#[test]
fn s12_an_invoice_expired_by_event_is_reported_expired() {
    let (client, transport, _) = client();
    transport.push_json(200, &invoice_value("inv_1", "open", T0 + 30).to_string());
    transport.push_json(200, &invoice_value("inv_1", "open", T0 + 30).to_string());
    transport.push_stream(vec![Ok(event_text(
        9,
        "invoice.expired",
        invoice_value("inv_1", "expired", T0 + 30),
    ))]);
    let outcome = run(client.wait_for_payment("inv_1", Duration::from_secs(3600))).unwrap();
    assert!(matches!(outcome, WaitOutcome::Expired(_)));
}

#[test]
fn wait_times_out_before_a_later_expiry() {
    let (client, transport, timer) = client();
    transport.push_json(200, &invoice_value("inv_1", "open", T0 + 3600).to_string());
    transport.push_stream(vec![]);
    transport.push_json(200, &invoice_value("inv_1", "open", T0 + 3600).to_string());
    let outcome = run(client.wait_for_payment("inv_1", Duration::from_secs(10))).unwrap();
    assert_eq!(outcome, WaitOutcome::TimedOut);
    assert_eq!(timer.now_unix_secs(), T0 + 10);
}

#[test]
fn a_held_hold_invoice_is_reported_accepted() {
    let (client, transport, _) = client();
    transport.push_json(200, &invoice_value("inv_h", "open", T0 + 600).to_string());
    transport.push_json(200, &invoice_value("inv_h", "open", T0 + 600).to_string());
    transport.push_stream(vec![Ok(event_text(
        1,
        "invoice.accepted",
        invoice_value("inv_h", "accepted", T0 + 600),
    ))]);
    let outcome = run(client.wait_for_payment("inv_h", Duration::from_secs(60))).unwrap();
    assert!(matches!(outcome, WaitOutcome::Accepted(_)));
}

#[test]
fn a_stream_that_cannot_open_ends_the_wait_with_an_error() {
    let transport = MemoryTransport::new();
    let timer = std::sync::Arc::new(SimulatedTimer::from_unix_secs(T0));
    let mut config = LspConfig::new(BASE, KEY, Network::Regtest);
    config.reconnect = ReconnectPolicy {
        max_attempts: 2,
        ..ReconnectPolicy::default()
    };
    let client = LspClient::new(config, transport.clone(), timer).unwrap();
    transport.push_json(
        200,
        &invoice_value("inv_1", "open", T0 + 86_400).to_string(),
    );
    transport.push_json(
        200,
        &invoice_value("inv_1", "open", T0 + 86_400).to_string(),
    );
    let error = run(client.wait_for_payment("inv_1", Duration::from_secs(86_400))).unwrap_err();
    assert!(matches!(error, LspError::StreamGaveUp { attempts: 2, .. }));
    // A last read of the invoice before giving up.
    assert_eq!(transport.requests().len(), 2);
}

#[test]
fn wait_reports_a_missing_invoice() {
    let (client, transport, _) = client();
    transport.push_json(404, r#"{"code":"not_found","message":"no such invoice"}"#);
    let error = run(client.wait_for_payment("inv_x", Duration::from_secs(1))).unwrap_err();
    assert!(matches!(error, LspError::NotFound { .. }));
}

#[test]
fn a_payment_during_a_blind_reconnect_is_found_by_reading_the_invoice() {
    let (client, transport, _) = client();
    transport.push_json(200, &invoice_value("inv_1", "open", T0 + 600).to_string());
    transport.push_json(200, &invoice_value("inv_1", "open", T0 + 600).to_string());
    // The first stream ends before any event; the second cannot replay what happened between.
    transport.push_stream(vec![]);
    transport.push_stream(vec![]);
    transport.push_json(200, &invoice_value("inv_1", "paid", T0 + 600).to_string());
    let outcome = run(client.wait_for_payment("inv_1", Duration::from_secs(60))).unwrap();
    assert!(matches!(outcome, WaitOutcome::Paid(_)), "{outcome:?}");
    assert_eq!(transport.opened_streams().len(), 2);
    assert_eq!(transport.requests().len(), 3);
}
