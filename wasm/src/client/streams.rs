//! Streaming payments (S24): the LSP pays per second of running time, within a budget (admin
//! scope).

use etrid_core::lsp::{CreateStreamRequest, ListPageRequest};
use js_sys::Promise;
use wasm_bindgen::prelude::wasm_bindgen;
use wasm_bindgen::JsValue;

use super::{lsp, promise, JsClient};
use crate::convert::{from_js, from_js_or_default};

#[wasm_bindgen(js_class = Client)]
impl JsClient {
    /// Starts a stream (admin scope): `{ destination, rate_msat_per_sec, budget_msat,
    /// idempotency_key, tick_interval_ms?, min_payment_msat?, description? }` → the stream,
    /// running. The LSP pays in arrears, one payment per tick, never beyond the budget.
    #[wasm_bindgen(js_name = createStream, unchecked_return_type = "Promise<Stream>")]
    pub fn create_stream(
        &self,
        #[wasm_bindgen(unchecked_param_type = "CreateStreamRequest")] request: JsValue,
    ) -> Promise {
        let client = self.inner.clone();
        promise(async move {
            let request: CreateStreamRequest = from_js(request, "createStream request")?;
            lsp(client.create_stream(request).await)
        })
    }

    /// One stream, its figures as of its last step (admin scope).
    #[wasm_bindgen(js_name = getStream, unchecked_return_type = "Promise<Stream>")]
    pub fn get_stream(&self, id: String) -> Promise {
        let client = self.inner.clone();
        promise(async move { lsp(client.get_stream(&id).await) })
    }

    /// The account's streams, newest first, a page at a time (admin scope).
    #[wasm_bindgen(js_name = listStreams, unchecked_return_type = "Promise<StreamList>")]
    pub fn list_streams(
        &self,
        #[wasm_bindgen(unchecked_param_type = "ListPageRequest | undefined")] query: JsValue,
    ) -> Promise {
        let client = self.inner.clone();
        promise(async move {
            let query: ListPageRequest = from_js_or_default(query, "listStreams query")?;
            lsp(client.list_streams(query).await)
        })
    }

    /// Pauses a running stream: its time stops being charged; `lsp_conflict` unless running.
    #[wasm_bindgen(js_name = pauseStream, unchecked_return_type = "Promise<Stream>")]
    pub fn pause_stream(&self, id: String) -> Promise {
        let client = self.inner.clone();
        promise(async move { lsp(client.pause_stream(&id).await) })
    }

    /// Resumes a paused stream; `lsp_conflict` unless paused.
    #[wasm_bindgen(js_name = resumeStream, unchecked_return_type = "Promise<Stream>")]
    pub fn resume_stream(&self, id: String) -> Promise {
        let client = self.inner.clone();
        promise(async move { lsp(client.resume_stream(&id).await) })
    }

    /// Issues the stream's key (admin scope, on your server): `{ stream_id, key }`; a client
    /// made with `key` as its `apiKey` reads, pauses, resumes and stops this stream and
    /// nothing else. A new key replaces the previous one.
    #[wasm_bindgen(js_name = createStreamKey, unchecked_return_type = "Promise<StreamKey>")]
    pub fn create_stream_key(&self, id: String) -> Promise {
        let client = self.inner.clone();
        promise(async move { lsp(client.create_stream_key(&id).await) })
    }

    /// Stops a stream for good: what its time earned is paid (`settling`, then `finished`).
    #[wasm_bindgen(js_name = stopStream, unchecked_return_type = "Promise<Stream>")]
    pub fn stop_stream(&self, id: String) -> Promise {
        let client = self.inner.clone();
        promise(async move { lsp(client.stop_stream(&id).await) })
    }
}
