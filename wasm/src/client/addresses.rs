//! Lightning Addresses: those the LSP serves for the account (create, list, delete), and paying
//! any Lightning Address or LNURL-pay code through the LSP (`payLnurl`).

use etrid_core::lsp::{CreateLightningAddressRequest, ListPageRequest, PayLnurlRequest};
use js_sys::Promise;
use wasm_bindgen::prelude::wasm_bindgen;
use wasm_bindgen::JsValue;

use super::{lsp, promise, JsClient};
use crate::convert::{from_js, from_js_or_default};

#[wasm_bindgen(typescript_custom_section)]
const TS_LNURL_PAY: &'static str = r#"
/** What `client.payLnurl` pays. */
export interface PayLnurlRequest {
  /** A Lightning Address (`name@host`) or an LNURL-pay code (`LNURL1…`, `lnurlp://…`). */
  target: string;
  /** The amount the payee receives, in msat. */
  amount_msat: bigint;
  /** One key, one payment. */
  idempotency_key: string;
  /** A comment for the payee (LUD-12), if the service accepts one. */
  comment?: string;
  /** The most routing fee to pay (default: the payment policy's). */
  max_fee_msat?: bigint;
}

/** A payment made to a Lightning Address or LNURL-pay service. */
export interface LnurlPayment {
  /** The payment (`succeeded` at once for an address of the same LSP). */
  payment: LspPayment;
  /** The service's terms (callback, bounds, metadata, comment_allowed, …). */
  pay_request: unknown;
  /** What to show once paid (LUD-09, LUD-10), e.g. `{ tag: "message", message }`; null if none. */
  success_action: unknown;
  /** An AES action's plaintext when the payment already succeeded; null otherwise. */
  decrypted: string | null;
}
"#;

#[wasm_bindgen(js_class = Client)]
impl JsClient {
    /// Serves a Lightning Address `name@host` for the account (admin scope).
    #[wasm_bindgen(
        js_name = createLightningAddress,
        unchecked_return_type = "Promise<LightningAddress>"
    )]
    pub fn create_lightning_address(
        &self,
        #[wasm_bindgen(unchecked_param_type = "CreateLightningAddressRequest")] request: JsValue,
    ) -> Promise {
        let client = self.inner.clone();
        promise(async move {
            let request: CreateLightningAddressRequest =
                from_js(request, "createLightningAddress request")?;
            lsp(client.create_lightning_address(request).await)
        })
    }

    /// The account's Lightning Addresses, newest first, a page at a time.
    #[wasm_bindgen(
        js_name = listLightningAddresses,
        unchecked_return_type = "Promise<LightningAddressList>"
    )]
    pub fn list_lightning_addresses(
        &self,
        #[wasm_bindgen(unchecked_param_type = "ListPageRequest | undefined")] query: JsValue,
    ) -> Promise {
        let client = self.inner.clone();
        promise(async move {
            let query: ListPageRequest = from_js_or_default(query, "listLightningAddresses query")?;
            lsp(client.list_lightning_addresses(query).await)
        })
    }

    /// Deletes a Lightning Address: payments to it are refused from then on.
    #[wasm_bindgen(js_name = deleteLightningAddress, unchecked_return_type = "Promise<void>")]
    pub fn delete_lightning_address(&self, name: String) -> Promise {
        let client = self.inner.clone();
        promise(async move { lsp(client.delete_lightning_address(&name).await) })
    }

    /// Pays a Lightning Address or LNURL-pay code from the account (admin scope): the service's
    /// terms, bounds, comment and invoice (amount, description hash) are checked before
    /// anything is paid, and the API key is never sent to the service.
    #[wasm_bindgen(js_name = payLnurl, unchecked_return_type = "Promise<LnurlPayment>")]
    pub fn pay_lnurl(
        &self,
        #[wasm_bindgen(unchecked_param_type = "PayLnurlRequest")] request: JsValue,
    ) -> Promise {
        let client = self.inner.clone();
        promise(async move {
            let request: PayLnurlRequest = from_js(request, "payLnurl request")?;
            lsp(client.pay_lnurl(request).await)
        })
    }
}
