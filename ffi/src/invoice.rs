//! BOLT11 invoice calls: decode and validate an invoice, returning the core's `Invoice` as JSON.

use std::ffi::c_char;

use etrid_core::clock::{Clock, FixedClock};
use etrid_core::invoice::{decode_invoice_with, DecodeOptions};
use etrid_core::network::Network;
use etrid_core::platform::SystemClock;

use crate::error::{call, CallError, EtridStatus};
use crate::string::{into_raw_c_string, out_slot, read_str};

/// Decodes and validates a BOLT11 invoice for `network`, writing the decoded invoice as a JSON
/// object (the core's `Invoice`, snake_case fields) to `*out_json`.
///
/// - `bolt11`: the invoice text (a `lightning:` prefix is handled by the core).
/// - `network`: `"bitcoin"` (or `"mainnet"`), `"testnet"`, `"signet"` or `"regtest"`; an invoice
///   for another network fails with code `invoice_wrong_network`.
/// - `now_unix_secs`: the time expiry is checked against, in seconds since the Unix epoch;
///   `0` means the system clock.
/// - `allow_expired`: when true an expired invoice is still decoded (its fields say when it
///   expired) instead of failing with `invoice_expired`.
///
/// Returns `ETRID_STATUS_OK` and sets `*out_json` (free it with `etrid_string_free`), or another
/// status with `*out_json` set to null and the reason in `etrid_last_error_code()`.
///
/// # Safety
/// `bolt11` and `network` are null or NUL-terminated strings valid for the duration of the
/// call; `out_json` is null or points to writable storage for one `char*`.
#[no_mangle]
pub unsafe extern "C" fn etrid_invoice_decode(
    bolt11: *const c_char,
    network: *const c_char,
    now_unix_secs: u64,
    allow_expired: bool,
    out_json: *mut *mut c_char,
) -> EtridStatus {
    call(|| {
        // SAFETY: the caller guarantees each pointer is null or valid for this call.
        let (out, text, network_name) = unsafe {
            (
                out_slot(out_json, "out_json")?,
                read_str(bolt11, "bolt11")?,
                read_str(network, "network")?,
            )
        };
        let network = Network::from_name(network_name).ok_or_else(|| {
            CallError::invalid(
                "network",
                "is not one of bitcoin, mainnet, testnet, signet, regtest",
            )
        })?;
        let options = DecodeOptions {
            network,
            require_amount: false,
            allow_expired,
        };
        let fixed;
        let clock: &dyn Clock = if now_unix_secs == 0 {
            &SystemClock
        } else {
            fixed = FixedClock::from_unix_secs(now_unix_secs);
            &fixed
        };
        let invoice = decode_invoice_with(text, &options, clock).map_err(CallError::core)?;
        let json = serde_json::to_string(&invoice).map_err(|err| CallError::Internal {
            code: "serialization_failed",
            message: err.to_string(),
        })?;
        *out = into_raw_c_string(&json);
        Ok(())
    })
}
