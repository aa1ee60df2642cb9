//! Tests of the C ABI through its `extern "C"` functions, as a C caller would use them: status
//! codes, last errors, null and non-UTF-8 arguments, and freeing what Rust allocated.

use std::ffi::{c_char, CStr};
use std::ptr;

use super::*;

/// BOLT11 example "Please make a donation ... 0.0025 BTC for a cup of coffee" (1 cup coffee,
/// 60 s expiry, payment secret 0x11..11), signed at 1496314658.
const COFFEE: &str = "lnbc2500u1pvjluezsp5zyg3zyg3zyg3zyg3zyg3zyg3zyg3zyg3zyg3zyg3zyg3zyg3zygspp5qqqsyqcyq5rqwzqfqqqsyqcyq5rqwzqfqqqsyqcyq5rqwzqfqypqdq5xysxxatsyp3k7enxv4jsxqzpu9qrsgquk0rl77nj30yxdy8j9vdx85fkpmdla2087ne0xh8nhedh8w27kyke0lp53ut353s06fv3qfegext0eh0ymjpf39tuven09sam30g4vgpfna3rh";
const SIGNED_AT: u64 = 1_496_314_658;
/// BOLT11 invalid example: the Bech32 checksum is wrong.
const BAD_CHECKSUM: &str = "lnbc2500u1pvjluezpp5qqqsyqcyq5rqwzqfqqqsyqcyq5rqwzqfqqqsyqcyq5rqwzqfqypqdpquwpc4curk03c9wlrswe78q4eyqc7d8d0xqzpuyk0sg5g70me25alkluzd2x62aysf2pyy8edtjeevuv4p2d5p76r4zkmneet7uvyakky2zr4cusd45tftc9c5fh0nnqpnl2jfll544esqchsrnt";

fn c(text: &str) -> std::ffi::CString {
    std::ffi::CString::new(text).unwrap()
}

fn borrowed(text: *const c_char) -> Option<String> {
    if text.is_null() {
        return None;
    }
    // SAFETY: a live string from this crate (a getter's borrowed one or an owned one not freed).
    let text = unsafe { CStr::from_ptr(text) };
    Some(text.to_str().unwrap().to_owned())
}

fn last_code() -> Option<String> {
    borrowed(etrid_last_error_code())
}

/// Decodes through the ABI; returns the status and the JSON (freed here) if any.
fn decode(
    text: &str,
    network: &str,
    now: u64,
    allow_expired: bool,
) -> (EtridStatus, Option<String>) {
    let (text, network) = (c(text), c(network));
    let mut json: *mut c_char = ptr::null_mut();
    // SAFETY: valid NUL-terminated strings and a live out-pointer.
    let status = unsafe {
        etrid_invoice_decode(
            text.as_ptr(),
            network.as_ptr(),
            now,
            allow_expired,
            &mut json,
        )
    };
    let out = borrowed(json);
    // SAFETY: `json` is null or an owned string from etrid_invoice_decode, freed once.
    unsafe { etrid_string_free(json) };
    (status, out)
}

#[test]
fn version_is_the_crate_version() {
    assert_eq!(
        borrowed(etrid_version()).as_deref(),
        Some(env!("CARGO_PKG_VERSION"))
    );
}

#[test]
fn s01_decodes_an_invoice_to_json() {
    let (status, json) = decode(COFFEE, "bitcoin", SIGNED_AT, false);
    assert_eq!(status, EtridStatus::Ok, "{:?}", last_code());
    assert_eq!(last_code(), None);
    let value: serde_json::Value = serde_json::from_str(&json.unwrap()).unwrap();
    assert_eq!(value["amount_msat"], 250_000_000);
    assert_eq!(value["description"], "1 cup coffee");
    assert_eq!(value["expiry_secs"], 60);
    assert_eq!(
        value["payment_hash"],
        "0001020304050607080900010203040506070809000102030405060708090102"
    );
}

#[test]
fn s01_expiry_uses_the_given_time_or_the_system_clock() {
    let (status, _) = decode(COFFEE, "bitcoin", 0, false);
    assert_eq!(status, EtridStatus::Error);
    assert_eq!(last_code().as_deref(), Some("invoice_expired"));
    let (status, json) = decode(COFFEE, "bitcoin", 0, true);
    assert_eq!(status, EtridStatus::Ok);
    assert!(json.is_some());
}

#[test]
fn s02_core_errors_keep_their_codes() {
    let (status, json) = decode(BAD_CHECKSUM, "bitcoin", SIGNED_AT, true);
    assert_eq!((status, json), (EtridStatus::Error, None));
    assert_eq!(last_code().as_deref(), Some("invoice_bad_encoding"));
    let (status, _) = decode(COFFEE, "testnet", SIGNED_AT, true);
    assert_eq!(status, EtridStatus::Error);
    assert_eq!(last_code().as_deref(), Some("invoice_wrong_network"));
    assert!(borrowed(etrid_last_error_message()).is_some_and(|m| !m.is_empty()));
}

#[test]
fn unknown_network_is_an_invalid_argument() {
    let (status, _) = decode(COFFEE, "liquid", SIGNED_AT, true);
    assert_eq!(status, EtridStatus::InvalidArgument);
    assert_eq!(last_code().as_deref(), Some("invalid_argument"));
}

#[test]
fn null_and_non_utf8_arguments_are_rejected() {
    let (text, network) = (c(COFFEE), c("bitcoin"));
    let bad_utf8 = c"\xc3\x28";
    let mut json: *mut c_char = ptr::null_mut();
    let mut svg: *mut c_char = ptr::null_mut();
    let mut matrix: *mut EtridQrMatrix = ptr::null_mut();
    // SAFETY: every pointer is null or valid; that is the contract being tested.
    let statuses = unsafe {
        [
            etrid_invoice_decode(ptr::null(), network.as_ptr(), 0, true, &mut json),
            etrid_invoice_decode(text.as_ptr(), ptr::null(), 0, true, &mut json),
            etrid_invoice_decode(text.as_ptr(), network.as_ptr(), 0, true, ptr::null_mut()),
            etrid_invoice_decode(bad_utf8.as_ptr(), network.as_ptr(), 0, true, &mut json),
            etrid_qr_svg(ptr::null(), &mut svg),
            etrid_qr_svg(text.as_ptr(), ptr::null_mut()),
            etrid_qr_svg(bad_utf8.as_ptr(), &mut svg),
            etrid_qr_matrix(ptr::null(), &mut matrix),
            etrid_qr_matrix(text.as_ptr(), ptr::null_mut()),
            etrid_qr_matrix(bad_utf8.as_ptr(), &mut matrix),
        ]
    };
    assert_eq!(statuses, [EtridStatus::InvalidArgument; 10]);
    assert_eq!(last_code().as_deref(), Some("invalid_argument"));
    assert!(json.is_null() && svg.is_null() && matrix.is_null());
}

#[test]
fn s03_qr_svg_and_matrix_round_trip_and_free() {
    let text = c(COFFEE);
    let mut svg: *mut c_char = ptr::null_mut();
    // SAFETY: valid string and out-pointer.
    let status = unsafe { etrid_qr_svg(text.as_ptr(), &mut svg) };
    assert_eq!(status, EtridStatus::Ok);
    assert!(borrowed(svg).unwrap().starts_with("<?xml"));
    // SAFETY: owned string, freed once.
    unsafe { etrid_string_free(svg) };

    let mut matrix: *mut EtridQrMatrix = ptr::null_mut();
    // SAFETY: valid string and out-pointer.
    let status = unsafe { etrid_qr_matrix(text.as_ptr(), &mut matrix) };
    assert_eq!(status, EtridStatus::Ok);
    // SAFETY: `matrix` is a live matrix from etrid_qr_matrix.
    let m = unsafe { &*matrix };
    assert!(m.width >= 21);
    assert_eq!(m.len, (m.width * m.width) as usize);
    // SAFETY: `modules` holds `len` bytes while the matrix lives.
    let modules = unsafe { std::slice::from_raw_parts(m.modules, m.len) };
    assert!(modules.iter().all(|&b| b <= 1));
    assert_eq!(modules[0], 1, "top-left finder pattern is dark");
    // SAFETY: freed once; null is a no-op.
    unsafe {
        etrid_qr_matrix_free(matrix);
        etrid_qr_matrix_free(ptr::null_mut());
    }
}

#[test]
fn text_too_long_for_a_qr_code_is_a_core_error() {
    let text = c(&"x".repeat(8000));
    let mut matrix: *mut EtridQrMatrix = ptr::null_mut();
    // SAFETY: valid string and out-pointer.
    let status = unsafe { etrid_qr_matrix(text.as_ptr(), &mut matrix) };
    assert_eq!(status, EtridStatus::Error);
    assert!(matrix.is_null());
    assert!(last_code().is_some_and(|code| code.starts_with("qr_")));
}
