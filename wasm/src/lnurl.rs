//! LNURL and Lightning Address for JavaScript: parse addresses and LNURLs, read a service's
//! answers (LUD-06 pay, LUD-03 withdraw), build callback URLs, and check the invoice a pay
//! service returned before paying it. No network access: the application fetches, the SDK
//! checks.

use etrid_core::amount::Msat;
use etrid_core::lnurl::{
    decode_lnurl, encode_lnurl, parse_lnurl_response, verify_invoice_matches, LightningAddress,
    PayRequest, WithdrawRequest,
};
use serde::{Deserialize, Serialize};
use wasm_bindgen::prelude::wasm_bindgen;
use wasm_bindgen::JsValue;

use crate::convert::{from_js, to_js};
use crate::error::to_js_error;

#[wasm_bindgen(typescript_custom_section)]
const TS_LNURL: &'static str = r#"
/** A parsed Lightning Address (LUD-16). */
export interface LightningAddress {
  username: string;
  domain: string;
  /** The LNURL-pay URL to request (`https://<domain>/.well-known/lnurlp/<username>`). */
  url: string;
}

/** What an LNURL-pay offer's metadata says. */
export interface LnurlPayMetadata {
  description: string;
  long_description: string | null;
  image: { format: "png" | "jpeg"; base64: string } | null;
  identifier: string | null;
  email: string | null;
}

/** A validated LNURL-pay offer (LUD-06). */
export interface LnurlPayRequest {
  callback: string;
  min_sendable: bigint;
  max_sendable: bigint;
  /** The raw metadata: the invoice's description hash commits to it. */
  metadata: string;
  parsed_metadata: LnurlPayMetadata;
  /** Characters of comment accepted (LUD-12); 0: none. */
  comment_allowed: bigint;
}

/** A validated LNURL-withdraw offer (LUD-03). */
export interface LnurlWithdrawRequest {
  callback: string;
  k1: string;
  default_description: string;
  min_withdrawable: bigint;
  max_withdrawable: bigint;
}

/** A service's answer to an LNURL's first request. */
export type LnurlResponse =
  | ({ kind: "pay" } & LnurlPayRequest)
  | ({ kind: "withdraw" } & LnurlWithdrawRequest)
  | { kind: "error"; reason: string };
"#;

/// Parses a Lightning Address (`satoshi@bitcoin.org`). Throws an `EtridError` (`lnurl_*`).
#[wasm_bindgen(js_name = parseLightningAddress, unchecked_return_type = "LightningAddress")]
pub fn parse_lightning_address(text: &str) -> Result<JsValue, JsValue> {
    #[derive(Serialize)]
    struct Parsed<'a> {
        username: &'a str,
        domain: &'a str,
        url: String,
    }
    let address = LightningAddress::parse(text).map_err(to_js_error)?;
    let url = address.to_url().map_err(to_js_error)?;
    to_js(&Parsed {
        username: address.username(),
        domain: address.domain(),
        url: url.to_string(),
    })
}

/// The service URL of an LNURL in any form (bech32 `lnurl1...`, `lightning:` prefixed, LUD-17
/// `lnurlp://`...).
#[wasm_bindgen(js_name = decodeLnurl)]
pub fn decode_lnurl_text(text: &str) -> Result<String, JsValue> {
    decode_lnurl(text)
        .map(|url| url.to_string())
        .map_err(to_js_error)
}

/// Encodes a service URL as a bech32 LNURL (upper case, ready for a QR code).
#[wasm_bindgen(js_name = encodeLnurl)]
pub fn encode_lnurl_url(url: &str) -> Result<String, JsValue> {
    encode_lnurl(url).map_err(to_js_error)
}

/// Parses and validates a service's answer to an LNURL's first request, whatever its kind; an
/// `{"status":"ERROR"}` answer is `{ kind: "error", reason }`.
#[wasm_bindgen(js_name = parseLnurlResponse, unchecked_return_type = "LnurlResponse")]
pub fn parse_response(body: &str) -> Result<JsValue, JsValue> {
    to_js(&parse_lnurl_response(body).map_err(to_js_error)?)
}

/// Parses and validates an LNURL-pay offer; an error answer throws `lnurl_service_error`.
#[wasm_bindgen(js_name = parsePayRequest, unchecked_return_type = "LnurlPayRequest")]
pub fn parse_pay_request(body: &str) -> Result<JsValue, JsValue> {
    to_js(&PayRequest::parse(body).map_err(to_js_error)?)
}

/// Parses and validates an LNURL-withdraw offer; an error answer throws `lnurl_service_error`.
#[wasm_bindgen(js_name = parseWithdrawRequest, unchecked_return_type = "LnurlWithdrawRequest")]
pub fn parse_withdraw_request(body: &str) -> Result<JsValue, JsValue> {
    to_js(&WithdrawRequest::parse(body).map_err(to_js_error)?)
}

/// The pay callback URL asking `offer` for an invoice of `amountMsat`, with a comment when the
/// service accepts one (within its length). Throws for an amount out of range.
#[wasm_bindgen(js_name = payCallbackUrl)]
pub fn pay_callback_url(
    #[wasm_bindgen(unchecked_param_type = "LnurlPayRequest")] offer: JsValue,
    amount_msat: u64,
    comment: Option<String>,
) -> Result<String, JsValue> {
    let offer: PayRequest = from_js(offer, "offer")?;
    offer
        .callback_url(Msat::from_msat(amount_msat), comment.as_deref())
        .map_err(to_js_error)
}

/// The withdraw callback URL sending `invoice` (for `amountMsat`) to `offer`'s service.
#[wasm_bindgen(js_name = withdrawCallbackUrl)]
pub fn withdraw_callback_url(
    #[wasm_bindgen(unchecked_param_type = "LnurlWithdrawRequest")] offer: JsValue,
    amount_msat: u64,
    invoice: &str,
) -> Result<String, JsValue> {
    let offer: WithdrawRequest = from_js(offer, "offer")?;
    offer
        .callback_url(Msat::from_msat(amount_msat), invoice)
        .map_err(to_js_error)
}

/// The fields of a decoded invoice the check reads (any `Invoice` fits).
#[derive(Deserialize)]
struct InvoiceFields {
    amount_msat: Option<u64>,
    description_hash: Option<String>,
}

/// Checks the invoice a pay service returned (decoded with `decodeInvoice`) against the offer
/// and the amount asked (LUD-06 steps 6–7): throws `lnurl_invoice_amount_mismatch` or
/// `lnurl_invoice_description_hash_mismatch`. Pay only after this returns.
#[wasm_bindgen(js_name = verifyLnurlInvoice)]
pub fn verify_lnurl_invoice(
    #[wasm_bindgen(unchecked_param_type = "LnurlPayRequest")] offer: JsValue,
    amount_msat: u64,
    #[wasm_bindgen(unchecked_param_type = "Pick<Invoice, \"amount_msat\" | \"description_hash\">")]
    invoice: JsValue,
) -> Result<(), JsValue> {
    let offer: PayRequest = from_js(offer, "offer")?;
    let invoice: InvoiceFields = serde_wasm_bindgen::from_value(invoice)
        .map_err(|err| crate::error::invalid_argument(&format!("invoice: {err}")))?;
    verify_invoice_matches(
        &offer,
        Msat::from_msat(amount_msat),
        invoice.amount_msat.map(Msat::from_msat),
        invoice.description_hash.as_deref(),
    )
    .map_err(to_js_error)
}
