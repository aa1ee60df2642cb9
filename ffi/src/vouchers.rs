//! Printable voucher sheets: the vouchers a batch created (or a page of them) laid out on A4
//! pages of QR cards, one SVG document per page, for an organizer's tool to print or save as
//! PDF. The same layout as the npm package's `voucherSheetsSvg`.

use std::ffi::c_char;

use etrid_core::lsp::{voucher_sheets_svg, LspVoucher};
use serde_json::Value;

use crate::error::{call, CallError, EtridStatus};
use crate::string::{into_raw_c_string, out_slot, read_str};

/// Lays out `vouchers_json` — a JSON array of vouchers as the API answers them, or an object
/// holding one as `vouchers` (a created batch) or `items` (a page of the list) — as printable A4
/// sheets of QR cards (12 a page: the voucher's LNURL, its amount in sat, its description and the
/// last day it can be claimed). Writes a JSON array of SVG documents, one per page, sized in
/// millimetres, to `*out_pages_json` (free it with `etrid_string_free`).
///
/// Fails with `ETRID_STATUS_INVALID_ARGUMENT` for JSON that is not such a list (the message names
/// the field), and `ETRID_STATUS_ERROR` for a voucher whose code cannot be a QR code.
///
/// # Safety
/// `vouchers_json` is null or a NUL-terminated string valid for the call; `out_pages_json` is
/// null or points to writable storage for one `char*`.
#[no_mangle]
pub unsafe extern "C" fn etrid_voucher_sheets_svg(
    vouchers_json: *const c_char,
    out_pages_json: *mut *mut c_char,
) -> EtridStatus {
    call(|| {
        // SAFETY: the caller guarantees each pointer is null or valid for this call.
        let (out, text) = unsafe {
            (
                out_slot(out_pages_json, "out_pages_json")?,
                read_str(vouchers_json, "vouchers_json")?,
            )
        };
        let vouchers = parse_vouchers(text)?;
        let pages = voucher_sheets_svg(&vouchers).map_err(CallError::core)?;
        let json = serde_json::to_string(&pages)
            .map_err(|e| CallError::invalid("out_pages_json", &e.to_string()))?;
        *out = into_raw_c_string(&json);
        Ok(())
    })
}

/// The vouchers of `text`: an array, or an object's `vouchers` or `items`.
fn parse_vouchers(text: &str) -> Result<Vec<LspVoucher>, CallError> {
    let value: Value = serde_json::from_str(text)
        .map_err(|e| CallError::invalid("vouchers_json", &format!("is not JSON: {e}")))?;
    let list = match value {
        Value::Array(_) => value,
        Value::Object(mut map) => match map.remove("vouchers").or_else(|| map.remove("items")) {
            Some(list) => list,
            None => {
                return Err(CallError::invalid(
                    "vouchers_json",
                    "is an object without `vouchers` or `items`",
                ))
            }
        },
        _ => {
            return Err(CallError::invalid(
                "vouchers_json",
                "must be an array of vouchers",
            ))
        }
    };
    serde_json::from_value(list)
        .map_err(|e| CallError::invalid("vouchers_json", &format!("holds a bad voucher: {e}")))
}
