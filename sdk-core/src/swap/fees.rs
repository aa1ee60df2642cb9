//! What a swap costs, computed the same way by the server and by the SDK: the SDK recomputes
//! every amount the server proposes from the fee terms and refuses any difference.
//!
//! On-chain amounts are whole satoshis; Lightning amounts are millisatoshis. A submarine swap's
//! invoice may carry millisatoshis: the lockup covers it rounded up to the next satoshi.

use serde::{Deserialize, Serialize};

use super::SwapError;

/// The most a service fee may be: 10 % (1,000 basis points). A server asking more is refused.
pub const MAX_SERVICE_FEE_BPS: u16 = 1_000;

/// No amount of a swap may exceed every bitcoin there will ever be, in sats.
const MAX_SWAP_SAT: u64 = 21_000_000 * 100_000_000;

/// A swap server's terms: a service fee in basis points of the amount swapped and a flat miner
/// fee for its own transaction (the claim of a submarine lockup, or a reverse swap's lockup).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct SwapFees {
    /// The service fee in basis points (1/100 of a percent), at most [`MAX_SERVICE_FEE_BPS`].
    pub fee_bps: u16,
    /// The miner fee the server charges for its own transaction, in sats.
    pub miner_fee_sat: u64,
}

impl SwapFees {
    /// The service fee on `amount_sat`, rounded up to the satoshi.
    ///
    /// # Errors
    /// [`SwapError::InvalidAmount`] when the fee is above [`MAX_SERVICE_FEE_BPS`].
    pub fn service_fee_sat(&self, amount_sat: u64) -> Result<u64, SwapError> {
        if self.fee_bps > MAX_SERVICE_FEE_BPS {
            return Err(SwapError::InvalidAmount {
                reason: format!(
                    "a service fee of {} bps is above the {MAX_SERVICE_FEE_BPS} bps accepted",
                    self.fee_bps
                ),
            });
        }
        let fee = (u128::from(amount_sat) * u128::from(self.fee_bps)).div_ceil(10_000);
        // At most a tenth of a u64: always fits.
        u64::try_from(fee).map_err(|_| overflow())
    }

    /// A submarine swap: what the user locks on-chain, in sats, for the server to pay an invoice
    /// of `invoice_msat`: the invoice rounded up to the satoshi, the service fee on that, and
    /// the miner fee of the server's claim.
    ///
    /// # Errors
    /// [`SwapError::InvalidAmount`] for a zero amount, a fee above the maximum, or an overflow.
    pub fn submarine_lockup_sat(&self, invoice_msat: u64) -> Result<u64, SwapError> {
        if invoice_msat == 0 {
            return Err(zero("the invoice"));
        }
        let invoice_sat = invoice_msat.div_ceil(1_000);
        invoice_sat
            .checked_add(self.service_fee_sat(invoice_sat)?)
            .and_then(|a| a.checked_add(self.miner_fee_sat))
            .filter(|&sat| sat <= MAX_SWAP_SAT)
            .ok_or_else(overflow)
    }

    /// A reverse swap: what the server's hold invoice asks, in msat, to lock `onchain_sat` for
    /// the user: the amount, the service fee on it and the miner fee of the server's lockup.
    ///
    /// # Errors
    /// [`SwapError::InvalidAmount`] for a zero amount, a fee above the maximum, or an overflow.
    pub fn reverse_invoice_msat(&self, onchain_sat: u64) -> Result<u64, SwapError> {
        if onchain_sat == 0 {
            return Err(zero("the on-chain amount"));
        }
        onchain_sat
            .checked_add(self.service_fee_sat(onchain_sat)?)
            .and_then(|a| a.checked_add(self.miner_fee_sat))
            .filter(|&sat| sat <= MAX_SWAP_SAT)
            .map(|sat| sat * 1_000)
            .ok_or_else(overflow)
    }
}

fn zero(what: &str) -> SwapError {
    SwapError::InvalidAmount {
        reason: format!("{what} must be above zero"),
    }
}

fn overflow() -> SwapError {
    SwapError::InvalidAmount {
        reason: "the amount with its fees is above 21 million bitcoin".to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const TERMS: SwapFees = SwapFees {
        fee_bps: 50,
        miner_fee_sat: 300,
    };

    #[test]
    fn the_service_fee_is_rounded_up_to_the_satoshi() {
        assert_eq!(TERMS.service_fee_sat(100_000).unwrap(), 500);
        assert_eq!(TERMS.service_fee_sat(100_001).unwrap(), 501);
        assert_eq!(TERMS.service_fee_sat(1).unwrap(), 1);
        let free = SwapFees {
            fee_bps: 0,
            miner_fee_sat: 0,
        };
        assert_eq!(free.service_fee_sat(u64::MAX).unwrap(), 0);
    }

    #[test]
    fn a_submarine_lockup_covers_the_invoice_rounded_up_the_fee_and_the_claim() {
        assert_eq!(TERMS.submarine_lockup_sat(100_000_000).unwrap(), 100_800);
        // 100,000.001 sat: locks 100,001 sat plus the fee on that.
        assert_eq!(
            TERMS.submarine_lockup_sat(100_000_001).unwrap(),
            100_001 + 501 + 300
        );
    }

    #[test]
    fn a_reverse_invoice_asks_the_amount_the_fee_and_the_lockup_in_msat() {
        assert_eq!(TERMS.reverse_invoice_msat(100_000).unwrap(), 100_800_000);
    }

    #[test]
    fn zero_amounts_excessive_fees_and_overflows_are_refused_by_name() {
        for refused in [
            TERMS.submarine_lockup_sat(0),
            TERMS.reverse_invoice_msat(0),
            TERMS.reverse_invoice_msat(u64::MAX / 1_000),
            TERMS.reverse_invoice_msat(MAX_SWAP_SAT),
            TERMS.submarine_lockup_sat(u64::MAX),
            SwapFees {
                fee_bps: MAX_SERVICE_FEE_BPS + 1,
                miner_fee_sat: 0,
            }
            .reverse_invoice_msat(1_000),
        ] {
            let error = refused.unwrap_err();
            assert_eq!(error.code(), "swap_invalid_amount", "{error}");
        }
    }
}
