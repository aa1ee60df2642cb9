//! [`ReqwestTransport`]: the native [`Transport`]. HTTP requests go through reqwest (HTTP/1.1,
//! TLS by rustls with the webpki roots); event streams are opened by [`super::events`].

use std::error::Error as StdError;
use std::sync::Arc;
use std::time::Duration;

use reqwest::header::{HeaderMap, HeaderName, HeaderValue};

use super::events;
use crate::platform::{boxed, BoxFuture};
use crate::transport::{EventStream, HttpRequest, HttpResponse, Method, Transport, TransportError};

/// The per-request timeout of [`ReqwestTransport::new`].
const DEFAULT_TIMEOUT: Duration = Duration::from_secs(30);

/// The largest response body read: a larger one is refused rather than buffered.
const MAX_RESPONSE_BYTES: usize = 16 * 1024 * 1024;

/// The native [`Transport`]: HTTP over reqwest and event streams over tokio-tungstenite
/// WebSockets, both `http(s)`/`ws(s)` with TLS by rustls.
///
/// Cloning is cheap: clones share the connection pool. Every request, and every event stream
/// handshake, is bounded by the transport's timeout ([`TransportError::Timeout`]).
///
/// Needs a running Tokio runtime, like reqwest itself.
#[derive(Debug, Clone)]
pub struct ReqwestTransport {
    http: reqwest::Client,
    /// The TLS configuration of `wss://` streams.
    tls: Arc<rustls::ClientConfig>,
    timeout: Duration,
    /// The largest response body accepted (tests lower it).
    pub(super) max_body: usize,
}

impl ReqwestTransport {
    /// A transport whose requests time out after 30 seconds.
    ///
    /// # Errors
    /// [`TransportError::Connect`] (with an empty URL) if the HTTP or TLS client could not be
    /// set up.
    pub fn new() -> Result<ReqwestTransport, TransportError> {
        ReqwestTransport::with_timeout(DEFAULT_TIMEOUT)
    }

    /// A transport whose requests (whole response read included) and event stream handshakes
    /// time out after `timeout`.
    ///
    /// # Errors
    /// As [`new`](Self::new).
    pub fn with_timeout(timeout: Duration) -> Result<ReqwestTransport, TransportError> {
        let http = reqwest::Client::builder()
            .connect_timeout(timeout)
            .build()
            .map_err(|e| setup_error(&describe(&e)))?;
        let tls = events::tls_config().map_err(|reason| setup_error(&reason))?;
        Ok(ReqwestTransport {
            http,
            tls,
            timeout,
            max_body: MAX_RESPONSE_BYTES,
        })
    }

    /// The per-request timeout.
    pub fn timeout(&self) -> Duration {
        self.timeout
    }

    /// Sends `request` and reads the whole response.
    async fn send(&self, request: HttpRequest) -> Result<HttpResponse, TransportError> {
        let url = request.url;
        let headers = header_map(&url, &request.headers)?;
        let mut builder = self
            .http
            .request(method(request.method), url.as_str())
            .headers(headers)
            .timeout(self.timeout);
        if let Some(body) = request.body {
            builder = builder.body(body);
        }
        let mut response = builder.send().await.map_err(|e| map_error(&url, e))?;
        let status = response.status().as_u16();
        let headers = response
            .headers()
            .iter()
            .map(|(name, value)| {
                let value = String::from_utf8_lossy(value.as_bytes()).into_owned();
                (name.as_str().to_owned(), value)
            })
            .collect();
        let mut body = Vec::new();
        while let Some(chunk) = response.chunk().await.map_err(|e| map_error(&url, e))? {
            if body.len().saturating_add(chunk.len()) > self.max_body {
                return Err(TransportError::BadResponse {
                    reason: format!("response body larger than {} bytes", self.max_body),
                });
            }
            body.extend_from_slice(&chunk);
        }
        Ok(HttpResponse {
            status,
            headers,
            body,
        })
    }
}

impl Transport for ReqwestTransport {
    fn request(&self, request: HttpRequest) -> BoxFuture<'_, Result<HttpResponse, TransportError>> {
        boxed(self.send(request))
    }

    fn open_events(
        &self,
        url: String,
        headers: Vec<(String, String)>,
    ) -> BoxFuture<'_, Result<Box<dyn EventStream>, TransportError>> {
        boxed(events::open(
            url,
            headers,
            self.timeout,
            Arc::clone(&self.tls),
        ))
    }
}

/// The reqwest method of `method`.
fn method(method: Method) -> reqwest::Method {
    match method {
        Method::Get => reqwest::Method::GET,
        Method::Post => reqwest::Method::POST,
        Method::Put => reqwest::Method::PUT,
        Method::Patch => reqwest::Method::PATCH,
        Method::Delete => reqwest::Method::DELETE,
    }
}

/// The request's headers, in order and repeats kept; a name or value that is not valid HTTP
/// fails the request before anything is sent (the value stays out of the error: it may be a
/// key).
pub(super) fn header_map(
    url: &str,
    headers: &[(String, String)],
) -> Result<HeaderMap, TransportError> {
    let mut map = HeaderMap::new();
    for (name, value) in headers {
        let header = HeaderName::from_bytes(name.as_bytes()).map_err(|_| {
            not_sent(
                url,
                &format!("invalid header name `{}`", name.escape_debug()),
            )
        })?;
        let value = HeaderValue::from_str(value)
            .map_err(|_| not_sent(url, &format!("invalid value of header `{header}`")))?;
        map.try_append(header, value)
            .map_err(|_| not_sent(url, "too many headers"))?;
    }
    Ok(map)
}

/// The error of a request that was not sent because it is malformed.
pub(super) fn not_sent(url: &str, reason: &str) -> TransportError {
    TransportError::Connect {
        url: url.to_owned(),
        reason: format!("request not sent: {reason}"),
    }
}

/// Maps a reqwest error: timeouts, failures before the request left (connection, TLS, URL),
/// and everything else (the connection broke mid-request or mid-body).
fn map_error(url: &str, error: reqwest::Error) -> TransportError {
    if error.is_timeout() {
        TransportError::Timeout {
            url: url.to_owned(),
        }
    } else if error.is_connect() || error.is_builder() {
        TransportError::Connect {
            url: url.to_owned(),
            reason: describe(&error.without_url()),
        }
    } else {
        TransportError::Io {
            url: url.to_owned(),
            reason: describe(&error.without_url()),
        }
    }
}

/// An error and its sources, outermost first (reqwest's own message alone is terse).
pub(super) fn describe(error: &dyn StdError) -> String {
    let mut text = error.to_string();
    let mut source = error.source();
    while let Some(cause) = source {
        text.push_str(": ");
        text.push_str(&cause.to_string());
        source = cause.source();
    }
    text
}

/// The error of a transport that could not be set up (no URL was involved yet).
fn setup_error(reason: &str) -> TransportError {
    TransportError::Connect {
        url: String::new(),
        reason: format!("HTTP client setup failed: {reason}"),
    }
}
