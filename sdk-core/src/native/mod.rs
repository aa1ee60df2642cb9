//! Native platform implementations (feature `native`, for native targets only): the
//! [`Transport`](crate::transport::Transport) over reqwest and tokio-tungstenite, the
//! [`Timer`](crate::timer::Timer) over tokio, and [`client`], an [`LspClient`] built from both.
//!
//! Everything here needs a running Tokio runtime (with its time and I/O drivers enabled, as
//! `#[tokio::main]` and `Runtime::new` do): futures are created and polled on it.
//!
//! ```no_run
//! use etrid_core::lsp::{ListEventsRequest, LspConfig};
//! use etrid_core::network::Network;
//!
//! # async fn demo() -> Result<(), etrid_core::lsp::LspError> {
//! let config = LspConfig::new("https://lsp.example", "etrid_key", Network::Regtest);
//! let client = etrid_core::native::client(config)?;
//! let events = client.list_events(ListEventsRequest::default()).await?;
//! # let _ = events;
//! # Ok(())
//! # }
//! ```

mod events;
mod http;
mod timer;

#[cfg(test)]
mod tests;

use std::time::Duration;

pub use http::ReqwestTransport;
pub use timer::TokioTimer;

use crate::lsp::{LspClient, LspConfig, LspError};

/// How much longer than the client's own request timeout the transport waits before it gives
/// up on its own: the client's timeout (a typed [`LspError::Timeout`]) normally fires first,
/// and the transport's aborts the connection should the client's timer not.
const TRANSPORT_TIMEOUT_MARGIN: Duration = Duration::from_secs(1);

/// An [`LspClient`] over the native [`ReqwestTransport`] and [`TokioTimer`].
///
/// The transport's per-request (and event stream handshake) timeout is the configuration's
/// `request_timeout` plus one second.
///
/// # Errors
/// [`LspError::InvalidConfig`] as [`LspClient::new`]; [`LspError::Transport`] if the HTTP
/// client could not be set up.
pub fn client(config: LspConfig) -> Result<LspClient<ReqwestTransport, TokioTimer>, LspError> {
    let timeout = config
        .request_timeout
        .saturating_add(TRANSPORT_TIMEOUT_MARGIN);
    let transport = ReqwestTransport::with_timeout(timeout)?;
    LspClient::new(config, transport, TokioTimer)
}
