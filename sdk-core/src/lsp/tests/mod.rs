//! Unit tests of the LSP client over [`MemoryTransport`] and [`SimulatedTimer`]: request
//! shapes, decoding, error mapping, local payment checks, event resume and waiting.

mod admin;
mod errors;
mod events;
mod hub;
mod invoices;
mod json_api;
mod limits;
mod operations;
mod payments;
mod schema;
mod wait;

use std::sync::Arc;

use serde_json::{json, Value};

use super::{LspClient, LspConfig};
use crate::network::Network;
use crate::timer::SimulatedTimer;
use crate::transport::{HttpRequest, MemoryTransport};

/// The client under test.
pub(super) type TestClient = LspClient<MemoryTransport, Arc<SimulatedTimer>>;

/// The base URL tests use (with a path prefix, to check it is kept).
pub(super) const BASE: &str = "https://lsp.test/api/";
/// The API key tests use.
pub(super) const KEY: &str = "etrid_admin_test";
/// The simulated time tests start at.
pub(super) const T0: u64 = 1_700_000_000;

/// A client on `network` at simulated time `now`, with its transport and timer.
pub(super) fn client_on(
    network: Network,
    now: u64,
) -> (TestClient, MemoryTransport, Arc<SimulatedTimer>) {
    let transport = MemoryTransport::new();
    let timer = Arc::new(SimulatedTimer::from_unix_secs(now));
    let config = LspConfig::new(BASE, KEY, network);
    let client = LspClient::new(config, transport.clone(), Arc::clone(&timer)).unwrap();
    (client, transport, timer)
}

/// The OpenAPI document the client must match.
const OPENAPI: &str = include_str!("../../../../lsp/openapi.json");

/// The parsed OpenAPI document.
pub(super) fn doc() -> Value {
    serde_json::from_str(OPENAPI).unwrap()
}

/// A regtest client at [`T0`].
pub(super) fn client() -> (TestClient, MemoryTransport, Arc<SimulatedTimer>) {
    client_on(Network::Regtest, T0)
}

/// Runs a future to completion.
pub(super) fn run<F: std::future::Future>(future: F) -> F::Output {
    pollster::block_on(future)
}

/// A request's JSON body.
pub(super) fn body(request: &HttpRequest) -> Value {
    serde_json::from_slice(request.body.as_deref().unwrap()).unwrap()
}

/// A request's header value.
pub(super) fn header<'a>(request: &'a HttpRequest, name: &str) -> Option<&'a str> {
    request
        .headers
        .iter()
        .find(|(n, _)| n.eq_ignore_ascii_case(name))
        .map(|(_, v)| v.as_str())
}

/// Checks method, URL and the bearer key of a request.
pub(super) fn assert_request(request: &HttpRequest, method: &str, url: &str) {
    assert_eq!(request.method.as_str(), method);
    assert_eq!(request.url, url);
    assert_eq!(
        header(request, "Authorization"),
        Some("Bearer etrid_admin_test")
    );
}

/// An invoice as the server sends it.
pub(super) fn invoice_value(id: &str, status: &str, expires_at: u64) -> Value {
    json!({
        "id": id, "kind": "standard", "status": status,
        "bolt11": "lnbcrt10u1test", "payment_hash": "11".repeat(32),
        "amount_msat": 1_000_000, "amount_received_msat": null,
        "description": "sword", "description_hash": null,
        "external_id": "order-1", "metadata": {"player": "p1"},
        "created_at": T0, "expires_at": expires_at,
        "accepted_at": null, "paid_at": if status == "paid" { json!(T0 + 5) } else { Value::Null },
        "cancelled_at": null, "hold_expires_at": null
    })
}

/// A payment as the server sends it.
pub(super) fn payment_value(id: &str, status: &str) -> Value {
    let done = status == "succeeded";
    json!({
        "id": id, "kind": "bolt11", "status": status,
        "amount_msat": 250_000_000u64, "fee_msat": if done { json!(1_500) } else { Value::Null },
        "max_fee_msat": 2_500_000, "payment_hash": "00".repeat(32),
        "preimage": if done { json!("22".repeat(32)) } else { Value::Null },
        "destination": "02c6047f9441ed7d6d3045406e95c07cd85c778e4b8cef3ca7abac09b95c709ee5", "bolt11": "lnbc2500u1...",
        "idempotency_key": "pay-1", "custom_records": [], "internal": false,
        "parts": if done { json!([{"amount_msat": 150_000_000u64, "fee_msat": 900}, {"amount_msat": 100_000_000u64, "fee_msat": 600}]) } else { json!([]) },
        "failure_reason": if status == "failed" { json!("route_not_found") } else { Value::Null },
        "created_at": T0, "completed_at": if done { json!(T0 + 2) } else { Value::Null }
    })
}

/// An event message as the stream sends it.
pub(super) fn event_text(id: u64, event_type: &str, data: Value) -> String {
    json!({"id": id, "type": event_type, "created_at": T0 + id, "data": data}).to_string()
}

#[test]
fn client_futures_are_send_where_the_platform_needs_it() {
    fn assert_maybe_send<F: crate::platform::MaybeSend>(_: &F) {}
    let (client, _, _) = client();
    assert_maybe_send(&client);
    assert_maybe_send(&client.get_invoice("inv_1"));
    assert_maybe_send(&client.create_invoice(Default::default()));
    assert_maybe_send(&client.wait_for_payment("inv_1", std::time::Duration::from_secs(1)));
    let mut events = client.subscribe_events(None);
    assert_maybe_send(&events.next());
    assert_maybe_send(&events);
}
