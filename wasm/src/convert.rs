//! Rust values to JavaScript values: one serializer configuration for the whole package.

use serde::Serialize;
use wasm_bindgen::JsValue;

use crate::error::internal_error;

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
