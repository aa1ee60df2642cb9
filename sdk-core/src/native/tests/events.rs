//! `ReqwestTransport::open_events` against an axum WebSocket server: headers on the handshake,
//! text frames in order, pings answered, close codes, refused handshakes, timeouts and
//! closing from the client.

use std::time::Duration;

use axum::body::Bytes;
use axum::extract::ws::{CloseFrame, Message, WebSocket, WebSocketUpgrade};
use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode, Uri};
use axum::response::Response;
use axum::routing::get;
use axum::Router;

use super::{closed_port, eventually, serve, transport, Shared};
use crate::native::ReqwestTransport;
use crate::transport::{Transport, TransportError};

/// Describes a message the server received.
fn describe(message: Option<Result<Message, axum::Error>>) -> String {
    match message {
        Some(Ok(Message::Pong(data))) => format!("pong {}", String::from_utf8_lossy(&data)),
        Some(Ok(Message::Close(Some(frame)))) => format!("close {} {}", frame.code, frame.reason),
        Some(Ok(Message::Close(None))) => "close".to_owned(),
        Some(Ok(other)) => format!("other {other:?}"),
        Some(Err(error)) => format!("error {error}"),
        None => "end".to_owned(),
    }
}

/// Records the handshake's `Authorization` header and URI.
fn record(seen: &Shared, headers: &HeaderMap, uri: &Uri) {
    let mut seen = seen.lock().unwrap();
    let auth = headers
        .get("authorization")
        .map(|v| v.to_str().unwrap().to_owned())
        .unwrap_or_default();
    seen.auth.push(auth);
    seen.uris.push(uri.to_string());
}

/// Text, binary, a ping (waiting for the pong), more text, then a normal close.
async fn messages(
    ws: WebSocketUpgrade,
    headers: HeaderMap,
    uri: Uri,
    State(seen): State<Shared>,
) -> Response {
    record(&seen, &headers, &uri);
    ws.on_upgrade(move |mut socket: WebSocket| async move {
        let _ = socket.send(Message::Text("one".into())).await;
        let _ = socket
            .send(Message::Binary(Bytes::from_static(b"\x00\x01")))
            .await;
        let _ = socket.send(Message::Text("two".into())).await;
        let _ = socket.send(Message::Ping(Bytes::from_static(b"hi"))).await;
        // The client answers while it waits for the next message.
        let pong = describe(socket.recv().await);
        seen.lock().unwrap().received.push(pong);
        let _ = socket.send(Message::Text("three".into())).await;
        let close = CloseFrame {
            code: 1000,
            reason: "bye".into(),
        };
        let _ = socket.send(Message::Close(Some(close))).await;
        let reply = describe(socket.recv().await);
        seen.lock().unwrap().received.push(reply);
    })
}

/// One text message, then a close with the code in the path.
async fn close_with(ws: WebSocketUpgrade, Path(code): Path<u16>) -> Response {
    ws.on_upgrade(move |mut socket: WebSocket| async move {
        let _ = socket.send(Message::Text("before".into())).await;
        let close = CloseFrame {
            code,
            reason: "unauthorized".into(),
        };
        let _ = socket.send(Message::Close(Some(close))).await;
        let _ = socket.recv().await;
    })
}

/// Refuses the handshake as the LSP does for a bad key.
async fn deny() -> (StatusCode, &'static str) {
    (
        StatusCode::UNAUTHORIZED,
        r#"{"code":"unauthorized","message":"invalid API key"}"#,
    )
}

/// One message, then records what the client sends until it ends the connection.
async fn hold(ws: WebSocketUpgrade, State(seen): State<Shared>) -> Response {
    ws.on_upgrade(move |mut socket: WebSocket| async move {
        let _ = socket.send(Message::Text("hello".into())).await;
        loop {
            let message = socket.recv().await;
            let end = !matches!(message, Some(Ok(Message::Pong(_) | Message::Ping(_))));
            seen.lock().unwrap().received.push(describe(message));
            if end {
                break;
            }
        }
    })
}

/// Never answers the handshake in time.
async fn slow() -> &'static str {
    tokio::time::sleep(Duration::from_secs(5)).await;
    "late"
}

async fn server() -> (String, Shared) {
    let seen = Shared::default();
    let router = Router::new()
        .route("/ws/messages", get(messages))
        .route("/ws/close/{code}", get(close_with))
        .route("/ws/deny", get(deny))
        .route("/ws/hold", get(hold))
        .route("/ws/slow", get(slow))
        .with_state(seen.clone());
    (format!("ws://{}", serve(router).await), seen)
}

fn bearer() -> Vec<(String, String)> {
    vec![("Authorization".to_owned(), "Bearer etrid_key_1".to_owned())]
}

#[tokio::test]
async fn the_stream_delivers_text_in_order_answers_pings_and_ends_cleanly() {
    let (base, seen) = server().await;
    let mut stream = transport()
        .open_events(format!("{base}/ws/messages?after=7"), bearer())
        .await
        .unwrap();
    for expected in ["one", "two", "three"] {
        assert_eq!(stream.next_message().await, Some(Ok(expected.to_owned())));
    }
    assert_eq!(stream.next_message().await, None);
    assert_eq!(stream.next_message().await, None);
    assert!(eventually(&seen, |s| s.received.len() == 2).await);
    let seen = seen.lock().unwrap();
    assert_eq!(seen.auth, ["Bearer etrid_key_1"]);
    assert_eq!(seen.uris, ["/ws/messages?after=7"]);
    // The pong to "hi", then our reply to the server's close.
    assert_eq!(seen.received[0], "pong hi");
    assert!(seen.received[1].starts_with("close"), "{:?}", seen.received);
}

#[tokio::test]
async fn close_codes_other_than_1000_surface_with_code_and_reason() {
    let (base, _seen) = server().await;
    for code in [4401u16, 4410, 4429, 1001] {
        let mut stream = transport()
            .open_events(format!("{base}/ws/close/{code}"), bearer())
            .await
            .unwrap();
        assert_eq!(stream.next_message().await, Some(Ok("before".to_owned())));
        match stream.next_message().await {
            Some(Err(error @ TransportError::StreamClosed { .. })) => {
                let text = error.to_string();
                assert!(text.contains(&code.to_string()), "{text}");
                assert!(text.contains("unauthorized"), "{text}");
                assert_eq!(error.code(), "transport_stream_closed");
            }
            other => panic!("code {code}: expected StreamClosed, got {other:?}"),
        }
        assert_eq!(stream.next_message().await, None);
    }
    let mut clean = transport()
        .open_events(format!("{base}/ws/close/1000"), bearer())
        .await
        .unwrap();
    assert_eq!(clean.next_message().await, Some(Ok("before".to_owned())));
    assert_eq!(clean.next_message().await, None);
}

#[tokio::test]
async fn a_refused_handshake_carries_the_status() {
    let (base, _seen) = server().await;
    let error = transport()
        .open_events(format!("{base}/ws/deny"), bearer())
        .await
        .err()
        .unwrap();
    match &error {
        TransportError::Connect { url, reason } => {
            assert_eq!(url, &format!("{base}/ws/deny"));
            assert!(reason.contains("401"), "{reason}");
            assert!(reason.contains("invalid API key"), "{reason}");
        }
        other => panic!("expected Connect, got {other:?}"),
    }
}

#[tokio::test]
async fn unreachable_or_malformed_streams_fail_to_connect() {
    let refused = transport()
        .open_events(
            format!("ws://127.0.0.1:{}/v1/events/stream", closed_port()),
            bearer(),
        )
        .await
        .err()
        .unwrap();
    assert_eq!(refused.code(), "transport_connect");
    let not_ws = transport()
        .open_events("http://127.0.0.1:1/".to_owned(), bearer())
        .await
        .err()
        .unwrap();
    assert_eq!(not_ws.code(), "transport_connect");
    let (base, seen) = server().await;
    let bad = vec![("Authorization".to_owned(), "Bearer se\ncret".to_owned())];
    let error = transport()
        .open_events(format!("{base}/ws/messages"), bad)
        .await
        .err()
        .unwrap();
    match &error {
        TransportError::Connect { reason, .. } => {
            assert!(reason.contains("authorization"), "{reason}");
            assert!(
                !reason.contains("cret"),
                "the value must stay out: {reason}"
            );
        }
        other => panic!("expected Connect, got {other:?}"),
    }
    assert!(seen.lock().unwrap().uris.is_empty());
}

#[tokio::test]
async fn a_slow_handshake_times_out() {
    let (base, _seen) = server().await;
    let transport = ReqwestTransport::with_timeout(Duration::from_millis(200)).unwrap();
    let error = transport
        .open_events(format!("{base}/ws/slow"), bearer())
        .await
        .err()
        .unwrap();
    assert_eq!(
        error,
        TransportError::Timeout {
            url: format!("{base}/ws/slow")
        }
    );
}

#[tokio::test]
async fn closing_sends_a_normal_close_frame() {
    let (base, seen) = server().await;
    let mut stream = transport()
        .open_events(format!("{base}/ws/hold"), bearer())
        .await
        .unwrap();
    assert_eq!(stream.next_message().await, Some(Ok("hello".to_owned())));
    stream.close().await;
    assert_eq!(stream.next_message().await, None);
    assert!(eventually(&seen, |s| !s.received.is_empty()).await);
    assert_eq!(seen.lock().unwrap().received, ["close 1000 "]);
}
