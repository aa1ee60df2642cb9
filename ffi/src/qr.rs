//! QR code calls: an SVG document for UIs that show images, and a module matrix an engine can
//! upload as a texture (one byte per module, 1 = dark, row-major).

use std::ffi::c_char;
use std::ptr;

use etrid_core::qr::{encode_matrix, render_svg};

use crate::error::{call, guard, CallError, EtridStatus};
use crate::string::{into_raw_c_string, out_slot, read_str};

/// A QR code as a square grid of modules, allocated by `etrid_qr_matrix` and released with
/// `etrid_qr_matrix_free`.
///
/// `modules[y * width + x]` is 1 for a dark module and 0 for a light one; `len == width * width`.
/// The quiet zone (the light border readers need) is not included: draw at least four light
/// modules around the grid.
#[repr(C)]
#[derive(Debug)]
pub struct EtridQrMatrix {
    /// Modules per side.
    pub width: u32,
    /// `len` bytes, row-major, 1 = dark, 0 = light. Owned by the matrix; do not free it alone.
    pub modules: *const u8,
    /// Number of bytes at `modules` (`width * width`).
    pub len: usize,
}

/// Renders `text` (an invoice, an LNURL, …) as a QR code in an SVG document, written to
/// `*out_svg` (free it with `etrid_string_free`). The document starts with `<?xml` and includes
/// the quiet zone. Bech32 text (invoices, LNURLs) is encoded in upper case for a smaller code;
/// scanners read back the same, case-insensitive, string.
///
/// Fails with status `ETRID_STATUS_ERROR` when the text does not fit in a QR code.
///
/// # Safety
/// `text` is null or a NUL-terminated string valid for the duration of the call; `out_svg` is
/// null or points to writable storage for one `char*`.
#[no_mangle]
pub unsafe extern "C" fn etrid_qr_svg(
    text: *const c_char,
    out_svg: *mut *mut c_char,
) -> EtridStatus {
    call(|| {
        // SAFETY: the caller guarantees each pointer is null or valid for this call.
        let (out, text) = unsafe { (out_slot(out_svg, "out_svg")?, read_str(text, "text")?) };
        let svg = render_svg(text).map_err(CallError::core)?;
        *out = into_raw_c_string(&svg);
        Ok(())
    })
}

/// Encodes `text` as a QR code module matrix, written to `*out` (free it with
/// `etrid_qr_matrix_free`). Same code as `etrid_qr_svg`, without the quiet zone.
///
/// Fails with status `ETRID_STATUS_ERROR` when the text does not fit in a QR code.
///
/// # Safety
/// `text` is null or a NUL-terminated string valid for the duration of the call; `out` is null
/// or points to writable storage for one `EtridQrMatrix*`.
#[no_mangle]
pub unsafe extern "C" fn etrid_qr_matrix(
    text: *const c_char,
    out: *mut *mut EtridQrMatrix,
) -> EtridStatus {
    call(|| {
        // SAFETY: the caller guarantees each pointer is null or valid for this call.
        let (out, text) = unsafe { (out_slot(out, "out")?, read_str(text, "text")?) };
        let matrix = encode_matrix(text).map_err(CallError::core)?;
        let modules: Box<[u8]> = matrix.to_bytes().into_boxed_slice();
        let len = modules.len();
        let modules = Box::into_raw(modules).cast::<u8>().cast_const();
        *out = Box::into_raw(Box::new(EtridQrMatrix {
            width: matrix.width,
            modules,
            len,
        }));
        Ok(())
    })
}

/// Frees a matrix returned by `etrid_qr_matrix`, including its modules. Passing null does
/// nothing.
///
/// # Safety
/// `matrix` is null or a pointer `etrid_qr_matrix` returned, not yet freed, whose fields the
/// caller has not changed. Do not use it (or its `modules`) afterwards.
#[no_mangle]
pub unsafe extern "C" fn etrid_qr_matrix_free(matrix: *mut EtridQrMatrix) {
    guard((), || {
        if matrix.is_null() {
            return;
        }
        // SAFETY: the caller guarantees `matrix` came from `Box::into_raw` in `etrid_qr_matrix`
        // and is freed once.
        let matrix = unsafe { Box::from_raw(matrix) };
        let modules = ptr::slice_from_raw_parts_mut(matrix.modules.cast_mut(), matrix.len);
        // SAFETY: `modules`/`len` are the unchanged parts of the `Box<[u8]>` leaked above.
        drop(unsafe { Box::from_raw(modules) });
    });
}
