//! bitcoind's JSON result shapes: block headers, blocks, transactions, scripts, mempool
//! entries and transaction outputs.

use bitcoin::consensus::encode::serialize_hex;
use bitcoin::hex::DisplayHex;
use bitcoin::{Amount, Script, Transaction, TxOut};
use serde_json::{json, Map, Value};

use super::super::block::regtest_target;
use super::super::engine::Engine;
use super::super::mempool::{Mempool, MempoolEntry};
use super::super::scripts::{address_of, ScriptKind};
use super::super::state::{BlockEntry, ChainState};

/// Regtest difficulty as bitcoind prints it.
pub(crate) fn difficulty() -> f64 {
    regtest_target().difficulty_float()
}

/// Chainwork as 64 big-endian hex digits.
pub(crate) fn chainwork_hex(entry: &BlockEntry) -> String {
    entry.chainwork.to_be_bytes().to_lower_hex_string()
}

/// Confirmations of an active block: 1 for the tip.
fn confirmations(state: &ChainState, entry: &BlockEntry) -> i64 {
    i64::from(state.height()) - i64::from(entry.height) + 1
}

/// `getblockheader` (verbose): the fields LDK's block sync rebuilds the header from.
pub(crate) fn header(state: &ChainState, entry: &BlockEntry) -> Value {
    let h = &entry.block.header;
    let mut obj = Map::new();
    obj.insert("hash".into(), json!(entry.hash.to_string()));
    obj.insert("confirmations".into(), json!(confirmations(state, entry)));
    obj.insert("height".into(), json!(entry.height));
    obj.insert("version".into(), json!(h.version.to_consensus()));
    obj.insert(
        "versionHex".into(),
        json!(format!("{:08x}", h.version.to_consensus())),
    );
    obj.insert("merkleroot".into(), json!(h.merkle_root.to_string()));
    obj.insert("time".into(), json!(h.time));
    obj.insert("mediantime".into(), json!(entry.median_time));
    obj.insert("nonce".into(), json!(h.nonce));
    obj.insert(
        "bits".into(),
        json!(format!("{:08x}", h.bits.to_consensus())),
    );
    obj.insert("difficulty".into(), json!(difficulty()));
    obj.insert("chainwork".into(), json!(chainwork_hex(entry)));
    obj.insert("nTx".into(), json!(entry.block.txdata.len()));
    if entry.height > 0 {
        obj.insert(
            "previousblockhash".into(),
            json!(h.prev_blockhash.to_string()),
        );
    }
    if let Some(next) = state.hash_at(entry.height.saturating_add(1)) {
        obj.insert("nextblockhash".into(), json!(next.to_string()));
    }
    Value::Object(obj)
}

/// `getblock` with verbosity 1 (txids) or 2 and more (decoded transactions with fees).
pub(crate) fn block(engine: &Engine, entry: &BlockEntry, verbosity: i64) -> Value {
    let mut obj = match header(&engine.state, entry) {
        Value::Object(o) => o,
        _ => Map::new(),
    };
    let b = &entry.block;
    let stripped: usize = 80 + b.txdata.iter().map(Transaction::base_size).sum::<usize>();
    obj.insert("strippedsize".into(), json!(stripped));
    obj.insert("size".into(), json!(b.total_size()));
    obj.insert("weight".into(), json!(b.weight().to_wu()));
    let txs: Vec<Value> = if verbosity >= 2 {
        b.txdata
            .iter()
            .map(|tx| {
                let mut t = transaction(engine, tx, None);
                if let (Value::Object(o), Some(fee)) = (&mut t, engine.fee(tx)) {
                    if !tx.is_coinbase() {
                        o.insert("fee".into(), json!(fee.to_btc()));
                    }
                }
                t
            })
            .collect()
    } else {
        entry.txids.iter().map(|t| json!(t.to_string())).collect()
    };
    obj.insert("tx".into(), Value::Array(txs));
    Value::Object(obj)
}

/// A `scriptPubKey` object.
pub(crate) fn script_pubkey(script: &Script) -> Value {
    let mut obj = Map::new();
    obj.insert("asm".into(), json!(script.to_asm_string()));
    obj.insert("hex".into(), json!(script.as_bytes().to_lower_hex_string()));
    if let Some(address) = address_of(script) {
        obj.insert("address".into(), json!(address));
    }
    obj.insert("type".into(), json!(ScriptKind::of(script).bitcoind_name()));
    Value::Object(obj)
}

/// A decoded transaction (`getrawtransaction` verbose); `block` adds the confirmation fields.
pub(crate) fn transaction(engine: &Engine, tx: &Transaction, block: Option<&BlockEntry>) -> Value {
    let vin: Vec<Value> = tx
        .input
        .iter()
        .map(|input| {
            let mut o = Map::new();
            if tx.is_coinbase() {
                o.insert(
                    "coinbase".into(),
                    json!(input.script_sig.as_bytes().to_lower_hex_string()),
                );
            } else {
                o.insert("txid".into(), json!(input.previous_output.txid.to_string()));
                o.insert("vout".into(), json!(input.previous_output.vout));
                o.insert(
                    "scriptSig".into(),
                    json!({
                        "asm": input.script_sig.to_asm_string(),
                        "hex": input.script_sig.as_bytes().to_lower_hex_string(),
                    }),
                );
            }
            if !input.witness.is_empty() {
                let items: Vec<String> = input
                    .witness
                    .iter()
                    .map(|w| w.to_lower_hex_string())
                    .collect();
                o.insert("txinwitness".into(), json!(items));
            }
            o.insert("sequence".into(), json!(input.sequence.0));
            Value::Object(o)
        })
        .collect();
    let vout: Vec<Value> = tx
        .output
        .iter()
        .enumerate()
        .map(|(n, out)| {
            json!({"value": out.value.to_btc(), "n": n, "scriptPubKey": script_pubkey(&out.script_pubkey)})
        })
        .collect();
    let mut obj = Map::new();
    obj.insert("txid".into(), json!(tx.compute_txid().to_string()));
    obj.insert("hash".into(), json!(tx.compute_wtxid().to_string()));
    obj.insert("version".into(), json!(tx.version.0));
    obj.insert("size".into(), json!(tx.total_size()));
    obj.insert("vsize".into(), json!(tx.vsize()));
    obj.insert("weight".into(), json!(tx.weight().to_wu()));
    obj.insert("locktime".into(), json!(tx.lock_time.to_consensus_u32()));
    obj.insert("vin".into(), Value::Array(vin));
    obj.insert("vout".into(), Value::Array(vout));
    obj.insert("hex".into(), json!(serialize_hex(tx)));
    if let Some(entry) = block {
        obj.insert("blockhash".into(), json!(entry.hash.to_string()));
        obj.insert(
            "confirmations".into(),
            json!(confirmations(&engine.state, entry)),
        );
        obj.insert("time".into(), json!(entry.block.header.time));
        obj.insert("blocktime".into(), json!(entry.block.header.time));
    }
    Value::Object(obj)
}

/// Sum of the fees and sizes of `txids` in the mempool.
fn totals(pool: &Mempool, txids: &[bitcoin::Txid]) -> (Amount, u64) {
    txids
        .iter()
        .filter_map(|t| pool.get(t))
        .fold((Amount::ZERO, 0), |(fee, size), e| {
            (
                fee.checked_add(e.fee).unwrap_or(fee),
                size.saturating_add(e.vsize),
            )
        })
}

/// A `getmempoolentry` result (also the values of `getrawmempool true`).
pub(crate) fn mempool_entry(pool: &Mempool, entry: &MempoolEntry) -> Value {
    let ancestors = pool.with_ancestors(&entry.txid);
    let descendants = pool.with_descendants(&entry.txid);
    let (ancestor_fees, ancestor_size) = totals(pool, &ancestors);
    let (descendant_fees, descendant_size) = totals(pool, &descendants);
    let depends: Vec<String> = pool
        .parents(&entry.txid)
        .iter()
        .map(ToString::to_string)
        .collect();
    let spent_by: Vec<String> = pool
        .children(&entry.txid)
        .iter()
        .map(ToString::to_string)
        .collect();
    json!({
        "vsize": entry.vsize,
        "weight": entry.weight,
        "time": entry.time,
        "height": entry.height,
        "descendantcount": descendants.len(),
        "descendantsize": descendant_size,
        "ancestorcount": ancestors.len(),
        "ancestorsize": ancestor_size,
        "wtxid": entry.wtxid.to_string(),
        "fees": {
            "base": entry.fee.to_btc(),
            "modified": entry.fee.to_btc(),
            "ancestor": ancestor_fees.to_btc(),
            "descendant": descendant_fees.to_btc(),
        },
        "depends": depends,
        "spentby": spent_by,
        "bip125-replaceable": true,
        "unbroadcast": false,
    })
}

/// A `gettxout` result.
pub(crate) fn txout(state: &ChainState, out: &TxOut, confirmations: u32, coinbase: bool) -> Value {
    json!({
        "bestblock": state.tip().hash.to_string(),
        "confirmations": confirmations,
        "value": out.value.to_btc(),
        "scriptPubKey": script_pubkey(&out.script_pubkey),
        "coinbase": coinbase,
    })
}
