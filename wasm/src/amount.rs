//! Amounts for JavaScript: `parseAmount`, `parseAmountIn` and `formatAmount`. Millisatoshis are
//! `bigint`; text is exact in every unit (nothing is rounded, a sub-msat digit is an error).

use etrid_core::amount::{Msat, Unit};
use wasm_bindgen::prelude::wasm_bindgen;
use wasm_bindgen::JsValue;

use crate::convert::from_js;
use crate::error::to_js_error;

#[wasm_bindgen(typescript_custom_section)]
const TS_AMOUNT: &'static str = r#"
/** A unit amounts are written in. */
export type AmountUnit = "msat" | "sat" | "btc";
"#;

/// Parses an amount with its unit (`"1500 msat"`, `"1.5 sat"`, `"0.000015 BTC"`) into msat.
/// Throws an `EtridError` (`amount_*` codes) for anything else.
#[wasm_bindgen(js_name = parseAmount)]
pub fn parse_amount(text: &str) -> Result<u64, JsValue> {
    Msat::parse(text).map(Msat::as_u64).map_err(to_js_error)
}

/// Parses a bare number (`"0.00021"`) as an amount in `unit`, into msat.
#[wasm_bindgen(js_name = parseAmountIn)]
pub fn parse_amount_in(
    value: &str,
    #[wasm_bindgen(unchecked_param_type = "AmountUnit")] unit: JsValue,
) -> Result<u64, JsValue> {
    let unit: Unit = from_js(unit, "unit")?;
    Msat::parse_with_unit(value, unit)
        .map(Msat::as_u64)
        .map_err(to_js_error)
}

/// Writes `msat` exactly in `unit` with its symbol (`"1.5 sat"`); `parseAmount` reads it back.
#[wasm_bindgen(js_name = formatAmount)]
pub fn format_amount(
    msat: u64,
    #[wasm_bindgen(unchecked_param_type = "AmountUnit")] unit: JsValue,
) -> Result<String, JsValue> {
    let unit: Unit = from_js(unit, "unit")?;
    Ok(Msat::from_msat(msat).format(unit))
}
