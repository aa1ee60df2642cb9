//! The injected clock: the core never reads the system time itself, so expiry checks, streaming
//! ticks and schedules are deterministic in tests and work on wasm, where `SystemTime` panics.

use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

/// A source of wall-clock time, as a duration since the Unix epoch.
///
/// Native code uses `platform::SystemClock` (native targets only); the wasm binding uses JavaScript's
/// `Date.now()`; tests use [`FixedClock`].
pub trait Clock {
    /// The current time since 1970-01-01T00:00:00Z.
    fn now(&self) -> Duration;

    /// The current time in whole seconds since the Unix epoch.
    fn now_unix_secs(&self) -> u64 {
        self.now().as_secs()
    }
}

/// A clock that stands still until told to move: for tests and for replaying a known moment.
#[derive(Debug, Default)]
pub struct FixedClock {
    millis: AtomicU64,
}

impl FixedClock {
    /// A clock fixed at `secs` seconds after the Unix epoch.
    pub fn from_unix_secs(secs: u64) -> FixedClock {
        FixedClock::from_unix_millis(secs.saturating_mul(1000))
    }

    /// A clock fixed at `millis` milliseconds after the Unix epoch.
    pub fn from_unix_millis(millis: u64) -> FixedClock {
        FixedClock {
            millis: AtomicU64::new(millis),
        }
    }

    /// Moves the clock to `millis` milliseconds after the Unix epoch.
    pub fn set_unix_millis(&self, millis: u64) {
        self.millis.store(millis, Ordering::SeqCst);
    }

    /// Moves the clock forward by `by` (saturating at the end of time).
    pub fn advance(&self, by: Duration) {
        let by_ms = u64::try_from(by.as_millis()).unwrap_or(u64::MAX);
        let _ = self
            .millis
            .fetch_update(Ordering::SeqCst, Ordering::SeqCst, |m| {
                Some(m.saturating_add(by_ms))
            });
    }
}

impl Clock for FixedClock {
    fn now(&self) -> Duration {
        Duration::from_millis(self.millis.load(Ordering::SeqCst))
    }
}

impl<C: Clock + ?Sized> Clock for &C {
    fn now(&self) -> Duration {
        (**self).now()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fixed_clock_moves_only_when_told() {
        let clock = FixedClock::from_unix_secs(10);
        assert_eq!(clock.now_unix_secs(), 10);
        clock.advance(Duration::from_millis(1500));
        assert_eq!(clock.now(), Duration::from_millis(11_500));
        clock.set_unix_millis(u64::MAX);
        clock.advance(Duration::from_secs(5));
        assert_eq!(clock.now(), Duration::from_millis(u64::MAX));
    }
}
