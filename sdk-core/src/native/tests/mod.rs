//! Tests of the native transport and timer against a real local axum server (HTTP and
//! WebSocket) started inside each test on `127.0.0.1:0`.

mod client;
mod events;
mod http;

use std::net::SocketAddr;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use axum::Router;

use super::ReqwestTransport;

/// What the test server saw, for the tests to check.
#[derive(Debug, Default)]
pub(super) struct Seen {
    /// `Authorization` headers of WebSocket handshakes.
    pub(super) auth: Vec<String>,
    /// Path and query of WebSocket handshakes.
    pub(super) uris: Vec<String>,
    /// Messages the server received from clients, described as text.
    pub(super) received: Vec<String>,
}

/// Shared [`Seen`].
pub(super) type Shared = Arc<Mutex<Seen>>;

/// Serves `router` on a free local port until the test's runtime ends.
pub(super) async fn serve(router: Router) -> SocketAddr {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(async move { axum::serve(listener, router).await });
    addr
}

/// A local port nothing listens on.
pub(super) fn closed_port() -> u16 {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    listener.local_addr().unwrap().port()
}

/// A transport with a short timeout.
pub(super) fn transport() -> ReqwestTransport {
    ReqwestTransport::with_timeout(Duration::from_secs(5)).unwrap()
}

/// Waits (up to two seconds) until `check` holds for what the server saw.
pub(super) async fn eventually(seen: &Shared, check: impl Fn(&Seen) -> bool) -> bool {
    for _ in 0..200 {
        if check(&seen.lock().unwrap()) {
            return true;
        }
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    false
}
