//! Configuration of an [`LspClient`](super::LspClient): server, key, network, timeouts, event
//! stream reconnection and the client-side payment limits checked before any request.

use std::time::Duration;

use crate::amount::Msat;
use crate::network::Network;

use super::LspError;

/// Everything an [`LspClient`](super::LspClient) needs to know besides its transport and timer.
#[derive(Clone, PartialEq, Eq)]
pub struct LspConfig {
    /// The server's base URL (`https://lsp.example.com` or with a path prefix); `/v1/...` is
    /// appended.
    pub base_url: String,
    /// The API key sent as `Authorization: Bearer <key>`.
    pub api_key: String,
    /// The network invoices must be for.
    pub network: Network,
    /// How long one HTTP request may take before [`LspError::Timeout`](super::LspError).
    pub request_timeout: Duration,
    /// How the event stream reconnects.
    pub reconnect: ReconnectPolicy,
    /// Limits every payment must respect, checked before the request is sent.
    pub payment_policy: PaymentPolicy,
}

impl LspConfig {
    /// A configuration with default timeouts, reconnection and payment policy.
    pub fn new(
        base_url: impl Into<String>,
        api_key: impl Into<String>,
        network: Network,
    ) -> LspConfig {
        LspConfig {
            base_url: base_url.into(),
            api_key: api_key.into(),
            network,
            request_timeout: Duration::from_secs(30),
            reconnect: ReconnectPolicy::default(),
            payment_policy: PaymentPolicy::default(),
        }
    }
}

impl std::fmt::Debug for LspConfig {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        // The API key stays out of logs.
        f.debug_struct("LspConfig")
            .field("base_url", &self.base_url)
            .field("api_key", &"<redacted>")
            .field("network", &self.network)
            .field("request_timeout", &self.request_timeout)
            .field("reconnect", &self.reconnect)
            .field("payment_policy", &self.payment_policy)
            .finish()
    }
}

/// How an event subscription reconnects after its stream fails or closes.
///
/// The n-th consecutive failure waits `min(initial_backoff × 2^(n-1), max_backoff)`; after
/// `max_attempts` consecutive failures the subscription gives up with
/// [`LspError::StreamGaveUp`](super::LspError::StreamGaveUp). A stream that delivered an event,
/// or stayed open for at least `max_backoff`, resets the count.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ReconnectPolicy {
    /// Consecutive failures tolerated.
    pub max_attempts: u32,
    /// Wait after the first failure.
    pub initial_backoff: Duration,
    /// Longest wait between attempts.
    pub max_backoff: Duration,
}

impl Default for ReconnectPolicy {
    fn default() -> Self {
        ReconnectPolicy {
            max_attempts: 8,
            initial_backoff: Duration::from_millis(500),
            max_backoff: Duration::from_secs(30),
        }
    }
}

impl ReconnectPolicy {
    /// The default policy with the given settings replaced: what the bindings build from their
    /// configuration objects.
    ///
    /// # Errors
    /// [`LspError::InvalidConfig`] for zero attempts, or a first wait longer than the longest.
    pub fn with_settings(
        max_attempts: Option<u32>,
        initial_backoff: Option<Duration>,
        max_backoff: Option<Duration>,
    ) -> Result<ReconnectPolicy, LspError> {
        let mut policy = ReconnectPolicy::default();
        if let Some(attempts) = max_attempts {
            if attempts == 0 {
                return Err(invalid_config("reconnect: at least 1 attempt is needed"));
            }
            policy.max_attempts = attempts;
        }
        policy.initial_backoff = initial_backoff.unwrap_or(policy.initial_backoff);
        policy.max_backoff = max_backoff.unwrap_or(policy.max_backoff);
        if policy.initial_backoff > policy.max_backoff {
            return Err(invalid_config(
                "reconnect: the first wait exceeds the longest wait",
            ));
        }
        Ok(policy)
    }

    /// The wait before the attempt following `failures` consecutive failures (at least 1).
    pub fn backoff(&self, failures: u32) -> Duration {
        let doublings = failures.saturating_sub(1).min(31);
        self.initial_backoff
            .checked_mul(1u32 << doublings)
            .unwrap_or(self.max_backoff)
            .min(self.max_backoff)
    }
}

/// The most routing fee a payment may pay.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FeeLimit {
    /// A fixed maximum.
    Absolute(Msat),
    /// A share of the amount in parts per million, but never less than `min_msat` (small
    /// payments need a floor to be routable at all).
    Proportional {
        /// Parts per million of the amount (10,000 = 1 %).
        ppm: u32,
        /// The floor.
        min_msat: Msat,
    },
}

/// Client-side limits for every payment: `prepare_*` refuses a request beyond them with a typed
/// error before anything is sent, and fills in the defaults.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PaymentPolicy {
    /// The fee limit; also the default `max_fee_msat`.
    pub max_fee: FeeLimit,
    /// The most multi-path parts; also the default `max_parts`.
    pub max_parts: u32,
}

impl Default for PaymentPolicy {
    /// 1 % of the amount with a 10 sat floor, up to 16 parts (the server's defaults).
    fn default() -> Self {
        PaymentPolicy {
            max_fee: FeeLimit::Proportional {
                ppm: 10_000,
                min_msat: Msat::from_msat(10_000),
            },
            max_parts: 16,
        }
    }
}

impl PaymentPolicy {
    /// The default policy with the given limits replaced: an absolute fee limit
    /// (`max_fee_msat`), or a proportional one (`max_fee_ppm`, with `min_fee_msat` as its
    /// floor), and the most parts. What the bindings build from their configuration objects.
    ///
    /// # Errors
    /// [`LspError::InvalidConfig`] when both kinds of fee limit are given, or zero parts.
    pub fn with_limits(
        max_fee_msat: Option<Msat>,
        max_fee_ppm: Option<u32>,
        min_fee_msat: Option<Msat>,
        max_parts: Option<u32>,
    ) -> Result<PaymentPolicy, LspError> {
        let mut policy = PaymentPolicy::default();
        match (max_fee_msat, max_fee_ppm, min_fee_msat) {
            (Some(_), Some(_), _) | (Some(_), _, Some(_)) => {
                return Err(invalid_config(
                    "payment policy: the fee limit is absolute (max fee) or proportional (ppm, minimum), not both",
                ))
            }
            (Some(limit), None, None) => policy.max_fee = FeeLimit::Absolute(limit),
            (None, ppm, min) => {
                if let FeeLimit::Proportional {
                    ppm: default_ppm,
                    min_msat,
                } = policy.max_fee
                {
                    policy.max_fee = FeeLimit::Proportional {
                        ppm: ppm.unwrap_or(default_ppm),
                        min_msat: min.unwrap_or(min_msat),
                    };
                }
            }
        }
        if let Some(parts) = max_parts {
            if parts == 0 {
                return Err(invalid_config("payment policy: at least 1 part is needed"));
            }
            policy.max_parts = parts;
        }
        Ok(policy)
    }

    /// The fee limit for paying `amount`, rounded down; `None` if it would overflow.
    pub fn fee_limit_for(&self, amount: Msat) -> Option<Msat> {
        match self.max_fee {
            FeeLimit::Absolute(limit) => Some(limit),
            FeeLimit::Proportional { ppm, min_msat } => {
                let share = u128::from(amount.as_u64()) * u128::from(ppm) / 1_000_000;
                let share = u64::try_from(share).ok()?;
                Some(Msat::from_msat(share.max(min_msat.as_u64())))
            }
        }
    }
}

/// An [`LspError::InvalidConfig`] with `reason`.
fn invalid_config(reason: &str) -> LspError {
    LspError::InvalidConfig {
        reason: reason.to_owned(),
    }
}
