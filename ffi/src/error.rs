//! Status codes, the thread-local last error, and the one guard every entry point runs in:
//! it clears the last error, catches panics, and turns a failure into a status plus a
//! (code, message) pair the caller reads with `etrid_last_error_code` / `_message`.

use std::any::Any;
use std::cell::RefCell;
use std::ffi::{c_char, CString};
use std::panic::{self, AssertUnwindSafe};
use std::ptr;

use crate::string::to_c_string_lossy;

/// The result of every fallible `etrid_*` call.
///
/// On anything but `Ok`, `etrid_last_error_code()` and `etrid_last_error_message()` say what
/// went wrong, on the thread that made the call.
#[repr(i32)]
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum EtridStatus {
    /// The call succeeded; its out-parameters are set.
    Ok = 0,
    /// An argument was invalid before the core was reached: a null pointer, a string that is
    /// not UTF-8, or an unknown network name. The last error code is `invalid_argument`.
    InvalidArgument = 1,
    /// The core refused the input (a bad invoice, text too long for a QR code, …). The last
    /// error code is the core's stable code, e.g. `invoice_expired`.
    Error = 2,
    /// A bug: Rust code panicked. The panic was caught at the boundary; the last error code is
    /// `panic` and the message is the panic's text.
    Panic = 3,
    /// An asynchronous request was cancelled (`etrid_client_cancel`, `etrid_client_free`)
    /// before it completed. Only completions carry it.
    Cancelled = 4,
}

/// Stable code of [`EtridStatus::InvalidArgument`] failures.
pub(crate) const CODE_INVALID_ARGUMENT: &str = "invalid_argument";
/// Stable code of [`EtridStatus::Panic`] failures.
pub(crate) const CODE_PANIC: &str = "panic";

/// Why an entry point failed, before [`call`] turns it into a status and a last error.
#[derive(Debug)]
pub(crate) enum CallError {
    /// A null pointer, non-UTF-8 text or an unusable value; the text names the argument.
    InvalidArgument(String),
    /// The core returned an error.
    Core(etrid_core::Error),
    /// A failure of this layer that is not the caller's fault (e.g. serialisation).
    Internal {
        /// Stable snake_case code.
        code: &'static str,
        /// What happened.
        message: String,
    },
}

impl CallError {
    /// An [`CallError::InvalidArgument`] naming the argument and the problem.
    pub(crate) fn invalid(argument: &str, problem: &str) -> CallError {
        CallError::InvalidArgument(format!("argument `{argument}` {problem}"))
    }

    /// A [`CallError::Core`] from any error of a core family (`InvoiceError`, `QrError`, …).
    pub(crate) fn core(error: impl Into<etrid_core::Error>) -> CallError {
        CallError::Core(error.into())
    }
}

/// The last failure on this thread, kept as C strings so getters can lend pointers to them.
struct LastError {
    code: CString,
    message: CString,
}

thread_local! {
    static LAST_ERROR: RefCell<Option<LastError>> = const { RefCell::new(None) };
}

/// Replaces this thread's last error. Does nothing while the thread is being torn down.
fn set_last_error(code: &str, message: &str) {
    let error = LastError {
        code: to_c_string_lossy(code),
        message: to_c_string_lossy(message),
    };
    let _ = LAST_ERROR.try_with(|slot| *slot.borrow_mut() = Some(error));
}

/// Clears this thread's last error: done at the start of every status-returning call.
fn clear_last_error() {
    let _ = LAST_ERROR.try_with(|slot| *slot.borrow_mut() = None);
}

/// A pointer to one field of this thread's last error, or null when there is none.
fn last_error_field(field: fn(&LastError) -> &CString) -> *const c_char {
    LAST_ERROR
        .try_with(|slot| {
            slot.borrow()
                .as_ref()
                .map_or(ptr::null(), |error| field(error).as_ptr())
        })
        .unwrap_or(ptr::null())
}

/// Runs the body of a status-returning entry point: clears the last error, catches any panic,
/// and maps the outcome to an [`EtridStatus`], recording the last error on failure.
///
/// Every `extern "C"` function that returns [`EtridStatus`] is exactly one call to this.
pub(crate) fn call(body: impl FnOnce() -> Result<(), CallError>) -> EtridStatus {
    clear_last_error();
    // AssertUnwindSafe: after a panic nothing the body touched is used again, except the
    // thread-local last error, which is replaced below.
    match panic::catch_unwind(AssertUnwindSafe(body)) {
        Ok(Ok(())) => EtridStatus::Ok,
        Ok(Err(CallError::InvalidArgument(message))) => {
            set_last_error(CODE_INVALID_ARGUMENT, &message);
            EtridStatus::InvalidArgument
        }
        Ok(Err(CallError::Core(error))) => {
            set_last_error(error.code(), &error.to_string());
            EtridStatus::Error
        }
        Ok(Err(CallError::Internal { code, message })) => {
            set_last_error(code, &message);
            EtridStatus::Error
        }
        Err(payload) => {
            set_last_error(CODE_PANIC, &panic_message(payload.as_ref()));
            EtridStatus::Panic
        }
    }
}

/// Runs the body of an entry point that returns no status (getters, `*_free`): a panic is
/// caught and `fallback` returned, so no unwind ever crosses into C. The last error is untouched.
pub(crate) fn guard<T>(fallback: T, body: impl FnOnce() -> T) -> T {
    panic::catch_unwind(AssertUnwindSafe(body)).unwrap_or(fallback)
}

/// The text of a panic payload (`panic!("...")` carries a `&str` or a `String`).
fn panic_message(payload: &(dyn Any + Send)) -> String {
    if let Some(text) = payload.downcast_ref::<&str>() {
        format!("Rust panic: {text}")
    } else if let Some(text) = payload.downcast_ref::<String>() {
        format!("Rust panic: {text}")
    } else {
        "Rust panic".to_owned()
    }
}

/// The stable code of the last failed `etrid_*` call on this thread (`invoice_expired`,
/// `invalid_argument`, `panic`, …), or null if the last call succeeded.
///
/// The string is borrowed, not allocated: do not free it. It stays valid until the next
/// status-returning `etrid_*` call on the same thread (getters and `*_free` functions leave it
/// alone), so copy it before making another call.
#[no_mangle]
pub extern "C" fn etrid_last_error_code() -> *const c_char {
    guard(ptr::null(), || last_error_field(|error| &error.code))
}

/// A human-readable description of the last failed `etrid_*` call on this thread, or null if
/// the last call succeeded. For people and logs: branch on `etrid_last_error_code()` instead.
///
/// Borrowed like `etrid_last_error_code()`: do not free it; valid until the next
/// status-returning `etrid_*` call on the same thread.
#[no_mangle]
pub extern "C" fn etrid_last_error_message() -> *const c_char {
    guard(ptr::null(), || last_error_field(|error| &error.message))
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::ffi::CStr;

    fn borrowed(text: *const c_char) -> Option<String> {
        if text.is_null() {
            return None;
        }
        // SAFETY: a non-null getter result points into this thread's last error, alive until
        // the next status-returning call.
        let text = unsafe { CStr::from_ptr(text) };
        Some(text.to_string_lossy().into_owned())
    }

    fn last_code() -> Option<String> {
        borrowed(etrid_last_error_code())
    }

    fn last_message() -> Option<String> {
        borrowed(etrid_last_error_message())
    }

    #[test]
    fn ok_clears_the_last_error() {
        assert_eq!(
            call(|| Err(CallError::invalid("x", "is null"))),
            EtridStatus::InvalidArgument
        );
        assert_eq!(last_code().as_deref(), Some("invalid_argument"));
        assert_eq!(last_message().as_deref(), Some("argument `x` is null"));
        assert_eq!(call(|| Ok(())), EtridStatus::Ok);
        assert_eq!(last_code(), None);
        assert_eq!(last_message(), None);
    }

    #[test]
    fn a_panic_becomes_the_panic_status() {
        let status = call(|| panic!("boom {}", 42));
        assert_eq!(status, EtridStatus::Panic);
        assert_eq!(last_code().as_deref(), Some("panic"));
        assert_eq!(last_message().as_deref(), Some("Rust panic: boom 42"));

        let status = call(|| std::panic::panic_any(7_u8));
        assert_eq!(status, EtridStatus::Panic);
        assert_eq!(last_message().as_deref(), Some("Rust panic"));
    }

    #[test]
    fn guard_returns_the_fallback_on_panic() {
        assert_eq!(guard(1, || 2), 2);
        assert_eq!(guard(1, || panic!("no")), 1);
    }

    #[test]
    fn core_and_internal_errors_keep_their_codes() {
        let core = etrid_core::Error::EntropyUnavailable {
            reason: "none".into(),
        };
        assert_eq!(call(|| Err(CallError::Core(core))), EtridStatus::Error);
        assert_eq!(last_code().as_deref(), Some("entropy_unavailable"));

        let status = call(|| {
            Err(CallError::Internal {
                code: "serialization_failed",
                message: "nul\0inside".into(),
            })
        });
        assert_eq!(status, EtridStatus::Error);
        assert_eq!(last_code().as_deref(), Some("serialization_failed"));
        assert_eq!(last_message().as_deref(), Some("nul\u{fffd}inside"));
    }

    #[test]
    fn the_last_error_is_per_thread() {
        assert_eq!(
            call(|| Err(CallError::invalid("x", "bad"))),
            EtridStatus::InvalidArgument
        );
        let other = std::thread::spawn(last_code).join().ok().flatten();
        assert_eq!(other, None);
        assert_eq!(last_code().as_deref(), Some("invalid_argument"));
    }
}
