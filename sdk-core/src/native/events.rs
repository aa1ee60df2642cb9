//! The native event stream: a tokio-tungstenite WebSocket opened with the caller's headers,
//! yielding text frames and mapping close frames and failures to [`TransportError`]s.

use std::sync::Arc;
use std::time::Duration;

use futures_util::{SinkExt, StreamExt};
use tokio::net::TcpStream;
use tokio_tungstenite::tungstenite::client::IntoClientRequest;
use tokio_tungstenite::tungstenite::protocol::frame::coding::CloseCode;
use tokio_tungstenite::tungstenite::protocol::CloseFrame;
use tokio_tungstenite::tungstenite::{Error as WsError, Message};
use tokio_tungstenite::{Connector, MaybeTlsStream, WebSocketStream};

use super::http::{describe, header_map, not_sent};
use crate::platform::{boxed, BoxFuture};
use crate::transport::{EventStream, TransportError};

/// How long closing (our Close frame, or the reply to the server's) may take before the
/// connection is simply dropped.
const CLOSE_GRACE: Duration = Duration::from_secs(2);

/// The most of an HTTP error body quoted in a refused handshake's error.
const MAX_QUOTED_CHARS: usize = 200;

/// The WebSocket connection.
type Socket = WebSocketStream<MaybeTlsStream<TcpStream>>;

/// The TLS configuration of `wss://` streams: rustls with the ring provider (chosen here, so
/// no process-wide default is needed) and the webpki root certificates.
pub(super) fn tls_config() -> Result<Arc<rustls::ClientConfig>, String> {
    let roots = rustls::RootCertStore::from_iter(webpki_roots::TLS_SERVER_ROOTS.iter().cloned());
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let config = rustls::ClientConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .map_err(|e| format!("TLS: {e}"))?
        .with_root_certificates(roots)
        .with_no_client_auth();
    Ok(Arc::new(config))
}

/// Opens the WebSocket at `url` with `headers` added to the handshake, within `timeout`.
///
/// An invalid URL or header, a refused connection, a failed TLS handshake or an HTTP answer
/// other than `101` (its status and the start of its body in the reason) is a
/// [`TransportError::Connect`]; a handshake slower than `timeout` a
/// [`TransportError::Timeout`].
pub(super) async fn open(
    url: String,
    headers: Vec<(String, String)>,
    timeout: Duration,
    tls: Arc<rustls::ClientConfig>,
) -> Result<Box<dyn EventStream>, TransportError> {
    let connect_error = |reason: String| TransportError::Connect {
        url: url.clone(),
        reason,
    };
    let mut request = url
        .as_str()
        .into_client_request()
        .map_err(|e| connect_error(describe(&e)))?;
    // The caller's headers replace any the handshake generated under the same name.
    let extra = header_map(&url, &headers)?;
    let handshake = request.headers_mut();
    for name in extra.keys() {
        handshake.remove(name);
    }
    for (name, value) in &extra {
        handshake
            .try_append(name, value.clone())
            .map_err(|_| not_sent(&url, "too many headers"))?;
    }
    let connecting = tokio_tungstenite::connect_async_tls_with_config(
        request,
        None,
        false,
        Some(Connector::Rustls(tls)),
    );
    match tokio::time::timeout(timeout, connecting).await {
        Err(_elapsed) => Err(TransportError::Timeout { url }),
        Ok(Err(WsError::Http(response))) => {
            let body = response
                .body()
                .as_deref()
                .map(|bytes| {
                    let text: String = String::from_utf8_lossy(bytes)
                        .chars()
                        .take(MAX_QUOTED_CHARS)
                        .collect();
                    format!(": {}", text.trim())
                })
                .unwrap_or_default();
            Err(connect_error(format!(
                "event stream refused with HTTP {}{body}",
                response.status()
            )))
        }
        Ok(Err(error)) => Err(connect_error(describe(&error))),
        Ok(Ok((socket, _response))) => Ok(Box::new(WsEventStream {
            url,
            state: State::Open(Box::new(socket)),
        })),
    }
}

/// Where a [`WsEventStream`] is in its life.
enum State {
    /// Reading.
    Open(Box<Socket>),
    /// The server sent a Close frame: the reply is due, then the outcome is reported.
    Closing(Box<Socket>, Option<TransportError>),
    /// Over: every read returns `None`.
    Ended,
}

/// An open WebSocket event stream.
///
/// Reading answers pings (tungstenite queues the pong and sends it on the next read) and skips
/// binary and pong frames. A Close frame with code 1000 (or none) ends the stream cleanly
/// (`None`); any other code is reported once as [`TransportError::StreamClosed`] whose reason
/// reads `close code <code>[: <reason>]`. A connection that breaks is a [`TransportError::Io`].
/// Reading is cancel-safe.
struct WsEventStream {
    url: String,
    state: State,
}

impl WsEventStream {
    /// The next text message; see the type's documentation.
    async fn read(&mut self) -> Option<Result<String, TransportError>> {
        loop {
            let socket = match &mut self.state {
                State::Ended => return None,
                State::Closing(socket, _) => {
                    // Send the reply to the server's Close frame (best effort). The outcome
                    // stays in the state until this completes, so a cancelled read loses
                    // nothing.
                    let _ = tokio::time::timeout(CLOSE_GRACE, socket.flush()).await;
                    return match std::mem::replace(&mut self.state, State::Ended) {
                        State::Closing(_, outcome) => outcome.map(Err),
                        State::Open(_) | State::Ended => None,
                    };
                }
                State::Open(socket) => socket,
            };
            match socket.next().await {
                Some(Ok(Message::Text(text))) => return Some(Ok(text.as_str().to_owned())),
                Some(Ok(Message::Close(frame))) => {
                    if let State::Open(socket) = std::mem::replace(&mut self.state, State::Ended) {
                        self.state = State::Closing(socket, close_outcome(frame));
                    }
                }
                // Pings are answered by tungstenite; binary and pong frames are not events (and
                // raw frames are never read).
                Some(Ok(
                    Message::Binary(_) | Message::Ping(_) | Message::Pong(_) | Message::Frame(_),
                )) => {}
                Some(Err(error)) => {
                    self.state = State::Ended;
                    return Some(Err(TransportError::Io {
                        url: self.url.clone(),
                        reason: describe(&error),
                    }));
                }
                None => {
                    self.state = State::Ended;
                    return None;
                }
            }
        }
    }

    /// Sends a Close frame (1000), or the reply to the server's, and waits briefly for the
    /// server to end the connection.
    async fn shut(&mut self) {
        let mut socket = match std::mem::replace(&mut self.state, State::Ended) {
            State::Open(socket) => socket,
            State::Closing(mut socket, _) => {
                let _ = tokio::time::timeout(CLOSE_GRACE, socket.flush()).await;
                return;
            }
            State::Ended => return,
        };
        let frame = CloseFrame {
            code: CloseCode::Normal,
            reason: "".into(),
        };
        let _ = tokio::time::timeout(CLOSE_GRACE, async {
            // The inherent close of the stream, not `SinkExt::close` of the box.
            if (*socket).close(Some(frame)).await.is_ok() {
                // Read until the server's reply and the end of the connection.
                while let Some(Ok(_)) = socket.next().await {}
            }
        })
        .await;
    }
}

impl EventStream for WsEventStream {
    fn next_message(&mut self) -> BoxFuture<'_, Option<Result<String, TransportError>>> {
        boxed(self.read())
    }

    fn close(&mut self) -> BoxFuture<'_, ()> {
        boxed(self.shut())
    }
}

/// What a Close frame means for the reader: `None` for a normal close (1000) or one without a
/// code, otherwise [`TransportError::StreamClosed`] with the code and reason.
fn close_outcome(frame: Option<CloseFrame>) -> Option<TransportError> {
    let frame = frame?;
    if frame.code == CloseCode::Normal {
        return None;
    }
    let code = u16::from(frame.code);
    let reason = if frame.reason.is_empty() {
        format!("close code {code}")
    } else {
        format!("close code {code}: {}", frame.reason.as_str())
    };
    Some(TransportError::StreamClosed { reason })
}
