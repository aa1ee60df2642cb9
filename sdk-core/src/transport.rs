//! The `Transport` trait: how the core reaches an LSP without doing I/O itself.
//!
//! A platform hands the core a `Transport` that performs HTTP requests and opens event streams
//! (WebSocket on every platform we ship): reqwest and tokio-tungstenite natively, `fetch` and
//! `WebSocket` through gloo-net in browsers. [`MemoryTransport`] is the in-memory double unit
//! tests use; integration tests always use a real transport against a real server.

use std::collections::VecDeque;
use std::sync::{Arc, Mutex, MutexGuard};

use serde::{Deserialize, Serialize};
use thiserror::Error;

use crate::platform::{boxed, BoxFuture, MaybeSend, MaybeSync};

/// An HTTP method the LSP API uses.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "UPPERCASE")]
pub enum Method {
    /// `GET`: read.
    Get,
    /// `POST`: create or act.
    Post,
    /// `PUT`: replace.
    Put,
    /// `PATCH`: update part.
    Patch,
    /// `DELETE`: remove or cancel.
    Delete,
}

impl Method {
    /// The method as it appears on the wire.
    pub fn as_str(self) -> &'static str {
        match self {
            Method::Get => "GET",
            Method::Post => "POST",
            Method::Put => "PUT",
            Method::Patch => "PATCH",
            Method::Delete => "DELETE",
        }
    }
}

/// One HTTP request, fully formed: absolute URL, headers and an optional body.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HttpRequest {
    /// The method.
    pub method: Method,
    /// The absolute URL, query string included.
    pub url: String,
    /// Header names and values, in order.
    pub headers: Vec<(String, String)>,
    /// The body bytes, if any (JSON for the LSP API).
    pub body: Option<Vec<u8>>,
}

impl HttpRequest {
    /// A request without headers or body.
    pub fn new(method: Method, url: impl Into<String>) -> HttpRequest {
        HttpRequest {
            method,
            url: url.into(),
            headers: Vec::new(),
            body: None,
        }
    }

    /// Adds a header.
    pub fn with_header(mut self, name: impl Into<String>, value: impl Into<String>) -> Self {
        self.headers.push((name.into(), value.into()));
        self
    }

    /// Sets a body.
    pub fn with_body(mut self, body: Vec<u8>) -> Self {
        self.body = Some(body);
        self
    }
}

/// One HTTP response as the transport received it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HttpResponse {
    /// The status code.
    pub status: u16,
    /// Header names (lower case) and values, in order.
    pub headers: Vec<(String, String)>,
    /// The body bytes.
    pub body: Vec<u8>,
}

impl HttpResponse {
    /// The first value of a header, matched without regard to case.
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(n, _)| n.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }

    /// Whether the status is 2xx.
    pub fn is_success(&self) -> bool {
        (200..300).contains(&self.status)
    }
}

/// Why a transport operation failed.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
#[non_exhaustive]
pub enum TransportError {
    /// The server could not be reached (DNS, refused connection, TLS, browser CORS refusal).
    #[error("could not connect to {url}: {reason}")]
    Connect {
        /// The URL that was tried.
        url: String,
        /// What the platform reported.
        reason: String,
    },
    /// The request did not complete in time.
    #[error("request to {url} timed out")]
    Timeout {
        /// The URL that was tried.
        url: String,
    },
    /// The connection broke while a request or stream was in flight.
    #[error("connection to {url} failed: {reason}")]
    Io {
        /// The URL in use.
        url: String,
        /// What the platform reported.
        reason: String,
    },
    /// The event stream was closed by the server or the network.
    #[error("event stream closed: {reason}")]
    StreamClosed {
        /// The close reason, if one was given.
        reason: String,
    },
    /// The server answered with a response the client could not understand.
    #[error("unexpected response from the server: {reason}")]
    BadResponse {
        /// What was wrong with it.
        reason: String,
    },
}

impl TransportError {
    /// The stable code of this error (see [`crate::Error::code`]).
    pub fn code(&self) -> &'static str {
        match self {
            TransportError::Connect { .. } => "transport_connect",
            TransportError::Timeout { .. } => "transport_timeout",
            TransportError::Io { .. } => "transport_io",
            TransportError::StreamClosed { .. } => "transport_stream_closed",
            TransportError::BadResponse { .. } => "transport_bad_response",
        }
    }
}

/// An open stream of text messages from the server (a WebSocket, natively or in a browser).
pub trait EventStream: MaybeSend {
    /// The next message; `None` once the stream has ended cleanly.
    fn next_message(&mut self) -> BoxFuture<'_, Option<Result<String, TransportError>>>;

    /// Closes the stream; later calls to `next_message` return `None`.
    fn close(&mut self) -> BoxFuture<'_, ()>;
}

/// How the core performs HTTP requests and opens event streams on this platform.
pub trait Transport: MaybeSend + MaybeSync {
    /// Sends one request and returns the response, whatever its status.
    ///
    /// # Errors
    /// A [`TransportError`] when no response arrived; HTTP error statuses are responses.
    fn request(&self, request: HttpRequest) -> BoxFuture<'_, Result<HttpResponse, TransportError>>;

    /// Opens an event stream at `url` (a `ws://` or `wss://` URL) with the given headers.
    ///
    /// # Errors
    /// A [`TransportError`] when the stream could not be opened.
    fn open_events(
        &self,
        url: String,
        headers: Vec<(String, String)>,
    ) -> BoxFuture<'_, Result<Box<dyn EventStream>, TransportError>>;
}

/// What a [`MemoryTransport`] saw and what it will answer.
#[derive(Debug, Default)]
struct MemoryState {
    responses: VecDeque<Result<HttpResponse, TransportError>>,
    requests: Vec<HttpRequest>,
    streams: VecDeque<Vec<Result<String, TransportError>>>,
    opened: Vec<(String, Vec<(String, String)>)>,
}

/// An in-memory [`Transport`] for unit tests: answers requests from a queue of scripted
/// responses, records every request, and serves scripted event streams.
///
/// Not for integration tests, which must talk to a real server.
#[derive(Debug, Clone, Default)]
pub struct MemoryTransport {
    state: Arc<Mutex<MemoryState>>,
}

impl MemoryTransport {
    /// An empty transport: every request fails with [`TransportError::Connect`] until a
    /// response is queued.
    pub fn new() -> MemoryTransport {
        MemoryTransport::default()
    }

    fn state(&self) -> MutexGuard<'_, MemoryState> {
        // A poisoned lock only means another test thread panicked; the data is still usable.
        self.state.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// Queues the answer to the next request.
    pub fn push_response(&self, response: Result<HttpResponse, TransportError>) {
        self.state().responses.push_back(response);
    }

    /// Queues a JSON answer with the given status to the next request.
    pub fn push_json(&self, status: u16, body: &str) {
        self.push_response(Ok(HttpResponse {
            status,
            headers: vec![("content-type".into(), "application/json".into())],
            body: body.as_bytes().to_vec(),
        }));
    }

    /// Queues the messages the next opened event stream delivers before it ends.
    pub fn push_stream(&self, messages: Vec<Result<String, TransportError>>) {
        self.state().streams.push_back(messages);
    }

    /// Every request sent so far, in order.
    pub fn requests(&self) -> Vec<HttpRequest> {
        self.state().requests.clone()
    }

    /// Every event stream opened so far: URL and headers, in order.
    pub fn opened_streams(&self) -> Vec<(String, Vec<(String, String)>)> {
        self.state().opened.clone()
    }
}

impl Transport for MemoryTransport {
    fn request(&self, request: HttpRequest) -> BoxFuture<'_, Result<HttpResponse, TransportError>> {
        let mut state = self.state();
        let url = request.url.clone();
        state.requests.push(request);
        let answer = state
            .responses
            .pop_front()
            .unwrap_or(Err(TransportError::Connect {
                url,
                reason: "no scripted response".into(),
            }));
        boxed(async move { answer })
    }

    fn open_events(
        &self,
        url: String,
        headers: Vec<(String, String)>,
    ) -> BoxFuture<'_, Result<Box<dyn EventStream>, TransportError>> {
        let mut state = self.state();
        let scripted = state.streams.pop_front();
        state.opened.push((url.clone(), headers));
        let result: Result<Box<dyn EventStream>, TransportError> = match scripted {
            Some(messages) => Ok(Box::new(MemoryStream {
                messages: messages.into(),
            })),
            None => Err(TransportError::Connect {
                url,
                reason: "no scripted stream".into(),
            }),
        };
        boxed(async move { result })
    }
}

/// A scripted event stream served by [`MemoryTransport`].
#[derive(Debug)]
struct MemoryStream {
    messages: VecDeque<Result<String, TransportError>>,
}

impl EventStream for MemoryStream {
    fn next_message(&mut self) -> BoxFuture<'_, Option<Result<String, TransportError>>> {
        let next = self.messages.pop_front();
        boxed(async move { next })
    }

    fn close(&mut self) -> BoxFuture<'_, ()> {
        self.messages.clear();
        boxed(async {})
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn memory_transport_answers_in_order_and_records_requests() {
        let transport = MemoryTransport::new();
        transport.push_json(200, r#"{"ok":true}"#);
        let req = HttpRequest::new(Method::Post, "http://lsp/v1/invoices")
            .with_header("Authorization", "Bearer k")
            .with_body(b"{}".to_vec());
        let resp = pollster::block_on(transport.request(req.clone())).unwrap();
        assert!(resp.is_success());
        assert_eq!(resp.header("Content-Type"), Some("application/json"));
        assert_eq!(transport.requests(), vec![req]);
        let err = pollster::block_on(transport.request(HttpRequest::new(Method::Get, "http://x")))
            .unwrap_err();
        assert_eq!(err.code(), "transport_connect");
    }

    #[test]
    fn memory_streams_deliver_scripted_messages_then_end() {
        let transport = MemoryTransport::new();
        transport.push_stream(vec![Ok("a".into()), Ok("b".into())]);
        let mut stream =
            pollster::block_on(transport.open_events("ws://lsp/v1/events".into(), vec![])).unwrap();
        assert_eq!(
            pollster::block_on(stream.next_message()),
            Some(Ok("a".into()))
        );
        assert_eq!(
            pollster::block_on(stream.next_message()),
            Some(Ok("b".into()))
        );
        assert_eq!(pollster::block_on(stream.next_message()), None);
        assert!(pollster::block_on(transport.open_events("ws://x".into(), vec![])).is_err());
        assert_eq!(transport.opened_streams().len(), 2);
    }
}
