//! [`TokioTimer`]: the native [`Timer`], sleeping on the Tokio runtime and telling the time from
//! the system clock.

use std::time::Duration;

use crate::clock::Clock;
use crate::platform::{boxed, BoxFuture, SystemClock};
use crate::timer::Timer;

/// Sleeps with `tokio::time::sleep` and reads the operating system's wall clock.
///
/// # Panics
/// A sleep panics if it is created outside a Tokio runtime with the time driver enabled (as
/// `tokio::time::sleep` does).
#[derive(Debug, Clone, Copy, Default)]
pub struct TokioTimer;

impl Clock for TokioTimer {
    fn now(&self) -> Duration {
        SystemClock.now()
    }
}

impl Timer for TokioTimer {
    fn sleep(&self, duration: Duration) -> BoxFuture<'_, ()> {
        // tokio saturates a deadline past its far future, so any duration is accepted.
        boxed(tokio::time::sleep(duration))
    }
}
