//! HTTP requests through the platform's `fetch`.

use etrid_core::transport::{HttpRequest, HttpResponse, TransportError};
use js_sys::{Array, Function, Promise, Uint8Array};
use wasm_bindgen::{JsCast, JsValue};
use wasm_bindgen_futures::JsFuture;
use web_sys::{AbortController, Headers, RequestInit, Response};

use super::describe_js;

/// The largest response body read (the LSP's are a few KiB): a larger one is refused rather
/// than buffered.
const MAX_RESPONSE_BYTES: u64 = 16 * 1024 * 1024;

/// Aborts the request when dropped before [`finish`](Self::finish): the core dropping a
/// request (its timeout fired) cancels the network request too.
struct AbortOnDrop(Option<AbortController>);

impl AbortOnDrop {
    fn finish(&mut self) {
        self.0 = None;
    }
}

impl Drop for AbortOnDrop {
    fn drop(&mut self) {
        if let Some(controller) = self.0.take() {
            controller.abort();
        }
    }
}

/// Sends `request` with `fetch` and reads the whole response.
pub(super) async fn send(
    fetch: &Function,
    request: HttpRequest,
) -> Result<HttpResponse, TransportError> {
    let url = request.url.clone();
    let io = |reason: String| TransportError::Io {
        url: url.clone(),
        reason,
    };
    let connect = |reason: String| TransportError::Connect {
        url: url.clone(),
        reason,
    };
    let headers = Headers::new().map_err(|e| connect(describe_js(&e)))?;
    for (name, value) in &request.headers {
        headers
            .append(name, value)
            .map_err(|e| connect(format!("header {name}: {}", describe_js(&e))))?;
    }
    let init = RequestInit::new();
    init.set_method(request.method.as_str());
    init.set_headers(&headers);
    if let Some(body) = &request.body {
        init.set_body(&Uint8Array::from(body.as_slice()));
    }
    let controller = AbortController::new().ok();
    if let Some(controller) = &controller {
        init.set_signal(Some(&controller.signal()));
    }
    let mut abort = AbortOnDrop(controller);

    let promise = fetch
        .call2(&js_sys::global(), &JsValue::from_str(&url), &init)
        .map_err(|e| connect(describe_js(&e)))?;
    let promise: Promise = promise
        .dyn_into()
        .map_err(|_| connect("fetch did not return a Promise".to_owned()))?;
    let response = JsFuture::from(promise)
        .await
        .map_err(|e| connect(describe_js(&e)))?;
    if !response.is_object() {
        return Err(bad_response(
            "fetch resolved to something other than a Response",
        ));
    }
    // Structural calls only (`.status`, `.headers`, `.arrayBuffer()`), so a fetch-compatible
    // Response from another implementation works too.
    let response: Response = response.unchecked_into();
    let status = response.status();
    let headers = read_headers(&response.headers());
    if let Some(length) = header(&headers, "content-length").and_then(|v| v.parse::<u64>().ok()) {
        if length > MAX_RESPONSE_BYTES {
            return Err(bad_response(&format!(
                "the response body of {length} bytes exceeds {MAX_RESPONSE_BYTES}"
            )));
        }
    }
    let reading = response.array_buffer().map_err(|e| io(describe_js(&e)))?;
    let buffer = JsFuture::from(reading)
        .await
        .map_err(|e| io(describe_js(&e)))?;
    let bytes = Uint8Array::new(&buffer);
    if u64::from(bytes.length()) > MAX_RESPONSE_BYTES {
        return Err(bad_response("the response body exceeds 16 MiB"));
    }
    abort.finish();
    Ok(HttpResponse {
        status,
        headers,
        body: bytes.to_vec(),
    })
}

/// The response headers as (lower-case name, value) pairs; a header that cannot be read is
/// skipped (browsers hide the ones CORS does not expose).
fn read_headers(headers: &Headers) -> Vec<(String, String)> {
    let Ok(Some(entries)) = js_sys::try_iter(headers) else {
        return Vec::new();
    };
    entries
        .filter_map(Result::ok)
        .filter_map(|entry| {
            let pair: Array = entry.dyn_into().ok()?;
            let name = pair.get(0).as_string()?;
            let value = pair.get(1).as_string()?;
            Some((name.to_ascii_lowercase(), value))
        })
        .collect()
}

/// The first value of the header `name` (lower case).
fn header<'a>(headers: &'a [(String, String)], name: &str) -> Option<&'a str> {
    headers
        .iter()
        .find(|(n, _)| n == name)
        .map(|(_, v)| v.as_str())
}

/// A [`TransportError::BadResponse`] with `reason`.
fn bad_response(reason: &str) -> TransportError {
    TransportError::BadResponse {
        reason: reason.to_owned(),
    }
}
