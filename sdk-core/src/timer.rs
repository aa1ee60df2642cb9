//! The injected timer: how the core waits (reconnect backoff, request and payment timeouts)
//! without an async runtime of its own. A timer is also the clock it sleeps against.

use std::sync::{Arc, Mutex};
use std::time::Duration;

use crate::clock::{Clock, FixedClock};
use crate::platform::{boxed, BoxFuture, MaybeSend, MaybeSync};

/// Sleeps and tells the time: `tokio::time::sleep` natively, `setTimeout` in browsers, and
/// [`SimulatedTimer`] in tests.
///
/// The time is the same wall clock as [`Clock`], so deadlines such as an invoice's `expires_at`
/// can be compared with it.
pub trait Timer: Clock + MaybeSend + MaybeSync {
    /// Completes once `duration` has passed.
    fn sleep(&self, duration: Duration) -> BoxFuture<'_, ()>;
}

impl<T: Timer + ?Sized> Timer for Arc<T> {
    fn sleep(&self, duration: Duration) -> BoxFuture<'_, ()> {
        (**self).sleep(duration)
    }
}

impl<C: Clock + ?Sized> Clock for Arc<C> {
    fn now(&self) -> Duration {
        (**self).now()
    }
}

/// A timer whose sleeps complete at once after moving its clock forward: simulated time for
/// tests and replays, where a 30-second backoff takes no time at all.
///
/// It records every sleep that was awaited so tests can check backoff schedules; a sleep
/// future dropped before it was polled neither moves the clock nor is recorded.
#[derive(Debug, Default)]
pub struct SimulatedTimer {
    clock: FixedClock,
    sleeps: Mutex<Vec<Duration>>,
}

impl SimulatedTimer {
    /// A timer whose clock starts at `secs` seconds after the Unix epoch.
    pub fn from_unix_secs(secs: u64) -> SimulatedTimer {
        SimulatedTimer {
            clock: FixedClock::from_unix_secs(secs),
            sleeps: Mutex::new(Vec::new()),
        }
    }

    /// Moves the clock forward without recording a sleep.
    pub fn advance(&self, by: Duration) {
        self.clock.advance(by);
    }

    /// Every sleep requested so far, in order.
    pub fn sleeps(&self) -> Vec<Duration> {
        self.sleeps
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .clone()
    }
}

impl Clock for SimulatedTimer {
    fn now(&self) -> Duration {
        self.clock.now()
    }
}

impl Timer for SimulatedTimer {
    fn sleep(&self, duration: Duration) -> BoxFuture<'_, ()> {
        // Time moves when the sleep is first polled, not when it is made: a sleep that loses a
        // race (e.g. against a ready response) leaves the clock alone.
        boxed(async move {
            self.sleeps
                .lock()
                .unwrap_or_else(|e| e.into_inner())
                .push(duration);
            self.clock.advance(duration);
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn simulated_sleep_moves_the_clock_and_is_recorded() {
        let timer = Arc::new(SimulatedTimer::from_unix_secs(100));
        pollster::block_on(timer.sleep(Duration::from_millis(2500)));
        assert_eq!(timer.now(), Duration::from_millis(102_500));
        timer.advance(Duration::from_secs(1));
        assert_eq!(timer.now_unix_secs(), 103);
        assert_eq!(timer.sleeps(), vec![Duration::from_millis(2500)]);
    }
}
