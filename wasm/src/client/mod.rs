//! `Client`: the LSP client for JavaScript, a thin wrapper over the core's [`LspClient`] on the
//! platform's `fetch`, `WebSocket` and `setTimeout`. One method per core operation, each
//! returning a Promise that resolves with the wire model (snake_case fields, `bigint` msat) or
//! rejects with an `EtridError`; arguments are checked inside the Promise, so an async method
//! never throws synchronously.

mod abort;
mod addresses;
mod admin;
mod events;
mod invoices;
mod json;
mod options;
mod payments;
mod quotes;
mod schedules;
mod streams;
mod tournaments;
mod vouchers;

use std::cell::RefCell;
use std::future::Future;
use std::pin::Pin;
use std::rc::Rc;

use etrid_core::lsp::{LspClient, LspConfig, LspError};
use js_sys::Promise;
use serde::Serialize;
use wasm_bindgen::prelude::wasm_bindgen;
use wasm_bindgen::JsValue;
use wasm_bindgen_futures::future_to_promise;

use crate::clock::JsClock;
use crate::convert::to_js;
use crate::error::lsp_error;
use crate::web::WebTransport;

pub use events::EventIterator;
pub use payments::{PreparedKeysend, PreparedPayment};

/// The core client this binding wraps.
type Core = LspClient<WebTransport, JsClock>;

/// A client of an Étrid LSP (see the package README): invoices, hold invoices, payments,
/// balance and ledger, API keys, webhooks, node information and account events.
#[wasm_bindgen(js_name = Client)]
pub struct JsClient {
    inner: Core,
    events: events::Listeners,
    json_streams: Rc<RefCell<json::JsonStreams>>,
}

#[wasm_bindgen(js_class = Client)]
impl JsClient {
    /// A client for `options.baseUrl` with `options.apiKey` on `options.network`.
    ///
    /// Throws an `EtridError`: `invalid_argument` for a malformed options object or a missing
    /// `fetch` / `WebSocket`, `lsp_invalid_config` for an unusable URL or key.
    #[wasm_bindgen(constructor)]
    pub fn new(
        #[wasm_bindgen(unchecked_param_type = "ClientOptions")] options: JsValue,
    ) -> Result<JsClient, JsValue> {
        let (config, transport) = options::parse(options)?;
        JsClient::with(config, transport)
    }

    /// The LSP's base URL this client talks to.
    #[wasm_bindgen(getter, js_name = baseUrl)]
    pub fn base_url(&self) -> String {
        self.inner.config().base_url.clone()
    }

    /// The network invoices must be for.
    #[wasm_bindgen(getter, unchecked_return_type = "Network")]
    pub fn network(&self) -> String {
        self.inner.config().network.as_str().to_owned()
    }

    /// Stops event delivery (listeners added with `on` or `subscribeJson` receive nothing
    /// more). Iterators from `events()` are closed by `return()` (what `break` in `for await`
    /// calls).
    pub fn close(&self) {
        self.events.stop();
        self.json_streams.borrow_mut().stop_all();
    }
}

impl JsClient {
    /// A client for `config` over `transport`.
    fn with(config: LspConfig, transport: WebTransport) -> Result<JsClient, JsValue> {
        let inner = LspClient::new(config, transport, JsClock).map_err(lsp_error)?;
        Ok(JsClient {
            events: events::Listeners::new(inner.clone()),
            json_streams: Rc::default(),
            inner,
        })
    }
}

/// Runs an LSP call as a Promise: resolves with the result converted to JavaScript, rejects
/// with the mapped error.
///
/// The call's result is converted inside its own future, and the future is boxed before it is
/// handed to `future_to_promise`: one instance of the Promise machinery serves every method
/// (generic per method, it was a tenth of the package's code).
fn promise<R, F>(call: F) -> Promise
where
    R: Serialize,
    F: Future<Output = Result<R, JsValue>> + 'static,
{
    run_as_promise(Box::pin(async move { to_js(&call.await?) }))
}

/// The one `future_to_promise` of the client's methods.
pub(super) fn run_as_promise(
    future: Pin<Box<dyn Future<Output = Result<JsValue, JsValue>>>>,
) -> Promise {
    future_to_promise(future)
}

/// Maps an LSP result's error to JavaScript.
fn lsp<R>(result: Result<R, LspError>) -> Result<R, JsValue> {
    result.map_err(lsp_error)
}

// The wire models' TypeScript declarations, generated from lsp/openapi.json by
// wasm/scripts/lsp-types.mjs (CI fails when the file is stale).
#[wasm_bindgen(typescript_custom_section)]
const TS_LSP_MODELS: &'static str = include_str!("lsp_models.d.ts");
