//! The swap server's settings (`--swap-*` flags, `ETRID_LSP_SWAP_*` variables, or the `[swap]`
//! table of the TOML file): where it watches the chain, its fees, limits and timeouts. Swaps are
//! off unless a chain source for them is given.

use clap::Args;
use etrid_core::swap::MAX_SERVICE_FEE_BPS;
use serde::Deserialize;

use crate::error::ServerError;

/// The swap options as given (`etrid-lsp --help` lists them).
#[derive(Debug, Clone, Default, Args, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SwapOptions {
    /// Esplora REST base URL the swap server watches the chain through and broadcasts with
    /// (lockups, claims, refunds). Default: the node's `--esplora-url` when it uses Esplora;
    /// otherwise swaps are off (`swaps_unavailable`).
    #[arg(
        id = "swap_esplora_url",
        long = "swap-esplora-url",
        env = "ETRID_LSP_SWAP_ESPLORA_URL"
    )]
    pub esplora_url: Option<String>,
    /// The service fee, basis points of the amount swapped, 0 to 1000. Default 50 (0.5 %).
    #[arg(
        id = "swap_fee_bps",
        long = "swap-fee-bps",
        env = "ETRID_LSP_SWAP_FEE_BPS"
    )]
    pub fee_bps: Option<u16>,
    /// The smallest swap, on-chain sats. Default 10,000.
    #[arg(
        id = "swap_min_amount_sat",
        long = "swap-min-amount-sat",
        env = "ETRID_LSP_SWAP_MIN_AMOUNT_SAT"
    )]
    pub min_amount_sat: Option<u64>,
    /// The largest swap, on-chain sats. Default 10,000,000.
    #[arg(
        id = "swap_max_amount_sat",
        long = "swap-max-amount-sat",
        env = "ETRID_LSP_SWAP_MAX_AMOUNT_SAT"
    )]
    pub max_amount_sat: Option<u64>,
    /// The miner fee charged for the server's own transaction of a swap (the claim of a
    /// submarine lockup, or a reverse lockup), sats. Default 1,000.
    #[arg(
        id = "swap_miner_fee_sat",
        long = "swap-miner-fee-sat",
        env = "ETRID_LSP_SWAP_MINER_FEE_SAT"
    )]
    pub miner_fee_sat: Option<u64>,
    /// Blocks from a submarine swap's creation to its timeout (the user's refund height): the
    /// payment's whole route must fit below it (LDK Node's nodes ask 144 blocks per hop, and
    /// invoices 18 to 144 more). Default 288 (two days).
    #[arg(
        id = "swap_submarine_timeout_blocks",
        long = "swap-submarine-timeout-blocks",
        env = "ETRID_LSP_SWAP_SUBMARINE_TIMEOUT_BLOCKS"
    )]
    pub submarine_timeout_blocks: Option<u32>,
    /// Blocks from a reverse swap's creation to its timeout (the server's refund height).
    /// Default 72 (half a day).
    #[arg(
        id = "swap_reverse_timeout_blocks",
        long = "swap-reverse-timeout-blocks",
        env = "ETRID_LSP_SWAP_REVERSE_TIMEOUT_BLOCKS"
    )]
    pub reverse_timeout_blocks: Option<u32>,
    /// Confirmations a submarine lockup needs before the server pays. Default 1.
    #[arg(
        id = "swap_lockup_confirmations",
        long = "swap-lockup-confirmations",
        env = "ETRID_LSP_SWAP_LOCKUP_CONFIRMATIONS"
    )]
    pub lockup_confirmations: Option<u32>,
    /// Milliseconds between two looks at the chain. Default 1,000.
    #[arg(
        id = "swap_poll_ms",
        long = "swap-poll-ms",
        env = "ETRID_LSP_SWAP_POLL_MS"
    )]
    pub poll_ms: Option<u64>,
}

/// The swap server's settings, checked.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SwapConfig {
    /// The Esplora REST base URL (no trailing slash).
    pub esplora_url: String,
    /// The service fee, basis points.
    pub fee_bps: u16,
    /// The smallest swap, sats.
    pub min_amount_sat: u64,
    /// The largest swap, sats.
    pub max_amount_sat: u64,
    /// The miner fee charged for the server's own transaction, sats.
    pub miner_fee_sat: u64,
    /// Blocks to a submarine swap's timeout.
    pub submarine_timeout_blocks: u32,
    /// Blocks to a reverse swap's timeout.
    pub reverse_timeout_blocks: u32,
    /// Confirmations before a submarine lockup is paid.
    pub lockup_confirmations: u32,
    /// Between two looks at the chain.
    pub poll: std::time::Duration,
}

/// The fewest blocks a timeout may be: the payment and the claim need room before it.
pub const MIN_SWAP_TIMEOUT_BLOCKS: u32 = 12;
/// The most blocks a timeout may be: four weeks (coins locked longer help nobody).
pub const MAX_SWAP_TIMEOUT_BLOCKS: u32 = 4 * 7 * 144;

impl SwapOptions {
    /// Fills every option unset here from `file`.
    pub fn or(self, file: SwapOptions) -> SwapOptions {
        SwapOptions {
            esplora_url: self.esplora_url.or(file.esplora_url),
            fee_bps: self.fee_bps.or(file.fee_bps),
            min_amount_sat: self.min_amount_sat.or(file.min_amount_sat),
            max_amount_sat: self.max_amount_sat.or(file.max_amount_sat),
            miner_fee_sat: self.miner_fee_sat.or(file.miner_fee_sat),
            submarine_timeout_blocks: self
                .submarine_timeout_blocks
                .or(file.submarine_timeout_blocks),
            reverse_timeout_blocks: self.reverse_timeout_blocks.or(file.reverse_timeout_blocks),
            lockup_confirmations: self.lockup_confirmations.or(file.lockup_confirmations),
            poll_ms: self.poll_ms.or(file.poll_ms),
        }
    }

    /// Applies defaults and checks the result; `None` when swaps are off (no Esplora URL here
    /// and `node_esplora_url`, the node's own, is `None` too).
    ///
    /// # Errors
    /// [`ServerError::Config`] naming the bad option.
    pub fn resolve(
        self,
        node_esplora_url: Option<&str>,
    ) -> Result<Option<SwapConfig>, ServerError> {
        let bad = |reason: String| ServerError::Config {
            reason: format!("swap: {reason}"),
        };
        let Some(url) = self
            .esplora_url
            .or_else(|| node_esplora_url.map(str::to_owned))
        else {
            return Ok(None);
        };
        url::Url::parse(&url).map_err(|e| bad(format!("esplora_url: {e}")))?;
        let fee_bps = self.fee_bps.unwrap_or(50);
        if fee_bps > MAX_SERVICE_FEE_BPS {
            return Err(bad(format!(
                "fee_bps must be at most {MAX_SERVICE_FEE_BPS} (the most the SDK accepts)"
            )));
        }
        let min_amount_sat = self.min_amount_sat.unwrap_or(10_000);
        let max_amount_sat = self.max_amount_sat.unwrap_or(10_000_000);
        if min_amount_sat == 0 || min_amount_sat > max_amount_sat {
            return Err(bad(format!(
                "min_amount_sat ({min_amount_sat}) must be positive and at most max_amount_sat \
                 ({max_amount_sat})"
            )));
        }
        let blocks = |name: &str, value: u32| {
            if (MIN_SWAP_TIMEOUT_BLOCKS..=MAX_SWAP_TIMEOUT_BLOCKS).contains(&value) {
                Ok(value)
            } else {
                Err(bad(format!(
                    "{name} must be {MIN_SWAP_TIMEOUT_BLOCKS} to {MAX_SWAP_TIMEOUT_BLOCKS}, not {value}"
                )))
            }
        };
        let lockup_confirmations = self.lockup_confirmations.unwrap_or(1);
        if !(1..=6).contains(&lockup_confirmations) {
            return Err(bad(format!(
                "lockup_confirmations must be 1 to 6, not {lockup_confirmations}"
            )));
        }
        let poll_ms = self.poll_ms.unwrap_or(1_000);
        if !(50..=60_000).contains(&poll_ms) {
            return Err(bad(format!("poll_ms must be 50 to 60000, not {poll_ms}")));
        }
        Ok(Some(SwapConfig {
            esplora_url: url.trim_end_matches('/').to_owned(),
            fee_bps,
            min_amount_sat,
            max_amount_sat,
            miner_fee_sat: self.miner_fee_sat.unwrap_or(1_000),
            submarine_timeout_blocks: blocks(
                "submarine_timeout_blocks",
                self.submarine_timeout_blocks.unwrap_or(288),
            )?,
            reverse_timeout_blocks: blocks(
                "reverse_timeout_blocks",
                self.reverse_timeout_blocks.unwrap_or(72),
            )?,
            lockup_confirmations,
            poll: std::time::Duration::from_millis(poll_ms),
        }))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn swaps_are_off_without_an_esplora_url_and_defaults_apply() {
        assert_eq!(SwapOptions::default().resolve(None).unwrap(), None);
        let on = SwapOptions::default()
            .resolve(Some("http://127.0.0.1:3002/"))
            .unwrap()
            .unwrap();
        assert_eq!(on.esplora_url, "http://127.0.0.1:3002");
        assert_eq!(on.fee_bps, 50);
        assert_eq!(on.submarine_timeout_blocks, 288);
        assert_eq!(on.reverse_timeout_blocks, 72);
    }

    #[test]
    fn bad_swap_options_are_named() {
        let with = |o: SwapOptions| {
            let url = o.esplora_url.clone();
            SwapOptions {
                esplora_url: url.or_else(|| Some("http://127.0.0.1:3002".into())),
                ..o
            }
            .resolve(None)
            .unwrap_err()
            .to_string()
        };
        let err = with(SwapOptions {
            fee_bps: Some(1_001),
            ..SwapOptions::default()
        });
        assert!(err.contains("fee_bps"), "{err}");
        let err = with(SwapOptions {
            min_amount_sat: Some(20),
            max_amount_sat: Some(10),
            ..SwapOptions::default()
        });
        assert!(err.contains("min_amount_sat"), "{err}");
        let err = with(SwapOptions {
            reverse_timeout_blocks: Some(2),
            ..SwapOptions::default()
        });
        assert!(err.contains("reverse_timeout_blocks"), "{err}");
        let err = with(SwapOptions {
            esplora_url: Some("not a url".into()),
            ..SwapOptions::default()
        });
        assert!(err.contains("esplora_url"), "{err}");
    }
}
