//! Mempool acceptance, in bitcoind's order: context-free checks, finality, inputs, BIP68,
//! coinbase maturity and values, full-RBF replacement rules, then script verification with
//! libbitcoinconsensus. Every rejection carries bitcoind's RPC code and reject reason.
//!
//! Deliberately lenient where LDK needs it: no minimum relay fee, dust or ancestor limits, so
//! zero-fee parents and CPFP children sent one at a time are accepted.

use std::collections::HashSet;

use bitcoin::consensus::serialize;
use bitcoin::{Amount, Transaction, TxOut, Txid};

use super::error::{ChainError, RPC_VERIFY_ERROR, RPC_VERIFY_REJECTED};
use super::locks::{is_final, sequence_locks_satisfied, LockContext};
use super::mempool::Mempool;
use super::params::{
    format_money, COINBASE_MATURITY, INCREMENTAL_RELAY_SAT_PER_KVB, MAX_REPLACEMENT_CANDIDATES,
    MAX_TX_WEIGHT, SCRIPT_FLAGS,
};
use super::state::ChainState;

/// What accepting a transaction would do.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Acceptance {
    /// Inputs minus outputs.
    pub(crate) fee: Amount,
    /// Mempool transactions it replaces, with their descendants (to evict before inserting).
    pub(crate) evicted: Vec<Txid>,
}

/// The output an input spends, and where it was created.
#[derive(Debug, Clone)]
struct Prevout {
    output: TxOut,
    height: u32,
    is_coinbase: bool,
}

fn reject(reason: impl Into<String>) -> ChainError {
    ChainError::rejected(RPC_VERIFY_REJECTED, reason)
}

/// Checks `tx` against the chain and mempool. Does not modify either.
pub(crate) fn check(
    chain: &ChainState,
    pool: &Mempool,
    tx: &Transaction,
) -> Result<Acceptance, ChainError> {
    check_context_free(tx)?;
    let tip = chain.tip();
    let next_height = tip.height.saturating_add(1);
    if !is_final(tx, next_height, tip.median_time) {
        return Err(reject("non-final"));
    }
    let txid = tx.compute_txid();
    let (prevouts, conflicts) = find_prevouts(chain, pool, tx, next_height)?;
    let heights: Vec<u32> = prevouts.iter().map(|p| p.height).collect();
    let ctx = LockContext {
        next_height,
        tip_median_time: tip.median_time,
    };
    let mtp = |h: u32| chain.entry_at(h).map_or(0, |e| e.median_time);
    if !sequence_locks_satisfied(tx, &heights, ctx, mtp) {
        return Err(reject("non-BIP68-final"));
    }
    let fee = check_values(tx, &prevouts, next_height)?;
    let evicted = check_replacement(pool, tx, txid, fee, &conflicts)?;
    verify_scripts(tx, &prevouts)?;
    Ok(Acceptance { fee, evicted })
}

/// bitcoind's `CheckTransaction` plus the size and coinbase policy checks.
fn check_context_free(tx: &Transaction) -> Result<(), ChainError> {
    if tx.input.is_empty() {
        return Err(reject("bad-txns-vin-empty"));
    }
    if tx.output.is_empty() {
        return Err(reject("bad-txns-vout-empty"));
    }
    let mut total = Amount::ZERO;
    for output in &tx.output {
        if output.value > Amount::MAX_MONEY {
            return Err(reject("bad-txns-vout-toolarge"));
        }
        total = total
            .checked_add(output.value)
            .filter(|t| *t <= Amount::MAX_MONEY)
            .ok_or_else(|| reject("bad-txns-txouttotal-toolarge"))?;
    }
    let mut seen = HashSet::with_capacity(tx.input.len());
    if !tx.input.iter().all(|i| seen.insert(i.previous_output)) {
        return Err(reject("bad-txns-inputs-duplicate"));
    }
    if tx.is_coinbase() {
        return Err(reject("coinbase"));
    }
    if tx.input.iter().any(|i| i.previous_output.is_null()) {
        return Err(reject("bad-txns-prevout-null"));
    }
    if tx.weight().to_wu() > MAX_TX_WEIGHT {
        return Err(reject("tx-size"));
    }
    Ok(())
}

/// Finds the output each input spends (UTXO set first, then mempool outputs) and the mempool
/// transactions it conflicts with. Fails with -25 when an input spends nothing.
fn find_prevouts(
    chain: &ChainState,
    pool: &Mempool,
    tx: &Transaction,
    next_height: u32,
) -> Result<(Vec<Prevout>, Vec<Txid>), ChainError> {
    let mut prevouts = Vec::with_capacity(tx.input.len());
    let mut conflicts = Vec::new();
    for input in &tx.input {
        let op = &input.previous_output;
        let prevout = if let Some(coin) = chain.coin(op) {
            Prevout {
                output: coin.output.clone(),
                height: coin.height,
                is_coinbase: coin.is_coinbase,
            }
        } else if let Some(output) = pool.output(op) {
            Prevout {
                output: output.clone(),
                height: next_height,
                is_coinbase: false,
            }
        } else {
            return Err(ChainError::rejected(
                RPC_VERIFY_ERROR,
                "bad-txns-inputs-missingorspent",
            ));
        };
        if let Some(spender) = pool.spender(op) {
            if !conflicts.contains(&spender) {
                conflicts.push(spender);
            }
        }
        prevouts.push(prevout);
    }
    Ok((prevouts, conflicts))
}

/// bitcoind's `Consensus::CheckTxInputs`: coinbase maturity and input/output values.
fn check_values(
    tx: &Transaction,
    prevouts: &[Prevout],
    next_height: u32,
) -> Result<Amount, ChainError> {
    let mut value_in = Amount::ZERO;
    for prevout in prevouts {
        if prevout.is_coinbase {
            let depth = next_height.saturating_sub(prevout.height);
            if depth < COINBASE_MATURITY {
                return Err(reject(format!(
                    "bad-txns-premature-spend-of-coinbase, tried to spend coinbase at depth {depth}"
                )));
            }
        }
        value_in = value_in
            .checked_add(prevout.output.value)
            .filter(|v| *v <= Amount::MAX_MONEY)
            .ok_or_else(|| reject("bad-txns-inputvalues-outofrange"))?;
    }
    let value_out = tx.output.iter().fold(Amount::ZERO, |acc, o| {
        acc.checked_add(o.value).unwrap_or(Amount::MAX)
    });
    value_in.checked_sub(value_out).ok_or_else(|| {
        reject(format!(
            "bad-txns-in-belowout, value in ({}) < value out ({})",
            format_money(value_in),
            format_money(value_out)
        ))
    })
}

/// Full-RBF rules of bitcoind 28 (BIP125 rules 2-6 without the signalling requirement), in
/// bitcoind's order: the replacement pays a strictly higher fee rate than every transaction it
/// directly conflicts with (rule 6), evicts at most 100 transactions (rule 5), adds no new
/// unconfirmed input (rule 2), spends none of what it evicts, and pays at least the total fee of
/// everything it evicts plus 1 sat/vB of its own size (rules 3 and 4).
fn check_replacement(
    pool: &Mempool,
    tx: &Transaction,
    txid: Txid,
    fee: Amount,
    conflicts: &[Txid],
) -> Result<Vec<Txid>, ChainError> {
    if conflicts.is_empty() {
        return Ok(Vec::new());
    }
    let vsize = tx.weight().to_wu().div_ceil(4);
    for old in conflicts.iter().filter_map(|c| pool.get(c)) {
        // new_fee / new_vsize > old_fee / old_vsize, in integers.
        let new = u128::from(fee.to_sat()) * u128::from(old.vsize);
        let prev = u128::from(old.fee.to_sat()) * u128::from(vsize);
        if new <= prev {
            return Err(reject(format!(
                "txn-mempool-conflict, insufficient fee, rejecting replacement {txid}; new \
                 feerate {} sat/vB <= old feerate {} sat/vB",
                sat_per_vb(fee, vsize),
                sat_per_vb(old.fee, old.vsize)
            )));
        }
    }
    let mut evicted: Vec<Txid> = Vec::new();
    for conflict in conflicts {
        for t in pool.with_descendants(conflict) {
            if !evicted.contains(&t) {
                evicted.push(t);
            }
        }
    }
    if evicted.len() > MAX_REPLACEMENT_CANDIDATES {
        return Err(reject(format!(
            "too many potential replacements, rejecting replacement {txid}; too many potential \
             replacements ({} > {MAX_REPLACEMENT_CANDIDATES})",
            evicted.len()
        )));
    }
    let parents_of_conflicts: HashSet<Txid> = conflicts
        .iter()
        .filter_map(|c| pool.get(c))
        .flat_map(|e| e.tx.input.iter().map(|i| i.previous_output.txid))
        .collect();
    for (index, input) in tx.input.iter().enumerate() {
        let parent = input.previous_output.txid;
        if !parents_of_conflicts.contains(&parent) && pool.get(&parent).is_some() {
            return Err(reject(format!(
                "replacement-adds-unconfirmed, replacement {txid} adds unconfirmed input, idx \
                 {index}"
            )));
        }
    }
    if tx
        .input
        .iter()
        .any(|i| evicted.contains(&i.previous_output.txid))
    {
        return Err(reject(format!(
            "bad-txns-spends-conflicting-tx, {txid} spends conflicting transaction"
        )));
    }
    let evicted_fees = evicted
        .iter()
        .filter_map(|t| pool.get(t))
        .fold(Amount::ZERO, |acc, e| {
            acc.checked_add(e.fee).unwrap_or(Amount::MAX)
        });
    if fee < evicted_fees {
        return Err(reject(format!(
            "txn-mempool-conflict, insufficient fee, rejecting replacement {txid}, less fees than \
             conflicting txs; {} < {}",
            format_money(fee),
            format_money(evicted_fees)
        )));
    }
    let additional = fee.checked_sub(evicted_fees).unwrap_or(Amount::ZERO);
    let needed = Amount::from_sat((vsize * INCREMENTAL_RELAY_SAT_PER_KVB).div_ceil(1000));
    if additional < needed {
        return Err(reject(format!(
            "txn-mempool-conflict, insufficient fee, rejecting replacement {txid}, not enough \
             additional fees to relay; {} < {}",
            format_money(additional),
            format_money(needed)
        )));
    }
    Ok(evicted)
}

/// A fee rate in sat/vB with three decimals, for messages.
fn sat_per_vb(fee: Amount, vsize: u64) -> String {
    if vsize == 0 {
        return "0".into();
    }
    format!("{:.3}", fee.to_sat() as f64 / vsize as f64)
}

/// Verifies every input script with libbitcoinconsensus and bitcoind's mandatory flags.
fn verify_scripts(tx: &Transaction, prevouts: &[Prevout]) -> Result<(), ChainError> {
    let bytes = serialize(tx);
    for (index, prevout) in prevouts.iter().enumerate() {
        let script = &prevout.output.script_pubkey;
        if script
            .verify_with_flags(index, prevout.output.value, &bytes, SCRIPT_FLAGS)
            .is_err()
        {
            return Err(reject(format!(
                "mandatory-script-verify-flag-failed (Script evaluation failed for input {index})"
            )));
        }
    }
    Ok(())
}
