//! Maps errors once, at the JavaScript edge: every failure is thrown as a JavaScript `Error`
//! named `EtridError` carrying the core's stable `.code` and a human `.message`.

use etrid_core::Error;
use wasm_bindgen::prelude::wasm_bindgen;
use wasm_bindgen::JsValue;

/// The `.code` of errors raised by the binding itself, before the core is called: an argument
/// of the wrong shape, an unknown network name, a malformed options object.
pub const INVALID_ARGUMENT: &str = "invalid_argument";

/// The `.code` of a failure inside the binding that no input should cause (a result that cannot
/// be converted to JavaScript): a bug to report, thrown rather than panicking.
pub const INTERNAL_ERROR: &str = "internal_error";

/// The `name` every thrown error carries, so `err.name === "EtridError"` tells them apart.
const ERROR_NAME: &str = "EtridError";

#[wasm_bindgen(typescript_custom_section)]
const TS_ERROR: &'static str = r#"
/**
 * What every function of this package throws: a JavaScript `Error` whose `name` is
 * `"EtridError"` and whose `code` is a stable snake_case string (`"invoice_expired"`,
 * `"invoice_wrong_network"`, `"invalid_argument"`, `"internal_error"`, ...).
 * Branch on `code`, never on `message`.
 */
export interface EtridError extends Error {
  name: "EtridError";
  /** Stable, machine-readable code; never changes meaning once published. */
  code: string;
}
"#;

/// Converts any core error into the thrown JavaScript value (see `error_value`).
pub fn to_js_error(err: impl Into<Error>) -> JsValue {
    let err = err.into();
    error_value(err.code(), &err.to_string())
}

/// A binding-level [`INVALID_ARGUMENT`] error with `message`.
pub(crate) fn invalid_argument(message: &str) -> JsValue {
    error_value(INVALID_ARGUMENT, message)
}

/// An [`INTERNAL_ERROR`] with `message`.
pub(crate) fn internal_error(message: &str) -> JsValue {
    error_value(INTERNAL_ERROR, message)
}

/// Builds `Object.assign(new Error(message), { name: "EtridError", code })`.
fn error_value(code: &str, message: &str) -> JsValue {
    let error = js_sys::Error::new(message);
    error.set_name(ERROR_NAME);
    // Setting a data property on a fresh, extensible Error object cannot fail; were it ever to,
    // the error would still be thrown, only without its code.
    let _ = js_sys::Reflect::set(&error, &JsValue::from_str("code"), &JsValue::from_str(code));
    error.into()
}
