//! Fiat quotes (S28): a price in a fiat currency locked in millisatoshis by the LSP.

use etrid_core::lsp::CreateQuoteRequest;
use js_sys::Promise;
use wasm_bindgen::prelude::wasm_bindgen;
use wasm_bindgen::JsValue;

use super::{lsp, promise, JsClient};
use crate::convert::from_js;

#[wasm_bindgen(js_class = Client)]
impl JsClient {
    /// Quotes a fiat price (any key): `{ fiat_amount: "4.99", currency: "EUR" }` → the quote,
    /// its rate locked until `expires_at`. Create the invoice with `{ quote_id }` to charge
    /// exactly `amount_msat`; an expired quote (`lsp_quote_expired`) or a moved rate
    /// (`lsp_slippage_exceeded`) is refused: quote again.
    #[wasm_bindgen(js_name = createQuote, unchecked_return_type = "Promise<Quote>")]
    pub fn create_quote(
        &self,
        #[wasm_bindgen(unchecked_param_type = "CreateQuoteRequest")] request: JsValue,
    ) -> Promise {
        let client = self.inner.clone();
        promise(async move {
            let request: CreateQuoteRequest = from_js(request, "createQuote request")?;
            lsp(client.create_quote(request).await)
        })
    }
}
