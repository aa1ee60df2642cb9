//! Rust values to JavaScript values and back: one serializer configuration for the whole
//! package.

use serde::de::DeserializeOwned;
use serde::Serialize;
use wasm_bindgen::{JsCast, JsValue};

use crate::error::{internal_error, invalid_argument};

/// The serializer every result goes through:
/// - `u64`/`i64` become `BigInt`, so millisatoshi amounts above 2^53 keep every digit;
/// - `None` becomes `null` (not `undefined`), so every field of a model is present;
/// - maps become plain objects.
const SERIALIZER: serde_wasm_bindgen::Serializer = serde_wasm_bindgen::Serializer::new()
    .serialize_large_number_types_as_bigints(true)
    .serialize_missing_as_null(true)
    .serialize_maps_as_objects(true);

/// Serializes a core model to a JavaScript value with the package's conventions.
///
/// # Errors
/// Only if the model cannot be represented (not expected for our models); reported as an
/// `internal_error` rather than a panic.
pub(crate) fn to_js<T: Serialize + ?Sized>(value: &T) -> Result<JsValue, JsValue> {
    value
        .serialize(&SERIALIZER)
        .map_err(|err| internal_error(&format!("cannot convert the result to JavaScript: {err}")))
}

/// Reads a JavaScript argument as the core model `T`: `bigint` (or a safe-integer `number`) for
/// 64-bit amounts, snake_case field names as on the wire, unknown fields refused.
///
/// The value goes through `serde_json::Value` first: serde-wasm-bindgen reads only the fields a
/// struct declares, so the models' `deny_unknown_fields` would never see a misspelt field
/// (`amountMsat`); read as a map, every key reaches it.
///
/// # Errors
/// An `invalid_argument` error naming `what` and the field that did not fit.
pub(crate) fn from_js<T: DeserializeOwned>(value: JsValue, what: &str) -> Result<T, JsValue> {
    let json: serde_json::Value = serde_wasm_bindgen::from_value(value)
        .map_err(|err| invalid_argument(&format!("{what}: {err}")))?;
    serde_json::from_value(json).map_err(|err| invalid_argument(&format!("{what}: {err}")))
}

/// Throws `invalid_argument` for a key of the options object `options` outside `allowed`: a
/// misspelt option must not be silently ignored. (Options holding JavaScript objects, such as
/// an `AbortSignal`, are read with serde-wasm-bindgen directly, which reads only the fields it
/// knows.) Non-objects are left to serde.
pub(crate) fn refuse_unknown_keys(
    options: &JsValue,
    allowed: &[&str],
    what: &str,
) -> Result<(), JsValue> {
    if !options.is_object() {
        return Ok(());
    }
    for key in js_sys::Object::keys(options.unchecked_ref::<js_sys::Object>()).iter() {
        let key = key.as_string().unwrap_or_default();
        if !allowed.contains(&key.as_str()) {
            let expected: Vec<String> = allowed.iter().map(|k| format!("{k:?}")).collect();
            return Err(invalid_argument(&format!(
                "unknown {what} {key:?}: expected {}",
                expected.join(", ")
            )));
        }
    }
    Ok(())
}

/// As [`from_js`], with `undefined` or `null` read as `T::default()` (an omitted options or
/// query object).
///
/// # Errors
/// As [`from_js`].
pub(crate) fn from_js_or_default<T: DeserializeOwned + Default>(
    value: JsValue,
    what: &str,
) -> Result<T, JsValue> {
    if value.is_undefined() || value.is_null() {
        Ok(T::default())
    } else {
        from_js(value, what)
    }
}

/// Reads an options object of JavaScript-side settings (camelCase keys, values that may be
/// JavaScript objects such as an `AbortSignal`): `undefined` or `null` is `T::default()`, a
/// key outside `allowed` is refused (see [`refuse_unknown_keys`]).
///
/// # Errors
/// `invalid_argument` naming `what` and the key or value that did not fit.
pub(crate) fn options_or_default<T: DeserializeOwned + Default>(
    options: JsValue,
    allowed: &[&str],
    what: &str,
) -> Result<T, JsValue> {
    if options.is_undefined() || options.is_null() {
        return Ok(T::default());
    }
    refuse_unknown_keys(&options, allowed, &format!("{what} option"))?;
    serde_wasm_bindgen::from_value(options)
        .map_err(|err| invalid_argument(&format!("{what} options: {err}")))
}
