//! Native implementations of the clock and randomness traits (not compiled for wasm).

use std::time::{Duration, SystemTime, UNIX_EPOCH};

use crate::clock::Clock;
use crate::entropy::Entropy;
use crate::error::Error;

/// The operating system's wall clock.
#[derive(Debug, Clone, Copy, Default)]
pub struct SystemClock;

impl Clock for SystemClock {
    fn now(&self) -> Duration {
        // A clock set before 1970 reads as the epoch rather than panicking.
        SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .unwrap_or(Duration::ZERO)
    }
}

/// The operating system's secure random number generator.
#[derive(Debug, Clone, Copy, Default)]
pub struct OsEntropy;

impl Entropy for OsEntropy {
    fn fill_bytes(&self, buf: &mut [u8]) -> Result<(), Error> {
        getrandom::fill(buf).map_err(|err| Error::EntropyUnavailable {
            reason: err.to_string(),
        })
    }
}
