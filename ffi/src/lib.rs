//! C ABI of the Étrid Lightning SDK core, for engines that speak C: Unity (C#, through the
//! generated `NativeMethods.g.cs` and the C# API of the UPM package in
//! `plugins/unity/com.etrid.lightning`), Unreal (C++, through `include/etrid.h`) and anything
//! else with a C FFI.
//!
//! # Conventions
//! - Every symbol starts with `etrid_` (types with `Etrid`).
//! - Fallible calls return an [`EtridStatus`] (`ETRID_STATUS_OK` = 0) and deliver results
//!   through out-pointers, which are set to null first so they never hold stale values. On
//!   failure, `etrid_last_error_code()` gives a stable code (`invoice_expired`,
//!   `invalid_argument`, `panic`, …) and `etrid_last_error_message()` a readable text; both are
//!   per thread and borrowed (not freed), valid until the next status-returning call on that
//!   thread.
//! - Memory Rust allocates is freed by Rust: strings with `etrid_string_free`, QR matrices with
//!   `etrid_qr_matrix_free`. Every free function accepts null.
//! - No panic crosses the boundary: each entry point runs inside `catch_unwind` and reports a
//!   panic as `ETRID_STATUS_PANIC`.
//! - Structured results are JSON (snake_case fields), so the ABI stays small and stable while
//!   the models grow; engines parse it with their own JSON library.
//! - The LSP client (`EtridClient`) is asynchronous: `etrid_client_request` starts an
//!   [`EtridOperation`] and its completion arrives once, through a callback on the library's
//!   runtime thread or by polling (`etrid_client_poll`) on yours; events come through listeners
//!   or `etrid_client_poll_events`; `etrid_client_wait` blocks a thread of yours until there is
//!   something to poll. The threading model is documented on `EtridCompletion`'s module and in
//!   `etrid.h`.
//!
//! # Example (C)
//! ```c
//! char *json = NULL;
//! if (etrid_invoice_decode(text, "bitcoin", 0, false, &json) == ETRID_STATUS_OK) {
//!     puts(json);
//!     etrid_string_free(json);
//! } else {
//!     fprintf(stderr, "%s: %s\n", etrid_last_error_code(), etrid_last_error_message());
//! }
//! ```
#![deny(missing_docs)]

mod client;
mod error;
mod invoice;
mod qr;
mod runtime;
mod string;
mod vouchers;

use std::ffi::c_char;

pub use client::{
    etrid_client_add_event_listener, etrid_client_cancel, etrid_client_events_start,
    etrid_client_events_stop, etrid_client_free, etrid_client_new, etrid_client_pending,
    etrid_client_poll, etrid_client_poll_events, etrid_client_remove_event_listener,
    etrid_client_request, etrid_client_wait, etrid_client_wake, EtridClient, EtridCompletion,
    EtridEventCallback, EtridOperation,
};
pub use error::{etrid_last_error_code, etrid_last_error_message, EtridStatus};
pub use invoice::etrid_invoice_decode;
pub use qr::{etrid_qr_matrix, etrid_qr_matrix_free, etrid_qr_svg, EtridQrMatrix};
pub use string::etrid_string_free;
pub use vouchers::etrid_voucher_sheets_svg;

/// This library's version, NUL-terminated, e.g. `0.1.0`.
const VERSION: &str = concat!(env!("CARGO_PKG_VERSION"), "\0");

/// The library's version (`major.minor.patch`), as a static string: do not free it.
#[no_mangle]
pub extern "C" fn etrid_version() -> *const c_char {
    error::guard(std::ptr::null(), || VERSION.as_ptr().cast())
}

#[cfg(test)]
mod tests;
