//! Vouchers (S23): the account's LNURL-withdraw links (create, read, list, cancel; admin
//! scope), and redeeming any LNURL-withdraw link into the account (`redeemWithdraw`).

use etrid_core::lsp::{CreateVouchersRequest, ListVouchersRequest, RedeemWithdrawRequest};
use js_sys::Promise;
use wasm_bindgen::prelude::wasm_bindgen;
use wasm_bindgen::JsValue;

use super::{lsp, promise, JsClient};
use crate::convert::{from_js, from_js_or_default};

#[wasm_bindgen(typescript_custom_section)]
const TS_REDEEM: &'static str = r#"
/** What `client.redeemWithdraw` redeems. */
export interface RedeemWithdrawRequest {
  /** The link as scanned: `LNURL1…`, `lnurlw://…` or its `https://` URL. */
  lnurl: string;
  /** How much to withdraw, in msat; default: the most the service offers. */
  amount_msat?: bigint;
  /** The invoice's description; default: the service's `defaultDescription`. */
  description?: string;
}

/** A withdrawal the service accepted: wait for `invoice`'s payment. */
export interface LnurlWithdrawal {
  /** The account's invoice the service is paying (already paid for a voucher of the same LSP). */
  invoice: LspInvoice;
  /** The service's offer it was made under. */
  withdraw_request: LnurlWithdrawRequest;
}
"#;

#[wasm_bindgen(js_class = Client)]
impl JsClient {
    /// Creates a batch of vouchers (admin scope): `{ amount_msat, idempotency_key, count?,
    /// min_withdrawable_msat?, expiry_secs?, description? }` → the batch, each voucher's
    /// `lnurl` ready to print as a QR code. Their value is set aside from the balance now and
    /// returns if unclaimed at `expires_at`; the same key answers the same batch.
    #[wasm_bindgen(js_name = createVouchers, unchecked_return_type = "Promise<VoucherBatch>")]
    pub fn create_vouchers(
        &self,
        #[wasm_bindgen(unchecked_param_type = "CreateVouchersRequest")] request: JsValue,
    ) -> Promise {
        let client = self.inner.clone();
        promise(async move {
            let request: CreateVouchersRequest = from_js(request, "createVouchers request")?;
            lsp(client.create_vouchers(request).await)
        })
    }

    /// One voucher (admin scope).
    #[wasm_bindgen(js_name = getVoucher, unchecked_return_type = "Promise<Voucher>")]
    pub fn get_voucher(&self, id: String) -> Promise {
        let client = self.inner.clone();
        promise(async move { lsp(client.get_voucher(&id).await) })
    }

    /// The account's vouchers, newest first, optionally of one batch or status (admin scope).
    #[wasm_bindgen(js_name = listVouchers, unchecked_return_type = "Promise<VoucherList>")]
    pub fn list_vouchers(
        &self,
        #[wasm_bindgen(unchecked_param_type = "ListVouchersRequest | undefined")] query: JsValue,
    ) -> Promise {
        let client = self.inner.clone();
        promise(async move {
            let query: ListVouchersRequest = from_js_or_default(query, "listVouchers query")?;
            lsp(client.list_vouchers(query).await)
        })
    }

    /// Cancels an active voucher (admin scope): its link stops working and its value returns
    /// to the balance; `lsp_conflict` once it is claimed, being claimed or ended.
    #[wasm_bindgen(js_name = cancelVoucher, unchecked_return_type = "Promise<Voucher>")]
    pub fn cancel_voucher(&self, id: String) -> Promise {
        let client = self.inner.clone();
        promise(async move { lsp(client.cancel_voucher(&id).await) })
    }

    /// Redeems an LNURL-withdraw link (a scanned voucher, a prize) into the account: the
    /// service pays an invoice of the account → `{ invoice, withdraw_request }`; wait for the
    /// invoice's payment. The service's refusal (already claimed, expired…) is an `lnurl_*`
    /// error carrying its reason.
    #[wasm_bindgen(js_name = redeemWithdraw, unchecked_return_type = "Promise<LnurlWithdrawal>")]
    pub fn redeem_withdraw(
        &self,
        #[wasm_bindgen(unchecked_param_type = "RedeemWithdrawRequest")] request: JsValue,
    ) -> Promise {
        let client = self.inner.clone();
        promise(async move {
            let request: RedeemWithdrawRequest = from_js(request, "redeemWithdraw request")?;
            lsp(client.redeem_withdraw(request).await)
        })
    }
}
