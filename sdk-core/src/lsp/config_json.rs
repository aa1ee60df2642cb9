//! The JSON form of [`LspConfig`], read by [`LspConfig::from_json`]: how bindings that carry
//! JSON (the C ABI, the Unity package on desktop and WebGL) configure a client, with the same
//! checks everywhere.

use std::time::Duration;

use serde::Deserialize;

use super::{LspConfig, LspError, PaymentPolicy, ReconnectPolicy};
use crate::amount::Msat;
use crate::network::Network;

/// `{"base_url", "api_key", "network", "request_timeout_ms"?, "payment_policy"?, "reconnect"?}`.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct ClientConfig {
    base_url: String,
    api_key: String,
    network: String,
    #[serde(default)]
    request_timeout_ms: Option<u64>,
    #[serde(default)]
    payment_policy: Option<PolicyConfig>,
    #[serde(default)]
    reconnect: Option<ReconnectConfig>,
}

/// `payment_policy`: `max_fee_msat`, or `max_fee_ppm` with `min_fee_msat`; `max_parts`.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct PolicyConfig {
    #[serde(default)]
    max_fee_ppm: Option<u32>,
    #[serde(default)]
    min_fee_msat: Option<u64>,
    #[serde(default)]
    max_fee_msat: Option<u64>,
    #[serde(default)]
    max_parts: Option<u32>,
}

/// `reconnect`: how the event stream reconnects.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct ReconnectConfig {
    #[serde(default)]
    max_attempts: Option<u32>,
    #[serde(default)]
    initial_backoff_ms: Option<u64>,
    #[serde(default)]
    max_backoff_ms: Option<u64>,
}

impl LspConfig {
    /// Reads a configuration from JSON: `{"base_url", "api_key", "network",
    /// "request_timeout_ms"?, "payment_policy"?: {"max_fee_msat"? | "max_fee_ppm"?,
    /// "min_fee_msat"?, "max_parts"?}, "reconnect"?: {"max_attempts"?, "initial_backoff_ms"?,
    /// "max_backoff_ms"?}}`. The one configuration format of the JSON bindings (the C ABI,
    /// Unity on every platform); amounts stay exact integers.
    ///
    /// # Errors
    /// [`LspError::InvalidConfig`] naming what is wrong: malformed JSON, an unknown field, an
    /// unknown network, a zero timeout, inconsistent limits.
    pub fn from_json(json: &str) -> Result<LspConfig, LspError> {
        let invalid = |reason: String| LspError::InvalidConfig { reason };
        let config: ClientConfig =
            serde_json::from_str(json).map_err(|e| invalid(format!("config: {e}")))?;
        let network = Network::from_name(&config.network).ok_or_else(|| {
            invalid(format!(
                "unknown network {:?}: expected bitcoin, testnet, signet or regtest",
                config.network
            ))
        })?;
        let mut lsp = LspConfig::new(config.base_url, config.api_key, network);
        if let Some(ms) = config.request_timeout_ms {
            if ms == 0 {
                return Err(invalid("request_timeout_ms must be positive".to_owned()));
            }
            lsp.request_timeout = Duration::from_millis(ms);
        }
        if let Some(policy) = config.payment_policy {
            lsp.payment_policy = PaymentPolicy::with_limits(
                policy.max_fee_msat.map(Msat::from_msat),
                policy.max_fee_ppm,
                policy.min_fee_msat.map(Msat::from_msat),
                policy.max_parts,
            )?;
        }
        if let Some(reconnect) = config.reconnect {
            lsp.reconnect = ReconnectPolicy::with_settings(
                reconnect.max_attempts,
                reconnect.initial_backoff_ms.map(Duration::from_millis),
                reconnect.max_backoff_ms.map(Duration::from_millis),
            )?;
        }
        Ok(lsp)
    }
}
