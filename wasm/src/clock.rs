//! The JavaScript wall clock (`Date.now()`) as the core's injected [`Clock`].

use std::time::Duration;

use etrid_core::clock::Clock;

/// The JavaScript clock: `Date.now()`, in browsers and in Node alike.
///
/// The core never reads the time itself (`SystemTime::now` panics on
/// `wasm32-unknown-unknown`); every expiry check in this binding is handed this clock.
#[derive(Debug, Clone, Copy, Default)]
pub struct JsClock;

impl Clock for JsClock {
    fn now(&self) -> Duration {
        Duration::from_millis(millis_to_u64(js_sys::Date::now()))
    }
}

/// Converts `Date.now()`'s milliseconds to an integer: a clock before 1970, or a `NaN` from a
/// broken environment, reads as the epoch; the float-to-int cast saturates and cannot panic.
fn millis_to_u64(millis: f64) -> u64 {
    if millis.is_finite() && millis > 0.0 {
        millis as u64
    } else {
        0
    }
}
