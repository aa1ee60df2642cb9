//! Webhook signatures for JavaScript servers: `verifyWebhook` checks a delivery's
//! `Etrid-Signature` header against the raw body and the webhook's secret before the body is
//! trusted; `signWebhook` makes deliveries for testing a handler.

use etrid_core::webhook::{WebhookSigner, WebhookVerifier, SIGNATURE_HEADER};
use js_sys::{Function, Reflect, Uint8Array};
use serde::Deserialize;
use wasm_bindgen::prelude::wasm_bindgen;
use wasm_bindgen::{JsCast, JsValue};

use crate::convert::{options_or_default, to_js};
use crate::error::{invalid_argument, to_js_error};
use crate::fiat::clock_at;

#[wasm_bindgen(typescript_custom_section)]
const TS_WEBHOOK: &'static str = r#"
/**
 * The request headers of a delivery: a `Headers` object (fetch, Next.js, Hono...), Node's
 * `req.headers` (lower-case keys), or the `Etrid-Signature` value itself.
 */
export type WebhookHeaders = Headers | Record<string, string | string[] | undefined> | string;

/** Options of `verifyWebhook`. */
export interface VerifyWebhookOptions {
  /** How far the signed time may be from now, in seconds (default 300). */
  toleranceSecs?: number;
  /** The time to check against, in Unix seconds (tests and replays); default: now. */
  now?: bigint | number;
}

/** A delivery whose signature checked out. */
export interface VerifiedWebhook {
  /** When the delivery was signed, Unix seconds. */
  timestamp: bigint;
}
"#;

/// `verifyWebhook`'s options.
#[derive(Default, Deserialize)]
#[serde(rename_all = "camelCase")]
struct VerifyOptions {
    #[serde(default)]
    tolerance_secs: Option<u64>,
    #[serde(default)]
    now: Option<u64>,
}

/// Verifies a webhook delivery: the `Etrid-Signature` header in `headers` must sign `rawBody`
/// (the bytes exactly as received, before any JSON parsing) with `secret`, at a time within
/// the tolerance. Returns `{ timestamp }`; throws an `EtridError` (`webhook_*`: missing or
/// malformed header, signature mismatch, stale timestamp) otherwise.
#[wasm_bindgen(js_name = verifyWebhook, unchecked_return_type = "VerifiedWebhook")]
pub fn verify_webhook(
    #[wasm_bindgen(unchecked_param_type = "WebhookHeaders")] headers: JsValue,
    #[wasm_bindgen(unchecked_param_type = "string | Uint8Array")] raw_body: JsValue,
    #[wasm_bindgen(unchecked_param_type = "string | Uint8Array")] secret: JsValue,
    #[wasm_bindgen(unchecked_param_type = "VerifyWebhookOptions | undefined")] options: JsValue,
) -> Result<JsValue, JsValue> {
    let options: VerifyOptions =
        options_or_default(options, &["toleranceSecs", "now"], "verifyWebhook")?;
    let header = signature_header(&headers)?;
    let body = bytes(&raw_body, "rawBody")?;
    let mut verifier = WebhookVerifier::new(&bytes(&secret, "secret")?).map_err(to_js_error)?;
    if let Some(tolerance) = options.tolerance_secs {
        verifier = verifier.with_tolerance_secs(tolerance);
    }
    let verified = verifier
        .verify(
            &header.unwrap_or_default(),
            &body,
            clock_at(options.now).as_ref(),
        )
        .map_err(to_js_error)?;
    to_js(&verified)
}

/// Signs `body` as the LSP does, with every secret of `secrets` (the current one first, older
/// ones during a rotation), at `timestamp` (Unix seconds): the `Etrid-Signature` value. For
/// testing webhook handlers.
#[wasm_bindgen(js_name = signWebhook)]
pub fn sign_webhook(
    secrets: Vec<String>,
    #[wasm_bindgen(unchecked_param_type = "string | Uint8Array")] body: JsValue,
    timestamp: u64,
) -> Result<String, JsValue> {
    let mut secrets = secrets.iter();
    let first = secrets
        .next()
        .ok_or_else(|| invalid_argument("secrets must hold at least one secret"))?;
    let mut signer = WebhookSigner::new(first.as_bytes()).map_err(to_js_error)?;
    for secret in secrets {
        signer = signer
            .with_additional_secret(secret.as_bytes())
            .map_err(to_js_error)?;
    }
    Ok(signer.sign(&bytes(&body, "body")?, timestamp))
}

/// A string's UTF-8 bytes, or a `Uint8Array`'s (Node's `Buffer` is one).
fn bytes(value: &JsValue, name: &str) -> Result<Vec<u8>, JsValue> {
    if let Some(text) = value.as_string() {
        return Ok(text.into_bytes());
    }
    if let Some(array) = value.dyn_ref::<Uint8Array>() {
        return Ok(array.to_vec());
    }
    Err(invalid_argument(&format!(
        "{name} must be a string or a Uint8Array (the raw body, before parsing)"
    )))
}

/// The `Etrid-Signature` value in `headers` (`None` when absent: the core reports it).
fn signature_header(headers: &JsValue) -> Result<Option<String>, JsValue> {
    if let Some(value) = headers.as_string() {
        return Ok(Some(value));
    }
    if !headers.is_object() {
        return Err(invalid_argument(
            "headers must be a Headers object, a headers record, or the Etrid-Signature value",
        ));
    }
    // A Headers object (or anything with get()): case-insensitive lookup by the object.
    if let Ok(get) = Reflect::get(headers, &JsValue::from_str("get")) {
        if let Some(get) = get.dyn_ref::<Function>() {
            let value = get
                .call1(headers, &JsValue::from_str(SIGNATURE_HEADER))
                .map_err(|_| invalid_argument("headers.get() threw"))?;
            return Ok(value.as_string());
        }
    }
    // A plain record: match the name without regard to case; an array takes its first value.
    let record: &js_sys::Object = headers.unchecked_ref();
    for entry in js_sys::Object::entries(record).iter() {
        let entry: js_sys::Array = entry.unchecked_into();
        let name = entry.get(0).as_string().unwrap_or_default();
        if name.eq_ignore_ascii_case(SIGNATURE_HEADER) {
            let value = entry.get(1);
            if let Some(array) = value.dyn_ref::<js_sys::Array>() {
                return Ok(array.get(0).as_string());
            }
            return Ok(value.as_string());
        }
    }
    Ok(None)
}
