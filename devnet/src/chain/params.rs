//! Regtest consensus and policy constants, and small helpers shared by the chain modules.

use std::time::{SystemTime, UNIX_EPOCH};

use bitcoin::{Amount, FeeRate, Network};

/// The network every address and block belongs to.
pub const NETWORK: Network = Network::Regtest;
/// A coinbase output can be spent in a block this many blocks above it.
pub const COINBASE_MATURITY: u32 = 100;
/// Regtest halves the subsidy every 150 blocks.
pub(crate) const HALVING_INTERVAL: u32 = 150;
/// Blocks mined to the faucet at the first start: makes the first coinbases mature.
pub const INITIAL_BLOCKS: u32 = 101;
/// Maximum block weight (BIP141).
pub(crate) const MAX_BLOCK_WEIGHT: u64 = 4_000_000;
/// Maximum standard transaction weight (bitcoind's `MAX_STANDARD_TX_WEIGHT`).
pub(crate) const MAX_TX_WEIGHT: u64 = 400_000;
/// Block header version bitcoind mines with when no deployment is signalled.
pub(crate) const BLOCK_VERSION: i32 = 0x2000_0000;
/// Incremental relay fee rate for replacements: 1 sat/vB, as bitcoind.
pub(crate) const INCREMENTAL_RELAY_SAT_PER_KVB: u64 = 1_000;
/// Most transactions one replacement may evict (bitcoind's `MAX_REPLACEMENT_CANDIDATES`).
pub(crate) const MAX_REPLACEMENT_CANDIDATES: usize = 100;
/// What `estimatesmartfee` answers, in BTC/kvB: 2 sat/vB, 500 sat/kwu.
pub(crate) const ESTIMATED_FEERATE_BTC_PER_KVB: f64 = 0.000_02;
/// The same estimate in sat/vB, for Esplora's `/fee-estimates`.
pub(crate) const ESTIMATED_SAT_PER_VB: f64 = 2.0;
/// What `getmempoolinfo` reports as `mempoolminfee` and `minrelaytxfee`, in BTC/kvB.
pub(crate) const MIN_FEERATE_BTC_PER_KVB: f64 = 0.000_01;
/// Fee rate the faucet pays (matches the estimate).
pub(crate) const FAUCET_FEERATE: FeeRate = FeeRate::from_sat_per_kwu(500);
/// libbitcoinconsensus flag: evaluate P2SH subscripts (BIP16).
const VERIFY_P2SH: u32 = 1 << 0;
/// libbitcoinconsensus flag: strict DER signatures (BIP66).
const VERIFY_DERSIG: u32 = 1 << 2;
/// libbitcoinconsensus flag: CHECKMULTISIG dummy must be empty (BIP147).
const VERIFY_NULLDUMMY: u32 = 1 << 4;
/// libbitcoinconsensus flag: OP_CHECKLOCKTIMEVERIFY (BIP65).
const VERIFY_CHECKLOCKTIMEVERIFY: u32 = 1 << 9;
/// libbitcoinconsensus flag: OP_CHECKSEQUENCEVERIFY (BIP112).
const VERIFY_CHECKSEQUENCEVERIFY: u32 = 1 << 10;
/// libbitcoinconsensus flag: segregated witness (BIP141/143).
const VERIFY_WITNESS: u32 = 1 << 11;
/// Script verification flags: bitcoind's mandatory flags (P2SH, DERSIG, NULLDUMMY, CLTV, CSV,
/// WITNESS), i.e. libbitcoinconsensus's `VERIFY_ALL`. libbitcoinconsensus 25 cannot check
/// Taproot: witness v1 spends pass unchecked.
pub(crate) const SCRIPT_FLAGS: u32 = VERIFY_P2SH
    | VERIFY_DERSIG
    | VERIFY_NULLDUMMY
    | VERIFY_CHECKLOCKTIMEVERIFY
    | VERIFY_CHECKSEQUENCEVERIFY
    | VERIFY_WITNESS;

/// The block subsidy at `height` on regtest.
pub(crate) fn subsidy(height: u32) -> Amount {
    let halvings = height / HALVING_INTERVAL;
    if halvings >= 64 {
        return Amount::ZERO;
    }
    Amount::from_sat((50 * 100_000_000u64) >> halvings)
}

/// Seconds since the Unix epoch, saturating into `u32` and never before 2009.
pub(crate) fn now_secs() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| d.as_secs())
        .unwrap_or(1_231_006_505)
}

/// bitcoind's `FormatMoney`: BTC with at least two decimals and trailing zeros trimmed.
pub(crate) fn format_money(amount: Amount) -> String {
    let sat = amount.to_sat();
    let mut frac = format!("{:08}", sat % 100_000_000);
    while frac.len() > 2 && frac.ends_with('0') {
        frac.pop();
    }
    format!("{}.{}", sat / 100_000_000, frac)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn subsidy_halves_every_150_blocks_on_regtest() {
        assert_eq!(subsidy(0), Amount::from_btc(50.0).unwrap());
        assert_eq!(subsidy(149), Amount::from_btc(50.0).unwrap());
        assert_eq!(subsidy(150), Amount::from_btc(25.0).unwrap());
        assert_eq!(subsidy(300), Amount::from_btc(12.5).unwrap());
        assert_eq!(subsidy(150 * 64), Amount::ZERO);
    }

    #[test]
    fn format_money_matches_bitcoind() {
        assert_eq!(format_money(Amount::from_sat(5_000_000_000)), "50.00");
        assert_eq!(format_money(Amount::from_sat(1_000_000)), "0.01");
        assert_eq!(format_money(Amount::from_sat(10_000)), "0.0001");
        assert_eq!(format_money(Amount::from_sat(1)), "0.00000001");
        assert_eq!(format_money(Amount::ZERO), "0.00");
    }
}
