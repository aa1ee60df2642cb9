//! The client over JSON text, for bindings that carry JSON rather than JavaScript objects: the
//! Unity WebGL bridge (`plugins/unity/.../EtridLightning.jslib`) runs the same C# API as on
//! desktop through these two methods. They are the core's JSON operations
//! (`LspClient::run_json`): the same operation numbers, argument checks, answers, error JSON
//! and event items as the C ABI, so a game behaves the same in a browser and natively.

use std::cell::RefCell;
use std::collections::HashMap;
use std::rc::Rc;

use etrid_core::lsp::{parse_arguments, EventHub, HubEvent, LspConfig, Operation, OperationError};
use js_sys::{Function, Promise, Reflect};
use wasm_bindgen::closure::Closure;
use wasm_bindgen::prelude::wasm_bindgen;
use wasm_bindgen::JsValue;
use wasm_bindgen_futures::spawn_local;

use super::abort::{until_aborted, Aborted};
use super::{run_as_promise, JsClient};
use crate::error::{aborted, error_value, invalid_argument};
use crate::web::WebTransport;

#[wasm_bindgen]
extern "C" {
    /// `console.error(message, value)`: a listener that threw.
    #[wasm_bindgen(js_namespace = console, js_name = error)]
    fn console_error(message: &str, value: &JsValue);
}

/// The event streams opened by `subscribeJson`, by subscription number, so that `close` stops
/// them all.
#[derive(Default)]
pub(super) struct JsonStreams {
    next: u64,
    hubs: HashMap<u64, EventHub>,
}

impl JsonStreams {
    /// Stops every stream; their listeners receive nothing more.
    pub(super) fn stop_all(&mut self) {
        for (_, hub) in self.hubs.drain() {
            hub.stop();
        }
    }
}

/// An `EtridError` for a failed JSON operation: `.code`, the message, and `.json`, the error
/// in the core's JSON shape (`{code, message, retryable, http_status}`) for the bridge to pass
/// on unchanged.
fn operation_error(error: &OperationError) -> JsValue {
    let value = error_value(error.code(), &error.to_string());
    let _ = Reflect::set(
        &value,
        &JsValue::from_str("json"),
        &JsValue::from_str(&error.to_json().to_string()),
    );
    value
}

#[wasm_bindgen(js_class = Client)]
impl JsClient {
    /// A client from the JSON configuration of the C ABI and the Unity package:
    /// `{"base_url", "api_key", "network", "request_timeout_ms"?, "payment_policy"?,
    /// "reconnect"?}` (snake_case, amounts exact), with the global `fetch` and `WebSocket`.
    /// For bindings that carry JSON (Unity WebGL); JavaScript code has `new Client(options)`.
    ///
    /// Throws an `EtridError` `lsp_invalid_config` naming what is wrong, with `json` (the
    /// error as JSON), or `invalid_argument` when `fetch` or `WebSocket` is missing.
    #[wasm_bindgen(js_name = fromConfigJson)]
    pub fn from_config_json(
        #[wasm_bindgen(js_name = configJson)] config_json: &str,
    ) -> Result<JsClient, JsValue> {
        let config = LspConfig::from_json(config_json)
            .map_err(|e| operation_error(&OperationError::Lsp(e)))?;
        let transport = WebTransport::new(None, None)
            .map_err(|reason| invalid_argument(&format!("client: {reason}")))?;
        JsClient::with(config, transport)
    }

    /// Runs operation number `operation` (etrid.h's `EtridOperation`: 1 create invoice, 2 get
    /// invoice, … 27 list events) with `argsJson`, a JSON object of the API's snake_case fields
    /// (`undefined` or `null`: none), and resolves with the API's answer as JSON text. Amounts
    /// stay exact: they never pass through JavaScript numbers.
    ///
    /// Rejects with an `EtridError` whose `json` property is the error as JSON
    /// (`{code, message, retryable, http_status}`): `invalid_argument` for an unknown operation or
    /// arguments that do not fit it, the LSP's errors otherwise, and `aborted` (without `json`)
    /// when `signal` fires. For bindings that carry JSON (Unity WebGL); JavaScript code has the
    /// typed methods.
    #[wasm_bindgen(js_name = requestJson, unchecked_return_type = "Promise<string>")]
    pub fn request_json(
        &self,
        operation: i32,
        #[wasm_bindgen(js_name = argsJson)] args_json: Option<String>,
        #[wasm_bindgen(unchecked_param_type = "AbortSignal | undefined")] signal: JsValue,
    ) -> Promise {
        let client = self.inner.clone();
        run_as_promise(Box::pin(async move {
            let operation = Operation::from_number(operation).ok_or_else(|| {
                operation_error(&OperationError::Arguments(format!(
                    "operation {operation} is not an operation number (1..={})",
                    Operation::ALL.len()
                )))
            })?;
            let arguments = parse_arguments(args_json.as_deref()).map_err(|e| match e {
                OperationError::Arguments(problem) => {
                    operation_error(&OperationError::Arguments(format!("argsJson {problem}")))
                }
                other => operation_error(&other),
            })?;
            match until_aborted(&signal, client.run_json(operation, &arguments)).await? {
                Ok(Ok(value)) => Ok(JsValue::from_str(&value.to_string())),
                Ok(Err(error)) => Err(operation_error(&error)),
                Err(Aborted(reason)) => Err(aborted(reason)),
            }
        }))
    }

    /// Calls `listener` with each item of the account's event stream as JSON text, the C ABI's
    /// items: `{"kind": "event", "event": {id, type, created_at, data}}`, `{"kind": "resync"}` or
    /// `{"kind": "error", "error": {…}}` (the stream goes on retrying). Events after `after` (a
    /// persisted event id; `undefined`: from now on), each once, in order, across reconnects.
    /// Returns the function that stops this stream; `close()` stops it too. For bindings that
    /// carry JSON (Unity WebGL); JavaScript code has `on` and `events`.
    #[wasm_bindgen(js_name = subscribeJson, unchecked_return_type = "() => void")]
    pub fn subscribe_json(
        &self,
        after: Option<u64>,
        #[wasm_bindgen(unchecked_param_type = "(itemJson: string) => void")] listener: Function,
    ) -> Function {
        let (hub, pump) = self.inner.event_hub(after, 0);
        hub.add_listener(move |item: &HubEvent| {
            let text = JsValue::from_str(&item.to_json().to_string());
            if let Err(thrown) = listener.call1(&JsValue::UNDEFINED, &text) {
                console_error("etrid: an event listener threw", &thrown);
            }
        });
        spawn_local(pump.run());
        let number = {
            let mut streams = self.json_streams.borrow_mut();
            streams.next += 1;
            let number = streams.next;
            streams.hubs.insert(number, hub);
            number
        };
        let streams: Rc<RefCell<JsonStreams>> = Rc::clone(&self.json_streams);
        let stop = Closure::<dyn FnMut()>::new(move || {
            if let Some(hub) = streams.borrow_mut().hubs.remove(&number) {
                hub.stop();
            }
        });
        Function::from(stop.into_js_value())
    }
}
