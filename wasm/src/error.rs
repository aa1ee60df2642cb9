//! Maps errors once, at the JavaScript edge: every failure is thrown (or a Promise rejected)
//! with an `EtridError` carrying the core's stable `.code` and a human `.message`; errors of
//! the LSP client also carry `.retryable`, and `.status` / `.retryAfterSecs` when the server
//! sent them.
//!
//! The `EtridError` class itself is JavaScript (a subclass of `Error`, so `instanceof` works),
//! defined by the package's entry module and registered here once with
//! [`register_error_class`]; without it (the raw wasm-bindgen output used directly) errors are
//! plain `Error`s with the same `name`, `code` and message.

use std::cell::RefCell;

use etrid_core::lsp::LspError;
use etrid_core::Error;
use js_sys::{Array, Function, Reflect};
use wasm_bindgen::prelude::wasm_bindgen;
use wasm_bindgen::JsValue;

/// The `.code` of errors raised by the binding itself, before the core is called: an argument
/// of the wrong shape, an unknown network name, a malformed options object.
pub const INVALID_ARGUMENT: &str = "invalid_argument";

/// The `.code` of a failure inside the binding that no input should cause (a result that cannot
/// be converted to JavaScript): a bug to report, thrown rather than panicking.
pub const INTERNAL_ERROR: &str = "internal_error";

/// The `.code` of a wait given up because its `AbortSignal` fired (`.cause` is the signal's
/// reason).
pub const ABORTED: &str = "aborted";

/// The `name` every thrown error carries, so `err.name === "EtridError"` tells them apart.
const ERROR_NAME: &str = "EtridError";

thread_local! {
    /// The `EtridError` class registered by the package's entry module.
    static ERROR_CLASS: RefCell<Option<Function>> = const { RefCell::new(None) };
}

#[wasm_bindgen(typescript_custom_section)]
const TS_ERROR: &'static str = r#"
/**
 * What every function of this package throws and every Promise rejects with: an `Error`
 * whose `name` is `"EtridError"` and whose `code` is a stable snake_case string
 * (`"invoice_expired"`, `"lsp_unauthorized"`, `"lsp_rate_limited"`, `"invalid_argument"`, ...).
 * Branch on `code`, never on `message`.
 */
export declare class EtridError extends Error {
  constructor(code: string, message: string);
  name: "EtridError";
  /** Stable, machine-readable code; never changes meaning once published. */
  code: string;
  /** LSP errors: whether the same call may succeed later (rate limit, timeout, network, 5xx). */
  retryable?: boolean;
  /** LSP errors answered by the server: the HTTP status. */
  status?: number;
  /** `lsp_rate_limited`: seconds to wait before trying again (`Retry-After`). */
  retryAfterSecs?: number;
}
"#;

/// Registers the `EtridError` class (`class EtridError extends Error`) every error is made
/// with. Called once by the package's entry module; not part of the public API.
#[wasm_bindgen(js_name = "__registerErrorClass", skip_typescript)]
pub fn register_error_class(class: Function) {
    ERROR_CLASS.with(|slot| *slot.borrow_mut() = Some(class));
}

/// Converts any core error into the thrown JavaScript value (see `error_value`).
pub fn to_js_error(err: impl Into<Error>) -> JsValue {
    let err = err.into();
    error_value(err.code(), &err.to_string())
}

/// An LSP client error with its details: `.retryable`, and `.status` or `.retryAfterSecs`
/// when the server answered.
pub(crate) fn lsp_error(err: LspError) -> JsValue {
    let error = error_value(err.code(), &err.to_string());
    set(&error, "retryable", JsValue::from_bool(err.is_retryable()));
    match &err {
        LspError::RateLimited { retry_after_secs } => {
            set(&error, "status", JsValue::from_f64(429.0));
            // Seconds fit a double exactly far beyond any real Retry-After.
            set(
                &error,
                "retryAfterSecs",
                JsValue::from_f64(*retry_after_secs as f64),
            );
        }
        LspError::Unauthorized { .. } => set(&error, "status", JsValue::from_f64(401.0)),
        LspError::Forbidden { .. } => set(&error, "status", JsValue::from_f64(403.0)),
        LspError::NotFound { .. } => set(&error, "status", JsValue::from_f64(404.0)),
        LspError::Api { status, .. } => {
            set(&error, "status", JsValue::from_f64(f64::from(*status)))
        }
        _ => {}
    }
    error
}

/// A binding-level [`INVALID_ARGUMENT`] error with `message`.
pub(crate) fn invalid_argument(message: &str) -> JsValue {
    error_value(INVALID_ARGUMENT, message)
}

/// An [`INTERNAL_ERROR`] with `message`.
pub(crate) fn internal_error(message: &str) -> JsValue {
    error_value(INTERNAL_ERROR, message)
}

/// An [`ABORTED`] error whose `.cause` is the signal's `reason`.
pub(crate) fn aborted(reason: JsValue) -> JsValue {
    let error = error_value(ABORTED, "the operation was aborted by its AbortSignal");
    set(&error, "cause", reason);
    error
}

/// Builds `new EtridError(message)` with `code` (or, before the class is registered, an
/// `Error` named `"EtridError"`).
pub(crate) fn error_value(code: &str, message: &str) -> JsValue {
    let registered = ERROR_CLASS.with(|slot| slot.borrow().clone());
    let args = Array::of2(&JsValue::from_str(code), &JsValue::from_str(message));
    if let Some(error) = registered.and_then(|class| Reflect::construct(&class, &args).ok()) {
        return error;
    }
    let error = js_sys::Error::new(message);
    error.set_name(ERROR_NAME);
    set(&error, "code", JsValue::from_str(code));
    error.into()
}

/// Sets a data property on a fresh error object. That cannot fail; were it ever to, the error
/// would still be thrown, only without that detail.
fn set(target: &JsValue, name: &str, value: JsValue) {
    let _ = Reflect::set(target, &JsValue::from_str(name), &value);
}
