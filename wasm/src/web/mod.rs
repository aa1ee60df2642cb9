//! [`WebTransport`]: the core's [`Transport`] over the JavaScript platform's own `fetch` and
//! `WebSocket`, found on the global object (browsers, workers, Node 18+) or handed in by the
//! application (say, the `ws` package's `WebSocket` in Node 20, which has no global one).
//!
//! Bound directly with `web-sys` rather than through gloo-net: gloo-net's fetch looks for a
//! `Window` or a worker scope and fails in Node, and its WebSocket reader panics on a message
//! that is neither text nor an `ArrayBuffer`.

mod fetch;
mod socket;

use std::cell::RefCell;

use etrid_core::platform::{boxed, BoxFuture};
use etrid_core::transport::{EventStream, HttpRequest, HttpResponse, Transport, TransportError};
use js_sys::Function;
use wasm_bindgen::prelude::wasm_bindgen;
use wasm_bindgen::{JsCast, JsValue};

thread_local! {
    /// The `WebSocket` constructor used when the options give none and the platform has no
    /// global one: the Node entry module registers the `ws` package's here.
    static DEFAULT_WEB_SOCKET: RefCell<Option<JsValue>> = const { RefCell::new(None) };
}

/// Registers the `WebSocket` constructor for platforms without a global one (Node 20). Called
/// by the package's Node entry module; not part of the public API.
#[wasm_bindgen(js_name = "__setDefaultWebSocket", skip_typescript)]
pub fn set_default_web_socket(constructor: JsValue) {
    DEFAULT_WEB_SOCKET.with(|slot| *slot.borrow_mut() = Some(constructor));
}

/// The platform's `fetch` and `WebSocket` constructor, as the core's [`Transport`].
///
/// HTTP requests are aborted (`AbortController`) when the core drops them, say on its request
/// timeout. Event streams authenticate with the WebSocket subprotocols
/// `etrid.v1, etrid.bearer.<key>`, the one way a browser can send a key on a WebSocket.
#[derive(Debug, Clone)]
pub struct WebTransport {
    fetch: Function,
    web_socket: Function,
}

impl WebTransport {
    /// A transport over `fetch` and `web_socket` (a `WebSocket` constructor); either one
    /// `None` takes the global of that name.
    ///
    /// # Errors
    /// A message naming what is missing: a value given that is not a function, or no global
    /// `fetch` / `WebSocket` (Node before 18 has no `fetch`; Node 20 has no `WebSocket`: pass
    /// the `ws` package's).
    pub fn new(
        fetch: Option<JsValue>,
        web_socket: Option<JsValue>,
    ) -> Result<WebTransport, String> {
        Ok(WebTransport {
            fetch: function_or_global(fetch, "fetch")?,
            web_socket: function_or_global(web_socket, "WebSocket")?,
        })
    }
}

/// `value` as a function, or the global `name` when `value` is absent.
fn function_or_global(value: Option<JsValue>, name: &str) -> Result<Function, String> {
    let value = match value {
        Some(value) if !value.is_undefined() && !value.is_null() => value,
        _ => js_sys::Reflect::get(&js_sys::global(), &JsValue::from_str(name))
            .map_err(|_| format!("the global {name} cannot be read"))?,
    };
    let value = if value.is_undefined() && name == "WebSocket" {
        DEFAULT_WEB_SOCKET
            .with(|slot| slot.borrow().clone())
            .unwrap_or(value)
    } else {
        value
    };
    if value.is_undefined() {
        return Err(format!(
            "this JavaScript platform has no global {name}: pass one in the client options"
        ));
    }
    value
        .dyn_into::<Function>()
        .map_err(|_| format!("{name} must be a function"))
}

impl Transport for WebTransport {
    fn request(&self, request: HttpRequest) -> BoxFuture<'_, Result<HttpResponse, TransportError>> {
        boxed(fetch::send(&self.fetch, request))
    }

    fn open_events(
        &self,
        url: String,
        headers: Vec<(String, String)>,
    ) -> BoxFuture<'_, Result<Box<dyn EventStream>, TransportError>> {
        boxed(socket::open(&self.web_socket, url, headers))
    }
}

/// A readable description of a thrown JavaScript value: an `Error`'s message, with its
/// `cause`'s message when there is one (Node's fetch puts `ECONNREFUSED` there).
pub(crate) fn describe_js(value: &JsValue) -> String {
    let message = |value: &JsValue| -> Option<String> {
        js_sys::Reflect::get(value, &JsValue::from_str("message"))
            .ok()
            .and_then(|m| m.as_string())
            .filter(|m| !m.is_empty())
    };
    let Some(text) = message(value).or_else(|| value.as_string()) else {
        return "unknown error".to_owned();
    };
    let cause = js_sys::Reflect::get(value, &JsValue::from_str("cause"))
        .ok()
        .filter(|cause| cause.is_object())
        .and_then(|cause| {
            message(&cause).or_else(|| {
                js_sys::Reflect::get(&cause, &JsValue::from_str("code"))
                    .ok()
                    .and_then(|code| code.as_string())
            })
        });
    match cause {
        Some(cause) => format!("{text} ({cause})"),
        None => text,
    }
}
