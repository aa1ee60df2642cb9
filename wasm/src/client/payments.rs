//! Payments: `preparePayInvoice` then `pay`, `prepareKeysend` then `keysend` (checked locally
//! against the network, the clock and the payment policy before anything is sent), then get
//! and list.

use etrid_core::lsp::{KeysendRequest, ListPaymentsRequest, PayInvoiceRequest};
use js_sys::Promise;
use wasm_bindgen::prelude::wasm_bindgen;
use wasm_bindgen::JsValue;

use super::{lsp, promise, JsClient};
use crate::convert::{from_js, from_js_or_default, to_js};

/// A BOLT11 payment checked by `client.preparePayInvoice`, ready for `client.pay`: shows the
/// most it can cost before anything is sent.
#[wasm_bindgen]
pub struct PreparedPayment {
    inner: etrid_core::lsp::PreparedPayment,
}

#[wasm_bindgen]
impl PreparedPayment {
    /// The amount the payee receives, in msat.
    #[wasm_bindgen(getter, js_name = amountMsat)]
    pub fn amount_msat(&self) -> u64 {
        self.inner.amount_msat().as_u64()
    }

    /// The most routing fee that can be paid, in msat.
    #[wasm_bindgen(getter, js_name = maxFeeMsat)]
    pub fn max_fee_msat(&self) -> u64 {
        self.inner.max_fee_msat().as_u64()
    }

    /// The most the account can be debited (amount plus maximum fee), in msat.
    #[wasm_bindgen(getter, js_name = maxTotalMsat)]
    pub fn max_total_msat(&self) -> u64 {
        self.inner.max_total_msat().as_u64()
    }

    /// The decoded invoice.
    #[wasm_bindgen(getter, unchecked_return_type = "Invoice")]
    pub fn invoice(&self) -> Result<JsValue, JsValue> {
        to_js(self.inner.invoice())
    }

    /// The request `pay` sends, defaults filled in.
    #[wasm_bindgen(getter, unchecked_return_type = "PayInvoiceRequest")]
    pub fn request(&self) -> Result<JsValue, JsValue> {
        to_js(self.inner.request())
    }
}

/// A keysend payment checked by `client.prepareKeysend`, ready for `client.keysend`.
#[wasm_bindgen]
pub struct PreparedKeysend {
    inner: etrid_core::lsp::PreparedKeysend,
}

#[wasm_bindgen]
impl PreparedKeysend {
    /// The request `keysend` sends, defaults filled in.
    #[wasm_bindgen(getter, unchecked_return_type = "KeysendRequest")]
    pub fn request(&self) -> Result<JsValue, JsValue> {
        to_js(self.inner.request())
    }
}

#[wasm_bindgen(js_class = Client)]
impl JsClient {
    /// Checks a BOLT11 payment locally (network, signature, expiry, amount, fee and part
    /// limits) and fills in the policy's defaults; sends nothing. Throws an `EtridError`.
    #[wasm_bindgen(js_name = preparePayInvoice)]
    pub fn prepare_pay_invoice(
        &self,
        #[wasm_bindgen(unchecked_param_type = "PayInvoiceRequest")] request: JsValue,
    ) -> Result<PreparedPayment, JsValue> {
        let request: PayInvoiceRequest = from_js(request, "preparePayInvoice request")?;
        let inner = lsp(self.inner.prepare_pay_invoice(request))?;
        Ok(PreparedPayment { inner })
    }

    /// Pays a prepared invoice (`POST /v1/payments`, admin scope). Resolves once the payment
    /// succeeded or failed (`status`); idempotent by payment hash.
    #[wasm_bindgen(unchecked_return_type = "Promise<LspPayment>")]
    pub fn pay(&self, prepared: &PreparedPayment) -> Promise {
        let client = self.inner.clone();
        let prepared = prepared.inner.clone();
        promise(async move { lsp(client.pay(prepared).await) })
    }

    /// Checks a keysend payment locally and fills in the policy's defaults; sends nothing.
    /// Throws an `EtridError`.
    #[wasm_bindgen(js_name = prepareKeysend)]
    pub fn prepare_keysend(
        &self,
        #[wasm_bindgen(unchecked_param_type = "KeysendRequest")] request: JsValue,
    ) -> Result<PreparedKeysend, JsValue> {
        let request: KeysendRequest = from_js(request, "prepareKeysend request")?;
        let inner = lsp(self.inner.prepare_keysend(request))?;
        Ok(PreparedKeysend { inner })
    }

    /// Sends a prepared keysend payment (`POST /v1/payments/keysend`, admin scope).
    #[wasm_bindgen(unchecked_return_type = "Promise<LspPayment>")]
    pub fn keysend(&self, prepared: &PreparedKeysend) -> Promise {
        let client = self.inner.clone();
        let prepared = prepared.inner.clone();
        promise(async move { lsp(client.keysend(prepared).await) })
    }

    /// Gets one payment by id.
    #[wasm_bindgen(js_name = getPayment, unchecked_return_type = "Promise<LspPayment>")]
    pub fn get_payment(&self, payment_id: String) -> Promise {
        let client = self.inner.clone();
        promise(async move { lsp(client.get_payment(&payment_id).await) })
    }

    /// Lists payments, newest first, a page at a time.
    #[wasm_bindgen(js_name = listPayments, unchecked_return_type = "Promise<PaymentList>")]
    pub fn list_payments(
        &self,
        #[wasm_bindgen(unchecked_param_type = "ListPaymentsRequest | undefined")] query: JsValue,
    ) -> Promise {
        let client = self.inner.clone();
        promise(async move {
            let query: ListPaymentsRequest = from_js_or_default(query, "listPayments query")?;
            lsp(client.list_payments(query).await)
        })
    }
}
