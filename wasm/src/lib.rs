//! WebAssembly binding of the Étrid Lightning SDK core: thin `wasm-bindgen` wrappers that
//! convert JavaScript values to `etrid-core` calls and back (npm package `@etrid/lightning`).
//!
//! Each exported function is a few lines: parse the JavaScript arguments, call the core, convert
//! the result with `convert::to_js` or throw the error mapped once by `error::to_js_error`.
//! No protocol logic lives here; it is all in `etrid-core`, shared with every other platform.
//!
//! The whole crate is compiled only for `wasm32`, so `cargo check --workspace` and the native
//! lint runs treat it as empty. Build the npm package with `bash .ci/wasm.sh`.
//!
//! # Panics
//! No input reaches a panic in the core (it is fuzzed), and nothing here unwraps. The package is
//! built with `panic = "abort"`, so a panic — a bug — would trap the WebAssembly instance with a
//! `RuntimeError: unreachable`; the hook installed when the module loads first writes the panic
//! message and location to `console.error`, so such a bug can be reported. (`catch_unwind` is of
//! no use here: with `panic = "abort"` nothing unwinds.)
//!
//! # Getting started (JavaScript)
//! ```js
//! const { decodeInvoice, qrSvg } = require("@etrid/lightning");
//! const invoice = decodeInvoice("lnbc2500u1...", "bitcoin"); // throws an Error with .code
//! console.log(invoice.amount_msat); // 250000000n (a BigInt: no precision lost)
//! document.body.innerHTML = qrSvg(invoice.bolt11);
//! ```
#![cfg(target_arch = "wasm32")]
#![forbid(unsafe_code)]
#![deny(missing_docs)]

mod amount;
mod client;
mod clock;
mod convert;
mod error;
mod fiat;
mod invoice;
mod lnurl;
mod qr;
mod web;
mod webhook;
mod webln;

pub use amount::{format_amount, parse_amount, parse_amount_in};
pub use client::{EventIterator, JsClient, PreparedKeysend, PreparedPayment};
pub use clock::JsClock;
pub use error::{register_error_class, to_js_error, ABORTED, INTERNAL_ERROR, INVALID_ARGUMENT};
pub use fiat::{check_quote_valid, check_slippage, fiat_quote, fiat_to_msat, msat_to_fiat};
pub use invoice::{decode_invoice, decode_invoice_with};
pub use lnurl::{
    decode_lnurl_text, encode_lnurl_url, parse_lightning_address, parse_pay_request,
    parse_response, parse_withdraw_request, pay_callback_url, verify_lnurl_invoice,
    withdraw_callback_url,
};
pub use qr::{qr_matrix, qr_svg, voucher_sheets_svg};
pub use web::{set_default_web_socket, WebTransport};
pub use webhook::{sign_webhook, verify_webhook};
pub use webln::{has_webln, pay_with_webln};

use wasm_bindgen::prelude::wasm_bindgen;

#[wasm_bindgen]
extern "C" {
    /// `console.error`, for the panic hook.
    #[wasm_bindgen(js_namespace = console, js_name = error)]
    fn console_error(message: &str);
}

/// The package's version (its Rust core's), e.g. `"0.1.0"`: what a bug report should quote.
#[wasm_bindgen]
pub fn version() -> String {
    env!("CARGO_PKG_VERSION").to_owned()
}

/// Runs once when the module is instantiated (not exported to JavaScript): installs a panic hook
/// that writes the panic message to `console.error` before the instance traps (see "Panics").
#[wasm_bindgen(start)]
fn start() {
    std::panic::set_hook(Box::new(|info| {
        console_error(&format!(
            "etrid-wasm panicked (a bug, please report it): {info}"
        ));
    }));
}
