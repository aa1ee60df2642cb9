//! Per-key token buckets for invoice creation: a sustained rate with a burst, answered with
//! `429` and `Retry-After` (whole seconds, rounded up) when empty. A refused request has no
//! effect.

use std::collections::HashMap;
use std::sync::Mutex;
use std::time::Instant;

use crate::error::ServerError;

/// A token bucket per API key id.
#[derive(Debug)]
pub struct RateLimiter {
    rate_per_sec: f64,
    burst: f64,
    buckets: Mutex<HashMap<String, (f64, Instant)>>,
}

impl RateLimiter {
    /// A limiter allowing `rate_per_sec` sustained and `burst` at once per key.
    pub fn new(rate_per_sec: u32, burst: u32) -> RateLimiter {
        RateLimiter {
            rate_per_sec: f64::from(rate_per_sec.max(1)),
            burst: f64::from(burst.max(1)),
            buckets: Mutex::new(HashMap::new()),
        }
    }

    /// Takes one token for `key_id`.
    ///
    /// # Errors
    /// [`ServerError::RateLimited`] with the seconds until a token is available.
    pub fn check(&self, key_id: &str) -> Result<(), ServerError> {
        self.check_at(key_id, Instant::now())
    }

    fn check_at(&self, key_id: &str, now: Instant) -> Result<(), ServerError> {
        let mut buckets = self.buckets.lock().unwrap_or_else(|p| p.into_inner());
        let (tokens, last) = buckets
            .entry(key_id.to_owned())
            .or_insert((self.burst, now));
        let elapsed = now.saturating_duration_since(*last).as_secs_f64();
        *tokens = (*tokens + elapsed * self.rate_per_sec).min(self.burst);
        *last = now;
        if *tokens >= 1.0 {
            *tokens -= 1.0;
            Ok(())
        } else {
            let wait = (1.0 - *tokens) / self.rate_per_sec;
            Err(ServerError::RateLimited {
                retry_after_secs: (wait.ceil() as u64).max(1),
            })
        }
    }
}

#[cfg(test)]
mod tests {
    use std::time::Duration;

    use super::*;

    #[test]
    fn burst_then_refusal_then_refill() {
        let limiter = RateLimiter::new(2, 3);
        let t0 = Instant::now();
        for _ in 0..3 {
            limiter.check_at("k", t0).unwrap();
        }
        let err = limiter.check_at("k", t0).unwrap_err();
        assert_eq!(err.code(), etrid_core::lsp::ApiErrorCode::RateLimited);
        assert!(matches!(
            err,
            ServerError::RateLimited {
                retry_after_secs: 1
            }
        ));
        // Other keys are not affected.
        limiter.check_at("other", t0).unwrap();
        // Half a second later one token is back (2 per second).
        limiter
            .check_at("k", t0 + Duration::from_millis(500))
            .unwrap();
        assert!(limiter
            .check_at("k", t0 + Duration::from_millis(500))
            .is_err());
    }
}
