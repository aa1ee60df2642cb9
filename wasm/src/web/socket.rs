//! Event streams over the platform's `WebSocket`: opened with the `etrid.v1` and
//! `etrid.bearer.<key>` subprotocols, text messages queued as they arrive, the close code
//! mapped as the native transport maps it (1000 or none: a clean end; others:
//! [`TransportError::StreamClosed`] with `close code <code>[: <reason>]`).

use std::cell::RefCell;
use std::collections::VecDeque;
use std::future::poll_fn;
use std::rc::Rc;
use std::task::{Poll, Waker};

use etrid_core::platform::{boxed, BoxFuture};
use etrid_core::transport::{EventStream, TransportError};
use js_sys::{Array, Function};
use wasm_bindgen::closure::Closure;
use wasm_bindgen::{JsCast, JsValue};
use web_sys::{BinaryType, CloseEvent, MessageEvent, WebSocket};

use super::describe_js;

/// The subprotocol the LSP's event stream speaks.
const PROTOCOL: &str = "etrid.v1";
/// The subprotocol prefix that carries the API key (browsers cannot set headers on a
/// WebSocket).
const BEARER_PREFIX: &str = "etrid.bearer.";
/// Close codes that end a stream cleanly: normal closure, and "no status received".
const CLEAN_CLOSE_CODES: [u16; 2] = [1000, 1005];

/// Where the socket is in its life, as its event handlers saw it.
#[derive(Debug)]
enum Phase {
    Connecting,
    Open,
    /// Closed, or failed before it opened: the close code and reason.
    Closed {
        code: u16,
        reason: String,
    },
}

/// What the handlers share with the reader.
#[derive(Debug)]
struct Shared {
    phase: Phase,
    /// Text messages not read yet.
    messages: VecDeque<String>,
    /// The message of the last `error` event, for a failure's description.
    last_error: Option<String>,
    waker: Option<Waker>,
}

impl Shared {
    fn wake(&mut self) {
        if let Some(waker) = self.waker.take() {
            waker.wake();
        }
    }
}

/// The `onopen`, `onmessage`, `onerror` and `onclose` handlers, kept alive with the socket.
struct Handlers {
    _open: Closure<dyn FnMut(JsValue)>,
    _message: Closure<dyn FnMut(MessageEvent)>,
    _error: Closure<dyn FnMut(JsValue)>,
    _close: Closure<dyn FnMut(CloseEvent)>,
}

/// The subprotocols for the request `headers`: `etrid.v1`, and `etrid.bearer.<key>` when an
/// `Authorization: Bearer <key>` header is among them. Other headers cannot be sent.
fn protocols(headers: &[(String, String)]) -> Array {
    let protocols = Array::of1(&JsValue::from_str(PROTOCOL));
    let key = headers
        .iter()
        .filter(|(name, _)| name.eq_ignore_ascii_case("authorization"))
        .find_map(|(_, value)| value.strip_prefix("Bearer "));
    if let Some(key) = key {
        protocols.push(&JsValue::from_str(&format!("{BEARER_PREFIX}{key}")));
    }
    protocols
}

/// Opens the WebSocket at `url` and waits until it is open.
///
/// # Errors
/// [`TransportError::Connect`] when the constructor refuses the URL or protocols, or the
/// socket closes before it opens (refused connection, failed handshake).
pub(super) async fn open(
    constructor: &Function,
    url: String,
    headers: Vec<(String, String)>,
) -> Result<Box<dyn EventStream>, TransportError> {
    let connect = |reason: String| TransportError::Connect {
        url: url.clone(),
        reason,
    };
    let args = Array::of2(&JsValue::from_str(&url), &protocols(&headers));
    let socket: WebSocket = js_sys::Reflect::construct(constructor, &args)
        .map_err(|e| connect(describe_js(&e)))?
        .unchecked_into();
    socket.set_binary_type(BinaryType::Arraybuffer);
    let shared = Rc::new(RefCell::new(Shared {
        phase: Phase::Connecting,
        messages: VecDeque::new(),
        last_error: None,
        waker: None,
    }));
    let handlers = install_handlers(&socket, &shared);
    let stream = WebEventStream {
        socket,
        shared,
        _handlers: handlers,
    };
    poll_fn(|cx| {
        let mut shared = stream.shared.borrow_mut();
        match &shared.phase {
            Phase::Connecting => {
                shared.waker = Some(cx.waker().clone());
                Poll::Pending
            }
            Phase::Open => Poll::Ready(Ok(())),
            Phase::Closed { code, reason } => {
                let mut why = format!("the event stream could not be opened (close code {code}");
                if !reason.is_empty() {
                    why.push_str(&format!(": {reason}"));
                }
                why.push(')');
                if let Some(error) = &shared.last_error {
                    why.push_str(&format!(": {error}"));
                }
                Poll::Ready(Err(connect(why)))
            }
        }
    })
    .await?;
    Ok(Box::new(stream))
}

/// Sets the socket's four handlers to update `shared` and wake the reader.
fn install_handlers(socket: &WebSocket, shared: &Rc<RefCell<Shared>>) -> Handlers {
    let on_open = {
        let shared = Rc::clone(shared);
        Closure::<dyn FnMut(JsValue)>::new(move |_event: JsValue| {
            let mut shared = shared.borrow_mut();
            if matches!(shared.phase, Phase::Connecting) {
                shared.phase = Phase::Open;
            }
            shared.wake();
        })
    };
    let on_message = {
        let shared = Rc::clone(shared);
        Closure::<dyn FnMut(MessageEvent)>::new(move |event: MessageEvent| {
            // Events are text frames; binary frames are not events and are skipped.
            if let Some(text) = event.data().as_string() {
                let mut shared = shared.borrow_mut();
                shared.messages.push_back(text);
                shared.wake();
            }
        })
    };
    let on_error = {
        let shared = Rc::clone(shared);
        Closure::<dyn FnMut(JsValue)>::new(move |event: JsValue| {
            // A `close` event always follows; keep what the error said for its description.
            let message = js_sys::Reflect::get(&event, &JsValue::from_str("message"))
                .ok()
                .and_then(|m| m.as_string())
                .filter(|m| !m.is_empty())
                .or_else(|| {
                    js_sys::Reflect::get(&event, &JsValue::from_str("error"))
                        .ok()
                        .filter(|e| e.is_object())
                        .map(|e| describe_js(&e))
                });
            let mut shared = shared.borrow_mut();
            if message.is_some() {
                shared.last_error = message;
            }
            shared.wake();
        })
    };
    let on_close = {
        let shared = Rc::clone(shared);
        Closure::<dyn FnMut(CloseEvent)>::new(move |event: CloseEvent| {
            let mut shared = shared.borrow_mut();
            shared.phase = Phase::Closed {
                code: event.code(),
                reason: event.reason(),
            };
            shared.wake();
        })
    };
    socket.set_onopen(Some(on_open.as_ref().unchecked_ref()));
    socket.set_onmessage(Some(on_message.as_ref().unchecked_ref()));
    socket.set_onerror(Some(on_error.as_ref().unchecked_ref()));
    socket.set_onclose(Some(on_close.as_ref().unchecked_ref()));
    Handlers {
        _open: on_open,
        _message: on_message,
        _error: on_error,
        _close: on_close,
    }
}

/// An open event stream over a JavaScript `WebSocket`. Reading is cancel-safe: messages wait
/// in a queue until read. Dropping it closes the socket (1000) and detaches the handlers.
struct WebEventStream {
    socket: WebSocket,
    shared: Rc<RefCell<Shared>>,
    _handlers: Handlers,
}

impl WebEventStream {
    /// The next text message, `None` after a clean close, an error once after any other close.
    async fn read(&mut self) -> Option<Result<String, TransportError>> {
        let url = self.socket.url();
        poll_fn(|cx| {
            let mut shared = self.shared.borrow_mut();
            if let Some(text) = shared.messages.pop_front() {
                return Poll::Ready(Some(Ok(text)));
            }
            let (code, reason) = match &shared.phase {
                Phase::Connecting | Phase::Open => {
                    shared.waker = Some(cx.waker().clone());
                    return Poll::Pending;
                }
                Phase::Closed { code, reason } => (*code, reason.clone()),
            };
            if CLEAN_CLOSE_CODES.contains(&code) {
                return Poll::Ready(None);
            }
            let reason = if reason.is_empty() {
                format!("close code {code}")
            } else {
                format!("close code {code}: {reason}")
            };
            let failure = match shared.last_error.take() {
                // An abnormal closure (1006) after an error: the connection broke.
                Some(error) if code == 1006 => TransportError::Io {
                    url: url.clone(),
                    reason: format!("{reason}: {error}"),
                },
                _ => TransportError::StreamClosed { reason },
            };
            // Reported once; later reads see a clean end.
            shared.phase = Phase::Closed {
                code: 1000,
                reason: String::new(),
            };
            Poll::Ready(Some(Err(failure)))
        })
        .await
    }

    /// Closes the socket normally (1000); later reads return `None`.
    fn shut(&mut self) {
        let mut shared = self.shared.borrow_mut();
        shared.messages.clear();
        if !matches!(shared.phase, Phase::Closed { .. }) {
            // Closing an open or connecting socket with 1000 cannot throw.
            let _ = self.socket.close_with_code(1000);
        }
        shared.phase = Phase::Closed {
            code: 1000,
            reason: String::new(),
        };
        shared.wake();
    }
}

impl Drop for WebEventStream {
    fn drop(&mut self) {
        self.shut();
        self.socket.set_onopen(None);
        self.socket.set_onmessage(None);
        self.socket.set_onerror(None);
        self.socket.set_onclose(None);
    }
}

impl EventStream for WebEventStream {
    fn next_message(&mut self) -> BoxFuture<'_, Option<Result<String, TransportError>>> {
        boxed(self.read())
    }

    fn close(&mut self) -> BoxFuture<'_, ()> {
        self.shut();
        boxed(async {})
    }
}
