//! Transaction finality as bitcoind enforces it: absolute lock time (`IsFinalTx` against the
//! next block's height and the tip's median time past) and BIP68 relative lock times.

use bitcoin::Transaction;

/// Lock times below this are block heights, above it Unix times.
const LOCKTIME_THRESHOLD: u32 = 500_000_000;
/// BIP68: when set, the input's sequence carries no relative lock.
const SEQUENCE_DISABLE_FLAG: u32 = 1 << 31;
/// BIP68: when set, the relative lock is in units of 512 seconds, else in blocks.
const SEQUENCE_TYPE_FLAG: u32 = 1 << 22;
/// BIP68: the lock value bits.
const SEQUENCE_MASK: u32 = 0x0000_ffff;
/// BIP68: time locks count units of 2^9 = 512 seconds.
const SEQUENCE_GRANULARITY: u32 = 9;

/// bitcoind's `IsFinalTx`: whether `tx` may be included in a block at `block_height` whose
/// lock-time reference is `block_time` (the previous block's median time past, BIP113).
pub(crate) fn is_final(tx: &Transaction, block_height: u32, block_time: u32) -> bool {
    let lock = tx.lock_time.to_consensus_u32();
    if lock == 0 {
        return true;
    }
    let limit = if lock < LOCKTIME_THRESHOLD {
        block_height
    } else {
        block_time
    };
    if lock < limit {
        return true;
    }
    tx.input.iter().all(|input| input.sequence.0 == u32::MAX)
}

/// Where the BIP68 check of one transaction happens.
#[derive(Debug, Clone, Copy)]
pub(crate) struct LockContext {
    /// Height of the block the transaction would go into (tip + 1).
    pub(crate) next_height: u32,
    /// Median time past of the tip.
    pub(crate) tip_median_time: u32,
}

/// bitcoind's `CalculateSequenceLocks` + `EvaluateSequenceLocks`: whether every BIP68 relative
/// lock of `tx` is satisfied in the next block.
///
/// `coin_heights[i]` is the height of the block that created input `i`'s coin (tip + 1 for
/// mempool coins); `median_time_at(h)` is the median time past of the active block at `h`.
pub(crate) fn sequence_locks_satisfied(
    tx: &Transaction,
    coin_heights: &[u32],
    ctx: LockContext,
    median_time_at: impl Fn(u32) -> u32,
) -> bool {
    // bitcoind compares the version as unsigned: negative versions enforce BIP68 too.
    if u32::from_ne_bytes(tx.version.0.to_ne_bytes()) < 2 {
        return true;
    }
    let mut min_height: i64 = -1;
    let mut min_time: i64 = -1;
    for (input, &coin_height) in tx.input.iter().zip(coin_heights) {
        let sequence = input.sequence.0;
        if sequence & SEQUENCE_DISABLE_FLAG != 0 {
            continue;
        }
        let value = i64::from(sequence & SEQUENCE_MASK);
        if sequence & SEQUENCE_TYPE_FLAG != 0 {
            let coin_time = i64::from(median_time_at(coin_height.saturating_sub(1)));
            min_time = min_time.max(coin_time + (value << SEQUENCE_GRANULARITY) - 1);
        } else {
            min_height = min_height.max(i64::from(coin_height) + value - 1);
        }
    }
    min_height < i64::from(ctx.next_height) && min_time < i64::from(ctx.tip_median_time)
}

#[cfg(test)]
mod tests {
    use super::*;
    use bitcoin::transaction::Version;
    use bitcoin::{absolute, OutPoint, ScriptBuf, Sequence, TxIn, Witness};

    fn tx(version: i32, lock: u32, sequence: u32) -> Transaction {
        Transaction {
            version: Version(version),
            lock_time: absolute::LockTime::from_consensus(lock),
            input: vec![TxIn {
                previous_output: OutPoint::null(),
                script_sig: ScriptBuf::new(),
                sequence: Sequence(sequence),
                witness: Witness::new(),
            }],
            output: vec![],
        }
    }

    #[test]
    fn absolute_lock_time_needs_a_lower_height_or_final_sequences() {
        assert!(is_final(&tx(2, 0, 0), 1, 0));
        assert!(is_final(&tx(2, 99, 0), 100, 0));
        assert!(!is_final(&tx(2, 100, 0), 100, 0));
        assert!(is_final(&tx(2, 100, u32::MAX), 100, 0));
        assert!(!is_final(&tx(2, 1_600_000_000, 0), 100, 1_600_000_000));
        assert!(is_final(&tx(2, 1_600_000_000, 0), 100, 1_600_000_001));
    }

    #[test]
    fn relative_height_lock_counts_from_the_coin() {
        let ctx = LockContext {
            next_height: 110,
            tip_median_time: 0,
        };
        let mtp = |_h: u32| 0;
        // Coin at 100, lock 10: spendable in block 110.
        assert!(sequence_locks_satisfied(&tx(2, 0, 10), &[100], ctx, mtp));
        assert!(!sequence_locks_satisfied(&tx(2, 0, 11), &[100], ctx, mtp));
        // Version 1 and the disable flag turn it off.
        assert!(sequence_locks_satisfied(&tx(1, 0, 11), &[100], ctx, mtp));
        assert!(sequence_locks_satisfied(
            &tx(2, 0, 11 | SEQUENCE_DISABLE_FLAG),
            &[100],
            ctx,
            mtp
        ));
    }

    #[test]
    fn relative_time_lock_uses_median_time_past() {
        let seq = SEQUENCE_TYPE_FLAG | 2; // 1024 seconds
        let mtp = |h: u32| 1_000 + h;
        // Coin at height 10: reference is MTP(9) = 1009; needs tip MTP > 1009 + 1024 - 1.
        let early = LockContext {
            next_height: 50,
            tip_median_time: 2_032,
        };
        let late = LockContext {
            next_height: 50,
            tip_median_time: 2_033,
        };
        assert!(!sequence_locks_satisfied(&tx(2, 0, seq), &[10], early, mtp));
        assert!(sequence_locks_satisfied(&tx(2, 0, seq), &[10], late, mtp));
    }
}
