//! The JavaScript wall clock (`Date.now()`) and `setTimeout`, as the core's injected [`Clock`]
//! and [`Timer`].

use std::time::Duration;

use etrid_core::clock::Clock;
use etrid_core::platform::{boxed, BoxFuture};
use etrid_core::timer::Timer;
use gloo_timers::future::TimeoutFuture;

/// The longest delay `setTimeout` honours (2^31 - 1 ms, about 24.8 days): a longer one fires at
/// once in every engine, so longer sleeps are taken in pieces of this size.
const MAX_TIMEOUT_MS: u64 = i32::MAX as u64;

/// The JavaScript clock and timer: `Date.now()` and `setTimeout`, in browsers, workers and Node
/// alike.
///
/// The core never reads the time itself (`SystemTime::now` panics on
/// `wasm32-unknown-unknown`); every expiry check and every wait of this binding goes through
/// this type. A sleep dropped before it completes clears its timeout, so an abandoned wait keeps
/// neither a timer nor, in Node, the process alive.
#[derive(Debug, Clone, Copy, Default)]
pub struct JsClock;

impl Clock for JsClock {
    fn now(&self) -> Duration {
        Duration::from_millis(millis_to_u64(js_sys::Date::now()))
    }
}

impl Timer for JsClock {
    fn sleep(&self, duration: Duration) -> BoxFuture<'_, ()> {
        // Round up, so a sleep never ends before the time asked for has passed.
        let mut remaining_ms =
            u64::try_from(duration.as_micros().div_ceil(1000)).unwrap_or(u64::MAX);
        boxed(async move {
            while remaining_ms > 0 {
                let piece = remaining_ms.min(MAX_TIMEOUT_MS);
                remaining_ms -= piece;
                // `piece` fits in u32 (it is at most i32::MAX).
                TimeoutFuture::new(u32::try_from(piece).unwrap_or(u32::MAX >> 1)).await;
            }
        })
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
