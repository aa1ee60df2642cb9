//! QR codes for JavaScript: an SVG string for the web, a module matrix for canvases and engines.

use js_sys::{Object, Reflect, Uint8Array};
use wasm_bindgen::prelude::wasm_bindgen;
use wasm_bindgen::JsValue;

use crate::error::{internal_error, to_js_error};

#[wasm_bindgen(typescript_custom_section)]
const TS_QR_MATRIX: &'static str = r#"
/**
 * A QR code as a square grid of modules, for drawing on a canvas or in a game engine.
 * `modules[y * width + x]` is 1 for a dark module, 0 for a light one; there is no quiet zone
 * (leave 4 light modules around it when drawing).
 */
export interface QrMatrix {
  /** Modules per side. */
  width: number;
  /** `width * width` bytes, row by row from the top left: 1 = dark, 0 = light. */
  modules: Uint8Array;
}
"#;

/// Renders `text` (a BOLT11 invoice, an LNURL, any string) as a QR code in a standalone SVG
/// document: black on white, quiet zone included, 8 units per module; scale it freely. Bech32
/// strings are encoded in upper case (smaller code, same invoice); other text exactly as given.
///
/// @throws {EtridError} `qr_empty` for an empty text, `qr_data_too_long` past QR's capacity.
#[wasm_bindgen(js_name = qrSvg)]
pub fn qr_svg(text: &str) -> Result<String, JsValue> {
    etrid_core::qr::render_svg(text).map_err(to_js_error)
}

/// Encodes `text` as a QR module matrix `{ width, modules }` to draw on a canvas or as a texture
/// (same code as `qrSvg`, without the quiet zone).
///
/// @throws {EtridError} `qr_empty` for an empty text, `qr_data_too_long` past QR's capacity.
#[wasm_bindgen(js_name = qrMatrix, unchecked_return_type = "QrMatrix")]
pub fn qr_matrix(text: &str) -> Result<JsValue, JsValue> {
    let matrix = etrid_core::qr::encode_matrix(text).map_err(to_js_error)?;
    let object = Object::new();
    let modules = Uint8Array::from(matrix.to_bytes().as_slice());
    set(&object, "width", &JsValue::from(matrix.width))?;
    set(&object, "modules", &modules)?;
    Ok(object.into())
}

/// Sets `object[key] = value`, which cannot fail on a fresh plain object; reported, not panicked,
/// if it ever did.
fn set(object: &Object, key: &str, value: &JsValue) -> Result<(), JsValue> {
    Reflect::set(object, &JsValue::from_str(key), value)
        .map(|_| ())
        .map_err(|_| internal_error("cannot build the QR matrix object"))
}

/// Printable A4 sheets of vouchers (`batch.vouchers`, or a page of `listVouchers`): 12 cards a
/// page, each the voucher's LNURL as a QR code with its amount and the last day to claim it. One
/// SVG document per page, sized in millimetres: print it, or save it as PDF, at true size.
///
/// @throws {EtridError} `invalid_argument` when `vouchers` are not vouchers.
#[wasm_bindgen(js_name = voucherSheetsSvg, unchecked_return_type = "string[]")]
pub fn voucher_sheets_svg(
    #[wasm_bindgen(unchecked_param_type = "Voucher[]")] vouchers: JsValue,
) -> Result<JsValue, JsValue> {
    let vouchers: Vec<etrid_core::lsp::LspVoucher> = crate::convert::from_js(vouchers, "vouchers")?;
    let pages = etrid_core::lsp::voucher_sheets_svg(&vouchers).map_err(to_js_error)?;
    crate::convert::to_js(&pages)
}
