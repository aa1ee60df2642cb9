//! WebLN (`window.webln`, the browser-wallet interface that extensions such as Alby and
//! NWC-backed providers inject): pay a BOLT11 invoice with the visitor's wallet, after checking
//! the invoice, and check the preimage the wallet returns against the invoice's payment hash.

use std::str::FromStr;

use etrid_core::invoice::decode_invoice;
use etrid_core::lsp::{PaymentHash, Preimage};
use js_sys::{Function, Promise, Reflect};
use serde::Serialize;
use wasm_bindgen::prelude::wasm_bindgen;
use wasm_bindgen::{JsCast, JsValue};
use wasm_bindgen_futures::{future_to_promise, JsFuture};

use crate::clock::JsClock;
use crate::convert::to_js;
use crate::error::{error_value, to_js_error};
use crate::invoice::parse_network;

/// No `window.webln`: show the QR code instead.
const WEBLN_UNAVAILABLE: &str = "webln_unavailable";
/// The visitor refused (to enable the wallet or to pay).
const WEBLN_REJECTED: &str = "webln_rejected";
/// The wallet failed otherwise (no route, no funds, a provider error), or answered nonsense.
const WEBLN_FAILED: &str = "webln_failed";

#[wasm_bindgen(typescript_custom_section)]
const TS_WEBLN: &'static str = r#"
/** What `payWithWebLN` resolves with once the wallet paid. */
export interface WebLNPayment {
  /** The preimage the wallet returned, checked against the invoice's payment hash. */
  preimage: string;
  payment_hash: string;
}
"#;

/// The paid invoice's proof.
#[derive(Serialize)]
struct WebLnPayment {
    preimage: String,
    payment_hash: String,
}

/// Whether a WebLN provider (`window.webln`) is present.
#[wasm_bindgen(js_name = hasWebLN)]
pub fn has_webln() -> bool {
    provider().is_some()
}

/// Pays `bolt11` with the visitor's WebLN wallet: checks the invoice (network, signature,
/// expiry), asks the wallet to enable and pay, and checks that the returned preimage hashes to
/// the invoice's payment hash. Rejects with an `EtridError`: `webln_unavailable` (no provider:
/// show the QR code), `webln_rejected` (the visitor refused), `webln_failed`, or the invoice's
/// own code.
#[wasm_bindgen(js_name = payWithWebLN, unchecked_return_type = "Promise<WebLNPayment>")]
pub fn pay_with_webln(
    bolt11: String,
    #[wasm_bindgen(unchecked_param_type = "NetworkName")] network: String,
) -> Promise {
    future_to_promise(async move {
        let network = parse_network(&network)?;
        let invoice = decode_invoice(&bolt11, network, &JsClock).map_err(to_js_error)?;
        let webln = provider().ok_or_else(|| {
            error_value(
                WEBLN_UNAVAILABLE,
                "no WebLN wallet (window.webln) in this browser",
            )
        })?;
        call(&webln, "enable", &[]).await?;
        let answer = call(&webln, "sendPayment", &[JsValue::from_str(&invoice.bolt11)]).await?;
        let preimage = Reflect::get(&answer, &JsValue::from_str("preimage"))
            .ok()
            .and_then(|p| p.as_string())
            .ok_or_else(|| error_value(WEBLN_FAILED, "the wallet answered without a preimage"))?;
        let proof = Preimage::from_str(&preimage.to_ascii_lowercase()).map_err(|_| {
            error_value(
                WEBLN_FAILED,
                "the wallet answered with a malformed preimage",
            )
        })?;
        let expected = PaymentHash::from_str(&invoice.payment_hash)
            .map_err(|_| error_value(WEBLN_FAILED, "the invoice's payment hash is not readable"))?;
        if proof.payment_hash() != expected {
            return Err(error_value(
                WEBLN_FAILED,
                "the wallet's preimage does not match the invoice: it was not paid",
            ));
        }
        to_js(&WebLnPayment {
            preimage: preimage.to_ascii_lowercase(),
            payment_hash: invoice.payment_hash.clone(),
        })
    })
}

/// `globalThis.webln`, if it is an object.
fn provider() -> Option<JsValue> {
    Reflect::get(&js_sys::global(), &JsValue::from_str("webln"))
        .ok()
        .filter(JsValue::is_object)
}

/// Calls `webln[method](...args)` and awaits its Promise; a refusal or failure becomes an
/// `EtridError` (`webln_rejected` when the wallet says the user rejected or cancelled).
async fn call(webln: &JsValue, method: &str, args: &[JsValue]) -> Result<JsValue, JsValue> {
    let function: Function = Reflect::get(webln, &JsValue::from_str(method))
        .ok()
        .and_then(|f| f.dyn_into().ok())
        .ok_or_else(|| {
            error_value(
                WEBLN_FAILED,
                &format!("the WebLN provider has no {method}()"),
            )
        })?;
    let arguments = js_sys::Array::new();
    for arg in args {
        arguments.push(arg);
    }
    let result = function.apply(webln, &arguments).map_err(refusal)?;
    match result.dyn_into::<Promise>() {
        Ok(promise) => JsFuture::from(promise).await.map_err(refusal),
        Err(value) => Ok(value),
    }
}

/// Maps a provider's error: a rejection by the user, or any other failure.
fn refusal(error: JsValue) -> JsValue {
    let text = |name: &str| {
        Reflect::get(&error, &JsValue::from_str(name))
            .ok()
            .and_then(|v| v.as_string())
            .unwrap_or_default()
    };
    let message = text("message");
    let described = if message.is_empty() {
        error
            .as_string()
            .unwrap_or_else(|| "unknown error".to_owned())
    } else {
        message
    };
    let lowered = described.to_ascii_lowercase();
    let rejected = text("name") == "RejectionError"
        || ["reject", "denied", "cancel", "declined"]
            .iter()
            .any(|word| lowered.contains(word));
    if rejected {
        error_value(WEBLN_REJECTED, &format!("the wallet refused: {described}"))
    } else {
        error_value(
            WEBLN_FAILED,
            &format!("the wallet could not pay: {described}"),
        )
    }
}
