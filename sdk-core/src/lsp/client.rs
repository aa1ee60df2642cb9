//! [`LspClient`]: the HTTP plumbing every operation family shares — URLs, the bearer key, JSON
//! bodies, the request timeout raced on the injected [`Timer`], and error mapping.

use std::sync::Arc;
use std::time::Duration;

use futures_util::future::{select, Either};
use serde::de::DeserializeOwned;
use serde::Serialize;
use url::Url;

use super::{LspConfig, LspError};
use crate::timer::Timer;
use crate::transport::{HttpRequest, HttpResponse, Method, Transport};

/// A client of an Étrid LSP's HTTP API v1, generic over the platform's [`Transport`] and
/// [`Timer`].
///
/// Cloning is cheap and clones share the transport and timer. One async method per endpoint;
/// payments go through `prepare_*` (checked locally, nothing sent) and then an execute call.
///
/// ```
/// use etrid_core::lsp::{CreateInvoiceRequest, LspClient, LspConfig};
/// use etrid_core::{network::Network, timer::SimulatedTimer, transport::MemoryTransport};
///
/// let transport = MemoryTransport::new();
/// let config = LspConfig::new("https://lsp.example", "key", Network::Regtest);
/// let client = LspClient::new(config, transport, SimulatedTimer::from_unix_secs(0))?;
/// // `client.create_invoice(CreateInvoiceRequest { .. }).await` with a real transport.
/// # let _ = CreateInvoiceRequest::default();
/// # Ok::<(), etrid_core::lsp::LspError>(())
/// ```
pub struct LspClient<T, M> {
    inner: Arc<Inner<T, M>>,
}

/// What clones of a client share.
struct Inner<T, M> {
    config: LspConfig,
    /// The base URL without a trailing slash.
    base: String,
    transport: T,
    timer: M,
}

impl<T, M> Clone for LspClient<T, M> {
    fn clone(&self) -> Self {
        LspClient {
            inner: Arc::clone(&self.inner),
        }
    }
}

impl<T, M> std::fmt::Debug for LspClient<T, M> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("LspClient")
            .field("config", &self.inner.config)
            .finish_non_exhaustive()
    }
}

impl<T: Transport, M: Timer> LspClient<T, M> {
    /// A client for the server and key in `config`.
    ///
    /// # Errors
    /// [`LspError::InvalidConfig`] if the base URL is not an absolute http(s) URL without query
    /// or fragment, or the API key is not a valid header value. An empty key makes a keyless
    /// client: it sends no `Authorization` header, so only the routes that need no key
    /// answer (a public tournament's lobby and join, the health check); the others answer
    /// [`LspError::Unauthorized`].
    pub fn new(config: LspConfig, transport: T, timer: M) -> Result<Self, LspError> {
        let invalid = |reason: &str| LspError::InvalidConfig {
            reason: reason.to_owned(),
        };
        let url = Url::parse(&config.base_url).map_err(|e| LspError::InvalidConfig {
            reason: format!("base_url: {e}"),
        })?;
        if !matches!(url.scheme(), "http" | "https") {
            return Err(invalid("base_url must be http or https"));
        }
        if url.query().is_some() || url.fragment().is_some() {
            return Err(invalid("base_url must not have a query or fragment"));
        }
        if !config.api_key.bytes().all(|b| b.is_ascii_graphic()) {
            return Err(invalid(
                "api_key must be printable ASCII (or empty for a keyless client)",
            ));
        }
        let base = url.as_str().trim_end_matches('/').to_owned();
        Ok(LspClient {
            inner: Arc::new(Inner {
                config,
                base,
                transport,
                timer,
            }),
        })
    }

    /// The configuration in use.
    pub fn config(&self) -> &LspConfig {
        &self.inner.config
    }

    /// The timer (and clock) in use.
    pub fn timer(&self) -> &M {
        &self.inner.timer
    }

    /// The transport in use.
    pub(super) fn transport(&self) -> &T {
        &self.inner.transport
    }

    /// `Authorization` header for HTTP requests and event streams; none for a keyless client.
    pub(super) fn auth_header(&self) -> Option<(String, String)> {
        let key = &self.inner.config.api_key;
        (!key.is_empty()).then(|| ("Authorization".to_owned(), format!("Bearer {key}")))
    }

    /// The absolute http(s) URL of `path` (starting with `/v1/`) and a query string.
    pub(super) fn url(&self, path: &str, query: &Query) -> String {
        format!("{}{}{}", self.inner.base, path, query.as_suffix())
    }

    /// The absolute ws(s) URL of `path` and a query string.
    pub(super) fn ws_url(&self, path: &str, query: &Query) -> String {
        let url = self.url(path, query);
        match url.strip_prefix("https://") {
            Some(rest) => format!("wss://{rest}"),
            None => format!("ws://{}", url.strip_prefix("http://").unwrap_or(&url)),
        }
    }

    /// Sends a request and decodes a JSON success body into `R`.
    pub(super) async fn call<R: DeserializeOwned>(
        &self,
        method: Method,
        path: &str,
        query: &Query,
        body: Option<Vec<u8>>,
    ) -> Result<R, LspError> {
        let response = self.send(method, path, query, body).await?;
        serde_json::from_slice(&response.body).map_err(|e| LspError::decode(&e))
    }

    /// Sends a request whose success answer has no body (204).
    pub(super) async fn call_no_content(&self, method: Method, path: &str) -> Result<(), LspError> {
        self.send(method, path, &Query::new(), None).await.map(drop)
    }

    /// GETs `url`, a third party's (an LNURL service): without the API key, racing the request
    /// timeout; any status is returned, for the caller to read the body.
    pub(super) async fn get_external(&self, url: &str) -> Result<HttpResponse, LspError> {
        let request = HttpRequest::new(Method::Get, url).with_header("Accept", "application/json");
        let timeout = self.inner.config.request_timeout;
        let sending = self.inner.transport.request(request);
        let sleeping = self.inner.timer.sleep(timeout);
        match select(sending, sleeping).await {
            Either::Left((response, _)) => Ok(response?),
            Either::Right(((), _)) => Err(timeout_error(timeout)),
        }
    }

    /// Sends a request, racing it against the request timeout, and maps error statuses.
    async fn send(
        &self,
        method: Method,
        path: &str,
        query: &Query,
        body: Option<Vec<u8>>,
    ) -> Result<HttpResponse, LspError> {
        let mut request = HttpRequest::new(method, self.url(path, query))
            .with_header("Accept", "application/json");
        if let Some((name, value)) = self.auth_header() {
            request = request.with_header(name, value);
        }
        if let Some(body) = body {
            request = request
                .with_header("Content-Type", "application/json")
                .with_body(body);
        }
        let timeout = self.inner.config.request_timeout;
        let sending = self.inner.transport.request(request);
        let sleeping = self.inner.timer.sleep(timeout);
        let response = match select(sending, sleeping).await {
            Either::Left((response, _)) => response?,
            Either::Right(((), _)) => return Err(timeout_error(timeout)),
        };
        if response.is_success() {
            Ok(response)
        } else {
            Err(LspError::from_response(&response))
        }
    }
}

/// A timeout error for `after`.
fn timeout_error(after: Duration) -> LspError {
    LspError::Timeout {
        after_ms: u64::try_from(after.as_millis()).unwrap_or(u64::MAX),
    }
}

/// Serialises a request model as a JSON body.
pub(super) fn json_body<B: Serialize>(body: &B) -> Result<Option<Vec<u8>>, LspError> {
    serde_json::to_vec(body)
        .map(Some)
        .map_err(|e| LspError::InvalidRequest {
            field: "body".to_owned(),
            reason: e.to_string(),
        })
}

/// Checks an id before it goes into a URL path: 1 to 128 of `A-Z a-z 0-9 _ -`, so no input
/// can change the path.
pub(super) fn checked_id<'a>(field: &str, id: &'a str) -> Result<&'a str, LspError> {
    if super::model::limits::is_resource_id(id) {
        Ok(id)
    } else {
        Err(LspError::InvalidRequest {
            field: field.to_owned(),
            reason: format!(
                "must be 1 to {} characters of A-Z, a-z, 0-9, _ and -",
                super::model::limits::MAX_ID_LEN
            ),
        })
    }
}

/// A URL query string built from optional parameters.
#[derive(Debug, Default)]
pub(super) struct Query {
    pairs: Vec<(&'static str, String)>,
}

impl Query {
    /// No parameters.
    pub(super) fn new() -> Query {
        Query::default()
    }

    /// Adds `name=value` when `value` is present.
    pub(super) fn opt<V: ToString>(mut self, name: &'static str, value: Option<V>) -> Query {
        if let Some(value) = value {
            self.pairs.push((name, value.to_string()));
        }
        self
    }

    /// `?a=1&b=2`, form-encoded, or nothing.
    fn as_suffix(&self) -> String {
        if self.pairs.is_empty() {
            return String::new();
        }
        let mut serializer = url::form_urlencoded::Serializer::new(String::new());
        for (name, value) in &self.pairs {
            serializer.append_pair(name, value);
        }
        format!("?{}", serializer.finish())
    }
}
