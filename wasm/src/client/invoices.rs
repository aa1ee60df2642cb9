//! Invoices and hold invoices: create, get, list, cancel, settle, and `waitForPayment`.

use std::time::Duration;

use etrid_core::lsp::{
    CreateHoldInvoiceRequest, CreateInvoiceRequest, ListInvoicesRequest, LspInvoice,
    SettleHoldInvoiceRequest, WaitOutcome,
};
use js_sys::Promise;
use serde::{Deserialize, Serialize};
use wasm_bindgen::prelude::wasm_bindgen;
use wasm_bindgen::JsValue;

use super::abort::{until_aborted, Aborted};
use super::{lsp, promise, JsClient};
use crate::convert::{from_js, from_js_or_default, options_or_default};
use crate::error::aborted;

#[wasm_bindgen(typescript_custom_section)]
const TS_WAIT: &'static str = r#"
/** Options of `client.waitForPayment`. */
export interface WaitOptions {
  /** Give up after this many milliseconds (`status: "timed_out"`); default: until the invoice expires. */
  timeoutMs?: number;
  /** Aborts the wait: the Promise rejects with an `EtridError` of code `"aborted"`. */
  signal?: AbortSignal;
}

/** How waiting for an invoice ended. */
export interface WaitResult {
  /** `paid` (credited), `accepted` (a hold invoice's HTLCs are held), `expired`, `cancelled`, or `timed_out` (the invoice may still be paid later). */
  status: "paid" | "accepted" | "expired" | "cancelled" | "timed_out";
  /** The invoice as of that outcome; `null` when timed out. */
  invoice: LspInvoice | null;
}
"#;

/// `waitForPayment`'s options.
#[derive(Default, Deserialize)]
#[serde(rename_all = "camelCase")]
struct WaitOptions {
    #[serde(default)]
    timeout_ms: Option<u64>,
    #[serde(default, with = "serde_wasm_bindgen::preserve")]
    signal: JsValue,
}

/// `WaitOutcome` as JavaScript sees it.
#[derive(Serialize)]
struct WaitResult {
    status: &'static str,
    invoice: Option<LspInvoice>,
}

impl From<WaitOutcome> for WaitResult {
    fn from(outcome: WaitOutcome) -> WaitResult {
        let (status, invoice) = match outcome {
            WaitOutcome::Paid(invoice) => ("paid", Some(invoice)),
            WaitOutcome::Accepted(invoice) => ("accepted", Some(invoice)),
            WaitOutcome::Expired(invoice) => ("expired", Some(invoice)),
            WaitOutcome::Cancelled(invoice) => ("cancelled", Some(invoice)),
            WaitOutcome::TimedOut => ("timed_out", None),
        };
        WaitResult { status, invoice }
    }
}

#[wasm_bindgen(js_class = Client)]
impl JsClient {
    /// Creates an invoice (`POST /v1/invoices`, invoice scope). The same `external_id` twice
    /// returns the same invoice.
    #[wasm_bindgen(js_name = createInvoice, unchecked_return_type = "Promise<LspInvoice>")]
    pub fn create_invoice(
        &self,
        #[wasm_bindgen(unchecked_param_type = "CreateInvoiceRequest")] request: JsValue,
    ) -> Promise {
        let client = self.inner.clone();
        promise(async move {
            let request: CreateInvoiceRequest = from_js(request, "createInvoice request")?;
            lsp(client.create_invoice(request).await)
        })
    }

    /// Gets one invoice by id.
    #[wasm_bindgen(js_name = getInvoice, unchecked_return_type = "Promise<LspInvoice>")]
    pub fn get_invoice(&self, invoice_id: String) -> Promise {
        let client = self.inner.clone();
        promise(async move { lsp(client.get_invoice(&invoice_id).await) })
    }

    /// Lists invoices, newest first, a page at a time (`next_cursor` for the next page).
    #[wasm_bindgen(js_name = listInvoices, unchecked_return_type = "Promise<InvoiceList>")]
    pub fn list_invoices(
        &self,
        #[wasm_bindgen(unchecked_param_type = "ListInvoicesRequest | undefined")] query: JsValue,
    ) -> Promise {
        let client = self.inner.clone();
        promise(async move {
            let query: ListInvoicesRequest = from_js_or_default(query, "listInvoices query")?;
            lsp(client.list_invoices(query).await)
        })
    }

    /// Cancels an open invoice: it can no longer be paid.
    #[wasm_bindgen(js_name = cancelInvoice, unchecked_return_type = "Promise<LspInvoice>")]
    pub fn cancel_invoice(&self, invoice_id: String) -> Promise {
        let client = self.inner.clone();
        promise(async move { lsp(client.cancel_invoice(&invoice_id).await) })
    }

    /// Waits until the invoice is paid, accepted (hold), expired or cancelled, or
    /// `options.timeoutMs` passes. Never hangs past the invoice's expiry, and honours
    /// `options.signal`.
    #[wasm_bindgen(js_name = waitForPayment, unchecked_return_type = "Promise<WaitResult>")]
    pub fn wait_for_payment(
        &self,
        invoice_id: String,
        #[wasm_bindgen(unchecked_param_type = "WaitOptions | undefined")] options: JsValue,
    ) -> Promise {
        let client = self.inner.clone();
        promise(async move {
            let options: WaitOptions =
                options_or_default(options, &["timeoutMs", "signal"], "waitForPayment")?;
            let timeout = options
                .timeout_ms
                .map_or(Duration::MAX, Duration::from_millis);
            let waiting = async { lsp(client.wait_for_payment(&invoice_id, timeout).await) };
            match until_aborted(&options.signal, waiting).await? {
                Ok(outcome) => outcome.map(WaitResult::from),
                Err(Aborted(reason)) => Err(aborted(reason)),
            }
        })
    }

    /// Creates a hold invoice for a payment hash whose preimage the caller keeps
    /// (`POST /v1/hold-invoices`, admin scope).
    #[wasm_bindgen(js_name = createHoldInvoice, unchecked_return_type = "Promise<LspInvoice>")]
    pub fn create_hold_invoice(
        &self,
        #[wasm_bindgen(unchecked_param_type = "CreateHoldInvoiceRequest")] request: JsValue,
    ) -> Promise {
        let client = self.inner.clone();
        promise(async move {
            let request: CreateHoldInvoiceRequest = from_js(request, "createHoldInvoice request")?;
            lsp(client.create_hold_invoice(request).await)
        })
    }

    /// Settles an accepted hold invoice with its preimage: the account is credited.
    #[wasm_bindgen(js_name = settleHoldInvoice, unchecked_return_type = "Promise<LspInvoice>")]
    pub fn settle_hold_invoice(
        &self,
        invoice_id: String,
        #[wasm_bindgen(unchecked_param_type = "SettleHoldInvoiceRequest")] request: JsValue,
    ) -> Promise {
        let client = self.inner.clone();
        promise(async move {
            let request: SettleHoldInvoiceRequest = from_js(request, "settleHoldInvoice request")?;
            lsp(client.settle_hold_invoice(&invoice_id, request).await)
        })
    }

    /// Cancels a hold invoice: held HTLCs go back to the payer.
    #[wasm_bindgen(js_name = cancelHoldInvoice, unchecked_return_type = "Promise<LspInvoice>")]
    pub fn cancel_hold_invoice(&self, invoice_id: String) -> Promise {
        let client = self.inner.clone();
        promise(async move { lsp(client.cancel_hold_invoice(&invoice_id).await) })
    }
}
