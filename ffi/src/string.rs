//! Strings across the boundary: reading borrowed C strings the caller passes in, handing out
//! Rust-allocated C strings through out-pointers, and `etrid_string_free`, which takes them back.

use std::ffi::{c_char, CStr, CString};
use std::ptr;

use crate::error::{guard, CallError};

/// Borrows a NUL-terminated UTF-8 string passed by the caller.
///
/// Fails with [`CallError::InvalidArgument`] naming `argument` when `text` is null or not UTF-8.
///
/// # Safety
/// `text` is null or points to a NUL-terminated string that stays valid and unchanged for `'a`.
pub(crate) unsafe fn read_str<'a>(
    text: *const c_char,
    argument: &str,
) -> Result<&'a str, CallError> {
    if text.is_null() {
        return Err(CallError::invalid(argument, "is null"));
    }
    // SAFETY: non-null, and the caller guarantees a NUL-terminated string valid for 'a.
    let bytes = unsafe { CStr::from_ptr(text) };
    bytes
        .to_str()
        .map_err(|_| CallError::invalid(argument, "is not valid UTF-8"))
}

/// Checks an out-pointer and stores null through it, so the caller's variable never keeps a
/// stale value when the call fails. Returns the slot to fill on success.
///
/// # Safety
/// `out` is null or points to writable, aligned storage for a `*mut T` valid for `'a`.
pub(crate) unsafe fn out_slot<'a, T>(
    out: *mut *mut T,
    argument: &str,
) -> Result<&'a mut *mut T, CallError> {
    // SAFETY: the caller guarantees `out` is null or valid, aligned and writable for 'a.
    let slot = unsafe { out.as_mut() }.ok_or_else(|| CallError::invalid(argument, "is null"))?;
    *slot = ptr::null_mut();
    Ok(slot)
}

/// A C string from Rust text; an interior NUL (impossible in JSON, SVG or our messages, but
/// cheap to rule out) becomes U+FFFD rather than cutting the string short.
pub(crate) fn to_c_string_lossy(text: &str) -> CString {
    CString::new(text)
        .or_else(|_| CString::new(text.replace('\0', "\u{fffd}")))
        .unwrap_or_default()
}

/// Hands a Rust string to the caller, who must release it with [`etrid_string_free`].
pub(crate) fn into_raw_c_string(text: &str) -> *mut c_char {
    to_c_string_lossy(text).into_raw()
}

/// Frees a string returned through an `etrid_*` out-parameter (`out_json`, `out_svg`, …).
/// Passing null does nothing.
///
/// # Safety
/// `text` is null or a pointer an `etrid_*` function returned as an owned string, not yet freed
/// and not modified beyond its terminating NUL. Do not use it afterwards. Never pass the
/// borrowed strings of `etrid_last_error_code`, `etrid_last_error_message` or `etrid_version`.
#[no_mangle]
pub unsafe extern "C" fn etrid_string_free(text: *mut c_char) {
    guard((), || {
        if !text.is_null() {
            // SAFETY: the caller guarantees `text` came from `CString::into_raw` in this crate
            // (`into_raw_c_string`) and is freed only once.
            drop(unsafe { CString::from_raw(text) });
        }
    });
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn read_str_rejects_null_and_bad_utf8() {
        // SAFETY: null is allowed; the literals are NUL-terminated statics.
        unsafe {
            assert!(matches!(
                read_str(ptr::null(), "text"),
                Err(CallError::InvalidArgument(m)) if m == "argument `text` is null"
            ));
            assert!(matches!(
                read_str(c"\xff\xfe".as_ptr(), "text"),
                Err(CallError::InvalidArgument(m)) if m == "argument `text` is not valid UTF-8"
            ));
            assert_eq!(read_str(c"héllo".as_ptr(), "text").ok(), Some("héllo"));
        }
    }

    #[test]
    fn out_slot_clears_the_callers_pointer() {
        let mut owned = into_raw_c_string("stale");
        let previous = owned;
        // SAFETY: `owned` is a live local.
        let slot = unsafe { out_slot(&mut owned, "out") };
        assert!(slot.is_ok());
        assert!(owned.is_null());
        // SAFETY: `previous` came from into_raw_c_string and is freed once.
        unsafe { etrid_string_free(previous) };
        // SAFETY: null is allowed.
        let null_slot = unsafe { out_slot::<c_char>(ptr::null_mut(), "out") };
        assert!(matches!(null_slot, Err(CallError::InvalidArgument(_))));
    }

    #[test]
    fn strings_round_trip_and_free() {
        let raw = into_raw_c_string("a\0b");
        // SAFETY: `raw` is a live string from into_raw_c_string.
        let text = unsafe { CStr::from_ptr(raw) }.to_str().map(str::to_owned);
        assert_eq!(text.as_deref(), Ok("a\u{fffd}b"));
        // SAFETY: freed exactly once; null is a no-op.
        unsafe {
            etrid_string_free(raw);
            etrid_string_free(ptr::null_mut());
        }
    }
}
