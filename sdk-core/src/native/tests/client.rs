//! [`TokioTimer`] and [`client`]: an `LspClient` over the native transport against a local
//! server, over HTTP and the event stream.

use std::time::{Duration, SystemTime, UNIX_EPOCH};

use axum::extract::ws::{CloseFrame, Message, WebSocket, WebSocketUpgrade};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::Router;

use super::serve;
use crate::clock::Clock;
use crate::lsp::{ListEventsRequest, LspConfig, LspError, ReconnectPolicy};
use crate::native::{client, TokioTimer};
use crate::network::Network;
use crate::timer::Timer;

const KEY: &str = "etrid_native_test";

fn authorised(headers: &HeaderMap) -> bool {
    headers.get("authorization").and_then(|v| v.to_str().ok()) == Some("Bearer etrid_native_test")
}

async fn events(headers: HeaderMap) -> Response {
    if authorised(&headers) {
        (StatusCode::OK, r#"{"items":[],"has_more":false}"#).into_response()
    } else {
        StatusCode::UNAUTHORIZED.into_response()
    }
}

/// Accepts the bearer key, then closes as the LSP does for a revoked one.
async fn stream(ws: WebSocketUpgrade, headers: HeaderMap) -> Response {
    if !authorised(&headers) {
        return StatusCode::UNAUTHORIZED.into_response();
    }
    ws.on_upgrade(|mut socket: WebSocket| async move {
        let close = CloseFrame {
            code: 4401,
            reason: "unauthorized".into(),
        };
        let _ = socket.send(Message::Close(Some(close))).await;
        let _ = socket.recv().await;
    })
}

#[tokio::test]
async fn the_tokio_timer_sleeps_for_real_and_reads_the_system_clock() {
    let started = tokio::time::Instant::now();
    TokioTimer.sleep(Duration::from_millis(50)).await;
    assert!(started.elapsed() >= Duration::from_millis(50));
    let system = SystemTime::now().duration_since(UNIX_EPOCH).unwrap();
    let diff = TokioTimer.now().abs_diff(system);
    assert!(diff < Duration::from_secs(1), "{diff:?}");
}

#[tokio::test]
async fn the_native_client_talks_http_and_follows_close_codes_on_the_stream() {
    let router = Router::new()
        .route("/v1/events", get(events))
        .route("/v1/events/stream", get(stream));
    let addr = serve(router).await;
    let mut config = LspConfig::new(format!("http://{addr}"), KEY, Network::Regtest);
    config.reconnect = ReconnectPolicy {
        max_attempts: 2,
        initial_backoff: Duration::from_millis(10),
        max_backoff: Duration::from_millis(20),
    };
    let client = client(config).unwrap();
    let list = client
        .list_events(ListEventsRequest::default())
        .await
        .unwrap();
    assert!(list.items.is_empty() && !list.has_more);

    let mut subscription = client.subscribe_events(Some(0));
    match subscription.next().await {
        Err(LspError::StreamGaveUp {
            attempts,
            last_error,
        }) => {
            assert_eq!(attempts, 2);
            assert!(last_error.contains("4401"), "{last_error}");
        }
        other => panic!("expected StreamGaveUp, got {other:?}"),
    }
}

#[test]
fn the_native_client_checks_its_configuration() {
    let config = LspConfig::new("ftp://lsp.example", KEY, Network::Regtest);
    let error = client(config).unwrap_err();
    assert_eq!(error.code(), "lsp_invalid_config");
}
