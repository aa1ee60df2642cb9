//! What the SDK accepts from a swap server: fees, timeouts and confirmations. Everything the
//! server proposes is checked against this before any money moves.

use super::super::{SwapError, MAX_SERVICE_FEE_BPS};
use crate::amount::Msat;

/// The bounds a swap must fit. The defaults suit a game paying or cashing out small amounts on
/// mainnet; tests on a devnet may narrow the timeouts.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SwapPolicy {
    /// The highest service fee accepted, basis points.
    pub max_fee_bps: u16,
    /// The highest miner fee the server may charge for its own transaction.
    pub max_miner_fee_msat: Msat,
    /// The fewest blocks from our own chain tip to a submarine swap's timeout: the server must
    /// have time to pay before we may refund.
    pub submarine_min_timeout_blocks: u32,
    /// The most blocks to a submarine swap's timeout: how long our coins may be locked when
    /// the server never pays.
    pub submarine_max_timeout_blocks: u32,
    /// The fewest blocks to a reverse swap's timeout: our time to claim once the lockup
    /// confirms.
    pub reverse_min_timeout_blocks: u32,
    /// The most blocks to a reverse swap's timeout.
    pub reverse_max_timeout_blocks: u32,
    /// Confirmations a reverse lockup needs before we claim it (revealing the preimage): an
    /// unconfirmed lockup could be double-spent by the server after it learned the preimage.
    pub reverse_min_confirmations: u32,
    /// The highest fee rate our claims and refunds pay, sat/vB.
    pub max_fee_rate_sat_per_vb: u64,
    /// The confirmation target our claims and refunds ask the chain source for, blocks.
    pub fee_target_blocks: u16,
}

impl Default for SwapPolicy {
    fn default() -> SwapPolicy {
        SwapPolicy {
            max_fee_bps: 100,
            max_miner_fee_msat: Msat::from_msat(10_000_000),
            submarine_min_timeout_blocks: 24,
            submarine_max_timeout_blocks: 432,
            reverse_min_timeout_blocks: 12,
            reverse_max_timeout_blocks: 288,
            reverse_min_confirmations: 1,
            max_fee_rate_sat_per_vb: 200,
            fee_target_blocks: 3,
        }
    }
}

impl SwapPolicy {
    /// Checks a server's fee terms.
    ///
    /// # Errors
    /// [`SwapError::FeeTooHigh`].
    pub fn check_fees(&self, fee_bps: u16, miner_fee_msat: Msat) -> Result<(), SwapError> {
        let max_bps = self.max_fee_bps.min(MAX_SERVICE_FEE_BPS);
        if fee_bps > max_bps {
            return Err(SwapError::FeeTooHigh {
                what: "fee_bps",
                found: u64::from(fee_bps),
                max: u64::from(max_bps),
            });
        }
        if miner_fee_msat > self.max_miner_fee_msat {
            return Err(SwapError::FeeTooHigh {
                what: "miner_fee_msat",
                found: miner_fee_msat.as_u64(),
                max: self.max_miner_fee_msat.as_u64(),
            });
        }
        if miner_fee_msat.as_u64() % 1_000 != 0 {
            return Err(SwapError::ServerMismatch {
                field: "miner_fee_msat",
                expected: "whole satoshis".into(),
                found: miner_fee_msat.as_u64().to_string(),
            });
        }
        Ok(())
    }

    /// The fee rate of our claims and refunds: the chain source's estimate, capped.
    pub fn fee_rate(&self, estimate_sat_per_vb: u64) -> u64 {
        estimate_sat_per_vb.clamp(1, self.max_fee_rate_sat_per_vb.max(1))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fees_above_the_policy_are_named() {
        let policy = SwapPolicy::default();
        assert_eq!(policy.check_fees(50, Msat::from_msat(1_000_000)), Ok(()));
        let err = policy.check_fees(101, Msat::ZERO).unwrap_err();
        assert_eq!(err.code(), "swap_fee_too_high");
        let err = policy
            .check_fees(50, Msat::from_msat(10_000_001_000))
            .unwrap_err();
        assert!(err.to_string().contains("miner_fee_msat"), "{err}");
        assert_eq!(policy.fee_rate(0), 1);
        assert_eq!(policy.fee_rate(1_000), 200);
    }
}
